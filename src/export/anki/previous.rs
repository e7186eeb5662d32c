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
    /// The previous collection, unpacked or found in the cache (kept
    /// while `sources` is used).
    pub collection: Option<Collection>,
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
    collection: Option<Collection>,
    reused: super::package::Reused,
    cards: HashMap<i64, (i64, i64, i64, i64)>,
}

/// The previous package's collection as a database file: unpacked into a
/// scratch file (removed when dropped), or the cache's copy.
#[derive(Debug)]
pub enum Collection {
    Unpacked(tempfile::NamedTempFile),
    Cached(std::path::PathBuf),
}

impl Collection {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Unpacked(file) => file.path(),
            Self::Cached(path) => path,
        }
    }
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
        Ok(Unpacked::read(package, scratch_dir, None)?.into_previous(model_id, deck_id))
    }
}

impl Unpacked {
    /// What [`Unpacked::read`] would read from a cache entry's database
    /// (`db`), from what the cache noted beside it ([`Known`]);
    /// `None` if that cannot be read.
    fn from_known(
        known: &[u8],
        db: &std::path::Path,
        reused: &mut super::package::Reused,
    ) -> Option<Self> {
        let mut r = KnownReader(known.strip_prefix(KNOWN_MAGIC)?);
        let models = r.text()?.to_owned();
        let decks = r.text()?.to_owned();
        let count = usize::try_from(r.u64()?).ok()?;
        // At least 41 bytes each: no forged count makes pyq allocate much.
        let count = count.min(r.0.len() / 41);
        let (mut notes, mut sources) =
            (HashMap::with_capacity(count), HashMap::with_capacity(count));
        for _ in 0..count {
            let guid = r.text()?.to_owned();
            let (signature, m, id) = (r.u128()?, r.i64()?, r.i64()?);
            let source = match r.take(1)?[0] {
                0 => None,
                1 => Some((r.u128()?, None)),
                2 => Some((r.u128()?, Some(r.bytes()?.to_vec()))),
                _ => return None,
            };
            if let Some((key, facts)) = source {
                sources.insert(guid.clone(), (key, id, facts));
            }
            notes.insert(guid, (signature, m));
        }
        let count = usize::try_from(r.u64()?).ok()?;
        if r.0.len() != count.checked_mul(40)? {
            return None;
        }
        let mut cards = HashMap::with_capacity(count);
        for _ in 0..count {
            let (id, nid, did, m, due) = (r.i64()?, r.i64()?, r.i64()?, r.i64()?, r.i64()?);
            cards.insert(id, (nid, did, m, due));
        }
        let collection = (!sources.is_empty()).then(|| Collection::Cached(db.to_path_buf()));
        Some(Self {
            notes,
            models,
            decks,
            sources,
            collection,
            reused: std::mem::take(reused),
            cards,
        })
    }

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
        cache: Option<&super::cache::Cache>,
    ) -> Result<Option<Self>, String> {
        let pyqs = zip::ZipArchive::new(package).is_ok_and(|mut zip| {
            zip.by_name_raw(b"collection.anki2")
                .is_ok_and(|entry| super::package::chunk_table(&entry).is_some())
        });
        if pyqs {
            Self::read(package, scratch_dir, cache).map(Some)
        } else {
            Ok(None)
        }
    }

    /// [`Previous::read`], but for the note type and deck; with the
    /// collection from `cache` when it has it.
    pub fn read(
        package: &std::fs::File,
        scratch_dir: Option<&std::path::Path>,
        cache: Option<&super::cache::Cache>,
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
                cache,
            )?,
            _ => None,
        };
        let (reused, collection) = match reused {
            Some((mut reused, Some(hit))) => {
                // Not read again: the cache noted what this reads (if it
                // cannot be read, the database is, as below).
                if let Some(unpacked) = Self::from_known(&hit.known, &hit.db, &mut reused) {
                    return Ok(unpacked);
                }
                (reused, Collection::Cached(hit.db))
            }
            Some((reused, None)) => (reused, Collection::Unpacked(scratch)),
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
                (
                    super::package::Reused::default(),
                    Collection::Unpacked(scratch),
                )
            }
        };
        let open = || {
            Connection::open_with_flags(collection.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
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
        let collection = (!sources.is_empty()).then_some(collection);
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

/// What [`Unpacked::read`] reads of a collection pyq wrote (each note's
/// GUID, signature, `mod` and id, its source key row, each card, the note
/// types and decks), noted as the collection is built, so that the cache
/// can keep it beside the collection (see [`super::cache`]) and a
/// re-export need not read it back ([`Unpacked::from_known`]). What it
/// notes is what the rows written hold: a test reads both ways.
#[derive(Debug, Default)]
pub(crate) struct Known {
    notes: Vec<u8>,
    note_count: u64,
    cards: Vec<u8>,
    card_count: u64,
}

const KNOWN_MAGIC: &[u8; 8] = b"pyqknow1";

impl Known {
    /// A note row, and its source key row (`pyq_sources`: its key and
    /// sealed facts; none for a retired question's note).
    pub fn note(
        &mut self,
        guid: &str,
        signature: Signature,
        m: i64,
        id: i64,
        source: Option<(Signature, Option<&[u8]>)>,
    ) {
        let out = &mut self.notes;
        out.extend_from_slice(&(guid.len() as u64).to_le_bytes());
        out.extend_from_slice(guid.as_bytes());
        out.extend_from_slice(&signature.to_le_bytes());
        out.extend_from_slice(&m.to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
        match source {
            None => out.push(0),
            Some((key, None)) => {
                out.push(1);
                out.extend_from_slice(&key.to_le_bytes());
            }
            Some((key, Some(facts))) => {
                out.push(2);
                out.extend_from_slice(&key.to_le_bytes());
                out.extend_from_slice(&(facts.len() as u64).to_le_bytes());
                out.extend_from_slice(facts);
            }
        }
        self.note_count += 1;
    }

    /// A card row as pyq writes it: id, note id, deck id, `mod`, due.
    pub fn card(&mut self, row: [i64; 5]) {
        for v in row {
            self.cards.extend_from_slice(&v.to_le_bytes());
        }
        self.card_count += 1;
    }

    /// All of it, with the collection's note types and decks (JSON).
    pub fn finish(self, models: &str, decks: &str) -> Vec<u8> {
        let mut out = KNOWN_MAGIC.to_vec();
        for part in [models.as_bytes(), decks.as_bytes()] {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.note_count.to_le_bytes());
        out.extend_from_slice(&self.notes);
        out.extend_from_slice(&self.card_count.to_le_bytes());
        out.extend_from_slice(&self.cards);
        out
    }
}

/// Reads [`Known::finish`]'s bytes.
struct KnownReader<'b>(&'b [u8]);

impl<'b> KnownReader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'b [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }
    fn text(&mut self) -> Option<&'b str> {
        std::str::from_utf8(self.bytes()?).ok()
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
