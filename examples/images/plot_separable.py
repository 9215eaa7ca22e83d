"""
Separable kernels: one 2-D pass or two 1-D passes
=================================================

The 2-D Gaussian factors into a product of two 1-D Gaussians,

.. math::

   h[i, j] = g[i]\\, g[j] \\qquad\\text{so}\\qquad h = g\\, g^{\\mathsf T},

an outer product. Convolving with :math:`h` is then the same as convolving
every column with :math:`g` and then every row with :math:`g`. For a
:math:`K \\times K` kernel that costs :math:`2K` multiply-adds per pixel
instead of :math:`K^2`.

This example checks the factorization, tests which kernels have it, confirms
that both routes give the same image, and times them on this machine while
the page was built.
"""

# %%
# The Gaussian is an outer product
# --------------------------------

import time

import matplotlib.pyplot as plt
import numpy as np

import convdoc

size, sigma = 9, 1.5
g = convdoc.gaussian_kernel(size, sigma)
h = convdoc.gaussian_kernel2d(size, sigma)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(h, np.outer(g, g), atol=1e-15)
# sphinx_gallery_end_ignore
print(
    f"gaussian_kernel2d({size}, {sigma}) == outer(g, g), max difference "
    f"{np.abs(h - np.outer(g, g)).max():.1e}"
)

# %%
# Which kernels are separable? Ask the SVD
# ----------------------------------------
# A matrix is an outer product exactly when it has rank 1: one non-zero
# singular value, all the others zero. The singular values are printed
# relative to the largest one.

gauss_name = f"gaussian {size}x{size}"
candidates = {gauss_name: h}
candidates |= {
    name: convdoc.kernel2d(name) for name in ["box_blur", "sobel_x", "sharpen", "laplacian"]
}
print(f"{'kernel':<14} {'s2 / s1':>9}  separable")
ranks = {}
for name, kernel in candidates.items():
    s = np.linalg.svd(kernel, compute_uv=False)
    ratio = s[1] / s[0]
    ranks[name] = ratio < 1e-12
    print(f"{name:<14} {ratio:9.1e}  {'yes' if ranks[name] else 'no'}")
# sphinx_gallery_start_ignore
assert ranks[gauss_name] and ranks["box_blur"] and ranks["sobel_x"]
assert not ranks["laplacian"]
# sphinx_gallery_end_ignore

# %%
# The SVD also hands back the factors: for a rank-1 matrix
# :math:`h = s_1 u_1 v_1^{\mathsf T}`, so :math:`\sqrt{s_1}\, u_1` is the
# column filter and :math:`\sqrt{s_1}\, v_1` the row filter. For the Sobel
# kernel they are a smoothing ``[1, 2, 1]`` and a difference ``[-1, 0, 1]``
# (up to a common scale and sign).

u, s, vt = np.linalg.svd(convdoc.kernel2d("sobel_x"))
col = u[:, 0] * np.sqrt(s[0])
row = vt[0] * np.sqrt(s[0])
# sphinx_gallery_start_ignore
np.testing.assert_allclose(np.outer(col, row), convdoc.kernel2d("sobel_x"), atol=1e-12)
# sphinx_gallery_end_ignore
print("sobel_x column factor:", np.round(col / col[0], 6))
print("sobel_x row factor:   ", np.round(row / abs(row[0]), 6))
# sphinx_gallery_start_ignore
# The text's [1, 2, 1] and [-1, 0, 1], up to scale and sign.
np.testing.assert_allclose(col / col[0], [1, 2, 1], atol=1e-12)
np.testing.assert_allclose(row / row[-1], [-1, 0, 1], atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# Same image either way
# ---------------------
# Blur the photograph once with the 2-D kernel and once with a column pass
# followed by a row pass (1-D kernels given as ``K x 1`` and ``1 x K``).

image = convdoc.data.photo(step=2, grey=True)


def two_pass(img: np.ndarray, g: np.ndarray) -> np.ndarray:
    cols = convdoc.convolve(img, g[:, None], mode="valid", method="direct")
    return convdoc.convolve(cols, g[None, :], mode="valid", method="direct")


direct = convdoc.convolve(image, h, mode="valid", method="direct")
separated = two_pass(image, g)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(separated, direct, atol=1e-12)
# sphinx_gallery_end_ignore
print(f"one 2-D pass and two 1-D passes agree to {np.abs(separated - direct).max():.1e}")

fig, axes = plt.subplots(1, 3, figsize=(9, 3.8), facecolor="white", layout="constrained")
fig.suptitle("Gaussian blur as one 2-D convolution and as two 1-D convolutions")
for ax, img, title in [
    (axes[0], direct, f"one 2-D pass ({size} x {size})"),
    (axes[1], separated, "column pass, then row pass"),
    (axes[2], separated - direct, "difference"),
]:
    lim = (0, 1) if title != "difference" else (-1e-12, 1e-12)
    shown = ax.imshow(img, cmap="gray", vmin=lim[0], vmax=lim[1])
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
fig.colorbar(shown, ax=axes[2], shrink=0.7, format="%.0e")

# %%
# How much faster?
# ----------------
# Both routes use ``method="direct"`` (no FFT), so the work really is
# :math:`K^2` against :math:`2K` multiply-adds per output pixel. Each time is
# the best of a few runs, measured while this page was built; it varies from
# machine to machine and is shown, not asserted.


def best_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


Ks = [3, 5, 9, 15, 25, 35]
ratios = []
print(f"{'K':>3} {'2-D (ms)':>9} {'1-D x 2 (ms)':>13} {'ratio':>6}")
for K in Ks:
    g_K = convdoc.gaussian_kernel(K, K / 6)
    h_K = np.outer(g_K, g_K)
    t2 = best_time(lambda h_K=h_K: convdoc.convolve(image, h_K, mode="valid", method="direct"))
    t1 = best_time(lambda g_K=g_K: two_pass(image, g_K))
    ratios.append(t2 / t1)
    print(f"{K:3d} {1e3 * t2:9.2f} {1e3 * t1:13.2f} {t2 / t1:6.1f}")

fig, ax = plt.subplots(figsize=(7, 3.8), facecolor="white", layout="constrained")
ax.plot(Ks, ratios, "o-", label="measured: time(2-D) / time(two 1-D)")
ax.plot(Ks, np.array(Ks) / 2, "--", color="gray", label="operation count: K² / 2K = K / 2")
ax.set_xlabel("kernel size K (K x K kernel)")
ax.set_ylabel("speed-up of the separable route")
ax.legend()
ax.set_title(f"Separable convolution speed-up on a {image.shape[0]} x {image.shape[1]} image")

# %%
# The measured speed-up grows with :math:`K` roughly as the operation count
# predicts. It does not sit exactly on :math:`K/2`: memory traffic and the
# fixed cost of each pass count too, and they differ between the two routes.
#
# That is why :func:`convdoc.convolve` with its default ``method="auto"``
# checks 2-D floating-point kernels for rank one and, when it pays, applies
# them as two 1-D passes by itself. The answer is the same either way:

auto = convdoc.convolve(image, h, mode="valid")
# sphinx_gallery_start_ignore
np.testing.assert_allclose(auto, direct, atol=1e-12)
# sphinx_gallery_end_ignore
print(f"method='auto' vs the 2-D direct sum: max difference {np.abs(auto - direct).max():.1e}")

plt.show()

# sphinx_gallery_capture_repr = ()
# sphinx_gallery_thumbnail_number = 2
