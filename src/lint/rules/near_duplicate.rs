//! PYQ203 `near-duplicate`.
//!
//! Questions are reduced to sets of normalised tokens; a pair is similar
//! when its Jaccard similarity is at least [`THRESHOLD`] and it shares at
//! least [`SHARED_MIN`] tokens. Candidate pairs come from an exact
//! similarity join ([`similar_pairs`]: every similar pair is a candidate,
//! however common its tokens), each checked exactly; the similar pairs not
//! linked by `related` are grouped into clusters (union-find), one finding
//! per cluster.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;
use crate::hash::{FastMap, FastSet};
use crate::lint::codes::Rule;
use crate::lint::rules::duplicate_question::normalise;
use crate::model::Bank;

/// What `pyq rules near-duplicate` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports questions that say nearly the same thing, unless they list each other under
`related`. Each question becomes a set of tokens: words lowercased, a plural `s` dropped,
stop words removed (articles, pronouns, question words, and generic interview verbs such as
\"compare\", \"explain\", \"analyze\", \"python\"). A pair is similar when the Jaccard
similarity of the two sets (shared tokens / all tokens) is at least 0.30 and they share at
least 3 tokens, and it is reported unless `related` links the two (either side is enough).
Exact duplicates are `duplicate-question` instead.

Every such pair is found, however common its words: candidates come from an exact
similarity join (each set is indexed by its rarest tokens, with size, position and bitmap
filters that only drop pairs which cannot reach the threshold), and each candidate is then
checked exactly. The work grows with the bank and with the similar pairs found, not with
the square of the bank, and a question copied 200 times is reported with all its copies.

Similar pairs are grouped into clusters (connected groups), each reported once at its last
question in file order, naming up to 5 others (`--format json` lists all of them, in
`other_question_ids`), with the number of similar pairs and their lowest and highest
similarity. A cluster is linked through its pairs: each member is similar to at least one
other, not necessarily to all (A like B and B like C puts A and C in one cluster), and a
member that is not similar to the reported question says which one it is similar to. Two
questions are one cluster of two, reported as before: the later one, \"nearly the same as\"
the earlier.

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
and give each answer its own angle; or merge the two questions. For a cluster, merge the
questions that ask the same thing and link each remaining similar pair.";

/// Minimum Jaccard similarity of the token sets ([`THRESHOLD_RATIO`]).
pub(crate) const THRESHOLD: f64 = 0.30;
/// Minimum number of shared tokens.
pub(crate) const SHARED_MIN: usize = 3;
/// Token hashes are numbered in 2^SLICE_BITS slices of the hash space.
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
    let sets = ranked_sets(&bank.questions);
    let related = related_pairs(bank);
    let flags = Flags {
        bank,
        sets: &sets,
        related: &related,
    };
    let mut clusters = Clusters::new(bank.questions.len());
    let plan = Plan::for_sets(bank.questions.len());
    let stopped = similar_pairs(&sets, WORK_BUDGET, plan, |i, j, overlap| {
        if let Some(similarity) = flags.check(i, j, overlap) {
            clusters.join(i, j, similarity);
        }
    });
    for members in clusters.groups() {
        out.push(report(&flags, &members, clusters.stats(members[0])));
    }
    if let Some(at) = stopped {
        out.push(stopped_at(bank, at, clusters.pairs()));
    }
}

/// How many index entries the search may read: the bench bank of 100,000
/// questions reads about 43 million; a bank needs tens of millions of
/// similar pairs (thousands of copies of one question) to get here.
const WORK_BUDGET: u64 = 100_000_000;

/// The finding for a search cut short by [`WORK_BUDGET`].
fn stopped_at(bank: &Bank<'_>, at: usize, pairs: u64) -> Diagnostic {
    let q = &bank.questions[at];
    let span = q.question.as_ref().map_or(q.span, |t| t.span);
    Diagnostic::new(
        Rule::NearDuplicate,
        span,
        format!(
            "the search for near-duplicates stopped at {} after {WORK_BUDGET} comparisons ({pairs} similar pairs so far): the bank has too many similar questions to compare them all, so some are not reported",
            q.describe(at)
        ),
    )
    .label("search stopped here")
    .question(q.id_str())
    .help("merge the copies reported above (or give them distinct wording), then lint again")
}

/// Each question's token set as ranks in one global order, rarest token
/// first (by how many questions use it, then by hash), each set sorted:
/// set i is `ranks[starts[i]..starts[i + 1]]`.
struct Sets {
    ranks: Vec<u32>,
    starts: Vec<usize>,
}

impl Sets {
    fn get(&self, i: usize) -> &[u32] {
        &self.ranks[self.starts[i]..self.starts[i + 1]]
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }
}

fn ranked_sets(questions: &[crate::model::Question<'_>]) -> Sets {
    // Token hashes, both cores: set i is `tokens[starts[i]..starts[i + 1]]`.
    // Tokens are 64-bit FNV-1a hashes, so no vocabulary of strings is kept
    // (a collision could only add a shared token to a pair, never hide one).
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

    // Distinct tokens, numbered in hash order, and how many questions use
    // each: by sorting (hash, place) pairs a slice of the hash space at a
    // time, in ascending order, so only a sixteenth of the pairs (16 bytes
    // each) exists at once. `ids[k]` is the number of `tokens[k]`.
    let mut ids = vec![0u32; tokens.len()];
    let mut counts: Vec<u32> = Vec::new();
    let mut pairs: Vec<(u64, u32)> = Vec::new();
    for slice in 0..1u64 << SLICE_BITS {
        pairs.clear();
        pairs.extend(
            tokens
                .iter()
                .enumerate()
                .filter(|&(_, &t)| t >> (64 - SLICE_BITS) == slice)
                .map(|(k, &t)| (t, k as u32)),
        );
        pairs.sort_unstable();
        for (k, &(t, place)) in pairs.iter().enumerate() {
            if k == 0 || pairs[k - 1].0 != t {
                counts.push(0);
            }
            let id = counts.len() - 1;
            counts[id] += 1;
            ids[place as usize] = id as u32;
        }
    }
    drop(pairs);
    drop(tokens);

    // Rank: rarest first; ties in hash order (the numbering's), so the
    // order is total and the same on every run.
    let mut order: Vec<u64> = counts
        .iter()
        .enumerate()
        .map(|(id, &n)| u64::from(n) << 32 | id as u64)
        .collect();
    order.sort_unstable();
    let mut rank = counts;
    for (r, key) in order.iter().enumerate() {
        rank[(key & u64::from(u32::MAX)) as usize] = r as u32;
    }
    drop(order);
    let mut ranks = ids;
    for r in &mut ranks {
        *r = rank[*r as usize];
    }
    for w in starts.windows(2) {
        ranks[w[0]..w[1]].sort_unstable();
    }
    Sets { ranks, starts }
}

/// [`THRESHOLD`] as a fraction, for exact integer bounds.
const THRESHOLD_RATIO: (usize, usize) = (3, 10);

/// The fewest shared tokens a pair of sets of `a` and `b` tokens needs:
/// J >= t means overlap >= t (a + b) / (1 + t); and [`SHARED_MIN`].
fn min_overlap(a: usize, b: usize) -> usize {
    let (num, den) = THRESHOLD_RATIO;
    ((num * (a + b)).div_ceil(num + den)).max(SHARED_MIN)
}

/// The fewest tokens a partner of a set of `n` tokens can have (J is at
/// most the ratio of the sizes), which is also the fewest it shares with
/// any partner; and [`SHARED_MIN`].
fn min_partner(n: usize) -> usize {
    let (num, den) = THRESHOLD_RATIO;
    (num * n).div_ceil(den).max(SHARED_MIN)
}

/// How the search spreads over threads: each claims the next sets of the
/// visiting order until none are left, at most `chunk` at a time (fewer
/// when its sets read many entries). The pairs found do not depend on it
/// (see [`similar_pairs`]).
#[derive(Clone, Copy, Debug)]
struct Plan {
    threads: usize,
    chunk: usize,
}

impl Plan {
    /// All cores (up to 4), in chunks small enough to keep them busy to
    /// the end (later sets read longer lists); one thread for a small bank.
    fn for_sets(n: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let threads = if n < 4_096 { 1 } else { cores.clamp(1, 4) };
        Self {
            threads,
            chunk: n.div_ceil(threads * 32).max(64),
        }
    }
}

/// How many index entries a thread's chunk of sets should read at most,
/// to bound the pairs it holds before they are reported: the next chunk
/// is sized from the entries the last one read per set.
const CHUNK_WORK: u64 = 1 << 20;

/// Calls `found(earlier, later, overlap)` for every pair of questions
/// (indices, `earlier < later`) that may be a near-duplicate: every pair
/// with Jaccard similarity >= [`THRESHOLD`] and >= [`SHARED_MIN`] shared
/// tokens is among them, whatever its tokens (an exact similarity join,
/// AllPairs with PPJoin's positional filter):
///
/// - Sets are visited from the smallest. Sorted rarest token first, two
///   sets sharing at least `o` tokens share one among the first
///   `|x| - o + 1` of each (their prefixes). A set is looked up by its
///   prefix for the least overlap any partner needs ([`min_partner`]),
///   and indexed by its prefix for any larger partner (`min_overlap(|x|, |x|)`),
///   where only the sets visited after it look it up.
/// - Size filter: partners smaller than [`min_partner`] are skipped.
/// - Positional filter: a pair whose tokens so far plus what is left after
///   the current token cannot reach [`min_overlap`] is dropped.
/// - Bitmap filter (Sandes et al., 2020): a pair whose 64-bit bitmaps differ
///   in more bits than the sizes allow is dropped.
///
/// The survivors' overlap is counted exactly.
///
/// Each set's lookups read only the index entries of the sets visited
/// before it, so the whole index is built first and the lookups are spread
/// over threads ([`Plan`]), each set reading the same entries and finding
/// the same pairs as on one thread. Each chunk's pairs are reported in
/// visiting order (a chunk finished early waits for those before it), and
/// the search stops at the first set before which more than `budget`
/// entries were read, returned after the pairs of the sets before it: the
/// same calls, in the same order, and the same stop whatever the plan.
fn similar_pairs(
    sets: &Sets,
    budget: u64,
    plan: Plan,
    found: impl FnMut(usize, usize, usize) + Send,
) -> Option<usize> {
    let index = Index::new(sets);
    let end = index.order.len();
    let next = AtomicUsize::new(0);
    // Entries read by all threads: once more than `budget`, every set not
    // claimed yet comes after the stopping point.
    let read = AtomicU64::new(0);
    let stopped = AtomicBool::new(false);
    let report = Mutex::new(Report {
        found,
        next: 0,
        waiting: BTreeMap::new(),
        read: 0,
        budget,
        stop: None,
    });
    let inbox: Mutex<Vec<Chunk>> = Mutex::new(Vec::new());
    let spares: Mutex<Vec<Chunk>> = Mutex::new(Vec::new());
    let run = || {
        let mut state = State::new(&index);
        let mut own = 0u64;
        let mut size = plan.chunk.max(1);
        while !stopped.load(Ordering::Relaxed) && read.load(Ordering::Relaxed) <= budget {
            let start = next.fetch_add(size, Ordering::Relaxed);
            if start >= end {
                break;
            }
            // The buffers of a chunk reported before (large ones would
            // otherwise be mapped and unmapped each time).
            let spare = spares.lock().expect("the search does not panic").pop();
            let mut chunk = spare.unwrap_or(Chunk {
                start,
                claimed: 0,
                work: Vec::new(),
                pairs: Vec::new(),
                ends: Vec::new(),
            });
            chunk.start = start;
            chunk.claimed = size.min(end - start);
            chunk.work.clear();
            chunk.pairs.clear();
            chunk.ends.clear();
            for v in start..start + chunk.claimed {
                // The sets from here on come after the stopping point.
                if own > budget || stopped.load(Ordering::Relaxed) {
                    break;
                }
                let pairs = &mut chunk.pairs;
                let w = probe(&index, &mut state, v, &mut |i, j, o| {
                    pairs.push((i as u32, j as u32, o as u32));
                });
                own += w;
                chunk.work.push(w);
                chunk.ends.push(chunk.pairs.len());
            }
            let work: u64 = chunk.work.iter().sum();
            read.fetch_add(work, Ordering::Relaxed);
            size = (CHUNK_WORK / (work / chunk.work.len().max(1) as u64).max(1))
                .clamp(1, plan.chunk.max(1) as u64) as usize;
            inbox.lock().expect("the search does not panic").push(chunk);
            // Whoever reports takes in every chunk finished meanwhile; the
            // others go on searching instead of waiting for it (what is
            // left in the inbox is reported at the end).
            if let Ok(mut report) = report.try_lock() {
                loop {
                    let chunks = std::mem::take(&mut *inbox.lock().expect("no panic"));
                    if chunks.is_empty() {
                        break;
                    }
                    for chunk in chunks {
                        let done = report.add(chunk);
                        spares.lock().expect("no panic").extend(done);
                    }
                }
                if report.stop.is_some() {
                    stopped.store(true, Ordering::Relaxed);
                }
            }
        }
    };
    if plan.threads <= 1 {
        run();
    } else {
        std::thread::scope(|s| {
            for _ in 1..plan.threads {
                s.spawn(run);
            }
            run();
        });
    }
    let mut report = report.into_inner().expect("the search does not panic");
    for chunk in inbox.into_inner().expect("the search does not panic") {
        report.add(chunk);
    }
    let stop = report.stop.or_else(|| {
        // Claims stopped once more than `budget` entries were read: all
        // the sets before the first unclaimed one are reported.
        (report.next < end).then(|| {
            debug_assert!(report.read > budget, "a set was left out");
            report.next
        })
    });
    stop.map(|v| index.order[v] as usize)
}

/// A chunk's results: the entries each of its sets read, and the pairs
/// each found (set k's are `pairs[ends[k - 1]..ends[k]]`).
struct Chunk {
    start: usize,
    claimed: usize,
    work: Vec<u64>,
    pairs: Vec<(u32, u32, u32)>,
    ends: Vec<usize>,
}

/// Reports the chunks' pairs in visiting order, and where a search on
/// one thread would stop.
struct Report<F> {
    found: F,
    /// The first set not reported yet, and the chunks from later sets.
    next: usize,
    waiting: BTreeMap<usize, Chunk>,
    /// Entries read by the sets reported.
    read: u64,
    budget: u64,
    stop: Option<usize>,
}

impl<F: FnMut(usize, usize, usize)> Report<F> {
    /// Reports the pairs of `chunk` and of the chunks after it that were
    /// waiting for it; returns the chunks reported, for their buffers.
    fn add(&mut self, chunk: Chunk) -> Vec<Chunk> {
        if self.stop.is_some() {
            return vec![chunk];
        }
        self.waiting.insert(chunk.start, chunk);
        let mut done = Vec::new();
        while let Some(chunk) = self.waiting.remove(&self.next) {
            done.push(chunk);
            let chunk = done.last().expect("just pushed");
            for (k, &w) in chunk.work.iter().enumerate() {
                if self.read > self.budget {
                    self.stop = Some(chunk.start + k);
                    return done;
                }
                let from = if k == 0 { 0 } else { chunk.ends[k - 1] };
                for &(i, j, o) in &chunk.pairs[from..chunk.ends[k]] {
                    (self.found)(i as usize, j as usize, o as usize);
                }
                self.read += w;
            }
            self.next = chunk.start + chunk.work.len();
            if chunk.work.len() < chunk.claimed {
                // Left off because more than `budget` entries were read
                // before the next set, by this thread's sets alone or in
                // all (or a stop was found before this chunk).
                debug_assert!(self.read > self.budget, "a set was left out");
                self.stop = Some(self.next);
                return done;
            }
        }
        done
    }
}

/// The search's index: the sets of at least [`SHARED_MIN`] tokens in
/// visiting order (by size, then file order), and for each token rank the
/// sets whose index prefix holds it, in visiting order.
struct Index {
    /// The question of each position in the visiting order.
    order: Vec<u32>,
    /// The set at position `v` is `ranks[starts[v]..starts[v + 1]]`.
    ranks: Vec<u32>,
    starts: Vec<usize>,
    /// Sizes in visiting order, run-length: the sets from position
    /// `firsts[k]` to the next have `sizes[k]` tokens, the first at
    /// `ranks[bases[k]..]` (so a set is found without reading `starts`).
    firsts: Vec<u32>,
    sizes: Vec<u32>,
    bases: Vec<usize>,
    /// The entries of rank `r` are `postings[bounds[r]..bounds[r + 1]]`.
    /// Entry counts fit in u32: each is a token of a question's text.
    bounds: Vec<u32>,
    postings: Vec<Posting>,
}

/// An entry of the index: the set at position `v` of the visiting order
/// (with bitmap `bits`) holds the token, with `after` tokens after it. The
/// bitmap is copied here so the filters read the index in order instead
/// of jumping around memory; the set's size is known from `v` (sizes grow
/// along a list).
#[derive(Clone, Copy, Default)]
struct Posting {
    bits: u64,
    v: u32,
    after: u32,
}

impl Index {
    fn new(sets: &Sets) -> Self {
        let len = |i: usize| sets.get(i).len();
        let mut order: Vec<u32> = (0..sets.len() as u32)
            .filter(|&i| len(i as usize) >= SHARED_MIN)
            .collect();
        order.sort_by_key(|&i| (len(i as usize), i));
        let mut ranks = Vec::with_capacity(sets.ranks.len());
        let mut starts = Vec::with_capacity(order.len() + 1);
        let (mut firsts, mut sizes, mut bases) = (Vec::new(), Vec::new(), Vec::new());
        starts.push(0);
        for (v, &i) in order.iter().enumerate() {
            let set = sets.get(i as usize);
            if sizes.last() != Some(&(set.len() as u32)) {
                firsts.push(v as u32);
                sizes.push(set.len() as u32);
                bases.push(ranks.len());
            }
            ranks.extend_from_slice(set);
            starts.push(ranks.len());
        }
        let vocabulary = sets.ranks.iter().max().map_or(0, |&r| r as usize + 1);
        let mut bounds = vec![0u32; vocabulary + 1];
        for v in 0..order.len() {
            let set = &ranks[starts[v]..starts[v + 1]];
            for &r in &set[..index_prefix(set.len())] {
                bounds[r as usize + 1] += 1;
            }
        }
        for r in 0..vocabulary {
            bounds[r + 1] += bounds[r];
        }
        let mut postings = vec![Posting::default(); bounds[vocabulary] as usize];
        let mut fill = bounds[..vocabulary].to_vec();
        for v in 0..order.len() {
            let set = &ranks[starts[v]..starts[v + 1]];
            let bits = bitmap(set);
            for (q, &r) in set[..index_prefix(set.len())].iter().enumerate() {
                let at = &mut fill[r as usize];
                postings[*at as usize] = Posting {
                    bits,
                    v: v as u32,
                    after: (set.len() - q - 1) as u32,
                };
                *at += 1;
            }
        }
        Self {
            order,
            ranks,
            starts,
            firsts,
            sizes,
            bases,
            bounds,
            postings,
        }
    }

    fn set(&self, v: usize) -> &[u32] {
        &self.ranks[self.starts[v]..self.starts[v + 1]]
    }

    /// The size of the sets at position `v` and the first position after
    /// them with another size.
    fn size_at(&self, v: u32) -> (usize, u32) {
        let k = self.firsts.partition_point(|&f| f <= v) - 1;
        let end = self.firsts.get(k + 1).copied().unwrap_or(u32::MAX);
        (self.sizes[k] as usize, end)
    }

    /// The size of the set at position `v` and where it ends in `ranks`.
    fn end_of(&self, v: u32) -> (usize, usize) {
        let k = self.firsts.partition_point(|&f| f <= v) - 1;
        let size = self.sizes[k] as usize;
        (
            size,
            self.bases[k] + (v - self.firsts[k] + 1) as usize * size,
        )
    }

    /// The first position whose set has at least `size` tokens.
    fn first_of_size(&self, size: usize) -> u32 {
        let k = self.sizes.partition_point(|&s| (s as usize) < size);
        self.firsts
            .get(k)
            .copied()
            .unwrap_or(self.order.len() as u32)
    }
}

/// How many leading tokens of a set of `n` go into the index (enough for
/// any partner as large or larger).
fn index_prefix(n: usize) -> usize {
    n - min_overlap(n, n) + 1
}

/// How many leading tokens of a set of `n` are looked up (enough for any
/// partner).
fn probe_prefix(n: usize) -> usize {
    n - min_partner(n) + 1
}

/// A candidate dropped by the positional filter, in [`State::count`].
const DROPPED: u32 = u32::MAX;

/// A thread's bookkeeping for its lookups.
struct State {
    /// Per candidate (by position): tokens shared so far (or [`DROPPED`]),
    /// and where the last one is: the number of tokens after it in the
    /// candidate, and its position in the set looked up. Every shared token
    /// before that one lies in both prefixes, so it has been counted: the
    /// overlap is the count plus what the two sets share after it.
    count: Vec<u32>,
    last: Vec<(u32, u32)>,
    touched: Vec<u32>,
    verify: Vec<Candidate>,
    /// Per rank, where its entries large enough for the sets to come start
    /// (the size filter moves it on for good: a thread visits its sets in
    /// order).
    live: Vec<u32>,
}

impl State {
    fn new(index: &Index) -> Self {
        let n = index.order.len();
        Self {
            count: vec![0; n],
            last: vec![(0, 0); n],
            touched: Vec::new(),
            verify: Vec::new(),
            live: index.bounds[..index.bounds.len() - 1].to_vec(),
        }
    }
}

/// Looks up the set at position `y` of the visiting order and reports its
/// pairs with the sets before it; returns how many index entries it read.
fn probe(
    index: &Index,
    state: &mut State,
    y: usize,
    found: &mut impl FnMut(usize, usize, usize),
) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has `popcnt`.
        return unsafe { probe_popcnt(index, state, y, found) };
    }
    probe_with(index, state, y, found)
}

/// [`probe_with`] with the `popcnt` instruction for the bitmap filter
/// (release builds target x86-64 without it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn probe_popcnt(
    index: &Index,
    state: &mut State,
    y: usize,
    found: &mut impl FnMut(usize, usize, usize),
) -> u64 {
    probe_with(index, state, y, found)
}

#[inline(always)]
fn probe_with(
    index: &Index,
    state: &mut State,
    y: usize,
    found: &mut impl FnMut(usize, usize, usize),
) -> u64 {
    let set = index.set(y);
    let ly = set.len();
    // Size filter: every set before this position is too small.
    let smallest = index.first_of_size(min_partner(ly));
    let mine = bitmap(set);
    let mut work = 0u64;
    let State {
        count,
        last,
        touched,
        verify,
        live,
    } = state;
    let prefix = &set[..probe_prefix(ly)];
    // The lists' first entries, all at once (each list is anywhere).
    for &r in prefix {
        if let Some(first) = index.postings.get(live[r as usize] as usize) {
            prefetch(first);
        }
    }
    for (p, &r) in prefix.iter().enumerate() {
        let r = r as usize;
        let end = index.bounds[r + 1] as usize;
        let mut at = live[r] as usize;
        while at < end && index.postings[at].v < smallest {
            at += 1;
        }
        live[r] = at as u32;
        // The partner's size and `min_overlap` with it, for the sets up to
        // position `sized` (sizes repeat along a list).
        let (mut lx, mut need, mut sized) = (0, 0, 0);
        for &Posting { bits, v, after } in &index.postings[at..end] {
            // Only the sets visited before this one.
            if v as usize >= y {
                break;
            }
            if v >= sized {
                (lx, sized) = index.size_at(v);
                need = min_overlap(lx, ly);
            }
            // The first token a pair shares leaves at least `need - 1`
            // after it in both sets. Past that point, a token can only
            // add to a pair found before, and the exact count from its
            // last counted token (below) finds it: so stop reading this
            // list where that holds for every set left in it (they grow,
            // and so does `need`), and skip this set where it holds in
            // it. Either way no later token of the pair is counted, so
            // the counts the positional filter uses stay exact.
            if need + p > ly {
                break;
            }
            work += 1;
            let after = after as usize;
            if need > after + 1 {
                continue;
            }
            // Bitmap filter: each bit set in one set's bitmap and not
            // the other's stands for at least one token of the symmetric
            // difference, so it bounds the overlap. It reads only the
            // entry, so most pairs are dropped without a look elsewhere.
            let apart = (bits ^ mine).count_ones() as usize;
            if (lx + ly).saturating_sub(apart) / 2 < need {
                continue;
            }
            let c = &mut count[v as usize];
            if *c == DROPPED {
                continue;
            }
            if *c == 0 {
                touched.push(v);
            }
            let rest = after.min(ly - p - 1);
            if *c as usize + 1 + rest >= need {
                *c += 1;
                last[v as usize] = (after as u32, p as u32);
            } else {
                *c = DROPPED;
            }
        }
    }
    // The candidates left, each with the rest of its set after its last
    // counted token: fetched all at once (their sets are anywhere in
    // memory), then compared.
    verify.clear();
    for &x in touched.iter() {
        let c = std::mem::take(&mut count[x as usize]);
        if c == DROPPED {
            continue;
        }
        let (after, p) = last[x as usize];
        let (lx, end) = index.end_of(x);
        let from = end - after as usize;
        if let Some(first) = index.ranks.get(from) {
            prefetch(first);
        }
        verify.push(Candidate {
            x,
            c,
            p,
            from,
            to: end,
            need: min_overlap(lx, ly) as u32,
        });
    }
    touched.clear();
    // In the order first seen: what the callback builds does not depend
    // on it.
    for k in verify.iter() {
        let need = (k.need as usize).saturating_sub(k.c as usize);
        let xs = &index.ranks[k.from..k.to];
        let ys = &set[k.p as usize + 1..];
        if let Some(more) = overlap_at_least(xs, ys, need) {
            let (i, j) = (index.order[k.x as usize] as usize, index.order[y] as usize);
            found(i.min(j), i.max(j), k.c as usize + more);
        }
    }
    work
}

/// A candidate to compare: the set at position `x`, which shares `c`
/// tokens with the set looked up, the last at `p` there; the rest of its
/// set is `ranks[from..to]`, and the pair needs `need` shared tokens.
struct Candidate {
    x: u32,
    c: u32,
    p: u32,
    from: usize,
    to: usize,
    need: u32,
}

/// Asks the CPU to fetch `value` into the cache while other work goes on.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch has no effect beyond the cache, whatever the address.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// A set as a 64-bit bitmap, each token setting one bit picked by its rank.
fn bitmap(set: &[u32]) -> u64 {
    set.iter()
        .fold(0, |b, &r| b | 1 << (r.wrapping_mul(0x9E37_79B1) >> 26))
}

/// The rule's verdict on a pair, given its overlap.
struct Flags<'a, 'b> {
    bank: &'a Bank<'b>,
    sets: &'a Sets,
    related: &'a FastSet<(usize, usize)>,
}

impl Flags<'_, '_> {
    /// The similarity of questions `i < j` if they are near-duplicates to
    /// report: Jaccard >= [`THRESHOLD`], >= [`SHARED_MIN`] shared tokens,
    /// not linked by `related` and not the same text.
    fn check(&self, i: usize, j: usize, overlap: usize) -> Option<f64> {
        let (a, b) = (self.sets.get(i).len(), self.sets.get(j).len());
        let similarity = overlap as f64 / (a + b - overlap) as f64;
        (overlap >= SHARED_MIN
            && similarity >= THRESHOLD
            && !self.related.contains(&(i, j))
            // The same text gives the same tokens, so only identical sets
            // need the (costlier) comparison of texts.
            && !(overlap == a && a == b && same_text(self.bank, i, j)))
        .then_some(similarity)
    }

    /// [`Self::check`] for any two questions.
    fn pair(&self, i: usize, j: usize) -> Option<f64> {
        let overlap = intersection(self.sets.get(i), self.sets.get(j));
        self.check(i.min(j), i.max(j), overlap)
    }
}

/// Connected groups of near-duplicate pairs (union-find), with the number
/// of pairs and the lowest and highest similarity of each.
struct Clusters {
    parent: Vec<u32>,
    stats: Vec<Stats>,
}

#[derive(Clone, Copy)]
struct Stats {
    pairs: u64,
    min: f64,
    max: f64,
}

impl Clusters {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            stats: vec![
                Stats {
                    pairs: 0,
                    min: f64::INFINITY,
                    max: 0.0
                };
                n
            ],
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            let up = self.parent[self.parent[i] as usize];
            self.parent[i] = up;
            i = up as usize;
        }
        i
    }

    fn join(&mut self, i: usize, j: usize, similarity: f64) {
        let (a, b) = (self.root(i), self.root(j));
        // The lower index stays the root, so roots are the first members.
        let (keep, gone) = (a.min(b), a.max(b));
        let mut s = self.stats[keep];
        if keep != gone {
            self.parent[gone] = keep as u32;
            let g = self.stats[gone];
            s.pairs += g.pairs;
            s.min = s.min.min(g.min);
            s.max = s.max.max(g.max);
        }
        s.pairs += 1;
        s.min = s.min.min(similarity);
        s.max = s.max.max(similarity);
        self.stats[keep] = s;
    }

    /// The groups of two or more, each in file order, by first member.
    fn groups(&mut self) -> Vec<Vec<usize>> {
        let mut at: FastMap<usize, usize> = FastMap::default();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..self.parent.len() {
            let root = self.root(i);
            if root == i && self.stats[i].pairs == 0 {
                continue;
            }
            let g = *at.entry(root).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
        groups
    }

    /// The similar pairs found, in all groups.
    fn pairs(&self) -> u64 {
        (0..self.parent.len())
            .filter(|&i| self.parent[i] as usize == i)
            .map(|i| self.stats[i].pairs)
            .sum()
    }

    /// The statistics of the group whose first member is `first`.
    fn stats(&self, first: usize) -> Stats {
        self.stats[first]
    }
}

/// How many other members a cluster's message names and labels.
const SHOWN: usize = 5;

/// One finding per cluster, at its last member in file order (for a pair,
/// the later question: usually the one just added).
fn report(flags: &Flags<'_, '_>, members: &[usize], stats: Stats) -> Diagnostic {
    let bank = flags.bank;
    let (&i, others) = members.split_last().expect("a cluster has two members");
    let q = &bank.questions[i];
    let span = q.question.as_ref().map_or(q.span, |t| t.span);
    let describe = |k: usize| bank.questions[k].describe(k);
    let message = if let [j] = others {
        format!(
            "{} is nearly the same as {} (similarity {:.2})",
            describe(i),
            describe(*j),
            stats.max
        )
    } else {
        let mut named: Vec<String> = others.iter().take(SHOWN).map(|&k| describe(k)).collect();
        if others.len() > SHOWN {
            named.push(format!("and {} more", others.len() - SHOWN));
        }
        format!(
            "{} is nearly the same as {} other questions, directly or through one another ({} similar pairs, similarity {:.2} to {:.2}): {}",
            describe(i),
            others.len(),
            stats.pairs,
            stats.min,
            stats.max,
            named.join(", ")
        )
    };
    let mut d = Diagnostic::new(Rule::NearDuplicate, span, message)
        .label("similar question")
        .question(q.id_str())
        .others(others.iter().map(|&k| bank.questions[k].id_str()));
    for &k in others.iter().take(SHOWN) {
        let Some(t) = &bank.questions[k].question else {
            continue;
        };
        let text = if flags.pair(k, i).is_some() {
            "similar to this one".to_owned()
        } else {
            // Chained: name a member it is similar to.
            let via = members
                .iter()
                .find(|&&m| m != k && flags.pair(k, m).is_some())
                .map_or_else(String::new, |&m| format!(" {}", m + 1));
            format!("similar to question{via}")
        };
        d = d.secondary(t.span, text);
    }
    let help = match (others, others.first().and_then(|&k| bank.questions[k].id_str())) {
        ([_], Some(id)) => format!(
            "if both are wanted, add `related: [{id}]` to this question and give each answer its own angle; otherwise merge them"
        ),
        ([_], None) => "merge the two questions, or link them with `related`".to_owned(),
        _ => "merge the questions that ask the same thing (`--format json` lists them all, in `other_question_ids`); for each similar pair that is wanted, add the other's id to `related` on either side and give each answer its own angle".to_owned(),
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
    // Most banks link few questions: no index of every id for none.
    if bank.questions.iter().all(|q| q.related.is_empty()) {
        return FastSet::default();
    }
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

/// `|a ∩ b|` (both sorted) if it is at least `need`; `None` as soon as what
/// is left cannot reach it.
fn overlap_at_least(a: &[u32], b: &[u32], need: usize) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < need {
            return None;
        }
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
    (n >= need).then_some(n)
}

fn intersection(a: &[u32], b: &[u32]) -> usize {
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
/// recognised by their hash. Words of ASCII letters and digits (nearly all)
/// are lowercased, stemmed and hashed byte by byte; a word with another
/// character is read as characters.
fn push_token_hashes(text: &str, buf: &mut String, out: &mut Vec<u64>) {
    let bytes = text.as_bytes();
    let mut push = |h: u64| {
        if stop_hashes().binary_search(&h).is_err() {
            out.push(h);
        }
    };
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() && !b.is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let end = at
            + bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        if end > at && bytes.get(end).is_none_or(u8::is_ascii) {
            push(ascii_token_hash(&bytes[at..end]));
            at = end;
            continue;
        }
        // A character that is not ASCII starts or continues this word (or
        // separates words): the general path, up to the end of the word.
        let rest = &text[at..];
        let len = rest
            .char_indices()
            .find(|&(_, c)| !c.is_alphanumeric())
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            // A character that is not a letter or digit.
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let word = &rest[..len];
        buf.clear();
        buf.extend(word.chars().flat_map(char::to_lowercase));
        push(crate::hash::fnv1a(stem(buf).as_bytes()));
        at += len;
    }
}

/// The hash of the token of an ASCII word: [`stem`] of its lowercase, hashed
/// as FNV-1a without building it.
fn ascii_token_hash(word: &[u8]) -> u64 {
    use std::hash::Hasher;
    let lower = |b: &u8| b.to_ascii_lowercase();
    let n = word.len();
    let ends = |suffix: &[u8]| {
        word.len() >= suffix.len()
            && word[n - suffix.len()..]
                .iter()
                .map(lower)
                .eq(suffix.iter().copied())
    };
    let (keep, y): (usize, &[u8]) = if n > 4 && ends(b"ies") {
        (n - 3, b"y")
    } else if n > 3 && ends(b"s") && !ends(b"ss") {
        (n - 1, b"")
    } else {
        (n, b"")
    };
    let mut h = crate::hash::Fnv::default();
    for b in &word[..keep] {
        h.write(&[lower(b)]);
    }
    h.write(y);
    h.finish()
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

/// A question's words: its runs of letters and digits (what
/// [`push_token_hashes`] reads, faster).
#[cfg(test)]
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
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};
    use crate::source::SourceFile;

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

    /// A bank with one question per text (ids `q1`, `q2`, ...), each
    /// with the given `related` list (or none).
    fn bank(questions: &[(&str, &str)]) -> String {
        let mut y = String::from(
            "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\nquestions:\n",
        );
        for (i, (q, related)) in questions.iter().enumerate() {
            y.push_str(&format!(
                "  - number: {n}\n    id: q{n}\n    topic: t\n    difficulty: mid\n    question: {q}\n    answer: A.\n",
                n = i + 1
            ));
            if !related.is_empty() {
                y.push_str(&format!("    related: [{related}]\n"));
            }
        }
        y
    }

    /// The rule's findings on `yaml`, as data.
    fn findings(yaml: &str) -> Vec<Diagnostic> {
        let source = SourceFile::new(Path::new("q.yaml"), yaml.to_owned());
        let loaded = crate::load::load(&source);
        assert!(loaded.complete);
        let mut out = Vec::new();
        near_duplicate(&loaded.bank, &mut out);
        out
    }

    /// The real bank's questions, `copies` times over, as `benches/common.rs`
    /// makes it: copy k renumbered, ` [set k]` after each question, `-k`
    /// after each id and `related` id (but every answer is `A.`).
    fn replicate(bank: &str, copies: usize) -> String {
        let start = bank.find("\nquestions:\n").expect("questions") + 12;
        let (head, body) = bank.split_at(start);
        let mut out = head.to_owned();
        let mut number = 0;
        for k in 1..=copies {
            for line in body.lines() {
                if line.starts_with("  - number:") {
                    number += 1;
                    out.push_str(&format!("  - number: {number}\n"));
                } else if let Some(id) = line.strip_prefix("    id: ") {
                    out.push_str(&format!("    id: {id}-{k}\n"));
                } else if let Some(q) = line.strip_prefix("    question: ") {
                    assert!(!q.starts_with(['|', '>', '"', '\'']));
                    out.push_str(&format!("    question: {q} [set {k}]\n"));
                } else if let Some(list) = line.strip_prefix("    related: [") {
                    let ids: Vec<String> = list
                        .trim_end_matches(']')
                        .split(", ")
                        .map(|id| format!("{id}-{k}"))
                        .collect();
                    out.push_str(&format!("    related: [{}]\n", ids.join(", ")));
                } else if line.starts_with("    topic:") || line.starts_with("    difficulty:") {
                    out.push_str(line);
                    out.push('\n');
                } else if line.starts_with("    answer:") {
                    // The rule reads only the questions: short answers keep
                    // the test quick.
                    out.push_str("    answer: A.\n");
                }
            }
        }
        out
    }

    #[test]
    fn threshold_ratio_is_the_threshold() {
        let (num, den) = THRESHOLD_RATIO;
        assert_eq!(num as f64 / den as f64, THRESHOLD);
    }

    /// Issue 14: the real bank 200 times over, each question with a small
    /// edit. Every copy is flagged with all 199 twins, in one finding per
    /// cluster. Two pairs of twin groups also join: `list-append-amortized`
    /// and `list-overallocation-growth` (seed questions 9 and 33) are linked
    /// by `related` only within a copy, and `closure-return-lambda` and
    /// `lambda-type-hints` share a third token, `set`, across copies.
    #[test]
    fn replicated_real_bank_is_one_finding_per_cluster() {
        let real = include_str!("../../../questions.yaml");
        let found = findings(&replicate(real, 200));
        let base = |id: &str| id.rsplit_once('-').expect("a copy's id").0.to_owned();
        let mut clusters: Vec<(Vec<String>, usize)> = found
            .iter()
            .map(|d| {
                let id = d.question_id.as_deref().expect("an id");
                let mut bases: Vec<String> = d
                    .other_question_ids
                    .iter()
                    .map(|o| base(o.as_deref().expect("an id")))
                    .chain([base(id)])
                    .collect();
                let size = bases.len();
                bases.sort();
                bases.dedup();
                (bases, size)
            })
            .collect();
        clusters.sort();
        let groups: Vec<usize> = clusters.iter().map(|(b, _)| b.len()).collect();
        assert_eq!(found.len(), 48);
        assert_eq!(groups.iter().filter(|&&g| g == 1).count(), 46);
        for (bases, size) in &clusters {
            // Whole twin groups: every copy of each question in the cluster.
            assert_eq!(*size, 200 * bases.len(), "{bases:?}");
        }
        let joined: Vec<&Vec<String>> = clusters
            .iter()
            .map(|(b, _)| b)
            .filter(|b| b.len() > 1)
            .collect();
        assert_eq!(
            joined,
            [
                &vec![
                    "closure-return-lambda".to_owned(),
                    "lambda-type-hints".to_owned()
                ],
                &vec![
                    "list-append-amortized".to_owned(),
                    "list-overallocation-growth".to_owned()
                ],
            ]
        );
        let all: usize = clusters.iter().map(|(_, size)| size).sum();
        assert_eq!(all, 10_000);
        // Each twin group alone has 200 * 199 / 2 pairs.
        let d = found
            .iter()
            .find(|d| d.question_id.as_deref() == Some("asyncio-first-completed-200"))
            .expect("the first question's cluster");
        assert!(
            d.message.starts_with(
                "question 9951 (`asyncio-first-completed-200`) is nearly the same as 199 other questions, directly or through one another (19900 similar pairs, similarity 0.82 to 0.82): question 1 (`asyncio-first-completed-1`), question 51 (`asyncio-first-completed-2`), "
            ),
            "{}",
            d.message
        );
        assert!(d.message.ends_with(" and 194 more"), "{}", d.message);
        assert_eq!(d.secondary.len(), SHOWN);
    }

    const A: &str = "How does the garbage collector find reference cycles in containers?";
    const B: &str = "How does the cyclic garbage collector find reference cycles among objects?";
    const C: &str = "Why can the garbage collector not free reference cycles with finalizers?";

    #[test]
    fn a_cluster_is_one_finding_at_its_last_member() {
        let yaml = bank(&[(A, ""), (C, ""), ("What is a wheel?", ""), (B, "")]);
        let out = lint_rule(&yaml, Rule::NearDuplicate);
        assert_eq!(
            out,
            "q.yaml:27:15: warning[PYQ203] near-duplicate: question 4 (`q4`) is nearly the same as 2 other questions, directly or through one another (3 similar pairs, similarity 0.40 to 0.56): question 1 (`q1`), question 2 (`q2`)\n"
        );
        let found = findings(&yaml);
        let d = &found[0];
        assert_eq!(d.question_id.as_deref(), Some("q4"));
        assert_eq!(
            d.other_question_ids,
            [Some("q1".to_owned()), Some("q2".to_owned())]
        );
        let source = SourceFile::new(Path::new("q.yaml"), yaml.clone());
        let at = |span: crate::source::Span| {
            let p = source.line_col(span.start);
            (p.line, p.column)
        };
        let labels: Vec<_> = d
            .secondary
            .iter()
            .map(|l| (at(l.span), l.text.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            labels,
            [
                ((9, 15), "similar to this one"),
                ((15, 15), "similar to this one")
            ]
        );
        assert!(d.help.as_deref().is_some_and(|h| h.contains("`related`")));
    }

    #[test]
    fn a_chained_member_names_the_question_it_is_similar_to() {
        // A ~ B and B ~ D, but A and D share too little: one cluster, and
        // A's label points at B.
        let d =
            "Which objects does the cyclic garbage collector skip, and among which generations?";
        let yaml = bank(&[(A, ""), (B, ""), (d, "")]);
        let found = findings(&yaml);
        assert_eq!(found.len(), 1, "{found:?}");
        let labels: Vec<_> = found[0]
            .secondary
            .iter()
            .map(|l| l.text.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(labels, ["similar to question 2", "similar to this one"]);
    }

    #[test]
    fn related_pairs_inside_a_cluster_are_not_counted() {
        // q1 lists q3: that pair is quiet, but q2 still joins both.
        let yaml = bank(&[(A, "q3"), (C, ""), (B, "")]);
        let out = lint_rule(&yaml, Rule::NearDuplicate);
        assert!(
            out.contains("is nearly the same as 2 other questions, directly or through one another (2 similar pairs"),
            "{out}"
        );
        let found = findings(&yaml);
        let labels: Vec<_> = found[0]
            .secondary
            .iter()
            .map(|l| l.text.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(labels, ["similar to question 2", "similar to this one"]);
        // Every pair linked, either way: quiet.
        let yaml = bank(&[(A, "q2, q3"), (C, ""), (B, "q2")]);
        assert_eq!(lint_rule(&yaml, Rule::NearDuplicate), "");
    }

    #[test]
    fn a_search_over_budget_stops_with_a_finding() {
        // 400 copies of one template: 79,800 similar pairs.
        let texts: Vec<String> = (1..=400)
            .map(|i| format!("How does list append grow memory, variant {i}?"))
            .collect();
        let pairs: Vec<(&str, &str)> = texts.iter().map(|q| (q.as_str(), "")).collect();
        let yaml = bank(&pairs);
        let source = SourceFile::new(Path::new("q.yaml"), yaml.clone());
        let loaded = crate::load::load(&source);
        let sets = ranked_sets(&loaded.bank.questions);
        let (all, stopped) = candidates(&sets, u64::MAX, ONE);
        assert_eq!(stopped, None);
        assert_eq!(all.len(), 400 * 399 / 2);
        let (pairs, stopped) = candidates(&sets, 10_000, ONE);
        // Sets of one size are visited in file order, each reading the index
        // entries of the copies before it (3 tokens of its prefix are
        // shared): the search stops after about 80 of them, having found
        // every pair among those.
        let at = stopped.expect("over budget");
        assert!((70..100).contains(&at), "{at}");
        let found = pairs.len();
        assert_eq!(found, at * (at - 1) / 2);
        assert!(pairs.iter().all(|&(_, j, _)| j < at));
        // On several threads, in chunks of any size: the same pairs in the
        // same order, and the same stop.
        for threads in 2..=3 {
            for chunk in [1, 7, 50, 1000] {
                let plan = Plan { threads, chunk };
                assert_eq!(
                    candidates(&sets, 10_000, plan),
                    (pairs.clone(), Some(at)),
                    "{plan:?}"
                );
            }
        }
        let d = stopped_at(&loaded.bank, at, found as u64);
        assert_eq!(
            d.message,
            format!(
                "the search for near-duplicates stopped at question {} (`q{}`) after {WORK_BUDGET} comparisons ({found} similar pairs so far): the bank has too many similar questions to compare them all, so some are not reported",
                at + 1,
                at + 1
            )
        );
        let start = source.line_col(d.primary.span.start);
        assert_eq!((start.line, start.column), (4 + at * 6 + 5, 15));
        assert!(d.help.is_some());
    }

    /// The real bank 40 times over: on any number of threads, in chunks
    /// of any size, the search reports the same pairs in the same order as
    /// on one thread, and stops at the same set when the budget runs out.
    #[test]
    fn threads_find_what_one_thread_finds_on_a_replicated_bank() {
        let yaml = replicate(include_str!("../../../questions.yaml"), 40);
        let source = SourceFile::new(Path::new("q.yaml"), yaml);
        let loaded = crate::load::load(&source);
        let sets = ranked_sets(&loaded.bank.questions);
        for budget in [u64::MAX, 100_000, 20_000, 500] {
            let one = candidates(&sets, budget, ONE);
            if budget == u64::MAX {
                assert_eq!(one.1, None);
                // Each question's 39 copies at least.
                assert!(one.0.len() >= 2_000 * 39 / 2, "{}", one.0.len());
            }
            if budget <= 20_000 {
                assert!(one.1.is_some(), "{budget}");
            }
            for threads in 2..=4 {
                for chunk in [1, 13, 64, 5_000] {
                    let plan = Plan { threads, chunk };
                    assert!(candidates(&sets, budget, plan) == one, "{plan:?}, {budget}");
                }
            }
        }
    }

    /// Every pair of `sets` that the rule's criterion flags, by comparing
    /// all pairs.
    fn brute_force(sets: &Sets) -> Vec<(usize, usize, usize)> {
        let mut pairs = Vec::new();
        for j in 0..sets.len() {
            for i in 0..j {
                let (a, b) = (sets.get(i), sets.get(j));
                let overlap = intersection(a, b);
                let similarity = overlap as f64 / (a.len() + b.len() - overlap) as f64;
                if overlap >= SHARED_MIN && similarity >= THRESHOLD {
                    pairs.push((i, j, overlap));
                }
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// The search on one thread.
    const ONE: Plan = Plan {
        threads: 1,
        chunk: 1,
    };

    /// Every candidate of the search with `plan`, in the order found, and
    /// where it stopped.
    fn candidates(
        sets: &Sets,
        budget: u64,
        plan: Plan,
    ) -> (Vec<(usize, usize, usize)>, Option<usize>) {
        let mut pairs = Vec::new();
        let stopped = similar_pairs(sets, budget, plan, |i, j, o| pairs.push((i, j, o)));
        (pairs, stopped)
    }

    /// The candidates of the search with `plan` that the rule's criterion
    /// flags, sorted, and where it stopped.
    fn joined_with(
        sets: &Sets,
        budget: u64,
        plan: Plan,
    ) -> (Vec<(usize, usize, usize)>, Option<usize>) {
        let (mut pairs, stopped) = candidates(sets, budget, plan);
        pairs.retain(|&(i, j, overlap)| {
            let (a, b) = (sets.get(i).len(), sets.get(j).len());
            overlap >= SHARED_MIN && overlap as f64 / (a + b - overlap) as f64 >= THRESHOLD
        });
        pairs.sort_unstable();
        (pairs, stopped)
    }

    fn joined(sets: &Sets) -> Vec<(usize, usize, usize)> {
        let (pairs, stopped) = joined_with(sets, u64::MAX, ONE);
        assert_eq!(stopped, None);
        pairs
    }

    /// Random sets as the search sees them.
    fn sets_of(raw: &[std::collections::BTreeSet<u32>]) -> Sets {
        let mut ranks = Vec::new();
        let mut starts = vec![0];
        for set in raw {
            ranks.extend(set.iter().copied());
            starts.push(ranks.len());
        }
        Sets { ranks, starts }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The join finds exactly the pairs that comparing all pairs does,
        /// with the same overlaps, on random banks of small sets over a
        /// small vocabulary (so that many pairs are near the threshold and
        /// some tokens are in nearly every set).
        #[test]
        fn join_finds_every_pair_that_brute_force_does(
            raw in prop::collection::vec(prop::collection::btree_set(0u32..24, 0..14), 0..60),
        ) {
            let sets = sets_of(&raw);
            prop_assert_eq!(joined(&sets), brute_force(&sets));
        }

        /// The search spread over threads, in chunks of any size, reports
        /// the same pairs in the same order as on one thread, and stops at
        /// the same set after the same pairs when the budget runs out.
        #[test]
        fn threads_find_what_one_thread_finds(
            raw in prop::collection::vec(prop::collection::btree_set(0u32..16, 0..10), 0..80),
            threads in 2usize..5,
            chunk in 1usize..9,
            budget in prop::sample::select(vec![0u64, 1, 5, 20, 60, 150, 400, u64::MAX]),
        ) {
            let sets = sets_of(&raw);
            let plan = Plan { threads, chunk };
            prop_assert_eq!(joined_with(&sets, budget, plan), joined_with(&sets, budget, ONE));
            // All candidates, not just the flagged ones, in the same order.
            prop_assert_eq!(candidates(&sets, budget, plan), candidates(&sets, budget, ONE));
        }

        /// The same through the whole rule on random question texts: the
        /// questions it groups are the connected groups of the pairs that
        /// comparing all token sets flags.
        #[test]
        fn clusters_are_the_groups_of_brute_force_pairs(
            texts in prop::collection::vec(
                prop::collection::vec(prop::sample::select(vec![
                    "list", "lists", "dict", "cache", "hash", "the", "growth", "memory",
                    "append", "key", "set", "tuple", "copy", "deep",
                ]), 1..9),
                2..30,
            ),
        ) {
            let questions: Vec<String> = texts.iter().map(|w| w.join(" ")).collect();
            let pairs: Vec<(&str, &str)> = questions.iter().map(|q| (q.as_str(), "")).collect();
            let found = findings(&bank(&pairs));
            let mut got: Vec<Vec<String>> = found
                .iter()
                .map(|d| {
                    let mut ids: Vec<String> = d
                        .other_question_ids
                        .iter()
                        .flatten()
                        .cloned()
                        .chain(d.question_id.clone())
                        .collect();
                    ids.sort();
                    ids
                })
                .collect();
            got.sort();
            // Brute force on the string tokens.
            let sets: Vec<Vec<String>> = questions
                .iter()
                .map(|q| {
                    let mut t = tokens(q);
                    t.sort();
                    t.dedup();
                    t
                })
                .collect();
            let mut parent: Vec<usize> = (0..sets.len()).collect();
            fn root(parent: &mut [usize], mut i: usize) -> usize {
                while parent[i] != i {
                    i = parent[i];
                }
                i
            }
            for j in 0..sets.len() {
                for i in 0..j {
                    let shared = sets[i].iter().filter(|t| sets[j].contains(t)).count();
                    let union = sets[i].len() + sets[j].len() - shared;
                    let same = normalise(&questions[i]) == normalise(&questions[j]);
                    if shared >= SHARED_MIN && shared as f64 / union as f64 >= THRESHOLD && !same {
                        let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
            let mut want: Vec<Vec<String>> = Vec::new();
            for r in 0..sets.len() {
                let mut ids: Vec<String> = (0..sets.len())
                    .filter(|&i| root(&mut parent, i) == r)
                    .map(|i| format!("q{}", i + 1))
                    .collect();
                if ids.len() > 1 {
                    ids.sort();
                    want.push(ids);
                }
            }
            want.sort();
            prop_assert_eq!(got, want);
        }
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

    proptest! {
        /// The hashed tokens are the hashes of each word's characters
        /// lowercased one by one and stemmed, stop words left out, however
        /// words mix ASCII and other letters, digits and separators.
        #[test]
        fn hashed_tokens_are_the_words_hashed(text in "[a-zA-Z0-9 sSiIeE'`.(),_éÉßİ\u{3a3}\u{2160}\u{a0}\u{660}-]{0,30}") {
            let mut hashed = Vec::new();
            push_token_hashes(&text, &mut String::new(), &mut hashed);
            let expected: Vec<u64> = words(&text)
                .map(|w| {
                    let lower: String = w.chars().flat_map(char::to_lowercase).collect();
                    crate::hash::fnv1a(stem(&lower).as_bytes())
                })
                .filter(|h| stop_hashes().binary_search(h).is_err())
                .collect();
            prop_assert_eq!(hashed, expected);
        }
    }

    #[test]
    fn tokens_are_normalised() {
        assert_eq!(
            tokens("Why are the Lists' entries growing?"),
            ["list", "entry", "growing"]
        );
    }
}
