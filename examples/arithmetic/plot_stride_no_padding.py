"""
Stride, no padding
==================

With stride :math:`s` the window jumps :math:`s` cells between neighbouring
outputs, so only every :math:`s`-th of the :math:`(i - k) + 1` positions is
used:

.. math::

   o = \\left\\lfloor \\frac{i - k}{s} \\right\\rfloor + 1.

Here a 3 x 3 kernel on a 5 x 5 input with stride 2 gives a 2 x 2 output.
The transposed convolution, which spreads a 2 x 2 map back to 5 x 5, is
where zeros get *inserted* between the input cells.
"""

# %%
# The direct convolution
# ----------------------
# Between neighbouring steps the window moves two cells; the middle row and
# column are shared by both windows on each axis.

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ()

i, k, s = 5, 3, 2
rng = np.random.default_rng(4)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, stride=s)
print(f"o = floor(({i} - {k}) / {s}) + 1 = {(i - k) // s + 1}; "
      f"convdoc.output_size gives {o}")
assert o == (i - k) // s + 1
assert (i, k, s, o) == (5, 3, 2, 2)  # the sizes in the text above

trace = convdoc.steps(x, w, operation="conv", stride=s)
fig = GridFigure2D(trace, 1)
# Stride s keeps every s-th output of the stride-1 convolution.
oracle = signal.correlate2d(x, w, mode="valid")[::s, ::s]
np.testing.assert_allclose(trace.output, oracle)

# %%
strip = filmstrip(trace, range(len(trace)), numbers=False)
print("window columns at steps 0 and 1:", trace[0].window[1], trace[1].window[1])
# "moves two cells" and "the middle row and column are shared".
assert trace[1].window[1][0] - trace[0].window[1][0] == 2
assert np.intersect1d(trace[0].window[1], trace[1].window[1]).tolist() == [i // 2]

# %%
# The transposed convolution
# --------------------------
# The transposed convolution of stride :math:`s` inserts :math:`s - 1` zeros
# between neighbouring input cells (dotted, cross-hatched), pads by
# :math:`k - 1 = 2`, and slides the flipped kernel one cell at a time:
#
# .. math::
#
#    o' = (i' - 1)\, s + (k - 1) + 1.

y = rng.integers(0, 4, (o, o)).astype(float)
t = convdoc.transposed_output_size(o, k, stride=s)
print(f"o' = ({o} - 1)·{s} + ({k} - 1) + 1 = {(o - 1) * s + (k - 1) + 1}; "
      f"convdoc.transposed_output_size gives {t}")
assert t == i

trace_t = convdoc.steps(y, w, operation="conv_transpose", stride=s)
print(f"zeros inserted: {trace_t.upsample[0] - 1} between cells; "
      f"padding {trace_t.pad[0][0]}; the window moves by {trace_t.stride[0]}")
assert trace_t.pad[0] == (k - 1, k - 1) == (2, 2)  # "k - 1 = 2"
assert (o, t) == (2, 5)  # "a 2 x 2 map back to 5 x 5"
fig_t = GridFigure2D(trace_t, 6)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, stride=s).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# Step through the same input, kernel and stride in the page; with stride
# 3 or 4 some input cells are never covered. Tick *Transposed* to see the
# zeros inserted between the input cells.

Explorer2D(input_size=i, kernel_size=k, stride=s)
