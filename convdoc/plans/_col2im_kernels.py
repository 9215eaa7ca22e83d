"""The numba loop of :mod:`convdoc.plans.transposed`'s col2im (imported on first use only).

Output row by output row and column phase by column phase: every tap that
reaches that phase of the row adds one contiguous run of its plane into a
row of sums (a loop LLVM vectorises), which is then written into the output's
phase once. Each output cell receives its taps in the order the NumPy col2im
adds them (tap by tap, kernel rows first, starting from zero), so the two
give the same bits.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def col2im2d(product, s0, s1, p0, p1, d0, d1, out, c0, c1):
    """``out[c, i*s0 + t0*d0 - p0, j*s1 + t1*d1 - p1] += product[c, t0, t1, i, j]``.

    For the output channels ``c0 <= c < c1``; ``out`` is ``(C_out, m0, m1)``
    and ``product`` ``(C_out, k0, k1, n0, n1)``; cells landing outside ``out``
    are cropped, and cells no tap reaches are zero.
    """
    k0, k1, n0, n1 = product.shape[1], product.shape[2], product.shape[3], product.shape[4]
    m0, m1 = out.shape[1], out.shape[2]
    # Which taps reach output row r (and from which input row), and which reach
    # column phase b (and the run of input columns they add): worked out once,
    # outside the loops over channels and rows (integer division is slow).
    row_taps = np.zeros((m0, k0), dtype=np.int64)
    row_from = np.zeros((m0, k0), dtype=np.int64)
    n_row_taps = np.zeros(m0, dtype=np.int64)
    for r in range(m0):
        for t0 in range(k0):
            e0 = r + p0 - t0 * d0  # = i * s0 for the input row i this tap reads
            if e0 >= 0 and e0 % s0 == 0 and e0 // s0 < n0:
                row_taps[r, n_row_taps[r]] = t0
                row_from[r, n_row_taps[r]] = e0 // s0
                n_row_taps[r] += 1
    col_taps = np.zeros((s1, k1), dtype=np.int64)
    col_first = np.zeros((s1, k1), dtype=np.int64)
    col_last = np.zeros((s1, k1), dtype=np.int64)
    col_shift = np.zeros((s1, k1), dtype=np.int64)
    n_col_taps = np.zeros(s1, dtype=np.int64)
    sizes = np.zeros(s1, dtype=np.int64)
    for b in range(s1):
        sizes[b] = max(0, -(-(m1 - b) // s1))  # outputs of column phase b
        for t1 in range(k1):
            e1 = b + p1 - t1 * d1  # output j*s1 + b reads input j + e1 // s1
            if e1 % s1 != 0:
                continue
            shift = e1 // s1
            first = max(0, -shift)
            last = min(sizes[b], n1 - shift)
            if first < last:
                q = n_col_taps[b]
                col_taps[b, q], col_shift[b, q] = t1, shift
                col_first[b, q], col_last[b, q] = first, last
                n_col_taps[b] += 1
    acc = np.empty(max(1, -(-m1 // s1)), dtype=out.dtype)
    for c in range(c0, c1):
        for r in range(m0):
            row = out[c, r]
            for b in range(s1):
                size = sizes[b]
                run = acc[:size]
                run[:] = 0
                for u in range(n_row_taps[r]):
                    t0, i = row_taps[r, u], row_from[r, u]
                    for v in range(n_col_taps[b]):
                        first, last, shift = col_first[b, v], col_last[b, v], col_shift[b, v]
                        # Slices from 0: indices numba knows are not negative vectorise.
                        src = product[c, t0, col_taps[b, v], i, first + shift : last + shift]
                        dst = run[first:last]
                        for j in range(last - first):
                            dst[j] += src[j]
                phase = row[b:]
                for j in range(size):
                    phase[j * s1] = run[j]
