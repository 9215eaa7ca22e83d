"""The 2-D explorer: convolution arithmetic with the numbers written in the cells.

Input size, kernel, padding (and its mode), stride, dilation, channels and
bias; the transposed convolution framed as the inverse of a direct one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convdoc._validate import as_array, choice, nonneg_int, number, positive_int
from convdoc.explore._html import (
    HTMLExplorer,
    buttons,
    checkbox_field,
    range_field,
    select_field,
    settings,
)
from convdoc.kernels import KERNELS2D

__all__ = ["Explorer2D"]

LIMITS = {"input_size": (1, 10), "kernel_size": (1, 5), "padding": (0, 4), "stride": (1, 4),
          "dilation": (1, 3)}
#: PyTorch's padding modes (``torch.nn.functional.conv2d`` via ``padding_mode``).
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
MAX_IN, MAX_OUT, MAX_N, MAX_K = 3, 2, LIMITS["input_size"][1], LIMITS["kernel_size"][1]
#: Playback speeds offered, in steps per second.
SPEEDS_2D = (0.5, 1, 2, 4, 8)


def _small_ints(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...]) -> list:
    return rng.integers(lo, hi + 1, size=shape).astype(float).tolist()


class Explorer2D(HTMLExplorer):
    """Convolution arithmetic in the browser: grids with their numbers, window and formula.

    In the style of Dumoulin & Visin's animations and CS231n's demo: each
    input channel (padding drawn dashed and filled by its padding mode; for a
    transposed convolution the zero-inserted input, inserted zeros dotted),
    the kernel as applied, and the output channels filling up step by step,
    every cell showing its number. Under the grids the current output's
    arithmetic is written out (``2·1 + 3·0 + … = 14``, channel by channel,
    plus the bias). Click a cell to edit an input value or a kernel weight;
    presets set the kernels to a named kernel of :data:`convdoc.KERNELS2D` or
    to random small integers. The geometry is that of :func:`convdoc.steps`,
    the numbers those of :func:`convdoc.conv2d` and
    :func:`convdoc.conv_transpose2d` (weights ``W[o, c]`` of output channel
    ``o`` and input channel ``c``; the transposed layer gets them as
    ``weight[c, o]``, PyTorch's layout).

    **Transposed mode** keeps the sliders on the *direct* convolution (input
    size N, kernel, padding, stride, dilation), whose output size is
    N_out = ⌊(N + 2p − d(K − 1) − 1)/s⌋ + 1, and shows the transposed
    convolution that maps N_out back: its output size is
    (N_out − 1)s − 2p + d(K − 1) + a + 1, which is N again when the output
    padding a (0 <= a < max(s, d), PyTorch's rule) makes up the cells the
    stride skipped.

    JupyterLab does not run scripts in HTML output; use
    :class:`convdoc.plot.GridFigure2D` there.

    Parameters
    ----------
    input_size : int, default 5
        Side N of the square input of the direct convolution, 1 to 10.
    kernel_size : int, default 3
        Side K of the square kernel, 1 to 5.
    padding : int, default 0
        Padding p on every side, 0 to 4.
    stride : int, default 1
        1 to 4.
    dilation : int, default 1
        1 to 3.
    transposed : bool, default False
        Start with the transposed convolution that maps the direct one's
        output size back.
    step : int, default 0
        Step shown first (clipped to the number of outputs).
    output_padding : int, default 0
        Output padding a of the transposed convolution, smaller than
        ``max(stride, dilation)``.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        How the direct convolution fills its padding (PyTorch's names); the
        transposed one always inserts and pads zeros.
    in_channels : int, default 1
        Input channels C_in shown first, 1 to 3.
    out_channels : int, default 1
        Output channels C_out shown first, 1 or 2.
    kernel : str or array_like, optional
        A name of :data:`convdoc.KERNELS2D` or a square array of side
        ``kernel_size``, used for every (output, input) channel pair. By
        default the kernels are random integers from -1 to 1.
    bias : float or sequence of float, optional
        Bias of each output channel (one number per channel, up to 2; a
        single number is used for both). Default 0.
    seed : int, default 0
        Seed of the random integer input values (0 to 4) and kernels.
    autoplay : bool, default False
        Start playing when the explorer scrolls into view, unless the reader
        asked the system for reduced motion.

    Raises
    ------
    TypeError, ValueError
        If a parameter has the wrong type or is outside its control's range;
        the message names the parameter and the value.

    Examples
    --------
    >>> from convdoc.explore import Explorer2D
    >>> "data-control=\\"stride\\"" in Explorer2D(stride=2)._repr_html_()
    True
    >>> e = Explorer2D(input_size=6, padding=1, stride=2, transposed=True,
    ...                output_padding=1)
    >>> e.direct_output_size, e.transposed_output_size
    (3, 6)
    """

    _kind = "2d"
    _heading = "2-D convolution arithmetic explorer"

    def __init__(
        self,
        input_size: int = 5,
        kernel_size: int = 3,
        padding: int = 0,
        stride: int = 1,
        dilation: int = 1,
        transposed: bool = False,
        step: int = 0,
        *,
        output_padding: int = 0,
        padding_mode: str = "zeros",
        in_channels: int = 1,
        out_channels: int = 1,
        kernel: str | Any | None = None,
        bias: float | Sequence[float] | None = None,
        seed: int = 0,
        autoplay: bool = False,
    ) -> None:
        values = {"input_size": input_size, "kernel_size": kernel_size, "padding": padding,
                  "stride": stride, "dilation": dilation}
        for name, value in values.items():
            lo, hi = LIMITS[name]
            checked = nonneg_int(value, name) if lo == 0 else positive_int(value, name)
            if not lo <= checked <= hi:
                raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
            setattr(self, name, checked)
        for name, flag in (("transposed", transposed), ("autoplay", autoplay)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, got {flag!r}")
        self.transposed = transposed
        self.autoplay = autoplay
        self.step = nonneg_int(step, "step")
        self.output_padding = nonneg_int(output_padding, "output_padding")
        top = max(self.stride, self.dilation)
        if self.output_padding >= top:
            raise ValueError(
                f"output_padding must be smaller than max(stride, dilation)={top}, "
                f"got {output_padding!r}"
            )
        self.padding_mode = choice(padding_mode, "padding_mode", PADDING_MODES)
        self.in_channels = positive_int(in_channels, "in_channels")
        if self.in_channels > MAX_IN:
            raise ValueError(f"in_channels must be an integer from 1 to {MAX_IN}, "
                             f"got {in_channels!r}")
        self.out_channels = positive_int(out_channels, "out_channels")
        if self.out_channels > MAX_OUT:
            raise ValueError(f"out_channels must be an integer from 1 to {MAX_OUT}, "
                             f"got {out_channels!r}")
        self.seed = nonneg_int(seed, "seed")
        rng = np.random.default_rng(self.seed)
        self.inputs = np.array(_small_ints(rng, 0, 4, (MAX_IN, MAX_N, MAX_N)))
        self.weights = np.array(_small_ints(rng, -1, 1, (MAX_OUT, MAX_IN, MAX_K, MAX_K)))
        self.kernel = kernel
        if kernel is not None:
            if isinstance(kernel, str):
                taps = np.asarray(KERNELS2D[choice(kernel, "kernel", tuple(KERNELS2D))], float)
            else:
                taps = as_array(kernel, "kernel").astype(float)
            if taps.shape != (self.kernel_size, self.kernel_size):
                raise ValueError(
                    f"kernel must be square with side kernel_size={self.kernel_size}, "
                    f"got shape {taps.shape}"
                )
            if not np.all(np.isfinite(taps)):
                raise ValueError(f"kernel must be finite, got {taps.tolist()!r}")
            self.weights[:, :, : self.kernel_size, : self.kernel_size] = taps
        if bias is None:
            biases = [0.0] * MAX_OUT
        elif isinstance(bias, (int, float)) and not isinstance(bias, bool):
            biases = [float(number(bias, "bias").real)] * MAX_OUT
        else:
            items = list(bias)
            if not 1 <= len(items) <= MAX_OUT:
                raise ValueError(f"bias must hold 1 or {MAX_OUT} numbers, got {bias!r}")
            biases = [float(number(b, "bias").real) for b in items]
            biases += [biases[-1]] * (MAX_OUT - len(biases))
        if not all(np.isfinite(biases)):
            raise ValueError(f"bias must be finite, got {bias!r}")
        self.bias = biases

    @property
    def direct_output_size(self) -> int:
        """N_out of the direct convolution, ``⌊(N + 2p − d(K − 1) − 1)/s⌋ + 1`` (0: none)."""
        span = self.dilation * (self.kernel_size - 1) + 1
        return max(0, (self.input_size + 2 * self.padding - span) // self.stride + 1)

    @property
    def transposed_output_size(self) -> int:
        """Output size of the transposed convolution fed the direct one's output."""
        n = self.direct_output_size
        if n < 1:
            return 0
        return ((n - 1) * self.stride - 2 * self.padding
                + self.dilation * (self.kernel_size - 1) + self.output_padding + 1)

    def _data(self) -> dict[str, Any]:
        presets = {name: np.asarray(k, float).tolist() for name, k in KERNELS2D.items()}
        return {"inputs": self.inputs.tolist(), "weights": self.weights.tolist(),
                "bias": self.bias, "presets": presets, "autoplay": self.autoplay,
                "seed": self.seed}

    def _body(self, root_id: str) -> str:
        fields = [
            ("input", "Input size N", self.input_size, LIMITS["input_size"]),
            ("ksize", "Kernel size K", self.kernel_size, LIMITS["kernel_size"]),
            ("padding", "Padding p", self.padding, LIMITS["padding"]),
            ("stride", "Stride s", self.stride, LIMITS["stride"]),
            ("dilation", "Dilation d", self.dilation, LIMITS["dilation"]),
        ]
        controls = "".join(range_field(root_id, name, label, value, lo, hi, 1)
                           for name, label, value, (lo, hi) in fields)
        controls += select_field(root_id, "padmode", "Padding mode",
                                 {m: m for m in PADDING_MODES}, self.padding_mode)
        controls += checkbox_field(root_id, "transposed", "Transposed", self.transposed)
        # The script narrows max to max(s, d) - 1 as stride and dilation move.
        controls += range_field(root_id, "outpad", "Output padding a", self.output_padding,
                                0, max(LIMITS["stride"][1], LIMITS["dilation"][1]) - 1, 1)
        controls += select_field(root_id, "cin", "Input channels",
                                 {str(c): str(c) for c in range(1, MAX_IN + 1)},
                                 str(self.in_channels))
        controls += select_field(root_id, "cout", "Output channels",
                                 {str(c): str(c) for c in range(1, MAX_OUT + 1)},
                                 str(self.out_channels))
        for o in range(MAX_OUT):
            fid = f"{root_id}-bias{o}"
            controls += (
                f'<div class="cdx-field" data-bias-field="{o}"><label for="{fid}">Bias, '
                f'output channel {o}</label><input type="number" id="{fid}" '
                f'data-control="bias{o}" step="any" value="{self.bias[o]:g}"></div>'
            )
        preset_options = {"custom": "(as edited)", "random": "random integers"}
        preset_options.update({name: name.replace("_", " ") for name in KERNELS2D})
        controls += select_field(root_id, "preset", "Kernel preset", preset_options,
                                 self.kernel if isinstance(self.kernel, str) else "custom")
        controls += range_field(root_id, "step", "Step", self.step, 0, 400, 1)
        editor_id = f"{root_id}-cell"
        editor = (
            '<div class="cdx-field cdx-editor">'
            f'<label for="{editor_id}" data-role="cell-label">Click a cell of an input or '
            "kernel grid (or focus the grids and use the arrow keys) to edit its value</label>"
            f'<input type="number" id="{editor_id}" data-control="cell" step="any" disabled>'
            '<button type="button" data-action="random-input">Random input</button></div>'
        )
        return (
            settings(root_id, controls)
            + f"{buttons(root_id, SPEEDS_2D, 2)}"
            '<p class="cdx-formula" data-role="formula" aria-live="polite"></p>'
            '<p class="cdx-caption" data-role="caption" aria-live="polite"></p>'
            '<svg data-panel="grid" role="img" aria-label="input channels with the kernel '
            "window, the kernels as applied and the output channels, with their values; "
            'arrow keys pick a cell to edit, Enter edits it"></svg>'
            f"{editor}"
            '<div class="cdx-arith" data-role="arithmetic" aria-live="polite"></div>'
        )

    def __repr__(self) -> str:
        return (
            f"Explorer2D(input_size={self.input_size}, kernel_size={self.kernel_size}, "
            f"padding={self.padding}, stride={self.stride}, dilation={self.dilation}, "
            f"transposed={self.transposed}, step={self.step}, "
            f"output_padding={self.output_padding}, padding_mode={self.padding_mode!r}, "
            f"in_channels={self.in_channels}, out_channels={self.out_channels})"
        )
