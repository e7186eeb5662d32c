//! Documentation that must stay in step with the code.

use crate::pyq_stdout as pyq;

#[test]
fn rules_md_is_generated_from_the_code() {
    let committed = std::fs::read_to_string("docs/rules.md").expect("docs/rules.md");
    let generated = pyq(&["rules", "--format", "markdown"]);
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn every_rule_code_is_documented_in_formats_md() {
    let rules: serde_json::Value =
        serde_json::from_str(&pyq(&["rules", "--format", "json"])).expect("json");
    let rules_md = std::fs::read_to_string("docs/rules.md").expect("docs/rules.md");
    for rule in rules.as_array().expect("array") {
        let code = rule["code"].as_str().expect("code");
        let name = rule["name"].as_str().expect("name");
        assert!(
            rules_md.contains(&format!("## {name}\n\n`{code}`")),
            "{code} {name} has no section"
        );
    }
}

/// The ```toml blocks of a Markdown file.
fn toml_blocks(markdown: &str) -> Vec<&str> {
    markdown
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .collect()
}

#[test]
fn config_examples_in_the_docs_are_valid_settings() {
    let config_md = std::fs::read_to_string("docs/config.md").expect("docs/config.md");
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let blocks: Vec<_> = toml_blocks(&config_md)
        .into_iter()
        .chain(toml_blocks(&readme))
        .collect();
    assert!(blocks.len() >= 3, "{blocks:?}");
    for block in &blocks {
        let source =
            pyq::source::SourceFile::new(std::path::Path::new("pyq.toml"), (*block).to_owned());
        assert!(pyq::config::parse(&source).is_ok(), "{block}");
    }
    // The complete example sets every key.
    let source =
        pyq::source::SourceFile::new(std::path::Path::new("pyq.toml"), blocks[0].to_owned());
    let complete = pyq::config::parse(&source).expect("valid");
    let pyq::config::Export {
        format,
        output,
        csv_flavor,
        details,
    } = complete.export;
    assert!(format.is_some() && output.is_some() && csv_flavor.is_some() && details.is_some());
    let pyq::config::CheckCode {
        python,
        timeout,
        jobs,
        pass_env,
        allow_network,
        limits,
    } = complete.check_code;
    assert!(python.is_some() && timeout.is_some() && jobs.is_some());
    assert!(!pass_env.is_empty() && allow_network.is_some());
    for resource in pyq::sandbox::Resource::ALL {
        assert!(limits.iter().any(|&(r, _)| r == resource), "{resource:?}");
    }
    for key in ["version", "allow", "warn", "deny"] {
        assert!(
            blocks[0].contains(&format!("\n{key} = ")) || blocks[0].starts_with(key),
            "{key}"
        );
    }
}

#[test]
fn questions_schema_json_is_generated_from_the_code() {
    let committed =
        std::fs::read_to_string("questions.schema.json").expect("questions.schema.json");
    let generated = pyq(&["schema"]);
    assert!(
        committed == generated,
        "questions.schema.json is stale: run `cargo run -- schema > questions.schema.json`"
    );
}

#[test]
fn the_bank_names_its_schema_for_editors() {
    let bank = std::fs::read_to_string("questions.yaml").expect("questions.yaml");
    assert_eq!(
        bank.lines().next(),
        Some("# yaml-language-server: $schema=./questions.schema.json")
    );
}
