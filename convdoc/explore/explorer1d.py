"""The 1-D explorer: the seed's step/size/sigma sliders, as a static-page widget.

Beyond the seed's sliders it switches between convolution and correlation and
between the boundary rules of :func:`convdoc.convolve`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from convdoc._validate import choice, nonneg_int, positive_int, positive_real
from convdoc.engine import BOUNDARIES
from convdoc.explore._html import HTMLExplorer, buttons, range_field, select_field, settings
from convdoc.filtering import MODES
from convdoc.waveforms import impulse, noisy_sine, sawtooth, square_wave, unit_step

__all__ = ["SIGNALS", "Explorer1D"]

#: Signals offered by :class:`Explorer1D`: name -> (label, generator of ``length`` samples).
SIGNALS: dict[str, tuple[str, Callable[[int, int], np.ndarray]]] = {
    "sawtooth": ("sawtooth", lambda length, period: sawtooth(length, period)),
    "square": ("square wave", lambda length, period: square_wave(length, period)),
    "step": ("unit step", lambda length, period: unit_step(length)),
    "noisy-sine": ("noisy sine", lambda length, period: noisy_sine(length, period, seed=0)),
    "impulse": ("impulse", lambda length, period: impulse(length)),
}
#: Kernels offered by :class:`Explorer1D`. The ramp (taps ``1 ... size`` over their sum) is
#: asymmetric, so it is the one that shows convolution flipping the kernel.
KERNELS = {"gaussian": "Gaussian", "box": "box (moving average)",
           "ramp": "ramp (asymmetric)"}
OPERATIONS = ("convolve", "correlate")
SIZE_RANGE = (1, 51)
#: Playback speeds offered, in steps per second.
SPEEDS_1D = (2, 5, 10, 25, 50)
#: Marks of the drawing and what they mean (the legend under the panels).
LEGEND = (
    ("signal", "input x"),
    ("pad", "cells added by the boundary rule"),
    ("window", "kernel window"),
    ("under", "input values under the taps"),
    ("tap", "taps h as applied"),
    ("product", "products x·h"),
    ("centre", "window centre"),
    ("output", "outputs y so far"),
    ("current", "current output"),
    ("partial", "running sum"),
)
SIGMA_RANGE = (0.1, 10.0)
#: Largest ``length`` :class:`Explorer1D` accepts: every sample of the five signals is
#: embedded in the page as JSON (about 55 bytes of HTML a sample), so 8000 samples keep
#: one explorer near 450 kB, within the page budget.
MAX_LENGTH = 8000


class Explorer1D(HTMLExplorer):
    """Step a 1-D convolution or correlation in the browser.

    The static-page counterpart of the seed notebook's ipywidgets sliders.
    Displaying the object (in a sphinx-gallery example, a MyST-NB page or a
    classic notebook) emits one self-contained ``<div>``: the signals as JSON,
    the controls (signal, kernel, operation, mode, boundary, kernel size,
    sigma, step), and a small script that computes the result itself, as
    :func:`convdoc.convolve` or :func:`convdoc.correlate` do: the input is
    extended by the boundary rule by the cells the mode asks for, and the
    taps (flipped for a convolution) slide over it. It redraws four SVG
    panels with value axes and a legend: the input with its extension and the
    kernel window at its true position, the taps as applied and their
    products, the outputs so far under the centre of their windows, and the
    running sum of the products tap by tap, ending at the current output.
    The current step's products are written out as numbers (a table for up
    to 11 taps, the largest contributions for longer kernels). Play runs the
    steps at a chosen speed. Nothing is fetched from the network.

    JupyterLab does not run scripts in HTML output, so there the explorer
    shows only its controls; use the figures in :mod:`convdoc.plot` instead.

    Parameters
    ----------
    signal : {"sawtooth", "square", "step", "noisy-sine", "impulse"}, default "sawtooth"
        Signal selected first (all five are embedded and can be switched).
    kernel : {"gaussian", "box", "ramp"}, default "gaussian"
        Kernel selected first. ``"ramp"`` (taps proportional to
        ``1, 2, ..., size``, summing to 1) is asymmetric: pick it to see the
        difference between convolution and correlation.
    size : int, default 21
        Kernel size, 1 to 51 (even sizes show where ``"same"`` puts the
        extra padding cell).
    sigma : float, default 3.0
        Width of the Gaussian (0.1 to 10); it sets the bell's width, not its
        height, since the kernel sums to 1.
    mode : {"full", "same", "valid"}, default "valid"
        Output size, as in :func:`scipy.signal.convolve`.
    step : int, default 0
        Step shown first (clipped to the number of outputs).
    operation : {"convolve", "correlate"}, default "convolve"
        Slide the flipped kernel (:func:`convdoc.convolve`) or the kernel as
        given (:func:`convdoc.correlate`).
    boundary : {"constant", "edge", "reflect", "symmetric", "wrap"}, default "constant"
        How the input is extended in ``"full"`` and ``"same"`` modes, as the
        :func:`numpy.pad` mode of the same name (``"constant"`` pads with
        zeros). ``"valid"`` mode adds no cells, so there it changes nothing.
    length : int, default 200
        Samples per signal, 1 to ``MAX_LENGTH`` = 8000 (every sample is
        embedded in the page); ``size`` may not exceed it.
    period : int, default 50
        Period of the periodic signals (>= 2 samples).

    Raises
    ------
    TypeError, ValueError
        If a parameter has the wrong type or is out of range; the message
        names the parameter and the value.

    Examples
    --------
    >>> from convdoc.explore import Explorer1D
    >>> html = Explorer1D(size=11, sigma=2.0)._repr_html_()
    >>> html.startswith('<div class="convdoc-explorer"')
    True
    >>> e = Explorer1D(kernel="ramp", size=4, mode="same", operation="correlate",
    ...                boundary="wrap")
    >>> 'data-control="boundary"' in e.to_html(), e.operation, e.boundary
    (True, 'correlate', 'wrap')
    """

    _kind = "1d"
    _heading = "1-D convolution explorer"

    def __init__(
        self,
        signal: str = "sawtooth",
        kernel: str = "gaussian",
        size: int = 21,
        sigma: float = 3.0,
        mode: str = "valid",
        step: int = 0,
        *,
        operation: str = "convolve",
        boundary: str = "constant",
        length: int = 200,
        period: int = 50,
    ) -> None:
        self.signal = choice(signal, "signal", tuple(SIGNALS))
        self.kernel = choice(kernel, "kernel", tuple(KERNELS))
        self.mode = choice(mode, "mode", MODES)
        self.operation = choice(operation, "operation", OPERATIONS)
        self.boundary = choice(boundary, "boundary", BOUNDARIES)
        self.length = positive_int(length, "length")
        if self.length > MAX_LENGTH:
            raise ValueError(
                f"length must be an integer from 1 to {MAX_LENGTH} (every sample is embedded "
                f"in the page, about 55 bytes each), got {length!r}"
            )
        self.period = positive_int(period, "period")
        if self.period < 2:
            raise ValueError(f"period must be at least 2 samples, got {period!r}")
        self.size = positive_int(size, "size")
        if self.size > SIZE_RANGE[1]:
            raise ValueError(f"size must be an integer from 1 to {SIZE_RANGE[1]}, got {size!r}")
        if self.size > self.length:
            raise ValueError(f"size must not exceed length={self.length}, got {size!r}")
        self.sigma = positive_real(sigma, "sigma")
        if not SIGMA_RANGE[0] <= self.sigma <= SIGMA_RANGE[1]:
            raise ValueError(
                f"sigma must be between {SIGMA_RANGE[0]} and {SIGMA_RANGE[1]}, got {sigma!r}"
            )
        self.step = nonneg_int(step, "step")

    @property
    def max_size(self) -> int:
        """Largest kernel size the slider offers: at most 51 and at most ``length``."""
        return min(SIZE_RANGE[1], self.length)

    def signals(self) -> dict[str, np.ndarray]:
        """The embedded signals, computed by :mod:`convdoc.waveforms`.

        Returns
        -------
        dict of str to numpy.ndarray
            Signal name -> ``length`` samples.
        """
        return {
            name: np.asarray(make(self.length, self.period), dtype=float)
            for name, (_, make) in SIGNALS.items()
        }

    def _data(self) -> dict[str, Any]:
        return {
            "signals": {name: values.tolist() for name, values in self.signals().items()},
        }

    def _body(self, root_id: str) -> str:
        controls = "".join([
            select_field(root_id, "signal", "Signal",
                         {name: label for name, (label, _) in SIGNALS.items()}, self.signal),
            select_field(root_id, "kernel", "Kernel", KERNELS, self.kernel),
            select_field(root_id, "operation", "Operation", {o: o for o in OPERATIONS},
                         self.operation),
            select_field(root_id, "mode", "Mode", {m: m for m in MODES}, self.mode),
            select_field(root_id, "boundary", "Boundary", {b: b for b in BOUNDARIES},
                         self.boundary),
            range_field(root_id, "size", "Kernel size", self.size, SIZE_RANGE[0],
                        self.max_size, 1),
            range_field(root_id, "sigma", "Sigma", self.sigma, SIGMA_RANGE[0], SIGMA_RANGE[1],
                        0.1),
            # The script sets max to the number of outputs once it knows them.
            range_field(root_id, "step", "Step", self.step, 0, self.length * 2, 1),
        ])
        panels = "".join(
            f'<svg data-panel="{name}" viewBox="0 0 640 {height}" width="640" '
            f'height="{height}" role="img" aria-label="{label}"></svg>'
            for name, label, height in (
                ("input", "input signal with the kernel window", 130),
                ("kernel", "kernel taps at their input positions and the products", 130),
                ("output", "outputs so far, under the centres of their windows", 130),
                ("sum", "running sum of the products, tap by tap, ending at the output", 110),
            )
        )
        legend = "".join(
            f'<li><svg class="cdx-key" viewBox="0 0 20 12" width="20" height="12" '
            f'aria-hidden="true" data-key="{key}"></svg>{text}</li>'
            for key, text in LEGEND
        )
        return (
            settings(root_id, controls)
            + f"{buttons(root_id, SPEEDS_1D, 10)}"
            '<p class="cdx-caption" data-role="caption" aria-live="polite"></p>'
            f"{panels}"
            f'<ul class="cdx-legend" aria-label="legend">{legend}</ul>'
            '<div class="cdx-products" data-role="products" aria-live="polite"></div>'
        )

    def __repr__(self) -> str:
        return (
            f"Explorer1D(signal={self.signal!r}, kernel={self.kernel!r}, size={self.size}, "
            f"sigma={self.sigma}, mode={self.mode!r}, step={self.step}, "
            f"operation={self.operation!r}, boundary={self.boundary!r})"
        )
