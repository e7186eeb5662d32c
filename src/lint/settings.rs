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
