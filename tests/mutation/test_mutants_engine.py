"""convdoc.engine: messages, memory checks, the fast argument path (tests/MUTANTS.md).

Oracles: the parameter names and shapes the documented error contract promises,
sizes worked by hand (a length-1 axis grown by ``b`` and ``a`` cells has
``1 + b + a``), the generic checks' own errors for arguments the fast path must
refuse, and plain loops.
"""

from __future__ import annotations

import numpy as np
import pytest

from convdoc.engine import correlate_padded, correlate_windows, extend


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: extend("abc", ((1, 1),)), "x"),
        (lambda: correlate_windows([["a", "b"]], [[[1.0]]]), "grid"),
        (lambda: correlate_windows([[1.0, 2.0]], [[["a"]]]), "weight"),
        (lambda: correlate_padded([["a", "b"]], [[[1.0]]], ((0, 0),)), "x"),
        (lambda: correlate_padded(np.array([["a", "b"]]), np.ones((1, 1, 1)), ((0, 0),)), "x"),
        (lambda: correlate_padded(np.ones((1, 2)), np.array([[["a"]]]), ((0, 0),)), "weight"),
    ],
)
def test_a_non_numeric_array_is_named_in_the_error(call, name: str) -> None:
    with pytest.raises(TypeError, match=rf"^{name} must"):
        call()


@pytest.mark.parametrize(
    ("before", "after"),
    [(0, 2**33), (2**33, 0), (2**34, 2**33)],
)
def test_extend_refuses_a_huge_extension_naming_the_grown_shape(before: int, after: int) -> None:
    # One int8 sample grown by before + after cells: 1 + before + after bytes.
    grown = 1 + before + after
    message = rf"\(shape \({grown},\)\) would need {grown // 2**30} GiB"
    with pytest.raises(ValueError, match=message):
        extend(np.zeros(1, np.int8), ((before, after),))


@pytest.mark.parametrize("pair", [(2, -7), (-7, 2)])
def test_a_crop_that_empties_an_axis_names_the_axis_and_its_length(pair) -> None:
    # Shape (2, 3, 4): the pairs cover axes 1 and 2; the second pair's axis is 2,
    # of length 4 before anything is added (growing by 2 cannot cover a crop of 7).
    with pytest.raises(ValueError, match=rf"^pad \({pair[0]}, {pair[1]}\) leaves no samples "
                       r"of axis 2 \(length 4\)$"):
        extend(np.ones((2, 3, 4)), ((0, 0), pair))


@pytest.mark.parametrize("complex_side", ["x", "weight"])
def test_the_output_memory_check_counts_output_channels_and_the_result_dtype(
    complex_side: str,
) -> None:
    # Three input channels, one output channel, 4 + 2**33 outputs of complex128
    # (float32 with complex128 on either side): 16 * (2**33 + 4) bytes, 128 GiB.
    x, w = np.ones((3, 4), np.float32), np.ones((1, 3, 1), np.float32)
    if complex_side == "x":
        x = x.astype(np.complex128)
    else:
        w = w.astype(np.complex128)
    with pytest.raises(ValueError, match=rf"^the output of shape \(1, {2**33 + 4}\) would need "
                       r"128 GiB"):
        correlate_padded(x, w, ((0, 2**33),))


def test_extend_counts_the_bytes_of_the_arrays_own_dtype() -> None:
    # 2**32 + 8 int8 cells are just over 4 GiB; the same cells in float64 would be 32 GiB.
    with pytest.raises(ValueError, match=r"would need 4 GiB"):
        extend(np.zeros(8, np.int8), ((0, 2**32),))


@pytest.mark.parametrize(
    ("pad", "stride", "error"),
    [
        (((1, 1, 1),), 1, "pad must be a sequence of (before, after) pairs"),
        (((1.0, 1),), 1, "pad[0] before must be an integer, got 1.0"),
        (((True, 1),), 1, "pad[0] before must be an integer, got True"),
        (((1, 1),), (2.0,), "stride[0] must be a positive integer, got 2.0"),
        (((1, 1),), (True,), "stride[0] must be a positive integer, got True"),
        (((1, 1.5),), 1, "pad[0] after must be an integer, got 1.5"),
        # Every tuple wrong in the same way, so no single check can pass them all.
        (((1, 1, 1),), (1, 1), "pad must be a sequence of (before, after) pairs"),
        (((1.0, 1.0),), (1.0,), "pad[0] before must be an integer, got 1.0"),
    ],
)
def test_float_arrays_with_odd_arguments_get_the_generic_errors(pad, stride, error: str) -> None:
    # Float arrays and a tuple pad are what the fast argument path looks for;
    # anything else in the tuples must still get the generic checks' TypeError.
    x, w = np.ones((1, 6)), np.ones((1, 1, 2))
    with pytest.raises(TypeError) as info:
        correlate_padded(x, w, pad, stride=stride, dilation=stride)
    assert str(info.value).startswith(error)


F, W = np.ones((1, 6)), np.ones((1, 1, 2))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "start"),
    [
        ((np.ones((1, 0)), W, ((1, 1),)), {}, ValueError, "x must not be empty"),
        ((F, np.ones((1, 1, 0)), ((0, 0),)), {}, ValueError, "weight must not be empty"),
        ((F, np.ones((1, 2)), ((0, 0),)), {}, ValueError, "weight must be (C_out, C_in, *kernel)"),
        ((F, np.ones((1, 1)), ((0, 0),)), {}, ValueError, "weight must be (C_out, C_in, *kernel)"),
        ((F, np.ones(2), ((0, 0),)), {}, ValueError, "weight must be (C_out, C_in, *kernel)"),
        ((np.ones((2, 6)), W, ((0, 0),)), {}, ValueError, "weight has 1 input channels"),
        ((F, W, ((0, 0),)), {"boundary": "zeros"}, ValueError, "boundary must be one of"),
        ((F, W, ((0, 0),)), {"boundary": 1}, TypeError, "boundary must be a string"),
        ((F, W, ((0, 0),)), {"method": "fast"}, ValueError, "method must be one of"),
        ((F, W, ((0, 0),)), {"method": 1}, TypeError, "method must be a string"),
        ((F, W, ((0, 0),)), {"fillvalue": "a"}, TypeError, "fillvalue must be a number"),
        ((F, W, ((0, 0),)), {"dilation": 0}, ValueError, "dilation must be a positive integer"),
        ((F, W, ((0, 0),)), {"stride": (1, 1)}, ValueError, "stride must be an integer or a"),
        ((F, W, ((0, 0), (0, 0))), {}, ValueError, "pad has 2 (before, after) pairs"),
        (
            (np.ones(6), W, ((0, 0),)),
            {},
            ValueError,
            "pad has 1 (before, after) pairs for the 0 spatial axes of x, "
            "shape (6,) read as (C_in, *n)",
        ),
        (
            (np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)), ((0, 0),)),
            {},
            ValueError,
            "pad must have one (before, after) pair per spatial axis",
        ),
    ],
)
def test_float_arrays_with_one_bad_argument_get_its_error(args, kwargs, error, start) -> None:
    with pytest.raises(error) as info:
        correlate_padded(*args, **kwargs)
    assert str(info.value).startswith(start)


def test_correlate_padded_takes_lists() -> None:
    # The docstring's example, by hand: [0, 1, 2, 3, 0] summed in pairs.
    pairs = (([[1, 2, 3]], np.array([[[1.0, 1.0]]])), (np.array([[1.0, 2.0, 3.0]]), [[[1, 1]]]))
    for x, w in pairs:
        np.testing.assert_array_equal(correlate_padded(x, w, ((1, 1),)), [[1, 3, 5, 3]])


def _loop(xp: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valid correlation of one channel, one window at a time, no conjugate."""
    k = w.size
    return np.array([np.sum(xp[i : i + k] * w) for i in range(xp.size - k + 1)])


@pytest.mark.parametrize("complex_side", ["x", "weight"])
def test_a_complex_fill_goes_with_complex_data_on_either_side(complex_side: str) -> None:
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([1.0, 2.0])
    if complex_side == "x":
        x = x * (1 + 1j)
    else:
        w = w * (1 - 2j)
    got = correlate_padded(x[None], w[None, None], ((2, 1),), fillvalue=1j)
    expected = _loop(np.concatenate([[1j, 1j], x, [1j]]), w)
    np.testing.assert_allclose(got[0], expected)


@pytest.mark.parametrize(
    ("pair", "grid"),
    [((-1, 2), [2, 3, 4, 5, 6, 0, 0]), ((2, -1), [0, 0, 1, 2, 3, 4, 5])],
)
def test_a_crop_on_one_side_and_zeros_on_the_other(pair, grid) -> None:
    # A transposed layer's padding: 1..6 cropped by one cell on one side and grown
    # by two zeros on the other (written out by hand), then summed with taps 1, 10.
    x = np.arange(1.0, 7.0)[None]
    got = correlate_padded(x, np.array([[[1.0, 10.0]]]), (pair,))
    np.testing.assert_array_equal(got[0], _loop(np.array(grid, float), np.array([1.0, 10.0])))


def test_correlate_windows_honours_a_forced_fft() -> None:
    # The documented price of method="fft": one NaN reaches every output.
    # The direct sums keep it to the windows that hold it (a loop's answer).
    grid = np.ones((1, 64))
    grid[0, 0] = np.nan
    weight = np.ones((1, 1, 33))
    fft = correlate_windows(grid, weight, method="fft")[0]
    direct = correlate_windows(grid, weight, method="direct")[0]
    assert np.isnan(fft).all()
    expected = [np.nan] + [33.0] * 31
    np.testing.assert_array_equal(direct, expected)


@pytest.mark.parametrize("image_dtype", ["float32", "float64"])
def test_the_compiled_stencil_computes_in_the_results_dtype(
    compiled_stencil_unloaded, image_dtype: str
) -> None:
    # A float32 image with a float64 kernel gives float64 (NumPy's promotion),
    # also when the compiled stencil runs it (loaded, it takes method="direct").
    from unittest import mock

    from scipy import signal

    import convdoc
    from convdoc.plans import stencil

    stencil.load()
    rng = np.random.default_rng(6)
    image = rng.standard_normal((60, 70)).astype(image_dtype)
    h = rng.standard_normal((3, 3)).astype("float64" if image_dtype == "float32" else "float32")
    with mock.patch.object(stencil, "correlate2d", wraps=stencil.correlate2d) as spy:
        got = convdoc.correlate(image, h, "same", boundary="symmetric", method="direct")
    assert spy.called
    assert got.dtype == np.float64
    grid = np.pad(image.astype(np.float64), 1, mode="symmetric")
    expected = signal.correlate2d(grid, h.astype(np.float64), "valid")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
