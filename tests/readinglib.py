"""The tutorial's reading order, one list for every test that checks an order.

The oracle is this hand-kept list, not the code that lays the pages out: the
tutorial's toctree (tests/test_chapters.py) and the home page's cards
(tests/test_chapters.py, tests/site/test_home.py) must both follow it.
"""

from __future__ import annotations

#: The chapters of docs/tutorial, by file stem, in reading order.
CHAPTERS: tuple[str, ...] = (
    "what-is-convolution",
    "convolution-vs-correlation",
    "probability-of-a-sum",
    "linear-systems",
    "stride-and-padding",
    "frequency-view",
    "why-cnns",
    "backprop-and-deconvolution",
    "modern-layers",
    "how-libraries-compute",
)
