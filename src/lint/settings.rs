//! Which rules run and how severe their findings are: defaults from the
//! rule table, adjusted by `--allow`, `--warn`, `--deny` and `--deny warnings`.

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::lint::codes::Rule;

/// A rule's level after settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    levels: BTreeMap<Rule, Level>,
    /// `--deny warnings`: every warning counts as an error.
    pub deny_warnings: bool,
    /// The writing rules' limits (`[lint.answers]` in pyq.toml).
    pub answers: Answers,
}

/// `[lint.answers]`: a bank's writing conventions. Each writing rule runs
/// only when its setting is present, since other banks have other
/// conventions (docs/config.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    /// `lead`: the text every answer starts with (`missing-lead`).
    pub lead: Option<String>,
    /// `lead-max-words`: words in the lead's paragraph (`lead-too-long`).
    pub lead_max_words: Option<usize>,
    /// `lead-one-sentence` (`lead-not-one-sentence`).
    pub lead_one_sentence: bool,
    /// `prose-words = [min, max]`: words outside code blocks (`prose-length`).
    pub prose_words: Option<(usize, usize)>,
    /// `max-code-blocks` (`too-many-code-blocks`).
    pub max_code_blocks: Option<usize>,
    /// `max-code-lines`: lines in one code block (`code-block-too-long`).
    pub max_code_lines: Option<usize>,
    /// `max-code-width`: characters in one code line (`code-line-too-long`).
    pub max_code_width: Option<usize>,
    /// `require-code-language` (`missing-code-language`).
    pub require_code_language: bool,
}

impl Answers {
    /// Whether any writing rule is configured.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

impl Settings {
    pub fn set(&mut self, rule: Rule, level: Level) {
        self.levels.insert(rule, level);
    }

    /// The severity a finding of `rule` gets, or `None` when the rule is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        let level = self
            .levels
            .get(&rule)
            .copied()
            .unwrap_or(match rule.meta().default_severity {
                Severity::Error => Level::Deny,
                Severity::Warning => Level::Warn,
            });
        match level {
            Level::Allow => None,
            Level::Warn if self.deny_warnings => Some(Severity::Error),
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_apply() {
        let mut s = Settings::default();
        assert_eq!(s.severity(Rule::NearDuplicate), Some(Severity::Warning));
        s.deny_warnings = true;
        assert_eq!(s.severity(Rule::NearDuplicate), Some(Severity::Error));
        s.set(Rule::NearDuplicate, Level::Allow);
        assert_eq!(s.severity(Rule::NearDuplicate), None);
        s.set(Rule::MissingAnswer, Level::Warn);
        assert_eq!(s.severity(Rule::MissingAnswer), Some(Severity::Error));
    }
}
