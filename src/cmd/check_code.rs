//! `pyq check-code`: load → extract Python blocks → run them in parallel →
//! report failures like lint findings → `N passed, M failed, K skipped`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::check_code::{self, Outcome, Runner};
use crate::cli::CheckCodeArgs;
use crate::cmd::Status;
use crate::cmd::lint::Env;
use crate::config;
use crate::diagnostic::Severity;
use crate::emit::{self, HumanOptions, OutputFormat, concise};
use crate::error::Error;
use crate::sandbox::{self, Limits, Sandbox};

pub fn run(
    args: &CheckCodeArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Status, Error> {
    let format = env.format(args.format);
    let human = HumanOptions {
        color: env.stdout_is_terminal && !env.no_color,
        width: env.width(),
    };
    let config = config::for_command(&args.config, &args.file, |source, problems| {
        emit::emit(format, problems, source, human, out)?;
        out.flush()
    })?;
    let (interpreter, timeout, jobs) = resolve(args, &config.check_code);
    let source = crate::cmd::lint::read(&args.file)?;
    let loaded = crate::load::load(&source);
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
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--timeout must be a positive number of seconds, not {timeout}"
            ))
        })?;
    // Blocks run in temporary folders, so a relative interpreter path (one
    // with a folder in it, unlike `python3`) is made absolute first.
    let python = if interpreter.components().count() > 1 && interpreter.is_relative() {
        std::env::current_dir()
            .map(|d| d.join(&interpreter))
            .unwrap_or_else(|_| interpreter.clone())
    } else {
        interpreter.clone()
    };
    let (sandbox, pass_env) = sandbox_settings(args, &config.check_code);
    let (sandbox, notice) = Sandbox::new(sandbox.0, sandbox.1, &pass_env);
    if let Some(notice) = notice {
        writeln!(err, "{notice}")?;
    }
    sandbox::protect_self();
    let runner = Runner {
        python,
        timeout,
        sandbox,
        redactions: sandbox::redactions(&pass_env),
    };
    let version = runner.version()?;
    let blocks = check_code::extract(&loaded.bank, &source);
    let mut modules: Vec<String> = blocks
        .iter()
        .flat_map(|b| b.options.requires.iter().cloned())
        .collect();
    modules.sort_unstable();
    modules.dedup();
    let missing = runner.missing(&modules)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    writeln!(
        err,
        "pyq: running {} Python blocks with {} (Python {version}), {jobs} at a time",
        blocks.len(),
        interpreter.display()
    )?;
    sandbox::catch_interrupts();
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
            Outcome::Failed { .. } | Outcome::LimitExceeded { .. } | Outcome::TimedOut => {
                failed += 1;
            }
        }
        if let Some(d) = check_code::diagnostic(block, outcome, &loaded.bank, &source, timeout) {
            diagnostics.push(d);
        }
    }
    if !diagnostics.is_empty() || format == OutputFormat::Json {
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

/// The interpreter, the time limit in seconds and the number of jobs: each
/// flag, else its `[check-code]` setting in the config, else the default
/// (`python3`, 10 s, every core).
fn resolve(args: &CheckCodeArgs, config: &config::CheckCode) -> (PathBuf, f64, Option<usize>) {
    let python = args
        .python
        .clone()
        .or_else(|| config.python.clone())
        .unwrap_or_else(|| PathBuf::from("python3"));
    let timeout = args.timeout.or(config.timeout).unwrap_or(10.0);
    (python, timeout, args.jobs.or(config.jobs))
}

/// The limits (defaults, then `[check-code.limits]`, then `--limit`s),
/// whether the network is allowed, and the variables handed to blocks
/// (the config's and the flags').
fn sandbox_settings(
    args: &CheckCodeArgs,
    config: &config::CheckCode,
) -> ((Limits, bool), Vec<String>) {
    let mut limits = Limits::default();
    for &(resource, limit) in config.limits.iter().chain(&args.limits) {
        limits.set(resource, limit);
    }
    let network = args.allow_network || config.allow_network == Some(true);
    let mut pass_env: Vec<String> = config
        .pass_env
        .iter()
        .chain(&args.pass_env)
        .cloned()
        .collect();
    pass_env.sort_unstable();
    pass_env.dedup();
    ((limits, network), pass_env)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn check_code_args(flags: &[&str]) -> CheckCodeArgs {
        let cli =
            Cli::try_parse_from(["pyq", "check-code"].iter().chain(flags)).expect("valid flags");
        match cli.command {
            Command::CheckCode(args) => args,
            other => panic!("not check-code: {other:?}"),
        }
    }

    #[test]
    fn flags_beat_the_config_which_beats_the_defaults() {
        let config = config::CheckCode {
            python: Some(PathBuf::from("conf/venv/bin/python")),
            timeout: Some(3.0),
            jobs: Some(1),
            ..config::CheckCode::default()
        };
        assert_eq!(
            resolve(&check_code_args(&[]), &config::CheckCode::default()),
            (PathBuf::from("python3"), 10.0, None)
        );
        assert_eq!(
            resolve(&check_code_args(&[]), &config),
            (PathBuf::from("conf/venv/bin/python"), 3.0, Some(1))
        );
        assert_eq!(
            resolve(
                &check_code_args(&["--python", "python3.13", "--timeout", "30", "--jobs", "4"]),
                &config
            ),
            (PathBuf::from("python3.13"), 30.0, Some(4))
        );
    }
}
