"""
Padding and stride
==================

The general case: padding :math:`p` enlarges the input to :math:`i + 2p`,
and stride :math:`s` keeps every :math:`s`-th window position:

.. math::

   o = \\left\\lfloor \\frac{i + 2p - k}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel on a 5 x 5 input with padding 1 and stride 2 gives a
3 x 3 output: the padding lets the window start and end centred on the
corner cells.
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

i, k, p, s = 5, 3, 1, 2
rng = np.random.default_rng(5)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, padding=p, stride=s)
print(f"o = floor(({i} + 2·{p} - {k}) / {s}) + 1 = {(i + 2 * p - k) // s + 1}; "
      f"convdoc.output_size gives {o}")
assert o == (i + 2 * p - k) // s + 1
assert (i, k, p, s, o) == (5, 3, 1, 2, 3)  # the sizes in the text above

trace = convdoc.steps(x, w, operation="conv", padding=p, stride=s)
fig = GridFigure2D(trace, 4)
padded = np.pad(x, p)
np.testing.assert_allclose(trace.output,
                           signal.correlate2d(padded, w, mode="valid")[::s, ::s])

# %%
# Output :math:`(r, c)` is centred on input :math:`(2r, 2c)`: the corners
# and the middle of every edge.

strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)
centres = [tuple(int(c) for c in step.center) for step in trace]
assert s == 2  # the text's (2r, 2c)
assert centres == [(s * r, s * c) for r, c in (step.out_index for step in trace)]
print("window centres:", centres)

# %%
# The transposed convolution
# --------------------------
# Back from 3 x 3 to 5 x 5: one zero inserted between cells (:math:`s - 1`),
# padding :math:`k - p - 1 = 1`, unit steps of the flipped kernel:
#
# .. math::
#
#    o' = (i' - 1)\, s - 2p + (k - 1) + 1.

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k, stride=s, padding=p)
by_hand = (o - 1) * s - 2 * p + (k - 1) + 1
print(f"o' = ({o} - 1)·{s} - 2·{p} + ({k} - 1) + 1 = {by_hand}")
print(f"convdoc.transposed_output_size gives {t}")
assert t == i

trace_t = convdoc.steps(y, w, operation="conv_transpose", stride=s, padding=p)
print(f"zeros inserted: {trace_t.upsample[0] - 1} between cells; "
      f"padding {trace_t.pad[0][0]}")
# The text's "one zero" (s - 1) and "k - p - 1 = 1", and 3 x 3 back to 5 x 5.
assert trace_t.upsample[0] - 1 == s - 1 == 1
assert trace_t.pad[0] == (k - p - 1, k - p - 1) == (1, 1)
assert (o, t) == (3, 5)
fig_t = GridFigure2D(trace_t, 6)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, padding=p, stride=s).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# Step through the same numbers in the page; set the input size to 6 and
# the output stays 3 x 3, the floor in the formula at work. Tick
# *Transposed* for the other direction.

Explorer2D(input_size=i, kernel_size=k, padding=p, stride=s)
