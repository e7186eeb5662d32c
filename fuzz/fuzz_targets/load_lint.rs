//! Any bytes as a bank: load, lint, every output format, and `--fix`. Never
//! a panic; findings always inside the file; the fix is idempotent; the
//! errors-only lint finds the full lint's errors.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pyq::emit::{HumanOptions, OutputFormat};
use pyq::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let source = SourceFile::from_bytes(Path::new("fuzz.yaml"), data.to_vec());
    let loaded = pyq::load::load(&source);
    let diagnostics = pyq::lint::check(&loaded, &source, &pyq::lint::Settings::default());
    // `pyq export`'s errors-only lint finds exactly the full lint's errors.
    let mut deny = pyq::lint::Settings::default();
    deny.deny_warnings = true;
    for settings in [pyq::lint::Settings::default(), deny] {
        let full: Vec<_> = pyq::lint::check(&loaded, &source, &settings)
            .into_iter()
            .filter(|d| d.severity == pyq::diagnostic::Severity::Error)
            .collect();
        assert_eq!(
            pyq::lint::errors_with(&loaded, &source, &settings, None),
            full
        );
    }
    let len = source.text().len();
    for d in &diagnostics {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let span = label.span;
            assert!(span.start <= span.end && span.end <= len, "{d:?}");
            assert!(
                source.text().is_char_boundary(span.start) && source.text().is_char_boundary(span.end),
                "{d:?}"
            );
        }
    }
    for format in [
        OutputFormat::Human,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Github,
    ] {
        let mut out = Vec::new();
        let human = HumanOptions {
            color: false,
            width: 100,
        };
        pyq::emit::emit(format, &diagnostics, &source, human, &mut out).expect("emit to memory");
    }
    let (fixed, changes) = pyq::fix::apply(source.text(), &diagnostics);
    if changes > 0 {
        let source2 = SourceFile::from_bytes(Path::new("fuzz.yaml"), fixed.clone().into_bytes());
        let loaded2 = pyq::load::load(&source2);
        let again = pyq::lint::check(&loaded2, &source2, &pyq::lint::Settings::default());
        let (twice, _) = pyq::fix::apply(source2.text(), &again);
        assert_eq!(fixed, twice, "--fix is not idempotent");
    }
});
