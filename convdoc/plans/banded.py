"""Banded GEMM: a 1-D correlation along an image axis as products with a banded tap matrix.

``y[c] = sum_j x[c + j] h[j]`` for ``B`` consecutive outputs ``c`` is the
product of the ``B + K - 1`` inputs they read with a ``(B + K - 1, B)``
banded (Toeplitz) matrix holding the taps, ``T[c + j, c] = h[j]``. Along the
columns of an image every block of ``B`` output columns is then one GEMM,
``grid[:, cols] @ T``, over all rows at once; along the rows, one GEMM
``T.T @ grid[rows, :]`` per block of ``B`` output rows. The operands are
slices of the image itself: nothing is copied.

It does ``B + K - 1`` multiply-adds per output where the definition does
``K`` (``B = 16``: six times the work for a 3-tap kernel, twice for 31 taps),
but at BLAS speed, which in NumPy beats one multiply and one add pass per
tap (:func:`convdoc.plans.direct.shift_add`) from three taps on.

What it is for: single-channel image filters. A rank-one kernel (Gaussian,
box, Sobel) runs as a column pass then a row pass
(:mod:`convdoc.plans.separable`); any other small kernel as one column
pass per kernel row, summed (:func:`correlate2d`). Float32 stays float32.
The tap matrix holds zeros, so the planner sends an input holding NaN or
infinity elsewhere (``0 * inf`` would be NaN where the definition never
multiplies). Cost: :func:`cost`.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["BLOCK", "along_columns", "along_rows", "correlate2d", "cost"]

#: Outputs per block: small keeps the band's waste low, large keeps GEMMs efficient.
BLOCK = 16


def _band(taps: np.ndarray, block: int) -> np.ndarray:
    """``(block + K - 1, block)`` matrix with ``T[c + j, c] = taps[j]``."""
    k = taps.size
    t = np.zeros((block + k - 1) * block, dtype=taps.dtype)
    # One scatter through a kept index: a strided view of the diagonals cost
    # 16 us a band, as much as two of the products it feeds (7 taps, 64 rows).
    t[_band_index(k, block)] = taps  # each row [c, :] of the index takes all the taps
    return t.reshape(block + k - 1, block)


@functools.lru_cache(maxsize=64)
def _band_index(k: int, block: int) -> np.ndarray:
    """Flat index of ``T[c + j, c]`` in a ``(block + k - 1, block)`` matrix, as ``[c, j]``."""
    c = np.arange(block)[:, None]
    index = (c + np.arange(k)) * block + c
    index.flags.writeable = False
    return index


def along_columns(grid: np.ndarray, taps: np.ndarray, n_out: int, out: np.ndarray) -> None:
    """``out[r, c] = sum_j grid[r, c + j] * taps[j]`` for ``c < n_out``, into ``out``.

    ``grid`` is ``(R, >= n_out + K - 1)``, ``out`` ``(R, n_out)``, both of the
    taps' dtype; ``out`` may be a strided view.
    """
    k = taps.size
    band = _band(taps, BLOCK)
    full = n_out // BLOCK * BLOCK
    for c in range(0, full, BLOCK):
        np.matmul(grid[:, c : c + BLOCK + k - 1], band, out=out[:, c : c + BLOCK])
    if full < n_out:
        rest = n_out - full
        np.matmul(grid[:, full : full + rest + k - 1], band[: rest + k - 1, :rest],
                  out=out[:, full:])


def along_rows(grid: np.ndarray, taps: np.ndarray, n_out: int, out: np.ndarray) -> None:
    """``out[r, c] = sum_i grid[r + i, c] * taps[i]`` for ``r < n_out``, into ``out``."""
    k = taps.size
    band = np.ascontiguousarray(_band(taps, BLOCK).T)  # (BLOCK, BLOCK + K - 1)
    full = n_out // BLOCK * BLOCK
    for r in range(0, full, BLOCK):
        np.matmul(band, grid[r : r + BLOCK + k - 1], out=out[r : r + BLOCK])
    if full < n_out:
        rest = n_out - full
        np.matmul(band[:rest, : rest + k - 1], grid[full : full + rest + k - 1], out=out[full:])


def correlate2d(grid: np.ndarray, h: np.ndarray, out_shape: tuple[int, int]) -> np.ndarray:
    """``out[r, c] = sum_{i,j} grid[r + i, c + j] * h[i, j]``: one column pass per kernel row.

    ``grid`` and ``h`` of one BLAS dtype; the result is a new ``(oh, ow)`` array.
    Kernel rows of zeros are skipped (the caller sends finite grids only).
    """
    oh, ow = out_shape
    out = np.zeros((oh, ow), dtype=grid.dtype)
    scratch = np.empty((oh, ow), dtype=grid.dtype)
    first = True
    for i in range(h.shape[0]):
        if not h[i].any():
            continue
        target = out if first else scratch
        along_columns(grid[i : i + oh], h[i], ow, target)
        if not first:
            out += scratch
        first = False
    return out


def cost(n_rows: int, n_out: int, k: int, dtype: np.dtype) -> float:
    """Estimated seconds of one :func:`along_columns` or :func:`along_rows` pass.

    ``n_rows`` rows (or columns) of ``n_out`` outputs each: ``BLOCK + K - 1``
    multiply-adds per output and a call per block. These products are too
    thin for BLAS's full speed: measured on 1024 x 1024 images (3 to 31 taps)
    about 0.15 ns per multiply-add in float32 and in float64 alike, on the
    same loaded machine as :func:`convdoc.plans.direct.shift_add_cost`.
    """
    per_mac = 1.5e-10
    return -(-n_out // BLOCK) * 3e-6 + per_mac * n_rows * n_out * (BLOCK + k - 1)
