"""Transposed convolution as a scatter: one GEMM, then col2im.

A transposed convolution adds, for every input sample ``x[c, i]``, its
kernels scaled by it to the output at ``i*s - p + t*d``:
``out[o, i*s - p + t*d] += x[c, i] * weight[c, o, t]``. All the products
``weight[c, o, t] * x[c, i]`` summed over ``c`` are one matrix product,
``(C_out * taps, C_in) @ (C_in, pixels)``; *col2im* then adds each tap's
plane into the output at its offset, one strided slice per tap, clipped to
the (already cropped) output.

What it is for: every transposed layer. Unlike the zero-insertion form
(a correlation of the input with ``s - 1`` zeros inserted between samples),
it never multiplies an inserted or padding zero, so it does ``s**nd`` times
fewer multiply-adds and keeps a NaN or infinite weight away from the
outputs no input reaches (``0 * inf = NaN`` never happens), as PyTorch's
scatter does. Memory: the output, plus the product's ``C_out * taps *
pixels`` cells, or one tap's at a time when that would be large
(:data:`PRODUCT_CELLS`). The planes are added phase by phase of the output
(``s**nd`` phases), each a sum of contiguous shifted planes, so no add
writes through a stride.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from convdoc import threads
from convdoc.plans import stencil
from convdoc.plans._common import gemm_seconds

__all__ = ["COMPILED_DTYPES", "PRODUCT_CELLS", "scatter"]

#: Cells of the all-taps product above which the taps are multiplied one at a time.
PRODUCT_CELLS = 1 << 23
# Fewest columns (input pixels) per block when a large product is cut into blocks.
MIN_PRODUCT_COLUMNS = 128
#: Result dtypes whose 2-D col2im runs as a numba loop, once numba is loaded.
COMPILED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Seconds per product cell of the compiled col2im (one thread; 0.22 ms for the
# 32 x 4 x 4 x 28 x 28 product of a 64->32 stride-2 layer).
SEC_PER_COL2IM_CELL = 5.5e-10
#: Groups of output channels a compiled 2-D layer above threads.MIN_PARALLEL_SEC is
#: cut into (fewer if it has fewer channels). Measured on the 64->32 28x28 layer:
#: 2 and 4 groups within 5 % of each other, 8 about 10 % slower.
CHANNEL_GROUPS = 4

_kernels: Any = None


def scatter(
    x: np.ndarray,
    weight: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> np.ndarray:
    """Transposed convolution by its definition: each input sample adds its scaled kernels.

    Parameters
    ----------
    x : numpy.ndarray, shape (C_in, *n)
        Input.
    weight : numpy.ndarray, shape (C_in, C_out, *k)
        Kernels, input channels first (PyTorch's layout).
    stride, padding, dilation : tuple of int
        Per spatial axis.
    out_shape : tuple of int
        The caller's :func:`~convdoc.shapes.transposed_output_size`.

    Returns
    -------
    numpy.ndarray, shape (C_out, *out_shape)
        Dtype ``numpy.result_type(x, weight)``; integers wrap as NumPy's do.
    """
    k = weight.shape[2:]
    spatial = x.shape[1:]
    c_in, c_out = weight.shape[:2]
    dtype = np.result_type(x, weight)
    cells = c_out * math.prod(k) * math.prod(spatial)
    if cells <= PRODUCT_CELLS:
        # Every tap's plane at once: (C_out * taps, C_in) @ (C_in, pixels).
        kernels = weight.reshape(c_in, -1).T.astype(dtype, copy=False)
        pixels = x.reshape(c_in, -1).astype(dtype, copy=False)
        if len(k) == 2 and dtype in COMPILED_DTYPES and stencil.loaded():
            return _scatter_compiled(kernels, pixels, k, spatial, stride, padding, dilation,
                                     out_shape)
        product = _product(kernels, pixels).reshape(c_out, *k, *spatial)
        return _col2im(product, stride, padding, dilation, out_shape)
    out = np.zeros((c_out, *out_shape), dtype=dtype)
    for tap in itertools.product(*(range(ki) for ki in k)):
        sources, targets = [], []
        for t, d, s, n, p, m in zip(tap, dilation, stride, spatial, padding, out_shape,
                                    strict=True):
            offset = t * d - p  # input i lands on output i*s + offset
            first = max(0, -(offset // s))  # ceil(-offset / s)
            last = min(n - 1, (m - 1 - offset) // s)
            if first > last:
                break
            sources.append(slice(first, last + 1))
            targets.append(slice(first * s + offset, last * s + offset + 1, s))
        else:
            out[(slice(None), *targets)] += np.tensordot(
                weight[(slice(None), slice(None), *tap)], x[(slice(None), *sources)], axes=(0, 0)
            )
    return out


def _product(kernels: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """``kernels @ pixels``; a large one in blocks of columns shared among the threads.

    The blocks are the same on any number of threads, each one BLAS product on
    one BLAS thread when convdoc computes on more than one.
    """
    with threads.blas_for_convdoc(kernels.size * pixels.shape[1]):
        seconds = gemm_seconds(kernels.size * pixels.shape[1], kernels.dtype)
        width = pixels.shape[1]
        pieces = min(width // MIN_PRODUCT_COLUMNS, 4 * threads.CHUNKS_PER_THREAD)
        if pieces < 2 or seconds < threads.MIN_PARALLEL_SEC:
            return kernels @ pixels
        out = np.empty((kernels.shape[0], width), np.result_type(kernels, pixels))
        columns = threads.ranges(width, pieces)

        def block(i: int) -> None:
            lo, hi = columns[i]
            np.matmul(kernels, pixels[:, lo:hi], out=out[:, lo:hi])

        threads.each(block, pieces, seconds)
        return out


def _col2im(
    product: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> np.ndarray:
    """Add each tap's plane ``product[:, *tap]`` into the output, phase by phase.

    Input ``i`` of tap ``t`` lands on output ``i*s + o`` with ``o = t*d - p``:
    on phase ``o mod s`` of the output, at ``i + o // s`` within it. So each
    phase of the output is a sum of *contiguous* shifted planes (no strided
    writes), and is written into the output once.
    """
    nd = len(stride)
    c_out = product.shape[0]
    k = product.shape[1 : 1 + nd]
    spatial = product.shape[1 + nd :]
    out = np.zeros((c_out, *out_shape), dtype=product.dtype)
    phases: dict[tuple[int, ...], np.ndarray] = {}
    for tap in itertools.product(*(range(ki) for ki in k)):
        key, sources, targets = [], [], []
        for t, d, s, n, p, m in zip(tap, dilation, stride, spatial, padding, out_shape,
                                    strict=True):
            offset = t * d - p
            phase, shift = offset % s, offset // s
            size = -(-(m - phase) // s)  # outputs of this phase along the axis
            first, last = max(0, -shift), min(n - 1, size - 1 - shift)
            if first > last:
                break
            key.append(phase)
            sources.append(slice(first, last + 1))
            targets.append(slice(first + shift, last + shift + 1))
        else:
            key_t = tuple(key)
            if key_t not in phases:
                sizes = [-(-(m - ph) // s) for m, ph, s in zip(out_shape, key_t, stride,
                                                              strict=True)]
                phases[key_t] = np.zeros((c_out, *sizes), dtype=product.dtype)
            phases[key_t][(slice(None), *targets)] += product[(slice(None), *tap, *sources)]
    for key_t, plane in phases.items():
        out[(slice(None), *(slice(ph, None, s) for ph, s in zip(key_t, stride, strict=True)))] = (
            plane
        )
    return out


def _scatter_compiled(
    kernels: np.ndarray,
    pixels: np.ndarray,
    k: tuple[int, ...],
    spatial: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> np.ndarray:
    """A 2-D layer's product and compiled col2im, a group of output channels at a time.

    Each group multiplies its rows of ``kernels`` by ``pixels`` and adds that
    product into its channels at once, while it is still in the cache; the
    groups are shared among the threads. Splitting the product by its rows
    (output channels) rather than by its columns (input pixels) gives each
    product every column and keeps the col2im with it: on the 64->32 28x28
    4x4 stride-2 layer, 0.94 ms instead of 1.22 on one thread and 0.62 instead
    of 1.57 on two. A layer below :data:`convdoc.threads.MIN_PARALLEL_SEC` is
    one group; a larger one :data:`CHANNEL_GROUPS` groups on any number of
    threads, so the same products, and bits, on every count.
    """
    taps = math.prod(k)
    c_out = kernels.shape[0] // taps
    out = np.empty((c_out, *out_shape), dtype=kernels.dtype)
    cells = kernels.shape[0] * pixels.shape[1]
    seconds = gemm_seconds(cells * pixels.shape[0], kernels.dtype) + SEC_PER_COL2IM_CELL * cells
    groups = min(c_out, CHANNEL_GROUPS) if seconds >= threads.MIN_PARALLEL_SEC else 1
    pieces = threads.ranges(c_out, groups)

    def group(i: int) -> None:
        lo, hi = pieces[i]
        product = kernels[lo * taps : hi * taps] @ pixels
        _col2im_compiled(product.reshape(hi - lo, *k, *spatial), stride, padding, dilation,
                         out[lo:hi])

    with threads.blas_for_convdoc(cells * pixels.shape[0]):
        threads.each(group, groups, seconds)
    return out


def _col2im_compiled(
    product: np.ndarray,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    out: np.ndarray,
) -> np.ndarray:
    """:func:`_col2im` of a 2-D layer's ``product`` as one numba loop, into ``out``.

    ``out`` has the product's output channels, C-contiguous. Taken only once
    the compiled stencils have loaded numba in this process
    (:func:`convdoc.plans.stencil.loaded`), never loaded for it alone. Same
    additions in the same order as :func:`_col2im`, so the same bits.
    """
    global _kernels
    if _kernels is None:
        from convdoc.plans import _col2im_kernels

        _kernels = _col2im_kernels
    (s0, s1), (p0, p1), (d0, d1) = stride, padding, dilation
    _kernels.col2im2d(product, s0, s1, p0, p1, d0, d1, out, 0, product.shape[0])
    return out
