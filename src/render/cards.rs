//! Each question as the rendered card fields every HTML exporter shares,
//! rendered in chunks so a large bank's HTML is never all in memory.

use std::borrow::Cow;

use crate::model::{Bank, Spanned, Text};
use crate::render::{
    Highlighter, Math, escape, parse_seeing, sanitize_owned, sanitize_page, to_inline_html_with,
};

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
    /// Anki tags, all under `pyq::` so they never mix with a learner's own:
    /// `pyq::tag::TAG` for each of the question's tags,
    /// `pyq::topic::KEY` and `pyq::difficulty::LEVEL`.
    pub tags: Vec<String>,
    /// For the HTML page: the answer with math as MathML (sanitised with the
    /// page's policy), when the page asked for it ([`for_each_chunk_with`])
    /// and the answer has math. (The page renders the questions itself.)
    pub page_answer: Option<String>,
    /// What the lint's Markdown rules look at in the question and answer,
    /// seen while rendering them (`pyq export` lints with it).
    pub seen: crate::lint::markdown::Seen,
}

impl Card {
    /// The card of question `i` (by index) when it is not rendered: only
    /// its `id` and `number` (see [`for_each_chunk_with`]).
    pub fn unrendered(bank: &Bank<'_>, i: usize) -> Self {
        Self {
            id: bank.questions[i].id_str().unwrap_or("").to_owned(),
            number: i as i64 + 1,
            question: String::new(),
            answer: String::new(),
            topic: String::new(),
            difficulty: String::new(),
            see_also: String::new(),
            tags: Vec::new(),
            page_answer: None,
            seen: crate::lint::markdown::Seen::NotRendered,
        }
    }
}

/// Questions rendered per chunk.
pub(crate) const CHUNK: usize = 128;

/// The Anki tags pyq adds live under `pyq::` (with `pyq::retired`), apart
/// from a learner's own tags: `tag:pyq::topic::asyncio` finds exactly the
/// bank's asyncio questions, and Anki's tag list shows them under one
/// collapsible `pyq` entry. Frozen once published: a learner's saved
/// searches and filtered decks name them (docs/formats.md, "Tags").
pub const TAG_PREFIX: &str = "pyq::tag::";
/// See [`TAG_PREFIX`].
pub const TOPIC_PREFIX: &str = "pyq::topic::";
/// See [`TAG_PREFIX`].
pub const DIFFICULTY_PREFIX: &str = "pyq::difficulty::";

/// [`for_each_chunk_with`], without MathML.
pub fn for_each_chunk<E>(
    bank: &Bank<'_>,
    f: impl FnMut(&[Card]) -> Result<(), E>,
) -> Result<(), E> {
    for_each_chunk_with(bank, false, &|_| true, f)
}

/// Renders the bank chunk by chunk, in bank order, calling `f` with each
/// chunk; with `mathml`, cards whose answer has math also carry
/// [`Card::page_answer`] (the answer is parsed and highlighted once for
/// both). Only the questions (by index) for which `render` is true are
/// rendered: the others' cards carry only their `id` and `number` (for a
/// consumer that has their fields already, see the Anki exporter's
/// re-export). Two threads render the chunks ahead (each every other chunk)
/// while `f` consumes them in order; at most a few chunks exist at a time.
/// An error from `f` stops the rendering and is returned.
pub fn for_each_chunk_with<E>(
    bank: &Bank<'_>,
    mathml: bool,
    render: &(dyn Fn(usize) -> bool + Sync),
    f: impl FnMut(&[Card]) -> Result<(), E>,
) -> Result<(), E> {
    let order: Vec<usize> = (0..bank.questions.len()).collect();
    for_each_chunk_in(bank, &order, mathml, render, f)
}

/// [`for_each_chunk_with`], with the questions (by index) in `order`
/// instead of bank order (the Anki exporter writes its notes in note id
/// order; see [`crate::export::Sink::order`]).
pub fn for_each_chunk_in<E>(
    bank: &Bank<'_>,
    order: &[usize],
    mathml: bool,
    render: &(dyn Fn(usize) -> bool + Sync),
    mut f: impl FnMut(&[Card]) -> Result<(), E>,
) -> Result<(), E> {
    let related = bank.related_both_ways();
    // Two workers, each rendering every other chunk into its own channel
    // with room for a few chunks, so neither waits for the other nor for
    // the consumer's current chunk (a chunk split in two halves with a
    // join for each left a core idle about a quarter of the time).
    //
    // The consumer hands each chunk back to the worker that rendered it,
    // which frees it: a card's strings come from that worker's malloc
    // arena, and freeing them on the consumer's thread took the arena's
    // lock against the worker's allocations (in a 10,000-question Anki
    // export the consumer waited 70-90 ms on it, and the workers on the
    // consumer).
    let workers = RENDER_THREADS.min(order.len().div_ceil(CHUNK)).max(1);
    std::thread::scope(|s| {
        let (receivers, returns): (Vec<_>, Vec<_>) = (0..workers)
            .map(|w| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Card>>(AHEAD);
                let (give_back, given_back) = std::sync::mpsc::channel::<Vec<Card>>();
                s.spawn(move || {
                    let mut hl = Highlighter::new();
                    for chunk in order.chunks(CHUNK).skip(w).step_by(workers) {
                        given_back.try_iter().for_each(drop);
                        let cards = render_some(bank, related, chunk, render, &mut hl, mathml);
                        if tx.send(cards).is_err() {
                            break; // the consumer stopped
                        }
                    }
                    // Until the consumer is done with the last chunks.
                    given_back.iter().for_each(drop);
                });
                (rx, give_back)
            })
            .unzip();
        // The chunks in order: chunk k comes from worker k % workers.
        for k in 0..order.len().div_ceil(CHUNK) {
            let chunk = receivers[k % workers]
                .recv()
                .expect("a render worker sends each of its chunks unless it panicked");
            f(&chunk)?;
            // A worker that stopped has nothing left to free it for.
            let _ = returns[k % workers].send(chunk);
        }
        Ok(())
    })
}

/// Render workers (the consumer of their chunks, the exporters, runs
/// beside them).
const RENDER_THREADS: usize = 2;

/// Chunks a worker may render ahead of the consumer.
const AHEAD: usize = 2;

/// Every card at once (for small banks and tests).
pub fn cards(bank: &Bank<'_>) -> Vec<Card> {
    let mut all = Vec::with_capacity(bank.questions.len());
    let _ = for_each_chunk(bank, |chunk| {
        all.extend_from_slice(chunk);
        Ok::<(), std::convert::Infallible>(())
    });
    all
}

fn render_some(
    bank: &Bank<'_>,
    related: &[Vec<usize>],
    indices: &[usize],
    render: &(dyn Fn(usize) -> bool + Sync),
    hl: &mut Highlighter,
    mathml: bool,
) -> Vec<Card> {
    indices
        .iter()
        .map(|&i| {
            if render(i) {
                card(bank, related, i, hl, mathml)
            } else {
                Card::unrendered(bank, i)
            }
        })
        .collect()
}

/// Question `i` of the bank as a card; with `mathml`, also its answer with
/// math as MathML when it has math. `related` is
/// [`Bank::related_both_ways`].
fn card(
    bank: &Bank<'_>,
    related: &[Vec<usize>],
    i: usize,
    hl: &mut Highlighter,
    mathml: bool,
) -> Card {
    let q = &bank.questions[i];
    let topic_key = q.topic.as_ref().map_or("", Spanned::as_str);
    let difficulty = q.difficulty.as_ref().map_or("", |d| d.value.as_str());
    let mut tags: Vec<String> = q
        .tags
        .iter()
        .map(|t| format!("{TAG_PREFIX}{}", t.as_str()))
        .collect();
    tags.push(format!("{TOPIC_PREFIX}{topic_key}"));
    tags.push(format!("{DIFFICULTY_PREFIX}{difficulty}"));
    let question_text = text(q.question.as_ref());
    let answer_text = text(q.answer.as_ref());
    let (mut question_facts, mut answer_facts) = Default::default();
    let question = parse_seeing(&question_text, hl, Some(&mut question_facts));
    let answer = parse_seeing(&answer_text, hl, Some(&mut answer_facts));
    let page_answer = (mathml && answer.has_math()).then(|| page_clean(answer.html(Math::MathMl)));
    Card {
        id: q.id_str().unwrap_or("").to_owned(),
        number: i as i64 + 1,
        question: sanitize_owned(question.inline_html(Math::MathJax)),
        answer: sanitize_owned(answer.html(Math::MathJax)),
        topic: escape(bank.topic_title(topic_key).unwrap_or(topic_key)),
        difficulty: difficulty.to_owned(),
        see_also: sanitize_owned(see_also(bank, &related[i], hl, Math::MathJax)),
        tags,
        page_answer,
        seen: crate::lint::markdown::Seen::of(question_facts, answer_facts),
    }
}

fn page_clean(html: String) -> String {
    match sanitize_page(&html) {
        Cow::Borrowed(_) => html,
        Cow::Owned(clean) => clean,
    }
}

fn text<'t>(t: Option<&'t Text<'_>>) -> Cow<'t, str> {
    t.map_or(Cow::Borrowed(""), Text::value)
}

fn see_also(bank: &Bank<'_>, related: &[usize], hl: &mut Highlighter, math: Math) -> String {
    if related.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ul class=\"pyq-see-also-list\">");
    for &j in related {
        let q = &bank.questions[j];
        html.push_str(&format!(
            "<li><span class=\"pyq-ref\">#{}</span> {}</li>",
            j + 1,
            to_inline_html_with(&text(q.question.as_ref()), hl, math)
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
        assert_eq!(seen, CHUNK * (1000 / CHUNK + 1));
    }

    #[test]
    fn only_answers_with_math_carry_mathml_and_only_when_asked() {
        let text = "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\nquestions:\n\
            - {number: 1, id: a, topic: t, difficulty: mid, question: 'Cost?', answer: \"$O(n)$.\\n\\n```python\\nx = 1\\n```\\n\"}\n\
            - {number: 2, id: b, topic: t, difficulty: mid, question: 'Plain $x$?', answer: 'No math.'}\n";
        let source =
            crate::source::SourceFile::new(std::path::Path::new("q.yaml"), text.to_owned());
        let bank = crate::load::load(&source).bank;
        assert!(cards(&bank).iter().all(|c| c.page_answer.is_none()));
        let mut with = Vec::new();
        let _ = for_each_chunk_with(&bank, true, &|_| true, |chunk| {
            with.extend_from_slice(chunk);
            Ok::<(), ()>(())
        });
        let page = with[0].page_answer.as_ref().expect("math: a MathML answer");
        assert!(
            with[0].answer.starts_with("<p>\\(O(n)\\).</p>"),
            "{}",
            with[0].answer
        );
        assert!(page.starts_with("<p><math>"), "{page}");
        // The code is highlighted once, the same in both.
        let code = |html: &str| html[html.find("<pre").unwrap()..].to_owned();
        assert_eq!(code(page), code(&with[0].answer));
        assert!(with[1].page_answer.is_none());
    }
}
