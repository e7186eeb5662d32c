//! `pyq man [--out DIR]`: manual pages generated from the clap definition
//! (`cli.rs`). Printed, the page is pyq(1); with `--out`, pyq.1 and one page
//! per command (pyq-lint.1, ...), the layout of git and cargo that packagers
//! install as they are (`man pyq-lint`).

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::{Cli, ManArgs};
use crate::cmd::Status;
use crate::error::Error;

pub fn run(args: &ManArgs, out: &mut dyn Write) -> Result<Status, Error> {
    match &args.out {
        None => {
            let (_, page) = pages().swap_remove(0);
            out.write_all(page.as_bytes())?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
            for (name, page) in pages() {
                let path = dir.join(name);
                crate::fs::write_atomic(&path, page.as_bytes())?;
                writeln!(out, "wrote {}", path.display())?;
            }
        }
    }
    Ok(Status::Success)
}

/// Every page as (file name, roff): pyq.1 first, then one per command in
/// the order of `pyq --help`.
pub fn pages() -> Vec<(String, String)> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![page(&cmd, None)];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(page(sub, Some(&cmd)));
    }
    pages
}

/// One page: clap_mangen's, with the command's after_help as EXAMPLES (kept
/// line for line) and NOTES instead of one filled EXTRA paragraph, and a SEE
/// ALSO section.
fn page(cmd: &clap::Command, parent: Option<&clap::Command>) -> (String, String) {
    let man = Man::new(cmd.clone().after_help(None::<&str>));
    let mut page = Vec::new();
    man.render(&mut page).expect("writing to memory");
    let page = String::from_utf8(page).expect("roff is UTF-8");
    let mut roff = Roff::new();
    if let Some(after) = cmd.get_after_help() {
        after_help(&mut roff, &after.to_string());
    }
    roff.control("SH", ["SEE ALSO"]);
    match parent {
        Some(parent) => roff.text([bold(parent.get_name()), roman("(1)")]),
        None => roff.text([roman(
            "docs/formats.md (the file format) and docs/rules.md (the lint rules, also `pyq rules`) in pyq's repository.",
        )]),
    };
    // Both documents start with the same preamble (it defines the string
    // that typesets apostrophes); the page needs it once.
    let preamble = Roff::new().render();
    let extra = roff.render();
    let extra = extra.strip_prefix(&preamble).unwrap_or(&extra);
    let name = man.get_filename();
    (name, with_title(&page, cmd) + extra)
}

/// Replaces clap_mangen's `.TH` line, which loses the empty date and so
/// shifts the source and manual into the wrong fields, with a complete one.
fn with_title(page: &str, cmd: &clap::Command) -> String {
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_uppercase();
    let version = cmd.get_version().unwrap_or(env!("CARGO_PKG_VERSION"));
    let th = format!(".TH {title} 1 \"\" \"pyq {version}\" \"User Commands\"");
    page.lines()
        .map(|line| {
            if line.starts_with(".TH ") {
                th.as_str()
            } else {
                line
            }
        })
        .fold(String::new(), |mut s, line| {
            s.push_str(line);
            s.push('\n');
            s
        })
}

/// `Examples:` (the first paragraph) in no-fill mode, so each example keeps
/// its line; the other paragraphs as NOTES.
fn after_help(roff: &mut Roff, text: &str) {
    let mut paragraphs = text.split("\n\n");
    if let Some(examples) = paragraphs.next() {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        for line in examples.lines().skip_while(|l| *l == "Examples:") {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
    }
    let notes: Vec<&str> = paragraphs.collect();
    if !notes.is_empty() {
        roff.control("SH", ["NOTES"]);
        for (i, note) in notes.iter().enumerate() {
            if i > 0 {
                roff.control("PP", []);
            }
            for line in note.lines() {
                roff.text([roman(line)]);
            }
        }
    }
}
