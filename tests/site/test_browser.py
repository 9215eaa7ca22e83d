"""The built site, opened in a real browser, works offline and shows everything.

Debian's chromium, driven by Playwright, loads pages from a local HTTP server.
Every request that leaves 127.0.0.1 is recorded and blocked; console errors,
uncaught exceptions and failed local requests are recorded; then each page is
checked: its images decoded, its math typeset by KaTeX at build time (no TeX
source left in the visible text), KaTeX's fonts loaded from the site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browserlib import Visit, goto, new_page
from conftest import DOCS, chapter_sources, example_sources

pytestmark = [pytest.mark.site, pytest.mark.browser]

PAGES = [
    "index.html",
    "tutorial/index.html",
    *(f"tutorial/{c.stem}.html" for c in chapter_sources()),
    "auto_examples/index.html",
    *(f"auto_examples/{e.parent.name}/{e.stem}.html" for e in example_sources()),
    "api.html",
]

# TeX that must never reach the reader as text: math left untypeset.
_RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\frac|\\sum|\\begin\{|\\int|\\cdot|\\mathbf")

# Text of the page as a reader sees it, minus code (which may legitimately
# hold TeX, e.g. matplotlib labels) and minus KaTeX's own markup.
_VISIBLE_PROSE_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, .highlight, .katex, .sphx-glr-script-out')
      .forEach(e => e.remove());
  return body.innerText;
}"""

# Resolve once every image (lazy ones included) has finished loading or failing.
_IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  })));
  return images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src);
}"""

_MATH_JS = """async () => {
  await document.fonts.ready;
  const wrappers = Array.from(document.querySelectorAll('.math'));
  return {
    wrappers: wrappers.length,
    untypeset: wrappers.filter(w => !w.querySelector('.katex')).length,
    katex: document.querySelectorAll('.katex').length,
    fonts: Array.from(document.fonts)
      .filter(f => f.family.replace(/["']/g, '').startsWith('KaTeX') && f.status === 'loaded')
      .map(f => f.family),
  };
}"""


def _source_has_math(page: str) -> bool:
    """Independent of the HTML: does the page's source write any math?"""
    source = DOCS / Path(page).with_suffix(".md")
    if not source.is_file():
        return False
    text = source.read_text(encoding="utf-8")
    return bool(re.search(r"\$\$|\{math\}|```\{math\}|(?<![\\$])\$[^$\s][^$\n]*\$", text))


def _visit(browser: Any, server: str, page_path: str) -> tuple[Any, Any, Visit]:
    """Open one page; return its context, the Playwright page (still open) and what happened."""
    context, page, visit = new_page(browser)
    try:
        goto(page, visit, server + page_path)
    except BaseException:
        context.close()
        raise
    return context, page, visit


@pytest.mark.parametrize("page_path", PAGES)
def test_page_in_browser(browser, server: str, page_path: str) -> None:
    context, page, visit = _visit(browser, server, page_path)
    try:
        broken_images = page.evaluate(_IMAGES_JS)
        math = page.evaluate(_MATH_JS)
        prose = page.evaluate(_VISIBLE_PROSE_JS)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    assert not visit.outside, f"requests left 127.0.0.1: {visit.outside}"
    assert not visit.failed, f"failed requests: {visit.failed}"
    assert not visit.page_errors, f"uncaught exceptions: {visit.page_errors}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"
    assert not broken_images, f"images that did not load: {broken_images}"
    assert math["untypeset"] == 0, f"{math['untypeset']} math elements left for the browser"
    raw = sorted(set(_RAW_TEX.findall(prose)))
    assert not raw, f"TeX shown as text: {raw}"
    if _source_has_math(page_path):
        assert math["katex"] > 0, "the source has math but the page shows no KaTeX"
    if math["katex"]:
        assert math["fonts"], "KaTeX math shown without KaTeX's fonts"


def test_pages_to_visit_were_found() -> None:
    # PAGES is built from globs: empty globs would silently shrink the test.
    assert any(p.startswith("tutorial/") and p != "tutorial/index.html" for p in PAGES)
    assert any(p.startswith("auto_examples/") and p != "auto_examples/index.html" for p in PAGES)
