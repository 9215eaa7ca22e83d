"""Separable passes: a rank-one 2-D kernel as a row pass then a column pass.

What it is for: blurs and derivative filters (Gaussian, box, Sobel) whose
kernel is an outer product ``h = u v^T``: ``kh + kw`` multiply-adds per
pixel instead of ``kh * kw``. Rank one is judged by an SVD in float64 to the
result's precision (:func:`rank_one`); a kernel holding NaN or infinity
never is. Cost: :func:`cost`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from convdoc.plans import banded, direct
from convdoc.plans._common import all_finite, zero_pad

__all__ = ["SEPARABLE_DTYPES", "correlate", "cost", "rank_one"]

# Seconds for the SVD of a small kernel and the calls around the passes.
SEC_OVERHEAD_SEPARABLE = 2e-5

# Result dtypes the separable plan computes in (BLAS's real ones).
SEPARABLE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def rank_one(k: np.ndarray, dtype: np.dtype | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row factors (float64) if ``k`` is an outer product to ``dtype``'s rounding.

    ``dtype`` is the result's dtype (default: ``k``'s, or float64 for an integer
    or boolean kernel). The SVD always runs in float64, so a float32 kernel
    applied to a float64 image is only called separable if it is one to
    float64 precision. A kernel holding NaN or infinity is never separable (the
    two passes would not spread it the way the definition does), nor is one
    whose result needs more than float64 (longdouble) or that
    BLAS does not multiply natively (float16).
    """
    if dtype is None:
        dtype = k.dtype if k.dtype.kind == "f" else np.dtype(np.float64)
    if dtype not in SEPARABLE_DTYPES or k.dtype.kind not in "biuf" or k.dtype == np.longdouble:
        return None
    if not all_finite(k):
        return None
    if k.size <= _REMEMBERED_TAPS:
        # A kernel is usually applied to many images: its SVD (a third of a
        # millisecond for 63x63) is worked out once per kernel, dtype and result dtype.
        return _rank_one_of(k.tobytes(), k.shape, k.dtype.str, dtype.str)
    return _rank_one(k, dtype)


# Kernels up to this many taps have their verdict remembered (63x63 is 3969).
_REMEMBERED_TAPS = 4096


@functools.lru_cache(maxsize=64)
def _rank_one_of(
    taps: bytes, shape: tuple[int, ...], kernel_dtype: str, dtype: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_rank_one` of the kernel these bytes hold; the factors are read-only."""
    k = np.frombuffer(taps, dtype=np.dtype(kernel_dtype)).reshape(shape)
    factors = _rank_one(k, np.dtype(dtype))
    if factors is not None:
        for f in factors:
            f.flags.writeable = False
    return factors


def _rank_one(k: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`rank_one` of a finite kernel of a dtype it handles, worked out."""
    k64 = k.astype(np.float64)
    # A quick gate before the SVD (which costs milliseconds for a 63x63 kernel):
    # a rank-one kernel is its pivot row times its pivot column over the pivot;
    # a kernel that is far from that is not separable at any precision.
    i, j = np.unravel_index(np.argmax(np.abs(k64)), k64.shape)
    if k64[i, j] == 0:
        return None
    residual = np.abs(k64 - np.outer(k64[:, j], k64[i] / k64[i, j])).max()
    if residual > 1e3 * max(k.shape) * np.finfo(dtype).eps * abs(k64[i, j]):
        return None
    u, s, vt = np.linalg.svd(k64)
    if s[0] == 0 or s[1:].max(initial=0) > s[0] * max(k.shape) * 8 * np.finfo(dtype).eps:
        return None
    scale = math.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def correlate(
    x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...], out_shape: tuple[int, ...]
) -> np.ndarray:
    """Rank-one 2-D kernel as a pass along the columns then one along the rows.

    Each pass is a shift-and-add (:func:`convdoc.plans.direct.shift_add_single`)
    or a banded GEMM (:mod:`convdoc.plans.banded`), whichever is priced
    cheaper (short float32 passes are shifted sums, the rest banded).
    """
    dtype = np.result_type(x, w)
    factors = rank_one(w[0, 0], dtype)
    if factors is None:  # planner.choose checked; only reachable if called directly
        raise ValueError("the kernel is not separable")
    col, row = factors
    grid = zero_pad(x[0], pad).astype(dtype, copy=False)
    oh, ow = out_shape
    row, col = row.astype(dtype), col.astype(dtype)
    if _shifted(grid.shape[0], ow, row.size, dtype):
        rows = direct.shift_add_single(grid, row[None], (1, 1), (1, 1), (grid.shape[0], ow), dtype)
    else:
        rows = np.empty((grid.shape[0], ow), dtype)
        banded.along_columns(grid, row, ow, rows)
    if _shifted(ow, oh, col.size, dtype):
        return direct.shift_add_single(rows, col[:, None], (1, 1), (1, 1), (oh, ow), dtype)[None]
    out = np.empty((oh, ow), dtype)
    banded.along_rows(rows, col, oh, out)
    return out[None]


def _shifted(n_rows: int, n_out: int, k: int, dtype: np.dtype) -> bool:
    """Whether a pass of ``k`` taps is cheaper as shifted sums than as a banded GEMM."""
    return _pass_cost(n_rows, n_out, k, dtype, shifted=True) <= _pass_cost(
        n_rows, n_out, k, dtype, shifted=False
    )


def _pass_cost(n_rows: int, n_out: int, k: int, dtype: np.dtype, *, shifted: bool) -> float:
    if shifted:
        return direct.shift_add_cost((1, 1, k), (n_rows * n_out,), None, dtype)
    return banded.cost(n_rows, n_out, k, dtype)


def cost(
    x_shape: tuple[int, ...],
    k: tuple[int, ...],
    pad: tuple[tuple[int, int], ...],
    dtype: np.dtype = SEPARABLE_DTYPES[1],
) -> float:
    """Estimated seconds of :func:`correlate`: the SVD, then two banded passes."""
    height, width = (n + b + a for n, (b, a) in zip(x_shape[1:], pad, strict=True))
    oh, ow = height - k[0] + 1, width - k[1] + 1
    passes = (
        min(_pass_cost(rows, n, ki, dtype, shifted=s) for s in (True, False))
        for rows, n, ki in ((height, ow, k[1]), (ow, oh, k[0]))
    )
    return SEC_OVERHEAD_SEPARABLE + sum(passes)
