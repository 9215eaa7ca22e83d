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
    chunks: their taps are first gathered into nine rows (tap by tap, so that
    every later loop runs along the kernels), then ``G g`` is four rows of
    three, and each of those gives four rows of ``u``, written straight into
    ``u`` one contiguous run at a time. Every loop is over the kernels of the
    chunk, which LLVM vectorises: 0.50 ms instead of 1.40 for the 65,536 kernels
    of a 256->256 layer, with the same bits (the same float64 sums in the same
    order, rounded once).
    """
    chunk = 256
    g = np.empty((9, chunk), dtype=np.float64)
    t = np.empty((12, chunk), dtype=np.float64)
    for e0 in range(lo, hi, chunk):
        size = min(chunk, hi - e0)
        for q in range(size):
            for i in range(3):
                for j in range(3):
                    g[3 * i + j, q] = w[e0 + q, i, j]
        # G g, column j: rows [g0j, (g0j + g1j + g2j)/2, (g0j - g1j + g2j)/2, g2j].
        for j in range(3):
            _g_rows(g[j], g[3 + j], g[6 + j], t[j], t[3 + j], t[6 + j], t[9 + j], size)
        # (G g) G^T, row r of G g: [a, (a + b + d)/2, (a - b + d)/2, d] into u.
        for r in range(4):
            _g_rows(
                t[3 * r],
                t[3 * r + 1],
                t[3 * r + 2],
                u[4 * r, e0:],
                u[4 * r + 1, e0:],
                u[4 * r + 2, e0:],
                u[4 * r + 3, e0:],
                size,
            )


@njit(cache=True, nogil=True, inline="always")
def _g_rows(a, b, d, r0, r1, r2, r3, size):
    """``[a, (a + b + d)/2, (a - b + d)/2, d]`` of three rows into four, ``size`` values each."""
    for q in range(size):
        r0[q] = a[q]
        r1[q] = (a[q] + b[q] + d[q]) * 0.5
        r2[q] = (a[q] - b[q] + d[q]) * 0.5
        r3[q] = d[q]


@njit(cache=True, nogil=True)
def input_transform(x, top, left, ty0, ty1, tw, v, c0, c1):
    """``v[4a + b, c, (ty - ty0) * tw + tx] = (B^T d B)[a, b]`` of tile ``(2 ty, 2 tx)``.

    For the rows of tiles ``ty0 <= ty < ty1`` and the input channels
    ``c0 <= c < c1`` (threads may each transform their own channels).
    ``x`` is implied to have ``top`` zero rows above and ``left`` zero columns
    to the left (and zeros below and to the right as far as the tiles reach).
    """
    height, width = x.shape[1:]
    span = 2 * tw + 2
    rows = np.zeros((4, span), dtype=v.dtype)
    t = np.empty((4, span), dtype=v.dtype)
    cols = min(width, span - left)
    for c in range(c0, c1):
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
def output_transform(m, ty0, ty1, tw, out, k0, k1):
    """``out[k, 2 ty + r, 2 tx + s] = (A^T M A)[r, s]`` of tile ``(ty, tx)``.

    ``m`` holds the rows of tiles ``ty0 <= ty < ty1``; for the output
    channels ``k0 <= k < k1`` (threads may each transform their own channels).
    Cropped to ``out``.
    """
    oh, ow = out.shape[1:]
    p = np.empty((8, tw), dtype=m.dtype)
    half = ow // 2
    for k in range(k0, k1):
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
