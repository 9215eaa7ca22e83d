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
