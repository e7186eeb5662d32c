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
    let named = Named(source);
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
struct Named<'a>(&'a SourceFile);

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .0
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette's own `line_count` here is the number of lines from the
        // start of the file, which its graphical handler takes for the
        // context's length when deciding whether two snippets overlap: two
        // labels far apart would merge into one snippet of every line
        // between them. Give it the context's own line count.
        let data = inner.data();
        let lines =
            data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.ends_with(b"\n"));
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name().to_owned(),
            data,
            *inner.span(),
            inner.line(),
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
