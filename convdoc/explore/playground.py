"""The image playground: a photograph through a kernel the reader picks or edits, live."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

from convdoc._validate import as_array, choice, positive_int
from convdoc.data import _block_mean, _photo_rgb8
from convdoc.engine import BOUNDARIES
from convdoc.explore._html import HTMLExplorer, explorer_html, select_field, settings
from convdoc.kernels import KERNELS2D

__all__ = ["PRESETS", "ImagePlayground", "sample_photo"]

#: Preset kernels of :class:`ImagePlayground`: name -> (label, 3x3 kernel, 5x5 kernel).
#: The 3x3 ones are :data:`convdoc.KERNELS2D`; at 5x5 the blurs widen (box of 25 cells,
#: binomial Gaussian ``[1, 4, 6, 4, 1]`` outer itself over 256) and the others keep their
#: 3x3 taps in the middle of a zero border, so they do the same thing.
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
_LABELS = {"identity": "identity", "box_blur": "box blur", "gaussian_blur": "Gaussian blur",
           "sharpen": "sharpen", "sobel_x": "Sobel x", "sobel_y": "Sobel y",
           "laplacian": "Laplacian", "emboss": "emboss", "outline": "outline"}


def _presets() -> dict[str, tuple[str, np.ndarray, np.ndarray]]:
    out = {}
    for name, label in _LABELS.items():
        small = np.asarray(KERNELS2D[name], dtype=float)
        big = np.zeros((5, 5))
        big[1:4, 1:4] = small
        if name == "box_blur":
            big = np.full((5, 5), 1 / 25)
        elif name == "gaussian_blur":
            big = np.outer(_BINOMIAL, _BINOMIAL) / 256
        out[name] = (label, small, big)
    return out


PRESETS = _presets()
OPERATIONS = ("correlate", "convolve")
#: How results become grey levels: clipped to 0..255, or the range stretched to 0..255.
LEVELS = {"clip": "clip to 0–255", "rescale": "rescale min–max to 0–255"}


def sample_photo(size: int = 256) -> np.ndarray:
    """Grace Hopper's portrait (shipped with matplotlib), square and downscaled.

    The top 512 x 512 pixels of matplotlib's ``grace_hopper.jpg`` (face and
    shoulders), averaged over ``512 // size`` x ``512 // size`` blocks and
    rounded to 8 bits: the top square of :func:`convdoc.data.photo` on the
    0-255 scale. Read with Pillow; matplotlib is not imported.

    Parameters
    ----------
    size : {64, 128, 256, 512}, default 256
        Side of the result in pixels.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``(size, size, 3)`` (RGB).

    Raises
    ------
    ValueError
        If ``size`` does not divide 512.
    ImportError
        If matplotlib or Pillow (the ``plot`` extra) is not installed.

    See Also
    --------
    convdoc.data.photo : The same photograph as floats in [0, 1], any block size.
    """
    size = positive_int(size, "size")
    if size not in (64, 128, 256, 512):
        raise ValueError(f"size must be one of 64, 128, 256, 512, got {size!r}")
    small = _block_mean(_photo_rgb8()[:512, :512].astype(float), 512 // size)
    return np.rint(small).astype(np.uint8)


def _as_rgb8(image: Any) -> np.ndarray:
    arr = as_array(image, "image")
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got shape {arr.shape}")
    if not 8 <= arr.shape[0] <= 512 or not 8 <= arr.shape[1] <= 512:
        raise ValueError(f"image sides must be from 8 to 512 pixels, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise ValueError("image must be uint8, or floats in [0, 1]")
    return np.rint(arr * 255).astype(np.uint8)


class ImagePlayground(HTMLExplorer):
    """A photograph through a 3x3 or 5x5 kernel you pick or edit, redrawn as you type.

    Displaying the object emits one self-contained ``<div>``: the photograph
    (embedded as a JPEG data URL, about 35 kB at 256 x 256), a kernel editor
    (a grid of number inputs), presets (identity, box and Gaussian blur,
    sharpen, Sobel x and y, Laplacian, emboss, outline), a convolve/correlate
    switch (it turns Sobel's and emboss's response around), the boundary rule
    of :func:`convdoc.correlate` (``mode="same"``), greyscale or RGB (each
    channel filtered alike), and how results become grey levels: *clip*
    (values below 0 black, above 255 white; right for kernels that sum to 1)
    or *rescale* (the smallest result black, the largest white; right for
    edge detectors, which sum to 0). Hover or tap a result pixel (or focus the
    result and use the arrow keys) to see the neighbourhood under the kernel,
    the products and their sum. Pixel values are 0 to 255; the greyscale
    image is ``round(0.2126 R + 0.7152 G + 0.0722 B)`` (Rec. 709 luma).
    The script computes in ``Float64Array`` buffers, as
    :func:`convdoc.correlate` / :func:`convdoc.convolve` do, fast enough to
    redraw within one animation frame on a phone-class CPU: it pads the image
    once per boundary rule, multiplies only the smallest block that holds
    every non-zero weight (a 3x3 kernel in a 5x5 grid costs 9 products, not
    25), two pixels at a time with WebAssembly SIMD where the browser has it
    (the script assembles the small module itself); without it, plain
    JavaScript, which filters a kernel that is exactly a product of a column
    and a row (the 5x5 box and Gaussian blurs) in two 1-D passes. Nothing is
    fetched from the network.

    Parameters
    ----------
    image : array_like, optional
        ``(H, W)`` or ``(H, W, 3)`` image, ``uint8`` or floats in [0, 1],
        8 to 512 pixels a side. Default: :func:`sample_photo` at 256 x 256.
    kernel : str, default "sharpen"
        Preset selected first, one of :data:`PRESETS`.
    kernel_size : {3, 5}, default 3
        Side of the kernel editor shown first.
    operation : {"correlate", "convolve"}, default "correlate"
        Lay the kernel over the image as written, or turned 180 degrees.
    boundary : {"constant", "edge", "reflect", "symmetric", "wrap"}, default "symmetric"
        How the image is extended beyond its border.
    levels : {"clip", "rescale"}, default "clip"
        How results are mapped to grey levels.
    color : bool, default False
        Start with the RGB image instead of the greyscale one.
    quality : int, default 92
        JPEG quality of the embedded image (the page's weight against its
        fidelity; the playground filters the pixels the browser decodes).

    Raises
    ------
    TypeError, ValueError
        If a parameter has the wrong type or value; the message names it.
    ImportError
        If Pillow (and, for the default image, matplotlib) is missing.

    Examples
    --------
    >>> from convdoc.explore import ImagePlayground
    >>> html = ImagePlayground(kernel="sobel_x", levels="rescale").to_html()
    >>> html.startswith('<div class="convdoc-explorer') and "data:image/jpeg" in html
    True
    """

    _kind = "image"
    _heading = "image kernel playground"

    def __init__(
        self,
        image: Any = None,
        *,
        kernel: str = "sharpen",
        kernel_size: int = 3,
        operation: str = "correlate",
        boundary: str = "symmetric",
        levels: str = "clip",
        color: bool = False,
        quality: int = 92,
    ) -> None:
        self.kernel = choice(kernel, "kernel", tuple(PRESETS))
        self.kernel_size = positive_int(kernel_size, "kernel_size")
        if self.kernel_size not in (3, 5):
            raise ValueError(f"kernel_size must be 3 or 5, got {kernel_size!r}")
        self.operation = choice(operation, "operation", OPERATIONS)
        self.boundary = choice(boundary, "boundary", BOUNDARIES)
        self.levels = choice(levels, "levels", tuple(LEVELS))
        if not isinstance(color, bool):
            raise TypeError(f"color must be True or False, got {color!r}")
        self.color = color
        self.quality = positive_int(quality, "quality")
        if not 50 <= self.quality <= 100:
            raise ValueError(f"quality must be from 50 to 100, got {quality!r}")
        self.image = sample_photo() if image is None else _as_rgb8(image)

    def jpeg(self) -> bytes:
        """The embedded image: the RGB pixels as a JPEG (4:4:4, ``quality``).

        Returns
        -------
        bytes
            The JPEG file.
        """
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(self.image, "RGB").save(buffer, "JPEG", quality=self.quality,
                                                subsampling=0)
        return buffer.getvalue()

    def _data(self) -> dict[str, Any]:
        return {
            "photo": "data:image/jpeg;base64," + base64.b64encode(self.jpeg()).decode("ascii"),
            "height": int(self.image.shape[0]), "width": int(self.image.shape[1]),
            "presets": {name: {"3": small.tolist(), "5": big.tolist()}
                        for name, (_, small, big) in PRESETS.items()},
            "kernel": self.kernel, "size": self.kernel_size,
        }

    def _body(self, root_id: str) -> str:
        controls = "".join([
            select_field(root_id, "preset", "Kernel",
                         {"custom": "(as edited)",
                          **{name: label for name, (label, _, _) in PRESETS.items()}},
                         self.kernel),
            select_field(root_id, "ksize", "Kernel size", {"3": "3×3", "5": "5×5"},
                         str(self.kernel_size)),
            select_field(root_id, "operation", "Operation", {o: o for o in OPERATIONS},
                         self.operation),
            select_field(root_id, "boundary", "Boundary", {b: b for b in BOUNDARIES},
                         self.boundary),
            select_field(root_id, "levels", "Grey levels", LEVELS, self.levels),
            select_field(root_id, "colour", "Image", {"grey": "greyscale", "rgb": "RGB"},
                         "rgb" if self.color else "grey"),
        ])
        # The kernel's size as the script will show it, so that a playground not
        # started yet (it starts when it nears the screen) lays its weights out alike.
        k = self.kernel_size
        cells = "".join(
            f'<input type="number" step="any" data-weight="{i},{j}" '
            f'aria-label="weight row {i}, column {j}"{"" if i < k and j < k else " hidden"}>'
            for i in range(5) for j in range(5)
        )
        return (
            settings(root_id, controls)
            + '<div class="cdx-play">'
            f'<fieldset class="cdx-kernel"><legend>Kernel weights</legend>'
            f'<div class="cdx-weights" data-role="weights" '
            f'style="grid-template-columns: repeat({k}, 1fr)">{cells}</div>'
            '<p class="cdx-note" data-role="weight-sum"></p></fieldset>'
            '<figure class="cdx-pic"><canvas data-panel="source" role="img" '
            'aria-label="the photograph"></canvas><figcaption>input</figcaption></figure>'
            '<figure class="cdx-pic"><div class="cdx-stack"><canvas data-panel="result" '
            'tabindex="0" role="img" aria-label="the filtered photograph: hover, tap or use '
            'the arrow keys to inspect a pixel"></canvas><div class="cdx-marker" '
            'data-role="marker" aria-hidden="true"></div></div>'
            "<figcaption>result</figcaption></figure></div>"
            '<p class="cdx-caption" data-role="caption" aria-live="polite"></p>'
            '<div class="cdx-inspect" data-role="inspect" aria-live="polite"></div>'
        )

    def _repr_html_(self) -> str:
        return explorer_html(self._kind, self._data(), self._body, self._heading,
                             script="playground.js")

    def __repr__(self) -> str:
        h, w = self.image.shape[:2]
        return (
            f"ImagePlayground(<{h}x{w} image>, kernel={self.kernel!r}, "
            f"kernel_size={self.kernel_size}, operation={self.operation!r}, "
            f"boundary={self.boundary!r}, levels={self.levels!r}, color={self.color})"
        )
