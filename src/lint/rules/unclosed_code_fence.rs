//! PYQ302 `unclosed-code-fence`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules unclosed-code-fence` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a fenced code block (```` ``` ```` or `~~~`) in a question, answer or deck description
that is never closed by a matching fence.

## Why is this bad?
Markdown then runs the code block to the end of the text: the rest of the answer is shown
as code, and nothing after it is highlighted or rendered.

## Example
````yaml
answer: |
  ```python
  x = [1, 2]
  The list is ...
````

Use instead: close the block with a line of three backticks.";

pub(crate) fn unclosed_code_fence(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for field in ctx.fields() {
        for open in &field.facts.unclosed_fences {
            out.push(
                Diagnostic::new(
                    Rule::UnclosedCodeFence,
                    ctx.span_in(field.text, open.clone()),
                    format!("this code block in {} is never closed", field.name),
                )
                .label("opened here")
                .help("add a closing fence (the same characters, at least as many) on its own line after the code")
                .question(field.question.and_then(|q| q.id_str())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_at_the_opening_fence() {
        let bank = VALID_BANK.replace(
            "      assert xs == [1]\n      ```\n",
            "      assert xs == [1]\n",
        );
        assert_eq!(
            lint_rule(&bank, Rule::UnclosedCodeFence),
            "q.yaml:20:7: error[PYQ302] unclosed-code-fence: this code block in the answer is never closed\n"
        );
    }

    #[test]
    fn quiet_on_closed_fences() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnclosedCodeFence), "");
    }
}
