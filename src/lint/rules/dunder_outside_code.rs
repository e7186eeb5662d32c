//! PYQ303 `dunder-outside-code`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules dunder-outside-code` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a `__dunder__` name written outside a code span, where Markdown reads the double
underscores as bold markers.

## Why is this bad?
`the generated __init__` renders as \"the generated **init**\": the name a Python learner must
recognise is shown wrong on the card.

## Example
```yaml
question: How are fields ordered in the generated __init__?
```

Use instead: ``question: How are fields ordered in the generated `__init__`?``";

pub(crate) fn dunder_outside_code(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for field in ctx.fields() {
        if field.facts.bold_dunders.is_empty() {
            continue;
        }
        let value = field.text.value();
        for range in &field.facts.bold_dunders {
            let name = &value[range.clone()];
            out.push(
                Diagnostic::new(
                    Rule::DunderOutsideCode,
                    ctx.span_in(field.text, range.clone()),
                    format!("`{name}` in {} renders as bold text", field.name),
                )
                .label("read as **bold**")
                .help(format!("wrap it in backticks: `{name}`"))
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
    fn fires_on_a_bare_dunder() {
        let bank = VALID_BANK.replace("from the enclosing function?", "from __init__?");
        assert_eq!(
            lint_rule(&bank, Rule::DunderOutsideCode),
            "q.yaml:38:48: warning[PYQ303] dunder-outside-code: `__init__` in the question renders as bold text\n"
        );
    }

    #[test]
    fn quiet_in_code() {
        let bank = VALID_BANK.replace("from the enclosing function?", "from `__init__`?");
        assert_eq!(lint_rule(&bank, Rule::DunderOutsideCode), "");
    }
}
