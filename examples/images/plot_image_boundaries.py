"""
What happens at the border of an image
======================================

Near the border of an image part of the kernel hangs over the edge, where
there are no pixels. To keep the output the same size as the input
(``mode="same"``) something has to be assumed about the pixels out there.
:func:`convdoc.convolve` offers the five choices of :func:`numpy.pad`:

* ``constant``: a fixed value (``fillvalue``, 0 by default: black);
* ``edge``: repeat the last pixel outward;
* ``reflect``: mirror about the last pixel (``... c b | a b c ...``);
* ``symmetric``: mirror about the border itself (``... b a | a b c ...``);
* ``wrap``: continue with the opposite side of the image, as if it tiled
  the plane.

The difference only shows within a kernel radius of the border, so this
example zooms on the top-right corner of the photograph after a wide
Gaussian blur.
"""

# %%
# Blur with each boundary rule
# ----------------------------
# The kernel is a 2-D Gaussian with :math:`\sigma = 6` pixels, 37 x 37 taps,
# so it reaches 18 pixels past the border. Each result is checked against
# :func:`scipy.ndimage.convolve1d` applied along both axes (the Gaussian is
# separable), whose mode names differ: ``nearest`` is our ``edge``,
# ``mirror`` our ``reflect``, ``reflect`` our ``symmetric``.

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage

import convdoc

image = convdoc.data.photo(step=2, grey=True)
sigma, size = 6.0, 37
radius = size // 2
# sphinx_gallery_start_ignore
assert (sigma, size, radius) == (6.0, 37, 18)  # the numbers in the text above
# sphinx_gallery_end_ignore
g = convdoc.gaussian_kernel(size, sigma)
kernel = convdoc.gaussian_kernel2d(size, sigma)

scipy_mode = {
    "constant": "constant",
    "edge": "nearest",
    "reflect": "mirror",
    "symmetric": "reflect",
    "wrap": "wrap",
}
blurred = {}
for boundary, mode in scipy_mode.items():
    out = convdoc.convolve(image, kernel, mode="same", boundary=boundary)
    # sphinx_gallery_start_ignore
    oracle = ndimage.convolve1d(
        ndimage.convolve1d(image, g, axis=0, mode=mode), g, axis=1, mode=mode
    )
    np.testing.assert_allclose(out, oracle, atol=1e-10)
    # sphinx_gallery_end_ignore
    blurred[boundary] = out

# %%
# Away from the border every rule gives the same pixels: they differ only
# where the kernel reaches past the edge, less than one kernel radius (18
# pixels) in.

rr, cc = np.indices(image.shape)
to_border = np.minimum.reduce([rr, image.shape[0] - 1 - rr, cc, image.shape[1] - 1 - cc])
for boundary, out in blurred.items():
    if boundary == "symmetric":
        continue
    differs = ~np.isclose(out, blurred["symmetric"], atol=1e-9)
    band = to_border[differs].max()
    print(
        f"{boundary:<9} differs from symmetric at {differs.sum():5d} pixels, "
        f"all within {band} px of the border"
    )
    # sphinx_gallery_start_ignore
    assert band < radius
    # sphinx_gallery_end_ignore

# %%
# Zoom on the top-right corner
# ----------------------------
# The top row shows what the kernel sees: the image extended by 18 pixels
# with each rule (the dashed line is the real border). The bottom row is the
# blurred image in the same window. Constant padding pulls black into the
# gray background and darkens the corner; ``wrap`` pulls in the dark jacket
# from the bottom of the picture and the flag from its left edge; the three
# copying rules keep the corner as gray as the background around it.

view = 60
h, w = image.shape
fig, axes = plt.subplots(2, 5, figsize=(9, 3.9), facecolor="white", layout="constrained")
fig.suptitle("Top-right corner: the extended image (top) and the blurred result (bottom)")
for col, boundary in enumerate(scipy_mode):
    pad = (
        {"mode": boundary} if boundary != "constant" else {"mode": "constant", "constant_values": 0}
    )
    grid = np.pad(image, radius, **pad)
    # Grid rows [0, radius + view) and the last view + radius columns: the
    # corner plus the added margin above and to the right.
    corner = grid[: radius + view, -(view + 2 * radius) :]
    ax = axes[0, col]
    ax.imshow(
        corner,
        cmap="gray",
        vmin=0,
        vmax=1,
        extent=(w - view - radius - 0.5, w + radius - 0.5, view - 0.5, -radius - 0.5),
    )
    ax.axhline(-0.5, color="C1", linestyle="--", linewidth=1)
    ax.axvline(w - 0.5, color="C1", linestyle="--", linewidth=1)
    ax.set_title(boundary, fontsize=10)
    ax.set_axis_off()
    limits = ax.get_xlim(), ax.get_ylim()
    ax = axes[1, col]
    ax.imshow(
        blurred[boundary][:view, -(view + radius) :],
        cmap="gray",
        vmin=0,
        vmax=1,
        extent=(w - view - radius - 0.5, w - 0.5, view - 0.5, -0.5),
    )
    # Same window as above, so each output pixel sits under its input pixel.
    ax.set_xlim(limits[0])
    ax.set_ylim(limits[1])
    ax.axhline(-0.5, color="C1", linestyle="--", linewidth=1)
    ax.axvline(w - 0.5, color="C1", linestyle="--", linewidth=1)
    ax.set_axis_off()

# %%
# The mean brightness of the 10 x 10 corner pixels puts numbers on it.

c = 10  # the corner's side, as in the text
corner_mean = {boundary: out[:c, -c:].mean() for boundary, out in blurred.items()}
print(f"{'rule':<9} corner mean   (unblurred: {image[:c, -c:].mean():.3f})")
for boundary, value in corner_mean.items():
    print(f"{boundary:<9} {value:.3f}")
copying = [corner_mean[b] for b in ("edge", "reflect", "symmetric")]
# sphinx_gallery_start_ignore
assert corner_mean["constant"] < corner_mean["wrap"] < min(copying)
# sphinx_gallery_end_ignore

plt.show()

# sphinx_gallery_capture_repr = ()
