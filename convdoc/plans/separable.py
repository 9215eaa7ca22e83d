"""Separable passes: a rank-one 2-D kernel as a row pass then a column pass.

What it is for: blurs and derivative filters (Gaussian, box, Sobel) whose
kernel is an outer product ``h = u v^T``: ``kh + kw`` multiply-adds per
pixel instead of ``kh * kw``. Rank one is judged by an SVD in float64 to the
result's precision (:func:`rank_one`); a kernel holding NaN or infinity
never is. Cost: :func:`cost`.
"""

from __future__ import annotations

import math

import numpy as np

from convdoc.plans._common import all_finite, zero_pad

__all__ = ["SEPARABLE_DTYPES", "correlate", "cost", "rank_one"]

# Rough seconds on a current x86 core (see benchmarks/bench.py).
SEC_PER_SEPARABLE_MAC = 1.0e-9  # scipy.ndimage.correlate1d


SEC_OVERHEAD_SEPARABLE = 1.5e-4  # includes the SVD of the kernel

# Result dtypes the separable plan computes in natively (scipy.ndimage.correlate1d).
SEPARABLE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def rank_one(k: np.ndarray, dtype: np.dtype | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row factors (float64) if ``k`` is an outer product to ``dtype``'s rounding.

    ``dtype`` is the result's dtype (default: ``k``'s, or float64 for an integer
    or boolean kernel). The SVD always runs in float64, so a float32 kernel
    applied to a float64 image is only called separable if it is one to
    float64 precision. A kernel holding NaN or infinity is never separable (the
    two passes would not spread it the way the definition does), nor is one
    whose result needs more than float64 (longdouble) or that
    :func:`scipy.ndimage.correlate1d` does not compute natively (float16).
    """
    if dtype is None:
        dtype = k.dtype if k.dtype.kind == "f" else np.dtype(np.float64)
    if dtype not in SEPARABLE_DTYPES or k.dtype.kind not in "biuf" or k.dtype == np.longdouble:
        return None
    if not all_finite(k):
        return None
    u, s, vt = np.linalg.svd(k.astype(np.float64))
    if s[0] == 0 or s[1:].max(initial=0) > s[0] * max(k.shape) * 8 * np.finfo(dtype).eps:
        return None
    scale = math.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def correlate(
    x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...], out_shape: tuple[int, ...]
) -> np.ndarray:
    """Rank-one 2-D kernel as a row pass then a column pass (scipy.ndimage)."""
    from scipy import ndimage

    dtype = np.result_type(x, w)
    factors = rank_one(w[0, 0], dtype)
    if factors is None:  # planner.choose checked; only reachable if called directly
        raise ValueError("the kernel is not separable")
    col, row = factors
    grid = zero_pad(x[0], pad).astype(dtype, copy=False)
    (kh, kw), (oh, ow) = w.shape[2:], out_shape
    # ndimage centres a length-k filter on tap k//2; keep the fully inside part.
    rows = ndimage.correlate1d(grid, row.astype(dtype), axis=1, mode="constant")
    rows = rows[:, kw // 2 : kw // 2 + ow]
    both = ndimage.correlate1d(rows, col.astype(dtype), axis=0, mode="constant")
    return both[kh // 2 : kh // 2 + oh][None]



def cost(
    x_shape: tuple[int, ...], k: tuple[int, ...], pad: tuple[tuple[int, int], ...]
) -> float:
    """Estimated seconds of :func:`correlate`: ``kh + kw`` multiply-adds per padded pixel."""
    grid = math.prod(n + b + a for n, (b, a) in zip(x_shape[1:], pad, strict=True))
    return SEC_OVERHEAD_SEPARABLE + SEC_PER_SEPARABLE_MAC * grid * sum(k)
