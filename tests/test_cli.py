"""``convdoc render``: every format is written and valid; bad options exit 2 with one line."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from PIL import Image
from scipy import signal

import convdoc
from convdoc.__main__ import _trace, build_parser, main

ROOT = Path(__file__).resolve().parents[1]
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".gif": b"GIF89a"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "convdoc", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120, check=False)


def _render_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices["render"]


def test_help_lists_every_option_with_help_text():
    result = _run("render", "--help")
    assert result.returncode == 0
    options = [a for a in _render_parser()._actions if a.option_strings]
    assert len(options) >= 20
    for action in options:
        for flag in action.option_strings:
            assert flag in result.stdout
        assert action.help, f"{action.option_strings} has no help text"
    top = _run("--help")
    assert top.returncode == 0 and "render" in top.stdout


def _valid(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        assert data.startswith(MAGIC[path.suffix])


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--step", "40"], "step.svg"),
        (["--steps", "0,60,179", "--dpi", "40"], "strip.png"),
        (["--signal", "square", "--mode", "same", "--boundary", "reflect", "--step", "3"],
         "same.pdf"),
        (["--operation", "conv", "--stride", "3", "--padding", "2", "--dilation", "2",
          "--kernel", "box", "--size", "5", "--length", "40", "--step", "2"], "conv.png"),
        (["--dim", "2", "--operation", "conv", "--padding", "1", "--stride", "2", "--step",
          "3"], "grid.pdf"),
        (["--dim", "2", "--kernel", "sobel_x", "--operation", "correlate", "--mode", "full",
          "--steps", "0,5"], "grid.svg"),
        (["--taps", "1,0,-1", "--mode", "same", "--boundary", "reflect"], "taps.svg"),
        (["--dim", "2", "--taps", "1,0;0,-1", "--operation", "conv", "--bias", "0.5",
          "--padding", "1", "--padding-mode", "replicate", "--step", "4"], "taps2d.png"),
        (["--operation", "conv-transpose", "--stride", "2", "--output-padding", "1",
          "--length", "12", "--size", "3", "--kernel", "box", "--steps", "0,24"], "t.pdf"),
    ],
)
def test_static_formats(tmp_path, capsys, args, name):
    out = tmp_path / name
    assert main(["render", *args, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    _valid(out)


def _traced(*args: str):
    return _trace(build_parser().parse_args(["render", *args, "-o", "unused.svg"]))


SAW = convdoc.sawtooth(200, 50)
GRID = np.random.default_rng(0).integers(0, 4, size=(5, 5)).astype(float)


def test_taps_1d_are_the_kernel():
    trace = _traced("--taps", "1,2,3")
    assert_allclose(trace.kernel, [1.0, 2.0, 3.0])
    assert_allclose(trace.output, np.convolve(SAW, [1, 2, 3], mode="valid"), atol=1e-12)


def test_taps_2d_rows_split_by_semicolon():
    trace = _traced("--dim", "2", "--taps", "1,0,2;0,-1,0", "--operation", "correlate",
                    "--mode", "full")
    assert trace.kernel.shape == (2, 3)
    k = np.array([[1.0, 0, 2], [0, -1, 0]])
    assert_allclose(trace.output, signal.correlate2d(GRID, k, mode="full"), atol=1e-12)


def test_fillvalue_pads_with_that_value():
    trace = _traced("--taps", "1,-1,3", "--mode", "full", "--fillvalue", "2.5")
    padded = np.pad(SAW, 2, constant_values=2.5)
    assert_allclose(trace.output, np.convolve(padded, [1, -1, 3], mode="valid"), atol=1e-12)


def test_bias_is_added_to_every_conv_output():
    trace = _traced("--taps", "1,2", "--operation", "conv", "--bias", "-0.75")
    # conv is a cross-correlation, as torch.nn.functional.conv1d.
    assert_allclose(trace.output, np.correlate(SAW, [1, 2], mode="valid") - 0.75, atol=1e-12)


@pytest.mark.parametrize(("padding_mode", "numpy_mode"),
                         [("circular", "wrap"), ("replicate", "edge"), ("reflect", "reflect")])
def test_padding_mode_follows_torch(padding_mode, numpy_mode):
    trace = _traced("--taps", "1,2,4", "--operation", "conv", "--padding", "2",
                    "--padding-mode", padding_mode)
    expected = np.correlate(np.pad(SAW, 2, mode=numpy_mode), [1, 2, 4], mode="valid")
    assert_allclose(trace.output, expected, atol=1e-12)


def test_output_padding_lengthens_conv_transpose():
    n, k, s, p, a = 12, 3, 2, 1, 1
    trace = _traced("--operation", "conv-transpose", "--length", str(n), "--taps", "1,2,3",
                    "--stride", str(s), "--padding", str(p), "--output-padding", str(a),
                    "--bias", "1")
    x = convdoc.sawtooth(n, 50)
    # PyTorch's documented size: (n - 1)s - 2p + (k - 1) + output_padding + 1.
    size = (n - 1) * s - 2 * p + (k - 1) + a + 1
    assert trace.output.shape == (size,)
    # By hand: scatter each input times the kernel at i*s, crop p before, keep `size`.
    full = np.zeros((n - 1) * s + k + a)
    for i, v in enumerate(x):
        full[i * s: i * s + k] += v * np.array([1.0, 2.0, 3.0])
    assert_allclose(trace.output, full[p: p + size] + 1, atol=1e-12)


@pytest.mark.parametrize(
    "args",
    [
        ["--length", "30", "--size", "5"],
        ["--dim", "2", "--input-size", "3", "--operation", "conv-transpose", "--stride", "2"],
    ],
)
def test_gif_animation(tmp_path, args):
    out = tmp_path / "steps.gif"
    assert main(["render", *args, "--animate", "--frames", "4", "--fps", "5", "--dpi", "30",
                 "-o", str(out)]) == 0
    _valid(out)
    with Image.open(out) as im:
        assert im.n_frames == 4


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--signal", "chirp"], "--signal: invalid choice: 'chirp'"),
        (["--step", "999"], "--step must be in 0..179 for this setting, got 999"),
        (["--step", "-1"], "--step must be in 0..179"),
        (["--steps", "0,x"], "--steps: must be comma-separated integers, got '0,x'"),
        (["--step", "1", "--steps", "2"], "not allowed with argument"),
        (["--operation", "conv", "--mode", "full"],
         "--mode does not apply to --operation conv, got 'full'"),
        (["--stride", "2"], "--stride does not apply to --operation convolve, got 2"),
        (["--operation", "conv", "--stride", "0"], "stride"),
        (["--padding", "lots", "--operation", "conv"],
         "--padding: must be an integer from 0 to 1000, 'same' or 'valid', got lots"),
        (["--size", "0"], "--size: must be an integer from 1 to 101, got 0"),
        (["--sigma", "-1"], "--sigma: must be a number from 0.1 to 1000, got -1"),
        (["--kernel", "sobel_x"], "--kernel must be gaussian or box in 1-D"),
        (["--dim", "2", "--kernel", "blur9"], "blur9"),
        (["--dim", "3"], "--dim: invalid choice: 3"),
        (["--length", "0"], "--length: must be an integer from 1 to 1000, got 0"),
        (["--frames", "3"], "--frames applies only with --animate"),
        (["--animate", "--frames", "0"], "--frames: must be an integer from 1 to 1000, got 0"),
        (["--dpi", "0"], "--dpi: must be a number from 10 to 1000, got 0"),
        (["--dim", "2", "--signal", "square"], "--signal applies only to --dim 1, got 'square'"),
        (["--input-size", "4"], "--input-size applies only to --dim 2, got 4"),
        (["--dim", "2", "--input-size", "0"],
         "--input-size: must be an integer from 1 to 32, got 0"),
        (["--taps", "1,x"], "--taps: must be comma-separated numbers, rows separated by ';', "
                            "got '1,x'"),
        (["--taps", ""], "--taps: must be comma-separated numbers"),
        (["--taps", "1,2;3"], "--taps: rows must all have the same number of taps, got '1,2;3'"),
        (["--taps", "1,inf"], "--taps: must be finite numbers from -1e6 to 1e6, got '1,inf'"),
        (["--taps", "1,2;3,4"], "--taps must be one row (no ;) with --dim 1"),
        (["--dim", "2", "--taps", "1,2"], "--taps must be rows split by ; with --dim 2"),
        (["--taps", "1,2", "--kernel", "box"], "--kernel does not apply with --taps, got 'box'"),
        (["--taps", "1,2", "--size", "3"], "--size does not apply with --taps, got 3"),
        (["--kernel", "box", "--sigma", "2"], "--sigma applies only to --kernel gaussian"),
        (["--fillvalue", "nan"], "--fillvalue: must be a number from -1e6 to 1e6, got nan"),
        (["--bias", "big"], "--bias: must be a number from -1e6 to 1e6, got big"),
        (["--bias", "1"], "--bias does not apply to --operation convolve, got 1.0"),
        (["--operation", "conv", "--fillvalue", "1"],
         "--fillvalue does not apply to --operation conv, got 1.0"),
        (["--padding-mode", "circular"],
         "--padding-mode does not apply to --operation convolve, got 'circular'"),
        (["--operation", "conv", "--padding-mode", "wrap"],
         "--padding-mode: invalid choice: 'wrap'"),
        (["--operation", "conv", "--output-padding", "1"],
         "--output-padding does not apply to --operation conv, got 1"),
        (["--operation", "conv-transpose", "--output-padding", "2", "--stride", "2"],
         "output_padding must be smaller than stride or dilation"),
        (["--operation", "conv-transpose", "--output-padding", "x"],
         "--output-padding: must be an integer from 0 to 9, got x"),
    ],
)
def test_bad_options_one_line_exit_2(tmp_path, capsys, args, needle):
    out = tmp_path / "x.png"
    with pytest.raises(SystemExit) as exc:
        main(["render", *args, "-o", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.match(r"convdoc( render)?: error: ", err)
    assert needle in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("output", "extra", "needle"),
    [
        ("x.gif", [], "a .gif output needs --animate"),
        ("x.png", ["--animate"], "--animate writes a .gif"),
        ("x.bmp", [], "--output must end in .svg, .png, .pdf or .gif"),
        ("missing/x.png", [], "--output's folder does not exist"),
    ],
)
def test_bad_output_paths(tmp_path, capsys, output, extra, needle):
    with pytest.raises(SystemExit) as exc:
        main(["render", *extra, "-o", str(tmp_path / output)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err


def test_missing_output_and_command(capsys):
    for argv in (["render"], []):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_process_exit_status_and_stderr(tmp_path):
    result = _run("render", "--step", "-3", "-o", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "convdoc render: error: --step must be in 0..179 for this setting, got -3 (see --help)"
    ]
