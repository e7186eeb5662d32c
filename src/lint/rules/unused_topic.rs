//! PYQ206 `unused-topic`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules unused-topic` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a topic declared under `topics` that no question uses.

## Why is this bad?
The Markdown export's table of contents would show an empty section, and an unused key is
often the correct spelling of a topic that questions misspell.

## Example
```yaml
topics:
  asyncio: Asyncio and concurrency
  testing: Testing with pytest   # no question has `topic: testing`
```

Use instead: remove the topic, or use it.";

pub(crate) fn unused_topic(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for topic in &ctx.bank.topics {
        let used = ctx
            .bank
            .questions
            .iter()
            .any(|q| q.topic.as_ref().is_some_and(|t| t.value == topic.key.value));
        if !used {
            out.push(
                Diagnostic::new(
                    Rule::UnusedTopic,
                    topic.key.span,
                    format!("topic `{}` is not used by any question", topic.key.value),
                )
                .label("unused")
                .help("remove it from `topics`, or give it questions"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_an_unused_topic() {
        let bank = VALID_BANK.replace(
            "  closures: Functions and closures\n",
            "  closures: Functions and closures\n  gc: Garbage collection\n",
        );
        assert_eq!(
            lint_rule(&bank, Rule::UnusedTopic),
            "q.yaml:10:3: warning[PYQ206] unused-topic: topic `gc` is not used by any question\n"
        );
    }

    #[test]
    fn quiet_when_every_topic_is_used() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnusedTopic), "");
    }
}
