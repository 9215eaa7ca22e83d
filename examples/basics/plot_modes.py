"""
Full, same and valid: how long is the output?
=============================================

Sliding a kernel of :math:`k` taps along a signal of :math:`n` samples, one
has to decide how far the kernel may hang over the ends. The three modes of
:func:`convdoc.convolve` (the same as :func:`scipy.signal.convolve`) answer:

* **full**: every position where kernel and signal overlap by at least one
  sample, :math:`n + k - 1` outputs;
* **same**: as many outputs as the longer of the two, :math:`\\max(n, k)`,
  taken from the middle of the full result;
* **valid**: only positions where the kernel lies entirely on real samples,
  :math:`n - k + 1` outputs (for :math:`n \\ge k`).

Where the kernel hangs over an end, the missing samples count as zeros.
"""

# %%
# One signal, three lengths
# -------------------------
# A square wave of 24 samples smoothed by a 7-tap Gaussian. Each output is
# drawn under the centre of its window, read from :func:`convdoc.steps`, so
# the three results line up with the input they come from: *valid* is the
# middle of *same*, which is the middle of *full*.

import matplotlib.pyplot as plt
import numpy as np
from scipy import signal

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import filmstrip

# sphinx_gallery_capture_repr = ()

x = convdoc.square_wave(24, 12)
g = convdoc.gaussian_kernel(7, 1.5)
n, k = x.size, g.size
assert (n, k) == (24, 7)  # the sizes in the text above
expected = {"full": n + k - 1, "same": max(n, k), "valid": n - k + 1}

traces = {mode: convdoc.steps(x, g, mode=mode) for mode in expected}
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.stem(np.arange(n), x, linefmt="0.7", markerfmt="o", basefmt=" ", label="input")
for (mode, trace), marker in zip(traces.items(), "sD^", strict=True):
    centres = [step.center[0] for step in trace]
    ax.plot(centres, trace.output, marker=marker, ms=4,
            label=f"{mode}: {trace.output.size}")
ax.set_xlabel("input position (outputs at their window's centre)")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
ax.set_title(f"n = {n} samples, k = {k} taps")

for mode, trace in traces.items():
    print(f"{mode:>5}: {trace.output.size} outputs (formula gives {expected[mode]})")
    assert trace.output.size == expected[mode]
    oracle = signal.convolve(x, g, mode=mode)
    np.testing.assert_allclose(trace.output, oracle, atol=1e-12)

# %%
# Full: the kernel starts with one tap on the signal
# --------------------------------------------------
# The first output uses a single real sample, the rest of the window lies
# over :math:`k - 1 = 6` zeros before the signal (hollow markers on the grey
# band); the last output mirrors it at the other end.

full = traces["full"]
strip = filmstrip(full, [0, 3, len(full) - 1], label="full")
print(f"full step 0: {np.count_nonzero(~full[0].inside)} of {k} taps on padding, "
      f"inputs {full[0].input_index[0][0]}..{full[0].input_index[0][-1]}")
assert np.count_nonzero(~full[0].inside) == k - 1 == 6  # "k - 1 = 6 zeros"

# %%
# Same: the kernel starts centred on the first sample
# ---------------------------------------------------
# Half the kernel, :math:`\lfloor k/2 \rfloor = 3` taps, hangs over each
# end, so output :math:`i` is centred on input :math:`i`.

same = traces["same"]
strip = filmstrip(same, [0, len(same) // 2, len(same) - 1], label="same")
print(f"same step 0: centre {same[0].center[0]:g}, "
      f"{np.count_nonzero(~same[0].inside)} taps on padding")
assert [step.center[0] for step in same] == list(range(n))
assert np.count_nonzero(~same[0].inside) == k // 2 == 3  # "floor(k/2) = 3 taps"

# %%
# Valid: no padding at all
# ------------------------
# The window never leaves the signal, so the ends lose :math:`(k-1)/2 = 3`
# samples each and no zero ever leaks into the result.

valid = traces["valid"]
strip = filmstrip(valid, [0, len(valid) - 1], label="valid")
assert all(step.inside.all() for step in valid)
print(f"valid: centres {valid[0].center[0]:g}..{valid[len(valid) - 1].center[0]:g}, "
      "every tap on a real sample")
# "The ends lose (k-1)/2 = 3 samples each": the first and last centres.
assert (k - 1) / 2 == 3
assert (valid[0].center[0], valid[len(valid) - 1].center[0]) == (3, n - 1 - 3)

plt.show()

# %%
# Explore the modes
# -----------------
# The same square wave (24 samples, period 12) and Gaussian (7 taps,
# :math:`\sigma = 1.5`), stepped in the page. Switch the mode and watch the
# number of outputs change to :math:`n + k - 1`, :math:`n` or
# :math:`n - k + 1`; in full and same mode, pick a boundary rule to see
# what the window reads beyond the ends.

Explorer1D(signal="square", kernel="gaussian", size=k, sigma=1.5, mode="full",
           length=n, period=12)
