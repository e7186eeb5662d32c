//! PYQ208 `empty-bank`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules empty-bank` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a bank whose `questions` list is empty (`questions: []`).

## Why is this a warning, not an error?
An empty bank is a legitimate state while a new bank is being started, or when every
question has been retired, and everything pyq writes for it is well-formed: an Anki package
with a deck and no cards (plus a note asking learners to delete each retired question), a
CSV with only its header, a Markdown document with no questions. But published, it is a deck
a learner imports to find nothing to study, which is almost never what was meant, so pyq
says so. `--deny empty-bank` (or `deny = [\"empty-bank\"]` in pyq.toml) makes it an error;
`pyq lint --deny warnings` in CI already does.

## Example
```yaml
questions: []
```

Use instead: add questions, or do not publish the bank yet.";

pub(crate) fn empty_bank(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(key) = ctx.bank.questions_key else {
        return; // absent is `missing-field`
    };
    if !ctx.bank.questions.is_empty() {
        return;
    }
    let label = match ctx.bank.retired.len() {
        0 => "an empty list".to_owned(),
        1 => "an empty list (1 retired question)".to_owned(),
        n => format!("an empty list ({n} retired questions)"),
    };
    out.push(
        Diagnostic::new(Rule::EmptyBank, key, "the bank has no questions")
            .label(label)
            .help("add questions: an export of this bank is a deck with no cards"),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_an_empty_list() {
        let at = VALID_BANK.find("questions:\n").expect("a questions key");
        let empty = format!("{}questions: []\n", &VALID_BANK[..at]);
        assert_eq!(
            lint_rule(&empty, Rule::EmptyBank),
            "q.yaml:10:1: warning[PYQ208] empty-bank: the bank has no questions\n"
        );
    }

    #[test]
    fn quiet_on_a_bank_with_questions_and_on_a_missing_list() {
        assert_eq!(lint_rule(VALID_BANK, Rule::EmptyBank), "");
        let at = VALID_BANK.find("questions:\n").expect("a questions key");
        let without = &VALID_BANK[..at];
        assert_eq!(lint_rule(without, Rule::EmptyBank), "");
        // A null list is a wrong type (`invalid-value`), not an empty bank.
        let null = format!("{without}questions:\n");
        assert_eq!(lint_rule(&null, Rule::EmptyBank), "");
    }
}
