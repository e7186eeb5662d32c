//! The content rules: a loaded [`Bank`] in, diagnostics out. Load-time
//! findings (syntax, keys, types) come from `load`; this module adds the
//! rest, applies [`Settings`] and sorts everything by position.

pub(crate) mod answers;
pub mod codes;
pub mod markdown;
pub(crate) mod rules;
pub mod settings;
pub(crate) mod suppress;

use crate::diagnostic::{Diagnostic, Severity};
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
    lint(
        loaded,
        source,
        settings,
        lock,
        &Selection::enabled(settings),
        &[],
    )
}

/// The error-level findings of [`check_with`], exactly (the same findings
/// in the same order), for `pyq export`, which refuses a bank only for its
/// errors: only the rules that `settings` rates as errors run, so a bank's
/// warnings cost nothing (near-duplicate detection, the writing rules and
/// the Markdown scan run only when one of their rules is an error). When
/// `unused-suppression` is an error every rule runs, since whether a
/// `# pyq: allow` comment silences something is known only then.
pub fn errors_with(
    loaded: &Loaded<'_>,
    source: &SourceFile,
    settings: &Settings,
    lock: Option<&crate::identity::lock::Lock>,
) -> Vec<Diagnostic> {
    errors_seen(loaded, source, settings, lock, &[])
}

/// [`errors_with`], taking the Markdown facts of each question's fields
/// from `seen` (by question index) where the renderer has them, instead of
/// parsing those fields again: `pyq export` renders every card anyway. The
/// findings are the same (`seen` must be what [`markdown::Facts::observe`]
/// saw rendering the bank's own texts); a question without facts in `seen`
/// is parsed here.
pub fn errors_seen(
    loaded: &Loaded<'_>,
    source: &SourceFile,
    settings: &Settings,
    lock: Option<&crate::identity::lock::Lock>,
    seen: &[markdown::Seen],
) -> Vec<Diagnostic> {
    let selection = if settings.severity(Rule::UnusedSuppression) == Some(Severity::Error) {
        Selection::enabled(settings)
    } else {
        Selection::errors(settings)
    };
    let mut found = lint(loaded, source, settings, lock, &selection, seen);
    found.retain(|d| d.severity == Severity::Error);
    found
}

/// The rules a lint runs. A rule left out makes no findings; the others
/// make exactly the findings they make in a full lint (each check makes
/// the findings of one rule, and suppression comments silence each
/// finding on its own).
///
/// A rule that the settings switch off (`allow`) never needs to run: its
/// findings are dropped before suppression comments are matched, so a
/// comment naming it silences nothing either way.
struct Selection([bool; Rule::ALL.len()]);

/// The rules that read the Markdown scan's facts.
const MARKDOWN_RULES: [Rule; 4] = [
    Rule::UnclosedCodeFence,
    Rule::DunderOutsideCode,
    Rule::UnsafeHtml,
    Rule::RawHtml,
];

/// The writing rules (`[lint.answers]`), which run in the Markdown scan.
const WRITING_RULES: [Rule; 8] = [
    Rule::MissingLead,
    Rule::LeadTooLong,
    Rule::LeadNotOneSentence,
    Rule::ProseLength,
    Rule::TooManyCodeBlocks,
    Rule::CodeBlockTooLong,
    Rule::CodeLineTooLong,
    Rule::MissingCodeLanguage,
];

impl Selection {
    #[cfg(test)]
    fn all() -> Self {
        Self([true; Rule::ALL.len()])
    }

    /// The rules that `settings` does not switch off.
    fn enabled(settings: &Settings) -> Self {
        Self(Rule::ALL.map(|rule| settings.severity(rule).is_some()))
    }

    /// The rules whose findings `settings` rates as errors.
    fn errors(settings: &Settings) -> Self {
        Self(Rule::ALL.map(|rule| settings.severity(rule) == Some(Severity::Error)))
    }

    fn has(&self, rule: Rule) -> bool {
        self.0[rule as usize]
    }

    fn any(&self, rules: &[Rule]) -> bool {
        rules.iter().any(|&rule| self.has(rule))
    }
}

/// Runs the `selected` content rules on a loaded bank (unless its YAML was
/// broken), then applies the settings and the suppression comments.
fn lint(
    loaded: &Loaded<'_>,
    source: &SourceFile,
    settings: &Settings,
    lock: Option<&crate::identity::lock::Lock>,
    selected: &Selection,
    seen: &[markdown::Seen],
) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    if loaded.complete {
        let bank = &loaded.bank;
        // Near-duplicate detection (the costliest rule, and one that needs
        // only the bank) runs beside the Markdown scan and the other rules.
        let near = std::thread::scope(|s| {
            let near = selected.has(Rule::NearDuplicate).then(|| {
                s.spawn(|| {
                    let mut near = Vec::new();
                    rules::near_duplicate::near_duplicate(bank, &mut near);
                    near
                })
            });
            let (mut ctx, found) = context(bank, source, &settings.answers, selected, seen);
            out.extend(found);
            ctx.lock = lock;
            rules::run(&ctx, |rule| selected.has(rule), &mut out);
            near.map(|near| near.join().expect("the near-duplicate rule does not panic"))
        });
        out.extend(near.into_iter().flatten());
    }
    finish(
        out,
        source,
        settings,
        loaded.complete.then_some(&loaded.bank),
    )
}

/// The rules' context: one Markdown pass over every text field (on both
/// cores), which also runs the writing rules that `answers` configures and
/// returns their findings. Without a `selected` rule that needs it, the
/// pass is left out (every field's facts are then empty). A field whose
/// facts are in `seen` (by question index) is not parsed again, unless the
/// writing rules need its parse.
fn context<'a>(
    bank: &'a Bank<'_>,
    source: &'a SourceFile,
    limits: &settings::Answers,
    selected: &Selection,
    seen: &[markdown::Seen],
) -> (Ctx<'a>, Vec<Diagnostic>) {
    let writing_rules = limits.any() && selected.any(&WRITING_RULES);
    if !writing_rules && !selected.any(&MARKDOWN_RULES) {
        let none = || bank.questions.iter().map(|_| None).collect();
        let ctx = Ctx {
            bank,
            source,
            question_md: none(),
            answer_md: none(),
            description_md: markdown::Facts::default(),
            lock: None,
        };
        return (ctx, Vec::new());
    }
    // Bold `__dunder__` names are looked for only when their rule runs.
    let dunders = selected.has(Rule::DunderOutsideCode);
    let facts = |t: Option<&Text<'_>>| {
        t.map_or_else(markdown::Facts::default, |t| {
            markdown::Facts::of_text(t, dunders)
        })
    };
    let boxed = |facts: markdown::Facts| Some(Box::new(facts)).filter(|f| !f.is_empty());
    // The renderer's facts, as this pass would find them (bold dunders only
    // when their rule runs).
    let as_scanned = |facts: &markdown::Facts| {
        let mut facts = facts.clone();
        if !dunders {
            facts.bold_dunders.clear();
        }
        boxed(facts)
    };
    type Pair = (Option<Box<markdown::Facts>>, Option<Box<markdown::Facts>>);
    let scan = |qs: &[crate::model::Question<'_>], first: usize| -> (Vec<Pair>, Vec<Diagnostic>) {
        let mut found = Vec::new();
        let pairs = qs
            .iter()
            .enumerate()
            .map(|(i, q)| {
                match seen.get(first + i) {
                    Some(markdown::Seen::Clean) if !writing_rules => return (None, None),
                    Some(markdown::Seen::Facts(f)) if !writing_rules => {
                        return (as_scanned(&f.0), as_scanned(&f.1));
                    }
                    _ => {}
                }
                let question = boxed(facts(q.question.as_ref()));
                let answer = match &q.answer {
                    Some(text) if writing_rules => {
                        let value = text.value();
                        let mut scan = answers::AnswerScan::default();
                        let facts = markdown::Facts::scan(&value, Some(&mut scan), dunders);
                        let trimmed = value.trim();
                        if !trimmed.is_empty() && !rules::is_placeholder(trimmed) {
                            let answer = answers::Answer {
                                question: q,
                                index: first + i,
                                text,
                                value: &value,
                                scan: &scan,
                                source,
                                limits,
                                lead_words: std::cell::OnceCell::new(),
                            };
                            answers::check(&answer, &mut found);
                        }
                        boxed(facts)
                    }
                    other => boxed(facts(other.as_ref())),
                };
                (question, answer)
            })
            .collect();
        (pairs, found)
    };
    // Both cores: the first half on a second thread, the rest here.
    let half = bank.questions.len() / 2;
    let (first, second) = bank.questions.split_at(half);
    let ((mut a, mut found), (b, found_b)) = std::thread::scope(|s| {
        let other = s.spawn(|| scan(first, 0));
        let mine = scan(second, half);
        (
            other.join().expect("the markdown scan does not panic"),
            mine,
        )
    });
    a.extend(b);
    found.extend(found_b);
    let (question_md, answer_md) = a.into_iter().unzip();
    let description_md = facts(bank.deck.as_ref().and_then(|d| d.description.as_ref()));
    let ctx = Ctx {
        bank,
        source,
        question_md,
        answer_md,
        description_md,
        lock: None,
    };
    (ctx, found)
}

/// Applies the settings and the bank's suppression comments (when the bank
/// could be read whole), then sorts by position.
fn finish(
    mut out: Vec<Diagnostic>,
    source: &SourceFile,
    settings: &Settings,
    bank: Option<&Bank<'_>>,
) -> Vec<Diagnostic> {
    out.retain_mut(|d| match settings.severity(d.rule) {
        Some(severity) => {
            d.severity = severity;
            true
        }
        None => false,
    });
    if let Some(bank) = bank {
        suppress::apply(bank, source, settings, &mut out);
    }
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
mod tests {
    use std::path::Path;

    use super::*;

    /// `pyq lint` skips the rules its settings switch off: what it reports
    /// is what running every rule reports, on every test bank.
    #[test]
    fn skipping_switched_off_rules_changes_no_finding() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut banks = vec![root.join("questions.yaml")];
        for dir in ["tests/hostile", "tests/fixtures", "tests/cmd"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("a test folder") {
                let path = entry.expect("an entry").path();
                match std::fs::read_dir(&path) {
                    Ok(case) => banks.extend(case.map(|e| e.expect("an entry").path())),
                    Err(_) => banks.push(path),
                }
            }
        }
        banks.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
        assert!(banks.len() > 80, "{}", banks.len());
        let mut variants = vec![Settings::default()];
        let mut off = Settings::default();
        for rule in [
            Rule::NearDuplicate,
            Rule::UnsafeHtml,
            Rule::DunderOutsideCode,
            Rule::UnknownTopic,
            Rule::PublishedIdRemoved,
            Rule::ProseLength,
        ] {
            off.set(rule, Level::Allow);
        }
        off.answers.prose_words = Some((5, 10));
        off.answers.max_code_width = Some(20);
        variants.push(off.clone());
        off.deny_warnings = true;
        variants.push(off);
        let mut all_off = Settings::default();
        for rule in Rule::ALL {
            all_off.set(rule, Level::Allow);
        }
        variants.push(all_off);
        for path in &banks {
            let source = SourceFile::new(path, std::fs::read_to_string(path).unwrap_or_default());
            let loaded = crate::load::load(&source);
            let lock = crate::identity::lock::read_for(path).ok().flatten();
            for settings in &variants {
                assert_eq!(
                    check_with(&loaded, &source, settings, lock.as_ref()),
                    lint(
                        &loaded,
                        &source,
                        settings,
                        lock.as_ref(),
                        &Selection::all(),
                        &[]
                    ),
                    "{}",
                    path.display()
                );
            }
        }
    }
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

    /// [`lint_rule`] with the writing rules' `limits` (`[lint.answers]`).
    pub(crate) fn lint_answers(yaml: &str, rule: Rule, limits: settings::Answers) -> String {
        let mut settings = Settings::default();
        settings.answers = limits;
        concise_with(yaml, rule, None, &settings)
    }

    fn concise(yaml: &str, rule: Rule, lock: Option<&crate::identity::lock::Lock>) -> String {
        concise_with(yaml, rule, lock, &Settings::default())
    }

    fn concise_with(
        yaml: &str,
        rule: Rule,
        lock: Option<&crate::identity::lock::Lock>,
        settings: &Settings,
    ) -> String {
        let source = SourceFile::new(Path::new("q.yaml"), yaml.to_owned());
        let loaded = crate::load::load(&source);
        let diags: Vec<_> = check_with(&loaded, &source, settings, lock)
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect();
        let mut buf = Vec::new();
        emit::concise::emit(&diags, &source, &mut buf).expect("writing to a Vec");
        String::from_utf8(buf).expect("utf-8")
    }
}
