//! PYQ006 `invalid-config` (emitted by `config`).

/// What `pyq rules invalid-config` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reports a problem in `pyq.toml`, pyq's optional settings file (or the file named with
`--config`): TOML that does not parse, a file that is not UTF-8, a key pyq does not have, a
value of the wrong type, or a value outside its set (an unknown rule, export format or CSV
flavor), each at its line and column with a suggestion.

## Why is this bad?
A misspelt setting that was quietly ignored would change what pyq does without anyone seeing
why: `alow = [\"near-duplicate\"]` would leave the rule on, `deny = [\"warning\"]` would let
warnings pass in CI. So pyq does not run with a config it cannot read whole: it reports every
problem in the file and exits with 2, like a mistyped flag. The finding cannot be allowed;
`--no-config` runs without the file.

## Example
```toml
[lint]
alow = [\"near-duplicate\"]
```

Use instead: `allow`. Every setting, with its default:

```toml
version = 1

[lint]            # rule names or codes, as for --allow, --warn, --deny
allow = []
warn = []
deny = []         # \"warnings\" here makes every warning an error

[export]
format = \"all\"    # all | anki | csv | markdown
output = \"exports\" # relative to this file's folder [default: exports/ beside the bank]
csv-flavor = \"anki\" # anki | plain
details = true    # false: answers shown openly, as --no-details

[check-code]
python = \"python3\"
timeout = 10.0    # seconds per block
jobs = 2          # [default: the number of cores]
pass-env = []     # variables handed to blocks
allow-network = false

[check-code.limits] # per block; \"unlimited\" switches one off (docs/limits.md)
cpu-time = 60
memory = \"512MiB\"
file-size = \"64MiB\"
open-files = 256
processes = 128
```";

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::source::SourceFile;

    fn problems(toml: &str) -> String {
        let source = SourceFile::new(Path::new("pyq.toml"), toml.to_owned());
        let diagnostics = crate::config::parse(&source).expect_err("problems");
        let mut buf = Vec::new();
        crate::emit::concise::emit(&diagnostics, &source, &mut buf).expect("writing to a Vec");
        String::from_utf8(buf).expect("utf-8")
    }

    #[test]
    fn fires_with_a_suggestion() {
        assert_eq!(
            problems("[lint]\nalow = [\"near-duplicate\"]\n"),
            "pyq.toml:2:1: error[PYQ006] invalid-config: unknown key `alow` in `[lint]`\n"
        );
    }

    #[test]
    fn quiet_on_the_explained_example() {
        let example = super::EXPLANATION
            .rsplit_once("```toml\n")
            .and_then(|(_, rest)| rest.split_once("```"))
            .map(|(toml, _)| toml)
            .expect("a toml block");
        let source = SourceFile::new(Path::new("pyq.toml"), example.to_owned());
        assert!(crate::config::parse(&source).is_ok());
    }
}
