"""Build the documentation site once per test session and hand it to the site tests.

The build is the one ``make html`` runs (``sphinx-build -b html -W
--keep-going``) into a temporary directory, followed by a second build into the
same directory with nothing changed, whose log shows whether anything was
re-executed. Set ``CONVDOC_SITE`` to an already built ``html`` directory to test
it instead of building (the log-based tests are then skipped, saying why).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

#: The heaviest pages, filled by test_budget, printed after the run.
WEIGHT_REPORT = pytest.StashKey[list[tuple[int, str]]]()
#: External <a href> links, filled by test_offline, printed after the run.
LINK_REPORT = pytest.StashKey[dict[str, int]]()


@dataclass(frozen=True)
class SiteBuild:
    """A built site and how it was built."""

    html: Path
    log: str | None = None
    returncode: int = 0
    rebuild_log: str | None = None
    rebuild_returncode: int = 0


def chapter_sources() -> list[Path]:
    """The tutorial's text notebooks, found on disk (not a hand list)."""
    return sorted(
        path
        for path in (DOCS / "tutorial").glob("*.md")
        if path.name != "index.md" and path.read_text(encoding="utf-8").startswith("---")
    )


def example_sources() -> list[Path]:
    """Every gallery script, found on disk."""
    return sorted(EXAMPLES.glob("*/*.py"))


def _sphinx(outdir: Path, doctrees: Path) -> tuple[int, str]:
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
        "-d", str(doctrees), str(DOCS), str(outdir),
    ]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """Build the site (or reuse ``$CONVDOC_SITE``) and rebuild it unchanged."""
    given = os.environ.get("CONVDOC_SITE")
    if given:
        html = Path(given).resolve()
        if not (html / "index.html").is_file():
            pytest.fail(f"CONVDOC_SITE={given!r} holds no built site (no index.html)")
        return SiteBuild(html=html)
    base = tmp_path_factory.mktemp("site")
    outdir, doctrees = base / "html", base / "doctrees"
    returncode, log = _sphinx(outdir, doctrees)
    (base / "build.log").write_text(log, encoding="utf-8")
    if returncode != 0:
        return SiteBuild(html=outdir, log=log, returncode=returncode)
    rebuild_returncode, rebuild_log = _sphinx(outdir, doctrees)
    (base / "rebuild.log").write_text(rebuild_log, encoding="utf-8")
    return SiteBuild(outdir, log, returncode, rebuild_log, rebuild_returncode)


@pytest.fixture(scope="session")
def site(site_build: SiteBuild) -> Path:
    """The built site's html directory; fails every dependent test if the build failed."""
    if site_build.returncode != 0:
        tail = "\n".join((site_build.log or "").splitlines()[-40:])
        pytest.fail(f"sphinx-build failed with exit code {site_build.returncode}:\n{tail}")
    return site_build.html


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the page weights and external links the site tests measured."""
    weights = config.stash.get(WEIGHT_REPORT, None)
    if weights:
        terminalreporter.section("convdoc site: heaviest pages (cold load, uncompressed)")
        for size, page in sorted(weights, reverse=True)[:5]:
            terminalreporter.write_line(f"{size / 1024:8.0f} KiB  {page}")
        terminalreporter.write_line(f"{len(weights)} pages measured")
    links = config.stash.get(LINK_REPORT, None)
    if links:
        terminalreporter.section("convdoc site: external links (navigation only, never loaded)")
        for url, count in sorted(links.items()):
            terminalreporter.write_line(f"{count:4d}x  {url}")
