"""
Padding and stride
==================

The general case: padding :math:`p` enlarges the input to :math:`N + 2p`,
and stride :math:`s` keeps every :math:`s`-th window position:

.. math::

   N_\\text{out} = \\left\\lfloor \\frac{N + 2p - K}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel on a 5 x 5 input with padding 1 and stride 2 gives a
3 x 3 output: the padding lets the window start and end centred on the
corner cells.
"""

# %%
# The direct convolution
# ----------------------

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K, p, s = 5, 3, 1, 2
rng = np.random.default_rng(5)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, padding=p, stride=s)
print(f"N_out = floor(({N} + 2·{p} - {K}) / {s}) + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", padding=p, stride=s)
fig = GridFigure2D(trace, 4)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == (N + 2 * p - K) // s + 1
assert (N, K, p, s, N_out) == (5, 3, 1, 2, 3)  # the sizes in the text above
np.testing.assert_allclose(trace.output,
                           signal.correlate2d(np.pad(x, p), h, mode="valid")[::s, ::s])
# sphinx_gallery_end_ignore

# %%
# Output :math:`(r, c)` is centred on input :math:`(2r, 2c)`. The nine window
# centres are the four corners, the four edge midpoints and the centre of the
# input.

strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)
centres = [tuple(int(c) for c in step.center) for step in trace]
print("window centres:", centres)

# sphinx_gallery_start_ignore
assert s == 2  # the text's (2r, 2c)
assert centres == [(s * r, s * c) for r, c in (step.out_index for step in trace)]
last, mid = N - 1, (N - 1) // 2
corners = {(0, 0), (0, last), (last, 0), (last, last)}
midpoints = {(0, mid), (mid, 0), (mid, last), (last, mid)}
assert set(centres) == corners | midpoints | {(mid, mid)} and len(centres) == 9
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# Back from 3 x 3 to 5 x 5: one zero inserted between cells (:math:`s - 1`),
# padding :math:`K - p - 1 = 1`, unit steps of the flipped kernel:
#
# .. math::
#
#    N = (N_\text{out} - 1)\, s - 2p + (K - 1) + 1.

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", stride=s, padding=p)
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"zeros inserted: {trace_t.upsample[0] - 1} between cells; "
      f"padding {trace_t.pad[0][0]}")
fig_t = GridFigure2D(trace_t, 6)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K, stride=s, padding=p) == N
assert (N_out - 1) * s - 2 * p + (K - 1) + 1 == N
# The text's "one zero" (s - 1) and "K - p - 1 = 1", and 3 x 3 back to 5 x 5.
assert trace_t.upsample[0] - 1 == s - 1 == 1
assert trace_t.pad[0] == (K - p - 1, K - p - 1) == (1, 1)
assert (N_out, N) == (3, 5)
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, padding=p, stride=s).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same numbers in the page; set the input size to 6 and
# the output stays 3 x 3, the floor in the formula at work. Tick
# *Transposed* to see the 3 x 3 output taken back to the input size; with
# input size 6 it comes back as 5 x 5 unless the output padding
# :math:`a` is set to 1 (the next example).

Explorer2D(input_size=N, kernel_size=K, padding=p, stride=s)
