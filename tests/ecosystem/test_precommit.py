"""pyq's pre-commit hooks (.pre-commit-hooks.yaml), run for real by the
`pre-commit` package in a scratch bank repository.

pre-commit installs hooks from a git commit, so the test commits this working
tree, uncommitted edits included, into a scratch repository and points the
bank's .pre-commit-config.yaml at that commit: what is tried is the hook
definition and the code as they are now. `language: rust` makes pre-commit run
`cargo install`, a release build: CARGO_TARGET_DIR is this repository's
target/, so the build reuses the release build that .ci/run makes first (and
the dependencies already fetched: CARGO_NET_OFFLINE). PRE_COMMIT_HOME is a
scratch folder, so nothing lands in ~/.cache.

Run by scripts/test: `target/pyenv/bin/python -m pytest tests/ecosystem`, with
PYQ_BIN pointing at the pyq binary (used to make the bank's exports).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYQ = os.environ.get("PYQ_BIN", str(ROOT / "target" / "debug" / "pyq"))

# git and pre-commit see neither the user's git configuration nor GitHub's
# variables (on GitHub Actions pyq would print annotations instead). The build
# environment is otherwise left as it is: a variable that a build script
# watches (SOURCE_DATE_EPOCH, for one) would rebuild the C dependencies.
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_", "PRE_COMMIT"))}
ENV |= {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "pyq tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "pyq tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "CARGO_TARGET_DIR": str(ROOT / "target"),
    "CARGO_NET_OFFLINE": "true",
    "NO_COLOR": "1",
}


def run(*args, cwd, env=ENV, check=True):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=check)


def export(bank):
    run(PYQ, "export", cwd=bank, env=ENV | {"SOURCE_DATE_EPOCH": "1800000000"})


def git(*args, cwd):
    return run("git", *args, cwd=cwd).stdout.strip()


def commit_all(repo, message):
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--no-gpg-sign", "-m", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    """(repository, commit) holding this working tree: tracked files and
    untracked ones that are not ignored, as they are on disk."""
    repo = tmp_path_factory.mktemp("pyq-hooks")
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a deleted file is still listed by --cached
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("init", "--quiet", "--initial-branch=main", cwd=repo)
    return repo, commit_all(repo, "the working tree under test")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    """pre-commit's cache: the hook repository's clone and the installed pyq."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield home
    shutil.rmtree(home)


@pytest.fixture
def bank(tmp_path, hooks):
    """A git repository holding a clean bank, its exports, and a
    .pre-commit-config.yaml using both hooks."""
    repo, rev = hooks
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "valid.yaml", bank / "questions.yaml")
    export(bank)
    (bank / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {repo}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: pyq-lint\n"
        f"      - id: pyq-export-check\n",
        encoding="utf-8",
    )
    (bank / "README.md").write_text("A bank.\n", encoding="utf-8")
    git("init", "--quiet", "--initial-branch=main", cwd=bank)
    commit_all(bank, "a clean bank")
    return bank


def pre_commit(bank, home, *args):
    """Runs `pre-commit run` in `bank`; returns (exit code, output, {hook name: status})."""
    p = run(sys.executable, "-m", "pre_commit", "run", "--color", "never", *args,
            cwd=bank, env=ENV | {"PRE_COMMIT_HOME": str(home)}, check=False)
    out = p.stdout + p.stderr
    status = dict(re.findall(r"^(pyq [^.\n]*?)\.+(?:\([^)]*\))?(Passed|Failed|Skipped)$", out, re.M))
    return p.returncode, out, status


def edit(bank, old, new):
    path = bank / "questions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    git("add", "questions.yaml", cwd=bank)


HOOKS = {"pyq lint", "pyq export --check"}


def test_a_clean_bank_passes_both_hooks(bank, pre_commit_home):
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 0, out
    assert status == dict.fromkeys(HOOKS, "Passed"), out


def test_a_missing_answer_fails_with_pyqs_finding(bank, pre_commit_home):
    edit(bank, "    answer: The variables themselves, in cells, not their values.\n", "")
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 1, out
    # Both fail: lint finds the error, and export refuses a bank with errors.
    assert status == dict.fromkeys(HOOKS, "Failed"), out
    assert "PYQ201" in out and "missing-answer" in out, out
    assert "question 3 (`closure-cells`) has no answer" in out, out


def test_stale_exports_fail_only_the_export_check(bank, pre_commit_home):
    edit(bank, "capture from the enclosing function?", "capture from its enclosing function?")
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 1, out
    assert status == {"pyq lint": "Passed", "pyq export --check": "Failed"}, out
    assert "exports/sample.md differs from what the bank produces" in out, out
    # After `pyq export`, the commit goes through.
    export(bank)
    git("add", "--all", cwd=bank)
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 0, out
    assert status == dict.fromkeys(HOOKS, "Passed"), out


def test_hooks_run_only_when_the_bank_or_its_exports_change(bank, pre_commit_home):
    (bank / "README.md").write_text("A bank of questions.\n", encoding="utf-8")
    git("add", "README.md", cwd=bank)
    code, out, status = pre_commit(bank, pre_commit_home)  # the staged files only
    assert code == 0, out
    assert status == dict.fromkeys(HOOKS, "Skipped"), out

    apkg = next((bank / "exports").glob("*.apkg"))
    apkg.write_bytes(apkg.read_bytes() + b"\0")
    git("add", "--all", cwd=bank)
    code, out, status = pre_commit(bank, pre_commit_home)
    assert code == 1, out
    assert status == {"pyq lint": "Skipped", "pyq export --check": "Failed"}, out
    assert "exports/sample.apkg differs from what the bank produces" in out, out


BANKS_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - {{id: pyq-lint, name: pyq lint python, args: [python.yaml], files: ^python\\.yaml$}}
      - {{id: pyq-lint, name: pyq lint rust, args: [rust.yaml], files: ^rust\\.yaml$}}
      - {{id: pyq-export-check, name: pyq export --check python, args: [python.yaml], files: ^(python\\.(yaml|pyq\\.lock)|exports/)}}
      - {{id: pyq-export-check, name: pyq export --check rust, args: [rust.yaml], files: ^(rust\\.(yaml|pyq\\.lock)|exports/)}}
"""


@pytest.fixture
def banks(tmp_path, hooks):
    """A repository with two banks side by side (different ids and deck ids),
    each with its own lock, and the hooks listed once per bank as README.md
    shows."""
    repo, rev = hooks
    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "valid.yaml", folder / "python.yaml")
    shutil.copy(ROOT / "tests" / "fixtures" / "second-bank.yaml", folder / "rust.yaml")
    for bank in ("python.yaml", "rust.yaml"):
        run(PYQ, "export", bank, cwd=folder, env=ENV | {"SOURCE_DATE_EPOCH": "1800000000"})
    assert (folder / "python.pyq.lock").exists() and (folder / "rust.pyq.lock").exists()
    (folder / ".pre-commit-config.yaml").write_text(BANKS_CONFIG.format(repo=repo, rev=rev), encoding="utf-8")
    git("init", "--quiet", "--initial-branch=main", cwd=folder)
    commit_all(folder, "two banks")
    return folder


BANK_HOOKS = {f"pyq {hook} {bank}" for hook in ("lint", "export --check") for bank in ("python", "rust")}


def test_several_banks_in_one_folder_each_pass_their_own_hooks(banks, pre_commit_home):
    code, out, status = pre_commit(banks, pre_commit_home, "--all-files")
    assert code == 0, out
    assert status == dict.fromkeys(BANK_HOOKS, "Passed"), out

    # An edit to one bank runs and fails only that bank's export check.
    path = banks / "rust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("at once?", "at the same time?"), encoding="utf-8")
    git("add", "rust.yaml", cwd=banks)
    code, out, status = pre_commit(banks, pre_commit_home)
    assert code == 1, out
    assert status == {
        "pyq lint python": "Skipped",
        "pyq lint rust": "Passed",
        "pyq export --check python": "Skipped",
        "pyq export --check rust": "Failed",
    }, out
    assert "exports/rust-basics.md differs from what the bank produces" in out, out
    assert "PYQ601" not in out and "PYQ603" not in out, out
