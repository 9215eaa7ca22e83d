"""
Full padding
============

With padding :math:`p = K - 1` every position where the kernel overlaps the
input by at least one cell is used, the 2-D version of the signal-processing
*full* mode:

.. math::

   N_\\text{out} = (N - K) + 2(K - 1) + 1 = N + (K - 1).

Here a 3 x 3 kernel on a 5 x 5 input with padding 2 gives a 7 x 7 output.
"""

# %%
# The direct convolution
# ----------------------
# In the corner steps a single tap lies on the input.

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K = 5, 3
p = K - 1
rng = np.random.default_rng(3)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, padding=p)
print(f"N_out = ({N} - {K}) + 2·{p} + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", padding=p)
fig = GridFigure2D(trace, 9)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == N + (K - 1)
assert (N, K, p, N_out) == (5, 3, 2, 7)  # the sizes in the text above
np.testing.assert_allclose(trace.output, signal.correlate2d(x, h, mode="full"))
# sphinx_gallery_end_ignore

# %%

strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)
print(f"step 0: {trace[0].inside.sum()} of {K * K} taps on the input")

# sphinx_gallery_start_ignore
assert trace[0].inside.sum() == 1
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# Going back from 7 x 7 to 5 x 5 needs no padding at all: the equivalent
# direct convolution pads by :math:`K - p - 1 = 0`, a plain "valid"
# convolution. (And the transposed counterpart of the no-padding case was
# full padding: the two undo each other's shapes.)

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", padding=p)
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
fig_t = GridFigure2D(trace_t, 6)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K, padding=p) == N
assert trace_t.pad[0] == (K - p - 1, K - p - 1) == (0, 0)  # "K - p - 1 = 0"
assert (N_out, N) == (7, 5)  # "from 7 x 7 to 5 x 5"
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, padding=p).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page; with
# padding ``K - 1`` the first window holds a single real input cell in its
# corner. Tick *Transposed* to see the 7 x 7 output taken back to 5 x 5
# without any padding.

Explorer2D(input_size=N, kernel_size=K, padding=p)
