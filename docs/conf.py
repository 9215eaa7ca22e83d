"""Sphinx configuration for the convdoc site.

The site must build and display with no network at all: math is prerendered by
KaTeX under Node at build time and its stylesheet and fonts are served from
``_static/katex`` (``make assets`` fetches them once), intersphinx is off, and
sphinx-gallery's computation-times page and jshtml animations (both of which
load from CDNs) are disabled. ``tests/site`` checks all of this on the output.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Build against the working tree, not an installed copy, so the API pages and
# every executed example describe the code next to them. The notebook kernels
# MyST-NB starts are separate processes: they inherit PYTHONPATH.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
)

from chapter_downloads import setup as setup_chapter_downloads


def _package_version() -> str:
    """Read ``__version__`` without importing the package (conf.py stays cheap)."""
    init = (ROOT / "convdoc" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    return match.group(1) if match else "0+unknown"


def _chapter_cache_dir() -> Path:
    """Where MyST-NB keeps executed chapters, one folder per state of ``convdoc``.

    MyST-NB's cache is keyed on a chapter's own code, so a change to the package
    (a new explorer control, a fixed number) would otherwise leave the chapters
    showing what the old package computed. Keying the folder on the package's
    source re-runs every chapter when ``convdoc`` changes; folders of older
    states are removed so the cache does not grow.
    """
    digest = hashlib.sha256()
    package = ROOT / "convdoc"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    parent = DOCS / "_build" / ".jupyter_cache"
    here = parent / digest.hexdigest()[:16]
    if parent.is_dir():
        for old in parent.iterdir():
            if old != here and old.is_dir() and len(old.name) == 16:
                shutil.rmtree(old, ignore_errors=True)
    return here


# -- Project -----------------------------------------------------------------

project = "convdoc"
author = "the convdoc authors"
copyright = "2026, the convdoc authors"
release = _package_version()
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.extlinks",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.katex",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_sitemap",
    "katex_startup",  # docs/_ext: a reliable start for KaTeX's Node server
    "thumbnails",  # docs/_ext: 256-colour gallery thumbnails (page budget)
    "sitemap_complete",  # docs/_ext: every page in sitemap.xml after incremental builds
    "page_meta",  # docs/_ext: a <meta name="description"> on every page
    "page_assets",  # docs/_ext: only the CSS/JS a page uses; sized, lazy, compressed images
    "home_cards",  # docs/_ext: the home page cards' thumbnails, drawn by convdoc
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes a notebook and a script beside each generated
    # page, for download only; MyST-NB must not read them as pages.
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/**/*.ipynb",
    "auto_examples/**/*.py",
    "api/generated/backrefs",
    "_ext",
    "_thumbs",
]
root_doc = "index"
# Not nitpicky: numpydoc's free-form types ("array_like", "int or tuple of
# int") are prose, not references. Every explicit cross-reference still has to
# resolve or Sphinx warns, and -W turns that into a failed build.
nitpicky = False

# -- MyST and MyST-NB --------------------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

nb_execution_mode = "cache"
nb_execution_cache_path = str(_chapter_cache_dir())
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_merge_streams = True
# Run each chapter in a scratch directory so nothing it writes lands in docs/.
nb_execution_in_temp = True

# The kernels that run the chapters get an IPython profile of their own: the
# build must not depend on a reader's ~/.ipython (startup scripts, extensions),
# and the kernel's start-up notice about unencrypted local TCP sockets would
# otherwise land in the build log, where tests/site look for warnings.
_IPYTHONDIR = DOCS / "_build" / "ipython"
(_IPYTHONDIR / "profile_default").mkdir(parents=True, exist_ok=True)
(_IPYTHONDIR / "profile_default" / "ipython_kernel_config.py").write_text(
    "# Written by docs/conf.py for the documentation build.\n"
    "c.IPKernelApp.log_level = 'ERROR'\n"
    "c.HistoryManager.enabled = False\n",
    encoding="utf-8",
)
os.environ["IPYTHONDIR"] = str(_IPYTHONDIR)
# A kernel started with MPLBACKEND=Agg (as CI and the site tests set it) draws
# its figures off screen and the chapters would show none: the kernels must
# get IPython's inline backend. sphinx-gallery selects Agg for itself.
os.environ.pop("MPLBACKEND", None)

# -- Math: KaTeX, rendered at build time, served locally ----------------------

katex_prerender = True
# Relative to html_static_path: the Makefile fetches KaTeX into _static/katex.
katex_css_path = "katex/katex.min.css"
# Absolute: in prerender mode this file is require()d by node, not linked.
katex_js_path = str(DOCS / "_static" / "katex" / "katex.min.js")
katex_autorender_path = "unused-when-prerendering.js"

# -- API reference ------------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Without intersphinx a cross-reference to e.g. ndarray would point nowhere.
numpydoc_xref_param_type = False

# Intersphinx is deliberately absent: it downloads inventories at build time.
# NumPy/SciPy names are linked with these roles instead, e.g. {scipy}`signal.convolve`.
extlinks = {
    "numpy": ("https://numpy.org/doc/stable/reference/generated/numpy.%s.html", "numpy.%s"),
    "scipy": ("https://docs.scipy.org/doc/scipy/reference/generated/scipy.%s.html", "scipy.%s"),
    "torch": ("https://pytorch.org/docs/stable/generated/torch.%s.html", "torch.%s"),
}
extlinks_detect_hardcoded_links = False

# -- Gallery ------------------------------------------------------------------

GALLERY_SECTIONS = ("basics", "arithmetic", "images", "cnn", "speed")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "subsection_order": [f"../examples/{name}" for name in GALLERY_SECTIONS],
    # docs/_ext/gallery_order.py: the reading order within each section.
    "within_subsection_order": "gallery_order.ExampleOrder",
    # The same order in the home page's minigalleries (sphinx-gallery would
    # sort them by file name).
    "minigallery_sort_order": "gallery_order.minigallery_key",
    # Every script is executed, not only plot_*.py: an example that does not
    # run is a broken page.
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"__init__\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    # The computation-times page pulls jQuery and DataTables from CDNs.
    "write_computation_times": False,
    # HTML explorers are shown through their _repr_html_.
    "capture_repr": ("_repr_html_", "__repr__"),
    # matplotlib's scraper, which also keeps each figure's largest panel for the
    # thumbnails (docs/_ext/thumbnails.py).
    "image_scrapers": ("thumbnails.panel_scraper",),
    # Off: jshtml animations link Font Awesome from a CDN and embed every frame
    # as base64 PNG (megabytes per page). Interactivity comes from the
    # convdoc.explore HTML explorers, which embed no frames and load nothing.
    "matplotlib_animations": False,
    "backreferences_dir": "api/generated/backrefs",
    "doc_module": ("convdoc",),
    "download_all_examples": True,
    "thumbnail_size": (320, 224),
    "min_reported_time": 1,
    "show_memory": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
}

# -- HTML ---------------------------------------------------------------------

html_theme = "furo"
html_title = f"convdoc {release}"
html_static_path = ["_static"]
html_css_files = ["convdoc.css", "convdoc-responsive.css"]
# A page without an icon makes the browser request /favicon.ico and log a 404.
html_favicon = "_static/favicon.svg"
html_copy_source = False
# Chapters first in search results, and snippets of prose rather than download
# notes, code and formulas written three times (see the file).
html_search_scorer = str(DOCS / "search_scorer.js")
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    # No "view source"/"edit" buttons: sources are not copied into the site.
    "top_of_page_buttons": [],
    "navigation_with_keys": True,
}

# Where the site is published; sitemap.xml and canonical links use it.
html_baseurl = os.environ.get("CONVDOC_BASEURL", "https://convdoc.github.io/convdoc/")
sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "404.html"]

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"


def setup(app):
    """Register the chapter download links (.py and .ipynb per chapter)."""
    setup_chapter_downloads(app)
    return {"parallel_read_safe": True}
