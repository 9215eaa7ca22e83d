"""Tests that kill mutants of convdoc/plans/gemm.py (tests/MUTANTS.md).

Oracle: the definition, ``out[o, r, c] = sum_{ch,i,j} grid[ch, r*s0 + i, c*s1 + j] *
w[o, ch, i, j]`` with ``grid`` the input padded by ``numpy.pad``, summed tap by tap in
complex128 (a loop over channels and taps). The cases are the corners the random
layers of tests/test_plans.py draw rarely or never: pads longer than the kernel on one
side, strides longer than the kernel (phases with no taps, or with padding only), 1x1
layers in each of their forms, mixed operand dtypes cast to the result's, and the row
blocks forced small (a short last block) or shared among threads.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convdoc import threads
from convdoc.plans import gemm


def loop_layer(x, w, pad, stride, dtype):
    """The definition on ``x`` and ``w`` first cast to ``dtype``, summed in complex128."""
    x = x.astype(dtype).astype(np.complex128)
    w = w.astype(dtype).astype(np.complex128)
    grid = np.pad(x, ((0, 0), *pad))
    c_out, c_in, kh, kw = w.shape
    (s0, s1) = stride
    oh = (grid.shape[1] - kh) // s0 + 1
    ow = (grid.shape[2] - kw) // s1 + 1
    out = np.zeros((c_out, oh, ow), np.complex128)
    for o, c, i, j in itertools.product(range(c_out), range(c_in), range(kh), range(kw)):
        out[o] += w[o, c, i, j] * grid[c, i : i + s0 * (oh - 1) + 1 : s0,
                                       j : j + s1 * (ow - 1) + 1 : s1]
    return out


CASES = [
    # c_in, c_out, image, kernel, pad, stride
    (2, 3, (9, 11), (3, 2), ((4, 0), (0, 5)), (1, 1)),  # pads past the kernel, one side
    (2, 2, (7, 8), (2, 3), ((0, 3), (2, 0)), (3, 4)),  # strides past the kernel
    (3, 2, (10, 9), (5, 4), ((1, 2), (3, 1)), (2, 3)),
    (2, 2, (3, 3), (3, 3), ((6, 0), (0, 6)), (2, 2)),  # phases reading padding only
    (1, 2, (5, 6), (1, 1), ((0, 0), (0, 0)), (1, 1)),  # 1x1: one product of the image
    (3, 4, (40, 41), (1, 1), ((0, 0), (0, 0)), (1, 1)),  # 1x1: 1640 columns, two pieces
    (3, 2, (9, 9), (1, 1), ((1, 1), (0, 2)), (1, 1)),  # 1x1, padded
    (3, 2, (9, 9), (1, 1), ((1, 0), (0, 0)), (1, 1)),  # 1x1, one pad alone
    (3, 2, (9, 9), (1, 1), ((0, 1), (0, 0)), (1, 1)),
    (3, 2, (9, 9), (1, 1), ((0, 0), (1, 0)), (1, 1)),
    (3, 2, (9, 9), (1, 1), ((0, 0), (0, 1)), (1, 1)),
    (3, 2, (9, 10), (1, 1), ((0, 0), (0, 0)), (2, 1)),  # 1x1, strided
    (3, 2, (9, 10), (1, 1), ((0, 0), (0, 0)), (1, 2)),
    (2, 3, (6, 7), (2, 1), ((0, 0), (0, 0)), (1, 1)),  # two taps, unpadded: not 1x1
    (2, 3, (6, 7), (1, 2), ((0, 0), (0, 0)), (1, 1)),
    (2, 3, (17, 6), (4, 1), ((2, 1), (0, 0)), (1, 1)),  # one tap wide
]
DTYPES = [  # x, w, result
    (np.float64, np.float64, np.float64),
    (np.float32, np.float32, np.float32),
    (np.float32, np.float64, np.float64),
    (np.float64, np.float32, np.float32),
    (np.complex128, np.float64, np.complex128),
    (np.float32, np.complex64, np.complex64),
]
# (fewest columns, block bytes): the defaults, one row per block, two or three rows.
BLOCKS = [(gemm._MIN_COLUMNS, gemm._BLOCK_BYTES), (1, 1), (30, 1)]


def _values(shape, dtype, rng):
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@pytest.mark.parametrize(("c_in", "c_out", "image", "kernel", "pad", "stride"), CASES)
@pytest.mark.parametrize(("x_dtype", "w_dtype", "dtype"), DTYPES)
@pytest.mark.parametrize(("min_columns", "block_bytes"), BLOCKS)
def test_gemm_plan_matches_the_definition(monkeypatch, c_in, c_out, image, kernel, pad, stride,
                                          x_dtype, w_dtype, dtype, min_columns,
                                          block_bytes) -> None:
    monkeypatch.setattr(gemm, "_MIN_COLUMNS", min_columns)
    monkeypatch.setattr(gemm, "_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(c_in * 100 + image[0])
    x = _values((c_in, *image), x_dtype, rng)
    w = _values((c_out, c_in, *kernel), w_dtype, rng)
    expected = loop_layer(x, w, pad, stride, dtype)
    got = gemm.correlate(x, w, pad, stride, expected.shape[1:], np.dtype(dtype))
    assert got.dtype == dtype and got.shape == expected.shape and got.flags.c_contiguous
    tol = 1e-5 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize(("image", "kernel", "pad", "stride"), [
    ((61, 45), (7, 7), ((3, 3), (3, 3)), (2, 2)),
    ((47, 33), (3, 3), ((1, 1), (1, 1)), (1, 1)),
    ((45, 40), (1, 1), ((0, 0), (0, 0)), (1, 1)),
])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_gemm_blocks_shared_among_threads_match_the_definition(monkeypatch, image, kernel, pad,
                                                               stride, count) -> None:
    # Every layer counted as large enough to share: at least four row blocks (or the
    # 1x1 layer's column pieces), claimed by 1 to 3 threads.
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    monkeypatch.setattr(threads, "_count", count)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, *image))
    w = rng.standard_normal((5, 3, *kernel))
    expected = loop_layer(x, w, pad, stride, np.float64)
    got = gemm.correlate(x, w, pad, stride, expected.shape[1:], np.dtype(np.float64))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
