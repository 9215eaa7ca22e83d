"""Bad input to the engine, the SciPy face, the loop reference, steps and data.photo.

Every row is one wrong call: the exception type and a message naming the parameter and
repeating the bad value. (tests/test_bad_input_layers.py covers shapes and layers.)
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from convdoc import convolve, correlate, reference_conv, reference_correlate, steps
from convdoc.data import photo
from convdoc.engine import correlate_padded, correlate_windows, extend

X = np.arange(8.0)
K = np.ones(3)
G = np.ones((1, 8))  # (C_in, n)
W = np.ones((1, 1, 3))  # (C_out, C_in, k)

CASES = [
    # ---- convolve / correlate: arrays
    (lambda: convolve([], K), ValueError, "x must not be empty, got array of shape (0,)"),
    (lambda: convolve(X, []), ValueError, "kernel must not be empty, got array of shape (0,)"),
    (lambda: convolve(["a", "b"], K), TypeError, "x must hold numbers"),
    (lambda: convolve(X, np.array([None, 1])), TypeError, "kernel must hold numbers"),
    (lambda: convolve([[1, 2], [3]], K), ValueError, "x must be a rectangular numeric array"),
    (lambda: convolve(5.0, 2.0), ValueError, "x must be 1-D or 2-D, got a 0-D array of shape ()"),
    (
        lambda: convolve(np.ones((2, 2, 2)), np.ones((1, 1, 1))),
        ValueError,
        "x must be 1-D or 2-D, got a 3-D array of shape (2, 2, 2)",
    ),
    (
        lambda: correlate(X, np.ones((2, 2))),
        ValueError,
        "x and kernel must have the same number of dimensions, got x of shape (8,) and "
        "kernel of shape (2, 2)",
    ),
    (
        lambda: convolve(np.ones((5, 2)), np.ones((2, 5)), "valid"),
        ValueError,
        "one of x and kernel must be at least as large as the other",
    ),
    # ---- convolve / correlate: options
    (
        lambda: convolve(X, K, "middle"),
        ValueError,
        "mode must be one of 'full', 'same', 'valid', got 'middle'",
    ),
    (lambda: convolve(X, K, 1), TypeError, "mode must be a string, one of"),
    (
        lambda: correlate(X, K, boundary="mirror"),
        ValueError,
        "boundary must be one of 'constant', 'edge', 'reflect', 'symmetric', 'wrap', got 'mirror'",
    ),
    (
        lambda: convolve(X, K, method="fast"),
        ValueError,
        "method must be one of 'auto', 'direct', 'fft', got 'fast'",
    ),
    (lambda: convolve(X, K, fillvalue="0"), TypeError, "fillvalue must be a number, got '0'"),
    (lambda: convolve(X, K, fillvalue=True), TypeError, "fillvalue must be a number, got True"),
    # ---- data.photo
    (lambda: photo(0), ValueError, "step must be a positive integer, got 0"),
    (lambda: photo(step=-2), ValueError, "step must be a positive integer, got -2"),
    (lambda: photo(513), ValueError, "step must be a positive integer at most 512, got 513"),
    (lambda: photo(2.0), TypeError, "step must be a positive integer, got 2.0"),
    (lambda: photo("2"), TypeError, "step must be a positive integer, got '2'"),
    (lambda: photo(True), TypeError, "step must be a positive integer, got True"),
    (lambda: photo(None), TypeError, "step must be a positive integer, got None"),
    (lambda: photo(grey="yes"), TypeError, "grey must be True or False, got 'yes'"),
    (lambda: photo(grey=1), TypeError, "grey must be True or False, got 1"),
    (lambda: photo(grey=None), TypeError, "grey must be True or False, got None"),
    # ---- engine
    (
        lambda: correlate_windows(G, W, stride=0),
        ValueError,
        "stride must be a positive integer, got 0",
    ),
    (
        lambda: correlate_windows(G, W, stride=1.5),
        TypeError,
        "stride must be a positive integer, got 1.5",
    ),
    (
        lambda: correlate_windows(G, W, dilation=True),
        TypeError,
        "dilation must be a positive integer, got True",
    ),
    (
        lambda: correlate_windows(np.ones((1, 4, 4)), np.ones((1, 1, 2, 2)), dilation=(1, 0)),
        ValueError,
        "dilation[1] must be a positive integer, got 0",
    ),
    (
        lambda: correlate_windows(np.ones((1, 4, 4)), np.ones((1, 1, 2, 2)), stride=(1, 2, 3)),
        ValueError,
        "stride must be an integer or a sequence of 2 integers, got (1, 2, 3)",
    ),
    (
        lambda: correlate_windows(G, np.ones((1, 2, 3))),
        ValueError,
        "weight has 2 input channels (shape (1, 2, 3)) but grid has 1 (shape (1, 8))",
    ),
    (
        lambda: correlate_windows(G, np.ones(3)),
        ValueError,
        "weight must be (C_out, C_in, *kernel) with 3 axes",
    ),
    (lambda: correlate_windows(X, K), ValueError, "grid must be (C_in, *spatial)"),
    (
        lambda: correlate_windows(G, np.ones((1, 1, 9))),
        ValueError,
        "the kernel spans (9,) samples",
    ),
    (lambda: correlate_windows(G, W, method="slow"), ValueError, "method must be one of"),
    (lambda: extend(X, ((1, 1),), "mirror"), ValueError, "mode must be one of"),
    (lambda: extend(X, (1, 1)), TypeError, "pad must be a sequence of (before, after) pairs"),
    (lambda: extend(X, ((1.0, 1),)), TypeError, "pad[0] before must be an integer, got 1.0"),
    (lambda: extend(X, ((1, 1), (1, 1))), ValueError, "pad has 2 (before, after) pairs"),
    (lambda: extend(X, ((-5, -3),)), ValueError, "pad (-5, -3) leaves no samples of axis 0"),
    (lambda: extend(X, ((1, 1),), fillvalue=None), TypeError, "fillvalue must be a number"),
    (
        lambda: correlate_padded(G, W, ((1, 1),), boundary="zero"),
        ValueError,
        "boundary must be one of",
    ),
    # ---- loop reference
    (
        lambda: reference_correlate(X, K, stride=0),
        ValueError,
        "stride must be a positive integer, got 0",
    ),
    (
        lambda: reference_correlate(X, K, dilation=2.0),
        TypeError,
        "dilation must be a positive integer, got 2.0",
    ),
    (lambda: reference_correlate([], K), ValueError, "x must not be empty"),
    (
        lambda: reference_conv(np.ones((1, 5)), W, padding=-1),
        ValueError,
        "padding must be a non-negative integer, got -1",
    ),
    (
        lambda: reference_conv(X, W),
        ValueError,
        "x must be 2-D or 3-D, got a 1-D array of shape (8,)",
    ),
    # ---- steps
    (
        lambda: steps(X, K, operation="convolution"),
        ValueError,
        "operation must be one of 'convolve', 'correlate', 'conv', 'conv_transpose', "
        "got 'convolution'",
    ),
    (
        lambda: steps(X, K, operation="conv", stride=0),
        ValueError,
        "stride must be a positive integer, got 0",
    ),
    (
        lambda: steps(X, K, operation="conv", dilation=1.5),
        TypeError,
        "dilation must be a positive integer, got 1.5",
    ),
    (
        lambda: steps(X, K, operation="conv", padding_mode="mirror"),
        ValueError,
        "padding_mode",
    ),
    (
        lambda: steps(X, K, operation="convolve", stride=2),
        ValueError,
        "stride does not apply to operation 'convolve'",
    ),
    (
        lambda: steps(X, K, operation="conv", mode="same"),
        ValueError,
        "mode does not apply to operation 'conv'",
    ),
    (
        lambda: steps(X, K, operation="conv_transpose", boundary="wrap"),
        ValueError,
        "boundary does not apply to operation 'conv_transpose'",
    ),
    (
        lambda: steps(X, np.ones(9)),
        ValueError,
        "in 'valid' mode steps needs the kernel to fit inside x, got x of shape (8,) and "
        "kernel of shape (9,)",
    ),
    (
        lambda: steps(X, K, operation="conv", bias=[1.0, 2.0]),
        ValueError,
        "bias must be one number (or shape (1,)) for a single-channel trace, got shape (2,)",
    ),
    (
        lambda: steps(np.zeros((400, 400)), np.ones((1, 1))),
        ValueError,
        "steps traces at most 100000 output positions, got 160000",
    ),
    (lambda: steps(X, np.ones((3, 3))), ValueError, "same number of dimensions"),
    (lambda: steps(X, K, mode="middle"), ValueError, "mode must be one of"),
    (lambda: steps(X, K).partial(-1), ValueError, "n must be in 0..5, got -1"),
    (lambda: steps(X, K).to_input(1.5), TypeError, "coord must be an integer, got 1.5"),
    # ---- issue 10: out-of-range integers and type confusion
    (
        lambda: correlate_windows(G, W, stride=10**19),
        ValueError,
        "stride must be a positive integer at most 9223372036854775807, got 10000000000000000000",
    ),
    (
        lambda: reference_correlate(X, K, dilation=2**63),
        ValueError,
        "dilation must be a positive integer at most 9223372036854775807, got 9223372036854775808",
    ),
    (
        lambda: steps(X, K, operation="conv", stride=10**400),
        ValueError,
        "stride must be a positive integer at most 9223372036854775807, got 1000000000000",
    ),
    (
        lambda: steps(X, K, operation="conv", padding_mode=np.array(["zeros", "zeros"])),
        TypeError,
        "padding_mode must be a string, one of 'zeros', 'reflect', 'replicate', 'circular', "
        "got array(['zeros', 'zeros']",
    ),
    # ---- issue 10: fill values (SciPy's rules where SciPy accepts, else a ValueError)
    (
        lambda: convolve(X, K, fillvalue=[1, 2]),
        ValueError,
        "fillvalue must be one number (or an array with one element), got [1, 2]",
    ),
    (
        lambda: correlate(X, K, fillvalue=[]),
        ValueError,
        "fillvalue must be one number (or an array with one element), got []",
    ),
    (
        lambda: convolve(X, K, fillvalue=1j),
        ValueError,
        "fillvalue must be real for real inputs (dtype float64), got 1j",
    ),
    (
        lambda: convolve(X, K, fillvalue=__import__("decimal").Decimal("0.5")),
        ValueError,
        "fillvalue must be an int, float or complex number, got Decimal('0.5') of type Decimal",
    ),
    (
        lambda: correlate(X, K, fillvalue=__import__("fractions").Fraction(1, 2)),
        ValueError,
        "fillvalue must be an int, float or complex number, got Fraction(1, 2) of type Fraction",
    ),
    (
        lambda: convolve(X, K, fillvalue=10**400),
        ValueError,
        "fillvalue must be within the float range for inputs of dtype float64, got 1000",
    ),
    (
        lambda: convolve(np.arange(8), np.ones(3, int), fillvalue=2**70),
        ValueError,
        "fillvalue must fit an integer dtype together with the inputs' int64 (integer results "
        "stay exact), got 1180591620717411303424",
    ),
    (
        lambda: convolve(np.arange(8), np.ones(3, int), fillvalue=np.array([2**70], dtype=object)),
        ValueError,
        "fillvalue must fit an integer dtype together with the inputs' int64",
    ),
    (
        lambda: correlate(np.arange(8), np.ones(3, int), fillvalue=2**63),
        ValueError,
        "integer results stay exact), got 9223372036854775808",
    ),
    (
        lambda: extend(np.arange(3, dtype=np.uint64), ((1, 1),), fillvalue=-1),
        ValueError,
        "fillvalue must fit an integer dtype together with the inputs' uint64",
    ),
    (
        lambda: steps(X, K, fillvalue=[0.5, 1.5]),
        ValueError,
        "fillvalue must be one number (or an array with one element), got [0.5, 1.5]",
    ),
    (lambda: correlate_padded(G, W, ((1, 1),), fillvalue=None), TypeError,
     "fillvalue must be a number, got None"),
    # ---- issue 10: requests too large fail fast, before computing
    (
        lambda: steps(X, K, operation="conv", padding=10**9),
        ValueError,
        "steps traces at most 100000 output positions, got 2000000006",
    ),
    (
        lambda: steps(X, K, operation="conv", padding=5 * 10**8, dilation=10**9),
        ValueError,
        "steps draws the padded input, at most 10000000 cells, got 1000000008",
    ),
    (
        lambda: steps(X, K, operation="conv_transpose", stride=10**9),
        ValueError,
        "steps traces at most 100000 output positions, got 7000000003",
    ),
    (
        lambda: reference_conv(np.ones((1, 2)), np.ones((1, 1, 1)), padding=10**10),
        ValueError,
        "the output of shape (20000000002,) would need 149 GiB, more than convdoc's limit",
    ),
    (
        lambda: correlate_padded(G, W, ((10**12, 10**12),)),
        ValueError,
        "the output of shape (1, 2000000000006) would need 14.6 TiB, more than convdoc's limit",
    ),
]


@pytest.mark.parametrize(("call", "exc", "message"), CASES)
def test_bad_input_is_rejected_with_a_clear_message(call, exc, message) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        call()


def test_inputs_never_modified_by_any_face() -> None:
    rng = np.random.default_rng(11)
    x = rng.standard_normal((9, 10))
    k = rng.standard_normal((3, 2))
    x0, k0 = x.copy(), k.copy()
    for mode in ("full", "same", "valid"):
        for boundary in ("constant", "edge", "reflect", "symmetric", "wrap"):
            convolve(x, k, mode, boundary=boundary, fillvalue=0)
            correlate(x, k, mode, boundary=boundary, fillvalue=0)
            steps(x, k, mode=mode, boundary=boundary)
    reference_correlate(x, k, stride=2)
    reference_conv(x[None], k[None, None], stride=2, padding=1)
    extend(x, ((2, 2), (1, 1)), "wrap")
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)
