"""convdoc: convolutions explained with executable examples.

The numerical core of the convdoc tutorial. Two faces share one sliding-window
engine:

* the signal-processing face, :func:`convolve` and :func:`correlate`, which
  return what :func:`scipy.signal.convolve` and :func:`scipy.signal.correlate`
  return, plus boundary extension;
* the neural-network face, :func:`conv1d`, :func:`conv2d`,
  :func:`conv_transpose1d`, :func:`conv_transpose2d` and the pooling layers,
  which follow the conventions of ``torch.nn.functional`` on unbatched input.

:func:`steps` traces the same computation one output at a time; every stepped
figure on the site is drawn from it. Importing :mod:`convdoc` never imports
matplotlib: the figures live in :mod:`convdoc.plot`. :mod:`convdoc.data` holds
the sample photograph the examples use.
"""

from convdoc import data as data  # convdoc.data.photo, the sample photograph
from convdoc.filtering import convolve, correlate
from convdoc.kernels import (
    KERNELS2D,
    box_kernel,
    gaussian_kernel,
    gaussian_kernel2d,
    kernel2d,
)
from convdoc.layers import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool2d,
)
from convdoc.reference import reference_conv, reference_correlate
from convdoc.shapes import output_size, transposed_output_size
from convdoc.threads import get_num_threads, set_num_threads
from convdoc.trace import Step, Trace, steps
from convdoc.waveforms import impulse, noisy_sine, sawtooth, square_wave, unit_step

__all__ = [
    "KERNELS2D",
    "Step",
    "Trace",
    "avg_pool2d",
    "box_kernel",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "convolve",
    "correlate",
    "gaussian_kernel",
    "gaussian_kernel2d",
    "get_num_threads",
    "impulse",
    "kernel2d",
    "max_pool2d",
    "noisy_sine",
    "output_size",
    "reference_conv",
    "reference_correlate",
    "sawtooth",
    "set_num_threads",
    "square_wave",
    "steps",
    "transposed_output_size",
    "unit_step",
]

__version__ = "0.1.0"
