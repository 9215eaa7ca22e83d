"""The error contract under adversarial parameter types and magnitudes (issue 10).

Every integer parameter (stride, padding, dilation, kernel_size, output_padding,
lengths, sizes) takes Python ints, NumPy integer scalars of every width and 0-d
integer arrays, and gives the same answer for all of them; bools, floats, strings,
None and ints beyond a NumPy index raise TypeError/ValueError naming the parameter.
Oracles: the same call with a plain Python int, hand-worked formulas, NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convdoc
from convdoc.explore import Explorer1D
from convdoc.explore.explorer1d import MAX_LENGTH

INT_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_TYPES = [np.float16, np.float32, np.float64, np.longdouble]
INDEX_MAX = int(np.iinfo(np.intp).max)


def int_forms(value: int) -> st.SearchStrategy:
    """``value`` as a Python int, a NumPy scalar of every type that holds it, or a 0-d array."""
    forms = [st.just(value)]
    for t in INT_TYPES:
        info = np.iinfo(t)
        if info.min <= value <= info.max:
            forms.append(st.just(t(value)))
            forms.append(st.just(np.array(value, dtype=t)))
    return st.one_of(forms)


def not_integers() -> st.SearchStrategy:
    """Values no integer parameter accepts, with the exception each must raise."""
    return st.one_of(
        st.sampled_from([True, False, np.bool_(True), np.array(True)]).map(
            lambda v: (v, TypeError)
        ),
        st.floats(allow_nan=True, allow_infinity=True).map(lambda v: (v, TypeError)),
        st.sampled_from(FLOAT_TYPES).map(lambda t: (t(2), TypeError)),
        st.sampled_from(FLOAT_TYPES).map(lambda t: (np.array(2, dtype=t), TypeError)),
        st.sampled_from([None, 2j, object()]).map(lambda v: (v, TypeError)),
        # A string is a TypeError, or a ValueError where strings are options (padding="same").
        st.sampled_from(["2", ""]).map(lambda v: (v, (TypeError, ValueError))),
        st.integers(INDEX_MAX + 1, 10**400).map(lambda v: (v, ValueError)),
    )


# ------------------------------------------------------------------ 0-d arrays and NumPy ints

INT_PARAMETER_CALLS = {
    # name -> (call taking the value, value to use)
    "output_size.stride": (lambda v: convdoc.output_size(9, 3, stride=v), 2),
    "transposed_output_size.output_padding": (
        lambda v: convdoc.transposed_output_size(4, 3, stride=2, output_padding=v), 1),
    "conv1d.stride": (lambda v: convdoc.conv1d(np.arange(9.0), np.ones(3), stride=v), 2),
    "conv1d.stride.int": (lambda v: convdoc.conv1d(np.arange(9), np.ones(3, int), stride=v), 2),
    "conv1d.padding": (lambda v: convdoc.conv1d(np.arange(9.0), np.ones(3), padding=v), 2),
    "conv1d.dilation": (lambda v: convdoc.conv1d(np.arange(9.0), np.ones(3), dilation=v), 2),
    "conv1d.groups": (
        lambda v: convdoc.conv1d(np.arange(18.0).reshape(2, 9), np.ones((4, 1, 3)), groups=v), 2),
    "conv2d.groups": (
        lambda v: convdoc.conv2d(np.ones((3, 5, 5)), np.ones((3, 1, 2, 2)), groups=v), 3),
    "conv_transpose1d.groups": (
        lambda v: convdoc.conv_transpose1d(np.ones((2, 4)), np.ones((2, 2, 3)), groups=v), 2),
    "conv_transpose2d.groups": (
        lambda v: convdoc.conv_transpose2d(np.ones((4, 3, 3)), np.ones((4, 1, 2, 2)),
                                           groups=v), 4),
    "reference_conv.groups": (
        lambda v: convdoc.reference_conv(np.ones((2, 6)), np.ones((2, 1, 2)), groups=v), 2),
    "steps.groups": (
        lambda v: len(convdoc.steps(np.arange(9.0), np.ones(3), operation="conv", groups=v)), 1),
    "conv2d.stride": (lambda v: convdoc.conv2d(np.ones((6, 6)), np.ones((2, 2)), stride=v), 2),
    "conv2d.padding": (lambda v: convdoc.conv2d(np.ones((6, 6)), np.ones((2, 2)), padding=v), 1),
    "conv_transpose1d.stride": (
        lambda v: convdoc.conv_transpose1d(np.arange(4.0), np.ones(3), stride=v), 2),
    "conv_transpose1d.output_padding": (
        lambda v: convdoc.conv_transpose1d(np.arange(4.0), np.ones(3), stride=2,
                                           output_padding=v), 1),
    "conv_transpose2d.padding": (
        lambda v: convdoc.conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), padding=v), 1),
    "max_pool2d.kernel_size": (lambda v: convdoc.max_pool2d(np.arange(16.0).reshape(4, 4), v), 2),
    "avg_pool2d.stride": (
        lambda v: convdoc.avg_pool2d(np.arange(16.0).reshape(4, 4), 2, stride=v), 1),
    "avg_pool2d.padding": (
        lambda v: convdoc.avg_pool2d(np.arange(16.0).reshape(4, 4), 2, padding=v), 1),
    "reference_conv.stride": (
        lambda v: convdoc.reference_conv(np.ones((1, 6)), np.ones((1, 1, 2)), stride=v), 2),
    "reference_correlate.dilation": (
        lambda v: convdoc.reference_correlate(np.arange(8.0), np.ones(3), dilation=v), 2),
    "steps.stride": (
        lambda v: len(convdoc.steps(np.arange(9.0), np.ones(3), operation="conv", stride=v)), 2),
    "correlate_windows.stride": (
        lambda v: convdoc.engine.correlate_windows(np.ones((1, 9)), np.ones((1, 1, 3)), stride=v),
        2),
    "gaussian_kernel.size": (lambda v: convdoc.gaussian_kernel(v, 1.0), 5),
    "gaussian_kernel2d.size": (lambda v: convdoc.gaussian_kernel2d(v, 1.0), 3),
    "box_kernel.size": (lambda v: convdoc.box_kernel(v), 4),
    "sawtooth.length": (lambda v: convdoc.sawtooth(v, 4), 9),
    "sawtooth.period": (lambda v: convdoc.sawtooth(9, v), 4),
    "impulse.at": (lambda v: convdoc.impulse(9, v), 4),
    "Explorer1D.size": (lambda v: Explorer1D(size=v).size, 5),
    "partial.n": (lambda v: convdoc.steps(np.arange(5.0), np.ones(2)).partial(v), 1),
    "to_input.coord": (
        lambda v: convdoc.steps(np.arange(5.0), np.ones(2), mode="full").to_input(v), 2),
    "extend.pad": (lambda v: convdoc.engine.extend(np.arange(3), ((v, 1),)), 2),
    "set_num_threads.n": (lambda v: _threads_after(v), 2),
}


def _threads_after(n: object) -> int:
    """The count convdoc.set_num_threads(n) leaves, then the count before is restored."""
    before = convdoc.set_num_threads(n)
    try:
        return convdoc.get_num_threads()
    finally:
        convdoc.set_num_threads(before)


NONE_ALLOWED = {"avg_pool2d.stride", "impulse.at"}  # None means "the default" there


@pytest.mark.parametrize("name", sorted(INT_PARAMETER_CALLS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_integer_form_gives_the_python_int_answer(name, data) -> None:
    call, value = INT_PARAMETER_CALLS[name]
    expected = call(value)
    form = data.draw(int_forms(value))
    got = call(form)
    if isinstance(expected, np.ndarray):
        assert got.shape == expected.shape
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    else:
        assert got == expected


@pytest.mark.parametrize("name", sorted(INT_PARAMETER_CALLS))
@settings(max_examples=20, deadline=None)
@given(bad=not_integers())
def test_non_integers_raise_naming_the_parameter(name, bad) -> None:
    call, _ = INT_PARAMETER_CALLS[name]
    value, exc = bad
    parameter = name.split(".")[1]
    assume(not (value is None and name in NONE_ALLOWED))
    # to_input maps any grid coordinate, one beyond the grid to None (not padding data).
    assume(not (exc is ValueError and name == "to_input.coord"))
    with pytest.raises(exc, match=parameter):
        call(value)


def test_zero_d_array_per_axis_stays_one_value_for_both_axes() -> None:
    x = np.arange(36.0).reshape(6, 6)
    np.testing.assert_array_equal(
        convdoc.max_pool2d(x, np.array(3)), convdoc.max_pool2d(x, (3, 3))
    )
    assert convdoc.box_kernel(np.array(3)).shape == (3,)  # 1-D, as box_kernel(3)
    np.testing.assert_array_equal(
        convdoc.gaussian_kernel2d(5, np.array(1.5)), convdoc.gaussian_kernel2d(5, 1.5)
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: convdoc.conv1d(np.ones(9), np.ones(3), padding_mode=np.array(["zeros", "zeros"])),
        lambda: convdoc.conv1d(np.ones(9), np.ones(3), padding_mode=np.array(["zeros"])),
        lambda: convdoc.conv1d(np.ones(9, int), np.ones(3, int), padding_mode=np.array(["zeros"])),
        lambda: convdoc.conv2d(np.ones((4, 4)), np.ones((2, 2)), padding_mode=np.array("zeros")),
        lambda: convdoc.conv2d(np.ones((4, 4), np.int8), np.ones((2, 2), np.int8),
                               padding_mode=np.array("zeros")),
    ],
)
def test_padding_mode_arrays_are_rejected_for_every_dtype(call) -> None:
    with pytest.raises(TypeError, match="padding_mode must be a string"):
        call()


# ------------------------------------------------------------------ numbers beyond float range


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda v: convdoc.gaussian_kernel(5, v), "sigma"),
        (lambda v: convdoc.gaussian_kernel2d(5, (1.0, v)), r"sigma\[1\]"),
        (lambda v: convdoc.noisy_sine(10, v), "period"),
        (lambda v: convdoc.noisy_sine(10, 5.0, noise=v), "noise"),
        (lambda v: convdoc.square_wave(10, 4, duty=v), "duty"),
        (lambda v: Explorer1D(sigma=v), "sigma"),
    ],
)
@pytest.mark.parametrize("value", [10**309, 10**400, -(10**400)])
def test_ints_beyond_float_range_raise_value_error_naming_the_parameter(
    call, parameter, value
) -> None:
    with pytest.raises(ValueError, match=parameter):
        call(value)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda v: convdoc.output_size(10, 3, stride=v), "stride"),
        (lambda v: convdoc.output_size(10, 3, padding=v), "padding"),
        (lambda v: convdoc.conv1d(np.ones(10), np.ones(2), stride=v), "stride"),
        (lambda v: convdoc.conv1d(np.ones(10, int), np.ones(2, int), dilation=v), "dilation"),
        (lambda v: convdoc.conv_transpose1d(np.ones(3), np.ones(2), stride=v), "stride"),
        (lambda v: convdoc.max_pool2d(np.ones((4, 4)), 2, stride=v), "stride"),
        (lambda v: convdoc.avg_pool2d(np.ones((4, 4)), v), "kernel_size"),
        (lambda v: convdoc.square_wave(10, v), "period"),
        (lambda v: convdoc.sawtooth(v), "length"),
        (lambda v: convdoc.engine.correlate_windows(np.ones((1, 4)), np.ones((1, 1, 2)),
                                                    stride=v), "stride"),
    ],
)
@pytest.mark.parametrize("value", [2**63, 10**19, 10**400])
def test_ints_beyond_an_index_raise_value_error_naming_the_parameter(
    call, parameter, value
) -> None:
    with pytest.raises(ValueError, match=f"{parameter} must be .* at most {INDEX_MAX}"):
        call(value)


def test_the_largest_index_is_still_accepted_as_a_stride() -> None:
    # One window fits, so one output: the input's first K samples.
    np.testing.assert_array_equal(
        convdoc.conv1d(np.arange(10.0), np.ones(2), stride=INDEX_MAX), [1.0]
    )


def test_seed_may_be_any_non_negative_int_as_for_default_rng() -> None:
    big = 2**70
    expected = 0.5 * np.random.default_rng(big).standard_normal(6)
    clean = np.sin(2 * np.pi * np.arange(6) / 3.0)
    np.testing.assert_allclose(convdoc.noisy_sine(6, 3.0, noise=0.5, seed=big), clean + expected)


# ------------------------------------------------------------------ gaussian_kernel extremes


def _bell(size: int, sigma: float) -> np.ndarray:
    """Oracle: the formula in the docstring, with Python's math (fine for moderate sigma)."""
    taps = [math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma**2)) for i in range(size)]
    return np.array(taps) / math.fsum(taps)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 41), sigma=st.floats(0.3, 50.0))
def test_gaussian_kernel_equals_the_formula(size, sigma) -> None:
    np.testing.assert_allclose(convdoc.gaussian_kernel(size, sigma), _bell(size, sigma),
                               rtol=1e-12, atol=1e-300)


@settings(max_examples=80, deadline=None)
@given(
    size=st.integers(1, 40),
    sigma=st.one_of(
        st.floats(5e-324, 0.025),
        st.floats(1e100, 1.7e308),
        st.sampled_from([5e-324, 1e-310, 1e-200, 0.01, 1e200, 1.7976931348623157e308]),
    ),
)
def test_gaussian_kernel_at_extreme_sigma_is_finite_and_sums_to_one(size, sigma) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no 0/0
        k = convdoc.gaussian_kernel(size, sigma)
    assert np.isfinite(k).all()
    assert math.isclose(math.fsum(k), 1.0, rel_tol=1e-12)
    np.testing.assert_array_equal(k, k[::-1])
    if sigma <= 0.025:  # exp(-0.5 / 0.025**2) = exp(-800) is 0 in float64
        # Far below one sample: the unit impulse (even size: the two middle taps).
        expected = np.zeros(size)
        expected[(size - 1) // 2 : size // 2 + 1] = 1 / (2 - size % 2)
        np.testing.assert_array_equal(k, expected)
    else:
        # Far wider than the kernel: flat, every tap 1/size.
        np.testing.assert_allclose(k, np.full(size, 1 / size), rtol=1e-12)


def test_gaussian_kernel_repros_of_issue_10() -> None:
    np.testing.assert_array_equal(convdoc.gaussian_kernel(4, 0.01), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(convdoc.gaussian_kernel(1, 1e-200), [1.0])
    np.testing.assert_allclose(convdoc.gaussian_kernel(5, 1e200), np.full(5, 0.2), rtol=1e-15)


def test_gaussian_kernel_four_sigma_rule_clips_below_1e_4() -> None:
    # The docstring's rule K = 2*ceil(4 sigma) + 1: the continuous bell's mass beyond
    # +-4 sigma is erfc(4 / sqrt 2) = 6.3e-5; +-3 sigma (6 sigma + 1) leaves 0.27 %.
    assert math.erfc(4 / math.sqrt(2)) < 1e-4
    assert 2.6e-3 < math.erfc(3 / math.sqrt(2)) < 2.8e-3
    for sigma in (1.0, 2.5, 3.0, 7.3):
        size = 2 * math.ceil(4 * sigma) + 1
        wide = convdoc.gaussian_kernel(size + 40, sigma)  # the bell with its tails
        cut = wide[20:-20].sum()
        assert 1 - cut < 1e-4


# ------------------------------------------------------------------ waveforms at extremes


def test_noisy_sine_with_a_subnormal_period_is_finite() -> None:
    wave = convdoc.noisy_sine(10, 1e-310, noise=0)
    assert np.isfinite(wave).all()
    # n mod period with n an integer and period = 1e-310: Python's exact fmod is the oracle.
    expected = [math.sin(2 * math.pi * (math.fmod(n, 1e-310) / 1e-310)) for n in range(10)]
    np.testing.assert_allclose(wave, expected, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(length=st.integers(1, 300), period=st.integers(2, 400))
def test_sawtooth_equals_the_linspace_ramp_for_any_period(length, period) -> None:
    ramp = np.linspace(-1.0, 1.0, period)
    expected = np.array([ramp[n % period] for n in range(length)])
    np.testing.assert_array_equal(convdoc.sawtooth(length, period), expected)


# ------------------------------------------------------------------ Explorer1D construction


def test_explorer1d_rejects_period_one_at_construction() -> None:
    with pytest.raises(ValueError, match="period must be at least 2 samples, got 1"):
        Explorer1D(period=1)


def test_explorer1d_length_is_bounded_by_the_page_budget() -> None:
    with pytest.raises(ValueError, match=f"length must be an integer from 1 to {MAX_LENGTH}.*"
                                         f"got {MAX_LENGTH + 1}"):
        Explorer1D(length=MAX_LENGTH + 1)
    html = Explorer1D(length=MAX_LENGTH).to_html()
    assert len(html.encode()) < 600_000  # the largest page it allows stays small


# ------------------------------------------------------------------ pooling: exact, any padding


def _pool_oracle(x: np.ndarray, k, s, p, op: str) -> np.ndarray:
    """Loops over every window in Python numbers: max of the real pixels, or the sum
    of the real pixels (padding is zero) over the whole window size, as PyTorch."""
    h, w = x.shape
    rows = (h + 2 * p[0] - k[0]) // s[0] + 1
    cols = (w + 2 * p[1] - k[1]) // s[1] + 1
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            r0, c0 = r * s[0] - p[0], c * s[1] - p[1]
            cells = [
                int(x[i, j]) if x.dtype.kind in "biu" else float(x[i, j])
                for i in range(max(r0, 0), min(r0 + k[0], h))
                for j in range(max(c0, 0), min(c0 + k[1], w))
            ]
            out[r, c] = max(cells) if op == "max" else math.fsum(cells) / (k[0] * k[1])
    return out


POOL_DTYPES = [np.bool_, *INT_TYPES, np.float32, np.float64]


@settings(max_examples=120, deadline=None)
@given(
    dtype=st.sampled_from(POOL_DTYPES),
    shape=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    k=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    s=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    seed=st.integers(0, 2**32 - 1),
    extreme=st.booleans(),
    big_padding=st.booleans(),
)
def test_pooling_equals_the_loop_oracle_for_every_dtype(
    dtype, shape, k, s, seed, extreme, big_padding
) -> None:
    rng = np.random.default_rng(seed)
    if big_padding:
        # A window far larger than the image: the padded grid would be huge.
        k = (k[0] + 600, k[1] + 600)
    p = tuple(rng.integers(0, ki // 2 + 1) for ki in k)
    if any(n + 2 * pi < ki for n, pi, ki in zip(shape, p, k, strict=True)):
        return  # the window does not fit; covered by the error tables
    if np.dtype(dtype).kind in "iu" and extreme:
        info = np.iinfo(dtype)
        ends = np.array([info.min, info.max], dtype=dtype)
        x = ends[rng.integers(0, 2, size=shape)]  # sums that would wrap in dtype
    elif np.dtype(dtype).kind in "iu":
        x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, size=shape, dtype=dtype,
                         endpoint=True)
    elif dtype is np.bool_:
        x = rng.random(shape) < 0.5
    else:
        x = (rng.standard_normal(shape) * (1e30 if extreme else 1)).astype(dtype)
    got_max = convdoc.max_pool2d(x, k, stride=s, padding=p)
    got_avg = convdoc.avg_pool2d(x, k, stride=s, padding=p)
    np.testing.assert_array_equal(got_max, _pool_oracle(x, k, s, p, "max"))
    if dtype is np.float32:  # float32 sums: rounding relative to the summands
        atol = 8 * float(np.finfo(np.float32).eps) * float(np.abs(x).max())
        np.testing.assert_allclose(got_avg, _pool_oracle(x, k, s, p, "avg"), rtol=1e-6,
                                   atol=atol)
    else:
        np.testing.assert_allclose(got_avg, _pool_oracle(x, k, s, p, "avg"), rtol=1e-12)
    if np.dtype(dtype).kind in "biu":
        assert got_avg.dtype == got_max.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.uint64])
def test_avg_pool2d_of_a_constant_integer_image_is_the_constant(dtype) -> None:
    value = np.iinfo(dtype).max  # the issue's repro is 200 in uint8 (gave 8.0)
    x = np.full((4, 4), value, dtype)
    np.testing.assert_array_equal(convdoc.avg_pool2d(x, 2), np.full((2, 2), float(value)))
    np.testing.assert_array_equal(convdoc.avg_pool2d(np.full((4, 4), 200, np.uint8), 2),
                                  np.full((2, 2), 200.0))


# ------------------------------------------------------------------ memory follows the output


def _peak_bytes(call) -> tuple[object, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_pooling_with_huge_padding_allocates_little(pool) -> None:
    fn = convdoc.max_pool2d if pool == "max" else convdoc.avg_pool2d
    x = np.arange(16.0).reshape(4, 4)
    out, peak = _peak_bytes(lambda: fn(x, 10**5, stride=1, padding=5 * 10**4))
    assert peak < 1 << 20  # was 75 GiB
    # Every window holds the whole 4x4 image: its max, or its sum over 10**10 cells.
    expected = 15.0 if pool == "max" else 120.0 / 10**10
    np.testing.assert_allclose(out, np.full((5, 5), expected), rtol=1e-15)


# ------------------------------------------------------------------ fill values


def _full_convolve_loop(x: list, k: list, fill) -> list:
    """Full 1-D convolution by loops in Python numbers, x extended by ``fill``."""
    pad = len(k) - 1
    grid = [fill] * pad + list(x) + [fill] * pad
    return [sum(grid[n + pad - m] * k[m] for m in range(len(k))) for n in range(len(x) + pad)]


FILL_RULES = [
    # (x dtype, kernel dtype, fillvalue, result dtype): the rule in convolve's docstring
    (np.uint8, np.uint8, 0.5, np.float64),  # not float16 (gave inf)
    (np.uint8, np.uint8, 300, np.int16),
    (np.uint8, np.uint8, -1, np.int16),
    (np.int8, np.int8, 300, np.int16),
    (np.uint8, np.uint8, 2**63, np.uint64),
    (np.int64, np.int64, 2**62 + 1, np.int64),  # exact (a float64 would round it)
    (np.int32, np.int32, np.int8(-3), np.int32),
    (np.int16, np.float32, 0.5, np.float32),
    (np.float16, np.float64, 0.1, np.float64),  # 0.1 in float64, not rounded to float16
    (np.float32, np.float32, np.float64(0.25), np.float32),
    (np.int32, np.complex64, 1j, np.complex128),
    (np.float64, np.float64, 2**70, np.float64),  # a big int next to floats is a float
    (np.uint8, np.uint8, [3], np.uint8),  # one-element list, as SciPy
    (np.uint8, np.uint8, np.array([[3]]), np.uint8),
]


@pytest.mark.parametrize(("xt", "kt", "fill", "expected"), FILL_RULES)
@pytest.mark.parametrize("op", ["convolve", "correlate"])
def test_fillvalue_promotes_by_the_documented_rule_and_stays_exact(xt, kt, fill, expected, op):
    x = np.array([1, 2, 3, 4], dtype=xt)
    k = np.array([2, 0, 1], dtype=kt)
    fn = getattr(convdoc, op)
    got = fn(x, k, boundary="constant", fillvalue=fill)
    assert got.dtype == np.dtype(expected)
    scalar = np.asarray(fill).reshape(-1)[0]
    scalar = scalar.item() if isinstance(scalar, np.generic) else scalar
    taps = k.tolist() if op == "convolve" else k[::-1].tolist()
    exact = _full_convolve_loop(x.tolist(), taps, scalar)
    if np.dtype(expected).kind in "iu":
        # Python integers: no rounding anywhere; sums beyond the dtype wrap as in NumPy.
        bits = 8 * got.dtype.itemsize
        assert [v % 2**bits for v in got.tolist()] == [v % 2**bits for v in exact]
    else:
        np.testing.assert_allclose(got, np.array(exact, dtype=complex), rtol=1e-6)


@pytest.mark.parametrize("fill", [3, [3], np.array([3]), np.int16(3), 2.5, [0.5]])
def test_accepted_fill_values_give_scipys_answer_for_float_inputs(fill) -> None:
    scipy_signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(3)
    x, k = rng.standard_normal((5, 6)), rng.standard_normal((3, 2))
    expected = scipy_signal.convolve2d(x, k, boundary="fill", fillvalue=fill)
    np.testing.assert_allclose(convdoc.convolve(x, k, fillvalue=fill), expected, rtol=1e-12)
    expected = scipy_signal.correlate2d(x, k, boundary="fill", fillvalue=fill)
    np.testing.assert_allclose(convdoc.correlate(x, k, fillvalue=fill), expected, rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    dtype=st.sampled_from([np.bool_, *INT_TYPES, np.float16, np.float32, np.float64,
                           np.complex64]),
    fill=st.one_of(
        st.integers(-(2**80), 2**80),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(max_magnitude=1e10),
        st.sampled_from(INT_TYPES + FLOAT_TYPES).map(lambda t: t(1)),
    ),
    wrap=st.sampled_from(["bare", "list", "array", "2x1"]),
)
def test_any_fill_is_a_result_or_a_value_error_naming_fillvalue(dtype, fill, wrap) -> None:
    x = np.array([1, 0, 1], dtype=dtype)
    value = {"bare": fill, "list": [fill], "array": np.array([fill]), "2x1": [fill, fill]}[wrap]
    if wrap == "array" and isinstance(fill, int) and abs(fill) >= 2**63:
        value = np.array([fill], dtype=object)  # the issue's "2**70 object array"
    try:
        with np.errstate(over="ignore"):  # 1e300 cast into float16 is inf, as in NumPy
            out = convdoc.convolve(x, x, fillvalue=value)
    except ValueError as exc:
        assert "fillvalue" in str(exc)
        return
    assert wrap != "2x1"
    assert out.dtype != object
    assert out.shape == (5,)
    if isinstance(fill, int) and np.dtype(dtype).kind in "iu":
        assert out.dtype.kind in "biu"  # integer results stay integer and exact
        exact = _full_convolve_loop(x.astype(int).tolist(), x.astype(int).tolist(), fill)
        bits = 8 * out.dtype.itemsize  # NumPy's wrap-around beyond the dtype
        assert [v % 2**bits for v in out.tolist()] == [v % 2**bits for v in exact]


# ------------------------------------------------------------------ convolutions: huge padding


def test_conv1d_repro_of_issue_10_allocates_little_and_is_right() -> None:
    call = lambda: convdoc.conv1d(np.ones(10), np.ones(2), padding=5 * 10**8, dilation=10**9)  # noqa: E731
    out, peak = _peak_bytes(call)
    assert peak < 1 << 20  # was 7.5 GiB
    # Output n reads padded cells n and n + 10**9: both are padding (the data sits at
    # 5*10**8 .. 5*10**8 + 9), so every output is 0.
    np.testing.assert_array_equal(out, np.zeros(10))


def _conv_loop(x, w, stride, pads, dilation, replicate):
    """Loops over outputs and taps with Python numbers; padding read as 0 or the end sample."""
    c_in, *n = x.shape
    c_out, _, *k = w.shape
    out_shape = [(ni + 2 * p - d * (ki - 1) - 1) // s + 1
                 for ni, p, ki, s, d in zip(n, pads, k, stride, dilation, strict=True)]
    out = np.zeros((c_out, *out_shape))
    for o in range(c_out):
        for i in np.ndindex(*out_shape):
            total = 0.0
            for c in range(c_in):
                for t in np.ndindex(*k):
                    where = [ii * s + tt * d - p
                             for ii, tt, s, d, p in zip(i, t, stride, dilation, pads, strict=True)]
                    if replicate:
                        where = [min(max(q, 0), ni - 1) for q, ni in zip(where, n, strict=True)]
                    inside = all(0 <= q < ni for q, ni in zip(where, n, strict=True))
                    total += (float(x[(c, *where)]) if inside else 0.0) * float(w[(o, c, *t)])
            out[(o, *i)] = total
    return out


@settings(max_examples=60, deadline=None)
@given(
    nd=st.sampled_from([1, 2]),
    c_in=st.integers(1, 2),
    c_out=st.integers(1, 2),
    n=st.integers(1, 6),
    k=st.integers(1, 3),
    pad_exp=st.integers(3, 12),
    dil_exp=st.integers(0, 12),
    seed=st.integers(0, 2**32 - 1),
    replicate=st.booleans(),
)
def test_conv_with_huge_padding_or_dilation_equals_the_loops(
    nd, c_in, c_out, n, k, pad_exp, dil_exp, seed, replicate
) -> None:
    rng = np.random.default_rng(seed)
    p = int(rng.integers(1, 10)) * 10**pad_exp
    d = int(rng.integers(1, 10)) * 10**dil_exp
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        return  # the kernel does not fit: covered by the error tables
    s = max(1, -(-(n + 2 * p - span + 1) // 4))  # at most 4 outputs per axis
    x = rng.integers(-5, 6, size=(c_in, *(n,) * nd)).astype(np.float64)
    w = rng.integers(-5, 6, size=(c_out, c_in, *(k,) * nd)).astype(np.float64)
    fn = convdoc.conv1d if nd == 1 else convdoc.conv2d
    mode = "replicate" if replicate else "zeros"
    out, peak = _peak_bytes(lambda: fn(x, w, stride=s, padding=p, dilation=d, padding_mode=mode))
    assert peak < 1 << 20
    expected = _conv_loop(x, w, (s,) * nd, (p,) * nd, (d,) * nd, replicate)
    np.testing.assert_array_equal(out, expected)  # small integers: exact in float64
    if not replicate:
        np.testing.assert_array_equal(
            convdoc.reference_conv(x, w, stride=s, padding=p, dilation=d), expected
        )


@settings(max_examples=30, deadline=None)
@given(
    nd=st.sampled_from([1, 2]),
    groups=st.integers(2, 3),
    n=st.integers(1, 5),
    k=st.integers(1, 3),
    pad_exp=st.integers(3, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_grouped_conv_with_huge_padding_allocates_little_and_splits_by_group(
    nd, groups, n, k, pad_exp, seed
) -> None:
    rng = np.random.default_rng(seed)
    p = int(rng.integers(1, 10)) * 10**pad_exp
    d = 10**pad_exp
    s = max(1, -(-(n + 2 * p - d * (k - 1)) // 3))  # at most 3 outputs per axis
    x = rng.integers(-5, 6, size=(2 * groups, *(n,) * nd)).astype(np.float64)
    w = rng.integers(-5, 6, size=(groups, 2, *(k,) * nd)).astype(np.float64)
    fn = convdoc.conv1d if nd == 1 else convdoc.conv2d
    out, peak = _peak_bytes(lambda: fn(x, w, stride=s, padding=p, dilation=d, groups=groups))
    assert peak < 1 << 20
    expected = np.concatenate([
        _conv_loop(xg, wg, (s,) * nd, (p,) * nd, (d,) * nd, False)
        for xg, wg in zip(np.split(x, groups), np.split(w, groups), strict=True)
    ])
    np.testing.assert_array_equal(out, expected)


def test_huge_padding_keeps_integers_exact_and_nan_from_inf_taps() -> None:
    x = np.array([100, 27, -3], dtype=np.int8)
    w = np.array([3, 5], dtype=np.int8)
    # Output 0 reads cells 0 and 10**6 - 7 (both padding); output 1 reads cell 10**6,
    # which is x[0], and cell 2*10**6 - 7 (padding): 3 * 100 = 300, wrapped in int8.
    out = convdoc.conv1d(x, w, padding=10**6, stride=10**6, dilation=10**6 - 7)
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, np.array([0, 3 * 100], dtype=np.int64).astype(np.int8))
    # A padding cell (zero) times an infinite tap is NaN, as in PyTorch: output 0 is
    # 0 * inf + 0 * 1; output 1 is x[0] * inf + 0 * 1.
    out = convdoc.conv1d(np.ones(3), np.array([np.inf, 1.0]), padding=10**6, stride=10**6,
                         dilation=10**6)
    np.testing.assert_array_equal(out, [np.nan, np.inf])


@pytest.mark.parametrize(
    ("call", "needed"),
    [
        (lambda: convdoc.conv1d(np.ones(10), np.ones(2), padding=5 * 10**10), "745 GiB"),
        (lambda: convdoc.conv_transpose1d(np.ones(3), np.ones(2), stride=10**9), "14.9 GiB"),
        (lambda: convdoc.sawtooth(10**11), "745 GiB"),
        (lambda: convdoc.noisy_sine(10**12), "7.28 TiB"),  # 8e12 / 2**40
        (lambda: convdoc.reference_conv(np.ones((1, 2)), np.ones((1, 1, 1)), padding=10**10),
         "149 GiB"),
    ],
)
def test_requests_too_large_fail_fast_saying_how_much_they_need(call, needed) -> None:
    with pytest.raises(ValueError, match=f"would need {needed}, more than convdoc's limit"):
        call()


def test_long_periods_cost_nothing() -> None:
    out, peak = _peak_bytes(lambda: convdoc.sawtooth(10, 10**10))
    assert peak < 1 << 16  # was 75 GiB
    np.testing.assert_array_equal(out, -1.0 + np.arange(10) * (2.0 / (10**10 - 1)))
    explorer = Explorer1D(period=10**10)
    signals, peak = _peak_bytes(explorer.signals)
    assert peak < 1 << 20
    assert signals["sawtooth"].shape == (200,)
    np.testing.assert_array_equal(signals["square"], np.ones(200))  # still in the first half


@pytest.mark.parametrize(
    "kwargs",
    [
        {"operation": "conv", "padding": 10**9},
        {"operation": "conv", "padding": 5 * 10**8, "dilation": 10**9},
        {"operation": "conv_transpose", "stride": 10**9},
        {"operation": "conv_transpose", "stride": 2, "dilation": 10**8, "padding": 10**8},
    ],
)
def test_steps_checks_its_limits_before_computing(kwargs) -> None:
    def call():
        limit = r"steps (traces at most|draws the padded input, at most)"
        with pytest.raises(ValueError, match=limit):
            convdoc.steps(np.arange(8.0), np.ones(3), **kwargs)

    _, peak = _peak_bytes(call)
    assert peak < 1 << 20  # these raised MemoryError before


def test_figures_take_0d_step_numbers_and_name_a_bare_number_given_for_a_list() -> None:
    from convdoc.plot._common import check_step, check_steps

    trace = convdoc.steps(np.arange(6.0), np.ones(3))
    assert check_step(trace, np.array(2)) == 2
    assert check_steps(trace, np.array([0, np.int8(3)]), "frames") == [0, 3]
    for bare in (3, np.array(3), "3", 2.5):
        with pytest.raises(TypeError, match="frames must be a sequence of step numbers"):
            check_steps(trace, bare, "frames")


FLOAT_PARAMETER_CALLS = {
    "gaussian_kernel.sigma": lambda v: convdoc.gaussian_kernel(7, v),
    "gaussian_kernel2d.sigma": lambda v: convdoc.gaussian_kernel2d(5, v),
    "noisy_sine.period": lambda v: convdoc.noisy_sine(9, v, noise=0),
    "noisy_sine.noise": lambda v: convdoc.noisy_sine(9, 4.0, noise=v),
    "Explorer1D.sigma": lambda v: Explorer1D(sigma=v).sigma,
}


@pytest.mark.parametrize("name", sorted(FLOAT_PARAMETER_CALLS))
@settings(max_examples=20, deadline=None)
@given(form=st.one_of(
    st.sampled_from(FLOAT_TYPES).map(lambda t: t(1.5)),
    st.sampled_from(FLOAT_TYPES).map(lambda t: np.array(1.5, dtype=t)),
    st.sampled_from(INT_TYPES).map(lambda t: t(1)),
))
def test_every_real_form_gives_the_python_float_answer(name, form) -> None:
    call = FLOAT_PARAMETER_CALLS[name]
    expected = call(float(form))  # 1.5 and 1 are exact in every float type
    got = call(form)
    np.testing.assert_array_equal(got, expected)


REAL_PARAMETER_CALLS = {
    **FLOAT_PARAMETER_CALLS,
    "square_wave.duty": lambda v: convdoc.square_wave(9, 4, duty=v),
}


@pytest.mark.parametrize("name", sorted(REAL_PARAMETER_CALLS))
@pytest.mark.parametrize("bad", [True, np.bool_(False), "1.5", None, 1.5j, [1.5, 2.5, 3.5]])
def test_non_reals_raise_naming_the_parameter(name, bad) -> None:
    parameter = name.split(".")[1]
    with pytest.raises((TypeError, ValueError), match=parameter):
        REAL_PARAMETER_CALLS[name](bad)


def _transpose_loop(x, w, stride, pads, extra, dilation):
    """The definition: input (c, i) adds x[c, i] * w[c, o, t] to output i*s - p + t*d."""
    c_in, *n = x.shape
    _, c_out, *k = w.shape
    out_shape = [(ni - 1) * s - 2 * p + d * (ki - 1) + a + 1
                 for ni, s, p, d, ki, a in zip(n, stride, pads, dilation, k, extra, strict=True)]
    out = np.zeros((c_out, *out_shape))
    for c in range(c_in):
        for i in np.ndindex(*n):
            for t in np.ndindex(*k):
                q = [ii * s - p + tt * d
                     for ii, tt, s, p, d in zip(i, t, stride, pads, dilation, strict=True)]
                if all(0 <= qq < m for qq, m in zip(q, out_shape, strict=True)):
                    for o in range(c_out):
                        out[(o, *q)] += float(x[(c, *i)]) * float(w[(c, o, *t)])
    return out


@settings(max_examples=60, deadline=None)
@given(
    nd=st.sampled_from([1, 2]),
    c_in=st.integers(1, 2),
    c_out=st.integers(1, 2),
    n=st.integers(1, 4),
    k=st.integers(1, 3),
    exps=st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv_transpose_with_huge_stride_padding_or_dilation_equals_the_definition(
    nd, c_in, c_out, n, k, exps, seed
) -> None:
    rng = np.random.default_rng(seed)
    s, d = (int(rng.integers(1, 10)) * 10**e for e in exps[:2])
    full = (n - 1) * s + d * (k - 1) + 1  # the output length with no padding
    # Padding that leaves 1 to 4 outputs, up to 10**exps[2] of them when that fits.
    p = max(0, min((full - 1) // 2, (full - int(rng.integers(1, 5))) // 2, 10 ** exps[2]))
    x = rng.integers(-5, 6, size=(c_in, *(n,) * nd)).astype(np.float64)
    w = rng.integers(-5, 6, size=(c_in, c_out, *(k,) * nd)).astype(np.float64)
    fn = convdoc.conv_transpose1d if nd == 1 else convdoc.conv_transpose2d
    expected_shape = (c_out, *((full - 2 * p,) * nd))
    if math.prod(expected_shape) > 10**4:
        return  # a large output is legitimately large; the loop oracle would be slow
    out, peak = _peak_bytes(lambda: fn(x, w, stride=s, padding=p, dilation=d))
    assert peak < (1 << 20) + 16 * math.prod(expected_shape)
    expected = _transpose_loop(x, w, (s,) * nd, (p,) * nd, (0,) * nd, (d,) * nd)
    np.testing.assert_array_equal(out, expected)
