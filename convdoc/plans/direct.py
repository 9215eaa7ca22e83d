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

__all__ = ["numpy_mode", "numpy_phases", "plain_numpy", "shift_add", "window_einsum"]

# Rough seconds per unit of work on a current x86 core (see benchmarks/bench.py).
SEC_PER_SHIFT_ADD_MAC = 2.0e-9  # NumPy multiply + add over a shifted view


SEC_PER_SHIFT_ADD_CALL = 4.0e-6  # Python/NumPy overhead per tap

SEC_PER_NP_CORRELATE_MAC = 2.1e-10  # numpy.correlate inner loop (SciPy's figure)


TINY_MACS = 40_000  # numpy.correlate multiply-adds done in about 10 us


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
    a dot product per output, which costs some 40 ns before any arithmetic.
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
    out = np.zeros((c_out, *out_shape), dtype=dtype)
    single = c_out == c_in == 1
    scratch = np.empty(out_shape, dtype=dtype) if single else None
    for tap in itertools.product(*(range(ki) for ki in w.shape[2:])):
        window = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, dilation, stride, out_shape, strict=True)
        )
        patch = grid[(slice(None), *window)]
        if single:
            np.multiply(patch[0], w[(0, 0, *tap)], out=scratch)
            out[0] += scratch
        else:
            out += np.tensordot(w[(slice(None), slice(None), *tap)], patch, axes=(1, 0))
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
    """1-D windows as a strided view (no copy) contracted with the taps by numpy.einsum."""
    view = np.lib.stride_tricks.as_strided(
        grid,
        shape=(n_out, taps.size),
        strides=(grid.strides[0] * stride, grid.strides[0] * dilation),
        writeable=False,
    )
    return np.einsum("ij,j->i", view, taps).astype(dtype, copy=False)



def shift_add_cost(w_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> float:
    """Estimated seconds of :func:`shift_add`: a multiply-add per output and tap, a call per tap."""
    c_out, c_in = w_shape[:2]
    taps = math.prod(w_shape[2:])
    macs = c_out * c_in * math.prod(out_shape) * taps
    single = c_out == c_in == 1
    return (SEC_PER_SHIFT_ADD_MAC * macs + SEC_PER_SHIFT_ADD_CALL * taps) * (1.0 if single else 1.5)
