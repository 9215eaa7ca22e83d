"""The 2-D explorer: convolution arithmetic (size, padding, stride, dilation, transposed)."""

from __future__ import annotations

from convdoc._validate import nonneg_int, positive_int
from convdoc.explore._html import HTMLExplorer, buttons, checkbox_field, range_field

__all__ = ["Explorer2D"]

LIMITS = {"input_size": (1, 10), "kernel_size": (1, 5), "padding": (0, 4), "stride": (1, 4),
          "dilation": (1, 3)}


class Explorer2D(HTMLExplorer):
    """Convolution arithmetic in the browser: grids, window and output-size formula.

    In the style of Dumoulin & Visin's animations: a square input (padding
    dashed; for a transposed convolution the zero-inserted input of the
    equivalent direct convolution, inserted zeros dotted), the kernel window
    (hatched taps and an outline), and the output filling up to the current
    step. Sliders set the input size, kernel size, padding, stride and
    dilation, a checkbox switches to the transposed convolution, and the
    output-size formula is shown with the numbers filled in. The geometry is
    that of :func:`convdoc.steps` with ``operation="conv"`` or
    ``"conv_transpose"``.

    JupyterLab does not run scripts in HTML output; use
    :class:`convdoc.plot.GridFigure2D` there.

    Parameters
    ----------
    input_size : int, default 5
        Side of the square input, 1 to 10.
    kernel_size : int, default 3
        Side of the square kernel, 1 to 5.
    padding : int, default 0
        Zero padding on every side, 0 to 4.
    stride : int, default 1
        1 to 4.
    dilation : int, default 1
        1 to 3.
    transposed : bool, default False
        Start with the transposed convolution.
    step : int, default 0
        Step shown first (clipped to the number of outputs).

    Raises
    ------
    TypeError, ValueError
        If a parameter has the wrong type or is outside its slider's range.

    Examples
    --------
    >>> from convdoc.explore import Explorer2D
    >>> "data-control=\\"stride\\"" in Explorer2D(stride=2)._repr_html_()
    True
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
    ) -> None:
        values = {"input_size": input_size, "kernel_size": kernel_size, "padding": padding,
                  "stride": stride, "dilation": dilation}
        for name, value in values.items():
            lo, hi = LIMITS[name]
            checked = nonneg_int(value, name) if lo == 0 else positive_int(value, name)
            if not lo <= checked <= hi:
                raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
            setattr(self, name, checked)
        if not isinstance(transposed, bool):
            raise TypeError(f"transposed must be True or False, got {transposed!r}")
        self.transposed = transposed
        self.step = nonneg_int(step, "step")


    def _body(self, root_id: str) -> str:
        fields = [
            ("input", "Input size", self.input_size, LIMITS["input_size"]),
            ("ksize", "Kernel size", self.kernel_size, LIMITS["kernel_size"]),
            ("padding", "Padding", self.padding, LIMITS["padding"]),
            ("stride", "Stride", self.stride, LIMITS["stride"]),
            ("dilation", "Dilation", self.dilation, LIMITS["dilation"]),
        ]
        controls = "".join(range_field(root_id, name, label, value, lo, hi, 1)
                           for name, label, value, (lo, hi) in fields)
        controls += checkbox_field(root_id, "transposed", "Transposed", self.transposed)
        controls += range_field(root_id, "step", "Step", self.step, 0, 400, 1)
        return (
            f'<div class="cdx-controls">{controls}</div>{buttons()}'
            '<p class="cdx-formula" data-role="formula" aria-live="polite"></p>'
            '<p class="cdx-caption" data-role="caption" aria-live="polite"></p>'
            '<svg data-panel="grid" role="img" aria-label="input grid with the kernel window '
            'and the output grid"></svg>'
        )

    def __repr__(self) -> str:
        return (
            f"Explorer2D(input_size={self.input_size}, kernel_size={self.kernel_size}, "
            f"padding={self.padding}, stride={self.stride}, dilation={self.dilation}, "
            f"transposed={self.transposed}, step={self.step})"
        )
