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
        let facts = |t: Option<&Text<'_>>| {
            t.map_or_else(Facts::default, |t| Facts::scan(&t.value(), None, true))
        };
        Self::of(facts(question), facts(answer))
    }

    /// [`Seen::parse`] of every question for which `rendered` is false (on
    /// both cores); [`Seen::NotRendered`] for the others.
    pub fn parse_unrendered(bank: &Bank<'_>, rendered: &[bool]) -> Vec<Self> {
        let see = |(i, q): (usize, &crate::model::Question<'_>)| {
            if rendered.get(i).copied().unwrap_or(false) {
                Self::NotRendered
            } else {
                Self::parse(q.question.as_ref(), q.answer.as_ref())
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

    #[test]
    fn finds_html_links_and_bold_dunders() {
        let f = Facts::of("a <b>x</b> and __init__ and `__init__` [l](javascript:x)\n");
        assert_eq!(f.html.len(), 2);
        assert_eq!(f.bold_dunders.len(), 1);
        assert_eq!(f.links[0].1, "javascript:x");
        assert!(Facts::of("`<class 'int'>` and a <= b").html.is_empty());
    }
}
