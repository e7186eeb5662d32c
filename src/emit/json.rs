//! `--format json`: the versioned envelope documented in docs/formats.md.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::emit::counts;
use crate::source::SourceFile;

/// Bumped only when a field changes meaning or disappears; new fields may be
/// added within a version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Envelope<'a> {
    schema_version: u32,
    file: &'a str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    question_id: Option<&'a str>,
    /// Added within schema version 1: only on findings about several
    /// questions (near-duplicate clusters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other_question_ids: Vec<Option<&'a str>>,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    replacement: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

pub fn emit(
    diagnostics: &[Diagnostic],
    source: &SourceFile,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (errors, warnings) = counts(diagnostics);
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        file: source.name(),
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let (line, column, end_line, end_column) = range(source, d.primary.span);
                JsonDiagnostic {
                    code: d.rule.code(),
                    rule: d.rule.name(),
                    severity: d.severity.as_str(),
                    message: &d.message,
                    line,
                    column,
                    end_line,
                    end_column,
                    question_id: d.question_id.as_deref(),
                    other_question_ids: d.other_question_ids.iter().map(Option::as_deref).collect(),
                    help: d.help.as_deref(),
                    labels: d
                        .secondary
                        .iter()
                        .map(|l| {
                            let (line, column, end_line, end_column) = range(source, l.span);
                            JsonLabel {
                                message: l.text.as_deref(),
                                line,
                                column,
                                end_line,
                                end_column,
                            }
                        })
                        .collect(),
                    fix: d.fix.as_ref().map(|f| {
                        let (line, column, end_line, end_column) = range(source, f.span);
                        JsonFix {
                            replacement: &f.replacement,
                            line,
                            column,
                            end_line,
                            end_column,
                        }
                    }),
                }
            })
            .collect(),
        summary: Summary { errors, warnings },
    };
    serde_json::to_writer_pretty(&mut *out, &envelope).map_err(io::Error::other)?;
    writeln!(out)
}

/// 1-based start line and column, and exclusive end line and column.
fn range(source: &SourceFile, span: crate::source::Span) -> (usize, usize, usize, usize) {
    let start = source.line_col(span.start);
    let end = source.line_col(span.end);
    (start.line, start.column, end.line, end.column)
}
