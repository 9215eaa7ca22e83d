"""
Smoothing a sawtooth with a Gaussian, one step at a time
========================================================

A sawtooth wave of 200 samples (period 50) is convolved with a 21-tap
Gaussian kernel (:math:`\\sigma = 3`) in *valid* mode, where every output uses
only real samples:

.. math::

   y[n] = \\sum_{m=0}^{k-1} x[n + m]\\, g[k - 1 - m],
   \\qquad n = 0, \\dots, N - k,

with :math:`N = 200` input samples and :math:`k = 21` taps. Each output is a
weighted average of 21 neighbouring samples, so the sharp drops of the
sawtooth turn into smooth ramps while the straight rising parts pass through
almost unchanged.

The page follows one output from start to finish: where the kernel sits when
it is computed, what the kernel's two parameters really do, and how to explore
and save the figure.
"""

# %%
# The signal and the kernel
# -------------------------
# :func:`convdoc.sawtooth` returns exactly ``length`` samples, each period a
# ramp from -1 to 1. (Tiling one period ``length // period`` times would
# silently drop the tail whenever the length is not a multiple of the period.)
# :func:`convdoc.gaussian_kernel` places its taps at offsets -10 ... 10 and
# normalizes them to sum to 1, so smoothing a constant leaves it unchanged.

import contextlib
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import StepFigure1D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

x = convdoc.sawtooth(200, 50)
g = convdoc.gaussian_kernel(21, 3.0)
print(f"signal: {x.size} samples; kernel: {g.size} taps summing to {g.sum():.6f}")
# The numbers in the text: N = 200, k = 21, each period a ramp from -1 to 1,
# taps at offsets -10 ... 10 (g.size // 2 on either side of the centre).
assert (x.size, g.size, g.size // 2) == (200, 21, 10)
assert (x.min(), x.max()) == (-1.0, 1.0)
tiled = np.tile(np.linspace(-1, 1, 50), 210 // 50)
print(f"sawtooth(210, 50) has {convdoc.sawtooth(210, 50).size} samples, "
      f"np.tile(ramp, 210 // 50) only {tiled.size}")

# %%
# How many outputs?
# -----------------
# The kernel fits entirely inside the signal at :math:`N - k + 1` positions.

y = convdoc.convolve(x, g, mode="valid")
print(f"valid outputs: {x.size} - {g.size} + 1 = {x.size - g.size + 1}, "
      f"computed: {y.size}")
assert y.size == x.size - g.size + 1
np.testing.assert_allclose(y, np.convolve(x, g, mode="valid"), atol=1e-12)

# %%
# Where the kernel sits at step 40
# --------------------------------
# :func:`convdoc.steps` records the computation one output at a time. The
# top panel shows the input with the window at its true position, the middle
# one the taps (flipped, as a convolution applies them; the Gaussian is
# symmetric so it looks the same) with their products, the bottom one the
# outputs so far, each drawn under the centre of the window that made it.

trace = convdoc.steps(x, g, mode="valid")
n = 40  # the step in the heading above
step = trace[n]
fig = StepFigure1D(trace, n, label="valid")

lo, hi = int(step.input_index[0][0]), int(step.input_index[0][-1])
print(f"output {n} covers inputs {lo}..{hi}, centred on {step.center[0]:g}")
assert (lo, hi, step.center[0]) == (n, n + g.size - 1, n + g.size // 2)
assert np.isclose(step.total, y[n])

# %%
# A common mistake is to draw the kernel *starting* at input :math:`n` and
# call that its centre. In valid mode output :math:`n` is centred on input
# :math:`n + k // 2` (here :math:`n + 10`), which is why the smoothed curve
# in the bottom panel lines up with the ramps above it instead of lagging
# ten samples behind.
#
# The first and last steps show the window at both ends of the signal: it
# never leaves the real samples, so the centres of the outputs stop
# :math:`k // 2` samples short of either end.

strip = filmstrip(trace, [0, 89, len(trace) - 1], label="valid")
first, last = trace[0].center[0], trace[len(trace) - 1].center[0]
print(f"{len(trace)} steps; centres run from input {first:g} to input {last:g}")
assert (first, last) == (g.size // 2, x.size - 1 - g.size // 2)
assert g.size // 2 == 10  # the text's "n + 10" and "ten samples behind"

# %%
# Sigma sets the width, not the height
# ------------------------------------
# Because the taps always sum to 1, a larger :math:`\sigma` spreads the same
# total weight over more samples: the bell gets wider *and* lower. The
# standard deviation of the taps (treated as weights over their offsets)
# matches :math:`\sigma` until the 21 taps cut the bell's tails off.

offsets = np.arange(g.size) - g.size // 2
fig_k, ax = plt.subplots(figsize=(6.4, 2.8), layout="constrained")
for s in (1.0, 2.0, 3.0, 5.0):
    taps = convdoc.gaussian_kernel(g.size, s)
    spread = np.sqrt(np.sum(taps * offsets**2))
    print(f"sigma {s:3.1f}: peak {taps.max():.4f}, sum {taps.sum():.4f}, "
          f"std of the taps {spread:.3f}")
    ax.plot(offsets, taps, "o-", ms=3, label=f"σ = {s:g}, peak {taps.max():.3f}")
ax.set_xlabel("tap offset")
ax.set_ylabel("weight")
ax.set_title(f"gaussian_kernel({g.size}, σ): same area, wider means lower")
ax.legend(fontsize="small")

# %%
# Kernel size and sigma together
# ------------------------------
# Rows vary the number of taps, columns the Gaussian's :math:`\sigma`; each
# panel draws the valid-mode output (green) over the input (grey), every
# output at the centre of its window as recorded by the trace. With few taps
# a large :math:`\sigma` cannot take effect: 5 taps with :math:`\sigma = 8`
# are almost a 5-tap moving average. With enough taps, :math:`\sigma` alone
# decides how much the drops are rounded off.

sizes, sigmas = (5, 21, 51), (1.0, 3.0, 8.0)
fig_grid, axes = plt.subplots(len(sizes), len(sigmas), figsize=(8, 5.2), sharex=True,
                              sharey=True, layout="constrained")
for row, size in enumerate(sizes):
    for col, s in enumerate(sigmas):
        small = convdoc.steps(x, convdoc.gaussian_kernel(size, s), mode="valid")
        centres = [st.center[0] for st in small]
        ax = axes[row, col]
        ax.plot(x, color="0.75", lw=1)
        ax.plot(centres, small.output, color="#009E73", lw=1.5)
        ax.set_title(f"size {size}, σ = {s:g}: {small.output.size} outputs",
                     fontsize="small")
assert sizes[0] == 5 and sigmas[-1] == 8.0  # the panel the text describes
box_gap = np.abs(convdoc.gaussian_kernel(5, 8.0) - convdoc.box_kernel(5)).max()
print(f"5 taps, sigma 8 vs a 5-tap moving average: {box_gap:.4f} apart at most")
assert box_gap < 0.01
fig_grid.suptitle("Valid-mode output over the input: kernel size (rows), σ (columns)")

# %%
# Explore it
# ----------
# The seed notebook used three ``ipywidgets`` sliders, which need a running
# Python kernel. This explorer runs in the page itself: move the step, the
# kernel size and :math:`\sigma`, or switch the signal, the kernel and the
# mode. The window is drawn where the outputs really come from.

Explorer1D(signal="sawtooth", kernel="gaussian", size=21, sigma=3.0, mode="valid",
           step=n)

# %%
# Save the figure
# ---------------
# Every convdoc figure saves to SVG, PNG or PDF by extension, and to an
# animated GIF of the steps with ``.gif``. Without writing Python, the same
# figure comes from the command line::
#
#     python -m convdoc render --signal sawtooth --length 200 --period 50 \
#         --kernel gaussian --size 21 --sigma 3 --mode valid --step 40 -o sawtooth.svg
#
# Here both write into a temporary folder.

from convdoc.__main__ import main as convdoc_cli

with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
    svg = fig.save("sawtooth.svg")
    print(f"fig.save wrote {svg} ({svg.stat().st_size // 1024} KiB)")
    convdoc_cli(["render", "--signal", "sawtooth", "--length", "200",
                 "--period", "50", "--kernel", "gaussian", "--size", "21",
                 "--sigma", "3", "--mode", "valid", "--step", str(n),
                 "-o", "sawtooth_cli.svg"])
    assert Path("sawtooth_cli.svg").stat().st_size > 0

plt.show()
