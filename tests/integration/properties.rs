//! Property tests (proptest) for the pieces with invariants: `--fix`
//! renumbering is idempotent and touches only numbers, GUIDs depend only on
//! the deck id and question ids, and both CSV flavours round-trip.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use pyq::export::{self, Context, ExportFormat, Options, csv::CsvFlavor};
use pyq::source::SourceFile;

const DECK_ID: i64 = 1_700_000_000_001;

#[derive(Clone, Debug)]
struct Q {
    id: String,
    number: i64,
    question: String,
    answer: String,
    tags: Vec<String>,
    flow: bool,
}

/// Text a maintainer might type, with the characters that stress YAML,
/// Markdown, HTML and CSV (quotes, tabs, newlines, `<`, `&`, formula
/// starters, non-ASCII).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{1,40}",
        "[=+@-][ -~]{0,20}",
        "[a-z <>&\"'\t\n,;|$`*_#-]{1,40}",
        "\\PC{1,20}",
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn questions(max: usize) -> impl Strategy<Value = Vec<Q>> {
    prop::collection::btree_set("[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?", 1..max).prop_flat_map(
        |ids| {
            let n = ids.len();
            (
                Just(ids.into_iter().collect::<Vec<_>>()),
                prop::collection::vec(-3i64..200, n),
                prop::collection::vec(text(), n),
                prop::collection::vec(text(), n),
                prop::collection::vec(prop::collection::vec("[a-z][a-z0-9-]{0,6}", 0..3), n),
                prop::collection::vec(any::<bool>(), n),
            )
                .prop_map(|(ids, numbers, qs, answers, tags, flows)| {
                    (0..ids.len())
                        .map(|i| Q {
                            id: ids[i].clone(),
                            number: numbers[i],
                            question: qs[i].clone(),
                            answer: answers[i].clone(),
                            tags: tags[i].clone(),
                            flow: flows[i],
                        })
                        .collect()
                })
        },
    )
}

fn quote(s: &str) -> String {
    // JSON strings are YAML double-quoted scalars.
    serde_json::to_string(s).expect("a string encodes")
}

fn yaml(qs: &[Q]) -> String {
    let mut y = format!(
        "version: 1\ndeck:\n  name: Props\n  anki_deck_id: {DECK_ID}\n  anki_model_id: 1700000000002\ntopics:\n  t: Topic\nquestions:\n"
    );
    for q in qs {
        let tags = q
            .tags
            .iter()
            .map(|t| quote(t))
            .collect::<Vec<_>>()
            .join(", ");
        if q.flow {
            y.push_str(&format!(
                "  - {{number: {}, id: {}, topic: t, difficulty: mid, tags: [{tags}], question: {}, answer: {}}}  # flow\n",
                q.number,
                q.id,
                quote(&q.question),
                quote(&q.answer)
            ));
        } else {
            y.push_str(&format!(
                "  # {}\n  - number:   {}\n    id: {}\n    topic: t\n    difficulty: mid\n    tags: [{tags}]\n    question: {}\n    answer: {}\n",
                q.id,
                q.number,
                q.id,
                quote(&q.question),
                quote(&q.answer)
            ));
        }
    }
    y
}

fn source(text: &str) -> SourceFile {
    SourceFile::from_bytes(Path::new("p.yaml"), text.as_bytes().to_vec())
}

fn load(source: &SourceFile) -> pyq::load::Loaded<'_> {
    let loaded = pyq::load::load(source);
    let text = source.text();
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}\n{text}",
        loaded.diagnostics
    );
    loaded
}

fn fix(text: &str) -> (String, usize) {
    let source = source(text);
    let loaded = pyq::load::load(&source);
    let diagnostics = pyq::lint::check(&loaded, &source, &pyq::lint::Settings::default());
    pyq::fix::apply(text, &diagnostics)
}

fn produce(bank: &pyq::model::Bank<'_>, flavor: CsvFlavor) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = Context {
        bank,
        scratch_dir: None,
        cache: None,
        stamp: 1_800_000_000,
    };
    let exporters = ExportFormat::Csv.exporters(Options {
        csv_flavor: flavor,
        details: true,
    });
    let mut artifacts = export::produce(&exporters, &ctx, dir.path()).expect("export");
    artifacts
        .pop()
        .expect("one CSV")
        .content
        .to_vec()
        .expect("the CSV")
}

fn anki_rows(csv: &[u8]) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(csv)
        .records()
        .map(|r| r.expect("a record"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn renumbering_is_idempotent_and_touches_only_numbers(qs in questions(12)) {
        let text = yaml(&qs);
        let text_source = source(&text);
        let before = load(&text_source).bank;
        let (once, _) = fix(&text);
        let (twice, changes) = fix(&once);
        prop_assert_eq!(changes, 0);
        prop_assert_eq!(&once, &twice);
        let once_source = source(&once);
        let after = load(&once_source).bank;
        let numbers: Vec<i64> = after.questions.iter().map(|q| q.number.as_ref().unwrap().value).collect();
        prop_assert_eq!(numbers, (1..=qs.len() as i64).collect::<Vec<_>>());
        // Everything but the numbers is as it was, comments included.
        for (a, b) in before.questions.iter().zip(&after.questions) {
            prop_assert_eq!(a.id_str(), b.id_str());
            prop_assert_eq!(a.question.as_ref().unwrap().value(), b.question.as_ref().unwrap().value());
            prop_assert_eq!(a.answer.as_ref().unwrap().value(), b.answer.as_ref().unwrap().value());
        }
        let strip = |t: &str| -> Vec<String> {
            t.lines().map(|l| l.split("number:").next().unwrap_or("").to_owned()).collect()
        };
        prop_assert_eq!(strip(&text), strip(&once));
    }

    #[test]
    fn guids_depend_only_on_the_deck_and_question_ids(qs in questions(10), other in prop::collection::vec(text(), 10), rotate in 0usize..10) {
        // The same ids with other text, numbers and order.
        let mut changed = qs.clone();
        for (q, t) in changed.iter_mut().zip(&other) {
            q.answer = t.clone();
            q.question = format!("{t}?");
            q.number += 7;
            q.flow = !q.flow;
        }
        let n = changed.len();
        changed.rotate_left(rotate % n);
        let guids = |qs: &[Q]| -> BTreeMap<String, String> {
            anki_rows(&produce(&load(&source(&yaml(qs))).bank, CsvFlavor::Anki))
                .iter()
                .map(|r| (r[6].to_owned(), r[8].to_owned()))
                .collect()
        };
        let a = guids(&qs);
        prop_assert_eq!(&a, &guids(&changed));
        for (id, guid) in &a {
            prop_assert_eq!(guid, &pyq::identity::guid(DECK_ID, id));
        }
        let distinct: std::collections::BTreeSet<_> = a.values().collect();
        prop_assert_eq!(distinct.len(), a.len());
    }

    #[test]
    fn plain_csv_round_trips(qs in questions(10)) {
        let source = source(&yaml(&qs));
        let bank = load(&source).bank;
        let csv = produce(&bank, CsvFlavor::Plain);
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
        prop_assert_eq!(rows.len(), qs.len());
        let plain = |cell: &str, original: &str| {
            // The one change: a formula-like cell gets a leading `'`.
            if original.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                cell.strip_prefix('\'').map(str::to_owned)
            } else {
                Some(cell.to_owned())
            }
        };
        for (row, q) in rows.iter().zip(&qs) {
            prop_assert_eq!(plain(&row[5], &q.question), Some(q.question.clone()));
            prop_assert_eq!(plain(&row[6], &q.answer), Some(q.answer.clone()));
            prop_assert_eq!(&row[1], q.id.as_str());
            prop_assert_eq!(plain(&row[4], &q.tags.join(" ")), Some(q.tags.join(" ")));
        }
    }

    #[test]
    fn anki_csv_round_trips_the_card_fields(qs in questions(10)) {
        let source = source(&yaml(&qs));
        let bank = load(&source).bank;
        let rows = anki_rows(&produce(&bank, CsvFlavor::Anki));
        let cards = pyq::render::cards(&bank);
        prop_assert_eq!(rows.len(), cards.len());
        for (row, c) in rows.iter().zip(&cards) {
            prop_assert_eq!(&row[0], c.question.as_str());
            prop_assert_eq!(&row[1], c.answer.as_str());
            prop_assert_eq!(row[2].to_owned(), c.number.to_string());
            prop_assert_eq!(&row[3], c.topic.as_str());
            prop_assert_eq!(&row[5], c.see_also.as_str());
            prop_assert_eq!(&row[6], c.id.as_str());
            prop_assert_eq!(row[7].to_owned(), c.tags.join(" "));
        }
    }
}
