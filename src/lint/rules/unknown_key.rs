//! PYQ002 `unknown-key` (emitted by `load`).

/// What `pyq rules unknown-key` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a key that file format version 1 does not have, with the closest known key as a
suggestion.

## Why is this bad?
A misspelt key is silently ignored by most YAML readers: `anwser:` would leave the question
without an answer while the text sits in the file, looking fine in review.

## Example
```yaml
- number: 3
  anwser: |
    **Short answer:** ...
```

Use instead: `answer:`.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_with_a_suggestion() {
        let bank = VALID_BANK.replace("    answer: The variables", "    anwser: The variables");
        let out = lint_rule(&bank, Rule::UnknownKey);
        assert_eq!(
            out,
            "q.yaml:39:5: error[PYQ002] unknown-key: unknown key `anwser` in question 3\n"
        );
    }

    #[test]
    fn fires_on_every_unknown_key() {
        let bank = VALID_BANK
            .replace("version: 1\n", "version: 1\nauthor: me\n")
            .replace("  name: Sample", "  nmae: Sample");
        assert_eq!(lint_rule(&bank, Rule::UnknownKey).lines().count(), 2);
    }

    #[test]
    fn quiet_on_known_keys() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnknownKey), "");
    }
}
