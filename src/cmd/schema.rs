//! `pyq schema`: the JSON Schema (draft 2020-12) of the bank file format,
//! derived from the model types the loader fills (see `model.rs`), for
//! editors' completion, hover text and checks. `questions.schema.json` is
//! its committed output.

use std::io::Write;

use schemars::generate::SchemaSettings;

use crate::cmd::Status;
use crate::error::Error;
use crate::model::Bank;

pub fn run(out: &mut dyn Write) -> Result<Status, Error> {
    out.write_all(text().as_bytes())?;
    Ok(Status::Success)
}

/// The schema as pretty-printed JSON with a final newline; the same bytes on
/// every run (object keys sorted).
pub fn text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("a schema is plain JSON");
    s.push('\n');
    s
}

/// The schema as a JSON value.
pub fn schema() -> serde_json::Value {
    // Everything inlined: no `$ref`/`$defs`, so editors whose language
    // server resolves only draft-07 references (yaml-language-server walks
    // `definitions`, not `$defs`) still see every description.
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    generator.into_root_schema_for::<Bank<'_>>().to_value()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::schema;
    use crate::lint::codes::Rule;
    use crate::load::load;
    use crate::model::Difficulty;
    use crate::source::SourceFile;

    fn at<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
        let found = path.iter().fold(v, |v, k| &v[*k]);
        assert!(found.is_object(), "no object at {path:?}");
        found
    }

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    }

    fn strings(v: &Value) -> Vec<String> {
        let mut s: Vec<String> = v
            .as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_str().expect("string").to_owned())
            .collect();
        s.sort();
        s
    }

    /// What the loader says about a bank: (rule, message, help) of every
    /// finding.
    fn findings(yaml: &str) -> Vec<(Rule, String, String)> {
        let source = SourceFile::new(Path::new("q.yaml"), yaml.to_owned());
        load(&source)
            .diagnostics
            .into_iter()
            .map(|d| (d.rule, d.message, d.help.unwrap_or_default()))
            .collect()
    }

    /// The keys the loader knows in one mapping, read from the help of its
    /// `unknown-key` finding ("the keys of X are `a`, `b`").
    fn loader_keys(yaml: &str) -> Vec<String> {
        let found = findings(yaml);
        let (_, _, help) = found
            .iter()
            .find(|(r, _, _)| *r == Rule::UnknownKey)
            .unwrap_or_else(|| panic!("no unknown-key finding in {found:?}"));
        let list = help.split(" are ").nth(1).expect("a list of keys");
        let mut k: Vec<String> = list
            .split(", ")
            .map(|k| k.trim_matches('`').to_owned())
            .collect();
        k.sort();
        k
    }

    /// The keys the loader requires in the mapping it names `what`: its
    /// `missing-field` findings ("`deck` is missing `name`") for an empty one.
    fn loader_required(yaml: &str, what: &str) -> Vec<String> {
        let mut k: Vec<String> = findings(yaml)
            .iter()
            .filter(|(r, m, _)| *r == Rule::MissingField && m.starts_with(what))
            .map(|(_, m, _)| m.rsplit('`').nth(1).expect("a key").to_owned())
            .collect();
        assert!(
            !k.is_empty(),
            "no missing-field finding for {what} in {yaml}"
        );
        k.sort();
        k
    }

    const HEAD: &str =
        "version: 1\ndeck: {name: D, anki_deck_id: 1, anki_model_id: 2}\ntopics: {t: T}\n";

    #[test]
    fn declares_draft_2020_12_and_inlines_everything() {
        let s = schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        let text = super::text();
        assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn has_the_loaders_keys_everywhere() {
        let s = schema();
        let question = at(&s, &["properties", "questions", "items"]);
        assert_eq!(
            keys(&s),
            loader_keys(&format!("{HEAD}questions: []\nx: 1\n"))
        );
        assert_eq!(
            keys(at(&s, &["properties", "deck"])),
            loader_keys("deck: {x: 1}\n")
        );
        assert_eq!(
            keys(question),
            loader_keys(&format!("{HEAD}questions:\n  - x: 1\n"))
        );
        let retired = at(&s, &["properties", "retired", "items"]);
        assert_eq!(
            keys(retired),
            loader_keys(&format!("{HEAD}questions: []\nretired:\n  - x: 1\n"))
        );
        for v in [&s, at(&s, &["properties", "deck"]), question, retired] {
            assert_eq!(v["additionalProperties"], false);
            assert_eq!(v["type"], "object");
        }
    }

    #[test]
    fn requires_what_the_loader_requires() {
        let s = schema();
        assert_eq!(strings(&s["required"]), loader_required("{}", "the bank "));
        assert_eq!(
            strings(&s["properties"]["deck"]["required"]),
            loader_required("deck: {}\n", "`deck` ")
        );
        // `answer` is not a `missing-field` but a `missing-answer`, an error
        // all the same, so the schema requires it too.
        let mut question = loader_required(&format!("{HEAD}questions:\n  - {{}}\n"), "question 1 ");
        question.push("answer".to_owned());
        question.sort();
        assert_eq!(
            strings(&s["properties"]["questions"]["items"]["required"]),
            question
        );
        assert_eq!(
            strings(&s["properties"]["retired"]["items"]["required"]),
            loader_required(
                &format!("{HEAD}questions: []\nretired:\n  - {{}}\n"),
                "item 1 of `retired` "
            )
        );
    }

    #[test]
    fn every_property_has_a_description() {
        fn walk(v: &Value, path: &str) {
            if let Some(props) = v["properties"].as_object() {
                for (k, p) in props {
                    let d = p["description"].as_str().unwrap_or_default();
                    assert!(d.len() > 20, "{path}.{k} has no useful description");
                    walk(p, &format!("{path}.{k}"));
                    walk(&p["items"], &format!("{path}.{k}[]"));
                }
            }
        }
        let s = schema();
        walk(&s, "");
        assert!(
            s["properties"]["topics"]["additionalProperties"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("title"))
        );
    }

    #[test]
    fn values_are_constrained_like_the_loader() {
        let s = schema();
        let p = &s["properties"];
        let q = &p["questions"]["items"]["properties"];
        assert_eq!(p["version"]["const"], 1);
        let difficulties: Vec<&str> = Difficulty::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(q["difficulty"]["enum"], serde_json::json!(difficulties));
        assert_eq!(q["number"]["minimum"], 1);
        assert_eq!(p["deck"]["properties"]["anki_deck_id"]["minimum"], 1);
        assert_eq!(p["deck"]["properties"]["anki_model_id"]["minimum"], 1);
        assert_eq!(q["id"]["pattern"], crate::load::SLUG_PATTERN);
        assert_eq!(
            p["topics"]["propertyNames"]["pattern"],
            crate::load::SLUG_PATTERN
        );
        assert_eq!(q["related"]["items"]["pattern"], crate::load::SLUG_PATTERN);
        assert_eq!(
            q["tags"]["items"]["pattern"],
            crate::lint::rules::TAG_PATTERN
        );
        // Null is an empty list or description to the loader, and an error
        // everywhere else.
        assert_eq!(q["tags"]["type"], serde_json::json!(["array", "null"]));
        assert_eq!(q["related"]["type"], serde_json::json!(["array", "null"]));
        assert_eq!(
            p["deck"]["properties"]["description"]["type"],
            serde_json::json!(["string", "null"])
        );
        assert_eq!(q["answer"]["type"], "string");
        assert_eq!(q["id"]["type"], "string");
    }
}
