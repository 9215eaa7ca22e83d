"""Playwright helpers for the end-to-end site tests: a local server and page visits.

The built site is served by :mod:`http.server` on 127.0.0.1 at a free port and
opened in Debian's chromium: the session's one ``browser`` fixture
(``tests/conftest.py``, started by :func:`chromiumlib.launch`). Every request
that would leave 127.0.0.1 is recorded and aborted, so a page that needs the
network fails its test instead of silently loading from a CDN.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hostlib import running

#: Sphinx writes these only for projects that have an index / module index.
OPTIONAL_PAGES = frozenset({"genindex.html", "py-modindex.html"})
#: Pages meant to be served by the host at a missing URL: 404.html carries a
#: <base> at the published path, so it only works served there (see
#: serve(prefix=...) and test_404_page_works_at_any_depth_on_the_host).
HOST_ONLY_PAGES = frozenset({"404.html"})
#: Viewport widths reviewed: a phone and a laptop.
NARROW, WIDE = 390, 1280


def html_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as a POSIX path relative to its root.

    Found by walking the folder, so pages added by any author are visited.
    ``_static``/``_sources``/``_images`` and friends hold assets, not pages.
    """
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if any(part.startswith("_") for part in relative.parts[:-1]):
            continue
        pages.append(relative.as_posix())
    return pages


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _PagesHandler(_QuietHandler):
    """Serve like a static host: the site under a path prefix, ``404.html`` for anything missing."""

    prefix = "/"

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(self.prefix):
            self.path = "/" + self.path[len(self.prefix) :]
            if Path(self.translate_path(self.path)).exists():
                return super().send_head()
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(site: Path, *, prefix: str | None = None) -> Iterator[str]:
    """Serve a directory on 127.0.0.1 at a free port; yield the base URL (ends in /).

    With ``prefix`` (e.g. ``"/convdoc/"``) the site is served below that path and
    every missing path gets the site's ``404.html`` with status 404, as GitHub
    Pages and Read the Docs do.
    """
    if prefix is None:
        handler = functools.partial(_QuietHandler, directory=str(site))
    else:
        pages = type("Pages", (_PagesHandler,), {"prefix": prefix})
        handler = functools.partial(pages, directory=str(site))
    with running(handler, prefix or "/") as url:
        yield url


def aborted_by_browser(request: Any) -> bool:
    """Tell whether a failed request was cancelled by the browser itself.

    Chromium reports ``net::ERR_ABORTED`` for a request it gave up on, e.g. the
    favicon still loading when the page closes or the next page is opened. That
    says nothing about the site, so it is not a failure; a missing file still
    is, because it arrives as a response with status >= 400.

    Parameters
    ----------
    request : playwright.sync_api.Request
        From a ``requestfailed`` event.

    Returns
    -------
    bool
        True for ``net::ERR_ABORTED``.
    """
    return "ERR_ABORTED" in (request.failure or "")


@dataclass
class Visit:
    """What happened while one page was open."""

    url: str
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every recorded problem, one line each, prefixed with its kind."""
        return (
            [f"left 127.0.0.1: {u}" for u in self.outside]
            + [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed]
        )

    def take(self) -> list[str]:
        """Return :meth:`problems` and forget them, to reuse one page for many URLs."""
        found = self.problems()
        for kept in (self.outside, self.console_errors, self.page_errors, self.failed):
            kept.clear()
        return found


def new_page(
    browser: Any,
    *,
    width: int = WIDE,
    height: int = 900,
    theme: str | None = None,
    reduced_motion: bool = True,
) -> tuple[Any, Any, Visit]:
    """Open a fresh context and page that records problems and blocks the network.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
        The session's ``browser`` fixture (:func:`chromiumlib.launch`).
    width, height : int
        Viewport size in CSS pixels.
    theme : {"light", "dark", "auto"}, optional
        Stored in ``localStorage["theme"]`` before any page script runs, which
        is where furo keeps the reader's choice.
    reduced_motion : bool
        Ask for reduced motion, so screenshots do not catch transitions.

    Returns
    -------
    context, page, visit
        Close ``context`` when done; ``visit`` fills in as pages load.
    """
    context = browser.new_context(
        viewport={"width": width, "height": height},
        service_workers="block",
        reduced_motion="reduce" if reduced_motion else "no-preference",
    )
    if theme is not None:
        script = f"try {{ localStorage.setItem('theme', {theme!r}); }} catch (e) {{}}"
        context.add_init_script(script)
    page = context.new_page()
    visit = Visit(url="")

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            visit.outside.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: aborted_by_browser(r) or visit.failed.append(f"{r.url} ({r.failure})"),
    )
    page.on(
        "response", lambda r: r.status >= 400 and visit.failed.append(f"{r.url} (HTTP {r.status})")
    )
    return context, page, visit


def goto(page: Any, visit: Visit, url: str, *, status: int = 200, idle: bool = True) -> None:
    """Load a URL; fail unless it answers ``status``.

    With ``idle`` also wait until the network has been quiet for 500 ms, so
    late requests (lazy images, fonts) are recorded; layout checks can skip it.
    """
    visit.url = url
    response = page.goto(url, wait_until="load")
    got = response and response.status
    assert got == status, f"{url}: HTTP {got}, expected {status}"
    if idle:
        page.wait_for_load_state("networkidle")
    # Explorers far down a long page start only when they near the screen
    # (convdoc/explore/explorer.js); the checks read every explorer, so they start
    # them all as printing does (test_home checks the lazy start itself).
    page.evaluate(START_EXPLORERS_JS)


#: Start every explorer on the page now (the scripts' own ``initAll(true)``).
START_EXPLORERS_JS = """() => {
  for (const name of ['convdocExplorer', 'convdocPlayground']) {
    if (window[name]) window[name].initAll(true);
  }
}"""


# Resolve once every image (lazy ones included) has finished loading or failing;
# return the ones that did not decode.
IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  for (const img of images) {
    img.loading = 'eager';
    img.scrollIntoView({block: 'center'});
  }
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  })));
  window.scrollTo(0, 0);
  return images.filter(img => !(img.complete && img.naturalWidth > 0))
               .map(img => img.currentSrc || img.src);
}"""

# The page's text as a reader sees it, minus code (which may legitimately hold
# TeX, e.g. matplotlib labels), KaTeX's own markup and hidden elements.
VISIBLE_PROSE_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll(
    'pre, code, kbd, samp, script, style, noscript, .highlight, .katex, .sphx-glr-script-out, '
    + '[hidden], [aria-hidden="true"]'
  ).forEach(e => e.remove());
  return body.innerText;
}"""
