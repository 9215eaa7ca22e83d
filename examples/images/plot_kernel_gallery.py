"""
A gallery of image kernels
==========================

A 3x3 kernel is a tiny weighted template. Sliding it over a photograph and
summing the weighted pixels under it at every position gives a new image:
blurred, sharpened, or reduced to its edges, depending only on nine numbers.

This example passes one photograph (Grace Hopper, shipped with matplotlib)
through each named kernel of :data:`convdoc.KERNELS2D` and shows every result
beside the kernel that made it.

The kernels are laid over the image exactly as drawn, which is
cross-correlation (:func:`convdoc.correlate`):

.. math::

   g(y, x) = \\sum_{i} \\sum_{j} K(i, j)\\, f(y + i, x + j).

A true convolution (:func:`convdoc.convolve`) turns the kernel by 180 degrees
first. For the symmetric kernels that changes nothing; for Sobel and emboss it
flips the sign or the direction of the light, as checked at the end.

**Sign convention of the Sobel kernels.** Laid on the image as drawn (this
page), ``sobel_x`` (-1, 0, 1 across each row) is positive where the image gets
brighter to the right, and ``sobel_y`` (-1, -2, -1 on top) positive where it
gets brighter downwards. Convolved, as in the tutorial's first chapter, both
change sign: positive where the image gets *darker* to the right or downwards.
"""

# %%
# Load the photograph as a grayscale image
# ----------------------------------------
# The JPEG is an RGB photograph. Averaging 2 x 2 blocks halves each side
# (averaging aliases far less than dropping every other pixel would), and the
# Rec. 709 luma weights turn the three channels into one brightness value in
# [0, 1].

from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage

import convdoc

image = convdoc.data.photo(step=2, grey=True)
print(
    f"image: {image.shape[0]} x {image.shape[1]} pixels, values in "
    f"[{image.min():.3f}, {image.max():.3f}]"
)

# sphinx_gallery_start_ignore
# The sign convention stated above, on ramps brighter to the right and downwards.
_ramp = np.tile(np.arange(8.0), (8, 1))
for _name, _img in (("sobel_x", _ramp), ("sobel_y", _ramp.T)):
    _k = convdoc.kernel2d(_name)
    assert (convdoc.correlate(_img, _k, mode="valid") > 0).all()
    assert (convdoc.convolve(_img, _k, mode="valid") < 0).all()
# sphinx_gallery_end_ignore

# %%
# Filter with every kernel
# ------------------------
# ``mode="same"`` keeps the output the size of the input; the border is
# extended by mirroring (``boundary="symmetric"``) so that no dark frame of
# zeros leaks into the result. Each output is checked against
# :func:`scipy.ndimage.correlate`, whose ``"reflect"`` mode is the same mirror.

names = [
    "identity",
    "box_blur",
    "gaussian_blur",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "laplacian",
    "emboss",
    "outline",
]
kernels = {name: convdoc.kernel2d(name) for name in names}
filtered = {}
for name, k in kernels.items():
    out = convdoc.correlate(image, k, mode="same", boundary="symmetric")
    # sphinx_gallery_start_ignore
    np.testing.assert_allclose(out, ndimage.correlate(image, k, mode="reflect"), atol=1e-12)
    # sphinx_gallery_end_ignore
    filtered[name] = out

# sphinx_gallery_start_ignore
# The text's "3x3 kernel" and "nine numbers", for every kernel shown.
assert all(k.shape == (3, 3) for k in kernels.values())
# sphinx_gallery_end_ignore

# The gradient magnitude combines the two Sobel responses pixel by pixel; it
# is not one kernel but two, followed by a non-linear step.
filtered["gradient magnitude"] = np.hypot(filtered["sobel_x"], filtered["sobel_y"])

# %%
# The sum of a kernel's weights decides what it does to a flat region: a sum
# of 1 keeps the brightness (blurs, sharpen, emboss), a sum of 0 sends flat
# regions to 0 and keeps only change (edge and Laplacian detectors).

print(f"{'kernel':<15} {'sum':>5}  {'output min':>10} {'output max':>10}")
for name, k in kernels.items():
    out = filtered[name]
    print(f"{name:<15} {k.sum():5.2f}  {out.min():10.3f} {out.max():10.3f}")
    # sphinx_gallery_start_ignore
    np.testing.assert_allclose(out.mean(), image.mean() * k.sum(), atol=0.02)
    # sphinx_gallery_end_ignore

# %%
# Draw each kernel as an annotated matrix beside its result
# ---------------------------------------------------------
# Results of kernels that keep brightness (sum 1) are drawn on the input's
# scale, [0, 1], clipping overshoot. Results of kernels that sum to 0 are
# drawn on a gray scale centred on zero: mid-gray is 0, white positive, black
# negative. The gradient magnitude is never negative: black is 0.


def label(v: float) -> str:
    """A kernel weight as a short fraction when it is one, else 2 decimals."""
    frac = Fraction(float(v)).limit_denominator(64)
    return str(frac) if abs(float(frac) - v) < 1e-9 else f"{v:.2f}"


def draw_kernel(ax, k: np.ndarray) -> None:
    lim = np.abs(k).max()
    ax.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for (r, c), v in np.ndenumerate(k):
        dark = abs(v) > 0.6 * lim
        ax.text(
            c, r, label(v), ha="center", va="center", fontsize=8, color="white" if dark else "black"
        )
    ax.set_xticks([])
    ax.set_yticks([])


def draw_result(ax, out: np.ndarray, scale: str) -> None:
    # The 99th percentile, not the maximum, sets the contrast of edge maps: a
    # few very strong edges would otherwise wash every other edge to gray.
    lim = np.percentile(np.abs(out), 99)
    limits = {"unit": (0, 1), "signed": (-lim, lim), "magnitude": (0, lim)}[scale]
    ax.imshow(out, cmap="gray", vmin=limits[0], vmax=limits[1])
    ax.set_axis_off()


def scale_of(name: str) -> str:
    if name == "gradient magnitude":
        return "magnitude"
    return "signed" if abs(kernels[name].sum()) < 1e-9 else "unit"


panels = [*names[:6], "gradient magnitude", *names[6:]]
for first in (0, 5):
    fig, axes = plt.subplots(
        2, 5, figsize=(9, 4.6), height_ratios=[1, 2.2], facecolor="white", layout="constrained"
    )
    for col, name in enumerate(panels[first : first + 5]):
        if name == "gradient magnitude":
            axes[0, col].text(
                0.5,
                0.5,
                r"$\sqrt{G_x^2 + G_y^2}$" + "\n(Sobel x, y)",
                ha="center",
                va="center",
                fontsize=10,
            )
            axes[0, col].set_axis_off()
        else:
            draw_kernel(axes[0, col], kernels[name])
        axes[0, col].set_title(name.replace("_", " "), fontsize=10)
        draw_result(axes[1, col], filtered[name], scale_of(name))
    fig.suptitle("The photograph through each 3x3 kernel (top: kernel, bottom: result)")

# %%
# Convolution turns the kernel around
# -----------------------------------
# Convolving with a kernel equals correlating with the kernel rotated by 180
# degrees. The symmetric kernels give identical images either way; the
# Sobel kernels give exactly the negated edge map, and emboss lights the
# relief from the opposite corner.

for name in names:
    k = kernels[name]
    conv = convdoc.convolve(image, k, mode="same", boundary="symmetric")
    # sphinx_gallery_start_ignore
    np.testing.assert_allclose(
        conv, convdoc.correlate(image, k[::-1, ::-1], mode="same", boundary="symmetric"), atol=1e-12
    )
    # sphinx_gallery_end_ignore
    same = np.allclose(conv, filtered[name])
    negated = np.allclose(conv, -filtered[name])
    verdict = "same as correlation" if same else ("negated" if negated else "different")
    print(f"convolve with {name:<14}: {verdict}")
    # sphinx_gallery_start_ignore
    # The verdict follows from the kernel's own symmetry under a half turn.
    assert same == np.array_equal(k, k[::-1, ::-1])
    assert negated == np.array_equal(-k, k[::-1, ::-1])
    # sphinx_gallery_end_ignore

plt.show()

# %%
# Try your own kernel
# -------------------
# The playground below filters the same photograph in your browser, as
# :func:`convdoc.correlate` does with ``mode="same"``. Pick a preset or type
# the weights; switch to *convolve* and Sobel's response changes sign while
# emboss lights the relief from the opposite corner. *Grey levels* says how a
# result becomes a pixel: *clip* (below 0 black, above 255 white) suits kernels
# that sum to 1, *rescale* (smallest result black, largest white) suits edge
# detectors, which sum to 0. Hover over or tap a pixel of the result to see its
# neighbourhood, the products and their sum.

from convdoc.explore import ImagePlayground

ImagePlayground(kernel="sobel_x", levels="rescale")

# sphinx_gallery_capture_repr = ("_repr_html_",)
