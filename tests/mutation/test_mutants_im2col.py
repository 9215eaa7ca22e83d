"""convdoc.plans.im2col: the window matrix times the kernels (tests/MUTANTS.md).

The plan is called directly, in both of its layouts (windows as rows when the kernel
is at least as wide as the output, as columns otherwise), in 1-D and 2-D, with
several input and output channels, strides and dilations, and in the result's dtype.
Oracle: the definition y[o, r, c] = sum_{i, j, m} x[m, r*s0 + i*d0, c*s1 + j*d1]
w[o, m, i, j], summed by Python loops.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from convdoc.plans import im2col


def _loop(grid: np.ndarray, w: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Valid multi-channel correlation by loops, in Python numbers then ``w``'s dtype."""
    c_out, c_in, *k = w.shape
    out = np.zeros((c_out, *out_shape), dtype=object)
    for o, n in itertools.product(range(c_out), itertools.product(*map(range, out_shape))):
        total = 0
        for m, taps in itertools.product(range(c_in), itertools.product(*map(range, k))):
            axes = zip(n, stride, taps, dilation, strict=True)
            at = tuple(ni * si + ti * di for ni, si, ti, di in axes)
            total += grid[(m, *at)].item() * w[(o, m, *taps)].item()
        out[(o, *n)] = total
    return out


def _out_shape(n, k, stride, dilation):
    axes = zip(n, k, stride, dilation, strict=True)
    return tuple((ni - di * (ki - 1) - 1) // si + 1 for ni, ki, si, di in axes)


CASES = [
    # (grid spatial shape, kernel, stride, dilation): narrow and wide kernels.
    ((9, 11), (2, 3), (1, 2), (2, 1)),  # kernel width 3 < output width 5: windows as columns
    ((7, 8), (3, 6), (2, 1), (1, 1)),  # kernel width 6 >= output width 3: windows as rows
    ((17,), (4,), (3,), (2,)),  # 1-D, narrow
    ((9,), (7,), (1,), (1,)),  # 1-D, wide
]


@pytest.mark.parametrize(("n", "k", "stride", "dilation"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_im2col_gives_the_definition_in_the_results_dtype(n, k, stride, dilation, dtype) -> None:
    rng = np.random.default_rng(math.prod(n) + sum(k))
    c_out, c_in = 3, 2
    grid = rng.integers(-9, 10, (c_in, *n)).astype(dtype)
    w = rng.integers(-9, 10, (c_out, c_in, *k)).astype(dtype)
    out_shape = _out_shape(n, k, stride, dilation)
    got = im2col.im2col(grid, w, stride, dilation, out_shape, np.dtype(dtype))
    assert got.dtype == dtype
    assert got.flags.c_contiguous
    # Small whole numbers: every dtype holds the sums exactly.
    np.testing.assert_array_equal(got, _loop(grid, w, stride, dilation, out_shape).astype(dtype))


@pytest.mark.parametrize(
    ("w_shape", "out_shape", "dtype", "seconds"),
    [
        # Float64, 8 x 3 channels, 3 x 3 taps, 10 x 20 outputs: 5,400 window elements in
        # 5400 // max(3, 20) = 270 runs; 8 outputs x 0.05 ns (20e9 multiply-adds a second)
        # = 0.4 ns per element, above the 0.3 ns floor.
        ((8, 3, 3, 3), (10, 20), np.float64, 2e-5 + 0.5e-9 * 5400 + 7e-9 * 270 + 5400 * 4e-10),
        # Float32, one output channel, a kernel wider (30) than the output (6): 7,200
        # elements in 240 runs; 0.025 ns per element is below the floor of 0.3 ns.
        ((1, 2, 5, 30), (4, 6), np.float32, 2e-5 + 0.5e-9 * 7200 + 7e-9 * 240 + 7200 * 3e-10),
        # Int64 (NumPy's own loop, 1 ns a multiply-add): 150 elements in 150 // 50 = 3 runs,
        # 4 output channels.
        ((4, 1, 3), (50,), np.int64, 2e-5 + 0.5e-9 * 150 + 7e-9 * 3 + 150 * 4e-9),
        # Complex128, four real products each: 0.2 ns per multiply-add, 2 output channels;
        # 72 elements in 24 runs.
        ((2, 2, 2, 2), (3, 3), np.complex128, 2e-5 + 0.5e-9 * 72 + 7e-9 * 24 + 72 * 4e-10),
        # Float16 is not a BLAS type: NumPy's loop, like the integers.
        ((3, 1, 4), (8,), np.float16, 2e-5 + 0.5e-9 * 32 + 7e-9 * 4 + 32 * 3e-9),
        # Float32, 3 -> 64 channels of 3x3 at 224x224: 1,354,752 elements in
        # 1354752 // 224 = 6048 runs, 64 x 0.025 ns = 1.6 ns per element; the result's
        # 12,845,056 bytes are 10,747,904 beyond the cached 2**21: 1.2e-10 s each.
        ((64, 3, 3, 3), (224, 224), np.float32,
         2e-5 + 0.5e-9 * 1354752 + 7e-9 * 6048 + 1354752 * 1.6e-9 + 1.2e-10 * 10747904),
    ],
)
def test_cost_is_its_documented_formula(w_shape, out_shape, dtype, seconds) -> None:
    got = im2col.cost(w_shape, out_shape, np.dtype(dtype))
    assert got == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize(
    ("n", "k", "out_shape"), [((1, 10), (2, 6), (0, 5)), ((5, 1), (2, 2), (4, 0))]
)
def test_im2col_with_no_output_has_the_layers_shape(n, k, out_shape) -> None:
    # No window fits along one axis (1 row for a kernel 2 high, 1 column for one 2
    # wide): (C_out, *out_shape) with no values, no output row on either axis.
    grid = np.ones((2, *n))
    w = np.ones((3, 2, *k))
    got = im2col.im2col(grid, w, (1, 1), (1, 1), out_shape, np.dtype(np.float32))
    assert got.shape == (3, *out_shape) and got.dtype == np.float32


@pytest.mark.parametrize(("n", "k", "stride", "dilation"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("count", [1, 2])
def test_im2col_in_slabs_gives_the_definition(monkeypatch, n, k, stride, dilation, dtype,
                                              count) -> None:
    # Priced to share: two slabs of output rows along the first axis, each its own
    # part of the windows' view, on 1 or 2 threads.
    from convdoc import threads

    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    monkeypatch.setattr(threads, "_count", count)
    rng = np.random.default_rng(math.prod(n) + 7 * sum(k))
    grid = rng.integers(-9, 10, (2, *n)).astype(dtype)
    w = rng.integers(-9, 10, (3, 2, *k)).astype(dtype)
    out_shape = _out_shape(n, k, stride, dilation)
    assert out_shape[0] > 1
    got = im2col.im2col(grid, w, stride, dilation, out_shape, np.dtype(dtype))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, _loop(grid, w, stride, dilation, out_shape).astype(dtype))


@pytest.mark.parametrize(
    ("c_in", "size", "slabs"),
    [
        (64, 56, 2),  # 28x28 outputs x 576 taps: 451,584 copied elements, 2 slabs
        (64, 112, 7),  # 56x56 x 576 = 1,806,336 elements: 7 slabs of at most 2**18
        (8, 8, 2),  # a small layer priced to share: still 2 slabs
    ],
)
def test_a_shared_layer_has_two_slabs_or_cache_sized_ones(
    monkeypatch, each_chunk_counts, c_in, size, slabs
):
    from convdoc import threads

    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    rng = np.random.default_rng(size)
    grid = rng.standard_normal((c_in, size + 2, size + 2)).astype(np.float32)
    w = rng.standard_normal((16, c_in, 3, 3)).astype(np.float32)
    out_shape = (size // 2, size // 2)
    got = im2col.im2col(grid, w, (2, 2), (1, 1), out_shape, np.dtype(np.float32))
    assert each_chunk_counts == [slabs]
    # The definition in float64: every 3x3 window at stride 2 against every kernel.
    windows = np.lib.stride_tricks.sliding_window_view(grid.astype(np.float64), (3, 3), (1, 2))
    windows = windows[:, : 2 * out_shape[0] : 2, : 2 * out_shape[1] : 2]
    expected = np.einsum("mrcij,omij->orc", windows, w.astype(np.float64))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)
