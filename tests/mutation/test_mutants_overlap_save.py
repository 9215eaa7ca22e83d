"""convdoc.plans.overlap_save: the channel counts of the 1-D blocks (tests/MUTANTS.md).

``_overlap_save`` multiplies the spectra one way for one input and one output channel
and by ``numpy.einsum`` otherwise; the other tests used (1, 1) and (3, 2) channels
only, so a test of the one-channel case that also caught one output channel of several,
or two of each, went unseen. Oracle: the definition summed by loops.
"""

from __future__ import annotations

import numpy as np
import pytest

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
