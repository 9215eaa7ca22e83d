"""The claims the basics and arithmetic gallery pages make, checked without building the site.

The sawtooth page says the figure draws the kernel where valid output ``n``
really comes from (inputs ``n .. n + 20``, centre ``n + 10``), which is the
seed page's mistake corrected; the arithmetic pages reproduce the output sizes
printed in Dumoulin & Visin, *A guide to convolution arithmetic for deep
learning* (2016). Expected values here are worked by hand or taken from the
paper, never from convdoc's output.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import convdoc
from convdoc.plot import GridFigure2D, StepFigure1D

K = 21


@pytest.fixture(scope="module")
def sawtooth_trace() -> convdoc.Trace:
    return convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(K, 3.0))


@pytest.mark.parametrize("n", [0, 40, 179])
def test_sawtooth_figure_draws_window_over_inputs_n_to_n_plus_20(
    sawtooth_trace: convdoc.Trace, n: int
) -> None:
    fig = StepFigure1D(sawtooth_trace, n)
    try:
        patch = fig.panels.window_patch
        # The window spans samples n .. n + K - 1, each cell half a sample wide.
        assert patch.get_x() == pytest.approx(n - 0.5)
        assert patch.get_width() == pytest.approx(K)
        np.testing.assert_array_equal(fig.panels.taps_line.get_xdata(), np.arange(n, n + K))
        # The current output sits under the window's centre, not its start.
        assert fig.panels.current_marker.get_xdata()[0] == pytest.approx(n + K // 2)
    finally:
        fig.close()


def test_sawtooth_partial_output_drawn_under_window_centres(
    sawtooth_trace: convdoc.Trace,
) -> None:
    fig = StepFigure1D(sawtooth_trace, 179)
    try:
        xs = np.asarray(fig.panels.partial_line.get_xdata(), dtype=float)
        np.testing.assert_array_equal(xs, np.arange(180) + K // 2)
        ys = np.asarray(fig.panels.partial_line.get_ydata(), dtype=float)
        expected = np.convolve(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(K, 3.0),
                               mode="valid")
        np.testing.assert_allclose(ys, expected, atol=1e-12)
    finally:
        fig.close()


# (input, kernel, padding, stride, dilation, output) as printed in the paper's
# figures 2.1-2.7 and 5.1; output_padding for the transposed direction is
# (i + 2p - d(k - 1) - 1) mod s, the paper's "a".
DUMOULIN = [
    pytest.param(4, 3, 0, 1, 1, 2, id="no-padding-unit-stride"),
    pytest.param(5, 4, 2, 1, 1, 6, id="arbitrary-padding"),
    pytest.param(5, 3, 1, 1, 1, 5, id="half-padding"),
    pytest.param(5, 3, 2, 1, 1, 7, id="full-padding"),
    pytest.param(5, 3, 0, 2, 1, 2, id="stride-no-padding"),
    pytest.param(5, 3, 1, 2, 1, 3, id="padding-and-stride"),
    pytest.param(6, 3, 1, 2, 1, 3, id="odd-case"),
    pytest.param(7, 3, 0, 1, 2, 3, id="dilation"),
]


@pytest.mark.parametrize(("i", "k", "p", "s", "d", "o"), DUMOULIN)
def test_arithmetic_cases_match_the_paper(i: int, k: int, p: int, s: int, d: int,
                                          o: int) -> None:
    x = np.ones((i, i))
    w = np.ones((k, k))
    assert convdoc.output_size(i, k, padding=p, stride=s, dilation=d) == o
    trace = convdoc.steps(x, w, operation="conv", padding=p, stride=s, dilation=d)
    assert trace.output.shape == (o, o)
    a = (i + 2 * p - d * (k - 1) - 1) % s
    back = convdoc.steps(np.ones((o, o)), w, operation="conv_transpose", padding=p,
                         stride=s, dilation=d, output_padding=a)
    assert back.output.shape == (i, i)


def test_grid_figure_moves_window_by_the_stride() -> None:
    # 5 x 5 input, 3 x 3 kernel, stride 2, no padding: step 1 is output (0, 1),
    # whose window covers rows 0-2 and columns 2-4.
    trace = convdoc.steps(np.zeros((5, 5)), np.ones((3, 3)), operation="conv", stride=2)
    fig = GridFigure2D(trace, 1)
    try:
        outline = fig.grid.window_outline
        assert (outline.get_x(), outline.get_y()) == (2.0, 0.0)
        assert (outline.get_width(), outline.get_height()) == (3.0, 3.0)
    finally:
        fig.close()


def test_odd_case_never_visits_the_last_padding_row() -> None:
    # 6 x 6 input padded by 1 (grid rows 0-7), kernel 3, stride 2: windows start
    # at grid rows 0, 2, 4 and so cover rows 0-6; row 7 is padding.
    trace = convdoc.steps(np.ones((6, 6)), np.ones((3, 3)), operation="conv", padding=1,
                          stride=2)
    visited = set(np.concatenate([step.window[0] for step in trace]).tolist())
    assert visited == set(range(7))
    assert trace.to_input(7, 0) is None
