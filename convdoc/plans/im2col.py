"""im2col + GEMM: every window copied into one matrix, one matrix product.

What it is for: multi-channel layers (``C_in * taps`` long dot products) and
small outputs with many taps, where BLAS does the multiply-adds at full
speed. Cost ``~ copy * outputs * taps * C_in + gemm * macs`` plus a fixed
call; memory ``outputs * taps * C_in`` (bounded by :data:`IM2COL_LIMIT`).
"""

from __future__ import annotations

import math

import numpy as np

from convdoc import threads
from convdoc.plans._common import gemm_seconds, write_seconds

__all__ = ["IM2COL_LIMIT", "cost", "im2col"]

IM2COL_LIMIT = 4_000_000  # window elements copied by the im2col path (32 MB of float64)
# A layer estimated above convdoc.threads.MIN_PARALLEL_SEC is cut into at least this
# many slabs of output rows, each of at most about _SLAB_ELEMENTS copied elements.
# Was 8: each slab's product packs the whole kernel matrix again and multiplies
# fewer columns; measured (2026-12-04) on nine float32 layers priced 0.3-2.3 ms
# (3..64 -> 64..256 channels, 3x3..7x7, strides 1 and 2), 2 slabs were 5-62 %
# faster than 8 on 2 threads and 3-62 % on 1 (the 64->128 56x56 stride-2 layer:
# 1.25 -> 1.12 ms on 2, 1.84 -> 1.65 on 1); layers of more than 2 x _SLAB_ELEMENTS
# were unchanged.
_SLABS = 2
_SLAB_ELEMENTS = 1 << 18


def im2col(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray:
    """Every window copied into one matrix, times the kernels: one matrix product.

    Few Python-level operations, memory ``outputs * taps * C_in``: the choice
    for small outputs with many taps, where shift-and-add would loop a lot.
    The windows are a strided view; NumPy copies it one innermost run at a
    time, so the longer of the two trailing runs (kernel width or output
    width) goes innermost: windows as rows for wide kernels, as columns for
    narrow ones.
    """
    spatial = grid.ndim - 1
    c_out = w.shape[0]
    strides = grid.strides
    outer = tuple(strides[1 + a] * stride[a] for a in range(spatial))
    inner = (strides[0], *(strides[1 + a] * dilation[a] for a in range(spatial)))
    outputs = math.prod(out_shape)
    kernels = w.reshape(c_out, -1)
    out = np.empty((c_out, outputs), dtype)
    if out.size == 0:
        return out.reshape(c_out, *out_shape)
    # Large layers are computed in slabs of output rows (along the first axis),
    # the same slabs on any number of threads; each copies its windows and
    # multiplies them, so a slab's matrix stays near the cache.
    first = out_shape[0]
    per_row = outputs // first  # outputs in one slab row
    pieces = 1
    if cost(w.shape, out_shape, dtype) >= threads.MIN_PARALLEL_SEC:
        elements = outputs * kernels.shape[1]
        pieces = min(first, max(_SLABS, -(-elements // _SLAB_ELEMENTS)))
    slabs = threads.ranges(first, pieces)
    wide = w.shape[-1] >= out_shape[-1]
    # Every window, as one strided view made here once (a view made in each slab
    # costs Python time under the GIL, which the other threads' slabs wait for):
    # (outputs..., taps...) for wide kernels, (taps..., outputs...) for narrow ones.
    if wide:
        shape, order = (*out_shape, *w.shape[1:]), (*outer, *inner)
    else:
        shape, order = (*w.shape[1:], *out_shape), (*inner, *outer)
    windows = np.lib.stride_tricks.as_strided(grid, shape, order, writeable=False)
    # BLAS writes a slab's product straight into its columns of the result when
    # both operands already have the result's dtype.
    in_place = kernels.dtype == grid.dtype == dtype and dtype.char in "fdFD"

    def slab(i: int) -> None:
        lo, hi = slabs[i]
        columns = out[:, lo * per_row : hi * per_row]
        if wide:
            matrix = windows[lo:hi].reshape(columns.shape[1], -1)
            columns[...] = (matrix @ kernels.T).T
            return
        matrix = windows[(Ellipsis, slice(lo, hi), *(slice(None),) * (spatial - 1))]
        matrix = matrix.reshape(-1, columns.shape[1])
        if in_place:
            np.matmul(kernels, matrix, out=columns)
        else:
            columns[...] = kernels @ matrix

    threads.each(slab, pieces, cost(w.shape, out_shape, dtype))
    return out.reshape(c_out, *out_shape)


def cost(w_shape: tuple[int, ...], out_shape: tuple[int, ...], dtype: np.dtype) -> float:
    """Estimated seconds of :func:`im2col` for weights of ``w_shape`` (float64).

    One copy of the windows into a matrix (NumPy copies them a run at a time,
    the longer of kernel and output width), one product. Fitted on 64..512 px,
    3..63 px kernels, strides 1 and 4::

        20 us + 0.5 ns * elements + 7 ns * runs + elements * max(C_out * mac, 0.3 ns) + r

    with ``elements = outputs * taps * C_in`` copied in ``runs = elements //
    max(kernel width, output width)``, ``mac`` the seconds of one BLAS
    multiply-add (:func:`convdoc.plans._common.gemm_seconds`) for float32/64
    and complex64/128, 1 ns (NumPy's own loop) for any other dtype, and ``r``
    the seconds of writing the ``C_out * outputs * itemsize`` bytes of the
    result (:func:`convdoc.plans._common.write_seconds`).
    """
    c_out, c_in = w_shape[:2]
    k = w_shape[2:]
    columns = math.prod(out_shape) * math.prod(k) * c_in
    rows = columns // max(k[-1], out_shape[-1])
    # The copy of short strided runs, then one product: at BLAS speed for many
    # output channels, at memory speed (reading the matrix) for few, and in
    # NumPy's own loop, some 20 times slower, for integers.
    per_mac = gemm_seconds(1, dtype) if dtype.char in "fdFD" else 1e-9
    written = write_seconds(c_out * math.prod(out_shape) * dtype.itemsize)
    return 2e-5 + 0.5e-9 * columns + 7e-9 * rows + columns * max(per_mac * c_out, 3e-10) + written
