"""Search, as a reader runs it: the chapter on a topic first, prose in the snippets.

The real search page (Sphinx's searchtools.js with docs/search_scorer.js) runs
in chromium against the built site served on 127.0.0.1.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browserlib import goto, new_page

pytestmark = [pytest.mark.site, pytest.mark.browser]

#: Topic words and the pages that teach each, chosen by reading the pages: the
#: chapter whose title names the topic or that has a section on it. For the FFT:
#: the chapter with a section named after it (how libraries compute convolutions)
#: or the speed section's two pages about it (the convolution theorem, and
#: "Direct sums or FFT", whose title names it).
EXPECTED_FIRST = {
    "stride": {"tutorial/stride-and-padding.html"},
    "padding": {"tutorial/stride-and-padding.html"},
    "dilation": {"tutorial/stride-and-padding.html"},
    "cross-correlation": {"tutorial/convolution-vs-correlation.html"},
    "pooling": {"tutorial/why-cnns.html"},
    "receptive field": {"tutorial/why-cnns.html"},
    "FFT": {
        "tutorial/how-libraries-compute.html",
        "auto_examples/speed/plot_convolution_theorem.html",
        "auto_examples/speed/plot_timing.html",
    },
}


def chapters_about(word: str) -> set[str]:
    """The toctree chapters whose title or a section heading names ``word``.

    Read from the chapter sources (docs/tutorial/*.md), so a chapter added by
    anyone, e.g. one on the frequency view, takes its topic word over.
    """
    from lighthouselib import DOCS, tutorial_chapters

    found = set()
    for chapter in tutorial_chapters():
        source = DOCS / "tutorial" / (Path(chapter).stem + ".md")
        headings = re.findall(r"^#{1,3} (.+)$", source.read_text(encoding="utf-8"), re.MULTILINE)
        if any(re.search(rf"\b{re.escape(word)}\b", h, re.IGNORECASE) for h in headings):
            found.add(chapter)
    return found


def expected_first(query: str) -> set[str]:
    """Where ``query`` must rank first: a chapter whenever one teaches it.

    The chapters chosen above or headed with the word; only if no chapter is,
    the gallery pages chosen above.
    """
    chapters = chapters_about(query) | {
        page for page in EXPECTED_FIRST[query] if page.startswith("tutorial/")
    }
    return chapters or EXPECTED_FIRST[query]


#: Text that is not prose: sphinx-gallery's download note, TeX source.
NOT_PROSE = re.compile(r"Go to the end to download|\\[a-zA-Z]+|Download (?:Jupyter|Python)")


def run_search(browser: Any, server: str, query: str) -> list[tuple[str, str]]:
    """Run one query on search.html; return (page, snippet) for every result, in order.

    Each query runs once per session (see ``search``), however many tests read it.
    """
    context, page, visit = new_page(browser)
    try:
        goto(page, visit, server + "search.html?q=" + quote(query), idle=False)
        page.wait_for_selector("#search-results ul.search li a", timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('#search-results h2')"
            "?.textContent.includes('Searching')",
            timeout=60_000,
        )
        # Snippets arrive after each result's page is fetched.
        page.wait_for_load_state("networkidle")
        results = page.eval_on_selector_all(
            "#search-results ul.search li",
            """items => items.map(li => [
                li.querySelector('a').getAttribute('href'),
                (li.querySelector('p.context') || {textContent: ''}).textContent])""",
        )
    finally:
        context.close()
    assert not visit.problems(), visit.problems()
    return [(href.split("#")[0].split("?")[0], text) for href, text in results]


@pytest.fixture(scope="session")
def search(browser: Any, server: str) -> Callable[[str], list[tuple[str, str]]]:
    """``search(query)``: the results of one query, run once and kept for the session."""
    return functools.cache(lambda query: run_search(browser, server, query))


@pytest.mark.parametrize("query", sorted(EXPECTED_FIRST))
def test_the_page_on_a_topic_ranks_first(
    search: Callable[[str], list[tuple[str, str]]], query: str
) -> None:
    results = search(query)
    ranked = [href for href, _ in results]
    assert ranked, f"no results for {query!r}"
    assert ranked[0] in expected_first(query), (query, ranked[:8])


def test_every_topic_word_but_fft_has_its_chapter() -> None:
    # The hand-chosen pages above are chapters for every word but FFT, which the
    # speed pages may also answer; a chapter headed with it must rank first.
    for query, pages in EXPECTED_FIRST.items():
        if query != "FFT":
            assert all(page.startswith("tutorial/") for page in pages), query


@pytest.mark.parametrize("query", sorted(EXPECTED_FIRST))
def test_snippets_are_prose(search: Callable[[str], list[tuple[str, str]]], query: str) -> None:
    results = search(query)
    snippets = [(href, text) for href, text in results if text.strip()]
    assert len(snippets) >= len(results) // 2, results
    bad = [(href, text) for href, text in snippets if NOT_PROSE.search(text)]
    assert not bad, bad
    # The word searched for appears in most snippets (they are cut around it).
    hits = [text for _, text in snippets if query.lower() in text.lower()]
    assert len(hits) >= len(snippets) // 2, snippets
