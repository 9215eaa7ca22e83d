"""What a page loads: only the stylesheets it uses; images sized, lazy, compressed.

The oracles are independent of docs/_ext/page_assets.py: chromium says which
rules of each loaded stylesheet match an element of the page, Pillow reads each
image file's size, and the budgets are numbers of bytes (never times).
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browserlib import goto, html_pages, new_page
from bs4 import BeautifulSoup
from lighthouselib import GALLERY_PAGES, page_types
from sitelib import css_loads, page_soup

pytestmark = pytest.mark.site

# For each stylesheet text: how many of its style rules match at least one
# element of the page. Pseudo-elements and states (:hover, ::before, ...) are
# stripped from a selector before matching; a selector chromium cannot match even
# then counts as not matching.
USED_RULES_JS = r"""texts => {
  const pseudoElements = new RegExp('::?(before|after|placeholder|selection|marker|first-line'
    + '|first-letter|backdrop|-webkit-[a-z-]+|-moz-[a-z-]+)\\b(\\([^)]*\\))?', 'g');
  const states = new RegExp(':(hover|focus|focus-visible|focus-within|active|visited|checked'
    + '|target|disabled|enabled|link|indeterminate|invalid|valid|empty|placeholder-shown'
    + '|default|required|optional|read-only|read-write)\\b', 'g');
  const strip = s => s.replace(pseudoElements, '').replace(states, '').trim() || '*';
  return texts.map(text => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    let total = 0, used = 0;
    const walk = rules => {
      for (const rule of rules) {
        if (rule.cssRules && !rule.selectorText) { walk(rule.cssRules); continue; }
        if (!rule.selectorText) continue;
        total += 1;
        const hit = rule.selectorText.split(',').some(sel => {
          try { return document.querySelector(strip(sel)) !== null; } catch (e) { return false; }
        });
        if (hit) used += 1;
      }
    };
    walk(sheet.cssRules);
    return [total, used];
  });
}"""


def _linked(site: Path, page: str) -> list[Path]:
    """The stylesheet files a page links to, in order."""
    soup = page_soup(site / page)
    base = posixpath.dirname(page)
    return [
        site / posixpath.normpath(posixpath.join(base, urlsplit(link["href"]).path))
        for link in soup.select('link[rel="stylesheet"]')
    ]


def stylesheet_parts(site: Path, page: str) -> list[str]:
    """The stylesheets a page loads, below ``_static``, a combined one read as its parts.

    A combined stylesheet (``_static/bundles/page-*.css``) is listed in the
    bundles' ``manifest.json`` with the files it joins.
    """
    manifest_path = site / "_static" / "bundles" / "manifest.json"
    manifest = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    parts = []
    for path in _linked(site, page):
        relative = path.relative_to(site / "_static").as_posix()
        if relative.startswith("bundles/"):
            parts += manifest[path.name]
        else:
            parts.append(relative)
    return parts


@pytest.mark.browser
def test_every_stylesheet_a_page_loads_styles_something_on_it(
    browser: Any, server: str, site: Path
) -> None:
    unused: list[str] = []
    context, page, visit = new_page(browser, width=412, height=823)
    try:
        for path in page_types():
            parts = stylesheet_parts(site, path)
            texts = [
                (site / "_static" / part.split("?")[0]).read_text(encoding="utf-8")
                for part in parts
            ]
            goto(page, visit, server + path)
            for part, (total, used) in zip(parts, page.evaluate(USED_RULES_JS, texts), strict=True):
                # The site's own two small files hold rules for every page (some
                # pages need none of them); every other file must be used.
                if total and not used and not part.startswith("convdoc"):
                    unused.append(f"{path}: {part} ({total} rules, none matches)")
    finally:
        context.close()
    assert not visit.problems(), visit.problems()
    assert not unused, unused


def test_chapters_load_no_gallery_css_and_gallery_pages_no_notebook_css(site: Path) -> None:
    pages = page_types()
    chapters = [p for p in pages if p.startswith("tutorial/") and p != "tutorial/index.html"]
    gallery = [p for p in pages if p.startswith("auto_examples/")]
    assert chapters and gallery
    for page in chapters:
        parts = stylesheet_parts(site, page)
        assert any(p.startswith("mystnb") for p in parts), (page, parts)
        assert not [p for p in parts if p.startswith("sg_")], (page, parts)
    for page in gallery:
        parts = stylesheet_parts(site, page)
        assert "sg_gallery.css" in parts, (page, parts)
        assert not [p for p in parts if p.startswith("mystnb")], (page, parts)
    # The API page has neither notebook cells nor gallery blocks, nor math.
    parts = stylesheet_parts(site, "api.html")
    assert not [p for p in parts if p.startswith(("sg_", "mystnb", "katex"))], parts


def test_stylesheets_are_combined_and_their_urls_resolve(site: Path) -> None:
    for page in page_types():
        linked = _linked(site, page)
        # One render-blocking request for the page's own selection (was 14).
        assert len(linked) == 1, (page, linked)
        for path in linked:
            # What the browser fetches (of a font's formats, the first: woff2).
            for ref in css_loads(path.read_text(encoding="utf-8")):
                if ref.startswith(("data:", "#")):
                    continue
                assert not ref.startswith(("http:", "https:", "//")), (path.name, ref)
                target = (path.parent / urlsplit(ref).path).resolve()
                assert target.is_file(), f"{path.name}: url({ref}) points nowhere"


#: Render-blocking CSS budget per page, uncompressed (was 216 KiB on every page).
CSS_BUDGET = 160 * 1024


def test_stylesheets_within_budget(site: Path) -> None:
    over = []
    for page in page_types():
        total = sum(path.stat().st_size for path in _linked(site, page))
        if total > CSS_BUDGET:
            over.append(f"{page}: {total / 1024:.0f} KiB")
    assert not over, over


def _images(site: Path, page: str) -> list[tuple[Any, Path]]:
    soup = page_soup(site / page)
    found = []
    for img in soup.select("img"):
        src = urlsplit(img.get("src", "")).path
        if not src or img.get("src", "").startswith("data:"):
            continue
        found.append((img, site / posixpath.normpath(posixpath.join(posixpath.dirname(page), src))))
    return found


def test_images_have_their_file_size_and_load_lazily_after_the_first(site: Path) -> None:
    from PIL import Image

    problems, checked = [], 0
    for page in html_pages(site):
        for number, (img, path) in enumerate(_images(site, page)):
            lazy = img.get("loading") == "lazy"
            if lazy != (number > 0):
                loading = img.get("loading")
                problems.append(f"{page}: image {number} ({path.name}) loading={loading}")
            if "_images" not in path.parts:  # figures; not the theme's icons
                continue
            with Image.open(path) as image:
                size = image.size
            checked += 1
            given = (img.get("width"), img.get("height"))
            if given != (str(size[0]), str(size[1])):
                problems.append(f"{page}: {path.name} width/height {given}, file is {size}")
    assert checked > 50, checked
    assert not problems, problems[:20]


#: Bytes per pixel a figure as shown may take: a 256-colour PNG of a plot takes
#: well under 0.3, a photograph as WebP 0.1 to 0.35 (fine noise costs most); as
#: full-colour PNGs the same take 0.5 to 1 (the kernel gallery's figures were 0.6).
BYTES_PER_PIXEL = 0.4
#: Files this small are not worth the rule.
SMALL = 20_000
#: The heavy gallery pages' images together (the kernel gallery's were 530 KiB).
HEAVY_PAGE_IMAGES = 200 * 1024


def test_figures_are_compressed(site: Path) -> None:
    from PIL import Image

    heavy, shown = [], set()
    for page in html_pages(site):
        for _, path in _images(site, page):
            if "_images" in path.parts and path.stat().st_size > SMALL:
                shown.add(path)
    assert len(shown) > 30, len(shown)
    for path in sorted(shown):
        with Image.open(path) as image:
            pixels = image.width * image.height
        if path.stat().st_size > BYTES_PER_PIXEL * pixels:
            heavy.append(f"{path.name}: {path.stat().st_size / pixels:.2f} bytes per pixel")
    assert not heavy, heavy
    for page in GALLERY_PAGES:
        total = sum(path.stat().st_size for _, path in _images(site, page))
        assert total <= HEAVY_PAGE_IMAGES, f"{page}: images {total / 1024:.0f} KiB"


def test_kernel_gallery_figures_link_to_their_full_size(site: Path) -> None:
    from PIL import Image

    page = "auto_examples/images/plot_kernel_gallery.html"
    soup = page_soup(site / page)
    figures = soup.select("img.sphx-glr-multi-img, img.sphx-glr-single-img")
    assert len(figures) >= 2
    for img in figures:
        link = img.find_parent("a")
        assert link is not None, f"{img['src']} is not a link"
        # The link opens the full-size PNG; the page may show a lighter copy (WebP).
        full = urlsplit(link["href"]).path
        assert full.endswith(".png")
        assert Path(full).stem == Path(urlsplit(img["src"]).path).stem
        path = site / posixpath.normpath(posixpath.join(posixpath.dirname(page), full))
        with Image.open(path) as image:
            assert image.width >= 800  # detail worth opening on its own


def test_every_page_says_its_language(site: Path) -> None:
    missing = []
    for page in html_pages(site):
        soup = page_soup(site / page)
        if soup.html is None or soup.html.get("lang") != "en":
            missing.append(page)
    assert not missing, missing


# -- the extension's pieces, without a build -------------------------------------


def _page_assets() -> Any:
    import importlib
    import sys

    from conftest import DOCS

    if str(DOCS / "_ext") not in sys.path:
        sys.path.insert(0, str(DOCS / "_ext"))
    return importlib.import_module("page_assets")


def test_page_assets_examples_run() -> None:
    import doctest

    import lighthouselib

    for module in (_page_assets(), lighthouselib):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_image_tags_with_angle_brackets_in_alt_text_keep_their_attributes() -> None:
    # sphinx-gallery writes alt text such as "max_pool2d -> 50 x 42" unescaped.
    out = _page_assets().size_images(
        '<p><img alt="x -> y" src="a.png" class="k"/> and <img src="b.png"></p>',
        lambda src: {"a.png": (900, 390), "b.png": (30, 20)}[src],
    )
    soup = BeautifulSoup(out, "html.parser")
    first, second = soup.select("img")
    assert (first["alt"], first["width"], first["height"]) == ("x -> y", "900", "390")
    assert first.get("loading") is None and second["loading"] == "lazy"
    assert (second["width"], second["height"]) == ("30", "20")
    # 900 px is wider than the column: a link to the file itself; 30 px is not.
    assert first.parent.name == "a" and first.parent["href"] == "a.png"
    assert second.parent.name == "p"


def test_only_repeated_inline_blocks_are_dropped() -> None:
    drop = _page_assets().drop_repeated_inline
    body = (
        "<style>s{}</style><script>go()</script>"
        '<script type="application/json">{"a":1}</script>'
        "<style>s{}</style><script>go()</script><script>other()</script>"
        '<script type="application/json">{"a":1}</script>'
    )
    assert drop(body) == (
        "<style>s{}</style><script>go()</script>"
        '<script type="application/json">{"a":1}</script>'
        "<script>other()</script>"
        '<script type="application/json">{"a":1}</script>'
    )


def test_a_page_keeps_the_files_its_markup_needs() -> None:
    needed = _page_assets().needed
    gallery = '<div class="sphx-glr-thumbcontainer">'
    cell = '<div class="cell docutils container">'
    assert needed("sg_gallery.css?v=1", gallery) and not needed("sg_gallery.css", cell)
    assert needed("mystnb.0123456789abcdef0123.css", cell)
    assert not needed("mystnb.0123456789abcdef0123.css", gallery)
    assert not needed("katex/katex.min.css", cell)
    assert needed("katex/katex.min.css", '<span class="katex">')
    # Files it does not know (the theme's, ours) always stay.
    assert needed("styles/furo.css", "") and needed("convdoc.css", "")


def test_every_explorer_keeps_its_own_fold_on_a_page_with_several() -> None:
    from convdoc.explore import Explorer1D, Explorer2D

    drop = _page_assets().drop_repeated_inline
    page = drop(Explorer2D()._repr_html_() + "<p>text</p>" + Explorer2D()._repr_html_()
                + Explorer1D()._repr_html_())
    # Each explorer's settings are folded on phones by a script naming that explorer,
    # so none of them is taken for a repeat; the shared 2-D script is kept once.
    ids = re.findall(r'<div class="convdoc-explorer" id="([^"]+)"', page)
    assert len(ids) == 3
    for root_id in ids:
        assert page.count(f'document.getElementById("{root_id}")') == 1
    assert page.count("function init2d(") == 1
