"""The site's own Sphinx extensions (docs/_ext), tested without building the site."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import DOCS

sys.path.insert(0, str(DOCS / "_ext"))

import chapter_downloads
import thumbnails

CHAPTER = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

(intro)=
# A chapter

See {func}`convdoc.convolve` and {doc}`the next chapter <stride-and-padding>`.

```{code-cell} ipython3
%matplotlib inline
x = 1 + 1
```

Middle text.

```{code-cell} ipython3
:tags: [hide-input]
assert x == 2
```
"""


def test_text_notebooks_are_told_from_plain_pages() -> None:
    assert chapter_downloads.is_text_notebook(CHAPTER)
    assert not chapter_downloads.is_text_notebook("# Tutorial\n\n```{toctree}\n```\n")
    assert not chapter_downloads.is_text_notebook("---\norphan: true\n---\n# Page\n")


def test_notebook_keeps_every_cell_in_order(tmp_path: Path) -> None:
    notebook = chapter_downloads.to_notebook(CHAPTER, tmp_path / "chapter.md")
    nbformat.validate(notebook)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "code", "markdown", "code"]
    assert notebook.cells[1].source == "%matplotlib inline\nx = 1 + 1"
    assert notebook.cells[3].source == "assert x == 2"
    assert notebook.cells[3].metadata["tags"] == ["hide-input"]
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert "file_format" not in notebook.metadata


def test_markdown_loses_myst_only_syntax(tmp_path: Path) -> None:
    text = chapter_downloads.to_notebook(CHAPTER, tmp_path / "chapter.md").cells[0].source
    assert "(intro)=" not in text
    assert "`convdoc.convolve`" in text
    assert "`the next chapter`" in text
    assert "{func}" not in text and "{doc}" not in text


def test_percent_script_runs_like_the_notebook(tmp_path: Path) -> None:
    notebook = chapter_downloads.to_notebook(CHAPTER, tmp_path / "chapter.md")
    script = chapter_downloads.to_percent_script(notebook, "docs/tutorial/chapter.md")
    assert script.count("# %%\n") == 2
    assert script.count("# %% [markdown]\n") == 2
    assert "# %matplotlib inline" in script  # IPython-only: commented out
    namespace: dict[str, object] = {}
    exec(compile(script, "chapter.py", "exec"), namespace)
    assert namespace["x"] == 2


def test_thumbnail_becomes_a_palette_png_that_looks_the_same(tmp_path: Path) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    # A figure-like picture: white background, a few flat colours, some noise.
    pixels = np.full((224, 320, 4), 255, dtype=np.uint8)
    pixels[40:120, 30:200, :3] = (0, 114, 178)
    pixels[130:200, 100:300, :3] = (230, 159, 0)
    pixels[10:30, 10:310, :3] = rng.integers(0, 256, size=(20, 300, 3), dtype=np.uint8)
    path = tmp_path / "sphx_glr_x_thumb.png"
    Image.fromarray(pixels, "RGBA").save(path)

    assert thumbnails.quantize_thumbnail(path) is True
    with Image.open(path) as image:
        assert image.mode == "P"
        assert image.size == (320, 224)
        out = np.asarray(image.convert("RGB"), dtype=float)
    # Flat areas are exact or nearly so; the noisy strip within a palette's reach.
    assert np.abs(out[60, 100] - (0, 114, 178)).max() <= 8
    assert np.abs(out[150, 200] - (230, 159, 0)).max() <= 8
    assert np.abs(out[150:, :90] - 255).max() <= 8
    assert np.abs(out - pixels[..., :3]).mean() < 6

    # Idempotent: a palette image is left alone (a no-op rebuild changes nothing).
    before = path.read_bytes()
    assert thumbnails.quantize_thumbnail(path) is False
    assert path.read_bytes() == before


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to prerender math")
def test_katex_server_starts_and_renders() -> None:
    from sphinxcontrib import katex

    if not (DOCS / "_static" / "katex" / "katex.min.js").is_file():
        pytest.skip("KaTeX not fetched yet: run `make assets`")
    import katex_startup

    katex_startup.setup(app=None)
    katex.KaTeXServer.katex_path = str(DOCS / "_static" / "katex" / "katex.min.js")
    html = katex.render_latex(r"\frac{a}{b}", {"displayMode": True})
    assert 'class="katex-display"' in html
    assert "mfrac" in html  # MathML for the fraction: really typeset
