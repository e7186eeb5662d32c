//! The rule table: every rule's stable code, kebab-case name, default
//! severity and one-line summary. Codes and names are never reused.

use crate::diagnostic::Severity;

/// Every lint rule pyq knows. Load-time problems (syntax, keys, types) are
/// rules too, so users can look them up and CI can read them from JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    YamlSyntax,
    UnknownKey,
    DuplicateKey,
    MissingField,
    InvalidValue,
    InvalidConfig,
    Numbering,
    DuplicateId,
    InvalidId,
    MissingAnswer,
    DuplicateQuestion,
    NearDuplicate,
    UnknownTopic,
    InvalidTag,
    UnusedTopic,
    MissingQuestion,
    EmptyBank,
    UnknownRelated,
    UnclosedCodeFence,
    DunderOutsideCode,
    UnsafeHtml,
    RawHtml,
    CodeFails,
    PublishedIdRemoved,
    RetiredIdReused,
    PublishedDeckChanged,
    MissingLead,
    LeadTooLong,
    LeadNotOneSentence,
    ProseLength,
    TooManyCodeBlocks,
    CodeBlockTooLong,
    CodeLineTooLong,
    MissingCodeLanguage,
    UnusedSuppression,
    InvalidSuppression,
}

/// A rule's row in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    pub summary: &'static str,
}

impl Rule {
    /// All rules, in code order.
    pub const ALL: [Self; 36] = [
        Self::YamlSyntax,
        Self::UnknownKey,
        Self::DuplicateKey,
        Self::MissingField,
        Self::InvalidValue,
        Self::InvalidConfig,
        Self::Numbering,
        Self::DuplicateId,
        Self::InvalidId,
        Self::MissingAnswer,
        Self::DuplicateQuestion,
        Self::NearDuplicate,
        Self::UnknownTopic,
        Self::InvalidTag,
        Self::UnusedTopic,
        Self::MissingQuestion,
        Self::EmptyBank,
        Self::UnknownRelated,
        Self::UnclosedCodeFence,
        Self::DunderOutsideCode,
        Self::UnsafeHtml,
        Self::RawHtml,
        Self::CodeFails,
        Self::PublishedIdRemoved,
        Self::RetiredIdReused,
        Self::PublishedDeckChanged,
        Self::MissingLead,
        Self::LeadTooLong,
        Self::LeadNotOneSentence,
        Self::ProseLength,
        Self::TooManyCodeBlocks,
        Self::CodeBlockTooLong,
        Self::CodeLineTooLong,
        Self::MissingCodeLanguage,
        Self::UnusedSuppression,
        Self::InvalidSuppression,
    ];

    #[rustfmt::skip]
    pub const fn meta(self) -> RuleMeta {
        use Severity::{Error, Warning};
        let (code, name, default_severity, summary) = match self {
            Self::YamlSyntax        => ("PYQ001", "yaml-syntax",         Error,   "not YAML, not UTF-8, or past a safety limit"),
            Self::UnknownKey        => ("PYQ002", "unknown-key",         Error,   "a key the file format does not have"),
            Self::DuplicateKey      => ("PYQ003", "duplicate-key",       Error,   "the same key twice in one mapping"),
            Self::MissingField      => ("PYQ004", "missing-field",       Error,   "a required key is absent"),
            Self::InvalidValue      => ("PYQ005", "invalid-value",       Error,   "a value of the wrong type or outside its set"),
            Self::InvalidConfig     => ("PYQ006", "invalid-config",      Error,   "a problem in `pyq.toml`: not TOML, an unknown key, a wrong type or value"),
            Self::Numbering         => ("PYQ101", "numbering",           Error,   "question numbers are not exactly 1..N in file order"),
            Self::DuplicateId       => ("PYQ102", "duplicate-id",        Error,   "two questions share an id"),
            Self::InvalidId         => ("PYQ103", "invalid-id",          Error,   "an id that is not a kebab-case slug"),
            Self::MissingAnswer     => ("PYQ201", "missing-answer",      Error,   "an answer that is absent, empty or a placeholder"),
            Self::DuplicateQuestion => ("PYQ202", "duplicate-question",  Error,   "two questions with the same text"),
            Self::NearDuplicate     => ("PYQ203", "near-duplicate",      Warning, "questions that say nearly the same thing (one finding per cluster)"),
            Self::UnknownTopic      => ("PYQ204", "unknown-topic",       Error,   "a topic not declared under `topics`"),
            Self::InvalidTag        => ("PYQ205", "invalid-tag",         Error,   "a tag with spaces, upper case or other characters Anki mangles"),
            Self::UnusedTopic       => ("PYQ206", "unused-topic",        Warning, "a topic declared under `topics` that no question uses"),
            Self::MissingQuestion   => ("PYQ207", "missing-question",    Error,   "a question whose text is empty, white space or a placeholder"),
            Self::EmptyBank         => ("PYQ208", "empty-bank",          Warning, "a bank with no questions"),
            Self::UnknownRelated    => ("PYQ301", "unknown-related",     Error,   "`related` names an id that does not exist"),
            Self::UnclosedCodeFence => ("PYQ302", "unclosed-code-fence", Error,   "a fenced code block that never closes"),
            Self::DunderOutsideCode => ("PYQ303", "dunder-outside-code", Warning, "a `__dunder__` name outside code, which Markdown renders in bold"),
            Self::UnsafeHtml        => ("PYQ401", "unsafe-html",         Error,   "raw HTML that could run script in a card"),
            Self::RawHtml           => ("PYQ402", "raw-html",            Warning, "raw HTML, which cards show as literal text"),
            Self::CodeFails         => ("PYQ501", "code-fails",          Error,   "a Python code block fails or times out (`pyq check-code`)"),
            Self::PublishedIdRemoved   => ("PYQ601", "published-id-removed",   Error, "a question listed in the bank's lock is neither in the bank nor retired"),
            Self::RetiredIdReused      => ("PYQ602", "retired-id-reused",      Error, "a question uses the id of a retired one"),
            Self::PublishedDeckChanged => ("PYQ603", "published-deck-changed", Error, "`anki_deck_id` differs from the one in the bank's lock"),
            Self::MissingLead          => ("PYQ701", "missing-lead",           Warning, "an answer that does not start with the lead (`[lint.answers] lead`)"),
            Self::LeadTooLong          => ("PYQ702", "lead-too-long",          Warning, "a lead paragraph longer than `lead-max-words`"),
            Self::LeadNotOneSentence   => ("PYQ703", "lead-not-one-sentence",  Warning, "a lead paragraph of more than one sentence (`lead-one-sentence`)"),
            Self::ProseLength          => ("PYQ704", "prose-length",           Warning, "an answer's prose outside `prose-words = [least, most]`"),
            Self::TooManyCodeBlocks    => ("PYQ705", "too-many-code-blocks",   Warning, "an answer with more code blocks than `max-code-blocks`"),
            Self::CodeBlockTooLong     => ("PYQ706", "code-block-too-long",    Warning, "a code block longer than `max-code-lines`"),
            Self::CodeLineTooLong      => ("PYQ707", "code-line-too-long",     Warning, "a code line wider than `max-code-width`"),
            Self::MissingCodeLanguage  => ("PYQ708", "missing-code-language",  Warning, "a code fence without a language (`require-code-language`)"),
            Self::UnusedSuppression    => ("PYQ710", "unused-suppression",     Warning, "a `# pyq: allow` comment that silences nothing"),
            Self::InvalidSuppression   => ("PYQ711", "invalid-suppression",    Warning, "a `# pyq:` comment pyq cannot read, or one that names an unknown rule"),
        };
        RuleMeta { code, name, default_severity, summary }
    }

    pub const fn code(self) -> &'static str {
        self.meta().code
    }

    pub const fn name(self) -> &'static str {
        self.meta().name
    }

    /// Finds a rule by its name (`missing-answer`) or code (`PYQ201`, any case).
    pub fn from_name_or_code(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == s || r.code().eq_ignore_ascii_case(s))
    }

    /// The long explanation shown by `pyq rules NAME` and in docs/rules.md.
    pub fn explanation(self) -> &'static str {
        crate::lint::rules::explanation(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        let sorted = codes.clone();
        codes.sort_unstable();
        assert_eq!(codes, sorted, "Rule::ALL is in code order");
        codes.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert_eq!(names.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            let code = rule.code();
            assert!(code.starts_with("PYQ") && code.len() == 6, "{code}");
            assert!(
                rule.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert!(!rule.explanation().is_empty());
        }
    }

    #[test]
    fn lookup_by_name_or_code() {
        assert_eq!(
            Rule::from_name_or_code("missing-answer"),
            Some(Rule::MissingAnswer)
        );
        assert_eq!(Rule::from_name_or_code("pyq201"), Some(Rule::MissingAnswer));
        assert_eq!(Rule::from_name_or_code("nope"), None);
    }
}
