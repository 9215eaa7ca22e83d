"""The ways convdoc computes a convolution: one module per plan, and the planner.

Every plan computes the same sums,
``out[o, i] = sum_c sum_t grid[c, i*s + t*d] * weight[o, c, t]``, by another
route; each module says what it is for and prices itself in seconds, and
:mod:`convdoc.plans.planner` runs the cheapest one that keeps the numbers
exact (integers) and keeps NaN and infinity where the definition puts them.

========================================  ==========================================
plan                                      for
========================================  ==========================================
:mod:`~convdoc.plans.direct`              tiny kernels, exact integer sums
:mod:`~convdoc.plans.gemm`                CNN layers: GEMMs on the flattened image
:mod:`~convdoc.plans.winograd`            3x3 stride-1 layers: F(2x2, 3x3), 16 GEMMs
:mod:`~convdoc.plans.register_tiles`      float32 layers, few taps: sums kept in registers
:mod:`~convdoc.plans.im2col`              few outputs, many taps; any dtype: one GEMM
:mod:`~convdoc.plans.blocks`              strided 2-D filters: banded tap matrices
:mod:`~convdoc.plans.polyphase`           strided 1-D layers: kept outputs only
:mod:`~convdoc.plans.separable`           rank-one kernels (blurs, Sobel)
:mod:`~convdoc.plans.fft`                 long kernels: one transform
:mod:`~convdoc.plans.overlap_save`        strided or long 1-D problems: FFT in blocks
:mod:`~convdoc.plans.gather`              huge padding: memory follows the output
:mod:`~convdoc.plans.transposed`          transposed layers: one GEMM, then col2im
:mod:`~convdoc.plans.pooling`             max and average pooling: strided views
:mod:`~convdoc.plans.stencil`             small image filters: one compiled loop (numba)
========================================  ==========================================

Only NumPy is imported here; SciPy is imported inside the plans that use it, and
numba by :func:`convdoc.plans.stencil.load` when the planner first wants it.
"""

from convdoc.plans import (
    blocks,
    direct,
    fft,
    gather,
    gemm,
    im2col,
    overlap_save,
    planner,
    polyphase,
    pooling,
    register_tiles,
    separable,
    stencil,
    transposed,
    winograd,
)

#: The plan modules, in the order of the table above.
PLANS = (
    direct,
    gemm,
    winograd,
    register_tiles,
    im2col,
    blocks,
    polyphase,
    separable,
    fft,
    overlap_save,
    gather,
    transposed,
    pooling,
    stencil,
)

__all__ = ["PLANS", "planner"]
