"""The tutorial chapters as a reader sees them at 1280x800: pictures first, little code.

Issue 11 asks each chapter to open with a picture or an explorer within the
first screen and to keep visible code to at most 30% of its rendered height;
both are measured here in chromium on the built site. The interactive elements
of the convolution-vs-correlation and why-CNNs chapters are driven like a
reader would, and what they draw is compared with NumPy/SciPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.signal
from browserlib import goto, new_page
from conftest import EXTRA_REPORT, chapter_sources
from sweeplib import LAPTOP, At, Sweep, collect

pytestmark = [pytest.mark.site, pytest.mark.browser]

WIDTH, HEIGHT = 1280, 800
#: The top of the first picture or explorer, below the top of the article.
FIRST_PICTURE_MAX_PX = 800
#: Visible code, as a share of the article's rendered height.
CODE_SHARE_MAX = 0.30
CHAPTERS = [path.stem for path in chapter_sources()]

# Vertical extent of the article, of its first picture and of its visible code.
# Code: code-cell inputs, stream outputs, literal blocks: every <pre> and every
# cell input, merged where they overlap so nothing is counted twice.
_LAYOUT_JS = """() => {
  const article = document.querySelector('article');
  const top = el => el.getBoundingClientRect().top + window.scrollY;
  const shown = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.height > 0 && r.width > 0 && style.visibility !== 'hidden'
      && style.display !== 'none';
  };
  const pictures = Array.from(article.querySelectorAll(
    'img, .convdoc-explorer, .convdoc-shift-demo'
  )).filter(el => shown(el) && el.getBoundingClientRect().width >= 200);
  const blocks = Array.from(article.querySelectorAll('.cell_input, pre')).filter(shown)
    .map(el => { const r = el.getBoundingClientRect();
                 return [r.top + window.scrollY, r.bottom + window.scrollY]; })
    .sort((a, b) => a[0] - b[0]);
  let code = 0, end = -Infinity;
  for (const [a, b] of blocks) {
    if (a >= end) { code += b - a; end = b; }
    else if (b > end) { code += b - end; end = b; }
  }
  const box = article.getBoundingClientRect();
  return {
    articleTop: top(article),
    articleHeight: box.height,
    firstPicture: pictures.length ? top(pictures[0]) : null,
    firstKind: pictures.length ? (pictures[0].className || pictures[0].tagName) : null,
    code,
  };
}"""


def _chapter(path: str, site: object) -> bool:
    return path.startswith("tutorial/") and path.removesuffix(".html").split("/")[-1] in CHAPTERS


# Measured in the one pass over the site (sweeplib), at 1280x800, after every image loaded.
@collect(LAPTOP, "chapter layout", pages=_chapter)
def _chapter_layout(page: Any, at: At) -> dict[str, Any]:
    return page.evaluate(_LAYOUT_JS)


@pytest.fixture(scope="module")
def layouts(sweep: Sweep, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each chapter's measured layout at 1280x800, after every image has loaded."""
    assert (LAPTOP.width, LAPTOP.height) == (WIDTH, HEIGHT)
    found = {
        at.path.removesuffix(".html").split("/")[-1]: measured
        for at, measured in sweep.values(LAPTOP, "chapter layout")
    }
    report = request.config.stash.setdefault(EXTRA_REPORT, {})
    report["tutorial chapters at 1280x800 (first picture below article top, code share)"] = [
        f"{name:<28} {m['firstPicture'] - m['articleTop']:6.0f} px  "
        f"{m['code'] / m['articleHeight']:5.1%}  of {m['articleHeight']:.0f} px"
        for name, m in found.items()
        if m["firstPicture"] is not None
    ]
    return found


def test_every_chapter_is_measured(layouts: dict[str, Any]) -> None:
    assert set(layouts) == set(CHAPTERS) and len(CHAPTERS) >= 4


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_opens_with_a_picture_on_the_first_screen(
    layouts: dict[str, Any], name: str
) -> None:
    measured = layouts[name]
    assert measured["firstPicture"] is not None, f"{name} shows no picture at all"
    below = measured["firstPicture"] - measured["articleTop"]
    assert below <= FIRST_PICTURE_MAX_PX, (
        f"{name}: first picture ({measured['firstKind']}) starts {below:.0f} px below the "
        f"article's top, more than {FIRST_PICTURE_MAX_PX}"
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_visible_code_is_at_most_30_percent_of_the_chapter(
    layouts: dict[str, Any], name: str
) -> None:
    measured = layouts[name]
    share = measured["code"] / measured["articleHeight"]
    assert measured["code"] > 0, f"{name}: no visible code measured (selector broken?)"
    assert share <= CODE_SHARE_MAX, f"{name}: visible code is {share:.1%} of the page"


def test_layout_measure_counts_code_and_pictures(browser: Any) -> None:
    # The measuring script itself, on a page whose answer is known by construction.
    context, page, _ = new_page(browser, width=WIDTH, height=HEIGHT)
    try:
        page.set_content(
            "<style>body{margin:0} div,pre{margin:0;padding:0;border:0}</style><article>"
            '<div style="height:300px">prose</div>'
            '<div class="cell_input" style="height:100px"><pre style="height:100px">a</pre></div>'
            '<img style="display:block;width:300px;height:200px" src="data:image/gif;base64,'
            'R0lGODlhAQABAAAAACwAAAAAAQABAAA=">'
            '<pre style="height:400px">b</pre></article>'
        )
        measured = page.evaluate(_LAYOUT_JS)
    finally:
        context.close()
    assert measured["articleHeight"] == pytest.approx(1000)
    assert measured["code"] == pytest.approx(500)  # nested <pre> counted once
    assert measured["firstPicture"] - measured["articleTop"] == pytest.approx(400)


# -- chapter 2: the convolve/correlate switch ---------------------------------

_EXPLORER_1D_JS = """root => {
  const c = n => root.querySelector('[data-control="' + n + '"]');
  const attr = (panel, a) => JSON.parse(
    root.querySelector('svg[data-panel="' + panel + '"]').getAttribute(a));
  return {
    operation: root.getAttribute('data-operation'), signal: c('signal').value,
    kernel: c('kernel').value, size: Number(c('size').value), mode: c('mode').value,
    x: attr('input', 'data-signal'), taps: attr('kernel', 'data-taps'),
    output: attr('output', 'data-output'),
  };
}"""


def test_ch2_explorer_switches_between_convolution_and_correlation(
    browser: Any, server: str
) -> None:
    context, page, visit = new_page(browser, width=WIDTH, height=HEIGHT)
    try:
        goto(page, visit, f"{server}tutorial/convolution-vs-correlation.html")
        roots = page.locator("article .convdoc-explorer")
        assert roots.count() == 1
        root = roots.first
        operation = root.locator('select[data-control="operation"]')
        assert operation.is_visible()
        assert sorted(operation.locator("option").evaluate_all(
            "opts => opts.map(o => o.value)")) == ["convolve", "correlate"]
        shown = {}
        for op in ("convolve", "correlate"):
            operation.select_option(op)
            shown[op] = root.evaluate(_EXPLORER_1D_JS)
            assert shown[op]["operation"] == op
        assert visit.take() == []
    finally:
        context.close()

    first = shown["convolve"]
    assert first["kernel"] == "ramp" and first["signal"] == "impulse"
    size = first["size"]
    ramp = np.arange(1, size + 1) / np.arange(1, size + 1).sum()  # asymmetric on purpose
    x = np.asarray(first["x"])
    assert x.sum() == 1 and set(np.unique(x)) == {0.0, 1.0}
    conv = scipy.signal.convolve(x, ramp, mode=first["mode"])
    corr = scipy.signal.correlate(x, ramp, mode=first["mode"])
    np.testing.assert_allclose(first["output"], conv, atol=1e-12)
    np.testing.assert_allclose(shown["correlate"]["output"], corr, atol=1e-12)
    # The stamp turns around: convolution copies the ramp, correlation reverses it.
    at = int(np.argmax(x))
    lo = at - size // 2
    np.testing.assert_allclose(np.asarray(first["output"])[lo : lo + size], ramp, atol=1e-12)
    np.testing.assert_allclose(
        np.asarray(shown["correlate"]["output"])[lo : lo + size], ramp[::-1], atol=1e-12
    )
    np.testing.assert_allclose(first["taps"], ramp[::-1], atol=1e-12)
    np.testing.assert_allclose(shown["correlate"]["taps"], ramp, atol=1e-12)


# -- chapter 4: shift the input, the feature map shifts -------------------------

_SHIFT_JS = """root => {
  const values = name => JSON.parse(
    root.querySelector('[data-stems="' + name + '"]').dataset.values);
  const readout = root.querySelector('[data-role="readout"]');
  return { shift: Number(root.dataset.shift), stride: Number(root.dataset.stride),
           x: values('input'), feature: values('feature'), max: Number(readout.dataset.max),
           text: readout.textContent };
}"""


def test_ch4_shift_explorer_shows_equivariance_and_where_stride_breaks_it(
    browser: Any, server: str
) -> None:
    context, page, visit = new_page(browser, width=WIDTH, height=HEIGHT)
    states: dict[tuple[int, int], dict[str, Any]] = {}
    try:
        goto(page, visit, f"{server}tutorial/why-cnns.html")
        root = page.locator("article .convdoc-shift-demo")
        assert root.count() == 1
        slider = root.locator('input[type="range"][data-control="shift"]')
        stride = root.locator('input[type="checkbox"][data-control="stride2"]')
        assert slider.is_visible() and stride.is_visible()
        top = int(slider.get_attribute("max"))
        assert top >= 4
        for stride_on in (False, True):
            stride.set_checked(stride_on)
            for t in range(top + 1):
                slider.fill(str(t))  # fires "input", as dragging does
                state = root.evaluate(_SHIFT_JS)
                assert state["shift"] == t and state["stride"] == (2 if stride_on else 1)
                states[(state["stride"], t)] = state
        # The keyboard moves it too.
        slider.fill("0")
        slider.focus()
        page.keyboard.press("ArrowRight")
        assert root.evaluate(_SHIFT_JS)["shift"] == 1
        assert visit.take() == []
    finally:
        context.close()

    edge = np.array([-1.0, 0.0, 1.0])
    x0 = np.asarray(states[(1, 0)]["x"])
    for (s, t), state in states.items():
        x = np.asarray(state["x"])
        np.testing.assert_array_equal(x, np.roll(x0, t))  # the input really shifts
        full = scipy.signal.correlate(np.pad(x, 1), edge, mode="valid")
        oracle = full[::s]
        np.testing.assert_allclose(state["feature"], oracle, atol=1e-12)
        assert state["max"] == pytest.approx(oracle.max())
        assert f"{oracle.max():.2f}" in state["text"]
    f0 = np.asarray(states[(1, 0)]["feature"])
    for t in range(1, top + 1):
        # Stride 1: equivariant map, invariant global max.
        np.testing.assert_allclose(states[(1, t)]["feature"], np.roll(f0, t), atol=1e-12)
        assert states[(1, t)]["max"] == pytest.approx(states[(1, 0)]["max"])
    # Stride 2: an odd shift changes the pooled value the page says it changes.
    maxima = {round(states[(2, t)]["max"], 9) for t in range(top + 1)}
    assert len(maxima) > 1
    assert states[(2, 1)]["max"] != pytest.approx(states[(2, 0)]["max"])
    # ... while a shift by a whole stride moves the strided map by one sample.
    np.testing.assert_allclose(
        states[(2, 2)]["feature"], np.roll(states[(2, 0)]["feature"], 1), atol=1e-12
    )
