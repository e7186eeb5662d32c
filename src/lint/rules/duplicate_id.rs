//! PYQ102 `duplicate-id`.

use std::collections::hash_map::Entry;

use crate::hash::FastMap;

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::model::{Spanned, Str};
use crate::source::Span;

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
    let live = ctx.bank.questions.iter().filter_map(|q| q.id.as_ref());
    for (id, first) in repeats(live) {
        out.push(
            Diagnostic::new(
                Rule::DuplicateId,
                id.span,
                format!("duplicate id `{}`", id.value),
            )
            .label("used again here")
            .secondary(first, "first used here")
            .help("ids are permanent note identities in Anki: give this question a new id")
            .question(Some(&id.value)),
        );
    }
    // The same id retired twice (a live id that is also retired is
    // `retired-id-reused`).
    let retired = ctx.bank.retired.iter().filter_map(|r| r.id.as_ref());
    for (id, first) in repeats(retired) {
        out.push(
            Diagnostic::new(
                Rule::DuplicateId,
                id.span,
                format!("`{}` is retired twice", id.value),
            )
            .label("listed again here")
            .secondary(first, "first listed here")
            .help("remove one of the two entries under `retired:`")
            .question(Some(&id.value)),
        );
    }
}

/// Each id that repeats an earlier one, with the span of its first use.
fn repeats<'b, 's: 'b>(
    ids: impl Iterator<Item = &'b Spanned<Str<'s>>>,
) -> Vec<(&'b Spanned<Str<'s>>, Span)> {
    let mut first_seen =
        FastMap::with_capacity_and_hasher(ids.size_hint().1.unwrap_or(0), Default::default());
    ids.filter_map(|id| match first_seen.entry(id.as_str()) {
        Entry::Vacant(slot) => {
            slot.insert(id.span);
            None
        }
        Entry::Occupied(first) => Some((id, *first.get())),
    })
    .collect()
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
