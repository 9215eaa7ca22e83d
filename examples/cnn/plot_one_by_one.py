"""
1x1 convolutions mix channels, pixel by pixel
=============================================

A convolution with a 1 x 1 kernel has no neighbourhood at all: each output
pixel is computed from the same pixel of the input. What it still has is
channels. With a weight of shape ``(C_out, C_in, 1, 1)`` every output channel
is a weighted sum of the input channels at that pixel,

.. math::

   y_{o}(i, j) = b_o + \\sum_{c} W_{oc}\\, x_c(i, j),

so the whole layer is one matrix :math:`W` of shape
:math:`C_\\text{out} \\times C_\\text{in}` applied to the colour vector of
every pixel. Networks use 1x1 layers to change the number of channels
cheaply; here one converts a photograph from RGB to the luma/chroma channels
JPEG stores.
"""

# %%
# RGB to Y'CbCr as a 1x1 convolution
# ----------------------------------
# JPEG's colour transform (ITU-R BT.601, full range) is a 3 x 3 matrix plus
# an offset that centres the two colour-difference channels on 0.5.

import matplotlib.pyplot as plt
import numpy as np

import convdoc

x = np.moveaxis(convdoc.data.photo(step=2), -1, 0)  # (3, H, W): channels first
to_ycc = np.array(
    [
        [0.299, 0.587, 0.114],  # Y': brightness
        [-0.168736, -0.331264, 0.5],  # Cb: blue minus brightness
        [0.5, -0.418688, -0.081312],  # Cr: red minus brightness
    ]
)
offset = np.array([0.0, 0.5, 0.5])

weight = to_ycc[:, :, None, None]
ycc = convdoc.conv2d(x, weight, offset)
print("x:", x.shape, " weight:", weight.shape, " y:", ycc.shape)

# %%
# The same thing as a matrix product
# ----------------------------------
# Flatten the pixels into columns, multiply by the matrix, fold back. The
# 1x1 convolution must agree exactly.

columns = x.reshape(3, -1)
by_matmul = (to_ycc @ columns + offset[:, None]).reshape(ycc.shape)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(ycc, by_matmul, atol=1e-12)
np.testing.assert_allclose(
    ycc, np.einsum("oc,chw->ohw", to_ycc, x) + offset[:, None, None], atol=1e-12
)
# sphinx_gallery_end_ignore
print(
    f"1x1 conv2d == matrix product over the channel axis "
    f"(max difference {np.abs(ycc - by_matmul).max():.1e})"
)

# %%
# Undo it with another 1x1 convolution
# ------------------------------------
# The inverse transform is the inverse matrix, with the offset moved inside:
# :math:`x = W^{-1} (y - b)`, a 1x1 layer with weight :math:`W^{-1}` and
# bias :math:`-W^{-1} b`.

inverse = np.linalg.inv(to_ycc)
back = convdoc.conv2d(ycc, inverse[:, :, None, None], -inverse @ offset)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(back, x, atol=1e-12)
# sphinx_gallery_end_ignore
print(f"round trip RGB -> Y'CbCr -> RGB: max error {np.abs(back - x).max():.1e}")

fig, axes = plt.subplots(2, 3, figsize=(8, 6), facecolor="white", layout="constrained")
fig.suptitle("A 1x1 convolution turns RGB into Y'CbCr; another one turns it back")
panels = {
    (0, 0): (np.moveaxis(x, 0, -1), "input RGB"),
    (0, 2): (np.clip(np.moveaxis(back, 0, -1), 0, 1), "RGB from Y'CbCr"),
    (1, 0): (ycc[0], "Y' (brightness)"),
    (1, 1): (ycc[1], "Cb (blue - Y')"),
    (1, 2): (ycc[2], "Cr (red - Y')"),
}
for where, (img, title) in panels.items():
    axes[where].imshow(img, cmap="gray", vmin=0, vmax=1)
    axes[where].set_title(title, fontsize=9)
    axes[where].set_axis_off()

# The whole layer is this 3 x 3 matrix (plus the offset), drawn annotated.
ax = axes[0, 1]
ax.imshow(to_ycc, cmap="RdBu_r", vmin=-1, vmax=1)
for (r, c), v in np.ndenumerate(to_ycc):
    ax.text(c, r, f"{v:.3f}", ha="center", va="center", fontsize=8)
ax.set_xticks(range(3), ["R", "G", "B"])
ax.set_yticks(range(3), ["Y'", "Cb", "Cr"])
ax.set_title("the layer: weight[:, :, 0, 0]", fontsize=9)

# %%
# Most of the picture's detail lives in Y'; the two chroma channels are
# smooth and close to 0.5 (gray) except on the coloured flag and background,
# which is why JPEG can store them at lower resolution. The spread of each
# channel's Laplacian (a measure of fine detail) puts a number on it:

laplacian = convdoc.kernel2d("laplacian")
detail = {
    name: convdoc.correlate(channel, laplacian, mode="valid").std()
    for name, channel in zip(["Y'", "Cb", "Cr"], ycc, strict=True)
}
for name, value in detail.items():
    print(f"fine detail in {name:<3}: {value:.4f}")
# sphinx_gallery_start_ignore
assert detail["Y'"] > 2 * max(detail["Cb"], detail["Cr"])
# sphinx_gallery_end_ignore

# %%
# Why networks like 1x1 layers
# ----------------------------
# A 1x1 layer costs :math:`C_\text{out} C_\text{in}` weights, the cost of
# one 3 x 3 layer's single tap. A *bottleneck* squeezes many channels into a
# few with a 1x1 layer, does the expensive 3 x 3 work there, and expands back
# with another 1x1 layer. Counting the weights (biases left out) for 256
# channels squeezed to 64:

c, squeeze = 256, 64  # the channel counts in the text above
plain = c * c * 3 * 3
bottleneck = c * squeeze + squeeze * squeeze * 3 * 3 + squeeze * c
print(f"3x3 conv, {c} -> {c} channels:           {plain:>9,d} weights")
print(
    f"1x1 ({c}->{squeeze}), 3x3 ({squeeze}->{squeeze}), 1x1 ({squeeze}->{c}): "
    f"{bottleneck:>9,d} weights ({plain / bottleneck:.1f} x fewer)"
)

plt.show()

# sphinx_gallery_capture_repr = ()
