//! PYQ301 `unknown-related`.

use crate::hash::FastSet;

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::lint::rules::closest;

/// What `pyq rules unknown-related` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports an entry of `related` that names no question's `id`, names the question itself, or
is listed twice.

## Why is this bad?
Exports turn `related` into \"See also\" links; a dangling one is a broken link on every card,
and it usually means the other question's id was mistyped.

## Example
```yaml
related: [list-apend-amortized]
```

Use instead: `related: [list-append-amortized]`.";

pub(crate) fn unknown_related(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    // Most banks link few questions: no set of every id for none.
    let links = ctx.bank.questions.iter().any(|q| !q.related.is_empty())
        || ctx.bank.retired.iter().any(|r| r.replaced_by.is_some());
    if !links {
        return;
    }
    let ids: FastSet<&str> = ctx
        .bank
        .questions
        .iter()
        .filter_map(|q| q.id_str())
        .collect();
    for q in &ctx.bank.questions {
        for (i, r) in q.related.iter().enumerate() {
            let target = r.as_str();
            let (message, help) = if q.id_str() == Some(target) {
                (
                    format!("`{target}` is this question's own id"),
                    "remove it: a question is not related to itself".to_owned(),
                )
            } else if q.related[..i].iter().any(|x| x.value == target) {
                (
                    format!("`{target}` is listed twice"),
                    "remove the second one".to_owned(),
                )
            } else if !ids.contains(target) {
                let help = match closest(target, ids.iter().copied()) {
                    Some(id) => format!("did you mean `{id}`?"),
                    None => "use the `id` of an existing question, or remove the entry".to_owned(),
                };
                (format!("related id `{target}` does not exist"), help)
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(Rule::UnknownRelated, r.span, message)
                    .label("broken reference")
                    .help(help)
                    .question(q.id_str()),
            );
        }
    }
    // A retired question's `replaced_by` points learners at a live question.
    for r in &ctx.bank.retired {
        let Some(target) = &r.replaced_by else {
            continue;
        };
        if ids.contains(target.as_str()) {
            continue;
        }
        let help = match closest(&target.value, ids.iter().copied()) {
            Some(id) => format!("did you mean `{id}`?"),
            None => "use the `id` of a question in the bank, or remove `replaced_by`".to_owned(),
        };
        out.push(
            Diagnostic::new(
                Rule::UnknownRelated,
                target.span,
                format!(
                    "`replaced_by` names `{}`, which is not a question in the bank",
                    target.value
                ),
            )
            .label("broken reference")
            .help(help)
            .question(r.id_str()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_unknown_self_and_repeat() {
        let bank = VALID_BANK.replace(
            "related: [list-growth]",
            "related: [list-grwth, list-append, list-grwth]",
        );
        assert_eq!(
            lint_rule(&bank, Rule::UnknownRelated),
            "q.yaml:25:15: error[PYQ301] unknown-related: related id `list-grwth` does not exist\n\
             q.yaml:25:27: error[PYQ301] unknown-related: `list-append` is this question's own id\n\
             q.yaml:25:40: error[PYQ301] unknown-related: `list-grwth` is listed twice\n"
        );
    }

    #[test]
    fn quiet_on_existing_ids() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnknownRelated), "");
    }
}
