"""
Full padding
============

With padding :math:`p = k - 1` every position where the kernel overlaps the
input by at least one cell is used, the 2-D version of the signal-processing
*full* mode:

.. math::

   o = (i - k) + 2(k - 1) + 1 = i + (k - 1).

Here a 3 x 3 kernel on a 5 x 5 input with padding 2 gives a 7 x 7 output.
"""

# %%
# The direct convolution
# ----------------------
# In the corner steps a single tap lies on the input.

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ()

i, k = 5, 3
p = k - 1
rng = np.random.default_rng(3)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, padding=p)
print(f"o = ({i} - {k}) + 2·{p} + 1 = {(i - k) + 2 * p + 1}; "
      f"convdoc.output_size gives {o}")
assert o == i + (k - 1)
assert (i, k, p, o) == (5, 3, 2, 7)  # the sizes in the text above

trace = convdoc.steps(x, w, operation="conv", padding=p)
fig = GridFigure2D(trace, 9)
np.testing.assert_allclose(trace.output, signal.correlate2d(x, w, mode="full"))

# %%
strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)
print(f"step 0: {trace[0].inside.sum()} of {k * k} taps on the input")
assert trace[0].inside.sum() == 1

# %%
# The transposed convolution
# --------------------------
# Going back from 7 x 7 to 5 x 5 needs no padding at all: the equivalent
# direct convolution pads by :math:`k - p - 1 = 0`, a plain "valid"
# convolution. (And the transposed counterpart of the no-padding case was
# full padding: the two undo each other's shapes.)

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k, padding=p)
print(f"o' = ({o} - 1) - 2·{p} + ({k} - 1) + 1 = {(o - 1) - 2 * p + (k - 1) + 1}; "
      f"convdoc.transposed_output_size gives {t}")
assert t == i

trace_t = convdoc.steps(y, w, operation="conv_transpose", padding=p)
print(f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
assert trace_t.pad[0] == (k - p - 1, k - p - 1) == (0, 0)  # "k - p - 1 = 0"
assert (o, t) == (7, 5)  # "from 7 x 7 to 5 x 5"
fig_t = GridFigure2D(trace_t, 6)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, padding=p).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page; with
# padding ``k - 1`` the first window holds a single real input cell in its
# corner. Tick *Transposed* for the other direction.

Explorer2D(input_size=i, kernel_size=k, padding=p)
