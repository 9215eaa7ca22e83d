"""
Smoothing a sawtooth with a Gaussian, one step at a time
========================================================

A sawtooth wave :math:`x` of :math:`N = 200` samples (period 50) is convolved
with a Gaussian kernel :math:`h` of :math:`K = 21` taps and width
:math:`\\sigma = 3` samples, in *valid* mode, where every output uses only real
samples:

.. math::

   y[n] = \\sum_{m=0}^{K-1} x[n + K - 1 - m]\\, h[m],
   \\qquad n = 0, \\dots, N - K.

Each output is a weighted average of 21 neighbouring samples, so the sharp
drops of the sawtooth turn into smooth ramps while the straight rising parts
pass through almost unchanged.

The page follows one output from start to finish: where the kernel sits when
it is computed, what the kernel's two parameters really do, and how to explore
and save the figure.
"""

# %%
# The signal and the kernel
# -------------------------
# :func:`convdoc.sawtooth` returns exactly ``length`` samples, each period a
# ramp from -1 to 1. :func:`convdoc.gaussian_kernel` places its taps at
# offsets -10 ... 10 and normalizes them to sum to 1, so smoothing a constant
# leaves it unchanged.

import matplotlib.pyplot as plt
import numpy as np

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import StepFigure1D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

x = convdoc.sawtooth(200, 50)
h = convdoc.gaussian_kernel(21, 3.0)
N, K = x.size, h.size
print(f"signal: {N} samples; kernel: {K} taps summing to {h.sum():.6f}")

# sphinx_gallery_start_ignore
# The numbers in the text: N = 200, K = 21, each period a ramp from -1 to 1,
# taps at offsets -10 ... 10 (K // 2 on either side of the centre).
assert (N, K, K // 2) == (200, 21, 10)
assert (x.min(), x.max()) == (-1.0, 1.0)
# sphinx_gallery_end_ignore

# %%
# Where the kernel sits at step 40
# --------------------------------
# The kernel fits entirely inside the signal at :math:`N - K + 1` positions.
# :func:`convdoc.steps` records the computation one output at a time. The
# top panel shows the input with the window at its true position, the middle
# one the taps (flipped, as a convolution applies them; the Gaussian is
# symmetric so it looks the same) with their products, the bottom one the
# outputs so far, each drawn under the centre of the window that made it.

trace = convdoc.steps(x, h, mode="valid")
n = 40  # the step in the heading above
step = trace[n]
fig = StepFigure1D(trace, n, label="valid")

lo, hi = int(step.input_index[0][0]), int(step.input_index[0][-1])
print(f"{len(trace)} outputs; output {n} covers inputs {lo}..{hi}, "
      f"centred on {step.center[0]:g}")

# sphinx_gallery_start_ignore
y = convdoc.convolve(x, h, mode="valid")
assert len(trace) == y.size == N - K + 1
np.testing.assert_allclose(y, np.convolve(x, h, mode="valid"), atol=1e-12)
assert (lo, hi, step.center[0]) == (n, n + K - 1, n + K // 2)
assert np.isclose(step.total, y[n])
# sphinx_gallery_end_ignore

# %%
# A common mistake is to draw the kernel *starting* at input :math:`n` and
# call that its centre. In valid mode output :math:`n` is centred on input
# :math:`n + K // 2` (here :math:`n + 10`). Plotted from index 0, as
# ``plt.plot(y)`` would, the smoothed curve therefore runs :math:`K // 2`
# samples *ahead* of the input (shifted left); drawn at the window centres, as
# in the bottom panel, it lines up with the ramps. The shift can be measured:
# slide the output along the input and find where the ramps agree.

y = trace.output
mismatch = [np.median(np.abs(y - x[lag:lag + y.size])) for lag in range(K)]
ahead = int(np.argmin(mismatch))
print(f"plotted from 0, the output matches the input {ahead} samples later: "
      f"it runs {ahead} samples ahead")

# sphinx_gallery_start_ignore
assert ahead == K // 2 == 10  # the text's "K // 2" and "n + 10"
# sphinx_gallery_end_ignore

# %%
# The first and last steps show the window at both ends of the signal: it
# never leaves the real samples, so the centres of the outputs stop
# :math:`K // 2` samples short of either end.

strip = filmstrip(trace, [0, 89, len(trace) - 1], label="valid")

# sphinx_gallery_start_ignore
first, last = trace[0].center[0], trace[len(trace) - 1].center[0]
assert (first, last) == (K // 2, N - 1 - K // 2)
# sphinx_gallery_end_ignore

# %%
# Sigma sets the width, not the height
# ------------------------------------
# :math:`\\sigma` is the Gaussian's standard deviation in samples. Because the
# taps always sum to 1, a larger :math:`\\sigma` spreads the same total weight
# over more samples: the bell gets wider *and* lower. The standard deviation
# of the taps (treated as weights over their offsets) matches :math:`\\sigma`
# until the 21 taps cut the bell's tails off.

offsets = np.arange(K) - K // 2
fig_k, ax = plt.subplots(figsize=(6.4, 2.8), layout="constrained")
for sigma in (1.0, 2.0, 3.0, 5.0):
    taps = convdoc.gaussian_kernel(K, sigma)
    spread = np.sqrt(np.sum(taps * offsets**2))
    print(f"sigma {sigma:3.1f}: peak {taps.max():.4f}, std of the taps {spread:.3f}")
    ax.plot(offsets, taps, "o-", ms=3, label=f"σ = {sigma:g}, peak {taps.max():.3f}")
ax.set_xlabel("tap offset m - K//2")
ax.set_ylabel("weight")
ax.set_title(f"gaussian_kernel({K}, σ): same area, wider means lower")
ax.legend(fontsize="small")

# %%
# Kernel size and sigma together
# ------------------------------
# Rows vary the number of taps, columns :math:`\\sigma`; each panel draws the
# valid-mode output (green) over the input (grey), every output at the centre
# of its window. With few taps a large :math:`\\sigma` cannot take effect: 5
# taps with :math:`\\sigma = 8` are almost a 5-tap moving average. With enough
# taps, :math:`\\sigma` alone decides how much the drops are rounded off.

sizes, sigmas = (5, 21, 51), (1.0, 3.0, 8.0)
fig_grid, axes = plt.subplots(len(sizes), len(sigmas), figsize=(8, 5.2), sharex=True,
                              sharey=True, layout="constrained")
for row, size in enumerate(sizes):
    for col, sigma in enumerate(sigmas):
        small = convdoc.steps(x, convdoc.gaussian_kernel(size, sigma), mode="valid")
        centres = [st.center[0] for st in small]
        ax = axes[row, col]
        ax.plot(x, color="0.75", lw=1)
        ax.plot(centres, small.output, color="#009E73", lw=1.5)
        ax.set_title(f"K = {size}, σ = {sigma:g}: {small.output.size} outputs",
                     fontsize="small")
fig_grid.suptitle("Valid-mode output over the input: kernel size (rows), σ (columns)")

# sphinx_gallery_start_ignore
assert sizes[0] == 5 and sigmas[-1] == 8.0  # the panel the text describes
box_gap = np.abs(convdoc.gaussian_kernel(5, 8.0) - convdoc.box_kernel(5)).max()
assert box_gap < 0.01
# sphinx_gallery_end_ignore

# %%
# Explore it
# ----------
# The seed notebook used three ``ipywidgets`` sliders, which need a running
# Python kernel. This explorer runs in the page itself: move the step, the
# kernel size and :math:`\\sigma`, or switch the signal, the kernel and the
# mode. The window is drawn where the outputs really come from.

Explorer1D(signal="sawtooth", kernel="gaussian", size=K, sigma=3.0, mode="valid",
           step=n)

# %%
# Save the figure
# ---------------
# Every convdoc figure saves to SVG, PNG or PDF by extension, and to an
# animated GIF of the steps with ``.gif``:

svg = fig.save("sawtooth.svg")

# %%
# Without writing Python, the same figure comes from the command line:
#
# .. code-block:: console
#
#     $ python -m convdoc render --signal sawtooth --length 200 --period 50 \
#         --kernel gaussian --size 21 --sigma 3 --mode valid --step 40 -o sawtooth.svg

# sphinx_gallery_start_ignore
# Both ways run at build time, in a temporary folder (the file above is moved
# there too, so the build leaves nothing behind).
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as tmp:
    shutil.move(svg, Path(tmp) / "sawtooth.svg")
    subprocess.run([sys.executable, "-m", "convdoc", "render", "--signal", "sawtooth",
                    "--length", "200", "--period", "50", "--kernel", "gaussian",
                    "--size", "21", "--sigma", "3", "--mode", "valid", "--step", str(n),
                    "-o", "sawtooth.svg"], cwd=tmp, check=True, capture_output=True)
    assert (Path(tmp) / "sawtooth.svg").stat().st_size > 0
# sphinx_gallery_end_ignore

plt.show()
