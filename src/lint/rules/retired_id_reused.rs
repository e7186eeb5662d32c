//! PYQ602 `retired-id-reused`.

use crate::diagnostic::Diagnostic;
use crate::hash::FastMap;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules retired-id-reused` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that no question uses an id listed under `retired:`.

## Why is this bad?
A question's id is its note's identity in every learner's Anki. The retired question's
note is still in their collections, tagged `pyq::retired` and marked for deletion; a new
question under the same id would silently overwrite that note, and its review history
would belong to a different question.

## Example
```yaml
retired:
  - id: list-growth
    reason: Merged into list-append.
questions:
  - number: 1
    id: list-growth
```
Use instead: give the new question its own id. If the retired question is coming back as
it was, remove it from `retired:`.";

pub(crate) fn retired_id_reused(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.bank.retired.is_empty() {
        return;
    }
    let retired: FastMap<&str, crate::source::Span> = ctx
        .bank
        .retired
        .iter()
        .filter_map(|r| r.id.as_ref().map(|id| (id.as_str(), id.span)))
        .collect();
    for q in &ctx.bank.questions {
        let Some(id) = &q.id else { continue };
        if let Some(&at) = retired.get(id.as_str()) {
            out.push(
                Diagnostic::new(
                    Rule::RetiredIdReused,
                    id.span,
                    format!("`{}` is the id of a retired question", id.value),
                )
                .label("retired id used again")
                .secondary(at, "retired here")
                .help(
                    "give this question a new id (learners still have the retired note); if the retired question is coming back unchanged, remove it from `retired:`",
                )
                .question(Some(&id.value)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_a_question_with_a_retired_id() {
        let bank = format!("{VALID_BANK}retired:\n  - id: list-growth\n    reason: Merged.\n");
        assert_eq!(
            lint_rule(&bank, Rule::RetiredIdReused),
            "q.yaml:27:9: error[PYQ602] retired-id-reused: `list-growth` is the id of a retired question\n"
        );
    }

    #[test]
    fn quiet_when_retired_ids_are_not_used() {
        let bank = format!("{VALID_BANK}retired:\n  - id: old-one\n    reason: Gone.\n");
        assert_eq!(lint_rule(&bank, Rule::RetiredIdReused), "");
        assert_eq!(lint_rule(VALID_BANK, Rule::RetiredIdReused), "");
    }
}
