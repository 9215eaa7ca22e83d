"""The algorithms the chapters teach, run from the chapters' own code and checked.

docs/tutorial/how-libraries-compute.md shows the reader im2col and Winograd's
F(2x2, 3x3) as NumPy functions. These tests take those
functions from the page's visible code cells (so the code that teaches is the
code that is tested) and check them against independent oracles: SciPy, plain
loops written here, and multiplications counted one by one. The
why-cnns chapter's claims about stride and pooling are checked the same way,
with loops written here.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.signal
from test_chapters import _code

import convdoc

CHAPTER = "how-libraries-compute"


def _reader_functions() -> dict[str, Any]:
    """Execute the chapter's visible cells that define im2col and Winograd."""
    wanted = ("def im2col", "def winograd_conv2d")
    cells = [cell for cell in _code(CHAPTER) if any(w in cell for w in wanted)]
    assert len(cells) == 2, "the chapter's teaching cells were not found"
    namespace: dict[str, Any] = {
        "np": np,
        "convdoc": convdoc,
        "rng": np.random.default_rng(0),
    }
    for cell in cells:
        exec(compile(cell, CHAPTER, "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def reader() -> dict[str, Any]:
    return _reader_functions()


def _loop_layer(x: np.ndarray, w: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """PyTorch's conv2d on one image by its definition (SciPy correlates each channel pair)."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    out = []
    for o in range(w.shape[0]):
        full = sum(scipy.signal.correlate2d(x[c], w[o, c], mode="valid") for c in range(x.shape[0]))
        out.append(full[::stride, ::stride])
    return np.array(out)


@pytest.mark.parametrize(
    ("c_in", "c_out", "n", "k", "stride", "padding"),
    [(1, 1, 4, 3, 1, 0), (3, 4, 9, 3, 2, 1), (2, 3, 11, 5, 1, 2), (4, 2, 7, 1, 3, 0),
     (2, 2, 10, 4, 3, 1)],
)
def test_im2col_layer_equals_the_definition(reader, c_in, c_out, n, k, stride, padding):
    rng = np.random.default_rng(n * k + stride)
    x = rng.standard_normal((c_in, n, n))
    w = rng.standard_normal((c_out, c_in, k, k))
    got = reader["conv2d_im2col"](x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(got, _loop_layer(x, w, stride, padding), atol=1e-12)


def test_im2col_rows_are_the_windows_and_cost_k_squared_memory(reader):
    x = np.arange(2 * 6 * 6, dtype=np.float32).reshape(2, 6, 6)
    k, s = 3, 1
    cols = reader["im2col"](x, k, s)
    n_out = (6 - k) // s + 1
    # Row of output (r, c): channel 0's window, then channel 1's, each read row by row.
    for r, c in itertools.product(range(n_out), repeat=2):
        expected = np.concatenate([x[ch, r : r + k, c : c + k].ravel() for ch in range(2)])
        np.testing.assert_array_equal(cols[r * n_out + c], expected)
    # The layer shapes the page measures: bytes = outputs * C_in * K^2 * 4 (float32).
    for c_in, n, k, s, p, ratio in [(3, 224, 7, 2, 3, 49 / 4), (64, 56, 3, 1, 1, 9),
                                    (256, 56, 1, 1, 0, 1)]:
        image = np.zeros((c_in, n + 2 * p, n + 2 * p), dtype=np.float32)
        n_out = (n + 2 * p - k) // s + 1
        assert reader["im2col"](image, k, s).nbytes == n_out**2 * c_in * k * k * 4
        assert n_out**2 * c_in * k * k / (c_in * n * n) == pytest.approx(ratio)


@pytest.mark.parametrize(("rows", "cols"), [(4, 4), (6, 10), (12, 8)])
def test_winograd_equals_the_direct_sum(reader, rows, cols):
    rng = np.random.default_rng(rows * cols)
    x = rng.standard_normal((rows, cols))
    h = rng.standard_normal((3, 3))
    direct = np.array([[np.sum(x[r : r + 3, c : c + 3] * h) for c in range(cols - 2)]
                       for r in range(rows - 2)])
    np.testing.assert_allclose(reader["winograd_conv2d"](x, h), direct, atol=1e-12)


class _Counted:
    """A number that counts the general multiplications (data times kernel) it takes part in."""

    count = 0

    def __init__(self, value: float, kinds: frozenset[str]) -> None:
        self.value, self.kinds = value, kinds

    def __mul__(self, other: Any) -> _Counted:
        if isinstance(other, _Counted):
            if self.kinds and other.kinds:
                _Counted.count += 1
            return _Counted(self.value * other.value, self.kinds | other.kinds)
        return _Counted(self.value * float(other), self.kinds)  # a constant: free

    __rmul__ = __mul__

    def __add__(self, other: Any) -> _Counted:
        if isinstance(other, _Counted):
            return _Counted(self.value + other.value, self.kinds | other.kinds)
        return _Counted(self.value + float(other), self.kinds)

    __radd__ = __add__

    def __neg__(self) -> _Counted:
        return _Counted(-self.value, self.kinds)

    def __sub__(self, other: Any) -> _Counted:
        return self + (-other)

    def __rsub__(self, other: Any) -> _Counted:
        return (-self) + other


def _counted(values: np.ndarray, kind: str) -> np.ndarray:
    out = np.empty(values.shape, dtype=object)
    for idx, v in np.ndenumerate(values):
        out[idx] = _Counted(float(v), frozenset({kind}))
    return out


def test_multiplications_counted_one_by_one(reader):
    rng = np.random.default_rng(7)
    tile, kernel = rng.standard_normal((4, 4)), rng.standard_normal((3, 3))
    d, g = _counted(tile, "d"), _counted(kernel, "g")

    _Counted.count = 0
    y = reader["winograd_conv2d"](d, g)
    winograd = _Counted.count
    _Counted.count = 0
    direct = [[sum((d[r + i, c + j] * g[i, j] for i in range(3) for j in range(3)),
                   _Counted(0.0, frozenset())) for c in range(2)] for r in range(2)]
    counted_direct = _Counted.count
    assert (winograd, counted_direct) == (16, 36)
    assert counted_direct / winograd == 2.25
    values = np.array([[v.value for v in row] for row in y])
    np.testing.assert_allclose(values, [[v.value for v in row] for row in direct])
    np.testing.assert_allclose(values, scipy.signal.correlate2d(tile, kernel, "valid"))

    # 1-D F(2, 3): the page's matrices with one row and column of the 2-D transforms.
    B_T, G, A_T = reader["B_T"], reader["G"], reader["A_T"]
    d1, g1 = _counted(tile[0], "d"), _counted(kernel[0], "g")
    _Counted.count = 0
    y1 = A_T @ ((G @ g1) * (B_T @ d1))
    assert _Counted.count == 4
    np.testing.assert_allclose([v.value for v in y1],
                               np.correlate(tile[0], kernel[0], mode="valid"))
    _Counted.count = 0
    [sum((d1[n + m] * g1[m] for m in range(3)), _Counted(0.0, frozenset())) for n in range(2)]
    assert _Counted.count == 6  # direct: two outputs, three taps each


# -- why-cnns: stride and pooling keep equivariance only for whole strides ------


def _max_pool_loop(img: np.ndarray) -> np.ndarray:
    out = np.empty((img.shape[0] // 2, img.shape[1] // 2))
    for r, c in itertools.product(range(out.shape[0]), range(out.shape[1])):
        out[r, c] = img[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].max()
    return out


def test_stride_and_pooling_are_equivariant_only_for_even_shifts():
    rng = np.random.default_rng(5)
    image = rng.standard_normal((16, 16))
    kernel = rng.standard_normal((3, 3))

    def layer(img):
        return scipy.signal.correlate2d(np.pad(img, 1, mode="wrap"), kernel, mode="valid")

    for t in range(4):
        moved = np.roll(image, t, axis=1)
        strided = convdoc.conv2d(moved, kernel, stride=2, padding=1, padding_mode="circular")
        np.testing.assert_allclose(strided, layer(moved)[::2, ::2], atol=1e-12)
        pooled = convdoc.max_pool2d(layer(moved), 2)
        np.testing.assert_allclose(pooled, _max_pool_loop(layer(moved)))
        base_s = layer(image)[::2, ::2]
        base_p = _max_pool_loop(layer(image))
        shifted_s = [np.allclose(strided, np.roll(base_s, u, axis=1)) for u in range(8)]
        shifted_p = [np.allclose(pooled, np.roll(base_p, u, axis=1)) for u in range(8)]
        if t % 2 == 0:
            assert shifted_s[t // 2] and shifted_p[t // 2]
        else:
            assert not any(shifted_s) and not any(shifted_p)
        # Global max pooling after 2 x 2 max pooling sees every value: invariant.
        assert pooled.max() == pytest.approx(layer(image).max())
