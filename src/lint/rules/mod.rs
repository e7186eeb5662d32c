//! One file per rule: its explanation (what, why, example), its check and
//! its tests. Load-time rules (PYQ00x) are emitted by `load`; their files
//! hold the explanation and tests.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

pub(crate) mod answers;
mod code_fails;
mod dunder_outside_code;
mod duplicate_id;
mod duplicate_key;
mod duplicate_question;
mod empty_bank;
mod invalid_config;
mod invalid_id;
mod invalid_suppression;
mod invalid_tag;
mod invalid_value;
mod missing_answer;
mod missing_field;
mod missing_question;
pub(crate) mod near_duplicate;
mod numbering;
mod published_deck_changed;
mod published_id_removed;
mod raw_html;
mod retired_id_reused;
mod unclosed_code_fence;
mod unknown_key;
mod unknown_related;
mod unknown_topic;
mod unsafe_html;
mod unused_suppression;
mod unused_topic;
mod yaml_syntax;

pub(crate) use invalid_tag::TAG_PATTERN;
pub(crate) use missing_answer::is_placeholder;

/// A content rule's check (near-duplicate detection aside, which
/// [`crate::lint::check`] runs on another thread: it needs only the bank).
type Check = fn(&Ctx<'_>, &mut Vec<Diagnostic>);

/// Every content rule run on a [`Ctx`], in the order they run, each with
/// the one rule whose findings its check makes (so that a caller may skip
/// the checks whose findings it would throw away).
const CHECKS: &[(Rule, Check)] = &[
    (Rule::Numbering, numbering::numbering),
    (Rule::DuplicateId, duplicate_id::duplicate_id),
    (Rule::InvalidId, invalid_id::invalid_id),
    (Rule::MissingAnswer, missing_answer::missing_answer),
    (Rule::MissingQuestion, missing_question::missing_question),
    (Rule::EmptyBank, empty_bank::empty_bank),
    (
        Rule::DuplicateQuestion,
        duplicate_question::duplicate_question,
    ),
    (Rule::UnknownTopic, unknown_topic::unknown_topic),
    (Rule::InvalidTag, invalid_tag::invalid_tag),
    (Rule::UnusedTopic, unused_topic::unused_topic),
    (Rule::UnknownRelated, unknown_related::unknown_related),
    (
        Rule::UnclosedCodeFence,
        unclosed_code_fence::unclosed_code_fence,
    ),
    (
        Rule::DunderOutsideCode,
        dunder_outside_code::dunder_outside_code,
    ),
    (Rule::UnsafeHtml, unsafe_html::unsafe_html),
    (Rule::RawHtml, raw_html::raw_html),
    (Rule::RetiredIdReused, retired_id_reused::retired_id_reused),
    (
        Rule::PublishedIdRemoved,
        published_id_removed::published_id_removed,
    ),
    (
        Rule::PublishedDeckChanged,
        published_deck_changed::published_deck_changed,
    ),
];

/// Runs the content rules that `selected` picks, except near-duplicate
/// detection (see [`CHECKS`]).
pub(crate) fn run(ctx: &Ctx<'_>, selected: impl Fn(Rule) -> bool, out: &mut Vec<Diagnostic>) {
    for &(rule, check) in CHECKS {
        if selected(rule) {
            check(ctx, out);
        }
    }
}

/// The explanation of a rule, as `pyq rules NAME` prints it.
pub(crate) fn explanation(rule: Rule) -> &'static str {
    match rule {
        Rule::YamlSyntax => yaml_syntax::EXPLANATION,
        Rule::UnknownKey => unknown_key::EXPLANATION,
        Rule::DuplicateKey => duplicate_key::EXPLANATION,
        Rule::MissingField => missing_field::EXPLANATION,
        Rule::InvalidValue => invalid_value::EXPLANATION,
        Rule::InvalidConfig => invalid_config::EXPLANATION,
        Rule::Numbering => numbering::EXPLANATION,
        Rule::DuplicateId => duplicate_id::EXPLANATION,
        Rule::InvalidId => invalid_id::EXPLANATION,
        Rule::MissingAnswer => missing_answer::EXPLANATION,
        Rule::DuplicateQuestion => duplicate_question::EXPLANATION,
        Rule::NearDuplicate => near_duplicate::EXPLANATION,
        Rule::UnknownTopic => unknown_topic::EXPLANATION,
        Rule::InvalidTag => invalid_tag::EXPLANATION,
        Rule::UnusedTopic => unused_topic::EXPLANATION,
        Rule::MissingQuestion => missing_question::EXPLANATION,
        Rule::EmptyBank => empty_bank::EXPLANATION,
        Rule::UnknownRelated => unknown_related::EXPLANATION,
        Rule::UnclosedCodeFence => unclosed_code_fence::EXPLANATION,
        Rule::DunderOutsideCode => dunder_outside_code::EXPLANATION,
        Rule::UnsafeHtml => unsafe_html::EXPLANATION,
        Rule::RawHtml => raw_html::EXPLANATION,
        Rule::CodeFails => code_fails::EXPLANATION,
        Rule::PublishedIdRemoved => published_id_removed::EXPLANATION,
        Rule::RetiredIdReused => retired_id_reused::EXPLANATION,
        Rule::PublishedDeckChanged => published_deck_changed::EXPLANATION,
        Rule::MissingLead => answers::missing_lead::EXPLANATION,
        Rule::LeadTooLong => answers::lead_too_long::EXPLANATION,
        Rule::LeadNotOneSentence => answers::lead_not_one_sentence::EXPLANATION,
        Rule::ProseLength => answers::prose_length::EXPLANATION,
        Rule::TooManyCodeBlocks => answers::too_many_code_blocks::EXPLANATION,
        Rule::CodeBlockTooLong => answers::code_block_too_long::EXPLANATION,
        Rule::CodeLineTooLong => answers::code_line_too_long::EXPLANATION,
        Rule::MissingCodeLanguage => answers::missing_code_language::EXPLANATION,
        Rule::UnusedSuppression => unused_suppression::EXPLANATION,
        Rule::InvalidSuppression => invalid_suppression::EXPLANATION,
    }
}

/// The closest of `candidates` to `word` within a small edit distance.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d > 0 && *d <= 2.max(c.len() / 3))
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::source::SourceFile;

    /// `lint::errors_with` skips the checks of rules that are no errors:
    /// each check must make findings of its own rule only.
    #[test]
    fn each_check_makes_only_its_rules_findings() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut banks = vec![
            root.join("questions.yaml"),
            root.join("tests/cmd/lint-findings.in/questions.yaml"),
            root.join("tests/cmd/lint-published.in/questions.yaml"),
            root.join("tests/cmd/lint-empty-bank.in/questions.yaml"),
        ];
        for dir in ["tests/hostile", "tests/fixtures"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("a test folder") {
                banks.push(entry.expect("an entry").path());
            }
        }
        let mut rules_seen = std::collections::BTreeSet::new();
        for path in banks
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        {
            let source = SourceFile::new(path, std::fs::read_to_string(path).unwrap_or_default());
            let loaded = crate::load::load(&source);
            if !loaded.complete {
                continue;
            }
            let lock = crate::identity::lock::read_for(path).ok().flatten();
            let (mut ctx, _) = crate::lint::context(
                &loaded.bank,
                &source,
                &Default::default(),
                &crate::lint::Selection::all(),
                &[],
            );
            ctx.lock = lock.as_ref();
            for &(rule, check) in CHECKS {
                let mut out = Vec::new();
                check(&ctx, &mut out);
                for d in &out {
                    assert_eq!(d.rule, rule, "{}: {d:?}", path.display());
                    rules_seen.insert(rule);
                }
            }
        }
        // The banks do reach most checks.
        assert!(rules_seen.len() >= 12, "{rules_seen:?}");
    }

    /// A rule's place in `Rule::ALL` is its discriminant (`lint::Selection`
    /// indexes by it).
    #[test]
    fn rules_are_indexed_by_discriminant() {
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(rule as usize, i, "{}", rule.name());
        }
    }
}
