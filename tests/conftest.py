"""Session-wide test settings: Hypothesis profiles, no silent skip under CI, one browser.

* ``--hypothesis-profile=mutate`` (``make mutate``): the same examples on every run
  (derandomized, no example database), so a mutant is killed or survives for a
  reason and not by the luck of a draw.
* Under ``make mutate`` the few tests that cannot run inside mutmut's trampolines
  are left out (NOT_UNDER_MUTMUT).
* With ``CI`` set (``.ci/run`` and the test workflow set ``CI=true``), a test skipped
  because a tool is missing (node, KaTeX, PyYAML, chromium) is reported as a failure
  with the skip's reason: a contributor's CI must not pass by testing less.
* ``browser``: one Playwright and one chromium for the whole session, shared by every
  browser test (tests/site and the explorer tests). Playwright's sync API refuses a
  second ``sync_playwright()`` while one is open in the same thread, so no test
  module may start its own (see :mod:`chromiumlib`).
* Every test starts with the compiled stencil plan unloaded (see
  ``compiled_stencil_unloaded``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromiumlib import launch
from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutate",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def under_ci() -> bool:
    """Whether the run is CI's (``CI`` set to anything but empty, 0 or false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Under CI, turn any skip into a failure that keeps the skip's reason."""
    report = yield
    if report.skipped and under_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        ci = os.environ.get("CI")
        report.longrepr = f"skipped under CI={ci!r}, which allows no skip: {reason}"
    return report


#: Tests that cannot run under mutmut's trampolines, which ``make mutate`` leaves out:
#: a warning's reported frame is then the trampoline's, not the caller's line.
NOT_UNDER_MUTMUT = ("tests/test_contract_numerics.py::test_fft_method_warns_exactly_as_scipy",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutmut (these tests copied into ``mutants/``), leave out NOT_UNDER_MUTMUT."""
    if Path(__file__).resolve().parents[1].name != "mutants":
        return
    dropped = [item for item in items if item.nodeid.startswith(NOT_UNDER_MUTMUT)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(autouse=True)
def compiled_stencil_unloaded():
    """Every test starts with the compiled stencil plan unloaded, no savings counted.

    The planner loads numba's stencil (convdoc/plans/stencil.py) once the calls of
    a process would have saved its load time; without this, large image filters
    in one test would route the image filters of every later test in that process
    to the stencil, and a test of another plan's routing would pass or fail by order.
    """
    from convdoc.plans import stencil

    stencil.unload()
    yield
    stencil.unload()


@pytest.fixture(autouse=True)
def planner_prices_forgotten():
    """Every test starts with the planner's table of kept prices empty.

    The planner keeps each problem's prices for the next call of the same shapes
    (convdoc/plans/planner.py); a test that patches a cost model's constants or
    functions would otherwise read prices an earlier test computed, or leave its
    patched prices to later tests.
    """
    from convdoc.plans import planner

    planner.forget_prices()
    yield
    planner.forget_prices()


@pytest.fixture
def each_chunk_counts(monkeypatch) -> list[int]:
    """The ``chunks`` of every :func:`convdoc.threads.each` call during the test, in order."""
    from convdoc import threads

    counts: list[int] = []
    each = threads.each

    def counted(work, chunks, seconds):
        counts.append(chunks)
        each(work, chunks, seconds)

    monkeypatch.setattr(threads, "each", counted)
    return counts


@pytest.fixture(autouse=True)
def matplotlib_settings_do_not_leak():
    """After every test, matplotlib's settings go back to its defaults.

    The chapter tests run a chapter's cells in this process, and each chapter sets
    ``figure.dpi`` (and colours) in ``plt.rcParams`` as its first cell does on the
    site. Left in place, that setting made later tests measure figures at 90 dpi
    instead of 100 (digits 9 px instead of 10, a 400-inch figure 36000 pixels wide
    instead of 40000), so a test's outcome depended on which tests ran before it.
    The backend is kept (``rcdefaults`` leaves it alone).
    """
    yield
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        mpl.rcdefaults()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright (see :func:`chromiumlib.launch`), one per session."""
    with launch() as chromium:
        yield chromium


@pytest.fixture
def without_register_tiles(monkeypatch):
    """The planner without the register-tile plan (convdoc/plans/register_tiles.py).

    For float32 layers the register tiles are priced (and measured) below the
    compiled channel stencils (3->8 4x4 at 256 px: 0.63 against 3.0 ms), so the
    planner no longer sends those layers to the stencils; tests of what the
    stencils do with such a layer (which shapes their gate counts, how they cast)
    ask for it without the tiles.
    """
    from convdoc.plans import register_tiles

    monkeypatch.setattr(register_tiles, "applies", lambda *args: False)
