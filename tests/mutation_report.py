"""Kill rate per module from the last ``make mutate`` (mutmut 3's ``mutants/*.meta`` files).

Run from the project root: ``python tests/mutation_report.py``. A mutant counts as
killed when a test failed, timed out or crashed on it; the rate is over the mutants
that were checked (``make mutate MUTANTS=...`` may check only some modules). The
surviving mutants are listed by name (``mutmut show NAME`` prints the change) so
they can be reviewed against tests/MUTANTS.md.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

KILLED = {1, 3, -11, -9, 37}
#: Timed out (counted as killed, as mutmut does; shown apart: on a loaded machine a
#: slow run can time out without being wrong).
TIMEOUT = {24, -24, 152, 255, 36}
SURVIVED = {0}
NO_TESTS = {5, 33}


def verdict(exit_code: int | None) -> str:
    """mutmut's exit code for one mutant, as one word."""
    if exit_code is None:
        return "not checked"
    if exit_code in KILLED:
        return "killed"
    if exit_code in TIMEOUT:
        return "timeout"
    if exit_code in SURVIVED:
        return "survived"
    if exit_code in NO_TESTS:
        return "no tests"
    return "other"


def main() -> int:
    metas = sorted((ROOT / "mutants").rglob("*.py.meta"))
    if not metas:
        print("no mutation results: run `make mutate` first", file=sys.stderr)
        return 1
    print(
        f"{'module':28} {'killed':>7} {'timeout':>7} {'survived':>8} {'no tests':>8} "
        f"{'rate':>7}  unchecked"
    )
    survivors: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(verdict(code) for code in codes.values())
        killed = counts["killed"] + counts["timeout"]
        checked = killed + counts["survived"] + counts["no tests"] + counts["other"]
        if not checked:
            continue
        module = meta.relative_to(ROOT / "mutants").as_posix().removesuffix(".meta")
        rate = killed / checked
        print(
            f"{module:28} {counts['killed']:7d} {counts['timeout']:7d} {counts['survived']:8d} "
            f"{counts['no tests']:8d} {rate:7.1%}  {counts['not checked']}"
        )
        survivors += sorted(
            k
            for k, code in codes.items()
            if verdict(code) not in ("killed", "timeout", "not checked")
        )
    if survivors:
        print(f"\n{len(survivors)} not killed (mutmut show NAME):")
        for name in survivors:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
