//! `pyq lint --fix`: applies the findings' mechanical edits (renumbering)
//! to the text, from the end backwards, touching nothing else.

use crate::diagnostic::{Diagnostic, Edit};

/// The text with every non-overlapping fix applied, and how many were.
pub fn apply(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut edits: Vec<&Edit> = diagnostics.iter().filter_map(|d| d.fix.as_ref()).collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits.dedup_by(|b, a| b.span.start < a.span.end);
    let mut out = text.to_owned();
    for edit in edits.iter().rev() {
        out.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    }
    (out, edits.len())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lint::{self, Settings};
    use crate::source::SourceFile;

    fn fix(text: &str) -> (String, usize) {
        let source = SourceFile::new(Path::new("q.yaml"), text.to_owned());
        let loaded = crate::load::load(&source);
        let diags = lint::check(&loaded, &source, &Settings::default());
        apply(source.text(), &diags)
    }

    #[test]
    fn renumbers_keeping_comments_and_layout() {
        let bank = lint::test::VALID_BANK
            .replace("number: 1\n", "number: 7   # was first\n")
            .replace("number: 3\n", "number: 30\n");
        let (fixed, n) = fix(&bank);
        assert_eq!(n, 2);
        assert_eq!(
            fixed,
            lint::test::VALID_BANK.replace("number: 1\n", "number: 1   # was first\n")
        );
    }

    #[test]
    fn is_idempotent() {
        let bank = lint::test::VALID_BANK.replace("number: 2\n", "number: 5\n");
        let (once, _) = fix(&bank);
        let (twice, n) = fix(&once);
        assert_eq!(n, 0);
        assert_eq!(once, twice);
    }
}
