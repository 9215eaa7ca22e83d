"""Kernels used throughout the tutorial: Gaussian and box smoothers, classic 3x3 image filters.

Every kernel is a float64 NumPy array. The named 3x3 image kernels are written
for the neural-network face (:func:`convdoc.conv2d`, a cross-correlation: the
kernel is laid on the image as printed). Under a true convolution
(:func:`convdoc.convolve`) the kernel is flipped first, which leaves the
symmetric kernels unchanged and negates ``sobel_x`` and ``sobel_y``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from convdoc._validate import choice, per_axis, positive_int, positive_real

__all__ = [
    "KERNELS2D",
    "box_kernel",
    "gaussian_kernel",
    "gaussian_kernel2d",
    "kernel2d",
]


def gaussian_kernel(size: int = 21, sigma: float = 3.0) -> np.ndarray:
    r"""Sampled, normalized 1-D Gaussian bell.

    Tap :math:`i` sits at offset :math:`t_i = i - (\text{size} - 1)/2` from the
    centre and has weight proportional to :math:`\exp(-t_i^2 / 2\sigma^2)`; the
    weights are then divided by their sum, so they add up to 1 and smoothing
    with the kernel keeps a constant signal unchanged.

    ``sigma`` sets the *width* of the bell, not its height: because of the
    normalization a larger ``sigma`` spreads the same total weight over more
    taps, so the peak gets *lower* and the smoothing stronger.

    ``size`` only sets how many taps are kept. The rule used throughout
    convdoc is to cut the bell at :math:`\pm 4\sigma`, that is
    :math:`K = 2\lceil 4\sigma \rceil + 1` taps: the tails cut off hold less
    than :math:`10^{-4}` of the weight (:math:`6.3 \cdot 10^{-5}` for the
    continuous bell), so no visible part of the bell is clipped. The common
    rule of thumb :math:`K \approx 6\sigma + 1` (cut at :math:`\pm 3\sigma`)
    saves about a quarter of the taps but clips about 0.3% of the weight, a
    small step at each end of the kernel. A ``size`` much smaller than
    :math:`6\sigma` gives a nearly flat (box-like) kernel; a ``sigma`` far
    below one sample gives the unit impulse (for an even ``size``, the two
    middle taps at one half each).

    Parameters
    ----------
    size : int, default 21
        Number of taps (>= 1). An even size has no centre tap; its taps sit at
        half-integer offsets.
    sigma : float, default 3.0
        Standard deviation of the bell in samples (> 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(size,)``, symmetric, non-negative, summing to 1.

    Raises
    ------
    TypeError
        If ``size`` is not an integer or ``sigma`` not a real number.
    ValueError
        If ``size`` < 1 or ``sigma`` is not a finite positive number.

    See Also
    --------
    gaussian_kernel2d : The 2-D (separable) version.

    Examples
    --------
    >>> k = gaussian_kernel(5, sigma=1.0)
    >>> k.round(4)
    array([0.0545, 0.2442, 0.4026, 0.2442, 0.0545])
    >>> bool(np.isclose(k.sum(), 1.0))
    True

    The ``+-4 sigma`` rule: ``sigma = 1.5`` gives ``2 * ceil(6) + 1 = 13`` taps.

    >>> import math
    >>> sigma = 1.5
    >>> gaussian_kernel(2 * math.ceil(4 * sigma) + 1, sigma).shape
    (13,)
    """
    size = positive_int(size, "size")
    sigma = positive_real(sigma, "sigma")
    distance = np.abs(np.arange(size) - (size - 1) / 2)
    nearest = distance.min()
    # exp(-(t^2 - t_min^2) / (2 sigma^2)): the same bell up to a constant factor,
    # with the middle tap(s) at exactly 1, so the sum is >= 1 however small sigma
    # is (no 0/0), and (t - t_min)/sigma * (t + t_min)/sigma neither overflows
    # for a large sigma nor underflows sigma**2 for a tiny one.
    with np.errstate(over="ignore", invalid="ignore"):
        exponent = ((distance - nearest) / sigma) * ((distance + nearest) / sigma) / 2
    exponent[distance == nearest] = 0.0
    bell = np.exp(-exponent)
    return bell / bell.sum()


def gaussian_kernel2d(
    size: int | tuple[int, int] = 5, sigma: float | tuple[float, float] = 1.0
) -> np.ndarray:
    """Sampled, normalized 2-D Gaussian: the outer product of two 1-D bells.

    Parameters
    ----------
    size : int or (int, int), default 5
        Kernel shape ``(rows, columns)``; one integer gives a square kernel.
    sigma : float or (float, float), default 1.0
        Width of the bell along rows and columns (> 0); one number for both.
        As in :func:`gaussian_kernel` it sets the width, not the height.

    Returns
    -------
    numpy.ndarray
        Shape ``(rows, columns)``, summing to 1.

    Raises
    ------
    TypeError
        If ``size`` or ``sigma`` has the wrong type.
    ValueError
        If a size is < 1 or a sigma is not a finite positive number.

    Examples
    --------
    >>> k = gaussian_kernel2d(3, sigma=1.0)
    >>> k.shape
    (3, 3)
    >>> bool(abs(k.sum() - 1) < 1e-12)
    True
    """
    rows, cols = per_axis(size, "size", 2, positive_int)
    if isinstance(sigma, list | tuple) or (isinstance(sigma, np.ndarray) and sigma.ndim > 0):
        if len(sigma) != 2:
            raise ValueError(f"sigma must be a number or a pair of numbers, got {sigma!r}")
        sigma_rows = positive_real(sigma[0], "sigma[0]")
        sigma_cols = positive_real(sigma[1], "sigma[1]")
    else:
        sigma_rows = sigma_cols = positive_real(sigma, "sigma")
    return np.outer(gaussian_kernel(rows, sigma_rows), gaussian_kernel(cols, sigma_cols))


def box_kernel(size: int | tuple[int, int]) -> np.ndarray:
    """Moving-average kernel: every tap equal, summing to 1.

    Parameters
    ----------
    size : int or (int, int)
        An integer gives a 1-D kernel of that many taps; a pair ``(h, w)``
        gives a 2-D kernel of that shape.

    Returns
    -------
    numpy.ndarray
        ``numpy.full(size, 1 / number_of_taps)``.

    Raises
    ------
    TypeError
        If ``size`` is not an integer or a pair of integers.
    ValueError
        If a size is < 1 or a sequence does not have two entries.

    Examples
    --------
    >>> box_kernel(4)
    array([0.25, 0.25, 0.25, 0.25])
    >>> box_kernel((2, 3)).shape
    (2, 3)
    """
    if isinstance(size, list | tuple) or (isinstance(size, np.ndarray) and size.ndim > 0):
        shape = per_axis(size, "size", 2, positive_int)
    else:
        shape = (positive_int(size, "size"),)
    return np.full(shape, 1.0 / np.prod(shape))


def _frozen(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    array = np.array(rows, dtype=np.float64) * scale
    array.flags.writeable = False
    return array


# The docstring of kernel2d describes each entry; keep the two in step.
_KERNELS: dict[str, np.ndarray] = {
    "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _frozen([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian_blur": _frozen([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "sobel_x": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "emboss": _frozen([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "outline": _frozen([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
}

#: Read-only mapping from name to 3x3 float64 kernel (the arrays are read-only
#: too); see :func:`kernel2d` for what each one does. Use :func:`kernel2d` for a
#: copy you may modify.
KERNELS2D: Mapping[str, np.ndarray] = MappingProxyType(_KERNELS)


def kernel2d(name: str) -> np.ndarray:
    """A fresh, writable copy of one of the classic 3x3 image kernels.

    The kernels, as applied by :func:`convdoc.conv2d` (cross-correlation,
    the kernel is not flipped):

    ``identity``
        1 in the centre: returns the image unchanged.
    ``box_blur``
        All ones / 9: the mean of the 3x3 neighbourhood.
    ``gaussian_blur``
        ``[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16``: a blur weighting near
        neighbours more (a binomial approximation of a Gaussian).
    ``sharpen``
        ``5`` in the centre, ``-1`` at the four edge neighbours: the identity
        minus the Laplacian, which boosts local contrast. Sums to 1.
    ``sobel_x``
        ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``: horizontal derivative, so it
        responds to *vertical* edges; positive where brightness increases
        from left to right (with the column index), negative where it
        decreases.
    ``sobel_y``
        ``[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]``: vertical derivative, so it
        responds to *horizontal* edges; positive where brightness increases
        from top to bottom (with the row index).
    ``laplacian``
        ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``: the discrete second
        derivative; zero on flat and linearly varying regions, negative on a
        bright spot. Sums to 0.
    ``emboss``
        ``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``: a diagonal derivative plus
        the image itself, giving a raised-relief look. Sums to 1.
    ``outline``
        ``8`` in the centre, ``-1`` around it: all-direction edge detector.
        Sums to 0, so flat regions go to zero.

    Under :func:`convdoc.convolve` (true convolution, kernel flipped) the
    symmetric kernels act the same, ``sobel_x`` and ``sobel_y`` change sign
    and ``emboss`` lights from the opposite corner.

    Parameters
    ----------
    name : str
        One of the keys of :data:`KERNELS2D`.

    Returns
    -------
    numpy.ndarray
        Shape ``(3, 3)``, float64, a copy you may modify.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is unknown; the message lists the valid names.

    Examples
    --------
    >>> kernel2d("sobel_x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    choice(name, "name", tuple(_KERNELS))
    return _KERNELS[name].copy()
