//! How lint findings are written: one module per `--format`. Emitters write
//! to the `Write` they are given and never print on their own.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

/// `pyq lint --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Graphical reports with source excerpts, labels and help (miette).
    Human,
    /// One line per finding: `file:line:col: severity[CODE] rule: message`.
    Concise,
    /// The versioned JSON envelope of docs/formats.md.
    Json,
    /// GitHub Actions workflow commands (`::error ...`), then the concise list.
    Github,
}

/// Options for the human format.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// Writes `diagnostics` about `source` in `format`.
pub fn emit(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    source: &SourceFile,
    human: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::emit(diagnostics, source, human, out),
        OutputFormat::Concise => concise::emit(diagnostics, source, out),
        OutputFormat::Json => json::emit(diagnostics, source, out),
        OutputFormat::Github => github::emit(diagnostics, source, out),
    }
}

/// Counts of (errors, warnings).
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}
