//! PYQ401 `unsafe-html`.

use crate::diagnostic::Diagnostic;
use crate::lint::Ctx;
use crate::lint::codes::Rule;

/// What `pyq rules unsafe-html` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports raw HTML or links in Markdown that could run script in a card: the elements
`script`, `iframe`, `frame`, `object`, `embed`, `form`, `base`, `meta`, `link`, `style`,
`svg`, `math`; any `on...=` event-handler attribute; and `javascript:`, `vbscript:` or
`data:` URLs, in raw HTML or as Markdown link and image destinations (letter case, spaces and
entities inside the scheme are ignored when matching).

## Why is this bad?
Anki shows card fields as HTML in a web view on every learner's computer and phone. The
renderer escapes raw HTML, but a bank that carries script is an attack waiting for one bug,
and other tools that read the bank may not escape it.

## Example
```yaml
answer: Click <a href=\"javascript:alert(1)\">here</a> <img src=x onerror=alert(1)>
```

Use instead: plain Markdown; show code in backticks: `` `<script>` ``.";

const ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "meta",
    "link", "style", "svg", "math",
];
const SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

pub(crate) fn unsafe_html(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for field in ctx.fields() {
        if field.facts.html.is_empty() && field.facts.links.is_empty() {
            continue;
        }
        let value = field.text.value();
        let html = field
            .facts
            .html
            .iter()
            .map(|r| (r.clone(), &value[r.clone()]));
        let links = field
            .facts
            .links
            .iter()
            .map(|(r, url)| (r.clone(), url.as_str()));
        for (range, snippet) in html.chain(links) {
            let Some(why) = unsafe_reason(snippet) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    Rule::UnsafeHtml,
                    ctx.span_in(field.text, range),
                    format!("{} contains {why}", field.name),
                )
                .label("could run script in a card")
                .help("remove it; to show HTML as text, put it in backticks")
                .question(field.question.and_then(|q| q.id_str())),
            );
        }
    }
}

/// Why `snippet` (raw HTML or a URL) is unsafe, if it is.
pub(crate) fn unsafe_reason(snippet: &str) -> Option<String> {
    let lower = snippet
        .to_lowercase()
        .replace("&colon;", ":")
        .replace("&#58;", ":")
        .replace("&#x3a;", ":");
    for el in ELEMENTS {
        let open = format!("<{el}");
        for (at, _) in lower.match_indices(&open) {
            let after = lower[at + open.len()..].chars().next();
            if after.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-') {
                return Some(format!("a `<{el}>` element"));
            }
        }
    }
    // Browsers ignore white space and control characters inside a scheme.
    let squeezed: String = lower
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    for scheme in SCHEMES {
        if squeezed.contains(scheme) {
            return Some(format!("a `{scheme}` URL"));
        }
    }
    if lower.starts_with('<') {
        let bytes = lower.as_bytes();
        for i in 1..bytes.len().saturating_sub(2) {
            let boundary = matches!(
                bytes[i - 1],
                b' ' | b'/' | b'"' | b'\'' | b'\n' | b'\t' | b'\r'
            );
            if boundary && bytes[i..].starts_with(b"on") {
                let rest = &lower[i + 2..];
                let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
                    return Some(format!("an `on{}=` event handler", &rest[..name_len]));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::unsafe_reason;
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_on_script_handlers_and_urls() {
        let bank = VALID_BANK.replace(
            "The variables themselves, in cells, not their values.",
            "\"See <img src=x onerror=alert(1)> and [x](javascript:alert(1))\"",
        );
        assert_eq!(lint_rule(&bank, Rule::UnsafeHtml).lines().count(), 2);
    }

    #[test]
    fn reasons() {
        assert!(unsafe_reason("<SCRIPT>alert(1)</script>").is_some());
        assert!(unsafe_reason("<a href=\"JaVaScRiPt&colon;alert(1)\">").is_some());
        assert!(unsafe_reason("<a href=\"java\tscript:alert(1)\">").is_some());
        assert!(unsafe_reason("<svg/onload=alert(1)>").is_some());
        assert!(unsafe_reason("<b onclick = 'x()'>").is_some());
        assert!(unsafe_reason("<b>bold</b>").is_none());
        assert!(unsafe_reason("<scripts-are-fine>").is_none());
        assert!(unsafe_reason("https://docs.python.org/3/").is_none());
    }

    #[test]
    fn quiet_on_plain_markdown() {
        assert_eq!(lint_rule(VALID_BANK, Rule::UnsafeHtml), "");
    }
}
