"""The claims of the frequency-view chapter, checked on convdoc against independent oracles.

The chapter (docs/tutorial/frequency-view.md) checks its own glued numbers in hidden
cells when the site is built; these tests pin the facts it teaches on other sizes and
inputs, with oracles written here: plain loops, the DFT by its definition, and the
closed forms (Dirichlet kernel, folding of frequencies) worked by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

import convdoc


def _dft2(x: np.ndarray) -> np.ndarray:
    """The 2-D DFT by its definition, as matrix products (no FFT)."""
    rows, cols = x.shape
    wr = np.exp(-2j * np.pi * np.outer(np.arange(rows), np.arange(rows)) / rows)
    wc = np.exp(-2j * np.pi * np.outer(np.arange(cols), np.arange(cols)) / cols)
    return wr @ x @ wc.T


def _circular_loop(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Circular 2-D convolution, kernel centred on (0, 0), by a loop over taps."""
    out = np.zeros_like(x, dtype=float)
    r0, c0 = h.shape[0] // 2, h.shape[1] // 2
    for i in range(h.shape[0]):
        for j in range(h.shape[1]):
            out += h[i, j] * np.roll(x, (i - r0, j - c0), axis=(0, 1))
    return out


@pytest.mark.parametrize("shape", [(8, 8), (9, 12)])
@pytest.mark.parametrize("name", ["box_blur", "sobel_x", "laplacian"])
def test_circular_convolution_multiplies_the_spectra(shape, name):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    h = np.asarray(convdoc.kernel2d(name), float)
    y = convdoc.convolve(x, h, mode="same", boundary="wrap")
    np.testing.assert_allclose(y, _circular_loop(x, h), atol=1e-12)
    placed = np.zeros(shape)
    placed[:3, :3] = h
    placed = np.roll(placed, (-1, -1), axis=(0, 1))
    np.testing.assert_allclose(_dft2(y), _dft2(x) * _dft2(placed), atol=1e-9)


def test_laplacian_response_is_two_cosines_minus_four():
    # Worked by hand: H(u, v) = 2 cos 2 pi u + 2 cos 2 pi v - 4, from 0 down to -8.
    size = 16
    placed = np.zeros((size, size))
    placed[:3, :3] = convdoc.kernel2d("laplacian")
    response = _dft2(np.roll(placed, (-1, -1), axis=(0, 1)))
    u = np.arange(size)[:, None] / size
    v = np.arange(size)[None, :] / size
    np.testing.assert_allclose(response, 2 * np.cos(2 * np.pi * u) + 2 * np.cos(2 * np.pi * v) - 4,
                               atol=1e-12)
    assert response.real.min() == pytest.approx(-8)


@pytest.mark.parametrize("k", [3, 5, 7])
@pytest.mark.parametrize("f", [0.1, 0.3, 1 / 3, 0.45])
def test_box_blur_scales_a_cosine_by_the_dirichlet_kernel(k, f):
    n = np.arange(120)
    x = np.cos(2 * np.pi * f * n)
    y = convdoc.convolve(x, convdoc.box_kernel(k), mode="same")
    gain = np.sin(np.pi * f * k) / (k * np.sin(np.pi * f))
    inner = slice(k, -k)  # away from the zero fill
    np.testing.assert_allclose(y[inner], gain * x[inner], atol=1e-12)


def test_box_side_lobe_inverts_period_three_stripes():
    # K = 5, f = 1/3: sin(5 pi / 3) / (5 sin(pi / 3)) = -1/5 exactly.
    cols = np.arange(60)
    stripes = np.tile(np.cos(2 * np.pi * cols / 3), (20, 1))
    out = convdoc.conv2d(stripes, convdoc.box_kernel((5, 5)), padding=2)
    np.testing.assert_allclose(out[4:-4, 4:-4], -0.2 * stripes[4:-4, 4:-4], atol=1e-12)


@pytest.mark.parametrize(("f0", "stride"), [(0.4, 2), (0.3, 2), (0.45, 3), (0.1, 2)])
def test_a_stride_folds_frequencies(f0, stride):
    cols = np.arange(240)
    stripes = np.tile(np.cos(2 * np.pi * f0 * cols), (4, 1))
    kept = convdoc.conv2d(stripes, np.ones((1, 1)), stride=stride)[0]
    folded = abs(stride * f0 - round(stride * f0))  # hand formula, in [0, 1/2]
    np.testing.assert_allclose(kept, np.cos(2 * np.pi * folded * np.arange(kept.size)),
                               atol=1e-9)
    if f0 < 1 / (2 * stride):
        assert folded == pytest.approx(stride * f0)  # below the limit: the same ripple


def test_average_pooling_is_a_two_tap_box_then_stride():
    # Mean of cos at 2n and 2n + 1 = cos(pi f) cos(2 pi f (2n + 1/2)).
    f0 = 0.4
    cols = np.arange(80)
    stripes = np.tile(np.cos(2 * np.pi * f0 * cols), (4, 1))
    pooled = convdoc.avg_pool2d(stripes, 2)[0]
    n = np.arange(pooled.size)
    np.testing.assert_allclose(
        pooled, np.cos(np.pi * f0) * np.cos(2 * np.pi * f0 * (2 * n + 0.5)), atol=1e-12
    )


def test_blur_before_stride_leaves_the_predicted_share_of_energy():
    f0, sigma = 0.4, 1.0
    taps = convdoc.gaussian_kernel(9, sigma)
    cols = np.arange(400)
    stripes = np.tile(np.cos(2 * np.pi * f0 * cols), (12, 1))
    out = convdoc.conv2d(stripes, np.outer([1.0], taps), stride=(1, 2), padding=(0, 4))
    inner = out[:, 8:-8]
    gain = abs(sum(t * np.exp(-2j * np.pi * f0 * (m - 4)) for m, t in enumerate(taps)))
    # The surviving wave has amplitude |H(f0)|: its mean square is |H|^2 / 2.
    assert np.mean(inner**2) == pytest.approx(gain**2 / 2, rel=0.02)
    assert gain**2 < 0.01  # under 1 % of the energy survives
    assert np.exp(-2 * np.pi**2 * sigma**2 * f0**2) == pytest.approx(gain, rel=0.05)


def _loop_full(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    y = np.zeros(x.size + h.size - 1)
    for i, xi in enumerate(x):
        for m, hm in enumerate(h):
            y[i + m] += xi * hm
    return y


@pytest.mark.parametrize(("n", "k", "block"), [(10, 3, 4), (37, 5, 8), (64, 9, 16), (20, 7, 3)])
def test_overlap_add_of_convdoc_blocks_is_the_full_convolution(n, k, block):
    rng = np.random.default_rng(n)
    x, h = rng.standard_normal(n), rng.standard_normal(k)
    total = np.zeros(n + k - 1)
    for start in range(0, n, block):
        part = convdoc.convolve(x[start : start + block], h)
        total[start : start + part.size] += part
    np.testing.assert_allclose(total, _loop_full(x, h), atol=1e-12)


def test_overlap_add_worked_example_numbers():
    # The chapter's example: x = 1..10, h = [1, 1, 1], blocks of 4.
    x = np.arange(1.0, 11.0)
    h = np.ones(3)
    assert convdoc.convolve(x[:4], h).tolist() == [1, 3, 6, 9, 7, 4]
    assert convdoc.convolve(x[4:8], h).tolist() == [5, 11, 18, 21, 15, 8]
    assert convdoc.convolve(x[8:], h).tolist() == [9, 19, 19, 10]
    assert _loop_full(x, h).tolist() == [1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 19, 10]
