"""Direct sums in register tiles: float32 CNN layers without copying the windows.

The GEMM plan (:mod:`convdoc.plans.gemm`) copies every tap's shifted run of
the image into a matrix, and BLAS packs that matrix again before its product.
This plan reads the image where it lies. Each output row is cut into tiles of
4 output channels by 8, 16 or 24 neighbouring columns; a tile's sums (up to
twelve vectors of 8) stay in the processor's registers while every tap is
added in, and are written once (:mod:`convdoc.plans._register_tiles_kernels`,
compiled by numba). So the plan does exactly the definition's multiply-adds,
at close to the speed of BLAS's own inner loop, and copies only the input,
once. This is how oneDNN computes the convolutions torch runs on a CPU.

A stride ``s`` first splits the padded grid into its ``s0*s1`` polyphase
components (:func:`~convdoc.plans._common.fill_phase`), laid out one after
the other: each is a stride-1 problem with the taps of its phase, so only the
kept outputs are computed, and every tap of every phase and channel is one
offset into the laid-out input. The padding's zeros are in that layout and
are multiplied as the definition does, so NaN and infinity land where it
puts them; each multiply-add is fused (one rounding), as in BLAS.

What it is for: float32 layers (2-D, dilation 1) with a kernel of any size
and any stride. float64 and complex layers go to the GEMM plan. The planner
prices it once numba is loaded (:func:`convdoc.plans.stencil.loaded`), as for
Winograd.

Threads: the output rows are cut into :data:`ROW_BLOCKS` blocks (fewer for
short outputs) whatever the number of threads, and shared among
:func:`convdoc.get_num_threads` threads; each output's sum is computed the
same way in any block, so the bits are the same on any number of threads.

Cost: :func:`cost`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from convdoc import threads
from convdoc.plans import stencil
from convdoc.plans._common import fill_phase, scratch

__all__ = ["DTYPES", "MAX_TAPS", "ROW_BLOCKS", "applies", "correlate", "cost"]

#: Result dtypes the plan computes in (its tiles are vectors of 8 float32).
DTYPES = (np.dtype(np.float32),)
#: Blocks of output rows a layer is cut into, on any number of threads.
ROW_BLOCKS = 8
#: Most taps per output (``C_in*kh*kw``) of a layer the planner prices the plan for.
MAX_TAPS = 400


def applies(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
) -> bool:
    """Whether :func:`correlate` is worth pricing for this problem.

    2-D, dilation 1, float32, at most :data:`MAX_TAPS` taps per output
    (``C_in*kh*kw``) and rows of at least 8 outputs (one vector). Beyond
    :data:`MAX_TAPS` a tile's inputs outgrow the L1 cache, and the GEMM and
    Winograd plans win (a 64->64 3x3 layer at 56 px: 3.66 ms against 3.56 for
    the GEMM plan; 256->256 at 14 px: 9.96 against 4.35); narrower rows would
    run the scalar loop.
    """
    return (
        len(x_shape) == 3
        and len(w_shape) == 4
        and dilation == (1, 1)
        and dtype in DTYPES
        and 0 < math.prod(w_shape[1:]) <= MAX_TAPS
        and len(out_shape) == 2
        and out_shape[0] > 0
        and out_shape[1] >= 8
    )


@functools.lru_cache(maxsize=64)
def _taps(
    c_in: int, kh: int, kw: int, stride: tuple[int, int], rows: int, width: int
) -> tuple[tuple[tuple[int, int], ...], np.ndarray, np.ndarray]:
    """The phases with taps, each tap's offset into the layout, and its index in the kernel.

    The layout is ``(phases, C_in, rows, width)``; tap ``(c, i, j)`` of phase
    ``(p0, p1)`` reads the phase's sample ``((i - p0)/s0, (j - p1)/s1)``
    further on than the output. ``index`` is the tap's place in
    ``w.reshape(C_out, -1)``. Taps go phase by phase, then by kernel row, input
    channel and kernel column: the order of every output's sum.
    """
    s0, s1 = stride
    phases = tuple((p0, p1) for p0 in range(min(s0, kh)) for p1 in range(min(s1, kw)))
    offsets, index = [], []
    for n, (p0, p1) in enumerate(phases):
        for i in range(p0, kh, s0):
            for c in range(c_in):
                for j in range(p1, kw, s1):
                    row = (n * c_in + c) * rows + (i - p0) // s0
                    offsets.append(row * width + (j - p1) // s1)
                    index.append((c * kh + i) * kw + j)
    return phases, np.array(offsets, np.int64), np.array(index, np.intp)


def correlate(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, int],
    out_shape: tuple[int, int],
    dtype: np.dtype,
) -> np.ndarray:
    """``out[o, r, c] = sum_{ch,i,j} grid[ch, r*s0 + i, c*s1 + j] * w[o, ch, i, j]``.

    ``grid`` is ``x`` with ``pad`` zeros around it. The parameters and the result
    are those of :func:`convdoc.plans.gemm.correlate` (the plans are
    interchangeable), with ``dtype`` one of :data:`DTYPES`.
    """
    kernels = stencil.compiled("_register_tiles_kernels")
    c_out, c_in, kh, kw = w.shape
    oh, ow = out_shape
    s0, s1 = stride
    # Every phase laid out with the rows and row length of the one with most taps.
    rows, width = oh + -(-kh // s0) - 1, ow + -(-kw // s1) - 1
    phases, offsets, index = _taps(c_in, kh, kw, (s0, s1), rows, width)
    seconds = cost(w.shape, out_shape, stride, dtype)
    layout = scratch("register_tiles.layout", (len(phases), c_in, rows, width), dtype)
    groups = -(-c_out // 4)
    w4 = np.empty((groups, index.size, 4), dtype)

    def prepare(n: int) -> None:
        if n < len(phases):
            p0, p1 = phases[n]
            shape = (oh + len(range(p0, kh, s0)) - 1, ow + len(range(p1, kw, s1)) - 1)
            fill_phase(layout[n], x, pad, phases[n], stride, shape, zeroed=False)
        else:
            # Each group's 4 channels tap by tap; past the last channel, the last again.
            taps = w.reshape(c_out, -1)[:, index]
            for k in range(4):
                w4[:, :, k] = taps[np.minimum(np.arange(groups) * 4 + k, c_out - 1)]

    # Shared only when the layout alone is worth a helper's wake-up: a 3->32 5x5
    # stride-2 layer at 224 px took 0.30 ms to lay out on two threads, 0.16 on one.
    threads.each(prepare, len(phases) + 1, _layout_seconds(w.shape, out_shape, stride))
    out = np.empty((c_out, oh, ow), dtype)
    blocks = threads.ranges(oh, min(oh, ROW_BLOCKS))
    flat, taps = layout.reshape(-1), w4.reshape(-1)

    def block(b: int) -> None:
        kernels.rows(flat, offsets, taps, width, out, *blocks[b])

    threads.each(block, len(blocks), seconds)
    return out


# Seconds per multiply-add and per call. Fitted on twelve float32 layers of 1..32
# input channels, 1x1..11x11 kernels, strides 1..4, 28..512 px, one thread
# (2026-12-04, AVX2 host), writing the result included: 2.4-2.7e-11 s per
# multiply-add up to 150 taps per output (the ResNet stem's 118 million in 2.78
# ms), growing to 2.9-3.3e-11 at 288-392 taps, as a tile's inputs outgrow the L1
# cache: hence the factor 1 + (taps - 150)/800 beyond 150.
SEC_PER_MAC = 2.5e-11
SEC_CALL = 6e-5
# Seconds per laid-out value (zeros included): whole rows copied at stride 1
# (0.17 ns measured on 3x514x514), every s-th sample gathered otherwise (0.46-0.72 ns).
SEC_PER_COPIED = 2e-10
SEC_PER_GATHERED = 7e-10


def cost(
    w_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    stride: tuple[int, ...],
    dtype: np.dtype,
) -> float:
    """Estimated seconds of :func:`correlate`.

    With ``w_shape = (C_out, C_in, kh, kw)``, ``taps = C_in*kh*kw`` and
    ``groups = ceil(C_out / 4)``::

        SEC_CALL + SEC_PER_MAC * max(1, 1 + (taps - 150)/800) * 4*groups * taps * H_out*W_out
            + per_value * min(s0, kh)*min(s1, kw) * C_in * rows * width

    ``rows`` and ``width`` are the laid-out phases' (the output's, plus the
    kernel's reach in the phase, less one); ``per_value`` is
    ``SEC_PER_COPIED`` at stride ``(1, 1)``, else ``SEC_PER_GATHERED``.
    ``dtype`` is float32, the only one the plan computes in.
    """
    c_out, c_in, kh, kw = w_shape
    oh, ow = out_shape
    taps = c_in * kh * kw
    macs = 4 * -(-c_out // 4) * taps * oh * ow
    spill = max(1.0, 1.0 + (taps - 150) / 800)
    return SEC_CALL + SEC_PER_MAC * spill * macs + _layout_seconds(w_shape, out_shape, stride)


def _layout_seconds(
    w_shape: tuple[int, ...], out_shape: tuple[int, ...], stride: tuple[int, ...]
) -> float:
    """Seconds to lay out the phases: their values (zeros included) times the price of one."""
    _, c_in, kh, kw = w_shape
    (oh, ow), (s0, s1) = out_shape, stride
    rows, width = oh + -(-kh // s0) - 1, ow + -(-kw // s1) - 1
    per_value = SEC_PER_COPIED if (s0, s1) == (1, 1) else SEC_PER_GATHERED
    return per_value * min(s0, kh) * min(s1, kw) * c_in * rows * width
