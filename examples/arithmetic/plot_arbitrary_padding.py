"""
Arbitrary padding
=================

Zero padding adds :math:`p` cells of zeros on every side of the input before
the kernel slides over it, so the input behaves as if it had size
:math:`N + 2p`:

.. math::

   N_\\text{out} = (N - K) + 2p + 1.

Here a 4 x 4 kernel slides over a 5 x 5 input padded by 2, and the output
(6 x 6) is *larger* than the input. The transposed convolution maps the
6 x 6 output shape back to 5 x 5.
"""

# %%
# The direct convolution
# ----------------------
# Padding cells are drawn dashed and dotted; a window near the corner mostly
# covers padding, so its output sums few real values.

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K, p = 5, 4, 2
rng = np.random.default_rng(1)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, padding=p)
print(f"N_out = ({N} - {K}) + 2·{p} + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv", padding=p)
fig = GridFigure2D(trace, 8)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == (N - K) + 2 * p + 1
assert (N, K, p, N_out) == (5, 4, 2, 6)  # the sizes the text above works with
assert trace.output.shape == (N_out, N_out)
np.testing.assert_allclose(trace.output, signal.correlate2d(np.pad(x, p), h, mode="valid"))
# sphinx_gallery_end_ignore

# %%
# The first two steps, the first step of the second row and the last: in
# the corners only a 2 x 2 block of the 16 taps lies on the input.

strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)
print(f"step 0: {trace[0].inside.sum()} of {K * K} taps on the input")

# sphinx_gallery_start_ignore
# The text's "2 x 2 block of the 16 taps", in each of the four corners.
corners = [0, N_out - 1, len(trace) - N_out, len(trace) - 1]
assert K * K == 16
assert all(trace[n].inside.sum() == 2 * 2 for n in corners)
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# With :math:`s = 1`, :math:`p = 2` the transposed convolution takes a
# 6 x 6 map back to 5 x 5:
#
# .. math::
#
#    N = (N_\text{out} - 1) - 2p + (K - 1) + 1 = N_\text{out} + (K - 1) - 2p.
#
# Its equivalent direct convolution pads by only :math:`K - p - 1 = 1`.

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", padding=p)
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
fig_t = GridFigure2D(trace_t, 0)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K, padding=p) == N
assert (N_out - 1) - 2 * p + (K - 1) + 1 == N == 5 and N_out == 6  # "6 x 6 back to 5 x 5"
assert trace_t.pad[0] == (K - p - 1, K - p - 1) and K - p - 1 == 1  # the text's value
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, padding=p).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page; move the
# padding slider and watch the output grow by two cells per extra padding
# cell. Tick *Transposed* to see the 6 x 6 output taken back to 5 x 5.

Explorer2D(input_size=N, kernel_size=K, padding=p)
