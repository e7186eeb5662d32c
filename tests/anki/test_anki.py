"""Imports pyq's .apkg into Anki's own library (the `anki` package on PyPI,
the Rust backend the desktop app uses) and checks what a learner gets.

Run by scripts/test: `target/pyenv/bin/python -m pytest tests/anki`, with
PYQ_BIN pointing at the pyq binary.
"""

import os
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

ROOT = Path(__file__).resolve().parents[2]
PYQ = os.environ.get("PYQ_BIN", str(ROOT / "target" / "debug" / "pyq"))
APKG = "python-interview-questions.apkg"
# Frozen (docs/formats.md): the first two match the stock Basic type, so the
# CSV imported on its own fills Basic's Front and Back.
FIELDS = ["Front", "Back", "Number", "Topic", "Difficulty", "See also", "Id"]


def pyq(*args, cwd, stamp=None, check=True):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if stamp is not None:
        env["SOURCE_DATE_EPOCH"] = str(stamp)
    return subprocess.run([PYQ, *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


@pytest.fixture
def bank(tmp_path):
    """A copy of the bundled bank in a scratch folder."""
    shutil.copy(ROOT / "questions.yaml", tmp_path / "questions.yaml")
    return tmp_path


def export(folder, stamp):
    pyq("export", cwd=folder, stamp=stamp)
    return folder / "exports" / APKG


def new_collection(tmp_path, name="collection"):
    return Collection(str(tmp_path / f"{name}.anki2"))


def import_apkg(col, path):
    request = ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=False)
    )
    return col.import_anki_package(request).log


def notes_by_id(col):
    return {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}


def edit_answer(folder, qid, extra):
    """Appends a sentence to the short answer of question `qid`."""
    text = (folder / "questions.yaml").read_text(encoding="utf-8")
    at = text.index(f"    id: {qid}\n")
    short = text.index("**Short answer:**", at)
    end = text.index("\n", short)
    text = text[:end] + " " + extra + text[end:]
    (folder / "questions.yaml").write_text(text, encoding="utf-8")


def test_fresh_import(bank, tmp_path):
    col = new_collection(tmp_path)
    log = import_apkg(col, export(bank, 1_800_000_000))
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (50, 0, 0, 0)

    assert "Python Interview Questions" in [d.name for d in col.decks.all_names_and_ids()]
    model = col.models.by_name("Python Interview Questions (pyq)")
    assert model is not None
    assert [f["name"] for f in model["flds"]] == FIELDS
    assert model["sortf"] == FIELDS.index("Number")
    assert len(col.find_notes("")) == 50
    assert len(col.find_cards("")) == 50

    notes = notes_by_id(col)
    assert len(notes) == 50
    gil = notes["refcount-gil"]
    assert set(gil.tags) == {
        "pyq::tag::gil",
        "pyq::tag::refcounting",
        "pyq::tag::free-threading",
        "pyq::topic::internals",
        "pyq::difficulty::senior",
    }
    # A learner finds the bank's questions by pyq's tags, apart from their own.
    internals = (bank / "questions.yaml").read_text(encoding="utf-8").count("\n    topic: internals\n")
    assert internals > 0 and len(col.find_notes("tag:pyq::topic::internals")) == internals
    assert len(col.find_notes("tag:pyq::difficulty::senior")) > 0
    assert col.find_notes("tag:topic::*") == [] and col.find_notes("tag:gil") == []
    assert gil["Number"] == "43" and gil["Topic"] == "CPython internals"
    assert len({n.guid for n in notes.values()}) == 50

    # Highlighted code, rendered at build time (no script in the card).
    card = notes["list-append-amortized"].cards()[0]
    back = card.answer()
    assert '<pre class="pyq-code"><code class="language-python">' in back
    assert '<span class="keyword">' in back
    assert "<script" not in back
    # Math becomes MathJax delimiters outside code, and stays put inside it.
    front = notes["list-overallocation-growth"].cards()[0].question()
    assert "\\(O(1)\\)" in front and "$O(1)$" not in front
    # `<` in text and code is escaped, never lost.
    assert "<code>&lt;lambda&gt;</code>" in notes["closure-return-lambda"]["Back"]
    assert "<code>pip install --no-cache-dir &lt;pkg&gt;</code>" in notes["pip-no-cache"]["Back"]
    # "See also" links both ways, by number and question.
    assert "#33" in notes["list-append-amortized"]["See also"]
    assert "#9" in notes["list-overallocation-growth"]["See also"]
    # The front shows topic and difficulty; the back adds the answer.
    assert "Data structures and complexity" in front and "senior" in front
    assert "Short answer:" in notes["list-overallocation-growth"].cards()[0].answer()


def test_the_package_checksums_the_question_as_anki_does(bank, tmp_path):
    """Anki's duplicate check reads `csum`, the checksum of the first field
    (the question) with its HTML stripped: pyq writes the value Anki would."""
    import sqlite3
    import zipfile

    import hashlib

    from anki.collection import StripHtmlMode

    col = new_collection(tmp_path)  # Anki's backend, for its strip_html
    apkg = export(bank, 1_800_000_000)
    with zipfile.ZipFile(apkg) as z:
        (tmp_path / "package.anki2").write_bytes(z.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "package.anki2")
    rows = db.execute("select flds, csum from notes").fetchall()
    db.close()
    assert len(rows) == 50
    for flds, csum in rows:
        front = flds.split("\x1f")[0]
        stripped = col._backend.strip_html(text=front, mode=StripHtmlMode.PRESERVE_MEDIA_FILENAMES)
        # anki.utils.field_checksum, without its need for a UI language.
        assert csum == int(hashlib.sha1(stripped.encode()).hexdigest()[:8], 16), front


def test_reimport_updates_the_edited_note_and_keeps_its_reviews(bank, tmp_path):
    col = new_collection(tmp_path)
    import_apkg(col, export(bank, 1_800_000_000))
    target = notes_by_id(col)["deque-vs-list-fifo"]
    card = target.cards()[0]
    card.start_timer()
    col.sched.answerCard(card, 3)
    card = col.get_card(card.id)
    reviewed = (card.type, card.queue, card.ivl, card.due, card.reps)
    assert col.db.scalar("select count() from revlog where cid=?", card.id) == 1

    edit_answer(bank, "deque-vs-list-fifo", "(Edited for the test.)")
    log = import_apkg(col, export(bank, 1_800_000_100))

    assert len(log.new) == 0
    assert len(log.conflicting) == 0
    assert [n.id.nid for n in log.updated] == [target.id]
    assert len(log.duplicate) == 49
    note = col.get_note(target.id)
    assert "(Edited for the test.)" in note["Back"]
    card = col.get_card(card.id)
    assert (card.type, card.queue, card.ivl, card.due, card.reps) == reviewed
    assert col.db.scalar("select count() from revlog where cid=?", card.id) == 1


def test_renumbering_and_reordering_change_no_guid(bank, tmp_path):
    col = new_collection(tmp_path)
    import_apkg(col, export(bank, 1_800_000_000))
    before = {n["Id"]: n.guid for n in notes_by_id(col).values()}

    # Move the last question to the top, then let pyq renumber 1..N.
    path = bank / "questions.yaml"
    head, _, items = path.read_text(encoding="utf-8").partition("questions:\n")
    parts = re.split(r"(?m)^(?=  - number: )", items)
    parts = [parts[-1]] + parts[:-1]
    path.write_text(head + "questions:\n" + "".join(parts), encoding="utf-8")
    pyq("lint", "--fix", cwd=bank, check=False)
    assert pyq("lint", cwd=bank, check=False).returncode == 0

    log = import_apkg(col, export(bank, 1_800_000_100))
    assert len(log.new) == 0 and len(log.conflicting) == 0
    after = notes_by_id(col)
    assert {i: n.guid for i, n in after.items()} == before
    assert after["ternary-vs-binary-search"]["Number"] == "1"
    assert after["asyncio-first-completed"]["Number"] == "2"
    assert len(col.find_notes("")) == 50


def test_an_unchanged_bank_exports_identical_bytes_and_updates_nothing(bank, tmp_path):
    first = export(bank, 1_800_000_000).read_bytes()
    second = export(bank, 1_900_000_000).read_bytes()
    assert first == second
    assert pyq("export", "--check", cwd=bank).returncode == 0

    col = new_collection(tmp_path)
    import_apkg(col, bank / "exports" / APKG)
    log = import_apkg(col, bank / "exports" / APKG)
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 50)


def remove_question(folder, qid):
    """Deletes question `qid`'s list item from the bank (then `--fix` renumbers)."""
    text = (folder / "questions.yaml").read_text(encoding="utf-8")
    at = text.index(f"    id: {qid}\n")
    start = text.rindex("\n  - number:", 0, at) + 1
    end = text.find("\n  - number:", at)
    end = len(text) if end == -1 else end + 1
    (folder / "questions.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    pyq("lint", "--fix", "--format", "concise", cwd=folder, check=False)


def test_a_retired_question_becomes_a_notice_on_reimport_and_is_absent_from_a_fresh_import(bank, tmp_path):
    import yaml

    data = yaml.safe_load((bank / "questions.yaml").read_text(encoding="utf-8"))
    referenced = {r for q in data["questions"] for r in q.get("related") or []}
    target = next(q["id"] for q in data["questions"] if q["id"] not in referenced and not q.get("related"))

    col = new_collection(tmp_path)
    import_apkg(col, export(bank, 1_800_000_000))
    assert (bank / "questions.pyq.lock").exists()
    note = notes_by_id(col)[target]
    card = note.cards()[0]
    card.start_timer()
    col.sched.answerCard(card, 3)

    # Deleting a published question is refused: learners would keep a dead note.
    remove_question(bank, target)
    refused = pyq("export", cwd=bank, stamp=1_800_000_100, check=False)
    assert refused.returncode == 1
    assert f"published-id-removed: published question `{target}`" in refused.stderr

    # Retiring it is the way.
    text = (bank / "questions.yaml").read_text(encoding="utf-8")
    text = text.replace("\nquestions:\n", f"\nretired:\n  - id: {target}\n    reason: Covered by the other answers now.\nquestions:\n", 1)
    (bank / "questions.yaml").write_text(text, encoding="utf-8")
    log = import_apkg(col, export(bank, 1_800_000_100))
    assert len(log.new) == 0 and len(log.conflicting) == 0
    assert note.id in [n.id.nid for n in log.updated]
    retired = col.get_note(note.id)
    assert "pyq::retired" in retired.tags
    assert "retired" in retired["Front"] and "Covered by the other answers now." in retired["Back"]
    assert retired["Id"] == target
    # The learner's card and its review history are still there, to delete.
    assert col.db.scalar("select count() from revlog where cid=?", card.id) == 1
    assert col.find_notes("tag:pyq::retired") == [note.id]

    # A learner who starts now gets no card for it.
    fresh = new_collection(tmp_path, "fresh")
    log = import_apkg(fresh, bank / "exports" / APKG)
    assert len(log.new) == 50
    assert len(fresh.find_cards("")) == 49
    (tombstone,) = fresh.find_notes("tag:pyq::retired")
    assert fresh.get_note(tombstone).cards() == []
    assert pyq("export", "--check", cwd=bank, stamp=1_800_000_200).returncode == 0


def large_bank(folder, copies):
    """The bundled bank `copies` times over (ids, numbers and related ids made
    unique), written to `folder`/questions.yaml: a collection of several MB,
    so the package's collection is compressed in several chunks."""
    bank = yaml.safe_load((ROOT / "questions.yaml").read_text(encoding="utf-8"))
    questions = []
    for k in range(copies):
        for q in bank["questions"]:
            q = dict(q)
            q["number"] = len(questions) + 1
            q["id"] = f"{q['id']}-{k}"
            q["question"] = f"{q['question']} [set {k}]"
            if "related" in q:
                q["related"] = [f"{r}-{k}" for r in q["related"]]
            questions.append(q)
    bank["questions"] = questions
    bank.pop("retired", None)
    text = yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=1000)
    (folder / "questions.yaml").write_text(text, encoding="utf-8")
    return len(questions)


def chunks(package):
    """The compressed chunks of a package's collection, from the chunk table
    in its extra field (docs/formats.md, "Anki")."""
    with zipfile.ZipFile(package) as z:
        info = z.getinfo("collection.anki2")
    raw = package.read_bytes()
    extra = info.extra
    assert struct.unpack("<H", extra[:2])[0] == 0x7170 and extra[4:8] == b"pyq1"
    table = extra[4 + 20 :]
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    at = info.header_offset + 30 + name_len + extra_len
    out = []
    for i in range(0, len(table), 8):
        size = struct.unpack("<I", table[i : i + 4])[0]
        out.append(raw[at : at + size])
        at += size
    return out


def test_a_package_of_many_chunks_imports_and_a_reexport_of_it_updates_one_note(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    n = large_bank(folder, 24)
    package = export(folder, 1_800_000_000)
    first = chunks(package)
    assert len(first) >= 5, len(first)
    col = new_collection(tmp_path)
    log = import_apkg(col, package)
    assert (len(log.new), len(log.updated)) == (n, 0)
    assert len(col.find_cards("")) == n

    bank = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))
    q = next(q for q in bank["questions"] if q["id"] == "deque-vs-list-fifo-7")
    q["answer"] = q["answer"].replace("**Short answer:**", "**Short answer:** (Edited in set 7.)", 1)
    text = yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=1000)
    (folder / "questions.yaml").write_text(text, encoding="utf-8")
    package = export(folder, 1_800_000_100)
    again = chunks(package)
    copied = sum(1 for c in again if c in first)
    # Four pages change (the collection row, the note's, its card's and its
    # source key's), each in one chunk, or in two when the change moves
    # where a chunk ends.
    assert copied >= len(again) - 8, (copied, len(again))
    log = import_apkg(col, package)
    assert len(log.updated) == 1 and len(log.new) == 0
    assert len(log.duplicate) == n - 1
    note = notes_by_id(col)["deque-vs-list-fifo-7"]
    assert "(Edited in set 7.)" in note["Back"]
