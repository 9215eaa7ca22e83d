"""The built site, opened in a real browser, works offline and shows everything.

Debian's chromium, driven by Playwright, loads pages from a local HTTP server.
Every request that leaves 127.0.0.1 is recorded and blocked; console errors,
uncaught exceptions and failed local requests are recorded; then each page is
checked: its images decoded, its math typeset by KaTeX at build time (no TeX
source left in the visible text), KaTeX's fonts loaded from the site.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserlib import aborted_by_browser
from conftest import DOCS, chapter_sources, example_sources

pytestmark = [pytest.mark.site, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

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


@dataclass
class Visit:
    """What happened while a page loaded."""

    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 at a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium under Playwright (never a downloaded browser)."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"{CHROMIUM} not found: install it with `apt-get install chromium`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


def _visit(browser, server: str, page_path: str):
    """Open one page; return the Playwright page (still open) and what happened."""
    visit = Visit()
    context = browser.new_context(service_workers="block")
    page = context.new_page()

    def route(route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: aborted_by_browser(r) or visit.failed.append(f"{r.url} ({r.failure})"),
    )
    page.on(
        "response", lambda r: r.status >= 400 and visit.failed.append(f"{r.url} ({r.status})")
    )
    response = page.goto(server + page_path, wait_until="load")
    assert response is not None and response.ok, f"{page_path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
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
