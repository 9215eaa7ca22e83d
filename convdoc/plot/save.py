"""Write figures and animations to disk, choosing the format from the extension."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.animation import Animation, PillowWriter
from matplotlib.figure import Figure

__all__ = ["ANIMATION_FORMATS", "STATIC_FORMATS", "save_animation", "save_figure"]

#: Extensions :func:`save_figure` writes.
STATIC_FORMATS: tuple[str, ...] = (".svg", ".png", ".pdf")
#: Extensions :func:`save_animation` writes (Pillow only, no ffmpeg needed).
ANIMATION_FORMATS: tuple[str, ...] = (".gif",)


def _suffix(path: str | os.PathLike[str], allowed: tuple[str, ...]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise ValueError(
            f"path must end in one of {', '.join(allowed)}, got {os.fspath(path)!r}"
        )
    return suffix


def _check_dpi(dpi: float | None) -> None:
    """Refuse a ``dpi`` that is given but not positive."""
    if dpi is not None and not dpi > 0:
        raise ValueError(f"dpi must be a positive number, got {dpi!r}")


def save_figure(
    fig: Figure, path: str | os.PathLike[str], *, dpi: float | None = None
) -> Path:
    """Save a static figure as SVG, PNG or PDF, picked by the file extension.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to write.
    path : str or os.PathLike
        Destination; its extension (``.svg``, ``.png`` or ``.pdf``) selects the
        format.
    dpi : float, optional
        Resolution for PNG output (and rasterised parts of the others).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the extension is not one of the static formats.
    """
    suffix = _suffix(path, STATIC_FORMATS)
    _check_dpi(dpi)
    fig.savefig(path, format=suffix[1:], dpi=dpi if dpi is not None else "figure",
                facecolor="white")
    return Path(path)


def save_animation(
    anim: Animation,
    path: str | os.PathLike[str],
    *,
    fps: float = 10.0,
    dpi: float | None = None,
) -> Path:
    """Save an animation as a GIF through Pillow.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation to write.
    path : str or os.PathLike
        Destination ending in ``.gif``.
    fps : float, default 10.0
        Frames per second.
    dpi : float, optional
        Resolution of each frame; defaults to the figure's.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the extension is not ``.gif`` or ``fps``/``dpi`` is not positive.
    """
    _suffix(path, ANIMATION_FORMATS)
    if not fps > 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    _check_dpi(dpi)
    anim.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
    return Path(path)
