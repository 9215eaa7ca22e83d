"""FFT of the polyphase components, in overlapping blocks (overlap-save) in 1-D.

What it is for: strided layers with long kernels (only the kept outputs are
ever transformed back) and long 1-D signals with long kernels, where one
transform of the whole signal wastes time on log factors and cache misses:
blocks a few times the kernel long, each transformed once, keep the
transforms short. See :mod:`convdoc.plans.polyphase` for the phase split.

* In 1-D, :func:`_overlap_save` cuts the phases into blocks of the size
  :func:`_best_block` prices cheapest (one transform of everything, or a
  power of two a few times the kernel).
* In n-D, :func:`_one_transform`: every phase of the input transformed once,
  whole; the phases' spectra are multiplied and summed before one inverse
  transform of the short (kept) output length.

Cost: :func:`fft_phases_cost`. Takes checked arrays: ``grid`` already
padded, ``w`` already dilated, taps applied as given (no conjugation, no flip).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from convdoc import threads
from convdoc._spectra import spectrum
from convdoc.plans._common import fft_work_dtype, round_to_int

__all__ = ["blocked", "fft_phases", "fft_phases_cost"]

def fft_phases(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    out_shape: tuple[int, ...],
    dtype: np.dtype,
    block: int | None = None,
) -> np.ndarray:
    """Strided multi-channel correlation by FFT of the polyphase components.

    Parameters
    ----------
    grid : numpy.ndarray, shape (C_in, *n)
        Input, already padded.
    w : numpy.ndarray, shape (C_out, C_in, *k)
        Taps as applied, already dilated.
    stride : tuple of int
        Per spatial axis.
    out_shape : tuple of int
        Kept outputs per spatial axis.
    dtype : numpy.dtype
        Result dtype; integer results are rounded.
    block : int, optional
        1-D only: the overlap-save block (by default the cheapest by the model).

    Returns
    -------
    numpy.ndarray, shape (C_out, *out_shape)
    """
    work = fft_work_dtype(dtype)
    if grid.ndim == 2:
        c_out, c_in, k = w.shape
        q = -(-k // stride[0])
        if block is None:
            block = _best_block(out_shape[0], q, c_out, c_in, min(stride[0], k))
        result = _overlap_save(grid, w, stride[0], out_shape[0], block, work)
    else:
        result = _one_transform(grid, w, stride, out_shape, work)
    if dtype.kind in "iu":
        return round_to_int(result, dtype)
    return np.ascontiguousarray(result.astype(dtype, copy=False))


def fft_phases_cost(
    out_shape: tuple[int, ...], k: tuple[int, ...], stride: tuple[int, ...], c_out: int, c_in: int
) -> float:
    """Estimated seconds of :func:`fft_phases` (float64).

    With ``q = ceil(k / stride)`` taps per phase and ``phases = prod(min(stride, k))``:
    in 1-D, 60 us plus :func:`_overlap_save_cost` at the block :func:`_best_block`
    picks. In n-D, with ``L = out + q - 1`` points per axis, ``size = prod(L)``,
    ``half = size / L[-1] * (L[-1] // 2 + 1)`` and, in 2-D only, ``kernel =
    prod(q) * (L[-1] // 2 + 1) + half * q[0]`` (else 0)::

        120 us + 0.6 ns * (phases * C_in + C_out) * size * ln(size)
               + 0.3 ns * phases * C_in * C_out * kernel
               + 1 ns * phases * C_in * C_out * half
    """
    q = [-(-ki // s) for ki, s in zip(k, stride, strict=True)]
    phases = math.prod(min(s, ki) for s, ki in zip(stride, k, strict=True))
    if len(k) == 1:
        block = _best_block(out_shape[0], q[0], c_out, c_in, phases)
        return _SEC_FFT_SETUP + _overlap_save_cost(out_shape[0], q[0], c_out, c_in, phases, block)
    # Fitted on 2-D float64 stride-4 layers (64..512 px, 3..63 px kernels).
    length = [o + qi - 1 for o, qi in zip(out_shape, q, strict=True)]
    size = math.prod(length)
    half = size // length[-1] * (length[-1] // 2 + 1)
    # The kernel spectra's products: taps x half-spectrum along the last axis, then
    # taps x points along the others (complex multiply-adds per kernel).
    kernel = math.prod(q) * (length[-1] // 2 + 1) + half * q[0] if len(k) == 2 else 0
    return (
        1.2e-4
        + 6e-10 * (phases * c_in + c_out) * size * math.log(max(size, 2))
        + 3e-10 * phases * c_in * c_out * kernel
        + 1e-9 * phases * c_in * c_out * half
    )


def _one_transform(
    grid: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    out_shape: tuple[int, ...],
    work: np.dtype,
) -> np.ndarray:
    """n-D :func:`fft_phases`: every phase of the input transformed once, whole."""
    from scipy import fft as sp_fft

    spatial = grid.ndim - 1
    c_out, c_in = w.shape[:2]
    k = w.shape[2:]
    q = tuple(-(-ki // s) for ki, s in zip(k, stride, strict=True))
    used = tuple(min(s, ki) for s, ki in zip(stride, k, strict=True))
    length = tuple(o + qi - 1 for o, qi in zip(out_shape, q, strict=True))
    is_complex = work.kind == "c"
    shape = tuple(sp_fft.next_fast_len(n, real=not is_complex) for n in length)
    axes = tuple(range(-spatial, 0))
    x_phases = _split(_fit(grid, length, stride), stride, used).astype(work, copy=False)
    forward = sp_fft.fftn if is_complex else sp_fft.rfftn
    spec_x = forward(x_phases, shape, axes=axes)  # (C_in, *used, *f), a new array
    # conj-spectrum: IFFT(X * conj(FFT(conj(w))))[j] = sum_t x[j + t] * w[t], no flip.
    spec_w = spectrum(_split(_fit(w, q, stride), stride, used), shape, is_complex, +1)
    freq = spec_x.shape[-spatial:]
    terms = c_in * math.prod(used)
    flat_x = spec_x.reshape(terms, -1)
    flat_w = spec_w.reshape(c_out, terms, -1)
    if c_out == 1:
        flat_x *= flat_w[0]
        spec = np.add.reduce(flat_x, axis=0)[None]
    else:
        spec = np.einsum("otf,tf->of", flat_w, flat_x)
    inverse = sp_fft.ifftn if is_complex else sp_fft.irfftn
    result = inverse(spec.reshape(c_out, *freq), shape, axes=axes)
    return result[(slice(None), *(slice(0, o) for o in out_shape))]


def _fit(a: np.ndarray, length: tuple[int, ...], stride: tuple[int, ...]) -> np.ndarray:
    """The trailing axes of ``a`` cropped or zero-extended to ``length * stride``."""
    size = tuple(n * s for n, s in zip(length, stride, strict=True))
    lead = a.ndim - len(size)
    if all(n >= m for n, m in zip(a.shape[lead:], size, strict=True)):
        return a[(Ellipsis, *(slice(0, m) for m in size))]
    out = np.zeros((*a.shape[:lead], *size), a.dtype)
    keep = tuple(slice(0, min(n, m)) for n, m in zip(a.shape[lead:], size, strict=True))
    out[(Ellipsis, *keep)] = a[(Ellipsis, *keep)]
    return out


def _split(a: np.ndarray, stride: tuple[int, ...], used: tuple[int, ...]) -> np.ndarray:
    """View ``(..., L0*s0, L1*s1)`` as ``(..., u0, u1, L0, L1)``: phase ``p`` of each axis.

    ``out[..., p0, p1, l0, l1] = a[..., l0*s0 + p0, l1*s1 + p1]`` for the
    phases ``p_i < used_i`` that hold taps. A view: the transforms read it.
    """
    spatial = len(stride)
    nl = a.ndim - spatial
    split = []
    for n, s in zip(a.shape[nl:], stride, strict=True):
        split += [n // s, s]
    b = a.reshape(*a.shape[:nl], *split)
    phase_axes = [nl + 2 * i + 1 for i in range(spatial)]
    b = b.transpose([*range(nl), *phase_axes, *(p - 1 for p in phase_axes)])
    return b[(Ellipsis, *(slice(0, u) for u in used), *(slice(None),) * spatial)]


# Fitted on 1-D float64 stride-4 layers (3e3..1e5 samples, 101..1001 taps):
# a call's fixed cost, and one transform of b points costing _SEC_PER_TRANSFORM
# plus b*log2(b)*_SEC_PER_FFT_UNIT, more once b complex values overflow the L1 cache.
_SEC_FFT_SETUP = 6e-5

_SEC_PER_FFT_UNIT = 2.8e-10


_SEC_PER_TRANSFORM = 1e-6  # pocketfft's cost per 1-D transform, whatever its length

_SEC_PER_PRODUCT = 1e-9


_GROUP_BYTES = 1 << 20
#: With more than one scipy.fft worker (and convdoc on one thread), each group is
#: this many times larger per worker: pocketfft shares a call's transforms among
#: its workers, and a call of a
#: few 1 MiB blocks cost more in hand-offs than it gained (10^6 samples, 1001 taps,
#: two workers: 29-31 ms in 1 MiB groups, 19-22 ms in 16 MiB or whole, where one
#: worker takes 18-25 ms whatever the group).
_GROUP_PER_WORKER = 8


def _overlap_save_cost(n_out: int, q: int, c_out: int, c_in: int, phases: int, block: int) -> float:
    """Seconds of :func:`_overlap_save` with ``block``, less the fixed set-up.

    ``blocks = ceil(n_out / (block - q + 1))``; ``phases * C_in * blocks + C_out *
    blocks + phases * C_in * C_out`` transforms of ``block`` points, each ``1 us + 0.28
    ns * block * log2(block) * (1 + block / 4096)``, plus ``1 ns`` per point of the
    ``phases * C_in * C_out * blocks`` spectra products.
    """
    blocks = -(-n_out // (block - q + 1))
    transforms = phases * c_in * blocks + c_out * blocks + phases * c_in * c_out
    per_transform = _SEC_PER_TRANSFORM + _SEC_PER_FFT_UNIT * block * math.log2(block) * (
        1 + block / 4096
    )
    return transforms * per_transform + _SEC_PER_PRODUCT * phases * c_in * c_out * blocks * block


def blocked(n_out: int, k: int) -> bool:
    """Whether a plain 1-D correlation (one channel, stride 1) is cheaper in blocks.

    True when :func:`_best_block` prices a block shorter than one transform of
    the whole output: a long signal and a kernel much shorter than it. Then
    overlap-save is what :func:`scipy.signal.oaconvolve` does, with a block
    priced by this module's cost model.
    """
    from scipy import fft as sp_fft

    return plain_block(n_out, k) < sp_fft.next_fast_len(n_out + k - 1, real=True)


def plain_block(n_out: int, k: int) -> int:
    """Overlap-save block for a plain 1-D correlation: at least eight times the kernel.

    Measured on 10^6 samples (101 to 10001 taps, against
    :func:`scipy.signal.oaconvolve`): blocks of 8 to 16 kernel lengths are
    fastest, larger than :func:`_best_block`'s model (fitted on strided
    layers) picks for one channel. The block is the smallest power of two of at
    least ``8 * k`` samples, or the model's if that is longer, and never longer than
    one transform of everything.
    """
    from scipy import fft as sp_fft

    whole = sp_fft.next_fast_len(n_out + k - 1, real=True)
    return min(whole, max(_best_block(n_out, k, 1, 1, 1), 1 << (8 * k - 1).bit_length()))


@functools.lru_cache(maxsize=256)
def _best_block(n_out: int, q: int, c_out: int, c_in: int, phases: int) -> int:
    """The cheapest overlap-save block: one transform of everything, or a power of two."""
    from scipy import fft as sp_fft

    whole = sp_fft.next_fast_len(n_out + q - 1, real=True)
    best, best_cost = whole, _overlap_save_cost(n_out, q, c_out, c_in, phases, whole)
    block = 1 << max(6, (2 * q - 1).bit_length())
    # The best block is a few times the kernel; larger ones only add log factors.
    for _ in range(5):
        if block >= whole:
            break
        cost = _overlap_save_cost(n_out, q, c_out, c_in, phases, block)
        if cost < best_cost:
            best, best_cost = block, cost
        block *= 2
    return best


def _overlap_save(
    grid: np.ndarray, w: np.ndarray, stride: int, n_out: int, block: int, work: np.dtype
) -> np.ndarray:
    """1-D :func:`fft_phases` in overlapping blocks of ``block`` phase samples.

    Block ``b`` covers phase samples ``b*hop ... b*hop + block - 1`` and
    yields the outputs ``b*hop ... b*hop + hop - 1`` whose windows lie inside
    it (``hop = block - q + 1``). One block is the whole-signal transform.
    """
    from scipy import fft as sp_fft

    c_out, c_in, k = w.shape
    q = -(-k // stride)
    used = min(stride, k)
    hop = block - q + 1
    blocks = -(-n_out // hop)
    total = ((blocks - 1) * hop + block) * stride
    if grid.dtype == work and grid.shape[1] >= total and grid.strides[1] == grid.itemsize:
        samples = grid  # long enough: read in place (no copy, no fresh pages)
    else:
        samples = np.zeros((c_in, total), work)
        take = min(grid.shape[1], total)
        samples[:, :take] = grid[:, :take]
    item = samples.itemsize
    # segments[c, p, b, j] = grid[c, (b*hop + j)*stride + p]: a view, read by the transform.
    shape = (c_in, used, blocks, block)
    strides = (samples.strides[0], item, hop * stride * item, stride * item)
    if samples.flags.c_contiguous:  # as_strided costs some microseconds more
        segments = np.ndarray(shape, work, samples, 0, strides)
    else:
        segments = np.lib.stride_tricks.as_strided(samples, shape, strides, writeable=False)
    taps = np.zeros((c_out, c_in, q * stride), work)
    taps[..., :k] = w
    tap_phases = taps.reshape(c_out, c_in, q, stride).transpose(0, 1, 3, 2)[:, :, :used]
    if work.kind == "c":
        forward, inverse = sp_fft.fft, sp_fft.ifft
        tap_phases = np.conj(tap_phases)
    else:
        forward, inverse = sp_fft.rfft, sp_fft.irfft
    # conj(FFT(w)) correlates: IFFT(X * conj(FFT(conj(w))))[j] = sum_t x[j + t] * w[t].
    spec_w = np.conj(forward(tap_phases, block, axis=-1))
    # Each block keeps its first hop outputs, written straight into the result.
    result = np.empty((c_out, blocks * hop), work)
    # Blocks in groups whose spectra stay in cache (about 1 MiB of them). With
    # convdoc's threads the groups are shared among them, each transformed by
    # one worker; otherwise the groups grow with scipy.fft's workers, which
    # share each call.
    group_bytes = (used * c_in + c_out) * block * 16
    group = max(1, _GROUP_BYTES // group_bytes)
    seconds = _overlap_save_cost(n_out, q, c_out, c_in, used, block)
    shared = threads.share(seconds, -(-blocks // group)) > 1
    workers = 1 if shared else sp_fft.get_workers()
    if not shared and workers > 1:
        group = max(1, _GROUP_BYTES * _GROUP_PER_WORKER * workers // group_bytes)
    starts = range(0, blocks, group)

    def one_group(i: int) -> None:
        start = starts[i]
        stop = min(start + group, blocks)
        spec_x = forward(segments[:, :, start:stop], block, axis=-1, workers=workers)
        if c_out == c_in == 1:
            spec_x[0] *= spec_w[0, 0, :, None, :]
            # One phase (stride 1) is its own sum: no pass over the spectra to add it up.
            spec = spec_x[0] if used == 1 else np.add.reduce(spec_x[0], axis=0)[None]
        else:
            spec = np.einsum("oipf,ipbf->obf", spec_w, spec_x)
        kept = inverse(spec, block, axis=-1, workers=workers)[..., :hop]
        # Written through a view of the result's rows: reshaping the kept columns
        # themselves (not contiguous) would copy them once more first.
        result[:, start * hop : stop * hop].reshape(c_out, stop - start, hop)[...] = kept

    if shared:
        threads.run(one_group, len(starts))
    else:
        for i in range(len(starts)):
            one_group(i)
    return result[:, :n_out]
