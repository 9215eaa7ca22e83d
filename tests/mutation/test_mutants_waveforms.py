"""convdoc.waveforms: defaults, the subnormal-period branch, warnings (tests/MUTANTS.md)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from convdoc import noisy_sine, sawtooth, square_wave

HALF_ROOT3 = 3**0.5 / 2


def test_documented_defaults() -> None:
    # length 200, period 50, duty 0.5 / noise 0.3, seed 0, as the signatures document.
    wave = square_wave()
    assert wave.shape == (200,)
    np.testing.assert_array_equal(wave[:50], [1.0] * 25 + [-1.0] * 25)
    np.testing.assert_array_equal(sawtooth()[[0, 49, 50]], [-1.0, 1.0, -1.0])
    np.testing.assert_array_equal(noisy_sine(), noisy_sine(200, 50.0, noise=0.3, seed=0))
    clean = noisy_sine(noise=0)
    assert clean.shape == (200,)
    np.testing.assert_allclose(clean[[0, 12, 25, 50]], [0, np.sin(2 * np.pi * 12 / 50), 0, 0],
                               atol=1e-12)  # fmt: skip
    assert abs(np.std(noisy_sine() - clean) - 0.3) < 0.1


def test_a_subnormal_period_takes_the_phase_modulo_the_period() -> None:
    # period = 3 units of 2**-1074: n / period overflows, and n mod period is
    # (n mod 3) units (2**1074 = 1 mod 3), so sample n is sin(2 pi (n mod 3) / 3).
    period = 3 * 2.0**-1074
    np.testing.assert_allclose(
        noisy_sine(6, period, noise=0), [0, HALF_ROOT3, -HALF_ROOT3] * 2, atol=1e-12
    )


@pytest.mark.parametrize("period", [3 * 2.0**-1074, 1e-300, 1e300])
def test_extreme_periods_warn_nothing(period: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(noisy_sine(50, period, noise=0.5)).all()


def test_any_non_negative_seed_is_taken() -> None:
    # numpy.random.default_rng takes integers of any size; so does the seed.
    np.testing.assert_array_equal(noisy_sine(4, seed=2**70), noisy_sine(4, seed=2**70))
    assert not np.array_equal(noisy_sine(4, seed=2**70), noisy_sine(4, seed=2**70 + 1))


@pytest.mark.parametrize("make", [sawtooth, square_wave, noisy_sine])
def test_length_errors_name_length_and_the_memory(make) -> None:
    with pytest.raises(ValueError) as caught:
        make(0)
    assert str(caught.value) == "length must be a positive integer, got 0"
    # 10**11 float64 samples: 8e11 bytes = 745 GiB (8e11 / 2**30 = 745.06), refused.
    with pytest.raises(ValueError) as caught:
        make(10**11)
    assert str(caught.value).startswith(
        "a signal of length=100000000000 (float64) would need 745 GiB"
    )
