//! PYQ707 `code-line-too-long`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;

/// What `pyq rules code-line-too-long` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a line in a code block of an answer that is wider than `max-code-width` under
`[lint.answers]` in pyq.toml, at its first character past the limit. Width is counted in
characters (Unicode scalar values, the unit of pyq's columns), from the code's own left
edge: the YAML block's indentation and a list item's indentation do not count, and a tab
counts as one character. Off until `max-code-width` is set.

## Why is this bad?
A phone in portrait shows about 60 characters of code; a wider line wraps or scrolls
sideways, and the reader loses the shape of the code. 79 is PEP 8's limit.

## Example
With `max-code-width = 79`:
```python
result = some_function_with_a_long_name(first_argument, second_argument, third_argument)
```

Use instead:
```python
result = some_function_with_a_long_name(
    first_argument, second_argument, third_argument)
```";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some(max) = a.limits.max_code_width else {
        return;
    };
    for line in a.scan.blocks.iter().flat_map(|b| &b.lines) {
        let code = &a.value[line.clone()];
        // Bytes bound characters: a line of at most `max` bytes is narrow enough.
        if code.len() <= max {
            continue;
        }
        let Some((over, _)) = code.char_indices().nth(max) else {
            continue;
        };
        let width = code.chars().count();
        out.push(
            a.finding(
                Rule::CodeLineTooLong,
                line.start + over..line.end,
                format!(
                    "a code line in the answer of {} is {width} characters wide, more than {max}",
                    a.who()
                ),
            )
            .label(format!("column {} of the code", max + 1))
            .help(format!(
                "break the line (inside brackets, as Black does) to at most {max} characters"
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
            max_code_width: Some(n),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_first_character_past_the_limit() {
        // `assert xs == [1]` is 16 characters; counted from the code's own edge.
        assert_eq!(
            lint_answers(VALID_BANK, Rule::CodeLineTooLong, max(12)),
            "q.yaml:23:19: warning[PYQ707] code-line-too-long: a code line in the answer of question 1 (`list-append`) is 16 characters wide, more than 12\n"
        );
        // Characters, not bytes: `é` is one.
        let bank = VALID_BANK.replace("assert xs == [1]", "assert xs == [1]  # é");
        assert_eq!(
            lint_answers(&bank, Rule::CodeLineTooLong, max(20)),
            "q.yaml:23:27: warning[PYQ707] code-line-too-long: a code line in the answer of question 1 (`list-append`) is 21 characters wide, more than 20\n"
        );
    }

    #[test]
    fn quiet_within_the_limit_or_when_off() {
        assert_eq!(lint_answers(VALID_BANK, Rule::CodeLineTooLong, max(16)), "");
        assert_eq!(
            lint_answers(VALID_BANK, Rule::CodeLineTooLong, Answers::default()),
            ""
        );
    }
}
