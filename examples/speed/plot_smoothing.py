"""
Smoothing a noisy signal: moving average and exponential smoothing
==================================================================

Two everyday smoothers are both convolutions.

* The **moving average** of width :math:`w` replaces each sample by the mean
  of the :math:`w` samples around it: convolution with a box kernel of
  :math:`w` taps of height :math:`1/w`.
* **Exponential smoothing** keeps a running estimate,
  :math:`y[n] = \\alpha\\, x[n] + (1 - \\alpha)\\, y[n-1]`. Unrolling the
  recursion,

  .. math::

     y[n] = \\sum_{m \\ge 0} \\alpha (1 - \\alpha)^m\\, x[n - m],

  a convolution with the geometric kernel :math:`h[m] = \\alpha(1-\\alpha)^m`,
  infinitely long but fading fast, so it can be cut off once the weights are
  negligible. The recursion is what :func:`scipy.signal.lfilter` computes.

The moving average looks both ways and is centred; exponential smoothing
looks only back (it is *causal*: usable on a live stream), and it lags.
"""

# %%
# The signal
# ----------

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage, signal

import convdoc

n, period, noise = 300, 100.0, 0.3
x = convdoc.noisy_sine(n, period, noise=noise, seed=1)
clean = convdoc.noisy_sine(n, period, noise=0)

# %%
# Moving average
# --------------
# A centred box of :math:`w = 15` taps, ``mode="same"``; at the two ends the
# signal is extended by repeating its end samples (``boundary="edge"``). The
# oracle is :func:`scipy.ndimage.uniform_filter1d`, whose ``"nearest"`` mode
# is the same extension.

w = 15
box = convdoc.box_kernel(w)
moving = convdoc.convolve(x, box, mode="same", boundary="edge")
# sphinx_gallery_start_ignore
np.testing.assert_allclose(moving, ndimage.uniform_filter1d(x, w, mode="nearest"), atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# Exponential smoothing as a truncated convolution
# ------------------------------------------------
# :math:`\alpha = 2/(w + 1)` gives the same noise reduction as the box (see
# below). The kernel is cut after :math:`M` taps, where the weight left out,
# :math:`\sum_{m \ge M} \alpha(1-\alpha)^m = (1-\alpha)^M`, drops below
# :math:`10^{-8}`; that also bounds the difference from the exact recursion,
# times the largest :math:`|x|`. Only the first :math:`N` samples (the signal's length) of the full
# convolution are kept: output :math:`n` uses inputs up to :math:`n` only.

alpha = 2 / (w + 1)
m_taps = int(np.ceil(np.log(1e-8) / np.log(1 - alpha)))
geometric = alpha * (1 - alpha) ** np.arange(m_taps)
exponential = convdoc.convolve(x, geometric)[:n]
recursive = signal.lfilter([alpha], [1, -(1 - alpha)], x)
bound = (1 - alpha) ** m_taps * np.abs(x).max()
# sphinx_gallery_start_ignore
np.testing.assert_allclose(exponential, recursive, rtol=0, atol=bound)
# sphinx_gallery_end_ignore
print(
    f"alpha = {alpha:.4f}, kernel cut after M = {m_taps} taps, weight left out "
    f"{(1 - alpha) ** m_taps:.1e}"
)
print(
    f"largest difference from lfilter: {np.abs(exponential - recursive).max():.1e} "
    f"(bound {bound:.1e})"
)

# %%
# How much noise is left
# ----------------------
# On white noise of standard deviation :math:`\sigma` the box leaves
# :math:`\sigma/\sqrt{w}` (the sum of the squared weights is :math:`1/w`) and
# the geometric kernel leaves :math:`\sigma\sqrt{\alpha/(2-\alpha)}`, which
# is the same number for :math:`\alpha = 2/(w+1)`. Measured on a long stretch
# of the same kind of noise (a short one gives too rough an estimate of a
# standard deviation), in ``"valid"`` mode so the ends play no part:

long_noise = convdoc.noisy_sine(50_000, period, noise=noise, seed=2) - convdoc.noisy_sine(
    50_000, period, noise=0
)
left_box = convdoc.convolve(long_noise, box, mode="valid").std()
left_exp = convdoc.convolve(long_noise, geometric, mode="valid").std()
theory = noise / np.sqrt(w)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(theory, noise * np.sqrt(alpha / (2 - alpha)))
np.testing.assert_allclose([left_box, left_exp], theory, rtol=0.05)
# sphinx_gallery_end_ignore
print(
    f"noise std {long_noise.std():.3f}; theory after smoothing {theory:.4f}; "
    f"measured: moving average {left_box:.4f}, exponential {left_exp:.4f}"
)

# %%
# Error against the clean sine, and the lag
# -----------------------------------------
# Equal noise reduction does not make equal smoothers. Exponential smoothing
# trails the signal: for slow changes by the centre of mass of its kernel,
# :math:`(1-\alpha)/\alpha` samples; for this sine by its *phase delay*,
# the phase of the kernel's frequency response at the sine's frequency
# divided by that frequency. The whole-sample shift of the clean sine that
# best matches the smoothed signal, found by trying them all, agrees with it
# to within a sample.

inner = slice(m_taps, n - w)  # away from both ends
rms = {
    name: np.sqrt(np.mean((y - clean)[inner] ** 2))
    for name, y in [("noisy input", x), ("moving average", moving), ("exponential", exponential)]
}
centre_of_mass = np.sum(np.arange(m_taps) * geometric) / geometric.sum()
omega = 2 * np.pi / period
phase_delay = -np.angle(np.sum(geometric * np.exp(-1j * omega * np.arange(m_taps)))) / omega
shifts = np.arange(0, 20)
errors = [np.mean((exponential - np.roll(clean, s))[inner] ** 2) for s in shifts]
best = int(shifts[int(np.argmin(errors))])
rms["exponential, delay removed"] = np.sqrt(errors[best])
for name, value in rms.items():
    print(f"RMS error, {name:<27}: {value:.3f}")
print(
    f"kernel centre of mass {centre_of_mass:.2f} samples (theory {(1 - alpha) / alpha:.2f}); "
    f"phase delay at this sine {phase_delay:.2f}; best-matching shift {best}"
)
# sphinx_gallery_start_ignore
assert abs(best - phase_delay) <= 1
assert rms["moving average"] < rms["exponential, delay removed"] < rms["exponential"]
# sphinx_gallery_end_ignore

# %%
# So on this slow sine the moving average wins clearly. Most of the
# exponential smoother's error is its delay; the rest is damping, since at
# the sine's frequency it passes less of the amplitude than the box does
# (the magnitude of each kernel's frequency response):


def gain(taps: np.ndarray, offsets: np.ndarray) -> float:
    return float(np.abs(np.sum(taps * np.exp(-1j * omega * offsets))))


gain_box = gain(box, np.arange(w) - w // 2)
gain_exp = gain(geometric, np.arange(m_taps))
print(
    f"amplitude passed at period {period:g}: moving average {gain_box:.3f}, "
    f"exponential {gain_exp:.3f}"
)
# sphinx_gallery_start_ignore
assert gain_exp < gain_box < 1
# sphinx_gallery_end_ignore

# %%
# What exponential smoothing buys with all that is needing no future
# samples: it can run on a live stream, one sample at a time.
#
# The picture

fig, (ax, ax_k) = plt.subplots(
    1, 2, figsize=(9, 3.9), facecolor="white", layout="constrained", width_ratios=[3, 1]
)
fig.suptitle("Two smoothers, two kernels")
ax.plot(x, ".", color="0.6", markersize=3, label="noisy sine")
ax.plot(clean, color="black", linewidth=1, label="clean sine")
ax.plot(moving, color="C0", linewidth=2, label=f"moving average, w = {w}")
ax.plot(exponential, color="C3", linewidth=2, label=f"exponential, alpha = {alpha:.3f}")
ax.set_xlabel("sample")
ax.legend(fontsize=8, loc="lower left", ncols=2)
ax.set_ylim(-2, 1.8)
offsets = np.arange(-(w // 2), w // 2 + 1)
ax_k.plot(offsets, box, "s", color="C0", markersize=3, label="box")
ax_k.plot(-np.arange(m_taps), geometric, ".", color="C3", markersize=3, label="geometric")
ax_k.set_xlim(-40, 10)
ax_k.set_xlabel("input offset m - n")
ax_k.set_title("kernel weights", fontsize=10)
ax_k.legend(fontsize=8)

plt.show()

# sphinx_gallery_capture_repr = ()
