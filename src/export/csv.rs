//! `pyq export --format csv`: two flavours.
//!
//! - `anki` (default): Anki's CSV import with its header lines, so Anki
//!   (2.1.54+, desktop and AnkiDroid) imports it with no dialog choices. The
//!   GUID column carries the same GUID as the `.apkg`, so the two import paths
//!   update the same notes; fields hold the same HTML as the deck.
//! - `plain`: RFC 4180 with a header row, one row per question, the Markdown
//!   source; cells a spreadsheet would run as a formula are neutralised.

use std::path::PathBuf;

use crate::error::Error;
use crate::export::{Content, Context, Exporter, Sink, deck_name, slug};
use crate::identity::guid;
use crate::model::{Bank, Spanned, Str, Text};
use crate::render::Card;

/// Which CSV to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvFlavor {
    /// Anki's import format: header lines, HTML fields, GUIDs.
    Anki,
    /// RFC 4180 for spreadsheets and tools: Markdown source, one header row.
    Plain,
}

/// The column labels of the `anki` flavour: the note type's fields by name
/// (Anki maps a column to the field whose name equals its label), then the
/// tags and the GUID. The first two, `Front` and `Back`, are also the stock
/// Basic type's fields: a CSV imported without the `.apkg` (so without pyq's
/// note type) falls back to Basic and still gets the question on the front
/// and the answer on the back.
pub const ANKI_COLUMNS: [&str; 9] = [
    "Front",
    "Back",
    "Number",
    "Topic",
    "Difficulty",
    "See also",
    "Id",
    "Tags",
    "GUID",
];

/// The header row of the `plain` flavour (stable: tools read it).
pub const PLAIN_COLUMNS: [&str; 8] = [
    "number",
    "id",
    "topic",
    "difficulty",
    "tags",
    "question",
    "answer",
    "related",
];

pub struct Csv {
    pub flavor: CsvFlavor,
}

impl Exporter for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_name(&self, bank: &Bank<'_>) -> PathBuf {
        let base = slug(deck_name(bank));
        match self.flavor {
            CsvFlavor::Anki => PathBuf::from(format!("{base}.csv")),
            CsvFlavor::Plain => PathBuf::from(format!("{base}.plain.csv")),
        }
    }

    fn start<'a>(
        &self,
        ctx: &'a Context<'a>,
        _previous: Option<&std::fs::File>,
    ) -> Result<Box<dyn Sink + Send + 'a>, Error> {
        Ok(match self.flavor {
            CsvFlavor::Anki => Box::new(AnkiCsv::new(ctx)),
            CsvFlavor::Plain => Box::new(PlainCsv { ctx }),
        })
    }
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("could not write the CSV: {e}"))
}

/// The `anki` flavour: header lines, then a row per card as cards arrive.
struct AnkiCsv {
    writer: csv::Writer<Vec<u8>>,
    deck_id: i64,
}

impl AnkiCsv {
    fn new(ctx: &Context<'_>) -> Self {
        let deck = deck_name(ctx.bank);
        let deck_id = ctx
            .bank
            .deck
            .as_ref()
            .and_then(|d| d.anki_deck_id.as_ref())
            .map_or(1, |v| v.value);
        let mut out = String::new();
        out.push_str("#separator:Tab\n#html:true\n");
        out.push_str(&format!(
            "#notetype:{}\n",
            super::anki::note_type_name(ctx.bank)
        ));
        out.push_str(&format!("#deck:{deck}\n"));
        out.push_str(&format!("#columns:{}\n", ANKI_COLUMNS.join("\t")));
        out.push_str("#tags column:8\n#guid column:9\n");
        // Every cell quoted: a GUID may start with `#`, which Anki would read
        // as a comment line if it were not.
        let writer = csv::WriterBuilder::new()
            .delimiter(b'\t')
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(out.into_bytes());
        Self { writer, deck_id }
    }
}

impl Sink for AnkiCsv {
    fn cards(&mut self, cards: &[Card]) -> Result<(), Error> {
        for c in cards {
            self.writer
                .write_record([
                    c.question.as_str(),
                    &c.answer,
                    &c.number.to_string(),
                    &c.topic,
                    &c.difficulty,
                    &c.see_also,
                    &c.id,
                    &c.tags.join(" "),
                    &guid(self.deck_id, &c.id),
                ])
                .map_err(csv_error)?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Content, Error> {
        self.writer
            .into_inner()
            .map(Content::Bytes)
            .map_err(|e| csv_error(e.error()))
    }
}

/// The `plain` flavour, written from the bank's Markdown source.
struct PlainCsv<'a> {
    ctx: &'a Context<'a>,
}

impl Sink for PlainCsv<'_> {
    fn wants_cards(&self) -> bool {
        false
    }

    fn cards(&mut self, _cards: &[Card]) -> Result<(), Error> {
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Content, Error> {
        plain(self.ctx).map(Content::Bytes).map_err(csv_error)
    }
}

fn plain(ctx: &Context<'_>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(PLAIN_COLUMNS)?;
    for (i, q) in ctx.bank.questions.iter().enumerate() {
        let text = |t: Option<&Text<'_>>| t.map_or(String::new(), |t| t.value().into_owned());
        let list = |items: &[Spanned<Str<'_>>]| {
            items
                .iter()
                .map(Spanned::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let row = [
            (i + 1).to_string(),
            q.id_str().unwrap_or("").to_owned(),
            q.topic
                .as_ref()
                .map_or(String::new(), |t| t.as_str().to_owned()),
            q.difficulty
                .as_ref()
                .map_or(String::new(), |d| d.value.as_str().to_owned()),
            list(&q.tags),
            text(q.question.as_ref()),
            text(q.answer.as_ref()),
            list(&q.related),
        ];
        w.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// OWASP's rule for CSV injection: a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet
/// shows it as text instead of running it as a formula. (The csv writer
/// quotes cells that need it.)
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("plain text"), "plain text");
        assert_eq!(neutralise("a = b"), "a = b");
    }
}
