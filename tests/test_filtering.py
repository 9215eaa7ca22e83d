"""convolve/correlate against SciPy (the oracle) and against numpy.pad + a valid convolution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc import convolve, correlate

MODES = ("full", "same", "valid")
DTYPES = ("int64", "int32", "float32", "float64", "complex128")
SCIPY_BOUNDARY = {"wrap": "wrap", "symmetric": "symm", "constant": "fill"}


def _array(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if dtype.startswith("int"):
        return rng.integers(-9, 10, size=shape).astype(dtype)
    values = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


@st.composite
def problems(
    draw: st.DrawFn,
    max_ndim: int = 2,
    *,
    comparable: bool = False,
    odd_kernel: bool = False,
    kernel_smaller: bool | None = None,
    dtypes: tuple[str, ...] = DTYPES,
) -> tuple[np.ndarray, np.ndarray, str]:
    """x and kernel of equal ndim: kernels longer than x, even, length 1 all included.

    ``comparable`` draws only pairs where one array is at least as large as the other
    on every axis ('valid' is defined), the kernel the smaller one if ``kernel_smaller``;
    otherwise ``odd_kernel`` draws only odd kernel lengths.
    """
    ndim = draw(st.integers(1, max_ndim))
    limit = 12 if ndim == 1 else 7
    x_shape = tuple(draw(st.lists(st.integers(1, limit), min_size=ndim, max_size=ndim)))
    if comparable:
        kernel_smaller = draw(st.booleans()) if kernel_smaller is None else kernel_smaller
        sizes = [st.integers(1, n) if kernel_smaller else st.integers(n, limit) for n in x_shape]
    elif odd_kernel:
        sizes = [st.integers(0, (limit - 1) // 2).map(lambda m: 2 * m + 1)] * ndim
    else:
        sizes = [st.integers(1, limit)] * ndim
    k_shape = tuple(draw(size) for size in sizes)
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return _array(rng, x_shape, dtype), _array(rng, k_shape, dtype), dtype


@st.composite
def problems_and_modes(draw: st.DrawFn, modes: tuple[str, ...] = MODES, **kwargs):
    """A mode, then a problem for which that mode is defined."""
    mode = draw(st.sampled_from(modes))
    return draw(problems(comparable=mode == "valid", **kwargs)), mode


def _tolerance(dtype: np.dtype) -> dict[str, float]:
    if dtype in (np.float32, np.complex64):
        return {"rtol": 1e-4, "atol": 1e-4}
    return {"rtol": 1e-10, "atol": 1e-10}


@pytest.mark.parametrize(
    ("ours", "theirs"), [(convolve, signal.convolve), (correlate, signal.correlate)]
)
@settings(max_examples=80, deadline=None)
@given(case=problems_and_modes(), method=st.sampled_from(["auto", "direct"]))
def test_matches_scipy_exactly_for_ints(ours, theirs, case, method) -> None:
    (x, k, _), mode = case
    expected = theirs(x, k, mode, method=method)
    got = ours(x, k, mode, method=method)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    if got.dtype.kind in "iu":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, **_tolerance(got.dtype))


@pytest.mark.parametrize("ours", [convolve, correlate])
@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(1, 7),
    cols=st.integers(1, 7),
    taller=st.integers(1, 4),
    narrower=st.integers(2, 6),
    method=st.sampled_from(["auto", "direct", "fft"]),
)
def test_valid_needs_one_array_to_contain_the_other(ours, rows, cols, taller, narrower, method):
    # The kernel is taller than x but narrower: neither contains the other.
    x, k = np.ones((rows, cols + narrower - 1)), np.ones((rows + taller, cols))
    with pytest.raises(ValueError, match="one of x and kernel must be at least as large"):
        ours(x, k, "valid", method=method)
    with pytest.raises(ValueError, match="one of x and kernel must be at least as large"):
        ours(k.T, x.T, "valid", method=method)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(convolve, signal.convolve), (correlate, signal.correlate)]
)
@settings(max_examples=60, deadline=None)
@given(case=problems_and_modes())
def test_fft_matches_scipy_within_rounding(ours, theirs, case) -> None:
    (x, k, _), mode = case
    expected = theirs(x, k, mode, method="direct")
    got = ours(x, k, mode, method="fft")
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    # Small integers are exact after rounding, as in scipy.signal.convolve(method="fft").
    if got.dtype.kind in "iu":
        np.testing.assert_array_equal(got, expected)
    else:
        scale = max(1.0, float(np.abs(x).max() * np.abs(k).max() * k.size))
        tol = 1e-4 if got.dtype in (np.float32, np.complex64) else 1e-9
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * scale)


def _extended_valid(x, k, mode, boundary, fillvalue, flip):
    """Independent oracle: pad with numpy.pad by SciPy's centring, then a valid convolution."""
    pads = []
    for n in k.shape:
        pads.append({"full": (n - 1, n - 1), "same": (n // 2, (n - 1) // 2), "valid": (0, 0)}[mode])
    kwargs = {"constant_values": fillvalue} if boundary == "constant" else {}
    grid = np.pad(x.astype(np.result_type(x, k)), pads, mode=boundary, **kwargs)
    kernel = k if flip else np.conj(k[(slice(None, None, -1),) * k.ndim])
    return signal.convolve(grid, kernel, "valid", method="direct")


@pytest.mark.parametrize("boundary", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("ours", [convolve, correlate])
@settings(max_examples=40, deadline=None)
@given(problem=problems(), mode=st.sampled_from(["full", "same"]), fill=st.integers(-3, 3))
def test_boundaries_match_numpy_pad_then_valid(boundary, ours, problem, mode, fill) -> None:
    x, k, _ = problem
    fillvalue = fill if boundary == "constant" else 0
    expected = _extended_valid(x, k, mode, boundary, fillvalue, flip=ours is convolve)
    got = ours(x, k, mode, boundary=boundary, fillvalue=fillvalue)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **_tolerance(got.dtype))


def _reverse_conj(k: np.ndarray) -> np.ndarray:
    return np.conj(k[::-1, ::-1])


@pytest.mark.parametrize("boundary", ["wrap", "symmetric", "constant"])
@settings(max_examples=60, deadline=None)
@given(case=problems_and_modes(), fill=st.integers(-3, 3))
def test_2d_boundaries_match_convolve2d(boundary, case, fill) -> None:
    (x, k, _), mode = case
    x, k = np.atleast_2d(x), np.atleast_2d(k)
    fillvalue = fill if boundary == "constant" else 0
    scipy_boundary = SCIPY_BOUNDARY[boundary]
    expected = signal.convolve2d(x, k, mode, boundary=scipy_boundary, fillvalue=fillvalue)
    got = convolve(x, k, mode, boundary=boundary, fillvalue=fillvalue)
    np.testing.assert_allclose(got, expected, **_tolerance(got.dtype))
    # correlate is convolve with the kernel reversed and conjugated, as in scipy.signal.
    expected = signal.convolve2d(
        x, _reverse_conj(k), mode, boundary=scipy_boundary, fillvalue=fillvalue
    )
    got = correlate(x, k, mode, boundary=boundary, fillvalue=fillvalue)
    np.testing.assert_allclose(got, expected, **_tolerance(got.dtype))


@pytest.mark.parametrize("boundary", ["wrap", "symmetric", "constant"])
@settings(max_examples=40, deadline=None)
@given(
    case=st.one_of(
        # 'same' with an even kernel is where SciPy itself is inconsistent (next test);
        # 'valid' with a kernel larger than x swaps them, which conjugates complex data.
        problems_and_modes(("full",)),
        problems_and_modes(("same",), odd_kernel=True),
        problems_and_modes(("valid",), dtypes=tuple(d for d in DTYPES if "complex" not in d)),
        problems_and_modes(("valid",), kernel_smaller=True),
    ),
    fill=st.integers(-3, 3),
)
def test_2d_boundaries_match_correlate2d(boundary, case, fill) -> None:
    """correlate2d agrees except where SciPy itself is inconsistent (see the next test)."""
    (x, k, _), mode = case
    x, k = np.atleast_2d(x), np.atleast_2d(k)
    fillvalue = fill if boundary == "constant" else 0
    expected = signal.correlate2d(
        x, k, mode, boundary=SCIPY_BOUNDARY[boundary], fillvalue=fillvalue
    )
    got = correlate(x, k, mode, boundary=boundary, fillvalue=fillvalue)
    np.testing.assert_allclose(got, expected, **_tolerance(got.dtype))


def test_same_mode_even_kernel_follows_scipy_signal_correlate_not_correlate2d() -> None:
    # Documented choice: scipy.signal.correlate keeps full[(k-1)//2:], correlate2d keeps
    # full[k//2:]; they differ by one sample for even kernels and we follow correlate.
    x = np.arange(20.0).reshape(4, 5)
    k = np.array([[1.0, 2.0], [3.0, 5.0]])
    full = signal.correlate(x, k, "full")
    np.testing.assert_array_equal(correlate(x, k, "same"), full[0:4, 0:5])
    np.testing.assert_array_equal(signal.correlate2d(x, k, "same"), full[1:5, 1:6])


def test_hand_worked_1d() -> None:
    # (1, 2, 3) * (0, 1, 0.5): y[n] = sum_m x[m] h[n-m]
    np.testing.assert_array_equal(convolve([1, 2, 3], [0, 1, 0.5]), [0, 1, 2.5, 4, 1.5])
    np.testing.assert_array_equal(correlate([1, 2, 3], [0, 1, 0.5]), [0.5, 2, 3.5, 3, 0])
    # 'same' with an even kernel: full is (1, 3, 5, 3); SciPy keeps the first three.
    np.testing.assert_array_equal(convolve([1, 2, 3], [1, 1], "same"), [1, 3, 5])
    # edge: the input continues as ...1, 1 | 1 2 3 | 3, 3...
    np.testing.assert_array_equal(convolve([1, 2, 3], [1, 1], "same", boundary="edge"), [2, 3, 5])
    np.testing.assert_array_equal(convolve([1, 2, 3], [1, 1], "same", boundary="wrap"), [4, 3, 5])


def test_kernel_longer_than_input_valid_swaps_like_scipy() -> None:
    x, k = np.array([1.0, 2.0]), np.array([1.0, 10.0, 100.0, 1000.0])
    np.testing.assert_array_equal(convolve(x, k, "valid"), signal.convolve(x, k, "valid"))
    np.testing.assert_array_equal(correlate(x, k, "valid"), signal.correlate(x, k, "valid"))
    z = np.array([1 + 2j, 3 - 1j])
    kz = np.array([2 - 1j, 1j, 4.0, -1 + 1j])
    np.testing.assert_allclose(correlate(z, kz, "valid"), signal.correlate(z, kz, "valid"))


def test_valid_boundary_is_irrelevant() -> None:
    rng = np.random.default_rng(3)
    x, k = rng.standard_normal((9, 8)), rng.standard_normal((3, 4))
    base = convolve(x, k, "valid")
    for boundary in ("edge", "reflect", "symmetric", "wrap"):
        np.testing.assert_array_equal(convolve(x, k, "valid", boundary=boundary), base)


def test_fillvalue_that_int_dtype_cannot_hold_promotes() -> None:
    got = convolve([1, 2], [1, 1], "full", fillvalue=0.5)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [1.5, 3, 2.5])


def test_bool_inputs_are_or_of_ands_like_numpy() -> None:
    x = np.array([True, False, False, True, False])
    k = np.array([True, True])
    got = convolve(x, k)
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got, np.convolve(x, k))


def test_nan_stays_local_under_auto_and_direct() -> None:
    x = np.ones(4000)
    x[1000] = np.nan
    k = np.ones(501)
    for method in ("auto", "direct"):
        y = convolve(x, k, "same", method=method)
        assert np.isnan(y).sum() == 501
    # The FFT spreads it everywhere: the reason auto avoids it (SciPy warns).
    with pytest.warns(RuntimeWarning, match="Use of fft convolution"):
        assert np.isnan(convolve(x, k, "same", method="fft")).all()


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_inputs_not_modified(method: str) -> None:
    rng = np.random.default_rng(5)
    x, k = rng.standard_normal((20, 21)), rng.standard_normal((5, 4))
    x0, k0 = x.copy(), k.copy()
    for fn in (convolve, correlate):
        for boundary in ("constant", "reflect", "wrap"):
            fn(x, k, "same", boundary=boundary, method=method)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)


def test_large_ints_stay_exact_under_auto() -> None:
    # 2**40-sized products would lose bits in float64; SciPy's rule sends them to direct.
    rng = np.random.default_rng(8)
    x = rng.integers(2**39, 2**40, size=3000, dtype=np.int64)
    k = rng.integers(1, 2**12, size=400, dtype=np.int64)
    expected = signal.convolve(x, k, method="direct")
    np.testing.assert_array_equal(convolve(x, k), expected)


def test_separable_blur_under_auto_matches_direct() -> None:
    rng = np.random.default_rng(9)
    image = rng.standard_normal((300, 280))
    g = np.exp(-0.5 * (np.arange(-7, 8) / 2.5) ** 2)
    kernel = np.outer(g, g) / g.sum() ** 2
    for mode in MODES:
        np.testing.assert_allclose(
            convolve(image, kernel, mode),
            signal.convolve(image, kernel, mode, method="direct"),
            rtol=1e-10,
            atol=1e-12,
        )


_TINY_DTYPES = [
    "int8", "uint16", "int64", "float16", "float32", "float64", "complex64", "complex128"
]


@pytest.mark.parametrize("dtype", _TINY_DTYPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(("n", "k"), [(1, 1), (7, 3), (3, 7), (100, 11), (1000, 6), (40, 40)])
def test_small_1d_calls_give_scipys_direct_bits(dtype, mode, n, k) -> None:
    # The small 1-D calls skip the engine's pricing; SciPy's 1-D direct method is
    # numpy.convolve / numpy.correlate, so every bit and the dtype must agree.
    rng = np.random.default_rng(n * 100 + k)
    x = (rng.standard_normal(n) * 20).astype(dtype)
    h = (rng.standard_normal(k) * 20).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(n).astype(dtype)
        h = h - 2j * rng.standard_normal(k).astype(dtype)
    for ours, theirs in ((convolve, signal.convolve), (correlate, signal.correlate)):
        if mode == "same" and n < k:
            continue  # SciPy's own rule for a longer kernel is checked elsewhere
        expected = theirs(x, h, mode, method="direct")
        got = ours(x, h, mode)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def test_small_1d_calls_take_the_numpy_call_only_where_the_engine_would(monkeypatch) -> None:
    # Small calls: the shortcut by the unpriced rule, worked by hand below. Larger
    # ones: the engine itself is the oracle of its route. Entered with the shortcut
    # turned off, it shows whether it runs numpy.correlate (the numpy plan of
    # run_direct) or another plan (the FFT, the compiled stencil); the shortcut must
    # skip the engine exactly where that plan is numpy.correlate.
    from convdoc import engine, filtering
    from convdoc.plans import planner, stencil

    entered = []
    real = engine._padded

    def spy(*args, **kwargs):
        entered.append(args[0].shape)
        return real(*args, **kwargs)

    plans = []
    real_run = planner.run_direct

    def spy_run(*args, **kwargs):
        plans.append(args[-1])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(engine, "_padded", spy)
    monkeypatch.setattr(planner, "run_direct", spy_run)
    rng = np.random.default_rng(3)
    cases = [(100, 11), (2000, 16), (2048, 16), (20_000, 3), (10_000, 11), (100_000, 101),
             (20_000, 2001), (100_000, 1001), (200_003, 11)]
    routes = set()
    for loaded in (False, True):
        if loaded:
            stencil.load()  # the compiled 1-D stencil takes long signals with short kernels
        for n, k in cases:
            x, h = rng.standard_normal(n), rng.standard_normal(k)
            with monkeypatch.context() as m:
                m.setattr(filtering, "_numpy_call", lambda *a: False)
                plans.clear()
                through_engine = convolve(x, h, "same")
                engine_ran_numpy = plans == ["numpy"]
            before = len(entered)
            got = convolve(x, h, "same")
            shortcut = len(entered) == before
            assert shortcut == engine_ran_numpy, (n, k, loaded)
            routes.add(shortcut)
            if n * k < 32_768:
                # By hand: below 2**15 = 32,768 multiply-adds the compiled stencil is
                # never priced, and such a sum (5 us + 0.21 ns per multiply-add, at
                # most 12 us) is under the FFT's 60 us set-up.
                assert shortcut and planner.numpy_direct_1d(n, k, n), (n, k)
            else:
                assert not planner.numpy_direct_1d(n, k, n), (n, k)
            np.testing.assert_array_equal(got, through_engine)
            np.testing.assert_allclose(got, signal.convolve(x, h, "same"), rtol=1e-9, atol=1e-9)
            if shortcut:  # SciPy's 1-D direct method is numpy.convolve: the same bits
                np.testing.assert_array_equal(got, signal.convolve(x, h, "same", "direct"))
    assert routes == {True, False}  # both routes were met


def test_a_priced_1d_numpy_call_counts_the_stencils_savings_once(monkeypatch) -> None:
    # Before numba is loaded, every call the stencil would have sped up adds its
    # saving towards loading it: one call adds as much as one question of the gate,
    # whether the call then takes the shortcut or the engine.
    from convdoc.plans import planner, stencil

    monkeypatch.setattr(stencil, "worth_loading", lambda saving: counted.append(saving) or False)
    counted: list[float] = []
    rng = np.random.default_rng(5)
    x, h = rng.standard_normal(100_000), rng.standard_normal(11)
    assert not stencil.loaded()
    convolve(x, h, "same")
    once = list(counted)
    counted.clear()
    planner.stencil_plan_1d(x[None], h[::-1][None, None], ((5, 5),), "constant", 0, (1,), (1,),
                            "auto")
    assert len(once) == 1 and once == counted and once[0] > 0


@pytest.mark.parametrize(
    ("mode", "n", "k", "dtypes", "shortcut"),
    [
        # Outputs by hand: full n + k - 1, same n, valid |n - k| + 1; the shortcut
        # runs below 32,768 multiply-adds (outputs * 16 taps < 32,768: outputs < 2048).
        ("full", 2032, 16, ("f8", "f8"), True),  # 2047 outputs
        ("full", 2033, 16, ("f8", "f8"), False),  # 2048
        ("same", 2047, 16, ("f8", "f8"), True),
        ("same", 2048, 16, ("f8", "f8"), False),
        ("same", 40, 40, ("f8", "f8"), True),  # as long as the kernel: numpy's "same"
        ("valid", 2062, 16, ("f8", "f8"), True),  # 2047
        ("valid", 2063, 16, ("f8", "f8"), False),  # 2048
        ("valid", 16, 2062, ("f8", "f8"), True),  # the kernel longer: 2047 again
        ("full", 100, 3, ("f8", "?"), True),  # one boolean operand: a number result
        ("full", 100, 3, ("?", "?"), False),  # two: the engine's OR of ANDs
    ],
)
def test_the_small_1d_shortcut_stops_exactly_where_the_engine_prices(
    monkeypatch, mode, n, k, dtypes, shortcut
) -> None:
    # The unpriced rule alone: the priced route (beyond it) is turned off here and
    # must be asked exactly where the unpriced rule says no (for numbers, not bools).
    from convdoc import engine
    from convdoc.plans import planner

    entered = []
    real = engine._padded

    def spy(*args, **kwargs):
        entered.append(1)
        return real(*args, **kwargs)

    asked = []
    monkeypatch.setattr(engine, "_padded", spy)
    monkeypatch.setattr(planner, "numpy_plain_1d", lambda *a: asked.append(1) or False)
    rng = np.random.default_rng(n + k)
    x = (rng.standard_normal(n) > 0.3).astype(dtypes[0])
    h = (rng.standard_normal(k) > -0.3).astype(dtypes[1])
    for ours, numpy_call in ((convolve, np.convolve), (correlate, np.correlate)):
        before = len(entered)
        got = ours(x, h, mode)
        assert (len(entered) == before) == shortcut, ours.__name__
        np.testing.assert_array_equal(got, numpy_call(x, h, mode))
    both_bool = dtypes == ("?", "?")
    assert bool(asked) == (not shortcut and not both_bool and n >= k)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_an_infinite_tap_on_a_longer_signal_gives_scipys_direct_result(mode) -> None:
    # SciPy's 1-D direct method (numpy.convolve/correlate) never multiplies the zeros
    # beyond the ends, so the infinity spreads only where it meets a sample: on either
    # route (the priced NumPy call or the engine) the NaNs and infinities are SciPy's.
    rng = np.random.default_rng(8)
    x = rng.standard_normal(10_000)
    h = rng.standard_normal(11)
    h[3] = np.inf
    # Full outputs that never reach tap 3, by hand: convolve's output n reads h[n - m]
    # for samples m < 10,000, so tap 3 only for 3 <= n <= 10,002; correlate's reads
    # the kernel reversed, tap 3 at position 7: 7 <= n <= 10,006.
    untouched = {convolve: [0, 2, 10_003, 10_009], correlate: [0, 6, 10_007, 10_009]}
    for ours, theirs in ((convolve, signal.convolve), (correlate, signal.correlate)):
        got = ours(x, h, mode)
        np.testing.assert_array_equal(got, theirs(x, h, mode, method="direct"))
        if mode == "full":
            assert np.isfinite(got[untouched[ours]]).all()
