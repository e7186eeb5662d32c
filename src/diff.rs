//! What changed between two versions of a bank, question by question (by
//! id, so moving or renumbering a question is not a change of content):
//! for release notes, the CHANGELOG and `pyq diff`.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::json;

use crate::hash::FastMap;
use crate::model::{Bank, Question, Spanned, Str, Text};

/// One question as the report names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    /// Its position (1-based) in the bank it is reported from.
    pub number: usize,
    pub question: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub entry: Entry,
    /// The fields whose content changed, in file-format order.
    pub fields: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetiredEntry {
    pub id: String,
    pub reason: String,
    /// The replacement's id and number in the new bank.
    pub replaced_by: Option<(String, Option<usize>)>,
}

/// The differences between an old and a new bank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    pub old_count: usize,
    pub new_count: usize,
    pub added: Vec<Entry>,
    pub changed: Vec<Changed>,
    /// Same content, another position: (entry in the new bank, old number).
    pub renumbered: Vec<(Entry, usize)>,
    pub retired: Vec<RetiredEntry>,
    /// Gone from the bank without a `retired:` entry (lint reports these
    /// when the id was published).
    pub removed: Vec<Entry>,
    pub deck_changed: Vec<&'static str>,
}

impl Diff {
    pub fn between(old: &Bank<'_>, new: &Bank<'_>) -> Self {
        let index = |bank: &Bank<'_>| -> FastMap<String, usize> {
            bank.questions
                .iter()
                .enumerate()
                .filter_map(|(i, q)| q.id_str().map(|id| (id.to_owned(), i)))
                .collect()
        };
        let (old_index, new_index) = (index(old), index(new));
        let mut diff = Self {
            old_count: old.questions.len(),
            new_count: new.questions.len(),
            ..Self::default()
        };
        for (i, q) in new.questions.iter().enumerate() {
            let Some(id) = q.id_str() else { continue };
            match old_index.get(id) {
                None => diff.added.push(entry(i, q)),
                Some(&j) => {
                    let fields = changed_fields(&old.questions[j], q);
                    if !fields.is_empty() {
                        diff.changed.push(Changed {
                            entry: entry(i, q),
                            fields,
                        });
                    } else if i != j {
                        diff.renumbered.push((entry(i, q), j + 1));
                    }
                }
            }
        }
        let old_retired: Vec<&str> = old.retired.iter().filter_map(|r| r.id_str()).collect();
        for r in &new.retired {
            let Some(id) = r.id_str() else { continue };
            if old_retired.contains(&id) {
                continue;
            }
            diff.retired.push(RetiredEntry {
                id: id.to_owned(),
                reason: r
                    .reason
                    .as_ref()
                    .map_or(String::new(), |s| s.as_str().to_owned()),
                replaced_by: r.replaced_by.as_ref().map(|to| {
                    (
                        to.as_str().to_owned(),
                        new_index.get(to.as_str()).map(|i| i + 1),
                    )
                }),
            });
        }
        for (j, q) in old.questions.iter().enumerate() {
            let Some(id) = q.id_str() else { continue };
            let retired = new.retired.iter().any(|r| r.id_str() == Some(id));
            if !new_index.contains_key(id) && !retired {
                diff.removed.push(entry(j, q));
            }
        }
        let (od, nd) = (old.deck.as_ref(), new.deck.as_ref());
        let name = |d: Option<&crate::model::Deck<'_>>| {
            d.and_then(|d| d.name.as_ref())
                .map(|n| n.as_str().to_owned())
        };
        let desc = |d: Option<&crate::model::Deck<'_>>| {
            d.and_then(|d| d.description.as_ref())
                .map(|t| t.value().into_owned())
        };
        if name(od) != name(nd) {
            diff.deck_changed.push("name");
        }
        if desc(od) != desc(nd) {
            diff.deck_changed.push("description");
        }
        diff
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.renumbered.is_empty()
            && self.retired.is_empty()
            && self.removed.is_empty()
            && self.deck_changed.is_empty()
    }

    /// The report as Markdown, for release notes.
    pub fn markdown(&self, deck: &str) -> String {
        let mut s = format!("## Changes to {deck}\n\n");
        if self.is_empty() {
            s.push_str("No question changed.\n");
            return s;
        }
        let mut summary = Vec::new();
        for (n, what) in [
            (self.added.len(), "added"),
            (self.changed.len(), "changed"),
            (self.retired.len(), "retired"),
            (self.removed.len(), "removed without retiring"),
            (self.renumbered.len(), "renumbered"),
        ] {
            if n > 0 {
                summary.push(format!("{n} {what}"));
            }
        }
        let _ = writeln!(
            s,
            "{}; {} → {} questions.\n",
            capitalise(&summary.join(", ")),
            self.old_count,
            self.new_count
        );
        if !self.deck_changed.is_empty() {
            let _ = writeln!(
                s,
                "The deck's {} changed.\n",
                self.deck_changed.join(" and ")
            );
        }
        if !self.added.is_empty() {
            s.push_str("### Added\n\n");
            for e in &self.added {
                let _ = writeln!(s, "- {}", line(e));
            }
            s.push('\n');
        }
        if !self.changed.is_empty() {
            s.push_str("### Changed\n\n");
            for c in &self.changed {
                let _ = writeln!(s, "- {}: {}", line(&c.entry), c.fields.join(", "));
            }
            s.push('\n');
        }
        if !self.retired.is_empty() {
            s.push_str("### Retired\n\n");
            for r in &self.retired {
                let _ = write!(s, "- `{}`: {}", r.id, one_line(&r.reason));
                match &r.replaced_by {
                    Some((id, Some(n))) => {
                        let _ = write!(s, " Replaced by #{n} (`{id}`).");
                    }
                    Some((id, None)) => {
                        let _ = write!(s, " Replaced by `{id}`.");
                    }
                    None => {}
                }
                s.push('\n');
            }
            s.push_str("\nAnki keeps notes that leave a deck: after importing this release, search `tag:pyq::retired` in the Browser and delete the notes it finds.\n\n");
        }
        if !self.removed.is_empty() {
            s.push_str("### Removed without retiring\n\n");
            for e in &self.removed {
                let _ = writeln!(s, "- `{}` (was #{}): {}", e.id, e.number, e.question);
            }
            s.push_str("\nThese notes stay in learners' collections and are never updated again: list them under `retired:` in the bank.\n\n");
        }
        if !self.renumbered.is_empty() {
            let _ = writeln!(
                s,
                "{} {} moved without changing: their notes keep their review history.",
                self.renumbered.len(),
                if self.renumbered.len() == 1 {
                    "question"
                } else {
                    "questions"
                }
            );
        }
        while s.ends_with("\n\n") {
            s.pop();
        }
        s
    }

    /// The report as JSON (documented in docs/formats.md).
    pub fn json(&self) -> serde_json::Value {
        let e = |e: &Entry| json!({"id": e.id, "number": e.number, "question": e.question});
        json!({
            "schema_version": 1,
            "questions": {"old": self.old_count, "new": self.new_count},
            "added": self.added.iter().map(e).collect::<Vec<_>>(),
            "changed": self.changed.iter().map(|c| {
                let mut v = e(&c.entry);
                v["fields"] = json!(c.fields);
                v
            }).collect::<Vec<_>>(),
            "renumbered": self.renumbered.iter().map(|(entry, from)| {
                let mut v = e(entry);
                v["old_number"] = json!(from);
                v
            }).collect::<Vec<_>>(),
            "retired": self.retired.iter().map(|r| json!({
                "id": r.id,
                "reason": r.reason,
                "replaced_by": r.replaced_by.as_ref().map(|(id, _)| id),
            })).collect::<Vec<_>>(),
            "removed": self.removed.iter().map(e).collect::<Vec<_>>(),
            "deck_changed": self.deck_changed,
        })
    }
}

fn entry(i: usize, q: &Question<'_>) -> Entry {
    Entry {
        id: q.id_str().unwrap_or("").to_owned(),
        number: i + 1,
        question: one_line(&q.question.as_ref().map_or(Cow::Borrowed(""), Text::value)),
    }
}

fn changed_fields(old: &Question<'_>, new: &Question<'_>) -> Vec<&'static str> {
    let text = |t: &Option<Text<'_>>| t.as_ref().map(|t| t.value().into_owned());
    let strings = |v: &[Spanned<Str<'_>>]| -> Vec<String> {
        v.iter().map(|s| s.as_str().to_owned()).collect()
    };
    let value = |s: &Option<Spanned<Str<'_>>>| s.as_ref().map(|s| s.as_str().to_owned());
    let mut fields = Vec::new();
    if value(&old.topic) != value(&new.topic) {
        fields.push("topic");
    }
    if old.difficulty.as_ref().map(|d| d.value) != new.difficulty.as_ref().map(|d| d.value) {
        fields.push("difficulty");
    }
    if strings(&old.tags) != strings(&new.tags) {
        fields.push("tags");
    }
    if text(&old.question) != text(&new.question) {
        fields.push("question");
    }
    if text(&old.answer) != text(&new.answer) {
        fields.push("answer");
    }
    if strings(&old.related) != strings(&new.related) {
        fields.push("related");
    }
    fields
}

/// `**#12** Question text (`id`)`.
fn line(e: &Entry) -> String {
    format!("**#{}** {} (`{}`)", e.number, e.question, e.id)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(questions: &str, retired: &str) -> Bank<'static> {
        let text = format!(
            "version: 1\ndeck: {{name: D, anki_deck_id: 1, anki_model_id: 2}}\ntopics: {{t: T}}\nquestions:\n{questions}{retired}"
        );
        let loaded = crate::load::load_leaked(text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded.bank
    }

    fn q(n: usize, id: &str, answer: &str) -> String {
        format!(
            "  - {{number: {n}, id: {id}, topic: t, difficulty: mid, question: Q {id}?, answer: {answer}}}\n"
        )
    }

    #[test]
    fn reports_every_kind_of_change_by_id() {
        let old = bank(
            &[
                q(1, "a", "A"),
                q(2, "b", "B"),
                q(3, "c", "C"),
                q(4, "d", "D"),
            ]
            .concat(),
            "",
        );
        let new = bank(
            &[
                q(1, "b", "B"),
                q(2, "a", "A2"),
                q(3, "e", "E"),
                q(4, "f", "F"),
            ]
            .concat(),
            "retired:\n  - {id: c, reason: Merged into b., replaced_by: b}\n",
        );
        let d = Diff::between(&old, &new);
        assert_eq!(
            d.added.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["e", "f"]
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            (d.changed[0].entry.id.as_str(), d.changed[0].fields.clone()),
            ("a", vec!["answer"])
        );
        assert_eq!(d.renumbered.len(), 1);
        assert_eq!((d.renumbered[0].0.id.as_str(), d.renumbered[0].1), ("b", 2));
        assert_eq!(d.retired[0].replaced_by, Some(("b".to_owned(), Some(1))));
        assert_eq!(
            d.removed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["d"]
        );
        let md = d.markdown("D");
        assert!(md.starts_with("## Changes to D\n\n2 added, 1 changed, 1 retired, 1 removed without retiring, 1 renumbered; 4 → 4 questions.\n"), "{md}");
        assert!(md.contains("- **#2** Q a? (`a`): answer\n"), "{md}");
        assert!(
            md.contains("- `c`: Merged into b. Replaced by #1 (`b`).\n"),
            "{md}"
        );
        assert!(md.contains("tag:pyq::retired"), "{md}");
        assert_eq!(d.json()["changed"][0]["fields"][0], "answer");
        assert_eq!(d.json()["renumbered"][0]["old_number"], 2);
    }

    #[test]
    fn the_same_bank_has_no_changes() {
        let b = bank(&q(1, "a", "A"), "");
        let d = Diff::between(&b, &b);
        assert!(d.is_empty());
        assert_eq!(d.markdown("D"), "## Changes to D\n\nNo question changed.\n");
    }
}
