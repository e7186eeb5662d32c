"""Fixtures for the browser tests: one headless Chromium for the session and
the bundled bank exported as HTML into a scratch folder.

Run by scripts/test with PYQ_BIN pointing at the pyq binary; skipped (with a
reason) where no chromium is installed, and failed instead when
PYQ_REQUIRE_BROWSER=1 (as .ci/run sets it, having installed chromium).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cdp import Browser, chromium_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYQ = os.environ.get("PYQ_BIN", str(ROOT / "target" / "debug" / "pyq"))
PAGE = "python-interview-questions.html"


def pyq(*args, cwd, check=True, **kwargs):
    return subprocess.run([PYQ, *args], cwd=cwd, capture_output=True, text=True, check=check, **kwargs)


@pytest.fixture(scope="session")
def browser():
    if not chromium_path():
        if os.environ.get("PYQ_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser() as b:
        yield b


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """The bundled bank's HTML page, exported into a scratch folder."""
    folder = tmp_path_factory.mktemp("bank")
    for name in ("questions.yaml", "questions.pyq.lock"):
        shutil.copy(ROOT / name, folder / name)
    pyq("export", "--format", "html", cwd=folder)
    return folder / "exports" / PAGE
