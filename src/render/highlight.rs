//! Build-time syntax highlighting of fenced code (arborium, tree-sitter
//! grammars) into `<span class="…">` elements styled by the note type's CSS.

use super::escape;

/// Languages with a grammar; anything else is escaped plain text.
const ALIASES: &[(&str, &str)] = &[
    ("python", "python"),
    ("py", "python"),
    ("python3", "python"),
    ("pycon", "python"),
    ("toml", "toml"),
    ("bash", "bash"),
    ("sh", "bash"),
    ("shell", "bash"),
];

/// A highlighter; one per thread (it keeps parser state).
pub struct Highlighter {
    inner: arborium::Highlighter,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    pub fn new() -> Self {
        let config = arborium::Config {
            html_format: arborium::HtmlFormat::ClassNames,
            ..Default::default()
        };
        Self {
            inner: arborium::Highlighter::with_config(config),
        }
    }

    /// A whole `<pre><code>` block for `code` in language `lang` (the first
    /// word of the fence's info string).
    pub fn block(&mut self, lang: &str, code: &str) -> String {
        let lang_class = if lang.is_empty() {
            "text".to_owned()
        } else {
            escape(lang)
        };
        let grammar = ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(lang))
            .map(|(_, g)| *g);
        let body = grammar
            .and_then(|g| self.inner.highlight(g, code).ok())
            .unwrap_or_else(|| escape(code));
        format!(
            "<pre class=\"pyq-code\"><code class=\"language-{lang_class}\">{body}</code></pre>\n"
        )
    }
}
