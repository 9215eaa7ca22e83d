"""Output sizes of convolution layers: the arithmetic of stride, padding and dilation.

Both functions follow the formulas that PyTorch documents for
``torch.nn.Conv1d``/``Conv2d`` and ``ConvTranspose1d``/``ConvTranspose2d``.
They take one size per axis as plain integers, or per-axis tuples; a single
integer is broadcast against the tuples, and the result is a tuple whenever
any argument is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from convdoc._validate import nonneg_int, per_axis, positive_int

__all__ = ["output_size", "transposed_output_size"]

IntOrTuple = int | tuple[int, ...]


def _axes(args: dict[str, Any]) -> int | None:
    """Number of axes implied by the tuple-valued arguments, or None if all are scalars."""
    lengths = {
        name: len(value)
        for name, value in args.items()
        if isinstance(value, list | tuple | np.ndarray)
    }
    if not lengths:
        return None
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"per-axis arguments must have the same length, but {described} entries")
    (ndim,) = set(lengths.values())
    if ndim == 0:
        raise ValueError(f"per-axis arguments must have at least one entry, got {args}")
    return ndim


def _expand(
    args: dict[str, Any], checks: dict[str, Callable[[Any, str], int]]
) -> tuple[int | None, dict[str, tuple[int, ...]]]:
    # A 0-d array is one number, not a per-axis sequence.
    args = {
        name: value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value
        for name, value in args.items()
    }
    ndim = _axes(args)
    expanded = {
        name: per_axis(value, name, ndim or 1, checks[name]) for name, value in args.items()
    }
    return ndim, expanded


def _finish(ndim: int | None, sizes: Sequence[int]) -> IntOrTuple:
    return tuple(sizes) if ndim is not None else sizes[0]


def output_size(
    n: IntOrTuple,
    k: IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> IntOrTuple:
    r"""Number of outputs of a convolution (or pooling) layer along each axis.

    .. math::

        n_\text{out} = \left\lfloor \frac{n + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1

    The kernel with dilation :math:`d` spans :math:`d(k-1)+1` cells; it fits
    :math:`n + 2p - d(k-1)` times in the padded input at stride 1, and every
    :math:`s`-th of those positions is kept.

    Parameters
    ----------
    n : int or tuple of int
        Input size (>= 1), or one size per axis.
    k : int or tuple of int
        Kernel size (>= 1).
    stride : int or tuple of int, default 1
        Step between neighbouring windows (>= 1).
    padding : int or tuple of int, default 0
        Cells added on *each* side of the input (>= 0).
    dilation : int or tuple of int, default 1
        Spacing between kernel taps (>= 1).

    Returns
    -------
    int or tuple of int
        The output size; a tuple, one entry per axis, if any argument is a
        tuple (integers are broadcast against it).

    Raises
    ------
    TypeError
        If an argument is not an integer (or a sequence of integers).
    ValueError
        If an argument is out of range, tuples disagree in length, or the
        dilated kernel does not fit in the padded input (no output at all).

    See Also
    --------
    transposed_output_size : The size a transposed convolution produces.

    Examples
    --------
    >>> output_size(5, 3, padding=1, stride=2)
    3
    >>> output_size((28, 28), 5, padding=2)
    (28, 28)
    >>> output_size(7, 3, dilation=2)
    3
    """
    ndim, a = _expand(
        {"n": n, "k": k, "stride": stride, "padding": padding, "dilation": dilation},
        {
            "n": positive_int,
            "k": positive_int,
            "stride": positive_int,
            "padding": nonneg_int,
            "dilation": positive_int,
        },
    )
    sizes = []
    for axis, (ni, ki, si, pi, di) in enumerate(
        zip(a["n"], a["k"], a["stride"], a["padding"], a["dilation"], strict=True)
    ):
        span = di * (ki - 1) + 1
        padded = ni + 2 * pi
        if padded < span:
            where = f" along axis {axis}" if ndim is not None else ""
            raise ValueError(
                f"the kernel does not fit{where}: padded input size {padded} "
                f"(n={ni}, padding={pi}) is smaller than the dilated kernel size {span} "
                f"(k={ki}, dilation={di}), so there would be no output"
            )
        sizes.append((padded - span) // si + 1)
    return _finish(ndim, sizes)


def transposed_output_size(
    n: IntOrTuple,
    k: IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> IntOrTuple:
    r"""Number of outputs of a transposed convolution layer along each axis.

    .. math::

        n_\text{out} = (n - 1)\,s - 2p + d\,(k - 1) + \text{output\_padding} + 1

    A transposed convolution maps an output of :func:`output_size` back to the
    input size. With stride :math:`s > 1` several input sizes share the same
    output size (the floor in :func:`output_size` forgets the remainder);
    ``output_padding`` adds that remainder back on one side to choose among
    them.

    Parameters
    ----------
    n : int or tuple of int
        Input size of the transposed convolution (>= 1).
    k : int or tuple of int
        Kernel size (>= 1).
    stride : int or tuple of int, default 1
        Spacing of the inputs in the output (>= 1).
    padding : int or tuple of int, default 0
        Cells removed from *each* side of the full output (>= 0).
    output_padding : int or tuple of int, default 0
        Cells added on the far side of the output (>= 0); must be smaller than
        ``max(stride, dilation)``, as in PyTorch.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps (>= 1).

    Returns
    -------
    int or tuple of int
        The output size; a tuple, one entry per axis, if any argument is a
        tuple.

    Raises
    ------
    TypeError
        If an argument is not an integer (or a sequence of integers).
    ValueError
        If an argument is out of range, tuples disagree in length, or the
        padding removes the whole output.

    See Also
    --------
    output_size : The size a (direct) convolution produces.

    Examples
    --------
    >>> output_size(6, 3, padding=1, stride=2)
    3
    >>> transposed_output_size(3, 3, padding=1, stride=2, output_padding=1)
    6
    """
    ndim, a = _expand(
        {
            "n": n,
            "k": k,
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        },
        {
            "n": positive_int,
            "k": positive_int,
            "stride": positive_int,
            "padding": nonneg_int,
            "output_padding": nonneg_int,
            "dilation": positive_int,
        },
    )
    sizes = []
    for axis, (ni, ki, si, pi, oi, di) in enumerate(
        zip(
            a["n"],
            a["k"],
            a["stride"],
            a["padding"],
            a["output_padding"],
            a["dilation"],
            strict=True,
        )
    ):
        where = f" along axis {axis}" if ndim is not None else ""
        if oi >= max(si, di):
            raise ValueError(
                f"output_padding must be smaller than stride or dilation{where}, "
                f"got output_padding={oi} with stride={si} and dilation={di}"
            )
        size = (ni - 1) * si - 2 * pi + di * (ki - 1) + oi + 1
        if size < 1:
            raise ValueError(
                f"padding={pi} removes the whole output{where}: "
                f"({ni} - 1)*{si} - 2*{pi} + {di}*({ki} - 1) + {oi} + 1 = {size}"
            )
        sizes.append(size)
    return _finish(ndim, sizes)
