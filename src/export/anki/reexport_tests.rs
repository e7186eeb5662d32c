//! Re-exports: only changed notes are rendered, and the package is the
//! same bytes a full render gives.

use std::io::{Read, Write};
use std::path::Path;

use super::{Anki, RENDERER, model_signature, renderer, source_keys};
use crate::export::{Context, Exporter, produce, write};
use crate::lint::markdown::Seen;
use crate::source::SourceFile;

const BANK: &str = "\
version: 1
deck: {name: Deck, anki_deck_id: 11, anki_model_id: 22}
topics: {t: Topic T, u: Topic U}
questions:
  - number: 1
    id: one
    topic: t
    difficulty: mid
    tags: [x]
    related: [three]
    question: What is `one`?
    answer: |
      **Short answer:** one.

      ```python
      def one() -> int:
          return 1
      ```
  - number: 2
    id: two
    topic: t
    difficulty: junior
    question: What is two?
    answer: Two, with $O(1)$ math.
  - number: 3
    id: three
    topic: u
    difficulty: senior
    question: What is three?
    answer: |
      ```toml
      [tool.x]
      a = 3
      ```
  - number: 4
    id: four
    topic: u
    difficulty: mid
    question: What is four?
    answer: Four.
";

/// Exports `bank` into `dir` (writing the package) at `stamp`; returns the
/// package's bytes and how many questions were rendered.
fn export(bank: &str, dir: &Path, stamp: i64) -> (Vec<u8>, usize) {
    export_with(bank, dir, stamp, None)
}

/// [`export`], with `cache` (read, then added to).
fn export_with(
    bank: &str,
    dir: &Path,
    stamp: i64,
    cache: Option<&std::sync::Arc<super::cache::Cache>>,
) -> (Vec<u8>, usize) {
    let source = SourceFile::new(Path::new("q.yaml"), bank.to_owned());
    let loaded = crate::load::load(&source);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    // As `pyq export` does: the package is written into the folder as it
    // is made.
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: dir.is_dir().then_some(dir),
        cache: cache.cloned(),
        stamp,
    };
    let path = dir.join(Anki::default().file_name(&loaded.bank));
    let rendered = match std::fs::File::open(&path) {
        Ok(file) => {
            let sink = Anki::default().start(&ctx, Some(&file)).expect("start");
            (0..loaded.bank.questions.len())
                .filter(|&i| sink.needs_render(i))
                .count()
        }
        Err(_) => loaded.bank.questions.len(),
    };
    let exporters: Vec<Box<dyn Exporter + Send + Sync>> = vec![Box::new(Anki::default())];
    let artifacts = produce(&exporters, &ctx, dir).expect("export");
    let bytes = artifacts[0].content.to_vec().expect("the package");
    write(artifacts, dir).expect("write");
    if let Some(cache) = cache {
        cache.commit();
    }
    (bytes, rendered)
}

/// A cache in `dir` for exports into `out`.
fn cache_in(dir: &Path, out: &Path) -> std::sync::Arc<super::cache::Cache> {
    std::sync::Arc::new(super::cache::Cache::for_bank(&dir.join("q.yaml"), out, true).unwrap())
}

/// Starts the Anki export of `bank` (at stamp 2000) over the package in
/// `dir`, and gives `f` what starting it gave and the bank's questions.
fn start_over<R>(
    bank: &str,
    dir: &Path,
    f: impl FnOnce(
        Result<Box<dyn crate::export::Sink + Send + '_>, crate::error::Error>,
        &[crate::model::Question<'_>],
    ) -> R,
) -> R {
    let source = SourceFile::new(Path::new("q.yaml"), bank.to_owned());
    let loaded = crate::load::load(&source);
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: None,
        cache: None,
        stamp: 2000,
    };
    let file = std::fs::File::open(dir.join(Anki::default().file_name(&loaded.bank))).unwrap();
    f(
        Anki::default().start(&ctx, Some(&file)),
        &loaded.bank.questions,
    )
}

/// Runs `sql` on the collection of the package at `path`, in place.
fn tamper(path: &Path, sql: &str) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut db = Vec::new();
    zip.by_name("collection.anki2")
        .unwrap()
        .read_to_end(&mut db)
        .unwrap();
    let scratch = tempfile::NamedTempFile::new().unwrap();
    scratch.as_file().write_all(&db).unwrap();
    let conn = rusqlite::Connection::open(scratch.path()).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let bytes =
        super::package::package_bytes(scratch.path(), &super::package::Reused::default()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A folder holding `bank`'s package as exported at stamp 1000, then
/// tampered with `sql` (if any).
fn with_previous(bank: &str, sql: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    export(bank, dir.path(), 1000);
    if let Some(sql) = sql {
        tamper(&dir.path().join("deck.apkg"), sql);
    }
    dir
}

/// The package a full render of `bank` gives, over `bank_before`'s package
/// (tampered with `sql`) with its source keys removed (so nothing is
/// copied; `mod`s still carry over).
fn full_render(bank_before: &str, sql: Option<&str>, bank: &str) -> Vec<u8> {
    let sql = format!("{}; DROP TABLE IF EXISTS pyq_sources", sql.unwrap_or(""));
    let dir = with_previous(bank_before, Some(&sql));
    let (bytes, rendered) = export(bank, dir.path(), 2000);
    assert_eq!(rendered, bank.matches("\n  - number:").count());
    bytes
}

/// Re-exports `bank` over `bank_before`'s package (tampered with `sql`):
/// how many notes were rendered, checking the bytes against a full render.
///
/// And again with a cache, which has the previous package's collection
/// unless `sql` changed the package after it was exported: the same bytes
/// and the same notes rendered.
fn reexport(bank_before: &str, sql: Option<&str>, bank: &str) -> usize {
    let full = full_render(bank_before, sql, bank);
    let dir = with_previous(bank_before, sql);
    let (bytes, rendered) = export(bank, dir.path(), 2000);
    assert!(bytes == full, "re-export differs from a full render");
    let cached = tempfile::tempdir().unwrap();
    let out = cached.path().join("out");
    std::fs::create_dir(&out).unwrap();
    export_with(
        bank_before,
        &out,
        1000,
        Some(&cache_in(cached.path(), &out)),
    );
    if let Some(sql) = sql {
        tamper(&out.join("deck.apkg"), sql);
    }
    let (bytes, again) = export_with(bank, &out, 2000, Some(&cache_in(cached.path(), &out)));
    assert!(
        bytes == full,
        "with a cache, re-export differs from a full render"
    );
    assert_eq!(again, rendered, "with a cache");
    rendered
}

#[test]
fn the_cache_gives_what_reading_the_collection_gives() {
    // A retired question (a note without a source key row) and Markdown
    // facts kept with the notes.
    let bank = format!(
        "{}retired:\n  - id: q120\n    reason: Gone.\n",
        BANK.replace("Four.", "Four, <b>bold</b> [link](https://example.org/).")
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let cache = cache_in(dir.path(), &out);
    export_with(&bank, &out, 1000, Some(&cache));
    let file = std::fs::File::open(out.join("deck.apkg")).unwrap();
    // The package as a re-export reads it, with or without the cache.
    let previous = |cache: Option<&super::cache::Cache>| {
        super::previous::Unpacked::read(&file, None, cache)
            .unwrap()
            .into_previous(22, 11)
    };
    let read = previous(None);
    let cached = previous(Some(&cache));
    assert!(matches!(
        cached.collection,
        Some(super::previous::Collection::Cached(_))
    ));
    assert!(matches!(
        read.collection,
        Some(super::previous::Collection::Unpacked(_))
    ));
    assert_eq!(cached.notes, read.notes);
    assert_eq!(cached.notes.len(), 5, "four questions and a retired one");
    assert_eq!(cached.sources, read.sources);
    assert_eq!(cached.sources.len(), 4);
    assert!(cached.sources.values().any(|(_, _, facts)| facts.is_some()));
    assert_eq!(cached.cards, read.cards);
    assert_eq!(cached.model, read.model);
    assert_eq!(cached.deck, read.deck);
    assert!(cached.model.is_some() && cached.deck.is_some());
    // A damaged entry is not used (and is removed): the collection is read.
    let entry = std::fs::read_dir(dir.path().join(super::cache::DIR_NAME))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "anki2"))
        .unwrap();
    let mut db = std::fs::read(&entry).unwrap();
    let last = db.len() - 1;
    db[last] ^= 1;
    std::fs::write(&entry, db).unwrap();
    let damaged = previous(Some(&cache));
    assert!(matches!(
        damaged.collection,
        Some(super::previous::Collection::Unpacked(_))
    ));
    assert_eq!(damaged.notes, read.notes);
    assert!(!entry.exists());
}

#[test]
fn unchanged_bank_renders_nothing() {
    assert_eq!(reexport(BANK, None, BANK), 0);
    // And the package is the same bytes as before (every `mod` kept).
    let dir = with_previous(BANK, None);
    let before = std::fs::read(dir.path().join("deck.apkg")).unwrap();
    assert_eq!(export(BANK, dir.path(), 2000).0, before);
}

#[test]
fn an_edited_answer_renders_its_note_only() {
    let edited = BANK.replace("Four.", "Four, edited.");
    assert_eq!(reexport(BANK, None, &edited), 1);
    let edited = BANK.replace("return 1", "return 2");
    assert_eq!(reexport(BANK, None, &edited), 1);
}

#[test]
fn see_also_follows_the_related_questions_text() {
    // Question 1 lists 3 under related: each shows the other's text.
    let edited = BANK.replace("What is three?", "What is three, now?");
    assert_eq!(reexport(BANK, None, &edited), 2);
    // A question that is not related changes only itself.
    let edited = BANK.replace("What is two?", "What is two, now?");
    assert_eq!(reexport(BANK, None, &edited), 1);
}

#[test]
fn topic_titles_tags_numbers_and_difficulty_count() {
    let edited = BANK.replace("u: Topic U", "u: Topic You");
    assert_eq!(reexport(BANK, None, &edited), 2);
    let edited = BANK.replace("tags: [x]", "tags: [y]");
    assert_eq!(reexport(BANK, None, &edited), 1);
    let edited = BANK.replace("difficulty: junior", "difficulty: senior");
    assert_eq!(reexport(BANK, None, &edited), 1);
    // Swapping two questions renumbers both, and the See also that shows
    // a number.
    let swapped = BANK
        .replace("  - number: 3\n    id: three", "  - number: 3\n    id: tmp")
        .replace(
            "  - number: 4\n    id: four",
            "  - number: 4\n    id: three",
        )
        .replace("  - number: 3\n    id: tmp", "  - number: 3\n    id: four");
    assert_eq!(reexport(BANK, None, &swapped), 3);
}

#[test]
fn a_changed_note_type_renders_everything() {
    // Another deck name is another note type name.
    let renamed = BANK.replace("name: Deck,", "name: Other Deck,");
    let dir = with_previous(BANK, None);
    std::fs::rename(
        dir.path().join("deck.apkg"),
        dir.path().join("other-deck.apkg"),
    )
    .unwrap();
    let (bytes, rendered) = export(&renamed, dir.path(), 2000);
    assert_eq!(rendered, 4);
    let full = with_previous(BANK, Some("DROP TABLE pyq_sources"));
    std::fs::rename(
        full.path().join("deck.apkg"),
        full.path().join("other-deck.apkg"),
    )
    .unwrap();
    assert!(bytes == export(&renamed, full.path(), 2000).0);
    // A package whose CSS or templates differ from this pyq's (an older
    // or newer pyq wrote it) is rendered in full.
    let css = "UPDATE col SET models = replace(models, 'pyq-card', 'pyq-kard')";
    assert_eq!(reexport(BANK, Some(css), BANK), 4);
    let template = "UPDATE col SET models = replace(models, '{{Back}}', '{{Back}} ')";
    assert_eq!(reexport(BANK, Some(template), BANK), 4);
}

#[test]
fn another_renderer_renders_everything() {
    let source = SourceFile::new(Path::new("q.yaml"), BANK.to_owned());
    let loaded = crate::load::load(&source);
    let model = model_signature(&serde_json::json!({}));
    let ours = source_keys(&loaded.bank, &renderer(), model);
    // The renderer names pyq's version and the probe's rendering, which
    // exercises the highlighters.
    assert!(renderer().starts_with(RENDERER));
    assert_eq!(renderer(), renderer());
    let theirs = source_keys(&loaded.bank, "0.0.0+render.0", model);
    assert!(ours.iter().zip(&theirs).all(|(a, b)| a != b));
    // A package written by another renderer has other keys.
    let other = "UPDATE pyq_sources SET source = zeroblob(16)";
    assert_eq!(reexport(BANK, Some(other), BANK), 4);
}

#[test]
fn notes_edited_in_the_package_are_rendered_again() {
    let edit = "UPDATE notes SET flds = flds || 'x' WHERE sfld = 2";
    assert_eq!(reexport(BANK, Some(edit), BANK), 1);
    // A note whose id is not pyq's is not copied.
    let id = "UPDATE notes SET id = id + 1 WHERE sfld = 3";
    assert_eq!(reexport(BANK, Some(id), BANK), 1);
    // A note that is not the bank's, among the unchanged ones, is not
    // copied with them (they are copied as a run of ids when nothing else
    // lies between them).
    let foreign = "INSERT INTO notes SELECT id + 1, guid || 'x', mid, mod, usn, tags, flds, sfld, \
        csum, flags, data FROM notes WHERE id = (SELECT min(id) FROM notes)";
    assert_eq!(reexport(BANK, Some(foreign), BANK), 0);
    // Keys that are not signatures are ignored.
    let junk = "UPDATE pyq_sources SET source = x'00'";
    assert_eq!(reexport(BANK, Some(junk), BANK), 4);
}

#[test]
fn cards_changed_in_the_package_are_written_again() {
    // A kept note's card is copied only when it is the row pyq would
    // write; a card edited in the package (a due position, a review
    // count, a text `mod`) is written afresh, as a full render does.
    for sql in [
        "UPDATE cards SET due = 99 WHERE id = (SELECT min(id) FROM cards)",
        "UPDATE cards SET reps = 3 WHERE id = (SELECT max(id) FROM cards)",
        "UPDATE cards SET data = x'00'",
        "UPDATE cards SET mod = mod + 0.5",
        "DELETE FROM cards WHERE id = (SELECT min(id) FROM cards)",
        "INSERT INTO cards SELECT id + 1, nid, did, 1, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data FROM cards",
    ] {
        assert_eq!(reexport(BANK, Some(sql), BANK), 0, "{sql}");
    }
}

#[test]
fn a_package_whose_fields_are_not_text_is_refused() {
    // The notes are read in two halves of their ids: a bad note in either
    // stops the export with what is wrong.
    for which in ["min", "max"] {
        let sql =
            format!("UPDATE notes SET flds = x'00ff' WHERE id = (SELECT {which}(id) FROM notes)");
        let dir = with_previous(BANK, Some(&sql));
        let message = start_over(BANK, dir.path(), |started, _| match started {
            Ok(_) => panic!("a package with a blob for fields was read ({which})"),
            Err(err) => err.to_string(),
        });
        assert!(message.contains("could not be read"), "{which}: {message}");
    }
}

#[test]
fn a_reexport_keeps_each_kept_notes_markdown_facts() {
    // A bank whose fields have what the lint's Markdown rules look at.
    let bank = BANK
        .replace("What is two?", "What is [two](https://example.org/two)?")
        .replace("Four.", "Four, <b>bold</b>.");
    let dir = with_previous(&bank, None);
    let with_facts = start_over(&bank, dir.path(), |started, questions| {
        let sink = started.expect("start");
        let mut with_facts = 0;
        for (i, q) in questions.iter().enumerate() {
            let parsed = Seen::parse(q.question.as_ref(), q.answer.as_ref());
            assert_eq!(sink.kept_seen(i), Some(parsed.clone()), "question {i}");
            with_facts += usize::from(matches!(parsed, Seen::Facts(_)));
        }
        with_facts
    });
    assert_eq!(with_facts, 2);
    // A re-export keeps them as they were: its package is a full render's.
    assert_eq!(reexport(&bank, None, &bank), 0);
}

#[test]
fn a_reexport_renders_its_few_cards_first_and_sees_what_a_full_render_sees() {
    // The edited note has Markdown facts the lint looks at; the others are
    // kept from the package, so `finish_then` renders the one card before
    // the export takes any, and hands over what it saw.
    let edited = BANK.replace("Four.", "Four, [see](https://example.org/) <b>this</b>.");
    let dir = with_previous(BANK, None);
    let source = SourceFile::new(Path::new("q.yaml"), edited.clone());
    let loaded = crate::load::load(&source);
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: None,
        cache: None,
        stamp: 2000,
    };
    let file = std::fs::File::open(dir.path().join("deck.apkg")).unwrap();
    let sink = Anki::default().start(&ctx, Some(&file)).expect("start");
    let started = vec![(dir.path().join("deck.apkg"), sink)];
    let (artifacts, seen) = crate::export::finish_then(started, &loaded.bank, |seen| seen);
    let questions = &loaded.bank.questions;
    for (i, q) in questions.iter().enumerate() {
        let expected = if i == 3 {
            Seen::parse(q.question.as_ref(), q.answer.as_ref())
        } else {
            Seen::NotRendered
        };
        assert_eq!(seen[i], expected, "question {i}");
    }
    assert!(matches!(seen[3], Seen::Facts(_)));
    // And the package is a full render's.
    assert!(
        artifacts.expect("export")[0].content.to_vec().unwrap() == full_render(BANK, None, &edited)
    );
}

/// Whether `anki` has a previous package read ahead, not yet taken.
fn read_ahead(anki: &Anki) -> bool {
    anki.ahead.0.lock().unwrap().is_some()
}

/// The `.pyq-*.tmp` scratch files in `dir`.
fn scratch_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn the_package_read_ahead_is_used_for_its_own_file_only() {
    let edited = BANK.replace("Four.", "Four, edited.");
    let dir = with_previous(BANK, None);
    let source = SourceFile::new(Path::new("q.yaml"), edited.clone());
    let loaded = crate::load::load(&source);
    let ctx = Context {
        bank: &loaded.bank,
        scratch_dir: Some(dir.path()),
        cache: None,
        stamp: 2000,
    };
    let package = dir.path().join("deck.apkg");
    // Its own file: what was read ahead is used, and the package is a full
    // render's.
    let anki = Anki::default();
    anki.read_ahead(dir.path(), Some(dir.path()), None);
    assert!(read_ahead(&anki));
    let file = std::fs::File::open(&package).unwrap();
    let sink = anki.start(&ctx, Some(&file)).expect("start");
    assert!(!read_ahead(&anki), "taken by start");
    assert_eq!((0..4).filter(|&i| sink.needs_render(i)).count(), 1);
    let started = vec![(package.clone(), sink)];
    let (artifacts, ()) = crate::export::finish_then(started, &loaded.bank, |_| ());
    assert!(
        artifacts.expect("export")[0].content.to_vec().unwrap() == full_render(BANK, None, &edited)
    );
    // Another file (a copy elsewhere): read again, the read-ahead dropped
    // with its scratch file.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("deck.apkg");
    std::fs::copy(&package, &copy).unwrap();
    let anki = Anki::default();
    anki.read_ahead(dir.path(), Some(dir.path()), None);
    let sink = anki
        .start(&ctx, Some(&std::fs::File::open(&copy).unwrap()))
        .expect("start");
    assert_eq!((0..4).filter(|&i| sink.needs_render(i)).count(), 1);
    drop(sink);
    assert!(
        scratch_files(dir.path()).is_empty(),
        "{:?}",
        scratch_files(dir.path())
    );
    // An unused read-ahead leaves no scratch file either.
    let anki = Anki::default();
    anki.read_ahead(dir.path(), Some(dir.path()), None);
    drop(anki);
    assert!(scratch_files(dir.path()).is_empty());
}

#[test]
fn only_a_folders_single_package_of_pyqs_is_read_ahead() {
    let dir = with_previous(BANK, None);
    // Two packages: which one the bank's is, is not known yet.
    std::fs::copy(dir.path().join("deck.apkg"), dir.path().join("other.apkg")).unwrap();
    let anki = Anki::default();
    anki.read_ahead(dir.path(), None, None);
    assert!(!read_ahead(&anki));
    // One, but not pyq's (no chunk table): started, found not pyq's, and
    // read in full by `start` as before.
    std::fs::remove_file(dir.path().join("other.apkg")).unwrap();
    tamper_foreign(&dir.path().join("deck.apkg"));
    let anki = Anki::default();
    anki.read_ahead(dir.path(), None, None);
    let file = std::fs::File::open(dir.path().join("deck.apkg")).unwrap();
    assert!(matches!(anki.ahead.take_for(&file), Some(Ok(None))));
    // None at all, or no folder.
    let empty = tempfile::tempdir().unwrap();
    let anki = Anki::default();
    anki.read_ahead(empty.path(), None, None);
    anki.read_ahead(&empty.path().join("missing"), None, None);
    assert!(!read_ahead(&anki));
}

/// Rewrites the package at `path` as a plain zip of the same files (no
/// chunk table), as another tool would.
fn tamper_foreign(path: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let name = entry.name().unwrap().into_owned();
        drop(entry);
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn notes_without_their_facts_are_rendered_again() {
    // A package from before the facts were kept, or facts not pyq's.
    let old = "ALTER TABLE pyq_sources DROP COLUMN facts";
    assert_eq!(reexport(BANK, Some(old), BANK), 4);
    let junk =
        "UPDATE pyq_sources SET facts = x'00' WHERE guid = (SELECT min(guid) FROM pyq_sources)";
    assert_eq!(reexport(BANK, Some(junk), BANK), 1);
    let other = "UPDATE pyq_sources SET facts = (SELECT facts FROM pyq_sources WHERE guid = (SELECT min(guid) FROM pyq_sources))";
    assert_eq!(reexport(BANK, Some(other), BANK), 3);
}

#[test]
fn a_package_without_keys_renders_everything() {
    assert_eq!(reexport(BANK, Some("DROP TABLE pyq_sources"), BANK), 4);
    // Nor one that is not pyq's at all (no source keys, other fields).
    let foreign = "DROP TABLE pyq_sources; UPDATE notes SET flds = 'x', mod = 5";
    assert_eq!(reexport(BANK, Some(foreign), BANK), 4);
}

/// A bank of `n` questions whose answers are a few kilobytes of text that
/// differs from one to the next (so the collection spans many chunks).
fn large_bank(n: usize) -> String {
    let mut bank = String::from(
        "version: 1\ndeck: {name: Deck, anki_deck_id: 11, anki_model_id: 22}\ntopics: {t: Topic T}\nquestions:\n",
    );
    let words = [
        "list", "tuple", "dict", "set", "frozen", "hash", "slot", "iter", "yield", "await",
    ];
    for i in 1..=n {
        bank.push_str(&format!(
            "  - number: {i}\n    id: q{i}\n    topic: t\n    difficulty: mid\n    question: What is item {i}?\n    answer: |\n      Answer {i} starts here.\n\n"
        ));
        for line in 0..30 {
            let w = |k: usize| words[(i * 7 + line * 3 + k) % words.len()];
            bank.push_str(&format!(
                "      - The {} of {} meets {} {} times ({i}.{line}).\n",
                w(0),
                w(1),
                w(2),
                (i * 31 + line) % 97
            ));
        }
        bank.push_str("\n      ```python\n");
        bank.push_str(&format!(
            "      def f_{i}(x):\n          return x * {i}\n      ```\n"
        ));
    }
    bank
}

#[test]
fn a_retired_question_leaves_the_other_notes_and_their_keys_copied() {
    // The retired question's old key row lies among the kept notes' rows
    // (GUID order is random), so some are copied one by one, the others
    // in runs; either way the package is a full render's.
    let bank = large_bank(120);
    let last = bank.find("  - number: 120\n").unwrap();
    let retired = format!(
        "{}retired:\n  - id: q120\n    reason: Gone.\n",
        &bank[..last]
    );
    assert_eq!(reexport(&bank, None, &retired), 0);
}

/// The compressed chunks of a package's collection (see `package`).
fn compressed_chunks(package: &[u8]) -> Vec<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    let entry = zip.by_name_raw(b"collection.anki2").unwrap();
    let start = usize::try_from(entry.data_start().unwrap()).unwrap();
    let table = super::package::chunk_table(&entry).expect("a chunk table");
    let mut at = start;
    table[20..]
        .chunks_exact(8)
        .map(|p| {
            let len = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize;
            at += len;
            package[at - len..at].to_vec()
        })
        .collect()
}

#[test]
fn a_reexport_copies_the_compressed_chunks_that_did_not_change() {
    let bank = large_bank(2500);
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = export(&bank, dir.path(), 1000);
    let edited = bank.replacen("Answer 1200 starts", "Answer 1200, edited, starts", 1);
    let (second, rendered) = export(&edited, dir.path(), 2000);
    assert_eq!(rendered, 1);
    let (before, after) = (compressed_chunks(&first), compressed_chunks(&second));
    let copied = after.iter().filter(|c| before.contains(c)).count();
    // Four pages change: the collection row (its `mod`), and the pages of
    // the note, its card and its source key; each is in one chunk, or in
    // two when the change decides differently whether a chunk ends there.
    assert!(
        after.len() >= 20 && copied + 8 >= after.len(),
        "{copied} of {} chunks copied",
        after.len()
    );
    // The same bytes as a full render and compression.
    assert!(second == full_render(&bank, None, &edited));
}
