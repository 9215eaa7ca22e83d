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
        # x's length equal to weight's C_in: the channel check must read x's first axis.
        (
            (np.ones((2, 3)), np.ones((1, 3, 1)), ((0, 0),)),
            {},
            ValueError,
            "weight has 3 input channels (shape (1, 3, 1)) but grid has 2",
        ),
        ((F, W, ((0, 0),)), {"fillvalue": 0j}, ValueError, "fillvalue must be real for real"),
        ((F, W, ((0, 0),)), {"fillvalue": False}, TypeError, "fillvalue must be a number, got F"),
        ((F, W, ((0, 0),) * 3), {}, ValueError, "pad has 3 (before, after) pairs for the 1 "),
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


@pytest.mark.parametrize("fill", [1, 2, -3])
def test_an_integer_fill_next_to_float_arrays_is_used(fill: int) -> None:
    # Float arrays, a tuple pad and an int fill: only a fill of 0 may take the fast
    # argument path, which pads with zeros. Oracle: numpy.pad, then a loop.
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([1.0, 10.0])
    got = correlate_padded(x[None], w[None, None], ((2, 1),), fillvalue=fill)
    expected = _loop(np.pad(x, (2, 1), constant_values=fill), w)
    np.testing.assert_array_equal(got[0], expected)


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


# ---- _correlate's strided 1-D shortcut, boolean route and auto FFT (mutants 83-227)


def _strided(x: np.ndarray, w: np.ndarray, stride: int) -> list:
    """Every ``stride``-th valid window of one channel, summed by a Python loop."""
    k = len(w)
    return [sum(x[i + m] * w[m] for m in range(k)) for i in range(0, len(x) - k + 1, stride)]


def test_a_strided_1d_layer_sums_every_input_channel() -> None:
    # One output channel, two input channels, one tap each, stride 2: the outputs
    # at n = 0, 2, 4 are 10 * x0[n] + x1[n] (worked by hand). A shortcut meant for
    # one input channel must not take this layer and drop the second channel.
    x = np.arange(1.0, 13.0).reshape(2, 6)
    w = np.array([[[10.0], [1.0]]])
    got = correlate_padded(x, w, ((0, 0),), stride=2)
    np.testing.assert_array_equal(got, [[10 * 1 + 7, 10 * 3 + 9, 10 * 5 + 11]])


def test_a_strided_1d_layer_of_mixed_dtypes_gives_the_promoted_dtype() -> None:
    # float32 samples, float64 taps: NumPy's promotion says float64, also for a
    # long kernel (1001 taps, 20,000 samples, stride 2) where the FFT may run.
    rng = np.random.default_rng(1)
    x = rng.standard_normal(20_000).astype(np.float32)
    w = rng.standard_normal(1001)
    got = correlate_padded(x[None], w[None, None], ((0, 0),), stride=2)
    assert got.dtype == np.float64
    expected = np.array(_strided(x.astype(np.float64), w, 2))
    np.testing.assert_allclose(got[0], expected, rtol=0, atol=1e-9)


def test_a_strided_1d_integer_layer_is_exact_beyond_float_precision() -> None:
    # int64 samples up to 2**40 and taps up to 2**10, 1001 taps: sums near 2**60,
    # which no float64 FFT gives to the unit. Oracle: Python's exact integers.
    rng = np.random.default_rng(2)
    x = rng.integers(-(2**40), 2**40, 4000)
    w = rng.integers(-(2**10), 2**10, 1001)
    got = correlate_padded(x[None], w[None, None], ((0, 0),), stride=2)
    assert got.dtype == np.int64
    assert got[0].tolist() == _strided(x.tolist(), w.tolist(), 2)


def test_a_forced_fft_holds_for_strided_1d_layers_too() -> None:
    # method="fft" has its documented price also on the strided 1-D shortcut
    # (small problems included): one NaN reaches every output. A loop keeps it
    # to the first window.
    x = np.ones(64)
    x[0] = np.nan
    w = np.ones((1, 1, 3))
    assert np.isnan(correlate_padded(x[None], w, ((0, 0),), stride=2, method="fft")).all()
    direct = correlate_padded(x[None], w, ((0, 0),), stride=2, method="direct")[0]
    np.testing.assert_array_equal(direct, [np.nan] + [3.0] * 30)


def test_an_overflowing_spectrum_is_redone_without_a_warning() -> None:
    # Samples near 1e306 overflow the 2-D FFT's spectrum (its DC bin sums 40,000 of
    # them) while every windowed sum stays finite (taps below 1e-4). "auto" then
    # redoes the layer directly: SciPy's direct sums, and no warning from the FFT
    # that was thrown away.
    import warnings

    from scipy import signal

    rng = np.random.default_rng(3)
    x = rng.uniform(0.5, 1.0, (200, 200)) * 1e306
    w = rng.uniform(0.0, 1.0, (31, 31)) * 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = correlate_padded(x[None], w[None, None], ((0, 0), (0, 0)))
    np.testing.assert_allclose(got[0], signal.correlate2d(x, w, "valid"), rtol=1e-12)


@pytest.mark.parametrize("x_dtype", [np.float64, np.int64])
def test_the_compiled_1d_stencil_computes_in_both_arrays_dtype(monkeypatch, x_dtype) -> None:
    # float64 or int64 samples with float32 taps: the result is float64
    # (numpy.result_type of both), not the taps' float32. Spy: the 1-D stencil ran.
    # Oracle: numpy.correlate over the zero-padded signal in float64.
    from convdoc.plans import stencil

    if not stencil.available():
        pytest.skip("numba is not installed")
    stencil.load()
    calls: list[int] = []
    real = stencil.correlate1d
    monkeypatch.setattr(stencil, "correlate1d", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(8)
    x = rng.integers(-50, 50, 100_000).astype(x_dtype) + (0.25 if x_dtype == np.float64 else 0)
    h = rng.standard_normal(6).astype(np.float32)
    got = correlate_padded(x[None], h[None, None], ((5, 5),))
    assert calls == [1]
    assert got.dtype == np.float64 and got.shape == (1, 100_005)
    expected = np.correlate(np.pad(x.astype(np.float64), 5), h.astype(np.float64), "valid")
    np.testing.assert_allclose(got[0], expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize(("boundary", "fill"), [("constant", 0), ("constant", 2.5), ("reflect", 0)])
def test_the_1d_stencil_gate_is_asked_about_the_problems_own_boundary(
    monkeypatch, boundary, fill
) -> None:
    # The gate prices the extension the stencil avoids only for a boundary that is not
    # implicit zeros: it must be told the call's boundary and fill (spy on its arguments),
    # and the result is the definition's either way (oracle: numpy.pad then a loop).
    from convdoc.plans import planner

    asked: list[tuple] = []
    real = planner.stencil_plan_1d

    def spy(x, w, pad, b, f, *rest):
        asked.append((b, f))
        return real(x, w, pad, b, f, *rest)

    monkeypatch.setattr(planner, "stencil_plan_1d", spy)
    x = np.arange(1.0, 21.0)
    h = np.array([1.0, -2.0, 4.0])
    got = correlate_padded(x[None], h[None, None], ((2, 3),), boundary=boundary, fillvalue=fill)
    assert asked == [(boundary, fill)]
    kw = {"constant_values": fill} if boundary == "constant" else {}
    grid = np.pad(x, (2, 3), mode=boundary, **kw)
    expected = [sum(grid[i + t] * h[t] for t in range(3)) for i in range(grid.size - 2)]
    np.testing.assert_array_equal(got[0], expected)
