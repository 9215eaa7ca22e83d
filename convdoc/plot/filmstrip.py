"""Small multiples: chosen steps of one trace side by side."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from convdoc.plot._common import check_steps, check_trace
from convdoc.plot.grid2d import Grid2D, describe_step2d, numbers_fit, readable_fontsize
from convdoc.plot.save import save_figure
from convdoc.plot.stepped1d import Panels1D, describe_step1d
from convdoc.plot.style import figure, style_context
from convdoc.trace import Trace

__all__ = ["Filmstrip", "filmstrip"]


class Filmstrip:
    """Chosen steps of a trace as a row of small multiples.

    A 1-D trace gives one column of three panels (input and window, taps and
    products, output so far) per step; a 2-D trace one column with the input
    grid above the output grid.

    Parameters
    ----------
    trace : Trace
        A trace from :func:`convdoc.steps`.
    indices : sequence of int
        The steps to show, left to right.
    label : str, optional
        Names the setting in the column titles.
    numbers : bool, optional
        2-D only: write values in the cells.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    columns : list of Panels1D or Grid2D
        The drawing of each chosen step.

    Raises
    ------
    ValueError
        If ``indices`` is empty or names a step outside the trace.

    Examples
    --------
    >>> import convdoc
    >>> from convdoc.plot import filmstrip
    >>> trace = convdoc.steps(convdoc.sawtooth(60, 20), convdoc.gaussian_kernel(7, 1.5))
    >>> strip = filmstrip(trace, [0, 20, 40])
    >>> len(strip.columns)
    3
    >>> strip.close()
    """

    def __init__(
        self,
        trace: Trace,
        indices: Sequence[int],
        *,
        label: str | None = None,
        numbers: bool | None = None,
    ) -> None:
        if not isinstance(trace, Trace):
            check_trace(trace, 1, "a filmstrip")
        if trace.x.ndim not in (1, 2):
            raise ValueError(f"trace must be 1-D or 2-D, got input with shape {trace.x.shape}")
        self.indices = check_steps(trace, indices, "indices")
        self.trace = trace
        m = len(self.indices)
        self.columns: list[Panels1D | Grid2D] = []
        with style_context():
            if trace.x.ndim == 1:
                self.fig = figure((2.6 * m + 0.4, 4.2), layout="constrained")
                axes = self.fig.subplots(3, m, sharex=True, squeeze=False)
                for col, n in enumerate(self.indices):
                    panels = Panels1D(trace, axes[:, col], n, compact=True)
                    axes[0, col].set_title(_wrap(describe_step1d(trace, n, label)),
                                           fontsize="x-small")
                    self.columns.append(panels)
            else:
                rows, cols = trace.grid.shape
                side = min(2.6, 0.28 * max(rows, cols) + 0.6)
                width = side * m + 0.4
                if numbers is None:
                    across = max(rows, cols, trace.output.shape[1]) + 0.4
                    numbers = (max(trace.grid.size, trace.output.size) <= 144
                               and numbers_fit(side, across, width))
                self.fig = figure((width, 2 * side + 0.8), layout="constrained")
                axes = self.fig.subplots(2, m, squeeze=False)
                size = readable_fontsize(width, 7.0 if max(rows, cols) <= 8 else 5.5)
                for col, n in enumerate(self.indices):
                    grid = Grid2D(trace, axes[:, col], n, numbers=numbers, fontsize=size)
                    axes[0, col].set_title(_wrap(describe_step2d(trace, n, label)),
                                           fontsize="x-small")
                    self.columns.append(grid)

    def save(self, path: str | os.PathLike[str], *, dpi: float | None = None) -> Path:
        """Save as SVG, PNG or PDF (picked by the extension).

        Parameters
        ----------
        path : str or os.PathLike
            Destination.
        dpi : float, optional
            Resolution.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        return save_figure(self.fig, path, dpi=dpi)

    def __repr__(self) -> str:
        return f"<Filmstrip of steps {self.indices} of {len(self.trace)}>"

    def close(self) -> None:
        """Release the figure."""
        import matplotlib.pyplot as plt

        plt.close(self.fig)


def _wrap(text: str) -> str:
    # Column titles are narrow: break before "covers" and before "centre".
    return text.replace(" covers ", "\ncovers ", 1).replace(", centre", ",\ncentre", 1)


def filmstrip(
    trace: Trace,
    indices: Sequence[int],
    *,
    label: str | None = None,
    numbers: bool | None = None,
) -> Filmstrip:
    """Draw chosen steps of a trace side by side.

    Parameters
    ----------
    trace : Trace
        A trace from :func:`convdoc.steps` (1-D or 2-D).
    indices : sequence of int
        Steps to show, left to right.
    label : str, optional
        Names the setting in the titles.
    numbers : bool, optional
        2-D only: write values in the cells.

    Returns
    -------
    Filmstrip
        With ``.fig`` and ``.save(path)``.
    """
    return Filmstrip(trace, indices, label=label, numbers=numbers)
