"""The release workflow's GitHub Pages job (.github/workflows/release.yml):
only it may deploy, only after the release, only when the repository asks
for it, and its script lays out the committed page as the site's index.
(actionlint and zizmor check the whole file in scripts/lint-workflows.)
"""

import os
import re
import subprocess

import pytest
import yaml

from test_precommit import ROOT

WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
JOBS = WORKFLOW["jobs"]


def test_only_the_pages_and_pypi_jobs_get_an_identity_token():
    assert WORKFLOW["permissions"] == {}
    for name, job in JOBS.items():
        perms = job.get("permissions", {})
        if name == "pages":
            assert perms == {"pages": "write", "id-token": "write"}
        elif name == "pypi":
            # Trusted publishing to PyPI: the token, and nothing else.
            assert perms == {"id-token": "write"}
        else:
            assert "pages" not in perms and "id-token" not in perms, name


def test_pages_follows_the_release_and_is_opt_in():
    pages = JOBS["pages"]
    assert pages["needs"] == "release"
    assert pages["if"] == "vars.PUBLISH_PAGES == 'true'"
    assert pages["environment"]["name"] == "github-pages"
    uses = [s["uses"] for s in pages["steps"] if "uses" in s]
    assert [u.split("@")[0] for u in uses] == [
        "actions/checkout",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    # Every action in the file is pinned to a commit.
    for job in JOBS.values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_the_release_attaches_the_page():
    script = next(s["run"] for s in JOBS["release"]["steps"] if "gh release create" in s.get("run", ""))
    assert "exports/*.html" in script


def layout_script():
    return next(s["run"] for s in JOBS["pages"]["steps"] if "Lay out the site" in s.get("name", ""))


@pytest.mark.parametrize("pages", [1, 0, 2])
def test_the_site_is_the_committed_page(tmp_path, pages):
    (tmp_path / "exports").mkdir()
    for i in range(pages):
        (tmp_path / "exports" / f"deck{i}.html").write_text(f"<p>page {i}</p>\n", encoding="utf-8")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    p = subprocess.run(
        ["bash", "-e", "-c", layout_script()],
        cwd=tmp_path,
        env={**os.environ, "RUNNER_TEMP": str(runner_temp)},
        capture_output=True,
        text=True,
    )
    if pages == 1:
        assert p.returncode == 0, p.stdout + p.stderr
        assert (runner_temp / "site" / "index.html").read_text(encoding="utf-8") == "<p>page 0</p>\n"
        assert os.listdir(runner_temp / "site") == ["index.html"]
    else:
        assert p.returncode == 1
        assert "::error::expected one HTML page in exports/" in p.stdout
