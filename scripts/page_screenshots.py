#!/usr/bin/env python3
"""Screenshots of the HTML export on a phone, light and dark, the way the
browser tests see it (tests/browser/cdp.py: Debian's headless Chromium over
the DevTools protocol). Output: docs/screenshots/page-*.png.

    target/debug/pyq export --format html
    python3 scripts/page_screenshots.py [exports/python-interview-questions.html]
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from cdp import PHONE, Browser  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# The card whose answer is shown open: code and math in one answer.
CARD = "q-string-concat-vs-join"


def main():
    page_file = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "exports" / "python-interview-questions.html"
    OUT.mkdir(parents=True, exist_ok=True)
    with Browser() as browser:
        for scheme in ("light", "dark"):
            page = browser.page(**PHONE, scale=2)
            page.color_scheme(scheme)
            page.goto(page_file.resolve().as_uri())
            page.screenshot(OUT / f"page-top-{scheme}.png")
            page.click(f"#{CARD} summary")
            page.evaluate(f"document.getElementById('{CARD}').scrollIntoView()")
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.screenshot(OUT / f"page-answer-{scheme}.png")
            errors = page.errors()
            if errors:
                sys.exit(f"the page logged errors: {errors}")
    for png in sorted(OUT.glob("page-*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
