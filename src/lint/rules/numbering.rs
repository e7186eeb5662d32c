//! PYQ101 `numbering`.

use crate::diagnostic::{Diagnostic, Edit};
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules numbering` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that the `number` fields are exactly 1, 2, ..., N in file order: no gap, no repeat,
nothing out of order. Each question whose number is not its position is reported, with the
number it should have.

## Why is this bad?
Numbers are how people cite questions (\"see question 12\") and how exports sort cards. A gap
or a repeat makes citations ambiguous.

## Example
```yaml
- number: 1
- number: 3   # expected 2
```

Use instead: `pyq lint --fix` renumbers 1..N in file order, editing only the numbers so
comments and formatting survive.";

/// Reports each question whose number differs from its position, with the
/// renumbering edit as a fix.
pub(crate) fn numbering(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut first_with: crate::hash::FastMap<i64, usize> =
        crate::hash::FastMap::with_capacity_and_hasher(
            ctx.bank.questions.len(),
            Default::default(),
        );
    for (index, q) in ctx.bank.questions.iter().enumerate() {
        let Some(number) = &q.number else { continue };
        let expected = index as i64 + 1;
        let earlier = first_with.get(&number.value).copied();
        first_with.entry(number.value).or_insert(index);
        if number.value == expected {
            continue;
        }
        let what = match earlier {
            Some(_) => "a repeat",
            None if number.value > expected => "a gap",
            None => "out of order",
        };
        let mut d = Diagnostic::new(
            Rule::Numbering,
            number.span,
            format!(
                "question number {} should be {expected} ({what})",
                number.value
            ),
        )
        .label(format!("expected {expected}"))
        .help("run `pyq lint --fix` to renumber the questions 1..N in file order")
        .question(q.id_str())
        .fix(Edit {
            span: number.span,
            replacement: expected.to_string(),
        });
        if let Some(first) = earlier.and_then(|i| ctx.bank.questions[i].number.as_ref()) {
            d = d.secondary(first.span, format!("{} is used here first", number.value));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_gap_repeat_and_order() {
        let gap = VALID_BANK.replace("number: 3", "number: 4");
        assert_eq!(
            lint_rule(&gap, Rule::Numbering),
            "q.yaml:33:13: error[PYQ101] numbering: question number 4 should be 3 (a gap)\n"
        );
        let repeat = VALID_BANK.replace("number: 3", "number: 2");
        assert!(lint_rule(&repeat, Rule::Numbering).contains("should be 3 (a repeat)"));
        let order = VALID_BANK
            .replace("number: 1", "number: 9")
            .replace("number: 3", "number: 1");
        assert_eq!(lint_rule(&order, Rule::Numbering).lines().count(), 2);
    }

    #[test]
    fn quiet_on_one_to_n() {
        assert_eq!(lint_rule(VALID_BANK, Rule::Numbering), "");
    }
}
