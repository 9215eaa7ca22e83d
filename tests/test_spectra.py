"""Kernel spectra from their taps (convdoc._spectra) against scipy.fft."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import fft as sp_fft

from convdoc import _spectra


def _random(rng, shape, is_complex):
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if is_complex else a


@pytest.mark.parametrize("is_complex", [False, True])
@pytest.mark.parametrize(
    ("taps", "shape"),
    [
        ((3, 4), (64, 72)),  # small kernel, big transform: DFT-row matrices
        ((7, 7), (16, 16)),  # kernel near the transform size: the FFT
        ((1, 5), (9, 10)),
        ((6,), (50,)),  # 1-D always transforms
    ],
)
def test_spectrum_equals_the_zero_extended_transform(taps, shape, is_complex) -> None:
    rng = np.random.default_rng(len(taps) + sum(shape))
    a = _random(rng, (2, 3, *taps), is_complex)  # batched leading axes
    axes = tuple(range(-len(shape), 0))
    forward = sp_fft.fftn if is_complex else sp_fft.rfftn
    expected = forward(a, shape, axes=axes)
    got = _spectra.spectrum(a, shape, is_complex, -1)
    assert got.shape == expected.shape and got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-11)
    # +1 is the spectrum that correlates: conj(FFT(conj(a))).
    conj = np.conj(sp_fft.fftn(np.conj(a), shape, axes=axes))
    if not is_complex:
        conj = conj[..., : shape[-1] // 2 + 1]
    np.testing.assert_allclose(_spectra.spectrum(a, shape, is_complex, 1), conj, atol=1e-11)


def test_the_cheaper_way_is_chosen_by_size() -> None:
    assert _spectra._matrices_cheaper((3, 3), (256, 256), False)
    assert not _spectra._matrices_cheaper((63, 63), (128, 128), False)


def test_dft_rows_match_the_fft_of_impulses_on_long_transforms() -> None:
    # t*f reaches 10**5 here; the rows must stay as exact as the FFT's twiddles.
    n = 2**15 + 3
    rows = _spectra._dft(5, n, True, -1)
    for t in range(5):
        impulse = np.zeros(n)
        impulse[t] = 1.0
        np.testing.assert_allclose(rows[t], sp_fft.rfft(impulse), atol=1e-12)
    assert not rows.flags.writeable
