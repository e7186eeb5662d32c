//! `pyq export`'s errors-only lint (`lint::errors_with`) finds exactly the
//! error-level findings of the full lint (`lint::check_with`), in the same
//! order, on every bank the tests have, under settings that move rules
//! between allow, warn and deny; and `pyq export` refuses exactly the banks
//! that `pyq lint` finds errors in, with the same lines.

use std::path::{Path, PathBuf};

use pyq::diagnostic::{Diagnostic, Severity};
use pyq::lint::markdown::Seen;
use pyq::lint::settings::Answers;
use pyq::lint::{Level, Rule, Settings};
use pyq::source::SourceFile;

const VALID: &str = include_str!("../fixtures/valid.yaml");

/// Every YAML file under the tests' folders that is a bank or tries to be
/// one (hostile files, fixtures, the CLI cases' banks, fuzz finds), and
/// the repository's own bank.
fn bank_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("questions.yaml")];
    let mut add_dir = |dir: PathBuf, all: bool| {
        let mut found: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_file() && (all || p.extension().is_some_and(|x| x == "yaml")))
            .collect();
        found.sort();
        files.extend(found);
    };
    add_dir(root.join("tests/hostile"), false);
    add_dir(root.join("tests/fixtures"), false);
    add_dir(root.join("tests/fuzz/load_lint"), true);
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/cmd"))
        .expect("tests/cmd")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        add_dir(case, false);
    }
    files
}

/// Banks made to have what the rules that `errors_with` may skip look for:
/// near duplicates, writing-rule findings, bold dunders, raw HTML, and
/// suppression comments that silence errors and warnings, silence nothing,
/// or cannot be read.
fn made_banks() -> Vec<(&'static str, String)> {
    let near = VALID.replace(
        "question: What does a closure capture from the enclosing function?",
        "question: How much spare room does CPython give a growing list, roughly?",
    );
    let suppressed = VALID
        .replace("topic: closures", "topic: nope")
        .replace(
            "answer: The variables themselves, in cells, not their values.",
            "answer: TODO",
        )
        .replacen(
            "  - number: 3\n",
            "  # pyq: allow unknown-topic, missing-answer -- testing\n  - number: 3\n",
            1,
        )
        .replacen(
            "  - number: 1\n",
            "  # pyq: allow near-duplicate -- testing\n  # pyq: allow raw-html\n  # pyq: frobnicate\n  - number: 1\n",
            1,
        );
    let markdown = VALID.replace(
        "answer: |\n",
        "answer: |\n      Calls __init__ and <b>bold</b> and <script>x</script>, [a](javascript:alert(1)).\n\n      ```python\n      unclosed = True\n\n",
    );
    let short = VALID.replace(
        "answer: The variables themselves, in cells, not their values.",
        "answer: TODO",
    );
    vec![
        ("near-duplicates", near),
        ("suppressions", suppressed.clone()),
        (
            "suppressed-errors",
            suppressed.replace("topic: lists", "topic: nope"),
        ),
        ("markdown", markdown.clone()),
        (
            "markdown-suppressed",
            markdown.replace(
                "  - number: 2\n",
                "  # pyq: allow unclosed-code-fence, dunder-outside-code, raw-html -- testing\n  - number: 2\n",
            ),
        ),
        ("short-answers", short),
    ]
}

fn writing_rules() -> Answers {
    Answers {
        lead: Some("**Short answer:**".to_owned()),
        lead_max_words: Some(12),
        lead_one_sentence: true,
        prose_words: Some((25, 60)),
        max_code_blocks: Some(1),
        max_code_lines: Some(3),
        max_code_width: Some(30),
        require_code_language: true,
    }
}

/// Settings that move each kind of rule to error and away from it.
fn settings_variants() -> Vec<(&'static str, Settings)> {
    let with = |f: &dyn Fn(&mut Settings)| {
        let mut s = Settings::default();
        f(&mut s);
        s
    };
    vec![
        ("default", Settings::default()),
        ("writing rules", with(&|s| s.answers = writing_rules())),
        (
            "writing rules, deny warnings",
            with(&|s| {
                s.answers = writing_rules();
                s.deny_warnings = true;
            }),
        ),
        (
            "deny some warnings",
            with(&|s| {
                s.answers = writing_rules();
                for rule in [
                    Rule::NearDuplicate,
                    Rule::DunderOutsideCode,
                    Rule::RawHtml,
                    Rule::ProseLength,
                    Rule::UnusedTopic,
                    Rule::InvalidSuppression,
                    Rule::EmptyBank,
                ] {
                    s.set(rule, Level::Deny);
                }
            }),
        ),
        (
            "no Markdown errors",
            with(&|s| {
                for rule in [Rule::UnclosedCodeFence, Rule::UnsafeHtml] {
                    s.set(rule, Level::Allow);
                }
                for rule in [Rule::MissingAnswer, Rule::UnknownTopic, Rule::Numbering] {
                    s.set(rule, Level::Warn);
                }
            }),
        ),
        (
            "only a writing rule",
            with(&|s| {
                s.answers = writing_rules();
                for rule in Rule::ALL {
                    s.set(rule, Level::Allow);
                }
                s.set(Rule::CodeLineTooLong, Level::Deny);
            }),
        ),
        (
            "deny unused-suppression",
            with(&|s| s.set(Rule::UnusedSuppression, Level::Deny)),
        ),
        ("deny warnings", with(&|s| s.deny_warnings = true)),
    ]
}

fn errors(all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    all.into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn assert_same_errors(name: &str, source: &SourceFile, lock: Option<&pyq::identity::lock::Lock>) {
    let loaded = pyq::load::load(source);
    // What `pyq export` gives its lint: the Markdown facts seen while
    // rendering every card; or, on a re-export, of some cards, the others
    // parsed beside.
    let n = loaded.bank.questions.len();
    let rendered: Vec<Seen> = pyq::render::cards(&loaded.bank)
        .into_iter()
        .map(|c| c.seen)
        .collect();
    assert_eq!(rendered.len(), n, "{name}");
    assert!(rendered.iter().all(|s| *s != Seen::NotRendered), "{name}");
    let some: Vec<bool> = (0..n).map(|i| i % 3 == 1).collect();
    let mut mixed = Seen::parse_unrendered(&loaded.bank, &some, &[]);
    for (i, seen) in mixed.iter_mut().enumerate() {
        if some[i] {
            assert_eq!(*seen, Seen::NotRendered);
            seen.clone_from(&rendered[i]);
        } else {
            assert_eq!(
                *seen, rendered[i],
                "{name}: question {i} parsed as rendered"
            );
        }
    }
    for (what, settings) in settings_variants() {
        let full = errors(pyq::lint::check_with(&loaded, source, &settings, lock));
        let fast = pyq::lint::errors_with(&loaded, source, &settings, lock);
        assert_eq!(fast, full, "{name}, settings: {what}");
        let seen = pyq::lint::errors_seen(&loaded, source, &settings, lock, &rendered);
        assert_eq!(seen, full, "{name}, settings: {what}, facts from rendering");
        let seen = pyq::lint::errors_seen(&loaded, source, &settings, lock, &mixed);
        assert_eq!(
            seen, full,
            "{name}, settings: {what}, facts from some cards"
        );
    }
}

#[test]
fn errors_only_lint_finds_the_full_lints_errors_on_every_test_bank() {
    let files = bank_files();
    assert!(files.len() > 90, "{} banks", files.len());
    for path in files {
        let source = SourceFile::from_bytes(&path, std::fs::read(&path).expect("read a bank"));
        let lock = pyq::identity::lock::read_for(&path).ok().flatten();
        assert_same_errors(&path.display().to_string(), &source, lock.as_ref());
    }
}

#[test]
fn errors_only_lint_finds_the_full_lints_errors_on_made_banks() {
    for (name, text) in made_banks() {
        let source = SourceFile::new(Path::new("q.yaml"), text);
        assert_same_errors(name, &source, None);
    }
    // The made banks do hold what they are made for, so the comparison
    // above covers rules that the errors-only lint skips by default.
    let rules_found = |text: &str, settings: &Settings| -> Vec<Rule> {
        let source = SourceFile::new(Path::new("q.yaml"), text.to_owned());
        let found = pyq::lint::check_with(&pyq::load::load(&source), &source, settings, None);
        found.into_iter().map(|d| d.rule).collect()
    };
    let mut settings = Settings::default();
    settings.answers = writing_rules();
    let found: Vec<Rule> = made_banks()
        .iter()
        .flat_map(|(_, text)| rules_found(text, &settings))
        .collect();
    for rule in [
        Rule::NearDuplicate,
        Rule::UnknownTopic,
        Rule::MissingAnswer,
        Rule::UnclosedCodeFence,
        Rule::DunderOutsideCode,
        Rule::UnsafeHtml,
        Rule::RawHtml,
        Rule::ProseLength,
        Rule::CodeLineTooLong,
        Rule::UnusedSuppression,
        Rule::InvalidSuppression,
    ] {
        assert!(found.contains(&rule), "no made bank has {}", rule.name());
    }
    // A silenced error stays silenced in the errors-only lint.
    let (_, suppressed) = &made_banks()[1];
    let source = SourceFile::new(Path::new("q.yaml"), suppressed.clone());
    let loaded = pyq::load::load(&source);
    let fast = pyq::lint::errors_with(&loaded, &source, &Settings::default(), None);
    assert!(fast.is_empty(), "{fast:?}");
}

/// Runs the pyq under test in `dir`.
fn pyq(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pyq"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .output()
        .expect("run pyq")
}

/// `pyq export` refuses a bank exactly when `pyq lint` finds an error in
/// it, printing `pyq lint --format concise`'s error lines, and writes
/// nothing then; the hostile files cover banks that load whole (linted
/// while they render) and banks that do not.
#[test]
fn export_refuses_exactly_the_banks_lint_finds_errors_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut banks: Vec<(String, String)> = std::fs::read_dir(root.join("tests/hostile"))
        .expect("tests/hostile")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            )
        })
        .collect();
    banks.sort();
    banks.extend(
        made_banks()
            .into_iter()
            .map(|(name, text)| (format!("{name}.yaml"), text)),
    );
    let (mut refused, mut exported) = (0, 0);
    for (name, text) in banks {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("questions.yaml"), &text).expect("write the bank");
        let lint = pyq(
            dir.path(),
            &["lint", "--format", "concise", "questions.yaml"],
        );
        let lint_errors: String = String::from_utf8_lossy(&lint.stdout)
            .lines()
            .filter(|l| l.contains(": error["))
            .map(|l| format!("{l}\n"))
            .collect();
        let export = pyq(dir.path(), &["export", "questions.yaml", "-o", "out"]);
        let stderr = String::from_utf8_lossy(&export.stderr);
        if lint_errors.is_empty() {
            assert_eq!(export.status.code(), Some(0), "{name}: {stderr}");
            assert!(dir.path().join("out").is_dir(), "{name}");
            exported += 1;
        } else {
            let n = lint_errors.lines().count();
            let expected = format!(
                "{lint_errors}pyq: not exporting: questions.yaml has {n} {} (see `pyq lint questions.yaml`); nothing was written\n",
                if n == 1 { "error" } else { "errors" }
            );
            assert_eq!(export.status.code(), Some(1), "{name}: {stderr}");
            assert_eq!(stderr, expected, "{name}");
            assert!(export.stdout.is_empty(), "{name}");
            assert!(!dir.path().join("out").exists(), "{name}: wrote files");
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(left, ["questions.yaml"], "{name}: wrote files");
            refused += 1;
        }
    }
    assert!(
        refused > 40 && exported > 3,
        "{refused} refused, {exported} exported"
    );
}
