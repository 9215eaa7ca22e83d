"""The engine against plain loops written here (not convdoc.reference) and numpy.pad."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc.engine import correlate_padded, correlate_windows, extend
from convdoc.plans import direct, im2col, planner, separable


def loop_windows(grid, weight, stride, dilation):
    """out[o, i] = sum_c sum_t grid[c, i*s + t*d] * weight[o, c, t], by brute force."""
    c_out, c_in = weight.shape[:2]
    k = weight.shape[2:]
    n = grid.shape[1:]
    out_shape = [
        (ni - d * (ki - 1) - 1) // s + 1
        for ni, ki, s, d in zip(n, k, stride, dilation, strict=True)
    ]
    out = np.zeros((c_out, *out_shape), dtype=np.result_type(grid, weight))
    for o in range(c_out):
        for i in itertools.product(*map(range, out_shape)):
            acc = 0
            for c in range(c_in):
                for t in itertools.product(*map(range, k)):
                    pos = tuple(
                        ii * s + tt * d for ii, tt, s, d in zip(i, t, stride, dilation, strict=True)
                    )
                    acc += grid[(c, *pos)] * weight[(o, c, *t)]
            out[(o, *i)] = acc
    return out


@st.composite
def window_problems(draw: st.DrawFn):
    nd = draw(st.integers(1, 2))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    n = tuple(d * (ki - 1) + 1 + draw(st.integers(0, 7)) for ki, d in zip(k, dilation, strict=True))
    dtype = draw(st.sampled_from(["int64", "float64", "float32", "complex128"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def make(shape):
        if dtype == "int64":
            return rng.integers(-9, 10, size=shape)
        a = rng.standard_normal(shape)
        if dtype == "complex128":
            a = a + 1j * rng.standard_normal(shape)
        return a.astype(dtype)

    return make((c_in, *n)), make((c_out, c_in, *k)), stride, dilation


def choose(x, w, pad, stride, dilation, out_shape):
    """What method="auto" picks, with the engine's own direct-cost estimate."""
    _, direct = planner.best_direct(x, w, pad, stride, dilation, out_shape)
    return planner.choose(x, w, pad, stride, dilation, out_shape, direct)


@settings(max_examples=80, deadline=None)
@given(problem=window_problems(), method=st.sampled_from(["auto", "direct", "fft"]))
def test_correlate_windows_matches_loops(problem, method) -> None:
    grid, weight, stride, dilation = problem
    expected = loop_windows(grid, weight, stride, dilation)
    got = correlate_windows(grid, weight, stride=stride, dilation=dilation, method=method)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    if got.dtype.kind == "i":
        np.testing.assert_array_equal(got, expected)
    else:
        tol = 1e-4 if got.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@settings(max_examples=60, deadline=None)
@given(
    problem=window_problems(),
    pads=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=2),
    method=st.sampled_from(["auto", "direct", "fft"]),
    boundary=st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]),
)
def test_correlate_padded_equals_extend_then_windows(problem, pads, method, boundary) -> None:
    x, weight, stride, dilation = problem
    pad = tuple(pads[: x.ndim - 1])
    expected = loop_windows(np.pad(x, [(0, 0), *pad], mode=boundary), weight, stride, dilation)
    got = correlate_padded(
        x, weight, pad, boundary=boundary, stride=stride, dilation=dilation, method=method
    )
    if got.dtype.kind == "i":
        np.testing.assert_array_equal(got, expected)
    else:
        tol = 1e-4 if got.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric", "wrap"])
@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    before=st.integers(0, 9),
    after=st.integers(0, 9),
)
def test_extend_is_numpy_pad_on_trailing_axes(mode, shape, before, after) -> None:
    x = np.arange(np.prod(shape)).reshape(shape)
    pad = ((before, after),) * min(2, x.ndim)
    lead = [(0, 0)] * (x.ndim - len(pad))
    np.testing.assert_array_equal(extend(x, pad, mode), np.pad(x, [*lead, *pad], mode=mode))


def test_extend_constant_fill_and_crop() -> None:
    np.testing.assert_array_equal(extend([1, 2, 3], ((2, 1),), "constant", 7), [7, 7, 1, 2, 3, 7])
    np.testing.assert_array_equal(extend([1, 2, 3, 4], ((-1, -2),)), [2])
    # Mixed: grow after by 2 then crop 1 before.
    np.testing.assert_array_equal(extend([1, 2, 3], ((-1, 2),)), [2, 3, 0, 0])
    # A crop that growth on the other side refills.
    np.testing.assert_array_equal(extend([5], ((-1, 3),)), [0, 0, 0])
    assert extend([1, 2], ((0, 1),), fillvalue=0.5).dtype == np.float64


def test_extend_without_padding_returns_input_unchanged() -> None:
    x = np.arange(6.0).reshape(2, 3)
    assert extend(x, ((0, 0), (0, 0))) is x


def test_stride_one_single_channel_1d_is_numpy_correlate_exactly() -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(-50, 50, 1000)
    k = rng.integers(-5, 5, 31)
    got = correlate_windows(x[None], k[None, None], method="direct")[0]
    # The plan calls numpy.correlate; the oracle is every window times the kernel, summed.
    windows = np.lib.stride_tricks.sliding_window_view(x, k.size)
    np.testing.assert_array_equal(got, (windows * k).sum(axis=1))


def test_polyphase_strided_matches_subsampled_full() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(997)
    k = rng.standard_normal(23)
    for stride in (2, 3, 4, 7, 30):
        got = correlate_windows(x[None], k[None, None], stride=stride, method="direct")[0]
        expected = signal.correlate(x, k, "valid", method="direct")[::stride]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_separable_path_equals_direct() -> None:
    rng = np.random.default_rng(6)
    image = rng.standard_normal((64, 70))
    col, row = rng.standard_normal(7), rng.standard_normal(4)
    kernel = np.outer(col, row)
    pad = ((3, 3), (2, 1))
    out_shape = (64, 70)
    got = separable.correlate(image[None], kernel[None, None], pad, out_shape)
    expected = signal.correlate(np.pad(image, pad), kernel, "valid", method="direct")
    np.testing.assert_allclose(got, expected[None], rtol=1e-10, atol=1e-10)
    assert separable.rank_one(kernel) is not None
    assert separable.rank_one(rng.standard_normal((5, 5))) is None


def test_auto_takes_a_big_gaussian_blur_off_the_direct_plan() -> None:
    g = np.exp(-0.5 * (np.arange(-10, 11) / 3.0) ** 2)
    kernel = np.outer(g, g)[None, None]
    image = np.zeros((1, 512, 512))
    pad = ((10, 10), (10, 10))
    # 441 multiply-adds per pixel: either fast plan beats the direct one.
    assert choose(image, kernel, pad, (1, 1), (1, 1), (512, 512)) in ("separable", "fft")
    # A kernel of rank 2 does not factor into a column and a row: never the separable plan.
    ramp = np.arange(-10.0, 11.0) / 10
    rank_two = kernel + np.outer(ramp, ramp)[None, None]
    assert np.linalg.matrix_rank(rank_two[0, 0]) == 2
    assert choose(image, rank_two, pad, (1, 1), (1, 1), (512, 512)) in ("direct", "fft")


def test_auto_avoids_fft_for_non_finite_and_huge_ints() -> None:
    x = np.ones((1, 20000))
    w = np.ones((1, 1, 2001))
    assert choose(x, w, ((0, 0),), (1,), (1,), (18000,)) == "fft"
    x[0, 5] = np.inf
    assert choose(x, w, ((0, 0),), (1,), (1,), (18000,)) == "direct"
    big = np.full((1, 20000), 2**45, dtype=np.int64)  # 2**45 * 2001 > 2**52
    assert choose(big, w.astype(np.int64), ((0, 0),), (1,), (1,), (18000,)) == "direct"


def test_bool_grid_gives_or_of_ands() -> None:
    grid = np.array([[True, False, False, True, True]])
    w = np.array([[[True, True]]])
    np.testing.assert_array_equal(
        correlate_windows(grid, w, method="fft"), [[True, False, True, True]]
    )


def test_no_window_fits_is_an_error() -> None:
    with pytest.raises(ValueError, match="no window fits"):
        correlate_windows(np.ones((1, 4)), np.ones((1, 1, 3)), dilation=2)


def test_engine_does_not_modify_inputs() -> None:
    rng = np.random.default_rng(7)
    grid = rng.standard_normal((2, 30, 31))
    w = rng.standard_normal((3, 2, 4, 3))
    g0, w0 = grid.copy(), w.copy()
    for method in ("direct", "fft", "auto"):
        correlate_windows(grid, w, stride=(2, 1), dilation=(1, 2), method=method)
        correlate_padded(grid, w, ((2, 2), (1, 3)), boundary="reflect", method=method)
    np.testing.assert_array_equal(grid, g0)
    np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("dtype", ["float64", "complex128", "int64"])
def test_strided_fft_polyphase_matches_subsampled_scipy(dtype) -> None:
    rng = np.random.default_rng(12)
    x = rng.integers(-5, 6, (2, 61, 47)).astype(dtype)
    w = rng.integers(-5, 6, (3, 2, 9, 6)).astype(dtype)
    if dtype == "complex128":
        x = x + 1j * rng.standard_normal(x.shape)
        w = w - 1j * rng.standard_normal(w.shape)
    for stride, dilation in (((4, 4), (1, 1)), ((3, 2), (2, 1)), ((1, 5), (1, 3))):
        got = correlate_windows(x, w, stride=stride, dilation=dilation, method="fft")
        expected = loop_windows(x, w, stride, dilation)
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-8)


@pytest.mark.parametrize("plan", [im2col.im2col, direct.shift_add])
def test_each_direct_plan_matches_loops(plan) -> None:
    rng = np.random.default_rng(13)
    grid = rng.integers(-9, 10, (2, 17, 15))
    w = rng.integers(-9, 10, (3, 2, 4, 3))
    stride, dilation = (2, 3), (3, 1)
    expected = loop_windows(grid, w, stride, dilation)
    got = plan(grid, w, stride, dilation, expected.shape[1:], expected.dtype)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("k", [1, 2, 5, 9])
@pytest.mark.parametrize("stride", [2, 3, 4])
def test_1d_strided_plans_agree(k, stride) -> None:
    rng = np.random.default_rng(14)
    x = rng.integers(-9, 10, 40)
    w = rng.integers(-9, 10, k)
    expected = loop_windows(x[None], w[None, None], (stride,), (1,))
    n_out = expected.shape[1]
    dtype = expected.dtype
    np.testing.assert_array_equal(direct.numpy_phases(x, w, stride, n_out, dtype), expected[0])
    np.testing.assert_array_equal(
        direct.shift_add(x[None], w[None, None], (stride,), (1,), (n_out,), dtype), expected
    )
    np.testing.assert_array_equal(direct.window_einsum(x, w, stride, 1, n_out, dtype), expected[0])
    np.testing.assert_array_equal(
        correlate_windows(x[None], w[None, None], stride=stride, method="direct"), expected
    )


def test_window_einsum_with_dilation_and_complex() -> None:
    rng = np.random.default_rng(15)
    x = rng.standard_normal(60) + 1j * rng.standard_normal(60)
    w = rng.standard_normal(4) - 1j * rng.standard_normal(4)
    for stride, dilation in ((1, 3), (2, 2), (5, 1)):
        expected = loop_windows(x[None], w[None, None], (stride,), (dilation,))[0]
        got = direct.window_einsum(x, w, stride, dilation, expected.size, expected.dtype)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
