//! The bank as data, with the span of every value. Knows nothing of output
//! formats. Fields are `Option` because the linter must describe a broken
//! bank too; an export only ever sees a bank that linted clean.
//!
//! The same types describe the file format to editors: `pyq schema` derives
//! a JSON Schema from them (`#[derive(JsonSchema)]` and the `#[schemars]`
//! attributes below), so a key added here and in `load.rs` shows up in
//! `questions.schema.json`. To add one: give the field a
//! `#[schemars(description = ...)]` (editors show it as hover text), mark it
//! `required` when the loader requires it, `skip` when it only holds spans,
//! `default` when it is an optional list. An optional `Option` field may be
//! null in the schema; where the loader rejects null, write
//! `#[schemars(default, with = "String")]`. Derive `JsonSchema` on a new type
//! with `#[schemars(deny_unknown_fields)]` when the loader reports unknown
//! keys in it. Then `cargo run -- schema > questions.schema.json`; tests fail
//! while the committed schema, `pyq schema` and the loader's keys disagree.

use std::borrow::Cow;
use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::load::SLUG_PATTERN;
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

/// In the file a `Spanned<T>` is just its `T`: the span is pyq's own.
impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
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

/// In the file a `Text` is a string of Markdown.
impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Markdown".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "contentMediaType": "text/markdown",
        })
    }
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[schemars(rename_all = "lowercase")]
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

#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    description = "The Anki deck the questions are exported to."
)]
pub struct Deck {
    #[schemars(skip)]
    pub span: Span,
    #[schemars(
        required,
        description = "The deck's name in Anki, e.g. `Python Interview Questions`; `::` nests decks (`Python::Interview`). Anki keeps decks by name: new cards go to the deck of this name."
    )]
    pub name: Option<Spanned<String>>,
    #[schemars(
        description = "Optional. Markdown shown as the deck's description in Anki and under the title of the Markdown export."
    )]
    pub description: Option<Text>,
    #[schemars(
        required,
        range(min = 1),
        description = "The Anki deck id: a positive integer (e.g. the current time in milliseconds), picked once and never changed once published. It seeds every note's identity: changing it makes every card new for learners."
    )]
    pub anki_deck_id: Option<Spanned<i64>>,
    #[schemars(
        required,
        range(min = 1),
        description = "The Anki note type id: a positive integer, picked once and never changed once published, different from `anki_deck_id`. Changing it makes a new note type, and learners' notes stop updating."
    )]
    pub anki_model_id: Option<Spanned<i64>>,
}

/// One declared topic: its key and display title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub key: Spanned<String>,
    pub title: Spanned<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields, description = "One question with its answer.")]
pub struct Question {
    /// The start of the list item (the first key), for findings about the
    /// whole question.
    #[schemars(skip)]
    pub span: Span,
    #[schemars(
        required,
        range(min = 1),
        description = "The question's position: 1, 2, ... N in file order, no gaps or repeats (rule `numbering`; `pyq lint --fix` renumbers). People cite questions by it; it is not their identity, `id` is."
    )]
    pub number: Option<Spanned<i64>>,
    #[schemars(
        required,
        pattern(SLUG_PATTERN),
        description = "The question's permanent identity: a kebab-case slug (lowercase ASCII letters and digits in groups joined by single hyphens, e.g. `asyncio-first-completed`), unique in the bank. Never change it once published: Anki notes, their review history and Markdown anchors follow it."
    )]
    pub id: Option<Spanned<String>>,
    #[schemars(
        required,
        pattern(SLUG_PATTERN),
        description = "The question's topic: one of the keys declared under `topics` (rule `unknown-topic`)."
    )]
    pub topic: Option<Spanned<String>>,
    #[schemars(
        required,
        description = "How senior a candidate the question is for: `junior`, `mid` or `senior`. Exported as the Anki tag `difficulty::<level>`."
    )]
    pub difficulty: Option<Spanned<Difficulty>>,
    #[schemars(
        default,
        extend("type" = ["array", "null"], "uniqueItems" = true),
        inner(pattern(crate::lint::rules::TAG_PATTERN)),
        description = "Optional Anki tags, e.g. `[asyncio, concurrency]`: lowercase letters, digits and `-`, `_`, `.`, `+`, `#`, `:` (`::` nests tags in Anki), no spaces (Anki splits tags on spaces), each once (rule `invalid-tag`). `topic::<key>` and `difficulty::<level>` are added on export."
    )]
    pub tags: Vec<Spanned<String>>,
    #[schemars(
        required,
        description = "The question, in Markdown (CommonMark, tables, `$math$`). The front of the Anki card."
    )]
    pub question: Option<Text>,
    /// `answer` as written; `missing-answer` decides whether it is usable.
    #[schemars(
        required,
        pattern(r"\S"),
        description = "The interview-ready answer, in Markdown: CommonMark, tables, `$math$` and fenced code (`pyq check-code` runs the Python blocks). Write it as a literal block (`answer: |`) so findings point at their exact line. Must not be empty or a placeholder such as TODO (rule `missing-answer`)."
    )]
    pub answer: Option<Text>,
    /// The span of the `answer` key, when the key is present.
    #[schemars(skip)]
    pub answer_key: Option<Span>,
    #[schemars(
        default,
        extend("type" = ["array", "null"], "uniqueItems" = true),
        inner(pattern(SLUG_PATTERN)),
        description = "Optional ids of questions this one overlaps with, e.g. `[gil-threads]`. Links both ways: exports show \"See also\", and `near-duplicate` stays quiet for the pair. Each must be the `id` of another question (rule `unknown-related`)."
    )]
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

#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    title = "pyq question bank",
    description = "A bank of interview questions for pyq (file format version 1): `pyq lint` checks it, `pyq export` turns it into an Anki deck, a CSV and a Markdown document. See docs/formats.md."
)]
pub struct Bank {
    #[schemars(
        required,
        extend("const" = 1),
        description = "The file format version. Always 1 for this pyq."
    )]
    pub version: Option<Spanned<i64>>,
    #[schemars(
        required,
        description = "The Anki deck: its name, an optional description and the two ids that keep learners' cards updating in place."
    )]
    pub deck: Option<Deck>,
    /// The span of the `topics` mapping, when present.
    #[schemars(skip)]
    pub topics_span: Option<Span>,
    #[schemars(
        schema_with = "topics_schema",
        description = "The topics questions may use: a mapping from topic key (a kebab-case slug, e.g. `data-structures`) to its display title. Order matters: the Markdown export's contents follow it."
    )]
    pub topics: Vec<Topic>,
    #[schemars(description = "The questions, in order; `number` runs 1..N down the list.")]
    pub questions: Vec<Question>,
    /// The span of the `retired` key, when present.
    #[schemars(skip)]
    pub retired_key: Option<Span>,
    #[schemars(
        default,
        extend("type" = ["array", "null"]),
        description = "Questions taken out of the bank after they were published. Their ids stay reserved (never reuse one), and the Anki export turns each learner's old note into a notice to delete it, tagged `pyq::retired`, because Anki never deletes notes on import. Put `retired:` above `questions:` in a large bank: the loader then parses it on both cores."
    )]
    pub retired: Vec<Retired>,
}

/// A question removed from the bank after it was published: a tombstone
/// that keeps its id reserved and tells learners to delete its note.
#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    description = "A retired question: the id it was published under and why it went."
)]
pub struct Retired {
    /// The start of the list item (the first key).
    #[schemars(skip)]
    pub span: Span,
    #[schemars(
        required,
        pattern(SLUG_PATTERN),
        description = "The retired question's id, as it was published (see `pyq.lock`). No live question may use it again (rule `retired-id-reused`)."
    )]
    pub id: Option<Spanned<String>>,
    #[schemars(
        required,
        with = "String",
        description = "Why the question went, in a sentence: shown to learners on the note they are asked to delete, in the Markdown export and in `pyq diff`."
    )]
    pub reason: Option<Spanned<String>>,
    #[schemars(
        default,
        with = "String",
        pattern(SLUG_PATTERN),
        description = "Optional: the id of the live question that replaces this one; learners are pointed to it (rule `unknown-related`)."
    )]
    pub replaced_by: Option<Spanned<String>>,
}

impl Retired {
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(|s| s.value.as_str())
    }
}

/// `topics` is a YAML mapping from [`Topic::key`] to [`Topic::title`],
/// which the model keeps as a list (in file order, with spans).
fn topics_schema(generator: &mut SchemaGenerator) -> Schema {
    let mut title = generator.subschema_for::<Spanned<String>>();
    title.insert(
        "description".into(),
        "The topic's display title, e.g. `Asyncio and concurrency`: heads its section in the Markdown export.".into(),
    );
    json_schema!({
        "type": "object",
        "propertyNames": { "pattern": SLUG_PATTERN },
        "additionalProperties": title,
    })
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
