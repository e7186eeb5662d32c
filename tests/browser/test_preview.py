"""`pyq preview` in a real browser: the open tab follows the bank as it is
saved, and shows the findings when it breaks.

Run by scripts/test with PYQ_BIN pointing at the pyq binary.
"""

import re
import shutil
import subprocess
import time

import pytest

from cdp import PHONE
from conftest import PYQ, ROOT

EDIT_WITHIN = 2.0  # seconds from a save to the open tab showing it


@pytest.fixture
def preview(tmp_path):
    """`pyq preview --port 0` on a copy of the bundled bank; its URL."""
    for name in ("questions.yaml", "questions.pyq.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    proc = subprocess.Popen(
        [PYQ, "preview", "--port", "0", "--no-config"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert url, first + proc.stderr.read()
        assert proc.stdout.readline() == "questions.yaml: no problems\n"
        yield tmp_path / "questions.yaml", url.group(0)
    finally:
        proc.send_signal(2)  # Ctrl-C
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def events_connected(page, timeout=5.0):
    """Waits until the page's reload script has opened its event stream."""
    deadline = time.monotonic() + timeout
    while not any(r.endswith("/events") for r in page.requests):
        assert time.monotonic() < deadline, f"no /events request: {page.requests}"
        time.sleep(0.05)


def save(path, text):
    path.write_text(text, encoding="utf-8")
    return time.monotonic()


def test_the_preview_follows_saves_and_shows_findings(browser, preview):
    bank, url = preview
    page = browser.page(**PHONE)
    page.goto(url)
    assert page.evaluate("document.querySelectorAll('article.pyq-q').length") == 50
    assert page.evaluate("document.getElementById('pyq-findings')") is None
    events_connected(page)  # before the first save
    original = bank.read_text(encoding="utf-8")

    # An edit reaches the open tab by itself.
    loads = page.loads()
    saved = save(bank, original.replace("How can you wait for multiple tasks", "How do you wait for several tasks", 1))
    page.wait_until("document.body.textContent.includes('How do you wait for several tasks')", timeout=EDIT_WITHIN)
    took = time.monotonic() - saved
    assert took < EDIT_WITHIN, took
    page.wait_for_load(loads)  # by a reload (the page fetches nothing else)

    # A broken bank: the findings on top with line:column, the cards kept.
    line = next(i for i, l in enumerate(original.splitlines(), 1) if l.strip() == "difficulty: mid")
    save(bank, original.replace("difficulty: mid", "difficulty: hard", 1))
    text = page.wait_until(
        "document.readyState === 'complete' && document.getElementById('pyq-findings')"
        " && document.getElementById('pyq-findings').textContent",
        timeout=EDIT_WITHIN,
    )
    assert f"questions.yaml:{line}:17: error[PYQ005] invalid-value: unknown difficulty `hard`" in text
    assert "last version of the bank without errors" in text
    assert page.evaluate("document.querySelectorAll('article.pyq-q').length") == 50
    # The findings come first on the page.
    assert page.evaluate(
        "document.getElementById('pyq-findings').compareDocumentPosition(document.querySelector('article')) & 4"
    )

    # Fixed: the findings go.
    save(bank, original)
    page.wait_until(
        "document.readyState === 'complete' && document.getElementById('pyq-findings') === null",
        timeout=EDIT_WITHIN,
    )
    assert page.errors() == []
    origin = url.rstrip("/")
    assert all(r.startswith(origin) for r in page.requests), page.requests


def test_the_reload_keeps_the_place_and_the_open_answers(browser, preview):
    bank, url = preview
    page = browser.page(**PHONE)
    page.goto(url)
    events_connected(page)
    page.click("#q-closure-return-lambda summary")
    y = page.evaluate("document.getElementById('q-closure-return-lambda').getBoundingClientRect().top + scrollY")
    page.evaluate(f"scrollTo(0, {y})")
    loads = page.loads()
    text = bank.read_text(encoding="utf-8")
    save(bank, text.replace("How can you wait for multiple tasks", "How can you await multiple tasks", 1))
    page.wait_for_load(loads, timeout=EDIT_WITHIN)
    page.wait_until(
        "document.readyState === 'complete' && document.body.textContent.includes('How can you await multiple tasks')"
    )
    assert page.evaluate("document.querySelector('#q-closure-return-lambda details').open") is True
    assert abs(page.evaluate("scrollY") - y) < 50
    assert page.errors() == []
