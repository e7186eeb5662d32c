//! `pyq preview`: the HTML page, rebuilt from the bank as it is saved.
//!
//! [`Builder`] turns the files into a page: the lint's findings in a banner
//! at the top (each at its line:column), then the cards of the bank, or of
//! its last version without errors while it has some. [`server`] serves the
//! page and tells open tabs to reload when it changes.

pub mod server;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::{self, Config};
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::concise;
use crate::export::html::{self, Preview};
use crate::lint::Settings;
use crate::render::escape;
use crate::source::SourceFile;

/// Builds the preview page from the bank and its config on disk.
pub struct Builder {
    bank: PathBuf,
    config: Option<PathBuf>,
    /// The settings of the config as last read without problems.
    settings: Settings,
    /// The text of the bank's last version without errors.
    last_good: Option<String>,
}

/// One build: the page and what the terminal hears about it.
pub struct Build {
    /// The page, with [`BUILD_MARK`] where its build number goes.
    pub page: String,
    /// `questions.yaml: 2 errors, 1 warning`, and the like.
    pub summary: String,
}

/// The files a preview follows, as last seen: (modified, length) of each.
pub type Stamps = Vec<Option<(SystemTime, u64)>>;

impl Builder {
    pub fn new(bank: &Path, config: &Config) -> Self {
        let mut settings = Settings::default();
        config.lint.apply(&mut settings);
        Self {
            bank: bank.to_path_buf(),
            config: config.path.clone(),
            settings,
            last_good: None,
        }
    }

    /// The files to watch: the bank, its lock (`<bank>.pyq.lock`) and the config.
    pub fn watched(&self) -> Vec<PathBuf> {
        let mut files = vec![
            self.bank.clone(),
            crate::identity::lock::path_for(&self.bank),
        ];
        files.extend(self.config.iter().cloned());
        files
    }

    /// Each watched file's modification time and length, now.
    pub fn stamps(&self) -> Stamps {
        self.watched()
            .iter()
            .map(|p| {
                std::fs::metadata(p)
                    .ok()
                    .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()))
            })
            .collect()
    }

    /// Builds the page from the files as they are now.
    pub fn build(&mut self) -> Build {
        let mut problems: Vec<String> = Vec::new();
        let mut findings: Vec<(Severity, String, Option<String>)> = Vec::new();
        if let Some(path) = &self.config {
            match config::read(path) {
                Ok(Ok(config)) => {
                    self.settings = Settings::default();
                    config.lint.apply(&mut self.settings);
                }
                Ok(Err(invalid)) => {
                    for d in &invalid.diagnostics {
                        findings.push(finding(d, &invalid.source));
                    }
                    problems.push(format!(
                        "{} has problems: the lint uses its last good settings",
                        path.display()
                    ));
                }
                Err(e) => problems.push(failure(&e)),
            }
        }
        let name = self.bank.display().to_string();
        let mut errors = 0;
        match crate::cmd::lint::read(&self.bank) {
            Ok(source) => {
                let lock = match crate::identity::lock::read_for(&self.bank) {
                    Ok(lock) => lock,
                    Err(e) => {
                        problems.push(failure(&e));
                        None
                    }
                };
                let loaded = crate::load::load(&source);
                let diagnostics =
                    crate::lint::check_with(&loaded, &source, &self.settings, lock.as_ref());
                errors = diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                findings.extend(diagnostics.iter().map(|d| finding(d, &source)));
                if errors == 0 {
                    self.last_good = Some(source.text().to_owned());
                }
            }
            Err(e) => {
                errors += 1;
                problems.push(failure(&e));
            }
        }
        let summary = format!("{name}: {}", summarise(&findings, &problems));
        let banner = banner(
            &name,
            &findings,
            &problems,
            errors > 0 && self.last_good.is_some(),
        );
        let preview = Preview {
            banner: &banner,
            script: RELOAD,
        };
        let page = match &self.last_good {
            Some(text) => {
                let source = SourceFile::new(&self.bank, text.clone());
                let loaded = crate::load::load(&source);
                html::document(&loaded.bank, Some(&preview))
            }
            None => html::document_without_cards(&name, &preview),
        };
        Build { page, summary }
    }
}

/// Where the reload script's build number goes: its last occurrence in the
/// page (the script comes after everything from the bank).
pub const BUILD_MARK: &str = "__PYQ_BUILD__";

impl Build {
    /// The page numbered `generation` (the reload script compares it with
    /// the numbers the server sends).
    pub fn numbered(&self, generation: u64) -> String {
        match self.page.rfind(BUILD_MARK) {
            Some(at) => {
                let mut page = self.page.clone();
                page.replace_range(at..at + BUILD_MARK.len(), &generation.to_string());
                page
            }
            None => self.page.clone(),
        }
    }
}

/// The script the preview adds: reload when the server has a newer build,
/// keeping the scroll position and the open answers.
const RELOAD: &str = include_str!("reload.js");

fn finding(d: &Diagnostic, source: &SourceFile) -> (Severity, String, Option<String>) {
    (d.severity, concise::line(d, source), d.help.clone())
}

fn failure(e: &crate::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let _ = write!(text, ": {c}");
        cause = c.source();
    }
    text
}

/// `2 errors, 1 warning`, or `no problems`.
fn summarise(findings: &[(Severity, String, Option<String>)], problems: &[String]) -> String {
    let errors = findings
        .iter()
        .filter(|(s, _, _)| *s == Severity::Error)
        .count();
    counts(errors, findings.len() - errors, problems.len())
}

fn counts(errors: usize, warnings: usize, problems: usize) -> String {
    if errors + warnings + problems == 0 {
        return "no problems".to_owned();
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if problems > 0 {
        parts.push(plural(problems, "problem"));
    }
    parts.join(", ")
}

/// The findings at the top of the page (nothing when there are none).
fn banner(
    name: &str,
    findings: &[(Severity, String, Option<String>)],
    problems: &[String],
    showing_last_good: bool,
) -> String {
    if findings.is_empty() && problems.is_empty() {
        return String::new();
    }
    let errors = findings
        .iter()
        .filter(|(s, _, _)| *s == Severity::Error)
        .count();
    let mut s = format!(
        "<section id=\"pyq-findings\" class=\"pyq-findings{}\" role=\"alert\">\n<style>{BANNER_CSS}</style>\n<h2>{}</h2>\n<ul>\n",
        if errors + problems.len() > 0 {
            " pyq-has-errors"
        } else {
            ""
        },
        escape(&format!("{name}: {}", summarise(findings, problems)))
    );
    for p in problems {
        let _ = writeln!(s, "<li class=\"pyq-finding pyq-error\">{}</li>", escape(p));
    }
    for (severity, line, help) in findings {
        let _ = write!(
            s,
            "<li class=\"pyq-finding pyq-{}\"><code>{}</code>",
            severity.as_str(),
            escape(line)
        );
        if let Some(help) = help {
            let _ = write!(s, "<div class=\"pyq-help\">help: {}</div>", escape(help));
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n");
    if showing_last_good {
        s.push_str(
            "<p>The cards below are from the last version of the bank without errors.</p>\n",
        );
    }
    s.push_str("</section>\n");
    s
}

const BANNER_CSS: &str = ".pyq-findings{margin:12px auto 0;border:2px solid #bf8700;border-radius:8px;padding:4px 12px 8px}\
.pyq-findings.pyq-has-errors{border-color:#cf222e}\
.pyq-findings h2{font-size:17px;margin:6px 0}\
.pyq-findings ul{list-style:none;margin:0;padding:0}\
.pyq-finding{margin:6px 0;font-size:14px}\
.pyq-finding code{white-space:pre-wrap;overflow-wrap:anywhere;background:none;padding:0}\
.pyq-finding.pyq-error code{color:var(--pyq-keyword)}\
.pyq-help{color:var(--pyq-muted);margin-left:1.5em}\
.pyq-findings p{margin:6px 0;font-size:14px}\
@media (max-width:47em){.pyq-findings{margin:8px 8px 0}}";
