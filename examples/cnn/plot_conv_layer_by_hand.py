"""
A convolutional layer with hand-made filters
============================================

A convolutional layer is a bank of filters. Each filter looks at all input
channels through a small window, adds a bias, and the result goes through a
non-linearity, usually the ReLU :math:`\\max(0, \\cdot)`:

.. math::

   y_o = \\operatorname{ReLU}\\Big(b_o + \\sum_{c} x_c \\star w_{o,c}\\Big),
   \\qquad o = 1, \\dots, C_\\text{out}.

A trained network learns its weights. Here we set them by hand, each with a
purpose we can name, to see what the feature maps of a first layer look like,
and then count what the layer costs next to a fully connected layer that
would map the same input to the same output size.
"""

# %%
# The input: a small RGB image
# ----------------------------

import matplotlib.pyplot as plt
import numpy as np

import convdoc

x = np.moveaxis(convdoc.data.photo(step=4), -1, 0)  # (3, H, W): channels first
c_in, height, width = x.shape
print(f"input: {c_in} channels x {height} x {width}")

# %%
# Seven filters of shape 3 x 3 x 3
# --------------------------------
# The edge and blur filters apply the same 3 x 3 kernel to the brightness:
# one third of it on each colour channel. The colour filters read the
# channels with opposite signs. The biases are thresholds: after the ReLU,
# an edge filter with bias -0.3 reports only edges stronger than 0.3. The
# blur has no bias and no negative weights, so the ReLU leaves it untouched.

sobel_x = convdoc.kernel2d("sobel_x")
sobel_y = convdoc.kernel2d("sobel_y")
blur = convdoc.kernel2d("gaussian_blur")
centre = convdoc.kernel2d("identity")
outline = convdoc.kernel2d("outline")

filters = {
    "edge: dark to light, left to right": (np.stack([sobel_x / 3] * 3), -0.3),
    "edge: light to dark, left to right": (np.stack([-sobel_x / 3] * 3), -0.3),
    "edge: dark to light, top to bottom": (np.stack([sobel_y / 3] * 3), -0.3),
    "brighter than its ring": (np.stack([outline / 3] * 3), -0.3),
    "blur of the brightness": (np.stack([blur / 3] * 3), 0.0),
    "redder than green": (np.stack([blur, -blur, 0 * blur]), -0.05),
    "bluer than red": (np.stack([-centre, 0 * centre, centre]), -0.05),
}
weight = np.stack([w for w, _ in filters.values()])
bias = np.array([b for _, b in filters.values()])
print("weight:", weight.shape, "(C_out, C_in, K, K);  bias:", bias.shape)

# sphinx_gallery_start_ignore
assert weight.shape == (7, 3, 3, 3)  # the heading's "seven filters of shape 3 x 3 x 3"
# sphinx_gallery_end_ignore

# %%
# Run the layer
# -------------
# :func:`convdoc.conv2d` computes the sum over channels of 2-D
# cross-correlations plus the bias. The oracle is the same layer written as a
# matrix product: every 3 x 3 x 3 patch of the input becomes a row of 27
# numbers (the "im2col" trick deep-learning libraries use), and the 27-number
# weight vectors multiply those rows.

pre = convdoc.conv2d(x, weight, bias)
patches = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))
rows = patches.transpose(1, 2, 0, 3, 4).reshape(-1, c_in * 9)
oracle = (rows @ weight.reshape(len(filters), -1).T + bias).T.reshape(pre.shape)
print(f"conv2d equals the im2col product: {np.allclose(pre, oracle)}")

# sphinx_gallery_start_ignore
assert rows.shape[1] == weight[0].size == 27  # "a row of 27 numbers"
np.testing.assert_allclose(pre, oracle, atol=1e-12)
# sphinx_gallery_end_ignore

features = np.maximum(pre, 0)
print("feature maps:", features.shape)
for (name, _), fmap in zip(filters.items(), features, strict=True):
    print(f"  {name:<36} active at {100 * np.mean(fmap > 0):5.1f} % of positions")

# %%
# The feature maps
# ----------------
# Black is zero: the ReLU has cut every response below the threshold. The two
# vertical-edge filters split the outline of the face into its left and right
# sides. The "redder than green" filter is active over the whole face (skin
# has more red than green), but its strongest responses are the saturated red
# of the flag's stripes beside the shoulder and of the medal ribbons; the
# "bluer than red" filter lights up the blue background and the flag's blue
# canton. The numbers below say where the strongest responses are.

fig, axes = plt.subplots(2, 4, figsize=(9, 5.6), facecolor="white", layout="constrained")
fig.suptitle(f"A hand-made convolutional layer: input and {len(features)} ReLU feature maps")
axes[0, 0].imshow(np.moveaxis(x, 0, -1))
axes[0, 0].set_title("input (RGB)", fontsize=9)
for ax, (name, _), fmap in zip(axes.flat[1:], filters.items(), features, strict=True):
    ax.imshow(fmap, cmap="magma", vmin=0, vmax=max(np.percentile(fmap, 99.5), 1e-9))
    ax.set_title(name.replace(": ", ":\n"), fontsize=9)
for ax in axes.flat:
    ax.set_axis_off()

# %%
# Where do the colour filters respond most? The input's mean colour under
# each filter's strongest 1 % of responses, and how strong the face is:
# pixels coloured like skin (red above green above blue, not dark).

red, green, blue = x[:, 1:-1, 1:-1]  # the input pixel under each output
skin = (red > green) & (green > blue) & (green > 0.3)
for name in ("redder than green", "bluer than red"):
    fmap = features[list(filters).index(name)]
    strongest = fmap >= np.percentile(fmap, 99)
    r, g, b = x[:, 1:-1, 1:-1][:, strongest].mean(axis=1)
    print(f"{name}: strongest 1 % under mean RGB ({r:.2f}, {g:.2f}, {b:.2f}), "
          f"{np.mean(skin[strongest]):.0%} on skin; mean response there "
          f"{fmap[strongest].mean():.2f}, on skin {fmap[skin].mean():.2f}")

# sphinx_gallery_start_ignore
rg = features[list(filters).index("redder than green")]
top = rg >= np.percentile(rg, 99)
r, g, b = x[:, 1:-1, 1:-1][:, top].mean(axis=1)
assert r > 0.5 > 0.2 > max(g, b)  # saturated red: stripes and ribbons, not skin
assert np.mean(skin[top]) < 0.05
assert np.mean(skin[rg > 0]) > 0.5  # "active over the whole face"
assert rg[top].mean() > 2 * rg[skin].mean()
by = features[list(filters).index("bluer than red")]
top_b = by >= np.percentile(by, 99)
_, _, b_top = x[:, 1:-1, 1:-1][:, top_b].mean(axis=1)
r_top = x[0, 1:-1, 1:-1][top_b].mean()
assert b_top > r_top + 0.3  # blue background and canton
# sphinx_gallery_end_ignore

# %%
# What the layer costs
# --------------------
# A filter is reused at every position, so the layer's parameter count does
# not depend on the image size: :math:`C_\text{out} C_\text{in} K^2 +
# C_\text{out}`. Its multiply-adds do: one :math:`C_\text{in} K^2` dot product
# per output value. A fully connected layer producing the same number of
# outputs from the same input needs one weight per (input, output) pair.

c_out, _, kh, kw = weight.shape
n_in = x.size
n_out = features.size
conv_params = weight.size + bias.size
conv_macs = n_out * c_in * kh * kw
dense_params = n_in * n_out + n_out
dense_macs = n_in * n_out
print(f"{'':<22}{'parameters':>14}{'multiply-adds':>16}")
print(f"{'convolutional layer':<22}{conv_params:>14,d}{conv_macs:>16,d}")
print(f"{'dense layer':<22}{dense_params:>14,d}{dense_macs:>16,d}")
print(
    f"dense / conv: {dense_params / conv_params:,.0f} x the parameters, "
    f"{dense_macs / conv_macs:,.0f} x the multiply-adds"
)

# sphinx_gallery_start_ignore
assert conv_params == c_out * c_in * kh * kw + c_out
# sphinx_gallery_end_ignore

plt.show()

# sphinx_gallery_capture_repr = ()
