//! PYQ708 `missing-code-language`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;

/// What `pyq rules missing-code-language` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a code block in an answer whose language is not named: a fence with no info string
(```` ``` ```` instead of ```` ```python ````), or an indented code block, which cannot name
one. Runs when `require-code-language = true` is set under `[lint.answers]` in pyq.toml.

## Why is this bad?
Cards highlight code by its language, and `pyq check-code` runs only the blocks marked
`python`: an unmarked block is shown plain and never checked.

## Example
````yaml
answer: |
  ```
  xs = []
  ```
````

Use instead: ```` ```python ```` for Python, ```` ```text ```` for output or a shell
session's text.";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    if !a.limits.require_code_language {
        return;
    }
    for block in a.scan.blocks.iter().filter(|b| !b.language) {
        let (label, help) = if block.fenced {
            (
                "no language after the fence",
                "name the language after the opening fence, e.g. ```python, or ```text for output",
            )
        } else {
            (
                "an indented code block",
                "write the block between fences with its language (```python ... ```): an indented block cannot name one",
            )
        };
        out.push(
            a.finding(
                Rule::MissingCodeLanguage,
                block.opening.clone(),
                format!(
                    "a code block in the answer of {} does not name its language",
                    a.who()
                ),
            )
            .label(label)
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn on() -> Answers {
        Answers {
            require_code_language: true,
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_opening_fence() {
        let bank = VALID_BANK.replace("```python", "```");
        assert_eq!(
            lint_answers(&bank, Rule::MissingCodeLanguage, on()),
            "q.yaml:20:7: warning[PYQ708] missing-code-language: a code block in the answer of question 1 (`list-append`) does not name its language\n"
        );
        let bank = VALID_BANK.replace("plus a little.", "plus a little.\n\n          xs = []");
        assert_eq!(
            lint_answers(&bank, Rule::MissingCodeLanguage, on()),
            "q.yaml:34:11: warning[PYQ708] missing-code-language: a code block in the answer of question 2 (`list-growth`) does not name its language\n"
        );
    }

    #[test]
    fn quiet_with_a_language_or_when_off() {
        assert_eq!(
            lint_answers(VALID_BANK, Rule::MissingCodeLanguage, on()),
            ""
        );
        let bank = VALID_BANK.replace("```python", "```");
        assert_eq!(
            lint_answers(&bank, Rule::MissingCodeLanguage, Answers::default()),
            ""
        );
    }
}
