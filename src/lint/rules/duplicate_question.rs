//! PYQ202 `duplicate-question`.

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
    // Keyed by a hash of the normalised text (no copy of every question is
    // kept); a hash match is confirmed by comparing the texts.
    let mut seen: FastMap<u64, Vec<usize>> = FastMap::default();
    for (index, q) in ctx.bank.questions.iter().enumerate() {
        let Some(text) = &q.question else { continue };
        let Some(key) = normalised_hash(&text.value()) else {
            continue;
        };
        let same = seen.entry(key).or_default();
        // Equal hashes are confirmed on the texts themselves.
        let first = same.iter().copied().find(|&k| {
            ctx.bank.questions[k]
                .question
                .as_ref()
                .is_some_and(|t| normalise(&t.value()) == normalise(&text.value()))
        });
        if let Some(first) = first {
            let other = &ctx.bank.questions[first];
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
        } else {
            same.push(index);
        }
    }
}

/// FNV-1a of [`normalise`]'s output, computed without building it; `None`
/// for a text with no words.
fn normalised_hash(text: &str) -> Option<u64> {
    use std::hash::Hasher;
    let mut h = crate::hash::Fnv::default();
    let mut words = 0;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if words > 0 {
            h.write(b" ");
        }
        words += 1;
        if word.is_ascii() {
            for b in word.bytes() {
                h.write(&[b.to_ascii_lowercase()]);
            }
        } else {
            let mut buf = [0u8; 4];
            for c in word.chars().flat_map(char::to_lowercase) {
                h.write(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    (words > 0).then(|| h.finish())
}

/// Lowercase words separated by single spaces; punctuation dropped.
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

    #[test]
    fn quiet_on_different_questions() {
        assert_eq!(lint_rule(VALID_BANK, Rule::DuplicateQuestion), "");
    }
}
