"""The neural-network face: convolution, transposed convolution and pooling layers.

The functions follow ``torch.nn.functional`` on *unbatched* input: no batch
axis, channels first. Like PyTorch's layers, :func:`conv1d` and
:func:`conv2d` compute a cross-correlation (the kernel is not flipped). Every
convolution here runs on :mod:`convdoc.engine`, the engine behind
:func:`convdoc.convolve` as well: padding is a boundary extension and the rest
is a strided, dilated sliding window.

Each convolution also has a single-channel form for teaching: pass a 1-D
kernel ``(k,)`` with a 1-D signal ``(L,)`` (or a 2-D kernel ``(kh, kw)`` with
an image ``(H, W)``) and the channel axes disappear from the result.

A convolution's dtype is ``numpy.result_type(x, weight, bias)``: integer inputs
give exact integer sums, float32 stays float32, and a bias given as a Python
number is weak, as in NumPy arithmetic (float32 data with ``bias=0.5`` stays
float32).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convdoc._validate import (
    as_array,
    check_bytes,
    check_ndim,
    choice,
    groups_of,
    nonneg_int,
    per_axis,
    positive_int,
)
from convdoc.engine import (
    _correlate,
    correlate_padded,
    correlate_windows,
    extend,
    strided_1d,
)
from convdoc.plans import planner, pooling, transposed
from convdoc.plans._common import all_finite
from convdoc.plans.gather import correlate_gather, gather_cells
from convdoc.shapes import transposed_output_size

__all__ = [
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool2d",
]

IntOrTuple = int | tuple[int, ...]
Padding = int | tuple[int, ...] | str

#: PyTorch's padding_mode names -> the boundary rules of numpy.pad / engine.extend.
PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

_SHAPE_NAMES = {1: ("(L,)", "(k,)", "(C_in, L)"), 2: ("(H, W)", "(kh, kw)", "(C_in, H, W)")}


# ----------------------------------------------------------------------- checks


def _inputs(
    x: Any, weight: Any, nd: int, *, transposed: bool, groups: Any
) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """Arrays with channel axes, whether the single-channel form was used, and groups.

    A convolution's weight is (C_out, C_in/groups, ...); a transposed
    convolution's is (C_in, C_out/groups, ...), as in PyTorch.
    """
    weight_layout = "(C_in, C_out/groups, ...)" if transposed else "(C_out, C_in/groups, ...)"
    x = as_array(x, "x")
    weight = as_array(weight, "weight")
    signal_shape, kernel_shape, channel_shape = _SHAPE_NAMES[nd]
    check_ndim(weight, "weight", (nd, nd + 2))
    if weight.ndim == nd:
        if x.ndim != nd:
            raise ValueError(
                f"x must be {nd}-D {signal_shape} when weight is a single-channel kernel "
                f"{kernel_shape}, got x of shape {x.shape}"
            )
        groups_of(groups, [("the channel count of the single-channel form (C_in = C_out = 1)", 1)])
        return x[np.newaxis], weight[np.newaxis, np.newaxis], True, 1
    if x.ndim != nd + 1:
        raise ValueError(
            f"x must be {nd + 1}-D {channel_shape} when weight is {nd + 2}-D {weight_layout}, "
            f"got x of shape {x.shape}"
        )
    g = groups_of(groups, [(f"the input channels C_in of x (shape {x.shape})", x.shape[0])])
    if transposed:
        c_in = weight.shape[0]
    else:
        c_in = weight.shape[1] * g
        if weight.shape[0] % g:
            raise ValueError(
                f"groups={g} must divide the output channels C_out of weight {weight_layout} "
                f"(shape {weight.shape}), got {weight.shape[0]} (not a multiple of {g})"
            )
    if c_in != x.shape[0]:
        per_group = "" if transposed or g == 1 else f" ({weight.shape[1]} per group x {g} groups)"
        raise ValueError(
            f"weight {weight_layout} of shape {weight.shape} expects {c_in} input "
            f"channels{per_group}, but x of shape {x.shape} has {x.shape[0]}"
        )
    return x, weight, False, g


def _bias(bias: Any, c_out: int, single: bool) -> np.ndarray | float | complex | None:
    """Bias shaped (C_out,), a Python number (single-channel form), or None."""
    if bias is None:
        return None
    b = as_array(bias, "bias")
    if single and type(bias) in (int, float, complex):
        # Kept a Python number so NumPy's promotion treats it as weak, as it
        # would in ``x + 0.5``: float32 data with a bias of 0.5 stays float32.
        return bias
    if single and b.shape in ((), (1,)):
        return b.reshape(1)
    if b.shape != (c_out,):
        wanted = "a scalar or shape (1,)" if single else f"shape ({c_out},), one per output channel"
        raise ValueError(f"bias must be {wanted}, got shape {b.shape}")
    return b


def _add_bias(out: np.ndarray, bias: np.ndarray | float | complex | None) -> np.ndarray:
    if bias is None:
        return out
    if not isinstance(bias, np.ndarray):
        if type(bias) is int and out.dtype.kind in "iu":
            # A Python int is weak in NumPy's promotion: it takes the result's
            # dtype, and NumPy's own OverflowError would not say which argument.
            info = np.iinfo(out.dtype)
            if not info.min <= bias <= info.max:
                raise ValueError(
                    f"bias must fit the result dtype {out.dtype} ({info.min} to {info.max}), "
                    f"got {bias!r}"
                )
        return out + bias
    return out + bias.reshape((-1,) + (1,) * (out.ndim - 1))


def _padding_pairs(
    padding: Padding,
    kernel: Sequence[int],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial axis, with PyTorch's rules for "valid" and "same"."""
    nd = len(kernel)
    if isinstance(padding, str):
        choice(padding, "padding", ("valid", "same"))
        if padding == "valid":
            return ((0, 0),) * nd
        if any(s != 1 for s in stride):
            raise ValueError(
                f"padding='same' needs stride 1 (as in PyTorch), got stride={_show(stride)}"
            )
        # The kernel spans d*(k-1)+1 cells, so d*(k-1) extra cells keep the size;
        # like PyTorch, the odd one out goes after.
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in per_axis(padding, "padding", nd, nonneg_int))


def _show(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(values)


def _check_padding_mode(
    mode: str, pads: tuple[tuple[int, int], ...], spatial: Sequence[int]
) -> None:
    """PyTorch's limits: reflect needs padding < size, circular padding <= size."""
    for axis, ((before, after), n) in enumerate(zip(pads, spatial, strict=True)):
        pad = max(before, after)
        if mode == "reflect" and pad >= n:
            raise ValueError(
                f"padding_mode='reflect' needs padding smaller than the input size, "
                f"got padding {pad} for size {n} along spatial axis {axis}"
            )
        if mode == "circular" and pad > n:
            raise ValueError(
                f"padding_mode='circular' needs padding at most the input size, "
                f"got padding {pad} for size {n} along spatial axis {axis}"
            )


def _check_fits(
    spatial: Sequence[int],
    pads: tuple[tuple[int, int], ...],
    kernel: Sequence[int],
    dilation: tuple[int, ...],
) -> None:
    for axis, (n, (before, after), k, d) in enumerate(
        zip(spatial, pads, kernel, dilation, strict=True)
    ):
        span = d * (k - 1) + 1
        if n + before + after < span:
            raise ValueError(
                f"the kernel does not fit along spatial axis {axis}: padded input size "
                f"{n + before + after} (size {n}, padding {before}+{after}) is smaller than "
                f"the dilated kernel size {span} (kernel {k}, dilation {d})"
            )


# ------------------------------------------------------------------ convolutions


_FAST_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# Larger stride/padding/dilation take the generic path, which bounds them and
# keeps memory independent of the padding.
_FAST_MAX = 1 << 12


def _conv_fast(
    nd: int,
    x: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
) -> np.ndarray | None:
    """The common call, valid beyond doubt by exact types, or None.

    A single-channel float array, a kernel of the same dtype, plain int
    stride/padding/dilation, zero padding and no bias: the generic checks
    cost more than the arithmetic on small inputs (about 14 us against the
    ~25 us of a whole SciPy call), so this skips them. Anything else returns
    None and takes the generic checks, which raise the documented errors.
    """
    if not (
        type(x) is np.ndarray
        and type(weight) is np.ndarray
        and x.ndim == nd
        and weight.ndim == nd
        and x.dtype in _FAST_DTYPES
        and weight.dtype == x.dtype
        and bias is None
        and type(stride) is int
        and type(padding) is int
        and type(dilation) is int
        and type(padding_mode) is str
        and padding_mode == "zeros"
        and 1 <= stride <= _FAST_MAX
        and 0 <= padding <= _FAST_MAX
        and 1 <= dilation <= _FAST_MAX
        and x.size
        and weight.size
    ):
        return None
    for n, k in zip(x.shape, weight.shape, strict=True):
        if n + 2 * padding < dilation * (k - 1) + 1:
            return None  # let the generic path say the kernel does not fit
    if nd == 1 and stride > 1 and dilation == 1:
        return strided_1d(x, weight, (padding, padding), stride, "auto")
    out = _correlate(
        x[np.newaxis],
        weight[np.newaxis, np.newaxis],
        ((padding, padding),) * nd,
        (stride,) * nd,
        (dilation,) * nd,
        "auto",
    )
    return out[0]


def _conv(
    nd: int,
    x: Any,
    weight: Any,
    bias: Any,
    stride: IntOrTuple,
    padding: Padding,
    dilation: IntOrTuple,
    padding_mode: str,
    groups: Any,
) -> np.ndarray:
    if type(groups) is int and groups == 1:
        fast = _conv_fast(nd, x, weight, bias, stride, padding, dilation, padding_mode)
        if fast is not None:
            return fast
    x, weight, single, g = _inputs(x, weight, nd, transposed=False, groups=groups)
    stride_t = per_axis(stride, "stride", nd, positive_int)
    dilation_t = per_axis(dilation, "dilation", nd, positive_int)
    choice(padding_mode, "padding_mode", tuple(PADDING_MODES))
    kernel = weight.shape[2:]
    pads = _padding_pairs(padding, kernel, stride_t, dilation_t)
    _check_padding_mode(padding_mode, pads, x.shape[1:])
    _check_fits(x.shape[1:], pads, kernel, dilation_t)
    b = _bias(bias, weight.shape[0], single)
    edge = padding_mode == "replicate"
    if _padding_dominates(x, weight, pads, stride_t, dilation_t, padding_mode):
        # Memory follows the output and the input, not the padding.
        out = _per_group(
            lambda xg, wg: correlate_gather(xg, wg, pads, stride_t, dilation_t, edge=edge),
            x, weight, g,
        )
    elif not _batch_groups(weight, g):
        out = _per_group(
            lambda xg, wg: correlate_padded(
                xg, wg, pads, boundary=PADDING_MODES[padding_mode], stride=stride_t,
                dilation=dilation_t,
            ),
            x, weight, g,
        )
    else:
        # A depthwise 2-D layer, or one with few channels a group, runs as compiled
        # stencils once numba is loaded.
        boundary = PADDING_MODES[padding_mode]
        out = planner.grouped_stencil(x, weight, g, pads, boundary, stride_t, dilation_t)
        if out is None:
            grid = extend(x, pads, boundary)
            out = _grouped_windows(grid, weight, g, stride_t, dilation_t)
    out = _add_bias(out, b)
    return out[0] if single else out


def _per_group(compute: Any, x: np.ndarray, weight: np.ndarray, groups: int) -> np.ndarray:
    """``compute(x_g, weight_g)`` for each group, the outputs stacked in channel order.

    Group ``g`` reads input channels ``g*C_in/groups`` to ``(g+1)*C_in/groups - 1``
    and owns the matching block of ``weight``'s first axis.
    """
    if groups == 1:
        return compute(x, weight)
    xs = np.split(x, groups)
    ws = np.split(weight, groups)
    return np.concatenate([compute(xg, wg) for xg, wg in zip(xs, ws, strict=True)])


# The batched grouped plan takes kernels up to this many taps, and groups up to
# this many (input, output) channel pairs; beyond, the work per group repays an
# engine call per group (whose FFT and matrix plans then win). Measured on
# depthwise and grouped 3x3..7x7 layers, 28..112 px, 2..96 groups.
_GROUPED_MAX_TAPS = 32
_GROUPED_MAX_PAIRS = 64


def _batch_groups(weight: np.ndarray, groups: int) -> bool:
    """Whether :func:`_grouped_windows` beats one engine call per group."""
    c_out, c_in_g, *k = weight.shape
    return (
        groups > 1
        and math.prod(k) <= _GROUPED_MAX_TAPS
        and c_in_g * (c_out // groups) <= _GROUPED_MAX_PAIRS
    )


# Bytes of one block of groups' outputs in the batched grouped plan: a share of L2.
_GROUP_BLOCK_BYTES = 1 << 18


def _grouped_windows(
    grid: np.ndarray,
    weight: np.ndarray,
    groups: int,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> np.ndarray:
    """Valid grouped correlation of an already extended ``grid``, all groups at once.

    ``grid`` is ``(C_in, *n)``, ``weight`` ``(C_out, C_in/groups, *k)``; output
    channel ``o`` of group ``gamma`` sums over that group's input channels only.
    One multiply-add per tap over every group together (a broadcast product
    when each group has one input channel, a batched matrix product
    otherwise), so the Python work does not grow with the number of groups;
    memory is the output's, plus one tap's view of the input. For small
    groups and short kernels (:func:`_batch_groups`); callers send the rest
    group by group through the engine.
    """
    c_out, c_in_g, *k = weight.shape
    nd = len(k)
    spatial = grid.shape[1:]
    out_shape = tuple(
        (n - d * (ki - 1) - 1) // s + 1
        for n, ki, s, d in zip(spatial, k, stride, dilation, strict=True)
    )
    dtype = np.result_type(grid, weight)
    check_bytes(
        c_out * math.prod(out_shape) * dtype.itemsize, f"the output of shape {(c_out, *out_shape)}"
    )
    if dtype.kind == "b":
        # True where any tap pair is (True, True), as the engine does for bools.
        as_int = _grouped_windows(
            grid.astype(np.intp), weight.astype(np.intp), groups, stride, dilation
        )
        return as_int != 0
    c_out_g = c_out // groups
    x = grid.reshape(groups, c_in_g, *spatial)
    w = weight.reshape(groups, c_out_g, c_in_g, *k)
    out = np.zeros((groups, c_out_g, *out_shape), dtype=dtype)
    # Groups in blocks whose outputs stay in the cache while every tap is added
    # (a depthwise layer's whole output would not: each tap would cost a trip
    # to memory).
    per_group = c_out_g * math.prod(out_shape) * dtype.itemsize
    block = max(1, _GROUP_BLOCK_BYTES // max(per_group, 1))
    scratch = np.empty_like(out[:block]) if c_in_g == 1 else None
    taps_all = list(itertools.product(*(range(ki) for ki in k)))
    for g0 in range(0, groups, block):
        g1 = min(groups, g0 + block)
        out_b = out[g0:g1]
        for tap in taps_all:
            window = tuple(
                slice(t * d, t * d + s * (o - 1) + 1, s)
                for t, d, s, o in zip(tap, dilation, stride, out_shape, strict=True)
            )
            patch = x[(slice(g0, g1), slice(None), *window)]  # (block, C_in/g, *out), a view
            taps = w[(slice(g0, g1), slice(None), slice(None), *tap)]  # (block, C_out/g, C_in/g)
            if c_in_g == 1:
                # (block, C_out/g, 1, ...) * (block, 1, *out_shape), into a reused buffer.
                tmp = scratch[: g1 - g0]
                np.multiply(taps.reshape(g1 - g0, c_out_g, *(1,) * nd), patch, out=tmp)
                out_b += tmp
            else:
                flat = patch.reshape(g1 - g0, c_in_g, -1)
                out_b += np.matmul(taps, flat).reshape(out_b.shape)
    return out.reshape(c_out, *out_shape)


def _padding_dominates(
    x: np.ndarray,
    weight: np.ndarray,
    pads: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding_mode: str,
) -> bool:
    """Whether to gather the windows instead of padding the input (huge padding).

    The padded input costs ``C_in * prod(n + 2p)`` cells, the gathered windows
    ``C_in * prod(N_out) * prod(K)``. Padding is used while it stays within a
    few times the input, or is the smaller of the two; reflect and circular
    padding never exceed the input. Raises the documented ValueError when
    even the smaller would exceed convdoc's memory limit.
    """
    kernel = weight.shape[2:]
    out_shape = tuple(
        (n + b + a - d * (k - 1) - 1) // s + 1
        for n, (b, a), k, s, d in zip(x.shape[1:], pads, kernel, stride, dilation, strict=True)
    )
    item = np.result_type(x, weight).itemsize
    check_bytes(
        weight.shape[0] * math.prod(out_shape) * item,
        f"the output of shape {(weight.shape[0], *out_shape)}",
    )
    grid = x.shape[0] * math.prod(n + b + a for n, (b, a) in zip(x.shape[1:], pads, strict=True))
    if padding_mode in ("reflect", "circular") or grid <= 4 * x.size + (1 << 16):
        return False
    if grid <= gather_cells(x.shape[0], out_shape, kernel):
        check_bytes(grid * item, f"the padded input of {grid} cells")
        return False
    return True


def conv1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    r"""1-D convolution layer (a cross-correlation), as ``torch.nn.functional.conv1d``.

    .. math::

        \text{out}[o, i] = \text{bias}[o]
            + \sum_{c=0}^{C_\text{in}/g - 1} \sum_{t=0}^{k-1} \text{weight}[o, c, t]\;
              x_\text{pad}[\gamma_o C_\text{in}/g + c,\ i\,s + t\,d],
        \qquad \gamma_o = \lfloor o\,g / C_\text{out} \rfloor

    where :math:`x_\text{pad}` is the input padded by ``padding`` cells on
    each side, :math:`s` the stride, :math:`d` the dilation and :math:`g`
    the number of groups. With ``groups=1`` (the default) every output
    channel sums over all ``C_in`` input channels. With ``groups=g`` the
    channels are split into ``g`` groups: output channels
    ``gamma*C_out/g .. (gamma+1)*C_out/g - 1`` see only input channels
    ``gamma*C_in/g .. (gamma+1)*C_in/g - 1``, as ``g`` independent layers side
    by side; ``groups=C_in`` is a depthwise convolution (each channel filtered
    on its own). The output length is :func:`convdoc.output_size`; groups do
    not change it.

    Parameters
    ----------
    x : array_like, shape (C_in, L) or (L,)
        Input signal, channels first, no batch axis. Use the 1-D form with a
        1-D ``weight``.
    weight : array_like, shape (C_out, C_in/groups, k) or (k,)
        Kernels, one row of ``C_in/groups`` kernels per output channel,
        applied as given (not flipped).
    bias : array_like, shape (C_out,), or scalar, optional
        Added to every output of its channel. A scalar (or shape ``(1,)``) in
        the single-channel form.
    stride : int, default 1
        Step between windows (>= 1).
    padding : int or {"valid", "same"}, default 0
        Cells added on each side (>= 0). ``"valid"`` means 0. ``"same"``
        pads ``dilation * (k - 1)`` cells in total, half before and the rest
        after, so the output is as long as the input; it needs ``stride=1``.
    dilation : int, default 1
        Spacing between kernel taps (>= 1).
    groups : int, default 1
        Number of blocked connections from input to output channels (>= 1);
        must divide ``C_in`` and ``C_out``. Must be 1 in the single-channel
        form.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        How the padding cells are filled: zeros; mirrored without repeating
        the edge sample (padding must be smaller than the input); copies of
        the edge sample; or the signal continued periodically (padding at
        most the input length).

    Returns
    -------
    numpy.ndarray
        Shape ``(C_out, L_out)``, or ``(L_out,)`` in the single-channel form.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes or channel counts disagree, ``groups`` does not divide
        ``C_in`` and ``C_out``, a parameter is out of range,
        ``padding="same"`` is combined with ``stride > 1``, the padding is too
        large for ``padding_mode``, or the kernel does not fit in the padded
        input.

    See Also
    --------
    convdoc.correlate : The signal-processing face of the same operation.
    convdoc.output_size : The output length.

    Examples
    --------
    >>> conv1d([1, 2, 3, 4, 5], [1, 0, -1])
    array([-2, -2, -2])
    >>> conv1d([1, 2, 3, 4, 5], [1, 1], padding="same", padding_mode="replicate")
    array([ 3,  5,  7,  9, 10])
    >>> conv1d([[1, 2, 3, 4]], [[[1, 1]], [[1, -1]]], bias=[0, 10], stride=2)
    array([[3, 7],
           [9, 9]])

    Depthwise (``groups = C_in``): each channel meets its own kernel only.

    >>> conv1d([[1, 2, 3], [10, 20, 30]], [[[1, 1]], [[1, -1]]], groups=2)
    array([[  3,   5],
           [-10, -10]])
    """
    return _conv(1, x, weight, bias, stride, padding, dilation, padding_mode, groups)


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    r"""2-D convolution layer (a cross-correlation), as ``torch.nn.functional.conv2d``.

    .. math::

        \text{out}[o, i, j] = \text{bias}[o]
            + \sum_{c=0}^{C_\text{in}/g - 1} \sum_{u, v} \text{weight}[o, c, u, v]\;
              x_\text{pad}[\gamma_o C_\text{in}/g + c,\ i\,s_0 + u\,d_0,\ j\,s_1 + v\,d_1]

    with :math:`\gamma_o = \lfloor o\,g / C_\text{out} \rfloor` the group of
    output channel :math:`o` (see :func:`conv1d`). The output size along each
    axis is :func:`convdoc.output_size`.

    Parameters
    ----------
    x : array_like, shape (C_in, H, W) or (H, W)
        Input image, channels first, no batch axis. Use the 2-D form with a
        2-D ``weight``.
    weight : array_like, shape (C_out, C_in/groups, kh, kw) or (kh, kw)
        Kernels, applied as given (not flipped).
    bias : array_like, shape (C_out,), or scalar, optional
        Added to every output of its channel. A scalar (or shape ``(1,)``) in
        the single-channel form.
    stride : int or (int, int), default 1
        Step between windows, per axis (>= 1).
    padding : int, (int, int) or {"valid", "same"}, default 0
        Cells added on each side, per axis (>= 0). ``"same"`` keeps the input
        size (``dilation * (k - 1)`` cells per axis, the odd one after) and
        needs ``stride=1``.
    dilation : int or (int, int), default 1
        Spacing between kernel taps, per axis (>= 1).
    groups : int, default 1
        Number of blocked connections from input to output channels (>= 1),
        dividing ``C_in`` and ``C_out``; ``groups=C_in`` is depthwise. Must be
        1 in the single-channel form.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        How the padding cells are filled; see :func:`conv1d`.

    Returns
    -------
    numpy.ndarray
        Shape ``(C_out, H_out, W_out)``, or ``(H_out, W_out)`` in the
        single-channel form.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes or channel counts disagree, ``groups`` does not divide
        ``C_in`` and ``C_out``, a parameter is out of range,
        ``padding="same"`` is combined with ``stride > 1``, the padding is too
        large for ``padding_mode``, or the kernel does not fit in the padded
        input.

    See Also
    --------
    convdoc.kernel2d : Classic 3x3 image kernels to try.
    convdoc.output_size : The output size.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((4, 5))
    >>> image[:, 2:] = 1.0  # dark left, bright right
    >>> conv2d(image, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    array([[4., 4., 0.],
           [4., 4., 0.]])
    >>> conv2d(np.ones((3, 8, 8)), np.ones((16, 3, 3, 3)), padding=1, stride=2).shape
    (16, 4, 4)

    A depthwise layer has one 3x3 kernel per channel, ``(C, 1, 3, 3)``:

    >>> conv2d(np.ones((32, 8, 8)), np.ones((32, 1, 3, 3)), padding=1, groups=32).shape
    (32, 8, 8)
    """
    return _conv(2, x, weight, bias, stride, padding, dilation, padding_mode, groups)


def _conv_transpose(
    nd: int,
    x: Any,
    weight: Any,
    bias: Any,
    stride: IntOrTuple,
    padding: IntOrTuple,
    output_padding: IntOrTuple,
    dilation: IntOrTuple,
    groups: Any,
) -> np.ndarray:
    x, weight, single, g = _inputs(x, weight, nd, transposed=True, groups=groups)
    stride_t = per_axis(stride, "stride", nd, positive_int)
    padding_t = per_axis(padding, "padding", nd, nonneg_int)
    output_padding_t = per_axis(output_padding, "output_padding", nd, nonneg_int)
    dilation_t = per_axis(dilation, "dilation", nd, positive_int)
    kernel = weight.shape[2:]
    c_out = weight.shape[1] * g
    # Validates output_padding < max(stride, dilation) and that some output is left.
    out_size = transposed_output_size(
        x.shape[1:],
        kernel,
        stride=stride_t,
        padding=padding_t,
        output_padding=output_padding_t,
        dilation=dilation_t,
    )
    check_bytes(
        c_out * math.prod(out_size) * np.result_type(x, weight).itemsize,
        f"the output of shape {(c_out, *out_size)}",
    )
    b = _bias(bias, c_out, single)
    # The zero-inserted input, grown by d*(k-1) - p cells a side where that is positive.
    grid = x.shape[0] * math.prod(
        (n - 1) * s + 1 + 2 * max(d * (ki - 1) - p, 0) + op
        for n, s, p, d, ki, op in zip(x.shape[1:], stride_t, padding_t, dilation_t, kernel,
                                      output_padding_t, strict=True)
    )
    huge = grid > 4 * (x.size + c_out * math.prod(out_size)) + (1 << 16)
    # One GEMM and a scatter per tap (convdoc.plans.transposed) multiplies no
    # inserted zero: the plan for ungrouped layers, non-finite weights and huge
    # grids; many small groups run batched on the zero-inserted grid below.
    if g == 1 or huge or not all_finite(weight):
        out = _per_group(
            lambda xg, wg: transposed.scatter(xg, wg, stride_t, padding_t, dilation_t, out_size),
            x, weight, g,
        )
        out = _add_bias(out, b)
        return out[0] if single else out

    # Zero insertion: the inputs land `stride` cells apart.
    inserted = tuple((n - 1) * s + 1 for n, s in zip(x.shape[1:], stride_t, strict=True))
    grid = np.zeros((x.shape[0], *inserted), dtype=x.dtype)
    grid[(slice(None), *(slice(None, None, s) for s in stride_t))] = x
    # Full padding d*(k-1) lets every tap reach every input; `padding` takes
    # some back (negative = crop) and output_padding adds cells at the end.
    pads = [
        (d * (k - 1) - p, d * (k - 1) - p + op)
        for k, p, op, d in zip(kernel, padding_t, output_padding_t, dilation_t, strict=True)
    ]
    grid = extend(grid, pads)
    # The scatter-add of the definition is a correlation with the flipped
    # kernel, input and output channel axes swapped (within each group).
    spatial_axes = tuple(range(3, 3 + nd))
    taps = np.flip(weight.reshape(g, -1, *weight.shape[1:]).swapaxes(1, 2), axis=spatial_axes)
    taps = taps.reshape(c_out, -1, *kernel)
    if not _batch_groups(taps, g):
        out = _per_group(
            lambda xg, wg: correlate_windows(xg, wg, stride=1, dilation=dilation_t), grid, taps, g
        )
    else:
        out = _grouped_windows(grid, taps, g, (1,) * nd, dilation_t)
    out = _add_bias(out, b)
    return out[0] if single else out


def conv_transpose1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    r"""1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``.

    Each input sample :math:`x[c, i]` adds a copy of its kernels, scaled by
    itself, to the output starting at :math:`i\,s - p`:

    .. math::

        \text{out}[\gamma_c C_\text{out}/g + o,\ i\,s - p + t\,d]
            \mathrel{+}= x[c, i]\; \text{weight}[c, o, t],
        \qquad \gamma_c = \lfloor c\,g / C_\text{in} \rfloor

    for :math:`o = 0, \dots, C_\text{out}/g - 1`: with ``groups=g`` an input
    channel writes only to the output channels of its own group (with the
    default ``groups=1``, to all of them).

    It is computed as an ordinary sliding window: the input with ``stride - 1``
    zeros inserted between samples, padded by ``dilation * (k - 1) - padding``
    cells on each side (``output_padding`` more at the end), correlated with
    the flipped kernel. It is the adjoint of :func:`conv1d` with the same
    parameters, and maps a :func:`conv1d` output size back to its input size
    (:func:`convdoc.transposed_output_size`).

    Parameters
    ----------
    x : array_like, shape (C_in, L) or (L,)
        Input, channels first, no batch axis.
    weight : array_like, shape (C_in, C_out/groups, k) or (k,)
        Kernels; note the input channels come first, as in PyTorch.
    bias : array_like, shape (C_out,), or scalar, optional
        Added to every output of its channel.
    stride : int, default 1
        Spacing of the inputs in the output (>= 1).
    padding : int, default 0
        Cells removed from each end of the full output (>= 0).
    output_padding : int, default 0
        Cells added at the far end (>= 0, smaller than ``max(stride,
        dilation)``), to pick among the input sizes a strided :func:`conv1d`
        maps to the same output size.
    dilation : int, default 1
        Spacing between kernel taps (>= 1).
    groups : int, default 1
        Number of blocked connections from input to output channels (>= 1),
        dividing ``C_in``; ``C_out = groups * weight.shape[1]``. Must be 1 in
        the single-channel form.

    Returns
    -------
    numpy.ndarray
        Shape ``(C_out, L_out)``, or ``(L_out,)`` in the single-channel form,
        with ``C_out = groups * weight.shape[1]`` and ``L_out = (L - 1)*stride
        - 2*padding + dilation*(k - 1) + output_padding + 1``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes or channel counts disagree, ``groups`` does not divide
        ``C_in``, a parameter is out of range, or the padding leaves no
        output.

    Examples
    --------
    >>> conv_transpose1d([1, 2, 3], [1, 10], stride=2)
    array([ 1, 10,  2, 20,  3, 30])
    >>> conv_transpose1d([1, 2, 3], [1, 10])
    array([ 1, 12, 23, 30])

    Two groups: each input channel spreads its own kernel into its own output.

    >>> conv_transpose1d([[1, 2], [3, 4]], [[[1, 10]], [[1, -1]]], groups=2)
    array([[ 1, 12, 20],
           [ 3,  1, -4]])
    """
    return _conv_transpose(
        1, x, weight, bias, stride, padding, output_padding, dilation, groups
    )


def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    r"""2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    Each input pixel :math:`x[c, i, j]` adds its scaled kernels to the output
    at :math:`(i\,s_0 - p_0 + u\,d_0,\ j\,s_1 - p_1 + v\,d_1)`; see
    :func:`conv_transpose1d` for how it is computed. A stride of 2 roughly
    doubles the image size, which is how decoder networks upsample.

    Parameters
    ----------
    x : array_like, shape (C_in, H, W) or (H, W)
        Input, channels first, no batch axis.
    weight : array_like, shape (C_in, C_out/groups, kh, kw) or (kh, kw)
        Kernels; the input channels come first, as in PyTorch.
    bias : array_like, shape (C_out,), or scalar, optional
        Added to every output of its channel.
    stride : int or (int, int), default 1
        Spacing of the inputs in the output, per axis (>= 1).
    padding : int or (int, int), default 0
        Cells removed from each side of the full output, per axis (>= 0).
    output_padding : int or (int, int), default 0
        Cells added at the far side, per axis (smaller than ``max(stride,
        dilation)``).
    dilation : int or (int, int), default 1
        Spacing between kernel taps, per axis (>= 1).
    groups : int, default 1
        Number of blocked connections from input to output channels (>= 1),
        dividing ``C_in``; see :func:`conv_transpose1d`.

    Returns
    -------
    numpy.ndarray
        Shape ``(C_out, H_out, W_out)`` with ``C_out = groups *
        weight.shape[1]``, or ``(H_out, W_out)`` in the single-channel form;
        sizes from :func:`convdoc.transposed_output_size`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes or channel counts disagree, ``groups`` does not divide
        ``C_in``, a parameter is out of range, or the padding leaves no
        output.

    Examples
    --------
    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    """
    return _conv_transpose(
        2, x, weight, bias, stride, padding, output_padding, dilation, groups
    )


# ----------------------------------------------------------------------- pooling


def _pool_args(
    x: Any, kernel_size: IntOrTuple, stride: IntOrTuple | None, padding: IntOrTuple
) -> tuple[np.ndarray, bool, tuple[int, int], tuple[int, int], tuple[tuple[int, int], ...]]:
    arr = check_ndim(as_array(x, "x"), "x", (2, 3))
    single = arr.ndim == 2
    if single:
        arr = arr[np.newaxis]
    k = per_axis(kernel_size, "kernel_size", 2, positive_int)
    s = k if stride is None else per_axis(stride, "stride", 2, positive_int)
    p = per_axis(padding, "padding", 2, nonneg_int)
    for axis in range(2):
        # PyTorch's rule: a window must always hold at least one real pixel.
        if 2 * p[axis] > k[axis]:
            raise ValueError(
                f"padding must be at most half of kernel_size (as in PyTorch), "
                f"got padding {p[axis]} for kernel_size {k[axis]} along spatial axis {axis}"
            )
    pads = tuple((pi, pi) for pi in p)
    _check_fits(arr.shape[1:], pads, k, (1, 1))
    out_shape = tuple(
        (n + 2 * pi - ki) // si + 1 for n, pi, ki, si in zip(arr.shape[1:], p, k, s, strict=True)
    )
    check_bytes(
        arr.shape[0] * math.prod(out_shape) * 8, f"the output of shape {(arr.shape[0], *out_shape)}"
    )
    return arr, single, k, s, pads


def max_pool2d(
    x: Any,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
) -> np.ndarray:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Each output is the largest value in its ``kernel_size`` window. Padding
    cells count as minus infinity, so they never win.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (H, W)
        Real-valued input; every channel is pooled separately.
    kernel_size : int or (int, int)
        Window size (>= 1).
    stride : int or (int, int), optional
        Step between windows; by default ``kernel_size`` (windows tile the
        input without overlapping).
    padding : int or (int, int), default 0
        Cells added on each side, at most half of ``kernel_size``.

    Returns
    -------
    numpy.ndarray
        Shape ``(C, H_out, W_out)`` (or ``(H_out, W_out)``), sizes from
        :func:`convdoc.output_size`. Integer and boolean inputs give float64.

    Raises
    ------
    TypeError
        If an argument has the wrong type or ``x`` is complex.
    ValueError
        If ``x`` is not 2-D or 3-D, a parameter is out of range, or the
        window does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> max_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 5.,  7.],
           [13., 15.]])
    """
    arr, single, k, s, pads = _pool_args(x, kernel_size, stride, padding)
    if arr.dtype.kind == "c":
        raise TypeError(f"x must be real for max pooling, got dtype {arr.dtype}")
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    if pooling.grid_is_small(arr, pads):
        grid = extend(arr, pads, "constant", fillvalue=-np.inf)
        out = pooling.reduce_windows(np.maximum, grid, k, s)
    else:
        # Padding cells (minus infinity) never win, so each window is reduced
        # over its real pixels only.
        out = pooling.box_reduce(np.maximum, arr, k, s, pads)
    return out[0] if single else out


def avg_pool2d(
    x: Any,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
) -> np.ndarray:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Each output is the mean of its ``kernel_size`` window, padding cells
    included as zeros (PyTorch's default ``count_include_pad=True``): it is a
    per-channel convolution with a box kernel and a stride.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (H, W)
        Input; every channel is pooled separately.
    kernel_size : int or (int, int)
        Window size (>= 1).
    stride : int or (int, int), optional
        Step between windows; by default ``kernel_size``.
    padding : int or (int, int), default 0
        Zero cells added on each side, at most half of ``kernel_size``.

    Returns
    -------
    numpy.ndarray
        Shape ``(C, H_out, W_out)`` (or ``(H_out, W_out)``), sizes from
        :func:`convdoc.output_size`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``x`` is not 2-D or 3-D, a parameter is out of range, or the
        window does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> avg_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    arr, single, k, s, pads = _pool_args(x, kernel_size, stride, padding)
    if arr.dtype.kind in "biu":
        # Sum in float64: a uint8 or int16 sum would wrap (200 + 200 in uint8 is 144);
        # float64 holds every integer sum below 2**53 exactly.
        arr = arr.astype(np.float64)
    if pooling.grid_is_small(arr, pads):
        # Sum each window, then divide once, as PyTorch does.
        sums = pooling.reduce_windows(np.add, extend(arr, pads), k, s)
    else:
        # Zero padding adds nothing to a sum: sum each window's real pixels;
        # the division below counts the padding cells, as PyTorch does.
        sums = pooling.box_reduce(np.add, arr, k, s, pads)
    out = sums / (k[0] * k[1])
    return out[0] if single else out
