"""Command line: ``python -m convdoc render ...`` (also installed as ``convdoc``).

Renders the figures of :mod:`convdoc.plot` without writing Python::

    convdoc render --step 40 -o step.svg
    convdoc render --steps 0,60,120,179 -o strip.png
    convdoc render --animate --frames 60 -o steps.gif
    convdoc render --dim 2 --operation conv --padding 1 --stride 2 --step 3 -o grid.pdf
    convdoc render --taps 1,0,-1 --mode same --boundary reflect -o edge.svg

Bad options print one line on stderr naming the option and the value, exit
with status 2 and write nothing: an existing output file is replaced only by
a complete new one. Every number is bounded by what one figure can show
(:data:`INT_BOUNDS`, :data:`FLOAT_BOUNDS`), which also bounds the memory a
command needs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

__all__ = ["build_parser", "main"]

SIGNALS = ("sawtooth", "square", "step", "impulse", "noisy-sine")
OPERATIONS = ("convolve", "correlate", "conv", "conv-transpose")
MODES = ("full", "same", "valid")
BOUNDARIES = ("constant", "edge", "reflect", "symmetric", "wrap")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
STATIC = (".svg", ".png", ".pdf")
SIGNAL_FACE = ("convolve", "correlate")


#: Integer options: (smallest, largest with --dim 1, largest with --dim 2). What
#: one figure can show: a 1-D panel stays readable up to about a thousand
#: samples, a grid diagram up to a few dozen cells a side. Together they keep
#: a trace under about 12 000 steps and a command under about 300 MB.
INT_BOUNDS: dict[str, tuple[int, int, int]] = {
    "--length": (1, 1000, 1000),
    "--period": (2, 10_000, 10_000),
    "--input-size": (1, 32, 32),
    "--size": (1, 101, 9),
    "--stride": (1, 10, 4),
    "--dilation": (1, 10, 4),
    "--padding": (0, 1000, 16),
    "--output-padding": (0, 9, 3),
    "--frames": (1, 1000, 1000),
}
#: Real options: (smallest, largest). ``--dpi`` and ``--fps`` are
#: convdoc.plot.save's DPI_RANGE and FPS_RANGE; values, taps and bias stay
#: within +-1e6 so that every product and sum is finite and printable.
FLOAT_BOUNDS: dict[str, tuple[float, float]] = {
    "--sigma": (0.1, 1000.0),
    "--fillvalue": (-1e6, 1e6),
    "--bias": (-1e6, 1e6),
    "--taps": (-1e6, 1e6),
    "--fps": (0.01, 50.0),
    "--dpi": (10.0, 1000.0),
}
#: Most steps a filmstrip shows side by side.
MAX_FILMSTRIP = 12
#: Most cells a side of a 2-D grid diagram (its extended input and its output):
#: a diagram is at most 2.6 inches wide, and a 48 x 48 grid already takes
#: about ten seconds to draw.
MAX_GRID_SIDE = 48


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are a single line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        # "argument --dpi: ..." -> "--dpi: ..."; one line whatever the message.
        message = " ".join(message.removeprefix("argument ").split())
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _g(value: float) -> str:
    """``1e6`` rather than ``1e+06``."""
    return f"{value:g}".replace("e+0", "e").replace("e+", "e")


def _shown(text: str) -> str:
    """The text as typed, quoted only when it would not read as one word."""
    return text if text and text.isprintable() and not any(c.isspace() for c in text) \
        else repr(text)


def _integer(option: str) -> Any:
    low, high = INT_BOUNDS[option][0], max(INT_BOUNDS[option][1:])

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low} to {high}, got {_shown(text)}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low} to {high}, got {_shown(text)}"
            )
        return value

    parse.__name__ = "integer"
    return parse


def _real(option: str) -> Any:
    low, high = FLOAT_BOUNDS[option]

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # False for NaN too
            raise argparse.ArgumentTypeError(
                f"must be a number from {_g(low)} to {_g(high)}, got {_shown(text)}"
            )
        return value

    parse.__name__ = "number"
    return parse


def _step_list(text: str) -> list[int]:
    parts = [part for part in text.split(",") if part.strip()]
    if len(parts) > MAX_FILMSTRIP:
        raise argparse.ArgumentTypeError(
            f"a filmstrip shows at most {MAX_FILMSTRIP} steps, got {len(parts)}"
        )
    try:
        values = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be comma-separated integers, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError(f"must name at least one step, got {text!r}")
    return values


def _padding(text: str) -> int | str:
    if text in ("same", "valid"):
        return text
    low, high = INT_BOUNDS["--padding"][0], max(INT_BOUNDS["--padding"][1:])
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"must be an integer from {low} to {high}, 'same' or 'valid', got {_shown(text)}"
        )
    return value


def _taps(text: str) -> np.ndarray:
    """``"1,2,3"`` -> 1-D taps; ``"1,0;0,-1"`` -> 2-D taps, rows split by ``;``."""
    try:
        values = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be comma-separated numbers, rows separated by ';', got {text!r}"
        ) from None
    if len({len(row) for row in values}) != 1:
        raise argparse.ArgumentTypeError(
            f"rows must all have the same number of taps, got {text!r}"
        )
    taps = np.array(values)
    low, high = FLOAT_BOUNDS["--taps"]
    if not ((taps >= low) & (taps <= high)).all():  # NaN fails too
        raise argparse.ArgumentTypeError(
            f"must be finite numbers from {_g(low)} to {_g(high)}, got {text!r}"
        )
    return taps if ";" in text else taps[0]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``convdoc`` command.

    Returns
    -------
    argparse.ArgumentParser
        With one sub-command, ``render``.
    """
    parser = _Parser(
        prog="convdoc",
        description="Render convdoc's stepped convolution figures from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    render = sub.add_parser(
        "render",
        help="draw one step, a filmstrip of steps, or an animation to a file",
        description=(
            "Draw the steps of a convolution as computed by convdoc.steps.\n"
            "The output format follows the extension of --output: .svg, .png, .pdf,\n"
            "or .gif (with --animate)."
        ),
        epilog=(
            "examples:\n"
            "  convdoc render --step 40 -o step.svg\n"
            "  convdoc render --steps 0,60,120,179 -o strip.png\n"
            "  convdoc render --animate --frames 60 -o steps.gif\n"
            "  convdoc render --dim 2 --operation conv --padding 1 --stride 2 -o grid.pdf\n"
            "  convdoc render --taps 1,0,-1 --mode same --boundary reflect -o edge.svg\n"
            "  convdoc render --dim 2 --taps '1,0;0,-1' --operation conv --bias 0.5 -o g.png\n"
            "  convdoc render --operation conv-transpose --stride 2 --output-padding 1 \\\n"
            "      --length 20 --size 3 -o t.svg\n"
            "\n"
            "limits: every number is bounded by what one figure can show (the ranges\n"
            f"above); a 2-D grid diagram shows at most {MAX_GRID_SIDE}x{MAX_GRID_SIDE} cells "
            "(its extended input\n"
            "and its output). A bad option prints one line and exits with status 2;\n"
            "nothing is written and an existing output file is left as it was."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Lets main() report semantic errors under "convdoc render".
    render.set_defaults(parser=render)
    sig = render.add_argument_group("input")
    sig.add_argument("--signal", choices=SIGNALS, default=None,
                     help="1-D input signal (default: sawtooth)")
    sig.add_argument("--length", type=_integer("--length"), default=None,
                     help="samples in the 1-D signal, 1 to 1000 (default: 200)")
    sig.add_argument("--period", type=_integer("--period"), default=None,
                     help="period of sawtooth, square and noisy-sine, 2 to 10000 "
                          "(default: 50)")
    sig.add_argument("--dim", type=int, choices=(1, 2), default=1,
                     help="1 for a signal, 2 for a grid (default: %(default)s)")
    sig.add_argument("--input-size", type=_integer("--input-size"), default=None,
                     help="side of the square 2-D input grid, 1 to 32; values 0-3 drawn "
                          "with seed 0 (default: 5)")
    ker = render.add_argument_group("kernel")
    ker.add_argument("--kernel", default=None,
                     help="gaussian, box, or with --dim 2 a named kernel such as sobel_x "
                          "(default: gaussian)")
    ker.add_argument("--size", type=_integer("--size"), default=None,
                     help="kernel size for gaussian and box, 1 to 101 in 1-D, 1 to 9 in 2-D "
                          "(default: 21 in 1-D, 3 in 2-D)")
    ker.add_argument("--sigma", type=_real("--sigma"), default=None,
                     help="width of the gaussian kernel, 0.1 to 1000 (default: 3.0)")
    ker.add_argument("--taps", type=_taps, default=None, metavar="T,T,...[;T,T,...]",
                     help="your own kernel instead of --kernel: comma-separated taps "
                          "(1-D, e.g. 1,2,3; at most 101), or rows separated by ';' with "
                          "--dim 2 (e.g. '1,0;0,-1'; at most 9x9); each from -1e6 to 1e6")
    op = render.add_argument_group("operation")
    op.add_argument("--operation", choices=OPERATIONS, default="convolve",
                    help="signal convolve/correlate, or CNN conv / conv-transpose "
                         "(default: %(default)s)")
    op.add_argument("--mode", choices=MODES, default=None,
                    help="output size for convolve/correlate (default: valid)")
    op.add_argument("--boundary", choices=BOUNDARIES, default=None,
                    help="how convolve/correlate extend the input (default: constant)")
    op.add_argument("--fillvalue", type=_real("--fillvalue"), default=None,
                    help="value of the padding cells for convolve/correlate with "
                         "--boundary constant, -1e6 to 1e6 (default: 0)")
    op.add_argument("--stride", type=_integer("--stride"), default=None,
                    help="stride of conv / conv-transpose, 1 to 10 in 1-D, 1 to 4 in 2-D "
                         "(default: 1)")
    op.add_argument("--padding", type=_padding, default=None,
                    help="zero padding of conv / conv-transpose: an integer, 0 to 1000 in "
                         "1-D, 0 to 16 in 2-D, or 'same'/'valid' for conv (default: 0)")
    op.add_argument("--dilation", type=_integer("--dilation"), default=None,
                    help="dilation of conv / conv-transpose, 1 to 10 in 1-D, 1 to 4 in 2-D "
                         "(default: 1)")
    op.add_argument("--padding-mode", choices=PADDING_MODES, default=None,
                    help="how conv fills its padding, as torch's padding_mode "
                         "(default: zeros)")
    op.add_argument("--output-padding", type=_integer("--output-padding"), default=None,
                    help="extra cells after the output of conv-transpose, 0 to 9 in 1-D, "
                         "0 to 3 in 2-D, and less than the stride or the dilation "
                         "(default: 0)")
    op.add_argument("--bias", type=_real("--bias"), default=None,
                    help="number added to every output of conv / conv-transpose, "
                         "-1e6 to 1e6 (default: none)")
    what = render.add_argument_group("what to draw").add_mutually_exclusive_group()
    what.add_argument("--step", type=int, default=None, metavar="N",
                      help="draw step N (default: 0)")
    what.add_argument("--steps", type=_step_list, default=None, metavar="N,N,...",
                      help=f"draw these steps side by side (filmstrip, at most "
                           f"{MAX_FILMSTRIP})")
    what.add_argument("--animate", action="store_true",
                      help="animate the steps (needs a .gif output)")
    anim = render.add_argument_group("animation")
    anim.add_argument("--frames", type=_integer("--frames"), default=None,
                      help="frames of the animation, spread over the steps, 1 to 1000; "
                           "frames x pixels per frame at most 100 million (default: every "
                           "step, at most 100)")
    anim.add_argument("--fps", type=_real("--fps"), default=10.0,
                      help="frames per second of the animation, 0.01 to 50 "
                           "(default: %(default)s)")
    out = render.add_argument_group("output")
    out.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                     help="file to write, in an existing folder: .svg, .png, .pdf, or .gif "
                          "with --animate; an existing file is replaced only once the new "
                          "one is complete")
    out.add_argument("--dpi", type=_real("--dpi"), default=None,
                     help="resolution in dots per inch, 10 to 1000; a PNG has at most 60 "
                          "million pixels (default: the figure's, 100)")
    return parser


def _input(args: argparse.Namespace) -> np.ndarray:
    from convdoc.waveforms import impulse, noisy_sine, sawtooth, square_wave, unit_step

    signal_opts = {"signal": args.signal, "length": args.length, "period": args.period}
    if args.dim == 2:
        for name, value in signal_opts.items():
            if value is not None:
                raise ValueError(f"--{name} applies only to --dim 1, got {value!r}")
        size = 5 if args.input_size is None else args.input_size
        if size < 1:
            raise ValueError(f"--input-size must be a positive integer, got {size}")
        rng = np.random.default_rng(0)
        return rng.integers(0, 4, size=(size, size)).astype(float)
    if args.input_size is not None:
        raise ValueError(f"--input-size applies only to --dim 2, got {args.input_size}")
    length = 200 if args.length is None else args.length
    period = 50 if args.period is None else args.period
    makers = {
        "sawtooth": lambda: sawtooth(length, period),
        "square": lambda: square_wave(length, period),
        "step": lambda: unit_step(length),
        "impulse": lambda: impulse(length),
        "noisy-sine": lambda: noisy_sine(length, period, seed=0),
    }
    return makers[args.signal or "sawtooth"]()


def _kernel(args: argparse.Namespace) -> np.ndarray:
    from convdoc.kernels import (
        KERNELS2D,
        box_kernel,
        gaussian_kernel,
        gaussian_kernel2d,
        kernel2d,
    )

    if args.taps is not None:
        for name in ("kernel", "size", "sigma"):
            if getattr(args, name) is not None:
                raise ValueError(f"--{name} does not apply with --taps, got "
                                 f"{getattr(args, name)!r}")
        if args.taps.ndim != args.dim:
            raise ValueError(
                f"--taps must be {'one row (no ;)' if args.dim == 1 else 'rows split by ;'} "
                f"with --dim {args.dim}, got {args.taps.ndim}-D taps of shape {args.taps.shape}"
            )
        return args.taps
    size = args.size if args.size is not None else (21 if args.dim == 1 else 3)
    sigma = 3.0 if args.sigma is None else args.sigma
    kernel = args.kernel or "gaussian"
    if kernel != "gaussian" and args.sigma is not None:
        raise ValueError(f"--sigma applies only to --kernel gaussian, got {args.sigma!r}")
    if kernel == "gaussian":
        if args.dim == 1:
            return gaussian_kernel(size, sigma)
        return gaussian_kernel2d(size, sigma)
    if kernel == "box":
        return box_kernel(size) if args.dim == 1 else box_kernel((size, size))
    if args.dim == 2:
        if args.size is not None:
            raise ValueError(f"--size applies only to gaussian and box, got {args.size!r}")
        return kernel2d(kernel)
    raise ValueError(
        f"--kernel must be gaussian or box in 1-D (2-D also offers "
        f"{', '.join(sorted(KERNELS2D))}), got {args.kernel!r}"
    )


def _operation_options(args: argparse.Namespace) -> dict[str, Any]:
    operation = args.operation.replace("-", "_")
    # Which options each operation takes is convdoc.steps' contract; the others must be unset.
    options = {"mode": args.mode, "boundary": args.boundary, "fillvalue": args.fillvalue,
               "stride": args.stride, "padding": args.padding, "dilation": args.dilation,
               "padding_mode": args.padding_mode, "output_padding": args.output_padding,
               "bias": args.bias}
    takes = {
        "convolve": {"mode", "boundary", "fillvalue"},
        "correlate": {"mode", "boundary", "fillvalue"},
        "conv": {"stride", "padding", "dilation", "padding_mode", "bias"},
        "conv_transpose": {"stride", "padding", "dilation", "output_padding", "bias"},
    }[operation]
    own = {name: value for name, value in options.items() if name in takes}
    foreign = {name.replace("_", "-"): value for name, value in options.items()
               if name not in takes}
    for name, value in foreign.items():
        if value is not None:
            raise ValueError(
                f"--{name} does not apply to --operation {args.operation}, got {value!r}"
            )
    kwargs: dict[str, Any] = {"operation": operation}
    kwargs.update({name: value for name, value in own.items() if value is not None})
    if operation in SIGNAL_FACE:
        kwargs.setdefault("mode", "valid")
    return kwargs


def _check_bounds(args: argparse.Namespace) -> None:
    """The per-dimension bounds argparse cannot know before it has read ``--dim``."""
    column = 1 if args.dim == 1 else 2
    for option, bounds in INT_BOUNDS.items():
        value = getattr(args, option[2:].replace("-", "_"))
        if isinstance(value, int) and value > bounds[column]:
            raise ValueError(f"{option}: must be an integer from {bounds[0]} to "
                             f"{bounds[column]} with --dim {args.dim}, got {value}")
    if args.taps is not None:
        most = INT_BOUNDS["--size"][column]
        if max(args.taps.shape) > most:
            shape = "×".join(map(str, args.taps.shape))
            raise ValueError(f"--taps: at most {most} taps a side with --dim {args.dim}, "
                             f"got {shape}")


def _check_output(args: argparse.Namespace) -> str:
    from convdoc.plot.save import _folder_exists

    if args.output.is_dir():
        raise ValueError(f"--output names a folder, not a file: {str(args.output)!r}")
    suffix = args.output.suffix.lower()
    if args.animate and suffix != ".gif":
        raise ValueError(f"--animate writes a .gif, got --output {str(args.output)!r}")
    if not args.animate and suffix == ".gif":
        raise ValueError(f"a .gif output needs --animate, got --output {str(args.output)!r}")
    if suffix not in (*STATIC, ".gif"):
        raise ValueError(
            f"--output must end in .svg, .png, .pdf or .gif, got {str(args.output)!r}"
        )
    _folder_exists(args.output, "--output")
    if args.frames is not None and not args.animate:
        raise ValueError("--frames applies only with --animate")
    return suffix


def render(args: argparse.Namespace) -> Path:
    """Draw what the parsed ``render`` options ask for and write it.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options of the ``render`` sub-command.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError, TypeError
        For options that convdoc rejects (the message names the option).
    """
    _check_output(args)
    _check_bounds(args)
    import matplotlib

    # Headless: never open a window, whatever the user's default backend.
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convdoc.plot import animate, default_frames, filmstrip, step_figure

    trace = _trace(args)
    _check_grid(args, trace)
    label = args.mode or ("valid" if args.operation in SIGNAL_FACE else None)
    try:
        if args.steps is not None:
            _in_range(args.steps, len(trace), "--steps")
            figure: Any = filmstrip(trace, args.steps, label=label)
            return _saved(lambda: figure.save(args.output, dpi=args.dpi), args.output)
        if args.animate:
            frames = default_frames(len(trace), args.frames or 100)
            anim = animate(step_figure(trace, frames[0], label=label), frames)
            return _saved(lambda: anim.save(args.output, fps=args.fps, dpi=args.dpi), args.output)
        step = 0 if args.step is None else args.step
        _in_range([step], len(trace), "--step")
        figure = step_figure(trace, step, label=label)
        return _saved(lambda: figure.save(args.output, dpi=args.dpi), args.output)
    finally:
        plt.close("all")


def _check_grid(args: argparse.Namespace, trace: Any) -> None:
    """Refuse a 2-D grid diagram with more cells than one figure can show."""
    if args.dim != 2:
        return
    grid, out = trace.grid.shape, trace.output.shape
    if max(*grid, *out) <= MAX_GRID_SIDE:
        return
    given = ", ".join(
        f"{option} {getattr(args, option[2:].replace('-', '_'))}"
        for option in ("--input-size", "--size", "--padding", "--stride", "--dilation",
                       "--output-padding")
        if getattr(args, option[2:].replace("-", "_")) is not None
    )
    raise ValueError(
        f"a grid diagram shows at most {MAX_GRID_SIDE}×{MAX_GRID_SIDE} cells, but "
        f"{given or 'these options'} make a {grid[0]}×{grid[1]} grid and a "
        f"{out[0]}×{out[1]} output"
    )


def _saved(save: Any, output: Path) -> Path:
    """Run ``save()``, reporting its errors under the command's option names."""
    try:
        return save()
    except ValueError as exc:
        # convdoc.plot.save names its parameters dpi, fps and path.
        message = str(exc)
        for name, option in (("dpi", "--dpi"), ("fps", "--fps"), ("path", "--output")):
            if message.startswith(name):
                raise ValueError(option + message.removeprefix(name)) from None
        raise
    except OSError as exc:
        # The folder exists but the file cannot be made there (permissions, a
        # read-only or special file system, a full disk); nothing was written.
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"--output: cannot write {str(output)!r}: {reason}") from None


def _trace(args: argparse.Namespace) -> Any:
    """The :class:`convdoc.Trace` the parsed options describe."""
    from convdoc.trace import steps

    return steps(_input(args), _kernel(args), **_operation_options(args))


def _in_range(values: Sequence[int], count: int, option: str) -> None:
    for value in values:
        if not 0 <= value < count:
            raise ValueError(f"{option} must be in 0..{count - 1} for this setting, got {value}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``convdoc`` and ``python -m convdoc``.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success (errors exit with status 2 through argparse).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        path = render(args)
    except (ValueError, TypeError) as exc:
        # convdoc's messages already name the parameter and the bad value.
        args.parser.error(str(exc) or type(exc).__name__)
    except MemoryError:
        args.parser.error("out of memory; lower --length, --input-size, --size or --dpi")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
