//! Lint benchmark: generated banks of 1,000 / 10,000 / 100,000 questions.
//!
//! `cargo bench --bench lint` prints, per size, the best of several runs of
//! (a) the YAML event stream alone (the floor), (b) `load` into the model and
//! (c) the whole lint (load + every rule). The generated files are left in
//! target/bench-banks/ so peak memory can be measured on the release binary:
//! `/usr/bin/time -v target/release/pyq lint --format concise target/bench-banks/100000.yaml`.
//! Pass sizes as arguments to run only those (`cargo bench --bench lint -- 100000`).

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use pyq::lint::{self, Settings, markdown};
use pyq::source::SourceFile;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-banks");
    std::fs::create_dir_all(&dir).expect("create target/bench-banks");
    println!(
        "{:>9} {:>9} {:>11} {:>11} {:>13} {:>11} {:>9} {:>6}",
        "questions", "MB", "events", "load", "md (1 core)", "lint", "findings", "ratio"
    );
    for n in sizes {
        let text = generate(n);
        let path = dir.join(format!("{n}.yaml"));
        std::fs::write(&path, &text).expect("write bank");
        let source = SourceFile::new(&path, text);
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
                .map(|a| markdown::Facts::of(&a.value).html.len())
                .sum::<usize>()
        });
        let mut findings = 0;
        let full = best(runs, || {
            let loaded = pyq::load::load(&source);
            findings = lint::check(&loaded, &source, &Settings::default()).len();
            findings
        });
        println!(
            "{n:>9} {:>9.1} {:>11} {:>11} {:>13} {:>11} {findings:>9} {:>6.2}",
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

/// A deterministic bank shaped like the real one: each answer has a short
/// answer, a list, inline math and a fenced Python block. Every 1,000th
/// question repeats its predecessor with one word changed (a planted
/// near-duplicate), so the near-duplicate rule does real work.
fn generate(n: usize) -> String {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let common: Vec<String> = (0..2_000).map(|i| format!("word{i}")).collect();
    let mut s = String::with_capacity(n * 800);
    s.push_str(
        "version: 1\ndeck:\n  name: Bench\n  anki_deck_id: 1\n  anki_model_id: 2\ntopics:\n",
    );
    for t in 0..12 {
        let _ = writeln!(s, "  topic-{t}: Topic {t}");
    }
    s.push_str("questions:\n");
    let mut previous = String::new();
    for i in 1..=n {
        let question = if i % 1_000 == 0 {
            previous.replacen("word", "other", 1)
        } else {
            let mut q = String::from("How does");
            for _ in 0..8 {
                let _ = write!(q, " {}", common[(next() % 2_000) as usize]);
            }
            for _ in 0..4 {
                let _ = write!(q, " rare{}", next() % 500_000);
            }
            q.push('?');
            q
        };
        let _ = write!(
            s,
            "  - number: {i}\n    id: question-{i}\n    topic: topic-{}\n    difficulty: mid\n    tags: [bench, t{}]\n    question: {question}\n    answer: |\n      **Short answer:** it is amortized $O(1)$ because the buffer grows geometrically, number {i}.\n\n      - Growth is proportional, so copies sum to $O(n)$.\n      - Worst case is still $O(n)$ for one call.\n      - See `sys.getsizeof` for the steps.\n\n      ```python\n      xs = []\n      for k in range({}):\n          xs.append(k)\n      assert len(xs) == {}\n      ```\n",
            i % 12,
            i % 7,
            i % 50,
            i % 50
        );
        previous = question;
    }
    s
}
