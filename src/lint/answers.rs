//! The writing rules' view of one answer (`[lint.answers]` in pyq.toml,
//! docs/config.md): its lead paragraph, its prose words and its code
//! blocks, collected in the Markdown pass that [`super::markdown::Facts`]
//! makes anyway. Ranges are byte ranges in the answer's value.
//!
//! A *word* is a run of characters between white space that holds at least
//! one letter or digit: `-` and `=` are not words, `$O(1)$`, `3.12` and
//! `**Short` are. A code span counts as the words it holds (`` `a = b` ``
//! is two). *Prose* is everything outside code blocks (fenced or indented).

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::lint::settings::Answers;
use crate::model::{Question, Text};
use crate::source::{SourceFile, Span};

/// What the writing rules look at in one answer.
#[derive(Debug, Default)]
pub(crate) struct AnswerScan {
    /// Nesting of the parser's Start/End events.
    depth: usize,
    /// Whether the first top-level block has been seen.
    started: bool,
    in_lead: bool,
    in_code: bool,
    /// The answer's first paragraph, when the answer starts with one.
    pub lead: Option<Range<usize>>,
    /// Code spans in the lead paragraph.
    pub lead_code: Vec<Range<usize>>,
    pub blocks: Vec<Block>,
}

/// A code block.
#[derive(Debug)]
pub(crate) struct Block {
    /// All of it, fences included.
    pub range: Range<usize>,
    /// Its first line: the opening fence, or an indented block's first line.
    pub opening: Range<usize>,
    pub fenced: bool,
    /// A fence's info string names a language.
    pub language: bool,
    /// Each line of code (container indentation and line break excluded).
    pub lines: Vec<Range<usize>>,
}

impl AnswerScan {
    /// Takes one event of the Markdown parser over `text`.
    pub(crate) fn observe(&mut self, text: &str, event: &Event<'_>, range: &Range<usize>) {
        if self.depth == 0 && !self.started {
            self.started = true;
            if matches!(event, Event::Start(Tag::Paragraph)) {
                self.lead = Some(range.clone());
                self.in_lead = true;
            }
        }
        match event {
            Event::Start(tag) => {
                self.depth += 1;
                if let Tag::CodeBlock(kind) = tag {
                    let line_end = text[range.clone()]
                        .find('\n')
                        .map_or(range.end, |i| range.start + i);
                    let (fenced, language) = match kind {
                        CodeBlockKind::Fenced(info) => (true, !info.trim().is_empty()),
                        CodeBlockKind::Indented => (false, false),
                    };
                    self.blocks.push(Block {
                        range: range.clone(),
                        opening: range.start..line_end,
                        fenced,
                        language,
                        lines: Vec::new(),
                    });
                    self.in_code = true;
                }
            }
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.in_lead = false;
                }
                if matches!(tag, TagEnd::CodeBlock) {
                    self.in_code = false;
                }
            }
            Event::Text(code) if self.in_code => {
                let Some(block) = self.blocks.last_mut() else {
                    return;
                };
                // The text stands in the answer as written unless the parser
                // changed it (tabs in indentation): then its lines all point
                // at the event's start.
                let verbatim = text.get(range.clone()) == Some(code.as_ref());
                let mut at = 0;
                for line in code.split_inclusive('\n') {
                    let content = line.trim_end_matches(['\n', '\r']);
                    block.lines.push(if verbatim {
                        range.start + at..range.start + at + content.len()
                    } else {
                        range.start..range.start
                    });
                    at += line.len();
                }
            }
            Event::Code(_) if self.in_lead => self.lead_code.push(range.clone()),
            _ => {}
        }
    }
}

/// The words of `text[range]` outside `skip` (sorted, disjoint ranges), as
/// ranges of `text`.
pub(crate) fn words<'t>(text: &'t str, range: Range<usize>, skip: &'t [Range<usize>]) -> Words<'t> {
    Words {
        text,
        at: range.start,
        end: range.end.min(text.len()),
        skip,
    }
}

/// The iterator of [`words`]: one pass over the bytes, decoding only
/// non-ASCII characters (a large bank's answers are mostly ASCII).
pub(crate) struct Words<'t> {
    text: &'t str,
    at: usize,
    end: usize,
    skip: &'t [Range<usize>],
}

/// What a byte is to [`Words`]: one of the classes below.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const ALNUM: u8 = 2;
const NON_ASCII: u8 = 3;

/// [`Words`]' class of every byte value.
static CLASS: [u8; 256] = {
    let mut class = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        class[b] = match b as u8 {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => SPACE,
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => ALNUM,
            _ => OTHER,
        };
        b += 1;
    }
    class
};

/// [`Words`] for a character that is not ASCII: whether it is white space,
/// whether it is a letter or digit, and its length.
#[cold]
fn non_ascii(rest: &str) -> (bool, bool, usize) {
    let c = rest.chars().next().unwrap_or(' ');
    (c.is_whitespace(), c.is_alphanumeric(), c.len_utf8())
}

impl Iterator for Words<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            while let Some(s) = self.skip.first()
                && s.end <= self.at
            {
                self.skip = &self.skip[1..];
            }
            if let Some(s) = self.skip.first()
                && s.start <= self.at
            {
                self.at = s.end;
                continue;
            }
            if self.at >= self.end {
                return None;
            }
            let limit = self
                .skip
                .first()
                .map_or(self.end, |s| s.start.min(self.end));
            let mut at = self.at;
            // White space up to the next word.
            while at < limit {
                match CLASS[usize::from(bytes[at])] {
                    SPACE => at += 1,
                    NON_ASCII => match non_ascii(&text[at..]) {
                        (true, _, len) => at += len,
                        _ => break,
                    },
                    _ => break,
                }
            }
            let start = at;
            let mut word = false;
            while at < limit {
                match CLASS[usize::from(bytes[at])] {
                    SPACE => break,
                    ALNUM => {
                        word = true;
                        at += 1;
                    }
                    NON_ASCII => match non_ascii(&text[at..]) {
                        (true, _, _) => break,
                        (false, alphanumeric, len) => {
                            word |= alphanumeric;
                            at += len;
                        }
                    },
                    _ => at += 1,
                }
            }
            self.at = at;
            if word {
                return Some(start..at);
            }
        }
    }
}

/// One answer, for the writing rules.
pub(crate) struct Answer<'a> {
    pub question: &'a Question<'a>,
    /// The question's position in the bank (0-based).
    pub index: usize,
    pub text: &'a Text<'a>,
    pub value: &'a str,
    pub scan: &'a AnswerScan,
    pub source: &'a SourceFile,
    pub limits: &'a Answers,
    /// [`Answer::lead_words`], once read.
    pub lead_words: std::cell::OnceCell<Vec<Range<usize>>>,
}

impl Answer<'_> {
    /// The file span of `range` of the value.
    pub fn span(&self, range: Range<usize>) -> Span {
        self.text.span_in(self.source, self.value, range)
    }

    /// "question 3 (`some-id`)".
    pub fn who(&self) -> String {
        self.question.describe(self.index)
    }

    /// Where the answer's text starts (after leading white space).
    pub fn start(&self) -> usize {
        self.value.len() - self.value.trim_start().len()
    }

    /// A finding about this answer.
    pub fn finding(
        &self,
        rule: crate::lint::Rule,
        range: Range<usize>,
        message: String,
    ) -> Diagnostic {
        Diagnostic::new(rule, self.span(range), message).question(self.question.id_str())
    }

    /// The lead paragraph's words after the configured lead text.
    pub fn lead_words(&self) -> &[Range<usize>] {
        self.lead_words.get_or_init(|| self.read_lead_words())
    }

    fn read_lead_words(&self) -> Vec<Range<usize>> {
        let Some(lead) = self.scan.lead.clone() else {
            return Vec::new();
        };
        let from = match &self.limits.lead {
            Some(marker) if self.value[lead.clone()].starts_with(marker.as_str()) => {
                lead.start + marker.len()
            }
            _ => lead.start,
        };
        words(self.value, from..lead.end, &[]).collect()
    }

    /// The words outside code blocks: how many, the first, and the one
    /// at 0-based position `nth`.
    pub fn prose_words(&self, nth: usize) -> (usize, Option<Range<usize>>, Option<Range<usize>>) {
        let blocks: Vec<Range<usize>> = self.scan.blocks.iter().map(|b| b.range.clone()).collect();
        let (mut n, mut first, mut at_nth) = (0, None, None);
        for word in words(self.value, 0..self.value.len(), &blocks) {
            if n == 0 {
                first = Some(word.clone());
            }
            if n == nth {
                at_nth = Some(word);
            }
            n += 1;
        }
        (n, first, at_nth)
    }
}

/// Runs the configured writing rules on every answer of `questions`
/// (`first` is the position of the first of them in the bank), with one
/// Markdown pass per answer that also yields its [`super::markdown::Facts`].
pub(crate) fn check(answer: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    use crate::lint::rules::answers as r;
    r::missing_lead::check(answer, out);
    r::lead_too_long::check(answer, out);
    r::lead_not_one_sentence::check(answer, out);
    r::prose_length::check(answer, out);
    r::too_many_code_blocks::check(answer, out);
    r::code_block_too_long::check(answer, out);
    r::code_line_too_long::check(answer, out);
    r::missing_code_language::check(answer, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::markdown::Facts;

    fn scan(text: &str) -> AnswerScan {
        let mut scan = AnswerScan::default();
        Facts::of_with(text, Some(&mut scan));
        scan
    }

    fn word_list(text: &str) -> Vec<&str> {
        words(text, 0..text.len(), &[]).map(|r| &text[r]).collect()
    }

    #[test]
    fn words_hold_a_letter_or_digit() {
        assert_eq!(
            word_list("**Short answer:** a - b = `c d` $O(1)$ 3.12\n\n- x"),
            [
                "**Short",
                "answer:**",
                "a",
                "b",
                "`c",
                "d`",
                "$O(1)$",
                "3.12",
                "x"
            ]
        );
        // Characters, not bytes: a no-break space separates, `é` and `λ` are letters, `—` is not.
        assert_eq!(word_list("café\u{a0}λ — x"), ["café", "λ", "x"]);
        let text = "one ```two``` three";
        assert_eq!(
            words(text, 0..text.len(), std::slice::from_ref(&(4..13)))
                .map(|r| &text[r])
                .collect::<Vec<_>>(),
            ["one", "three"]
        );
    }

    #[test]
    fn finds_the_lead_and_the_code_blocks() {
        let text = "**Short answer:** a `b` c.\nmore.\n\n- item\n\n  ```python\n  x = 1\n\n  y = 2\n  ```\n\n```\nz\n```\n\n    indented\n";
        let s = scan(text);
        assert_eq!(s.lead, Some(0..33));
        assert_eq!(s.lead_code.len(), 1);
        assert_eq!(s.blocks.len(), 3);
        let lines: Vec<&str> = s.blocks[0].lines.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(lines, ["x = 1", "", "y = 2"]);
        assert_eq!(&text[s.blocks[0].opening.clone()], "```python");
        assert!(s.blocks[0].language && s.blocks[0].fenced);
        assert!(!s.blocks[1].language && s.blocks[1].fenced);
        assert!(!s.blocks[2].fenced);
        // No lead when the answer starts with something else.
        assert_eq!(scan("- a list\n\ntext\n").lead, None);
    }
}
