"""Compiled stencils: small single-channel 2-D filters as one numba-compiled loop.

What it is for: 3x3 to 7x7 image filters (Sobel, Laplacian, blurs, random
kernels) on float32 and float64 images, where NumPy needs one multiply pass
and one add pass over the whole image per tap and OpenCV's SIMD filter needs
one pass in all. Here every output row is computed once, in the cache: each
input row is extended by the boundary rule once into a ring of ``kh`` rows,
then ``out[r, c] = sum_i sum_j h[i, j] * ring[r + i][c + j]`` runs as ``kh * kw``
multiply-adds per pixel that LLVM vectorises; a rank-one kernel (a Gaussian)
runs as a column pass into one row then a row pass, ``kh + kw`` per pixel.
Boundaries are never materialised: the rows and columns outside the image are
index maps built by :func:`numpy.pad` on ``arange`` (every rule
:func:`convdoc.engine.extend` knows), or the fill value.

Every product is a multiply then an add (no fused multiply-add, no reordering:
numba's default, ``fastmath`` off), every tap is multiplied (a zero tap next to
an infinity gives the definition's NaN), and the sums are in the result's
dtype, as the NumPy plans compute them; only the order of the additions
differs. Other dtypes (integers, which must stay exact, float16, longdouble,
complex, bool) never come here.

numba is imported on the first call of :func:`load`, never by
``import convdoc``. The compiled code is cached on disk (``cache=True``): next
to this file when its folder is writable, else in the user's cache folder
(numba's own fallback, ``~/.cache/numba``), or in ``NUMBA_CACHE_DIR`` when set.
Cost: :func:`cost` per call, plus :data:`SEC_LOAD` once per process (import
numba, load the cached machine code).
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import numpy as np

from convdoc.plans._common import all_finite

__all__ = [
    "DTYPES",
    "available",
    "correlate2d",
    "cost",
    "load",
    "loaded",
    "unload",
    "worth_loading",
]

#: Result dtypes the compiled stencils compute in.
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: Largest kernel side sent here; longer kernels go to the banded/FFT plans.
MAX_TAPS_SIDE = 9

# Seconds per multiply-add per output (1 thread), per output for the row
# extension, and per call; measured by benchmarks/calibrate.py --stencil.
SEC_PER_MAC = {4: 1.0e-10, 8: 2.0e-10}
SEC_PER_OUTPUT = {4: 4.0e-10, 8: 6.0e-10}
SEC_CALL = 2.0e-5
#: Seconds to import numba, load the cached kernels and start numba's threads,
#: once per process (measured warm; compiling them the first time on a machine
#: takes tens of seconds more, then they are cached on disk).
SEC_LOAD = 1.5

_kernels: Any = None
_available: bool | None = None
# Seconds the stencil would have saved so far in this process while not loaded.
_saved = 0.0


def available() -> bool:
    """Whether numba can be imported (looked up once, without importing it)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def loaded() -> bool:
    """Whether :func:`load` has compiled or loaded the kernels in this process."""
    return _kernels is not None


def load() -> Any:
    """Import numba and define the compiled kernels (once); returns their namespace."""
    global _kernels
    if _kernels is None:
        from convdoc.plans import _stencil_kernels

        _kernels = _stencil_kernels
    return _kernels


def worth_loading(saving: float) -> bool:
    """Count ``saving`` seconds the stencil would save; load it once they pass :data:`SEC_LOAD`.

    The planner's tier-up: a program that filters a few small images never pays
    for numba, one that would save more than its load time does, once.
    """
    global _saved
    _saved += saving
    if _saved < SEC_LOAD:
        return False
    load()
    return True


def unload() -> None:
    """Forget the loaded kernels and the savings counted (numba stays imported)."""
    global _kernels, _saved
    _kernels = None
    _saved = 0.0


def index_map(n: int, before: int, after: int, boundary: str) -> np.ndarray:
    """Source index of every cell of an axis of ``n`` extended by ``(before, after)``.

    ``-1`` marks a cell holding the fill value (``boundary="constant"``).
    """
    idx = np.arange(n, dtype=np.intp)
    if boundary == "constant":
        return np.pad(idx, (before, after), mode="constant", constant_values=-1)
    return np.pad(idx, (before, after), mode=boundary)


def correlate2d(
    image: np.ndarray,
    h: np.ndarray,
    pad: tuple[tuple[int, int], tuple[int, int]],
    boundary: str,
    fillvalue: Any,
    dtype: np.dtype,
    factors: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``out[r, c] = sum_ij h[i, j] * ext[r + i, c + j]``, ``ext`` = ``image`` extended.

    ``pad`` (non-negative) and ``boundary``/``fillvalue`` say how: as
    :func:`convdoc.engine.extend`. ``factors`` (column, row), when given, run
    the two-pass form for a rank-one ``h``.
    """
    k = load()
    image = np.ascontiguousarray(image, dtype=dtype)
    (pt, pb), (pl, pr) = pad
    rmap = index_map(image.shape[0], pt, pb, boundary)
    cmap = index_map(image.shape[1], pl, pr, boundary)
    kh, kw = h.shape
    out = np.empty((rmap.size - kh + 1, cmap.size - kw + 1), dtype=dtype)
    fill = dtype.type(fillvalue)
    if factors is not None:
        col, row = (np.ascontiguousarray(f, dtype=dtype) for f in factors)
        with np.errstate(all="ignore"):  # warnings are the dense stencil's to give
            k.separable(image, col, row, rmap, cmap, pl, fill, out)
        # Finite outputs mean that every input sample read was finite and no partial
        # sum overflowed: then the two passes equal the definition to rounding. A NaN
        # or infinity must meet each tap as the definition has it (0 * inf is NaN,
        # where a zero tap is only zero to rounding in the factors): redo densely.
        if all_finite(out):
            return out
    k.dense(image, np.ascontiguousarray(h, dtype=dtype), rmap, cmap, pl, fill, out)
    return out


def cost(out_shape: tuple[int, int], k: tuple[int, int], dtype: np.dtype, *,
         separable: bool = False) -> float:
    """Estimated seconds of :func:`correlate2d` (kernels loaded; 1 thread)."""
    outputs = math.prod(out_shape)
    macs = (k[0] + k[1]) if separable else k[0] * k[1]
    item = 4 if dtype.itemsize <= 4 else 8
    return SEC_CALL + outputs * (macs * SEC_PER_MAC[item] + SEC_PER_OUTPUT[item])
