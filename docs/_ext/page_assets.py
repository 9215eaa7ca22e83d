"""Each page loads only what it uses; its images have sizes, load lazily and are compressed.

Every extension registers its stylesheets and scripts for every page: a chapter
would load sphinx-gallery's CSS and a gallery page MyST-NB's, 14 render-blocking
stylesheets in all (about 216 KiB), though most pages use a few. On a phone each
one delays the first paint. So, per page (``html-page-context``):

* a stylesheet or script of :data:`ASSETS` is kept only if the page's body holds
  the markup it styles or drives (MyST-NB's CSS where there are notebook cells,
  sphinx-gallery's where there are gallery blocks, KaTeX's where there is math,
  the copy button's where there is code, ...); the theme's own files always stay;
* every ``<img>`` gets the ``width`` and ``height`` of its file (the browser
  reserves the room, nothing shifts when it arrives) and ``decoding="async"``;
  all but the first image of the page get ``loading="lazy"`` (the first one may
  be the largest paint, which must not wait);
* identical inline scripts and styles (each explorer carries its own copy) are
  kept once (:func:`drop_repeated_inline`);
* a figure wider than :data:`FULL_SIZE_LINK_WIDTH` pixels, shown shrunk to the
  column, is wrapped in a link to the file itself, so its detail stays one tap away.

When the build finishes, every PNG in ``_images`` that is not a palette image yet
is rewritten as an optimised 256-colour PNG when that changes no pixel by more
than a little (:func:`compress_png`; figures are flat colours and antialiased
edges), else as an optimised PNG. Sphinx copies an image again only when a page
showing it is rewritten, so a rebuild with nothing changed compresses nothing.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: Markup a page's body holds when it needs a file, by the file's name.
_CELLS = re.compile(r'class="[^"]*\bcell\b')
_GALLERY = re.compile(r'class="[^"]*\bsphx-glr-')
_MATH = re.compile(r'class="[^"]*\bkatex\b')
_DISPLAY_MATH = re.compile(r'class="[^"]*\b(?:katex-display|math-wrapper)\b|<div class="math')
_CODE = re.compile(r'class="[^"]*\bhighlight')
_DESIGN = re.compile(r'class="[^"]*\bsd-')
_TABS = re.compile(r'class="[^"]*\bsd-tab-set\b')
_DATAFRAME = re.compile(r'class="[^"]*\bdataframe\b')
_RENDERED = re.compile(r'class="[^"]*\brendered_html\b')
_BINDER = re.compile(r'class="[^"]*\b(?:binder|lite)-badge\b')

#: File name (without folders and query) -> the body pattern that makes a page need it.
#: Files not listed (the theme's, Sphinx's search scripts, ours) are always kept.
ASSETS: dict[str, re.Pattern[str]] = {
    "mystnb.css": _CELLS,
    "sg_gallery.css": _GALLERY,
    "sg_gallery-binder.css": _BINDER,
    "sg_gallery-dataframe.css": _DATAFRAME,
    "sg_gallery-rendered-html.css": _RENDERED,
    "sg-tags.js": _GALLERY,
    "katex.min.css": _MATH,
    "katex-math.css": _DISPLAY_MATH,
    "pygments.css": _CODE,
    "copybutton.css": _CODE,
    "copybutton.js": _CODE,
    "clipboard.min.js": _CODE,
    "sphinx-design.min.css": _DESIGN,
    "design-tabs.js": _TABS,
}
# MyST-NB names its stylesheet after its content hash: mystnb.<sha256>.css.
_HASHED = re.compile(r"^(mystnb)\.[0-9a-f]{16,}(\.css)$")

#: Figures at least this wide (pixels) get a link to the full-size file.
FULL_SIZE_LINK_WIDTH = 800

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)
# Quoted values may hold ">" (sphinx-gallery writes alt text such as "x -> y" raw).
_IMG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_ATTR = re.compile(r'\s([a-zA-Z-]+)\s*=\s*"([^"]*)"')
_ANCHOR_OPEN = re.compile(r"<a\b[^>]*>", re.IGNORECASE)


def asset_name(filename: Any) -> str:
    """The name :data:`ASSETS` knows a registered file by (folders, query, hash dropped).

    Examples
    --------
    >>> asset_name("katex/katex.min.css?v=1")
    'katex.min.css'
    >>> asset_name("mystnb.11b39860a7a0cbfd473a3ad8a317855267ff0bd372690045ca344a6b62be495e.css")
    'mystnb.css'
    """
    name = posixpath.basename(str(filename).split("?", 1)[0])
    return _HASHED.sub(r"\1\2", name)


def needed(filename: Any, body: str) -> bool:
    """Whether a page whose body is ``body`` needs the file ``filename``."""
    pattern = ASSETS.get(asset_name(filename))
    return pattern is None or pattern.search(body) is not None


def drop_repeated_inline(body: str) -> str:
    """Keep the first of identical inline ``<script>``/``<style>`` blocks, drop the rest.

    Each ``convdoc.explore`` explorer carries its whole script and stylesheet so it
    works on its own (in a notebook too); a page with three explorers would parse
    and run the same 48 KB script three times. One copy does for all: the script
    starts every explorer on the page once the document is parsed, and a style
    applies to the whole page wherever it sits. Blocks with attributes (JSON data,
    ``type=module``) are never touched.

    Examples
    --------
    >>> drop_repeated_inline("<style>a{}</style><b>1</b><style>a{}</style><script>f()</script>")
    '<style>a{}</style><b>1</b><script>f()</script>'
    """
    seen: set[tuple[str, str]] = set()

    def once(match: re.Match[str]) -> str:
        key = (match.group(1), match.group(2))
        if key in seen:
            return ""
        seen.add(key)
        return match.group(0)

    return _INLINE.sub(once, body)


def _inside_link(body: str, position: int) -> bool:
    """Whether ``position`` in ``body`` lies inside an ``<a>`` element."""
    opened = body.rfind("<a ", 0, position)
    if opened < 0:
        return False
    return body.rfind("</a>", opened, position) < 0


def size_images(
    body: str,
    size_of: Callable[[str], tuple[int, int] | None],
    shown: Callable[[str], str | None] = lambda src: None,
) -> str:
    """Give each ``<img>`` its size, lazy loading below the first, full-size links.

    Parameters
    ----------
    body : str
        A page's body HTML.
    size_of : callable
        ``size_of(src) -> (width, height)`` of the file an ``src`` points to, or
        None if unknown (the tag then keeps no size, but still loads lazily).
    shown : callable, optional
        ``shown(src)`` -> the URI of a lighter file to show instead (in ``src``
        and ``srcset``; the full-size link keeps the original), or None.

    Returns
    -------
    str
        The body with the ``<img>`` tags rewritten.

    Examples
    --------
    >>> size_images('<p><img src="a.png"/><img src="b.png"/></p>', lambda s: (10, 5))
    '<p><img src="a.png" width="10" height="5" decoding="async"/><img src="b.png" \
width="10" height="5" decoding="async" loading="lazy"/></p>'
    """
    pieces: list[str] = []
    last = 0
    for number, match in enumerate(_IMG.finditer(body)):
        tag = match.group(0)
        attrs = dict(_ATTR.findall(tag))
        extra = []
        source = html.unescape(attrs.get("src", ""))
        size = size_of(source)
        lighter = shown(source) if source else None
        if lighter:
            original, replacement = attrs["src"], html.escape(lighter, quote=True)
            tag = re.sub(
                r'(\s(?:src|srcset)\s*=\s*")([^"]*)"',
                lambda m, a=original, b=replacement: m.group(1) + m.group(2).replace(a, b) + '"',
                tag,
            )
        if size and "width" not in attrs and "height" not in attrs:
            extra += [f'width="{size[0]}"', f'height="{size[1]}"']
        if "decoding" not in attrs:
            extra.append('decoding="async"')
        if number > 0 and "loading" not in attrs:
            extra.append('loading="lazy"')
        end = len(tag) - (2 if tag.endswith("/>") else 1)
        new = tag[:end].rstrip() + (" " + " ".join(extra) if extra else "") + tag[end:]
        new = new.replace('" />', '"/>') if tag.endswith('"/>') else new
        wide = size is not None and size[0] >= FULL_SIZE_LINK_WIDTH
        if wide and not _inside_link(body, match.start()):
            label = html.escape("Open the full-size figure", quote=True)
            new = (
                f'<a class="convdoc-full-size" href="{attrs.get("src", "")}" '
                f'title="{label}">{new}</a>'
            )
        pieces += [body[last : match.start()], new]
        last = match.end()
    pieces.append(body[last:])
    return "".join(pieces)


def _image_files(app: Sphinx, pagename: str) -> Callable[[str], Path | None]:
    """The file behind an image URI of a page: its source for ``_images/``, else in outdir."""
    builder = app.builder
    by_dest = {dest: src for src, dest in getattr(builder, "images", {}).items()}
    page_dir = posixpath.dirname(pagename)

    def file_of(src: str) -> Path | None:
        if not src or src.startswith(("data:", "http:", "https:")):
            return None
        target = posixpath.normpath(posixpath.join(page_dir, src.split("?", 1)[0]))
        name = posixpath.basename(target)
        if target.startswith("_images/") and name in by_dest:
            path = Path(app.srcdir) / by_dest[name]
        else:
            path = Path(app.outdir) / target
        return path if path.is_file() else None

    return file_of


def _size(path: Path | None) -> tuple[int, int] | None:
    from PIL import Image

    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


#: Where the combined stylesheets go, below the output's ``_static``.
BUNDLES = "bundles"
#: bundle file name -> the stylesheets it joins (paths below ``_static``), this build.
_BUNDLES: dict[str, list[str]] = {}
#: Suffix of a bundle part whose ANSI colour rules are left out (MyST-NB's stylesheet).
NO_ANSI = "?no-ansi"
_ANSI_RULE = re.compile(r"[^{}]*\.-Color\b[^{}]*\{[^{}]*\}")
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def bundle_name(parts: list[str]) -> str:
    """The file name of the bundle joining ``parts`` (stable for the same list).

    Examples
    --------
    >>> parts = ["styles/furo.css", "convdoc.css"]
    >>> bundle_name(parts) == bundle_name(list(parts))
    True
    >>> bundle_name(["a.css"]) != bundle_name(["b.css"])
    True
    """
    import hashlib

    return "page-" + hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12] + ".css"


def rebase_urls(css: str, part: str) -> str:
    """Rewrite the relative ``url()``s of ``_static/<part>`` for a bundle in ``_static/bundles``.

    Examples
    --------
    >>> rebase_urls("a{src:url(fonts/K.woff2)} b{x:url('data:x')}", "katex/katex.min.css")
    "a{src:url(../katex/fonts/K.woff2)} b{x:url('data:x')}"
    """

    def rebase(match: re.Match[str]) -> str:
        quote, ref = match.group(1), match.group(2)
        if ref.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(part), ref))
        return f"url({quote}{posixpath.relpath(target, BUNDLES)}{quote})"

    return _URL.sub(rebase, css)


def _static_part(filename: Any) -> str | None:
    """A stylesheet's path below ``_static``, or None if it is not a local static file."""
    name = str(filename).split("?", 1)[0]
    if name.startswith(("http:", "https:", "//")):
        return None
    return name.removeprefix("_static/")


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: keep the assets the page uses, combined; size its images."""
    body = context.get("body") or ""
    for key in ("css_files", "script_files"):
        files = context.get(key)
        if files:
            # A new list: Sphinx shares (and restores) the one it passes in.
            context[key] = [f for f in files if needed(getattr(f, "filename", f), body)]
    sheets = context.get("css_files") or []
    plain = [
        css for css in sheets
        if _static_part(css.filename) is not None
        and set(getattr(css, "attributes", {})) <= {"rel", "type", "priority"}
    ]  # fmt: skip
    if len(plain) > 1:
        from sphinx.builders.html._assets import _CascadingStyleSheet

        parts = [_static_part(css.filename) for css in plain]
        if "-Color" not in body:
            # No coloured notebook output: MyST-NB's ANSI colour rules (34 of its 43 KB) go.
            parts = [p + NO_ANSI if asset_name(p) == "mystnb.css" else p for p in parts]
        name = bundle_name(parts)  # type: ignore[arg-type]
        _BUNDLES[name] = parts  # type: ignore[assignment]
        # Sheets left out of the bundle (remote, media-specific) keep their place
        # relative to it: those before its first part stay before it.
        start = sheets.index(plain[0])
        before = [css for css in sheets[:start] if css not in plain]
        after = [css for css in sheets[start:] if css not in plain]
        bundle = _CascadingStyleSheet(f"_static/{BUNDLES}/{name}", priority=plain[0].priority)
        context["css_files"] = [*before, bundle, *after]
    if body:
        file_of = _image_files(app, pagename)

        def shown(src: str) -> str | None:
            path = file_of(src)
            if path is None or path.suffix.lower() != ".png" or "/_images/" not in (
                "/" + posixpath.normpath(posixpath.join(posixpath.dirname(pagename), src))
            ):
                return None
            return src[: -len(".png")] + ".webp" if photo_like(path) else None

        body = drop_repeated_inline(body)
        context["body"] = size_images(body, lambda src: _size(file_of(src)), shown)


#: A text chunk marking a PNG as compressed already (one kept in full colour is not "P").
_MARK = ("convdoc", "compressed")
#: Above this many bytes per pixel (compressed PNG) a figure is photo-like: pages
#: show a WebP of it instead, and link to the PNG for full detail.
WEBP_BYTES_PER_PIXEL = 0.3
#: WebP quality for photo-like figures (visually lossless at the size shown).
WEBP_QUALITY = 85


def compressed_png(path: Path, max_error: float = 1.5) -> tuple[bytes, tuple[int, int]] | None:
    """An optimised PNG of an image: 256 colours if that is faithful, else full colour.

    Parameters
    ----------
    path : pathlib.Path
        A PNG file.
    max_error : float
        The largest mean absolute difference per channel (0-255 scale) the
        palette version may have from the original; above it the image keeps
        its colours and is only re-encoded with the best compression.

    Returns
    -------
    (bytes, (width, height)) or None
        None if the file is compressed already (a palette image, or one this
        function wrote).
    """
    import io

    import numpy as np
    from PIL import Image, PngImagePlugin

    with Image.open(path) as image:
        if image.mode == "P" or image.info.get(_MARK[0]) == _MARK[1]:
            return None
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    palette = flat.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    error = np.abs(
        np.asarray(palette.convert("RGB"), dtype=np.int16) - np.asarray(flat, dtype=np.int16)
    ).mean()
    info = PngImagePlugin.PngInfo()
    info.add_text(*_MARK)
    out = io.BytesIO()
    (palette if error <= max_error else flat).save(out, "PNG", optimize=True, pnginfo=info)
    return out.getvalue(), flat.size


def compress_png(path: Path) -> bool:
    """Rewrite one PNG as :func:`compressed_png` makes it; False if it was already."""
    made = compressed_png(path)
    if made is None:
        return False
    path.write_bytes(made[0])
    return True


def photo_like(path: Path, _cache: dict[tuple[str, int], bool] = {}) -> bool:  # noqa: B006
    """Whether a PNG stays above :data:`WEBP_BYTES_PER_PIXEL` once compressed."""
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _cache:
        made = compressed_png(path)
        if made is None:
            from PIL import Image

            with Image.open(path) as image:
                size = image.size
            data_size = path.stat().st_size
        else:
            data_size, size = len(made[0]), made[1]
        _cache[key] = data_size > WEBP_BYTES_PER_PIXEL * size[0] * size[1]
    return _cache[key]


def write_webp(png: Path) -> Path:
    """Write ``png``'s WebP sibling (same size, :data:`WEBP_QUALITY`) if it is missing or older."""
    from PIL import Image

    webp = png.with_suffix(".webp")
    if not webp.is_file() or webp.stat().st_mtime_ns < png.stat().st_mtime_ns:
        with Image.open(png) as image:
            image.convert("RGB").save(webp, "WEBP", quality=WEBP_QUALITY, method=6)
    return webp


def write_bundles(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: write the combined stylesheets pages of this build link to.

    Earlier builds' bundles are listed in ``manifest.json`` and written again too,
    so pages not rewritten this time get the stylesheets as they are now.
    """
    import json

    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    folder = static / BUNDLES
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    known = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    known.update(_BUNDLES)
    for name, parts in known.items():
        text = []
        for part in parts:
            source = static / part.removesuffix(NO_ANSI)
            if source.is_file():
                css = source.read_text(encoding="utf-8")
                if part.endswith(NO_ANSI):
                    css = _ANSI_RULE.sub("", css)
                css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
                text.append(f"/* {part} */\n{rebase_urls(css, part)}\n")
        target = folder / name
        joined = "".join(text)
        if not target.is_file() or target.read_text(encoding="utf-8") != joined:
            target.write_text(joined, encoding="utf-8")
    manifest.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")


def compress_images(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: compress the PNGs Sphinx copied into ``_images``."""
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted((Path(app.outdir) / "_images").glob("*.png")):
        compress_png(path)
        if photo_like(path):
            write_webp(path)


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the handlers, after the other extensions have added their files."""
    app.connect("html-page-context", page_context, priority=900)
    app.connect("build-finished", compress_images)
    app.connect("build-finished", write_bundles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
