//! PYQ201 `missing-answer`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules missing-answer` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a question whose `answer` is absent, empty, only white space, Markdown that shows no
text on the card (`-`, an empty list item; `#`; `[](x)`), or a placeholder:
`TODO`, `TBD`, `TBA`, `FIXME`, `XXX`, `WIP`, `...`, `N/A`, `placeholder`, `coming soon`,
`lorem ipsum`, or a short answer (under 80 characters) that starts with `TODO` or `TBD`.

## Why is this bad?
A card with no answer teaches nothing, and a placeholder is worse: it looks like content.

## Example
```yaml
answer: TODO
```

Use instead: write the answer, or leave the question out of the bank until it has one.";

const PLACEHOLDERS: &[&str] = &[
    "todo",
    "tbd",
    "tba",
    "fixme",
    "xxx",
    "wip",
    "...",
    "…",
    "n/a",
    "na",
    "placeholder",
    "coming soon",
    "answer",
    "to do",
    "to be done",
    "to be written",
];

pub(crate) fn missing_answer(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (index, q) in ctx.bank.questions.iter().enumerate() {
        let who = q.describe(index);
        let d = match (&q.answer, q.answer_key) {
            (None, None) => {
                Diagnostic::new(Rule::MissingAnswer, q.span, format!("{who} has no answer"))
                    .label("this question has no `answer:`")
                    .help("add `answer: |` with the answer's Markdown on the lines below")
            }
            (None, Some(_)) => continue, // a wrong type, reported by invalid-value
            (Some(answer), key) => {
                let value = answer.value();
                let text = value.trim();
                if text.is_empty() {
                    let span = if answer.span.is_empty() {
                        key.unwrap_or(answer.span)
                    } else {
                        answer.span
                    };
                    Diagnostic::new(
                        Rule::MissingAnswer,
                        span,
                        format!("{who} has an empty answer"),
                    )
                    .label("empty")
                    .help("write the answer under `answer: |`")
                } else if super::missing_question::shows_nothing(text) {
                    Diagnostic::new(
                        Rule::MissingAnswer,
                        answer.span,
                        format!("{who} has an answer that shows no text"),
                    )
                    .label("Markdown that renders as nothing to read")
                    .help("write the answer in words under `answer: |`")
                } else if is_placeholder(text) {
                    Diagnostic::new(
                        Rule::MissingAnswer,
                        answer.span,
                        format!("{who} has a placeholder answer"),
                    )
                    .label(format!("`{}` is a placeholder", first_line(text)))
                    .help("write the real answer, or remove the question until it has one")
                } else {
                    continue;
                }
            }
        };
        out.push(d.question(q.id_str()));
    }
}

/// Whether `text` (trimmed, not empty) is a placeholder rather than content.
pub(crate) fn is_placeholder(text: &str) -> bool {
    let lower = text.to_lowercase();
    let bare = lower.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '*' | '_' | '`' | '!' | ':' | '.' | '-')
    });
    PLACEHOLDERS.contains(&bare)
        || PLACEHOLDERS.contains(&lower.trim())
        || lower.starts_with("lorem ipsum")
        || (text.len() < 80
            && ["todo", "tbd", "fixme"].iter().any(|p| {
                bare.starts_with(p) && !bare[p.len()..].starts_with(|c: char| c.is_alphanumeric())
            }))
}

pub(super) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_absent_empty_and_placeholder() {
        let absent = VALID_BANK.replace(
            "    answer: The variables themselves, in cells, not their values.\n",
            "",
        );
        assert_eq!(
            lint_rule(&absent, Rule::MissingAnswer),
            "q.yaml:33:5: error[PYQ201] missing-answer: question 3 (`closure-cells`) has no answer\n"
        );
        let empty = VALID_BANK.replace(
            "answer: The variables themselves, in cells, not their values.",
            "answer:",
        );
        assert!(lint_rule(&empty, Rule::MissingAnswer).contains("has an empty answer"));
        let todo = VALID_BANK.replace(
            "The variables themselves, in cells, not their values.",
            "\"TODO: write this\"",
        );
        assert!(lint_rule(&todo, Rule::MissingAnswer).contains("q.yaml:39:13: error[PYQ201] missing-answer: question 3 (`closure-cells`) has a placeholder answer"));
        let dash = VALID_BANK.replace(
            "The variables themselves, in cells, not their values.",
            "\"-\"",
        );
        assert_eq!(
            lint_rule(&dash, Rule::MissingAnswer),
            "q.yaml:39:13: error[PYQ201] missing-answer: question 3 (`closure-cells`) has an answer that shows no text\n"
        );
    }

    #[test]
    fn placeholders() {
        for p in [
            "TODO",
            "tbd.",
            "**TBD**",
            "...",
            "Lorem ipsum dolor",
            "TODO: later",
            "FIXME",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for ok in [
            "Today we learn",
            "Todos are lists",
            "To do this, use a deque.",
        ] {
            assert!(!is_placeholder(ok), "{ok}");
        }
    }

    #[test]
    fn quiet_on_real_answers() {
        assert_eq!(lint_rule(VALID_BANK, Rule::MissingAnswer), "");
    }
}
