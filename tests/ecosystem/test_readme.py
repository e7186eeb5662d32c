"""The README's snippets for other banks' repositories are valid: the GitHub
Actions workflow passes actionlint and zizmor, the .pre-commit-config.yaml
passes pre-commit's own validation and names hooks that .pre-commit-hooks.yaml
defines (itself checked with pre-commit's manifest validation).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_precommit import ENV, ROOT

BIN = Path(sys.executable).parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "Cargo.toml").read_text(encoding="utf-8"), re.M).group(1)
YAML_BLOCKS = re.findall(r"^```yaml\n(.*?)^```$", README, re.S | re.M)


def block(containing):
    found = [b for b in YAML_BLOCKS if containing in b]
    assert len(found) == 1, f"one ```yaml block in README.md with {containing!r}"
    return found[0]


def run(*args, cwd=ROOT):
    p = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


@pytest.fixture
def workflow(tmp_path):
    path = tmp_path / ".github" / "workflows" / "bank.yml"
    path.parent.mkdir(parents=True)
    path.write_text(block("# .github/workflows/bank.yml"), encoding="utf-8")
    return path


def test_the_ci_snippet_passes_actionlint(workflow):
    code, out = run(str(BIN / "actionlint"), "-no-color", "-shellcheck", str(BIN / "shellcheck"),
                    "-pyflakes", "", str(workflow))
    assert code == 0, out


def test_the_ci_snippet_passes_zizmor_but_for_the_tag_it_says_to_pin(workflow):
    p = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", "--color=never",
                        "--format=json", str(workflow)], env=ENV, capture_output=True, text=True)
    # The snippet says `OWNER/pyq@v0.1.0`, "or the tag's commit SHA, as zizmor asks":
    # a commit that does not exist yet cannot be written down here.
    found = [(f["ident"], loc["concrete"]["feature"]) for f in json.loads(p.stdout)
             for loc in f["locations"] if loc["symbolic"]["kind"] == "Primary"]
    assert found == [("unpinned-uses", f"OWNER/pyq@v{VERSION}")], p.stdout


def test_the_ci_snippet_lints_with_the_action_and_github_annotations(workflow):
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["bank"]["steps"]
    [action] = [s for s in steps if s.get("uses", "").startswith("OWNER/pyq@")]
    assert action["uses"] == "OWNER/pyq@v" + VERSION
    assert action["with"] == {"args": "lint --deny warnings --format github questions.yaml"}
    inputs = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    assert set(action["with"]) <= set(inputs)
    assert [s["run"] for s in steps if "run" in s] == ["pyq export --check questions.yaml"]


def test_the_hooks_manifest_is_valid():
    code, out = run(sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml")
    assert code == 0, out


@pytest.mark.parametrize("snippet", ["rev: v0.1.0 # a tag or commit of pyq", "language: python"])
def test_the_pre_commit_snippets_are_valid_and_name_real_hooks(tmp_path, snippet):
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(block(snippet), encoding="utf-8")
    code, out = run(sys.executable, "-m", "pre_commit", "validate-config", str(config))
    assert code == 0, out
    used = [h["id"] for r in yaml.safe_load(config.read_text(encoding="utf-8"))["repos"] for h in r["hooks"]]
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert used == [h["id"] for h in manifest] == ["pyq-lint", "pyq-export-check"]


def test_the_several_banks_snippet_is_valid_and_is_the_one_tested(tmp_path):
    """README.md's hooks for two banks in one folder: valid for pre-commit,
    and the very lines test_precommit.py runs for real."""
    from test_precommit import BANKS_CONFIG

    snippet = block("name: pyq lint python")
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    code, out = run(sys.executable, "-m", "pre_commit", "validate-config", str(config))
    assert code == 0, out
    hooks = [line for line in snippet.splitlines() if line.lstrip().startswith("- {id:")]
    tested = BANKS_CONFIG.replace("{{", "{").replace("}}", "}").splitlines()
    assert len(hooks) == 4 and all(h in tested for h in hooks), hooks
