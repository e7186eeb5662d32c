//! `pyq diff`: load two versions of a bank (one may come from git) and
//! print what changed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::{DiffArgs, DiffFormat};
use crate::cmd::Status;
use crate::diff::Diff;
use crate::error::Error;
use crate::load::{self, Loaded};

pub fn run(args: &DiffArgs, out: &mut dyn Write) -> Result<Status, Error> {
    let (old, new) = match (&args.since, args.files.as_slice()) {
        (Some(rev), [] | [_]) => {
            let file = args
                .files
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("questions.yaml"));
            let new = read(&file)?;
            let old = at_revision(&file, rev)?;
            (old, new)
        }
        (Some(_), _) => {
            return Err(Error::Usage(
                "with `--since`, give at most one bank: `pyq diff --since REF [FILE]`".to_owned(),
            ));
        }
        (None, [old, new]) => (read(old)?, read(new)?),
        (None, _) => {
            return Err(Error::Usage(
                "give two banks (`pyq diff OLD NEW`) or a git revision (`pyq diff --since REF [FILE]`)"
                    .to_owned(),
            ));
        }
    };
    let diff = Diff::between(&old.bank, &new.bank);
    match args.format {
        DiffFormat::Markdown => write!(
            out,
            "{}",
            diff.markdown(crate::export::deck_name(&new.bank))
        )?,
        DiffFormat::Json => writeln!(out, "{:#}", diff.json())?,
    }
    Ok(Status::Success)
}

/// Loads a bank to compare; one that does not load is a failure (its
/// questions cannot be matched).
fn read(path: &Path) -> Result<Loaded, Error> {
    let (_, loaded) = crate::cmd::lint::read(path)?;
    usable(path.display().to_string(), loaded)
}

fn usable(name: String, loaded: Loaded) -> Result<Loaded, Error> {
    if loaded.complete {
        return Ok(loaded);
    }
    Err(Error::Usage(format!(
        "`{name}` is not a readable bank (run `pyq lint` on it), so there is nothing to compare"
    )))
}

/// The bank at `file` as it was at git revision `rev`; an empty bank when
/// the file did not exist yet (everything in it is then new).
fn at_revision(file: &Path, rev: &str) -> Result<Loaded, Error> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .ok_or_else(|| Error::Usage(format!("`{}` is not a file", file.display())))?;
    let spec = format!("{rev}:./{}", name.to_string_lossy());
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", "--end-of-options", &spec])
        .output()
        .map_err(|e| Error::Usage(format!("cannot run git for `--since`: {e}")))?;
    let label = format!("{} at {rev}", file.display());
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("does not exist in") || stderr.contains("exists on disk, but not in") {
            return Ok(Loaded {
                bank: crate::model::Bank::default(),
                diagnostics: Vec::new(),
                complete: true,
            });
        }
        return Err(Error::Usage(format!(
            "`git show {spec}` failed: {}",
            stderr.trim()
        )));
    }
    let (_, loaded) = load::load_bytes(Path::new(&label), output.stdout);
    usable(label, loaded)
}
