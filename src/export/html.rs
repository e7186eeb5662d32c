//! `pyq export --format html`: one self-contained page to read and quiz
//! oneself with, in a browser, with no network.
//!
//! Every question is a card rendered by the same renderer and sanitiser as
//! the Anki cards and styled by the same stylesheet ([`CSS`] is built from
//! the note type's parts), so the page shows what Anki shows; only math
//! differs, as MathML written at export time instead of MathJax's `\(…\)`
//! (the page runs no third-party script): the cards are rendered once for
//! every exporter, answers with math in both forms ([`Card::page_answer`]). The answer is inside
//! `<details>`, hidden until revealed, with no script. A small inline
//! script, which the page does not need in order to be read, adds search,
//! filters by topic, difficulty and tag, and a light/dark toggle (the page
//! follows the system's `prefers-color-scheme` without it). Anchors are
//! `q-<id>`, as in the Markdown document; "See also" links jump within the
//! page.
//!
//! `pyq preview` serves the same page with a findings banner and a reload
//! script ([`Preview`]); the export itself has neither.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::Error;
use crate::export::anki::template::{css_dark, css_light, css_night_selector, css_rules};
use crate::export::markdown::anchor;
use crate::export::{Content, Context, Exporter, Sink, deck_name, slug};
use crate::model::{Bank, Spanned};
use crate::render::{
    Card, Highlighter, Math, escape, sanitize_page, to_html_with, to_inline_html_with,
};

pub struct Html;

impl Exporter for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn file_name(&self, bank: &Bank<'_>) -> PathBuf {
        PathBuf::from(format!("{}.html", slug(deck_name(bank))))
    }

    fn start<'a>(
        &self,
        ctx: &'a Context<'a>,
        _previous: Option<&std::fs::File>,
    ) -> Result<Box<dyn Sink + Send + 'a>, Error> {
        Ok(Box::new(HtmlSink::new(ctx.bank)))
    }
}

/// Writes the page as the cards come: the head, the header and the contents
/// at the start (from the bank alone), each card as it arrives, the rest at
/// the end. Only the page itself and each question's HTML are kept.
pub struct HtmlSink<'a> {
    page: Page<'a>,
}

impl<'a> HtmlSink<'a> {
    pub fn new(bank: &'a Bank<'a>) -> Self {
        Self {
            page: Page::begin(bank, ""),
        }
    }
}

impl Sink for HtmlSink<'_> {
    fn wants_mathml(&self) -> bool {
        true
    }

    fn cards(&mut self, cards: &[Card]) -> Result<(), Error> {
        for card in cards {
            self.page.push(card);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Content, Error> {
        Ok(Content::Bytes(self.page.end(None).into_bytes()))
    }
}

/// The page for `bank`, written as it is built.
pub struct Page<'a> {
    bank: &'a Bank<'a>,
    related: &'a [Vec<usize>],
    /// Each question's HTML (MathML math), for the contents and the links
    /// to it.
    questions: Vec<String>,
    s: String,
}

impl<'a> Page<'a> {
    /// Starts the page: everything before the first card. `banner` goes
    /// above the header (the preview's findings).
    pub fn begin(bank: &'a Bank<'a>, banner: &str) -> Self {
        let mut hl = Highlighter::new();
        let questions = bank
            .questions
            .iter()
            .map(|q| {
                let text = q.question.as_ref().map_or(Cow::Borrowed(""), |t| t.value());
                page_html(to_inline_html_with(&text, &mut hl, Math::MathMl))
            })
            .collect();
        let mut page = Self {
            bank,
            related: bank.related_both_ways(),
            questions,
            s: String::with_capacity(64 * 1024),
        };
        let title = escape(deck_name(bank));
        let _ = write!(
            page.s,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n\
             <meta name=\"generator\" content=\"pyq\">\n<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n\
             <body class=\"card pyq-page\">\n{banner}"
        );
        header(&mut page.s, bank, &title, &mut hl);
        contents(&mut page.s, bank, &page.questions);
        page.s.push_str("<main id=\"questions\">\n");
        page
    }

    /// Adds the next card (in bank order), with its MathML answer where it
    /// has one ([`Card::page_answer`]).
    pub fn push(&mut self, card: &Card) {
        let answer = card.page_answer.as_ref().unwrap_or(&card.answer);
        question(
            &mut self.s,
            self.bank,
            card,
            answer,
            &self.questions,
            self.related,
        );
    }

    /// Ends the page; `script` is the preview's reload script.
    pub fn end(mut self, script: Option<&str>) -> String {
        self.s.push_str(
            "<p id=\"pyq-none\" class=\"pyq-none\" hidden>No question matches.</p>\n</main>\n",
        );
        retired(
            &mut self.s,
            self.bank,
            &self.questions,
            &mut Highlighter::new(),
        );
        let _ = write!(self.s, "<script>\n{SCRIPT}</script>\n");
        if let Some(script) = script {
            let _ = write!(self.s, "<script>\n{script}</script>\n");
        }
        self.s.push_str("</body>\n</html>\n");
        self.s
    }
}

/// What `pyq preview` adds to the page.
pub struct Preview<'p> {
    /// HTML shown above the cards (the lint's findings), already escaped.
    pub banner: &'p str,
    /// The reload script's source.
    pub script: &'p str,
}

/// The page's stylesheet: the note type's (light, Anki's night mode, the
/// system's dark mode, the card rules), then the page's own layout.
pub const CSS: &str = concat!(
    css_light!(),
    css_night_selector!(),
    " ",
    css_dark!(),
    "@media (prefers-color-scheme: dark) {\nbody.card:not(.pyq-light) ",
    css_dark!(),
    "}\n",
    css_rules!(),
    include_str!("html/page.css")
);

/// The page's script: search, filters, the theme toggle.
pub const SCRIPT: &str = include_str!("html/page.js");

/// The whole page for a bank that linted clean, rendered here (for `pyq
/// preview` and tests; `pyq export` streams it through [`HtmlSink`]).
pub fn document(bank: &Bank<'_>, preview: Option<&Preview<'_>>) -> String {
    let mut page = Page::begin(bank, preview.map_or("", |p| p.banner));
    // Rendering a bank that linted clean does not fail.
    let _ = crate::render::for_each_chunk_with(bank, true, &|_| true, |chunk| {
        for card in chunk {
            page.push(card);
        }
        Ok::<(), std::convert::Infallible>(())
    });
    page.end(preview.map(|p| p.script))
}

/// The preview's page while the bank has never been free of errors: the
/// findings and nothing else (there are no cards to show yet).
pub fn document_without_cards(name: &str, preview: &Preview<'_>) -> String {
    let title = escape(name);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n\
         <body class=\"card pyq-page\">\n{}<main id=\"questions\"><p class=\"pyq-none\">No cards yet: \
         fix the errors above and save.</p></main>\n<script>\n{}</script>\n</body>\n</html>\n",
        preview.banner, preview.script
    )
}

fn header(s: &mut String, bank: &Bank<'_>, title: &str, hl: &mut Highlighter) {
    let _ = write!(
        s,
        "<header class=\"pyq-header\">\n<div class=\"pyq-bar\"><h1>{title}</h1>\
         <button type=\"button\" id=\"pyq-theme\" class=\"pyq-button\" hidden>Dark</button></div>\n"
    );
    if let Some(desc) = bank.deck.as_ref().and_then(|d| d.description.as_ref()) {
        let html = page_html(to_html_with(&desc.value(), hl, Math::MathMl));
        let _ = writeln!(s, "<div class=\"pyq-description\">{html}</div>");
    }
    let _ = writeln!(
        s,
        "<p class=\"pyq-count\">{} questions. Generated by pyq from <code>questions.yaml</code>; \
         edit that file, not this page.</p>",
        bank.questions.len()
    );
    // The filters need the script, which shows them.
    s.push_str(
        "<form id=\"pyq-filter\" class=\"pyq-filter\" role=\"search\" hidden>\n\
         <input type=\"search\" id=\"pyq-search\" placeholder=\"Search\" aria-label=\"Search the questions and answers\">\n\
         <select id=\"pyq-topic\" aria-label=\"Topic\"><option value=\"\">All topics</option>",
    );
    for topic in used_topics(bank) {
        let _ = write!(
            s,
            "<option value=\"{}\">{}</option>",
            escape(topic.key.as_str()),
            escape(topic.title.as_str())
        );
    }
    s.push_str(
        "</select>\n<select id=\"pyq-difficulty\" aria-label=\"Difficulty\"><option value=\"\">All levels</option>",
    );
    let levels: BTreeSet<&str> = bank
        .questions
        .iter()
        .filter_map(|q| q.difficulty.as_ref().map(|d| d.value.as_str()))
        .collect();
    for level in ["junior", "mid", "senior"] {
        if levels.contains(level) {
            let _ = write!(s, "<option value=\"{level}\">{level}</option>");
        }
    }
    s.push_str(
        "</select>\n<select id=\"pyq-tag\" aria-label=\"Tag\"><option value=\"\">All tags</option>",
    );
    let tags: BTreeSet<&str> = bank
        .questions
        .iter()
        .flat_map(|q| q.tags.iter().map(Spanned::as_str))
        .collect();
    for tag in tags {
        let tag = escape(tag);
        let _ = write!(s, "<option value=\"{tag}\">{tag}</option>");
    }
    let _ = write!(
        s,
        "</select>\n<output id=\"pyq-shown\" class=\"pyq-shown\">{n} of {n}</output>\n</form>\n</header>\n",
        n = bank.questions.len()
    );
}

/// The topics that have questions, in the order of `topics`.
fn used_topics<'b>(bank: &'b Bank<'_>) -> impl Iterator<Item = &'b crate::model::Topic<'b>> {
    bank.topics.iter().filter(|t| {
        bank.questions
            .iter()
            .any(|q| q.topic.as_ref().is_some_and(|k| k.value == t.key.value))
    })
}

/// The table of contents, grouped by topic, folded away.
fn contents(s: &mut String, bank: &Bank<'_>, questions: &[String]) {
    s.push_str(
        "<nav class=\"pyq-toc\" aria-label=\"Contents\"><details><summary>Contents</summary>\n",
    );
    for topic in used_topics(bank) {
        let _ = write!(s, "<h2>{}</h2>\n<ol>\n", escape(topic.title.as_str()));
        for (i, q) in bank.questions.iter().enumerate() {
            if q.topic.as_ref().is_some_and(|k| k.value == topic.key.value) {
                let _ = writeln!(
                    s,
                    "<li value=\"{}\"><a href=\"#{}\">{}</a></li>",
                    i + 1,
                    anchor(q.id_str().unwrap_or("")),
                    without_links(&questions[i])
                );
            }
        }
        s.push_str("</ol>\n");
    }
    s.push_str("</details></nav>\n");
}

/// One card's article; `answer` is its answer with MathML math, and its
/// question's is `questions[i]`.
fn question(
    s: &mut String,
    bank: &Bank<'_>,
    c: &Card,
    answer: &str,
    questions: &[String],
    related: &[Vec<usize>],
) {
    let i = (c.number - 1) as usize;
    let q = &bank.questions[i];
    let topic_key = q.topic.as_ref().map_or("", Spanned::as_str);
    let tags: Vec<String> = q.tags.iter().map(|t| escape(t.as_str())).collect();
    let id = anchor(&c.id);
    let _ = write!(
        s,
        "<article class=\"pyq-q\" id=\"{id}\" data-topic=\"{}\" data-difficulty=\"{}\" data-tags=\"{}\">\n\
         <div class=\"pyq-card\">\n<div class=\"pyq-meta\"><a class=\"pyq-num\" href=\"#{id}\">#{}</a>\
         <span class=\"pyq-topic\">{}</span><span class=\"pyq-level pyq-level-{}\">{}</span>",
        escape(topic_key),
        escape(&c.difficulty),
        tags.join(" "),
        c.number,
        c.topic,
        escape(&c.difficulty),
        escape(&c.difficulty),
    );
    for tag in &tags {
        let _ = write!(s, "<span class=\"pyq-tag\">{tag}</span>");
    }
    let _ = write!(
        s,
        "</div>\n<div class=\"pyq-question\">{}</div>\n</div>\n\
         <details class=\"pyq-reveal\"><summary>Show answer</summary>\n\
         <div class=\"pyq-card pyq-answer\">{answer}</div>\n",
        questions[i]
    );
    if !related[i].is_empty() {
        s.push_str(
            "<div class=\"pyq-card pyq-see-also\"><div class=\"pyq-see-also-title\">See also</div>\
             <ul class=\"pyq-see-also-list\">",
        );
        for &j in &related[i] {
            let _ = write!(
                s,
                "<li><a href=\"#{}\"><span class=\"pyq-ref\">#{}</span> {}</a></li>",
                anchor(bank.questions[j].id_str().unwrap_or("")),
                j + 1,
                without_links(&questions[j])
            );
        }
        s.push_str("</ul></div>\n");
    }
    s.push_str("</details>\n</article>\n");
}

/// The retired questions, as in the Markdown document.
fn retired(s: &mut String, bank: &Bank<'_>, questions: &[String], hl: &mut Highlighter) {
    if bank.retired.is_empty() {
        return;
    }
    s.push_str(
        "<section id=\"retired\" class=\"pyq-retired\">\n<h2>Retired questions</h2>\n\
         <p>No longer in the bank. In Anki, re-importing the deck marks their notes with the tag \
         <code>pyq::retired</code>: search <code>tag:pyq::retired</code> in the Browser to delete them.</p>\n<ul>\n",
    );
    for r in &bank.retired {
        let id = escape(r.id_str().unwrap_or(""));
        let reason = r.reason.as_ref().map_or("", |s| s.as_str());
        let reason = page_html(to_inline_html_with(reason, hl, Math::MathMl));
        let _ = write!(s, "<li><code>{id}</code>: {reason}");
        let replacement = r.replaced_by.as_ref().and_then(|to| {
            bank.questions
                .iter()
                .position(|q| q.id_str() == Some(to.as_str()))
        });
        if let Some(j) = replacement {
            let _ = write!(
                s,
                " Replaced by <a href=\"#{}\">#{} {}</a>.",
                anchor(bank.questions[j].id_str().unwrap_or("")),
                j + 1,
                without_links(&questions[j])
            );
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n</section>\n");
}

/// Sanitised HTML with its links' tags removed (their text stays), to go
/// inside a link of the page's own (links do not nest).
fn without_links(html: &str) -> Cow<'_, str> {
    if !html.contains("<a ") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = [rest.find("<a "), rest.find("</a>")]
        .into_iter()
        .flatten()
        .min()
    {
        out.push_str(&rest[..at]);
        // The sanitiser let through only whole tags: each ends at its `>`.
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn page_html(html: String) -> String {
    match sanitize_page(&html) {
        Cow::Borrowed(_) => html,
        Cow::Owned(clean) => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::anki::template;

    fn page(yaml: &str) -> String {
        let source =
            crate::source::SourceFile::new(std::path::Path::new("q.yaml"), yaml.to_owned());
        let bank = crate::load::load(&source).bank;
        document(&bank, None)
    }

    const BANK: &str = "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\n\
        topics: {t: T, u: U}\nquestions:\n\
        - {number: 1, id: a, topic: t, difficulty: mid, tags: [x], question: 'Why $O(n)$ [here](https://e.x/)?', answer: 'Because `\\(x\\)` and $$n^2$$', related: [b]}\n\
        - {number: 2, id: b, topic: t, difficulty: junior, question: 'Plain?', answer: 'Yes.'}\n";

    #[test]
    fn the_page_carries_every_rule_of_the_card_stylesheet() {
        for rule in template::CSS.split("}\n").filter(|r| !r.trim().is_empty()) {
            assert!(CSS.contains(rule), "missing from the page: {rule}");
        }
        // Dark without a script: the night colours under the system's dark mode.
        assert!(CSS.contains(concat!(
            "@media (prefers-color-scheme: dark) {\nbody.card:not(.pyq-light) ",
            css_dark!()
        )));
    }

    #[test]
    fn math_is_mathml_and_code_keeps_its_backslashes() {
        let html = page(BANK);
        assert!(html.contains("<math><mi>O</mi>"), "{html}");
        assert!(html.contains("<math display=\"block\">"), "{html}");
        assert!(html.contains("<code>\\(x\\)</code>"), "{html}");
        assert!(!html.contains("$O(n)$"));
    }

    #[test]
    fn see_also_links_jump_within_the_page_without_nesting_links() {
        let html = page(BANK);
        assert!(html.contains("<article class=\"pyq-q\" id=\"q-a\""));
        assert!(html.contains("<li><a href=\"#q-a\"><span class=\"pyq-ref\">#1</span> Why <math>"));
        // The question's own link is dropped inside the page's link to it.
        assert!(html.contains("</math> here?</a></li>"), "{html}");
        assert!(html.contains("<a href=\"#q-b\"><span class=\"pyq-ref\">#2</span> Plain?</a>"));
    }

    #[test]
    fn nothing_in_the_page_loads_anything() {
        let html = page(BANK);
        for needle in [" src=", "<link", "@import", "url(", "<iframe", "<img"] {
            assert!(!html.contains(needle), "{needle}");
        }
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(page(BANK), html, "not deterministic");
    }

    #[test]
    fn without_links_keeps_the_text() {
        assert_eq!(
            without_links("a <a href=\"https://x/\" title=\"t\">b</a> c <a href=\"#y\">d</a>"),
            "a b c d"
        );
        assert!(matches!(without_links("no links"), Cow::Borrowed(_)));
    }
}
