"""output_size / transposed_output_size against hand-worked arithmetic and real layer outputs.

The table is the set of classic cases of Dumoulin & Visin, "A guide to
convolution arithmetic for deep learning" (2016), with the arithmetic worked
by hand in the comments: o = floor((i + 2p - d(k-1) - 1) / s) + 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convdoc.layers import conv1d, conv_transpose1d
from convdoc.shapes import output_size, transposed_output_size

# (i, k, stride, padding, dilation, o, output_padding needed to get i back)
GUIDE_CASES = [
    # No zero padding, unit strides: (4 + 0 - 2 - 1) / 1 + 1 = 1 + 1 = 2
    pytest.param(4, 3, 1, 0, 1, 2, 0, id="no-padding-unit-stride"),
    # Arbitrary padding: (5 + 4 - 3 - 1) / 1 + 1 = 5 + 1 = 6
    pytest.param(5, 4, 1, 2, 1, 6, 0, id="arbitrary-padding"),
    # Half (same) padding, p = floor(k/2) = 1: (5 + 2 - 2 - 1) / 1 + 1 = 4 + 1 = 5
    pytest.param(5, 3, 1, 1, 1, 5, 0, id="half-padding"),
    # Full padding, p = k - 1 = 2: (5 + 4 - 2 - 1) / 1 + 1 = 6 + 1 = 7
    pytest.param(5, 3, 1, 2, 1, 7, 0, id="full-padding"),
    # No padding, stride 2: floor((5 + 0 - 2 - 1) / 2) + 1 = 1 + 1 = 2
    pytest.param(5, 3, 2, 0, 1, 2, 0, id="no-padding-stride-2"),
    # Padding 1, stride 2: floor((5 + 2 - 2 - 1) / 2) + 1 = 2 + 1 = 3
    pytest.param(5, 3, 2, 1, 1, 3, 0, id="padding-and-stride"),
    # Odd case: floor((6 + 2 - 2 - 1) / 2) + 1 = floor(2.5) + 1 = 3 (one input cell unused)
    pytest.param(6, 3, 2, 1, 1, 3, 1, id="padding-stride-odd"),
    # Dilation 2, kernel spans 2*(3-1)+1 = 5 cells: (7 + 0 - 4 - 1) / 1 + 1 = 2 + 1 = 3
    pytest.param(7, 3, 1, 0, 2, 3, 0, id="dilation-2"),
]


@pytest.mark.parametrize(("i", "k", "s", "p", "d", "o", "op"), GUIDE_CASES)
def test_guide_direct_sizes(i, k, s, p, d, o, op):
    assert output_size(i, k, stride=s, padding=p, dilation=d) == o


# The transposed counterparts, worked with (o - 1)s - 2p + d(k-1) + op + 1:
#   no-padding-unit-stride  (2-1)*1 - 0 + 1*2 + 0 + 1 = 1 + 2 + 1 = 4
#   arbitrary-padding       (6-1)*1 - 4 + 1*3 + 0 + 1 = 5 - 4 + 3 + 1 = 5
#   half-padding            (5-1)*1 - 2 + 1*2 + 0 + 1 = 4 - 2 + 2 + 1 = 5
#   full-padding            (7-1)*1 - 4 + 1*2 + 0 + 1 = 6 - 4 + 2 + 1 = 5
#   no-padding-stride-2     (2-1)*2 - 0 + 1*2 + 0 + 1 = 2 + 2 + 1 = 5
#   padding-and-stride      (3-1)*2 - 2 + 1*2 + 0 + 1 = 4 - 2 + 2 + 1 = 5
#   padding-stride-odd      (3-1)*2 - 2 + 1*2 + 1 + 1 = 4 - 2 + 2 + 1 + 1 = 6
#   dilation-2              (3-1)*1 - 0 + 2*2 + 0 + 1 = 2 + 4 + 1 = 7
@pytest.mark.parametrize(("i", "k", "s", "p", "d", "o", "op"), GUIDE_CASES)
def test_guide_transposed_sizes_give_back_the_input(i, k, s, p, d, o, op):
    assert transposed_output_size(o, k, stride=s, padding=p, output_padding=op, dilation=d) == i


def test_odd_case_without_output_padding_gives_the_smaller_input():
    # (3-1)*2 - 2 + 2 + 0 + 1 = 5: both i=5 and i=6 map to o=3, output_padding picks one.
    assert transposed_output_size(3, 3, stride=2, padding=1) == 5


def test_tuples_give_tuples_and_ints_broadcast():
    # Rows: (28 + 4 - 4 - 1) / 1 + 1 = 28; columns: floor((32 + 4 - 4 - 1) / 2) + 1 = 16.
    assert output_size((28, 32), 5, stride=(1, 2), padding=2) == (28, 16)
    assert output_size(10, (3, 5)) == (8, 6)
    # Rows: (4-1)*2 - 0 + 2 + 1 + 1 = 10; columns: (4-1)*1 - 0 + 2 + 0 + 1 = 6.
    assert transposed_output_size(4, 3, stride=(2, 1), output_padding=(1, 0)) == (10, 6)
    assert isinstance(output_size(5, 3), int)


def test_numpy_integers_and_arrays_are_accepted():
    assert output_size(np.int64(5), np.int32(3)) == 3
    assert output_size(np.array(5), 3) == 3
    # Rows: (5 - 2 - 1) / 1 + 1 = 3; columns: floor((6 - 2 - 1) / 2) + 1 = 2.
    assert output_size(np.array([5, 6]), 3, stride=np.array([1, 2])) == (3, 2)


def _window_starts(n: int, k: int, s: int, p: int, d: int) -> int:
    """Independent count: every start in the padded input where the dilated kernel fits."""
    span = d * (k - 1) + 1
    return len([start for start in range(0, n + 2 * p, s) if start + span <= n + 2 * p])


@st.composite
def conv_params(draw):
    k = draw(st.integers(1, 5))
    d = draw(st.integers(1, 3))
    s = draw(st.integers(1, 4))
    p = draw(st.integers(0, 3))
    span = d * (k - 1) + 1
    n = draw(st.integers(max(1, span - 2 * p), 20))
    return n, k, s, p, d


@given(conv_params())
def test_output_size_counts_the_window_positions(params):
    n, k, s, p, d = params
    assert output_size(n, k, stride=s, padding=p, dilation=d) == _window_starts(n, k, s, p, d)


@settings(max_examples=60)
@given(conv_params(), st.sampled_from(["zeros", "circular", "replicate"]))
def test_output_size_matches_conv1d(params, padding_mode):
    n, k, s, p, d = params
    assume(padding_mode != "circular" or p <= n)  # torch: circular padding at most the size
    x = np.arange(n, dtype=float)
    w = np.ones(k)
    out = conv1d(x, w, stride=s, padding=p, dilation=d, padding_mode=padding_mode)
    assert out.shape == (output_size(n, k, stride=s, padding=p, dilation=d),)


@settings(max_examples=60)
@given(conv_params(), st.data())
def test_transposed_size_matches_conv_transpose1d_and_inverts(params, data):
    n, k, s, p, d = params
    o = output_size(n, k, stride=s, padding=p, dilation=d)
    # The remainder the floor division forgot; it is < s, so torch's rule op < max(s, d) holds.
    op = (n + 2 * p - d * (k - 1) - 1) % s
    assert transposed_output_size(o, k, stride=s, padding=p, output_padding=op, dilation=d) == n
    y = np.ones(o)
    w = np.ones(k)
    extra = data.draw(st.integers(0, max(s, d) - 1))
    # A transposed convolution may crop everything; only compare when there is an output.
    if (o - 1) * s - 2 * p + d * (k - 1) + extra + 1 >= 1:
        out = conv_transpose1d(y, w, stride=s, padding=p, output_padding=extra, dilation=d)
        size = transposed_output_size(o, k, stride=s, padding=p, output_padding=extra, dilation=d)
        assert out.shape == (size,)
