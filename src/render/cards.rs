//! Each question as the rendered card fields every HTML exporter shares.

use crate::model::{Bank, Question};
use crate::render::{Highlighter, to_html, to_inline_html};

/// One question, rendered. Built only from a bank that linted clean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    pub id: String,
    pub number: i64,
    /// Question HTML, without an outer paragraph.
    pub question: String,
    pub answer: String,
    /// The topic's display title.
    pub topic: String,
    pub difficulty: String,
    /// "See also" as an HTML list of related questions (number and text),
    /// empty when there are none.
    pub see_also: String,
    /// Anki tags: the question's tags, `topic::KEY` and `difficulty::LEVEL`.
    pub tags: Vec<String>,
}

/// Renders every question, on both cores.
pub fn cards(bank: &Bank) -> Vec<Card> {
    let questions = &bank.questions;
    // Question HTML is needed for "See also" links, so render it first.
    let inline: Vec<String> = parallel(questions, |hl, q| {
        to_inline_html(text(q.question.as_ref()), hl)
    });
    let related = bank.related_both_ways();
    let answers: Vec<String> = parallel(questions, |hl, q| to_html(text(q.answer.as_ref()), hl));
    questions
        .iter()
        .zip(inline)
        .zip(answers)
        .enumerate()
        .map(|(i, ((q, question), answer))| {
            let topic_key = q.topic.as_ref().map_or("", |t| t.value.as_str());
            let difficulty = q.difficulty.as_ref().map_or("", |d| d.value.as_str());
            let see_also = see_also(bank, &related[i]);
            let mut tags: Vec<String> = q.tags.iter().map(|t| t.value.clone()).collect();
            tags.push(format!("topic::{topic_key}"));
            tags.push(format!("difficulty::{difficulty}"));
            Card {
                id: q.id_str().unwrap_or("").to_owned(),
                number: i as i64 + 1,
                question,
                answer,
                topic: bank.topic_title(topic_key).unwrap_or(topic_key).to_owned(),
                difficulty: difficulty.to_owned(),
                see_also,
                tags,
            }
        })
        .collect()
}

fn text(t: Option<&crate::model::Text>) -> &str {
    t.map_or("", |t| t.value.as_str())
}

fn see_also(bank: &Bank, related: &[usize]) -> String {
    if related.is_empty() {
        return String::new();
    }
    let mut hl = Highlighter::new();
    let mut html = String::from("<ul class=\"pyq-see-also-list\">");
    for &j in related {
        let q = &bank.questions[j];
        html.push_str(&format!(
            "<li><span class=\"pyq-ref\">#{}</span> {}</li>",
            j + 1,
            to_inline_html(text(q.question.as_ref()), &mut hl)
        ));
    }
    html.push_str("</ul>");
    html
}

/// Maps `f` over `items` on two threads, keeping order.
fn parallel<T: Send>(
    items: &[Question],
    f: impl Fn(&mut Highlighter, &Question) -> T + Sync,
) -> Vec<T> {
    let (first, second) = items.split_at(items.len() / 2);
    let run = |part: &[Question]| {
        let mut hl = Highlighter::new();
        part.iter().map(|q| f(&mut hl, q)).collect::<Vec<T>>()
    };
    std::thread::scope(|s| {
        let other = s.spawn(|| run(first));
        let mut mine = run(second);
        let mut out = other.join().expect("rendering does not panic");
        out.append(&mut mine);
        out
    })
}
