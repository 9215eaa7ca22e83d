"""The sliding-window engine every convdoc convolution runs on.

Two operations are enough for all of convdoc:

* :func:`extend` grows (or crops) the trailing axes of an array by a boundary
  rule, which is how padding, ``boundary=`` and ``padding_mode=`` are realised;
* :func:`correlate_windows` slides a multi-channel kernel over the extended
  array with a stride and a dilation, without flipping and without padding:
  ``out[o, i] = sum_c sum_t grid[c, i*s + t*d] * weight[o, c, t]``.

:func:`correlate_padded` combines them, and for zero padding it avoids
materialising the zeros when the chosen method does not need them.

The ways of computing those sums are the plans of :mod:`convdoc.plans`, one
module each, and :mod:`convdoc.plans.planner` prices them:

* :mod:`~convdoc.plans.direct`: windowed sums, one multiply-add per tap
  (shift-and-add in cache-sized blocks, :func:`numpy.correlate` and its
  polyphase form, einsum);
* :mod:`~convdoc.plans.gemm`: multi-channel layers as GEMMs on the flattened
  image (polyphase components for a stride);
* :mod:`~convdoc.plans.im2col`: all windows as one matrix, one GEMM;
* :mod:`~convdoc.plans.banded`: single-channel image filters as GEMMs with
  banded tap matrices, one per kernel row;
* :mod:`~convdoc.plans.blocks`: strided 2-D filters as banded tap matrices;
* :mod:`~convdoc.plans.polyphase`: strided 1-D layers computing only the
  kept outputs, by matrix products over the phases;
* :mod:`~convdoc.plans.separable`: rank-one kernels as two 1-D passes;
* :mod:`~convdoc.plans.fft`: one transform of the whole problem;
* :mod:`~convdoc.plans.overlap_save`: FFTs of the polyphase components, in
  overlapping blocks along long 1-D signals;
* :mod:`~convdoc.plans.gather`: taps gathered per output, when the padding
  would dwarf the input (used by the layers);
* :mod:`~convdoc.plans.transposed` and :mod:`~convdoc.plans.pooling`: the
  transposed layers (one GEMM, then col2im) and pooling (strided views),
  called by :mod:`convdoc.layers`.

``method="auto"`` takes the cheapest by the planner's cost model,
``"direct"`` the cheapest direct plan and ``"fft"`` forces the FFT.

Integer and boolean results are exact and wrap around as NumPy's integer
arithmetic does: they never go through the FFT unless its rounding error is
provably below 1/2 (:func:`convdoc.plans.fft.exact_enough`), and then the FFT
runs in float64 and its rounded result is narrowed by NumPy's wrapping
integer cast. ``"auto"`` never takes the FFT or the separable passes when an
input holds NaN or infinity, and redoes directly any FFT whose result is not
finite (finite inputs near the float limit can overflow a spectrum bin).

SciPy is imported lazily so that ``import convdoc`` stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convdoc import threads
from convdoc._validate import (
    as_array,
    check_bytes,
    choice,
    fill_dtype,
    fill_value,
    per_axis,
    positive_int,
    scalar,
)
from convdoc.plans import fft, planner, separable, stencil
from convdoc.plans._common import all_finite, zero_pad
from convdoc.plans.planner import strided_1d

__all__ = ["BOUNDARIES", "METHODS", "correlate_padded", "correlate_windows", "extend"]

#: Boundary rules understood by :func:`extend` (the :func:`numpy.pad` names).
BOUNDARIES = ("constant", "edge", "reflect", "symmetric", "wrap")
#: Algorithms understood by :func:`correlate_windows` and the public faces.
METHODS = ("auto", "direct", "fft")


# --------------------------------------------------------------------------- extend


def _check_pad(
    pad: Any, ndim: int, name: str = "pad", padded: str | None = None
) -> tuple[tuple[int, int], ...]:
    """Validate a ``((before, after), ...)`` spec for the last axes of an ndim array.

    ``padded`` says what is padded in the message for too many pairs (default: an
    ndim-D array).
    """
    if not isinstance(pad, list | tuple) or not all(
        isinstance(p, list | tuple) and len(p) == 2 for p in pad
    ):
        raise TypeError(f"{name} must be a sequence of (before, after) pairs, got {pad!r}")
    if len(pad) > ndim:
        padded = padded or f"a {ndim}-D array"
        raise ValueError(f"{name} has {len(pad)} (before, after) pairs for {padded}")
    result = []
    for axis, (before, after) in enumerate(pad):
        before, after = scalar(before), scalar(after)  # 0-d arrays are numbers
        for value, side in ((before, "before"), (after, "after")):
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name}[{axis}] {side} must be an integer, got {value!r}")
        result.append((int(before), int(after)))
    return tuple(result)


def _fill_dtype(dtype: np.dtype, fillvalue: Any) -> np.dtype:
    """Dtype holding both the array's values and the fill value (convdoc._validate.fill_dtype)."""
    return fill_dtype(dtype, fillvalue)


def extend(
    x: Any,
    pad: Sequence[tuple[int, int]],
    mode: str = "constant",
    fillvalue: Any = 0,
) -> np.ndarray:
    """Extend (or crop) the trailing axes of ``x`` by a boundary rule.

    Parameters
    ----------
    x : array_like
        Array to extend. Leading axes not covered by ``pad`` (channels) are
        left alone.
    pad : sequence of (int, int)
        ``((before, after), ...)`` for the last ``len(pad)`` axes: how many
        cells to add before the first and after the last sample. A negative
        entry removes that many cells instead (as a transposed convolution's
        padding does); growth happens before cropping.
    mode : {"constant", "edge", "reflect", "symmetric", "wrap"}
        How the new cells are filled, with :func:`numpy.pad`'s meaning:
        ``constant`` uses ``fillvalue``; ``edge`` repeats the end sample;
        ``reflect`` mirrors without repeating it (``d c b | a b c d | c b a``);
        ``symmetric`` mirrors including it (``c b a | a b c d | d c b``);
        ``wrap`` continues periodically.
    fillvalue : int, float or complex, optional
        Value of new cells in ``constant`` mode (or a one-element array). If
        it does not fit the array's dtype the result is promoted: ``0.5``
        next to integers gives float64, ``300`` next to int8 gives int16.

    Returns
    -------
    numpy.ndarray
        The extended array. When ``pad`` is all zeros this is ``x`` itself
        (not a copy); do not write into it.

    Raises
    ------
    TypeError
        If ``pad`` is malformed, ``fillvalue`` is not a number, or ``x`` is
        not numeric.
    ValueError
        If ``mode`` is unknown, ``pad`` has more pairs than ``x`` has axes, or
        cropping would leave an axis empty.

    Examples
    --------
    >>> extend([1, 2, 3], ((2, 1),), "reflect")
    array([3, 2, 1, 2, 3, 2])
    >>> extend([1, 2, 3], ((-1, 2),), "constant", fillvalue=9)
    array([2, 3, 9, 9])
    """
    arr = as_array(x, "x")
    pairs = _check_pad(pad, arr.ndim)
    choice(mode, "mode", BOUNDARIES)
    fillvalue = fill_value(fillvalue, "fillvalue", arr.dtype)
    lead = arr.shape[: arr.ndim - len(pairs)]
    spatial = zip(arr.shape[len(lead) :], pairs, strict=True)
    grown = [n + max(b, 0) + max(a, 0) for n, (b, a) in spatial]
    check_bytes(
        math.prod(lead) * math.prod(grown) * fill_dtype(arr.dtype, fillvalue).itemsize,
        f"the array extended by pad={pairs} (shape {(*lead, *grown)})",
    )
    return _extend(arr, pairs, mode, fillvalue)


def _extend(
    arr: np.ndarray, pad: tuple[tuple[int, int], ...], mode: str, fillvalue: Any = 0
) -> np.ndarray:
    """:func:`extend` without argument checking."""
    lead = arr.ndim - len(pad)
    # Grow first, then crop: cropping first could empty an axis that growth on
    # the other side would have refilled (a transposed convolution's grid).
    grow = tuple((max(b, 0), max(a, 0)) for b, a in pad)
    if any(b or a for b, a in grow):
        full = [(0, 0)] * lead + list(grow)
        if mode != "constant":
            arr = np.pad(arr, full, mode=mode)
        elif fillvalue == 0:
            arr = zero_pad(arr, grow)
        else:
            dtype = _fill_dtype(arr.dtype, fillvalue)
            arr = np.pad(
                arr.astype(dtype, copy=False), full, mode="constant", constant_values=fillvalue
            )
    if any(b < 0 or a < 0 for b, a in pad):
        crop = [slice(None)] * lead
        for axis, (before, after) in enumerate(pad):
            n = arr.shape[lead + axis]
            start, stop = max(-before, 0), n - max(-after, 0)
            if stop <= start:
                raise ValueError(
                    f"pad {pad[axis]} leaves no samples of axis {lead + axis} "
                    f"(length {n - max(after, 0) - max(before, 0)})"
                )
            crop.append(slice(start, stop))
        arr = arr[tuple(crop)]
    return arr


# ------------------------------------------------------------------ public sliding


def _windows_out_shape(
    n: Sequence[int], k: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> tuple[int, ...]:
    # A list, not a generator: cheaper for the one or two axes there are.
    return tuple(
        [
            (ni - di * (ki - 1) - 1) // si + 1
            for ni, ki, si, di in zip(n, k, stride, dilation, strict=True)
        ]
    )


def _check_windows(
    grid: Any, weight: Any, stride: Any, dilation: Any, method: Any
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], tuple[int, ...]]:
    grid = as_array(grid, "grid")
    weight = as_array(weight, "weight")
    if grid.ndim < 2:
        raise ValueError(
            f"grid must be (C_in, *spatial) with at least one spatial axis, got shape {grid.shape}"
        )
    if weight.ndim != grid.ndim + 1:
        raise ValueError(
            f"weight must be (C_out, C_in, *kernel) with {grid.ndim + 1} axes for a grid of "
            f"shape {grid.shape}, got shape {weight.shape}"
        )
    if weight.shape[1] != grid.shape[0]:
        raise ValueError(
            f"weight has {weight.shape[1]} input channels (shape {weight.shape}) but grid has "
            f"{grid.shape[0]} (shape {grid.shape})"
        )
    spatial = grid.ndim - 1
    stride_t = per_axis(stride, "stride", spatial, positive_int)
    dilation_t = per_axis(dilation, "dilation", spatial, positive_int)
    choice(method, "method", METHODS)
    return grid, weight, stride_t, dilation_t


def correlate_windows(
    grid: Any,
    weight: Any,
    *,
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    method: str = "auto",
) -> np.ndarray:
    """Valid, strided, dilated multi-channel cross-correlation.

    Computes ``out[o, i] = sum_c sum_t grid[c, i*s + t*d] * weight[o, c, t]``
    (``i``, ``t``, ``s``, ``d`` per spatial axis) for every window that fits
    inside ``grid``. Nothing is flipped, nothing is padded, nothing is
    conjugated: callers extend the grid with :func:`extend` and flip the
    kernel themselves for a true convolution.

    Parameters
    ----------
    grid : array_like, shape (C_in, *n)
        The (already extended) input.
    weight : array_like, shape (C_out, C_in, *k)
        The taps as applied.
    stride : int or tuple of int, optional
        Step between windows, per spatial axis.
    dilation : int or tuple of int, optional
        Spacing between taps, per spatial axis.
    method : {"auto", "direct", "fft"}, optional
        Algorithm. ``"fft"`` is fastest for long kernels but rounds integers
        through floats and spreads a NaN or infinity over the whole output;
        ``"auto"`` never picks it then.

    Returns
    -------
    numpy.ndarray, shape ``(C_out, *out)``
        ``out = (n - d*(k - 1) - 1) // s + 1`` per axis, dtype
        ``numpy.result_type(grid, weight)``.

    Raises
    ------
    TypeError, ValueError
        If the shapes do not match, ``stride``/``dilation`` are not positive
        integers, ``method`` is unknown, or the dilated kernel is larger than
        the grid.

    Examples
    --------
    >>> correlate_windows([[1, 2, 3, 4, 5]], [[[1, -1]]], stride=2)
    array([[-1, -1]])
    """
    grid, weight, stride_t, dilation_t = _check_windows(grid, weight, stride, dilation, method)
    spatial = grid.ndim - 1
    return _correlate(grid, weight, ((0, 0),) * spatial, stride_t, dilation_t, method)


def correlate_padded(
    x: Any,
    weight: Any,
    pad: Sequence[tuple[int, int]],
    *,
    boundary: str = "constant",
    fillvalue: Any = 0,
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    method: str = "auto",
) -> np.ndarray:
    """:func:`extend` then :func:`correlate_windows`, skipping explicit zeros.

    ``correlate_padded(x, w, pad, boundary=b, ...)`` equals
    ``correlate_windows(extend(x, pad, b, fillvalue), w, ...)``; with zero
    padding it lets the FFT and :func:`numpy.correlate` paths pad implicitly.

    Parameters
    ----------
    x : array_like, shape (C_in, *n)
        Input before extension.
    weight : array_like, shape (C_out, C_in, *k)
        Taps as applied.
    pad : sequence of (int, int)
        ``(before, after)`` per spatial axis, as for :func:`extend`.
    boundary, fillvalue
        As ``mode`` and ``fillvalue`` of :func:`extend`.
    stride, dilation, method
        As for :func:`correlate_windows`.

    Returns
    -------
    numpy.ndarray, shape ``(C_out, *out)``

    Raises
    ------
    TypeError, ValueError
        As :func:`extend` and :func:`correlate_windows`.

    Examples
    --------
    >>> correlate_padded([[1, 2, 3]], [[[1, 1]]], ((1, 1),))
    array([[1, 3, 5, 3]])
    """
    checked = _checked_fast(x, weight, pad, boundary, fillvalue, stride, dilation, method)
    if checked is not None:
        return _padded(x, weight, pad, boundary, 0, *checked, method)
    x = as_array(x, "x")
    # x is (C_in, *n): a 1-D x is C_in channels of nothing, so say which axes pad.
    axes = f"the {x.ndim - 1} spatial axes of x, shape {x.shape} read as (C_in, *n)"
    pairs = _check_pad(pad, x.ndim - 1, padded=axes)
    if len(pairs) != x.ndim - 1:
        raise ValueError(f"pad must have one (before, after) pair per spatial axis, got {pad!r}")
    choice(boundary, "boundary", BOUNDARIES)
    x, weight, stride_t, dilation_t = _check_windows(x, weight, stride, dilation, method)
    fillvalue = fill_value(fillvalue, "fillvalue", np.result_type(x, weight))
    return _padded(x, weight, pairs, boundary, fillvalue, stride_t, dilation_t, method)


def _ints(value: Any, n: int, low: int) -> bool:
    """``value`` is a tuple of ``n`` plain ints, each at least ``low``."""
    if type(value) is not tuple or len(value) != n:
        return False
    for v in value:  # a loop, not all(...): this runs on every call of every layer
        if type(v) is not int or v < low:
            return False
    return True


def _checked_fast(
    x: Any,
    weight: Any,
    pad: Any,
    boundary: Any,
    fillvalue: Any,
    stride: Any,
    dilation: Any,
    method: Any,
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """``(stride, dilation)`` if the arguments are valid beyond doubt, else None.

    The faces (conv1d, conv2d, ...) call :func:`correlate_padded` with arrays and
    already normalised tuples; recognising that by exact types costs about a
    microsecond, where the generic checks cost several, which matters for
    tiny inputs. Anything unusual returns None and takes the generic checks,
    so bad input still raises exactly their errors.
    """
    if not (
        type(x) is np.ndarray
        and type(weight) is np.ndarray
        and x.dtype.kind in "fc"
        and weight.dtype.kind in "fc"
        and x.size
        and weight.size
        and x.ndim >= 2
        and weight.ndim == x.ndim + 1
        and weight.shape[1] == x.shape[0]
        and type(boundary) is str
        and boundary in BOUNDARIES
        and type(method) is str
        and method in METHODS
        and type(fillvalue) is int
        and fillvalue == 0
        and type(pad) is tuple
        and len(pad) == x.ndim - 1
    ):
        return None
    for pair in pad:
        if not _ints(pair, 2, 0):
            return None
    spatial = x.ndim - 1
    if type(stride) is int:
        stride = (stride,) * spatial
    if type(dilation) is int:
        dilation = (dilation,) * spatial
    if not (_ints(stride, spatial, 1) and _ints(dilation, spatial, 1)):
        return None
    return stride, dilation


def _padded(
    x: np.ndarray,
    weight: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    boundary: str,
    fillvalue: Any,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    method: str,
) -> np.ndarray:
    """:func:`correlate_padded` on checked arguments (the faces call this directly)."""
    if boundary == "constant" and fillvalue != 0:
        # The fill joins the result's dtype (0.1 next to float16 data and a
        # float64 kernel is 0.1 in float64, 0.5 next to integers is float64).
        x = x.astype(_fill_dtype(np.result_type(x, weight), fillvalue), copy=False)
    if (
        method == "auto"
        and boundary == "constant"
        and fillvalue == 0
        and planner.fft_remembered(x, weight, pad, stride, dilation)
    ):
        # The same filter as the last one the FFT took, on a finite image: its choice
        # did not depend on the image, so it is not made again.
        return _correlate(x, weight, pad, stride, dilation, method, remembered=True)
    if x.ndim == 3 and x.shape[0] == 1 and weight.ndim == 4:
        # A single-channel image filter: the compiled stencil extends by the boundary
        # rule row by row itself, when the planner prices it cheapest.
        plan = planner.stencil_plan(x, weight, pad, boundary, fillvalue, stride, dilation, method)
        if plan is not None:
            factors = None if plan is True else plan
            dtype = np.result_type(x, weight)
            out = stencil.correlate2d(x[0], weight[0, 0], pad, boundary, fillvalue, dtype, factors)
            return out[None]
    if x.ndim == 3 and weight.ndim == 4 and planner.channels_stencil(
        x, weight, pad, boundary, fillvalue, stride, dilation, method
    ):
        # A layer with few channels: compiled stencils, one per output channel.
        dtype = np.result_type(x, weight)
        return stencil.correlate_channels(x, weight, (pad[0], pad[1]), boundary, dtype)
    if (
        x.ndim == 2
        and x.shape[0] == 1
        and weight.ndim == 3
        and planner.stencil_plan_1d(x, weight, pad, boundary, fillvalue, stride, dilation, method)
    ):
        dtype = np.result_type(x, weight)
        return stencil.correlate1d(x[0], weight[0, 0], pad[0], boundary, fillvalue, dtype)[None]
    if boundary != "constant" or fillvalue != 0 or any(b < 0 or a < 0 for b, a in pad):
        x = _extend(x, pad, boundary, fillvalue)
        pad = ((0, 0),) * (x.ndim - 1)
    return _correlate(x, weight, pad, stride, dilation, method)


# ------------------------------------------------------------------------- the core


# Outputs with more cells than this are checked against convdoc's memory limit.
_OUT_CELLS_CHECKED = 1 << 24


def _correlate(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    method: str,
    *,
    remembered: bool = False,
) -> np.ndarray:
    """Checked arguments; ``pad`` is implicit zero padding (non-negative).

    ``remembered``: :func:`~convdoc.plans.planner.fft_remembered` said that
    ``method="auto"`` takes the FFT for this call without choosing again.
    """
    n = tuple(ni + b + a for ni, (b, a) in zip(x.shape[1:], pad, strict=True))
    k = w.shape[2:]
    out_shape = _windows_out_shape(n, k, stride, dilation)
    if min(out_shape) < 1:
        span = tuple(d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True))
        raise ValueError(
            f"the kernel spans {span} samples (dilation {dilation}) but the padded input has "
            f"only {n}: no window fits"
        )
    if math.prod(out_shape) > _OUT_CELLS_CHECKED:  # the check costs nothing for small outputs
        check_bytes(
            w.shape[0] * math.prod(out_shape) * np.result_type(x, w).itemsize,
            f"the output of shape {(w.shape[0], *out_shape)}",
        )
    # A stride beyond the padded length leaves one window, as the padded length
    # itself does; a huge one (up to 2**63 - 1) would overflow the byte strides
    # of the window views.
    stride = tuple([min(s, ni) for s, ni in zip(stride, n, strict=True)])
    dtype = np.result_type(x, w)
    if (
        x.ndim == 2
        and w.shape[0] == w.shape[1] == 1
        and stride[0] > 1
        and dilation == (1,)
        and x.dtype == w.dtype
        and dtype.char in planner.BLAS_CHARS
    ):
        return strided_1d(x[0], w[0, 0], pad[0], stride[0], method)[None]
    if dtype.kind == "b":
        # True where any tap pair is (True, True), as numpy.convolve on bools.
        as_int = _correlate(x.astype(np.intp), w.astype(np.intp), pad, stride, dilation, "direct")
        return as_int != 0
    if method == "fft":
        return fft.correlate(x, w, pad, stride, dilation, out_shape, dtype)
    if remembered:
        result = _finite_fft(x, w, pad, stride, dilation, out_shape, dtype)
        if result is not None:
            return result
    plan, direct_cost = planner.best_direct(x, w, pad, stride, dilation, out_shape)
    if method == "auto" and not remembered:
        method = planner.choose(x, w, pad, stride, dilation, out_shape, direct_cost)
        if method == "separable":
            # Its passes are BLAS products: about (kh + kw) multiply-adds per output.
            with threads.blas_for_convdoc(math.prod(out_shape) * sum(w.shape[2:])):
                return separable.correlate(x, w, pad, out_shape)
        if method == "fft":
            result = _finite_fft(x, w, pad, stride, dilation, out_shape, dtype)
            if result is not None:
                planner.remember_fft(x, w, pad, stride, dilation, out_shape, direct_cost)
                return result
    return planner.run_direct(x, w, pad, stride, dilation, out_shape, dtype, plan)


def _finite_fft(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray | None:
    """The FFT's result for inputs found finite, or None if an output is not finite."""
    with np.errstate(all="ignore"):  # warnings are the direct plan's to give
        result = fft.correlate(x, w, pad, stride, dilation, out_shape, dtype, finite=True)
    # Finite inputs can still overflow a spectrum bin (1e306 samples), and one
    # infinite bin makes every output NaN: then the caller redoes it exactly.
    return result if all_finite(result) else None


# ------------------------------------------------------------------ method choice


