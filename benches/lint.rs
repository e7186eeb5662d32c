//! Lint benchmark: generated banks of 1,000 / 10,000 / 100,000 questions,
//! uniform (one answer shape repeated) and realistic (the real bank's 50
//! questions varied; see `common::realistic`).
//!
//! `cargo bench --bench lint` prints, per size, the best of several runs of
//! (a) the YAML event stream alone (the floor), (b) `load` into the model,
//! the Markdown pass over the answers on one core (as the lint makes it:
//! parsing only the answers whose lines do not show them plain) and (c) the
//! whole lint (load + every rule). The generated files are left in
//! target/bench-banks/ (`<kind>-<n>/questions.yaml`) so peak memory can be measured on
//! the release binary:
//! `/usr/bin/time -v target/release/pyq lint --format concise target/bench-banks/realistic-100000/questions.yaml`.
//! Pass sizes and kinds as arguments to run only those
//! (`cargo bench --bench lint -- realistic 100000`).
//! `xN` adds the real questions.yaml replicated N times with small edits
//! (`cargo bench --bench lint -- x200`: 10,000 questions in 200 near-duplicate
//! copies, written to target/bench-banks/real-x200.yaml).

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::time::{Duration, Instant};

use pyq::lint::{self, Settings, markdown};

#[path = "common.rs"]
mod common;
use pyq::source::SourceFile;

fn main() {
    // As the binary does (see `pyq::memory`).
    pyq::memory::return_large_blocks();
    let sizes = common::sizes();
    println!(
        "{:>9} {:>9} {:>9} {:>11} {:>11} {:>13} {:>11} {:>9} {:>6}",
        "bank", "questions", "MB", "events", "load", "md (1 core)", "lint", "findings", "ratio"
    );
    let real = || {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions.yaml");
        std::fs::read_to_string(path).expect("read questions.yaml")
    };
    let banks = common::Kind::chosen()
        .into_iter()
        .flat_map(|k| sizes.iter().map(move |&n| (k, n)))
        .map(|(kind, n)| {
            let (path, text) = kind.write(n);
            (kind.name().to_owned(), path, text)
        })
        .chain(common::copies().into_iter().map(|k| {
            let path = common::bench_dir().join(format!("real-x{k}.yaml"));
            let text = common::replicate(&real(), k);
            std::fs::write(&path, &text).expect("write bank");
            (format!("real-x{k}"), path, text)
        }));
    for (name, path, text) in banks {
        let source = SourceFile::new(&path, text);
        let n = pyq::load::load(&source).bank.questions.len();
        let runs = if n >= 100_000 { 3 } else { 10 };
        let events = best(runs, || {
            let mut count = 0usize;
            for ev in saphyr_parser::Parser::new_from_str(source.text()) {
                ev.expect("generated YAML parses");
                count += 1;
            }
            count
        });
        let load = best(runs, || pyq::load::load(&source).bank.questions.len());
        let loaded = pyq::load::load(&source);
        let markdown = best(runs, || {
            loaded
                .bank
                .questions
                .iter()
                .filter_map(|q| q.answer.as_ref())
                .map(|a| markdown::Facts::of_text(a, true).html.len())
                .sum::<usize>()
        });
        let mut findings = 0;
        let full = best(runs, || {
            let loaded = pyq::load::load(&source);
            findings = lint::check(&loaded, &source, &Settings::default()).len();
            findings
        });
        println!(
            "{name:>9} {n:>9} {:>9.1} {:>11} {:>11} {:>13} {:>11} {findings:>9} {:>6.2}",
            source.text().len() as f64 / 1e6,
            ms(events),
            ms(load),
            ms(markdown),
            ms(full),
            full.as_secs_f64() / events.as_secs_f64()
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}
