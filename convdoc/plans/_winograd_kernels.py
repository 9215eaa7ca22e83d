"""The numba transforms of :mod:`convdoc.plans.winograd` (imported on first use only).

Correlation form of F(2x2, 3x3) (Lavin and Gray, 2016): for each 4x4 input
tile ``d`` and 3x3 kernel ``g``, ``Y = A^T [(G g G^T) * (B^T d B)] A`` gives
the 2x2 outputs, with

``B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]``,
``G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]``,
``A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]``.

The input transform works on whole rows of tiles (one loop over the tiles of
a row per transform row, which LLVM vectorises), the output transform too;
the kernel transform runs in float64 and is rounded once to the result dtype.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def kernel_transform(w, u, lo, hi):
    """``u[4a + b, e] = (G w[e] G^T)[a, b]`` for the kernels ``lo <= e < hi``, in float64.

    ``w`` is ``(n, 3, 3)`` (the kernels of every channel pair, flattened), ``u``
    ``(16, n)``; threads may each transform their own range. Kernels go by
    chunks into a small buffer whose 16 rows are then copied out one at a
    time: 16 interleaved store streams a plane apart (a power of two of bytes)
    would all fall in the same cache sets.
    """
    chunk = 256
    buf = np.empty((16, chunk), dtype=u.dtype)
    for e0 in range(lo, hi, chunk):
        size = min(chunk, hi - e0)
        for q in range(size):
            e = e0 + q
            # G g: rows 0..3, each of 3 columns (float64 scalars: no array per kernel).
            g00, g01, g02 = np.float64(w[e, 0, 0]), np.float64(w[e, 0, 1]), np.float64(w[e, 0, 2])
            g10, g11, g12 = np.float64(w[e, 1, 0]), np.float64(w[e, 1, 1]), np.float64(w[e, 1, 2])
            g20, g21, g22 = np.float64(w[e, 2, 0]), np.float64(w[e, 2, 1]), np.float64(w[e, 2, 2])
            t10 = (g00 + g10 + g20) * 0.5
            t11 = (g01 + g11 + g21) * 0.5
            t12 = (g02 + g12 + g22) * 0.5
            t20 = (g00 - g10 + g20) * 0.5
            t21 = (g01 - g11 + g21) * 0.5
            t22 = (g02 - g12 + g22) * 0.5
            # (G g) G^T, row by row.
            _g_row(buf, 0, q, g00, g01, g02)
            _g_row(buf, 4, q, t10, t11, t12)
            _g_row(buf, 8, q, t20, t21, t22)
            _g_row(buf, 12, q, g20, g21, g22)
        for p in range(16):
            u[p, e0 : e0 + size] = buf[p, :size]


@njit(cache=True, nogil=True, inline="always")
def _g_row(u, p, e, a, b, d):
    """One row of ``(G g) G^T`` into ``u[p:p + 4, e]``: ``[a, (a+b+d)/2, (a-b+d)/2, d]``."""
    u[p, e] = a
    u[p + 1, e] = (a + b + d) * 0.5
    u[p + 2, e] = (a - b + d) * 0.5
    u[p + 3, e] = d


@njit(cache=True, nogil=True)
def input_transform(x, top, left, ty0, ty1, tw, v):
    """``v[4a + b, c, (ty - ty0) * tw + tx] = (B^T d B)[a, b]`` of tile ``(2 ty, 2 tx)``.

    For the rows of tiles ``ty0 <= ty < ty1``.
    ``x`` is implied to have ``top`` zero rows above and ``left`` zero columns
    to the left (and zeros below and to the right as far as the tiles reach).
    """
    n_in, height, width = x.shape
    span = 2 * tw + 2
    rows = np.zeros((4, span), dtype=v.dtype)
    t = np.empty((4, span), dtype=v.dtype)
    cols = min(width, span - left)
    for c in range(n_in):
        for ty in range(ty0, ty1):
            for i in range(4):
                r = 2 * ty + i - top
                line = rows[i]
                line[:] = 0
                if 0 <= r < height:
                    src = x[c, r]
                    for q in range(cols):
                        line[left + q] = src[q]
            for q in range(span):
                t[0, q] = rows[0, q] - rows[2, q]
                t[1, q] = rows[1, q] + rows[2, q]
                t[2, q] = rows[2, q] - rows[1, q]
                t[3, q] = rows[1, q] - rows[3, q]
            base = (ty - ty0) * tw
            for i in range(4):
                v0 = v[4 * i, c, base : base + tw]
                v1 = v[4 * i + 1, c, base : base + tw]
                v2 = v[4 * i + 2, c, base : base + tw]
                v3 = v[4 * i + 3, c, base : base + tw]
                e = t[i]
                for tx in range(tw):
                    e0, e1, e2, e3 = e[2 * tx], e[2 * tx + 1], e[2 * tx + 2], e[2 * tx + 3]
                    v0[tx] = e0 - e2
                    v1[tx] = e1 + e2
                    v2[tx] = e2 - e1
                    v3[tx] = e1 - e3


@njit(cache=True, nogil=True)
def output_transform(m, ty0, ty1, tw, out):
    """``out[k, 2 ty + r, 2 tx + s] = (A^T M A)[r, s]`` of tile ``(ty, tx)``.

    ``m`` holds the rows of tiles ``ty0 <= ty < ty1``.
    Cropped to ``out``.
    """
    n_out, oh, ow = out.shape
    p = np.empty((8, tw), dtype=m.dtype)
    half = ow // 2
    for k in range(n_out):
        for ty in range(ty0, ty1):
            base = (ty - ty0) * tw
            for b in range(4):
                m0 = m[b, k, base : base + tw]
                m1 = m[4 + b, k, base : base + tw]
                m2 = m[8 + b, k, base : base + tw]
                m3 = m[12 + b, k, base : base + tw]
                p0 = p[b]
                p1 = p[4 + b]
                for tx in range(tw):
                    p0[tx] = m0[tx] + m1[tx] + m2[tx]
                    p1[tx] = m1[tx] - m2[tx] - m3[tx]
            for r in range(2):
                y = 2 * ty + r
                if y >= oh:
                    break
                row = out[k, y]
                a0, a1, a2, a3 = p[4 * r], p[4 * r + 1], p[4 * r + 2], p[4 * r + 3]
                for tx in range(half):
                    row[2 * tx] = a0[tx] + a1[tx] + a2[tx]
                    row[2 * tx + 1] = a1[tx] - a2[tx] - a3[tx]
                if ow % 2:
                    row[2 * half] = a0[half] + a1[half] + a2[half]
