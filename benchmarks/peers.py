"""convdoc against the peers people use: torch, OpenCV, SciPy (``make bench-peers``).

Usage::

    make bench-peers                                # creates .venv-peers, full run
    make bench-peers PEERS_ARGS="--quick"           # fewer repeats
    .venv-peers/bin/python benchmarks/peers.py --smoke --json /tmp/p.json

``make bench-peers`` installs convdoc with the pinned peers of
``requirements/peers.txt`` (torch, CPU build; opencv-python-headless;
threadpoolctl) into its own ``.venv-peers``: torch never enters ``.venv``,
``make test`` or CI. A peer that cannot be imported is left out with a printed
note, so the harness also runs (with SciPy only) in the main environment.

Contenders: ``convdoc``; ``torch.nn.functional`` on the CPU (``conv2d``,
``conv_transpose2d``, ``max_pool2d``, and ``conv1d`` for the short 1-D kernel
only: seconds per call for the long one); ``cv2.filter2D`` and
``cv2.sepFilter2D``; ``scipy.signal.convolve``/``oaconvolve``/``fftconvolve``
(and ``correlate`` on a grid padded by :func:`numpy.pad`); ``scipy.ndimage``
(``correlate`` and ``correlate1d`` twice for separable kernels);
``numpy.convolve`` for the short 1-D kernel.

Method. Everything runs in one process. Before any timing each case calls every
contender once and checks its result against convdoc's (same shape, and
:func:`numpy.allclose` with a tolerance set by the dtype, see :func:`tolerance`):
a case whose results disagree stops the run, so a fast wrong answer cannot be
timed. Each contender's batch size is set from one timed call so a batch lasts
about ``min_time``. Then ``rounds`` rounds: in each round every contender runs
``batches`` batches, contenders interleaved and the order reversed every
round, so a burst of load on the shared machine hits all alike; the best batch
of each round is kept (load only ever adds time) and the reported time is the
median of those best batches. Ratios are paired: in each round convdoc's best
batch over the fastest peer's best batch of the same round, and the median of
those quotients over the rounds. The rounds are seconds apart and the speed of
the whole virtual machine drifts over seconds; two contenders' batches of one
round see the same machine, so their quotient cancels the drift that a
quotient of medians taken over different rounds keeps. Before each batch the
process sleeps ``settle`` seconds (30 ms; ``--settle``), untimed: torch's OpenMP
workers spin for some milliseconds after each call, and without the pause the
contender timed next
shared the two cores with them (measured: a third busy thread during
convdoc's batches with no pause, none with 30 ms).

Threads. Every case is measured twice: with 1 thread and with all cores
(``os.cpu_count()``). :func:`thread_limits` sets each library's count
explicitly and restores it afterwards: ``torch.set_num_threads(n)`` (torch's
intra-op pool), ``cv2.setNumThreads(n)`` (OpenCV's parallel_for),
``threadpoolctl.threadpool_limits(limits=n)`` (the BLAS and OpenMP pools loaded
in the process: NumPy's OpenBLAS used by convdoc's GEMM plans, and torch's
OpenMP) and ``scipy.fft.set_workers(n)`` (the default ``workers`` of
scipy.fft, used by convdoc's FFT plans and by SciPy's ``fftconvolve``/
``oaconvolve``), and ``convdoc.set_num_threads(n)`` (the threads convdoc's
compiled stencils and layers share their rows and channels among,
:mod:`convdoc.threads`). scipy.ndimage and numpy.convolve are single-threaded.
Outside this harness the same counts are set by the environment before Python
starts: ``OPENBLAS_NUM_THREADS`` and ``OMP_NUM_THREADS`` (torch, OpenCV and
convdoc follow ``OMP_NUM_THREADS`` too; ``CONVDOC_NUM_THREADS`` sets convdoc's
alone).

convdoc's stencil plan is loaded (numba imported, its cached machine code
loaded, about a second once per process) before any case runs: a process that
filters many large images pays that once, and the planner loads it by itself
once the calls would have saved that much, which would otherwise happen in
the middle of some case's timing.

Output: every case with each contender's time and convdoc / best peer; then the
targets of the issue as PASS/FAIL lines, per thread setting:

* ``max-ratio``: no case slower than 2x the best peer;
* ``geomean``: geometric mean of convdoc / best peer at most 1.2x;
* ``1d-long``: 1-D long signal with a long kernel at most 1.0x ``oaconvolve``;
* ``torch-layers``: the 7x7 stride-2 stem, transposed convolution and pooling
  within 2x of torch;
* ``small-2d-opencv``: small (at most 5x5) 2-D kernels on images within 2x of
  OpenCV's best;
* ``float32``: convdoc returns float32 for float32 inputs (as torch).

A JSON file (``--json``, default ``benchmarks/results-peers.json``, not
committed) holds the machine, versions, every time and ratio and the verdicts.
This is not a test: ``tests/test_bench_peers.py`` checks the harness logic.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy import fft as sp_fft
from scipy import ndimage, signal

HERE = Path(__file__).resolve().parent
# Run from a checkout without installing: the package sits next to benchmarks/.
sys.path.insert(0, str(HERE.parent))

import convdoc  # noqa: E402

MAX_RATIO = 2.0
GEOMEAN_RATIO = 1.2
LONG_1D_RATIO = 1.0
TORCH_RATIO = 2.0
OPENCV_RATIO = 2.0
SMALL_KERNEL = 5  # "small 2-D kernels": at most this many taps per side



# ------------------------------------------------------------------------- peers


@dataclass
class Peers:
    """The optional peer modules found in this environment (None when absent)."""

    torch: Any = None
    F: Any = None  # torch.nn.functional
    cv2: Any = None
    threadpoolctl: Any = None
    numba: Any = None  # convdoc's own dependency (its compiled stencils), for the versions
    missing: list[str] = field(default_factory=list)


def load_peers(import_module: Callable[[str], Any] = importlib.import_module) -> Peers:
    """Import torch, cv2 and threadpoolctl if installed; note the missing ones."""
    peers = Peers()
    for attr, name in (("torch", "torch"), ("cv2", "cv2"), ("threadpoolctl", "threadpoolctl")):
        try:
            setattr(peers, attr, import_module(name))
        except ImportError:
            peers.missing.append(name)
    if peers.torch is not None:
        peers.F = import_module("torch.nn.functional")
    return peers


@contextlib.contextmanager
def thread_limits(n: int, peers: Peers) -> Iterator[dict[str, Any]]:
    """Set every library's thread count to ``n``; restore the previous counts on exit.

    Yields what was set, library by library (recorded in the JSON).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    applied: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        if peers.torch is not None:
            old = peers.torch.get_num_threads()
            peers.torch.set_num_threads(n)
            stack.callback(peers.torch.set_num_threads, old)
            applied["torch"] = n
        if peers.cv2 is not None:
            old = peers.cv2.getNumThreads()
            peers.cv2.setNumThreads(n)
            stack.callback(peers.cv2.setNumThreads, old)
            applied["cv2"] = n
        if peers.threadpoolctl is not None:
            stack.enter_context(peers.threadpoolctl.threadpool_limits(limits=n))
            applied["blas/openmp"] = n
        stack.enter_context(sp_fft.set_workers(n))
        applied["scipy.fft workers"] = n
        stack.callback(convdoc.set_num_threads, convdoc.set_num_threads(n))
        applied["convdoc"] = n
        yield applied


# ------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One problem, the functions that solve it and how to read their results.

    ``convert`` maps a contender to a function turning its result into a NumPy
    array comparable with convdoc's (a torch tensor, a batch of one).
    """

    group: str
    label: str
    dtype: str
    contenders: dict[str, Callable[[], Any]]
    convert: dict[str, Callable[[Any], np.ndarray]] = field(default_factory=dict)
    kernel: int = 0  # taps per side of a 2-D image filter (0: not a filter)
    times: dict[str, float] = field(default_factory=dict)
    # Each contender's best batch per round: rounds[a][i] and rounds[b][i] were
    # timed in the same round, interleaved.
    rounds: dict[str, list[float]] = field(default_factory=dict)
    result_dtype: str = ""
    result_shape: tuple[int, ...] = ()

    def peers(self) -> list[str]:
        return [name for name in self.contenders if name != "convdoc"]


def ratio(
    times: dict[str, float],
    among: list[str] | None = None,
    rounds: dict[str, list[float]] | None = None,
) -> tuple[float, str]:
    """convdoc's time over the fastest peer's (among ``among`` if given), and that peer.

    The fastest peer is the one of least ``times``. With ``rounds`` (each
    contender's time in every round), the ratio is the median over the rounds
    of convdoc's time over that peer's in the same round; else the quotient of
    ``times``.
    """
    if "convdoc" not in times:
        raise ValueError(f"times must hold convdoc's time, got {sorted(times)}")
    names = [n for n in times if n != "convdoc" and (among is None or n in among)]
    if not names:
        raise ValueError(f"no peer among {among!r} in {sorted(times)}")
    best = min(names, key=lambda n: times[n])
    ours, theirs = (rounds or {}).get("convdoc"), (rounds or {}).get(best)
    if ours and theirs and len(ours) == len(theirs):
        return statistics.median(a / b for a, b in zip(ours, theirs, strict=True)), best
    return times["convdoc"] / times[best], best


def geomean(values: list[float]) -> float:
    """Geometric mean of positive numbers."""
    if not values or any(v <= 0 for v in values):
        raise ValueError(f"values must be positive and not empty, got {values!r}")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def tolerance(dtype: Any) -> tuple[float, float]:
    """(rtol, atol relative to the largest magnitude) for comparing results of ``dtype``.

    float32 results of different summation orders (GEMM blocking, FFT, Winograd)
    differ by a few hundred units in the last place of the largest value;
    float64 ones by far less.
    """
    dt = np.dtype(dtype)
    if dt == np.float32:
        return 1e-4, 1e-4
    if dt == np.float64:
        return 1e-9, 1e-10
    raise ValueError(f"dtype must be float32 or float64, got {dt}")


class Disagreement(AssertionError):
    """A contender computed something else than convdoc: its timing would be void."""


def check_agreement(case: Case) -> dict[str, np.ndarray]:
    """Run every contender once; raise :class:`Disagreement` unless all equal convdoc's."""
    results = {}
    for name, fn in case.contenders.items():
        value = fn()
        results[name] = np.asarray(case.convert.get(name, np.asarray)(value))
    ours = results["convdoc"]
    case.result_dtype = str(ours.dtype)
    case.result_shape = ours.shape
    rtol, atol = tolerance(case.dtype)
    scale = max(1.0, float(np.max(np.abs(ours)))) if ours.size else 1.0
    for name, value in results.items():
        if value.shape != ours.shape:
            raise Disagreement(
                f"{case.label}: {name} returns shape {value.shape}, convdoc {ours.shape}"
            )
        a, b = value.astype(np.float64), ours.astype(np.float64)
        if not np.allclose(a, b, rtol=rtol, atol=atol * scale):
            err = float(np.max(np.abs(a - b)))
            raise Disagreement(
                f"{case.label}: {name} differs from convdoc by up to {err:.3g} "
                f"(tolerance rtol={rtol}, atol={atol * scale:.3g})"
            )
    return results


def _rng() -> np.random.Generator:
    return np.random.default_rng(20261203)


def _tensor(peers: Peers, a: np.ndarray) -> Any:
    return peers.torch.from_numpy(np.ascontiguousarray(a))


def _first(t: Any) -> np.ndarray:
    return t[0].numpy()


def layer_cases(peers: Peers, scale: float = 1.0) -> list[Case]:
    """CNN layers on one image (C, H, W) in float32; torch gets a batch of one.

    ``scale`` shrinks the spatial sizes (``--smoke``).
    """
    rng = _rng()

    def px(n: int) -> int:
        return max(8, int(n * scale))

    specs = [
        # group, label, c_in, c_out, size, k, stride, padding
        ("stem", "conv2d 3->64 {n}x{n} 7x7 s2 p3 (ResNet stem)", 3, 64, px(224), 7, 2, 3),
        ("layer", "conv2d 3->64 {n}x{n} 3x3 p1", 3, 64, px(224), 3, 1, 1),
        ("layer", "conv2d 64->64 {n}x{n} 3x3 p1", 64, 64, px(56), 3, 1, 1),
        ("layer", "conv2d 128->128 {n}x{n} 3x3 p1", 128, 128, px(28), 3, 1, 1),
        ("layer", "conv2d 256->256 {n}x{n} 3x3 p1", 256, 256, px(14), 3, 1, 1),
        ("layer", "conv2d 64->128 {n}x{n} 3x3 s2 p1 (strided)", 64, 128, px(56), 3, 2, 1),
        ("layer", "conv2d 256->64 {n}x{n} 1x1", 256, 64, px(56), 1, 1, 0),
    ]
    if scale < 1:
        specs = [(g, lab, min(ci, 8), min(co, 8), *rest) for g, lab, ci, co, *rest in specs]
    cases = []
    for group, label, c_in, c_out, n, k, s, p in specs:
        x = rng.standard_normal((c_in, n, n)).astype(np.float32)
        w = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
        contenders: dict[str, Callable[[], Any]] = {
            "convdoc": lambda x=x, w=w, s=s, p=p: convdoc.conv2d(x, w, stride=s, padding=p)
        }
        convert = {}
        if peers.torch is not None:
            xt, wt = _tensor(peers, x[None]), _tensor(peers, w)
            contenders["torch"] = lambda xt=xt, wt=wt, s=s, p=p: peers.F.conv2d(
                xt, wt, stride=s, padding=p
            )
            convert["torch"] = _first
        cases.append(Case(group, label.format(n=n), "float32", contenders, convert))

    # Depthwise 3x3 (MobileNet's block): one kernel per channel, groups = channels.
    c, n = (32, px(112)) if scale >= 1 else (4, px(112))
    x = rng.standard_normal((c, n, n)).astype(np.float32)
    w = rng.standard_normal((c, 1, 3, 3)).astype(np.float32)
    contenders = {
        "convdoc": lambda x=x, w=w, c=c: convdoc.conv2d(x, w, padding=1, groups=c),
    }
    convert = {}
    if peers.torch is not None:
        xt, wt = _tensor(peers, x[None]), _tensor(peers, w)
        contenders["torch"] = lambda xt=xt, wt=wt, c=c: peers.F.conv2d(
            xt, wt, padding=1, groups=c
        )
        convert["torch"] = _first
    label = f"depthwise conv2d {c}x{n}x{n} 3x3 p1 groups={c}"
    cases.append(Case("layer", label, "float32", contenders, convert))

    # Transposed 4x4 stride 2 (the DCGAN/U-Net upsampling layer).
    c_in, c_out, n = (64, 32, px(28)) if scale >= 1 else (8, 4, px(28))
    x = rng.standard_normal((c_in, n, n)).astype(np.float32)
    w = rng.standard_normal((c_in, c_out, 4, 4)).astype(np.float32)
    contenders = {
        "convdoc": lambda x=x, w=w: convdoc.conv_transpose2d(x, w, stride=2, padding=1),
    }
    convert = {}
    if peers.torch is not None:
        xt, wt = _tensor(peers, x[None]), _tensor(peers, w)
        contenders["torch"] = lambda xt=xt, wt=wt: peers.F.conv_transpose2d(
            xt, wt, stride=2, padding=1
        )
        convert["torch"] = _first
    label = f"conv_transpose2d {c_in}->{c_out} {n}x{n} 4x4 s2 p1"
    cases.append(Case("transposed", label, "float32", contenders, convert))

    # Max pooling after the stem.
    c, n = (64, px(112)) if scale >= 1 else (8, px(112))
    xp = rng.standard_normal((c, n, n)).astype(np.float32)
    contenders = {"convdoc": lambda xp=xp: convdoc.max_pool2d(xp, 3, stride=2, padding=1)}
    convert = {}
    if peers.torch is not None:
        xpt = _tensor(peers, xp[None])
        contenders["torch"] = lambda xpt=xpt: peers.F.max_pool2d(xpt, 3, stride=2, padding=1)
        convert["torch"] = _first
    label = f"max_pool2d {c}x{n}x{n} 3x3 s2 p1"
    cases.append(Case("pool", label, "float32", contenders, convert))

    # The reader's single image, unbatched for both (torch accepts (C, H, W)).
    n = px(512)
    photo = rng.random((3, n, n)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    contenders = {"convdoc": lambda photo=photo, w=w: convdoc.conv2d(photo, w, padding=1)}
    if peers.torch is not None:
        pt, wt = _tensor(peers, photo), _tensor(peers, w)
        contenders["torch"] = lambda pt=pt, wt=wt: peers.F.conv2d(pt, wt, padding=1)
    convert = {"torch": lambda t: t.numpy()}
    label = f"single image: conv2d 3->8 {n}x{n} 3x3 p1, unbatched"
    cases.append(Case("single", label, "float32", contenders, convert))
    return cases


def _gaussian(size: int) -> np.ndarray:
    return convdoc.gaussian_kernel(size, size / 6)


def filter_cases(
    peers: Peers, n: int = 1024, gaussians: tuple[int, ...] = (3, 5, 7, 15, 31)
) -> list[Case]:
    """Image filters on an n x n image, float32 and float64, symmetric boundary.

    The boundary is the mirror with the edge sample repeated: convdoc's
    ``"symmetric"``, OpenCV's ``BORDER_REFLECT``, scipy.ndimage's ``"reflect"``,
    :func:`numpy.pad`'s ``"symmetric"``. All kernels are odd, so every library
    centres them alike.
    """
    rng = _rng()
    named: list[tuple[str, np.ndarray, np.ndarray | None]] = [
        ("3x3 random", rng.standard_normal((3, 3)), None),
        ("5x5 random", rng.standard_normal((5, 5)), None),
        ("Sobel 3x3", np.asarray(convdoc.kernel2d("sobel_x")), None),
        ("Laplacian 3x3", np.asarray(convdoc.kernel2d("laplacian")), None),
    ]
    for k in gaussians:
        g = _gaussian(k)
        named.append((f"Gaussian {k}x{k}", np.outer(g, g), g))
    cases = []
    for dtype in (np.float32, np.float64):
        image = rng.random((n, n)).astype(dtype)
        for name, kernel, g in named:
            kern = kernel.astype(dtype)
            k = kern.shape[0]
            p = k // 2
            contenders: dict[str, Callable[[], Any]] = {
                "convdoc": lambda a=image, h=kern: convdoc.correlate(
                    a, h, "same", boundary="symmetric"
                ),
                "scipy.signal (padded)": lambda a=image, h=kern, p=p: signal.correlate(
                    np.pad(a, p, mode="symmetric"), h, "valid"
                ),
            }
            if k <= 7:  # a 2-D ndimage pass costs k*k per pixel: minutes at 31x31
                contenders["ndimage.correlate"] = lambda a=image, h=kern: ndimage.correlate(
                    a, h, mode="reflect"
                )
            if g is not None:
                g1 = g.astype(dtype)
                contenders["ndimage separable"] = lambda a=image, g1=g1: ndimage.correlate1d(
                    ndimage.correlate1d(a, g1, axis=0, mode="reflect"), g1, axis=1, mode="reflect"
                )
            if peers.cv2 is not None:
                cv2 = peers.cv2
                contenders["cv2.filter2D"] = lambda a=image, h=kern, cv2=cv2: cv2.filter2D(
                    a, -1, h, borderType=cv2.BORDER_REFLECT
                )
                if g is not None:
                    g1 = g.astype(dtype)
                    contenders["cv2.sepFilter2D"] = lambda a=image, g1=g1, cv2=cv2: cv2.sepFilter2D(
                        a, -1, g1, g1, borderType=cv2.BORDER_REFLECT
                    )
            label = f"{name} on {n}x{n} {np.dtype(dtype).name}"
            cases.append(Case("filter", label, np.dtype(dtype).name, contenders, kernel=k))
    return cases


def signal_cases(
    peers: Peers, n: int = 1_000_000, kernels: tuple[int, ...] = (11, 1001)
) -> list[Case]:
    """Long 1-D signals, full convolution, float64."""
    rng = _rng()
    x = rng.standard_normal(n)
    cases = []
    for k in kernels:
        h = rng.standard_normal(k)
        contenders: dict[str, Callable[[], Any]] = {
            "convdoc": lambda h=h: convdoc.convolve(x, h, "full"),
            "scipy.convolve": lambda h=h: signal.convolve(x, h, "full"),
            "oaconvolve": lambda h=h: signal.oaconvolve(x, h, "full"),
            "fftconvolve": lambda h=h: signal.fftconvolve(x, h, "full"),
        }
        if k <= 101:
            contenders["numpy.convolve"] = lambda h=h: np.convolve(x, h, "full")
        convert = {}
        # torch's direct conv1d takes seconds per call for a 1001-tap kernel on 10^6
        # samples (17 s measured): no one's 1-D peer there, and it would eat the run.
        if peers.torch is not None and k <= 101:
            xt = _tensor(peers, x[None, None])
            ht = _tensor(peers, h[::-1].copy()[None, None])
            contenders["torch"] = lambda xt=xt, ht=ht, k=k: peers.F.conv1d(xt, ht, padding=k - 1)
            convert["torch"] = lambda t: t[0, 0].numpy()
        group = "1d-long" if k > 50 else "1d-short"
        cases.append(Case(group, f"1-D n={n} k={k} full", "float64", contenders, convert))
    return cases


# ------------------------------------------------------------------------ timing


def _calibrate(fn: Callable[[], Any], min_time: float, clock: Callable[[], float]) -> int:
    if min_time <= 0:
        return 1
    start = clock()
    fn()
    once = max(clock() - start, 1e-7)
    return max(1, int(min_time / once))


def time_case(
    case: Case,
    rounds: int,
    batches: int,
    min_time: float,
    clock: Callable[[], float] = time.perf_counter,
    settle: float = 0.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> dict[str, float]:
    """Seconds per call of each contender: the median over rounds of each round's best batch.

    Contenders are interleaved batch by batch, the order reversed every round.
    Before each batch the process sleeps ``settle`` seconds (not timed): the
    worker threads the previous contender left spinning go to sleep, so no
    contender's batch starts on cores another library's threads still hold.
    """
    names = list(case.contenders)
    number = {name: _calibrate(case.contenders[name], min_time, clock) for name in names}
    best_of_round: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        samples: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(batches):
            for name in order:
                fn, count = case.contenders[name], number[name]
                if settle > 0:
                    sleep(settle)
                start = clock()
                for _ in range(count):
                    fn()
                samples[name].append((clock() - start) / count)
        for name in names:
            best_of_round[name].append(min(samples[name]))
    case.rounds = best_of_round
    case.times = {name: statistics.median(v) for name, v in best_of_round.items()}
    return case.times


# ----------------------------------------------------------------------- targets


@dataclass
class Verdict:
    target: str
    threads: int
    passed: bool
    detail: str

    def line(self) -> str:
        word = "PASS" if self.passed else "FAIL"
        return f"{word}  {self.target} [{self.threads} thread(s)]: {self.detail}"


def evaluate(cases: list[Case], threads: int) -> list[Verdict]:
    """The issue's targets as verdicts, from cases timed with ``threads`` threads.

    A target with no case to judge (a peer missing) is left out, never passed.
    """
    verdicts = []
    timed = [c for c in cases if c.times and len(c.times) > 1]
    ratios = [(ratio(c.times, rounds=c.rounds)[0], c) for c in timed]
    if ratios:
        worst, case = max(ratios, key=lambda rc: rc[0])
        verdicts.append(
            Verdict(
                "max-ratio",
                threads,
                worst <= MAX_RATIO,
                f"worst convdoc/best peer = {worst:.2f}x ({case.label}); "
                f"target <= {MAX_RATIO}x over {len(ratios)} cases",
            )
        )
        gm = geomean([r for r, _ in ratios])
        verdicts.append(
            Verdict(
                "geomean",
                threads,
                gm <= GEOMEAN_RATIO,
                f"geometric mean convdoc/best peer = {gm:.2f}x; target <= {GEOMEAN_RATIO}x",
            )
        )

    def worst_against(
        name: str, selected: list[Case], among: Callable[[Case], list[str]], limit: float
    ) -> None:
        rs = []
        for c in selected:
            peers = among(c)
            if peers:
                rs.append((ratio(c.times, peers, c.rounds)[0], c))
        if rs:
            worst, case = max(rs, key=lambda rc: rc[0])
            verdicts.append(
                Verdict(
                    name,
                    threads,
                    worst <= limit,
                    f"worst = {worst:.2f}x ({case.label}); target <= {limit}x over {len(rs)} cases",
                )
            )

    worst_against(
        "1d-long",
        [c for c in timed if c.group == "1d-long"],
        lambda c: [n for n in c.times if n == "oaconvolve"],
        LONG_1D_RATIO,
    )
    worst_against(
        "torch-layers",
        [c for c in timed if c.group in ("stem", "transposed", "pool")],
        lambda c: [n for n in c.times if n == "torch"],
        TORCH_RATIO,
    )
    worst_against(
        "small-2d-opencv",
        [c for c in timed if c.group == "filter" and 0 < c.kernel <= SMALL_KERNEL],
        lambda c: [n for n in c.times if n.startswith("cv2.")],
        OPENCV_RATIO,
    )
    f32 = [c for c in cases if c.dtype == "float32" and c.result_dtype]
    if f32:
        changed = [c.label for c in f32 if c.result_dtype != "float32"]
        detail = (
            f"all {len(f32)} float32 cases return float32"
            if not changed
            else f"{len(changed)} of {len(f32)} float32 cases return another dtype, "
            f"e.g. {changed[0]}"
        )
        verdicts.append(Verdict("float32", threads, not changed, detail))
    return verdicts


# ----------------------------------------------------------------------- running

#: Seconds of sleep before each timed batch (full and quick runs): torch's OpenMP
#: workers spin for milliseconds after each call, and a contender timed right after
#: torch ran with one of the two cores still held by them (measured: a third thread
#: busy during convdoc's batches without the pause, none with 30 ms).
SETTLE = 0.03
SETTINGS: dict[str, dict[str, Any]] = {
    "full": {
        "rounds": 5,
        "batches": 3,
        "min_time": 0.05,
        "settle": SETTLE,
        "scale": 1.0,
        "image": 1024,
        "n1d": 1_000_000,
        "gaussians": (3, 5, 7, 15, 31),
    },
    "quick": {
        "rounds": 3,
        "batches": 2,
        "min_time": 0.02,
        "settle": SETTLE,
        "scale": 1.0,
        "image": 1024,
        "n1d": 1_000_000,
        "gaussians": (3, 5, 7, 15, 31),
    },
    "smoke": {
        "rounds": 1,
        "batches": 1,
        "settle": 0.0,
        "min_time": 0.0,
        "scale": 0.1,
        "image": 32,
        "n1d": 2_000,
        "gaussians": (3, 7),
    },
}


def build_cases(peers: Peers, setting: dict[str, Any]) -> list[Case]:
    return [
        *layer_cases(peers, setting["scale"]),
        *filter_cases(peers, setting["image"], setting["gaussians"]),
        *signal_cases(peers, setting["n1d"], (11, 101 if setting["n1d"] < 10_000 else 1001)),
    ]


def report_case(case: Case) -> str:
    t = case.times
    if len(t) < 2:
        return f"  {case.label}: convdoc {t['convdoc'] * 1e3:.3f} ms (no peer)"
    r, best = ratio(t, rounds=case.rounds)
    others = ", ".join(f"{n} {v * 1e3:.3f}" for n, v in t.items() if n != "convdoc")
    return (
        f"  {r:6.2f}x vs {best:<22} {case.label}: convdoc {t['convdoc'] * 1e3:.3f} ms; {others} ms"
    )


def to_json(runs: dict[int, tuple[list[Case], list[Verdict]]], mode: str, peers: Peers) -> dict:
    """The results as a JSON-ready dict: one entry per thread setting."""
    versions = {"numpy": np.__version__, "scipy": scipy.__version__}
    if peers.torch is not None:
        versions["torch"] = peers.torch.__version__
    if peers.cv2 is not None:
        versions["cv2"] = peers.cv2.__version__
    if peers.numba is not None:
        versions["numba"] = peers.numba.__version__
    out: dict[str, Any] = {
        "mode": mode,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "versions": versions,
        "missing_peers": list(peers.missing),
        "notes": [],
        "runs": [],
    }
    for threads, (cases, verdicts) in runs.items():
        rows = []
        for c in cases:
            row: dict[str, Any] = {
                "group": c.group,
                "label": c.label,
                "dtype": c.dtype,
                "result_dtype": c.result_dtype,
                "result_shape": list(c.result_shape),
                "seconds": dict(c.times),
            }
            if len(c.times) > 1:
                r, best = ratio(c.times, rounds=c.rounds)
                row.update(ratio=r, best_peer=best)
            rows.append(row)
        out["runs"].append(
            {
                "threads": threads,
                "cases": rows,
                "targets": [
                    {"target": v.target, "passed": v.passed, "detail": v.detail} for v in verdicts
                ],
            }
        )
    return out


def run(
    mode: str,
    threads: list[int],
    json_path: Path | None,
    peers: Peers,
    only: list[str] | None = None,
    settle: float | None = None,
) -> dict:
    setting = dict(SETTINGS[mode])
    if settle is not None:
        if not settle >= 0:
            raise ValueError(f"settle must be a non-negative number of seconds, got {settle!r}")
        setting["settle"] = settle
    if peers.missing:
        print(f"note: not installed, left out: {', '.join(peers.missing)}")
    if peers.numba is not None:
        print(f"convdoc's compiled stencils loaded (numba {peers.numba.__version__})")
    cases_by_threads: dict[int, tuple[list[Case], list[Verdict]]] = {}
    for n in threads:
        cases = build_cases(peers, setting)
        if only:
            cases = [c for c in cases if c.group in only]
        with thread_limits(n, peers) as applied:
            print(f"\n== {n} thread(s): {applied}")
            for case in cases:
                check_agreement(case)
            for case in cases:
                time_case(
                    case,
                    setting["rounds"],
                    setting["batches"],
                    setting["min_time"],
                    settle=setting["settle"],
                )
                print(report_case(case), flush=True)
        cases_by_threads[n] = (cases, evaluate(cases, n))
    print()
    for _, verdicts in cases_by_threads.values():
        for v in verdicts:
            print(v.line())
    data = to_json(cases_by_threads, mode, peers)
    data["settle_seconds"] = setting["settle"]
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=2))
        print(f"\nwrote {json_path}")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="fewer rounds and shorter batches")
    group.add_argument("--smoke", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results-peers.json",
        help="where to write the results (default benchmarks/results-peers.json)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=None,
        help="thread settings (default: 1 and all cores)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=None,
        choices=["stem", "layer", "transposed", "pool", "single", "filter", "1d-short", "1d-long"],
        help="run only the cases of these groups (e.g. --only filter)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"sleep before each timed batch (default {SETTLE} s; 0 for none)",
    )
    parser.add_argument(
        "--no-stencil",
        action="store_true",
        help="leave convdoc's compiled stencil plan out (the NumPy plans alone: before/after)",
    )
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    cores = os.cpu_count() or 1
    threads = args.threads or sorted({1, cores})
    peers = load_peers()
    from convdoc.plans import stencil

    if args.no_stencil:
        stencil._available = False
        print("convdoc's compiled stencil plan left out (--no-stencil)")
    elif stencil.available():
        stencil.load()
        peers.numba = importlib.import_module("numba")
    run(mode, threads, args.json, peers, args.only, args.settle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
