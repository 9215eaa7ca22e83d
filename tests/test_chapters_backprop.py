"""The claims of the backpropagation and deconvolution chapter, against independent oracles.

The chapter (docs/tutorial/backprop-and-deconvolution.md) checks its glued numbers in
hidden cells when the site is built. These tests pin what it teaches on other shapes:
the gradients of a convolution layer, computed with convdoc's transposed convolution
and a dilated correlation, against central differences of a loss computed by plain
NumPy loops (no convdoc inside the oracle); the transposed convolution's matrix; the
overlap counts behind checkerboard artifacts; and deconvolution by inverse filtering.
"""

from __future__ import annotations

import numpy as np
import pytest

import convdoc


def _loop_conv1d(x, h, stride, padding, dilation):
    """conv1d by its definition: y[n] = sum_m x_p[n s + m d] h[m] (plain loops)."""
    xp = np.concatenate([np.zeros(padding), x, np.zeros(padding)])
    span = dilation * (h.size - 1) + 1
    n_out = (xp.size - span) // stride + 1
    return np.array(
        [sum(xp[n * stride + m * dilation] * h[m] for m in range(h.size)) for n in range(n_out)]
    )


def _loop_conv2d(x, w, stride, padding):
    """Multi-channel conv2d by its definition, x (C_in, R, C), w (C_out, C_in, K, K)."""
    c_in, rows, cols = x.shape
    c_out, _, k, _ = w.shape
    xp = np.zeros((c_in, rows + 2 * padding, cols + 2 * padding))
    xp[:, padding : padding + rows, padding : padding + cols] = x
    r_out = (xp.shape[1] - k) // stride + 1
    c_out_n = (xp.shape[2] - k) // stride + 1
    y = np.zeros((c_out, r_out, c_out_n))
    for o in range(c_out):
        for r in range(r_out):
            for c in range(c_out_n):
                window = xp[:, r * stride : r * stride + k, c * stride : c * stride + k]
                y[o, r, c] = np.sum(window * w[o])
    return y


def _central(f, a, eps=1e-6):
    out = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[index] = eps
        out[index] = (f(a + step) - f(a - step)) / (2 * eps)
    return out


CASES_1D = [  # (N, K, s, p, d)
    (5, 3, 1, 0, 1),
    (9, 3, 2, 1, 1),
    (10, 4, 2, 1, 1),
    (11, 3, 3, 2, 1),
    (12, 3, 1, 2, 2),
    (13, 3, 2, 1, 2),
]


@pytest.mark.parametrize(("n", "k", "s", "p", "d"), CASES_1D)
def test_input_gradient_is_the_transposed_convolution(n, k, s, p, d):
    rng = np.random.default_rng(n * 10 + k)
    x, h = rng.standard_normal(n), rng.standard_normal(k)
    t = rng.standard_normal(_loop_conv1d(x, h, s, p, d).size)

    def loss(a):
        return 0.5 * np.sum((_loop_conv1d(a, h, s, p, d) - t) ** 2)

    g = convdoc.conv1d(x, h, stride=s, padding=p, dilation=d) - t
    # The output padding that brings the length back to N.
    a = n - convdoc.transposed_output_size(g.size, k, stride=s, padding=p, dilation=d)
    assert 0 <= a < max(s, d)
    grad = convdoc.conv_transpose1d(g, h, stride=s, padding=p, dilation=d, output_padding=a)
    np.testing.assert_allclose(grad, _central(loss, x), atol=1e-6)


@pytest.mark.parametrize(
    ("n", "k", "s", "p"), [(n, k, s, p) for n, k, s, p, d in CASES_1D if d == 1]
)
def test_weight_gradient_is_a_correlation_with_the_gradient_dilated_by_the_stride(n, k, s, p):
    rng = np.random.default_rng(n * 7 + k)
    x, h = rng.standard_normal(n), rng.standard_normal(k)
    t = rng.standard_normal(_loop_conv1d(x, h, s, p, 1).size)

    def loss(b):
        return 0.5 * np.sum((_loop_conv1d(x, b, s, p, 1) - t) ** 2)

    g = convdoc.conv1d(x, h, stride=s, padding=p) - t
    grad = convdoc.conv1d(x, g, padding=p, dilation=s)[:k]
    np.testing.assert_allclose(grad, _central(loss, h), atol=1e-6)


def test_worked_example_numbers():
    # The chapter's example, by hand: x = [2, -1, 3, 0, 1], h = [1, 2, -1], t = [1, 0, 2].
    x = np.array([2.0, -1.0, 3.0, 0.0, 1.0])
    h = np.array([1.0, 2.0, -1.0])
    y = convdoc.conv1d(x, h)
    assert y.tolist() == [2 - 2 - 3, -1 + 6 - 0, 3 + 0 - 1]
    g = y - np.array([1.0, 0.0, 2.0])
    assert g.tolist() == [-4, 5, 0]
    # dL/dx[i] = sum_n g[n] h[i - n]
    assert convdoc.conv_transpose1d(g, h).tolist() == [-4, -4 * 2 + 5, 4 + 10, -5, 0]
    # dL/dh[m] = sum_n g[n] x[n + m]
    assert convdoc.conv1d(x, g).tolist() == [-8 - 5, 4 + 15, -12 + 0]


def test_conv2d_gradients_match_central_differences_of_a_loop_layer():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 7))
    w = rng.standard_normal((3, 2, 3, 3))
    t = rng.standard_normal((3, 4, 4))
    g = convdoc.conv2d(x, w, stride=2, padding=1) - t
    grad_x = convdoc.conv_transpose2d(g, w, stride=2, padding=1)
    grad_w = np.stack([
        np.stack([convdoc.conv2d(x[c], g[o], padding=1, dilation=2)[:3, :3] for c in range(2)])
        for o in range(3)
    ])
    np.testing.assert_allclose(
        grad_x, _central(lambda a: 0.5 * np.sum((_loop_conv2d(a, w, 2, 1) - t) ** 2), x),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        grad_w, _central(lambda b: 0.5 * np.sum((_loop_conv2d(x, b, 2, 1) - t) ** 2), w),
        atol=1e-6,
    )


@pytest.mark.parametrize(("n", "k", "s", "p"), [(8, 3, 2, 1), (7, 4, 3, 0), (6, 2, 1, 1)])
def test_transposed_convolution_matrix_is_the_transpose(n, k, s, p):
    rng = np.random.default_rng(k)
    h = rng.standard_normal(k)
    forward = np.stack([_loop_conv1d(np.eye(n)[j], h, s, p, 1) for j in range(n)], axis=1)
    n_out = forward.shape[0]
    a = n - convdoc.transposed_output_size(n_out, k, stride=s, padding=p)
    backward = np.stack(
        [convdoc.conv_transpose1d(np.eye(n_out)[j], h, stride=s, padding=p, output_padding=a)
         for j in range(n_out)],
        axis=1,
    )
    np.testing.assert_allclose(backward, forward.T, atol=1e-12)


@pytest.mark.parametrize(("k", "s"), [(3, 2), (4, 2), (5, 2), (6, 3), (7, 3), (3, 3)])
def test_overlap_counts_are_even_only_when_the_stride_divides_the_kernel(k, s):
    counts = convdoc.conv_transpose1d(np.ones(12), np.ones(k), stride=s)
    inner = counts[k : -k]
    # Hand formula: output n receives one copy per tap t with t = n (mod s).
    expected = [sum(1 for t in range(k) if (n - t) % s == 0) for n in range(k, counts.size - k)]
    assert inner.tolist() == expected
    assert (len(set(expected)) == 1) == (k % s == 0)


def test_checkerboard_counts_in_2d_multiply():
    up3 = convdoc.conv_transpose2d(np.ones((8, 8)), np.ones((3, 3)), stride=2)
    row = convdoc.conv_transpose1d(np.ones(8), np.ones(3), stride=2)
    np.testing.assert_array_equal(up3, np.outer(row, row))
    up4 = convdoc.conv_transpose2d(np.ones((8, 8)), np.ones((4, 4)), stride=2, padding=1)
    assert np.unique(up4[2:-2, 2:-2]).tolist() == [4.0]


def _loop_circular(x, h):
    n, c = x.size, h.size // 2
    return np.array([sum(x[(i - m + c) % n] * h[m] for m in range(h.size)) for i in range(n)])


def test_inverse_filter_undoes_a_convdoc_blur_and_wiener_survives_noise():
    # sigma = 2: the spectrum falls below 1e-6, so noise of 1e-3 is blown up past 1.
    x = convdoc.sawtooth(128, period=32)
    h = convdoc.gaussian_kernel(17, 2.0)
    y = convdoc.convolve(x, h, mode="same", boundary="wrap")
    np.testing.assert_allclose(y, _loop_circular(x, h), atol=1e-12)
    placed = np.zeros(128)
    placed[:17] = h
    big_h = np.fft.fft(np.roll(placed, -8))
    assert np.abs(big_h).min() < 1e-5
    np.testing.assert_allclose(np.fft.ifft(np.fft.fft(y) / big_h).real, x, atol=1e-8)
    noisy = y + 1e-3 * np.random.default_rng(0).standard_normal(128)
    inverse = np.fft.ifft(np.fft.fft(noisy) / big_h).real
    wiener = np.fft.ifft(
        np.fft.fft(noisy) * np.conj(big_h) / (np.abs(big_h) ** 2 + 1e-6 / np.var(x))
    ).real
    err = {name: np.sqrt(np.mean((a - x) ** 2)) for name, a in
           [("noisy", noisy), ("inverse", inverse), ("wiener", wiener)]}
    assert err["wiener"] < err["noisy"] < 1 < err["inverse"]


def test_transposed_convolution_of_a_symmetric_blur_blurs_again():
    x = convdoc.sawtooth(96, period=24)
    h = convdoc.gaussian_kernel(9, 1.0)
    once = convdoc.conv1d(x, h, padding=4, padding_mode="circular")
    back = convdoc.conv_transpose1d(once, h, padding=4)
    twice = _loop_circular(_loop_circular(x, h), h)
    np.testing.assert_allclose(back[8:-8], twice[8:-8], atol=1e-12)
