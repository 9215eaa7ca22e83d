"""The explorers' HTML: self-contained, small, accessible, with the right data inline.

What the script computes in a browser is checked in test_explore_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources

import numpy as np
import pytest

import convdoc
from convdoc.explore import SIGNALS, Explorer1D, Explorer2D, ImagePlayground

BUDGET = 100_000  # bytes each explorer may add to a page


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(params=["1d", "2d"])
def html(request) -> str:
    # Both spellings: what notebooks call, and the public method for hand-made pages.
    return Explorer1D()._repr_html_() if request.param == "1d" else Explorer2D().to_html()


def test_one_self_contained_div_under_budget(html):
    assert html.startswith('<div class="convdoc-explorer"') and html.endswith("</div>")
    assert len(html.encode()) < BUDGET
    parsed = _parse(html)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"iframe", "link", "img", "object", "embed"}
    for _, attrs in parsed.tags:
        assert "src" not in attrs and "href" not in attrs
    # The only URL is the SVG namespace the script needs to create elements.
    assert set(re.findall(r"https?://[^\s\"')]+", html)) == {"http://www.w3.org/2000/svg"}


def test_data_and_script_are_inline_once(html):
    parsed = _parse(html)
    data = [text for attrs, text in parsed.scripts if attrs.get("type") == "application/json"]
    code = [text for attrs, text in parsed.scripts if "type" not in attrs]
    assert len(data) == 1 and len(code) == 2
    json.loads(data[0])
    package = resources.files("convdoc.explore")
    shared, own = package.joinpath("lazystart.js"), package.joinpath("explorer.js")
    # The settings' fold on phones, which names its own explorer, then the shared script.
    root_id = next(a["id"] for tag, a in parsed.tags if "convdoc-explorer" in a.get("class", ""))
    assert f'document.getElementById("{root_id}")' in code[0]
    assert code[1] == shared.read_text() + "\n" + own.read_text()


def test_every_control_has_a_label(html):
    parsed = _parse(html)
    ids = [attrs["id"] for tag, attrs in parsed.tags if tag in ("input", "select")]
    labelled = {attrs["for"] for tag, attrs in parsed.tags if tag == "label"}
    assert ids and set(ids) <= labelled
    assert len(ids) == len(set(ids))
    buttons = [attrs for tag, attrs in parsed.tags if tag == "button"]
    assert {"prev", "next", "play", "save"} <= {b["data-action"] for b in buttons}
    assert all(b["type"] == "button" for b in buttons)
    ranges = [attrs for tag, attrs in parsed.tags if tag == "input"
              and attrs.get("type") == "range"]
    assert {"step"} <= {r["data-control"] for r in ranges}


def test_explorer1d_embeds_convdoc_signals_exactly():
    explorer = Explorer1D(length=120, period=40)
    parsed = _parse(explorer._repr_html_())
    (payload,) = [t for a, t in parsed.scripts if a.get("type") == "application/json"]
    data = json.loads(payload)
    assert data["kind"] == "1d"
    assert set(data["signals"]) == set(SIGNALS)
    np.testing.assert_array_equal(data["signals"]["sawtooth"], convdoc.sawtooth(120, 40))
    np.testing.assert_array_equal(data["signals"]["square"], convdoc.square_wave(120, 40))
    np.testing.assert_array_equal(data["signals"]["step"], convdoc.unit_step(120))
    np.testing.assert_array_equal(data["signals"]["impulse"], convdoc.impulse(120))
    np.testing.assert_array_equal(data["signals"]["noisy-sine"],
                                  convdoc.noisy_sine(120, 40, seed=0))
    assert all(len(v) == 120 for v in data["signals"].values())


def test_explorer1d_initial_controls_reflect_the_arguments():
    html = Explorer1D(signal="impulse", kernel="box", size=7, sigma=1.5, mode="same",
                      step=3)._repr_html_()
    tags = _parse(html).tags
    controls = {a["data-control"]: a for t, a in tags if "data-control" in a}
    assert controls["size"]["value"] == "7" and controls["sigma"]["value"] == "1.5"
    assert controls["step"]["value"] == "3"
    selected = [a["value"] for t, a in tags if t == "option" and "selected" in a]
    assert selected == ["impulse", "box", "convolve", "same", "constant", "10"]


def test_explorer1d_presets_operation_boundary_and_ramp():
    html = Explorer1D(kernel="ramp", size=4, mode="full", operation="correlate",
                      boundary="symmetric")._repr_html_()
    tags = _parse(html).tags
    selects = {}
    for tag, attrs in tags:
        if tag == "select":
            current = selects.setdefault(attrs["data-control"], [])
        elif tag == "option":
            current.append((attrs["value"], "selected" in attrs))
    assert [v for v, _ in selects["operation"]] == ["convolve", "correlate"]
    assert [v for v, _ in selects["boundary"]] == ["constant", "edge", "reflect", "symmetric",
                                                   "wrap"]
    assert [v for v, _ in selects["kernel"]] == ["gaussian", "box", "ramp"]
    chosen = {name: [v for v, on in opts if on] for name, opts in selects.items()}
    assert chosen == {"signal": ["sawtooth"], "kernel": ["ramp"], "operation": ["correlate"],
                      "mode": ["full"], "boundary": ["symmetric"], "speed": ["10"]}
    (size,) = [a for _, a in tags if a.get("data-control") == "size"]
    assert size["value"] == "4" and size["step"] == "1"


@pytest.mark.parametrize(("length", "top"), [(200, 51), (30, 30), (31, 31), (1, 1)])
def test_explorer1d_size_slider_never_exceeds_the_signal(length, top):
    tags = _parse(Explorer1D(size=1, length=length)._repr_html_()).tags
    (size,) = [a for _, a in tags if a.get("data-control") == "size"]
    assert int(size["max"]) == top


def test_two_explorers_get_distinct_ids():
    a, b = Explorer1D()._repr_html_(), Explorer1D()._repr_html_()
    ids_a = {x["id"] for _, x in _parse(a).tags if "id" in x}
    ids_b = {x["id"] for _, x in _parse(b).tags if "id" in x}
    assert not ids_a & ids_b


def test_json_cannot_close_the_script_early():
    parsed = _parse(Explorer2D()._repr_html_())
    for _, text in parsed.scripts:
        assert "</" not in text


def test_assets_ship_as_package_data():
    root = resources.files("convdoc.explore")
    assert root.joinpath("explorer.js").is_file()
    css = root.joinpath("explorer.css").read_text()
    # Dark mode: furo's theme switch and the OS preference are both handled.
    assert 'body[data-theme="dark"]' in css and "prefers-color-scheme: dark" in css
    assert ":focus-visible" in css


@pytest.mark.parametrize(
    ("cls", "kwargs", "exc", "message"),
    [
        (Explorer1D, {"signal": "chirp"}, ValueError, "signal"),
        (Explorer1D, {"kernel": "median"}, ValueError, "kernel"),
        (Explorer1D, {"mode": "circular"}, ValueError, "mode"),
        (Explorer1D, {"size": 52}, ValueError, "size must be an integer from 1 to 51, got 52"),
        (Explorer1D, {"size": 0}, ValueError, "size"),
        (Explorer1D, {"operation": "conv"}, ValueError, "operation"),
        (Explorer1D, {"boundary": "zeros"}, ValueError, "boundary"),
        (Explorer1D, {"kernel": "derivative"}, ValueError, "kernel"),
        (Explorer1D, {"size": 31, "length": 20}, ValueError, "size must not exceed length=20"),
        (Explorer1D, {"size": 2.0}, TypeError, "size"),
        (Explorer1D, {"sigma": 0}, ValueError, "sigma"),
        (Explorer1D, {"sigma": 12.0}, ValueError, "sigma must be between 0.1 and 10.0, got 12.0"),
        (Explorer1D, {"step": -1}, ValueError, "step"),
        (Explorer2D, {"stride": 0}, ValueError, "stride"),
        (Explorer2D, {"padding": 9}, ValueError, "padding must be an integer from 0 to 4, got 9"),
        (Explorer2D, {"input_size": 11}, ValueError, "input_size"),
        (Explorer2D, {"kernel_size": "3"}, TypeError, "kernel_size"),
        (Explorer2D, {"transposed": 1}, TypeError, "transposed must be True or False, got 1"),
        (Explorer2D, {"output_padding": 1}, ValueError,
         "output_padding must be smaller than max(stride, dilation)=1, got 1"),
        (Explorer2D, {"stride": 2, "dilation": 3, "output_padding": 3}, ValueError,
         "max(stride, dilation)=3, got 3"),
        (Explorer2D, {"output_padding": -1}, ValueError, "output_padding"),
        (Explorer2D, {"padding_mode": "mirror"}, ValueError, "padding_mode"),
        (Explorer2D, {"in_channels": 4}, ValueError, "in_channels must be an integer from 1 to 3"),
        (Explorer2D, {"out_channels": 3}, ValueError, "out_channels must be an integer from 1"),
        (Explorer2D, {"kernel": "blur"}, ValueError, "kernel"),
        (Explorer2D, {"kernel": [[1, 2], [3, 4]]}, ValueError,
         "kernel must be square with side kernel_size=3, got shape (2, 2)"),
        (Explorer2D, {"bias": [1, 2, 3]}, ValueError, "bias must hold 1 or 2 numbers"),
        (Explorer2D, {"bias": "x"}, TypeError, "bias"),
        (Explorer2D, {"autoplay": "yes"}, TypeError, "autoplay must be True or False"),
    ],
)
def test_bad_arguments_name_the_parameter(cls, kwargs, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        cls(**kwargs)


def test_explorer2d_embeds_its_kernel_bias_and_transposed_sizes():
    e = Explorer2D(input_size=6, padding=1, stride=2, transposed=True, output_padding=1,
                   kernel="sharpen", bias=[1.5, -2], out_channels=2)
    # Hand-worked: floor((6 + 2 - 2 - 1)/2) + 1 = 3, and (3 - 1)·2 - 2 + 2 + 1 + 1 = 6.
    assert (e.direct_output_size, e.transposed_output_size) == (3, 6)
    assert Explorer2D(input_size=2, kernel_size=5, dilation=3).direct_output_size == 0
    parsed = _parse(e.to_html())
    (payload,) = [t for a, t in parsed.scripts if a.get("type") == "application/json"]
    data = json.loads(payload)
    weights = np.array(data["weights"])
    assert weights.shape == (2, 3, 5, 5)
    for o in range(2):
        for c in range(3):
            np.testing.assert_array_equal(weights[o, c, :3, :3], convdoc.KERNELS2D["sharpen"])
    assert data["bias"] == [1.5, -2.0]
    inputs = np.array(data["inputs"])
    assert inputs.shape == (3, 10, 10) and set(np.unique(inputs)) <= {0, 1, 2, 3, 4}
    controls = {a["data-control"]: a for t, a in parsed.tags if "data-control" in a}
    assert controls["outpad"]["value"] == "1" and "checked" in controls["transposed"]
    assert controls["bias0"]["value"] == "1.5"
    assert Explorer2D(bias=2).bias == [2.0, 2.0]


def test_repr_names_the_settings():
    assert repr(Explorer2D(stride=2)).startswith("Explorer2D(input_size=5, kernel_size=3")
    assert "mode='valid'" in repr(Explorer1D())
    assert "operation='correlate', boundary='wrap'" in repr(
        Explorer1D(operation="correlate", boundary="wrap"))


@pytest.mark.parametrize("module", ["convdoc.explore.explorer1d", "convdoc.explore.explorer2d",
                                    "convdoc.explore.playground"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


def test_playground_is_one_self_contained_div_with_its_own_script():
    html = ImagePlayground(kernel="sobel_x", kernel_size=5, levels="rescale").to_html()
    assert html.startswith('<div class="convdoc-explorer"') and html.endswith("</div>")
    # The photo (a JPEG data URL) counts against the page budget: keep it small.
    assert len(html.encode()) < 120_000
    parsed = _parse(html)
    assert not {tag for tag, _ in parsed.tags} & {"iframe", "link", "img", "object", "embed"}
    assert not re.findall(r"https?://", html)
    code = [text for attrs, text in parsed.scripts if "type" not in attrs]
    package = resources.files("convdoc.explore")
    shared, own = package.joinpath("lazystart.js"), package.joinpath("playground.js")
    assert len(code) == 2 and "details.cdx-settings" in code[0]
    assert code[1] == shared.read_text() + "\n" + own.read_text()
    (payload,) = [t for a, t in parsed.scripts if a.get("type") == "application/json"]
    data = json.loads(payload)
    assert data["kind"] == "image" and data["photo"].startswith("data:image/jpeg;base64,")
    assert (data["width"], data["height"], data["kernel"], data["size"]) == (256, 256, "sobel_x", 5)
    # Presets: the 3x3 ones are KERNELS2D; at 5x5 the blurs widen (hand-written), the rest
    # keep their taps in the middle.
    for name, sizes in data["presets"].items():
        np.testing.assert_array_equal(sizes["3"], convdoc.KERNELS2D[name])
    np.testing.assert_allclose(data["presets"]["box_blur"]["5"], np.full((5, 5), 0.04))
    row = np.array([1, 4, 6, 4, 1])
    np.testing.assert_allclose(data["presets"]["gaussian_blur"]["5"], np.outer(row, row) / 256)
    np.testing.assert_array_equal(np.array(data["presets"]["emboss"]["5"])[1:4, 1:4],
                                  convdoc.KERNELS2D["emboss"])
    # Every select has a label; every weight input an accessible name.
    ids = [a["id"] for t, a in parsed.tags if t == "select"]
    labelled = {a["for"] for t, a in parsed.tags if t == "label"}
    assert len(ids) == 6 and set(ids) <= labelled
    weights = [a for t, a in parsed.tags if t == "input" and "data-weight" in a]
    assert len(weights) == 25 and all(a["aria-label"].startswith("weight row") for a in weights)


def test_sample_photo_is_grace_hopper_block_averaged():
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    from convdoc.explore.playground import sample_photo

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = plt.imread(f).astype(float)[:512, :512]
    small = sample_photo(128)
    assert small.shape == (128, 128, 3) and small.dtype == np.uint8
    np.testing.assert_array_equal(small, np.rint(rgb.reshape(128, 4, 128, 4, 3).mean(axis=(1, 3))))
    # A given image is embedded as given (floats in [0, 1] become 8 bits).
    ramp = np.linspace(0, 1, 64 * 32).reshape(64, 32)
    playground = ImagePlayground(ramp)
    np.testing.assert_array_equal(playground.image[:, :, 1], np.rint(ramp * 255))


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"kernel": "blur"}, ValueError, "kernel"),
        ({"kernel_size": 4}, ValueError, "kernel_size must be 3 or 5, got 4"),
        ({"operation": "conv"}, ValueError, "operation"),
        ({"boundary": "zeros"}, ValueError, "boundary"),
        ({"levels": "log"}, ValueError, "levels"),
        ({"color": 1}, TypeError, "color must be True or False, got 1"),
        ({"quality": 20}, ValueError, "quality must be from 50 to 100, got 20"),
        ({"image": np.zeros((4, 4))}, ValueError, "image sides must be from 8 to 512"),
        ({"image": np.zeros((9, 9, 2))}, ValueError, "image must have shape (H, W) or (H, W, 3)"),
        ({"image": np.full((9, 9), 2.0)}, ValueError, "image must be uint8, or floats in [0, 1]"),
    ],
)
def test_playground_bad_arguments_name_the_parameter(kwargs, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        ImagePlayground(**kwargs)
