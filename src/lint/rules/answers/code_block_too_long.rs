//! PYQ706 `code-block-too-long`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;
use crate::lint::rules::answers::count;

/// What `pyq rules code-block-too-long` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a code block in an answer with more lines than `max-code-lines` under
`[lint.answers]` in pyq.toml, at its first line past the limit. The lines between the
fences count, blank ones included; the fences do not. Off until `max-code-lines` is set.

## Why is this bad?
A learner studies an example that fits on the screen; a long one hides its point, and on a
phone it scrolls away from the answer it illustrates.

## Example
With `max-code-lines = 15`, a block of 22 lines.

Use instead: cut the example to the lines that show the point (setup a reader can infer can
go), or split it into a short example and a sentence of prose.";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some(max) = a.limits.max_code_lines else {
        return;
    };
    for block in &a.scan.blocks {
        let Some(first_over) = block.lines.get(max) else {
            continue;
        };
        out.push(
            a.finding(
                Rule::CodeBlockTooLong,
                first_over.clone(),
                format!(
                    "a code block in the answer of {} has {}, more than {max}",
                    a.who(),
                    count(block.lines.len(), "line")
                ),
            )
            .label(format!("line {}", max + 1))
            .secondary(a.span(block.opening.clone()), "the block starts here")
            .help(format!(
                "cut the example to at most {} that show the point, or split it",
                count(max, "line")
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn max(n: usize) -> Answers {
        Answers {
            max_code_lines: Some(n),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_first_line_past_the_limit() {
        assert_eq!(
            lint_answers(VALID_BANK, Rule::CodeBlockTooLong, max(2)),
            "q.yaml:23:7: warning[PYQ706] code-block-too-long: a code block in the answer of question 1 (`list-append`) has 3 lines, more than 2\n"
        );
        // A blank line counts.
        let bank = VALID_BANK.replace("      xs = []\n", "      xs = []\n\n");
        assert_eq!(
            lint_answers(&bank, Rule::CodeBlockTooLong, max(3)),
            "q.yaml:24:7: warning[PYQ706] code-block-too-long: a code block in the answer of question 1 (`list-append`) has 4 lines, more than 3\n"
        );
    }

    #[test]
    fn quiet_within_the_limit_or_when_off() {
        assert_eq!(lint_answers(VALID_BANK, Rule::CodeBlockTooLong, max(3)), "");
        assert_eq!(
            lint_answers(VALID_BANK, Rule::CodeBlockTooLong, Answers::default()),
            ""
        );
    }
}
