"""The arithmetic pages' "tick Transposed" sentences hold in the page's own explorer.

Each arithmetic page says what ticking *Transposed* shows: the transposed
convolution taking the direct convolution's output back to its input size (and
on the odd case, 3 x 3 back to 6 x 6 with output padding 1, or to 5 x 5 with
0). Here a browser ticks the box (or moves the slider) on the built page and
reads the output size the explorer draws; the expected sizes are worked from
the shape formulas, not from convdoc.
"""

from __future__ import annotations

from typing import Any

import pytest
from browserlib import goto, new_page

pytestmark = pytest.mark.site

# page: (N, K, p, s, d) of the explorer on it.
PAGES = {
    "plot_no_padding_unit_stride": (4, 3, 0, 1, 1),
    "plot_arbitrary_padding": (5, 4, 2, 1, 1),
    "plot_half_padding": (5, 3, 1, 1, 1),
    "plot_full_padding": (5, 3, 2, 1, 1),
    "plot_stride_no_padding": (5, 3, 0, 2, 1),
    "plot_padding_and_stride": (5, 3, 1, 2, 1),
}


def _direct(n: int, k: int, p: int, s: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _back(m: int, k: int, p: int, s: int, d: int, a: int = 0) -> int:
    return (m - 1) * s - 2 * p + d * (k - 1) + a + 1


def _explorer(page: Any, server: str, visit: Any, name: str) -> Any:
    goto(page, visit, f"{server}auto_examples/arithmetic/{name}.html", idle=False)
    root = page.locator(".convdoc-explorer").last
    root.scroll_into_view_if_needed()
    return root


def _shown(root: Any) -> int:
    return int(root.get_attribute("data-output-size"))


@pytest.mark.parametrize("name", list(PAGES))
def test_ticking_transposed_takes_the_output_back_to_the_input_size(
    browser: Any, server: str, name: str
) -> None:
    n, k, p, s, d = PAGES[name]
    context, page, visit = new_page(browser)
    try:
        root = _explorer(page, server, visit, name)
        assert _shown(root) == _direct(n, k, p, s, d)
        root.locator('[data-control="transposed"]').set_checked(True)
        assert _shown(root) == _back(_direct(n, k, p, s, d), k, p, s, d) == n
        assert not visit.problems()
    finally:
        context.close()


def test_padding_and_stride_input_six_comes_back_as_five_unless_a_is_one(
    browser: Any, server: str
) -> None:
    context, page, visit = new_page(browser)
    try:
        root = _explorer(page, server, visit, "plot_padding_and_stride")
        root.locator('[data-control="input"]').fill("6")
        assert _shown(root) == _direct(6, 3, 1, 2, 1) == 3  # "the output stays 3 x 3"
        root.locator('[data-control="transposed"]').set_checked(True)
        assert _shown(root) == _back(3, 3, 1, 2, 1) == 5
        root.locator('[data-control="outpad"]').fill("1")
        assert _shown(root) == _back(3, 3, 1, 2, 1, a=1) == 6
    finally:
        context.close()


def test_odd_case_explorer_starts_on_three_to_six(browser: Any, server: str) -> None:
    context, page, visit = new_page(browser)
    try:
        root = _explorer(page, server, visit, "plot_odd_case")
        assert root.locator('[data-control="transposed"]').is_checked()
        assert _shown(root) == _back(_direct(6, 3, 1, 2, 1), 3, 1, 2, 1, a=1) == 6
        root.locator('[data-control="outpad"]').fill("0")  # "move the output padding to 0"
        assert _shown(root) == 5
        root.locator('[data-control="transposed"]').set_checked(False)
        for n in (5, 6):  # "change the input size between 5 and 6": the output stays 3 x 3
            root.locator('[data-control="input"]').fill(str(n))
            assert _shown(root) == _direct(n, 3, 1, 2, 1) == 3
        assert not visit.problems()
    finally:
        context.close()
