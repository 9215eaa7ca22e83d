"""Tests that kill mutants of convdoc/plans/banded.py (tests/MUTANTS.md).

Oracles: the sums of the definition written as loops in the test (float64), and
:func:`cost`'s documented formula worked by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from convdoc.plans import banded


def _loop_columns(grid, taps, n_out):
    out = np.zeros((grid.shape[0], n_out))
    for c in range(n_out):
        for j in range(taps.size):
            out[:, c] += grid[:, c + j].astype(np.float64) * float(taps[j])
    return out


@pytest.mark.parametrize("n_out", [1, 15, 16, 17, 32, 40])
@pytest.mark.parametrize("k", [1, 3, 7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_along_columns_and_rows_are_the_loops(n_out, k, dtype) -> None:
    rng = np.random.default_rng(n_out * 10 + k)
    grid = rng.standard_normal((5, n_out + k - 1 + 2)).astype(dtype)  # two columns spare
    taps = rng.standard_normal(k).astype(dtype)
    expected = _loop_columns(grid, taps, n_out)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    out = np.full((5, n_out), np.nan, dtype)
    banded.along_columns(grid, taps, n_out, out)
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)
    # A strided view of a wider array, as the documented "out may be a strided view".
    wide = np.full((5, 2 * n_out), np.nan, dtype)
    banded.along_columns(grid, taps, n_out, wide[:, ::2])
    np.testing.assert_allclose(wide[:, ::2], expected, rtol=tol, atol=tol)
    assert np.isnan(wide[:, 1::2]).all()
    out_rows = np.full((n_out, 5), np.nan, dtype)
    banded.along_rows(np.ascontiguousarray(grid.T), taps, n_out, out_rows)
    np.testing.assert_allclose(out_rows, expected.T, rtol=tol, atol=tol)


@pytest.mark.parametrize("zero_rows", [(), (0,), (1,), (0, 2), (0, 1, 2)])
def test_correlate2d_is_the_loop_with_rows_of_zeros(zero_rows) -> None:
    rng = np.random.default_rng(5)
    grid = rng.standard_normal((20, 37))
    h = rng.standard_normal((3, 4))
    h[list(zero_rows)] = 0.0
    oh, ow = 18, 34
    expected = np.zeros((oh, ow))
    for i in range(3):
        for j in range(4):
            expected += grid[i : i + oh, j : j + ow] * h[i, j]
    got = banded.correlate2d(grid, h, (oh, ow))
    assert got.shape == (oh, ow) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("n_rows", "n_out", "k", "seconds"), [
    # ceil(n_out / 16) * 3e-6 + 1.5e-10 * n_rows * n_out * (16 + k - 1):
    # 3 blocks: 9e-6 + 1.5e-10 * 10*33*18 = 9e-6 + 8.91e-7.
    (10, 33, 3, 9.891e-6),
    # 2 blocks: 6e-6 + 1.5e-10 * 2*32*20 = 6e-6 + 1.92e-7.
    (2, 32, 5, 6.192e-6),
    # 1 block: 3e-6 + 1.5e-10 * 16 = 3e-6 + 2.4e-9.
    (1, 1, 1, 3.0024e-6),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cost_is_the_documented_formula(n_rows, n_out, k, seconds, dtype) -> None:
    assert banded.cost(n_rows, n_out, k, np.dtype(dtype)) == pytest.approx(seconds, rel=1e-12)


def test_complex_taps_and_images_keep_their_imaginary_parts() -> None:
    # complex128 is a BLAS dtype: the band and the partial sums must hold complex values.
    rng = np.random.default_rng(8)
    grid = rng.standard_normal((9, 21)) + 1j * rng.standard_normal((9, 21))
    h = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    oh, ow = 8, 19
    expected = np.zeros((oh, ow), np.complex128)
    for i in range(2):
        for j in range(3):
            expected += grid[i : i + oh, j : j + ow] * h[i, j]
    got = banded.correlate2d(grid, h, (oh, ow))
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 7, 31])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_the_band_is_its_definition_and_the_kept_index_stays_unchanged(k, dtype) -> None:
    # T[c + j, c] = taps[j], zero elsewhere, written as loops; built twice, so an
    # index kept from the first build and changed by it would show in the second.
    rng = np.random.default_rng(k)
    taps = rng.standard_normal(k).astype(dtype)
    if np.dtype(dtype).kind == "c":
        taps = taps + 1j * rng.standard_normal(k)
    expected = np.zeros((banded.BLOCK + k - 1, banded.BLOCK), dtype)
    for c in range(banded.BLOCK):
        for j in range(k):
            expected[c + j, c] = taps[j]
    for _ in range(2):
        band = banded._band(taps, banded.BLOCK)
        assert band.dtype == dtype and band.flags.c_contiguous
        np.testing.assert_array_equal(band, expected)
    with pytest.raises(ValueError, match="read-only"):
        banded._band_index(k, banded.BLOCK)[0, 0] = 5
