"""What a reader downloads from the site runs, exactly as downloaded.

Every ``.py`` and ``.ipynb`` the build offers (sphinx-gallery's per-example
files under ``_downloads/``, the chapters' notebook and script under
``downloads/``) is taken from the built folder, not from the sources, and run
in a scratch directory: scripts with ``MPLBACKEND=Agg``, notebooks top to
bottom with nbclient on the venv's own kernel. The "download all" zips hold the
same files. Files with identical content run once; two run at a time.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, chapter_sources, example_sources

pytestmark = pytest.mark.site

#: Seconds one file may take; the slowest example runs in about ten.
TIMEOUT = 600
#: The machine has two cores; more workers would only queue.
WORKERS = 2

# Runs one notebook in its own process, so notebooks run side by side.
_RUN_NOTEBOOK = """
import sys
import nbformat
from nbclient import NotebookClient
path, cwd, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=timeout, kernel_name="python3",
               resources={"metadata": {"path": cwd}}).execute()
"""


def _env() -> dict[str, str]:
    # A reader runs the files next to an installed convdoc; the working tree stands in.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}


def downloads(site: Path, suffix: str) -> dict[str, Path]:
    """Downloadable files with a suffix, one per distinct content: sha256 -> path."""
    found: dict[str, Path] = {}
    for folder in ("_downloads", "downloads"):
        for path in sorted((site / folder).rglob(f"*{suffix}")):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return found


def _run(command: list[str], cwd: Path) -> str | None:
    """Run a command; None on success, else the end of its error output."""
    try:
        result = subprocess.run(
            command, cwd=cwd, env=_env(), capture_output=True, text=True,
            timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"no result after {TIMEOUT} s"
    if result.returncode != 0:
        return (result.stderr or result.stdout)[-3000:]
    return None


def _run_all(jobs: dict[str, list[str]], scratch: Path) -> dict[str, str]:
    """Run named commands, each in its own scratch directory; return the failures."""

    def one(item: tuple[int, tuple[str, list[str]]]) -> tuple[str, str | None]:
        number, (name, command) = item
        cwd = scratch / f"run{number}"
        cwd.mkdir()
        return name, _run(command, cwd)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = pool.map(one, enumerate(sorted(jobs.items())))
    return {name: error for name, error in results if error is not None}


def test_every_example_and_chapter_is_offered_as_script_and_notebook(site: Path) -> None:
    names = {
        suffix: {p.stem for p in downloads(site, suffix).values()} for suffix in (".py", ".ipynb")
    }
    wanted = {p.stem for p in example_sources()} | {p.stem for p in chapter_sources()}
    assert wanted, "no examples or chapters found in the sources"
    for suffix, offered in names.items():
        assert wanted <= offered, f"no {suffix} download for {sorted(wanted - offered)}"


def test_download_all_zips_hold_the_single_downloads(site: Path) -> None:
    zips = sorted(site.glob("_downloads/**/*.zip"))
    assert zips, "no 'download all examples' zip in the build"
    for suffix in (".py", ".ipynb"):
        single = set(downloads(site, suffix))
        for archive in zips:
            with zipfile.ZipFile(archive) as z:
                members = [m for m in z.namelist() if m.endswith(suffix)]
                # Each zipped file is byte-identical to a file offered on its own.
                stray = [m for m in members if hashlib.sha256(z.read(m)).hexdigest() not in single]
            assert not stray, f"{archive.name}: {stray} differ from the single downloads"


@pytest.mark.slow
def test_every_downloaded_script_runs_standalone(site: Path, tmp_path: Path) -> None:
    scripts = downloads(site, ".py")
    assert scripts, "the build offers no .py download"
    jobs = {p.relative_to(site).as_posix(): [sys.executable, str(p)] for p in scripts.values()}
    failed = _run_all(jobs, tmp_path)
    report = "\n\n".join(f"== {name}\n{error}" for name, error in failed.items())
    assert not failed, f"{len(failed)} of {len(jobs)} downloaded scripts fail:\n{report}"


def test_notebooks_run_on_the_venv_kernel() -> None:
    # The "python3" kernel spec says plain "python"; jupyter_client must swap in
    # this interpreter, or the notebooks would run without the pinned packages.
    from jupyter_client import KernelManager

    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(command[0]).resolve() == Path(sys.executable).resolve(), command


@pytest.mark.slow
def test_every_downloaded_notebook_executes_top_to_bottom(site: Path, tmp_path: Path) -> None:
    notebooks = downloads(site, ".ipynb")
    assert notebooks, "the build offers no .ipynb download"
    runner = [sys.executable, "-c", _RUN_NOTEBOOK]
    jobs = {
        p.relative_to(site).as_posix(): [*runner, str(p), ".", str(TIMEOUT)]
        for p in notebooks.values()
    }
    failed = _run_all(jobs, tmp_path)
    report = "\n\n".join(f"== {name}\n{error}" for name, error in failed.items())
    assert not failed, f"{len(failed)} of {len(jobs)} downloaded notebooks fail:\n{report}"
