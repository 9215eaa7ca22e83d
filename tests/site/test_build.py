"""The site builds cleanly, has every page it should, and rebuilds without re-running code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import SiteBuild, chapter_sources, example_sources
from sitelib import build_problems, page_soup

import convdoc

pytestmark = pytest.mark.site

CHAPTERS = chapter_sources()
EXAMPLES = example_sources()


def _needs_log(site_build: SiteBuild) -> str:
    if site_build.log is None:  # conftest always keeps one; never pass without reading it
        pytest.fail("no build log to inspect")
    return site_build.log


def _example_page(example: Path) -> str:
    return f"auto_examples/{example.parent.name}/{example.stem}.html"


def _soup(site: Path, page: str) -> BeautifulSoup:
    return page_soup(site / page)


def test_build_succeeds_without_warnings(site: Path, site_build: SiteBuild) -> None:
    problems = build_problems(_needs_log(site_build))
    assert not problems, "the build log has warnings or errors:\n" + "\n".join(problems)


# The traceback ipykernel 7.4 printed once in a fresh-clone build (paths shortened).
_RACE = """\
ERROR:tornado.general:Uncaught exception in ZMQStream callback
Traceback (most recent call last):
  File "/v/zmq/eventloop/zmqstream.py", line 585, in _log_error
    f.result()
  File "/v/ipykernel/kernelbase.py", line 372, in dispatch_control
    await self.process_control(msg)
  File "/v/ipykernel/kernelbase.py", line 406, in process_control
    sys.stdout.flush()
  File "/v/ipykernel/iostream.py", line 343, in schedule
    self._event_pipe.send(b"")
  File "zmq/backend/cython/_zmq.py", line 190, in zmq.backend.cython._zmq._check_rc
zmq.error.ZMQError: Socket operation on non-socket"""


def test_build_problems_sets_aside_only_the_known_kernel_shutdown_race() -> None:
    assert build_problems(f"reading sources...\n{_RACE}\nbuild succeeded.\n") == []
    # The same words with another cause, or any Sphinx warning, still count.
    other = _RACE.replace("Socket operation on non-socket", "Invalid argument")
    assert build_problems(other) == [_RACE.splitlines()[0]]
    warning = "docs/index.md:3: WARNING: undefined label"
    assert build_problems(f"{_RACE}\n{warning}\n") == [warning]


def test_katex_typeset_every_formula_as_written(site: Path, site_build: SiteBuild) -> None:
    # KaTeX runs in node with throwOnError off and strict="warn": a formula it
    # cannot parse becomes a red .katex-error span, and LaTeX it accepts but
    # renders differently (e.g. "\\" outside an environment, which drops the
    # line break and prints the rest as text) only shows on node's stderr.
    errors = [
        f"{page.relative_to(site)}: {span.get('title', '')}"
        for page in sorted(site.rglob("*.html"))
        for span in page_soup(page).select(
            ".katex-error"
        )
    ]
    assert not errors, "formulas KaTeX could not parse:\n" + "\n".join(errors)
    notes = [line for line in _needs_log(site_build).splitlines() if "LaTeX-incompatible" in line]
    offenders = [
        f"{page.relative_to(site)}: {note.get_text()!r}"
        for page in sorted(site.rglob("*.html"))
        for note in page_soup(page).select(
            'annotation[encoding="application/x-tex"]'
        )
        if "\\\\" in note.get_text() and "\\begin" not in note.get_text()
    ]
    assert not notes, "KaTeX: " + "; ".join(sorted(set(notes))) + "\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "page",
    ["index.html", "tutorial/index.html", "auto_examples/index.html", "api.html",
     "search.html", "genindex.html", "404.html", "sitemap.xml", "searchindex.js"],
)  # fmt: skip
def test_fixed_pages_exist(site: Path, page: str) -> None:
    assert (site / page).is_file()


def test_content_was_found() -> None:
    # The parametrized tests below are generated from these globs; an empty
    # glob would make them vanish silently instead of failing.
    assert CHAPTERS, "no tutorial chapters found in docs/tutorial"
    assert EXAMPLES, "no gallery examples found in examples/"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_exists_and_is_linked_from_the_tutorial_index(
    site: Path, chapter: Path
) -> None:
    assert (site / "tutorial" / f"{chapter.stem}.html").is_file()
    hrefs = {a["href"] for a in _soup(site, "tutorial/index.html").find_all("a", href=True)}
    assert f"{chapter.stem}.html" in hrefs


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_page_exists_and_is_in_the_gallery_index(site: Path, example: Path) -> None:
    assert (site / _example_page(example)).is_file()
    hrefs = {a["href"] for a in _soup(site, "auto_examples/index.html").find_all("a", href=True)}
    assert f"{example.parent.name}/{example.stem}.html" in hrefs


def _plots(example: Path) -> bool:
    """Whether a script draws with matplotlib (directly or through convdoc.plot)."""
    source = example.read_text(encoding="utf-8")
    markers = ("matplotlib", "convdoc.plot", "from convdoc import plot")
    return any(marker in source for marker in markers)


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if _plots(e)], ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_plotting_example_shows_its_first_figure(site: Path, example: Path) -> None:
    image = f"sphx_glr_{example.stem}_001.png"
    assert (site / "_images" / image).is_file(), f"{image} missing from _images/"
    page = _soup(site, _example_page(example))
    # The example's figures in page order (sphx_glr_<stem>_NNN); thumbnails are _thumb_.
    figure = re.compile(rf"sphx_glr_{re.escape(example.stem)}_\d{{3}}\.(?:png|webp)")
    shown = [
        name
        for img in page.find_all("img")
        if figure.fullmatch(name := img["src"].split("?", 1)[0].rsplit("/", 1)[-1])
    ]
    assert shown, f"{_example_page(example)} shows none of its figures"
    # A photo-like figure is shown as the WebP made from its PNG (docs/_ext/page_assets.py).
    assert shown[0] in {image, image.removesuffix(".png") + ".webp"}, shown
    assert (site / "_images" / shown[0]).is_file(), f"{shown[0]} missing from _images/"


def test_gallery_offers_all_examples_as_zips(site: Path) -> None:
    zips = [
        a["href"]
        for a in _soup(site, "auto_examples/index.html").find_all("a", href=True)
        if a["href"].endswith(".zip")
    ]
    assert len(zips) == 2, zips  # one of scripts, one of notebooks
    for href in zips:
        assert (site / "auto_examples" / href).resolve().is_file(), href


def _public_names() -> list[str]:
    import convdoc.data
    import convdoc.explore
    import convdoc.plot

    return [
        f"{module.__name__}.{name}"
        for module in (convdoc, convdoc.data, convdoc.plot, convdoc.explore)
        for name in module.__all__
    ]


def _api_page(site: Path, dotted: str) -> str:
    """The generated page of a public name, relative to the site root.

    A name re-exported by a package has its page under the package's name;
    module-level data is documented where it is defined (its ``#:`` comment
    lives there), e.g. ``convdoc.kernels.KERNELS2D`` for ``convdoc.KERNELS2D``.
    """
    package, name = dotted.rsplit(".", 1)
    candidates = sorted((site / "api" / "generated").glob(f"{package}.*{name}.html"))
    exact = site / "api" / "generated" / f"{dotted}.html"
    pages = [exact] if exact.is_file() else [
        path for path in candidates if path.stem.rsplit(".", 1)[-1] == name
    ]
    assert len(pages) == 1, f"expected one API page for {dotted}, found {pages}"
    return pages[0].relative_to(site).as_posix()


@pytest.mark.parametrize("dotted", _public_names())
def test_every_public_name_has_an_api_page(site: Path, dotted: str) -> None:
    page = _api_page(site, dotted)
    hrefs = {a["href"] for a in _soup(site, "api.html").find_all("a", href=True)}
    assert page in hrefs, f"api.html does not link {page}"
    article = _soup(site, page).find("article")
    assert article is not None and article.find("dl"), f"{page} documents nothing"


def _convdoc_names_used(example: Path) -> set[str]:
    """Public convdoc names a script calls, read from its syntax tree."""
    tree = ast.parse(example.read_text(encoding="utf-8"))
    aliases, imported = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "convdoc"}
        elif isinstance(node, ast.ImportFrom) and node.module == "convdoc":
            imported |= {a.asname or a.name for a in node.names if a.asname is None}
    used = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            used.add(func.id)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in aliases
        ):
            used.add(func.attr)
        elif (  # convdoc.data.photo(...)
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in aliases
            and func.value.attr == "data"
        ):
            used.add(f"data.{func.attr}")
    return used & (set(convdoc.__all__) | {f"data.{name}" for name in convdoc.data.__all__})


def _uses() -> list[tuple[str, Path]]:
    return sorted((name, ex) for ex in EXAMPLES for name in _convdoc_names_used(ex))


@pytest.mark.parametrize("name, example", _uses(), ids=lambda v: getattr(v, "stem", v))
def test_api_page_links_the_examples_that_call_it(site: Path, name: str, example: Path) -> None:
    page = _soup(site, _api_page(site, f"convdoc.{name}"))
    hrefs = {a["href"] for a in page.find_all("a", href=True)}
    assert f"../../{_example_page(example)}" in hrefs, (
        f"the mini-gallery on convdoc.{name}'s page does not link {example.name}"
    )


def _chapter_plots(chapter: Path) -> bool:
    source = chapter.read_text(encoding="utf-8")
    return "matplotlib" in source or "convdoc.plot" in source


@pytest.mark.parametrize(
    "chapter", [c for c in CHAPTERS if _chapter_plots(c)], ids=lambda p: p.stem
)
def test_plotting_chapter_shows_its_figures(site: Path, chapter: Path) -> None:
    # A kernel running with a non-inline matplotlib backend (MPLBACKEND=Agg)
    # executes without error but outputs no image: the page must have some.
    images = [
        img["src"]
        for img in _soup(site, f"tutorial/{chapter.stem}.html").select("article img")
        if not img["src"].startswith("data:image/svg")
    ]
    assert images, f"{chapter.name} draws with matplotlib but its page shows no figure"
    for src in images:
        if not src.startswith("data:"):
            assert (site / "tutorial" / src).resolve().is_file(), src


# -- chapter downloads ---------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_links_its_notebook_and_script(site: Path, chapter: Path) -> None:
    hrefs = {
        a["href"]
        for a in _soup(site, f"tutorial/{chapter.stem}.html").select(".convdoc-downloads a")
    }
    assert hrefs == {
        f"../downloads/tutorial/{chapter.stem}.ipynb",
        f"../downloads/tutorial/{chapter.stem}.py",
    }
    for href in hrefs:
        assert (site / "tutorial" / href).resolve().is_file()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_downloads_hold_every_code_cell(site: Path, chapter: Path) -> None:
    source = chapter.read_text(encoding="utf-8")
    n_cells = len(re.findall(r"^```+\{code-cell\}", source, flags=re.MULTILINE))
    notebook = nbformat.read(site / "downloads" / "tutorial" / f"{chapter.stem}.ipynb", 4)
    nbformat.validate(notebook)
    assert sum(cell.cell_type == "code" for cell in notebook.cells) == n_cells
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    script = (site / "downloads" / "tutorial" / f"{chapter.stem}.py").read_text(encoding="utf-8")
    compile(script, f"{chapter.stem}.py", "exec")
    assert script.count("\n# %%\n") + script.startswith("# %%\n") == n_cells


# -- a rebuild with nothing changed re-runs nothing ----------------------------


def test_rebuild_succeeds_without_warnings(site: Path, site_build: SiteBuild) -> None:
    _needs_log(site_build)
    log = site_build.rebuild_log or ""
    assert site_build.rebuild_returncode == 0, log[-3000:]
    assert not re.search(r"\b(WARNING|ERROR)\b", log), log[-3000:]


def test_rebuild_executes_no_gallery_example(site: Path, site_build: SiteBuild) -> None:
    _needs_log(site_build)
    log = site_build.rebuild_log or ""
    match = re.search(r"successfully executed (\d+) out of (\d+) file", log)
    assert match, "no sphinx-gallery summary in the rebuild log"
    assert match.group(1) == "0", match.group(0)
    skipped = re.search(r"after excluding (\d+) file", log)
    assert skipped and int(skipped.group(1)) == len(EXAMPLES), skipped and skipped.group(0)


def test_rebuild_executes_no_notebook(site: Path, site_build: SiteBuild) -> None:
    _needs_log(site_build)
    log = site_build.rebuild_log or ""
    assert "Executing notebook" not in log
    assert "Executed notebook" not in log


def test_rebuild_reads_no_source_again(site: Path, site_build: SiteBuild) -> None:
    _needs_log(site_build)
    log = site_build.rebuild_log or ""
    match = re.search(r"updating environment: .*?(\d+) added, (\d+) changed, (\d+) removed", log)
    assert match, "no 'updating environment' line in the rebuild log"
    assert match.groups() == ("0", "0", "0"), match.group(0)


def test_first_build_executed_each_chapter_or_used_its_cache(site_build: SiteBuild) -> None:
    # The mechanism the rebuild test relies on: chapters go through jupyter-cache.
    log = _needs_log(site_build)
    assert log.count("Executed notebook") + log.count("Using cached notebook") >= len(CHAPTERS)


@pytest.mark.parametrize(
    ("index", "prefix"),
    [("auto_examples/index.html", "basics/"), ("auto_examples/basics/index.html", "")],
)
def test_gallery_lists_basics_in_reading_order(site: Path, index: str, prefix: str) -> None:
    # The seed's sawtooth example opens the section, although other names sort
    # before it; docs/_ext/gallery_order.py sets the order.
    thumbs = [
        a["href"].removeprefix(prefix)
        for a in _soup(site, index).select(".sphx-glr-thumbcontainer a[href]")
        if a["href"].startswith(prefix) and "/" not in a["href"].removeprefix(prefix)
    ]
    assert thumbs == [
        "plot_sawtooth_gaussian.html", "plot_modes.html", "plot_boundaries_1d.html",
        "plot_convolution_vs_correlation.html",
    ], index  # fmt: skip
