"""The FFT: multiply spectra, one transform of the whole (padded) problem.

What it is for: long kernels (tens of taps per axis and more), where
``O(N log N)`` beats ``O(N K)``. Sums over input channels happen in the
frequency domain. Plain single-channel problems go through
:func:`scipy.signal.fftconvolve` exactly as SciPy does. Cost: :func:`cost`.

Its limits are the planner's rules: integers only when :func:`exact_enough`
proves the rounding error below 1/2, never on NaN or infinity (the FFT
spreads them over the whole output), and redone directly when a spectrum
bin overflows.
"""

from __future__ import annotations

import math

import numpy as np

from convdoc._spectra import spectrum
from convdoc.plans import overlap_save
from convdoc.plans._common import all_finite, fft_work_dtype, round_to_int, zero_pad

__all__ = ["correlate", "cost", "dilate", "exact_enough", "scipy_mode"]

# Rough seconds per unit of work on a current x86 core, used only to rank
# algorithms against each other under method="auto" (see benchmarks/bench.py).
SEC_PER_FFT_UNIT = 1.0e-9  # one FFT of N points costs about N*ln(N) units

SEC_OVERHEAD_FFT = 6.0e-5


_FLOAT_MANTISSA_LIMIT = 2**52 - 1


def dilate(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """Insert ``d - 1`` zeros between taps along each spatial axis."""
    if all(d == 1 for d in dilation):
        return w
    k = w.shape[2:]
    span = tuple(d * (ki - 1) + 1 for ki, d in zip(k, dilation, strict=True))
    out = np.zeros(w.shape[:2] + span, dtype=w.dtype)
    out[(slice(None), slice(None), *(slice(None, None, d) for d in dilation))] = w
    return out


def correlate(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
    *,
    finite: bool = False,
) -> np.ndarray:
    """Multiply spectra; correlation = convolution with the flipped kernel.

    ``finite=True`` says the caller has already found ``x`` and ``w`` free of NaN
    and infinity (``method="auto"``'s choice of the FFT does), so a long plain 1-D
    signal takes overlap-save without another pass over it.
    """
    from scipy import fft as sp_fft

    plain = scipy_mode(x, w, pad, stride, dilation)
    if plain is not None and x.ndim == 2:
        n_out, k = out_shape[0], w.shape[2]
        if overlap_save.blocked(n_out, k) and (finite or (all_finite(x) and all_finite(w))):
            # A long signal and a much shorter kernel: overlap-save in blocks a
            # few times the kernel beats one transform of everything. (A NaN or
            # infinity goes through SciPy's path below, which spreads it over the
            # whole output as method="fft" documents.)
            block = overlap_save.plain_block(n_out, k)
            return overlap_save.fft_phases(zero_pad(x, pad), w, (1,), out_shape, dtype, block)
        # Exactly scipy.signal.convolve's FFT path, so plain calls cost what SciPy's do.
        from scipy import signal

        kernel = w[(0, 0, *(slice(None, None, -1),) * (x.ndim - 1))]
        result = signal.fftconvolve(x[0], kernel, plain)[None]
        if dtype.kind in "iu":
            return round_to_int(result, dtype)
        return result.astype(dtype, copy=False)
    w = dilate(w, dilation)
    span = w.shape[2:]
    # Implicit zero padding only reaches k-1 cells beyond the input; pad the rest.
    extra = tuple(
        (max(b - (s - 1), 0), max(a - (s - 1), 0)) for (b, a), s in zip(pad, span, strict=True)
    )
    if any(b or a for b, a in extra):
        x = zero_pad(x, extra)
        pad = tuple((b - e[0], a - e[1]) for (b, a), e in zip(pad, extra, strict=True))
    if any(st > 1 for st in stride):
        return overlap_save.fft_phases(zero_pad(x, pad), w, stride, out_shape, dtype)
    spatial = x.ndim - 1
    axes = tuple(range(-spatial, 0))
    full = tuple(n + s - 1 for n, s in zip(x.shape[1:], span, strict=True))
    flipped = w[(slice(None), slice(None), *(slice(None, None, -1),) * spatial)]
    is_complex = dtype.kind == "c"
    shape = tuple(sp_fft.next_fast_len(f, real=not is_complex) for f in full)
    work = fft_work_dtype(dtype)
    forward = sp_fft.fftn if is_complex else sp_fft.rfftn
    spec_x = forward(x.astype(work, copy=False), shape, axes=axes)
    # A 2-D kernel much smaller than the image: its spectrum from its taps.
    spec_w = spectrum(flipped.astype(work, copy=False), shape, is_complex, -1)
    if w.shape[1] == 1:
        spec = spec_w[:, 0] * spec_x[0]
    else:
        spec = np.einsum("oi...,i...->o...", spec_w, spec_x)
    result = (
        sp_fft.ifftn(spec, shape, axes=axes)
        if is_complex
        else sp_fft.irfftn(spec, shape, axes=axes)
    )
    # Full-convolution index of output i is i*s + (k' - 1 - pad_before).
    keep = tuple(
        slice(s - 1 - b, s - 1 - b + st * (o - 1) + 1, st)
        for s, (b, _), st, o in zip(span, pad, stride, out_shape, strict=True)
    )
    result = result[(slice(None), *keep)]
    if dtype.kind in "iu":
        return round_to_int(result, dtype)
    return np.ascontiguousarray(result.astype(dtype, copy=False))


def scipy_mode(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> str | None:
    """The scipy.signal mode equal to this single-channel problem, if there is one."""
    if w.shape[0] != 1 or w.shape[1] != 1 or max(stride) != 1 or max(dilation) != 1:
        return None
    k = w.shape[2:]
    full = same = valid = True
    for (before, after), ki, ni in zip(pad, k, x.shape[1:], strict=True):
        full = full and before == after == ki - 1
        same = same and before == ki // 2 and after == (ki - 1) // 2
        valid = valid and before == after == 0 and ki <= ni
    return "full" if full else "same" if same else "valid" if valid else None


def _max_abs(a: np.ndarray) -> int:
    """Largest ``|a|`` as an exact Python int (``np.abs`` of INT64_MIN is negative)."""
    return max(abs(int(a.max())), abs(int(a.min())))


def exact_enough(x: np.ndarray, w: np.ndarray, pad: tuple[tuple[int, int], ...]) -> bool:
    """Whether an FFT provably rounds to the exact integer sums (always True for other dtypes).

    SciPy's rule, that the largest possible sum fits the float64 mantissa, is
    needed but not enough: the FFT's rounding error grows with the data's
    norms and the transform length, and once it passes 1/2 the rounded
    result is off by one (int32 samples of 1e5 against 800 taps of 1e7 were).
    Percival's bound for an FFT convolution of length ``n``,
    ``|error| <= ||x|| ||w|| eps (3 (1 + sqrt 5) log2 n + O(1))``, is asked
    to stay below 1/4 (norms over all input channels, the largest output
    channel's kernel). A floating-point result (an integer input next to a
    float one included) has no exactness to keep; its values are not even
    looked at, so a NaN or infinity there is left to the finiteness checks.
    """
    if np.result_type(x, w).kind not in "iu":
        return True
    terms = w.shape[1] * math.prod(w.shape[2:])
    if _max_abs(x) * _max_abs(w) * terms > _FLOAT_MANTISSA_LIMIT:
        return False
    size = math.prod(
        n + b + a + k - 1 for n, (b, a), k in zip(x.shape[1:], pad, w.shape[2:], strict=True)
    )
    norm_x = math.sqrt(float(np.sum(np.square(x, dtype=np.float64))))
    norm_w = math.sqrt(
        float(np.max(np.sum(np.square(w, dtype=np.float64), axis=tuple(range(1, w.ndim)))))
    )
    eps = float(np.finfo(np.float64).eps)
    return norm_x * norm_w * eps * (10 * math.log2(max(size, 2)) + 10) <= 0.25



def cost(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> float:
    """Estimated seconds of :func:`correlate` (float64).

    Stride 1: ``C_in`` forward, ``C_in * C_out`` kernel and ``C_out`` inverse
    transforms of the full size, ``N log N`` each, plus the spectra's
    products. With the dilated kernel's span ``s = d * (k - 1) + 1`` per axis
    and the full size ``N = prod(n + s - 1)`` over the input's spatial sizes
    ``n`` (``ln`` the natural logarithm)::

        60 us + 1 ns * (C_in + C_in * C_out + C_out) * N * ln(N)
              + 2 ns * C_in * C_out * N

    A stride above 1 on any axis: the polyphase transforms of
    :func:`convdoc.plans.overlap_save.fft_phases_cost` for ``out_shape``, the
    spans ``s`` and the stride.
    """
    c_out, c_in = w_shape[:2]
    span = tuple(d * (ki - 1) + 1 for ki, d in zip(w_shape[2:], dilation, strict=True))
    if any(s != 1 for s in stride):
        return overlap_save.fft_phases_cost(out_shape, span, stride, c_out, c_in)
    full = math.prod(ni + s - 1 for ni, s in zip(x_shape[1:], span, strict=True))
    n_ffts = c_in + c_in * c_out + c_out
    return (
        SEC_OVERHEAD_FFT
        + SEC_PER_FFT_UNIT * n_ffts * full * math.log(full)
        + 2e-9 * c_in * c_out * full
    )
