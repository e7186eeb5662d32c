//! PYQ705 `too-many-code-blocks`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;
use crate::lint::rules::answers::count;

/// What `pyq rules too-many-code-blocks` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an answer with more code blocks (fenced or indented) than `max-code-blocks` under
`[lint.answers]` in pyq.toml, at the first block past the limit. Off until `max-code-blocks`
is set.

## Why is this bad?
A card is read on a small screen: one or two short examples are studied, a third is
scrolled past. More code usually means the answer covers two questions.

## Example
With `max-code-blocks = 2`, an answer with three fenced blocks.

Use instead: merge the examples into one block, drop the one the prose already explains,
or split the answer into two questions (linked with `related`).";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some(max) = a.limits.max_code_blocks else {
        return;
    };
    let Some(first_over) = a.scan.blocks.get(max) else {
        return;
    };
    out.push(
        a.finding(
            Rule::TooManyCodeBlocks,
            first_over.opening.clone(),
            format!(
                "the answer of {} has {}, more than {max}",
                a.who(),
                count(a.scan.blocks.len(), "code block")
            ),
        )
        .label(format!("block {}", max + 1))
        .help(format!(
            "keep at most {}: merge the examples, or drop the one the prose already explains",
            count(max, "code block")
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn max(n: usize) -> Answers {
        Answers {
            max_code_blocks: Some(n),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_first_block_past_the_limit() {
        let bank = VALID_BANK.replace(
            "      assert xs == [1]\n      ```\n",
            "      assert xs == [1]\n      ```\n\n      ~~~text\n      [1]\n      ~~~\n",
        );
        assert_eq!(
            lint_answers(&bank, Rule::TooManyCodeBlocks, max(1)),
            "q.yaml:26:7: warning[PYQ705] too-many-code-blocks: the answer of question 1 (`list-append`) has 2 code blocks, more than 1\n"
        );
        assert_eq!(
            lint_answers(VALID_BANK, Rule::TooManyCodeBlocks, max(0)),
            "q.yaml:20:7: warning[PYQ705] too-many-code-blocks: the answer of question 1 (`list-append`) has 1 code block, more than 0\n"
        );
    }

    #[test]
    fn quiet_within_the_limit_or_when_off() {
        assert_eq!(
            lint_answers(VALID_BANK, Rule::TooManyCodeBlocks, max(1)),
            ""
        );
        assert_eq!(
            lint_answers(VALID_BANK, Rule::TooManyCodeBlocks, Answers::default()),
            ""
        );
    }
}
