"""pyq under pre-commit without Rust: the `language: python` hooks of the
README ("With pre-commit"), run for real by the `pre-commit` package in a
scratch bank repository, with pip confined to a local wheelhouse holding pyq's
wheel (scripts/build-wheel), no network, and no cargo or rustc on PATH.

pre-commit installs a `repo: local` python hook as a placeholder package plus
its `additional_dependencies`, so the hook gets the prebuilt `pyq-cli` wheel
and nothing is compiled. (A hook in pyq's own .pre-commit-hooks.yaml with
`language: python` could not do that: pre-commit would `pip install` pyq's
repository, which builds it with cargo.) Installing the placeholder needs
setuptools, which the wheelhouse gets from the wheels virtualenv embeds.

Run by scripts/test with PYQ_WHEELHOUSE (default target/wheelhouse).
"""

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
import virtualenv
import yaml

from test_precommit import ENV, HOOKS, ROOT, commit_all, edit, export, git, pre_commit

VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "Cargo.toml").read_text(encoding="utf-8"), re.M).group(1)
WHEELHOUSE = Path(os.environ.get("PYQ_WHEELHOUSE", ROOT / "target" / "wheelhouse"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_config():
    """The README's .pre-commit-config.yaml for pre-commit without Rust."""
    blocks = [b for b in re.findall(r"^```yaml\n(.*?)^```$", README, re.S | re.M) if "language: python" in b]
    assert len(blocks) == 1, "one ```yaml block in README.md with `language: python`"
    return blocks[0]


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """pyq's wheel for this machine, and setuptools for pre-commit's placeholder package."""
    found = sorted(WHEELHOUSE.glob(f"pyq_cli-{VERSION}-py3-none-*manylinux*_{os.uname().machine}.whl"))
    if not found:
        pytest.fail(f"no pyq_cli {VERSION} wheel in {WHEELHOUSE}: run scripts/build-wheel")
    house = tmp_path_factory.mktemp("wheelhouse")
    shutil.copy(found[-1], house)
    embedded = Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed"
    shutil.copy(sorted(embedded.glob("setuptools-*.whl"))[-1], house)
    return house


@pytest.fixture(scope="module")
def env(wheelhouse):
    """ENV without Rust on PATH (only pre-commit's own interpreter's folder and the
    system's) and with pip confined to the wheelhouse."""
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None
    keep = {k: v for k, v in ENV.items() if not k.startswith(("CARGO", "RUSTUP", "PIP_"))}
    return keep | {"PATH": path, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
                   "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_CONFIG_FILE": os.devnull}


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home-python")
    yield home
    shutil.rmtree(home)


@pytest.fixture
def bank(tmp_path, monkeypatch, env):
    """A git repository with a clean bank, its exports and the README's config,
    its pyq-cli pinned to this version."""
    monkeypatch.setattr("test_precommit.ENV", env)
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "valid.yaml", bank / "questions.yaml")
    export(bank)
    config = re.sub(r"pyq-cli==[0-9][^\]\s,]*", f"pyq-cli=={VERSION}", readme_config())
    (bank / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (bank / "README.md").write_text("A bank.\n", encoding="utf-8")
    git("init", "--quiet", "--initial-branch=main", cwd=bank)
    commit_all(bank, "a clean bank")
    return bank


def test_the_readme_config_uses_python_hooks_pinned_to_pyq_cli():
    hooks = yaml.safe_load(readme_config())["repos"][0]["hooks"]
    manifest = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [h["id"] for h in hooks] == list(manifest) == ["pyq-lint", "pyq-export-check"]
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["additional_dependencies"] == [f"pyq-cli=={VERSION}"]
        # The same hook as the Rust one, but for how pyq gets installed.
        same = {k: v for k, v in manifest[hook["id"]].items() if k not in ("language", "description")}
        assert {k: v for k, v in hook.items() if k in same} == same


def test_the_hooks_get_ready_without_rust_and_pass_a_clean_bank(bank, pre_commit_home, env, capsys):
    start = time.perf_counter()
    p = pre_commit_run(bank, pre_commit_home, env, "install-hooks")
    ready = time.perf_counter() - start
    assert p[0] == 0, p[1]
    with capsys.disabled():
        print(f"\n  [measured] pre-commit install-hooks (python hooks, local wheelhouse): {ready:.2f} s", file=sys.stderr)

    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 0, out
    assert status == dict.fromkeys(HOOKS, "Passed"), out
    # The environment pre-commit made runs the wheel's binary.
    [pyq] = list(Path(pre_commit_home).glob("repo*/py_env-*/bin/pyq"))
    assert pyq.read_bytes()[:4] == b"\x7fELF"


def test_a_missing_answer_fails_with_pyqs_finding(bank, pre_commit_home):
    edit(bank, "    answer: The variables themselves, in cells, not their values.\n", "")
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 1, out
    assert status == dict.fromkeys(HOOKS, "Failed"), out
    assert "PYQ201" in out and "question 3 (`closure-cells`) has no answer" in out, out


def test_stale_exports_fail_only_the_export_check(bank, pre_commit_home):
    edit(bank, "capture from the enclosing function?", "capture from its enclosing function?")
    code, out, status = pre_commit(bank, pre_commit_home, "--all-files")
    assert code == 1, out
    assert status == {"pyq lint": "Passed", "pyq export --check": "Failed"}, out
    assert "exports/sample.md differs from what the bank produces" in out, out


def pre_commit_run(bank, home, env, *args):
    import subprocess
    p = subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=bank,
                       env=env | {"PRE_COMMIT_HOME": str(home)}, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr
