"""Write figures and animations to disk, choosing the format from the extension.

Every writer here is all-or-nothing: it draws into a temporary file next to
the destination and moves it into place (:func:`os.replace`) only once the
file is complete, so a failed call leaves an existing file byte-for-byte as
it was and no temporary file behind.
"""

from __future__ import annotations

import errno
import math
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Real
from pathlib import Path
from typing import Any

from matplotlib.animation import Animation, PillowWriter
from matplotlib.figure import Figure

__all__ = [
    "ANIMATION_FORMATS",
    "DPI_RANGE",
    "FPS_RANGE",
    "MAX_ANIMATION_PIXELS",
    "MAX_PIXELS",
    "STATIC_FORMATS",
    "save_animation",
    "save_figure",
]

#: Extensions :func:`save_figure` writes.
STATIC_FORMATS: tuple[str, ...] = (".svg", ".png", ".pdf")
#: Extensions :func:`save_animation` writes (Pillow only, no ffmpeg needed).
ANIMATION_FORMATS: tuple[str, ...] = (".gif",)
#: Smallest and largest ``dpi`` accepted. Below about 7 dpi the smallest
#: labels of the figures round to less than one pixel and FreeType fails (or,
#: under 1 dpi, the process dies of a floating-point exception); 10 keeps a
#: margin. 1000 dpi is print resolution and more.
DPI_RANGE: tuple[float, float] = (10.0, 1000.0)
#: Slowest and fastest frame rate of a GIF: 100 s a frame, and 20 ms (GIF
#: stores durations in hundredths of a second; browsers slow anything faster).
FPS_RANGE: tuple[float, float] = (0.01, 50.0)
#: Most pixels a PNG (width x height) may have: 60 megapixels, a 9 x 6 inch
#: figure at 1000 dpi, which needs about 300 MB while it is drawn.
MAX_PIXELS: int = 60_000_000
#: Most pixels an animation may hold over all its frames (they are kept in
#: memory until the GIF is written, at 6-8 bytes a pixel): 100 megapixels.
MAX_ANIMATION_PIXELS: int = 100_000_000
#: Largest width or height in pixels (Agg's limit is 2**16).
_MAX_SIDE = 2**15


def _check_path(path: Any) -> Path:
    """``path`` as a :class:`~pathlib.Path` to a file in an existing folder."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}: "
                        f"{path!r}")
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"path names a folder, not a file: {os.fspath(path)!r}")
    _folder_exists(target, "path")
    return target


def _folder_exists(path: Path, name: str) -> None:
    """Refuse a ``path`` whose folder is missing or is a file."""
    folder = path.parent
    if folder.is_dir():
        return
    what = "is a file, not a folder" if folder.exists() else "does not exist"
    raise ValueError(f"{name}'s folder {what}: {os.fspath(folder)!r}")


def _suffix(path: str | os.PathLike[str], allowed: tuple[str, ...]) -> str:
    suffix = _check_path(path).suffix.lower()
    if suffix not in allowed:
        raise ValueError(
            f"path must end in one of {', '.join(allowed)}, got {os.fspath(path)!r}"
        )
    return suffix


def _check_range(value: Any, name: str, bounds: tuple[float, float]) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    low, high = bounds
    number = float(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def _check_dpi(dpi: Any, fig: Figure | None = None) -> float | None:
    """``None``, or ``dpi`` as a float within :data:`DPI_RANGE`.

    With ``dpi=None`` the figure's own dpi is used, so it is checked instead.
    """
    if dpi is None:
        if fig is not None:
            _check_range(fig.dpi, "the figure's dpi (used when dpi is None)", DPI_RANGE)
        return None
    return _check_range(dpi, "dpi", DPI_RANGE)


def _check_fps(fps: Any) -> float:
    """``fps`` as a float within :data:`FPS_RANGE`."""
    return _check_range(fps, "fps", FPS_RANGE)


def _check_pixels(fig: Figure, dpi: float | None, frames: int = 1) -> None:
    """Refuse a raster that would not fit the pixel budget, naming ``dpi``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw.
    dpi : float or None
        Resolution asked for; ``None`` means the figure's own.
    frames : int, default 1
        Frames kept in memory (1 for a still image).
    """
    used = fig.dpi if dpi is None else dpi
    width_in, height_in = (float(v) for v in fig.get_size_inches())
    width, height = math.ceil(width_in * used), math.ceil(height_in * used)
    budget = MAX_PIXELS if frames == 1 else MAX_ANIMATION_PIXELS
    total = width * height * frames
    if total <= budget and max(width, height) <= _MAX_SIDE:
        return
    # The largest dpi that fits both limits, rounded down.
    fits = min(math.sqrt(budget / frames / (width_in * height_in)),
               _MAX_SIDE / max(width_in, height_in))
    what = f"{width}×{height} pixels" if frames == 1 else f"{frames} frames of {width}×{height}"
    advice = f"use dpi {math.floor(fits)} or less" + ("" if frames == 1 else " or fewer frames")
    raise ValueError(
        f"dpi {used:g} would draw {what} ({total / 1e6:.0f} megapixels) for a "
        f"{width_in:g}×{height_in:g} inch figure; at most {budget / 1e6:.0f} megapixels "
        f"and {_MAX_SIDE} pixels a side: {advice}"
    )


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; move it onto ``path`` on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is
    removed and ``path`` is untouched. A read-only ``path`` stays read-only:
    the folder being writable does not make it replaceable.
    """
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    while True:
        tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
        try:
            # 0o666 minus the umask, as a file opened with open(path, "w") would get.
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:  # pragma: no cover - a 32-bit random name collided
            continue
    try:
        yield tmp
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write(path: Path, draw: Callable[[Path], Any]) -> Path:
    """Run ``draw(tmp)`` and move ``tmp`` onto ``path`` only if it succeeds."""
    with _replacing(path) as tmp:
        draw(tmp)
    return path


def save_figure(
    fig: Figure, path: str | os.PathLike[str], *, dpi: float | None = None
) -> Path:
    """Save a static figure as SVG, PNG or PDF, picked by the file extension.

    The file is written whole or not at all: a failed call leaves an existing
    file at ``path`` unchanged.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to write.
    path : str or os.PathLike
        Destination in an existing folder; its extension (``.svg``, ``.png``
        or ``.pdf``) selects the format.
    dpi : float, optional
        Resolution for PNG output (and rasterised parts of the others),
        between 10 and 1000 (:data:`DPI_RANGE`); a PNG may have at most
        :data:`MAX_PIXELS` pixels. Defaults to the figure's.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If ``path`` is not a path or ``dpi`` not a real number.
    ValueError
        If the extension is not one of the static formats, ``path`` names a
        folder or a file in a missing folder, ``dpi`` is out of range or the
        PNG would be too large.
    """
    suffix = _suffix(path, STATIC_FORMATS)
    dpi = _check_dpi(dpi, fig)
    if suffix == ".png":
        _check_pixels(fig, dpi)
    return _write(Path(path), lambda tmp: fig.savefig(
        tmp, format=suffix[1:], dpi=dpi if dpi is not None else "figure", facecolor="white"
    ))


def save_animation(
    anim: Animation,
    path: str | os.PathLike[str],
    *,
    fps: float = 10.0,
    dpi: float | None = None,
) -> Path:
    """Save an animation as a GIF through Pillow.

    The file is written whole or not at all: a failed call leaves an existing
    file at ``path`` unchanged.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation to write.
    path : str or os.PathLike
        Destination ending in ``.gif``, in an existing folder.
    fps : float, default 10.0
        Frames per second, between 0.01 and 50 (:data:`FPS_RANGE`).
    dpi : float, optional
        Resolution of each frame, between 10 and 1000 (:data:`DPI_RANGE`);
        defaults to the figure's.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If ``path`` is not a path or ``fps``/``dpi`` not a real number.
    ValueError
        If the extension is not ``.gif``, ``path`` names a folder or a file in
        a missing folder, or ``fps``/``dpi`` is out of range.
    """
    _suffix(path, ANIMATION_FORMATS)
    fps = _check_fps(fps)
    dpi = _check_dpi(dpi)
    return _write(Path(path), lambda tmp: anim.save(tmp, writer=PillowWriter(fps=fps), dpi=dpi))
