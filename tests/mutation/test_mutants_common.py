"""Tests that kill mutants of convdoc/plans/_common.py (tests/MUTANTS.md).

Oracles: ``numpy.pad`` (zero padding), ``numpy.isfinite`` (finiteness), Python's exact
integers (rounding and wrapping), ``numpy.finfo`` and powers of two worked by hand
(the bound of ``sums_fit``), and the rates written in ``gemm_seconds``' docstring.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from convdoc.plans import _common

# --- scratch -----------------------------------------------------------------------


def test_scratch_hands_back_the_same_array_for_the_same_size() -> None:
    f8 = np.dtype(np.float64)
    a = _common.scratch("common.same", (4, 6), f8)
    b = _common.scratch("common.same", (6, 4), f8)  # 24 elements again: no new array
    assert b.shape == (6, 4) and np.shares_memory(a, b)


def test_scratch_keeps_an_array_of_exactly_scratch_bytes() -> None:
    # "Arrays up to SCRATCH_BYTES are kept": 8 MiB of float64 is 2**20 elements.
    f8 = np.dtype(np.float64)
    n = _common.SCRATCH_BYTES // 8
    assert n == 1 << 20
    first = _common.scratch("common.edge", (n,), f8)
    assert np.shares_memory(first, _common.scratch("common.edge", (2, n // 2), f8))
    past = _common.scratch("common.past", (n + 1,), f8)
    assert not np.shares_memory(past, _common.scratch("common.past", (n + 1,), f8))


def test_scratch_in_a_new_thread_starts_its_own_arrays() -> None:
    # The first call on a thread finds no arrays there: it makes them, then reuses them.
    seen: list[bool] = []

    def first_calls() -> None:
        a = _common.scratch("common.thread", (3, 3), np.dtype(np.float32))
        b = _common.scratch("common.thread", (9,), np.dtype(np.float32))
        seen.append(a.shape == (3, 3) and b.shape == (9,) and np.shares_memory(a, b))

    t = threading.Thread(target=first_calls)
    t.start()
    t.join()
    assert seen == [True]


# --- gemm_seconds --------------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "seconds"), [
    # "about 40e9 float32 and 20e9 float64 multiply-adds a second; complex products do
    # four real ones each": 1e9 of them take 1/40, 1/20, 4/40 and 4/20 s.
    (np.float16, 0.025),  # at most 4 bytes: the float32 rate
    (np.float32, 0.025),
    (np.float64, 0.05),
    (np.complex64, 0.1),
    (np.complex128, 0.2),
])
def test_gemm_seconds_are_the_documented_rates(dtype, seconds) -> None:
    assert _common.gemm_seconds(1e9, np.dtype(dtype)) == pytest.approx(seconds, rel=1e-12)


# --- fft_work_dtype ------------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "work"), [
    (np.bool_, np.float64), (np.int8, np.float64), (np.uint16, np.float64),
    (np.int64, np.float64), (np.float16, np.float32), (np.float32, np.float32),
    (np.float64, np.float64), (np.complex64, np.complex64), (np.complex128, np.complex128),
])
def test_fft_work_dtype_is_the_documented_one(dtype, work) -> None:
    assert _common.fft_work_dtype(np.dtype(dtype)) == np.dtype(work)


# --- round_to_int --------------------------------------------------------------------


def _wrapped(v: float, dtype) -> int:
    """NumPy's integer wrapping of the exact integer nearest ``v`` (ties to even)."""
    info = np.iinfo(dtype)
    span = 1 << info.bits
    return (round(v) - info.min) % span + info.min


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.uint64])
def test_round_to_int_wraps_as_numpy_does(dtype) -> None:
    values = [1.4, -2.6, 2.5, -3.5, 0.0, 2.0**63, -(2.0**63), 2.0**63 + 2**11,
              2.0**64 + 2**12, 3 * 2.0**63, -(2.0**64) - 2**12, 2.0**70 + 2**20,
              -(2.0**90), 2.0**64, 2.0**63 - 2**10, -(2.0**63) - 2**11, -1000.5, 130.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a float-to-int cast out of range warns
        got = _common.round_to_int(np.array(values), np.dtype(dtype))
    assert got.dtype == dtype and got.flags.c_contiguous
    assert [int(g) for g in got] == [_wrapped(v, dtype) for v in values]


@pytest.mark.parametrize("values", [
    [2.0**63, 1.0, -5.0],  # the largest exactly 2**63: already past int64
    [2.0**63 + 2**11, -7.0, 300.0],  # between 2**63 and 2**64
])
def test_round_to_int_wraps_just_past_int64(values) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _common.round_to_int(np.array(values), np.dtype(np.int64))
    assert [int(g) for g in got] == [_wrapped(v, np.int64) for v in values]


def test_round_to_int_of_small_values_is_the_nearest_integer() -> None:
    values = np.array([[0.5, 1.5, -0.5], [7.49, -7.51, 1e15 + 0.5]])
    got = _common.round_to_int(values, np.dtype(np.int64))
    assert got.shape == (2, 3)
    assert got.tolist() == [[0, 2, 0], [7, -8, 1000000000000000]]


def test_round_to_int_of_nothing_is_empty() -> None:
    got = _common.round_to_int(np.zeros((0, 3)), np.dtype(np.int16))
    assert got.shape == (0, 3) and got.dtype == np.int16


# --- all_finite ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 4096, 4097, 10000])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf, "both", "overflow"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_all_finite_is_numpys_isfinite(size, bad, dtype) -> None:
    a = np.linspace(-1.0, 1.0, size).astype(dtype)
    if bad == "both":  # inf + -inf in the sum: NaN
        a[1], a[-1] = np.inf, -np.inf
    elif bad == "overflow":  # every value finite, the sum is not
        a[:] = np.finfo(dtype).max / 2
    elif bad is not None:
        a[size // 2] = bad
    a = a.reshape(-1, size // 5 if size % 5 == 0 else 1)  # 2-D: every axis must be read
    expected = bool(np.isfinite(a).all())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # silently
        assert _common.all_finite(a) is expected


def test_all_finite_reads_the_imaginary_part() -> None:
    a = np.zeros(5000, np.complex64)
    a[7] = complex(0, np.inf)
    assert _common.all_finite(a) is False
    assert _common.all_finite(a[:5]) is True


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_integers_are_always_finite(dtype) -> None:
    assert _common.all_finite(np.ones(5000, dtype)) is True


# --- zero_pad ------------------------------------------------------------------------


@pytest.mark.parametrize("pad", [((1, 0), (0, 0)), ((0, 0), (0, 2)), ((0, 3), (2, 0)),
                                 ((2, 1), (1, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int16])
def test_zero_pad_is_numpy_pad_of_the_last_axes(pad, dtype) -> None:
    rng = np.random.default_rng(3)
    arr = (rng.standard_normal((2, 3, 4, 5)) * 10).astype(dtype)
    got = _common.zero_pad(arr, pad)
    expected = np.pad(arr, ((0, 0), (0, 0), *pad))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_zero_pad_of_nothing_is_the_array_itself() -> None:
    arr = np.ones((3, 4))
    assert _common.zero_pad(arr, ((0, 0), (0, 0))) is arr


# --- sums_fit ------------------------------------------------------------------------


def test_sums_fit_against_a_quarter_of_the_largest_float64() -> None:
    # finfo(float64).max = (2**53 - 1) * 2**971, a quarter of it (2**53 - 1) * 2**969.
    f8 = np.dtype(np.float64)
    big = (2**53 - 1) * 2**969
    assert float(np.finfo(f8).max) / 4 == big
    x = np.array([1.0, 2.0**510, -3.0])
    assert _common.sums_fit(x, np.full(2, 2.0**510), f8)  # 2**1021 < big
    assert not _common.sums_fit(x, np.full(4, 2.0**510), f8)  # 2**1022 > big
    # (2**53 - 1) * 2**400 times 2**569 is big itself, not below it; times 2**568, half.
    exact = np.array([float(2**53 - 1) * 2.0**400])
    assert not _common.sums_fit(exact, np.array([2.0**569]), f8)
    assert _common.sums_fit(exact, np.array([2.0**568]), f8)


def test_sums_fit_just_below_a_quarter_of_the_largest_float64() -> None:
    # 7 * 2**509 * 2**510 = 0.875 * 2**1022: below big = 2**1022 - 2**969 (a quarter of
    # the largest float64), above a fifth of the largest (0.8 * 2**1022).
    f8 = np.dtype(np.float64)
    assert _common.sums_fit(np.array([7 * 2.0**509]), np.array([2.0**510]), f8)


def test_sums_fit_of_complex_samples_warns_nothing() -> None:
    x = np.array([3.0 + 4.0j, -1.0j])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complex taken as a float warns
        assert _common.sums_fit(x, np.ones(3), np.dtype(np.complex128))


def test_sums_fit_reads_the_most_negative_sample_and_tap() -> None:
    f8 = np.dtype(np.float64)
    x = np.array([-(2.0**511), 1.0])  # its largest value is 1, its largest magnitude 2**511
    assert not _common.sums_fit(x, np.full(4, 2.0**510), f8)
    assert not _common.sums_fit(np.array([1.0]), np.full(4, -(2.0**1020)), f8)
    assert _common.sums_fit(np.array([1.0]), np.full(4, -(2.0**1018)), f8)


def test_sums_fit_takes_complex_magnitudes() -> None:
    f8, c16 = np.dtype(np.float64), np.dtype(np.complex128)
    x = np.array([2.0**510 * 1j, 1.0])  # real parts 0 and 1; magnitude 2**510
    assert not _common.sums_fit(x, np.full(4, 2.0**510), c16)
    assert _common.sums_fit(x, np.full(2, 2.0**510), c16)
    w = np.full(4, 2.0**510 * 1j)
    assert not _common.sums_fit(np.array([2.0**510]), w, c16)
    assert _common.sums_fit(np.array([2.0**510]), w[:2], f8)


def test_sums_fit_against_a_quarter_of_the_largest_float32() -> None:
    # finfo(float32).max = (2**24 - 1) * 2**104: a quarter is (2**24 - 1) * 2**102.
    f4 = np.dtype(np.float32)
    x = np.array([2.0**62], np.float32)
    assert _common.sums_fit(x, np.full(2, 2.0**62, np.float32), f4)  # 2**125
    assert not _common.sums_fit(x, np.full(4, 2.0**62, np.float32), f4)  # 2**126


def test_sums_fit_always_for_integers_and_empty_operands() -> None:
    huge = np.array([2**62], np.int64)
    assert _common.sums_fit(huge, huge, np.dtype(np.int64))
    f8 = np.dtype(np.float64)
    assert _common.sums_fit(np.zeros(0), np.full(4, 2.0**1020), f8)
    assert _common.sums_fit(np.full(4, 2.0**1020), np.zeros((0, 3)), f8)
