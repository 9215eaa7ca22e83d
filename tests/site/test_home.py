"""The home page: gallery in teaching order, named thumbnail links, an explorer that moves.

The gallery index (``auto_examples/index.html``) lists the examples in the
reading order of ``docs/_ext/gallery_order.py``, which the sidebar and the
next/previous links follow too; the home page must list them in the same order,
or a reader starting there lands mid-sequence.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browserlib import goto, new_page
from bs4 import BeautifulSoup
from readinglib import CHAPTERS
from sweeplib import LAPTOP, PHONE, At, Sweep, collect

pytestmark = pytest.mark.site


def example_links(site: Path, page: str) -> list[str]:
    """The example pages a page's gallery thumbnails link to, in page order.

    Parameters
    ----------
    site : pathlib.Path
        The built site.
    page : str
        A page, relative to the site root (POSIX).

    Returns
    -------
    list of str
        Each target relative to the site root, e.g. ``auto_examples/basics/plot_modes.html``.
    """
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    base = posixpath.dirname(page)
    links = []
    for box in soup.select(".sphx-glr-thumbcontainer"):
        anchor = box.find("a", href=True)
        assert anchor is not None, f"{page}: a thumbnail without a link"
        target = urlsplit(anchor["href"]).path
        links.append(posixpath.normpath(posixpath.join(base, target)))
    return links


def test_gallery_index_follows_the_next_links(site: Path) -> None:
    # The oracle for "teaching order" is the chain of next/previous links the
    # reader follows from the first example (section index pages in between
    # are passed through): the gallery index must agree with it.
    index = example_links(site, "auto_examples/index.html")
    chain, current = [index[0]], index[0]
    for _ in range(4 * len(index)):
        soup = BeautifulSoup((site / current).read_text(encoding="utf-8"), "html.parser")
        following = soup.select_one("a.next-page")
        if following is None or len(chain) == len(index):
            break
        current = posixpath.normpath(
            posixpath.join(posixpath.dirname(current), urlsplit(following["href"]).path)
        )
        if current.startswith("auto_examples/") and not current.endswith("index.html"):
            chain.append(current)
    assert chain == index


def _same_text(title: str) -> re.Pattern[str]:
    """The whole title, with Sphinx's curly quotes allowed for straight ones."""
    pattern = re.escape(title).replace('"', '["\u201c\u201d]').replace("'", "['\u2018\u2019]")
    return re.compile(f"^{pattern}$")


THUMBNAIL_PAGES = ("auto_examples/index.html",)


# Read in the one pass over the site (sweeplib): the accessible names of the thumbnail
# links, as Playwright computes them (as a screen reader would).
@collect(LAPTOP, "thumbnail names", pages=lambda path, site: path in THUMBNAIL_PAGES)
def _thumbnail_names(page: Any, at: At) -> dict[str, Any]:
    titles = _titles(at.site, at.path)
    boxes = page.locator(".sphx-glr-thumbcontainer")
    return {
        "titles": titles,
        "boxes": boxes.count(),
        "unnamed": [
            title
            for i, title in enumerate(titles)
            if boxes.nth(i).get_by_role("link", name=_same_text(title)).count() != 1
        ],
    }


def _titles(site: Path, path: str) -> list[str]:
    """The example titles on a gallery page's thumbnails, read from the HTML file."""
    soup = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")
    return [
        " ".join(box.select_one(".sphx-glr-thumbnail-title").get_text().split())
        for box in soup.select(".sphx-glr-thumbcontainer")
    ]


@pytest.mark.browser
@pytest.mark.parametrize("path", THUMBNAIL_PAGES)
def test_thumbnail_links_are_named_by_the_example_title(sweep: Sweep, path: str) -> None:
    seen = sweep.at(LAPTOP, path).value("thumbnail names")
    titles = seen["titles"]
    assert titles and all(titles), titles
    assert seen["boxes"] == len(titles), f"{path}: {seen['boxes']} thumbnails, {len(titles)} titles"
    assert not seen["unnamed"], (
        f"{path}: thumbnail links without the example's title as name: {seen['unnamed']}"
    )


_EXPLORER_JS = """() => {
    const box = document.querySelector('article .convdoc-explorer');
    const h2 = document.querySelector('article h2');
    return !!box && !!h2 &&
        !!(box.compareDocumentPosition(h2) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def _watch_the_explorer(page: Any) -> dict[str, Any]:
    """Is the home explorer above the first heading, and does it play on its own?"""
    explorer = page.locator("article .convdoc-explorer").first
    before_heading = page.evaluate(_EXPLORER_JS)
    explorer.scroll_into_view_if_needed()
    step = explorer.locator('[data-control="step"]').first
    first = step.input_value()
    page.wait_for_timeout(1500)
    return {
        "before_heading": before_heading,
        "autoplay": explorer.get_attribute("data-autoplay"),
        "playing": explorer.get_attribute("data-playing"),
        "moved": step.input_value() != first,
    }


# The sweep asks for reduced motion, as the reader below does; read before anything
# presses the explorer's buttons.
@collect(LAPTOP, "home explorer", pages=lambda path, site: path == "index.html")
def _home_explorer(page: Any, at: At) -> dict[str, Any]:
    return _watch_the_explorer(page)


@pytest.mark.browser
def test_home_page_opens_with_an_explorer_that_plays(browser: Any, server: str) -> None:
    # Motion allowed: a page load of its own (the one pass asks for reduced motion).
    context, page, visit = new_page(browser, reduced_motion=False)
    try:
        goto(page, visit, server + "index.html")
        state = _watch_the_explorer(page)
    finally:
        context.close()
    assert not visit.problems(), visit.problems()
    assert state == {"before_heading": True, "autoplay": "on", "playing": "true", "moved": True}


@pytest.mark.browser
def test_home_explorer_stands_still_for_reduced_motion(sweep: Sweep) -> None:
    state = sweep.at(LAPTOP, "index.html").value("home explorer")
    assert state == {"before_heading": True, "autoplay": "off", "playing": "false", "moved": False}


# -- thumbnails ----------------------------------------------------------------

_THUMB_NUMBER = re.compile(r"^# sphinx_gallery_thumbnail_number = (-?\d+)\s*$", re.MULTILINE)


def _grey(image: Any, scale: float = 1.0) -> Any:
    """An image as a grey float array in [0, 1], resized by ``scale``."""
    import numpy as np
    from PIL import Image

    grey = image.convert("L")
    if scale != 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=float) / 255.0


def _content(thumb: Any) -> Any:
    """The thumbnail without its white frame."""
    import numpy as np

    dark = np.asarray(thumb.convert("L")) < 250
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    return thumb.crop((cols[0], rows[0], cols[-1] + 1, rows[-1] + 1))


def _ncc_peak(image: Any, template: Any) -> float:
    """The best normalized cross-correlation of ``template`` at any place inside ``image``."""
    import numpy as np

    big_h, big_w = image.shape
    h, w = template.shape
    if h > big_h or w > big_w:
        return -1.0
    t = template - template.mean()
    norm = float(np.sqrt((t**2).sum()))
    if norm == 0.0:
        return -1.0
    shape = (big_h + h, big_w + w)
    corr = np.fft.irfft2(np.fft.rfft2(image, shape) * np.fft.rfft2(t[::-1, ::-1], shape), shape)
    corr = corr[h - 1 : big_h, w - 1 : big_w]

    def window_sums(a: Any) -> Any:
        c = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        return c[h:, w:] - c[:-h, w:] - c[h:, :-w] + c[:-h, :-w]

    sums, squares = window_sums(image), window_sums(image**2)
    variance = squares - sums**2 / (h * w)
    ncc = np.where(variance > 1e-3 * h * w, corr / (norm * np.sqrt(np.maximum(variance, 1e-12))),
                   -1.0)
    return float(ncc.max())


def _match(thumb: Any, figure: Any) -> tuple[float, float]:
    """How well the thumbnail's content matches a part of ``figure``, and at what scale.

    The content, at a third of its size, is searched in the figure shrunk by each
    of a range of scales; returns the best correlation and the thumbnail's scale
    relative to the figure where it was found.
    """
    import numpy as np

    template = _grey(_content(thumb), 1 / 3)
    best = (-1.0, 0.0)
    for scale in np.geomspace(0.2, 1.8, 22):
        peak = _ncc_peak(_grey(figure, scale / 3), template)
        best = max(best, (peak, float(scale)))
    return best


def test_each_thumbnail_is_a_panel_of_the_figure_its_example_picks(site: Path) -> None:
    # An example names the figure that tells its story with
    # sphinx_gallery_thumbnail_number (default: the first); the thumbnail shows one
    # panel of it, larger than the whole figure shrunk to fit would be. Oracle: the
    # thumbnail's picture, searched by normalized cross-correlation over positions
    # and scales, is found in that figure (as well as in any other of the example's
    # figures, up to near-copies such as the same grid drawn twice), and for most
    # examples at a scale well above the whole-figure fit.
    from conftest import example_sources
    from PIL import Image

    checked, wrong, zoomed = 0, [], 0
    for example in example_sources():
        figures = sorted((site / "_images").glob(f"sphx_glr_{example.stem}_[0-9][0-9][0-9].png"))
        thumb_path = site / "_images" / f"sphx_glr_{example.stem}_thumb.png"
        if not figures or not thumb_path.is_file():
            continue
        match = _THUMB_NUMBER.search(example.read_text(encoding="utf-8"))
        wanted = int(match.group(1)) if match else 1
        wanted = wanted if wanted > 0 else len(figures) + 1 + wanted
        thumb = Image.open(thumb_path).convert("RGB")
        matches = [_match(thumb, Image.open(f).convert("RGB")) for f in figures]
        best = max(peak for peak, _ in matches)
        figure = Image.open(figures[wanted - 1])
        whole = min(thumb.width / figure.width, thumb.height / figure.height)
        peak, scale = matches[wanted - 1]
        checked += 1
        zoomed += scale >= 1.2 * whole
        if peak < best and peak < max(0.45, best - 0.25):
            wrong.append(f"{example.name}: wants figure {wanted}; correlations "
                         f"{[round(m[0], 2) for m in matches]}")
    assert checked >= 20, "too few examples with thumbnails found"
    assert not wrong, wrong
    assert zoomed >= 0.6 * checked, f"only {zoomed} of {checked} thumbnails show a panel enlarged"


def test_tutorial_index_promises_explorers_every_chapter_has(site: Path) -> None:
    # The tutorial index tells the reader each chapter has an explorer; each must
    # hold controls (inputs or selects) in its article, not just figures.
    index = BeautifulSoup((site / "tutorial" / "index.html").read_text(encoding="utf-8"),
                          "html.parser")
    assert "at least one explorer" in " ".join(index.select_one("article").get_text().split())
    for chapter in CHAPTERS:
        soup = BeautifulSoup((site / "tutorial" / f"{chapter}.html").read_text(encoding="utf-8"),
                             "html.parser")
        article = soup.select_one("article")
        controls = article.select("input[type=range], input[type=checkbox], select")
        assert controls, f"{chapter} has no explorer control"


def test_sidebar_lists_the_examples_in_the_gallery_index_order(site: Path) -> None:
    # furo's sidebar holds the whole navigation tree on every page: its example
    # links, read on the gallery index and on an example page, must come in the
    # order of the gallery index's thumbnails.
    index = example_links(site, "auto_examples/index.html")
    for page in ("auto_examples/index.html", "auto_examples/images/plot_kernel_gallery.html",
                 "index.html"):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        listed = []
        for anchor in soup.select(".sidebar-tree a.reference[href]"):
            path = urlsplit(anchor["href"]).path  # "" for the page itself ("#")
            target = page if not path else posixpath.normpath(
                posixpath.join(posixpath.dirname(page), path)
            )
            if target.startswith("auto_examples/") and not target.endswith("index.html"):
                listed.append(target)
        assert listed == index, page


# -- the home page's cards: the path through the material --------------------------

_CARDS_JS = """() => [...document.querySelectorAll('article .sd-card')].map(card => {
    const img = card.querySelector('img');
    const title = card.querySelector('.sd-card-title');
    const box = img ? img.getBoundingClientRect() : null;
    return {
        title: title ? title.textContent.split(/\\s+/).filter(Boolean).join(' ') : '',
        src: img ? img.currentSrc : null,
        width: img ? img.getAttribute('width') : null,
        height: img ? img.getAttribute('height') : null,
        alt: img ? img.getAttribute('alt') : null,
        natural: img ? [img.naturalWidth, img.naturalHeight] : null,
        shown: box ? [box.width, box.height] : null,
    };
})"""


def _read_cards(page: Any, at: At) -> list[dict[str, Any]]:
    cards = page.evaluate(_CARDS_JS)
    boxes = page.locator("article .sd-card")
    for i, card in enumerate(cards):
        # The link's name as a screen reader reads it (Playwright's accessible name).
        named = boxes.nth(i).get_by_role("link", name=_same_text(card["title"]))
        card["named_links"] = named.count()
    return cards


collect(LAPTOP, "home cards", pages=lambda path, site: path == "index.html")(_read_cards)
collect(PHONE, "home cards", pages=lambda path, site: path == "index.html")(_read_cards)


def _card_targets(site: Path) -> list[str]:
    """Where the home page's cards lead, in page order, relative to the site root."""
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [
        posixpath.normpath(urlsplit(card.select_one("a.sd-stretched-link")["href"]).path)
        for card in soup.select("article .sd-card")
    ]


def _heading(soup: BeautifulSoup, level: str) -> list[str]:
    return [" ".join(h.get_text().replace("\u00b6", "").split())
            for h in soup.select(f"article {level}")]


def test_home_cards_follow_the_tutorial_then_the_gallery(site: Path) -> None:
    # Oracles: the hand-kept reading order of the chapters (readinglib), and the
    # section headings of the gallery index in the order sphinx-gallery built them;
    # each gallery card leads to the section page of that title.
    gallery = BeautifulSoup((site / "auto_examples" / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
    sections = _heading(gallery, "h2")
    assert len(sections) == 5, sections
    targets = _card_targets(site)
    chapters = [f"tutorial/{chapter}.html" for chapter in CHAPTERS]
    assert targets[: len(chapters)] == chapters
    titles = []
    for target in targets[len(chapters) :]:
        assert re.fullmatch(r"auto_examples/[\w-]+/index\.html", target), target
        page = BeautifulSoup((site / target).read_text(encoding="utf-8"), "html.parser")
        titles += _heading(page, "h1")
    assert titles == sections


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=str)
def test_every_home_card_has_a_sized_named_thumbnail(sweep: Sweep, viewport: Any) -> None:
    cards = sweep.at(viewport, "index.html").value("home cards")
    assert len(cards) == len(CHAPTERS) + 5, [card["title"] for card in cards]
    for card in cards:
        where = f"{viewport.name}: card {card['title']!r}"
        assert card["title"], cards
        assert card["src"], f"{where} has no image"
        assert card["width"] and card["height"], f"{where}: image without width and height"
        assert card["alt"] and len(card["alt"].split()) >= 4, f"{where}: alt {card['alt']!r}"
        assert card["named_links"] == 1, f"{where}: no link named by the card's title"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=str)
def test_home_card_thumbnails_are_sharp_but_not_oversized(sweep: Sweep, viewport: Any) -> None:
    # At least one image pixel per CSS pixel (sharp), at most 2.5 (no wasted bytes).
    for card in sweep.at(viewport, "index.html").value("home cards"):
        (width, height), (shown_w, shown_h) = card["natural"], card["shown"]
        assert shown_w > 100 and shown_h > 40, (card["title"], card["shown"])
        for natural, shown in ((width, shown_w), (height, shown_h)):
            assert 1.0 <= natural / shown <= 2.5, (viewport.name, card["title"], natural, shown)
        # Drawn at its own proportions: no squashing.
        assert abs(width / height - shown_w / shown_h) < 0.03 * width / height, card


def _drawn_text(fig: Any) -> list[tuple[str, float]]:
    """Every string Agg draws for a figure, with its size in points (the renderer's own record)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    drawn: list[tuple[str, float]] = []
    original = renderer.draw_text

    def spy(gc: Any, x: float, y: float, s: str, prop: Any, *args: Any, **kwargs: Any) -> Any:
        if s.strip():
            drawn.append((s, prop.get_size_in_points()))
        return original(gc, x, y, s, prop, *args, **kwargs)

    renderer.draw_text = spy
    fig.draw(renderer)
    return drawn


@pytest.mark.browser
def test_home_card_thumbnails_have_no_text_too_small_to_read(sweep: Sweep) -> None:
    # Each thumbnail is drawn again and every string the renderer writes is
    # measured at the scale the browser showed it (smallest of both viewports):
    # at least MIN_PX (the readability floor of the figures, tests/test_plot_readability.py).
    import sys

    from conftest import DOCS
    from test_plot_readability import MIN_PX

    sys.path.insert(0, str(DOCS / "_ext"))
    import home_cards

    scale: dict[str, float] = {}
    for viewport in (LAPTOP, PHONE):
        for card in sweep.at(viewport, "index.html").value("home cards"):
            name = Path(urlsplit(card["src"]).path).stem
            shown = card["shown"][0] / card["natural"][0]
            scale[name] = min(scale.get(name, shown), shown)
    assert sorted(scale) == sorted(home_cards.DRAWINGS), sorted(scale)
    small, numbers = [], 0
    for name, factor in scale.items():
        fig = home_cards.draw(name)
        for text, points in _drawn_text(fig):
            numbers += 1
            px = points * fig.dpi / 72 * factor
            if px < MIN_PX:
                small.append(f"{name}: {text!r} at {px:.1f} px")
    assert numbers > 0, "no thumbnail writes any number: the check measured nothing"
    assert not small, small


# -- explorers far down a page start when they near the screen ------------------------

_READY_JS = """() => [...document.querySelectorAll('.convdoc-explorer')].map(
    root => root.getAttribute('data-ready'))"""


@pytest.mark.browser
def test_far_explorers_start_when_they_near_the_screen(browser: Any, server: str) -> None:
    # A chapter whose explorers sit below the first screen: at load they are not
    # drawn (no main-thread work at load); scrolled to, each one starts and draws.
    context, page, visit = new_page(browser, width=390, height=844)
    try:
        response = page.goto(server + "tutorial/modern-layers.html", wait_until="load")
        assert response is not None and response.status == 200
        page.wait_for_timeout(300)
        at_load = page.evaluate(_READY_JS)
        explorers = page.locator(".convdoc-explorer")
        started = []
        for i in range(explorers.count()):
            explorers.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(
                "root => root.getAttribute('data-ready') === 'true'",
                arg=explorers.nth(i).element_handle(), timeout=5000,
            )
            step = explorers.nth(i).locator('[data-control="step"]')
            started.append(step.get_attribute("max") is not None)
    finally:
        context.close()
    assert at_load and all(ready is None for ready in at_load), at_load
    assert all(started), started
    assert not visit.problems(), visit.problems()
