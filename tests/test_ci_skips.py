"""Under CI no test may skip: tests/conftest.py turns a skip into a failure with its reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROBE = """
import pytest

def test_skips_at_run_time():
    pytest.skip("node is missing")

@pytest.mark.skipif(True, reason="chromium is missing")
def test_skipped_by_marker():
    pass

def test_passes():
    pass
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    # The session conftest as it is, with the one helper module it imports.
    for name in ("conftest.py", "chromiumlib.py"):
        shutil.copy(Path(__file__).with_name(name), tmp_path / name)
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_skip_fails_under_ci_with_its_reason(tmp_path: Path) -> None:
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "1 passed" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
    for reason in ("node is missing", "chromium is missing"):
        assert f"which allows no skip: Skipped: {reason}" in result.stdout, result.stdout


def test_a_skip_stays_a_skip_outside_ci(tmp_path: Path) -> None:
    result = _run(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 passed, 2 skipped"), result.stdout
