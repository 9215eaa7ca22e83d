"""
Multiplying polynomials is convolution
======================================

Multiply :math:`p(t) = \\sum_i a_i t^i` by :math:`q(t) = \\sum_j b_j t^j`.
Every term :math:`a_i t^i` meets every term :math:`b_j t^j` and lands on the
power :math:`t^{i+j}`, so the coefficient of :math:`t^n` in the product
collects all pairs with :math:`i + j = n`:

.. math::

   c_n = \\sum_{i} a_i\\, b_{n - i},

which is the convolution of the two coefficient sequences, ``full`` mode:
with :math:`N` and :math:`K` coefficients (degrees :math:`N - 1` and
:math:`K - 1`) the product has degree :math:`N + K - 2`, so
:math:`N + K - 1` coefficients.
"""

# %%
# One product, checked against NumPy
# ----------------------------------
# :math:`p(t) = 1 + 2t + 3t^2` and :math:`q(t) = 4 - t + 5t^2 + 2t^3`,
# coefficients listed from the constant term up.

import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial import polynomial as P

import convdoc

a = np.array([1, 2, 3])
b = np.array([4, -1, 5, 2])
c = convdoc.convolve(a, b)
print(f"coefficients of p*q: {c} (integer inputs stay integers: {c.dtype})")
print("numpy.polynomial.polynomial.polymul gives", P.polymul(a, b))

# sphinx_gallery_start_ignore
# numpy.polymul lists coefficients from the highest power down; convolution
# does not care about the order as long as both inputs use the same one.
np.testing.assert_array_equal(c, np.polymul(a[::-1], b[::-1])[::-1])
np.testing.assert_array_equal(c, P.polymul(a, b))
t = np.linspace(-2, 2, 9)
np.testing.assert_allclose(P.polyval(t, c), P.polyval(t, a) * P.polyval(t, b))
assert c.size == a.size + b.size - 1
# sphinx_gallery_end_ignore

# %%
# Where the sum comes from
# ------------------------
# Write every product :math:`a_i b_j` in a table. The terms of one power of
# :math:`t` lie on an anti-diagonal (:math:`i + j` constant); adding each
# anti-diagonal gives the coefficients, one output of the convolution each.

table = np.outer(a, b)

# sphinx_gallery_start_ignore
for n_power in range(c.size):
    diagonal = sum(table[i, n_power - i] for i in range(a.size) if 0 <= n_power - i < b.size)
    assert diagonal == c[n_power]
# sphinx_gallery_end_ignore

fig, (ax, ax_c) = plt.subplots(
    1, 2, figsize=(8.5, 3.6), facecolor="white", layout="constrained", width_ratios=[b.size, c.size]
)
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
# multiplication, :math:`N K` digit products. Big-integer libraries use it
# only for short numbers. As the numbers grow they switch to divide-and-conquer
# splittings that need fewer products, Karatsuba's and then Toom-Cook's
# (CPython's ``int`` stops at Karatsuba), and only for very large operands,
# thousands of machine words long in GMP, to FFT-based multiplication, which
# computes the digit convolution through the convolution theorem.

m1, m2 = 31415926, 2718281
digits1 = np.array([int(d) for d in str(m1)[::-1]])  # ones digit first
digits2 = np.array([int(d) for d in str(m2)[::-1]])
columns = convdoc.convolve(digits1, digits2)
print("column sums before carrying:", columns)
value = sum(int(v) * 10**power for power, v in enumerate(columns))
print(f"{m1} x {m2} = {value}")

# sphinx_gallery_start_ignore
assert value == m1 * m2
# sphinx_gallery_end_ignore

# %%
# Pascal's triangle
# -----------------
# :math:`(1 + t)^n` is :math:`n` convolutions with ``[1, 1]``; its
# coefficients are the binomial coefficients.

power = 10
row = np.array([1])
for _ in range(power):
    row = convdoc.convolve(row, np.array([1, 1]))
print(f"(1 + t)^{power}:", row)

# sphinx_gallery_start_ignore
import math

np.testing.assert_array_equal(row, [math.comb(power, j) for j in range(power + 1)])
# sphinx_gallery_end_ignore

plt.show()

# sphinx_gallery_capture_repr = ()
