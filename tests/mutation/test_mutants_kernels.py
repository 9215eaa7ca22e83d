"""convdoc.kernels: array sizes and sigmas, defaults, messages, warnings (tests/MUTANTS.md)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from convdoc import box_kernel, gaussian_kernel, gaussian_kernel2d


def _bell(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def test_a_0d_array_is_one_number_and_a_1d_array_one_per_axis() -> None:
    np.testing.assert_allclose(box_kernel(np.array(3)), [1 / 3] * 3)
    np.testing.assert_allclose(box_kernel(np.array([2, 3])), np.full((2, 3), 1 / 6))
    np.testing.assert_allclose(
        gaussian_kernel2d(5, np.array(1.0)), np.outer(_bell(5, 1.0), _bell(5, 1.0))
    )
    np.testing.assert_allclose(
        gaussian_kernel2d(5, np.array([1.0, 2.0])), np.outer(_bell(5, 1.0), _bell(5, 2.0))
    )


def test_gaussian_kernel2d_default_is_5_by_5_with_sigma_1() -> None:
    np.testing.assert_allclose(gaussian_kernel2d(), np.outer(_bell(5, 1.0), _bell(5, 1.0)))


@pytest.mark.parametrize(
    ("sigma", "message"),
    [
        (-1.0, "sigma must be a positive real number, got -1.0"),
        ((0, 1), "sigma[0] must be a positive real number, got 0"),
        ((1, -2.0), "sigma[1] must be a positive real number, got -2.0"),
    ],
)
def test_gaussian_kernel2d_names_the_bad_sigma(sigma, message) -> None:
    with pytest.raises(ValueError) as caught:
        gaussian_kernel2d(5, sigma)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("sigma", [1e-300, 5e-324, 1e300])
def test_extreme_sigmas_warn_nothing(sigma: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kernel = gaussian_kernel(7, sigma)
    assert np.isfinite(kernel).all() and kernel.sum() == pytest.approx(1.0)
