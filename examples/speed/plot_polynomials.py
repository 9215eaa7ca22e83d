"""
Multiplying polynomials is convolution
======================================

Multiply :math:`p(t) = \\sum_i a_i t^i` by :math:`q(t) = \\sum_j b_j t^j`.
Every term :math:`a_i t^i` meets every term :math:`b_j t^j` and lands on the
power :math:`t^{i+j}`, so the coefficient of :math:`t^n` in the product
collects all pairs with :math:`i + j = n`:

.. math::

   c_n = \\sum_{i} a_i\\, b_{n - i},

which is the convolution of the two coefficient sequences, ``full`` mode
(degree :math:`d_p + d_q`, so :math:`n + k - 1` coefficients).
"""

# %%
# One product, checked against NumPy
# ----------------------------------
# :math:`p(t) = 1 + 2t + 3t^2` and :math:`q(t) = 4 - t + 5t^2 + 2t^3`,
# coefficients listed from the constant term up.

import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial import polynomial as P
from scipy import special

import convdoc

a = np.array([1, 2, 3])
b = np.array([4, -1, 5, 2])
c = convdoc.convolve(a, b)
print("coefficients of p*q:", c)

# numpy.polymul lists coefficients from the highest power down; convolution
# does not care about the order as long as both inputs use the same one.
np.testing.assert_array_equal(c, np.polymul(a[::-1], b[::-1])[::-1])
np.testing.assert_array_equal(c, P.polymul(a, b))
t = np.linspace(-2, 2, 9)
np.testing.assert_allclose(P.polyval(t, c), P.polyval(t, a) * P.polyval(t, b))
print("integer inputs stay integers:", c.dtype)

# %%
# Where the sum comes from
# ------------------------
# Write every product :math:`a_i b_j` in a table. The terms of one power of
# :math:`t` lie on an anti-diagonal (:math:`i + j` constant); adding each
# anti-diagonal gives the coefficients, one output of the convolution each.

table = np.outer(a, b)
for n_power in range(c.size):
    diagonal = sum(table[i, n_power - i] for i in range(a.size) if 0 <= n_power - i < b.size)
    assert diagonal == c[n_power]

fig, (ax, ax_c) = plt.subplots(
    1, 2, figsize=(8.5, 3.6), facecolor="white", layout="constrained", width_ratios=[b.size, c.size]
)
# Titles in plain Unicode, not $...$ mathtext: sphinx-gallery turns them into
# the image's alt text, which a screen reader would read as TeX source.
fig.suptitle("Polynomial product: add the table of aᵢ·bⱼ along anti-diagonals")
colors = plt.cm.tab10(np.arange(c.size))
ii, jj = np.indices(table.shape)
ax.imshow(colors[ii + jj, :3] * 0.35 + 0.65)
for (i, j), v in np.ndenumerate(table):
    ax.text(j, i, f"{v}", ha="center", va="center", fontsize=11)
ax.set_xticks(range(b.size), [f"$b_{j}={b[j]}$" for j in range(b.size)])
ax.set_yticks(range(a.size), [f"$a_{i}={a[i]}$" for i in range(a.size)])
ax.xaxis.tick_top()
ax.set_title("products aᵢ·bⱼ, coloured by i + j", fontsize=10)
ax_c.imshow(colors[None, :, :3] * 0.35 + 0.65)
for n_power, v in enumerate(c):
    ax_c.text(n_power, 0, f"{v}", ha="center", va="center", fontsize=11)
ax_c.set_xticks(range(c.size), [f"$t^{n_power}$" for n_power in range(c.size)])
ax_c.set_yticks([])
ax_c.set_title("anti-diagonal sums = coefficients of p·q", fontsize=10)

# %%
# Long multiplication of integers
# -------------------------------
# A number is a polynomial in :math:`t = 10` with its digits as
# coefficients. Convolve the digits, then carry: that is schoolbook long
# multiplication. (Large-integer libraries do the convolution by FFT.)

m1, m2 = 31415926, 2718281
digits1 = np.array([int(d) for d in str(m1)[::-1]])  # ones digit first
digits2 = np.array([int(d) for d in str(m2)[::-1]])
columns = convdoc.convolve(digits1, digits2)
print("column sums before carrying:", columns)
value = sum(int(v) * 10**power for power, v in enumerate(columns))
assert value == m1 * m2
print(f"{m1} x {m2} = {value}")

# %%
# Pascal's triangle
# -----------------
# :math:`(1 + t)^n` is :math:`n` convolutions with ``[1, 1]``; its
# coefficients are the binomial coefficients.

power = 10
row = np.array([1])
for n_power in range(1, power + 1):
    row = convdoc.convolve(row, np.array([1, 1]))
    np.testing.assert_array_equal(row, special.comb(n_power, np.arange(n_power + 1), exact=False))
print(f"(1 + t)^{power}:", row)

plt.show()

# sphinx_gallery_capture_repr = ()
