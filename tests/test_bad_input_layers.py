"""Bad input to shapes and layers: the right exception, naming the parameter and the bad value."""

from __future__ import annotations

import numpy as np
import pytest

from convdoc.layers import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool2d,
)
from convdoc.shapes import output_size, transposed_output_size

X1 = np.arange(6.0)
W1 = np.ones(3)
X2 = np.ones((5, 5))
W2 = np.ones((3, 3))
XC = np.ones((2, 6))  # (C_in, L)
WC = np.ones((4, 2, 3))  # (C_out, C_in, k)

CASES = [
    # ---- shapes
    (lambda: output_size(0, 3), ValueError, "n must be a positive integer, got 0"),
    (lambda: output_size(5, 0), ValueError, "k must be a positive integer, got 0"),
    (lambda: output_size(5.0, 3), TypeError, "n must be a positive integer, got 5.0"),
    (lambda: output_size(5, 3, stride=0), ValueError, "stride must be a positive integer, got 0"),
    (
        lambda: output_size(5, 3, stride=True),
        TypeError,
        "stride must be a positive integer, got True",
    ),
    (
        lambda: output_size(5, 3, padding=-1),
        ValueError,
        "padding must be a non-negative integer, got -1",
    ),
    (
        lambda: output_size(5, 3, dilation=0),
        ValueError,
        "dilation must be a positive integer, got 0",
    ),
    (lambda: output_size((5, 0), 3), ValueError, r"n\[1\] must be a positive integer, got 0"),
    (lambda: output_size((5, 5), (3, 3, 3)), ValueError, "n has 2, k has 3"),
    (lambda: output_size((), 3), ValueError, "at least one entry"),
    (lambda: output_size(2, 3), ValueError, r"padded input size 2 .* dilated kernel size 3"),
    (
        lambda: output_size(4, 3, dilation=2),
        ValueError,
        r"dilated kernel size 5 \(k=3, dilation=2\)",
    ),
    (lambda: output_size((9, 2), 3), ValueError, "along axis 1"),
    (
        lambda: transposed_output_size(3, 3, stride=2, output_padding=2),
        ValueError,
        "output_padding must be smaller than stride or dilation, "
        "got output_padding=2 with stride=2",
    ),
    (
        lambda: transposed_output_size(3, 3, output_padding=1),
        ValueError,
        "output_padding=1 with stride=1 and dilation=1",
    ),
    (
        lambda: transposed_output_size(1, 1, padding=1),
        ValueError,
        "padding=1 removes the whole output",
    ),
    (
        lambda: transposed_output_size(3, 3, output_padding=-1),
        ValueError,
        "output_padding must be a non-negative integer, got -1",
    ),
    # ---- conv1d / conv2d: arrays
    (lambda: conv1d("abc", W1), TypeError, "x must hold numbers"),
    (lambda: conv1d([], W1), ValueError, "x must not be empty"),
    (
        lambda: conv1d(X1, [[1, 2], [3, 4]]),
        ValueError,
        "weight must be 1-D or 3-D, got a 2-D array",
    ),
    (lambda: conv2d(X2, W1), ValueError, "weight must be 2-D or 4-D, got a 1-D array"),
    (
        lambda: conv1d(XC, W1),
        ValueError,
        r"x must be 1-D \(L,\) when weight is .* got x of shape \(2, 6\)",
    ),
    (lambda: conv1d(X1, WC), ValueError, r"x must be 2-D \(C_in, L\) .* got x of shape \(6,\)"),
    (lambda: conv1d(np.ones((3, 6)), WC), ValueError, "expects 2 input channels, but x of shape"),
    (
        lambda: conv2d(np.ones((1, 5, 5)), np.ones((1, 2, 3, 3))),
        ValueError,
        "expects 2 input channels",
    ),
    # ---- conv1d / conv2d: parameters
    (lambda: conv1d(X1, W1, stride=0), ValueError, "stride must be a positive integer, got 0"),
    (lambda: conv1d(X1, W1, stride=1.5), TypeError, "stride must be a positive integer, got 1.5"),
    (
        lambda: conv2d(X2, W2, stride=(1, 0)),
        ValueError,
        r"stride\[1\] must be a positive integer, got 0",
    ),
    (
        lambda: conv2d(X2, W2, stride=(1, 1, 1)),
        ValueError,
        "stride must be an integer or a sequence of 2",
    ),
    (lambda: conv1d(X1, W1, dilation=0), ValueError, "dilation must be a positive integer, got 0"),
    (
        lambda: conv1d(X1, W1, padding=-1),
        ValueError,
        "padding must be a non-negative integer, got -1",
    ),
    (
        lambda: conv1d(X1, W1, padding="full"),
        ValueError,
        "padding must be one of 'valid', 'same', got 'full'",
    ),
    (
        lambda: conv1d(X1, W1, padding=None),
        TypeError,
        "padding must be a non-negative integer, got None",
    ),
    (
        lambda: conv1d(X1, W1, padding="same", stride=2),
        ValueError,
        "padding='same' needs stride 1 .* stride=2",
    ),
    (lambda: conv2d(X2, W2, padding="same", stride=(1, 2)), ValueError, r"stride=\(1, 2\)"),
    (
        lambda: conv1d(X1, W1, padding_mode="mirror"),
        ValueError,
        "padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'",
    ),
    (
        lambda: conv1d(X1, W1, padding=6, padding_mode="reflect"),
        ValueError,
        "padding_mode='reflect' needs padding smaller than the input size, "
        "got padding 6 for size 6",
    ),
    (
        lambda: conv1d(X1, W1, padding=7, padding_mode="circular"),
        ValueError,
        "padding_mode='circular' needs padding at most the input size, got padding 7 for size 6",
    ),
    (
        lambda: conv2d(np.ones((5, 2)), W2, padding=(1, 2), padding_mode="reflect"),
        ValueError,
        "got padding 2 for size 2 along spatial axis 1",
    ),
    (
        lambda: conv1d([1.0, 2.0], W1),
        ValueError,
        r"kernel does not fit .* padded input size 2 .* dilated kernel size 3",
    ),
    (
        lambda: conv1d(X1, W1, dilation=3),
        ValueError,
        r"dilated kernel size 7 \(kernel 3, dilation 3\)",
    ),
    # ---- bias
    (
        lambda: conv1d(XC, WC, bias=[1.0, 2.0]),
        ValueError,
        r"bias must be shape \(4,\), one per output channel, got shape \(2,\)",
    ),
    (lambda: conv1d(XC, WC, bias=1.0), ValueError, r"bias must be shape \(4,\).* got shape \(\)"),
    (
        lambda: conv1d(X1, W1, bias=[1.0, 2.0]),
        ValueError,
        r"bias must be a scalar or shape \(1,\), got shape \(2,\)",
    ),
    (lambda: conv1d(X1, W1, bias="b"), TypeError, "bias must hold numbers"),
    (
        lambda: conv1d(np.ones(5, np.int8), np.ones(2, np.int8), bias=1000),
        ValueError,
        r"bias must fit the result dtype int8 \(-128 to 127\), got 1000",
    ),
    (
        lambda: conv_transpose1d(np.ones(5, np.uint8), np.ones(2, np.uint8), bias=-1),
        ValueError,
        r"bias must fit the result dtype uint8 \(0 to 255\), got -1",
    ),
    # ---- transposed
    (lambda: conv_transpose1d(X1, [[1, 2]]), ValueError, "weight must be 1-D or 3-D"),
    (
        lambda: conv_transpose1d(XC, np.ones((3, 2, 2))),
        ValueError,
        r"weight \(C_in, C_out/groups, ...\) of shape \(3, 2, 2\) expects 3 input channels",
    ),
    (
        lambda: conv_transpose1d(X1, W1, stride=0),
        ValueError,
        "stride must be a positive integer, got 0",
    ),
    (
        lambda: conv_transpose1d(X1, W1, padding=-2),
        ValueError,
        "padding must be a non-negative integer, got -2",
    ),
    (
        lambda: conv_transpose1d(X1, W1, dilation=1.0),
        TypeError,
        "dilation must be a positive integer, got 1.0",
    ),
    (
        lambda: conv_transpose1d(X1, W1, stride=2, output_padding=2),
        ValueError,
        "output_padding must be smaller than stride or dilation",
    ),
    (
        lambda: conv_transpose2d(X2, W2, stride=(2, 1), output_padding=(1, 1)),
        ValueError,
        "along axis 1",
    ),
    (
        lambda: conv_transpose1d([1.0], [1.0], padding=1),
        ValueError,
        "padding=1 removes the whole output",
    ),
    (
        lambda: conv_transpose1d(XC, np.ones((2, 3, 2)), bias=[1.0]),
        ValueError,
        r"bias must be shape \(3,\)",
    ),
    (
        lambda: conv_transpose2d(np.ones((2, 3, 3)), np.ones((2, 2))),
        ValueError,
        r"x must be 2-D \(H, W\)",
    ),
    # ---- groups (PyTorch: weight (C_out, C_in/groups, k...); transposed (C_in, C_out/groups, ...))
    (lambda: conv1d(XC, WC, groups=0), ValueError, "groups must be a positive integer, got 0"),
    (lambda: conv1d(XC, WC, groups=-2), ValueError, "groups must be a positive integer, got -2"),
    (lambda: conv1d(XC, WC, groups=True), TypeError, "groups must be a positive integer, got True"),
    (lambda: conv2d(X2, W2, groups=2.0), TypeError, "groups must be a positive integer, got 2.0"),
    (
        lambda: conv1d(XC, np.ones((4, 1, 3)), groups="2"),
        TypeError,
        "groups must be a positive integer, got '2'",
    ),
    (
        lambda: conv1d(XC, WC, groups=np.array([2])),
        TypeError,
        r"groups must be a positive integer, got array\(\[2\]\)",
    ),
    (
        lambda: conv1d(XC, WC, groups=10**19),
        ValueError,
        r"groups must be a positive integer at most 9223372036854775807",
    ),
    (
        # C_in = 3 is not a multiple of 2.
        lambda: conv1d(np.ones((3, 6)), np.ones((4, 1, 3)), groups=2),
        ValueError,
        r"groups=2 must divide the input channels C_in of x \(shape \(3, 6\)\), got 3",
    ),
    (
        # C_out = 3 is not a multiple of 2.
        lambda: conv1d(XC, np.ones((3, 1, 3)), groups=2),
        ValueError,
        r"groups=2 must divide the output channels C_out of weight .* got 3",
    ),
    (
        # groups=2 on 2 channels wants (C_out, 1, k), not (C_out, 2, k).
        lambda: conv1d(XC, WC, groups=2),
        ValueError,
        r"expects 4 input channels \(2 per group x 2 groups\), but x of shape \(2, 6\) has 2",
    ),
    (
        lambda: conv2d(np.ones((4, 5, 5)), np.ones((4, 2, 3, 3)), groups=4),
        ValueError,
        r"expects 8 input channels \(2 per group x 4 groups\)",
    ),
    (
        lambda: conv1d(X1, W1, groups=2),
        ValueError,
        r"groups=2 must divide the channel count of the single-channel form \(C_in = C_out = 1\)",
    ),
    (
        lambda: conv_transpose1d(np.ones((3, 4)), np.ones((3, 2, 2)), groups=2),
        ValueError,
        r"groups=2 must divide the input channels C_in of x \(shape \(3, 4\)\), got 3",
    ),
    (
        lambda: conv_transpose2d(X2, W2, groups=3),
        ValueError,
        r"groups=3 must divide the channel count of the single-channel form",
    ),
    (
        lambda: conv_transpose1d(XC, np.ones((2, 3, 2)), groups=np.float64(2)),
        TypeError,
        r"groups must be a positive integer, got np.float64\(2.0\)",
    ),
    (
        # Transposed bias: C_out = groups * weight.shape[1] = 2 * 3.
        lambda: conv_transpose1d(XC, np.ones((2, 3, 2)), bias=np.ones(3), groups=2),
        ValueError,
        r"bias must be shape \(6,\), one per output channel, got shape \(3,\)",
    ),
    (
        lambda: conv2d(np.ones((4, 5, 5)), np.ones((4, 1, 3, 3)), bias=np.ones(2), groups=4),
        ValueError,
        r"bias must be shape \(4,\)",
    ),
    # ---- pooling
    (lambda: max_pool2d(X1, 2), ValueError, "x must be 2-D or 3-D, got a 1-D array"),
    (
        lambda: avg_pool2d(np.ones((1, 1, 4, 4)), 2),
        ValueError,
        "x must be 2-D or 3-D, got a 4-D array",
    ),
    (lambda: max_pool2d(X2, 0), ValueError, "kernel_size must be a positive integer, got 0"),
    (lambda: max_pool2d(X2, 2.0), TypeError, "kernel_size must be a positive integer, got 2.0"),
    (lambda: avg_pool2d(X2, 2, stride=0), ValueError, "stride must be a positive integer, got 0"),
    (
        lambda: avg_pool2d(X2, 2, padding=-1),
        ValueError,
        "padding must be a non-negative integer, got -1",
    ),
    (
        lambda: max_pool2d(X2, 3, padding=2),
        ValueError,
        "padding must be at most half of kernel_size .* got padding 2 for kernel_size 3",
    ),
    (lambda: avg_pool2d(X2, (2, 3), padding=(1, 2)), ValueError, "along spatial axis 1"),
    (lambda: max_pool2d(np.ones((2, 2)), 3), ValueError, "kernel does not fit"),
    (
        lambda: max_pool2d(np.ones((2, 2), dtype=complex), 2),
        TypeError,
        "x must be real for max pooling",
    ),
    (lambda: avg_pool2d([["a"]], 1), TypeError, "x must hold numbers"),
    # ---- issue 10: out-of-range integers and type confusion
    (
        lambda: conv1d(X1, W1, stride=10**19),
        ValueError,
        r"stride must be a positive integer at most 9223372036854775807, got 10000000000000000000",
    ),
    (
        lambda: conv2d(X2, W2, dilation=2**63),
        ValueError,
        r"dilation must be a positive integer at most 9223372036854775807, got 9223372036854775808",
    ),
    (
        lambda: output_size(10, 3, padding=10**400),
        ValueError,
        r"padding must be a non-negative integer at most 9223372036854775807, got 10{20}",
    ),
    (
        lambda: max_pool2d(X2, 2, stride=np.array(1.5)),
        TypeError,
        r"stride must be a positive integer, got np.float64\(1.5\)",
    ),
    (
        lambda: conv1d(X1, W1, padding_mode=np.array(["zeros", "zeros"])),
        TypeError,
        r"padding_mode must be a string, one of .*got array\(\['zeros', 'zeros'\]",
    ),
    (
        lambda: conv1d(X1, W1, padding_mode=np.array(["zeros"])),
        TypeError,
        r"padding_mode must be a string, one of .*got array\(\['zeros'\]",
    ),
    (
        lambda: conv1d(np.arange(6), np.ones(3, int), padding_mode=np.array(["zeros"])),
        TypeError,
        r"padding_mode must be a string, one of .*got array\(\['zeros'\]",
    ),
    # ---- issue 10: requests too large fail fast, saying how much they need
    (
        lambda: conv1d(X1, W1, padding=5 * 10**10),
        ValueError,
        r"the output of shape \(1, 100000000004\) would need 745 GiB, more than convdoc's limit",
    ),
    (
        # 2*10**8 + 6 outputs (1.5 GiB) but a padded input of 6*10**8 + 6 cells.
        lambda: conv1d(X1, W1, padding=3 * 10**8, dilation=2 * 10**8),
        ValueError,
        r"the padded input of 600000006 cells would need 4.47 GiB",
    ),
    (
        lambda: conv_transpose1d(X1, W1, stride=10**9),
        ValueError,
        r"the output of shape \(1, 5000000003\) would need 37.3 GiB",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), CASES)
def test_bad_input_raises_a_message_naming_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_inputs_are_not_modified():
    x = np.arange(12.0).reshape(2, 6)
    w = np.ones((3, 2, 2))
    x0, w0 = x.copy(), w.copy()
    conv1d(x, w, padding=2, padding_mode="reflect")
    conv_transpose1d(np.ones((3, 4)), w, stride=2)
    max_pool2d(x, 2, padding=1)
    avg_pool2d(x, 2, padding=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
