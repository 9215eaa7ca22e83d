"""Sliding windows by gathering the taps: memory follows the output, not the padding.

:func:`convdoc.engine.correlate_padded` materialises the padded input, which is
what makes it fast; but a huge padding or dilation around a small input (say
``padding=5*10**8, dilation=10**9`` on ten samples, ten outputs) would need
gigabytes for cells that are all zero. :func:`correlate_gather` computes the same
``out[o, i] = sum_c sum_t x_pad[c, i*s + t*d] * w[o, c, t]`` by gathering, for
every output and tap, the input sample it reads (or the padding value), so its
arrays have ``C_in * prod(N_out) * prod(K)`` cells whatever the padding.
"""

from __future__ import annotations

import math

import numpy as np

from convdoc._validate import check_bytes

__all__ = ["correlate_gather", "gather_cells"]


def gather_cells(
    c_in: int, out_shape: tuple[int, ...], kernel: tuple[int, ...]
) -> int:
    """Cells of the gathered windows: input channels x outputs x taps."""
    return c_in * math.prod(out_shape) * math.prod(kernel)


def _taps(
    n: int, n_out: int, k: int, stride: int, dilation: int, before: int, edge: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Input index read by output ``i``, tap ``t`` along one axis, and whether it is real.

    Positions are computed with Python integers (object arrays): with a
    padding near 2**63 they do not fit int64 until clipped to the input.
    """
    i = np.arange(n_out, dtype=object)[:, None]
    t = np.arange(k, dtype=object)[None, :]
    position = i * stride + t * dilation - before
    inside = ((position >= 0) & (position < n)).astype(bool)
    index = np.minimum(np.maximum(position, 0), n - 1).astype(np.intp)
    if edge:  # replicate: a padding cell repeats the nearest end sample
        inside = np.ones_like(inside)
    return index, inside


def correlate_gather(
    x: np.ndarray,
    w: np.ndarray,
    pads: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    *,
    edge: bool = False,
) -> np.ndarray:
    """Padded, strided, dilated multi-channel correlation with 1 or 2 spatial axes.

    Parameters
    ----------
    x : numpy.ndarray, shape (C_in, *n)
        Input (checked).
    w : numpy.ndarray, shape (C_out, C_in, *k)
        Taps as applied.
    pads : tuple of (int, int)
        Padding before and after, per spatial axis (>= 0).
    stride, dilation : tuple of int
        Per spatial axis (>= 1).
    edge : bool, optional
        Padding cells repeat the end sample (``"replicate"``); by default they
        are zeros.

    Returns
    -------
    numpy.ndarray, shape (C_out, *N_out)
        Dtype ``numpy.result_type(x, w)``. A zero padding cell times an
        infinite tap is NaN, as in the padded computation.

    Raises
    ------
    ValueError
        If the gathered windows would exceed :data:`convdoc._validate.MAX_BYTES`.
    """
    nd = x.ndim - 1
    k = w.shape[2:]
    out_shape = tuple(
        (n + b + a - d * (ki - 1) - 1) // s + 1
        for n, (b, a), ki, s, d in zip(x.shape[1:], pads, k, stride, dilation, strict=True)
    )
    dtype = np.result_type(x, w)
    work = np.dtype(np.intp) if dtype.kind == "b" else dtype
    check_bytes(
        gather_cells(x.shape[0], out_shape, k) * work.itemsize,
        f"the {math.prod(k)} taps of each of the {math.prod(out_shape)} windows",
    )
    axes = [
        _taps(n, o, ki, s, d, b, edge)
        for n, o, ki, s, d, (b, _) in zip(x.shape[1:], out_shape, k, stride, dilation, pads,
                                          strict=True)
    ]
    xs = x.astype(work, copy=False)
    if nd == 1:
        (index, inside), = axes
        values = np.where(inside, xs[:, index], 0)  # (C_in, N_out, K)
        out = np.einsum("cit,oct->oi", values, w.astype(work, copy=False))
    else:
        (rows, rows_in), (cols, cols_in) = axes
        gathered = xs[:, rows[:, :, None, None], cols[None, None, :, :]]  # (C, N0, K0, N1, K1)
        inside = rows_in[:, :, None, None] & cols_in[None, None, :, :]
        values = np.where(inside, gathered, 0)
        out = np.einsum("cikjl,ockl->oij", values, w.astype(work, copy=False))
    if dtype.kind == "b":
        return out != 0  # True where any tap pair is (True, True), as the engine
    return out.astype(dtype, copy=False)
