"""Where the kernel is at every step: :func:`steps`, :class:`Trace`, :class:`Step`.

Every stepped figure, animation and explorer on the site is drawn from a
:class:`Trace`, so this module is the single source of truth for the geometry
of a convolution. A trace records the array the window slides over (the input
extended by its boundary rule, or for a transposed convolution the input with
zeros inserted and padded), the taps as applied (the kernel flipped for a true
convolution), and one :class:`Step` per output value, each holding the window
coordinates, the values under the taps and their products. The outputs come
from the fast public function, and the tests check that every step's sum of
products equals them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from convdoc import engine
from convdoc._validate import (
    as_array,
    check_ndim,
    choice,
    fill_dtype,
    fill_value,
    groups_of,
    nonneg_int,
    per_axis,
    positive_int,
    scalar,
)
from convdoc.filtering import MODES, convolve, correlate, signal_pad

__all__ = ["MAX_STEPS", "OPERATIONS", "Step", "Trace", "steps"]

#: Operations :func:`steps` can trace.
OPERATIONS = ("convolve", "correlate", "conv", "conv_transpose")
#: Largest number of output positions :func:`steps` will trace (teaching sizes).
MAX_STEPS = 100_000
#: Largest padded input (cells) :func:`steps` keeps for drawing the windows.
MAX_GRID = 10_000_000
# Window elements gathered at once when building the steps (above: one step at a time).
_BATCH_LIMIT = 4_000_000

# torch.nn.functional padding modes -> numpy.pad names used by engine.extend.
_PADDING_MODES = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}

# Which keyword arguments each operation reads; the rest must keep their defaults.
_DEFAULTS: dict[str, Any] = {
    "mode": "valid",
    "boundary": "constant",
    "fillvalue": 0,
    "stride": 1,
    "padding": 0,
    "dilation": 1,
    "padding_mode": "zeros",
    "output_padding": 0,
    "groups": 1,
    "bias": None,
}
_USES = {
    "convolve": {"mode", "boundary", "fillvalue"},
    "correlate": {"mode", "boundary", "fillvalue"},
    "conv": {"stride", "padding", "dilation", "groups", "padding_mode", "bias"},
    "conv_transpose": {"stride", "padding", "output_padding", "dilation", "groups", "bias"},
}


@dataclass(frozen=True, eq=False)
class Step:
    """One output value of a traced convolution: where the kernel sits and what it sums.

    Attributes
    ----------
    index : int
        Step number (position of the output in C order).
    out_index : tuple of int
        Position of this output in ``Trace.output``.
    window : tuple of numpy.ndarray
        Per axis, the coordinates in ``Trace.grid`` of the taps:
        ``start + dilation * arange(k)`` with ``start = out_index * stride``.
    input_index : tuple of numpy.ndarray
        The same taps in coordinates of the input (for a transposed
        convolution, of the zero-inserted input): ``window - pad_before``.
        Values below 0 or past the end are padding.
    inside : numpy.ndarray of bool, kernel-shaped
        True where the tap sits on a real input sample (not padding, not an
        inserted zero).
    values : numpy.ndarray, kernel-shaped
        Grid values under the taps.
    taps : numpy.ndarray, kernel-shaped
        Kernel as applied (``Trace.taps``).
    products : numpy.ndarray, kernel-shaped
        ``values * taps``.
    total : scalar
        Sum of ``products`` plus the bias: equals ``Trace.output[out_index]``
        up to float rounding.
    center : tuple of float
        Centre of the window in input coordinates (mean of ``input_index``
        per axis).
    """

    index: int
    out_index: tuple[int, ...]
    window: tuple[np.ndarray, ...]
    input_index: tuple[np.ndarray, ...]
    inside: np.ndarray
    values: np.ndarray
    taps: np.ndarray
    products: np.ndarray
    total: Any
    center: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class Trace:
    """A convolution computed one output at a time; a sequence of :class:`Step`.

    ``len(trace) == trace.output.size`` and ``trace[n]`` is the ``n``-th step
    in C order. Build one with :func:`steps`.

    Attributes
    ----------
    operation : str
        ``"convolve"``, ``"correlate"``, ``"conv"`` or ``"conv_transpose"``.
    x : numpy.ndarray
        The input as given.
    kernel : numpy.ndarray
        The kernel as given.
    taps : numpy.ndarray
        The kernel as applied: reversed for ``convolve`` and
        ``conv_transpose``, conjugated for a complex ``correlate``.
    grid : numpy.ndarray
        The array the window slides over: the input extended by its boundary
        rule, or for ``conv_transpose`` the zero-inserted then padded input.
    pad : tuple of (int, int)
        Per axis, cells added before and after the (zero-inserted) input to
        make ``grid``; negative when a transposed convolution's padding
        crops cells instead.
    stride, dilation, upsample : tuple of int
        Per axis: step between windows, spacing between taps, and the
        zero-insertion factor (a transposed convolution's stride; 1
        otherwise, and then the sliding stride is 1).
    output : numpy.ndarray
        Result of the fast public function for the same arguments.
    steps : tuple of Step
        One per output value, in C order.
    """

    operation: str
    x: np.ndarray
    kernel: np.ndarray
    taps: np.ndarray
    grid: np.ndarray
    pad: tuple[tuple[int, int], ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    upsample: tuple[int, ...]
    output: np.ndarray
    steps: tuple[Step, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.steps)

    @overload
    def __getitem__(self, n: int) -> Step: ...

    @overload
    def __getitem__(self, n: slice) -> tuple[Step, ...]: ...

    def __getitem__(self, n: int | slice) -> Step | tuple[Step, ...]:
        return self.steps[n]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __repr__(self) -> str:
        return (
            f"Trace(operation={self.operation!r}, x.shape={self.x.shape}, "
            f"kernel.shape={self.kernel.shape}, output.shape={self.output.shape}, "
            f"steps={len(self.steps)})"
        )

    def partial(self, n: int) -> np.ndarray:
        """The output after steps ``0..n``: computed values, NaN where not yet reached.

        Parameters
        ----------
        n : int
            Last step included, ``0 <= n < len(self)``.

        Returns
        -------
        numpy.ndarray
            Floating-point (complex for complex output) array shaped like
            ``output``.

        Raises
        ------
        TypeError
            If ``n`` is not an integer.
        ValueError
            If ``n`` is out of range.

        Examples
        --------
        >>> steps([1, 2, 3, 4], [1, 1]).partial(1)
        array([ 3.,  5., nan])
        """
        n = scalar(n)
        if isinstance(n, bool | np.bool_) or not isinstance(n, int | np.integer):
            raise TypeError(f"n must be an integer step number, got {n!r}")
        if not 0 <= n < len(self.steps):
            raise ValueError(f"n must be in 0..{len(self.steps) - 1}, got {n}")
        dtype = np.result_type(self.output.dtype, np.float64)
        flat = self.output.astype(dtype).ravel()
        flat[n + 1 :] = np.nan
        return flat.reshape(self.output.shape)

    def to_input(self, coord: int, axis: int = 0) -> int | None:
        """Index into ``x`` of the grid cell ``coord`` along ``axis``, or None.

        Parameters
        ----------
        coord : int
            Coordinate in ``grid`` along ``axis``.
        axis : int, optional
            Axis of ``x``.

        Returns
        -------
        int or None
            The index of the input sample stored in that cell, or None if the
            cell is padding (of any boundary rule) or an inserted zero.

        Raises
        ------
        TypeError, ValueError
            If ``coord`` or ``axis`` is not a valid integer.

        Examples
        --------
        >>> trace = steps([1, 2, 3], [1, 1], mode="full")
        >>> [trace.to_input(g) for g in range(trace.grid.size)]
        [None, 0, 1, 2, None]
        """
        coord, axis = scalar(coord), scalar(axis)
        for value, name in ((coord, "coord"), (axis, "axis")):
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an integer, got {value!r}")
        if not 0 <= axis < self.x.ndim:
            raise ValueError(f"axis must be in 0..{self.x.ndim - 1}, got {axis}")
        u = int(coord) - self.pad[axis][0]
        up = self.upsample[axis]
        if u < 0 or u % up or u // up >= self.x.shape[axis]:
            return None
        return u // up


# ---------------------------------------------------------------------- building


def _at_default(value: Any, default: Any) -> bool:
    if default is None or isinstance(default, str):
        return value is default or (isinstance(value, str) and value == default)
    # 1 and 0 only: True or 1.0 or (1, 1) count as set, so they are reported.
    return type(value) is int and value == default


def _check_unused(operation: str, given: dict[str, Any]) -> None:
    for name, value in given.items():
        if name not in _USES[operation] and not _at_default(value, _DEFAULTS[name]):
            users = [op for op, uses in _USES.items() if name in uses]
            raise ValueError(
                f"{name} does not apply to operation {operation!r} (only to "
                f"{' and '.join(repr(u) for u in users)}); leave it at its default "
                f"{_DEFAULTS[name]!r}, got {value!r}"
            )


def _bias_value(bias: Any) -> Any:
    """A single-channel bias as one number (scalar or shape-(1,) array)."""
    if bias is None:
        return 0
    arr = as_array(bias, "bias")
    if arr.size != 1 or arr.ndim > 1:
        raise ValueError(
            f"bias must be one number (or shape (1,)) for a single-channel trace, "
            f"got shape {arr.shape}"
        )
    return arr.reshape(())[()]


def _conv_pad(
    padding: Any, k: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    """torch.nn.functional.conv* padding rules as (before, after) per axis."""
    ndim = len(k)
    if isinstance(padding, str):
        choice(padding, "padding", ("valid", "same"))
        if padding == "valid":
            return ((0, 0),) * ndim
        if any(s != 1 for s in stride):
            raise ValueError(f"padding='same' needs stride 1 (as in PyTorch), got stride {stride}")
        totals = [d * (ki - 1) for ki, d in zip(k, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in per_axis(padding, "padding", ndim, nonneg_int))


def _output_of(operation: str, x: np.ndarray, kernel: np.ndarray, kw: dict[str, Any]) -> Any:
    """The fast public function's result for the traced call."""
    if operation == "convolve":
        return convolve(x, kernel, kw["mode"], boundary=kw["boundary"], fillvalue=kw["fillvalue"])
    if operation == "correlate":
        return correlate(x, kernel, kw["mode"], boundary=kw["boundary"], fillvalue=kw["fillvalue"])
    from convdoc import layers  # layers builds on this package's numerics only

    if operation == "conv":
        fn = layers.conv1d if x.ndim == 1 else layers.conv2d
        return fn(
            x,
            kernel,
            kw["bias"],
            stride=kw["stride"],
            padding=kw["padding"],
            dilation=kw["dilation"],
            groups=kw["groups"],
            padding_mode=kw["padding_mode"],
        )
    fn = layers.conv_transpose1d if x.ndim == 1 else layers.conv_transpose2d
    return fn(
        x,
        kernel,
        kw["bias"],
        stride=kw["stride"],
        padding=kw["padding"],
        output_padding=kw["output_padding"],
        dilation=kw["dilation"],
        groups=kw["groups"],
    )


def _planned_sizes(
    operation: str, shape: tuple[int, ...], k: tuple[int, ...], mode: str, kw: dict[str, Any]
) -> tuple[tuple[int, ...], int]:
    """Output shape and padded-grid cells of the traced call, from the sizes alone.

    Checks the size parameters as the traced function would; a geometry that
    leaves no output gives 0 here and the traced function's own error later.
    """
    if operation in ("convolve", "correlate"):
        pads = [signal_pad(ki, mode) for ki in k]
        sizes = [n + b + a - ki + 1 for n, ki, (b, a) in zip(shape, k, pads, strict=True)]
        return tuple(sizes), math.prod(n + b + a for n, (b, a) in zip(shape, pads, strict=True))
    ndim = len(k)
    stride_t = per_axis(kw["stride"], "stride", ndim, positive_int)
    dilation_t = per_axis(kw["dilation"], "dilation", ndim, positive_int)
    if operation == "conv":
        pads = _conv_pad(kw["padding"], k, dilation_t, stride_t)
        sizes = [
            max((n + b + a - d * (ki - 1) - 1) // s + 1, 0)
            for n, ki, (b, a), s, d in zip(shape, k, pads, stride_t, dilation_t, strict=True)
        ]
        return tuple(sizes), math.prod(n + b + a for n, (b, a) in zip(shape, pads, strict=True))
    padding_t = per_axis(kw["padding"], "padding", ndim, nonneg_int)
    extra = per_axis(kw["output_padding"], "output_padding", ndim, nonneg_int)
    sizes = [
        max((n - 1) * s - 2 * p + d * (ki - 1) + a + 1, 0)
        for n, ki, s, p, a, d in zip(shape, k, stride_t, padding_t, extra, dilation_t, strict=True)
    ]
    # The grid: zeros inserted between the inputs, then d*(k-1) - p cells each side.
    cells = math.prod(
        max((n - 1) * s + 1 + 2 * (d * (ki - 1) - p) + a, 0)
        for n, ki, s, p, a, d in zip(shape, k, stride_t, padding_t, extra, dilation_t, strict=True)
    )
    return tuple(sizes), cells


def _zero_insert(x: np.ndarray, factor: tuple[int, ...]) -> np.ndarray:
    if all(f == 1 for f in factor):
        return x
    shape = tuple((n - 1) * f + 1 for n, f in zip(x.shape, factor, strict=True))
    out = np.zeros(shape, dtype=x.dtype)
    out[tuple(slice(None, None, f) for f in factor)] = x
    return out


def steps(
    x: Any,
    kernel: Any,
    *,
    operation: str = "convolve",
    mode: str = "valid",
    boundary: str = "constant",
    fillvalue: Any = 0,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] | str = 0,
    dilation: int | tuple[int, ...] = 1,
    padding_mode: str = "zeros",
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    bias: Any = None,
) -> Trace:
    """Trace a convolution one output at a time.

    Parameters
    ----------
    x : array_like
        Single-channel input: a 1-D signal or a 2-D image. Not modified.
    kernel : array_like
        Kernel with the same number of dimensions as ``x``.
    operation : {"convolve", "correlate", "conv", "conv_transpose"}, optional
        ``"convolve"``/``"correlate"`` trace :func:`convdoc.convolve` /
        :func:`convdoc.correlate` (signal face: ``mode``, ``boundary``,
        ``fillvalue``). ``"conv"`` traces :func:`convdoc.conv1d` /
        :func:`convdoc.conv2d`, the cross-correlation of neural networks
        (``stride``, ``padding``, ``dilation``, ``padding_mode``, ``bias``).
        ``"conv_transpose"`` traces :func:`convdoc.conv_transpose1d` /
        :func:`convdoc.conv_transpose2d` (``stride``, ``padding``,
        ``output_padding``, ``dilation``, ``bias``) as the equivalent direct
        convolution: stride 1 over the input with ``stride - 1`` zeros
        inserted between samples, padded by ``dilation*(k-1) - padding``
        (plus ``output_padding`` after), with the flipped kernel.
    mode : {"valid", "same", "full"}, optional
        Output size for the signal face (default ``"valid"``: the kernel lies
        wholly inside ``x``; in this mode the kernel must fit inside ``x``,
        the swap :func:`convdoc.convolve` would make is not traced).
    boundary, fillvalue
        Boundary rule for the signal face, as in :func:`convdoc.convolve`.
    stride, padding, dilation, padding_mode, output_padding, bias
        As in :func:`convdoc.conv1d` and :func:`convdoc.conv_transpose1d`;
        ``bias`` is a single number here.
    groups : int, optional
        As in :func:`convdoc.conv1d`. A trace follows one input and one
        output channel (``C_in = C_out = 1``), which only ``groups=1``
        divides; a depthwise layer is traced channel by channel, each
        channel being an ordinary single-channel layer.

    Returns
    -------
    Trace
        Sequence of :class:`Step`, one per output value in C order.

    Raises
    ------
    TypeError, ValueError
        On bad input, as the traced function would; if a parameter that the
        chosen operation does not use is set; if ``x`` and ``kernel`` are not
        both 1-D or both 2-D; if the output would have more than
        :data:`MAX_STEPS` values or the padded input more than ten million
        cells (both checked before anything is computed).

    Examples
    --------
    A 5-tap moving sum over 8 samples in ``"valid"`` mode has 4 steps; step
    ``n`` covers samples ``n..n+4`` and is centred on sample ``n + 2``:

    >>> trace = steps(np.arange(8.0), np.ones(5))
    >>> len(trace), trace[1].input_index[0].tolist(), trace[1].center
    (4, [1, 2, 3, 4, 5], (3.0,))
    >>> float(trace[1].total), float(trace.output[1])
    (15.0, 15.0)
    """
    choice(operation, "operation", OPERATIONS)
    given = {
        "mode": mode,
        "boundary": boundary,
        "fillvalue": fillvalue,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "padding_mode": padding_mode,
        "output_padding": output_padding,
        "groups": groups,
        "bias": bias,
    }
    _check_unused(operation, given)
    if operation in ("conv", "conv_transpose"):
        groups_of(groups, [("the channel count of a trace (C_in = C_out = 1)", 1)])
    x_arr = check_ndim(as_array(x, "x"), "x", (1, 2))
    k_arr = check_ndim(as_array(kernel, "kernel"), "kernel", (1, 2))
    if x_arr.ndim != k_arr.ndim:
        raise ValueError(
            f"x and kernel must have the same number of dimensions, got x of shape "
            f"{x_arr.shape} and kernel of shape {k_arr.shape}"
        )
    ndim = x_arr.ndim
    k = k_arr.shape
    ones = (1,) * ndim

    if operation in ("convolve", "correlate"):
        choice(mode, "mode", MODES)
        choice(boundary, "boundary", engine.BOUNDARIES)
        fill = fill_value(fillvalue, "fillvalue", np.result_type(x_arr, k_arr))
        if mode == "valid" and any(ki > ni for ki, ni in zip(k, x_arr.shape, strict=True)):
            raise ValueError(
                f"in 'valid' mode steps needs the kernel to fit inside x, got x of shape "
                f"{x_arr.shape} and kernel of shape {k}"
            )
    bias_value = _bias_value(bias)
    # Check the sizes before computing anything: a huge request must fail fast
    # with this ValueError, not with a MemoryError from the computation.
    planned, cells = _planned_sizes(operation, x_arr.shape, k, mode, given)
    if math.prod(planned) > MAX_STEPS:
        raise ValueError(
            f"steps traces at most {MAX_STEPS} output positions, got {math.prod(planned)} "
            f"(output shape {planned}); use a smaller example"
        )
    if cells > MAX_GRID:
        raise ValueError(
            f"steps draws the padded input, at most {MAX_GRID} cells, got {cells} "
            f"(padding or stride too large); use a smaller example"
        )
    output = np.asarray(_output_of(operation, x_arr, k_arr, given))
    if output.size > MAX_STEPS:  # pragma: no cover - planned above
        raise ValueError(
            f"steps traces at most {MAX_STEPS} output positions, got {output.size} "
            f"(output shape {output.shape}); use a smaller example"
        )

    if operation in ("convolve", "correlate"):
        pad = tuple(signal_pad(ki, mode) for ki in k)
        grid_dtype = fill_dtype(np.result_type(x_arr, k_arr), fill) if fill != 0 else x_arr.dtype
        grid = engine.extend(x_arr.astype(grid_dtype, copy=False), pad, boundary, fill)
        if operation == "convolve":
            taps = k_arr[(slice(None, None, -1),) * ndim]
        else:
            taps = np.conj(k_arr) if k_arr.dtype.kind == "c" else k_arr
        stride_t, dilation_t, upsample = ones, ones, ones
    elif operation == "conv":
        stride_t = per_axis(stride, "stride", ndim, positive_int)
        dilation_t = per_axis(dilation, "dilation", ndim, positive_int)
        pad = _conv_pad(padding, k, dilation_t, stride_t)
        choice(padding_mode, "padding_mode", tuple(_PADDING_MODES))
        grid = engine.extend(x_arr, pad, _PADDING_MODES[padding_mode])
        taps, upsample = k_arr, ones
    else:
        upsample = per_axis(stride, "stride", ndim, positive_int)
        dilation_t = per_axis(dilation, "dilation", ndim, positive_int)
        pads = per_axis(padding, "padding", ndim, nonneg_int)
        extra = per_axis(output_padding, "output_padding", ndim, nonneg_int)
        pad = tuple(
            (d * (ki - 1) - p, d * (ki - 1) - p + op)
            for ki, d, p, op in zip(k, dilation_t, pads, extra, strict=True)
        )
        grid = engine.extend(_zero_insert(x_arr, upsample), pad, "constant")
        taps = k_arr[(slice(None, None, -1),) * ndim]
        stride_t = ones

    out_shape = engine._windows_out_shape(grid.shape, k, stride_t, dilation_t)
    if math.prod(out_shape) != output.size:
        raise RuntimeError(  # pragma: no cover - would be a convdoc bug
            f"trace geometry gives output shape {out_shape} but the function returned "
            f"{output.shape}"
        )
    output = output.reshape(out_shape)
    trace_steps = _build_steps(
        x_arr, grid, taps, pad, stride_t, dilation_t, upsample, out_shape, bias_value
    )
    return Trace(
        operation=operation,
        x=x_arr,
        kernel=k_arr,
        taps=taps,
        grid=grid,
        pad=tuple((int(b), int(a)) for b, a in pad),
        stride=stride_t,
        dilation=dilation_t,
        upsample=upsample,
        output=output,
        steps=trace_steps,
    )


def _build_steps(
    x: np.ndarray,
    grid: np.ndarray,
    taps: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    upsample: tuple[int, ...],
    out_shape: tuple[int, ...],
    bias: Any,
) -> tuple[Step, ...]:
    k = taps.shape
    offsets = [d * np.arange(ki) for ki, d in zip(k, dilation, strict=True)]
    # Per axis and output coordinate: window, input_index and whether each tap is real.
    axis_info = []
    for axis, (o, s, off) in enumerate(zip(out_shape, stride, offsets, strict=True)):
        size_u = (x.shape[axis] - 1) * upsample[axis] + 1
        rows = []
        for i in range(o):
            window = i * s + off
            window.flags.writeable = False
            u = window - pad[axis][0]
            u.flags.writeable = False
            real = (u >= 0) & (u < size_u) & (u % upsample[axis] == 0)
            rows.append((window, u, real, float(u.mean())))
        axis_info.append(rows)
    # Values and products of every step at once when that fits in memory; each
    # Step then holds read-only views, which keeps a 100 000-step trace quick.
    batched = math.prod(out_shape) * taps.size <= _BATCH_LIMIT
    if batched:
        ndim = len(out_shape)
        # One index table per axis, shaped to broadcast to (*out_shape, *k), so
        # that a single fancy index gathers every window.
        gather = []
        for a in range(ndim):
            table = np.stack([row[0] for row in axis_info[a]])  # (out_a, k_a)
            shape = [1] * (2 * ndim)
            shape[a], shape[ndim + a] = out_shape[a], k[a]
            gather.append(table.reshape(shape))
        all_values = grid[tuple(gather)]
        all_products = all_values * taps
        all_totals = all_products.reshape(*out_shape, -1).sum(axis=-1) + bias
        for array in (all_values, all_products):
            array.flags.writeable = False
    result = []
    for index, out_index in enumerate(np.ndindex(*out_shape)):
        parts = [axis_info[a][i] for a, i in enumerate(out_index)]
        windows = tuple(p[0] for p in parts)
        inside = parts[0][2] if len(parts) == 1 else np.logical_and.outer(parts[0][2], parts[1][2])
        if batched:
            values, products = all_values[out_index], all_products[out_index]
            total = all_totals[out_index]
        else:
            values = grid[np.ix_(*windows)] if len(windows) > 1 else grid[windows[0]]
            products = values * taps
            total = products.sum() + bias
        result.append(
            Step(
                index=index,
                out_index=tuple(int(i) for i in out_index),
                window=windows,
                input_index=tuple(p[1] for p in parts),
                inside=inside,
                values=values,
                taps=taps,
                products=products,
                total=total,
                center=tuple(p[3] for p in parts),
            )
        )
    return tuple(result)
