//! `pyq.toml`: optional settings for `lint`, `export` and `check-code`,
//! found beside the bank (docs/config.md). The file is parsed with spans
//! (`toml`'s `DeTable`) and checked by hand, so every problem in it is
//! reported at its line and column, like a finding in the bank (rule
//! `invalid-config`), rather than stopping at the first.

use std::io;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use clap::ValueEnum;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::cli::ConfigArgs;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::export::ExportFormat;
use crate::export::csv::CsvFlavor;
use crate::lint::rules::closest;
use crate::lint::settings::Answers;
use crate::lint::{Level, Rule, Settings};
use crate::sandbox::Resource;
use crate::source::{SourceFile, Span};

/// The name pyq looks for.
pub const FILE_NAME: &str = "pyq.toml";

/// The settings a config file gives. `Config::default()` when there is none:
/// every command then behaves as its flags alone say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The file the settings came from.
    pub path: Option<PathBuf>,
    pub lint: Lint,
    pub export: Export,
    pub check_code: CheckCode,
}

/// `[lint]`: rule levels, applied before the command line's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lint {
    pub allow: Vec<Rule>,
    pub warn: Vec<Rule>,
    pub deny: Vec<Rule>,
    /// `deny = ["warnings"]`.
    pub deny_warnings: bool,
    /// `[lint.answers]`: the writing rules' limits.
    pub answers: Answers,
}

impl Lint {
    /// Sets these levels in `settings` in the command line's order (allow,
    /// then warn, then deny), so within the file `deny` wins.
    pub fn apply(&self, settings: &mut Settings) {
        for &rule in &self.allow {
            settings.set(rule, Level::Allow);
        }
        for &rule in &self.warn {
            settings.set(rule, Level::Warn);
        }
        for &rule in &self.deny {
            settings.set(rule, Level::Deny);
        }
        settings.deny_warnings |= self.deny_warnings;
        settings.answers = self.answers.clone();
    }
}

/// `[export]`. `output` is already joined to the config file's folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Export {
    pub format: Option<ExportFormat>,
    pub output: Option<PathBuf>,
    pub csv_flavor: Option<CsvFlavor>,
    pub details: Option<bool>,
}

/// `[check-code]`. A `python` path with a folder in it is already joined to
/// the config file's folder; a bare name such as `python3` is left for `PATH`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckCode {
    pub python: Option<PathBuf>,
    pub timeout: Option<f64>,
    pub jobs: Option<usize>,
    /// `pass-env`: variables handed to the blocks.
    pub pass_env: Vec<String>,
    pub allow_network: Option<bool>,
    /// `[check-code.limits]`.
    pub limits: Vec<(Resource, Option<u64>)>,
}

/// A config file with problems: its text and every problem in it.
#[derive(Debug)]
pub struct Invalid {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// The config of a command on the bank at `bank`, chosen by `--config` /
/// `--no-config`. A config with problems is written with `report` (in the
/// command's output format) and ends the command with
/// [`Error::InvalidConfig`] (exit 2): pyq does not guess what a broken
/// config meant.
pub fn for_command(
    args: &ConfigArgs,
    bank: &Path,
    report: impl FnOnce(&SourceFile, &[Diagnostic]) -> io::Result<()>,
) -> Result<Config, Error> {
    let path = if args.no_config {
        None
    } else if let Some(path) = &args.config {
        Some(path.clone())
    } else {
        discover(bank)
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match read(&path)? {
        Ok(config) => Ok(config),
        Err(invalid) => {
            report(&invalid.source, &invalid.diagnostics)?;
            Err(Error::InvalidConfig {
                path,
                problems: invalid.diagnostics.len(),
            })
        }
    }
}

/// Reads and checks the config file at `path`. A file that cannot be read
/// is a failure; one that is not TOML, not UTF-8 or has wrong settings is
/// [`Invalid`].
pub fn read(path: &Path) -> Result<Result<Config, Box<Invalid>>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(from_bytes(path, bytes))
}

/// Checks a config file's bytes; `path` names it in reports and anchors its
/// relative paths.
pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Config, Box<Invalid>> {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = SourceFile::new(path, text);
            parse(&source).map_err(|diagnostics| {
                Box::new(Invalid {
                    source,
                    diagnostics,
                })
            })
        }
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let had_bom = text.starts_with('\u{feff}');
            let source = SourceFile::new(path, text);
            let at = valid_up_to.saturating_sub(if had_bom { 3 } else { 0 });
            let diagnostic = Diagnostic::new(
                Rule::InvalidConfig,
                Span::new(at, at + 1),
                "the file is not valid UTF-8",
            )
            .label("invalid byte here")
            .help("save the file as UTF-8");
            Err(Box::new(Invalid {
                source,
                diagnostics: vec![diagnostic],
            }))
        }
    }
}

/// The nearest `pyq.toml` for the bank at `bank`: in the bank's folder or
/// one above it, up to the first folder holding `.git` (a repository's
/// root bounds the search) or the filesystem root. The path is relative to
/// the current folder when `bank` is relative, so reports name it the way
/// the user named the bank.
pub fn discover(bank: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok();
    discover_from(bank, cwd.as_deref())
}

/// [`discover`] with the current folder given (`None`: unknown).
fn discover_from(bank: &Path, cwd: Option<&Path>) -> Option<PathBuf> {
    let absolute = if bank.is_absolute() {
        bank.to_path_buf()
    } else {
        cwd?.join(bank)
    };
    let absolute = normalize(&absolute);
    let found = walk_up(absolute.parent()?)?;
    Some(match cwd {
        Some(cwd) if bank.is_relative() => relative_to(&found, &normalize(cwd)),
        _ => found,
    })
}

/// The first `pyq.toml` in `dir` or a folder above it, stopping after a
/// folder that holds `.git`.
fn walk_up(dir: &Path) -> Option<PathBuf> {
    for dir in dir.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Removes `.` and resolves `..` by the text of the path alone, as a user
/// reads `../questions.yaml`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` (both absolute and normalised), with `..`
/// where needed; `path` itself when they share no root.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let ours: Vec<_> = path.components().collect();
    let theirs: Vec<_> = base.components().collect();
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..theirs.len() {
        out.push("..");
    }
    out.extend(&ours[common..]);
    out
}

const TOP_KEYS: &[&str] = &["version", "lint", "export", "check-code"];
const LINT_KEYS: &[&str] = &["allow", "warn", "deny", "answers"];
const ANSWERS_KEYS: &[&str] = &[
    "lead",
    "lead-max-words",
    "lead-one-sentence",
    "prose-words",
    "max-code-blocks",
    "max-code-lines",
    "max-code-width",
    "require-code-language",
];
const EXPORT_KEYS: &[&str] = &["format", "output", "csv-flavor", "details"];
const CHECK_CODE_KEYS: &[&str] = &[
    "python",
    "timeout",
    "jobs",
    "pass-env",
    "allow-network",
    "limits",
];

type Key<'i> = Spanned<DeString<'i>>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Checks a config file's text: its settings, or every problem in it, in
/// file order.
pub fn parse(source: &SourceFile) -> Result<Config, Vec<Diagnostic>> {
    let root = match DeTable::parse(source.text()) {
        Ok(root) => root.into_inner(),
        Err(err) => return Err(vec![syntax_error(source, &err)]),
    };
    let mut check = Check {
        dir: source.path().parent().unwrap_or(Path::new("")),
        problems: Vec::new(),
    };
    let mut config = Config {
        path: Some(source.path().to_path_buf()),
        ..Config::default()
    };
    for (key, value) in &root {
        match key.get_ref().as_ref() {
            "version" => check.version(value),
            "lint" => {
                if let Some(table) = check.table("lint", value) {
                    config.lint = check.lint(table);
                }
            }
            "export" => {
                if let Some(table) = check.table("export", value) {
                    config.export = check.export(table);
                }
            }
            "check-code" => {
                if let Some(table) = check.table("check-code", value) {
                    config.check_code = check.check_code(table);
                }
            }
            _ => check.unknown_key(key, None, TOP_KEYS),
        }
    }
    if check.problems.is_empty() {
        return Ok(config);
    }
    let mut problems = check.problems;
    problems.sort_by(|a, b| (a.primary.span, &a.message).cmp(&(b.primary.span, &b.message)));
    Err(problems)
}

fn syntax_error(source: &SourceFile, err: &toml::de::Error) -> Diagnostic {
    let range = err.span().unwrap_or(0..0);
    let mut message = format!("invalid TOML: {}", err.message());
    if err.message() == "duplicate key"
        && let Some(key) = source.text().get(range.clone())
    {
        message = format!("invalid TOML: duplicate key `{key}`");
    }
    Diagnostic::new(Rule::InvalidConfig, span(range), message)
        .label("here")
        .help("fix the TOML syntax; `pyq rules invalid-config` shows a complete pyq.toml")
}

fn span(range: Range<usize>) -> Span {
    Span::new(range.start, range.end)
}

/// `a string`, `an integer`, ...
fn a(value: &DeValue<'_>) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// `` `a`, `b`, `c` ``.
fn list<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words
        .into_iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole number a TOML integer spells, if it fits.
fn integer(value: &DeValue<'_>) -> Option<Option<i64>> {
    match value {
        DeValue::Integer(i) => Some(i64::from_str_radix(i.as_str(), i.radix()).ok()),
        _ => None,
    }
}

/// The names of a `clap::ValueEnum`, as typed after its flag.
fn names<T: ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_owned())
        .collect()
}

struct Check<'a> {
    /// The config file's folder, which its relative paths start from.
    dir: &'a Path,
    problems: Vec<Diagnostic>,
}

impl Check<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.problems.push(d);
    }

    fn unknown_key(&mut self, key: &Key<'_>, section: Option<&str>, known: &[&str]) {
        let name = key.get_ref().as_ref();
        let (message, keys) = match section {
            Some(s) => (
                format!("unknown key `{name}` in `[{s}]`"),
                format!("the keys of `[{s}]` are {}", list(known.iter().copied())),
            ),
            None => (
                format!("unknown key `{name}`"),
                format!("the top-level keys are {}", list(known.iter().copied())),
            ),
        };
        let home = [
            ("lint", LINT_KEYS),
            ("lint.answers", ANSWERS_KEYS),
            ("export", EXPORT_KEYS),
            ("check-code", CHECK_CODE_KEYS),
        ]
        .into_iter()
        .find(|(_, keys)| keys.contains(&name));
        let help = match (home, closest(name, known.iter().copied())) {
            (Some((home, _)), _) => {
                format!("`{name}` belongs in `[{home}]`: move it below a `[{home}]` line")
            }
            (None, Some(c)) => format!("did you mean `{c}`? {keys}"),
            (None, None) => keys,
        };
        self.push(
            Diagnostic::new(Rule::InvalidConfig, span(key.span()), message)
                .label(match home {
                    Some(_) => "not a setting of this table",
                    None => "not a pyq setting",
                })
                .help(help),
        );
    }

    /// Reports `value` of `key` as not being `expected`; a quoted value that
    /// would have been right unquoted gets that help instead.
    fn wrong_type(&mut self, key: &str, value: &Value<'_>, expected: &str, help: String) {
        let found = a(value.get_ref());
        let quoted = match value.get_ref() {
            DeValue::String(s) => {
                matches!(expected, "an integer" | "a number of seconds")
                    && s.trim().parse::<f64>().is_ok()
                    || expected == "a boolean" && matches!(s.as_ref(), "true" | "false")
            }
            _ => false,
        };
        let d = Diagnostic::new(
            Rule::InvalidConfig,
            span(value.span()),
            format!("`{key}` must be {expected}, found {found}"),
        );
        self.push(if quoted {
            d.label("quoted, so a string").help("remove the quotes")
        } else {
            d.label(format!("expected {expected}")).help(help)
        });
    }

    /// A string value that is not one of `allowed`.
    fn unknown_value(&mut self, what: &str, value: &Spanned<&str>, allowed: &[String]) {
        let word = *value.get_ref();
        let allowed_list = list(allowed.iter().map(String::as_str));
        let help = match closest(word, allowed.iter().map(String::as_str)) {
            Some(c) => format!("did you mean `{c}`? use one of {allowed_list}"),
            None => format!("use one of {allowed_list}"),
        };
        let label = match allowed {
            [init @ .., last] => format!(
                "not {} or {last}",
                init.iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => "not allowed".to_owned(),
        };
        self.push(
            Diagnostic::new(
                Rule::InvalidConfig,
                span(value.span()),
                format!("unknown {what} `{word}`"),
            )
            .label(label)
            .help(help),
        );
    }

    fn table<'v, 'i>(&mut self, key: &str, value: &'v Value<'i>) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "a table",
                    format!("write `[{key}]` on a line of its own, with its settings below it"),
                );
                None
            }
        }
    }

    fn string<'v>(
        &mut self,
        key: &str,
        value: &'v Value<'_>,
        help: String,
    ) -> Option<Spanned<&'v str>> {
        match value.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                self.push(
                    Diagnostic::new(
                        Rule::InvalidConfig,
                        span(value.span()),
                        format!("`{key}` is empty"),
                    )
                    .label("no value")
                    .help(help),
                );
                None
            }
            DeValue::String(s) => Some(Spanned::new(value.span(), s.as_ref())),
            _ => {
                self.wrong_type(key, value, "a string", help);
                None
            }
        }
    }

    fn version(&mut self, value: &Value<'_>) {
        let help = || "write `version = 1`, or leave the key out".to_owned();
        match integer(value.get_ref()) {
            Some(Some(1)) => {}
            Some(_) => self.push(
                Diagnostic::new(
                    Rule::InvalidConfig,
                    span(value.span()),
                    format!("unsupported config version `{}`", &value_text(value)),
                )
                .label("this pyq reads version 1")
                .help(help()),
            ),
            None => self.wrong_type("version", value, "an integer", help()),
        }
    }

    fn lint(&mut self, table: &DeTable<'_>) -> Lint {
        let mut lint = Lint::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let (rules, warnings) = match name {
                "allow" => (&mut lint.allow, None),
                "warn" => (&mut lint.warn, None),
                "deny" => (&mut lint.deny, Some(&mut lint.deny_warnings)),
                "answers" => {
                    if let Some(table) = self.table("lint.answers", value) {
                        lint.answers = self.answers(table);
                    }
                    continue;
                }
                _ => {
                    self.unknown_key(key, Some("lint"), LINT_KEYS);
                    continue;
                }
            };
            let example = if name == "deny" {
                "`deny = [\"warnings\", \"unused-topic\"]`"
            } else {
                "`allow = [\"near-duplicate\"]`"
            };
            let help = || format!("write a list of rule names or codes, e.g. {example}");
            let DeValue::Array(items) = value.get_ref() else {
                self.wrong_type(name, value, "an array of rule names", help());
                continue;
            };
            let mut warnings = warnings;
            for item in items.iter() {
                let DeValue::String(word) = item.get_ref() else {
                    self.push(
                        Diagnostic::new(
                            Rule::InvalidConfig,
                            span(item.span()),
                            format!(
                                "the rules in `{name}` must be strings, found {}",
                                a(item.get_ref())
                            ),
                        )
                        .label("expected a rule name or code in quotes")
                        .help(help()),
                    );
                    continue;
                };
                if word == "warnings" {
                    match warnings.as_deref_mut() {
                        Some(flag) => *flag = true,
                        None => self.push(
                            Diagnostic::new(
                                Rule::InvalidConfig,
                                span(item.span()),
                                format!("`warnings` cannot be in `{name}`"),
                            )
                            .label("only `deny` takes `warnings`")
                            .help("`deny = [\"warnings\"]` makes every warning an error; to change one rule, name it here"),
                        ),
                    }
                    continue;
                }
                match Rule::from_name_or_code(word) {
                    Some(rule) => rules.push(rule),
                    None => {
                        let help = match closest_rule(word) {
                            Some(c) => format!(
                                "did you mean `{c}`? `pyq rules` lists every rule's name and code"
                            ),
                            None => "`pyq rules` lists every rule's name and code".to_owned(),
                        };
                        self.push(
                            Diagnostic::new(
                                Rule::InvalidConfig,
                                span(item.span()),
                                format!("unknown rule `{word}`"),
                            )
                            .label("not a rule name or code")
                            .help(help),
                        );
                    }
                }
            }
        }
        lint
    }

    fn answers(&mut self, table: &DeTable<'_>) -> Answers {
        let mut answers = Answers::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            match name {
                "lead" => {
                    let help = "write the text every answer starts with, e.g. `lead = \"**Short answer:**\"`".to_owned();
                    if let Some(lead) = self.string(name, value, help) {
                        answers.lead = Some(lead.get_ref().trim().to_owned());
                    }
                }
                "lead-max-words" => answers.lead_max_words = self.count(name, value, 1, "35"),
                "max-code-blocks" => answers.max_code_blocks = self.count(name, value, 0, "2"),
                "max-code-lines" => answers.max_code_lines = self.count(name, value, 1, "15"),
                "max-code-width" => answers.max_code_width = self.count(name, value, 1, "79"),
                "lead-one-sentence" => {
                    answers.lead_one_sentence = self.boolean(name, value).unwrap_or(false);
                }
                "require-code-language" => {
                    answers.require_code_language = self.boolean(name, value).unwrap_or(false);
                }
                "prose-words" => answers.prose_words = self.range(name, value),
                _ => self.unknown_key(key, Some("lint.answers"), ANSWERS_KEYS),
            }
        }
        answers
    }

    /// A whole number of at least `min`; `example` shows one in the help.
    fn count(&mut self, key: &str, value: &Value<'_>, min: usize, example: &str) -> Option<usize> {
        let help =
            format!("write e.g. `{key} = {example}`, or leave it out to switch the rule off");
        match integer(value.get_ref()) {
            Some(n) => {
                let n = n
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|&n| n >= min);
                if n.is_none() {
                    self.push(
                        Diagnostic::new(
                            Rule::InvalidConfig,
                            span(value.span()),
                            format!(
                                "`{key}` must be at least {min}, found `{}`",
                                value_text(value)
                            ),
                        )
                        .label(format!("below {min}"))
                        .help(help),
                    );
                }
                n
            }
            None => {
                self.wrong_type(key, value, "an integer", help);
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, value: &Value<'_>) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "a boolean",
                    format!("write `{key} = true` or `{key} = false`"),
                );
                None
            }
        }
    }

    /// `[min, max]`: two whole numbers, `min <= max`.
    fn range(&mut self, key: &str, value: &Value<'_>) -> Option<(usize, usize)> {
        let help = format!("write the least and the most, e.g. `{key} = [120, 250]`");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of two integers", help);
            return None;
        };
        let numbers: Vec<Option<usize>> = items
            .iter()
            .map(|item| {
                integer(item.get_ref())
                    .flatten()
                    .and_then(|n| usize::try_from(n).ok())
            })
            .collect();
        match numbers[..] {
            [Some(min), Some(max)] if min <= max => Some((min, max)),
            [Some(min), Some(max)] => {
                self.push(
                    Diagnostic::new(
                        Rule::InvalidConfig,
                        span(value.span()),
                        format!("`{key}` is empty: its least, {min}, is more than its most, {max}"),
                    )
                    .label("least first, then most")
                    .help(help),
                );
                None
            }
            _ => {
                self.push(
                    Diagnostic::new(
                        Rule::InvalidConfig,
                        span(value.span()),
                        format!("`{key}` must be two whole numbers, the least and the most"),
                    )
                    .label("expected `[least, most]`")
                    .help(help),
                );
                None
            }
        }
    }

    fn export(&mut self, table: &DeTable<'_>) -> Export {
        let mut export = Export::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            match name {
                "format" => {
                    let allowed = names::<ExportFormat>();
                    let help = format!("use one of {}", list(allowed.iter().map(String::as_str)));
                    if let Some(word) = self.string(name, value, help) {
                        match ExportFormat::from_str(word.get_ref(), false) {
                            Ok(format) => export.format = Some(format),
                            Err(_) => self.unknown_value("export format", &word, &allowed),
                        }
                    }
                }
                "csv-flavor" => {
                    let allowed = names::<CsvFlavor>();
                    let help = format!("use one of {}", list(allowed.iter().map(String::as_str)));
                    if let Some(word) = self.string(name, value, help) {
                        match CsvFlavor::from_str(word.get_ref(), false) {
                            Ok(flavor) => export.csv_flavor = Some(flavor),
                            Err(_) => self.unknown_value("CSV flavor", &word, &allowed),
                        }
                    }
                }
                "output" => {
                    let help = "name a folder, relative to this file's folder, e.g. `output = \"exports\"`".to_owned();
                    if let Some(dir) = self.string(name, value, help) {
                        export.output = Some(self.dir.join(dir.get_ref()));
                    }
                }
                "details" => match value.get_ref() {
                    DeValue::Boolean(b) => export.details = Some(*b),
                    _ => self.wrong_type(
                        name,
                        value,
                        "a boolean",
                        "write `details = true` or `details = false`".to_owned(),
                    ),
                },
                _ => self.unknown_key(key, Some("export"), EXPORT_KEYS),
            }
        }
        export
    }

    fn check_code(&mut self, table: &DeTable<'_>) -> CheckCode {
        let mut check_code = CheckCode::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            match name {
                "python" => {
                    let help = "name an interpreter, e.g. `python = \"python3\"` or a path relative to this file's folder".to_owned();
                    if let Some(python) = self.string(name, value, help) {
                        let python = Path::new(*python.get_ref());
                        check_code.python = Some(if python.components().count() > 1 {
                            self.dir.join(python)
                        } else {
                            python.to_path_buf()
                        });
                    }
                }
                "timeout" => {
                    let seconds = match value.get_ref() {
                        DeValue::Integer(_) => integer(value.get_ref()).flatten().map(|n| n as f64),
                        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                        _ => {
                            self.wrong_type(
                                name,
                                value,
                                "a number of seconds",
                                "write e.g. `timeout = 10.0`".to_owned(),
                            );
                            continue;
                        }
                    };
                    match seconds.filter(|&s| {
                        std::time::Duration::try_from_secs_f64(s).is_ok_and(|d| !d.is_zero())
                    }) {
                        Some(s) => check_code.timeout = Some(s),
                        None => self.push(
                            Diagnostic::new(
                                Rule::InvalidConfig,
                                span(value.span()),
                                format!(
                                    "`timeout` must be a positive number of seconds, found `{}`",
                                    value_text(value)
                                ),
                            )
                            .label("not a positive number")
                            .help("write e.g. `timeout = 10.0`"),
                        ),
                    }
                }
                "jobs" => match integer(value.get_ref()) {
                    Some(n) => match n.and_then(|n| usize::try_from(n).ok()).filter(|&n| n >= 1) {
                        Some(n) => check_code.jobs = Some(n),
                        None => self.push(
                            Diagnostic::new(
                                Rule::InvalidConfig,
                                span(value.span()),
                                format!("`jobs` must be at least 1, found `{}`", value_text(value)),
                            )
                            .label("not a positive whole number")
                            .help("write e.g. `jobs = 2`, or leave it out to use every core"),
                        ),
                    },
                    None => self.wrong_type(
                        name,
                        value,
                        "an integer",
                        "write e.g. `jobs = 2`".to_owned(),
                    ),
                },
                "pass-env" => {
                    let help = "write e.g. `pass-env = [\"DATABASE_URL\"]`";
                    match value.get_ref() {
                        DeValue::Array(items) => {
                            for item in items {
                                match item.get_ref() {
                                    DeValue::String(s)
                                        if !s.is_empty()
                                            && !s.contains(['=', '\0'])
                                            && s.trim() == s.as_ref() =>
                                    {
                                        check_code.pass_env.push(s.to_string());
                                    }
                                    _ => self.push(
                                        Diagnostic::new(
                                            Rule::InvalidConfig,
                                            span(item.span()),
                                            format!(
                                                "`pass-env` lists variable names, found `{}`",
                                                match item.get_ref() {
                                                    DeValue::String(s) => format!("\"{s}\""),
                                                    _ => value_text(item),
                                                }
                                            ),
                                        )
                                        .label("not a variable name")
                                        .help(help),
                                    ),
                                }
                            }
                        }
                        _ => self.wrong_type(name, value, "an array", help.to_owned()),
                    }
                }
                "allow-network" => match value.get_ref() {
                    DeValue::Boolean(b) => check_code.allow_network = Some(*b),
                    _ => self.wrong_type(
                        name,
                        value,
                        "a boolean",
                        "write `allow-network = true` or `allow-network = false`".to_owned(),
                    ),
                },
                "limits" => {
                    if let Some(table) = self.table("check-code.limits", value) {
                        self.limits(table, &mut check_code.limits);
                    }
                }
                _ => self.unknown_key(key, Some("check-code"), CHECK_CODE_KEYS),
            }
        }
        check_code
    }
}

impl Check<'_> {
    /// `[check-code.limits]`: `memory = "512MiB"`, `processes = 64`, ...
    fn limits(&mut self, table: &DeTable<'_>, limits: &mut Vec<(Resource, Option<u64>)>) {
        let keys = Resource::ALL.map(Resource::key);
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let Some(resource) = Resource::from_key(name) else {
                self.unknown_key(key, Some("check-code.limits"), &keys);
                continue;
            };
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(_) => value_text(value),
                _ => {
                    self.wrong_type(
                        name,
                        value,
                        "a number or a string",
                        format!("write {} or `\"unlimited\"`", resource.example()),
                    );
                    continue;
                }
            };
            match resource.parse_value(&text) {
                Ok(limit) => limits.push((resource, limit)),
                Err(why) => self.push(
                    Diagnostic::new(Rule::InvalidConfig, span(value.span()), why)
                        .label("not a limit")
                        .help(format!(
                            "write {} or `\"unlimited\"` (docs/limits.md)",
                            resource.example()
                        )),
                ),
            }
        }
    }
}

/// The rule name closest to `word`: by edit distance, else one that starts
/// the same way (`near-dupe` for `near-duplicate`).
pub(crate) fn closest_rule(word: &str) -> Option<&'static str> {
    let names = Rule::ALL.map(Rule::name);
    closest(word, names).or_else(|| {
        names
            .into_iter()
            .map(|n| (strsim::jaro_winkler(word, n), n))
            .filter(|&(score, _)| score >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n)
    })
}

/// A scalar value as written (integers in their radix), for messages.
fn value_text(value: &Value<'_>) -> String {
    match value.get_ref() {
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.as_str().to_owned(),
        other => a(other),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// Every problem in `toml` as `line:col message | help`.
    fn problems(toml: &str) -> Vec<String> {
        let source = SourceFile::new(Path::new("pyq.toml"), toml.to_owned());
        let diagnostics = parse(&source).expect_err("the config has problems");
        diagnostics
            .iter()
            .map(|d| {
                assert_eq!(d.rule, Rule::InvalidConfig);
                let at = source.line_col(d.primary.span.start);
                let help = d.help.as_deref().unwrap_or("");
                format!("{}:{} {} | {help}", at.line, at.column, d.message)
            })
            .collect()
    }

    fn config(toml: &str, path: &str) -> Config {
        parse(&SourceFile::new(Path::new(path), toml.to_owned())).expect("a valid config")
    }

    #[test]
    fn reads_every_setting() {
        let c = config(
            "version = 1\n\
             [lint]\nallow = [\"near-duplicate\", \"PYQ002\"]\nwarn = [\"pyq005\"]\ndeny = [\"warnings\", \"unused-topic\"]\n\
             [export]\nformat = \"markdown\"\noutput = \"out/md\"\ncsv-flavor = \"plain\"\ndetails = false\n\
             [check-code]\npython = \"venv/bin/python\"\ntimeout = 2\njobs = 3\npass-env = [\"DATABASE_URL\"]\nallow-network = true\n\
             [check-code.limits]\nmemory = \"256MiB\"\ncpu-time = 5\nprocesses = \"unlimited\"\nfile-size = 1000\n",
            "conf/pyq.toml",
        );
        assert_eq!(c.path.as_deref(), Some(Path::new("conf/pyq.toml")));
        assert_eq!(
            c.lint,
            Lint {
                allow: vec![Rule::NearDuplicate, Rule::UnknownKey],
                warn: vec![Rule::InvalidValue],
                deny: vec![Rule::UnusedTopic],
                deny_warnings: true,
                answers: Default::default(),
            }
        );
        assert_eq!(
            c.export,
            Export {
                format: Some(ExportFormat::Markdown),
                output: Some(PathBuf::from("conf/out/md")),
                csv_flavor: Some(CsvFlavor::Plain),
                details: Some(false),
            }
        );
        assert_eq!(
            c.check_code,
            CheckCode {
                python: Some(PathBuf::from("conf/venv/bin/python")),
                timeout: Some(2.0),
                jobs: Some(3),
                pass_env: vec!["DATABASE_URL".to_owned()],
                allow_network: Some(true),
                limits: vec![
                    (Resource::CpuTime, Some(5)),
                    (Resource::FileSize, Some(1000)),
                    (Resource::Memory, Some(256 << 20)),
                    (Resource::Processes, None),
                ],
            }
        );
    }

    #[test]
    fn reads_the_writing_rules() {
        let c = config(
            "[lint.answers]\nlead = \"**Short answer:**\"\nlead-max-words = 35\nlead-one-sentence = true\nprose-words = [120, 250]\nmax-code-blocks = 2\nmax-code-lines = 15\nmax-code-width = 79\nrequire-code-language = true\n",
            "pyq.toml",
        );
        assert_eq!(
            c.lint.answers,
            Answers {
                lead: Some("**Short answer:**".to_owned()),
                lead_max_words: Some(35),
                lead_one_sentence: true,
                prose_words: Some((120, 250)),
                max_code_blocks: Some(2),
                max_code_lines: Some(15),
                max_code_width: Some(79),
                require_code_language: true,
            }
        );
        let mut settings = Settings::default();
        c.lint.apply(&mut settings);
        assert_eq!(settings.answers, c.lint.answers);
        // Off until configured.
        assert!(!config("[lint]\n", "pyq.toml").lint.answers.any());
    }

    #[test]
    fn writing_rule_settings_are_checked() {
        assert_eq!(
            problems(
                "[lint.answers]\nlead = \"\"\nlead-max-word = 35\nprose-words = [250, 120]\nmax-code-blocks = -1\nmax-code-lines = 0\nmax-code-width = \"79\"\nrequire-code-language = 1\n[lint]\nmax-code-width = 79\n"
            ),
            [
                "2:8 `lead` is empty | write the text every answer starts with, e.g. `lead = \"**Short answer:**\"`",
                "3:1 unknown key `lead-max-word` in `[lint.answers]` | did you mean `lead-max-words`? the keys of `[lint.answers]` are `lead`, `lead-max-words`, `lead-one-sentence`, `prose-words`, `max-code-blocks`, `max-code-lines`, `max-code-width`, `require-code-language`",
                "4:15 `prose-words` is empty: its least, 250, is more than its most, 120 | write the least and the most, e.g. `prose-words = [120, 250]`",
                "5:19 `max-code-blocks` must be at least 0, found `-1` | write e.g. `max-code-blocks = 2`, or leave it out to switch the rule off",
                "6:18 `max-code-lines` must be at least 1, found `0` | write e.g. `max-code-lines = 15`, or leave it out to switch the rule off",
                "7:18 `max-code-width` must be an integer, found a string | remove the quotes",
                "8:25 `require-code-language` must be a boolean, found an integer | write `require-code-language = true` or `require-code-language = false`",
                "10:1 unknown key `max-code-width` in `[lint]` | `max-code-width` belongs in `[lint.answers]`: move it below a `[lint.answers]` line",
            ]
        );
        assert_eq!(
            problems("lint.answers = 3\n"),
            [
                "1:16 `lint.answers` must be a table, found an integer | write `[lint.answers]` on a line of its own, with its settings below it"
            ]
        );
        assert_eq!(
            problems("[lint.answers]\nprose-words = [120]\n"),
            [
                "2:15 `prose-words` must be two whole numbers, the least and the most | write the least and the most, e.g. `prose-words = [120, 250]`"
            ]
        );
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        let c = config("# nothing yet\n", "pyq.toml");
        assert_eq!(
            c,
            Config {
                path: Some(PathBuf::from("pyq.toml")),
                ..Config::default()
            }
        );
    }

    #[test]
    fn paths_are_relative_to_the_file() {
        let c = config(
            "[export]\noutput = \"/abs/out\"\n[check-code]\npython = \"python3.13\"\ntimeout = 1.5\n",
            "/etc/pyq/pyq.toml",
        );
        assert_eq!(c.export.output, Some(PathBuf::from("/abs/out")));
        assert_eq!(c.check_code.python, Some(PathBuf::from("python3.13")));
        assert_eq!(c.check_code.timeout, Some(1.5));
        let c = config("[export]\noutput = \"exports\"\n", "pyq.toml");
        assert_eq!(c.export.output, Some(PathBuf::from("exports")));
    }

    #[test]
    fn dotted_keys_and_inline_tables_are_the_same_settings() {
        let c = config(
            "lint.allow = [\"near-duplicate\"]\nexport = { details = false }\n",
            "pyq.toml",
        );
        assert_eq!(c.lint.allow, vec![Rule::NearDuplicate]);
        assert_eq!(c.export.details, Some(false));
    }

    #[test]
    fn toml_syntax_errors_are_reported_where_they_are() {
        assert_eq!(
            problems("[lint]\nallow = [\"near-duplicate\"\n"),
            [
                "2:26 invalid TOML: unclosed array, expected `]` | fix the TOML syntax; `pyq rules invalid-config` shows a complete pyq.toml"
            ]
        );
        assert_eq!(
            problems("[lint]\nallow = []\n\n[lint]\n"),
            [
                "4:2 invalid TOML: duplicate key `lint` | fix the TOML syntax; `pyq rules invalid-config` shows a complete pyq.toml"
            ]
        );
        assert_eq!(
            problems("[export]\nformat = anki\n"),
            [
                "2:10 invalid TOML: string values must be quoted, expected literal string | fix the TOML syntax; `pyq rules invalid-config` shows a complete pyq.toml"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_reported_at_the_byte() {
        let invalid = from_bytes(
            Path::new("pyq.toml"),
            b"[lint]\nallow = [\"\xff\"]\n".to_vec(),
        )
        .expect_err("not UTF-8");
        let d = &invalid.diagnostics[0];
        assert_eq!(d.message, "the file is not valid UTF-8");
        let at = invalid.source.line_col(d.primary.span.start);
        assert_eq!((at.line, at.column), (2, 11));
    }

    #[test]
    fn unknown_keys_get_a_suggestion_and_the_known_keys() {
        assert_eq!(
            problems(
                "verison = 1\n[lnt]\nallow = []\n[lint]\nalow = []\n[export]\nfromat = \"csv\"\n[check-code]\ntimeout = 1\nthreads = 2\n"
            ),
            [
                "1:1 unknown key `verison` | did you mean `version`? the top-level keys are `version`, `lint`, `export`, `check-code`",
                "2:2 unknown key `lnt` | did you mean `lint`? the top-level keys are `version`, `lint`, `export`, `check-code`",
                "5:1 unknown key `alow` in `[lint]` | did you mean `allow`? the keys of `[lint]` are `allow`, `warn`, `deny`, `answers`",
                "7:1 unknown key `fromat` in `[export]` | did you mean `format`? the keys of `[export]` are `format`, `output`, `csv-flavor`, `details`",
                "10:1 unknown key `threads` in `[check-code]` | the keys of `[check-code]` are `python`, `timeout`, `jobs`, `pass-env`, `allow-network`, `limits`",
            ]
        );
    }

    #[test]
    fn a_key_in_the_wrong_table_is_sent_to_its_own() {
        assert_eq!(
            problems("allow = [\"near-duplicate\"]\n[export]\ntimeout = 5\n"),
            [
                "1:1 unknown key `allow` | `allow` belongs in `[lint]`: move it below a `[lint]` line",
                "3:1 unknown key `timeout` in `[export]` | `timeout` belongs in `[check-code]`: move it below a `[check-code]` line",
            ]
        );
    }

    #[test]
    fn sandbox_settings_are_checked() {
        assert_eq!(
            problems(
                "[check-code]\npass-env = \"TOKEN\"\nallow-network = \"yes\"\n[check-code.limits]\nmemory = \"lots\"\ncpu-time = 0\nthreads = 4\nopen-files = true\n"
            ),
            [
                "2:12 `pass-env` must be an array, found a string | write e.g. `pass-env = [\"DATABASE_URL\"]`",
                "3:17 `allow-network` must be a boolean, found a string | write `allow-network = true` or `allow-network = false`",
                "5:10 `lots` is not a limit for `memory`: write a size such as `512MiB` or `2GiB` or `unlimited` | write a size such as `512MiB` or `2GiB` or `\"unlimited\"` (docs/limits.md)",
                "6:12 `cpu-time` must be at least 1, or `unlimited` | write a whole number of seconds, e.g. `cpu-time=60` or `\"unlimited\"` (docs/limits.md)",
                "7:1 unknown key `threads` in `[check-code.limits]` | the keys of `[check-code.limits]` are `cpu-time`, `memory`, `file-size`, `open-files`, `processes`",
                "8:14 `open-files` must be a number or a string, found a boolean | write a whole number, e.g. `open-files=256` or `\"unlimited\"`",
            ]
        );
        assert_eq!(
            problems("[check-code]\npass-env = [\"A\", 3, \"B=1\", \"\"]\n"),
            [
                "2:18 `pass-env` lists variable names, found `3` | write e.g. `pass-env = [\"DATABASE_URL\"]`",
                "2:21 `pass-env` lists variable names, found `\"B=1\"` | write e.g. `pass-env = [\"DATABASE_URL\"]`",
                "2:28 `pass-env` lists variable names, found `\"\"` | write e.g. `pass-env = [\"DATABASE_URL\"]`",
            ]
        );
    }

    #[test]
    fn wrong_types_are_reported_at_the_value() {
        assert_eq!(
            problems(
                "version = \"1\"\nlint = 3\n[export]\nformat = 1\noutput = true\ndetails = \"false\"\ncsv-flavor = []\n[check-code]\npython = 3\ntimeout = \"ten\"\njobs = 2.0\n"
            ),
            [
                "1:11 `version` must be an integer, found a string | remove the quotes",
                "2:8 `lint` must be a table, found an integer | write `[lint]` on a line of its own, with its settings below it",
                "4:10 `format` must be a string, found an integer | use one of `anki`, `csv`, `markdown`, `html`, `all`",
                "5:10 `output` must be a string, found a boolean | name a folder, relative to this file's folder, e.g. `output = \"exports\"`",
                "6:11 `details` must be a boolean, found a string | remove the quotes",
                "7:14 `csv-flavor` must be a string, found an array | use one of `anki`, `plain`",
                "9:10 `python` must be a string, found an integer | name an interpreter, e.g. `python = \"python3\"` or a path relative to this file's folder",
                "10:11 `timeout` must be a number of seconds, found a string | write e.g. `timeout = 10.0`",
                "11:8 `jobs` must be an integer, found a float | write e.g. `jobs = 2`",
            ]
        );
        assert_eq!(
            problems("[lint]\nallow = \"near-duplicate\"\ndeny = [\"warnings\", 7]\n"),
            [
                "2:9 `allow` must be an array of rule names, found a string | write a list of rule names or codes, e.g. `allow = [\"near-duplicate\"]`",
                "3:21 the rules in `deny` must be strings, found an integer | write a list of rule names or codes, e.g. `deny = [\"warnings\", \"unused-topic\"]`",
            ]
        );
    }

    #[test]
    fn values_outside_their_set_are_reported_at_the_value() {
        assert_eq!(
            problems(
                "version = 2\n[lint]\nallow = [\"near-dupe\", \"warnings\", \"PYQ999\"]\n[export]\nformat = \"apkg\"\ncsv-flavor = \"excel\"\noutput = \" \"\n[check-code]\ntimeout = -1\njobs = 0\n"
            ),
            [
                "1:11 unsupported config version `2` | write `version = 1`, or leave the key out",
                "3:10 unknown rule `near-dupe` | did you mean `near-duplicate`? `pyq rules` lists every rule's name and code",
                "3:23 `warnings` cannot be in `allow` | `deny = [\"warnings\"]` makes every warning an error; to change one rule, name it here",
                "3:35 unknown rule `PYQ999` | `pyq rules` lists every rule's name and code",
                "5:10 unknown export format `apkg` | did you mean `anki`? use one of `anki`, `csv`, `markdown`, `html`, `all`",
                "6:14 unknown CSV flavor `excel` | use one of `anki`, `plain`",
                "7:10 `output` is empty | name a folder, relative to this file's folder, e.g. `output = \"exports\"`",
                "9:11 `timeout` must be a positive number of seconds, found `-1` | write e.g. `timeout = 10.0`",
                "10:8 `jobs` must be at least 1, found `0` | write e.g. `jobs = 2`, or leave it out to use every core",
            ]
        );
        assert_eq!(
            problems("[check-code]\ntimeout = nan\n"),
            [
                "2:11 `timeout` must be a positive number of seconds, found `nan` | write e.g. `timeout = 10.0`"
            ]
        );
        assert_eq!(
            problems("[check-code]\ntimeout = inf\njobs = 99999999999999999999\n"),
            [
                "2:11 `timeout` must be a positive number of seconds, found `inf` | write e.g. `timeout = 10.0`",
                "3:8 `jobs` must be at least 1, found `99999999999999999999` | write e.g. `jobs = 2`, or leave it out to use every core",
            ]
        );
    }

    #[test]
    fn labels_name_the_allowed_values() {
        let source = SourceFile::new(
            Path::new("pyq.toml"),
            "[export]\nformat = \"apkg\"\n".to_owned(),
        );
        let d = parse(&source).expect_err("a problem");
        assert_eq!(
            d[0].primary.text.as_deref(),
            Some("not anki, csv, markdown, html or all")
        );
    }

    #[test]
    fn config_levels_apply_before_the_command_lines() {
        let lint = Lint {
            allow: vec![Rule::MissingAnswer],
            warn: vec![Rule::UnknownTopic],
            deny: vec![Rule::MissingAnswer, Rule::NearDuplicate],
            deny_warnings: false,
            answers: Default::default(),
        };
        let mut settings = Settings::default();
        lint.apply(&mut settings);
        use crate::diagnostic::Severity;
        // Within the file, deny beats allow, as on the command line.
        assert_eq!(
            settings.severity(Rule::MissingAnswer),
            Some(Severity::Error)
        );
        assert_eq!(
            settings.severity(Rule::UnknownTopic),
            Some(Severity::Warning)
        );
        assert_eq!(
            settings.severity(Rule::NearDuplicate),
            Some(Severity::Error)
        );
    }

    /// A folder tree under a fresh temporary folder: `dirs` made, `files`
    /// written empty.
    fn tree(dirs: &[&str], files: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("a temporary folder");
        for d in dirs {
            fs::create_dir_all(root.path().join(d)).expect("mkdir");
        }
        for f in files {
            fs::write(root.path().join(f), "").expect("write");
        }
        root
    }

    #[test]
    fn discovery_walks_up_from_the_banks_folder() {
        let root = tree(&[".git", "a/b"], &["pyq.toml", "a/b/questions.yaml"]);
        let r = root.path();
        assert_eq!(
            discover_from(&r.join("a/b/questions.yaml"), None),
            Some(r.join("pyq.toml"))
        );
        // The nearest one wins.
        fs::write(r.join("a/pyq.toml"), "").expect("write");
        assert_eq!(
            discover_from(&r.join("a/b/questions.yaml"), None),
            Some(r.join("a/pyq.toml"))
        );
        // A folder named pyq.toml is not a config.
        fs::create_dir(r.join("a/b/pyq.toml")).expect("mkdir");
        assert_eq!(
            discover_from(&r.join("a/b/questions.yaml"), None),
            Some(r.join("a/pyq.toml"))
        );
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        // `.git` in `a` bounds the search: the pyq.toml above it is another project's.
        let root = tree(&["a/.git", "a/b"], &["pyq.toml", "a/b/questions.yaml"]);
        let r = root.path();
        assert_eq!(discover_from(&r.join("a/b/questions.yaml"), None), None);
        // The repository root itself is searched (`.git` may be a file, as in a worktree).
        let root = tree(&["a/b"], &["a/.git", "a/pyq.toml", "a/b/questions.yaml"]);
        let r = root.path();
        assert_eq!(
            discover_from(&r.join("a/b/questions.yaml"), None),
            Some(r.join("a/pyq.toml"))
        );
    }

    #[test]
    fn discovery_names_the_file_relative_to_the_current_folder() {
        let root = tree(&[".git", "a/b", "c"], &["pyq.toml", "a/b/questions.yaml"]);
        let r = root.path();
        let found = |bank: &str, cwd: &str| discover_from(Path::new(bank), Some(&r.join(cwd)));
        assert_eq!(
            found("questions.yaml", "a/b"),
            Some(PathBuf::from("../../pyq.toml"))
        );
        assert_eq!(
            found("b/questions.yaml", "a"),
            Some(PathBuf::from("../pyq.toml"))
        );
        assert_eq!(
            found("a/b/questions.yaml", "."),
            Some(PathBuf::from("pyq.toml"))
        );
        assert_eq!(
            found("../a/./b/questions.yaml", "c"),
            Some(PathBuf::from("../pyq.toml"))
        );
        // An absolute bank path gives an absolute config path.
        assert_eq!(
            discover_from(&r.join("a/b/questions.yaml"), Some(&r.join("c"))),
            Some(r.join("pyq.toml"))
        );
    }

    fn args(config: Option<&Path>, no_config: bool) -> ConfigArgs {
        ConfigArgs {
            config: config.map(Path::to_path_buf),
            no_config,
        }
    }

    #[test]
    fn config_and_no_config_choose_the_file() {
        let root = tree(&[".git"], &["questions.yaml"]);
        let r = root.path();
        fs::write(r.join("pyq.toml"), "[lint]\nallow = [\"near-duplicate\"]\n").expect("write");
        fs::write(r.join("ci.toml"), "[lint]\ndeny = [\"warnings\"]\n").expect("write");
        let bank = r.join("questions.yaml");
        let no_report =
            |_: &SourceFile, _: &[Diagnostic]| -> io::Result<()> { panic!("nothing to report") };

        let found = for_command(&args(None, false), &bank, no_report).expect("ok");
        assert_eq!(found.path, Some(r.join("pyq.toml")));
        assert_eq!(found.lint.allow, vec![Rule::NearDuplicate]);

        let ci = r.join("ci.toml");
        let chosen = for_command(&args(Some(&ci), false), &bank, no_report).expect("ok");
        assert_eq!(chosen.path, Some(ci));
        assert!(chosen.lint.allow.is_empty() && chosen.lint.deny_warnings);

        let none = for_command(&args(None, true), &bank, no_report).expect("ok");
        assert_eq!(none, Config::default());
    }

    #[test]
    fn a_broken_config_is_reported_then_fails_the_command() {
        let root = tree(&[".git"], &["questions.yaml"]);
        let r = root.path();
        fs::write(r.join("pyq.toml"), "[lint]\nalow = []\n").expect("write");
        let bank = r.join("questions.yaml");
        let mut reported = Vec::new();
        let err = for_command(&args(None, false), &bank, |source, problems| {
            reported.push((source.name().to_owned(), problems.len()));
            Ok(())
        })
        .expect_err("a broken config");
        assert!(
            matches!(err, Error::InvalidConfig { problems: 1, .. }),
            "{err:?}"
        );
        assert_eq!(reported, [(r.join("pyq.toml").display().to_string(), 1)]);
        // `--no-config` runs without it.
        let none = for_command(&args(None, true), &bank, |_, _| panic!("not read"));
        assert_eq!(none.expect("ok"), Config::default());
        // A `--config` file that cannot be read is a failure, not a finding.
        let missing = r.join("missing.toml");
        let err = for_command(&args(Some(&missing), false), &bank, |_, _| Ok(()));
        assert!(matches!(err, Err(Error::Read { .. })), "{err:?}");
    }
}
