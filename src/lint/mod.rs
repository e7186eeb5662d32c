//! The content rules: a loaded [`Bank`] in, diagnostics out. Load-time
//! findings (syntax, keys, types) come from `load`; this module adds the
//! rest, applies [`Settings`] and sorts everything by position.

pub mod codes;
pub mod markdown;
pub(crate) mod rules;
pub mod settings;

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;
use crate::model::{Bank, Text};
use crate::source::{SourceFile, Span};

pub use codes::Rule;

pub use settings::{Level, Settings};

/// Everything a rule may look at.
pub(crate) struct Ctx<'a> {
    pub bank: &'a Bank<'a>,
    pub source: &'a SourceFile,
    /// Markdown facts for each question's `question` and `answer`, by index.
    /// `None` when a field has nothing to report (most do), to keep a large
    /// bank's memory down.
    pub question_md: Vec<Option<Box<markdown::Facts>>>,
    pub answer_md: Vec<Option<Box<markdown::Facts>>>,
    pub description_md: markdown::Facts,
    /// What has been published (the bank's lock), when there is one.
    pub lock: Option<&'a crate::identity::lock::Lock>,
}

static NO_FACTS: markdown::Facts = markdown::Facts::EMPTY;

/// A Markdown text field with its facts, for the Markdown rules.
pub(crate) struct Field<'a> {
    /// The question it belongs to (`None` for the deck description).
    pub question: Option<&'a crate::model::Question<'a>>,
    pub name: &'static str,
    pub text: &'a Text<'a>,
    pub facts: &'a markdown::Facts,
}

impl<'a> Ctx<'a> {
    /// Every Markdown field: the deck description, then each question's
    /// `question` and `answer`.
    pub fn fields(&self) -> impl Iterator<Item = Field<'_>> {
        let description = self
            .bank
            .deck
            .as_ref()
            .and_then(|d| d.description.as_ref())
            .map(|text| Field {
                question: None,
                name: "`deck.description`",
                text,
                facts: &self.description_md,
            });
        let questions = self
            .bank
            .questions
            .iter()
            .enumerate()
            .flat_map(move |(i, q)| {
                let question = q.question.as_ref().map(|text| Field {
                    question: Some(q),
                    name: "the question",
                    text,
                    facts: self.question_md[i].as_deref().unwrap_or(&NO_FACTS),
                });
                let answer = q.answer.as_ref().map(|text| Field {
                    question: Some(q),
                    name: "the answer",
                    text,
                    facts: self.answer_md[i].as_deref().unwrap_or(&NO_FACTS),
                });
                question.into_iter().chain(answer)
            });
        description.into_iter().chain(questions)
    }

    /// The file span of `range` inside `text` (see [`Text::span_of`]).
    pub fn span_in(&self, text: &Text<'_>, range: std::ops::Range<usize>) -> Span {
        text.span_of(self.source, range)
    }
}

/// Runs every content rule on a loaded bank (unless its YAML was broken)
/// and returns all findings, settings applied, in file order.
pub fn check(loaded: &Loaded<'_>, source: &SourceFile, settings: &Settings) -> Vec<Diagnostic> {
    check_with(loaded, source, settings, None)
}

/// [`check`], plus the rules about what has been published when the bank
/// has a lock (`<bank>.pyq.lock`).
pub fn check_with(
    loaded: &Loaded<'_>,
    source: &SourceFile,
    settings: &Settings,
    lock: Option<&crate::identity::lock::Lock>,
) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    if loaded.complete {
        let bank = &loaded.bank;
        // Near-duplicate detection (the costliest rule, and one that needs
        // only the bank) runs beside the Markdown scan and the other rules.
        let near = std::thread::scope(|s| {
            let near = s.spawn(|| {
                let mut near = Vec::new();
                rules::near_duplicate::near_duplicate(bank, &mut near);
                near
            });
            let mut ctx = context(bank, source);
            ctx.lock = lock;
            rules::run_all(&ctx, &mut out);
            near.join().expect("the near-duplicate rule does not panic")
        });
        out.extend(near);
    }
    finish(out, source, settings)
}

fn context<'a>(bank: &'a Bank<'_>, source: &'a SourceFile) -> Ctx<'a> {
    let facts = |t: Option<&Text<'_>>| {
        t.map_or_else(markdown::Facts::default, |t| {
            markdown::Facts::of(&t.value())
        })
    };
    let boxed = |t: Option<&Text<'_>>| Some(Box::new(facts(t))).filter(|f| !f.is_empty());
    type Pair = (Option<Box<markdown::Facts>>, Option<Box<markdown::Facts>>);
    let scan = |qs: &[crate::model::Question<'_>]| -> Vec<Pair> {
        qs.iter()
            .map(|q| (boxed(q.question.as_ref()), boxed(q.answer.as_ref())))
            .collect()
    };
    // Both cores: the first half on a second thread, the rest here.
    let (first, second) = bank.questions.split_at(bank.questions.len() / 2);
    let (mut a, b) = std::thread::scope(|s| {
        let other = s.spawn(|| scan(first));
        let mine = scan(second);
        (
            other.join().expect("the markdown scan does not panic"),
            mine,
        )
    });
    a.extend(b);
    let (question_md, answer_md) = a.into_iter().unzip();
    let description_md = facts(bank.deck.as_ref().and_then(|d| d.description.as_ref()));
    Ctx {
        bank,
        source,
        question_md,
        answer_md,
        description_md,
        lock: None,
    }
}

fn finish(mut out: Vec<Diagnostic>, source: &SourceFile, settings: &Settings) -> Vec<Diagnostic> {
    out.retain_mut(|d| match settings.severity(d.rule) {
        Some(severity) => {
            d.severity = severity;
            true
        }
        None => false,
    });
    let mut keyed: Vec<_> = out
        .into_iter()
        .map(|d| (source.line_col(d.primary.span.start), d))
        .collect();
    keyed.sort_by(|(a, da), (b, db)| {
        a.cmp(b)
            .then(da.rule.cmp(&db.rule))
            .then(da.message.cmp(&db.message))
    });
    keyed.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
pub(crate) mod test {
    //! Helpers for rule tests: lint a YAML string, render the findings.
    use std::path::Path;

    use super::*;
    use crate::emit;

    /// A small valid bank that every rule must stay quiet on.
    pub(crate) const VALID_BANK: &str = include_str!("../../tests/fixtures/valid.yaml");

    /// Lints `yaml` and renders the findings of `rule` as concise lines.
    pub(crate) fn lint_rule(yaml: &str, rule: Rule) -> String {
        concise(yaml, rule, None)
    }

    /// [`lint_rule`] with a lock that published `ids` under `deck_id`.
    pub(crate) fn lint_rule_locked(yaml: &str, rule: Rule, deck_id: i64, ids: &[&str]) -> String {
        let lock = crate::identity::lock::Lock {
            note: String::new(),
            version: 1,
            deck_id,
            published: ids
                .iter()
                .map(|id| ((*id).to_owned(), crate::identity::guid(deck_id, id)))
                .collect(),
        };
        concise(yaml, rule, Some(&lock))
    }

    fn concise(yaml: &str, rule: Rule, lock: Option<&crate::identity::lock::Lock>) -> String {
        let source = SourceFile::new(Path::new("q.yaml"), yaml.to_owned());
        let loaded = crate::load::load(&source);
        let diags: Vec<_> = check_with(&loaded, &source, &Settings::default(), lock)
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect();
        let mut buf = Vec::new();
        emit::concise::emit(&diags, &source, &mut buf).expect("writing to a Vec");
        String::from_utf8(buf).expect("utf-8")
    }
}
