"""One browser pass over the built site: every page loaded once per viewport.

The checks of every page (images, math, overflow, dark theme, layout, the
explorers driven by hand...) used to open each page themselves, so a page was
loaded five or six times. Now the ``sweep`` fixture (tests/site/conftest.py)
opens each page once per :class:`Viewport`, runs every registered
:class:`Collector` on it and keeps what they return in a :class:`Record`; the
tests then assert on the record, each on its own, with its own message.

A test module registers what its checks need with :func:`collect`::

    @collect(LAPTOP, "math")
    def _math(page, at):
        return page.evaluate(_MATH_JS)

    def test_math_is_typeset(sweep):
        for at, math in sweep.values(LAPTOP, "math"):
            ...

On each page, in one browser tab per viewport:

1. load it (HTTP status checked) and make every image load (``IMAGES_JS``: lazy
   images too), kept as the ``"images"`` value;
2. run the collectors that only read the page, in the order registered;
3. (laptop) wait for the network to be quiet, then take the problems the page
   caused while loading (console errors, failed or outside requests);
4. run the collectors that act on the page (click, type, step an explorer), in
   the order registered, taking the problems each one caused.

A collector that raises does not stop the pass: its error is kept, and the
tests that read its value fail with it (:meth:`Record.value`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browserlib import HOST_ONLY_PAGES, IMAGES_JS, goto, new_page


@dataclass(frozen=True)
class Viewport:
    """A browser window a reader uses: its size, theme, and how long a page settles."""

    name: str
    width: int
    height: int
    theme: str | None = None
    #: Wait for 500 ms without network traffic before taking the page's problems,
    #: so late requests (fonts, lazy images) are recorded.
    idle: bool = False

    def __str__(self) -> str:
        return f"{self.name} ({self.width}x{self.height}{', ' + self.theme if self.theme else ''})"


#: A laptop, furo's default (light) theme.
LAPTOP = Viewport("laptop", 1280, 800, idle=True)
#: A phone in furo's dark theme. The layout does not depend on the colours, so one
#: phone pass serves both the layout and the dark-theme checks.
PHONE = Viewport("phone", 390, 844, theme="dark")
VIEWPORTS = (LAPTOP, PHONE)


@dataclass(frozen=True)
class At:
    """Where a collector runs: the page (relative path), its URL, the site on disk."""

    path: str
    url: str
    site: Path
    viewport: Viewport

    def __str__(self) -> str:
        return f"{self.path} at {self.viewport.name}"


@dataclass(frozen=True)
class Collector:
    """Something a check needs from each page it looks at."""

    name: str
    viewport: Viewport
    run: Callable[[Any, At], Any]
    #: Which pages: called with the page's path and the site folder.
    wants: Callable[[str, Path], bool]
    #: Changes the page (clicks, types): runs after every collector that only reads.
    acts: bool = False


#: Every collector the imported test modules registered, in registration order.
REGISTRY: list[Collector] = []


def every_page(path: str, site: Path) -> bool:
    """Every page a reader can open (404.html only works served by a host)."""
    return True


def collect(
    viewport: Viewport,
    name: str,
    *,
    pages: Callable[[str, Path], bool] = every_page,
    acts: bool = False,
) -> Callable[[Callable[[Any, At], Any]], Callable[[Any, At], Any]]:
    """Register a function ``run(page, at)`` to call on each wanted page at ``viewport``.

    Parameters
    ----------
    viewport : Viewport
        The pass it runs in.
    name : str
        The key its results are kept under; unique per viewport.
    pages : callable, optional
        ``pages(path, site) -> bool`` picks the pages; every page by default.
    acts : bool
        True if it changes the page (clicks, key presses): it then runs after all
        the read-only collectors, and the problems it causes are kept apart.
    """

    def register(run: Callable[[Any, At], Any]) -> Callable[[Any, At], Any]:
        clash = [c for c in REGISTRY if c.viewport == viewport and c.name == name]
        if clash and clash[0].run.__qualname__ != run.__qualname__:
            raise ValueError(f"two sweep collectors named {name!r} at {viewport}")
        REGISTRY[:] = [c for c in REGISTRY if c not in clash]
        REGISTRY.append(Collector(name, viewport, run, pages, acts))
        return run

    return register


@dataclass
class Record:
    """What one page showed at one viewport."""

    at: At
    values: dict[str, Any] = field(default_factory=dict)
    #: Collector name -> the error it raised (with traceback).
    errors: dict[str, str] = field(default_factory=dict)
    #: Problems while loading and reading: console errors, failed or outside requests.
    problems: list[str] = field(default_factory=list)
    #: Collector name -> problems that appeared while it acted on the page.
    acted_problems: dict[str, list[str]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether the named collector ran on this page (with or without an error)."""
        return name in self.values or name in self.errors

    def value(self, name: str) -> Any:
        """The named collector's result; fail the calling test if collecting it raised."""
        if name in self.errors:
            pytest.fail(f"{self.at}: collecting {name!r} failed:\n{self.errors[name]}")
        return self.values[name]


@dataclass
class Sweep:
    """Every page at every viewport, as the one pass recorded it."""

    site: Path
    pages: list[str]
    records: dict[tuple[str, str], Record] = field(default_factory=dict)

    def at(self, viewport: Viewport, path: str) -> Record:
        """The record of one page at one viewport."""
        return self.records[viewport.name, path]

    def each(self, viewport: Viewport, name: str | None = None) -> Iterator[Record]:
        """The records at a viewport, in page order; only those ``name`` ran on, if given."""
        for (where, _), record in self.records.items():
            if where == viewport.name and (name is None or record.has(name)):
                yield record

    def values(self, viewport: Viewport, name: str) -> Iterator[tuple[At, Any]]:
        """``(at, value)`` for every page the named collector ran on (fails on its error)."""
        found = False
        for record in self.each(viewport, name):
            found = True
            yield record.at, record.value(name)
        if not found:
            pytest.fail(f"the sweep ran {name!r} at {viewport} on no page")


def _error(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip() + (
        "\n" + "".join(traceback.format_tb(error.__traceback__)[-3:])
    )


def run_sweep(
    browser: Any,
    server: str,
    site: Path,
    pages: list[str],
    collectors: list[Collector] | None = None,
) -> Sweep:
    """Load every page once per viewport and run the collectors registered for it."""
    collectors = list(REGISTRY if collectors is None else collectors)
    sweep = Sweep(site, pages)
    for viewport in VIEWPORTS:
        mine = [c for c in collectors if c.viewport == viewport]
        if not mine:
            continue
        reading = [c for c in mine if not c.acts]
        acting = [c for c in mine if c.acts]
        context, page, visit = new_page(
            browser, width=viewport.width, height=viewport.height, theme=viewport.theme
        )
        try:
            for path in pages:
                if path in HOST_ONLY_PAGES:
                    continue
                at = At(path, server + path, site, viewport)
                record = sweep.records[viewport.name, path] = Record(at)
                try:
                    goto(page, visit, at.url, idle=viewport.idle)
                    record.values["images"] = page.evaluate(IMAGES_JS)
                except Exception as error:  # the page did not load: nothing to collect
                    record.errors["load"] = _error(error)
                    record.problems = visit.take()
                    for collector in mine:
                        if collector.wants(path, site):
                            record.errors[collector.name] = f"the page did not load:\n{error}"
                    continue
                for collector in reading:
                    _run(collector, page, at, record)
                if viewport.idle:
                    page.wait_for_load_state("networkidle")
                record.problems = visit.take()
                for collector in acting:
                    if _run(collector, page, at, record):
                        record.acted_problems[collector.name] = visit.take()
        finally:
            context.close()
    return sweep


def _run(collector: Collector, page: Any, at: At, record: Record) -> bool:
    """Run one collector on the page if it wants it; keep its value or its error."""
    if not collector.wants(at.path, at.site):
        return False
    try:
        record.values[collector.name] = collector.run(page, at)
    except Exception as error:
        record.errors[collector.name] = _error(error)
    return True
