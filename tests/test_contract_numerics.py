"""The numeric contract under attack (issue 10 classes 1, 4, 5, 6, 8, 14; issue 16's two faults).

Every test here compares with an oracle that does not run convdoc's engine:
NumPy (:func:`numpy.convolve`), SciPy's direct method, a plain loop, or a
value worked by hand. Where a fast plan (the FFT, the separable two-pass plan)
is the point, a spy proves that the plan really ran (or really did not).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc import (
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    convolve,
    correlate,
    reference_conv,
)
from convdoc.plans import fft, separable
from convdoc.plans._common import round_to_int

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOAT_DTYPES = ("float16", "float32", "float64", "longdouble")
INT64_MIN = np.iinfo(np.int64).min


@contextlib.contextmanager
def spy(name: str) -> Iterator[mock.MagicMock]:
    """Record the calls of a plan (``"fft"`` or ``"separable"``) while still running it."""
    module = {"fft": fft, "separable": separable}[name]
    with mock.patch.object(module, "correlate", wraps=module.correlate) as m:
        yield m


def wrapped(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """NumPy's own integer convolution, wrap-around included: the oracle for class 4.

    Integer arithmetic modulo 2**64 (int64) narrowed to the result dtype equals
    arithmetic modulo 2**bits of that dtype, so int64 sums cast down are what
    NumPy's direct loops in the small dtype give.
    """
    dtype = np.result_type(x, k)
    x64 = x.astype(dtype).astype(np.int64)
    k64 = k.astype(dtype).astype(np.int64)
    with np.errstate(over="ignore"):
        return np.convolve(x64, k64, mode).astype(dtype)


def corr2d_loop_free(x: np.ndarray, k: np.ndarray, mode: str = "full") -> np.ndarray:
    """SciPy's direct 2-D correlation (its own C loop; no FFT, no separable plan)."""
    return signal.correlate(x, k, mode, method="direct")


# ------------------------------------------------------------------ class 1 + fault 2


@given(
    kdtype=st.sampled_from(INT_DTYPES + FLOAT_DTYPES + ("bool",)),
    kh=st.integers(2, 10),
    kw=st.integers(2, 10),
    seed=st.integers(0, 2**16),
)
@FAST
def test_separable_detection_works_for_every_kernel_dtype(
    kdtype: str, kh: int, kw: int, seed: int
) -> None:
    # A rank-one kernel of small integers, exact in every dtype (bool: all True).
    rng = np.random.default_rng(seed)
    col = rng.integers(1, 4, kh)
    row = rng.integers(1, 4, kw)
    kernel = (np.outer(col, row) if kdtype != "bool" else np.ones((kh, kw))).astype(kdtype)
    image = rng.standard_normal((160, 170))
    expected = corr2d_loop_free(image, kernel.astype(np.float64), "same")
    with spy("separable") as sep:
        got = correlate(image, kernel, "same")
    assert got.dtype == np.result_type(image, kernel)
    np.testing.assert_allclose(got, expected.astype(got.dtype), rtol=1e-9, atol=1e-9)
    if got.dtype == np.float64 and min(kh, kw) >= 5:
        # The route under test really ran (a 4x4 kernel on this small image is as
        # cheap by im2col, which the planner may take instead).
        assert sep.called


@given(kh=st.sampled_from([4, 6, 8, 10]), kw=st.integers(5, 10), seed=st.integers(0, 2**16))
@FAST
def test_separable_plan_even_heights_and_widths(kh: int, kw: int, seed: int) -> None:
    # Issue 16: the separable plan was only tested with odd heights; an off-by-one
    # row offset for even heights passed every test.
    rng = np.random.default_rng(seed)
    kernel = np.outer(rng.random(kh) + 0.5, rng.random(kw) + 0.5)
    image = rng.standard_normal((176, 190))
    for mode in ("full", "same", "valid"):
        with spy("separable") as sep:
            got = convolve(image, kernel, mode)
        assert sep.called, (kh, kw, mode)
        np.testing.assert_allclose(
            got, signal.convolve(image, kernel, mode, method="direct"), rtol=1e-10, atol=1e-10
        )


def test_gaussian_8x9_blur_through_separable_plan() -> None:
    # The issue-16 repro: an 8x9 Gaussian on a 512x512 image (error 0.27 with the fault).
    rng = np.random.default_rng(1)
    image = rng.random((256, 256))
    g8 = np.exp(-0.5 * ((np.arange(8) - 3.5) / 1.5) ** 2)
    g9 = np.exp(-0.5 * ((np.arange(9) - 4) / 1.5) ** 2)
    kernel = np.outer(g8, g9)
    with spy("separable") as sep:
        got = convolve(image, kernel, "same")
    assert sep.called
    np.testing.assert_allclose(got, signal.convolve(image, kernel, "same", "direct"), atol=1e-12)


def test_integer_sobel_kernel_on_a_float_image() -> None:
    # Repro: raised "data type int64 not inexact". Oracle: SciPy's direct method.
    rng = np.random.default_rng(2)
    image = rng.random((256, 256))
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_allclose(
        conv2d(image, sobel), signal.correlate(image, sobel, "valid", "direct"), atol=1e-12
    )


def test_nan_kernel_propagates_like_scipy() -> None:
    rng = np.random.default_rng(3)
    image = rng.random((200, 200))
    kernel = np.ones((15, 15))
    kernel[4, 9] = np.nan
    got = convolve(image, kernel, "same")
    expected = signal.convolve(image, kernel, "same", method="direct")
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert separable.rank_one(kernel) is None
    assert separable.rank_one(np.where(np.isnan(kernel), np.inf, kernel)) is None


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_separable_plan_never_sees_non_finite_input(bad: float) -> None:
    # One huge tap makes a kernel rank one to float64 rounding (found by the
    # every-dtype test below with INT64_MIN); its zero taps then become tiny
    # products of factors, and inf * tiny is inf where inf * 0 is NaN.
    rng = np.random.default_rng(9)
    k = rng.integers(-3, 4, (8, 8)).astype(np.float64)
    k[3, 4] = -9.2e18
    x = rng.random((160, 170))
    assert separable.rank_one(k) is not None
    with spy("separable") as sep:
        convolve(x, k, "same")
    assert sep.called  # the finite image does take the plan
    x[80, 90] = bad
    with spy("separable") as sep, np.errstate(invalid="ignore"):
        got = convolve(x, k, "same")
        expected = signal.convolve(x, k, "same", method="direct")
    assert not sep.called
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))


def test_float32_kernel_keeps_float64_precision() -> None:
    # A float32 outer product is rank one to float32 rounding only: used on a
    # float64 image the separable plan would be 1e-8 off. Oracle: SciPy direct.
    g = np.exp(-0.5 * (np.arange(-7, 8) / 2.3) ** 2)
    kernel = np.outer(g, g).astype(np.float32)
    rng = np.random.default_rng(4)
    image = rng.random((300, 300))
    got = convolve(image, kernel, "same")
    expected = signal.convolve(image, kernel.astype(np.float64), "same", method="direct")
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-13)
    # Applied to a float32 image the float32 rounding is all that is asked.
    assert separable.rank_one(kernel, np.dtype(np.float32)) is not None
    assert separable.rank_one(kernel, np.dtype(np.float64)) is None


def test_longdouble_fft_keeps_long_double_precision() -> None:
    # The FFT plan must not compute a long-double result through float64 DFT
    # matrices. Oracle: SciPy's direct loop in long double.
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 64)).astype(np.longdouble)
    k = rng.standard_normal((11, 11)).astype(np.longdouble)
    with spy("fft") as fft:
        got = convolve(x, k)
    assert fft.called
    expected = signal.convolve(x, k, method="direct")
    err = np.max(np.abs(got - expected)) / np.max(np.abs(expected))
    assert err < 50 * np.finfo(np.longdouble).eps


# ---------------------------------------------------------------------- class 4


def int_values(dtype: str) -> st.SearchStrategy[int]:
    info = np.iinfo(dtype)
    return st.one_of(
        st.sampled_from([0, 1, info.max, info.min, info.max // 2 + 1]),
        st.integers(int(info.min), int(info.max)),
        st.integers(-3, 3).filter(lambda v: info.min <= v <= info.max),
    )


@st.composite
def int_problem(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    xd = draw(st.sampled_from(INT_DTYPES))
    kd = draw(st.sampled_from((*INT_DTYPES, "bool")))
    if np.result_type(xd, kd).kind not in "iu":
        kd = xd  # int64 with uint64 promotes to float64: not an integer problem
    n = draw(st.sampled_from([3000, 8000]))
    k = draw(st.sampled_from([300, 900]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    fill_x = draw(int_values(xd))
    x = np.full(n, fill_x, dtype=xd)
    # A few random samples and, sometimes, the extremes (INT64_MIN included).
    x[rng.integers(0, n, 20)] = rng.integers(0, 3, 20).astype(xd)
    if draw(st.booleans()):
        x[rng.integers(0, n)] = np.iinfo(xd).min
    if kd == "bool":
        kern = rng.random(k) < 0.5
    else:
        kern = np.full(k, draw(int_values(kd)), dtype=kd)
    return x, kern


@given(problem=int_problem(), mode=st.sampled_from(["full", "same", "valid"]))
@FAST
def test_integer_auto_equals_numpy_wraparound(
    problem: tuple[np.ndarray, np.ndarray], mode: str
) -> None:
    x, k = problem
    expected = wrapped(x, k, mode)
    got = convolve(x, k, mode)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(convolve(x, k, mode, method="direct"), expected)


def _wrap(value: int, dtype: str) -> int:
    """``value`` modulo 2**bits, in ``dtype``'s range (Python's exact integers)."""
    info = np.iinfo(dtype)
    value %= 2**info.bits
    return value - 2**info.bits if value > info.max else value


@given(
    dtype=st.sampled_from(["int8", "int16", "int32", "uint8", "uint16", "uint32"]),
    data=st.data(),
    stride=st.integers(1, 3),
    two_d=st.booleans(),
)
@settings(max_examples=12, deadline=None)
def test_integer_layers_wrap_like_numpy_under_auto(
    dtype: str, data: st.DataObject, stride: int, two_d: bool
) -> None:
    # Constant inputs: every valid output is C_in * K * a * b, wrapped (by hand).
    info = np.iinfo(dtype)
    a = data.draw(st.integers(int(info.min), int(info.max)))
    b = data.draw(st.integers(int(info.min), int(info.max)))
    if two_d:
        x, w = np.full((2, 96, 96), a, dtype), np.full((2, 2, 21, 21), b, dtype)
        layer = conv2d
    else:
        x, w = np.full((2, 4000), a, dtype), np.full((3, 2, 401), b, dtype)
        layer = conv1d
    terms = w[0].size
    with spy("fft") as fft:
        got = layer(x, w, stride=stride)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.full(got.shape, _wrap(terms * a * b, dtype), dtype))
    if abs(a * b) * terms <= 2**24:
        assert fft.called  # small sums: auto takes the FFT (and must wrap it)


def test_sums_that_fit_the_mantissa_can_still_round_wrong_by_fft() -> None:
    # Found by the test above: 139420 * 9087149 * 802 < 2**52 (SciPy's rule says
    # the FFT is exact), yet its rounding error passed 1/2 and six outputs were
    # one too large. Expected value worked with Python integers.
    x = np.full((2, 4000), 139420, np.int32)
    w = np.full((3, 2, 401), 9087149, np.int32)
    expected = _wrap(802 * 139420 * 9087149, "int32")
    np.testing.assert_array_equal(conv1d(x, w), np.full((3, 3600), expected, np.int32))


def test_int16_overflow_wraps_under_auto() -> None:
    # Repro: [1000] was 0. 32767**2 * 1001 mod 2**16, worked by hand: 32767 = -1
    # mod 2**16, so each product is 1 and the sum is 1001.
    x = np.full(20000, 32767, np.int16)
    k = np.full(2000, 32767, np.int16)
    with spy("fft") as fft:
        y = convolve(x, k)
    assert fft.called  # small sums: the FFT is exact and auto takes it
    assert y[1000] == 1001
    np.testing.assert_array_equal(y, wrapped(x, k))


def test_uint8_2d_correlate_is_exact() -> None:
    # 255 * 255 = 65025 = 1 mod 256, times 625 taps = 625 = 113 mod 256 (by hand).
    x = np.full((300, 300), 255, np.uint8)
    k = np.full((25, 25), 255, np.uint8)
    with spy("fft") as fft:
        y = correlate(x, k, "valid")
    assert fft.called  # the sums need 26 bits: a float32 FFT would round them
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(y, np.full((276, 276), 113, np.uint8))


def test_int64_min_does_not_fool_the_exactness_check() -> None:
    # np.abs(INT64_MIN) is INT64_MIN (negative): the bound looked like 1.
    x = np.ones(20000, np.int64)
    x[7] = INT64_MIN
    k = np.ones(2000, np.int64)
    np.testing.assert_array_equal(convolve(x, k), wrapped(x, k))
    np.testing.assert_array_equal(convolve(x[None], k[None], "same"), wrapped(x, k, "same")[None])


@given(
    value=st.one_of(
        st.integers(-(2**52), 2**52),
        st.integers(-(2**200), 2**200).map(lambda v: float(v)).map(int),
    ),
    dtype=st.sampled_from(INT_DTYPES),
)
@settings(max_examples=60, deadline=None)
def test_round_to_int_wraps_like_numpy_integers(value: int, dtype: str) -> None:
    # Oracle: Python's exact integer arithmetic, modulo 2**bits.
    bits = np.iinfo(dtype).bits
    wrapped_value = value % 2**bits
    if np.iinfo(dtype).min < 0 and wrapped_value >= 2 ** (bits - 1):
        wrapped_value -= 2**bits
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        got = round_to_int(np.array([float(value) + 0.25]), np.dtype(dtype))
    assert got.dtype == dtype
    assert int(got[0]) == wrapped_value


def test_fft_method_on_huge_integers_never_casts_out_of_range() -> None:
    x = np.full(500, 2**62, np.int64)
    k = np.full(50, 2**40, np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = convolve(x, k, method="fft")
    assert y.dtype == np.int64
    # auto must not take that FFT: it equals NumPy's wrap-around.
    np.testing.assert_array_equal(convolve(x, k), wrapped(x, k))


# ---------------------------------------------------------------------- class 5


@given(
    magnitude=st.sampled_from([1e250, 1e300, 1e305, 1e307, 1.7e308]),
    n=st.sampled_from([4096, 20000]),
    alternating=st.booleans(),
)
@FAST
def test_finite_in_never_nan_out_1d(magnitude: float, n: int, alternating: bool) -> None:
    x = magnitude * ((-1.0) ** np.arange(n) if alternating else np.ones(n))
    k = np.ones(500)
    expected = np.convolve(x, k)
    got = convolve(x, k)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-9, atol=1e-9 * magnitude)


def test_finite_in_never_nan_out_issue_repro() -> None:
    # 1e305 * 20000 overflows the spectrum's Nyquist bin; no direct sum overflows.
    x = 1e305 * (-1.0) ** np.arange(20000)
    k = np.ones(500)
    with spy("fft") as fft:
        got = convolve(x, k)
    assert fft.called  # the FFT was tried, and its NaN result thrown away
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got, np.convolve(x, k))


@given(magnitude=st.sampled_from([1e300, 1e304, 1e305, 5e305]), seed=st.integers(0, 2**16))
@FAST
def test_finite_in_never_nan_out_2d(magnitude: float, seed: int) -> None:
    # No partial sum of 121 products below 5e305 overflows (121 * 5e305 < 1.8e308),
    # so the oracle is finite in any order; 9216 samples of 1e305 overflow a bin.
    rng = np.random.default_rng(seed)
    signs = np.where(rng.random((96, 96)) < 0.5, -1.0, 1.0)
    x = magnitude * signs
    k = rng.random((11, 11))
    expected = signal.correlate(x, k, "same", method="direct")
    with spy("fft"):
        got = correlate(x, k, "same")
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    ok = np.isfinite(expected)
    np.testing.assert_allclose(got[ok], expected[ok], rtol=1e-9, atol=1e-9 * magnitude)
    # conv2d, multi-channel (the FFT sums channels in the frequency domain).
    xs = np.stack([x[:48, :48], x[48:, 48:]]) / 2
    ws = np.stack([np.stack([k, k])])
    expected2 = sum(
        signal.correlate(np.pad(xs[c], 5), k, "valid", method="direct") for c in range(2)
    )
    got2 = conv2d(xs, ws, padding=5)[0]
    assert np.isfinite(got2).all()
    np.testing.assert_allclose(got2, expected2, rtol=1e-9, atol=1e-9 * magnitude)


def test_conv2d_overflowing_fft_is_redone() -> None:
    x = 1e306 * np.ones((2, 96, 96))
    x[:, ::2] *= -1
    w = np.ones((1, 2, 12, 12)) / 10
    with spy("fft") as fft:
        got = conv2d(x, w)
    assert fft.called
    expected = signal.correlate(x[0], w[0, 0], "valid", "direct") + signal.correlate(
        x[1], w[0, 1], "valid", "direct"
    )
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got[0], expected, rtol=1e-9, atol=1e297)


# ---------------------------------------------------------------------- class 6


@given(
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    where=st.sampled_from(["x", "kernel"]),
    int_dtype=st.sampled_from(INT_DTYPES),
    pos=st.integers(0, 299),
)
@FAST
def test_non_finite_with_integers_propagates_1d(
    bad: float, where: str, int_dtype: str, pos: int
) -> None:
    ints = np.arange(5000).astype(int_dtype)
    floats = np.ones(300)
    floats[pos] = bad
    x, k = (floats, ints) if where == "x" else (ints, floats)
    with np.errstate(invalid="ignore"):
        expected = np.convolve(x, k)
        expected_corr = signal.correlate(x, k, "valid", method="direct")
        np.testing.assert_array_equal(convolve(x, k), expected)
        np.testing.assert_array_equal(correlate(x, k, "valid"), expected_corr)


@given(bad=st.sampled_from([np.nan, np.inf]), int_dtype=st.sampled_from(INT_DTYPES))
@settings(max_examples=8, deadline=None)
def test_non_finite_with_integers_propagates_2d(bad: float, int_dtype: str) -> None:
    ints = (np.arange(64 * 64) % 7).reshape(64, 64).astype(int_dtype)
    k = np.ones((11, 11))
    k[3, 4] = bad
    with np.errstate(invalid="ignore"):
        expected = signal.convolve(ints, k, "same", method="direct")
        got = convolve(ints, k, "same")
        got_t = convolve(k, ints, "same")  # float first, integers second
    np.testing.assert_array_equal(got, expected)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(got_t, signal.convolve(k, ints, "same", method="direct"))


def test_float_result_from_integer_input_is_not_held_to_integer_exactness() -> None:
    # Integers next to floats give a float result: the integer rule (sums below
    # 2**52) does not apply, so huge float values still take the fast FFT.
    rng = np.random.default_rng(7)
    ints = rng.integers(-5, 5, (120, 120))
    k = 1e20 * rng.random((15, 15))
    with spy("fft") as fft:
        got = correlate(ints, k, "same")
    assert fft.called
    expected = signal.correlate(ints, k, "same", method="direct")
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * 1e20)


# ------------------------------------------------------- issue 16 fault 1 (2-D guard)


def test_2d_nan_stays_local_and_auto_skips_the_fft() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((300, 300))
    x[150, 150] = np.nan
    k = rng.random((25, 25))
    with spy("fft") as fft:
        got = correlate(x, k, "same")
    assert not fft.called  # the FFT would only be thrown away
    expected = signal.correlate(x, k, "same", method="direct")
    assert np.isnan(got).sum() == 25 * 25
    np.testing.assert_allclose(got, expected, rtol=1e-10, equal_nan=True)


def test_multichannel_conv2d_inf_stays_local_and_auto_skips_the_fft() -> None:
    rng = np.random.default_rng(6)
    x = rng.random((3, 100, 100))
    x[1, 40, 60] = np.inf
    w = rng.random((2, 3, 15, 15))
    with spy("fft") as fft:
        got = conv2d(x, w, padding=7)
    assert not fft.called
    finite = rng.random((3, 100, 100))
    with spy("fft") as fft:
        conv2d(finite, w, padding=7)
    assert fft.called  # the same problem with finite input does take the FFT
    # Oracle: per-channel SciPy direct correlations (positive weights: +inf spreads
    # over the 15x15 window of the bad sample only).
    expected = np.zeros((2, 100, 100))
    for o in range(2):
        for c in range(3):
            expected[o] += signal.correlate(x[c], w[o, c], "same", method="direct")
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert np.isinf(got).sum() == 2 * 15 * 15


# ---------------------------------------------------------------------- class 8


def scatter_transpose(
    x: np.ndarray, w: np.ndarray, stride: int, padding: int, output_padding: int, dilation: int
) -> np.ndarray:
    """PyTorch's definition by loops: each input sample adds its scaled kernels."""
    c_in, n = x.shape
    _, c_out, k = w.shape
    n_out = (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
    out = np.zeros((c_out, n_out), dtype=np.result_type(x, w))
    for c in range(c_in):
        for i in range(n):
            for o in range(c_out):
                for t in range(k):
                    pos = i * stride - padding + t * dilation
                    if 0 <= pos < n_out:
                        out[o, pos] += x[c, i] * w[c, o, t]
    return out


def test_conv_transpose1d_inf_weight_issue_repro() -> None:
    # PyTorch gives [inf, 1, inf, 2, inf, 3]; worked by hand from the definition.
    got = conv_transpose1d([1.0, 2.0, 3.0], [np.inf, 1.0], stride=2)
    np.testing.assert_array_equal(got, [np.inf, 1, np.inf, 2, np.inf, 3])


@given(
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
@FAST
def test_conv_transpose1d_non_finite_weight_matches_scatter(
    bad: float, stride: int, padding: int, dilation: int, k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 6))
    w = rng.standard_normal((2, 3, k))
    w[rng.integers(2), rng.integers(3), rng.integers(k)] = bad
    op = stride - 1 if stride > 1 else 0
    span = dilation * (k - 1) + 1
    if (6 - 1) * stride + span + op - 2 * padding < 1:
        padding = 0
    with np.errstate(invalid="ignore"):
        expected = scatter_transpose(x, w, stride, padding, op, dilation)
        got = conv_transpose1d(
            x, w, stride=stride, padding=padding, output_padding=op, dilation=dilation
        )
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_conv_transpose2d_inf_weight_leaves_inserted_zeros_alone() -> None:
    # Separable check by hand: rows and columns each follow the 1-D repro.
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[np.inf, 1.0], [1.0, 1.0]])
    got = conv_transpose2d(x, w, stride=2)
    expected = np.array(
        [
            [np.inf, 1, np.inf, 2],
            [1, 1, 2, 2],
            [np.inf, 3, np.inf, 4],
            [3, 3, 4, 4],
        ]
    )
    np.testing.assert_array_equal(got, expected)


def scatter_transpose2d(
    x: np.ndarray, w: np.ndarray, stride: tuple[int, int], padding: tuple[int, int]
) -> np.ndarray:
    """conv_transpose2d by PyTorch's definition, by loops (no output padding, dilation 1)."""
    c_in, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    oh = (h - 1) * stride[0] - 2 * padding[0] + kh
    ow = (wd - 1) * stride[1] - 2 * padding[1] + kw
    out = np.zeros((c_out, oh, ow))
    for c, i, j, o, a, b in np.ndindex(c_in, h, wd, c_out, kh, kw):
        r, col = i * stride[0] - padding[0] + a, j * stride[1] - padding[1] + b
        if 0 <= r < oh and 0 <= col < ow:
            out[o, r, col] += x[c, i, j] * w[c, o, a, b]
    return out


@given(
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    seed=st.integers(0, 2**16),
)
@FAST
def test_conv_transpose2d_non_finite_weight_matches_scatter(
    bad: float, stride: tuple[int, int], padding: tuple[int, int], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, 4))
    w = rng.standard_normal((2, 2, 3, 2))
    w[rng.integers(2), rng.integers(2), rng.integers(3), rng.integers(2)] = bad
    with np.errstate(invalid="ignore"):
        expected = scatter_transpose2d(x, w, stride, padding)
        got = conv_transpose2d(x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@given(
    bad=st.sampled_from([np.nan, np.inf]),
    padding=st.integers(1, 3),
    stride=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
@FAST
def test_conv1d_non_finite_weight_multiplies_the_padding(
    bad: float, padding: int, stride: int, seed: int
) -> None:
    # PyTorch pads with zeros and multiplies them: 0 * inf = NaN at the edges.
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(12)
    w = rng.standard_normal(4)
    w[rng.integers(4)] = bad
    with np.errstate(invalid="ignore"):
        expected = reference_conv(x[None], w[None, None], padding=padding, stride=stride)[0]
        got = conv1d(x, w, padding=padding, stride=stride)
        got_2d = conv2d(x[None], w[None], padding=(0, padding), stride=(1, stride))[0]
    np.testing.assert_allclose(got, expected, equal_nan=True)
    np.testing.assert_allclose(got_2d, expected, equal_nan=True)


def test_convolve_1d_non_finite_kernel_still_follows_scipy() -> None:
    # SciPy's 1-D convolve is numpy.convolve, which never multiplies padding.
    x, k = np.array([1.0, 2.0, 3.0]), np.array([1.0, np.inf])
    for mode in ("full", "same", "valid"):
        np.testing.assert_array_equal(convolve(x, k, mode), np.convolve(x, k, mode))
        np.testing.assert_array_equal(
            correlate(x, k, mode), signal.correlate(x, k, mode, method="direct")
        )


# --------------------------------------------------------------------- class 14


def _scipy_fft_warns(fn: str, x: np.ndarray, k: np.ndarray, mode: str) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(signal, fn)(x, k, mode, method="fft")
    return any("Use of fft convolution" in str(w.message) for w in caught)


@given(
    fn=st.sampled_from(["convolve", "correlate"]),
    mode=st.sampled_from(["full", "same", "valid"]),
    bad=st.sampled_from([np.nan, np.inf, None]),
    pos=st.integers(0, 39),
    two_d=st.booleans(),
)
@FAST
def test_fft_method_warns_exactly_as_scipy(
    fn: str, mode: str, bad: float | None, pos: int, two_d: bool
) -> None:
    x = np.ones(40)
    if bad is not None:
        x[pos] = bad
    k = np.ones(7)
    if two_d:
        x, k = np.outer(x, np.ones(5)), np.outer(k, np.ones(3))
    scipy_warns = _scipy_fft_warns(fn, x, k, mode)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(__import__("convdoc"), fn)(x, k, mode, method="fft")
    ours = [w for w in caught if "Use of fft convolution" in str(w.message)]
    assert bool(ours) == scipy_warns
    assert all(w.category is RuntimeWarning for w in ours)
    assert all(w.filename == __file__ for w in ours)  # points at the caller's line


def test_fft_method_nan_warning_issue_repro() -> None:
    x = np.ones(100)
    x[0] = np.nan
    with pytest.warns(RuntimeWarning, match="Use of fft convolution on input with NAN or inf"):
        y = convolve(x, np.ones(5), method="fft")
    assert np.isnan(y).all()


# -------------------------------------------- every dtype pair and magnitude at once

ALL_DTYPES = (*INT_DTYPES, *FLOAT_DTYPES, "complex64", "complex128", "bool")


def _operand(
    draw: st.DrawFn, dtype: str, shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Small values of ``dtype`` with, per its kind, extremes, a magnitude and a NaN/inf."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        a = rng.integers(max(info.min, -3), 4, shape).astype(dtype)
        for value in draw(st.lists(st.sampled_from([info.min, info.max]), max_size=2)):
            a[rng.integers(shape[0]), rng.integers(shape[1])] = value
        return a
    magnitudes = [0.0, 1e-5, 1.0] if dtype == "float16" else [0.0, 1e-300, 1.0, 1e150, 1e300]
    m = draw(st.sampled_from(magnitudes))
    a = m * rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * m * rng.standard_normal(shape)
    with np.errstate(over="ignore"):  # 1e300 is inf in float32: a non-finite case too
        a = a.astype(dtype)
    special = draw(st.sampled_from([None, np.nan, np.inf, -np.inf]))
    if special is not None:
        a[rng.integers(shape[0]), rng.integers(shape[1])] = special
    return a


def _oracle(fn: str, x: np.ndarray, k: np.ndarray, mode: str) -> np.ndarray:
    """SciPy's direct method, in a dtype it supports, with NumPy's integer wrap-around."""
    res = np.result_type(x, k)
    if res.kind == "b":
        wide = getattr(signal, fn)(x.astype(np.int64), k.astype(np.int64), mode, "direct")
        return wide != 0
    if res.kind in "iu":
        # Unsigned 64-bit arithmetic wraps by definition; narrowing wraps again.
        a, b = x.astype(res).astype(np.uint64), k.astype(res).astype(np.uint64)
        return getattr(signal, fn)(a, b, mode, "direct").astype(res)
    work = np.float32 if res == np.float16 else res  # SciPy has no float16 loop
    with np.errstate(all="ignore"):
        out = getattr(signal, fn)(x.astype(work), k.astype(work), mode, "direct")
    return out.astype(res)


@given(
    xd=st.sampled_from(ALL_DTYPES),
    kd=st.sampled_from(ALL_DTYPES),
    fn=st.sampled_from(["convolve", "correlate"]),
    mode=st.sampled_from(["full", "same", "valid"]),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_auto_matches_scipy_direct_for_every_dtype_and_magnitude(
    xd: str, kd: str, fn: str, mode: str, seed: int, data: st.DataObject
) -> None:
    rng = np.random.default_rng(seed)
    x = _operand(data.draw, xd, (64, 64), rng)
    k = _operand(data.draw, kd, (11, 11), rng)
    res = np.result_type(x, k)
    expected = _oracle(fn, x, k, mode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow/invalid as NumPy's
        with spy("fft") as fft:
            got = getattr(__import__("convdoc"), fn)(x, k, mode)
    event(f"FFT ran: {fft.called}")
    assert got.dtype == res
    if res.kind in "biu":
        np.testing.assert_array_equal(got, expected)
        return
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    if res.kind == "f":
        # (Complex products of infinities are NaN or inf by how one multiplies:
        # C99's rules in SciPy's loop, the textbook formula in NumPy's.)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_array_equal(got[np.isinf(got)], expected[np.isinf(expected)])
    ok = np.isfinite(expected)

    def largest(a: np.ndarray) -> float:  # np.abs of an integer minimum is negative
        return float(np.max(np.abs(a[np.isfinite(a)].astype(np.clongdouble)), initial=0))

    scale = largest(x) * largest(k)
    tol = min(32 * float(np.finfo(res).eps) * scale * k.size, 1e308)
    np.testing.assert_allclose(
        got[ok].astype(np.clongdouble),
        expected[ok].astype(np.clongdouble),
        rtol=0,
        atol=max(tol, 1e-320),
    )
