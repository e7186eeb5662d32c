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
        pyq::export::anki::guid::guid(1700000000001, "list-append")
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
