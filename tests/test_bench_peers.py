"""The peers benchmark's harness (benchmarks/peers.py), without torch or OpenCV.

Ratios, targets, the equality check, the JSON and the thread settings are
checked with hand-made times, fake clocks and fake peer modules; no timing is
asserted.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import fft as sp_fft

import convdoc

PEERS = Path(__file__).resolve().parent.parent / "benchmarks" / "peers.py"


@pytest.fixture(scope="module")
def bp():
    spec = importlib.util.spec_from_file_location("convdoc_bench_peers", PEERS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _case(bp, group, times, dtype="float32", kernel=0, result_dtype="float32"):
    case = bp.Case(group, f"{group} case", dtype, {name: (lambda: None) for name in times})
    case.times = dict(times)
    case.kernel = kernel
    case.result_dtype = result_dtype
    return case


# ------------------------------------------------------------ ratios and targets


def test_ratio_is_convdoc_over_the_fastest_peer(bp) -> None:
    times = {"convdoc": 3.0, "a": 2.0, "b": 1.5}
    assert bp.ratio(times) == (2.0, "b")
    assert bp.ratio(times, ["a"]) == (1.5, "a")
    with pytest.raises(ValueError, match="convdoc"):
        bp.ratio({"a": 1.0})
    with pytest.raises(ValueError, match="no peer"):
        bp.ratio({"convdoc": 1.0, "a": 1.0}, ["torch"])


def test_ratio_pairs_the_rounds_of_the_fastest_peer(bp) -> None:
    # b is the fastest by median; per round convdoc/b = 2/1, 9/3, 3/2 = 2, 3, 1.5: the
    # median is 2.0, where the medians' quotient would be 3/2 = 1.5.
    times = {"convdoc": 3.0, "a": 2.5, "b": 2.0}
    rounds = {"convdoc": [2.0, 9.0, 3.0], "a": [2.5, 2.5, 2.5], "b": [1.0, 3.0, 2.0]}
    assert bp.ratio(times, rounds=rounds) == (2.0, "b")
    # Against a alone: 2/2.5, 9/2.5, 3/2.5 = 0.8, 3.6, 1.2: median 1.2.
    r, peer = bp.ratio(times, ["a"], rounds)
    assert peer == "a" and r == pytest.approx(1.2)
    # Rounds of unequal length (or none for the peer) fall back to the times.
    assert bp.ratio(times, rounds={"convdoc": [1.0], "b": [1.0, 2.0]}) == (1.5, "b")


def test_geomean_by_hand(bp) -> None:
    assert bp.geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert bp.geomean([0.5, 2.0, 1.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive"):
        bp.geomean([1.0, 0.0])
    with pytest.raises(ValueError, match="empty"):
        bp.geomean([])


def test_evaluate_judges_each_target_on_its_own_cases(bp) -> None:
    cases = [
        # stem 3x slower than torch: fails max-ratio and torch-layers.
        _case(bp, "stem", {"convdoc": 3.0, "torch": 1.0}),
        # small filter 1.5x OpenCV's best (sepFilter2D), ndimage slower still.
        _case(
            bp,
            "filter",
            {"convdoc": 1.5, "cv2.filter2D": 2.0, "cv2.sepFilter2D": 1.0, "ndimage.correlate": 4.0},
            kernel=3,
        ),
        # long 1-D: 1.1x oaconvolve but 2.2x fftconvolve.
        _case(
            bp,
            "1d-long",
            {"convdoc": 1.1, "oaconvolve": 1.0, "fftconvolve": 0.5},
            dtype="float64",
            result_dtype="float64",
        ),
        # a large filter is not a "small 2-D kernel": its 0.5x must not count there.
        _case(bp, "filter", {"convdoc": 0.5, "cv2.filter2D": 1.0}, kernel=31),
    ]
    verdicts = {v.target: v for v in bp.evaluate(cases, threads=2)}
    assert set(verdicts) == {
        "max-ratio",
        "geomean",
        "1d-long",
        "torch-layers",
        "small-2d-opencv",
        "float32",
    }
    assert not verdicts["max-ratio"].passed and "3.00x" in verdicts["max-ratio"].detail
    # (3 * 1.5 * 2.2 * 0.5) ** (1/4) = 4.95 ** 0.25 = 1.4916
    assert not verdicts["geomean"].passed and "1.49x" in verdicts["geomean"].detail
    assert not verdicts["1d-long"].passed and "1.10x" in verdicts["1d-long"].detail
    assert not verdicts["torch-layers"].passed
    assert verdicts["small-2d-opencv"].passed and "1.50x" in verdicts["small-2d-opencv"].detail
    assert "over 1 cases" in verdicts["small-2d-opencv"].detail
    assert verdicts["float32"].passed
    assert all(v.threads == 2 for v in verdicts.values())
    assert verdicts["max-ratio"].line().startswith("FAIL  max-ratio [2 thread(s)]")
    assert verdicts["small-2d-opencv"].line().startswith("PASS  small-2d-opencv")


def test_evaluate_passes_at_the_limits_and_omits_unjudgeable_targets(bp) -> None:
    cases = [
        _case(bp, "pool", {"convdoc": 2.0, "torch": 1.0}),  # exactly 2x: within 2x
        _case(bp, "layer", {"convdoc": 0.5, "torch": 1.0}),
        # no peer at all (torch missing): timed but not judged
        _case(bp, "transposed", {"convdoc": 9.0}),
        _case(bp, "single", {"convdoc": 1.0, "torch": 1.0}, result_dtype="float64"),
    ]
    verdicts = {v.target: v for v in bp.evaluate(cases, threads=1)}
    assert verdicts["max-ratio"].passed and "over 3 cases" in verdicts["max-ratio"].detail
    assert verdicts["torch-layers"].passed and "over 1 cases" in verdicts["torch-layers"].detail
    assert verdicts["geomean"].passed  # (2 * 0.5 * 1) ** (1/3) = 1
    assert "1d-long" not in verdicts and "small-2d-opencv" not in verdicts
    assert not verdicts["float32"].passed
    assert "1 of 4 float32 cases" in verdicts["float32"].detail


# ------------------------------------------------------------ equality first


def test_check_agreement_refuses_a_different_result(bp) -> None:
    x = np.arange(12.0).reshape(3, 4)
    good = bp.Case("filter", "ok", "float64", {"convdoc": lambda: x, "peer": lambda: x + 1e-12})
    bp.check_agreement(good)
    assert good.result_dtype == "float64"
    wrong = bp.Case(
        "filter", "off", "float64", {"convdoc": lambda: x, "peer": lambda: x + np.eye(3, 4) * 1e-3}
    )
    with pytest.raises(bp.Disagreement, match=r"peer differs from convdoc by up to 0\.001"):
        bp.check_agreement(wrong)
    shape = bp.Case("filter", "shape", "float64", {"convdoc": lambda: x, "peer": lambda: x.T})
    with pytest.raises(bp.Disagreement, match=r"shape \(4, 3\)"):
        bp.check_agreement(shape)


def test_check_agreement_tolerance_follows_the_dtype(bp) -> None:
    x = np.linspace(-100, 100, 50).astype(np.float32)
    near = x * np.float32(1 + 2e-6)  # a few float32 ulps: agreement in float32
    f32 = bp.Case("layer", "f32", "float32", {"convdoc": lambda: x, "peer": lambda: near})
    bp.check_agreement(f32)
    f64 = bp.Case(
        "layer",
        "f64",
        "float64",
        {"convdoc": lambda: x.astype(np.float64), "peer": lambda: near.astype(np.float64)},
    )
    with pytest.raises(bp.Disagreement):
        bp.check_agreement(f64)
    with pytest.raises(ValueError, match="int32"):
        bp.tolerance(np.int32)


def test_check_agreement_converts_peer_results(bp) -> None:
    x = np.ones((2, 3))

    class Tensor:  # a torch-like batch of one
        def __init__(self, a):
            self.a = a

        def __getitem__(self, i):
            return Tensor(self.a[i])

        def numpy(self):
            return self.a

    case = bp.Case(
        "layer",
        "conv",
        "float64",
        {"convdoc": lambda: x, "torch": lambda: Tensor(x[None])},
        {"torch": lambda t: t[0].numpy()},
    )
    assert bp.check_agreement(case)["torch"].shape == (2, 3)


# ------------------------------------------------------------ timing


def test_time_case_interleaves_and_takes_median_of_round_bests(bp) -> None:
    clock = [0.0]
    calls = []
    costs = {"convdoc": iter([5, 3, 4, 9, 1, 7]), "peer": iter([2, 2, 8, 6, 3, 3])}

    def contender(name):
        def fn():
            calls.append(name)
            clock[0] += next(costs[name])

        return fn

    case = bp.Case("layer", "t", "float32", {n: contender(n) for n in ("convdoc", "peer")})
    times = bp.time_case(case, rounds=3, batches=2, min_time=0.0, clock=lambda: clock[0])
    # round bests: convdoc 3, 4, 1 -> median 3; peer 2, 6, 3 -> median 3
    assert times == {"convdoc": 3.0, "peer": 3.0}
    assert calls == ["convdoc", "peer"] * 2 + ["peer", "convdoc"] * 2 + ["convdoc", "peer"] * 2


def test_time_case_sleeps_untimed_before_every_batch(bp) -> None:
    clock = [0.0]
    events = []

    def fn():
        events.append("call")
        clock[0] += 1.0

    def sleep(seconds):
        events.append(("sleep", seconds))
        clock[0] += 100.0  # a pause the timing must not see

    case = bp.Case("layer", "t", "float32", {"convdoc": fn, "peer": fn})
    times = bp.time_case(
        case, rounds=2, batches=3, min_time=0.0, clock=lambda: clock[0], settle=0.03, sleep=sleep
    )
    assert times == {"convdoc": 1.0, "peer": 1.0}
    assert events == [("sleep", 0.03), "call"] * 12  # 2 rounds x 3 batches x 2 contenders
    events.clear()
    bp.time_case(case, rounds=1, batches=1, min_time=0.0, clock=lambda: clock[0], sleep=sleep)
    assert events == ["call", "call"]  # no settle: no sleep


def test_batch_size_is_calibrated_to_min_time(bp) -> None:
    clock = [0.0]

    def fn():
        clock[0] += 0.001

    assert bp._calibrate(fn, 0.05, lambda: clock[0]) == 50
    assert bp._calibrate(fn, 0.0, lambda: clock[0]) == 1


# ------------------------------------------------------------ threads


class _FakeTorch:
    def __init__(self):
        self.n = 7
        self.log = []

    def get_num_threads(self):
        return self.n

    def set_num_threads(self, n):
        self.log.append(n)
        self.n = n


class _FakeCv2:
    def __init__(self):
        self.n = 5

    def getNumThreads(self):  # OpenCV's names
        return self.n

    def setNumThreads(self, n):
        self.n = n


class _FakeThreadpoolctl:
    def __init__(self):
        self.active = None
        self.log = []

    @contextlib.contextmanager
    def threadpool_limits(self, limits):
        self.log.append(limits)
        self.active = limits
        try:
            yield
        finally:
            self.active = None


def test_thread_limits_sets_each_library_and_restores_it(bp) -> None:
    torch, cv2, tpc = _FakeTorch(), _FakeCv2(), _FakeThreadpoolctl()
    peers = bp.Peers(torch=torch, cv2=cv2, threadpoolctl=tpc)
    workers = sp_fft.get_workers()
    ours = convdoc.set_num_threads(4)
    try:
        with bp.thread_limits(3, peers) as applied:
            assert (torch.n, cv2.n, tpc.active, sp_fft.get_workers()) == (3, 3, 3, 3)
            assert convdoc.get_num_threads() == 3
            assert applied == {"torch": 3, "cv2": 3, "blas/openmp": 3, "scipy.fft workers": 3,
                               "convdoc": 3}
        assert (torch.n, cv2.n, tpc.active, sp_fft.get_workers()) == (7, 5, None, workers)
        assert convdoc.get_num_threads() == 4
        assert torch.log == [3, 7] and tpc.log == [3]
    finally:
        convdoc.set_num_threads(ours)


def test_thread_limits_without_peers_sets_scipy_and_convdoc_only_and_checks_n(bp) -> None:
    with bp.thread_limits(2, bp.Peers()) as applied:
        assert applied == {"scipy.fft workers": 2, "convdoc": 2}
        assert sp_fft.get_workers() == 2
        assert convdoc.get_num_threads() == 2
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=f"n must be a positive integer, got {bad!r}"):
            with bp.thread_limits(bad, bp.Peers()):
                pass


def test_load_peers_notes_the_missing_ones(bp) -> None:
    imported = []

    def fake_import(name):
        if name == "cv2":
            raise ImportError(name)
        imported.append(name)
        return name.upper()

    peers = bp.load_peers(fake_import)
    assert peers.missing == ["cv2"]
    assert (peers.torch, peers.F, peers.threadpoolctl) == (
        "TORCH",
        "TORCH.NN.FUNCTIONAL",
        "THREADPOOLCTL",
    )
    assert peers.cv2 is None


# ------------------------------------------------------------ cases and JSON


def test_full_setting_has_the_issue_cases(bp) -> None:
    labels = [c.label for c in bp.build_cases(bp.Peers(), bp.SETTINGS["full"])]
    text = "\n".join(labels)
    for needle in (
        "conv2d 3->64 224x224 7x7 s2 p3",
        "conv2d 64->64 56x56 3x3",
        "conv2d 128->128 28x28",
        "conv2d 256->256 14x14",
        "s2 p1 (strided)",
        "1x1",
        "depthwise conv2d 32x112x112 3x3 p1 groups=32",
        "conv_transpose2d 64->32 28x28 4x4 s2 p1",
        "max_pool2d 64x112x112 3x3 s2 p1",
        "unbatched",
        "1-D n=1000000 k=11 full",
        "1-D n=1000000 k=1001 full",
    ):
        assert needle in text, needle
    for dtype in ("float32", "float64"):
        for name in (
            "3x3 random",
            "5x5 random",
            "Sobel 3x3",
            "Laplacian 3x3",
            "Gaussian 3x3",
            "Gaussian 31x31",
        ):
            assert f"{name} on 1024x1024 {dtype}" in labels


def test_smoke_run_without_torch_or_opencv_writes_json(bp, tmp_path, capsys) -> None:
    out = tmp_path / "peers.json"
    data = bp.run("smoke", [1], out, bp.Peers(missing=["torch", "cv2"]))
    printed = capsys.readouterr().out
    assert "not installed, left out: torch, cv2" in printed
    assert json.loads(out.read_text()) == data
    assert data["mode"] == "smoke" and data["missing_peers"] == ["torch", "cv2"]
    (run,) = data["runs"]
    assert run["threads"] == 1
    groups = {c["group"] for c in run["cases"]}
    assert groups == {
        "stem",
        "layer",
        "transposed",
        "pool",
        "single",
        "filter",
        "1d-short",
        "1d-long",
    }
    for c in run["cases"]:
        assert all(math.isfinite(t) and t > 0 for t in c["seconds"].values())
        if len(c["seconds"]) > 1:
            best = min((n for n in c["seconds"] if n != "convdoc"), key=c["seconds"].get)
            assert c["best_peer"] == best
            assert c["ratio"] == pytest.approx(c["seconds"]["convdoc"] / c["seconds"][best])
        else:  # layers without torch: timed, not judged
            assert "ratio" not in c
    # Shapes by the output-size formulas, so each case computes the layer it names
    # (a closure bound late once gave the transposed case the next case's weights).
    shapes = {c["label"]: tuple(c["result_shape"]) for c in run["cases"]}
    n = 22  # smoke: 224 px scaled by 0.1
    m = (n + 2 * 3 - 7) // 2 + 1
    assert shapes[f"conv2d 3->64 {n}x{n} 7x7 s2 p3 (ResNet stem)"] == (8, m, m)
    [transposed] = [c for c in run["cases"] if c["group"] == "transposed"]
    # (n - 1) * 2 - 2 * 1 + 4 = 2n output pixels; 8 -> 4 channels in the smoke sizes
    assert transposed["label"] == "conv_transpose2d 8->4 8x8 4x4 s2 p1"
    assert tuple(transposed["result_shape"]) == (4, 16, 16)
    [pool] = [c for c in run["cases"] if c["group"] == "pool"]
    assert tuple(pool["result_shape"]) == (8, 6, 6)  # (11 + 2 - 3) // 2 + 1
    [single] = [c for c in run["cases"] if c["group"] == "single"]
    assert tuple(single["result_shape"]) == (8, 51, 51)
    assert shapes["1-D n=2000 k=101 full"] == (2000 + 101 - 1,)
    targets = {t["target"] for t in run["targets"]}
    assert targets == {"max-ratio", "geomean", "1d-long", "float32"}
    for t in run["targets"]:
        assert ("PASS" if t["passed"] else "FAIL") + f"  {t['target']} [1 thread(s)]" in printed


def test_only_runs_the_groups_asked_for(bp, tmp_path) -> None:
    data = bp.run("smoke", [1], None, bp.Peers(missing=["torch", "cv2"]), only=["filter"])
    (run,) = data["runs"]
    assert run["cases"] and {c["group"] for c in run["cases"]} == {"filter"}
