//! PYQ103 `invalid-id`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::load::{is_slug, slugify};

/// What `pyq rules invalid-id` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Checks that every `id` is a kebab-case slug: lowercase ASCII letters and digits in groups
joined by single hyphens (`asyncio-first-completed`).

## Why is this bad?
Ids become Anki identities, Markdown anchors and file-safe names. Spaces, capitals and
look-alike Unicode letters make ids that differ invisibly (`gіl` with a Cyrillic `і` is not
`gil`) or change meaning when a tool lowercases them.

## Example
```yaml
id: Asyncio First_Completed
```

Use instead: `id: asyncio-first-completed`.";

pub(crate) fn invalid_id(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let live = ctx
        .bank
        .questions
        .iter()
        .map(|q| (q.id.as_ref(), q.id_str()));
    // Retired ids and their replacements are ids too.
    let retired = ctx.bank.retired.iter().flat_map(|r| {
        [
            (r.id.as_ref(), r.id_str()),
            (r.replaced_by.as_ref(), r.id_str()),
        ]
    });
    for (id, owner) in live.chain(retired) {
        let Some(id) = id else { continue };
        if is_slug(&id.value) {
            continue;
        }
        let suggestion = slugify(&id.value);
        let help = if suggestion.is_empty() {
            "use lowercase ASCII letters, digits and single hyphens, e.g. `list-append-complexity`"
                .to_owned()
        } else {
            format!("use lowercase ASCII letters, digits and single hyphens, e.g. `{suggestion}`")
        };
        out.push(
            Diagnostic::new(
                Rule::InvalidId,
                id.span,
                format!("id `{}` is not a kebab-case slug", id.value),
            )
            .label("not a slug")
            .help(help)
            .question(owner),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};
    use crate::load::slugify;

    #[test]
    fn fires_on_non_slugs() {
        let bank = VALID_BANK.replace("id: closure-cells", "id: Closure_Cells");
        assert_eq!(
            lint_rule(&bank, Rule::InvalidId),
            "q.yaml:34:9: error[PYQ103] invalid-id: id `Closure_Cells` is not a kebab-case slug\n"
        );
        let lookalike = VALID_BANK.replace("id: closure-cells", "id: closure-cеlls");
        assert_eq!(lint_rule(&lookalike, Rule::InvalidId).lines().count(), 1);
    }

    #[test]
    fn slugify_suggests() {
        assert_eq!(
            slugify("Asyncio First_Completed!"),
            "asyncio-first-completed"
        );
    }

    #[test]
    fn quiet_on_slugs() {
        assert_eq!(lint_rule(VALID_BANK, Rule::InvalidId), "");
    }
}
