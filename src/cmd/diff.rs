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
use crate::source::SourceFile;

pub fn run(args: &DiffArgs, out: &mut dyn Write) -> Result<Status, Error> {
    // The files' texts, which the loaded banks borrow from.
    let (old_source, new_source);
    let (old, new) = match (&args.since, args.files.as_slice()) {
        (Some(rev), [] | [_]) => {
            let file = args
                .files
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("questions.yaml"));
            new_source = crate::cmd::lint::read(&file)?;
            let new = usable(&new_source)?;
            old_source = at_revision(&file, rev)?;
            let old = match &old_source {
                Some(source) => usable(source)?,
                None => Loaded {
                    bank: crate::model::Bank::default(),
                    diagnostics: Vec::new(),
                    complete: true,
                },
            };
            (old, new)
        }
        (Some(_), _) => {
            return Err(Error::Usage(
                "with `--since`, give at most one bank: `pyq diff --since REF [FILE]`".to_owned(),
            ));
        }
        (None, [old, new]) => {
            old_source = Some(crate::cmd::lint::read(old)?);
            let old = usable(old_source.as_ref().expect("just read"))?;
            new_source = crate::cmd::lint::read(new)?;
            (old, usable(&new_source)?)
        }
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
fn usable(source: &SourceFile) -> Result<Loaded<'_>, Error> {
    let loaded = load::load(source);
    if loaded.complete {
        return Ok(loaded);
    }
    Err(Error::Usage(format!(
        "`{}` is not a readable bank (run `pyq lint` on it), so there is nothing to compare",
        source.name()
    )))
}

/// The bank at `file` as it was at git revision `rev`; `None` when the file
/// did not exist yet (everything in it is then new).
fn at_revision(file: &Path, rev: &str) -> Result<Option<SourceFile>, Error> {
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
            return Ok(None);
        }
        return Err(Error::Usage(format!(
            "`git show {spec}` failed: {}",
            stderr.trim()
        )));
    }
    Ok(Some(SourceFile::from_bytes(
        Path::new(&label),
        output.stdout,
    )))
}
