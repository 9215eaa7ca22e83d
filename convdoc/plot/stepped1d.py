"""The 1-D stepped figure: input with the window, kernel taps and products, output so far."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from convdoc.plot._common import (
    INSERTED,
    PADDING,
    REAL,
    cell_kinds,
    check_step,
    check_trace,
    fmt,
    fmt_range,
    input_coords,
)
from convdoc.plot._figure import SteppedFigure
from convdoc.plot.style import COLORS, WINDOW_STYLE, figure, style_context
from convdoc.trace import Trace

__all__ = ["Panels1D", "StepFigure1D", "describe_step1d"]

# Above this many samples a stem plot turns into a solid block; draw a line instead.
_STEM_LIMIT = 64


def describe_step1d(trace: Trace, n: int, label: str | None = None) -> str:
    """One-line description of step ``n``: which output, which inputs, which centre.

    Parameters
    ----------
    trace : Trace
        A trace of a 1-D operation from :func:`convdoc.steps`.
    n : int
        Step number.
    label : str, optional
        Prefix naming the setting, e.g. ``"valid"``; defaults to the operation.

    Returns
    -------
    str
        For example ``"valid output 40 covers inputs 40–60, centre 50"``.
    """
    step = trace[check_step(trace, n)]
    where = (
        "positions of the zero-inserted input"
        if trace.operation == "conv_transpose"
        else "inputs"
    )
    text = (
        f"{label or trace.operation} output {step.out_index[0]} covers {where} "
        f"{fmt_range(step.input_index[0])}, centre {fmt(step.center[0])}"
    )
    outside = int(np.count_nonzero(~step.inside))
    if outside:
        text += f" ({outside} tap{'s' if outside > 1 else ''} off the input)"
    return text


def _limits(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    margin = 0.08 * (hi - lo) if hi > lo else 0.5
    return lo - margin, hi + margin


class Panels1D:
    """The three panels of a 1-D step drawn on given axes, updated in place.

    :class:`StepFigure1D` and :func:`~convdoc.plot.filmstrip` build on this.
    Every position comes from the :class:`~convdoc.Trace`; the artists are
    created once and moved by :meth:`update`.

    Parameters
    ----------
    trace : Trace
        A trace of a 1-D operation from :func:`convdoc.steps`.
    axes : sequence of 3 Axes
        Axes for the input, the kernel and products, and the output.
    n : int, default 0
        Step to show first.
    compact : bool, default False
        Smaller markers and no legends, for small multiples.

    Attributes
    ----------
    window_patch : matplotlib.patches.Rectangle
        The window on the input panel, spanning the taps' input positions
        ± half a sample.
    window_marks : matplotlib.lines.Line2D
        Markers on the input samples under the taps (dilation gaps visible).
    taps_line, products_line : matplotlib.lines.Line2D
        Kernel taps as applied and their products with the input, at the taps'
        input positions.
    partial_line : matplotlib.lines.Line2D
        Outputs computed so far, each at the centre of its window.
    current_marker : matplotlib.lines.Line2D
        The output of the current step.
    """

    def __init__(self, trace: Trace, axes: Any, n: int = 0, *, compact: bool = False) -> None:
        self.trace = check_trace(trace, 1, "a 1-D stepped figure")
        self.ax_input, self.ax_kernel, self.ax_output = axes
        self.compact = compact
        self._centers = np.array([s.center[0] for s in trace.steps], dtype=float)
        self._build()
        self.update(n)

    # -- construction -----------------------------------------------------------------
    def _build(self) -> None:
        tr = self.trace
        coords = input_coords(tr, 0)
        kinds = cell_kinds(tr, 0)
        grid = np.real(tr.grid).astype(float)
        ms = 3.0 if self.compact else 4.5
        lo_x = min(float(coords[0]), float(self._centers.min())) - 1.0
        hi_x = max(float(coords[-1]), float(self._centers.max())) + 1.0

        ax = self.ax_input
        blend = blended_transform_factory(ax.transData, ax.transAxes)
        # Padding: a shaded band and hollow markers, so it reads without colour.
        for run_start, run_end in _runs(kinds == PADDING):
            ax.axvspan(coords[run_start] - 0.5, coords[run_end] + 0.5,
                       color=COLORS["band"], zorder=0, lw=0)
        real = kinds == REAL
        if real.sum() <= _STEM_LIMIT:
            segs = [((c, 0.0), (c, v)) for c, v in zip(coords[real], grid[real], strict=True)]
            ax.add_collection(LineCollection(segs, colors=COLORS["input"], linewidths=0.8,
                                             alpha=0.6))
            ax.plot(coords[real], grid[real], "o", color=COLORS["input"], ms=ms, label="input")
        else:
            ax.plot(coords[real], grid[real], "-", color=COLORS["input"], lw=1.4, label="input")
        pad = kinds == PADDING
        if pad.any():
            ax.plot(coords[pad], grid[pad], "o", mfc="white", mec=COLORS["padding"], ms=ms,
                    label="padding")
        ins = kinds == INSERTED
        if ins.any():
            ax.plot(coords[ins], grid[ins], "D", mfc="white", mec=COLORS["inserted"],
                    ms=ms * 0.8, label="inserted zero")
        self.window_patch = Rectangle((0, 0), 1, 1, transform=blend, zorder=1,
                                      label="kernel window", **WINDOW_STYLE)
        ax.add_patch(self.window_patch)
        (self.window_marks,) = ax.plot([], [], "s", mfc="none", mec=COLORS["taps"],
                                       mew=1.4, ms=ms + 3, zorder=4, label="under the kernel")
        self.center_lines = [a.axvline(0, color=COLORS["current"], lw=0.8, ls=":", zorder=3)
                             for a in (self.ax_input, self.ax_kernel, self.ax_output)]
        ax.set_ylim(*_limits(grid))

        ax = self.ax_kernel
        ax.axhline(0, color="#999999", lw=0.6)
        self.taps_stems = LineCollection([], colors=COLORS["taps"], linewidths=1.2)
        ax.add_collection(self.taps_stems)
        (self.taps_line,) = ax.plot([], [], "o", color=COLORS["taps"], ms=ms,
                                    label="kernel taps (as applied)")
        (self.products_line,) = ax.plot([], [], "x", color=COLORS["products"], ms=ms + 1,
                                        mew=1.5, label="input × tap")
        prods = np.concatenate([np.real(s.products).ravel() for s in tr.steps])
        ax.set_ylim(*_limits(np.concatenate([np.real(tr.taps).ravel(), prods])))

        ax = self.ax_output
        out = np.real(tr.output).astype(float).ravel()
        (self.partial_line,) = ax.plot([], [], "-", color=COLORS["output"], lw=1.6,
                                       marker="." if out.size <= _STEM_LIMIT else None,
                                       label="output so far")
        (self.current_marker,) = ax.plot([], [], "o", mfc=COLORS["output"],
                                         mec=COLORS["current"], mew=1.5, ms=ms + 3,
                                         label="current output")
        ax.set_ylim(*_limits(out))

        for a in (self.ax_input, self.ax_kernel, self.ax_output):
            a.set_xlim(lo_x, hi_x)
            a.margins(x=0)
        if not self.compact:
            self.ax_input.set_ylabel("input")
            self.ax_kernel.set_ylabel("kernel")
            self.ax_output.set_ylabel("output")
            self.ax_output.set_xlabel("input position (outputs drawn at their window's centre)")
            for a in (self.ax_input, self.ax_kernel, self.ax_output):
                # Outside the axes so the legend never hides data.
                a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small",
                         frameon=False)

    # -- per-step ---------------------------------------------------------------------
    def update(self, n: int) -> list[Artist]:
        """Move every artist to step ``n`` and return the artists that changed.

        Parameters
        ----------
        n : int
            Step number, ``0 <= n < len(trace)``.

        Returns
        -------
        list of matplotlib.artist.Artist
            The artists that moved (for blitting).
        """
        tr = self.trace
        n = check_step(tr, n)
        step = tr[n]
        pos = np.asarray(step.input_index[0], dtype=float)
        self.n = n
        self.window_patch.set_bounds(pos[0] - 0.5, 0.0, pos[-1] - pos[0] + 1.0, 1.0)
        self.window_marks.set_data(pos, np.real(step.values).astype(float))
        taps = np.real(step.taps).astype(float)
        self.taps_stems.set_segments([((p, 0.0), (p, t)) for p, t in zip(pos, taps, strict=True)])
        self.taps_line.set_data(pos, taps)
        self.products_line.set_data(pos, np.real(step.products).astype(float))
        partial = np.real(tr.partial(n)).astype(float).ravel()
        self.partial_line.set_data(self._centers, partial)
        self.current_marker.set_data([step.center[0]], [float(np.real(step.total))])
        for line in self.center_lines:
            line.set_xdata([step.center[0], step.center[0]])
        return [self.window_patch, self.window_marks, self.taps_stems, self.taps_line,
                self.products_line, self.partial_line, self.current_marker, *self.center_lines]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in ``mask``."""
    runs, start = [], None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs


class StepFigure1D(SteppedFigure):
    """The stepped figure of a 1-D convolution, correlation or conv layer.

    Panel 1 shows the input (padding hollow on a grey band) with the kernel
    window at its true position; panel 2 the kernel taps as applied, at the
    input positions they multiply, and the products; panel 3 the outputs so
    far, each drawn under the centre of the window that produced it, with the
    current one marked. Everything is read from the :class:`~convdoc.Trace`.

    Parameters
    ----------
    trace : Trace
        A trace of a 1-D operation from :func:`convdoc.steps`.
    n : int, default 0
        Step to show.
    label : str, optional
        Names the setting in the title (e.g. ``"valid"``); defaults to the
        operation.
    figsize : tuple of float, default (8, 6)
        Figure size in inches.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    panels : Panels1D
        The artists (window, taps, output so far) for inspection.

    Raises
    ------
    TypeError
        If ``trace`` is not a Trace.
    ValueError
        If the trace is not 1-D or ``n`` is out of range.

    Examples
    --------
    >>> import convdoc
    >>> from convdoc.plot import StepFigure1D
    >>> trace = convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0))
    >>> fig = StepFigure1D(trace, 40, label="valid")
    >>> fig.title
    'valid output 40 covers inputs 40–60, centre 50'
    >>> fig.close()
    """

    def __init__(
        self,
        trace: Trace,
        n: int = 0,
        *,
        label: str | None = None,
        figsize: tuple[float, float] = (9.0, 6.0),
    ) -> None:
        check_trace(trace, 1, "StepFigure1D")
        check_step(trace, n)
        self.trace = trace
        self.label = label
        self.fig = figure(figsize, layout="constrained")
        with style_context():
            axes = self.fig.subplots(3, 1, sharex=True)
            self.panels = Panels1D(trace, axes, n)
            self._title = self.fig.suptitle("")
        self.update(n)

    _describe = staticmethod(describe_step1d)

    def _artists(self) -> Panels1D:
        return self.panels

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        dpi: float | None = None,
        frames: Any = None,
        fps: float = 10.0,
    ) -> Path:
        """Save as SVG, PNG or PDF, or as an animated GIF of the steps.

        Parameters
        ----------
        path : str or os.PathLike
            Destination; the extension picks the format. ``.gif`` animates
            ``frames`` (by default up to 100 steps spread over the trace).
        dpi : float, optional
            Resolution.
        frames : sequence of int, optional
            Steps to animate (GIF only).
        fps : float, default 10.0
            Frames per second (GIF only).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        return self._save(path, dpi=dpi, frames=frames, fps=fps)
