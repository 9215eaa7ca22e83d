"""The site's own Sphinx extensions (docs/_ext), tested without building the site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import DOCS

sys.path.insert(0, str(DOCS / "_ext"))

import chapter_downloads
import gallery_order
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


def test_gallery_key_orders_each_section_as_listed() -> None:
    # The expected orders are written out here, not read from gallery_order.ORDER,
    # so a slip in that table fails the test.
    expected = {
        "basics": ["plot_sawtooth_gaussian", "plot_modes", "plot_boundaries_1d",
                   "plot_convolution_vs_correlation"],
        "arithmetic": ["plot_no_padding_unit_stride", "plot_arbitrary_padding",
                       "plot_half_padding", "plot_full_padding", "plot_stride_no_padding",
                       "plot_padding_and_stride", "plot_odd_case", "plot_dilation"],
        "images": ["plot_kernel_gallery", "plot_blur_box_vs_gaussian", "plot_separable",
                   "plot_image_boundaries", "plot_color"],
        "cnn": ["plot_conv_layer_by_hand", "plot_one_by_one", "plot_pooling_receptive_field",
                "plot_learn_kernel"],
        "speed": ["plot_convolution_theorem", "plot_polynomials", "plot_smoothing",
                  "plot_timing", "plot_strided"],
    }  # fmt: skip
    for section, stems in expected.items():
        files = sorted(f"{stem}.py" for stem in stems)  # alphabetical, as on disk
        key = gallery_order.ExampleOrder(f"/site/examples/{section}/")
        assert [f.removesuffix(".py") for f in sorted(files, key=key)] == stems, section


def test_gallery_key_puts_unlisted_files_last_by_name() -> None:
    key = gallery_order.ExampleOrder("examples/basics")
    files = ["plot_zz_new.py", "plot_modes.py", "plot_aa_new.py", "plot_sawtooth_gaussian.py"]
    assert sorted(files, key=key) == [
        "plot_sawtooth_gaussian.py", "plot_modes.py", "plot_aa_new.py", "plot_zz_new.py",
    ]  # fmt: skip
    # sphinx-gallery also sorts full paths (for its related-examples lists).
    paths = [f"/x/examples/basics/{name}" for name in files]
    assert [p.rsplit("/", 1)[1] for p in sorted(paths, key=key)] == sorted(files, key=key)
    # An unknown section (and the "" sphinx-gallery checks the config with): by name.
    assert sorted(files, key=gallery_order.ExampleOrder("")) == sorted(files)


def test_sphinx_gallery_resolves_the_configured_key() -> None:
    from sphinx_gallery.gen_rst import _get_callables

    conf = {"within_subsection_order": "gallery_order.ExampleOrder"}
    (key,) = _get_callables(conf, "within_subsection_order", "examples/cnn")
    assert isinstance(key, gallery_order.ExampleOrder) and key.section == "cnn"


GLUE_CHAPTER = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# Glued numbers

```{code-cell} ipython3
from myst_nb import glue

glue("hidden", "kept-quiet", display=False)
assert glue("shown", "on-screen") is None
print("reached the end")
```
"""


def test_downloaded_script_runs_without_myst_nb(tmp_path: Path) -> None:
    notebook = chapter_downloads.to_notebook(GLUE_CHAPTER, tmp_path / "glue.md")
    script = tmp_path / "glue.py"
    script.write_text(
        chapter_downloads.to_percent_script(notebook, "docs/tutorial/glue.md"), encoding="utf-8"
    )
    # A myst_nb that cannot be imported shadows the installed one.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "myst_nb.py").write_text("raise ImportError('no myst_nb here')\n")
    program = (
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(blocker)!r})\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "on-screen" in result.stdout
    assert "kept-quiet" not in result.stdout
    assert "reached the end" in result.stdout
    # The blocker does block: the chapter's own code fails under it.
    raw = tmp_path / "raw.py"
    raw.write_text(GLUE_CHAPTER.split("```{code-cell} ipython3\n")[1].split("```")[0])
    blocked = subprocess.run(
        [sys.executable, "-c", program.replace(str(script), str(raw))],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert blocked.returncode != 0 and "no myst_nb here" in blocked.stderr


def test_home_card_thumbnails_are_drawn_once_at_their_size(tmp_path: Path) -> None:
    import home_cards
    from PIL import Image

    paths = home_cards.write_thumbnails(tmp_path)
    assert [p.stem for p in paths] == list(home_cards.DRAWINGS)
    for path in paths:
        with Image.open(path) as image:
            assert image.size == home_cards.PIXELS, path.name
            # Not blank: a drawing covers a visible part of its thumbnail.
            pixels = np.asarray(image.convert("L"))
            assert (pixels < 200).mean() > 0.01, path.name
    stamps = [p.stat().st_mtime_ns for p in paths]
    assert home_cards.write_thumbnails(tmp_path) == paths
    assert [p.stat().st_mtime_ns for p in paths] == stamps  # current: not drawn again
    paths[0].unlink()
    home_cards.write_thumbnails(tmp_path)
    assert paths[0].is_file()
    with pytest.raises(ValueError, match="name must be one of"):
        home_cards.draw("no-such-card")


def test_panel_of_a_figure_is_its_largest_axes_without_text(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    fig = plt.figure(figsize=(9, 3), dpi=100)
    big = fig.add_axes((0.05, 0.1, 0.6, 0.8))
    small = fig.add_axes((0.75, 0.6, 0.2, 0.3))
    big.imshow(np.zeros((4, 8)), cmap="Blues", vmin=-1, vmax=0)  # one deep blue
    small.imshow(np.zeros((2, 2)), cmap="Reds", vmin=-1, vmax=0)  # one deep red
    big.set_title("A title nobody could read in a thumbnail")
    fig.suptitle("Suptitle")
    try:
        path = tmp_path / "panel.png"
        assert thumbnails.save_panel(fig, path)
        with Image.open(path) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=int)
        assert rgb.shape[1] >= thumbnails.THUMBNAIL[0] or rgb.shape[0] >= thumbnails.THUMBNAIL[1]
        blue = (rgb[..., 2] > 80) & (rgb[..., 0] < 60)
        red = (rgb[..., 0] > 80) & (rgb[..., 2] < 60)
        assert blue.mean() > 0.9 and not red.any()
        # The figure shown on the page keeps its titles and both panels, and the
        # stripped copy is not left open for the gallery's scraper to show.
        assert big.get_title() and fig.get_suptitle() and small.get_visible()
        assert plt.get_fignums() == [fig.number]
    finally:
        plt.close(fig)
    framed = thumbnails.framed(Image.new("RGB", (640, 100), "black"))
    assert framed.size == thumbnails.THUMBNAIL
    pixels = np.asarray(framed.convert("L"))
    assert pixels[0, 0] == 255 and pixels[112, 160] == 0  # white frame, content centred
