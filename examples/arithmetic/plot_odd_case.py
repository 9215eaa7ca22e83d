"""
When the stride does not divide evenly
======================================

With stride :math:`s`, the floor in

.. math::

   o = \\left\\lfloor \\frac{i + 2p - k}{s} \\right\\rfloor + 1

throws away the cells that the last window cannot reach with a full jump.
Here a 3 x 3 kernel on a 6 x 6 input with padding 1 and stride 2 gives a
3 x 3 output, the same size as for a 5 x 5 input: the last row and column
of the padded input are never visited. For the transposed convolution this
means 3 x 3 could go back to 5 x 5 *or* 6 x 6, and an extra argument,
``output_padding``, picks one.
"""

# %%
# The direct convolution
# ----------------------

import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

i, k, p, s = 6, 3, 1, 2
rng = np.random.default_rng(6)
x = rng.integers(0, 4, (i, i)).astype(float)
w = rng.integers(0, 3, (k, k)).astype(float)

o = convdoc.output_size(i, k, padding=p, stride=s)
print(f"o = floor(({i} + 2·{p} - {k}) / {s}) + 1 = floor({(i + 2 * p - k) / s:g}) + 1"
      f" = {(i + 2 * p - k) // s + 1}; convdoc.output_size gives {o}")
assert o == (i + 2 * p - k) // s + 1
# One input row fewer gives the same output size.
assert convdoc.output_size(i - 1, k, padding=p, stride=s) == o
# The docstring's numbers: a 6 x 6 (or 5 x 5) input, padding 1, stride 2 -> 3 x 3.
assert (i, i - 1, k, p, s, o) == (6, 5, 3, 1, 2, 3)

trace = convdoc.steps(x, w, operation="conv", padding=p, stride=s)
fig = GridFigure2D(trace, len(trace) - 1)
np.testing.assert_allclose(trace.output,
                           signal.correlate2d(np.pad(x, p), w, mode="valid")[::s, ::s])

# %%
# Which rows of the padded input does any window cover? The trace knows.

rows = trace.grid.shape[0]
visited = set(np.concatenate([step.window[0] for step in trace]).tolist())
skipped = [r for r in range(rows) if r not in visited]
print(f"padded input has rows 0..{rows - 1}; rows never under the window: {skipped}")
assert skipped == [rows - 1]  # the docstring's "the last row ... never visited"
assert all(trace.to_input(r, 0) is None for r in skipped)
print("all of them are padding: no input cell is lost")
strip = filmstrip(trace, [0, 1, o, len(trace) - 1], numbers=False)

# %%
# The transposed convolution
# --------------------------
# The shape formula of the transposed convolution gains a term
# :math:`a`, the ``output_padding``, that adds :math:`a` rows and columns at
# the bottom and right; :math:`a = (i + 2p - k) \bmod s` recovers the
# original size:
#
# .. math::
#
#    o' = (i' - 1)\, s - 2p + (k - 1) + a + 1.

a = (i + 2 * p - k) % s
y = rng.integers(0, 4, (o, o)).astype(float)
for extra in (0, a):
    t = convdoc.transposed_output_size(o, k, stride=s, padding=p, output_padding=extra)
    by_hand = (o - 1) * s - 2 * p + (k - 1) + extra + 1
    print(f"a = {extra}: o' = ({o} - 1)·{s} - 2·{p} + ({k} - 1) + {extra} + 1 = {by_hand}")
    assert t == by_hand
assert t == i
print(f"convdoc.transposed_output_size with output_padding={a} gives {t}")

trace_t = convdoc.steps(y, w, operation="conv_transpose", stride=s, padding=p,
                        output_padding=a)
print(f"padding of the equivalent direct convolution (before, after): {trace_t.pad[0]}")
fig_t = GridFigure2D(trace_t, len(trace_t) - 1)

# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(i, i), w, padding=p, stride=s).ravel()
              for e in np.eye(i * i)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())

# %%
# Try other sizes
# ---------------
# The explorer below draws the same diagram in the page. Change the input
# size between 5 and 6 and watch the output stay 3 x 3; tick *Transposed*
# for the other direction.

Explorer2D(input_size=i, kernel_size=k, padding=p, stride=s)
