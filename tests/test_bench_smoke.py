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
