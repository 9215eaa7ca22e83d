"""convdoc.plans.gather: defaults, dtypes, exact integers, huge positions, memory message.

The gathered correlation is checked against loops over a padding written out by
hand (zeros, or the end sample repeated), Python's exact integers, and sizes
worked by hand (tests/MUTANTS.md).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convdoc.plans.gather import correlate_gather


def _loop(x: np.ndarray, w: np.ndarray, pads, stride, dilation) -> np.ndarray:
    """out[o, i] = sum_c sum_t x_pad[c, i*s + t*d] * w[o, c, t], zero padding, any rank."""
    xp = np.pad(x, [(0, 0), *pads])
    k = w.shape[2:]
    out_shape = [
        (n - d * (ki - 1) - 1) // s + 1
        for n, ki, s, d in zip(xp.shape[1:], k, stride, dilation, strict=True)
    ]
    out = np.zeros((w.shape[0], *out_shape), np.result_type(x, w))
    for o, i in itertools.product(range(w.shape[0]), itertools.product(*map(range, out_shape))):
        for c, t in itertools.product(range(x.shape[0]), itertools.product(*map(range, k))):
            steps = zip(i, t, stride, dilation, strict=True)
            cell = tuple(ii * s + tt * d for ii, tt, s, d in steps)
            out[(o, *i)] += xp[(c, *cell)] * w[(o, c, *t)]
    return out


def test_padding_is_zeros_unless_edge_is_asked_for() -> None:
    x, w = np.array([[1.0, 2.0]]), np.ones((1, 1, 2))
    # Zeros: [0, 1, 2, 0] summed in pairs; replicated ends: [1, 1, 2, 2].
    np.testing.assert_array_equal(correlate_gather(x, w, ((1, 1),), (1,), (1,)), [[1, 3, 2]])
    np.testing.assert_array_equal(
        correlate_gather(x, w, ((1, 1),), (1,), (1,), edge=True), [[2, 3, 4]]
    )


@pytest.mark.parametrize("complex_side", ["x", "w"])
@pytest.mark.parametrize("nd", [1, 2])
def test_complex_data_on_either_side_keeps_its_imaginary_part(complex_side: str, nd: int) -> None:
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((2, *(5,) * nd))
    w = rng.standard_normal((3, 2, *(2,) * nd))
    if complex_side == "x":
        x = x + 1j * rng.standard_normal(x.shape)
    else:
        w = w - 1j * rng.standard_normal(w.shape)
    pads, stride, dilation = ((2, 1),) * nd, (2,) * nd, (2,) * nd
    got = correlate_gather(x, w, pads, stride, dilation)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, _loop(x, w, pads, stride, dilation), atol=1e-12)


def test_integers_stay_exact_beyond_float_precision() -> None:
    # 2**60 + 1 has no float64: only integer arithmetic gets these sums right.
    big = 2**60 + 1
    x = np.array([[big, 1, big]], np.int64)
    w = np.array([[[1, 3]]], np.int64)
    got = correlate_gather(x, w, ((1, 0),), (1,), (1,))
    assert got.dtype == np.int64
    assert got.tolist() == [[3 * big, big + 3, 1 + 3 * big]]


def test_bool_gives_or_of_ands() -> None:
    x = np.array([[True, False, False, True]])
    w = np.array([[[True, True]]])
    got = correlate_gather(x, w, ((1, 1),), (1,), (1,))
    # Windows of [F, T, F, F, T, F]: any pair with a True.
    assert got.tolist() == [[True, True, False, True, True]]


def test_positions_beyond_int64_read_the_replicated_end() -> None:
    # Output 2 reads position 2 * 2**62 = 2**63, past int64 and past the input:
    # with the end sample repeated that is x[-1] (int64 arithmetic would wrap it to x[0]).
    x = np.array([[1.0, 2.0]])
    got = correlate_gather(x, np.ones((1, 1, 1)), ((0, 2**63 - 1),), (2**62,), (1,), edge=True)
    np.testing.assert_array_equal(got, [[1.0, 2.0, 2.0]])
    # The same past int64 through the dilation: taps at 0, 2**62 and 2**63 read
    # x[0], then the end sample twice.
    got = correlate_gather(x, np.ones((1, 1, 3)), ((0, 2**63 - 1),), (1,), (2**62,), edge=True)
    np.testing.assert_array_equal(got, [[5.0]])


def test_the_memory_message_counts_taps_windows_and_bytes() -> None:
    # One channel of float64, one tap, 10 + (2**36 - 10) windows: 2**39 bytes = 512 GiB.
    with pytest.raises(ValueError) as info:
        correlate_gather(np.ones((1, 10)), np.ones((1, 1, 1)), ((2**36 - 10, 0),), (1,), (1,))
    assert str(info.value).startswith(
        f"the 1 taps of each of the {2**36} windows would need 512 GiB"
    )
