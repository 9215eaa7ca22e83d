"""What a reader downloads from the site runs, exactly as downloaded.

Every ``.py`` and ``.ipynb`` the build offers (sphinx-gallery's per-example
files under ``_downloads/``, the chapters' notebook and script under
``downloads/``) is taken from the built folder, not from the sources. The
"download all" zips hold the same files. Nothing already run is run again: the
example scripts offered are
byte-identical to the examples (which tests/test_examples_standalone.py runs from a
scratch folder), the notebooks hold the very statements the build executed, and
only the chapters' converted scripts run here, once each, two at a time.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, chapter_sources, example_sources
from myst_nb.core.read import read_myst_markdown_notebook

pytestmark = pytest.mark.site

#: Seconds one file may take; the slowest example runs in about ten.
TIMEOUT = 600
#: The machine has two cores; more workers would only queue.
WORKERS = 2


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


def test_downloaded_example_scripts_are_the_examples_byte_for_byte(site: Path) -> None:
    # tests/test_examples_standalone.py runs each example from a scratch directory,
    # as a reader runs the download; identical bytes make that run count for both.
    sources = {p.name: p.read_bytes() for p in example_sources()}
    offered = sorted((site / "_downloads").rglob("*.py"))
    assert {p.name for p in offered} == set(sources), "gallery downloads and examples differ"
    differ = [p.name for p in offered if p.read_bytes() != sources[p.name]]
    assert not differ, f"downloads that are not byte-identical to the example: {differ}"


@pytest.mark.slow
def test_every_downloaded_chapter_script_runs_standalone(site: Path, tmp_path: Path) -> None:
    # A chapter's script is a conversion (cells joined, glue made optional), not a
    # copy, so it runs once here; the build ran the chapter's cells in a kernel.
    scripts = sorted((site / "downloads").rglob("*.py"))
    assert {p.stem for p in scripts} == {p.stem for p in chapter_sources()}
    jobs = {p.relative_to(site).as_posix(): [sys.executable, str(p)] for p in scripts}
    failed = _run_all(jobs, tmp_path)
    report = "\n\n".join(f"== {name}\n{error}" for name, error in failed.items())
    assert not failed, f"{len(failed)} of {len(jobs)} downloaded scripts fail:\n{report}"


def test_notebooks_run_on_the_venv_kernel() -> None:
    # The "python3" kernel spec says plain "python"; jupyter_client must swap in
    # this interpreter, or the notebooks would run without the pinned packages.
    from jupyter_client import KernelManager

    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(command[0]).resolve() == Path(sys.executable).resolve(), command


def _statements(code: str) -> list[str]:
    """The code's top-level statements, compared by syntax tree (comments and layout aside).

    The glue import, which the chapter downloads wrap in ``try``/``except ImportError``
    (tests/site/test_ext.py runs that fallback), counts as the plain import.
    """
    kept = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers
        ):
            node = node.body[0]
        kept.append(ast.dump(node))
    return kept


def _without_ignored_blocks(script: str) -> str:
    """The script less its ``sphinx_gallery_start_ignore``..``end_ignore`` blocks.

    Indented blocks (checks inside a loop) count too, as sphinx-gallery's own
    pattern strips them from the notebook.
    """
    return re.sub(
        r"^[ \t]*#\s*sphinx_gallery_start_ignore.*?^[ \t]*#\s*sphinx_gallery_end_ignore[^\n]*\n?",
        "",
        script,
        flags=re.MULTILINE | re.DOTALL,
    )


def _notebook_code(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_downloaded_notebooks_hold_the_code_that_ran(site: Path) -> None:
    """Each .ipynb holds, cell for cell, the code the build ran; so none is run again.

    The build ran every chapter's cells in a Jupyter kernel in a scratch folder
    (MyST-NB, ``nb_execution_in_temp``) and every example script; a notebook with
    the same statements in the same order runs the same way. A notebook has no
    ``__file__``, so no code may use it.
    """
    problems = []
    for example in example_sources():
        found = list((site / "_downloads").rglob(f"{example.stem}.ipynb"))
        assert len(found) == 1, (example.name, found)
        cells = _notebook_code(found[0])
        script = example.read_text(encoding="utf-8")
        body = ast.parse(script).body
        docstring = ast.get_docstring(ast.Module(body=body[:1], type_ignores=[]))
        expected = _statements(_without_ignored_blocks(script))[1 if docstring else 0 :]
        if _statements("\n".join(cells)) != expected:
            problems.append(f"{found[0].name}: code cells differ from {example.name}")
        problems += [f"{found[0].name} uses __file__" for c in cells if "__file__" in c]
    for chapter in chapter_sources():
        path = site / "downloads" / "tutorial" / f"{chapter.stem}.ipynb"
        cells = _notebook_code(path)
        source = read_myst_markdown_notebook(chapter.read_text(encoding="utf-8"))
        expected = [c.source for c in source.cells if c.cell_type == "code"]
        if [_statements(c) for c in cells] != [_statements(c) for c in expected]:
            problems.append(f"{path.name}: code cells differ from {chapter.name}")
        problems += [f"{path.name} uses __file__" for c in cells if "__file__" in c]
    assert not problems, "\n".join(problems)
