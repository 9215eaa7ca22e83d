"""The thumbnails of the home page's cards, drawn by convdoc when the site is built.

The home page lists the path through the material as cards: the ten chapters,
then the five gallery sections, in teaching order. Each card shows one picture
that tells its story at the size a card shows it (about 360 x 150 CSS pixels).
A whole figure shrunk to that size would keep titles, legends and tick labels
nobody can read, so each thumbnail is drawn on purpose here: one idea, computed
with :mod:`convdoc` (:func:`convdoc.steps`, the layers, the kernels), and no
text except numbers large enough to read.

Each thumbnail is :data:`FIGSIZE` inches at :data:`DPI`, i.e. :data:`PIXELS`:
twice the size shown, so it stays sharp on high-density screens. At
``builder-inited`` they are written to ``docs/_thumbs`` (not committed), only
when this file or the package changed (:func:`write_thumbnails`); the home page
names them in its cards (``:img-top: _thumbs/<name>.png``), Sphinx copies them
to ``_images`` and :mod:`page_assets` sizes and compresses them like every figure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import convdoc

#: Width and height of every thumbnail, in inches, and its resolution.
FIGSIZE = (3.6, 1.5)
DPI = 200
#: The thumbnail's size in pixels: twice the ~360 x 150 CSS pixels a card shows.
PIXELS = (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))
#: Where the thumbnails are written, relative to the docs folder.
FOLDER = "_thumbs"
#: The numbers in a thumbnail, in points: 11.5 px where a phone shows it 332 px wide.
NUMBER_POINTS = 9.0

_Draw = Callable[[Any], None]
#: Thumbnail name -> the function that draws it on a new figure.
DRAWINGS: dict[str, _Draw] = {}


def _drawing(name: str) -> Callable[[_Draw], _Draw]:
    def register(draw: _Draw) -> _Draw:
        DRAWINGS[name] = draw
        return draw

    return register


def _axes(fig: Any, count: int = 1) -> list[Any]:
    """``count`` bare axes side by side, filling the figure."""
    axes = fig.subplots(1, count, squeeze=False)[0]
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.05, top=0.95, wspace=0.08)
    for ax in axes:
        ax.set_axis_off()
    return list(axes)


def _image(ax: Any, values: np.ndarray, cmap: str = "gray", **kwargs: Any) -> None:
    ax.imshow(values, cmap=cmap, interpolation="nearest", **kwargs)
    ax.set_aspect("auto")


# -- the chapters -----------------------------------------------------------------


@_drawing("what-is-convolution")
def _weighted_moving_sum(fig: Any) -> None:
    """A noisy sine, the kernel's window part-way along, the smoothed output so far."""
    from convdoc.plot.style import COLORS, WINDOW_STYLE

    (ax,) = _axes(fig)
    x = convdoc.noisy_sine(120, 60.0, noise=0.35, seed=3)
    h = convdoc.gaussian_kernel(13, 2.5)
    trace = convdoc.steps(x, h, operation="conv", padding=6)
    n = len(trace) * 3 // 5
    window = trace[n].input_index[0]
    centres = np.array([trace[m].center[0] for m in range(n + 1)])
    ax.plot(np.arange(x.size), x, color=COLORS["input"], lw=1.0, alpha=0.55)
    ax.axvspan(window.min() - 0.5, window.max() + 0.5, **WINDOW_STYLE)
    ax.plot(centres, np.real(trace.output[: n + 1]), color=COLORS["output"], lw=2.6)
    ax.plot(centres[-1], trace.output[n], "o", ms=7, mfc=COLORS["output"],
            mec=COLORS["current"], mew=1.5)
    ax.set_xlim(-1, x.size)


@_drawing("convolution-vs-correlation")
def _flipped_kernel(fig: Any) -> None:
    """One impulse, convolved (the kernel as it is) and correlated (the kernel flipped)."""
    from convdoc.plot.style import COLORS

    (ax,) = _axes(fig)
    h = np.array([3.0, 2.0, 1.0, 0.5])
    x = convdoc.impulse(15, at=7)
    for y, shift, colour in (
        (convdoc.convolve(x, h, mode="same"), -8.5, COLORS["output"]),
        (convdoc.correlate(x, h, mode="same"), 8.5, COLORS["products"]),
    ):
        n = np.arange(y.size) + shift
        ax.vlines(n, 0, y, color=colour, lw=3)
        ax.plot(n, y, "o", color=colour, ms=8)
    ax.axhline(0, color="#999999", lw=0.8)
    ax.axvline(0, color="#bbbbbb", lw=0.8, ls=":")
    ax.set_ylim(-0.3, 3.5)


@_drawing("probability-of-a-sum")
def _dice(fig: Any) -> None:
    """One die, two dice (a triangle), four dice (nearly a bell), by repeated convolution."""
    from convdoc.plot.style import COLORS

    axes = _axes(fig, 3)
    die = convdoc.box_kernel(6)
    dice = [die, convdoc.convolve(die, die), convdoc.convolve(convdoc.convolve(die, die),
                                                             convdoc.convolve(die, die))]
    top = max(float(d.max()) for d in dice)
    for ax, d, colour in zip(axes, dice, (COLORS["input"], COLORS["taps"], COLORS["output"]),
                             strict=True):
        ax.bar(np.arange(d.size), d, width=0.8, color=colour)
        ax.set_ylim(0, top * 1.05)
        ax.set_xlim(-1, 21)


@_drawing("linear-systems")
def _superposition(fig: Any) -> None:
    """Three impulses in, and out the sum of three shifted, scaled impulse responses."""
    from convdoc.plot.style import COLORS

    (ax,) = _axes(fig)
    length = 90
    h = np.exp(-np.arange(30) / 7.0)
    x = 1.0 * convdoc.impulse(length, at=10) + 0.6 * convdoc.impulse(length, at=32)
    x += 0.8 * convdoc.impulse(length, at=50)
    y = convdoc.convolve(x, h)[:length]
    for at in np.flatnonzero(x):
        part = convdoc.convolve(x[at] * convdoc.impulse(length, at=int(at)), h)[:length]
        ax.fill_between(np.arange(length), part, color=COLORS["output"], alpha=0.18, lw=0)
    ax.plot(np.arange(length), y, color=COLORS["output"], lw=2.4)
    nonzero = np.flatnonzero(x)
    ax.vlines(nonzero, 0, -x[nonzero], color=COLORS["input"], lw=3)
    ax.plot(nonzero, -x[nonzero], "o", color=COLORS["input"], ms=6)
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xlim(0, length)


def _grid(fig: Any, trace: convdoc.Trace, n: int, numbers: bool) -> None:
    """The input grid with the window at step ``n`` and the output filled so far."""
    from convdoc.plot import Grid2D

    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.97, wspace=0.05)
    grid = Grid2D(trace, axes, n, numbers=numbers, fontsize=NUMBER_POINTS)
    for ax in axes:
        ax.set_title("")
    # The kernel's weights would cover the input values under the window: the
    # hatched window says where the kernel is; the values say what it sums.
    for text in grid.tap_texts:
        text.set_visible(False)
    rows = trace.grid.shape[0]
    grid.ax_out.set_ylim(rows + 0.2, -0.2)


@_drawing("stride-and-padding")
def _stride_padding(fig: Any) -> None:
    """A 3 x 3 kernel at stride 2 over a 5 x 5 input padded by 1, numbers written."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4, (5, 5)).astype(float)
    h = rng.integers(0, 3, (3, 3)).astype(float)
    trace = convdoc.steps(x, h, operation="conv", padding=1, stride=2)
    _grid(fig, trace, 4, numbers=True)


def _zone_plate(size: int) -> np.ndarray:
    """A chirp in 2-D: rings whose frequency grows with the distance from the corner."""
    r, c = np.mgrid[0:size, 0:size] / size
    return 0.5 + 0.5 * np.cos(np.pi * size * 0.25 * (r**2 + c**2))


@_drawing("frequency-view")
def _aliasing(fig: Any) -> None:
    """Rings kept every 4th pixel: false patterns; blurred first: the fine rings fade out."""
    axes = _axes(fig, 2)
    image = _zone_plate(256)
    stride = 4
    plain = image[::stride, ::stride]
    blur = convdoc.gaussian_kernel2d(13, 2.0)
    blurred = convdoc.conv2d(image, blur, stride=stride, padding=6, padding_mode="reflect")
    _image(axes[0], plain, vmin=0, vmax=1)
    _image(axes[1], blurred, vmin=0, vmax=1)


@_drawing("why-cnns")
def _equivariance(fig: Any) -> None:
    """A pattern and the same pattern shifted: the kernel's response moves with it."""
    from convdoc.plot.style import COLORS

    (ax,) = _axes(fig)
    length = 100
    pattern = (convdoc.square_wave(24, 24, duty=0.5) > 0).astype(float)
    h = np.array([1.0, 0.0, -1.0])
    for at, lift in ((12, 2.2), (52, 0.0)):
        x = np.zeros(length)
        x[at : at + pattern.size] = pattern
        y = convdoc.correlate(x, h, mode="same")
        ax.fill_between(np.arange(length), lift + 0.9, lift + 0.9 + 0.8 * x,
                        color=COLORS["input"], alpha=0.7, lw=0, step="mid")
        ax.plot(np.arange(length), lift + 0.4 + 0.4 * y, color=COLORS["output"], lw=2.4)
    ax.set_xlim(0, length)


@_drawing("backprop-and-deconvolution")
def _checkerboard(fig: Any) -> None:
    """A transposed convolution of a flat input: uneven overlaps paint a checkerboard."""
    axes = _axes(fig, 2)
    flat = np.ones((6, 6))
    even = convdoc.conv_transpose2d(flat, np.ones((4, 4)), stride=2, padding=1)
    uneven = convdoc.conv_transpose2d(flat, np.ones((3, 3)), stride=2, padding=1,
                                      output_padding=1)
    _image(axes[0], uneven, cmap="viridis", vmin=0, vmax=float(uneven.max()))
    _image(axes[1], even, cmap="viridis", vmin=0, vmax=float(even.max()))


@_drawing("modern-layers")
def _receptive_fields(fig: Any) -> None:
    """Three stacked 3 x 3 layers, then three dilated ones (1, 2, 4): gaps in the field."""
    axes = _axes(fig, 2)
    size = 33
    impulse = np.zeros((size, size))
    impulse[size // 2, size // 2] = 1.0
    box = convdoc.box_kernel((3, 3))
    dense, dilated = impulse, impulse
    for dilation in (1, 2, 4):
        dense = convdoc.conv2d(dense, box, padding=1)
        dilated = convdoc.conv2d(dilated, box, padding=dilation, dilation=dilation)
    _image(axes[0], dense[4:-4, 4:-4], cmap="magma")
    _image(axes[1], dilated[4:-4, 4:-4], cmap="magma")


@_drawing("how-libraries-compute")
def _im2col(fig: Any) -> None:
    """im2col: every window of a 6 x 6 input laid out as one row of a matrix."""
    (ax,) = _axes(fig)
    x = np.zeros((6, 6))
    x[1, 1], x[2, 4], x[4, 2] = 1.0, 2.0, 3.0
    trace = convdoc.steps(x, np.ones((3, 3)), operation="conv")
    rows = [trace.grid[np.ix_(step.window[0], step.window[1])].ravel() for step in trace.steps]
    from matplotlib.colors import ListedColormap

    from convdoc.plot.style import COLORS

    colours = ListedColormap(["#f2f2f2", COLORS["input"], COLORS["taps"], COLORS["output"]])
    _image(ax, np.array(rows).T, cmap=colours, vmin=-0.5, vmax=3.5)


# -- the gallery sections -------------------------------------------------------------


@_drawing("gallery-basics")
def _sawtooth(fig: Any) -> None:
    """A noisy sawtooth and the same signal smoothed by a Gaussian kernel."""
    from convdoc.plot.style import COLORS

    (ax,) = _axes(fig)
    x = convdoc.sawtooth(200, 50)
    noisy = x + np.random.default_rng(0).normal(0.0, 0.15, x.size)
    smooth = convdoc.convolve(noisy, convdoc.gaussian_kernel(25, 3.0), mode="same",
                              boundary="reflect")
    ax.plot(noisy, color=COLORS["input"], lw=0.9, alpha=0.5)
    ax.plot(smooth, color=COLORS["output"], lw=2.4)
    ax.set_xlim(0, x.size)


@_drawing("gallery-arithmetic")
def _dilation(fig: Any) -> None:
    """A 3 x 3 kernel dilated by 2 over a 7 x 7 input."""
    x = np.arange(49.0).reshape(7, 7) % 4
    trace = convdoc.steps(x, np.ones((3, 3)), operation="conv", dilation=2)
    _grid(fig, trace, 4, numbers=False)


def _photograph() -> np.ndarray:
    """Grace Hopper's face (:func:`convdoc.data.photo`), grey, in blocks of 4 x 4 pixels."""
    from convdoc.data import photo

    return photo(4, grey=True)[10:80, 20:108]


@_drawing("gallery-images")
def _edges(fig: Any) -> None:
    """A photograph, and the strength of its edges (the two Sobel kernels)."""
    axes = _axes(fig, 2)
    image = _photograph()
    gx = convdoc.conv2d(image, convdoc.kernel2d("sobel_x"), padding=1, padding_mode="replicate")
    gy = convdoc.conv2d(image, convdoc.kernel2d("sobel_y"), padding=1, padding_mode="replicate")
    _image(axes[0], image, vmin=0, vmax=1)
    _image(axes[1], np.hypot(gx, gy), cmap="gray_r")


@_drawing("gallery-cnn")
def _feature_map(fig: Any) -> None:
    """A photograph through a convolution, a ReLU and 2 x 2 max pooling."""
    axes = _axes(fig, 2)
    image = _photograph()
    features = np.maximum(convdoc.conv2d(image, convdoc.kernel2d("sobel_x"), padding=1), 0.0)
    pooled = convdoc.max_pool2d(features, 2)
    _image(axes[0], features, cmap="inferno")
    _image(axes[1], pooled, cmap="inferno")


@_drawing("gallery-speed")
def _spectra(fig: Any) -> None:
    """The convolution theorem: the output's spectrum is the product of the two spectra."""
    from convdoc.plot.style import COLORS

    (ax,) = _axes(fig)
    x = convdoc.noisy_sine(256, 32.0, noise=0.5, seed=1)
    h = convdoc.gaussian_kernel(25, 3.0)
    y = convdoc.convolve(x, h)
    size = y.size
    for signal, colour, width in ((x, COLORS["input"], 1.0), (h, COLORS["taps"], 2.0),
                                  (y, COLORS["output"], 2.4)):
        spectrum = np.abs(np.fft.rfft(signal, size))
        ax.semilogy(spectrum[: size // 3] + 1e-3, color=colour, lw=width)
    ax.set_axis_off()


# -- writing them ---------------------------------------------------------------------


def draw(name: str) -> Any:
    """The figure of one thumbnail (a :class:`matplotlib.figure.Figure`, not saved).

    Parameters
    ----------
    name : str
        A key of :data:`DRAWINGS`.
    """
    from matplotlib.figure import Figure

    from convdoc.plot.style import style_context

    if name not in DRAWINGS:
        raise ValueError(f"name must be one of {sorted(DRAWINGS)}, got {name!r}")
    with style_context():
        fig = Figure(figsize=FIGSIZE, dpi=DPI, facecolor="white")
        DRAWINGS[name](fig)
    return fig


def _digest() -> str:
    """A digest of this file and the package's source: the thumbnails change with them."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    package = Path(convdoc.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_thumbnails(folder: Path) -> list[Path]:
    """Draw every thumbnail into ``folder`` as ``<name>.png``, unless they are current.

    Returns
    -------
    list of pathlib.Path
        The files, in :data:`DRAWINGS` order.
    """
    from page_assets import compress_png

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png" for name in DRAWINGS]
    stamp = folder / ".digest"
    digest = _digest()
    current = stamp.is_file() and stamp.read_text(encoding="utf-8") == digest
    if current and all(path.is_file() for path in paths):
        return paths
    for name, path in zip(DRAWINGS, paths, strict=True):
        fig = draw(name)
        fig.savefig(path, dpi=DPI, facecolor="white")
        compress_png(path)
    stamp.write_text(digest, encoding="utf-8")
    return paths


def _builder_inited(app: Any) -> None:
    write_thumbnails(Path(app.srcdir) / FOLDER)


def setup(app: Any) -> dict[str, Any]:
    """Draw the thumbnails before Sphinx reads the home page that shows them."""
    app.connect("builder-inited", _builder_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
