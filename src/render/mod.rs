//! Markdown → card HTML, shared by every exporter that writes HTML (Anki,
//! CSV). One parser configuration for all (the lint's, so lint and export
//! agree on what a text means):
//!
//! - raw HTML in the source is shown as text, never passed through;
//! - `<`, `>`, `&` in text and code are escaped (`<class 'int'>` shows as is);
//! - `$…$` / `$$…$$` become MathJax's `\(…\)` / `\[…\]`, only outside code;
//! - fenced code is highlighted at build time into CSS classes (no script);
//! - links keep only `http`, `https` and `mailto` destinations; images are
//!   shown as their alt text (cards never load remote content).

mod cards;
mod highlight;
pub mod sanitize;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

pub use cards::{Card, cards, for_each_chunk, for_each_chunk_where};
pub use highlight::Highlighter;
pub use sanitize::{sanitize, sanitize_owned};

use crate::lint::markdown::options;

/// Renders Markdown to the HTML that goes into a card field.
pub fn to_html(markdown: &str, hl: &mut Highlighter) -> String {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut code: Option<(String, String)> = None; // (language, text)
    let mut skip_link_end: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().expect("inside a code block");
                    events.push(Event::Html(CowStr::from(hl.block(&lang, &text))));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::InlineMath(m) => {
                events.push(Event::Html(format!("\\({}\\)", escape(&m)).into()));
            }
            Event::DisplayMath(m) => {
                events.push(Event::Html(format!("\\[{}\\]", escape(&m)).into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_url(&dest_url);
                skip_link_end.push(!safe);
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if !skip_link_end.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { .. }) => skip_link_end.push(true),
            Event::End(TagEnd::Image) => {
                skip_link_end.pop();
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Renders Markdown that should read as one line (a question in a list):
/// the outer paragraph is removed.
pub fn to_inline_html(markdown: &str, hl: &mut Highlighter) -> String {
    let html = to_html(markdown, hl);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

pub(crate) fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        // A relative link or a fragment has no scheme.
        None => true,
        Some(colon) => {
            let scheme = &lower[..colon];
            if scheme.contains(['/', '?', '#']) {
                return true;
            }
            matches!(scheme, "http" | "https" | "mailto")
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        to_html(md, &mut Highlighter::new())
    }

    #[test]
    fn raw_html_is_text() {
        assert_eq!(
            html("a <b>x</b> <script>alert(1)</script>"),
            "<p>a &lt;b&gt;x&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        );
        assert_eq!(
            html("<div onclick=x>hi</div>\n"),
            "&lt;div onclick=x&gt;hi&lt;/div&gt;\n"
        );
    }

    #[test]
    fn python_reprs_are_shown_literally() {
        assert_eq!(
            html("`<class 'int'>` and a < b & c"),
            "<p><code>&lt;class 'int'&gt;</code> and a &lt; b &amp; c</p>\n"
        );
    }

    #[test]
    fn math_outside_code_only() {
        assert_eq!(
            html("cost $O(n^2)$, price $5 and $10"),
            "<p>cost \\(O(n^2)\\), price $5 and $10</p>\n"
        );
        assert_eq!(html("$$a<b$$"), "<p>\\[a&lt;b\\]</p>\n");
        assert_eq!(html("`$x$`"), "<p><code>$x$</code></p>\n");
        assert!(html("```python\nprint('$x$')\n```\n").contains("$x$"));
    }

    #[test]
    fn code_is_highlighted_and_escaped() {
        let out = html("```python\nif a < b:  # c\n    pass\n```\n");
        assert!(
            out.starts_with("<pre class=\"pyq-code\"><code class=\"language-python\">"),
            "{out}"
        );
        assert!(out.contains("<span class=\"keyword\">if</span>"), "{out}");
        assert!(out.contains("&lt;"), "{out}");
        assert!(out.contains("<span class=\"comment\"># c</span>"), "{out}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain() {
        assert_eq!(
            html("```text\n<tag> & more\n```\n"),
            "<pre class=\"pyq-code\"><code class=\"language-text\">&lt;tag&gt; &amp; more\n</code></pre>\n"
        );
    }

    #[test]
    fn unsafe_links_and_images_become_text() {
        assert_eq!(
            html("[x](javascript:alert(1)) [y](https://a.b/)"),
            "<p>x <a href=\"https://a.b/\">y</a></p>\n"
        );
        assert_eq!(html("![alt](https://x/y.png)"), "<p>alt</p>\n");
    }

    #[test]
    fn tables_render() {
        assert!(html("| a | b |\n| - | - |\n| 1 | 2 |\n").contains("<table>"));
    }

    #[test]
    fn inline_strips_the_paragraph() {
        assert_eq!(
            to_inline_html("Why is `x` *odd*?", &mut Highlighter::new()),
            "Why is <code>x</code> <em>odd</em>?"
        );
    }
}
