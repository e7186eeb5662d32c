//! PYQ402 `raw-html`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;
use crate::lint::rules::unsafe_html::unsafe_reason;

/// What `pyq rules raw-html` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports raw HTML in a question, answer or deck description (anything `unsafe-html` does not
already report).

## Why is this bad?
pyq's renderer escapes raw HTML, so a card shows `<b>` literally instead of bold text.
Python text such as `<class 'int'>` or `List<int>` is usually meant as code.

## Example
```yaml
answer: Use <b>deque</b> for queues.
```

Use instead: Markdown (`**deque**`), or backticks around code: `` `<class 'int'>` ``.";

pub(crate) fn raw_html(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for field in ctx.fields() {
        if field.facts.html.is_empty() {
            continue;
        }
        let value = field.text.value();
        for range in &field.facts.html {
            let snippet = &value[range.clone()];
            if unsafe_reason(snippet).is_some() {
                continue;
            }
            let shown: String = snippet.trim().chars().take(40).collect();
            out.push(
                Diagnostic::new(
                    Rule::RawHtml,
                    ctx.span_in(field.text, range.clone()),
                    format!("raw HTML `{shown}` in {}", field.name),
                )
                .label("shown as literal text in cards")
                .help("use Markdown instead, or put code in backticks")
                .question(field.question.and_then(|q| q.id_str())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_tags() {
        let bank = VALID_BANK.replace("the list over-allocates", "the list <b>over-allocates</b>");
        assert_eq!(
            lint_rule(&bank, Rule::RawHtml),
            "q.yaml:18:34: warning[PYQ402] raw-html: raw HTML `<b>` in the answer\n\
             q.yaml:18:51: warning[PYQ402] raw-html: raw HTML `</b>` in the answer\n"
        );
    }

    #[test]
    fn quiet_on_code_spans() {
        let bank = VALID_BANK.replace("the list over-allocates", "the list `<b>` over-allocates");
        assert_eq!(lint_rule(&bank, Rule::RawHtml), "");
    }
}
