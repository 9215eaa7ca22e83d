"""Kernels: normalization, symmetry, the seed's Gaussian formula, edge signs, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from convdoc.kernels import KERNELS2D, box_kernel, gaussian_kernel, gaussian_kernel2d, kernel2d

NAMES = [
    "identity",
    "box_blur",
    "gaussian_blur",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "laplacian",
    "emboss",
    "outline",
]


@pytest.mark.parametrize("size", [1, 3, 5, 21, 51])
@pytest.mark.parametrize("sigma", [0.1, 1.0, 3.0, 10.0])
def test_gaussian_odd_sizes_match_the_seed_formula(size, sigma):
    # The seed page's formula, valid for odd sizes only.
    t = np.linspace(-(size // 2), size // 2, size)
    expected = np.exp(-(t**2) / (2 * sigma**2))
    expected /= expected.sum()
    np.testing.assert_allclose(gaussian_kernel(size, sigma), expected, rtol=1e-12)


def test_gaussian_default_is_21_taps_sigma_3():
    t = np.arange(-10, 11)
    expected = np.exp(-(t**2) / 18.0)
    np.testing.assert_allclose(gaussian_kernel(), expected / expected.sum(), rtol=1e-12)


@pytest.mark.parametrize("size", [2, 4, 10])
def test_gaussian_even_sizes_sit_on_half_offsets(size):
    k = gaussian_kernel(size, 1.5)
    # scipy.signal.windows.gaussian uses the same centred offsets n - (M-1)/2.
    expected = signal.windows.gaussian(size, 1.5)
    np.testing.assert_allclose(k, expected / expected.sum(), rtol=1e-12)
    np.testing.assert_allclose(k, k[::-1], rtol=1e-12)


@pytest.mark.parametrize("size", [1, 2, 7, 21])
@pytest.mark.parametrize("sigma", [0.5, 3.0, 40.0])
def test_gaussian_sums_to_one_and_is_symmetric_and_peaks_in_the_middle(size, sigma):
    k = gaussian_kernel(size, sigma)
    assert k.shape == (size,)
    assert k.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(k, k[::-1], rtol=1e-12)
    assert k.argmax() == (size - 1) // 2


def test_sigma_sets_width_not_height():
    narrow, wide = gaussian_kernel(41, 2.0), gaussian_kernel(41, 6.0)
    offsets = np.arange(41) - 20
    # Spread (standard deviation of the taps) grows with sigma ...
    assert np.sqrt((wide * offsets**2).sum()) > np.sqrt((narrow * offsets**2).sum())
    # ... while the total weight stays 1, so the peak gets lower.
    assert wide.max() < narrow.max()
    assert wide.sum() == pytest.approx(narrow.sum())


def test_gaussian_kernel2d_is_the_outer_product():
    k = gaussian_kernel2d((5, 7), sigma=(1.0, 2.0))
    np.testing.assert_allclose(k, np.outer(gaussian_kernel(5, 1.0), gaussian_kernel(7, 2.0)))
    assert k.sum() == pytest.approx(1.0)
    square = gaussian_kernel2d(5, 1.2)
    np.testing.assert_allclose(square, square.T)
    np.testing.assert_allclose(square, square[::-1, ::-1])
    assert gaussian_kernel2d().shape == (5, 5)


def test_box_kernel():
    np.testing.assert_array_equal(box_kernel(4), np.full(4, 0.25))
    k = box_kernel((2, 3))
    assert k.shape == (2, 3)
    np.testing.assert_allclose(k, 1 / 6)
    assert box_kernel(1).tolist() == [1.0]


def test_named_kernels_are_the_documented_matrices():
    assert set(KERNELS2D) == set(NAMES)
    np.testing.assert_array_equal(KERNELS2D["sobel_x"], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(KERNELS2D["sobel_y"], KERNELS2D["sobel_x"].T)
    np.testing.assert_array_equal(
        KERNELS2D["gaussian_blur"] * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    )
    # sharpen = identity - laplacian
    np.testing.assert_array_equal(
        KERNELS2D["sharpen"], KERNELS2D["identity"] - KERNELS2D["laplacian"]
    )


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("identity", 1),
        ("box_blur", 1),
        ("gaussian_blur", 1),
        ("sharpen", 1),
        ("emboss", 1),
        ("sobel_x", 0),
        ("sobel_y", 0),
        ("laplacian", 0),
        ("outline", 0),
    ],
)
def test_named_kernel_sums(name, total):
    # Sum 1: flat regions keep their brightness; sum 0: flat regions go black.
    assert KERNELS2D[name].shape == (3, 3)
    assert KERNELS2D[name].dtype == np.float64
    assert KERNELS2D[name].sum() == pytest.approx(total, abs=1e-12)


@pytest.mark.parametrize(
    "name", ["identity", "box_blur", "gaussian_blur", "sharpen", "laplacian", "outline"]
)
def test_symmetric_kernels_are_unchanged_by_the_flip(name):
    k = KERNELS2D[name]
    np.testing.assert_array_equal(k, k[::-1, ::-1])


def test_identity_returns_the_image():
    image = np.random.default_rng(0).random((6, 7))
    np.testing.assert_allclose(
        signal.correlate2d(image, KERNELS2D["identity"], "valid"), image[1:-1, 1:-1]
    )


def _vertical_edge(dark_to_bright: bool) -> np.ndarray:
    image = np.zeros((5, 6))
    image[:, 3:] = 1.0
    return image if dark_to_bright else image[:, ::-1]


def test_sobel_x_sign_on_a_vertical_edge():
    # Cross-correlation (conv2d's convention): positive where brightness rises to the right.
    rising = signal.correlate2d(_vertical_edge(True), KERNELS2D["sobel_x"], "valid")
    falling = signal.correlate2d(_vertical_edge(False), KERNELS2D["sobel_x"], "valid")
    # Windows covering columns 1..3 and 2..4 straddle the edge: 1 + 2 + 1 = 4 each.
    np.testing.assert_array_equal(rising, [[0, 4, 4, 0]] * 3)
    np.testing.assert_array_equal(falling, -rising[:, ::-1])
    # A true convolution flips the kernel and with it the sign.
    np.testing.assert_array_equal(
        signal.convolve2d(_vertical_edge(True), KERNELS2D["sobel_x"], "valid"), -rising
    )
    # sobel_y ignores a vertical edge.
    np.testing.assert_array_equal(
        signal.correlate2d(_vertical_edge(True), KERNELS2D["sobel_y"], "valid"), 0
    )


def test_sobel_y_sign_on_a_horizontal_edge():
    image = _vertical_edge(True).T  # bright below: brightness rises with the row index
    out = signal.correlate2d(image, KERNELS2D["sobel_y"], "valid")
    assert (out >= 0).all() and out.max() == 4


def test_laplacian_and_outline_vanish_on_a_ramp_and_are_negative_on_a_bright_spot():
    ramp = np.add.outer(np.arange(5.0), 2 * np.arange(6.0))
    np.testing.assert_allclose(signal.correlate2d(ramp, KERNELS2D["laplacian"], "valid"), 0)
    spot = np.zeros((3, 3))
    spot[1, 1] = 1
    assert signal.correlate2d(spot, KERNELS2D["laplacian"], "valid")[0, 0] == -4
    assert signal.correlate2d(spot, KERNELS2D["outline"], "valid")[0, 0] == 8


def test_kernels2d_is_read_only_and_kernel2d_returns_a_fresh_copy():
    with pytest.raises(TypeError):
        KERNELS2D["mine"] = np.ones((3, 3))  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        KERNELS2D["sharpen"][0, 0] = 99
    k = kernel2d("sharpen")
    k[0, 0] = 99
    assert KERNELS2D["sharpen"][0, 0] == 0
    assert kernel2d("sharpen")[0, 0] == 0
    assert kernel2d("sobel_x") is not kernel2d("sobel_x")


@pytest.mark.parametrize("name", NAMES)
def test_kernel2d_matches_the_mapping(name):
    np.testing.assert_array_equal(kernel2d(name), KERNELS2D[name])
    assert kernel2d(name).flags.writeable


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="name must be one of") as info:
        kernel2d("blur")
    for name in NAMES:
        assert repr(name) in str(info.value)
    assert "'blur'" in str(info.value)
    with pytest.raises(TypeError, match="name"):
        kernel2d(3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gaussian_kernel(0), ValueError, "size must be a positive integer, got 0"),
        (lambda: gaussian_kernel(-3), ValueError, "size must be a positive integer, got -3"),
        (lambda: gaussian_kernel(5.0), TypeError, "size must be a positive integer, got 5.0"),
        (lambda: gaussian_kernel(5, 0), ValueError, "sigma must be a positive real number, got 0"),
        (lambda: gaussian_kernel(5, -1.0), ValueError, "sigma must be a positive real number"),
        (lambda: gaussian_kernel(5, float("inf")), ValueError, "sigma must be a finite"),
        (lambda: gaussian_kernel(5, "3"), TypeError, "sigma must be a real number, got '3'"),
        (lambda: gaussian_kernel2d((3, 0)), ValueError, r"size\[1\] must be a positive integer"),
        (lambda: gaussian_kernel2d(3, (1.0, 0.0)), ValueError, r"sigma\[1\] must be a positive"),
        (lambda: gaussian_kernel2d(3, (1.0,)), ValueError, "sigma must be a number or a pair"),
        (lambda: box_kernel(0), ValueError, "size must be a positive integer, got 0"),
        (lambda: box_kernel((2, 2, 2)), ValueError, "size must be an integer or a sequence of 2"),
        (lambda: box_kernel(True), TypeError, "size must be a positive integer, got True"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
