"""
Direct sums or FFT: timing the methods
======================================

There are two ways to compute the same convolution of a signal of length
:math:`N` with a kernel of :math:`K` taps:

* **direct**: slide the kernel and sum :math:`K` products per output,
  about :math:`N K` multiply-adds;
* **FFT**: transform, multiply, transform back (the convolution theorem),
  about :math:`N \\log N` work whatever :math:`K` is, plus a fixed overhead.

So the direct sum wins for short kernels and the FFT for long ones.
:func:`convdoc.convolve` takes ``method="direct"``, ``"fft"`` or ``"auto"``.
``"auto"`` does not time anything: before computing, it *estimates* the two
costs (for a plain 1-D problem with SciPy's model,
:func:`scipy.signal.choose_conv_method`) and runs the cheaper one. This page
times all three, and the plain Python loop
:func:`convdoc.reference_correlate` (the readable code the tutorial shows)
for the smallest kernels, on the machine that built the page, and shows where
the estimate and the stopwatch disagree. The times are measured, never
asserted: they change from one computer to the next. The results are checked
equal at build time.
"""

# %%
# Setup
# -----

import timeit

import matplotlib.pyplot as plt
import numpy as np

import convdoc

N = 20_000
x = convdoc.noisy_sine(N, period=500.0)
Ks = [3, 5, 9, 17, 33, 65, 129, 257, 513, 1025, 2049]
loop_Ks = [K for K in Ks if K <= 9]  # the Python loop does N*K steps one by one

# sphinx_gallery_start_ignore
# Every method returns what numpy.convolve returns; the loop is a
# cross-correlation, so it gets the flipped kernel.
for K in Ks:
    h = convdoc.gaussian_kernel(K, K / 6)
    expected = np.convolve(x, h, mode="valid")
    for method in ("direct", "fft", "auto"):
        got = convdoc.convolve(x, h, mode="valid", method=method)
        np.testing.assert_allclose(got, expected, atol=1e-10)
    if K in loop_Ks:
        np.testing.assert_allclose(convdoc.reference_correlate(x, h[::-1]), expected, atol=1e-10)
# sphinx_gallery_end_ignore

# %%
# Time them
# ---------
# Each time is the best of five runs, the one least disturbed by other
# processes. Which method ``auto`` ran is read off its result: the direct sum
# and the FFT round differently, so auto's output is bit for bit the same as
# exactly one of them.

times = {"direct": [], "fft": [], "auto": [], "loop": []}
picked = []
for K in Ks:
    h = convdoc.gaussian_kernel(K, K / 6)
    for method in ("direct", "fft", "auto"):
        runs = timeit.repeat(lambda h=h, m=method: convdoc.convolve(x, h, mode="valid", method=m),
                             number=1, repeat=5)
        times[method].append(min(runs))
    if K in loop_Ks:
        # One run is enough: the loop is slower by orders of magnitude.
        times["loop"].append(timeit.timeit(lambda h=h: convdoc.reference_correlate(x, h),
                                           number=1))
    results = {m: convdoc.convolve(x, h, mode="valid", method=m) for m in ("direct", "fft")}
    auto_result = convdoc.convolve(x, h, mode="valid", method="auto")
    picked.append(next(m for m, r in results.items() if np.array_equal(r, auto_result)))

direct, fft, auto = (np.array(times[m]) for m in ("direct", "fft", "auto"))
faster = np.where(fft < direct, "fft", "direct")
print(f"{'K':>5} {'loop':>9} {'direct':>9} {'fft':>9} {'auto':>9}  auto ran  faster"
      "   (milliseconds)")
for i, K in enumerate(Ks):
    loop = f"{1e3 * times['loop'][i]:9.3f}" if i < len(loop_Ks) else f"{'':>9}"
    print(f"{K:5d} {loop} {1e3 * direct[i]:9.3f} {1e3 * fft[i]:9.3f} {1e3 * auto[i]:9.3f}"
          f"  {picked[i]:>8}  {faster[i]:>6}")

# sphinx_gallery_start_ignore
# Each pick is one of the two, and really is that method's result.
assert set(picked) <= {"direct", "fft"} and len(picked) == len(Ks)
# sphinx_gallery_end_ignore

# %%
# What the numbers say
# --------------------
# The crossover is the smallest tested kernel from which on the FFT is faster
# for every larger one too, on this machine. Where ``auto``'s estimate picked
# the slower method, it pays for it; where it picked the faster one, its time
# is that method's time plus the estimate.

fft_wins = fft < direct
later = [i for i in range(len(Ks)) if fft_wins[i:].all()]
crossover = Ks[later[0]] if later else None
print(f"FFT faster than direct from K = {crossover} on" if crossover
      else "FFT never beat direct here")
agree = [i for i in range(len(Ks)) if picked[i] == faster[i]]
print(f"auto ran the faster method for {len(agree)} of {len(Ks)} kernel lengths")
for i in range(len(Ks)):
    if picked[i] != faster[i]:
        print(f"  K = {Ks[i]}: auto ran {picked[i]}, "
              f"{auto[i] / min(direct[i], fft[i]):.2f} x the faster method's time")
slow = np.array(times["loop"]) / direct[: len(loop_Ks)]
print(f"the Python loop took {slow.min():,.0f} to {slow.max():,.0f} x as long as direct")

# %%
# The plot
# --------
# Log-log axes. For long kernels the direct sum's time grows in proportion to
# :math:`K` (a line of slope 1); for short ones a fixed cost per call
# dominates. The FFT's time hardly depends on :math:`K`. ``auto`` (the thick
# pale line) lies on the curve of the method it ran; a ring marks each kernel
# length where that was the slower one. The Python loop is slower by the
# factor printed above and is timed only for the shortest kernels.

fig, ax = plt.subplots(figsize=(8, 4.8), facecolor="white", layout="constrained")
ax.loglog(Ks, 1e3 * auto, "-", color="C2", linewidth=8, alpha=0.3, label='method="auto"')
ax.loglog(Ks, 1e3 * direct, "o-", color="C0", label='method="direct"')
ax.loglog(Ks, 1e3 * fft, "s-", color="C1", label='method="fft"')
ax.loglog(loop_Ks, 1e3 * np.array(times["loop"]), "^-", color="C3",
          label="reference_correlate (Python loop)")
missed = [i for i in range(len(Ks)) if picked[i] != faster[i]]
if missed:
    ax.loglog([Ks[i] for i in missed], [1e3 * auto[i] for i in missed], "o", ms=14,
              mfc="none", mec="C2", mew=2, label="auto ran the slower method")
if crossover:
    ax.axvline(crossover, color="gray", linestyle=":")
    ax.annotate(f"FFT faster from K = {crossover}", (crossover, ax.get_ylim()[1]),
                xytext=(4, -14), textcoords="offset points", fontsize=9, color="gray")
ax.set_xlabel("kernel length K (taps)")
ax.set_ylabel("time (ms, best of 5 runs)")
ax.legend(fontsize=9, loc="lower right")
ax.set_title(f"Convolving {N:,} samples: time against kernel length")

plt.show()

# sphinx_gallery_capture_repr = ()
