"""Strided 2-D single-channel correlation as two matrix products per kernel row.

What it is for: strided filters (``stride > 1`` along the rows) with kernels
up to about 15 wide on large images: the kept multiply-adds run at matrix
product speed without copying every window. Cost: :func:`blocks2d_cost`.
"""

from __future__ import annotations

import math

import numpy as np

from convdoc.plans._common import all_finite

__all__ = ["blocks2d", "blocks2d_cost", "chunked_matmul", "tap_matrices"]

# OpenBLAS hands a matrix product above about this many multiply-adds to all its
# threads; on a busy machine waiting for them costs far more than the product.
BLAS_CHUNK_MACS = 1 << 18


def tap_matrices(taps: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Shifted-tap matrices ``(..., block, q)`` for each row of ``taps`` (``block = q*stride``).

    A row of ``block`` samples times ``head`` gives ``q`` consecutive strided
    outputs, less the taps that spill into the next row; those are ``tail``'s.
    ``head[..., u, j]`` is the tap output ``r*q + j`` applies to sample ``u``
    of row ``r``. Built by one scatter rather than a loop over ``j``.
    """
    k = taps.shape[-1]
    q = -(-k // stride)
    block = q * stride
    lead = taps.shape[:-1]
    rows = math.prod(lead)
    flat = taps.reshape(rows, k)
    # Tap t of output j falls on sample j*stride + t counted from row r's start;
    # as a flat index into a (block, q) matrix that is (j*stride + t)*q + j.
    j = np.arange(q)[:, None]
    pos = j * stride + np.arange(k)
    index = (pos * q + j).ravel()
    inside = (pos < block).ravel()
    head = np.zeros((rows, block * q), dtype=taps.dtype)
    tail = np.zeros((rows, block * q), dtype=taps.dtype)
    values = np.tile(flat, q)  # row-major (j, t) pairs, as index
    head[:, index[inside]] = values[:, inside]
    tail[:, index[~inside] - block * q] = values[:, ~inside]
    return head.reshape(*lead, block, q), tail.reshape(*lead, block, q)


def blocks2d(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, int],
    out_shape: tuple[int, int],
    dtype: np.dtype,
) -> np.ndarray | None:
    """Strided 2-D correlation as two matrix products per kernel row.

    Kernel row ``a`` meets image rows ``a, a + s0, a + 2*s0, ...``; those rows
    are copied into a buffer of whole blocks (one spare block each, so every
    block has a next one) and multiplied by that row's tap matrices. Wins for
    strided layers with kernels up to about 15 wide on large images, where it
    does the kept multiply-adds at matrix-product speed; wider kernels do
    better by FFT. Returns None on a non-finite output: the tap matrices hold
    zeros, and ``0 * inf`` is NaN where the definition never multiplies.
    """
    kw, (mh, mw), (s0, s1) = w.shape[1], out_shape, stride
    width = grid.shape[1]
    q = -(-kw // s1)
    block = q * s1
    n_blocks = -(-width // block) + 1
    buf = np.zeros((mh, n_blocks * block), dtype=dtype)
    # All image rows' blocks in one matrix: one product pair per kernel row. The
    # spare block's outputs (which would read the next image row) are cut off.
    flat = buf.reshape(mh * n_blocks, block)
    out = np.zeros((mh * n_blocks, q), dtype=dtype)
    with np.errstate(all="ignore"):
        heads, tails = tap_matrices(w.astype(dtype, copy=False), s1)
        for a, (head, tail) in enumerate(zip(heads, tails, strict=True)):
            buf[:, :width] = grid[a : a + s0 * (mh - 1) + 1 : s0]
            out[:-1] += chunked_matmul(flat[:-1], head)
            out[:-1] += chunked_matmul(flat[1:], tail)
        kept = out.reshape(mh, n_blocks * q)[:, :mw]
        return np.ascontiguousarray(kept) if all_finite(kept) else None


def blocks2d_cost(
    out_shape: tuple[int, ...], k: tuple[int, ...], stride: tuple[int, ...], width: int
) -> float:
    """Seconds of :func:`blocks2d` (fitted on 64..1024 px, 15..63 px kernels, stride 4)."""
    q = -(-k[1] // stride[1])
    block = q * stride[1]
    n_blocks = -(-width // block) + 1
    per_row = 1.5e-5 + 1e-9 * out_shape[0] * width + 3e-10 * out_shape[0] * n_blocks * block * q
    return k[0] * per_row


def chunked_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in row chunks small enough for OpenBLAS to run single-threaded."""
    per_row = a.shape[1] * (b.shape[1] if b.ndim == 2 else 1)
    rows = max(1, BLAS_CHUNK_MACS // per_row)
    if a.shape[0] <= rows:
        return a @ b
    out = np.empty((a.shape[0], *b.shape[1:]), dtype=np.result_type(a, b))
    for start in range(0, a.shape[0], rows):
        np.matmul(a[start : start + rows], b, out=out[start : start + rows])
    return out

