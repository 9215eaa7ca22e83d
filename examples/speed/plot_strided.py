"""
Stride: compute only the outputs you keep
=========================================

A layer with stride :math:`s` keeps one window position in :math:`s`. The
obvious way to get its result with a signal-processing library is to
correlate at every position and then keep every :math:`s`-th output, which
throws away :math:`(s - 1)/s` of the work. This page shows the identity that
avoids it, the *polyphase* split, and times both routes on the machine that
built the page.
"""

# %%
# Setup
# -----

import timeit

import matplotlib.pyplot as plt
import numpy as np
from scipy import signal

import convdoc

rng = np.random.default_rng(0)

# %%
# Phases
# ------
# Number the taps :math:`t = q s + p` with :math:`0 \le p < s`: :math:`p` is
# the tap's *phase*. Output :math:`i` of a stride-:math:`s` correlation is
#
# .. math::
#
#    y[i] = \sum_t x[i s + t]\, w[t]
#         = \sum_{p=0}^{s-1} \sum_q x[(i + q) s + p]\, w[q s + p]
#         = \sum_{p=0}^{s-1} (x_p \star w_p)[i],
#
# where :math:`x_p = x[p::s]` and :math:`w_p = w[p::s]` take every
# :math:`s`-th sample starting at :math:`p`, and :math:`\star` is a plain
# stride-1 correlation. Each of the :math:`s` small correlations is
# :math:`s` times shorter in both signal and kernel, so together they cost
# :math:`s` times less than the full-rate one, and none of their outputs is
# thrown away. Sample :math:`m` of the input only ever meets taps of its own
# phase :math:`m \bmod s`; the figure colours both by phase.

s = 3
x = rng.integers(-4, 5, 20).astype(float)
w = np.array([1.0, 2.0, 3.0, -1.0, 0.5, 2.0, -2.0])

phases = [np.correlate(x[p::s], w[p::s], "valid") for p in range(s)]
n_out = convdoc.output_size(x.size, w.size, stride=s)
summed = sum(part[:n_out] for part in phases)
layer = convdoc.conv1d(x, w, stride=s)
subsampled = np.correlate(x, w, "valid")[::s]
# sphinx_gallery_start_ignore
np.testing.assert_allclose(summed, layer)
np.testing.assert_allclose(subsampled, layer)
# sphinx_gallery_end_ignore
print(f"stride {s}: {n_out} outputs")
print("sum of the phase correlations:", summed)
print("conv1d(x, w, stride=3):       ", layer)
print("every 3rd full-rate output:   ", subsampled)

# %%
# :func:`convdoc.steps` records which sample meets which tap. For one output,
# grouping its (sample, tap) pairs by the sample's phase shows that every
# pair stays within one phase.

step = convdoc.steps(x, w, operation="conv", stride=s)[2]
samples = step.input_index[0]
pairs = {p: [(int(m), int(m - samples[0])) for m in samples if m % s == p] for p in range(s)}
# sphinx_gallery_start_ignore
assert all(t % s == p for p, group in pairs.items() for _, t in group)  # same phase
# sphinx_gallery_end_ignore
for p, group in pairs.items():
    print(f"phase {p}: (sample, tap) = {group}")

# %%
# The window of that output is shaded.

colors = [f"C{p}" for p in range(s)]
fig, (ax_x, ax_w) = plt.subplots(
    2, 1, figsize=(8, 4.2), facecolor="white", layout="constrained", height_ratios=[3, 2]
)
for p in range(s):
    idx = np.arange(p, x.size, s)
    ax_x.stem(
        idx, x[idx], linefmt=colors[p], markerfmt=f"o{colors[p]}", basefmt=" ", label=f"phase {p}"
    )
    taps = np.arange(p, w.size, s)
    ax_w.stem(taps, w[taps], linefmt=colors[p], markerfmt=f"o{colors[p]}", basefmt=" ")
ax_x.axvspan(samples[0] - 0.4, samples[-1] + 0.4, color="0.85", zorder=0)
ax_x.annotate(
    f"window of output {step.index}",
    (samples.mean(), x.max() + 0.6),
    ha="center",
    fontsize=9,
)
ax_x.set_ylim(x.min() - 1, x.max() + 1.6)
ax_x.set_xticks(range(x.size))
ax_x.set_xlabel("sample m (colour: m mod 3)")
ax_x.set_title("Input")
ax_x.legend(fontsize=8, ncol=3, loc="lower right")
ax_w.set_xticks(range(w.size))
ax_w.set_xlabel("tap t (colour: t mod 3)")
ax_w.set_title("Kernel")
plt.show()

# %%
# What convdoc does with it
# -------------------------
# :func:`convdoc.conv1d` and :func:`convdoc.conv2d` never compute a skipped
# output. With a short kernel, reshaping the signal into rows of :math:`s`
# samples lays the phases side by side, and one matrix product per chunk of
# the signal does the kept multiply-adds. With a long kernel, the phases'
# spectra are multiplied and summed before one inverse FFT of the short
# output (in 1-D, in overlapping blocks that keep each transform small).
#
# Time both routes
# ----------------
# A signal of 100,000 samples, stride 4, kernels of 3 to 1,001 taps:
# :func:`convdoc.conv1d` against :func:`scipy.signal.correlate` followed by
# ``[::4]``. The results are asserted equal; the times are measured when the
# page is built (best of several runs) and depend on the machine.

n, stride = 100_000, 4
signal_in = rng.standard_normal(n)
ks = [3, 11, 31, 101, 301, 1001]


def best_time(fn) -> float:
    """Shortest of 7 runs: the least disturbed by other processes."""
    return min(timeit.repeat(fn, number=1, repeat=7))


strided_t, subsampled_t = [], []
for k in ks:
    taps = rng.standard_normal(k)
    # sphinx_gallery_start_ignore
    expected = signal.correlate(signal_in, taps, "valid")[::stride]
    np.testing.assert_allclose(
        convdoc.conv1d(signal_in, taps, stride=stride), expected, rtol=1e-9, atol=1e-9
    )
    # sphinx_gallery_end_ignore
    strided_t.append(best_time(lambda taps=taps: convdoc.conv1d(signal_in, taps, stride=stride)))
    subsampled_t.append(
        best_time(lambda taps=taps: signal.correlate(signal_in, taps, "valid")[::stride])
    )

print(f"{'k':>5} {'conv1d':>10} {'subsampled':>11}   (milliseconds)   ratio")
for k, a, b in zip(ks, strided_t, subsampled_t, strict=True):
    print(f"{k:5d} {1e3 * a:10.3f} {1e3 * b:11.3f}   {b / a:17.1f}x")

# %%
# On log-log axes: the stride-4 layer against correlate-then-subsample.

fig, ax = plt.subplots(figsize=(8, 4.2), facecolor="white", layout="constrained")
ax.loglog(
    ks, 1e3 * np.array(subsampled_t), "s-", color="C1", label="scipy.signal.correlate, then [::4]"
)
ax.loglog(ks, 1e3 * np.array(strided_t), "o-", color="C0", label="convdoc.conv1d(stride=4)")
ax.set_xlabel("kernel length k")
ax.set_ylabel("time (ms, best of 7 runs)")
ax.set_title(f"Stride 4 on {n:,} samples")
ax.legend(fontsize=9)
plt.show()

# sphinx_gallery_capture_repr = ()
