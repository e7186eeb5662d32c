#!/usr/bin/env python3
"""Renders cards of the exported deck the way a learner sees them, to PNG.

Imports exports/<deck>.apkg into a scratch collection with Anki's own library,
takes the front and back HTML of a card with code and a card with math, wraps
each in a phone-width page with Anki's classes (`card`, plus `nightMode` /
`night_mode` for dark mode) and MathJax 3 configured as Anki configures it,
and screenshots it with headless Chromium. Output: docs/screenshots/*.png.

Needs: target/pyenv (scripts/pyenv), Debian's chromium, and MathJax 3 from npm:
    apt-get install chromium && (cd target && npm install mathjax@3)
    target/pyenv/bin/python scripts/screenshots.py
"""

import html
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
MATHJAX = Path(os.environ.get("MATHJAX", ROOT / "target" / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"))
CARDS = {"code": "closure-return-lambda", "math": "string-concat-vs-join"}
WIDTH = 412  # a common phone viewport width, in CSS pixels

PAGE = """<!doctype html>
<html class="{mode}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>
window.MathJax = {{
  tex: {{ inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]], processEscapes: false }},
  options: {{ skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code"] }},
  startup: {{ pageReady: () => MathJax.startup.defaultPageReady().then(() => {{
    document.title = "h" + Math.ceil(document.documentElement.scrollHeight);
  }}) }}
}};
</script>
<script src="{mathjax}"></script>
<style>html, body {{ margin: 0; }}</style>
</head><body class="card {mode}">{content}</body></html>
"""

CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--force-device-scale-factor=2",
]


def main():
    apkg = next((ROOT / "exports").glob("*.apkg"))
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(str(Path(tmp) / "c.anki2"))
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=False)))
        notes = {col.get_note(n)["Id"]: col.get_note(n) for n in col.find_notes("")}
        for kind, qid in CARDS.items():
            card = notes[qid].cards()[0]
            for side, content in (("front", card.question()), ("back", card.answer())):
                for mode in ("light", "dark"):
                    classes = "nightMode night_mode" if mode == "dark" else ""
                    page = Path(tmp) / f"{kind}-{side}-{mode}.html"
                    page.write_text(PAGE.format(mode=classes, mathjax=MATHJAX.as_uri(), content=content), encoding="utf-8")
                    shoot(page, OUT / f"{kind}-{side}-{mode}.png", tmp)
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT.relative_to(ROOT)}")


def shoot(page, png, tmp):
    profile = ["--user-data-dir=" + tempfile.mkdtemp(dir=tmp)]
    dom = subprocess.run(
        CHROMIUM + profile + [f"--window-size={WIDTH},800", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, check=True).stdout
    m = re.search(r"<title>h(\d+)</title>", dom)
    if not m:
        sys.exit(f"{page.name}: MathJax did not finish typesetting")
    height = int(m.group(1))
    subprocess.run(
        CHROMIUM + profile + [f"--window-size={WIDTH},{height}", "--virtual-time-budget=5000",
                              f"--screenshot={png}", page.as_uri()],
        capture_output=True, check=True)


if __name__ == "__main__":
    main()
