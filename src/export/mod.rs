//! Exporters turn a clean bank into files. They are pure (bytes out; no
//! clock, randomness or I/O); this module alone reads the previous files,
//! writes the new ones atomically, and compares them for `--check`.

pub mod anki;
pub mod csv;
pub mod markdown;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::Bank;
use crate::render::Card;

/// What an exporter works from.
pub struct Context<'a> {
    pub bank: &'a Bank,
    pub cards: &'a [Card],
    /// Seconds since the epoch for anything new or changed in this export:
    /// `SOURCE_DATE_EPOCH` when set, else the current time.
    pub stamp: i64,
}

/// An export backend: a stable name, the file it writes, and how.
pub trait Exporter {
    /// As typed after `--format`.
    fn name(&self) -> &'static str;

    /// The file name, relative to the output directory.
    fn file_name(&self, bank: &Bank) -> PathBuf;

    /// The file's bytes. `previous` is the file as it is in the output
    /// directory now, if any (the Anki exporter carries modification times
    /// over from it).
    fn export(&self, ctx: &Context<'_>, previous: Option<&[u8]>) -> Result<Vec<u8>, Error>;
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
    /// The `.apkg`, the CSV and the Markdown.
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
    pub fn exporters(self, options: Options) -> Vec<Box<dyn Exporter>> {
        let anki = || Box::new(anki::Anki) as Box<dyn Exporter>;
        let csv = || {
            Box::new(csv::Csv {
                flavor: options.csv_flavor,
            }) as Box<dyn Exporter>
        };
        let markdown = || {
            Box::new(markdown::Markdown {
                details: options.details,
            }) as Box<dyn Exporter>
        };
        match self {
            Self::Anki => vec![anki()],
            Self::Csv => vec![csv()],
            Self::Markdown => vec![markdown()],
            Self::All => vec![anki(), csv(), markdown()],
        }
    }
}

/// The deck's name, as every exporter shows it.
pub fn deck_name(bank: &Bank) -> &str {
    bank.deck
        .as_ref()
        .and_then(|d| d.name.as_ref())
        .map_or("Questions", |n| n.value.as_str())
}

/// Lints a loaded bank and renders its cards at the same time (both use
/// both cores; the cards are thrown away when the lint finds errors).
pub fn lint_and_render(
    loaded: &crate::load::Loaded,
    source: &crate::source::SourceFile,
) -> (Vec<crate::diagnostic::Diagnostic>, Vec<Card>) {
    std::thread::scope(|s| {
        let cards = s.spawn(|| {
            if loaded.complete {
                crate::render::cards(&loaded.bank)
            } else {
                Vec::new()
            }
        });
        let diagnostics = crate::lint::check(loaded, source, &crate::lint::Settings::default());
        (diagnostics, cards.join().expect("rendering does not panic"))
    })
}

/// A file an export produced, with where it goes.
pub struct Artifact {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Runs `exporters`, reading each one's previous file from `dir`.
pub fn produce(
    exporters: &[Box<dyn Exporter>],
    ctx: &Context<'_>,
    dir: &Path,
) -> Result<Vec<Artifact>, Error> {
    exporters
        .iter()
        .map(|e| {
            let path = dir.join(e.file_name(ctx.bank));
            let previous = match std::fs::read(&path) {
                Ok(bytes) => Some(bytes),
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
            let bytes = e.export(ctx, previous.as_deref())?;
            Ok(Artifact { path, bytes })
        })
        .collect()
}

/// Writes every artifact atomically, creating `dir` if needed. Nothing is
/// written unless every export succeeded (they are produced first).
pub fn write(artifacts: &[Artifact], dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for a in artifacts {
        crate::fs::write_atomic(&a.path, &a.bytes)?;
    }
    Ok(())
}

/// The artifacts whose file is missing or differs from the bytes produced.
pub fn stale(artifacts: &[Artifact]) -> Vec<(&Artifact, &'static str)> {
    artifacts
        .iter()
        .filter_map(|a| match std::fs::read(&a.path) {
            Ok(bytes) if bytes == a.bytes => None,
            Ok(_) => Some((a, "differs from what the bank produces")),
            Err(_) => Some((a, "is missing")),
        })
        .collect()
}

/// The file-name form of a deck name: `Python Interview Questions` →
/// `python-interview-questions`.
pub fn slug(name: &str) -> String {
    let s = crate::lint::rules_slugify(name);
    if s.is_empty() { "deck".to_owned() } else { s }
}
