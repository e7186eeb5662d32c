//! Reads the previous `.apkg` in the output folder, for the modification
//! times of unchanged notes, note type and deck (see docs/formats.md).

use std::collections::HashMap;

use rusqlite::{Connection, OpenFlags};

use super::Signature;

/// The most the previous package's collection may unpack to. A collection
/// is about 6 times its bank (questions.yaml: 129 KB, collection.anki2:
/// 754 KB), so a 512 MiB bank (the loader's limit) makes about 3 GiB; past
/// this the package is refused instead of filling the disk.
pub const MAX_COLLECTION_BYTES: u64 = 8 << 30;

/// What a previous export held: each note's content and `mod` by GUID, and
/// the note type's and deck's signatures and `mod`s; and, for a re-export,
/// each note's source key (see [`super::SourceKeys::key`]) by GUID, with the
/// unpacked collection the unchanged notes are copied from.
#[derive(Debug, Default)]
pub struct Previous {
    pub notes: HashMap<String, (Signature, i64)>,
    pub model: Option<(Signature, i64)>,
    pub deck: Option<(Signature, i64)>,
    /// Source keys of the notes whose stored fields and tags are still what
    /// pyq wrote (their signature matches the one written beside the key).
    /// With each, the note's id (a note is copied only if it is the id pyq
    /// derives).
    /// And the Markdown facts kept with it (sealed; see
    /// [`super::seal_facts`]), when the package has them.
    pub sources: HashMap<String, (Signature, i64, Option<Vec<u8>>)>,
    /// The previous collection, unpacked (kept while `sources` is used).
    pub collection: Option<tempfile::NamedTempFile>,
    /// The previous package's compressed chunks, for the new package to
    /// copy where its collection has the same bytes.
    pub reused: super::package::Reused,
    /// Its cards as pyq writes them, by card id: note id, deck id, `mod`
    /// and due position (the other columns hold pyq's constants; cards that
    /// do not are left out).
    pub cards: HashMap<i64, (i64, i64, i64, i64)>,
}

/// What [`Previous`] holds before the bank is known (the note type and
/// deck are found in it by the bank's ids): [`Unpacked::read`] needs only
/// the package, so a re-export can start it while the bank loads (see
/// [`super::Anki`]'s read-ahead).
#[derive(Debug)]
pub struct Unpacked {
    notes: HashMap<String, (Signature, i64)>,
    /// The collection's `models` and `decks` (JSON).
    models: String,
    decks: String,
    sources: HashMap<String, (Signature, i64, Option<Vec<u8>>)>,
    collection: Option<tempfile::NamedTempFile>,
    reused: super::package::Reused,
    cards: HashMap<i64, (i64, i64, i64, i64)>,
}

impl Previous {
    /// Parses a package written by pyq (the legacy layout: a zip with
    /// `collection.anki2`). Errors say what is wrong with it.
    pub fn read(
        package: &std::fs::File,
        model_id: i64,
        deck_id: i64,
        scratch_dir: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        Ok(Unpacked::read(package, scratch_dir)?.into_previous(model_id, deck_id))
    }
}

impl Unpacked {
    /// The note type and deck of these ids, with the rest.
    pub fn into_previous(self, model_id: i64, deck_id: i64) -> Previous {
        let model = object(&self.models, model_id)
            .map(|m| (super::model_signature(&m), m["mod"].as_i64().unwrap_or(0)));
        let deck = object(&self.decks, deck_id)
            .map(|d| (super::deck_signature(&d), d["mod"].as_i64().unwrap_or(0)));
        Previous {
            notes: self.notes,
            model,
            deck,
            sources: self.sources,
            collection: self.collection,
            reused: self.reused,
            cards: self.cards,
        }
    }

    /// [`Unpacked::read`] if `package` is a package pyq wrote (its
    /// collection lists its compressed chunks); `Ok(None)` if it is not.
    pub fn read_if_pyqs(
        package: &std::fs::File,
        scratch_dir: Option<&std::path::Path>,
    ) -> Result<Option<Self>, String> {
        let pyqs = zip::ZipArchive::new(package).is_ok_and(|mut zip| {
            zip.by_name_raw(b"collection.anki2")
                .is_ok_and(|entry| super::package::chunk_table(&entry).is_some())
        });
        if pyqs {
            Self::read(package, scratch_dir).map(Some)
        } else {
            Ok(None)
        }
    }

    /// [`Previous::read`], but for the note type and deck.
    pub fn read(
        package: &std::fs::File,
        scratch_dir: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        let mut zip = zip::ZipArchive::new(package)
            .map_err(|e| format!("it is not a readable zip file ({e})"))?;
        let missing = |_| "it has no `collection.anki2` (not a package pyq wrote)".to_owned();
        // Unpacked to a scratch file, not memory: a large deck's collection is
        // larger than its bank.
        let mut scratch = super::scratch_file(scratch_dir).map_err(|e| e.to_string())?;
        // A package pyq wrote lists its compressed chunks: they are
        // unpacked one by one, and remembered for the new package.
        let (start, size, table) = {
            let entry = zip.by_name_raw(b"collection.anki2").map_err(missing)?;
            let table = super::package::chunk_table(&entry);
            let deflated = entry.compression() == zip::CompressionMethod::Deflated;
            (
                entry.data_start(),
                entry.compressed_size(),
                table.filter(|_| deflated),
            )
        };
        let reused = match (start, table) {
            (Some(start), Some(table)) => super::package::Reused::read(
                package,
                start,
                size,
                &table,
                scratch.as_file_mut(),
                MAX_COLLECTION_BYTES,
            )?,
            _ => None,
        };
        let reused = match reused {
            Some(reused) => reused,
            None => {
                // Any other package: decompressed as a whole.
                scratch
                    .as_file()
                    .set_len(0)
                    .and_then(|()| std::io::Seek::rewind(scratch.as_file_mut()))
                    .map_err(|e| format!("its collection could not be unpacked ({e})"))?;
                let mut entry = zip.by_name("collection.anki2").map_err(missing)?;
                let copied = std::io::copy(
                    &mut std::io::Read::take(&mut entry, MAX_COLLECTION_BYTES + 1),
                    &mut scratch.as_file(),
                )
                .map_err(|e| format!("its collection could not be decompressed ({e})"))?;
                if copied == 0 {
                    return Err("its collection is empty".to_owned());
                }
                if copied > MAX_COLLECTION_BYTES {
                    return Err(format!(
                        "its collection unpacks to more than {} GiB, far more than any bank pyq reads could make (a zip bomb?)",
                        MAX_COLLECTION_BYTES >> 30
                    ));
                }
                super::package::Reused::default()
            }
        };
        let open = || {
            Connection::open_with_flags(scratch.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| format!("its collection is not a SQLite database ({e})"))
        };
        let conn = open()?;
        let fail = |e: rusqlite::Error| format!("its collection could not be read ({e})");
        // Each note's signature needs its fields, most of the collection:
        // read in two halves of the ids, on two connections and threads.
        let (low, high): (Option<i64>, Option<i64>) = conn
            .query_row("select min(id), max(id) from notes", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(fail)?;
        let middle = match (low, high) {
            (Some(low), Some(high)) => low + (high - low) / 2,
            _ => 0,
        };
        type Notes = (HashMap<String, (Signature, i64)>, HashMap<String, i64>);
        let read_notes = |conn: &Connection, upper: bool| -> Result<Notes, String> {
            let mut stmt = conn
                .prepare(if upper {
                    "select guid, flds, tags, mod, id from notes where id > ?1"
                } else {
                    "select guid, flds, tags, mod, id from notes where id <= ?1"
                })
                .map_err(fail)?;
            let mut rows = stmt.query([middle]).map_err(fail)?;
            let (mut notes, mut ids) = (HashMap::new(), HashMap::new());
            while let Some(r) = rows.next().map_err(fail)? {
                let text = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?));
                let guid = text(0).map_err(fail)?.to_owned();
                let signature =
                    super::note_signature(text(1).map_err(fail)?, text(2).map_err(fail)?);
                let (m, id) = (
                    r.get::<_, i64>(3).map_err(fail)?,
                    r.get::<_, i64>(4).map_err(fail)?,
                );
                ids.insert(guid.clone(), id);
                notes.insert(guid, (signature, m));
            }
            Ok((notes, ids))
        };
        let (lower, upper) = std::thread::scope(|s| {
            let upper = s.spawn(|| read_notes(&open()?, true));
            (
                read_notes(&conn, false),
                upper.join().expect("reading notes does not panic"),
            )
        });
        let ((mut notes, mut ids), (more_notes, more_ids)) = (lower?, upper?);
        notes.extend(more_notes);
        ids.extend(more_ids);
        let (models, decks): (String, String) = conn
            .query_row("select models, decks from col", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(fail)?;
        // Packages from before re-exports, or from elsewhere, have no keys:
        // every note is rendered.
        let mut sources = HashMap::new();
        let has_keys: bool = conn
            .query_row(
                "select count(*) from sqlite_master where type = 'table' and name = ?1",
                [super::SOURCES_TABLE],
                |r| r.get::<_, i64>(0),
            )
            .map_err(fail)?
            > 0;
        if has_keys {
            // Packages from before the facts were kept have no `facts`.
            let has_facts: bool = conn
                .query_row(
                    &format!(
                        "select count(*) from pragma_table_info('{}') where name = 'facts'",
                        super::SOURCES_TABLE
                    ),
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(fail)?
                > 0;
            let mut stmt = conn
                .prepare(&format!(
                    "select guid, source, fields, {} from {}",
                    if has_facts { "facts" } else { "NULL" },
                    super::SOURCES_TABLE
                ))
                .map_err(fail)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        // Facts that are not a blob are not pyq's: parsed again.
                        r.get::<_, Option<Vec<u8>>>(3).unwrap_or(None),
                    ))
                })
                .map_err(fail)?;
            for row in rows {
                let (guid, source, fields, facts) = row.map_err(fail)?;
                let (Some(source), Some(fields)) = (key(&source), key(&fields)) else {
                    continue;
                };
                // A note edited after pyq wrote it is rendered again.
                if notes.get(&guid).is_some_and(|(sig, _)| *sig == fields) {
                    let id = ids[&guid];
                    sources.insert(guid, (source, id, facts));
                }
            }
        }
        // The cards, for a re-export to copy those of the notes it copies.
        let mut cards = HashMap::new();
        if !sources.is_empty() {
            let mut stmt = conn.prepare(PYQ_CARDS).map_err(fail)?;
            let mut rows = stmt.query([]).map_err(fail)?;
            while let Some(r) = rows.next().map_err(fail)? {
                let int = |i: usize| r.get::<_, i64>(i).ok();
                if let (Some(id), Some(nid), Some(did), Some(m), Some(due)) =
                    (int(0), int(1), int(2), int(3), int(4))
                {
                    cards.insert(id, (nid, did, m, due));
                }
            }
        }
        drop(conn);
        let collection = (!sources.is_empty()).then_some(scratch);
        Ok(Self {
            notes,
            models,
            decks,
            sources,
            collection,
            reused,
            cards,
        })
    }
}

/// The cards whose columns other than these are the constants pyq writes
/// (see `INSERT_CARD` in `collection`).
const PYQ_CARDS: &str = "select id, nid, did, mod, due from cards where ord = 0 and usn = -1 and type = 0 and queue = 0 and ivl = 0 and factor = 0 and reps = 0 and lapses = 0 and left = 0 and odue = 0 and odid = 0 and flags = 0 and data = ''";

/// A stored signature (16 bytes, little-endian).
fn key(bytes: &[u8]) -> Option<Signature> {
    Some(Signature::from_le_bytes(bytes.try_into().ok()?))
}

fn object(json: &str, id: i64) -> Option<serde_json::Value> {
    let map: serde_json::Value = serde_json::from_str(json).ok()?;
    map.get(id.to_string()).cloned()
}
