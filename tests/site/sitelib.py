"""Helpers shared by the site tests: what a built page loads, and how heavy it is.

A page "loads" what a browser fetches to display it: stylesheets, scripts,
images, icons, iframes and media named by the HTML, and the files those
stylesheets name in ``url()`` and ``@import``. Plain links (``<a href>``,
``<link rel="next">`` and the like) are navigation, not loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

#: <link rel=...> values whose href the browser fetches while loading the page.
LOADED_LINK_RELS = frozenset(
    {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
)
#: Element attributes that name a loaded resource.
LOADED_ATTRS = (
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("source", "src"),
    ("track", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("input", "src"),
    ("object", "data"),
)
SRCSET_TAGS = ("img", "source")

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
_CSS_FONT_SRC = re.compile(r"\bsrc\s*:([^;}]*)", re.IGNORECASE)


def is_remote(url: str) -> bool:
    """Whether a URL points off this site (``http:``, ``https:`` or ``//host``)."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme in {"http", "https"} or url.strip().startswith("//")


def is_inline(url: str) -> bool:
    """Whether a URL needs no fetch at all (``data:``, ``about:``, a bare fragment)."""
    url = url.strip()
    if not url or url.startswith("#"):
        return True
    return urlsplit(url).scheme.lower() in {"data", "about", "blob"}


@cache
def _parsed(path: Path, stamp: tuple[int, int]) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_soup(path: Path) -> BeautifulSoup:
    """A built page, parsed once per session and shared: read it, never change it.

    A dozen site tests read every page; parsing each page once instead of once
    per test (and per link) took minutes off ``make test``. The cache is keyed by
    the file's modification time and size, so a page written again during the
    session is parsed again. A test that edits the tree parses its own copy.
    """
    path = Path(path).resolve()
    stat = path.stat()
    return _parsed(path, (stat.st_mtime_ns, stat.st_size))


@cache
def _text(path: Path, stamp: tuple[int, int]) -> str:
    return path.read_text(encoding="utf-8")


def page_text(path: Path) -> str:
    """A built file's text, read once per session (keyed like :func:`page_soup`)."""
    path = Path(path).resolve()
    stat = path.stat()
    return _text(path, (stat.st_mtime_ns, stat.st_size))


def page_loads(path: Path) -> list[tuple[str, str]]:
    """:func:`html_loads` of a built page, from its shared parse."""
    return html_loads(page_soup(path))


def html_loads(html: str | BeautifulSoup) -> list[tuple[str, str]]:
    """List what an HTML page makes the browser fetch.

    Parameters
    ----------
    html : str or BeautifulSoup
        The page source, or its parse.

    Returns
    -------
    list of (str, str)
        ``(kind, url)`` pairs; kind is ``"html"`` for element attributes or
        ``"css"`` for URLs found in ``<style>`` blocks and ``style`` attributes.
    """
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
    loads: list[tuple[str, str]] = []
    for link in soup.find_all("link", href=True):
        rels = {rel.lower() for rel in (link.get("rel") or [])}
        if rels & LOADED_LINK_RELS:
            loads.append(("html", link["href"]))
    for tag, attr in LOADED_ATTRS:
        for element in soup.find_all(tag):
            if element.get(attr):
                loads.append(("html", element[attr]))
    for tag in SRCSET_TAGS:
        for element in soup.find_all(tag, srcset=True):
            for candidate in element["srcset"].split(","):
                if candidate.strip():
                    loads.append(("html", candidate.split()[0]))
    for style in soup.find_all("style"):
        loads.extend(("css", url) for url in css_loads(style.get_text()))
    for element in soup.find_all(style=True):
        loads.extend(("css", url) for url in css_loads(element["style"]))
    return loads


def css_loads(css: str) -> list[str]:
    """List what a stylesheet makes the browser fetch.

    In an ``@font-face`` ``src:`` list the browser fetches the first format it
    supports; every browser the site targets supports the first one listed
    (woff2 for KaTeX), so only that one counts. All other ``url()`` and
    ``@import`` references count.
    """
    urls = []
    for match in _CSS_FONT_SRC.finditer(css):
        first = _CSS_URL.search(match.group(1))
        if first:
            urls.append(first.group(2))
    rest = _CSS_FONT_SRC.sub("", css)
    urls.extend(match.group(2) for match in _CSS_URL.finditer(rest))
    urls.extend(match.group(1) for match in _CSS_IMPORT.finditer(rest))
    return urls


def resolve(url: str, referrer: Path, root: Path) -> Path | None:
    """Map a site-relative URL to the file it names, or None if it needs no fetch.

    Raises
    ------
    ValueError
        If the URL is remote, or escapes the site root.
    """
    if is_inline(url):
        return None
    if is_remote(url):
        raise ValueError(f"remote URL {url!r} in {referrer}")
    path = unquote(urlsplit(url).path)
    target = (root / path.lstrip("/")) if path.startswith("/") else (referrer.parent / path)
    target = target.resolve()
    if root.resolve() not in target.parents and target != root.resolve():
        raise ValueError(f"URL {url!r} in {referrer} leaves the site")
    if target.is_dir():
        target = target / "index.html"
    return target


@dataclass
class Weight:
    """What one page costs on a cold load."""

    page: Path
    files: dict[Path, int] = field(default_factory=dict)
    missing: list[tuple[Path, str]] = field(default_factory=list)
    remote: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Bytes, uncompressed, of the page and everything it loads."""
        return sum(self.files.values())


def page_weight(page: Path, root: Path) -> Weight:
    """Sum the sizes of a page and everything it loads, recursively.

    Parameters
    ----------
    page : pathlib.Path
        An HTML file inside the built site.
    root : pathlib.Path
        The site's root directory.

    Returns
    -------
    Weight
        Every file counted once (a stylesheet two pages share is counted for
        each page: each is a cold load), plus the references that were missing
        on disk or remote.
    """
    weight = Weight(page)
    pending = [page.resolve()]
    while pending:
        current = pending.pop()
        if current in weight.files:
            continue
        weight.files[current] = current.stat().st_size
        suffix = current.suffix.lower()
        if suffix in {".html", ".htm"}:
            urls = [url for _, url in page_loads(current)]
        elif suffix == ".css":
            urls = css_loads(page_text(current))
        else:
            continue
        for url in urls:
            if is_remote(url):
                weight.remote.append((current, url))
                continue
            target = resolve(url, current, root)
            if target is None:
                continue
            if target.is_file():
                pending.append(target)
            else:
                weight.missing.append((current, url))
    return weight


# ipykernel 7.4 (the newest release) sometimes loses a race while it shuts down:
# the control handler flushes stdout after the IOPub thread has closed its pipe,
# and tornado logs the ZMQError as an uncaught callback exception. The notebook
# has already run and its outputs are saved; Sphinx does not see it (``-W``
# passes). ipykernel fixed the same race in the send path (ipython/ipykernel
# PR 1518) but not yet in flush. Only that exact traceback is set aside.
_KERNEL_SHUTDOWN_RACE = re.compile(
    r"^ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
    r"Traceback \(most recent call last\):\n"
    r"(?:  .*\n)*?"
    r"  File \"[^\"]*ipykernel/kernelbase\.py\", line \d+, in process_control\n"
    r"(?:  .*\n)*?"
    r"zmq\.error\.ZMQError: Socket operation on non-socket$",
    re.MULTILINE,
)


def build_problems(log: str) -> list[str]:
    """Lines of a Sphinx build log that report a warning or an error.

    The one known upstream kernel-shutdown traceback (see above) is removed
    first; anything else that says WARNING or ERROR counts.
    """
    log = _KERNEL_SHUTDOWN_RACE.sub("", log)
    return [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR)\b", line)]
