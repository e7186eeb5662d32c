//! Inputs the fuzzers (fuzz/) found problems with, kept as regression tests:
//! each file in tests/fuzz/load_lint/ goes through the same checks as the
//! `load_lint` fuzz target, each in tests/fuzz/render/ through `render`'s.

use std::path::Path;

use pyq::emit::{HumanOptions, OutputFormat};
use pyq::render::{Highlighter, sanitize, to_html, to_inline_html};
use pyq::source::SourceFile;

fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the regression folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read an input");
            (p.display().to_string(), bytes)
        })
        .collect()
}

#[test]
fn load_lint_regressions() {
    let inputs = inputs("load_lint");
    assert!(!inputs.is_empty());
    for (name, bytes) in inputs {
        let source = SourceFile::from_bytes(Path::new("fuzz.yaml"), bytes);
        let loaded = pyq::load::load(&source);
        let diagnostics = pyq::lint::check(&loaded, &source, &pyq::lint::Settings::default());
        let text = source.text();
        for d in &diagnostics {
            for label in std::iter::once(&d.primary).chain(&d.secondary) {
                let span = label.span;
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{name}: {d:?}"
                );
                assert!(
                    text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                    "{name}: {d:?}"
                );
            }
        }
        for format in [
            OutputFormat::Human,
            OutputFormat::Concise,
            OutputFormat::Json,
            OutputFormat::Github,
        ] {
            let human = HumanOptions {
                color: false,
                width: 100,
            };
            let mut out = Vec::new();
            pyq::emit::emit(format, &diagnostics, &source, human, &mut out).expect("emit");
        }
        let (fixed, changes) = pyq::fix::apply(text, &diagnostics);
        if changes > 0 {
            let source2 =
                SourceFile::from_bytes(Path::new("fuzz.yaml"), fixed.clone().into_bytes());
            let loaded2 = pyq::load::load(&source2);
            let again = pyq::lint::check(&loaded2, &source2, &pyq::lint::Settings::default());
            assert_eq!(
                fixed,
                pyq::fix::apply(source2.text(), &again).0,
                "{name}: fix twice"
            );
        }
    }
}

#[test]
fn render_regressions() {
    for (name, bytes) in inputs("render") {
        let text = String::from_utf8_lossy(&bytes);
        let mut hl = Highlighter::new();
        for html in [to_html(&text, &mut hl), to_inline_html(&text, &mut hl)] {
            assert!(
                matches!(sanitize(&html), std::borrow::Cow::Borrowed(_)),
                "{name}: the sanitiser changed renderer output: {html:?}"
            );
        }
    }
}
