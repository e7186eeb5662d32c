//! A lint finding as plain data: rule, severity, message, where, what to do.
//! Emitters turn it into text; only the human emitter converts it to miette.

use crate::lint::codes::Rule;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl From<Severity> for miette::Severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Warning => Self::Warning,
            Severity::Error => Self::Error,
        }
    }
}

/// A place in the file with an optional short label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// A mechanical replacement of `span` by `replacement` (renumbering).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub question_id: Option<String>,
    /// The other questions a finding is about (a near-duplicate cluster's
    /// other members), in file order; `None` for a question without an id.
    pub other_question_ids: Vec<Option<String>>,
    pub fix: Option<Edit>,
}

impl Diagnostic {
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.meta().default_severity,
            message: message.into(),
            primary: Label { span, text: None },
            secondary: Vec::new(),
            help: None,
            question_id: None,
            other_question_ids: Vec::new(),
            fix: None,
        }
    }

    #[must_use]
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.text = Some(text.into());
        self
    }

    #[must_use]
    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    #[must_use]
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    #[must_use]
    pub fn question(mut self, id: Option<&str>) -> Self {
        self.question_id = id.map(str::to_owned);
        self
    }

    #[must_use]
    pub fn others<'a>(mut self, ids: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        self.other_question_ids = ids.into_iter().map(|id| id.map(str::to_owned)).collect();
        self
    }

    #[must_use]
    pub fn fix(mut self, edit: Edit) -> Self {
        self.fix = Some(edit);
        self
    }
}
