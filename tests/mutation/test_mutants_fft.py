"""Tests that kill mutants of convdoc/plans/fft.py (tests/MUTANTS.md).

``exact_enough`` first asks SciPy's rule: the largest possible sum,
``max|x| * max|w| * C_in * kh * kw``, must fit the float64 mantissa (at most
``2**52 - 1``). With one non-zero sample and one non-zero tap the norms equal those
maxima and the rounding bound stays far below 1/4, so this rule alone decides; the
products and factorisations below are worked by hand. Its rounding bound is checked
on both sides at powers of two, where every float operation is exact.

``scipy_mode`` and ``correlate`` are checked against the loop of the definition
(numpy.pad, then tap by tap in complex128) and scipy.signal.correlate; ``cost``
against its docstring formula (and overlap_save.fft_phases_cost's) worked by hand.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import signal

from convdoc.plans import fft, overlap_save


def _spikes(c_in, k, a, b):
    x = np.zeros((c_in, 1, 1), np.int64)
    x[0, 0, 0] = a
    w = np.zeros((1, c_in, *k), np.int64)
    w[0, 0, 0, 0] = b
    return x, w


def test_exact_enough_refuses_sums_past_the_float64_mantissa() -> None:
    pad = ((0, 0), (0, 0))
    # 2 x 16 x 16 = 512 terms: 2**22 * 2**21 * 512 = 2**52, one past the limit.
    assert not fft.exact_enough(*_spikes(2, (16, 16), 2**22, 2**21), pad)
    # 2**22 * (2**21 - 1) * 512 = 2**52 - 2**31: within it.
    assert fft.exact_enough(*_spikes(2, (16, 16), 2**22, 2**21 - 1), pad)


def test_exact_enough_accepts_sums_of_exactly_the_mantissa_limit() -> None:
    # 2**52 - 1 = 3 * 5 * 53 * 157 * 1613 * 2731 * 8191: 3 channels of 5 x 53 taps
    # (795 terms), a sample of 157 * 1613 and a tap of 2731 * 8191 reach it exactly.
    pad = ((0, 0), (0, 0))
    assert fft.exact_enough(*_spikes(3, (5, 53), 157 * 1613, 2731 * 8191), pad)
    assert not fft.exact_enough(*_spikes(3, (5, 53), 157 * 1613, 2731 * 8191 + 1), pad)


def test_dilate_spreads_the_taps_on_every_axis() -> None:
    # Dilation 2 on both axes: d - 1 = 1 zero between taps, written out by hand.
    w = np.array([[1, 2], [3, 4]]).reshape(1, 1, 2, 2)
    expected = np.array([[1, 0, 2], [0, 0, 0], [3, 0, 4]]).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(fft.dilate(w, (2, 2)), expected)
    np.testing.assert_array_equal(fft.dilate(w, (1, 3)),
                                  np.array([[1, 0, 0, 2], [3, 0, 0, 4]]).reshape(1, 1, 2, 4))


def _loop(x, w, pad, stride, dilation):
    """The definition: zero-pad, then sum tap by tap over input channels (no flip)."""
    xp = np.pad(x, ((0, 0), *pad))
    k = w.shape[2:]
    span = [d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True)]
    out = [(n - s) // st + 1 for n, s, st in zip(xp.shape[1:], span, stride, strict=True)]
    if min(out) < 1:
        return None
    y = np.zeros((w.shape[0], *out), np.complex128)
    for o, *idx in itertools.product(range(w.shape[0]), *(range(n) for n in out)):
        for c, *tap in itertools.product(range(w.shape[1]), *(range(ki) for ki in k)):
            at = tuple(
                i * st + t * d for i, t, st, d in zip(idx, tap, stride, dilation, strict=True)
            )
            y[(o, *idx)] += complex(xp[(c, *at)]) * complex(w[(o, c, *tap)])
    return y


def _modes_equal_to(x, w, pad, stride, dilation):
    """The scipy.signal.correlate modes that compute the same numbers as the loop."""
    y = _loop(x, w, pad, stride, dilation)
    return {
        mode
        for mode in ("full", "same", "valid")
        if y is not None and y.shape[0] == 1
        and signal.correlate(x[0], w[0, 0], mode).shape == y.shape[1:]
        and np.allclose(signal.correlate(x[0], w[0, 0], mode), y[0], rtol=1e-12, atol=1e-12)
    }


def _check_mode(x, w, pad, stride, dilation):
    if _loop(x, w, pad, stride, dilation) is None:
        return  # no output: not a problem convdoc is asked
    mode = fft.scipy_mode(x, w, pad, stride, dilation)
    equal = _modes_equal_to(x, w, pad, stride, dilation)
    # The mode named must compute the problem; None only when no mode does. (A kernel
    # longer than the samples is left out of the second half: SciPy's "valid" then
    # swaps its operands and can equal a padded problem that scipy_mode leaves to the
    # general path, the same numbers by another route.)
    if mode is not None:
        assert mode in equal, (pad, w.shape, mode, equal)
    elif all(ki <= ni for ki, ni in zip(w.shape[2:], x.shape[1:], strict=True)):
        assert not equal, (pad, w.shape, equal)


@pytest.mark.parametrize("n", [4, 5])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_scipy_mode_names_the_mode_scipy_computes_1d(n, k) -> None:
    # Every pad up to the kernel on each side (full, same, valid and near misses such
    # as (0, (k-1)//2) or (k//2, 0)), k == n included (valid with one output); random
    # samples, so no other mode matches by chance. Oracle: scipy.signal.correlate
    # against the loop of the definition.
    rng = np.random.default_rng(16)
    x = rng.standard_normal((1, n))
    w = rng.standard_normal((1, 1, k))
    for before, after in itertools.product(range(k + 1), repeat=2):
        _check_mode(x, w, ((before, after),), (1,), (1,))


def test_scipy_mode_needs_every_axis_in_the_same_mode_2d() -> None:
    # 2-D: a 3x4 kernel on 5x6 samples, each axis full, same, valid or a near miss;
    # only the pairs with both axes in one mode are a scipy mode.
    rng = np.random.default_rng(17)
    x = rng.standard_normal((1, 5, 6))
    w = rng.standard_normal((1, 1, 3, 4))
    rows = [(2, 2), (1, 1), (0, 0), (0, 1), (2, 1)]
    cols = [(3, 3), (2, 1), (0, 0), (1, 2), (0, 1)]
    for pad in itertools.product(rows, cols):
        _check_mode(x, w, pad, (1, 1), (1, 1))
    assert fft.scipy_mode(x, w, ((2, 2), (3, 3)), (1, 1), (1, 1)) == "full"
    assert fft.scipy_mode(x, w, ((1, 1), (2, 1)), (1, 1), (1, 1)) == "same"
    assert fft.scipy_mode(x, w, ((0, 0), (0, 0)), (1, 1), (1, 1)) == "valid"
    assert fft.scipy_mode(x, w, ((2, 2), (2, 1)), (1, 1), (1, 1)) is None


@pytest.mark.parametrize(
    ("c_out", "c_in", "stride", "dilation"),
    [(2, 1, (1,), (1,)), (1, 2, (1,), (1,)), (1, 1, (2,), (1,)), (1, 1, (1,), (2,))],
)
def test_scipy_mode_only_for_one_channel_stride_1_and_no_dilation(
    c_out, c_in, stride, dilation
) -> None:
    # The pads of full (1, 1), same (1, 0) and valid (0, 0) for two taps: with two output
    # or input channels, a stride or a dilation, none is a scipy mode (checked
    # against the loop as above), so None.
    rng = np.random.default_rng(18)
    x = rng.standard_normal((c_in, 5))
    w = rng.standard_normal((c_out, c_in, 2))
    for pad in [(1, 1)], [(1, 0)], [(0, 0)]:
        _check_mode(x, w, tuple(pad), stride, dilation)
        assert fft.scipy_mode(x, w, tuple(pad), stride, dilation) is None


def test_cost_stride_1_is_the_docstring_formula() -> None:
    # 3 output and 2 input channels, 10 x 7 samples, a 4 x 2 kernel dilated by (1, 2):
    # spans 4 and 2 * (2 - 1) + 1 = 3, full size (10 + 3) * (7 + 2) = 117 points,
    # 2 + 2 * 3 + 3 = 11 transforms:
    # 60 us + 1 ns * 11 * 117 * ln 117 + 2 ns * 2 * 3 * 117 (about 67.5 us).
    expected = 6e-5 + 1e-9 * 11 * 117 * math.log(117) + 2e-9 * 6 * 117
    got = fft.cost((2, 10, 7), (3, 2, 4, 2), (1, 1), (1, 2), (10, 7))
    assert got == pytest.approx(expected, rel=1e-12)
    # One output channel and 4 input channels, 1-D: 20 samples, 5 taps (span 5),
    # full 24 points, 4 + 4 + 1 = 9 transforms.
    expected = 6e-5 + 1e-9 * 9 * 24 * math.log(24) + 2e-9 * 4 * 24
    assert fft.cost((4, 20), (1, 4, 5), (1,), (1,), (16,)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("stride", [(2, 2), (1, 2), (2, 1)])
def test_cost_with_a_stride_is_fft_phases_cost_worked_by_hand(stride) -> None:
    # 2 input and 3 output channels, a 2 x 3 kernel dilated by 2: spans 3 and 5.
    # overlap_save.fft_phases_cost's docstring formula, for outputs 5 x 6:
    # q = ceil(span / stride) taps per phase, phases = prod(min(stride, span)),
    # L = out + q - 1, size = prod(L), half = size / L[-1] * (L[-1] // 2 + 1),
    # kernel = prod(q) * (L[-1] // 2 + 1) + half * q[0]; cost =
    # 120 us + 0.6 ns (phases C_in + C_out) size ln(size)
    #        + 0.3 ns phases C_in C_out kernel + 1 ns phases C_in C_out half.
    worked = {
        # q = (2, 3), phases 2 * 2 = 4, L = (6, 8), size 48, half 6 * 5 = 30,
        # kernel 6 * 5 + 30 * 2 = 90.
        (2, 2): (4, 48, 30, 90),
        # q = (3, 3), phases 1 * 2 = 2, L = (7, 8), size 56, half 7 * 5 = 35,
        # kernel 9 * 5 + 35 * 3 = 150.
        (1, 2): (2, 56, 35, 150),
        # q = (2, 5), phases 2 * 1 = 2, L = (6, 10), size 60, half 6 * 6 = 36,
        # kernel 10 * 6 + 36 * 2 = 132.
        (2, 1): (2, 60, 36, 132),
    }
    phases, size, half, kernel = worked[stride]
    expected = (
        1.2e-4
        + 6e-10 * (phases * 2 + 3) * size * math.log(size)
        + 3e-10 * phases * 2 * 3 * kernel
        + 1e-9 * phases * 2 * 3 * half
    )
    got = fft.cost((2, 20, 20), (3, 2, 2, 3), stride, (2, 2), (5, 6))
    assert got == pytest.approx(expected, rel=1e-12)


# (C_out, C_in, samples, taps, pad, stride, dilation, dtype of x, dtype of w)
_CASES = [
    # One channel, SciPy's modes (full, same with odd and even taps, valid), 1-D.
    (1, 1, (9,), (4,), ((3, 3),), (1,), (1,), "f8", "f8"),
    (1, 1, (9,), (3,), ((1, 1),), (1,), (1,), "f4", "f4"),
    (1, 1, (9,), (4,), ((2, 1),), (1,), (1,), "c16", "c16"),
    (1, 1, (9,), (4,), ((0, 0),), (1,), (1,), "i8", "i8"),
    (1, 1, (9,), (4,), ((0, 0),), (1,), (1,), "i4", "f8"),
    # Long enough for overlap-save blocks (1000 outputs, 3 taps).
    (1, 1, (1000,), (3,), ((1, 1),), (1,), (1,), "f8", "f8"),
    (1, 1, (1000,), (3,), ((0, 0),), (1,), (1,), "i4", "i4"),
    (1, 1, (1000,), (3,), ((1, 1),), (1,), (1,), "f4", "f4"),
    # One channel, no SciPy mode: a pad past the kernel on one side.
    (1, 1, (9,), (3,), ((5, 0),), (1,), (1,), "f8", "f8"),
    (1, 1, (9,), (3,), ((0, 5),), (1,), (1,), "f8", "f8"),
    # Channels, pads past the (dilated) kernel, strides and dilations, 1-D.
    (2, 3, (11,), (3,), ((0, 6),), (1,), (2,), "f8", "f8"),
    (2, 3, (11,), (3,), ((4, 1),), (3,), (1,), "c8", "c8"),
    (2, 1, (11,), (3,), ((6, 6),), (2,), (1,), "i8", "i8"),
    # 2-D: one channel in SciPy's full mode; one input channel of 1 x 3 taps next to
    # two; full sizes 15 (an odd transform: rfft's inverse needs the length) and 13
    # (a transform of 12, one less, would wrap the last full index onto the first);
    # pads past the kernel on one side of each axis; strides and dilations per axis;
    # complex, float32, integers.
    (1, 1, (6, 7), (3, 2), ((2, 2), (1, 1)), (1, 1), (1, 1), "f8", "f8"),
    (2, 2, (6, 5), (1, 3), ((0, 4), (3, 0)), (1, 1), (1, 1), "f8", "f8"),
    (2, 1, (6, 5), (1, 3), ((0, 4), (3, 0)), (1, 1), (1, 1), "f8", "f8"),
    (1, 2, (12, 12), (4, 4), ((3, 3), (3, 3)), (1, 1), (1, 1), "f8", "f8"),
    (2, 2, (10, 10), (4, 4), ((3, 3), (3, 3)), (1, 1), (1, 1), "f8", "f8"),
    (3, 2, (7, 8), (3, 2), ((2, 5), (6, 1)), (1, 1), (2, 3), "f4", "f4"),
    (2, 3, (9, 8), (3, 3), ((5, 1), (0, 5)), (2, 1), (1, 1), "c16", "c16"),
    (2, 2, (9, 8), (2, 3), ((1, 4), (4, 1)), (1, 2), (2, 1), "i8", "i8"),
    (2, 2, (9, 8), (2, 3), ((3, 0), (0, 3)), (2, 2), (1, 1), "i2", "f4"),
]


def _operand(rng, shape, code):
    dtype = np.dtype(code)
    if dtype.kind in "iu":
        return rng.integers(-9, 10, shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("case", _CASES, ids=[str(i) for i in range(len(_CASES))])
def test_correlate_equals_the_definition(case) -> None:
    # Oracle: the loop of the definition in complex128 on numpy.pad-ed samples; the
    # output shape from the window count (n + before + after - span) // stride + 1.
    c_out, c_in, n, k, pad, stride, dilation, x_code, w_code = case
    rng = np.random.default_rng(sum(n) + sum(k) + c_out * 10 + c_in)
    x = _operand(rng, (c_in, *n), x_code)
    w = _operand(rng, (c_out, c_in, *k), w_code)
    dtype = np.result_type(x, w)
    span = [d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True)]
    out_shape = tuple(
        (ni + b + a - s) // st + 1 for ni, (b, a), s, st in zip(n, pad, span, stride, strict=True)
    )
    expected = _loop(x, w, pad, stride, dilation)
    assert expected.shape == (c_out, *out_shape)
    got = fft.correlate(x, w, pad, stride, dilation, out_shape, dtype)
    assert got.dtype == dtype
    assert got.shape == expected.shape
    if dtype.kind in "iu":
        # Sums of at most 27 products of |values| <= 9: exact, so equal after rounding.
        np.testing.assert_array_equal(got, expected.real.astype(dtype))
        return
    if dtype.kind != "c":
        expected = expected.real
    tol = 1e-4 if dtype in (np.float32, np.complex64) else 1e-10
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * max(1, np.abs(expected).max()))


def test_correlate_spreads_a_nan_over_every_output_even_for_long_signals() -> None:
    # The documented price of the FFT (the module's docstring: SciPy's path spreads a
    # NaN or infinity over the whole output): 1000 samples and 3 taps would go through
    # overlap-save blocks, which would keep the NaN in its block; with a NaN sample
    # every output must be NaN, and with an infinite tap too.
    assert overlap_save.blocked(1000, 3)
    x = np.ones((1, 1000))
    x[0, 7] = np.nan
    w = np.ones((1, 1, 3))
    with np.errstate(invalid="ignore"):
        assert np.isnan(fft.correlate(x, w, ((1, 1),), (1,), (1,), (1000,), x.dtype)).all()
        w[0, 0, 1] = np.inf
        x[0, 7] = 1.0
        assert np.isnan(fft.correlate(x, w, ((1, 1),), (1,), (1,), (1000,), x.dtype)).all()


# exact_enough's rounding bound, norm_x * norm_w * eps * (10 * log2(max(size, 2)) + 10)
# <= 1/4, with eps = 2**-52, worked by hand at powers of two so that every float
# operation is exact; SciPy's mantissa rule is far from binding in each case.


def test_exact_enough_rounding_bound_at_a_transform_of_1024() -> None:
    # 1000 samples, 256 of them 2**21 (norm sqrt(256 * 2**42) = 2**25), one tap b,
    # pads 10 and 14: size 1000 + 10 + 14 + 1 - 1 = 1024, log2 10, factor 110.
    # 2**25 * b * 2**-52 * 110 <= 2**-2  <=>  110 b <= 2**25 = 33554432:
    # b = 305040 (33554400) passes, b = 305041 (33554510) does not.
    # (Mantissa rule: 2**21 * 305041 * 1 tap is about 6.4e11, far below 2**52.)
    x = np.zeros((1, 1000), np.int64)
    x[0, :256] = 2**21
    pad = ((10, 14),)
    assert fft.exact_enough(x, np.full((1, 1, 1), 305040, np.int64), pad)
    assert not fft.exact_enough(x, np.full((1, 1, 1), 305041, np.int64), pad)


def test_exact_enough_rounding_bound_of_a_one_point_transform() -> None:
    # One sample 2**24 and one tap b: size 1, log2(max(1, 2)) = 1, factor 20.
    # 2**24 * b * 2**-52 * 20 <= 2**-2  <=>  20 b <= 2**26 = 67108864:
    # b = 3355443 (67108860) passes, b = 3355444 (67108880) does not.
    x = np.full((1, 1), 2**24, np.int64)
    assert fft.exact_enough(x, np.full((1, 1, 1), 3355443, np.int64), ((0, 0),))
    assert not fft.exact_enough(x, np.full((1, 1, 1), 3355444, np.int64), ((0, 0),))


def test_exact_enough_takes_the_largest_output_channels_kernel_norm() -> None:
    # Output channel 0 has taps (3c, 4c) over its two input channels (norm 5c),
    # channel 1 has (2c, 0) (norm 2c): norm_w = 5c. (Summed over everything it would
    # be sqrt(29) c; per channel pair or over output channels, 4c.) One sample 2**20
    # in input channel 0, size 1, factor 20:
    # 2**20 * 5c * 2**-52 * 20 <= 2**-2  <=>  100 c <= 2**30 = 1073741824:
    # c = 10737418 passes, c = 10737419 does not.
    x = np.zeros((2, 1), np.int64)
    x[0, 0] = 2**20

    def w(c):
        return np.array([[3 * c, 4 * c], [2 * c, 0]], np.int64).reshape(2, 2, 1)

    assert fft.exact_enough(x, w(10737418), ((0, 0),))
    assert not fft.exact_enough(x, w(10737419), ((0, 0),))


def test_exact_enough_squares_in_float64() -> None:
    # A sample of 2**32: its square 2**64 wraps to 0 in int64, so the norms must be
    # summed in float64. One tap b, size 1, factor 20:
    # 2**32 * b * 2**-52 * 20 <= 2**-2  <=>  20 b <= 2**18 = 262144:
    # b = 13107 (262140) passes, b = 13108 (262160) does not; the same with the
    # sample and the tap exchanged. (Mantissa rule: 2**32 * 13108 is about 5.6e13.)
    big = np.full((1, 1), 2**32, np.int64)
    assert fft.exact_enough(big, np.full((1, 1, 1), 13107, np.int64), ((0, 0),))
    assert not fft.exact_enough(big, np.full((1, 1, 1), 13108, np.int64), ((0, 0),))
    assert not fft.exact_enough(np.full((1, 1), 13108, np.int64),
                                np.full((1, 1, 1), 2**32, np.int64), ((0, 0),))


def test_exact_enough_never_looks_at_a_float_operand() -> None:
    # The docstring: a float result, an integer operand next to a float one included,
    # has no exactness to keep, and the float values (NaN, infinity) are not looked at.
    ints = np.ones((1, 2), np.int64)
    assert fft.exact_enough(np.array([[np.nan, 1.0]]), np.ones((1, 1, 1), np.int64), ((0, 0),))
    assert fft.exact_enough(ints, np.full((1, 1, 1), np.inf), ((0, 0),))
