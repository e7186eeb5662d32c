//! `pyq check-code`: load → extract Python blocks → run them in parallel →
//! report failures like lint findings → `N passed, M failed, K skipped`.

use std::io::Write;
use std::time::Duration;

use crate::check_code::{self, Outcome, Runner};
use crate::cli::CheckCodeArgs;
use crate::cmd::Status;
use crate::cmd::lint::Env;
use crate::diagnostic::Severity;
use crate::emit::{self, HumanOptions, OutputFormat, concise};
use crate::error::Error;

pub fn run(
    args: &CheckCodeArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Status, Error> {
    let (source, loaded) = crate::cmd::lint::read(&args.file)?;
    if !loaded.complete {
        for d in loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            writeln!(err, "{}", concise::line(d, &source))?;
        }
        writeln!(
            err,
            "pyq: cannot check code: {} is not readable YAML (see `pyq lint`)",
            source.name()
        )?;
        return Ok(Status::Findings);
    }
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--timeout must be a positive number of seconds, not {}",
                args.timeout
            ))
        })?;
    // Blocks run in temporary folders, so a relative interpreter path (one
    // with a folder in it, unlike `python3`) is made absolute first.
    let python = if args.python.components().count() > 1 && args.python.is_relative() {
        std::env::current_dir()
            .map(|d| d.join(&args.python))
            .unwrap_or_else(|_| args.python.clone())
    } else {
        args.python.clone()
    };
    let runner = Runner { python, timeout };
    let version = runner.version()?;
    let blocks = check_code::extract(&loaded.bank, &source);
    let mut modules: Vec<String> = blocks
        .iter()
        .flat_map(|b| b.options.requires.iter().cloned())
        .collect();
    modules.sort_unstable();
    modules.dedup();
    let missing = runner.missing(&modules)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    writeln!(
        err,
        "pyq: running {} Python blocks with {} (Python {version}), {jobs} at a time",
        blocks.len(),
        args.python.display()
    )?;
    let outcomes = check_code::run_all(&blocks, &runner, jobs, &missing)?;

    let mut diagnostics = Vec::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (block, outcome) in blocks.iter().zip(&outcomes) {
        match outcome {
            Outcome::Passed => passed += 1,
            Outcome::Skipped(why) => {
                skipped += 1;
                if !block.options.fragment {
                    let q = &loaded.bank.questions[block.question];
                    let at = source.line_col(block.fence.start);
                    writeln!(
                        err,
                        "{}:{}:{}: skipped code block {} of {}: {why}",
                        source.name(),
                        at.line,
                        at.column,
                        block.ordinal,
                        q.describe(block.question)
                    )?;
                }
            }
            Outcome::Failed { .. } | Outcome::TimedOut => failed += 1,
        }
        if let Some(d) = check_code::diagnostic(block, outcome, &loaded.bank, &source, timeout) {
            diagnostics.push(d);
        }
    }
    let format = args.format.unwrap_or(if env.github_actions {
        OutputFormat::Github
    } else {
        OutputFormat::Human
    });
    if !diagnostics.is_empty() || format == OutputFormat::Json {
        let human = HumanOptions {
            color: env.stdout_is_terminal && !env.no_color,
            width: env.columns.unwrap_or(100).clamp(60, 200),
        };
        emit::emit(format, &diagnostics, &source, human, out)?;
    }
    let summary = format!("{passed} passed, {failed} failed, {skipped} skipped");
    if format == OutputFormat::Json {
        writeln!(err, "{summary}")?;
    } else {
        writeln!(out, "{summary}")?;
    }
    Ok(if failed > 0 {
        Status::Findings
    } else {
        Status::Success
    })
}
