"""Direct windowed sums: one multiply-add per kernel tap, nothing transformed.

What it is for: small kernels and small problems, and every problem whose
values must stay exact (integers, booleans, NaN and infinity kept where the
definition puts them).

* :func:`shift_add`: one vectorised multiply-accumulate per tap over exactly
  the output samples a stride keeps. Cost ``~ taps * (outputs * C_out * C_in
  * t_mac + t_call)``: linear in the work, plus a NumPy call per tap.
* :func:`numpy.correlate` for plain single-channel 1-D problems (what
  :func:`scipy.signal.convolve` uses), :func:`numpy_phases` for its strided
  form (``stride`` calls on the polyphase components), and
  :func:`window_einsum` over a strided view of the 1-D windows (no copy).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from convdoc.plans._common import all_finite

__all__ = [
    "numpy_mode",
    "numpy_phases",
    "plain_numpy",
    "shift_add",
    "window_einsum",
    "window_einsum_cost",
]

# Rough seconds per unit of work on a current x86 core (see benchmarks/bench.py).
SEC_PER_SHIFT_ADD_MAC = 2.0e-9  # NumPy multiply + add over a shifted view


SEC_PER_SHIFT_ADD_CALL = 4.0e-6  # Python/NumPy overhead per tap
SEC_PER_SHIFT_ADD_PASS = 4e-10  # one float32 multiply or add pass per output (x2 for float64)

SEC_PER_NP_CORRELATE_MAC = 2.1e-10  # numpy.correlate inner loop (SciPy's figure)


TINY_MACS = 40_000  # numpy.correlate multiply-adds done in about 10 us
# Bytes of one output block of the single-channel shift-and-add: an L2-sized share.
_BLOCK_BYTES = 1 << 17


def numpy_mode(n: int, k: int, pad: tuple[int, int]) -> str | None:
    """The numpy.correlate mode that equals zero padding ``pad``, if any."""
    if pad == (0, 0) and n >= k:
        return "valid"
    if pad == (k - 1, k - 1):
        return "full"
    if pad == (k // 2, (k - 1) // 2) and n >= k:
        return "same"
    return None


def np_correlate_cost(k: int) -> float:
    """Seconds per output of numpy.correlate with ``k`` taps.

    Short kernels run a vectorised inner loop; from about 16 taps NumPy calls
    a dot product per output, which costs some 40 ns before any arithmetic:
    ``0.3 ns * k`` below 16 taps, ``40 ns + 0.16 ns * k`` from 16.
    """
    return 3e-10 * k if k < 16 else 4e-8 + 1.6e-10 * k


def plain_numpy(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> bool:
    """A single-channel 1-D stride-1 problem that numpy.correlate solves as is."""
    return (
        x.ndim == 2
        and w.shape[0] == w.shape[1] == 1
        and stride == (1,)
        and dilation == (1,)
        and numpy_mode(x.shape[1], w.shape[2], pad[0]) is not None
    )


def shift_add(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray:
    """One vectorised multiply-accumulate per tap over the kept outputs only."""
    c_out, c_in = w.shape[:2]
    if c_out == c_in == 1:
        return shift_add_single(grid[0], w[0, 0], stride, dilation, out_shape, dtype)[None]
    out = np.zeros((c_out, *out_shape), dtype=dtype)
    for tap in itertools.product(*(range(ki) for ki in w.shape[2:])):
        window = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, dilation, stride, out_shape, strict=True)
        )
        patch = grid[(slice(None), *window)]
        out += np.tensordot(w[(slice(None), slice(None), *tap)], patch, axes=(1, 0))
    return out


def shift_add_single(
    grid: np.ndarray,
    h: np.ndarray,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> np.ndarray:
    """Single-channel :func:`shift_add`, block of output rows by block, in place.

    Each block of the output (about :data:`_BLOCK_BYTES`) stays in the cache
    while every tap is multiplied into a scratch block and added to it. A tap
    of 1 or -1 is a plain add or subtract (exact), and a zero tap is skipped
    when grid and taps are finite (with a NaN or infinity, ``0 * inf`` is the
    NaN the definition gives, so it is kept).
    """
    out = np.empty(out_shape, dtype=dtype)
    row_bytes = math.prod(out_shape[1:]) * dtype.itemsize
    rows = max(1, min(out_shape[0], _BLOCK_BYTES // max(row_bytes, 1)))
    scratch = np.empty((rows, *out_shape[1:]), dtype=dtype)
    finite = all_finite(grid) and all_finite(h)
    taps = [tap for tap in itertools.product(*(range(k) for k in h.shape)) if not
            (finite and h[tap] == 0)]
    if not taps:
        out[...] = 0
        return out
    rest = tuple(
        zip(dilation[1:], stride[1:], out_shape[1:], strict=True)
    )
    for r0 in range(0, out_shape[0], rows):
        r1 = min(out_shape[0], r0 + rows)
        block, tmp = out[r0:r1], scratch[: r1 - r0]
        for n, tap in enumerate(taps):
            start = tap[0] * dilation[0] + r0 * stride[0]
            window = (
                slice(start, start + stride[0] * (r1 - r0 - 1) + 1, stride[0]),
                *(slice(t * d, t * d + s * (o - 1) + 1, s) for t, (d, s, o) in zip(
                    tap[1:], rest, strict=True)),
            )
            patch, value = grid[window], h[tap]
            if n == 0:
                np.multiply(patch, value, out=block)
            elif value == 1:
                np.add(block, patch, out=block)
            elif value == -1:
                np.subtract(block, patch, out=block)
            else:
                np.multiply(patch, value, out=tmp)
                np.add(block, tmp, out=block)
    return out


def numpy_phases(
    grid: np.ndarray, taps: np.ndarray, stride: int, n_out: int, dtype: np.dtype
) -> np.ndarray:
    """Strided 1-D correlation as ``stride`` numpy.correlate calls on phases.

    ``out[i] = sum_t grid[i*s + t] taps[t]``; writing ``t = q*s + p`` gives
    ``sum_p sum_q grid[p::s][i + q] * taps[p::s][q]``: each phase is a plain
    stride-1 problem ``s`` times smaller, so only the kept outputs are computed.
    Receives already-conjugated taps.
    """
    out = np.zeros(n_out, dtype=dtype)
    for phase in range(min(stride, taps.size)):
        sub_taps = taps[phase::stride]
        need = n_out + sub_taps.size - 1
        sub_grid = grid[phase::stride][:need]
        out += np.correlate(sub_grid, sub_taps, "valid")
    return out


def window_einsum(
    grid: np.ndarray, taps: np.ndarray, stride: int, dilation: int, n_out: int, dtype: np.dtype
) -> np.ndarray:
    """1-D windows as a strided view (no copy) contracted with the taps by numpy.einsum.

    Exactly the definition's products (taps as given, no padding zeros), so a
    NaN or infinity reaches only the outputs whose windows hold it. Cost on
    one channel: :func:`window_einsum_cost`.
    """
    shape = (n_out, taps.size)
    strides = (grid.strides[0] * stride, grid.strides[0] * dilation)
    if grid.flags.c_contiguous:
        # The ndarray constructor makes the view in a fifth of as_strided's 4 us.
        view = np.ndarray(shape, grid.dtype, grid, 0, strides)
    else:
        view = np.lib.stride_tricks.as_strided(grid, shape, strides, writeable=False)
    return np.einsum("ij,j->i", view, taps).astype(dtype, copy=False)


def window_einsum_cost(n_out: int, k: int) -> float:
    """Estimated seconds of :func:`window_einsum` on one channel of ``n_out`` outputs of ``k`` taps.

    Fitted on 100 to 3000 float64 outputs of 5 to 101 taps at stride 4
    (one C loop, no set-up beyond the view)::

        3 us + n_out * (5 ns + 0.32 ns * k)
    """
    return 3e-6 + n_out * (5e-9 + 3.2e-10 * k)



def shift_add_cost(
    w_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    h: np.ndarray | None = None,
    dtype: np.dtype | None = None,
) -> float:
    """Estimated seconds of :func:`shift_add`: a multiply-add per output and tap, a call per tap.

    A single-channel kernel ``h``, when given, is priced by its taps: a zero
    tap costs nothing, a tap of 1 or -1 one pass instead of two (measured
    on 1024 x 1024 images on the shared 2-core machine: about 0.4 ns per
    output and pass in float32, twice that in float64). ``dtype``: the
    result's (float64 if not given). In seconds, for one channel::

        10 us + passes * (outputs * 0.4 ns * itemsize / 4
                          + 1.5 us * (1 + outputs * 8 // _BLOCK_BYTES))

    with ``passes = 2 * nonzero - ones - 1`` for real taps ``h`` (``ones``: the
    taps of 1 or -1), else ``2 * taps - 1``, and ``itemsize / 4 = 2`` when no
    ``dtype`` is given; for several channels, ``1.5 * (2 ns * C_out * C_in *
    outputs * taps + 4 us * taps)``.
    """
    c_out, c_in = w_shape[:2]
    taps = math.prod(w_shape[2:])
    outputs = math.prod(out_shape)
    if c_out == c_in == 1:
        if h is not None and h.dtype.kind in "biuf":
            passes = 2 * np.count_nonzero(h) - np.count_nonzero(np.abs(h) == 1) - 1
        else:
            passes = 2 * taps - 1  # the first tap is one multiply into the output
        item = dtype.itemsize / 4 if dtype is not None else 2
        return 1e-5 + passes * (outputs * SEC_PER_SHIFT_ADD_PASS * item + 1.5e-6 * (
            1 + outputs * 8 // _BLOCK_BYTES))
    macs = c_out * c_in * outputs * taps
    return (SEC_PER_SHIFT_ADD_MAC * macs + SEC_PER_SHIFT_ADD_CALL * taps) * 1.5
