"""Pooling: a reduction (max or sum) over every window, by strided views.

A box window is separable: reduce each window's columns first, then its
rows. Along one axis with window ``k`` and stride ``s``, the reduction over
all windows is ``k - 1`` elementwise ufunc calls (:func:`numpy.maximum`,
:func:`numpy.add`) of strided views of the grid, each covering every window
at once: ``out = ufunc(grid[..., 0::s], grid[..., 1::s], ...)`` cut to the
kept windows. Work ``(k0 + k1) * outputs``, no window is ever copied.

* :func:`reduce_windows` on a padded grid (padding is a fill value: minus
  infinity for the max, zero for a sum): the common case;
* :func:`box_reduce` when the padded grid would dwarf the input (huge
  padding): each window is reduced over the pixels it covers with
  :meth:`numpy.ufunc.reduceat`, so memory follows the input and the output.

What it is for: ``max_pool2d`` and ``avg_pool2d``. NaN propagates through
:func:`numpy.maximum` as through PyTorch's max pooling. Cost: about one pass
over the grid per tap of each axis.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["box_reduce", "grid_is_small", "reduce_windows"]


def grid_is_small(arr: np.ndarray, pads: tuple[tuple[int, int], ...]) -> bool:
    """The padded grid costs at most a few times the input itself."""
    spatial = zip(arr.shape[1:], pads, strict=True)
    cells = arr.shape[0] * math.prod(n + b + a for n, (b, a) in spatial)
    return cells <= 4 * arr.size + (1 << 16)


def reduce_windows(
    ufunc: np.ufunc, grid: np.ndarray, k: tuple[int, int], s: tuple[int, int]
) -> np.ndarray:
    """``ufunc`` over every ``k`` window of the (padded) ``grid`` ``(C, H, W)``, stride ``s``.

    Returns ``(C, H_out, W_out)`` with ``H_out = (H - k0) // s0 + 1`` (likewise
    W), a new C-contiguous array of ``grid``'s dtype.
    """
    h, w = grid.shape[1:]
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    # Columns first: (C, H, W_out); then rows of that: (C, H_out, W_out).
    cols = np.array(grid[:, :, 0 : s[1] * (ow - 1) + 1 : s[1]])
    for j in range(1, k[1]):
        ufunc(cols, grid[:, :, j : j + s[1] * (ow - 1) + 1 : s[1]], out=cols)
    out = np.array(cols[:, 0 : s[0] * (oh - 1) + 1 : s[0]])
    for i in range(1, k[0]):
        ufunc(out, cols[:, i : i + s[0] * (oh - 1) + 1 : s[0]], out=out)
    return out


def box_reduce(
    ufunc: np.ufunc,
    arr: np.ndarray,
    k: tuple[int, int],
    s: tuple[int, int],
    pads: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """``ufunc`` over every pooling window, restricted to the pixels it covers.

    A box reduction is separable: reduce the rows of each window, then its
    columns. Along an axis, window ``i`` covers input cells ``[i*s - p,
    i*s - p + k)`` clipped to ``[0, n)`` (never empty: padding is at most half
    the window). Work and memory follow the input and the output, not the
    padding or the window size.
    """
    for axis, (ki, si, (p, _)) in enumerate(zip(k, s, pads, strict=True), start=1):
        n = arr.shape[axis]
        n_out = (n + 2 * p - ki) // si + 1
        starts = np.arange(n_out, dtype=np.int64) * si - p
        bounds = np.empty(2 * n_out, dtype=np.intp)
        bounds[0::2] = np.clip(starts, 0, n)
        bounds[1::2] = np.clip(starts + ki, 0, n)
        # reduceat reduces [bounds[j], bounds[j + 1]): the even entries are the
        # windows. One extra cell keeps a window ending at n a valid index.
        padded = np.concatenate([arr, arr.take([0], axis=axis)], axis=axis)
        arr = ufunc.reduceat(padded, bounds, axis=axis)
        arr = arr.take(np.arange(0, 2 * n_out, 2), axis=axis)
    return arr
