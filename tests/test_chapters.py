"""Checks on the tutorial chapters' sources (docs/tutorial/*.md).

The fast tests read the MyST text notebooks without running them: front matter,
heading structure, toctree order, that every number placed in the prose with
``{glue:text}`` is glued by the page's code, that equation and page
references resolve, and that the API names the prose links to exist. The chapters
run once, in the site build (tests/site), which fails naming the chapter and the
cell when an ``assert`` in it fails; tests/site/test_budget.py weighs the pages.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

import convdoc

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial"
#: The reading order the landing page's toctree must keep.
CHAPTERS = [
    "what-is-convolution",
    "convolution-vs-correlation",
    "stride-and-padding",
    "why-cnns",
]
FRONT_MATTER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""
#: sphinx-gallery turns examples/<section>/<name>.py into /auto_examples/<section>/<name>.
EXAMPLES = TUTORIAL.parent.parent / "examples"

_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
_GLUE_CALL = re.compile(r"""\bglue\(\s*["']([^"']+)["']""")
_EQ_LABEL = re.compile(r"^\$\$\s*\(([\w-]+)\)\s*$", re.MULTILINE)
_EQ_REF = re.compile(r"\{eq\}`([^`]+)`")
_DOC_REF = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
_API_REF = re.compile(r"\{(?:func|data|class)\}`(convdoc\.[\w.]+)`")


def _source(name: str) -> str:
    return (TUTORIAL / f"{name}.md").read_text(encoding="utf-8")


def _split(text: str) -> tuple[str, list[str]]:
    """The page's prose (fenced blocks removed) and the bodies of its code cells."""
    prose, cells = [], []
    fence, body, is_code = None, [], False
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence, body = match.group(1), []
            is_code = match.group(2).strip().startswith("{code-cell}")
        elif fence is not None and line.strip() == fence:
            if is_code:
                cells.append("\n".join(body))
            fence = None
        elif fence is not None:
            body.append(line)
        else:
            prose.append(line)
    assert fence is None, "unclosed code fence"
    return "\n".join(prose), cells


def _strip_cell_options(cell: str) -> str:
    """Drop a code cell's leading ``---`` YAML options block, keeping the Python."""
    lines = cell.splitlines()
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1)
        lines = lines[end + 1 :]
    return "\n".join(lines)


def _code(name: str) -> list[str]:
    return [_strip_cell_options(cell) for cell in _split(_source(name))[1]]


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_starts_with_mystnb_front_matter(name):
    assert _source(name).startswith(FRONT_MATTER)


def test_toctree_lists_every_chapter_in_reading_order():
    index = (TUTORIAL / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, re.DOTALL)
    assert toctree is not None
    entries = [
        line.strip()
        for line in toctree.group(1).splitlines()
        if line.strip() and not line.strip().startswith(":")
    ]
    assert entries == CHAPTERS
    on_disk = {p.stem for p in TUTORIAL.glob("*.md")} - {"index"}
    assert on_disk == set(CHAPTERS)


@pytest.mark.parametrize("name", [*CHAPTERS, "index"])
def test_one_title_and_no_skipped_heading_levels(name):
    prose, _ = _split(_source(name))
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) \S", prose, re.MULTILINE)]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading jumps from level {before} to {after}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_code_cell_is_valid_python(name):
    for cell in _code(name):
        ast.parse(cell)


@pytest.mark.parametrize("name", CHAPTERS)
def test_glued_numbers_are_produced_and_used(name):
    prose, _ = _split(_source(name))
    used = {key.rsplit(":", 1)[0] if ":" in key else key for key in _GLUE_ROLE.findall(prose)}
    glued = {key for cell in _code(name) for key in _GLUE_CALL.findall(cell)}
    assert used, "a chapter places at least one computed number in its text"
    assert used <= glued, f"used in the text but never glued: {sorted(used - glued)}"
    assert glued <= used, f"glued but never shown: {sorted(glued - used)}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_checks_its_results_against_numpy_or_scipy(name):
    code = "\n".join(_code(name))
    tree = ast.parse(code)
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    oracle_asserts = [
        node for node in asserts if re.search(r"\b(np|numpy|scipy)\.", ast.unparse(node.test))
    ]
    assert len(oracle_asserts) >= 3


def test_equation_labels_are_unique_and_references_resolve():
    labels: dict[str, str] = {}
    for name in CHAPTERS:
        text = _source(name)
        for label in _EQ_LABEL.findall(text):
            assert label not in labels, f"{label} defined in {labels.get(label)} and {name}"
            labels[label] = name
    for name in CHAPTERS:
        for ref in _EQ_REF.findall(_source(name)):
            assert labels.get(ref) == name, f"{name} refers to equation {ref!r} it does not define"


@pytest.mark.parametrize("name", [*CHAPTERS, "index"])
def test_page_references_point_to_existing_pages(name):
    for target in _DOC_REF.findall(_source(name)):
        if target.startswith("/auto_examples/"):
            # A gallery page: its source is an example script, or a section's README.
            part = target.removeprefix("/auto_examples/")
            if part == "index" or part.endswith("/index"):
                path = EXAMPLES / part.removesuffix("index") / "README.rst"
            else:
                path = (EXAMPLES / part).with_suffix(".py")
        else:
            path = (TUTORIAL / target).with_suffix(".md")
        assert path.is_file(), f"{name} links to missing page {target!r}"


@pytest.mark.parametrize("name", [*CHAPTERS, "index"])
def test_api_references_name_public_objects(name):
    for dotted in _API_REF.findall(_source(name)):
        obj = convdoc
        for part in dotted.split(".")[1:]:
            assert hasattr(obj, part), f"{name} links to {dotted}, which does not exist"
            obj = getattr(obj, part)
