"""
Dilated convolution
===================

A dilated ("atrous") convolution spreads the kernel's taps :math:`d` cells
apart, so a 3 x 3 kernel with dilation 2 covers a 5 x 5 patch while still
having nine weights. The kernel then spans :math:`d(K - 1) + 1` cells, and

.. math::

   N_\\text{out} = \\left\\lfloor \\frac{N + 2p - d(K - 1) - 1}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel with dilation 2 on a 7 x 7 input, no padding, stride 1:
a 3 x 3 output, each output seeing a 5 x 5 region.
"""

# %%
# The direct convolution
# ----------------------
# The taps (hatched squares) sit on every other cell; the outline marks the
# 5 x 5 region they span.

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K, d = 7, 3, 2
rng = np.random.default_rng(7)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

span = d * (K - 1) + 1
N_out = convdoc.output_size(N, K, dilation=d)
print(f"span d(K - 1) + 1 = {d}·({K} - 1) + 1 = {span}")
print(f"N_out = ({N} - {span}) + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", dilation=d)
fig = GridFigure2D(trace, 4)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == N - span + 1
# The docstring's numbers: 7 x 7 input, nine weights, a 5 x 5 patch, a 3 x 3 output.
assert (N, K * K, span, N_out) == (7, 9, 5, 3)
# Oracle: a dense span x span kernel with zeros between the taps.
h_dense = np.zeros((span, span))
h_dense[::d, ::d] = h
np.testing.assert_allclose(trace.output, signal.correlate2d(x, h_dense, mode="valid"))
# sphinx_gallery_end_ignore

# %%
# The window columns of the first two steps: taps two apart, moving one cell.

strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)
print("step 0 columns:", trace[0].window[1], " step 1 columns:", trace[1].window[1])

# sphinx_gallery_start_ignore
assert np.all(np.diff(trace[0].window[1]) == 2)  # "taps two apart"
assert np.all(trace[1].window[1] - trace[0].window[1] == 1)  # "moving one cell"
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Change the dilation, the padding and the stride, and see the formula and
# the grids follow. Dilation together with padding :math:`p = d` keeps a
# 3 x 3 kernel's output the size of its input.

# sphinx_gallery_start_ignore
assert convdoc.output_size(N, K, padding=d, dilation=d) == N
# sphinx_gallery_end_ignore

Explorer2D(input_size=N, kernel_size=K, dilation=d)
