//! `--format human`: miette's graphical report for each finding (source
//! excerpt, labels, help), then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::Diagnostic;
use crate::emit::{HumanOptions, counts};
use crate::source::SourceFile;

pub fn emit(
    diagnostics: &[Diagnostic],
    source: &SourceFile,
    options: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width);
    let named = Named::new(source);
    for d in diagnostics {
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &Report { d, source: &named })
            .map_err(io::Error::other)?;
        writeln!(out, "{rendered}")?;
    }
    let (errors, warnings) = counts(diagnostics);
    if diagnostics.is_empty() {
        writeln!(out, "No problems found in {}.", source.name())
    } else {
        writeln!(
            out,
            "Found {} and {} in {}.",
            plural(errors, "error"),
            plural(warnings, "warning"),
            source.name()
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The bank's text with its name, borrowed (miette's `NamedSource` wants to
/// own it, which would copy the file once per finding).
struct Named<'a> {
    source: &'a SourceFile,
    /// The text has a carriage return that is not part of a CRLF: miette
    /// counts it as a line break, [`SourceFile`]'s line index does not.
    bare_cr: bool,
}

impl<'a> Named<'a> {
    fn new(source: &'a SourceFile) -> Self {
        let text = source.text().as_bytes();
        let bare_cr = memchr::memchr_iter(b'\r', text).any(|i| text.get(i + 1) != Some(&b'\n'));
        Self { source, bare_cr }
    }

    /// The lines miette will look at for `span` (its own lines and the
    /// context around them, with a line to spare at either end: miette
    /// reads an empty span at its source's very start differently), as the
    /// byte offset and 0-based line number where they start, and their
    /// text. miette finds
    /// the context by scanning its source from the start, once per label:
    /// given the whole file, 82 findings in a 27 MB bank took 11 s to show.
    fn window(&self, span: &SourceSpan, before: usize, after: usize) -> (usize, usize, &'a str) {
        let text = self.source.text();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if self.bare_cr || end > text.len() {
            return (0, 0, text);
        }
        let first = self
            .source
            .line_col(start)
            .line
            .saturating_sub(before + 1)
            .max(1);
        let last = self.source.line_col(end).line + after + 1;
        let from = self.source.line_start(first).unwrap_or(0);
        let to = self.source.line_start(last + 1).unwrap_or(text.len());
        (from, first - 1, &text[from..to])
    }
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (base, base_line, window) =
            self.window(span, context_lines_before, context_lines_after);
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        // miette's own `line_count` here is the number of lines from the
        // start of the file, which its graphical handler takes for the
        // context's length when deciding whether two snippets overlap: two
        // labels far apart would merge into one snippet of every line
        // between them. Give it the context's own line count.
        let data = inner.data();
        let lines =
            data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.ends_with(b"\n"));
        let found = SourceSpan::new((inner.span().offset() + base).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.source.name().to_owned(),
            data,
            found,
            inner.line() + base_line,
            inner.column(),
            lines,
        )))
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    source: &'a Named<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let meta = self.d.rule.meta();
        Some(Box::new(format!("{}({})", meta.code, meta.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.d.severity.into())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(self.d.primary.text.clone(), self.d.primary.span);
        let secondary = self
            .d
            .secondary
            .iter()
            .map(|l| LabeledSpan::new_with_span(l.text.clone(), l.span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;

    /// What miette read: the excerpt, its span, line and column.
    type Read = Option<(Vec<u8>, SourceSpan, usize, usize)>;

    /// What miette reads for `span` from the whole text, and from the
    /// window around it.
    fn both(text: &str, span: SourceSpan, before: usize, after: usize) -> [Read; 2] {
        let source = SourceFile::new(Path::new("bank.yaml"), text.to_owned());
        let whole = source
            .text()
            .read_span(&span, before, after)
            .ok()
            .map(|c| (c.data().to_vec(), *c.span(), c.line(), c.column()));
        let named = Named::new(&source);
        let windowed = named
            .read_span(&span, before, after)
            .ok()
            .map(|c| (c.data().to_vec(), *c.span(), c.line(), c.column()));
        [whole, windowed]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The window gives miette what the whole file would: the same
        /// lines, offsets, line and column, for any span and context, with
        /// CRLF, blank lines, multi-byte text and a span at the very end.
        #[test]
        fn the_window_reads_what_the_whole_text_reads(
            pieces in prop::collection::vec(
                prop::sample::select(vec!["a", "bc ", "é", "\n", "\r\n", "\n\n", "xyz"]),
                0..60,
            ),
            start in 0usize..200,
            len in 0usize..40,
            before in 0usize..4,
            after in 0usize..4,
            bare_cr in prop::bool::weighted(0.1),
        ) {
            let mut text: String = pieces.concat();
            if bare_cr {
                text.push_str("\rq\n");
            }
            let start = start.min(text.len());
            let span = SourceSpan::new(start.into(), len.min(text.len() - start));
            let [whole, windowed] = both(&text, span, before, after);
            prop_assert_eq!(whole, windowed);
        }
    }

    #[test]
    fn a_finding_near_the_end_of_a_long_file_reads_only_its_lines() {
        let text: String = (1..=20_000).map(|i| format!("line {i}\n")).collect();
        let offset = text.find("line 19990\n").unwrap();
        let span = SourceSpan::new(offset.into(), 4);
        let [whole, windowed] = both(&text, span, 2, 2);
        assert_eq!(whole, windowed);
        let (data, _, line, column) = windowed.unwrap();
        assert_eq!(
            String::from_utf8(data).unwrap(),
            "line 19988\nline 19989\nline 19990\nline 19991\nline 19992\n"
        );
        assert_eq!((line, column), (19_987, 0));
        let source = SourceFile::new(Path::new("bank.yaml"), text.clone());
        let (base, _, window) = Named::new(&source).window(&span, 2, 2);
        assert_eq!(base, text.find("line 19987\n").unwrap());
        assert!(window.len() < 100, "{window:?}");
    }
}
