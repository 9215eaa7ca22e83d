"""Writing figures: bounded dpi and fps, a pixel budget, and all-or-nothing files.

Issue 10 classes 2 and 3: ``save(..., dpi=0.5)`` killed the interpreter with
SIGFPE and dpi 1 to 5 raised FreeType errors; a failed animation left a corrupt
GIF where a good one had been.
"""

from __future__ import annotations

import gc
import math
import os
import re
import stat
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import convdoc
from convdoc.plot import animate, filmstrip, save_animation, save_figure, step_figure
from convdoc.plot.animate import _CanvasPillowWriter
from convdoc.plot.save import (
    DPI_RANGE,
    FPS_RANGE,
    MAX_ANIMATION_PIXELS,
    MAX_PIXELS,
)

KEEP = b"GIF89a keep me: the bytes of a file a failed save must not touch\x00\xff"


def _trace1d():
    return convdoc.steps(convdoc.sawtooth(40, 10), convdoc.gaussian_kernel(5, 1.0))


def _trace2d(side=5):
    x = np.random.default_rng(0).integers(0, 4, (side, side)).astype(float)
    return convdoc.steps(x, np.ones((3, 3)), operation="conv", padding=1, stride=2)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
    # Animations refused before drawing warn when collected: collect them here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Animation was deleted without rendering")
        gc.collect()


def _leftovers(folder, *keep):
    """Files in ``folder`` other than ``keep`` (temporary files left behind)."""
    return sorted(set(os.listdir(folder)) - set(keep))


# ---------------------------------------------------------------- dpi and fps


def test_dpi_out_of_range_names_dpi_and_value(tmp_path):
    # 0.5 killed Python with SIGFPE, 1 to 5 raised FreeType errors.
    fig = step_figure(_trace1d(), 0)
    for dpi in [0.5, 1, 5, 9.99, 1000.5, 8000, -1, 0.0, math.inf, -math.inf, math.nan, 1e308,
                np.float64(3.0), np.int64(2000)]:
        message = re.escape(f"dpi must be between 10 and 1000, got {dpi!r}")
        for suffix in (".png", ".svg", ".pdf"):
            with pytest.raises(ValueError, match=f"^{message}$"):
                fig.save(tmp_path / f"x{suffix}", dpi=dpi)
        with pytest.raises(ValueError, match=f"^{message}$"):
            animate(fig, [0]).save(tmp_path / "x.gif", dpi=dpi)
    assert _leftovers(tmp_path) == []


def test_a_figure_whose_own_dpi_is_out_of_range(tmp_path):
    fig = step_figure(_trace1d(), 0)
    fig.fig.set_dpi(0.5)  # dpi=None would draw at this one: it kills Python too
    message = re.escape("the figure's dpi (used when dpi is None) must be between 10 and "
                        "1000, got 0.5")
    for path in (tmp_path / "x.png", tmp_path / "x.svg", tmp_path / "x.gif"):
        with pytest.raises(ValueError, match=f"^{message}$"):
            fig.save(path)
    assert _leftovers(tmp_path) == []
    with Image.open(fig.save(tmp_path / "x.png", dpi=20)) as im:
        assert im.size == (9 * 20, 6 * 20)  # the StepFigure1D is 9 x 6 inches


@pytest.mark.parametrize("dpi", ["100", True, [100], 1j])
def test_dpi_of_the_wrong_type_is_a_type_error(tmp_path, dpi):
    fig = step_figure(_trace1d(), 0)
    with pytest.raises(TypeError, match="dpi must be a real number"):
        save_figure(fig.fig, tmp_path / "x.png", dpi=dpi)


def test_smallest_dpi_draws_every_figure(tmp_path):
    # Below about 7 dpi the 4-point labels of a large grid are under a pixel
    # and FreeType refuses them; DPI_RANGE[0] must draw every kind of figure.
    low = DPI_RANGE[0]
    figures = [step_figure(_trace1d(), 3), step_figure(_trace2d(12), 3),
               filmstrip(_trace1d(), [0, 5]), filmstrip(_trace2d(12), [0, 3])]
    for i, fig in enumerate(figures):
        # FreeType fails in the raster backend; the vector ones are checked once.
        for suffix in (".png", ".svg", ".pdf") if i == 1 else (".png",):
            assert fig.save(tmp_path / f"f{i}{suffix}", dpi=low).stat().st_size > 0
        with Image.open(tmp_path / f"f{i}.png") as im:
            width = fig.fig.get_size_inches()[0]
            assert abs(im.size[0] - width * low) <= 1
    anim = animate(step_figure(_trace2d(12), 0), [0, 1])
    with Image.open(anim.save(tmp_path / "a.gif", dpi=low)) as im:
        assert im.n_frames == 2


def test_largest_dpi_is_accepted(tmp_path):
    fig = plt.figure(figsize=(1.0, 0.5))
    fig.text(0.5, 0.5, "1000 dpi")
    path = save_figure(fig, tmp_path / "big.png", dpi=DPI_RANGE[1])
    with Image.open(path) as im:
        assert im.size == (1000, 500)


@pytest.mark.parametrize("fps", [0, -1, 1e-300, 0.0099, 50.01, 1e300, math.inf, math.nan])
def test_fps_out_of_range_names_fps_and_value(tmp_path, fps):
    path = tmp_path / "keep.gif"
    path.write_bytes(KEEP)
    anim = animate(step_figure(_trace1d(), 0), [0, 1])
    message = re.escape(f"fps must be between 0.01 and 50, got {fps!r}")
    with pytest.raises(ValueError, match=f"^{message}$"):
        anim.save(path, fps=fps, dpi=20)
    with pytest.raises(ValueError, match=r"^fps must be between"):
        save_animation(anim.anim, path, fps=fps)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.gif") == []


@pytest.mark.parametrize("fps", FPS_RANGE)
def test_fps_at_the_bounds_sets_the_frame_duration(tmp_path, fps):
    anim = animate(step_figure(_trace1d(), 0), [0, 1, 2])
    with Image.open(anim.save(tmp_path / "a.gif", fps=fps, dpi=10)) as im:
        # GIF stores hundredths of a second: 1/fps seconds, rounded down to that.
        assert im.info["duration"] == 10 * math.floor(100 / fps)
        assert im.n_frames == 3


# ---------------------------------------------------------------- pixel budget


def test_png_over_the_pixel_budget_says_which_dpi_fits(tmp_path, monkeypatch):
    fig = plt.figure(figsize=(10.0, 10.0))
    # 10 x 10 inches at 1000 dpi is 100 megapixels; the largest dpi within
    # MAX_PIXELS is floor(sqrt(MAX_PIXELS / 100 square inches)).
    fits = math.floor(math.sqrt(MAX_PIXELS / 100.0))
    with pytest.raises(ValueError, match=rf"^dpi 1000 would draw 10000×10000 pixels "
                                         rf"\(100 megapixels\).*use dpi {fits} or less"):
        save_figure(fig, tmp_path / "x.png", dpi=1000)
    # Vector formats draw no raster: no budget.
    written = []
    monkeypatch.setattr(fig, "savefig", lambda path, **kw: written.append(kw["dpi"]))
    save_figure(fig, tmp_path / "x.svg", dpi=1000)
    save_figure(fig, tmp_path / "x.png", dpi=fits)
    with pytest.raises(ValueError, match=r"^dpi"):
        save_figure(fig, tmp_path / "x.png", dpi=fits + 1)
    assert written == [1000, fits]


def test_very_wide_figure_is_refused_before_agg_refuses_it(tmp_path):
    fig = plt.figure(figsize=(400.0, 0.2))
    with pytest.raises(ValueError, match=r"^dpi 100 would draw 40000×20 pixels.*"
                                         r"32768 pixels a side: use dpi 81 or less"):
        save_figure(fig, tmp_path / "x.png")


def test_animation_over_the_pixel_budget_names_dpi_and_frames(tmp_path):
    trace = convdoc.steps(convdoc.sawtooth(200, 50), convdoc.gaussian_kernel(5, 1.0))
    fig = step_figure(trace, 0)
    width, height = fig.fig.get_size_inches()
    frames = list(range(100))
    fits = math.floor(math.sqrt(MAX_ANIMATION_PIXELS / 100 / (width * height)))
    path = tmp_path / "keep.gif"
    path.write_bytes(KEEP)
    with pytest.raises(ValueError, match=rf"^dpi {fits + 1} would draw 100 frames of .*"
                                         rf"use dpi {fits} or less or fewer frames"):
        animate(fig, frames).save(path, dpi=fits + 1)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.gif") == []


# ---------------------------------------------------------------- paths


def test_bad_paths_name_path(tmp_path):
    fig = step_figure(_trace1d(), 0)
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "file.txt").write_text("a file")
    with pytest.raises(ValueError, match=r"^path names a folder, not a file"):
        fig.save(tmp_path / "folder.png")
    with pytest.raises(ValueError, match=r"^path's folder does not exist: .*missing"):
        fig.save(tmp_path / "missing" / "x.png")
    with pytest.raises(ValueError, match=r"^path's folder is a file, not a folder: .*file.txt"):
        fig.save(tmp_path / "file.txt" / "x.svg")
    with pytest.raises(TypeError, match=r"^path must be a str or os.PathLike, got int: 5"):
        fig.save(5)
    with pytest.raises(ValueError, match=r"^path must end in one of .svg, .png, .pdf"):
        save_figure(fig.fig, tmp_path / "x.gif")
    assert _leftovers(tmp_path, "folder.png", "file.txt") == []


# ---------------------------------------------------------------- all or nothing


class _Boom(Exception):
    pass


@pytest.mark.parametrize("error", [_Boom, KeyboardInterrupt, OSError])
def test_failed_static_save_keeps_the_old_file(tmp_path, monkeypatch, error):
    path = tmp_path / "keep.png"
    path.write_bytes(KEEP)
    fig = step_figure(_trace1d(), 0)

    def half_written(target, **kwargs):
        with open(target, "wb") as f:  # a partial file, as a crash mid-write leaves
            f.write(b"\x89PNG\r\n\x1a\n partial")
        raise error("failed mid-write")

    monkeypatch.setattr(fig.fig, "savefig", half_written)
    with pytest.raises(error, match="failed mid-write"):
        fig.save(path, dpi=20)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.png") == []


@pytest.mark.parametrize(("where", "call"), [("grab_frame", 1), ("grab_frame", 3),
                                             ("finish", 1)])
def test_failed_animation_keeps_the_old_gif(tmp_path, monkeypatch, where, call):
    path = tmp_path / "keep.gif"
    path.write_bytes(KEEP)
    original = getattr(_CanvasPillowWriter, where)
    calls = []

    def fail_late(self, *args, **kwargs):
        calls.append(where)
        if where == "finish":
            original(self, *args, **kwargs)  # the whole GIF is written, then it fails
        elif len(calls) < call:
            return original(self, *args, **kwargs)
        # On the first frame, finish() has nothing to write: this error, not an
        # IndexError from finish(), must reach the caller.
        raise _Boom(f"{where} failed")

    monkeypatch.setattr(_CanvasPillowWriter, where, fail_late)
    fig = step_figure(_trace1d(), 2)
    with pytest.raises(_Boom, match=f"^{where} failed$"):
        animate(fig, [0, 1, 2, 3]).save(path, fps=5, dpi=20)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.gif") == []
    assert fig.n == 2  # the figure is left on the step it showed


def test_failed_save_animation_keeps_the_old_gif(tmp_path, monkeypatch):
    path = tmp_path / "keep.gif"
    path.write_bytes(KEEP)
    anim = animate(step_figure(_trace1d(), 0), [0, 1]).anim

    def half_written(target, **kwargs):
        with open(target, "wb") as f:
            f.write(b"GIF89a partial")
        raise _Boom("failed mid-write")

    monkeypatch.setattr(anim, "save", half_written)
    with pytest.raises(_Boom):
        save_animation(anim, path, fps=5)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.gif") == []


def test_a_read_only_file_is_not_replaced(tmp_path, monkeypatch):
    # As open(path, "w") would: refused although the folder is writable. (Root
    # may write anything, so the test asks os.access as a normal user would.)
    path = tmp_path / "keep.png"
    path.write_bytes(KEEP)
    path.chmod(0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == os.fspath(path)
                        else real_access(p, mode))
    with pytest.raises(PermissionError, match="Permission denied"):
        step_figure(_trace1d(), 0).save(path, dpi=20)
    assert path.read_bytes() == KEEP
    assert _leftovers(tmp_path, "keep.png") == []


def test_successful_save_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "keep.svg"
    path.write_bytes(KEEP)
    path.chmod(0o640)
    step_figure(_trace1d(), 0).save(path)
    assert path.read_bytes().lstrip().startswith(b"<?xml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = step_figure(_trace1d(), 0).save(tmp_path / "fresh.svg")
    umask = os.umask(0)
    os.umask(umask)
    # A new file gets the mode open(path, "w") would give it, not mkstemp's 0o600.
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(tmp_path, "keep.svg", "fresh.svg") == []


def test_successful_animation_replaces_the_gif(tmp_path):
    path = tmp_path / "keep.gif"
    path.write_bytes(KEEP)
    animate(step_figure(_trace1d(), 0), [0, 1, 2]).save(path, fps=5, dpi=20)
    with Image.open(path) as im:
        assert im.n_frames == 3
    assert _leftovers(tmp_path, "keep.gif") == []
