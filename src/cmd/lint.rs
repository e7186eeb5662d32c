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
}

pub fn run(
    args: &LintArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Status, Error> {
    let settings = settings(args)?;
    let (mut source, mut loaded) = read(&args.file)?;
    let mut diagnostics = lint::check(&loaded, &source, &settings);
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
        (source, loaded) = read(&args.file)?;
        diagnostics = lint::check(&loaded, &source, &settings);
    }
    let format = args.format.unwrap_or(if env.github_actions {
        OutputFormat::Github
    } else {
        OutputFormat::Human
    });
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => env.stdout_is_terminal && !env.no_color,
    };
    let human = HumanOptions {
        color,
        width: env.columns.unwrap_or(100).clamp(60, 200),
    };
    emit::emit(format, &diagnostics, &source, human, out)?;
    Ok(status(&diagnostics))
}

/// Reads and loads a bank. A missing or unreadable file is a failure; a
/// file that is not YAML or not UTF-8 is a finding.
pub fn read(path: &Path) -> Result<(SourceFile, load::Loaded), Error> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(load::load_bytes(path, bytes))
}

fn status(diagnostics: &[Diagnostic]) -> Status {
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Status::Findings
    } else {
        Status::Success
    }
}

fn settings(args: &LintArgs) -> Result<Settings, Error> {
    let mut settings = Settings::default();
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
