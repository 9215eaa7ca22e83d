"""The plans added for speed (convdoc.plans.gemm, pooling, transposed) against independent oracles.

Oracles: SciPy's direct 2-D correlation per channel pair, plain loops, and
NumPy reductions over explicit windows; never another convdoc plan.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

import convdoc
from convdoc import conv2d, max_pool2d
from convdoc.plans import gemm, planner, pooling

FAST = settings(max_examples=40, deadline=None)


def scipy_layer(x, w, pad, stride):
    """conv2d by scipy.signal.correlate (method='direct') per channel pair, float64 or complex."""
    grid = np.pad(x, ((0, 0), *pad)).astype(np.result_type(x, w, np.float64))
    c_out, c_in, kh, kw = w.shape
    oh = (grid.shape[1] - kh) // stride[0] + 1
    ow = (grid.shape[2] - kw) // stride[1] + 1
    out = np.zeros((c_out, oh, ow), dtype=grid.dtype)
    for o, c in itertools.product(range(c_out), range(c_in)):
        # correlate conjugates its second argument: undo that for complex taps.
        full = signal.correlate(grid[c], np.conj(w[o, c]), "valid", method="direct")
        out[o] += full[:: stride[0], :: stride[1]][:oh, :ow]
    return out


@st.composite
def layers(draw: st.DrawFn):
    c_in, c_out = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    h = max(1, kh - pad[0][0] - pad[0][1]) + draw(st.integers(0, 9))
    w_ = max(1, kw - pad[1][0] - pad[1][1]) + draw(st.integers(0, 9))
    dtype = draw(st.sampled_from(["float32", "float64", "complex128"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def make(shape):
        a = rng.standard_normal(shape)
        if dtype == "complex128":
            a = a + 1j * rng.standard_normal(shape)
        return a.astype(dtype)

    return make((c_in, h, w_)), make((c_out, c_in, kh, kw)), pad, stride


@FAST
@given(problem=layers())
def test_gemm_plan_matches_scipy_per_channel_pair(problem) -> None:
    x, w, pad, stride = problem
    expected = scipy_layer(x, w, pad, stride)
    got = gemm.correlate(x, w, pad, stride, expected.shape[1:], x.dtype)
    assert got.dtype == x.dtype and got.shape == expected.shape and got.flags.c_contiguous
    tol = 1e-4 if x.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize(
    ("c_in", "c_out", "size", "k", "stride", "padding"),
    [(3, 64, 224, 7, 2, 3), (64, 64, 56, 3, 1, 1), (64, 128, 56, 3, 2, 1), (256, 64, 56, 1, 1, 0)],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cnn_layers_are_planned_on_a_matrix_product(c_in, c_out, size, k, stride, padding, dtype):
    # The peers' layers (benchmarks/peers.py) run at BLAS speed: a GEMM plan, never
    # per-tap sums or the FFT (which the stem took before, 100 times slower).
    pad = ((padding, padding),) * 2
    out = ((size + 2 * padding - k) // stride + 1,) * 2
    x = np.ones((c_in, size, size), dtype)
    w = np.ones((c_out, c_in, k, k), dtype)
    plan, seconds = planner.best_direct(x, w, pad, (stride, stride), (1, 1), out)
    assert plan in ("gemm", "im2col")
    assert planner.choose(x, w, pad, (stride, stride), (1, 1), out, seconds) == "direct"


@pytest.mark.parametrize(
    ("c_in", "c_out", "size", "k", "stride", "padding"),
    [(3, 8, 40, 7, 2, 3), (16, 8, 14, 3, 1, 1), (8, 16, 14, 3, 2, 1), (16, 4, 9, 1, 1, 0)],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_layers_keep_their_dtype_whatever_the_plan(
    c_in, c_out, size, k, stride, padding, dtype
) -> None:
    rng = np.random.default_rng(c_in + size)
    x = rng.standard_normal((c_in, size, size)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(dtype)
    got = conv2d(x, w, stride=stride, padding=padding)
    expected = scipy_layer(x, w, ((padding, padding),) * 2, (stride, stride))
    assert got.dtype == np.dtype(dtype)
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * 10)


def test_gemm_plan_puts_nan_and_inf_where_the_definition_does() -> None:
    # BLAS multiplies exactly the definition's products: an infinite input pixel
    # reaches only the windows that cover it; the padding zeros it never meets
    # stay zeros (0 * finite).
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 12, 13))
    x[1, 5, 6] = np.inf
    x[2, 0, 0] = np.nan
    w = rng.standard_normal((3, 4, 3, 3))
    for stride in ((1, 1), (2, 2)):
        expected = scipy_layer(x, w, ((1, 1), (1, 1)), stride)
        got = gemm.correlate(x, w, ((1, 1), (1, 1)), stride, expected.shape[1:], x.dtype)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
        finite = np.isfinite(expected)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-10, atol=1e-10)


def test_integer_layers_never_take_the_gemm_plan() -> None:
    # Integer sums stay exact: the planner offers gemm (float BLAS) only for BLAS dtypes.
    costs = planner.direct_costs(
        (8, 20, 20), (8, 8, 3, 3), ((1, 1), (1, 1)), (1, 1), (1, 1), (20, 20),
        (np.dtype(np.int64), np.dtype(np.int64)),
    )
    assert "gemm" not in costs
    rng = np.random.default_rng(4)
    x = rng.integers(-(2**40), 2**40, (8, 20, 20))
    w = rng.integers(-(2**10), 2**10, (8, 8, 3, 3))
    got = conv2d(x, w, padding=1)
    grid = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    expected = np.zeros((8, 20, 20), dtype=object)
    for i, j in itertools.product(range(3), range(3)):
        patch = grid[:, i : i + 20, j : j + 20].astype(object)
        expected += np.einsum("oc,chw->ohw", w[:, :, i, j].astype(object), patch)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected.astype(np.int64))


def loop_pool(x, k, s, p, reduce):
    """Pooling by explicit windows of a -inf (max) or 0 (sum) padded grid."""
    fill = -np.inf if reduce is np.max else 0.0
    grid = np.pad(x.astype(np.float64), ((0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    oh = (grid.shape[1] - k[0]) // s[0] + 1
    ow = (grid.shape[2] - k[1]) // s[1] + 1
    out = np.empty((x.shape[0], oh, ow))
    for c, r, q in itertools.product(range(x.shape[0]), range(oh), range(ow)):
        out[c, r, q] = reduce(grid[c, r * s[0] : r * s[0] + k[0], q * s[1] : q * s[1] + k[1]])
    return out


@FAST
@given(
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    size=st.tuples(st.integers(4, 12), st.integers(4, 12)),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_reduce_windows_matches_explicit_windows(k, s, size, seed, dtype) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, *size)).astype(dtype)
    for ufunc, reduce in ((np.maximum, np.max), (np.add, np.sum)):
        got = pooling.reduce_windows(ufunc, x, k, s)
        expected = loop_pool(x, k, s, (0, 0), reduce)
        assert got.dtype == x.dtype
        tol = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def test_max_pool_keeps_float32_and_propagates_nan() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 11, 10)).astype(np.float32)
    x[1, 4, 4] = np.nan
    got = max_pool2d(x, 3, stride=2, padding=1)
    expected = loop_pool(x, (3, 3), (2, 2), (1, 1), np.max)  # np.max propagates NaN too
    assert got.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(got[~np.isnan(got)], expected[~np.isnan(expected)])


def loop_transposed(x, w, stride, padding, out_shape):
    """out[o, i*s - p + t] += x[c, i] * w[c, o, t] in 2-D, by loops (Python ints/floats)."""
    out = np.zeros((w.shape[1], *out_shape), dtype=object)
    for c, i, j, o, u, v in itertools.product(
        range(x.shape[0]), range(x.shape[1]), range(x.shape[2]), range(w.shape[1]),
        range(w.shape[2]), range(w.shape[3]),
    ):
        r, q = i * stride[0] - padding[0] + u, j * stride[1] - padding[1] + v
        if 0 <= r < out_shape[0] and 0 <= q < out_shape[1]:
            out[o, r, q] += x[c, i, j].item() * w[c, o, u, v].item()
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "int64"])
@pytest.mark.parametrize("per_tap", [False, True])
def test_transposed_scatter_matches_loops(monkeypatch, dtype, per_tap) -> None:
    from convdoc.plans import transposed

    if per_tap:  # the product of every tap at once, or one tap at a time
        monkeypatch.setattr(transposed, "PRODUCT_CELLS", 0)
    rng = np.random.default_rng(6)
    x = rng.integers(-50, 50, (3, 5, 6)).astype(dtype)
    w = rng.integers(-50, 50, (3, 2, 4, 3)).astype(dtype)
    out_shape = ((5 - 1) * 2 - 2 + 4, (6 - 1) * 3 - 0 + 3)
    got = transposed.scatter(x, w, (2, 3), (1, 0), (1, 1), out_shape)
    expected = loop_transposed(x, w, (2, 3), (1, 0), out_shape)
    assert got.dtype == np.dtype(dtype)
    if dtype == "int16":  # NumPy's wrap-around of the exact sums
        expected = np.array([int(v) % 2**16 for v in expected.ravel()]).reshape(expected.shape)
        expected = expected.astype(np.uint16).view(np.int16)
    np.testing.assert_array_equal(got, expected.astype(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("kh", "kw"), [(1, 1), (3, 3), (5, 2), (2, 17), (9, 31)])
def test_banded_plan_matches_scipy(dtype, kh, kw) -> None:
    from convdoc.plans import banded

    rng = np.random.default_rng(kh * 100 + kw)
    grid = rng.standard_normal((45, 70)).astype(dtype)
    h = rng.standard_normal((kh, kw)).astype(dtype)
    h[kh // 2] = 0  # a kernel row of zeros is skipped
    expected = signal.correlate(grid.astype(float), h.astype(float), "valid", method="direct")
    got = banded.correlate2d(grid, h, expected.shape)
    assert got.dtype == np.dtype(dtype)
    tol = 1e-4 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [3, 5, 9, 31])
def test_separable_passes_short_and_long_match_scipy(dtype, k) -> None:
    from convdoc.plans import separable

    rng = np.random.default_rng(k)
    x = rng.standard_normal((1, 70, 90)).astype(dtype)
    kernel = np.outer(rng.random(k) + 0.5, rng.random(k + 2) + 0.5).astype(dtype)
    pad = ((k // 2, k // 2), (3, 4))
    expected = signal.correlate(
        np.pad(x[0].astype(float), pad), kernel.astype(float), "valid", method="direct"
    )
    got = separable.correlate(x, kernel[None, None], pad, expected.shape)[0]
    assert got.dtype == np.dtype(dtype)
    tol = 1e-4 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * k * k)


def test_single_channel_shift_add_is_exact_for_integers_and_keeps_nan() -> None:
    from convdoc.plans import direct

    rng = np.random.default_rng(9)
    grid = rng.integers(-(2**20), 2**20, (40, 300))
    h = np.array([[0, 1, -1], [3, 0, -2], [1, 1, 0]])
    expected = signal.correlate(grid, h, "valid", method="direct")  # int64, exact here
    got = direct.shift_add_single(grid, h, (1, 1), (1, 1), expected.shape, np.dtype(np.int64))
    np.testing.assert_array_equal(got, expected.astype(np.int64))
    # A NaN meets the zero taps too (0 * NaN is NaN in the definition): not skipped.
    f = grid.astype(float)
    f[10, 10] = np.nan
    got = direct.shift_add_single(f, h.astype(float), (1, 1), (1, 1), expected.shape, f.dtype)
    windows = np.lib.stride_tricks.sliding_window_view(f, (3, 3))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(windows).any(axis=(-2, -1)))


def test_long_1d_signal_takes_overlap_save_and_equals_numpy(monkeypatch) -> None:
    from convdoc import convolve
    from convdoc.plans import overlap_save

    calls = []
    original = overlap_save.fft_phases
    monkeypatch.setattr(overlap_save, "fft_phases", lambda *a: calls.append(1) or original(*a))
    rng = np.random.default_rng(10)
    x, h = rng.standard_normal(300_000), rng.standard_normal(1001)
    got = convolve(x, h)
    assert calls  # the blocked route ran
    np.testing.assert_allclose(got, np.convolve(x, h), rtol=1e-9, atol=1e-9)
    # Small integers: the FFT route is provably exact, and stays integer.
    xi, hi = rng.integers(-9, 10, 300_000), rng.integers(-9, 10, 1001)
    got = convolve(xi, hi)
    assert got.dtype == xi.dtype
    np.testing.assert_array_equal(got, np.convolve(xi, hi))


def test_auto_passes_its_finiteness_verdict_to_the_fft_so_a_long_signal_is_read_once_less(
    monkeypatch,
) -> None:
    # method="auto" takes the FFT only for inputs choose() found finite; the FFT plan
    # then skips its own pass over them (8 MB for 10^6 samples), while method="fft",
    # which promises SciPy's NaN-everywhere result, still looks.
    from convdoc import convolve
    from convdoc.plans import fft

    rng = np.random.default_rng(12)
    x, h = rng.standard_normal(300_000), rng.standard_normal(1001)
    looked_at: list[int] = []  # sizes fft.correlate checked for NaN and infinity
    original = fft.all_finite
    monkeypatch.setattr(fft, "all_finite", lambda a: looked_at.append(a.size) or original(a))
    got = convolve(x, h)
    np.testing.assert_allclose(got, np.convolve(x, h), rtol=1e-9, atol=1e-9)
    assert x.size not in looked_at
    got = convolve(x, h, method="fft")
    np.testing.assert_allclose(got, np.convolve(x, h), rtol=1e-9, atol=1e-9)
    assert x.size in looked_at
    # A NaN under "auto" never reaches the FFT (local NaN, as numpy.convolve gives).
    x[1000] = np.nan
    got = convolve(x, h)
    expected = np.convolve(x, h)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(got).sum() == h.size
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)],
                               rtol=1e-9, atol=1e-9)


def test_rank_one_gate_rejects_a_random_kernel_without_the_svd(monkeypatch) -> None:
    # A 63x63 random kernel on a small image made "auto" run a 63x63 SVD (milliseconds,
    # seconds on a loaded machine) before taking the FFT; the pivot test rejects it first.
    from convdoc.plans import separable

    rng = np.random.default_rng(11)
    calls = []
    monkeypatch.setattr(np.linalg, "svd", lambda *a, **k: calls.append(1) or None)
    assert separable.rank_one(rng.standard_normal((63, 63))) is None
    assert calls == []
    monkeypatch.undo()
    col, row = rng.random(7) + 0.5, rng.random(9) - 0.5
    factors = separable.rank_one(np.outer(col, row))
    assert factors is not None
    np.testing.assert_allclose(np.outer(*factors), np.outer(col, row), atol=1e-14)


def test_rank_one_is_worked_out_once_per_kernel(monkeypatch) -> None:
    # The SVD runs once for a kernel applied again and again; a kernel changed in
    # place is a new kernel; the remembered factors cannot be written through.
    from convdoc.plans import separable

    separable._rank_one_of.cache_clear()
    svds = []
    real_svd = np.linalg.svd
    monkeypatch.setattr(np.linalg, "svd", lambda a, *args, **kw: svds.append(a.shape)
                        or real_svd(a, *args, **kw))
    col = np.exp(-np.linspace(-3, 3, 41) ** 2)
    g = np.outer(col, col[::-1] * 2.0)
    image = np.random.default_rng(0).standard_normal((80, 80))
    expected = signal.convolve(image, g, "same")
    for _ in range(3):
        np.testing.assert_allclose(convdoc.convolve(image, g, "same"), expected, atol=1e-10)
    assert svds == [(41, 41)]
    factors = separable.rank_one(g)
    assert factors is not None and not factors[0].flags.writeable
    np.testing.assert_allclose(np.outer(*factors), g, atol=1e-12)
    g[:, 5] *= 3.0  # changed in place, still rank one: its own factors, not the old ones
    factors = separable.rank_one(g)
    assert factors is not None
    np.testing.assert_allclose(np.outer(*factors), g, atol=1e-12)
    g[20, 20] += 1.0  # no longer rank one
    assert separable.rank_one(g) is None
