"""
Full, same and valid: how long is the output?
=============================================

Sliding a kernel :math:`h` of :math:`K` taps along a signal :math:`x` of
:math:`N` samples, one has to decide how far the kernel may hang over the
ends. The three modes of :func:`convdoc.convolve` (the same as
:func:`scipy.signal.convolve`) answer:

* **full**: every position where kernel and signal overlap by at least one
  sample, :math:`N + K - 1` outputs;
* **same**: as many outputs as the *first* argument has samples, :math:`N`,
  taken from the middle of the full result (even when the kernel is the
  longer of the two; :func:`numpy.convolve` instead returns
  :math:`\\max(N, K)`);
* **valid**: only positions where the kernel lies entirely on real samples,
  :math:`N - K + 1` outputs (for :math:`N \\ge K`).

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

import convdoc
from convdoc.explore import Explorer1D
from convdoc.plot import filmstrip

# sphinx_gallery_capture_repr = ("_repr_html_",)

x = convdoc.square_wave(24, 12)
h = convdoc.gaussian_kernel(7, 1.5)
N, K = x.size, h.size

traces = {mode: convdoc.steps(x, h, mode=mode) for mode in ("full", "same", "valid")}
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.stem(np.arange(N), x, linefmt="0.7", markerfmt="o", basefmt=" ", label="input")
for (mode, trace), marker in zip(traces.items(), "sD^", strict=True):
    centres = [step.center[0] for step in trace]
    ax.plot(centres, trace.output, marker=marker, ms=4,
            label=f"{mode}: {trace.output.size}")
ax.set_xlabel("input position (outputs at their window's centre)")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
ax.set_title(f"N = {N} samples, K = {K} taps")

for mode, trace in traces.items():
    print(f"{mode:>5}: {trace.output.size} outputs")

# sphinx_gallery_start_ignore
from scipy import signal

assert (N, K) == (24, 7)  # the sizes in the text above
expected = {"full": N + K - 1, "same": N, "valid": N - K + 1}
for mode, trace in traces.items():
    assert trace.output.size == expected[mode]
    np.testing.assert_allclose(trace.output, signal.convolve(x, h, mode=mode), atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# When the kernel is the longer one
# ---------------------------------
# *Same* keeps the length of the first argument, here a 5-sample signal under
# the 7-tap kernel, as :func:`scipy.signal.convolve` does;
# :func:`numpy.convolve` returns the longer length instead.

short = x[:5]
print(f"convdoc.convolve(short, h, 'same'): {convdoc.convolve(short, h, mode='same').size}"
      f" outputs; numpy.convolve: {np.convolve(short, h, mode='same').size}")

# sphinx_gallery_start_ignore
assert short.size < h.size
assert convdoc.convolve(short, h, mode="same").size == short.size
assert signal.convolve(short, h, mode="same").size == short.size
np.testing.assert_allclose(convdoc.convolve(short, h, mode="same"),
                           signal.convolve(short, h, mode="same"), atol=1e-12)
assert np.convolve(short, h, mode="same").size == max(short.size, h.size)
# sphinx_gallery_end_ignore

# %%
# Full: the kernel starts with one tap on the signal
# --------------------------------------------------
# The first output uses a single real sample, the rest of the window lies
# over :math:`K - 1 = 6` zeros before the signal (hollow markers on the grey
# band); the last output mirrors it at the other end.

full = traces["full"]
strip = filmstrip(full, [0, 3, len(full) - 1], label="full")
print(f"full step 0: {np.count_nonzero(~full[0].inside)} of {K} taps on padding")

# sphinx_gallery_start_ignore
assert np.count_nonzero(~full[0].inside) == K - 1 == 6  # "K - 1 = 6 zeros"
# sphinx_gallery_end_ignore

# %%
# Same: the kernel starts centred on the first sample
# ---------------------------------------------------
# Half the kernel, :math:`\lfloor K/2 \rfloor = 3` taps, hangs over each
# end, so output :math:`n` is centred on input :math:`n`.

same = traces["same"]
strip = filmstrip(same, [0, len(same) // 2, len(same) - 1], label="same")
print(f"same step 0: centre {same[0].center[0]:g}, "
      f"{np.count_nonzero(~same[0].inside)} taps on padding")

# sphinx_gallery_start_ignore
assert [step.center[0] for step in same] == list(range(N))
assert np.count_nonzero(~same[0].inside) == K // 2 == 3  # "floor(K/2) = 3 taps"
# sphinx_gallery_end_ignore

# %%
# Valid: no padding at all
# ------------------------
# The window never leaves the signal, so the ends lose :math:`(K-1)/2 = 3`
# samples each and no zero ever leaks into the result.

valid = traces["valid"]
strip = filmstrip(valid, [0, len(valid) - 1], label="valid")
print(f"valid: centres {valid[0].center[0]:g}..{valid[len(valid) - 1].center[0]:g}")

# sphinx_gallery_start_ignore
assert all(step.inside.all() for step in valid)
# "The ends lose (K-1)/2 = 3 samples each": the first and last centres.
assert (K - 1) / 2 == 3
assert (valid[0].center[0], valid[len(valid) - 1].center[0]) == (3, N - 1 - 3)
# sphinx_gallery_end_ignore

plt.show()

# %%
# Explore the modes
# -----------------
# The same square wave (24 samples, period 12) and Gaussian (7 taps,
# :math:`\sigma = 1.5`), stepped in the page. Switch the mode and watch the
# number of outputs change to :math:`N + K - 1`, :math:`N` or
# :math:`N - K + 1`; in full and same mode, pick a boundary rule to see
# what the window reads beyond the ends.

Explorer1D(signal="square", kernel="gaussian", size=K, sigma=1.5, mode="full",
           length=N, period=12)
