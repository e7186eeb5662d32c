//! PYQ202 `duplicate-question`.

use std::collections::hash_map::Entry;

use crate::hash::FastMap;

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules duplicate-question` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports two questions whose text is the same after normalising: case folded, Markdown
punctuation and all other punctuation removed, runs of white space collapsed.

## Why is this bad?
The same card twice wastes every learner's reviews, and the two answers drift apart.

## Example
```yaml
- question: What is the GIL?
- question: what is the `GIL`
```

Use instead: keep one question; merge the better parts of both answers into it.";

pub(crate) fn duplicate_question(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let questions = &ctx.bank.questions;
    // Keyed by a hash of the normalised text (no copy of every question is
    // kept): the first question with each hash, and later ones whose text
    // differs but has the same hash (rare) in `more`. A hash match is
    // confirmed by comparing the texts.
    let mut first: FastMap<u64, usize> =
        FastMap::with_capacity_and_hasher(questions.len(), Default::default());
    let mut more: FastMap<u64, Vec<usize>> = FastMap::default();
    for (index, q) in questions.iter().enumerate() {
        let Some(text) = &q.question else { continue };
        let Some(key) = normalised_hash(&text.value()) else {
            continue;
        };
        let earlier = match first.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(index);
                continue;
            }
            Entry::Occupied(slot) => *slot.get(),
        };
        let normalised = normalise(&text.value());
        let same = |k: &usize| {
            questions[*k]
                .question
                .as_ref()
                .is_some_and(|t| normalise(&t.value()) == normalised)
        };
        let others = more.entry(key).or_default();
        let Some(first) = std::iter::once(earlier)
            .chain(others.iter().copied())
            .find(same)
        else {
            others.push(index);
            continue;
        };
        let other = &questions[first];
        let mut d = Diagnostic::new(
            Rule::DuplicateQuestion,
            text.span,
            format!(
                "{} asks the same as {}",
                q.describe(index),
                other.describe(first)
            ),
        )
        .label("same question")
        .help("keep one of the two questions and merge the answers")
        .question(q.id_str());
        if let Some(t) = &other.question {
            d = d.secondary(t.span, "first asked here");
        }
        out.push(d);
    }
}

/// The FNV-1a hash of [`normalise`]'s text, without building it; `None`
/// when that is empty.
fn normalised_hash(text: &str) -> Option<u64> {
    use std::hash::Hasher;
    let mut h = crate::hash::Fnv::default();
    let (mut words, mut in_word) = (0usize, false);
    let mut start_word = |h: &mut crate::hash::Fnv, in_word: &mut bool| {
        if !*in_word {
            if words > 0 {
                h.write(b" ");
            }
            words += 1;
            *in_word = true;
        }
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    // Byte by byte, decoding only characters that are not ASCII.
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                start_word(&mut h, &mut in_word);
                h.write(&[b.to_ascii_lowercase()]);
            } else {
                in_word = false;
            }
            at += 1;
            continue;
        }
        let c = text[at..]
            .chars()
            .next()
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        if c.is_alphanumeric() {
            start_word(&mut h, &mut in_word);
            let mut buf = [0u8; 4];
            for lower in c.to_lowercase() {
                h.write(lower.encode_utf8(&mut buf).as_bytes());
            }
        } else {
            in_word = false;
        }
        at += c.len_utf8();
    }
    (words > 0).then(|| h.finish())
}

pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_the_same_text() {
        let bank = VALID_BANK.replace(
            "What does a closure capture from the enclosing function?",
            "why is `List.append` amortized  $O(1)$",
        );
        assert_eq!(
            lint_rule(&bank, Rule::DuplicateQuestion),
            "q.yaml:38:15: error[PYQ202] duplicate-question: question 3 (`closure-cells`) asks the same as question 1 (`list-append`)\n"
        );
    }

    #[test]
    fn normalises() {
        assert_eq!(
            normalise("Why is `list.append()`  O(1)?"),
            "why is list append o 1"
        );
    }

    proptest::proptest! {
        /// The hash is the hash of the normalised text, however mixed its
        /// characters.
        #[test]
        fn hashes_the_normalised_text(text in "[a-zA-Z0-9 `.(),_éÉßİ\u{3a3}\u{2160}\u{a0}-]{0,24}") {
            let normalised = normalise(&text);
            proptest::prop_assert_eq!(
                super::normalised_hash(&text),
                (!normalised.is_empty()).then(|| crate::hash::fnv1a(normalised.as_bytes()))
            );
        }
    }

    #[test]
    fn quiet_on_different_questions() {
        assert_eq!(lint_rule(VALID_BANK, Rule::DuplicateQuestion), "");
    }
}
