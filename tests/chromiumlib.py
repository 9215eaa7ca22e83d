"""Debian's chromium under Playwright, for every browser test (one instance per session).

Playwright's sync API refuses a second ``sync_playwright()`` in a thread whose first
one is still open ("using Playwright Sync API inside the asyncio loop"), so the
browser tests cannot each start their own: they all take the session-scoped
``browser`` fixture of ``tests/conftest.py``, which :func:`launch` opens once.

Never a browser downloaded by Playwright. Without chromium (or Playwright) the
tests are skipped with the command that installs it, except under CI (``$CI``
set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
)  # fmt: skip


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message} (required under CI)", pytrace=False)
    pytest.skip(message)


def chromium_path() -> str:
    """The system chromium; skip (or fail under CI) when it is missing."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found:
        return found
    _unavailable(f"{CHROMIUM} not found: install it with `apt-get install chromium`")
    raise AssertionError("unreachable")  # pytest.skip / pytest.fail raise


@contextmanager
def launch() -> Iterator[Any]:
    """Start Debian's chromium under Playwright; yield the Browser."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: `make venv` installs it")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
