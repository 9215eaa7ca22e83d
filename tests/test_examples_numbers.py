"""The identities the image, CNN and speed gallery examples build on, on random inputs.

Each gallery example asserts its own numbers on one photograph or one signal;
these tests check the same identities over many shapes and values, each
against an oracle that does not go through convdoc: the receptive-field
recurrence against impulses, 1x1 convolutions against a matrix product, the
wrap boundary and FFT route against NumPy's FFT and ``numpy.convolve``,
polynomial products against ``numpy.polymul``, a strided correlation and the
sum of its phase correlations against ``numpy.correlate``, exponential
smoothing against ``scipy.signal.lfilter``, pooling against block reshapes,
the learning example's gradient against finite differences of a loss SciPy
computes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc import (
    avg_pool2d,
    conv1d,
    conv2d,
    convolve,
    correlate,
    gaussian_kernel,
    gaussian_kernel2d,
    max_pool2d,
)

# -- Receptive field --------------------------------------------------------

# A layer is (kind, k, stride, dilation); pooling is never dilated here.
layer = st.one_of(
    st.tuples(
        st.just("conv"),
        st.integers(1, 4),
        st.integers(1, 2),
        st.integers(1, 3),
    ),
    st.tuples(st.just("pool"), st.integers(2, 3), st.integers(1, 3), st.just(1)),
)


def _field(layers: list[tuple[str, int, int, int]]) -> tuple[int, int]:
    """Receptive-field size r and jump j by r += (k-1)*d*j, j *= s (from 1, 1)."""
    r, j = 1, 1
    for _, k, s, d in layers:
        r, j = r + (k - 1) * d * j, j * s
    return r, j


def _run(layers: list[tuple[str, int, int, int]], img: np.ndarray) -> np.ndarray:
    # Integers keep every sum exact (no FFT rounding), so "0" means exactly 0.
    for kind, k, s, d in layers:
        if kind == "conv":
            img = conv2d(img, np.ones((k, k), dtype=np.int64), stride=s, dilation=d)
        else:
            # max_pool2d returns float64; the maximum of integers is one of them.
            img = max_pool2d(img, k, stride=s).astype(np.int64)
    return img


def test_receptive_field_recurrence_on_a_hand_worked_stack():
    # conv3 -> r 3; conv3 -> 5; pool2/2 -> 6, j 2; conv3 d2 -> 6 + 2*2*2 = 14;
    # pool2/2 -> 14 + 1*2 = 16, j 4; conv3 -> 16 + 2*4 = 24.
    stack = [
        ("conv", 3, 1, 1),
        ("conv", 3, 1, 1),
        ("pool", 2, 2, 1),
        ("conv", 3, 1, 2),
        ("pool", 2, 2, 1),
        ("conv", 3, 1, 1),
    ]
    assert _field(stack) == (24, 4)


@settings(max_examples=40, deadline=None)
@given(layers=st.lists(layer, min_size=1, max_size=4), probe=st.integers(0, 2))
def test_receptive_field_span_matches_impulses(layers, probe):
    # All weights are positive and the background is zero, so every layer is
    # monotone and non-negative: a pixel influences an output exactly when an
    # impulse there makes it positive, and lighting every pixel outside the
    # predicted span at once must leave the output at 0.
    r, j = _field(layers)
    start = probe * j  # no padding: output o sees input o * j onward
    n = start + r + 3
    outputs = _run(layers, np.zeros((n, n), dtype=np.int64)).shape
    assert outputs[0] > probe  # the input is big enough for the probed output
    where = (probe, probe)

    span = np.zeros((n, n), dtype=bool)
    span[start : start + r, start : start + r] = True
    assert _run(layers, (~span).astype(np.int64))[where] == 0

    # The span's corners do reach it, so the span is no wider than needed.
    last = start + r - 1
    for corner in [(start, start), (start, last), (last, start), (last, last)]:
        pulse = np.zeros((n, n), dtype=np.int64)
        pulse[corner] = 1
        assert _run(layers, pulse)[where] > 0, corner


# -- 1x1 convolutions -------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    c_in=st.integers(1, 5),
    c_out=st.integers(1, 5),
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_by_one_convolution_is_a_matrix_product_over_channels(c_in, c_out, h, w, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((c_in, h, w))
    mix = rng.standard_normal((c_out, c_in))
    bias = rng.standard_normal(c_out)
    expected = (mix @ x.reshape(c_in, -1) + bias[:, None]).reshape(c_out, h, w)
    got = conv2d(x, mix[:, :, None, None], bias)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_rgb_to_ycbcr_round_trip_through_two_one_by_one_layers():
    rng = np.random.default_rng(7)
    x = rng.random((3, 6, 5))
    to_ycc = np.array(
        [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
    )
    offset = np.array([0.0, 0.5, 0.5])
    ycc = conv2d(x, to_ycc[:, :, None, None], offset)
    # A gray pixel has no chroma: Cb = Cr = 0.5 exactly (the rows sum to 0).
    gray = conv2d(np.full((3, 1, 1), 0.25), to_ycc[:, :, None, None], offset)
    np.testing.assert_allclose(gray[:, 0, 0], [0.25, 0.5, 0.5], atol=1e-12)
    inverse = np.linalg.inv(to_ycc)
    back = conv2d(ycc, inverse[:, :, None, None], -inverse @ offset)
    np.testing.assert_allclose(back, x, atol=1e-12)


# -- Convolution theorem ----------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    k=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_wrap_boundary_is_the_fft_circular_convolution_shifted_to_centre(n, k, seed):
    k = min(k, n)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    h = rng.standard_normal(k)
    circular = np.fft.ifft(np.fft.fft(x) * np.fft.fft(h, n)).real
    # "same" keeps full[(k-1)//2 : (k-1)//2 + n], SciPy's centring.
    expected = np.roll(circular, -((k - 1) // 2))
    got = convolve(x, h, mode="same", boundary="wrap")
    np.testing.assert_allclose(got, expected, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 60),
    k=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_zero_padded_fft_gives_the_linear_convolution(n, k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    h = rng.standard_normal(k)
    np.testing.assert_allclose(convolve(x, h, method="fft"), np.convolve(x, h), atol=1e-10)


# -- Stride by phases (speed/plot_strided) ----------------------------------


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 80),
    stride=st.integers(1, 7),
    seed=st.integers(0, 2**32 - 1),
)
def test_strided_correlation_is_the_sum_of_its_phase_correlations(n, k, stride, seed):
    k = min(k, n)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    w = rng.standard_normal(k)
    every = np.correlate(x, w, "valid")[::stride]
    # The example's identity with convdoc's own correlation of each phase.
    phases = [correlate(x[p::stride], w[p::stride], "valid") for p in range(min(stride, k))]
    summed = sum(part[: every.size] for part in phases)
    np.testing.assert_allclose(summed, every, atol=1e-10)
    np.testing.assert_allclose(conv1d(x, w, stride=stride), every, atol=1e-10)


# -- Polynomials ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.integers(-1000, 1000), min_size=1, max_size=12),
    b=st.lists(st.integers(-1000, 1000), min_size=1, max_size=12),
)
def test_integer_polynomial_products_are_exact(a, b):
    got = convolve(np.array(a), np.array(b))
    assert got.dtype.kind == "i"
    expected = np.polymul(np.array(a[::-1]), np.array(b[::-1]))[::-1]
    # numpy.polymul trims leading zeros of the highest powers; convolution keeps them.
    expected = np.concatenate([expected, np.zeros(len(a) + len(b) - 1 - expected.size, int)])
    np.testing.assert_array_equal(got, expected)


def test_long_multiplication_by_digit_convolution():
    m1, m2 = 31415926, 2718281
    d1 = np.array([int(d) for d in str(m1)[::-1]])
    d2 = np.array([int(d) for d in str(m2)[::-1]])
    columns = convolve(d1, d2)
    assert sum(int(v) * 10**p for p, v in enumerate(columns)) == m1 * m2


# -- Smoothing --------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.05, 0.125, 0.5, 0.9])
def test_truncated_geometric_kernel_matches_the_recursive_filter(alpha):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(400)
    taps = int(np.ceil(np.log(1e-9) / np.log(1 - alpha)))
    kernel = alpha * (1 - alpha) ** np.arange(taps)
    got = convolve(x, kernel)[: x.size]
    expected = signal.lfilter([alpha], [1, -(1 - alpha)], x)
    # The weight left out is (1 - alpha)**taps, so no sample can be further off.
    bound = (1 - alpha) ** taps * np.abs(x).sum()
    np.testing.assert_allclose(got, expected, rtol=0, atol=bound)


# -- Pooling ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    p=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_pooling_with_stride_equal_to_window_is_a_block_reduction(h, w, p, seed):
    p = min(p, h, w)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    blocks = x[: h // p * p, : w // p * p].reshape(h // p, p, w // p, p)
    np.testing.assert_allclose(max_pool2d(x, p), blocks.max(axis=(1, 3)))
    np.testing.assert_allclose(avg_pool2d(x, p), blocks.mean(axis=(1, 3)), atol=1e-12)


# -- Separable kernels and learning ----------------------------------------


@pytest.mark.parametrize(("size", "sigma"), [(3, 0.5), (9, 1.5), (21, 4.0)])
def test_separable_gaussian_two_passes_equal_one_2d_pass(size, sigma):
    rng = np.random.default_rng(size)
    img = rng.random((40, 33))
    g = gaussian_kernel(size, sigma)
    two = convolve(
        convolve(img, g[:, None], mode="valid", method="direct"),
        g[None, :],
        mode="valid",
        method="direct",
    )
    one = signal.convolve2d(img, gaussian_kernel2d(size, sigma), mode="valid")
    np.testing.assert_allclose(two, one, atol=1e-12)


def test_mse_gradient_is_the_correlation_of_input_and_residual():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((12, 10))
    y = rng.standard_normal((10, 8))
    w = rng.standard_normal((3, 3))

    def loss(v):
        # SciPy computes the loss, so the finite differences do not go through convdoc.
        return np.mean((signal.correlate2d(x, v, mode="valid") - y) ** 2)

    residual = correlate(x, w, mode="valid") - y
    grad = 2 / y.size * correlate(x, residual, mode="valid")
    step = 1e-5
    numeric = np.zeros((3, 3))
    for a, b in np.ndindex(3, 3):
        e = np.zeros((3, 3))
        e[a, b] = step
        numeric[a, b] = (loss(w + e) - loss(w - e)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
