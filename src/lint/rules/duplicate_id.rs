//! PYQ102 `duplicate-id`.

use std::collections::hash_map::Entry;

use crate::hash::FastMap;

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules duplicate-id` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that no two questions share an `id`.

## Why is this bad?
The `id` is the note's identity in Anki: its GUID is a hash of the id. Two questions with
one id become one note on import, and one silently replaces the other in every learner's
collection.

## Example
```yaml
- number: 3
  id: gil
- number: 4
  id: gil
```

Use instead: give the newer question its own id. Never change a published one.";

pub(crate) fn duplicate_id(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut first_seen = FastMap::default();
    for q in &ctx.bank.questions {
        let Some(id) = &q.id else { continue };
        match first_seen.entry(id.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(id.span);
            }
            Entry::Occupied(first) => out.push(
                Diagnostic::new(
                    Rule::DuplicateId,
                    id.span,
                    format!("duplicate id `{}`", id.value),
                )
                .label("used again here")
                .secondary(*first.get(), "first used here")
                .help("ids are permanent note identities in Anki: give this question a new id")
                .question(Some(&id.value)),
            ),
        }
    }
    // The same id retired twice (a live id that is also retired is
    // `retired-id-reused`).
    let mut retired = FastMap::default();
    for r in &ctx.bank.retired {
        let Some(id) = &r.id else { continue };
        match retired.entry(id.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(id.span);
            }
            Entry::Occupied(first) => out.push(
                Diagnostic::new(
                    Rule::DuplicateId,
                    id.span,
                    format!("`{}` is retired twice", id.value),
                )
                .label("listed again here")
                .secondary(*first.get(), "first listed here")
                .help("remove one of the two entries under `retired:`")
                .question(Some(&id.value)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_second_use() {
        let bank = VALID_BANK.replace("id: closure-cells", "id: list-append");
        assert_eq!(
            lint_rule(&bank, Rule::DuplicateId),
            "q.yaml:34:9: error[PYQ102] duplicate-id: duplicate id `list-append`\n"
        );
    }

    #[test]
    fn quiet_on_distinct_ids() {
        assert_eq!(lint_rule(VALID_BANK, Rule::DuplicateId), "");
    }
}
