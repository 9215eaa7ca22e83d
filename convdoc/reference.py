"""Convolution as plain Python loops: the code the tutorial shows.

These functions are deliberately slow and obvious: one loop per output
position, one per kernel tap, nothing vectorised. They are the readable
definition that the fast engine (:mod:`convdoc.engine`) is tested against,
and small enough to run inside the documentation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from convdoc._validate import (
    as_array,
    check_bytes,
    check_ndim,
    groups_of,
    nonneg_int,
    per_axis,
    positive_int,
)

__all__ = ["reference_conv", "reference_correlate"]


def reference_correlate(
    x: Any,
    kernel: Any,
    *,
    stride: int | tuple[int, ...] = 1,
    dilation: int | tuple[int, ...] = 1,
) -> np.ndarray:
    """Valid cross-correlation of one signal or image with one kernel, by loops.

    ``out[i] = sum_t x[i*stride + t*dilation] * kernel[t]`` for every ``i``
    where the whole (dilated) kernel lies inside ``x``; in 2-D the same with
    index pairs. The kernel is not flipped: for a true convolution pass it
    reversed (``kernel[::-1]``), and a complex kernel is not conjugated.

    Parameters
    ----------
    x : array_like
        1-D signal or 2-D image.
    kernel : array_like
        Kernel with the same number of dimensions as ``x``.
    stride : int or tuple of int, optional
        Step between windows (per axis).
    dilation : int or tuple of int, optional
        Spacing between taps (per axis).

    Returns
    -------
    numpy.ndarray
        Length ``(n - dilation*(k - 1) - 1) // stride + 1`` per axis, dtype
        ``numpy.result_type(x, kernel)``.

    Raises
    ------
    TypeError, ValueError
        If an input is empty, not numeric, not 1-D/2-D, the dimensions
        differ, ``stride``/``dilation`` are not positive integers, or the
        dilated kernel is longer than ``x``.

    Examples
    --------
    >>> reference_correlate([1, 2, 3, 4, 5], [1, 0, -1])
    array([-2, -2, -2])
    >>> reference_correlate([1, 2, 3, 4, 5], [1, -1], stride=2, dilation=2)
    array([-2, -2])
    """
    x = check_ndim(as_array(x, "x"), "x", (1, 2))
    kernel = check_ndim(as_array(kernel, "kernel"), "kernel", (1, 2))
    if x.ndim != kernel.ndim:
        raise ValueError(
            f"x and kernel must have the same number of dimensions, got x of shape {x.shape} "
            f"and kernel of shape {kernel.shape}"
        )
    strides = per_axis(stride, "stride", x.ndim, positive_int)
    dilations = per_axis(dilation, "dilation", x.ndim, positive_int)
    if x.ndim == 1:
        out = _correlate_1d(x, kernel, strides[0], dilations[0])
    else:
        out = _correlate_2d(x, kernel, strides, dilations)
    return out


def _out_len(n: int, k: int, stride: int, dilation: int, axis: int) -> int:
    span = dilation * (k - 1) + 1
    if span > n:
        raise ValueError(
            f"the kernel spans {span} samples along axis {axis} (dilation {dilation}) but the "
            f"input has only {n}: no window fits"
        )
    return (n - span) // stride + 1


def _correlate_1d(x: np.ndarray, kernel: np.ndarray, stride: int, dilation: int) -> np.ndarray:
    n_out = _out_len(x.shape[0], kernel.shape[0], stride, dilation, 0)
    out = np.zeros(n_out, dtype=np.result_type(x, kernel))
    for i in range(n_out):
        total = 0
        for t in range(kernel.shape[0]):
            total += x[i * stride + t * dilation] * kernel[t]
        out[i] = total
    return out


def _correlate_2d(
    x: np.ndarray, kernel: np.ndarray, stride: tuple[int, ...], dilation: tuple[int, ...]
) -> np.ndarray:
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw = kernel.shape
    oh = _out_len(x.shape[0], kh, sh, dh, 0)
    ow = _out_len(x.shape[1], kw, sw, dw, 1)
    out = np.zeros((oh, ow), dtype=np.result_type(x, kernel))
    for i in range(oh):
        for j in range(ow):
            total = 0
            for a in range(kh):
                for b in range(kw):
                    total += x[i * sh + a * dh, j * sw + b * dw] * kernel[a, b]
            out[i, j] = total
    return out


def reference_conv(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> np.ndarray:
    """A convolution layer by loops: multi-channel cross-correlation with zero padding.

    What ``torch.nn.functional.conv1d``/``conv2d`` compute for one unbatched
    input: every output channel ``o`` is its bias plus, summed over the
    input channels ``c`` of its group, the valid cross-correlation of channel
    ``c`` (zero-padded by ``padding`` on both sides) with ``weight[o, c]``.
    With ``groups=g`` output channel ``o`` belongs to group
    ``o // (C_out // g)`` and reads that group's ``C_in // g`` input channels
    only; ``groups=1`` (the default) means every input channel.

    Parameters
    ----------
    x : array_like, shape (C_in, L) or (C_in, H, W)
        Input channels.
    weight : array_like, shape (C_out, C_in/groups, k) or (C_out, C_in/groups, kh, kw)
        One kernel per output channel and input channel of its group.
    bias : array_like, shape (C_out,), optional
        Added to every value of each output channel.
    stride, padding, dilation : int or tuple of int, optional
        Per spatial axis; ``padding`` zeros are added on both sides.
    groups : int, optional
        Number of channel groups; must divide ``C_in`` and ``C_out``.

    Returns
    -------
    numpy.ndarray, shape ``(C_out, *out)``
        ``out = (n + 2*padding - dilation*(k - 1) - 1) // stride + 1``.

    Raises
    ------
    TypeError, ValueError
        If shapes do not match (channels, bias length), ``groups`` does not
        divide the channel counts, an input is empty or not numeric, or a
        parameter is not a valid integer.

    Examples
    --------
    Two input channels summed into one output, plus a bias:

    >>> reference_conv([[1, 2, 3], [10, 20, 30]], [[[1, 1], [1, 0]]], bias=[100])
    array([[113, 125]])

    Two groups of one channel each (depthwise): no sum across channels.

    >>> reference_conv([[1, 2, 3], [10, 20, 30]], [[[1, 1]], [[1, 0]]], groups=2)
    array([[ 3,  5],
           [10, 20]])
    """
    x = check_ndim(as_array(x, "x"), "x", (2, 3))
    weight = as_array(weight, "weight")
    if weight.ndim != x.ndim + 1:
        raise ValueError(
            f"weight must have {x.ndim + 1} axes (C_out, C_in, *kernel) for x of shape "
            f"{x.shape}, got shape {weight.shape}"
        )
    g = groups_of(
        groups,
        [
            (f"the input channels C_in of x (shape {x.shape})", x.shape[0]),
            (f"the output channels C_out of weight (shape {weight.shape})", weight.shape[0]),
        ],
    )
    if weight.shape[1] * g != x.shape[0]:
        raise ValueError(
            f"weight expects {weight.shape[1] * g} input channels (shape {weight.shape}, "
            f"groups={g}) but x has {x.shape[0]} (shape {x.shape})"
        )
    c_out = weight.shape[0]
    c_in_g = x.shape[0] // g  # input channels per group
    c_out_g = c_out // g  # output channels per group
    spatial = x.ndim - 1
    strides = per_axis(stride, "stride", spatial, positive_int)
    pads = per_axis(padding, "padding", spatial, nonneg_int)
    dilations = per_axis(dilation, "dilation", spatial, positive_int)
    bias_arr = None
    if bias is not None:
        bias_arr = as_array(bias, "bias")
        if bias_arr.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got shape {bias_arr.shape}")

    dtype = np.result_type(x, weight) if bias_arr is None else np.result_type(x, weight, bias_arr)
    channels = []
    for o in range(c_out):
        first = (o // c_out_g) * c_in_g  # the first input channel of o's group
        acc = None
        for c in range(c_in_g):
            part = _correlate_zero_padded(x[first + c], weight[o, c], strides, pads, dilations)
            acc = part if acc is None else acc + part
        if bias_arr is not None:
            acc = acc + bias_arr[o]
        channels.append(acc.astype(dtype, copy=False))
    return np.stack(channels)


def _correlate_zero_padded(
    x: np.ndarray,
    kernel: np.ndarray,
    strides: tuple[int, ...],
    pads: tuple[int, ...],
    dilations: tuple[int, ...],
) -> np.ndarray:
    """Valid correlation of ``x`` zero-padded by ``pads``, the padding never built.

    A padded cell reads as a zero of ``x``'s dtype (so ``0 * inf`` is NaN, as
    with a padded array), and only the output is allocated: a huge padding
    costs loop iterations, not memory.
    """
    sizes = [n + 2 * p for n, p in zip(x.shape, pads, strict=True)]
    out_shape = tuple(
        _out_len(n, k, s, d, axis)
        for axis, (n, k, s, d) in enumerate(zip(sizes, kernel.shape, strides, dilations,
                                                strict=True))
    )
    zero = x.dtype.type(0)
    dtype = np.result_type(x, kernel)
    check_bytes(math.prod(out_shape) * dtype.itemsize, f"the output of shape {out_shape}")
    out = np.zeros(out_shape, dtype=dtype)
    for i in np.ndindex(*out_shape):
        total = 0
        for t in np.ndindex(*kernel.shape):
            where = tuple(
                ii * s + tt * d - p
                for ii, tt, s, d, p in zip(i, t, strides, dilations, pads, strict=True)
            )
            inside = all(0 <= w < n for w, n in zip(where, x.shape, strict=True))
            total += (x[where] if inside else zero) * kernel[t]
        out[i] = total
    return out
