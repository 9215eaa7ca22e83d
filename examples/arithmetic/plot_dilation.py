"""
Dilated convolution
===================

A dilated ("atrous") convolution spreads the kernel's taps :math:`d` cells
apart, so a 3 x 3 kernel with dilation 2 covers a 5 x 5 patch while still
having nine weights. The effective kernel size is
:math:`\\hat k = k + (k - 1)(d - 1)`, and

.. math::

   o = \\left\\lfloor \\frac{i + 2p - \\hat k}{s} \\right\\rfloor + 1
     = \\left\\lfloor \\frac{i + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel with dilation 2 on a 7 x 7 input, no padding, stride 1:
a 3 x 3 output, each output seeing a 5 x 5 region.
"""

# %%
# The direct convolution
# ----------------------
# The taps (hatched squares) sit on every other cell; the outline marks the
# 5 x 5 region they span.

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

i, k, d = 7, 3, 2
rng = np.random.default_rng(7)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

k_hat = k + (k - 1) * (d - 1)
o = convdoc.output_size(i, k, dilation=d)
print(f"k^ = {k} + ({k} - 1)·({d} - 1) = {k_hat}")
print(f"o = ({i} - {k_hat}) + 1 = {i - k_hat + 1}; convdoc.output_size gives {o}")
assert o == i - k_hat + 1
# The docstring's numbers: 7 x 7 input, nine weights, a 5 x 5 patch, a 3 x 3 output.
assert (i, k * k, k_hat, o) == (7, 9, 5, 3)

trace = convdoc.steps(x, w, operation="conv", dilation=d)
fig = GridFigure2D(trace, 4)

# Oracle: a dense k^ x k^ kernel with zeros between the taps.
w_dense = np.zeros((k_hat, k_hat))
w_dense[::d, ::d] = w
np.testing.assert_allclose(trace.output, signal.correlate2d(x, w_dense, mode="valid"))

# %%
# The window columns of the first two steps: taps two apart, moving one cell.

strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)
print("step 0 columns:", trace[0].window[1], " step 1 columns:", trace[1].window[1])
assert np.all(np.diff(trace[0].window[1]) == 2)  # "taps two apart"
assert np.all(trace[1].window[1] - trace[0].window[1] == 1)  # "moving one cell"

# %%
# Try other sizes
# ---------------
# Change the dilation, the padding and the stride, and see the formula and
# the grids follow. Dilation together with padding :math:`p = d` keeps a
# 3 x 3 kernel's output the size of its input.

assert convdoc.output_size(i, k, padding=d, dilation=d) == i
Explorer2D(input_size=i, kernel_size=k, dilation=d)
