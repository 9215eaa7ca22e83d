"""convdoc.plans.separable: the result's dtype and precision decide (tests/MUTANTS.md).

Oracles: SciPy's direct correlation in float64, and the documented rule that a
float32 kernel next to a float64 image is separable only if it is an outer
product to float64 precision.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from convdoc.plans import separable


def _rounded_outer() -> np.ndarray:
    """An outer product rounded to float32: rank one to float32's precision only."""
    rng = np.random.default_rng(3)
    return np.outer(rng.random(5) + 0.5, rng.random(7) + 0.5).astype(np.float32)


def test_a_float32_kernel_is_judged_at_the_results_precision() -> None:
    k = _rounded_outer()
    assert separable.rank_one(k, np.dtype(np.float32)) is not None
    assert separable.rank_one(k, np.dtype(np.float64)) is None
    # Applied to a float64 image the result is float64: the passes would be an
    # approximation, so the plan refuses the kernel.
    x = np.random.default_rng(4).standard_normal((1, 20, 30))
    with pytest.raises(ValueError, match=r"^the kernel is not separable$"):
        separable.correlate(x, k[None, None], ((0, 0), (0, 0)), (16, 24))


def test_a_float32_image_with_a_float64_kernel_is_computed_in_float64() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 40, 50)).astype(np.float32)
    w = np.outer(rng.random(9) + 0.5, rng.random(4) - 0.5)
    pad = ((4, 4), (1, 2))
    expected = signal.correlate(np.pad(x[0].astype(float), pad), w, "valid", method="direct")
    got = separable.correlate(x, w[None, None], pad, expected.shape)[0]
    assert got.dtype == np.float64
    # float64 passes: far inside float32's rounding of these sums (about 1e-6).
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_rank_one_judges_a_float32_kernel_at_float32_by_default() -> None:
    # Documented default: the kernel's own dtype for a float kernel.
    k = _rounded_outer()
    assert separable.rank_one(k, np.dtype(np.float64)) is None
    factors = separable.rank_one(k)
    assert factors is not None
    col, row = factors
    np.testing.assert_allclose(np.outer(col, row), k, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16, np.bool_])
def test_rank_one_takes_an_integer_or_boolean_kernel_at_float64_by_default(dtype) -> None:
    # Documented default: float64 for an integer or boolean kernel. The Sobel kernel
    # [1, 2, 1]^T [1, 0, -1] (a box of ones for booleans) is an exact outer product.
    if dtype is np.bool_:
        k = np.ones((3, 4), dtype=bool)
    elif np.dtype(dtype).kind == "u":
        k = np.outer([1, 2, 1], [3, 0, 1]).astype(dtype)
    else:
        k = np.outer([1, 2, 1], [1, 0, -1]).astype(dtype)
    factors = separable.rank_one(k)
    assert factors is not None
    col, row = factors
    assert col.dtype == row.dtype == np.float64
    np.testing.assert_allclose(np.outer(col, row), k.astype(float), rtol=1e-12, atol=1e-12)


EPS64 = np.finfo(np.float64).eps


def _box_with_one_tap_off(n: int, ulps: float) -> np.ndarray:
    """An n x n box of ones with one tap (off the first row and column) lowered by ulps * eps."""
    k = np.ones((n, n))
    k[n // 2 + 1, n // 3 + 1] -= ulps * EPS64
    return k


def test_a_large_kernel_within_float64_rounding_of_an_outer_product_is_separable() -> None:
    # A 63 x 63 box with one tap off by 1000 ulps (2.2e-13): the two passes then
    # differ from the direct sums by at most 2.2e-13 of one input value, below the
    # rounding of a direct float64 sum of 3969 products (about 3969 ulps).
    k = _box_with_one_tap_off(63, 1000)
    factors = separable.rank_one(k, np.dtype(np.float64))
    assert factors is not None
    x = np.random.default_rng(7).standard_normal((1, 70, 80))
    expected = signal.correlate(x[0], k, "valid", method="direct")
    got = separable.correlate(x, k[None, None], ((0, 0), (0, 0)), expected.shape)[0]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_a_small_kernel_off_by_more_than_float64_rounding_is_separable_at_float32_only() -> None:
    # A 3 x 3 box with one tap off by 1000 ulps: rank two, its second singular value
    # (numpy.linalg.svd) some 667 ulps, far above the rounding of a 9-term float64
    # sum; invisible at float32 (eps 1.2e-7).
    k = _box_with_one_tap_off(3, 1000)
    s = np.linalg.svd(k, compute_uv=False)
    assert s[1] > 600 * EPS64
    assert separable.rank_one(k, np.dtype(np.float64)) is None
    assert separable.rank_one(k, np.dtype(np.float32)) is not None


@pytest.mark.parametrize(
    "k",
    [
        np.ones((1, 5)),
        np.array([[1.0], [2.0], [-1.0]]),
        # The identity filter: singular values exactly 1, 0, 0.
        np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    ],
    ids=["one row", "one column", "identity"],
)
def test_exact_outer_products_with_one_row_column_or_tap_are_separable(k: np.ndarray) -> None:
    factors = separable.rank_one(k, np.dtype(np.float64))
    assert factors is not None
    col, row = factors
    np.testing.assert_allclose(np.outer(col, row), k, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kernel_dtype", "result_dtype"),
    [
        (np.float16, np.float16),  # BLAS has no float16 product
        (np.int64, np.int64),  # integer results stay exact: no float passes
        (np.longdouble, np.float64),  # a longdouble kernel is never rounded to float64
        (np.complex128, np.complex128),
    ],
)
def test_kernels_the_passes_cannot_compute_exactly_are_never_separable(
    kernel_dtype, result_dtype
) -> None:
    k = np.outer([1, 2, 1], [1, 0, 3]).astype(kernel_dtype)
    assert separable.rank_one(k, np.dtype(result_dtype)) is None


@pytest.mark.parametrize("shifted", [True, False], ids=["shifted sums", "banded GEMM"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_both_pass_forms_give_scipys_numbers(
    monkeypatch: pytest.MonkeyPatch, shifted: bool, dtype
) -> None:
    # The cost model (_shifted) only picks the form of each pass; forced either way,
    # both passes give SciPy's direct sums (so its mutants are route mutants).
    monkeypatch.setattr(separable, "_shifted", lambda *args: shifted)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 30, 41)).astype(dtype)
    w = np.outer(rng.random(6) + 0.5, rng.random(5) - 0.5).astype(dtype)
    pad = ((3, 2), (2, 2))
    expected = signal.correlate(np.pad(x[0].astype(float), pad), w.astype(float), "valid",
                                method="direct")
    got = separable.correlate(x, w[None, None], pad, expected.shape)[0]
    assert got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
