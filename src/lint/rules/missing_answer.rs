//! PYQ201 `missing-answer`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::model::Text;

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
        // Named only in a finding (most questions have none).
        let who = || q.describe(index);
        let d = match (&q.answer, q.answer_key) {
            (None, None) => Diagnostic::new(
                Rule::MissingAnswer,
                q.span,
                format!("{} has no answer", who()),
            )
            .label("this question has no `answer:`")
            .help("add `answer: |` with the answer's Markdown on the lines below"),
            (None, Some(_)) => continue, // a wrong type, reported by invalid-value
            (Some(answer), _) if plainly_real(answer) => continue,
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
                        format!("{} has an empty answer", who()),
                    )
                    .label("empty")
                    .help("write the answer under `answer: |`")
                } else if super::missing_question::shows_nothing(text) {
                    Diagnostic::new(
                        Rule::MissingAnswer,
                        answer.span,
                        format!("{} has an answer that shows no text", who()),
                    )
                    .label("Markdown that renders as nothing to read")
                    .help("write the answer in words under `answer: |`")
                } else if is_placeholder(text) {
                    Diagnostic::new(
                        Rule::MissingAnswer,
                        answer.span,
                        format!("{} has a placeholder answer", who()),
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
/// What [`is_placeholder`] trims off a text's ends.
fn punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '*' | '_' | '`' | '!' | ':' | '.' | '-')
}

/// Whether `text` (trimmed) is so long that only its start can make it a
/// placeholder. It holds for any longer text that starts with `text`, so
/// it can be known from the start of a long answer.
fn is_long(text: &str) -> bool {
    // A placeholder word stays short lowercased (a character shrinks at
    // most from 3 bytes to 1).
    let longest = PLACEHOLDERS.iter().map(|p| p.len()).max().unwrap_or(0);
    text.len() >= 80 && text.trim_matches(punctuation).len() > 3 * longest
}

/// How much of a `|` block answer [`missing_answer`] reads first: enough
/// for [`is_long`] on any real answer.
const HEAD_BYTES: usize = 256;

/// Whether `answer` is long and no placeholder, known from its start (a
/// long `|` block's value is not built for it).
fn plainly_real(answer: &Text<'_>) -> bool {
    let (head, whole) = answer.head(HEAD_BYTES);
    // The trimmed value starts as the trimmed head does, and is at least
    // as long (see `is_long`), so `is_placeholder` reads the same start.
    !whole && is_long(head.trim()) && !is_placeholder(head.trim())
}

pub(crate) fn is_placeholder(text: &str) -> bool {
    // A real answer is long: then only its start can make it a placeholder
    // ("Lorem ipsum ..."), and only its start is lowercased (lowercasing
    // every answer was a tenth of the lint).
    if is_long(text) {
        let mut end = text.len().min(64);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return text[..end].to_lowercase().starts_with("lorem ipsum");
    }
    let lower = text.to_lowercase();
    let bare = lower.trim_matches(punctuation);
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
            // Long texts: by their start, or padding around a word.
            &format!("LOREM IPSUM {}", "dolor sit amet ".repeat(20)),
            &format!("{}TODO{}", " ".repeat(60), "*".repeat(40)),
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder(&format!(
            "TODO lists are {}",
            "long enough to be an answer ".repeat(5)
        )));
        for ok in [
            "Today we learn",
            "Todos are lists",
            "To do this, use a deque.",
        ] {
            assert!(!is_placeholder(ok), "{ok}");
        }
    }

    /// A long `|` answer is judged by its start, without its whole value:
    /// the same verdicts as on the whole value, at every length around the
    /// head that is read first.
    #[test]
    fn long_block_answers_are_judged_by_their_start() {
        use std::fmt::Write;
        for words in [1, 8, 12, 40, 200] {
            for (start, placeholder) in [("Lorem ipsum", true), ("A real answer", false)] {
                let mut body = format!("      {start}");
                for k in 0..words {
                    let sep = if k % 7 == 6 { "\n\n      " } else { " " };
                    write!(body, "{sep}word{k}").expect("writing to a String");
                }
                for padding in ["", "\n      ***\n      ___", "\n      \n      -"] {
                    let bank = VALID_BANK.replace(
                        "    answer: The variables themselves, in cells, not their values.\n",
                        &format!("    answer: |\n{body}{padding}\n"),
                    );
                    let text = lint_rule(&bank, Rule::MissingAnswer);
                    let value = format!("{start} {body}{padding}");
                    assert_eq!(
                        text.contains("placeholder answer"),
                        placeholder && is_placeholder(value.trim()),
                        "{words} {padding:?}: {text}"
                    );
                    assert_eq!(text.is_empty(), !placeholder, "{words} {padding:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn quiet_on_real_answers() {
        assert_eq!(lint_rule(VALID_BANK, Rule::MissingAnswer), "");
    }
}
