"""Every page of the built site, as a reader's browser gets it, plus search and the explorers.

Pages are found by walking the built folder, so a page added by anyone is
visited without editing this file. One chromium serves the whole module; each
page is opened in a fresh context that aborts any request leaving 127.0.0.1.

The explorers (``convdoc.explore``) are driven like a reader would: with the
step button, with the keyboard alone, and by moving each slider; what they
draw and the numbers they expose as ``data-*`` attributes are then compared
with SciPy and with :func:`convdoc.steps` / the PyTorch output-size formula.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import scipy.signal
from browserlib import (
    HOST_ONLY_PAGES,
    IMAGES_JS,
    OPTIONAL_PAGES,
    VISIBLE_PROSE_JS,
    goto,
    html_pages,
    new_page,
    serve,
)
from conftest import DOCS, EXAMPLES

import convdoc

pytestmark = [pytest.mark.site, pytest.mark.browser]

# TeX that must never reach the reader as text: math left untypeset. The last
# alternative catches inline "$x_i$"-style math that no parser recognised.
_RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\)|\\\[|\\\]|\\frac|\\sum|\\begin\{|\\int\b|\\cdot|\\mathbf|\\mathrm"
    r"|\$[^$\s][^$\n]{0,80}[\\^_][^$\n]{0,80}\$"
)

_MATH_JS = """async () => {
  await document.fonts.ready;
  const wrappers = Array.from(document.querySelectorAll('.math'));
  return {
    untypeset: wrappers.filter(w => !w.querySelector('.katex'))
                       .map(w => w.textContent.slice(0, 60)),
    katex: document.querySelectorAll('.katex').length,
    // KaTeX's own fonts, served by the site, in use once the page has settled.
    fonts: Array.from(document.fonts)
      .filter(f => f.family.replace(/["']/g, '').startsWith('KaTeX') && f.status === 'loaded')
      .map(f => f.family),
  };
}"""


def source_of(page: str) -> Path | None:
    """The file a built page came from, found independently of the HTML."""
    stem = Path(page).with_suffix("")
    if stem.parts and stem.parts[0] == "auto_examples":
        script = EXAMPLES.joinpath(*stem.parts[1:]).with_suffix(".py")
        return script if script.is_file() else None
    for suffix in (".md", ".rst"):
        candidate = (DOCS / stem).with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def source_has_math(source: Path) -> bool:
    """Does the source write display or inline math (MyST or reST)?"""
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".md":
        # Drop code cells and fenced code first: "$" in code is not math.
        text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.MULTILINE | re.DOTALL)
        return bool(re.search(r"\$\$|\{math\}|(?<![\\$])\$[^$\s][^$\n]*\$", text))
    return bool(re.search(r":math:`|^\s*\.\. math::", text, re.MULTILINE))


@pytest.fixture(scope="module")
def pages(site: Path) -> list[str]:
    found = html_pages(site)
    # Guards against a walk that silently finds nothing to check.
    assert "index.html" in found and "search.html" in found, found[:20]
    assert any(p.startswith("tutorial/") for p in found), "no tutorial chapter in the build"
    assert any(p.startswith("auto_examples/") for p in found), "no gallery page in the build"
    return found


def check_page(page: Any) -> list[str]:
    """Images, math and raw TeX on the page currently loaded; one line per problem."""
    problems = [f"image not loaded: {src}" for src in page.evaluate(IMAGES_JS)]
    math = page.evaluate(_MATH_JS)
    problems += [f"math left untypeset: {text!r}" for text in math["untypeset"]]
    if math["katex"] and not math["fonts"]:
        problems.append(f"{math['katex']} KaTeX formulas shown without KaTeX's fonts")
    prose = page.evaluate(VISIBLE_PROSE_JS)
    problems += [f"TeX shown as text: {raw!r}" for raw in sorted(set(_RAW_TEX.findall(prose)))]
    return problems


def test_every_page_loads_cleanly(browser: Any, server: str, pages: list[str]) -> None:
    """No console error, failed or outside request, broken image or raw TeX on any page."""
    report: dict[str, list[str]] = {}
    # One tab for every page (as a reader clicking through); problems are taken per page.
    context, page, visit = new_page(browser)
    try:
        for path in pages:
            if path in HOST_ONLY_PAGES:
                continue
            goto(page, visit, server + path)
            problems = check_page(page)
            katex = page.evaluate(_MATH_JS)["katex"]
            page.wait_for_load_state("networkidle")
            problems += visit.take()
            source = source_of(path)
            if source is not None and source_has_math(source) and katex == 0:
                where = source.relative_to(DOCS.parent)
                problems.append(f"{where} has math but the page shows none")
            if problems:
                report[path] = problems
    finally:
        context.close()
    lines = [f"{path}:\n    " + "\n    ".join(found) for path, found in report.items()]
    assert not report, f"{len(report)} of {len(pages)} pages have problems:\n" + "\n".join(lines)


def test_walk_finds_every_page_sphinx_lists(site: Path, pages: list[str]) -> None:
    # Independent lists of pages: sphinx-sitemap's, plus the pages Sphinx always writes.
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    base = _base_url(site)
    listed = {loc.removeprefix(base) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    assert listed, "sitemap.xml lists no page"
    missed = sorted((listed | {"index.html", "search.html", "404.html"}) - set(pages))
    assert not missed, f"pages the walk did not visit: {missed}"
    # genindex/py-modindex are visited when Sphinx wrote them.
    assert {p for p in OPTIONAL_PAGES if (site / p).exists()} <= set(pages)


def test_search_finds_the_stride_chapter(browser: Any, server: str) -> None:
    context, page, visit = new_page(browser)
    try:
        goto(page, visit, server + "search.html?q=stride")
        page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
        # Results arrive one by one: wait until the summary says the search is over.
        page.wait_for_function(
            "() => !document.querySelector('#search-results h2')"
            "?.textContent.includes('Searching')",
            timeout=30_000,
        )
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
        )
    finally:
        context.close()
    assert not visit.problems(), visit.problems()
    assert any("tutorial/stride-and-padding" in href for href in hrefs), hrefs


def _base_url(site: Path) -> str:
    """The published address (``html_baseurl``), from the home page's canonical link."""
    home = (site / "index.html").read_text("utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    assert match, "index.html has no canonical link: html_baseurl unset?"
    return match.group(1).removesuffix("index.html")


def test_404_page_works_at_any_depth_on_the_host(browser: Any, site: Path) -> None:
    """Hosts answer any missing URL with 404.html at that URL: its styles and links must hold."""
    prefix = urlsplit(_base_url(site)).path
    with serve(site, prefix=prefix) as base:
        context, page, visit = new_page(browser)
        try:
            goto(page, visit, base + "tutorial/no/such/page.html", status=404)
            # The page itself answers 404 on purpose (and chromium logs that on
            # the console); nothing else may fail.
            failed = [f for f in visit.failed if "/no/such/page.html" not in f]
            errors = [e for e in visit.console_errors if "Failed to load resource" not in e]
            styled = page.evaluate(
                "() => Array.from(document.styleSheets).some(s => (s.href || '').includes('furo'))"
                " && getComputedStyle(document.querySelector('.sidebar-drawer') || document.body)"
                ".display !== 'inline'"
            )
            home = page.get_by_role("link", name=re.compile("home page", re.I)).first
            home.click()
            page.wait_for_load_state("load")
            landed = page.url
        finally:
            context.close()
    assert not failed, f"404 page at depth: {len(failed)} failed requests, e.g. {failed[:3]}"
    assert not errors and not visit.page_errors and not visit.outside, visit.problems()
    assert styled, "404 page served at depth is unstyled"
    assert landed == base + "index.html" or landed == base, landed


# -- explorers -------------------------------------------------------------------------


def explorer_pages(site: Path, pages: list[str]) -> list[str]:
    """Pages whose HTML holds a convdoc explorer (its root <div>, not a docstring quoting it)."""
    return [p for p in pages if _EXPLORER_ROOT.search((site / p).read_text("utf-8"))]


# The root element convdoc.explore writes: <div class="convdoc-explorer" id="convdoc-...
_EXPLORER_ROOT = re.compile(r'<div class="convdoc-explorer" id="convdoc-')

_STATE_JS = """root => ({
  step: root.getAttribute('data-step'),
  drawing: Array.from(root.querySelectorAll('svg[data-panel]')).map(s => s.innerHTML).join('\\n'),
  caption: (root.querySelector('[data-role="caption"]') || {}).textContent || '',
  shown: Array.from(root.querySelectorAll('output[data-value-of]')).map(o => o.textContent),
})"""


def _kind(root: Any) -> str:
    """The explorer's kind ("1d", "2d", "image"), from its inline JSON."""
    return json.loads(root.query_selector('script[type="application/json"]').text_content())[
        "kind"
    ]


def explorer_state(root: Any) -> dict[str, Any]:
    return root.evaluate(_STATE_JS)


@pytest.fixture(scope="module")
def explorer_visits(site: Path, pages: list[str]) -> list[str]:
    found = explorer_pages(site, pages)
    assert found, "no page shows a convdoc explorer (the tutorial embeds them)"
    return found


def test_explorers_step_button_changes_the_drawing(
    browser: Any, server: str, explorer_visits: list[str]
) -> None:
    for path in explorer_visits:
        context, page, visit = new_page(browser)
        try:
            goto(page, visit, server + path)
            roots = page.query_selector_all(".convdoc-explorer")
            assert roots, f"{path}: explorer markup but none in the DOM"
            for number, root in enumerate(roots):
                where = f"{path} explorer #{number}"
                if _kind(root) == "image":
                    continue  # the image playground has no steps (test_explore_playground.py)
                root.scroll_into_view_if_needed()
                assert root.get_attribute("data-ready") == "true", f"{where}: script never ran"
                before = explorer_state(root)
                count = 1 + int(root.query_selector('[data-control="step"]').get_attribute("max"))
                assert count > 1, f"{where}: a single step leaves nothing to explore"
                root.query_selector('[data-action="next"]').click()
                after = explorer_state(root)
                # The button wraps from the last step to the first.
                assert int(after["step"]) == (int(before["step"]) + 1) % count, (where, after)
                assert after["drawing"] != before["drawing"], f"{where}: drawing unchanged"
                assert after["caption"] != before["caption"], f"{where}: caption unchanged"
                root.query_selector('[data-action="prev"]').click()
                assert explorer_state(root) == before, f"{where}: back button is not the inverse"
                # Play animates the steps until pressed again.
                play = root.query_selector('[data-action="play"]')
                play.click()
                assert play.get_attribute("aria-pressed") == "true", where
                page.wait_for_function(
                    "([r, s]) => r.getAttribute('data-step') !== s",
                    arg=[root, before["step"]],
                    timeout=10_000,
                )
                play.click()
                assert play.get_attribute("aria-pressed") == "false", where
                paused = explorer_state(root)["step"]
                page.wait_for_timeout(400)  # three ticks of the 120 ms timer
                assert explorer_state(root)["step"] == paused, f"{where}: pause did not stop it"
        finally:
            context.close()
        assert not visit.problems(), (path, visit.problems())


def test_explorers_every_slider_moves_with_the_keyboard(
    browser: Any, server: str, explorer_visits: list[str]
) -> None:
    for path in explorer_visits:
        context, page, visit = new_page(browser)
        try:
            goto(page, visit, server + path)
            for number, root in enumerate(page.query_selector_all(".convdoc-explorer")):
                for slider in root.query_selector_all('input[type="range"]'):
                    name = slider.get_attribute("data-control")
                    where = f"{path} explorer #{number} slider {name!r}"
                    if slider.is_disabled():
                        continue
                    value, high = slider.evaluate("s => [Number(s.value), Number(s.max)]")
                    key = "ArrowRight" if value < high else "ArrowLeft"
                    before = explorer_state(root)
                    slider.focus()
                    page.keyboard.press(key)
                    after = explorer_state(root)
                    moved = slider.evaluate("s => Number(s.value)")
                    assert moved != value, f"{where}: {key} did not move it"
                    assert after["drawing"] != before["drawing"], f"{where}: drawing unchanged"
                    assert after["shown"] != before["shown"] or name == "step", where
                    shown = root.query_selector(f'output[data-value-of="{name}"]')
                    if shown is not None and name != "sigma":
                        assert shown.text_content() == str(int(moved)), where
                    # Put it back so the next slider starts from the page's settings.
                    page.keyboard.press("ArrowLeft" if key == "ArrowRight" else "ArrowRight")
        finally:
            context.close()
        assert not visit.problems(), (path, visit.problems())


def test_explorers_work_from_the_keyboard_alone(
    browser: Any, server: str, explorer_visits: list[str]
) -> None:
    """Tab from the top of the page reaches the first explorer's step slider, then its button."""
    path = explorer_visits[0]
    context, page, visit = new_page(browser)
    try:
        goto(page, visit, server + path)
        root = page.query_selector(".convdoc-explorer")
        target_id = root.query_selector('[data-control="step"]').get_attribute("id")
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        for _ in range(400):
            page.keyboard.press("Tab")
            focused = page.evaluate("() => document.activeElement && document.activeElement.id")
            if focused == target_id:
                break
        else:
            pytest.fail(f"{path}: 400 Tabs never reached the step slider #{target_id}")
        visible = page.evaluate(
            "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
            " return r.width > 0 && r.height > 0 && getComputedStyle(e).outlineStyle !== 'none'; }"
        )
        assert visible, f"{path}: focused slider shows no focus outline"
        start = explorer_state(root)
        page.keyboard.press("ArrowRight")
        moved = explorer_state(root)
        assert int(moved["step"]) == int(start["step"]) + 1, (start["step"], moved["step"])
        # The step buttons come next in focus order; Enter presses a button.
        for _ in range(10):
            page.keyboard.press("Tab")
            action = page.evaluate("() => document.activeElement.getAttribute('data-action')")
            if action == "next":
                break
        else:
            pytest.fail(f"{path}: Tab never reached the 'Step ▶' button after the slider")
        page.keyboard.press("Enter")
        pressed = explorer_state(root)
        assert int(pressed["step"]) == int(moved["step"]) + 1
        assert pressed["drawing"] != moved["drawing"]
    finally:
        context.close()
    assert not visit.problems(), visit.problems()


_READ_1D_JS = """root => {
  const c = n => root.querySelector('[data-control="' + n + '"]');
  const panel = n => root.querySelector('svg[data-panel="' + n + '"]');
  return {
    kernel: c('kernel').value, mode: c('mode').value, size: Number(c('size').value),
    sigma: Number(c('sigma').value), step: Number(root.getAttribute('data-step')),
    operation: root.getAttribute('data-operation'),
    boundary: root.getAttribute('data-boundary') || 'constant',
    signal: JSON.parse(panel('input').getAttribute('data-signal')),
    window: panel('input').getAttribute('data-window').split(',').map(Number),
    taps: JSON.parse(panel('kernel').getAttribute('data-taps')),
    products: JSON.parse(panel('kernel').getAttribute('data-products')),
    output: JSON.parse(panel('output').getAttribute('data-output')),
    center: Number(panel('output').getAttribute('data-center')),
  };
}"""

_READ_2D_JS = """root => {
  const c = n => root.querySelector('[data-control="' + n + '"]');
  const svg = root.querySelector('svg[data-panel="grid"]');
  const ints = a => (svg.getAttribute(a) || '').split(',').filter(s => s !== '').map(Number);
  return {
    n: Number(c('input').value), k: Number(c('ksize').value), p: Number(c('padding').value),
    s: Number(c('stride').value), d: Number(c('dilation').value),
    transposed: c('transposed').checked, a: Number(c('outpad').value),
    step: Number(root.getAttribute('data-step')),
    out: Number(root.getAttribute('data-output-size')),
    rows: ints('data-window-rows'), cols: ints('data-window-cols'),
    inRows: ints('data-input-rows'), inCols: ints('data-input-cols'),
  };
}"""


def _check_1d(shown: dict[str, Any]) -> None:
    x = np.asarray(shown["signal"], dtype=float)
    size = shown["size"]
    # The kernels' definitions, written out here rather than taken from convdoc.
    if shown["kernel"] == "gaussian":
        t = np.arange(size) - (size - 1) / 2
        kernel = np.exp(-(t**2) / (2 * shown["sigma"] ** 2))
        kernel /= kernel.sum()
    elif shown["kernel"] == "ramp":
        kernel = np.arange(1, size + 1) / (size * (size + 1) / 2)  # taps 1..size, sum 1
    else:
        kernel = np.full(size, 1 / size)
    operation = shown["operation"]
    oracle = scipy.signal.correlate if operation == "correlate" else scipy.signal.convolve
    # The boundary rule extends x as numpy.pad does; full output over the extended
    # signal, then SciPy's "same" window ((K - 1) // 2 trimmed in front) or "valid".
    full = oracle(np.pad(x, size - 1, mode=shown["boundary"]), kernel, mode="valid")
    expected = {
        "full": full,
        "same": full[(size - 1) // 2 : (size - 1) // 2 + x.size],
        "valid": oracle(x, kernel, mode="valid"),
    }[shown["mode"]]
    np.testing.assert_allclose(shown["output"], expected, atol=1e-12)
    applied = kernel if operation == "correlate" else kernel[::-1]
    np.testing.assert_allclose(shown["taps"], applied, atol=1e-15)
    step = convdoc.steps(
        x, kernel, operation=operation, mode=shown["mode"], boundary=shown["boundary"]
    )[shown["step"]]
    assert shown["window"] == [int(step.input_index[0][0]), int(step.input_index[0][-1])]
    assert shown["center"] == pytest.approx(step.center[0])
    np.testing.assert_allclose(shown["products"], step.products, atol=1e-12)


def _check_2d(shown: dict[str, Any]) -> None:
    n, k, p, s, d = (shown[key] for key in ("n", "k", "p", "s", "d"))
    if shown["transposed"]:
        # The sliders set the direct convolution; transposed maps its output size m back.
        m, a = (n + 2 * p - d * (k - 1) - 1) // s + 1, shown["a"]
        expected = (m - 1) * s - 2 * p + d * (k - 1) + a + 1
        trace = convdoc.steps(
            np.ones((m, m)), np.ones((k, k)), operation="conv_transpose",
            stride=s, padding=p, dilation=d, output_padding=a,
        )  # fmt: skip
    else:
        expected = (n + 2 * p - d * (k - 1) - 1) // s + 1
        trace = convdoc.steps(
            np.ones((n, n)), np.ones((k, k)), operation="conv", stride=s, padding=p, dilation=d
        )
    assert shown["out"] == expected
    step = trace[shown["step"]]
    assert shown["rows"] == step.window[0].tolist() and shown["cols"] == step.window[1].tolist()
    assert shown["inRows"] == step.input_index[0].tolist()
    assert shown["inCols"] == step.input_index[1].tolist()


_CHECKS = {"1d": (_READ_1D_JS, _check_1d), "2d": (_READ_2D_JS, _check_2d)}


def test_explorers_show_what_convdoc_computes(
    browser: Any, server: str, explorer_visits: list[str]
) -> None:
    """The numbers an explorer exposes at several steps agree with SciPy and the steps contract."""
    checked = 0
    for path in explorer_visits:
        context, page, visit = new_page(browser)
        try:
            goto(page, visit, server + path)
            for root in page.query_selector_all(".convdoc-explorer"):
                kind = _kind(root)
                if kind == "image":
                    continue  # checked pixel by pixel in tests/test_explore_playground.py
                reader, check = _CHECKS[kind]
                last = int(root.query_selector('[data-control="step"]').get_attribute("max"))
                for target in sorted({0, 1, last // 2, last}):
                    root.query_selector('[data-control="step"]').evaluate(
                        "(s, v) => { s.value = String(v);"
                        " s.dispatchEvent(new Event('input', {bubbles: true})); }",
                        target,
                    )
                    shown = root.evaluate(reader)
                    assert shown["step"] == target, (path, target, shown["step"])
                    check(shown)
                    checked += 1
        finally:
            context.close()
        assert not visit.problems(), (path, visit.problems())
    assert checked > 0
