"""Figures draw exactly what convdoc.steps says (geometry read back from the artists).

The artists' positions are compared with the Trace, and the Trace's geometry
with hand-worked positions, so a figure that computed its own (wrong) kernel
position, or drew the outputs at the wrong place, fails.
"""

from __future__ import annotations

import gc
import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from scipy import signal

import convdoc
from convdoc.plot import (
    Filmstrip,
    GridFigure2D,
    StepFigure1D,
    animate,
    default_frames,
    describe_step1d,
    filmstrip,
    step_figure,
)
from convdoc.plot._common import INSERTED, PADDING, REAL

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".gif": b"GIF89a"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _x1d(n: int = 23) -> np.ndarray:
    return np.sin(np.arange(n) * 0.7) + np.arange(n) * 0.05


CASES_1D = {
    "convolve-valid": (dict(operation="convolve", mode="valid"), 5),
    "convolve-full": (dict(operation="convolve", mode="full"), 5),
    "convolve-same-even": (dict(operation="convolve", mode="same"), 4),
    "convolve-full-reflect": (dict(operation="convolve", mode="full", boundary="reflect"), 5),
    "correlate-same-wrap": (dict(operation="correlate", mode="same", boundary="wrap"), 5),
    "conv-stride-pad-dil": (dict(operation="conv", stride=3, padding=2, dilation=2), 4),
    "conv-same": (dict(operation="conv", padding="same", dilation=2), 3),
    "conv-transpose": (dict(operation="conv_transpose", stride=2, padding=1), 3),
    "conv-transpose-crop": (dict(operation="conv_transpose", stride=3, padding=3), 3),
}


def _trace1d(name: str) -> convdoc.Trace:
    kwargs, k = CASES_1D[name]
    kernel = np.arange(1.0, k + 1) ** 1.5  # asymmetric: flipping shows
    x = _x1d(7) if kwargs["operation"] == "conv_transpose" else _x1d()
    return convdoc.steps(x, kernel, **kwargs)


def _sample(n: int) -> list[int]:
    return sorted({0, 1, n // 2, n - 1} & set(range(n)))


@pytest.mark.parametrize("name", sorted(CASES_1D))
def test_1d_artists_follow_the_trace(name):
    trace = _trace1d(name)
    fig = StepFigure1D(trace)
    panels = fig.panels
    centers = np.array([s.center[0] for s in trace])
    for n in _sample(len(trace)):
        fig.update(n)
        step = trace[n]
        pos = step.input_index[0]
        # The window spans exactly the taps' input positions, half a sample each side.
        patch = panels.window_patch
        assert patch.get_x() == pytest.approx(pos[0] - 0.5)
        assert patch.get_x() + patch.get_width() == pytest.approx(pos[-1] + 0.5)
        assert_array_equal(panels.window_marks.get_xdata(), pos)
        assert_allclose(panels.window_marks.get_ydata(), step.values)
        # Taps as applied at their input positions (dilation gaps), and the products.
        assert_array_equal(panels.taps_line.get_xdata(), pos)
        assert_allclose(panels.taps_line.get_ydata(), step.taps)
        assert_allclose(panels.products_line.get_ydata(), step.values * step.taps)
        # Output so far: partial(n), each value under its window's centre.
        assert_allclose(panels.partial_line.get_xdata(), centers)
        assert_allclose(panels.partial_line.get_ydata(), trace.partial(n), equal_nan=True)
        assert np.isnan(panels.partial_line.get_ydata()[n + 1 :]).all()
        cx, cy = panels.current_marker.get_data()
        assert cx[0] == pytest.approx(step.center[0])
        assert cy[0] == pytest.approx(trace.output[step.out_index])
        assert fig.n == n
    fig.close()


def test_1d_valid_geometry_matches_the_contract_example():
    # common.md: sawtooth(200, 50) with gaussian_kernel(21, 3), valid: 180 steps,
    # step n covers inputs n..n+20 and is centred on n + 10 (not at n, as the seed drew it).
    trace = convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0))
    fig = StepFigure1D(trace, 40, label="valid")
    assert len(trace) == 180
    assert fig.title == "valid output 40 covers inputs 40–60, centre 50"
    assert fig.panels.window_patch.get_x() == pytest.approx(39.5)
    assert fig.panels.window_patch.get_width() == pytest.approx(21.0)
    assert fig.panels.current_marker.get_xdata()[0] == pytest.approx(50.0)
    # The last output drawn is the one SciPy computes, at centre 179 + 10.
    fig.update(179)
    expected = signal.convolve(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0),
                               mode="valid")
    assert_allclose(fig.panels.partial_line.get_ydata(), expected, atol=1e-12)
    assert fig.panels.partial_line.get_xdata()[-1] == pytest.approx(189.0)
    fig.close()


def test_1d_full_mode_window_starts_in_the_padding():
    # Full mode, k = 5: output n uses inputs n-4..n; 4 zero cells before the input.
    x = np.arange(1.0, 9.0)
    trace = convdoc.steps(x, np.ones(5), mode="full")
    fig = StepFigure1D(trace, 1)
    assert fig.panels.window_patch.get_x() == pytest.approx(-3.5)
    assert_array_equal(fig.panels.window_marks.get_xdata(), [-3, -2, -1, 0, 1])
    assert_allclose(fig.panels.window_marks.get_ydata(), [0, 0, 0, 1, 2])
    assert "covers inputs −3 to 1" in fig.title
    fig.close()


def test_1d_conv_output_matches_an_independent_strided_dilated_oracle():
    x = _x1d(30)
    w = np.array([1.0, -2.0, 0.5])
    stride, pad, dil = 2, 3, 2
    trace = convdoc.steps(x, w, operation="conv", stride=stride, padding=pad, dilation=dil)
    fig = StepFigure1D(trace, len(trace) - 1)
    dilated = np.zeros(dil * (len(w) - 1) + 1)
    dilated[::dil] = w
    oracle = np.correlate(np.pad(x, pad), dilated, mode="valid")[::stride]
    assert_allclose(fig.panels.partial_line.get_ydata(), oracle, atol=1e-12)
    # Outputs are spaced by the stride under their centres.
    assert_allclose(np.diff(fig.panels.partial_line.get_xdata()), stride)
    fig.close()


def test_1d_update_reuses_artists():
    trace = _trace1d("conv-stride-pad-dil")
    fig = StepFigure1D(trace)
    fig.fig.canvas.draw()
    before = {id(a) for a in fig.fig.findobj()}
    for n in range(len(trace)):
        fig.update(n)
    fig.fig.canvas.draw()
    assert {id(a) for a in fig.fig.findobj()} == before
    fig.close()


def _grid_trace(kind: str) -> convdoc.Trace:
    x = np.arange(1.0, 26.0).reshape(5, 5)
    k = np.arange(1.0, 10.0).reshape(3, 3)
    kwargs = {
        "conv": dict(operation="conv"),
        "conv-pad-stride": dict(operation="conv", padding=1, stride=2),
        "conv-dilated": dict(operation="conv", padding=2, dilation=2),
        "conv-rect": dict(operation="conv", padding=(0, 1), stride=(1, 2)),
        "convolve-full": dict(operation="convolve", mode="full"),
        "correlate-same-symmetric": dict(operation="correlate", mode="same",
                                         boundary="symmetric"),
        "transpose": dict(operation="conv_transpose", stride=2),
        "transpose-pad": dict(operation="conv_transpose", stride=2, padding=1, dilation=2),
    }[kind]
    return convdoc.steps(x, k, **kwargs)


GRID_KINDS = ["conv", "conv-pad-stride", "conv-dilated", "conv-rect", "convolve-full",
              "correlate-same-symmetric", "transpose", "transpose-pad"]


@pytest.mark.parametrize("kind", GRID_KINDS)
def test_2d_window_covers_exactly_the_steps_taps(kind):
    trace = _grid_trace(kind)
    fig = GridFigure2D(trace)
    grid = fig.grid
    for n in _sample(len(trace)):
        fig.update(n)
        step = trace[n]
        rows, cols = step.window
        drawn = [(p.get_y(), p.get_x()) for p in grid.tap_patches]
        expected = [(r, c) for r in rows for c in cols]
        assert drawn == expected
        out = grid.window_outline
        assert (out.get_x(), out.get_y()) == (cols[0], rows[0])
        assert out.get_width() == cols[-1] - cols[0] + 1
        assert out.get_height() == rows[-1] - rows[0] + 1
        i, j = step.out_index
        assert grid.current_outline.get_xy() == (j, i)
        filled = np.array([tuple(fc) != (1.0, 1.0, 1.0, 1.0)
                           for fc in grid.output_cells.get_facecolor()])
        assert_array_equal(filled, np.arange(len(trace)) <= n)
    fig.close()


def test_2d_cells_are_classified_like_the_hand_worked_grids():
    # conv, padding 1: a 7x7 grid whose border ring is padding.
    fig = GridFigure2D(_grid_trace("conv-pad-stride"))
    kinds = fig.grid.cell_kinds
    assert kinds.shape == (7, 7)
    assert (kinds[1:6, 1:6] == REAL).all()
    assert (kinds[0] == PADDING).all() and (kinds[:, -1] == PADDING).all()
    fig.close()
    # Transposed, stride 2, k 3, padding 0: 5 samples -> 9 cells with 4 inserted zeros,
    # plus a border of d*(k-1) - p = 2 on each side: 13x13.
    fig = GridFigure2D(_grid_trace("transpose"))
    kinds = fig.grid.cell_kinds
    assert kinds.shape == (13, 13)
    real = np.zeros((13, 13), bool)
    real[2:11:2, 2:11:2] = True
    assert_array_equal(kinds == REAL, real)
    assert (kinds[2:11, 2:11][~real[2:11, 2:11]] == INSERTED).all()
    assert (kinds[:2] == PADDING).all() and (kinds[11:] == PADDING).all()
    assert "zero-inserted" in fig.title
    fig.close()


def test_2d_dilated_taps_leave_gaps():
    trace = _grid_trace("conv-dilated")
    fig = GridFigure2D(trace, 0)
    cells = {(p.get_y(), p.get_x()) for p in fig.grid.tap_patches}
    # Dilation 2: taps at 0, 2, 4 on each axis; the cells between are not highlighted.
    assert cells == {(r, c) for r in (0, 2, 4) for c in (0, 2, 4)}
    fig.close()


def test_2d_numbers_show_the_output_computed_so_far():
    trace = _grid_trace("conv")
    fig = GridFigure2D(trace, 4, numbers=True)
    shown = [t.get_visible() for t in fig.grid.output_texts]
    assert shown == [i <= 4 for i in range(len(trace))]
    # conv is a cross-correlation: output (0, 0) = sum of x[0:3, 0:3] * k.
    x = np.arange(1.0, 26.0).reshape(5, 5)
    k = np.arange(1.0, 10.0).reshape(3, 3)
    assert fig.grid.output_texts[0].get_text() == str(int((x[:3, :3] * k).sum()))
    fig.close()


def test_2d_update_reuses_artists():
    trace = _grid_trace("transpose-pad")
    fig = GridFigure2D(trace, numbers=True)
    fig.fig.canvas.draw()
    before = len(fig.fig.findobj())
    ids = {id(a) for a in fig.fig.findobj()}
    for n in (1, 7, len(trace) - 1):
        fig.update(n)
    assert len(fig.fig.findobj()) == before
    assert {id(a) for a in fig.fig.findobj()} == ids
    fig.close()


def test_filmstrip_columns_show_their_steps():
    trace = _trace1d("conv-stride-pad-dil")
    chosen = [0, 2, len(trace) - 1]
    strip = filmstrip(trace, chosen)
    assert isinstance(strip, Filmstrip)
    for n, panels in zip(chosen, strip.columns, strict=True):
        pos = trace[n].input_index[0]
        assert panels.window_patch.get_x() == pytest.approx(pos[0] - 0.5)
        assert_array_equal(panels.taps_line.get_xdata(), pos)
    strip.close()
    trace2 = _grid_trace("conv-pad-stride")
    strip = filmstrip(trace2, [1, 3])
    for n, grid in zip([1, 3], strip.columns, strict=True):
        rows, cols = trace2[n].window
        assert (grid.tap_patches[0].get_y(), grid.tap_patches[0].get_x()) == (rows[0], cols[0])
    strip.close()


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
@pytest.mark.parametrize("dim", [1, 2])
def test_save_static_formats(tmp_path, suffix, dim):
    trace = _trace1d("convolve-full") if dim == 1 else _grid_trace("conv-pad-stride")
    fig = step_figure(trace, 2)
    path = fig.save(tmp_path / f"fig{suffix}", dpi=50)
    data = path.read_bytes()
    if suffix == ".svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
    else:
        assert data.startswith(MAGIC[suffix])
    fig.close()


def test_filmstrip_saves(tmp_path):
    strip = filmstrip(_grid_trace("transpose"), [0, 10])
    assert ET.parse(strip.save(tmp_path / "strip.svg")).getroot().tag.endswith("svg")
    strip.close()


@pytest.mark.parametrize("dim", [1, 2])
def test_save_gif_animation(tmp_path, dim):
    trace = _trace1d("conv-stride-pad-dil") if dim == 1 else _grid_trace("conv-pad-stride")
    fig = step_figure(trace, 1)
    frames = [0, 1, 2, len(trace) - 1]
    path = animate(fig, frames).save(tmp_path / "a.gif", fps=5, dpi=40)
    assert path.read_bytes().startswith(MAGIC[".gif"])
    with Image.open(path) as im:
        assert im.n_frames == len(frames)
        first = np.asarray(im.convert("RGB"))
        im.seek(len(frames) - 1)
        last = np.asarray(im.convert("RGB"))
    assert not np.array_equal(first, last)  # the window moved
    assert fig.n == 1  # saving leaves the figure on the step it showed
    fig.close()


def test_figure_save_gif_defaults_to_every_step(tmp_path):
    trace = _trace1d("conv-stride-pad-dil")
    fig = StepFigure1D(trace)
    with Image.open(fig.save(tmp_path / "all.gif", dpi=30)) as im:
        assert im.n_frames == len(trace)
    fig.close()


def test_default_frames():
    assert default_frames(3) == [0, 1, 2]
    frames = default_frames(1000)
    assert len(frames) == 100 and frames[0] == 0 and frames[-1] == 999
    assert frames == sorted(set(frames))


def test_bad_input_names_the_parameter(tmp_path):
    trace1 = _trace1d("convolve-valid")
    trace2 = _grid_trace("conv")
    with pytest.raises(TypeError, match=r"trace must be a convdoc\.Trace"):
        StepFigure1D(np.arange(3))
    with pytest.raises(ValueError, match="1-D"):
        StepFigure1D(trace2)
    with pytest.raises(ValueError, match="2-D"):
        GridFigure2D(trace1)
    with pytest.raises(ValueError, match=rf"n must be in 0..{len(trace1) - 1}, got 999"):
        StepFigure1D(trace1, 999)
    with pytest.raises(TypeError, match="n must be an integer"):
        StepFigure1D(trace1, 1.5)
    fig = StepFigure1D(trace1)
    with pytest.raises(ValueError, match=re.escape("path must end in one of .svg, .png, .pdf")):
        fig.save(tmp_path / "x.bmp")
    with pytest.raises(ValueError, match="frames must be in"):
        animate(fig, [0, 10_000])
    with pytest.raises(ValueError, match="frames must name at least one step"):
        animate(fig, [])
    with pytest.raises(ValueError, match=r"fps must be between 0\.01 and 50, got 0"):
        animate(fig, [0]).save(tmp_path / "x.gif", fps=0)
    with pytest.raises(ValueError, match="indices must name at least one step"):
        filmstrip(trace1, [])
    fig.close()


def test_describe_step1d_counts_taps_on_padding():
    trace = convdoc.steps(np.ones(6), np.ones(3), mode="full")
    assert describe_step1d(trace, 0) == (
        "convolve output 0 covers inputs −2 to 0, centre −1 (2 taps off the input)"
    )


@pytest.mark.parametrize(
    "module",
    ["convdoc.plot.stepped1d", "convdoc.plot.grid2d", "convdoc.plot.filmstrip",
     "convdoc.plot.animate", "convdoc.plot.style"],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_meaning_is_not_carried_by_colour_alone():
    fig = StepFigure1D(_trace1d("conv-stride-pad-dil"))
    patch = fig.panels.window_patch
    assert patch.get_hatch() and patch.get_linewidth() > 0  # hatch and outline, not just fill
    padding = [line for line in fig.panels.ax_input.get_lines()
               if line.get_label() == "padding"]
    assert len(padding) == 1 and padding[0].get_markerfacecolor() == "white"  # hollow
    fig.close()
    grid = GridFigure2D(_grid_trace("transpose-pad"))
    labels = [t.get_text() for t in grid.fig.legends[0].get_texts()]
    assert labels[:3] == ["input", "padding", "inserted zero"]
    hatches = {h.get_label(): h.get_hatch() for h in grid.fig.legends[0].legend_handles}
    assert hatches["padding"] != hatches["inserted zero"] and hatches["kernel tap"]
    grid.close()


# Only the object is inspected here; nothing shows it.
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_animation_object_for_live_display():
    from matplotlib.animation import FuncAnimation

    fig = StepFigure1D(_trace1d("convolve-valid"))
    anim = animate(fig, [0, 3, 5])
    assert isinstance(anim.anim, FuncAnimation)
    assert list(anim.anim.new_frame_seq()) == [0, 3, 5]
    assert default_frames(len(fig.trace)) == list(animate(fig).frames)
    fig.close()
    # Collect it here, where the warning about a never-shown animation is filtered.
    del anim
    gc.collect()


def test_reprs_say_what_is_shown():
    trace = convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(21, 3.0))
    fig = StepFigure1D(trace, 40, label="valid")
    assert repr(fig) == (
        "<StepFigure1D step 40 of 180: valid output 40 covers inputs 40–60, centre 50>"
    )
    assert repr(animate(fig, [0, 1])) == "<StepAnimation of 2 frames of StepFigure1D>"
    strip = filmstrip(trace, [0, 179])
    assert repr(strip) == "<Filmstrip of steps [0, 179] of 180>"
    grid = GridFigure2D(_grid_trace("conv"), 2)
    assert repr(grid).startswith("<GridFigure2D step 2 of 9: conv output (0, 2)")
    for f in (fig, strip, grid):
        f.close()
