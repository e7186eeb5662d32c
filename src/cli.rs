//! The command line (clap derive). Only arguments live here; `cmd` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::emit::OutputFormat;
use crate::export::ExportFormat;
use crate::export::csv::CsvFlavor;

/// Keeps a Python interview question bank healthy: lint it, export it.
#[derive(Debug, Parser)]
#[command(
    name = "pyq",
    version,
    about,
    propagate_version = true,
    after_help = "\
Examples:
  pyq lint                     check ./questions.yaml
  pyq export                   write exports/ (Anki package, CSV, Markdown, HTML page)
  pyq preview                  see every card in a browser while you edit
  pyq rules missing-answer     explain a rule
  pyq help lint                the options of one command"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a bank and report every problem at its line and column.
    #[command(after_help = "\
Examples:
  pyq lint                          lint ./questions.yaml
  pyq lint --deny warnings          warnings fail the run too (CI)
  pyq lint --format json > out.json machine-readable findings
  pyq lint --allow near-duplicate   switch one rule off
  pyq lint --fix                    renumber questions 1..N in file order
  pyq lint --config ci.toml         settings from ci.toml instead of pyq.toml

Exit codes: 0 no errors, 1 errors found, 2 pyq could not run.")]
    Lint(LintArgs),

    /// Write the bank as an Anki deck, a CSV, a Markdown document and an HTML page into exports/ (the bank must lint clean).
    #[command(after_help = "\
Examples:
  pyq export                          write exports/<deck>.apkg, .csv, .md and .html from ./questions.yaml
  pyq export --format anki            only the Anki package
  pyq export --format html            only the page (self-contained: open it in any browser)
  pyq export --format csv --csv-flavor plain
                                      exports/<deck>.plain.csv for spreadsheets
  pyq export -o out/ bank.yaml        another bank, another folder
  pyq export --check                  exit 1 if the files in exports/ are stale (CI)
  pyq export --no-config              ignore the settings in pyq.toml

Unchanged notes keep their modification time from the previous package in the
folder; changed and new ones get SOURCE_DATE_EPOCH when set, else the current time.")]
    Export(ExportArgs),

    /// Serve the HTML page on 127.0.0.1 and follow edits: see each card as Anki will show it, while writing.
    #[command(after_help = "\
Examples:
  pyq preview                         serve ./questions.yaml on http://127.0.0.1:8765/
  pyq preview --port 9000 bank.yaml   another bank, another port (0: any free port)

The page rebuilds when the bank or its pyq.toml is saved and the open tab
reloads by itself. Lint findings show at the top with line:column; while the
bank has errors, the cards below are from its last version without errors.
Only this machine can connect (127.0.0.1). Ctrl-C stops it.")]
    Preview(PreviewArgs),

    /// Run every Python code block of every answer and report the ones that fail.
    #[command(after_help = "\
Examples:
  pyq check-code                          check ./questions.yaml with python3
  pyq check-code --python python3.13      check with another interpreter
  pyq check-code --jobs 1 --timeout 30    one block at a time, 30 s each
  pyq check-code --no-config              ignore the settings in pyq.toml

Info strings: ```python runs; ```python fragment (or a first line `# fragment`)
is skipped; ```python requires=pytest is skipped when pytest cannot be imported;
```python raises=ValueError must end with exactly that exception.
Exit codes: 0 all ran or were skipped, 1 a block failed, 2 pyq could not run.")]
    CheckCode(CheckCodeArgs),

    /// List the lint rules, or explain one.
    #[command(after_help = "\
Examples:
  pyq rules                  the table of rules
  pyq rules missing-answer   explain one rule (by name or code)
  pyq rules --format markdown > docs/rules.md")]
    Rules(RulesArgs),

    /// Show what changed between two versions of a bank: added, changed and retired questions.
    #[command(after_help = "\
Examples:
  pyq diff old.yaml questions.yaml         compare two files
  pyq diff --since v1.2.0                  ./questions.yaml against the tag v1.2.0 (git)
  pyq diff --since HEAD~1 bank.yaml        another bank against the previous commit
  pyq diff --since v1.2.0 --format json    for tools

Questions are matched by id: renumbering or moving one is not a change. The
Markdown is meant for release notes and the CHANGELOG.")]
    Diff(DiffArgs),

    /// Print the JSON Schema of the bank file format, for editors' completion and checks.
    #[command(after_help = "\
Examples:
  pyq schema > questions.schema.json   refresh the committed schema

Then make the first line of questions.yaml
  # yaml-language-server: $schema=./questions.schema.json
and VS Code (with the YAML extension) or any editor that runs yaml-language-server
completes keys, shows each field's documentation on hover and underlines wrong
values. The schema checks the file's shape only; `pyq lint` checks everything.")]
    Schema,

    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  pyq completions bash > ~/.local/share/bash-completion/completions/pyq
  pyq completions zsh > ~/.zfunc/_pyq      with fpath+=(~/.zfunc) before compinit in ~/.zshrc
  pyq completions fish > ~/.config/fish/completions/pyq.fish
  pyq completions powershell >> $PROFILE
  pyq completions elvish >> ~/.config/elvish/rc.elv

Open a new shell afterwards.")]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), or write one page per command into a folder.
    #[command(after_help = "\
Examples:
  pyq man | man -l -                   read the manual now
  pyq man --out target/man             write pyq.1, pyq-lint.1, pyq-export.1, ...
  install -m 644 target/man/*.1 /usr/local/share/man/man1/
                                       install them for `man pyq-lint`")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD NEW, or with `--since` the one bank to compare [default: questions.yaml].
    #[arg(value_name = "FILE", num_args = 0..=2)]
    pub files: Vec<PathBuf>,

    /// Compare the bank with its version at this git revision (a tag, a commit, `HEAD~1`).
    #[arg(long, value_name = "GIT_REF")]
    pub since: Option<String>,

    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Sections for release notes.
    Markdown,
    /// The JSON of docs/formats.md.
    Json,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The bank to check.
    #[arg(default_value = "questions.yaml")]
    pub file: PathBuf,

    /// How to print findings [default: github when GITHUB_ACTIONS=true, else human].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Make a rule (name or code) an error; `--deny warnings` makes every warning an error.
    #[arg(long, value_name = "RULE|warnings")]
    pub deny: Vec<String>,

    /// Make a rule (name or code) a warning.
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,

    /// Switch a rule (name or code) off.
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,

    /// Apply mechanical fixes (renumbering) to the file in place, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// When to use colour in the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bank to export.
    #[arg(default_value = "questions.yaml")]
    pub file: PathBuf,

    /// Which files to write [default: all].
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,

    /// The output folder [default: exports/ beside the bank].
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Write nothing; exit 1 if the files in the output folder are not exactly what the bank produces.
    #[arg(long)]
    pub check: bool,

    /// The CSV flavour: `anki` for Anki's importer (header lines, HTML, GUIDs), `plain` for spreadsheets [default: anki].
    #[arg(long, value_enum)]
    pub csv_flavor: Option<CsvFlavor>,

    /// In the Markdown document, show answers openly instead of inside `<details>`.
    #[arg(long)]
    pub no_details: bool,

    /// Neither read nor add to the cache of Anki collections (`.pyq-cache` beside the bank, or `PYQ_CACHE_DIR`), which spares a re-export decompressing its previous package.
    #[arg(long)]
    pub no_cache: bool,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct CheckCodeArgs {
    /// The bank to check.
    #[arg(default_value = "questions.yaml")]
    pub file: PathBuf,

    /// The Python interpreter to run blocks with [default: python3].
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,

    /// How many blocks run at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Seconds one block may run [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,

    /// Hand this variable of pyq's environment to every block (repeatable); blocks get only PATH, the locale and a fresh HOME and TMPDIR otherwise.
    #[arg(long = "pass-env", value_name = "NAME")]
    pub pass_env: Vec<String>,

    /// Let blocks reach the network (off by default where the system allows it).
    #[arg(long)]
    pub allow_network: bool,

    /// A limit per block (repeatable): cpu-time, memory, file-size, open-files or processes, e.g. `memory=2GiB`, `processes=unlimited` [defaults: docs/limits.md].
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = parse_limit)]
    pub limits: Vec<(crate::sandbox::Resource, Option<u64>)>,

    /// How to print failures [default: github when GITHUB_ACTIONS=true, else human].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// `--limit NAME=VALUE`.
fn parse_limit(text: &str) -> Result<(crate::sandbox::Resource, Option<u64>), String> {
    use crate::sandbox::Resource;
    let names = || Resource::ALL.map(Resource::key).join(", ");
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("write NAME=VALUE, where NAME is one of {}", names()))?;
    let resource = Resource::from_key(name.trim())
        .ok_or_else(|| format!("unknown limit `{name}`: use one of {}", names()))?;
    Ok((resource, resource.parse_value(value)?))
}

/// Where settings come from: `pyq.toml` (docs/config.md). Flags given on
/// the command line beat the file's settings.
#[derive(Debug, Default, Args)]
pub struct ConfigArgs {
    /// Read settings from this file [default: the nearest pyq.toml at or above the bank's folder, up to the repository root].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Ignore every pyq.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The bank to preview.
    #[arg(default_value = "questions.yaml")]
    pub file: PathBuf,

    /// The port on 127.0.0.1 to serve on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule's name or code; without it, the table of all rules.
    pub rule: Option<String>,

    /// How to print.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::aot::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write pyq.1 and a page per command (pyq-lint.1, ...) into this folder instead of printing pyq.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    /// The whole of docs/rules.md.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when printing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_examples() {
        let cmd = super::Cli::command();
        for c in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
            let after = c
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                after.starts_with("Examples:\n  pyq "),
                "`pyq {}` has no Examples in its after_help",
                c.get_name()
            );
        }
    }
}
