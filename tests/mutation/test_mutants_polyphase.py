"""convdoc.plans.polyphase: phase_matmul's edge cases and its cost model (tests/MUTANTS.md).

``phase_matmul`` on a non-contiguous grid, with non-finite samples (the definition's
inf and NaN for real taps of one row, ``None`` where its products could differ, never a
warning) and with more than 1024 diagonals; oracle: the definition summed in Python
numbers. ``phase_matmul_cost`` only chooses among exact plans, so the result tests
cannot see it; its documented formula (the docstring) is checked at values worked by
hand.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from convdoc.plans import polyphase


@pytest.mark.parametrize(
    ("n_out", "k", "stride", "seconds"),
    [
        # q = ceil(4 / 4) = 1, windows apart: 3 us + 1 ns * 1000 outputs * 4 taps.
        (1000, 4, 4, 3e-6 + 4e-6),
        # q = ceil(5 / 4) = 2: 10 us + 1000 * (3 ns + 2 * 1 ns * (1 + 2/200)).
        (1000, 5, 4, 1e-5 + 1000 * (3e-9 + 2e-9 * 1.01)),
        # q = ceil(37 / 4) = 10: 10 us + 1000 * (3 ns + 10 ns * 1.05).
        (1000, 37, 4, 1e-5 + 1000 * (3e-9 + 1e-8 * 1.05)),
        # q = 400 / 2 = 200: 10 us + 500 * (3 ns + 200 ns * 2).
        (500, 400, 2, 1e-5 + 500 * (3e-9 + 2e-7 * 2)),
    ],
)
def test_phase_matmul_cost_is_its_documented_formula(n_out, k, stride, seconds) -> None:
    assert polyphase.phase_matmul_cost(n_out, k, stride) == pytest.approx(seconds, rel=1e-12)


def _loops(x, w, stride: int, n_out: int) -> list:
    """``out[i] = sum_t x[i*stride + t] * w[t]`` in Python numbers (0 * inf is NaN)."""
    xs, ws = [complex(v) if np.iscomplexobj(x) else float(v) for v in x], list(w.tolist())
    return [sum(xs[i * stride + t] * ws[t] for t in range(len(ws))) for i in range(n_out)]


def test_one_row_of_taps_reads_a_non_contiguous_grid() -> None:
    # k <= stride: the windows are a view of the grid itself, which must be contiguous.
    x = np.arange(1.0, 41.0)
    view = np.stack([x, -x], axis=1)[:, 0]
    assert not view.flags.c_contiguous
    w = np.array([2.0, -1.0, 3.0])
    got = polyphase.phase_matmul(view, w, 4, 10)
    np.testing.assert_array_equal(got, _loops(x, w, 4, 10))


def test_one_row_of_taps_keeps_the_definitions_inf_and_nan_silently() -> None:
    # Real taps, k <= stride: BLAS multiplies exactly the definition's products, so
    # the inf (overflow), the NaN of 0 * inf and a NaN sample are the answer, with no
    # warning. Small whole numbers elsewhere: every finite sum is exact.
    x = np.array([float(v % 7 - 3) for v in range(40)])
    x[5] = np.inf  # window 1, tap 0.0: NaN
    x[14] = np.nan  # window 3: NaN
    x[20] = 1e308  # window 5, tap 2.0: overflows to inf
    w = np.array([2.0, 0.0, -3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = polyphase.phase_matmul(x, w, 4, 10)
    expected = _loops(x, w, 4, 10)
    assert got is not None
    assert math.isnan(expected[1]) and math.isnan(expected[3]) and expected[5] == math.inf
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("k", [3, 9])
def test_complex_or_padded_taps_decline_a_non_finite_result_silently(k) -> None:
    # Complex products (k <= stride) and a zero-padded tap matrix (k > stride) may put
    # a NaN where the definition has none: the documented answer is None, no warning.
    x = np.arange(40) % 5 - 2.0
    x[9] = np.inf
    w = np.arange(1.0, k + 1)
    for grid, taps in ((x.astype(complex), w.astype(complex)), (x, w)):
        if k <= 4 and grid.dtype.kind == "f":
            continue  # real, one row of taps: the exact answer (test above)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert polyphase.phase_matmul(grid, taps, 4, (40 - k) // 4 + 1) is None


@pytest.mark.parametrize("dtype", [np.float32, np.complex64, np.float64])
def test_more_than_1024_diagonals(dtype) -> None:
    # k = 2049 taps at stride 2: q = ceil(2049 / 2) = 1025 diagonals, one more than the
    # cached row of ones; the sums stay in the data's dtype.
    rng = np.random.default_rng(1025)
    n_out = 3
    x = rng.integers(-3, 4, 2 * (n_out - 1) + 2049).astype(dtype)
    w = rng.integers(-3, 4, 2049).astype(dtype)
    got = polyphase.phase_matmul(x, w, 2, n_out)
    assert got is not None and got.dtype == dtype
    # Whole numbers below 2**24 in magnitude: exact even in float32.
    np.testing.assert_array_equal(got, _loops(x, w, 2, n_out))
