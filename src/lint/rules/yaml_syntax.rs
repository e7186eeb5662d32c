//! PYQ001 `yaml-syntax` (emitted by `load`).

/// What `pyq rules yaml-syntax` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a file that is not YAML, not UTF-8, or past one of pyq's safety limits: larger than
512 MiB, nested deeper than 64 levels, aliases that expand to more than 100,000 values,
anchors holding more than 1,000,000 values, or more than one YAML document.

A file saved as UTF-16 or UTF-32 (some Windows editors, PowerShell's `>`) is reported at
line 1, column 1 with its encoding and the command that converts it
(`iconv -f UTF-16 -t UTF-8 questions.yaml > fixed.yaml`). In a file that is not valid UTF-8,
the finding points at the first bad byte, gives its value and what it would be in Latin-1 or
Windows-1252 (`byte 0xE9, é`), and the `iconv -f WINDOWS-1252` command.

## Why is this bad?
Nothing after the error can be read reliably, so pyq stops there and runs no content rules
(they would only report the fallout). The limits keep a hostile pull request from hanging
or exhausting CI (\"billion laughs\" alias bombs, deep nesting).

## Example
```yaml
deck:
  name: [unclosed
```

Use instead: close the bracket, or quote text that contains `: ` or starts with a special
character (`question: \"Why: this?\"`).";

#[cfg(test)]
mod tests {
    use crate::lint::Rule;
    use crate::lint::test::{VALID_BANK, lint_rule};

    #[test]
    fn fires_at_the_error() {
        let out = lint_rule(
            "version: 1\ndeck:\n  name: \"unterminated\n",
            Rule::YamlSyntax,
        );
        assert!(out.starts_with("q.yaml:3:9: error[PYQ001] yaml-syntax: invalid YAML: while scanning a quoted scalar"), "{out}");
    }

    #[test]
    fn fires_on_a_second_document() {
        let out = lint_rule(&format!("{VALID_BANK}---\nversion: 1\n"), Rule::YamlSyntax);
        assert!(out.contains("a second YAML document"), "{out}");
    }

    #[test]
    fn quiet_on_valid_yaml() {
        assert_eq!(lint_rule(VALID_BANK, Rule::YamlSyntax), "");
    }
}
