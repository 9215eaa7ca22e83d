"""Tests that kill mutants of convdoc/plans/blocks.py (tests/MUTANTS.md).

Oracles: the strided correlation's sums and the tap matrices' definition written as
loops in the test, NumPy's ``@`` for the chunked product, and
:func:`blocks2d_cost`'s formula worked by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from convdoc.plans import blocks


def _loop(grid, w, stride, out_shape):
    (kh, kw), (s0, s1), (mh, mw) = w.shape, stride, out_shape
    out = np.zeros(out_shape, np.complex128)
    for a in range(kh):
        for t in range(kw):
            out += w[a, t] * grid[a : a + s0 * (mh - 1) + 1 : s0, t : t + s1 * (mw - 1) + 1 : s1]
    return out


@pytest.mark.parametrize(("image", "kernel", "stride"), [
    ((20, 23), (3, 5), (2, 2)),
    ((17, 30), (2, 4), (1, 4)),  # kernel width a multiple of the stride: no tail taps
    ((25, 19), (4, 3), (3, 4)),  # stride wider than the kernel
    ((9, 40), (1, 7), (2, 3)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_blocks2d_is_the_loop(image, kernel, stride, dtype) -> None:
    rng = np.random.default_rng(image[0] + kernel[1])
    grid = rng.standard_normal(image)
    w = rng.standard_normal(kernel)
    if dtype == np.complex128:
        grid = grid + 1j * rng.standard_normal(image)
        w = w + 1j * rng.standard_normal(kernel)
    out_shape = tuple((n - k) // s + 1 for n, k, s in zip(image, kernel, stride, strict=True))
    got = blocks.blocks2d(grid.astype(dtype), w, stride, out_shape, np.dtype(dtype))
    assert got.shape == out_shape and got.dtype == dtype and got.flags.c_contiguous
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, _loop(grid, w, stride, out_shape), rtol=tol, atol=tol)


def test_blocks2d_refuses_a_non_finite_output() -> None:
    grid = np.ones((8, 12))
    grid[3, 5] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused silently: 0 * inf is the plan's, not the user's
        assert blocks.blocks2d(grid, np.ones((2, 3)), (2, 2), (4, 5), np.dtype(np.float64)) is None


@pytest.mark.parametrize(("k", "stride"), [(5, 2), (4, 4), (3, 4), (7, 3), (1, 1)])
def test_tap_matrices_are_their_definition(k, stride) -> None:
    rng = np.random.default_rng(k)
    taps = rng.standard_normal((2, 3, k))
    head, tail = blocks.tap_matrices(taps, stride)
    q = -(-k // stride)
    block = q * stride
    assert head.shape == tail.shape == (2, 3, block, q)
    # Output j of a row starts at sample j*stride: tap t lands on j*stride + t, in this
    # block (head) or, past its end, at j*stride + t - block of the next one (tail).
    want_head = np.zeros((2, 3, block, q))
    want_tail = np.zeros((2, 3, block, q))
    for j in range(q):
        for t in range(k):
            u = j * stride + t
            if u < block:
                want_head[..., u, j] = taps[..., t]
            else:
                want_tail[..., u - block, j] = taps[..., t]
    np.testing.assert_array_equal(head, want_head)
    np.testing.assert_array_equal(tail, want_tail)


@pytest.mark.parametrize("b_shape", [(6, 5), (6,)])
@pytest.mark.parametrize("limit", [1, 29, 30, 31, 10**6])
@pytest.mark.parametrize(("a_dtype", "b_dtype"), [(np.float32, np.float64),
                                                  (np.float32, np.float32),
                                                  (np.complex64, np.float32)])
def test_chunked_matmul_is_the_product(monkeypatch, b_shape, limit, a_dtype, b_dtype) -> None:
    # limit // per_row rows per chunk (per_row = 6 * 5 or 6): one row, a few, or all.
    monkeypatch.setattr(blocks, "BLAS_CHUNK_MACS", limit)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((23, 6)).astype(a_dtype)
    b = rng.standard_normal(b_shape).astype(b_dtype)
    got = blocks.chunked_matmul(a, b)
    expected = a.astype(np.complex128) @ b.astype(np.complex128)
    assert got.shape == expected.shape and got.dtype == np.result_type(a_dtype, b_dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("out_shape", "k", "stride", "width", "seconds"), [
    # q = ceil(5/2) = 3, block 6, n_blocks ceil(20/6) + 1 = 5;
    # per_row = 1.5e-5 + 1e-9 * 10*20 + 3e-10 * 10*5*6*3 = 1.5e-5 + 2e-7 + 2.7e-7
    # = 1.547e-5, times 3 kernel rows: 4.641e-5.
    ((10, 7), (3, 5), (3, 2), 20, 4.641e-5),
    # q = 1, block 4, n_blocks 9 + 1 = 10; per_row = 1.5e-5 + 1e-9 * 4*36
    # + 3e-10 * 4*10*4*1 = 1.5e-5 + 1.44e-7 + 4.8e-8 = 1.5192e-5, times 2: 3.0384e-5.
    ((4, 9), (2, 4), (1, 4), 36, 3.0384e-5),
])
def test_blocks2d_cost_is_its_formula(out_shape, k, stride, width, seconds) -> None:
    assert blocks.blocks2d_cost(out_shape, k, stride, width) == pytest.approx(seconds,
                                                                              rel=1e-12)
