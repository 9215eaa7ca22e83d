"""Animations that move a figure's existing artists from step to step."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from convdoc.plot._common import check_steps
from convdoc.plot.save import (
    ANIMATION_FORMATS,
    _check_dpi,
    _check_fps,
    _check_pixels,
    _replacing,
    _suffix,
)
from convdoc.trace import Trace

__all__ = ["StepAnimation", "animate", "default_frames"]

#: Frames an animation shows when none are given: long traces are sampled.
MAX_DEFAULT_FRAMES = 100


class _Steppable(Protocol):
    fig: Figure
    trace: Trace

    def update(self, n: int) -> list[Artist]: ...


def default_frames(n_steps: int, limit: int = MAX_DEFAULT_FRAMES) -> list[int]:
    """Every step, or ``limit`` steps evenly spread from the first to the last.

    Parameters
    ----------
    n_steps : int
        Number of steps in the trace.
    limit : int, default 100
        Most frames to return.

    Returns
    -------
    list of int
        Increasing step numbers, always including the first and the last.

    Examples
    --------
    >>> default_frames(5)
    [0, 1, 2, 3, 4]
    >>> default_frames(1000, limit=3)
    [0, 500, 999]
    """
    if n_steps <= limit:
        return list(range(n_steps))
    return sorted(set(np.rint(np.linspace(0, n_steps - 1, limit)).astype(int).tolist()))


class _CanvasPillowWriter(PillowWriter):
    """PillowWriter that grabs the canvas as it stands instead of redrawing it.

    The stock writer calls ``savefig`` for every frame, redrawing ticks, labels
    and every static cell; with blitting only the moving artists are redrawn.
    """

    def grab_frame(self, **savefig_kwargs: Any) -> None:
        canvas = self.fig.canvas
        self._frames.append(Image.frombuffer(
            "RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1,
        ).convert("RGB"))

    def finish(self) -> None:
        # One palette for every frame (built from the first, middle and last):
        # with per-frame palettes every pixel changes between frames and the GIF
        # cannot store just the part that moved.
        frames = self._frames
        if not frames:  # drawing failed before the first frame: that error propagates
            return
        picks = [frames[0], frames[len(frames) // 2], frames[-1]]
        w, h = frames[0].size
        sample = Image.new("RGB", (w, h * len(picks)))
        for i, frame in enumerate(picks):
            sample.paste(frame, (0, i * h))
        palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
        indexed[0].save(self.outfile, save_all=True, append_images=indexed[1:],
                        duration=int(1000 / self.fps), loop=0)


class StepAnimation:
    """A :class:`~matplotlib.animation.FuncAnimation` over the steps of a figure.

    Each frame calls the figure's ``update(n)``, which moves existing artists
    (``set_data``/``set_bounds``/``set_visible``) rather than drawing new ones.

    Parameters
    ----------
    figure : StepFigure1D or GridFigure2D
        The figure to animate.
    frames : sequence of int, optional
        Steps to show; by default up to 100 spread over the trace.
    interval : float, default 100
        Milliseconds between frames when shown interactively.

    Attributes
    ----------
    frames : list of int
        The steps, in order.
    """

    def __init__(
        self, figure: _Steppable, frames: Sequence[int] | None = None, *, interval: float = 100.0
    ) -> None:
        self.figure = figure
        if frames is None:
            frames = default_frames(len(figure.trace))
        self.frames = check_steps(figure.trace, frames, "frames")
        self.interval = interval

    def __repr__(self) -> str:
        return f"<StepAnimation of {len(self.frames)} frames of {type(self.figure).__name__}>"

    @cached_property
    def anim(self) -> FuncAnimation:
        """The :class:`~matplotlib.animation.FuncAnimation`, made on first use.

        Use it to show the animation live or in a notebook (``anim.to_jshtml()``);
        :meth:`save` does not need it. Created lazily because matplotlib warns
        about an animation that is never rendered.
        """
        fig = self.figure.fig
        # Lay the figure out once: re-running the layout engine on every frame
        # would dominate the rendering time, and the artists never change size.
        fig.canvas.draw()
        fig.set_layout_engine("none")
        return FuncAnimation(
            fig, self.figure.update, frames=self.frames, interval=self.interval,
            blit=False, repeat=True, cache_frame_data=False,
        )

    def save(
        self, path: str | os.PathLike[str], *, fps: float = 10.0, dpi: float | None = None
    ) -> Path:
        """Write the animation as a GIF (Pillow, no ffmpeg).

        Parameters
        ----------
        path : str or os.PathLike
            Destination ending in ``.gif``.
        fps : float, default 10.0
            Frames per second, between 0.01 and 50
            (:data:`convdoc.plot.save.FPS_RANGE`).
        dpi : float, optional
            Resolution of each frame, between 10 and 1000
            (:data:`convdoc.plot.save.DPI_RANGE`); all frames together may
            have at most :data:`convdoc.plot.save.MAX_ANIMATION_PIXELS` pixels.

        Returns
        -------
        pathlib.Path
            The path written. It is written whole or not at all: a failed
            call leaves an existing file unchanged.

        Raises
        ------
        TypeError
            If ``path`` is not a path or ``fps``/``dpi`` not a real number.
        ValueError
            If ``path`` does not end in ``.gif``, names a folder or a file in
            a missing folder, or ``fps``/``dpi`` is out of range or the frames
            would not fit the pixel budget.
        """
        _suffix(path, ANIMATION_FORMATS)
        fps = _check_fps(fps)
        fig = self.figure.fig
        dpi = _check_dpi(dpi, fig)
        _check_pixels(fig, dpi, frames=len(self.frames))
        shown = getattr(self.figure, "n", self.frames[0])
        old_dpi, old_canvas = fig.dpi, fig.canvas
        moving = self.figure.update(self.frames[0])
        try:
            canvas = FigureCanvasAgg(fig)
            if dpi is not None:
                fig.set_dpi(dpi)
            for artist in moving:
                artist.set_animated(True)
            # Static background drawn once; each frame restores it and draws
            # only the artists update() reports as changed.
            canvas.draw()
            background = canvas.copy_from_bbox(fig.bbox)
            writer = _CanvasPillowWriter(fps=fps)
            # All or nothing: an existing file is replaced only by a complete GIF.
            with _replacing(Path(path)) as tmp, writer.saving(fig, tmp, dpi=fig.dpi):
                for n in self.frames:
                    canvas.restore_region(background)
                    for artist in self.figure.update(n):
                        fig.draw_artist(artist)
                    writer.grab_frame()
        finally:
            for artist in moving:
                artist.set_animated(False)
            fig.set_dpi(old_dpi)
            fig.set_canvas(old_canvas)
            self.figure.update(shown)
        return Path(path)


def animate(
    figure: _Steppable, frames: Sequence[int] | None = None, *, interval: float = 100.0
) -> StepAnimation:
    """Animate a stepped figure over its steps.

    Parameters
    ----------
    figure : StepFigure1D or GridFigure2D
        The figure to animate.
    frames : sequence of int, optional
        Steps to show; by default up to 100 spread over the trace.
    interval : float, default 100
        Milliseconds between frames.

    Returns
    -------
    StepAnimation
        Call ``.save("steps.gif")`` to write it.
    """
    return StepAnimation(figure, frames, interval=interval)
