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

import numpy as np
import pytest
from readinglib import CHAPTERS

import convdoc

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial"
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
    """Drop a code cell's options (a ``---`` YAML block or ``:key: value`` lines)."""
    lines = cell.splitlines()
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1)
        lines = lines[end + 1 :]
    else:
        while lines and re.match(r"^:[\w-]+:", lines[0]):
            lines = lines[1:]
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
    assert entries == list(CHAPTERS)
    on_disk = {p.stem for p in TUTORIAL.glob("*.md")} - {"index"}
    assert on_disk == set(CHAPTERS)


def test_home_page_cards_list_every_chapter_in_reading_order():
    home = (TUTORIAL.parent / "index.md").read_text(encoding="utf-8")
    cards = re.findall(r":::\{grid-item-card\} (\d+)\. .*\n:link: tutorial/([\w-]+)", home)
    assert [link for _, link in cards] == list(CHAPTERS)
    assert [int(number) for number, _ in cards] == list(range(1, len(CHAPTERS) + 1))


def test_tutorial_index_describes_every_chapter_and_counts_them():
    index = (TUTORIAL / "index.md").read_text(encoding="utf-8")
    described = re.findall(r"^\{doc\}`([\w-]+)`\n: ", index, re.MULTILINE)
    assert described == list(CHAPTERS)
    words = {4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine", 10: "Ten"}
    assert f"{words[len(CHAPTERS)]} chapters take you" in index


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
        elif target.startswith("/"):
            path = (TUTORIAL.parent / target.lstrip("/")).with_suffix(".md")
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


# -- issue 11: reader-facing code, notation ------------------------------------

_PRIVATE = re.compile(r"\bconvdoc(?:\.\w+)*\._\w")


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_private_convdoc_name_in_any_cell(name):
    # Hidden cells run too, and the downloads carry them: no cell reaches a private name.
    for cell in _code(name):
        assert not _PRIVATE.search(cell), _PRIVATE.search(cell).group(0)


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_equation_label_leaks_into_code(name):
    labels = {label for chapter in CHAPTERS for label in _EQ_LABEL.findall(_source(chapter))}
    assert labels
    for cell in _code(name):
        for label in labels:
            assert label not in cell, f"MyST label {label!r} appears in a code cell of {name}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_links_the_notation_page_near_its_top(name):
    prose, _ = _split(_source(name))
    first_paragraphs = prose.split("\n## ", 1)[0]
    assert "</notation>`" in first_paragraphs or "{doc}`/notation`" in first_paragraphs


def test_notation_page_is_in_the_root_toctree():
    index = (TUTORIAL.parent / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, re.DOTALL)
    assert toctree is not None and "notation" in toctree.group(1).split()
    assert (TUTORIAL.parent / "notation.md").is_file()


def test_notation_page_numbers_hold():
    # The Gaussian cut-off stated on the notation page, from the normal distribution.
    from scipy.special import erfc

    text = (TUTORIAL.parent / "notation.md").read_text(encoding="utf-8")
    assert r"K = 2\lceil 4\sigma \rceil + 1" in text and "below $10^{-4}$" in text
    assert "0.3%" in text
    assert erfc(4 / np.sqrt(2)) < 1e-4  # mass beyond +-4 sigma
    assert round(100 * erfc(3 / np.sqrt(2)), 1) == 0.3  # beyond +-3 sigma, in percent
    for symbol in ("N_{\\text{out}}", "\\max(s, d)", "\\mathcal{L}", "r_\\ell"):
        assert symbol in text


_SYMBOL_MISUSE = {
    # One letter, one meaning (docs/notation.md): lengths are capital, indices lower case.
    "n as a length": re.compile(r"\$n_\{\\text\{out\}\}|\$n \+ 2p|\$n\$ (?:cells|samples|input)"),
    "k as the tap count": re.compile(r"\$k\$ taps|kernel of \$k\$|d\(k - 1\)"),
    "K as a 2-D kernel": re.compile(r"\\(?:, )?K\[|K\(i, j\)|\$I \* K"),
    "L as a layer count": re.compile(r"\$L\$ (?:stacked|layers)|r_L\b"),
}


@pytest.mark.parametrize("name", CHAPTERS)
def test_symbols_keep_one_meaning(name):
    prose, _ = _split(_source(name))
    for what, pattern in _SYMBOL_MISUSE.items():
        assert not pattern.search(prose), f"{name}: {what}: {pattern.search(prose).group(0)}"
