"""Tests that kill mutants of convdoc/plans/transposed.py (tests/MUTANTS.md).

Oracle: the definition's loop, ``out[o, i*s - p + t*d] += x[c, i] * w[c, o, t]``,
in float64 (Python's floats), with PyTorch's output size worked by hand.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convdoc import threads
from convdoc.plans import stencil, transposed


def _by_loop(x, w, stride, padding, dilation, out_shape):
    """The definition, any number of spatial axes, in float64."""
    nd = len(stride)
    out = np.zeros((w.shape[1], *out_shape))
    for c in range(x.shape[0]):
        for i in itertools.product(*(range(n) for n in x.shape[1:])):
            for t in itertools.product(*(range(k) for k in w.shape[2:])):
                r = tuple(i[a] * stride[a] - padding[a] + t[a] * dilation[a] for a in range(nd))
                if all(0 <= r[a] < out_shape[a] for a in range(nd)):
                    out[(slice(None), *r)] += float(x[(c, *i)]) * w[(c, slice(None), *t)]
    return out


@pytest.mark.parametrize("per_tap", [False, True])
def test_one_input_sample_and_taps_that_miss_the_output(monkeypatch, per_tap) -> None:
    # N = 1, K = 3, p = 1, s = 1: N_out = 0 - 2 + 2 + 1 = 1. Tap 1 reaches the one
    # output (its first input is its last); taps 0 and 2 land outside and are skipped.
    if per_tap:
        monkeypatch.setattr(transposed, "PRODUCT_CELLS", 0)
    x = np.array([[[2.0]], [[-3.0]]])  # (C_in, 1, 1)
    w = np.arange(2.0 * 2 * 3 * 3).reshape(2, 2, 3, 3)
    got = transposed.scatter(x, w, (1, 1), (1, 1), (1, 1), (1, 1))
    # By hand: out[o, 0, 0] = 2 * w[0, o, 1, 1] - 3 * w[1, o, 1, 1].
    expected = 2 * w[0, :, 1, 1] - 3 * w[1, :, 1, 1]
    np.testing.assert_array_equal(got[:, 0, 0], expected)
    assert got.shape == (2, 1, 1)


@pytest.mark.parametrize("stride", [(1, 1), (1, 2)])
def test_one_tap_at_a_time_with_stride_one(monkeypatch, stride) -> None:
    # Stride 1: every tap's slice of the output is contiguous, and shorter than the output.
    monkeypatch.setattr(transposed, "PRODUCT_CELLS", 0)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 4))
    w = rng.standard_normal((2, 3, 3, 2))
    out_shape = ((5 - 1) * stride[0] + 3, (4 - 1) * stride[1] + 2)
    got = transposed.scatter(x, w, stride, (0, 0), (1, 1), out_shape)
    np.testing.assert_allclose(got, _by_loop(x, w, stride, (0, 0), (1, 1), out_shape),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("x_dtype", "w_dtype"), [(np.float64, np.float32),
                                                  (np.float32, np.float64)])
@pytest.mark.parametrize("per_tap", [False, True])
def test_mixed_dtypes_compute_in_the_result_dtype(monkeypatch, x_dtype, w_dtype, per_tap):
    if per_tap:
        monkeypatch.setattr(transposed, "PRODUCT_CELLS", 0)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 4, 5)).astype(x_dtype)
    w = rng.standard_normal((3, 2, 3, 3)).astype(w_dtype)
    out_shape = (3 * 2 - 2 + 3, 4 * 2 - 2 + 3)
    got = transposed.scatter(x, w, (2, 2), (1, 1), (1, 1), out_shape)
    assert got.dtype == np.float64
    expected = _by_loop(x, w.astype(np.float64), (2, 2), (1, 1), (1, 1), out_shape)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_the_first_compiled_call_loads_the_compiled_col2im(monkeypatch) -> None:
    if not stencil.available():
        pytest.skip("numba is not installed")
    stencil.load()
    monkeypatch.setattr(transposed, "_kernels", None)  # as in a fresh process
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 4))
    w = rng.standard_normal((2, 3, 2, 3))
    product = (w.reshape(2, -1).T @ x.reshape(2, -1)).reshape(3, 2, 3, 3, 4)
    out_shape = (2 * 2 + 2, 3 * 1 + 3)
    got = transposed._col2im_compiled(product, (2, 1), (0, 0), (1, 1), np.empty((3, *out_shape)))
    np.testing.assert_allclose(got, _by_loop(x, w, (2, 1), (0, 0), (1, 1), out_shape),
                               rtol=1e-12, atol=1e-12)
    assert transposed._kernels is not None


@pytest.mark.parametrize(("shared", "groups"), [(True, [1, 2, 2, 2]), (False, [7])])
def test_each_channel_group_adds_its_own_product_into_its_channels(monkeypatch, shared,
                                                                   groups) -> None:
    # A layer priced to share: min(C_out, CHANNEL_GROUPS) groups of output channels,
    # each its rows of the product and its channels of the output; a small one: one.
    if not stencil.available():
        pytest.skip("numba is not installed")
    stencil.load()
    real = transposed._col2im_compiled
    seen: list[int] = []

    def spy(product, stride, padding, dilation, out):
        assert out.shape[0] == product.shape[0]
        seen.append(out.shape[0])
        return real(product, stride, padding, dilation, out)

    monkeypatch.setattr(transposed, "_col2im_compiled", spy)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0 if shared else 1e9)
    monkeypatch.setattr(threads, "_count", 3)
    c_out = 7
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 3))
    w = rng.standard_normal((2, c_out, 2, 2))
    got = transposed.scatter(x, w, (1, 1), (0, 0), (1, 1), (4, 4))
    assert sorted(seen) == groups
    np.testing.assert_allclose(got, _by_loop(x, w, (1, 1), (0, 0), (1, 1), (4, 4)),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("nd", [1, 3])
def test_other_dimensions_never_take_the_compiled_col2im(nd) -> None:
    # Once numba is loaded, 1-D and 3-D transposed layers still give the definition.
    if not stencil.available():
        pytest.skip("numba is not installed")
    stencil.load()
    rng = np.random.default_rng(nd)
    n, k = (5, 4, 3)[:nd], (3, 2, 2)[:nd]
    x = rng.standard_normal((2, *n))
    w = rng.standard_normal((2, 3, *k))
    stride, padding, dilation = (2, 1, 3)[:nd], (1, 0, 1)[:nd], (1, 2, 1)[:nd]
    out_shape = tuple((ni - 1) * s - 2 * p + d * (ki - 1) + 1
                      for ni, ki, s, p, d in zip(n, k, stride, padding, dilation, strict=True))
    got = transposed.scatter(x, w, stride, padding, dilation, out_shape)
    np.testing.assert_allclose(got, _by_loop(x, w, stride, padding, dilation, out_shape),
                               rtol=1e-12, atol=1e-12)
