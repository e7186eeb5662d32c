//! PYQ710 `unused-suppression`. The check is in [`crate::lint::suppress`],
//! which reads every `# pyq:` comment.

/// What `pyq rules unused-suppression` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a rule named in a `# pyq: allow` comment that silenced no finding of that question:
the answer was fixed since, the rule is switched off (`--allow`, `[lint] allow`, or a writing
rule whose `[lint.answers]` setting is absent), or the comment is on the wrong question.
Like ruff's `unused-noqa` (RUF100). The finding is at the rule's name in the comment.

## Why is this bad?
An exception that no longer excuses anything hides the next real finding of that rule in
the question, and makes the bank's exceptions look more numerous than they are.

## Example
```yaml
  # pyq: allow code-line-too-long -- the URL cannot be broken
  - number: 7
```
when no code line of question 7 is too long any more.

Use instead: remove the rule from the comment, or the whole comment.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_at_the_rule_that_silences_nothing() {
        let bank = VALID_BANK.replace(
            "  - number: 2\n",
            "  # pyq: allow raw-html, PYQ303 -- a reviewed exception\n  - number: 2\n",
        );
        assert_eq!(
            lint_rule(&bank, Rule::UnusedSuppression),
            "q.yaml:26:16: warning[PYQ710] unused-suppression: `# pyq: allow raw-html` silences nothing here\n\
             q.yaml:26:26: warning[PYQ710] unused-suppression: `# pyq: allow dunder-outside-code` silences nothing here\n"
        );
    }

    #[test]
    fn quiet_when_the_comment_silences_a_finding() {
        let bank = VALID_BANK
            .replace("from the enclosing function?", "from __init__?")
            .replace(
                "  - number: 3\n",
                "  - number: 3  # pyq: allow dunder-outside-code -- a reviewed exception\n",
            );
        assert_eq!(lint_rule(&bank, Rule::UnusedSuppression), "");
        assert_eq!(lint_rule(&bank, Rule::DunderOutsideCode), "");
    }
}
