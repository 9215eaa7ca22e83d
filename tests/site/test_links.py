"""Every link in the built site goes somewhere: files exist, #fragments name an id in them.

Checked statically on the HTML (no browser): each ``href``, ``src`` and
``srcset`` of every page, internal ones resolved against the build folder,
fragments against the ``id``/``name`` attributes of the target page. External
URLs are collected for the report printed after the run, never fetched. The
sitemap lists every page a search engine should see, at ``html_baseurl``; the
404 page exists and works from any depth, as a host serves it.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from browserlib import html_pages
from bs4 import BeautifulSoup
from conftest import ROOT
from sitelib import page_soup, page_text

pytestmark = pytest.mark.site

#: Schemes that name no file: nothing to resolve.
_NO_FILE_SCHEMES = frozenset({"mailto", "tel", "javascript", "data", "blob", "about"})
_SRCSET_TAGS = frozenset({"img", "source"})


@dataclass
class LinkReport:
    """What a site's links point at."""

    broken: list[str] = field(default_factory=list)
    external: Counter[str] = field(default_factory=Counter)
    checked: int = 0


@cache
def _anchors(path: Path) -> frozenset[str]:
    """The ids and <a name>s a page defines, i.e. the fragments it can be linked at."""
    soup = page_soup(path)
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def _is_canonical(page: Path, url: str) -> bool:
    return f'<link rel="canonical" href="{url}"' in page_text(page)


def page_urls(html: str | BeautifulSoup) -> list[tuple[str, str]]:
    """Every ``(tag.attr, url)`` an HTML page (source or parse) names in href, src or srcset."""
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
    urls = []
    for tag in soup.find_all(True):
        if tag.name == "base":
            continue  # sets where relative URLs resolve; not a link (404.html has one)
        for attr in ("href", "src"):
            value = tag.get(attr)
            if isinstance(value, str) and value.strip():
                urls.append((f"{tag.name}.{attr}", value.strip()))
        if tag.name in _SRCSET_TAGS and tag.get("srcset"):
            for candidate in tag["srcset"].split(","):
                if candidate.strip():
                    urls.append((f"{tag.name}.srcset", candidate.split()[0]))
    return urls


def check_links(site: Path) -> LinkReport:
    """Resolve every link of every page of a built site.

    Parameters
    ----------
    site : pathlib.Path
        The html output folder.

    Returns
    -------
    LinkReport
        ``broken`` holds one line per unresolvable link: missing file, link
        leaving the site folder, or fragment the target does not define.
    """
    root = site.resolve()
    report = LinkReport()
    for page_name in html_pages(site):
        page = root / page_name
        for where, url in page_urls(page_soup(page)):
            report.checked += 1
            parts = urlsplit(url)
            if parts.scheme.lower() in _NO_FILE_SCHEMES:
                continue
            if parts.scheme or url.startswith("//"):
                # The page's own published address is not a link away from the site.
                if where != "link.href" or not _is_canonical(page, url):
                    report.external[url] += 1
                continue
            path = unquote(parts.path)
            if not path:
                target = page
            elif path.startswith("/"):
                report.broken.append(f"{page_name}: {where}={url!r} is root-relative")
                continue
            else:
                target = (page.parent / path).resolve()
            if target != root and root not in target.parents:
                report.broken.append(f"{page_name}: {where}={url!r} leaves the site")
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                report.broken.append(f"{page_name}: {where}={url!r} -> no such file")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _anchors(target):
                shown = target.relative_to(root).as_posix()
                report.broken.append(
                    f"{page_name}: {where}={url!r} -> no id {fragment!r} in {shown}"
                )
    return report


@pytest.fixture(scope="module")
def links(site: Path) -> LinkReport:
    return check_links(site)


def test_every_internal_link_and_anchor_resolves(links: LinkReport) -> None:
    assert links.checked > 100, f"only {links.checked} links found: is the walk broken?"
    broken = list(links.broken)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken)


def test_external_links_are_https(links: LinkReport) -> None:
    # They are listed at the end of the run by test_offline (never fetched);
    # here only their scheme matters.
    insecure = sorted(url for url in links.external if url.startswith("http://"))
    assert not insecure, f"plain-http links: {insecure}"


def test_checker_finds_broken_links(tmp_path: Path) -> None:
    # The checker itself, on a three-file site with one of each defect.
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a><a href="sub/page.html#gone">bad anchor</a>'
        '<img src="missing.png"><a href="#top">self</a><a id="top"></a>'
        '<a href="https://example.org/x">ext</a><a href="../outside.html">out</a>',
        encoding="utf-8",
    )
    (tmp_path / "sub" / "page.html").write_text(
        '<h2 id="here">x</h2><link rel="stylesheet" href="../index.html">', encoding="utf-8"
    )
    report = check_links(tmp_path)
    assert report.checked == 7
    assert report.external == {"https://example.org/x": 1}
    assert len(report.broken) == 3, report.broken
    assert any("'gone'" in line for line in report.broken)
    assert any("missing.png" in line for line in report.broken)
    assert any("leaves the site" in line for line in report.broken)


# -- sitemap and 404 -------------------------------------------------------------------


def _canonical(page: Path) -> str:
    soup = page_soup(page)
    link = soup.find("link", rel="canonical")
    assert link is not None, f"{page.name}: no <link rel=canonical> (is html_baseurl set?)"
    return link["href"]


def test_sitemap_lists_every_page_at_the_base_url(site: Path) -> None:
    sitemap = site / "sitemap.xml"
    assert sitemap.is_file(), "no sitemap.xml: is sphinx_sitemap in conf.extensions?"
    home = _canonical(site / "index.html")
    assert home.startswith("https://") and home.endswith("/index.html"), home
    base = home.removesuffix("index.html")
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.parse(sitemap).getroot()
    locs = [el.text or "" for el in root.iterfind("sm:url/sm:loc", namespace)]
    assert len(locs) == len(set(locs)), "sitemap lists a page twice"
    off_base = [loc for loc in locs if not loc.startswith(base)]
    assert not off_base, f"sitemap URLs not under {base}: {off_base[:5]}"
    listed = {loc.removeprefix(base) for loc in locs}
    no_page = sorted(p for p in listed if not (site / p).is_file())
    assert not no_page, f"sitemap URLs with no page: {no_page}"
    # Index pages may be listed or not; the search page and the 404 page never.
    utility = {"search.html", "genindex.html", "py-modindex.html", "404.html"}
    unlisted = sorted(set(html_pages(site)) - listed - utility)
    assert not unlisted, f"pages missing from sitemap.xml: {unlisted}"
    never = listed & {"search.html", "404.html"}
    assert not never, f"sitemap lists pages search engines must not index: {never}"


def test_canonical_links_follow_the_page_path(site: Path) -> None:
    base = _canonical(site / "index.html").removesuffix("index.html")
    wrong = []
    for page in html_pages(site):
        if page == "404.html":
            continue
        canonical = _canonical(site / page)
        if canonical != base + page:
            wrong.append(f"{page}: {canonical}")
    assert not wrong, "canonical URLs that do not match the page:\n" + "\n".join(wrong)


def test_404_page_exists_and_leads_home(site: Path) -> None:
    page = site / "404.html"
    assert page.is_file(), "no 404.html: hosts would show their own bare error page"
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    article = soup.find("article") or soup
    hrefs = [a["href"] for a in article.find_all("a", href=True)]
    assert any(urlsplit(h).path.endswith("index.html") for h in hrefs), hrefs


# -- hosting: Read the Docs and GitHub Pages build what `make html` builds ------------------


def test_read_the_docs_runs_make_html_into_its_output_folder() -> None:
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text("utf-8"))
    assert config["version"] == 2
    build = config["build"]
    assert build["os"] == "ubuntu-24.04"
    assert str(build["tools"]["python"]) == "3.11" and str(build["tools"]["nodejs"]) == "20"
    command = " ".join(build["commands"])
    assert "make html" in command and 'BUILDDIR="$READTHEDOCS_OUTPUT"' in command
    # Read the Docs publishes $READTHEDOCS_OUTPUT/html: the Makefile must write there.
    dry = subprocess.run(
        ["make", "-n", "html", "BUILDDIR=/rtd-output"], cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "/rtd-output/html" in dry.stdout, dry.stdout + dry.stderr


def test_github_pages_uploads_what_make_html_builds() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert str(uses["actions/setup-node"]["with"]["node-version"]) == "20"
    assert any(step.get("run") == "make html" for step in steps)
    artifact = uses["actions/upload-pages-artifact"]["with"]["path"]
    dry = subprocess.run(
        ["make", "-n", "html"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert f"{artifact}" in dry.stdout, (artifact, dry.stdout)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_test_workflow_runs_ci_script_in_debian_on_pushes_and_pull_requests() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text("utf-8"))
    # PyYAML reads the key `on` as True (YAML 1.1 boolean).
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request"} <= set(triggers)
    job = workflow["jobs"]["test"]
    assert job["container"] == "debian:bookworm"
    steps = job["steps"]
    assert [s["run"] for s in steps if "run" in s][-1] == "bash .ci/run"
    assert next(s for s in steps if "run" in s and "git" in s["run"]) is steps[0]
    caches = {
        s["with"]["path"]: s["with"]["key"]
        for s in steps
        if s.get("uses", "").startswith("actions/cache@")
    }
    assert set(caches) == {".venv", "docs/_static/katex"}
    assert all("hashFiles('requirements/constraints.txt'" in key for key in caches.values())
    # The bare container lacks what `make test` needs; .ci/run installs it.
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    for package in ("python3-venv", "make", "git", "chromium", "nodejs npm"):
        assert f"need+=({package}" in script, package
    assert script.rstrip().splitlines()[-2] == "make test"
