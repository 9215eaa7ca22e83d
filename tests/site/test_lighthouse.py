"""Lighthouse's mobile scores on every page type, served as a static host serves them.

Issue 13's bar: performance at least 95, accessibility, best practices and SEO
100, all asserted (lighthouselib.MINIMUM; a page below 95 on its first run is
measured again once the other tests are over, and the median of those quiet runs
counts) on the home page, the tutorial index,
every chapter of the tutorial's toctree, the two heavy gallery pages (the kernel
gallery, the sawtooth example) and the API page. The runs happen in the
background while the other site tests run (:mod:`lighthouselib`); the scores
are printed at the end of the session.

The server's own behaviour (gzip, cache headers, 304, 404 page) is tested
here too, against the files on disk and :mod:`gzip` as the oracle.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import LIGHTHOUSE
from hostlib import MAX_AGE, host
from lighthouselib import (
    MINIMUM,
    PERFORMANCE_TARGET,
    RUNS_BELOW_TARGET,
    Result,
    decided,
    median_run,
    missing_tool,
    page_types,
    tutorial_chapters,
)


@pytest.mark.site
@pytest.mark.lighthouse
@pytest.mark.parametrize("page", page_types())
def test_lighthouse_scores(site: Path, request: pytest.FixtureRequest, page: str) -> None:
    reason = missing_tool()
    if reason:
        pytest.skip(reason)
    assert (site / page).is_file(), f"{page} is not in the built site"
    runner = request.config.stash[LIGHTHOUSE]["runner"]
    result = runner.result(page)
    assert result.error is None, f"{page}: Lighthouse failed: {result.error}"
    low = result.below_minimum()
    details = {name: result.failing.get(name) for name in low}
    assert not low, (
        f"{page}: {low} below {MINIMUM}; audits short of full marks: {details}; "
        f"metrics {result.metrics}; load {result.load:.2f}, benchmark {result.benchmark_index}"
    )


def test_stopping_early_never_changes_the_side_of_the_five_run_median() -> None:
    import itertools
    import statistics

    # Oracle: measure all five runs and take the median. For every sequence of five
    # scores on either side of the target, the runs the runner stops after must give
    # the same pass/fail as that median.
    for scores in itertools.product((85, 94, 96, 100), repeat=RUNS_BELOW_TARGET):
        every = statistics.median(scores) >= PERFORMANCE_TARGET
        runs = [Result("p", {"performance": v}) for v in scores]
        taken = next(n for n in range(1, len(runs) + 1) if decided(runs[:n]))
        kept = median_run(runs[:taken]).scores["performance"] >= PERFORMANCE_TARGET
        if scores[0] >= PERFORMANCE_TARGET:
            assert taken == 1  # a first run that passes is the only one
        else:
            assert kept == every, (scores, taken)


def test_performance_is_asserted_and_a_low_page_counts_its_median_run() -> None:
    import statistics

    assert MINIMUM["performance"] == PERFORMANCE_TARGET == 95
    for scores in ([93, 97, 96], [90, 99, 91], [96], [88, 94]):
        runs = [Result("p", {"performance": v}, seconds=1.0) for v in scores]
        chosen = median_run(runs)
        # The oracle: statistics' lower median of the scores.
        assert chosen.scores["performance"] == statistics.median_low(scores)
        assert chosen.runs == scores and chosen.seconds == len(scores)
    failed = [Result("p", {"performance": 99}), Result("p", error="chromium crashed")]
    assert median_run(failed).error == "chromium crashed"
    low = Result("p", {"performance": 94, "accessibility": 100, "best-practices": 100, "seo": 100})
    assert low.below_minimum() == {"performance": 94}


def test_a_low_page_is_measured_again_only_once_the_other_tests_are_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import statistics
    import threading

    import lighthouselib

    # Scripted measurements stand in for Lighthouse: "low" scores 88 while the
    # other tests run, then the quiet scores; "fine" passes at once.
    scores = {"fine.html": [99], "low.html": [88, 92, 97, 96, 99]}
    measured: list[tuple[str, bool]] = []
    asked = threading.Event()  # set when the session says the other tests are over
    quiet = lighthouselib.Runner.quiet

    def scripted(url: str, page: str, workdir: Path, multiplier: float) -> Result:
        measured.append((page, asked.is_set()))
        return Result(page, {"performance": scores[page][sum(p == page for p, _ in measured) - 1]})

    def spied(self: lighthouselib.Runner) -> None:
        asked.set()
        quiet(self)

    monkeypatch.setattr(lighthouselib, "run_one", scripted)
    monkeypatch.setattr(lighthouselib.Runner, "quiet", spied)
    (tmp_path / "index.html").write_text("<title>x</title>", encoding="utf-8")
    runner = lighthouselib.Runner(tmp_path, ["low.html", "fine.html"])
    try:
        assert runner.futures["fine.html"].result(timeout=30).scores["performance"] == 99
        # Both first runs are done, and the low page waits: nothing more is measured.
        threading.Event().wait(0.3)
        assert measured == [("low.html", False), ("fine.html", False)]
        assert not runner.futures["low.html"].done()
        low = runner.result("low.html")  # the session's last tests ask: the machine is quiet
    finally:
        runner.close()
    alone = [page for page, after in measured if after]
    # Oracle: the quiet runs stop once three of five pass (92, 97, 96, 99), and the
    # lower median of those four is the score that counts; the noisy 88 does not.
    assert alone == ["low.html"] * 4
    assert low.runs == [92, 97, 96, 99] and low.first == 88
    assert low.scores["performance"] == statistics.median_low([92, 97, 96, 99]) == 96
    assert runner.futures["fine.html"].result().first is None


def test_every_toctree_chapter_is_measured() -> None:
    # The oracle is the chapter files on disk: each one the toctree lists is measured.
    chapters = tutorial_chapters()
    assert len(chapters) >= 4, chapters
    tutorial = Path(__file__).resolve().parents[2] / "docs" / "tutorial"
    for chapter in chapters:
        assert (tutorial / Path(chapter).with_suffix(".md").name).is_file(), chapter
        assert chapter in page_types()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_host_compresses_text_and_sets_cache_headers(tmp_path: Path) -> None:
    page = "<!doctype html><title>x</title>" + "convolution " * 500
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "404.html").write_text("<p>missing</p>", encoding="utf-8")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    (tmp_path / "figure.png").write_bytes(png)
    with host(tmp_path) as base:
        status, headers, body = _get(base, {"Accept-Encoding": "gzip, deflate"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(body).decode("utf-8") == page
        assert int(headers["Content-Length"]) == len(body) < len(page) // 10
        assert headers["Cache-Control"] == f"max-age={MAX_AGE}"
        # A client without gzip gets the bytes as they are.
        status, headers, body = _get(base + "index.html")
        assert "Content-Encoding" not in headers and body.decode("utf-8") == page
        # An unchanged file is not sent again.
        etag = headers["ETag"]
        status, _, body = _get(base + "index.html", {"If-None-Match": etag})
        assert (status, body) == (304, b"")
        # Images are compressed already: sent as they are, still cacheable.
        status, headers, body = _get(base + "figure.png", {"Accept-Encoding": "gzip"})
        assert (status, body, headers["Content-Type"]) == (200, png, "image/png")
        assert "Content-Encoding" not in headers and "max-age" in headers["Cache-Control"]
        # A missing page gets the site's 404 page, status 404; no escape from the root.
        for missing in ("nowhere/at/all.html", "../../etc/passwd"):
            status, _, body = _get(base + missing)
            assert (status, body) == (404, b"<p>missing</p>")

