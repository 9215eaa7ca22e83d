"""The numbers of the issue-14 chapters, recomputed by independent oracles.

Each chapter's code cells (the hidden ones too) run here once, in order, as the
site build runs them, with :func:`myst_nb.glue` replaced by a recorder. Every
number the prose shows is then checked against a computation that does not use
convdoc's engine: exact fractions from listing every outcome with
:mod:`itertools`, closed-form counts, :mod:`scipy.stats`, :mod:`scipy.ndimage`.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_chapters import _code

DOCS = Path(__file__).resolve().parent.parent / "docs"


def run_chapter(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict]:
    """Execute a chapter's cells in one namespace; return (glued values, namespace)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import myst_nb

    glued: dict[str, Any] = {}

    def record(key: str, value: Any, display: bool = True) -> None:
        assert key not in glued, f"{key} glued twice"
        glued[key] = value

    monkeypatch.setattr(myst_nb, "glue", record)
    namespace: dict[str, Any] = {"__name__": f"chapter_{name}"}
    try:
        for number, cell in enumerate(_code(name)):
            exec(compile(cell, f"<{name} cell {number}>", "exec"), namespace)
    finally:
        plt.close("all")
    return glued, namespace


# -- probability-of-a-sum -------------------------------------------------------


@pytest.fixture(scope="module")
def probability() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        glued, _ = run_chapter("probability-of-a-sum", monkeypatch)
    return glued


def _dice(weights_a: list[int], weights_b: list[int], combine) -> dict[int, Fraction]:
    """Exact distribution of combine(A, B) for dice with faces 1..6 and these weights."""
    out: dict[int, Fraction] = {}
    ta, tb = sum(weights_a), sum(weights_b)
    for (a, wa), (b, wb) in itertools.product(
        zip(range(1, 7), weights_a, strict=True), zip(range(1, 7), weights_b, strict=True)
    ):
        key = combine(a, b)
        out[key] = out.get(key, 0) + Fraction(wa, ta) * Fraction(wb, tb)
    return out


FAIR = [1] * 6
LOADED = [1, 2, 3, 4, 5, 6]


def test_dice_totals_match_listing_all_36_outcomes(probability: dict[str, Any]) -> None:
    sums = _dice(FAIR, LOADED, lambda a, b: a + b)
    assert Fraction(probability["p4_exact"]) == sums[4] == Fraction(1, 21)
    assert probability["p4_value"] == pytest.approx(float(sums[4]))
    assert probability["first_p4"] == pytest.approx(float(sums[4]))
    assert probability["first_p7"] == pytest.approx(float(sums[7]))
    assert probability["first_p10"] == pytest.approx(float(sums[10]))
    assert probability["sum_at7"] == pytest.approx(float(sums[7]))
    # The loaded die favours high faces: 10 is likelier than 4, as the text says.
    assert sums[10] > sums[4]


def test_unflipped_slide_is_the_distribution_of_the_difference(
    probability: dict[str, Any],
) -> None:
    diffs = _dice(FAIR, LOADED, lambda a, b: a - b)
    sums = _dice(FAIR, LOADED, lambda a, b: a + b)
    assert Fraction(probability["diff_p1"]) == diffs[1]
    assert probability["diff_at7"] == pytest.approx(float(diffs[1]))
    assert diffs[1] != sums[7]
    fair_sums = _dice(FAIR, FAIR, lambda a, b: a + b)
    assert Fraction(probability["fair_p7"]) == fair_sums[7] == Fraction(1, 6)


def test_multiplication_table_anti_diagonal(probability: dict[str, Any]) -> None:
    sums = _dice(FAIR, LOADED, lambda a, b: a + b)
    # In units of 1/126 the products P(A=a)P(B=b) are the integers b.
    assert int(probability["table_s7"]) == sums[7] * 126 == sum(range(1, 7))
    assert probability["table_s7_cells"] == sum(1 for a in range(1, 7) if 1 <= 7 - a <= 6)


def _ways(n: int, s: int, faces: int = 6) -> int:
    """Ways n dice with faces 1..faces add up to s (inclusion-exclusion, closed form)."""
    t = s - n  # shift faces to 0..faces-1
    return sum(
        (-1) ** j * math.comb(n, j) * math.comb(t - j * faces + n - 1, n - 1)
        for j in range(n + 1)
        if t - j * faces >= 0
    )


def test_central_limit_numbers_from_closed_form_counts(probability: dict[str, Any]) -> None:
    from scipy.stats import norm

    mu, var = 3.5, 35 / 12
    assert Fraction(probability["clt_p7_two"]) == Fraction(_ways(2, 7), 36) == Fraction(1, 6)
    assert probability["clt_p7_two_value"] == pytest.approx(1 / 6)
    assert Fraction(probability["clt_var_two"]) == Fraction(35, 6)
    assert probability["clt_bell7_two"] == pytest.approx(norm.pdf(7, 7, math.sqrt(2 * var)))
    gaps = {}
    for n in (1, 2, 3, 4, 8, 16):
        s = np.arange(n, 6 * n + 1)
        p = np.array([_ways(n, int(v)) for v in s], dtype=float) / 6.0**n
        assert p.sum() == pytest.approx(1.0)
        # The chapter's bell is evaluated on every index 0..6n, zeros included.
        s_all = np.arange(6 * n + 1)
        p_all = np.zeros(s_all.size)
        p_all[n:] = p
        bell = norm.pdf(s_all, n * mu, math.sqrt(n * var))
        gaps[n] = np.max(np.abs(p_all - bell)) / bell.max()
        assert probability[f"clt_err_{n}"] == pytest.approx(100 * gaps[n], rel=1e-9)
    assert probability["clt_ratio"] == pytest.approx(gaps[8] / gaps[16], rel=1e-9)
    # "shrinks like 1/n": doubling the dice roughly halves the gap.
    assert 1.7 < gaps[8] / gaps[16] < 2.3


def test_three_box_blurs_against_scipy(probability: dict[str, Any]) -> None:
    import matplotlib.pyplot as plt
    from matplotlib import cbook
    from scipy import ndimage

    # The page's photograph, read by matplotlib: the top 512 x 512 pixels averaged over
    # 2 x 2 blocks, Rec. 709 grey, in grey levels 0-255.
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = plt.imread(f).astype(float)[:512, :512]
    photo = rgb.reshape(256, 2, 256, 2, 3).mean(axis=(1, 3)) @ np.array([0.2126, 0.7152, 0.0722])
    k = probability["blur_k"]
    assert k == 7
    blurred = photo
    for _ in range(3):
        blurred = ndimage.uniform_filter(blurred, k, mode="mirror")
    sigma = math.sqrt(3 * (k * k - 1) / 12)
    radius = math.ceil(4 * sigma)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    gauss = ndimage.correlate1d(photo, taps, axis=0, mode="mirror")
    gauss = ndimage.correlate1d(gauss, taps, axis=1, mode="mirror")
    gap = np.abs(blurred - gauss)
    assert probability["blur_sigma3"] == pytest.approx(sigma)
    assert probability["blur_size3"] == 2 * radius + 1
    assert probability["blur_box3"] == 3 * k - 2
    assert probability["blur_max3"] == pytest.approx(gap.max(), rel=1e-6)
    assert probability["blur_rms3"] == pytest.approx(np.sqrt(np.mean(gap**2)), rel=1e-6)
    one = ndimage.uniform_filter(photo, k, mode="mirror")
    sigma1 = math.sqrt((k * k - 1) / 12)
    r1 = math.ceil(4 * sigma1)
    t1 = np.exp(-0.5 * (np.arange(-r1, r1 + 1) / sigma1) ** 2)
    t1 /= t1.sum()
    g1 = ndimage.correlate1d(ndimage.correlate1d(photo, t1, axis=0, mode="mirror"), t1,
                             axis=1, mode="mirror")
    assert probability["blur_max1"] == pytest.approx(np.abs(one - g1).max(), rel=1e-6)
    assert probability["blur_rms1"] == pytest.approx(np.sqrt(np.mean((one - g1) ** 2)), rel=1e-6)
    rms1, rms3 = np.sqrt(np.mean((one - g1) ** 2)), np.sqrt(np.mean(gap**2))
    assert probability["blur_rms_ratio"] == pytest.approx(rms1 / rms3, rel=1e-6)
    # The text: after three passes the average gap is under one grey level.
    assert rms3 < 1 < rms1


# -- linear-systems ---------------------------------------------------------------


@pytest.fixture(scope="module")
def lti() -> tuple[dict[str, Any], dict[str, Any]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return run_chapter("linear-systems", monkeypatch)


def _box_filter() -> tuple[np.ndarray, np.ndarray]:
    """The black box's recursive filter as lfilter coefficients, from the page's prose."""
    b = np.zeros(13)
    b[0], b[12] = 1.0, 0.5
    return b, np.array([1.0, -1.3, 0.64])


def test_black_box_is_the_filter_the_page_reveals(lti) -> None:
    from scipy.signal import lfilter

    glued, ns = lti
    b, a = _box_filter()
    assert (glued["inside_a1"], glued["inside_a2"]) == (1.3, 0.64)
    assert (glued["inside_gain"], glued["inside_echo"]) == (0.5, 12)
    assert glued["inside_decay"] == pytest.approx(abs(np.roots(a)).max())
    probe = np.random.default_rng(0).standard_normal(80)
    np.testing.assert_allclose(ns["black_box"](probe), lfilter(b, a, probe), atol=1e-12)
    h4 = lfilter(b, a, [1.0, 0, 0, 0])
    for i in range(4):
        assert glued[f"h4_{i}"] == pytest.approx(h4[i])
    assert glued["y3_by_hand"] == pytest.approx(lfilter(b, a, [2.0, -1.0, 0.0, 3.0])[3])
    assert glued["first_len"] == 200
    assert 0 <= glued["first_gap"] < 1e-11  # rounding only


def test_failures_measured_against_lfilter(lti) -> None:
    from scipy.signal import lfilter

    glued, ns = lti
    b, a = _box_filter()
    x = ns["x"]  # the noisy sine the page predicts
    fade = np.linspace(1.0, 0.2, 200)
    assert (glued["fade_from"], glued["fade_to"]) == (1.0, 0.2)
    spike = np.zeros(200)
    spike[0] = 1.0
    late = np.roll(spike, 100)
    systems = {
        "fade": lambda v: fade * lfilter(b, a, v),
        "sat": lambda v: 4 * np.tanh(lfilter(b, a, v) / 4),
    }
    for key, system in systems.items():
        predicted = np.convolve(x, system(spike))[:200]
        actual = system(x)
        share = np.abs(actual - predicted).max() / np.abs(actual).max()
        assert glued[f"fail_{key}"] == pytest.approx(100 * share, rel=1e-6)
        assert share > 0.1
    assert glued["fade_peak_early"] == pytest.approx(np.abs(systems["fade"](spike)).max())
    assert glued["fade_peak_late"] == pytest.approx(np.abs(systems["fade"](late)).max())
    sat = systems["sat"]
    assert glued["sat_ratio"] == pytest.approx(np.abs(sat(2 * x)).max() / np.abs(sat(x)).max())
    assert glued["sat_ratio"] < 2


def test_associativity_numbers(lti) -> None:
    glued, _ = lti
    assert glued["tri_taps"] == "[1, 2, 3, 2, 1] / 9"
    assert glued["tri_k"] == 5
    assert glued["assoc_k"] == 25 + 33 - 1
    assert glued["assoc_gap"] < 1e-12

    def bell(size: int, sigma: float) -> np.ndarray:
        t = np.arange(size) - (size - 1) / 2
        g = np.exp(-0.5 * (t / sigma) ** 2)
        return g / g.sum()

    g34 = np.convolve(bell(25, 3.0), bell(33, 4.0))
    t = np.arange(g34.size) - g34.size // 2
    assert glued["g_spread"] == pytest.approx(np.sqrt(np.sum(g34 * t**2)), rel=1e-9)
    g5 = bell(g34.size, 5.0)
    assert glued["g_gap"] == pytest.approx(100 * np.abs(g34 - g5).max() / g5.max(), rel=1e-6)
    assert glued["ten_layers_k"] == 10 * (3 - 1) + 1


def test_separable_numbers(lti) -> None:
    from scipy.linalg import svdvals

    glued, _ = lti
    k = 2 * math.ceil(4 * 3.0) + 1
    assert (glued["sep_k"], glued["sep_full"], glued["sep_two"]) == (k, k * k, 2 * k)
    assert glued["sep_gap"] < 1e-9
    yy, xx = np.mgrid[-4:5, -4:5]
    s = svdvals((xx**2 + yy**2 <= 16).astype(float))
    assert glued["disc_rank"] == int(np.sum(s > 1e-10 * s[0])) > 1


def test_collapse_and_relu_numbers(lti) -> None:
    glued, ns = lti
    w1, w2, signal = ns["w1"], ns["w2"], ns["signal"]

    def layer(v: np.ndarray, w: np.ndarray) -> np.ndarray:  # torch's conv1d, valid
        return np.correlate(v, w, mode="valid")

    linear = layer(layer(signal, w1), w2)
    relu = layer(np.maximum(layer(signal, w1), 0), w2)
    one = layer(signal, np.convolve(w1, w2))
    assert np.abs(linear - one).max() < 1e-12 and glued["collapse_gap"] < 1e-12
    assert glued["relu_gap"] == pytest.approx(np.abs(relu - one).max())
    assert glued["relu_peak"] == pytest.approx(np.abs(relu).max())
    # The least-squares fit, redone with scipy on windows cut by hand.
    from scipy.linalg import lstsq

    import convdoc

    rows, targets = [], []
    for seed in range(glued["fit_signals"]):
        s = convdoc.noisy_sine(64, 16, seed=seed)
        rows += [np.r_[s[i : i + 5], 1.0] for i in range(s.size - 4)]
        targets.append(layer(np.maximum(layer(s, w1), 0), w2))
    design, target = np.array(rows), np.concatenate(targets)
    coef, *_ = lstsq(design, target)
    residual = target - design @ coef
    share = np.sqrt(np.mean(residual**2)) / np.std(target)
    assert glued["fit_share"] == pytest.approx(100 * share, rel=1e-6)


def test_commutativity_numbers(lti) -> None:
    from scipy.signal import convolve

    glued, ns = lti
    x, h = ns["x40"], ns["h7"]
    assert (glued["comm_n"], glued["comm_k"]) == (x.size, h.size) == (40, 7)
    same_hx = convolve(h, x, mode="same")
    full = convolve(x, h)
    assert glued["comm_same_hx"] == same_hx.size == 7
    assert glued["comm_same_first"] == pytest.approx(same_hx[0])
    assert glued["comm_same_at"] == pytest.approx(convolve(x, h, mode="same")[0])
    where = [i for i in range(full.size - 6) if np.allclose(full[i : i + 7], same_hx)]
    assert where == [glued["comm_same_where"]]
    assert "40" in glued["comm_layer_error"] and "7" in glued["comm_layer_error"]
