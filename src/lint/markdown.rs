//! One pass of the Markdown parser over each text field, collecting what the
//! Markdown rules look at, so a 100,000-question bank is parsed once.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

use crate::lint::answers::AnswerScan;
use crate::model::{Bank, Text};

/// Parser options shared with the renderer: CommonMark plus tables and math.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_MATH | Options::ENABLE_STRIKETHROUGH
}

/// What the Markdown rules need to know about one text field; ranges are
/// byte ranges in the field's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Opening fences of code blocks that run to the end of the text.
    pub unclosed_fences: Vec<Range<usize>>,
    /// Raw HTML (block or inline) as written.
    pub html: Vec<Range<usize>>,
    /// Link and image destinations.
    pub links: Vec<(Range<usize>, String)>,
    /// `__name__` that Markdown turned into bold text.
    pub bold_dunders: Vec<Range<usize>>,
}

impl Facts {
    /// Nothing to report.
    pub const EMPTY: Self = Self {
        unclosed_fences: Vec::new(),
        html: Vec::new(),
        links: Vec::new(),
        bold_dunders: Vec::new(),
    };

    pub fn is_empty(&self) -> bool {
        self.unclosed_fences.is_empty()
            && self.html.is_empty()
            && self.links.is_empty()
            && self.bold_dunders.is_empty()
    }

    pub fn of(text: &str) -> Self {
        Self::of_with(text, None)
    }

    /// [`Facts::of`], also feeding every parser event to `observer` (the
    /// writing rules' scan, in the same pass).
    pub(crate) fn of_with(text: &str, observer: Option<&mut AnswerScan>) -> Self {
        Self::scan(text, observer, true)
    }

    /// [`Facts::of_with`], looking for bold `__dunder__` names only when
    /// `dunders` is true (else `bold_dunders` stays empty), so that a text
    /// whose only Markdown is `_` need not be parsed.
    pub(crate) fn scan(text: &str, mut observer: Option<&mut AnswerScan>, dunders: bool) -> Self {
        let mut facts = Self::default();
        // Each fact needs one of these: raw HTML or an autolink (`<`), a
        // link or image (`[`), a bold `__name__` (`_`), a code fence (three
        // backticks or tildes).
        let markers: &[char] = if dunders {
            &['<', '[', '_']
        } else {
            &['<', '[']
        };
        if observer.is_none()
            && !text.contains(markers)
            && !text.contains("```")
            && !text.contains("~~~")
        {
            return facts;
        }
        for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
            if let Some(scan) = observer.as_deref_mut() {
                scan.observe(text, &event, &range);
            }
            facts.observe(text, &event, range, dunders);
        }
        facts
    }

    /// [`Facts::scan`] of a text field's value without an observer, known
    /// without parsing when its lines show that it has nothing to report
    /// ([`Plain`]): most answers of a large bank hold closed code fences
    /// and no other Markdown the rules look at. A `|` block's value is then
    /// not even built.
    pub fn of_text(text: &Text<'_>, dunders: bool) -> Self {
        let mut plain = Plain::new(dunders);
        if text.lines(|line| plain.line(line)) && plain.closed() {
            return Self::default();
        }
        Self::scan(&text.value(), None, dunders)
    }

    /// Appends the facts as bytes: each list's length, then its ranges (and
    /// a link's destination), as little-endian `u32`s.
    fn encode(&self, out: &mut Vec<u8>) {
        let mut put =
            |n: usize| out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        for ranges in [&self.unclosed_fences, &self.html, &self.bold_dunders] {
            put(ranges.len());
            for r in ranges {
                put(r.start);
                put(r.end);
            }
        }
        put(self.links.len());
        for (r, dest) in &self.links {
            put(r.start);
            put(r.end);
            put(dest.len());
        }
        for (_, dest) in &self.links {
            out.extend_from_slice(dest.as_bytes());
        }
    }

    /// Reads what [`Facts::encode`] wrote from the start of `bytes`.
    fn decode(bytes: &mut &[u8]) -> Option<Self> {
        fn take(bytes: &mut &[u8]) -> Option<usize> {
            let (n, rest) = bytes.split_first_chunk::<4>()?;
            *bytes = rest;
            usize::try_from(u32::from_le_bytes(*n)).ok()
        }
        fn ranges(bytes: &mut &[u8]) -> Option<Vec<Range<usize>>> {
            let n = take(bytes)?;
            // Each range takes 8 bytes: a count past them is not ours.
            if n > bytes.len() / 8 {
                return None;
            }
            (0..n).map(|_| Some(take(bytes)?..take(bytes)?)).collect()
        }
        let unclosed_fences = ranges(bytes)?;
        let html = ranges(bytes)?;
        let bold_dunders = ranges(bytes)?;
        let n = take(bytes)?;
        if n > bytes.len() / 12 {
            return None;
        }
        let heads: Vec<(Range<usize>, usize)> = (0..n)
            .map(|_| Some((take(bytes)?..take(bytes)?, take(bytes)?)))
            .collect::<Option<_>>()?;
        let mut links = Vec::with_capacity(n);
        for (range, len) in heads {
            let (dest, rest) = bytes.split_at_checked(len)?;
            links.push((range, std::str::from_utf8(dest).ok()?.to_owned()));
            *bytes = rest;
        }
        Some(Self {
            unclosed_fences,
            html,
            links,
            bold_dunders,
        })
    }

    /// Records what one parser event of `text` (at `range`) tells; the
    /// renderer calls it with the events it renders, so an export's lint
    /// need not parse the text again ([`Seen`]).
    pub(crate) fn observe(
        &mut self,
        text: &str,
        event: &Event<'_>,
        range: Range<usize>,
        dunders: bool,
    ) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                if let Some(open) = unclosed_fence(text, range) {
                    self.unclosed_fences.push(open);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => self.html.push(range),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                self.links.push((range, dest_url.to_string()));
            }
            Event::Start(Tag::Strong) if dunders => {
                let s = &text[range.clone()];
                if s.len() > 4
                    && s.starts_with("__")
                    && s.ends_with("__")
                    && s[2..s.len() - 2]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.bold_dunders.push(range);
                }
            }
            _ => {}
        }
    }
}

/// A check, line by line, that a text has no [`Facts`] without parsing
/// it: it holds none of the characters that raw HTML, links, tables or bold
/// dunders need, and its code fences all start at the left edge and are
/// closed. It gives up (and the text is parsed) on anything else, so it
/// only has to be right about the texts it accepts:
///
/// - raw HTML and autolinks need `<`, links and images `[`, a bold
///   `__name__` two underscores, a table `|`; inside a fenced code block
///   none of them is Markdown, so only the lines outside fences count;
/// - a line starting with three backticks or tildes, outside a fence, opens
///   one at the top level: no block can hold it unindented (a fence
///   interrupts a paragraph, so it is no lazy continuation line, and HTML
///   blocks need `<`); a backtick fence whose info string holds a backtick
///   is no fence, and makes it give up;
/// - a fence is closed by a line of up to three spaces, at least as many
///   of its characters, and spaces only (pulldown-cmark's rule); fence
///   characters after a tab, or anywhere else outside a fence, or a `\r`
///   anywhere (a line break to the parser), make it give up.
///
/// Lines are fed without their line breaks; empty lines may be left out.
struct Plain {
    dunders: bool,
    /// The open fence's character and length.
    fence: Option<(u8, usize)>,
}

impl Plain {
    fn new(dunders: bool) -> Self {
        Self {
            dunders,
            fence: None,
        }
    }

    /// Takes the next line; false to give up.
    fn line(&mut self, line: &str) -> bool {
        let bytes = line.as_bytes();
        let run = |bytes: &[u8], c: u8| bytes.iter().take_while(|&&b| b == c).count();
        if let Some((c, n)) = self.fence {
            if memchr::memchr(b'\r', bytes).is_some() {
                return false;
            }
            let indent = bytes
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let rest = &bytes[indent..];
            let len = run(rest, c);
            if len >= n {
                if bytes[..indent].contains(&b'\t') {
                    return false;
                }
                if indent <= 3 && rest[len..].iter().all(|&b| b == b' ') {
                    self.fence = None;
                }
            }
            return true;
        }
        if let Some(&c @ (b'`' | b'~')) = bytes.first() {
            let len = run(bytes, c);
            if len >= 3 {
                if (c == b'`' && bytes[len..].contains(&b'`')) || bytes.contains(&b'\r') {
                    return false;
                }
                self.fence = Some((c, len));
                return true;
            }
        }
        // Searched for with memchr: most lines hold none of these bytes, and
        // their backticks (code spans) are few.
        if memchr::memchr3(b'<', b'[', b'|', bytes).is_some()
            || memchr::memchr(b'\r', bytes).is_some()
        {
            return false;
        }
        memchr::memchr3_iter(b'_', b'`', b'~', bytes).all(|i| {
            let b = bytes[i];
            if b == b'_' {
                !self.dunders || bytes.get(i + 1) != Some(&b'_')
            } else {
                bytes.get(i + 1..i + 3) != Some(&[b, b][..])
            }
        })
    }

    /// Whether every fence was closed.
    fn closed(&self) -> bool {
        self.fence.is_none()
    }
}

/// What the renderer saw of a question's fields while rendering its card:
/// the [`Facts`] of its question and answer, as [`Facts::scan`] finds them
/// (with bold dunders), so that `pyq export`'s lint does not parse every
/// field a second time (`lint::errors_seen`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Seen {
    /// Not rendered (a re-export copies the note): the lint parses it.
    #[default]
    NotRendered,
    /// Rendered, and neither field has anything the rules look at.
    Clean,
    /// Rendered: the question's facts and the answer's.
    Facts(Box<(Facts, Facts)>),
}

impl Seen {
    /// What rendering would see of a question's fields, by parsing them
    /// here: for the questions an export does not render (a re-export's
    /// unchanged notes), computed while the others render.
    pub fn parse(question: Option<&Text<'_>>, answer: Option<&Text<'_>>) -> Self {
        let facts =
            |t: Option<&Text<'_>>| t.map_or_else(Facts::default, |t| Facts::of_text(t, true));
        Self::of(facts(question), facts(answer))
    }

    /// [`Seen::parse`] of every question for which `rendered` is false (on
    /// both cores), unless `known` has its facts already (a re-export keeps
    /// them with each note it keeps); [`Seen::NotRendered`] for the others.
    pub fn parse_unrendered(bank: &Bank<'_>, rendered: &[bool], known: &[Self]) -> Vec<Self> {
        let see = |(i, q): (usize, &crate::model::Question<'_>)| {
            if rendered.get(i).copied().unwrap_or(false) {
                Self::NotRendered
            } else {
                match known.get(i) {
                    Some(seen) if *seen != Self::NotRendered => seen.clone(),
                    _ => Self::parse(q.question.as_ref(), q.answer.as_ref()),
                }
            }
        };
        let half = bank.questions.len() / 2;
        let (first, second) = bank.questions.split_at(half);
        std::thread::scope(|s| {
            let other = s.spawn(|| first.iter().enumerate().map(see).collect::<Vec<_>>());
            let mine: Vec<Self> = second
                .iter()
                .enumerate()
                .map(|(i, q)| see((half + i, q)))
                .collect();
            let mut all = other.join().expect("parsing does not panic");
            all.extend(mine);
            all
        })
    }

    /// The facts as bytes, to keep with a note in a package (see the Anki
    /// export's `pyq_sources`); `None` for [`Seen::NotRendered`].
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Self::NotRendered => None,
            Self::Clean => Some(Vec::new()),
            Self::Facts(f) => {
                let mut out = Vec::new();
                f.0.encode(&mut out);
                f.1.encode(&mut out);
                Some(out)
            }
        }
    }

    /// What [`Seen::to_bytes`] wrote; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return Some(Self::Clean);
        }
        let mut rest = bytes;
        let question = Facts::decode(&mut rest)?;
        let answer = Facts::decode(&mut rest)?;
        (rest.is_empty() && !(question.is_empty() && answer.is_empty()))
            .then(|| Self::Facts(Box::new((question, answer))))
    }

    /// The facts of a rendered question's two fields.
    pub fn of(question: Facts, answer: Facts) -> Self {
        if question.is_empty() && answer.is_empty() {
            Self::Clean
        } else {
            Self::Facts(Box::new((question, answer)))
        }
    }
}

/// The opening fence line of a fenced block at `range` when no closing fence
/// ends it (CommonMark then runs the block to the end of its container).
fn unclosed_fence(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let block = &text[range.clone()];
    let first_end = block.find('\n').unwrap_or(block.len());
    let open = block[..first_end].trim_start();
    let fence_char = open.chars().next()?;
    let fence_len = open.chars().take_while(|&c| c == fence_char).count();
    let open_range = range.start..range.start + first_end.min(block.trim_end().len());
    let rest = block.get(first_end + 1..).unwrap_or("");
    let closed = rest.lines().any(|line| {
        let t = line.trim();
        !t.is_empty() && t.chars().all(|c| c == fence_char) && t.chars().count() >= fence_len
    });
    (!closed).then_some(open_range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_facts_come_back_from_their_bytes() {
        let question = Facts::of("Why `<b>` and [docs](https://example.org/é?a=1)?");
        let answer = Facts::of("<i>x</i> __init__ [a](b) ![c](d)\n\n```python\nopen\n");
        assert!(!question.is_empty() && !answer.unclosed_fences.is_empty());
        for seen in [
            Seen::Clean,
            Seen::of(question.clone(), Facts::default()),
            Seen::of(Facts::default(), answer.clone()),
            Seen::of(question, answer),
        ] {
            let bytes = seen.to_bytes().expect("rendered");
            assert_eq!(Seen::from_bytes(&bytes), Some(seen.clone()));
            // Anything cut short, or with more after it, is not facts.
            if !bytes.is_empty() {
                assert_eq!(Seen::from_bytes(&bytes[..bytes.len() - 1]), None);
                assert_eq!(Seen::from_bytes(&[bytes.as_slice(), &[0]].concat()), None);
            }
        }
        assert_eq!(Seen::NotRendered.to_bytes(), None);
        assert_eq!(Seen::from_bytes(&[0xff; 40]), None);
        // Two empty fields are written as `Clean`, never as empty facts.
        let mut empty = Vec::new();
        Facts::default().encode(&mut empty);
        Facts::default().encode(&mut empty);
        assert_eq!(Seen::from_bytes(&empty), None);
    }

    #[test]
    fn finds_unclosed_fences_only() {
        assert!(
            Facts::of("```python\nx = 1\n```\n")
                .unclosed_fences
                .is_empty()
        );
        assert!(
            Facts::of("- item\n\n  ```python\n  x = 1\n  ```\n")
                .unclosed_fences
                .is_empty()
        );
        assert_eq!(
            Facts::of("text\n\n```python\nx = 1\n").unclosed_fences,
            vec![6..15]
        );
        assert_eq!(Facts::of("````\n```\n").unclosed_fences.len(), 1);
    }

    #[test]
    fn texts_without_markers_are_not_parsed_and_have_no_facts() {
        for text in ["`x` and ``y``", "~x~ and ~~y~~", "a * b", "plain"] {
            let parsed = {
                let mut facts = Facts::default();
                for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
                    match event {
                        Event::Start(Tag::CodeBlock(_)) => facts.unclosed_fences.push(range),
                        Event::Html(_) | Event::InlineHtml(_) => facts.html.push(range),
                        Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                            facts.links.push((range, String::new()));
                        }
                        _ => {}
                    }
                }
                facts
            };
            assert!(parsed.is_empty(), "{text}");
            assert!(Facts::of(text).is_empty(), "{text}");
        }
        assert_eq!(Facts::of("- a\n\n  ~~~\n  x\n").unclosed_fences.len(), 1);
        assert_eq!(Facts::scan("__init__", None, false).bold_dunders.len(), 0);
        assert_eq!(Facts::scan("__init__", None, true).bold_dunders.len(), 1);
    }

    /// Lines that [`Plain`] accepts or gives up on, fences of each kind and
    /// indentation among them.
    const LINES: &[&str] = &[
        "```",
        "```python",
        "````",
        "``` `x`",
        "```  ",
        "``` \t",
        "  ```",
        "   ```",
        "    ```",
        "\t```",
        " \t```",
        "~~~",
        "~~~ x `y`",
        "~~~~",
        "  ~~~",
        "text",
        "a `b` c",
        "``x``",
        "x ``` y",
        "x ~~~ y",
        "- item",
        "  - nested",
        "  text",
        "> quote",
        "> ```",
        "1. one",
        "| a | b |",
        "|---|---|",
        "a | b",
        "<b>x</b>",
        "a < b",
        "[l](u)",
        "[r]: /u",
        "__init__",
        "a _b_ c",
        "***",
        "# head",
        "$$x$$",
        "a\rb",
        "```\r",
        "",
        "    indented",
        "\tx",
    ];

    fn plain(lines: &[&str], dunders: bool, skip_empty: bool) -> bool {
        let mut plain = Plain::new(dunders);
        lines
            .iter()
            .filter(|l| !(skip_empty && l.is_empty()))
            .all(|l| plain.line(l))
            && plain.closed()
    }

    proptest::proptest! {
        /// What [`Plain`] accepts has no facts, whether or not empty lines
        /// are fed; and it accepts closed fences with plain text around.
        #[test]
        fn plain_texts_have_no_facts(
            lines in proptest::collection::vec(proptest::sample::select(LINES), 0..10),
            dunders: bool,
        ) {
            let text = lines.join("\n");
            for skip_empty in [false, true] {
                if plain(&lines, dunders, skip_empty) {
                    proptest::prop_assert_eq!(Facts::scan(&text, None, dunders), Facts::default(), "{:?}", text);
                }
            }
        }
    }

    #[test]
    fn plain_accepts_closed_fences_and_plain_text() {
        for (lines, dunders) in [
            (
                &[
                    "**Short answer:** a `b()` c.",
                    "",
                    "```python",
                    "x = [1] | {2}",
                    "    ```",
                    "```",
                    "",
                    "- item `x`",
                ][..],
                true,
            ),
            (&["~~~", "```", "~~~~", "a __x__"], false),
            (&["````", "```", "````  "], true),
        ] {
            assert!(plain(lines, dunders, false), "{lines:?}");
            assert!(Facts::scan(&lines.join("\n"), None, dunders).is_empty());
        }
        for lines in [
            &["```", "x"][..],
            &["- ```", "```"],
            &["``` `x`", "```"],
            &["a <b>"],
        ] {
            assert!(!plain(lines, true, false), "{lines:?}");
        }
    }

    /// Every question and answer of the test banks has the same facts
    /// through [`Facts::of_text`] as parsed.
    #[test]
    fn facts_of_text_are_the_parsed_facts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut banks = vec![root.join("questions.yaml")];
        for dir in ["tests/hostile", "tests/fixtures"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("a test folder") {
                banks.push(entry.expect("an entry").path());
            }
        }
        let mut fields = 0;
        for path in banks
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        {
            let source = crate::source::SourceFile::new(
                path,
                std::fs::read_to_string(path).unwrap_or_default(),
            );
            let loaded = crate::load::load(&source);
            for q in &loaded.bank.questions {
                for text in [&q.question, &q.answer].into_iter().flatten() {
                    for dunders in [false, true] {
                        assert_eq!(
                            Facts::of_text(text, dunders),
                            Facts::scan(&text.value(), None, dunders),
                            "{}: {:?}",
                            path.display(),
                            text.value()
                        );
                    }
                    fields += 1;
                }
            }
        }
        assert!(fields > 200, "{fields}");
    }

    #[test]
    fn finds_html_links_and_bold_dunders() {
        let f = Facts::of("a <b>x</b> and __init__ and `__init__` [l](javascript:x)\n");
        assert_eq!(f.html.len(), 2);
        assert_eq!(f.bold_dunders.len(), 1);
        assert_eq!(f.links[0].1, "javascript:x");
        assert!(Facts::of("`<class 'int'>` and a <= b").html.is_empty());
    }
}
