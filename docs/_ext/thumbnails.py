"""Gallery thumbnails: one panel of the telling figure, as 256-colour PNGs.

sphinx-gallery makes an example's thumbnail by shrinking its whole figure
(``sphinx_gallery_thumbnail_number``, default the first) to 320 x 224 pixels,
shown at 160 x 112: a multi-panel figure's titles, legends and tick labels come
out a few pixels high. :func:`panel_scraper` (conf.py's image scraper) saves,
beside each figure, its largest panel alone, without any text (titles, labels,
tick labels, legends, annotations), as ``<figure>.panel.png``;
:func:`panel_thumbnails` then makes the thumbnail from the panel of the figure
sphinx-gallery chose, framed on white at the thumbnail's size. A figure that
cannot be copied keeps sphinx-gallery's thumbnail.

The home page and the gallery index each show every example's thumbnail. At
320 x 224 (twice the 160 x 112 at which sphinx-gallery's CSS shows them, so they
stay sharp on high-density screens) sphinx-gallery saves full-colour RGBA PNGs
of 20-70 KB each; with a few dozen examples that alone approaches the 1.5 MB
page budget. Quantized to a 256-colour palette (a figure has few colours) they
are about 2.5 times smaller and look the same.

Runs at ``builder-inited`` after sphinx-gallery has generated the gallery, on
thumbnails not yet quantized, so a rebuild with nothing changed changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

#: Later than sphinx-gallery's own builder-inited handler (default priority 500).
PRIORITY = 900
#: sphinx-gallery's thumbnail size (conf.py ``thumbnail_size``), in pixels.
THUMBNAIL = (320, 224)
PANEL_SUFFIX = ".panel.png"


def _telling_axes(fig: Any) -> Any:
    """The panel a thumbnail shows, or None: the first (in drawing order, which is
    reading order) of the visible axes that draw something and are at least 80% as
    large as the largest, e.g. a grid diagram's input with its kernel window, not
    its output; a stepped 1-D figure's input with the window, not the kernel."""
    panels = []
    for ax in fig.axes:
        drawn = ax.lines or ax.images or ax.collections or ax.patches
        if ax.get_visible() and drawn:
            box = ax.get_position()
            panels.append((box.width * box.height, ax))
    if not panels:
        return None
    largest = max(area for area, _ in panels)
    return next(ax for area, ax in panels if area >= 0.8 * largest)


def save_panel(fig: Any, path: Path) -> bool:
    """Save the largest panel of ``fig`` alone, without text, at >= the thumbnail's size.

    The figure itself is not changed: a copy (pickled and loaded again) is
    stripped. Returns False, writing nothing, if the figure cannot be copied or
    has no panel.
    """
    import pickle

    try:
        copy = pickle.loads(pickle.dumps(fig))
    except Exception:  # e.g. a formatter defined in the example: crop the figure as drawn
        return _crop_panel(fig, path)
    # Loading a pyplot figure registers the copy with pyplot as a new figure, which
    # the scraper would then show on the page: unregister it at once.
    import matplotlib.pyplot as plt

    plt.close(copy)
    # Lay the copy out as the page shows it, then freeze the positions: a layout
    # engine would spread the one panel left over the whole figure at saving.
    copy.canvas.draw()
    copy.set_layout_engine("none")
    target = _telling_axes(copy)
    if target is None:
        return False
    for ax in copy.axes:
        ax.set_visible(ax is target)
    for text in [*copy.texts, *getattr(copy, "legends", [])]:
        text.set_visible(False)
    if getattr(copy, "_suptitle", None) is not None:
        copy._suptitle.set_visible(False)
    target.set_title("")
    target.set_title("", loc="left")
    target.set_title("", loc="right")
    target.set_xlabel("")
    target.set_ylabel("")
    target.tick_params(which="both", labelbottom=False, labeltop=False, labelleft=False,
                       labelright=False, length=0)
    for text in target.texts:
        text.set_visible(False)
    if target.get_legend() is not None:
        target.get_legend().set_visible(False)
    copy.canvas.draw()
    box = target.get_window_extent().transformed(copy.dpi_scale_trans.inverted())
    if box.width <= 0 or box.height <= 0:
        return False
    dpi = max(copy.dpi, THUMBNAIL[0] / box.width, THUMBNAIL[1] / box.height)
    copy.savefig(path, dpi=dpi, bbox_inches=box, facecolor="white")
    return True


def _crop_panel(fig: Any, path: Path) -> bool:
    """Save the telling panel's box of ``fig`` as drawn (titles and tick labels lie
    outside it; text inside it stays), for a figure that cannot be copied."""
    import numpy as np

    target = _telling_axes(fig)
    if target is None:
        return False
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    box = target.get_window_extent()
    height = pixels.shape[0]
    top, bottom = max(0, int(height - box.y1)), min(height, int(np.ceil(height - box.y0)))
    left, right = max(0, int(box.x0)), min(pixels.shape[1], int(np.ceil(box.x1)))
    if right - left < 2 or bottom - top < 2:
        return False
    Image.fromarray(pixels[top:bottom, left:right]).convert("RGB").save(path, "PNG")
    return True


def panel_scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any],
                  **kwargs: Any) -> str:
    """sphinx-gallery's matplotlib scraper, saving each figure's panel beside it first."""
    import matplotlib.pyplot as plt
    from sphinx_gallery.scrapers import matplotlib_scraper

    iterator = block_vars["image_path_iterator"]
    for offset, number in enumerate(plt.get_fignums()):
        image = Path(iterator.image_path.format(len(iterator) + offset + 1))
        save_panel(plt.figure(number), image.with_suffix(PANEL_SUFFIX))
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)


def thumbnail_number(source: str, figures: int) -> int:
    """The figure (from 1) sphinx-gallery makes the thumbnail of, as the example asks.

    Examples
    --------
    >>> thumbnail_number("x = 1", 3), thumbnail_number("# sphinx_gallery_thumbnail_number = -1", 3)
    (1, 3)
    """
    import re

    match = re.search(r"^# sphinx_gallery_thumbnail_number = (-?\d+)\s*$", source, re.MULTILINE)
    wanted = int(match.group(1)) if match else 1
    return wanted if wanted > 0 else figures + 1 + wanted


def framed(image: Image.Image, size: tuple[int, int] = THUMBNAIL) -> Image.Image:
    """``image`` shrunk to fit ``size`` (never enlarged), centred on white."""
    rgb = image.convert("RGB")
    scale = min(1.0, size[0] / rgb.width, size[1] / rgb.height)
    shrunk = rgb.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
                        Image.Resampling.LANCZOS)
    frame = Image.new("RGB", size, "white")
    frame.paste(shrunk, ((size[0] - shrunk.width) // 2, (size[1] - shrunk.height) // 2))
    return frame


def quantize_thumbnail(path: Path) -> bool:
    """Rewrite one thumbnail as an optimized 256-colour PNG.

    Parameters
    ----------
    path : pathlib.Path
        A PNG file.

    Returns
    -------
    bool
        False if it already was a palette image (left untouched).
    """
    with Image.open(path) as image:
        if image.mode == "P":
            return False
        rgba = image.convert("RGBA")
    # Figures are drawn on white: flatten any transparency onto white.
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.quantize(256, method=Image.Quantize.MEDIANCUT).save(path, "PNG", optimize=True)
    return True


def panel_thumbnail(thumb: Path) -> bool:
    """Remake a thumbnail sphinx-gallery just wrote from its figure's panel, if saved.

    ``images/thumb/sphx_glr_<name>_thumb.png`` comes from the example ``<name>.py``
    beside ``images``; its figures are ``images/sphx_glr_<name>_<NNN>.png``.
    Returns False (the thumbnail unchanged) when it was remade already (a palette
    image) or the panel is missing.
    """
    with Image.open(thumb) as image:
        if image.mode == "P":
            return False
    name = thumb.name.removeprefix("sphx_glr_").removesuffix("_thumb.png")
    images = thumb.parent.parent
    source = images.parent / f"{name}.py"
    figures = sorted(images.glob(f"sphx_glr_{name}_[0-9][0-9][0-9].png"))
    if not source.is_file() or not figures:
        return False
    number = thumbnail_number(source.read_text(encoding="utf-8"), len(figures))
    panel = images / f"sphx_glr_{name}_{number:03d}{PANEL_SUFFIX}"
    if not panel.is_file():
        return False
    with Image.open(panel) as image:
        framed(image, Image.open(thumb).size).save(thumb, "PNG")
    return True


def quantize_gallery_thumbnails(app: Any) -> None:
    """Remake each new thumbnail from its panel, then quantize it."""
    conf = getattr(app.config, "sphinx_gallery_conf", {}) or {}
    gallery_dirs = conf.get("gallery_dirs", [])
    if isinstance(gallery_dirs, str):
        gallery_dirs = [gallery_dirs]
    for gallery in gallery_dirs:
        for thumb in sorted((Path(app.srcdir) / gallery).glob("**/images/thumb/*.png")):
            panel_thumbnail(thumb)
            quantize_thumbnail(thumb)


def setup(app: Any) -> dict[str, Any]:
    """Connect the hook after sphinx-gallery's."""
    app.connect("builder-inited", quantize_gallery_thumbnails, priority=PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
