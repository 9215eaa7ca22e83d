"""The matrix-product plans for strided 2-D layers (convdoc.plans.blocks) against plain loops."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from convdoc.plans import blocks, planner


def _loops(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    n_out = (x.size - w.size) // stride + 1
    return np.array([np.sum(x[i * stride : i * stride + w.size] * w) for i in range(n_out)])


def _loops2d(x: np.ndarray, w: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    (kh, kw), (s0, s1) = w.shape, stride
    rows = range((x.shape[0] - kh) // s0 + 1)
    cols = range((x.shape[1] - kw) // s1 + 1)
    return np.array(
        [[np.sum(x[i * s0 : i * s0 + kh, j * s1 : j * s1 + kw] * w) for j in cols] for i in rows]
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize(
    ("shape", "k", "stride"),
    [((40, 37), (15, 15), (4, 4)), ((33, 50), (3, 7), (2, 4)), ((20, 21), (5, 3), (1, 4))],
)
def test_blocks2d_matches_loops(shape, k, stride, dtype) -> None:
    rng = np.random.default_rng(sum(shape) + sum(k))
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal(k).astype(dtype)
    if dtype is np.complex128:
        x = x + 1j * rng.standard_normal(shape)
        w = w + 1j * rng.standard_normal(k)
    expected = _loops2d(x, w, stride)
    got = blocks.blocks2d(x, w, stride, expected.shape, np.result_type(x, w))
    assert got is not None and got.shape == expected.shape
    tol = 1e-4 if dtype is np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * w.size)


def test_blocks2d_declines_non_finite() -> None:
    x = np.ones((30, 30))
    x[3, 5] = np.inf
    w = np.ones((5, 5))
    assert blocks.blocks2d(x, w, (4, 4), (7, 7), x.dtype) is None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("n", "k", "stride"), [(100, 3, 4), (103, 3, 4), (10, 4, 4), (9, 1, 3), (12, 2, 5), (7, 3, 4)]
)
def test_subsample_plan_for_short_kernels_matches_loops(n, k, stride, dtype) -> None:
    # k <= stride with the input a whole number of blocks takes the matrix-vector
    # route; (103, 3, 4) and (7, 3, 4) leave a partial block and must not.
    rng = np.random.default_rng(n + k + stride)
    x = rng.standard_normal(n).astype(dtype)
    w = rng.standard_normal(k).astype(dtype)
    expected = _loops(x.astype(np.float64), w.astype(np.float64), stride)
    got = planner.run_direct(
        x[None],
        w[None, None],
        ((0, 0),),
        (stride,),
        (1,),
        (expected.size,),
        np.dtype(dtype),
        "numpy_subsample",
    )
    assert got.shape == (1, expected.size) and got.dtype == dtype
    np.testing.assert_allclose(got[0], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", [1, 7, 4096, 4097, 100_000])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex128])
def test_all_finite_on_small_and_large_arrays(size, dtype):
    # Small arrays are looked at value by value; large ones by their sum first, which
    # also overflows for finite values (1e308 + 1e308): then every value is looked at.
    from convdoc.plans._common import all_finite

    a = np.zeros(size, dtype)
    assert all_finite(a)
    for bad in (np.nan, np.inf, -np.inf):
        b = a.copy()
        b[size // 2] = bad
        assert not all_finite(b)
    big = np.full(size, np.finfo(dtype).max, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # silently, whatever the path
        assert all_finite(big)
    assert all_finite(np.arange(size))  # integers are always finite
