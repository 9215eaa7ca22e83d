"""Command line: ``python -m convdoc render ...`` (also installed as ``convdoc``).

Renders the figures of :mod:`convdoc.plot` without writing Python::

    convdoc render --step 40 -o step.svg
    convdoc render --steps 0,60,120,179 -o strip.png
    convdoc render --animate --frames 60 -o steps.gif
    convdoc render --dim 2 --operation conv --padding 1 --stride 2 --step 3 -o grid.pdf
    convdoc render --taps 1,0,-1 --mode same --boundary reflect -o edge.svg

Bad options print one line on stderr and exit with status 2.
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


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are a single line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _step_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--steps must be comma-separated integers, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError(f"--steps must name at least one step, got {text!r}")
    return values


def _padding(text: str) -> int | str:
    if text in ("same", "valid"):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--padding must be an integer, 'same' or 'valid', got {text!r}"
        ) from None


def _taps(text: str) -> np.ndarray:
    """``"1,2,3"`` -> 1-D taps; ``"1,0;0,-1"`` -> 2-D taps, rows split by ``;``."""
    try:
        values = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--taps must be comma-separated numbers, rows separated by ';', got {text!r}"
        ) from None
    if len({len(row) for row in values}) != 1:
        raise argparse.ArgumentTypeError(
            f"--taps rows must all have the same number of taps, got {text!r}"
        )
    taps = np.array(values)
    if not np.isfinite(taps).all():
        raise argparse.ArgumentTypeError(f"--taps must be finite numbers, got {text!r}")
    return taps if ";" in text else taps[0]


def _finite(option: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            raise argparse.ArgumentTypeError(f"{option} must be a finite number, got {text!r}")
        return value

    return parse


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
            "      --length 20 --size 3 -o t.svg"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Lets main() report semantic errors under "convdoc render".
    render.set_defaults(parser=render)
    sig = render.add_argument_group("input")
    sig.add_argument("--signal", choices=SIGNALS, default=None,
                     help="1-D input signal (default: sawtooth)")
    sig.add_argument("--length", type=int, default=None,
                     help="samples in the 1-D signal (default: 200)")
    sig.add_argument("--period", type=int, default=None,
                     help="period of sawtooth, square and noisy-sine (default: 50)")
    sig.add_argument("--dim", type=int, choices=(1, 2), default=1,
                     help="1 for a signal, 2 for a grid (default: %(default)s)")
    sig.add_argument("--input-size", type=int, default=None,
                     help="side of the square 2-D input grid, values 0-3 drawn with seed 0 "
                          "(default: 5)")
    ker = render.add_argument_group("kernel")
    ker.add_argument("--kernel", default=None,
                     help="gaussian, box, or with --dim 2 a named kernel such as sobel_x "
                          "(default: gaussian)")
    ker.add_argument("--size", type=int, default=None,
                     help="kernel size for gaussian and box (default: 21 in 1-D, 3 in 2-D)")
    ker.add_argument("--sigma", type=float, default=None,
                     help="width of the gaussian kernel (default: 3.0)")
    ker.add_argument("--taps", type=_taps, default=None, metavar="T,T,...[;T,T,...]",
                     help="your own kernel instead of --kernel: comma-separated taps "
                          "(1-D, e.g. 1,2,3), or rows separated by ';' with --dim 2 "
                          "(e.g. '1,0;0,-1')")
    op = render.add_argument_group("operation")
    op.add_argument("--operation", choices=OPERATIONS, default="convolve",
                    help="signal convolve/correlate, or CNN conv / conv-transpose "
                         "(default: %(default)s)")
    op.add_argument("--mode", choices=MODES, default=None,
                    help="output size for convolve/correlate (default: valid)")
    op.add_argument("--boundary", choices=BOUNDARIES, default=None,
                    help="how convolve/correlate extend the input (default: constant)")
    op.add_argument("--fillvalue", type=_finite("--fillvalue"), default=None,
                    help="value of the padding cells for convolve/correlate with "
                         "--boundary constant (default: 0)")
    op.add_argument("--stride", type=int, default=None,
                    help="stride of conv / conv-transpose (default: 1)")
    op.add_argument("--padding", type=_padding, default=None,
                    help="zero padding of conv / conv-transpose: an integer, or 'same'/'valid' "
                         "for conv (default: 0)")
    op.add_argument("--dilation", type=int, default=None,
                    help="dilation of conv / conv-transpose (default: 1)")
    op.add_argument("--padding-mode", choices=PADDING_MODES, default=None,
                    help="how conv fills its padding, as torch's padding_mode "
                         "(default: zeros)")
    op.add_argument("--output-padding", type=int, default=None,
                    help="extra cells after the output of conv-transpose, less than "
                         "the stride or the dilation (default: 0)")
    op.add_argument("--bias", type=_finite("--bias"), default=None,
                    help="number added to every output of conv / conv-transpose "
                         "(default: none)")
    what = render.add_argument_group("what to draw").add_mutually_exclusive_group()
    what.add_argument("--step", type=int, default=None, metavar="N",
                      help="draw step N (default: 0)")
    what.add_argument("--steps", type=_step_list, default=None, metavar="N,N,...",
                      help="draw these steps side by side (filmstrip)")
    what.add_argument("--animate", action="store_true",
                      help="animate the steps (needs a .gif output)")
    anim = render.add_argument_group("animation")
    anim.add_argument("--frames", type=int, default=None,
                      help="frames of the animation, spread over the steps (default: every "
                           "step, at most 100)")
    anim.add_argument("--fps", type=float, default=10.0,
                      help="frames per second of the animation (default: %(default)s)")
    out = render.add_argument_group("output")
    out.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                     help="file to write: .svg, .png, .pdf, or .gif with --animate")
    out.add_argument("--dpi", type=float, default=None,
                     help="resolution in dots per inch (default: matplotlib's)")
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


def _check_output(args: argparse.Namespace) -> str:
    suffix = args.output.suffix.lower()
    if args.animate and suffix != ".gif":
        raise ValueError(f"--animate writes a .gif, got --output {str(args.output)!r}")
    if not args.animate and suffix == ".gif":
        raise ValueError(f"a .gif output needs --animate, got --output {str(args.output)!r}")
    if suffix not in (*STATIC, ".gif"):
        raise ValueError(
            f"--output must end in .svg, .png, .pdf or .gif, got {str(args.output)!r}"
        )
    if not args.output.parent.is_dir():
        raise ValueError(f"--output's folder does not exist: {str(args.output.parent)!r}")
    if args.dpi is not None and not args.dpi > 0:
        raise ValueError(f"--dpi must be positive, got {args.dpi}")
    if args.frames is not None and not args.animate:
        raise ValueError("--frames applies only with --animate")
    if args.frames is not None and args.frames < 1:
        raise ValueError(f"--frames must be a positive integer, got {args.frames}")
    if not args.fps > 0:
        raise ValueError(f"--fps must be positive, got {args.fps}")
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
    import matplotlib

    # Headless: never open a window, whatever the user's default backend.
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convdoc.plot import animate, default_frames, filmstrip, step_figure

    trace = _trace(args)
    label = args.mode or ("valid" if args.operation in SIGNAL_FACE else None)
    try:
        if args.steps is not None:
            _in_range(args.steps, len(trace), "--steps")
            return filmstrip(trace, args.steps, label=label).save(args.output, dpi=args.dpi)
        if args.animate:
            frames = default_frames(len(trace), args.frames or 100)
            fig = step_figure(trace, frames[0], label=label)
            return animate(fig, frames).save(args.output, fps=args.fps, dpi=args.dpi)
        step = 0 if args.step is None else args.step
        _in_range([step], len(trace), "--step")
        return step_figure(trace, step, label=label).save(args.output, dpi=args.dpi)
    finally:
        plt.close("all")


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
        args.parser.error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
