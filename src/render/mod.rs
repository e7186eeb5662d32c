//! Markdown → card HTML, shared by every exporter that writes HTML (Anki,
//! CSV). One parser configuration for all (the lint's, so lint and export
//! agree on what a text means):
//!
//! - raw HTML in the source is shown as text, never passed through;
//! - `<`, `>`, `&` in text and code are escaped (`<class 'int'>` shows as is);
//! - `$…$` / `$$…$$` become MathJax's `\(…\)` / `\[…\]`, only outside code
//!   (or MathML, for the HTML page: see [`Math`]);
//! - fenced code is highlighted at build time into CSS classes (no script);
//! - links keep only `http`, `https` and `mailto` destinations; images are
//!   shown as their alt text (cards never load remote content).

mod cards;
mod highlight;
mod math;
pub mod sanitize;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

pub(crate) use cards::CHUNK;
pub use cards::{Card, cards, for_each_chunk, for_each_chunk_in, for_each_chunk_with};
pub use highlight::Highlighter;
pub use math::Math;
pub use sanitize::{sanitize, sanitize_owned, sanitize_page};

use crate::lint::markdown::options;

/// Renders Markdown to the HTML that goes into a card field.
pub fn to_html(markdown: &str, hl: &mut Highlighter) -> String {
    to_html_with(markdown, hl, Math::MathJax)
}

/// [`to_html`], with math rendered as `math` says.
pub fn to_html_with(markdown: &str, hl: &mut Highlighter, math: Math) -> String {
    parse(markdown, hl).html(math)
}

/// A text parsed, its code highlighted and its unsafe parts neutralised,
/// ready to be written as HTML with either kind of math (so a page that
/// needs both highlights each code block once).
pub struct Parsed<'a> {
    events: Vec<Event<'a>>,
    has_math: bool,
    len: usize,
}

impl Parsed<'_> {
    /// Whether the text has math (so its two HTML forms differ).
    pub fn has_math(&self) -> bool {
        self.has_math
    }

    /// The HTML, with math rendered as `math` says.
    pub fn html(&self, math: Math) -> String {
        let mut html = String::with_capacity(self.len * 3 / 2);
        pulldown_cmark::html::push_html(
            &mut html,
            self.events.iter().map(|event| match event {
                Event::InlineMath(m) => Event::Html(math::render(m, false, math).into()),
                Event::DisplayMath(m) => Event::Html(math::render(m, true, math).into()),
                other => other.clone(),
            }),
        );
        html
    }

    /// [`Self::html`] without the outer paragraph (see [`to_inline_html`]).
    pub fn inline_html(&self, math: Math) -> String {
        strip_paragraph(self.html(math))
    }
}

/// Parses `markdown` for [`Parsed::html`].
pub fn parse<'a>(markdown: &'a str, hl: &mut Highlighter) -> Parsed<'a> {
    parse_seeing(markdown, hl, None)
}

/// [`parse`], also recording in `facts` what the lint's Markdown rules look
/// at (see [`crate::lint::markdown::Seen`]): the same parser, the same
/// events, so the lint of an export need not parse the text again.
pub(crate) fn parse_seeing<'a>(
    markdown: &'a str,
    hl: &mut Highlighter,
    mut facts: Option<&mut crate::lint::markdown::Facts>,
) -> Parsed<'a> {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut has_math = false;
    let mut code: Option<(String, String)> = None; // (language, text)
    let mut skip_link_end: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Some(facts) = facts.as_deref_mut() {
            facts.observe(markdown, &event, range, true);
        }
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
            // Written by `Parsed::html`, as MathJax's LaTeX or as MathML.
            math @ (Event::InlineMath(_) | Event::DisplayMath(_)) => {
                has_math = true;
                events.push(math);
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
    Parsed {
        events,
        has_math,
        len: markdown.len(),
    }
}

/// Renders Markdown that should read as one line (a question in a list):
/// the outer paragraph is removed.
pub fn to_inline_html(markdown: &str, hl: &mut Highlighter) -> String {
    to_inline_html_with(markdown, hl, Math::MathJax)
}

/// [`to_inline_html`], with math rendered as `math` says.
pub fn to_inline_html_with(markdown: &str, hl: &mut Highlighter, math: Math) -> String {
    strip_paragraph(to_html_with(markdown, hl, math))
}

fn strip_paragraph(html: String) -> String {
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
