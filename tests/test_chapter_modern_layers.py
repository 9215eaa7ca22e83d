"""The numbers of the chapter "Modern convolution layers", recomputed by independent oracles.

The chapter's code cells (the hidden ones too) run here once, in order, as the site
build runs them, with :func:`myst_nb.glue` replaced by a recorder. Every number its
prose shows is then checked against a computation that does not use convdoc: the
counting formulas of the papers it cites written out by hand, sets of tap offsets
listed with :mod:`itertools`, and the effective receptive field rebuilt with
:func:`scipy.signal.convolve` from the chapter's own random kernels.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.signal
from test_chapters import _code

NAME = "modern-layers"


@pytest.fixture(scope="module")
def chapter() -> tuple[dict[str, Any], dict[str, Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    glued: dict[str, Any] = {}

    def record(key: str, value: Any, display: bool = True) -> None:
        assert key not in glued, f"{key} glued twice"
        glued[key] = value

    namespace: dict[str, Any] = {"__name__": "chapter_modern_layers"}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(myst_nb, "glue", record)
        try:
            for cell in _code(NAME):
                exec(compile(cell, f"<{NAME}>", "exec"), namespace)
        finally:
            plt.close("all")
    return glued, namespace


def test_depthwise_worked_example_by_hand(chapter) -> None:
    glued, _ = chapter
    x0, x1 = [1, 2, 4, 7], [10, 20, 40, 70]
    assert glued["dw_x0"] == str(x0) and glued["dw_x1"] == str(x1)
    # Kernel [1, 1] on channel 0, [-1, 1] on channel 1, nothing summed across channels.
    assert glued["dw_y0"] == str([x0[n] + x0[n + 1] for n in range(3)])
    assert glued["dw_y1"] == str([x1[n + 1] - x1[n] for n in range(3)])
    # Three 9 x 9 kernels; the full layer's (3, 3, 9, 9) weight has 6 zero kernels.
    assert glued["dw_params"] == f"{3 * 9 * 9:,}"
    assert glued["dw_full_params"] == f"{3 * 3 * 9 * 9:,}"
    assert glued["dw_zero_kernels"] == 3 * 3 - 3


def test_mobilenet_counts_follow_the_paper_formula(chapter) -> None:
    glued, _ = chapter
    c, k = 512, 3
    pixels = 14 * 14  # PyTorch: (14 + 2*1 - (3 - 1) - 1) // 1 + 1 = 14 per axis
    full = k * k * c * c
    separable = k * k * c + c * c  # Howard et al. (2017), section 3.1
    assert glued["mb_full_params"] == f"{full:,}"
    assert glued["mb_sep_params"] == f"{separable:,}"
    assert glued["mb_full_macs"] == f"{full * pixels:,}"
    assert glued["mb_sep_macs"] == f"{separable * pixels:,}"
    assert glued["mb_ratio"] == f"{1 / c + 1 / k**2:.3f}"
    assert glued["mb_times"] == f"{1 / (1 / c + 1 / k**2):.1f}"


def test_resnext_and_resnet_block_budgets(chapter) -> None:
    glued, _ = chapter
    assert glued["rx_full"] == f"{3 * 3 * 128 * 128:,}"
    assert glued["rx_grouped"] == f"{3 * 3 * (128 // 32) * 128:,}"
    # Xie et al. (2017), fig. 1: both blocks about 70k parameters (no biases).
    resnet = 256 * 64 + 3 * 3 * 64 * 64 + 64 * 256
    resnext = 256 * 128 + 3 * 3 * 4 * 128 + 128 * 256
    assert glued["rx_resnet"] == f"{resnet:,}"
    assert glued["rx_resnext"] == f"{resnext:,}"
    assert round(resnet, -3) == round(resnext, -3) == 70_000


def test_three_3x3_against_one_7x7(chapter) -> None:
    glued, namespace = chapter
    c = glued["vgg_c"]
    assert glued["vgg_stack"] == f"{3 * 3 * 3 * c * c:,}"
    assert glued["vgg_single"] == f"{7 * 7 * c * c:,}"
    # Simonyan and Zisserman (2015), section 2.3: "81% more" parameters for the 7 x 7.
    assert glued["vgg_more"] == "81"
    assert glued["vgg_field"] == 1 + 3 * (3 - 1)
    # The path counts drawn: each axis is the coefficients of (1 + z + z^2)^3.
    row = [sum(1 for t in itertools.product(range(3), repeat=3) if sum(t) == s) for s in range(7)]
    np.testing.assert_array_equal(namespace["three_3"], np.outer(row, row))


def test_wavenet_fields(chapter) -> None:
    glued, _ = chapter
    assert glued["wn_field"] == 1 + (1 + 2 + 4 + 8)
    assert glued["wn_big_layers"] == 10
    assert glued["wn_big_field"] == 2**10  # van den Oord et al. (2016): 1, 2, ..., 512
    assert glued["wn_plain_layers"] == 2**10 - 1


@pytest.mark.parametrize(
    ("key", "dilations"),
    [("grid_full", (1, 2, 4, 8)), ("grid_222", (2, 2, 2, 2)), ("grid_2416", (2, 4, 8, 16))],
)
def test_gridding_coverage_from_the_tap_offsets(chapter, key, dilations) -> None:
    glued, _ = chapter
    offsets = {
        sum(t * d for t, d in zip(taps, dilations, strict=True))
        for taps in itertools.product((-1, 0, 1), repeat=len(dilations))
    }
    side = 1 + 2 * sum(dilations)
    assert glued[key] == f"{100 * len(offsets) ** 2 / side**2:.0f}"
    if key == "grid_full":
        assert glued["grid_side_1248"] == side


def test_effective_receptive_field_from_the_kernels_with_scipy(chapter) -> None:
    glued, namespace = chapter
    weights = namespace["erf_weights"]
    depth = len(weights)
    assert glued["erf_depth"] == depth
    assert glued["erf_theory"] == 1 + 2 * depth
    assert glued["erf_theory_px"] == (1 + 2 * depth) ** 2
    # A stack of correlations is a correlation with the convolution of the kernels:
    # the gradient of the centre output is that kernel, built here with SciPy.
    kernel = np.ones((1, 1))
    for w in weights:
        kernel = scipy.signal.convolve(kernel, w)
    share = kernel / kernel.sum()
    ranked = np.sort(share.ravel())[::-1]
    n95 = int(np.argmax(np.cumsum(ranked) >= 0.95)) + 1
    assert glued["erf_n95"] == n95
    assert glued["erf_share"] == f"{100 * n95 / (1 + 2 * depth) ** 2:.0f}"
    # Its column sums are the distribution of a sum of independent steps, one per
    # layer: variances add (each layer's from its kernel's column sums).
    variance = 0.0
    for w in weights:
        q = w.sum(axis=0) / w.sum()
        steps = np.arange(-1, 2)
        variance += (q * steps**2).sum() - (q * steps).sum() ** 2
    assert glued["erf_sd"] == f"{np.sqrt(variance):.2f}"
    # The chapter's input is wider than the field: the same zeros around it.
    margin = (namespace["ERF_SIDE"] - kernel.shape[0]) // 2
    profile = np.pad(share.sum(axis=0), margin)
    u = np.arange(profile.size) - profile.size // 2
    mean = (profile * u).sum()
    gaussian = np.exp(-((u - mean) ** 2) / (2 * variance))
    gaussian /= gaussian.sum()
    assert glued["erf_gap"] == f"{100 * np.abs(profile - gaussian).max() / profile.max():.1f}"
    # "much smaller": a quarter of the field or so holds 95 % of the gradient.
    assert n95 < 0.4 * (1 + 2 * depth) ** 2
