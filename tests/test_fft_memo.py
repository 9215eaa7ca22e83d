"""``method="auto"`` remembering the last filter it sent to the FFT (planner.remember_fft).

A single-channel 2-D filter whose choice depended on its shapes and its kernel
alone is not priced again when the same kernel comes back with a finite image.
What is checked: the numbers (oracle: SciPy's direct correlation, computed
with no FFT), that the planner is skipped only when it would choose the same,
and that anything the choice did depend on (the taps, a NaN, the dtype, the
padding, numba's state, the rank of the kernel, an overflowing spectrum) makes
it choose again. Calls are counted with spies, never timed.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc.plans import planner, stencil


@pytest.fixture(autouse=True)
def fresh_planner():
    planner.forget_prices()
    yield
    planner.forget_prices()


@pytest.fixture
def choices(monkeypatch) -> list[str]:
    """Each call of planner.choose, by the method it returned."""
    seen: list[str] = []
    real = planner.choose

    def spy(*args):
        method = real(*args)
        seen.append(method)
        return method

    monkeypatch.setattr(planner, "choose", spy)
    return seen


def _direct(image: np.ndarray, kernel: np.ndarray, mode: str = "same") -> np.ndarray:
    return signal.convolve(image, kernel, mode=mode, method="direct")


def _random(shape: tuple[int, ...], seed: int, dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_the_same_kernel_on_a_new_image_skips_the_choice_and_matches_the_definition(
    choices,
) -> None:
    kernel = _random((15, 15), 1)
    for seed in (2, 3, 4):
        image = _random((64, 64), seed)
        got = convdoc.convolve(image, kernel, "same")
        np.testing.assert_allclose(got, _direct(image, kernel), rtol=1e-10, atol=1e-10)
        assert got.dtype == np.float64 and got.shape == (64, 64)
    # The first call chose the FFT; the two after it did not choose at all.
    assert choices == ["fft"]
    # The remembered call gives the FFT's bits exactly.
    image = _random((64, 64), 5)
    by_fft = convdoc.convolve(image, kernel, "same", method="fft")
    np.testing.assert_array_equal(convdoc.convolve(image, kernel, "same"), by_fft)


def test_a_nan_in_the_image_is_not_spread_by_a_remembered_fft(choices) -> None:
    kernel = _random((15, 15), 6)
    convdoc.convolve(_random((64, 64), 7), kernel, "same")
    image = _random((64, 64), 8)
    image[10, 20] = np.nan
    got = convdoc.convolve(image, kernel, "same")
    # Only the 15x15 outputs whose windows hold the NaN are NaN (the definition's).
    nan = np.isnan(got)
    assert nan.sum() == 15 * 15
    assert nan[10 - 7 : 10 + 8, 20 - 7 : 20 + 8].all()
    np.testing.assert_allclose(got[~nan], _direct(np.nan_to_num(image), kernel)[~nan], atol=1e-9)
    assert choices == ["fft", "direct"]


def test_other_taps_or_taps_changed_in_place_are_chosen_for_again(choices) -> None:
    kernel = _random((15, 15), 9)
    image = _random((64, 64), 10)
    convdoc.convolve(image, kernel, "same")
    other = _random((15, 15), 11)
    np.testing.assert_allclose(
        convdoc.convolve(image, other, "same"), _direct(image, other), atol=1e-10
    )
    assert choices == ["fft", "fft"]
    other[3, 4] += 1.0  # the same array, one tap changed
    np.testing.assert_allclose(
        convdoc.convolve(image, other, "same"), _direct(image, other), atol=1e-10
    )
    assert choices == ["fft", "fft", "fft"]


@pytest.mark.parametrize(
    "second",
    [
        {"dtype": np.float32},  # another dtype
        {"mode": "full"},  # another padding
        {"mode": "valid", "shape": (80, 80)},  # another image shape
    ],
)
def test_another_dtype_padding_or_shape_is_chosen_for_again(choices, second) -> None:
    kernel = _random((15, 15), 12)
    convdoc.convolve(_random((64, 64), 13), kernel, "same")
    dtype = second.get("dtype", np.float64)
    image = _random(second.get("shape", (64, 64)), 14, dtype)
    mode = second.get("mode", "same")
    got = convdoc.convolve(image, kernel.astype(dtype), mode)
    tol = 1e-3 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, _direct(image, kernel.astype(dtype), mode), atol=tol)
    assert got.dtype == dtype
    assert len(choices) == 2


def test_numba_loading_between_two_calls_makes_the_planner_choose_again(choices) -> None:
    # The stencil's prices depend on whether numba is loaded, so that is part of the key.
    kernel = _random((15, 15), 15)
    image = _random((64, 64), 16)
    loaded = stencil.loaded()
    try:
        stencil.unload()
        convdoc.convolve(image, kernel, "same")
        stencil.load()
        convdoc.convolve(image, kernel, "same")
    finally:
        if not loaded:
            stencil.unload()
    assert len(choices) == 2


def test_a_kernel_of_rank_one_is_not_remembered() -> None:
    # A rank-one kernel could run as the stencil's two passes or NumPy's separable
    # passes, which depend on numba's tier-up and on the image's sums: the FFT taken
    # once is not taken for granted.
    kernel = np.outer(np.arange(1.0, 16.0), np.linspace(-1.0, 2.0, 15))
    image = _random((256, 256), 17)
    got = convdoc.convolve(image, kernel, "same")
    np.testing.assert_allclose(got, _direct(image, kernel), rtol=1e-9, atol=1e-8)
    assert planner._last_fft is None


def test_a_spectrum_that_overflows_falls_back_to_the_exact_sums(choices) -> None:
    # Samples near 1e306 are finite, but 4096 of them overflow the spectrum's bin at
    # zero frequency: the remembered FFT's result is not finite, so the call is
    # computed directly (the definition's sums, about 1e307, are finite).
    kernel = _random((15, 15), 18)
    convdoc.convolve(_random((64, 64), 19), kernel, "same")
    assert planner._last_fft is not None
    image = 1e306 * (1.0 + 0.1 * _random((64, 64), 24))
    expected = _direct(image, kernel)
    assert np.isfinite(expected).all()
    got = convdoc.convolve(image, kernel, "same")
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert choices == ["fft"]  # the remembered problem was not chosen for again


def test_forget_prices_forgets_the_remembered_problem(choices) -> None:
    kernel = _random((15, 15), 20)
    image = _random((64, 64), 21)
    convdoc.convolve(image, kernel, "same")
    planner.forget_prices()
    assert planner._last_fft is None
    convdoc.convolve(image, kernel, "same")
    assert choices == ["fft", "fft"]


def test_a_boundary_rule_or_a_fill_value_never_takes_the_remembered_path(choices) -> None:
    kernel = _random((15, 15), 22)
    image = _random((64, 64), 23)
    convdoc.convolve(image, kernel, "same")
    got = convdoc.convolve(image, kernel, "same", boundary="symmetric")
    padded = np.pad(image, 7, mode="symmetric")
    np.testing.assert_allclose(got, _direct(padded, kernel, "valid"), atol=1e-10)
    assert len(choices) == 2


@pytest.mark.parametrize("form", ["two passes", "dense"])
def test_a_filter_the_stencil_waits_for_is_chosen_for_at_every_call(monkeypatch, form) -> None:
    # Priced so that the stencil (1 us: its two passes for a rank-one 15x15, or its
    # dense loop for a random 5x5) beats the FFT (10 us), which beats NumPy's separable
    # passes (1 s) and the direct plans: the filter would run as the stencil once numba
    # is loaded, and until then every call adds the saving it would make toward loading
    # it (stencil.worth_loading). The FFT that runs meanwhile must not be remembered,
    # or the savings would stop adding up.
    from convdoc.plans import fft

    real_cost = stencil.cost
    monkeypatch.setattr(
        stencil,
        "cost",
        lambda out, k, dtype, separable=False: 1e-6 if separable == (form == "two passes") else 1.0,
    )
    monkeypatch.setattr(planner, "_separable_price", lambda *a: 1.0)
    monkeypatch.setattr(fft, "cost", lambda *a: 1e-5)
    savings: list[float] = []
    monkeypatch.setattr(stencil, "worth_loading", lambda s: savings.append(s) or False)
    loaded = stencil.loaded()
    if form == "two passes":
        kernel = np.outer(np.arange(1.0, 16.0), np.linspace(-1.0, 2.0, 15))
    else:
        kernel = _random((5, 5), 28)
    try:
        stencil.unload()
        for seed in (26, 27):
            image = _random((64, 64), seed)
            got = convdoc.convolve(image, kernel, "same")
            np.testing.assert_allclose(got, _direct(image, kernel), rtol=1e-9, atol=1e-9)
            assert planner._last_fft is None
    finally:
        monkeypatch.setattr(stencil, "cost", real_cost)
        if loaded:
            stencil.load()
    assert len(savings) == 2


def test_an_fft_taken_because_the_separable_sums_might_overflow_is_not_remembered(
    choices, monkeypatch
) -> None:
    # A rank-one 15x15 on a 256x256 image: NumPy's separable passes are priced cheapest.
    # When sums_fit (which bounds the image's sums) refuses them, the FFT runs; that
    # choice looked at the image, so the next image is chosen for again and, its sums
    # fitting, takes the separable passes. (Real float data whose separable sums could
    # overflow also overflows the FFT, so the refusal is staged; the stencil is left
    # out, and priced to lose, so that only the separable passes make the rank count.)
    monkeypatch.setattr(stencil, "_available", False)
    monkeypatch.setattr(stencil, "cost", lambda *a, **k: 1.0)
    kernel = np.outer(np.arange(1.0, 16.0), np.linspace(-1.0, 2.0, 15))
    refusals = [False]
    real = planner.sums_fit
    monkeypatch.setattr(
        planner, "sums_fit", lambda *a: refusals.pop() if refusals else real(*a)
    )
    for seed in (29, 30):
        image = _random((256, 256), seed)
        got = convdoc.convolve(image, kernel, "same")
        np.testing.assert_allclose(got, _direct(image, kernel), rtol=1e-9, atol=1e-9)
        assert planner._last_fft is None
    assert choices == ["fft", "separable"]
