"""convdoc.plans._common.round_to_int against Python's exact integers (tests/MUTANTS.md).

An FFT gives integer results as floats; round_to_int must give what NumPy's
wrapping integer arithmetic gives, also for sums beyond int64 (possible only
when a caller forces ``method="fft"``). The oracle wraps Python integers by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from convdoc.plans._common import round_to_int


def _wrap(value: int, bits: int) -> int:
    """Two's-complement wrap of an exact integer to ``bits`` bits."""
    half = 1 << (bits - 1)
    return (value + half) % (1 << bits) - half


VALUES = [
    0.0, 2.4, -2.6, 2.0**62, -(2.0**62), 2.0**63, -(2.0**63), 2.0**63 + 2.0**11,
    -(2.0**63) - 2.0**11, 2.0**64, -(2.0**64), 2.0**64 + 2.0**12, 3 * 2.0**63,
    -3 * 2.0**63, 2.0**70 + 2.0**20, -(2.0**70) - 2.0**30, 1e30, -1e30,
]  # fmt: skip


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "uint64"])
def test_round_to_int_wraps_like_integer_arithmetic(dtype: str) -> None:
    target = np.dtype(dtype)
    got = round_to_int(np.array(VALUES), target)
    assert got.dtype == target
    bits = 8 * target.itemsize
    expected = [_wrap(round(v), bits) % (1 << bits) if target.kind == "u" else
                _wrap(round(v), bits) for v in VALUES]  # fmt: skip
    assert [int(g) for g in got] == expected


def test_round_to_int_small_values_only_round() -> None:
    got = round_to_int(np.array([[1.4, -1.6], [2.0**62 + 2.0**10, -7.0]]), np.dtype("int64"))
    assert got.tolist() == [[1, -2], [2**62 + 2**10, -7]]
    assert got.flags.c_contiguous


def test_nan_becomes_zero_without_a_warning() -> None:
    with np.errstate(all="raise"):
        got = round_to_int(np.array([np.nan, 2.0**64 + 2.0**12, 5.0]), np.dtype("int64"))
    assert got.tolist() == [0, 2**12, 5]


@pytest.mark.parametrize("channels", [(1, 2), (3, 2)])  # (c_out, c_in): one row is contiguous
@pytest.mark.parametrize("step", [1, 2])
def test_overlap_save_reads_a_grid_that_is_a_view(channels, step, monkeypatch) -> None:
    # A grid cut from a wider array, longer than the blocks read (216 samples: 5 blocks
    # of 16 phase samples, hop 14, stride 3), is read in place although it is not
    # C-contiguous: the blocks are then taken with as_strided. A grid whose samples are
    # not adjacent (step 2) must be copied first. Oracle: loops.
    from convdoc.plans.overlap_save import _overlap_save

    c_out, c_in = channels
    rng = np.random.default_rng(21)
    wide = rng.standard_normal((c_in, 600))
    grid = wide[:, : 260 * step : step]
    assert not grid.flags.c_contiguous and grid.shape == (c_in, 260)
    w = rng.standard_normal((c_out, c_in, 7))
    stride, n_out = 3, (200 - 7) // 3 + 1
    expected = np.zeros((c_out, n_out))
    for o in range(c_out):
        for i in range(n_out):
            expected[o, i] = sum(
                grid[c, i * stride + t] * w[o, c, t] for c in range(c_in) for t in range(7)
            )
    views = []
    real = np.lib.stride_tricks.as_strided
    monkeypatch.setattr(np.lib.stride_tricks, "as_strided", lambda *a, **k: views.append(a[0])
                        or real(*a, **k))  # fmt: skip
    got = _overlap_save(grid, w, stride, n_out, 16, np.dtype("float64"))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
    # Read in place only when the samples are adjacent (the segments' strides assume it).
    assert [v is grid for v in views] == ([True] if step == 1 else [])
