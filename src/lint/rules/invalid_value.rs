//! PYQ005 `invalid-value` (emitted by `load`).

/// What `pyq rules invalid-value` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a value of the wrong type (a list where text belongs, a quoted number, text where a
number belongs), an empty required value, or a value outside its set: `version` other than 1,
`difficulty` other than `junior`, `mid`, `senior`, a non-positive Anki id, a topic key that is
not a kebab-case slug.

## Why is this bad?
Exports would have to guess, and a guess in an Anki note's identity loses learners' data.

## Example
```yaml
difficulty: hard
```

Use instead: `difficulty: senior`.";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_each_bad_value() {
        let bank = VALID_BANK
            .replace("difficulty: junior", "difficulty: hard")
            .replace("number: 2\n", "number: \"2\"\n")
            .replace("tags: [closures]", "tags: closures");
        let out = lint_rule(&bank, Rule::InvalidValue);
        assert_eq!(
            out,
            "q.yaml:26:13: error[PYQ005] invalid-value: `number` of question 2 must be a whole number, found the string `2`\n\
             q.yaml:36:17: error[PYQ005] invalid-value: unknown difficulty `hard`\n\
             q.yaml:37:11: error[PYQ005] invalid-value: `tags` of question 3 must be a list (`[a, b]`), found a scalar\n"
        );
    }

    #[test]
    fn quiet_on_valid_values() {
        assert_eq!(lint_rule(VALID_BANK, Rule::InvalidValue), "");
    }
}
