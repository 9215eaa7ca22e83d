"""Each gallery script runs on its own, as a reader who downloads it would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, example_sources

EXAMPLES = example_sources()


def test_examples_were_found() -> None:
    # The parametrized test below is generated from a glob; an empty glob
    # would make it vanish instead of failing.
    assert EXAMPLES, "no scripts found in examples/*/"


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_runs_standalone(script: Path, tmp_path: Path) -> None:
    # A fresh directory as cwd: a script must not depend on files next to it.
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{script.name} failed:\n{result.stderr[-4000:]}"
