"""convdoc.plans.pooling: the box reduction for huge padding (tests/MUTANTS.md).

``max_pool2d`` and ``avg_pool2d`` reduce each window over its real pixels only
(:func:`convdoc.plans.pooling.box_reduce`) when the padded grid would be more than
four times the input plus 65,536 cells; the other tests use small padding and never
reach it. Oracle: PyTorch's definition as a loop over ``numpy.pad`` (minus infinity
for the max, zeros counted in the mean), and values worked by hand.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from convdoc import avg_pool2d, max_pool2d
from convdoc.plans import pooling


def _loop(x: np.ndarray, k, s, p, kind: str) -> np.ndarray:
    """Pooling by definition: pad, then reduce every window one at a time."""
    fill = -np.inf if kind == "max" else 0.0
    grid = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    rows = (grid.shape[1] - k[0]) // s[0] + 1
    cols = (grid.shape[2] - k[1]) // s[1] + 1
    out = np.empty((x.shape[0], rows, cols))
    for c in range(x.shape[0]):
        for r in range(rows):
            for q in range(cols):
                window = grid[c, r * s[0] : r * s[0] + k[0], q * s[1] : q * s[1] + k[1]]
                out[c, r, q] = window.max() if kind == "max" else window.sum() / (k[0] * k[1])
    return out


# (n, k, s, p): padded grids past the 4 * size + 65,536 cells the padded grid may cost,
# so box_reduce runs; along one axis the padding is huge and every window covers the
# whole image, along the other the windows are short and cover part of it.
CASES = [
    ((3, 40), (801, 5), (1, 2), (400, 2)),
    ((40, 3), (5, 801), (3, 1), (2, 400)),
    ((30, 30), (1201, 4), (2, 3), (600, 1)),
    ((3, 40), (800, 3), (800, 1), (400, 1)),
]


@pytest.mark.parametrize(("n", "k", "s", "p"), CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_with_huge_padding_matches_the_loop(n, k, s, p, kind: str) -> None:
    rng = np.random.default_rng(sum(k) + sum(s))
    x = rng.standard_normal((2, *n)) - 3.0  # all negative: a padding cell never wins a max
    pool = max_pool2d if kind == "max" else avg_pool2d
    with mock.patch.object(pooling, "box_reduce", wraps=pooling.box_reduce) as spy:
        got = pool(x, k, s, p)
    assert spy.called
    expected = _loop(x, k, s, p, kind)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_pooling_one_pixel_with_huge_padding_by_hand() -> None:
    # One pixel of value -2 in a (1, 1) image, window 301 x 301, padding 150, stride 1:
    # the single window covers the pixel and 301 * 301 - 1 padding cells.
    x = np.array([[-2.0]])
    assert max_pool2d(x, 301, 1, 150).tolist() == [[-2.0]]
    np.testing.assert_allclose(avg_pool2d(x, 301, 1, 150), [[-2.0 / 301**2]], rtol=1e-15)
