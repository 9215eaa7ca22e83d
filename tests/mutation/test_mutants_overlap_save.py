"""convdoc.plans.overlap_save: the 1-D blocks' channel counts, the cost models (tests/MUTANTS.md).

``_overlap_save`` multiplies the spectra one way for one input and one output channel
and by ``numpy.einsum`` otherwise; the other tests used (1, 1) and (3, 2) channels
only, so the one-channel product taken for (3, 1) or (2, 2) channels went unseen.
Oracle: the definition summed by loops. The cost models and the block choice only
choose among exact plans; their documented formulas and bounds (the docstrings) are
checked at values worked by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from convdoc.plans import overlap_save
from convdoc.plans.overlap_save import _overlap_save


@pytest.mark.parametrize(("c_out", "c_in"), [(1, 1), (3, 1), (2, 2), (1, 3)])
def test_overlap_save_every_channel_pair(c_out, c_in) -> None:
    rng = np.random.default_rng(10 * c_out + c_in)
    grid = rng.integers(-5, 6, (c_in, 150)).astype(float)
    w = rng.integers(-5, 6, (c_out, c_in, 11)).astype(float)
    stride = 2
    n_out = (150 - 11) // stride + 1
    expected = [
        [sum(grid[c, i * stride + t] * w[o, c, t] for c in range(c_in) for t in range(11))
         for i in range(n_out)]
        for o in range(c_out)
    ]  # fmt: skip
    # Blocks of 16 phase samples (hop 11, 7 blocks): whole-number sums, FFT rounding only.
    got = _overlap_save(grid, w, stride, n_out, 16, np.dtype(float))
    assert got.shape == (c_out, n_out)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)



@pytest.mark.parametrize(
    ("args", "seconds"),
    [
        # n_out 1000, q 10, 3 x 2 channels, 4 phases, blocks of 64: hop 55, 19 blocks;
        # 4*2*19 + 3*19 + 4*2*3 = 233 transforms of 64 points (log2 64 = 6).
        ((1000, 10, 3, 2, 4, 64),
         233 * (1e-6 + 2.8e-10 * 64 * 6 * (1 + 64 / 4096)) + 1e-9 * 4 * 2 * 3 * 19 * 64),
        # One block of 128 (hop 126 >= 100 outputs): 3 transforms, log2 128 = 7.
        ((100, 3, 1, 1, 1, 128), 3 * (1e-6 + 2.8e-10 * 128 * 7 * (1 + 128 / 4096)) + 1e-9 * 128),
    ],
)
def test_overlap_save_cost_is_its_documented_formula(args, seconds) -> None:
    assert overlap_save._overlap_save_cost(*args) == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize(
    ("out", "k", "stride", "c_out", "c_in", "seconds"),
    [
        # 1-D, 20 outputs, 9 taps, stride 4: q = 3, 4 phases; one transform of
        # next_fast_len(22) = 24 points (64, the smallest block tried, is longer):
        # 4*3 + 2 + 4*3*2 = 38 transforms, 4*3*2 products of 24 points.
        ((20,), (9,), (4,), 2, 3,
         6e-5 + 38 * (1e-6 + 2.8e-10 * 24 * math.log2(24) * (1 + 24 / 4096)) + 1e-9 * 24 * 24),
        # 2-D: q = (3, 2), 16 phases, L = (12, 13), size 156, half 12 * 7 = 84,
        # kernel 6 * 7 + 84 * 3 = 294.
        ((10, 12), (9, 6), (4, 4), 3, 2,
         1.2e-4 + 6e-10 * 35 * 156 * math.log(156) + 3e-10 * 96 * 294 + 1e-9 * 96 * 84),
        # 2-D, a kernel shorter than the stride on one axis: q = (1, 3), phases 3 * 2,
        # L = (7, 11), size 77, half 7 * 6 = 42, kernel 3 * 6 + 42 * 1 = 60.
        ((7, 9), (3, 5), (4, 2), 2, 1,
         1.2e-4 + 6e-10 * 8 * 77 * math.log(77) + 3e-10 * 12 * 60 + 1e-9 * 12 * 42),
        # 3-D: q = (2, 2, 2), 8 phases, L = (5, 6, 9), size 270, half 30 * 5 = 150 (the
        # last axis halved, not the middle one), no kernel term.
        ((4, 5, 8), (3, 3, 3), (2, 2, 2), 1, 1,
         1.2e-4 + 6e-10 * 9 * 270 * math.log(270) + 1e-9 * 8 * 150),
        # 2-D, two points in all: q = (1, 1), 4 phases, L = (1, 2), half 2, kernel
        # 1 * 2 + 2 * 1 = 4; the log is ln 2.
        ((1, 2), (2, 2), (2, 2), 1, 1,
         1.2e-4 + 6e-10 * 5 * 2 * math.log(2) + 3e-10 * 4 * 4 + 1e-9 * 4 * 2),
    ],
)
def test_fft_phases_cost_is_its_documented_formula(out, k, stride, c_out, c_in, seconds) -> None:
    got = overlap_save.fft_phases_cost(out, k, stride, c_out, c_in)
    assert got == pytest.approx(seconds, rel=1e-12)


def test_plain_block_short_and_long_signals() -> None:
    # 10 outputs, 5 taps: 14 points; every block tried (64 and up) is longer than one
    # transform of the smallest 2-3-5 length at least 14, which is 15 = 3 * 5.
    assert overlap_save.plain_block(10, 5) == 15
    assert not overlap_save.blocked(10, 5)
    # 10^6 outputs, 101 taps: a power of two of at least 8 * 101 taps (1024) and at most
    # the largest block tried, 16 * 256 = 4096; far below one transform of everything.
    block = overlap_save.plain_block(10**6, 101)
    assert 1024 <= block <= 4096 and block & (block - 1) == 0
    assert overlap_save.blocked(10**6, 101)


@pytest.mark.parametrize("k", [200, 240, 256])
def test_plain_block_is_at_least_eight_kernels(k) -> None:
    # 8 * k = 1600, 1920, 2048 taps: the smallest power of two at least that long is
    # 2048 each time, within the 8 to 16 kernel lengths measured fastest.
    block = overlap_save.plain_block(10**6, k)
    assert block == 2048
    assert 8 * k <= block <= 16 * k
