"""
Learning a kernel by gradient descent
=====================================

A convolutional network is not told its kernels: it learns them from
examples. The smallest version of that fits in a page. Take an image
:math:`x`, filter it with a kernel we keep secret (the Sobel kernel), and
hand only the input and the output :math:`y` to a learner that starts from a
kernel :math:`h` of zeros and follows the gradient of the mean squared error
over the :math:`M` output pixels

.. math::

   \\mathcal{L}(h) = \\frac{1}{M} \\sum_{r,c} \\big((x \\star h)[r, c] - y[r, c]\\big)^2 .

The gradient has a neat form. Writing :math:`e = x \\star h - y` for the
residual,

.. math::

   \\frac{\\partial \\mathcal{L}}{\\partial h[i, j]}
   = \\frac{2}{M} \\sum_{r,c} e[r, c]\\, x[r + i, c + j]
   = \\frac{2}{M}\\, (x \\star e)[i, j],

a cross-correlation of the input with the residual, ``valid`` mode, which
leaves exactly a 3 x 3 array. This is the same identity back-propagation uses
for every convolutional layer.
"""

# %%
# The data: an image and its filtered version
# -------------------------------------------

import matplotlib.pyplot as plt
import numpy as np

import convdoc

x = convdoc.data.photo(step=4, grey=True)
true = convdoc.kernel2d("sobel_x")
y = convdoc.correlate(x, true, mode="valid")  # what a CNN layer computes
M = y.size
print(f"input {x.shape}, target {y.shape}, M = {M} outputs")

# %%
# Loss and gradient, checked
# --------------------------
# Before trusting the formula, compare it with a central finite difference at
# a random kernel. The loss is quadratic in :math:`w`, so the central
# difference is exact up to rounding.


def predict(h: np.ndarray) -> np.ndarray:
    return convdoc.correlate(x, h, mode="valid")


def loss(h: np.ndarray) -> float:
    return float(np.mean((predict(h) - y) ** 2))


def back(residual: np.ndarray) -> np.ndarray:
    """The gradient of the loss, given the residual: (2/M) x correlated with it."""
    return 2 / M * convdoc.correlate(x, residual, mode="valid")


def gradient(h: np.ndarray) -> np.ndarray:
    return back(predict(h) - y)


rng = np.random.default_rng(0)
h_test = rng.standard_normal((3, 3))
eps = 1e-4
numeric = np.zeros((3, 3))
for i, j in np.ndindex(3, 3):
    step = np.zeros((3, 3))
    step[i, j] = eps
    numeric[i, j] = (loss(h_test + step) - loss(h_test - step)) / (2 * eps)
print(f"gradient formula vs finite differences: max difference "
      f"{np.abs(gradient(h_test) - numeric).max():.1e}")

# sphinx_gallery_start_ignore
assert gradient(h_test).shape == true.shape == (3, 3)  # "exactly a 3 x 3 array"
np.testing.assert_allclose(gradient(h_test), numeric, rtol=1e-6, atol=1e-9)
# sphinx_gallery_end_ignore

# %%
# Step size from the curvature
# ----------------------------
# Neighbouring pixels of a photograph are strongly correlated, which makes
# this quadratic loss a long, narrow valley: plain gradient descent would
# crawl. Its curvature is known exactly, though. The Hessian is
# :math:`\tfrac{2}{M} \sum p\, p^{\mathsf T}` over the 3 x 3 input patches
# :math:`p`, and its largest and smallest eigenvalues
# :math:`\lambda_{\max}, \lambda_{\min}` give the optimal step :math:`\alpha` and
# momentum :math:`\beta` of Polyak's heavy-ball method:
#
# .. math::
#
#    h \leftarrow h - \alpha \nabla \mathcal{L}(h) + \beta\, (h - h_\text{previous}),
#    \quad
#    \alpha = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2},
#    \quad
#    \beta = \Big(\frac{\sqrt{\lambda_{\max}} - \sqrt{\lambda_{\min}}}
#    {\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}}}\Big)^2.

patches = np.lib.stride_tricks.sliding_window_view(x, (3, 3)).reshape(-1, 9)
eigenvalues = np.linalg.eigvalsh(2 / M * patches.T @ patches)
lam_min, lam_max = eigenvalues[0], eigenvalues[-1]
alpha = 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
beta = ((np.sqrt(lam_max) - np.sqrt(lam_min)) / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
print(f"curvature: lambda_max = {lam_max:.3g}, lambda_min = {lam_min:.3g}, "
      f"condition number {lam_max / lam_min:.0f}")
print(f"step alpha = {alpha:.3g}, momentum beta = {beta:.3f}")


def learn(predict, back, iterations: int = 250) -> tuple[np.ndarray, list[float]]:
    """Heavy-ball descent from a zero kernel; returns the kernel and the losses."""
    h = previous = np.zeros((3, 3))
    history = []
    for _ in range(iterations):
        residual = predict(h) - y
        history.append(float(np.mean(residual**2)))
        h, previous = h - alpha * back(residual) + beta * (h - previous), h
    return h, history


# %%
# Learn with cross-correlation (what CNN layers compute)
# ------------------------------------------------------

learned_corr, history_corr = learn(predict, back)
print("learned with correlation:\n", np.round(learned_corr, 4) + 0.0)

# sphinx_gallery_start_ignore
np.testing.assert_allclose(learned_corr, true, atol=1e-6)
# sphinx_gallery_end_ignore

# %%
# Learn with true convolution
# ---------------------------
# Now let the model *convolve*, as a textbook would write it: :math:`x * h`
# flips :math:`h` before sliding it. The gradient is the same correlation,
# flipped back. Gradient descent again drives the loss to zero, but the
# kernel it finds is the Sobel kernel rotated by 180 degrees: whatever the
# layer does to the kernel, learning undoes. That is why deep-learning
# libraries can call cross-correlation "convolution" without harm.


def predict_conv(h: np.ndarray) -> np.ndarray:
    return convdoc.convolve(x, h, mode="valid")


def back_conv(residual: np.ndarray) -> np.ndarray:
    return back(residual)[::-1, ::-1]


learned_conv, history_conv = learn(predict_conv, back_conv)
print("learned with convolution:\n", np.round(learned_conv, 4) + 0.0)

# sphinx_gallery_start_ignore
np.testing.assert_allclose(learned_conv, true[::-1, ::-1], atol=1e-6)
np.testing.assert_allclose(predict_conv(learned_conv), y, atol=1e-6)
# sphinx_gallery_end_ignore

# %%
# Loss curves and the learned kernels
# -----------------------------------
# The two loss curves coincide: flipping the kernel only renames its nine
# weights, and the descent treats every weight alike.

fig, axes = plt.subplot_mosaic([["loss", "loss", "loss"], ["true", "corr", "conv"]],
                               figsize=(7.5, 5.5), facecolor="white", layout="constrained",
                               height_ratios=[1.2, 1])
fig.suptitle(f"Recovering a {true.shape[0]}x{true.shape[1]} kernel from an image "
             "and its filtered version")
axes["loss"].semilogy(history_corr, label="correlation model", linewidth=3, alpha=0.6)
axes["loss"].semilogy(history_conv, "--", label="convolution model")
axes["loss"].set_xlabel("iteration")
axes["loss"].set_ylabel("mean squared error")
axes["loss"].legend(fontsize=8)
for name, kernel, title in [
    ("true", true, "true kernel (Sobel x)"),
    ("corr", learned_corr, "learned, correlation model"),
    ("conv", learned_conv, "learned, convolution model"),
]:
    ax = axes[name]
    ax.imshow(kernel, cmap="RdBu_r", vmin=-2.5, vmax=2.5)
    for (r, c), v in np.ndenumerate(kernel):
        ax.text(c, r, f"{round(v, 2) + 0.0:.2f}", ha="center", va="center", fontsize=9)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])

print(f"final loss: correlation {history_corr[-1]:.1e}, convolution {history_conv[-1]:.1e}")

plt.show()

# sphinx_gallery_capture_repr = ()
