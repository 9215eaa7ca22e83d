"""Time the plans of convdoc.plans against their cost models (benchmarks/calibrate.py).

The planner ranks plans by estimated seconds; this script times each
applicable direct plan on a grid of problems (single thread, the minimum of
interleaved repeats, so load on a shared machine only ever adds time) and
prints measured and estimated milliseconds side by side, and the ratio. The
constants in each plan's ``cost`` were fitted to runs of this script; rerun it
after changing a plan, and refit when a ratio drifts beyond about 2x.
``--stencil`` does the same for the compiled stencil plan
(:mod:`convdoc.plans.stencil`) on 32x32 to 1024x1024 images, next to the NumPy
direct plan it replaces.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import convdoc
from convdoc.plans import direct, gemm, im2col, planner, stencil, winograd
from convdoc.plans._common import zero_pad

# (C_in, C_out, size, k, stride, padding): CNN layers from tiny to the peers' sizes.
LAYERS = [
    (1, 1, 64, 3, 1, 1),
    (3, 8, 40, 7, 2, 3),
    (16, 8, 14, 3, 1, 1),
    (8, 16, 14, 3, 2, 1),
    (16, 4, 9, 1, 1, 0),
    (3, 64, 224, 7, 2, 3),
    (3, 64, 224, 3, 1, 1),
    (64, 64, 56, 3, 1, 1),
    (128, 128, 28, 3, 1, 1),
    (256, 256, 14, 3, 1, 1),
    (64, 128, 56, 3, 2, 1),
    (256, 64, 56, 1, 1, 0),
    (3, 8, 512, 3, 1, 1),
]


def best_time(fn, repeats: int = 5) -> float:
    fn()
    once = time.perf_counter()
    fn()
    once = time.perf_counter() - once
    number = max(1, int(0.02 / max(once, 1e-7)))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _runs(x, w, pad, stride, out, dtype) -> dict:
    """The direct plans of one layer, ready to time."""
    dil = (1, 1)
    return {
        "gemm": lambda: gemm.correlate(x, w, pad, stride, out, dtype),
        "im2col": lambda: im2col.im2col(zero_pad(x, pad), w, stride, dil, out, dtype),
        "shift_add": lambda: direct.shift_add(zero_pad(x, pad), w, stride, dil, out, dtype),
        "winograd": lambda: winograd.correlate(x, w, pad, out, dtype),
    }


def _numpy_filter(image: np.ndarray, h: np.ndarray, dtype: np.dtype):
    """The cheapest NumPy direct plan on the grid extended by numpy.pad (what runs without)."""
    p = h.shape[0] // 2
    zero, ones, out = ((0, 0), (0, 0)), (1, 1), image.shape

    def run():
        grid = np.pad(image, p, mode="symmetric")[None]
        plan, _ = planner.best_direct(grid, h[None, None], zero, ones, ones, out)
        return planner.run_direct(grid, h[None, None], zero, ones, ones, out, dtype, plan)

    return run


def _stencil_filter(image: np.ndarray, h: np.ndarray, dtype: np.dtype, factors):
    p = h.shape[0] // 2
    pad = ((p, p), (p, p))
    return lambda: stencil.correlate2d(image, h, pad, "symmetric", 0, dtype, factors)


def calibrate_stencil(dtype: np.dtype) -> None:
    """The compiled stencil (dense and two-pass) against :func:`stencil.cost`, and the
    NumPy direct plan the planner would take instead (extension included)."""
    stencil.load()
    rng = np.random.default_rng(0)
    print(f"{'image':<10} {'kernel':<8} {'plan':<9} {'measured ms':>12} {'model ms':>10} "
          f"{'ratio':>6} {'numpy ms':>9}")
    for n in (32, 128, 512, 1024):
        image = rng.random((n, n)).astype(dtype)
        for k in (3, 5, 7, 9):
            h = rng.standard_normal((k, k)).astype(dtype)
            g = rng.random(k) + 0.5
            without = best_time(_numpy_filter(image, h, dtype))
            for plan, factors in (("dense", None), ("two-pass", (g, g))):
                kern = np.outer(g, g).astype(dtype) if factors else h
                t = best_time(_stencil_filter(image, kern, dtype, factors))
                model = stencil.cost((n, n), (k, k), dtype, separable=factors is not None)
                print(f"{n}x{n:<6} {k}x{k:<6} {plan:<9} {t * 1e3:12.3f} {model * 1e3:10.3f} "
                      f"{model / t:6.2f} {without * 1e3:9.3f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--stencil", action="store_true",
                        help="the compiled stencil plan instead of the CNN layers")
    args = parser.parse_args(argv)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        print("note: threadpoolctl missing; set OPENBLAS_NUM_THREADS=1 for single-thread numbers")
    # The prices are one thread's seconds: convdoc's own threads too.
    convdoc.set_num_threads(1)
    dtype = np.dtype(args.dtype)
    if args.stencil:
        calibrate_stencil(dtype)
        return 0
    if stencil.available():
        stencil.load()  # Winograd is priced once numba is loaded
    rng = np.random.default_rng(0)
    print(f"{'layer':<28} {'plan':<10} {'measured ms':>12} {'model ms':>10} {'ratio':>6}")
    for c_in, c_out, size, k, s, p in LAYERS:
        x = rng.standard_normal((c_in, size, size)).astype(dtype)
        w = rng.standard_normal((c_out, c_in, k, k)).astype(dtype)
        pad = ((p, p), (p, p))
        out = ((size + 2 * p - k) // s + 1,) * 2
        stride, dil = (s, s), (1, 1)
        costs = planner.direct_costs(x.shape, w.shape, pad, stride, dil, out, (dtype, dtype))
        runs = _runs(x, w, pad, stride, out, dtype)
        label = f"{c_in}->{c_out} {size}px {k}x{k} s{s}"
        for name, fn in runs.items():
            if name not in costs or costs[name] > 0.5:
                continue
            t = best_time(fn)
            print(f"{label:<28} {name:<10} {t * 1e3:12.3f} {costs[name] * 1e3:10.3f} "
                  f"{costs[name] / t:6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
