"""convdoc.data.photo against matplotlib's own reading of the file, block-averaged by NumPy.

Bad arguments are rows of tests/test_bad_input.py.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import convdoc
from convdoc import data

REC709 = np.array([0.2126, 0.7152, 0.0722])


def _imread() -> np.ndarray:
    """The oracle's pixels: matplotlib's reader, as floats in [0, 1]."""
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return plt.imread(f).astype(float) / 255


def _reshape_mean(rgb: np.ndarray, step: int) -> np.ndarray:
    h, w = (side // step * step for side in rgb.shape[:2])
    return rgb[:h, :w].reshape(h // step, step, w // step, step, 3).mean(axis=(1, 3))


def test_the_file_is_the_600_by_512_rgb_photograph():
    assert _imread().shape == (600, 512, 3)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 8, 64])
def test_photo_is_matplotlibs_image_block_averaged(step):
    expected = _reshape_mean(_imread(), step)
    got = convdoc.data.photo(step)
    assert got.shape == (600 // step, 512 // step, 3) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("step", [100, 512])
def test_ragged_edges_are_dropped_as_a_loop_over_blocks_says(step):
    rgb = _imread()
    rows, cols = 600 // step, 512 // step
    expected = np.empty((rows, cols, 3))
    for r in range(rows):
        for c in range(cols):
            block = rgb[r * step : (r + 1) * step, c * step : (c + 1) * step]
            expected[r, c] = block.reshape(-1, 3).sum(axis=0) / step**2
    np.testing.assert_allclose(data.photo(step), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("step", [1, 2, 4, 7])
def test_grey_is_rec709_luma_of_the_averaged_colours(step):
    rgb = _reshape_mean(_imread(), step)
    grey = data.photo(step=step, grey=True)
    assert grey.shape == (600 // step, 512 // step) and grey.dtype == np.float64
    by_hand = 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]
    np.testing.assert_allclose(grey, by_hand, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grey, data.photo(step) @ REC709, rtol=0, atol=1e-15)
    assert REC709.sum() == pytest.approx(1.0)  # white stays 1


@pytest.mark.parametrize("grey", [False, True])
def test_values_lie_in_0_1_and_use_the_range(grey):
    x = data.photo(2, grey=grey)
    assert 0 <= x.min() < 0.05 and 0.95 < x.max() <= 1


def test_the_top_square_is_the_playgrounds_photo_before_rounding():
    # The chapters take the top square; the playground stores it rounded to 8 bits.
    from convdoc.explore.playground import sample_photo

    for size in (64, 128, 256):
        square = data.photo(512 // size)[:size]
        assert square.shape == (size, size, 3)
        assert np.abs(255 * square - sample_photo(size)).max() <= 0.5 + 1e-9


def test_each_call_returns_a_fresh_writable_array():
    first = data.photo(4)
    first[:] = -1
    second = data.photo(4)
    assert second.flags.writeable and second.min() >= 0


def test_numpy_integers_and_bools_are_accepted():
    np.testing.assert_array_equal(data.photo(np.int64(8)), data.photo(8))
    np.testing.assert_array_equal(data.photo(np.array(8)), data.photo(8))
    np.testing.assert_array_equal(data.photo(8, grey=np.True_), data.photo(8, grey=True))


def test_grey_is_keyword_only():
    with pytest.raises(TypeError):
        data.photo(2, True)  # type: ignore[misc]


def test_without_matplotlib_the_error_says_where_the_file_comes_from(monkeypatch):
    real = importlib.util.find_spec
    def find_spec(name, *args):
        return None if name == "matplotlib" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    data._photo_rgb8.cache_clear()
    try:
        message = r"ships with matplotlib: pip install convdoc\[plot\]"
        with pytest.raises(ImportError, match=message):
            data.photo()
    finally:
        monkeypatch.undo()
        data._photo_rgb8.cache_clear()
    assert data.photo(64).shape == (9, 8, 3)
