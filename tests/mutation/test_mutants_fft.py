"""Tests that kill mutants of convdoc/plans/fft.py (tests/MUTANTS.md).

``exact_enough`` first asks SciPy's rule: the largest possible sum,
``max|x| * max|w| * C_in * kh * kw``, must fit the float64 mantissa (at most
``2**52 - 1``). With one non-zero sample and one non-zero tap the norms equal those
maxima and the rounding bound stays far below 1/4, so this rule alone decides; the
products and factorisations below are worked by hand.
"""

from __future__ import annotations

import numpy as np

from convdoc.plans import fft


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
