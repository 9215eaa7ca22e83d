"""Time the plans of convdoc.plans against their cost models (benchmarks/calibrate.py).

The planner ranks plans by estimated seconds; this script times each
applicable direct plan on a grid of problems (single thread, the minimum of
interleaved repeats, so load on a shared machine only ever adds time) and
prints measured and estimated milliseconds side by side, and the ratio. The
constants in each plan's ``cost`` were fitted to runs of this script; rerun it
after changing a plan, and refit when a ratio drifts beyond about 2x.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convdoc.plans import direct, gemm, im2col, planner
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
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args(argv)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        print("note: threadpoolctl missing; set OPENBLAS_NUM_THREADS=1 for single-thread numbers")
    dtype = np.dtype(args.dtype)
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
