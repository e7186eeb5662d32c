"""The HTML export in a real browser (Debian's headless Chromium, driven over
the DevTools protocol by tests/browser/cdp.py): what a reader sees and does.

Run by scripts/test with PYQ_BIN pointing at the pyq binary.
"""

import json

import pytest

from cdp import PHONE

DARK_BG = "rgb(13, 17, 23)"
LIGHT_BG = "rgb(255, 255, 255)"


@pytest.fixture
def page(browser, exported):
    """The exported page, at phone size, loaded from its file."""
    p = browser.page(**PHONE)
    p.goto(exported.as_uri())
    return p


def body_bg(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_every_question_is_a_card_with_an_anchor(page):
    ids = page.evaluate("[...document.querySelectorAll('article.pyq-q')].map(a => a.id)")
    assert len(ids) == 50
    assert all(i.startswith("q-") for i in ids)
    assert len(set(ids)) == 50
    assert page.evaluate("document.querySelectorAll('.pyq-question').length") == 50


def test_the_page_loads_nothing_and_logs_no_error(page, exported):
    # Opening every answer and using the script must not fetch anything either.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.click("#pyq-theme")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.requests == [exported.as_uri()]
    assert page.errors() == []
    # No element could load anything: no src, no external stylesheet, no link preload.
    assert page.evaluate("document.querySelectorAll('[src], link, iframe, img, object, embed').length") == 0


def test_the_answer_is_hidden_until_clicked(page):
    card = "#q-closure-return-lambda"
    visible = f"document.querySelector('{card} .pyq-answer').checkVisibility()"
    assert page.evaluate(visible) is False
    page.click(f"{card} summary")
    assert page.wait_until(visible) is True
    assert page.evaluate(f"document.querySelector('{card} details').open") is True


def test_code_is_highlighted_with_the_card_classes(page):
    card = "#q-closure-return-lambda"
    page.click(f"{card} summary")
    colours = page.evaluate(
        f"""(() => {{
        const pre = document.querySelector('{card} pre.pyq-code');
        const kw = pre.querySelector('span.keyword');
        const str = pre.querySelector('span.string, span.comment, span.function');
        return {{pre: getComputedStyle(pre).color, kw: getComputedStyle(kw).color,
                 other: getComputedStyle(str).color, text: kw.textContent}};
    }})()"""
    )
    assert colours["text"] in ("def", "return", "lambda", "import", "from", "for", "in", "if")
    assert colours["kw"] == "rgb(207, 34, 46)"  # --pyq-keyword, light
    assert colours["kw"] != colours["pre"]
    assert colours["other"] != colours["pre"]


def test_math_is_rendered_mathml(page):
    card = "#q-string-concat-vs-join"
    page.click(f"{card} summary")
    maths = page.evaluate(
        f"""[...document.querySelectorAll('{card} .pyq-answer math')].map(m => {{
            const r = m.getBoundingClientRect();
            return {{ml: m instanceof MathMLElement, w: r.width, h: r.height, text: m.textContent}};
        }})"""
    )
    assert maths, "no <math> in the answer"
    for m in maths:
        assert m["ml"] and m["w"] > 0 and m["h"] > 0, m
    # No LaTeX left for a script to typeset.
    answer = page.evaluate(f"document.querySelector('{card} .pyq-answer').textContent")
    assert "\\(" not in answer and "$O(" not in answer


def test_dark_mode_follows_the_system_and_the_toggle(page):
    assert body_bg(page) == LIGHT_BG
    page.color_scheme("dark")
    assert body_bg(page) == DARK_BG
    # The code colours follow.
    assert page.evaluate("getComputedStyle(document.querySelector('span.keyword')).color") == "rgb(255, 123, 114)"
    page.click("#pyq-theme")  # dark system, light chosen
    assert body_bg(page) == LIGHT_BG
    page.click("#pyq-theme")
    assert body_bg(page) == DARK_BG
    page.color_scheme("light")
    assert body_bg(page) == DARK_BG  # the choice is remembered over the system's
    page.click("#pyq-theme")
    assert body_bg(page) == LIGHT_BG
    assert page.evaluate("document.getElementById('pyq-theme').getAttribute('aria-pressed')") == "false"


def test_search_and_filters(page):
    total = 50
    shown = "document.querySelectorAll('article.pyq-q:not([hidden])').length"
    page.evaluate("document.getElementById('pyq-search').focus()")
    page.type("asyncio")
    n = page.wait_until(f"{shown} < {total} && {shown}")
    assert 0 < n < total
    assert page.evaluate("document.getElementById('pyq-shown').textContent") == f"{n} of {total}"
    page.evaluate("document.getElementById('pyq-search').value = ''")
    for select, attribute in (("pyq-topic", "topic"), ("pyq-difficulty", "difficulty")):
        value = page.evaluate(f"document.getElementById('{select}').options[1].value")
        page.evaluate(
            f"""(() => {{ const s = document.getElementById('{select}'); s.value = {json.dumps(value)};
                s.dispatchEvent(new Event('input', {{bubbles: true}})); }})()"""
        )
        got = page.evaluate(f"[...document.querySelectorAll('article.pyq-q:not([hidden])')].map(a => a.dataset.{attribute})")
        assert got and set(got) == {value}
        expected = page.evaluate(f"document.querySelectorAll('article.pyq-q[data-{attribute}=\"{value}\"]').length")
        assert len(got) == expected
        page.evaluate(f"document.getElementById('{select}').value = ''")
    page.evaluate(
        """(() => { const s = document.getElementById('pyq-tag'); s.value = 'asyncio';
            s.dispatchEvent(new Event('input', {bubbles: true})); })()"""
    )
    tags = page.evaluate("[...document.querySelectorAll('article.pyq-q:not([hidden])')].map(a => a.dataset.tags)")
    assert tags and all("asyncio" in t.split() for t in tags)
    page.evaluate("document.getElementById('pyq-search').value = 'zzzz-no-such-text'")
    page.evaluate("document.getElementById('pyq-filter').dispatchEvent(new Event('input'))")
    assert page.evaluate(shown) == 0
    assert page.evaluate("document.getElementById('pyq-none').hidden") is False


def test_see_also_jumps_within_the_page(page):
    source = page.evaluate("document.querySelector('.pyq-see-also a').closest('article').id")
    page.click(f"#{source} summary")
    href = page.evaluate(f"document.querySelector('#{source} .pyq-see-also a').getAttribute('href')")
    assert href.startswith("#q-")
    page.click(f"#{source} .pyq-see-also a")
    page.wait_until(f"location.hash === {json.dumps(href)}")
    top = page.evaluate(f"document.getElementById({json.dumps(href[1:])}).getBoundingClientRect().top")
    assert 0 <= top < 100
    assert page.requests == [page.evaluate("location.href.split('#')[0]")]


def test_phone_layout_scrolls_code_not_the_page(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    wide = page.evaluate(
        """[...document.querySelectorAll('pre.pyq-code')].filter(p => p.scrollWidth > p.clientWidth)
            .map(p => getComputedStyle(p).overflowX)"""
    )
    assert wide, "no code block wider than a phone in the bank?"
    assert set(wide) == {"auto"}


def test_the_page_reads_without_javascript(browser, exported):
    p = browser.page(**PHONE)
    p.send("Emulation.setScriptExecutionDisabled", {"value": True})
    p.goto(exported.as_uri())
    p.send("Emulation.setScriptExecutionDisabled", {"value": False})
    # The evaluation above runs in DevTools' own world; the page's script did not run.
    assert p.evaluate("document.getElementById('pyq-filter').hidden") is True
    assert p.evaluate("document.getElementById('pyq-theme').hidden") is True
    assert p.evaluate("document.querySelectorAll('article.pyq-q:not([hidden])').length") == 50
    p.click("#q-closure-return-lambda summary")
    assert p.wait_until("document.querySelector('#q-closure-return-lambda .pyq-answer').checkVisibility()")

