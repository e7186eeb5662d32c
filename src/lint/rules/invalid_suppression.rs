//! PYQ711 `invalid-suppression`. The check is in [`crate::lint::suppress`],
//! which reads every `# pyq:` comment.

/// What `pyq rules invalid-suppression` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a `# pyq:` comment above or on a question's `-` line that pyq cannot use: a command
other than `allow`, a rule name or code that does not exist (with the closest one as a
suggestion), a rule that no comment may silence, no rule at all, or no reason after ` -- `.
A comment without a reason still silences the rules it names; the others do not silence the
rules they get wrong.

## Why is this bad?
A misspelt rule silences nothing, so the finding the reviewer agreed to stays and the
comment looks like it works; an exception without a reason cannot be judged by the next
reviewer.

## Example
```yaml
  # pyq: allow code-line-to-long
  - number: 7
```

Use instead: `# pyq: allow code-line-too-long -- the URL cannot be broken`.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_at_what_is_wrong() {
        let bank = VALID_BANK
            .replace("from the enclosing function?", "from __init__?")
            .replace(
                "  - number: 2\n",
                "  # pyq: alow raw-html -- typo\n  # pyq: allow dunder-outside-cod, unsafe-html -- bad names\n  - number: 2\n",
            )
            .replace("  - number: 3\n", "  - number: 3 # pyq: allow PYQ303\n");
        assert_eq!(
            lint_rule(&bank, Rule::InvalidSuppression),
            "q.yaml:26:10: warning[PYQ711] invalid-suppression: unknown `# pyq:` command `alow`\n\
             q.yaml:27:16: warning[PYQ711] invalid-suppression: unknown rule `dunder-outside-cod`\n\
             q.yaml:27:36: warning[PYQ711] invalid-suppression: `unsafe-html` cannot be silenced by a comment\n\
             q.yaml:35:15: warning[PYQ711] invalid-suppression: this `# pyq: allow` comment gives no reason\n"
        );
        // A comment without a reason still silences.
        assert_eq!(lint_rule(&bank, Rule::DunderOutsideCode), "");
    }

    #[test]
    fn quiet_on_good_comments_and_on_other_comments() {
        let bank = VALID_BANK
            .replace("from the enclosing function?", "from __init__?")
            .replace(
                "  - number: 3\n",
                "  # An ordinary comment, and one for another tool:\n  # noqa: E501\n  # pyq: allow dunder-outside-code -- the name is the point\n  - number: 3\n",
            );
        assert_eq!(lint_rule(&bank, Rule::InvalidSuppression), "");
        assert_eq!(lint_rule(&bank, Rule::DunderOutsideCode), "");
    }
}
