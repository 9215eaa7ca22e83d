"""Sample data for the examples and chapters, like :mod:`skimage.data`.

One photograph, Grace Hopper's portrait, which ships with matplotlib as
``mpl-data/sample_data/grace_hopper.jpg`` (600 x 512 pixels, RGB). The file is
found without importing matplotlib and read with Pillow, so importing this
module stays as light as ``import convdoc``.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from convdoc._validate import flag, positive_int

__all__ = ["photo"]

# Rec. 709 luma weights of (R, G, B), as in the playground and the chapters.
_LUMA = np.array([0.2126, 0.7152, 0.0722])

# The photograph's size in pixels, (rows, columns).
_SHAPE = (600, 512)


@functools.cache
def _photo_rgb8() -> np.ndarray:
    """The photograph as it is stored: read-only ``uint8`` RGB of shape (600, 512, 3)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the sample photograph ships with matplotlib: pip install convdoc[plot]")
    from PIL import Image

    path = Path(spec.submodule_search_locations[0]) / "mpl-data/sample_data/grace_hopper.jpg"
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    rgb.flags.writeable = False
    return rgb


def _block_mean(image: np.ndarray, step: int) -> np.ndarray:
    """Mean over ``step`` x ``step`` blocks of an (H, W, 3) image, ragged edges dropped."""
    rows, cols = (side // step * step for side in image.shape[:2])
    blocks = image[:rows, :cols].reshape(rows // step, step, cols // step, step, -1)
    return blocks.mean(axis=(1, 3))


def photo(step: int = 1, *, grey: bool = False) -> np.ndarray:
    """Grace Hopper's portrait as floats in [0, 1], optionally shrunk and grey.

    The photograph shipped with matplotlib (``grace_hopper.jpg``, 600 x 512
    pixels), divided by 255 and averaged over ``step`` x ``step`` blocks: each
    output pixel is the mean of the block it covers. Rows and columns left over
    when ``step`` does not divide 600 or 512 are dropped (bottom and right).
    matplotlib is not imported; the file is read with Pillow.

    Parameters
    ----------
    step : int, default 1
        Side of the averaged blocks, from 1 (full size) to 512. The result has
        ``600 // step`` rows and ``512 // step`` columns.
    grey : bool, default False
        Return the Rec. 709 luma ``0.2126 R + 0.7152 G + 0.0722 B`` of the
        averaged colours instead of the three colour channels.

    Returns
    -------
    numpy.ndarray
        ``float64`` array of shape ``(600 // step, 512 // step, 3)`` (RGB, channels
        last), or ``(600 // step, 512 // step)`` if ``grey``; values in [0, 1].

    Raises
    ------
    TypeError
        If ``step`` is not an integer or ``grey`` is not a bool.
    ValueError
        If ``step`` is below 1 or above 512.
    ImportError
        If matplotlib (which ships the file) or Pillow is not installed.

    Examples
    --------
    >>> import convdoc
    >>> x = convdoc.data.photo(step=4)
    >>> x.shape, x.dtype
    ((150, 128, 3), dtype('float64'))
    >>> bool(0 <= x.min() and x.max() <= 1)
    True
    >>> convdoc.data.photo(step=2, grey=True).shape
    (300, 256)

    The top square of the photograph, face and shoulders:

    >>> convdoc.data.photo(step=2, grey=True)[:256].shape
    (256, 256)
    """
    step = positive_int(step, "step", maximum=min(_SHAPE))
    grey = flag(grey, "grey")
    small = _block_mean(_photo_rgb8() / 255, step)
    return small @ _LUMA if grey else small

