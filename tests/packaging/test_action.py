"""pyq's GitHub Action (action.yml): its one step runs scripts/action.sh, which
is run here the way the runner runs it (the INPUT_* variables action.yml sets,
GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT), with pip
confined to the local wheelhouse instead of PyPI (the test never reaches
GitHub or PyPI) and no Rust on PATH.
"""

import os
import re

import pytest
import yaml
from wheelhouse import ROOT, VERSION, bank_copy, required_wheel, run, up_to_date, without_rust

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory):
    """RUNNER_TEMP, one for the module: like the steps of one job, the tests share
    the action's virtual environment, so only the first installs pyq."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def runner(tmp_path, runner_temp):
    """Runs scripts/action.sh with the given inputs in a copy of the bank; returns
    (exit code, output, the lines the step added to GITHUB_PATH, to GITHUB_OUTPUT)."""
    wheel = required_wheel(os.uname().machine)
    bank = bank_copy(tmp_path / "bank")
    temp = runner_temp
    github_path, github_output = tmp_path / "github_path", tmp_path / "github_output"

    def action(**inputs):
        defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        assert set(inputs) <= set(defaults), inputs
        values = defaults | inputs
        env = without_rust(wheel.parent, GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=str(ROOT),
                           RUNNER_TEMP=str(temp), GITHUB_PATH=str(github_path),
                           GITHUB_OUTPUT=str(github_output))
        # action.yml's `env:`: INPUT_ARGS: ${{ inputs.args }} and so on.
        for name, expression in ACTION["runs"]["steps"][0]["env"].items():
            env[name] = values[re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", expression).group(1)]
        for f in (github_path, github_output):
            f.write_text("")
        p = run("bash", ROOT / "scripts" / "action.sh", env=env, cwd=bank, check=False)
        return (p.returncode, p.stdout + p.stderr,
                github_path.read_text().splitlines(), github_output.read_text().splitlines())

    action.bank = bank
    action.venv_bin = temp / "pyq-action-venv" / "bin"
    return action


def test_action_yml_runs_the_script_with_every_input():
    assert ACTION["runs"]["using"] == "composite"
    [step] = ACTION["runs"]["steps"]
    assert step["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/action.sh"'
    assert step["shell"] == "bash"
    assert sorted(step["env"]) == sorted(f"INPUT_{n.upper().replace('-', '_')}" for n in ACTION["inputs"])
    assert ACTION["inputs"]["args"]["default"] == "lint --format github"
    assert ACTION["outputs"]["version"]["value"] == "${{ steps.pyq.outputs.version }}"


def test_by_default_it_installs_its_own_version_and_lints_with_annotations(runner):
    code, out, path, output = runner()
    assert code == 0, out
    assert f"pyq {VERSION} installed in {runner.venv_bin}" in out, out
    assert out.endswith("pyq lint --format github\n"), out  # no findings, no annotations
    assert path == [str(runner.venv_bin)]
    assert output == [f"version={VERSION}"]
    # A second use in the same job finds it installed.
    code, out, path, output = runner(args="--version")
    assert code == 0, out
    assert f"pyq {VERSION} is installed in {runner.venv_bin}" in out, out
    assert out.endswith(f"pyq --version\npyq {VERSION}\n"), out
    assert (path, output) == ([str(runner.venv_bin)], [f"version={VERSION}"])


def test_findings_become_annotations_and_fail_the_step(runner):
    text = (runner.bank / "questions.yaml").read_text(encoding="utf-8")
    (runner.bank / "questions.yaml").write_text(text.replace("\n    answer: ", "\n    anwser: ", 1), encoding="utf-8")
    code, out, _, _ = runner(args="lint --deny warnings questions.yaml")
    assert code == 1, out
    assert re.search(r"^::error file=questions\.yaml,line=\d+,col=\d+,.*unknown key `anwser`", out, re.M), out


def test_other_arguments_and_a_pinned_version(runner):
    code, out, _, _ = runner(args="export --check", version=f"v{VERSION}")
    assert code == 0, out
    assert up_to_date() in out


def test_empty_args_only_install_pyq(runner):
    code, out, path, _ = runner(args="")
    assert code == 0, out
    assert path == [str(runner.venv_bin)]
    assert "pyq lint" not in out and "pyq export" not in out


def test_a_version_that_is_not_a_version_fails_before_pip(runner):
    code, out, _, _ = runner(version="1.0; rm -rf /")
    assert code == 1, out
    assert "::error title=pyq action::version `1.0; rm -rf /` is not a version of pyq" in out, out
    assert "pip" not in out


def test_a_version_that_does_not_exist_fails_with_a_clear_message(runner):
    # Last in the module: it replaces the shared environment.
    code, out, path, _ = runner(version="9.9.9")
    assert code == 1, out
    assert (f"::error title=pyq action::pyq 9.9.9 is not on the package index (pyq-cli versions there: {VERSION}): "
            "set the action's `version` input to one of them") in out, out
    assert path == []
