//! The writing rules (PYQ7xx): each runs only when its `[lint.answers]`
//! setting is present in pyq.toml. They share one scan of each answer
//! ([`crate::lint::answers`]).

pub(crate) mod code_block_too_long;
pub(crate) mod code_line_too_long;
pub(crate) mod lead_not_one_sentence;
pub(crate) mod lead_too_long;
pub(crate) mod missing_code_language;
pub(crate) mod missing_lead;
pub(crate) mod prose_length;
pub(crate) mod too_many_code_blocks;

/// `n` and the noun, singular or plural: "1 word", "36 words".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
