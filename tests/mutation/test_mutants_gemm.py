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


# cost's documented formula (its docstring), worked by hand. g(m) is gemm_seconds:
# 2.5e-11 s per multiply-add in float32, 5e-11 in float64, 1e-10 in complex64, 2e-10 in
# complex128. D = C_in*kh*kw, n = oh * ceil(width / s1), b = itemsize / 4.
COSTS = [
    # 1x1 at stride 1, float32: n = 6 * 10 = 60 (out_shape[1] unused);
    # 1e-5 + 2.5e-11 * 4*2*60 = 1e-5 + 1.2e-8.
    ((4, 2, 1, 1), (6, 100), (1, 1), 10, np.float32, 1.0012e-5),
    # 1x1 at stride 1, complex128: n = 4 * 9 = 36; 1e-5 + 2e-10 * 3*5*36 = 1e-5 + 1.08e-7.
    ((3, 5, 1, 1), (4, 7), (1, 1), 9, np.complex128, 1.0108e-5),
    # float64, 2x5 taps at stride (2, 3): D = 30, n = 7 * ceil(20/3) = 49, b = 2;
    # g = 5e-11 * 2*30*49 = 1.47e-7; copies 2.5e-10 * 2*30*49 = 7.35e-7;
    # layout 1e-9 * 2*3*49*6 = 1.764e-6; columns max(1024, 2**21 // 240 = 8738),
    # blocks max(1, 49 // 8738) = 1; calls 1e-5 + 1.5e-7 * 10*6 = 1.9e-5;
    # 3e-5 + 1.9e-5 + 1.47e-7 + 7.35e-7 + 1.764e-6 = 5.1646e-5.
    ((2, 3, 2, 5), (7, 11), (2, 3), 20, np.float64, 5.1646e-5),
    # float32, 64 channels of 3x3: D = 576, n = 100 * 130 = 13000, b = 1;
    # g = 2.5e-11 * 8*576*13000 = 1.4976e-3; copies 2.5e-10 * 576*13000 = 1.872e-3;
    # layout 1e-9 * 64*13000 = 8.32e-4; columns max(1024, 2**21 // 2304 = 910) = 1024,
    # blocks 13000 // 1024 = 12; calls 12 * (1e-5 + 1.5e-7 * 9) = 1.362e-4;
    # 3e-5 + 1.4976e-3 + 1.872e-3 + 8.32e-4 + 1.362e-4 = 4.3678e-3.
    ((8, 64, 3, 3), (100, 50), (1, 1), 130, np.float32, 4.3678e-3),
    # float64, one channel of 2x2: D = 4, n = 300 * 256 = 76800, b = 2;
    # g = 5e-11 * 3*4*76800 = 4.608e-5; copies 2.5e-10 * 2*4*76800 = 1.536e-4;
    # layout 1e-9 * 2*1*76800 = 1.536e-4; columns 2**21 // 32 = 65536, blocks
    # 76800 // 65536 = 1; calls 1e-5 + 1.5e-7 * 4 = 1.06e-5;
    # 3e-5 + 4.608e-5 + 1.536e-4 + 1.536e-4 + 1.06e-5 = 3.9388e-4.
    ((3, 1, 2, 2), (300, 255), (1, 1), 256, np.float64, 3.9388e-4),
    # float64, D = 30 again, n = 68 * 257 = 17476 = 2 * 8738: exactly two blocks of the
    # 8738 columns 2**21 // 240 gives (2**21 / 240 = 8738.13 would make it one);
    # g = 5e-11 * 30*17476 = 2.6214e-5; copies 2.5e-10 * 2*30*17476 = 2.6214e-4;
    # layout 1e-9 * 2*3*17476 = 1.04856e-4; calls 2 * (1e-5 + 1.5e-7 * 10) = 2.3e-5;
    # 3e-5 + 2.6214e-5 + 2.6214e-4 + 1.04856e-4 + 2.3e-5 = 4.4621e-4.
    ((1, 3, 2, 5), (68, 9), (1, 1), 257, np.float64, 4.4621e-4),
    # 1x1 at stride (2, 2) takes the general formula, float32: D = 3,
    # n = 5 * ceil(9/2) = 25; g = 2.5e-11 * 2*3*25 = 3.75e-9; copies 2.5e-10 * 3*25 =
    # 1.875e-8; layout 1e-9 * 3*25*4 = 3e-7; one block; calls 1e-5 + 1.5e-7 * 4 = 1.06e-5;
    # 3e-5 + 1.06e-5 + 3.225e-7 = 4.09225e-5.
    ((2, 3, 1, 1), (5, 9), (2, 2), 9, np.float32, 4.09225e-5),
    # complex64, 3x1 taps at stride (1, 2): D = 6, n = 4 * ceil(7/2) = 16, b = 2;
    # g = 1e-10 * 2*6*16 = 1.92e-8; copies 2.5e-10 * 2*6*16 = 4.8e-8;
    # layout 1e-9 * 2*2*16*2 = 1.28e-7; one block; calls 1e-5 + 1.5e-7 * 3*2 = 1.09e-5;
    # 3e-5 + 1.09e-5 + 1.952e-7 = 4.10952e-5.
    ((2, 2, 3, 1), (4, 6), (1, 2), 7, np.complex64, 4.10952e-5),
    # A result beyond the cache. float32, 3 -> 64 channels of 3x3 at 224x224: D = 27,
    # n = 224 * 226 = 50624; g = 2.5e-11 * 64*27*50624 = 2.1869568e-3; copies
    # 2.5e-10 * 27*50624 = 3.41712e-4; layout 1e-9 * 3*50624 = 1.51872e-4; columns
    # max(1024, 2**21 // 108 = 19418), blocks 50624 // 19418 = 2, calls
    # 2 * (1e-5 + 1.5e-7 * 9) = 2.27e-5; the result's 64*224*224*4 = 12845056 bytes,
    # 10747904 beyond 2**21, r = 1.2e-10 * 10747904 = 1.28974848e-3;
    # 3e-5 + 2.1869568e-3 + 3.41712e-4 + 1.51872e-4 + 2.27e-5 + 1.28974848e-3.
    ((64, 3, 3, 3), (224, 224), (1, 1), 226, np.float32, 4.02298928e-3),
    # A 1x1 layer with a result beyond the cache, float64: n = 128 * 128 = 16384;
    # g = 5e-11 * 32*64*16384 = 1.6777216e-3; 32*16384*8 = 4194304 bytes, 2**21 beyond,
    # r = 1.2e-10 * 2097152 = 2.5165824e-4; 1e-5 + 1.6777216e-3 + 2.5165824e-4.
    ((32, 64, 1, 1), (128, 128), (1, 1), 128, np.float64, 1.93937984e-3),
]


@pytest.mark.parametrize(("w_shape", "out_shape", "stride", "width", "dtype", "seconds"), COSTS)
def test_cost_is_the_documented_formula(w_shape, out_shape, stride, width, dtype,
                                        seconds) -> None:
    got = gemm.cost(w_shape, out_shape, stride, width, np.dtype(dtype))
    assert got == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize(("oh", "shared", "blocks"), [
    # 10 columns of 3x3 float64 taps on 2 channels: depth 18, columns
    # 2**21 // 144 = 14563, so rows min(oh, 14563 // 10) = oh: one block alone.
    (8, False, 1),
    (10, False, 1),
    # Priced above MIN_PARALLEL_SEC: rows min(oh, ceil(oh / 4)), so ceil(oh / rows) blocks:
    # 8 rows in 4 blocks of 2, 10 in 4 blocks of 3 (3, 3, 3, 1), 17 in 4 blocks of 5.
    (8, True, 4),
    (10, True, 4),
    (17, True, 4),
])
def test_a_layer_priced_to_share_has_min_blocks_row_blocks(monkeypatch, each_chunk_counts, oh,
                                                            shared, blocks) -> None:
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0 if shared else 1e9)
    calls = each_chunk_counts
    rng = np.random.default_rng(oh)
    x = rng.standard_normal((2, oh + 2, 12))
    w = rng.standard_normal((3, 2, 3, 3))
    pad = ((0, 0), (0, 0))
    expected = loop_layer(x, w, pad, (1, 1), np.float64)
    got = gemm.correlate(x, w, pad, (1, 1), (oh, 10), np.dtype(np.float64))
    # First the shared preparation (one phase's layout and the kernel matrix), then the blocks.
    assert calls == [2, blocks]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
