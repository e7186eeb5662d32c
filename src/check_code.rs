//! `pyq check-code`: every fenced Python block in every answer runs in its
//! own fresh interpreter and must succeed (or fail exactly as declared), the
//! way `rustdoc --test` checks Rust examples.
//!
//! Info strings (the language tag stays first, so GitHub still highlights):
//! - ```` ```python ```` runs and must exit 0;
//! - ```` ```python fragment ```` (or a first line `# fragment`) is skipped;
//! - ```` ```python requires=pytest,sqlalchemy ```` is skipped, with a notice,
//!   when a module is not importable by the interpreter;
//! - ```` ```python raises=ValueError ```` passes only if the block ends with
//!   exactly that exception (dotted names such as `json.JSONDecodeError` too).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::lint::Rule;
use crate::lint::markdown::options;
use crate::model::Bank;
use crate::sandbox::{self, Ended, Limits, Resource, Sandbox};
use crate::source::{SourceFile, Span};

/// One Python block of one answer.
#[derive(Clone, Debug)]
pub struct Block {
    /// Index of the question in the bank.
    pub question: usize,
    /// 1-based number of the block within its answer.
    pub ordinal: usize,
    pub code: String,
    pub options: BlockOptions,
    /// The opening fence in the file.
    pub fence: Span,
    /// The file line of the block's first code line.
    pub first_line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockOptions {
    pub fragment: bool,
    pub requires: Vec<String>,
    pub raises: Option<String>,
}

/// How a block ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Skipped(String),
    /// Non-zero exit (or the wrong exception): the file line the traceback
    /// points at, if any, and the traceback's last lines.
    Failed {
        line: Option<usize>,
        summary: String,
        tail: String,
        /// Bytes of standard error left out before `tail`.
        dropped: u64,
    },
    /// A block ran into one of the sandbox's resource limits.
    LimitExceeded {
        resource: Resource,
        limit: u64,
        line: Option<usize>,
        tail: String,
        dropped: u64,
    },
    TimedOut,
}

/// Every Python block of every answer, in bank order.
pub fn extract(bank: &Bank<'_>, source: &SourceFile) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (question, q) in bank.questions.iter().enumerate() {
        let Some(answer) = &q.answer else { continue };
        let mut ordinal = 0;
        let mut current: Option<(BlockOptions, std::ops::Range<usize>, String)> = None;
        let value = answer.value();
        for (event, range) in Parser::new_ext(&value, options()).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    let mut words = info.split_whitespace();
                    if matches!(words.next(), Some("python" | "py" | "python3")) {
                        current = Some((parse_options(words), range, String::new()));
                    }
                }
                Event::Text(text) => {
                    if let Some((_, _, code)) = current.as_mut() {
                        code.push_str(&text);
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((mut options, range, code)) = current.take() {
                        ordinal += 1;
                        if code
                            .lines()
                            .next()
                            .is_some_and(|l| l.trim() == "# fragment")
                        {
                            options.fragment = true;
                        }
                        let fence_end = value[range.clone()]
                            .find('\n')
                            .map_or(range.end, |i| range.start + i);
                        let fence = answer.span_of(source, range.start..fence_end);
                        let fence_line = source.line_col(fence.start).line;
                        blocks.push(Block {
                            question,
                            ordinal,
                            code,
                            options,
                            fence,
                            first_line: fence_line + 1,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    blocks
}

fn parse_options<'a>(words: impl Iterator<Item = &'a str>) -> BlockOptions {
    let mut o = BlockOptions::default();
    for w in words {
        if w == "fragment" {
            o.fragment = true;
        } else if let Some(list) = w.strip_prefix("requires=") {
            o.requires
                .extend(list.split(',').filter(|m| !m.is_empty()).map(str::to_owned));
        } else if let Some(exc) = w.strip_prefix("raises=") {
            o.raises = Some(exc.to_owned());
        }
    }
    o
}

/// The interpreter and the sandbox blocks run with.
#[derive(Clone, Debug)]
pub struct Runner {
    pub python: PathBuf,
    pub timeout: Duration,
    pub sandbox: Sandbox,
    /// Values of pyq's environment that never reach a report
    /// ([`sandbox::redactions`]).
    pub redactions: Vec<(String, String)>,
}

/// How much of a block's standard error pyq keeps: its end, where the
/// traceback is.
const KEPT_STDERR: usize = 64 * 1024;

/// The end of a stream, at most [`KEPT_STDERR`] bytes of it, and how many
/// bytes came before that.
#[derive(Debug, Default)]
struct Capture {
    kept: Vec<u8>,
    dropped: u64,
}

impl Capture {
    fn push(&mut self, bytes: &[u8]) {
        self.kept.extend_from_slice(bytes);
        if self.kept.len() > 2 * KEPT_STDERR {
            let cut = self.kept.len() - KEPT_STDERR;
            self.kept.drain(..cut);
            self.dropped += cut as u64;
        }
    }

    /// The kept text (from its first whole line when some was dropped) and
    /// the number of bytes left out before it.
    fn finish(mut self) -> (String, u64) {
        if self.kept.len() > KEPT_STDERR {
            let cut = self.kept.len() - KEPT_STDERR;
            self.kept.drain(..cut);
            self.dropped += cut as u64;
        }
        if self.dropped > 0 {
            let cut = self
                .kept
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.kept.len(), |i| i + 1);
            self.kept.drain(..cut);
            self.dropped += cut as u64;
        }
        (
            String::from_utf8_lossy(&self.kept).into_owned(),
            self.dropped,
        )
    }
}

/// Reads `stream` to its end into a shared [`Capture`] on a thread of its
/// own; the channel says when it is done.
fn capture(mut stream: impl Read + Send + 'static) -> (Arc<Mutex<Capture>>, mpsc::Receiver<()>) {
    let shared = Arc::new(Mutex::new(Capture::default()));
    let (done, finished) = mpsc::channel();
    let sink = Arc::clone(&shared);
    std::thread::spawn(move || {
        let mut buf = vec![0; 64 * 1024];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => sink
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = done.send(());
    });
    (shared, finished)
}

impl Runner {
    /// The interpreter's version, which also checks that it runs at all.
    pub fn version(&self) -> Result<String, Error> {
        let out = self.python_c("import sys; print(sys.version.split()[0])", &[])?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(Error::Python {
                path: self.python.clone(),
                source: std::io::Error::other(sandbox::redact(&why, &self.redactions)),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Which of `modules` the interpreter cannot import.
    pub fn missing(&self, modules: &[String]) -> Result<Vec<String>, Error> {
        if modules.is_empty() {
            return Ok(Vec::new());
        }
        let script = "import importlib.util, sys\nprint(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))";
        let out = self.python_c(script, modules)?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect())
    }

    /// `python -I -c SCRIPT ARGS...`, standard input closed, with the
    /// blocks' environment (these scripts are pyq's own, so no sandbox).
    fn python_c(&self, script: &str, args: &[String]) -> Result<std::process::Output, Error> {
        let dir = std::env::temp_dir();
        Command::new(&self.python)
            .args(["-I", "-c", script])
            .args(args)
            .env_clear()
            .envs(self.sandbox.environment(&dir))
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Python {
                path: self.python.clone(),
                source,
            })
    }

    /// Runs one block in a fresh temporary folder, in the sandbox, stdin
    /// closed, standard error captured (its end), within the time limit.
    /// Whatever the block started ends with it.
    pub fn run(&self, block: &Block) -> Result<Outcome, Error> {
        let internal = |what: &str, e: std::io::Error| Error::Internal(format!("{what}: {e}"));
        let dir = tempfile::Builder::new()
            .prefix("pyq-block-")
            .tempdir()
            .map_err(|e| internal("temporary folder", e))?;
        for sub in ["home", "tmp"] {
            std::fs::create_dir(dir.path().join(sub))
                .map_err(|e| internal("temporary folder", e))?;
        }
        let script = dir.path().join("block.py");
        std::fs::write(&script, &block.code).map_err(|e| internal("writing the block", e))?;
        let mut child = self
            .sandbox
            .command(
                &self.python,
                &["-I".as_ref(), script.as_os_str()],
                dir.path(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Python {
                path: self.python.clone(),
                source,
            })?;
        let (captured, finished) = capture(child.stderr.take().expect("stderr is piped"));
        let started = Instant::now();
        let ended = loop {
            match sandbox::has_ended(&mut child) {
                Ok(true) => break true,
                Ok(false) => {}
                Err(e) => {
                    sandbox::kill_tree(&mut child);
                    let _ = child.wait();
                    return Err(internal("waiting for python", e));
                }
            }
            if let Some(signal) = sandbox::interrupted() {
                sandbox::kill_tree(&mut child);
                let _ = child.wait();
                return Err(Error::Interrupted(signal));
            }
            if started.elapsed() >= self.timeout {
                break false;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Whatever is left of the tree (only outside a PID namespace) ends
        // with the block; then its standard error closes.
        sandbox::kill_tree(&mut child);
        let status = child
            .wait()
            .map_err(|e| internal("waiting for python", e))?;
        if !ended {
            return Ok(Outcome::TimedOut);
        }
        let _ = finished.recv_timeout(Duration::from_secs(2));
        let capture = std::mem::take(&mut *captured.lock().unwrap_or_else(PoisonError::into_inner));
        let (stderr, dropped) = capture.finish();
        let stderr = sandbox::redact(&stderr, &self.redactions);
        let ended = Ended::of(status);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let last = shorten(last);
        let line = || traceback_line(&stderr, &script).map(|n| block.first_line + n - 1);
        let failed = |summary: String| Outcome::Failed {
            line: line(),
            summary,
            tail: tail(&stderr, &script),
            dropped,
        };
        let outcome = match (&block.options.raises, status.success()) {
            (None, true) => Outcome::Passed,
            (Some(exc), false) if raised(&last, exc) => Outcome::Passed,
            (Some(exc), true) => Outcome::Failed {
                line: None,
                summary: format!("expected {exc}, but the block finished without an exception"),
                tail: String::new(),
                dropped: 0,
            },
            (raises, false) => {
                if let Some((resource, limit)) =
                    limit_hit(ended, &last, &stderr, &self.sandbox.limits)
                {
                    Outcome::LimitExceeded {
                        resource,
                        limit,
                        line: line(),
                        tail: tail(&stderr, &script),
                        dropped,
                    }
                } else {
                    let ending = match ended {
                        Ended::Signal(sig) => format!("killed by {}", Ended::signal_name(sig)),
                        Ended::Exit(code) => format!("exit status {code}"),
                    };
                    failed(match raises {
                        Some(exc) => format!(
                            "expected {exc}, got: {}",
                            if last.is_empty() { &ending } else { &last }
                        ),
                        None if last.is_empty() => ending,
                        None => last.clone(),
                    })
                }
            }
        };
        Ok(outcome)
    }
}

/// At most 300 characters of a line, for a finding's message.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

/// The resource limit a failed block ran into, if its ending says so: the
/// signal of the CPU and file size limits, or Python's exception for
/// memory, file size, open files (EMFILE) and processes (EAGAIN from fork).
fn limit_hit(ended: Ended, last: &str, stderr: &str, limits: &Limits) -> Option<(Resource, u64)> {
    let resource = ended.limit_signal().or_else(|| {
        let exception = last.split(':').next().unwrap_or("");
        if exception == "MemoryError" {
            Some(Resource::Memory)
        } else if last.contains("[Errno 27] File too large") {
            Some(Resource::FileSize)
        } else if last.contains("[Errno 24] Too many open files") {
            Some(Resource::OpenFiles)
        } else if last.contains("[Errno 11] Resource temporarily unavailable")
            && stderr.contains("fork")
        {
            Some(Resource::Processes)
        } else {
            None
        }
    })?;
    Some((resource, limits.get(resource)?))
}

/// The help of a failed block: the end of its traceback, then `advice`.
fn traceback_help(tail: &str, dropped: u64, advice: &str) -> String {
    let mut help = String::new();
    if !tail.is_empty() {
        help.push_str("the traceback ends");
        if dropped > 0 {
            help.push_str(&format!(
                " ({dropped} earlier bytes of its standard error left out)"
            ));
        }
        help.push_str(":\n");
        help.push_str(tail);
        help.push('\n');
    }
    help.push_str(advice);
    help
}

/// Whether the traceback's last line is the exception `exc`.
fn raised(last: &str, exc: &str) -> bool {
    let name = last.split(':').next().unwrap_or("");
    name == exc || name.rsplit('.').next() == Some(exc) || exc.rsplit('.').next() == Some(name)
}

/// The line of `block.py` where the traceback ends up (its last frame in the
/// block, or the line a `SyntaxError` names).
fn traceback_line(stderr: &str, script: &Path) -> Option<usize> {
    let marker = format!("File \"{}\", line ", script.display());
    stderr
        .lines()
        .rev()
        .filter_map(|l| l.trim_start().strip_prefix(&marker))
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .next()
}

/// The traceback's last lines (each at most 300 characters), with the
/// temporary path shortened.
fn tail(stderr: &str, script: &Path) -> String {
    let shown = stderr.replace(&script.display().to_string(), "block.py");
    let lines: Vec<String> = shown
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(shorten)
        .collect();
    lines[lines.len().saturating_sub(6)..].join("\n")
}

/// Runs `blocks` on `jobs` threads; results in block order. Blocks whose
/// requirements are missing are skipped (listed in `missing`).
pub fn run_all(
    blocks: &[Block],
    runner: &Runner,
    jobs: usize,
    missing: &[String],
) -> Result<Vec<Outcome>, Error> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Outcome, Error>>>> =
        Mutex::new((0..blocks.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(blocks.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(block) = blocks.get(i) else { break };
                    let outcome = if let Some(signal) = sandbox::interrupted() {
                        Err(Error::Interrupted(signal))
                    } else if block.options.fragment {
                        Ok(Outcome::Skipped("marked as a fragment".to_owned()))
                    } else if let Some(m) =
                        block.options.requires.iter().find(|m| missing.contains(m))
                    {
                        Ok(Outcome::Skipped(format!(
                            "requires `{m}`, which {} cannot import",
                            runner.python.display()
                        )))
                    } else {
                        runner.run(block)
                    };
                    results.lock().expect("no panics while holding the lock")[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no panics while holding the lock")
        .into_iter()
        .map(|r| r.expect("every block was run"))
        .collect()
}

/// A finding for a block that failed or timed out.
pub fn diagnostic(
    block: &Block,
    outcome: &Outcome,
    bank: &Bank<'_>,
    source: &SourceFile,
    timeout: Duration,
) -> Option<Diagnostic> {
    let q = &bank.questions[block.question];
    let who = format!(
        "code block {} of {}",
        block.ordinal,
        q.describe(block.question)
    );
    let line_span = |line: usize| {
        let text = source.line_text(line);
        let start = source.offset_of(line, 0) + (text.len() - text.trim_start().len());
        Span::new(start, start + text.trim().len())
    };
    let at = |line: Option<usize>, message: String| match line {
        Some(l) if l >= block.first_line => Diagnostic::new(Rule::CodeFails, line_span(l), message)
            .label("fails here")
            .secondary(block.fence, "in this block"),
        _ => Diagnostic::new(Rule::CodeFails, block.fence, message).label("this block"),
    };
    let d = match outcome {
        Outcome::Passed | Outcome::Skipped(_) => return None,
        Outcome::TimedOut => Diagnostic::new(Rule::CodeFails, block.fence, format!("{who} did not finish within {} s", timeout.as_secs_f64()))
            .label("this block")
            .help("make it finish quickly (no sleeps, no network, no input), raise `--timeout`, or mark it `python fragment`"),
        Outcome::Failed { line, summary, tail, dropped } => at(*line, format!("{who} fails: {summary}"))
            .help(traceback_help(tail, *dropped, "fix the code; mark it `python fragment` if it cannot run on its own, or `python raises=Error` if failing is the point")),
        Outcome::LimitExceeded { resource, limit, line, tail, dropped } => at(*line, format!("{who} exceeded {}", resource.describe(*limit)))
            .help(traceback_help(tail, *dropped, &format!("make the block use less, or raise the limit: `--limit {}=...` or `{} = ...` under `[check-code.limits]` in pyq.toml (docs/limits.md)", resource.key(), resource.key()))),
    };
    Some(d.question(q.id_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let o =
            parse_options("fragment requires=a,b raises=json.JSONDecodeError".split_whitespace());
        assert!(o.fragment);
        assert_eq!(o.requires, ["a", "b"]);
        assert_eq!(o.raises.as_deref(), Some("json.JSONDecodeError"));
    }

    #[test]
    fn exception_names_match() {
        assert!(raised("ValueError: bad", "ValueError"));
        assert!(raised("json.decoder.JSONDecodeError: x", "JSONDecodeError"));
        assert!(raised("JSONDecodeError: x", "json.JSONDecodeError"));
        assert!(!raised("KeyError: 'a'", "ValueError"));
        assert!(!raised("ValueErrorX", "ValueError"));
    }

    #[test]
    fn a_capture_keeps_the_end_from_a_whole_line_and_counts_the_rest() {
        let mut c = Capture::default();
        c.push(b"first line\n");
        c.push(b"second\n");
        assert_eq!(c.finish(), ("first line\nsecond\n".to_owned(), 0));
        let mut c = Capture::default();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..8 {
            c.push(&chunk);
            assert!(c.kept.len() <= 2 * KEPT_STDERR + (1 << 20));
        }
        c.push(b"\nlast words\n");
        let (text, dropped) = c.finish();
        assert_eq!(text, "last words\n");
        assert_eq!(dropped, 8 << 20 | 1);
    }

    #[test]
    fn limits_are_recognised_from_the_ending() {
        let limits = Limits::default();
        let hit = |ended, last: &str, stderr: &str| limit_hit(ended, last, stderr, &limits);
        assert_eq!(
            hit(Ended::Exit(1), "MemoryError", ""),
            Some((Resource::Memory, 512 << 20))
        );
        assert_eq!(
            hit(
                Ended::Exit(1),
                "OSError: [Errno 24] Too many open files: 'f'",
                ""
            )
            .map(|h| h.0),
            Some(Resource::OpenFiles)
        );
        assert_eq!(
            hit(
                Ended::Exit(1),
                "BlockingIOError: [Errno 11] Resource temporarily unavailable",
                "    pid = os.fork()"
            )
            .map(|h| h.0),
            Some(Resource::Processes)
        );
        assert_eq!(
            hit(
                Ended::Exit(1),
                "BlockingIOError: [Errno 11] Resource temporarily unavailable",
                "sock.recv(1)"
            ),
            None
        );
        assert_eq!(hit(Ended::Exit(1), "ValueError: MemoryError", ""), None);
        #[cfg(unix)]
        assert_eq!(
            hit(Ended::Signal(libc::SIGXCPU), "", "").map(|h| h.0),
            Some(Resource::CpuTime)
        );
        let mut off = Limits::default();
        off.set(Resource::Memory, None);
        assert_eq!(limit_hit(Ended::Exit(1), "MemoryError", "", &off), None);
    }

    #[test]
    fn traceback_lines() {
        let script = Path::new("/tmp/x/block.py");
        let err = "Traceback (most recent call last):\n  File \"/tmp/x/block.py\", line 3, in <module>\n    f()\n  File \"/tmp/x/block.py\", line 2, in f\n    1/0\nZeroDivisionError: division by zero\n";
        assert_eq!(traceback_line(err, script), Some(2));
        assert_eq!(
            tail(err, script).lines().next(),
            Some("Traceback (most recent call last):")
        );
        assert!(tail(err, script).contains("File \"block.py\", line 2"));
    }
}
