"""
Pooling and the receptive field
===============================

A pooling layer slides a window like a convolution but, instead of a weighted
sum, keeps the largest value (max pooling) or the mean (average pooling).
With a stride equal to the window it shrinks the image by that factor.

Shrinking matters for what deeper layers can see. The **receptive field** of
an output value is the set of input pixels that can change it. One 3 x 3
convolution sees 3 x 3 pixels; stacking layers widens the view, and each
stride or pooling step multiplies how far the next layer's window reaches.
Layer by layer, with :math:`r` the receptive-field size and :math:`j` the
distance in input pixels between neighbouring outputs (the *jump*),

.. math::

   r_\\text{out} = r_\\text{in} + (K - 1)\\, d\\, j_\\text{in},
   \\qquad
   j_\\text{out} = j_\\text{in}\\, s,

for a layer with window :math:`K`, dilation :math:`d` and stride :math:`s`,
starting from :math:`r = j = 1` at the input.
"""

# %%
# Max and average pooling
# -----------------------

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import convdoc

image = convdoc.data.photo(step=2, grey=True)
p = 6
maxed = convdoc.max_pool2d(image, p)
averaged = convdoc.avg_pool2d(image, p)

# With stride == window (the default) the windows tile the image, so the
# oracle is a reshape into p x p blocks.
h, w = (n // p for n in image.shape)
blocks = image[: h * p, : w * p].reshape(h, p, w, p)
# sphinx_gallery_start_ignore
np.testing.assert_allclose(maxed, blocks.max(axis=(1, 3)))
np.testing.assert_allclose(averaged, blocks.mean(axis=(1, 3)))
# sphinx_gallery_end_ignore
print(f"image {image.shape} -> {p} x {p} pooling -> {maxed.shape}")

fig, axes = plt.subplots(1, 3, figsize=(9, 3.9), facecolor="white", layout="constrained")
fig.suptitle(f"{p} x {p} pooling with stride {p}: max keeps bright details, mean smooths")
for ax, img, title in [
    (axes[0], image, f"input {image.shape[0]} x {image.shape[1]}"),
    (axes[1], maxed, f"max_pool2d -> {maxed.shape[0]} x {maxed.shape[1]}"),
    (axes[2], averaged, f"avg_pool2d -> {averaged.shape[0]} x {averaged.shape[1]}"),
]:
    ax.imshow(img, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()

# %%
# Max pooling keeps the brightest pixel of each block, so thin bright things
# (the white collar, the stars) survive and dark gaps close up; average
# pooling is a box blur sampled every ``p`` pixels.
#
# The receptive field of a small stack
# ------------------------------------
# Six layers, all without padding: two 3 x 3 convolutions, a 2 x 2 max pool
# with stride 2, a 3 x 3 convolution with dilation 2, another 2 x 2 max pool
# and a last 3 x 3 convolution.

layers = [
    ("conv 3x3", "conv", 3, 1, 1),
    ("conv 3x3", "conv", 3, 1, 1),
    ("max pool 2, stride 2", "pool", 2, 2, 1),
    ("conv 3x3, dilation 2", "conv", 3, 1, 2),
    ("max pool 2, stride 2", "pool", 2, 2, 1),
    ("conv 3x3", "conv", 3, 1, 1),
]

# sphinx_gallery_start_ignore
assert len(layers) == 6  # "six layers"
# sphinx_gallery_end_ignore
r, j = 1, 1
fields = [r]
jumps = [j]
print(f"{'layer':<22} {'K':>2} {'s':>2} {'d':>2} {'r':>4} {'j':>3}")
print(f"{'input':<22} {'':>2} {'':>2} {'':>2} {r:4d} {j:3d}")
for name, _, k, s, d in layers:
    r, j = r + (k - 1) * d * j, j * s
    fields.append(r)
    jumps.append(j)
    print(f"{name:<22} {k:2d} {s:2d} {d:2d} {r:4d} {j:3d}")

# %%
# Check it empirically
# --------------------
# Run the stack on impulses. With non-negative weights (all ones) and a
# black, all-zero background every layer is monotone: making an input pixel
# brighter can only make outputs brighter. So an input pixel is in the
# receptive field of an output exactly when an impulse on that pixel makes
# the output positive, and one pass with *every* pixel outside the predicted
# field lit at once must leave the output at exactly 0. Integer images and
# weights keep every sum exact, so "exactly 0" means what it says.


def stack(img: np.ndarray) -> np.ndarray:
    for _, kind, k, s, d in layers:
        if kind == "conv":
            img = convdoc.conv2d(img, np.ones((k, k), dtype=int), stride=s, dilation=d)
        else:
            # max_pool2d returns floats; the maximum of integers is one of them.
            img = convdoc.max_pool2d(img, k, stride=s).astype(int)
    return img


n = 2 * r + 8
out_shape = stack(np.zeros((n, n), dtype=int)).shape
probe = (out_shape[0] // 2, out_shape[1] // 2)  # an output in the middle of the final map
predicted = np.zeros((n, n), dtype=bool)
start = tuple(o * j for o in probe)  # unpadded layers: output o starts at o * j
predicted[start[0] : start[0] + r, start[1] : start[1] + r] = True

inside_hits = 0
for y0, x0 in zip(*np.nonzero(predicted), strict=True):
    pulse = np.zeros((n, n), dtype=int)
    pulse[y0, x0] = 1
    inside_hits += stack(pulse)[probe] > 0
outside = stack((~predicted).astype(int))[probe]
print(f"input {n} x {n}, output {out_shape}, probe output {probe}")
print(f"impulses inside the predicted {r} x {r} field that reach the probe: "
      f"{inside_hits} of {predicted.sum()}")
print(f"probe value with all {(~predicted).sum()} outside pixels lit: {outside}")
# sphinx_gallery_start_ignore
assert inside_hits == predicted.sum() == r * r
assert outside == 0
# sphinx_gallery_end_ignore

# %%
# The receptive fields drawn on the photograph
# --------------------------------------------
# For one output pixel of each layer, the square of input pixels it can see,
# drawn centred on the same spot of the face (a 64 x 64 pixel crop). The
# field grows fastest after the pooling layers: from then on each step of a
# 3 x 3 window spans 2, then 4, input pixels.

fig, ax = plt.subplots(figsize=(6, 6), facecolor="white", layout="constrained")
# sphinx_gallery_start_ignore
# The text's numbers: a 3 x 3 window spans 2, then 4, input pixels per step
# after the two pools (the jump), and the crop is 64 x 64 pixels.
assert [jumps[i + 1] for i, (_, kind, *_) in enumerate(layers) if kind == "pool"] == [2, 4]
# sphinx_gallery_end_ignore
half_crop = 32
centre = (120, 105)  # (row, column) on the image
# sphinx_gallery_start_ignore
assert 2 * half_crop == 64
assert all(half_crop <= c <= size - half_crop for c, size in zip(centre, image.shape, strict=True))
# sphinx_gallery_end_ignore
crop = tuple(slice(c - half_crop, c + half_crop) for c in centre)
edge = half_crop - 0.5
ax.imshow(image[crop], cmap="gray", vmin=0, vmax=1, extent=(-edge - 1, edge, edge, -edge - 1))
names = ["input", *(name for name, *_ in layers)]
colors = plt.cm.viridis(np.linspace(0, 0.95, len(fields)))
for i, (size, name, color) in enumerate(zip(fields, names, colors, strict=True)):
    ax.add_patch(Rectangle((-size / 2, -size / 2), size, size, fill=False, edgecolor=color,
                           linewidth=2, label=f"after {i} layers ({name}): {size} x {size}"))
ax.set_title("Receptive field of one output pixel, layer by layer")
ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
ax.set_axis_off()

plt.show()

# sphinx_gallery_capture_repr = ()
# sphinx_gallery_thumbnail_number = 2
