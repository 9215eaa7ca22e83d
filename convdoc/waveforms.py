"""Test signals for the 1-D examples: sawtooth, square wave, step, impulse, noisy sine.

Every function returns a float64 array of exactly ``length`` samples, whatever
the period, so signals of any length can be compared and convolved.
"""

from __future__ import annotations

import numpy as np

from convdoc._validate import check_bytes, finite_real, nonneg_int, positive_int, positive_real

__all__ = ["impulse", "noisy_sine", "sawtooth", "square_wave", "unit_step"]


def _length(length: int) -> int:
    length = positive_int(length, "length")
    check_bytes(8 * length, f"a signal of length={length} (float64)")
    return length


def _period(period: int) -> int:
    period = positive_int(period, "period")
    if period < 2:
        raise ValueError(f"period must be at least 2 samples, got {period}")
    return period


def _position(at: int | None, length: int) -> int:
    if at is None:
        return length // 2
    at = nonneg_int(at, "at")
    if at >= length:
        raise ValueError(f"at must be an index into the signal, below length={length}, got {at}")
    return at


def sawtooth(length: int = 200, period: int = 50) -> np.ndarray:
    """Sawtooth wave: a ramp from -1 to 1, repeated.

    Each period is ``numpy.linspace(-1, 1, period)``, so it starts exactly at
    -1 and ends exactly at 1 before dropping back. The last period is cut
    short when ``length`` is not a multiple of ``period``; no sample is ever
    lost (unlike ``numpy.tile(ramp, length // period)``, which drops the
    remainder).

    Parameters
    ----------
    length : int, default 200
        Number of samples (>= 1).
    period : int, default 50
        Samples per ramp (>= 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``length`` < 1 or ``period`` < 2.

    Examples
    --------
    >>> sawtooth(7, period=3)
    array([-1.,  0.,  1., -1.,  0.,  1., -1.])
    """
    length = _length(length)
    period = _period(period)
    if period <= length:
        # np.resize repeats the ramp cyclically up to exactly `length` samples.
        return np.resize(np.linspace(-1.0, 1.0, period), length)
    # A period longer than the signal: compute only the `length` samples needed
    # (memory follows the output, not the period), with numpy.linspace's own
    # arithmetic, start + i * step (the period's last sample, exactly 1, lies
    # beyond the signal, so no sample needs linspace's end-point fix-up).
    phase = np.arange(length)
    ramp = phase * (2.0 / (period - 1)) + -1.0
    return ramp


def square_wave(length: int = 200, period: int = 50, duty: float = 0.5) -> np.ndarray:
    """Square wave switching between +1 and -1.

    Sample ``n`` is +1 when its position in the period, ``(n % period) /
    period``, is below ``duty``, and -1 otherwise; each period therefore
    starts high.

    Parameters
    ----------
    length : int, default 200
        Number of samples (>= 1).
    period : int, default 50
        Samples per cycle (>= 2).
    duty : float, default 0.5
        Fraction of each period spent at +1, strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``, values in {-1.0, 1.0}.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``length`` < 1, ``period`` < 2 or ``duty`` is not in (0, 1).

    Examples
    --------
    >>> square_wave(8, period=4)
    array([ 1.,  1., -1., -1.,  1.,  1., -1., -1.])
    >>> square_wave(4, period=4, duty=0.25)
    array([ 1., -1., -1., -1.])
    """
    length = _length(length)
    period = _period(period)
    duty = finite_real(duty, "duty")
    if not 0 < duty < 1:
        raise ValueError(f"duty must be strictly between 0 and 1, got {duty}")
    phase = (np.arange(length) % period) / period
    return np.where(phase < duty, 1.0, -1.0)


def unit_step(length: int = 200, at: int | None = None) -> np.ndarray:
    """Unit step: 0 before sample ``at``, 1 from ``at`` on.

    Parameters
    ----------
    length : int, default 200
        Number of samples (>= 1).
    at : int, optional
        Index of the first 1 (``0 <= at < length``); by default the middle,
        ``length // 2``.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``length`` < 1 or ``at`` is outside the signal.

    Examples
    --------
    >>> unit_step(5, at=2)
    array([0., 0., 1., 1., 1.])
    """
    length = _length(length)
    at = _position(at, length)
    signal = np.zeros(length)
    signal[at:] = 1.0
    return signal


def impulse(length: int = 200, at: int | None = None) -> np.ndarray:
    """Unit impulse (Kronecker delta): 1 at sample ``at``, 0 elsewhere.

    Convolving an impulse with a kernel returns the kernel itself, placed at
    ``at``: the kernel is the filter's *impulse response*.

    Parameters
    ----------
    length : int, default 200
        Number of samples (>= 1).
    at : int, optional
        Index of the 1 (``0 <= at < length``); by default the middle,
        ``length // 2``.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``length`` < 1 or ``at`` is outside the signal.

    Examples
    --------
    >>> impulse(5)
    array([0., 0., 1., 0., 0.])
    """
    length = _length(length)
    at = _position(at, length)
    signal = np.zeros(length)
    signal[at] = 1.0
    return signal


def noisy_sine(
    length: int = 200,
    period: float = 50.0,
    *,
    noise: float = 0.3,
    seed: int | None = 0,
) -> np.ndarray:
    r"""Sine wave plus Gaussian noise: the signal that smoothing cleans up.

    Sample ``n`` is :math:`\sin(2\pi n / \text{period}) + \text{noise}\cdot
    \varepsilon_n` with :math:`\varepsilon_n` drawn from a standard normal
    distribution by ``numpy.random.default_rng(seed)``. The same ``seed``
    always gives the same signal.

    Parameters
    ----------
    length : int, default 200
        Number of samples (>= 1).
    period : float, default 50.0
        Samples per cycle of the sine (> 0; need not be an integer).
    noise : float, default 0.3
        Standard deviation of the added noise (>= 0; 0 gives a clean sine).
    seed : int or None, default 0
        Seed for :func:`numpy.random.default_rng`. ``None`` draws fresh noise
        on every call.

    Returns
    -------
    numpy.ndarray
        Shape ``(length,)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``length`` < 1, ``period`` <= 0, ``noise`` < 0 or ``seed`` < 0.

    Examples
    --------
    >>> clean = noisy_sine(4, period=4, noise=0)
    >>> clean.round(12) + 0.0
    array([ 0.,  1.,  0., -1.])
    >>> bool((noisy_sine(seed=1) == noisy_sine(seed=1)).all())
    True
    """
    length = _length(length)
    period = positive_real(period, "period")
    noise = finite_real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be a non-negative real number, got {noise}")
    if seed is not None:
        seed = nonneg_int(seed, "seed", maximum=None)
    n = np.arange(length)
    with np.errstate(over="ignore", invalid="ignore"):
        clean = np.sin(2 * np.pi * n / period)
    if not np.isfinite(clean).all():
        # n / period overflows for a tiny (subnormal) period; the phase n mod
        # period is exact in floating point and always finite.
        clean = np.sin(2 * np.pi * (np.fmod(n, period) / period))
    if noise == 0:
        return clean
    return clean + noise * np.random.default_rng(seed).standard_normal(length)
