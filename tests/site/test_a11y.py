"""Accessibility and metadata of the built pages, checked statically on the HTML.

* Every image in the content says what it shows in its ``alt`` text (not a
  file name, not sphinx-gallery's name-derived default). Gallery thumbnails
  may be decorative (``alt=""``) because their card carries the example's
  title as link text; a screen reader would otherwise hear it twice.
* A chapter that draws a figure shows it.
* Every page has a ``<title>`` and a ``<meta name="description">``.
* Headings in the content nest without skipping a level, under one ``<h1>``.
* The stepped diagrams never mark the kernel window by colour alone: it has a
  dark outline and a hatch (checked on the figures convdoc.plot draws).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from browserlib import html_pages
from bs4 import BeautifulSoup, Tag
from conftest import DOCS
from sitelib import page_soup

import convdoc

# sphinx-gallery's alt text when a figure has no title: the image file name
# without "sphx_glr_" and its "_001" counter, "-", "_" and "," as spaces.
_GALLERY_NAME = re.compile(r"^sphx_glr_(.+?)(?:_\d{3}|_thumb)$")
_FILE_LIKE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp)$|^[./]*_images/|^[0-9a-f]{32,}", re.I)
# Cells that draw a matplotlib figure.
_DRAWS = re.compile(r"\bplt\.(?:subplots|figure|imshow|plot)\(|\bstep_figure\(|\bfilmstrip\(")


def _soup(site: Path, page: str) -> BeautifulSoup:
    return page_soup(site / page)


def _content(soup: BeautifulSoup) -> Tag:
    """The page's own content: furo's <article>, else the whole body."""
    return soup.find("article") or soup.body or soup


def default_gallery_alt(src: str) -> str | None:
    """The alt text sphinx-gallery would derive from an image's file name, if it is one of its."""
    match = _GALLERY_NAME.match(Path(src).stem)
    return re.sub(r"[-_,]", " ", match.group(1)) if match else None


def alt_problem(img: Tag) -> str | None:
    """Why an image's alt text fails to describe it, or None if it is fine."""
    alt = img.get("alt")
    src = img.get("src", "")
    thumb = img.find_parent(class_="sphx-glr-thumbcontainer")
    if alt == "" and thumb is not None:
        link = thumb.find("a")
        if link is not None and link.get_text(strip=True):
            return None  # decorative: the card's link text names the example
        return "thumbnail with empty alt and no titled link"
    if alt is None or not alt.strip():
        return "no alt text"
    normal = " ".join(alt.lower().split())
    if _FILE_LIKE.search(normal):
        return f"alt is a file name: {alt!r}"
    if normal == default_gallery_alt(src):
        return f"alt is sphinx-gallery's name-derived default {alt!r}: give the figure a title"
    if "$" in alt:
        # matplotlib's mathtext source ($a_i b_j$) copied from a title: a screen
        # reader spells out the dollars and underscores.
        return f"alt holds raw TeX markup {alt!r}: title the figure in plain words"
    if len(normal.split()) < 2:
        return f"alt too terse to say what the image shows: {alt!r}"
    return None


@pytest.mark.site
def test_every_content_image_has_descriptive_alt_text(site: Path) -> None:
    problems = []
    seen = 0
    for page in html_pages(site):
        for img in _content(_soup(site, page)).find_all("img"):
            if "toggler" in (img.get("class") or []):
                continue  # Sphinx's +/- button on the module index: a control, not content
            seen += 1
            problem = alt_problem(img)
            if problem:
                problems.append(f"{page}: {img.get('src')}: {problem}")
    assert seen > 0, "no image in any page: nothing was checked"
    assert not problems, f"{len(problems)} images without useful alt text:\n" + "\n".join(problems)


def test_alt_checker_rejects_file_names_and_defaults() -> None:
    def img(html: str) -> Tag:
        return BeautifulSoup(html, "html.parser").find("img")

    assert alt_problem(img('<img src="a.png">')) == "no alt text"
    assert "file name" in alt_problem(img('<img alt="../_images/ab12.png" src="x.png">'))
    default = '<img alt="plot sawtooth gaussian" src="sphx_glr_plot_sawtooth_gaussian_001.png">'
    assert "default" in alt_problem(img(default))
    good = '<img alt="Valid output 40 covers inputs 40-60" src="sphx_glr_plot_x_001.png">'
    assert alt_problem(img(good)) is None
    card = '<div class="sphx-glr-thumbcontainer"><img alt="" src="t"><a href="x">Title</a></div>'
    assert alt_problem(img(card)) is None
    assert alt_problem(img(card.replace("Title", ""))) is not None


def test_alt_checker_rejects_raw_tex() -> None:
    def img(html: str) -> Tag:
        return BeautifulSoup(html, "html.parser").find("img")

    tex = '<img alt="Polynomial product: the table of $a_i b_j$" src="sphx_glr_plot_p_001.png">'
    assert "TeX" in alt_problem(img(tex))
    plain = '<img alt="Polynomial product: the table of aᵢ·bⱼ" src="sphx_glr_plot_p_001.png">'
    assert alt_problem(img(plain)) is None


@pytest.mark.site
def test_chapters_that_draw_figures_show_them(site: Path) -> None:
    missing = []
    for source in sorted((DOCS / "tutorial").glob("*.md")):
        page = site / "tutorial" / f"{source.stem}.html"
        if not page.is_file() or not _DRAWS.search(source.read_text(encoding="utf-8")):
            continue
        if not _content(_soup(site, page.relative_to(site).as_posix())).find("img"):
            missing.append(page.relative_to(site).as_posix())
    assert not missing, (
        f"chapters whose code draws figures but whose pages show none: {missing} "
        "(a kernel started with MPLBACKEND=Agg draws nothing inline; stale jupyter cache?)"
    )


@pytest.mark.site
def test_every_page_has_a_title_and_a_description(site: Path) -> None:
    problems = []
    for page in html_pages(site):
        soup = _soup(site, page)
        title = soup.find("title")
        if title is None or not title.get_text(strip=True):
            problems.append(f"{page}: no <title>")
        meta = soup.find_all("meta", attrs={"name": "description"})
        if len(meta) != 1:
            problems.append(f"{page}: {len(meta)} <meta name=description> (want 1)")
            continue
        content = meta[0].get("content", "").strip()
        if not 20 <= len(content) <= 200:
            problems.append(f"{page}: description of {len(content)} characters: {content!r}")
        if re.search(r"</?[a-z]|\\[a-z]+\{|\$", content):
            problems.append(f"{page}: markup or TeX in the description: {content!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.site
def test_descriptions_differ_between_content_pages(site: Path) -> None:
    by_text: dict[str, list[str]] = {}
    for page in html_pages(site):
        if page.startswith(("tutorial/", "auto_examples/")) and not page.endswith("index.html"):
            meta = _soup(site, page).find("meta", attrs={"name": "description"})
            if meta is not None:
                by_text.setdefault(meta.get("content", ""), []).append(page)
    shared = {text: pages for text, pages in by_text.items() if len(pages) > 1}
    assert not shared, f"pages sharing one description: {shared}"


def heading_problems(levels: list[int]) -> list[str]:
    """Problems in a sequence of heading levels (1 for <h1>, ...) in document order."""
    if not levels:
        return []
    problems = []
    if levels[0] != 1:
        problems.append(f"first heading is h{levels[0]}, not h1")
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings")
    problems += [
        f"h{a} followed by h{b}" for a, b in itertools.pairwise(levels) if b > a + 1
    ]
    return problems


def test_heading_checker() -> None:
    assert heading_problems([1, 2, 3, 2, 3, 3, 2]) == []
    assert heading_problems([1, 3]) == ["h1 followed by h3"]
    assert heading_problems([2, 3]) == ["first heading is h2, not h1", "0 h1 headings"]


@pytest.mark.site
def test_headings_nest_without_skipping_levels(site: Path) -> None:
    problems = []
    pages_with_headings = 0
    for page in html_pages(site):
        content = _content(_soup(site, page))
        levels = [int(h.name[1]) for h in content.find_all(re.compile(r"^h[1-6]$"))]
        pages_with_headings += bool(levels)
        problems += [f"{page}: {p}" for p in heading_problems(levels)]
    assert pages_with_headings > 10
    assert not problems, "\n".join(problems)


# -- the stepped diagrams: colour is never the only cue ------------------------------------


def _relative_luminance(rgba: tuple[float, ...]) -> float:
    # Composite over the white figure background, then WCAG luminance.
    r, g, b, a = rgba
    channels = [c * a + (1 - a) for c in (r, g, b)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _assert_not_colour_only(patch: object, what: str) -> None:
    # WCAG 1.4.11: graphical objects need 3:1 against what is next to them.
    edge, face = patch.get_edgecolor(), patch.get_facecolor()
    assert patch.get_linewidth() >= 1.0, f"{what}: outline {patch.get_linewidth()} pt is too thin"
    assert _contrast(edge, (1, 1, 1, 1)) >= 3, f"{what}: outline too light on white: {edge}"
    if patch.get_fill():
        assert patch.get_hatch(), f"{what}: filled by colour alone (no hatch)"
        assert _contrast(edge, face) >= 3, f"{what}: outline does not stand out from its fill"


def test_1d_window_has_outline_and_hatch_at_the_right_place() -> None:
    pytest.importorskip("matplotlib")
    from convdoc.plot import StepFigure1D

    trace = convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0))
    figure = StepFigure1D(trace, 40)
    try:
        window = figure.panels.window_patch
        _assert_not_colour_only(window, "1-D window")
        # Contract: valid step n covers inputs n .. n+20, drawn ±half a sample.
        assert window.get_x() == pytest.approx(40 - 0.5)
        assert window.get_width() == pytest.approx(21)
        figure.update(100)
        assert window.get_x() == pytest.approx(100 - 0.5)
    finally:
        figure.close()


def test_2d_window_has_outline_and_hatched_taps_at_the_right_place() -> None:
    pytest.importorskip("matplotlib")
    from convdoc.plot import GridFigure2D

    image = np.arange(25.0).reshape(5, 5)
    trace = convdoc.steps(image, np.ones((3, 3)), operation="conv", padding=1, stride=2, dilation=1)
    figure = GridFigure2D(trace, 4)
    try:
        grid = figure.grid
        for patch in grid.tap_patches:
            _assert_not_colour_only(patch, "2-D tap cell")
        _assert_not_colour_only(grid.window_outline, "2-D window outline")
        _assert_not_colour_only(grid.current_outline, "2-D current output outline")
        # Step 4 of a 3x3 output is output (1, 1): stride 2 puts the window on
        # padded-grid rows and columns 2..4 (hand-worked: 1 * 2 + 0..2).
        corners = {(round(p.get_x()), round(p.get_y())) for p in grid.tap_patches}
        assert corners == {(c, r) for r in (2, 3, 4) for c in (2, 3, 4)}
        outline = grid.window_outline
        assert (outline.get_x(), outline.get_y()) == (2, 2)
        assert (outline.get_width(), outline.get_height()) == (3, 3)
    finally:
        figure.close()
