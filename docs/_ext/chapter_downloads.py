"""Offer every tutorial chapter as a Jupyter notebook and as a Python script.

The chapters are MyST text notebooks (``docs/tutorial/*.md``). At the start of
each HTML build this extension converts each one with MyST-NB's own reader into
``<outdir>/downloads/<docname>.ipynb`` (nbformat 4, unexecuted) and
``<outdir>/downloads/<docname>.py`` (the "percent" script format that
Jupytext, VS Code and Spyder open as cells), then the page template links both
at the foot of the chapter (``_templates/page.html``).

Writing into the output directory, not the source tree, keeps generated files
out of the repository and out of Sphinx's list of source documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook

#: Where, below the source directory, the chapters live.
CHAPTER_GLOB = "tutorial/**/*.md"
#: Where, below the output directory, the converted files go.
DOWNLOAD_DIR = "downloads"

# {role}`text`, {role}`title <target>`: MyST roles mean nothing in Jupyter.
_ROLE = re.compile(r"\{[A-Za-z][\w:.-]*\}`([^`]*)`")
_TITLED_TARGET = re.compile(r"^(.*?)\s*<[^<>]+>$", re.DOTALL)
# (label)= lines are MyST reference targets.
_TARGET_LINE = re.compile(r"^\([\w.:-]+\)=\s*$", re.MULTILINE)
# The chapters glue computed numbers into their prose with MyST-NB; a reader's
# plain Jupyter or python has no myst_nb, so the downloads import it if present.
_GLUE_IMPORT = re.compile(r"^([ \t]*)from myst_nb import glue[ \t]*$", re.MULTILINE)
GLUE_FALLBACK = """\
try:
    from myst_nb import glue
except ImportError:  # not built by MyST-NB: show the value instead of storing it

    def glue(name, variable, display=True):
        \"\"\"Stand-in for ``myst_nb.glue``: display ``variable`` unless told not to.\"\"\"
        if display:
            try:
                from IPython.display import display as show
            except ImportError:
                show = print
            show(variable)
"""


def is_text_notebook(text: str) -> bool:
    """Tell whether a Markdown file is a MyST-NB text notebook.

    Parameters
    ----------
    text : str
        The file's contents.

    Returns
    -------
    bool
        True when its front matter declares ``file_format: mystnb`` or a
        ``kernelspec``, the two markers MyST-NB itself recognises.
    """
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1] if text.count("---") >= 2 else ""
    return "file_format: mystnb" in front or "kernelspec:" in front


def _plain_markdown(source: str) -> str:
    """Turn MyST-only inline syntax into Markdown any notebook viewer shows."""

    def role(match: re.Match[str]) -> str:
        content = match.group(1)
        titled = _TITLED_TARGET.match(content)
        return f"`{titled.group(1) if titled else content}`"

    return _TARGET_LINE.sub("", _ROLE.sub(role, source)).strip("\n")


def _optional_glue(source: str) -> str:
    """Replace ``from myst_nb import glue`` by an import that falls back to a shim."""

    def fallback(match: re.Match[str]) -> str:
        indent = match.group(1)
        return "\n".join(
            indent + line if line else line for line in GLUE_FALLBACK.rstrip("\n").split("\n")
        )

    return _GLUE_IMPORT.sub(fallback, source)


def to_notebook(text: str, path: Path) -> nbformat.NotebookNode:
    """Read a MyST text notebook into an nbformat 4 notebook.

    Parameters
    ----------
    text : str
        The chapter source.
    path : pathlib.Path
        Its location (MyST-NB resolves ``:load:`` options against it).

    Returns
    -------
    nbformat.NotebookNode
        The notebook, cells in page order, no outputs. ``from myst_nb import
        glue`` lines become :data:`GLUE_FALLBACK`, so the notebook also runs
        where MyST-NB is not installed.
    """
    notebook = read_myst_markdown_notebook(text, path=path)
    notebook.metadata.pop("file_format", None)
    notebook.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
    )
    notebook.metadata.setdefault("language_info", {"name": "python"})
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _plain_markdown(cell.source)
        elif cell.cell_type == "code":
            cell.source = _optional_glue(cell.source)
    notebook.cells = [cell for cell in notebook.cells if cell.source.strip()]
    nbformat.validator.normalize(notebook)
    return notebook


def to_percent_script(notebook: nbformat.NotebookNode, origin: str) -> str:
    """Write a notebook as a percent-format Python script.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The notebook, as returned by :func:`to_notebook`.
    origin : str
        The chapter's path, named in the header comment.

    Returns
    -------
    str
        Python source: Markdown cells become ``# %% [markdown]`` comment blocks,
        code cells ``# %%`` blocks. IPython-only lines (``%magic``, ``!shell``)
        are commented out so that ``python script.py`` runs it.
    """
    parts = [
        f"# convdoc tutorial: {origin}, exported as a script.\n"
        "# Run it with python, or open it as a notebook in Jupytext, VS Code or Spyder.\n"
    ]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            body = "\n".join(f"# {line}".rstrip() for line in cell.source.splitlines())
            parts.append(f"# %% [markdown]\n{body}\n")
        elif cell.cell_type == "code":
            lines = [
                f"# {line}" if line.lstrip().startswith(("%", "!")) else line
                for line in cell.source.splitlines()
            ]
            parts.append("# %%\n" + "\n".join(lines) + "\n")
    return "\n".join(parts)


def write_downloads(app: Any) -> None:
    """Convert every chapter into its two downloads (``builder-inited``)."""
    if app.builder.format != "html":
        return
    srcdir = Path(app.srcdir)
    outdir = Path(app.outdir) / DOWNLOAD_DIR
    links: dict[str, list[tuple[str, str]]] = {}
    for md in sorted(srcdir.glob(CHAPTER_GLOB)):
        text = md.read_text(encoding="utf-8")
        if not is_text_notebook(text):
            continue
        docname = md.relative_to(srcdir).with_suffix("").as_posix()
        notebook = to_notebook(text, md)
        target = outdir / docname
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target.with_suffix(".ipynb"))
        script = to_percent_script(notebook, md.relative_to(srcdir.parent).as_posix())
        target.with_suffix(".py").write_text(script, encoding="utf-8")
        links[docname] = [
            ("Jupyter notebook", f"{DOWNLOAD_DIR}/{docname}.ipynb"),
            ("Python script", f"{DOWNLOAD_DIR}/{docname}.py"),
        ]
    app._convdoc_downloads = links


def add_links(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Hand the page template its download links (``html-page-context``)."""
    links = getattr(app, "_convdoc_downloads", {}).get(pagename)
    if links:
        context["convdoc_downloads"] = links


def setup(app: Any) -> dict[str, Any]:
    """Connect the two hooks."""
    app.connect("builder-inited", write_downloads)
    app.connect("html-page-context", add_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
