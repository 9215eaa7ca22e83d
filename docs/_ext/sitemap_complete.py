"""Keep sitemap.xml complete across incremental builds.

sphinx-sitemap 2.9 lists the pages written during the current build, and an
incremental build writes only the pages that changed: after editing one
example, the rewritten sitemap.xml would list that page and little else. Just
before sphinx-sitemap writes the file, this extension passes every document of
the project through sphinx-sitemap's own per-page hook (so the same links,
suffixes and exclusions apply), then drops the duplicates and sorts the list,
which also makes sitemap.xml the same from one build to the next.
"""

from __future__ import annotations

import queue
from typing import Any

from sphinx_sitemap import add_html_link

#: Before sphinx-sitemap's build-finished handler (default priority 500).
PRIORITY = 400


def complete_sitemap(app: Any, exception: Exception | None) -> None:
    """Queue a sitemap entry for every document, once each (``build-finished``)."""
    links = getattr(app.env.app, "sitemap_links", None)
    if exception is not None or app.builder.format != "html" or links is None:
        return
    for docname in sorted(app.env.found_docs):
        add_html_link(app, docname, "page.html", {}, None)
    entries: dict[str, Any] = {}
    while True:
        try:
            link, last_updated = links.get_nowait()
        except queue.Empty:
            break
        entries.setdefault(link, last_updated)
    for link in sorted(entries):
        links.put((link, entries[link]))


def setup(app: Any) -> dict[str, Any]:
    """Connect the hook; loads sphinx_sitemap first."""
    app.setup_extension("sphinx_sitemap")
    app.connect("build-finished", complete_sitemap, priority=PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
