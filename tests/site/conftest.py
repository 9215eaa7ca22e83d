"""Build the documentation site once per test session and hand it to the site tests.

The build starts in the background as soon as the tests are collected, and the
tests that need it run last, so the unit tests run while it builds.

The build is the one ``make html`` runs (``sphinx-build -b html -W
--keep-going``) into a temporary directory, followed by a second build into the
same directory with nothing changed, whose log shows whether anything was
re-executed. Set ``CONVDOC_SITE`` to the ``html`` directory ``make html`` built to
test it instead of building: the tests then read the log ``make html`` kept beside
it and rebuild it in place, unchanged, to check that nothing re-runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browserlib import html_pages, serve
from sweeplib import Sweep, run_sweep

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

#: The heaviest pages, filled by test_budget, printed after the run.
WEIGHT_REPORT = pytest.StashKey[list[tuple[int, str]]]()
#: External <a href> links, filled by test_offline, printed after the run.
LINK_REPORT = pytest.StashKey[dict[str, int]]()
#: How long the session's builds took, filled by site_build, printed after the run.
BUILD_REPORT = pytest.StashKey["SiteBuild"]()
#: Further report sections from any site test: title -> lines, printed after the run.
EXTRA_REPORT = pytest.StashKey[dict[str, list[str]]]()
#: The pages Lighthouse measures when its tests are collected (test_lighthouse).
LIGHTHOUSE_PAGES = pytest.StashKey[list[str]]()
#: The session's Lighthouse runner, started once the site is built: {"runner": Runner}.
LIGHTHOUSE = pytest.StashKey[dict[str, Any]]()


@dataclass(frozen=True)
class SiteBuild:
    """A built site and how it was built."""

    html: Path
    log: str | None = None
    returncode: int = 0
    rebuild_log: str | None = None
    rebuild_returncode: int = 0
    seconds: float | None = None
    rebuild_seconds: float | None = None


def chapter_sources() -> list[Path]:
    """The tutorial's text notebooks, found on disk (not a hand list)."""
    return sorted(
        path
        for path in (DOCS / "tutorial").glob("*.md")
        if path.name != "index.md" and path.read_text(encoding="utf-8").startswith("---")
    )


def example_sources() -> list[Path]:
    """Every gallery script, found on disk."""
    return sorted(EXAMPLES.glob("*/*.py"))


def _sphinx(outdir: Path, doctrees: Path) -> tuple[int, str, float]:
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
        "-d", str(doctrees), str(DOCS), str(outdir),
    ]  # fmt: skip
    # No MPLBACKEND override: sphinx-gallery picks Agg itself, and the chapter
    # kernels need IPython's inline backend to show their figures.
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    start = time.perf_counter()
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        _RUNNING.add(process)
        try:
            output, _ = process.communicate()
        finally:
            _RUNNING.discard(process)
    return process.returncode, output, time.perf_counter() - start


#: sphinx-build processes still running, stopped if the session ends before them.
_RUNNING: set[subprocess.Popen[str]] = set()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop a background build the session no longer waits for (``-x``, Ctrl-C)."""
    for process in list(_RUNNING):
        process.terminate()
    runner = config.stash.get(LIGHTHOUSE, {}).get("runner")
    if runner is not None:
        runner.close()


def _given_build(given: str) -> SiteBuild:
    """The site ``make html`` built: its log, then an unchanged rebuild in place.

    ``make html`` keeps its log beside the html folder (``docs/_build/build.log``)
    and its doctrees inside it (sphinx-build's default), so the build tests read
    the same things as after a build of their own; none of them is skipped.
    """
    html = Path(given).resolve()
    if not (html / "index.html").is_file():
        pytest.fail(f"CONVDOC_SITE={given!r} holds no built site (no index.html)")
    log_path = html.parent / "build.log"
    if not log_path.is_file():
        pytest.fail(
            f"CONVDOC_SITE={given!r} has no build log at {log_path}: build it with "
            "`make html`, which keeps one, or unset CONVDOC_SITE to let the tests build"
        )
    rebuild_returncode, rebuild_log, rebuild_seconds = _sphinx(html, html / ".doctrees")
    return SiteBuild(
        html,
        log_path.read_text(encoding="utf-8"),
        0,
        rebuild_log,
        rebuild_returncode,
        None,
        rebuild_seconds,
    )


def _build_and_rebuild(base: Path) -> SiteBuild:
    """Build the site into ``base/html``, then rebuild it with nothing changed."""
    outdir, doctrees = base / "html", base / "doctrees"
    returncode, log, seconds = _sphinx(outdir, doctrees)
    (base / "build.log").write_text(log, encoding="utf-8")
    if returncode != 0:
        return SiteBuild(html=outdir, log=log, returncode=returncode, seconds=seconds)
    rebuild_returncode, rebuild_log, rebuild_seconds = _sphinx(outdir, doctrees)
    (base / "rebuild.log").write_text(rebuild_log, encoding="utf-8")
    return SiteBuild(
        outdir, log, returncode, rebuild_log, rebuild_returncode, seconds, rebuild_seconds
    )


class _Background:
    """The session's site build, started as soon as the tests are collected.

    sphinx-build runs in its own process, so the unit tests (which pytest runs
    first: see :func:`pytest_collection_modifyitems`) use the other core meanwhile.
    """

    def __init__(self, base: Path) -> None:
        self.result: SiteBuild | BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(base,), daemon=True)
        self.thread.start()

    def _run(self, base: Path) -> None:
        try:
            self.result = _build_and_rebuild(base)
        except BaseException as error:  # handed to the fixture, raised there
            self.result = error

    def wait(self) -> SiteBuild:
        self.thread.join()
        if isinstance(self.result, BaseException):
            raise self.result
        assert self.result is not None
        return self.result


_BACKGROUND = pytest.StashKey[_Background]()


def _needs_site(item: pytest.Item) -> bool:
    return "site_build" in getattr(item, "fixturenames", ())


def _lighthouse(item: pytest.Item) -> bool:
    return item.get_closest_marker("lighthouse") is not None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Run the tests that need the built site last, and start building it now.

    The Lighthouse tests come last of all: their runs start in the background
    as soon as the site is built (see :func:`site`) and go on meanwhile.
    """
    needing = [item for item in items if _needs_site(item)]
    if not needing:
        return
    measured = [item for item in needing if _lighthouse(item)]
    needing = [item for item in needing if not _lighthouse(item)]
    items[:] = [item for item in items if not _needs_site(item)] + needing + measured
    if measured:
        from lighthouselib import page_types

        wanted = {item.callspec.params.get("page") for item in measured
                  if hasattr(item, "callspec")}
        config.stash[LIGHTHOUSE_PAGES] = [page for page in page_types() if page in wanted]
    if not os.environ.get("CONVDOC_SITE") and not config.option.collectonly:
        base = config._tmp_path_factory.mktemp("site")  # the tmp_path_factory fixture's
        config.stash[_BACKGROUND] = _Background(base)


@pytest.fixture(scope="session")
def site_build(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> SiteBuild:
    """Build the site (or reuse ``$CONVDOC_SITE``) and rebuild it unchanged."""
    given = os.environ.get("CONVDOC_SITE")
    if given:
        return _given_build(given)
    background = request.config.stash.get(_BACKGROUND, None)
    if background is not None:
        built = background.wait()
    else:
        built = _build_and_rebuild(tmp_path_factory.mktemp("site"))
    request.config.stash[BUILD_REPORT] = built
    return built


@pytest.fixture(scope="session")
def site(site_build: SiteBuild, request: pytest.FixtureRequest) -> Path:
    """The built site's html directory; fails every dependent test if the build failed.

    Once it is built, the Lighthouse runs start in the background if their
    tests are collected (:mod:`lighthouselib`).
    """
    if site_build.returncode != 0:
        tail = "\n".join((site_build.log or "").splitlines()[-40:])
        pytest.fail(f"sphinx-build failed with exit code {site_build.returncode}:\n{tail}")
    pages = request.config.stash.get(LIGHTHOUSE_PAGES, None)
    if pages:
        from lighthouselib import start

        start(site_build.html, pages, request.config.stash.setdefault(LIGHTHOUSE, {}))
    return site_build.html


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (see :func:`browserlib.serve`)."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def sweep(browser: Any, server: str, site: Path) -> Sweep:
    """Every page loaded once per viewport, with what each check needs (see sweeplib)."""
    pages = html_pages(site)
    # Guards against a walk that silently finds nothing to check.
    assert "index.html" in pages and "search.html" in pages, pages[:20]
    assert any(p.startswith("tutorial/") for p in pages), "no tutorial chapter in the build"
    assert any(p.startswith("auto_examples/") for p in pages), "no gallery page in the build"
    return run_sweep(browser, server, site, pages)


# sphinx-gallery's "computation time summary" lines: "    - ../examples/x/plot_y.py:  8.31 sec".
_EXAMPLE_TIME = re.compile(r"^\s+- (\S+\.py):\s+([\d.]+) sec", re.MULTILINE)


def slowest_examples(log: str | None, limit: int = 5) -> tuple[str, list[tuple[float, str]]]:
    """The gallery examples that took longest to run, slowest first.

    Taken from the build log when this session's build executed them, else from
    the ``*.cost.json`` files sphinx-gallery (0.22) keeps beside each generated
    page (the time of the last build that executed the example).
    """
    times = [(float(t), name) for name, t in _EXAMPLE_TIME.findall(log or "")]
    source = "this build"
    if not times:
        source = "last build that ran them"
        for cost in (DOCS / "auto_examples").rglob("*.cost.json"):
            seconds = float(json.loads(cost.read_text(encoding="utf-8")).get("time", 0.0))
            name = cost.relative_to(DOCS / "auto_examples").as_posix()
            times.append((seconds, name.removesuffix(".cost.json") + ".py"))
    return source, sorted(times, reverse=True)[:limit]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print build time, slowest examples, page weights and links the site tests measured."""
    built = config.stash.get(BUILD_REPORT, None)
    if built is not None and built.seconds is not None:
        terminalreporter.section("convdoc site: build time")
        terminalreporter.write_line(f"first build {built.seconds:8.1f} s")
        if built.rebuild_seconds is not None:
            terminalreporter.write_line(f"rebuild     {built.rebuild_seconds:8.1f} s (unchanged)")
    if built is not None or config.stash.get(WEIGHT_REPORT, None):
        source, slowest = slowest_examples(built.log if built else None)
        if slowest:
            terminalreporter.section(f"convdoc site: slowest gallery examples ({source})")
            for seconds, name in slowest:
                terminalreporter.write_line(f"{seconds:8.2f} s  {name}")
    weights = config.stash.get(WEIGHT_REPORT, None)
    if weights:
        terminalreporter.section("convdoc site: heaviest pages (cold load, uncompressed)")
        for size, page in sorted(weights, reverse=True)[:5]:
            terminalreporter.write_line(f"{size / 1024:8.0f} KiB  {page}")
        terminalreporter.write_line(f"{len(weights)} pages measured")
    links = config.stash.get(LINK_REPORT, None)
    if links:
        terminalreporter.section("convdoc site: external links (navigation only, never loaded)")
        for url, count in sorted(links.items()):
            terminalreporter.write_line(f"{count:4d}x  {url}")
    runner = config.stash.get(LIGHTHOUSE, {}).get("runner")
    if runner is not None and runner.finished():
        from lighthouselib import table

        terminalreporter.section("convdoc site: Lighthouse scores (mobile)")
        for line in table(runner.finished()):
            terminalreporter.write_line(line)
    for title, lines in config.stash.get(EXTRA_REPORT, {}).items():
        terminalreporter.section(f"convdoc site: {title}")
        for line in lines:
            terminalreporter.write_line(line)
