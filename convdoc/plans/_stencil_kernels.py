"""The numba kernels of :mod:`convdoc.plans.stencil` (imported on first use only).

One thread, row after row: numba's thread pool (``parallel=True``) was measured
slower than one thread on the shared 2-core machine (waking the second thread
costs more than half of a one-millisecond filter) and triples the compile time.
A ring of ``kh`` extended input rows: row ``r + i`` of the extended image lives
in slot ``(r + i) % kh`` and is built once, from the image row ``rmap[r + i]`` (or the
fill value when that is ``-1``) with its columns ``cmap`` (the middle ones a
plain copy). One kernel row's taps are applied to an output row in one loop
over the columns, written out for 2 to 7 taps so that LLVM vectorises it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _extend_row(src, rmap_r, cmap, pl, fill, line):
    """Row ``rmap_r`` of ``src`` extended by ``cmap`` into ``line`` (fill where -1)."""
    n = line.size
    if rmap_r < 0:
        for c in range(n):
            line[c] = fill
        return
    row = src[rmap_r]
    w = row.size
    for c in range(pl):
        s = cmap[c]
        line[c] = row[s] if s >= 0 else fill
    for c in range(w):
        line[pl + c] = row[c]
    for c in range(pl + w, n):
        s = cmap[c]
        line[c] = row[s] if s >= 0 else fill


@njit(cache=True, nogil=True)
def _add_taps(acc, line, taps):
    """``acc[c] += sum_j taps[j] * line[c + j]`` for every column ``c`` of ``acc``."""
    n = acc.size
    k = taps.size
    j = 0
    # Three taps at a time, then what is left: short loops LLVM vectorises.
    while k - j >= 3:
        a, b, d = taps[j], taps[j + 1], taps[j + 2]
        x0, x1, x2 = line[j:], line[j + 1:], line[j + 2:]
        for c in range(n):
            acc[c] += a * x0[c] + b * x1[c] + d * x2[c]
        j += 3
    if k - j == 2:
        a, b = taps[j], taps[j + 1]
        x0, x1 = line[j:], line[j + 1:]
        for c in range(n):
            acc[c] += a * x0[c] + b * x1[c]
    elif k - j == 1:
        a = taps[j]
        x0 = line[j:]
        for c in range(n):
            acc[c] += a * x0[c]


@njit(cache=True, nogil=True)
def _taps3x3(acc, l0, l1, l2, h):
    """``acc[c] = sum_ij h[i, j] * l_i[c + j]``: a 3x3 kernel in one loop."""
    a0, a1, a2 = h[0, 0], h[0, 1], h[0, 2]
    b0, b1, b2 = h[1, 0], h[1, 1], h[1, 2]
    d0, d1, d2 = h[2, 0], h[2, 1], h[2, 2]
    for c in range(acc.size):
        acc[c] = (
            (a0 * l0[c] + a1 * l0[c + 1] + a2 * l0[c + 2])
            + (b0 * l1[c] + b1 * l1[c + 1] + b2 * l1[c + 2])
            + (d0 * l2[c] + d1 * l2[c + 1] + d2 * l2[c + 2])
        )


@njit(cache=True, nogil=True)
def _dense_rows(src, h, rmap, cmap, pl, fill, out, r0, r1):
    kh = h.shape[0]
    ring = np.empty((kh, cmap.size), dtype=out.dtype)
    for i in range(kh - 1):
        _extend_row(src, rmap[r0 + i], cmap, pl, fill, ring[(r0 + i) % kh])
    for r in range(r0, r1):
        _extend_row(src, rmap[r + kh - 1], cmap, pl, fill, ring[(r + kh - 1) % kh])
        acc = out[r]
        if kh == 3 and h.shape[1] == 3:
            _taps3x3(acc, ring[r % 3], ring[(r + 1) % 3], ring[(r + 2) % 3], h)
            continue
        acc[:] = 0
        for i in range(kh):
            _add_taps(acc, ring[(r + i) % kh], h[i])


@njit(cache=True, nogil=True)
def _separable_rows(src, col, row, rmap, cmap, pl, fill, out, r0, r1):
    kh = col.size
    width = cmap.size
    ring = np.empty((kh, width), dtype=out.dtype)
    tmp = np.empty(width, dtype=out.dtype)
    for i in range(kh - 1):
        _extend_row(src, rmap[r0 + i], cmap, pl, fill, ring[(r0 + i) % kh])
    for r in range(r0, r1):
        _extend_row(src, rmap[r + kh - 1], cmap, pl, fill, ring[(r + kh - 1) % kh])
        tmp[:] = 0
        for i in range(kh):
            v = col[i]
            line = ring[(r + i) % kh]
            for c in range(width):
                tmp[c] += v * line[c]
        acc = out[r]
        acc[:] = 0
        _add_taps(acc, tmp, row)


@njit(cache=True, nogil=True)
def dense(src, h, rmap, cmap, pl, fill, out):
    """Dense 2-D taps ``h`` over the extended image, into ``out``."""
    _dense_rows(src, h, rmap, cmap, pl, fill, out, 0, out.shape[0])


@njit(cache=True, nogil=True)
def separable(src, col, row, rmap, cmap, pl, fill, out):
    """Rank-one taps ``outer(col, row)``: a column pass then a row pass, row by row."""
    _separable_rows(src, col, row, rmap, cmap, pl, fill, out, 0, out.shape[0])
