"""GEMM on the image's rows: multi-channel layers at matrix-product speed.

The input pixel a tap ``(i, j)`` reads for output ``(r, c)`` of a stride-1
problem is ``grid[:, r + i, c + j]``: for one output row it is one
*contiguous* run of ``W_out`` values of a grid row, shifted by ``j``. For a
block of output rows, the runs of every tap and input channel are copied
under each other into a ``(C_in*kh*kw, rows*W_out)`` matrix (im2col made of
contiguous copies, one NumPy copy per phase) and multiplied by the
``(C_out, C_in*kh*kw)`` kernel matrix: one GEMM per block, written by BLAS
straight into the block's rows of the result (a strided view BLAS accepts,
so nothing is cropped or copied afterwards). A 1x1 layer is one GEMM of the
image itself, in blocks of columns.

Threads: the blocks are shared among :func:`convdoc.get_num_threads` threads
when the layer is large (:func:`convdoc.threads.share`), each product on one
BLAS thread, and so is the set-up before them (the phases' layouts and the
kernel matrix). Every view a block copies from is made before the blocks: the
Python between a block's copies holds the GIL, which the other threads wait for.
A block's matrix is a work array kept for the next call
(:func:`convdoc.plans._common.scratch`): fresh megabytes on every call cost
page faults comparable to the products.

A stride ``s`` splits the grid into its ``s0*s1`` polyphase components
first (:mod:`convdoc.plans.polyphase`): each is a stride-1 problem with the
taps of its phase, so only the kept outputs are computed. The outputs are
produced in blocks of rows so that each block's matrix stays near the
cache.

What it is for: CNN layers (several channels) in a BLAS dtype
(float32 stays float32 end to end, as in PyTorch). BLAS multiplies exactly
the products the definition does (no padding of the taps), so NaN and
infinity land where the definition puts them. Cost: :func:`cost`.
"""

from __future__ import annotations

import math

import numpy as np

from convdoc import threads
from convdoc.plans._common import fill_phase, gemm_seconds, scratch, write_seconds

__all__ = ["DTYPES", "correlate", "cost"]

#: Dtypes the plan runs in: BLAS's.
DTYPES = tuple(np.dtype(c) for c in "fdFD")
# Bytes of one block's copied matrix. Measured on the ResNet stem (7x7, stride 2)
# and a 3->64 3x3 layer at 224 px: 2 MB blocks were 8-15 % faster than 1 MB ones on
# an AMD EPYC with 512 KB of L2 per core, and no slower on the 14..56 px layers.
_BLOCK_BYTES = 1 << 21
# Fewest output columns per product: below, packing the kernels costs more than it saves.
_MIN_COLUMNS = 1024
# Fewest row blocks of a layer estimated above convdoc.threads.MIN_PARALLEL_SEC.
_MIN_BLOCKS = 4
# Output columns per product of a 1x1 layer (its blocks, whoever computes them).
_ONE_BY_ONE_COLUMNS = 784


def correlate(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, int],
    out_shape: tuple[int, int],
    dtype: np.dtype,
) -> np.ndarray:
    """``out[o, r, c] = sum_{ch,i,j} grid[ch, r*s0 + i, c*s1 + j] * w[o, ch, i, j]``.

    ``grid`` is ``x`` with ``pad`` zeros around it.

    Parameters
    ----------
    x : numpy.ndarray, shape (C_in, H, W)
        Input.
    pad : ((int, int), (int, int))
        Zero padding (before, after) per axis, implied.
    w : numpy.ndarray, shape (C_out, C_in, kh, kw)
        Taps as applied (dilation 1).
    stride : (int, int)
        Per axis.
    out_shape : (int, int)
        Kept outputs per axis.
    dtype : numpy.dtype
        Result dtype, one of :data:`DTYPES`; both operands are cast to it.

    Returns
    -------
    numpy.ndarray, shape (C_out, *out_shape), C-contiguous, of ``dtype``.
    """
    c_out = w.shape[0]
    oh, ow = out_shape
    if w.shape[2:] == (1, 1) and stride == (1, 1) and pad == ((0, 0), (0, 0)):
        # A 1x1 layer is one product with the image as it is, in blocks of columns.
        kernel = w.reshape(c_out, -1).astype(dtype, copy=False)
        image = x.reshape(x.shape[0], -1).astype(dtype, copy=False)
        out = np.empty((c_out, oh * ow), dtype)
        pieces = threads.ranges(oh * ow, max(1, oh * ow // _ONE_BY_ONE_COLUMNS))

        def product(i: int) -> None:
            lo, hi = pieces[i]
            np.matmul(kernel, image[:, lo:hi], out=out[:, lo:hi])

        threads.each(product, len(pieces), cost(w.shape, out_shape, stride, x.shape[2], dtype))
        return out.reshape(c_out, oh, ow)
    kh, kw = w.shape[2:]
    s0, s1 = stride
    # The polyphase components that have taps: each a stride-1 problem.
    phases = [(p0, p1) for p0 in range(min(s0, kh)) for p1 in range(min(s1, kw))]
    sizes = [(len(range(p0, kh, s0)), len(range(p1, kw, s1))) for p0, p1 in phases]
    # Every phase is laid out with the same row width, the widest phase's.
    width = ow + max(tw for _, tw in sizes) - 1
    order = [i * kw + j for p0, p1 in phases for i in range(p0, kh, s0) for j in range(p1, kw, s1)]
    seconds = cost(w.shape, out_shape, stride, width, dtype)
    flats: list[np.ndarray] = [x] * len(phases)
    kernels: list[np.ndarray] = []

    def prepare(i: int) -> None:
        # The phases' layouts and the kernel matrix, shared among the threads when
        # the layer is: done on one thread, the ResNet stem's 0.14 ms of them were
        # 6 % of the layer on two threads, while the second thread waited.
        if i < len(phases):
            th, tw = sizes[i]
            # The phase's samples (zeros beyond them) in rows of the common width.
            grid_rows = oh + th - 1
            flats[i] = np.zeros((x.shape[0], grid_rows, width), dtype)
            fill_phase(flats[i], x, pad, phases[i], stride, (grid_rows, ow + tw - 1))
        else:
            # The kernel matrix's columns in the phases' order: (phase, i, j, channel).
            taps = w.reshape(c_out, w.shape[1], kh * kw)[:, :, order]
            kernels.append(np.ascontiguousarray(taps.transpose(0, 2, 1), dtype=dtype))

    threads.each(prepare, len(phases) + 1, seconds)
    kernel = kernels[0].reshape(c_out, -1)
    # Every output row's run of every tap and channel of each phase, as one view
    # (i, j, channel, row, column), made here once: a view made in each block
    # costs Python time under the GIL, which the other threads' blocks wait for.
    runs = []
    for flat, (th, tw) in zip(flats, sizes, strict=True):
        step, line, item = flat.strides
        shape = (th, tw, flat.shape[0], oh, ow)
        runs.append(np.ndarray(shape, dtype, flat, 0, (line, item, step, line, item)))
    depth = kernel.shape[1]  # C_in * kh * kw: the stacked rows
    # Blocks of rows whose copied runs fit the cache, but wide enough that the
    # product's fixed costs (packing the kernels) stay small.
    columns = max(_MIN_COLUMNS, _BLOCK_BYTES // (depth * dtype.itemsize))
    rows = max(1, min(oh, columns // ow))
    if seconds >= threads.MIN_PARALLEL_SEC:
        # A layer large enough to share is cut into blocks of at most
        # ceil(oh / _MIN_BLOCKS) rows: _MIN_BLOCKS blocks for most heights, fewer for
        # a few (3 for 5, 6 or 9 rows), on any number of threads (so the same
        # products, and bits, on every count).
        rows = min(rows, -(-oh // _MIN_BLOCKS))
    result = np.empty((c_out, oh, ow), dtype)

    def block(b: int) -> None:
        r0, r1 = b * rows, min(oh, (b + 1) * rows)
        n = (r1 - r0) * ow
        m = scratch("gemm.matrix", (depth, r1 - r0, ow), dtype)
        row = 0
        for view in runs:
            # Rows (i, j, channel) of this phase: the block's runs of each tap, one copy.
            count = view.shape[0] * view.shape[1] * view.shape[2]
            m[row : row + count].reshape((*view.shape[:3], r1 - r0, ow))[...] = view[..., r0:r1, :]
            row += count
        # The block's rows of every output channel: a matrix with a row stride
        # of oh*ow, which BLAS writes in place.
        np.matmul(kernel, m.reshape(depth, n), out=result[:, r0:r1].reshape(c_out, n))

    # The blocks are the same on any number of threads, each one BLAS product (on
    # one BLAS thread while shared), so the bits are too.
    threads.each(block, -(-oh // rows), seconds)
    return result


def applies(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    dilation: tuple[int, ...],
    dtype: np.dtype,
) -> bool:
    """Whether :func:`correlate` computes this problem: 2-D, dilation 1, a BLAS dtype."""
    return len(x_shape) == 3 and dilation == (1, 1) and dtype in DTYPES


# Seconds per block for each tap and phase's copy of its shifted runs (a run of about
# a thousand values in cache: 0.1-0.2 us). Was 1e-6,
# which priced the ResNet stem (7x7, stride 2: 196 copies per block) at 5.1 ms where
# it takes 4.4 (OpenBLAS's product alone 3.6-3.8), so im2col (5.0-5.6 ms) ran instead.
SEC_PER_RUN_COPY = 1.5e-7


def cost(
    w_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    stride: tuple[int, ...],
    width: int,
    dtype: np.dtype,
) -> float:
    """Estimated seconds of :func:`correlate` (``width``: the padded grid's row length).

    The multiply-adds at GEMM speed (twice as fast in single precision), one
    copy of each shifted run, the phases' layout and the products' calls.
    Fitted on the CNN layers of ``benchmarks/peers.py`` (3..256 channels,
    14..512 px, 1x1..7x7, strides 1 and 2), float32 and float64.

    With ``w_shape = (C_out, C_in, kh, kw)``, ``stride = (s0, s1)``, ``D = C_in*kh*kw``
    stacked rows, ``n = out_shape[0] * ceil(width / s1)`` product columns and
    ``g(m)`` = :func:`~convdoc.plans._common.gemm_seconds` of ``m`` multiply-adds
    and ``r`` = :func:`~convdoc.plans._common.write_seconds` of the result's
    ``C_out * out_shape[0] * out_shape[1] * itemsize`` bytes:

    - a 1x1 kernel at stride ``(1, 1)``: ``1e-5 + g(C_out*C_in*n) + r``;
    - otherwise, with ``b = itemsize / 4``, ``blocks = max(1, n // columns)`` and
      ``columns = max(_MIN_COLUMNS, _BLOCK_BYTES // (D*itemsize))`` (1024 and 2**21)::

          3e-5 + g(C_out*D*n) + 2.5e-10*b*D*n + 1e-9*b*C_in*n*s0*s1
              + blocks * (1e-5 + SEC_PER_RUN_COPY*kh*kw*s0*s1) + r
    """
    c_out, c_in, kh, kw = w_shape
    depth = c_in * kh * kw
    n = out_shape[0] * -(-width // stride[1])
    written = write_seconds(c_out * math.prod(out_shape) * dtype.itemsize)
    if kh == kw == 1 and stride == (1, 1):
        return 1e-5 + gemm_seconds(c_out * c_in * n, dtype) + written
    item = dtype.itemsize / 4
    copies = 2.5e-10 * item * depth * n  # contiguous runs, in cache
    layout = 1e-9 * item * c_in * n * math.prod(stride)
    columns = max(_MIN_COLUMNS, _BLOCK_BYTES // (depth * dtype.itemsize))
    blocks = max(1, n // columns)
    calls = blocks * (1e-5 + SEC_PER_RUN_COPY * kh * kw * math.prod(stride))
    return 3e-5 + gemm_seconds(c_out * depth * n, dtype) + copies + layout + calls + written
