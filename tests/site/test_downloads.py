"""What a reader downloads from the site runs, exactly as downloaded.

Every ``.py`` and ``.ipynb`` the build offers (sphinx-gallery's per-example
files under ``_downloads/``, the chapters' notebook and script under
``downloads/``) is taken from the built folder, not from the sources. The
"download all" zips hold the same files. Nothing already run is run again
(issue 16: each thing runs once, in the build): the example scripts offered are
byte-identical to the examples the build ran; the notebooks and the chapters'
scripts hold the very statements the build executed; and what a reader's own run
has that the build's lacks is checked on the code itself: no name only a Jupyter
kernel defines, no file read or written beside the script, no ``__file__``.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, chapter_sources, example_sources
from myst_nb.core.read import read_myst_markdown_notebook

pytestmark = pytest.mark.site


def downloads(site: Path, suffix: str) -> dict[str, Path]:
    """Downloadable files with a suffix, one per distinct content: sha256 -> path."""
    found: dict[str, Path] = {}
    for folder in ("_downloads", "downloads"):
        for path in sorted((site / folder).rglob(f"*{suffix}")):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return found


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
    # The build ran each example; identical bytes make that run count for the
    # download too (test_example_scripts_run_the_same_on_their_own checks the rest).
    sources = {p.name: p.read_bytes() for p in example_sources()}
    offered = sorted((site / "_downloads").rglob("*.py"))
    assert {p.name for p in offered} == set(sources), "gallery downloads and examples differ"
    differ = [p.name for p in offered if p.read_bytes() != sources[p.name]]
    assert not differ, f"downloads that are not byte-identical to the example: {differ}"


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


#: Calls that read a file, or change folder: given a literal path, the file would
#: have to sit beside the script (data come from convdoc's and matplotlib's helpers).
_FILE_READS = frozenset({
    "open", "load", "loadtxt", "genfromtxt", "fromfile", "imread", "read_text",
    "read_bytes", "read_csv", "chdir", "Path",
})  # fmt: skip


def standalone_problems(code: str) -> list[str]:
    """What would make code that ran in the build fail, or differ, run on its own.

    The build runs the example scripts inside sphinx-gallery and the chapters in a
    Jupyter kernel; a reader runs the downloaded file with plain Python in a folder
    of their own. The differences are names a kernel or the gallery defines
    (``display``, ``get_ipython``, ``__file__``), IPython syntax (``%magic``, which
    does not parse) and files read from beside the script (a literal path). Writing
    a file (``fig.save("x.svg")``) works in any folder.
    """
    tree = ast.parse(code)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound:
            problems.append(f"line {node.lineno}: {node.id!r} is defined by no statement")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args else None
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if name in _FILE_READS and literal:
                problems.append(f"line {node.lineno}: {name}({first.value!r}) reads a file by path")
    return problems


def test_standalone_checker_finds_what_a_plain_run_would_trip_on() -> None:
    assert standalone_problems("import numpy as np\nx = np.ones(3)\nprint(x)\n") == []
    assert standalone_problems("def f(a):\n    return a\nfor i in range(2):\n    f(i)\n") == []
    # Writing works in any folder; reading from an open handle needs no path.
    assert standalone_problems("import matplotlib.pyplot as plt\nplt.savefig('a.png')") == []
    assert standalone_problems("import matplotlib.pyplot as plt\nf = 1\nplt.imread(f)") == []
    for code, word in [
        ("display(1)", "'display'"),
        ("get_ipython().run_line_magic('x', '')", "'get_ipython'"),
        ("print(__file__)", "'__file__'"),
        ("import numpy as np\nnp.load('x.npy')", "load('x.npy')"),
        ("from pathlib import Path\nPath('a.png').read_bytes()", "Path('a.png')"),
        ("with open('data.txt') as f:\n    pass", "open('data.txt')"),
    ]:
        found = standalone_problems(code)
        assert found and word in found[0], (code, found)
    with pytest.raises(SyntaxError):
        standalone_problems("%matplotlib inline\n")


def test_example_scripts_run_the_same_on_their_own() -> None:
    # The build ran these exact bytes (test above: the downloads are byte-identical).
    problems = [
        f"{example.relative_to(ROOT)}: {problem}"
        for example in example_sources()
        for problem in standalone_problems(example.read_text(encoding="utf-8"))
    ]
    assert example_sources()
    assert not problems, "\n".join(problems)


def test_downloaded_chapter_scripts_are_the_cells_the_build_ran(site: Path) -> None:
    """Each chapter's .py holds its code cells' statements, in order, and runs on its own.

    The build ran those cells in a kernel; the script is a conversion (cells joined,
    the glue import made optional, whose fallback tests/site/test_ext.py runs), so
    the same statements with nothing only a kernel defines run the same way.
    """
    scripts = sorted((site / "downloads").rglob("*.py"))
    assert {p.stem for p in scripts} == {p.stem for p in chapter_sources()}
    problems = []
    for chapter in chapter_sources():
        path = site / "downloads" / "tutorial" / f"{chapter.stem}.py"
        script = path.read_text(encoding="utf-8")
        source = read_myst_markdown_notebook(chapter.read_text(encoding="utf-8"))
        cells = [c.source for c in source.cells if c.cell_type == "code"]
        if _statements(script) != [s for cell in cells for s in _statements(cell)]:
            problems.append(f"{path.name}: statements differ from {chapter.name}'s code cells")
        problems += [f"{path.name}: {problem}" for problem in standalone_problems(script)]
    assert not problems, "\n".join(problems)
