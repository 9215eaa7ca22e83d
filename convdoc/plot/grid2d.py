"""The 2-D diagram in the style of Dumoulin & Visin's convolution-arithmetic animations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, Rectangle

from convdoc.plot._common import (
    INSERTED,
    PADDING,
    REAL,
    cell_kinds,
    check_step,
    check_trace,
    fmt,
    fmt_range,
)
from convdoc.plot._figure import SteppedFigure
from convdoc.plot.style import COLORS, WINDOW_STYLE, figure, style_context
from convdoc.trace import Trace

__all__ = [
    "MIN_DIGIT_PX",
    "PAGE_WIDTH_IN",
    "Grid2D",
    "GridFigure2D",
    "describe_step2d",
    "legend_handles",
    "numbers_fit",
    "readable_fontsize",
]

# Numbers in cells stay legible up to about this many cells per grid.
_NUMBERS_LIMIT = 144
#: Width, in inches at the default 100 dpi, of the site's content column at a
#: 1280 px wide window (736 px in Furo); a wider figure is shown scaled down to it.
PAGE_WIDTH_IN = 7.36
#: Smallest size (CSS px, the font's em) of the numbers in a grid figure as shown.
MIN_DIGIT_PX = 10.0
_DPI = 100.0


def numbers_fit(axis_width: float, cells: float, fig_width: float) -> bool:
    """Whether a cell is big enough on the page for its value and a kernel weight.

    Parameters
    ----------
    axis_width : float
        Width in inches of the axes drawing the grid.
    cells : float
        Cells (plus margins) across that width.
    fig_width : float
        Width of the figure in inches.

    Returns
    -------
    bool
        True when a cell is shown at least three :data:`MIN_DIGIT_PX` wide:
        room for two lines of digits and the gap between them.

    Examples
    --------
    >>> numbers_fit(2.7, 4.4, 5.8), numbers_fit(2.0, 9.4, 8.4)
    (True, False)
    """
    scale = min(1.0, PAGE_WIDTH_IN / fig_width)
    return axis_width * _DPI * scale / cells >= 3 * MIN_DIGIT_PX


def readable_fontsize(fig_width: float, base: float = 7.0) -> float:
    """Font size in points that shows at least :data:`MIN_DIGIT_PX` on the page.

    A figure ``fig_width`` inches wide is saved at 100 dpi and shown at most
    :data:`PAGE_WIDTH_IN` inches (736 px) wide, so it is scaled by
    ``min(1, PAGE_WIDTH_IN / fig_width)``; the font must make up for that.

    Parameters
    ----------
    fig_width : float
        Width of the figure in inches.
    base : float, default 7.0
        Size to use when it is already large enough.

    Returns
    -------
    float
        ``max(base, MIN_DIGIT_PX * 72 / 100 / scale)``.

    Examples
    --------
    >>> round(readable_fontsize(5.0), 2), round(readable_fontsize(14.72), 2)
    (7.2, 14.4)
    """
    scale = min(1.0, PAGE_WIDTH_IN / fig_width)
    return max(base, MIN_DIGIT_PX * 72.0 / _DPI / scale)


_CELL_STYLE: dict[int, dict[str, Any]] = {
    REAL: {"facecolor": (0.337, 0.706, 0.914, 0.45), "edgecolor": "#1F4E79",
           "linestyle": "-", "hatch": None},
    PADDING: {"facecolor": "white", "edgecolor": COLORS["padding"],
              "linestyle": "--", "hatch": ".."},
    INSERTED: {"facecolor": "white", "edgecolor": COLORS["inserted"],
               "linestyle": ":", "hatch": "xx"},
}
_DONE = (0.0, 0.62, 0.45, 0.55)
_TODO = (1.0, 1.0, 1.0, 1.0)


def describe_step2d(trace: Trace, n: int, label: str | None = None) -> str:
    """One-line description of step ``n`` of a 2-D trace.

    Parameters
    ----------
    trace : Trace
        A trace of a 2-D operation from :func:`convdoc.steps`.
    n : int
        Step number.
    label : str, optional
        Prefix naming the setting; defaults to the operation.

    Returns
    -------
    str
        For example ``"conv output (1, 2) covers rows 2–4, cols 4–6, centre (3, 5)"``.
    """
    step = trace[check_step(trace, n)]
    i, j = step.out_index
    text = (
        f"{label or trace.operation} output ({i}, {j}) covers rows "
        f"{fmt_range(step.input_index[0])}, cols {fmt_range(step.input_index[1])}, "
        f"centre ({fmt(step.center[0])}, {fmt(step.center[1])})"
    )
    if trace.operation == "conv_transpose":
        text += " of the zero-inserted input"
    return text


class Grid2D:
    """Input grid with the kernel window, and the output grid, on two axes.

    Cells of ``trace.grid`` are drawn at ``(column, row)`` with row 0 on top:
    real input cells filled, padding dashed and dotted-hatched, inserted zeros
    (transposed convolution) dotted and cross-hatched. The window is one
    filled, hatched square per tap (so dilation gaps show) plus an outline
    around their bounding box. Output cells fill as the steps progress and the
    current cell is outlined.

    Parameters
    ----------
    trace : Trace
        A trace of a 2-D operation from :func:`convdoc.steps`.
    axes : sequence of 2 Axes
        Axes for the input grid and the output grid.
    n : int, default 0
        Step to show first.
    numbers : bool, optional
        Write values in the cells; by default only for small grids.
    fontsize : float, optional
        Size in points of the numbers (cell values and kernel weights); by
        default 7 (5.5 for grids wider than 8 cells).

    Attributes
    ----------
    cell_kinds : numpy.ndarray
        Shape of ``trace.grid``: 0 real input, 1 padding, 2 inserted zero.
    tap_patches : list of matplotlib.patches.Rectangle
        One square per kernel tap, in C order of the kernel.
    tap_texts : list of matplotlib.text.Text
        The kernel weight of each tap (when ``numbers``), in the lower right
        corner of its cell: dark, bold, on a white box so the hatching does not
        cross the digits.
    window_outline : matplotlib.patches.Rectangle
        Outline around the window's taps.
    output_cells : matplotlib.collections.PatchCollection
        Output cells in C order; computed ones are filled.
    current_outline : matplotlib.patches.Rectangle
        Outline of the current output cell.
    """

    def __init__(
        self,
        trace: Trace,
        axes: Any,
        n: int = 0,
        *,
        numbers: bool | None = None,
        fontsize: float | None = None,
    ) -> None:
        self.trace = check_trace(trace, 2, "a 2-D grid diagram")
        self.ax_grid, self.ax_out = axes
        rows, cols = trace.grid.shape
        out_shape = trace.output.shape
        if numbers is None:
            numbers = max(rows * cols, int(np.prod(out_shape))) <= _NUMBERS_LIMIT
        self.numbers = bool(numbers)
        if fontsize is None:
            fontsize = 7.0 if max(rows, cols) <= 8 else 5.5
        elif not isinstance(fontsize, int | float) or not 0 < fontsize < 100:
            raise ValueError(f"fontsize must be a number of points in (0, 100), got {fontsize!r}")
        self.fontsize = float(fontsize)
        self._build()
        self.update(n)

    def _build(self) -> None:
        tr = self.trace
        rows, cols = tr.grid.shape
        row_k, col_k = cell_kinds(tr, 0)[:, None], cell_kinds(tr, 1)[None, :]
        # A cell is a real sample only if its row and its column both are; it is
        # padding if either lies in the border; otherwise it is an inserted zero.
        kinds = np.where((row_k == REAL) & (col_k == REAL), REAL, INSERTED)
        kinds = np.where((row_k == PADDING) | (col_k == PADDING), PADDING, kinds)
        self.cell_kinds = kinds
        ax = self.ax_grid
        for kind, style in _CELL_STYLE.items():
            where = np.argwhere(kinds == kind)
            if where.size == 0:
                continue
            cells = [Rectangle((c, r), 1, 1) for r, c in where]
            ax.add_collection(PatchCollection(cells, match_original=False, linewidth=0.8,
                                              zorder=1, **style))
        fontsize = self.fontsize
        if self.numbers:
            for r in range(rows):
                for c in range(cols):
                    ax.text(c + 0.5, r + 0.5, fmt_value(tr.grid[r, c]), ha="center",
                            va="center", fontsize=fontsize, zorder=3,
                            color=COLORS["text"] if kinds[r, c] == REAL else "#777777")
        kh, kw = tr.kernel.shape
        self.tap_patches = [Rectangle((0, 0), 1, 1, zorder=2, **WINDOW_STYLE)
                            for _ in range(kh * kw)]
        for patch in self.tap_patches:
            ax.add_patch(patch)
        self.tap_texts = []
        if self.numbers:
            taps = np.real(tr.taps).ravel()
            box = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none",
                   "alpha": 0.9}
            self.tap_texts = [ax.text(0, 0, fmt_value(t), ha="right", va="bottom",
                                      fontsize=fontsize, fontweight="bold",
                                      color=COLORS["window_edge"], bbox=box, zorder=6)
                              for t in taps]
        self.window_outline = Rectangle((0, 0), 1, 1, fill=False, lw=2.2, zorder=5,
                                        edgecolor=COLORS["window_edge"])
        ax.add_patch(self.window_outline)
        ax.set_xlim(-0.2, cols + 0.2)
        ax.set_ylim(rows + 0.2, -0.2)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_grid_caption(tr), fontsize="small")

        ax = self.ax_out
        orows, ocols = tr.output.shape
        cells = [Rectangle((j, i), 1, 1) for i in range(orows) for j in range(ocols)]
        self.output_cells = PatchCollection(cells, facecolors=[_TODO] * len(cells),
                                            edgecolors="#2F4F3F", linewidths=0.8, zorder=1)
        ax.add_collection(self.output_cells)
        self.output_texts = []
        if self.numbers:
            self.output_texts = [ax.text(j + 0.5, i + 0.5, fmt_value(tr.output[i, j]),
                                         ha="center", va="center", fontsize=fontsize,
                                         zorder=3)
                                 for i in range(orows) for j in range(ocols)]
        self.current_outline = Rectangle((0, 0), 1, 1, fill=False, lw=2.2, zorder=5,
                                         edgecolor=COLORS["current"])
        ax.add_patch(self.current_outline)
        # Same cell size on both axes so the grids compare at a glance.
        ax.set_xlim(-0.2, max(cols, ocols) + 0.2)
        ax.set_ylim(max(rows, orows) + 0.2, -0.2)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(f"output {orows}×{ocols}", fontsize="small")

    def update(self, n: int) -> list[Artist]:
        """Move the window and fill the output up to step ``n``.

        Parameters
        ----------
        n : int
            Step number, ``0 <= n < len(trace)``.

        Returns
        -------
        list of matplotlib.artist.Artist
            The artists that changed.
        """
        tr = self.trace
        n = check_step(tr, n)
        self.n = n
        step = tr[n]
        rows, cols = step.window
        kw = len(cols)
        for t, patch in enumerate(self.tap_patches):
            patch.set_xy((float(cols[t % kw]), float(rows[t // kw])))
        for t, text in enumerate(self.tap_texts):
            text.set_position((float(cols[t % kw]) + 0.94, float(rows[t // kw]) + 0.94))
        self.window_outline.set_bounds(float(cols[0]), float(rows[0]),
                                       float(cols[-1] - cols[0] + 1),
                                       float(rows[-1] - rows[0] + 1))
        done = np.arange(len(tr)) <= n
        self.output_cells.set_facecolor([_DONE if d else _TODO for d in done])
        for text, d in zip(self.output_texts, done, strict=False):
            text.set_visible(bool(d))
        i, j = step.out_index
        self.current_outline.set_xy((float(j), float(i)))
        return [*self.tap_patches, *self.tap_texts, self.window_outline, self.output_cells,
                *self.output_texts, self.current_outline]


def legend_handles(kinds: np.ndarray) -> list[Patch]:
    """Legend entries for the cell styles present in a grid, window and output."""
    names = {REAL: "input", PADDING: "padding", INSERTED: "inserted zero"}
    handles = [Patch(label=names[kind], linewidth=0.8, **_CELL_STYLE[kind])
               for kind in (REAL, PADDING, INSERTED) if (kinds == kind).any()]
    handles.append(Patch(label="kernel tap", **WINDOW_STYLE))
    handles.append(Patch(label="output computed", facecolor=_DONE, edgecolor="#2F4F3F",
                         linewidth=0.8))
    handles.append(Patch(label="current output", facecolor="white",
                         edgecolor=COLORS["current"], linewidth=2.0))
    return handles


def fmt_value(value: complex | float) -> str:
    """Short cell label for a value (integers without decimals)."""
    value = float(np.real(value))
    if value.is_integer():
        return str(int(value))
    return f"{value:.2g}" if abs(value) < 0.1 else f"{value:.2f}".rstrip("0")


def _grid_caption(trace: Trace) -> str:
    h, w = trace.x.shape
    (pt, pb), (pl, pr) = trace.pad
    text = f"input {h}×{w}"
    if trace.operation == "conv_transpose":
        text += f", zeros inserted ×{trace.upsample[0]}×{trace.upsample[1]}" if any(
            u > 1 for u in trace.upsample) else ""
    if any(p != 0 for p in (pt, pb, pl, pr)):
        # For a transposed convolution the border is d(k-1) - padding, not the padding.
        word = "border" if trace.operation == "conv_transpose" else "padding"
        same = pt == pb == pl == pr
        text += f", {word} {fmt(pt)}" if same else (
            f", {word} {fmt(pt)},{fmt(pb)} / {fmt(pl)},{fmt(pr)}")
    s, d = trace.stride, trace.dilation
    if any(v > 1 for v in s):
        text += f", stride {s[0]}" if s[0] == s[1] else f", stride {s}"
    if any(v > 1 for v in d):
        text += f", dilation {d[0]}" if d[0] == d[1] else f", dilation {d}"
    return text


class GridFigure2D(SteppedFigure):
    """Convolution-arithmetic diagram of one step of a 2-D operation.

    Left: the grid the kernel slides over (the boundary-extended input, or for
    a transposed convolution the zero-inserted, padded input of the equivalent
    direct convolution), with the window's taps filled and outlined. Right:
    the output, filled up to the current step, current cell outlined. The
    numbers are at least :data:`MIN_DIGIT_PX` px tall where the site shows the
    figure (:func:`readable_fontsize`).

    Parameters
    ----------
    trace : Trace
        A trace of a 2-D operation from :func:`convdoc.steps`.
    n : int, default 0
        Step to show.
    numbers : bool, optional
        Write values in cells (default: for grids up to 144 cells whose cells
        are big enough on the page, :func:`numbers_fit`).
    label : str, optional
        Names the setting in the title.
    figsize : tuple of float, optional
        Figure size in inches; by default scaled to the grids.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    grid : Grid2D
        The artists, for inspection.

    Examples
    --------
    >>> import numpy as np, convdoc
    >>> from convdoc.plot import GridFigure2D
    >>> trace = convdoc.steps(np.arange(25.0).reshape(5, 5), np.ones((3, 3)),
    ...                       operation="conv", padding=1, stride=2)
    >>> fig = GridFigure2D(trace, 4)
    >>> fig.title
    'conv output (1, 1) covers rows 1–3, cols 1–3, centre (2, 2)'
    >>> fig.close()
    """

    def __init__(
        self,
        trace: Trace,
        n: int = 0,
        *,
        numbers: bool | None = None,
        label: str | None = None,
        figsize: tuple[float, float] | None = None,
    ) -> None:
        check_trace(trace, 2, "GridFigure2D")
        check_step(trace, n)
        self.trace = trace
        self.label = label
        rows, cols = trace.grid.shape
        if figsize is None:
            side = min(4.5, 0.42 * max(rows, cols) + 1.0)
            figsize = (2 * side + 0.4, side + 1.0)
        if numbers is None:
            across = max(rows, cols, trace.output.shape[1]) + 0.4
            numbers = max(trace.grid.size, trace.output.size) <= _NUMBERS_LIMIT and (
                numbers_fit((figsize[0] - 0.4) / 2, across, figsize[0]))
        self.fig = figure(figsize, layout="constrained")
        base = 7.0 if max(rows, cols) <= 8 else 5.5
        with style_context():
            axes = self.fig.subplots(1, 2)
            self.grid = Grid2D(trace, axes, n, numbers=numbers,
                               fontsize=readable_fontsize(figsize[0], base))
            self._title = self.fig.suptitle("", fontsize="medium")
            self.fig.legend(handles=legend_handles(self.grid.cell_kinds),
                            loc="outside lower center", ncols=3, fontsize="x-small",
                            frameon=False)
        self.update(n)

    _describe = staticmethod(describe_step2d)

    def _artists(self) -> Grid2D:
        return self.grid

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        dpi: float | None = None,
        frames: Any = None,
        fps: float = 2.0,
    ) -> Path:
        """Save as SVG, PNG or PDF, or as an animated GIF of the steps.

        Parameters
        ----------
        path : str or os.PathLike
            Destination; the extension picks the format.
        dpi : float, optional
            Resolution.
        frames : sequence of int, optional
            Steps to animate (GIF only); by default up to 100.
        fps : float, default 2.0
            Frames per second (GIF only).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        return self._save(path, dpi=dpi, frames=frames, fps=fps)
