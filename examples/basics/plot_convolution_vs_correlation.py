"""
Convolution or cross-correlation?
=================================

Both slide a kernel along the signal and sum products. The difference is the
order of the taps:

.. math::

   \\text{convolution:}\\quad (x * h)[n] = \\sum_m x[n - m]\\, h[m],
   \\qquad
   \\text{correlation:}\\quad (x \\star h)[n] = \\sum_m x[n + m]\\, h[m].

In convolution the tap index :math:`m` runs *against* the signal index, so the
kernel is applied flipped; in correlation it is applied as written. The
signal comes first in both; correlation is not commutative, and swapping
the arguments mirrors the output: :math:`(h \\star x)[n] = (x \\star h)[-n]`. With a
symmetric kernel such as a Gaussian the two agree. With an asymmetric one
they do not, and the difference is easy to see on an impulse. (Deep-learning
"convolution" layers compute the correlation input :math:`\\star` weight; see
:func:`convdoc.conv1d`.)
"""

# %%
# An asymmetric kernel on an impulse
# ----------------------------------
# A kernel with taps 3, 2, 1 and a single 1 in the middle of 15 samples. The
# taps as applied (middle panels) come from the two traces: flipped for
# :func:`convdoc.convolve`, as written for :func:`convdoc.correlate`. Both
# windows cover the same inputs at the same step; only the taps differ.

import matplotlib.pyplot as plt
import numpy as np

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import Panels1D, style_context

# sphinx_gallery_capture_repr = ("_repr_html_",)

x = convdoc.impulse(15, at=7)
h = np.array([3.0, 2.0, 1.0])
traces = {op: convdoc.steps(x, h, operation=op, mode="same")
          for op in ("convolve", "correlate")}
n = 6

with style_context():
    fig, axes = plt.subplots(3, 2, figsize=(9, 4.6), sharex=True, sharey="row",
                             layout="constrained")
    for col, (op, trace) in enumerate(traces.items()):
        Panels1D(trace, axes[:, col], n, compact=True)
        taps = ", ".join(f"{t:g}" for t in trace.taps)
        axes[0, col].set_title(f"{op}: taps applied as [{taps}]")
    axes[0, 0].set_ylabel("input")
    axes[1, 0].set_ylabel("taps")
    axes[2, 0].set_ylabel("output")
fig.suptitle(f"Step {n} of each, same mode")

for op, trace in traces.items():
    print(f"{op:>9}: kernel {trace.kernel.tolist()} applied as {trace.taps.tolist()}")

# sphinx_gallery_start_ignore
assert x.size == 15 and np.flatnonzero(x).tolist() == [x.size // 2]
np.testing.assert_array_equal(traces["convolve"].taps, h[::-1])
np.testing.assert_array_equal(traces["correlate"].taps, h)
for a, b in zip(traces["convolve"], traces["correlate"], strict=True):
    np.testing.assert_array_equal(a.input_index[0], b.input_index[0])
# sphinx_gallery_end_ignore

# %%
# The results
# -----------
# Convolving an impulse copies the kernel into the output (the *impulse
# response*), in its own order. Correlating copies it reversed. (Both are
# checked against :func:`scipy.signal.convolve` and
# :func:`scipy.signal.correlate` at build time.)

conv = traces["convolve"].output
corr = traces["correlate"].output

# sphinx_gallery_start_ignore
from scipy import signal

np.testing.assert_allclose(conv, signal.convolve(x, h, mode="same"))
np.testing.assert_allclose(corr, signal.correlate(x, h, mode="same"))
# sphinx_gallery_end_ignore
near = slice(x.size // 2 - 2, x.size // 2 + 3)
print(f"convolve : {conv[near].tolist()}  (positions {near.start}..{near.stop - 1})")
print(f"correlate: {corr[near].tolist()}")

fig2, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
# Each output at the centre of its window, as the trace records it.
positions = np.array([step.center[0] for step in traces["convolve"]])
ax.stem(positions - 0.12, conv, linefmt="C0-", markerfmt="C0o", basefmt=" ",
        label="convolve")
ax.stem(positions + 0.12, corr, linefmt="C1-", markerfmt="C1s", basefmt=" ",
        label="correlate")
ax.set_xlabel("input position (outputs at their window's centre)")
ax.legend(fontsize="small")
ax.set_title("Impulse in: the kernel comes out, as written or reversed")

# %%
# One is the other with the kernel reversed
# -----------------------------------------
# Correlating with :math:`h` is convolving with :math:`h` reversed, on any
# signal; this is why a network that learns its kernels does not care which
# of the two its layers compute.

rng = np.random.default_rng(0)
z = rng.normal(size=40)
same = all(np.allclose(convdoc.correlate(z, h, mode=mode),
                       convdoc.convolve(z, h[::-1], mode=mode))
           for mode in ("full", "same", "valid"))
print(f"correlate(z, h) == convolve(z, h[::-1]) in every mode: {same}")

# sphinx_gallery_start_ignore
assert same
# sphinx_gallery_end_ignore

gap = np.abs(convdoc.correlate(z, h) - convdoc.convolve(z, h)).max()
print(f"correlate(z, h) and convolve(z, h) differ by up to {gap:.2f}")

plt.show()

# %%
# Explore the flip
# ----------------
# The same 15-sample impulse, with the explorer's asymmetric *ramp* kernel:
# taps 1, 2, 3 over their sum, that is ``h`` reversed and scaled by 1/6.
# Switch the operation between convolve and correlate at step 6 and watch
# the taps turn around, and the output with them.

Explorer1D(signal="impulse", kernel="ramp", size=h.size, mode="same", step=n,
           operation="correlate", length=x.size)
