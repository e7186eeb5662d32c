//! Each question as the rendered card fields every HTML exporter shares,
//! rendered in chunks so a large bank's HTML is never all in memory.

use std::borrow::Cow;
use std::ops::Range;

use crate::model::{Bank, Spanned, Text};
use crate::render::{Highlighter, escape, sanitize_owned, to_html, to_inline_html};

/// One question, rendered. Built only from a bank that linted clean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    pub id: String,
    pub number: i64,
    /// Question HTML, without an outer paragraph.
    pub question: String,
    pub answer: String,
    /// The topic's display title, HTML-escaped (Anki fields are HTML).
    pub topic: String,
    pub difficulty: String,
    /// "See also" as an HTML list of related questions (number and text),
    /// empty when there are none.
    pub see_also: String,
    /// Anki tags: the question's tags, `topic::KEY` and `difficulty::LEVEL`.
    pub tags: Vec<String>,
}

/// Questions rendered per chunk.
const CHUNK: usize = 1024;

/// Renders the bank chunk by chunk, in bank order, calling `f` with each
/// chunk. A producer thread renders the next chunk (on both cores) while `f`
/// consumes the current one; at most a few chunks exist at a time. An error
/// from `f` stops the rendering and is returned.
pub fn for_each_chunk<E>(
    bank: &Bank<'_>,
    f: impl FnMut(&[Card]) -> Result<(), E>,
) -> Result<(), E> {
    for_each_chunk_where(bank, &|_| true, f)
}

/// [`for_each_chunk`], rendering only the questions (by index) for which
/// `render` is true: the others' cards carry only their `id` and `number`
/// (for a consumer that has their fields already, see the Anki exporter's
/// re-export).
pub fn for_each_chunk_where<E>(
    bank: &Bank<'_>,
    render: &(dyn Fn(usize) -> bool + Sync),
    mut f: impl FnMut(&[Card]) -> Result<(), E>,
) -> Result<(), E> {
    let related = bank.related_both_ways();
    let n = bank.questions.len();
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Card>>(1);
        let related = &related;
        s.spawn(move || {
            let (mut left, mut right) = (Highlighter::new(), Highlighter::new());
            for start in (0..n).step_by(CHUNK) {
                let range = start..(start + CHUNK).min(n);
                let middle = range.start + range.len() / 2;
                let cards = std::thread::scope(|inner| {
                    let first = inner.spawn(|| {
                        render_range(bank, related, range.start..middle, render, &mut left)
                    });
                    let mut second =
                        render_range(bank, related, middle..range.end, render, &mut right);
                    let mut cards = first.join().expect("rendering does not panic");
                    cards.append(&mut second);
                    cards
                });
                if tx.send(cards).is_err() {
                    break; // the consumer stopped
                }
            }
        });
        for chunk in rx {
            f(&chunk)?;
        }
        Ok(())
    })
}

/// Every card at once (for small banks and tests).
pub fn cards(bank: &Bank<'_>) -> Vec<Card> {
    let mut all = Vec::with_capacity(bank.questions.len());
    let _ = for_each_chunk(bank, |chunk| {
        all.extend_from_slice(chunk);
        Ok::<(), std::convert::Infallible>(())
    });
    all
}

fn render_range(
    bank: &Bank<'_>,
    related: &[Vec<usize>],
    range: Range<usize>,
    render: &(dyn Fn(usize) -> bool + Sync),
    hl: &mut Highlighter,
) -> Vec<Card> {
    range
        .map(|i| {
            let q = &bank.questions[i];
            if !render(i) {
                return Card {
                    id: q.id_str().unwrap_or("").to_owned(),
                    number: i as i64 + 1,
                    question: String::new(),
                    answer: String::new(),
                    topic: String::new(),
                    difficulty: String::new(),
                    see_also: String::new(),
                    tags: Vec::new(),
                };
            }
            let topic_key = q.topic.as_ref().map_or("", Spanned::as_str);
            let difficulty = q.difficulty.as_ref().map_or("", |d| d.value.as_str());
            let mut tags: Vec<String> = q.tags.iter().map(|t| t.as_str().to_owned()).collect();
            tags.push(format!("topic::{topic_key}"));
            tags.push(format!("difficulty::{difficulty}"));
            Card {
                id: q.id_str().unwrap_or("").to_owned(),
                number: i as i64 + 1,
                question: sanitize_owned(to_inline_html(&text(q.question.as_ref()), hl)),
                answer: sanitize_owned(to_html(&text(q.answer.as_ref()), hl)),
                topic: escape(bank.topic_title(topic_key).unwrap_or(topic_key)),
                difficulty: difficulty.to_owned(),
                see_also: sanitize_owned(see_also(bank, &related[i], hl)),
                tags,
            }
        })
        .collect()
}

fn text<'t>(t: Option<&'t Text<'_>>) -> Cow<'t, str> {
    t.map_or(Cow::Borrowed(""), Text::value)
}

fn see_also(bank: &Bank<'_>, related: &[usize], hl: &mut Highlighter) -> String {
    if related.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ul class=\"pyq-see-also-list\">");
    for &j in related {
        let q = &bank.questions[j];
        html.push_str(&format!(
            "<li><span class=\"pyq-ref\">#{}</span> {}</li>",
            j + 1,
            to_inline_html(&text(q.question.as_ref()), hl)
        ));
    }
    html.push_str("</ul>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_in_bank_order_and_errors_stop_them() {
        let mut text = String::from(
            "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\nquestions:\n",
        );
        for i in 1..=2500 {
            text.push_str(&format!("  - {{number: {i}, id: q{i}, topic: t, difficulty: mid, question: Q{i}?, answer: A}}\n"));
        }
        let source = crate::source::SourceFile::new(std::path::Path::new("q.yaml"), text);
        let bank = crate::load::load(&source).bank;
        let numbers: Vec<i64> = cards(&bank).iter().map(|c| c.number).collect();
        assert_eq!(numbers, (1..=2500).collect::<Vec<_>>());
        let mut seen = 0;
        let stopped = for_each_chunk(&bank, |chunk| {
            seen += chunk.len();
            if seen > 1000 { Err("stop") } else { Ok(()) }
        });
        assert_eq!(stopped, Err("stop"));
        assert_eq!(seen, 1024);
    }
}
