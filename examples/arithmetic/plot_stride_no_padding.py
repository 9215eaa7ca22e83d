"""
Stride, no padding
==================

With stride :math:`s` the window jumps :math:`s` cells between neighbouring
outputs, so only every :math:`s`-th of the :math:`(N - K) + 1` positions is
used:

.. math::

   N_\\text{out} = \\left\\lfloor \\frac{N - K}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel on a 5 x 5 input with stride 2 gives a 2 x 2 output.
The transposed convolution, which maps the 2 x 2 output shape back to 5 x 5,
is where zeros get *inserted* between the input cells.
"""

# %%
# The direct convolution
# ----------------------
# Between neighbouring steps the window moves two cells; the middle row and
# column are shared by both windows on each axis.

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K, s = 5, 3, 2
rng = np.random.default_rng(4)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, stride=s)
print(f"N_out = floor(({N} - {K}) / {s}) + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", stride=s)
fig = GridFigure2D(trace, 1)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == (N - K) // s + 1
assert (N, K, s, N_out) == (5, 3, 2, 2)  # the sizes in the text above
# Stride s keeps every s-th output of the stride-1 convolution.
np.testing.assert_allclose(trace.output, signal.correlate2d(x, h, mode="valid")[::s, ::s])
# sphinx_gallery_end_ignore

# %%

strip = filmstrip(trace, range(len(trace)), numbers=False)
print("window columns at steps 0 and 1:", trace[0].window[1], trace[1].window[1])

# sphinx_gallery_start_ignore
# "moves two cells" and "the middle row and column are shared".
assert trace[1].window[1][0] - trace[0].window[1][0] == 2
assert np.intersect1d(trace[0].window[1], trace[1].window[1]).tolist() == [N // 2]
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# The transposed convolution of stride :math:`s` inserts :math:`s - 1` zeros
# between neighbouring input cells (dotted, cross-hatched), pads by
# :math:`K - 1 = 2`, and slides the flipped kernel one cell at a time:
#
# .. math::
#
#    N = (N_\text{out} - 1)\, s + (K - 1) + 1.

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", stride=s)
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"zeros inserted: {trace_t.upsample[0] - 1} between cells; "
      f"padding {trace_t.pad[0][0]}; the window moves by {trace_t.stride[0]}")
fig_t = GridFigure2D(trace_t, 6)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K, stride=s) == (N_out - 1) * s + K == N
assert trace_t.pad[0] == (K - 1, K - 1) == (2, 2)  # "K - 1 = 2"
assert (N_out, N) == (2, 5)  # "2 x 2 output shape back to 5 x 5"
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, stride=s).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and stride in the page; with stride
# 3 or 4 some input cells are never covered. Tick *Transposed* to see the
# 2 x 2 output spread back to 5 x 5, zeros inserted between its cells.

Explorer2D(input_size=N, kernel_size=K, stride=s)
