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
pub(crate) fn words(text: &str, range: Range<usize>, skip: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = range.start;
    for s in skip.iter().chain(std::iter::once(&(range.end..range.end))) {
        if s.end <= at || s.start > range.end {
            continue;
        }
        let piece = at..s.start.max(at).min(range.end);
        push_words(text, piece, &mut out);
        at = at.max(s.end);
    }
    out
}

fn push_words(text: &str, piece: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut start = None;
    let mut word = false;
    for (i, c) in text[piece.clone()].char_indices() {
        let i = piece.start + i;
        if c.is_whitespace() {
            if let Some(s) = start.take()
                && word
            {
                out.push(s..i);
            }
            word = false;
        } else {
            start.get_or_insert(i);
            word |= c.is_alphanumeric();
        }
    }
    if let Some(s) = start
        && word
    {
        out.push(s..piece.end);
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
    pub fn lead_words(&self) -> Vec<Range<usize>> {
        let Some(lead) = self.scan.lead.clone() else {
            return Vec::new();
        };
        let from = match &self.limits.lead {
            Some(marker) if self.value[lead.clone()].starts_with(marker.as_str()) => {
                lead.start + marker.len()
            }
            _ => lead.start,
        };
        words(self.value, from..lead.end, &[])
    }

    /// The words outside code blocks.
    pub fn prose_words(&self) -> Vec<Range<usize>> {
        let blocks: Vec<Range<usize>> = self.scan.blocks.iter().map(|b| b.range.clone()).collect();
        words(self.value, 0..self.value.len(), &blocks)
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
        words(text, 0..text.len(), &[])
            .into_iter()
            .map(|r| &text[r])
            .collect()
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
        let text = "one ```two``` three";
        assert_eq!(
            words(text, 0..text.len(), std::slice::from_ref(&(4..13)))
                .into_iter()
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
