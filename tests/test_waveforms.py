"""Waveforms: exact lengths, hand-worked samples, the seed's np.tile formula where it is right,
reproducible noise with the stated distribution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convdoc.waveforms import impulse, noisy_sine, sawtooth, square_wave, unit_step


@pytest.mark.parametrize(("length", "period"), [(200, 50), (100, 25), (12, 4), (6, 6)])
def test_sawtooth_matches_np_tile_for_multiples(length, period):
    expected = np.tile(np.linspace(-1, 1, period), length // period)
    np.testing.assert_array_equal(sawtooth(length, period), expected)


def test_sawtooth_defaults():
    np.testing.assert_array_equal(sawtooth(), np.tile(np.linspace(-1, 1, 50), 4))


@given(st.integers(1, 400), st.integers(2, 60))
def test_sawtooth_always_has_length_samples(length, period):
    wave = sawtooth(length, period)
    assert wave.shape == (length,)
    # Sample n climbs from -1 in equal steps of 2 / (period - 1), back to -1 every period,
    # including the cut-short last period: worked sample by sample.
    expected = [-1 + 2 * (n % period) / (period - 1) for n in range(length)]
    np.testing.assert_allclose(wave, expected, rtol=0, atol=1e-12)


def test_sawtooth_keeps_the_remainder_np_tile_drops():
    wave = sawtooth(210, 50)
    assert wave.size == 210  # np.tile(..., 210 // 50) would give 200
    np.testing.assert_array_equal(wave[200:], np.linspace(-1, 1, 50)[:10])


def test_sawtooth_shorter_than_a_period():
    np.testing.assert_array_equal(sawtooth(3, 5), [-1.0, -0.5, 0.0])


def test_square_wave_hand_worked():
    np.testing.assert_array_equal(square_wave(10, 4), [1, 1, -1, -1, 1, 1, -1, -1, 1, 1])
    # duty 0.3 of 10 samples: phases 0.0, 0.1, 0.2 are < 0.3.
    np.testing.assert_array_equal(square_wave(10, 10, duty=0.3), [1, 1, 1] + [-1] * 7)


@given(st.integers(1, 300), st.integers(2, 40), st.floats(0.01, 0.99))
def test_square_wave_length_values_and_duty(length, period, duty):
    wave = square_wave(length, period, duty)
    assert wave.shape == (length,)
    assert set(np.unique(wave)) <= {-1.0, 1.0}
    # Periodic, and each period is one run of +1 from its first sample, then -1.
    np.testing.assert_array_equal(wave[period:], wave[: max(length - period, 0)])
    first = wave[:period]
    high = int(np.count_nonzero(first == 1))
    assert first[0] == 1
    np.testing.assert_array_equal(first, [1.0] * high + [-1.0] * (first.size - high))
    if length >= period:
        # duty * period samples are high, give or take the one the boundary rounds.
        assert abs(high - duty * period) <= 1


def test_unit_step_and_impulse():
    np.testing.assert_array_equal(unit_step(6, at=4), [0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(unit_step(6, at=0), np.ones(6))
    np.testing.assert_array_equal(impulse(6, at=5), [0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(impulse(1), [1.0])
    # Default position: the middle, length // 2.
    assert unit_step(200).argmax() == 100
    assert impulse(7).argmax() == 3
    assert impulse().shape == unit_step().shape == (200,)


def test_impulse_is_the_difference_of_two_steps():
    np.testing.assert_array_equal(unit_step(9, 3) - unit_step(9, 4), impulse(9, 3))


def test_noisy_sine_is_reproducible_and_seeded_by_default_rng():
    a = noisy_sine(100, 20, noise=0.5, seed=7)
    np.testing.assert_array_equal(a, noisy_sine(100, 20, noise=0.5, seed=7))
    assert not np.array_equal(a, noisy_sine(100, 20, noise=0.5, seed=8))
    np.testing.assert_array_equal(noisy_sine(), noisy_sine())
    # One noise sequence per seed: scaled by `noise`, and a longer signal extends it.
    unit = noisy_sine(400, 20, noise=1.0, seed=7) - noisy_sine(400, 20, noise=0, seed=7)
    np.testing.assert_allclose(a - noisy_sine(100, 20, noise=0), 0.5 * unit[:100], atol=1e-12)
    # The documented source of that sequence, added (not subtracted) to the sine.
    draws = np.random.default_rng(7).standard_normal(400)
    np.testing.assert_allclose(unit, draws, atol=1e-12)


def test_noisy_sine_noise_is_standard_normal_times_noise():
    n = 20_000
    residual = noisy_sine(n, 20, noise=0.3, seed=3) - noisy_sine(n, 20, noise=0)
    # Mean 0 and standard deviation 0.3, well within 5 standard errors.
    assert abs(residual.mean()) < 5 * 0.3 / np.sqrt(n)
    assert abs(residual.std() - 0.3) < 5 * 0.3 / np.sqrt(2 * n)
    # Gaussian: about 68.3 % of the samples within one standard deviation.
    assert abs(np.mean(np.abs(residual) < 0.3) - 0.6827) < 0.02


# sin at multiples of 30 degrees, worked by hand: 0, 1/2, sqrt(3)/2, 1, ...
_HALF_ROOT3 = 3**0.5 / 2
_SIN_30 = [0, 0.5, _HALF_ROOT3, 1, _HALF_ROOT3, 0.5, 0, -0.5, -_HALF_ROOT3, -1, -_HALF_ROOT3, -0.5]


def test_noisy_sine_without_noise_is_the_sine_and_period_may_be_fractional():
    # Period 12 samples: sample n is sin(n * 30 degrees).
    np.testing.assert_allclose(noisy_sine(30, 12, noise=0), (_SIN_30 * 3)[:30], atol=1e-12)
    # Period 1.5 samples: sample n is at n * 240 degrees, so 0, -sqrt(3)/2, +sqrt(3)/2, 0, ...
    np.testing.assert_allclose(
        noisy_sine(6, 1.5, noise=0), [0, -_HALF_ROOT3, _HALF_ROOT3] * 2, atol=1e-12
    )


def test_noisy_sine_seed_none_gives_fresh_noise():
    assert not np.array_equal(noisy_sine(50, seed=None), noisy_sine(50, seed=None))


@pytest.mark.parametrize("func", [sawtooth, square_wave, unit_step, impulse, noisy_sine])
def test_float64_output(func):
    assert func(10).dtype == np.float64


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sawtooth(0), ValueError, "length must be a positive integer, got 0"),
        (lambda: sawtooth(10.0), TypeError, "length must be a positive integer, got 10.0"),
        (lambda: sawtooth(10, 1), ValueError, "period must be at least 2 samples, got 1"),
        (lambda: sawtooth(10, 0), ValueError, "period must be a positive integer, got 0"),
        (lambda: sawtooth(10, 2.5), TypeError, "period must be a positive integer, got 2.5"),
        (lambda: square_wave(-1), ValueError, "length must be a positive integer, got -1"),
        (lambda: square_wave(10, 1), ValueError, "period must be at least 2 samples, got 1"),
        (lambda: square_wave(10, 4, duty=0), ValueError, r"duty must be strictly .* got 0"),
        (lambda: square_wave(10, 4, duty=1.0), ValueError, r"duty must be strictly .* got 1.0"),
        (lambda: square_wave(10, 4, duty="half"), TypeError, "duty must be a real number"),
        (lambda: square_wave(10, 4, duty=np.nan), ValueError, "duty must be a finite"),
        (lambda: unit_step(0), ValueError, "length must be a positive integer, got 0"),
        (lambda: unit_step(5, at=5), ValueError, "at must be an index .* length=5, got 5"),
        (lambda: unit_step(5, at=-1), ValueError, "at must be a non-negative integer, got -1"),
        (lambda: unit_step(5, at=1.0), TypeError, "at must be a non-negative integer, got 1.0"),
        (lambda: impulse(True), TypeError, "length must be a positive integer, got True"),
        (lambda: impulse(4, at=9), ValueError, "at must be an index .* length=4, got 9"),
        (lambda: noisy_sine(0), ValueError, "length must be a positive integer, got 0"),
        (lambda: noisy_sine(10, 0), ValueError, "period must be a positive real number, got 0"),
        (lambda: noisy_sine(10, -5.0), ValueError, "period must be a positive real number"),
        (lambda: noisy_sine(10, noise=-0.1), ValueError, "noise must be a non-negative .* -0.1"),
        (lambda: noisy_sine(10, noise=np.inf), ValueError, "noise must be a finite"),
        (lambda: noisy_sine(10, seed=-1), ValueError, "seed must be a non-negative integer"),
        (lambda: noisy_sine(10, seed=1.5), TypeError, "seed must be a non-negative integer"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
