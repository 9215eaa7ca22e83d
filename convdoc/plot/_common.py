"""Geometry read off a Trace, shared by the 1-D and 2-D figures.

Nothing here decides where the kernel is: positions come from the Trace
(``pad``, ``upsample``, ``Step.window``/``input_index``); this module only
classifies the cells of ``trace.grid`` for drawing.
"""

from __future__ import annotations

import numpy as np

from convdoc._validate import scalar
from convdoc.trace import Trace

REAL, PADDING, INSERTED = 0, 1, 2


def check_trace(trace: object, ndim: int, what: str) -> Trace:
    """Return ``trace`` if it is a Trace of a ``ndim``-dimensional operation."""
    if not isinstance(trace, Trace):
        raise TypeError(
            f"trace must be a convdoc.Trace (from convdoc.steps), got {type(trace).__name__}"
        )
    if trace.x.ndim != ndim:
        raise ValueError(
            f"trace must come from a {ndim}-D operation for {what}, "
            f"got input with shape {trace.x.shape}"
        )
    return trace


def check_step(trace: Trace, n: object, name: str = "n") -> int:
    """Return ``n`` as a valid step number of ``trace``."""
    n = scalar(n)  # a 0-d array is one step number
    if isinstance(n, bool | np.bool_) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer step number, got {n!r}")
    if not 0 <= int(n) < len(trace):
        raise ValueError(f"{name} must be in 0..{len(trace) - 1}, got {n!r}")
    return int(n)


def check_steps(trace: Trace, values: object, name: str) -> list[int]:
    """Return ``values`` as a non-empty list of valid step numbers of ``trace``."""
    if isinstance(values, str) or (isinstance(values, np.ndarray) and values.ndim == 0):
        raise TypeError(f"{name} must be a sequence of step numbers, got {values!r}")
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:  # a bare number
        raise TypeError(f"{name} must be a sequence of step numbers, got {values!r}") from None
    steps = [check_step(trace, n, name) for n in items]
    if not steps:
        raise ValueError(f"{name} must name at least one step, got an empty sequence")
    return steps


def input_coords(trace: Trace, axis: int) -> np.ndarray:
    """Input coordinate of every grid cell along ``axis`` (grid index - pad before)."""
    return np.arange(trace.grid.shape[axis]) - trace.pad[axis][0]


def cell_kinds(trace: Trace, axis: int) -> np.ndarray:
    """Classify the grid cells along ``axis`` as REAL, PADDING or INSERTED."""
    coords = input_coords(trace, axis)
    kinds = np.full(coords.shape, PADDING)
    for g in range(coords.size):
        if trace.to_input(g, axis) is not None:
            kinds[g] = REAL
    # Inside the span of the zero-inserted input but not a sample: an inserted zero.
    span = (trace.x.shape[axis] - 1) * trace.upsample[axis] + 1
    kinds[(kinds == PADDING) & (coords >= 0) & (coords < span)] = INSERTED
    return kinds


def _int(value: int) -> str:
    return f"−{-value}" if value < 0 else str(value)


def fmt(value: float) -> str:
    """Format a coordinate: integers without a decimal point."""
    value = float(value)
    return _int(int(value)) if value.is_integer() else f"{value:g}".replace("-", "−")


def fmt_range(indices: np.ndarray) -> str:
    """``a–b`` for the taps' coordinates, noting a dilation step."""
    a, b = int(indices[0]), int(indices[-1])
    if a == b:
        text = _int(a)
    elif a < 0:
        # "-3–3" reads badly; spell the range out when it starts in the padding.
        text = f"{_int(a)} to {_int(b)}"
    else:
        text = f"{a}–{b}"
    if indices.size > 1 and int(indices[1] - indices[0]) > 1:
        text += f" in steps of {int(indices[1] - indices[0])}"
    return text
