//! A cache of the collections pyq packaged, so that a re-export reads its
//! previous package's collection from disk instead of decompressing it and
//! reading it back (see docs/limits.md).
//!
//! An entry is the collection's database, as it went into a package, and a
//! `.sums` file: what each chunk of the collection holds (its length,
//! CRC-32 and content signature), what a re-export reads of the database
//! ([`super::previous::Known`]), and a signature of the file. Entries are
//! named by the output package's path (their slot) and the signature of the
//! package's chunk table and compressed collection ([`key`]), so an entry
//! is used only for a package with those exact compressed bytes, wherever
//! it is; and the database is checked against its chunks' signatures before
//! it is used, so a damaged entry is removed, never used. An export that
//! adds to the cache first removes each slot's entries but the newest.
//!
//! The folder is `.pyq-cache` beside the bank (`PYQ_CACHE_DIR` names
//! another), made once an export is written, with a `.gitignore` that
//! ignores it and a `CACHEDIR.TAG`; it can be removed at any time. `pyq
//! export --no-cache` neither reads nor adds to it, and `--check` only
//! reads it.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The cache's folder name beside the bank.
pub const DIR_NAME: &str = ".pyq-cache";

/// How many entries a slot (an output package) keeps once a new export
/// starts: the newest, its previous package's (older ones serve only a
/// package put back, by `git checkout` say, and a collection is about 3
/// times its package).
const KEEP: usize = 1;

const SUMS_MAGIC: &[u8; 8] = b"pyqsums1";

/// What a `.sums` file holds for each chunk: its length, CRC-32 and
/// content signature.
pub(crate) type ChunkSums = (u32, u32, u128);

/// The cache an export reads and (unless it only checks) adds to.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// The output folder: an entry's slot is its package's path there.
    out: PathBuf,
    write: bool,
    /// Entries made by this export, stored by [`Cache::commit`] once the
    /// packages are in place.
    pending: Mutex<Vec<Pending>>,
    /// Removing the entries past each slot's [`KEEP`] newest, from the
    /// start of the export (removing a file of tens of megabytes is tens
    /// of milliseconds, mostly waiting for the disk).
    evicting: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// An entry made by this export, for [`Cache::commit`].
#[derive(Debug)]
pub(crate) enum Pending {
    /// A new entry: the package's name in the output folder, the
    /// signature of its compressed collection (being computed), its
    /// chunks' sums, what a re-export reads of its database, and the
    /// database.
    New {
        file_name: PathBuf,
        key: Key,
        sums: Vec<ChunkSums>,
        known: Vec<u8>,
        db: tempfile::NamedTempFile,
    },
    /// The entry the cache already has for the package (the same package
    /// as before): made the newest of its slot.
    Again(PathBuf),
}

/// A package's cache key: known, or being computed from its staged file
/// while the package is flushed to disk.
#[derive(Debug)]
pub(crate) enum Key {
    Known(u128),
    Computing(std::thread::JoinHandle<std::io::Result<u128>>),
}

/// A cache entry found for a previous package: its database, its chunks'
/// sums, and what a re-export reads of the database
/// ([`super::previous::Known`]).
#[derive(Debug)]
pub(crate) struct Hit {
    pub db: PathBuf,
    pub sums: Vec<ChunkSums>,
    pub known: Vec<u8>,
    sums_path: PathBuf,
}

impl Hit {
    /// Forgets a damaged entry.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.sums_path);
        let _ = std::fs::remove_file(&self.db);
    }
}

impl Cache {
    /// The cache for exporting `bank` into `out`: `PYQ_CACHE_DIR`, else
    /// `.pyq-cache` beside the bank; none for a bank read from stdin.
    /// `write`: whether this export adds entries (not `--check`); then the
    /// slots' old entries start being removed.
    pub fn for_bank(bank: &Path, out: &Path, write: bool) -> Option<Self> {
        let dir = match std::env::var_os("PYQ_CACHE_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ if bank == Path::new("-") => return None,
            _ => match bank.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.join(DIR_NAME),
                _ => PathBuf::from(DIR_NAME),
            },
        };
        let evicting = (write && dir.is_dir()).then(|| {
            let dir = dir.clone();
            std::thread::spawn(move || evict(&dir))
        });
        Some(Self {
            dir,
            out: out.to_path_buf(),
            write,
            pending: Mutex::new(Vec::new()),
            evicting: Mutex::new(evicting),
        })
    }

    /// Whether the cache's folder is there (else it has no entry).
    pub fn has_folder(&self) -> bool {
        self.dir.is_dir()
    }

    /// Whether this export adds to the cache (not `--check`).
    pub fn writes(&self) -> bool {
        self.write
    }

    /// The folder, if it is there and this export adds to it: where the
    /// export's scratch database goes, so that it is renamed into the
    /// cache (a scratch file of a killed run is removed an hour later).
    pub fn existing_dir(&self) -> Option<&Path> {
        (self.write && self.dir.is_dir()).then_some(self.dir.as_path())
    }

    /// The folder, made if missing (with its `.gitignore` and
    /// `CACHEDIR.TAG`), once an export is written; `None` if it cannot be
    /// made or this export adds nothing.
    fn made_dir(&self) -> Option<&Path> {
        if !self.write {
            return None;
        }
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir).ok()?;
            // Written once; a cache without them still works.
            let _ = std::fs::write(self.dir.join(".gitignore"), "# Made by pyq.\n*\n");
            let _ = std::fs::write(
                self.dir.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n\
                 # This folder is a cache made by pyq (pyq export); it can be removed.\n",
            );
        }
        Some(&self.dir)
    }

    /// The entry for a package whose compressed collection has signature
    /// `key` (made for any output package), if the cache has one whose
    /// chunks are those `table` lists.
    pub(crate) fn find(&self, key: u128, table: &[u8]) -> Option<Hit> {
        let sums_path = self.sums_path(key)?;
        let bytes = std::fs::read(&sums_path).ok()?;
        match parse_sums(&bytes, key, table) {
            Some((sums, known)) => Some(Hit {
                db: sums_path.with_extension("anki2"),
                sums,
                known: known.to_vec(),
                sums_path,
            }),
            None => {
                let _ = std::fs::remove_file(&sums_path);
                None
            }
        }
    }

    /// The `.sums` file of the entry for `key`, in whichever slot.
    fn sums_path(&self, key: u128) -> Option<PathBuf> {
        let suffix = format!("-{key:032x}.sums");
        Some(
            std::fs::read_dir(&self.dir)
                .ok()?
                .flatten()
                .find(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(&suffix)))?
                .path(),
        )
    }

    /// Keeps the entry of a package for [`Cache::commit`]: `db` is its
    /// database, removed at once (on a thread of its own) when the cache
    /// already has the entry.
    pub(crate) fn add(
        &self,
        file_name: PathBuf,
        key: Key,
        (sums, known): (Vec<ChunkSums>, Vec<u8>),
        db: tempfile::NamedTempFile,
    ) {
        let pending = match key {
            Key::Known(key) => match self.sums_path(key) {
                Some(there) => {
                    crate::memory::drop_aside(db);
                    Pending::Again(there)
                }
                None => Pending::New {
                    file_name,
                    key: Key::Known(key),
                    sums,
                    known,
                    db,
                },
            },
            key => Pending::New {
                file_name,
                key,
                sums,
                known,
                db,
            },
        };
        if let Ok(mut p) = self.pending.lock() {
            p.push(pending);
        }
    }

    /// Stores the entries of the packages this export wrote (or found
    /// already in place). A cache that cannot be written is skipped: it
    /// only saves time.
    pub fn commit(&self) {
        self.wait_for_eviction();
        let pending = self
            .pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        for entry in pending {
            let _ = self.store(entry);
        }
    }

    fn wait_for_eviction(&self) {
        let evicting = self.evicting.lock().ok().and_then(|mut e| e.take());
        if let Some(evicting) = evicting {
            let _ = evicting.join();
        }
    }

    fn store(&self, entry: Pending) -> Option<()> {
        let (file_name, key, sums, known, db) = match entry {
            Pending::Again(sums) => {
                touch(&sums);
                return Some(());
            }
            Pending::New {
                file_name,
                key,
                sums,
                known,
                db,
            } => (file_name, key, sums, known, db),
        };
        let key = match key {
            Key::Known(key) => key,
            Key::Computing(job) => job.join().ok()?.ok()?,
        };
        if let Some(there) = self.sums_path(key) {
            touch(&there);
            crate::memory::drop_aside(db);
            return Some(());
        }
        let dir = self.made_dir()?;
        let base = dir.join(self.entry_name(&file_name, key)?);
        // The database first: a `.sums` file is only there beside a whole
        // database (which is checked before use all the same). It is
        // renamed; one on another file system is not copied (hundreds of
        // megabytes for a large bank). That happens only when the folder
        // was not there yet (see `existing_dir`), to the first export of a
        // folder that did not exist either (its scratch database is in the
        // system's temporary folder) or into one on another file system.
        if let Err(e) = db.persist(base.with_extension("anki2")) {
            crate::memory::drop_aside(e.file);
            return None;
        }
        let mut tmp = crate::fs::temp_file_in(dir).ok()?;
        tmp.write_all(&sums_bytes(key, &sums, &known)).ok()?;
        tmp.persist(base.with_extension("sums")).ok()?;
        Some(())
    }

    /// `<slot>-<key>` (no extension).
    fn entry_name(&self, file_name: &Path, key: u128) -> Option<String> {
        Some(format!("{:016x}-{key:032x}", self.slot(file_name)?))
    }

    /// The output package's slot: a signature of its path.
    fn slot(&self, file_name: &Path) -> Option<u64> {
        let out = std::fs::canonicalize(&self.out).ok()?;
        let path = out.join(file_name);
        Some(xxhash_rust::xxh3::xxh3_64(
            path.as_os_str().as_encoded_bytes(),
        ))
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.wait_for_eviction();
    }
}

/// Makes an entry the newest of its slot.
fn touch(sums: &Path) {
    let _ = File::options()
        .append(true)
        .open(sums)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
}

/// Removes from the cache in `dir` each slot's entries but the [`KEEP`]
/// newest, and the scratch files of runs killed over an hour ago (a run
/// under way has its own).
fn evict(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut slots: std::collections::HashMap<String, Vec<(std::time::SystemTime, PathBuf)>> =
        std::collections::HashMap::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(modified) = e.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if crate::fs::is_temp_file_name(name) {
            if now
                .duration_since(modified)
                .is_ok_and(|age| age.as_secs() > 3600)
            {
                let _ = std::fs::remove_file(e.path());
            }
            continue;
        }
        if let Some((slot, _)) = name.strip_suffix(".sums").and_then(|n| n.split_once('-')) {
            slots
                .entry(slot.to_owned())
                .or_default()
                .push((modified, e.path()));
        }
    }
    for mut found in slots.into_values() {
        found.sort_by(|a, b| b.cmp(a));
        for (_, sums) in found.into_iter().skip(KEEP) {
            let _ = std::fs::remove_file(&sums);
            let _ = std::fs::remove_file(sums.with_extension("anki2"));
        }
    }
}

/// The signature of a package's compressed collection: its chunk table
/// (`table`, which names the compressor and each chunk's sizes) and the
/// `len` compressed bytes read by `read` (at offsets from 0).
pub(crate) fn key(
    table: &[u8],
    len: u64,
    mut read: impl FnMut(u64, &mut [u8]) -> std::io::Result<()>,
) -> std::io::Result<u128> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"pyq cache key 1");
    h.update(&(table.len() as u64).to_le_bytes());
    h.update(table);
    let mut buf = vec![0; 1 << 20];
    let mut at = 0;
    while at < len {
        let n = (len - at).min(buf.len() as u64) as usize;
        read(at, &mut buf[..n])?;
        h.update(&buf[..n]);
        at += n as u64;
    }
    Ok(h.digest128())
}

fn sums_bytes(key: u128, sums: &[ChunkSums], known: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 16 + 8 + sums.len() * 24 + 8 + known.len() + 16);
    out.extend_from_slice(SUMS_MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(sums.len() as u64).to_le_bytes());
    for &(len, crc, hash) in sums {
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&hash.to_le_bytes());
    }
    out.extend_from_slice(&(known.len() as u64).to_le_bytes());
    out.extend_from_slice(known);
    let check = xxhash_rust::xxh3::xxh3_128(&out);
    out.extend_from_slice(&check.to_le_bytes());
    out
}

/// A `.sums` file's chunks and what a re-export reads of the database, if
/// it is whole, is for `key` and lists the chunk lengths `table` lists.
fn parse_sums<'b>(bytes: &'b [u8], key: u128, table: &[u8]) -> Option<(Vec<ChunkSums>, &'b [u8])> {
    let (body, check) = bytes.split_at_checked(bytes.len().checked_sub(16)?)?;
    if xxhash_rust::xxh3::xxh3_128(body).to_le_bytes() != check {
        return None;
    }
    let rest = body.strip_prefix(SUMS_MAGIC)?;
    let (stored, rest) = rest.split_at_checked(16)?;
    if u128::from_le_bytes(stored.try_into().ok()?) != key {
        return None;
    }
    let (n, rest) = rest.split_at_checked(8)?;
    let n = usize::try_from(u64::from_le_bytes(n.try_into().ok()?)).ok()?;
    let (rest, known) = rest.split_at_checked(n.checked_mul(24)?)?;
    let (len, known) = known.split_at_checked(8)?;
    if usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()? != known.len() {
        return None;
    }
    let sums: Vec<ChunkSums> = rest
        .chunks_exact(24)
        .map(|c| {
            (
                u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                u128::from_le_bytes(c[8..24].try_into().expect("16 bytes")),
            )
        })
        .collect();
    let lengths = super::package::table_lengths(table)?;
    (lengths.len() == sums.len() && lengths.iter().zip(&sums).all(|(&u, s)| u == s.0))
        .then_some((sums, known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_read_back_only_whole_and_for_their_key() {
        let table = super::super::package::test_table(&[(10, 100), (20, 200)]);
        let sums = vec![(100, 7, 1u128), (200, 8, 2u128)];
        let bytes = sums_bytes(42, &sums, b"known");
        assert_eq!(
            parse_sums(&bytes, 42, &table),
            Some((sums.clone(), &b"known"[..]))
        );
        assert_eq!(parse_sums(&bytes, 43, &table), None);
        assert_eq!(parse_sums(&bytes[..bytes.len() - 1], 42, &table), None);
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert_eq!(parse_sums(&flipped, 42, &table), None);
        let other = super::super::package::test_table(&[(10, 100), (20, 201)]);
        assert_eq!(parse_sums(&bytes, 42, &other), None);
    }

    #[test]
    fn the_key_covers_the_table_and_every_byte() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let read = |d: &[u8]| {
            let d = d.to_vec();
            move |at: u64, out: &mut [u8]| {
                out.copy_from_slice(&d[at as usize..at as usize + out.len()]);
                Ok(())
            }
        };
        let k = key(b"t", data.len() as u64, read(&data)).unwrap();
        assert_eq!(k, key(b"t", data.len() as u64, read(&data)).unwrap());
        assert_ne!(k, key(b"u", data.len() as u64, read(&data)).unwrap());
        let mut changed = data.clone();
        changed[2_500_000] ^= 1;
        assert_ne!(k, key(b"t", data.len() as u64, read(&changed)).unwrap());
    }

    /// Adds an entry of `key` for the package `name` to `cache`.
    fn add(cache: &Cache, name: &str, key: u128) {
        let mut db = tempfile::NamedTempFile::new().unwrap();
        db.write_all(b"abc").unwrap();
        cache.add(
            PathBuf::from(name),
            Key::Known(key),
            (vec![(3, 0, 9)], b"known".to_vec()),
            db,
        );
        cache.commit();
        // Distinct modification times.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    #[test]
    fn a_slot_keeps_its_newest_entry() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let bank = dir.path().join("bank.yaml");
        let table = super::super::package::test_table(&[(1, 3)]);
        let cache = Cache::for_bank(&bank, &out, true).unwrap();
        let scratch = dir.path().join(DIR_NAME);
        for key in [1u128, 2, 3] {
            add(&cache, "deck.apkg", key);
        }
        add(&cache, "other.apkg", 4);
        // The same package again: its entry is kept, not made twice.
        add(&cache, "other.apkg", 4);
        assert!(scratch.join(".gitignore").is_file());
        assert!(scratch.join("CACHEDIR.TAG").is_file());
        let hit = cache.find(3, &table).unwrap();
        assert_eq!(std::fs::read(&hit.db).unwrap(), b"abc");
        assert_eq!(hit.known, b"known");
        drop(cache);
        // The next export removes each slot's entries but the newest.
        let cache = Cache::for_bank(&bank, &out, true).unwrap();
        cache.commit();
        for key in [1, 2] {
            assert!(cache.find(key, &table).is_none(), "{key}");
        }
        for key in [3, 4] {
            assert!(cache.find(key, &table).is_some(), "{key}");
        }
        // No scratch file is left.
        let names: Vec<String> = std::fs::read_dir(&scratch)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2 + 4, "{names:?}");
        // `--check` only reads.
        let check = Cache::for_bank(&bank, &out, false).unwrap();
        assert!(check.made_dir().is_none());
        assert!(check.find(3, &table).is_some());
    }

    #[test]
    fn check_only_reads() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::for_bank(&dir.path().join("b.yaml"), dir.path(), false).unwrap();
        assert!(!cache.writes());
        add(&cache, "deck.apkg", 1);
        assert!(!dir.path().join(DIR_NAME).exists());
    }
}
