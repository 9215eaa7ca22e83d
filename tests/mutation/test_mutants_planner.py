"""Tests that kill mutants of convdoc/plans/planner.py's stencil gates (tests/MUTANTS.md).

``stencil_plan_1d`` and ``channels_stencil`` decide which exact plan runs, so a wrong
gate changes no number that a result test could see. These tests pin what their
docstrings document instead: the shapes each gate takes or refuses (sizes worked by
hand), the result dtype it asks for, and the rule of the pricing itself with the
prices replaced by numbers chosen here (taken only when strictly cheaper than the
alternative priced on the extended grid, the extension's cells added when there
is one, the savings counted toward loading numba). Where a gate is taken, the
layer's numbers are checked against SciPy or NumPy on ``numpy.pad``-ed inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc.plans import planner, stencil

pytestmark = pytest.mark.skipif(not stencil.available(), reason="numba is not installed")


def gate_1d(n=100_000, k=11, pad=((5, 5),), boundary="constant", fill=0, x_dtype=np.float64,
            w_dtype=np.float64, method="auto") -> bool:
    x = np.ones((1, n), dtype=x_dtype)
    w = np.ones((1, 1, k), dtype=w_dtype)
    return planner.stencil_plan_1d(x, w, pad, boundary, fill, (1,), (1,), method)


def gate_2d(c_in=3, c_out=8, k=(3, 3), hw=(256, 256), pad=((1, 1), (1, 1)), boundary="constant",
            x_dtype=np.float32, w_dtype=np.float32) -> bool:
    x = np.ones((c_in, *hw), dtype=x_dtype)
    w = np.ones((c_out, c_in, *k), dtype=w_dtype)
    return planner.channels_stencil(x, w, pad, boundary, 0, (1, 1), (1, 1), "auto")


@pytest.fixture
def priced_1d(monkeypatch):
    """Record whether the 1-D gate priced the stencil (asked ``stencil.cost``)."""
    asked: list[tuple] = []
    real = stencil.cost

    def cost(*args, **kwargs):
        asked.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(stencil, "cost", cost)
    return asked


# ------------------------------------------------------------------ stencil_plan_1d


@pytest.mark.parametrize("pad", [(0, 7), (7, 0)])
def test_the_1d_gate_prices_from_two_to_the_15_multiply_adds(priced_1d, pad) -> None:
    # 8 taps: 4096 samples + 7 padding give 4096 outputs, 32768 = 2**15 multiply-adds,
    # priced; 4095 samples give 4095 outputs, 32760, never priced. On either side.
    stencil.load()
    gate_1d(n=4096, k=8, pad=(pad,))
    assert len(priced_1d) == 1
    assert priced_1d[0][0] == (1, 4096)  # the stencil priced for 4096 outputs
    priced_1d.clear()
    assert not gate_1d(n=4095, k=8, pad=(pad,))
    assert priced_1d == []


def test_a_one_tap_kernel_is_never_priced_for_the_1d_stencil(priced_1d) -> None:
    stencil.load()
    assert not gate_1d(n=100_000, k=1, pad=((0, 0),))
    assert priced_1d == []


@pytest.fixture
def prices(monkeypatch):
    """Fixed prices for the 1-D gate: ``ours`` (the stencil), ``direct`` and ``fft``."""
    table = {"ours": 0.1, "direct": 0.2, "fft": 1.0}
    asked: dict[str, list] = {"direct": [], "fft": []}

    def best_direct(x, w, pad, stride, dilation, out_shape):
        asked["direct"].append((x.shape, x.dtype, pad, stride, dilation, out_shape))
        return "numpy", table["direct"]

    def fft_cost(x_shape, w_shape, stride, dilation, out_shape):
        asked["fft"].append((x_shape, w_shape, stride, dilation, out_shape))
        return table["fft"]

    monkeypatch.setattr(planner, "best_direct", best_direct)
    monkeypatch.setattr(planner.fft, "cost", fft_cost)
    monkeypatch.setattr(stencil, "cost", lambda *a, **k: table["ours"])
    # Every call asks afresh: these tests change the table between calls of one shape.
    monkeypatch.setattr(planner, "_priced", lambda key, price: price())
    return table, asked


def test_the_1d_stencil_is_taken_only_when_strictly_cheaper(prices) -> None:
    stencil.load()
    table, _ = prices
    assert gate_1d()  # 0.1 against 0.2
    table["ours"] = 0.2
    assert not gate_1d()  # a tie: the stencil does not beat NumPy's loop
    table["ours"] = 0.3
    assert not gate_1d()


def test_the_1d_alternative_is_priced_on_the_extended_signal(prices) -> None:
    # 100,000 samples, pads (3, 7), 11 taps: the extended signal has 100,010 samples,
    # 100,000 outputs. Zero padding stays implicit (priced with the pads as given);
    # a boundary rule or a non-zero fill is priced on the extended signal (of the
    # signal's dtype) with no pad.
    stencil.load()
    _, asked = prices
    f64 = np.dtype(np.float64)
    gate_1d(pad=((3, 7),))
    assert asked["direct"] == [((1, 100_000), f64, ((3, 7),), (1,), (1,), (100_000,))]
    assert asked["fft"] == [((1, 100_000), (1, 1, 11), (1,), (1,), (100_000,))]
    for boundary, fill in [("reflect", 0), ("constant", 2.0), ("wrap", 1)]:
        asked["direct"].clear()
        asked["fft"].clear()
        gate_1d(pad=((3, 7),), boundary=boundary, fill=fill)
        assert asked["direct"] == [((1, 100_010), f64, ((0, 0),), (1,), (1,), (100_000,))]
        assert asked["fft"] == [((1, 100_010), (1, 1, 11), (1,), (1,), (100_000,))]


def test_the_1d_extension_is_added_to_the_alternative_per_cell(prices) -> None:
    # A tie with the direct plan: zero padding keeps the tie (refused); a boundary rule
    # adds the extension of the 100,010 cells to the alternative, and the stencil wins.
    stencil.load()
    table, _ = prices
    table["ours"] = table["direct"] = 0.2
    assert not gate_1d(pad=((3, 7),))
    assert gate_1d(pad=((3, 7),), boundary="reflect")
    assert gate_1d(pad=((3, 7),), fill=2.0)
    # Dearer than the direct plan by half the extension's price: still the cheaper.
    extension = planner.SEC_PER_EXTEND_CELL * 100_010
    table["ours"] = 0.2 + extension / 2
    assert gate_1d(pad=((3, 7),), boundary="edge")
    assert not gate_1d(pad=((3, 7),))


def test_the_1d_fft_is_priced_only_under_auto(prices) -> None:
    # An FFT priced below the stencil sends "auto" elsewhere; "direct" runs no FFT, so
    # the stencil (a direct plan) is compared with the direct plans alone.
    stencil.load()
    table, asked = prices
    table["fft"] = 0.05
    assert not gate_1d(method="auto")
    asked["fft"].clear()
    assert gate_1d(method="direct")
    assert asked["fft"] == []


def test_the_1d_stencil_counts_its_savings_before_numba_is_loaded(prices) -> None:
    # Unloaded: each call counts 0.25 s saved (0.5 - 0.25) and the fourth reaches
    # SEC_LOAD = 1 s, loads numba and takes the stencil.
    stencil.unload()
    assert stencil.SEC_LOAD == 1.0
    table, _ = prices
    table["ours"], table["direct"] = 0.25, 0.5
    assert [gate_1d() for _ in range(3)] == [False, False, False]
    assert not stencil.loaded()
    assert gate_1d()
    assert stencil.loaded()


@pytest.mark.parametrize(("x_dtype", "taken"), [(np.int64, True), (np.int32, True),
                                                (np.complex128, False)])
def test_the_1d_gate_asks_for_the_result_dtype(monkeypatch, x_dtype, taken) -> None:
    # Integer samples with float64 taps give a float64 result: the stencil's. Complex
    # samples give a complex result: never the stencil's.
    stencil.load()
    calls: list[int] = []
    real = stencil.correlate1d
    monkeypatch.setattr(stencil, "correlate1d", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(3)
    x = rng.integers(-50, 50, 100_000).astype(x_dtype)
    h = rng.standard_normal(6)
    got = convdoc.correlate(x, h, "full")
    assert bool(calls) is taken
    assert got.dtype == np.result_type(x_dtype, np.float64)
    expected = np.correlate(np.pad(x.astype(np.complex128), 5), h, "valid")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


# ------------------------------------------------------------------ channels_stencil


def test_the_channel_gate_counts_products_with_both_kernel_sides() -> None:
    # C_in * kh * kw: 1 * 1 * 7 = 7 products (a 1x7 kernel, not 7 * 7 = 49), and
    # 3 * 4 * 4 = 48, the most taken.
    stencil.load()
    assert gate_2d(c_in=1, c_out=2, k=(1, 7), pad=((0, 0), (3, 3)))
    assert gate_2d(c_in=1, c_out=2, k=(7, 1), pad=((3, 3), (0, 0)))
    assert gate_2d(c_in=3, k=(4, 4), pad=((2, 1), (2, 1)))
    assert not gate_2d(c_in=1, k=(7, 7), pad=((3, 3), (3, 3)))  # 49


def test_the_channel_gate_takes_pads_larger_than_the_image() -> None:
    # 256 + 0 + 300 = 556 columns (or rows), 554 outputs: pads on one side only.
    stencil.load()
    for pad in [((0, 0), (0, 300)), ((0, 0), (300, 0)), ((0, 300), (0, 0)),
                ((300, 0), (0, 0))]:
        assert gate_2d(pad=pad), pad


def test_a_layer_padded_past_the_image_on_one_side_matches_scipy(monkeypatch) -> None:
    from convdoc.engine import correlate_padded

    stencil.load()
    calls: list[int] = []
    real = stencil.correlate_channels
    monkeypatch.setattr(stencil, "correlate_channels", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(30)
    x = rng.standard_normal((3, 120, 100))
    w = rng.standard_normal((4, 3, 3, 3))
    pad = ((0, 130), (140, 0))  # 250 x 240 grid: 248 x 238 outputs
    got = correlate_padded(x, w, pad)
    assert calls == [1]
    assert got.shape == (4, 248, 238)
    xp = np.pad(x, ((0, 0), *pad))
    expected = np.stack([sum(signal.correlate2d(xp[c], w[o, c], "valid") for c in range(3))
                         for o in range(4)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_the_channel_gate_takes_one_output_row_or_column_and_refuses_none() -> None:
    # 3 x 20,000 (or 20,000 x 3) unpadded with a 3x3 kernel: one row (column) of
    # 19,998 outputs, taken; 2 rows (columns) leave no output.
    stencil.load()
    no_pad = ((0, 0), (0, 0))
    assert gate_2d(hw=(3, 20_000), pad=no_pad)
    assert gate_2d(hw=(20_000, 3), pad=no_pad)
    assert not gate_2d(hw=(2, 20_000), pad=no_pad)
    assert not gate_2d(hw=(20_000, 2), pad=no_pad)
    # A 3x1 kernel needs 3 rows, whatever its width.
    assert not gate_2d(hw=(2, 20_000), k=(3, 1), pad=no_pad)
    assert not gate_2d(hw=(20_000, 2), k=(1, 3), pad=no_pad)


@pytest.mark.parametrize(("x_dtype", "taken"), [(np.int64, True), (np.uint8, True),
                                                (np.complex128, False)])
def test_the_channel_gate_asks_for_the_result_dtype(monkeypatch, x_dtype, taken) -> None:
    # An integer image with float64 kernels gives a float64 result: the stencils'.
    # A complex image gives a complex one: never theirs.
    stencil.load()
    calls: list[int] = []
    real = stencil.correlate_channels
    monkeypatch.setattr(stencil, "correlate_channels", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(31)
    x = rng.integers(0, 200, (3, 256, 240)).astype(x_dtype)
    w = rng.standard_normal((8, 3, 3, 3))
    got = convdoc.conv2d(x, w, padding=1)
    assert bool(calls) is taken
    assert got.dtype == np.result_type(x_dtype, np.float64)
    xp = np.pad(x.astype(np.complex128), ((0, 0), (1, 1), (1, 1)))
    expected = np.stack([sum(signal.correlate2d(xp[c], w[o, c], "valid") for c in range(3))
                         for o in range(8)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


@pytest.fixture
def channel_prices(monkeypatch):
    """Fixed prices for the channel gate: ``ours`` and every direct plan's."""
    table = {"ours": 0.1, "direct": 0.2}
    asked: list[tuple] = []

    def direct_costs(x_shape, w_shape, pad, stride, dilation, out_shape, dtypes):
        asked.append((x_shape, w_shape, pad, stride, dilation, out_shape, dtypes))
        return {"gemm": table["direct"], "im2col": table["direct"] + 1.0}

    monkeypatch.setattr(planner, "direct_costs", direct_costs)
    monkeypatch.setattr(stencil, "channels_cost", lambda *a: table["ours"])
    # Every call asks afresh: these tests change the table between calls of one shape.
    monkeypatch.setattr(planner, "_priced", lambda key, price: price())
    return table, asked


def test_the_channel_stencils_are_taken_only_when_strictly_cheaper(channel_prices) -> None:
    stencil.load()
    table, _ = channel_prices
    assert gate_2d()
    table["ours"] = 0.2
    assert not gate_2d()  # a tie
    table["ours"] = 0.3
    assert not gate_2d()


def test_the_channel_alternative_is_priced_on_the_extended_grid(channel_prices) -> None:
    # 3 channels of 100 x 90, pads (1, 2) and (3, 0), 3x3: a 103 x 93 grid, 101 x 91
    # outputs. Zeros stay implicit; a boundary rule is priced on the grown grid, unpadded.
    stencil.load()
    _, asked = channel_prices
    f32 = np.dtype(np.float32)
    pad = ((1, 2), (3, 0))
    gate_2d(hw=(100, 90), pad=pad)
    assert asked == [((3, 100, 90), (8, 3, 3, 3), pad, (1, 1), (1, 1), (101, 91), (f32, f32))]
    for boundary in ["reflect", "edge", "symmetric", "wrap"]:
        asked.clear()
        gate_2d(hw=(100, 90), pad=pad, boundary=boundary)
        assert asked == [((3, 103, 93), (8, 3, 3, 3), ((0, 0), (0, 0)), (1, 1), (1, 1),
                          (101, 91), (f32, f32))]


def test_the_channel_extension_is_added_to_the_alternative_per_cell(channel_prices) -> None:
    # A tie with the cheapest direct plan: refused with zero padding, taken when a
    # boundary rule adds the extension of its 3 * 103 * 93 cells to the alternative,
    # also when the stencils cost half that extension more.
    stencil.load()
    table, _ = channel_prices
    table["ours"] = table["direct"] = 0.2
    pad = ((1, 2), (3, 0))
    assert not gate_2d(hw=(100, 90), pad=pad)
    assert gate_2d(hw=(100, 90), pad=pad, boundary="reflect")
    table["ours"] = 0.2 + planner.SEC_PER_EXTEND_CELL * 3 * 103 * 93 / 2
    assert gate_2d(hw=(100, 90), pad=pad, boundary="wrap")
    assert not gate_2d(hw=(100, 90), pad=pad)
