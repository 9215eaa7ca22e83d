"""The numbers in the 2-D grid figures are readable at the size the site shows them.

The site's content column is 736 px wide at a 1280 px window; a figure saved at
100 dpi wider than that is scaled down to it. Every kernel weight written in a
grid must then be at least 10 px (its font's em) on the page, stay inside its
cell, and not touch the cell's own value. The geometry is measured on the drawn
figure (Agg renderer), not taken from the code's constants.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.transforms import Bbox

import convdoc
from convdoc.plot import GridFigure2D, filmstrip

CONTENT_PX = 736  # Furo's content column at 1280 px, measured in the browser
MIN_PX = 10.0
DPI = 100

# The gallery's arithmetic cases (N, K, p, s, d) as on its pages.
CASES = [
    pytest.param(4, 3, 0, 1, 1, id="no-padding-unit-stride"),
    pytest.param(5, 4, 2, 1, 1, id="arbitrary-padding"),
    pytest.param(5, 3, 1, 1, 1, id="half-padding"),
    pytest.param(5, 3, 2, 1, 1, id="full-padding"),
    pytest.param(5, 3, 0, 2, 1, id="stride-no-padding"),
    pytest.param(5, 3, 1, 2, 1, id="padding-and-stride"),
    pytest.param(6, 3, 1, 2, 1, id="odd-case"),
    pytest.param(7, 3, 0, 1, 2, id="dilation"),
]


def _traces(n: int, k: int, p: int, s: int, d: int) -> list[convdoc.Trace]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (n, n)).astype(float)
    w = rng.integers(0, 3, (k, k)).astype(float)
    direct = convdoc.steps(x, w, operation="conv", padding=p, stride=s, dilation=d)
    o = direct.output.shape[0]
    a = (n + 2 * p - d * (k - 1) - 1) % s
    y = rng.integers(0, 4, (o, o)).astype(float)
    back = convdoc.steps(y, w, operation="conv_transpose", padding=p, stride=s,
                         dilation=d, output_padding=a)
    return [direct, back]


def _check_grid(fig, grid) -> list[str]:
    """Problems with the kernel-weight digits of one Grid2D as shown on the page."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, CONTENT_PX / width_px)
    problems = []
    ax = grid.ax_grid
    values = {tuple(np.round(t.get_position(), 3)): t for t in ax.texts
              if t not in grid.tap_texts}
    assert grid.tap_texts, "no kernel weights written"
    for text, patch in zip(grid.tap_texts, grid.tap_patches, strict=True):
        shown_px = text.get_fontsize() * fig.dpi / 72 * scale
        if shown_px < MIN_PX - 1e-9:
            problems.append(f"weight {text.get_text()!r} is {shown_px:.1f} px on the page")
        box = text.get_window_extent(renderer)
        cell = patch.get_window_extent(renderer)
        if not Bbox.intersection(box, cell) or box.width > cell.width + 0.5 or (
            box.x0 < cell.x0 - 0.5 or box.y0 < cell.y0 - 0.5
        ):
            problems.append(f"weight {text.get_text()!r} leaves its cell")
        x, y = patch.get_xy()
        value = values.get((round(x + 0.5, 3), round(y + 0.5, 3)))
        if value is not None:
            vbox = value.get_window_extent(renderer)
            if box.overlaps(vbox):
                problems.append(f"weight {text.get_text()!r} touches the value "
                                f"{value.get_text()!r} in its cell")
    return problems


def test_the_geometry_check_finds_small_and_overlapping_digits() -> None:
    # The check itself: a figure ten times the page's width shrinks its digits.
    trace = _traces(4, 3, 0, 1, 1)[0]
    fig = GridFigure2D(trace, 0, figsize=(73.6, 4.0))
    try:
        for text in fig.grid.tap_texts:
            text.set_fontsize(7)
        problems = _check_grid(fig.fig, fig.grid)
        assert any("px on the page" in p for p in problems)
        for text in fig.grid.tap_texts:
            text.set_fontsize(60)
        assert any("touches the value" in p or "leaves" in p
                   for p in _check_grid(fig.fig, fig.grid))
    finally:
        fig.close()


@pytest.mark.parametrize(("n", "k", "p", "s", "d"), CASES)
def test_grid_figure_weights_are_readable(n: int, k: int, p: int, s: int, d: int) -> None:
    for trace in _traces(n, k, p, s, d):
        for step in (0, len(trace) - 1):
            fig = GridFigure2D(trace, step)
            try:
                # Every grid the arithmetic pages draw is small enough for numbers.
                assert fig.grid.numbers, (trace.operation, trace.grid.shape)
                assert fig.fig.dpi == DPI
                problems = _check_grid(fig.fig, fig.grid)
                assert not problems, (trace.operation, step, problems)
            finally:
                fig.close()


@pytest.mark.parametrize(("n", "k", "p", "s", "d"), CASES)
def test_filmstrip_weights_are_readable(n: int, k: int, p: int, s: int, d: int) -> None:
    for trace in _traces(n, k, p, s, d):
        steps = sorted({0, 1, len(trace) // 2, len(trace) - 1})
        strip = filmstrip(trace, steps)
        try:
            for grid in strip.columns:
                if not grid.numbers:
                    continue  # too small for digits on the page: none drawn
                problems = _check_grid(strip.fig, grid)
                assert not problems, (trace.operation, problems)
        finally:
            strip.close()


def test_a_two_step_filmstrip_of_every_case_writes_its_numbers() -> None:
    # Two columns leave room: the numbers are drawn (and so checked above).
    for n, k, p, s, d in (case.values for case in CASES):
        for trace in _traces(n, k, p, s, d):
            if max(trace.grid.shape) > 8:
                continue
            strip = filmstrip(trace, [0, 1])
            try:
                assert all(grid.numbers for grid in strip.columns), trace.grid.shape
                for grid in strip.columns:
                    assert not _check_grid(strip.fig, grid)
            finally:
                strip.close()
