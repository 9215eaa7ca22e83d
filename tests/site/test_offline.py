"""The built site loads nothing from the network.

Every stylesheet, script, image, font and frame a page uses must come from the
site itself: a reader offline, or behind a strict firewall, sees the same site.
Plain links to other sites (``<a href="https://...">``) are allowed; they are
listed at the end of the run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import LINK_REPORT
from sitelib import css_loads, is_remote, page_loads, page_soup, page_text, resolve

pytestmark = pytest.mark.site

# Ways a script can pull in code or data from elsewhere at run time.
_JS_REMOTE_LOAD = re.compile(
    r"""(?:\bimport\s*\(\s*|\bimport\s[^;'"]*?from\s*|\bimportScripts\s*\(\s*|\bfetch\s*\(\s*|"""
    r"""\.src\s*=\s*|\bhref\s*=\s*)['"`](?:https?:)?//""",
)
_CDN_HOSTS = re.compile(
    r"cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|ajax\.googleapis|fonts\.googleapis"
    r"|fonts\.gstatic|code\.jquery|use\.fontawesome|stackpath\.bootstrapcdn",
    re.IGNORECASE,
)


def _files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.suffix.lower() in suffixes and p.is_file())


def test_site_has_pages_styles_and_scripts(site: Path) -> None:
    # Guards the scans below against an empty or misplaced site.
    assert len(_files(site, ".html")) >= 5
    assert _files(site, ".css")
    assert _files(site, ".js")


def test_html_loads_nothing_remote(site: Path) -> None:
    offenders = [
        f"{page.relative_to(site)}: {url}"
        for page in _files(site, ".html")
        for _, url in page_loads(page)
        if is_remote(url)
    ]
    assert not offenders, "pages load remote resources:\n" + "\n".join(offenders)


def test_css_loads_nothing_remote(site: Path) -> None:
    offenders = [
        f"{sheet.relative_to(site)}: {url}"
        for sheet in _files(site, ".css")
        for url in css_loads(page_text(sheet))
        if is_remote(url)
    ]
    assert not offenders, "stylesheets load remote resources:\n" + "\n".join(offenders)


def test_scripts_load_nothing_remote(site: Path) -> None:
    codes = [
        (script, script.read_text(encoding="utf-8", errors="replace"))
        for script in _files(site, ".js")
    ]
    for page in _files(site, ".html"):
        soup = page_soup(page)
        codes += [(page, inline.get_text()) for inline in soup.find_all("script", src=False)]
    offenders = [
        f"{path.relative_to(site)}: {match.group(0)}"
        for path, code in codes
        for match in _JS_REMOTE_LOAD.finditer(code)
    ]
    assert not offenders, "scripts fetch remote code or data:\n" + "\n".join(offenders)


def test_no_cdn_is_named_anywhere(site: Path) -> None:
    # sphinxcontrib-katex, sphinx-gallery's jshtml animations and its
    # computation-times page all default to CDNs; none of that may remain.
    offenders = [
        f"{path.relative_to(site)}: {match.group(0)}"
        for path in _files(site, ".html", ".css", ".js", ".txt", ".xml")
        for match in _CDN_HOSTS.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offenders, "\n".join(offenders)


def test_every_local_reference_resolves(site: Path) -> None:
    missing = []
    for page in _files(site, ".html"):
        for _, url in page_loads(page):
            if is_remote(url):
                continue
            target = resolve(url, page, site)
            if target is not None and not target.is_file():
                missing.append(f"{page.relative_to(site)}: {url}")
    for sheet in _files(site, ".css"):
        for url in css_loads(page_text(sheet)):
            target = None if is_remote(url) else resolve(url, sheet, site)
            if target is not None and not target.is_file():
                missing.append(f"{sheet.relative_to(site)}: {url}")
    assert not missing, "references to files the site does not have:\n" + "\n".join(missing)


def test_katex_is_served_locally(site: Path) -> None:
    sheet = site / "_static" / "katex" / "katex.min.css"
    assert sheet.is_file()
    fonts = [url for url in css_loads(sheet.read_text(encoding="utf-8")) if ".woff2" in url]
    assert fonts, "KaTeX's stylesheet names no woff2 font"
    for url in fonts:
        assert (sheet.parent / url).is_file(), url
    # Pages link one combined stylesheet (docs/_ext/page_assets.py): on a page with
    # math it must carry KaTeX's rules, its fonts local files under _static/katex/fonts.
    index = page_soup(site / "index.html")
    assert index.find(class_="katex"), "index.html shows no KaTeX math"
    hrefs = [link["href"].split("?")[0] for link in index.find_all("link", rel="stylesheet")]
    assert hrefs and not any(is_remote(href) for href in hrefs), hrefs
    texts = {site / href: (site / href).read_text(encoding="utf-8") for href in hrefs}
    katex_rules = [
        sheet for sheet, css in texts.items() if ".katex{" in css and "font-family:KaTeX_" in css
    ]
    assert katex_rules, f"no stylesheet of index.html holds KaTeX's rules: {hrefs}"
    for linked in katex_rules:
        loads = [url for url in css_loads(texts[linked]) if "KaTeX_" in url]
        assert loads, f"{linked.name} names no KaTeX font"
        local_fonts = (site / "_static" / "katex" / "fonts").resolve()
        for url in loads:
            assert not is_remote(url), url
            font = (linked.parent / url.split("?")[0]).resolve()
            assert font.is_file() and font.parent == local_fonts, (linked.name, url)


def test_list_external_links(site: Path, request: pytest.FixtureRequest) -> None:
    links: dict[str, int] = {}
    for page in _files(site, ".html"):
        soup = page_soup(page)
        for anchor in soup.find_all("a", href=True):
            if is_remote(anchor["href"]):
                links[anchor["href"]] = links.get(anchor["href"], 0) + 1
    request.config.stash[LINK_REPORT] = links
    assert all(url.startswith("https://") for url in links), [
        url for url in links if not url.startswith("https://")
    ]
