//! `--format github`: one workflow command per finding, so GitHub shows it
//! on the pull request's diff; then the concise list, because GitHub shows
//! only the first 10 annotations of each kind.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::concise;
use crate::source::SourceFile;

pub fn emit(
    diagnostics: &[Diagnostic],
    source: &SourceFile,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        let start = source.line_col(d.primary.span.start);
        let end = source.line_col(d.primary.span.end);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let meta = d.rule.meta();
        let mut props = format!("file={},line={}", property(source.name()), start.line);
        if start.line == end.line {
            props.push_str(&format!(",col={}", start.column));
        }
        props.push_str(&format!(",endLine={}", end.line));
        if start.line == end.line {
            props.push_str(&format!(",endColumn={}", end.column));
        }
        props.push_str(&format!(
            ",title={}",
            property(&format!("pyq {} {}", meta.code, meta.name))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(out, "::{kind} {props}::{}", data(&message))?;
    }
    concise::emit(diagnostics, source, out)
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
