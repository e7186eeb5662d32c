//! Card HTML is safe by construction: every filter-evasion input of
//! tests/xss/vectors.txt, put into every Markdown context a bank offers,
//! comes out of the .apkg and the Anki CSV with only allow-listed tags and
//! attributes, as an independent HTML tokenizer (html5gum, which follows the
//! WHATWG tokenizer a browser uses) reads them. The lint gate is bypassed on
//! purpose (the exporters are called directly): this is the net under it.

use std::io::Read;
use std::path::Path;

use pyq::export::{self, Context, ExportFormat, Options, csv::CsvFlavor};
use pyq::render::sanitize::POLICY;
use pyq::source::SourceFile;

fn vectors() -> Vec<String> {
    include_str!("../xss/vectors.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            l.replace("\\t", "\t")
                .replace("\\n", "\n")
                .replace("\\r", "\r")
                .replace("\\0", "\0")
                .replace("\\x0b", "\x0b")
                .replace("\\x0c", "\x0c")
        })
        .collect()
}

/// The vector in every place Markdown can carry it.
fn contexts(v: &str) -> String {
    let one_line = v.replace(['\n', '\r'], " ");
    [
        v.to_owned(),
        format!("*{one_line}* **{one_line}** ~~{one_line}~~"),
        format!("`` {one_line} ``"),
        format!("[x]({one_line}) [y](<{one_line}>) <{one_line}>"),
        format!(
            "[z](https://ok.example/ \"{}\")",
            one_line.replace('"', "'")
        ),
        format!("[r1]\n\n[r1]: {one_line}"),
        format!("# {one_line}"),
        format!("- {one_line}\n\n1. {one_line}\n\n> {one_line}"),
        format!("| {0} |\n| :-: |\n| {0} |", one_line.replace('|', "\\|")),
        format!("${one_line}$ and $${one_line}$$"),
        format!("~~~{}\n{v}\n~~~", one_line.replace('~', "")),
        format!("```python\n{v}\n```"),
    ]
    .join("\n\n")
}

fn bank(vectors: &[String]) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string encodes");
    let mut yaml = format!(
        "version: 1\ndeck:\n  name: XSS\n  description: {}\n  anki_deck_id: 1700000000001\n  anki_model_id: 1700000000002\ntopics:\n",
        q(&vectors.join("\n\n"))
    );
    for (i, v) in vectors.iter().enumerate() {
        yaml.push_str(&format!("  t{i}: {}\n", q(v)));
    }
    yaml.push_str("questions:\n");
    for (i, v) in vectors.iter().enumerate() {
        let related = if i > 0 {
            format!("[x{}]", i - 1)
        } else {
            "[]".to_owned()
        };
        yaml.push_str(&format!(
            "  - number: {n}\n    id: x{i}\n    topic: t{i}\n    difficulty: mid\n    question: {}\n    answer: {}\n    related: {related}\n",
            q(&format!("{v}?")),
            q(&contexts(v)),
            n = i + 1,
        ));
    }
    yaml
}

/// Panics unless a browser would find only allow-listed markup in `html`.
fn assert_safe(html: &str, place: &str) {
    for token in html5gum::Tokenizer::new(html) {
        let Ok(token) = token;
        match token {
            html5gum::Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                let Some((_, allowed)) = POLICY.iter().find(|(t, _)| *t == name) else {
                    panic!("<{name}> in {place}: {html}");
                };
                for (key, value) in &tag.attributes {
                    let key = String::from_utf8_lossy(key).into_owned();
                    let value = String::from_utf8_lossy(&value.value).into_owned();
                    assert!(
                        allowed.contains(&key.as_str()),
                        "<{name} {key}> in {place}: {html}"
                    );
                    match key.as_str() {
                        "href" => assert!(safe_url(&value), "href={value:?} in {place}"),
                        "style" => assert!(
                            value.starts_with("text-align: ") && !value.contains([';', '(']),
                            "style={value:?} in {place}"
                        ),
                        _ => {}
                    }
                }
            }
            html5gum::Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                assert!(
                    POLICY.iter().any(|(t, _)| *t == name),
                    "</{name}> in {place}"
                );
            }
            html5gum::Token::Comment(_) | html5gum::Token::Doctype(_) => {
                panic!("a comment or doctype in {place}: {html}")
            }
            html5gum::Token::String(_) | html5gum::Token::Error(_) => {}
        }
    }
}

/// Stricter than a browser: every space and control character is removed
/// before looking for a scheme.
fn safe_url(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match url.find(':') {
        None => true,
        Some(colon) => {
            let scheme = &url[..colon];
            scheme.contains(['/', '?', '#']) || matches!(scheme, "http" | "https" | "mailto")
        }
    }
}

fn note_fields(apkg: &[u8]) -> (Vec<Vec<String>>, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apkg)).expect("a zip");
    let mut db = Vec::new();
    zip.by_name("collection.anki2")
        .expect("collection")
        .read_to_end(&mut db)
        .expect("read collection");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), db).expect("write collection");
    let conn = rusqlite::Connection::open(file.path()).expect("open db");
    let mut stmt = conn.prepare("SELECT flds FROM notes").expect("query");
    let notes = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("notes")
        .map(|f| {
            f.expect("a note")
                .split('\x1f')
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let decks: String = conn
        .query_row("SELECT decks FROM col", [], |r| r.get(0))
        .expect("decks");
    (notes, decks)
}

#[test]
fn no_filter_evasion_input_survives_into_the_deck_or_the_csv() {
    let vectors = vectors();
    assert!(vectors.len() >= 100, "{} vectors", vectors.len());
    let source = SourceFile::from_bytes(Path::new("xss.yaml"), bank(&vectors).into_bytes());
    let loaded = pyq::load::load(&source);
    assert_eq!(loaded.bank.questions.len(), vectors.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: None,
        cache: None,
        stamp: 1_800_000_000,
    };
    let exporters = ExportFormat::All.exporters(Options {
        csv_flavor: CsvFlavor::Anki,
        details: true,
    });
    let artifacts = export::produce(&exporters, &ctx, dir.path()).expect("export");
    let file = |ext: &str| {
        artifacts
            .iter()
            .find(|a| a.path.extension().is_some_and(|e| e == ext))
            .expect("an artifact")
            .content
            .to_vec()
            .expect("the file")
    };

    let (notes, decks) = note_fields(&file("apkg"));
    assert_eq!(notes.len(), vectors.len());
    for (i, fields) in notes.iter().enumerate() {
        for (f, html) in fields.iter().enumerate() {
            assert_safe(html, &format!("note {i} field {f}"));
        }
        // Escaped, not dropped: the answer still shows the input as text.
        let answer: String = html5gum::Tokenizer::new(fields[1].as_str())
            .filter_map(|t| match t {
                Ok(html5gum::Token::String(s)) => Some(String::from_utf8_lossy(&s).into_owned()),
                _ => None,
            })
            .collect();
        let number: usize = fields[2].parse().expect("a number");
        let v = &vectors[number - 1];
        if v.contains("alert") {
            assert!(answer.contains("alert"), "note {number}: {answer}");
        }
    }
    let decks: serde_json::Value = serde_json::from_str(&decks).expect("decks JSON");
    let desc = decks
        .as_object()
        .expect("decks")
        .values()
        .find(|d| d["name"] == "XSS")
        .expect("the deck")["desc"]
        .as_str()
        .expect("a description")
        .to_owned();
    assert!(desc.contains("alert"), "{desc}");
    assert_safe(&desc, "the deck description");

    let csv_bytes = file("csv");
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(csv_bytes.as_slice());
    let mut rows = 0;
    for record in csv.records() {
        let record = record.expect("a CSV record");
        // Columns 1-7 are note fields (HTML); 8 and 9 are tags and GUID.
        for (c, cell) in record.iter().take(7).enumerate() {
            assert_safe(cell, &format!("CSV row {rows} column {}", c + 1));
        }
        rows += 1;
    }
    assert_eq!(rows, vectors.len());

    let page = String::from_utf8(file("html")).expect("UTF-8");
    assert_eq!(page.matches("<article ").count(), vectors.len());
    assert_page_safe(&page);
}

/// The HTML page: its one script is pyq's own, and nothing from the bank
/// adds a script, an event handler, an unsafe URL, something that loads a
/// resource, or a style that could (`url(…)`).
fn assert_page_safe(html: &str) {
    let (mut scripts, mut styles) = (0, 0);
    for token in html5gum::Tokenizer::new(html) {
        let Ok(token) = token;
        match token {
            html5gum::Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                if name == "script" {
                    scripts += 1;
                }
                if name == "style" {
                    styles += 1;
                }
                assert!(
                    ![
                        "iframe", "object", "embed", "img", "image", "link", "base", "svg",
                        "video", "audio", "source", "frame", "frameset",
                    ]
                    .contains(&name.as_str()),
                    "<{name}> in the page"
                );
                for (key, value) in &tag.attributes {
                    let key = String::from_utf8_lossy(key).to_ascii_lowercase();
                    let value = String::from_utf8_lossy(&value.value).into_owned();
                    assert!(!key.starts_with("on"), "<{name} {key}> in the page");
                    assert!(
                        ![
                            "src",
                            "srcdoc",
                            "srcset",
                            "action",
                            "formaction",
                            "background",
                            "poster",
                            "xlink:href",
                            "data",
                            "codebase",
                            "ping",
                        ]
                        .contains(&key.as_str()),
                        "<{name} {key}> in the page"
                    );
                    match key.as_str() {
                        "href" => assert!(safe_url(&value), "href={value:?} in the page"),
                        "style" => assert!(
                            !value.contains(['(', '\\', '"', '\'', '/']),
                            "style={value:?} in the page"
                        ),
                        _ => {}
                    }
                }
            }
            html5gum::Token::Comment(c) => {
                panic!("a comment in the page: {}", String::from_utf8_lossy(&c))
            }
            _ => {}
        }
    }
    assert_eq!(scripts, 1, "the page's own script only");
    assert_eq!(styles, 1, "the page's own stylesheet only");
}

#[test]
fn the_checker_itself_catches_what_it_must() {
    for bad in [
        "<script>x</script>",
        "<p onclick=\"x\">",
        "<a href=\"java&#x09;script:x\">",
        "<!-- x -->",
        "<img src=x>",
        "<td style=\"color: red\">",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_safe(bad, "probe")).is_err(),
            "{bad}"
        );
    }
    assert_safe("<p>&lt;script&gt; <a href=\"#a\">a</a></p>", "probe");
}

#[test]
fn every_vector_fed_straight_to_the_sanitiser_comes_out_safe() {
    // As if the renderer had a bug and passed the input through as HTML.
    for v in vectors() {
        let clean = pyq::render::sanitize(&v);
        assert_safe(&clean, &format!("sanitize({v:?})"));
        assert!(
            clean.contains("alert") == v.contains("alert"),
            "{v:?} lost text"
        );
    }
}
