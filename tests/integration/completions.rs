//! `pyq completions SHELL`: scripts that know every command, and a bash
//! script that bash accepts and that completes.

use std::process::Command;

use crate::pyq_stdout as pyq;

use clap::CommandFactory;

fn commands() -> Vec<String> {
    let cli = pyq::cli::Cli::command();
    let names: Vec<String> = cli
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert!(names.len() >= 7, "{names:?}");
    names
}

#[test]
fn every_shell_script_names_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = pyq(&["completions", shell]);
        for command in commands() {
            assert!(
                script.contains(&command),
                "the {shell} script does not mention `{command}`"
            );
        }
    }
}

/// Sources the bash script and asks it to complete `words` (the last one
/// being the word under the cursor), as bash does on Tab.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let current = words.len() - 1;
    let program = format!(
        "source {script:?} || exit 3\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD={current}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _pyq pyq \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_parses_and_completes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("pyq.bash");
    std::fs::write(&script, pyq(&["completions", "bash"])).expect("write");

    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("run bash -n");
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );

    let top = bash_complete(&script, &["pyq", ""]);
    for command in commands() {
        assert!(
            top.contains(&command),
            "`pyq <Tab>` lacks {command}: {top:?}"
        );
    }
    assert_eq!(
        bash_complete(&script, &["pyq", "lint", "--f"]),
        ["--format", "--fix"]
    );
    assert_eq!(
        bash_complete(&script, &["pyq", "completions", "f"]),
        ["fish"]
    );
}
