"""Polyphase by matrix products: a strided 1-D correlation computing only the kept outputs.

A stride-``s`` layer keeps one output in ``s``. Write each tap index as
``t = q*s + p`` (``p < s`` the *phase*) and each sample index likewise; then

.. math::

    \\text{out}[i] = \\sum_t x[i s + t]\\, w[t]
                 = \\sum_{p<s} \\sum_q x_p[i + q]\\, w_p[q],
    \\qquad x_p = x[p::s],\\ w_p = w[p::s],

a sum of ``s`` stride-1 correlations ``s`` times shorter. Reshaping ``x``
into rows of ``s`` samples lays the phases side by side at no cost.

:func:`phase_matmul` (1-D, direct): one matrix product of the ``(q, s)`` tap
matrix with the ``(rows, s)`` sample matrix gives every ``sum_p x_p[r]
w_p[q]``; output ``i`` is the sum of that product's diagonal ``q`` starting
at row ``i``. BLAS does the ``k`` multiply-adds per kept output (plus a
``1/s`` share for the diagonal sums). What it is for: strided 1-D layers with
short and medium kernels; the FFT form is :mod:`convdoc.plans.overlap_save`.
Cost: :func:`phase_matmul_cost`.

Takes checked arrays: ``grid`` already padded, taps applied as given.
"""

from __future__ import annotations

import numpy as np

from convdoc import threads
from convdoc.plans._common import all_finite

__all__ = ["phase_matmul", "phase_matmul_cost"]

# Values of one chunk's products (1 MiB of float64); longer signals go in chunks,
# which threads share. Was 1 << 15 (to stay in a 256 KiB L2 cache); measured on an
# AMD EPYC with 512 KiB of L2, stride 4, 1e4..1e6 samples and 11..101 taps, 1 << 17
# took 0.62-0.97x the time on one thread (10^5 samples, 11 taps: 0.179 -> 0.152 ms)
# and 0.58-0.85x on two, but for 10^5 samples with 31 taps on two (1.25x: one chunk
# fewer to share).
_CHUNK_VALUES = 1 << 17

# np.ones costs a microsecond, as much as a small product: slices of these instead.
_ONES = {np.dtype(c): np.ones(1024, c) for c in "fdFD"}


def phase_matmul(grid: np.ndarray, taps: np.ndarray, stride: int, n_out: int) -> np.ndarray | None:
    """``out[i] = sum_t grid[i*stride + t] * taps[t]`` for ``i < n_out`` by BLAS products.

    Parameters
    ----------
    grid : numpy.ndarray, shape (n,)
        Floating-point or complex samples, already padded; at least
        ``stride * (n_out - 1) + taps.size`` long.
    taps : numpy.ndarray, shape (k,)
        Of the same dtype as ``grid``.
    stride : int
        At least 1.
    n_out : int
        Number of outputs, at least 1.

    Returns
    -------
    numpy.ndarray or None
        The outputs; None if any is not finite. The tap matrix is padded with
        zeros and BLAS does ``0 * inf = nan`` where the definition never
        multiplies, so the caller must then use an exact plan.
    """
    k = taps.size
    dtype = grid.dtype
    item = dtype.itemsize
    q = -(-k // stride)
    if not grid.flags.c_contiguous:
        grid = np.ascontiguousarray(grid)
    if q == 1:
        # Windows do not overlap: their strided view is already a matrix BLAS takes.
        windows = np.ndarray((n_out, k), dtype, grid, 0, (stride * item, item))
        with np.errstate(all="ignore"):
            out = windows @ taps
            # Real BLAS multiplies exactly the products the definition does.
            return out if dtype.kind == "f" or all_finite(out) else None
    rows = n_out + q - 1
    need = rows * stride
    if grid.size >= need:
        samples = grid[:need].reshape(rows, stride)
    else:
        samples = np.zeros(need, dtype)
        samples[: grid.size] = grid
        samples = samples.reshape(rows, stride)
    tap_matrix = np.zeros(q * stride, dtype)
    tap_matrix[:k] = taps
    tap_matrix = tap_matrix.reshape(q, stride)
    ones = _ONES[dtype][:q] if q <= 1024 else np.ones(q, dtype)
    chunk = max(256, _CHUNK_VALUES // q)
    if n_out <= chunk:
        with np.errstate(all="ignore"):
            out = ones @ _diagonals(tap_matrix @ samples.T, n_out)
        return out if all_finite(out) else None
    out = np.empty(n_out, dtype)

    def one_chunk(c: int) -> None:
        start = c * chunk
        count = min(chunk, n_out - start)
        # NumPy's error state is per thread: a helper sets its own.
        with np.errstate(all="ignore"):
            products = tap_matrix @ samples[start : start + count + q - 1].T
            np.matmul(ones, _diagonals(products, count), out=out[start : start + count])

    # Chunks are fixed by the sizes alone, so any number of threads gives the same bits.
    threads.each(one_chunk, -(-n_out // chunk), phase_matmul_cost(n_out, k, stride))
    return out if all_finite(out) else None


def _diagonals(products: np.ndarray, count: int) -> np.ndarray:
    """View ``(q, count)`` of ``products[j, i + j]``: row ``j`` is diagonal ``j``, shifted.

    ``products[j, r] = sum_p taps[j*s + p] * grid[r*s + p]``, so output ``i``
    is the sum over ``j`` of ``products[j, i + j]``.
    """
    q, span = products.shape
    item = products.itemsize
    return np.ndarray((q, count), products.dtype, products, 0, ((span + 1) * item, item))


def phase_matmul_cost(n_out: int, k: int, stride: int) -> float:
    """Estimated seconds of :func:`phase_matmul` (float64, fitted on 3e2..3e5 samples, stride 4).

    Per output, ``q`` multiply-add rows of ``stride`` taps; the products
    matrix grows as ``q`` squared per chunk, so long kernels cost more than
    linearly (and lose to the FFT). With ``q = ceil(k / stride)``::

        3 us + 1 ns * n_out * k                              if q == 1
        10 us + n_out * (3 ns + q * 1 ns * (1 + q / 200))     otherwise
    """
    q = -(-k // stride)
    if q == 1:
        return 3e-6 + 1e-9 * n_out * k
    return 1.0e-5 + n_out * (3e-9 + q * 1e-9 * (1 + q / 200))

