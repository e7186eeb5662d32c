//! PYQ704 `prose-length`.

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::answers::Answer;
use crate::lint::rules::answers::count;

/// What `pyq rules prose-length` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an answer whose prose, its words outside code blocks, is shorter or longer than
`prose-words = [least, most]` under `[lint.answers]` in pyq.toml. A word is a run of
characters between white space that holds a letter or a digit (a code span counts as the
words it holds); everything outside fenced and indented code blocks counts, the lead and
list items included. A long answer is reported at its first word past the limit, a short
one at its first word. Off until `prose-words` is set.

## Why is this bad?
An answer far shorter than the others skips what an interviewer asks next; one far longer
no longer fits a card, and a learner stops reading it.

## Example
With `prose-words = [120, 250]`, an answer of one 20-word paragraph and a code block.

Use instead: add the explanation an interviewer expects (why, trade-offs, a pitfall), or
cut an answer that runs past the limit to what matters.";

pub(crate) fn check(a: &Answer<'_>, out: &mut Vec<Diagnostic>) {
    let Some((least, most)) = a.limits.prose_words else {
        return;
    };
    let (n, first, past_most) = a.prose_words(most);
    let d = if let Some(past_most) = past_most {
        a.finding(
            Rule::ProseLength,
            past_most,
            format!(
                "the answer of {} has {} of prose, more than {most}",
                a.who(),
                count(n, "word")
            ),
        )
        .label(format!("word {}", most + 1))
        .help(format!(
            "cut the prose (outside code blocks) to at most {}: keep what an interviewer asks about",
            count(most, "word")
        ))
    } else if n < least {
        let start = a.start();
        let at = first.unwrap_or(start..start);
        a.finding(
            Rule::ProseLength,
            at,
            format!(
                "the answer of {} has {} of prose, fewer than {least}",
                a.who(),
                count(n, "word")
            ),
        )
        .label("this answer")
        .help(format!(
            "explain more (why, trade-offs, a pitfall) to reach at least {} outside code blocks",
            count(least, "word")
        ))
    } else {
        return;
    };
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::settings::Answers;
    use crate::lint::test::{VALID_BANK, lint_answers};

    fn range(least: usize, most: usize) -> Answers {
        Answers {
            prose_words: Some((least, most)),
            ..Answers::default()
        }
    }

    #[test]
    fn fires_past_either_end() {
        // Prose: question 1 has 12 words (its code block does not count),
        // question 2 has 12, question 3 has 8.
        assert_eq!(
            lint_answers(VALID_BANK, Rule::ProseLength, range(10, 11)),
            "q.yaml:18:79: warning[PYQ704] prose-length: the answer of question 1 (`list-append`) has 12 words of prose, more than 11\n\
             q.yaml:32:69: warning[PYQ704] prose-length: the answer of question 2 (`list-growth`) has 12 words of prose, more than 11\n\
             q.yaml:39:13: warning[PYQ704] prose-length: the answer of question 3 (`closure-cells`) has 8 words of prose, fewer than 10\n"
        );
    }

    #[test]
    fn quiet_within_the_range_or_when_off() {
        assert_eq!(
            lint_answers(VALID_BANK, Rule::ProseLength, range(8, 12)),
            ""
        );
        assert_eq!(
            lint_answers(VALID_BANK, Rule::ProseLength, Answers::default()),
            ""
        );
    }
}
