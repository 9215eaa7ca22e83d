"""The explorers in a real browser: what the page computes equals convdoc's results.

Debian's chromium driven by Playwright loads a standalone page holding the
explorers' ``_repr_html_`` from a local http.server, moves the controls (the
keyboard and by setting values), reads the numbers the script wrote into the
DOM and compares them with :func:`convdoc.convolve`, :func:`convdoc.steps`
and :func:`convdoc.output_size`. Skipped when /usr/bin/chromium is missing
(``apt-get install chromium``), except under CI where that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import convdoc
from convdoc.explore import Explorer1D, Explorer2D

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)", pytrace=False)
    pytest.skip(reason)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("explorers")
    # Two 1-D explorers: the shared script must initialise each exactly once.
    body = "".join([Explorer1D()._repr_html_(), Explorer2D()._repr_html_(),
                    Explorer1D(signal="impulse")._repr_html_(),
                    Explorer1D(kernel="ramp", size=4, mode="same", operation="correlate",
                               boundary="reflect", length=60, period=20)._repr_html_()])
    (root / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>explorers</title>"
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} not found: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    pg = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    pg.goto(server)
    yield pg
    assert errors == []
    assert outside == []
    pg.close()


def _set(root, name: str, value) -> None:
    root.locator(f'[data-control="{name}"]').evaluate(
        "(el, v) => { el.value = String(v);"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
        value,
    )


def _select(root, name: str, value: str) -> None:
    root.locator(f'[data-control="{name}"]').select_option(value)


def _read1d(root) -> dict:
    inp = root.locator('[data-panel="input"]')
    ker = root.locator('[data-panel="kernel"]')
    out = root.locator('[data-panel="output"]')
    start, end = (int(v) for v in inp.get_attribute("data-window").split(","))
    return {
        "step": int(root.get_attribute("data-step")),
        "window": (start, end),
        "signal": np.array(json.loads(inp.get_attribute("data-signal"))),
        "taps": np.array(json.loads(ker.get_attribute("data-taps"))),
        "values": np.array(json.loads(ker.get_attribute("data-values"))),
        "operation": root.get_attribute("data-operation"),
        "boundary": root.get_attribute("data-boundary"),
        "mode": root.get_attribute("data-mode"),
        "products": np.array(json.loads(ker.get_attribute("data-products"))),
        "output": np.array(json.loads(out.get_attribute("data-output"))),
        "count": int(out.get_attribute("data-partial-count")),
        "center": float(out.get_attribute("data-center")),
        "caption": root.locator('[data-role="caption"]').inner_text(),
        "valuetext": root.locator('[data-control="step"]').get_attribute("aria-valuetext"),
    }


def _check1d(shown: dict, signal: np.ndarray, kernel: np.ndarray, mode: str, n: int,
             operation: str = "convolve", boundary: str = "constant") -> None:
    assert_array_equal(shown["signal"], signal)
    assert (shown["operation"], shown["boundary"], shown["mode"]) == (operation, boundary, mode)
    fast = convdoc.convolve if operation == "convolve" else convdoc.correlate
    assert_allclose(shown["output"], fast(signal, kernel, mode, boundary=boundary),
                    rtol=0, atol=1e-12)
    trace = convdoc.steps(signal, kernel, operation=operation, mode=mode, boundary=boundary)
    assert_allclose(shown["output"], trace.output, rtol=0, atol=1e-12)
    step = trace[n]
    assert_allclose(shown["values"], step.values, rtol=0, atol=0)
    assert shown["step"] == n
    assert shown["window"] == (step.input_index[0][0], step.input_index[0][-1])
    assert shown["center"] == pytest.approx(step.center[0])
    assert shown["count"] == n + 1
    assert_allclose(shown["taps"], step.taps, atol=1e-15)
    assert_allclose(shown["products"], step.products, atol=1e-12)
    assert f"output {n} " in shown["caption"]
    assert shown["valuetext"] == f"output {n} of {len(trace)}"


def test_1d_defaults_match_convdoc(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _check1d(_read1d(root), convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0),
             "valid", 0)


def test_1d_keyboard_moves_the_step(page):
    root = page.locator(".convdoc-explorer").nth(0)
    slider = root.locator('[data-control="step"]')
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _check1d(_read1d(root), convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0),
             "valid", 5)
    page.keyboard.press("End")
    _check1d(_read1d(root), convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0),
             "valid", 179)


@pytest.mark.parametrize(
    ("signal", "kernel", "size", "sigma", "mode", "step"),
    [
        ("sawtooth", "gaussian", 11, 1.3, "full", 7),
        ("square", "box", 9, 3.0, "same", 0),
        ("square", "box", 9, 3.0, "same", 199),
        ("noisy-sine", "gaussian", 51, 10.0, "valid", 100),
        ("step", "gaussian", 3, 0.1, "full", 201),
        ("impulse", "box", 1, 3.0, "same", 100),
    ],
)
def test_1d_settings_match_convdoc(page, signal, kernel, size, sigma, mode, step):
    root = page.locator(".convdoc-explorer").nth(0)
    _select(root, "signal", signal)
    _select(root, "kernel", kernel)
    _select(root, "mode", mode)
    _set(root, "size", size)
    _set(root, "sigma", sigma)
    _set(root, "step", step)
    x = {
        "sawtooth": convdoc.sawtooth(200, 50),
        "square": convdoc.square_wave(200, 50),
        "noisy-sine": convdoc.noisy_sine(200, 50, seed=0),
        "step": convdoc.unit_step(200),
        "impulse": convdoc.impulse(200),
    }[signal]
    k = convdoc.gaussian_kernel(size, sigma) if kernel == "gaussian" else convdoc.box_kernel(size)
    _check1d(_read1d(root), x, k, mode, step)
    assert root.locator('[data-control="sigma"]').is_disabled() == (kernel == "box")


def _ramp(size: int) -> np.ndarray:
    # Hand-written oracle for the explorer's asymmetric kernel: taps 1..size over their sum.
    taps = np.arange(1.0, size + 1)
    return taps / taps.sum()


@pytest.mark.parametrize(
    ("operation", "boundary", "mode", "kernel", "size", "step"),
    [
        ("convolve", "constant", "same", "ramp", 4, 0),
        ("correlate", "constant", "same", "ramp", 4, 0),
        ("correlate", "constant", "full", "ramp", 5, 202),
        ("convolve", "edge", "full", "ramp", 6, 0),
        ("correlate", "edge", "same", "gaussian", 8, 199),
        ("convolve", "reflect", "same", "ramp", 7, 2),
        ("correlate", "reflect", "full", "ramp", 10, 3),
        ("convolve", "symmetric", "same", "ramp", 10, 198),
        ("correlate", "symmetric", "full", "box", 3, 1),
        ("convolve", "wrap", "full", "ramp", 51, 0),
        ("correlate", "wrap", "same", "ramp", 2, 199),
        ("correlate", "wrap", "valid", "ramp", 9, 5),
        ("convolve", "reflect", "valid", "ramp", 12, 100),
    ],
)
def test_1d_operation_and_boundary_match_convdoc(page, operation, boundary, mode, kernel, size,
                                                 step):
    root = page.locator(".convdoc-explorer").nth(0)
    _select(root, "signal", "sawtooth")
    _select(root, "kernel", kernel)
    _select(root, "operation", operation)
    # The boundary select is disabled in valid mode: choose it in full mode first.
    _select(root, "mode", "full")
    _select(root, "boundary", boundary)
    _select(root, "mode", mode)
    _set(root, "size", size)
    _set(root, "step", step)
    x = convdoc.sawtooth(200, 50)
    k = {"ramp": _ramp(size), "box": convdoc.box_kernel(size),
         "gaussian": convdoc.gaussian_kernel(size, 3.0)}[kernel]
    _check1d(_read1d(root), x, k, mode, step, operation, boundary)
    assert root.locator('[data-control="boundary"]').is_disabled() == (mode == "valid")


def test_1d_ramp_flips_only_when_convolving(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _select(root, "kernel", "ramp")
    _set(root, "size", 3)
    assert_allclose(_read1d(root)["taps"], [3 / 6, 2 / 6, 1 / 6])
    _select(root, "operation", "correlate")
    assert_allclose(_read1d(root)["taps"], [1 / 6, 2 / 6, 3 / 6])


def test_1d_preset_explorer_starts_with_its_settings(page):
    root = page.locator(".convdoc-explorer").nth(3)
    _check1d(_read1d(root), convdoc.sawtooth(60, 20), _ramp(4), "same", 0, "correlate",
             "reflect")
    assert "on reflect padding" in _read1d(root)["caption"]


def test_1d_step_clamps_when_the_output_shrinks(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _set(root, "step", 179)
    _set(root, "size", 51)  # valid output shrinks to 150 samples
    shown = _read1d(root)
    assert shown["step"] == 149 == len(shown["output"]) - 1


def test_1d_buttons_step_once_each_and_every_explorer_starts(page):
    roots = page.locator(".convdoc-explorer")
    assert roots.count() == 4
    for i in range(4):
        assert roots.nth(i).get_attribute("data-ready") == "true"
        assert roots.nth(i).locator('[data-role="caption"]').inner_text() != ""
    # The script is on the page four times; a click must still move one step.
    root = roots.nth(2)
    root.locator('[data-action="next"]').click()
    root.locator('[data-action="next"]').click()
    assert _read1d(root)["step"] == 2
    root.locator('[data-action="prev"]').click()
    assert _read1d(root)["step"] == 1
    assert _read1d(roots.nth(0))["step"] == 0  # the others did not move
    play = root.locator('[data-action="play"]')
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    page.wait_for_function(
        "el => parseInt(el.getAttribute('data-step'), 10) > 2", arg=root.element_handle()
    )
    play.click()
    assert play.get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize(("index", "panels"), [(0, 3), (1, 1)])
def test_save_svg_downloads_a_standalone_file(page, index, panels):
    root = page.locator(".convdoc-explorer").nth(index)
    _set(root, "step", 4)
    with page.expect_download() as info:
        root.locator('[data-action="save"]').click()
    download = info.value
    assert download.suggested_filename.endswith("-step-4.svg")
    svg = ET.parse(download.path()).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg"
    nested = svg.findall(f"{ns}svg")
    assert len(nested) == panels
    # Styles are inlined: the file does not depend on the page's stylesheet.
    styled = [e for e in svg.iter() if "stroke" in (e.get("style") or "")]
    assert styled
    texts = ["".join(t.itertext()) for t in svg.findall(f"{ns}text")]
    assert root.locator('[data-role="caption"]').inner_text() in texts


def _read2d(root) -> dict:
    svg = root.locator('[data-panel="grid"]')

    def ints(name):
        text = svg.get_attribute(name)
        return [int(v) for v in text.split(",")] if text else []

    return {
        "size": int(root.get_attribute("data-output-size")),
        "rows": ints("data-window-rows"),
        "cols": ints("data-window-cols"),
        "in_rows": ints("data-input-rows"),
        "in_cols": ints("data-input-cols"),
        "formula": root.locator('[data-role="formula"]').inner_text(),
    }


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "d", "transposed", "step"),
    [
        (5, 3, 0, 1, 1, False, 4),
        (5, 3, 1, 2, 1, False, 8),
        (6, 3, 1, 2, 1, False, 5),
        (7, 3, 0, 1, 2, False, 7),
        (5, 4, 2, 3, 1, False, 3),
        (5, 3, 0, 1, 1, True, 10),
        (3, 3, 1, 2, 1, True, 12),
        (4, 2, 0, 3, 2, True, 40),
        (4, 3, 4, 2, 1, True, 0),  # padding beyond d*(k-1): the grid is cropped
    ],
)
def test_2d_settings_match_convdoc(page, n, k, p, s, d, transposed, step):
    root = page.locator(".convdoc-explorer").nth(1)
    for name, value in (("input", n), ("ksize", k), ("padding", p), ("stride", s),
                        ("dilation", d)):
        _set(root, name, value)
    checkbox = root.locator('[data-control="transposed"]')
    checkbox.set_checked(transposed)
    _set(root, "step", step)
    shown = _read2d(root)
    x, w = np.ones((n, n)), np.ones((k, k))
    if transposed:
        size = convdoc.transposed_output_size(n, k, stride=s, padding=p, dilation=d)
        trace = convdoc.steps(x, w, operation="conv_transpose", stride=s, padding=p, dilation=d)
    else:
        size = convdoc.output_size(n, k, stride=s, padding=p, dilation=d)
        trace = convdoc.steps(x, w, operation="conv", stride=s, padding=p, dilation=d)
    assert shown["size"] == size
    assert trace.output.shape == (size, size)
    st = trace[step]
    assert shown["rows"] == st.window[0].tolist()
    assert shown["cols"] == st.window[1].tolist()
    assert shown["in_rows"] == st.input_index[0].tolist()
    assert shown["in_cols"] == st.input_index[1].tolist()
    assert shown["formula"].endswith(f"= {size}")
    valuetext = root.locator('[data-control="step"]').get_attribute("aria-valuetext")
    i, j = st.out_index
    assert valuetext == f"output ({i}, {j}) of {size}×{size}"


def test_2d_no_output_when_the_kernel_does_not_fit(page):
    root = page.locator(".convdoc-explorer").nth(1)
    for name, value in (("input", 2), ("ksize", 5), ("padding", 0), ("dilation", 3)):
        _set(root, name, value)
    shown = _read2d(root)
    assert shown["size"] == 0 and shown["rows"] == []
    with pytest.raises(ValueError):
        convdoc.output_size(2, 5, dilation=3)
    assert "No output" in root.locator('[data-role="caption"]').inner_text()


def test_2d_keyboard_changes_stride(page):
    root = page.locator(".convdoc-explorer").nth(1)
    root.locator('[data-control="stride"]').focus()
    page.keyboard.press("ArrowRight")
    shown = _read2d(root)
    assert shown["size"] == convdoc.output_size(5, 3, stride=2)
    root.locator('[data-control="transposed"]').focus()
    page.keyboard.press("Space")
    assert _read2d(root)["size"] == convdoc.transposed_output_size(5, 3, stride=2)


def test_focus_is_visible(page):
    root = page.locator(".convdoc-explorer").nth(0)
    root.locator('[data-control="size"]').focus()
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    style = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle"
    )
    assert style not in ("", "none")


def _luminance(css_color: str) -> float:
    inner = css_color[css_color.index("(") + 1 : css_color.index(")")]
    r, g, b = (float(v) for v in inner.split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("how", ["furo-attribute", "os-preference"])
def test_dark_mode_turns_the_text_light(browser, server, how):
    pg = browser.new_page(color_scheme="dark" if how == "os-preference" else "light")
    pg.goto(server)
    if how == "furo-attribute":
        pg.evaluate("document.body.dataset.theme = 'dark'")
    root = pg.locator(".convdoc-explorer").first
    fg = root.evaluate("el => getComputedStyle(el).color")
    bg = root.evaluate("el => getComputedStyle(el).backgroundColor")
    assert _luminance(fg) > 150 > _luminance(bg)
    pg.evaluate("document.body.dataset.theme = 'light'")  # furo's explicit light wins
    fg = root.evaluate("el => getComputedStyle(el).color")
    assert _luminance(fg) < 100
    pg.close()
