"""Tests that kill mutants of convdoc/plans/planner.py's stencil gates (tests/MUTANTS.md).

``stencil_plan_1d`` and ``channels_stencil`` decide which exact plan runs, so a wrong
gate changes no number that a result test could see. These tests pin what their
docstrings document instead: the shapes each gate takes or refuses (sizes worked by
hand), the result dtype it asks for, and the rule of the pricing itself with the
prices replaced by numbers chosen here (taken only when strictly cheaper than the
alternative priced on the extended grid, the extension's cells added when there
is one, the savings counted toward loading numba). Where a gate is taken, the
layer's numbers are checked against SciPy or NumPy on ``numpy.pad``-ed inputs.

The same holds for ``strided_1d``, ``best_direct``, ``choose`` and the rank-one verdict
(later sections): which plan runs is observed with spies on the plan functions or read
from the planner's return value, with the prices worked by hand in the comments; where a
plan runs, its numbers are checked against loops written here or SciPy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc.plans import planner, separable, stencil

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


@pytest.mark.usefixtures("without_register_tiles")
def test_the_channel_gate_counts_products_with_both_kernel_sides() -> None:
    # C_in * kh * kw: 1 * 1 * 7 = 7 products (a 1x7 kernel, not 7 * 7 = 49), and
    # 3 * 4 * 4 = 48, the most taken.
    stencil.load()
    assert gate_2d(c_in=1, c_out=2, k=(1, 7), pad=((0, 0), (3, 3)))
    assert gate_2d(c_in=1, c_out=2, k=(7, 1), pad=((3, 3), (0, 0)))
    assert gate_2d(c_in=3, k=(4, 4), pad=((2, 1), (2, 1)))
    assert not gate_2d(c_in=1, k=(7, 7), pad=((3, 3), (3, 3)))  # 49


@pytest.mark.usefixtures("without_register_tiles")
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


@pytest.mark.usefixtures("without_register_tiles")
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


# ------------------------------------------------------------------ strided_1d


@pytest.fixture
def routes(monkeypatch):
    """Record which of strided_1d's plans ran: phase_matmul, fft_phases, window_einsum."""
    from convdoc.plans import direct, overlap_save, polyphase

    calls: list[str] = []
    for module, name in (
        (polyphase, "phase_matmul"),
        (overlap_save, "fft_phases"),
        (direct, "window_einsum"),
    ):
        original = getattr(module, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return calls


def _strided_loop(x, w, pad, stride):
    """:func:`_definition` of a single-channel 1-D layer: every stride-th window of the padded x."""
    n_out = (x.size + sum(pad) - w.size) // stride + 1
    return _definition(x[None], w[None, None], (pad,), (stride,), (1,), (n_out,))[0]


@pytest.mark.parametrize("pad", [(2, 0), (0, 3), (1, 0), (0, 1), (5, 1)])
@pytest.mark.parametrize("n", [40, 20_000])
def test_strided_1d_with_unequal_pads(pad, n) -> None:
    # 40 samples are a tiny problem (numpy.correlate), 20,000 the BLAS phases; with
    # pads (2, 0) and 5 taps at stride 3: (40 + 2 - 5) // 3 + 1 = 13 outputs.
    rng = np.random.default_rng(n)
    x = rng.integers(-8, 9, n).astype(np.float64)
    w = rng.integers(-8, 9, 5).astype(np.float64)
    got = planner.strided_1d(x, w, pad, 3, "auto")
    expected = _strided_loop(x, w, pad, 3)
    assert got.shape == expected.shape == ((n + sum(pad) - 5) // 3 + 1,)
    np.testing.assert_array_equal(got, expected)  # small integers: every sum exact


def test_strided_1d_runs_numpy_up_to_40000_multiply_adds(routes) -> None:
    # Stride 4, 10 taps: 4006 samples give (4006 - 10) // 4 + 1 = 1000 outputs, and
    # 4 * 1000 * 10 = 40,000 multiply-adds (every output, then every 4th kept): tiny.
    rng = np.random.default_rng(1)
    w = rng.integers(-8, 9, 10).astype(np.float64)
    # 1001 outputs (40,040 multiply-adds) are direct: the windows' einsum is priced
    # 3 us + 1001 * (5 ns + 0.32 ns * 10) = 11.2 us, the phases 10 us + 1001 * (3 ns +
    # 3 * 1.015 ns) = 16.0 us.
    for n, taken in [(4006, []), (4010, ["window_einsum"])]:
        routes.clear()
        x = rng.integers(-8, 9, n).astype(np.float64)
        got = planner.strided_1d(x, w, (0, 0), 4, "auto")
        assert routes == taken
        np.testing.assert_array_equal(got, _strided_loop(x, w, (0, 0), 4))


@pytest.mark.parametrize("n", [100, 10_000])
def test_strided_1d_forced_fft_always_runs_the_fft(routes, n) -> None:
    # method="fft" means the FFT, even for a tiny problem (100 samples, 11 taps at
    # stride 4: 4 * 23 * 11 = 1012 multiply-adds) or one the phases would win.
    rng = np.random.default_rng(n)
    x, w = rng.standard_normal(n), rng.standard_normal(11)
    got = planner.strided_1d(x, w, (1, 1), 4, "fft")
    assert routes == ["fft_phases"]
    np.testing.assert_allclose(got, _strided_loop(x, w, (1, 1), 4), rtol=1e-9, atol=1e-9)
    routes.clear()
    planner.strided_1d(x, w, (1, 1), 4, "direct")
    # 2498 outputs of 11 taps: the einsum is priced 24.3 us, the phases 25.1 us.
    assert routes == ([] if n == 100 else ["window_einsum"])


def test_strided_1d_prices_the_fft_for_one_channel_pair(routes) -> None:
    # 7500 samples, 201 taps at stride 4: 1825 outputs. The phases are priced
    # 132 us, the FFT of one input and one output channel 127 us (cheaper: taken);
    # priced for two channels either way it would cost 155 or 184 us.
    from convdoc.plans import overlap_save, polyphase

    direct_s = polyphase.phase_matmul_cost(1825, 201, 4)
    assert overlap_save.fft_phases_cost((1825,), (201,), (4,), 1, 1) < direct_s
    assert overlap_save.fft_phases_cost((1825,), (201,), (4,), 2, 1) > direct_s
    assert overlap_save.fft_phases_cost((1825,), (201,), (4,), 1, 2) > direct_s
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal(7500), rng.standard_normal(201)
    got = planner.strided_1d(x, w, (0, 0), 4, "auto")
    assert routes == ["fft_phases"]
    expected = signal.correlate(x, w, "valid", method="direct")[::4]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_strided_1d_leaves_the_warnings_of_a_dropped_fft_unsaid() -> None:
    # An infinite sample spreads over the whole FFT result (inf - inf: NaN, an
    # "invalid" warning), which is dropped; the direct sums meet only inf * 1 and
    # inf + finite: no warning, infinite exactly where a window covers sample 5000.
    x = np.random.default_rng(8).standard_normal(10_000)
    x[5000] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = planner.strided_1d(x, np.ones(1001), (0, 0), 4, "auto")
    covering = [i for i in range(got.size) if 4 * i <= 5000 < 4 * i + 1001]
    assert np.isinf(got[covering]).all()
    assert np.isfinite(np.delete(got, covering)).all()


def test_strided_1d_holds_blas_for_its_matrix_vector_product(monkeypatch) -> None:
    import contextlib

    asked = []

    @contextlib.contextmanager
    def blas_for_convdoc(macs):
        asked.append(macs)
        yield

    monkeypatch.setattr(planner.threads, "blas_for_convdoc", blas_for_convdoc)
    x = np.random.default_rng(3).standard_normal(60_000)
    # (60,000 - 7) // 3 + 1 = 19,998 outputs (the phases priced 131 us, the windows'
    # einsum 148 us); 7 taps at stride 3 make a tap matrix of ceil(7 / 3) = 3 rows,
    # so the diagonal sums are a product of 3 * 19,998 = 59,994 values.
    planner.strided_1d(x, np.ones(7), (0, 0), 3, "direct")
    assert asked == [59_994]


@pytest.mark.parametrize("dtype", [np.complex128, np.float32, np.float64])
def test_strided_1d_redoes_exactly_a_nan_met_by_a_padding_zero(dtype, monkeypatch) -> None:
    # 11 taps at stride 4 fill 3 rows of 4 in the tap matrix: one padding zero, which
    # meets the NaN, so the BLAS result is refused and the phases are summed by NumPy
    # (numpy_phases, with the taps conjugated back: a layer does not conjugate).
    from convdoc.plans import direct

    calls = []
    real = direct.numpy_phases
    monkeypatch.setattr(direct, "numpy_phases",
                        lambda *a: calls.append(a[-1]) or real(*a))
    rng = np.random.default_rng(4)
    x = rng.integers(-8, 9, 20_000).astype(dtype)
    w = rng.integers(-8, 9, 11).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.integers(-8, 9, 20_000)
        w = w + 1j * rng.integers(-8, 9, 11)
    x[10_000] = np.nan
    got = planner.strided_1d(x, w, (2, 2), 4, "direct")
    assert calls == [np.dtype(dtype)]
    assert got.dtype == np.dtype(dtype)
    grid = np.pad(x, 2)
    n_out = (20_004 - 11) // 4 + 1
    # The loop in complex128 or float64 (exact for these small integers); NaN where a
    # window covers padded sample 10,002.
    wide = np.complex128 if np.dtype(dtype).kind == "c" else np.float64
    expected = np.array([np.dot(grid[4 * i : 4 * i + 11].astype(wide), w.astype(wide))
                         for i in range(n_out)])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    np.testing.assert_array_equal(got[ok], expected[ok].astype(dtype))


# ------------------------------------------------------------------ the rank-one verdict


def _near_rank_one() -> np.ndarray:
    """An outer product of small integers (exact in float32) plus 1e-4 at its centre."""
    k = np.outer([1.0, 2, 3, 2, 1], [1.0, 1, 2, 1, 1]).astype(np.float32)
    k[2, 2] += np.float32(1e-4)
    return k[None, None]


def test_rank_one_is_judged_to_the_result_dtype_rounding(monkeypatch) -> None:
    monkeypatch.setattr(planner, "_last_rank_one", (None, b"", None, False))
    # The largest tap is 6: rank_one allows 1e3 * 5 * eps * 6 off the outer product,
    # 3.6e-3 in float32, 6.7e-12 in float64. The centre is 1e-4 off (the corners, an
    # exact outer product, rule out nothing).
    w = _near_rank_one()
    assert planner._rank_one(w, np.dtype(np.float32))
    assert not planner._rank_one(w, np.dtype(np.float64))
    exact = np.outer([1.0, 2, 3], [1.0, 1, 2])[None, None]
    assert planner._rank_one(exact, np.dtype(np.float64))
    # Zero corners rule out nothing either; the cross is of rank 2 (NumPy).
    cross = np.array([[0.0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert np.linalg.matrix_rank(cross) == 2
    assert not planner._surely_not_rank_one(cross, np.dtype(np.float64))
    assert not planner._rank_one(cross[None, None], np.dtype(np.float64))


def test_the_remembered_verdict_is_used_only_for_the_same_weight(monkeypatch) -> None:
    monkeypatch.setattr(planner, "_last_rank_one", (None, b"", None, False))
    asked = []
    real = separable.rank_one
    monkeypatch.setattr(separable, "rank_one", lambda k, d=None: asked.append(d) or real(k, d))
    w = np.outer([1.0, 2, 3], [1.0, 1, 2])[None, None]  # rank one (exact)
    f64, f32 = np.dtype(np.float64), np.dtype(np.float32)
    planner._remember_rank_one(w, f64, True)
    assert planner._rank_one(w, f64) and asked == []  # the same object, taps and dtype
    assert planner._rank_one(w, f32) and asked == [f32]  # another result dtype
    assert planner._rank_one(w.copy(), f64) and asked == [f32, f64]  # another object
    w[0, 0, 1, 1] = 5.0  # changed in place (the centre): judged again, no longer rank one
    assert not planner._rank_one(w, f64) and asked == [f32, f64, f64]


def test_the_corner_test_leaves_to_rank_one_what_it_cannot_prove() -> None:
    f64 = np.dtype(np.float64)
    rng = np.random.default_rng(12)
    full = rng.standard_normal((5, 5))
    assert np.linalg.matrix_rank(full) == 5
    # Integer, long double and all-zero kernels, and result dtypes other than
    # float32/float64, are rank_one's to judge (docstring), whatever their corners.
    assert not planner._surely_not_rank_one(np.arange(25).reshape(5, 5) ** 2, f64)
    assert not planner._surely_not_rank_one(full.astype(np.longdouble), f64)
    assert not planner._surely_not_rank_one(np.zeros((3, 3)), f64)
    assert not planner._surely_not_rank_one(full, np.dtype(np.complex128))
    assert not planner._surely_not_rank_one(full, np.dtype(np.float16))
    # Scaled by the largest tap: a full-rank kernel of taps below 1 is ruled out too.
    small = 0.25 * rng.random((5, 5))
    assert np.linalg.matrix_rank(small) == 5
    assert planner._surely_not_rank_one(small, f64)


def test_the_corner_test_allows_for_long_kernels() -> None:
    # 31 x 31 ones in float32 with 1e-4 added at a corner: rank_one accepts it (1e-4
    # within 1e3 * 31 * eps32 = 3.7e-3 of the outer product; the second singular value,
    # about 1e-4, below the first (31) times 31 * 8 * eps32: 9.2e-4). The corners' minor
    # is 1e-4, far below 8 * 3.7e-3: not ruled out. A bound that shrank with the size
    # (1e3 / 31 * eps32: 8 r = 3.1e-5) would rule it out.
    f32 = np.dtype(np.float32)
    k = np.ones((31, 31), dtype=np.float32)
    k[-1, -1] += np.float32(1e-4)
    assert separable.rank_one(k, f32) is not None
    assert not planner._surely_not_rank_one(k, f32)


# ------------------------------------------------------------------ run_direct

_PLAN_FUNCTIONS = (
    ("direct", "numpy_phases"),
    ("direct", "window_einsum"),
    ("direct", "shift_add"),
    ("gemm", "correlate"),
    ("winograd", "correlate"),
    ("banded", "correlate2d"),
    ("blocks", "blocks2d"),
    ("im2col", "im2col"),
)


@pytest.fixture
def ran(monkeypatch):
    """Record which plan functions ``run_direct`` called, with the dtypes of their arrays."""
    import importlib

    calls: list[tuple[str, tuple]] = []
    for module_name, name in _PLAN_FUNCTIONS:
        module = importlib.import_module(f"convdoc.plans.{module_name}")
        original = getattr(module, name)
        label = f"{module_name}.{name}"

        def spy(*args, _label=label, _original=original, **kwargs):
            calls.append((_label, tuple(a.dtype for a in args if isinstance(a, np.ndarray))))
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return calls


def _definition(x, w, pad, stride, dilation, out_shape):
    """The sum as defined, on numpy.pad's explicit zeros (0 * inf is NaN there), in Python."""
    grid = np.pad(x, ((0, 0), *pad)).astype(np.result_type(x, w, np.float64))
    c_out, c_in = w.shape[:2]
    out = np.zeros((c_out, *out_shape), dtype=grid.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        for o in range(c_out):
            for pos in np.ndindex(*out_shape):
                total = grid.dtype.type(0)
                for ch in range(c_in):
                    for tap in np.ndindex(*w.shape[2:]):
                        at = tuple(
                            p * s + t * d
                            for p, t, s, d in zip(pos, tap, stride, dilation, strict=True)
                        )
                        total = total + grid[(ch, *at)] * w[(o, ch, *tap)]
                out[(o, *pos)] = total
    return out


def _ints(rng, shape, dtype):
    a = rng.integers(-4, 5, shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.integers(-4, 5, shape)
    return a.astype(dtype)


# Each plan on a problem it can run (shapes worked by hand): x's shape, w's, pad, stride,
# dilation, outputs, and the one plan function it must call (None: numpy.correlate).
_PLAN_PROBLEMS = {
    # 1-D, 12 samples, 4 taps: full (pads 3, 3: 15 outputs), SciPy's same (2, 1), valid.
    "numpy": [
        ((1, 12), (1, 1, 4), ((3, 3),), (1,), (1,), (15,)),
        ((1, 12), (1, 1, 4), ((2, 1),), (1,), (1,), (12,)),
        ((1, 12), (1, 1, 4), ((0, 0),), (1,), (1,), (9,)),
    ],
    # 20 samples, 5 taps, pads (2, 1), stride 3: (23 - 5) // 3 + 1 = 7 outputs.
    "polyphase": [((1, 20), (1, 1, 5), ((2, 1),), (3,), (1,), (7,))],
    "numpy_subsample": [((1, 20), (1, 1, 5), ((2, 1),), (3,), (1,), (7,))],
    # Stride 2, dilation 2: (23 - 9) // 2 + 1 = 8 outputs.
    "einsum": [((1, 20), (1, 1, 5), ((2, 1),), (2,), (2,), (8,))],
    # Two channels in, three out, 3x2 taps, pads (1, 0) and (0, 2), stride (2, 1),
    # dilation (1, 2): rows (10 - 3) // 2 + 1 = 4, columns 10 - 3 + 1 = 8.
    "shift_add": [((2, 9, 8), (3, 2, 3, 2), ((1, 0), (0, 2)), (2, 1), (1, 2), (4, 8))],
    "im2col": [((2, 9, 8), (3, 2, 3, 2), ((1, 0), (0, 2)), (2, 1), (1, 2), (4, 8))],
    # Dilation 1: columns 10 - 2 + 1 = 9.
    "gemm": [((2, 9, 8), (3, 2, 3, 2), ((1, 0), (0, 2)), (2, 1), (1, 1), (4, 9))],
    # 3x3 taps, stride 1, pads (1, 1) and (0, 1): 6 x 6 outputs.
    "winograd": [((2, 6, 7), (3, 2, 3, 3), ((1, 1), (0, 1)), (1, 1), (1, 1), (6, 6))],
    # One channel, 3x4 taps, pads (1, 2) and (2, 0): 10 x 11 outputs.
    "banded": [((1, 9, 12), (1, 1, 3, 4), ((1, 2), (2, 0)), (1, 1), (1, 1), (10, 11))],
    # Stride (2, 3), pads (1, 0) and (0, 1): rows (13 - 3) // 2 + 1 = 6, columns
    # (21 - 4) // 3 + 1 = 6.
    "blocks2d": [((1, 12, 20), (1, 1, 3, 4), ((1, 0), (0, 1)), (2, 3), (1, 1), (6, 6))],
}
_CALLS = {
    "numpy": None,
    "numpy_subsample": None,
    "polyphase": "direct.numpy_phases",
    "einsum": "direct.window_einsum",
    "shift_add": "direct.shift_add",
    "im2col": "im2col.im2col",
    "gemm": "gemm.correlate",
    "winograd": "winograd.correlate",
    "banded": "banded.correlate2d",
    "blocks2d": "blocks.blocks2d",
}


_RUN_DTYPES = [
    (np.float64, np.float64, np.float64),
    (np.float32, np.float32, np.float32),
    (np.int32, np.float32, np.float32),
    (np.complex128, np.complex128, np.complex128),
]


@pytest.mark.parametrize(
    ("plan", "x_dtype", "w_dtype", "dtype"),
    [
        (plan, *dtypes)
        for plan in _PLAN_PROBLEMS
        for dtypes in _RUN_DTYPES
        # Winograd and the banded passes run in real dtypes only (winograd.DTYPES,
        # SEPARABLE_DTYPES): the planner never names them for complex data.
        if not (np.dtype(dtypes[2]).kind == "c" and plan in ("winograd", "banded"))
    ],
)
def test_run_direct_runs_the_plan_it_is_given(ran, plan, x_dtype, w_dtype, dtype) -> None:
    # Each plan the planner names runs as that plan, and only it: the numbers are the
    # definition's (small integers: every sum exact but Winograd's, whose transforms
    # divide by 2), in the result dtype asked for; complex taps are not conjugated.
    rng = np.random.default_rng(len(plan))
    dtype = np.dtype(dtype)
    for x_shape, w_shape, pad, stride, dilation, out_shape in _PLAN_PROBLEMS[plan]:
        ran.clear()
        x, w = _ints(rng, x_shape, x_dtype), _ints(rng, w_shape, w_dtype)
        got = planner.run_direct(x, w, pad, stride, dilation, out_shape, dtype, plan)
        expected = _definition(x, w, pad, stride, dilation, out_shape)
        assert got.shape == expected.shape and got.dtype == dtype, (plan, pad)
        if plan == "winograd":
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
        else:
            np.testing.assert_array_equal(got, expected)
        names = [name for name, _ in ran]
        assert names == ([] if _CALLS[plan] is None else [_CALLS[plan]]), (plan, pad)
        # The banded passes are handed the grid and the taps in the result dtype (its
        # products are BLAS's, in the operands' dtype: float32 stays float32).
        for name, dtypes in ran:
            if name == "banded.correlate2d":
                assert dtypes == (dtype, dtype), dtypes


@pytest.mark.parametrize(("pad", "out"), [(((3, 3),), 15), (((2, 1),), 12)])
def test_run_direct_numpy_multiplies_the_padding_zeros_by_an_infinite_tap(ran, pad, out) -> None:
    # numpy.correlate never multiplies the zeros it implies beyond the ends; the
    # definition does, so 0 * inf = NaN there: the numpy plan pads the zeros itself.
    x = np.arange(1.0, 13.0)[None]
    w = np.array([1.0, np.inf, 2.0, -1.0])[None, None]
    got = planner.run_direct(x, w, pad, (1,), (1,), (out,), np.dtype(np.float64), "numpy")
    expected = _definition(x, w, pad, (1,), (1,), (out,))
    assert np.isnan(expected).any()
    np.testing.assert_array_equal(got, expected)
    assert ran == []


def test_run_direct_gives_a_non_finite_winograd_problem_to_gemm(ran) -> None:
    # A NaN sample, an infinite tap, or samples so large that the transforms could
    # overflow the result dtype (winograd.fits: 324 * 2 channels * max|x| * max|w| = 4
    # against a quarter of the largest float: 1e305 in float64 gives 2.6e308, beyond the
    # largest float; 1e36 in float32, 2.6e39 > 8.5e37): Winograd is never run, the GEMM
    # plan gives the definition's numbers.
    rng = np.random.default_rng(9)
    x_shape, w_shape, pad, stride, dilation, out_shape = _PLAN_PROBLEMS["winograd"][0]
    for case, dtype in [
        ("nan", np.float64),
        ("inf", np.float64),
        ("huge", np.float64),
        ("huge", np.float32),
    ]:
        ran.clear()
        x, w = _ints(rng, x_shape, dtype), _ints(rng, w_shape, dtype)
        if case == "nan":
            x[1, 2, 3] = np.nan
        elif case == "inf":
            w[2, 0, 1, 1] = np.inf
        else:
            x[0, 4, 4] = 1e305 if dtype == np.float64 else 1e36
        got = planner.run_direct(
            x, w, pad, stride, dilation, out_shape, np.dtype(dtype), "winograd"
        )
        expected = _definition(x, w, pad, stride, dilation, out_shape)
        rtol = 1e-12 if dtype == np.float64 else 1e-6
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0)
        assert [name for name, _ in ran] == ["gemm.correlate"], (case, dtype)


def test_run_direct_gives_a_non_finite_or_overflowing_band_to_the_shift_and_add(ran) -> None:
    # The band's zeros would meet an infinity (0 * inf = NaN where the definition never
    # multiplies), and sums beyond a quarter of the largest float are BLAS's to fuse:
    # both go to the shift-and-add, which gives the definition's numbers.
    rng = np.random.default_rng(10)
    x_shape, w_shape, pad, stride, dilation, out_shape = _PLAN_PROBLEMS["banded"][0]
    f64 = np.dtype(np.float64)
    for case in ("inf sample", "inf tap", "huge"):
        ran.clear()
        x, w = _ints(rng, x_shape, np.float64), _ints(rng, w_shape, np.float64)
        w[w == 0] = 1  # no zero tap: a NaN in the result can only be the band's
        if case == "inf sample":
            x[0, 4, 5] = np.inf
        elif case == "inf tap":
            w[0, 0, 1, 2] = -np.inf
        else:
            x[0, 4, 5] = 1e307  # 4 * 1e307 * 12 taps > 1.8e308 / 4
        got = planner.run_direct(x, w, pad, stride, dilation, out_shape, f64, "banded")
        expected = _definition(x, w, pad, stride, dilation, out_shape)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
        assert [name for name, _ in ran] == ["direct.shift_add"], case


@pytest.mark.parametrize(
    ("rows", "plan_after"), [(400, "im2col.im2col"), (401, "direct.shift_add")]
)
def test_run_direct_redoes_a_non_finite_blocks2d_result_by_size(ran, rows, plan_after) -> None:
    # blocks2d gives None when its result is not finite (its tap matrices' zeros met a
    # NaN); then im2col up to IM2COL_LIMIT copied window elements, the shift-and-add
    # beyond: 5x5 taps, 400 x 400 outputs copy exactly 4,000,000; 401 x 400, 4,010,000.
    from convdoc.plans import im2col

    assert im2col.IM2COL_LIMIT == 4_000_000
    w = np.ones((1, 1, 5, 5))
    w[0, 0, 2, 1] = 2.0
    x = np.ones((1, rows + 4, 803))  # stride (1, 2): (803 - 5) // 2 + 1 = 400 columns
    x[0, 10, 20] = np.nan
    got = planner.run_direct(
        x, w, ((0, 0), (0, 0)), (1, 2), (1, 1), (rows, 400), np.dtype(np.float64), "blocks2d"
    )
    assert [name for name, _ in ran] == ["blocks.blocks2d", plan_after]
    # The definition by hand: 26 everywhere, NaN only in the windows holding x[10, 20]:
    # rows 6..10, columns c with 2c <= 20 <= 2c + 4, c = 8..10.
    expected = np.full((rows, 400), 26.0)
    expected[6:11, 8:11] = np.nan
    np.testing.assert_array_equal(got[0], expected)


# ------------------------------------------------------------------ best_direct


def test_best_direct_runs_a_plain_1d_problem_as_numpy_correlate() -> None:
    # numpy.correlate: 5 us, then 0.21 ns per multiply-add. 1000 samples, 11 taps:
    # valid (990 outputs) 5e-6 + 2.1e-10 * 990 * 11 = 7.2869e-6 s; full (pads of 10,
    # 1010 outputs) 5e-6 + 2.1e-10 * 1010 * 11 = 7.3331e-6 s.
    x, w = np.ones((1, 1000)), np.ones((1, 1, 11))
    plan, seconds = planner.best_direct(x, w, ((0, 0),), (1,), (1,), (990,))
    assert plan == "numpy" and seconds == pytest.approx(7.2869e-6, rel=1e-12)
    plan, seconds = planner.best_direct(x, w, ((10, 10),), (1,), (1,), (1010,))
    assert plan == "numpy" and seconds == pytest.approx(7.3331e-6, rel=1e-12)


def test_best_direct_runs_a_tiny_strided_1d_problem_as_one_numpy_call() -> None:
    # Stride 4, 10 taps, 1000 outputs: every output (4000) then every 4th, 40,000
    # multiply-adds: tiny. 5 us + 4000 * 0.3 ns * 10 = 17 us.
    w = np.ones((1, 1, 10))
    plan, seconds = planner.best_direct(np.ones((1, 4006)), w, ((0, 0),), (4,), (1,), (1000,))
    assert plan == "numpy_subsample" and seconds == pytest.approx(1.7e-5, rel=1e-12)
    # 1001 outputs (40,040): priced with the rest; the strided einsum wins at
    # 8 us + 1001 * (3 ns + 0.37 ns * 10) = 14.7067 us.
    plan, seconds = planner.best_direct(np.ones((1, 4010)), w, ((0, 0),), (4,), (1,), (1001,))
    assert plan == "einsum" and seconds == pytest.approx(1.47067e-5, rel=1e-12)
    # Dilated (46 outputs of 5 taps at dilation 2): numpy.correlate cannot; the einsum,
    # 8 us + 46 * (3 ns + 0.37 ns * 5) = 8.2231 us.
    plan, seconds = planner.best_direct(np.ones((1, 100)), np.ones((1, 1, 5)), ((0, 0),), (2,),
                                        (2,), (46,))
    assert plan == "einsum" and seconds == pytest.approx(8.2231e-6, rel=1e-12)
    # Two input channels: not one numpy.correlate either.
    plan, _ = planner.best_direct(np.ones((2, 100)), np.ones((1, 2, 5)), ((0, 0),), (2,), (1,),
                                  (48,))
    assert plan != "numpy_subsample"


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "seconds"),
    [
        (np.float64, np.float64, 28.3664e-6),
        (np.float32, np.float32, 20.6832e-6),
        (np.float64, np.float32, 28.3664e-6),  # the result's dtype: float64
        (np.float32, np.float64, 28.3664e-6),
    ],
)
def test_best_direct_prices_the_shift_and_add_by_its_taps(x_dtype, w_dtype, seconds) -> None:
    # A 3x3 kernel of taps 2 and 1 (the rest zeros) on 100x100: 98 * 98 = 9604 outputs,
    # 2 * 2 - 1 - 1 = 2 passes; 10 us + 2 * (9604 * 0.4 ns * itemsize / 4 + 1.5 us).
    # float64: 10 + 2 * (7.6832 + 1.5) = 28.3664 us; float32: 10 + 2 * (3.8416 + 1.5).
    h = np.zeros((3, 3), dtype=w_dtype)
    h[1, 1], h[0, 0] = 1, 2
    x = np.ones((1, 100, 100), dtype=x_dtype)
    plan, got = planner.best_direct(x, h[None, None], ((0, 0), (0, 0)), (1, 1), (1, 1), (98, 98))
    assert plan == "shift_add" and got == pytest.approx(seconds, rel=1e-12)


def test_kernels_up_to_64_taps_are_priced_by_their_taps() -> None:
    # One tap of 1: no pass at all beyond the first, 10 us, for 8x8 = 64 taps; an 8x9
    # kernel (72) or a 5x13 (65) is priced as 2 * taps - 1 passes and loses to another plan.
    x = np.ones((1, 100, 100))
    h = np.zeros((8, 8))
    h[2, 3] = 1
    plan, seconds = planner.best_direct(x, h[None, None], ((0, 0), (0, 0)), (1, 1), (1, 1),
                                        (93, 93))
    assert plan == "shift_add" and seconds == pytest.approx(1e-5, rel=1e-12)
    for shape in [(8, 9), (5, 13)]:  # 72 and 65 taps
        h = np.zeros(shape)
        h[2, 3] = 1
        out = (101 - shape[0], 101 - shape[1])
        plan, _ = planner.best_direct(x, h[None, None], ((0, 0), (0, 0)), (1, 1), (1, 1), out)
        assert plan != "shift_add", shape


# ------------------------------------------------------------------ choose


def test_choose_takes_the_direct_sum_below_the_ffts_set_up() -> None:
    # 20,000 samples against 2001 taps: SciPy (the oracle for a plain 1-D problem) picks
    # the FFT. A direct sum priced below the FFT's 60 us set-up is taken unasked; at
    # exactly 60 us the question goes on, to SciPy.
    from scipy import signal

    from convdoc.plans import fft

    x, w = np.ones((1, 20_000)), np.ones((1, 1, 2001))
    assert signal.choose_conv_method(x[0], w[0, 0], "valid") == "fft"
    args = (x, w, ((0, 0),), (1,), (1,), (18_000,))
    assert planner.choose(*args, 59e-6) == "direct"
    assert planner.choose(*args, fft.SEC_OVERHEAD_FFT) == "fft"


def test_choose_asks_scipy_about_a_plain_1d_problem(monkeypatch) -> None:
    # SciPy's answer, whatever the direct sum is priced (1 s here): 1000 samples against
    # 6 taps, SciPy says direct (the FFT is priced 83 us, far below 1 s). Kernels of at
    # most 5 taps are never asked about (SciPy never picks the FFT for them).
    from scipy import signal

    asked = []
    real = signal.choose_conv_method
    monkeypatch.setattr(signal, "choose_conv_method",
                        lambda a, b, mode: asked.append(b.size) or real(a, b, mode))
    x = np.ones((1, 1000))
    for k in (5, 6):
        w = np.ones((1, 1, k))
        assert planner.choose(x, w, ((0, 0),), (1,), (1,), (1001 - k,), 1.0) == "direct"
    assert asked == [6]
    assert real(x[0], np.ones(6), "valid") == "direct"


@pytest.fixture
def transform_prices(monkeypatch):
    """Fixed prices for choose's transforms (the direct sum is priced by the caller)."""
    from convdoc.plans import fft

    table = {"fft": 0.5, "separable": 0.1}
    asked: dict[str, list] = {"fft": [], "separable": []}

    def fft_cost(*args):
        asked["fft"].append(args)
        return table["fft"]

    def separable_cost(*args):
        asked["separable"].append(args)
        return table["separable"]

    monkeypatch.setattr(fft, "cost", fft_cost)
    monkeypatch.setattr(separable, "cost", separable_cost)
    monkeypatch.setattr(planner, "_last_rank_one", (None, b"", None, False))
    return table, asked


def _filter_2d(k=(5, 5), c_out=1, dtype=np.float64, rank_one=True):
    rng = np.random.default_rng(21)
    x = rng.standard_normal((1, 64, 64)).astype(dtype)
    if rank_one:
        taps = np.outer(np.arange(1.0, k[0] + 1), np.arange(2.0, k[1] + 2))
    else:
        taps = rng.standard_normal(k)
    w = np.stack([taps] * c_out)[:, None].astype(dtype)
    return x, w


def _choose_2d(x, w, stride=(1, 1), dilation=(1, 1), direct_s=1.0):
    planner.forget_prices()  # the prices of the table, not those kept from the last call
    pad = ((2, 2), (2, 2))
    out = tuple((64 + 4 - d * (k - 1) - 1) // s + 1
                for k, s, d in zip(w.shape[2:], stride, dilation, strict=True))
    return planner.choose(x, w, pad, stride, dilation, out, direct_s)


def test_choose_runs_the_cheapest_exact_transform(transform_prices) -> None:
    table, asked = transform_prices
    x, w = _filter_2d()
    assert _choose_2d(x, w) == "separable"  # 0.1 < 0.5 (FFT) < 1 (direct)
    # Each priced once, with the problem as given.
    assert asked["fft"] == [((1, 64, 64), (1, 1, 5, 5), (1, 1), (1, 1), (64, 64))]
    assert asked["separable"] == [((1, 64, 64), (5, 5), ((2, 2), (2, 2)), np.dtype(np.float64))]
    table.update(fft=0.1, separable=0.5)
    assert _choose_2d(x, w) == "fft"
    table.update(fft=2.0, separable=3.0)
    assert _choose_2d(x, w) == "direct"
    table.update(fft=1.0, separable=1.0)
    assert _choose_2d(x, w) == "direct"  # a tie keeps the direct sum
    table.update(fft=0.5, separable=0.1)
    # float32: separable too, priced in float32.
    x32, w32 = _filter_2d(dtype=np.float32)
    asked["separable"].clear()
    assert _choose_2d(x32, w32) == "separable"
    assert asked["separable"][0][3] == np.dtype(np.float32)


@pytest.mark.parametrize(
    ("case", "kwargs", "shape"),
    [
        ("kernel of rank 5", {"rank_one": False}, {}),
        ("one row of taps", {"k": (1, 5)}, {}),
        ("one column of taps", {"k": (5, 1)}, {}),
        ("two output channels", {"c_out": 2}, {}),
        ("integers", {"dtype": np.int64}, {}),
        ("stride (2, 1)", {}, {"stride": (2, 1)}),
        ("stride (1, 2)", {}, {"stride": (1, 2)}),
        ("dilation (2, 1)", {}, {"dilation": (2, 1)}),
        ("dilation (1, 2)", {}, {"dilation": (1, 2)}),
    ],
)
def test_choose_keeps_the_separable_passes_to_single_rank_one_filters(
    transform_prices, case, kwargs, shape
) -> None:
    # Separable passes priced cheapest (0.1), the FFT next (0.5): each of these is not a
    # single-channel float filter of a rank-one kernel of at least 2x2 taps, stride and
    # dilation 1, so the FFT runs.
    _, asked = transform_prices
    x, w = _filter_2d(**kwargs)
    if kwargs.get("dtype") == np.int64:
        x = np.rint(x * 10).astype(np.int64)
    assert _choose_2d(x, w, **shape) == "fft", case
    if case != "kernel of rank 5":
        assert asked["separable"] == [], case


def test_choose_runs_no_transform_next_to_a_nan_or_overflow(transform_prices) -> None:
    table, _ = transform_prices
    x, w = _filter_2d()
    x[0, 30, 30] = np.nan
    assert _choose_2d(x, w) == "direct"  # neither the passes nor the FFT
    table.update(fft=0.1, separable=0.5)
    assert _choose_2d(x, w) == "direct"
    x, w = _filter_2d()
    w[0, 0, 2, 2] = np.inf
    assert _choose_2d(x, w) == "direct"
    # Samples of 1e307 against taps up to 30: sums beyond a quarter of the largest
    # float64, which BLAS's fused passes could keep finite; the FFT (float, not looked
    # at for exactness) runs.
    table.update(fft=0.5, separable=0.1)
    x, w = _filter_2d()
    x[0, 10, 10] = 1e307
    assert _choose_2d(x, w) == "fft"
    # Integers whose sums the FFT cannot round back exactly: the next cheapest.
    big = np.full((1, 64, 64), 2**45, dtype=np.int64)
    w_int = np.full((1, 1, 5, 5), 2**10, dtype=np.int64)
    table.update(fft=0.1)
    assert _choose_2d(big, w_int) == "direct"


def test_choose_asks_scipy_in_the_problems_own_mode() -> None:
    # 3000 samples against 3000 taps: SciPy picks the direct sum for the one valid
    # output and the FFT for the full 5999 (asked here, the oracle).
    from scipy import signal

    x, w = np.ones((1, 3000)), np.ones((1, 1, 3000))
    assert signal.choose_conv_method(x[0], w[0, 0], "valid") == "direct"
    assert signal.choose_conv_method(x[0], w[0, 0], "full") == "fft"
    assert planner.choose(x, w, ((0, 0),), (1,), (1,), (1,), 1.0) == "direct"
    assert planner.choose(x, w, ((2999, 2999),), (1,), (1,), (5999,), 1.0) == "fft"


def test_choose_prices_the_passes_for_2xn_kernels_and_the_result_dtype(transform_prices) -> None:
    _, asked = transform_prices
    x, w = _filter_2d(k=(2, 5))
    assert _choose_2d(x, w) == "separable"  # 2 rows of taps are enough
    # Integer samples next to float64 taps: a float64 result, separable.
    x, w = _filter_2d()
    asked["separable"].clear()
    assert _choose_2d(np.rint(x * 10).astype(np.int64), w) == "separable"
    assert asked["separable"][0][3] == np.dtype(np.float64)


# ------------------------------------------------------------------ the kept prices


def test_each_kept_price_belongs_to_its_own_problem() -> None:
    # Priced in turn without emptying the table, two problems that differ only in one
    # parameter each get the price the cost function gives them (the oracle: the cost
    # functions called directly), and the first is still its own when asked again.
    from convdoc.plans import direct, fft

    f64, f32 = np.dtype(np.float64), np.dtype(np.float32)
    pad = ((2, 2), (2, 2))
    for args in [((1, 64, 64), (5, 5), pad, f64), ((1, 64, 60), (5, 5), pad, f64),
                 ((1, 64, 64), (5, 5), pad, f32), ((1, 64, 64), (5, 5), pad, f64)]:
        assert planner._separable_price(*args) == separable.cost(*args)
    for args in [((1, 64, 64), (1, 1, 5, 5), (1, 1), (1, 1), (64, 64)),
                 ((1, 64, 64), (1, 1, 7, 7), (1, 1), (1, 1), (62, 62)),
                 ((1, 64, 64), (1, 1, 5, 5), (1, 1), (1, 1), (64, 64))]:
        assert planner._fft_price(*args) == fft.cost(*args)
    for args in [((1, 64, 64), (1, 1, 5, 5), pad, (1, 1), (1, 1), (64, 64), (f64, f64)),
                 ((1, 64, 64), (1, 1, 5, 5), pad, (2, 2), (1, 1), (32, 32), (f64, f64)),
                 ((1, 64, 64), (1, 1, 5, 5), pad, (1, 1), (1, 1), (64, 64), (f32, f32)),
                 ((1, 64, 64), (1, 1, 5, 5), pad, (1, 1), (1, 1), (64, 64), (f64, f64))]:
        assert planner._direct_prices(*args) == planner.direct_costs(*args)
    dense, sparse = np.ones((1, 1, 3, 3)), np.zeros((1, 1, 3, 3))
    sparse[0, 0, 1, 1] = 1
    # 33 x 33 = 1089 taps, beyond PRICED_TAPS (1024): priced at every call, by its taps
    # (1 and 2: two passes, whose price depends on the dtype).
    long = np.zeros((1, 1, 33, 33))
    long[0, 0, 5, 5], long[0, 0, 6, 6] = 1, 2
    for w, dtype in [(dense, f64), (sparse, f64), (dense, f32), (dense, f64), (long, f32)]:
        assert planner._shift_add_price(w, (98, 98), dtype) == direct.shift_add_cost(
            w.shape, (98, 98), w[0, 0], dtype)


def test_scipy_is_asked_about_integers_in_the_problems_own_mode() -> None:
    # As for floats above: 3000 integer samples against 3000 taps, SciPy's direct sum
    # for the one valid output, the FFT for the full 5999 (small values: exact).
    from scipy import signal

    x, w = np.ones((1, 3000), dtype=np.int64), np.ones((1, 1, 3000), dtype=np.int64)
    assert signal.choose_conv_method(x[0], w[0, 0], "valid") == "direct"
    assert signal.choose_conv_method(x[0], w[0, 0], "full") == "fft"
    assert planner.choose(x, w, ((0, 0),), (1,), (1,), (1,), 1.0) == "direct"
    assert planner.choose(x, w, ((2999, 2999),), (1,), (1,), (5999,), 1.0) == "fft"


# ------------------------------------------------------------------ numpy_plain_1d


def test_numpy_plain_1d_counts_the_outputs_of_a_full_call() -> None:
    # 3000 samples against 3000 taps (more than the 1-D stencil's 32: its gate says
    # no). Valid: one output, 5 us + 0.21 ns * 3000 = 5.63 us, below the FFT's 60 us
    # set-up: numpy.correlate, unasked. Full (pads of 2999): 5999 outputs, 5 us + 0.21 ns
    # * 5999 * 3000 = 3.78 ms, so SciPy is asked and picks the FFT (the oracle, asked here).
    x, w = np.ones((1, 3000)), np.ones((1, 1, 3000))
    assert signal.choose_conv_method(x[0], w[0, 0], "full") == "fft"
    assert planner.numpy_plain_1d(x, w, ((0, 0),), "auto")
    assert not planner.numpy_plain_1d(x, w, ((2999, 2999),), "auto")
    assert planner.numpy_plain_1d(x, w, ((2999, 2999),), "direct")  # no FFT asked for


def test_numpy_plain_1d_asks_the_stencil_gate_with_the_ffts_price_under_auto(prices) -> None:
    # 10,000 samples, 11 taps, valid: 9990 outputs, 5 us + 0.21 ns * 9990 * 11 = 28.08 us,
    # below the FFT's set-up, so choose takes the direct sum; then the 1-D stencil's gate
    # (prices of the fixture: the stencil 0.1 s, NumPy's loop 0.2 s) decides. Under "auto"
    # the FFT is the gate's alternative too: priced 0.05 s, it keeps the stencil off and
    # numpy.correlate runs; priced 1 s, the stencil runs (not numpy.correlate).
    stencil.load()
    table, asked = prices
    x, w = np.ones((1, 10_000)), np.ones((1, 1, 11))
    table["fft"] = 0.05
    assert planner.numpy_plain_1d(x, w, ((0, 0),), "auto")
    assert asked["fft"] == [((1, 10_000), (1, 1, 11), (1,), (1,), (9990,))]
    table["fft"] = 1.0
    assert not planner.numpy_plain_1d(x, w, ((0, 0),), "auto")
    # Under "direct" the FFT is no alternative: the stencil, whatever the FFT's price.
    table["fft"] = 0.05
    assert not planner.numpy_plain_1d(x, w, ((0, 0),), "direct")


def test_the_table_of_prices_starts_afresh_when_full(monkeypatch) -> None:
    # PRICES_KEPT problems are kept; the next one empties the table first, so the table
    # never holds more (asked of _priced directly: a call of the engine adds several
    # keys, and a table one too full mid-call can be emptied again before it returns).
    monkeypatch.setattr(planner, "PRICES_KEPT", 3)
    for key in ("a", "b", "c"):
        assert planner._priced((key,), lambda key=key: key.upper()) == key.upper()
    assert sorted(planner._PRICES) == [("a",), ("b",), ("c",)]
    assert planner._priced(("a",), lambda: "new") == "A"  # kept: not priced again
    assert planner._priced(("d",), lambda: "D") == "D"
    assert planner._PRICES == {("d",): "D"}


def test_choose_answers_direct_for_integers_next_to_an_infinite_tap() -> None:
    # Integer samples, float taps: SciPy would be asked about the integers' magnitudes,
    # and raises for an infinite tap (asked here). choose answers "direct" before asking,
    # the name numpy_plain_1d compares with (3000 x 3000 full: priced above 60 us).
    x, w = np.ones((1, 3000), dtype=np.int64), np.ones((1, 1, 3000))
    w[0, 0, 7] = np.inf
    with pytest.raises(OverflowError):
        signal.choose_conv_method(x[0], w[0, 0], "full")
    assert planner.choose(x, w, ((2999, 2999),), (1,), (1,), (5999,), 1.0) == "direct"
    assert planner.numpy_plain_1d(x, w, ((2999, 2999),), "auto")


def test_choose_answers_direct_for_integers_the_fft_cannot_round_back() -> None:
    # 20,000 samples of 1e5 against 800 taps of 1e7 (int64), full: SciPy picks the FFT
    # (its bound, 1e5 * 1e7 * 800 = 8e14, is below 2**52; asked here). Percival's bound
    # is not: norms 1e5 * sqrt(20,000) and 1e7 * sqrt(800), product 4e15, times eps
    # 2.22e-16 = 0.888, times 10 * log2(22,397) + 10 = 154.5: about 137, beyond 1/4.
    x = np.full((1, 20_000), 10**5, dtype=np.int64)
    w = np.full((1, 1, 800), 10**7, dtype=np.int64)
    assert signal.choose_conv_method(x[0], w[0, 0], "full") == "fft"
    assert planner.choose(x, w, ((799, 799),), (1,), (1,), (20_799,), 1.0) == "direct"


# ------------------------------------------------------------------ grouped_stencil


def test_the_depthwise_stencil_takes_kernel_sides_up_to_max_taps_side() -> None:
    # MAX_TAPS_SIDE (9) taps a side are compiled; a kernel 10 taps tall or wide is
    # left to the grouped plan (None). Where taken, each channel is SciPy's correlate2d
    # of the zero-padded channel.
    stencil.load()
    side = stencil.MAX_TAPS_SIDE
    rng = np.random.default_rng(31)
    x = rng.standard_normal((3, 20, 21))
    pad = ((4, 4), (4, 4))
    w = rng.standard_normal((3, 1, side, side))
    got = planner.grouped_stencil(x, w, 3, pad, "constant", (1, 1), (1, 1))
    assert got is not None
    for c in range(3):
        expected = signal.correlate2d(np.pad(x[c], pad), w[c, 0], "valid")
        np.testing.assert_allclose(got[c], expected, rtol=1e-12, atol=1e-12)
    for shape in [(side + 1, 3), (3, side + 1)]:
        w = rng.standard_normal((3, 1, *shape))
        assert planner.grouped_stencil(x, w, 3, pad, "constant", (1, 1), (1, 1)) is None, shape


def test_the_depthwise_stencil_takes_one_output_and_refuses_none() -> None:
    # 3x3 channels, 5x5 kernels: pads (2, 0) on the rows and (0, 2) on the columns make
    # 5x5, one output, taken (checked against SciPy on the padded channel); pads (1, 0)
    # make 4x4 and no pad 3x3: no output, left to the grouped plan (None).
    stencil.load()
    rng = np.random.default_rng(32)
    x = rng.standard_normal((2, 3, 3))
    w = rng.standard_normal((2, 1, 5, 5))
    for pad in [((2, 0), (0, 2)), ((0, 2), (2, 0))]:
        got = planner.grouped_stencil(x, w, 2, pad, "constant", (1, 1), (1, 1))
        assert got is not None and got.shape == (2, 1, 1), pad
        for c in range(2):
            expected = signal.correlate2d(np.pad(x[c], pad), w[c, 0], "valid")
            np.testing.assert_allclose(got[c], expected, rtol=1e-12, atol=1e-12)
    for pad in [((1, 0), (1, 0)), ((0, 0), (0, 0))]:
        assert planner.grouped_stencil(x, w, 2, pad, "constant", (1, 1), (1, 1)) is None, pad


@pytest.mark.parametrize(("x_dtype", "w_dtype"), [(np.float32, np.float64), (np.int64, np.float32)])
def test_the_depthwise_stencil_computes_in_the_result_dtype(x_dtype, w_dtype) -> None:
    # The result dtype joins both operands: float64 for float32 samples next to float64
    # taps and for integers next to float32 taps; float32 arithmetic would be off by
    # about 1e-7 of the sums (SciPy in float64 is the oracle).
    stencil.load()
    rng = np.random.default_rng(33)
    x = rng.integers(-50, 50, (2, 12, 12)).astype(x_dtype)
    w = (rng.standard_normal((2, 1, 3, 3)) / 3).astype(w_dtype)
    pad = ((1, 1), (1, 1))
    got = planner.grouped_stencil(x, w, 2, pad, "constant", (1, 1), (1, 1))
    assert got is not None and got.dtype == np.float64
    for c in range(2):
        expected = signal.correlate2d(np.pad(x[c].astype(np.float64), pad),
                                      w[c, 0].astype(np.float64), "valid")
        np.testing.assert_allclose(got[c], expected, rtol=1e-13, atol=1e-12)


# ------------------------------------------------------------------ stencil_plan


@pytest.fixture
def plan_prices(monkeypatch):
    """Fixed prices for the 2-D gate (the cost functions it asks, recorded).

    The dense stencil 0.1 s, its two passes 0.05 s, every direct plan, the FFT and the
    separable passes 1 s: the stencil is the cheapest unless a test changes the table.
    """
    from convdoc.plans import direct, fft

    table = {"dense": 0.1, "two_pass": 0.05, "direct": 1.0, "shift_add": 1.0, "fft": 1.0,
             "separable": 1.0}
    asked: dict[str, list] = {"direct": [], "shift_add": [], "fft": [], "separable": []}

    def stencil_cost(out_shape, k, dtype, *, separable=False):
        return table["two_pass" if separable else "dense"]

    def recorded(name, value=None):
        def cost(*args):
            asked[name].append(args)
            return value(*args) if value else table[name]
        return cost

    monkeypatch.setattr(stencil, "cost", stencil_cost)
    monkeypatch.setattr(planner, "direct_costs", recorded("direct", lambda *a: {
        "im2col": table["direct"]}))
    monkeypatch.setattr(direct, "shift_add_cost", recorded("shift_add"))
    monkeypatch.setattr(fft, "cost", recorded("fft"))
    monkeypatch.setattr(separable, "cost", recorded("separable"))
    # Every call asks afresh: these tests change the table between calls of one shape.
    monkeypatch.setattr(planner, "_priced", lambda key, price: price())
    monkeypatch.setattr(planner, "_last_rank_one", (None, b"", None, False))
    return table, asked


def plan_2d(k, hw=(100, 100), pad=((0, 0), (0, 0)), boundary="constant", fill=0,
            method="auto", rank_one=True, x_dtype=np.float64, w_dtype=np.float64):
    x = np.ones((1, *hw), dtype=x_dtype)
    if rank_one:
        taps = np.outer(np.arange(1.0, k[0] + 1), np.arange(2.0, k[1] + 2))
    else:
        taps = np.random.default_rng(34).standard_normal(k)
    w = taps.astype(w_dtype)[None, None]
    return planner.stencil_plan(x, w, pad, boundary, fill, (1, 1), (1, 1), method)


def test_the_2d_gate_takes_kernels_of_two_taps_up_to_max_two_pass_side(plan_prices) -> None:
    # One tap is no filter worth compiling (None); two taps either way are (True:
    # dense, one side of 1 is never looked at for rank one), and so is a 3x1 column.
    # Rank-one kernels up to MAX_TWO_PASS_SIDE (63) a side run as two passes (their
    # factors returned: dense beyond 9 a side is not compiled); 64 either way: None.
    stencil.load()
    side = stencil.MAX_TWO_PASS_SIDE
    assert plan_2d((1, 1)) is None
    for k in [(1, 2), (2, 1), (3, 1)]:
        assert plan_2d(k) is True, k
    for k in [(side, 3), (3, side)]:
        factors = plan_2d(k)
        assert isinstance(factors, tuple), k
        taps = np.outer(np.arange(1.0, k[0] + 1), np.arange(2.0, k[1] + 2))
        np.testing.assert_allclose(np.outer(*factors), taps, rtol=1e-12)
    for k in [(side + 1, 3), (3, side + 1)]:
        assert plan_2d(k) is None, k


def test_the_2d_alternative_is_priced_on_the_extended_grid(plan_prices) -> None:
    # 100x90 samples, pads (1, 3) and (2, 0), a 3x3 kernel of rank 3 (the dense stencil):
    # the extended grid is 104x92, 102x90 outputs. Zero padding stays implicit (priced
    # with the pads as given, on the samples' shape); a boundary rule or a non-zero fill
    # is priced on the extended grid with no pad, plus 1.5 ns per cell of it:
    # 104 * 92 * 1.5 ns = 14.352 us.
    stencil.load()
    table, asked = plan_prices
    f64 = np.dtype(np.float64)
    pad = ((1, 3), (2, 0))
    table["dense"] = 1.0 + 14e-6  # beats 1 s plus the extension, not 1 s alone
    assert plan_2d((3, 3), hw=(100, 90), pad=pad, rank_one=False) is None
    assert asked["direct"] == [((1, 100, 90), (1, 1, 3, 3), pad, (1, 1), (1, 1), (102, 90),
                                (f64, f64))]
    assert asked["fft"] == [((1, 100, 90), (1, 1, 3, 3), (1, 1), (1, 1), (102, 90))]
    # The dense stencil loses to the direct plans' 1 s already, and the taps' own
    # shift-add price could only lower that: it is not asked.
    assert asked["shift_add"] == []
    for boundary, fill in [("symmetric", 0), ("constant", 1.0)]:
        for calls in asked.values():
            calls.clear()
        assert plan_2d((3, 3), hw=(100, 90), pad=pad, boundary=boundary, fill=fill,
                       rank_one=False) is True, boundary
        zero = ((0, 0), (0, 0))
        # Asked twice (whether the stencil loses whatever its taps, then with them), each
        # time of the extended grid; outside this fixture the second answer is the kept one.
        assert set(asked["direct"]) == {((1, 104, 92), (1, 1, 3, 3), zero, (1, 1), (1, 1),
                                         (102, 90), (f64, f64))}
        assert set(asked["fft"]) == {((1, 104, 92), (1, 1, 3, 3), (1, 1), (1, 1), (102, 90))}
    table["dense"] = 1.0 + 15e-6  # beyond 1 s plus 14.352 us
    assert plan_2d((3, 3), hw=(100, 90), pad=pad, boundary="symmetric", rank_one=False) is None
    # A 3x5 kernel on the same 104x92: 102x88 outputs.
    for calls in asked.values():
        calls.clear()
    plan_2d((3, 5), hw=(100, 90), pad=pad, rank_one=False)
    assert asked["fft"] == [((1, 100, 90), (1, 1, 3, 5), (1, 1), (1, 1), (102, 88))]


def test_the_2d_gate_takes_one_output_and_refuses_none(plan_prices) -> None:
    # 5x7 samples, a 5x7 kernel (within 9 taps a side: the dense stencil is priced): one
    # output, taken; 4x7 or 5x6 samples give none: None.
    stencil.load()
    assert plan_2d((5, 7), hw=(5, 7), rank_one=False) is True
    assert plan_2d((5, 7), hw=(4, 7), rank_one=False) is None
    assert plan_2d((5, 7), hw=(5, 6), rank_one=False) is None


def test_the_dense_stencil_is_priced_up_to_max_taps_side(plan_prices) -> None:
    # Kernels not of rank one: dense up to MAX_TAPS_SIDE (9) a side (True), beyond it
    # nothing compiled applies (None), however cheap the stencil is priced.
    stencil.load()
    side = stencil.MAX_TAPS_SIDE
    for k in [(side, side), (side, 2), (2, side)]:
        assert plan_2d(k, rank_one=False) is True, k
    for k in [(side + 1, 3), (3, side + 1)]:
        assert plan_2d(k, rank_one=False) is None, k


def test_rank_one_is_looked_for_from_two_taps_a_side_under_auto(plan_prices) -> None:
    # Two passes priced below the dense stencil: a rank-one 2x5 runs as two passes (its
    # factors), a 1x5 row as the dense stencil (one side of 1 is never looked at); under
    # "direct" the dense one too.
    stencil.load()
    factors = plan_2d((2, 5))
    assert isinstance(factors, tuple)
    np.testing.assert_allclose(np.outer(*factors), np.outer([1.0, 2.0], np.arange(2.0, 7.0)),
                               rtol=1e-12)
    assert plan_2d((1, 5)) is True
    assert plan_2d((5, 1)) is True
    assert plan_2d((2, 5), method="direct") is True


def test_the_two_passes_are_priced_for_rank_one_kernels_only_when_cheaper(plan_prices) -> None:
    # A rank-one 5x5: with its two passes priced below the dense stencil (0.05 s against
    # 0.1 s) it runs as two passes; at the same price it runs dense (rank one not looked
    # for). With the dense stencil priced 2 s, beyond the 1 s of the alternatives, the two
    # passes (0.05 s) still win for the rank-one kernel, and nothing does for a random one.
    stencil.load()
    table, _ = plan_prices
    assert isinstance(plan_2d((5, 5)), tuple)
    table["two_pass"] = table["dense"]
    assert plan_2d((5, 5)) is True
    table.update(dense=2.0, two_pass=0.05)
    assert isinstance(plan_2d((5, 5)), tuple)
    assert plan_2d((5, 5), rank_one=False) is None


def test_a_losing_dense_stencil_asks_rank_one_only_of_kernels_the_corners_leave_open(
    plan_prices, monkeypatch
) -> None:
    # The dense stencil at 2 s loses to the alternatives' 1 s; only the two passes (0.05 s)
    # can win, and only for a kernel of rank one. A random 5x5, whose corners' minor
    # disproves rank one, is declined without separable.rank_one or the taps' shift-add
    # price; a rank-one 5x5 still runs as two passes; a random 5x5 with zero corners
    # (which prove nothing) is asked, and declined.
    stencil.load()
    table, asked = plan_prices
    table["dense"] = 2.0
    calls = []
    real = separable.rank_one
    monkeypatch.setattr(
        separable, "rank_one", lambda k, dtype: calls.append(k.shape) or real(k, dtype)
    )
    assert plan_2d((5, 5), rank_one=False) is None
    assert calls == [] and asked["shift_add"] == []
    assert isinstance(plan_2d((5, 5)), tuple)
    assert calls == [(5, 5)]
    x = np.ones((1, 100, 100))
    taps = np.random.default_rng(35).standard_normal((5, 5))
    taps[0, 0] = taps[0, -1] = taps[-1, 0] = taps[-1, -1] = 0.0
    w = taps[None, None]
    zero = ((0, 0), (0, 0))
    assert planner.stencil_plan(x, w, zero, "constant", 0, (1, 1), (1, 1), "auto") is None
    assert calls == [(5, 5), (5, 5)]
    # Both forms losing, at a price equal to the alternatives' (no gain): nothing about
    # the kernel is asked at all.
    table.update(dense=1.0, two_pass=1.0)
    asked["shift_add"].clear()
    assert plan_2d((5, 5)) is None
    assert calls == [(5, 5), (5, 5)] and asked["shift_add"] == []


def test_whether_the_stencil_loses_is_priced_once_per_problem_and_numba_state(monkeypatch) -> None:
    # The shape-only verdict is kept per (shapes, pads, boundary kind, dtype, method,
    # whether numba is loaded): asked again for a new shape, a boundary rule or after
    # numba is unloaded, never for the same problem twice.
    planner.forget_prices()
    seen = []
    real = planner._forms_lose
    monkeypatch.setattr(planner, "_forms_lose", lambda p: seen.append(p) or real(p))
    x = np.ones((1, 64, 64))
    w = np.random.default_rng(36).standard_normal((1, 1, 15, 15))
    pad = ((7, 7), (7, 7))

    def plan(boundary="constant", image=x):
        return planner.stencil_plan(image, w, pad, boundary, 0, (1, 1), (1, 1), "auto")

    try:
        stencil.load()
        plan()
        plan()
        assert len(seen) == 1
        plan(boundary="symmetric")
        plan(image=np.ones((1, 65, 64)))
        assert len(seen) == 3
        assert [a[3] for a in seen] == [False, True, False]
        stencil.unload()
        plan()
        assert len(seen) == 4
    finally:
        stencil.load()
        planner.forget_prices()


def test_the_2d_gate_leaves_its_rank_one_verdict_to_choose(monkeypatch) -> None:
    # Under "auto" choose asks the same weight, in the same result dtype, whether it is of
    # rank one: the gate's verdict is kept for it (separable.rank_one asked once in all).
    # In float32 (NumPy reads a dtype None as float64, which would hide a verdict kept
    # for no dtype).
    stencil.load()
    calls = []
    real = separable.rank_one
    monkeypatch.setattr(separable, "rank_one",
                        lambda k, dtype: calls.append(dtype) or real(k, dtype))
    f32 = np.dtype(np.float32)
    x = np.ones((1, 300, 300), dtype=f32)
    w = np.outer(np.arange(1.0, 8.0), np.arange(2.0, 9.0)).astype(f32)[None, None]
    planner.stencil_plan(x, w, ((3, 3), (3, 3)), "constant", 0, (1, 1), (1, 1), "auto")
    assert calls == [f32]
    assert planner._rank_one(w, f32)
    assert len(calls) == 1


def test_the_2d_gate_prices_the_shift_and_add_by_its_taps_in_the_result_dtype(plan_prices) -> None:
    # float32 samples and taps: the shift-and-add priced by its taps in float32 (half the
    # bytes of float64 per pass); float32 samples next to float64 taps: in float64.
    stencil.load()
    _, asked = plan_prices
    for x_dtype, w_dtype, result in [(np.float32, np.float32, np.float32),
                                     (np.float32, np.float64, np.float64)]:
        asked["shift_add"].clear()
        plan_2d((3, 3), rank_one=False, x_dtype=x_dtype, w_dtype=w_dtype)
        ((w_shape, out_shape, taps, dtype),) = asked["shift_add"]
        assert (w_shape, out_shape, dtype) == ((1, 1, 3, 3), (98, 98), np.dtype(result))
        assert taps.shape == (3, 3)
    # A rank-one 3x3 in float32: its separable passes priced in float32 too.
    asked["separable"].clear()
    plan_2d((3, 3), x_dtype=np.float32, w_dtype=np.float32)
    assert asked["separable"] == [((1, 100, 100), (3, 3), ((0, 0), (0, 0)), np.dtype(np.float32))]


def test_the_2d_stencil_is_taken_only_when_strictly_cheaper_and_counts_its_saving(
    plan_prices, monkeypatch
) -> None:
    # The alternatives at 1 s: the dense stencil at 1 s too is no gain (None). Before numba
    # is loaded, a stencil at 0.1 s counts its saving, 1 - 0.1 = 0.9 s, toward loading it
    # (and is not taken while that is not worth it).
    table, _ = plan_prices
    stencil.load()
    table["dense"] = 1.0
    assert plan_2d((3, 3), rank_one=False) is None
    table["dense"] = 0.1
    stencil.unload()
    saved = []
    monkeypatch.setattr(stencil, "worth_loading", lambda seconds: saved.append(seconds) or False)
    assert plan_2d((3, 3), rank_one=False) is None
    assert saved == [pytest.approx(0.9, rel=1e-12)]


# ------------------------------------------------------------------ direct_costs


def test_im2col_is_priced_up_to_its_limit_of_copied_window_elements() -> None:
    # 4 input channels, 5x5 taps: 200x200 outputs copy 40,000 * 25 * 4 = 4,000,000 window
    # elements, exactly IM2COL_LIMIT (priced); 201x200 copy 4,020,000 (not priced).
    from convdoc.plans import im2col

    assert im2col.IM2COL_LIMIT == 4_000_000
    f64 = np.dtype(np.float64)
    zero = ((0, 0), (0, 0))
    at = planner.direct_costs((4, 204, 204), (8, 4, 5, 5), zero, (1, 1), (1, 1), (200, 200),
                              (f64, f64))
    beyond = planner.direct_costs((4, 205, 204), (8, 4, 5, 5), zero, (1, 1), (1, 1), (201, 200),
                                  (f64, f64))
    assert "im2col" in at and "im2col" not in beyond


def test_the_banded_plan_is_priced_per_kernel_row_for_single_channel_filters() -> None:
    # One banded column pass per kernel row (banded.cost, the oracle, called here): a 3x5
    # kernel on 50x60 samples padded (1, 2) on the rows: 53 rows, 56 output columns, three
    # passes. Only for stride and dilation 1 and float dtypes.
    from convdoc.plans import banded

    f64, i64 = np.dtype(np.float64), np.dtype(np.int64)
    pad = ((1, 2), (0, 0))
    costs = planner.direct_costs((1, 50, 60), (1, 1, 3, 5), pad, (1, 1), (1, 1), (51, 56),
                                 (f64, f64))
    assert costs["banded"] == 3 * banded.cost(53, 56, 5, f64)
    for stride, dilation, out in [((1, 2), (1, 1), (51, 28)), ((2, 1), (1, 1), (26, 56)),
                                  ((1, 1), (2, 1), (49, 56)), ((1, 1), (1, 2), (51, 52))]:
        costs = planner.direct_costs((1, 50, 60), (1, 1, 3, 5), pad, stride, dilation, out,
                                     (f64, f64))
        assert "banded" not in costs, (stride, dilation)
    costs = planner.direct_costs((1, 50, 60), (1, 1, 3, 5), pad, (1, 1), (1, 1), (51, 56),
                                 (i64, i64))
    assert "banded" not in costs


F32, F64, I64, C128 = (np.dtype(t) for t in (np.float32, np.float64, np.int64, np.complex128))


def _costs(x_shape, w_shape, pad, stride, dilation, out_shape, dtypes=(F64, F64)):
    return planner.direct_costs(x_shape, w_shape, pad, stride, dilation, out_shape, dtypes)


def test_the_layer_gemm_is_priced_on_the_padded_row_length_for_several_channels() -> None:
    # 3 -> 4 channels, 3x5 taps on 40x50 samples padded (1, 2) and (3, 4), stride (2, 3):
    # 21x18 outputs on rows of 50 + 3 + 4 = 57 samples (gemm.cost, the oracle, called here;
    # its product columns 21 * ceil(57 / 3) = 21 * 19 tell 57 from 49, 51 or 58).
    from convdoc.plans import gemm

    pad = ((1, 2), (3, 4))
    costs = _costs((3, 40, 50), (4, 3, 3, 5), pad, (2, 3), (1, 1), (21, 18))
    assert costs["gemm"] == gemm.cost((4, 3, 3, 5), (21, 18), (2, 3), 57, F64)
    assert costs["gemm"] != gemm.cost((4, 3, 3, 5), (21, 18), (2, 3), 58, F64)
    # Never for a single channel pair, a dilated layer or 1-D signals.
    assert "gemm" not in _costs((1, 40, 50), (1, 1, 3, 5), pad, (2, 3), (1, 1), (21, 18))
    assert "gemm" not in _costs((3, 40, 50), (4, 3, 3, 5), pad, (2, 3), (2, 1), (20, 18))
    assert "gemm" not in _costs((3, 100), (4, 3, 5), ((0, 0),), (1,), (1,), (96,))


def test_winograd_is_priced_once_numba_is_loaded_for_3x3_layers_of_float_operands(
    monkeypatch,
) -> None:
    # 4 -> 6 channels, 3x3 taps on 20x24 samples padded by one: 20x24 outputs, priced by
    # winograd.cost (the oracle, called here) in the result dtype of both operands.
    from convdoc.plans import winograd

    one = ((1, 1), (1, 1))
    w_shape = (6, 4, 3, 3)
    monkeypatch.setattr(stencil, "loaded", lambda: True)
    for dtypes, dtype in [((F32, F32), F32), ((F32, F64), F64), ((F64, F64), F64)]:
        costs = _costs((4, 20, 24), w_shape, one, (1, 1), (1, 1), (20, 24), dtypes)
        assert costs["winograd"] == winograd.cost(w_shape, (20, 24), dtype), dtypes
    assert winograd.cost(w_shape, (20, 24), F32) != winograd.cost(w_shape, (20, 24), F64)
    # Integer samples or taps (the sum is float64, but the transforms are not exact for
    # them), a 5x5 kernel, stride 2: not priced, though the layer GEMM is.
    for x_dtype, w_dtype in [(I64, F64), (F64, I64)]:
        costs = _costs((4, 20, 24), w_shape, one, (1, 1), (1, 1), (20, 24), (x_dtype, w_dtype))
        assert "gemm" in costs and "winograd" not in costs, (x_dtype, w_dtype)
    costs = _costs((4, 20, 24), (6, 4, 5, 5), ((2, 2), (2, 2)), (1, 1), (1, 1), (20, 24))
    assert "gemm" in costs and "winograd" not in costs
    costs = _costs((4, 20, 24), w_shape, one, (2, 2), (1, 1), (10, 12))
    assert "gemm" in costs and "winograd" not in costs
    # Before numba is loaded, never (its transforms are numba loops).
    monkeypatch.setattr(stencil, "loaded", lambda: False)
    assert "winograd" not in _costs((4, 20, 24), w_shape, one, (1, 1), (1, 1), (20, 24))


def test_the_window_einsum_and_numpy_correlate_are_priced_for_single_1d_signals() -> None:
    # 100 samples, 11 taps, valid: 90 outputs. The einsum 8 us + 90 * (3 ns + 0.37 ns * 11)
    # = 8.6363 us; numpy.correlate (a mode of it) 5 us + 90 * 0.3 ns * 11 = 5.297 us.
    valid = ((0, 0),)
    costs = _costs((1, 100), (1, 1, 11), valid, (1,), (1,), (90,))
    assert costs["einsum"] == pytest.approx(8.6363e-6, rel=1e-12)
    assert costs["numpy"] == pytest.approx(5.297e-6, rel=1e-12)
    assert "polyphase" not in costs and "numpy_subsample" not in costs
    # Padded (1, 0): no mode of numpy.correlate, so no numpy plan (the einsum still is).
    costs = _costs((1, 100), (1, 1, 11), ((1, 0),), (1,), (1,), (91,))
    assert "einsum" in costs
    assert not {"numpy", "polyphase", "numpy_subsample"} & set(costs)
    # Dilated: none of numpy.correlate's plans.
    costs = _costs((1, 100), (1, 1, 11), valid, (1,), (2,), (80,))
    assert not {"numpy", "polyphase", "numpy_subsample"} & set(costs)
    # Several channels, or a single-channel image: neither the einsum nor numpy's plans.
    for x_shape, w_shape, pad, stride, dilation, out in [
        ((2, 100), (3, 2, 11), valid, (1,), (1,), (90,)),
        ((1, 40, 50), (1, 1, 3, 5), ((0, 0), (0, 0)), (1, 1), (1, 1), (38, 46)),
        ((1, 40, 50), (1, 1, 3, 5), ((0, 0), (0, 0)), (2, 2), (1, 1), (19, 23)),
    ]:
        costs = _costs(x_shape, w_shape, pad, stride, dilation, out)
        assert not {"einsum", "numpy", "polyphase", "numpy_subsample"} & set(costs), x_shape


@pytest.mark.parametrize(
    ("stride", "outputs", "polyphase_s", "subsample_s"),
    [
        # 100 samples, 10 taps, valid. Stride 3: 31 outputs, phases of ceil(10 / 3) = 4
        # taps: 3 * (5 us + 31 * (1 ns + 0.3 ns * 4)) = 15.2046 us; every output, then one
        # in three: 5 us + 3 * 31 * 0.3 ns * 10 = 5.279 us.
        ((3,), 31, 1.52046e-5, 5.279e-6),
        # Stride 2: 46 outputs, phases of 5 taps: 2 * (5 us + 46 * 2.5 ns) = 10.23 us;
        # 5 us + 2 * 46 * 3 ns = 5.276 us.
        ((2,), 46, 1.023e-5, 5.276e-6),
    ],
)
def test_a_strided_1d_signal_is_priced_as_phases_and_as_every_output_subsampled(
    stride, outputs, polyphase_s, subsample_s
) -> None:
    for pad in [((0, 0),), ((1, 0),)]:  # the pads do not matter for strided plans
        costs = _costs((1, 100), (1, 1, 10), pad, stride, (1,), (outputs,))
        assert costs["polyphase"] == pytest.approx(polyphase_s, rel=1e-12), pad
        assert costs["numpy_subsample"] == pytest.approx(subsample_s, rel=1e-12), pad
        assert "numpy" not in costs


def test_the_2d_blocks_are_priced_for_single_float_images_strided_along_rows() -> None:
    # A 3x5 kernel on 40x50 samples padded (3, 4) on the columns, stride (1, 2): 38x27
    # outputs on rows of 57 samples (blocks.blocks2d_cost, the oracle, called here; it
    # grows with the row length, so 49, 51 or 58 give other prices).
    from convdoc.plans import blocks

    pad = ((0, 0), (3, 4))
    expected = blocks.blocks2d_cost((38, 27), (3, 5), (1, 2), 57)
    assert expected != blocks.blocks2d_cost((38, 27), (3, 5), (1, 2), 58)
    for dtypes in [(F64, F64), (F32, F32), (C128, F64)]:
        costs = _costs((1, 40, 50), (1, 1, 3, 5), pad, (1, 2), (1, 1), (38, 27), dtypes)
        assert costs["blocks2d"] == expected, dtypes
    # Not for integers, stride 1 along the rows, dilation, or several channels.
    for x_shape, w_shape, stride, dilation, out, dtypes in [
        ((1, 40, 50), (1, 1, 3, 5), (1, 2), (1, 1), (38, 27), (I64, I64)),
        ((1, 40, 50), (1, 1, 3, 5), (1, 1), (1, 1), (38, 53), (F64, F64)),
        ((1, 40, 50), (1, 1, 3, 5), (2, 1), (1, 1), (19, 53), (F64, F64)),
        ((1, 40, 50), (1, 1, 3, 5), (1, 2), (2, 1), (36, 27), (F64, F64)),
        ((1, 40, 50), (1, 1, 3, 5), (1, 2), (1, 2), (38, 25), (F64, F64)),
        ((2, 40, 50), (3, 2, 3, 5), (1, 2), (1, 1), (38, 27), (F64, F64)),
    ]:
        costs = _costs(x_shape, w_shape, pad, stride, dilation, out, dtypes)
        assert "blocks2d" not in costs, (x_shape, stride, dilation, dtypes)
