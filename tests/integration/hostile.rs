//! Hostile and broken banks: each must give the expected rule at the
//! expected line (tests/hostile/expected.txt), exit 0 or 1 (never a panic
//! or exit 2), and finish within a time and a memory bound (peak resident
//! memory of the pyq process). Large cases are generated.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: `PYQ_BIN` (CI sets it to the release build), else
/// the test build.
fn pyq_bin() -> std::path::PathBuf {
    std::env::var_os("PYQ_BIN").map_or_else(|| env!("CARGO_BIN_EXE_pyq").into(), Into::into)
}

/// Peak memory allowed: a fixed allowance for the binary, its threads and
/// allocator, plus a multiple of the file's size.
fn memory_bound(file_bytes: u64) -> u64 {
    96 * 1024 * 1024 + 6 * file_bytes
}

/// Runs pyq with `args` to the end; returns its output and its peak
/// resident memory in bytes.
///
/// A child's `ru_maxrss` also counts the memory of the process it was
/// spawned from (Linux keeps the high-water mark across `exec`), and this
/// test process can be large while other tests run. So a small Python
/// process starts pyq and reports pyq's own peak from `os.wait4`.
pub(crate) fn run_measured(args: &[&std::ffi::OsStr]) -> (Output, u64) {
    const LAUNCHER: &str = r"
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f'\npyq-test-maxrss-kib={usage.ru_maxrss}\n')
sys.exit(os.waitstatus_to_exitcode(status))
";
    let mut output = Command::new("python3")
        .args(["-c", LAUNCHER])
        .arg(pyq_bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs (it measures pyq's memory)");
    let stderr = String::from_utf8_lossy(&std::mem::take(&mut output.stderr)).into_owned();
    let (rest, kib) = stderr
        .rsplit_once("\npyq-test-maxrss-kib=")
        .unwrap_or_else(|| panic!("no measurement: {stderr}"));
    let kib: u64 = kib.trim().parse().expect("kibibytes");
    output.stderr = rest.as_bytes().to_vec();
    (output, kib * 1024)
}

struct Finding {
    rule: String,
    line: u64,
}

/// Runs `pyq lint --format json` on `path`; returns the exit code and findings.
#[allow(clippy::print_stderr)] // the figures, when asked for (PYQ_SHOW_MEMORY)
fn lint(path: &Path, bound: Duration) -> (i32, Vec<Finding>) {
    let start = Instant::now();
    let (out, peak) = run_measured(&[
        "lint".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--no-config".as_ref(),
        path.as_os_str(),
    ]);
    let took = start.elapsed();
    // The bounds are for the release build (CI runs this file against it,
    // with PYQ_BIN); an unoptimised build is about 25x slower on a 20 MB
    // scalar (5 s of CPU against 0.2 s), so it gets four times as long.
    let bound = if std::env::var_os("PYQ_BIN").is_some() {
        bound
    } else {
        bound * 4
    };
    assert!(took < bound, "{}: took {took:?}", path.display());
    let size = std::fs::metadata(path).expect("the file").len();
    assert!(
        peak < memory_bound(size),
        "{}: peak memory {} MiB for a {size}-byte file",
        path.display(),
        peak >> 20
    );
    if std::env::var_os("PYQ_SHOW_MEMORY").is_some() {
        eprintln!(
            "{}: {} ms, {} MiB",
            path.display(),
            took.as_millis(),
            peak >> 20
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
    let code = out.status.code().expect("exit code");
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}: {stderr}",
        path.display()
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let findings = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| Finding {
            rule: d["rule"].as_str().expect("rule").to_owned(),
            line: d["line"].as_u64().expect("line"),
        })
        .collect();
    (code, findings)
}

#[test]
fn every_hostile_file_gives_the_expected_finding() {
    let dir = Path::new("tests/hostile");
    let index = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let mut checked = 0;
    for line in index
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut words = line.split_whitespace();
        let file = words.next().expect("file name");
        let (code, findings) = lint(&dir.join(file), Duration::from_secs(10));
        let shown: Vec<String> = findings
            .iter()
            .map(|f| format!("{}@{}", f.rule, f.line))
            .collect();
        for expect in words {
            if expect == "clean" {
                assert_eq!(code, 0, "{file}: {shown:?}");
                continue;
            }
            assert_eq!(code, 1, "{file}: {shown:?}");
            let (rule, at) = match expect.split_once('@') {
                Some((rule, at)) => (rule, Some(at.parse::<u64>().expect("line"))),
                None => (expect, None),
            };
            assert!(
                findings
                    .iter()
                    .any(|f| f.rule == rule && at.is_none_or(|l| f.line == l)),
                "{file}: expected {expect}, got {shown:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 40, "the corpus has {checked} files");
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn generated_hostile_files_are_findings_within_bounds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            format!("a{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &a{i} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let (_, f) = lint(&write(dir, "bomb.yaml", &bomb), Duration::from_secs(5));
    assert!(f.iter().any(|f| f.rule == "yaml-syntax"), "alias bomb");

    let deep = format!("version: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (_, f) = lint(&write(dir, "deep.yaml", &deep), Duration::from_secs(5));
    assert!(
        f.iter().any(|f| f.rule == "yaml-syntax" && f.line == 1),
        "deep nesting"
    );

    let deep_block = (0..5_000)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect::<String>();
    let (_, f) = lint(
        &write(dir, "deep-block.yaml", &deep_block),
        Duration::from_secs(5),
    );
    assert!(!f.is_empty(), "deep block nesting");

    let valid = include_str!("../fixtures/valid.yaml");
    let huge = valid.replace(
        "The variables themselves, in cells, not their values.",
        &"x".repeat(20 * 1024 * 1024),
    );
    let (code, _) = lint(
        &write(dir, "huge-scalar.yaml", &huge),
        Duration::from_secs(10),
    );
    assert_eq!(code, 0, "a 20 MB answer is large, not wrong");

    let mut many = String::from(
        "version: 1\ndeck:\n  name: Many\n  anki_deck_id: 1\n  anki_model_id: 2\ntopics:\n  t: T\nquestions:\n",
    );
    for i in 1..=10_000 {
        let topic = if i == 10_000 { "nope" } else { "t" };
        many.push_str(&format!(
            "  - number: {i}\n    id: q{i}\n    topic: {topic}\n    difficulty: mid\n    question: Question number {i} about item{i}?\n    answer: |\n      **Short answer:** {i}.\n"
        ));
    }
    let line = many
        .lines()
        .position(|l| l == "    topic: nope")
        .expect("planted error") as u64
        + 1;
    let (code, f) = lint(&write(dir, "many.yaml", &many), Duration::from_secs(10));
    assert_eq!(code, 1);
    assert!(
        f.iter()
            .any(|f| f.rule == "unknown-topic" && f.line == line),
        "the error at the end, line {line}"
    );
}
