//! The generated banks both benchmarks use.

use std::fmt::Write as _;
use std::path::PathBuf;

/// The sizes named on the command line, or 1,000 / 10,000 / 100,000 (when
/// no size and no `xN` is named).
pub(crate) fn sizes() -> Vec<usize> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() && copies().is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    }
}

/// The `xN` arguments: replicate the real bank N times (see [`replicate`]).
pub(crate) fn copies() -> Vec<usize> {
    std::env::args()
        .skip(1)
        .filter_map(|a| a.strip_prefix('x').and_then(|n| n.parse().ok()))
        .collect()
}

/// The real bank (questions.yaml) repeated `copies` times: copy k has its
/// questions renumbered, ` [set k]` appended to each question, and `-k`
/// appended to each id and to each `related` id, so every question has
/// `copies - 1` near-duplicate twins and no exact duplicate. Works on the
/// text, which holds because every question and `related` of the real bank
/// is a one-line plain scalar or flow list (checked).
#[allow(dead_code)] // the export benchmark does not replicate
pub(crate) fn replicate(bank: &str, copies: usize) -> String {
    let start = bank
        .find("\nquestions:\n")
        .expect("the bank has `questions:`")
        + 12;
    let (head, body) = bank.split_at(start);
    let items: Vec<&str> = body
        .split_inclusive('\n')
        .fold(Vec::<(usize, usize)>::new(), |mut items, line| {
            let at = line.as_ptr() as usize - body.as_ptr() as usize;
            if line.starts_with("  - number:") {
                items.push((at, at + line.len()));
            } else if let Some(last) = items.last_mut() {
                last.1 = at + line.len();
            }
            items
        })
        .into_iter()
        .map(|(from, to)| &body[from..to])
        .collect();
    assert_eq!(items.len(), 50, "questions.yaml holds 50 questions");
    let mut out = String::with_capacity(bank.len() * copies);
    out.push_str(head);
    let mut number = 0;
    for k in 1..=copies {
        for item in &items {
            number += 1;
            for line in item.split_inclusive('\n') {
                let text = line.trim_end_matches('\n');
                if text.starts_with("  - number:") {
                    let _ = writeln!(out, "  - number: {number}");
                } else if let Some(id) = text.strip_prefix("    id: ") {
                    let _ = writeln!(out, "    id: {id}-{k}");
                } else if let Some(q) = text.strip_prefix("    question: ") {
                    assert!(
                        !q.starts_with(['|', '>', '"', '\'']),
                        "a plain one-line question"
                    );
                    let _ = writeln!(out, "    question: {q} [set {k}]");
                } else if let Some(list) = text.strip_prefix("    related: [") {
                    let ids: Vec<String> = list
                        .trim_end_matches(']')
                        .split(", ")
                        .map(|id| format!("{id}-{k}"))
                        .collect();
                    let _ = writeln!(out, "    related: [{}]", ids.join(", "));
                } else {
                    out.push_str(line);
                }
            }
        }
    }
    out
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
