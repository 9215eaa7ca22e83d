"""What ``method="auto"`` does on top of the method it runs (convdoc.plans.planner).

Its decision prices the plans, asks whether the kernel is of rank one and looks
at the image once for NaN or infinity; none of that may happen twice, and none
of it may change the numbers. Oracles: SciPy's direct correlation, NumPy's
rank, and windows containing the NaN counted by hand. No wall-clock asserts:
the calls are counted with spies.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

import convdoc
from convdoc import engine
from convdoc.plans import fft, planner, separable, stencil

ONE, NO_PAD = (1, 1), ((0, 0), (0, 0))


def _spy_all_finite(monkeypatch, image: np.ndarray) -> list[tuple[int, ...]]:
    """Record the shape of every finiteness check over ``image`` (engine and plans)."""
    seen: list[tuple[int, ...]] = []
    for module in (planner, engine, fft):
        real = module.all_finite

        def spy(a, real=real):
            if np.shares_memory(a, image):
                seen.append(a.shape)
            return real(a)

        monkeypatch.setattr(module, "all_finite", spy)
    return seen


def test_auto_checks_the_image_once_and_returns_the_fft_bit_for_bit(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    image, kernel = rng.standard_normal((128, 128)), rng.standard_normal((31, 31))
    x, w = image[None], kernel[None, None]
    out = (98, 98)
    _, direct_s = planner.best_direct(x, w, NO_PAD, ONE, ONE, out)
    assert planner.choose(x, w, NO_PAD, ONE, ONE, out, direct_s) == "fft"
    seen = _spy_all_finite(monkeypatch, image)
    fft_result = convdoc.correlate(image, kernel, mode="valid", method="fft")
    assert seen == []
    sums = []
    real_sums_fit = planner.sums_fit
    monkeypatch.setattr(planner, "sums_fit", lambda *a: sums.append(1) or real_sums_fit(*a))
    got = convdoc.correlate(image, kernel, mode="valid", method="auto")
    # Priced cheapest, the separable passes are ruled out by the kernel alone
    # (random: rank 31), before any pass over the image; the FFT's NaN guard
    # then looks at the image once (the FFT itself never looks).
    assert np.linalg.matrix_rank(kernel) == 31
    assert seen == [(1, 128, 128)]
    assert sums == []
    np.testing.assert_array_equal(got, fft_result)
    np.testing.assert_allclose(
        got, signal.correlate(image, kernel, "valid", method="direct"), atol=1e-10
    )


def test_a_nan_keeps_auto_off_the_fft_with_one_look_more_than_direct(monkeypatch) -> None:
    rng = np.random.default_rng(6)
    image, kernel = rng.standard_normal((128, 128)), rng.standard_normal((31, 31))
    image[40, 70] = np.nan
    seen = _spy_all_finite(monkeypatch, image)
    direct = convdoc.correlate(image, kernel, mode="valid", method="direct")
    direct_looks = len(seen)  # the direct plan's own guard (BLAS's band zeros)
    seen.clear()
    got = convdoc.correlate(image, kernel, mode="valid", method="auto")
    assert len(seen) == direct_looks + 1  # the decision looked once
    # NaN exactly in the windows that hold image[40, 70]: rows 10..40, columns 40..70.
    expected_nan = np.zeros((98, 98), dtype=bool)
    expected_nan[10:41, 40:71] = True
    np.testing.assert_array_equal(np.isnan(got), expected_nan)
    reference = signal.correlate(image, kernel, "valid", method="direct")
    np.testing.assert_allclose(got[~expected_nan], reference[~expected_nan], atol=1e-10)
    np.testing.assert_array_equal(got, direct)


def test_auto_asks_once_per_call_whether_a_small_kernel_is_of_rank_one(monkeypatch) -> None:
    # A 5x5 filter is priced as a compiled stencil first (the two passes would be
    # its cheaper form, so the stencil asks about rank one), then by choose. numba
    # is kept unloaded: the filter then runs by the plan choose picks.
    assert stencil.available()
    monkeypatch.setattr(stencil, "loaded", lambda: False)
    monkeypatch.setattr(stencil, "worth_loading", lambda saving: False)
    rng = np.random.default_rng(7)
    image, kernel = rng.standard_normal((128, 128)), rng.standard_normal((5, 5))
    calls = []
    real = separable.rank_one
    monkeypatch.setattr(separable, "rank_one", lambda *a: calls.append(1) or real(*a))
    for _ in range(2):  # a second call judges its (new) weight view again
        calls.clear()
        got = convdoc.correlate(image, kernel, mode="valid", method="auto")
        assert calls == [1]
    np.testing.assert_allclose(
        got, signal.correlate(image, kernel, "valid", method="direct"), atol=1e-10
    )


def test_a_weight_changed_in_place_is_judged_again(monkeypatch) -> None:
    monkeypatch.setattr(stencil, "loaded", lambda: False)
    monkeypatch.setattr(stencil, "worth_loading", lambda saving: False)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 128, 128))
    w = np.outer(rng.random(5) + 0.5, rng.random(5) + 0.5)[None, None]
    out = (124, 124)
    assert planner.stencil_plan(x, w, NO_PAD, "constant", 0, ONE, ONE, "auto") is None
    _, direct_s = planner.best_direct(x, w, NO_PAD, ONE, ONE, out)
    assert np.linalg.matrix_rank(w[0, 0]) == 1
    assert planner.choose(x, w, NO_PAD, ONE, ONE, out, direct_s) == "separable"
    w[0, 0] = rng.standard_normal((5, 5))  # same object, no longer rank one
    assert np.linalg.matrix_rank(w[0, 0]) == 5
    assert planner.choose(x, w, NO_PAD, ONE, ONE, out, direct_s) != "separable"
