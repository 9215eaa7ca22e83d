"""The loop reference against hand-worked values, NumPy/SciPy, and the fast engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc import conv1d, conv2d, reference_conv, reference_correlate
from convdoc.engine import correlate_windows


def test_hand_worked_1d() -> None:
    # windows (1,2,3), (2,3,4), (3,4,5) against (1, 0, -1): 1-3, 2-4, 3-5
    np.testing.assert_array_equal(reference_correlate([1, 2, 3, 4, 5], [1, 0, -1]), [-2, -2, -2])
    # dilation 2 picks x[i], x[i+2]; stride 2 keeps i = 0, 2
    np.testing.assert_array_equal(
        reference_correlate([1, 2, 3, 4, 5], [1, -1], stride=2, dilation=2), [-2, -2]
    )


def test_hand_worked_2d() -> None:
    x = np.arange(9).reshape(3, 3)  # 0..8
    # 2x2 all-ones windows: 0+1+3+4, 1+2+4+5, 3+4+6+7, 4+5+7+8
    np.testing.assert_array_equal(reference_correlate(x, np.ones((2, 2), int)), [[8, 12], [20, 24]])


def test_hand_worked_conv_layer() -> None:
    # out = 100 + (x0 * [1, 1]) + (x1 * [1, 0]) over windows of 2
    got = reference_conv([[1, 2, 3], [10, 20, 30]], [[[1, 1], [1, 0]]], bias=[100])
    np.testing.assert_array_equal(got, [[100 + 3 + 10, 100 + 5 + 20]])


@settings(max_examples=60, deadline=None)
@given(
    nd=st.integers(1, 2),
    data=st.data(),
)
def test_matches_scipy_correlate_subsampled(nd, data) -> None:
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 4)) for _ in range(nd))
    n = tuple(kk + data.draw(st.integers(0, 8)) for kk in k)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w = rng.integers(-9, 10, n), rng.integers(-9, 10, k)
    expected = signal.correlate(x, w, "valid", method="direct")
    expected = expected[tuple(slice(None, None, s) for s in stride)]
    np.testing.assert_array_equal(reference_correlate(x, w, stride=stride), expected)


@settings(max_examples=50, deadline=None)
@given(nd=st.integers(1, 2), data=st.data(), method=st.sampled_from(["direct", "fft", "auto"]))
def test_engine_equals_reference(nd, data, method) -> None:
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 4)) for _ in range(nd))
    n = tuple(
        d * (kk - 1) + 1 + data.draw(st.integers(0, 6)) for kk, d in zip(k, dilation, strict=True)
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    expected = reference_correlate(x, w, stride=stride, dilation=dilation)
    got = correlate_windows(x[None], w[None, None], stride=stride, dilation=dilation, method=method)
    np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(nd=st.integers(1, 2), data=st.data())
def test_reference_conv_matches_torch_formula_and_layers(nd, data) -> None:
    """PyTorch's documented formula: out[o] = bias[o] + sum_c xcorr(pad(x[c]), w[o, c])."""
    c_in, c_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    padding = tuple(data.draw(st.integers(0, 2)) for _ in range(nd))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    n = tuple(
        d * (kk - 1) + 1 + data.draw(st.integers(0, 5)) for kk, d in zip(k, dilation, strict=True)
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((c_in, *n))
    w = rng.standard_normal((c_out, c_in, *k))
    bias = rng.standard_normal(c_out)
    got = reference_conv(x, w, bias, stride=stride, padding=padding, dilation=dilation)

    expected = []
    for o in range(c_out):
        acc = bias[o]
        for c in range(c_in):
            grid = np.pad(x[c], [(p, p) for p in padding])
            dilated = np.zeros(tuple(d * (kk - 1) + 1 for kk, d in zip(k, dilation, strict=True)))
            dilated[tuple(slice(None, None, d) for d in dilation)] = w[o, c]
            full = signal.correlate(grid, dilated, "valid", method="direct")
            acc = acc + full[tuple(slice(None, None, s) for s in stride)]
        expected.append(acc)
    np.testing.assert_allclose(got, np.stack(expected), rtol=1e-10, atol=1e-10)

    layer = conv1d if nd == 1 else conv2d
    fast = layer(x, w, bias, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(fast, got, rtol=1e-10, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(nd=st.integers(1, 2), data=st.data())
def test_reference_conv_groups_follow_torch_and_the_layers(nd, data) -> None:
    """PyTorch: output o of group gamma = o // (C_out/g) sums input channels gamma*C_in/g + c."""
    groups = data.draw(st.integers(1, 3))
    c_in, c_out = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    stride = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(data.draw(st.integers(0, 1)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    n = tuple(kk + data.draw(st.integers(0, 4)) for kk in k)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((c_in, *n))
    w = rng.standard_normal((c_out, c_in // groups, *k))
    bias = rng.standard_normal(c_out)
    got = reference_conv(x, w, bias, stride=stride, padding=padding, groups=groups)

    expected = []
    for o in range(c_out):
        group = o // (c_out // groups)
        acc = bias[o]
        for c in range(c_in // groups):
            grid = np.pad(x[group * (c_in // groups) + c], [(p, p) for p in padding])
            full = signal.correlate(grid, w[o, c], "valid", method="direct")
            acc = acc + full[tuple(slice(None, None, s) for s in stride)]
        expected.append(acc)
    np.testing.assert_allclose(got, np.stack(expected), rtol=1e-10, atol=1e-10)
    layer = conv1d if nd == 1 else conv2d
    fast = layer(x, w, bias, stride=stride, padding=padding, groups=groups)
    np.testing.assert_allclose(fast, got, rtol=1e-10, atol=1e-10)


def test_integer_results_exact() -> None:
    x = np.array([2**40, 3, -(2**41)], dtype=np.int64)
    got = reference_correlate(x, np.array([3, 1], dtype=np.int64))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [3 * 2**40 + 3, 9 - 2**41])


def test_small_enough_for_the_docs() -> None:
    # The tutorial runs the loops on the seed's sawtooth: 200 samples, 21 taps.
    x = np.tile(np.linspace(-1, 1, 50), 4)
    k = np.exp(-0.5 * (np.arange(-10, 11) / 3.0) ** 2)
    np.testing.assert_allclose(
        reference_correlate(x, k), np.correlate(x, k, "valid"), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: reference_correlate([1, 2], [1, 2, 3]), "no window fits"),
        (lambda: reference_correlate([1, 2, 3], [[1]]), "same number of dimensions"),
        (
            lambda: reference_conv([[1, 2, 3]], [[[1]], [[1]]], bias=[1]),
            r"bias must have shape \(2,\)",
        ),
        (lambda: reference_conv([[1, 2, 3]], [[[1], [1]]]), "input channels"),
        (
            lambda: reference_conv([[1, 2, 3]] * 3, [[[1]]] * 4, groups=2),
            r"groups=2 must divide the input channels C_in of x \(shape \(3, 3\)\), got 3",
        ),
        (
            lambda: reference_conv([[1, 2, 3]] * 2, [[[1]]] * 3, groups=2),
            r"groups=2 must divide the output channels C_out of weight .* got 3",
        ),
        (
            lambda: reference_conv([[1, 2, 3]] * 4, [[[1]]] * 4, groups=2),
            r"weight expects 2 input channels \(shape \(4, 1, 1\), groups=2\) but x has 4",
        ),
        (lambda: reference_conv([[1, 2, 3]], [[[1]]], groups=0), "groups must be a positive"),
    ],
)
def test_shape_errors(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
