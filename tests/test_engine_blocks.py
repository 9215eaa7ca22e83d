"""The matrix-product plan for strided 1-D layers (engine._blocks) against plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from convdoc import engine


def _loops(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    n_out = (x.size - w.size) // stride + 1
    return np.array([np.sum(x[i * stride : i * stride + w.size] * w) for i in range(n_out)])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize(
    ("n", "k", "stride"),
    [(50, 3, 4), (97, 4, 4), (101, 11, 4), (64, 7, 3), (300, 40, 4), (13, 13, 5), (20, 9, 8)],
)
def test_blocks_matches_loops(n, k, stride, dtype) -> None:
    rng = np.random.default_rng(n * k + stride)
    x = rng.standard_normal(n).astype(dtype)
    w = rng.standard_normal(k).astype(dtype)
    if dtype is np.complex128:
        x = x + 1j * rng.standard_normal(n)
        w = w + 1j * rng.standard_normal(k)
    expected = _loops(x, w, stride)
    got = engine._blocks(x, w, stride, expected.size)
    assert got is not None and got.shape == expected.shape
    tol = 1e-4 if dtype is np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * k)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("k", [3, 11])
def test_blocks_declines_non_finite_and_the_layer_stays_exact(bad, k) -> None:
    # The shifted-tap matrices hold zeros and 0 * inf is NaN, so _blocks must
    # decline; conv1d must then still give NaN/inf exactly where the loops do.
    rng = np.random.default_rng(k)
    x = rng.standard_normal(200)
    x[77] = bad
    w = rng.standard_normal(k)
    assert engine._blocks(x, w, 4, (200 - k) // 4 + 1) is None
    from convdoc import conv1d

    np.testing.assert_allclose(conv1d(x, w, stride=4), _loops(x, w, 4), rtol=1e-12, atol=1e-12)
