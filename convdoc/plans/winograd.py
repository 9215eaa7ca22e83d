"""Winograd F(2x2, 3x3): 3x3 stride-1 CNN layers with 2.25x fewer multiplications.

What it is for: the 3x3 layers of a CNN (several input and output channels,
stride 1, dilation 1, zero padding) in float32 or float64. Each 4x4 input
tile ``d`` is transformed (``B^T d B``, additions only), each 3x3 kernel
``g`` too (``G g G^T``); then the 16 transformed positions are 16 matrix
products ``(C_out, C_in) @ (C_in, tiles)``, and each tile's 4x4 result is
transformed back into its 2x2 outputs (``A^T M A``, additions only). The
products cost ``16 * C_out * C_in`` multiply-adds per four outputs, where
the GEMM plan (:mod:`convdoc.plans.gemm`) does ``9 * C_out * C_in`` per
output: 2.25x fewer, at BLAS speed. The transforms are numba loops
(:mod:`convdoc.plans._winograd_kernels`), so the plan exists only where the
compiled stencil's numba can be loaded (:func:`convdoc.plans.stencil.available`).

What it costs in accuracy: the transforms add and subtract up to 16 inputs
before the products and up to 9 products after, so rounding errors grow
with them: about 2-4x the direct sum's error for F(2, 3) (Lavin and Gray,
*Fast Algorithms for Convolutional Neural Networks*, 2016; Barabasz et al.,
*Error analysis and improving the accuracy of Winograd convolution*, 2020),
bounded by a small multiple of ``eps * sum |w| |x|``, which is what the
tests check. That sum runs over the whole 4x4 tile, not only the output's own
window, so one huge sample swamps the other outputs of its tile: float64 samples
near 1 with one at 1e300 (which :func:`fits` lets through) gave 2.97e284 where
the definition gives 9.0. The GEMM plan keeps each output's error to its own
window. Integers never come here (they must stay exact), nor NaN or
infinity (the transforms would mix them into neighbouring outputs: the
planner checks the inputs finite), nor sums that could overflow (their
transforms are bounded by :func:`fits`): :func:`fits` declines all of them
before the plan runs, for the GEMM plan to compute, so every result the plan
gives is finite.

Threads: the blocks of tile rows are shared among them; a layer of one block
shares each of its steps instead (:func:`_one_block`).

Cost: :func:`cost` (the products at GEMM speed plus the three transforms, and
writing a large result).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from convdoc import threads
from convdoc.plans import stencil
from convdoc.plans._common import gemm_seconds, scratch, write_seconds

__all__ = ["DTYPES", "applies", "correlate", "cost", "fits"]

#: Result dtypes the plan computes in.
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Seconds per transformed element (input: 16 per tile and input channel;
# output: 16 per tile and output channel; kernels: 16 per pair of channels)
# per 4 bytes of the dtype, per row of tiles and channel (the loops' set-up),
# per packed kernel element of the 16 products, and per call; fitted on the 3x3
# layers of benchmarks/peers.py (64 to 256 channels, 14 to 56 px), one thread.
SEC_PER_INPUT_ELEMENT = 3e-10
SEC_PER_OUTPUT_ELEMENT = 1e-10
SEC_PER_TILE_ROW = 1.2e-7
# The kernel transform: 7.5e-10 until its loops ran along the kernels (2026-12-04,
# 65,536 kernels: 1.40 -> 0.50 ms on the same host), so 0.4 times that.
SEC_PER_KERNEL_ELEMENT = 3e-10
SEC_PER_PACKED_ELEMENT = 1e-10
SEC_CALL = 4e-5
# Seconds per byte of the products' operands (20 GB/s): a 3->8 layer at 512x512 was
# priced at 2.8 ms and took 4.4 (the products' K is 3).
SEC_PER_PRODUCT_BYTE = 5e-11

# Bytes of one block's transformed input: half the L2 cache.
_BLOCK_BYTES = 1 << 19
# Fewest tiles per product: below, packing the transformed kernels costs more than it saves.
_MIN_COLUMNS = 512
# Fewest kernels (channel pairs) per piece of a shared kernel transform.
_MIN_PAIRS = 4096
#: Groups of channels each step of a one-block layer is shared by (_one_block).
CHANNEL_GROUPS = 4


def _load() -> Any:
    return stencil.compiled("_winograd_kernels")


def applies(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    dtype: np.dtype,
) -> bool:
    """A 2-D 3x3 layer of stride and dilation 1 in float32/float64, numba installed."""
    return (
        len(x_shape) == 3
        and tuple(w_shape[2:]) == (3, 3)
        and stride == (1, 1)
        and dilation == (1, 1)
        and dtype in DTYPES
        and stencil.available()
    )


def tiles(out_shape: tuple[int, int]) -> tuple[int, int]:
    """Tiles of 2x2 outputs per axis."""
    return -(-out_shape[0] // 2), -(-out_shape[1] // 2)


def cost(w_shape: tuple[int, ...], out_shape: tuple[int, int], dtype: np.dtype) -> float:
    """Estimated seconds of :func:`correlate` (numba loaded).

    The 16 products at GEMM speed, plus packing the transformed kernels into
    each (what makes narrow products slow: few tiles, many channels), plus the
    three transforms, and writing a result larger than the cache
    (:func:`~convdoc.plans._common.write_seconds`).
    """
    c_out, c_in = w_shape[:2]
    th, tw = tiles(out_shape)
    n = th * tw
    item = dtype.itemsize / 4
    transforms = (
        16 * item * (SEC_PER_INPUT_ELEMENT * c_in * n + SEC_PER_OUTPUT_ELEMENT * c_out * n)
        + SEC_PER_TILE_ROW * (c_in + c_out) * th
        + 16 * SEC_PER_KERNEL_ELEMENT * c_in * c_out
    )
    products = gemm_seconds(16 * c_out * c_in * n, dtype) + 16 * SEC_PER_PACKED_ELEMENT * item * (
        c_out * c_in
    )
    # With few channels the 16 products are thin (K = C_in) and run at memory speed:
    # their transformed inputs and outputs are read and written once each.
    products += 16 * SEC_PER_PRODUCT_BYTE * (c_in + c_out) * n * dtype.itemsize
    written = write_seconds(c_out * math.prod(out_shape) * dtype.itemsize)
    return SEC_CALL + products + transforms + written


def fits(x: np.ndarray, w: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value is finite and no transform, product or sum can overflow ``dtype``.

    The input transform sums 4 inputs (``|B^T d B| <= 4 max|x|``), the kernel
    transform at most ``9/4`` of 9 taps' largest, a product's sum runs over
    ``C_in`` channels and the output transform adds 9 of them: every
    intermediate stays below ``324 C_in max|x| max|w|``, kept a quarter below
    the largest float. A NaN makes ``numpy.max`` and ``numpy.min`` NaN and an
    infinity makes one of them infinite, so this is also the plan's check that
    the inputs are finite (one pass over each array for both).
    """
    if x.size == 0 or w.size == 0:
        return True
    ends = (float(np.max(x)), float(np.min(x)), float(np.max(w)), float(np.min(w)))
    if not all(math.isfinite(e) for e in ends):
        return False
    mx = max(abs(ends[0]), abs(ends[1]))
    mw = max(abs(ends[2]), abs(ends[3]))
    bound = 4 * 9 * 9 * w.shape[1] * mx * mw
    return math.isfinite(bound) and bound < float(np.finfo(dtype).max) / 4


def correlate(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    out_shape: tuple[int, int],
    dtype: np.dtype,
) -> np.ndarray:
    """``out[o, r, c] = sum_{ch,i,j} grid[ch, r + i, c + j] * w[o, ch, i, j]``, F(2x2, 3x3).

    Parameters
    ----------
    x : numpy.ndarray, shape (C_in, H, W)
        Input (finite values; see :func:`fits`).
    w : numpy.ndarray, shape (C_out, C_in, 3, 3)
        Taps as applied (correlation).
    pad : ((int, int), (int, int))
        Zero padding (before, after) per axis, implied (non-negative).
    out_shape : (int, int)
        Outputs per axis (``H + pads - 2``, ``W + pads - 2``).
    dtype : numpy.dtype
        Result dtype, one of :data:`DTYPES`.

    Returns
    -------
    numpy.ndarray, shape (C_out, *out_shape), of ``dtype``.
    """
    k = _load()
    x = np.ascontiguousarray(x, dtype=dtype)
    c_out, c_in = w.shape[:2]
    th, tw = tiles(out_shape)
    seconds = cost(w.shape, out_shape, dtype)
    kernels = np.ascontiguousarray(w).reshape(-1, 3, 3)
    # Rows of tiles in blocks whose transformed input stays in the L2 cache, of
    # near-equal heights (two blocks of 19 and 9 rows kept one thread waiting on
    # the other for a third of the layer).
    rows = max(1, _BLOCK_BYTES // (16 * c_in * tw * dtype.itemsize), -(-_MIN_COLUMNS // tw))
    spans = threads.ranges(th, -(-th // min(th, rows)))
    blocks = len(spans)
    rows = max(hi - lo for lo, hi in spans)
    out = np.empty((c_out, *out_shape), dtype)
    if blocks == 1:
        return _one_block(k, x, kernels, pad, (th, tw), out, seconds)
    u = scratch("winograd.kernels", (16, c_out, c_in), dtype)
    planes = u.reshape(16, -1)
    pairs = kernels.shape[0]
    # The kernels' transform is shared too when the layer is (256 channels: 0.5 ms).
    pieces = threads.ranges(pairs, max(1, min(8, pairs // _MIN_PAIRS)))
    threads.each(
        lambda i: k.kernel_transform(kernels, planes, *pieces[i]),
        len(pieces),
        seconds,
    )

    def block(b: int) -> None:
        ty0, ty1 = spans[b]
        n = (ty1 - ty0) * tw
        # Each thread that claims a block transforms it in work arrays of its own,
        # kept for the next call (fresh megabytes cost page faults on every call).
        vb = scratch("winograd.input", (16, c_in, rows * tw), dtype)[:, :, :n]
        mb = scratch("winograd.products", (16, c_out, rows * tw), dtype)[:, :, :n]
        k.input_transform(x, pad[0][0], pad[1][0], ty0, ty1, tw, vb, 0, c_in)
        np.matmul(u, vb, out=mb)
        k.output_transform(mb, ty0, ty1, tw, out, 0, c_out)

    threads.each(block, blocks, seconds)
    return out


def _one_block(
    k: Any,
    x: np.ndarray,
    kernels: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    tiles: tuple[int, int],
    out: np.ndarray,
    seconds: float,
) -> np.ndarray:
    """A layer whose tiles are one block: each step shared by channels or planes.

    With one block there are no blocks to share, so every step is: the input
    transform by groups of input channels, then either

    - with more output channels than tiles (256->256 at 14x14: 65,536 kernels,
      49 tiles), the work follows the kernels: each group of output channels
      transforms its own kernels, multiplies them and transforms its outputs
      back, its transformed kernels (a quarter of them) still in the cache for
      the products (3.30 -> 2.98 ms on one thread, 2.27 on two);
    - otherwise (128->128 at 28x28, 196 tiles) the kernels are transformed
      with the input (in the same shared step), the 16 products are shared by
      groups of 4 planes, and the output transform by groups of output
      channels (2 threads: 1.8-2.3 -> 1.35 ms; the same bits as one call).

    A layer below :data:`convdoc.threads.MIN_PARALLEL_SEC` is one group; a
    larger one :data:`CHANNEL_GROUPS` groups on any number of threads (the same
    products, and bits, on every count).
    """
    th, tw = tiles
    c_out = out.shape[0]
    c_in = x.shape[0]
    dtype = out.dtype
    n = th * tw
    groups = CHANNEL_GROUPS if seconds >= threads.MIN_PARALLEL_SEC else 1
    inputs = threads.ranges(c_in, min(c_in, groups))
    outputs = threads.ranges(c_out, min(c_out, groups))
    v = scratch("winograd.input", (16, c_in, n), dtype)

    def transform_input(i: int) -> None:
        k.input_transform(x, pad[0][0], pad[1][0], 0, th, tw, v, *inputs[i])

    if c_out > n:
        threads.each(transform_input, len(inputs), seconds)

        def group(i: int) -> None:
            lo, hi = outputs[i]
            u = scratch("winograd.kernels", (16, hi - lo, c_in), dtype)
            k.kernel_transform(
                kernels[lo * c_in : hi * c_in], u.reshape(16, -1), 0, (hi - lo) * c_in
            )
            m = scratch("winograd.products", (16, hi - lo, n), dtype)
            np.matmul(u, v, out=m)
            k.output_transform(m, 0, th, tw, out[lo:hi], 0, hi - lo)

        threads.each(group, len(outputs), seconds)
        return out
    u = scratch("winograd.kernels", (16, c_out, c_in), dtype)
    m = scratch("winograd.products", (16, c_out, n), dtype)
    planes = u.reshape(16, -1)
    pairs = threads.ranges(kernels.shape[0], len(inputs))

    def transform(i: int) -> None:
        if i < len(pairs):
            k.kernel_transform(kernels, planes, *pairs[i])
        else:
            transform_input(i - len(pairs))

    threads.each(transform, len(pairs) + len(inputs), seconds)

    def product(i: int) -> None:
        lo, hi = 4 * i, 4 * i + 4
        np.matmul(u[lo:hi], v[lo:hi], out=m[lo:hi])

    if groups > 1:
        threads.each(product, 4, seconds)
    else:
        np.matmul(u, v, out=m)
    threads.each(
        lambda i: k.output_transform(m, 0, th, tw, out, *outputs[i]), len(outputs), seconds
    )
    return out
