"""The command's error contract, run as a user runs it: ``python -m convdoc render``.

Issue 10: ``--dpi 0.5`` killed Python (SIGFPE); ``--dpi 8000``, ``--length
1e11``, ``--period``, ``--size``, ``--padding``, ``--stride`` and ``--input-size``
with huge values ended in MemoryError tracebacks; a bad ``--fps`` left a
corrupt ``keep.gif``; bad output paths gave OS tracebacks. The contract: exit
status 2, exactly one line on stderr naming the option and the value, nothing
on stdout, every file that was there before is byte-identical, and no
temporary file is left behind.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convdoc.__main__ import FLOAT_BOUNDS, INT_BOUNDS, build_parser, main
from convdoc.plot.save import DPI_RANGE, FPS_RANGE

ROOT = Path(__file__).resolve().parents[1]
#: Files every test starts with; they must come out byte-identical.
KEEP = {
    "keep.gif": b"GIF89a an animation the user wants to keep \x00\x01\x02",
    "keep.png": b"\x89PNG\r\n\x1a\n a picture the user wants to keep",
    "keep.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><!-- keep --></svg>",
}
PREFIX = "convdoc render: error: "


def _run(folder: Path, *args: str, limit_file_size: int | None = None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}

    def limit() -> None:  # pragma: no cover - runs in the child
        # A file-size limit makes the write fail half-way, as a full disk would.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "convdoc", "render", *args], capture_output=True, encoding="utf-8",
        cwd=folder, env=env, timeout=300, check=False,
        preexec_fn=limit if limit_file_size else None,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, data in KEEP.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def _assert_refused(result, folder: Path, *needles: str) -> str:
    """Exit 2, one stderr line containing every needle, nothing written."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(PREFIX), line
    assert "Traceback" not in line
    for needle in needles:
        assert needle in line, (needle, line)
    assert sorted(os.listdir(folder)) == sorted(KEEP), "a file was written or left behind"
    for name, data in KEEP.items():
        assert (folder / name).read_bytes() == data, f"{name} was changed"
    return line


# ------------------------------------------------------------- the issue's repros


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (["--dpi", "0.5"], "--dpi", "0.5"),  # was SIGFPE
        (["--dpi", "3"], "--dpi", "3"),  # was a FreeType traceback
        (["--dpi", "8000"], "--dpi", "8000"),  # was MemoryError
        (["--dpi", "inf"], "--dpi", "inf"),  # was "cannot convert float NaN to integer"
        (["--length", "1e11"], "--length", "1e11"),
        (["--length", "100000000000"], "--length", "100000000000"),
        (["--period", "1000000000000"], "--period", "1000000000000"),
        (["--size", "1000000000"], "--size", "1000000000"),
        (["--operation", "conv", "--padding", "1000000000"], "--padding", "1000000000"),
        (["--operation", "conv-transpose", "--stride", "1000000000"], "--stride", "1000000000"),
        (["--dim", "2", "--input-size", "100000"], "--input-size", "100000"),
        (["--animate", "--frames", "2", "--fps", "1e-300"], "--fps", "1e-300"),
    ],
)
def test_issue_repros_exit_2_with_one_line(folder, args, option, value):
    output = "keep.gif" if "--animate" in args else "keep.png"
    line = _assert_refused(_run(folder, *args, "-o", output), folder, f"{option}: ")
    assert line.endswith(f"got {value} (see --help)")


def test_too_large_a_grid_names_the_options(folder):
    # Each option is in range; together they make a grid diagram too large to
    # draw. By hand: zero insertion gives (32 - 1) * 4 + 1 = 125 cells, padded
    # by d(k - 1) = 4 * 8 = 32 on each side: 189; PyTorch's output size is
    # (32 - 1) * 4 + 4 * (9 - 1) + 1 = 157.
    result = _run(folder, "--dim", "2", "--input-size", "32", "--size", "9", "--kernel", "box",
                  "--operation", "conv-transpose", "--stride", "4", "--dilation", "4",
                  "-o", "keep.png")
    _assert_refused(result, folder, "at most 48×48 cells", "--input-size 32", "--stride 4",
                    "--dilation 4", "189×189 grid", "157×157 output")


@pytest.mark.parametrize(
    ("output", "needle"),
    [
        ("missing/x.png", "--output's folder does not exist: 'missing'"),
        ("keep.svg/x.png", "--output's folder is a file, not a folder: 'keep.svg'"),
        (".", "--output names a folder, not a file: '.'"),
        ("sub.png", "--output names a folder, not a file: 'sub.png'"),
        ("/proc/x.png", "--output: cannot write '/proc/x.png'"),
    ],
)
def test_bad_output_paths(folder, output, needle):
    if output == "sub.png":
        (folder / "sub.png").mkdir()
        KEEP_DIRS = ["sub.png"]
    else:
        KEEP_DIRS = []
    result = _run(folder, "--length", "20", "--size", "3", "-o", output)
    for name in KEEP_DIRS:
        os.rmdir(folder / name)
    _assert_refused(result, folder, needle)


@pytest.mark.parametrize(
    ("args", "output"),
    [([], "keep.png"), (["--animate", "--frames", "3", "--dpi", "30"], "keep.gif")],
)
def test_a_write_that_fails_half_way_keeps_the_old_file(folder, args, output):
    # The limit lets the child start but not write the whole figure: the
    # temporary file fails with EFBIG, is removed, and keep.* is untouched.
    result = _run(folder, "--length", "20", "--size", "3", *args, "-o", output,
                  limit_file_size=2000)
    _assert_refused(result, folder, f"--output: cannot write '{output}': File too large")


def test_largest_allowed_1d_options_render_in_bounded_memory(tmp_path):
    result = _run(tmp_path, "--operation", "conv-transpose", "--length", "1000", "--kernel",
                  "box", "--size", "101", "--stride", "10", "--dilation", "10",
                  "--output-padding", "9", "--bias", "1e6", "-o", "max.png")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote max.png\n"
    assert (tmp_path / "max.png").read_bytes().startswith(b"\x89PNG")
    assert os.listdir(tmp_path) == ["max.png"]
    # ru_maxrss (KiB on Linux) of the largest child so far: the whole command
    # at its largest allowed sizes stays under 1 GiB.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1024 * 1024


def test_help_states_every_bound():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {flag: action.help for action in sub.choices["render"]._actions
             for flag in action.option_strings}
    for option, (low, high1, high2) in INT_BOUNDS.items():
        if high1 == high2:
            assert f"{low} to {high1}" in helps[option], option
        else:
            assert f"{low} to {high1} in 1-D, {low} to {high2} in 2-D" in helps[option], option
    words = {0.1: "0.1", 1000.0: "1000", -1e6: "-1e6", 1e6: "1e6", 0.01: "0.01", 50.0: "50",
             10.0: "10"}
    for option, (low, high) in FLOAT_BOUNDS.items():
        assert f"{words[low]} to {words[high]}" in helps[option], option
    assert "at most 101" in helps["--taps"] and "at most 9x9" in helps["--taps"]
    assert "at most 12" in helps["--steps"]
    epilog = _run(ROOT, "--help").stdout
    assert "at most 48x48 cells" in epilog


def test_fps_and_dpi_bounds_are_the_writers():
    assert FLOAT_BOUNDS["--dpi"] == DPI_RANGE
    assert FLOAT_BOUNDS["--fps"] == FPS_RANGE


# ------------------------------------------------------------- hypothesis sweep

_NUMERIC = sorted({*INT_BOUNDS, *FLOAT_BOUNDS} - {"--taps"})


def _no_number(text: str) -> bool:
    """True for text neither int() nor float() reads (no digits of any script)."""
    if any(unicodedata.category(c) == "Nd" for c in text):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


_words = st.text(
    st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="\x00"),
    min_size=1, max_size=8,
).filter(_no_number)


def _bad_values(option: str) -> st.SearchStrategy[str]:
    """Text for ``option`` that is out of range, not finite, or not a number."""
    specials = st.sampled_from(["inf", "-inf", "nan", "1e400", "-1e400", "0x10", "1,5"])
    if option in INT_BOUNDS:
        low, high = INT_BOUNDS[option][0], max(INT_BOUNDS[option][1:])
        numbers = st.one_of(
            st.integers(high + 1, 10**40), st.integers(-(10**40), low - 1),
            st.floats(allow_nan=False, allow_infinity=False).filter(
                lambda v: not v.is_integer()),
            st.floats(1e3, 1e300).map(lambda v: f"{v:e}"),
        ).map(str)
    else:
        low, high = FLOAT_BOUNDS[option]
        numbers = st.one_of(
            st.floats(min_value=high, exclude_min=True),
            st.floats(max_value=low, exclude_max=True),
        ).flatmap(lambda v: st.sampled_from([repr(v), f"{v:e}"])).filter(
            # "%e" may round a value just outside onto a bound (9.9999999 -> 1e1).
            lambda text: not low <= float(text) <= high)
    return st.one_of(numbers, specials, _words.filter(lambda t: t not in ("same", "valid")))


_bad_option = st.sampled_from(_NUMERIC).flatmap(
    lambda option: st.tuples(st.just(option), _bad_values(option)))


def _shown(text: str) -> str:
    """How the message shows the value: as typed, or quoted when it is not one word."""
    plain = text and text.isprintable() and not any(c.isspace() for c in text)
    return text if plain else repr(text)


def _argv(option: str, text: str) -> list[str]:
    # "--dpi=-5": the value may start with "-"; --frames needs --animate and a .gif.
    extra = ["--animate"] if option == "--frames" else []
    extra += ["--operation", "conv"] if option in ("--stride", "--padding", "--dilation",
                                                   "--bias") else []
    return [*extra, f"{option}={text}"]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=_bad_option)
def test_any_bad_number_in_a_subprocess(folder, bad):
    option, text = bad
    output = "keep.gif" if option == "--frames" else "keep.png"
    result = _run(folder, *_argv(option, text), "-o", output)
    _assert_refused(result, folder, f"{option}: ", f"got {_shown(text)} (see --help)")


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=_bad_option)
def test_any_bad_number_in_process(tmp_path, capsys, bad):
    option, text = bad
    capsys.readouterr()  # one fixture serves every example: start from empty output
    output = tmp_path / ("keep.gif" if option == "--frames" else "keep.png")
    with pytest.raises(SystemExit) as exc:
        main(["render", *_argv(option, text), "-o", str(output)])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX)
    assert f"{option}: " in lines[0]
    assert lines[0].endswith(f"got {_shown(text)} (see --help)")
    assert not output.exists()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(taps=st.lists(st.one_of(st.floats(), st.integers(-(10**30), 10**30)), min_size=1,
                     max_size=4))
def test_taps_beyond_the_bounds_or_not_finite(tmp_path, capsys, taps):
    text = ",".join(map(str, taps))
    low, high = FLOAT_BOUNDS["--taps"]
    good = all(low <= float(t) <= high for t in taps)  # False for NaN
    with pytest.raises(SystemExit) as exc:
        # The missing folder stops good taps just after the parser.
        main(["render", f"--taps={text}", "--length", "10", "-o",
              str(tmp_path / "missing" / "x.png")])
    assert exc.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    if good:
        assert "--output's folder does not exist" in lines[0]
    else:
        assert lines[0] == (f"{PREFIX}--taps: must be finite numbers from -1e6 to 1e6, "
                            f"got {text!r} (see --help)")
