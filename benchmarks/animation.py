"""Time a 100-frame stepped animation written to GIF.

Budget (issue: "a 100-frame animation renders in a few seconds"): the 1-D
sawtooth animation and a 2-D convolution-arithmetic animation, 100 frames each,
written as GIF through Pillow, each in under 5 seconds. The figures move their
existing artists instead of redrawing (``convdoc.plot.animate``), which is what
keeps this cheap. Wall-clock budgets live here, never in the unit tests.

Run from the repository root::

    .venv/bin/python benchmarks/animation.py

Exit status 0 when every case is within budget, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import convdoc
from convdoc.plot import animate, step_figure

BUDGET_S = 5.0
FRAMES = 100


def cases() -> dict[str, convdoc.Trace]:
    """The animations the site would show, each with at least 100 steps."""
    saw = convdoc.sawtooth(200, 50)
    grid = convdoc.sawtooth(144, 12).reshape(12, 12)
    return {
        "1-D sawtooth * Gaussian(21, 3), valid": convdoc.steps(
            saw, convdoc.gaussian_kernel(21, 3.0), mode="valid"
        ),
        "2-D 12x12 conv, 3x3 kernel, padding 1": convdoc.steps(
            grid, convdoc.kernel2d("sharpen"), operation="conv", padding=1
        ),
    }


def main() -> int:
    """Render each case to a temporary GIF, print the time and the verdict."""
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, trace in cases().items():
            figure = step_figure(trace)
            frames = list(range(min(FRAMES, len(trace))))
            path = Path(tmp) / "anim.gif"
            start = time.perf_counter()
            animate(figure, frames).save(path)
            seconds = time.perf_counter() - start
            passed = seconds < BUDGET_S
            ok &= passed
            print(
                f"{name:42s} {len(frames)} frames {seconds:6.2f} s  "
                f"{path.stat().st_size / 1024:6.0f} KiB  budget {BUDGET_S:.0f} s  "
                f"{'PASS' if passed else 'FAIL'}"
            )
            figure.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
