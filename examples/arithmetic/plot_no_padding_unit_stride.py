"""
No padding, unit stride
=======================

The simplest case in Dumoulin and Visin's *A guide to convolution arithmetic
for deep learning*: a 3 x 3 kernel slides over a 4 x 4 input one cell at a
time and never leaves it. Along each axis it fits

.. math::

   N_\\text{out} = (N - K) + 1

times, for input size :math:`N` and kernel size :math:`K`. The transposed
convolution maps the 2 x 2 output shape back to the 4 x 4 input shape.
"""

# %%
# The direct convolution
# ----------------------
# As in deep-learning layers the kernel is applied as written
# (cross-correlation, ``operation="conv"``). The window is hatched and
# outlined; the output fills in as the steps go, current cell outlined.

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K = 4, 3
rng = np.random.default_rng(0)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K)
print(f"N_out = ({N} - {K}) + 1 = {N_out}")

trace = convdoc.steps(x, h, operation="conv")
fig = GridFigure2D(trace, 1)

# sphinx_gallery_start_ignore
assert N_out == (N - K) + 1
assert (N, K, N_out) == (4, 3, 2)  # the sizes in the text above
assert trace.output.shape == (N_out, N_out)
# sphinx_gallery_end_ignore

# %%
# All four steps. Each output is the sum of the nine products under the
# window (checked against :func:`scipy.signal.correlate2d` at build time).

strip = filmstrip(trace, range(len(trace)))

# sphinx_gallery_start_ignore
from scipy import signal

assert len(trace) == 4 and h.size == 9  # "all four steps", "the nine products"
np.testing.assert_allclose(trace.output, signal.correlate2d(x, h, mode="valid"))
# sphinx_gallery_end_ignore

# %%
# The transposed convolution
# --------------------------
# :func:`convdoc.conv_transpose2d` maps a 2 x 2 map back to 4 x 4:
#
# .. math::
#
#    N = (N_\text{out} - 1) s - 2p + (K - 1) + 1 = N_\text{out} + (K - 1)
#
# with :math:`s = 1`, :math:`p = 0`. It is computed as a direct convolution
# of the flipped kernel over the 2 x 2 map padded with :math:`K - 1 = 2`
# zeros on every side ("full padding").

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose")
print(f"{N_out} x {N_out} -> {trace_t.output.shape[0]} x {trace_t.output.shape[1]}; "
      f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
fig_t = GridFigure2D(trace_t, 5)

# sphinx_gallery_start_ignore
assert convdoc.transposed_output_size(N_out, K) == (N_out - 1) * 1 - 0 + (K - 1) + 1 == N
assert trace_t.pad[0] == (K - 1, K - 1) == (2, 2)  # "K - 1 = 2 zeros on every side"
# sphinx_gallery_end_ignore

# %%
# "Transposed" is meant literally: writing the direct convolution as a
# matrix :math:`C` acting on the flattened input (16 inputs, 4 outputs), the
# transposed convolution multiplies by :math:`C^\top`.

C = np.stack([convdoc.conv2d(e.reshape(N, N), h).ravel() for e in np.eye(N * N)],
             axis=1)
print(f"C is {C.shape[0]} x {C.shape[1]}; conv_transpose2d(y) equals C.T @ y: "
      f"{np.allclose(trace_t.output.ravel(), C.T @ y.ravel())}")

# sphinx_gallery_start_ignore
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
assert C.shape == (4, 16)  # "16 inputs, 4 outputs"
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# Step through the same sizes in the page; change the input or kernel size
# and watch the formula and the grids follow. Tick *Transposed* to see the
# transposed convolution take the 2 x 2 output back to 4 x 4: the sliders
# keep setting the direct convolution, and the explorer shows the one that
# maps its output size back.

Explorer2D(input_size=N, kernel_size=K)
