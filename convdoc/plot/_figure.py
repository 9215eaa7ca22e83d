"""The plumbing shared by the stepped figures: title, update, save and close."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from convdoc.plot.save import _check_path, save_figure
from convdoc.trace import Trace

__all__ = ["SteppedFigure"]


class _StepArtists(Protocol):
    """The inner artist group a stepped figure drives (``Panels1D``, ``Grid2D``)."""

    n: int

    def update(self, n: int) -> list[Artist]: ...


class SteppedFigure:
    """Base of the figures that show one step of a trace at a time.

    Subclasses build ``fig``, ``_title`` and their artist group in
    ``__init__`` and say which group and which describe function they use;
    everything that only moves between steps lives here once.
    """

    fig: Figure
    trace: Trace
    label: str | None
    _title: Text
    #: One-line description of a step: ``describe(trace, n, label)``.
    _describe: Callable[[Trace, int, str | None], str]

    def _artists(self) -> _StepArtists:
        """The artist group that follows the step."""
        raise NotImplementedError

    @property
    def n(self) -> int:
        """The step shown."""
        return self._artists().n

    @property
    def title(self) -> str:
        """The figure title (which output, which inputs, which centre)."""
        return self._title.get_text()

    def update(self, n: int) -> list[Artist]:
        """Show step ``n`` by moving the existing artists (no new artists).

        Parameters
        ----------
        n : int
            Step number, ``0 <= n < len(trace)``.

        Returns
        -------
        list of matplotlib.artist.Artist
            The artists that changed.
        """
        changed = self._artists().update(n)
        self._title.set_text(self._describe(self.trace, n, self.label))
        return [*changed, self._title]

    def _save(
        self,
        path: str | os.PathLike[str],
        *,
        dpi: float | None,
        frames: Any,
        fps: float,
    ) -> Path:
        """Write a static format, or animate ``frames`` into a GIF."""
        if _check_path(path).suffix.lower() == ".gif":
            from convdoc.plot.animate import animate

            return animate(self, frames).save(path, fps=fps, dpi=dpi)
        return save_figure(self.fig, path, dpi=dpi)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} step {self.n} of {len(self.trace)}: {self.title}>"

    def close(self) -> None:
        """Release the figure (pyplot keeps open figures alive)."""
        import matplotlib.pyplot as plt

        plt.close(self.fig)
