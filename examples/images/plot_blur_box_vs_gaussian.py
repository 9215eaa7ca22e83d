"""
Box blur versus Gaussian blur
=============================

Both blurs replace each pixel by a weighted average of its neighbourhood. The
box blur weighs every neighbour in an ``n x n`` square equally; the Gaussian
blur weighs them by

.. math::

   K(i, j) \\propto \\exp\\left(-\\frac{i^2 + j^2}{2\\sigma^2}\\right),

normalized so the weights sum to 1. Because of that normalization
:math:`\\sigma` does not set how *tall* the kernel is: it sets how *wide*
it is. A larger :math:`\\sigma` spreads the same total weight over more
pixels, so the peak gets lower and the blur stronger.

Here each box is paired with the Gaussian of the same spread (the same
standard deviation of the weights), so the two differ only in shape.
"""

# %%
# The image and the kernel pairs
# ------------------------------
# A box of :math:`K` taps has variance :math:`(K^2 - 1)/12`; the matching
# Gaussian gets :math:`\sigma = \sqrt{(K^2 - 1)/12}` and is cut just past
# :math:`\pm 4\sigma`, where a weight is at most :math:`e^{-8}` of the peak
# (the last column of the table).

import matplotlib.pyplot as plt
import numpy as np
from scipy import signal

import convdoc


def spread(taps: np.ndarray) -> float:
    """Standard deviation of a 1-D kernel's weights about its centre."""
    t = np.arange(taps.size) - (taps.size - 1) / 2
    return float(np.sqrt(np.sum(taps * t**2) / np.sum(taps)))


image = convdoc.data.photo(step=2, grey=True)
sizes = [3, 7, 15, 25]
# sphinx_gallery_start_ignore
assert {15, 25} <= set(sizes)  # the sizes the text below looks at
# sphinx_gallery_end_ignore
pairs = []
print(
    f"{'box n':>5} {'box spread':>10} {'sigma':>6} {'gaussian spread':>15} "
    f"{'gaussian taps':>13} {'edge / peak':>11}"
)
for n in sizes:
    box = convdoc.box_kernel(n)
    sigma = np.sqrt((n**2 - 1) / 12)
    gauss = convdoc.gaussian_kernel(2 * int(np.ceil(4 * sigma)) + 1, sigma)
    edge = gauss[0] / gauss.max()
    # sphinx_gallery_start_ignore
    np.testing.assert_allclose(spread(box), sigma)
    np.testing.assert_allclose(spread(gauss), sigma, rtol=1e-3)
    assert edge <= np.exp(-8)
    # sphinx_gallery_end_ignore
    print(
        f"{n:5d} {spread(box):10.3f} {sigma:6.3f} {spread(gauss):15.3f} {gauss.size:13d} "
        f"{edge:11.1e}"
    )
    box2 = convdoc.box_kernel((n, n))
    gauss2 = convdoc.gaussian_kernel2d(gauss.size, sigma)
    pairs.append((n, sigma, box2, gauss2))

# %%
# Blur the photograph with each kernel
# ------------------------------------
# The border is mirrored (``boundary="symmetric"``) so the picture does not
# fade to black at the edges. The oracle is SciPy's FFT convolution of the
# mirrored image.


def blur(k: np.ndarray) -> np.ndarray:
    out = convdoc.convolve(image, k, mode="same", boundary="symmetric")
    r = k.shape[0] // 2
    # sphinx_gallery_start_ignore
    oracle = signal.fftconvolve(np.pad(image, r, mode="symmetric"), k, mode="valid")
    np.testing.assert_allclose(out, oracle, atol=1e-10)
    # sphinx_gallery_end_ignore
    return out


fig, axes = plt.subplots(2, len(sizes), figsize=(9, 5.8), facecolor="white", layout="constrained")
fig.suptitle("Box blur (top) and Gaussian blur of the same spread (bottom)")
for col, (n, sigma, box2, gauss2) in enumerate(pairs):
    for row, (k, title) in enumerate(
        [(box2, f"box {n} x {n}"), (gauss2, f"Gaussian, sigma = {sigma:.2f}")]
    ):
        axes[row, col].imshow(blur(k), cmap="gray", vmin=0, vmax=1)
        axes[row, col].set_title(title, fontsize=10)
        axes[row, col].set_axis_off()

# %%
# At small sizes the two look alike. At large sizes the box leaves blocky,
# square-cornered smears (look at the face and the cap at 15 and 25) while the
# Gaussian stays smooth and round: its weights fade out gradually instead of
# stopping at the edge of a square.
#
# Sigma sets the width, not the height
# ------------------------------------
# The 1-D profiles make the point of the introduction visible: every kernel
# sums to 1, so as :math:`\sigma` grows the peak drops and the weights spread.
# The spread measured from the taps equals :math:`\sigma`.

fig, ax = plt.subplots(figsize=(8, 3.6), facecolor="white", layout="constrained")
for _n, sigma, box2, gauss2 in pairs:
    # Row sums of outer(g, g) are g * sum(g) = g: the 1-D kernel back.
    g = gauss2.sum(axis=1)
    t = np.arange(g.size) - (g.size - 1) / 2
    (line,) = ax.plot(t, g, marker=".", label=f"sigma = {sigma:.2f} (peak {g.max():.3f})")
    b = box2.sum(axis=1)
    tb = np.arange(b.size) - (b.size - 1) / 2
    ax.step(tb, b, where="mid", color=line.get_color(), alpha=0.5, linestyle="--")
    # sphinx_gallery_start_ignore
    np.testing.assert_allclose([g.sum(), b.sum()], 1.0)
    # sphinx_gallery_end_ignore
ax.set_xlabel("offset from centre (pixels)")
ax.set_ylabel("weight")
ax.set_title("1-D Gaussian kernels (solid) and boxes of the same spread (dashed)")
ax.legend(fontsize=9)

plt.show()

# sphinx_gallery_capture_repr = ()
