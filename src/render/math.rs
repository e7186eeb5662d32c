//! How `$…$` and `$$…$$` reach the reader. Anki cards keep the LaTeX for
//! the MathJax that Anki ships (`\(…\)`, `\[…\]`); the HTML page has no
//! script to run it, so its math is converted to MathML at export time
//! (math-core, MathML Core), which current browsers draw natively.

use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

use super::escape;

/// What math becomes in the rendered HTML.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Math {
    /// `\(…\)` / `\[…\]`, HTML-escaped, for MathJax (Anki, CSV).
    #[default]
    MathJax,
    /// MathML elements (the HTML page).
    MathMl,
}

/// The HTML for one formula.
pub fn render(tex: &str, display: bool, math: Math) -> String {
    match math {
        Math::MathJax if display => format!("\\[{}\\]", escape(tex)),
        Math::MathJax => format!("\\({}\\)", escape(tex)),
        Math::MathMl => mathml(tex, display),
    }
}

/// MathML for `tex`; LaTeX that math-core cannot read is shown as its source
/// in a `pyq-math-error` span (MathJax shows such input as it is, too), so
/// the page still reads and the author sees which formula to fix.
fn mathml(tex: &str, display: bool) -> String {
    static CONVERTER: OnceLock<LatexToMathML> = OnceLock::new();
    let converter = CONVERTER.get_or_init(|| {
        LatexToMathML::new(MathCoreConfig::default()).expect("no custom macros to parse")
    });
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    match converter.convert_with_local_state(tex, mode) {
        Ok(result) => result.mathml,
        Err(_) => {
            let delim = if display { "$$" } else { "$" };
            format!(
                "<span class=\"pyq-math-error\">{delim}{}{delim}</span>",
                escape(tex)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mathjax_keeps_the_latex_escaped() {
        assert_eq!(render("a<b", false, Math::MathJax), "\\(a&lt;b\\)");
        assert_eq!(render("x^2", true, Math::MathJax), "\\[x^2\\]");
    }

    #[test]
    fn mathml_for_the_banks_kind_of_math() {
        assert_eq!(
            render("O(n^2)", false, Math::MathMl),
            "<math><mi>O</mi><mo stretchy=\"false\">(</mo><msup><mi>n</mi><mn>2</mn></msup><mo stretchy=\"false\">)</mo></math>"
        );
        assert_eq!(
            render("p < 0.05", false, Math::MathMl),
            "<math><mi>p</mi><mo>&lt;</mo><mn>0.05</mn></math>"
        );
        assert!(render("O(\\sqrt{n})", false, Math::MathMl).contains("<msqrt><mi>n</mi></msqrt>"));
        assert!(render("x", true, Math::MathMl).starts_with("<math display=\"block\">"));
    }

    #[test]
    fn text_inside_math_is_escaped() {
        let out = render("\\text{<script>alert(1)</script>}", false, Math::MathMl);
        assert!(!out.contains("<script"), "{out}");
    }

    #[test]
    fn unreadable_latex_shows_its_source() {
        assert_eq!(
            render("\\frac{a}{b", false, Math::MathMl),
            "<span class=\"pyq-math-error\">$\\frac{a}{b$</span>"
        );
        assert_eq!(
            render("\\nosuch <x>", true, Math::MathMl),
            "<span class=\"pyq-math-error\">$$\\nosuch &lt;x&gt;$$</span>"
        );
    }
}
