//! PYQ203 `near-duplicate`.
//!
//! Questions are reduced to sets of normalised tokens; a pair is reported
//! when its Jaccard similarity is at least [`THRESHOLD`] and it shares at
//! least [`SHARED_MIN`] tokens. Candidate pairs come from an inverted index
//! over tokens that at most [`MAX_POSTINGS`] questions use, so the work is
//! about `N × MAX_POSTINGS`, not `N²`.

use crate::diagnostic::Diagnostic;
use crate::hash::{FastMap, FastSet};
use crate::lint::codes::Rule;
use crate::lint::rules::duplicate_question::normalise;
use crate::model::Bank;

/// What `pyq rules near-duplicate` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports two questions that say nearly the same thing, unless one lists the other under
`related`. Each question becomes a set of tokens: words lowercased, a plural `s` dropped,
stop words removed (articles, pronouns, question words, and generic interview verbs such as
\"compare\", \"explain\", \"analyze\", \"python\"). A pair is reported when the Jaccard
similarity of the two sets (shared tokens / all tokens) is at least 0.30 and they share at
least 3 tokens. Exact duplicates are `duplicate-question` instead.

## Why is this bad?
Near-duplicates split one topic over two cards whose answers drift apart or repeat each
other. When the overlap is intended (two angles on one subject), say so with `related`,
which also links the cards with \"See also\".

## Example
```yaml
- id: list-append-amortized
  question: How does CPython handle list growth (amortized complexity) to ensure O(1) appends?
- id: list-overallocation-growth
  question: Why is `append()` amortized $O(1)$ despite the memory growth of lists?
```

Use instead: add `related: [list-overallocation-growth]` to the first (one side is enough),
and give each answer its own angle; or merge the two questions.";

/// Minimum Jaccard similarity of the token sets.
pub(crate) const THRESHOLD: f64 = 0.30;
/// Minimum number of shared tokens.
pub(crate) const SHARED_MIN: usize = 3;
/// Tokens used by more questions than this do not generate candidates.
const MAX_POSTINGS: usize = 64;
/// The postings are sorted in 2^SLICE_BITS slices of the token hashes.
const SLICE_BITS: u32 = 4;

const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "also",
    "an",
    "analyse",
    "analyze",
    "and",
    "another",
    "are",
    "as",
    "at",
    "based",
    "be",
    "been",
    "being",
    "between",
    "by",
    "can",
    "code",
    "compare",
    "consider",
    "considered",
    "contrast",
    "could",
    "define",
    "describe",
    "despite",
    "developer",
    "did",
    "different",
    "discuss",
    "do",
    "doe",
    "does",
    "each",
    "explain",
    "following",
    "for",
    "from",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "me",
    "my",
    "no",
    "not",
    "of",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "over",
    "python",
    "same",
    "should",
    "so",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "under",
    "use",
    "used",
    "using",
    "versu",
    "versus",
    "vs",
    "wa",
    "was",
    "we",
    "what",
    "when",
    "whereas",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "without",
    "would",
    "you",
    "your",
];

pub(crate) fn near_duplicate(bank: &Bank<'_>, out: &mut Vec<Diagnostic>) {
    let questions = &bank.questions;
    // Each question's token set, sorted, stored flat: set i is
    // `tokens[starts[i]..starts[i + 1]]`. Tokens are 64-bit FNV-1a hashes, so
    // no vocabulary of strings is kept (a collision could only add a shared
    // token to a pair, never hide one).
    let (first, second) = questions.split_at(questions.len() / 2);
    let (mut flat, other) = std::thread::scope(|s| {
        let other = s.spawn(|| token_sets(second));
        (
            token_sets(first),
            other.join().expect("tokenising does not panic"),
        )
    });
    let offset = flat.0.len();
    flat.0.extend(other.0);
    flat.1.extend(other.1.iter().skip(1).map(|&e| e + offset));
    let (tokens, starts) = flat;
    let set = |i: usize| &tokens[starts[i]..starts[i + 1]];

    // Postings: the questions of each distinct token, by sorting (token,
    // question) pairs, then keeping only the questions: `runs[r]` is the
    // range in `docs` of token r. The pairs are sorted a slice of the hash
    // space at a time, in ascending order, so the result is that of one
    // sort while a sixteenth of the pairs (16 bytes each) exists at once.
    let mut docs: Vec<u32> = Vec::with_capacity(tokens.len());
    let mut runs: Vec<(u32, u32)> = Vec::new(); // (start, end) in `docs`
    let mut postings: Vec<(u64, u32)> = Vec::new();
    for slice in 0..1u64 << SLICE_BITS {
        postings.clear();
        postings.extend((0..questions.len()).flat_map(|i| {
            set(i)
                .iter()
                .filter(move |&&t| t >> (64 - SLICE_BITS) == slice)
                .map(move |&t| (t, i as u32))
        }));
        postings.sort_unstable();
        for (k, pair) in postings.iter().enumerate() {
            let at = docs.len() as u32;
            if k == 0 || postings[k - 1].0 != pair.0 {
                runs.push((at, at + 1));
            } else if let Some(last) = runs.last_mut() {
                last.1 = at + 1;
            }
            docs.push(pair.1);
        }
    }
    drop(postings);
    let run = |r: &(u32, u32)| (r.0 as usize, r.1 as usize);

    // Per question: the runs of its tokens that are rare enough to generate
    // candidates (flat, like `tokens`), and how many are too common to.
    let mut rare_starts = vec![0usize; questions.len() + 1];
    let mut common = vec![0usize; questions.len()];
    for r in &runs {
        let (from, to) = run(r);
        for &doc in &docs[from..to] {
            if to - from <= MAX_POSTINGS {
                rare_starts[doc as usize + 1] += 1;
            } else {
                common[doc as usize] += 1;
            }
        }
    }
    for i in 0..questions.len() {
        rare_starts[i + 1] += rare_starts[i];
    }
    let mut rare_runs = vec![0u32; rare_starts[questions.len()]];
    let mut fill = rare_starts.clone();
    for (r, bounds) in runs.iter().enumerate() {
        let (from, to) = run(bounds);
        if to - from > MAX_POSTINGS {
            continue;
        }
        for &doc in &docs[from..to] {
            rare_runs[fill[doc as usize]] = r as u32;
            fill[doc as usize] += 1;
        }
    }
    drop(fill);

    // For each question, count the rare tokens it shares with each earlier
    // one. Two questions can share at most min(common_i, common_j) common
    // tokens besides, which bounds their overlap from above: a pair whose
    // bound is under SHARED_MIN or under THRESHOLD x the larger set cannot be
    // a near-duplicate and is dropped without comparing the sets.
    let related = related_pairs(bank);
    let mut shared = vec![0u32; questions.len()];
    let mut touched: Vec<u32> = Vec::new();
    for i in 0..questions.len() {
        if set(i).len() < SHARED_MIN {
            continue;
        }
        for &r in &rare_runs[rare_starts[i]..rare_starts[i + 1]] {
            let (from, to) = run(&runs[r as usize]);
            for &j in &docs[from..to] {
                if (j as usize) >= i {
                    break;
                }
                if shared[j as usize] == 0 {
                    touched.push(j);
                }
                shared[j as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            let j = j as usize;
            let bound = shared[j] as usize + common[i].min(common[j]);
            shared[j] = 0;
            let (a, b) = (set(i), set(j));
            if bound < SHARED_MIN || (bound as f64) < THRESHOLD * a.len().max(b.len()) as f64 {
                continue;
            }
            let overlap = intersection(a, b);
            let similarity = overlap as f64 / (a.len() + b.len() - overlap) as f64;
            if overlap < SHARED_MIN
                || similarity < THRESHOLD
                || related.contains(&(j, i))
                || same_text(bank, i, j)
            {
                continue;
            }
            out.push(report(bank, i, j, similarity));
        }
        touched.clear();
    }
}

fn report(bank: &Bank<'_>, i: usize, j: usize, similarity: f64) -> Diagnostic {
    let q = &bank.questions[i];
    let other = &bank.questions[j];
    let span = q.question.as_ref().map_or(q.span, |t| t.span);
    let mut d = Diagnostic::new(
        Rule::NearDuplicate,
        span,
        format!(
            "{} is nearly the same as {} (similarity {similarity:.2})",
            q.describe(i),
            other.describe(j)
        ),
    )
    .label("similar question")
    .question(q.id_str());
    if let Some(t) = &other.question {
        d = d.secondary(t.span, "similar to this one");
    }
    let help = match other.id_str() {
        Some(id) => format!(
            "if both are wanted, add `related: [{id}]` to this question and give each answer its own angle; otherwise merge them"
        ),
        None => "merge the two questions, or link them with `related`".to_owned(),
    };
    d.help(help)
}

/// Exact duplicates are `duplicate-question`'s to report.
fn same_text(bank: &Bank<'_>, i: usize, j: usize) -> bool {
    let text = |k: usize| {
        bank.questions[k]
            .question
            .as_ref()
            .map(|t| normalise(&t.value()))
    };
    text(i) == text(j)
}

/// Pairs `(earlier, later)` linked by `related` in either direction.
fn related_pairs(bank: &Bank<'_>) -> FastSet<(usize, usize)> {
    let index: FastMap<&str, usize> = bank
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| q.id_str().map(|id| (id, i)))
        .collect();
    let mut pairs = FastSet::default();
    for (i, q) in bank.questions.iter().enumerate() {
        for r in &q.related {
            if let Some(&j) = index.get(r.as_str()) {
                pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    pairs
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Each question's token set, sorted and deduplicated, stored flat: set i
/// is `tokens[starts[i]..starts[i + 1]]`.
fn token_sets(questions: &[crate::model::Question<'_>]) -> (Vec<u64>, Vec<usize>) {
    let mut starts = Vec::with_capacity(questions.len() + 1);
    let mut tokens: Vec<u64> = Vec::with_capacity(questions.len() * 12);
    starts.push(0);
    let mut buf = String::new();
    for q in questions {
        let from = tokens.len();
        if let Some(t) = &q.question {
            push_token_hashes(&t.value(), &mut buf, &mut tokens);
        }
        tokens[from..].sort_unstable();
        let mut kept = from;
        for k in from..tokens.len() {
            if k == from || tokens[k] != tokens[kept - 1] {
                tokens[kept] = tokens[k];
                kept += 1;
            }
        }
        tokens.truncate(kept);
        starts.push(tokens.len());
    }
    (tokens, starts)
}

/// The tokens of [`tokens`], as stable 64-bit FNV-1a hashes, appended to
/// `out` without allocating per token (`buf` is reused). Stop words are
/// recognised by their hash.
fn push_token_hashes(text: &str, buf: &mut String, out: &mut Vec<u64>) {
    for w in words(text) {
        buf.clear();
        if w.is_ascii() {
            buf.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            buf.extend(w.chars().flat_map(char::to_lowercase));
        }
        let h = crate::hash::fnv1a(stem(buf).as_bytes());
        if stop_hashes().binary_search(&h).is_err() {
            out.push(h);
        }
    }
}

/// The FNV-1a hashes of the stop words, sorted.
fn stop_hashes() -> &'static [u64] {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES.get_or_init(|| {
        let mut h: Vec<u64> = STOP_WORDS
            .iter()
            .map(|w| crate::hash::fnv1a(w.as_bytes()))
            .collect();
        h.sort_unstable();
        h
    })
}

/// The normalised tokens of a question: lowercase alphanumeric words, a
/// plural `s` dropped, stop words removed.
#[cfg(test)]
pub(crate) fn tokens(text: &str) -> Vec<String> {
    words(text)
        .filter_map(|w| {
            let lower = w.to_lowercase();
            let t = stem(&lower);
            (!is_stop_word(&t)).then(|| t.into_owned())
        })
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
fn is_stop_word(t: &str) -> bool {
    STOP_WORDS.binary_search(&t).is_ok()
}

/// Drops a plural ending: `entries` → `entry`, `lists` → `list`.
fn stem(word: &str) -> std::borrow::Cow<'_, str> {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3]).into()
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].into()
    } else {
        word.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    const Q9: &str =
        "How does CPython handle list growth (amortized complexity) to ensure O(1) appends?";
    const Q33: &str = "Analyze the memory growth algorithm of Python lists. Why is `append()` considered an amortized $O(1)$ operation despite occasionally triggering a full memory reallocation?";

    fn pair(a: &str, b: &str, related: &str) -> String {
        let bank = VALID_BANK
            .replace(
                "Why is `list.append` amortized $O(1)$?",
                &format!("\"{a}\""),
            )
            .replace(
                "How much spare room does CPython give a growing list?",
                &format!("\"{b}\""),
            )
            .replace("    related: [list-growth]\n", related);
        lint_rule(&bank, Rule::NearDuplicate)
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn fires_on_seed_questions_9_and_33() {
        let out = pair(Q9, Q33, "");
        assert_eq!(
            out,
            "q.yaml:29:15: warning[PYQ203] near-duplicate: question 2 (`list-growth`) is nearly the same as question 1 (`list-append`) (similarity 0.35)\n"
        );
    }

    #[test]
    fn quiet_when_related() {
        assert_eq!(pair(Q9, Q33, "    related: [list-growth]\n"), "");
    }

    #[test]
    fn quiet_on_two_shared_words() {
        let out = pair(
            "How can you return a lambda function from another function (closure)?",
            "Can Python lambda functions contain type hints? If so, how?",
            "",
        );
        assert_eq!(out, "");
    }

    #[test]
    fn quiet_on_the_valid_bank() {
        let bank = VALID_BANK.replace("    related: [list-growth]\n", "");
        assert_eq!(lint_rule(&bank, Rule::NearDuplicate), "");
    }

    #[test]
    fn hashed_tokens_are_the_hashes_of_the_tokens() {
        let text = "Why are the Lists' entries GROWING? Ünïcode Wörds, too: `list.append()`";
        let mut hashed = Vec::new();
        push_token_hashes(text, &mut String::new(), &mut hashed);
        let expected: Vec<u64> = tokens(text)
            .iter()
            .map(|t| crate::hash::fnv1a(t.as_bytes()))
            .collect();
        assert_eq!(hashed, expected);
    }

    #[test]
    fn tokens_are_normalised() {
        assert_eq!(
            tokens("Why are the Lists' entries growing?"),
            ["list", "entry", "growing"]
        );
    }
}
