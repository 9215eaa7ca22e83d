"""The compiled col2im of transposed 2-D layers (convdoc/plans/_col2im_kernels.py).

Taken once numba is loaded; it must give the NumPy col2im's bits (same additions,
same order) and the layer's definition (the loop reference and PyTorch's
documented output size).
"""

from __future__ import annotations

import numpy as np
import pytest

import convdoc
from convdoc import threads
from convdoc.plans import stencil, transposed

pytestmark = pytest.mark.skipif(not stencil.available(), reason="numba is not installed")


@pytest.fixture(autouse=True)
def _restore_threads():
    """The tests here set convdoc's thread count; later tests get it back."""
    before = threads._count
    yield
    threads._count = before

CASES = [
    # (C_in, C_out, n, k, stride, padding, dilation, output_padding)
    (4, 3, (7, 6), (4, 4), (2, 2), (1, 1), (1, 1), (0, 0)),
    (2, 5, (5, 9), (3, 2), (3, 2), (2, 0), (1, 2), (1, 1)),
    (3, 2, (6, 4), (5, 3), (1, 1), (0, 1), (2, 1), (0, 0)),
    (1, 1, (1, 1), (1, 1), (4, 5), (0, 0), (1, 1), (3, 2)),
    (2, 2, (3, 8), (2, 7), (5, 3), (4, 6), (3, 2), (2, 1)),
]


def _by_loop(x, w, stride, padding, dilation, out_shape):
    """The definition: ``out[o, i*s - p + t*d] += x[c, i] * w[c, o, t]``, in float64."""
    c_in, n, k = x.shape[0], x.shape[1:], w.shape[2:]
    expected = np.zeros((w.shape[1], *out_shape))
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    for c in range(c_in):
        for i0 in range(n[0]):
            for i1 in range(n[1]):
                for t0 in range(k[0]):
                    for t1 in range(k[1]):
                        r = i0 * stride[0] - padding[0] + t0 * dilation[0]
                        q = i1 * stride[1] - padding[1] + t1 * dilation[1]
                        if 0 <= r < out_shape[0] and 0 <= q < out_shape[1]:
                            expected[:, r, q] += x64[c, i0, i1] * w64[c, :, t0, t1]
    return expected


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_col2im_gives_the_numpy_bits_and_the_definition(case, dtype, monkeypatch):
    c_in, c_out, n, k, stride, padding, dilation, output_padding = case
    stencil.load()
    rng = np.random.default_rng(11)
    x = rng.standard_normal((c_in, *n)).astype(dtype)
    w = rng.standard_normal((c_in, c_out, *k)).astype(dtype)
    out_shape = tuple(
        convdoc.transposed_output_size(ni, ki, stride=s, padding=p, dilation=d, output_padding=o)
        for ni, ki, s, p, d, o in zip(n, k, stride, padding, dilation, output_padding, strict=True)
    )
    product = (w.reshape(c_in, -1).T @ x.reshape(c_in, -1)).reshape(c_out, *k, *n)
    numpy_way = transposed._col2im(product, stride, padding, dilation, out_shape)
    out = np.full((c_out, *out_shape), np.nan, dtype)  # every cell must be written
    compiled = transposed._col2im_compiled(product, stride, padding, dilation, out)
    assert compiled is out
    np.testing.assert_array_equal(compiled, numpy_way)
    expected = _by_loop(x, w, stride, padding, dilation, out_shape)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(numpy_way, expected, atol=tol * np.abs(expected).max())
    # The layer: channel groups (each its product, then its col2im) shared among
    # threads, the same groups, and bits, on every count.
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    layers = {}
    for count in (1, 2, 3):
        convdoc.set_num_threads(count)
        layers[count] = transposed.scatter(x, w, stride, padding, dilation, out_shape)
        assert layers[count].dtype == dtype
        np.testing.assert_array_equal(layers[count], layers[1])
    np.testing.assert_allclose(layers[1], expected, atol=tol * np.abs(expected).max())


def test_the_layer_takes_the_compiled_col2im_once_numba_is_loaded(monkeypatch):
    stencil.load()
    ran = []
    real = transposed._col2im_compiled
    monkeypatch.setattr(transposed, "_col2im_compiled", lambda *a: ran.append(1) or real(*a))
    x = np.random.default_rng(2).standard_normal((8, 10, 10)).astype(np.float32)
    w = np.random.default_rng(3).standard_normal((8, 4, 4, 4)).astype(np.float32)
    got = convdoc.conv_transpose2d(x, w, stride=2, padding=1)
    assert ran == [1]
    assert got.dtype == np.float32 and got.shape == (4, 20, 20)
    expected = _by_loop(x, w, (2, 2), (1, 1), (1, 1), (20, 20))
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # Integers never take it: they stay exact in NumPy's adds.
    ran.clear()
    convdoc.conv_transpose2d(x.astype(np.int64), w.astype(np.int64), stride=2, padding=1)
    assert ran == []
