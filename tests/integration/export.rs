//! `pyq export`: refusal on errors, determinism, identity, `--check`.

use std::path::Path;
use std::process::{Command, Output};

const BANK: &str = include_str!("../fixtures/valid.yaml");

fn pyq(dir: &Path, args: &[&str], stamp: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pyq"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", stamp)
        .output()
        .expect("run pyq")
}

fn bank_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("questions.yaml"), text).expect("write bank");
    dir
}

fn apkg(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("exports/sample.apkg")).expect("exported package")
}

#[test]
fn a_bank_with_errors_writes_nothing() {
    let dir = bank_dir(&BANK.replace("topic: closures", "topic: nope"));
    let out = pyq(dir.path(), &["export"], "1800000000");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[PYQ204] unknown-topic"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!dir.path().join("exports").exists());
}

#[test]
fn exports_are_byte_identical_and_check_is_clean() {
    let dir = bank_dir(BANK);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let first = apkg(dir.path());
    // A later clock changes nothing when nothing changed.
    assert!(pyq(dir.path(), &["export"], "1900000000").status.success());
    assert_eq!(first, apkg(dir.path()));
    let check = pyq(dir.path(), &["export", "--check"], "1900000000");
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let fresh = bank_dir(BANK);
    assert!(
        pyq(fresh.path(), &["export"], "1800000000")
            .status
            .success()
    );
    assert_eq!(
        first,
        apkg(fresh.path()),
        "same bank, same stamp, same bytes"
    );
}

#[test]
fn the_cache_beside_the_bank_gives_the_same_bytes_and_ignores_itself() {
    let edited = BANK.replacen("only write a pointer.", "only write a pointer (edited).", 1);
    assert_ne!(edited, BANK);
    // The same exports with the cache, without it, and with it elsewhere.
    let with = bank_dir(BANK);
    let without = bank_dir(BANK);
    let elsewhere = bank_dir(BANK);
    let cache_dir = tempfile::tempdir().expect("temp dir");
    // pyq in `dir`, its cache in `cache_dir` for `elsewhere` (beside the
    // bank otherwise, whatever the environment says).
    let pyq_in = |dir: &Path, args: &[&str], stamp: &str| {
        let cache = if dir == elsewhere.path() {
            cache_dir.path().as_os_str()
        } else {
            "".as_ref()
        };
        Command::new(env!("CARGO_BIN_EXE_pyq"))
            .args(args)
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", stamp)
            .env("PYQ_CACHE_DIR", cache)
            .output()
            .expect("run pyq")
    };
    let run = |dir: &Path, args: &[&str], stamp: &str| {
        let out = pyq_in(dir, args, stamp);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut first = Vec::new();
    for (bank, stamp) in [(BANK, "1800000000"), (edited.as_str(), "1900000000")] {
        for dir in [&with, &without, &elsewhere] {
            std::fs::write(dir.path().join("questions.yaml"), bank).expect("write bank");
        }
        // `--check` reads the cache, never makes it (the exports are stale
        // here: it exits 1).
        let check = pyq_in(
            with.path(),
            &["export", "--check", "--format", "anki"],
            stamp,
        );
        assert_eq!(check.status.code(), Some(1));
        run(with.path(), &["export", "--format", "anki"], stamp);
        run(
            without.path(),
            &["export", "--format", "anki", "--no-cache"],
            stamp,
        );
        run(elsewhere.path(), &["export", "--format", "anki"], stamp);
        assert_eq!(apkg(with.path()), apkg(without.path()));
        assert_eq!(apkg(with.path()), apkg(elsewhere.path()));
        first.push(apkg(with.path()));
    }
    let cache = with.path().join(".pyq-cache");
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).expect("its .gitignore"),
        "# Made by pyq.\n*\n"
    );
    assert!(cache.join("CACHEDIR.TAG").is_file());
    let entries = |dir: &Path| {
        std::fs::read_dir(dir)
            .expect("the cache")
            .filter(|e| {
                e.as_ref()
                    .expect("an entry")
                    .path()
                    .extension()
                    .is_some_and(|x| x == "anki2")
            })
            .count()
    };
    // One entry per package written.
    assert_eq!(entries(&cache), 2);
    assert_eq!(entries(cache_dir.path()), 2);
    assert!(!without.path().join(".pyq-cache").exists());
    assert!(!elsewhere.path().join(".pyq-cache").exists());
    // A cache that cannot be made is no error.
    let blocked = bank_dir(BANK);
    std::fs::write(blocked.path().join(".pyq-cache"), "a file").expect("write");
    run(
        blocked.path(),
        &["export", "--format", "anki"],
        "1800000000",
    );
    assert_eq!(apkg(blocked.path()), first[0]);
}

/// The inode of each exported file and of the lock: a file written again
/// is a new one (written beside, then renamed into place).
#[cfg(unix)]
fn inodes(dir: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt as _;
    let inode = |path: &Path| std::fs::metadata(path).expect("metadata").ino();
    let mut all: std::collections::BTreeMap<String, u64> = std::fs::read_dir(dir.join("exports"))
        .expect("exports folder")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                inode(&p),
            )
        })
        .collect();
    all.insert("lock".into(), inode(&dir.join("questions.pyq.lock")));
    all
}

#[cfg(unix)]
#[test]
fn an_export_leaves_the_files_it_would_not_change_alone() {
    let dir = bank_dir(BANK);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let first = inodes(dir.path());
    assert_eq!(first.len(), 5, "four exports and the lock: {first:?}");
    // Nothing changed: no file is written again, and pyq says so.
    let out = pyq(dir.path(), &["export"], "1900000000");
    assert!(out.status.success());
    assert_eq!(inodes(dir.path()), first);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(said.lines().count(), 5, "{said}");
    assert!(said.lines().all(|l| l.starts_with("unchanged: ")), "{said}");
    assert!(
        said.contains("unchanged: exports/sample.apkg (3 questions)"),
        "{said}"
    );
    // One answer changed: every export shows it; the lock stays the same.
    std::fs::write(
        dir.path().join("questions.yaml"),
        BANK.replace("in cells, not their values", "in cells"),
    )
    .unwrap();
    let out = pyq(dir.path(), &["export"], "1900000000");
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains("wrote exports/sample.apkg (3 questions)"),
        "{said}"
    );
    assert!(
        said.contains("unchanged: questions.pyq.lock (3 published ids)"),
        "{said}"
    );
    let after = inodes(dir.path());
    assert_eq!(after.len(), 5, "{after:?}");
    for (name, inode) in &after {
        assert_eq!(first[name] == *inode, name == "lock", "{name}");
    }
    let check = pyq(dir.path(), &["export", "--check"], "1900000000");
    assert_eq!(check.status.code(), Some(0));
}

#[test]
fn check_names_a_stale_file() {
    let dir = bank_dir(BANK);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    std::fs::write(
        dir.path().join("questions.yaml"),
        BANK.replace("in cells, not their values", "in cells"),
    )
    .unwrap();
    let out = pyq(dir.path(), &["export", "--check"], "1800000100");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("sample.apkg differs from what the bank produces"),
        "{stdout}"
    );
    // The package the check made (written into the folder as it was made)
    // is not left there.
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["sample.apkg", "sample.csv", "sample.html", "sample.md"],
        "{names:?}"
    );
}

/// `Id` field → GUID, read from an exported package.
fn guids(package: &[u8]) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).expect("zip");
    let mut db = Vec::new();
    zip.by_name("collection.anki2")
        .expect("collection")
        .read_to_end(&mut db)
        .expect("read");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &db).expect("write db");
    let conn = rusqlite::Connection::open(file.path()).expect("open db");
    let mut stmt = conn.prepare("select guid, flds from notes").expect("query");
    stmt.query_map([], |r| {
        let flds: String = r.get(1)?;
        Ok((
            flds.rsplit('\u{1f}').next().unwrap_or("").to_owned(),
            r.get(0)?,
        ))
    })
    .expect("rows")
    .map(|r| r.expect("row"))
    .collect()
}

#[test]
fn guids_depend_only_on_ids() {
    let dir = bank_dir(BANK);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let before = guids(&apkg(dir.path()));
    assert_eq!(before.len(), 3);
    // Reword one question and swap the numbers of two others: no GUID moves.
    let edited = BANK
        .replace(
            "What does a closure capture",
            "Which variables does a closure capture",
        )
        .replace("number: 1\n", "number: X\n")
        .replace("number: 2\n", "number: 1\n")
        .replace("number: X\n", "number: 2\n");
    std::fs::write(dir.path().join("questions.yaml"), edited).unwrap();
    assert!(
        pyq(dir.path(), &["lint", "--fix"], "0")
            .status
            .code()
            .is_some()
    );
    assert!(pyq(dir.path(), &["export"], "1800000100").status.success());
    assert_eq!(guids(&apkg(dir.path())), before);
    assert_eq!(
        before["list-append"],
        pyq::identity::guid(1700000000001, "list-append")
    );
}

#[test]
fn an_unreadable_previous_package_is_an_error_and_is_left_alone() {
    let dir = bank_dir(BANK);
    std::fs::create_dir(dir.path().join("exports")).unwrap();
    std::fs::write(dir.path().join("exports/sample.apkg"), b"not a zip").unwrap();
    let out = pyq(dir.path(), &["export"], "1800000000");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("exports/sample.apkg")).unwrap(),
        b"not a zip"
    );
}

#[test]
fn a_bad_source_date_epoch_is_a_usage_error() {
    let dir = bank_dir(BANK);
    let out = pyq(dir.path(), &["export"], "yesterday");
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("exports").exists());
}

/// A bank whose text has everything CSV and Markdown must carry: commas,
/// quotes, tabs, newlines, a leading `=` and `-`, HTML-looking text, math.
const TRICKY: &str = r#"version: 1
deck:
  name: Tricky
  anki_deck_id: 11
  anki_model_id: 12
topics:
  misc: Misc, "quoted" topic
questions:
  - number: 1
    id: formula-question
    topic: misc
    difficulty: junior
    tags: [a, b-c]
    question: "=HYPERLINK(\"http://x\") is a formula, isn't it?"
    answer: |
      **Short answer:** it is, so "quotes", commas, and	tabs survive.

      - `<class 'int'>` and $O(n^2)$
      - a line
    related: [dash-answer]
  - number: 2
    id: dash-answer
    topic: misc
    difficulty: senior
    question: What about [brackets] in a question?
    answer: "-1 is negative"
"#;

#[test]
fn plain_csv_round_trips_every_field() {
    let dir = bank_dir(TRICKY);
    let out = pyq(
        dir.path(),
        &["export", "--format", "csv", "--csv-flavor", "plain"],
        "1800000000",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.path().join("exports/tricky.plain.csv")).unwrap();
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "number",
            "id",
            "topic",
            "difficulty",
            "tags",
            "question",
            "answer",
            "related"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    // Formula-like cells get one leading `'`; everything else is verbatim.
    assert_eq!(
        &rows[0][5],
        "'=HYPERLINK(\"http://x\") is a formula, isn't it?"
    );
    assert_eq!(
        &rows[0][6],
        "**Short answer:** it is, so \"quotes\", commas, and\ttabs survive.\n\n- `<class 'int'>` and $O(n^2)$\n- a line\n"
    );
    assert_eq!(&rows[0][4], "a b-c");
    assert_eq!(&rows[0][7], "dash-answer");
    assert_eq!(&rows[1][6], "'-1 is negative");
    assert_eq!(&rows[1][0], "2");
}

#[test]
fn anki_csv_has_its_header_and_the_deck_guids() {
    let dir = bank_dir(TRICKY);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let text = std::fs::read_to_string(dir.path().join("exports/tricky.csv")).unwrap();
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert_eq!(
        header,
        [
            "#separator:Tab",
            "#html:true",
            "#notetype:Tricky (pyq)",
            "#deck:Tricky",
            "#columns:Front\tBack\tNumber\tTopic\tDifficulty\tSee also\tId\tTags\tGUID",
            "#tags column:8",
            "#guid column:9",
        ]
    );
    let body: String = text
        .lines()
        .skip(header.len())
        .map(|l| format!("{l}\n"))
        .collect();
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    let apkg_guids = guids(&std::fs::read(dir.path().join("exports/tricky.apkg")).unwrap());
    for row in &rows {
        assert_eq!(apkg_guids[&row[6]], &row[8], "same GUID as the deck");
    }
    // Fields hold the deck's HTML: escaped, math delimited, quotes intact.
    assert!(
        rows[0][1].contains("<code>&lt;class 'int'&gt;</code>"),
        "{}",
        &rows[0][1]
    );
    assert!(rows[0][1].contains("\\(O(n^2)\\)"));
    assert_eq!(
        &rows[0][0],
        "=HYPERLINK(\"http://x\") is a formula, isn't it?"
    );
    assert_eq!(
        &rows[0][7],
        "pyq::tag::a pyq::tag::b-c pyq::topic::misc pyq::difficulty::junior"
    );
    assert!(rows[0][5].contains("#2"), "see also: {}", &rows[0][5]);
}

#[test]
fn markdown_parses_back_and_every_link_has_its_anchor() {
    use pulldown_cmark::{Event, Parser, Tag};
    let dir = bank_dir(TRICKY);
    assert!(
        pyq(
            dir.path(),
            &["export", "--format", "markdown"],
            "1800000000"
        )
        .status
        .success()
    );
    let md = std::fs::read_to_string(dir.path().join("exports/tricky.md")).unwrap();
    let mut links = Vec::new();
    let mut html = String::new();
    let mut headings = 0;
    for event in Parser::new_ext(&md, pulldown_cmark::Options::all()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Html(h) | Event::InlineHtml(h) => html.push_str(&h),
            Event::Start(Tag::Heading { .. }) => headings += 1,
            _ => {}
        }
    }
    assert_eq!(
        headings, 5,
        "title, Contents, Questions and one per question"
    );
    let internal: Vec<&String> = links.iter().filter(|l| l.starts_with('#')).collect();
    assert!(internal.len() >= 5, "{internal:?}");
    for link in internal {
        let target = &link[1..];
        let found = target == "contents" || html.contains(&format!("<a id=\"{target}\"></a>"));
        assert!(found, "no anchor for {link}");
    }
    assert!(md.contains("<details>\n<summary>Answer</summary>\n\n**Short answer:**"));
    assert!(md.contains("### 2. What about [brackets] in a question?"));
    assert!(md.contains("[2. What about \\[brackets\\] in a question?](#q-dash-answer)"));
    assert!(md.contains("$O(n^2)$"), "math stays for GitHub to render");
    let open = pyq(
        dir.path(),
        &["export", "--format", "markdown", "--no-details"],
        "1800000000",
    );
    assert!(open.status.success());
    let md = std::fs::read_to_string(dir.path().join("exports/tricky.md")).unwrap();
    assert!(!md.contains("<details>"));
}

#[test]
fn an_output_folder_that_cannot_be_made_is_a_clear_failure() {
    let dir = bank_dir(BANK);
    // A file where the folder should be (root ignores permission bits, so a
    // read-only folder would not fail here).
    std::fs::write(dir.path().join("exports"), b"a file").unwrap();
    let out = pyq(dir.path(), &["export"], "1800000000");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not write `exports`"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("exports")).unwrap(),
        b"a file"
    );
}

#[test]
fn a_failed_export_leaves_the_previous_files_and_no_temporary_files() {
    let dir = bank_dir(BANK);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let before: Vec<_> = ["sample.apkg", "sample.csv", "sample.md", "sample.html"]
        .iter()
        .map(|f| std::fs::read(dir.path().join("exports").join(f)).unwrap())
        .collect();
    // The bank breaks: nothing is rewritten, nothing is left behind.
    std::fs::write(
        dir.path().join("questions.yaml"),
        BANK.replace("id: list-growth", "id: list-append"),
    )
    .unwrap();
    assert_eq!(
        pyq(dir.path(), &["export"], "1800000100").status.code(),
        Some(1)
    );
    let after: Vec<_> = ["sample.apkg", "sample.csv", "sample.md", "sample.html"]
        .iter()
        .map(|f| std::fs::read(dir.path().join("exports").join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    let names: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

/// A bank large enough that an export takes a while (debug build).
fn big_bank(n: usize, answer: &str) -> String {
    let mut y = String::from(
        "version: 1\ndeck:\n  name: Big\n  anki_deck_id: 31\n  anki_model_id: 32\ntopics:\n  t: T\nquestions:\n",
    );
    for i in 1..=n {
        y.push_str(&format!(
            "  - number: {i}\n    id: q-{i}\n    topic: t\n    difficulty: mid\n    question: Question {i} about subject{i}?\n    answer: |\n      **Short answer:** {answer} {i}.\n\n      ```python\n      assert {i} + 1 == {}\n      ```\n",
            i + 1
        ));
    }
    y
}

#[cfg(unix)]
#[test]
fn a_killed_export_leaves_whole_files_and_the_next_run_leaves_no_temporary_files() {
    use std::time::Duration;
    let files = ["big.apkg", "big.csv", "big.md", "big.html"];
    let read_all = |dir: &Path| -> Vec<Vec<u8>> {
        files
            .iter()
            .map(|f| std::fs::read(dir.join("exports").join(f)).unwrap())
            .collect()
    };
    let old_bank = big_bank(1_500, "old");
    let new_bank = big_bank(1_500, "new");
    // The reference: what the new bank exports to over the old exports.
    let reference = bank_dir(&old_bank);
    assert!(
        pyq(reference.path(), &["export"], "1800000000")
            .status
            .success()
    );
    let old = read_all(reference.path());
    std::fs::write(reference.path().join("questions.yaml"), &new_bank).unwrap();
    assert!(
        pyq(reference.path(), &["export"], "1800000100")
            .status
            .success()
    );
    let new = read_all(reference.path());
    assert_ne!(old, new);

    let dir = bank_dir(&old_bank);
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    std::fs::write(dir.path().join("questions.yaml"), &new_bank).unwrap();
    for delay_ms in [20, 100, 300, 700, 1200] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pyq"))
            .arg("export")
            .current_dir(dir.path())
            .env("SOURCE_DATE_EPOCH", "1800000100")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = read_all(dir.path());
        for (i, bytes) in now.iter().enumerate() {
            assert!(
                *bytes == old[i] || *bytes == new[i],
                "{} is neither the old nor the new file after a kill at {delay_ms} ms",
                files[i]
            );
        }
    }
    assert!(pyq(dir.path(), &["export"], "1800000100").status.success());
    assert_eq!(read_all(dir.path()), new);
    let stray: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".pyq-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// The bank is linted while it renders: an error found while a large bank
/// renders over the previous exports still writes nothing (no export, no
/// lock, no scratch file) and reports the error as `pyq lint` does.
#[test]
fn an_error_found_while_rendering_writes_nothing() {
    let dir = bank_dir(&big_bank(1_500, "old"));
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir.join("exports"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .chain([dir.join("questions.pyq.lock")])
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(dir.path());
    assert_eq!(before.len(), 5, "four exports and the lock");
    // Every answer changes (so every card renders again), and the last
    // question's topic is not declared.
    let broken = big_bank(1_500, "new").replace(
        "id: q-1500\n    topic: t\n",
        "id: q-1500\n    topic: nope\n",
    );
    std::fs::write(dir.path().join("questions.yaml"), &broken).unwrap();
    let out = pyq(dir.path(), &["export"], "1800000100");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let line = broken
        .lines()
        .position(|l| l.contains("topic: nope"))
        .unwrap()
        + 1;
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "questions.yaml:{line}:12: error[PYQ204] unknown-topic: unknown topic `nope`\n\
             pyq: not exporting: questions.yaml has 1 error (see `pyq lint questions.yaml`); nothing was written\n"
        )
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn the_lock_records_what_was_published_and_check_wants_it_current() {
    let dir = bank_dir(BANK);
    let out = pyq(dir.path(), &["export"], "1800000000");
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("wrote questions.pyq.lock (3 published ids)")
    );
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("questions.pyq.lock")).unwrap())
            .unwrap();
    assert_eq!(lock["deck_id"], 1_700_000_000_001_i64);
    assert_eq!(
        lock["published"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["closure-cells", "list-append", "list-growth"]
    );
    std::fs::remove_file(dir.path().join("questions.pyq.lock")).unwrap();
    let check = pyq(dir.path(), &["export", "--check"], "1800000000");
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("questions.pyq.lock is missing"));

    // Retire one: the lock keeps it, the Markdown lists it, the CSV drops it.
    assert!(pyq(dir.path(), &["export"], "1800000000").status.success());
    let at = BANK.find("    id: list-growth\n").unwrap();
    let item = BANK[..at].rfind("\n  - number:").unwrap() + 1;
    let next = at + BANK[at..].find("\n  - number:").unwrap() + 1;
    let retired = format!("{}{}", &BANK[..item], &BANK[next..])
        .replace("    related: [list-growth]\n", "")
        .replace("  - number: 3\n", "  - number: 2\n")
        .replace(
            "questions:\n",
            "retired:\n  - id: list-growth\n    reason: Folded into the append answer.\n    replaced_by: list-append\nquestions:\n",
        );
    std::fs::write(dir.path().join("questions.yaml"), &retired).unwrap();
    let out = pyq(dir.path(), &["export"], "1800000100");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lock = std::fs::read_to_string(dir.path().join("questions.pyq.lock")).unwrap();
    assert!(lock.contains("\"list-growth\""), "{lock}");
    let md = std::fs::read_to_string(dir.path().join("exports/sample.md")).unwrap();
    assert!(
        md.contains("## Retired questions\n")
            && md.contains("- `list-growth`: Folded into the append answer. Replaced by [1. "),
        "{md}"
    );
    let csv = std::fs::read_to_string(dir.path().join("exports/sample.csv")).unwrap();
    assert!(!csv.contains("list-growth"), "{csv}");
}

const SECOND_BANK: &str = include_str!("../fixtures/second-bank.yaml");

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "pyq tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.invalid")
        .env("GIT_COMMITTER_NAME", "pyq tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.invalid")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Two banks with different ids and deck ids side by side: each has its own
/// lock, so exporting one never makes the other's ids look removed (the
/// PYQ601/PYQ603 collision of a lock named for the folder).
#[test]
fn several_banks_in_one_folder_keep_their_own_locks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("a.yaml"), BANK).unwrap();
    std::fs::write(d.join("b.yaml"), SECOND_BANK).unwrap();
    for bank in ["a.yaml", "b.yaml"] {
        let out = pyq(d, &["export", bank], "1800000000");
        assert!(out.status.success(), "{}", text(&out));
    }
    let a: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("a.pyq.lock")).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("b.pyq.lock")).unwrap()).unwrap();
    assert_eq!(a["deck_id"], 1_700_000_000_001_i64);
    assert_eq!(b["deck_id"], 1_700_000_000_101_i64);
    let ids = |lock: &serde_json::Value| -> Vec<String> {
        lock["published"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(ids(&a), ["closure-cells", "list-append", "list-growth"]);
    assert_eq!(ids(&b), ["borrow-rules", "move-semantics"]);
    assert!(!d.join("pyq.lock").exists());
    for bank in ["a.yaml", "b.yaml"] {
        let lint = pyq(d, &["lint", "--format", "concise", bank], "1800000000");
        assert!(lint.status.success(), "{bank}: {}", text(&lint));
        let check = pyq(d, &["export", "--check", bank], "1800000000");
        assert!(check.status.success(), "{bank}: {}", text(&check));
        let stem = bank.trim_end_matches(".yaml");
        assert!(
            text(&check).contains(&format!("and so is {stem}.pyq.lock")),
            "{}",
            text(&check)
        );
    }

    // A change to one bank makes only its own exports stale.
    git(d, &["init", "--quiet"]);
    git(d, &["add", "--all"]);
    git(
        d,
        &["commit", "--quiet", "--no-gpg-sign", "-m", "two banks"],
    );
    let edited = SECOND_BANK.replace("at once?", "at the same time?");
    std::fs::write(d.join("b.yaml"), edited).unwrap();
    assert_eq!(
        pyq(d, &["export", "--check", "b.yaml"], "1800000000")
            .status
            .code(),
        Some(1)
    );
    assert!(
        pyq(d, &["export", "--check", "a.yaml"], "1800000000")
            .status
            .success()
    );

    // `pyq diff` sees each bank on its own.
    let diff = pyq(d, &["diff", "--since", "HEAD", "b.yaml"], "1800000000");
    assert!(diff.status.success(), "{}", text(&diff));
    assert!(text(&diff).contains("1 changed"), "{}", text(&diff));
    assert!(
        text(&diff).contains("(`borrow-rules`): question"),
        "{}",
        text(&diff)
    );
    let diff = pyq(d, &["diff", "--since", "HEAD", "a.yaml"], "1800000000");
    assert!(
        text(&diff).contains("No question changed."),
        "{}",
        text(&diff)
    );
    let diff = pyq(d, &["diff", "a.yaml", "b.yaml"], "1800000000");
    assert!(diff.status.success(), "{}", text(&diff));

    // Removing a question of b is b's finding alone.
    let removed = SECOND_BANK.replace(
        "  - number: 2\n    id: borrow-rules",
        "  - number: 2\n    id: borrow-checker",
    );
    std::fs::write(d.join("b.yaml"), removed).unwrap();
    let lint = pyq(d, &["lint", "--format", "concise", "b.yaml"], "1800000000");
    assert_eq!(lint.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&lint.stdout),
        "b.yaml:2:1: error[PYQ601] published-id-removed: published question `borrow-rules` is gone from the bank (it is in b.pyq.lock)\n"
    );
    assert!(pyq(d, &["lint", "a.yaml"], "1800000000").status.success());
}

/// A lock named for the folder (pyq's old layout) holds published ids: pyq
/// never ignores it, and says how to rename it.
#[test]
fn a_legacy_folder_lock_stops_pyq_with_the_rename_command() {
    let dir = bank_dir(BANK);
    let d = dir.path();
    assert!(pyq(d, &["export"], "1800000000").status.success());
    std::fs::rename(d.join("questions.pyq.lock"), d.join("pyq.lock")).unwrap();
    let before = std::fs::read(d.join("pyq.lock")).unwrap();
    for args in [&["lint"][..], &["export"], &["export", "--check"]] {
        let out = pyq(d, args, "1800000000");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let err = text(&out);
        assert!(
            err.contains("`pyq.lock` is a lock named for its folder"),
            "{err}"
        );
        assert!(err.contains("git mv pyq.lock questions.pyq.lock"), "{err}");
        assert!(err.contains("deck id 1700000000001"), "{err}");
    }
    assert_eq!(
        std::fs::read(d.join("pyq.lock")).unwrap(),
        before,
        "left alone"
    );
    std::fs::rename(d.join("pyq.lock"), d.join("questions.pyq.lock")).unwrap();
    assert!(
        pyq(d, &["export", "--check"], "1800000000")
            .status
            .success()
    );
}
