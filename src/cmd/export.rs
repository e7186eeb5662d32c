//! `pyq export`: load → lint (errors block) → render → exporters → write
//! atomically, or compare for `--check`.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::ExportArgs;
use crate::cmd::Status;
use crate::diagnostic::Severity;
use crate::emit::concise;
use crate::error::Error;
use crate::export::{self, Context};

pub fn run(args: &ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, Error> {
    let (source, loaded) = crate::cmd::lint::read(&args.file)?;
    let dir = output_dir(args);
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: dir.is_dir().then_some(dir.as_path()),
        stamp: stamp()?,
    };
    let exporters = args.format.exporters(export::Options {
        csv_flavor: args.csv_flavor,
        details: !args.no_details,
    });
    // Reading the previous files and starting the exports needs only the
    // bank, so it runs while the bank is linted; a bank with errors throws
    // the started exports away (scratch files included) and writes nothing.
    let (diagnostics, started) = std::thread::scope(|s| {
        let started = s.spawn(|| export::start(&exporters, &ctx, &dir));
        let diagnostics = crate::lint::check(&loaded, &source, &crate::lint::Settings::default());
        (
            diagnostics,
            started.join().expect("starting the exports does not panic"),
        )
    });
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        for d in &errors {
            writeln!(err, "{}", concise::line(d, &source))?;
        }
        writeln!(
            err,
            "pyq: not exporting: {} has {} {} (see `pyq lint {}`); nothing was written",
            source.name(),
            errors.len(),
            if errors.len() == 1 { "error" } else { "errors" },
            source.name()
        )?;
        return Ok(Status::Findings);
    }
    let artifacts = export::finish(started?, ctx.bank)?;
    if args.check {
        let stale = export::stale(&artifacts);
        for (a, why) in &stale {
            writeln!(out, "{} {why}", a.path.display())?;
        }
        if stale.is_empty() {
            writeln!(
                out,
                "{} up to date",
                plural(artifacts.len(), "export is", "exports are")
            )?;
            return Ok(Status::Success);
        }
        writeln!(
            out,
            "run `pyq export` to regenerate, then commit the result"
        )?;
        return Ok(Status::Findings);
    }
    export::write(&artifacts, &dir)?;
    for a in &artifacts {
        writeln!(
            out,
            "wrote {} ({} questions)",
            a.path.display(),
            ctx.bank.questions.len()
        )?;
    }
    Ok(Status::Success)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `-o DIR`, else `exports/` beside the bank.
fn output_dir(args: &ExportArgs) -> PathBuf {
    match &args.output {
        Some(dir) => dir.clone(),
        None => args
            .file
            .parent()
            .map_or_else(|| PathBuf::from("exports"), |p| p.join("exports")),
    }
}

/// Seconds for new or changed content: `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention) when set, else the current time.
fn stamp() -> Result<i64, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|_| Error::SourceDateEpoch { value }),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}
