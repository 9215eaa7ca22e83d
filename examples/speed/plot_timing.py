"""
Direct sums or FFT: timing the methods
======================================

There are two ways to compute the same convolution of a signal of length
:math:`n` with a kernel of length :math:`k`:

* **direct**: slide the kernel and sum :math:`k` products per output,
  about :math:`n k` multiply-adds;
* **FFT**: transform, multiply, transform back (the convolution theorem),
  about :math:`n \\log n` work whatever :math:`k` is, plus a fixed overhead.

So the direct sum wins for short kernels and the FFT for long ones.
:func:`convdoc.convolve` takes ``method="direct"``, ``"fft"`` or ``"auto"``,
which estimates both costs and picks the cheaper. This page times all three,
and the plain Python loop :func:`convdoc.reference_correlate` (the readable
code the tutorial shows) for the smallest kernels, on the machine that built
the page. The times are measured, never asserted: they change from one
computer to the next. The results are asserted equal.
"""

# %%
# Setup
# -----

import time

import matplotlib.pyplot as plt
import numpy as np

import convdoc

n = 20_000
x = convdoc.noisy_sine(n, period=500.0)
ks = [3, 5, 9, 17, 33, 65, 129, 257, 513, 1025, 2049]
loop_ks = [k for k in ks if k <= 9]  # the Python loop does n*k steps one by one


def best_time(fn, repeats: int) -> float:
    """Shortest of ``repeats`` runs: the least disturbed by other processes."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# %%
# Same answers first
# ------------------
# Every method must return what :func:`numpy.convolve` returns. The loop is
# a cross-correlation, so it gets the flipped kernel.

for k in ks:
    h = convdoc.gaussian_kernel(k, k / 6)
    expected = np.convolve(x, h, mode="valid")
    for method in ("direct", "fft", "auto"):
        got = convdoc.convolve(x, h, mode="valid", method=method)
        np.testing.assert_allclose(got, expected, atol=1e-10)
    if k in loop_ks:
        np.testing.assert_allclose(convdoc.reference_correlate(x, h[::-1]), expected, atol=1e-10)
print(f"all methods agree with numpy.convolve for k in {ks}")

# %%
# Time them
# ---------

times = {"direct": [], "fft": [], "auto": [], "loop": []}
for k in ks:
    h = convdoc.gaussian_kernel(k, k / 6)
    for method in ("direct", "fft", "auto"):
        times[method].append(
            best_time(
                lambda h=h, method=method: convdoc.convolve(x, h, mode="valid", method=method), 5
            )
        )
    if k in loop_ks:
        # One run is enough: the loop is slower by orders of magnitude.
        times["loop"].append(best_time(lambda h=h: convdoc.reference_correlate(x, h), 1))

print(f"{'k':>5} {'loop':>10} {'direct':>10} {'fft':>10} {'auto':>10}   (milliseconds)")
for i, k in enumerate(ks):
    loop = f"{1e3 * times['loop'][i]:10.3f}" if i < len(loop_ks) else f"{'':>10}"
    print(
        f"{k:5d} {loop} {1e3 * times['direct'][i]:10.3f} {1e3 * times['fft'][i]:10.3f} "
        f"{1e3 * times['auto'][i]:10.3f}"
    )

# %%
# The crossover is where the FFT starts to beat the direct sum for good on
# this machine: the smallest tested kernel from which on FFT is faster for
# every larger one too.

direct, fft, auto = (np.array(times[m]) for m in ("direct", "fft", "auto"))
fft_wins = fft < direct
later = [i for i in range(len(ks)) if fft_wins[i:].all()]
crossover = ks[later[0]] if later else None
print(
    f"FFT faster than direct from k = {crossover} on" if crossover else "FFT never beat direct here"
)
gap = auto / np.minimum(direct, fft)
print(f"auto took {gap.min():.2f} to {gap.max():.2f} x the faster method's time")
slow = np.array(times["loop"]) / direct[: len(loop_ks)]
print(f"the Python loop took {slow.min():,.0f} to {slow.max():,.0f} x as long as direct")

# %%
# The plot
# --------
# Log-log axes. For long kernels the direct sum's time grows in proportion to
# :math:`k` (a line of slope 1); for short ones a fixed cost per call
# dominates. The FFT's time hardly depends on :math:`k`. ``auto`` (the thick
# pale line) follows the lower curve; near the crossover, where the two cost
# about the same, its estimate may pick either. The Python loop is slower by
# the factor printed above and is timed only for the shortest kernels.

fig, ax = plt.subplots(figsize=(8, 4.8), facecolor="white", layout="constrained")
ax.loglog(ks, 1e3 * auto, "-", color="C2", linewidth=8, alpha=0.3, label='method="auto"')
ax.loglog(ks, 1e3 * direct, "o-", color="C0", label='method="direct"')
ax.loglog(ks, 1e3 * fft, "s-", color="C1", label='method="fft"')
ax.loglog(
    loop_ks,
    1e3 * np.array(times["loop"]),
    "^-",
    color="C3",
    label="reference_correlate (Python loop)",
)
if crossover:
    ax.axvline(crossover, color="gray", linestyle=":")
    ax.annotate(
        f"FFT faster from k = {crossover}",
        (crossover, ax.get_ylim()[1]),
        xytext=(4, -14),
        textcoords="offset points",
        fontsize=9,
        color="gray",
    )
ax.set_xlabel("kernel length k")
ax.set_ylabel("time (ms, best of several runs)")
ax.legend(fontsize=9, loc="lower right")
ax.set_title(f"Convolving {n:,} samples: time against kernel length")

plt.show()

# sphinx_gallery_capture_repr = ()
