"""The benchmark harness, run once on tiny sizes: correct plumbing, no timing assertions."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("convdoc_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_smoke_run_writes_results_and_verdicts(bench, tmp_path, capsys) -> None:
    out = tmp_path / "results.json"
    assert bench.main(["--smoke", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    payload = json.loads(out.read_text())
    groups = {case["group"] for case in payload["cases"]}
    assert groups == {"plain", "gaussian", "stride4", "loop", "grouped"}
    for case in payload["cases"]:
        assert "convdoc" in case["seconds"]
        assert all(math.isfinite(t) and t > 0 for t in case["seconds"].values())
    targets = {t["target"] for t in payload["targets"]}
    assert targets == {"plain", "stride4", "gaussian", "loop", "grouped"}
    for target in targets:
        assert f" {target}: " in printed


def test_agreement_check_catches_a_wrong_contender(bench) -> None:
    import numpy as np

    case = bench.Case(
        "plain",
        "deliberately wrong",
        {"convdoc": lambda: np.arange(3.0), "other": lambda: np.arange(3.0) + 1},
    )
    with pytest.raises(AssertionError, match="other disagrees with convdoc"):
        bench.check_agreement(case)


def test_evaluate_applies_the_thresholds(bench) -> None:
    fast = bench.Case("stride4", "a", {}, times={"convdoc": 1.0, "scipy subsampled": 2.5})
    slow = bench.Case("stride4", "b", {}, times={"convdoc": 1.0, "scipy subsampled": 1.5})
    verdicts = {v.target: v for v in bench.evaluate([fast])}
    assert verdicts["stride4"].passed
    verdicts = {v.target: v for v in bench.evaluate([fast, slow])}
    assert not verdicts["stride4"].passed
    assert "(b)" in verdicts["stride4"].detail


def test_grouped_target_compares_with_the_groups_one_by_one(bench) -> None:
    even = bench.Case("grouped", "a", {}, times={"convdoc": 1.0, "groups one by one": 1.1})
    slow = bench.Case("grouped", "b", {}, times={"convdoc": 2.0, "groups one by one": 1.0})
    assert {v.target: v for v in bench.evaluate([even])}["grouped"].passed
    verdict = {v.target: v for v in bench.evaluate([even, slow])}["grouped"]
    assert not verdict.passed and "(b)" in verdict.detail


def test_ratios_are_medians_of_batches_timed_back_to_back(bench) -> None:
    # Per round other/convdoc: 5/1, 4.4/4, 3/2 = 5, 1.1, 1.5: the median is 1.5,
    # where the fastest batches' ratio would be 3/1 = 3.
    case = bench.Case(
        "plain", "a", {}, samples={"convdoc": [1.0, 4.0, 2.0], "other": [5.0, 4.4, 3.0]}
    )
    case.best = {"convdoc": 1.0, "other": 3.0}
    assert math.isclose(case.quotient("other", "convdoc"), 1.5)
    assert math.isclose(case.quotient("convdoc", "other"), 1 / 1.5)  # 1/5, 1/1.1, 1/1.5


def test_a_fast_moment_of_one_contender_alone_does_not_decide(bench) -> None:
    # SciPy's third batch met a fast moment of the machine that convdoc's did not:
    # the fastest batches give 5/3 = 1.67x (FAIL at 2x), the rounds 2.5, 2.5, 1.67
    # (median 2.5x, PASS).
    case = bench.Case(
        "stride4",
        "drift",
        {},
        samples={"convdoc": [3.0, 3.0, 3.0], "scipy subsampled": [7.5, 7.5, 5.0]},
        times={"convdoc": 3.0, "scipy subsampled": 7.5},
        best={"convdoc": 3.0, "scipy subsampled": 5.0},
    )
    verdict = {v.target: v for v in bench.evaluate([case])}["stride4"]
    assert verdict.passed and "2.50x" in verdict.detail


def test_a_remeasured_case_is_judged_on_the_rounds_of_both_measurements(bench) -> None:
    calls = {"convdoc": 0, "other": 0}

    def count(name):
        def fn():
            calls[name] += 1
        return fn

    case = bench.Case(
        "grouped",
        "again",
        {"convdoc": count("convdoc"), "groups one by one": count("other")},
        samples={"convdoc": [2.0, 2.0, 2.0], "groups one by one": [1.0, 1.0, 1.0]},
        times={"convdoc": 2.0, "groups one by one": 1.0},
        best={"convdoc": 2.0, "groups one by one": 1.0},
    )
    assert bench.remeasure_failures([case], repeats=2, min_time=0.0) == [case]
    assert case.first_ratios == {"groups one by one": 0.5}
    # Three first rounds and two new ones (min_time 0 is one timed call a batch, each
    # after one untimed call).
    assert [len(v) for v in case.samples.values()] == [5, 5]
    assert case.samples["convdoc"][:3] == [2.0, 2.0, 2.0]
    assert calls == {"convdoc": 4, "other": 4}


def test_a_batch_is_timed_after_one_untimed_call(bench, monkeypatch) -> None:
    # The first call of a batch pays for whatever the previous contender left (on the
    # project's VM, up to a second of page faults): it runs before the timer starts.
    events = []

    class Timer:
        def __init__(self, fn):
            self.fn = fn

        def timeit(self, number):
            events.append("timer starts")
            for _ in range(number):
                self.fn()
            return 6.0

    monkeypatch.setattr(bench.timeit, "Timer", Timer)
    assert bench._time_batch(lambda: events.append("call"), 3) == 2.0
    assert events == ["call", "timer starts", "call", "call", "call"]
