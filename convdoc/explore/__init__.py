"""Interactive explorers for static pages: the answer to the seed's ipywidgets sliders.

Each explorer's ``_repr_html_`` is one self-contained ``<div>`` (its data as
inline JSON, a small stylesheet and script shipped with this package, SVG
drawing, no network, no iframe), so it works on the built site, in
sphinx-gallery examples, MyST-NB pages and classic Jupyter notebooks.

* :class:`Explorer1D` — step, kernel size and sigma sliders over five signals, with
  convolve/correlate and the five boundary rules of :func:`convdoc.convolve`;
* :class:`Explorer2D` — convolution arithmetic with the numbers in the cells, channels,
  bias, and the transposed convolution;
* :class:`ImagePlayground` — a photograph through a kernel you pick or edit.
"""

from convdoc.explore.explorer1d import SIGNALS, Explorer1D
from convdoc.explore.explorer2d import Explorer2D
from convdoc.explore.playground import ImagePlayground

__all__ = ["SIGNALS", "Explorer1D", "Explorer2D", "ImagePlayground"]
