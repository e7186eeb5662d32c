//! `pyq.lock`, beside the bank: every question id that has ever been
//! published in an export, with its Anki note GUID, and the deck id the
//! GUIDs derive from. `pyq export` adds to it and never removes an entry;
//! `pyq lint` uses it to catch a published question that vanished (rule
//! `published-id-removed`) or a changed deck id (`published-deck-changed`).
//!
//! The file is JSON, one id per line in sorted order, so it diffs well and
//! two exports of the same bank write the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::Bank;

pub const FILE_NAME: &str = "pyq.lock";

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

/// Where the lock of the bank at `bank` lives: beside it.
pub fn path_for(bank: &Path) -> PathBuf {
    match bank.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(FILE_NAME),
        _ => PathBuf::from(FILE_NAME),
    }
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

    fn bank(ids: &[&str]) -> Bank<'static> {
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
        let first = Lock::after_export(None, &bank(&["a", "b"])).expect("a lock");
        assert_eq!(first.published.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(first.published["a"], crate::identity::guid(11, "a"));
        let second = Lock::after_export(Some(&first), &bank(&["b", "c"])).expect("a lock");
        assert_eq!(second.published.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn round_trips_and_is_one_id_per_line() {
        let lock = Lock::after_export(None, &bank(&["b", "a"])).expect("a lock");
        let bytes = lock.to_bytes();
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(text.contains("\n    \"a\": \""), "{text}");
        assert!(text.find("\"a\"") < text.find("\"b\""), "sorted: {text}");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, bytes).expect("write");
        assert_eq!(read(&path).expect("readable"), Some(lock));
    }

    #[test]
    fn a_broken_lock_names_its_line_and_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
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
