//! The bank as data, with the span of every value. Knows nothing of output
//! formats. Fields are `Option` because the linter must describe a broken
//! bank too; an export only ever sees a bank that linted clean.

use std::ops::Range;

use crate::source::{SourceFile, Span};

/// A value and where it stands in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// How a text scalar was written; the literal block style (`|`) keeps a
/// line-for-line map from the value to the file, which lets findings inside
/// an answer point at their exact line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextStyle {
    /// `|` block: value line k is file line `span`'s line + k, shifted by
    /// the block's indentation.
    Literal,
    /// Anything else (plain, quoted, folded): positions fall back to the
    /// start of the scalar.
    Other,
}

/// A Markdown text field (`question`, `answer`, deck `description`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Span,
    pub style: TextStyle,
}

impl Text {
    /// The file span of the byte range `range` of the value: exact for `|`
    /// blocks and for one-line scalars that stand verbatim in the file, the
    /// whole scalar otherwise.
    pub fn span_of(&self, source: &SourceFile, range: Range<usize>) -> Span {
        match self.value_origin(source) {
            Some(origin) => Span::new(origin + range.start, origin + range.end),
            None if self.style == TextStyle::Literal => {
                let start = self.literal_offset(source, range.start);
                let end = self.literal_offset(source, range.end).max(start);
                Span::new(start, end)
            }
            None => self.span,
        }
    }

    /// The 1-based file line of the value's line `index` (0-based) in a `|`
    /// block, or the scalar's first line otherwise.
    pub fn file_line(&self, source: &SourceFile, index: usize) -> usize {
        let start = source.line_col(self.span.start).line;
        match self.style {
            TextStyle::Literal => start + index,
            TextStyle::Other => start,
        }
    }

    fn value_origin(&self, source: &SourceFile) -> Option<usize> {
        let raw = source.text().get(self.span.start..self.span.end)?;
        if raw == self.value {
            return Some(self.span.start);
        }
        let quoted = raw.len() >= 2 && (raw.starts_with('"') || raw.starts_with('\''));
        (quoted && raw[1..raw.len() - 1] == self.value).then_some(self.span.start + 1)
    }

    fn literal_offset(&self, source: &SourceFile, offset: usize) -> usize {
        let value = &self.value[..offset.min(self.value.len())];
        let line = value.matches('\n').count();
        let col = value.rsplit('\n').next().unwrap_or("").chars().count();
        let start = source.line_col(self.span.start);
        source.offset_of(start.line + line, start.column - 1 + col)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Difficulty {
    Junior,
    Mid,
    Senior,
}

impl Difficulty {
    pub const ALL: [Self; 3] = [Self::Junior, Self::Mid, Self::Senior];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Junior => "junior",
            Self::Mid => "mid",
            Self::Senior => "senior",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deck {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub description: Option<Text>,
    pub anki_deck_id: Option<Spanned<i64>>,
    pub anki_model_id: Option<Spanned<i64>>,
}

/// One declared topic: its key and display title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Question {
    /// The start of the list item (the first key), for findings about the
    /// whole question.
    pub span: Span,
    pub number: Option<Spanned<i64>>,
    pub id: Option<Spanned<String>>,
    pub topic: Option<Spanned<String>>,
    pub difficulty: Option<Spanned<Difficulty>>,
    pub tags: Vec<Spanned<String>>,
    pub question: Option<Text>,
    /// `answer` as written; `missing-answer` decides whether it is usable.
    pub answer: Option<Text>,
    /// The span of the `answer` key, when the key is present.
    pub answer_key: Option<Span>,
    pub related: Vec<Spanned<String>>,
}

impl Question {
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(|s| s.value.as_str())
    }

    /// How reports name this question: "question 12 (`some-id`)", by its
    /// position in the file (its `number` may be the thing that is wrong).
    pub fn describe(&self, index: usize) -> String {
        let number = index + 1;
        match self.id_str() {
            Some(id) => format!("question {number} (`{id}`)"),
            None => format!("question {number}"),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bank {
    pub version: Option<Spanned<i64>>,
    pub deck: Option<Deck>,
    /// The span of the `topics` mapping, when present.
    pub topics_span: Option<Span>,
    pub topics: Vec<Topic>,
    pub questions: Vec<Question>,
}

impl Bank {
    /// For each question, the indices of the questions it is related to in
    /// either direction (`related` links both ways), sorted, without repeats;
    /// unknown ids are ignored (they are lint errors).
    pub fn related_both_ways(&self) -> Vec<Vec<usize>> {
        let index: crate::hash::FastMap<&str, usize> = self
            .questions
            .iter()
            .enumerate()
            .filter_map(|(i, q)| q.id_str().map(|id| (id, i)))
            .collect();
        let mut related = vec![Vec::new(); self.questions.len()];
        for (i, q) in self.questions.iter().enumerate() {
            for r in &q.related {
                if let Some(&j) = index.get(r.value.as_str()) {
                    related[i].push(j);
                    related[j].push(i);
                }
            }
        }
        for list in &mut related {
            list.sort_unstable();
            list.dedup();
        }
        related
    }

    pub fn topic_title(&self, key: &str) -> Option<&str> {
        self.topics
            .iter()
            .find(|t| t.key.value == key)
            .map(|t| t.title.value.as_str())
    }
}
