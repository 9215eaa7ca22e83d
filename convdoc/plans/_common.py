"""Helpers every plan shares: finiteness, integer rounding, zero padding, scratch space.

Not a plan itself. :func:`all_finite` is what the planner asks before it lets
a plan that multiplies padding zeros (BLAS products, the FFT, separable
passes) near a NaN or infinity; :func:`round_to_int` narrows an FFT's float
result to an integer dtype with NumPy's wrap-around. :func:`scratch` hands a
plan's work arrays (a block's copied windows, its products) from one call to
the next on the same thread.
"""

from __future__ import annotations

import cmath
import threading
from collections.abc import Sequence

import numpy as np

__all__ = [
    "all_finite",
    "fft_work_dtype",
    "gemm_seconds",
    "round_to_int",
    "scratch",
    "sums_fit",
    "zero_pad",
]


#: Largest work array :func:`scratch` keeps for the next call (bytes, per thread and name).
SCRATCH_BYTES = 8 << 20

_scratch = threading.local()


def scratch(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous work array, this thread's, reused by the next call.

    A fresh array of a few megabytes is new memory to the operating system,
    and touching it the first time costs page faults, on every call: for the
    ResNet stem's blocks as much as their products. Arrays up to
    :data:`SCRATCH_BYTES` are therefore kept per thread and per ``name`` and
    handed out again (grown when a call needs more); larger ones are not kept.
    A caller must be done with its array before it asks for the same name again.
    """
    size = 1
    for n in shape:
        size *= n
    kept: dict[tuple[str, str], np.ndarray] | None = getattr(_scratch, "arrays", None)
    if kept is None:
        kept = _scratch.arrays = {}
    key = (name, dtype.str)
    array = kept.get(key)
    if array is None or array.size < size:
        array = np.empty(size, dtype)
        if size * dtype.itemsize <= SCRATCH_BYTES:
            kept[key] = array
    return array[:size].reshape(shape)


def gemm_seconds(macs: float, dtype: np.dtype) -> float:
    """Seconds OpenBLAS takes for ``macs`` multiply-adds on one core (large products).

    Fitted with ``benchmarks/calibrate.py`` on the project's 2-core development
    machine: about 40e9 float32 and 20e9 float64 multiply-adds a second;
    complex products do four real ones each. The virtual machine behind it has
    changed between sessions; on 2026-12-04 (an AVX2 AMD EPYC) one thread did
    39-44e9 float32 and 17-19e9 float64 multiply-adds a second in a
    256x1024x1024 product.
    """
    per_mac = 2.5e-11 if dtype.itemsize <= 4 else 5e-11
    if dtype.kind == "c":
        per_mac *= 2 if dtype.itemsize <= 8 else 4
    return macs * per_mac


#: Bytes of a result that stay in the cache while it is written (see :func:`write_seconds`).
CACHED_RESULT_BYTES = 1 << 21
#: Seconds per byte of a result beyond :data:`CACHED_RESULT_BYTES`.
SEC_PER_UNCACHED_BYTE = 1.2e-10


def write_seconds(nbytes: float) -> float:
    """Seconds a plan spends writing a result of ``nbytes`` to memory, beyond its sums.

    ``SEC_PER_UNCACHED_BYTE * max(0, nbytes - CACHED_RESULT_BYTES)``. The first
    2 MB of a result stay in the cache; beyond, each byte goes out to memory
    (and is read in first, to be written). Fitted on 3->8..64 3x3 layers of
    112..512 px (2-13 MB of float32 results, 2026-12-04, one thread): the GEMM
    plan took 0.1-1.6 ms more than its multiply-adds and copies, growing with
    the result beyond 2 MB (0.11 ms at 3.2 MB, 0.46 at 6.4, 0.81 at 8.4, 1.55
    at 12.8).
    """
    return SEC_PER_UNCACHED_BYTE * max(0.0, nbytes - CACHED_RESULT_BYTES)


def fft_work_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype an FFT for a ``dtype`` result computes in.

    Integer results always go through float64: a float32 FFT has a 24-bit
    mantissa, too short for the sums of even 8-bit samples (255 * 255 * 625
    needs 26 bits). Floating and complex results keep their precision
    (float16 is raised to float32, as :mod:`scipy.fft` does).
    """
    if dtype.kind in "iub":
        return np.dtype(np.float64)
    return np.result_type(dtype, np.float32)


def round_to_int(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An FFT's float result rounded to the integer ``dtype``, wrapping as NumPy does.

    NumPy's integer arithmetic wraps modulo ``2**bits``; a float-to-integer
    cast of a value outside the target's range is undefined instead (it gives
    0 or INT64_MIN and a warning). So the rounded values are reduced modulo
    ``2**64`` (exact: :func:`numpy.fmod` never rounds), brought into int64's
    range, cast to int64, and that is narrowed to ``dtype`` by NumPy's
    wrapping integer cast. When the sums fit the float64 mantissa (the only
    case ``method="auto"`` takes the FFT for) this equals the exact sums
    wrapped, i.e. what the direct method gives.
    """
    r = np.rint(result)
    if r.size and not (np.abs(r).max() < 2.0**63):
        # Only the values beyond int64 wrap: they are multiples of 2**11, so every
        # step below is exact for them (a small value like -3 would not survive the
        # 2**64 shift, so it is left as it is).
        wrapped = np.fmod(r, 2.0**64)  # in (-2**64, 2**64); NaN stays NaN
        wrapped = np.where(wrapped < 0, wrapped + 2.0**64, wrapped)  # [0, 2**64)
        wrapped = np.where(wrapped >= 2.0**63, wrapped - 2.0**64, wrapped)  # [-2**63, 2**63)
        r = np.where(np.abs(r) < 2.0**63, r, np.nan_to_num(wrapped, nan=0.0))
    return np.ascontiguousarray(r.astype(np.int64).astype(dtype, copy=False))


# Arrays up to this size are checked value by value (no temporary worth avoiding).
_SMALL = 4096


def all_finite(a: np.ndarray) -> bool:
    """No NaN or infinity in ``a`` (one pass: a non-finite value makes the sum non-finite).

    Only when the sum is not finite (a NaN, an infinity, or finite values
    summing beyond the float range) is every value looked at, silently.
    Integers and booleans are always finite.
    """
    if a.dtype.kind in "iub":
        return True
    if a.size <= _SMALL:
        # Looking at every value costs less than silencing the sum's warnings.
        return bool(np.isfinite(a).all())
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(a, axis=None)
    return cmath.isfinite(total) or bool(np.isfinite(a).all())


def zero_pad(arr: np.ndarray, pad: Sequence[tuple[int, int]]) -> np.ndarray:
    """Zero padding of the last axes; faster than numpy.pad for this one case."""
    if not any(b or a for b, a in pad):
        return arr
    lead = arr.ndim - len(pad)
    spatial = arr.shape[lead:]
    shape = arr.shape[:lead] + tuple(n + b + a for n, (b, a) in zip(spatial, pad, strict=True))
    out = np.zeros(shape, dtype=arr.dtype)
    inner = tuple(slice(b, b + n) for n, (b, _) in zip(spatial, pad, strict=True))
    out[(Ellipsis, *inner)] = arr
    return out



def sums_fit(x: np.ndarray, w: np.ndarray, dtype: np.dtype) -> bool:
    """Whether no product or partial sum of ``x`` and ``w`` taps can overflow ``dtype``.

    BLAS fuses multiply and add (FMA): a product just beyond the float range
    plus a large opposite sum stays finite there, where the definition's
    multiply-then-add overflows to infinity. Plans built on BLAS with
    zero-padded tap matrices (banded, separable) run only when every sum of
    ``w.size`` products stays a quarter below the largest float.
    """
    if dtype.kind not in "fc":
        return True
    big = float(np.finfo(dtype).max) / 4
    if x.size == 0 or w.size == 0:
        return True
    mx = max(abs(float(np.max(x.real if x.dtype.kind == "c" else x))),
             abs(float(np.min(x.real if x.dtype.kind == "c" else x))))
    mw = float(np.max(np.abs(w)))
    if x.dtype.kind == "c":
        mx = float(np.max(np.abs(x)))
    return mx * mw * w.size < big


def fill_phase(
    flat: np.ndarray,
    x: np.ndarray,
    pad: tuple[tuple[int, int], ...],
    phase: tuple[int, int],
    stride: tuple[int, int],
    shape: tuple[int, int],
    zeroed: bool = True,
) -> None:
    """Write one polyphase component of the padded grid into ``flat``.

    Sample ``(i, j)`` of phase ``(p0, p1)`` is the padded grid's
    ``(p0 + s0*i, p1 + s1*j)``: an input sample or a padding zero. Its first
    ``shape`` rows and columns (what the phase's outputs read) go to
    ``flat[:, i, j]`` (``flat`` is ``(C, rows, width)``, at least that large).
    Read straight from ``x`` (``(C, H, W)``): the padded grid itself is never
    built. Values are cast to ``flat``'s dtype. Every other place of ``flat`` is
    zero afterwards: already (``zeroed``, a fresh :func:`numpy.zeros`), or
    written here (a reused work array: only the margins around the samples,
    not the whole array twice).
    """
    targets, sources = [], []
    for axis in (0, 1):
        before, p, s, n = pad[axis][0], phase[axis], stride[axis], shape[axis]
        # Phase samples i whose grid index p + s*i - before falls inside x.
        lo = max(0, -(-(before - p) // s))
        hi = min(n, -(-(x.shape[1 + axis] + before - p) // s))
        if lo >= hi:
            if not zeroed:
                flat[...] = 0
            return  # padding only
        start = p + s * lo - before
        targets.append(slice(lo, hi))
        sources.append(slice(start, start + s * (hi - lo - 1) + 1, s))
    rows, columns = targets
    if not zeroed:
        flat[:, : rows.start] = 0
        flat[:, rows.stop :] = 0
        flat[:, rows, : columns.start] = 0
        flat[:, rows, columns.stop :] = 0
    flat[:, rows, columns] = x[:, sources[0], sources[1]]
