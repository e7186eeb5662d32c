//! The bank as data, with the span of every value. Knows nothing of output
//! formats. Fields are `Option` because the linter must describe a broken
//! bank too; an export only ever sees a bank that linted clean.
//!
//! A [`Bank<'src>`](Bank) borrows from the file's text (`'src`, the
//! [`SourceFile`]): a scalar that stands in the file as written is not
//! copied ([`Str`]), and an answer written as a `|` block is kept as its
//! lines and rebuilt when read ([`Text::value`]), so a large bank costs
//! little more memory than its file.
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

/// A scalar's text: borrowed from the file's text when it stands there as
/// written (most ids, topics, tags and questions), owned when the YAML
/// changed it (quotes with escapes, folded lines, aliases). Borrowing keeps
/// a 100,000-question bank from holding a second copy of its scalars (and
/// the 24 bytes and allocator overhead of each of their ~700,000 strings).
pub type Str<'src> = Cow<'src, str>;

impl Spanned<Str<'_>> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A scalar whose parsed value is `value`, at `span` in the file's `text`:
/// borrowed from the file when it stands there as written (all of the
/// scalar, or the inside of its quotes), else an exact-size copy. A copy,
/// not the parser's own buffer: that has spare room, and shrinking it in
/// place would leave a hole between live strings that the allocator keeps.
pub fn str_at<'src>(value: &str, text: &'src str, span: Span) -> Str<'src> {
    match verbatim(value, text, span) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(value.to_owned()),
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

/// A Markdown text field (`question`, `answer`, deck `description`). Read
/// its text with [`Text::value`].
#[derive(Clone, Debug)]
pub struct Text<'src> {
    value: TextValue<'src>,
    pub span: Span,
    pub style: TextStyle,
}

/// Texts are equal when they say the same at the same place, however they
/// keep their values.
impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.span, self.style) == (other.span, other.style) && self.value() == other.value()
    }
}

impl Eq for Text<'_> {}

/// How a [`Text`] keeps its value.
#[derive(Clone, Debug)]
enum TextValue<'src> {
    /// Standing as written in the file, or changed by the YAML (owned).
    Str(Str<'src>),
    /// A `|` block kept as its lines in the file, and rebuilt when read: an
    /// answer is most of a bank, and holding a copy of every answer would
    /// double a large bank's memory.
    Literal(Literal<'src>),
}

/// A literal block scalar as it stands in the file: its value is its lines
/// with `indent` columns of indentation removed, the trailing line breaks
/// replaced by `breaks` of them (YAML's chomping). Only made when that
/// rebuilds exactly the value the YAML parser read (see [`Text::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Literal<'src> {
    /// From the start of the block's first content line to its end.
    lines: &'src str,
    indent: u32,
    breaks: u32,
}

impl<'src> Literal<'src> {
    /// The block at `span` in the file's `text` (`span` starts at the
    /// block's indentation on its first content line), if it rebuilds
    /// `value` exactly; a block it cannot rebuild (one that starts with a
    /// blank line, say) keeps its value owned instead.
    fn of(value: &str, text: &'src str, span: Span) -> Option<Self> {
        let before = text.get(..span.start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        if !before[line_start..].bytes().all(|b| b == b' ') {
            return None;
        }
        let literal = Self {
            lines: text.get(line_start..span.end)?,
            indent: u32::try_from(span.start - line_start).ok()?,
            breaks: u32::try_from(value.len() - value.trim_end_matches('\n').len()).ok()?,
        };
        literal.rebuilds(value).then_some(literal)
    }

    /// Feeds the value, piece by piece, to `f` until it returns false;
    /// false when `f` stopped or a line is not indented by `indent`.
    fn pieces(&self, mut f: impl FnMut(&'src str) -> bool) -> bool {
        let indent = self.indent as usize;
        let mut first = true;
        // Line breaks since the last line with content: written only when
        // more content follows (the rest is chomping's).
        let mut pending = 0;
        let mut start = 0;
        while start < self.lines.len() {
            // The lines as `split_terminator('\n')` gives them; memchr finds
            // their ends fastest.
            let end = memchr::memchr(b'\n', &self.lines.as_bytes()[start..])
                .map_or(self.lines.len(), |i| start + i);
            let line = &self.lines[start..end];
            start = end + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            let content = match line.get(..indent) {
                Some(margin) if margin.bytes().all(|b| b == b' ') => &line[indent..],
                _ if line.bytes().all(|b| b == b' ') => "",
                _ => return false,
            };
            if !first {
                pending += 1;
            }
            first = false;
            if content.is_empty() {
                continue;
            }
            for _ in 0..pending {
                if !f("\n") {
                    return false;
                }
            }
            pending = 0;
            if !f(content) {
                return false;
            }
        }
        (0..self.breaks).all(|_| f("\n"))
    }

    /// Feeds each line of the value that has content (without its line
    /// break) to `f` until it returns false; false when `f` stopped.
    /// Empty lines are left out.
    fn lines(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        // `pieces` gives each line with content whole, and each line break
        // on its own.
        self.pieces(|piece| piece == "\n" || f(piece))
    }

    fn build(&self) -> String {
        let mut value = String::with_capacity(self.lines.len());
        self.pieces(|piece| {
            value.push_str(piece);
            true
        });
        value
    }

    /// Whether the block rebuilds exactly `value`, without building it.
    fn rebuilds(&self, value: &str) -> bool {
        let mut rest = value;
        self.pieces(|piece| match rest.strip_prefix(piece) {
            Some(r) => {
                rest = r;
                true
            }
            None => false,
        }) && rest.is_empty()
    }
}

/// In the file a `Text` is a string of Markdown.
impl JsonSchema for Text<'_> {
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

impl<'src> Text<'src> {
    /// A text field whose parsed value is `value`, at `span` in the file's
    /// `text`: a value that stands there as written (a plain one-line
    /// scalar, or the inside of a quoted one) is borrowed from it, and a `|`
    /// block whose lines rebuild the value is kept as those lines.
    pub fn new(value: &str, text: &'src str, span: Span, style: TextStyle) -> Self {
        let value = if let Some(s) = verbatim(value, text, span) {
            TextValue::Str(Cow::Borrowed(s))
        } else if style == TextStyle::Literal
            && let Some(literal) = Literal::of(value, text, span)
        {
            TextValue::Literal(literal)
        } else {
            TextValue::Str(Cow::Owned(value.to_owned()))
        };
        Self { value, span, style }
    }

    /// The text: borrowed when it stands as written in the file, else
    /// rebuilt (a `|` block) or owned.
    pub fn value(&self) -> Cow<'_, str> {
        match &self.value {
            TextValue::Str(s) => Cow::Borrowed(s),
            TextValue::Literal(literal) => Cow::Owned(literal.build()),
        }
    }

    /// The start of the value, at least `max` bytes of it (whole lines of
    /// a `|` block, which is built only that far) unless it is shorter, and
    /// whether that is all of it (it may be all of it and say false).
    pub fn head(&self, max: usize) -> (Cow<'_, str>, bool) {
        match &self.value {
            TextValue::Str(s) => (Cow::Borrowed(s), true),
            TextValue::Literal(literal) => {
                let mut head = String::with_capacity(max + 80);
                let whole = literal.pieces(|piece| {
                    head.push_str(piece);
                    head.len() < max
                });
                (Cow::Owned(head), whole)
            }
        }
    }

    /// Feeds the value's lines (without their line breaks) to `f` until it
    /// returns false, without building a `|` block's value; false when `f`
    /// stopped. Empty lines may be left out.
    pub fn lines(&self, f: impl FnMut(&str) -> bool) -> bool {
        match &self.value {
            TextValue::Str(s) => s.split('\n').all(f),
            TextValue::Literal(literal) => literal.lines(f),
        }
    }

    /// The file span of the byte range `range` of the value: exact for `|`
    /// blocks and for one-line scalars that stand verbatim in the file, the
    /// whole scalar otherwise.
    pub fn span_of(&self, source: &SourceFile, range: Range<usize>) -> Span {
        match self.value_origin(source) {
            Some(origin) => Span::new(origin + range.start, origin + range.end),
            None => self.span_in(source, &self.value(), range),
        }
    }

    /// [`Text::span_of`] when the caller has the value already (`value`
    /// must be [`Text::value`]): a `|` block's value is not rebuilt for
    /// each finding.
    pub fn span_in(&self, source: &SourceFile, value: &str, range: Range<usize>) -> Span {
        match self.value_origin(source) {
            Some(origin) => Span::new(origin + range.start, origin + range.end),
            None if self.style == TextStyle::Literal => {
                let start = literal_offset(self.span, source, value, range.start);
                let end = literal_offset(self.span, source, value, range.end).max(start);
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

    /// Where the value stands as written in the file, if it does.
    fn value_origin(&self, source: &SourceFile) -> Option<usize> {
        let TextValue::Str(value) = &self.value else {
            return None;
        };
        let raw = source.text().get(self.span.start..self.span.end)?;
        Some(self.span.start + verbatim_offset(value, raw)?)
    }
}

/// The file offset of byte `offset` of `value`, the value of the `|` block
/// at `span`.
fn literal_offset(span: Span, source: &SourceFile, value: &str, offset: usize) -> usize {
    let value = &value[..offset.min(value.len())];
    let line = value.matches('\n').count();
    let col = value.rsplit('\n').next().unwrap_or("").chars().count();
    let start = source.line_col(span.start);
    source.offset_of(start.line + line, start.column - 1 + col)
}

/// `value` as it stands in the file's `text` at `span` (a scalar's span):
/// all of the scalar, or the inside of its quotes.
fn verbatim<'t>(value: &str, text: &'t str, span: Span) -> Option<&'t str> {
    let raw = text.get(span.start..span.end)?;
    let at = verbatim_offset(value, raw)?;
    Some(&raw[at..at + value.len()])
}

/// Where `value` stands as written in `raw`, a scalar's text in the file:
/// at 0 (all of it) or at 1 (the inside of its quotes).
fn verbatim_offset(value: &str, raw: &str) -> Option<usize> {
    if raw == value {
        return Some(0);
    }
    let quoted = raw.len() >= 2 && (raw.starts_with('"') || raw.starts_with('\''));
    let inside = raw.get(1..raw.len() - 1).filter(|_| quoted)?;
    (inside == value).then_some(1)
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
pub struct Deck<'src> {
    #[schemars(skip)]
    pub span: Span,
    #[schemars(
        required,
        pattern(r"\S"),
        description = "The deck's name in Anki, e.g. `Python Interview Questions`; `::` nests decks (`Python::Interview`). Anki keeps decks by name: new cards go to the deck of this name."
    )]
    pub name: Option<Spanned<Str<'src>>>,
    #[schemars(
        pattern(r"\S"),
        description = "Optional. Markdown shown as the deck's description in Anki and under the title of the Markdown export. Not empty or blank when given (null means none)."
    )]
    pub description: Option<Text<'src>>,
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
pub struct Topic<'src> {
    pub key: Spanned<Str<'src>>,
    pub title: Spanned<Str<'src>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields, description = "One question with its answer.")]
pub struct Question<'src> {
    /// The start of the list item (the first key), for findings about the
    /// whole question.
    #[schemars(skip)]
    pub span: Span,
    /// The whole list item: from its `-` to the end of its last value.
    #[schemars(skip)]
    pub item: Span,
    /// Where a comment at the end of the item's first line may start: after
    /// the last value that starts on that line. `None` when that value runs
    /// on to the next line.
    #[schemars(skip)]
    pub head_end: Option<usize>,
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
    pub id: Option<Spanned<Str<'src>>>,
    #[schemars(
        required,
        pattern(SLUG_PATTERN),
        description = "The question's topic: one of the keys declared under `topics` (rule `unknown-topic`)."
    )]
    pub topic: Option<Spanned<Str<'src>>>,
    #[schemars(
        required,
        description = "How senior a candidate the question is for: `junior`, `mid` or `senior`. Exported as the Anki tag `pyq::difficulty::<level>`."
    )]
    pub difficulty: Option<Spanned<Difficulty>>,
    #[schemars(
        default,
        extend("type" = ["array", "null"], "uniqueItems" = true),
        inner(pattern(crate::lint::rules::TAG_PATTERN)),
        description = "Optional Anki tags, e.g. `[asyncio, concurrency]`: lowercase letters, digits and `-`, `_`, `.`, `+`, `#`, `:` (`::` nests tags in Anki), no spaces (Anki splits tags on spaces), each once (rule `invalid-tag`). Exported as `pyq::tag::<tag>`, with `pyq::topic::<key>` and `pyq::difficulty::<level>` added."
    )]
    pub tags: Vec<Spanned<Str<'src>>>,
    #[schemars(
        required,
        pattern(r"\S"),
        description = "The question, in Markdown (CommonMark, tables, `$math$`). The front of the Anki card. Must not be empty or a placeholder such as TODO (rule `missing-question`)."
    )]
    pub question: Option<Text<'src>>,
    /// The span of the `question` key, when the key is present.
    #[schemars(skip)]
    pub question_key: Option<Span>,
    /// `answer` as written; `missing-answer` decides whether it is usable.
    #[schemars(
        required,
        pattern(r"\S"),
        description = "The interview-ready answer, in Markdown: CommonMark, tables, `$math$` and fenced code (`pyq check-code` runs the Python blocks). Write it as a literal block (`answer: |`) so findings point at their exact line. Must not be empty or a placeholder such as TODO (rule `missing-answer`)."
    )]
    pub answer: Option<Text<'src>>,
    /// The span of the `answer` key, when the key is present.
    #[schemars(skip)]
    pub answer_key: Option<Span>,
    #[schemars(
        default,
        extend("type" = ["array", "null"], "uniqueItems" = true),
        inner(pattern(SLUG_PATTERN)),
        description = "Optional ids of questions this one overlaps with, e.g. `[gil-threads]`. Links both ways: exports show \"See also\", and `near-duplicate` stays quiet for the pair. Each must be the `id` of another question (rule `unknown-related`)."
    )]
    pub related: Vec<Spanned<Str<'src>>>,
}

impl Question<'_> {
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(Spanned::as_str)
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
    description = "A bank of interview questions for pyq (file format version 1): `pyq lint` checks it, `pyq export` turns it into an Anki deck, a CSV, a Markdown document and an HTML page. See docs/formats.md."
)]
pub struct Bank<'src> {
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
    pub deck: Option<Deck<'src>>,
    /// The span of the `topics` mapping, when present.
    #[schemars(skip)]
    pub topics_span: Option<Span>,
    #[schemars(
        schema_with = "topics_schema",
        description = "The topics questions may use: a mapping from topic key (a kebab-case slug, e.g. `data-structures`) to its display title. Order matters: the Markdown export's contents follow it."
    )]
    pub topics: Vec<Topic<'src>>,
    /// The span of the `questions` key, when it holds a list.
    #[schemars(skip)]
    pub questions_key: Option<Span>,
    #[schemars(
        description = "The questions, in order; `number` runs 1..N down the list. An empty list is a warning (rule `empty-bank`)."
    )]
    pub questions: Vec<Question<'src>>,
    /// The span of the `retired` key, when present.
    #[schemars(skip)]
    pub retired_key: Option<Span>,
    #[schemars(
        default,
        extend("type" = ["array", "null"]),
        description = "Questions taken out of the bank after they were published. Their ids stay reserved (never reuse one), and the Anki export turns each learner's old note into a notice to delete it, tagged `pyq::retired`, because Anki never deletes notes on import. Put `retired:` above `questions:` in a large bank: the loader then parses it on both cores."
    )]
    pub retired: Vec<Retired<'src>>,
    /// [`Bank::related_both_ways`], once it is asked for.
    #[schemars(skip)]
    pub related: Related,
}

/// A loaded bank's related questions both ways, computed the first time
/// they are asked for ([`Bank::related_both_ways`]): an export asks on
/// several threads and in several exporters, and for a large bank each
/// computation was milliseconds on one core. Not part of what the bank
/// *is*: two banks compare equal whatever their caches hold.
#[derive(Clone, Default)]
pub struct Related(std::sync::OnceLock<Vec<Vec<usize>>>);

impl PartialEq for Related {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Related {}

impl std::fmt::Debug for Related {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Related")
    }
}

/// A question removed from the bank after it was published: a tombstone
/// that keeps its id reserved and tells learners to delete its note.
#[derive(Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    description = "A retired question: the id it was published under and why it went."
)]
pub struct Retired<'src> {
    /// The start of the list item (the first key).
    #[schemars(skip)]
    pub span: Span,
    #[schemars(
        required,
        pattern(SLUG_PATTERN),
        description = "The retired question's id, as it was published (see the bank's lock, `<bank>.pyq.lock`). No live question may use it again (rule `retired-id-reused`)."
    )]
    pub id: Option<Spanned<Str<'src>>>,
    #[schemars(
        required,
        with = "String",
        pattern(r"\S"),
        description = "Why the question went, in a sentence: shown to learners on the note they are asked to delete, in the Markdown export and in `pyq diff`."
    )]
    pub reason: Option<Spanned<Str<'src>>>,
    #[schemars(
        default,
        with = "String",
        pattern(SLUG_PATTERN),
        description = "Optional: the id of the live question that replaces this one; learners are pointed to it (rule `unknown-related`)."
    )]
    pub replaced_by: Option<Spanned<Str<'src>>>,
}

impl Retired<'_> {
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(Spanned::as_str)
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
    title.insert("pattern".into(), r"\S".into());
    json_schema!({
        "type": "object",
        "propertyNames": { "pattern": SLUG_PATTERN },
        "additionalProperties": title,
    })
}

impl Bank<'_> {
    /// For each question, the indices of the questions it is related to in
    /// either direction (`related` links both ways), sorted, without repeats;
    /// unknown ids are ignored (they are lint errors). Computed once, the
    /// first time it is asked for: a bank is not changed once it is loaded.
    pub fn related_both_ways(&self) -> &[Vec<usize>] {
        self.related.0.get_or_init(|| self.compute_related())
    }

    fn compute_related(&self) -> Vec<Vec<usize>> {
        let mut related = vec![Vec::new(); self.questions.len()];
        if self.questions.iter().all(|q| q.related.is_empty()) {
            return related;
        }
        // Sized at once: grown from empty, the map hashed every id again
        // at each doubling.
        let mut index: crate::hash::FastMap<&str, usize> =
            crate::hash::FastMap::with_capacity_and_hasher(
                self.questions.len(),
                Default::default(),
            );
        index.extend(
            self.questions
                .iter()
                .enumerate()
                .filter_map(|(i, q)| q.id_str().map(|id| (id, i))),
        );
        for (i, q) in self.questions.iter().enumerate() {
            for r in &q.related {
                if let Some(&j) = index.get(r.as_str()) {
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
            .map(|t| t.title.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::source::SourceFile;

    /// A bank with one question per answer, each written as `answer:`
    /// followed by the given YAML (the rest of that line and the lines
    /// below it).
    fn bank(answers: &[&str]) -> String {
        let mut y = String::from(
            "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\nquestions:\n",
        );
        for (i, a) in answers.iter().enumerate() {
            y.push_str(&format!(
                "  - number: {n}\n    id: q{n}\n    topic: t\n    difficulty: mid\n    question: Q{n}?\n    answer:{a}",
                n = i + 1
            ));
            if !a.ends_with('\n') {
                y.push('\n');
            }
        }
        y
    }

    /// The value the YAML parser reads for each `answer`, in file order.
    fn parsed_answers(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut after_key = false;
        for event in saphyr_parser::Parser::new_from_str(text) {
            let (event, _) = event.expect("valid YAML");
            if let saphyr_parser::Event::Scalar(value, ..) = event {
                let is_key = value == "answer";
                if after_key {
                    out.push(value.into_owned());
                }
                after_key = is_key;
            } else {
                after_key = false;
            }
        }
        out
    }

    /// Loads the bank; for each answer, its value and whether it is kept
    /// as its lines in the file (rebuilt when read).
    fn answers(text: &str) -> Vec<(String, bool)> {
        let source = SourceFile::new(Path::new("q.yaml"), text.to_owned());
        let loaded = crate::load::load(&source);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded
            .bank
            .questions
            .iter()
            .map(|q| {
                let a = q.answer.as_ref().expect("an answer");
                (
                    a.value().into_owned(),
                    matches!(a.value, TextValue::Literal(_)),
                )
            })
            .collect()
    }

    #[test]
    fn literal_blocks_are_kept_as_lines_and_read_back_exactly() {
        let cases: &[(&str, bool)] = &[
            (" |\n      one line\n", false), // verbatim in the file: borrowed
            (" |\n      a\n      b\n", true),
            (" |-\n      a\n      b\n\n\n", true),
            (" |+\n      a\n      b\n\n\n", true),
            (" |\n      a\n\n\n        indented\n      b   \n\n", true),
            (" |\n      a\n        \n      b\n", true),
            (" | # a comment\n      a\n      b\n", true),
            (" |\n      a\n      b", true),
            (" |\n      tab\tinside\n      b\n", true),
            (" |\n      \u{e9}\u{1F600} multibyte\n      b\n", true),
            (" |2\n        a\n      b\n", true),
            // Owned: a leading blank line is not rebuilt from the lines.
            (" |\n\n      a\n      b\n", false),
            (" |\n", false),
            (" >\n      folded\n      text\n", false),
            (" \"quoted \\\" escape\"\n", false),
            (" 'quoted'\n", false),
        ];
        let text = bank(&cases.iter().map(|c| c.0).collect::<Vec<_>>());
        let expected = parsed_answers(&text);
        let got = answers(&text);
        assert_eq!(got.len(), cases.len());
        for ((case, literal), (expected, (value, kept))) in
            cases.iter().zip(expected.iter().zip(&got))
        {
            assert_eq!(value, expected, "{case:?}");
            assert_eq!(kept, literal, "{case:?}");
        }
    }

    #[test]
    fn crlf_literal_blocks_read_back_exactly() {
        let text = bank(&[" |\n      a\n\n      b\n"]).replace('\n', "\r\n");
        let got = answers(&text);
        assert_eq!(got[0].0, parsed_answers(&text)[0]);
        assert!(got[0].1);
    }

    #[test]
    fn plain_scalars_are_borrowed_from_the_file() {
        let text = bank(&[" plain"]);
        let source = SourceFile::new(Path::new("q.yaml"), text.clone());
        let loaded = crate::load::load(&source);
        let q = &loaded.bank.questions[0];
        let id = q.id.as_ref().expect("id");
        assert!(matches!(id.value, Cow::Borrowed(_)));
        let question = q.question.as_ref().expect("question");
        assert!(matches!(question.value, TextValue::Str(Cow::Borrowed(_))));
        assert_eq!(question.value(), "Q1?");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever a literal block holds, the loaded answer is what the
        /// YAML parser reads.
        #[test]
        fn literal_blocks_read_back_as_parsed(
            lines in prop::collection::vec("( {0,3})([a-z#:\\-\t é]{0,6})( {0,2})", 1..8),
            chomp in prop::sample::select(vec!["", "-", "+"]),
            trailing in 0usize..3,
        ) {
            let mut answer = format!(" |{chomp}\n");
            for line in &lines {
                if line.trim().is_empty() {
                    answer.push('\n');
                } else {
                    answer.push_str(&format!("      {line}\n"));
                }
            }
            answer.push_str(&"\n".repeat(trailing));
            let text = bank(&[&answer]);
            // Only blocks the parser accepts (a tab may start a line).
            let parsed: Result<Vec<_>, _> = saphyr_parser::Parser::new_from_str(&text).collect();
            prop_assume!(parsed.is_ok());
            let source = SourceFile::new(Path::new("q.yaml"), text.clone());
            let loaded = crate::load::load(&source);
            prop_assume!(loaded.diagnostics.is_empty());
            let answer = loaded.bank.questions[0].answer.as_ref().expect("answer");
            let value = answer.value().into_owned();
            prop_assert_eq!(&value, &parsed_answers(&text)[0]);
            // Its start and its lines, read without building it.
            for max in [0, 3, 10, 1000] {
                let (head, whole) = answer.head(max);
                prop_assert!(value.starts_with(head.as_ref()) && head.len() >= max.min(value.len()));
                prop_assert!(!whole || head == value);
            }
            let mut lines = Vec::new();
            let all = answer.lines(|line| {
                lines.push(line.to_owned());
                true
            });
            prop_assert!(all);
            lines.retain(|l| !l.is_empty());
            let expected: Vec<&str> = value.split('\n').filter(|l| !l.is_empty()).collect();
            prop_assert_eq!(lines, expected);
        }
    }
}
