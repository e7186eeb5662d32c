//! `pyq export`: load → render → lint (errors block; with the Markdown facts
//! rendering saw) while the exporters finish → write atomically, or compare
//! for `--check`.

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;

use crate::cli::ExportArgs;
use crate::cmd::Status;
use crate::cmd::lint::Env;
use crate::config;
use crate::diagnostic::Diagnostic;
use crate::emit::{self, HumanOptions, concise};
use crate::error::Error;
use crate::export::csv::CsvFlavor;
use crate::export::{self, Context, ExportFormat};
use crate::lint::markdown::Seen;
use crate::source::SourceFile;

pub fn run(args: &ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Status, Error> {
    // `export` has no `--format` for findings: a broken config is drawn
    // like a failure, on stderr.
    let config = config::for_command(&args.config, &args.file, |source, problems| {
        let env = Env::from_process();
        let human = HumanOptions {
            color: std::io::stderr().is_terminal() && !env.no_color,
            width: env.width(),
        };
        emit::human::emit(problems, source, human, err)
    })?;
    let (format, options, dir) = resolve(args, &config.export);
    let exporters = format.exporters(options);
    // Only the Anki export has a cache; `--check` only reads it.
    let anki = matches!(format, ExportFormat::Anki | ExportFormat::All);
    let cache = (anki && !args.no_cache)
        .then(|| export::anki::cache::Cache::for_bank(&args.file, &dir, !args.check))
        .flatten()
        .map(std::sync::Arc::new);
    // The previous files start being read while the bank loads.
    export::prepare(&exporters, &dir, cache.as_ref());
    let source = crate::cmd::lint::read(&args.file)?;
    // The lock is read while the bank loads, as `pyq lint` does.
    let (previous_lock, loaded) = std::thread::scope(|s| {
        let lock = s.spawn(|| crate::identity::lock::read_for(&args.file));
        let loaded = crate::load::load(&source);
        (
            lock.join().expect("reading the lock does not panic"),
            loaded,
        )
    });
    let previous_lock = previous_lock?;
    let lock_path = crate::identity::lock::path_for(&args.file);
    // Every export's "See also" needs the related questions (the lint does
    // not): found now, once (10,000 questions: about 10 ms).
    loaded.bank.related_both_ways();
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: dir.is_dir().then_some(dir.as_path()),
        cache: cache.clone(),
        stamp: stamp()?,
    };
    // The bank must lint clean by the project's own rule levels, so that
    // `pyq lint` and `pyq export` agree on what an error is; only the
    // rules that can make an error run (`lint::errors_seen`).
    let mut settings = crate::lint::Settings::default();
    config.lint.apply(&mut settings);
    let lint = |seen: &[Seen]| {
        crate::lint::errors_seen(&loaded, &source, &settings, previous_lock.as_ref(), seen)
    };
    // The lock records what this export publishes (lint made sure the
    // bank has a deck id); made beside the exports' last steps, as its
    // file's bytes and how many ids it lists (its map is not kept beside
    // the package being put together: 14 MB at 100,000 questions).
    let publish = || {
        crate::identity::lock::Lock::after_export(previous_lock.as_ref(), ctx.bank)
            .map(|lock| (lock.to_bytes(), lock.published.len()))
    };
    let mut lock = None;
    let produced = if loaded.complete {
        // Rendering needs only the bank, so the bank is linted once its
        // cards are rendered (with the Markdown facts rendering saw, so no
        // field is parsed twice), while the exports finish; a bank with
        // errors throws the produced files away (scratch files included)
        // and writes nothing.
        let (produced, (published, errors)) = match export::start(&exporters, &ctx, &dir) {
            Ok(started) => {
                // The fields of the cards that are not rendered (a
                // re-export's unchanged notes) are parsed meanwhile, unless
                // the previous package kept their facts.
                let rendered = export::will_render(&started, ctx.bank);
                let kept = export::kept_seen(&started, ctx.bank);
                std::thread::scope(|s| {
                    let others = s.spawn(|| Seen::parse_unrendered(ctx.bank, &rendered, &kept));
                    export::finish_then(started, ctx.bank, |seen| {
                        let mut all = others.join().expect("parsing does not panic");
                        for (i, seen) in seen.into_iter().enumerate() {
                            if rendered[i] {
                                all[i] = seen;
                            }
                        }
                        let errors = lint(&all);
                        (errors.is_empty().then(publish), errors)
                    })
                })
            }
            Err(e) => (Err(e), (None, lint(&[]))),
        };
        lock = published;
        if !errors.is_empty() {
            return refuse(&errors, &source, err);
        }
        produced
    } else {
        // A bank that could not be read whole is rendered only if its
        // findings are no errors (the settings may allow `yaml-syntax`).
        let errors = lint(&[]);
        if !errors.is_empty() {
            return refuse(&errors, &source, err);
        }
        export::start(&exporters, &ctx, &dir).and_then(|s| export::finish(s, ctx.bank))
    };
    let mut artifacts = produced?;
    let exported = artifacts.len();
    let lock = lock.unwrap_or_else(publish);
    let published = lock.map(|(bytes, ids)| {
        artifacts.push(export::Artifact {
            path: lock_path.clone(),
            content: export::Content::Bytes(bytes),
        });
        ids
    });
    if args.check {
        let stale = export::stale(&artifacts);
        for (a, why) in &stale {
            writeln!(out, "{} {why}", a.path.display())?;
        }
        let status = if stale.is_empty() {
            writeln!(
                out,
                "{} up to date{}",
                plural(exported, "export is", "exports are"),
                match published {
                    Some(_) => format!(", and so is {}", lock_path.display()),
                    None => String::new(),
                }
            )?;
            Status::Success
        } else {
            writeln!(
                out,
                "run `pyq export` to regenerate, then commit the result"
            )?;
            Status::Findings
        };
        drop(stale);
        // The process ends here: the bank and the files need not be freed.
        export::discard(artifacts);
        crate::memory::discard((previous_lock, loaded));
        crate::memory::discard(source);
        return Ok(status);
    }
    let written = export::write(artifacts, &dir)?;
    // The packages are in place: their collections go into the cache.
    if let Some(cache) = &cache {
        cache.commit();
    }
    // A file that already held what the bank produces is left as it was.
    let verb = |wrote: bool| if wrote { "wrote" } else { "unchanged:" };
    for (path, wrote) in &written[..exported] {
        writeln!(
            out,
            "{} {} ({} questions)",
            verb(*wrote),
            path.display(),
            ctx.bank.questions.len()
        )?;
    }
    if let (Some(ids), Some((path, wrote))) = (published, written.get(exported)) {
        writeln!(
            out,
            "{} {} ({} published ids)",
            verb(*wrote),
            path.display(),
            ids
        )?;
    }
    // The process ends here: the bank and the files need not be freed.
    crate::memory::discard((previous_lock, loaded));
    crate::memory::discard(source);
    Ok(Status::Success)
}

/// Reports the errors that keep a bank from being exported, as `pyq lint
/// --format concise` draws them.
fn refuse(
    errors: &[Diagnostic],
    source: &SourceFile,
    err: &mut dyn Write,
) -> Result<Status, Error> {
    for d in errors {
        writeln!(err, "{}", concise::line(d, source))?;
    }
    writeln!(
        err,
        "pyq: not exporting: {} has {} {} (see `pyq lint {}`); nothing was written",
        source.name(),
        errors.len(),
        if errors.len() == 1 { "error" } else { "errors" },
        source.name()
    )?;
    Ok(Status::Findings)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What to write and where: each flag, else its `[export]` setting in the
/// config, else the default (every format, Anki CSV, answers in
/// `<details>`, `exports/` beside the bank).
fn resolve(args: &ExportArgs, config: &config::Export) -> (ExportFormat, export::Options, PathBuf) {
    let format = args.format.or(config.format).unwrap_or(ExportFormat::All);
    let options = export::Options {
        csv_flavor: args
            .csv_flavor
            .or(config.csv_flavor)
            .unwrap_or(CsvFlavor::Anki),
        details: !args.no_details && config.details.unwrap_or(true),
    };
    (format, options, output_dir(args, config))
}

/// `-o DIR`, else `output` in the config, else `exports/` beside the bank.
fn output_dir(args: &ExportArgs, config: &config::Export) -> PathBuf {
    match args.output.as_ref().or(config.output.as_ref()) {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn export_args(flags: &[&str]) -> ExportArgs {
        let cli = Cli::try_parse_from(["pyq", "export"].iter().chain(flags)).expect("valid flags");
        match cli.command {
            Command::Export(args) => args,
            other => panic!("not export: {other:?}"),
        }
    }

    fn config() -> config::Export {
        config::Export {
            format: Some(ExportFormat::Markdown),
            output: Some(PathBuf::from("conf/out")),
            csv_flavor: Some(CsvFlavor::Plain),
            details: Some(false),
        }
    }

    #[test]
    fn defaults_without_flags_or_config() {
        let (format, options, dir) =
            resolve(&export_args(&["bank/q.yaml"]), &config::Export::default());
        assert_eq!(format, ExportFormat::All);
        assert_eq!(options.csv_flavor, CsvFlavor::Anki);
        assert!(options.details);
        assert_eq!(dir, Path::new("bank/exports"));
    }

    #[test]
    fn the_config_sets_what_the_flags_leave_alone() {
        let (format, options, dir) = resolve(&export_args(&[]), &config());
        assert_eq!(format, ExportFormat::Markdown);
        assert_eq!(options.csv_flavor, CsvFlavor::Plain);
        assert!(!options.details);
        assert_eq!(dir, Path::new("conf/out"));
    }

    #[test]
    fn flags_beat_the_config() {
        let args = export_args(&["--format", "csv", "--csv-flavor", "anki", "-o", "elsewhere"]);
        let (format, options, dir) = resolve(&args, &config());
        assert_eq!(format, ExportFormat::Csv);
        assert_eq!(options.csv_flavor, CsvFlavor::Anki);
        assert_eq!(dir, Path::new("elsewhere"));
        let details = config::Export {
            details: Some(true),
            ..config::Export::default()
        };
        assert!(!resolve(&export_args(&["--no-details"]), &details).1.details);
    }
}
