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

/// Runs every content rule except near-duplicate detection, which
/// [`crate::lint::check`] runs on another thread (it needs only the bank).
pub(crate) fn run_all(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    numbering::numbering(ctx, out);
    duplicate_id::duplicate_id(ctx, out);
    invalid_id::invalid_id(ctx, out);
    missing_answer::missing_answer(ctx, out);
    missing_question::missing_question(ctx, out);
    empty_bank::empty_bank(ctx, out);
    duplicate_question::duplicate_question(ctx, out);
    unknown_topic::unknown_topic(ctx, out);
    invalid_tag::invalid_tag(ctx, out);
    unused_topic::unused_topic(ctx, out);
    unknown_related::unknown_related(ctx, out);
    unclosed_code_fence::unclosed_code_fence(ctx, out);
    dunder_outside_code::dunder_outside_code(ctx, out);
    unsafe_html::unsafe_html(ctx, out);
    raw_html::raw_html(ctx, out);
    retired_id_reused::retired_id_reused(ctx, out);
    published_id_removed::published_id_removed(ctx, out);
    published_deck_changed::published_deck_changed(ctx, out);
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
