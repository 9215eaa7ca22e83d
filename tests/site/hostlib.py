"""Serve the built site as a static host does: gzip, cache headers, 304s, a 404 page.

Lighthouse's performance and best-practices audits depend on the server as much as
on the pages (text compression, cache lifetimes, how long the first byte takes), so
the Lighthouse tests serve the site the way GitHub Pages and Read the Docs do, not
the way :mod:`http.server` does (no compression, no cache headers):

* text (HTML, CSS, JavaScript, JSON, SVG, XML, plain text) is sent gzip-compressed
  to clients that accept it, with ``Vary: Accept-Encoding``; images and fonts, which
  are compressed already, are sent as they are;
* every response carries ``Cache-Control: max-age=600`` (GitHub Pages' lifetime),
  an ``ETag`` and ``Last-Modified``, and a matching ``If-None-Match`` gets a 304;
* a missing path gets the site's ``404.html`` with status 404.

Compressed bodies are kept in memory per file and modification time, so each
file is compressed once however often it is asked for.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

#: GitHub Pages' cache lifetime for every file (Read the Docs uses the same order).
MAX_AGE = 600
#: Content types sent compressed; images and fonts are compressed formats already.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
)
_TYPES = {
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".webp": "image/webp",
    ".json": "application/json",
    ".ipynb": "application/json",
    ".py": "text/plain",
    ".txt": "text/plain",
    ".xml": "application/xml",
}


def content_type(path: Path) -> str:
    """The Content-Type a static host sends for a file (UTF-8 for text)."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return kind


def compressible(kind: str) -> bool:
    """Whether a host compresses a response of this Content-Type."""
    return kind.startswith(COMPRESSIBLE)


class _Cache:
    """gzip bodies by (path, mtime), computed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: dict[tuple[Path, int], bytes] = {}

    def gzipped(self, path: Path, mtime: int, raw: bytes) -> bytes:
        key = (path, mtime)
        with self._lock:
            body = self._bodies.get(key)
        if body is None:
            body = gzip.compress(raw, compresslevel=6, mtime=0)
            with self._lock:
                self._bodies[key] = body
        return body


class HostHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files below ``root``, as described in the module docstring."""

    root: Path = Path(".")
    cache: _Cache = _Cache()
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in (target, *target.parents):
            return None
        if target.is_dir():
            if not path.endswith("/"):
                return None
            target = target / "index.html"
        return target if target.is_file() else None

    def _send(self, status: int, path: Path, *, head: bool) -> None:
        raw = path.read_bytes()
        stat = path.stat()
        etag = '"' + hashlib.sha1(raw).hexdigest()[:20] + '"'
        kind = content_type(path)
        gzipped = compressible(kind) and "gzip" in self.headers.get("Accept-Encoding", "")
        if status == 200 and etag in self.headers.get("If-None-Match", ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", f"max-age={MAX_AGE}")
            self.end_headers()
            return
        body = self.cache.gzipped(path, stat.st_mtime_ns, raw) if gzipped else raw
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if compressible(kind):
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if status == 200:
            self.send_header("Cache-Control", f"max-age={MAX_AGE}")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, *, head: bool) -> None:
        found = self._resolve()
        if found is not None:
            self._send(200, found, head=head)
            return
        page = self.root / "404.html"
        if page.is_file():
            self._send(404, page, head=head)
        else:
            self.send_error(404)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)


@contextmanager
def running(handler: Any, path: str = "/") -> Iterator[str]:
    """Run an HTTP handler on 127.0.0.1 at a free port in a thread; yield the URL of ``path``.

    The one server loop of the site tests (this module's :func:`host` and
    :func:`browserlib.serve`); it stops when the block ends.
    """
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def host(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 at a free port like a static host; yield the base URL."""
    handler = type("Host", (HostHandler,), {"root": site.resolve(), "cache": _Cache()})
    with running(handler) as url:
        yield url
