//! Build-time syntax highlighting of fenced code into `<span class="…">`
//! elements styled by the note type's CSS (src/export/anki/template.rs).
//!
//! Small hand-written tokenizers for the languages the bank uses (Python,
//! TOML, shell), one pass over the text each, with no setup per block. The
//! class names are the tree-sitter capture names the CSS was written for
//! (`keyword`, `string`, `comment`, `number`, `function`, `constructor`,
//! `constant`, `type`, `property`, `operator`, `punctuation`, …). A grammar
//! based highlighter (tree-sitter, through arborium) took about half of a
//! realistic export; these take a few per cent and classify the same
//! tokens, with calls to classes marked `constructor` and decorators'
//! arguments not swallowed into the decorator's colour.

mod bash;
mod python;
mod toml;

use super::escape;

/// Languages with a tokenizer; anything else is escaped plain text.
const ALIASES: &[(&str, Lang)] = &[
    ("python", Lang::Python),
    ("py", Lang::Python),
    ("python3", Lang::Python),
    ("pycon", Lang::Python),
    ("toml", Lang::Toml),
    ("bash", Lang::Bash),
    ("sh", Lang::Bash),
    ("shell", Lang::Bash),
];

#[derive(Clone, Copy)]
enum Lang {
    Python,
    Toml,
    Bash,
}

/// A highlighter. It keeps no state between blocks; the type stays so that
/// callers own one per thread, as they would a parser.
#[derive(Default)]
pub struct Highlighter {
    _private: (),
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A whole `<pre><code>` block for `code` in language `lang` (the first
    /// word of the fence's info string).
    pub fn block(&mut self, lang: &str, code: &str) -> String {
        let mut out = String::with_capacity(code.len() * 3 + 80);
        out.push_str("<pre class=\"pyq-code\"><code class=\"language-");
        if lang.is_empty() {
            out.push_str("text");
        } else {
            out.push_str(&escape(lang));
        }
        out.push_str("\">");
        let grammar = ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(lang))
            .map(|(_, g)| *g);
        let mut html = Html {
            out: &mut out,
            every_class: false,
        };
        match grammar {
            Some(Lang::Python) => python::highlight(code, &mut html),
            Some(Lang::Toml) => toml::highlight(code, &mut html),
            Some(Lang::Bash) => bash::highlight(code, &mut html),
            None => html.plain(code),
        }
        out.push_str("</code></pre>\n");
        out
    }
}

/// Classes the note type's CSS leaves in the text's colour: their tokens
/// are written without a span. Identifiers, operators and punctuation are
/// more than two in five of a realistic bank's tokens, and their spans were
/// a sixth of its card HTML.
const UNSTYLED: &[&str] = &["variable", "operator", "punctuation"];

/// Where the tokenizers write: escaped text, plain or in a class's span.
struct Html<'a> {
    out: &'a mut String,
    /// Spans for the [`UNSTYLED`] classes too (the tokenizers' tests see
    /// every class).
    every_class: bool,
}

impl Html<'_> {
    fn plain(&mut self, text: &str) {
        push_escaped(self.out, text);
    }

    fn span(&mut self, class: &str, text: &str) {
        if text.is_empty() {
            return;
        }
        if !self.every_class && UNSTYLED.contains(&class) {
            push_escaped(self.out, text);
            return;
        }
        self.out.push_str("<span class=\"");
        self.out.push_str(class);
        self.out.push_str("\">");
        push_escaped(self.out, text);
        self.out.push_str("</span>");
    }
}

/// [`escape`], appending (the hot path: no allocation per token).
fn push_escaped(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// The length of the identifier at the start of `s` (ASCII letters, digits
/// and `_`, and any non-ASCII letter), 0 if none starts there.
fn ident_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if c == '_' || c.is_alphabetic() => {}
        _ => return 0,
    }
    for (i, c) in chars {
        if !(c == '_' || c.is_alphanumeric()) {
            return i;
        }
    }
    s.len()
}

/// What the tokenizers' tests share: a tokenizer's output with a span for
/// every class, and a span as it is written.
#[cfg(test)]
mod test_support {
    pub(super) fn every_class(highlight: fn(&str, &mut super::Html<'_>), code: &str) -> String {
        let mut out = String::new();
        highlight(
            code,
            &mut super::Html {
                out: &mut out,
                every_class: true,
            },
        );
        out
    }

    pub(super) fn span(class: &str, text: &str) -> String {
        format!("<span class=\"{class}\">{text}</span>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(lang: &str, code: &str) -> String {
        let html = Highlighter::new().block(lang, code);
        let prefix = format!("<pre class=\"pyq-code\"><code class=\"language-{lang}\">");
        html.strip_prefix(&prefix)
            .and_then(|h| h.strip_suffix("</code></pre>\n"))
            .expect("the block's wrapper")
            .to_owned()
    }

    /// Identifiers, operators and punctuation are plain text in the card
    /// (the CSS gives them the text's colour); the other classes keep their
    /// spans.
    #[test]
    fn unstyled_tokens_have_no_span() {
        let html = hl("python", "total = count + f(x, 'a') # n\n");
        assert_eq!(
            html,
            "total = count + <span class=\"function\">f</span>(x, <span class=\"string\">&#39;a&#39;</span>) <span class=\"comment\"># n</span>\n"
        );
        for class in UNSTYLED {
            assert!(
                !crate::export::anki::template::CSS.contains(&format!(".{class}")),
                "the CSS styles .{class}"
            );
        }
    }

    /// Every block keeps its text: removing the tags and unescaping gives the
    /// code back, whatever the language.
    #[test]
    fn text_is_kept_exactly() {
        let samples = [
            "def f(x: int) -> str:\n    return f\"{x!r:>{w}} {{}}\" + '''a\nb''' # c\n",
            "s = 'unterminated\nx = \"\\\"\" + r'\\'\n\t@dec\nclass A(B): pass\n",
            "[tool.x]\na = { b = \"c\", 'd' = [1, 2.5, true] }\n# c\n",
            "FOO=1 ls -la \"$HOME/${X:-y}\" 'z' | grep -c x && echo $(date) # done\n",
            "unicode: ñame = «x» → 1\n",
            "",
            "<>&\"'",
        ];
        for lang in ["python", "toml", "bash", "text"] {
            for s in samples {
                let html = hl(lang, s);
                let mut text = String::new();
                let mut in_tag = false;
                for c in html.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                let text = text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                assert_eq!(text, s, "{lang}: {html}");
            }
        }
    }

    #[test]
    fn unknown_languages_are_plain() {
        assert_eq!(hl("console", "$ pip <x>\n"), "$ pip &lt;x&gt;\n");
        assert_eq!(
            Highlighter::new().block("", "a"),
            "<pre class=\"pyq-code\"><code class=\"language-text\">a</code></pre>\n"
        );
        assert_eq!(
            Highlighter::new().block("a\"b", "x"),
            "<pre class=\"pyq-code\"><code class=\"language-a&quot;b\">x</code></pre>\n"
        );
    }

    #[test]
    fn aliases_are_case_insensitive() {
        assert!(hl("Python", "if x: pass").contains("<span class=\"keyword\">if</span>"));
        assert!(hl("sh", "ls").contains("<span class=\"function\">ls</span>"));
    }
}
