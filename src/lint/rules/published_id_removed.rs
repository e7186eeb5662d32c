//! PYQ601 `published-id-removed`.

use crate::diagnostic::Diagnostic;
use crate::hash::FastSet;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::source::Span;

/// What `pyq rules published-id-removed` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that every id in the bank's lock (`questions.yaml` → `questions.pyq.lock`: the
ids `pyq export` has published, kept beside the bank) is still a question in the bank, or is listed under `retired:`.

## Why is this bad?
Anki never deletes notes on import. A question deleted from the bank stays in every
learner's collection as a note nobody updates, and nothing tells them it is gone. A
retired question instead becomes a note that says why it went and asks to be deleted
(tagged `pyq::retired`), and `pyq diff` lists it in the release notes.

## Example
`questions.pyq.lock` lists `list-growth`, and the bank no longer has it.

Use instead: restore the question, or retire it:
```yaml
retired:
  - id: list-growth
    reason: Merged into list-append.
    replaced_by: list-append
```";

pub(crate) fn published_id_removed(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(lock) = ctx.lock else { return };
    let mut present: FastSet<&str> = ctx
        .bank
        .questions
        .iter()
        .filter_map(|q| q.id_str())
        .collect();
    present.extend(ctx.bank.retired.iter().filter_map(|r| r.id_str()));
    // Where to add the tombstone: the `retired` key, else the deck.
    let at = ctx
        .bank
        .retired_key
        .or_else(|| ctx.bank.deck.as_ref().map(|d| d.span))
        .unwrap_or(Span::new(0, 0));
    let lock_name = crate::identity::lock::file_name_for(ctx.source.path());
    for id in lock.published.keys() {
        if present.contains(id.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::PublishedIdRemoved,
                at,
                format!("published question `{id}` is gone from the bank (it is in {lock_name})"),
            )
            .label("neither a question nor retired")
            .help(format!(
                "learners keep its note forever (Anki never deletes on import): restore the question, or retire it so the export asks them to delete the note:\n\nretired:\n  - id: {id}\n    reason: <why it went>"
            ))
            .question(Some(id)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule_locked};

    const DECK: i64 = 1_700_000_000_001;

    #[test]
    fn fires_on_a_published_id_that_vanished() {
        assert_eq!(
            lint_rule_locked(
                VALID_BANK,
                Rule::PublishedIdRemoved,
                DECK,
                &["gone", "list-append"]
            ),
            "q.yaml:2:1: error[PYQ601] published-id-removed: published question `gone` is gone from the bank (it is in q.pyq.lock)\n"
        );
    }

    #[test]
    fn quiet_when_present_or_retired() {
        let bank = format!("{VALID_BANK}retired:\n  - id: gone\n    reason: Merged.\n");
        assert_eq!(
            lint_rule_locked(
                &bank,
                Rule::PublishedIdRemoved,
                DECK,
                &["gone", "list-append", "list-growth"]
            ),
            ""
        );
    }
}
