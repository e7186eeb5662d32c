//! `--format concise`: `file:line:col: error[PYQ201] missing-answer: message`.

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

pub fn emit(
    diagnostics: &[Diagnostic],
    source: &SourceFile,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        writeln!(out, "{}", line(d, source))?;
    }
    Ok(())
}

/// One finding as a single line.
pub fn line(d: &Diagnostic, source: &SourceFile) -> String {
    let at = source.line_col(d.primary.span.start);
    let meta = d.rule.meta();
    format!(
        "{}:{}:{}: {}[{}] {}: {}",
        source.name(),
        at.line,
        at.column,
        d.severity.as_str(),
        meta.code,
        meta.name,
        d.message
    )
}
