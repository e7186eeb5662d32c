"""scripts/release-notes, the body of a GitHub release (.github/workflows/release.yml):
which previous tag it diffs against, in scratch repositories, with a stand-in
pyq that prints the arguments it was given.
"""

import os
import subprocess

import pytest

from test_precommit import ENV, ROOT, git

SCRIPT = ROOT / "scripts" / "release-notes"
STUB = """#!/bin/sh
echo "pyq $*"
exit "${STUB_EXIT:-0}"
"""


@pytest.fixture
def repo(tmp_path):
    """A bank's repository with a stand-in pyq; `commit(tag)` adds a commit and tags it."""
    stub = tmp_path / "pyq"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    work = tmp_path / "bank"
    work.mkdir()
    git("init", "--quiet", "--initial-branch=main", cwd=work)

    def commit(*tags, annotated=False):
        n = len(list(work.glob("*.txt")))
        (work / f"{n}.txt").write_text(f"{n}\n", encoding="utf-8")
        git("add", "--all", cwd=work)
        git("commit", "--quiet", "--no-gpg-sign", "-m", f"commit {n}", cwd=work)
        for tag in tags:
            git("tag", *(["-a", "-m", tag] if annotated else []), tag, cwd=work)

    commit.path = work
    commit.stub = stub
    return commit


def notes(repo, tag, **env):
    return subprocess.run(
        [str(SCRIPT), tag], cwd=repo.path, capture_output=True, text=True,
        env=ENV | {"PYQ": str(repo.stub)} | env,
    )


def test_the_first_tag_needs_no_diff(repo):
    repo("v0.1.0")
    p = notes(repo, "v0.1.0")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("The first release of the bank: every question is new.\n")
    assert "pyq" not in p.stdout  # the stand-in was not run
    assert "File > Import" in p.stdout


def test_a_first_tag_after_untagged_commits_needs_no_diff(repo):
    repo()
    repo()
    repo("v1.0.0")
    p = notes(repo, "v1.0.0")
    assert p.returncode == 0, p.stderr
    assert "first release" in p.stdout and "pyq diff" not in p.stdout


@pytest.mark.parametrize("annotated", [False, True])
def test_later_tags_diff_against_the_previous_version_tag(repo, annotated):
    repo("v0.1.0", annotated=annotated)
    repo("draft")  # not a version tag
    repo()
    repo("v0.2.0", annotated=annotated)
    p = notes(repo, "v0.2.0")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(
        "Compared with v0.1.0.\n\n"
        "pyq diff --since v0.1.0 questions.yaml --format markdown\n"
    ), p.stdout
    repo("v0.3.0", annotated=annotated)
    assert "pyq diff --since v0.2.0 questions.yaml" in notes(repo, "v0.3.0").stdout


def test_a_failing_diff_fails_the_notes(repo):
    repo("v0.1.0")
    repo("v0.2.0")
    p = notes(repo, "v0.2.0", STUB_EXIT="1")
    assert p.returncode == 1


def test_an_unknown_tag_is_an_error(repo):
    repo("v0.1.0")
    p = notes(repo, "v9.9.9")
    assert p.returncode == 2
    assert "no tag or commit named `v9.9.9`" in p.stderr
    assert p.stdout == ""


def test_the_release_workflow_uses_the_script():
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert 'scripts/release-notes "$TAG"' in workflow
    assert os.access(SCRIPT, os.X_OK)


def test_with_the_real_pyq_a_retired_question_is_in_the_notes(repo):
    """The script and the real `pyq diff` together: the release after a
    question was retired says so, and how learners delete its note."""
    pyq_bin = os.environ.get("PYQ_BIN", str(ROOT / "target" / "debug" / "pyq"))
    bank = (ROOT / "tests" / "fixtures" / "valid.yaml").read_text(encoding="utf-8")
    (repo.path / "questions.yaml").write_text(bank, encoding="utf-8")
    repo("v1.0.0")
    at = bank.index("    id: closure-cells\n")
    start = bank.rindex("\n  - number:", 0, at) + 1
    retired = bank[:start].replace(
        "questions:\n", "retired:\n  - id: closure-cells\n    reason: Out of scope.\nquestions:\n", 1
    )
    (repo.path / "questions.yaml").write_text(retired, encoding="utf-8")
    repo("v1.1.0")
    p = notes(repo, "v1.1.0", PYQ=pyq_bin)
    assert p.returncode == 0, p.stderr
    assert "Compared with v1.0.0." in p.stdout
    assert "1 retired; 3 → 2 questions." in p.stdout
    assert "- `closure-cells`: Out of scope." in p.stdout
    assert "tag:pyq::retired" in p.stdout
