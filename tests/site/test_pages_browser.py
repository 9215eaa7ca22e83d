"""Every page of the built site, as a reader's browser gets it, plus the explorers.

Pages are found by walking the built folder, so a page added by anyone is
visited without editing this file. Each page is opened once per viewport by the
one pass of tests/site/sweeplib.py (the ``sweep`` fixture), in a tab that aborts
any request leaving 127.0.0.1; the collectors below record what the checks
need and the tests assert on that record, each with its own message.

The explorers (``convdoc.explore``) are driven like a reader would, in the same
pass: with the step button, with the keyboard alone, and by moving each slider;
what they draw and the numbers they expose as ``data-*`` attributes are then
compared with SciPy and with :func:`convdoc.steps` / the PyTorch output-size formula.
"""

from __future__ import annotations

import functools
import hashlib
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
    OPTIONAL_PAGES,
    VISIBLE_PROSE_JS,
    goto,
    html_pages,
    new_page,
    serve,
)
from conftest import DOCS, EXAMPLES
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sweeplib import LAPTOP, VIEWPORTS, At, Sweep, Viewport, collect

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


# -- every page, from the one pass (sweeplib) ---------------------------------------------


@collect(LAPTOP, "math")
def _math(page: Any, at: At) -> dict[str, Any]:
    return page.evaluate(_MATH_JS)


@collect(LAPTOP, "prose")
def _prose(page: Any, at: At) -> str:
    return page.evaluate(VISIBLE_PROSE_JS)


def _report(found: dict[str, list[str]], total: int, what: str) -> str:
    lines = [f"{where}:\n    " + "\n    ".join(items) for where, items in found.items()]
    return f"{len(found)} of {total} pages {what}:\n" + "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_every_page_loads_without_errors_or_outside_requests(
    sweep: Sweep, viewport: Viewport
) -> None:
    """No console error, uncaught exception, failed request or request leaving 127.0.0.1."""
    records = list(sweep.each(viewport))
    assert records, f"the sweep opened no page at {viewport}"
    found = {
        record.at.path: ([record.errors["load"]] if "load" in record.errors else [])
        + record.problems
        for record in records
    }
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, _report(found, len(records), f"have problems at {viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_every_image_loads(sweep: Sweep, viewport: Viewport) -> None:
    found = {
        str(at): [f"image not loaded: {src}" for src in failed]
        for at, failed in sweep.values(viewport, "images")
        if failed
    }
    assert not found, _report(found, len(sweep.pages), "have broken images")


def test_math_is_typeset_in_katex_fonts(sweep: Sweep) -> None:
    found = {}
    for at, math in sweep.values(LAPTOP, "math"):
        problems = [f"math left untypeset: {text!r}" for text in math["untypeset"]]
        if math["katex"] and not math["fonts"]:
            problems.append(f"{math['katex']} KaTeX formulas shown without KaTeX's fonts")
        if problems:
            found[at.path] = problems
    assert not found, _report(found, len(sweep.pages), "show math badly")


def test_no_tex_is_shown_as_text(sweep: Sweep) -> None:
    found = {
        at.path: [f"TeX shown as text: {raw!r}" for raw in sorted(set(_RAW_TEX.findall(prose)))]
        for at, prose in sweep.values(LAPTOP, "prose")
    }
    found = {path: problems for path, problems in found.items() if problems}
    assert not found, _report(found, len(sweep.pages), "show raw TeX")


def test_pages_whose_source_writes_math_show_it(sweep: Sweep) -> None:
    missing, checked = [], 0
    for at, math in sweep.values(LAPTOP, "math"):
        source = source_of(at.path)
        if source is not None and source_has_math(source):
            checked += 1
            if math["katex"] == 0:
                where = source.relative_to(DOCS.parent)
                missing.append(f"{where} has math but {at.path} shows none")
    assert checked > 0, "no page's source writes math (source_has_math broken?)"
    assert not missing, "\n".join(missing)


def test_walk_finds_every_page_sphinx_lists(site: Path, sweep: Sweep) -> None:
    pages = sweep.pages
    # Independent lists of pages: sphinx-sitemap's, plus the pages Sphinx always writes.
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    base = _base_url(site)
    listed = {loc.removeprefix(base) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    assert listed, "sitemap.xml lists no page"
    missed = sorted((listed | {"index.html", "search.html", "404.html"}) - set(pages))
    assert not missed, f"pages the walk did not visit: {missed}"
    # genindex/py-modindex are visited when Sphinx wrote them.
    assert {p for p in OPTIONAL_PAGES if (site / p).exists()} <= set(pages)
    # ... and the one pass opened each of them at every viewport.
    for viewport in VIEWPORTS:
        opened = {record.at.path for record in sweep.each(viewport)}
        assert opened == set(pages) - HOST_ONLY_PAGES, (viewport, set(pages) ^ opened)


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
            # Furo's stylesheet arrives inside the page's combined one (docs/_ext/
            # page_assets.py), so look for its rules, loaded from the site, not its name.
            styled = page.evaluate(
                "() => Array.from(document.styleSheets).some(s => (s.href || '')"
                ".startsWith(location.origin + '/') && Array.from(s.cssRules).some("
                "r => (r.selectorText || '').includes('.sidebar-drawer')))"
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


@functools.cache
def explorer_pages(site: Path) -> tuple[str, ...]:
    """Pages whose HTML holds a convdoc explorer (its root <div>, not a docstring quoting it)."""
    return tuple(
        p for p in html_pages(site) if _EXPLORER_ROOT.search((site / p).read_text("utf-8"))
    )


def _has_explorer(path: str, site: Path) -> bool:
    return path in explorer_pages(site)


def _first_explorer_page(path: str, site: Path) -> bool:
    return explorer_pages(site)[:1] == (path,)


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
    """Step, caption and shown values; the drawing as a digest (compared, never printed)."""
    state = root.evaluate(_STATE_JS)
    state["drawing"] = hashlib.sha256(state["drawing"].encode()).hexdigest()[:16]
    return state


def test_every_explorer_page_is_driven(sweep: Sweep) -> None:
    driven = {r.at.path for r in sweep.each(LAPTOP, "explorer buttons")}
    assert driven, "no page shows a convdoc explorer (the tutorial embeds them)"
    assert driven == set(explorer_pages(sweep.site))


# Tab from the top of the first explorer page: the step slider, then its button.
@collect(LAPTOP, "keyboard alone", pages=_first_explorer_page, acts=True)
def _keyboard_alone(page: Any, at: At) -> dict[str, Any]:
    root = page.query_selector(".convdoc-explorer")
    target_id = root.query_selector('[data-control="step"]').get_attribute("id")
    seen: dict[str, Any] = {"target": target_id, "tabs_to_slider": None}
    page.evaluate("() => window.scrollTo(0, 0)")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    for tabs in range(1, 401):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == target_id:
            seen["tabs_to_slider"] = tabs
            break
    else:
        return seen
    seen["outline"] = page.evaluate(
        "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
        " return r.width > 0 && r.height > 0 && getComputedStyle(e).outlineStyle !== 'none'; }"
    )
    seen["start"] = explorer_state(root)
    page.keyboard.press("ArrowRight")
    seen["moved"] = explorer_state(root)
    seen["tabs_to_next"] = None
    for tabs in range(1, 11):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('data-action')") == "next":
            seen["tabs_to_next"] = tabs
            break
    else:
        return seen
    page.keyboard.press("Enter")
    seen["pressed"] = explorer_state(root)
    return seen


def test_explorers_work_from_the_keyboard_alone(sweep: Sweep) -> None:
    """Tab from the top of the page reaches the first explorer's step slider, then its button."""
    ((at, seen),) = sweep.values(LAPTOP, "keyboard alone")
    assert seen["tabs_to_slider"], f"{at}: 400 Tabs never reached the step slider #{seen['target']}"
    assert seen["outline"], f"{at}: focused slider shows no focus outline"
    start, moved = int(seen["start"]["step"]), int(seen["moved"]["step"])
    assert moved == start + 1, f"{at}: ArrowRight on the step slider went {start} -> {moved}"
    assert seen["tabs_to_next"], f"{at}: Tab never reached the 'Step ▶' button after the slider"
    # The step buttons come next in focus order; Enter presses a button.
    pressed = seen["pressed"]
    assert int(pressed["step"]) == moved + 1, f"{at}: Enter on 'Step ▶' went {moved} -> {pressed}"
    assert pressed["drawing"] != seen["moved"]["drawing"], f"{at}: Enter left the drawing as it was"
    assert not sweep.at(LAPTOP, at.path).acted_problems["keyboard alone"]


@collect(LAPTOP, "explorer buttons", pages=_has_explorer, acts=True)
def _press_the_buttons(page: Any, at: At) -> dict[str, Any]:
    roots = page.query_selector_all(".convdoc-explorer")
    seen: dict[str, Any] = {"roots": len(roots), "explorers": []}
    for number, root in enumerate(roots):
        if _kind(root) == "image":
            continue  # the image playground has no steps (test_explore_playground.py)
        root.scroll_into_view_if_needed()
        one: dict[str, Any] = {"where": f"{at.path} explorer #{number}"}
        seen["explorers"].append(one)
        one["ready"] = root.get_attribute("data-ready")
        one["before"] = explorer_state(root)
        one["count"] = 1 + int(root.query_selector('[data-control="step"]').get_attribute("max"))
        root.query_selector('[data-action="next"]').click()
        one["next"] = explorer_state(root)
        root.query_selector('[data-action="prev"]').click()
        one["back"] = explorer_state(root)
        # Play animates the steps until pressed again.
        play = root.query_selector('[data-action="play"]')
        play.click()
        one["play pressed"] = play.get_attribute("aria-pressed")
        try:
            page.wait_for_function(
                "([r, s]) => r.getAttribute('data-step') !== s",
                arg=[root, one["before"]["step"]],
                timeout=10_000,
            )
            one["played"] = True
        except PlaywrightTimeout:
            one["played"] = False
        play.click()
        one["pause pressed"] = play.get_attribute("aria-pressed")
        paused = explorer_state(root)["step"]
        page.wait_for_timeout(400)  # three ticks of the 120 ms timer
        one["paused"] = (paused, explorer_state(root)["step"])
    return seen


def test_explorers_step_buttons_and_play_change_the_drawing(sweep: Sweep) -> None:
    problems = []
    for record in sweep.each(LAPTOP, "explorer buttons"):
        seen = record.value("explorer buttons")
        if not seen["roots"]:
            problems.append(f"{record.at.path}: explorer markup but none in the DOM")
        for one in seen["explorers"]:
            where, before, after, count = one["where"], one["before"], one["next"], one["count"]
            if one["ready"] != "true":
                problems.append(f"{where}: script never ran")
                continue
            if count <= 1:
                problems.append(f"{where}: a single step leaves nothing to explore")
            # The button wraps from the last step to the first.
            if int(after["step"]) != (int(before["step"]) + 1) % count:
                problems.append(f"{where}: 'Step ▶' went {before['step']} -> {after['step']}")
            if after["drawing"] == before["drawing"]:
                problems.append(f"{where}: drawing unchanged by 'Step ▶'")
            if after["caption"] == before["caption"]:
                problems.append(f"{where}: caption unchanged by 'Step ▶'")
            if one["back"] != before:
                problems.append(f"{where}: back button is not the inverse")
            if one["play pressed"] != "true" or not one["played"]:
                problems.append(f"{where}: Play did not animate ({one['play pressed']=})")
            if one["pause pressed"] != "false":
                problems.append(f"{where}: Play pressed again did not pause")
            if one["paused"][0] != one["paused"][1]:
                problems.append(f"{where}: pause did not stop it: {one['paused']}")
        problems += [
            f"{record.at.path}: {p}" for p in record.acted_problems.get("explorer buttons", [])
        ]
    assert not problems, "\n".join(problems)


@collect(LAPTOP, "explorer sliders", pages=_has_explorer, acts=True)
def _move_the_sliders(page: Any, at: At) -> list[dict[str, Any]]:
    moves = []
    for number, root in enumerate(page.query_selector_all(".convdoc-explorer")):
        for slider in root.query_selector_all('input[type="range"]'):
            name = slider.get_attribute("data-control")
            if slider.is_disabled():
                continue
            value, high = slider.evaluate("s => [Number(s.value), Number(s.max)]")
            key = "ArrowRight" if value < high else "ArrowLeft"
            before = explorer_state(root)
            slider.focus()
            page.keyboard.press(key)
            after = explorer_state(root)
            shown = root.query_selector(f'output[data-value-of="{name}"]')
            moves.append({
                "where": f"{at.path} explorer #{number} slider {name!r}", "name": name,
                "key": key, "value": value, "moved": slider.evaluate("s => Number(s.value)"),
                "before": before, "after": after,
                "output": None if shown is None else shown.text_content(),
            })  # fmt: skip
            # Put it back so the next slider starts from the page's settings.
            page.keyboard.press("ArrowLeft" if key == "ArrowRight" else "ArrowRight")
    return moves


def test_explorers_every_slider_moves_with_the_keyboard(sweep: Sweep) -> None:
    problems, moved = [], 0
    for record in sweep.each(LAPTOP, "explorer sliders"):
        for move in record.value("explorer sliders"):
            moved += 1
            where, before, after = move["where"], move["before"], move["after"]
            if move["moved"] == move["value"]:
                problems.append(f"{where}: {move['key']} did not move it")
            if after["drawing"] == before["drawing"]:
                problems.append(f"{where}: drawing unchanged")
            if after["shown"] == before["shown"] and move["name"] != "step":
                problems.append(f"{where}: the values shown did not change")
            if move["output"] is not None and move["name"] != "sigma":
                if move["output"] != str(int(move["moved"])):
                    problems.append(f"{where}: shows {move['output']!r}, slider at {move['moved']}")
        problems += [
            f"{record.at.path}: {p}" for p in record.acted_problems.get("explorer sliders", [])
        ]
    assert moved > 0, "no explorer slider was moved"
    assert not problems, "\n".join(problems)


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


# The numbers an explorer exposes at a few steps, read for the checks above.
@collect(LAPTOP, "explorer numbers", pages=_has_explorer, acts=True)
def _read_the_numbers(page: Any, at: At) -> list[dict[str, Any]]:
    shown = []
    for number, root in enumerate(page.query_selector_all(".convdoc-explorer")):
        kind = _kind(root)
        if kind == "image":
            continue  # checked pixel by pixel in tests/test_explore_playground.py
        reader, _ = _CHECKS[kind]
        last = int(root.query_selector('[data-control="step"]').get_attribute("max"))
        for target in sorted({0, 1, last // 2, last}):
            root.query_selector('[data-control="step"]').evaluate(
                "(s, v) => { s.value = String(v);"
                " s.dispatchEvent(new Event('input', {bubbles: true})); }",
                target,
            )
            shown.append({
                "where": f"{at.path} explorer #{number} at step {target}", "kind": kind,
                "target": target, "shown": root.evaluate(reader),
            })  # fmt: skip
    return shown


def test_explorers_show_what_convdoc_computes(sweep: Sweep) -> None:
    """The numbers an explorer exposes at several steps agree with SciPy and the steps contract."""
    checked = 0
    for record in sweep.each(LAPTOP, "explorer numbers"):
        for one in record.value("explorer numbers"):
            shown = one["shown"]
            assert shown["step"] == one["target"], (one["where"], shown["step"])
            try:
                _CHECKS[one["kind"]][1](shown)
            except AssertionError as error:
                raise AssertionError(f"{one['where']}: {error}") from error
            checked += 1
        assert not record.acted_problems.get("explorer numbers"), record.acted_problems
    assert checked > 0
