"""convdoc._spectra's route choice, which the result tests cannot see (tests/MUTANTS.md).

Both routes of ``spectrum`` give the same numbers (tests/test_spectra.py), so a wrong
cost model only costs time. These tests pin the documented model (module docstring):
two DFT-row products, ``k0*k1*f1 + n0*k0*f1`` complex multiply-adds, are taken when
they are fewer than a transform's ``n0*n1*log2(n0*n1)``, with ``f1 = n1`` frequencies
for complex taps and ``n1 // 2 + 1`` for real ones. The costs are worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import fft as sp_fft

from convdoc import _spectra

CASES = [
    # taps, shape, complex: DFT-row cost vs transform cost -> rows?
    ((1, 2), (2, 2), False, False),  # f1 = 2: 2*2 + 2*2 = 8, not below 4*log2(4) = 8
    ((1, 1), (1, 3), False, True),  # f1 = 2: 2 + 2 = 4 < 3*log2(3) = 4.75
    ((3, 4), (64, 72), False, True),  # f1 = 37: 444 + 7104 = 7548 < 4608*log2(4608) = 56079
    ((3, 4), (64, 72), True, True),  # f1 = 72: 864 + 13824 = 14688 < 56079
    ((7, 7), (16, 16), False, True),  # f1 = 9: 441 + 1008 = 1449 < 256*8 = 2048
    ((7, 7), (16, 16), True, False),  # f1 = 16: 784 + 1792 = 2576, not below 2048
    ((1, 5), (9, 10), False, True),  # f1 = 6: 30 + 54 = 84 < 90*log2(90) = 584
]


@pytest.mark.parametrize(("taps", "shape", "is_complex", "rows"), CASES)
def test_the_cost_model_picks_the_route(taps, shape, is_complex, rows, monkeypatch) -> None:
    calls = []
    real_dft = _spectra._dft

    def counting_dft(*args):
        calls.append(args)
        return real_dft(*args)

    monkeypatch.setattr(_spectra, "_dft", counting_dft)
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal(taps)
    if is_complex:
        a = a + 1j * rng.standard_normal(taps)
    got = _spectra.spectrum(a, shape, is_complex, -1)
    assert bool(calls) is rows
    # Whichever route ran, the spectrum is the zero-extended transform.
    expected = (sp_fft.fftn if is_complex else sp_fft.rfftn)(a, shape)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


# The DFT-matrix products run on one BLAS thread from MIN_BLAS_MACS (8192) multiply-adds,
# counted as batch * (k1 + n0) * k0 * f1 (the row product's k0*k1*f1 and the column
# product's n0*k0*f1 per batch entry), f1 = n1 for complex taps, n1 // 2 + 1 for real.
# Worked by hand (each also cheaper than the transform, see CASES' rule):
BLAS_CASES = [
    # a's shape, transform shape, complex, BLAS on one thread?
    ((4, 8), (120, 31), False, True),  # f1 = 16: (8 + 120) * 4 * 16 = 8192
    ((4, 7), (120, 31), False, False),  # (7 + 120) * 4 * 16 = 8128
    ((4, 8), (120, 16), True, True),  # f1 = 16: 128 * 4 * 16 = 8192
    ((4, 7), (120, 16), True, False),  # 127 * 4 * 16 = 8128
    ((2, 2, 8), (120, 31), False, True),  # batch 2: 2 * 128 * 2 * 16 = 8192
    ((2, 2, 7), (120, 31), False, False),  # 2 * 127 * 2 * 16 = 8128
]


@pytest.mark.parametrize(("a_shape", "shape", "is_complex", "one"), BLAS_CASES)
def test_the_dft_products_hold_blas_from_8192_multiply_adds(
    monkeypatch, a_shape, shape, is_complex, one
) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from convdoc import threads

    def blas_counts() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    seen: list[set[int]] = []
    lookup = _spectra._dft

    def spy(*args):  # the DFT matrices are looked up inside the block
        seen.append(blas_counts())
        return lookup(*args)

    monkeypatch.setattr(_spectra, "_dft", spy)
    monkeypatch.setattr(threads, "_count", 2)
    rng = np.random.default_rng(3)
    a = rng.standard_normal(a_shape)
    if is_complex:
        a = a + 1j * rng.standard_normal(a_shape)
    with threadpool_limits(limits=2, user_api="blas"):
        if blas_counts() != {2}:
            pytest.skip("no BLAS whose count threadpoolctl can set to 2")
        got = _spectra.spectrum(a, shape, is_complex, -1)
        assert blas_counts() == {2}  # restored
    assert len(seen) == 2 and all(c == ({1} if one else {2}) for c in seen)
    expected = (sp_fft.fftn if is_complex else sp_fft.rfftn)(a, shape, axes=(-2, -1))
    np.testing.assert_allclose(got, expected, atol=1e-9)
