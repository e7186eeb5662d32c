//! PYQ603 `published-deck-changed`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules published-deck-changed` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that `deck.anki_deck_id` is the deck id recorded in the bank's lock
(`<bank>.pyq.lock`) when the bank was first published.

## Why is this bad?
Every note's GUID is derived from the deck id and the question's id. A new deck id gives
every note a new GUID: on their next import, learners get a second copy of every card
with no review history, and the old copies never update again.

## Example
`questions.pyq.lock` says `\"deck_id\": 1700000000001`, the bank says `anki_deck_id: 1700000000009`.

Use instead: put the published deck id back. To start a genuinely new deck, start a new
bank (and a new lock) next to the old one.";

pub(crate) fn published_deck_changed(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(lock) = ctx.lock else { return };
    let Some(id) = ctx.bank.deck.as_ref().and_then(|d| d.anki_deck_id.as_ref()) else {
        return;
    };
    if id.value != lock.deck_id {
        out.push(
            Diagnostic::new(
                Rule::PublishedDeckChanged,
                id.span,
                format!(
                    "`anki_deck_id` is {}, but this bank was published with {} ({})",
                    id.value,
                    lock.deck_id,
                    crate::identity::lock::file_name_for(ctx.source.path())
                ),
            )
            .label("changed after publishing")
            .help(format!(
                "every note's identity derives from it, so learners would get a duplicate of every card: set it back to `{}`",
                lock.deck_id
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule_locked};

    #[test]
    fn fires_on_a_changed_deck_id() {
        assert_eq!(
            lint_rule_locked(VALID_BANK, Rule::PublishedDeckChanged, 42, &[]),
            "q.yaml:5:17: error[PYQ603] published-deck-changed: `anki_deck_id` is 1700000000001, but this bank was published with 42 (q.pyq.lock)\n"
        );
    }

    #[test]
    fn quiet_on_the_published_deck_id() {
        assert_eq!(
            lint_rule_locked(
                VALID_BANK,
                Rule::PublishedDeckChanged,
                1_700_000_000_001,
                &[]
            ),
            ""
        );
    }
}
