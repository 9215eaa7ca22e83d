"""convdoc._validate: every message names the parameter and the value (tests/MUTANTS.md).

Oracles: the documented error contract (the parameter's name and the offending
value, its ``repr`` cut to 57 characters and ``...`` beyond 60), sizes worked by
hand (``2**1000`` bytes has 302 digits; 1536 bytes is 1.5 KiB), SciPy's
:func:`scipy.signal.correlate2d` with a fill value, and ``numpy.pad``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc import _validate
from convdoc._validate import check_bytes, check_ndim, fill_dtype, flag, number
from convdoc.engine import extend
from convdoc.waveforms import noisy_sine

# ------------------------------------------------------------- values in messages


@pytest.mark.parametrize("length", [58, 59, 60])
def test_a_bad_value_is_shown_whole_up_to_60_characters(length: int) -> None:
    # repr adds two quotes: a string of 58 letters is shown in 60 characters.
    mode = "m" * (length - 2)
    with pytest.raises(ValueError, match=rf", got '{mode}'$"):
        convdoc.correlate([1.0], [1.0], mode)


@pytest.mark.parametrize("length", [61, 62, 200])
def test_a_longer_value_is_cut_to_57_characters_and_an_ellipsis(length: int) -> None:
    mode = "m" * (length - 2)
    shown = ("'" + mode)[:57] + "..."
    with pytest.raises(ValueError, match=rf", got {re.escape(shown)}$"):
        convdoc.correlate([1.0], [1.0], mode)


def test_a_non_finite_real_is_named_with_its_value() -> None:
    with pytest.raises(ValueError, match=r"^noise must be a finite real number, got nan$"):
        noisy_sine(noise=float("nan"))
    with pytest.raises(ValueError, match=r"^noise must be a finite real number, got -inf$"):
        noisy_sine(noise=-np.inf)


def test_an_integer_beyond_float_range_is_named_with_its_digits() -> None:
    # 10**400 is a 1 followed by 400 zeros: shown as its first 57 digits and "...".
    shown = "1" + "0" * 56 + "..."
    with pytest.raises(
        ValueError,
        match=rf"^noise must be a finite real number, got {re.escape(shown)} "
        r"\(too large for a float\)$",
    ):
        noisy_sine(noise=10**400)


# ----------------------------------------------------------------- sizes in words


SIZES = [
    # 2**1000 has 302 decimal digits (1000 * log10(2) = 301.03): about 10**301.
    (2**1000, "about 10**301 bytes"),
    (10**400, "about 10**400 bytes"),
    # One below 2**1000 is still a float: 2**1000 / 2**40 = 2**960 = 9.745e+288.
    (2**1000 - 1, "9.75e+288 TiB"),
    (2**40, "1 TiB"),
    (2**40 - 1, "1.02e+03 GiB"),  # (2**40 - 1) / 2**30 rounds to 1024
    (5 * 2**30, "5 GiB"),
    (3 * 2**20, "3 MiB"),
    (2**20, "1 MiB"),
    (1536, "1.5 KiB"),
    (1024, "1 KiB"),
    (1023, "1023 bytes"),
    (5, "5 bytes"),
]


@pytest.mark.parametrize(("nbytes", "words"), SIZES, ids=[words for _, words in SIZES])
def test_check_bytes_gives_the_size_in_the_largest_unit_that_fits(
    monkeypatch: pytest.MonkeyPatch, nbytes: int, words: str
) -> None:
    # With the limit set to 4 bytes every size above is refused and put into words;
    # the limit itself is then "4 bytes".
    monkeypatch.setattr(_validate, "MAX_BYTES", 4)
    message = rf"^the grid would need {re.escape(words)}, more than convdoc's limit of 4 bytes"
    with pytest.raises(ValueError, match=message):
        check_bytes(nbytes, "the grid")


def test_check_bytes_accepts_the_limit_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_validate, "MAX_BYTES", 1024)
    check_bytes(1024, "the grid")
    with pytest.raises(ValueError, match=r"would need 1 KiB, more than .* of 1 KiB per array$"):
        check_bytes(1025, "the grid")


# ------------------------------------------------------------ fills and their dtype


def test_a_complex_fill_keeps_complex64_data_in_complex64() -> None:
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((4, 5)) + 1j * rng.standard_normal((4, 5))).astype(np.complex64)
    k = (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(np.complex64)
    fill = 0.5 - 2j
    expected = signal.correlate2d(x, k, "full", fillvalue=fill)
    got = convdoc.correlate(x, k, "full", fillvalue=fill)
    assert expected.dtype == np.complex64
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    grown = extend(x, ((1, 1), (2, 0)), "constant", fillvalue=fill)
    assert grown.dtype == np.complex64
    np.testing.assert_array_equal(grown, np.pad(x, ((1, 1), (2, 0)), constant_values=fill))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.uint64, np.bool_])
def test_fill_dtype_a_complex_fill_next_to_real_numbers_gives_complex128(dtype) -> None:
    # The documented rule of fill_dtype (the public functions refuse a complex fill
    # next to real data before they ask it).
    assert fill_dtype(dtype, 1j) == np.complex128


def test_boolean_data_with_an_integer_fill_are_counted_as_integers() -> None:
    # fill_dtype's rule: booleans join the integers, and a non-zero integer fill
    # moves them to the smallest integer dtype holding both (int8). Extended by hand:
    # [1, 1, 0, 1] and [1, 0, 1, 1]; correlated with [1, 1], sums of neighbours.
    x = np.array([True, False])
    grown = extend(x, ((1, 1),), "constant", fillvalue=1)
    assert grown.dtype == np.int8
    np.testing.assert_array_equal(grown, [1, 1, 0, 1])
    got = convdoc.correlate(x, np.array([True, True]), "full", fillvalue=1)
    np.testing.assert_array_equal(got, [2, 1, 1])
    assert got.dtype.kind == "i"


# ------------------------------------------------------ number and flag, by contract


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (0.5, 0.5),
        (2 - 1j, 2 - 1j),
        (np.int16(-7), -7),
        (np.float32(0.25), 0.25),
        (np.complex64(1 + 2j), 1 + 2j),
        (np.array(2.5), 2.5),
        (np.array(4, dtype=np.uint8), 4),
    ],
)
def test_number_returns_a_python_scalar(value, expected) -> None:
    got = number(value, "bias")
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("value", ["0", True, np.True_, None, [1.0], np.array([1.0, 2.0])])
def test_number_refuses_what_is_not_one_number_naming_it(value) -> None:
    with pytest.raises(TypeError, match=rf"^bias must be a number, got {re.escape(repr(value))}$"):
        number(value, "bias")


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False),
                                                 (np.True_, True), (np.False_, False)])
def test_flag_returns_the_python_bool(value, expected: bool) -> None:
    got = flag(value, "grey")
    assert got is expected


@pytest.mark.parametrize("value", [1, 0, "yes", None, np.int8(1)])
def test_flag_refuses_anything_but_a_bool_naming_it(value) -> None:
    shown = re.escape(repr(value))
    with pytest.raises(TypeError, match=rf"^grey must be True or False, got {shown}$"):
        flag(value, "grey")


@pytest.mark.parametrize(
    ("dtype", "fill"),
    [
        (np.int8, -128),
        (np.int8, 127),
        (np.uint8, 255),
        (np.int64, -(2**63)),
        (np.int64, 2**63 - 1),
        (np.uint64, 2**64 - 1),
    ],
)
def test_a_fill_at_either_end_of_the_dtypes_range_keeps_the_dtype(dtype, fill: int) -> None:
    # The dtype holds the fill exactly (numpy.iinfo's bounds are inclusive): no
    # promotion; int64's and uint64's ends have nowhere to go, so a promotion
    # would refuse the fill.
    x = np.array([1, 2, 3], dtype=dtype)
    grown = extend(x, ((2, 1),), "constant", fillvalue=fill)
    expected = np.pad(x, (2, 1), constant_values=fill)
    assert expected.dtype == dtype
    assert grown.dtype == dtype
    np.testing.assert_array_equal(grown, expected)
    # The same fill through correlate, worked by hand: in mode "full" the kernel
    # [0, 1] reads the second cell of each window of [fill, 1, 2, 3, fill], which
    # gives the input followed by the fill.
    got = convdoc.correlate(x, np.array([0, 1], dtype=dtype), "full", fillvalue=fill)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.array([1, 2, 3, fill], dtype=dtype))


@pytest.mark.parametrize(("dtype", "fill"), [(np.int64, 2**63), (np.uint64, -1), (np.int8, 2**64)])
def test_fill_dtype_gives_object_when_no_integer_dtype_holds_both(dtype, fill: int) -> None:
    # Documented: "Object dtype if no integer dtype holds an integer fill with dtype".
    assert fill_dtype(dtype, fill) == np.dtype(object)


# ------------------------------------------------------------- shapes and fills


def test_check_ndim_takes_one_allowed_number_of_dimensions() -> None:
    # "allowed : int or sequence of int": a single int is one allowed value.
    image = np.zeros((2, 3))
    assert check_ndim(image, "image", 2) is image
    with pytest.raises(ValueError, match=r"^image must be 2-D, got a 1-D array of shape \(3,\)$"):
        check_ndim(np.zeros(3), "image", 2)


@pytest.mark.parametrize("fill", [[[1], [1, 2]], ([1.0], [2.0, 3.0])])
def test_a_ragged_fill_is_named_with_its_value(fill) -> None:
    shown = re.escape(repr(fill))
    with pytest.raises(ValueError, match=rf"^fillvalue must be one number, got {shown}$"):
        convdoc.correlate([1.0, 2.0], [1.0], fillvalue=fill)


def test_a_ragged_input_is_named_with_its_value() -> None:
    with pytest.raises(
        ValueError, match=r"^x must be a rectangular numeric array, got \[\[1, 2\], \[3\]\]$"
    ):
        convdoc.correlate([[1, 2], [3]], [[1]])


def test_a_non_numeric_input_is_named_with_its_dtype_and_value() -> None:
    with pytest.raises(
        TypeError,
        match=r"^kernel must hold numbers \(bool, int, float or complex\), "
        r"got dtype <U1 from \['a', 'b'\]$",
    ):
        convdoc.correlate([1.0, 2.0], ["a", "b"])
