"""
Arbitrary padding
=================

Zero padding adds :math:`p` cells of zeros on every side of the input before
the kernel slides over it, so the input behaves as if it had size
:math:`i + 2p`:

.. math::

   o = (i - k) + 2p + 1.

Here a 4 x 4 kernel slides over a 5 x 5 input padded by 2, and the output
(6 x 6) is *larger* than the input. The transposed convolution brings a
6 x 6 map back to 5 x 5.
"""

# %%
# The direct convolution
# ----------------------
# Padding cells are drawn dashed and dotted; a window near the corner mostly
# covers padding, so its output sums few real values.

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ()

i, k, p = 5, 4, 2
rng = np.random.default_rng(1)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, padding=p)
print(f"o = ({i} - {k}) + 2·{p} + 1 = {(i - k) + 2 * p + 1}; "
      f"convdoc.output_size gives {o}")
assert o == (i - k) + 2 * p + 1
assert (i, k, p, o) == (5, 4, 2, 6)  # the sizes the text above works with

trace = convdoc.steps(x, w, operation="conv", padding=p)
fig = GridFigure2D(trace, 8)
assert trace.output.shape == (o, o)
oracle = signal.correlate2d(np.pad(x, p), w, mode="valid")
np.testing.assert_allclose(trace.output, oracle)

# %%
# The first two steps, the first step of the second row and the last: in
# the corners only a 2 x 2 block of the 16 taps lies on the input.

strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)
print(f"step 0: {trace[0].inside.sum()} of {k * k} taps on the input")
# The text's "2 x 2 block of the 16 taps", in each of the four corners.
corners = [0, o - 1, len(trace) - o, len(trace) - 1]
assert k * k == 16
assert all(trace[n].inside.sum() == 2 * 2 for n in corners)

# %%
# The transposed convolution
# --------------------------
# With :math:`s = 1`, :math:`p = 2` the transposed convolution takes the
# 6 x 6 map back to 5 x 5:
#
# .. math::
#
#    o' = (i' - 1) - 2p + (k - 1) + 1 = i' + (k - 1) - 2p.
#
# Its equivalent direct convolution pads by only :math:`k - p - 1 = 1`.

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k, padding=p)
print(f"o' = ({o} - 1) - 2·{p} + ({k} - 1) + 1 = {(o - 1) - 2 * p + (k - 1) + 1}; "
      f"convdoc.transposed_output_size gives {t}")
assert t == i
assert (o, t) == (6, 5)  # "the 6 x 6 map back to 5 x 5"

trace_t = convdoc.steps(y, w, operation="conv_transpose", padding=p)
print(f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
assert trace_t.pad[0] == (k - p - 1, k - p - 1) and k - p - 1 == 1  # the text's value
fig_t = GridFigure2D(trace_t, 0)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, padding=p).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page; move the
# padding slider and watch the output grow by two cells per extra padding
# cell, or tick *Transposed* for the other direction.

Explorer2D(input_size=i, kernel_size=k, padding=p)
