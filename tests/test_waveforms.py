"""Waveforms: exact lengths, the seed's np.tile formula where it is right, reproducible noise."""

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
    ramp = np.linspace(-1, 1, period)
    # Sample n is the (n mod period)-th point of the ramp, including the cut-short last period.
    np.testing.assert_array_equal(wave, ramp[np.arange(length) % period])


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
    high_per_period = np.count_nonzero(np.arange(period) / period < duty)
    full = length // period
    assert np.count_nonzero(wave[: full * period] == 1) == full * high_per_period


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
    clean = np.sin(2 * np.pi * np.arange(100) / 20)
    expected_noise = 0.5 * np.random.default_rng(7).standard_normal(100)
    np.testing.assert_allclose(a, clean + expected_noise, rtol=1e-12)
    np.testing.assert_array_equal(noisy_sine(), noisy_sine())


def test_noisy_sine_without_noise_is_the_sine_and_period_may_be_fractional():
    n = np.arange(50)
    np.testing.assert_allclose(noisy_sine(50, 12.5, noise=0), np.sin(2 * np.pi * n / 12.5))


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
