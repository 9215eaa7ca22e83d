"""The site on a phone and on a laptop, in light and dark theme.

* Every page at 390 and 1280 CSS pixels: on a phone the text takes the screen and
  the navigation waits behind a menu button; on a laptop the navigation stands
  beside a readable column. On the home page, a tutorial chapter, a gallery
  example and the API index the menu button is pressed and opens the navigation,
  and screenshots go beside the tested build (never into the source tree) for a
  human to review.
* At 390 px no page scrolls sideways: the content area is no wider than its
  box, and any element wider than the screen sits inside a scroll container.
* In furo's dark theme, figures stay on a light card (their own opaque light
  pixels, or a light background behind them) and explorer text keeps a WCAG
  contrast ratio of at least 4.5 with what is behind it.

Every page is opened once per width by the one pass of tests/site/sweeplib.py
(the phone in the dark theme: the layout does not depend on the colours).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from browserlib import NARROW, html_pages
from conftest import EXTRA_REPORT
from sweeplib import LAPTOP, PHONE, VIEWPORTS, At, Sweep, collect

pytestmark = [pytest.mark.site, pytest.mark.browser]

#: WCAG 2 AA minimum for normal text.
MIN_CONTRAST = 4.5


@functools.cache
def review_pages(site: Path) -> dict[str, str]:
    """One page of each kind, found in the build: name -> path."""
    pages = html_pages(site)
    chapters = [p for p in pages if p.startswith("tutorial/") and p != "tutorial/index.html"]
    examples = [p for p in pages if p.startswith("auto_examples/") and "/plot_" in p]
    assert chapters and examples, "no chapter or example page in the build"
    # The chapter with an explorer, if any, shows the most layout at once.
    with_explorer = [
        p for p in chapters if 'class="convdoc-explorer" id=' in (site / p).read_text("utf-8")
    ]
    return {
        "home": "index.html",
        "chapter": (with_explorer or chapters)[0],
        "example": examples[0],
        "api": "api.html",
    }


_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  // Not <article>: furo's headings bleed 0.5rem into its padding on purpose
  // (their highlight when linked to); .content holds the article and its padding.
  const boxes = ['.main', '.content'].map(sel => document.querySelector(sel))
    .filter(el => el && el.scrollWidth > el.clientWidth + 1)
    .map(el => `.${el.className}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.clientWidth <= width) return true;
    }
    return false;
  };
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string'
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = Array.from(document.querySelectorAll('article *'))
    .filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    })
    .filter(el => !scrolls(el))
    .map(el => `${describe(el)} (right edge ${Math.round(el.getBoundingClientRect().right)})`);
  return {
    page: document.documentElement.scrollWidth > width + 1
      ? [`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`] : [],
    boxes: boxes,
    wide: wide.slice(0, 5),
  };
}"""


# What a reader sees of the layout: the article's box, furo's navigation drawer and
# its menu button (shown on narrow screens), all relative to the window.
_LAYOUT_JS = """() => {
  const box = selector => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const shown = style.display !== 'none' && style.visibility !== 'hidden'
      && r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth;
    return {left: r.left, right: r.right, width: r.width, shown};
  };
  return {
    window: window.innerWidth,
    article: box('article'),
    nav: box('.sidebar-drawer'),
    menu: box('.mobile-header .nav-overlay-icon'),
  };
}"""


def _reviewed(path: str, site: Path) -> bool:
    return path in review_pages(site).values()


@collect(PHONE, "layout")
def _phone_layout(page: Any, at: At) -> dict[str, Any]:
    return page.evaluate(_LAYOUT_JS)


@collect(LAPTOP, "layout")
def _laptop_layout(page: Any, at: At) -> dict[str, Any]:
    return page.evaluate(_LAYOUT_JS)


def _screenshot(page: Any, at: At) -> Path:
    """A full-page screenshot beside the tested build, for a human to review."""
    folder = at.site.parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    name = {path: name for name, path in review_pages(at.site).items()}[at.path]
    target = folder / f"{name}-{at.viewport.width}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


collect(PHONE, "screenshot", pages=_reviewed)(_screenshot)
collect(LAPTOP, "screenshot", pages=_reviewed)(_screenshot)


@collect(PHONE, "menu", pages=_reviewed, acts=True)
def _press_the_menu(page: Any, at: At) -> bool:
    """Press the phone's menu button: does the navigation come in?"""
    page.click(".mobile-header .nav-overlay-icon")
    page.wait_for_timeout(400)  # furo slides the drawer in
    shown = page.evaluate(_LAYOUT_JS)["nav"]["shown"]
    page.keyboard.press("Escape")
    return shown


def test_on_a_phone_the_text_takes_the_screen_and_the_navigation_waits(sweep: Sweep) -> None:
    """The text takes the screen (less a margin); the navigation waits behind the menu button."""
    problems = []
    for at, layout in sweep.values(PHONE, "layout"):
        article, nav, menu, width = layout["article"], layout["nav"], layout["menu"], NARROW
        if article["width"] < 0.85 * width:
            problems.append(f"{at}: article only {article['width']:.0f} px wide")
        if nav["shown"]:
            problems.append(f"{at}: navigation covers the page before any tap")
        if not (menu and menu["shown"]):
            problems.append(f"{at}: no menu button for the navigation")
    assert not problems, "\n".join(problems)


def test_the_menu_button_opens_the_navigation_on_a_phone(sweep: Sweep) -> None:
    pressed = dict(sweep.values(PHONE, "menu"))
    assert {at.path for at in pressed} == set(review_pages(sweep.site).values())
    closed = [str(at) for at, opened in pressed.items() if not opened]
    assert not closed, f"the menu button does not open the navigation: {closed}"
    problems = [
        f"{record.at}: {problem}"
        for record in sweep.each(PHONE, "menu")
        for problem in record.acted_problems.get("menu", [])
    ]
    assert not problems, "\n".join(problems)


def test_on_a_laptop_the_navigation_stands_beside_a_readable_column(sweep: Sweep) -> None:
    """Navigation on the left, beside (not over) a readable column of text."""
    problems = []
    for at, layout in sweep.values(LAPTOP, "layout"):
        article, nav, menu = layout["article"], layout["nav"], layout["menu"]
        if not nav["shown"] or nav["right"] > article["left"] + 1:
            problems.append(f"{at}: navigation not beside the text: {nav}")
        if menu and menu["shown"]:
            problems.append(f"{at}: phone menu button shown on a laptop")
        if not 500 <= article["width"] <= 1000:
            problems.append(f"{at}: text column {article['width']:.0f} px wide")
    assert not problems, "\n".join(problems)


def test_screenshots_for_review_go_beside_the_build(
    sweep: Sweep, request: pytest.FixtureRequest
) -> None:
    """Screenshots of each reviewed page at each width go under the tested build's folder.

    That is the session's temporary folder, or ``docs/_build/screenshots`` for
    ``make html``'s build given as CONVDOC_SITE: never the source tree.
    """
    saved = [path for viewport in VIEWPORTS for _, path in sweep.values(viewport, "screenshot")]
    assert len(saved) == 2 * len(review_pages(sweep.site)) == 8, saved
    assert all(path.parent == sweep.site.parent / "screenshots" for path in saved), saved
    # A PNG of a whole page: the signature, and at least the window's height in pixels.
    for path in saved:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width in (NARROW, LAPTOP.width) and height >= PHONE.height - 100, (path, width)
    request.config.stash.setdefault(EXTRA_REPORT, {})["screenshots for review"] = [
        str(path) for path in saved
    ]


# Luminance and contrast as WCAG 2 defines them; the background is the first
# opaque background-color up the tree (the page's if none).
_COLOUR_JS = """
const parse = c => { const m = c.match(/[\\d.]+/g) || [0, 0, 0, 0];
  return {r: +m[0], g: +m[1], b: +m[2], a: m.length > 3 ? +m[3] : 1}; };
const lum = c => {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05); };
const backgroundOf = el => {
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c.a >= 0.99) return c;
  }
  return parse(getComputedStyle(document.documentElement).backgroundColor);
};
"""

_FIGURES_JS = (
    "async () => {"
    + _COLOUR_JS
    + """
  const out = [];
  for (const img of document.querySelectorAll('article img')) {
    img.scrollIntoView();
    if (!img.complete) await new Promise(done => img.addEventListener('load', done, {once: true}));
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const [r, g, b, a] = ctx.getImageData(1, 1, 1, 1).data;
    const corner = {r, g, b, a: a / 255};
    const behind = backgroundOf(img);
    // What the reader sees at the corner: the pixel over the background.
    const over = (top, under) => top * corner.a + under * (1 - corner.a);
    const seen = {r: over(r, behind.r), g: over(g, behind.g), b: over(b, behind.b)};
    out.push({src: img.getAttribute('src'), lum: lum(seen)});
  }
  return out;
}"""
)

_EXPLORER_TEXT_JS = (
    "() => {"
    + _COLOUR_JS
    + """
  const out = [];
  for (const root of document.querySelectorAll('.convdoc-explorer')) {
    const texts = root.querySelectorAll(
      'label, output, button, select, .cdx-caption, .cdx-formula, svg text');
    for (const el of [root, ...texts]) {
      const style = getComputedStyle(el);
      const ink = parse(el instanceof SVGElement ? style.fill : style.color);
      out.push({what: el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || ''),
                text: (el.textContent || '').trim().slice(0, 30),
                ratio: contrast(ink, backgroundOf(el))});
    }
  }
  return out;
}"""
)


def _luminance(css_colour: str) -> float:
    """WCAG relative luminance of an ``rgb(...)``/``rgba(...)`` colour."""
    channels = [float(v) for v in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [
        c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
        for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@collect(PHONE, "overflow")
def _overflow(page: Any, at: At) -> list[str]:
    overflow = page.evaluate(_OVERFLOW_JS)
    return overflow["page"] + overflow["boxes"] + overflow["wide"]


@collect(PHONE, "dark theme")
def _dark_theme(page: Any, at: At) -> dict[str, Any]:
    return {
        "theme": page.evaluate("() => document.body.dataset.theme"),
        "background": page.evaluate("() => getComputedStyle(document.body).backgroundColor"),
        "figures": page.evaluate(_FIGURES_JS),
        "texts": page.evaluate(_EXPLORER_TEXT_JS),
    }


def test_nothing_overflows_on_a_phone(sweep: Sweep) -> None:
    report = {at.path: found for at, found in sweep.values(PHONE, "overflow") if found}
    lines = [f"{path}:\n    " + "\n    ".join(found) for path, found in report.items()]
    assert not report, f"at {NARROW} px, {len(report)} pages overflow:\n" + "\n".join(lines)


def test_dark_theme_keeps_figures_and_explorers_readable(sweep: Sweep) -> None:
    problems = []
    phone_in_dark = {at.path: seen for at, seen in sweep.values(PHONE, "dark theme")}
    for path, seen in phone_in_dark.items():
        assert seen["theme"] == "dark", f"{path}: furo did not take the stored theme"
        # Guard: the checks below mean nothing unless the page really is dark.
        assert _luminance(seen["background"]) < 0.1, (path, seen["background"])
        problems += [
            f"{path}: figure {figure['src']} sits on a dark background "
            f"(corner luminance {figure['lum']:.2f})"
            for figure in seen["figures"]
            if figure["lum"] < 0.7
        ]
        problems += [
            f"{path}: explorer {text['what']} {text['text']!r} contrast "
            f"{text['ratio']:.2f} < {MIN_CONTRAST}"
            for text in seen["texts"]
            if text["ratio"] < MIN_CONTRAST
        ]
    figures = sum(len(seen["figures"]) for seen in phone_in_dark.values())
    texts = sum(len(seen["texts"]) for seen in phone_in_dark.values())
    assert figures > 0 and texts > 0, f"checked {figures} figures and {texts} explorer texts"
    assert not problems, f"{len(problems)} unreadable in dark mode:\n" + "\n".join(problems[:40])
