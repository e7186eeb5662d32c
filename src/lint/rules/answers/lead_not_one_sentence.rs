//! PYQ703 `lead-not-one-sentence`.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;

/// What `pyq rules lead-not-one-sentence` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an answer whose lead, its first paragraph, holds more than one sentence, when
`lead-one-sentence = true` is set under `[lint.answers]` in pyq.toml. A sentence ends at a
word that ends in `.`, `?` or `!` (before any closing `)`, `\"`, `'`, `*` or `_`) when the
next word starts with an upper-case letter (after any opening `(`, `\"`, `'`, `*` or `_`).
Words in code spans do not count, and neither do `e.g.`, `i.e.`, `etc.`, `vs.` and `cf.`,
so `` `os.path.join` ``, `e.g. Python` and `3.12` end no sentence. The finding is at the
start of the second sentence. Off until `lead-one-sentence = true`.

## Why is this bad?
A learner recalls one sentence; a lead of two asks for two answers, and the second is
usually a detail that belongs in the explanation.

## Example
```yaml
answer: |
  **Short answer:** lists over-allocate. Most appends only write a pointer.
```

Use instead:
```yaml
answer: |
  **Short answer:** lists over-allocate, so most appends only write a pointer.
```";

/// Words that end in a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &["e.g.", "i.e.", "etc.", "vs.", "cf."];

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    if !a.limits.lead_one_sentence {
        return;
    }
    let words = a.lead_words();
    let Some(second) = second_sentence(a.value, words, &a.scan.lead_code) else {
        return;
    };
    out.push(
        a.finding(
            Rule::LeadNotOneSentence,
            second,
            format!("the lead of {} has more than one sentence", a.who()),
        )
        .label("a second sentence starts here")
        .help(
            "keep one sentence in the lead (join the two if both matter) and move the rest to the paragraphs below",
        ),
    );
}

/// The first word of the second sentence among `words`, if any.
fn second_sentence(
    text: &str,
    words: &[Range<usize>],
    code: &[Range<usize>],
) -> Option<Range<usize>> {
    let in_code = |at: usize| code.iter().any(|c| c.contains(&at));
    words.windows(2).find_map(|pair| {
        let (this, next) = (&pair[0], &pair[1]);
        let word = text[this.clone()].trim_end_matches([')', '"', '\'', '*', '_']);
        let ends = word.ends_with(['.', '?', '!'])
            && !in_code(this.start + word.len() - 1)
            && !ABBREVIATIONS.contains(
                &word
                    .trim_start_matches(['(', '"', '\'', '*', '_'])
                    .to_lowercase()
                    .as_str(),
            );
        let next_word = &text[next.clone()];
        let opened = next_word.trim_start_matches(['(', '"', '\'', '*', '_']);
        let starts_upper = opened.starts_with(char::is_uppercase)
            && !in_code(next.start + next_word.len() - opened.len());
        (ends && starts_upper).then(|| next.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::second_sentence;
    use crate::lint::Rule;
    use crate::lint::answers::words;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn second<'t>(text: &'t str, code: &[std::ops::Range<usize>]) -> Option<&'t str> {
        let words: Vec<_> = words(text, 0..text.len(), &[]).collect();
        second_sentence(text, &words, code).map(|r| &text[r])
    }

    #[test]
    fn finds_sentence_ends() {
        assert_eq!(
            second("It grows. Most appends are cheap.", &[]),
            Some("Most")
        );
        assert_eq!(second("Does it? **Yes**, mostly.", &[]), Some("**Yes**,"));
        assert_eq!(
            second("(It grows.) \"Then\" it stops.", &[]),
            Some("\"Then\"")
        );
        assert_eq!(second("Use a tool, e.g. Python 3.12 and so on.", &[]), None);
        assert_eq!(
            second("Call `os.path.join`. Done.", std::slice::from_ref(&(5..19))),
            Some("Done.")
        );
        assert_eq!(
            second(
                "Call x. `None` is returned.",
                std::slice::from_ref(&(8..14))
            ),
            None
        );
        assert_eq!(second("One sentence only.", &[]), None);
    }

    fn on() -> Answers {
        Answers {
            lead_one_sentence: true,
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_second_sentence() {
        let bank = VALID_BANK.replace(
            "so most appends only write a pointer.",
            "so most appends\n      are cheap. They only write a pointer.",
        );
        assert_eq!(
            lint_answers(&bank, Rule::LeadNotOneSentence, on()),
            "q.yaml:19:18: warning[PYQ703] lead-not-one-sentence: the lead of question 1 (`list-append`) has more than one sentence\n"
        );
    }

    #[test]
    fn quiet_on_one_sentence_or_when_off() {
        assert_eq!(lint_answers(VALID_BANK, Rule::LeadNotOneSentence, on()), "");
        let bank = VALID_BANK.replace("only write a pointer.", "only write. A pointer.");
        assert_eq!(
            lint_answers(&bank, Rule::LeadNotOneSentence, Answers::default()),
            ""
        );
    }
}
