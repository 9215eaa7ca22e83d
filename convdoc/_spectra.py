"""Spectra of short kernels from their taps, for FFT correlation.

Transforming a kernel for an FFT product means zero-extending its few taps to
the transform's size and transforming mostly zeros. Along each axis only the
taps' rows of the DFT matrix matter, so for a 2-D kernel much smaller than
the image two small matrix products give the same spectrum for a fraction of
the work: ``k0*k1*f1 + n0*k0*f1`` complex multiply-adds against the
``n0*n1*log2(n0*n1)`` of a transform (``f1`` frequencies kept on the last
axis, all ``n0`` on the first).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from convdoc import threads


def spectrum(a: np.ndarray, shape: tuple[int, ...], is_complex: bool, sign: int) -> np.ndarray:
    """``sum_t a[..., t] * exp(sign * 2j*pi * t.f / shape)`` over the trailing axes.

    Parameters
    ----------
    a : numpy.ndarray
        Taps on the last ``len(shape)`` (one or two) axes, each no longer
        than ``shape``; leading axes are batched.
    shape : tuple of int
        Transform length per axis.
    is_complex : bool
        False: ``a`` is real and only frequencies ``f <= n // 2`` of the last
        axis are returned (as :func:`scipy.fft.rfftn`).
    sign : {-1, 1}
        -1 gives the forward DFT (``rfftn``/``fftn`` of ``a`` zero-extended
        to ``shape``); +1 its conjugate for real ``a``, and
        ``conj(fftn(conj(a)))`` for complex ``a``.

    Returns
    -------
    numpy.ndarray
        Complex, C-contiguous, ``a.shape[:-len(shape)] + frequencies``.
    """
    # The DFT matrices are complex128: not for long double, which keeps its precision.
    if (
        len(shape) == 2
        and a.dtype.char in "fdFD"
        and _matrices_cheaper(a.shape[-2:], shape, is_complex)
    ):
        (k0, k1), f1 = a.shape[-2:], shape[-1] if is_complex else shape[-1] // 2 + 1
        # Products of a tenth of a millisecond: BLAS's own threads only wait for each other.
        with threads.blas_for_convdoc(math.prod(a.shape[:-2]) * (k1 + shape[-2]) * k0 * f1):
            spec = np.ascontiguousarray(a) @ _dft(k1, shape[-1], not is_complex, sign)
            return _dft(k0, shape[-2], False, sign).T @ spec
    from scipy import fft as sp_fft

    axes = tuple(range(-len(shape), 0))
    if sign < 0:
        return (sp_fft.fftn if is_complex else sp_fft.rfftn)(a, shape, axes=axes)
    if is_complex:
        return np.conj(sp_fft.fftn(np.conj(a), shape, axes=axes))
    spec = sp_fft.rfftn(a, shape, axes=axes)
    return np.conj(spec, out=spec)


def _matrices_cheaper(taps: tuple[int, ...], shape: tuple[int, ...], is_complex: bool) -> bool:
    """Two DFT-row products beat a transform (complex multiply-add ~ one FFT unit)."""
    (k0, k1), (n0, n1) = taps, shape
    f1 = n1 if is_complex else n1 // 2 + 1
    return k0 * k1 * f1 + n0 * k0 * f1 < n0 * n1 * math.log2(n0 * n1)


@functools.lru_cache(maxsize=64)
def _dft(taps: int, n: int, half: bool, sign: int) -> np.ndarray:
    """The ``(taps, f)`` matrix ``exp(sign * 2j*pi * t*f / n)``; ``f <= n//2`` if ``half``."""
    f = np.arange(n // 2 + 1 if half else n)
    # t*f mod n in integers keeps the phase exact for long transforms.
    matrix = np.exp((sign * 2j * np.pi / n) * (np.outer(np.arange(taps), f) % n))
    matrix.flags.writeable = False
    return matrix
