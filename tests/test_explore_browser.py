"""The explorers in a real browser: what the page computes equals convdoc's results.

Debian's chromium driven by Playwright loads a standalone page holding the
explorers' ``_repr_html_`` from a local http.server, moves the controls (the
keyboard and by setting values), reads the numbers the script wrote into the
DOM and compares them with :func:`convdoc.convolve`, :func:`convdoc.steps`
and :func:`convdoc.output_size`. Skipped when /usr/bin/chromium is missing
(``apt-get install chromium``), except under CI where that is a failure.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import convdoc
from convdoc.explore import Explorer1D, Explorer2D

pytestmark = pytest.mark.browser


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _write(root: Path, name: str, body: str) -> None:
    (root / name).write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>explorers</title>"
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("explorers")
    # Two 1-D explorers: the shared script must initialise each exactly once.
    _write(root, "index.html", "".join([
        Explorer1D()._repr_html_(), Explorer2D()._repr_html_(),
        Explorer1D(signal="impulse")._repr_html_(),
        Explorer1D(kernel="ramp", size=4, mode="same", operation="correlate",
                   boundary="reflect", length=60, period=20)._repr_html_()]))
    _write(root, "two.html", "".join([
        Explorer2D(seed=3)._repr_html_(),
        Explorer2D(input_size=6, padding=1, stride=2, transposed=True, output_padding=1,
                   in_channels=2, out_channels=2, bias=[1, -2], seed=5)._repr_html_(),
        '<div style="height:3000px"></div>',
        Explorer2D(autoplay=True)._repr_html_()]))
    httpd = _serve(root)
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


#: Where each explorer's buttons are once the page is parsed, before any explorer
#: starts (this listener is added before the page's own scripts).
_BUTTONS_AT_PARSE = """document.addEventListener('DOMContentLoaded', () => {
  window.__buttons = Array.from(document.querySelectorAll('.cdx-buttons'),
    b => b.getBoundingClientRect().top + window.scrollY); });"""


def _open(browser, url: str, **options):
    """A page that records console errors and any request leaving 127.0.0.1."""
    pg = browser.new_page(**options)
    pg.add_init_script(_BUTTONS_AT_PARSE)
    pg.errors, pg.outside = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            pg.outside.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    pg.goto(url)
    return pg


def _close(pg) -> None:
    errors, outside = pg.errors, pg.outside
    pg.close()
    assert errors == []
    assert outside == []


@pytest.fixture(scope="module")
def page(browser, server):
    # One load for all the tests of this page: each test sets every control it relies on.
    pg = _open(browser, server + "index.html")
    yield pg
    _close(pg)


@pytest.fixture(scope="module")
def page2d(browser, server):
    pg = _open(browser, server + "two.html")
    yield pg
    _close(pg)


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
        "partial": np.array(json.loads(
            root.locator('[data-panel="sum"]').get_attribute("data-partial-sums"))),
        "rows": np.array(json.loads(
            root.locator('[data-role="products"]').get_attribute("data-rows"))),
        "table": root.locator('[data-role="products"] tr').evaluate_all(
            "rows => rows.map(r => Array.from(r.children).map(c => c.textContent))"),
        "largest": root.locator('[data-role="products"] li').all_inner_texts(),
        "yticks": [int(root.locator(f'[data-panel="{p}"]').get_attribute("data-yticks"))
                   for p in ("input", "kernel", "output", "sum")],
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
    # Running sum: the products added tap by tap end at the output.
    assert_allclose(shown["partial"], np.cumsum(step.products), atol=1e-12)
    assert shown["partial"][-1] == pytest.approx(trace.output[n], abs=1e-12)
    # The numbers: input index i, x[i], kernel index m, h[m] (flipped for a convolution).
    rows = shown["rows"]
    k = len(kernel)
    assert_array_equal(rows[:, 0], step.input_index[0])
    assert_allclose(rows[:, 1], step.values, atol=0)
    m = np.arange(k)[::-1] if operation == "convolve" else np.arange(k)
    assert_array_equal(rows[:, 2], m)
    assert_allclose(rows[:, 3], kernel[m], atol=1e-15)
    assert_allclose(rows[:, 4], step.products, atol=1e-12)
    if k <= 11:
        assert shown["table"][0][0] == "input i" and len(shown["table"]) == k + 1
        for text, value in zip(shown["table"][1:], step.products, strict=True):
            assert float(text[4].replace("\u2212", "-")) == pytest.approx(value, rel=1e-3, abs=1e-9)
    else:
        largest = np.argsort(-np.abs(step.products), kind="stable")[:5]
        assert len(shown["largest"]) == 5
        shown_at = [int(t.split("]")[0][2:]) for t in shown["largest"]]
        top = sorted(np.abs(step.products))[-5:]
        assert sorted(abs(step.products[i - step.input_index[0][0]]) for i in shown_at) == \
            pytest.approx(top, abs=1e-15)
        assert len(set(shown_at)) == 5 and largest.size == 5
    assert all(count >= 2 for count in shown["yticks"])


def _defaults1d(root) -> None:
    for name, value in (("signal", "sawtooth"), ("kernel", "gaussian"), ("operation", "convolve"),
                        ("mode", "full"), ("boundary", "constant"), ("mode", "valid")):
        _select(root, name, value)
    for name, value in (("size", 21), ("sigma", 3.0), ("step", 0)):
        _set(root, name, value)


def test_1d_defaults_match_convdoc(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _defaults1d(root)
    _check1d(_read1d(root), convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0),
             "valid", 0)


def test_1d_keyboard_moves_the_step(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _defaults1d(root)
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


def test_1d_legend_names_every_mark(page):
    root = page.locator(".convdoc-explorer").nth(0)
    items = root.locator(".cdx-legend li")
    assert items.count() == 10
    # Every swatch is drawn, with the class of the mark it names.
    drawn = root.locator(".cdx-legend svg").evaluate_all(
        "keys => keys.map(k => k.firstElementChild && k.firstElementChild.getAttribute('class'))")
    assert all(drawn) and {"cdx-signal", "cdx-stem", "cdx-product", "cdx-partial"} <= set(drawn)
    for name in ("input", "kernel", "output", "sum"):
        panel = f'[data-panel="{name}"]'
        marks = root.locator(", ".join(f"{panel} .cdx-{mark}"
                                       for mark in ("signal", "tap", "output", "partial")))
        assert marks.count() > 0, name


def test_1d_ramp_flips_only_when_convolving(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _defaults1d(root)
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
    _defaults1d(root)
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
    before = _read1d(roots.nth(0))["step"]
    root.locator('[data-action="next"]').click()
    root.locator('[data-action="next"]').click()
    assert _read1d(root)["step"] == 2
    root.locator('[data-action="prev"]').click()
    assert _read1d(root)["step"] == 1
    assert _read1d(roots.nth(0))["step"] == before  # the others did not move
    play = root.locator('[data-action="play"]')
    _select(root, "speed", "50")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    page.wait_for_function(
        "el => parseInt(el.getAttribute('data-step'), 10) > 2", arg=root.element_handle()
    )
    play.click()
    assert play.get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize(("index", "panels"), [(0, 4), (1, 1)])
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

    shown = {
        "size": int(root.get_attribute("data-output-size")),
        "rows": ints("data-window-rows"),
        "cols": ints("data-window-cols"),
        "in_rows": ints("data-input-rows"),
        "in_cols": ints("data-input-cols"),
        "formula": root.locator('[data-role="formula"]').inner_text(),
        "caption": root.locator('[data-role="caption"]').inner_text(),
    }
    if shown["size"]:
        shown.update(
            step=int(root.get_attribute("data-step")),
            output=np.array(json.loads(root.get_attribute("data-output"))),
            inputs=np.array(json.loads(root.get_attribute("data-inputs"))),
            weights=np.array(json.loads(root.get_attribute("data-weights"))),
            bias=np.array(json.loads(root.get_attribute("data-bias"))),
            arithmetic=root.locator('[data-role="arithmetic"]').inner_text(),
            cells=dict(svg.locator("text[data-out]").evaluate_all(
                "els => els.map(e => [e.getAttribute('data-out'), e.textContent])")),
        )
    return shown


def _configure2d(root, n, k, p, s, d, transposed=False, a=0, mode="zeros", cin=1, cout=1,
                 bias=(0, 0)) -> None:
    root.locator('[data-control="transposed"]').set_checked(transposed)
    _select(root, "cin", str(cin))
    _select(root, "cout", str(cout))
    for name, value in (("input", n), ("ksize", k), ("padding", p), ("stride", s),
                        ("dilation", d), ("outpad", a), ("bias0", bias[0]), ("bias1", bias[1])):
        _set(root, name, value)
    if not transposed:
        _select(root, "padmode", mode)


def _cell_text(v: float) -> str:
    # The cells' rounding, written independently: integers exact, else 2 decimals.
    if float(v).is_integer():
        text = str(int(v))
    else:
        text = f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"
        text = text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text
    return text.replace("-", "\u2212")


def _parse_number(text: str) -> float:
    return float(text.replace("\u2212", "-").strip("() "))


def _terms(line: str) -> list[tuple[float, float]]:
    # "4·(−1) + 3·0 + ..." -> [(4, -1), (3, 0), ...]
    body = line.split(" = ")[-2] if line.count(" = ") > 1 else line.split(" = ")[0]
    body = body.split(": ", 1)[-1]
    return [tuple(_parse_number(x) for x in t.split("\u00b7")) for t in body.split(" + ")]


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "d", "transposed", "a", "mode", "cin", "cout", "bias", "step"),
    [
        (5, 3, 0, 1, 1, False, 0, "zeros", 1, 1, (0, 0), 4),
        (5, 3, 1, 2, 1, False, 0, "zeros", 1, 1, (2, 0), 8),
        (6, 3, 2, 1, 1, False, 0, "reflect", 1, 1, (0, 0), 30),
        (5, 3, 2, 2, 1, False, 0, "replicate", 2, 1, (0, 0), 5),
        (4, 2, 3, 3, 1, False, 0, "circular", 1, 2, (1, -1), 7),
        (7, 3, 0, 1, 2, False, 0, "zeros", 3, 2, (1, -2), 11),
        (5, 4, 2, 3, 1, False, 0, "zeros", 1, 1, (0, 0), 3),
        (5, 3, 0, 1, 1, True, 0, "zeros", 1, 1, (0, 0), 10),
        (6, 3, 1, 2, 1, True, 1, "zeros", 1, 1, (0, 0), 13),
        (6, 3, 1, 2, 1, True, 0, "zeros", 2, 2, (1, 3), 30),
        (9, 2, 0, 3, 2, True, 1, "zeros", 3, 1, (-1, 0), 40),
        (8, 3, 4, 2, 1, True, 1, "zeros", 1, 1, (0, 0), 0),  # padding beyond d(K-1): cropped
        (10, 3, 0, 1, 3, True, 2, "zeros", 1, 1, (0, 0), 17),
    ],
)
def test_2d_numbers_match_convdoc(page2d, n, k, p, s, d, transposed, a, mode, cin, cout, bias,
                                  step):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, n, k, p, s, d, transposed, a, mode, cin, cout, bias)
    _set(root, "step", step)
    shown = _read2d(root)
    x, w, b = shown["inputs"], shown["weights"], shown["bias"]
    # The displayed values are the explorer's embedded integers, cut to the sizes shown.
    direct = convdoc.output_size(n, k, stride=s, padding=p, dilation=d)
    side = direct if transposed else n
    assert_array_equal(x, Explorer2D(seed=3).inputs[:cin, :side, :side])
    assert w.shape == (cout, cin, k, k) and b.tolist() == list(bias[:cout])
    if transposed:
        size = convdoc.transposed_output_size(direct, k, stride=s, padding=p, dilation=d,
                                              output_padding=a)
        expected = convdoc.conv_transpose2d(x, w.transpose(1, 0, 2, 3), b, stride=s, padding=p,
                                            output_padding=a, dilation=d)
        traces = [convdoc.steps(x[c], w[o, c], operation="conv_transpose", stride=s, padding=p,
                                output_padding=a, dilation=d) for o in range(cout)
                  for c in range(cin)]
    else:
        size = direct
        expected = convdoc.conv2d(x, w, b, stride=s, padding=p, dilation=d, padding_mode=mode)
        traces = [convdoc.steps(x[c], w[o, c], operation="conv", stride=s, padding=p,
                                dilation=d, padding_mode=mode) for o in range(cout)
                  for c in range(cin)]
    assert shown["size"] == size and expected.shape == (cout, size, size)
    assert_allclose(shown["output"], expected, rtol=0, atol=1e-12)
    # Done cells show their values; the others are still empty.
    step = min(step, cout * size * size - 1)
    assert shown["step"] == step
    done = {f"{o},{i},{j}": expected[o, i, j] for o in range(cout) for i in range(size)
            for j in range(size) if o * size * size + i * size + j <= step}
    assert shown["cells"] == {key: _cell_text(v) for key, v in done.items()}
    # The window and the arithmetic of the current output, channel by channel.
    o, rest = divmod(step, size * size)
    i, j = divmod(rest, size)
    lines = shown["arithmetic"].splitlines()
    lines = [line for line in lines if line.strip()]
    assert _parse_number(lines[-1].rsplit(" = ", 1)[1]) == pytest.approx(expected[o, i, j])
    for c in range(cin):
        st = traces[o * cin + c][i * size + j]
        assert st.out_index == (i, j)
        assert shown["rows"] == st.window[0].tolist()
        assert shown["cols"] == st.window[1].tolist()
        assert shown["in_rows"] == st.input_index[0].tolist()
        terms = np.array(_terms(lines[c]))
        assert_array_equal(terms[:, 0], st.values.ravel())
        assert_array_equal(terms[:, 1], st.taps.ravel())
        if cin > 1:
            assert _parse_number(lines[c].rsplit(" = ", 1)[1]) == pytest.approx(st.total)
    if cin > 1 or bias[o]:
        assert lines[-1].startswith(("y[" if cout == 1 else f"y{'₀₁'[o]}[") + f"{i}, {j}] = ")
    assert shown["formula"].endswith(f"= {size}")
    valuetext = root.locator('[data-control="step"]').get_attribute("aria-valuetext")
    assert valuetext.endswith(f"output ({i}, {j}) of {size}×{size}")
    if d > 1:
        assert f"in steps of {d}" in shown["caption"]


def test_2d_transposed_maps_the_direct_output_back(page2d):
    root = page2d.locator(".convdoc-explorer").nth(1)  # preset: N=6, p=1, s=2, a=1, 2 -> 2 channels
    shown = _read2d(root)
    assert shown["size"] == 6 == convdoc.transposed_output_size(3, 3, stride=2, padding=1,
                                                                output_padding=1)
    assert "3×3 → 6×6" in shown["caption"] and "maps 6×6 → 3×3" in shown["caption"]
    assert shown["formula"].endswith("+ 1 + 1 = 6")
    outpad = root.locator('[data-control="outpad"]')
    assert outpad.get_attribute("max") == "1" and not outpad.is_disabled()
    _set(root, "outpad", 0)
    shown = _read2d(root)
    assert shown["size"] == 5
    assert "Output padding a = 1 gives back 6×6" in shown["caption"]
    expected = convdoc.conv_transpose2d(shown["inputs"], shown["weights"].transpose(1, 0, 2, 3),
                                        shown["bias"], stride=2, padding=1)
    assert_allclose(shown["output"], expected, atol=1e-12)
    assert shown["bias"].tolist() == [1, -2]
    assert root.locator('[data-control="bias1"]').is_visible()
    _select(root, "cout", "1")
    assert not root.locator('[data-control="bias1"]').is_visible()  # one bias per channel
    _select(root, "cout", "2")
    # Direct mode: the output-padding control does not apply.
    root.locator('[data-control="transposed"]').set_checked(False)
    assert outpad.is_disabled()


def test_2d_dilation_caption_names_the_steps(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 7, 3, 0, 1, 2)
    _set(root, "step", 0)
    assert "covers rows 0–4 in steps of 2, cols 0–4 in steps of 2" in _read2d(root)["caption"]


def test_2d_edit_cells_and_presets(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 5, 3, 1, 1, 1, cin=2, cout=1)
    _set(root, "step", 6)
    editor = root.locator('[data-control="cell"]')
    assert editor.is_disabled()
    root.locator('rect[data-cell="in,1,2,3"]').click()
    assert root.locator('[data-role="cell-label"]').inner_text() == "Input channel 1, row 2, col 3"
    editor.fill("9")
    root.locator('rect[data-cell="w,0,0,1,2"]').click()
    editor.fill("-3")
    shown = _read2d(root)
    assert shown["inputs"][1, 2, 3] == 9 and shown["weights"][0, 0, 1, 2] == -3
    assert_allclose(shown["output"], convdoc.conv2d(shown["inputs"], shown["weights"], padding=1),
                    atol=1e-12)
    assert root.locator('[data-control="preset"]').input_value() == "custom"
    _select(root, "preset", "sobel_x")
    shown = _read2d(root)
    assert shown["weights"].shape == (1, 2, 3, 3)
    for c in range(2):
        assert_array_equal(shown["weights"][0, c], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert_allclose(shown["output"], convdoc.conv2d(shown["inputs"], shown["weights"], padding=1),
                    atol=1e-12)
    _set(root, "ksize", 5)
    _select(root, "preset", "random")
    shown = _read2d(root)
    assert shown["weights"].shape == (1, 2, 5, 5)
    assert set(np.unique(shown["weights"])) <= {-2, -1, 0, 1, 2}
    assert len(np.unique(shown["weights"])) > 2
    before = shown["inputs"].copy()
    root.locator('[data-action="random-input"]').click()
    shown = _read2d(root)
    assert not np.array_equal(before, shown["inputs"])
    assert set(np.unique(shown["inputs"])) <= {0, 1, 2, 3, 4}
    assert_allclose(shown["output"], convdoc.conv2d(shown["inputs"], shown["weights"], padding=1),
                    atol=1e-12)
    _select(root, "preset", "gaussian_blur")  # fractions: cells round, the data stays exact
    shown = _read2d(root)
    assert_allclose(shown["output"], convdoc.conv2d(shown["inputs"], shown["weights"], padding=1),
                    atol=1e-12)
    assert_array_equal(shown["weights"][0, 0], convdoc.KERNELS2D["gaussian_blur"])


def test_2d_no_output_when_the_kernel_does_not_fit(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 2, 5, 0, 1, 3)
    shown = _read2d(root)
    assert shown["size"] == 0 and shown["rows"] == []
    with pytest.raises(ValueError):
        convdoc.output_size(2, 5, dilation=3)
    assert "No output" in shown["caption"]


def test_2d_keyboard_changes_stride(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 5, 3, 0, 1, 1)
    root.locator('[data-control="stride"]').focus()
    page2d.keyboard.press("ArrowRight")
    assert _read2d(root)["size"] == convdoc.output_size(5, 3, stride=2)
    root.locator('[data-control="transposed"]').focus()
    page2d.keyboard.press("Space")
    # Transposed maps the direct output (2) back: (2 - 1)·2 + 3 = 5, the direct input size.
    assert _read2d(root)["size"] == convdoc.transposed_output_size(2, 3, stride=2) == 5


def test_2d_speed_play_and_step_back(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 5, 3, 0, 1, 1)
    _set(root, "step", 0)
    root.locator('[data-action="prev"]').click()  # wraps to the last output
    assert _read2d(root)["step"] == 8
    _select(root, "speed", "8")
    play = root.locator('[data-action="play"]')
    play.click()
    assert root.get_attribute("data-playing") == "true"
    page2d.wait_for_function(
        "el => parseInt(el.getAttribute('data-step'), 10) >= 2", arg=root.element_handle()
    )
    play.click()
    assert root.get_attribute("data-playing") == "false"


def test_2d_autoplay_when_scrolled_into_view(page2d, browser, server):
    root = page2d.locator(".convdoc-explorer").nth(2)
    assert root.get_attribute("data-autoplay") == "on"
    assert root.get_attribute("data-playing") == "false"  # below the fold
    root.scroll_into_view_if_needed()
    page2d.wait_for_function("el => el.getAttribute('data-playing') === 'true'",
                             arg=root.element_handle())
    page2d.locator(".convdoc-explorer").nth(0).scroll_into_view_if_needed()
    page2d.wait_for_function("el => el.getAttribute('data-playing') === 'false'",
                             arg=root.element_handle())
    calm = _open(browser, server + "two.html", reduced_motion="reduce")
    root = calm.locator(".convdoc-explorer").nth(2)
    root.scroll_into_view_if_needed()
    assert root.get_attribute("data-autoplay") == "off"
    assert root.get_attribute("data-playing") == "false"
    _close(calm)


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
    pg.goto(server + "index.html")
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


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("name", ["index.html", "two.html"])
def test_explorers_readable_on_a_phone(browser, server, name):
    pg = _open(browser, server + name, viewport=PHONE)
    try:
        pg.wait_for_function("document.querySelectorAll('.convdoc-explorer:not([data-ready])')"
                             ".length === 0")
        # The settings are folded as the page is parsed, not when the explorers start:
        # folded then, they pushed the buttons and the drawing up (a layout shift).
        started = pg.evaluate("Array.from(document.querySelectorAll('.cdx-buttons'),"
                              " b => b.getBoundingClientRect().top + window.scrollY)")
        assert pg.evaluate("window.__buttons") == started
        for root in pg.locator(".convdoc-explorer").all():
            root.scroll_into_view_if_needed()
            # The settings start folded so the drawing keeps the screen.
            assert root.locator("details.cdx-settings").evaluate("d => !d.open")
            assert root.evaluate("r => r.scrollWidth <= r.clientWidth + 1")
            panels = root.locator("svg[data-panel]")
            heights = [b["height"] for b in (p.bounding_box() for p in panels.all())]
            assert sum(heights) >= 300, heights
            sizes = root.locator("svg[data-panel] text").evaluate_all(
                "ts => ts.map(t => { const r = t.getBoundingClientRect();"
                " const s = parseFloat(getComputedStyle(t).fontSize);"
                " const svg = t.ownerSVGElement.getBoundingClientRect();"
                " const vb = t.ownerSVGElement.viewBox.baseVal;"
                " return s * svg.width / (vb && vb.width ? vb.width : svg.width); })")
            assert sizes and min(sizes) >= 10, min(sizes)
            root.locator("summary").click()
            for control in root.locator("button, select, input, summary").all():
                if not control.is_visible():
                    continue
                box = control.bounding_box()
                assert box["height"] >= 24 and box["width"] >= 24, control.evaluate(
                    "e => e.outerHTML.slice(0, 80)")
            root.locator("summary").click()
    finally:
        _close(pg)


def test_wide_display_equations_show_a_scroll_cue(browser, tmp_path):
    # The site's CSS on a formula wider than a phone: a shadow marks the side with more.
    css = Path(__file__).parents[1] / "docs" / "_static" / "convdoc-responsive.css"
    (tmp_path / "style.css").write_text(css.read_text(encoding="utf-8"), encoding="utf-8")
    _write(tmp_path, "math.html",
           '<link rel="stylesheet" href="style.css"><style>body{margin:0;background:#fff}'
           "</style><div class=\"math-wrapper\" style=\"overflow-x:auto;width:100%\">"
           '<div style="width:1200px;height:60px"></div></div>')
    httpd = _serve(tmp_path)
    pg = _open(browser, f"http://127.0.0.1:{httpd.server_address[1]}/math.html",
               viewport=PHONE)
    try:
        wrapper = pg.locator(".math-wrapper")

        def edge_shades():
            shot = pg.screenshot(clip={"x": 0, "y": 0, "width": 390, "height": 60})
            pixels = pg.evaluate(
                """async src => { const img = new Image(); img.src = src; await img.decode();
                const c = document.createElement('canvas'); c.width = img.width;
                c.height = img.height; const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                const at = x => g.getImageData(x, 30, 1, 1).data[0];
                return [at(1), at(img.width - 2)]; }""",
                "data:image/png;base64," + base64.b64encode(shot).decode(),
            )
            return pixels

        left, right = edge_shades()
        assert left == 255 and right < 235  # at the start: more formula to the right
        wrapper.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        left, right = edge_shades()
        assert left < 235 and right == 255
    finally:
        _close(pg)
        httpd.shutdown()
        httpd.server_close()


def test_2d_cells_can_be_picked_and_edited_from_the_keyboard(page2d):
    root = page2d.locator(".convdoc-explorer").nth(0)
    _configure2d(root, 4, 2, 0, 1, 1, transposed=False, cin=2)
    label = root.locator('[data-role="cell-label"]')
    root.locator('rect[data-cell="in,1,2,2"]').click()
    root.locator('[data-panel="grid"]').focus()
    for _ in range(3):
        page2d.keyboard.press("ArrowUp")  # from channel 1 row 2 up to channel 0 row 3
    assert label.inner_text() == "Input channel 0, row 3, col 2"
    for _ in range(3):
        page2d.keyboard.press("ArrowUp")
    page2d.keyboard.press("ArrowLeft")
    page2d.keyboard.press("ArrowLeft")
    assert label.inner_text() == "Input channel 0, row 0, col 0"
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown"):
        page2d.keyboard.press(key)
    assert label.inner_text() == "Input channel 0, row 1, col 3"
    page2d.keyboard.press("ArrowRight")  # past the input's edge: its kernel, beside it
    assert label.inner_text() == "Weight W[0, 0] row 1, col 0"
    page2d.keyboard.press("ArrowDown")  # past the kernel's last row: the next channel's
    assert label.inner_text() == "Weight W[0, 1] row 0, col 0"
    page2d.keyboard.press("Enter")
    page2d.keyboard.press("Control+A")
    page2d.keyboard.type("7")
    shown = _read2d(root)
    assert shown["weights"][0, 1, 0, 0] == 7
    assert_allclose(shown["output"], convdoc.conv2d(shown["inputs"], shown["weights"]),
                    atol=1e-12)
