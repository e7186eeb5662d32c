//! PYQ702 `lead-too-long`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;
use crate::lint::rules::answers::count;

/// What `pyq rules lead-too-long` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an answer whose lead, its first paragraph, has more words than `lead-max-words`
under `[lint.answers]` in pyq.toml. The paragraph runs to the first blank line (or to a list,
a fence or another block that starts on the next line); the lead text set by `lead`, such as
`**Short answer:**`, is not counted. A word is a run of characters between white space that
holds a letter or a digit, so `-` and `=` are not words, and a code span counts as the words
it holds (`` `a = b` `` is two). The finding is at the first word past the limit. Off until
`lead-max-words` is set.

## Why is this bad?
The lead is what a learner recalls, often on a phone: a sentence of 60 words is not recalled
whole, and a reviewer cannot check it at a glance.

## Example
With `lead-max-words = 12`:
```yaml
answer: |
  **Short answer:** because the list keeps spare room at its end, which grows in proportion to its size, most appends write one pointer.
```

Use instead:
```yaml
answer: |
  **Short answer:** lists keep spare room, so most appends write one pointer.

  The room grows in proportion to the size, ...
```";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some(max) = a.limits.lead_max_words else {
        return;
    };
    let words = a.lead_words();
    let Some(first_over) = words.get(max) else {
        return;
    };
    out.push(
        a.finding(
            Rule::LeadTooLong,
            first_over.clone(),
            format!(
                "the lead of {} has {}, more than {max}",
                a.who(),
                count(words.len(), "word")
            ),
        )
        .label(format!("word {}", max + 1))
        .help(format!(
            "say the one thing to remember in at most {} and move the rest to the paragraphs below",
            count(max, "word")
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn max(n: usize) -> Answers {
        Answers {
            lead: Some("**Short answer:**".to_owned()),
            lead_max_words: Some(n),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_at_the_first_word_past_the_limit() {
        // The leads of questions 1 and 2 have 10 words each (after `**Short answer:**`).
        assert_eq!(
            lint_answers(VALID_BANK, Rule::LeadTooLong, max(9)),
            "q.yaml:18:79: warning[PYQ702] lead-too-long: the lead of question 1 (`list-append`) has 10 words, more than 9\n\
             q.yaml:32:69: warning[PYQ702] lead-too-long: the lead of question 2 (`list-growth`) has 10 words, more than 9\n"
        );
        // A lead over two lines, with a code span of two words (`=` is none).
        let bank = VALID_BANK.replace(
            "only write a pointer.",
            "only write\n      a `p = q` pointer.",
        );
        assert_eq!(
            lint_answers(&bank, Rule::LeadTooLong, max(8)),
            "q.yaml:19:7: warning[PYQ702] lead-too-long: the lead of question 1 (`list-append`) has 12 words, more than 8\n\
             q.yaml:33:67: warning[PYQ702] lead-too-long: the lead of question 2 (`list-growth`) has 10 words, more than 8\n"
        );
    }

    #[test]
    fn quiet_within_the_limit_or_when_off() {
        assert_eq!(lint_answers(VALID_BANK, Rule::LeadTooLong, max(10)), "");
        assert_eq!(
            lint_answers(VALID_BANK, Rule::LeadTooLong, Answers::default()),
            ""
        );
    }
}
