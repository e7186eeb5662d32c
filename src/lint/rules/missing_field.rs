//! PYQ004 `missing-field` (emitted by `load`).

/// What `pyq rules missing-field` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a required key that is absent: `version`, `deck`, `topics`, `questions` at the top;
`name`, `anki_deck_id`, `anki_model_id` in `deck`; `number`, `id`, `topic`, `difficulty`,
`question` in each question. (An absent `answer` is `missing-answer`.) An empty file is
reported here too.

## Why is this bad?
Every export needs these fields; a question without an `id` has no identity in Anki.

## Example
```yaml
- number: 4
  question: What is the GIL?
```

Use instead: add `id:`, `topic:` and `difficulty:`.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_at_the_start_of_the_question() {
        let bank = VALID_BANK.replace("    topic: closures\n", "");
        let out = lint_rule(&bank, Rule::MissingField);
        assert_eq!(
            out,
            "q.yaml:33:5: error[PYQ004] missing-field: question 3 (`closure-cells`) is missing `topic`\n"
        );
    }

    #[test]
    fn quiet_when_all_fields_are_there() {
        assert_eq!(lint_rule(VALID_BANK, Rule::MissingField), "");
    }
}
