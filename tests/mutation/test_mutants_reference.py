"""Tests that kill mutants of convdoc/reference.py, the loop reference (tests/MUTANTS.md).

The reference is the oracle the engine is tested against, so nothing here asks the
engine: the expected values are worked by hand (the working is in the comments),
summed by loops written here, or computed by SciPy and NumPy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import signal

from convdoc import reference
from convdoc.reference import reference_conv, reference_correlate

# ------------------------------------------------------------------ messages


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: reference_correlate([], [1]), ValueError,
         "x must not be empty, got array of shape (0,)"),
        (lambda: reference_correlate([1, 2], []), ValueError,
         "kernel must not be empty, got array of shape (0,)"),
        (lambda: reference_correlate(np.ones((2, 2, 2)), [1]), ValueError,
         "x must be 1-D or 2-D, got a 3-D array of shape (2, 2, 2)"),
        (lambda: reference_correlate([1, 2], np.ones((1, 1, 1))), ValueError,
         "kernel must be 1-D or 2-D, got a 3-D array of shape (1, 1, 1)"),
        (lambda: reference_correlate([1, 2, 3], [[1]]), ValueError,
         "x and kernel must have the same number of dimensions, got x of shape (3,) "
         "and kernel of shape (1, 1)"),
        (lambda: reference_correlate([1, 2], [1], stride=0), ValueError,
         "stride must be a positive integer, got 0"),
        (lambda: reference_correlate([1, 2], [1], dilation=0), ValueError,
         "dilation must be a positive integer, got 0"),
        # dilation 2 spreads 3 taps over 2 * (3 - 1) + 1 = 5 samples; 4 given.
        (lambda: reference_correlate(np.ones(4), np.ones(3), dilation=2), ValueError,
         "the kernel spans 5 samples along axis 0 (dilation 2) but the input has only 4: "
         "no window fits"),
        # Axis 0 of a 2-D image: 3 taps at dilation 2 span 5 rows; 4 given.
        (lambda: reference_correlate(np.ones((4, 5)), np.ones((3, 2)), dilation=(2, 1)),
         ValueError,
         "the kernel spans 5 samples along axis 0 (dilation 2) but the input has only 4: "
         "no window fits"),
        # Axis 1 of a 2-D image: 3 taps at dilation 2 span 5 columns; 4 given.
        (lambda: reference_correlate(np.ones((5, 4)), np.ones((2, 3)), dilation=(1, 2)),
         ValueError,
         "the kernel spans 5 samples along axis 1 (dilation 2) but the input has only 4: "
         "no window fits"),
        (lambda: reference_conv([], [[[1]]]), ValueError,
         "x must not be empty, got array of shape (0,)"),
        (lambda: reference_conv(np.ones(3), [[[1]]]), ValueError,
         "x must be 2-D or 3-D, got a 1-D array of shape (3,)"),
        (lambda: reference_conv(np.ones((1, 3)), np.ones((1, 1, 0))), ValueError,
         "weight must not be empty, got array of shape (1, 1, 0)"),
        # x has 2 axes (C_in, L): weight needs 3.
        (lambda: reference_conv(np.ones((1, 3)), np.ones((1, 1))), ValueError,
         "weight must have 3 axes (C_out, C_in, *kernel) for x of shape (1, 3), "
         "got shape (1, 1)"),
        (lambda: reference_conv(np.ones((1, 3, 3)), np.ones((1, 1, 2))), ValueError,
         "weight must have 4 axes (C_out, C_in, *kernel) for x of shape (1, 3, 3), "
         "got shape (1, 1, 2)"),
        (lambda: reference_conv(np.ones((3, 5)), np.ones((2, 2, 1))), ValueError,
         "weight expects 2 input channels (shape (2, 2, 1), groups=1) but x has 3 "
         "(shape (3, 5))"),
        (lambda: reference_conv(np.ones((1, 5)), np.ones((2, 1, 1)), bias=[1, 2, 3]),
         ValueError, "bias must have shape (2,), got shape (3,)"),
        (lambda: reference_conv(np.ones((1, 5)), np.ones((2, 1, 1)), bias=[]),
         ValueError, "bias must not be empty, got array of shape (0,)"),
        (lambda: reference_conv(np.ones((1, 5)), np.ones((1, 1, 1)), stride=0), ValueError,
         "stride must be a positive integer, got 0"),
        (lambda: reference_conv(np.ones((1, 5)), np.ones((1, 1, 1)), padding=-1), ValueError,
         "padding must be a non-negative integer, got -1"),
        (lambda: reference_conv(np.ones((1, 5)), np.ones((1, 1, 1)), dilation=0), ValueError,
         "dilation must be a positive integer, got 0"),
        # Padding 1 makes the 3 columns 5; 6 taps do not fit, along axis 1.
        (lambda: reference_conv(np.ones((1, 9, 3)), np.ones((1, 1, 2, 6)), padding=1),
         ValueError,
         "the kernel spans 6 samples along axis 1 (dilation 1) but the input has only 5: "
         "no window fits"),
    ],
)
def test_each_message_names_the_parameter_and_the_values(call, exc, message) -> None:
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        call()


def test_the_output_is_refused_by_its_size_in_bytes(monkeypatch) -> None:
    """check_bytes is asked about outputs * itemsize, before anything is allocated."""
    asked = []

    class Asked(Exception):
        pass

    def spy(nbytes, what):
        asked.append((nbytes, what))
        raise Asked

    monkeypatch.setattr(reference, "check_bytes", spy)
    # 4 samples padded by 3 on each side: 10, then (10 - 3) // 2 + 1 = 4 outputs of
    # 3 taps at stride 2; complex128 (x) with float32 (weight): 16 bytes each = 64.
    x = np.ones((1, 4), dtype=np.complex128)
    with pytest.raises(Asked):
        reference_conv(x, np.ones((1, 1, 3), dtype=np.float32), stride=2, padding=3)
    assert asked == [(64, "the output of shape (4,)")]


# ------------------------------------------------------------------ values and dtypes


def test_a_kernel_spanning_the_whole_input_gives_one_output() -> None:
    # 3 taps at dilation 2 span 5 samples, exactly the input: x[0] + x[4] = 10 + 14.
    np.testing.assert_array_equal(reference_correlate(np.arange(10, 15), [1, 0, 1],
                                                      dilation=2), [24])
    # 2-D: a 2x3 kernel at dilation (2, 1) spans 3x3; the image is 3x3.
    x = np.arange(9).reshape(3, 3)
    k = np.array([[1, 0, 0], [0, 0, 2]])
    # taps at (0, 0) and (2, 2): 0 * 1 + 8 * 2
    np.testing.assert_array_equal(reference_correlate(x, k, dilation=(2, 1)), [[16]])


def test_integers_beyond_two_to_the_53_stay_exact_with_and_without_padding() -> None:
    big = 2**53 + 1  # float64 would round it to 2**53
    x = np.array([[big, 1]], dtype=np.int64)
    w = np.array([[[1, 1]]], dtype=np.int64)
    # padding 1: grid [0, big, 1, 0]: windows 0 + big, big + 1, 1 + 0
    got = reference_conv(x, w, padding=1)
    assert got.dtype == np.int64
    assert got.tolist() == [[big, big + 1, 1]]
    got = reference_conv(x, w)
    assert got.dtype == np.int64
    assert got.tolist() == [[big + 1]]
    got = reference_correlate(x[0], w[0, 0])
    assert got.dtype == np.int64
    assert got.tolist() == [big + 1]
    image = np.array([[big, 1], [1, 1]], dtype=np.int64)
    got = reference_correlate(image, np.ones((2, 2), dtype=np.int64))
    assert got.dtype == np.int64
    assert got.tolist() == [[big + 3]]


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype"),
    [(np.float64, np.int8), (np.int8, np.float32), (np.int16, np.int8), (np.float32, np.int64)],
)
def test_the_result_dtype_joins_both_operands(x_dtype, w_dtype) -> None:
    # The float operand holds fractions, so a result held in the integer operand's
    # dtype would lose them. Taps (1, 2) on samples (0.25, 1.5, 2.5):
    # 0.25 + 3 = 3.25, 1.5 + 5 = 6.5; taps (0.5, 2) on samples (1, 2, 3): 0.5 + 4 = 4.5,
    # 1 + 6 = 7; integer taps (1, 2) on (1, 2, 3): 1 + 4 = 5, 2 + 6 = 8.
    x_float, w_float = np.dtype(x_dtype).kind == "f", np.dtype(w_dtype).kind == "f"
    x = np.array([0.25, 1.5, 2.5] if x_float else [1, 2, 3], dtype=x_dtype)
    w = np.array([0.5, 2] if w_float else [1, 2], dtype=w_dtype)
    expected = [3.25, 6.5] if x_float else [4.5, 7.0] if w_float else [5, 8]
    want = np.result_type(x, w)
    # In 2-D: the samples as a column next to a column of zeros, the taps as a column
    # next to a column of ones: the second column adds 0 * 1.
    x2 = np.stack([x, np.zeros(3, dtype=x_dtype)], axis=1)
    w2 = np.stack([w, np.ones(2, dtype=w_dtype)], axis=1)
    for got in (
        reference_correlate(x, w),
        reference_correlate(x2, w2)[:, 0],
        reference_conv(x[None], w[None, None])[0],
        reference_conv(x[None], w[None, None], padding=1)[0, 1:-1],
        reference_conv(x2[None], w2[None, None], padding=(0, 1))[0, :, 1],
    ):
        assert got.dtype == want
        np.testing.assert_array_equal(got, expected)


def test_the_bias_joins_the_result_dtype() -> None:
    # int samples, int taps and a float bias: float64; 1+2 + 0.5, 2+3 + 0.5.
    got = reference_conv([[1, 2, 3]], [[[1, 1]]], bias=[0.5])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[3.5, 5.5]])
    ones = np.ones((1, 1, 2))
    # Whichever of the three is widest sets the dtype: int32 samples, int16 taps and
    # an int8 bias (100000 + 200000 + 1, 200000 + 300000 + 1); then the taps widest.
    x = np.array([[100_000, 200_000, 300_000]], dtype=np.int32)
    got = reference_conv(x, ones.astype(np.int16), bias=np.array([1], np.int8))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [[300_001, 500_001]])
    x = np.array([[1, 2, 3]], dtype=np.int8)
    w = np.array([[[100_000, 1]]], dtype=np.int32)
    got = reference_conv(x, w, bias=np.array([1000], np.int16))
    assert got.dtype == np.int32
    # 1 * 100000 + 2 * 1 + 1000, 2 * 100000 + 3 + 1000
    np.testing.assert_array_equal(got, [[101_002, 201_003]])


def test_a_padded_zero_times_an_infinite_tap_is_nan() -> None:
    # Padding 1: grid [0, 1, 0] against taps [inf, 1]: 0 * inf + 1 * 1 = NaN, then
    # 1 * inf + 0 * 1 = inf (the definition's explicit zeros, as numpy.pad gives).
    with np.errstate(invalid="ignore"):
        got = reference_conv([[1.0]], [[[np.inf, 1.0]]], padding=1)
    assert np.isnan(got[0, 0])
    assert got[0, 1] == np.inf
    grid = np.pad([1.0], 1)
    with np.errstate(invalid="ignore"):
        loop = [grid[i] * np.inf + grid[i + 1] * 1.0 for i in range(2)]
    np.testing.assert_array_equal(got[0], loop)


def test_a_complex_kernel_is_neither_conjugated_nor_flipped() -> None:
    # [1j, 2] against [1j, 1]: 1j * 1j + 2 * 1 = -1 + 2 = 1; a conjugated kernel would
    # give 1j * -1j + 2 = 3, a flipped one 1j * 1 + 2 * 1j = 3j.
    np.testing.assert_array_equal(reference_correlate([1j, 2], [1j, 1]), [1 + 0j])
    np.testing.assert_array_equal(reference_conv([[1j, 2]], [[[1j, 1]]]), [[1 + 0j]])


@pytest.mark.parametrize("stride", [(1, 1), (2, 1), (1, 3), (2, 2)])
@pytest.mark.parametrize("dilation", [(1, 1), (2, 1), (1, 2)])
@pytest.mark.parametrize("padding", [(0, 0), (1, 0), (0, 2), (2, 1)])
def test_conv2d_against_scipy_on_numpy_pad(stride, dilation, padding) -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(-9, 10, (2, 7, 8))
    w = rng.integers(-9, 10, (3, 2, 2, 3))
    bias = np.array([100, -200, 300])
    got = reference_conv(x, w, bias, stride=stride, padding=padding, dilation=dilation)
    expected = []
    for o in range(3):
        acc = bias[o]
        for c in range(2):
            grid = np.pad(x[c], [(p, p) for p in padding])
            dilated = np.zeros((dilation[0] + 1, 2 * dilation[1] + 1), dtype=w.dtype)
            dilated[:: dilation[0], :: dilation[1]] = w[o, c]
            full = signal.correlate(grid, dilated, "valid", method="direct")
            acc = acc + full[:: stride[0], :: stride[1]]
        expected.append(acc)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.stack(expected))
