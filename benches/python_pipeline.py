#!/usr/bin/env python3
"""The same job as `pyq export`, done the usual Python way, for comparison.

PyYAML (libyaml's CSafeLoader) reads the bank, Python-Markdown with
fenced_code, tables and codehilite (Pygments) renders each answer, genanki
writes the package. Not part of CI; run it with the bench venv:

    python3 -m venv target/bench-py
    target/bench-py/bin/pip install pyyaml==6.0.3 markdown==3.11.3 pygments==2.21.0 genanki==0.13.1
    target/bench-py/bin/python benches/python_pipeline.py target/bench-banks/realistic-10000/questions.yaml
"""

import sys
import time

import genanki
import markdown
import yaml


def main(path):
    start = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        bank = yaml.load(f, Loader=yaml.CSafeLoader)
    md = markdown.Markdown(extensions=["fenced_code", "tables", "codehilite"])
    model = genanki.Model(
        bank["deck"]["anki_model_id"],
        "bench",
        fields=[{"name": n} for n in ["Front", "Back", "Number", "Topic", "Difficulty", "See also", "Id"]],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(bank["deck"]["anki_deck_id"], bank["deck"]["name"])
    for q in bank["questions"]:
        answer = md.reset().convert(q["answer"])
        question = md.reset().convert(q["question"])
        note = genanki.Note(
            model=model,
            fields=[question, answer, str(q["number"]), q["topic"], q["difficulty"], "", q["id"]],
            guid=genanki.guid_for("pyq", bank["deck"]["anki_deck_id"], q["id"]),
            tags=q.get("tags", []),
        )
        deck.add_note(note)
    genanki.Package(deck).write_to_file("/tmp/python-pipeline.apkg")
    print(f"{len(bank['questions'])} questions in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1])
