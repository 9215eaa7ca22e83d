"""Compiled stencils: small single-channel 2-D filters as one numba-compiled loop.

What it is for: 3x3 to 7x7 image filters (Sobel, Laplacian, blurs, random
kernels) on float32 and float64 images, where NumPy needs one multiply pass
and one add pass over the whole image per tap and OpenCV's SIMD filter needs
one pass in all. Here every output row is computed once, in the cache: each
input row is extended by the boundary rule once into a ring of ``kh`` rows,
then ``out[r, c] = sum_i sum_j h[i, j] * ring[r + i][c + j]`` runs as ``kh * kw``
multiply-adds per pixel that LLVM vectorises; a rank-one kernel (a Gaussian)
runs as a column pass into one row then a row pass, ``kh + kw`` per pixel.
Boundaries are never materialised: the rows and columns outside the image are
index maps built by :func:`numpy.pad` on ``arange`` (every rule
:func:`convdoc.engine.extend` knows), or the fill value.

Every product is a multiply then an add (no fused multiply-add, no reordering:
numba's default, ``fastmath`` off), every tap is multiplied (a zero tap next to
an infinity gives the definition's NaN), and the sums are in the result's
dtype, as the NumPy plans compute them; only the order of the additions
differs. Other dtypes (integers, which must stay exact, float16, longdouble,
complex, bool) never come here.

numba is imported on the first call of :func:`load`, never by
``import convdoc``. The compiled code is cached on disk (``cache=True``): next
to this file when its folder is writable, else in the user's cache folder
(numba's own fallback, ``~/.cache/numba``), or in ``NUMBA_CACHE_DIR`` when set;
when none of these can be written, in a folder of the temporary directory
(:func:`cache_dir`).
Threads: a filter estimated above :data:`convdoc.threads.MIN_PARALLEL_SEC` is
cut into bands of output rows (a depthwise layer into groups of channels) that
:func:`convdoc.threads.run` shares among :func:`convdoc.get_num_threads`
threads; every row is computed as in one whole call, so the bits do not depend
on the count. Long rank-one kernels (Gaussians up to
:data:`MAX_TWO_PASS_SIDE` taps) run as the two passes too.

Cost: :func:`cost` per call (one thread), plus :data:`SEC_LOAD` once per
process (import numba, load the cached machine code).
"""

from __future__ import annotations

import functools
import getpass
import importlib.util
import itertools
import math
import os
import tempfile
from typing import Any

import numpy as np

from convdoc import threads

__all__ = [
    "DTYPES",
    "available",
    "channels_cost",
    "correlate1d",
    "correlate2d",
    "correlate_channels",
    "cost",
    "depthwise2d",
    "load",
    "loaded",
    "unload",
    "worth_loading",
]

#: Result dtypes the compiled stencils compute in.
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: Largest kernel side of the dense loop; longer kernels go to the banded/FFT plans.
MAX_TAPS_SIDE = 9
#: Largest kernel side of the two passes (a rank-one kernel: ``kh + kw`` per output).
MAX_TWO_PASS_SIDE = 63
#: Fewest output rows per band when a filter is shared among threads.
MIN_BAND_ROWS = 16
#: Fewest outputs per chunk when a 1-D signal is shared among threads.
MIN_CHUNK_COLUMNS = 1 << 14
#: Longest 1-D kernel sent here (``k`` multiply-adds per output); longer ones go
#: to NumPy's loop, the FFT or overlap-save.
MAX_TAPS_1D = 32

# Seconds per output and per multiply-add per output (one thread), keyed by the
# dtype's size, for the dense loop and for the two passes (whose per-output part
# includes the intermediate row and the finiteness check of the result); fitted
# to 1024x1024 filters of 3x3 to 7x7 timed interleaved at load 3-6 (the kernels
# reading the image rows in place, two output rows per pass).
SEC_PER_OUTPUT = {4: 1e-10, 8: 1e-10}
SEC_PER_MAC = {4: 4.5e-11, 8: 1e-10}
SEC_PER_OUTPUT_TWO_PASS = {4: 2e-10, 8: 5e-10}
SEC_PER_MAC_TWO_PASS = {4: 6e-11, 8: 1.5e-10}
SEC_CALL = 2.0e-5
# The same for :func:`correlate_channels`, whose passes run inside one compiled
# call per output channel (measured on a quiet machine, where the loops above
# were fitted at load 3-6).
CHANNEL_SEC_PER_OUTPUT = {4: 1e-10, 8: 2e-10}
CHANNEL_SEC_PER_MAC = {4: 4e-11, 8: 8e-11}
CHANNEL_SEC_CALL = 5e-6
# The 3x3 path (channels extended once, rows read from the grids): seconds per output
# and input channel (its nine multiply-adds and the add of its sums) and per output
# channel. Fitted on 1..4 -> 8..64 channels, 32..512 px, one thread (2026-12-04): the
# upper end of 0.15-0.38 ns (float32) and 0.37-0.77 ns (float64) measured.
CHANNEL3X3_SEC_PER_PASS = {4: 3.8e-10, 8: 7.7e-10}
CHANNEL3X3_SEC_CALL = 2e-6
#: Seconds to import numba and load the cached kernels, once per process
#: (measured with a warm cache; compiling them the first time on a machine takes
#: about 8 s more for both dtypes, then they are cached on disk).
SEC_LOAD = 1.0

_kernels: Any = None
_available: bool | None = None
# Seconds the stencil would have saved so far in this process while not loaded.
_saved = 0.0


def available() -> bool:
    """Whether numba can be imported (looked up once, without importing it)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def loaded() -> bool:
    """Whether :func:`load` has compiled or loaded the kernels in this process."""
    return _kernels is not None


def cache_dir() -> str | None:
    """Where numba caches the kernels when neither of its own choices is writable.

    numba writes next to this file (``__pycache__``), else in the user's cache
    folder (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``numba``); when neither
    can be written (a read-only install run by a user without a home) it would
    refuse to define the kernels at all. Then this returns a folder of the
    system's temporary directory, per user, which :func:`load` passes on as
    ``NUMBA_CACHE_DIR``; otherwise (or when ``NUMBA_CACHE_DIR`` is set) None.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    if _writable(os.path.join(here, "__pycache__")):
        return None
    user = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if _writable(user):
        return None
    user_id = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    return os.path.join(tempfile.gettempdir(), f"convdoc-numba-{user_id}")


def _writable(folder: str) -> bool:
    """Whether ``folder`` exists and can be written, or could be created."""
    while not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    return os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)


def load() -> Any:
    """Import numba and define the compiled kernels (once); returns their namespace.

    None if numba cannot be imported after all (a broken install): then
    :func:`available` turns False and the planner never asks again.
    """
    global _kernels, _available
    if _kernels is None:
        fallback = cache_dir()
        if fallback is not None:
            os.environ["NUMBA_CACHE_DIR"] = fallback
        try:
            from convdoc.plans import _stencil_kernels
        except ImportError:
            _available = False
            return None
        _kernels = _stencil_kernels
    return _kernels


def compiled(name: str) -> Any:
    """Another plan's module of numba kernels, ``convdoc.plans.<name>``, after :func:`load`.

    :func:`load` first, so that numba is imported with its cache folder chosen
    and the module's kernels are cached where the stencil's are. Imported once
    (Python keeps the module), so a plan may ask at every call.
    """
    load()
    return importlib.import_module(f"convdoc.plans.{name}")


def worth_loading(saving: float) -> bool:
    """Count ``saving`` seconds the stencil would save; load it once they pass :data:`SEC_LOAD`.

    The planner's tier-up: a program that filters a few small images never pays
    for numba, one that would save more than its load time does, once.
    """
    global _saved
    _saved += saving
    if _saved < SEC_LOAD:
        return False
    return load() is not None


def unload() -> None:
    """Forget the loaded kernels and the savings counted (numba stays imported)."""
    global _kernels, _saved
    _kernels = None
    _saved = 0.0


@functools.lru_cache(maxsize=64)
def index_map(n: int, before: int, after: int, boundary: str) -> np.ndarray:
    """Source index of every cell of an axis of ``n`` extended by ``(before, after)``.

    ``-1`` marks a cell holding the fill value (``boundary="constant"``). Kept
    for the next call of the same shape (read-only): building it costs about as
    much as filtering a 100x100 image.
    """
    idx = np.arange(n, dtype=np.intp)
    if boundary == "constant":
        idx = np.pad(idx, (before, after), mode="constant", constant_values=-1)
    else:
        idx = np.pad(idx, (before, after), mode=boundary)
    idx.flags.writeable = False
    return idx


def _maps(
    shape: tuple[int, ...], pad: tuple[tuple[int, int], tuple[int, int]], boundary: str
) -> tuple[np.ndarray, np.ndarray]:
    """The row and column maps (:func:`index_map`) of an image of ``shape`` extended by ``pad``."""
    (pt, pb), (pl, pr) = pad
    return index_map(shape[0], pt, pb, boundary), index_map(shape[1], pl, pr, boundary)


def correlate2d(
    image: np.ndarray,
    h: np.ndarray,
    pad: tuple[tuple[int, int], tuple[int, int]],
    boundary: str,
    fillvalue: Any,
    dtype: np.dtype,
    factors: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``out[r, c] = sum_ij h[i, j] * ext[r + i, c + j]``, ``ext`` = ``image`` extended.

    ``pad`` (non-negative) and ``boundary``/``fillvalue`` say how: as
    :func:`convdoc.engine.extend`. ``factors`` (column, row), when given, run
    the two-pass form for a rank-one ``h``.
    """
    k = load()
    image = np.ascontiguousarray(image, dtype=dtype)
    rmap, cmap = _maps(image.shape, pad, boundary)
    pl = pad[1][0]
    kh, kw = h.shape
    out = np.empty((rmap.size - kh + 1, cmap.size - kw + 1), dtype=dtype)
    fill = dtype.type(fillvalue)
    bands = _bands(out.shape[0], cost(out.shape, (kh, kw), dtype, separable=factors is not None))
    if factors is not None:
        col, row = (np.ascontiguousarray(f, dtype=dtype) for f in factors)
        finite = [True] * len(bands)

        def two_pass(i: int) -> None:
            r0, r1 = bands[i]
            finite[i] = k.separable(image, col, row, rmap[r0 : r1 + kh - 1], cmap, pl, fill,
                                    out[r0:r1])

        with np.errstate(all="ignore"):  # warnings are the dense stencil's to give
            threads.run(two_pass, len(bands))
        # Finite outputs (checked by the kernel, row by row) mean that every input
        # sample read was finite and no partial sum overflowed: then the two passes
        # equal the definition to rounding. A NaN or infinity must meet each tap as
        # the definition has it (0 * inf is NaN, where a zero tap is only zero to
        # rounding in the factors): redo densely.
        if all(finite):
            return out
    taps = np.ascontiguousarray(h, dtype=dtype)

    def dense(i: int) -> None:
        r0, r1 = bands[i]
        k.dense(image, taps, rmap[r0 : r1 + kh - 1], cmap, pl, fill, out[r0:r1])

    threads.run(dense, len(bands))
    return out


def correlate1d(
    x: np.ndarray,
    h: np.ndarray,
    pad: tuple[int, int],
    boundary: str,
    fillvalue: Any,
    dtype: np.dtype,
) -> np.ndarray:
    """``out[c] = sum_j h[j] * ext[c + j]``, ``ext`` = the 1-D ``x`` extended by ``pad``.

    :func:`correlate2d`'s dense loop on a one-row image, in blocks of columns;
    a long signal's columns are shared among threads.
    """
    k = load()
    image = np.ascontiguousarray(x, dtype=dtype)[None]
    rmap = index_map(1, 0, 0, boundary)
    cmap = index_map(x.shape[0], pad[0], pad[1], boundary)
    taps = np.ascontiguousarray(h, dtype=dtype)[None]
    out = np.empty((1, cmap.size - h.size + 1), dtype=dtype)
    width = out.shape[1]
    chunks = threads.share(cost(out.shape, taps.shape, dtype), width // MIN_CHUNK_COLUMNS)
    pieces = threads.ranges(width, chunks)
    fill = dtype.type(fillvalue)

    def some_columns(i: int) -> None:
        k.dense_columns(image, taps, rmap, cmap, pad[0], fill, out, *pieces[i])

    threads.run(some_columns, chunks)
    return out[0]


def _bands(rows: int, seconds: float) -> list[tuple[int, int]]:
    """Output rows ``[r0, r1)`` of each chunk: one band, or :func:`convdoc.threads.share`'s.

    Band edges fall on even rows, where the kernels' pairs of rows start, so
    every row is computed as in one whole call.
    """
    chunks = threads.share(seconds, rows // MIN_BAND_ROWS)
    edges = sorted({min(rows, 2 * (rows * i // (2 * chunks))) for i in range(chunks)} | {rows})
    return list(itertools.pairwise(edges))


def depthwise2d(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], tuple[int, int]],
    boundary: str,
    dtype: np.dtype,
) -> np.ndarray:
    """A depthwise layer: ``out[c] = correlate2d(x[c], w[c, 0])``, in one compiled call.

    ``x`` is ``(C, H, W)`` and ``w`` ``(C, 1, kh, kw)`` (one kernel per channel,
    ``groups = C``), extended by ``pad`` (non-negative) and ``boundary`` with
    zeros where it is ``"constant"``; stride and dilation 1. Each channel is
    :func:`correlate2d`'s dense loop: every tap multiplied, float32 stays float32.
    """
    k = load()
    x = np.ascontiguousarray(x, dtype=dtype)
    rmap, cmap = _maps(x.shape[1:], pad, boundary)
    pl = pad[1][0]
    kh, kw = w.shape[2:]
    out = np.empty((x.shape[0], rmap.size - kh + 1, cmap.size - kw + 1), dtype=dtype)
    taps = np.ascontiguousarray(w[:, 0], dtype=dtype)
    channels = x.shape[0]
    seconds = channels * cost(out.shape[1:], (kh, kw), dtype)
    chunks = threads.share(seconds, channels)
    pieces = threads.ranges(channels, chunks)

    def some_channels(i: int) -> None:
        c0, c1 = pieces[i]
        k.dense_channels(x[c0:c1], taps[c0:c1], rmap, cmap, pl, dtype.type(0), out[c0:c1])

    threads.run(some_channels, chunks)
    return out


def correlate_channels(
    x: np.ndarray,
    w: np.ndarray,
    pad: tuple[tuple[int, int], tuple[int, int]],
    boundary: str,
    dtype: np.dtype,
    groups: int = 1,
) -> np.ndarray:
    """A layer with few channels: ``out[o] = sum_c correlate2d(x[c], w[o, c])``, compiled.

    ``x`` is ``(C_in, H, W)`` and ``w`` ``(C_out, C_in / groups, kh, kw)``,
    extended by ``pad`` (non-negative) and ``boundary`` with zeros where it is
    ``"constant"``; stride and dilation 1. With ``groups > 1`` output channel
    ``o`` sums over its group's input channels only (``C_out / groups``
    outputs a group, in order). Each output channel is one compiled call
    (:func:`correlate2d`'s dense loop per input channel, summed in channel
    order); the output channels are shared among threads. With 3x3 taps the
    input channels are first copied into their extended grids, once for every
    output channel, and each output row is read from three grid rows.
    """
    k = load()
    x = np.ascontiguousarray(x, dtype=dtype)
    rmap, cmap = _maps(x.shape[1:], pad, boundary)
    pl = pad[1][0]
    c_out, c_in, kh, kw = w.shape
    per_group = c_out // groups  # output channels of a group; its inputs are c_in
    out = np.empty((c_out, rmap.size - kh + 1, cmap.size - kw + 1), dtype=dtype)
    taps = np.ascontiguousarray(w, dtype=dtype)
    seconds = groups * channels_cost(out.shape[1:], (per_group, *w.shape[1:]), dtype)
    chunks = threads.share(seconds, c_out)
    pieces = threads.ranges(c_out, chunks)
    zero = dtype.type(0)
    grids = None
    if kh == kw == 3:
        # Each input channel extended once, for every output channel.
        grids = np.empty((x.shape[0], rmap.size, cmap.size), dtype=dtype)
        k.extend_channels(x, rmap, cmap, pl, zero, grids)

    def some_channels(i: int) -> None:
        for o in range(*pieces[i]):
            first = o // per_group * c_in  # the group's first input channel
            if grids is not None:
                k.dense_sum3x3(grids[first : first + c_in], taps[o], out[o])
            else:
                k.dense_sum(x[first : first + c_in], taps[o], rmap, cmap, pl, zero, out[o])

    threads.run(some_channels, chunks)
    return out


def channels_cost(out_shape: tuple[int, int], w_shape: tuple[int, ...], dtype: np.dtype) -> float:
    """Estimated seconds of :func:`correlate_channels` (one thread).

    A call per output channel, then per output and pair of channels a pass of
    ``kh * kw`` multiply-adds (and the add of each input channel's sums).
    Fitted on 3->8 to 3->64 channels, 32 to 512 px, 3x3 and 5x5, measured alone;
    3x3 taps, which take the extended grids, by their own constants
    (:data:`CHANNEL3X3_SEC_PER_PASS`), fitted after that path was written.
    """
    c_out, c_in = w_shape[:2]
    item = 4 if dtype.itemsize <= 4 else 8
    if tuple(w_shape[2:]) == (3, 3):
        passes = c_out * c_in * math.prod(out_shape)
        return SEC_CALL + c_out * CHANNEL3X3_SEC_CALL + passes * CHANNEL3X3_SEC_PER_PASS[item]
    per_pass = CHANNEL_SEC_PER_OUTPUT[item] + math.prod(w_shape[2:]) * CHANNEL_SEC_PER_MAC[item]
    return SEC_CALL + c_out * CHANNEL_SEC_CALL + c_out * c_in * math.prod(out_shape) * per_pass


def cost(out_shape: tuple[int, int], k: tuple[int, int], dtype: np.dtype, *,
         separable: bool = False) -> float:
    """Estimated seconds of :func:`correlate2d` (kernels loaded): dense, or two passes."""
    outputs = math.prod(out_shape)
    item = 4 if dtype.itemsize <= 4 else 8
    if separable:
        per_output = SEC_PER_OUTPUT_TWO_PASS[item] + (k[0] + k[1]) * SEC_PER_MAC_TWO_PASS[item]
    else:
        per_output = SEC_PER_OUTPUT[item] + k[0] * k[1] * SEC_PER_MAC[item]
    return SEC_CALL + outputs * per_output
