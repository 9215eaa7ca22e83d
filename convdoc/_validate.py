"""Argument checkers shared by every public function.

Each checker either returns the cleaned value or raises :class:`TypeError` /
:class:`ValueError` with a message that names the parameter and repeats the
offending value, so a reader of the traceback knows exactly which argument to
fix. The checkers are deliberately generic; modules add their own rules on top.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "MAX_BYTES",
    "as_array",
    "check_bytes",
    "check_ndim",
    "choice",
    "fill_dtype",
    "fill_value",
    "finite_real",
    "flag",
    "groups_of",
    "nonneg_int",
    "number",
    "per_axis",
    "positive_int",
    "positive_real",
    "scalar",
]

# Booleans, signed/unsigned integers, floats and complex numbers.
_NUMERIC_KINDS = frozenset("biufc")


def _show(value: Any) -> str:
    """Short repr of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_array(x: Any, name: str) -> np.ndarray:
    """Convert ``x`` to a non-empty numeric array without copying when possible.

    Parameters
    ----------
    x : array_like
        Value to convert.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    numpy.ndarray
        ``numpy.asarray(x)``. The caller must not write into it: it may be the
        caller's own array.

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, dates; bool is accepted).
    ValueError
        If ``x`` is ragged or has no elements.

    Examples
    --------
    >>> as_array([1, 2, 3], "x").dtype.kind
    'i'
    >>> as_array([], "x")
    Traceback (most recent call last):
    ...
    ValueError: x must not be empty, got array of shape (0,)
    """
    if type(x) is np.ndarray:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name} must be a rectangular numeric array, got {_show(x)}") from exc
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold numbers (bool, int, float or complex), "
            f"got dtype {arr.dtype} from {_show(x)}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got array of shape {arr.shape}")
    return arr


def check_ndim(arr: np.ndarray, name: str, allowed: int | Sequence[int]) -> np.ndarray:
    """Check that ``arr`` has one of the allowed numbers of dimensions.

    Parameters
    ----------
    arr : numpy.ndarray
        Array to check.
    name : str
        Parameter name used in error messages.
    allowed : int or sequence of int
        Accepted values of ``arr.ndim``.

    Returns
    -------
    numpy.ndarray
        ``arr`` unchanged.

    Raises
    ------
    ValueError
        If ``arr.ndim`` is not allowed.

    Examples
    --------
    >>> import numpy as np
    >>> check_ndim(np.zeros((2, 2, 2)), "x", (1, 2))
    Traceback (most recent call last):
    ...
    ValueError: x must be 1-D or 2-D, got a 3-D array of shape (2, 2, 2)
    """
    options = (allowed,) if isinstance(allowed, int) else tuple(allowed)
    if arr.ndim not in options:
        wanted = " or ".join(f"{n}-D" for n in options)
        raise ValueError(f"{name} must be {wanted}, got a {arr.ndim}-D array of shape {arr.shape}")
    return arr


#: Largest size, stride, padding or dilation accepted: NumPy indexes with intp.
INDEX_MAX = int(np.iinfo(np.intp).max)


def scalar(value: Any) -> Any:
    """The element of a 0-d array (``np.array(3)``), anything else unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _integer(value: Any, name: str, what: str, maximum: int | None = INDEX_MAX) -> int:
    value = scalar(value)
    # bool is an int subclass, but stride=True is always a mistake.
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {_show(value)}")
    result = int(value)
    if maximum is not None and result > maximum:
        raise ValueError(f"{name} must be {what} at most {maximum}, got {_show(result)}")
    return result


def positive_int(value: Any, name: str, maximum: int | None = INDEX_MAX) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 1.

    Parameters
    ----------
    value : int
        Value to check. Python and NumPy integers and 0-d integer arrays are
        accepted; bool and float are not, even when integral (``2.0``).
    name : str
        Parameter name used in error messages.
    maximum : int or None, optional
        Largest accepted value; by default the largest NumPy index
        (``2**63 - 1`` on 64-bit machines), ``None`` for no bound.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` < 1 or ``value`` > ``maximum``.

    Examples
    --------
    >>> positive_int(0, "stride")
    Traceback (most recent call last):
    ...
    ValueError: stride must be a positive integer, got 0
    """
    result = _integer(value, name, "a positive integer", maximum)
    if result < 1:
        raise ValueError(f"{name} must be a positive integer, got {result}")
    return result


def nonneg_int(value: Any, name: str, maximum: int | None = INDEX_MAX) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 0.

    Parameters
    ----------
    value : int
        Value to check (0-d integer arrays accepted, bool and float rejected).
    name : str
        Parameter name used in error messages.
    maximum : int or None, optional
        As for :func:`positive_int`.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` < 0 or ``value`` > ``maximum``.

    Examples
    --------
    >>> nonneg_int(-1, "padding")
    Traceback (most recent call last):
    ...
    ValueError: padding must be a non-negative integer, got -1
    """
    result = _integer(value, name, "a non-negative integer", maximum)
    if result < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {result}")
    return result


def groups_of(value: Any, channels: Sequence[tuple[str, int]]) -> int:
    """Return ``groups`` as an ``int`` if it is a positive integer dividing every channel count.

    Parameters
    ----------
    value : int
        The ``groups`` argument of a convolution layer (NumPy integers and 0-d
        integer arrays accepted, bool and float rejected, as for
        :func:`positive_int`).
    channels : sequence of (str, int)
        ``(description, count)`` of each channel count ``groups`` must divide,
        such as ``("the input channels C_in of x (shape (6, 9))", 6)``.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` < 1, or a channel count is not a multiple of it.

    Examples
    --------
    >>> groups_of(2, [("the input channels C_in", 3)])
    Traceback (most recent call last):
    ...
    ValueError: groups=2 must divide the input channels C_in, got 3 (not a multiple of 2)
    """
    groups = positive_int(value, "groups")
    for what, count in channels:
        if count % groups:
            raise ValueError(
                f"groups={groups} must divide {what}, got {count} (not a multiple of {groups})"
            )
    return groups


def per_axis(
    value: Any,
    name: str,
    ndim: int,
    check: Callable[[Any, str], int],
) -> tuple[int, ...]:
    """Expand a scalar or per-axis sequence to a checked tuple of length ``ndim``.

    Parameters
    ----------
    value : int or sequence of int
        One value for every axis (a 0-d array counts as one value), or one
        per axis.
    name : str
        Parameter name used in error messages; item ``i`` is reported as
        ``name[i]``.
    ndim : int
        Number of axes.
    check : callable
        ``check(item, item_name)`` validating one item, such as
        :func:`positive_int`.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError, ValueError
        If the sequence has the wrong length, or from ``check``.

    Examples
    --------
    >>> per_axis(2, "stride", 2, positive_int)
    (2, 2)
    >>> per_axis((1, 0), "stride", 2, positive_int)
    Traceback (most recent call last):
    ...
    ValueError: stride[1] must be a positive integer, got 0
    """
    if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim > 0):
        items = list(value)
        if len(items) != ndim:
            raise ValueError(
                f"{name} must be an integer or a sequence of {ndim} integers, got {_show(value)}"
            )
        return tuple(check(item, f"{name}[{i}]") for i, item in enumerate(items))
    single = check(value, name)
    return (single,) * ndim


def choice(value: Any, name: str, options: Sequence[str]) -> str:
    """Check that ``value`` is one of the allowed option strings.

    Parameters
    ----------
    value : str
        Value to check.
    name : str
        Parameter name used in error messages.
    options : sequence of str
        Accepted values.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not a string.
    ValueError
        If ``value`` is not in ``options``.

    Examples
    --------
    >>> choice("same", "mode", ("full", "same", "valid"))
    'same'
    >>> choice("middle", "mode", ("full", "same", "valid"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'full', 'same', 'valid', got 'middle'
    """
    if isinstance(value, str) and value in options:
        return value
    listed = ", ".join(repr(option) for option in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {listed}, got {_show(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {listed}, got {_show(value)}")
    return value


def flag(value: Any, name: str) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False``.

    Parameters
    ----------
    value : bool
        Value to check; ``numpy.bool_`` is accepted, ``0``, ``1`` and strings are not.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``value`` is not a bool.

    Examples
    --------
    >>> flag("yes", "grey")
    Traceback (most recent call last):
    ...
    TypeError: grey must be True or False, got 'yes'
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def number(value: Any, name: str) -> complex | float | int:
    """Check that ``value`` is a single real or complex number (not bool).

    Parameters
    ----------
    value : int, float or complex
        Value to check; NumPy scalars and 0-D arrays are accepted.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    int, float or complex
        The value as a Python scalar.

    Raises
    ------
    TypeError
        If ``value`` is not a number.

    Examples
    --------
    >>> number(0.5, "fillvalue")
    0.5
    >>> number("0", "fillvalue")
    Traceback (most recent call last):
    ...
    TypeError: fillvalue must be a number, got '0'
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Number):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    return value.item() if isinstance(value, np.generic) else value


def finite_real(value: Any, name: str) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number.

    Parameters
    ----------
    value : int or float
        Value to check; NumPy scalars are accepted, bool and complex are not.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is NaN or infinite.

    Examples
    --------
    >>> finite_real(2, "noise")
    2.0
    >>> finite_real(float("nan"), "noise")
    Traceback (most recent call last):
    ...
    ValueError: noise must be a finite real number, got nan
    """
    value = scalar(value)
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
    try:
        result = float(value)
    except OverflowError:  # a Python int beyond float range (10**400)
        raise ValueError(
            f"{name} must be a finite real number, got {_show(value)} (too large for a float)"
        ) from None
    if not np.isfinite(result):
        raise ValueError(f"{name} must be a finite real number, got {_show(result)}")
    return result


def positive_real(value: Any, name: str) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number > 0.

    Parameters
    ----------
    value : int or float
        Value to check (bool and complex rejected).
    name : str
        Parameter name used in error messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is not finite or not > 0.

    Examples
    --------
    >>> positive_real(0, "sigma")
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a positive real number, got 0.0
    """
    result = finite_real(value, name)
    if result <= 0:
        raise ValueError(f"{name} must be a positive real number, got {_show(result)}")
    return result


# Number types a fill value may have: NumPy casts these exactly as it casts
# arrays (a Decimal or Fraction would silently become an object array).
_FILL_TYPES = (int, float, complex, np.integer, np.floating, np.complexfloating)
# Integer dtypes from the smallest up, signed before unsigned of the same size.
_INT_DTYPES = tuple(
    np.dtype(t)
    for t in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64)
)


def fill_dtype(dtype: Any, fill: int | float | complex) -> np.dtype:
    """Dtype an array of ``dtype`` takes so that it holds ``fill`` too (the project's rule).

    Integers stay integers when they can: a fill the dtype cannot hold moves
    to the smallest integer dtype holding both (``300`` next to ``int8``
    gives ``int16``). A float fill next to integers or bools gives float64
    (not NumPy's smallest float, so ``0.5`` next to ``uint8`` is not
    float16), next to floats the float dtype is kept, as in ``x + 0.5``. A
    complex fill next to real numbers gives complex128.

    Parameters
    ----------
    dtype : numpy.dtype
        Dtype of the values the fill joins.
    fill : int, float or complex
        A fill value as returned by :func:`fill_value`.

    Returns
    -------
    numpy.dtype
        Object dtype if no integer dtype holds an integer fill with ``dtype``.

    Examples
    --------
    >>> fill_dtype(np.uint8, 0.5), fill_dtype(np.int8, 300), fill_dtype(np.float32, 0.5)
    (dtype('float64'), dtype('int16'), dtype('float32'))
    """
    dtype = np.dtype(dtype)
    if fill == 0:
        return dtype
    if isinstance(fill, complex):
        return dtype if dtype.kind == "c" else np.result_type(dtype, np.complex128)
    if isinstance(fill, float):
        return np.dtype(np.float64) if dtype.kind in "biu" else dtype
    if dtype.kind in "biu":
        for candidate in _INT_DTYPES:
            info = np.iinfo(candidate)
            if np.can_cast(dtype, candidate) and info.min <= fill <= info.max:
                return candidate
        return np.dtype(object)
    return dtype


def fill_value(value: Any, name: str, dtype: Any) -> int | float | complex:
    """Check a fill value for data of ``dtype`` and return it as a Python number.

    As :func:`scipy.signal.convolve2d` takes its ``fillvalue``: one number,
    or an array or list holding exactly one. Unlike SciPy, a value the data's
    dtype cannot hold promotes the result (see :func:`fill_dtype`) instead of
    being truncated; values no dtype can hold exactly raise.

    Parameters
    ----------
    value : int, float, complex, or array_like with one element
        The fill value.
    name : str
        Parameter name used in error messages.
    dtype : numpy.dtype
        Dtype of the result the fill joins (``numpy.result_type(x, kernel)``).

    Returns
    -------
    int, float or complex

    Raises
    ------
    TypeError
        If ``value`` is not a number (a string, None, a bool).
    ValueError
        If ``value`` holds no or several elements; is a number NumPy would
        keep as an object (``Decimal``, ``Fraction``); is complex next to real
        data (as SciPy); is an integer beyond every integer dtype next to
        integer data (``2**70``, or ``2**63`` next to int64: the result would
        no longer be exact); or is an integer too large for a float next to
        float data (``10**400``).

    Examples
    --------
    >>> fill_value([3], "fillvalue", np.int64)
    3
    >>> fill_value(1j, "fillvalue", np.float64)
    Traceback (most recent call last):
    ...
    ValueError: fillvalue must be real for real inputs (dtype float64), got 1j
    """
    dtype = np.dtype(dtype)
    if isinstance(value, list | tuple | np.ndarray):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name} must be one number, got {_show(value)}") from exc
        if arr.size != 1:
            raise ValueError(
                f"{name} must be one number (or an array with one element), got {_show(value)}"
            )
        value = arr.reshape(-1)[0]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Number):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    if not isinstance(value, _FILL_TYPES):
        raise ValueError(
            f"{name} must be an int, float or complex number, got {_show(value)} "
            f"of type {type(value).__name__}"
        )
    if isinstance(value, np.complexfloating):
        value = complex(value)
    elif isinstance(value, np.floating):
        value = float(value)
    elif isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, complex) and dtype.kind != "c":
        raise ValueError(f"{name} must be real for real inputs (dtype {dtype}), got {_show(value)}")
    if isinstance(value, int):
        if dtype.kind in "biu":
            promoted = fill_dtype(dtype, value)
            if promoted.kind not in "biu":
                raise ValueError(
                    f"{name} must fit an integer dtype together with the inputs' {dtype} "
                    f"(integer results stay exact), got {_show(value)}"
                )
        else:
            try:
                float(value)
            except OverflowError:
                raise ValueError(
                    f"{name} must be within the float range for inputs of dtype {dtype}, "
                    f"got {_show(value)}"
                ) from None
    return value


#: Largest array any convdoc call allocates (4 GiB). A request needing more is
#: refused up front with a ValueError saying how much it would need, instead of
#: a MemoryError (or the machine swapping) halfway through.
MAX_BYTES = 1 << 32


def _size(nbytes: int) -> str:
    if nbytes >= 1 << 1000:  # beyond a float: give the order of magnitude
        return f"about 10**{len(str(nbytes)) - 1} bytes"
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} bytes"


def check_bytes(nbytes: int, what: str) -> None:
    """Refuse an allocation above :data:`MAX_BYTES`, saying how much it would need.

    Parameters
    ----------
    nbytes : int
        Size of the array about to be allocated (a Python int: it may exceed
        any machine integer).
    what : str
        What the array is, for the message ("the output of shape (10**9,)").

    Raises
    ------
    ValueError
        If ``nbytes`` > :data:`MAX_BYTES`.

    Examples
    --------
    >>> check_bytes(8 * 10**9, "the padded input")
    Traceback (most recent call last):
    ...
    ValueError: the padded input would need 7.45 GiB, more than convdoc's limit of 4 GiB per array
    """
    if nbytes > MAX_BYTES:
        raise ValueError(
            f"{what} would need {_size(nbytes)}, more than convdoc's limit of "
            f"{_size(MAX_BYTES)} per array"
        )
