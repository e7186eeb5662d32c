"""Validates banks against questions.schema.json with an independent validator
(the `jsonschema` package, on PyYAML's reading of the file) and checks that it
and `pyq lint` agree on which banks are valid, for every problem a JSON Schema
can express. The ones it cannot are listed in CANNOT_EXPRESS, and in
docs/editors.md.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
PYQ = os.environ.get("PYQ_BIN", str(ROOT / "target" / "debug" / "pyq"))
SCHEMA = json.loads((ROOT / "questions.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
VALID = ROOT / "tests" / "fixtures" / "valid.yaml"
HOSTILE = ROOT / "tests" / "hostile"

# Which schema keywords may catch what each lint rule reports.
KEYWORDS = {
    "unknown-key": {"additionalProperties"},
    "missing-field": {"required", "type"},
    "invalid-value": {"type", "const", "enum", "minimum", "pattern"},
    "invalid-id": {"pattern"},
    "invalid-tag": {"pattern", "uniqueItems"},
    "missing-answer": {"required", "pattern", "type"},
    "missing-question": {"required", "pattern", "type"},
    "numbering": {"minimum"},
    "unknown-related": {"uniqueItems"},
}

# Hostile files whose problem no JSON Schema can express: `pyq lint` fails
# them, the schema passes them.
CANNOT_EXPRESS = {
    "bom-crlf-with-error.yaml": "numbering: numbers run 1..N in file order",
    "numbering-gap.yaml": "numbering: numbers run 1..N in file order",
    "numbering-repeat.yaml": "numbering: numbers run 1..N in file order",
    "duplicate-id.yaml": "duplicate-id: ids unique across questions",
    "duplicate-question.yaml": "duplicate-question: the same text in two questions",
    "duplicate-question-key.yaml": "duplicate-key: the YAML reader keeps one of two equal keys",
    "duplicate-top-key.yaml": "duplicate-key: the YAML reader keeps one of two equal keys",
    "duplicate-topic.yaml": "duplicate-key: the YAML reader keeps one of two equal keys",
    "unknown-topic.yaml": "unknown-topic: a topic must be a key of `topics`",
    "unknown-related.yaml": "unknown-related: a related id must be another question's id",
    "placeholder-answer.yaml": "missing-answer: a placeholder answer such as TODO",
    "question-placeholder.yaml": "missing-question: a placeholder question such as TODO",
    "question-shows-nothing.yaml": "missing-question: Markdown that renders as no text (`-`)",
    "unclosed-fence.yaml": "unclosed-code-fence: Markdown inside the answer",
    "javascript-link.yaml": "unsafe-html: Markdown inside the answer",
    "onerror-handler.yaml": "unsafe-html: Markdown inside the answer",
    "script-tag.yaml": "unsafe-html: Markdown inside the answer",
    "number-float.yaml": "invalid-value: JSON has one number type, so 2.0 is the integer 2",
}


def lint(path):
    """`pyq lint`'s verdict: (no errors, the rules that reported errors)."""
    run = subprocess.run(
        [PYQ, "lint", "--format", "json", str(path)], capture_output=True, text=True
    )
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    errors = {d["rule"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert (run.returncode == 0) == (not errors)
    return not errors, errors


def schema_errors(path):
    return list(VALIDATOR.iter_errors(yaml.safe_load(path.read_bytes())))


def describe(errors):
    return [f"{e.validator} at {list(e.absolute_path)}: {e.message}" for e in errors]


def hostile_cases():
    for line in (HOSTILE / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, expected = line.split()
        # YAML syntax is the YAML reader's business, not the schema's.
        if not expected.startswith("yaml-syntax"):
            yield name, expected.split("@")[0]


def test_the_schema_is_valid_2020_12_and_draft_07():
    Draft202012Validator.check_schema(SCHEMA)
    # yaml-language-server checks schemas against draft 07's meta-schema.
    Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", [ROOT / "questions.yaml", VALID], ids=lambda p: p.name)
def test_the_banks_are_valid(path):
    assert lint(path) == (True, set())
    assert describe(schema_errors(path)) == []


@pytest.mark.parametrize("name,rule", list(hostile_cases()))
def test_schema_and_lint_agree_on_hostile_files(name, rule):
    path = HOSTILE / name
    lint_ok, lint_rules = lint(path)
    errors = schema_errors(path)
    if rule == "clean":
        assert lint_ok, lint_rules
        assert describe(errors) == []
    elif name in CANNOT_EXPRESS:
        assert rule in lint_rules
        assert describe(errors) == [], CANNOT_EXPRESS[name]
    else:
        assert rule in lint_rules
        assert errors, f"the schema passes {name}, which `pyq lint` fails with {rule}"
        keywords = {e.validator for e in errors}
        assert keywords & KEYWORDS[rule], describe(errors)


def edit(tmp_path, old, new):
    text = VALID.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "questions.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# (what, old text of valid.yaml, new text, valid to both, or the lint rule).
EDITS = [
    ("tags null", "tags: [closures]", "tags:", None),
    ("related null", "related: [list-growth]", "related:", None),
    ("description null", "description: A small bank that every rule stays quiet on.", "description:", None),
    ("no tags", "    tags: [closures]\n", "", None),
    ("c++ tag", "tags: [closures]", "tags: [closures, c++, python::scope]", None),
    ("number 0", "number: 1", "number: 0", "numbering"),
    ("negative model id", "anki_model_id: 1700000000002", "anki_model_id: 0", "invalid-value"),
    ("quoted deck id", "anki_deck_id: 1700000000001", 'anki_deck_id: "1700000000001"', "invalid-value"),
    ("answer null", "answer: The variables themselves, in cells, not their values.", "answer:", "missing-answer"),
    ("blank answer", "answer: The variables themselves, in cells, not their values.", 'answer: "  "', "missing-answer"),
    ("topic key", "  closures: Functions and closures\n", "  closures: Functions and closures\n  Data_Structures: Data\n", "invalid-value"),
    ("topic title null", "closures: Functions and closures", "closures:", "invalid-value"),
    ("topics a list", "  lists: Lists and complexity\n  closures: Functions and closures\n", "  - lists\n", "invalid-value"),
    ("tag twice", "tags: [closures]", "tags: [closures, closures]", "invalid-tag"),
    ("related twice", "related: [list-growth]", "related: [list-growth, list-growth]", "unknown-related"),
    ("difficulty case", "difficulty: junior", "difficulty: Junior", "invalid-value"),
    ("deck a string", "deck:\n  name: Sample\n  description: A small bank that every rule stays quiet on.\n  anki_deck_id: 1700000000001\n  anki_model_id: 1700000000002\n", "deck: Sample\n", "invalid-value"),
    ("no questions", "questions:\n  - number: 1", "items:\n  - number: 1", "unknown-key"),
    ("no deck name", "  name: Sample\n", "", "missing-field"),
    ("question missing", "    question: What does a closure capture from the enclosing function?\n", "", "missing-field"),
]


@pytest.mark.parametrize("what,old,new,rule", EDITS, ids=[e[0] for e in EDITS])
def test_schema_and_lint_agree_on_edits(tmp_path, what, old, new, rule):
    path = edit(tmp_path, old, new)
    lint_ok, lint_rules = lint(path)
    errors = schema_errors(path)
    if rule is None:
        assert (lint_ok, lint_rules) == (True, set())
        assert describe(errors) == []
    else:
        assert rule in lint_rules
        assert {e.validator for e in errors} & KEYWORDS[rule], describe(errors)


IDS = [
    "closure-cells", "c3", "py3-13-gil", "42",
    "Closure-cells", "closure_cells", "closure--cells", "-closure", "closure-",
    "closure cells", "clоsure",  # the second `о` is Cyrillic
]


@pytest.mark.parametrize("qid", IDS)
def test_the_id_pattern_is_the_linters(tmp_path, qid):
    path = edit(tmp_path, "id: closure-cells", f"id: {json.dumps(qid)}")
    lint_ok, lint_rules = lint(path)
    schema_ok = not schema_errors(path)
    assert lint_ok == schema_ok
    assert lint_ok or lint_rules == {"invalid-id"}


def test_the_schema_wants_quoted_text_where_pyq_takes_any_scalar(tmp_path):
    # Documented in docs/editors.md: pyq reads a plain number as text (`name:
    # 2024` is the deck "2024"); the schema asks for a string, so an editor
    # suggests quoting it.
    path = edit(tmp_path, "name: Sample", "name: 2024")
    assert lint(path) == (True, set())
    assert [e.validator for e in schema_errors(path)] == ["type"]
