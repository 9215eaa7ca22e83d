"""
No padding, unit stride
=======================

The simplest case in Dumoulin and Visin's *A guide to convolution arithmetic
for deep learning*: a 3 x 3 kernel slides over a 4 x 4 input one cell at a
time and never leaves it. Along each axis it fits

.. math::

   o = (i - k) + 1

times, for input size :math:`i` and kernel size :math:`k`. The transposed
convolution goes back from the 2 x 2 output to a 4 x 4 map.
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

# sphinx_gallery_capture_repr = ()

i, k = 4, 3
rng = np.random.default_rng(0)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k)
print(f"o = ({i} - {k}) + 1 = {(i - k) + 1}; convdoc.output_size gives {o}")
assert o == (i - k) + 1
assert (i, k, o) == (4, 3, 2)  # the sizes in the text above

trace = convdoc.steps(x, w, operation="conv")
fig = GridFigure2D(trace, 1)
assert trace.output.shape == (o, o)

# %%
# All four steps. Each output is the sum of the nine products under the
# window, so it is checked against :func:`scipy.signal.correlate2d`.

from scipy import signal

strip = filmstrip(trace, range(len(trace)))
assert len(trace) == 4 and w.size == 9  # "all four steps", "the nine products"
np.testing.assert_allclose(trace.output, signal.correlate2d(x, w, mode="valid"))

# %%
# The transposed convolution
# --------------------------
# :func:`convdoc.conv_transpose2d` maps the 2 x 2 output back to 4 x 4:
#
# .. math::
#
#    o' = (i' - 1) s - 2p + (k - 1) + 1 = i' + (k - 1)
#
# with :math:`i' = 2`, :math:`s = 1`, :math:`p = 0`. It is computed as a direct
# convolution of the flipped kernel over the 2 x 2 input padded with
# :math:`k - 1 = 2` zeros on every side ("full padding").

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k)
print(f"o' = ({o} - 1)·1 - 2·0 + ({k} - 1) + 1 = {(o - 1) * 1 - 0 + (k - 1) + 1}; "
      f"convdoc.transposed_output_size gives {t}")
assert t == i

trace_t = convdoc.steps(y, w, operation="conv_transpose")
print(f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
assert trace_t.pad[0] == (k - 1, k - 1) == (2, 2)  # "k - 1 = 2 zeros on every side"
fig_t = GridFigure2D(trace_t, 5)

# %%
# "Transposed" is meant literally: writing the direct convolution as a
# matrix :math:`C` acting on the flattened input (16 inputs, 4 outputs), the
# transposed convolution multiplies by :math:`C^\top`.

C = np.stack([convdoc.conv2d(e.reshape(i, i), w).ravel() for e in np.eye(i * i)],
             axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
print(f"C is {C.shape[0]} x {C.shape[1]}; conv_transpose2d(y) == C.T @ y")
assert C.shape == (4, 16)  # "16 inputs, 4 outputs"

# %%
# Try other sizes
# ---------------
# Step through the same 4 x 4 input and 3 x 3 kernel in the page; change
# the input or kernel size and watch the formula and the grids follow, or
# tick *Transposed* for the other direction.

Explorer2D(input_size=i, kernel_size=k)
