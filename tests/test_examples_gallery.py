"""What the gallery pages show and say, checked without building the site.

Numbers are compared with loops, NumPy or SciPy (never with convdoc's own
output); the reader-facing code of every example (what is left once the
``# sphinx_gallery_start_ignore`` blocks are hidden) is read for what it must
not show.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

import convdoc

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.py"))
_IGNORED = re.compile(
    r"^[ \t]*# sphinx_gallery_start_ignore$.*?^[ \t]*# sphinx_gallery_end_ignore$\n?", re.S | re.M
)
_EXPLORERS = ("Explorer1D", "Explorer2D", "ImagePlayground")


def visible_code(source: str) -> str:
    """The code sphinx-gallery shows: the docstring and the ignored blocks removed."""
    tree = ast.parse(source)
    first = tree.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        source = "\n".join(source.splitlines()[first.end_lineno :])
    return _IGNORED.sub("", source)


def blocks(source: str) -> list[str]:
    """The code blocks of a gallery script, split at its ``# %%`` lines."""
    return re.split(r"^# %%.*$", source, flags=re.M)


def _loop_convolve_full(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    out = np.zeros(x.size + h.size - 1)
    for n in range(out.size):
        for m in range(h.size):
            if 0 <= n - m < x.size:
                out[n] += x[n - m] * h[m]
    return out


# -- reader-facing code -------------------------------------------------------


def test_visible_code_drops_the_ignored_blocks() -> None:
    source = (
        '"""Doc."""\nx = 1\n# sphinx_gallery_start_ignore\nassert x\n'
        "# sphinx_gallery_end_ignore\ny = 2\n"
    )
    assert visible_code(source).split() == ["x", "=", "1", "y", "=", "2"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_reader_facing_code_shows_no_private_names(example: Path) -> None:
    code = visible_code(example.read_text(encoding="utf-8"))
    private = re.findall(r"\bconvdoc(?:\.\w+)*\._\w+|\bfrom convdoc(?:\.\w+)* import _\w+", code)
    assert not private, private
    assert "convdoc.__main__" not in code  # the command line is shown as a command
    # MyST label names belong to the chapters' markup, not to code comments.
    labels = re.findall(r"#.*\((?:eq|formula|corr|conv)[-\w]*\)", code)
    assert not labels, labels


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_build_checks_are_hidden_but_still_run(example: Path) -> None:
    source = example.read_text(encoding="utf-8")
    shown = visible_code(source)
    # The reader sees the code that teaches; the checks sit in ignore blocks ...
    assert not re.findall(r"^\s*(?:assert\b|np\.testing\.assert)", shown, re.M)
    # ... which sphinx-gallery still executes: they are ordinary code in the script.
    hidden = "".join(_IGNORED.findall(source))
    if hidden:
        compile(source, str(example), "exec")
        assert re.search(r"assert", hidden)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_explorer_an_example_builds_is_rendered(example: Path) -> None:
    source = example.read_text(encoding="utf-8")
    for block in blocks(source):
        tree = ast.parse(block)
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _EXPLORERS
        ]
        if not calls:
            continue
        last = tree.body[-1]
        # The explorer is the block's last expression, so sphinx-gallery shows it ...
        assert isinstance(last, ast.Expr) and last.value in calls, (
            f"{example.name}: the explorer is not the last expression of its block"
        )
        # ... through its _repr_html_, which the script's capture_repr must allow.
        setting = re.search(r"^# sphinx_gallery_capture_repr = (.*)$", source, re.M)
        if setting:
            assert "_repr_html_" in ast.literal_eval(setting.group(1)), example.name


# -- basics/plot_modes ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(24, 7), (5, 7), (3, 10), (8, 8)])
def test_same_mode_has_the_length_of_the_first_argument(n: int, k: int) -> None:
    rng = np.random.default_rng(n * 100 + k)
    x, h = rng.normal(size=n), rng.normal(size=k)
    same = convdoc.convolve(x, h, mode="same")
    assert same.size == n  # not max(n, k), NumPy's rule
    np.testing.assert_allclose(same, signal.convolve(x, h, mode="same"), atol=1e-12)
    # The middle of the full result: SciPy centres it at (full - n) // 2.
    full = _loop_convolve_full(x, h)
    start = (full.size - n) // 2
    np.testing.assert_allclose(same, full[start : start + n], atol=1e-12)
    assert np.convolve(x, h, mode="same").size == max(n, k)


# -- basics/plot_sawtooth_gaussian ---------------------------------------------------


def test_valid_output_plotted_from_zero_runs_k_over_2_samples_ahead() -> None:
    x = convdoc.sawtooth(200, 50)
    h = convdoc.gaussian_kernel(21, 3.0)
    k = h.size
    valid = convdoc.convolve(x, h, mode="valid")
    # Hand-worked: valid[n] uses x[n .. n + k - 1], so it belongs at input
    # n + k // 2; the full result's sample n + k - 1 is the same sum.
    full = _loop_convolve_full(x, h)
    np.testing.assert_allclose(valid, full[k - 1 : x.size], atol=1e-12)
    # Drawn at index n it stands where the input is x[n], though it describes
    # the input around n + k // 2: on the straight ramps (which a symmetric,
    # normalised kernel leaves unchanged) it equals the input k // 2 later.
    lags = range(k)
    mismatch = [np.median(np.abs(valid - x[lag : lag + valid.size])) for lag in lags]
    assert int(np.argmin(mismatch)) == k // 2 == 10
    # Ahead, not behind: shifted left, it matches the *later* input.
    assert mismatch[k // 2] < 1e-9 < min(mismatch[: k // 2])


# -- arithmetic/plot_padding_and_stride --------------------------------------------


def test_padding_and_stride_window_centres_are_corners_edge_midpoints_and_centre() -> None:
    n, k, p, s = 5, 3, 1, 2
    trace = convdoc.steps(np.ones((n, n)), np.ones((k, k)), operation="conv", padding=p,
                          stride=s)
    centres = {tuple(int(c) for c in step.center) for step in trace}
    # Hand-worked: window r starts at padded row r*s, its centre at r*s + k//2,
    # which is input row r*s + k//2 - p = 2r.
    expected = {(r * s + k // 2 - p, c * s + k // 2 - p) for r in range(3) for c in range(3)}
    assert centres == expected
    corners = {(0, 0), (0, 4), (4, 0), (4, 4)}
    midpoints = {(0, 2), (2, 0), (2, 4), (4, 2)}
    assert centres == corners | midpoints | {(2, 2)}


# -- arithmetic/plot_odd_case ----------------------------------------------------------


def test_odd_case_explorer_reproduces_three_to_six_with_output_padding_one() -> None:
    from convdoc.explore import Explorer2D

    source = (EXAMPLES[0].parents[1] / "arithmetic" / "plot_odd_case.py").read_text(
        encoding="utf-8"
    )
    call = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Explorer2D"
    )
    keywords = {kw.arg: kw.value for kw in call.keywords}
    assert isinstance(keywords["transposed"], ast.Constant) and keywords["transposed"].value
    assert "output_padding" in keywords
    # The page's numbers: N = 6, K = 3, p = 1, s = 2; a = (N + 2p - K) mod s = 1.
    n, k, p, s = 6, 3, 1, 2
    a = (n + 2 * p - k) % s
    explorer = Explorer2D(input_size=n, kernel_size=k, padding=p, stride=s, transposed=True,
                          output_padding=a)
    # Hand-worked: floor((6 + 2 - 3) / 2) + 1 = 3, and (3 - 1)·2 - 2 + 2 + 1 + 1 = 6.
    assert (explorer.direct_output_size, explorer.transposed_output_size) == (3, 6)
    assert a == 1


# -- images/plot_color ------------------------------------------------------------------


def test_colour_opponent_kernels_sum_as_the_page_says() -> None:
    k = 9
    narrow = convdoc.gaussian_kernel2d(k, 1.0)
    wide = convdoc.gaussian_kernel2d(k, 3.0)
    # Each Gaussian sums to 1, so the page's scaled copies sum to their factors.
    assert narrow.sum() == pytest.approx(1.0) and wide.sum() == pytest.approx(1.0)
    weight = np.zeros((3, 3, k, k))
    weight[0, :] = narrow / 3
    weight[1, 0], weight[1, 1] = narrow, -wide
    weight[2, 2], weight[2, 0], weight[2, 1] = wide, -wide / 2, -wide / 2
    np.testing.assert_allclose(
        weight.sum(axis=(2, 3)), [[1 / 3] * 3, [1, -1, 0], [-0.5, -0.5, 1]], atol=1e-12
    )
    # On a uniform gray patch: brightness keeps the value, the opponents give 0
    # (oracle: the layer written with scipy.signal.correlate2d).
    gray = np.full((3, 12, 12), 0.5)
    out = np.stack([sum(signal.correlate2d(gray[c], weight[o, c], mode="valid")
                        for c in range(3)) for o in range(3)])
    np.testing.assert_allclose(out[0], 0.5, atol=1e-12)
    np.testing.assert_allclose(out[1:], 0.0, atol=1e-12)


# -- cnn/plot_conv_layer_by_hand ------------------------------------------------------------


def test_redder_than_green_responds_most_on_saturated_red_not_on_skin() -> None:
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = plt.imread(f).astype(float) / 255
    step = 4
    h, w = (s // step * step for s in rgb.shape[:2])
    x = np.moveaxis(
        rgb[:h, :w].reshape(h // step, step, w // step, step, 3).mean(axis=(1, 3)), -1, 0
    )
    blur = np.outer([1, 2, 1], [1, 2, 1]) / 16
    # The page's "redder than green" filter, ReLU(blur * R - blur * G - 0.05).
    response = np.maximum(
        signal.correlate2d(x[0], blur, mode="valid")
        - signal.correlate2d(x[1], blur, mode="valid") - 0.05, 0)
    red, green, blue = x[:, 1:-1, 1:-1]
    skin = (red > green) & (green > blue) & (green > 0.3)
    top = response >= np.percentile(response, 99)
    # Strongest responses: saturated red (flag stripes, ribbons), none on skin ...
    assert red[top].mean() > 0.5 and max(green[top].mean(), blue[top].mean()) < 0.2
    assert skin[top].mean() < 0.05
    # ... while most of the active area is the face, at well under half the strength.
    assert skin[response > 0].mean() > 0.5
    assert response[top].mean() > 2 * response[skin].mean()


# -- speed/plot_timing ----------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 33, 257, 1025, 2049])
def test_auto_runs_what_scipy_estimates_and_is_identified_by_its_bits(k: int) -> None:
    x = convdoc.noisy_sine(20_000, period=500.0)
    h = convdoc.gaussian_kernel(k, k / 6)
    direct = convdoc.convolve(x, h, mode="valid", method="direct")
    fft = convdoc.convolve(x, h, mode="valid", method="fft")
    auto = convdoc.convolve(x, h, mode="valid", method="auto")
    # The page tells the method auto ran from bit-identity: it must be unambiguous.
    assert not np.array_equal(direct, fft)
    expected = signal.choose_conv_method(x, h, mode="valid")
    assert np.array_equal(auto, {"direct": direct, "fft": fft}[expected])


# -- speed/plot_convolution_theorem --------------------------------------------------------


def test_convolution_theorem_legends_cover_no_data() -> None:
    import os
    import runpy

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    script = EXAMPLES[0].parents[1] / "speed" / "plot_convolution_theorem.py"
    plt.close("all")
    cwd = os.getcwd()
    try:
        os.chdir(script.parent)
        namespace = runpy.run_path(str(script), run_name="__gallery_test__")
    finally:
        os.chdir(cwd)
    fig = namespace["fig"]
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        checked = 0
        for ax in fig.axes:
            legend = ax.get_legend()
            assert legend is not None
            box = legend.get_window_extent(renderer)
            for line in ax.get_lines():
                points = line.get_transform().transform(line.get_xydata())
                inside = [box.contains(px, py) for px, py in points]
                assert not any(inside), f"legend covers {line.get_label()!r}"
                checked += len(points)
        assert checked > 300
        # The spectra are drawn on L = N + K - 1 = 80 points, the circular ones on 64.
        labels = [line.get_label() for line in fig.axes[1].get_lines()]
        assert "|X H|, 80 points" in labels and "|X H|, 64 points\n(circular)" in labels
    finally:
        plt.close("all")
