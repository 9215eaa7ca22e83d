"""Lighthouse (mobile preset) over the built site, one Lighthouse process for all pages.

Lighthouse comes from npm at the exact version pinned in
``tests/lighthouse/package-lock.json`` (``make test`` installs it into
``tests/lighthouse/node_modules``); it drives Debian's chromium (``CHROME_PATH``),
never a browser of its own, through ``tests/lighthouse/runner.mjs``: one node
process and one chromium measure every page in turn (a ``lighthouse`` command per
page spent most of its time starting up). The site is served by :func:`hostlib.host`, with gzip
and cache headers as GitHub Pages and Read the Docs serve it.

The runs start in a background thread as soon as the site is built
(:func:`start`, called by the ``site`` fixture when Lighthouse tests are
collected) and go on while the other site tests run; each page's test waits for
its own result. Runs are serial by default: Lighthouse's simulated throttling
multiplies the main-thread time it measures, so two runs sharing a core would
each score the other's work. ``CONVDOC_LIGHTHOUSE_JOBS`` raises the number run at
once on a machine with cores to spare.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chromiumlib import CHROMIUM
from hostlib import host

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LIGHTHOUSE_DIR = ROOT / "tests" / "lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
#: The session's Lighthouse process (one chromium, many pages), see tests/lighthouse/runner.mjs.
RUNNER = LIGHTHOUSE_DIR / "runner.mjs"
#: Lighthouse's category ids, in the order of the score table.
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: Issue 13's bar for mobile performance on every page type.
PERFORMANCE_TARGET = 95
#: The lowest score each category may have. Performance was reported but not asserted
#: while 6 of 15 pages scored 74-94 on the shared 2-core host; with explorers far
#: down a page started only near the screen, all 15 scored 95-100 there under a load
#: average of 5-8 (see the closing note of issue 13). A page below the target on its
#: first run, which shares the cores with the session's browser sweep, is measured
#: again once the other tests are over, up to five runs, until most of its five
#: would pass or fail, and the median of those quiet runs counts (:class:`Runner`,
#: :func:`median_run`); Lighthouse's documentation on variability recommends the
#: median of several runs on a machine without other load.
MINIMUM = {"performance": PERFORMANCE_TARGET, "accessibility": 100, "best-practices": 100,
           "seo": 100}
#: Most runs of a page that scores below the target the first time (median taken).
RUNS_BELOW_TARGET = 5
#: Chromium as the other browser tests run it, headless, without a sandbox (containers).
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-extensions",
)  # fmt: skip
#: Audits of no use here that cost time: the filmstrip and the final screenshot.
SKIPPED_AUDITS = ("screenshot-thumbnails", "final-screenshot")
#: The heavy gallery pages the issue names, besides every chapter.
GALLERY_PAGES = (
    "auto_examples/images/plot_kernel_gallery.html",
    "auto_examples/basics/plot_sawtooth_gaussian.html",
)


def tutorial_chapters() -> list[str]:
    """The chapters in the tutorial's toctree (docs/tutorial/index.md), in its order.

    Read from the source, so a chapter added to the toctree is measured too.
    """
    text = (DOCS / "tutorial" / "index.md").read_text(encoding="utf-8")
    chapters: list[str] = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                chapters.append(f"tutorial/{line.removesuffix('.md')}.html")
    return chapters


def page_types() -> list[str]:
    """The pages measured: home, tutorial index, each chapter, heavy gallery pages, API."""
    return ["index.html", "tutorial/index.html", *tutorial_chapters(), *GALLERY_PAGES, "api.html"]


def missing_tool() -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if not shutil.which("node"):
        return "node not found: install Node.js 18+ (Debian: apt-get install nodejs npm)"
    if not LIGHTHOUSE_CLI.is_file():
        return f"{LIGHTHOUSE_CLI} not found: `make test` installs it (npm ci in tests/lighthouse)"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found: install it with `apt-get install chromium`"
    return None


@dataclass
class Result:
    """One page's Lighthouse report, reduced to what the tests and the table need."""

    page: str
    scores: dict[str, int | None] = field(default_factory=dict)
    #: Audits below full marks in a category that must be 100, with Lighthouse's title.
    failing: dict[str, list[str]] = field(default_factory=dict)
    #: Performance metrics (display values), e.g. {"largest-contentful-paint": "2.1 s"}.
    metrics: dict[str, str] = field(default_factory=dict)
    #: Lighthouse's CPU benchmark of this machine at the time, and the 1-minute load average.
    benchmark_index: float | None = None
    load: float | None = None
    #: The CPU slowdown of the run that counts (see :func:`cpu_multiplier`).
    multiplier: float = 4.0
    seconds: float = 0.0
    error: str | None = None
    #: The performance score of each run that counts (several if the page was low).
    runs: list[int] = field(default_factory=list)
    #: The first run's score, measured while other tests ran, when it was low and the
    #: page was measured again on the quiet machine; None otherwise.
    first: int | None = None

    def below_minimum(self) -> dict[str, int | None]:
        """Categories whose score is missing or under :data:`MINIMUM`."""
        return {
            name: self.scores.get(name)
            for name, least in MINIMUM.items()
            if self.scores.get(name) is None or self.scores[name] < least
        }


_METRICS = (
    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
    "cumulative-layout-shift", "speed-index",
)  # fmt: skip


def reduce(page: str, report: dict[str, Any]) -> Result:
    """The parts of a Lighthouse JSON report (LHR) the tests use."""
    result = Result(page)
    audits = report.get("audits", {})
    for name in CATEGORIES:
        category = report.get("categories", {}).get(name)
        score = category.get("score") if category else None
        result.scores[name] = None if score is None else round(score * 100)
        if category is None:
            continue
        weak = []
        for ref in category.get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) > 0 and score is not None and score < 1:
                shown = audit.get("displayValue", "")
                weak.append(f"{ref['id']} ({score:.2f}{', ' + shown if shown else ''})")
        result.failing[name] = weak
    for metric in _METRICS:
        if metric in audits:
            result.metrics[metric] = audits[metric].get("displayValue", "")
    result.benchmark_index = report.get("environment", {}).get("benchmarkIndex")
    if report.get("runtimeError"):
        result.error = json.dumps(report["runtimeError"])
    return result


#: Lighthouse's default CPU slowdown for the mobile preset, meant for a host whose
#: benchmark index is about 1533 (see :func:`cpu_multiplier`).
DEFAULT_MULTIPLIER = 4.0


def cpu_multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host as fast as Lighthouse's reference phone.

    Lighthouse's 4x slowdown assumes a fast desktop host (benchmark index about
    1533); on a slower or busier host the same 4x would emulate a much slower phone.
    Lighthouse's documentation (docs/throttling.md, "Calibrating multipliers")
    points to its CPU throttling calculator, whose piecewise-linear table this is:
    150 -> 1x, 800 -> 2x, 1300 -> 3x, 1533 -> 4x, capped here at Lighthouse's 4x
    and never below 1x.

    Examples
    --------
    >>> [round(cpu_multiplier(b), 2) for b in (100, 150, 800, 1300, 1533, 3000)]
    [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
    """
    if benchmark_index >= 1300:
        multiplier = 3 + (benchmark_index - 1300) / 233
    elif benchmark_index >= 800:
        multiplier = 2 + (benchmark_index - 800) / 500
    else:
        multiplier = 1 + (benchmark_index - 150) / 650
    return min(DEFAULT_MULTIPLIER, max(1.0, multiplier))


#: Runs whose calibrated slowdown differs from the one used by more than this are redone.
RECALIBRATE = 0.75


def run_one(url: str, page: str, workdir: Path, multiplier: float = DEFAULT_MULTIPLIER) -> Result:
    """Run Lighthouse on one URL at a CPU slowdown; redo it if the host's speed says otherwise.

    Each run measures the host (its benchmark index). If the slowdown
    :func:`cpu_multiplier` gives for that index differs from the one used by more
    than :data:`RECALIBRATE`, the page is measured again with it, and that run
    counts. The runner passes each page the slowdown the previous page ended
    with, so on a steady host only the first page runs twice.
    """
    first = _run_once(url, page, workdir, multiplier)
    if first.error or first.benchmark_index is None:
        return first
    calibrated = cpu_multiplier(first.benchmark_index)
    if abs(calibrated - multiplier) <= RECALIBRATE:
        return first
    second = _run_once(url, page, workdir, calibrated)
    second.seconds += first.seconds
    return second


def _run_once(url: str, page: str, workdir: Path, multiplier: float) -> Result:
    """One Lighthouse run on one URL, at a given CPU slowdown, in this thread's runner."""
    out = workdir / (re.sub(r"[^A-Za-z0-9]+", "-", page) + ".json")
    out.unlink(missing_ok=True)
    job = {
        "url": url, "out": str(out), "multiplier": round(multiplier, 2),
        "onlyCategories": list(CATEGORIES), "skipAudits": list(SKIPPED_AUDITS),
        "chromeFlags": list(CHROME_FLAGS),
    }  # fmt: skip
    load = os.getloadavg()[0]
    start = time.perf_counter()
    error = _node().run(job)
    seconds = time.perf_counter() - start
    if error is not None or not out.is_file():
        return Result(page, load=load, seconds=seconds, error=error or f"no report at {out}")
    result = reduce(page, json.loads(out.read_text(encoding="utf-8")))
    result.load, result.seconds, result.multiplier = load, seconds, multiplier
    return result


class _Node:
    """A ``runner.mjs`` process: one Lighthouse and one chromium for many pages."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(RUNNER)],
            cwd=RUNNER.parent,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        # Drained all along, so a chatty chromium never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            del self.stderr[:-40]

    def run(self, job: dict[str, Any]) -> str | None:
        """Run one job; None when its report is written, else the error."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except OSError as error:
            answer = ""
            self.stderr.append(f"{error}\n")
        if not answer:
            tail = "".join(self.stderr[-20:])
            return f"runner.mjs exited ({self.process.poll()}): {tail}"
        return json.loads(answer).get("error")

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: One runner process per thread that runs Lighthouse (one thread unless
#: ``CONVDOC_LIGHTHOUSE_JOBS`` says more), closed with the session's :class:`Runner`.
_NODES: dict[int, _Node] = {}
_NODES_LOCK = threading.Lock()


def _node() -> _Node:
    key = threading.get_ident()
    with _NODES_LOCK:
        node = _NODES.get(key)
        if node is None or node.process.poll() is not None:
            node = _NODES[key] = _Node()
        return node


def close_nodes() -> None:
    """Stop every runner process (their chromium with them)."""
    with _NODES_LOCK:
        nodes = list(_NODES.values())
        _NODES.clear()
    for node in nodes:
        node.close()


def decided(runs: list[Result]) -> bool:
    """Whether more runs could no longer change which side of the target the median is on.

    A first run at or above :data:`PERFORMANCE_TARGET` is enough; otherwise the page
    is measured until a majority of :data:`RUNS_BELOW_TARGET` runs pass, or fail.

    Examples
    --------
    >>> scored = lambda *v: [Result("p", {"performance": s}) for s in v]
    >>> [decided(scored(*v)) for v in [(97,), (90,), (90, 96, 97), (90, 96, 97, 99)]]
    [True, False, False, True]
    >>> decided(scored(90, 93, 94)), decided(scored(90, 96, 94, 97))
    (True, False)
    """
    scores = [run.scores.get("performance") or 0 for run in runs]
    if scores[0] >= PERFORMANCE_TARGET or len(runs) >= RUNS_BELOW_TARGET:
        return True
    majority = RUNS_BELOW_TARGET // 2 + 1
    passing = sum(score >= PERFORMANCE_TARGET for score in scores)
    return passing >= majority or len(scores) - passing >= majority


def median_run(runs: list[Result]) -> Result:
    """The run with the median performance score (the first run if any run failed).

    Its ``seconds`` become the time of all the runs, and ``runs`` their scores.

    Examples
    --------
    >>> runs = [Result("p", {"performance": v}) for v in (93, 97, 96)]
    >>> best = median_run(runs)
    >>> best.scores["performance"], best.runs
    (96, [93, 97, 96])
    >>> median_run(runs[:1]).runs
    [93]
    """
    if any(run.error is not None for run in runs):
        return next(run for run in runs if run.error is not None)
    ordered = sorted(runs, key=lambda run: run.scores.get("performance") or 0)
    chosen = ordered[(len(ordered) - 1) // 2]  # the lower middle of an even count
    chosen.runs = [run.scores.get("performance") or 0 for run in runs]
    chosen.seconds = sum(run.seconds for run in runs)
    return chosen


class Runner:
    """The session's Lighthouse runs, in the background, over one served copy of the site.

    Every page is measured once while the other site tests run. A page whose
    first run is below :data:`PERFORMANCE_TARGET` is measured again only once the
    machine is quiet, when the session waits for the Lighthouse results (their
    tests run last), and those quiet runs decide (:func:`decided`,
    :func:`median_run`). Lighthouse's documentation on variability asks for an
    environment free of other load; the first runs share the cores with the
    browser sweep, and in one CI run the home page measured 92/87/99/88 that way
    against 99-100 alone.
    """

    def __init__(self, site: Path, pages: list[str], jobs: int = 1) -> None:
        self._stack = ExitStack()
        self._stack.callback(close_nodes)  # last, once the pool's runs are over
        self.base = self._stack.enter_context(host(site))
        self.workdir = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        self._pool = self._stack.enter_context(ThreadPoolExecutor(max_workers=jobs))
        self._multiplier = DEFAULT_MULTIPLIER
        self._quiet = False
        self._lock = threading.Lock()
        #: Pages whose first run was low, with that run, until the machine is quiet.
        self._low: list[tuple[str, Result]] = []
        self._closing = False
        self.futures: dict[str, Future[Result]] = {page: Future() for page in pages}
        self._tasks: list[Future[None]] = []  # before any task runs: _first appends to it
        self._tasks.extend(self._pool.submit(self._first, page) for page in pages)

    def _first(self, page: str) -> None:
        try:
            first = self._measure(page)
        except Exception as error:  # a page's test must fail, never wait forever
            first = Result(page, error=f"{type(error).__name__}: {error}")
        if first.error is not None or decided([first]):
            self._settle(page, median_run([first]))
        else:
            with self._lock:
                self._low.append((page, first))
            self._retry()

    def _retry(self) -> None:
        # Re-runs are queued once the machine is quiet, behind any first run still
        # queued; a worker never waits, so every first run goes on meanwhile.
        with self._lock:
            if not self._quiet or self._closing:
                return
            low, self._low = self._low, []
            self._tasks.extend(self._pool.submit(self._again, page, run) for page, run in low)

    def _again(self, page: str, first: Result) -> None:
        runs: list[Result] = []
        while not self._closing and (not runs or (runs[-1].error is None and not decided(runs))):
            try:
                runs.append(self._measure(page))
            except Exception as error:
                runs.append(Result(page, error=f"{type(error).__name__}: {error}"))
        if runs:
            chosen = median_run(runs)
            chosen.first = first.scores.get("performance")
            self._settle(page, chosen)

    def _settle(self, page: str, result: Result) -> None:
        future = self.futures[page]
        if future.set_running_or_notify_cancel():
            future.set_result(result)

    def _measure(self, page: str) -> Result:
        result = run_one(self.base + page, page, self.workdir, self._multiplier)
        if result.benchmark_index is not None:
            self._multiplier = cpu_multiplier(result.benchmark_index)
        return result

    def quiet(self) -> None:
        """Say the other tests are over: the re-runs of low pages may start."""
        with self._lock:
            self._quiet = True
        self._retry()

    def result(self, page: str) -> Result:
        """Wait for one page's result (the session has nothing else left to run)."""
        self.quiet()
        return self.futures[page].result()

    def finished(self) -> list[Result]:
        """The results that are in, in page order."""
        return [f.result() for f in self.futures.values() if f.done() and not f.cancelled()]

    def close(self) -> None:
        """Drop the runs not started yet, wait for the running ones, stop the server."""
        with self._lock:
            self._closing = True
            tasks = list(self._tasks)
        for future in [*tasks, *self.futures.values()]:
            future.cancel()
        self._stack.close()


_LOCK = threading.Lock()


def start(site: Path, pages: list[str], runners: dict[str, Runner]) -> Runner | None:
    """Start the runs once per session (``runners`` is the session's holder)."""
    with _LOCK:
        if "runner" not in runners and missing_tool() is None:
            jobs = int(os.environ.get("CONVDOC_LIGHTHOUSE_JOBS", "1"))
            runners["runner"] = Runner(site, pages, jobs=max(1, jobs))
        return runners.get("runner")


def table(results: list[Result]) -> list[str]:
    """The score table printed at the end of the session."""
    head = f"{'page':<50} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4}  {'LCP':>7} {'TBT':>7}"
    lines = [head + f" {'CLS':>5} {'load':>5} {'bench':>5} {'cpu':>4} {'time':>5}"]
    for r in results:
        if r.error:
            lines.append(f"{r.page:<50} error: {r.error.splitlines()[0][:60]}")
            continue
        scores = " ".join(
            f"{'-' if r.scores.get(c) is None else r.scores[c]:>4}" for c in CATEGORIES
        )
        m = r.metrics
        lines.append(
            f"{r.page:<50} {scores}  {m.get('largest-contentful-paint', ''):>7} "
            f"{m.get('total-blocking-time', ''):>7} {m.get('cumulative-layout-shift', ''):>5} "
            f"{r.load or 0:5.2f} {r.benchmark_index or 0:5.0f} {r.multiplier:3.1f}x "
            f"{r.seconds:4.0f}s"
            + (f"  first {r.first}, then alone" if r.first is not None else "")
            + (f"  runs {'/'.join(map(str, r.runs))}" if len(r.runs) > 1 else "")
        )
    least = ", ".join(f"{name} {score}" for name, score in MINIMUM.items())
    below = [r.page for r in results if (r.scores.get("performance") or 0) < PERFORMANCE_TARGET]
    lines.append(f"performance below the target {PERFORMANCE_TARGET}: {', '.join(below) or 'none'}")
    lines.append(f"minimum: {least}; mobile preset, simulated throttling, CPU slowdown")
    lines.append("calibrated to the host's benchmark index (bench); load = 1-minute load average")
    return lines
