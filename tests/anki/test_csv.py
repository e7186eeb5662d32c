"""Imports pyq's Anki-flavour CSV with Anki's own CSV importer (the `anki`
package), into a fresh collection and into one that already holds the .apkg.
"""

import shutil

import pytest
from anki.import_export_pb2 import CsvMetadataRequest

from test_anki import APKG, ROOT, import_apkg, new_collection, notes_by_id, pyq

CSV = APKG.replace(".apkg", ".csv")


@pytest.fixture
def exported(tmp_path):
    shutil.copy(ROOT / "questions.yaml", tmp_path / "questions.yaml")
    pyq("export", cwd=tmp_path, stamp=1_800_000_000)
    return tmp_path / "exports"


def import_csv(col, path):
    meta = col._backend.get_csv_metadata(CsvMetadataRequest(path=str(path)))
    return meta, col._backend.import_csv(path=str(path), metadata=meta).log


def test_the_csv_header_needs_no_dialog_choices(exported, tmp_path):
    col = new_collection(tmp_path)
    import_apkg(col, exported / APKG)
    meta, _ = import_csv(col, exported / CSV)
    assert meta.is_html is True
    assert meta.guid_column == 9
    assert meta.tags_column == 8
    assert col.models.get(meta.global_notetype.id)["name"] == "Python Interview Questions (pyq)"
    assert col.decks.name(meta.deck_id) == "Python Interview Questions"


def assert_complete(col, notes, bank):
    """Every note's front is its question and its back its answer, exactly
    as the .apkg has them (HTML), and the cards show both."""
    by_guid = {n.guid: n for n in notes_by_id(bank).values()}
    assert len(notes) == len(by_guid) == 50
    for note in notes:
        want = by_guid[note.guid]
        assert note["Front"] == want["Front"] and note["Front"].strip(), note.guid
        assert note["Back"] == want["Back"] and note["Back"].strip(), note.guid
        card = note.cards()[0]
        assert want["Front"] in card.question()
        assert want["Back"] in card.answer()


def test_csv_after_apkg_updates_the_same_notes(exported, tmp_path):
    col = new_collection(tmp_path)
    import_apkg(col, exported / APKG)
    before = notes_by_id(col)
    _, log = import_csv(col, exported / CSV)
    assert len(log.new) == 0
    assert len(log.conflicting) == 0
    assert len(log.updated) + len(log.duplicate) == 50
    assert len(col.find_notes("")) == 50
    after = notes_by_id(col)
    assert {i: n.guid for i, n in after.items()} == {i: n.guid for i, n in before.items()}
    # The CSV carries the same HTML and tags as the deck.
    for qid, note in after.items():
        assert note.fields == before[qid].fields, qid
        assert sorted(note.tags) == sorted(before[qid].tags), qid
    apkg = new_collection(tmp_path, "with-apkg")
    import_apkg(apkg, exported / APKG)
    assert_complete(col, [col.get_note(n) for n in col.find_notes("")], apkg)


def test_csv_into_a_fresh_collection_gives_complete_basic_cards(exported, tmp_path):
    """Imported on its own (no .apkg first), the CSV names a note type the
    collection lacks, so Anki falls back to the stock Basic type. Its fields
    are Front and Back, the labels of pyq's first two columns: the question
    lands on the front and the answer on the back (before pyq named its
    fields Front/Back, Anki mapped only the first column and every back was
    empty)."""
    col = new_collection(tmp_path)
    meta, log = import_csv(col, exported / CSV)
    assert list(meta.global_notetype.field_columns) == [1, 2]
    assert len(log.new) == 50
    notes = [col.get_note(n) for n in col.find_notes("")]
    assert {n.note_type()["name"] for n in notes} == {"Basic"}
    apkg = new_collection(tmp_path, "with-apkg")
    import_apkg(apkg, exported / APKG)
    assert_complete(col, notes, apkg)
    first = next(n for n in notes if "pyq::topic::asyncio" in n.tags and "pyq::tag::concurrency" in n.tags)
    assert first["Front"].startswith("How can you wait for multiple tasks")
    assert first["Back"].startswith("<p><strong>Short answer:</strong>")
    # Same GUIDs as the deck, and the tags under pyq::.
    assert {n.guid for n in notes} == {n.guid for n in notes_by_id(apkg).values()}
    assert all(t.startswith("pyq::") for n in notes for t in n.tags)
    # The .apkg imported afterwards does not convert them (docs/formats.md).
    log = import_apkg(col, exported / APKG)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 50)
