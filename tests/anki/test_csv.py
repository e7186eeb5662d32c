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


def test_csv_after_apkg_updates_the_same_notes(exported, tmp_path):
    col = new_collection(tmp_path)
    import_apkg(col, exported / APKG)
    before = notes_by_id(col)
    _, log = import_csv(col, exported / CSV)
    assert len(log.new) == 0
    assert len(log.conflicting) == 0
    assert len(col.find_notes("")) == 50
    after = notes_by_id(col)
    assert {i: n.guid for i, n in after.items()} == {i: n.guid for i, n in before.items()}
    # The CSV carries the same HTML and tags as the deck.
    for qid, note in after.items():
        assert note.fields == before[qid].fields, qid
        assert sorted(note.tags) == sorted(before[qid].tags), qid


def test_csv_into_a_fresh_collection(exported, tmp_path):
    col = new_collection(tmp_path)
    _, log = import_csv(col, exported / CSV)
    assert len(log.new) == 50
    assert len(col.find_notes("")) == 50
    # Without the .apkg the note type is unknown, so Anki falls back to Basic:
    # the question lands on the front (the back stays empty: import the .apkg
    # first, as the README says), with the tags and the same GUIDs.
    notes = [col.get_note(n) for n in col.find_notes("")]
    first = next(n for n in notes if "topic::asyncio" in n.tags and "concurrency" in n.tags)
    assert first.note_type()["name"] == "Basic"
    assert first.fields[0].startswith("How can you wait for multiple tasks")
    apkg = new_collection(tmp_path, "with-apkg")
    import_apkg(apkg, exported / APKG)
    assert {n.guid for n in notes} == {n.guid for n in notes_by_id(apkg).values()}
