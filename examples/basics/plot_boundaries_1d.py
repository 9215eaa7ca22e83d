"""
What lies beyond the ends of a signal
=====================================

In *same* mode the kernel hangs half over each end of the signal, where
there are no samples. Zeros are the usual assumption, but they pull the
smoothed signal towards zero near its ends. :func:`convdoc.convolve` takes a
``boundary`` argument with the names of :func:`numpy.pad`:

* ``constant``: a fixed value beyond the ends (``fillvalue``, 0 by default);
* ``edge``: repeat the end sample;
* ``reflect``: mirror about the end sample (``c b | a b c``);
* ``symmetric``: mirror about the edge itself (``b a | a b c``);
* ``wrap``: continue with the other end, as if the signal were periodic.
"""

# %%
# The extended signal each rule makes
# -----------------------------------
# A ramp rising from 1 to 2 in 20 samples, smoothed by a 9-tap Gaussian in *same* mode,
# so 4 samples are added at each end. Each column shows the first step of
# :func:`convdoc.steps` for one rule: the added samples (hollow markers on the
# grey band) are the trace's extended signal, the window covers four of them
# and the first five real samples.

import matplotlib.pyplot as plt
import numpy as np

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import Panels1D, style_context

# sphinx_gallery_capture_repr = ("_repr_html_",)

x = np.linspace(1.0, 2.0, 20)
h = convdoc.gaussian_kernel(9, 2.0)
rules = ("constant", "edge", "reflect", "symmetric", "wrap")
traces = {rule: convdoc.steps(x, h, mode="same", boundary=rule) for rule in rules}

with style_context():
    fig, axes = plt.subplots(3, len(rules), figsize=(10, 4.4), sharex=True,
                             sharey="row", layout="constrained")
    for col, (rule, trace) in enumerate(traces.items()):
        Panels1D(trace, axes[:, col], 0, compact=True)
        axes[0, col].set_title(rule)
    axes[0, 0].set_ylabel("extended\ninput")
    axes[1, 0].set_ylabel("taps and\nproducts")
    axes[2, 0].set_ylabel("output")
hang = traces["constant"].pad[0][0]
fig.suptitle(f"Step 0 in same mode: the window hangs {hang} samples over the left end")

for rule, trace in traces.items():
    before = ", ".join(f"{v:.2f}" for v in trace.grid[: trace.pad[0][0]])
    print(f"{rule:>9}: added before the start: {before}")

# sphinx_gallery_start_ignore
for rule, trace in traces.items():
    # The extended signal is what numpy.pad makes with the same rule.
    np.testing.assert_array_equal(trace.grid, np.pad(x, trace.pad[0], mode=rule))
    # The text above: 4 samples added at each end; step 0 covers four of them
    # and the first five real samples.
    assert trace.pad[0] == (4, 4)
    assert np.count_nonzero(~trace[0].inside) == 4
    np.testing.assert_array_equal(trace[0].input_index[0][trace[0].inside], np.arange(5))
# sphinx_gallery_end_ignore

# %%
# The smoothed ends
# -----------------
# Away from the ends every rule gives the same output; they differ only in
# the first and last :math:`\lfloor K/2 \rfloor = 4` outputs. Zero padding
# drags both ends towards 0 and ``wrap`` averages each end with the other
# one. The copying rules stay close to the ramp but none continues it: ``edge``
# flattens it, and the two mirrors fold it into a V whose point, smoothed,
# lifts the low end and lowers the high end (``reflect`` a little more than
# ``symmetric``, whose mirror sits half a sample further out).
# :func:`scipy.ndimage.convolve1d` computes the same (checked at build
# time) under other names: ``nearest`` is ``edge``, ``mirror`` is ``reflect``
# and ``reflect`` is ``symmetric``.

fig2, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.plot(np.arange(x.size), x, "o", color="0.6", ms=4, label="input")
for rule, trace in traces.items():
    out = convdoc.convolve(x, h, mode="same", boundary=rule)
    ax.plot([step.center[0] for step in trace], out, "-", lw=1.4, label=rule)
    print(f"{rule:>9}: first output {out[0]:.3f}, last output {out[-1]:.3f} "
          f"(input {x[0]:.2f} and {x[-1]:.2f})")
ax.set_xlabel("input position")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
ax.set_title("Same-mode output with each boundary rule")

# sphinx_gallery_start_ignore
from scipy import ndimage

scipy_mode = {"constant": "constant", "edge": "nearest", "reflect": "mirror",
              "symmetric": "reflect", "wrap": "wrap"}
for rule, trace in traces.items():
    out = convdoc.convolve(x, h, mode="same", boundary=rule)
    np.testing.assert_allclose(out, ndimage.convolve1d(x, h, mode=scipy_mode[rule]),
                               atol=1e-12)
    np.testing.assert_allclose(trace.output, out)
first = {rule: trace.output[0] for rule, trace in traces.items()}
assert first["constant"] < x[0] < first["edge"] < first["symmetric"] < first["reflect"]
assert first["reflect"] < first["wrap"] < x[-1]

# The text's floor(K/2) = 4 outputs at each end are where the rules differ.
assert h.size // 2 == 4
middle = slice(h.size // 2, x.size - h.size // 2)
outputs = [trace.output[middle] for trace in traces.values()]
assert all(np.allclose(out, outputs[0]) for out in outputs)
# sphinx_gallery_end_ignore

plt.show()

# %%
# Explore the rules
# -----------------
# A sawtooth of one period over 20 samples is a straight ramp, like ``x``
# above (from -1 to 1 instead of 1 to 2). The explorer starts on the same
# 9-tap Gaussian in same mode with ``"reflect"``: switch the boundary and
# step to the first and last four outputs, where the rules differ.

Explorer1D(signal="sawtooth", kernel="gaussian", size=h.size, sigma=2.0, mode="same",
           boundary="reflect", length=x.size, period=x.size)

# sphinx_gallery_thumbnail_number = 2
