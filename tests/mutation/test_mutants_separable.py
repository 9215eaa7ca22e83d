"""convdoc.plans.separable: the result's dtype and precision decide (tests/MUTANTS.md).

Oracles: SciPy's direct correlation in float64, and the documented rule that a
float32 kernel next to a float64 image is separable only if it is an outer
product to float64 precision.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from convdoc.plans import separable


def _rounded_outer() -> np.ndarray:
    """An outer product rounded to float32: rank one to float32's precision only."""
    rng = np.random.default_rng(3)
    return np.outer(rng.random(5) + 0.5, rng.random(7) + 0.5).astype(np.float32)


def test_a_float32_kernel_is_judged_at_the_results_precision() -> None:
    k = _rounded_outer()
    assert separable.rank_one(k, np.dtype(np.float32)) is not None
    assert separable.rank_one(k, np.dtype(np.float64)) is None
    # Applied to a float64 image the result is float64: the passes would be an
    # approximation, so the plan refuses the kernel.
    x = np.random.default_rng(4).standard_normal((1, 20, 30))
    with pytest.raises(ValueError, match=r"^the kernel is not separable$"):
        separable.correlate(x, k[None, None], ((0, 0), (0, 0)), (16, 24))


def test_a_float32_image_with_a_float64_kernel_is_computed_in_float64() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 40, 50)).astype(np.float32)
    w = np.outer(rng.random(9) + 0.5, rng.random(4) - 0.5)
    pad = ((4, 4), (1, 2))
    expected = signal.correlate(np.pad(x[0].astype(float), pad), w, "valid", method="direct")
    got = separable.correlate(x, w[None, None], pad, expected.shape)[0]
    assert got.dtype == np.float64
    # float64 passes: far inside float32's rounding of these sums (about 1e-6).
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
