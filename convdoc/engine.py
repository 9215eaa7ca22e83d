"""The sliding-window engine every convdoc convolution runs on.

Two operations are enough for all of convdoc:

* :func:`extend` grows (or crops) the trailing axes of an array by a boundary
  rule, which is how padding, ``boundary=`` and ``padding_mode=`` are realised;
* :func:`correlate_windows` slides a multi-channel kernel over the extended
  array with a stride and a dilation, without flipping and without padding:
  ``out[o, i] = sum_c sum_t grid[c, i*s + t*d] * weight[o, c, t]``.

:func:`correlate_padded` combines them, and for zero padding it avoids
materialising the zeros when the chosen method does not need them.

Several algorithms compute the same numbers; ``method="auto"`` picks one by a
rough cost model, ``"direct"`` picks the cheapest direct algorithm and
``"fft"`` forces the FFT. The direct algorithms:

* :func:`numpy.correlate` for plain one-dimensional single-channel problems
  (what :func:`scipy.signal.convolve` uses);
* for strided single-channel 1-D problems in a BLAS dtype,
  :func:`strided_1d`: matrix products over the polyphase components
  (:mod:`convdoc._strided`) that compute only the kept outputs; for other
  dtypes, ``stride`` calls of :func:`numpy.correlate` on the phases, or
  :func:`numpy.einsum` over a strided view of the windows (no copy);
* shift-and-add: one vectorised multiply-accumulate per kernel tap over
  exactly the output samples that are kept (big outputs, few taps);
* im2col: all windows as columns of a strided view, one tensor contraction
  (small outputs, many taps).

The FFT multiplies spectra (:mod:`scipy.fft`; plain single-channel problems go
through :func:`scipy.signal.fftconvolve` exactly as SciPy does) and sums over
input channels in the frequency domain; with a stride it transforms the
polyphase components so that skipped outputs are never computed (in 1-D in
overlapping blocks, :func:`convdoc._strided.fft_phases`). Under
``"auto"`` a 2-D kernel of rank one (a Gaussian blur, a box blur) with a
float32 or float64 result may run as two 1-D passes
(:func:`scipy.ndimage.correlate1d`); rank one is judged by an SVD in float64
to the result's precision, and a kernel holding NaN or infinity never is.
Plain 1-D problems follow :func:`scipy.signal.choose_conv_method`'s decision.

Integer and boolean results are exact and wrap around as NumPy's integer
arithmetic does: they never go through the FFT unless its rounding error is
provably below 1/2 (SciPy's rule, the sums fit the float64 mantissa, plus a
bound on the FFT's error from the data's norms), and then the FFT runs in float64 and
its rounded result is narrowed by NumPy's wrapping integer cast. ``"auto"``
never takes the FFT when an input holds NaN or infinity, which the FFT would
spread over the whole output, and redoes directly any FFT whose result is not
finite (finite inputs near the float limit can overflow a spectrum bin).

SciPy is imported lazily so that ``import convdoc`` stays fast.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convdoc._spectra import spectrum
from convdoc._strided import (
    all_finite,
    fft_phases,
    fft_phases_cost,
    fft_work_dtype,
    phase_matmul,
    phase_matmul_cost,
    round_to_int,
)
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

__all__ = ["BOUNDARIES", "METHODS", "correlate_padded", "correlate_windows", "extend"]

#: Boundary rules understood by :func:`extend` (the :func:`numpy.pad` names).
BOUNDARIES = ("constant", "edge", "reflect", "symmetric", "wrap")
#: Algorithms understood by :func:`correlate_windows` and the public faces.
METHODS = ("auto", "direct", "fft")

# Rough seconds per unit of work on a current x86 core, used only to rank
# algorithms against each other under method="auto" (see benchmarks/bench.py).
_SEC_PER_FFT_UNIT = 1.0e-9  # one FFT of N points costs about N*ln(N) units
_SEC_PER_SHIFT_ADD_MAC = 2.0e-9  # NumPy multiply + add over a shifted view
_SEC_PER_SHIFT_ADD_CALL = 4.0e-6  # Python/NumPy overhead per tap
_SEC_PER_NP_CORRELATE_MAC = 2.1e-10  # numpy.correlate inner loop (SciPy's figure)
_SEC_PER_SEPARABLE_MAC = 1.0e-9  # scipy.ndimage.correlate1d
_SEC_OVERHEAD_FFT = 6.0e-5
_SEC_OVERHEAD_SEPARABLE = 1.5e-4  # includes the SVD of the kernel
_FLOAT_MANTISSA_LIMIT = 2**52 - 1
# scipy.signal.choose_conv_method never picks the FFT for a 1-D problem whose
# shorter operand has this few samples (checked for every mode up to 1e7
# samples; its FFT estimate grows faster than the direct one beyond that).
_SCIPY_ALWAYS_DIRECT = 5
_TINY_MACS = 40_000  # numpy.correlate multiply-adds done in about 10 us
# Dtypes BLAS multiplies natively (float32/64, complex64/128).
_BLAS_CHARS = "fdFD"
_IM2COL_LIMIT = 4_000_000  # window elements copied by the im2col path (32 MB of float64)
# Result dtypes the separable plan computes in natively (scipy.ndimage.correlate1d).
_SEPARABLE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# --------------------------------------------------------------------------- extend


def _check_pad(pad: Any, ndim: int, name: str = "pad") -> tuple[tuple[int, int], ...]:
    """Validate a ``((before, after), ...)`` spec for the last axes of an ndim array."""
    if not isinstance(pad, list | tuple) or not all(
        isinstance(p, list | tuple) and len(p) == 2 for p in pad
    ):
        raise TypeError(f"{name} must be a sequence of (before, after) pairs, got {pad!r}")
    if len(pad) > ndim:
        raise ValueError(f"{name} has {len(pad)} (before, after) pairs for a {ndim}-D array")
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
            arr = _zero_pad(arr, grow)
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


def _zero_pad(arr: np.ndarray, pad: Sequence[tuple[int, int]]) -> np.ndarray:
    """Zero padding of the last axes; faster than numpy.pad for this one case."""
    if not any(b or a for b, a in pad):
        return arr
    lead = arr.ndim - len(pad)
    spatial = arr.shape[lead:]
    shape = arr.shape[:lead] + tuple(n + b + a for n, (b, a) in zip(spatial, pad, strict=True))
    out = np.zeros(shape, dtype=arr.dtype)
    inner = tuple(slice(b, b + n) for n, (b, _) in zip(spatial, pad, strict=True))
    out[(Ellipsis, *inner)] = arr
    return out


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
    pairs = _check_pad(pad, x.ndim - 1)
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
    if boundary != "constant" or fillvalue != 0 or any(b < 0 or a < 0 for b, a in pad):
        if boundary == "constant" and fillvalue != 0:
            # The fill joins the result's dtype (0.1 next to float16 data and a
            # float64 kernel is 0.1 in float64, 0.5 next to integers is float64).
            x = x.astype(_fill_dtype(np.result_type(x, weight), fillvalue), copy=False)
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
) -> np.ndarray:
    """Checked arguments; ``pad`` is implicit zero padding (non-negative)."""
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
        and dtype.char in _BLAS_CHARS
    ):
        return strided_1d(x[0], w[0, 0], pad[0], stride[0], method)[None]
    if dtype.kind == "b":
        # True where any tap pair is (True, True), as numpy.convolve on bools.
        as_int = _correlate(x.astype(np.intp), w.astype(np.intp), pad, stride, dilation, "direct")
        return as_int != 0
    if method == "fft":
        return _fft(x, w, pad, stride, dilation, out_shape, dtype)
    plan, direct_cost = _best_direct(x, w, pad, stride, dilation, out_shape)
    if method == "auto":
        method = _choose(x, w, pad, stride, dilation, out_shape, direct_cost)
        if method == "separable":
            return _separable(x, w, pad, out_shape)
        if method == "fft":
            with np.errstate(all="ignore"):  # warnings are the direct plan's to give
                result = _fft(x, w, pad, stride, dilation, out_shape, dtype)
            # Finite inputs can still overflow a spectrum bin (1e306 samples), and
            # one infinite bin makes every output NaN: then redo it exactly.
            if all_finite(result):
                return result
    return _direct(x, w, pad, stride, dilation, out_shape, dtype, plan)


def _numpy_mode(n: int, k: int, pad: tuple[int, int]) -> str | None:
    """The numpy.correlate mode that equals zero padding ``pad``, if any."""
    if pad == (0, 0) and n >= k:
        return "valid"
    if pad == (k - 1, k - 1):
        return "full"
    if pad == (k // 2, (k - 1) // 2) and n >= k:
        return "same"
    return None


def _direct_plans(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtypes: tuple[np.dtype, np.dtype] = (np.dtype(float), np.dtype(float)),
) -> dict[str, float]:
    """Estimated seconds of each applicable direct algorithm."""
    c_out, c_in = w_shape[:2]
    k = w_shape[2:]
    taps = math.prod(k)
    outputs = math.prod(out_shape)
    macs = c_out * c_in * outputs * taps
    single = c_out == c_in == 1
    plans = {
        "shift_add": (_SEC_PER_SHIFT_ADD_MAC * macs + _SEC_PER_SHIFT_ADD_CALL * taps)
        * (1.0 if single else 1.5)
    }
    columns = outputs * taps * c_in
    if columns <= _IM2COL_LIMIT:
        # One copy of the windows into a matrix (NumPy copies them a run at a time,
        # the longer of kernel and output width), one product. Fitted on
        # 64..512 px, 3..63 px kernels, strides 1 and 4.
        rows = columns // max(k[-1], out_shape[-1])
        plans["im2col"] = 2e-5 + 0.5e-9 * columns + 7e-9 * rows + 0.3e-9 * macs
    if single and len(x_shape) == 2:
        # numpy.einsum over a strided view of the windows: no copy, one C loop.
        # Fitted on 1e2..1e5 samples, 11..101 taps, stride 4 (min of interleaved runs).
        plans["einsum"] = 8e-6 + outputs * (3e-9 + 3.7e-10 * taps)
    if (
        single
        and len(x_shape) == 3
        and dilation == (1, 1)
        and stride[1] > 1
        and np.result_type(*dtypes).kind in "fc"
    ):
        width = x_shape[2] + pad[1][0] + pad[1][1]
        plans["blocks2d"] = _blocks2d_cost(out_shape, k, stride, width)
    if single and len(x_shape) == 2 and dilation == (1,):
        if stride == (1,) and _numpy_mode(x_shape[1], k[0], pad[0]) is not None:
            plans["numpy"] = 5e-6 + outputs * _np_correlate_cost(taps)
        elif stride != (1,):
            s = stride[0]
            phase_taps = -(-taps // s)
            # s calls on s-times shorter problems, plus copying each phase.
            plans["polyphase"] = s * (5e-6 + outputs * (1.0e-9 + _np_correlate_cost(phase_taps)))
            # Every output, then keep every s-th: wasteful, but one C call wins when tiny.
            plans["numpy_subsample"] = 5e-6 + s * outputs * _np_correlate_cost(taps)
    return plans


def _np_correlate_cost(k: int) -> float:
    """Seconds per output of numpy.correlate with ``k`` taps.

    Short kernels run a vectorised inner loop; from about 16 taps NumPy calls
    a dot product per output, which costs some 40 ns before any arithmetic.
    """
    return 3e-10 * k if k < 16 else 4e-8 + 1.6e-10 * k


def _plain_numpy(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> bool:
    """A single-channel 1-D stride-1 problem that numpy.correlate solves as is."""
    return (
        x.ndim == 2
        and w.shape[0] == w.shape[1] == 1
        and stride == (1,)
        and dilation == (1,)
        and _numpy_mode(x.shape[1], w.shape[2], pad[0]) is not None
    )


def _best_direct(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> tuple[str, float]:
    """The cheapest direct algorithm and its estimated seconds."""
    if _plain_numpy(x, w, pad, stride, dilation):
        # The C loop SciPy uses; nothing direct beats it.
        return "numpy", 5e-6 + _SEC_PER_NP_CORRELATE_MAC * out_shape[0] * w.shape[2]
    if (
        x.ndim == 2
        and w.shape[0] == w.shape[1] == 1
        and dilation == (1,)
        and stride[0] * out_shape[0] * w.shape[2] <= _TINY_MACS
    ):
        # A tiny strided layer: one numpy.correlate call beats every plan's
        # set-up (and pricing them all would cost more than running this one).
        return "numpy_subsample", 5e-6 + stride[0] * out_shape[0] * _np_correlate_cost(w.shape[2])
    plans = _direct_plans(x.shape, w.shape, pad, stride, dilation, out_shape, (x.dtype, w.dtype))
    plan = min(plans, key=plans.__getitem__)
    return plan, plans[plan]


def _direct(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
    plan: str,
) -> np.ndarray:
    """Run the direct algorithm ``plan`` (from :func:`_best_direct`)."""
    if plan in ("numpy", "polyphase", "numpy_subsample"):
        # numpy.correlate conjugates its second argument; undo that.
        taps = np.conj(w[0, 0]) if w.dtype.kind == "c" else w[0, 0]
        if plan == "numpy":
            mode = _numpy_mode(x.shape[1], w.shape[2], pad[0])
            if mode != "valid" and not all_finite(taps):
                # numpy.correlate never multiplies the zeros it implies beyond the
                # ends; the definition (explicit zeros) does: 0 * inf is NaN there.
                x, mode = _zero_pad(x, pad), "valid"
            return np.correlate(x[0], taps, mode)[None, :].astype(dtype, copy=False)
        if plan == "numpy_subsample":
            every = np.correlate(_zero_pad(x[0], pad), taps, "valid")[:: stride[0]]
            return every[None, : out_shape[0]].astype(dtype, copy=False)
        return _polyphase(_zero_pad(x[0], pad), taps, stride[0], out_shape[0], dtype)[None, :]
    grid = _zero_pad(x, pad)
    if plan == "blocks2d":
        result = _blocks2d(grid[0], w[0, 0], stride, out_shape, dtype)
        if result is not None:
            return result[None]
        plan = "im2col" if math.prod(out_shape) * w[0, 0].size <= _IM2COL_LIMIT else "shift_add"
    if plan == "einsum":
        return _window_einsum(grid[0], w[0, 0], stride[0], dilation[0], out_shape[0], dtype)[None]
    if plan == "im2col":
        return _im2col(grid, w, stride, dilation, out_shape, dtype)
    return _shift_add(grid, w, stride, dilation, out_shape, dtype)


def strided_1d(
    x: np.ndarray, taps: np.ndarray, pad: tuple[int, int], stride: int, method: str
) -> np.ndarray:
    """A single-channel strided 1-D correlation, the hot case of the CNN pages.

    ``x`` and ``taps`` are 1-D arrays of one BLAS dtype (float32/64,
    complex64/128), checked by the caller, with ``pad`` zeros implied
    before and after and ``stride > 1``. Only the kept outputs are computed:
    by :func:`~convdoc._strided.phase_matmul`, or for long kernels by
    :func:`~convdoc._strided.fft_phases` under ``"auto"`` (whose result
    is dropped if not finite: the FFT spreads a NaN or infinity of the input
    over every output) or ``"fft"``. Kept apart
    from the general planner because pricing every plan costs as much as the
    arithmetic on a few thousand samples.
    """
    k = taps.size
    n_out = (x.size + pad[0] + pad[1] - k) // stride + 1
    grid = x if pad == (0, 0) else _zero_pad(x, (pad,))
    if method != "fft" and stride * n_out * k <= _TINY_MACS:
        # Every output and then every stride-th: one C call beats any set-up.
        every = np.correlate(grid, np.conj(taps) if taps.dtype.kind == "c" else taps, "valid")
        return every[::stride][:n_out].copy()
    if method == "fft":
        return fft_phases(grid[None], taps[None, None], (stride,), (n_out,), grid.dtype)[0]
    if method == "auto":
        direct = phase_matmul_cost(n_out, k, stride)
        if direct > _SEC_OVERHEAD_FFT and fft_phases_cost((n_out,), (k,), (stride,), 1, 1) < direct:
            with np.errstate(all="ignore"):  # warnings are the direct plan's to give
                result = fft_phases(grid[None], taps[None, None], (stride,), (n_out,), grid.dtype)
            result = result[0]
            # A NaN or infinity in the input spreads over the whole FFT result,
            # so a finite result means a finite input: keep it, else go direct.
            if all_finite(result):
                return result
    result = phase_matmul(grid, taps, stride, n_out)
    if result is not None:
        return result
    # A NaN or infinity met a padding zero of the tap matrix: redo exactly.
    taps = np.conj(taps) if taps.dtype.kind == "c" else taps
    return _polyphase(grid, taps, stride, n_out, grid.dtype)


def _window_einsum(
    grid: np.ndarray, taps: np.ndarray, stride: int, dilation: int, n_out: int, dtype: np.dtype
) -> np.ndarray:
    """1-D windows as a strided view (no copy) contracted with the taps by numpy.einsum."""
    view = np.lib.stride_tricks.as_strided(
        grid,
        shape=(n_out, taps.size),
        strides=(grid.strides[0] * stride, grid.strides[0] * dilation),
        writeable=False,
    )
    return np.einsum("ij,j->i", view, taps).astype(dtype, copy=False)


# OpenBLAS hands a matrix product above about this many multiply-adds to all its
# threads; on a busy machine waiting for them costs far more than the product.
_BLAS_CHUNK_MACS = 1 << 18


def _tap_matrices(taps: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
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


def _blocks2d(
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
        heads, tails = _tap_matrices(w.astype(dtype, copy=False), s1)
        for a, (head, tail) in enumerate(zip(heads, tails, strict=True)):
            buf[:, :width] = grid[a : a + s0 * (mh - 1) + 1 : s0]
            out[:-1] += _chunked_matmul(flat[:-1], head)
            out[:-1] += _chunked_matmul(flat[1:], tail)
        kept = out.reshape(mh, n_blocks * q)[:, :mw]
        return np.ascontiguousarray(kept) if all_finite(kept) else None


def _blocks2d_cost(
    out_shape: tuple[int, ...], k: tuple[int, ...], stride: tuple[int, ...], width: int
) -> float:
    """Seconds of :func:`_blocks2d` (fitted on 64..1024 px, 15..63 px kernels, stride 4)."""
    q = -(-k[1] // stride[1])
    block = q * stride[1]
    n_blocks = -(-width // block) + 1
    per_row = 1.5e-5 + 1e-9 * out_shape[0] * width + 3e-10 * out_shape[0] * n_blocks * block * q
    return k[0] * per_row


def _chunked_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in row chunks small enough for OpenBLAS to run single-threaded."""
    per_row = a.shape[1] * (b.shape[1] if b.ndim == 2 else 1)
    rows = max(1, _BLAS_CHUNK_MACS // per_row)
    if a.shape[0] <= rows:
        return a @ b
    out = np.empty((a.shape[0], *b.shape[1:]), dtype=np.result_type(a, b))
    for start in range(0, a.shape[0], rows):
        np.matmul(a[start : start + rows], b, out=out[start : start + rows])
    return out


def _im2col(
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
    if w.shape[-1] >= out_shape[-1]:
        shape, order = (*out_shape, *w.shape[1:]), (*outer, *inner)
        matrix = np.lib.stride_tricks.as_strided(grid, shape, order, writeable=False)
        out = (matrix.reshape(outputs, -1) @ kernels.T).T  # (C_out, outputs)
    else:
        shape, order = (*w.shape[1:], *out_shape), (*inner, *outer)
        matrix = np.lib.stride_tricks.as_strided(grid, shape, order, writeable=False)
        out = kernels @ matrix.reshape(-1, outputs)
    return np.ascontiguousarray(out.reshape(c_out, *out_shape).astype(dtype, copy=False))


def _polyphase(
    grid: np.ndarray, taps: np.ndarray, stride: int, n_out: int, dtype: np.dtype
) -> np.ndarray:
    """Strided 1-D correlation as ``stride`` numpy.correlate calls on phases.

    ``out[i] = sum_t grid[i*s + t] taps[t]``; writing ``t = q*s + p`` gives
    ``sum_p sum_q grid[p::s][i + q] * taps[p::s][q]``: each phase is a plain
    stride-1 problem ``s`` times smaller, so only the kept outputs are computed.
    Receives already-conjugated taps.
    """
    out = np.zeros(n_out, dtype=dtype)
    for phase in range(min(stride, taps.size)):
        sub_taps = taps[phase::stride]
        need = n_out + sub_taps.size - 1
        sub_grid = grid[phase::stride][:need]
        out += np.correlate(sub_grid, sub_taps, "valid")
    return out


def _shift_add(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray:
    """One vectorised multiply-accumulate per tap over the kept outputs only."""
    c_out, c_in = w.shape[:2]
    out = np.zeros((c_out, *out_shape), dtype=dtype)
    single = c_out == c_in == 1
    scratch = np.empty(out_shape, dtype=dtype) if single else None
    for tap in itertools.product(*(range(ki) for ki in w.shape[2:])):
        window = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, dilation, stride, out_shape, strict=True)
        )
        patch = grid[(slice(None), *window)]
        if single:
            np.multiply(patch[0], w[(0, 0, *tap)], out=scratch)
            out[0] += scratch
        else:
            out += np.tensordot(w[(slice(None), slice(None), *tap)], patch, axes=(1, 0))
    return out


def _dilate(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """Insert ``d - 1`` zeros between taps along each spatial axis."""
    if all(d == 1 for d in dilation):
        return w
    k = w.shape[2:]
    span = tuple(d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True))
    out = np.zeros(w.shape[:2] + span, dtype=w.dtype)
    out[(slice(None), slice(None), *(slice(None, None, d) for d in dilation))] = w
    return out


def _fft(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray:
    """Multiply spectra; correlation = convolution with the flipped kernel."""
    from scipy import fft as sp_fft

    plain = _scipy_mode(x, w, pad, stride, dilation)
    if plain is not None and x.ndim == 2:
        # Exactly scipy.signal.convolve's FFT path, so plain calls cost what SciPy's do.
        from scipy import signal

        kernel = w[(0, 0, *(slice(None, None, -1),) * (x.ndim - 1))]
        result = signal.fftconvolve(x[0], kernel, plain)[None]
        if dtype.kind in "iu":
            return round_to_int(result, dtype)
        return result.astype(dtype, copy=False)
    w = _dilate(w, dilation)
    span = w.shape[2:]
    # Implicit zero padding only reaches k-1 cells beyond the input; pad the rest.
    extra = tuple(
        (max(b - (s - 1), 0), max(a - (s - 1), 0)) for (b, a), s in zip(pad, span, strict=True)
    )
    if any(b or a for b, a in extra):
        x = _zero_pad(x, extra)
        pad = tuple((b - e[0], a - e[1]) for (b, a), e in zip(pad, extra, strict=True))
    if any(st > 1 for st in stride):
        return fft_phases(_zero_pad(x, pad), w, stride, out_shape, dtype)
    spatial = x.ndim - 1
    axes = tuple(range(-spatial, 0))
    full = tuple(n + s - 1 for n, s in zip(x.shape[1:], span, strict=True))
    flipped = w[(slice(None), slice(None), *(slice(None, None, -1),) * spatial)]
    is_complex = dtype.kind == "c"
    shape = tuple(sp_fft.next_fast_len(f, real=not is_complex) for f in full)
    work = fft_work_dtype(dtype)
    forward = sp_fft.fftn if is_complex else sp_fft.rfftn
    spec_x = forward(x.astype(work, copy=False), shape, axes=axes)
    # A 2-D kernel much smaller than the image: its spectrum from its taps.
    spec_w = spectrum(flipped.astype(work, copy=False), shape, is_complex, -1)
    if w.shape[1] == 1:
        spec = spec_w[:, 0] * spec_x[0]
    else:
        spec = np.einsum("oi...,i...->o...", spec_w, spec_x)
    result = (
        sp_fft.ifftn(spec, shape, axes=axes)
        if is_complex
        else sp_fft.irfftn(spec, shape, axes=axes)
    )
    # Full-convolution index of output i is i*s + (k' - 1 - pad_before).
    keep = tuple(
        slice(s - 1 - b, s - 1 - b + st * (o - 1) + 1, st)
        for s, (b, _), st, o in zip(span, pad, stride, out_shape, strict=True)
    )
    result = result[(slice(None), *keep)]
    if dtype.kind in "iu":
        return round_to_int(result, dtype)
    return np.ascontiguousarray(result.astype(dtype, copy=False))


def _scipy_mode(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> str | None:
    """The scipy.signal mode equal to this single-channel problem, if there is one."""
    if w.shape[0] != 1 or w.shape[1] != 1 or max(stride) != 1 or max(dilation) != 1:
        return None
    k = w.shape[2:]
    full = same = valid = True
    for (before, after), ki, ni in zip(pad, k, x.shape[1:], strict=True):
        full = full and before == after == ki - 1
        same = same and before == ki // 2 and after == (ki - 1) // 2
        valid = valid and before == after == 0 and ki <= ni
    return "full" if full else "same" if same else "valid" if valid else None


def _rank_one(k: np.ndarray, dtype: np.dtype | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row factors (float64) if ``k`` is an outer product to ``dtype``'s rounding.

    ``dtype`` is the result's dtype (default: ``k``'s, or float64 for an integer
    or boolean kernel). The SVD always runs in float64, so a float32 kernel
    applied to a float64 image is only called separable if it is one to
    float64 precision. A kernel holding NaN or infinity is never separable (the
    two passes would not spread it the way the definition does), nor is one
    whose result needs more than float64 (longdouble) or that
    :func:`scipy.ndimage.correlate1d` does not compute natively (float16).
    """
    if dtype is None:
        dtype = k.dtype if k.dtype.kind == "f" else np.dtype(np.float64)
    if dtype not in _SEPARABLE_DTYPES or k.dtype.kind not in "biuf" or k.dtype == np.longdouble:
        return None
    if not all_finite(k):
        return None
    u, s, vt = np.linalg.svd(k.astype(np.float64))
    if s[0] == 0 or s[1:].max(initial=0) > s[0] * max(k.shape) * 8 * np.finfo(dtype).eps:
        return None
    scale = math.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def _separable(
    x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...], out_shape: tuple[int, ...]
) -> np.ndarray:
    """Rank-one 2-D kernel as a row pass then a column pass (scipy.ndimage)."""
    from scipy import ndimage

    dtype = np.result_type(x, w)
    factors = _rank_one(w[0, 0], dtype)
    if factors is None:  # _choose checked; only reachable if called directly
        raise ValueError("the kernel is not separable")
    col, row = factors
    grid = _zero_pad(x[0], pad).astype(dtype, copy=False)
    (kh, kw), (oh, ow) = w.shape[2:], out_shape
    # ndimage centres a length-k filter on tap k//2; keep the fully inside part.
    rows = ndimage.correlate1d(grid, row.astype(dtype), axis=1, mode="constant")
    rows = rows[:, kw // 2 : kw // 2 + ow]
    both = ndimage.correlate1d(rows, col.astype(dtype), axis=0, mode="constant")
    return both[kh // 2 : kh // 2 + oh][None]


# ------------------------------------------------------------------ method choice


def _max_abs(a: np.ndarray) -> int:
    """Largest ``|a|`` as an exact Python int (``np.abs`` of INT64_MIN is negative)."""
    return max(abs(int(a.max())), abs(int(a.min())))


def _fft_exact_enough(x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...]) -> bool:
    """Whether an FFT provably rounds to the exact integer sums (always True for other dtypes).

    SciPy's rule, that the largest possible sum fits the float64 mantissa, is
    needed but not enough: the FFT's rounding error grows with the data's
    norms and the transform length, and once it passes 1/2 the rounded
    result is off by one (int32 samples of 1e5 against 800 taps of 1e7 were).
    Percival's bound for an FFT convolution of length ``n``,
    ``|error| <= ||x|| ||w|| eps (3 (1 + sqrt 5) log2 n + O(1))``, is asked
    to stay below 1/4 (norms over all input channels, the largest output
    channel's kernel). A floating-point result (an integer input next to a
    float one included) has no exactness to keep; its values are not even
    looked at, so a NaN or infinity there is left to the finiteness checks.
    """
    if np.result_type(x, w).kind not in "iu":
        return True
    terms = w.shape[1] * math.prod(w.shape[2:])
    if _max_abs(x) * _max_abs(w) * terms > _FLOAT_MANTISSA_LIMIT:
        return False
    size = math.prod(
        n + b + a + k - 1 for n, (b, a), k in zip(x.shape[1:], pad, w.shape[2:], strict=True)
    )
    norm_x = math.sqrt(float(np.sum(np.square(x, dtype=np.float64))))
    norm_w = math.sqrt(
        float(np.max(np.sum(np.square(w, dtype=np.float64), axis=tuple(range(1, w.ndim)))))
    )
    eps = float(np.finfo(np.float64).eps)
    return norm_x * norm_w * eps * (10 * math.log2(max(size, 2)) + 10) <= 0.25


def _choose(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    direct: float,
) -> str:
    """Cheapest exact-enough method by a simple cost model (``direct``: its seconds)."""
    c_out, c_in = w.shape[:2]
    k = w.shape[2:]
    single = c_out == c_in == 1
    if direct < _SEC_OVERHEAD_FFT:
        return "direct"  # nothing can beat it; skip the rest of the model
    plain = _scipy_mode(x, w, pad, stride, dilation)
    if plain is not None and x.ndim == 2:
        # A plain 1-D problem runs numpy.correlate or fftconvolve exactly as SciPy
        # would, so SciPy's own decision (tuned for these two) is the right one.
        if min(x.shape[1], w.shape[2]) <= _SCIPY_ALWAYS_DIRECT:
            return "direct"  # SciPy's answer, without the ~10 us of asking
        if not (all_finite(x) and all_finite(w)):
            # Before asking SciPy: its integer check calls int() on the largest
            # |value| of both inputs, which raises for NaN or infinity.
            return "direct"
        from scipy import signal

        if signal.choose_conv_method(x[0], w[0, 0], plain) == "fft" and _fft_exact_enough(
            x, w, pad
        ):
            return "fft"
        return "direct"
    span = tuple(d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True))
    if all(s == 1 for s in stride):
        full = math.prod(ni + s - 1 for ni, s in zip(x.shape[1:], span, strict=True))
        n_ffts = c_in + c_in * c_out + c_out
        fft = (
            _SEC_OVERHEAD_FFT
            + _SEC_PER_FFT_UNIT * n_ffts * full * math.log(full)
            + (2e-9 * c_in * c_out * full)
        )
    else:
        fft = fft_phases_cost(out_shape, span, stride, c_out, c_in)
    costs = {"direct": direct, "fft": fft}
    dtype = np.result_type(x, w)
    if (
        single
        and x.ndim == 3
        and dtype in _SEPARABLE_DTYPES
        and stride == (1, 1)
        and dilation == (1, 1)
        and min(k) > 1
    ):
        grid_size = math.prod(ni + b + a for ni, (b, a) in zip(x.shape[1:], pad, strict=True))
        costs["separable"] = _SEC_OVERHEAD_SEPARABLE + _SEC_PER_SEPARABLE_MAC * grid_size * sum(k)
    for method in sorted(costs, key=costs.__getitem__):
        if method == "direct":
            return method
        if method == "fft" and all_finite(x) and all_finite(w) and _fft_exact_enough(x, w, pad):
            return method
        # Rank one is judged to rounding, so a zero tap may be a tiny product of
        # factors: inf * tiny is inf where the definition has inf * 0 = NaN.
        if method == "separable" and all_finite(x) and _rank_one(w[0, 0], dtype) is not None:
            return method
    return "direct"
