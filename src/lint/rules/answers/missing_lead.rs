//! PYQ701 `missing-lead`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;

/// What `pyq rules missing-lead` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an answer that does not start with the bank's lead, the text set by `lead` under
`[lint.answers]` in pyq.toml (for example `lead = \"**Short answer:**\"`). Leading white space
is ignored. Off until `lead` is set.

## Why is this bad?
A bank whose answers all open the same way lets a learner find the one sentence to recall
first, on every card; an answer that starts with its details buries it.

## Example
```yaml
answer: |
  Lists over-allocate, so most appends only write a pointer.
```

Use instead:
```yaml
answer: |
  **Short answer:** lists over-allocate, so most appends only write a pointer.
```";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some(lead) = &a.limits.lead else {
        return;
    };
    let start = a.start();
    if a.value[start..].starts_with(lead.as_str()) {
        return;
    }
    let first_line = a.value[start..]
        .find('\n')
        .map_or(a.value.len(), |i| start + i);
    // The part that should have been the lead: as many characters as it has.
    let end = a.value[start..first_line]
        .char_indices()
        .nth(lead.chars().count())
        .map_or(first_line, |(i, _)| start + i);
    out.push(
        a.finding(
            Rule::MissingLead,
            start..end,
            format!("the answer of {} does not start with `{lead}`", a.who()),
        )
        .label(format!("expected `{lead}` here"))
        .help(format!(
            "start the answer with `{lead}` and the one thing to remember; the details follow in the next paragraphs"
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn lead() -> Answers {
        Answers {
            lead: Some("**Short answer:**".to_owned()),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_start_of_the_answer() {
        let bank = VALID_BANK.replace("**Short answer:** about one eighth", "About one eighth");
        assert_eq!(
            lint_answers(&bank, Rule::MissingLead, lead()),
            "q.yaml:32:7: warning[PYQ701] missing-lead: the answer of question 2 (`list-growth`) does not start with `**Short answer:**`\n\
             q.yaml:39:13: warning[PYQ701] missing-lead: the answer of question 3 (`closure-cells`) does not start with `**Short answer:**`\n"
        );
    }

    #[test]
    fn quiet_when_every_answer_starts_with_the_lead_or_the_rule_is_off() {
        let bank = VALID_BANK
            .replace(
                "answer: The variables themselves",
                "answer: \"**Short answer:** the variables themselves",
            )
            .replace("not their values.", "not their values.\"");
        assert_eq!(lint_answers(&bank, Rule::MissingLead, lead()), "");
        assert_eq!(
            lint_answers(VALID_BANK, Rule::MissingLead, Answers::default()),
            ""
        );
    }
}
