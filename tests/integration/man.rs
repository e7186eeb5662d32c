//! `pyq man`: one roff page per command, each complete and, where groff is
//! installed, free of groff warnings.

use std::path::Path;
use std::process::Command;

use crate::pyq_stdout as pyq;

use clap::CommandFactory;

/// (file name, title, long options) of every page.
fn expected_pages() -> Vec<(String, String, Vec<String>)> {
    let mut cli = pyq::cli::Cli::command();
    cli.build();
    let long = |c: &clap::Command| -> Vec<String> {
        c.get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| format!("\\-\\-{}", l.replace('-', "\\-")))
            .collect()
    };
    let mut pages = vec![("pyq.1".to_owned(), "PYQ".to_owned(), long(&cli))];
    for sub in cli.get_subcommands().filter(|c| c.get_name() != "help") {
        let name = format!("pyq-{}", sub.get_name());
        pages.push((format!("{name}.1"), name.to_uppercase(), long(sub)));
    }
    pages
}

#[test]
fn writes_one_complete_page_per_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man");
    let printed = pyq(&["man", "--out", out.to_str().expect("utf-8 path")]);

    let expected = expected_pages();
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    written.sort();
    let mut names: Vec<String> = expected.iter().map(|(n, _, _)| n.clone()).collect();
    names.sort();
    assert_eq!(written, names);
    assert_eq!(printed.lines().count(), expected.len(), "{printed}");

    let version = env!("CARGO_PKG_VERSION");
    for (name, title, options) in &expected {
        let page = std::fs::read_to_string(out.join(name)).expect("read page");
        assert!(
            page.contains(&format!(
                "\n.TH {title} 1 \"\" \"pyq {version}\" \"User Commands\"\n"
            )),
            "{name}: {page}"
        );
        for section in [
            ".SH NAME\n",
            ".SH SYNOPSIS\n",
            ".SH DESCRIPTION\n",
            ".SH OPTIONS\n",
            ".SH EXAMPLES\n.nf\n  pyq ",
            ".SH \"SEE ALSO\"\n",
        ] {
            assert!(page.contains(section), "{name} lacks {section:?}");
        }
        for option in options {
            assert!(page.contains(option.as_str()), "{name} lacks {option}");
        }
        assert_eq!(page.matches(".ds Aq").count(), 2, "{name}: one preamble");
        check_with_groff(&out.join(name));
    }
    let top = std::fs::read_to_string(out.join("pyq.1")).expect("pyq.1");
    assert!(
        top.contains(".SH SUBCOMMANDS\n.TP\npyq\\-lint(1)\n"),
        "{top}"
    );
    assert_eq!(pyq(&["man"]), top, "`pyq man` prints pyq.1");
}

/// groff (part of man-db's dependencies, so on nearly every Linux machine,
/// this project's included) renders the page with every warning on: none
/// may come, and the examples keep their lines.
fn check_with_groff(page: &Path) {
    let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=200n", "-P-cbu"])
        .arg(page)
        .output()
    else {
        // Without groff the structural checks above are all there is.
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{}: {stderr}",
        page.display()
    );
    // -P-cbu: plain text, no bold or underline marks.
    let plain = String::from_utf8_lossy(&out.stdout);
    let examples = plain
        .split("EXAMPLES\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{}: no EXAMPLES in {plain}", page.display()));
    let first = examples.lines().next().unwrap_or_default();
    assert!(
        first.trim_start().starts_with("pyq "),
        "{}: the first example is not on a line of its own: {first:?}",
        page.display()
    );
}
