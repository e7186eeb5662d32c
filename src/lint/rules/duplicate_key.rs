//! PYQ003 `duplicate-key` (emitted by `load`).

/// What `pyq rules duplicate-key` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a key that appears twice in one mapping (a question, the deck, `topics`, or the top
level), pointing at both places.

## Why is this bad?
YAML readers disagree on which value wins; most keep the last one silently. A second
`answer:` pasted below the first replaces it without anyone noticing.

## Example
```yaml
- number: 3
  id: gil
  id: gil-refcounts
```

Use instead: keep one. pyq reads the first.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_the_second_key() {
        let bank = VALID_BANK.replace(
            "    id: closure-cells\n",
            "    id: closure-cells\n    id: other\n",
        );
        let out = lint_rule(&bank, Rule::DuplicateKey);
        assert_eq!(
            out,
            "q.yaml:35:5: error[PYQ003] duplicate-key: `id` appears twice in question 3\n"
        );
    }

    #[test]
    fn quiet_on_distinct_keys() {
        assert_eq!(lint_rule(VALID_BANK, Rule::DuplicateKey), "");
    }
}
