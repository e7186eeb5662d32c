//! The bank's lock, `<bank>.pyq.lock` beside it (`questions.yaml` →
//! `questions.pyq.lock`): every question id that has ever been published in
//! an export, with its Anki note GUID, and the deck id the GUIDs derive
//! from. `pyq export` adds to it and never removes an entry; `pyq lint` uses
//! it to catch a published question that vanished (rule
//! `published-id-removed`) or a changed deck id (`published-deck-changed`).
//!
//! One lock per bank, named after the bank's file: several banks can share
//! a folder without reading each other's published ids. A lock named for
//! the folder ([`LEGACY_FILE_NAME`], pyq's old layout) beside a bank that
//! has no lock of its own stops pyq with the command that renames it: it
//! holds published ids, so it is never ignored, and only its owner knows
//! which bank it belongs to.
//!
//! The file is JSON, one id per line in sorted order, so it diffs well and
//! two exports of the same bank write the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Bank;

/// What a bank's lock is called after its file's stem: `<stem>.pyq.lock`.
pub const SUFFIX: &str = ".pyq.lock";

/// The lock of pyq before 0.2, one per folder.
pub const LEGACY_FILE_NAME: &str = "pyq.lock";

const NOTE: &str = "Written by `pyq export`: every question id published from this bank, with its Anki note GUID. Commit it. Never remove an entry: retire the question instead (`retired:` in the bank).";

/// The lock's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    #[serde(rename = "//", default)]
    pub note: String,
    pub version: u32,
    /// The `anki_deck_id` the GUIDs were derived from.
    pub deck_id: i64,
    /// Published question id → Anki note GUID.
    pub published: BTreeMap<String, String>,
}

impl Lock {
    /// The lock after exporting `bank`: the previous entries plus every
    /// question of the bank. `None` when the bank has no deck id (it would
    /// not have exported).
    pub fn after_export(previous: Option<&Self>, bank: &Bank<'_>) -> Option<Self> {
        let deck_id = bank.deck.as_ref()?.anki_deck_id.as_ref()?.value;
        let mut published = previous
            .filter(|p| p.deck_id == deck_id)
            .map(|p| p.published.clone())
            .unwrap_or_default();
        for q in &bank.questions {
            if let Some(id) = q.id_str() {
                published
                    .entry(id.to_owned())
                    .or_insert_with(|| crate::identity::guid(deck_id, id));
            }
        }
        Some(Self {
            note: NOTE.to_owned(),
            version: 1,
            deck_id,
            published,
        })
    }

    /// The file's bytes: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a lock serialises");
        bytes.push(b'\n');
        bytes
    }
}

/// Where the lock of the bank at `bank` lives: beside it, named after the
/// bank's file without its extension (`bank/python.yaml` →
/// `bank/python.pyq.lock`).
pub fn path_for(bank: &Path) -> PathBuf {
    let stem = bank
        .file_stem()
        .map_or_else(|| "questions".into(), |s| s.to_string_lossy());
    beside(bank, &format!("{stem}{SUFFIX}"))
}

/// The lock's file name for the bank at `bank`, as findings name it.
pub fn file_name_for(bank: &Path) -> String {
    path_for(bank)
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// `name` in the folder of the bank at `bank`.
fn beside(bank: &Path, name: &str) -> PathBuf {
    match bank.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
        _ => PathBuf::from(name),
    }
}

/// Reads the lock of the bank at `bank` (see [`read`]). When the bank has
/// no lock of its own, a lock in its folder that has lost its bank is a
/// failure that says how to rename it: a legacy `pyq.lock`, or
/// `<name>.pyq.lock` with no `<name>.*` bank beside it (the bank was renamed
/// and its lock was not). Either lists published ids, and pyq will not
/// guess which bank they belong to, nor start this one afresh beside them.
pub fn read_for(bank: &Path) -> Result<Option<Lock>, Error> {
    let path = path_for(bank);
    let lock = read(&path)?;
    if lock.is_some() {
        return Ok(lock);
    }
    if let Some(stray) = stray_lock(bank) {
        let deck_id = read(&stray)?.map(|l| l.deck_id);
        let legacy = stray.file_name().is_some_and(|n| n == LEGACY_FILE_NAME);
        return Err(Error::StrayLock {
            stray,
            lock: path,
            deck_id,
            legacy,
        });
    }
    Ok(None)
}

/// The first lock (by name) in the bank's folder that no bank there owns.
fn stray_lock(bank: &Path) -> Option<PathBuf> {
    let dir = beside(bank, ".");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let has_bank = |stem: &str| {
        names.iter().any(|n| {
            n.strip_prefix(stem)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|ext| !ext.is_empty() && !ext.ends_with("lock"))
                || n == stem
        })
    };
    let mut stray: Vec<&String> = names
        .iter()
        .filter(|n| match n.strip_suffix(SUFFIX) {
            Some(stem) => !stem.is_empty() && !has_bank(stem),
            None => *n == LEGACY_FILE_NAME,
        })
        .collect();
    stray.sort();
    stray.first().map(|n| beside(bank, n))
}

/// Reads the lock at `path`; `None` when there is none yet (nothing has
/// been published). A lock that cannot be read is a failure that names its
/// line and column: pyq will not guess what was published.
pub fn read(path: &Path) -> Result<Option<Lock>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let lock: Lock = serde_json::from_slice(&bytes).map_err(|e| Error::InvalidLock {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        why: e.to_string(),
    })?;
    if lock.version != 1 {
        return Err(Error::InvalidLock {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            why: format!("version {} is not one this pyq reads (1)", lock.version),
        });
    }
    Ok(Some(lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bank_has_its_own_lock() {
        assert_eq!(
            path_for(Path::new("questions.yaml")),
            Path::new("questions.pyq.lock")
        );
        assert_eq!(
            path_for(Path::new("banks/rust.yml")),
            Path::new("banks/rust.pyq.lock")
        );
        assert_eq!(
            path_for(Path::new("banks/v1.2.yaml")),
            Path::new("banks/v1.2.pyq.lock")
        );
        assert_eq!(path_for(Path::new("bank")), Path::new("bank.pyq.lock"));
    }

    #[test]
    fn a_legacy_lock_is_never_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bank = dir.path().join("a.yaml");
        assert_eq!(read_for(&bank).expect("no lock at all is fine"), None);
        let legacy = Lock::after_export(None, &bank_with(&["x"])).expect("a lock");
        std::fs::write(dir.path().join(LEGACY_FILE_NAME), legacy.to_bytes()).expect("write");
        let err = read_for(&bank).expect_err("a legacy lock stops pyq");
        assert!(
            matches!(&err, Error::StrayLock { deck_id: Some(11), lock, legacy: true, .. } if lock.ends_with("a.pyq.lock")),
            "{err:?}"
        );
        // Once the bank has its own lock, the legacy one is another bank's.
        std::fs::write(dir.path().join("a.pyq.lock"), legacy.to_bytes()).expect("write");
        assert_eq!(read_for(&bank).expect("own lock"), Some(legacy));
    }

    #[test]
    fn a_lock_whose_bank_was_renamed_is_never_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = Lock::after_export(None, &bank_with(&["x"])).expect("a lock");
        // `a.yaml` was renamed to `b.yaml`, its lock was not.
        std::fs::write(dir.path().join("a.pyq.lock"), lock.to_bytes()).expect("write");
        std::fs::write(dir.path().join("b.yaml"), "").expect("write");
        let err = read_for(&dir.path().join("b.yaml")).expect_err("a stray lock");
        assert!(
            matches!(&err, Error::StrayLock { stray, legacy: false, .. } if stray.ends_with("a.pyq.lock")),
            "{err:?}"
        );
        // With `a.yaml` there (or `a.yml`, or `a` itself), it is that bank's.
        for bank in ["a.yaml", "a.yml", "a"] {
            let owner = dir.path().join(bank);
            std::fs::write(&owner, "").expect("write");
            assert_eq!(
                read_for(&dir.path().join("b.yaml")).expect("not stray"),
                None
            );
            std::fs::remove_file(owner).expect("remove");
        }
    }

    fn bank_with(ids: &[&str]) -> Bank<'static> {
        let mut text = String::from(
            "version: 1\ndeck: {name: D, anki_deck_id: 11, anki_model_id: 22}\ntopics: {t: T}\nquestions:\n",
        );
        for (i, id) in ids.iter().enumerate() {
            text.push_str(&format!(
                "  - {{number: {}, id: {id}, topic: t, difficulty: mid, question: Q{i}?, answer: A}}\n",
                i + 1
            ));
        }
        crate::load::load_leaked(text).bank
    }

    #[test]
    fn export_adds_and_never_removes() {
        let first = Lock::after_export(None, &bank_with(&["a", "b"])).expect("a lock");
        assert_eq!(first.published.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(first.published["a"], crate::identity::guid(11, "a"));
        let second = Lock::after_export(Some(&first), &bank_with(&["b", "c"])).expect("a lock");
        assert_eq!(second.published.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn round_trips_and_is_one_id_per_line() {
        let lock = Lock::after_export(None, &bank_with(&["b", "a"])).expect("a lock");
        let bytes = lock.to_bytes();
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(text.contains("\n    \"a\": \""), "{text}");
        assert!(text.find("\"a\"") < text.find("\"b\""), "sorted: {text}");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("q.pyq.lock");
        std::fs::write(&path, bytes).expect("write");
        assert_eq!(read(&path).expect("readable"), Some(lock));
    }

    #[test]
    fn a_broken_lock_names_its_line_and_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("q.pyq.lock");
        assert_eq!(read(&path).expect("no lock is fine"), None);
        std::fs::write(&path, "{\n  \"version\": 1,\n  \"deck_id\": x\n}\n").expect("write");
        let err = read(&path).expect_err("broken");
        assert!(
            matches!(
                err,
                Error::InvalidLock {
                    line: 3,
                    column: 14,
                    ..
                }
            ),
            "{err:?}"
        );
        std::fs::write(&path, "{\"version\": 2, \"deck_id\": 1, \"published\": {}}")
            .expect("write");
        assert!(matches!(read(&path), Err(Error::InvalidLock { .. })));
    }
}
