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

/// The start of the uniform and varied banks (deck, 12 topics,
/// `questions:`), with room for `n` questions.
fn uniform_head(n: usize) -> String {
    let mut s = String::with_capacity(n * 800);
    s.push_str(
        "version: 1\ndeck:\n  name: Bench\n  anki_deck_id: 1\n  anki_model_id: 2\ntopics:\n",
    );
    for t in 0..12 {
        let _ = writeln!(s, "  topic-{t}: Topic {t}");
    }
    s.push_str("questions:\n");
    s
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
    let mut s = uniform_head(n);
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

/// The uniform bank's size and shape (a short answer, a list with inline
/// code and math, a short fenced Python block: about 770 bytes a question)
/// with every word drawn at random from a 6,000-word vocabulary and every
/// code block different: the "varied random text" bank of issue #15, which
/// the realistic bank (the real answers, three times as long) does not
/// replace.
pub(crate) fn varied(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed, 7);
    let syllables = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu", "bra", "cle", "dri", "fro",
        "glu", "pla", "sto", "tre", "qua", "wen",
    ];
    let vocabulary: Vec<String> = (0..6_000)
        .map(|i| {
            let mut w = String::new();
            let mut k = i + 7;
            for _ in 0..2 + i % 3 {
                w.push_str(syllables[k % syllables.len()]);
                k /= syllables.len();
                k += i % 13;
            }
            w
        })
        .collect();
    let words = |rng: &mut Rng, range: (usize, usize)| -> String {
        let count = range.0 + rng.below(range.1);
        let mut out = String::new();
        for j in 0..count {
            if j > 0 {
                out.push(' ');
            }
            match rng.below(40) {
                0 => {
                    let _ = write!(out, "`{}()`", vocabulary[rng.below(6_000)]);
                }
                1 => {
                    let _ = write!(out, "$O(n^{})$", 1 + rng.below(3));
                }
                _ => out.push_str(&vocabulary[rng.below(6_000)]),
            }
        }
        out
    };
    let mut s = uniform_head(n);
    for i in 1..=n {
        let question = words(&mut rng, (8, 5));
        let short = words(&mut rng, (12, 6));
        let _ = write!(
            s,
            "  - number: {i}\n    id: question-{i}\n    topic: topic-{}\n    difficulty: mid\n    tags: [bench, t{}]\n    question: How does {question}?\n    answer: |\n      **Short answer:** {short}.\n\n",
            i % 12,
            i % 7,
        );
        for _ in 0..3 + rng.below(2) {
            let item = words(&mut rng, (6, 5));
            let _ = writeln!(s, "      - {item}.");
        }
        let (a, b) = (&vocabulary[rng.below(6_000)], &vocabulary[rng.below(6_000)]);
        let _ = write!(
            s,
            "\n      ```python\n      {a} = []\n      for {b} in range({}):\n          {a}.append({b} * {})\n      assert len({a}) == {}\n      ```\n",
            rng.below(1_000),
            rng.below(100),
            rng.below(1_000)
        );
    }
    s
}

/// Which generated bank: `uniform` (above), `varied` or `realistic` (below).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Uniform,
    Varied,
    Realistic,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Uniform => "uniform",
            Kind::Varied => "varied",
            Kind::Realistic => "realistic",
        }
    }

    /// The kinds named on the command line (`uniform`, `varied`,
    /// `realistic`), or all three.
    pub(crate) fn chosen() -> Vec<Kind> {
        let named: Vec<Kind> = std::env::args()
            .skip(1)
            .filter_map(|a| match a.as_str() {
                "uniform" => Some(Kind::Uniform),
                "varied" => Some(Kind::Varied),
                "realistic" => Some(Kind::Realistic),
                _ => None,
            })
            .collect();
        if named.is_empty() {
            vec![Kind::Uniform, Kind::Varied, Kind::Realistic]
        } else {
            named
        }
    }

    /// The bank's text, also written to
    /// target/bench-banks/<kind>-<n>/questions.yaml (each in its own folder,
    /// since `pyq export` writes a `pyq.lock` beside the bank; the uniform one
    /// also to <n>.yaml, its old name).
    pub(crate) fn write(self, n: usize) -> (PathBuf, String) {
        let text = match self {
            Kind::Uniform => generate(n),
            Kind::Varied => varied(n, SEED),
            Kind::Realistic => realistic(n, SEED),
        };
        let dir = bench_dir();
        if self == Kind::Uniform {
            std::fs::write(dir.join(format!("{n}.yaml")), &text).expect("write bank");
        }
        let dir = dir.join(format!("{}-{n}", self.name()));
        std::fs::create_dir_all(&dir).expect("create the bank's folder");
        let path = dir.join("questions.yaml");
        std::fs::write(&path, &text).expect("write bank");
        (path, text)
    }
}

/// The realistic bank's seed.
pub(crate) const SEED: u64 = 0x5059_515f_6265_6e63; // "PYQ_benc"

/// SplitMix64: a small, seedable, portable generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The real bank's questions, as plain data.
struct Template {
    id: String,
    topic: String,
    difficulty: String,
    tags: Vec<String>,
    related: Vec<String>,
    question: String,
    answer: String,
}

fn templates() -> (String, Vec<Template>) {
    let text = include_str!("../questions.yaml");
    let source =
        pyq::source::SourceFile::new(std::path::Path::new("questions.yaml"), text.to_owned());
    let loaded = pyq::load::load(&source);
    let bank = &loaded.bank;
    let header_end = text
        .find("\nquestions:\n")
        .expect("the real bank has questions")
        + 1;
    let header = text[..header_end].to_owned();
    let templates = bank
        .questions
        .iter()
        .map(|q| Template {
            id: q.id_str().expect("id").to_owned(),
            topic: q.topic.as_ref().expect("topic").as_str().to_owned(),
            difficulty: q
                .difficulty
                .as_ref()
                .expect("difficulty")
                .value
                .as_str()
                .to_owned(),
            tags: q.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            related: q.related.iter().map(|t| t.as_str().to_owned()).collect(),
            question: q.question.as_ref().expect("question").value().into_owned(),
            answer: q.answer.as_ref().expect("answer").value().into_owned(),
        })
        .collect();
    (header, templates)
}

/// Words of four or more ASCII letters in the prose of the real answers
/// (sorted, unique): the replacement vocabulary.
fn vocabulary(templates: &[Template]) -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    for t in templates {
        let mut in_code = false;
        for line in t.answer.lines().chain(t.question.lines()) {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code {
                continue;
            }
            for w in line.split(|c: char| !c.is_ascii_alphabetic()) {
                if w.len() >= 4 && w.bytes().all(|b| b.is_ascii_lowercase()) {
                    words.insert(w.to_owned());
                }
            }
        }
    }
    words.into_iter().collect()
}

const KEEP: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "self",
    "cls",
    "print",
    "len",
    "range",
    "list",
    "dict",
    "set",
    "int",
    "str",
    "super",
    "object",
    "type",
    "isinstance",
    "match",
    "case",
    "python",
    "pip",
    "uv",
    "run",
    "echo",
    "export",
    "then",
    "fi",
    "do",
    "done",
];

/// A bank of `n` questions built from the real bank's 50: each generated
/// question takes one real question as its template (in turn, so topics,
/// difficulties, tags, `related` links, answer lengths, code blocks and their
/// languages keep the real proportions) and varies it deterministically from
/// `seed`: prose words are swapped for other words of the bank, bullet
/// items are reordered, and in code, identifiers are renamed (consistently
/// within a block) and numbers changed. No two answers or code blocks come
/// out the same; the same seed gives the same bank.
pub(crate) fn realistic(n: usize, seed: u64) -> String {
    let (header, templates) = templates();
    let vocab = vocabulary(&templates);
    let mut s = String::with_capacity(n * 2_700);
    s.push_str(&header);
    s.push_str("questions:\n");
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let t = &templates[i % templates.len()];
        let group = i / templates.len();
        let mut rng = Rng::new(seed, i as u64);
        // Questions are varied more than answers (as different as two real
        // questions on one subject), and never twice the same.
        let mut question = vary_prose(&t.question, 85, &vocab, &mut rng);
        while !seen.insert(question.to_lowercase()) {
            question = vary_prose(&t.question, 85, &vocab, &mut rng);
        }
        let answer = vary_answer(&t.answer, &vocab, &mut rng);
        let _ = writeln!(s, "  - number: {}", i + 1);
        let _ = writeln!(s, "    id: {}-{group}", t.id);
        let _ = writeln!(s, "    topic: {}", t.topic);
        let _ = writeln!(s, "    difficulty: {}", t.difficulty);
        let _ = writeln!(s, "    tags: [{}]", t.tags.join(", "));
        if !t.related.is_empty() {
            let related: Vec<String> = t.related.iter().map(|r| format!("{r}-{group}")).collect();
            let _ = writeln!(s, "    related: [{}]", related.join(", "));
        }
        let _ = writeln!(
            s,
            "    question: {}",
            serde_json::to_string(&question).expect("a string serialises")
        );
        s.push_str("    answer: |\n");
        for line in answer.lines() {
            if line.is_empty() {
                s.push('\n');
            } else {
                let _ = writeln!(s, "      {line}");
            }
        }
    }
    s
}

/// The answer with its prose varied (12% of the words), runs of one-line
/// bullet items shuffled, and its code blocks varied.
fn vary_answer(answer: &str, vocab: &[String], rng: &mut Rng) -> String {
    let mut out = String::with_capacity(answer.len() + 64);
    let lines: Vec<&str> = answer.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("```") {
            // A fenced block: fence, body, fence.
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start().starts_with("```"))
                .unwrap_or(lines.len());
            out.push_str(line);
            out.push('\n');
            let body: Vec<&str> = lines[i + 1..end].to_vec();
            out.push_str(&vary_code(&body, vocab, rng));
            if end < lines.len() {
                out.push_str(lines[end]);
                out.push('\n');
            }
            i = end + 1;
        } else if line.starts_with("- ") {
            // A run of top-level bullet items (with their continuation lines).
            let mut items: Vec<Vec<&str>> = Vec::new();
            while i < lines.len()
                && (lines[i].starts_with("- ")
                    || (!items.is_empty()
                        && lines[i].starts_with("  ")
                        && !lines[i].trim_start().starts_with("```")))
            {
                if lines[i].starts_with("- ") {
                    items.push(vec![lines[i]]);
                } else {
                    items.last_mut().expect("an item").push(lines[i]);
                }
                i += 1;
            }
            // Fisher-Yates, keeping the first item first (it often leads).
            for k in (2..items.len()).rev() {
                let j = 1 + rng.below(k);
                items.swap(k, j);
            }
            for item in items {
                for l in item {
                    out.push_str(&vary_prose(l, 12, vocab, rng));
                    out.push('\n');
                }
            }
        } else {
            out.push_str(&vary_prose(line, 12, vocab, rng));
            out.push('\n');
            i += 1;
        }
    }
    out
}

/// Swaps `percent`% of the lowercase words of three or more letters for
/// other words of the vocabulary, outside inline code, math and link
/// destinations.
fn vary_prose(text: &str, percent: u64, vocab: &[String], rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let (mut code, mut math, mut dest) = (false, false, false);
    let mut prev = '\0';
    let flush = |word: &mut String, out: &mut String, rng: &mut Rng, plain: bool| {
        if plain
            && word.len() >= 3
            && word.bytes().all(|b| b.is_ascii_lowercase())
            && rng.chance(percent)
        {
            out.push_str(&vocab[rng.below(vocab.len())]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
            prev = c;
            continue;
        }
        flush(&mut word, &mut out, rng, !(code || math || dest));
        match c {
            '`' => code = !code,
            '$' if !code => math = !math,
            '(' if prev == ']' && !code => dest = true,
            ')' if dest => dest = false,
            _ => {}
        }
        out.push(c);
        prev = c;
    }
    flush(&mut word, &mut out, rng, !(code || math || dest));
    out
}

/// A code block's lines with identifiers renamed (a third of the distinct
/// non-keyword names, the same way throughout the block) and every number
/// replaced by another of the same number of digits.
fn vary_code(body: &[&str], vocab: &[String], rng: &mut Rng) -> String {
    let mut renames: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = String::new();
    for line in body {
        let bytes = line.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            let b = bytes[k];
            if b.is_ascii_alphabetic() || b == b'_' {
                let start = k;
                while k < bytes.len() && (bytes[k].is_ascii_alphanumeric() || bytes[k] == b'_') {
                    k += 1;
                }
                let ident = &line[start..k];
                let attr = start > 0 && bytes[start - 1] == b'.';
                if attr || ident.len() < 3 || KEEP.contains(&ident) || ident.starts_with("__") {
                    out.push_str(ident);
                    continue;
                }
                let new = renames.entry(ident.to_owned()).or_insert_with(|| {
                    if rng.chance(33) {
                        let w = &vocab[rng.below(vocab.len())];
                        if ident.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) {
                            let mut c = w.chars();
                            let first = c.next().map(|f| f.to_ascii_uppercase());
                            first.into_iter().chain(c).collect()
                        } else {
                            format!("{ident}_{w}")
                        }
                    } else {
                        ident.to_owned()
                    }
                });
                out.push_str(new);
            } else if b.is_ascii_digit() {
                let start = k;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                let len = k - start;
                let first: u8 = if len == 1 { 0 } else { 1 };
                out.push(char::from(
                    first + b'0' + rng.below(usize::from(10 - first)) as u8,
                ));
                for _ in 1..len {
                    out.push(char::from(b'0' + rng.below(10) as u8));
                }
            } else {
                let c = line[k..].chars().next().expect("a char");
                out.push(c);
                k += c.len_utf8();
            }
        }
        out.push('\n');
    }
    out
}
