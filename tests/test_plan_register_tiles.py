"""The register-tile plan (convdoc.plans.register_tiles) against independent oracles.

Oracles: scipy.signal.correlate2d per channel pair on a numpy.pad-ed grid, in
float64, then subsampled by the stride; once, the plain loop of
convdoc.reference (with its own stride). Tolerance: every output is a sum of
``C_in*kh*kw`` fused multiply-adds in float32, whose rounding error is at most
about ``taps * eps * sum |w| |x|``; the tests allow ``(taps + 1) * eps`` times
that sum, which a wrong or missing tap (an error of order one times a tap)
exceeds by orders of magnitude.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

import convdoc
from convdoc.plans import planner, register_tiles, stencil
from convdoc.reference import reference_correlate

FAST = settings(max_examples=40, deadline=None)
F32 = np.dtype(np.float32)


@pytest.fixture(autouse=True)
def _loaded(compiled_stencil_unloaded) -> None:
    # The plan is priced once numba is loaded (tests/conftest.py unloads it first).
    stencil.load()


def scipy_layer(x, w, pad, stride):
    """The definition in float64: SciPy's correlation per channel pair, then the stride."""
    grid = np.pad(x.astype(np.float64), ((0, 0), *pad))
    s0, s1 = stride
    return np.stack([
        sum(signal.correlate2d(grid[c], w[o, c].astype(np.float64), "valid")
            for c in range(x.shape[0]))[::s0, ::s1]
        for o in range(w.shape[0])
    ])


def bound(x, w, pad, stride):
    """(taps + 1) * eps * sum |w| |x| per output."""
    taps = math.prod(w.shape[1:])
    scale = scipy_layer(np.abs(x), np.abs(w), pad, stride)
    return (taps + 1) * np.finfo(np.float32).eps * scale


def out_shape_of(x_shape, w_shape, pad, stride):
    return tuple(
        (n + b + a - k) // s + 1
        for n, (b, a), k, s in zip(x_shape[1:], pad, w_shape[2:], stride, strict=True)
    )


def check(x, w, pad, stride):
    out_shape = out_shape_of(x.shape, w.shape, pad, stride)
    got = register_tiles.correlate(x, w, pad, stride, out_shape, F32)
    assert got.dtype == np.float32 and got.shape == (w.shape[0], *out_shape)
    assert got.flags.c_contiguous
    exact = scipy_layer(x, w, pad, stride)
    assert np.all(np.abs(got - exact) <= bound(x, w, pad, stride))
    return got


@pytest.mark.parametrize(
    ("c_in", "c_out", "size", "k", "stride", "pad"),
    [
        (3, 64, (32, 40), (7, 7), (2, 2), ((3, 3), (3, 3))),  # the stem's shape, smaller
        (3, 5, (17, 23), (7, 5), (2, 3), ((2, 2), (1, 1))),  # 5 channels: a group of 1
        (1, 1, (9, 16), (1, 1), (1, 1), ((0, 0), (0, 0))),  # 16 columns: one 2-vector tile
        (4, 3, (12, 24), (3, 3), (1, 1), ((0, 0), (1, 1))),  # 24 columns: one 3-vector tile
        (2, 7, (30, 31), (11, 6), (3, 1), ((4, 4), (4, 4))),  # 34 columns: 24, 8, and 8 overlapping
        (2, 9, (5, 40), (3, 3), (1, 1), ((1, 1), (1, 1))),  # 40 columns: 24 and 16
        (2, 6, (40, 70), (2, 5), (4, 1), ((0, 0), (2, 2))),  # stride 4 rows
        (3, 2, (8, 15), (8, 8), (1, 1), ((0, 0), (0, 0))),  # a kernel as tall as the image
        (1, 4, (6, 40), (3, 3), (1, 4), ((2, 0), (0, 3))),  # uneven padding, 10 columns
    ],
)
def test_register_tiles_match_the_definition(c_in, c_out, size, k, stride, pad) -> None:
    rng = np.random.default_rng(c_in * 100 + c_out)
    x = rng.standard_normal((c_in, *size)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, *k)).astype(np.float32)
    check(x, w, pad, stride)


def test_the_plain_loop_reference_agrees() -> None:
    # The tutorial's loops, strided by themselves: an oracle that shares nothing with SciPy.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 11, 21)).astype(np.float32)
    w = rng.standard_normal((3, 2, 5, 3)).astype(np.float32)
    pad, stride = ((2, 1), (0, 2)), (2, 1)
    got = check(x, w, pad, stride)
    grid = np.pad(x.astype(np.float64), ((0, 0), *pad))
    loops = np.stack([
        sum(reference_correlate(grid[c], w[o, c].astype(np.float64), stride=stride)
            for c in range(2))
        for o in range(3)
    ])
    assert np.all(np.abs(got - loops) <= bound(x, w, pad, stride))


def test_a_wrong_tap_breaks_the_bound() -> None:
    # The bound can fail: a kernel off by a tenth of a tap is outside it.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 20, 30)).astype(np.float32)
    w = rng.standard_normal((5, 3, 7, 7)).astype(np.float32)
    pad, stride = ((3, 3), (3, 3)), (2, 2)
    got = check(x, w, pad, stride)
    nudged = w.copy()
    nudged[2, 1, 4, 5] *= 1.1
    wrong = scipy_layer(x, nudged, pad, stride)
    assert not np.all(np.abs(got - wrong) <= bound(x, w, pad, stride))


@FAST
@given(
    c_in=st.integers(1, 5),
    c_out=st.integers(1, 9),
    size=st.tuples(st.integers(1, 20), st.integers(1, 45)),
    k=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    pad=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
    seed=st.integers(0, 2**16),
)
def test_any_layer_matches_the_definition(c_in, c_out, size, k, stride, pad, seed) -> None:
    # Rows of 1 to about 50 outputs: every tile width, the overlapping last tile
    # and, below 8 columns, the scalar loop; a work array reused across shapes.
    pads = ((pad[0], pad[1]), (pad[2], pad[3]))
    out_shape = out_shape_of((c_in, *size), (c_out, c_in, *k), pads, stride)
    assume(min(out_shape) >= 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c_in, *size)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, *k)).astype(np.float32)
    check(x, w, pads, stride)


def test_a_reused_work_array_leaves_no_stale_samples() -> None:
    # A large call fills the kept layout with ones; a smaller one with padding
    # must see zeros in its padding, not those ones.
    register_tiles.correlate(np.ones((3, 64, 64), np.float32), np.ones((8, 3, 5, 5), np.float32),
                             ((2, 2), (2, 2)), (1, 1), (64, 64), F32)
    x = np.zeros((2, 10, 12), np.float32)
    w = np.ones((4, 2, 3, 3), np.float32)
    got = register_tiles.correlate(x, w, ((1, 1), (1, 1)), (1, 1), (10, 12), F32)
    assert not got.any()


def test_nan_and_infinity_land_where_the_definition_puts_them() -> None:
    # The padding's zeros are multiplied: 0 * inf is NaN at the border too.
    x = np.ones((2, 9, 20), np.float32)
    x[0, 4, 10] = np.inf
    x[1, 0, 0] = np.nan
    w = np.ones((5, 2, 3, 3), np.float32)
    w[3, 1, 0, 0] = np.inf
    pad, stride = ((1, 1), (1, 1)), (1, 1)
    got = register_tiles.correlate(x, w, pad, stride, (9, 20), F32)
    with np.errstate(invalid="ignore"):
        exact = scipy_layer(x, w, pad, stride)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exact))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(exact))
    assert np.isnan(got).any() and np.isposinf(got).any()
    finite = np.isfinite(exact)
    np.testing.assert_allclose(got[finite], exact[finite], rtol=1e-6)


def test_every_output_has_the_same_bits_in_any_tile() -> None:
    # Output column c of a row of 49 is computed by a 3-vector tile, a 2-vector
    # one or the last overlapping tile; cropping the input's columns moves it to
    # another tile (or, below 8 columns, to the scalar loop). The sum is the same
    # fused multiply-adds in the same order, so the bits are too.
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 12, 55)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 7)).astype(np.float32)
    full = register_tiles.correlate(x, w, ((0, 0), (0, 0)), (1, 1), (10, 49), F32)
    for start, width in [(0, 7), (5, 12), (9, 16), (17, 25), (3, 40), (30, 19), (44, 5)]:
        part = register_tiles.correlate(x[:, :, start : start + width + 6], w, ((0, 0), (0, 0)),
                                        (1, 1), (10, width), F32)
        np.testing.assert_array_equal(part, full[:, :, start : start + width])


@pytest.mark.parametrize("count", [2, 3])
def test_the_same_bits_on_any_number_of_threads_and_blocks(count, monkeypatch) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 96, 96)).astype(np.float32)
    w = rng.standard_normal((16, 3, 7, 7)).astype(np.float32)
    args = (x, w, ((3, 3), (3, 3)), (2, 2), (48, 48), F32)
    before = convdoc.get_num_threads()
    try:
        convdoc.set_num_threads(1)
        one = register_tiles.correlate(*args)
        convdoc.set_num_threads(count)
        with mock.patch.object(register_tiles, "cost", return_value=1.0):  # always shared
            many = register_tiles.correlate(*args)
        monkeypatch.setattr(register_tiles, "ROW_BLOCKS", 5)
        other_blocks = register_tiles.correlate(*args)
    finally:
        convdoc.set_num_threads(before)
    np.testing.assert_array_equal(many, one)
    np.testing.assert_array_equal(other_blocks, one)


def spy():
    return mock.patch.object(register_tiles, "correlate", wraps=register_tiles.correlate)


@pytest.mark.parametrize(
    ("c_in", "c_out", "n", "k", "stride", "padding"),
    [(3, 64, 224, 7, 2, 3), (3, 64, 224, 3, 1, 1), (3, 32, 96, 5, 2, 2)],
)
def test_first_layers_take_the_register_tiles_once_numba_is_loaded(c_in, c_out, n, k, stride,
                                                                   padding) -> None:
    # The ResNet stem of make bench-peers and other first layers, where the plan
    # measured faster than the GEMM plan (2.8 against 3.8 ms for the stem, one thread).
    rng = np.random.default_rng(c_out + k)
    x = rng.standard_normal((c_in, n, n)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
    with spy() as m:
        got = convdoc.conv2d(x, w, stride=stride, padding=padding)
    assert m.called
    assert got.dtype == np.float32
    grid = np.pad(x.astype(np.float64), ((0, 0), (padding, padding), (padding, padding)))
    expected = np.stack([
        sum(signal.correlate2d(grid[c], w[o, c].astype(np.float64), "valid") for c in range(c_in))
        [::stride, ::stride]
        for o in range(c_out)
    ])
    pads = ((padding, padding), (padding, padding))
    assert np.all(np.abs(got - expected) <= bound(x, w, pads, (stride, stride)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_few_channel_float32_layers_take_the_tiles_and_float64_ones_the_stencils(dtype) -> None:
    # The reader's single image through a first layer (3->8 3x3 at 512 px): the
    # tiles measured 1.57-1.71 ms against the channel stencils' 2.28 (one thread).
    # They compute float32 only; a float64 layer stays with the stencils.
    rng = np.random.default_rng(8)
    x = rng.random((3, 300, 280)).astype(dtype)
    w = rng.standard_normal((8, 3, 3, 3)).astype(dtype)
    with spy() as tiles, mock.patch.object(stencil, "correlate_channels",
                                           wraps=stencil.correlate_channels) as stencils:
        got = convdoc.conv2d(x, w, padding=1)
    assert (tiles.called, stencils.called) == (dtype == np.float32, dtype == np.float64)
    assert got.dtype == dtype
    pads = ((1, 1), (1, 1))
    expected = scipy_layer(x, w, pads, (1, 1))
    assert np.all(np.abs(got - expected) <= bound(x, w, pads, (1, 1)))


def prices(x_shape, w_shape, pad, stride, dtype=np.float32):
    out_shape = out_shape_of(x_shape, w_shape, pad, stride)
    return planner.direct_costs(x_shape, w_shape, pad, stride, (1, 1), out_shape,
                                (np.dtype(dtype), np.dtype(dtype)))


def test_not_priced_before_numba_is_loaded() -> None:
    stencil.unload()
    costs = prices((3, 224, 224), (64, 3, 7, 7), ((3, 3), (3, 3)), (2, 2))
    assert "register_tiles" not in costs and "gemm" in costs


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "dtype", "why"),
    [
        ((3, 64, 64), (8, 3, 3, 3), np.float64, "float64 goes to the GEMM plan"),
        ((3, 64, 64), (8, 3, 3, 3), np.complex64, "complex too"),
        ((64, 56, 56), (64, 64, 3, 3), np.float32, "576 taps: above MAX_TAPS"),
        ((3, 64, 7), (8, 3, 3, 3), np.float32, "5 columns: narrower than a vector"),
    ],
)
def test_not_priced_where_it_does_not_apply(x_shape, w_shape, dtype, why) -> None:
    pad = ((0, 0), (0, 0))
    costs = prices(x_shape, w_shape, pad, (1, 1), dtype)
    assert "register_tiles" not in costs, why
    assert "gemm" in costs


def test_priced_for_the_largest_kernels_it_takes() -> None:
    # 16 channels of 5x5: 400 taps, MAX_TAPS exactly; one more channel is too many.
    assert "register_tiles" in prices((16, 40, 40), (8, 16, 5, 5), ((0, 0), (0, 0)), (1, 1))
    assert "register_tiles" not in prices((17, 40, 40), (8, 17, 5, 5), ((0, 0), (0, 0)), (1, 1))


@pytest.mark.parametrize("dtype", ["int64", "float16", "float64"])
def test_other_dtypes_never_take_the_register_tiles(dtype) -> None:
    rng = np.random.default_rng(3)
    x = (rng.random((3, 64, 64)) * 10).astype(dtype)
    w = (rng.random((16, 3, 7, 7)) * 10).astype(dtype)
    with spy() as m:
        got = convdoc.conv2d(x, w, stride=2, padding=3)
    assert not m.called
    assert got.dtype == np.result_type(x, w)


def test_cost_grows_with_the_work_and_the_taps_beyond_150() -> None:
    stem = register_tiles.cost((64, 3, 7, 7), (112, 112), (2, 2), F32)
    assert stem < register_tiles.cost((128, 3, 7, 7), (112, 112), (2, 2), F32)
    # Per multiply-add, 392 taps cost more than 147 (a tile's inputs outgrow L1).
    small = register_tiles.cost((32, 3, 7, 7), (56, 56), (1, 1), F32)
    large = register_tiles.cost((32, 8, 7, 7), (56, 56), (1, 1), F32)
    call = register_tiles.SEC_CALL
    assert (large - call) / 392 > 1.2 * (small - call) / 147
