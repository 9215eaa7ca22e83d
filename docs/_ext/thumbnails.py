"""Shrink sphinx-gallery's thumbnails to 256-colour PNGs before Sphinx copies them.

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


def quantize_gallery_thumbnails(app: Any) -> None:
    """Quantize every thumbnail sphinx-gallery wrote under the gallery directories."""
    conf = getattr(app.config, "sphinx_gallery_conf", {}) or {}
    gallery_dirs = conf.get("gallery_dirs", [])
    if isinstance(gallery_dirs, str):
        gallery_dirs = [gallery_dirs]
    for gallery in gallery_dirs:
        for thumb in sorted((Path(app.srcdir) / gallery).glob("**/images/thumb/*.png")):
            quantize_thumbnail(thumb)


def setup(app: Any) -> dict[str, Any]:
    """Connect the hook after sphinx-gallery's."""
    app.connect("builder-inited", quantize_gallery_thumbnails, priority=PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
