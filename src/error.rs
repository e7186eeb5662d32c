//! Failures: pyq could not do its job (exit 2). Problems in the bank are
//! findings, not errors (see `diagnostic`).

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    #[error("could not read `{}`", .path.display())]
    #[diagnostic(
        code(pyq::read),
        help("check that the path is right and that the file is readable")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("`{}` is a directory, not a bank file", .path.display())]
    #[diagnostic(code(pyq::read), help("name the YAML file, e.g. `{}/questions.yaml`", .path.display()))]
    IsDirectory { path: PathBuf },

    #[error("could not write `{}`", .path.display())]
    #[diagnostic(
        code(pyq::write),
        help("check that the directory exists and is writable")
    )]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{0}")]
    #[diagnostic(code(pyq::args))]
    Usage(String),

    #[error("unknown rule `{name}`")]
    #[diagnostic(code(pyq::args), help("`pyq rules` lists every rule's name and code"))]
    UnknownRule { name: String },

    #[error("`{}` has {}, so pyq did not run", .path.display(), count_problems(*.problems))]
    #[diagnostic(
        code(pyq::config),
        help(
            "fix the settings reported above (`pyq rules invalid-config` shows a complete pyq.toml), or pass `--no-config` to ignore the file"
        )
    )]
    InvalidConfig { path: PathBuf, problems: usize },

    #[error("the previous export `{}` in the output folder cannot be read: {why}", .path.display())]
    #[diagnostic(
        code(pyq::previous_export),
        help(
            "pyq reads it to keep unchanged notes' modification times; move it away (nothing is overwritten) and export again"
        )
    )]
    PreviousExport { path: PathBuf, why: String },

    #[error("`{}` line {line}, column {column}: {why}", .path.display())]
    #[diagnostic(
        code(pyq::lock),
        help(
            "the lock lists what has been published and is written by `pyq export`: restore it from git (`git checkout -- {}`) rather than editing it by hand", .path.display()
        )
    )]
    InvalidLock {
        path: PathBuf,
        line: usize,
        column: usize,
        why: String,
    },

    #[error(
        "{}, and this bank has no lock of its own (`{}`)",
        stray_lock(.stray, *.legacy), .lock.display()
    )]
    #[diagnostic(
        code(pyq::lock),
        help(
            "a lock lists published ids{}, so pyq will not guess whose they are, nor start this bank afresh beside them: if they are this bank's, rename the lock with `git mv {} {}`; if they belong to another bank, rename it after that bank (`<bank>.pyq.lock` beside `<bank>.yaml`)",
            .deck_id.map(|d| format!(" (this one for deck id {d}: compare `anki_deck_id`)")).unwrap_or_default(),
            .stray.display(), .lock.display()
        )
    )]
    StrayLock {
        stray: PathBuf,
        lock: PathBuf,
        deck_id: Option<i64>,
        /// `pyq.lock`, the lock's old name (one per folder).
        legacy: bool,
    },

    #[error("SOURCE_DATE_EPOCH is `{value}`, not a whole number of seconds")]
    #[diagnostic(
        code(pyq::args),
        help(
            "set it to seconds since 1970, e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`, or unset it"
        )
    )]
    SourceDateEpoch { value: String },

    #[error("could not build the Anki collection")]
    #[diagnostic(code(pyq::internal))]
    Sqlite(#[source] rusqlite::Error),

    #[error("cannot run the Python interpreter `{}`", .path.display())]
    #[diagnostic(
        code(pyq::python),
        help("install Python 3, or name the interpreter with `--python PATH`")
    )]
    Python {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "pyq was interrupted ({0}): it stopped the running blocks and every process they started"
    )]
    #[diagnostic(
        code(pyq::interrupted),
        help("nothing was reported; run `pyq check-code` again to check every block")
    )]
    Interrupted(&'static str),

    #[error("port {port} on 127.0.0.1 is already in use")]
    #[diagnostic(
        code(pyq::preview),
        help(
            "another program (or another `pyq preview`) is serving there: choose another port with `--port N`, or `--port 0` for any free one"
        )
    )]
    PortInUse { port: u16 },

    #[error("could not serve on 127.0.0.1:{port}")]
    #[diagnostic(
        code(pyq::preview),
        help(
            "choose another port with `--port N` (ports below 1024 need privileges), or `--port 0` for any free one"
        )
    )]
    Serve {
        port: u16,
        #[source]
        source: io::Error,
    },

    #[error("internal error: {0}")]
    #[diagnostic(code(pyq::internal))]
    Internal(String),

    #[error("could not write the output")]
    #[diagnostic(code(pyq::output))]
    Output(#[source] io::Error),
}

impl Error {
    /// `pyq lint | head`: the reader went away, which is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// What is wrong with a lock that no bank owns.
fn stray_lock(stray: &std::path::Path, legacy: bool) -> String {
    if legacy {
        format!(
            "`{}` is a lock named for its folder (pyq's old layout; each bank now has its own lock, named after its file)",
            stray.display()
        )
    } else {
        format!(
            "`{}` is the lock of a bank that is not in its folder (renamed?)",
            stray.display()
        )
    }
}

/// `1 problem`, `2 problems`.
fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Self::Output(e)
    }
}
