//! The package file: a zip holding `collection.anki2` then `media` (`{}`:
//! no media), both deflated, with a fixed timestamp (1980-01-01, the zip
//! epoch) and permissions, so the same collection gives the same bytes.
//!
//! The collection is compressed in chunks, on every core, each chunk on its
//! own (a deflate stream restarted at each chunk's first byte, as
//! `pigz --independent` does; libdeflate's stream for the chunk, made
//! joinable by [`joinable`]): one valid deflate stream, which every zip
//! reader decompresses as usual. Chunks end where a page's hash says so
//! (content-defined, like rsync's), so an edit that moves later pages does
//! not move later chunk boundaries. The chunk table (each chunk's
//! compressed and uncompressed size) and the compressor's fingerprint are
//! kept in an extra field of the collection's central directory entry
//! ([`EXTRA_ID`]; zip readers skip extra fields they do not know). A
//! re-export reads them back ([`Reused::read`]) and copies the compressed
//! bytes of every chunk whose content is unchanged instead of compressing
//! it again: since a chunk's compressed bytes depend on its content alone,
//! the package is byte-identical to a full export's.
//!
//! The zip itself is written here, not by the `zip` crate, because no
//! writer takes an entry's data already compressed; it is small (two
//! entries, no Zip64, no data descriptors) and is read back by the `zip`
//! crate, Python's `zipfile` and Anki in the tests.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use crate::export::Content;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::joinable::{self, Invalid};

/// The collection's page size (set when it is created): chunks are whole
/// pages.
pub(crate) const PAGE: usize = 32768;

/// A chunk ends after a page whose hash has these bits clear (about one
/// page in 8), once it has [`MIN_PAGES`], and at [`MAX_PAGES`] at the
/// latest: about 300 KiB per chunk on average, 512 KiB at most. An edit
/// changes a few pages (its note's, its card's, its source key's and the
/// collection row's), and a re-export compresses again each chunk that
/// holds one: with chunks of 1.25 MiB that was most of a re-export's
/// compression work; these make the package 1% larger (measured on the
/// realistic 10,000-question bank) for 55% less of it.
const BOUNDARY_MASK: u64 = 7;
const MIN_PAGES: usize = 2;
const MAX_PAGES: usize = 16;

/// libdeflate's level. On the realistic 10,000-question bank's collection
/// (49.6 MB, chunks of 300 KiB), level 1 is 15.40 MB in about half the
/// time zlib-rs's level 3 takes for 14.90 MB (3.3% smaller); libdeflate's
/// level 3 is 14.80 MB but takes 1.5 times level 1's time. Making a
/// stream joinable ([`joinable`]) adds a fifth of level 1's time.
const LEVEL: i32 = 1;

/// The extra field's header id ("pq"), and the version of what it holds.
pub(crate) const EXTRA_ID: u16 = 0x7170;
const EXTRA_MAGIC: &[u8; 4] = b"pyq1";

/// The most chunks the extra field can list (its data is at most 65,535
/// bytes): about 2.4 GiB of collection. A larger one is written without the
/// table (and a re-export compresses all of it).
const MAX_TABLE_CHUNKS: usize = (u16::MAX as usize - 4 - EXTRA_MAGIC.len() - 16) / 8;

/// A page's content signature (XXH3-128): its low bits decide whether a
/// chunk ends after it ([`BOUNDARY_MASK`]).
fn page_hash(page: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(page)
}

/// A chunk's content signature: XXH3-128 of its pages' signatures, so
/// that [`split`] reads each page once and hashes it once.
fn chunk_hash(chunk: &[u8]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for page in chunk.chunks(PAGE) {
        h.update(&page_hash(page).to_le_bytes());
    }
    h.digest128()
}

/// A chunk's content signature and CRC-32.
type Sums = (u128, u32);

/// A chunk's compressed bytes, and the CRC-32 of its content.
type Piece = (Data, u32);

/// A chunk's compressed bytes: compressed by this export, or where they
/// are in the previous package (copied from there straight into the new
/// one when the zip is put together); or, once written to the package's
/// file ([`package`] with `stage_in`), only its length.
#[derive(Clone, Debug)]
enum Data {
    Fresh(Vec<u8>),
    Kept { at: u64, len: usize },
    Written(usize),
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Self::Fresh(bytes) => bytes.len(),
            Self::Kept { len, .. } | Self::Written(len) => *len,
        }
    }
}

/// A chunk of the collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Chunk {
    offset: u64,
    len: usize,
    /// Its content signature ([`chunk_hash`]).
    hash: u128,
}

/// What identifies the compressor's output: the same bytes in give the
/// same bytes out only with the same deflate implementation, level and
/// chunking. A probe compressed at start-up catches a changed
/// implementation (a dependency update), so a re-export never mixes two
/// compressors' chunks.
pub(crate) fn fingerprint() -> u128 {
    let probe = super::template::CSS.repeat(2);
    let compressed = deflate_chunk(probe.as_bytes());
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"libdeflate raw deflate made joinable per chunk, page-hash chunks 2");
    for n in [
        LEVEL as u64,
        PAGE as u64,
        BOUNDARY_MASK,
        MIN_PAGES as u64,
        MAX_PAGES as u64,
    ] {
        h.update(&n.to_le_bytes());
    }
    h.update(&compressed);
    h.digest128()
}

/// The chunk table a package pyq wrote keeps in its collection entry's
/// extra field ([`EXTRA_ID`]), if the entry has one.
pub(crate) fn chunk_table<R: Read>(entry: &zip::read::ZipFile<'_, R>) -> Option<Vec<u8>> {
    entry.extra_data_fields().find_map(|f| match f {
        zip::extra_fields::ExtraField::Custom(c) if c.header_id == EXTRA_ID => {
            Some(c.data.to_vec())
        }
        _ => None,
    })
}

/// The compressed chunks of a previous package that a re-export may copy:
/// by content signature, where they are in the previous package file.
#[derive(Debug, Default)]
pub struct Reused {
    file: Option<File>,
    /// By content signature: where the compressed chunk is, its length,
    /// and the CRC-32 of its content.
    chunks: HashMap<u128, (u64, usize, u32)>,
}

impl Reused {
    /// Reads `package`'s chunk table (when it has one, written by a pyq
    /// with this compressor) and decompresses its collection into `out`,
    /// chunk by chunk, remembering each chunk. `Ok(None)` when the package
    /// has no usable table: the caller decompresses it as any zip.
    ///
    /// With `cache`, a collection the cache holds for these compressed
    /// bytes is used instead, once its chunks are checked against their
    /// signatures: the entry comes back, and `out` is left empty.
    pub(crate) fn read(
        package: &File,
        data_start: u64,
        compressed_size: u64,
        extra: &[u8],
        out: &mut File,
        limit: u64,
        cache: Option<&super::cache::Cache>,
    ) -> Result<Option<(Self, Option<super::cache::Hit>)>, String> {
        let Some((print, sizes)) = parse_table(extra) else {
            return Ok(None);
        };
        // No chunk is larger than the writer makes them (so a forged table
        // cannot make pyq allocate much).
        let largest = (MAX_PAGES * PAGE) as u32;
        if sizes
            .iter()
            .any(|&(c, u)| u > largest || c > largest + largest / 8 + 1024)
        {
            return Ok(None);
        }
        let total_in: u64 = sizes.iter().map(|&(c, _)| u64::from(c)).sum();
        let total_out: u64 = sizes.iter().map(|&(_, u)| u64::from(u)).sum();
        // The final block (2 bytes) follows the chunks.
        if total_in + FINAL_BLOCK.len() as u64 != compressed_size || total_out > limit {
            return Ok(None);
        }
        let same_compressor = print == fingerprint();
        let file = package
            .try_clone()
            .map_err(|e| format!("it could not be read ({e})"))?;
        // Where each chunk is, compressed and unpacked.
        let mut places = Vec::with_capacity(sizes.len());
        let (mut at, mut to) = (data_start, 0u64);
        for &(clen, ulen) in &sizes {
            places.push((at, clen as usize, to, ulen as usize));
            at += u64::from(clen);
            to += u64::from(ulen);
        }
        // No key is computed (15 MB read and hashed at 10,000 questions)
        // when there is no cache folder to look in (a fresh clone).
        let cache = cache.filter(|c| same_compressor && c.has_folder());
        let hit = cache.and_then(|cache| {
            let key = super::cache::key(extra, total_in, |at, buf| {
                read_at(&file, data_start + at, buf)
            })
            .ok()?;
            let hit = cache.find(key, extra)?;
            if checked(&hit, &places) {
                Some(hit)
            } else {
                hit.remove();
                None
            }
        });
        if let Some(hit) = hit {
            let chunks = places
                .iter()
                .zip(&hit.sums)
                .map(|(place, &(_, crc, hash))| (hash, (place.0, place.1, crc)))
                .collect();
            let reused = Self {
                file: Some(file),
                chunks,
            };
            return Ok(Some((reused, Some(hit))));
        }
        // Unpacked on every core, each chunk written at its place.
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<Result<Sums, String>>>> =
            places.iter().map(|_| Mutex::new(None)).collect();
        let out: &File = out;
        std::thread::scope(|s| {
            for _ in 0..parallelism().min(places.len()) {
                s.spawn(|| {
                    let (mut compressed, mut plain) = (Vec::new(), Vec::new());
                    let mut inflater = Decompress::new(false);
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(at, clen, to, ulen)) = places.get(index) else {
                            break;
                        };
                        compressed.resize(clen, 0);
                        let result = read_at(&file, at, &mut compressed)
                            .map_err(|e| format!("it could not be read ({e})"))
                            .and_then(|()| {
                                if inflate_chunk(&mut inflater, &compressed, ulen, &mut plain) {
                                    write_at(out, to, &plain).map_err(|e| {
                                        format!("its collection could not be unpacked ({e})")
                                    })?;
                                    Ok((chunk_hash(&plain), crc32fast::hash(&plain)))
                                } else {
                                    Err(String::new())
                                }
                            });
                        if let Ok(mut r) = results[index].lock() {
                            *r = Some(result);
                        }
                    }
                });
            }
        });
        let mut chunks = HashMap::new();
        for (place, result) in places.iter().zip(results) {
            match result.into_inner().ok().flatten() {
                Some(Ok((hash, crc))) => {
                    if same_compressor {
                        chunks.insert(hash, (place.0, place.1, crc));
                    }
                }
                // A chunk that does not decompress as the table says: the
                // table is not used (the package is read as any zip).
                Some(Err(why)) if why.is_empty() => return Ok(None),
                Some(Err(why)) => return Err(why),
                None => return Ok(None),
            }
        }
        Ok(Some((
            Self {
                file: same_compressor.then_some(file),
                chunks,
            },
            None,
        )))
    }

    /// Where the compressed bytes of a chunk with this content are, with
    /// the CRC-32 of the content, if the previous package has one.
    fn get(&self, hash: u128) -> Option<Piece> {
        self.file.as_ref()?;
        let (at, len, crc) = *self.chunks.get(&hash)?;
        Some((Data::Kept { at, len }, crc))
    }

    /// `data`'s bytes into `out` (of its length).
    fn fill(&self, data: Data, out: &mut [u8]) -> std::io::Result<()> {
        match data {
            Data::Fresh(bytes) => {
                out.copy_from_slice(&bytes);
                Ok(())
            }
            Data::Kept { at, .. } => read_at(self.previous()?, at, out),
            Data::Written(_) => Err(std::io::Error::other("a piece written twice")),
        }
    }

    /// Copies `len` bytes at `from` in the previous package to `at` in
    /// `to`, through `buf`. (`copy_file_range` made a re-export slower here: 174 calls
    /// took 20 ms in the kernel, more than reading and writing.)
    fn copy(
        &self,
        from: u64,
        len: usize,
        to: &File,
        at: u64,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let previous = self.previous()?;
        buf.resize(len.min(1 << 20), 0);
        let mut done = 0;
        while done < len {
            let n = buf.len().min(len - done);
            read_at(previous, from + done as u64, &mut buf[..n])?;
            write_at(to, at + done as u64, &buf[..n])?;
            done += n;
        }
        Ok(())
    }

    fn previous(&self) -> std::io::Result<&File> {
        self.file
            .as_ref()
            .ok_or_else(|| std::io::Error::other("the previous package is closed"))
    }
}

/// The final, empty deflate block that ends the stream (fixed Huffman
/// codes, `BFINAL` set): what zlib writes to finish an empty stream.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// The package for the collection in `db` (its file, closed by SQLite),
/// and what was made beside it for the cache (none when the package has
/// no chunk table). Chunks found in `reused` are copied; the others are
/// compressed on every core, each as soon as [`split`] has found it.
///
/// With `stage_in` (the output folder), the package is written to a
/// temporary file there as its chunks are settled, so that writing it (and
/// the system flushing it to disk) overlaps the compression instead of
/// following it. Until a chunk is not where the previous package has it,
/// nothing is written: a package that comes out the same as the previous
/// one (nothing changed) is put together in memory, as without `stage_in`,
/// to be compared with it and left alone.
pub(crate) fn package(
    db: &Path,
    reused: &Reused,
    stage_in: Option<&Path>,
) -> Result<(Content, Option<Made>), String> {
    package_with(db, reused, joinable::pair, stage_in)
}

/// [`package`], put together in memory.
#[cfg(test)]
pub(crate) fn package_bytes(db: &Path, reused: &Reused) -> Result<Vec<u8>, String> {
    match package(db, reused, None)?.0 {
        Content::Bytes(bytes) => Ok(bytes),
        Content::Staged(_) => Err("the package was written to a file".to_owned()),
    }
}

/// [`package`], written as it is made in `dir`.
#[cfg(test)]
fn package_in(db: &Path, reused: &Reused, dir: &Path) -> Result<Content, String> {
    package(db, reused, Some(dir)).map(|(content, _)| content)
}

/// What was made beside a package, for the cache (see [`super::cache`]):
/// its collection's chunk table, what each chunk holds, and how many
/// compressed bytes the chunks take (from [`DATA_START`]).
pub(crate) struct Made {
    pub table: Vec<u8>,
    pub sums: Vec<super::cache::ChunkSums>,
    pub data: u64,
}

impl Made {
    /// The cache key of the package `content` ([`super::cache::key`]).
    pub(crate) fn key(&self, content: &Content) -> std::io::Result<u128> {
        super::cache::key(&self.table, self.data, |at, buf| match content {
            Content::Bytes(bytes) => {
                let start = usize::try_from(DATA_START + at).map_err(std::io::Error::other)?;
                let part = bytes
                    .get(start..start + buf.len())
                    .ok_or_else(|| std::io::Error::other("the package is shorter"))?;
                buf.copy_from_slice(part);
                Ok(())
            }
            Content::Staged(file) => read_at(file.as_file(), DATA_START + at, buf),
        })
    }

    /// [`Made::key`] of a package written to `file`.
    pub(crate) fn key_of_file(table: &[u8], data: u64, file: &File) -> std::io::Result<u128> {
        super::cache::key(table, data, |at, buf| read_at(file, DATA_START + at, buf))
    }
}

/// What makes two whole streams joinable ([`joinable::pair`]; the tests
/// give one that refuses, to see the fallback used).
type Join = fn(&mut Vec<u8>, &mut Vec<u8>) -> (Result<(), Invalid>, Result<(), Invalid>);

/// [`package`], with `join` making the compressed chunks joinable.
fn package_with(
    db: &Path,
    reused: &Reused,
    join: Join,
    stage_in: Option<&Path>,
) -> Result<(Content, Option<Made>), String> {
    let found = Found {
        state: Mutex::new((Vec::new(), false)),
        more: Condvar::new(),
    };
    let placer = Placer {
        reused,
        stage_in,
        state: Mutex::new(Placed {
            at: DATA_START,
            ..Placed::default()
        }),
        file: OnceLock::new(),
        unflushed: AtomicUsize::new(0),
    };
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<String>> = Mutex::new(None);
    let fail = |why: String| {
        if let Ok(mut f) = failed.lock() {
            f.get_or_insert(why);
        }
    };
    let split = std::thread::scope(|s| {
        for _ in 0..parallelism() {
            s.spawn(|| {
                if let Err(e) = compress(db, &found, &next, join, &placer) {
                    fail(e.to_string());
                    // Let `split` stop: no more chunks would be compressed.
                    found.finish();
                }
            });
        }
        let split = split(db, |chunk| found.push(chunk));
        found.finish();
        split
    });
    split.map_err(|e| format!("could not read the collection: {e}"))?;
    if let Some(why) = failed.into_inner().ok().flatten() {
        return Err(why);
    }
    let broken = || "a compression thread failed".to_owned();
    let chunks = found.state.into_inner().map_err(|_| broken())?.0;
    let placed = placer.state.into_inner().map_err(|_| broken())?;
    if placed.pieces.len() != chunks.len() || placed.pieces.iter().any(Option::is_none) {
        return Err(broken());
    }
    // The collection's CRC-32 (the zip header's), from its chunks'.
    let mut crc = crc32fast::Hasher::new();
    let mut sums = Vec::with_capacity(chunks.len());
    let pieces: Vec<Data> = placed
        .pieces
        .into_iter()
        .zip(&chunks)
        .map(|(piece, chunk)| {
            let (bytes, chunk_crc) = piece.unwrap_or((Data::Fresh(Vec::new()), 0));
            crc.combine(&crc32fast::Hasher::new_with_initial_len(
                chunk_crc,
                chunk.len as u64,
            ));
            sums.push((chunk.len as u32, chunk_crc, chunk.hash));
            bytes
        })
        .collect();
    let table = (chunks.len() <= MAX_TABLE_CHUNKS).then(|| {
        let mut t = Vec::with_capacity(4 + 16 + 8 * chunks.len());
        t.extend_from_slice(EXTRA_MAGIC);
        t.extend_from_slice(&fingerprint().to_le_bytes());
        for (c, p) in chunks.iter().zip(&pieces) {
            // Both fit: a chunk is at most 512 KiB, and compressed barely more.
            t.extend_from_slice(&(p.len() as u32).to_le_bytes());
            t.extend_from_slice(&(c.len as u32).to_le_bytes());
        }
        t
    });
    let data: usize = pieces.iter().map(Data::len).sum();
    let too_large = || {
        format!(
            "the package's {COLLECTION} would be larger than 4 GiB, more than a zip without Zip64 holds"
        )
    };
    let collection = Entry {
        name: COLLECTION,
        crc: crc.finalize(),
        compressed: u32::try_from(data + FINAL_BLOCK.len()).map_err(|_| too_large())?,
        size: u32::try_from(chunks.iter().map(|c| c.len as u64).sum::<u64>())
            .map_err(|_| too_large())?,
        offset: 0,
        extra: table.as_deref(),
    };
    let head = collection.local_header();
    let tail = tail(&collection)?;
    let made = table.clone().map(|table| Made {
        table,
        sums,
        data: data as u64,
    });
    match placer.file.into_inner() {
        Some(file) => {
            if placed.placed != chunks.len() {
                return Err(broken());
            }
            let written =
                |e: std::io::Error| format!("could not write {}: {e}", file.path().display());
            write_at(file.as_file(), DATA_START + data as u64, &tail).map_err(written)?;
            write_at(file.as_file(), 0, &head).map_err(written)?;
            Ok((Content::Staged(file), made))
        }
        None => {
            // Allocated zeroed at once, as pages the system zeroes when
            // they are first written (by the threads that fill them, see
            // [`fill`]), instead of grown and copied.
            let mut out = vec![0; head.len() + data + tail.len()];
            let (start, rest) = out.split_at_mut(head.len());
            start.copy_from_slice(&head);
            let (middle, end) = rest.split_at_mut(data);
            fill(middle, pieces, reused)?;
            end.copy_from_slice(&tail);
            Ok((Content::Bytes(out), made))
        }
    }
}

/// The collection's entry name, and where its compressed data starts in
/// the package: after its local header (30 bytes, then the name; no
/// extra field, the chunk table is in the central directory only).
const COLLECTION: &str = "collection.anki2";
const DATA_START: u64 = 30 + COLLECTION.len() as u64;

/// What follows the collection's compressed chunks in the package: the
/// stream's final block, the `media` entry (`{}`: no media), the central
/// directory and its end.
fn tail(collection: &Entry<'_>) -> Result<Vec<u8>, String> {
    let media = b"{}";
    let mut compressed = deflate_chunk(media);
    compressed.extend_from_slice(&FINAL_BLOCK);
    let media_at = DATA_START + u64::from(collection.compressed);
    let too_large = || "the package would be larger than 4 GiB".to_owned();
    let media = Entry {
        name: "media",
        crc: crc32fast::hash(media),
        compressed: compressed.len() as u32,
        size: media.len() as u32,
        offset: u32::try_from(media_at).map_err(|_| too_large())?,
        extra: None,
    };
    let mut out = FINAL_BLOCK.to_vec();
    out.extend_from_slice(&media.local_header());
    out.extend_from_slice(&compressed);
    let central_at = media_at + out.len() as u64 - FINAL_BLOCK.len() as u64;
    let central_at = u32::try_from(central_at).map_err(|_| too_large())?;
    let central_start = out.len();
    collection.central_record(&mut out);
    media.central_record(&mut out);
    let central_len = (out.len() - central_start) as u32;
    put32(&mut out, 0x0605_4b50);
    for v in [0, 0, 2, 2] {
        put16(&mut out, v);
    }
    put32(&mut out, central_len);
    put32(&mut out, central_at);
    put16(&mut out, 0);
    Ok(out)
}

/// The chunks' pieces as they are settled, and, for [`package`] with `stage_in`, the
/// package file they are written to as soon as each one's place is known
/// (every piece before it settled).
struct Placer<'a> {
    reused: &'a Reused,
    /// Where to write the package, if it is written as it is made.
    stage_in: Option<&'a Path>,
    state: Mutex<Placed>,
    /// The package file, once a piece differs from the previous package.
    file: OnceLock<tempfile::NamedTempFile>,
    /// Bytes written since the system was last asked to start writing the
    /// file to disk.
    unflushed: AtomicUsize,
}

#[derive(Default)]
struct Placed {
    /// Each chunk's piece (a written one's bytes are freed) and the CRC-32
    /// of its content.
    pieces: Vec<Option<Piece>>,
    /// How many pieces have their place, and where the next one goes.
    placed: usize,
    at: u64,
}

impl Placer<'_> {
    /// Settles chunk `i`'s piece, and writes those whose place is then
    /// known (kept ones copied through `buf`, the calling thread's).
    fn put(&self, i: usize, piece: Piece, buf: &mut Vec<u8>) -> std::io::Result<()> {
        let writes = {
            let mut placed = self
                .state
                .lock()
                .map_err(|_| std::io::Error::other("a compression thread failed"))?;
            if placed.pieces.len() <= i {
                placed.pieces.resize(i + 1, None);
            }
            placed.pieces[i] = Some(piece);
            self.place(&mut placed)?
        };
        let Some(file) = self.file.get() else {
            return Ok(());
        };
        let written = context(format!("could not write {}", file.path().display()));
        let mut wrote = 0;
        for (at, data) in writes {
            wrote += data.len();
            match data {
                Data::Fresh(bytes) => write_at(file.as_file(), at, &bytes).map_err(&written)?,
                Data::Kept { at: from, len } => self
                    .reused
                    .copy(from, len, file.as_file(), at, buf)
                    .map_err(context("could not read the previous package"))?,
                Data::Written(_) => return Err(std::io::Error::other("a piece written twice")),
            }
        }
        if self.unflushed.fetch_add(wrote, Ordering::Relaxed) + wrote >= WRITEBACK {
            self.unflushed.store(0, Ordering::Relaxed);
            start_writeback(file.as_file());
        }
        Ok(())
    }

    /// Gives each piece whose turn has come its place; returns what is to
    /// be written where: nothing while every piece is where the previous
    /// package has it, then (the file made) what came before, and every
    /// piece from there on.
    fn place(&self, placed: &mut Placed) -> std::io::Result<Vec<(u64, Data)>> {
        let mut writes = Vec::new();
        let Some(dir) = self.stage_in else {
            return Ok(writes);
        };
        let Placed {
            pieces,
            placed: next,
            at,
        } = placed;
        while let Some(Some((data, _))) = pieces.get_mut(*next) {
            let len = data.len();
            if self.file.get().is_none() {
                if matches!(data, Data::Kept { at: from, .. } if *from == *at) {
                    *next += 1;
                    *at += len as u64;
                    continue;
                }
                let file = crate::fs::temp_file_in(dir).map_err(context(format!(
                    "could not create a temporary file in {}",
                    dir.display()
                )))?;
                let _ = self.file.set(file);
                // The pieces before are where the previous package has
                // them, one after the other.
                if *at > DATA_START {
                    let len = (*at - DATA_START) as usize;
                    writes.push((
                        DATA_START,
                        Data::Kept {
                            at: DATA_START,
                            len,
                        },
                    ));
                }
            }
            writes.push((*at, std::mem::replace(data, Data::Written(len))));
            *next += 1;
            *at += len as u64;
        }
        Ok(writes)
    }
}

/// An I/O error said with what was being done: `what: the error`, of the
/// same kind.
fn context(what: impl std::fmt::Display) -> impl Fn(std::io::Error) -> std::io::Error {
    move |e| std::io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// How much of the package is written before the system is asked to
/// start writing it to disk ([`start_writeback`]).
const WRITEBACK: usize = 2 << 20;

/// Asks the system to start writing `file`'s written pages to disk, without
/// waiting: the package's final flush (before it is renamed into place)
/// then waits only for its last pages, instead of all of them, once the
/// package is made. Left to the final flush where there is no such call.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open file descriptor; offset 0 and
    // length 0 mean the whole file. Its failure only leaves the work to
    // the final flush.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File) {}

/// A zip entry's header fields (the package's are all deflated, dated
/// 1980-01-01 and `rw-r--r--`).
struct Entry<'a> {
    name: &'a str,
    crc: u32,
    compressed: u32,
    size: u32,
    /// Where its local header is.
    offset: u32,
    /// An extra field for its central directory record (the chunk table).
    extra: Option<&'a [u8]>,
}

impl Entry<'_> {
    /// Its local header, without extra field: the chunk table is written
    /// once, in the central directory (which is what readers go by), so
    /// that where the data starts does not depend on the number of chunks.
    fn local_header(&self) -> Vec<u8> {
        let mut head = Vec::with_capacity(30 + self.name.len());
        put32(&mut head, 0x0403_4b50);
        for v in [VERSION_NEEDED, 0, DEFLATED, DOS_TIME, DOS_DATE] {
            put16(&mut head, v);
        }
        for v in [self.crc, self.compressed, self.size] {
            put32(&mut head, v);
        }
        put16(&mut head, self.name.len() as u16);
        put16(&mut head, 0);
        head.extend_from_slice(self.name.as_bytes());
        head
    }

    fn central_record(&self, c: &mut Vec<u8>) {
        let extra_len = self.extra.map_or(0, |e| 4 + e.len());
        put32(c, 0x0201_4b50);
        for v in [
            VERSION_MADE_BY,
            VERSION_NEEDED,
            0,
            DEFLATED,
            DOS_TIME,
            DOS_DATE,
        ] {
            put16(c, v);
        }
        for v in [self.crc, self.compressed, self.size] {
            put32(c, v);
        }
        for v in [
            self.name.len() as u16,
            u16::try_from(extra_len).expect("the table fits an extra field"),
            0,
            0,
            0,
        ] {
            put16(c, v);
        }
        put32(c, EXTERNAL_ATTRIBUTES);
        put32(c, self.offset);
        c.extend_from_slice(self.name.as_bytes());
        if let Some(e) = self.extra {
            put16(c, EXTRA_ID);
            put16(c, e.len() as u16);
            c.extend_from_slice(e);
        }
    }
}

/// A chunk compressed whole: its index, the chunk, libdeflate's stream and
/// the CRC-32 of its content.
type Waiting = (usize, Chunk, Vec<u8>, u32);

/// One compression thread's work: takes the chunks [`split`] finds in
/// turn, and puts each one's piece at its place in `pieces`: kept from the
/// previous package, or compressed whole by libdeflate and made joinable
/// two at a time (or by zlib-rs if `join` refuses it).
fn compress(
    db: &Path,
    found: &Found,
    next: &AtomicUsize,
    join: Join,
    placer: &Placer<'_>,
) -> std::io::Result<()> {
    let read = context("could not read the collection");
    let file = File::open(db).map_err(&read)?;
    let (mut buf, mut deflater) = (Vec::new(), Deflater::new());
    // A compressed chunk's piece, or zlib-rs's if it could not be made
    // joinable (read again: it is not in `buf` any more).
    let settle = |(i, chunk, whole, crc): Waiting,
                  joined: Result<(), Invalid>,
                  deflater: &mut Deflater,
                  buf: &mut Vec<u8>| {
        let piece = match joined {
            Ok(()) => whole,
            Err(Invalid) => deflater.flushed_from(&file, chunk, buf).map_err(&read)?,
        };
        placer.put(i, (Data::Fresh(piece), crc), buf)
    };
    // A chunk made joinable on its own.
    let alone =
        |(i, chunk, mut whole, crc): Waiting, deflater: &mut Deflater, buf: &mut Vec<u8>| {
            let joined = join(&mut whole, &mut Vec::new()).0;
            settle((i, chunk, whole, crc), joined, deflater, buf)
        };
    // A chunk compressed whole, waiting for the next one to be made
    // joinable beside it ([`joinable::pair`]).
    let mut waiting: Option<Waiting> = None;
    while let Some((i, chunk)) = found.take(next.fetch_add(1, Ordering::Relaxed)) {
        if let Some(piece) = placer.reused.get(chunk.hash) {
            // A re-export: the next chunk this thread compresses may come
            // only at the end of the split, and every chunk after the
            // waiting one waits for it to be written.
            if let Some(other) = waiting.take() {
                alone(other, &mut deflater, &mut buf)?;
            }
            placer.put(i, piece, &mut buf)?;
            continue;
        }
        buf.resize(chunk.len, 0);
        read_at(&file, chunk.offset, &mut buf).map_err(&read)?;
        let mut this = (i, chunk, deflater.whole(&buf), crc32fast::hash(&buf));
        match waiting.take() {
            // Waits for a partner only if the next chunk is already found:
            // else it may come only at the end of the split (when the
            // other thread takes the chunks found meanwhile), and every
            // chunk after this one would wait for it to be written.
            None if found.ready(next.load(Ordering::Relaxed)) => waiting = Some(this),
            None => alone(this, &mut deflater, &mut buf)?,
            Some(mut other) => {
                let (other_joined, joined) = join(&mut other.2, &mut this.2);
                settle(other, other_joined, &mut deflater, &mut buf)?;
                settle(this, joined, &mut deflater, &mut buf)?;
            }
        }
    }
    if let Some(last) = waiting {
        alone(last, &mut deflater, &mut buf)?;
    }
    Ok(())
}

/// Cuts the collection into chunks (whole pages, cut where a page's hash
/// says), handing each to `found` as soon as it ends. Each page is read
/// and hashed once (its hash decides the cut, and the chunk's hash is made
/// of its pages'); the CRC-32 is left to the threads that take the chunks
/// (they read the chunks they compress; the previous package knows the
/// others'). The file is hashed in as many parts as there are cores: this
/// thread hashes the first, cutting as it goes (so compression starts at
/// once), and other threads hash the others meanwhile; where the cuts fall
/// is decided page after page, as if one thread had read the whole file.
fn split(db: &Path, mut found: impl FnMut(Chunk)) -> std::io::Result<()> {
    let file = File::open(db)?;
    let size = file.metadata()?.len();
    let pages = size.div_ceil(PAGE as u64);
    let parts = (parallelism() as u64).clamp(1, 8);
    let per = pages.div_ceil(parts).max(1);
    let mut cuts = Cuts::default();
    std::thread::scope(|s| {
        let file = &file;
        let others: Vec<_> = (1..parts)
            .map(|k| {
                let (from, to) = ((k * per).min(pages), ((k + 1) * per).min(pages));
                s.spawn(move || {
                    let mut hashes = Vec::with_capacity(usize::try_from(to - from).unwrap_or(0));
                    each_page(file, size, from, to, |hash, len| hashes.push((hash, len)))
                        .map(|()| hashes)
                })
            })
            .collect();
        each_page(file, size, 0, per.min(pages), |hash, len| {
            cuts.page(hash, len, &mut found);
        })?;
        for other in others {
            let hashes = other
                .join()
                .map_err(|_| std::io::Error::other("a hashing thread failed"))??;
            for (hash, len) in hashes {
                cuts.page(hash, len, &mut found);
            }
        }
        cuts.end(&mut found);
        Ok(())
    })
}

/// Where [`split`] is: the chunk being gathered (its offset, length,
/// pages, and the hash of its pages' hashes).
#[derive(Default)]
struct Cuts {
    offset: u64,
    len: usize,
    pages: usize,
    hash: xxhash_rust::xxh3::Xxh3Default,
}

impl Cuts {
    /// The next page: its hash and length (a whole page but the file's
    /// last, which ends its chunk).
    fn page(&mut self, page_hash: u128, n: usize, found: &mut impl FnMut(Chunk)) {
        self.hash.update(&page_hash.to_le_bytes());
        self.len += n;
        self.pages += 1;
        let cut = self.pages >= MAX_PAGES
            || (self.pages >= MIN_PAGES && (page_hash as u64) & BOUNDARY_MASK == 0);
        if cut || n < PAGE {
            self.end(found);
        }
    }

    /// Ends the chunk being gathered, if it has a page.
    fn end(&mut self, found: &mut impl FnMut(Chunk)) {
        if self.len == 0 {
            return;
        }
        found(Chunk {
            offset: self.offset,
            len: self.len,
            hash: self.hash.digest128(),
        });
        self.hash.reset();
        self.offset += self.len as u64;
        (self.len, self.pages) = (0, 0);
    }
}

/// Hashes pages `from..to` of `file` (of `size` bytes), in order, handing
/// each page's hash and length to `f`; read a megabyte at a time.
fn each_page(
    file: &File,
    size: u64,
    from: u64,
    to: u64,
    mut f: impl FnMut(u128, usize),
) -> std::io::Result<()> {
    const BLOCK: u64 = 32;
    let mut buf = vec![0; BLOCK as usize * PAGE];
    let mut page = from;
    while page < to {
        let at = page * PAGE as u64;
        let want = ((to - page).min(BLOCK) * PAGE as u64).min(size.saturating_sub(at));
        let block = &mut buf[..usize::try_from(want).unwrap_or(0)];
        read_at(file, at, block)?;
        for p in block.chunks(PAGE) {
            f(page_hash(p), p.len());
        }
        page += BLOCK;
    }
    Ok(())
}

/// The chunks [`split`] has found so far, and whether it is done: the
/// compression threads wait here for the next one.
struct Found {
    state: Mutex<(Vec<Chunk>, bool)>,
    more: Condvar,
}

impl Found {
    fn push(&self, chunk: Chunk) {
        if let Ok(mut state) = self.state.lock() {
            state.0.push(chunk);
        }
        self.more.notify_all();
    }

    fn finish(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
        }
        self.more.notify_all();
    }

    /// Whether [`Found::take`] of chunk `i` would return at once.
    fn ready(&self, i: usize) -> bool {
        self.state
            .lock()
            .is_ok_and(|state| state.1 || i < state.0.len())
    }

    /// Chunk `i` once it is found; `None` when there is none (split ended
    /// before it).
    fn take(&self, i: usize) -> Option<(usize, Chunk)> {
        let mut state = self.state.lock().ok()?;
        loop {
            if let Some(&chunk) = state.0.get(i) {
                return Some((i, chunk));
            }
            if state.1 {
                return None;
            }
            state = self.more.wait(state).ok()?;
        }
    }
}

/// How many threads to compress or decompress on.
fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

// Reads and writes at an offset, from several threads on one file at once.
// (On Windows these were a seek then a read or write on a clone of the file,
// whose position the clones share: two threads at once could read or write
// at each other's offset.)

#[cfg(unix)]
fn write_at(file: &File, offset: u64, buf: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(unix)]
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn write_at(file: &File, offset: u64, buf: &[u8]) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    all_at(
        buf.len(),
        offset,
        std::io::ErrorKind::WriteZero,
        |done, at| file.seek_write(&buf[done..], at),
    )
}

#[cfg(windows)]
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    all_at(
        buf.len(),
        offset,
        std::io::ErrorKind::UnexpectedEof,
        |done, at| file.seek_read(&mut buf[done..], at),
    )
}

/// Repeats `op`, a read or write at an offset that may do part of what it
/// is asked (given how much is done and the offset to go on from; returns
/// how many bytes it did), until `len` bytes are done; `short` is the error
/// when it does none.
#[cfg(any(windows, test))]
fn all_at(
    len: usize,
    offset: u64,
    short: std::io::ErrorKind,
    mut op: impl FnMut(usize, u64) -> std::io::Result<usize>,
) -> std::io::Result<()> {
    let mut done = 0;
    while done < len {
        match op(done, offset + done as u64) {
            Ok(0) => return Err(short.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `data` as a piece of raw deflate stream that starts afresh and ends
/// byte-aligned without ending the stream (as after a full flush): pieces
/// can be joined in any combination, then ended with [`FINAL_BLOCK`].
fn deflate_chunk(data: &[u8]) -> Vec<u8> {
    Deflater::new().chunk(data)
}

/// One compressor for many chunks (the same bytes as a fresh one for
/// each): libdeflate, whose whole stream for a chunk is then made
/// joinable ([`joinable`]); zlib-rs (level 3, full flush) for a chunk
/// whose stream could not be (never seen: it is there so that a surprise
/// in libdeflate's output costs time, not a broken package).
struct Deflater {
    libdeflate: libdeflater::Compressor,
    zlib: Compress,
    /// libdeflate's output, before it is copied to a piece of its size.
    out: Vec<u8>,
}

impl Deflater {
    fn new() -> Self {
        Self {
            libdeflate: libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(LEVEL).expect("a level libdeflate has"),
            ),
            zlib: Compress::new(Compression::new(3), false),
            out: Vec::new(),
        }
    }

    /// [`deflate_chunk`].
    fn chunk(&mut self, data: &[u8]) -> Vec<u8> {
        let mut whole = self.whole(data);
        match joinable::joinable(&mut whole) {
            Ok(()) => whole,
            Err(_) => self.flushed(data),
        }
    }

    /// `data` as a whole raw deflate stream, with room for what
    /// [`joinable`] adds.
    fn whole(&mut self, data: &[u8]) -> Vec<u8> {
        self.out
            .resize(self.libdeflate.deflate_compress_bound(data.len()), 0);
        // The output has the room libdeflate says the worst case needs.
        let n = self
            .libdeflate
            .deflate_compress(data, &mut self.out)
            .expect("room for the worst case");
        let mut whole = Vec::with_capacity(n + joinable::ADDED);
        whole.extend_from_slice(&self.out[..n]);
        whole
    }

    /// `data` compressed by zlib-rs, ending with a full flush.
    fn flushed(&mut self, data: &[u8]) -> Vec<u8> {
        let c = &mut self.zlib;
        c.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 1024);
        loop {
            let consumed = usize::try_from(c.total_in()).expect("a chunk fits in memory");
            // Compressing into a `Vec` cannot fail: the input is plain bytes
            // and the stream is never finished here.
            let _ = c.compress_vec(&data[consumed..], &mut out, FlushCompress::Full);
            let done = c.total_in() as usize == data.len();
            if done && out.len() < out.capacity() {
                return out;
            }
            out.reserve(out.capacity().max(4096));
        }
    }

    /// [`Deflater::flushed`] for `chunk`, read from `file` into `buf`.
    fn flushed_from(
        &mut self,
        file: &File,
        chunk: Chunk,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<Vec<u8>> {
        buf.resize(chunk.len, 0);
        read_at(file, chunk.offset, buf)?;
        Ok(self.flushed(buf))
    }
}

/// Decompresses one chunk (a piece of raw deflate stream) into `out` with
/// `d` (reset first, so one serves many chunks); false unless it is exactly
/// `expected` bytes and uses all of `compressed`.
fn inflate_chunk(
    d: &mut Decompress,
    compressed: &[u8],
    expected: usize,
    out: &mut Vec<u8>,
) -> bool {
    d.reset(false);
    out.clear();
    out.reserve(expected + 1);
    match d.decompress_vec(compressed, out, FlushDecompress::Sync) {
        Ok(Status::Ok | Status::BufError) => {}
        Ok(Status::StreamEnd) | Err(_) => return false,
    }
    out.len() == expected && d.total_in() as usize == compressed.len()
}

/// Whether a cached collection holds, chunk by chunk, what its sums say
/// (`places`: each chunk's place, compressed and unpacked): read and
/// hashed on every core.
fn checked(hit: &super::cache::Hit, places: &[(u64, usize, u64, usize)]) -> bool {
    let Ok(db) = File::open(&hit.db) else {
        return false;
    };
    let total: u64 = places.iter().map(|p| p.3 as u64).sum();
    if db.metadata().map(|m| m.len()).ok() != Some(total) || hit.sums.len() != places.len() {
        return false;
    }
    let next = AtomicUsize::new(0);
    let bad = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..parallelism().min(places.len()) {
            s.spawn(|| {
                let mut plain = Vec::new();
                while !bad.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(_, _, to, ulen)) = places.get(index) else {
                        break;
                    };
                    plain.resize(ulen, 0);
                    let same = read_at(&db, to, &mut plain).is_ok()
                        && chunk_hash(&plain) == hit.sums[index].2;
                    if !same {
                        bad.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    !bad.into_inner()
}

/// The uncompressed length of each chunk a chunk table lists.
pub(crate) fn table_lengths(extra: &[u8]) -> Option<Vec<u32>> {
    parse_table(extra).map(|(_, sizes)| sizes.into_iter().map(|(_, u)| u).collect())
}

/// A chunk table with this compressor's fingerprint and these
/// (compressed, uncompressed) sizes.
#[cfg(test)]
pub(crate) fn test_table(sizes: &[(u32, u32)]) -> Vec<u8> {
    let mut t = EXTRA_MAGIC.to_vec();
    t.extend_from_slice(&fingerprint().to_le_bytes());
    for &(c, u) in sizes {
        t.extend_from_slice(&c.to_le_bytes());
        t.extend_from_slice(&u.to_le_bytes());
    }
    t
}

/// Parses the extra field data of the collection's entry: the fingerprint
/// and each chunk's (compressed, uncompressed) size.
fn parse_table(extra: &[u8]) -> Option<(u128, Vec<(u32, u32)>)> {
    let rest = extra.strip_prefix(EXTRA_MAGIC)?;
    let (print, rest) = rest.split_at_checked(16)?;
    let print = u128::from_le_bytes(print.try_into().ok()?);
    if rest.is_empty() || rest.len() % 8 != 0 {
        return None;
    }
    let sizes = rest
        .chunks_exact(8)
        .map(|p| {
            (
                u32::from_le_bytes([p[0], p[1], p[2], p[3]]),
                u32::from_le_bytes([p[4], p[5], p[6], p[7]]),
            )
        })
        .collect();
    Some((print, sizes))
}

/// 1980-01-01 00:00 in MS-DOS form (the zip epoch).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;
/// Version 2.0 (deflate) made on Unix, so the permissions are read.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
const DEFLATED: u16 = 8;
/// A regular file, `rw-r--r--`.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;

/// Writes `pieces` one after the other into `out` (their length), on every
/// core: a kept piece is read from the previous package straight into its
/// place, a fresh one copied and freed at once (so the package is not in
/// memory twice).
fn fill(out: &mut [u8], pieces: Vec<Data>, reused: &Reused) -> Result<(), String> {
    let threads = parallelism().min(pieces.len() / 2).max(1);
    let mut jobs = Vec::with_capacity(pieces.len());
    let mut rest = out;
    for data in pieces {
        let (here, after) = std::mem::take(&mut rest).split_at_mut(data.len());
        jobs.push((data, here));
        rest = after;
    }
    let jobs = Mutex::new(jobs.into_iter());
    let failed: Mutex<Option<String>> = Mutex::new(None);
    let work = || {
        while let Some((data, out)) = jobs.lock().ok().and_then(|mut j| j.next()) {
            if let Err(e) = reused.fill(data, out) {
                if let Ok(mut f) = failed.lock() {
                    f.get_or_insert(format!("could not read the previous package: {e}"));
                }
                return;
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    match failed.into_inner() {
        Ok(None) => Ok(()),
        Ok(Some(why)) => Err(why),
        Err(_) => Err("a thread putting the package together failed".to_owned()),
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks_of(db: &Path) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        split(db, |c| chunks.push(c)).unwrap();
        chunks
    }

    /// [`split`] on one thread, page after page: what the parts hashed on
    /// several threads must come to.
    fn chunks_one_by_one(db: &Path) -> Vec<Chunk> {
        let data = std::fs::read(db).unwrap();
        let (mut chunks, mut cuts) = (Vec::new(), Cuts::default());
        for page in data.chunks(PAGE) {
            cuts.page(page_hash(page), page.len(), &mut |c| chunks.push(c));
        }
        cuts.end(&mut |c| chunks.push(c));
        chunks
    }

    #[test]
    fn the_parts_hashed_apart_cut_where_one_pass_does() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c");
        let data = pseudo_random_pages(203, 11);
        // Empty, one page, a short last page, sizes around the parts'
        // edges, and more pages than a block.
        for len in [
            0,
            1,
            PAGE,
            PAGE + 5,
            3 * PAGE,
            101 * PAGE + 77,
            102 * PAGE,
            203 * PAGE,
        ] {
            std::fs::write(&db, &data[..len]).unwrap();
            let chunks = chunks_of(&db);
            assert_eq!(chunks, chunks_one_by_one(&db), "{len} bytes");
            assert_eq!(chunks.iter().map(|c| c.len).sum::<usize>(), len);
            for pair in chunks.windows(2) {
                assert_eq!(pair[0].offset + pair[0].len as u64, pair[1].offset);
            }
            // The signature a previous package's chunk is found by.
            let file = &data[..len];
            for c in &chunks {
                let at = usize::try_from(c.offset).unwrap();
                assert_eq!(c.hash, chunk_hash(&file[at..at + c.len]));
            }
        }
    }

    fn pseudo_random_pages(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        let mut out = Vec::with_capacity(n * PAGE);
        for _ in 0..n * PAGE / 8 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Compressible: few distinct bytes.
            out.extend_from_slice(&(x & 0x0f0f_0f0f_0f0f_0f0f).to_le_bytes());
        }
        out
    }

    /// The collection a package holds, as the `zip` crate reads it.
    /// The package `join` makes of `db` with `reused`, put together in
    /// memory; written to a file as it is made ([`package_in`]) it must
    /// be the same bytes.
    fn packaged(db: &Path, reused: &Reused, join: Join) -> Vec<u8> {
        let Content::Bytes(bytes) = package_with(db, reused, join, None).unwrap().0 else {
            panic!("in memory");
        };
        let dir = tempfile::tempdir().unwrap();
        let staged = package_with(db, reused, join, Some(dir.path())).unwrap().0;
        assert!(
            staged.to_vec().unwrap() == bytes,
            "written as made, the same bytes"
        );
        drop(staged);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        bytes
    }

    fn collection_of(package: &[u8]) -> Vec<u8> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
        let mut collection = Vec::new();
        zip.by_name("collection.anki2")
            .unwrap()
            .read_to_end(&mut collection)
            .unwrap();
        collection
    }

    #[test]
    fn chunks_join_into_one_stream_any_zip_reader_reads() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c");
        let data = pseudo_random_pages(300, 7);
        std::fs::write(&db, &data).unwrap();
        let bytes = packaged(&db, &Reused::default(), joinable::pair);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut back = Vec::new();
        zip.by_name("collection.anki2")
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == data, "the collection comes back as it was");
        let mut media = String::new();
        zip.by_name("media")
            .unwrap()
            .read_to_string(&mut media)
            .unwrap();
        assert_eq!(media, "{}");
        assert_eq!(zip.len(), 2);
        // Several chunks, of whole pages, and the table lists them.
        let chunks = chunks_of(&db);
        assert!(chunks.len() > 3, "{}", chunks.len());
        assert!(
            chunks
                .iter()
                .all(|c| c.len % PAGE == 0 && c.len <= MAX_PAGES * PAGE)
        );
        let entry = zip.by_name_raw(b"collection.anki2").unwrap();
        let table = chunk_table(&entry).expect("the chunk table");
        let (print, sizes) = parse_table(&table).unwrap();
        assert_eq!(print, fingerprint());
        assert_eq!(sizes.len(), chunks.len());
        // The same input, the same bytes.
        assert_eq!(package_bytes(&db, &Reused::default()).unwrap(), bytes);
    }

    #[test]
    fn one_compressor_reset_per_chunk_gives_a_fresh_ones_bytes() {
        // Chunks of different sizes and content, in an order where a large
        // one comes before small ones (its window and tables are left over).
        let data = pseudo_random_pages(40, 7);
        let text = super::super::template::CSS.repeat(50);
        let chunks: Vec<&[u8]> = vec![
            &data[..16 * PAGE],
            text.as_bytes(),
            &data[3 * PAGE..4 * PAGE],
            b"",
            &text.as_bytes()[..1000],
            &data[..16 * PAGE],
        ];
        let (mut deflater, mut inflater) = (Deflater::new(), Decompress::new(false));
        let mut plain = Vec::new();
        for chunk in chunks {
            let piece = deflater.chunk(chunk);
            assert_eq!(piece, deflate_chunk(chunk));
            // libdeflate's, made joinable (not the fallback's), and the
            // fallback's pieces are joinable too.
            let mut whole = deflater.whole(chunk);
            joinable::joinable(&mut whole).expect("libdeflate's stream");
            assert_eq!(piece, whole);
            for piece in [piece, deflater.flushed(chunk)] {
                assert!(inflate_chunk(
                    &mut inflater,
                    &piece,
                    chunk.len(),
                    &mut plain
                ));
                assert_eq!(plain, chunk);
            }
        }
    }

    #[test]
    fn chunks_libdeflate_leaves_unjoinable_are_compressed_by_zlib() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c");
        // An odd number of chunks: pairs and one alone.
        let data = pseudo_random_pages(161, 3);
        std::fs::write(&db, &data).unwrap();
        let refuse: Join = |_, _| (Err(Invalid), Err(Invalid));
        let first_refused: Join = |a, b| {
            let (_, rb) = joinable::pair(a, b);
            (Err(Invalid), rb)
        };
        let bytes = packaged(&db, &Reused::default(), refuse);
        assert!(collection_of(&bytes) == data);
        assert_ne!(bytes, package_bytes(&db, &Reused::default()).unwrap());
        // Which chunk of a pair this one refuses depends on which chunks a
        // thread pairs, so only the content is compared.
        let dir = tempfile::tempdir().unwrap();
        for stage_in in [None, Some(dir.path())] {
            let bytes = package_with(&db, &Reused::default(), first_refused, stage_in)
                .unwrap()
                .0;
            assert!(collection_of(&bytes.to_vec().unwrap()) == data);
        }
    }

    #[test]
    fn reads_and_writes_at_an_offset_go_on_until_done() {
        // A file that takes at most 3 bytes at a time, and is interrupted once.
        let mut file = [0u8; 20];
        let mut interrupted = false;
        let data = b"0123456789";
        all_at(data.len(), 5, std::io::ErrorKind::WriteZero, |done, at| {
            if !interrupted && done == 3 {
                interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = (data.len() - done).min(3);
            file[at as usize..at as usize + n].copy_from_slice(&data[done..done + n]);
            Ok(n)
        })
        .unwrap();
        assert_eq!(&file[5..15], data);
        assert!(file[..5].iter().chain(&file[15..]).all(|&b| b == 0));
        // A file that ends: the error says so, and other errors are passed on.
        let end = all_at(10, 0, std::io::ErrorKind::UnexpectedEof, |done, _| {
            Ok(if done < 4 { 4 } else { 0 })
        });
        assert_eq!(end.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
        let denied = all_at(10, 0, std::io::ErrorKind::UnexpectedEof, |_, _| {
            Err(std::io::ErrorKind::PermissionDenied.into())
        });
        assert_eq!(
            denied.unwrap_err().kind(),
            std::io::ErrorKind::PermissionDenied
        );
        assert!(all_at(0, 0, std::io::ErrorKind::WriteZero, |_, _| Ok(0)).is_ok());
    }

    #[test]
    fn a_collection_that_cannot_be_read_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.anki2");
        let err = package_bytes(&missing, &Reused::default()).unwrap_err();
        assert!(err.starts_with("could not read the collection"), "{err}");
    }

    #[test]
    fn an_edit_moves_few_chunk_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let data = pseudo_random_pages(400, 11);
        std::fs::write(&a, &data).unwrap();
        // One page changed; two pages inserted further on (later pages move).
        let mut edited = data.clone();
        edited[50 * PAGE + 10] ^= 0xff;
        let extra = pseudo_random_pages(2, 99);
        edited.splice(200 * PAGE..200 * PAGE, extra);
        std::fs::write(&b, &edited).unwrap();
        let (ca, cb) = (chunks_of(&a), chunks_of(&b));
        let old: std::collections::HashSet<u128> = ca.iter().map(|c| c.hash).collect();
        let new = cb.iter().filter(|c| !old.contains(&c.hash)).count();
        assert!(new <= 4, "{new} of {} chunks changed", cb.len());
    }

    #[test]
    fn a_reexport_copies_unchanged_chunks_and_gives_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let data = pseudo_random_pages(300, 5);
        std::fs::write(&a, &data).unwrap();
        let first = package_bytes(&a, &Reused::default()).unwrap();
        let mut edited = data.clone();
        edited[120 * PAGE + 99] ^= 0x55;
        std::fs::write(&b, &edited).unwrap();
        let full = package_bytes(&b, &Reused::default()).unwrap();
        // Read the first package back as a re-export does.
        let prev_path = dir.path().join("prev.apkg");
        std::fs::write(&prev_path, &first).unwrap();
        let prev = File::open(&prev_path).unwrap();
        let mut zip = zip::ZipArchive::new(&prev).unwrap();
        let entry = zip.by_name_raw(b"collection.anki2").unwrap();
        let (start, size) = (entry.data_start().unwrap(), entry.compressed_size());
        let extra = chunk_table(&entry).unwrap();
        drop(entry);
        let mut unpacked = tempfile::tempfile().unwrap();
        let (reused, cached) =
            Reused::read(&prev, start, size, &extra, &mut unpacked, u64::MAX, None)
                .unwrap()
                .expect("a table");
        assert!(cached.is_none());
        let mut back = Vec::new();
        std::io::Seek::rewind(&mut unpacked).unwrap();
        unpacked.read_to_end(&mut back).unwrap();
        assert!(back == data);
        assert!(reused.chunks.len() > 3);
        let again = packaged(&b, &reused, joinable::pair);
        assert!(again == full, "byte-identical to a full export");
        // Written as it is made: the chunks before the edited one are where
        // the previous package has them, and are copied from it at once
        // when the edited one comes; the ones after it have moved.
        let staged = package_in(&b, &reused, dir.path()).unwrap();
        let Content::Staged(file) = &staged else {
            panic!("the package changed, so it is written as it is made");
        };
        assert!(file.path().parent() == Some(dir.path()));
        assert!(staged.to_vec().unwrap() == full);
        // Nothing changed: nothing is written, the bytes are the previous
        // package's.
        let unchanged = package_in(&a, &reused, dir.path()).unwrap();
        let Content::Bytes(unchanged) = unchanged else {
            panic!("an unchanged package is not written");
        };
        assert!(unchanged == first);
        // Kept chunks beside chunks compressed by the fallback still make
        // one stream.
        let refuse: Join = |_, _| (Err(Invalid), Err(Invalid));
        let mixed = packaged(&b, &reused, refuse);
        assert!(collection_of(&mixed) == edited);
        // A table that does not add up is not used.
        let mut wrong = extra.clone();
        wrong[EXTRA_MAGIC.len() + 16] ^= 1;
        let mut sink = tempfile::tempfile().unwrap();
        assert!(
            Reused::read(&prev, start, size, &wrong, &mut sink, u64::MAX, None)
                .unwrap()
                .is_none()
        );
    }
}
