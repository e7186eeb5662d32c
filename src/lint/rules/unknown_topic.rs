//! PYQ204 `unknown-topic`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::lint::rules::closest;

/// What `pyq rules unknown-topic` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a question whose `topic` is not a key declared under `topics`.

## Why is this bad?
Topics group the table of contents and carry the display title shown on cards; an unknown
key has no title and usually means a typo that splits one topic in two.

## Example
```yaml
topics:
  asyncio: Asyncio and concurrency
questions:
  - topic: async-io
```

Use instead: `topic: asyncio`, or declare the new topic under `topics`.";

pub(crate) fn unknown_topic(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    // A bank without a `topics` mapping is already `missing-field`.
    if ctx.bank.topics_span.is_none() {
        return;
    }
    for q in &ctx.bank.questions {
        let Some(topic) = &q.topic else { continue };
        if ctx.bank.topic_title(&topic.value).is_some() {
            continue;
        }
        let keys = ctx.bank.topics.iter().map(|t| t.key.as_str());
        let help = match closest(&topic.value, keys) {
            Some(k) => format!(
                "did you mean `{k}`? or declare `{}` under `topics`",
                topic.value
            ),
            None => format!(
                "use a key declared under `topics`, or declare `{}` there",
                topic.value
            ),
        };
        out.push(
            Diagnostic::new(
                Rule::UnknownTopic,
                topic.span,
                format!("unknown topic `{}`", topic.value),
            )
            .label("not declared under `topics`")
            .help(help)
            .question(q.id_str()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_with_a_suggestion() {
        let bank = VALID_BANK.replace("topic: closures", "topic: closure");
        assert_eq!(
            lint_rule(&bank, Rule::UnknownTopic),
            "q.yaml:35:12: error[PYQ204] unknown-topic: unknown topic `closure`\n"
        );
    }

    #[test]
    fn quiet_on_declared_topics() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnknownTopic), "");
    }
}
