//! The generated banks both benchmarks use.

use std::fmt::Write as _;
use std::path::PathBuf;

/// The sizes named on the command line, or 1,000 / 10,000 / 100,000.
pub(crate) fn sizes() -> Vec<usize> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    }
}

/// target/bench-banks/, where the generated banks are kept.
pub(crate) fn bench_dir() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-banks");
    std::fs::create_dir_all(&dir).expect("create target/bench-banks");
    dir
}

/// A deterministic bank shaped like the real one: each answer has a short
/// answer, a list, inline math and a fenced Python block. Every 1,000th
/// question repeats its predecessor with one word changed (a planted
/// near-duplicate), so the near-duplicate rule does real work.
pub(crate) fn generate(n: usize) -> String {
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
            "  - number: {i}\n    id: question-{i}\n    topic: topic-{}\n    difficulty: mid\n    tags: [bench, t{}]\n    question: {question}\n    answer: |\n      **Short answer:** it is amortized $O(1)$ because the buffer grows geometrically, number {i}.\n\n      - Growth is proportional, so copies sum to $O(n)$.\n      - Worst case is still $O(n)$ for one call.\n      - See `sys.getsizeof` for the steps.\n      - The spare room is about one eighth of the size, so memory overhead stays bounded while copies stay rare.\n\n      ```python\n      xs = []\n      for k in range({}):\n          xs.append(k)\n      assert len(xs) == {}\n      ```\n",
            i % 12,
            i % 7,
            i % 50,
            i % 50
        );
        previous = question;
    }
    s
}
