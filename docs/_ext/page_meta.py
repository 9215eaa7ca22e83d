"""Give every page a ``<meta name="description">``, from its first paragraph.

Also makes the 404 page work where hosts serve it: at whatever missing URL
was asked for, at any depth. Its relative links would then point below that
URL, so it gets a ``<base>`` at the site's published path (from
``html_baseurl``) and ``noindex``.

Search engines and link previews show this text under the page title. A page
can still set its own (MyST front matter ``html_meta: {description: ...}`` or
reST ``.. meta:: :description:``); only pages without one get the default:
the first paragraph of prose, cut at a word boundary near 160 characters.
Pages with no document behind them (search, index) get the project summary.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

#: Search engines show roughly this many characters.
MAX_LENGTH = 160
#: Project summary, for pages that have no prose of their own.
SITE_SUMMARY = (
    "Convolutions explained with executable examples: 1-D signals, 2-D images, "
    "stride, padding, dilation and CNN layers."
)
# Where a page's own prose lives. Paragraphs elsewhere (notes, admonitions,
# notebook outputs, tables, lists) are asides, not a summary of the page.
_PROSE_PARENTS = (nodes.section, nodes.document, addnodes.desc, addnodes.desc_content)
_HAS_DESCRIPTION = re.compile(r"""<meta\s+[^>]*name=["']description["']""", re.IGNORECASE)
# Plain-text stand-ins for the TeX a summary is likely to hold.
_TEX_WORDS = {
    **dict(zip(
        "alpha beta gamma delta epsilon theta lambda mu pi rho sigma tau phi omega".split(),
        "αβγδεθλμπρστφω", strict=True,
    )),
    "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "ast": "*", "star": "*", "ldots": "…", "dots": "…", "infty": "∞", "to": "→",
}  # fmt: skip
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_TEX_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def plain_math(tex: str) -> str:
    r"""TeX as plain text for a summary: Greek letters and operators as Unicode.

    Examples
    --------
    >>> plain_math(r"\sigma = 3")
    'σ = 3'
    >>> plain_math(r"\sigma_k")
    'σ_k'
    >>> plain_math(r"\frac{n + 2p}{s} \cdot x_{i}")
    '(n + 2p)/(s) · x_i'
    """
    text = _TEX_FRAC.sub(r"(\1)/(\2)", tex)
    text = re.sub(r"\\(?:left|right)\b", "", text)
    text = _TEX_COMMAND.sub(lambda m: _TEX_WORDS.get(m.group(1), m.group(1)), text)
    return " ".join(text.replace("{", "").replace("}", "").split())


def _text(node: nodes.Node) -> str:
    if isinstance(node, (nodes.math, nodes.math_block)):
        return plain_math(node.astext())
    if isinstance(node, nodes.Text):
        return node.astext()
    return "".join(_text(child) for child in node.children)


def first_paragraph(doctree: nodes.document) -> str | None:
    """The text of the first paragraph of prose in a document, whitespace collapsed.

    Parameters
    ----------
    doctree : docutils.nodes.document
        The resolved document of one page.

    Returns
    -------
    str or None
        None if the page has no paragraph directly in a section (or in an API
        entry's description).
    """
    for paragraph in doctree.findall(nodes.paragraph):
        if isinstance(paragraph.parent, _PROSE_PARENTS):
            text = " ".join(_text(paragraph).split())
            # autodoc's "Bases: object" line opens a class's description.
            if text and not text.startswith("Bases: "):
                return text
    return None


def shorten(text: str, limit: int = MAX_LENGTH) -> str:
    """Cut ``text`` at the last word boundary before ``limit`` characters, adding "…".

    Examples
    --------
    >>> shorten("one two three", limit=9)
    'one two…'
    >>> shorten("short", limit=9)
    'short'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def add_description(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """``html-page-context`` handler: append the default description to ``metatags``."""
    metatags = context.get("metatags", "")
    if _HAS_DESCRIPTION.search(metatags):
        return
    text = first_paragraph(doctree) if doctree is not None else None
    if text is None:
        title = re.sub(r"<[^>]+>", "", context.get("title") or "").strip()
        text = f"{title} — {SITE_SUMMARY}" if title else SITE_SUMMARY
    content = html.escape(shorten(text), quote=True)
    context["metatags"] = f'{metatags}\n    <meta name="description" content="{content}" />'


def not_found_base(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """``html-page-context`` handler: a ``<base>`` and ``noindex`` for the 404 page."""
    if pagename != "404" or not app.config.html_baseurl:
        return
    path = urlsplit(app.config.html_baseurl).path or "/"
    path = path if path.endswith("/") else path + "/"
    # metatags is written at the top of <head>, before any stylesheet or script.
    context["metatags"] = (
        f'<base href="{html.escape(path, quote=True)}" />\n'
        '    <meta name="robots" content="noindex" />\n    ' + context.get("metatags", "")
    )


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers; safe for parallel reading and writing."""
    app.connect("html-page-context", add_description)
    app.connect("html-page-context", not_found_base)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
