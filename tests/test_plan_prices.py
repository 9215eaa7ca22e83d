"""The planner's kept prices: what is priced once per problem, what every call.

A problem's plan prices depend on its shapes, dtypes and parameters, which the
planner keeps for the next call of the same problem (``planner.PRICES_KEPT``).
What depends on values must still be judged at every call: a kernel's taps
(zeros cost nothing in the shift-add plan), integers' magnitudes (SciPy's FFT
test), whether numba is loaded (Winograd's price). The oracles are SciPy's
results and its own ``choose_conv_method``.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc.plans import direct, fft, planner, stencil, winograd


def test_a_problem_is_priced_once_for_every_kernel_of_its_shape() -> None:
    rng = np.random.default_rng(0)
    image = rng.standard_normal((64, 64))
    with mock.patch.object(fft, "cost", wraps=fft.cost) as cost:
        first = convdoc.convolve(image, rng.standard_normal((15, 15)), "same")
        asked = cost.call_count
        kernel = rng.standard_normal((15, 15))
        again = convdoc.convolve(image, kernel, "same")
        assert asked >= 1 and cost.call_count == asked
        convdoc.convolve(image[:60], kernel, "same")  # another shape: priced anew
        assert cost.call_count > asked
    assert first.shape == again.shape == (64, 64)
    np.testing.assert_allclose(again, signal.convolve(image, kernel, "same"), atol=1e-10)


@pytest.mark.parametrize("order", ["sparse first", "dense first"])
def test_the_shift_add_price_follows_the_taps_of_each_call(order) -> None:
    # One tap of 25 is a single pass over the output: the shift-add plan is the
    # cheapest for it, not for a dense 5x5 of the same shape (checked both ways
    # round, so a price kept from the other kernel would show).
    rng = np.random.default_rng(1)
    image = rng.standard_normal((300, 300))
    sparse = np.zeros((5, 5))
    sparse[1, 3] = 2.0
    dense = rng.standard_normal((5, 5))
    kernels = [("sparse", sparse), ("dense", dense)]
    if order == "dense first":
        kernels.reverse()
    for name, kernel in kernels:
        with mock.patch.object(direct, "shift_add", wraps=direct.shift_add) as plan:
            got = convdoc.correlate(image, kernel, "same")
        assert plan.called == (name == "sparse"), name
        np.testing.assert_allclose(got, signal.correlate(image, kernel, "same"), atol=1e-10)


def test_winograd_is_priced_for_a_layer_once_numba_is_loaded() -> None:
    # The same 64-channel 3x3 layer before and after numba is loaded: the kept
    # direct prices of the first call must not hide Winograd from the second.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 28, 28)).astype(np.float32)
    w = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
    stencil.unload()
    with mock.patch.object(winograd, "correlate", wraps=winograd.correlate) as plan:
        before = convdoc.conv2d(x, w, padding=1)
        assert not plan.called
        stencil.load()
        after = convdoc.conv2d(x, w, padding=1)
        assert plan.called
    # Output channel 5, by SciPy: the sum over input channels of 2-D correlations.
    expected = sum(
        signal.correlate2d(np.pad(x[c].astype(np.float64), 1), w[5, c].astype(np.float64), "valid")
        for c in range(64)
    )
    for got in (before, after):
        np.testing.assert_allclose(got[5], expected, rtol=0, atol=2e-4)


def test_scipys_verdict_is_kept_for_floats_and_asked_again_for_integers() -> None:
    # For floats SciPy decides from the lengths alone; for integers it reads their
    # largest values (its FFT refusal for sums beyond 2**52), so it is asked each time.
    k = np.ones(2001)
    with mock.patch.object(
        signal, "choose_conv_method", wraps=signal.choose_conv_method
    ) as ask:
        for _ in range(3):
            convdoc.convolve(np.ones(20_000), k)
        assert ask.call_count == 1
        for scale in (1, 2**42, 1):
            ask.reset_mock()
            x = np.full(20_000, scale, np.int64)
            got = convdoc.convolve(x, k.astype(np.int64))
            np.testing.assert_array_equal(got, np.convolve(x, k.astype(np.int64)))
            assert ask.call_count >= 1, scale  # asked again at every call


def test_a_nan_keeps_a_kept_fft_verdict_off_the_fft() -> None:
    # The verdict "fft" for these lengths is kept from the first call; the second
    # call's NaN must still send it to the direct sum, where the NaN stays local.
    rng = np.random.default_rng(3)
    x = rng.standard_normal(20_000)
    k = rng.standard_normal(2001)
    assert signal.choose_conv_method(x, k, "full") == "fft"
    np.testing.assert_allclose(convdoc.convolve(x, k), np.convolve(x, k), atol=1e-9)
    x[10_000] = np.nan
    # Not even tried: a transform whose every output the NaN would spoil.
    with mock.patch.object(fft, "correlate", wraps=fft.correlate) as plan:
        got = convdoc.convolve(x, k)
    assert not plan.called
    # Output n reads x[n - 2000 .. n]: only outputs 10,000 to 12,000 meet the NaN.
    bad = ~np.isfinite(got)
    assert np.array_equal(np.flatnonzero(bad), np.arange(10_000, 12_001))
    np.testing.assert_allclose(got[:10_000], np.convolve(x[:10_000], k)[:10_000], atol=1e-9)


def test_the_table_of_prices_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(planner, "PRICES_KEPT", 8)
    rng = np.random.default_rng(4)
    kernel = rng.standard_normal((9, 9))
    for side in range(40, 80):
        image = rng.standard_normal((side, side))
        got = convdoc.convolve(image, kernel, "same")
        np.testing.assert_allclose(got, signal.convolve(image, kernel, "same"), atol=1e-10)
        assert len(planner._PRICES) <= 8
