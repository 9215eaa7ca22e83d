"""The signal-processing face: :func:`convolve` and :func:`correlate`.

Both return what :func:`scipy.signal.convolve` and :func:`scipy.signal.correlate`
return (same values, shape and dtype, including the ``"same"`` alignment for
even kernels and the ``"valid"`` swap rule), and add a ``boundary`` rule for
what lies beyond the ends of the input. They run on :mod:`convdoc.engine`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from convdoc import engine
from convdoc._validate import as_array, check_ndim, choice, fill_value
from convdoc.plans import planner
from convdoc.plans._common import all_finite

__all__ = ["MODES", "convolve", "correlate", "signal_pad"]

#: Output sizes, as in :func:`scipy.signal.convolve`.
MODES = ("full", "same", "valid")


def signal_pad(k: int, mode: str) -> tuple[int, int]:
    """Cells added before and after the input along one axis, for a kernel of length ``k``.

    ``"full"`` adds ``k - 1`` on each side so that every partial overlap is
    kept. ``"same"`` keeps the centre ``n`` samples of the full result the way
    SciPy does, which adds ``k // 2`` before and ``(k - 1) // 2`` after (for an
    even kernel the extra cell goes before). ``"valid"`` adds nothing.

    Parameters
    ----------
    k : int
        Kernel length along the axis.
    mode : {"full", "same", "valid"}
        Output size.

    Returns
    -------
    tuple of int
        ``(before, after)``.

    Examples
    --------
    >>> signal_pad(4, "same")
    (2, 1)
    """
    if mode == "full":
        return (k - 1, k - 1)
    if mode == "same":
        return (k // 2, (k - 1) // 2)
    return (0, 0)


def _check(
    x: Any, kernel: Any, mode: Any, boundary: Any, fillvalue: Any, method: Any
) -> tuple[np.ndarray, np.ndarray, Any]:
    x = check_ndim(as_array(x, "x"), "x", (1, 2))
    kernel = check_ndim(as_array(kernel, "kernel"), "kernel", (1, 2))
    if x.ndim != kernel.ndim:
        raise ValueError(
            f"x and kernel must have the same number of dimensions, got x of shape {x.shape} "
            f"and kernel of shape {kernel.shape}"
        )
    choice(mode, "mode", MODES)
    choice(boundary, "boundary", engine.BOUNDARIES)
    choice(method, "method", engine.METHODS)
    return x, kernel, fill_value(fillvalue, "fillvalue", np.result_type(x, kernel))


def _numpy_call(
    x: np.ndarray, kernel: np.ndarray, mode: str, boundary: str, fillvalue: Any, method: str
) -> bool:
    """Whether a checked 1-D call is one that numpy.convolve/correlate answers as is.

    Then the engine would run its numpy.correlate plan: unpriced for small
    calls (:func:`convdoc.plans.planner.numpy_direct_1d`), or priced and chosen
    for larger ones (:func:`convdoc.plans.planner.numpy_plain_1d`). SciPy's 1-D
    direct method is the same NumPy call: calling it here skips the engine's
    plumbing, which costs more than the sum for signals of a few hundred
    samples and a fifth of it for ten thousand, and gives SciPy's bits. (Two
    booleans take the engine's OR-of-ANDs path.)
    """
    if not (
        x.ndim == 1
        and method != "fft"
        and boundary == "constant"
        and fillvalue == 0
        and (mode != "same" or x.size >= kernel.size)
        and not x.dtype.kind == kernel.dtype.kind == "b"
    ):
        return False
    n, k = x.size, kernel.size
    if mode == "valid":
        # The engine slides the shorter of the two over the longer (SciPy's swap).
        n, k = max(n, k), min(n, k)
    n_out = n + k - 1 if mode == "full" else n if mode == "same" else n - k + 1
    if planner.numpy_direct_1d(n, k, n_out):
        return True
    # Larger calls: the planner's full answer (for a signal at least as long as the
    # kernel; taps that are not finite take numpy.convolve on either route, as SciPy).
    if x.size < kernel.size:
        return False
    pad = (signal_pad(kernel.size, mode),)
    return planner.numpy_plain_1d(x[None], kernel[None, None], pad, method)


def _reverse(a: np.ndarray) -> np.ndarray:
    return a[(slice(None, None, -1),) * a.ndim]


def _convolve(
    x: np.ndarray, kernel: np.ndarray, mode: str, boundary: str, fillvalue: Any, method: str
) -> np.ndarray:
    """Checked convolution: correlate the extended input with the reversed kernel."""
    if mode == "valid":
        x_big = all(n >= k for n, k in zip(x.shape, kernel.shape, strict=True))
        k_big = all(k >= n for n, k in zip(x.shape, kernel.shape, strict=True))
        if not (x_big or k_big):
            raise ValueError(
                "in 'valid' mode one of x and kernel must be at least as large as the other "
                f"along every axis, got x of shape {x.shape} and kernel of shape {kernel.shape}"
            )
        if not x_big:
            # Convolution commutes; SciPy slides the smaller array over the larger.
            x, kernel = kernel, x
    if (
        x.ndim == 1
        and method != "fft"
        and boundary == "constant"
        and fillvalue == 0
        and (mode == "full" or (mode == "same" and x.size >= kernel.size))
        and not all_finite(kernel)
    ):
        # SciPy's 1-D direct method is numpy.convolve, which never multiplies the
        # zeros beyond the ends: an infinite tap leaves the edges finite there
        # (its n-D method, and the engine's zero padding, give 0 * inf = NaN).
        return np.convolve(x, kernel, mode)
    pad = tuple(signal_pad(k, mode) for k in kernel.shape)
    ones = (1,) * x.ndim
    # Arguments are checked: call the engine's unchecked entry point, which keeps
    # small calls as cheap as scipy.signal.convolve's.
    out = engine._padded(
        x[None], _reverse(kernel)[None, None], pad, boundary, fillvalue, ones, ones, method
    )[0]
    if method == "fft" and not np.isfinite(out.flat[0]):
        # SciPy's warning, on SciPy's condition (the first output only); stacklevel
        # 3 points at the line that called convolve or correlate.
        warnings.warn(
            "Use of fft convolution on input with NAN or inf results in NAN or inf output. "
            "Consider using method='direct' instead.",
            category=RuntimeWarning,
            stacklevel=3,
        )
    return out


def convolve(
    x: Any,
    kernel: Any,
    mode: str = "full",
    *,
    boundary: str = "constant",
    fillvalue: Any = 0,
    method: str = "auto",
) -> np.ndarray:
    r"""Convolve a 1-D signal or 2-D image with a kernel.

    Computes :math:`y[n] = \sum_m x[m]\,h[n - m]` (and its 2-D analogue):
    the kernel is flipped, then slid across the input. With the default
    boundary the result equals :func:`scipy.signal.convolve`.

    Parameters
    ----------
    x : array_like
        Input signal (1-D) or image (2-D). Not modified.
    kernel : array_like
        Kernel with the same number of dimensions as ``x``.
    mode : {"full", "same", "valid"}, optional
        ``"full"``: every position where input and kernel overlap,
        ``n + k - 1`` samples. ``"same"``: the centre ``n`` samples of the
        full result (for an even kernel SciPy's choice of centre).
        ``"valid"``: only positions where the kernel lies wholly inside the
        input, ``n - k + 1`` samples; if the kernel is the larger array in
        every dimension the two are swapped, as SciPy does.
    boundary : {"constant", "edge", "reflect", "symmetric", "wrap"}, optional
        What the input is taken to be beyond its ends, with the names of
        :func:`numpy.pad`: ``fillvalue`` (``"constant"``), the end sample
        repeated, a mirror image without or with the end sample repeated, or
        a periodic continuation. Irrelevant in ``"valid"`` mode, which never
        reads beyond the ends. ``"wrap"`` and ``"symmetric"`` equal
        :func:`scipy.signal.convolve2d` with ``boundary="wrap"``/``"symm"``.
    fillvalue : int, float or complex, optional
        Value beyond the ends for ``boundary="constant"``: one number, or an
        array or list with one element (as SciPy). A value the result's dtype
        cannot hold promotes the result instead of being truncated as in
        SciPy: ``0.5`` next to integer inputs gives float64, ``300`` next to
        int8 inputs gives int16. A complex value needs a complex input or
        kernel; an integer no integer dtype holds exactly together with the
        inputs' dtype (``2**63`` next to int64) raises.
    method : {"auto", "direct", "fft"}, optional
        ``"direct"`` sums products; ``"fft"`` multiplies spectra, faster for
        long kernels but rounding integers through floats and spreading any
        NaN or infinity over the whole output (with SciPy's RuntimeWarning
        when the first output is not finite); ``"auto"`` estimates the
        fastest and uses the FFT only when it is exact enough (integers) and
        every input value is finite.

    Returns
    -------
    numpy.ndarray
        Dtype ``numpy.result_type(x, kernel)`` (integers stay exact, as in
        SciPy). NaN and infinity propagate as in NumPy arithmetic.

    Raises
    ------
    TypeError
        If an input is not numeric, an option is not a string or
        ``fillvalue`` is not a number.
    ValueError
        If an input is empty or not 1-D/2-D, the dimensions differ, an option
        is unknown, ``fillvalue`` is not one number the result can hold, or in
        ``"valid"`` mode neither array is at least as large
        as the other along every axis.

    See Also
    --------
    correlate : the same without flipping the kernel.
    scipy.signal.convolve, scipy.signal.convolve2d

    Examples
    --------
    >>> convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve([1, 2, 3], [1, 1], "same", boundary="edge")
    array([2, 3, 5])
    """
    x, kernel, fillvalue = _check(x, kernel, mode, boundary, fillvalue, method)
    if _numpy_call(x, kernel, mode, boundary, fillvalue, method):
        return np.convolve(x, kernel, mode)
    return _convolve(x, kernel, mode, boundary, fillvalue, method)


def correlate(
    x: Any,
    kernel: Any,
    mode: str = "full",
    *,
    boundary: str = "constant",
    fillvalue: Any = 0,
    method: str = "auto",
) -> np.ndarray:
    r"""Cross-correlate a 1-D signal or 2-D image with a kernel.

    Computes :math:`y[n] = \sum_m x[n + m]\,\overline{h[m]}` (indices shifted
    so that ``"full"`` starts at the first overlap): the kernel slides across
    the input without being flipped, conjugated if complex. This is
    :func:`convolve` with the kernel reversed and conjugated, and with the
    default boundary it equals :func:`scipy.signal.correlate`.

    Parameters
    ----------
    x : array_like
        Input signal (1-D) or image (2-D). Not modified.
    kernel : array_like
        Template with the same number of dimensions as ``x``.
    mode : {"full", "same", "valid"}, optional
        As for :func:`convolve`.
    boundary : {"constant", "edge", "reflect", "symmetric", "wrap"}, optional
        As for :func:`convolve`; ``"wrap"`` and ``"symmetric"`` equal
        :func:`scipy.signal.correlate2d` with ``boundary="wrap"``/``"symm"``.
    fillvalue : int, float or complex, optional
        As for :func:`convolve`.
    method : {"auto", "direct", "fft"}, optional
        As for :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        Dtype ``numpy.result_type(x, kernel)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`convolve`.

    See Also
    --------
    convolve : the same with the kernel flipped.
    scipy.signal.correlate, scipy.signal.correlate2d

    Notes
    -----
    :func:`scipy.signal.correlate2d` disagrees with
    :func:`scipy.signal.correlate` in two corners, and this function follows
    :func:`scipy.signal.correlate`: in ``"same"`` mode with an even-sized
    kernel, ``correlate2d`` keeps the centre of the full result one sample
    later; and in ``"valid"`` mode with a complex kernel larger than the
    input, ``correlate2d`` reverses the swapped result without conjugating it.

    Examples
    --------
    >>> correlate([1, 2, 3], [0, 1, 0.5])
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    x, kernel, fillvalue = _check(x, kernel, mode, boundary, fillvalue, method)
    if _numpy_call(x, kernel, mode, boundary, fillvalue, method):
        return np.correlate(x, kernel, mode)
    flipped = _reverse(kernel)
    if flipped.dtype.kind == "c":
        flipped = np.conj(flipped)
    return _convolve(x, flipped, mode, boundary, fillvalue, method)
