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


def _spy_all_finite(
    monkeypatch, image: np.ndarray, others: list[np.ndarray] | None = None
) -> list[tuple[int, ...]]:
    """Record the shape of every finiteness check over ``image`` (engine and plans).

    The arrays checked that are not ``image`` go to ``others`` when given.
    """
    seen: list[tuple[int, ...]] = []
    for module in (planner, engine, fft):
        real = module.all_finite

        def spy(a, real=real):
            if np.shares_memory(a, image):
                seen.append(a.shape)
            elif others is not None:
                others.append(a)
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
    others: list[np.ndarray] = []
    seen = _spy_all_finite(monkeypatch, image, others)
    fft_result = convdoc.correlate(image, kernel, mode="valid", method="fft")
    assert seen == [] and others == []
    sums = []
    real_sums_fit = planner.sums_fit
    monkeypatch.setattr(planner, "sums_fit", lambda *a: sums.append(1) or real_sums_fit(*a))
    got = convdoc.correlate(image, kernel, mode="valid", method="auto")
    # Priced cheapest, the separable passes are ruled out by the kernel alone
    # (random: rank 31), before any pass over the image; the FFT's NaN guard
    # then looks at the image once (the FFT itself never looks), and the engine at
    # the FFT's result (a spectrum bin can overflow), besides the 31x31 kernel.
    assert np.linalg.matrix_rank(kernel) == 31
    assert seen == [(1, 128, 128)]
    assert sums == []
    assert sorted(a.shape for a in others) == [(1, 1, 31, 31), (1, 98, 98)]
    assert any(np.shares_memory(a, got) for a in others)
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


def test_auto_asks_about_rank_one_once_per_call_and_never_for_a_random_kernel(
    monkeypatch,
) -> None:
    # A 5x5 filter is priced as a compiled stencil first (its two passes would be the
    # cheaper form, so the stencil asks about rank one), then by choose. numba is
    # kept unloaded: the filter then runs by the plan choose picks.
    assert stencil.available()
    monkeypatch.setattr(stencil, "loaded", lambda: False)
    monkeypatch.setattr(stencil, "worth_loading", lambda saving: False)
    calls = []
    real = separable.rank_one
    monkeypatch.setattr(separable, "rank_one", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 128, 128))
    bell = np.exp(-0.5 * (np.arange(5) - 2.0) ** 2)
    out = (124, 124)
    for _ in range(2):  # a new weight object is judged again
        w = np.outer(bell, bell)[None, None]
        assert np.linalg.matrix_rank(w[0, 0]) == 1
        calls.clear()
        assert planner.stencil_plan(x, w, NO_PAD, "constant", 0, ONE, ONE, "auto") is None
        _, direct_s = planner.best_direct(x, w, NO_PAD, ONE, ONE, out)
        assert planner.choose(x, w, NO_PAD, ONE, ONE, out, direct_s) == "separable"
        assert calls == [1]
    # A random kernel: its corners alone rule rank one out, in the stencil's pricing
    # and in choose, so rank_one never runs.
    image, kernel = x[0], rng.standard_normal((5, 5))
    calls.clear()
    got = convdoc.correlate(image, kernel, mode="valid", method="auto")
    assert calls == []
    np.testing.assert_allclose(
        got, signal.correlate(image, kernel, "valid", method="direct"), atol=1e-10
    )


def _kernels_near_rank_one(rng: np.random.Generator):
    """Kernels on both sides of rank_one's threshold, and the awkward values."""
    for shape in ((2, 2), (3, 3), (3, 7), (5, 5), (9, 9), (31, 31)):
        for dtype in separable.SEPARABLE_DTYPES:
            u, v = rng.standard_normal(shape[0]), rng.standard_normal(shape[1])
            exact = np.outer(u, v)
            big = np.abs(exact).max()
            d = 1e3 * max(shape) * np.finfo(dtype).eps * big  # rank_one's tolerance
            for scale in (1e-4, 1e-3, 1e-2, 0.1, 0.5, 0.9, 1.1, 2.0, 4.0, 10.0, 1e3):
                for where in ((0, 0), (-1, -1), (0, -1)):
                    k = exact.copy()
                    k[where] += scale * d
                    yield k, dtype
                noisy = exact + scale * d * rng.uniform(-1, 1, shape)
                yield noisy, dtype
            yield rng.standard_normal(shape), dtype
            yield exact, dtype
            yield exact * 1e300, dtype
            yield exact * 1e-310, dtype
            yield exact.astype(np.float32), dtype
            yield exact.astype(np.float16), dtype
            for bad in (np.nan, np.inf):
                k = exact.copy()
                k[0, 0] = bad
                yield k, dtype
            framed = np.zeros((shape[0] + 2, shape[1] + 2))
            framed[1:-1, 1:-1] = rng.standard_normal(shape)
            yield framed, dtype
            yield np.zeros(shape), dtype


def test_the_corner_test_never_rules_out_what_rank_one_accepts() -> None:
    rng = np.random.default_rng(9)
    accepted = ruled_out = 0
    for k, dtype in _kernels_near_rank_one(rng):
        accepts = separable.rank_one(k, np.dtype(dtype)) is not None
        if planner._surely_not_rank_one(k, np.dtype(dtype)):
            assert not accepts, (k, dtype)
            ruled_out += 1
        accepted += accepts
    assert accepted > 100 and ruled_out > 50  # both sides were exercised
    # Random kernels (full rank by NumPy) are ruled out by their corners.
    for n in (2, 3, 5, 9, 31):
        k = rng.standard_normal((n, n))
        assert np.linalg.matrix_rank(k) == n
        for dtype in separable.SEPARABLE_DTYPES:
            assert planner._surely_not_rank_one(k, np.dtype(dtype))


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
