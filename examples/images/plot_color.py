"""
Colour images: filtering each channel, or mixing channels
=========================================================

A colour image is three images stacked: red, green and blue, an array of
shape ``(3, H, W)``. There are two quite different ways to convolve it.

* **Per channel.** Filter red with a kernel, green with the same kernel,
  blue with the same kernel, and stack the results. A blur done this way
  blurs the picture without changing its colours.
* **Across channels.** A convolutional layer (:func:`convdoc.conv2d`) takes a
  weight of shape ``(C_out, C_in, K, K)``: every output channel has one
  ``K x K`` kernel *per input channel* and adds up all their responses,

  .. math::

     y_o = b_o + \\sum_{c=1}^{C_\\text{in}} x_c \\star w_{o,c},

  where :math:`\\star` is 2-D cross-correlation. Output channels can
  therefore compare colours, which per-channel filtering never does.
"""

# %%
# The image as a (3, H, W) array
# ------------------------------

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

import convdoc

x = np.moveaxis(convdoc.data.photo(step=2), -1, 0)  # (3, H, W): channels first
print("image x:", x.shape, "(channels, height, width)")

# %%
# Per-channel blur
# ----------------
# Each channel is blurred on its own with the same 9 x 9 Gaussian. In
# ``conv2d`` terms that is a ``(3, 3, 9, 9)`` weight whose only non-zero
# kernels sit on the diagonal: output red sees only input red, and so on.

h = convdoc.gaussian_kernel2d(9, 2.0)
per_channel = np.stack([convdoc.correlate(x[c], h, mode="valid") for c in range(3)])

diagonal = np.zeros((3, 3, *h.shape))
for c in range(3):
    diagonal[c, c] = h
as_layer = convdoc.conv2d(x, diagonal)
print("per-channel blur:", per_channel.shape, f"equals conv2d with a diagonal "
      f"{diagonal.shape} weight: {np.allclose(as_layer, per_channel)}")

# sphinx_gallery_start_ignore
assert h.shape == (9, 9)  # "the same 9 x 9 Gaussian"
np.testing.assert_allclose(as_layer, per_channel, atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# Channel-mixing filters
# ----------------------
# Now three output channels that each combine all three inputs, in the
# spirit of the colour-opponent cells of the retina:
#
# 0. *brightness*: the average of R, G and B, blurred a little;
# 1. *red centre, green surround*: a narrow red spot minus a wide green
#    ring, positive where a patch is redder than its neighbourhood;
# 2. *blue versus yellow*: blue minus the mean of red and green, blurred.
#
# Every kernel is a Gaussian (summing to 1) scaled by a signed factor; the mix
# is in which input channel it reads and with which sign. The sums of the
# kernels, printed below, tell how each output answers a uniform patch: the
# brightness kernels are thirds that add up to 1, so a flat patch keeps its
# value; the red-green pair sums to +1 and -1 and the blue-yellow kernels to
# +1, -1/2 and -1/2, so their totals cancel and on a uniform gray patch
# channels 1 and 2 give exactly 0: they answer to colour contrast, not to
# brightness.

K = 9
narrow = convdoc.gaussian_kernel2d(K, 1.0)
wide = convdoc.gaussian_kernel2d(K, 3.0)
weight = np.zeros((3, 3, K, K))
weight[0, :] = narrow / 3
weight[1, 0] = narrow
weight[1, 1] = -wide
weight[2, 2] = wide
weight[2, 0] = weight[2, 1] = -wide / 2
bias = np.zeros(3)

y = convdoc.conv2d(x, weight, bias, padding="same")
print("weight:", weight.shape, "(C_out, C_in, K, K)")
print("output y:", y.shape, "(C_out, height, width)")
sums = weight.sum(axis=(2, 3))
for o, name in enumerate(("brightness", "red-green", "blue-yellow")):
    print(f"out {o} ({name}): kernel sums on R, G, B = "
          f"{', '.join(f'{v:+.3f}' for v in sums[o])}; total {sums[o].sum():+.3f}")

# sphinx_gallery_start_ignore
from scipy import signal

# The text's sums: thirds adding to 1; +1, -1; -1/2, -1/2, +1; each total as said.
np.testing.assert_allclose(sums, [[1 / 3] * 3, [1, -1, 0], [-0.5, -0.5, 1]], atol=1e-12)
# The oracle is the formula above, written with scipy.signal.correlate2d
# (zero padding, "same" size).
oracle = np.stack(
    [
        bias[o] + sum(signal.correlate2d(x[c], weight[o, c], mode="same") for c in range(3))
        for o in range(3)
    ]
)
np.testing.assert_allclose(y, oracle, atol=1e-12)

gray = np.full((3, 20, 20), 0.5)
flat = convdoc.conv2d(gray, weight, bias)
np.testing.assert_allclose(flat[1:], 0, atol=1e-12)
np.testing.assert_allclose(flat[0], 0.5, atol=1e-12)
# sphinx_gallery_end_ignore

# %%
# The picture
# -----------
# Per-channel filtering keeps the colours; the mixing layer turns the image
# into maps of colour contrast. The opponent maps use colour scales that run
# through gray at 0: the red-green map is red where the photo is redder than
# its surround (the stripes of the flag, the lips) and green where it is
# greener (the blue background, which has more green than red in it); the
# blue-yellow map is blue on the background and the flag's canton and yellow
# on skin.

red_green = LinearSegmentedColormap.from_list("rg", ["#1a9850", "#f0f0f0", "#d73027"])
blue_yellow = LinearSegmentedColormap.from_list("by", ["#d8b300", "#f0f0f0", "#2c5fb8"])
fig, axes = plt.subplots(2, 3, figsize=(8, 6), facecolor="white", layout="constrained")
fig.suptitle("Per-channel filtering keeps colours; a multi-channel layer mixes them")
panels = [
    (np.moveaxis(x, 0, -1), None, "input (RGB)"),
    (np.moveaxis(per_channel, 0, -1), None, "per-channel blur"),
    (y[0], "gray", "out 0: brightness"),
    (y[1], red_green, "out 1: red centre - green surround"),
    (y[2], blue_yellow, "out 2: blue - yellow"),
]
for ax, (img, cmap, title) in zip(axes.flat, panels, strict=False):
    if cmap is None or cmap == "gray":
        ax.imshow(np.clip(img, 0, 1), cmap=cmap, vmin=0, vmax=1)
    else:
        lim = np.percentile(np.abs(img), 99)
        ax.imshow(img, cmap=cmap, vmin=-lim, vmax=lim)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()

# The last panel shows how output channel 1 reads its inputs: the middle row
# of its red kernel and of its green kernel.
ax = axes[1, 2]
offsets = np.arange(K) - K // 2
ax.plot(offsets, weight[1, 0, K // 2], "o-", color="#d73027", label="weight on red")
ax.plot(offsets, weight[1, 1, K // 2], "s-", color="#1a9850", label="weight on green")
ax.axhline(0, color="gray", linewidth=0.8)
ax.set_xlabel("offset from centre (pixels)")
ax.set_title("out 1: middle row of its kernels", fontsize=9)
ax.legend(fontsize=8)

# %%
# Counting the weights makes the difference concrete: the per-channel blur
# has 9 x 9 numbers (one kernel, reused), the mixing layer
# ``C_out x C_in x 9 x 9`` plus one bias per output channel.

print(f"per-channel blur parameters: {h.size}")
print(f"mixing layer parameters: {weight.size} + {bias.size} bias = {weight.size + bias.size}")

# sphinx_gallery_start_ignore
assert h.size == 9 * 9 and weight.shape[2:] == (9, 9)  # the sizes in the text above
# sphinx_gallery_end_ignore

plt.show()

# sphinx_gallery_capture_repr = ()
