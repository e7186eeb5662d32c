//! YAML text → [`Bank`], straight from the parser's event stream, keeping
//! the span of every value and collecting every schema problem (unknown,
//! duplicate and missing keys, wrong types) instead of stopping at the first.
//!
//! Safety limits, each reported as `yaml-syntax` at the place it trips:
//! file size ([`MAX_FILE_BYTES`]), nesting depth ([`MAX_DEPTH`]), alias
//! expansion ([`MAX_ALIAS_EVENTS`]) and anchored content
//! ([`MAX_ANCHOR_EVENTS`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput};

use crate::diagnostic::Diagnostic;
use crate::lint::codes::Rule;
use crate::model::{
    Bank, Deck, Difficulty, Question, Retired, Spanned, Str, Text, TextStyle, Topic,
};
use crate::source::{SourceFile, Span};

/// Largest bank pyq reads (bytes). A 100,000-question bank is about 77 MB.
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;
/// Deepest nesting of sequences and mappings. The format needs 4.
pub const MAX_DEPTH: usize = 64;
/// Events that aliases may replay in one file (guards against alias bombs).
pub const MAX_ALIAS_EVENTS: usize = 100_000;
/// Events that anchors may record in one file.
pub const MAX_ANCHOR_EVENTS: usize = 1_000_000;

/// The result of loading: the model (possibly partial) and the findings made
/// while loading. When `complete` is false the YAML could not be read to the
/// end and content rules are not run (they would only report the fallout).
#[derive(Debug)]
pub struct Loaded<'src> {
    pub bank: Bank<'src>,
    pub diagnostics: Vec<Diagnostic>,
    pub complete: bool,
}

/// Loads a bank from a source file's text. A large bank's questions are
/// parsed in two parts on two threads (see [`split`]); whenever the parts do
/// not load cleanly, the whole file is loaded again in one piece, so the
/// findings are always those of a plain sequential load.
pub fn load(source: &SourceFile) -> Loaded<'_> {
    if let Some(diagnostic) = encoding_problem(source) {
        return Loaded {
            bank: Bank::default(),
            diagnostics: vec![diagnostic],
            complete: false,
        };
    }
    if source.text().len() > MAX_FILE_BYTES {
        let diagnostic = Diagnostic::new(
            Rule::YamlSyntax,
            Span::new(0, 0),
            format!(
                "the file is {} bytes, over pyq's limit of {MAX_FILE_BYTES} bytes",
                source.text().len()
            ),
        )
        .help("split the bank, or check that this is the right file");
        return Loaded {
            bank: Bank::default(),
            diagnostics: vec![diagnostic],
            complete: false,
        };
    }
    if let Some(loaded) = split(source.text()).and_then(|parts| load_parts(source, parts)) {
        return loaded;
    }
    let mut loader = Loader::new(source);
    let complete = loader.document().is_some();
    loader.bank.questions.shrink_to_fit();
    if !complete {
        // Mappings the parser never finished are not missing anything we can
        // know about: their keys may stand after the syntax error.
        loader.diagnostics.retain(|d| d.rule != Rule::MissingField);
    }
    Loaded {
        bank: loader.bank,
        diagnostics: loader.diagnostics,
        complete,
    }
}

/// A file in UTF-16 or UTF-32, or not valid UTF-8: what it is, where, and
/// how to convert it.
fn encoding_problem(source: &SourceFile) -> Option<Diagnostic> {
    let file = source.name();
    if let Some(encoding) = source.encoding() {
        let bits = encoding.unit * 8;
        let (found, from) = if encoding.bom {
            // iconv reads the byte order from the mark and drops it.
            ("its byte-order mark", format!("UTF-{bits}"))
        } else {
            ("the zero bytes between its letters", encoding.name())
        };
        return Some(
            Diagnostic::new(
                Rule::YamlSyntax,
                Span::new(0, 0),
                format!("the file is {}, not UTF-8", encoding.name()),
            )
            .label(format!("{} ({found})", encoding.name()))
            .help(format!(
                "pyq reads UTF-8 only: convert it with `iconv -f {from} -t UTF-8 {file} > fixed.yaml` and replace {file} with fixed.yaml, or save it from your editor with the encoding \"UTF-8\""
            )),
        );
    }
    let (at, byte) = source.invalid_utf8_at()?;
    // The bad byte shows as U+FFFD, three bytes of the lossy text.
    let end = at + source.text()[at..].chars().next().map_or(0, char::len_utf8);
    let mut d = Diagnostic::new(
        Rule::YamlSyntax,
        Span::new(at, end),
        format!("the file is not valid UTF-8: byte 0x{byte:02X} is not part of a UTF-8 character"),
    );
    d = match windows_1252(byte) {
        Some(c) => d
            .label(format!("byte 0x{byte:02X}, `{c}` in Latin-1 or Windows-1252"))
            .help(format!(
                "the file looks saved as Latin-1 or Windows-1252 (where 0x{byte:02X} is `{c}`): convert it with `iconv -f WINDOWS-1252 -t UTF-8 {file} > fixed.yaml` and replace {file} with fixed.yaml, or save it from your editor with the encoding \"UTF-8\""
            )),
        None => d
            .label(format!("byte 0x{byte:02X}"))
            .help("save the file as UTF-8 (in your editor, or with `iconv -f <its encoding> -t UTF-8`)"),
    };
    Some(d)
}

/// The character a byte stands for in Windows-1252, the superset of
/// Latin-1 that Windows editors save (0x80–0x9F hold its extra
/// punctuation; five of them are unassigned).
fn windows_1252(byte: u8) -> Option<char> {
    const HIGH: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        0xA0..=0xFF => char::from_u32(u32::from(byte)).filter(|c| !c.is_whitespace()),
        _ => None,
    }
}

/// `span` of a scalar of `style`, ending at its closing quote: the parser's
/// span of a quoted scalar runs on over the white space and comment after
/// it (`"a"  # note`).
fn quoted_end(text: &str, span: Span, style: ScalarStyle) -> Span {
    let quote = match style {
        ScalarStyle::DoubleQuoted => b'"',
        ScalarStyle::SingleQuoted => b'\'',
        _ => return span,
    };
    let bytes = text.as_bytes();
    if bytes.get(span.start) != Some(&quote) {
        return span;
    }
    let mut i = span.start + 1;
    while i < span.end {
        // Straight to the next quote, or backslash in a double-quoted one.
        let rest = &bytes[i..span.end];
        let next = if quote == b'"' {
            memchr::memchr2(b'"', b'\\', rest)
        } else {
            memchr::memchr(b'\'', rest)
        };
        let Some(k) = next else {
            break;
        };
        i += k;
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            _ => return Span::new(span.start, i + 1),
        }
    }
    span
}

/// Banks smaller than this load in one piece (a split would not pay).
const SPLIT_MIN_BYTES: usize = 4 * 1024 * 1024;

/// A byte range of the file that one loader parses.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Part {
    range: std::ops::Range<usize>,
    /// Questions before this part.
    index_base: usize,
    /// The head (everything before the first question): `questions:` is
    /// loaded by the other parts.
    head_only: bool,
    /// How many questions to make room for.
    items: usize,
}

impl Part {
    fn whole(source: &SourceFile) -> Self {
        Self {
            range: 0..source.text().len(),
            index_base: 0,
            head_only: false,
            items: 0,
        }
    }
}

/// Splits a large bank into its head and two halves of its `questions`
/// list, at the start of a list item. YAML's indentation rules make a line
/// that starts with the list's own `- ` at the list's indentation the start
/// of an item: no scalar or flow collection of an item can contain one.
/// `None` when the file is small or not laid out as a plain block list that
/// runs to the end of the file under a top-level `questions:` key.
fn split(text: &str) -> Option<(Part, Part, Part)> {
    if text.len() < SPLIT_MIN_BYTES {
        return None;
    }
    let bytes = text.as_bytes();
    let key = if text.starts_with("questions:") {
        0
    } else {
        memchr::memmem::find(bytes, b"\nquestions:")? + 1
    };
    // A second `questions:` key further down is a line at the top level,
    // which `list_items` finds not part of the list.
    let after_key = &text[key + "questions:".len()..];
    let rest_of_line = &after_key[..after_key.find('\n')?];
    if !(rest_of_line.trim().is_empty() || rest_of_line.trim_start().starts_with('#')) {
        return None;
    }
    let region = key + "questions:".len() + rest_of_line.len() + 1;
    // The list's first line with content is its first item, and gives the
    // list's indentation.
    let mut start = region;
    let (first, indent) = loop {
        if start >= bytes.len() {
            return None;
        }
        let end = line_end(bytes, start);
        match ListLine::of(&bytes[start..end]) {
            ListLine::Blank => start = end + 1,
            ListLine::Item(spaces) => break (start, spaces),
            ListLine::Other(_) => return None,
        }
    };
    // Split only a list that has an item at or after its middle.
    let list_middle = region + (text.len() - region) / 2;
    if first >= list_middle {
        return None;
    }
    // The halves meet at the first item at or after the middle of the file,
    // so that the thread that also loads the head (a long `retired:` list,
    // say) has as much to do as the other; after the first item when the
    // head is more than half of the file.
    let middle = (text.len() / 2).max(first + 1);
    let after_middle = if bytes[middle - 1] == b'\n' {
        middle
    } else {
        line_end(bytes, middle).saturating_add(1).min(bytes.len())
    };
    // Both halves' lines are checked at once, on two threads.
    let (before, second) = std::thread::scope(|s| {
        let second = s.spawn(|| list_items(bytes, after_middle..bytes.len(), indent));
        let before = list_items(bytes, first..after_middle, indent);
        (before, second.join().ok().flatten())
    });
    let (before, second) = (before?, second?);
    if second.last? < list_middle {
        return None;
    }
    let mid = second.first?;
    Some((
        Part {
            range: 0..first,
            index_base: 0,
            head_only: true,
            items: 0,
        },
        Part {
            range: first..mid,
            index_base: 0,
            head_only: false,
            // Room for the second part's questions too: they are appended.
            items: before.count + second.count,
        },
        Part {
            range: mid..text.len(),
            index_base: before.count,
            head_only: false,
            items: second.count,
        },
    ))
}

/// The offset of the end of the line that starts at `start` (its `\n`, or
/// the end of the text).
fn line_end(bytes: &[u8], start: usize) -> usize {
    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i)
}

/// A line of a block list, as [`split`] sees it (without its `\n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListLine {
    /// White space only, or a comment.
    Blank,
    /// `- ...` or `-` after this many spaces.
    Item(usize),
    /// Anything else after this many spaces.
    Other(usize),
}

impl ListLine {
    fn of(line: &[u8]) -> Self {
        let mut body = line;
        while let [rest @ .., b'\r'] = body {
            body = rest;
        }
        let spaces = body.iter().take_while(|&&b| b == b' ').count();
        match &body[spaces..] {
            [] | [b'#', ..] => Self::Blank,
            [b'-'] | [b'-', b' ', ..] => Self::Item(spaces),
            _ => Self::Other(spaces),
        }
    }
}

/// What [`list_items`] found in some lines of a block list: how many of its
/// items start there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ListItems {
    count: usize,
    /// Where the first and the last of them start.
    first: Option<usize>,
    last: Option<usize>,
}

/// The items of a block list indented by `indent` among the lines that
/// start in `lines`, or `None` if one of those lines cannot be part of the
/// list: it is indented less than the list, or as much but is not an item
/// (white space and comments aside).
fn list_items(bytes: &[u8], lines: std::ops::Range<usize>, indent: usize) -> Option<ListItems> {
    let mut items = ListItems {
        count: 0,
        first: None,
        last: None,
    };
    let mut start = lines.start;
    while start < lines.end {
        let end = line_end(bytes, start);
        let line = &bytes[start..end];
        // Most lines are inside an item: indented more than the list.
        let inside = line.len() > indent && line[..=indent].iter().all(|&b| b == b' ');
        if !inside {
            match ListLine::of(line) {
                ListLine::Blank => {}
                ListLine::Item(spaces) if spaces == indent => {
                    items.count += 1;
                    items.first.get_or_insert(start);
                    items.last = Some(start);
                }
                ListLine::Item(spaces) | ListLine::Other(spaces) if spaces > indent => {}
                ListLine::Item(_) | ListLine::Other(_) => return None,
            }
        }
        start = end + 1;
    }
    Some(items)
}

/// Loads the head and the two halves of a split bank (the second half on
/// another thread); `None` if any part stopped or does not fit together,
/// for example an alias to an anchor in another part.
fn load_parts(
    source: &SourceFile,
    (head, first, second): (Part, Part, Part),
) -> Option<Loaded<'_>> {
    let list = |part: Part| {
        let mut loader = Loader::part(source, part);
        let ok = loader.list_document().is_ok();
        ok.then_some((loader.bank.questions, loader.diagnostics))
    };
    let (head, first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| list(second));
        let mut head_loader = Loader::part(source, head);
        let head_ok = head_loader.document().is_some();
        let head = head_ok.then_some((head_loader.bank, head_loader.diagnostics));
        let first = list(first);
        (head, first, second.join().ok().flatten())
    });
    let ((mut bank, mut diagnostics), (q1, d1), (q2, d2)) = (head?, first?, second?);
    bank.questions = q1;
    bank.questions.reserve_exact(q2.len());
    bank.questions.extend(q2);
    diagnostics.extend(d1);
    diagnostics.extend(d2);
    Some(Loaded {
        bank,
        diagnostics,
        complete: true,
    })
}

/// One parser event with its span turned into byte offsets.
#[derive(Clone, Debug)]
enum Ev<'a> {
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
        span: Span,
    },
    SeqStart(Span),
    SeqEnd(Span),
    MapStart(Span),
    MapEnd(Span),
    DocStart(Span),
    DocEnd,
    StreamEnd(Span),
}

impl Ev<'_> {
    fn span(&self) -> Span {
        match self {
            Self::Scalar { span, .. }
            | Self::SeqStart(span)
            | Self::SeqEnd(span)
            | Self::MapStart(span)
            | Self::MapEnd(span)
            | Self::DocStart(span)
            | Self::StreamEnd(span) => *span,
            Self::DocEnd => Span::default(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Scalar { .. } => "a scalar",
            Self::SeqStart(_) | Self::SeqEnd(_) => "a sequence",
            Self::MapStart(_) | Self::MapEnd(_) => "a mapping",
            Self::DocStart(_) | Self::DocEnd | Self::StreamEnd(_) => "the end of the document",
        }
    }
}

/// A stop in loading: the YAML could not be read on (the finding is
/// already recorded).
struct Stop;

type Res<T> = Result<T, Stop>;

struct Recording<'a> {
    anchor: usize,
    depth: usize,
    events: Vec<Ev<'a>>,
}

struct Loader<'a> {
    source: &'a SourceFile,
    /// The text this loader parses: the whole file, or one part of it.
    text: &'a str,
    /// Where `text` starts in the file.
    base: usize,
    /// How many questions come before this part.
    index_base: usize,
    /// The head of a split file: `questions:` is loaded by other parts.
    head_only: bool,
    parser: Parser<'a, StrInput<'a>>,
    bank: Bank<'a>,
    diagnostics: Vec<Diagnostic>,
    depth: usize,
    anchors: HashMap<usize, Vec<Ev<'a>>>,
    recordings: Vec<Recording<'a>>,
    recorded: usize,
    /// Alias replays in progress: (anchor, next event index, the alias's
    /// own span in the file).
    replay: Vec<(usize, usize, Span)>,
    replayed: usize,
    cursor: Cursor,
    /// The end of the last scalar or alias read from the file (replays of
    /// aliases aside): where the current question's content ends so far.
    last_end: usize,
    /// The first line of the question being read, for its trailing comment.
    head: Option<Head>,
    /// The items of a list of strings being read (see
    /// [`Loader::string_list`]), kept for the next list.
    list: Vec<Spanned<Str<'a>>>,
}

/// A question's first line (the one with its `-`) while it is read: the
/// scalars that start on it, so that a `#` after the last of them is known
/// to be a comment and not part of a quoted string.
#[derive(Clone, Copy, Debug)]
struct Head {
    line_start: usize,
    line_end: usize,
    /// The end of the last scalar that starts on the line.
    end: usize,
}

/// Turns the parser's character indices into byte offsets. Events arrive in
/// file order, so a cursor that walks from the last position costs O(file)
/// in all; within a run of ASCII text around the cursor (most of a bank),
/// known from a look-ahead, it moves in one step.
#[derive(Default)]
struct Cursor {
    chars: usize,
    bytes: usize,
    /// `text[ascii]` is ASCII, and the cursor's `bytes` lies in it (or at
    /// its end).
    ascii: std::ops::Range<usize>,
}

/// How far ahead [`Cursor`] checks the text for ASCII.
const ASCII_LOOKAHEAD: usize = 4096;

impl Cursor {
    fn byte_of(&mut self, text: &str, char_index: usize) -> usize {
        let target = if char_index >= self.chars {
            self.bytes.checked_add(char_index - self.chars)
        } else {
            self.bytes.checked_sub(self.chars - char_index)
        };
        if let Some(target) = target
            && self.ascii.start <= target
            && target <= self.ascii.end
        {
            self.bytes = target;
            self.chars = char_index;
            return target;
        }
        if char_index > self.chars && self.bytes < self.ascii.end {
            // Beyond the ASCII run: to its end in one step.
            self.chars += self.ascii.end - self.bytes;
            self.bytes = self.ascii.end;
        }
        self.walk(text, char_index);
        let end = (self.bytes + ASCII_LOOKAHEAD).min(text.len());
        self.ascii = self.bytes..self.bytes + ascii_prefix(&text.as_bytes()[self.bytes..end]);
        self.bytes
    }

    /// Moves to `char_index` a character (or an ASCII word) at a time.
    fn walk(&mut self, text: &str, char_index: usize) {
        let bytes = text.as_bytes();
        while self.chars < char_index && self.bytes < bytes.len() {
            // ASCII (most of a bank) is one byte a character: skipped a
            // word at a time.
            let ahead = (char_index - self.chars).min(bytes.len() - self.bytes);
            let ascii = ascii_prefix(&bytes[self.bytes..self.bytes + ahead]);
            self.bytes += ascii;
            self.chars += ascii;
            if self.chars < char_index && self.bytes < bytes.len() {
                self.bytes += utf8_len(bytes[self.bytes]);
                self.chars += 1;
            }
        }
        while self.chars > char_index && self.bytes > 0 {
            self.bytes -= 1;
            while self.bytes > 0 && !text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
    }
}

/// How many bytes `bytes` starts with that are ASCII.
fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut n = 0;
    // A block at a time (the compiler ORs a block's bytes with vector
    // instructions), then the byte in the first block that is not ASCII.
    for block in bytes.chunks(64) {
        if block.iter().fold(0, |all, &b| all | b).is_ascii() {
            n += block.len();
        } else {
            return n + block.iter().take_while(|b| b.is_ascii()).count();
        }
    }
    n
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

impl<'a> Loader<'a> {
    fn new(source: &'a SourceFile) -> Self {
        Self::part(source, Part::whole(source))
    }

    /// A loader for one part of the file (see [`Part`]).
    fn part(source: &'a SourceFile, part: Part) -> Self {
        let text = &source.text()[part.range.clone()];
        Self {
            source,
            text,
            base: part.range.start,
            index_base: part.index_base,
            head_only: part.head_only,
            parser: Parser::new_from_str(text),
            bank: Bank {
                questions: Vec::with_capacity(part.items),
                ..Bank::default()
            },
            diagnostics: Vec::new(),
            depth: 0,
            anchors: HashMap::new(),
            recordings: Vec::new(),
            recorded: 0,
            replay: Vec::new(),
            replayed: 0,
            cursor: Cursor::default(),
            last_end: 0,
            head: None,
            list: Vec::new(),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn syntax(&mut self, span: Span, message: impl Into<String>, help: &str) -> Stop {
        self.push(
            Diagnostic::new(Rule::YamlSyntax, span, message)
                .label("here")
                .help(help),
        );
        Stop
    }

    /// A scalar's text, borrowed from the file where it stands as written
    /// (see [`crate::model::str_at`]).
    fn str_at(&self, value: &str, span: Span) -> Str<'a> {
        crate::model::str_at(value, self.source.text(), span)
    }

    fn convert_span(&mut self, s: saphyr_parser::Span) -> Span {
        let start = self.cursor.byte_of(self.text, s.start.index());
        let end = self.cursor.byte_of(self.text, s.end.index()).max(start);
        Span::new(self.base + start, self.base + end)
    }

    /// A block scalar's span ends after its last line break, not at the
    /// indentation of whatever follows it.
    fn trim_block_end(&self, span: Span) -> Span {
        let text = self.source.text().as_bytes();
        let mut end = span.end;
        while end > span.start && matches!(text.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        Span::new(span.start, end)
    }

    /// Keeps [`Loader::last_end`] and [`Loader::head`] up to date with a
    /// scalar or alias read from the file.
    fn note_end(&mut self, span: Span) {
        self.last_end = self.last_end.max(span.end);
        if let Some(head) = &mut self.head
            && (head.line_start..head.line_end).contains(&span.start)
        {
            head.end = head.end.max(span.end);
        }
    }

    fn scan_error(&mut self, err: &ScanError) -> Stop {
        let m = err.marker();
        let at = self.base + self.cursor.byte_of(self.text, m.index());
        // The parser reports a tab where it gave up, often the end of the line
        // before; the tab itself is the thing to fix.
        if err.info().contains("tab") {
            let window = &self.source.text()[at..(at + 4096).min(self.source.text().len())];
            if let Some(tab) = window.find('\t') {
                return self.syntax(
                    Span::new(at + tab, at + tab + 1),
                    "invalid YAML: a tab character in indentation or between tokens",
                    "YAML indents with spaces only: replace the tab with spaces",
                );
            }
        }
        let end = self.source.text()[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        self.syntax(
            Span::new(at, end),
            format!("invalid YAML: {}", err.info()),
            "fix the YAML syntax here; quote text that contains `: ` or starts with a special character",
        )
    }

    /// The next event, with aliases replayed and the depth limit enforced.
    fn next(&mut self) -> Res<Ev<'a>> {
        let ev = self.next_raw()?;
        match &ev {
            Ev::SeqStart(span) | Ev::MapStart(span) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    let span = *span;
                    return Err(self.syntax(
                        span,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                        "the bank format nests 4 levels deep: flatten this value",
                    ));
                }
            }
            Ev::SeqEnd(_) | Ev::MapEnd(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(ev)
    }

    fn next_raw(&mut self) -> Res<Ev<'a>> {
        loop {
            if let Some(&(anchor, index, _)) = self.replay.last() {
                let events = &self.anchors[&anchor];
                if index >= events.len() {
                    self.replay.pop();
                    continue;
                }
                let ev = events[index].clone();
                if let Some(top) = self.replay.last_mut() {
                    top.1 += 1;
                }
                self.replayed += 1;
                if self.replayed > MAX_ALIAS_EVENTS {
                    let span = self.replay[0].2;
                    return Err(self.syntax(
                        span,
                        format!("aliases expand to more than {MAX_ALIAS_EVENTS} values"),
                        "this looks like an alias bomb: write the values out instead of using `*aliases`",
                    ));
                }
                return Ok(ev);
            }
            let (event, span) = match self.parser.next_event() {
                None => {
                    return Ok(Ev::StreamEnd(Span::new(
                        self.base + self.text.len(),
                        self.base + self.text.len(),
                    )));
                }
                Some(Err(err)) => return Err(self.scan_error(&err)),
                Some(Ok(pair)) => pair,
            };
            let span = self.convert_span(span);
            let (ev, anchor) = match event {
                Event::Alias(id) => {
                    if !self.anchors.contains_key(&id) {
                        return Err(self.syntax(
                            span,
                            "this alias refers to an anchor that is not complete yet",
                            "an alias can only refer to an anchor defined before it, outside itself",
                        ));
                    }
                    self.note_end(span);
                    self.record_alias(id, span)?;
                    let outer = self.replay.first().map_or(span, |r| r.2);
                    self.replay.push((id, 0, outer));
                    continue;
                }
                Event::Scalar(value, style, anchor, _) => {
                    let span = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        self.trim_block_end(span)
                    } else {
                        span
                    };
                    self.note_end(quoted_end(self.source.text(), span, style));
                    (Ev::Scalar { value, style, span }, anchor)
                }
                Event::SequenceStart(anchor, _) => (Ev::SeqStart(span), anchor),
                Event::SequenceEnd => (Ev::SeqEnd(span), 0),
                Event::MappingStart(anchor, _) => (Ev::MapStart(span), anchor),
                Event::MappingEnd => (Ev::MapEnd(span), 0),
                Event::DocumentStart(_) => (Ev::DocStart(span), 0),
                Event::DocumentEnd => (Ev::DocEnd, 0),
                Event::StreamEnd => (Ev::StreamEnd(span), 0),
                Event::StreamStart | Event::Nothing => continue,
            };
            self.record(&ev, anchor)?;
            return Ok(ev);
        }
    }

    /// Feeds an event to every anchor being recorded, and starts or ends
    /// recordings.
    fn record(&mut self, ev: &Ev<'a>, anchor: usize) -> Res<()> {
        if anchor != 0 {
            self.recordings.push(Recording {
                anchor,
                depth: 0,
                events: Vec::new(),
            });
        }
        if self.recordings.is_empty() {
            return Ok(());
        }
        self.recorded += self.recordings.len();
        if self.recorded > MAX_ANCHOR_EVENTS {
            return Err(self.syntax(
                ev.span(),
                format!("anchors hold more than {MAX_ANCHOR_EVENTS} values"),
                "write the values out instead of anchoring large nodes",
            ));
        }
        for rec in &mut self.recordings {
            rec.events.push(ev.clone());
            match ev {
                Ev::SeqStart(_) | Ev::MapStart(_) => rec.depth += 1,
                Ev::SeqEnd(_) | Ev::MapEnd(_) => rec.depth = rec.depth.saturating_sub(1),
                _ => {}
            }
        }
        while let Some(rec) = self.recordings.last() {
            if rec.depth != 0 {
                break;
            }
            let rec = self.recordings.pop().expect("checked");
            self.anchors.insert(rec.anchor, rec.events);
        }
        Ok(())
    }

    /// An alias inside an anchored node: the recording takes the alias's
    /// expansion (bounded by the same budget).
    fn record_alias(&mut self, id: usize, span: Span) -> Res<()> {
        if self.recordings.is_empty() {
            return Ok(());
        }
        let events = self.anchors[&id].clone();
        self.recorded += events.len() * self.recordings.len();
        if self.recorded > MAX_ANCHOR_EVENTS {
            return Err(self.syntax(
                span,
                format!("anchors hold more than {MAX_ANCHOR_EVENTS} values"),
                "this looks like an alias bomb: write the values out instead of using `*aliases`",
            ));
        }
        let depth_ends = self.recordings.iter().all(|r| r.depth > 0);
        for rec in &mut self.recordings {
            rec.events.extend(events.iter().cloned());
        }
        if !depth_ends {
            // An anchor on an alias itself (`&b *a`) is a complete node.
            while let Some(rec) = self.recordings.last() {
                if rec.depth != 0 {
                    break;
                }
                let rec = self.recordings.pop().expect("checked");
                self.anchors.insert(rec.anchor, rec.events);
            }
        }
        Ok(())
    }

    /// Skips one whole node whose first event is `first`; returns its span.
    fn skip_node(&mut self, first: &Ev<'a>) -> Res<Span> {
        let start = first.span();
        let mut depth = match first {
            Ev::SeqStart(_) | Ev::MapStart(_) => 1usize,
            _ => return Ok(start),
        };
        let mut end = start;
        while depth > 0 {
            let ev = self.next()?;
            match &ev {
                Ev::SeqStart(_) | Ev::MapStart(_) => depth += 1,
                Ev::SeqEnd(s) | Ev::MapEnd(s) => {
                    depth -= 1;
                    end = *s;
                }
                Ev::Scalar { span, .. } => end = *span,
                _ => {
                    return Err(self.syntax(
                        ev.span(),
                        "unexpected end of the document",
                        "close the open sequence or mapping",
                    ));
                }
            }
        }
        Ok(Span::new(start.start, end.end.max(start.start)))
    }

    /// A part of a split bank: a document that is one block list of
    /// questions.
    fn list_document(&mut self) -> Res<()> {
        if !matches!(self.next()?, Ev::DocStart(_)) {
            return Err(Stop);
        }
        let list = self.next()?;
        if !matches!(list, Ev::SeqStart(_)) {
            return Err(Stop);
        }
        self.questions(list)?;
        match (self.next()?, self.next()?) {
            (Ev::DocEnd, Ev::StreamEnd(_)) => Ok(()),
            _ => Err(Stop),
        }
    }

    fn document(&mut self) -> Option<()> {
        self.document_inner().ok()
    }

    fn document_inner(&mut self) -> Res<()> {
        let first = self.next()?;
        let doc_span = match first {
            Ev::StreamEnd(_) => {
                // No document at all (empty, or only comments): say so at 1:1.
                self.missing_top_level(Span::new(0, 0));
                return Ok(());
            }
            Ev::DocStart(span) => span,
            other => {
                return Err(self.syntax(
                    other.span(),
                    "expected a YAML document",
                    "start the file with `version: 1`",
                ));
            }
        };
        let root = self.next()?;
        match &root {
            Ev::MapStart(_) => self.top_mapping(&root)?,
            Ev::Scalar {
                value,
                style: ScalarStyle::Plain,
                span,
            } if is_null(value) => {
                let span = *span;
                self.missing_top_level(Span::new(doc_span.start, span.end));
            }
            other => {
                let other = other.clone();
                let span = self.skip_node(&other)?;
                self.push(
                    Diagnostic::new(
                        Rule::InvalidValue,
                        span,
                        format!("the top level of the bank must be a mapping, found {}", other.kind()),
                    )
                    .label("expected `version:`, `deck:`, `topics:` and `questions:` here")
                    .help("start the file with `version: 1`, then `deck:`, `topics:` and `questions:`"),
                );
            }
        }
        match self.next()? {
            Ev::DocEnd => {}
            other => {
                return Err(self.syntax(
                    other.span(),
                    "unexpected content after the bank",
                    "remove it",
                ));
            }
        }
        match self.next()? {
            Ev::StreamEnd(_) => Ok(()),
            other => Err(self.syntax(
                other.span(),
                "a second YAML document; the bank is one document",
                "remove the `---` line and everything after it, or merge the documents",
            )),
        }
    }

    fn missing_top_level(&mut self, span: Span) {
        self.push(
            Diagnostic::new(Rule::MissingField, span, "the file is empty")
                .label("expected the bank here")
                .help("a bank has `version: 1`, `deck:`, `topics:` and `questions:`; see docs/formats.md"),
        );
    }

    /// Walks a mapping, calling `value` for each known key (after recording
    /// unknown and duplicate keys); returns the keys seen with their spans.
    fn mapping(
        &mut self,
        known: &[&'static str],
        what: &dyn fmt::Display,
        mut value: impl FnMut(&mut Self, &str, Span, Ev<'a>) -> Res<()>,
    ) -> Res<(Seen, Span)> {
        let mut seen = Seen::default();
        let mut seen_unknown: Vec<(String, Span)> = Vec::new();
        loop {
            let key_ev = self.next()?;
            let (key, key_span) = match key_ev {
                Ev::MapEnd(span) => return Ok((seen, span)),
                Ev::Scalar { value, span, .. } => (value, span),
                other => {
                    let span = self.skip_node(&other)?;
                    self.push(
                        Diagnostic::new(
                            Rule::InvalidValue,
                            span,
                            format!("a key in {what} must be a plain word"),
                        )
                        .label("complex key")
                        .help("use a plain `name:` key"),
                    );
                    let v = self.next()?;
                    self.skip_node(&v)?;
                    continue;
                }
            };
            let val = self.next()?;
            if let Some(&k) = known.iter().find(|k| **k == key) {
                if let Some((_, first)) = seen.keys().iter().find(|(s, _)| *s == k) {
                    let first = *first;
                    self.push(
                        Diagnostic::new(
                            Rule::DuplicateKey,
                            key_span,
                            format!("`{k}` appears twice in {what}"),
                        )
                        .label("second occurrence")
                        .secondary(first, "first occurrence")
                        .help("remove one of them; pyq keeps the first"),
                    );
                    self.skip_node(&val)?;
                    continue;
                }
                seen.push(k, key_span);
                value(self, k, key_span, val)?;
            } else {
                if let Some((_, first)) = seen_unknown.iter().find(|(s, _)| *s == key) {
                    let first = *first;
                    self.push(
                        Diagnostic::new(
                            Rule::DuplicateKey,
                            key_span,
                            format!("`{key}` appears twice in {what}"),
                        )
                        .label("second occurrence")
                        .secondary(first, "first occurrence")
                        .help("remove one of them"),
                    );
                } else {
                    let help = match suggest(&key, known) {
                        Some(s) => {
                            format!("did you mean `{s}`? the keys of {what} are {}", list(known))
                        }
                        None => format!("remove it; the keys of {what} are {}", list(known)),
                    };
                    self.push(
                        Diagnostic::new(
                            Rule::UnknownKey,
                            key_span,
                            format!("unknown key `{key}` in {what}"),
                        )
                        .label("not a key of the format")
                        .help(help),
                    );
                    seen_unknown.push((key.into_owned(), key_span));
                }
                self.skip_node(&val)?;
            }
        }
    }

    fn top_mapping(&mut self, start: &Ev<'a>) -> Res<()> {
        const KEYS: &[&str] = &["version", "deck", "topics", "questions", "retired"];
        const REQUIRED: &[&str] = &["version", "deck", "topics", "questions"];
        let (seen, _) = self.mapping(KEYS, &"the bank", |this, key, key_span, val| match key {
            "version" => {
                if let Some(v) = this.integer(val, &"`version`")? {
                    if v.value != 1 {
                        this.push(
                            Diagnostic::new(
                                Rule::InvalidValue,
                                v.span,
                                format!("unsupported version `{}`", v.value),
                            )
                            .label("this pyq reads version 1")
                            .help(
                                "set `version: 1`, or use the pyq release that reads this version",
                            ),
                        );
                    }
                    this.bank.version = Some(v);
                }
                Ok(())
            }
            "deck" => this.deck(val, key_span),
            "topics" => this.topics(val),
            // A split file's head ends at `questions:`; the parts load them.
            "questions" if this.head_only => {
                this.bank.questions_key = Some(key_span);
                this.skip_node(&val).map(drop)
            }
            "questions" => {
                if matches!(val, Ev::SeqStart(_)) {
                    this.bank.questions_key = Some(key_span);
                }
                this.questions(val)
            }
            "retired" => {
                this.bank.retired_key = Some(key_span);
                this.retired(val)
            }
            _ => unreachable!("only known keys reach here"),
        })?;
        let at = Span::new(start.span().start, start.span().start);
        self.require(&seen, REQUIRED, at, &"the bank", None);
        Ok(())
    }

    fn require(
        &mut self,
        seen: &Seen,
        required: &[&str],
        at: Span,
        what: &dyn fmt::Display,
        id: Option<&str>,
    ) {
        for key in required {
            if !seen.keys().iter().any(|(k, _)| k == key) {
                self.push(
                    Diagnostic::new(Rule::MissingField, at, format!("{what} is missing `{key}`"))
                        .label(format!("`{key}` expected in this mapping"))
                        .help(format!("add `{key}:`; see docs/formats.md for the field"))
                        .question(id),
                );
            }
        }
    }

    fn deck(&mut self, val: Ev<'a>, key_span: Span) -> Res<()> {
        const KEYS: &[&str] = &["name", "description", "anki_deck_id", "anki_model_id"];
        if !matches!(val, Ev::MapStart(_)) {
            return self.wrong_type(
                val,
                &"`deck`",
                "a mapping with `name`, `anki_deck_id` and `anki_model_id`",
            );
        }
        let mut deck = Deck {
            span: key_span,
            ..Deck::default()
        };
        let (seen, _) = self.mapping(KEYS, &"`deck`", |this, key, at, val| {
            match key {
                "name" => deck.name = this.string(val, &"`deck.name`")?,
                // Null is no description, as for the other optional keys.
                "description" if is_null_scalar(&val) => {}
                "description" => {
                    deck.description = this.text(val, &"`deck.description`")?;
                    if let Some(text) = deck.description.take_if(|t| t.value().trim().is_empty()) {
                        this.empty(text.span, at, &"`deck.description`", &text.value(), "write the deck's description, or remove the optional `description:` line");
                    }
                }
                "anki_deck_id" => deck.anki_deck_id = this.anki_id(val, &"`deck.anki_deck_id`")?,
                "anki_model_id" => {
                    deck.anki_model_id = this.anki_id(val, &"`deck.anki_model_id`")?;
                }
                _ => unreachable!("only known keys reach here"),
            }
            Ok(())
        })?;
        self.require(
            &seen,
            &["name", "anki_deck_id", "anki_model_id"],
            key_span,
            &"`deck`",
            None,
        );
        self.bank.deck = Some(deck);
        Ok(())
    }

    fn topics(&mut self, val: Ev<'a>) -> Res<()> {
        let Ev::MapStart(start) = val else {
            return self.wrong_type(val, &"`topics`", "a mapping of topic keys to titles");
        };
        self.bank.topics_span = Some(start);
        loop {
            let key_ev = self.next()?;
            let (key, key_span) = match key_ev {
                Ev::MapEnd(_) => return Ok(()),
                Ev::Scalar { value, span, .. } => (self.str_at(&value, span), span),
                other => {
                    let span = self.skip_node(&other)?;
                    self.push(
                        Diagnostic::new(
                            Rule::InvalidValue,
                            span,
                            "a topic key must be a plain word",
                        )
                        .label("complex key")
                        .help("use a kebab-case key such as `data-structures:`"),
                    );
                    let v = self.next()?;
                    self.skip_node(&v)?;
                    continue;
                }
            };
            let title = self.next()?;
            if let Some(first) = self.bank.topics.iter().find(|t| t.key.value == key) {
                let first = first.key.span;
                self.push(
                    Diagnostic::new(
                        Rule::DuplicateKey,
                        key_span,
                        format!("topic `{key}` is declared twice"),
                    )
                    .label("second declaration")
                    .secondary(first, "first declaration")
                    .help("remove one of them; pyq keeps the first"),
                );
                self.skip_node(&title)?;
                continue;
            }
            if !is_slug(&key) {
                self.push(
                    Diagnostic::new(
                        Rule::InvalidValue,
                        key_span,
                        format!("topic key `{key}` is not a kebab-case slug"),
                    )
                    .label("lowercase letters, digits and single hyphens only")
                    .help(
                        "rename it, e.g. `data-structures`, and update the questions that use it",
                    ),
                );
            }
            let title_span = title.span();
            // A topic whose title is reported as missing is still declared:
            // its questions are not also `unknown-topic`.
            let title = self
                .string(title, &format_args!("the title of topic `{key}`"))?
                .unwrap_or_else(|| Spanned::new(Str::Borrowed(""), title_span));
            self.bank.topics.push(Topic {
                key: Spanned::new(key, key_span),
                title,
            });
        }
    }

    fn questions(&mut self, val: Ev<'a>) -> Res<()> {
        if !matches!(val, Ev::SeqStart(_)) {
            return self.wrong_type(
                val,
                &"`questions`",
                "a list of questions (`- number: 1` ...)",
            );
        }
        loop {
            let item = self.next()?;
            match item {
                Ev::SeqEnd(_) => return Ok(()),
                Ev::MapStart(_) => {
                    let q = self.question(&item)?;
                    self.bank.questions.push(q);
                }
                other => {
                    let index = self.index_base + self.bank.questions.len() + 1;
                    self.wrong_type(
                        other,
                        &format_args!("item {index} of `questions`"),
                        "a mapping (`- number: ...`)",
                    )?;
                }
            }
        }
    }

    fn retired(&mut self, val: Ev<'a>) -> Res<()> {
        if is_null_scalar(&val) {
            return Ok(());
        }
        if !matches!(val, Ev::SeqStart(_)) {
            return self.wrong_type(
                val,
                &"`retired`",
                "a list of retired questions (`- id: ...` with a `reason:`)",
            );
        }
        loop {
            let item = self.next()?;
            match item {
                Ev::SeqEnd(_) => return Ok(()),
                Ev::MapStart(_) => {
                    let r = self.retired_item(&item)?;
                    self.bank.retired.push(r);
                }
                other => {
                    let index = self.bank.retired.len() + 1;
                    self.wrong_type(
                        other,
                        &format_args!("item {index} of `retired`"),
                        "a mapping (`- id: ...` with a `reason:`)",
                    )?;
                }
            }
        }
    }

    fn retired_item(&mut self, start: &Ev<'a>) -> Res<Retired<'a>> {
        const KEYS: &[&str] = &["id", "reason", "replaced_by"];
        const REQUIRED: &[&str] = &["id", "reason"];
        let index = self.bank.retired.len() + 1;
        let mut r = Retired::default();
        let mut first_key: Option<Span> = None;
        let what = format!("item {index} of `retired`");
        let (seen, _) = self.mapping(KEYS, &what, |this, key, key_span, val| {
            first_key.get_or_insert(key_span);
            let field = format!("`{key}` of item {index} of `retired`");
            match key {
                "id" => r.id = this.string(val, &field)?,
                "reason" => r.reason = this.string(val, &field)?,
                "replaced_by" => r.replaced_by = this.string(val, &field)?,
                _ => unreachable!("only known keys reach here"),
            }
            Ok(())
        })?;
        r.span = first_key.unwrap_or_else(|| start.span());
        let label = match r.id_str() {
            Some(id) => format!("retired question `{id}`"),
            None => what,
        };
        self.require(&seen, REQUIRED, r.span, &label, None);
        Ok(r)
    }

    fn question(&mut self, start: &Ev<'a>) -> Res<Question<'a>> {
        const KEYS: &[&str] = &[
            "number",
            "id",
            "topic",
            "difficulty",
            "tags",
            "question",
            "answer",
            "related",
        ];
        const REQUIRED: &[&str] = &["number", "id", "topic", "difficulty", "question"];
        let index = self.index_base + self.bank.questions.len();
        let mut q = Question::default();
        let mut first_key: Option<Span> = None;
        let item_start = self.item_start(start.span().start);
        let text = self.source.text();
        let line_start =
            memchr::memrchr(b'\n', &text.as_bytes()[..item_start]).map_or(0, |i| i + 1);
        let line_end = line_end(text.as_bytes(), item_start);
        let dash = usize::from(text.as_bytes().get(item_start) == Some(&b'-'));
        self.head = Some(Head {
            line_start,
            line_end,
            end: item_start + dash,
        });
        let what = Named {
            key: None,
            question: index + 1,
        };
        let (seen, _) = self.mapping(KEYS, &what, |this, key, key_span, val| {
            first_key.get_or_insert(key_span);
            let field = Named { key: Some(key), question: index + 1 };
            match key {
                "number" => q.number = this.integer(val, &field)?,
                "id" => q.id = this.string(val, &field)?,
                "topic" => q.topic = this.string(val, &field)?,
                "difficulty" => {
                    if let Some(s) = this.string(val, &field)? {
                        match Difficulty::parse(&s.value) {
                            Some(d) => q.difficulty = Some(Spanned::new(d, s.span)),
                            None => this.push(
                                Diagnostic::new(Rule::InvalidValue, s.span, format!("unknown difficulty `{}`", s.value))
                                    .label("not junior, mid or senior")
                                    .help(match suggest(&s.value, &["junior", "mid", "senior"]) {
                                        Some(d) => format!("did you mean `{d}`? use one of `junior`, `mid`, `senior`"),
                                        None => "use one of `junior`, `mid`, `senior`".to_owned(),
                                    }),
                            ),
                        }
                    }
                }
                "tags" => q.tags = this.string_list(val, &field)?,
                "question" => {
                    q.question_key = Some(key_span);
                    q.question = this.text(val, &field)?;
                }
                "answer" => {
                    q.answer_key = Some(key_span);
                    q.answer = this.text(val, &field)?;
                }
                "related" => q.related = this.string_list(val, &field)?,
                _ => unreachable!("only known keys reach here"),
            }
            Ok(())
        })?;
        let at = first_key.unwrap_or_else(|| start.span());
        q.span = at;
        q.item = Span::new(item_start, self.last_end.max(item_start));
        q.head_end = self
            .head
            .take()
            .filter(|head| head.end <= head.line_end)
            .map(|head| head.end);
        let label = Label {
            question: index + 1,
            id: q.id_str(),
        };
        self.require(&seen, REQUIRED, at, &label, q.id_str());
        Ok(q)
    }

    /// Where a question's list item starts: its `-`, found before the
    /// mapping's start `at` across white space, or `at` itself when no `-`
    /// stands there (a flow list, a comment between `-` and the first key).
    fn item_start(&self, at: usize) -> usize {
        let text = self.source.text();
        if text.as_bytes().get(at) == Some(&b'-') {
            return at;
        }
        let before = text[..at.min(text.len())].trim_end_matches([' ', '\t', '\n', '\r']);
        if before.ends_with('-') {
            before.len() - 1
        } else {
            at
        }
    }

    /// Reports a value of the wrong shape and skips it.
    fn wrong_type(&mut self, val: Ev<'a>, field: &dyn fmt::Display, expected: &str) -> Res<()> {
        let found = match &val {
            Ev::Scalar {
                value,
                style: ScalarStyle::Plain,
                ..
            } if is_null(value) => "nothing (null)",
            other => other.kind(),
        };
        let span = self.skip_node(&val)?;
        self.push(
            Diagnostic::new(
                Rule::InvalidValue,
                span,
                format!("{field} must be {expected}, found {found}"),
            )
            .label(format!("expected {expected}"))
            .help(format!("write {field} as {expected}")),
        );
        Ok(())
    }

    /// A scalar as text. Null (`~`, empty) is reported; numbers and booleans
    /// are taken as their text.
    fn string(&mut self, val: Ev<'a>, field: &dyn fmt::Display) -> Res<Option<Spanned<Str<'a>>>> {
        match val {
            Ev::Scalar { value, style, span } => {
                if style == ScalarStyle::Plain && is_null(&value) {
                    self.push(
                        Diagnostic::new(Rule::InvalidValue, span, format!("{field} is empty"))
                            .label("no value")
                            .help(format!("write a value for {field}")),
                    );
                    return Ok(None);
                }
                if value.trim().is_empty() {
                    // `""` or `"  "`: as empty as nothing, and an export
                    // would carry it silently (a nameless deck, a blank title).
                    self.empty(
                        span,
                        span,
                        field,
                        &value,
                        &format!("write a value for {field}"),
                    );
                    return Ok(None);
                }
                Ok(Some(Spanned::new(self.str_at(&value, span), span)))
            }
            other => {
                self.wrong_type(other, field, "text")?;
                Ok(None)
            }
        }
    }

    /// Reports an empty or white-space-only value at `span` (or at its key,
    /// when the value has no extent, as in `key:` followed by nothing).
    fn empty(&mut self, span: Span, key: Span, field: &dyn fmt::Display, value: &str, help: &str) {
        let span = if span.is_empty() { key } else { span };
        let label = if value.is_empty() {
            "no text"
        } else {
            "only white space"
        };
        self.push(
            Diagnostic::new(Rule::InvalidValue, span, format!("{field} is empty"))
                .label(label)
                .help(help),
        );
    }

    /// A Markdown text field. Null stays `Some("")` so that rules such as
    /// `missing-answer` can say what is wrong precisely.
    fn text(&mut self, val: Ev<'a>, field: &dyn fmt::Display) -> Res<Option<Text<'a>>> {
        match val {
            Ev::Scalar { value, style, span } => {
                let value = if style == ScalarStyle::Plain && is_null(&value) {
                    ""
                } else {
                    &value
                };
                let style = if style == ScalarStyle::Literal {
                    TextStyle::Literal
                } else {
                    TextStyle::Other
                };
                Ok(Some(Text::new(value, self.source.text(), span, style)))
            }
            other => {
                self.wrong_type(other, field, "text (use `|` for several lines)")?;
                Ok(None)
            }
        }
    }

    fn integer(&mut self, val: Ev<'a>, field: &dyn fmt::Display) -> Res<Option<Spanned<i64>>> {
        match val {
            Ev::Scalar {
                value,
                style: ScalarStyle::Plain,
                span,
            } => match parse_int(&value) {
                Some(n) => Ok(Some(Spanned::new(n, span))),
                None => {
                    self.push(
                        Diagnostic::new(
                            Rule::InvalidValue,
                            span,
                            format!("{field} must be a whole number, found `{value}`"),
                        )
                        .label("not a whole number")
                        .help(format!("write {field} as digits, e.g. `1`")),
                    );
                    Ok(None)
                }
            },
            Ev::Scalar { value, span, .. } => {
                self.push(
                    Diagnostic::new(
                        Rule::InvalidValue,
                        span,
                        format!("{field} must be a whole number, found the string `{value}`"),
                    )
                    .label("quoted, so a string")
                    .help("remove the quotes"),
                );
                Ok(None)
            }
            other => {
                self.wrong_type(other, field, "a whole number")?;
                Ok(None)
            }
        }
    }

    fn anki_id(&mut self, val: Ev<'a>, field: &dyn fmt::Display) -> Res<Option<Spanned<i64>>> {
        let Some(id) = self.integer(val, field)? else {
            return Ok(None);
        };
        if id.value <= 0 {
            self.push(
                Diagnostic::new(Rule::InvalidValue, id.span, format!("{field} must be a positive integer"))
                    .label("not positive")
                    .help("pick a positive id once (e.g. the current time in milliseconds) and never change it"),
            );
            return Ok(None);
        }
        Ok(Some(id))
    }

    fn string_list(&mut self, val: Ev<'a>, field: &dyn fmt::Display) -> Res<Vec<Spanned<Str<'a>>>> {
        let mut out = Vec::new();
        match val {
            Ev::SeqStart(_) => {
                // Gathered in the loader's one list, then moved to an
                // exact-size one (not shrunk in place, see
                // `crate::model::str_at`): 100,000 questions' tags.
                let mut items = std::mem::take(&mut self.list);
                items.clear();
                loop {
                    let item = self.next()?;
                    if matches!(item, Ev::SeqEnd(_)) {
                        out = Vec::with_capacity(items.len());
                        out.append(&mut items);
                        self.list = items;
                        return Ok(out);
                    }
                    if let Some(s) = self.string(item, &format_args!("an item of {field}"))? {
                        items.push(s);
                    }
                }
            }
            Ev::Scalar {
                ref value,
                style: ScalarStyle::Plain,
                ..
            } if is_null(value) => Ok(out),
            other => {
                self.wrong_type(other, field, "a list (`[a, b]`)")?;
                Ok(out)
            }
        }
    }
}

/// How findings name a question or one of its fields; formatted only when
/// a finding needs it.
struct Named<'k> {
    key: Option<&'k str>,
    question: usize,
}

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key {
            Some(key) => write!(f, "`{key}` of question {}", self.question),
            None => write!(f, "question {}", self.question),
        }
    }
}

/// How a question is named when it misses a key: "question 12
/// (`some-id`)"; formatted only when a finding needs it.
struct Label<'k> {
    question: usize,
    id: Option<&'k str>,
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            Some(id) => write!(f, "question {} (`{id}`)", self.question),
            None => write!(f, "question {}", self.question),
        }
    }
}

/// The most known keys a mapping of the format has (a question's).
const MAX_KEYS: usize = 8;

/// The known keys a mapping has, with their spans, in file order: on the
/// stack, as every question has one.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    keys: [(&'static str, Span); MAX_KEYS],
    len: usize,
}

impl Seen {
    fn keys(&self) -> &[(&'static str, Span)] {
        &self.keys[..self.len]
    }

    /// Records a key (each known key at most once, so there is room).
    fn push(&mut self, key: &'static str, span: Span) {
        if let Some(slot) = self.keys.get_mut(self.len) {
            *slot = (key, span);
            self.len += 1;
        }
    }
}

/// `retired:` with nothing after it: an empty list.
fn is_null_scalar(ev: &Ev<'_>) -> bool {
    matches!(ev, Ev::Scalar { value, style: ScalarStyle::Plain, .. } if is_null(value))
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// [`is_slug`] as a regular expression (ECMA-262, for the JSON Schema of
/// `pyq schema`).
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// A kebab-case slug: lowercase ASCII letters and digits in groups joined by
/// single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The nearest slug: ASCII letters and digits lowercased, every other run of
/// characters turned into one hyphen.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads `text` for a test that wants the bank back: the file is leaked
/// (a test's few bytes), since the bank borrows from it.
#[cfg(test)]
pub(crate) fn load_leaked(text: String) -> Loaded<'static> {
    load(Box::leak(Box::new(SourceFile::new(
        std::path::Path::new("q.yaml"),
        text,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_cursor_maps_characters_to_bytes_in_any_text() {
        let texts = [
            String::new(),
            "plain ascii text that is longer than a word or two".to_owned(),
            "é".repeat(20),
            "ab€cd😀efghijklmnop — q\u{7f}r\u{80}s".repeat(5),
            format!("{}é{}", "x".repeat(17), "y".repeat(9)),
            // Past the cursor's ASCII look-ahead, and at its edges.
            format!(
                "{}é{}€{}",
                "x".repeat(ASCII_LOOKAHEAD - 1),
                "y".repeat(ASCII_LOOKAHEAD + 3),
                "z".repeat(2 * ASCII_LOOKAHEAD)
            ),
            format!("{}😀", "a".repeat(ASCII_LOOKAHEAD)).repeat(3),
        ];
        for text in &texts {
            let offsets: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let chars = offsets.len() - 1;
            // Forward in steps of every size, then back, then past the end.
            for step in 1..=9 {
                let mut cursor = Cursor::default();
                let mut at = 0;
                while at <= chars {
                    assert_eq!(cursor.byte_of(text, at), offsets[at], "{text:?} {at}");
                    at += step;
                }
                for back in (0..=chars).rev().step_by(step) {
                    assert_eq!(cursor.byte_of(text, back), offsets[back], "{text:?} {back}");
                }
                assert_eq!(cursor.byte_of(text, chars + 5), text.len());
            }
            // Jumps of every length both ways, as a parser's spans make.
            let mut cursor = Cursor::default();
            let mut at = 0usize;
            for k in 0..2_000usize {
                let jump = (k * 7919) % 5_000;
                at = if k % 5 == 4 {
                    at.saturating_sub(jump / 3)
                } else {
                    (at + jump).min(chars)
                };
                assert_eq!(
                    cursor.byte_of(text, at),
                    offsets[at],
                    "{at} after {k} jumps"
                );
            }
        }
        assert_eq!(ascii_prefix(b"abcdefgh\xc3\xa9"), 8);
        assert_eq!(ascii_prefix(b"abc\xc3\xa9defghijk"), 3);
        assert_eq!(ascii_prefix(b""), 0);
        for at in [0, 1, 63, 64, 65, 127, 128, 200] {
            let mut bytes = vec![b'a'; 300];
            bytes[at] = 0xC3;
            assert_eq!(ascii_prefix(&bytes), at);
            assert_eq!(ascii_prefix(&bytes[..at]), at);
        }
    }

    #[test]
    fn slug_pattern_matches_is_slug() {
        let pattern = regex::Regex::new(SLUG_PATTERN).unwrap();
        for s in [
            "a",
            "gil",
            "asyncio-first-completed",
            "py3-13",
            "42",
            "a-b-c",
            "",
            "-",
            "a-",
            "-a",
            "a--b",
            "A",
            "Gil",
            "a_b",
            "a b",
            "a.b",
            "g\u{456}l",
            "a\n",
            "\na",
            "é",
        ] {
            assert_eq!(pattern.is_match(s), is_slug(s), "{s:?}");
        }
    }

    fn load_str(text: &str) -> Loaded<'static> {
        load_leaked(text.to_owned())
    }

    fn rules(l: &Loaded<'_>) -> Vec<&'static str> {
        l.diagnostics.iter().map(|d| d.rule.name()).collect()
    }

    /// A bank large enough to be split, with problems in both halves.
    fn big_bank(n: usize, extra: &str) -> String {
        let mut y = String::from(
            "version: 1\ndeck:\n  name: Big\n  anki_deck_id: 1\n  anki_model_id: 2\ntopics:\n  t: T\nquestions:\n",
        );
        for i in 1..=n {
            let bad_key = if i == 7 || i == n - 3 {
                "    anwser: typo\n"
            } else {
                ""
            };
            let difficulty = if i == n / 2 + 5 { "hard" } else { "mid" };
            y.push_str(&format!(
                "  - number: {i}\n    id: q-{i}\n    topic: t\n    difficulty: {difficulty}\n    tags: [a, b]\n{bad_key}    question: \"Question {i} — é?\"\n    answer: |\n      **Short answer:** {}\n\n      - item\n      - `code`\n",
                "words ".repeat(100)
            ));
        }
        y.push_str(extra);
        y
    }

    fn sequential(source: &SourceFile) -> Loaded<'_> {
        let mut loader = Loader::new(source);
        let complete = loader.document().is_some();
        loader.bank.questions.shrink_to_fit();
        Loaded {
            bank: loader.bank,
            diagnostics: loader.diagnostics,
            complete,
        }
    }

    /// Equal banks, reporting the first difference briefly (a bank's Debug
    /// form is megabytes long).
    fn same_bank(a: &Bank<'_>, b: &Bank<'_>) {
        assert_eq!(a.questions.len(), b.questions.len());
        for (i, (x, y)) in a.questions.iter().zip(&b.questions).enumerate() {
            assert!(
                x == y,
                "question {i} differs:\n{:?}\n{:?}",
                (
                    x.answer.as_ref().map(|t| (t.span, t.value().len())),
                    &x.related,
                    x.answer_key
                ),
                (
                    y.answer.as_ref().map(|t| (t.span, t.value().len())),
                    &y.related,
                    y.answer_key
                )
            );
        }
        assert!(
            (&a.version, &a.deck, &a.topics, &a.topics_span)
                == (&b.version, &b.deck, &b.topics, &b.topics_span),
            "head differs"
        );
    }

    fn sorted(mut d: Vec<Diagnostic>) -> Vec<Diagnostic> {
        d.sort_by(|a, b| (a.primary.span, &a.message).cmp(&(b.primary.span, &b.message)));
        d
    }

    /// The split as first written (every line in a list, the halves meeting
    /// in the middle of the list), which the faster [`split`] must agree
    /// with, but for the halves meeting in the middle of the file.
    fn split_by_lines(text: &str) -> Option<(Part, Part, Part)> {
        if text.len() < SPLIT_MIN_BYTES {
            return None;
        }
        let key = if text.starts_with("questions:") {
            0
        } else {
            text.match_indices("\nquestions:")
                .map(|(i, _)| i + 1)
                .next()?
        };
        if text[key + 1..].contains("\nquestions:") {
            return None;
        }
        let after_key = &text[key + "questions:".len()..];
        let rest_of_line = &after_key[..after_key.find('\n')?];
        if !(rest_of_line.trim().is_empty() || rest_of_line.trim_start().starts_with('#')) {
            return None;
        }
        let region = key + "questions:".len() + rest_of_line.len() + 1;
        let mut indent = None;
        let mut items = Vec::new();
        let mut offset = region;
        for line in text[region..].split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let trimmed = body.trim_start_matches(' ');
            let spaces = body.len() - trimmed.len();
            if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                let is_item = trimmed == "-" || trimmed.starts_with("- ");
                match indent {
                    None if is_item => indent = Some(spaces),
                    None => return None,
                    Some(n) if spaces == n && is_item => {}
                    Some(n) if spaces > n => {}
                    Some(_) => return None,
                }
                if is_item && Some(spaces) == indent {
                    items.push(offset);
                }
            }
            offset += line.len();
        }
        let middle = region + (text.len() - region) / 2;
        let at = items.partition_point(|&i| i < middle);
        if at == 0 || at >= items.len() {
            return None;
        }
        // Where the halves meet: the first item at or after the middle of
        // the file, or the second item.
        let first = items[0];
        let at = items.partition_point(|&i| i < (text.len() / 2).max(first + 1));
        let mid = items[at];
        Some((
            Part {
                range: 0..first,
                index_base: 0,
                head_only: true,
                items: 0,
            },
            Part {
                range: first..mid,
                index_base: 0,
                head_only: false,
                items: items.len(),
            },
            Part {
                range: mid..text.len(),
                index_base: at,
                head_only: false,
                items: items.len() - at,
            },
        ))
    }

    #[test]
    fn the_split_agrees_with_checking_every_line() {
        let bank = big_bank(6_000, "");
        let region = bank.find("\nquestions:\n").expect("a list") + "\nquestions:\n".len();
        // A trailing comment of `pad` bytes moves the middle of the file by
        // pad / 2: find the middles that fall on a line start and on an item.
        let middle_at = |pad: usize| (bank.len() + pad + 3) / 2;
        let on_line = (0..400)
            .find(|&pad| bank.as_bytes()[middle_at(pad) - 1] == b'\n')
            .expect("a middle at a line start");
        let on_item = (0..4000)
            .find(|&pad| bank.as_bytes()[middle_at(pad)..].starts_with(b"  - "))
            .expect("a middle at an item");
        // The pad that puts the middle of the list on its last item.
        let last = bank.rfind("\n  - ").expect("items") + 1;
        let on_last = region + 2 * (last - region) - bank.len() - 3;
        let padded = |pad: usize| format!("{bank}# {}\n", "x".repeat(pad));
        let mut variants = vec![
            bank.clone(),
            padded(on_line),
            padded(on_item),
            padded(on_item + 2),
            padded(on_last),
            padded(on_last + 2),
            bank.replacen(
                "questions:\n",
                &format!("# {}\nquestions:\n", "h".repeat(6_000_000)),
                1,
            ),
            bank.replace("questions:\n", "questions: # list\n"),
            bank.replace("questions:\n", "questions: [\n"),
            bank.replace("questions:\n", "questions:"),
            format!("{bank}extra: 1\n"),
            format!("{bank}questions: []\n"),
            bank.replace('\n', "\r\n"),
            bank.trim_end().to_owned(),
            format!("{bank}\n\n  \r\n# the end\n   \n"),
            bank.replacen(
                "  - number: 3000\n",
                "# a comment\n  \r\n  - number: 3000\n",
                1,
            ),
            bank.replacen("  - number: 3000\n", "  junk: 1\n  - number: 3000\n", 1),
            bank.replacen("  - number: 5990\n", " - number: 5990\n", 1),
            bank.replacen("  - number: 10\n", "\t- number: 10\n", 1),
            bank.replacen("  - number: 2\n", "  -\n    number: 2\n", 1),
            bank.replacen("  - number: 5000\n", "  -\r\n    number: 5000\n", 1),
            bank.replacen("  - number: 1\n", "\n  # first\n  - number: 1\n", 1),
            bank.replacen("  - number: 1\n", "  number: 1\n", 1),
            format!("questions:\n{}", &bank[region..]),
            bank[..region].to_owned() + &format!("\n{}", &bank[region..]).replace("\n  ", "\n"),
            bank[..region].to_owned() + &"\n".repeat(bank.len() - region),
        ];
        variants.push(variants[variants.len() - 2].replacen(
            "\n- number: 4000",
            "\n-number: 4000",
            1,
        ));
        // A second `questions:` key, in a list indented or not, or last.
        variants.push(variants[24].replacen("\n- number: 4000", "\nquestions:\n- number: 4000", 1));
        variants.push(bank.replacen("  - number: 4000\n", "questions:\n  - number: 4000\n", 1));
        variants.push(format!("{bank}questions:"));
        variants.push(format!("{}questions:\r\n", bank.replace('\n', "\r\n")));
        for (i, text) in variants.iter().enumerate() {
            assert_eq!(split(text), split_by_lines(text), "variant {i}");
        }
        for i in [0, 1, 2, 3, 4, 6, 7, 12, 13, 14, 15, 19, 20, 21, 23, 24] {
            assert!(split(&variants[i]).is_some(), "variant {i} splits");
        }
        assert!(
            split(&variants[5]).is_none(),
            "no item after the list's middle"
        );
        // A head over half the file: the halves meet at the second item.
        let (head, first, _) = split(&variants[6]).expect("a split");
        assert_eq!(
            variants[6][first.range.clone()].matches("\n  - ").count(),
            0
        );
        assert_eq!((head.range.end, first.items), (first.range.start, 6_000));
    }

    #[test]
    fn a_quoted_scalar_ends_at_its_closing_quote() {
        // The span's end as the byte-by-byte scan found it.
        fn by_bytes(text: &str, span: Span, quote: u8) -> Span {
            let bytes = text.as_bytes();
            let mut i = span.start + 1;
            while i < span.end {
                match bytes[i] {
                    b'\\' if quote == b'"' => i += 2,
                    b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b if b == quote => return Span::new(span.start, i + 1),
                    _ => i += 1,
                }
            }
            span
        }
        let cases = [
            r#""a"  # note"#,
            r#""a \" b" # c"#,
            r#""a \\" # c"#,
            r#""a \"#,
            r#""unclosed"#,
            r#""é \u00e9 \" x"   "#,
            "'it''s' # c",
            "'a \\' # c",
            "'''' x",
            "'unclosed",
            "'a'''",
            "plain # c",
        ];
        for case in cases {
            for (style, quote) in [
                (ScalarStyle::DoubleQuoted, b'"'),
                (ScalarStyle::SingleQuoted, b'\''),
            ] {
                for end in 0..=case.len() {
                    let span = Span::new(0, end);
                    let expected = if case.as_bytes().first() == Some(&quote) {
                        by_bytes(case, span, quote)
                    } else {
                        span
                    };
                    assert_eq!(quoted_end(case, span, style), expected, "{case:?} {end}");
                }
            }
            let span = Span::new(0, case.len());
            assert_eq!(quoted_end(case, span, ScalarStyle::Plain), span);
        }
    }

    #[test]
    fn a_split_load_equals_a_sequential_one() {
        let source = SourceFile::new(Path::new("big.yaml"), big_bank(6_000, ""));
        assert!(
            split(source.text()).is_some(),
            "the bank is big enough to split"
        );
        let (a, b) = (load(&source), sequential(&source));
        assert!(a.complete && b.complete);
        same_bank(&a.bank, &b.bank);
        assert_eq!(sorted(a.diagnostics), sorted(b.diagnostics));
        assert_eq!(a.bank.questions.len(), 6_000);
    }

    #[test]
    fn an_alias_across_parts_falls_back_to_one_piece() {
        let text = big_bank(6_000, "").replacen("tags: [a, b]", "tags: &shared [a, b]", 1);
        let text = text.replacen(
            "    tags: [a, b]\n    question: \"Question 5999",
            "    tags: *shared\n    question: \"Question 5999",
            1,
        );
        let source = SourceFile::new(Path::new("big.yaml"), text);
        let (a, b) = (load(&source), sequential(&source));
        assert!(a.complete);
        same_bank(&a.bank, &b.bank);
        assert_eq!(a.bank.questions[5998].tags.len(), 2);
    }

    #[test]
    fn only_large_plain_lists_are_split() {
        assert!(
            split("version: 1\nquestions:\n  - a: 1\n").is_none(),
            "small"
        );
        let flow = big_bank(6_000, "").replace("questions:\n", "questions: # list\n");
        assert!(split(&flow).is_some(), "a comment after the key is fine");
        let later_key = big_bank(6_000, "extra: 1\n");
        assert!(split(&later_key).is_none(), "a key after the list");
        let source = SourceFile::new(Path::new("big.yaml"), later_key);
        let (a, b) = (load(&source), sequential(&source));
        assert_eq!(sorted(a.diagnostics), sorted(b.diagnostics));
    }

    #[test]
    fn a_syntax_error_in_a_part_is_reported_as_in_one_piece() {
        let text = big_bank(6_000, "").replacen(
            "question: \"Question 4000",
            "question: [\"Question 4000",
            1,
        );
        let source = SourceFile::new(Path::new("big.yaml"), text);
        let (a, b) = (load(&source), sequential(&source));
        assert!(!a.complete);
        assert_eq!(sorted(a.diagnostics), sorted(b.diagnostics));
    }

    #[test]
    fn cursor_maps_char_indices_both_ways() {
        let text = "aé€😀b";
        let mut c = Cursor::default();
        assert_eq!(c.byte_of(text, 4), 10);
        assert_eq!(c.byte_of(text, 2), 3);
        assert_eq!(c.byte_of(text, 5), 11);
        assert_eq!(c.byte_of(text, 0), 0);
    }

    #[test]
    fn spans_are_exact_after_multibyte_text() {
        let l = load_str("version: 1\ndeck: {name: \"é😀\", anki_deck_id: 7, anki_model_id: 2}\n");
        let id = l.bank.deck.unwrap().anki_deck_id.unwrap();
        assert_eq!(id.value, 7);
        assert_eq!(
            &"version: 1\ndeck: {name: \"é😀\", anki_deck_id: 7, anki_model_id: 2}\n"
                [id.span.start..id.span.end],
            "7"
        );
    }

    #[test]
    fn slugs() {
        assert!(is_slug("asyncio-first-completed"));
        assert!(is_slug("a1"));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn retired_questions_load_with_their_problems() {
        let head =
            "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\n";
        let l = load_str(&format!(
            "{head}retired:\n  - id: old\n    reason: Gone.\n    replaced_by: new\nquestions: []\n"
        ));
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let r = &l.bank.retired[0];
        assert_eq!(
            (r.id_str(), r.reason.as_ref().map(Spanned::as_str)),
            (Some("old"), Some("Gone."))
        );
        assert_eq!(r.replaced_by.as_ref().map(Spanned::as_str), Some("new"));
        assert!(l.bank.retired_key.is_some());
        // An empty `retired:` is an empty list.
        let l = load_str(&format!("{head}retired:\nquestions: []\n"));
        assert!(l.diagnostics.is_empty() && l.bank.retired.is_empty());
        let l = load_str(&format!(
            "{head}retired:\n  - id: a\n    resaon: x\n  - 7\nquestions: []\n"
        ));
        assert_eq!(rules(&l), ["unknown-key", "missing-field", "invalid-value"]);
        assert!(
            l.diagnostics[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `reason`?")
        );
        assert_eq!(
            l.diagnostics[1].message,
            "retired question `a` is missing `reason`"
        );
        let l = load_str(&format!("{head}retired: nope\nquestions: []\n"));
        assert_eq!(rules(&l), ["invalid-value"]);
    }

    #[test]
    fn reports_every_schema_problem_at_once() {
        let l = load_str(
            "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\nquestions:\n  - number: 1\n    anwser: x\n  - number: two\n    id: b\n    id: c\n",
        );
        assert_eq!(
            rules(&l),
            [
                "unknown-key",
                "missing-field",
                "missing-field",
                "missing-field",
                "missing-field",
                "invalid-value",
                "duplicate-key",
                "missing-field",
                "missing-field",
                "missing-field"
            ]
        );
        assert!(l.complete);
        assert!(
            l.diagnostics[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `answer`?")
        );
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("a{}", i - 1)
            };
            y.push_str(&format!("b{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let l = load_str(&y);
        assert!(!l.complete);
        let bomb: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.rule == Rule::YamlSyntax)
            .collect();
        assert_eq!(bomb.len(), 1);
        assert!(
            bomb[0].message.contains("aliases expand") || bomb[0].message.contains("anchors hold")
        );
    }

    #[test]
    fn small_aliases_work() {
        let l = load_str(
            "version: 1\ntopics: &t {a: A}\nquestions: []\ndeck: {name: &n D, anki_deck_id: 1, anki_model_id: 2, description: *n}\n",
        );
        assert_eq!(rules(&l), Vec::<&str>::new());
        assert_eq!(l.bank.deck.unwrap().description.unwrap().value(), "D");
    }

    #[test]
    fn deep_nesting_is_a_finding() {
        let y = format!("version: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let l = load_str(&y);
        assert_eq!(rules(&l), ["yaml-syntax"]);
        assert!(
            l.diagnostics[0].message.contains("recursion limit"),
            "{}",
            l.diagnostics[0].message
        );
    }

    #[test]
    fn empty_file_and_top_level_list() {
        assert_eq!(rules(&load_str("")), ["missing-field"]);
        assert_eq!(rules(&load_str("# only a comment\n")), ["missing-field"]);
        assert_eq!(rules(&load_str("- a\n- b\n")), ["invalid-value"]);
    }

    #[test]
    fn syntax_error_points_at_its_line() {
        let text = "version: 1\ndeck:\n  name: [unclosed\n";
        let l = load_str(text);
        assert_eq!(rules(&l), ["yaml-syntax"]);
        assert!(!l.complete);
    }

    #[test]
    fn invalid_utf8_is_a_finding_at_the_byte() {
        let source = SourceFile::from_bytes(Path::new("q.yaml"), b"version: 1\nx: \xff\n".to_vec());
        let l = load(&source);
        assert_eq!(rules(&l), ["yaml-syntax"]);
        let at = source.line_col(l.diagnostics[0].primary.span.start);
        assert_eq!((at.line, at.column), (2, 4));
        assert_eq!(
            l.diagnostics[0].message,
            "the file is not valid UTF-8: byte 0xFF is not part of a UTF-8 character"
        );
    }

    #[test]
    fn latin1_names_the_byte_and_the_conversion() {
        let source = SourceFile::from_bytes(Path::new("q.yaml"), b"a: 1\nname: caf\xe9\n".to_vec());
        let d = &load(&source).diagnostics[0];
        let at = source.line_col(d.primary.span.start);
        assert_eq!((at.line, at.column), (2, 10));
        assert_eq!(
            d.primary.text.as_deref(),
            Some("byte 0xE9, `é` in Latin-1 or Windows-1252")
        );
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("iconv -f WINDOWS-1252 -t UTF-8 q.yaml > fixed.yaml"))
        );
        assert_eq!(windows_1252(0x93), Some('“'));
        assert_eq!(windows_1252(0x81), None);
        assert_eq!(windows_1252(0xA0), None);
    }

    #[test]
    fn utf16_is_named_at_the_start_with_the_conversion() {
        let text = "version: 1\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let source = SourceFile::from_bytes(Path::new("q.yaml"), le);
        let l = load(&source);
        assert_eq!(rules(&l), ["yaml-syntax"]);
        let d = &l.diagnostics[0];
        assert_eq!(d.message, "the file is UTF-16LE, not UTF-8");
        assert_eq!(d.primary.span, Span::new(0, 0));
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("iconv -f UTF-16 -t UTF-8 q.yaml > fixed.yaml"))
        );
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let d = &load(&SourceFile::from_bytes(Path::new("q.yaml"), be)).diagnostics[0];
        assert_eq!(d.message, "the file is UTF-16BE, not UTF-8");
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("iconv -f UTF-16BE -t UTF-8"))
        );
    }
}
