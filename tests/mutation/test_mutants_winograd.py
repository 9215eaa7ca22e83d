"""Tests that kill mutants of convdoc/plans/winograd.py (tests/MUTANTS.md).

Each against an independent oracle: SciPy's correlate2d, or a bound worked by
hand from the float format's largest value.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from convdoc.plans import stencil, winograd

pytestmark = pytest.mark.skipif(not stencil.available(), reason="numba is not installed")


@pytest.mark.parametrize("rows_of_tiles", [9, 10])
def test_several_blocks_of_tile_rows_match_scipy(monkeypatch, rows_of_tiles) -> None:
    # Blocks of one tile row (2 output rows) each: the loop over blocks must cover
    # every row once, the last block short when the output rows are odd.
    monkeypatch.setattr(winograd, "_BLOCK_BYTES", 1)
    monkeypatch.setattr(winograd, "_MIN_COLUMNS", 1)
    rng = np.random.default_rng(11)
    n_rows = 2 * rows_of_tiles - 1
    x = rng.standard_normal((2, n_rows + 2, 13))
    w = rng.standard_normal((3, 2, 3, 3))
    got = winograd.correlate(x, w, ((0, 0), (0, 0)), (n_rows, 11), np.dtype(np.float64))
    for o in range(3):
        expected = sum(signal.correlate2d(x[c], w[o, c], "valid") for c in range(2))
        np.testing.assert_allclose(got[o], expected, rtol=1e-10, atol=1e-10)


def test_fits_is_the_bound_324_c_in_max_x_max_w_below_a_quarter_of_the_largest_float() -> None:
    # By hand: float32's largest value over 4, shared by 324 * C_in * max|w|.
    c_in, mw = 8, 2.0
    limit = float(np.finfo(np.float32).max) / 4 / (324 * c_in * mw)
    w = np.zeros((1, c_in, 3, 3))
    w[0, 0, 1, 1] = -mw  # the largest magnitude may be negative
    for scale, fits in ((0.95, True), (1.05, False)):
        x = np.zeros((c_in, 4, 4))
        x[0, 0, 0] = scale * limit
        assert winograd.fits(x, w, np.dtype(np.float32)) is fits, scale
        assert winograd.fits(-x, w, np.dtype(np.float32)) is fits, scale
