"""convdoc.filtering: SciPy's 1-D infinite-tap rule, its FFT warning, the 'valid' message.

Oracles (tests/MUTANTS.md): :func:`scipy.signal.convolve` with ``method="direct"``
(its 1-D direct method is :func:`numpy.convolve` only when the input is at least as
long as the kernel), sums worked by hand, SciPy's own warning text, and the
documented error contract (the message names ``x`` and ``kernel`` and their shapes).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import signal

from convdoc import convolve, correlate

INF = np.inf


def test_same_mode_with_an_infinite_tap_and_input_as_long_as_the_kernel() -> None:
    # Full convolution of [1, 2, 3, 4] with [1, 1, 1, inf], by hand: 1, 1+2, 1+2+3,
    # then inf from n = 3 on (the infinite tap meets x[0] first at n = 3). SciPy's
    # "same" keeps the centre 4 of the 7: samples 1 to 4. numpy.convolve never
    # multiplies the zeros beyond the ends, so no NaN appears (0 * inf).
    x = np.array([1.0, 2.0, 3.0, 4.0])
    k = np.array([1.0, 1.0, 1.0, INF])
    expected = np.array([3.0, 6.0, INF, INF])
    with np.errstate(invalid="ignore"):
        scipy_out = signal.convolve(x, k, "same", method="direct")
    np.testing.assert_array_equal(scipy_out, expected)
    np.testing.assert_array_equal(convolve(x, k, "same"), expected)
    np.testing.assert_array_equal(convolve(x, k, "same", method="direct"), expected)


def test_same_mode_with_an_infinite_tap_and_a_kernel_longer_than_the_input() -> None:
    # SciPy's 1-D shortcut (numpy.convolve) is only for an input at least as long as
    # the kernel: numpy.convolve's "same" would give the kernel's length (5). SciPy's
    # n-D direct method multiplies the zeros beyond the ends: 0 * inf = NaN.
    x = np.array([1.0, 2.0, 3.0])
    k = np.array([1.0, INF, 1.0, 2.0, 1.0])
    with np.errstate(invalid="ignore"):
        expected = signal.convolve(x, k, "same", method="direct")
        got = convolve(x, k, "same")
    assert got.shape == (3,)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[-1])  # the last output reads a zero beyond the end times inf


@pytest.mark.parametrize("fn", [convolve, correlate])
def test_fft_with_an_infinite_tap_spreads_it_over_every_output_and_warns(fn) -> None:
    # method="fft" is SciPy's FFT even for a 1-D infinite tap: every output NaN, and
    # SciPy's RuntimeWarning, word for word (SciPy's own text is the oracle).
    x = np.array([1.0, 2.0, 3.0, 4.0])
    k = np.array([1.0, INF, 1.0])
    theirs = signal.convolve if fn is convolve else signal.correlate
    with warnings.catch_warnings(record=True) as caught_theirs:
        warnings.simplefilter("always")
        with np.errstate(invalid="ignore"):
            expected = theirs(x, k, "full", method="fft")
    with warnings.catch_warnings(record=True) as caught_ours:
        warnings.simplefilter("always")
        with np.errstate(invalid="ignore"):
            got = fn(x, k, "full", method="fft")
    assert np.isnan(expected).all()
    np.testing.assert_array_equal(got, expected)

    def fft_warnings(caught) -> list[tuple[type, str]]:
        return [(w.category, str(w.message)) for w in caught if "fft" in str(w.message)]

    scipy_warning = fft_warnings(caught_theirs)
    assert len(scipy_warning) == 1
    assert fft_warnings(caught_ours) == scipy_warning


@pytest.mark.parametrize("fn", [convolve, correlate])
def test_valid_mode_message_names_both_arrays_and_shapes(fn) -> None:
    x = np.ones((3, 5))
    k = np.ones((4, 2))
    message = (
        r"^in 'valid' mode one of x and kernel must be at least as large as the other along "
        r"every axis, got x of shape \(3, 5\) and kernel of shape \(4, 2\)$"
    )
    with pytest.raises(ValueError, match=message):
        fn(x, k, "valid")


@pytest.mark.parametrize("fn", [convolve, correlate])
def test_a_kernel_with_too_many_dimensions_is_named(fn) -> None:
    with pytest.raises(
        ValueError, match=r"^kernel must be 1-D or 2-D, got a 3-D array of shape \(2, 2, 2\)$"
    ):
        fn(np.ones(3), np.ones((2, 2, 2)))


@pytest.mark.parametrize(
    ("x", "kernel", "fill"),
    [
        # A complex input next to a real kernel: the result is complex, so a complex
        # fill is allowed (it is refused only when both are real).
        (np.array([1 + 2j, 3 - 1j, 2 + 0j]), np.array([1.0, 2.0]), 1j),
        # A float input next to an integer kernel: the result is float64, which
        # holds 2**64 (no integer dtype holds it together with int64).
        (np.array([0.5, 1.5, 2.5]), np.array([1, 2], dtype=np.int64), 2**64),
    ],
)
def test_the_fill_is_checked_against_the_results_dtype(x, kernel, fill) -> None:
    # Oracle: the input extended by hand with numpy.pad, then SciPy's "valid".
    padded = np.pad(x.astype(np.result_type(x, kernel, type(fill))), 1, constant_values=fill)
    expected = signal.correlate(padded, kernel, "valid", method="direct")
    np.testing.assert_allclose(correlate(x, kernel, "full", fillvalue=fill), expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("mode", "n", "k", "pad", "asked_for"),
    [
        # Outputs * taps beyond 2**15, so the planner is asked, with the call as given:
        # SciPy's full pads k - 1 = 2999 zeros a side, its "same" k // 2 = 1500 before
        # and (k - 1) // 2 = 1499 after; a signal exactly as long as the kernel.
        ("full", 3000, 3000, ((2999, 2999),), True),
        ("same", 3000, 3000, ((1500, 1499),), True),
        # A kernel longer than the signal: never numpy.correlate's priced plan (the
        # engine's swap is SciPy's), so the engine, unasked: 1099 outputs of 1000 taps.
        ("full", 100, 1000, None, False),
    ],
)
@pytest.mark.parametrize("method", ["auto", "direct"])
def test_the_priced_1d_route_is_asked_with_the_call_as_given(
    monkeypatch, mode, n, k, pad, asked_for, method
) -> None:
    from convdoc import engine
    from convdoc.plans import planner

    asked: list[tuple] = []
    real_plain = planner.numpy_plain_1d

    def plain(x, w, p, m):
        asked.append((x.shape, w.shape, p, m))
        return real_plain(x, w, p, m)

    entered: list[int] = []
    real_padded = engine._padded

    def padded(*args, **kwargs):
        entered.append(1)
        return real_padded(*args, **kwargs)

    monkeypatch.setattr(planner, "numpy_plain_1d", plain)
    monkeypatch.setattr(engine, "_padded", padded)
    rng = np.random.default_rng(n + k)
    x, h = rng.standard_normal(n), rng.standard_normal(k)
    got = convolve(x, h, mode, method=method)
    expected = signal.convolve(x, h, mode, method="direct")
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    if asked_for:
        assert asked == [((1, n), (1, 1, k), pad, method)]
    else:
        assert asked == [] and entered == [1]
    if method == "auto" and mode == "full" and asked_for:
        # 5999 outputs of 3000 taps: SciPy picks the FFT (tests/mutation/
        # test_mutants_planner.py asks it), so the engine runs it.
        assert signal.choose_conv_method(x, h, mode) == "fft"
        assert entered == [1]
