"""
The convolution theorem
=======================

The discrete Fourier transform turns convolution into multiplication. For
two sequences of length :math:`N` and their *circular* convolution

.. math::

   (x \\circledast h)[n] = \\sum_{m=0}^{N-1} x[m]\\, h[(n - m) \\bmod N],

the theorem says

.. math::

   \\mathcal{F}\\{x \\circledast h\\}[f] = X[f]\\, H[f],
   \\qquad\\text{so}\\qquad
   x \\circledast h = \\mathcal{F}^{-1}\\{X H\\}.

With the fast Fourier transform each :math:`\\mathcal{F}` costs
:math:`O(N \\log N)`, against :math:`O(N k)` for sliding a kernel of
length :math:`k`: the reason FFT convolution wins for long kernels.

The catch is the word *circular*: the theorem wraps the signal around. The
ordinary (linear) convolution comes out only after zero-padding both
sequences to at least :math:`n + k - 1` samples.
"""

# %%
# Circular convolution three ways
# -------------------------------
# A sawtooth that does not fit a whole number of periods into its length
# (so its two ends differ) and a Gaussian kernel.

import matplotlib.pyplot as plt
import numpy as np

import convdoc

x = convdoc.sawtooth(64, period=40)
sigma = 2.0
h = convdoc.gaussian_kernel(17, sigma)  # cut at 4 sigma: a clean low-pass
n, k = x.size, h.size
assert (k - 1) / 2 == 4 * sigma  # the comment's "cut at 4 sigma"

# 1. The definition, as an explicit loop over (n - m) mod N.
h_long = np.zeros(n)
h_long[:k] = h
loop = np.array([sum(x[m] * h_long[(i - m) % n] for m in range(n)) for i in range(n)])

# 2. The theorem: multiply the spectra.
theorem = np.fft.ifft(np.fft.fft(x) * np.fft.fft(h_long)).real
np.testing.assert_allclose(theorem, loop, atol=1e-12)
print(
    f"ifft(fft(x) * fft(h)) vs the circular loop: max difference {np.abs(theorem - loop).max():.1e}"
)

# %%
# 3. :func:`convdoc.convolve` with ``boundary="wrap"`` treats the signal as
# periodic, which is the same circular convolution. In ``"same"`` mode it
# returns the output centred on the input, a shift of :math:`(k - 1)/2`
# samples relative to the loop above, where :math:`h` starts at index 0.

wrapped = convdoc.convolve(x, h, mode="same", boundary="wrap")
np.testing.assert_allclose(wrapped, np.roll(theorem, -((k - 1) // 2)), atol=1e-12)
print(
    "convolve(x, h, 'same', boundary='wrap') == the circular convolution, shifted by "
    f"{(k - 1) // 2}"
)

# %%
# Linear convolution by zero-padding
# ----------------------------------
# Padding both sequences with zeros to :math:`L \ge n + k - 1` leaves room
# for the whole result, so nothing wraps. ``numpy.fft.fft(a, L)`` pads to
# length ``L`` itself.

L = n + k - 1
linear = np.fft.ifft(np.fft.fft(x, L) * np.fft.fft(h, L)).real
np.testing.assert_allclose(linear, np.convolve(x, h), atol=1e-12)
np.testing.assert_allclose(convdoc.convolve(x, h, method="fft"), np.convolve(x, h), atol=1e-12)
print(
    f"padded to L = {n} + {k} - 1 = {L}: ifft(fft * fft) == numpy.convolve, "
    f"max difference {np.abs(linear - np.convolve(x, h)).max():.1e}"
)

# %%
# Without the padding the tail of the linear result folds back onto its
# head: the first :math:`k - 1` samples of the circular result are the
# linear ones plus the last :math:`k - 1`, and the rest agree.

folded = np.convolve(x, h)[:n].copy()
folded[: k - 1] += np.convolve(x, h)[n:]
np.testing.assert_allclose(theorem, folded, atol=1e-12)
bad = np.flatnonzero(~np.isclose(theorem, np.convolve(x, h)[:n]))
print(
    f"circular and linear results differ at samples {bad.min()}..{bad.max()} "
    f"(k - 1 = {k - 1} samples)"
)

# %%
# The picture
# -----------
# Top: the signal and the kernel. Middle: their spectra and the product (the
# Gaussian's spectrum is itself close to a Gaussian: a low-pass filter that
# keeps the slow ramp and damps the sharp drop). Bottom: the
# linear convolution through padded FFTs lands on ``numpy.convolve``; the
# unpadded (circular) one differs only at the start, where the end of the
# sawtooth has wrapped round.

spectrum_x = np.abs(np.fft.rfft(x, L))
spectrum_h = np.abs(np.fft.rfft(h, L))
freq = np.fft.rfftfreq(L)

fig, axes = plt.subplots(3, 1, figsize=(8, 6), facecolor="white", layout="constrained")
fig.suptitle("Convolution is multiplication of spectra")
axes[0].plot(x, ".-", label=f"x: sawtooth, {n} samples")
axes[0].plot(
    np.arange(k), h / h.max(), "s-", markersize=3, label=f"h: Gaussian, {k} taps (scaled to peak 1)"
)
axes[0].set_xlabel("sample")
axes[0].set_ylim(-1.2, 1.9)
axes[0].legend(fontsize=8, loc="upper right", ncols=2)
axes[1].semilogy(freq, spectrum_x, label="|X|")
axes[1].semilogy(freq, spectrum_h, label="|H|")
axes[1].semilogy(freq, spectrum_x * spectrum_h, label="|X H|", linewidth=2)
axes[1].set_xlabel("frequency (cycles per sample)")
axes[1].set_ylim(1e-6, None)
axes[1].legend(fontsize=8)
axes[2].plot(np.convolve(x, h), "o", color="gray", markersize=5, label="numpy.convolve")
axes[2].plot(linear, ".-", label=f"ifft of padded spectra (L = {L})")
axes[2].plot(theorem, "x-", label=f"ifft of unpadded spectra (N = {n}): circular")
axes[2].axvspan(-0.5, k - 1.5, color="C3", alpha=0.1, label="wrap-around")
axes[2].set_xlabel("sample")
axes[2].set_ylim(-1.0, 1.5)
axes[2].legend(fontsize=8, loc="upper center", ncols=2)

plt.show()

# sphinx_gallery_capture_repr = ()
