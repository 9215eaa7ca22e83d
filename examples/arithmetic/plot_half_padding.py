"""
Half ("same") padding
=====================

With an odd kernel size :math:`k = 2n + 1` and padding :math:`p = n =
\\lfloor k/2 \\rfloor`, the output has exactly the size of the input:

.. math::

   o = (i - k) + 2\\lfloor k/2 \\rfloor + 1 = i.

Every output sits on the input cell under the centre of its window, which is
why this is the padding of choice in networks that keep the image size. Here
a 3 x 3 kernel on a 5 x 5 input with padding 1.
"""

# %%
# The direct convolution
# ----------------------

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ()

i, k = 5, 3
p = k // 2
rng = np.random.default_rng(2)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, padding=p)
print(f"o = ({i} - {k}) + 2·{p} + 1 = {(i - k) + 2 * p + 1}; "
      f"convdoc.output_size gives {o}")
assert o == i
assert (i, k, p) == (5, 3, 1)  # the sizes in the text above

trace = convdoc.steps(x, w, operation="conv", padding=p)
fig = GridFigure2D(trace, 7)
np.testing.assert_allclose(trace.output, signal.correlate2d(x, w, mode="same"))

# %%
# Output :math:`(r, c)` is centred on input :math:`(r, c)`, as the trace
# records for every step.

strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)
assert all(step.center == step.out_index for step in trace)
print(f"all {len(trace)} windows are centred on the input cell of their output")

# %%
# The transposed convolution
# --------------------------
# Half padding keeps the size in both directions: the transposed
# convolution of a 5 x 5 map with :math:`p = 1` is again 5 x 5, computed as a
# direct convolution of the flipped kernel padded by :math:`k - p - 1 = 1`.

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k, padding=p)
print(f"o' = ({o} - 1) - 2·{p} + ({k} - 1) + 1 = {(o - 1) - 2 * p + (k - 1) + 1}; "
      f"convdoc.transposed_output_size gives {t}")
assert t == i

trace_t = convdoc.steps(y, w, operation="conv_transpose", padding=p)
print(f"the equivalent direct convolution pads by {trace_t.pad[0][0]} on each side")
assert trace_t.pad[0] == (k - p - 1, k - p - 1) == (1, 1)  # "k - p - 1 = 1"
assert o == t == 5  # "a 5 x 5 map ... is again 5 x 5"
fig_t = GridFigure2D(trace_t, 7)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, padding=p).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and padding in the page. Any odd
# kernel size with padding ``k // 2`` keeps the output the size of the
# input; try an even kernel size to see it fail.

Explorer2D(input_size=i, kernel_size=k, padding=p)
