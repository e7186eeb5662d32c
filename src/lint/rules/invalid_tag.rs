//! PYQ205 `invalid-tag`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules invalid-tag` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a tag that Anki would mangle or that breaks the bank's conventions: empty, with
white space (Anki splits tags on spaces), with upper case (Anki matches tags without case, so
`GIL` and `gil` collide), with characters other than lowercase letters, digits and `-`, `_`,
`.`, `+`, `#`, `::` (Anki's hierarchy separator), or listed twice in one question.

## Why is this bad?
`tags: [type hints]` becomes two tags, `type` and `hints`, in every learner's collection.

## Example
```yaml
tags: [Type Hints, typing]
```

Use instead: `tags: [type-hints, typing]`.";

/// The characters a tag may have, as a regular expression (ECMA-262, for the
/// JSON Schema of `pyq schema`); repeats are the schema's `uniqueItems`.
pub(crate) const TAG_PATTERN: &str = "^[a-z0-9_.+#:-]+$";

pub(crate) fn invalid_tag(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for q in &ctx.bank.questions {
        for (i, tag) in q.tags.iter().enumerate() {
            // Nearly every tag is lowercase ASCII, which only the last
            // check below can fault: its bytes say so without decoding.
            let ascii = !tag.value.is_empty()
                && tag.value.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.+#:".contains(&b)
                });
            let problem = if ascii {
                q.tags[..i]
                    .iter()
                    .any(|t| t.value == tag.value)
                    .then_some("is listed twice")
            } else if tag.value.is_empty() {
                Some("is empty")
            } else if tag.value.chars().any(char::is_whitespace) {
                Some("contains white space, which Anki splits into separate tags")
            } else if tag.value.chars().any(char::is_uppercase) {
                Some("has upper case letters")
            } else if !tag
                .value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.+#:".contains(c))
            {
                Some("has characters other than a-z, 0-9, `-`, `_`, `.`, `+`, `#` and `::`")
            } else if q.tags[..i].iter().any(|t| t.value == tag.value) {
                Some("is listed twice")
            } else {
                None
            };
            let Some(problem) = problem else { continue };
            let suggestion: String = tag
                .value
                .trim()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-");
            let help = if problem == "is listed twice" || problem == "is empty" {
                "remove it".to_owned()
            } else {
                format!("use lowercase words joined by hyphens, e.g. `{suggestion}`")
            };
            out.push(
                Diagnostic::new(
                    Rule::InvalidTag,
                    tag.span,
                    format!("tag `{}` {problem}", tag.value),
                )
                .label("invalid tag")
                .help(help)
                .question(q.id_str()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_spaces_case_and_repeats() {
        let bank = VALID_BANK.replace("tags: [closures]", "tags: [Type Hints, closures, closures]");
        assert_eq!(
            lint_rule(&bank, Rule::InvalidTag),
            "q.yaml:37:12: error[PYQ205] invalid-tag: tag `Type Hints` contains white space, which Anki splits into separate tags\n\
             q.yaml:37:34: error[PYQ205] invalid-tag: tag `closures` is listed twice\n"
        );
    }

    #[test]
    fn tag_pattern_matches_the_rule() {
        let pattern = regex::Regex::new(super::TAG_PATTERN).unwrap();
        for tag in [
            "closures",
            "python::scope",
            "c++",
            "c#",
            "py3.13",
            "type_hints",
            "a-b",
            "",
            "Type",
            "type hints",
            "tab\t",
            "é",
            "a/b",
            "a\n",
            "\n",
        ] {
            let bank = VALID_BANK.replace("tags: [closures]", &format!("tags: [{tag:?}]"));
            // An empty or blank tag is `invalid-value` ("is empty").
            let fires = !lint_rule(&bank, Rule::InvalidTag).is_empty()
                || !lint_rule(&bank, Rule::InvalidValue).is_empty();
            assert_eq!(pattern.is_match(tag), !fires, "{tag:?}");
        }
    }

    #[test]
    fn quiet_on_good_tags() {
        let bank = VALID_BANK.replace("tags: [closures]", "tags: [closures, python::scope, c++]");
        assert_eq!(lint_rule(&bank, Rule::InvalidTag), "");
    }
}
