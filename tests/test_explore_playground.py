"""The image playground in a real browser: its pixels and hover sums are convdoc's.

One chromium page holds two playgrounds (greyscale and RGB); the tests move
their controls, read the planes the page filters, the results it computed,
the pixels it drew and the sums it shows for a pixel, and compare them with
:func:`convdoc.correlate` / :func:`convdoc.convolve` (``mode="same"``) and with
NumPy's mapping to grey levels. Skipped like test_explore_browser.py when
chromium is missing.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from test_explore_browser import _close, _open, _select, _serve, _write

import convdoc
from convdoc.explore import ImagePlayground

pytestmark = pytest.mark.browser

# Hand-written oracles for the presets (the 5x5 blurs are not in KERNELS2D).
SOBEL_X = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
EMBOSS = np.array([[-2.0, -1, 0], [-1, 1, 1], [0, 1, 2]])
BINOMIAL = np.array([1.0, 4, 6, 4, 1])


def _kernel(name: str, size: int) -> np.ndarray:
    if size == 5 and name == "box_blur":
        return np.full((5, 5), 1 / 25)
    if size == 5 and name == "gaussian_blur":
        return np.outer(BINOMIAL, BINOMIAL) / 256
    small = {"sobel_x": SOBEL_X, "emboss": EMBOSS}.get(name, convdoc.KERNELS2D[name])
    if size == 3:
        return np.asarray(small, float)
    big = np.zeros((5, 5))
    big[1:4, 1:4] = small
    return big


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    # The session's one chromium (tests/conftest.py): a second sync_playwright() in
    # this thread would be refused while the first is open.
    root = tmp_path_factory.mktemp("playground")
    _write(root, "index.html", ImagePlayground().to_html() + ImagePlayground(
        color=True, kernel="emboss", kernel_size=5, operation="convolve", boundary="constant",
        levels="rescale").to_html())
    httpd = _serve(root)
    pg = _open(browser, f"http://127.0.0.1:{httpd.server_address[1]}/index.html",
               viewport={"width": 1100, "height": 900})
    pg.wait_for_function("document.querySelectorAll('[data-image-ready]').length === 2")
    yield pg
    _close(pg)
    httpd.shutdown()
    httpd.server_close()


_PLANES: dict[str, dict[str, np.ndarray]] = {}


def _planes(root) -> dict[str, np.ndarray]:
    # The decoded photo never changes after loading: read it once per playground.
    key = root.get_attribute("id")
    if key not in _PLANES:
        _PLANES[key] = _read_planes(root)
    return _PLANES[key]


# Typed arrays leave the page as base64 of their bytes (JSON of 200 000 numbers is slow).
_BYTES_JS = """(el, expr) => {
  const arrays = [].concat(new Function('el', 'return ' + expr)(el));
  return arrays.map(a => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  });
}"""


def _arrays(locator, expr: str, dtype) -> list[np.ndarray]:
    return [np.frombuffer(base64.b64decode(text), dtype=dtype)
            for text in locator.evaluate(_BYTES_JS, expr)]


def _read_planes(root) -> dict[str, np.ndarray]:
    (grey,) = _arrays(root, "el.cdxPlanes.grey", np.float64)
    rgb = _arrays(root, "el.cdxPlanes.rgb", np.float64)
    return {"grey": grey.reshape(256, 256), "rgb": np.stack(rgb).reshape(3, 256, 256)}


def _outputs(root, channels: int) -> np.ndarray:
    got = _arrays(root, "el.cdxOutputs", np.float64)
    return np.stack(got[:channels]).reshape(channels, 256, 256)


def _pixels(root) -> np.ndarray:
    (got,) = _arrays(root.locator('[data-panel="result"]'),
                     "el.getContext('2d').getImageData(0, 0, el.width, el.height).data", np.uint8)
    return got.astype(int).reshape(256, 256, 4)


def _configure(root, preset, size, operation, boundary, levels, colour) -> None:
    _select(root, "ksize", str(size))
    _select(root, "preset", preset)
    _select(root, "operation", operation)
    _select(root, "boundary", boundary)
    _select(root, "levels", levels)
    _select(root, "colour", colour)


def test_the_photo_is_grace_hopper_and_grey_is_luma(page):
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    root = page.locator(".convdoc-explorer").nth(0)
    planes = _planes(root)
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = plt.imread(f).astype(float)[:512, :512]
    expected = np.rint(rgb.reshape(256, 2, 256, 2, 3).mean(axis=(1, 3))).transpose(2, 0, 1)
    # The page filters what the browser decoded from the embedded JPEG: close to the photo.
    diff = np.abs(planes["rgb"] - expected)
    assert diff.mean() < 3 and np.percentile(diff, 99) < 25
    r, g, b = planes["rgb"]
    assert_array_equal(planes["grey"], np.floor(0.2126 * r + 0.7152 * g + 0.0722 * b + 0.5))


@pytest.mark.parametrize(
    ("index", "preset", "size", "operation", "boundary", "levels", "colour"),
    [
        (0, "sharpen", 3, "correlate", "symmetric", "clip", "grey"),
        (0, "sobel_x", 3, "correlate", "edge", "rescale", "grey"),
        (0, "sobel_x", 3, "convolve", "reflect", "rescale", "grey"),
        (0, "gaussian_blur", 5, "convolve", "wrap", "clip", "rgb"),
        (1, "emboss", 5, "convolve", "constant", "rescale", "rgb"),
        (1, "box_blur", 5, "correlate", "reflect", "clip", "grey"),
        (1, "laplacian", 3, "convolve", "symmetric", "rescale", "rgb"),
    ],
)
def test_pixels_match_convdoc(page, index, preset, size, operation, boundary, levels, colour):
    root = page.locator(".convdoc-explorer").nth(index)
    _use(root, "wasm")
    _configure(root, preset, size, operation, boundary, levels, colour)
    assert root.get_attribute("data-engine") == "wasm"
    planes = _planes(root)
    src = planes["rgb"] if colour == "rgb" else planes["grey"][None]
    op = convdoc.convolve if operation == "convolve" else convdoc.correlate
    kernel = _kernel(preset, size)
    expected = np.stack([op(p, kernel, mode="same", boundary=boundary) for p in src])
    assert_allclose(_outputs(root, len(src)), expected, rtol=0, atol=1e-9)
    lo, hi = expected.min(), expected.max()
    assert json.loads(root.get_attribute("data-range")) == pytest.approx([lo, hi])
    caption = root.locator('[data-role="caption"]').inner_text()
    assert ("clipped to 0–255" if levels == "clip" else "rescaled") in caption
    _assert_drawn(root, expected, levels, colour)


def _assert_drawn(root, expected, levels, colour):
    # The drawn pixels are NumPy's mapping of convdoc's results to 8 bits.
    lo, hi = expected.min(), expected.max()
    if levels == "clip":
        scaled = expected
    elif hi > lo:
        scaled = (expected - lo) * 255 / (hi - lo)
    else:
        scaled = np.full_like(expected, 128.0)  # a flat result is drawn mid-grey
    grey = np.clip(np.rint(scaled), 0, 255)
    drawn = _pixels(root)
    want = np.repeat(grey, 3, axis=0) if colour == "grey" else grey
    got = drawn[:, :, :3].transpose(2, 0, 1)
    off = np.abs(got - want)
    # Off by one level only at a tie (x.5 up to rounding error: a blur of integers by k/256).
    ties = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    ties = np.repeat(ties, 3, axis=0) if colour == "grey" else ties
    assert off.max() <= 1 and not (off[~ties]).any()
    assert (drawn[:, :, 3] == 255).all()


def test_correlate_and_convolve_turn_sobel_around(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _configure(root, "sobel_y", 3, "correlate", "symmetric", "rescale", "grey")
    corr = _outputs(root, 1)
    _select(root, "operation", "convolve")
    assert_allclose(_outputs(root, 1), -corr, atol=1e-9)


def test_editing_a_weight_redraws_with_it(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _configure(root, "identity", 3, "correlate", "edge", "clip", "grey")
    root.locator('[data-weight="0,2"]').fill("0.5")
    root.locator('[data-weight="1,1"]').fill("0.25")
    page.wait_for_function("r => r.querySelector('[data-control=preset]').value === 'custom'"
                           " && true", arg=root.element_handle())
    page.wait_for_timeout(100)  # the redraw waits for the next animation frame
    kernel = np.array([[0, 0, 0.5], [0, 0.25, 0], [0, 0, 0]])
    expected = convdoc.correlate(_planes(root)["grey"], kernel, mode="same", boundary="edge")
    assert_allclose(_outputs(root, 1)[0], expected, atol=1e-9)
    assert root.locator('[data-role="weight-sum"]').inner_text() == "weights sum to 0.75"
    # Switching to 5x5 keeps a custom kernel in the top-left corner.
    _select(root, "ksize", "5")
    assert root.locator('[data-weight="4,4"]').is_visible()


@pytest.mark.parametrize(("index", "boundary", "colour"), [(0, "reflect", "grey"),
                                                          (1, "constant", "rgb")])
def test_hover_shows_the_neighbourhood_products_and_sum(page, index, boundary, colour):
    root = page.locator(".convdoc-explorer").nth(index)
    _configure(root, "emboss", 3, "convolve", boundary, "clip", colour)
    canvas = root.locator('[data-panel="result"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    inspect = root.locator('[data-role="inspect"]')
    planes = _planes(root)
    src = planes["rgb"] if colour == "rgb" else planes["grey"][None]
    taps = EMBOSS[::-1, ::-1]  # a convolution lays the kernel turned 180 degrees
    for fx, fy in ((0.5, 0.5), (0.001, 0.3), (0.999, 0.999)):
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        r, c = (int(v) for v in inspect.get_attribute("data-pixel").split(","))
        assert (r, c) == (min(255, int(fy * 256)), min(255, int(fx * 256)))
        # The outline on the result covers the 3x3 neighbourhood of that pixel.
        mark = root.locator('[data-role="marker"]').bounding_box()
        scale = box["width"] / 256
        assert mark["x"] == pytest.approx(box["x"] + (c - 1) * scale, abs=0.6)
        assert mark["y"] == pytest.approx(box["y"] + (r - 1) * scale, abs=0.6)
        sums = json.loads(inspect.get_attribute("data-sums"))
        values = np.array(json.loads(inspect.get_attribute("data-values")))
        assert_allclose(json.loads(inspect.get_attribute("data-taps")), taps.ravel())
        for ch, plane in enumerate(src):
            padded = np.pad(plane, 1, mode=boundary)
            hood = padded[r : r + 3, c : c + 3]
            assert_array_equal(values[ch], hood.ravel())
            expected = convdoc.convolve(plane, EMBOSS, mode="same", boundary=boundary)[r, c]
            assert sums[ch] == pytest.approx(expected, abs=1e-9)
            assert sums[ch] == pytest.approx((hood * taps).sum(), abs=1e-9)
        lines = [t for t in inspect.locator("p").all_inner_texts() if " = " in t]
        assert len(lines) == len(src)
        assert float(lines[-1].rsplit(" = ", 1)[1].replace("\u2212", "-")) == pytest.approx(
            sums[-1], abs=1e-3)
    # The keyboard moves the inspected pixel too.
    canvas.focus()
    page.keyboard.press("ArrowLeft")
    assert inspect.get_attribute("data-pixel") == "255,254"


def test_every_control_is_labelled_and_big_enough_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        root = page.locator(".convdoc-explorer").nth(0)
        root.locator("summary").click() if not root.locator("details").evaluate(
            "d => d.open") else None
        for control in root.locator("select, input:not([hidden])").all():
            assert control.evaluate(
                "e => !!(e.labels && e.labels.length) || !!e.getAttribute('aria-label')")
            box = control.bounding_box()
            assert box["height"] >= 24 and box["width"] >= 24
        canvas = root.locator('[data-panel="result"]').bounding_box()
        assert canvas["width"] >= 150
    finally:
        page.set_viewport_size({"width": 1100, "height": 900})


# Edited kernels, each taking one of the filter's paths (the page reports which in data-path):
# "3x3" when the non-zero taps fit in a 3x3 block (the zero rows and columns of a 5x5 grid are
# skipped, wherever the block sits), "separable" when an exactly rank-1 kernel needs more than
# 3x3 (two 1-D passes), "5x5" otherwise (all 25 taps).
DENSE5 = np.array([[1, -2, 3, 0.5, -1], [2, 1, -1, 4, 0.25], [-3, 0.5, 2, 1, 1],
                   [1, 1, -2, 3, -0.5], [0.75, -1, 1, 2, 1]])
DENSE3 = np.array([[1, 2, -1], [-1, 0.5, 3], [2, -1, 1.25]])


def _embedded(block: np.ndarray, row: int, col: int) -> np.ndarray:
    big = np.zeros((5, 5))
    big[row : row + block.shape[0], col : col + block.shape[1]] = block
    return big


CROSS = np.zeros((5, 5))
CROSS[2, :] = [1, -2, 0.5, 3, 1]
CROSS[:, 2] = [2, 1, 0.5, -1, 0.25]

EDITED = {
    "dense 5x5": (DENSE5, "5x5"),
    "rank-1 5x5": (np.outer([1, 2, 3, 2, 1], [-1, 0.5, 2, 0.5, -1]), "separable"),
    "rank-1 decimals": (np.outer([0.1, 0.2, 0.3, 0.2, 0.1], [1, 1, 1, 1, 1]), "separable"),
    "one row of 5": (_embedded(np.array([[1.5, -2, 0.5, 3, 1]]), 3, 0), "separable"),
    "sparse cross": (CROSS, "5x5"),
    "3x3 in the middle": (_embedded(DENSE3, 1, 1), "3x3"),
    "3x3 top-left": (_embedded(DENSE3, 0, 0), "3x3"),
    "3x3 bottom-right": (_embedded(DENSE3, 2, 2), "3x3"),
    "2x2 at the right edge": (_embedded(np.array([[1.0, -2], [0.5, 3]]), 1, 3), "3x3"),
    "dense 3x3": (DENSE3, "3x3"),
    "all zero": (np.zeros((5, 5)), "3x3"),
    "ends of a row": (_embedded(np.array([[-1.0, 0, 0, 0, 0.5]]), 2, 0), "separable"),
}


def _use(root, engine: str) -> None:
    # The page takes the wasm SIMD blocks where it can; tests switch to the JavaScript paths.
    root.evaluate("(r, js) => { r.cdxNoSimd = js; }", engine == "js")


def _type_kernel(root, kernel: np.ndarray) -> None:
    # Types every weight (an input event each), then waits for the animation frame's redraw.
    _select(root, "ksize", str(kernel.shape[0]))
    root.evaluate(
        """async (r, rows) => {
          rows.forEach((row, i) => row.forEach((v, j) => {
            const box = r.querySelector('[data-weight="' + i + ',' + j + '"]');
            box.value = String(v);
            box.dispatchEvent(new Event('input', {bubbles: true}));
          }));
          await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        }""",
        kernel.tolist(),
    )
    assert root.locator('[data-control="preset"]').input_value() == "custom"


@pytest.mark.parametrize("engine", ["wasm", "js"])
@pytest.mark.parametrize(
    ("name", "index", "operation", "boundary", "levels", "colour"),
    [
        ("dense 5x5", 1, "convolve", "wrap", "rescale", "rgb"),
        ("dense 5x5", 0, "correlate", "symmetric", "clip", "grey"),
        ("rank-1 5x5", 0, "correlate", "reflect", "rescale", "grey"),
        ("rank-1 5x5", 1, "convolve", "constant", "clip", "rgb"),
        ("rank-1 decimals", 0, "convolve", "edge", "clip", "grey"),
        ("one row of 5", 1, "convolve", "symmetric", "rescale", "rgb"),
        ("sparse cross", 0, "correlate", "constant", "rescale", "grey"),
        ("3x3 in the middle", 1, "correlate", "edge", "rescale", "rgb"),
        ("3x3 top-left", 0, "correlate", "wrap", "rescale", "grey"),
        ("3x3 top-left", 0, "convolve", "reflect", "clip", "grey"),
        ("3x3 bottom-right", 1, "correlate", "constant", "clip", "rgb"),
        ("2x2 at the right edge", 0, "convolve", "symmetric", "rescale", "grey"),
        ("dense 3x3", 0, "convolve", "wrap", "clip", "grey"),
        ("all zero", 0, "correlate", "reflect", "rescale", "grey"),
    ],
)
def test_edited_kernels_match_convdoc_on_every_path(page, engine, name, index, operation,
                                                    boundary, levels, colour):
    kernel, path = EDITED[name]
    if engine == "wasm" and path == "separable":
        path = "5x5"  # the wasm 5x5 block beats two JavaScript passes
    root = page.locator(".convdoc-explorer").nth(index)
    _use(root, engine)
    _select(root, "operation", operation)
    _select(root, "boundary", boundary)
    _select(root, "levels", levels)
    _select(root, "colour", colour)
    _type_kernel(root, kernel)
    assert root.get_attribute("data-path") == path
    assert root.get_attribute("data-engine") == engine
    planes = _planes(root)
    src = planes["rgb"] if colour == "rgb" else planes["grey"][None]
    op = convdoc.convolve if operation == "convolve" else convdoc.correlate
    expected = np.stack([op(p, kernel, mode="same", boundary=boundary) for p in src])
    assert_allclose(_outputs(root, len(src)), expected, rtol=0, atol=1e-9)
    assert json.loads(root.get_attribute("data-range")) == pytest.approx(
        [expected.min(), expected.max()])
    _assert_drawn(root, expected, levels, colour)


@pytest.mark.parametrize(("preset", "size", "path", "engine"), [
    ("gaussian_blur", 5, "separable", "js"), ("box_blur", 5, "separable", "js"),
    ("gaussian_blur", 5, "5x5", "wasm"), ("emboss", 5, "3x3", "wasm"), ("emboss", 5, "3x3", "js"),
    ("outline", 5, "3x3", "wasm"), ("sobel_x", 3, "3x3", "js"), ("box_blur", 3, "3x3", "wasm"),
])
def test_presets_take_the_short_paths(page, preset, size, path, engine):
    # The 5x5 blurs are exact products of two 1-D kernels (two passes in JavaScript); the
    # others keep 3x3 taps in a zero border. Chromium has WebAssembly SIMD: it is the default.
    root = page.locator(".convdoc-explorer").nth(0)
    _use(root, engine)
    _configure(root, preset, size, "convolve", "edge", "clip", "grey")
    assert root.get_attribute("data-path") == path
    assert root.get_attribute("data-engine") == engine
    _use(root, "wasm")


def test_hovering_reads_the_results_without_filtering_again(page):
    root = page.locator(".convdoc-explorer").nth(0)
    _configure(root, "sharpen", 3, "correlate", "edge", "clip", "grey")
    drawn_at = root.get_attribute("data-drawn-at")
    buffers = root.evaluate("r => (r.cdxKeep = r.cdxOutputs[0], true)")
    canvas = root.locator('[data-panel="result"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for f in (0.2, 0.6):
        page.mouse.move(box["x"] + f * box["width"], box["y"] + f * box["height"])
    assert root.locator('[data-role="inspect"]').get_attribute("data-pixel") == "153,153"
    assert root.get_attribute("data-drawn-at") == drawn_at
    # A new kernel is filtered into the same buffers (nothing allocated per redraw).
    _select(root, "preset", "emboss")
    assert root.get_attribute("data-drawn-at") != drawn_at
    assert buffers and root.evaluate("r => r.cdxKeep === r.cdxOutputs[0]")


@pytest.mark.parametrize("engine", ["wasm", "js"])
def test_exact_halves_round_to_even_like_numpy(page, engine):
    # The 5x5 binomial blur of integer pixels is k/256 exactly, in the browser too (every
    # product and partial sum is a multiple of 1/256 below 2^16), so some results are exact
    # halves; the drawn levels are numpy.rint's (half to even), with no tolerance at all.
    root = page.locator(".convdoc-explorer").nth(0)
    _use(root, engine)
    _configure(root, "gaussian_blur", 5, "correlate", "reflect", "clip", "grey")
    plane = _planes(root)["grey"].astype(np.int64)
    padded = np.pad(plane, 2, mode="reflect")
    weights = np.outer(BINOMIAL, BINOMIAL).astype(np.int64)
    sums = sum(weights[i, j] * padded[i : i + 256, j : j + 256]
               for i in range(5) for j in range(5))
    exact = sums / 256  # exact in float64: sums < 2^24
    assert (sums % 256 == 128).sum() > 100  # many exact halves
    assert_array_equal(_outputs(root, 1)[0], exact)
    assert_array_equal(_pixels(root)[:, :, 0], np.clip(np.rint(exact), 0, 255))
    _use(root, "wasm")


@pytest.fixture(scope="module")
def odd_page(page):
    # A 23 x 37 picture: odd width and odd pixel count, where the two-pixel SIMD steps
    # run one pixel past each row (into slack) and the smallest/largest come from range().
    # Column 35 is bright: only the pixel past the row end (x = 37) weighs it by -1 with the
    # kernel "ends of a row", so a range that counted that pixel would be far too low.
    rng = np.random.default_rng(7)
    image = rng.integers(0, 101, size=(23, 37, 3), dtype=np.uint8)
    image[:, 35] = 255
    pg = page.context.browser.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.set_content("<!doctype html><meta charset='utf-8'>"
                   + ImagePlayground(image, quality=100).to_html())
    pg.wait_for_function("document.querySelector('[data-image-ready]') !== null")
    yield pg
    errors = pg.errors
    pg.close()
    assert errors == []


@pytest.mark.parametrize("engine", ["wasm", "js"])
@pytest.mark.parametrize(("kernel", "colour", "levels", "boundary"), [
    ("dense 5x5", "rgb", "rescale", "wrap"), ("dense 5x5", "grey", "clip", "reflect"),
    ("3x3 bottom-right", "rgb", "clip", "symmetric"), ("dense 3x3", "grey", "rescale", "edge"),
    ("ends of a row", "grey", "rescale", "constant"), ("ends of a row", "rgb", "clip", "constant"),
])
def test_an_odd_sized_picture_matches_convdoc(odd_page, engine, kernel, colour, levels,
                                              boundary):
    root = odd_page.locator(".convdoc-explorer").first
    _use(root, engine)
    _select(root, "colour", colour)
    _select(root, "levels", levels)
    _select(root, "boundary", boundary)
    _type_kernel(root, EDITED[kernel][0])
    assert root.get_attribute("data-engine") == engine
    (grey,) = _arrays(root, "el.cdxPlanes.grey", np.float64)
    rgb = _arrays(root, "el.cdxPlanes.rgb", np.float64)
    src = np.stack(rgb).reshape(3, 23, 37) if colour == "rgb" else grey.reshape(1, 23, 37)
    expected = np.stack([convdoc.correlate(p, EDITED[kernel][0], mode="same",
                                           boundary=boundary) for p in src])
    got = np.stack(_arrays(root, "el.cdxOutputs", np.float64)[: len(src)]).reshape(expected.shape)
    assert_allclose(got, expected, rtol=0, atol=1e-9)
    lo, hi = json.loads(root.get_attribute("data-range"))
    assert (lo, hi) == pytest.approx((expected.min(), expected.max()))
    if levels == "clip":
        scaled = expected
    else:
        scaled = (expected - lo) * 255 / (hi - lo)
    (drawn,) = _arrays(root.locator('[data-panel="result"]'),
                       "el.getContext('2d').getImageData(0, 0, el.width, el.height).data",
                       np.uint8)
    drawn = drawn.astype(int).reshape(23, 37, 4)
    want = np.clip(np.rint(scaled), 0, 255)
    want = np.repeat(want, 3, axis=0) if colour == "grey" else want
    ties = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    ties = np.repeat(ties, 3, axis=0) if colour == "grey" else ties
    off = np.abs(drawn[:, :, :3].transpose(2, 0, 1) - want)
    assert off.max() <= 1 and not off[~ties].any()
    assert (drawn[:, :, 3] == 255).all()


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("boundary", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_padding_is_numpy_pad(page, boundary, shared):
    # The script pads each plane once per rule; within one buffer (wasm memory) it copies
    # rows in place, otherwise through subarrays. Both must be numpy.pad.
    plane = np.arange(63, dtype=float).reshape(9, 7) * 1.5 - 20
    got = page.evaluate(
        """([values, boundary, shared]) => {
          const h = 9, w = 7, n = h * w, m = (h + 4) * (w + 4);
          const buffer = shared ? new ArrayBuffer(8 * (n + m + 3)) : null;
          const src = shared ? new Float64Array(buffer, 8 * (m + 3), n) : new Float64Array(n);
          const dst = shared ? new Float64Array(buffer, 8, m) : new Float64Array(m);
          src.set(values);
          dst.fill(-999);
          window.convdocPlayground.padPlane(src, w, h, boundary, dst);
          return Array.from(dst);
        }""",
        [plane.ravel().tolist(), boundary, shared],
    )
    assert_array_equal(np.array(got).reshape(13, 11), np.pad(plane, 2, mode=boundary))


def test_clip_or_rescale_maps_the_same_results_without_filtering_again(page):
    root = page.locator(".convdoc-explorer").nth(1)
    _use(root, "wasm")
    _configure(root, "sobel_x", 5, "convolve", "wrap", "clip", "rgb")
    count = root.get_attribute("data-filtered")
    _select(root, "levels", "rescale")
    assert root.get_attribute("data-filtered") == count  # only the grey levels were redone
    planes = _planes(root)["rgb"]
    expected = np.stack([convdoc.convolve(p, _kernel("sobel_x", 5), mode="same",
                                          boundary="wrap") for p in planes])
    assert json.loads(root.get_attribute("data-range")) == pytest.approx(
        [expected.min(), expected.max()])
    _assert_drawn(root, expected, "rescale", "rgb")
    _select(root, "boundary", "edge")  # a new rule: filtered again
    assert int(root.get_attribute("data-filtered")) == int(count) + 1
