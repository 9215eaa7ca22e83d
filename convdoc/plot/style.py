"""Colours, marker styles and the figure factory shared by every convdoc figure.

The palette is Okabe & Ito's colour-blind-safe set. Figures are drawn on a white
face so they stay readable when the site is in dark mode (the page shows them on
a light card). Colour is never the only carrier of meaning: the kernel window
also has a hatch and a dark outline, padding cells are hollow or dashed, and
inserted zeros use a different marker from padding.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["COLORS", "WINDOW_STYLE", "figure", "style_context"]

#: Okabe-Ito colours by the role they play in a figure.
COLORS: dict[str, str] = {
    "input": "#0072B2",  # blue
    "padding": "#777777",  # grey: cells that are not real input
    "inserted": "#999999",  # grey: zeros inserted by a transposed convolution
    "window": "#E69F00",  # orange fill of the kernel window
    "window_edge": "#8A4B00",  # dark outline, visible without colour vision
    "taps": "#D55E00",  # vermillion
    "products": "#CC79A7",  # reddish purple
    "output": "#009E73",  # bluish green
    "current": "#000000",
    "text": "#222222",
    "band": "#EEEEEE",  # background band behind padding
}

#: Patch properties of the highlighted kernel window (fill, hatch and outline).
WINDOW_STYLE: dict[str, Any] = {
    "facecolor": (0.902, 0.624, 0.0, 0.22),
    "edgecolor": COLORS["window_edge"],
    "hatch": "///",
    "linewidth": 1.6,
}

_RC: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.labelcolor": COLORS["text"],
    "axes.titlesize": "medium",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.color": COLORS["text"],
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "font.size": 9.0,
    "hatch.linewidth": 0.6,
}


@contextmanager
def style_context() -> Iterator[None]:
    """Apply convdoc's figure style for the duration of a ``with`` block.

    Examples
    --------
    >>> from convdoc.plot.style import style_context
    >>> with style_context():
    ...     pass
    """
    with mpl.rc_context(_RC):
        yield


def figure(figsize: tuple[float, float], **kwargs: Any) -> Figure:
    """Create a pyplot-managed figure in convdoc's style.

    The figure is registered with :mod:`matplotlib.pyplot` so that
    sphinx-gallery's scraper and Jupyter's inline backend pick it up.

    Parameters
    ----------
    figsize : tuple of float
        Width and height in inches.
    **kwargs
        Passed to :func:`matplotlib.pyplot.figure`.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure with a white face.
    """
    with style_context():
        fig = plt.figure(figsize=figsize, facecolor="white", **kwargs)
    return fig
