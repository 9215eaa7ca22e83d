"""Time a clean build of the site, then a rebuild with nothing changed.

Budgets: the clean build takes under 3 minutes, the no-op rebuild under a
tenth of it (it must re-run no example and no notebook), and no gallery example
takes more than 10 seconds to run (the slowest are printed). The clean build starts
from nothing: no output, no doctrees, no sphinx-gallery outputs, no notebook
cache, so every example and chapter really runs. Wall-clock budgets live here,
not in the unit tests, because they depend on the machine.

Run from the repository root::

    .venv/bin/python benchmarks/build_time.py            # into a temporary directory
    .venv/bin/python benchmarks/build_time.py --keep     # ... and keep it, print where

Exit status 0 when both budgets hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CLEAN_BUDGET_S = 180.0
REBUILD_RATIO_BUDGET = 0.1
EXAMPLE_BUDGET_S = 10.0
# sphinx-gallery's per-example line in the build log: "  - ../examples/x/plot_y.py:  1.23 sec"
EXAMPLE_TIME = re.compile(r"^\s+- (\S+\.py):\s+([\d.]+) sec", re.MULTILINE)

# What a clean build must not find from an earlier one (all generated, gitignored).
GENERATED = [
    DOCS / "auto_examples",
    DOCS / "api" / "generated",
    DOCS / "jupyter_execute",
    DOCS / "_build" / ".jupyter_cache",
]


def build(outdir: Path, doctrees: Path) -> tuple[float, int, str]:
    """Run sphinx-build like ``make html``; return seconds, exit code and log."""
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
        "-d", str(doctrees), str(DOCS), str(outdir),
    ]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result.returncode, result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    """Time both builds, print them and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the built site")
    args = parser.parse_args(argv)

    for path in GENERATED:
        shutil.rmtree(path, ignore_errors=True)
    base = Path(tempfile.mkdtemp(prefix="convdoc-build-"))
    outdir, doctrees = base / "html", base / "doctrees"
    try:
        clean_s, clean_rc, clean_log = build(outdir, doctrees)
        if clean_rc != 0:
            print(clean_log[-5000:])
            print(f"FAIL: the clean build failed (exit code {clean_rc})")
            return 1
        rebuild_s, rebuild_rc, rebuild_log = build(outdir, doctrees)
        if rebuild_rc != 0:
            print(rebuild_log[-5000:])
            print(f"FAIL: the rebuild failed (exit code {rebuild_rc})")
            return 1
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    ratio = rebuild_s / clean_s
    clean_ok = clean_s < CLEAN_BUDGET_S
    ratio_ok = ratio < REBUILD_RATIO_BUDGET
    examples = sorted(
        ((float(t), name) for name, t in EXAMPLE_TIME.findall(clean_log)), reverse=True
    )
    examples_ok = bool(examples) and examples[0][0] <= EXAMPLE_BUDGET_S
    print(f"{len(examples)} examples ran; the slowest:")
    for seconds, name in examples[:5]:
        print(f"  {seconds:6.2f} s  {name}")
    print(f"clean build      {clean_s:7.1f} s   budget {CLEAN_BUDGET_S:.0f} s   "
          f"{'PASS' if clean_ok else 'FAIL'}")  # fmt: skip
    print(f"no-op rebuild    {rebuild_s:7.1f} s   ratio {ratio:.3f}, budget "
          f"{REBUILD_RATIO_BUDGET}   {'PASS' if ratio_ok else 'FAIL'}")  # fmt: skip
    print(f"slowest example  {examples[0][0] if examples else float('nan'):7.1f} s   budget "
          f"{EXAMPLE_BUDGET_S:.0f} s   {'PASS' if examples_ok else 'FAIL'}")  # fmt: skip
    if args.keep:
        print(f"site kept in {outdir}")
    return 0 if clean_ok and ratio_ok and examples_ok else 1


if __name__ == "__main__":
    sys.exit(main())
