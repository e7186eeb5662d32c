//! Export benchmark: generated banks of 1,000 / 10,000 / 100,000 questions,
//! exported to an Anki package: uniform (each answer a short answer with
//! inline math, a list, a fenced Python block) and realistic (the real bank's
//! 50 questions varied; see `common::realistic`). Pass sizes and kinds to run
//! only those (`cargo bench --bench export -- realistic 10000`).
//!
//! `cargo bench --bench export` prints, per size, the best of several runs
//! of the whole in-process pipeline (load → lint → render and build the
//! .apkg, chunk by chunk, concurrently) and of its stages. The banks are left in target/bench-banks/; peak memory is
//! measured on the release binary:
//! `/usr/bin/time -v target/release/pyq export target/bench-banks/realistic-100000/questions.yaml -o /tmp/pyq-bench`.
//! The Python pipeline to compare with is benches/python_pipeline.py.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::time::{Duration, Instant};

use pyq::export::{Context, Exporter, anki::Anki};
use pyq::source::SourceFile;

#[path = "common.rs"]
mod common;

fn main() {
    // As the binary does (see `pyq::memory`).
    pyq::memory::return_large_blocks();
    let sizes = common::sizes();
    println!(
        "{:>9} {:>9} {:>7} {:>11} {:>11} {:>11} {:>11} {:>8}",
        "bank", "questions", "MB", "load", "lint", "render+apkg", "total", "apkg MB"
    );
    for (kind, n) in common::Kind::chosen()
        .into_iter()
        .flat_map(|k| sizes.iter().map(move |&n| (k, n)))
    {
        let (path, text) = kind.write(n);
        let source = SourceFile::new(&path, text);
        let runs = if n >= 100_000 { 2 } else { 5 };
        let (mut load_t, mut lint_t, mut apkg_t, mut total_t) =
            (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
        let mut size = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let loaded = pyq::load::load(&source);
            let loaded_at = start.elapsed();
            let findings = pyq::lint::check(&loaded, &source, &pyq::lint::Settings::default());
            assert!(
                findings
                    .iter()
                    .all(|d| d.severity == pyq::diagnostic::Severity::Warning)
            );
            let linted_at = start.elapsed();
            let ctx = Context {
                bank: &loaded.bank,
                scratch_dir: None,
                cache: None,
                stamp: 1_800_000_000,
            };
            let out = std::env::temp_dir().join("pyq-bench-export");
            let _ = std::fs::remove_dir_all(&out);
            let artifacts = pyq::export::produce(
                &[Box::new(Anki::default()) as Box<dyn Exporter + Send + Sync>],
                &ctx,
                &out,
            )
            .expect("export");
            let total = start.elapsed();
            size = artifacts[0].content.to_vec().expect("the package").len();
            load_t = load_t.min(loaded_at);
            lint_t = lint_t.min(linted_at - loaded_at);
            apkg_t = apkg_t.min(total - linted_at);
            total_t = total_t.min(total);
        }
        println!(
            "{:>9} {n:>9} {:>7.1} {:>11} {:>11} {:>11} {:>11} {:>8.1}",
            kind.name(),
            source.text().len() as f64 / 1e6,
            ms(load_t),
            ms(lint_t),
            ms(apkg_t),
            ms(total_t),
            size as f64 / 1e6
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}
