//! Suppression comments: `# pyq: allow RULE[, RULE ...] -- reason` on the
//! comment lines directly above a question's `-` line, or at the end of
//! that line, silences the named rules' findings about that question
//! (docs/rules.md, "Silencing a finding for one question").
//!
//! Comments are found from the loader's spans, never by searching the text
//! for `#`: a line above the `-` counts only when it starts after the end
//! of the previous question's last value (so a `# ...` line inside a `|`
//! block, such as a Python comment, is never read as one), and a comment at
//! the end of the `-` line only after the last value that starts on it (so
//! a `#` in a quoted string is not one either).

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::lint::Rule;
use crate::lint::settings::Settings;
use crate::model::Bank;
use crate::source::{SourceFile, Span};

/// Rules whose findings no comment can silence, and why (for the docs and
/// the `invalid-suppression` help).
pub(crate) const NEVER: &[(Rule, &str)] = &[
    (Rule::YamlSyntax, "pyq cannot read the file past it"),
    (Rule::UnknownKey, "the question is not in the file format"),
    (Rule::DuplicateKey, "the question is not in the file format"),
    (Rule::MissingField, "the question is not in the file format"),
    (Rule::InvalidValue, "the question is not in the file format"),
    (Rule::InvalidConfig, "it is about pyq.toml, not a question"),
    (Rule::DuplicateId, "ids are the notes' identity in Anki"),
    (Rule::InvalidId, "ids are the notes' identity in Anki"),
    (
        Rule::UnsafeHtml,
        "a comment must not let script into learners' cards",
    ),
    (
        Rule::CodeFails,
        "`pyq check-code` has its own markers (`python fragment`, `raises=`)",
    ),
    (
        Rule::PublishedIdRemoved,
        "it is about the published deck, not a question",
    ),
    (Rule::RetiredIdReused, "ids are the notes' identity in Anki"),
    (
        Rule::PublishedDeckChanged,
        "it is about the published deck, not a question",
    ),
    (Rule::UnusedSuppression, "it is about the comment itself"),
    (Rule::InvalidSuppression, "it is about the comment itself"),
];

/// Whether a `# pyq: allow` comment may silence `rule`.
pub(crate) fn suppressible(rule: Rule) -> bool {
    !NEVER.iter().any(|(r, _)| *r == rule)
}

/// One `# pyq: allow` comment.
#[derive(Debug)]
struct Directive {
    /// The question's item in the file (from its `-` to its last value).
    item: Span,
    /// The rules it names, where it names them, and whether each silenced
    /// a finding.
    rules: Vec<(Rule, Span, bool)>,
}

/// Applies the bank's suppression comments to `out` (findings that
/// `settings` already filtered): drops the findings they silence, and adds
/// `unused-suppression` and `invalid-suppression` findings (as `settings`
/// rates them).
pub(crate) fn apply(
    bank: &Bank<'_>,
    source: &SourceFile,
    settings: &Settings,
    out: &mut Vec<Diagnostic>,
) {
    if memchr::memmem::find(source.text().as_bytes(), b"pyq:").is_none() {
        return;
    }
    let mut problems = Vec::new();
    let mut directives = Vec::new();
    let mut previous_end = 0;
    for q in &bank.questions {
        let bound = previous_end;
        previous_end = q.item.end;
        for comment in comments(source.text(), q.item.start, bound, q.head_end) {
            if let Some(d) = parse(source.text(), comment, q.item, &mut problems) {
                directives.push(d);
            }
        }
    }
    if !directives.is_empty() {
        silence(&mut directives, out);
    }
    for d in &directives {
        for (rule, span, used) in &d.rules {
            if !used {
                problems.push(
                    Diagnostic::new(
                        Rule::UnusedSuppression,
                        *span,
                        format!("`# pyq: allow {}` silences nothing here", rule.name()),
                    )
                    .label("no finding of this rule in this question")
                    .help(format!(
                        "remove `{}` from the comment: the question no longer has (or never had) a `{}` finding, or the rule is switched off",
                        source.text()[span.start..span.end].trim(),
                        rule.name()
                    )),
                );
            }
        }
    }
    out.extend(problems.into_iter().filter_map(|mut d| {
        d.severity = settings.severity(d.rule)?;
        Some(d)
    }));
}

/// Drops every finding that a directive silences, marking what it used.
fn silence(directives: &mut [Directive], out: &mut Vec<Diagnostic>) {
    directives.sort_by_key(|d| d.item.start);
    out.retain(|finding| {
        if !suppressible(finding.rule) {
            return true;
        }
        let at = finding.primary.span.start;
        let after = directives.partition_point(|d| d.item.start <= at);
        let mut silenced = false;
        // Several comments may belong to one question: all those with its start.
        for d in directives[..after].iter_mut().rev() {
            if !(d.item.start..=d.item.end).contains(&at) {
                break;
            }
            for (rule, _, used) in &mut d.rules {
                if *rule == finding.rule {
                    *used = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });
}

/// The `# pyq:` comments of the question whose item starts at `item`: the
/// comment lines directly above its line (none before `bound`, the end of
/// the previous question) and the comment after `head_end` on its line.
/// Each is the range from its `#` to the end of its line.
fn comments(text: &str, item: usize, bound: usize, head_end: Option<usize>) -> Vec<Range<usize>> {
    let line_start = text[..item].rfind('\n').map_or(0, |i| i + 1);
    let mut found = Vec::new();
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        if start < bound {
            break;
        }
        let line = text[start..end - 1].trim_end_matches('\r');
        let body = line.trim_start_matches([' ', '\t']);
        if !body.starts_with('#') {
            break;
        }
        let hash = start + (line.len() - body.len());
        found.push(hash..start + line.len());
        end = start;
    }
    found.reverse();
    if let Some(from) = head_end {
        let line_end = text[item..].find('\n').map_or(text.len(), |i| item + i);
        let line = &text[from.min(line_end)..line_end];
        let hash = line.char_indices().find(|&(i, c)| {
            c == '#' && {
                let at = from + i;
                at == 0 || matches!(text.as_bytes()[at - 1], b' ' | b'\t')
            }
        });
        if let Some((i, _)) = hash {
            found.push(from + i..line_end - usize::from(text[..line_end].ends_with('\r')));
        }
    }
    found.retain(|c| text[c.start + 1..c.end].trim_start().starts_with("pyq:"));
    found
}

/// Reads one `# pyq:` comment; problems go to `problems`.
fn parse(
    text: &str,
    comment: Range<usize>,
    item: Span,
    problems: &mut Vec<Diagnostic>,
) -> Option<Directive> {
    let whole = Span::new(comment.start, comment.end);
    let body = &text[comment.clone()];
    let after_prefix = body.find("pyq:").map_or(body.len(), |i| i + "pyq:".len());
    let rest = &body[after_prefix..];
    let verb_at = after_prefix + (rest.len() - rest.trim_start().len());
    let verb_len = body[verb_at..]
        .find(|c: char| c.is_whitespace())
        .unwrap_or(body.len() - verb_at);
    let verb = &body[verb_at..verb_at + verb_len];
    let at = |r: Range<usize>| Span::new(comment.start + r.start, comment.start + r.end);
    if verb != "allow" {
        let (message, span) = if verb.is_empty() {
            ("this `# pyq:` comment is empty".to_owned(), whole)
        } else {
            (
                format!("unknown `# pyq:` command `{verb}`"),
                at(verb_at..verb_at + verb_len),
            )
        };
        problems.push(
            Diagnostic::new(Rule::InvalidSuppression, span, message)
                .label("expected `allow`")
                .help("write `# pyq: allow RULE -- why`, naming rules by name or code"),
        );
        return None;
    }
    let names_from = verb_at + verb_len;
    let (names_end, reason) = match body[names_from..].find("--") {
        Some(i) => (
            names_from + i,
            Some(body[names_from + i + 2..].trim()).filter(|r| !r.is_empty()),
        ),
        None => (body.len(), None),
    };
    let mut rules = Vec::new();
    let mut named = 0;
    let mut start = None;
    for (i, c) in body[names_from..names_end]
        .char_indices()
        .chain(std::iter::once((names_end - names_from, ' ')))
    {
        let i = names_from + i;
        if c.is_whitespace() || c == ',' {
            if let Some(s) = start.take() {
                named += 1;
                name(&body[s..i], at(s..i), &mut rules, problems);
            }
        } else {
            start.get_or_insert(i);
        }
    }
    if rules.is_empty() {
        if named == 0 {
            problems.push(
                Diagnostic::new(
                    Rule::InvalidSuppression,
                    whole,
                    "this `# pyq: allow` comment names no rule",
                )
                .label("no rule named")
                .help("name the rules to silence, e.g. `# pyq: allow code-line-too-long -- a URL`"),
            );
        }
        return None;
    }
    if reason.is_none() {
        problems.push(
            Diagnostic::new(
                Rule::InvalidSuppression,
                whole,
                "this `# pyq: allow` comment gives no reason",
            )
            .label("no `-- reason`")
            .help("end the comment with ` -- ` and why the exception is right, so reviewers can judge it"),
        );
    }
    Some(Directive { item, rules })
}

/// One rule name or code of a directive.
fn name(
    word: &str,
    span: Span,
    rules: &mut Vec<(Rule, Span, bool)>,
    problems: &mut Vec<Diagnostic>,
) {
    match Rule::from_name_or_code(word) {
        Some(rule) if suppressible(rule) => rules.push((rule, span, false)),
        Some(rule) => {
            let why = NEVER
                .iter()
                .find(|(r, _)| *r == rule)
                .map_or("", |(_, why)| why);
            problems.push(
                Diagnostic::new(
                    Rule::InvalidSuppression,
                    span,
                    format!("`{}` cannot be silenced by a comment", rule.name()),
                )
                .label("not silenceable")
                .help(format!("fix the finding instead: {why}")),
            );
        }
        None => {
            let help = match crate::config::closest_rule(word) {
                Some(c) => {
                    format!("did you mean `{c}`? `pyq rules` lists every rule's name and code")
                }
                None => "`pyq rules` lists every rule's name and code".to_owned(),
            };
            problems.push(
                Diagnostic::new(
                    Rule::InvalidSuppression,
                    span,
                    format!("unknown rule `{word}`"),
                )
                .label("not a rule name or code")
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    /// VALID_BANK with a bare `__init__` in questions 2 and 3.
    fn dunders() -> String {
        VALID_BANK
            .replace("from the enclosing function?", "from __init__?")
            .replace("give a growing list?", "give __len__?")
    }

    #[test]
    fn silences_the_named_rules_of_that_question_only() {
        for comment in [
            "  # pyq: allow dunder-outside-code -- the name is the point\n  - number: 3\n",
            "  # pyq: allow raw-html, PYQ303 -- the name is the point\n  - number: 3\n",
            "  # pyq: allow raw-html PYQ303 -- the name is the point\n  - number: 3\n",
            "  - number: 3   # pyq: allow pyq303 -- the name is the point\n",
            "# first line of a two-line comment\n  # pyq: allow dunder-outside-code -- why\n  - number: 3\n",
        ] {
            let bank = dunders().replace("  - number: 3\n", comment);
            let found = lint_rule(&bank, Rule::DunderOutsideCode);
            assert!(
                found.contains("question") && !found.contains("__init__"),
                "{comment}: {found}"
            );
            assert!(found.contains("`__len__`"), "{comment}: {found}");
        }
    }

    #[test]
    fn a_blank_line_detaches_the_comment() {
        let bank = dunders().replace(
            "  - number: 3\n",
            "  # pyq: allow dunder-outside-code -- why\n\n  - number: 3\n",
        );
        assert!(lint_rule(&bank, Rule::DunderOutsideCode).contains("__init__"));
    }

    #[test]
    fn hashes_in_block_scalars_and_quoted_strings_are_not_comments() {
        // The last line of question 2's `|` answer, right above question 3's `-`.
        let bank = dunders().replace(
            "plus a little.\n",
            "plus a little.\n\n      # pyq: allow dunder-outside-code -- text of the answer\n",
        );
        assert!(lint_rule(&bank, Rule::DunderOutsideCode).contains("__init__"));
        assert_eq!(lint_rule(&bank, Rule::UnusedSuppression), "");
        // A `#` inside a quoted value on the `-` line.
        let bank = dunders().replace(
            "  - number: 3\n    id: closure-cells\n",
            "  - id: \"closure-cells\"  # pyq: allow raw-html -- a real comment\n    number: 3\n",
        );
        assert_eq!(
            lint_rule(&bank, Rule::UnusedSuppression),
            "q.yaml:33:39: warning[PYQ710] unused-suppression: `# pyq: allow raw-html` silences nothing here\n"
        );
        let bank = dunders().replace(
            "  - number: 3\n    id: closure-cells\n",
            "  - question: \"a # pyq: allow dunder-outside-code -- not a comment\"\n    number: 3\n    id: closure-cells\n",
        );
        assert_eq!(lint_rule(&bank, Rule::UnusedSuppression), "");
        assert_eq!(lint_rule(&bank, Rule::InvalidSuppression), "");
        // After a block scalar's header on the `-` line: a comment.
        let bank = dunders().replace(
            "  - number: 3\n    id: closure-cells\n    topic: closures\n    difficulty: junior\n    tags: [closures]\n    question: What does a closure capture from __init__?\n",
            "  - question: |  # pyq: allow dunder-outside-code -- why\n      What does a closure capture from __init__?\n    number: 3\n    id: closure-cells\n    topic: closures\n    difficulty: junior\n",
        );
        assert!(!lint_rule(&bank, Rule::DunderOutsideCode).contains("__init__"));
    }

    #[test]
    fn never_silences_the_rules_that_guard_the_file() {
        let bank = VALID_BANK.replace(
            "  - number: 3\n    id: closure-cells\n",
            "  # pyq: allow invalid-id, yaml-syntax -- no\n  - number: 3\n    id: Closure_Cells\n",
        );
        assert!(lint_rule(&bank, Rule::InvalidId).contains("PYQ103"));
        assert_eq!(
            lint_rule(&bank, Rule::InvalidSuppression).lines().count(),
            2
        );
    }

    #[test]
    fn works_across_the_parts_of_a_large_bank() {
        // Large enough to be loaded in two parts on two threads.
        let mut bank = String::from(
            "version: 1\ndeck:\n  name: Big\n  anki_deck_id: 1\n  anki_model_id: 2\ntopics:\n  t: T\nquestions:\n",
        );
        let filler = "x".repeat(300);
        let mut n = 0;
        while bank.len() < 5 * 1024 * 1024 {
            n += 1;
            let _ = write!(
                bank,
                "  # pyq: allow dunder-outside-code -- the name is the point\n  - number: {n}\n    id: q-{n}\n    topic: t\n    difficulty: mid\n    question: Why __init__ {n}?\n    answer: |\n      {filler} {n}\n      # a Python-looking line\n"
            );
        }
        assert_eq!(lint_rule(&bank, Rule::DunderOutsideCode), "");
        assert_eq!(lint_rule(&bank, Rule::UnusedSuppression), "");
    }
}
