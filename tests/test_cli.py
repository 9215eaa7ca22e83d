"""``convdoc render``: every format is written and valid; bad options exit 2 with one line."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from convdoc.__main__ import build_parser, main

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
    ],
)
def test_static_formats(tmp_path, capsys, args, name):
    out = tmp_path / name
    assert main(["render", *args, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    _valid(out)


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
        (["--steps", "0,x"], "--steps must be comma-separated integers, got '0,x'"),
        (["--step", "1", "--steps", "2"], "not allowed with argument"),
        (["--operation", "conv", "--mode", "full"],
         "--mode does not apply to --operation conv, got 'full'"),
        (["--stride", "2"], "--stride does not apply to --operation convolve, got 2"),
        (["--operation", "conv", "--stride", "0"], "stride"),
        (["--padding", "lots", "--operation", "conv"], "--padding must be an integer"),
        (["--size", "0"], "size must be a positive integer, got 0"),
        (["--sigma", "-1"], "sigma"),
        (["--kernel", "sobel_x"], "--kernel must be gaussian or box in 1-D"),
        (["--dim", "2", "--kernel", "blur9"], "blur9"),
        (["--dim", "3"], "--dim: invalid choice: 3"),
        (["--length", "0"], "length"),
        (["--frames", "3"], "--frames applies only with --animate"),
        (["--animate", "--frames", "0"], "--animate writes a .gif"),
        (["--dpi", "0"], "--dpi must be positive, got 0.0"),
        (["--dim", "2", "--signal", "square"], "--signal applies only to --dim 1, got 'square'"),
        (["--input-size", "4"], "--input-size applies only to --dim 2, got 4"),
        (["--dim", "2", "--input-size", "0"], "--input-size must be a positive integer, got 0"),
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
