"""convdoc.plans.direct: numpy.correlate's modes and the documented cost models (tests/MUTANTS.md).

``numpy_mode`` says which :func:`numpy.correlate` mode equals a zero padding; the
oracle is the definition, summed by a loop over the ``numpy.pad``-ed signal, for every
small signal, kernel and padding. The cost models (``np_correlate_cost``,
``shift_add_cost``) only choose among exact plans, so the result tests cannot see
them; their documented formulas (the docstrings) are checked at values worked by hand.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convdoc.plans import direct


def _definition(x: np.ndarray, w: np.ndarray, pad: tuple[int, int]) -> list[int]:
    """``out[i] = sum_t xp[i + t] * w[t]`` over the zero-padded ``xp``, by loops."""
    xp = [0] * pad[0] + [int(v) for v in x] + [0] * pad[1]
    n_out = len(xp) - len(w) + 1
    return [sum(xp[i + t] * int(w[t]) for t in range(len(w))) for i in range(max(n_out, 0))]


def test_numpy_mode_names_a_mode_that_equals_the_padding_and_misses_none() -> None:
    rng = np.random.default_rng(16)
    checked = 0
    for n, k in itertools.product(range(1, 7), range(1, 7)):
        # Distinct, non-symmetric whole numbers: no mode matches by coincidence.
        x = rng.permutation(np.arange(1, n + 1)) * 10 + rng.integers(1, 9, n)
        w = rng.permutation(np.arange(1, k + 1)) * 100 + rng.integers(1, 9, k)
        for pad in itertools.product(range(k + 2), repeat=2):
            expected = _definition(x, w, pad)
            matching = [
                mode
                for mode in ("valid", "same", "full")
                if np.correlate(x, w, mode).tolist() == expected
            ]
            got = direct.numpy_mode(n, k, pad)
            if got is not None:
                assert got in matching, (n, k, pad, got, matching)
                checked += 1
            elif n >= k:
                # A kernel longer than the signal is left out on purpose: numpy then
                # swaps the operands, and only "full" keeps the definition's length.
                assert not matching, (n, k, pad, matching)
    # "full" for all 36 (n, k); "valid" and "same" for the 15 with 2 <= k <= n (for
    # k = 1 all three are the padding (0, 0), counted once).
    assert checked == 36 + 15 + 15


@pytest.mark.parametrize(
    ("k", "seconds"),
    [
        # 3e-10 s per tap below 16 taps; from 16, 40 ns per output plus 1.6e-10 per tap.
        (1, 3e-10),
        (15, 4.5e-9),
        (16, 4e-8 + 2.56e-9),
        (101, 4e-8 + 1.616e-8),
    ],
)
def test_np_correlate_cost_is_its_documented_formula(k, seconds) -> None:
    assert direct.np_correlate_cost(k) == pytest.approx(seconds, rel=1e-12)


H = np.array([[0, 1, -1], [3, 0, -2], [1, 1, 0]])  # 6 non-zero taps, 4 of them +-1


@pytest.mark.parametrize(
    ("w_shape", "out_shape", "h", "dtype", "seconds"),
    [
        # C_out x C_in: 1.5 * (2 ns * 4*3*200*25 MACs + 4 us * 25 taps) = 3.3e-4 s.
        ((4, 3, 5, 5), (10, 20), None, None, 1.5 * (1.2e-4 + 1e-4)),
        # One channel, H's taps in float32: 2*6 - 4 - 1 = 7 passes over 10^6 outputs,
        # 0.4 ns each, plus 1.5 us per pass and block of 2^17 bytes: 8e6 // 2^17 = 61.
        ((1, 1, 3, 3), (1000, 1000), H, np.float32, 1e-5 + 7 * (4e-4 + 1.5e-6 * 62)),
        # Float64 is twice the float32 pass: 7 * (0.8 ns * 10^6 + 1.5 us * 62).
        ((1, 1, 3, 3), (1000, 1000), H, np.float64, 1e-5 + 7 * (8e-4 + 1.5e-6 * 62)),
        # No taps given, float64 by default: 2*9 - 1 = 17 passes over 20,000 outputs,
        # 160,000 bytes: one block more.
        ((1, 1, 3, 3), (100, 200), None, None, 1e-5 + 17 * (1.6e-5 + 1.5e-6 * 2)),
        # Complex taps are not priced by value: every tap counts, complex128 is
        # 16 bytes (four float32 passes): 2*3 - 1 = 5 passes over 64 outputs.
        ((1, 1, 3), (64,), np.array([0, 1, 1j]), np.complex128, 1e-5 + 5 * (64 * 1.6e-9 + 1.5e-6)),
        # Integer taps of 2 and 0: 2*1 - 0 - 1 = 1 pass over 64 int32 outputs.
        ((1, 1, 2), (64,), np.array([0, 2]), np.int32, 1e-5 + 1 * (64 * 4e-10 + 1.5e-6)),
    ],
)
def test_shift_add_cost_is_its_documented_formula(w_shape, out_shape, h, dtype, seconds) -> None:
    dtype = None if dtype is None else np.dtype(dtype)
    got = direct.shift_add_cost(w_shape, out_shape, h, dtype)
    assert got == pytest.approx(seconds, rel=1e-12)


def _layer(x: np.ndarray, w: np.ndarray, pad, stride: int, dilation: int) -> list[list[int]]:
    """The 1-D layer ``y[o, i] = sum_{m, t} xp[m, i*s + t*d] * w[o, m, t]``, by loops."""
    xp = [[0] * pad[0] + [int(v) for v in row] + [0] * pad[1] for row in x]
    c_out, c_in, k = w.shape
    n_out = (len(xp[0]) - dilation * (k - 1) - 1) // stride + 1
    return [
        [
            sum(xp[m][i * stride + t * dilation] * int(w[o, m, t])
                for m in range(c_in) for t in range(k))
            for i in range(n_out)
        ]
        for o in range(c_out)
    ]  # fmt: skip


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_plain_numpy_takes_every_single_channel_stride_one_padding_numpy_has(k) -> None:
    # The paddings of numpy.correlate's three modes for a signal of 9 samples:
    # valid (0, 0), same (k // 2, (k - 1) // 2), full (k - 1, k - 1).
    rng = np.random.default_rng(k)
    x = rng.integers(-9, 10, (1, 9))
    w = rng.integers(1, 10, (1, 1, k))
    for mode, pad in (("valid", (0, 0)), ("same", (k // 2, (k - 1) // 2)), ("full", (k - 1,) * 2)):
        assert direct.plain_numpy(x, w, (pad,), (1,), (1,)), (k, mode)
        # ... and that one call is the layer (oracle: the loop).
        assert [np.correlate(x[0], w[0, 0], mode).tolist()] == _layer(x, w, pad, 1, 1)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "dilation"),
    [
        ((2, 9), (1, 2, 3), (1,), (1,)),  # two input channels
        ((1, 9), (2, 1, 3), (1,), (1,)),  # two output channels
        ((1, 9), (1, 1, 3), (2,), (1,)),  # stride 2
        ((1, 9), (1, 1, 3), (1,), (2,)),  # dilation 2
    ],
)
def test_plain_numpy_refuses_what_one_numpy_correlate_call_is_not(
    x_shape, w_shape, stride, dilation
) -> None:
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x = rng.integers(-9, 10, x_shape)
    w = rng.integers(1, 10, w_shape)
    assert not direct.plain_numpy(x, w, ((0, 0),), stride, dilation)
    # Oracle: the one call numpy.correlate(x[0], w[0, 0], "valid") is not the layer.
    layer = _layer(x, w, (0, 0), stride[0], dilation[0])
    assert [np.correlate(x[0], w[0, 0], "valid").tolist()] != layer
    # A 2-D single-channel image is not a 1-D problem either.
    image = rng.integers(-9, 10, (1, 5, 9))
    assert not direct.plain_numpy(image, np.ones((1, 1, 1, 3)), ((0, 0), (0, 0)), (1, 1), (1, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("contiguous", [True, False])
def test_window_einsum_on_any_grid_in_the_asked_dtype(dtype, contiguous) -> None:
    # A grid that is not C-contiguous (every second sample of a longer array) takes
    # as_strided instead of the ndarray constructor; the result is in the asked dtype.
    # Oracle: out[i] = sum_j grid[i * stride + j * dilation] * taps[j] in Python numbers
    # (small integers: exact in every dtype).
    rng = np.random.default_rng(11)
    dtype = np.dtype(dtype)
    base = rng.integers(-9, 10, size=120).astype(dtype)
    taps = rng.integers(-9, 10, size=7).astype(dtype)
    if dtype.kind == "c":
        base += 1j * rng.integers(-9, 10, size=120)
        taps += 1j * rng.integers(-9, 10, size=7)
    grid = base[:60].copy() if contiguous else base[::2]
    assert grid.flags.c_contiguous is contiguous and grid.size == 60
    stride, dilation = 3, 2
    n_out = (60 - dilation * 6 - 1) // stride + 1  # 16
    values, weights = grid.tolist(), taps.tolist()  # Python floats or complex numbers
    expected = [
        sum(values[i * stride + j * dilation] * weights[j] for j in range(7)) for i in range(n_out)
    ]
    got = direct.window_einsum(grid, taps, stride, dilation, n_out, dtype)
    assert got.dtype == dtype and got.shape == (n_out,)
    np.testing.assert_array_equal(got, np.array(expected, dtype))
