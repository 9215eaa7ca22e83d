"""
Half ("same") padding
=====================

With an odd kernel size :math:`K` and padding
:math:`p = \\lfloor K/2 \\rfloor`, the output has exactly the size of the
input:

.. math::

   N_\\text{out} = (N - K) + 2\\lfloor K/2 \\rfloor + 1 = N.

Every output sits on the input cell under the centre of its window, which is
why this is the padding of choice in networks that keep the image size. Here
a 3 x 3 kernel on a 5 x 5 input with padding 1.
"""

# %%
# The direct convolution
# ----------------------

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K = 5, 3
p = K // 2
rng = np.random.default_rng(2)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, padding=p)
print(f"N_out = ({N} - {K}) + 2·{p} + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", padding=p)
fig = GridFigure2D(trace, 7)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == N
assert (N, K, p) == (5, 3, 1)  # the sizes in the text above
np.testing.assert_allclose(trace.output, signal.correlate2d(x, h, mode="same"))
# sphinx_gallery_end_ignore

# %%
# Output :math:`(r, c)` is centred on input :math:`(r, c)`, as the trace
# records for every step.

strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)
centred = all(step.center == step.out_index for step in trace)
print(f"all {len(trace)} windows centred on the input cell of their output: {centred}")

# sphinx_gallery_start_ignore
assert centred
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# Half padding keeps the size in both directions: the transposed
# convolution of a 5 x 5 map with :math:`p = 1` is again 5 x 5, computed as a
# direct convolution of the flipped kernel padded by :math:`K - p - 1 = 1`.

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", padding=p)
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
fig_t = GridFigure2D(trace_t, 7)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K, padding=p) == N
assert trace_t.pad[0] == (K - p - 1, K - p - 1) == (1, 1)  # "K - p - 1 = 1"
assert N_out == N == 5  # "a 5 x 5 map ... is again 5 x 5"
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, padding=p).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page. Any odd
# kernel size with padding ``K // 2`` keeps the output the size of the
# input; try an even kernel size to see it fail. Tick *Transposed*: the
# transposed convolution keeps the size too.

Explorer2D(input_size=N, kernel_size=K, padding=p)
