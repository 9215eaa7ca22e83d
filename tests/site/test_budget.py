"""Every page stays light: at most 1.5 MB on a cold load, everything included.

The weight of a page is the sum of the sizes on disk (uncompressed) of the
HTML file and of everything it makes the browser fetch: stylesheets, scripts,
images, iframes, and the fonts and images the stylesheets name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WEIGHT_REPORT
from sitelib import page_weight

pytestmark = pytest.mark.site

BUDGET = 1_500_000  # bytes


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_within_budget(site: Path, request: pytest.FixtureRequest) -> None:
    weights = [page_weight(page, site) for page in _pages(site)]
    request.config.stash[WEIGHT_REPORT] = [
        (w.total, str(w.page.relative_to(site.resolve()))) for w in weights
    ]
    over = [
        f"{w.page.relative_to(site.resolve())}: {w.total / 1e6:.2f} MB "
        f"(largest: {max(w.files, key=w.files.get).name})"
        for w in weights
        if w.total > BUDGET
    ]
    assert not over, f"pages over {BUDGET / 1e6} MB:\n" + "\n".join(over)


def test_weight_counts_what_a_page_loads(site: Path) -> None:
    # The measurement itself: the home page must count its own HTML, its
    # stylesheet (the theme's and KaTeX's, combined by docs/_ext/page_assets.py)
    # and the KaTeX fonts that stylesheet names, so a zero or near-zero total
    # would mean the parser stopped seeing references.
    weight = page_weight(site / "index.html", site)
    names = {path.name for path in weight.files}
    assert "index.html" in names
    assert any(name.endswith(".css") for name in names), names
    assert any(name.startswith("KaTeX_") and name.endswith(".woff2") for name in names), names
    assert not weight.missing, weight.missing
    assert weight.total > (site / "index.html").stat().st_size


def test_sources_are_not_copied(site: Path) -> None:
    # html_copy_source = False: the .md/.rst sources are not served twice.
    # (Sphinx still creates the empty _sources directory.)
    copied = [path for path in (site / "_sources").rglob("*") if path.is_file()]
    assert not copied, copied


def test_gallery_thumbnails_are_palette_images(site: Path) -> None:
    # docs/_ext/thumbnails.py: 256-colour thumbnails keep the home page and the
    # gallery index, which show them all, within budget.
    from PIL import Image

    thumbs = sorted((site / "_images").glob("sphx_glr_*_thumb.png"))
    assert thumbs, "no gallery thumbnails in _images/"
    modes = {thumb.name: Image.open(thumb).mode for thumb in thumbs}
    assert all(mode == "P" for mode in modes.values()), modes
