"""
The convolution theorem
=======================

The discrete Fourier transform turns convolution into multiplication. For
two sequences of length :math:`N` and their *circular* convolution

.. math::

   (x \\circledast h)[n] = \\sum_{m=0}^{N-1} x[(n - m) \\bmod N]\\, h[m],

the theorem says

.. math::

   \\mathcal{F}\\{x \\circledast h\\}[f] = X[f]\\, H[f],
   \\qquad\\text{so}\\qquad
   x \\circledast h = \\mathcal{F}^{-1}\\{X H\\}.

With the fast Fourier transform each :math:`\\mathcal{F}` costs
:math:`O(N \\log N)`, against :math:`O(N K)` for sliding a kernel of
:math:`K` taps: the reason FFT convolution wins for long kernels.

The catch is the word *circular*: the theorem wraps the signal around. The
ordinary (linear) convolution comes out only after zero-padding both
sequences to at least :math:`N + K - 1` samples.
"""

# %%
# Circular convolution three ways
# -------------------------------
# A sawtooth that does not fit a whole number of periods into its length
# (so its two ends differ) and a Gaussian kernel of width :math:`\sigma = 2`,
# cut at :math:`\pm 4\sigma`.

import matplotlib.pyplot as plt
import numpy as np

import convdoc

x = convdoc.sawtooth(64, period=40)
h = convdoc.gaussian_kernel(17, 2.0)
N, K = x.size, h.size

# 1. The definition, as an explicit loop over (n - m) mod N.
h_long = np.zeros(N)
h_long[:K] = h
loop = np.array([sum(x[(n - m) % N] * h_long[m] for m in range(N)) for n in range(N)])

# 2. The theorem: multiply the spectra.
theorem = np.fft.ifft(np.fft.fft(x) * np.fft.fft(h_long)).real
print(f"ifft(fft(x) * fft(h)) vs the circular loop: "
      f"max difference {np.abs(theorem - loop).max():.1e}")

# sphinx_gallery_start_ignore
assert (K - 1) / 2 == 4 * 2.0  # "cut at 4 sigma"
np.testing.assert_allclose(theorem, loop, atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# 3. :func:`convdoc.convolve` with ``boundary="wrap"`` treats the signal as
# periodic, which is the same circular convolution. In ``"same"`` mode it
# returns the output centred on the input, a shift of :math:`(K - 1)/2`
# samples relative to the loop above, where :math:`h` starts at index 0.

wrapped = convdoc.convolve(x, h, mode="same", boundary="wrap")
shift = (K - 1) // 2
print(f"convolve(x, h, 'same', boundary='wrap') equals the circular convolution "
      f"shifted by {shift}: {np.allclose(wrapped, np.roll(theorem, -shift))}")

# sphinx_gallery_start_ignore
np.testing.assert_allclose(wrapped, np.roll(theorem, -shift), atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# Linear convolution by zero-padding
# ----------------------------------
# Padding both sequences with zeros to :math:`L \ge N + K - 1` leaves room
# for the whole result, so nothing wraps. ``numpy.fft.fft(a, L)`` pads to
# length ``L`` itself.

L = N + K - 1
linear = np.fft.ifft(np.fft.fft(x, L) * np.fft.fft(h, L)).real
print(f"padded to L = {N} + {K} - 1 = {L}: ifft(fft * fft) vs numpy.convolve, "
      f"max difference {np.abs(linear - np.convolve(x, h)).max():.1e}")

# sphinx_gallery_start_ignore
np.testing.assert_allclose(linear, np.convolve(x, h), atol=1e-12)
np.testing.assert_allclose(convdoc.convolve(x, h, method="fft"), np.convolve(x, h), atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# Without the padding the tail of the linear result folds back onto its
# head: the first :math:`K - 1` samples of the circular result are the
# linear ones plus the last :math:`K - 1`, and the rest agree.

bad = np.flatnonzero(~np.isclose(theorem, np.convolve(x, h)[:N]))
print(f"circular and linear results differ at samples {bad.min()}..{bad.max()} "
      f"(K - 1 = {K - 1} samples)")

# sphinx_gallery_start_ignore
folded = np.convolve(x, h)[:N].copy()
folded[: K - 1] += np.convolve(x, h)[N:]
np.testing.assert_allclose(theorem, folded, atol=1e-12)
assert (bad.min(), bad.max()) == (0, K - 2)
# sphinx_gallery_end_ignore

# %%
# The picture
# -----------
# Top: the signal and the kernel. Middle: their spectra and the product (the
# Gaussian's spectrum is itself close to a Gaussian: a low-pass filter that
# keeps the slow ramp and damps the sharp drop). The spectra drawn are the
# padded ones, :math:`L = N + K - 1 = 80` points, the ones whose product gives
# the linear convolution. The circular result multiplies the
# :math:`N = 64`-point spectra instead (black dots on :math:`|XH|`): both are
# samples of the same underlying spectra (the transforms of the sequences
# padded with any number of zeros), at 64 frequencies rather than 80, and the
# lines only join the 80 samples. Bottom: the linear
# convolution through padded FFTs lands on ``numpy.convolve``; the unpadded
# (circular) one differs only at the start, where the end of the sawtooth has
# wrapped round. The legends sit beside the panels, clear of the curves.

spectrum_x = np.abs(np.fft.rfft(x, L))
spectrum_h = np.abs(np.fft.rfft(h, L))
freq = np.fft.rfftfreq(L)
circular_xh = np.abs(np.fft.rfft(x) * np.fft.rfft(h, N))

fig, axes = plt.subplots(3, 1, figsize=(8, 6.4), facecolor="white", layout="constrained")
fig.suptitle("Convolution is multiplication of spectra")
beside = {"fontsize": 8, "loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "frameon": False}
axes[0].plot(x, ".-", label=f"x: sawtooth,\n{N} samples")
axes[0].plot(np.arange(K), h / h.max(), "s-", markersize=3,
             label=f"h: Gaussian, {K} taps\n(scaled to peak 1)")
axes[0].set_xlabel("sample n")
axes[0].legend(**beside)
axes[1].semilogy(freq, spectrum_x, label=f"|X|, {L} points")
axes[1].semilogy(freq, spectrum_h, label=f"|H|, {L} points")
axes[1].semilogy(freq, spectrum_x * spectrum_h, label=f"|X H|, {L} points", linewidth=2)
axes[1].semilogy(np.fft.rfftfreq(N), circular_xh, "k.", markersize=4,
                 label=f"|X H|, {N} points\n(circular)")
axes[1].set_xlabel("frequency (cycles per sample)")
axes[1].set_ylim(1e-6, None)
axes[1].legend(**beside)
axes[2].plot(np.convolve(x, h), "o", color="gray", markersize=5, label="numpy.convolve")
axes[2].plot(linear, ".-", label=f"ifft of padded\nspectra (L = {L})")
axes[2].plot(theorem, "x-", label=f"ifft of unpadded\nspectra (N = {N}):\ncircular")
axes[2].axvspan(-0.5, K - 1.5, color="C3", alpha=0.1, label="wrap-around")
axes[2].set_xlabel("sample n")
axes[2].legend(**beside)

# sphinx_gallery_start_ignore
assert (N, K, L) == (64, 17, 80)  # the numbers in the text
# sphinx_gallery_end_ignore

plt.show()

# sphinx_gallery_capture_repr = ()
