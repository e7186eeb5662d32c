//! Exporters turn a clean bank into files. They are pure (bytes out; no
//! clock or randomness; the Anki exporter's only I/O is a scratch file);
//! this module alone reads the previous files, renders the cards once for
//! every exporter, writes the new files atomically, and compares them for
//! `--check`.

pub mod anki;
pub mod csv;
pub mod html;
pub mod markdown;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::lint::markdown::Seen;
use crate::model::{Bank, Spanned};
use crate::render::Card;

/// What an exporter works from.
pub struct Context<'a> {
    pub bank: &'a Bank<'a>,
    /// Where an exporter may keep scratch files: the output folder when it
    /// exists (so a killed run's leftovers are cleaned up by the next run),
    /// else the system's temporary folder.
    pub scratch_dir: Option<&'a Path>,
    /// The cache of Anki collections ([`anki::cache`]), unless `--no-cache`.
    pub cache: Option<std::sync::Arc<anki::cache::Cache>>,
    /// Seconds since the epoch for anything new or changed in this export:
    /// `SOURCE_DATE_EPOCH` when set, else the current time.
    pub stamp: i64,
}

/// An export backend: a stable name, the file it writes, and how.
pub trait Exporter {
    /// As typed after `--format`.
    fn name(&self) -> &'static str;

    /// The file name, relative to the output directory.
    fn file_name(&self, bank: &Bank<'_>) -> PathBuf;

    /// Starts reading, on a thread of its own, what this export will need
    /// of its previous file in `dir` (the output folder), before the bank
    /// is loaded; [`Exporter::start`] uses it if its previous file is the
    /// one read. `scratch_dir` and `cache` are [`Context::scratch_dir`]'s
    /// and [`Context::cache`]'s. Most exports read nothing ahead.
    fn read_ahead(
        &self,
        _dir: &Path,
        _scratch_dir: Option<&Path>,
        _cache: Option<&std::sync::Arc<anki::cache::Cache>>,
    ) {
    }

    /// Starts the file. `previous` is the file as it is in the output
    /// directory now, if any, open for reading (the Anki exporter carries
    /// modification times over from it).
    fn start<'a>(
        &self,
        ctx: &'a Context<'a>,
        previous: Option<&std::fs::File>,
    ) -> Result<Box<dyn Sink + Send + 'a>, Error>;
}

/// An export in progress: it takes the rendered cards in bank order, a
/// chunk at a time, then its file's bytes.
pub trait Sink {
    /// Whether this export uses rendered cards at all (the Markdown and the
    /// plain CSV work from the bank's Markdown source).
    fn wants_cards(&self) -> bool {
        true
    }

    /// Whether the cards should also carry their math as MathML
    /// ([`Card::page`]; the HTML page's).
    fn wants_mathml(&self) -> bool {
        false
    }

    /// Whether the question at `index` must be rendered for this export
    /// (the Anki exporter copies unchanged notes from its previous package).
    /// A question no export needs comes as a card with only `id` and
    /// `number`.
    fn needs_render(&self, _index: usize) -> bool {
        true
    }

    /// What rendering saw of the Markdown of a question this export does
    /// not render, when it kept that from its previous file (the Anki
    /// exporter keeps it with each note; see [`Seen`]).
    fn kept_seen(&self, _index: usize) -> Option<Seen> {
        None
    }

    /// The order (question indices) this export wants its cards in, when
    /// not bank order: the Anki exporter writes its notes in note id order,
    /// so that its database is appended to, never reshuffled. The first
    /// export that asks gets them so; the others get them in bank order.
    fn order(&self) -> Option<Vec<usize>> {
        None
    }

    /// The next chunk of cards: in bank order, or in the order this export
    /// asked for ([`Sink::order`]).
    fn cards(&mut self, cards: &[Card]) -> Result<(), Error>;

    fn finish(self: Box<Self>) -> Result<Content, Error>;
}

/// `pyq export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// An Anki package (`.apkg`).
    Anki,
    /// A CSV file (`--csv-flavor anki` for Anki's importer, `plain` for spreadsheets).
    Csv,
    /// A Markdown document to read on GitHub.
    Markdown,
    /// A self-contained HTML page (no network): every card, answers to reveal, search.
    Html,
    /// The `.apkg`, the CSV, the Markdown and the HTML page.
    All,
}

/// Options of the exporters that have them.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub csv_flavor: csv::CsvFlavor,
    /// Answers inside `<details>` in the Markdown document.
    pub details: bool,
}

impl ExportFormat {
    pub fn exporters(self, options: Options) -> Vec<Box<dyn Exporter + Send + Sync>> {
        let anki = || Box::new(anki::Anki::default()) as Box<dyn Exporter + Send + Sync>;
        let csv = || {
            Box::new(csv::Csv {
                flavor: options.csv_flavor,
            }) as Box<dyn Exporter + Send + Sync>
        };
        let markdown = || {
            Box::new(markdown::Markdown {
                details: options.details,
            }) as Box<dyn Exporter + Send + Sync>
        };
        match self {
            Self::Anki => vec![anki()],
            Self::Csv => vec![csv()],
            Self::Markdown => vec![markdown()],
            Self::Html => vec![Box::new(html::Html)],
            Self::All => vec![anki(), csv(), markdown(), Box::new(html::Html)],
        }
    }
}

/// The deck's name, as every exporter shows it.
pub fn deck_name<'b>(bank: &'b Bank<'_>) -> &'b str {
    bank.deck
        .as_ref()
        .and_then(|d| d.name.as_ref())
        .map_or("Questions", Spanned::as_str)
}

/// A file an export produced, with where it goes.
pub struct Artifact {
    pub path: PathBuf,
    pub content: Content,
}

/// What an export produced: its bytes, or (a re-exported Anki package,
/// written as it was made) a temporary file of pyq's in the output folder,
/// renamed into place by [`write`] or removed when dropped.
pub enum Content {
    Bytes(Vec<u8>),
    Staged(tempfile::NamedTempFile),
}

impl Content {
    /// The content's bytes (a staged file's read back).
    pub fn to_vec(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Bytes(bytes) => Ok(bytes.clone()),
            Self::Staged(file) => std::fs::read(file.path()),
        }
    }
}

/// Exports under way: each file's path and its sink.
pub type Started<'a> = Vec<(PathBuf, Box<dyn Sink + Send + 'a>)>;

/// Gets the output folder `dir` ready for `exporters`, before the bank is
/// loaded: removes what a killed run left there (before this run makes
/// scratch files of its own), and lets each export start reading its
/// previous file ([`Exporter::read_ahead`]).
pub fn prepare(
    exporters: &[Box<dyn Exporter + Send + Sync>],
    dir: &Path,
    cache: Option<&std::sync::Arc<anki::cache::Cache>>,
) {
    crate::fs::remove_stale_temp_files(dir);
    let scratch_dir = dir.is_dir().then_some(dir);
    for e in exporters {
        e.read_ahead(dir, scratch_dir, cache);
    }
}

/// Starts `exporters`, reading each one's previous file from `dir` (after
/// [`prepare`]). Needs only the bank, so it can run while the bank is
/// linted.
pub fn start<'a>(
    exporters: &[Box<dyn Exporter + Send + Sync>],
    ctx: &'a Context<'a>,
    dir: &Path,
) -> Result<Started<'a>, Error> {
    exporters
        .iter()
        .map(|e| {
            let path = dir.join(e.file_name(ctx.bank));
            let previous = match open_previous(&path) {
                Ok(file) => Some(file),
                // No previous file (or no folder yet): a first export.
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    None
                }
                Err(source) => return Err(Error::Read { path, source }),
            };
            Ok((path, e.start(ctx, previous.as_ref())?))
        })
        .collect()
}

/// Opens an export's previous file, to be read as it is needed rather than
/// all at once (a large deck's package is tens of megabytes). A first byte
/// is read, so that a file that cannot be read at all (a folder, say) fails
/// here, as reading it whole did.
fn open_previous(path: &Path) -> std::io::Result<std::fs::File> {
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(path)?;
    std::io::copy(&mut (&file).take(1), &mut std::io::sink())?;
    file.rewind()?;
    Ok(file)
}

/// Renders the cards once, chunk by chunk, for every started export, and
/// finishes them into files' bytes.
pub fn finish(started: Started<'_>, bank: &Bank<'_>) -> Result<Vec<Artifact>, Error> {
    finish_then(started, bank, |_| ()).0
}

/// [`finish`], calling `then` with what rendering saw of each question's
/// Markdown (by index; [`Seen::NotRendered`] for the cards not rendered)
/// as soon as the cards are rendered, on a thread of its own while the
/// exports finish; `pyq export` lints the bank there
/// (`lint::errors_seen`). `then` runs even when rendering fails.
///
/// When the exports keep most cards from their previous files and only a
/// few need rendering (a re-export after an edit), those few are rendered
/// first, so that `then` runs while the exports copy what they keep, not
/// after.
pub fn finish_then<R: Send>(
    mut started: Started<'_>,
    bank: &Bank<'_>,
    then: impl FnOnce(Vec<Seen>) -> R + Send,
) -> (Result<Vec<Artifact>, Error>, R) {
    let mut seen = vec![Seen::NotRendered; bank.questions.len()];
    let render = will_render(&started, bank);
    let mathml = started.iter().any(|(_, s)| s.wants_mathml());
    let wanted = render.iter().filter(|&&r| r).count();
    let finish_all = |started: Started<'_>| -> Result<Vec<Artifact>, Error> {
        started
            .into_iter()
            .map(|(path, sink)| {
                Ok(Artifact {
                    path,
                    content: sink.finish()?,
                })
            })
            .collect()
    };
    if render.contains(&false) && wanted <= EARLY {
        let mut early = render_early(bank, &render, mathml, &mut seen);
        return std::thread::scope(|s| {
            let then = s.spawn(move || then(seen));
            let delivered = deliver(&mut started, bank, |order, f| {
                for part in order.chunks(crate::render::CHUNK) {
                    let cards: Vec<Card> = part
                        .iter()
                        .map(|&i| {
                            early
                                .remove(&i)
                                .unwrap_or_else(|| Card::unrendered(bank, i))
                        })
                        .collect();
                    f(&cards)?;
                }
                Ok(())
            });
            let artifacts = delivered.and_then(|()| finish_all(started));
            (artifacts, then.join().expect("`then` does not panic"))
        });
    }
    let rendered = deliver(&mut started, bank, |order, f| {
        crate::render::for_each_chunk_in(bank, order, mathml, &|i| render[i], |chunk| {
            record_seen(chunk, &mut seen);
            f(chunk)
        })
    });
    if let Err(e) = rendered {
        return (Err(e), then(seen));
    }
    std::thread::scope(|s| {
        let then = s.spawn(move || then(seen));
        (
            finish_all(started),
            then.join().expect("`then` does not panic"),
        )
    })
}

/// The most cards [`finish_then`] renders before the exports take any
/// (they are all in memory meanwhile).
const EARLY: usize = 1024;

/// The cards of the questions (by index) for which `render` is true,
/// rendered on the render threads; what each saw goes into `seen`.
fn render_early(
    bank: &Bank<'_>,
    render: &[bool],
    mathml: bool,
    seen: &mut [Seen],
) -> crate::hash::FastMap<usize, Card> {
    let wanted: Vec<usize> = (0..render.len()).filter(|&i| render[i]).collect();
    let mut cards = crate::hash::FastMap::default();
    let rendered = crate::render::for_each_chunk_in(bank, &wanted, mathml, &|_| true, |chunk| {
        record_seen(chunk, seen);
        for card in chunk {
            if let Ok(i) = usize::try_from(card.number - 1) {
                cards.insert(i, card.clone());
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    match rendered {
        Ok(()) => cards,
        Err(never) => match never {},
    }
}

/// Keeps what rendering saw of each card of `chunk` (by question index).
fn record_seen(chunk: &[Card], seen: &mut [Seen]) {
    for card in chunk {
        if let Some(s) = usize::try_from(card.number - 1)
            .ok()
            .and_then(|i| seen.get_mut(i))
        {
            s.clone_from(&card.seen);
        }
    }
}

/// Which questions (by index) [`finish`] renders for `started`: those whose
/// card some export needs and has not kept from its previous file.
pub fn will_render(started: &Started<'_>, bank: &Bank<'_>) -> Vec<bool> {
    (0..bank.questions.len())
        .map(|i| {
            started
                .iter()
                .any(|(_, s)| s.wants_cards() && s.needs_render(i))
        })
        .collect()
}

/// What the started exports kept of the Markdown facts of each question
/// (by index) they do not render ([`Sink::kept_seen`]);
/// [`Seen::NotRendered`] where none did.
pub fn kept_seen(started: &Started<'_>, bank: &Bank<'_>) -> Vec<Seen> {
    (0..bank.questions.len())
        .map(|i| {
            started
                .iter()
                .find_map(|(_, s)| s.kept_seen(i))
                .unwrap_or_default()
        })
        .collect()
}

/// Hands every card to every started export that wants cards: `cards`
/// is called with the order the cards must come in (the first export that
/// asks for an order gets them in it; the others get them back in bank
/// order, through one buffer) and a function taking them chunk by chunk.
fn deliver(
    started: &mut Started<'_>,
    bank: &Bank<'_>,
    cards: impl FnOnce(&[usize], &mut dyn FnMut(&[Card]) -> Result<(), Error>) -> Result<(), Error>,
) -> Result<(), Error> {
    if !started.iter().any(|(_, s)| s.wants_cards()) {
        return Ok(());
    }
    let (leader, order) = started
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| s.wants_cards())
        .find_map(|(i, (_, s))| s.order().map(|order| (Some(i), order)))
        .unwrap_or_else(|| (None, (0..bank.questions.len()).collect()));
    let mut in_order = InOrder::default();
    cards(&order, &mut |chunk| {
        let Some(leader) = leader else {
            return started
                .iter_mut()
                .filter(|(_, s)| s.wants_cards())
                .try_for_each(|(_, s)| s.cards(chunk));
        };
        started[leader].1.cards(chunk)?;
        let mut others: Vec<&mut Box<dyn Sink + Send + '_>> = started
            .iter_mut()
            .enumerate()
            .filter(|(i, (_, s))| *i != leader && s.wants_cards())
            .map(|(_, (_, s))| s)
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        in_order.push(chunk, |card| {
            others
                .iter_mut()
                .try_for_each(|s| s.cards(std::slice::from_ref(card)))
        })
    })?;
    in_order.finish()
}

/// [`start`] then [`finish`].
pub fn produce<'a>(
    exporters: &[Box<dyn Exporter + Send + Sync>],
    ctx: &'a Context<'a>,
    dir: &Path,
) -> Result<Vec<Artifact>, Error> {
    prepare(exporters, dir, ctx.cache.as_ref());
    finish(start(exporters, ctx, dir)?, ctx.bank)
}

/// Writes every artifact atomically, creating `dir` if needed. Nothing is
/// written unless every export succeeded (they are produced first). A file
/// that already holds the artifact's bytes is left alone: its time stays
/// (for tools that go by it), and a re-export of an unchanged bank does not
/// wait for tens of megabytes to be flushed to disk again.
/// Returns, for each artifact, its path and whether it was written.
pub fn write(artifacts: Vec<Artifact>, dir: &Path) -> Result<Vec<(PathBuf, bool)>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    artifacts
        .into_iter()
        .map(|a| {
            if holds(&a.path, &a.content) {
                // A staged file is removed while the command goes on.
                crate::memory::drop_aside(a.content);
                return Ok((a.path, false));
            }
            match a.content {
                Content::Bytes(bytes) => crate::fs::write_atomic(&a.path, &bytes),
                Content::Staged(file) => crate::fs::persist_atomic(file, &a.path),
            }
            .map(|()| (a.path, true))
        })
        .collect()
}

/// Drops `artifacts` as the process ends ([`crate::memory::discard`]),
/// removing their staged files (which are not in memory, and must not be
/// left behind).
pub fn discard(artifacts: Vec<Artifact>) {
    let (staged, rest): (Vec<_>, Vec<_>) = artifacts
        .into_iter()
        .partition(|a| matches!(a.content, Content::Staged(_)));
    crate::memory::drop_aside(staged);
    crate::memory::discard(rest);
}

/// Whether the file at `path` is a regular file holding exactly `content`:
/// the sizes are compared first, then both are read a piece at a time (a
/// large deck's package is not held in memory twice).
fn holds(path: &Path, content: &Content) -> bool {
    match content {
        Content::Bytes(bytes) => holds_read(path, &mut &bytes[..], bytes.len() as u64),
        Content::Staged(staged) => staged
            .reopen()
            .and_then(|f| Ok((f.metadata()?.len(), f)))
            .is_ok_and(|(len, mut f)| holds_read(path, &mut f, len)),
    }
}

/// Whether the file at `path` is a regular file of `len` bytes, the ones
/// `expected` reads.
fn holds_read(path: &Path, expected: &mut dyn std::io::Read, len: u64) -> bool {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file() && m.len() == len) {
        return false;
    }
    let size = (1 << 20).min(len as usize);
    let (mut piece, mut want) = (vec![0; size], vec![0; size]);
    let mut rest = len;
    while rest > 0 {
        let n = size.min(rest as usize);
        if file.read_exact(&mut piece[..n]).is_err()
            || expected.read_exact(&mut want[..n]).is_err()
            || piece[..n] != want[..n]
        {
            return false;
        }
        rest -= n as u64;
    }
    // Nothing after (the file did not grow since its size was read).
    file.read(&mut [0]).is_ok_and(|n| n == 0)
}

/// The artifacts whose file is missing or differs from what was produced.
pub fn stale(artifacts: &[Artifact]) -> Vec<(&Artifact, &'static str)> {
    artifacts
        .iter()
        .filter_map(|a| match std::fs::metadata(&a.path) {
            _ if holds(&a.path, &a.content) => None,
            Ok(_) => Some((a, "differs from what the bank produces")),
            Err(_) => Some((a, "is missing")),
        })
        .collect()
}

/// Puts cards that arrive in another order (see [`Sink::order`]) back in
/// bank order, for the exports that write them in bank order: a card is
/// passed on as soon as every card before it has been, and kept until then.
#[derive(Debug)]
struct InOrder {
    /// The number of the next card to pass on.
    next: i64,
    waiting: std::collections::BTreeMap<i64, Card>,
}

impl Default for InOrder {
    fn default() -> Self {
        Self {
            next: 1,
            waiting: std::collections::BTreeMap::new(),
        }
    }
}

impl InOrder {
    /// Passes to `emit`, in bank order, every card of `cards` whose turn
    /// has come, with those kept from earlier chunks.
    fn push(
        &mut self,
        cards: &[Card],
        mut emit: impl FnMut(&Card) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for card in cards {
            if card.number != self.next {
                self.waiting.insert(card.number, card.clone());
                continue;
            }
            emit(card)?;
            self.next += 1;
            while let Some(card) = self.waiting.remove(&self.next) {
                emit(&card)?;
                self.next += 1;
            }
        }
        Ok(())
    }

    /// Fails if a card is still waiting for one that never came.
    fn finish(&self) -> Result<(), Error> {
        match self.waiting.first_key_value() {
            None => Ok(()),
            Some((number, _)) => Err(Error::Internal(format!(
                "card {number} came without card {} before it",
                self.next
            ))),
        }
    }
}

/// The file-name form of a deck name: `Python Interview Questions` →
/// `python-interview-questions`.
pub fn slug(name: &str) -> String {
    let s = crate::load::slugify(name);
    if s.is_empty() { "deck".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_exactly_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // Longer than one piece read, so the comparison goes piece by piece.
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let staged = |b: &[u8]| {
            let file = crate::fs::temp_file_in(dir.path()).unwrap();
            std::fs::write(file.path(), b).unwrap();
            Content::Staged(file)
        };
        // The same answers for bytes and for a staged file.
        let check = |content: &dyn Fn(&[u8]) -> Content| {
            assert!(holds(&path, &content(&bytes)));
            let mut other = bytes.clone();
            other[2_500_000] ^= 1;
            assert!(!holds(&path, &content(&other)));
            assert!(!holds(&path, &content(&bytes[..bytes.len() - 1])));
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(!holds(&path, &content(&longer)));
            let empty = dir.path().join("empty");
            std::fs::write(&empty, b"").unwrap();
            assert!(holds(&empty, &content(b"")));
            assert!(!holds(&empty, &content(b"x")));
            assert!(!holds(&dir.path().join("missing"), &content(b"")));
            assert!(!holds(dir.path(), &content(b"")));
        };
        check(&|b| Content::Bytes(b.to_vec()));
        check(&staged);
    }

    /// Every export gives the same file alone as beside the others, though
    /// the Anki export takes the cards in note id order and the others in
    /// bank order.
    #[test]
    fn each_export_is_the_same_alone_and_together() {
        let mut text = String::from(
            "version: 1\ndeck: {name: D, anki_deck_id: 7, anki_model_id: 8}\ntopics: {t: T}\nquestions:\n",
        );
        for i in 1..=600 {
            text.push_str(&format!(
                "  - {{number: {i}, id: q{i}, topic: t, difficulty: mid, question: 'Q{i} $x$?', answer: \"A{i}, `code` and $y$.\"}}\n"
            ));
        }
        let source = crate::source::SourceFile::new(Path::new("q.yaml"), text);
        let loaded = crate::load::load(&source);
        let ctx = Context {
            bank: &loaded.bank,
            scratch_dir: None,
            cache: None,
            stamp: 1_000,
        };
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            csv_flavor: csv::CsvFlavor::Anki,
            details: false,
        };
        let all = produce(&ExportFormat::All.exporters(options), &ctx, dir.path()).unwrap();
        assert_eq!(all.len(), 4);
        for format in [
            ExportFormat::Anki,
            ExportFormat::Csv,
            ExportFormat::Markdown,
            ExportFormat::Html,
        ] {
            let alone = produce(&format.exporters(options), &ctx, dir.path()).unwrap();
            let together = all.iter().find(|a| a.path == alone[0].path).unwrap();
            assert!(
                alone[0].content.to_vec().unwrap() == together.content.to_vec().unwrap(),
                "{format:?}"
            );
        }
        // The CSV is in bank order.
        let csv = String::from_utf8(all[1].content.to_vec().unwrap()).unwrap();
        let numbers: Vec<usize> = csv
            .lines()
            .filter(|l| l.starts_with("\"Q"))
            .map(|l| l[2..l.find(' ').unwrap()].parse().unwrap())
            .collect();
        assert_eq!(numbers, (1..=600).collect::<Vec<_>>());
    }
}
