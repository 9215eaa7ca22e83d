"""
When the stride does not divide evenly
======================================

With stride :math:`s`, the floor in

.. math::

   N_\\text{out} = \\left\\lfloor \\frac{N + 2p - K}{s} \\right\\rfloor + 1

throws away the cells that the last window cannot reach with a full jump.
Here a 3 x 3 kernel on a 6 x 6 input with padding 1 and stride 2 gives a
3 x 3 output, the same size as for a 5 x 5 input: the last row and column
of the padded input are never visited. For the transposed convolution this
means 3 x 3 could go back to 5 x 5 *or* 6 x 6, and an extra argument,
``output_padding`` (:math:`a`), picks one.
"""

# %%
# The direct convolution
# ----------------------

import numpy as np

import convdoc
from convdoc.explore import Explorer2D
from convdoc.plot import GridFigure2D, filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

N, K, p, s = 6, 3, 1, 2
rng = np.random.default_rng(6)
x = rng.integers(0, 4, (N, N)).astype(float)
h = rng.integers(0, 3, (K, K)).astype(float)

N_out = convdoc.output_size(N, K, padding=p, stride=s)
print(f"N_out = floor(({N} + 2·{p} - {K}) / {s}) + 1 = "
      f"floor({(N + 2 * p - K) / s:g}) + 1 = {N_out}")
print(f"with N = {N - 1}: N_out = {convdoc.output_size(N - 1, K, padding=p, stride=s)}")

trace = convdoc.steps(x, h, operation="conv", padding=p, stride=s)
fig = GridFigure2D(trace, len(trace) - 1)

# sphinx_gallery_start_ignore
from scipy import signal

assert N_out == (N + 2 * p - K) // s + 1
# One input row fewer gives the same output size.
assert convdoc.output_size(N - 1, K, padding=p, stride=s) == N_out
# The docstring's numbers: a 6 x 6 (or 5 x 5) input, padding 1, stride 2 -> 3 x 3.
assert (N, N - 1, K, p, s, N_out) == (6, 5, 3, 1, 2, 3)
np.testing.assert_allclose(trace.output,
                           signal.correlate2d(np.pad(x, p), h, mode="valid")[::s, ::s])
# sphinx_gallery_end_ignore

# %%
# Which rows of the padded input does any window cover? The trace knows.

rows = trace.grid.shape[0]
visited = set(np.concatenate([step.window[0] for step in trace]).tolist())
skipped = [r for r in range(rows) if r not in visited]
print(f"padded input has rows 0..{rows - 1}; rows never under the window: {skipped}")
print("input cells among them:", [trace.to_input(r, 0) for r in skipped])
strip = filmstrip(trace, [0, 1, N_out, len(trace) - 1], numbers=False)

# sphinx_gallery_start_ignore
assert skipped == [rows - 1]  # the docstring's "the last row ... never visited"
assert all(trace.to_input(r, 0) is None for r in skipped)  # all padding
# sphinx_gallery_end_ignore

# %%
# All of them are padding: no input cell is lost.
#
# The transposed convolution
# --------------------------
# The shape formula of the transposed convolution gains a term
# :math:`a`, the ``output_padding``, that adds :math:`a` rows and columns at
# the bottom and right; :math:`a = (N + 2p - K) \bmod s` recovers the
# original size (PyTorch requires :math:`0 \le a < \max(s, d)`, here :math:`s`):
#
# .. math::
#
#    N = (N_\text{out} - 1)\, s - 2p + (K - 1) + a + 1.

a = (N + 2 * p - K) % s
for extra in (0, a):
    size = convdoc.transposed_output_size(N_out, K, stride=s, padding=p,
                                          output_padding=extra)
    print(f"a = {extra}: ({N_out} - 1)·{s} - 2·{p} + ({K} - 1) + {extra} + 1 = {size}")

y = rng.integers(0, 4, (N_out, N_out)).astype(float)
trace_t = convdoc.steps(y, h, operation="conv_transpose", stride=s, padding=p,
                        output_padding=a)
print(f"padding of the equivalent direct convolution (before, after): {trace_t.pad[0]}")
fig_t = GridFigure2D(trace_t, len(trace_t) - 1)

# sphinx_gallery_start_ignore
for extra in (0, a):
    by_hand = (N_out - 1) * s - 2 * p + (K - 1) + extra + 1
    assert by_hand == convdoc.transposed_output_size(N_out, K, stride=s, padding=p,
                                                     output_padding=extra)
assert (N_out - 1) * s - 2 * p + (K - 1) + a + 1 == N and a == 1
assert trace_t.output.shape == (N, N)
# The transposed convolution multiplies by the transpose of the direct one's matrix.
C = np.stack([convdoc.conv2d(e.reshape(N, N), h, padding=p, stride=s).ravel()
              for e in np.eye(N * N)], axis=1)
np.testing.assert_allclose(trace_t.output.ravel(), C.T @ y.ravel())
# sphinx_gallery_end_ignore

# %%
# Try other sizes
# ---------------
# The explorer below starts on the transposed convolution of this page: the
# sliders set the direct convolution (input size 6, padding 1, stride 2,
# 3 x 3 output) and the explorer shows the transposed one taking 3 x 3 back
# to 6 x 6 with output padding :math:`a = 1`. Move the output padding to 0
# and it gives 5 x 5; untick *Transposed* and change the input size between
# 5 and 6 to watch the direct output stay 3 x 3.

Explorer2D(input_size=N, kernel_size=K, padding=p, stride=s, transposed=True,
           output_padding=a)
