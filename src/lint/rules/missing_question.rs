//! PYQ207 `missing-question`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

use super::missing_answer::{first_line, is_placeholder};

/// What `pyq rules missing-question` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a question whose `question` text is empty (`question: \"\"`), only white space
(`question: \"   \"`), nothing at all (`question:` with no value), Markdown that shows no
text on the card (`question: \"-\"`, an empty list item; `#`; `[](x)`), or a placeholder: `TODO`,
`TBD`, `TBA`, `FIXME`, `XXX`, `WIP`, `...`, `N/A`, `placeholder`, `coming soon`,
`lorem ipsum`, or a short text (under 80 characters) that starts with `TODO` or `TBD` — the
same list as `missing-answer`. A question with no `question:` key at all is `missing-field`.

## Why is this bad?
The question is the front of the Anki card. An empty front is a card a learner cannot
answer (and Anki's CSV import silently skips a row whose first field is empty, so the two
exports would not even agree); a placeholder looks like content.

## Example
```yaml
question: \"\"
```

Use instead: write the question, or leave it out of the bank until it has one.";

pub(crate) fn missing_question(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (index, q) in ctx.bank.questions.iter().enumerate() {
        // Absent is `missing-field`; a wrong type is `invalid-value`.
        let Some(question) = &q.question else {
            continue;
        };
        // Named only in a finding (most questions have none).
        let who = || q.describe(index);
        let value = question.value();
        let text = value.trim();
        let d = if text.is_empty() {
            let span = match q.question_key {
                Some(key) if question.span.is_empty() => key,
                _ => question.span,
            };
            Diagnostic::new(
                Rule::MissingQuestion,
                span,
                format!("{} has an empty question", who()),
            )
            .label(if value.is_empty() {
                "no text"
            } else {
                "only white space"
            })
            .help("write the question: it is the front of the card")
        } else if shows_nothing(text) {
            Diagnostic::new(
                Rule::MissingQuestion,
                question.span,
                format!("{} has a question that shows no text", who()),
            )
            .label("Markdown that renders as nothing to read")
            .help("write the question in words: it is the front of the card")
        } else if is_placeholder(text) || text.eq_ignore_ascii_case("question") {
            Diagnostic::new(
                Rule::MissingQuestion,
                question.span,
                format!("{} has a placeholder question", who()),
            )
            .label(format!("`{}` is a placeholder", first_line(text)))
            .help("write the real question, or remove it until it has one")
        } else {
            continue;
        };
        out.push(d.question(q.id_str()));
    }
}

/// Whether the Markdown `text` (trimmed, not empty) shows no text at all
/// once rendered: `-` (an empty list item), `#`, `---`, `[](x)`, `![](x)`.
/// Text that starts with a letter always shows (it starts a paragraph), and
/// a long text that shows nothing is contrived: only the rest is parsed, so
/// a large bank's lint parses almost nothing here.
pub(super) fn shows_nothing(text: &str) -> bool {
    use pulldown_cmark::{Event, Parser};
    const PARSED_UP_TO: usize = 64;
    if text.len() > PARSED_UP_TO || text.starts_with(char::is_alphabetic) {
        return false;
    }
    let visible = |s: &str| {
        s.chars().any(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        })
    };
    !Parser::new_ext(text, crate::lint::markdown::options()).any(|event| match event {
        Event::Text(s)
        | Event::Code(s)
        | Event::Html(s)
        | Event::InlineHtml(s)
        | Event::InlineMath(s)
        | Event::DisplayMath(s) => visible(&s),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    const LINE: &str = "    question: What does a closure capture from the enclosing function?\n";

    fn with(question: &str) -> String {
        assert!(VALID_BANK.contains(LINE));
        lint_rule(&VALID_BANK.replace(LINE, question), Rule::MissingQuestion)
    }

    #[test]
    fn fires_on_empty_white_space_and_null_at_the_value() {
        assert_eq!(
            with("    question: \"\"\n"),
            "q.yaml:38:15: error[PYQ207] missing-question: question 3 (`closure-cells`) has an empty question\n"
        );
        assert_eq!(
            with("    question: '   '\n"),
            "q.yaml:38:15: error[PYQ207] missing-question: question 3 (`closure-cells`) has an empty question\n"
        );
        // No value: the key is the place.
        assert_eq!(
            with("    question:\n"),
            "q.yaml:38:5: error[PYQ207] missing-question: question 3 (`closure-cells`) has an empty question\n"
        );
        assert_eq!(
            with("    question: ~\n"),
            "q.yaml:38:15: error[PYQ207] missing-question: question 3 (`closure-cells`) has an empty question\n"
        );
        assert_eq!(
            with("    question: |\n\n"),
            "q.yaml:38:5: error[PYQ207] missing-question: question 3 (`closure-cells`) has an empty question\n"
        );
    }

    #[test]
    fn fires_on_placeholders() {
        for p in ["TODO", "\"TBD: ask about cells\"", "...", "Question"] {
            assert_eq!(
                with(&format!("    question: {p}\n")),
                "q.yaml:38:15: error[PYQ207] missing-question: question 3 (`closure-cells`) has a placeholder question\n",
                "{p}"
            );
        }
    }

    #[test]
    fn fires_on_markdown_that_shows_nothing() {
        for q in [
            "\"-\"",
            "\"#\"",
            "\"[](https://x.y)\"",
            "\"![](x.png)\"",
            "\"\\u200B\"",
        ] {
            assert_eq!(
                with(&format!("    question: {q}\n")),
                "q.yaml:38:15: error[PYQ207] missing-question: question 3 (`closure-cells`) has a question that shows no text\n",
                "{q}"
            );
        }
        for shows in [
            "\"`-`\"",
            "\"![a chart](x.png)\"",
            "\"$x$\"",
            "\"<br>\"",
            "\"- a list?\"",
        ] {
            assert_eq!(with(&format!("    question: {shows}\n")), "", "{shows}");
        }
    }

    #[test]
    fn quiet_on_real_questions_and_leaves_absent_to_missing_field() {
        assert_eq!(lint_rule(VALID_BANK, Rule::MissingQuestion), "");
        assert_eq!(with(""), "");
        assert!(
            lint_rule(&VALID_BANK.replace(LINE, ""), Rule::MissingField)
                .contains("question 3 (`closure-cells`) is missing `question`")
        );
    }
}
