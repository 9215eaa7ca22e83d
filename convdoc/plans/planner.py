"""The planner: prices every applicable plan and runs the cheapest exact-enough one.

Every plan module of :mod:`convdoc.plans` states a cost model in seconds;
:func:`best_direct` takes the cheapest direct plan, :func:`choose` weighs it
against the transforms (FFT, separable passes) under ``method="auto"``, and
refuses a transform that could change the numbers: the FFT for integers
whose sums it cannot provably round back, the FFT and the separable passes
next to a NaN or infinity.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from convdoc import threads
from convdoc.plans import (
    banded,
    blocks,
    direct,
    fft,
    gemm,
    im2col,
    overlap_save,
    polyphase,
    register_tiles,
    separable,
    stencil,
    winograd,
)
from convdoc.plans._common import all_finite, sums_fit, zero_pad

__all__ = [
    "best_direct",
    "channels_stencil",
    "choose",
    "direct_costs",
    "forget_prices",
    "grouped_stencil",
    "numpy_plain_1d",
    "run_direct",
    "stencil_plan",
    "stencil_plan_1d",
    "strided_1d",
]

# scipy.signal.choose_conv_method never picks the FFT for a 1-D problem whose
# shorter operand has this few samples (checked for every mode up to 1e7
# samples; its FFT estimate grows faster than the direct one beyond that).
_SCIPY_ALWAYS_DIRECT = 5

# Dtypes BLAS multiplies natively (float32/64, complex64/128).
BLAS_CHARS = "fdFD"

# Prices that depend only on a problem's shapes, dtypes and parameters (and, for
# the shift-add plan, a short kernel's taps), kept for the next call of the same
# problem. Pricing every plan is tens of microseconds of Python, a sixth of the
# FFT of a 64x64 image: measured by paired calls, 20-40 us saved per call on
# 64x64 images with 15x15 to 63x63 kernels.
_PRICES: dict[tuple[Any, ...], Any] = {}
#: Problems whose prices are kept; beyond, the table starts afresh (a program
#: meets few shapes, and a table of this size costs a few hundred kilobytes).
PRICES_KEPT = 512
#: Kernels of at most this many taps have their tap-priced shift-add cost kept
#: (their bytes are part of the key); longer ones are priced at every call.
PRICED_TAPS = 1024


def _priced(key: tuple[Any, ...], price: Callable[[], Any]) -> Any:
    """``price()``, computed on the first call with this ``key`` and kept."""
    found = _PRICES.get(key)
    if found is None:
        if len(_PRICES) >= PRICES_KEPT:
            _PRICES.clear()
        found = _PRICES[key] = price()
    return found



def _scipy_method(x: np.ndarray, w: np.ndarray, mode: str, floats: bool) -> str:
    """scipy.signal.choose_conv_method of a plain 1-D problem, kept per shape for floats.

    For floating-point and complex operands SciPy decides from the lengths and
    the mode alone (``_fftconv_faster``); for integers it also reads their
    largest values, so it is asked every time.
    """
    from scipy import signal

    if not floats:
        return signal.choose_conv_method(x[0], w[0, 0], mode)
    key = ("scipy", x.shape, w.shape, mode, x.dtype, w.dtype)
    return _priced(key, lambda: signal.choose_conv_method(x[0], w[0, 0], mode))

def forget_prices() -> None:
    """Empty the table of kept prices (for tests that change a cost model's constants).

    The problem :func:`remember_fft` kept goes too.
    """
    global _last_fft
    _PRICES.clear()
    _last_fft = None


def _direct_prices(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtypes: tuple[np.dtype, np.dtype],
) -> dict[str, float]:
    """A copy of :func:`direct_costs`, kept per problem and per whether numba is loaded."""
    key = ("direct", x_shape, w_shape, pad, stride, dilation, out_shape, dtypes, stencil.loaded())
    return dict(
        _priced(
            key, lambda: direct_costs(x_shape, w_shape, pad, stride, dilation, out_shape, dtypes)
        )
    )


def _shift_add_price(w: np.ndarray, out_shape: tuple[int, ...], dtype: np.dtype) -> float:
    """:func:`~convdoc.plans.direct.shift_add_cost` of a single-channel ``w`` priced by its taps."""
    taps = w[0, 0]
    if taps.size > PRICED_TAPS:
        return direct.shift_add_cost(w.shape, out_shape, taps, dtype)
    key = ("shift_add", w.shape, out_shape, dtype, taps.dtype, taps.tobytes())
    return _priced(key, lambda: direct.shift_add_cost(w.shape, out_shape, taps, dtype))


def _fft_price(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> float:
    """:func:`~convdoc.plans.fft.cost`, kept per problem."""
    key = ("fft", x_shape, w_shape, stride, dilation, out_shape)
    return _priced(key, lambda: fft.cost(x_shape, w_shape, stride, dilation, out_shape))


def _separable_price(
    x_shape: tuple[int, ...], k: tuple[int, ...], pad: tuple[tuple[int, int], ...], dtype: np.dtype
) -> float:
    """:func:`~convdoc.plans.separable.cost`, kept per problem."""
    key = ("separable", x_shape, k, pad, dtype)
    return _priced(key, lambda: separable.cost(x_shape, k, pad, dtype))


def direct_costs(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtypes: tuple[np.dtype, np.dtype] = (np.dtype(float), np.dtype(float)),
) -> dict[str, float]:
    """Estimated seconds of each applicable direct algorithm."""
    c_out, c_in = w_shape[:2]
    k = w_shape[2:]
    taps = math.prod(k)
    outputs = math.prod(out_shape)
    single = c_out == c_in == 1
    plans = {"shift_add": direct.shift_add_cost(w_shape, out_shape)}
    dtype = np.result_type(*dtypes)
    if outputs * taps * c_in <= im2col.IM2COL_LIMIT:
        plans["im2col"] = im2col.cost(w_shape, out_shape, dtype)
    if (
        single
        and len(x_shape) == 3
        and stride == (1, 1)
        and dilation == (1, 1)
        and dtype in separable.SEPARABLE_DTYPES
    ):
        # One banded column pass per kernel row (finite inputs only: see run_direct).
        rows = x_shape[1] + pad[0][0] + pad[0][1]
        plans["banded"] = k[0] * banded.cost(rows, out_shape[1], k[1], dtype)
    if not single and gemm.applies(x_shape, w_shape, dilation, dtype):
        width = x_shape[2] + pad[1][0] + pad[1][1]
        plans["gemm"] = gemm.cost(w_shape, out_shape, stride, width, dtype)
        if (
            dtypes[0] in winograd.DTYPES
            and dtypes[1] in winograd.DTYPES
            and winograd.applies(x_shape, w_shape, stride, dilation, dtype)
            and stencil.loaded()
        ):
            # Its transforms are numba loops: priced once numba is loaded (by the
            # stencil's tier-up or stencil.load()), never loaded for it alone.
            plans["winograd"] = winograd.cost(w_shape, out_shape, dtype)
        tiles = register_tiles.applies(x_shape, w_shape, dilation, out_shape, dtype)
        if tiles and stencil.loaded():
            # Compiled by numba too: priced once it is loaded, like Winograd.
            plans["register_tiles"] = register_tiles.cost(w_shape, out_shape, stride, dtype)
    if single and len(x_shape) == 2:
        # numpy.einsum over a strided view of the windows: no copy, one C loop.
        # Fitted on 1e2..1e5 samples, 11..101 taps, stride 4 (min of interleaved runs).
        plans["einsum"] = 8e-6 + outputs * (3e-9 + 3.7e-10 * taps)
    if (
        single
        and len(x_shape) == 3
        and dilation == (1, 1)
        and stride[1] > 1
        and dtype.kind in "fc"
    ):
        width = x_shape[2] + pad[1][0] + pad[1][1]
        plans["blocks2d"] = blocks.blocks2d_cost(out_shape, k, stride, width)
    if single and len(x_shape) == 2 and dilation == (1,):
        if stride == (1,) and direct.numpy_mode(x_shape[1], k[0], pad[0]) is not None:
            plans["numpy"] = 5e-6 + outputs * direct.np_correlate_cost(taps)
        elif stride != (1,):
            s = stride[0]
            phase_taps = -(-taps // s)
            # s calls on s-times shorter problems, plus copying each phase.
            per_output = 1.0e-9 + direct.np_correlate_cost(phase_taps)
            plans["polyphase"] = s * (5e-6 + outputs * per_output)
            # Every output, then keep every s-th: wasteful, but one C call wins when tiny.
            plans["numpy_subsample"] = 5e-6 + s * outputs * direct.np_correlate_cost(taps)
    return plans


def best_direct(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> tuple[str, float]:
    """The cheapest direct algorithm and its estimated seconds."""
    if direct.plain_numpy(x, w, pad, stride, dilation):
        # The C loop SciPy uses; nothing direct beats it.
        return "numpy", _numpy_cost(out_shape[0], w.shape[2])
    if (
        x.ndim == 2
        and w.shape[0] == w.shape[1] == 1
        and dilation == (1,)
        and stride[0] * out_shape[0] * w.shape[2] <= direct.TINY_MACS
    ):
        # A tiny strided layer: one numpy.correlate call beats every plan's
        # set-up (and pricing them all would cost more than running this one).
        every = stride[0] * out_shape[0]
        return "numpy_subsample", 5e-6 + every * direct.np_correlate_cost(w.shape[2])
    plans = _direct_prices(x.shape, w.shape, pad, stride, dilation, out_shape, (x.dtype, w.dtype))
    if w.shape[0] == w.shape[1] == 1 and w[0, 0].size <= 64:
        # Priced by its taps: zeros are skipped, ones are a plain add.
        plans["shift_add"] = _shift_add_price(w, out_shape, np.result_type(x, w))
    plan = min(plans, key=plans.__getitem__)
    return plan, plans[plan]


#: Direct plans whose sums are BLAS matrix products.
BLAS_PLANS = frozenset({"gemm", "winograd", "im2col", "banded", "blocks2d"})


def _numpy_cost(n_out: int, k: int) -> float:
    """Estimated seconds of one numpy.correlate call: 5 us, then its multiply-adds."""
    return 5e-6 + direct.SEC_PER_NP_CORRELATE_MAC * n_out * k


def numpy_direct_1d(n: int, k: int, n_out: int) -> bool:
    """Whether ``method="auto"`` runs a plain 1-D problem as numpy.correlate, unpriced.

    A plain problem is a single-channel 1-D correlation of stride and dilation 1
    whose zero padding is one of numpy.correlate's modes (``n`` samples, ``k``
    taps, ``n_out`` outputs). Below :data:`MIN_MACS_1D_STENCIL` multiply-adds the
    compiled 1-D stencil is never priced (:func:`stencil_plan_1d`), and while the
    sum costs less than the FFT's set-up (:data:`~convdoc.plans.fft.SEC_OVERHEAD_FFT`)
    :func:`choose` takes the direct sum, which :func:`best_direct` runs as
    numpy.correlate. The filtering face uses this to skip the engine's pricing for
    the small signals where that pricing would cost more than the arithmetic.
    """
    return n_out * k < MIN_MACS_1D_STENCIL and _numpy_cost(n_out, k) < fft.SEC_OVERHEAD_FFT



def numpy_plain_1d(
    x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...], method: str
) -> bool:
    """Whether the engine runs this plain 1-D problem as numpy.correlate, priced.

    ``x`` of shape ``(1, n)``, ``w`` of ``(1, 1, k)`` with ``n >= k``, zero
    padding ``pad`` one of numpy.correlate's modes, stride and dilation 1,
    ``method`` "auto" or "direct", not two booleans. The engine
    would first ask :func:`stencil_plan_1d` (the compiled stencil), then run
    :func:`best_direct`'s numpy.correlate unless :func:`choose` takes the FFT:
    the same questions, asked here in the other order so that the stencil's
    tier-up counts each call once (a call the FFT takes goes to the engine
    without asking for the stencil here). The answers depend only on
    ``x``'s and ``w``'s finiteness, integer magnitudes, dtypes and shapes, which
    a kernel's flip leaves alone. The filtering face uses this to skip the
    engine's plumbing, tens of microseconds, where NumPy does the sum anyway.
    """
    one = (1,)
    n_out = x.shape[1] + pad[0][0] + pad[0][1] - w.shape[2] + 1
    if method == "auto":
        cost = _numpy_cost(n_out, w.shape[2])
        if choose(x, w, pad, one, one, (n_out,), cost) != "direct":
            return False
    return not stencil_plan_1d(x, w, pad, "constant", 0, one, one, method)

def run_direct(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
    plan: str,
) -> np.ndarray:
    """Run the direct algorithm ``plan`` (from :func:`best_direct`).

    A plan made of BLAS products runs them on one BLAS thread when convdoc
    computes on more than one (:func:`convdoc.threads.blas_for_convdoc`).
    """
    if plan in BLAS_PLANS:
        with threads.blas_for_convdoc(w.size * math.prod(out_shape)):
            return _run_direct(x, w, pad, stride, dilation, out_shape, dtype, plan)
    return _run_direct(x, w, pad, stride, dilation, out_shape, dtype, plan)


def _run_direct(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
    plan: str,
) -> np.ndarray:
    if plan in ("numpy", "polyphase", "numpy_subsample"):
        # numpy.correlate conjugates its second argument; undo that.
        taps = np.conj(w[0, 0]) if w.dtype.kind == "c" else w[0, 0]
        if plan == "numpy":
            mode = direct.numpy_mode(x.shape[1], w.shape[2], pad[0])
            if mode != "valid" and not all_finite(taps):
                # numpy.correlate never multiplies the zeros it implies beyond the
                # ends; the definition (explicit zeros) does: 0 * inf is NaN there.
                x, mode = zero_pad(x, pad), "valid"
            return np.correlate(x[0], taps, mode)[None, :].astype(dtype, copy=False)
        if plan == "numpy_subsample":
            every = np.correlate(zero_pad(x[0], pad), taps, "valid")[:: stride[0]]
            return every[None, : out_shape[0]].astype(dtype, copy=False)
        grid = zero_pad(x[0], pad)
        return direct.numpy_phases(grid, taps, stride[0], out_shape[0], dtype)[None, :]
    if plan == "winograd":
        if winograd.fits(x, w, dtype):
            # Finite inputs whose transforms, products and sums all stay below a
            # quarter of the float range: the result is finite, so it needs no
            # second look (a pass over it cost 4 % of a 64->64 layer at 56 px).
            return winograd.correlate(x, w, pad, out_shape, dtype)
        # NaN, infinity or huge values: the GEMM plan places them as the definition does.
        plan = "gemm"
    if plan == "gemm":
        return gemm.correlate(x, w, pad, stride, out_shape, dtype)
    if plan == "register_tiles":
        return register_tiles.correlate(x, w, pad, stride, out_shape, dtype)
    grid = zero_pad(x, pad)
    if plan == "banded":
        if all_finite(grid) and all_finite(w) and sums_fit(grid, w, dtype):
            h = w[0, 0].astype(dtype, copy=False)
            return banded.correlate2d(grid[0].astype(dtype, copy=False), h, out_shape)[None]
        # The band's zeros would meet a NaN or infinity, or BLAS's fused multiply-adds
        # would keep finite a sum the definition overflows: sums as the definition does.
        plan = "shift_add"
    if plan == "blocks2d":
        result = blocks.blocks2d(grid[0], w[0, 0], stride, out_shape, dtype)
        if result is not None:
            return result[None]
        small = math.prod(out_shape) * w[0, 0].size <= im2col.IM2COL_LIMIT
        plan = "im2col" if small else "shift_add"
    if plan == "einsum":
        out = direct.window_einsum(grid[0], w[0, 0], stride[0], dilation[0], out_shape[0], dtype)
        return out[None]
    if plan == "im2col":
        return im2col.im2col(grid, w, stride, dilation, out_shape, dtype)
    return direct.shift_add(grid, w, stride, dilation, out_shape, dtype)


def strided_1d(
    x: np.ndarray, taps: np.ndarray, pad: tuple[int, int], stride: int, method: str
) -> np.ndarray:
    """A single-channel strided 1-D correlation, the hot case of the CNN pages.

    ``x`` and ``taps`` are 1-D arrays of one BLAS dtype (float32/64,
    complex64/128), checked by the caller, with ``pad`` zeros implied
    before and after and ``stride > 1``. Only the kept outputs are computed:
    by :func:`~convdoc.plans.polyphase.phase_matmul`, or for long kernels by
    :func:`~convdoc.plans.overlap_save.fft_phases` under ``"auto"`` (whose result
    is dropped if not finite: the FFT spreads a NaN or infinity of the input
    over every output) or ``"fft"``; short signals by
    :func:`~convdoc.plans.direct.window_einsum`, whichever is priced lower. Kept apart
    from the general planner because pricing every plan costs as much as the
    arithmetic on a few thousand samples.
    """
    k = taps.size
    n_out = (x.size + pad[0] + pad[1] - k) // stride + 1
    grid = x if pad == (0, 0) else zero_pad(x, (pad,))
    if method != "fft" and stride * n_out * k <= direct.TINY_MACS:
        # Every output and then every stride-th: one C call beats any set-up.
        every = np.correlate(grid, np.conj(taps) if taps.dtype.kind == "c" else taps, "valid")
        return every[::stride][:n_out].copy()
    if method == "fft":
        out = overlap_save.fft_phases(grid[None], taps[None, None], (stride,), (n_out,), grid.dtype)
        return out[0]
    phases_cost = polyphase.phase_matmul_cost(n_out, k, stride)
    windows_cost = direct.window_einsum_cost(n_out, k)
    direct_cost = min(phases_cost, windows_cost)
    if method == "auto":
        # The FFT is priced only when the direct products could cost more than its
        # set-up (pricing it is a few microseconds, a fifth of a small call).
        if (
            direct_cost > fft.SEC_OVERHEAD_FFT
            and overlap_save.fft_phases_cost((n_out,), (k,), (stride,), 1, 1) < direct_cost
        ):
            with np.errstate(all="ignore"):  # warnings are the direct plan's to give
                result = overlap_save.fft_phases(
                    grid[None], taps[None, None], (stride,), (n_out,), grid.dtype
                )
            result = result[0]
            # A NaN or infinity in the input spreads over the whole FFT result,
            # so a finite result means a finite input: keep it, else go direct.
            if all_finite(result):
                return result
    if windows_cost < phases_cost:
        # Short signals: one C loop over a view of the windows beats the phases'
        # set-up (12 us), and it multiplies exactly the definition's products.
        return direct.window_einsum(grid, taps, stride, 1, n_out, grid.dtype)
    if k <= stride:
        # Windows that do not overlap make one matrix-vector product, bound by memory:
        # BLAS's own threads (which spin) halve it, where handing half to a sleeping
        # convdoc thread costs as much as the product. So BLAS keeps its own count.
        result = polyphase.phase_matmul(grid, taps, stride, n_out)
    else:
        # The product OpenBLAS would share among its threads first is the diagonal sums'
        # matrix-vector product of q * n_out values (the tap matrix's product of k * n_out
        # multiply-adds stays on one thread below 262,144).
        with threads.blas_for_convdoc(n_out * -(-k // stride)):
            result = polyphase.phase_matmul(grid, taps, stride, n_out)
    if result is not None:
        return result
    # A NaN or infinity met a padding zero of the tap matrix: redo exactly.
    taps = np.conj(taps) if taps.dtype.kind == "c" else taps
    return direct.numpy_phases(grid, taps, stride, n_out, grid.dtype)


# The last rank-one verdict of stencil_plan: (a weak reference to the weight, its
# taps' bytes, the result dtype, the verdict). Under method="auto" choose asks the
# same question of the same weight object later in the same call; the bytes make
# a weight changed in place since then be judged again.
_last_rank_one: tuple[weakref.ref | None, bytes, np.dtype | None, bool] = (None, b"", None, False)


def _remember_rank_one(w: np.ndarray, dtype: np.dtype, verdict: bool) -> None:
    global _last_rank_one
    _last_rank_one = (weakref.ref(w), w[0, 0].tobytes(), dtype, verdict)


def _rank_one(w: np.ndarray, dtype: np.dtype) -> bool:
    """Whether the single-channel weight ``w`` is of rank one to ``dtype``'s rounding."""
    ref, taps, last_dtype, verdict = _last_rank_one
    if ref is not None and ref() is w and last_dtype == dtype and taps == w[0, 0].tobytes():
        return verdict
    return not _surely_not_rank_one(w[0, 0], dtype) and (
        separable.rank_one(w[0, 0], dtype) is not None
    )


_EPS = {dtype: float(np.finfo(dtype).eps) for dtype in separable.SEPARABLE_DTYPES}


def _surely_not_rank_one(k: np.ndarray, dtype: np.dtype) -> bool:
    """A 2-D float kernel whose corners already show :func:`separable.rank_one` would say no.

    rank_one's first test rejects a kernel with largest ``|tap|`` M that lies
    further than ``d = 1e3 * max(k.shape) * eps(dtype) * M`` from the outer product
    through that tap. Every 2x2 minor of a rank-one matrix is 0, so a kernel
    within ``d`` of one has minors of at most ``4 M d + 2 d**2`` (its entries are
    at most M), plus rounding; the corners' minor beyond twice that proves the
    answer in a few microseconds, where rank_one's test takes tens. Anything
    else (NaN, infinity, zero corners, integers) is left to rank_one.
    """
    if k.dtype.kind != "f" or k.dtype == np.longdouble or dtype not in separable.SEPARABLE_DTYPES:
        return False
    big = float(abs(k).max())
    if not 0.0 < big < math.inf:  # all zeros, NaN or infinity
        return False
    # Scaled by the largest tap: no product overflows or loses the minor.
    a, b, c, e = (float(k[i, j]) / big for i, j in ((0, 0), (0, -1), (-1, 0), (-1, -1)))
    r = 1e3 * max(k.shape) * _EPS[dtype]
    return abs(a * e - b * c) > 8 * r + 4 * r * r


def choose(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    direct_cost: float,
) -> str:
    """Cheapest exact-enough method by a simple cost model (``direct_cost``: its seconds)."""
    c_out, c_in = w.shape[:2]
    k = w.shape[2:]
    single = c_out == c_in == 1
    if direct_cost < fft.SEC_OVERHEAD_FFT:
        return "direct"  # nothing can beat it; skip the rest of the model
    plain = fft.scipy_mode(x, w, pad, stride, dilation)
    if plain is not None and x.ndim == 2:
        # A plain 1-D problem runs numpy.correlate or fftconvolve exactly as SciPy
        # would, so SciPy's own decision (tuned for these two) is the right one.
        if min(x.shape[1], w.shape[2]) <= _SCIPY_ALWAYS_DIRECT:
            return "direct"  # SciPy's answer, without the ~10 us of asking
        floats = x.dtype.kind in "fc" and w.dtype.kind in "fc"
        if not floats and not (all_finite(x) and all_finite(w)):
            # Before asking SciPy: its integer check calls int() on the largest
            # |value| of both inputs, which raises for NaN or infinity.
            return "direct"
        if _scipy_method(x, w, plain, floats) != "fft":
            return "direct"
        if floats and not (all_finite(x) and all_finite(w)):
            return "direct"  # the FFT would spread a NaN or infinity over every output
        return "fft" if fft.exact_enough(x, w, pad) else "direct"
    fft_cost = _fft_price(x.shape, w.shape, stride, dilation, out_shape)
    costs = {"direct": direct_cost, "fft": fft_cost}
    dtype = np.result_type(x, w)
    if (
        single
        and x.ndim == 3
        and dtype in separable.SEPARABLE_DTYPES
        and stride == (1, 1)
        and dilation == (1, 1)
        and min(k) > 1
    ):
        costs["separable"] = _separable_price(x.shape, k, pad, dtype)
    # Whether x is finite, looked at once (a pass over the input) and only when
    # a transform is priced cheaper than the direct sum.
    x_finite = None
    for method in sorted(costs, key=costs.__getitem__):
        if method == "direct":
            return method
        if method == "fft":
            if x_finite is None:
                x_finite = all_finite(x)
            if x_finite and all_finite(w) and fft.exact_enough(x, w, pad):
                return method
        # Rank one is judged to rounding, so a zero tap may be a tiny product of
        # factors: inf * tiny is inf where the definition has inf * 0 = NaN. The
        # kernel is asked first: it is small, and rarely of rank one.
        if method == "separable" and _rank_one(w, dtype):
            if x_finite is None:
                x_finite = all_finite(x)
            if x_finite and sums_fit(x, w, dtype):
                return method
    return "direct"



# The last single-channel 2-D filter that method="auto" sent to the FFT on grounds of
# its shape and its kernel alone: (the problem's key, the kernel's bytes), or None.
_last_fft: tuple[tuple[Any, ...], bytes] | None = None
#: Kernels of at most this many taps are remembered by :func:`remember_fft`.
REMEMBERED_TAPS = 4096
_FFT_MEMO_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _fft_key(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[Any, ...] | None:
    """What :func:`fft_remembered` compares besides the taps; None for other problems.

    Single-channel 2-D float32/float64 filters (the dtypes of image and kernel
    alike), stride and dilation 1, implicit zero padding. Everything the plan's
    prices depend on is in it: shapes, dtype, padding, whether numba is loaded
    (the stencil's prices) and the thread count.
    """
    if not (
        x.ndim == 3
        and x.shape[0] == 1
        and w.shape[:2] == (1, 1)
        and stride == (1, 1)
        and dilation == (1, 1)
        and x.dtype == w.dtype
        and x.dtype in _FFT_MEMO_DTYPES
        and w.size <= REMEMBERED_TAPS
        and min(b for pair in pad for b in pair) >= 0
    ):
        return None
    return (x.shape, w.shape, x.dtype, pad, stencil.loaded(), threads.get_num_threads())


def fft_remembered(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> bool:
    """Whether ``method="auto"`` may take the FFT for this call without pricing it again.

    True when the last call :func:`remember_fft` kept had the same key
    (:func:`_fft_key`) and the same taps, and ``x`` is finite. That call's
    choice did not depend on its image but for the image's finiteness, so
    this one's is the same: an image filtered by one kernel after another
    skips the planner (measured inside the call on 64x64 images with 15x15 to
    63x63 kernels: 80-110 us of deciding, each time the FFT took 210-360 us).
    """
    last = _last_fft
    if last is None:
        return False
    key = _fft_key(x, w, pad, stride, dilation)
    return key == last[0] and w[0, 0].tobytes() == last[1] and all_finite(x)


def remember_fft(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    direct_cost: float,
) -> None:
    """Keep a problem ``method="auto"`` just sent to the FFT, if shape and taps decided it.

    Called after :func:`choose` returned "fft" for a finite ``x`` and ``w``
    (``out_shape`` and ``direct_cost``: what it was given). Kept only when no step of the choice
    looked at ``x`` beyond its finiteness: the compiled stencil loses whatever
    the image (:func:`_stencil_loses`; a two-pass form that could win needs a
    kernel of rank one, which this one is not), the FFT is priced below the
    direct plans, and NumPy's separable passes, if priced below the FFT, were
    refused for the kernel's rank (not for the image's sums). Anything else
    (a stencil waiting for numba, whose savings each call adds up) forgets
    the last problem instead.
    """
    global _last_fft
    key = _fft_key(x, w, pad, stride, dilation)
    _last_fft = None
    if key is None:
        return
    dtype = x.dtype
    dense_loses, two_pass_loses = _stencil_loses(x.shape, w.shape, pad, False, dtype, "auto")
    k = w.shape[2:]
    fft_cost = _fft_price(x.shape, w.shape, stride, dilation, out_shape)
    separable_cost = _separable_price(x.shape, k, pad, dtype) if min(k) > 1 else math.inf
    needs_rank = not two_pass_loses or separable_cost < fft_cost
    if not dense_loses or fft_cost >= direct_cost or (needs_rank and _rank_one(w, dtype)):
        return
    _last_fft = (key, w[0, 0].tobytes())


# Seconds per cell of numpy.pad's extension by a boundary rule (edge, reflect, ...).
SEC_PER_EXTEND_CELL = 1.5e-9


def stencil_plan(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    boundary: str,
    fillvalue: object,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    method: str,
) -> tuple[np.ndarray, np.ndarray] | bool | None:
    """Whether a single-channel 2-D filter runs as a compiled :mod:`~convdoc.plans.stencil`.

    Returns None when another plan is at least as cheap (or the stencil does not
    apply: not a small single-channel 2-D filter of stride and dilation 1, a
    result dtype other than float32/float64, a negative pad, numba missing),
    ``True`` for the dense stencil, or the (column, row) factors of a rank-one
    kernel for the two-pass one (``method="auto"`` only: rank one is judged to
    rounding, as for :mod:`~convdoc.plans.separable`). The alternative priced is
    the extension by ``boundary`` (:func:`numpy.pad`) plus the cheapest direct
    plan, the FFT and (for a kernel found of rank one) the separable passes on
    the extended grid. Until numba is
    loaded in this process the stencil's estimated savings are added up, and it
    is loaded only once they exceed its load time (:func:`~convdoc.plans.stencil.worth_loading`):
    a few calls on small images never pay for it.
    """
    if not (
        x.ndim == 3
        and x.shape[0] == 1
        and w.shape[0] == w.shape[1] == 1
        and stride == (1, 1)
        and dilation == (1, 1)
        and method != "fft"
        and max(w.shape[2:]) <= stencil.MAX_TWO_PASS_SIDE
        and w.shape[2] * w.shape[3] > 1
        and min(b for pair in pad for b in pair) >= 0
        and stencil.available()
    ):
        return None
    dtype = np.result_type(x, w)
    if dtype not in stencil.DTYPES:
        return None
    k = w.shape[2:]
    n = tuple(ni + b + a for ni, (b, a) in zip(x.shape[1:], pad, strict=True))
    out_shape = (n[0] - k[0] + 1, n[1] - k[1] + 1)
    if min(out_shape) < 1:
        return None
    extended = boundary != "constant" or fillvalue != 0
    dense_loses, two_pass_loses = _stencil_loses(x.shape, w.shape, pad, extended, dtype, method)
    if dense_loses and (two_pass_loses or _surely_not_rank_one(w[0, 0], dtype)):
        # The two passes need a kernel of rank one, which a few taps disprove.
        return None
    # Beyond MAX_TAPS_SIDE only the two passes are compiled ones.
    ours = stencil.cost(out_shape, k, dtype) if max(k) <= stencil.MAX_TAPS_SIDE else math.inf
    two_pass = math.inf
    if method == "auto" and min(k) > 1:
        two_pass = stencil.cost(out_shape, k, dtype, separable=True)
    zero = ((0, 0), (0, 0)) if extended else pad
    grid_shape = (1, *n) if extended else x.shape
    others = _direct_prices(grid_shape, w.shape, zero, stride, dilation, out_shape, (dtype, dtype))
    others["shift_add"] = _shift_add_price(w, out_shape, dtype)
    if method == "auto":
        others["fft"] = _fft_price(grid_shape, w.shape, stride, dilation, out_shape)
    extend = SEC_PER_EXTEND_CELL * math.prod(n) if extended else 0.0
    factors = None
    if two_pass < ours:
        # Rank one is looked for (an SVD, tens of microseconds) only when the two
        # passes would be the cheaper form: never for a 3x3.
        if not _surely_not_rank_one(w[0, 0], dtype):
            factors = separable.rank_one(w[0, 0], dtype)
        _remember_rank_one(w, dtype, factors is not None)
        if factors is not None:
            ours = two_pass
            # NumPy's separable passes are an alternative only for a rank-one kernel;
            # priced for any kernel, they kept random 5x5-9x9 kernels off the stencil.
            others["separable"] = _separable_price(grid_shape, k, zero, dtype)
    if ours == math.inf:
        return None
    theirs = min(others.values()) + extend
    if ours >= theirs:
        return None
    if not stencil.loaded() and not stencil.worth_loading(theirs - ours):
        return None
    return factors if factors is not None else True


def _stencil_loses(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    pad: tuple[tuple[int, int], ...],
    extended: bool,
    dtype: np.dtype,
    method: str,
) -> tuple[bool, bool]:
    """Whether :func:`stencil_plan`'s dense and two-pass forms lose whatever the taps.

    Kept per problem. A form loses when it costs at least as much as the
    cheapest of the direct plans and (under ``method="auto"``) the FFT; the
    two passes, which need a kernel of rank one, are taken only under "auto".
    The alternatives priced by the taps (the shift-add of a kernel with zero
    or unit taps, NumPy's separable passes for a rank-one kernel) only lower
    the price to beat, so a form that loses here loses to them too. FFT-sized
    filters then skip the tap pricing, and the rank-one question when the
    corners of the kernel settle it: on a 64x64 image with a 63x63 kernel the
    gate went from 85-92 us to 37 us of a 460-660 us call (timed in the call).
    """
    problem = (x_shape, w_shape, pad, extended, dtype, method)
    return _priced(("stencil loses", *problem, stencil.loaded()), lambda: _forms_lose(problem))


def _forms_lose(problem: tuple[Any, ...]) -> tuple[bool, bool]:
    """:func:`_stencil_loses` priced afresh."""
    x_shape, w_shape, pad, extended, dtype, method = problem
    k = w_shape[2:]
    n = tuple(ni + b + a for ni, (b, a) in zip(x_shape[1:], pad, strict=True))
    out_shape = (n[0] - k[0] + 1, n[1] - k[1] + 1)
    # Beyond MAX_TAPS_SIDE only the two passes are compiled ones.
    dense = stencil.cost(out_shape, k, dtype) if max(k) <= stencil.MAX_TAPS_SIDE else math.inf
    two_pass = math.inf
    if method == "auto" and min(k) > 1:
        two_pass = stencil.cost(out_shape, k, dtype, separable=True)
    zero = ((0, 0), (0, 0)) if extended else pad
    grid_shape = (1, *n) if extended else x_shape
    one = (1, 1)
    prices = _direct_prices(grid_shape, w_shape, zero, one, one, out_shape, (dtype, dtype))
    theirs = min(prices.values())
    if method == "auto":
        theirs = min(theirs, _fft_price(grid_shape, w_shape, one, one, out_shape))
    theirs += SEC_PER_EXTEND_CELL * math.prod(n) if extended else 0.0
    return dense >= theirs, two_pass >= theirs


# Multiply-adds below which a 1-D correlation is never priced for the stencil.
MIN_MACS_1D_STENCIL = 1 << 15


def stencil_plan_1d(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    boundary: str,
    fillvalue: object,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    method: str,
) -> bool:
    """Whether a single-channel 1-D correlation runs as the compiled stencil (one row).

    For kernels of 2 to :data:`~convdoc.plans.stencil.MAX_TAPS_1D` taps, stride
    and dilation 1, float32/float64 results, non-negative pads, when its
    estimate beats the cheapest direct plan (NumPy's loop, for most) and the
    FFT on the extended signal; loaded by the same tier-up as
    :func:`stencil_plan`.
    """
    n = x.shape[1] + pad[0][0] + pad[0][1]
    out_shape = (n - w.shape[2] + 1,)
    # Short signals never gain (NumPy's loop takes microseconds): asked first and
    # from the shapes alone, so that pricing costs them nothing.
    if not (
        out_shape[0] * w.shape[2] >= MIN_MACS_1D_STENCIL
        and x.shape[0] == 1
        and w.shape[:2] == (1, 1)
        and stride == (1,)
        and dilation == (1,)
        and method != "fft"
        and 1 < w.shape[2] <= stencil.MAX_TAPS_1D
        and min(pad[0]) >= 0
        and stencil.available()
    ):
        return False
    dtype = np.result_type(x, w)
    if dtype not in stencil.DTYPES:
        return False
    ours = stencil.cost((1, out_shape[0]), (1, w.shape[2]), dtype)
    extended = boundary != "constant" or fillvalue != 0
    # Priced on the extended signal's shape (its values are never read).
    grid = np.broadcast_to(x[:, :1], (1, n)) if extended else x
    zero = ((0, 0),) if extended else pad
    _, theirs = best_direct(grid, w, zero, stride, dilation, out_shape)
    if method == "auto":
        theirs = min(theirs, _fft_price(grid.shape, w.shape, stride, dilation, out_shape))
    theirs += SEC_PER_EXTEND_CELL * n if extended else 0.0
    if ours >= theirs:
        return False
    return stencil.loaded() or stencil.worth_loading(theirs - ours)


#: Most multiply-adds per output (C_in * kh * kw) of a layer sent to the compiled
#: stencils: beyond, a GEMM's blocking beats one pass per input channel.
MAX_CHANNEL_STENCIL_TAPS = 48


def channels_stencil(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    boundary: str,
    fillvalue: object,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    method: str,
) -> bool:
    """Whether a 2-D layer with few channels runs as compiled stencils, one per channel pair.

    For layers whose outputs each sum at most :data:`MAX_CHANNEL_STENCIL_TAPS`
    products (three input channels of 3x3, one of 5x5, ...), stride and dilation
    1, float32/float64, zero or rule padding, once numba is loaded in the process
    (never loaded for this alone), when priced below the direct plans (GEMM,
    im2col, Winograd) on the extended grid: the reader's single RGB image through
    a first layer, where the GEMM copies every window first.
    """
    if not (
        x.ndim == 3
        and w.ndim == 4
        and w.shape[1] == x.shape[0]
        and w.shape[0] * w.shape[1] > 1
        and w.shape[1] * w.shape[2] * w.shape[3] <= MAX_CHANNEL_STENCIL_TAPS
        and max(w.shape[2:]) <= stencil.MAX_TAPS_SIDE
        and stride == (1, 1)
        and dilation == (1, 1)
        and method != "fft"
        and (boundary == "constant") <= (fillvalue == 0)
        and min(b for pair in pad for b in pair) >= 0
        and stencil.loaded()
    ):
        return False
    dtype = np.result_type(x, w)
    if dtype not in stencil.DTYPES:
        return False
    n = tuple(ni + b + a for ni, (b, a) in zip(x.shape[1:], pad, strict=True))
    out_shape = (n[0] - w.shape[2] + 1, n[1] - w.shape[3] + 1)
    if min(out_shape) < 1:
        return False
    ours = stencil.channels_cost(out_shape, w.shape, dtype)
    extended = boundary != "constant"
    grid_shape = (x.shape[0], *n) if extended else x.shape
    zero = ((0, 0), (0, 0)) if extended else pad
    others = _direct_prices(grid_shape, w.shape, zero, stride, dilation, out_shape, (dtype, dtype))
    theirs = min(others.values()) + (SEC_PER_EXTEND_CELL * math.prod(grid_shape) if extended
                                     else 0.0)
    return ours < theirs


def grouped_stencil(
    x: np.ndarray,
    w: np.ndarray,
    groups: int,
    pad: tuple[tuple[int, int], ...],
    boundary: str,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> np.ndarray | None:
    """A grouped 2-D layer by the compiled stencils, or None (the caller's grouped plan).

    Taken once numba is loaded in the process (the stencil's tier-up or
    :func:`~convdoc.plans.stencil.load`), for two kinds of layer:

    - depthwise (one kernel per channel): :func:`~convdoc.plans.stencil.depthwise2d`,
      one compiled loop per channel of ``kh * kw`` vectorised multiply-adds per
      output, where the batched grouped plan makes a multiply pass and an add
      pass over the output per tap (measured on 32 channels of 112x112, 3x3: 0.37
      ms against 1.6 ms, torch 0.24 ms, on the earlier host);
    - few channels a group, whose outputs each sum at most
      :data:`MAX_CHANNEL_STENCIL_TAPS` products (ResNeXt's 32 groups of 4
      channels, 3x3: 36): :func:`~convdoc.plans.stencil.correlate_channels` with
      the groups, one compiled call per output channel over its group's input
      channels (128 channels of 56x56 in 32 groups, 3x3, float64: the batched
      grouped plan 8.6 ms, the groups one by one through the engine 5.2 ms).

    None for strides, dilations, negative pads, kernels beyond
    :data:`~convdoc.plans.stencil.MAX_TAPS_SIDE`, wider groups, no output, or a
    result dtype other than float32/float64.
    """
    c_in_g = w.shape[1]
    depthwise = groups == x.shape[0] == w.shape[0] and c_in_g == 1
    few = groups > 1 and c_in_g * math.prod(w.shape[2:]) <= MAX_CHANNEL_STENCIL_TAPS
    if not (depthwise or few):
        return None
    dtype = _group_stencil_dtype(x, w, pad, stride, dilation)
    if dtype is None:
        return None
    if depthwise:
        return stencil.depthwise2d(x, w, (pad[0], pad[1]), boundary, dtype)
    return stencil.correlate_channels(x, w, (pad[0], pad[1]), boundary, dtype, groups)


def _group_stencil_dtype(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> np.dtype | None:
    """The compiled stencils' dtype for a grouped 2-D layer, or None where they do not apply.

    Stride and dilation 1, kernels up to :data:`~convdoc.plans.stencil.MAX_TAPS_SIDE`,
    no negative pad, at least one output, float32/float64 results, numba loaded.
    """
    if not (
        x.ndim == 3
        and w.ndim == 4
        and stride == (1, 1)
        and dilation == (1, 1)
        and max(w.shape[2:]) <= stencil.MAX_TAPS_SIDE
        and min(b for pair in pad for b in pair) >= 0
        and stencil.loaded()
    ):
        return None
    dtype = np.result_type(x, w)
    if dtype not in stencil.DTYPES:
        return None
    n = tuple(ni + b + a for ni, (b, a) in zip(x.shape[1:], pad, strict=True))
    if min(ni - ki + 1 for ni, ki in zip(n, w.shape[2:], strict=True)) < 1:
        return None
    return dtype
