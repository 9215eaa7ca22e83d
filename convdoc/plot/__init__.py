"""Figures of convolutions, drawn from :func:`convdoc.steps`.

This is the only part of convdoc that imports matplotlib. Every figure reads
the kernel's position, the padding and the outputs from a
:class:`~convdoc.Trace`; none works them out itself.

* :class:`StepFigure1D` — input with the window, taps and products, output so far;
* :class:`GridFigure2D` — convolution-arithmetic grid diagram (Dumoulin & Visin style);
* :func:`filmstrip` — chosen steps side by side;
* :func:`animate` — the steps as an animation (GIF through Pillow);
* :func:`step_figure` — the right figure for a 1-D or 2-D trace.

Every figure object has ``.fig``, ``.update(n)`` (moves existing artists) and
``.save(path)`` (``.svg``, ``.png``, ``.pdf`` or animated ``.gif``).
"""

from __future__ import annotations

from convdoc.plot.animate import StepAnimation, animate, default_frames
from convdoc.plot.filmstrip import Filmstrip, filmstrip
from convdoc.plot.grid2d import Grid2D, GridFigure2D, describe_step2d
from convdoc.plot.save import save_animation, save_figure
from convdoc.plot.stepped1d import Panels1D, StepFigure1D, describe_step1d
from convdoc.plot.style import COLORS, style_context
from convdoc.trace import Trace

__all__ = [
    "COLORS",
    "Filmstrip",
    "Grid2D",
    "GridFigure2D",
    "Panels1D",
    "StepAnimation",
    "StepFigure1D",
    "animate",
    "default_frames",
    "describe_step1d",
    "describe_step2d",
    "filmstrip",
    "save_animation",
    "save_figure",
    "step_figure",
    "style_context",
]


def step_figure(
    trace: Trace, n: int = 0, *, label: str | None = None, **kwargs: object
) -> StepFigure1D | GridFigure2D:
    """The stepped figure suited to a trace: 1-D panels or the 2-D grid diagram.

    Parameters
    ----------
    trace : Trace
        A trace from :func:`convdoc.steps`.
    n : int, default 0
        Step to show.
    label : str, optional
        Names the setting in the title.
    **kwargs
        Passed to :class:`StepFigure1D` or :class:`GridFigure2D`.

    Returns
    -------
    StepFigure1D or GridFigure2D
        The figure object.

    Raises
    ------
    TypeError
        If ``trace`` is not a Trace.
    ValueError
        If ``trace`` is neither 1-D nor 2-D.
    """
    if not isinstance(trace, Trace):
        raise TypeError(
            f"trace must be a convdoc.Trace (from convdoc.steps), got {type(trace).__name__}"
        )
    if trace.x.ndim == 1:
        return StepFigure1D(trace, n, label=label, **kwargs)  # type: ignore[arg-type]
    if trace.x.ndim == 2:
        return GridFigure2D(trace, n, label=label, **kwargs)  # type: ignore[arg-type]
    raise ValueError(f"trace must be 1-D or 2-D, got input with shape {trace.x.shape}")
