//! `pyq export --format anki`: an Anki package in the legacy layout
//! (`collection.anki2`, schema 11, plus a `media` map) that Anki desktop,
//! AnkiDroid and AnkiMobile import, written with rusqlite and zip.
//!
//! Identity and updates (docs/formats.md, "Anki"):
//! - GUIDs, note ids and card ids derive from the deck id and question id
//!   only ([`crate::identity`]); deck and note type ids come from the bank;
//! - a note keeps the `mod` it had in the previous package in the output
//!   folder when its fields and tags are unchanged; a changed or new note
//!   gets the export's stamp (`SOURCE_DATE_EPOCH`, else now), and never less
//!   than its old `mod` + 1, so Anki's "update if newer" takes it;
//! - the note type and deck follow the same rule, so template and CSS changes
//!   reach learners and nothing else churns;
//! - the zip has fixed timestamps and entry order: the same bank and the same
//!   previous package give byte-identical output;
//! - re-exports render only what changed: each note's source key (a
//!   signature of everything its fields and tags are made from, see
//!   [`SourceKeys::key`]) is stored in the package (table `pyq_sources`, which
//!   Anki ignores), and a note whose key, note type and stored fields are
//!   unchanged is copied from the previous package instead of rendered. The
//!   output is the same bytes a full render gives.

pub mod cache;
mod collection;
mod joinable;
mod package;
mod previous;
pub mod template;

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::Error;
use crate::export::{Content, Context, Exporter, Sink, deck_name, slug};
use crate::model::{Bank, Spanned};
use crate::render::Card;

pub use previous::Previous;

/// The Anki exporter.
#[derive(Default)]
pub struct Anki {
    ahead: ReadAhead,
}

/// The previous package being read ahead ([`Exporter::read_ahead`]): which
/// file (device and inode) and the thread unpacking it. Dropping it waits
/// for the thread, which removes its scratch file.
#[derive(Default)]
struct ReadAhead(std::sync::Mutex<Option<Ahead>>);

struct Ahead {
    file: (u64, u64),
    unpacking: std::thread::JoinHandle<Result<Option<previous::Unpacked>, String>>,
}

impl ReadAhead {
    /// What was read ahead, if it was read from `file`.
    fn take_for(&self, file: &std::fs::File) -> Option<Result<Option<previous::Unpacked>, String>> {
        let ahead = self.0.lock().ok()?.take()?;
        let same = identity(file).is_some_and(|id| id == ahead.file);
        // Another file: what was read is thrown away (with its scratch file).
        let read = ahead.unpacking.join().ok()?;
        same.then_some(read)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        if let Some(ahead) = self.0.get_mut().ok().and_then(Option::take) {
            let _ = ahead.unpacking.join();
        }
    }
}

/// A file's device and inode: the same file, whatever path it is opened by.
fn identity(file: &std::fs::File) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        file.metadata().ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

impl Exporter for Anki {
    /// The package's name comes from the deck's name, not known before the
    /// bank is loaded: the folder's only `.apkg` is read ahead when it is a
    /// package pyq wrote (it lists its compressed chunks); if the bank's
    /// package turns out to be another file, that work is thrown away.
    fn read_ahead(
        &self,
        dir: &std::path::Path,
        scratch_dir: Option<&std::path::Path>,
        cache: Option<&std::sync::Arc<cache::Cache>>,
    ) {
        let Some(path) = only_package_in(dir) else {
            return;
        };
        let Ok(file) = std::fs::File::open(&path) else {
            return;
        };
        let Some(id) = identity(&file) else {
            return;
        };
        let scratch_dir = scratch_dir.map(std::path::Path::to_path_buf);
        let cache = cache.cloned();
        let unpacking = std::thread::spawn(move || {
            previous::Unpacked::read_if_pyqs(&file, scratch_dir.as_deref(), cache.as_deref())
        });
        if let Ok(mut ahead) = self.ahead.0.lock() {
            *ahead = Some(Ahead {
                file: id,
                unpacking,
            });
        }
    }

    fn name(&self) -> &'static str {
        "anki"
    }

    fn file_name(&self, bank: &Bank<'_>) -> PathBuf {
        let name = bank
            .deck
            .as_ref()
            .and_then(|d| d.name.as_ref())
            .map_or("deck", Spanned::as_str);
        PathBuf::from(format!("{}.apkg", slug(name)))
    }

    fn start<'a>(
        &self,
        ctx: &'a Context<'a>,
        previous: Option<&std::fs::File>,
    ) -> Result<Box<dyn Sink + Send + 'a>, Error> {
        let ids = Ids::of(ctx.bank);
        let model = model_signature(&collection::model_json(ctx, &ids));
        let sources = SourceKeys::new(ctx.bank, &renderer(), model);
        // A re-export needs every source key to know which notes it keeps:
        // they are computed while the previous package is read. A first
        // export computes each as its note is written.
        let (previous, keys) = std::thread::scope(|s| {
            let keys = previous.is_some().then(|| s.spawn(|| sources.all()));
            let previous = match previous {
                Some(file) => {
                    let unpacked = match self.ahead.take_for(file) {
                        Some(Ok(Some(unpacked))) => Ok(unpacked),
                        Some(Err(why)) => Err(why),
                        // Not read ahead, or not a package of pyq's: read now.
                        Some(Ok(None)) | None => {
                            previous::Unpacked::read(file, ctx.scratch_dir, ctx.cache.as_deref())
                        }
                    };
                    unpacked
                        .map(|u| u.into_previous(ids.model, ids.deck))
                        .map_err(|why| Error::PreviousExport {
                            path: self.file_name(ctx.bank),
                            why,
                        })
                }
                None => Ok(Previous::default()),
            };
            let keys = keys.map(|k| k.join().expect("source keys do not panic"));
            (previous, keys)
        });
        let keys = match keys {
            Some(keys) => collection::Keys::All(keys),
            None => collection::Keys::Lazy(sources),
        };
        let previous = previous?;
        // The database becomes the cache's entry, when this export adds to
        // the cache: it is made in the cache's folder when that is there.
        let cache = ctx.cache.as_ref().filter(|c| c.writes());
        let scratch = scratch_file(cache.and_then(|c| c.existing_dir()).or(ctx.scratch_dir))?;
        let builder = collection::Builder::new(scratch.path(), ctx, ids, previous, keys)
            .map_err(Error::Sqlite)?;
        Ok(Box::new(AnkiSink {
            scratch,
            builder,
            stage_in: ctx.scratch_dir,
            cache: cache.map(|c| (&**c, self.file_name(ctx.bank))),
        }))
    }
}

/// The folder's `.apkg` file, when it holds exactly one.
fn only_package_in(dir: &std::path::Path) -> Option<PathBuf> {
    let mut found = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "apkg") {
            if found.is_some() {
                return None;
            }
            found = Some(path);
        }
    }
    found.filter(|p| p.is_file())
}

/// The table of source keys in the collection: `guid`, `source` (the note's
/// source key) and `fields` (the signature of the fields and tags written
/// with it, so a note edited since is rendered again).
pub(crate) const SOURCES_TABLE: &str = "pyq_sources";

/// What renders the fields: pyq's version, and a revision to bump when the
/// way cards are assembled from rendered Markdown changes (src/render/cards.rs)
/// between versions. Changes to the Markdown rendering itself are caught by
/// [`renderer`]'s probe, so development builds on different branches do not
/// take each other's notes for current.
pub(crate) const RENDERER: &str = concat!(env!("CARGO_PKG_VERSION"), "+render.2");

/// A Markdown sample that exercises every part of the rendering: the
/// highlighters, math, links, images, raw HTML, tables, lists and escaping.
const PROBE: &str = r#"**Short answer:** `x<y` & *it* ~~is~~ $O(n^2)$, $$a<b$$ [ok](https://a.b/) [no](javascript:x) ![alt](y.png) <b>raw</b>

- item `a`
  1. nested

| a | b |
| - | - |
| 1 | 2 |

> quote

```python
@dec(1)
class A(B):
    def f(self, x: int = 0x1F) -> None:  # c
        return f"{x!r:>3}" + '''s''' if x is not None else A(1).y
```

```toml
[a.b]
k = { v = "s", n = 1.5e3, t = true, d = 1979-05-27 }
```

```sh
X=1 ls -la "$HOME/${Y}" 'z' | grep -c x && echo $(date) 2>&1 # c
```

```console
$ pip <x>
```
"#;

/// [`RENDERER`] with a signature of the probe's rendering: a build whose
/// Markdown, highlighting or sanitising renders differently has another
/// renderer.
pub(crate) fn renderer() -> String {
    let mut hl = crate::render::Highlighter::new();
    let html = crate::render::sanitize_owned(crate::render::to_html(PROBE, &mut hl));
    let inline =
        crate::render::sanitize_owned(crate::render::to_inline_html("Why `x` *odd* $y$?", &mut hl));
    format!(
        "{RENDERER}:{:032x}",
        signature(&[&html, &inline, &crate::render::escape("<&\"'>")])
    )
}

/// Every question's source key ([`SourceKeys::key`]).
#[cfg(test)]
pub(crate) fn source_keys(bank: &Bank<'_>, renderer: &str, model: Signature) -> Vec<Signature> {
    SourceKeys::new(bank, renderer, model).all()
}

/// What the questions' source keys are computed from, to compute each one
/// when it is needed ([`SourceKeys::key`]).
pub(crate) struct SourceKeys<'b> {
    bank: &'b Bank<'b>,
    related: &'b [Vec<usize>],
    renderer: String,
    model: String,
}

impl<'b> SourceKeys<'b> {
    pub(crate) fn new(bank: &'b Bank<'b>, renderer: &str, model: Signature) -> Self {
        Self {
            bank,
            related: bank.related_both_ways(),
            renderer: renderer.to_owned(),
            model: format!("{model:032x}"),
        }
    }

    /// Every question's key (on both cores).
    pub(crate) fn all(&self) -> Vec<Signature> {
        let n = self.bank.questions.len();
        let half = n / 2;
        std::thread::scope(|s| {
            let first = s.spawn(|| (0..half).map(|i| self.key(i)).collect::<Vec<_>>());
            let second: Vec<Signature> = (half..n).map(|i| self.key(i)).collect();
            let mut all = first.join().expect("source keys do not panic");
            all.extend(second);
            all
        })
    }

    /// Question `i`'s source key: a signature of everything its note's
    /// fields and tags are made from: the renderer and the note type
    /// (`model`, which holds the field names, templates and CSS), its
    /// position (the number), id, question, answer, topic key and title,
    /// difficulty and tags, and each related question's number and text
    /// ("See also" shows them, both ways).
    pub(crate) fn key(&self, i: usize) -> Signature {
        let (bank, q) = (self.bank, &self.bank.questions[i]);
        let topic = q.topic.as_ref().map_or("", Spanned::as_str);
        let mut parts: Vec<std::borrow::Cow<'_, str>> = vec![
            self.renderer.as_str().into(),
            self.model.as_str().into(),
            (i + 1).to_string().into(),
            q.id_str().unwrap_or("").into(),
            text(q.question.as_ref()),
            text(q.answer.as_ref()),
            topic.into(),
            bank.topic_title(topic).unwrap_or("\u{0}none").into(),
            q.difficulty
                .as_ref()
                .map_or("", |d| d.value.as_str())
                .into(),
            q.tags.len().to_string().into(),
        ];
        parts.extend(q.tags.iter().map(|t| t.as_str().into()));
        for &j in &self.related[i] {
            parts.push((j + 1).to_string().into());
            parts.push(text(bank.questions[j].question.as_ref()));
        }
        let parts: Vec<&str> = parts.iter().map(AsRef::as_ref).collect();
        signature(&parts)
    }
}

fn text<'t>(t: Option<&'t crate::model::Text<'_>>) -> std::borrow::Cow<'t, str> {
    t.map_or(std::borrow::Cow::Borrowed(""), crate::model::Text::value)
}

/// An Anki export in progress: the collection being built in its scratch
/// file.
struct AnkiSink<'a> {
    scratch: tempfile::NamedTempFile,
    builder: collection::Builder<'a>,
    /// The output folder, if it exists: the package is written there as it
    /// is made ([`package::package`]).
    stage_in: Option<&'a std::path::Path>,
    /// The cache this export adds its collection to, and the package's
    /// name.
    cache: Option<(&'a cache::Cache, PathBuf)>,
}

impl Sink for AnkiSink<'_> {
    fn needs_render(&self, index: usize) -> bool {
        !self.builder.reuses(index)
    }

    fn order(&self) -> Option<Vec<usize>> {
        Some(self.builder.order())
    }

    fn kept_seen(&self, index: usize) -> Option<crate::lint::markdown::Seen> {
        self.builder.kept_seen(index)
    }

    fn cards(&mut self, cards: &[Card]) -> Result<(), Error> {
        self.builder.add(cards).map_err(Error::Sqlite)
    }

    fn finish(self: Box<Self>) -> Result<Content, Error> {
        let Self {
            scratch,
            mut builder,
            stage_in,
            cache,
        } = *self;
        builder.add_remaining().map_err(Error::Sqlite)?;
        let (reused, known) = builder.finish().map_err(Error::Sqlite)?;
        let (package, made) = package::package(scratch.path(), &reused, stage_in)
            .map_err(|e| Error::Internal(format!("could not write the package: {e}")))?;
        match (cache, made, known) {
            (Some((cache, file_name)), Some(made), Some(known)) => {
                // Kept for the cache, stored once the package is in place. A
                // package written as it was made is read back for its key
                // while it is flushed to disk.
                let key = match &package {
                    Content::Staged(file) => file.as_file().try_clone().ok().map(|file| {
                        let table = made.table.clone();
                        cache::Key::Computing(std::thread::spawn(move || {
                            package::Made::key_of_file(&table, made.data, &file)
                        }))
                    }),
                    Content::Bytes(_) => made.key(&package).ok().map(cache::Key::Known),
                };
                match key {
                    Some(key) => cache.add(file_name, key, (made.sums, known), scratch),
                    None => crate::memory::drop_aside(scratch),
                }
            }
            _ => crate::memory::drop_aside(scratch),
        }
        Ok(package)
    }
}

/// The note type's name: `<deck name> (pyq)`. Renaming is harmless to
/// updates (Anki matches note types by id), but the CSV names it.
pub fn note_type_name(bank: &Bank<'_>) -> String {
    format!("{} (pyq)", deck_name(bank))
}

/// Deck and note type ids, from the bank.
pub(crate) struct Ids {
    pub deck: i64,
    pub model: i64,
}

impl Ids {
    fn of(bank: &Bank<'_>) -> Self {
        let deck = bank.deck.as_ref();
        Self {
            deck: deck
                .and_then(|d| d.anki_deck_id.as_ref())
                .map_or(1, |v| v.value),
            model: deck
                .and_then(|d| d.anki_model_id.as_ref())
                .map_or(1, |v| v.value),
        }
    }
}

/// A scratch file for a collection, removed when dropped: in `dir` when
/// given (see [`Context::scratch_dir`]), else in the system's temporary
/// folder.
pub(crate) fn scratch_file(
    dir: Option<&std::path::Path>,
) -> Result<tempfile::NamedTempFile, Error> {
    let file = match dir {
        Some(dir) => crate::fs::temp_file_in(dir),
        None => crate::fs::temp_file_in(&std::env::temp_dir()),
    };
    file.map_err(|e| Error::Internal(format!("could not create a temporary file: {e}")))
}

/// A content signature (XXH3, 128 bits), so a previous package's notes are
/// remembered without keeping their text (a 100,000-note deck's fields are
/// larger than its bank). Signatures are computed afresh on both sides of
/// every comparison and never stored, so the hash is not a file format.
pub(crate) type Signature = u128;

fn signature(parts: &[&str]) -> Signature {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.digest128()
}

/// A note's Markdown facts as kept in `pyq_sources` (column `facts`):
/// [`crate::lint::markdown::Seen::to_bytes`], then a signature of them with
/// the note's source key, so facts that are not the ones pyq kept for that
/// source are not used.
pub(crate) fn seal_facts(key: Signature, seen: &crate::lint::markdown::Seen) -> Option<Vec<u8>> {
    let mut bytes = seen.to_bytes()?;
    let check = facts_check(key, &bytes);
    bytes.extend_from_slice(&check.to_le_bytes());
    Some(bytes)
}

fn facts_check(key: Signature, bytes: &[u8]) -> Signature {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"pyq facts 1");
    h.update(&key.to_le_bytes());
    h.update(bytes);
    h.digest128()
}

/// The facts [`seal_facts`] kept for the note whose source key is `key`.
pub(crate) fn open_facts(key: Signature, sealed: &[u8]) -> Option<crate::lint::markdown::Seen> {
    let (bytes, check) = sealed.split_last_chunk::<16>()?;
    (Signature::from_le_bytes(*check) == facts_check(key, bytes))
        .then(|| crate::lint::markdown::Seen::from_bytes(bytes))
        .flatten()
}

/// What decides whether a note changed: its fields and tags as stored.
pub(crate) fn note_signature(flds: &str, tags: &str) -> Signature {
    signature(&[flds, tags.trim()])
}

/// What decides whether the note type changed: everything but `mod`/`usn`.
pub(crate) fn model_signature(model: &Value) -> Signature {
    let mut v = model.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("mod");
        o.remove("usn");
    }
    signature(&[&v.to_string()])
}

/// What decides whether the deck changed: its name and description.
pub(crate) fn deck_signature(deck: &Value) -> Signature {
    signature(&[&json!({"name": deck["name"], "desc": deck["desc"]}).to_string()])
}

/// The `mod` for something whose signature is `now`, given what the
/// previous package had: unchanged keeps its time; changed gets the stamp,
/// but always later than before.
pub(crate) fn carry_mod(previous: Option<&(Signature, i64)>, now: &Signature, stamp: i64) -> i64 {
    match previous {
        Some((sig, m)) if sig == now => *m,
        Some((_, m)) => stamp.max(m + 1),
        None => stamp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modification_times() {
        let (a, b) = (note_signature("a", " t "), note_signature("b", " t "));
        let old = (a, 100);
        assert_eq!(carry_mod(Some(&old), &a, 500), 100);
        assert_eq!(carry_mod(Some(&old), &b, 500), 500);
        assert_eq!(carry_mod(Some(&old), &b, 50), 101);
        assert_eq!(carry_mod(None, &b, 500), 500);
        // Field boundaries count: moving text between fields is a change.
        assert_ne!(note_signature("ab", "c"), note_signature("a", "bc"));
    }
}

#[cfg(test)]
mod reexport_tests;
