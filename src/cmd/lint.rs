//! `pyq lint`: read → load → lint → (fix) → emit.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{ColorChoice, LintArgs};
use crate::cmd::Status;
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::{self, HumanOptions, OutputFormat};
use crate::error::Error;
use crate::lint::{self, Level, Rule, Settings};
use crate::load;
use crate::source::SourceFile;

/// Environment the command reads, passed in so tests can fix it.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub github_actions: bool,
    pub no_color: bool,
    pub stdout_is_terminal: bool,
    pub columns: Option<usize>,
}

impl Env {
    pub fn from_process() -> Self {
        Self {
            github_actions: std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            columns: std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()),
        }
    }

    /// The `--format` asked for, else github on GitHub Actions, else human.
    pub fn format(&self, asked: Option<OutputFormat>) -> OutputFormat {
        asked.unwrap_or(if self.github_actions {
            OutputFormat::Github
        } else {
            OutputFormat::Human
        })
    }

    /// The width of human reports: `COLUMNS`, kept between 60 and 200.
    pub fn width(&self) -> usize {
        self.columns.unwrap_or(100).clamp(60, 200)
    }
}

pub fn run(
    args: &LintArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Status, Error> {
    let format = env.format(args.format);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => env.stdout_is_terminal && !env.no_color,
    };
    let human = HumanOptions {
        color,
        width: env.width(),
    };
    let config = crate::config::for_command(&args.config, &args.file, |source, problems| {
        emit::emit(format, problems, source, human, out)?;
        out.flush()
    })?;
    let settings = settings(args, &config.lint)?;
    let mut source = read(&args.file)?;
    // The lock is read while the bank loads.
    let (lock, loaded) = std::thread::scope(|s| {
        let lock = s.spawn(|| crate::identity::lock::read_for(&args.file));
        let loaded = load::load(&source);
        (
            lock.join().expect("reading the lock does not panic"),
            loaded,
        )
    });
    let lock = lock?;
    let mut diagnostics = lint::check_with(&loaded, &source, &settings, lock.as_ref());
    crate::memory::discard(loaded);
    if args.fix && diagnostics.iter().any(|d| d.fix.is_some()) {
        let (fixed, count) = crate::fix::apply(source.text(), &diagnostics);
        if let Some(dir) = args.file.parent() {
            crate::fs::remove_stale_temp_files(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            });
        }
        let bom: &[u8] = if source.has_bom() {
            b"\xef\xbb\xbf"
        } else {
            b""
        };
        crate::fs::write_atomic(&args.file, &[bom, fixed.as_bytes()].concat())?;
        writeln!(
            err,
            "pyq: fixed {count} {} in {}",
            if count == 1 { "problem" } else { "problems" },
            args.file.display()
        )?;
        source = read(&args.file)?;
        diagnostics = lint::check_with(&load::load(&source), &source, &settings, lock.as_ref());
    }
    emit::emit(format, &diagnostics, &source, human, out)?;
    let status = status(&diagnostics);
    // The process ends here: the bank and its findings need not be freed.
    crate::memory::discard((diagnostics, source, lock));
    Ok(status)
}

/// Reads a bank's file, to [`load::load`]. A missing or unreadable file is
/// a failure; a file that is not YAML or not UTF-8 is a finding of `load`.
pub fn read(path: &Path) -> Result<SourceFile, Error> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(SourceFile::from_bytes(path, bytes))
}

fn status(diagnostics: &[Diagnostic]) -> Status {
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Status::Findings
    } else {
        Status::Success
    }
}

/// The rule levels: `[lint]` of the config first, then the command line's
/// flags, so a flag beats the file.
fn settings(args: &LintArgs, config: &crate::config::Lint) -> Result<Settings, Error> {
    let mut settings = Settings::default();
    config.apply(&mut settings);
    let rule = |name: &str| {
        Rule::from_name_or_code(name).ok_or_else(|| Error::UnknownRule {
            name: name.to_owned(),
        })
    };
    for name in &args.allow {
        settings.set(rule(name)?, Level::Allow);
    }
    for name in &args.warn {
        settings.set(rule(name)?, Level::Warn);
    }
    for name in &args.deny {
        if name == "warnings" {
            settings.deny_warnings = true;
        } else {
            settings.set(rule(name)?, Level::Deny);
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::config;

    fn lint_args(flags: &[&str]) -> LintArgs {
        let cli = Cli::try_parse_from(["pyq", "lint"].iter().chain(flags)).expect("valid flags");
        match cli.command {
            Command::Lint(args) => args,
            other => panic!("not lint: {other:?}"),
        }
    }

    #[test]
    fn flags_beat_the_config() {
        let config = config::Lint {
            allow: vec![Rule::UnusedTopic],
            warn: vec![Rule::MissingAnswer],
            deny: vec![Rule::NearDuplicate],
            deny_warnings: false,
            answers: Default::default(),
        };
        let s = settings(
            &lint_args(&["--allow", "near-duplicate", "--deny", "PYQ206"]),
            &config,
        )
        .expect("known rules");
        assert_eq!(s.severity(Rule::NearDuplicate), None);
        assert_eq!(s.severity(Rule::UnusedTopic), Some(Severity::Error));
        // What the flags leave alone keeps the config's level.
        assert_eq!(s.severity(Rule::MissingAnswer), Some(Severity::Warning));
        assert_eq!(s.severity(Rule::DuplicateId), Some(Severity::Error));
    }

    #[test]
    fn deny_warnings_comes_from_either() {
        let config = config::Lint {
            deny_warnings: true,
            ..config::Lint::default()
        };
        let s = settings(&lint_args(&[]), &config).expect("no flags");
        assert_eq!(s.severity(Rule::NearDuplicate), Some(Severity::Error));
        let s = settings(
            &lint_args(&["--deny", "warnings"]),
            &config::Lint::default(),
        )
        .expect("known");
        assert_eq!(s.severity(Rule::NearDuplicate), Some(Severity::Error));
        let s = settings(&lint_args(&[]), &config::Lint::default()).expect("no flags");
        assert_eq!(s.severity(Rule::NearDuplicate), Some(Severity::Warning));
    }
}
