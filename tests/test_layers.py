"""CNN layers against loops written from the formulas PyTorch documents.

torch is not installed, so the oracles below are plain loops transcribed from
the definitions in the ``torch.nn.Conv1d/2d``, ``ConvTranspose1d/2d``,
``MaxPool2d`` and ``AvgPool2d`` documentation, with padding done by
``numpy.pad`` (never by convdoc's own boundary code):

* convolution layer: ``out[co, o] = bias[co] + sum_ci sum_j w[co, ci, j] * xpad[ci, o*s + j*d]``;
* transposed convolution: every input ``x[ci, i]`` adds ``x[ci, i] * w[ci, co, j]``
  at ``i*s - p + j*d`` of the output (scatter-add), cropped to the documented size.

The oracles always sum in float64 (complex128 for complex data); the property
tests draw the input and weight dtypes independently from int64, float32,
float64 and complex128 and expect the result in ``numpy.result_type`` of the
inputs: exact for integers, within a rounding bound otherwise.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc.layers import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool2d,
)
from convdoc.reference import reference_conv
from convdoc.shapes import output_size, transposed_output_size

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
CONV = {1: conv1d, 2: conv2d}
CONV_T = {1: conv_transpose1d, 2: conv_transpose2d}
DTYPES = (np.dtype(np.int64), np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex128))


# ---------------------------------------------------------------- oracles


def oracle_conv(x, w, bias, stride, pads, dilation, padding_mode):
    """x (C_in, *n), w (C_out, C_in, *k); pads ((before, after), ...) per spatial axis."""
    xpad = np.pad(x, ((0, 0), *pads), mode=NUMPY_MODE[padding_mode])
    c_out, c_in, *k = w.shape
    nd = len(k)
    out_shape = [
        (xpad.shape[1 + a] - dilation[a] * (k[a] - 1) - 1) // stride[a] + 1 for a in range(nd)
    ]
    out = np.zeros((c_out, *out_shape), dtype=np.result_type(x, w, float))
    for co in range(c_out):
        for o in itertools.product(*(range(m) for m in out_shape)):
            total = 0.0 if bias is None else bias[co]
            for ci in range(c_in):
                for j in itertools.product(*(range(m) for m in k)):
                    src = tuple(o[a] * stride[a] + j[a] * dilation[a] for a in range(nd))
                    total += w[(co, ci, *j)] * xpad[(ci, *src)]
            out[(co, *o)] = total
    return out


def oracle_conv_transpose(x, w, bias, stride, padding, output_padding, dilation):
    """x (C_in, *n), w (C_in, C_out, *k): scatter-add, then crop to torch's documented size."""
    c_in, c_out, *k = w.shape
    n = x.shape[1:]
    nd = len(k)
    size = [
        (n[a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (k[a] - 1) + output_padding[a] + 1
        for a in range(nd)
    ]
    out = np.zeros((c_out, *size), dtype=np.result_type(x, w, float))
    for ci in range(c_in):
        for i in itertools.product(*(range(m) for m in n)):
            for j in itertools.product(*(range(m) for m in k)):
                dst = tuple(i[a] * stride[a] - padding[a] + j[a] * dilation[a] for a in range(nd))
                if all(0 <= dst[a] < size[a] for a in range(nd)):
                    out[(slice(None), *dst)] += x[(ci, *i)] * w[(ci, slice(None), *j)]
    if bias is not None:
        out += np.reshape(bias, (c_out,) + (1,) * nd)
    return out


def oracle_pool(x, k, stride, padding, kind):
    """x (C, H, W): torch MaxPool2d (pads with -inf) / AvgPool2d (count_include_pad=True)."""
    fill = -np.inf if kind == "max" else 0.0
    xpad = np.pad(
        x.astype(float), ((0, 0), (padding[0],) * 2, (padding[1],) * 2), constant_values=fill
    )
    rows = (xpad.shape[1] - k[0]) // stride[0] + 1
    cols = (xpad.shape[2] - k[1]) // stride[1] + 1
    out = np.empty((x.shape[0], rows, cols))
    for c in range(x.shape[0]):
        for r in range(rows):
            for q in range(cols):
                r0, q0 = r * stride[0], q * stride[1]
                window = xpad[c, r0 : r0 + k[0], q0 : q0 + k[1]]
                out[c, r, q] = window.max() if kind == "max" else window.sum() / (k[0] * k[1])
    return out


def assert_close_to_oracle(out, expected, bound, terms):
    """``out`` against the float64/complex128 oracle, with a rounding allowance for its dtype.

    ``bound`` is the oracle run on absolute values (the size of the sum before any
    cancellation) and ``terms`` the number of products in each output; a sum of
    ``terms`` rounded products is within about ``terms * eps * bound`` of the exact
    value, for FFT-based paths with respect to the largest such sum.
    """
    assert out.shape == expected.shape
    if out.dtype.kind in "iu":
        # Small integers: every partial sum is exact in float64, so equality must hold.
        np.testing.assert_array_equal(out, expected)
        return
    eps = np.finfo(out.dtype).eps
    allowance = 4 * (terms + 1) * eps * max(float(np.max(bound, initial=0.0)), 1.0)
    assert np.all(np.abs(out - expected) <= allowance), (
        f"dtype {out.dtype}: max error {np.max(np.abs(out - expected))} > {allowance}"
    )


def absolute(*arrays):
    return [None if a is None else np.abs(np.asarray(a)) for a in arrays]


# ---------------------------------------------------------------- strategies


def random_array(rng, shape, dtype):
    """Small integers (products and sums stay exact) or standard normal values."""
    if dtype.kind == "i":
        return rng.integers(-4, 5, shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@st.composite
def conv_case(draw, nd=None, modes=tuple(NUMPY_MODE), dtypes=DTYPES):
    nd = nd or draw(st.sampled_from([1, 2]))
    x_dtype, w_dtype = draw(st.sampled_from(dtypes)), draw(st.sampled_from(dtypes))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, 3)) for _ in range(nd))
    mode = draw(st.sampled_from(modes))
    n = []
    for a in range(nd):
        span = dilation[a] * (k[a] - 1) + 1
        low = max(1, span - 2 * padding[a])
        if mode == "reflect":
            low = max(low, padding[a] + 1)  # torch: reflect padding must be < input size
        elif mode == "circular":
            low = max(low, padding[a])  # torch: circular padding must be <= input size
        n.append(draw(st.integers(low, low + (6 if nd == 1 else 3))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = random_array(rng, (c_in, *n), x_dtype)
    w = random_array(rng, (c_out, c_in, *k), w_dtype)
    # The bias has the weight's dtype, as a PyTorch layer's parameters do.
    bias = random_array(rng, c_out, w_dtype) if draw(st.booleans()) else None
    return x, w, bias, stride, padding, dilation, mode


@settings(max_examples=150, deadline=None)
@given(conv_case())
# One sample under an even kernel twice as long as the padded input: only the padding overlaps.
@example((np.array([[3]]), np.array([[[1, -2, 4, 2]]]), None, (1,), (2,), (1,), "zeros"))
@example(
    (
        np.ones((1, 1, 2), np.float32),
        np.full((2, 1, 1, 4), 0.1, np.float32),
        np.array([1, 2], np.float32),
        (1, 2),
        (0, 1),
        (1, 1),
        "circular",
    )
)
def test_conv_matches_the_torch_formula(case):
    x, w, bias, stride, padding, dilation, mode = case
    nd = x.ndim - 1
    out = CONV[nd](x, w, bias, stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    assert out.dtype == np.result_type(x, w, *([] if bias is None else [bias]))
    pads = tuple((p, p) for p in padding)
    expected = oracle_conv(x, w, bias, stride, pads, dilation, mode)
    bound = oracle_conv(*absolute(x, w, bias), stride, pads, dilation, mode)
    assert out.shape[1:] == output_size(
        x.shape[1:], w.shape[2:], stride=stride, padding=padding, dilation=dilation
    )
    assert_close_to_oracle(out, expected, bound, terms=w[0].size)


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_single_channel_form_drops_the_channel_axes(case):
    x, w, _, stride, padding, dilation, mode = case
    x, w = x[0], w[0, 0]
    nd = x.ndim
    out = CONV[nd](x, w, 0.5, stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    # A Python number is weak in NumPy's promotion: float32 data plus 0.5 stays float32.
    assert out.dtype == np.result_type(x, w, 0.5)
    pads = tuple((p, p) for p in padding)
    expected = oracle_conv(x[None], w[None, None], [0.5], stride, pads, dilation, mode)[0]
    bound = oracle_conv(*absolute(x[None], w[None, None], [0.5]), stride, pads, dilation, mode)
    assert_close_to_oracle(out, expected, bound[0], terms=w.size)


def test_conv_is_cross_correlation_like_scipy():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(17), rng.standard_normal(4)
    np.testing.assert_allclose(conv1d(x, w), signal.correlate(x, w, mode="valid"))
    image, kernel = rng.standard_normal((9, 8)), rng.standard_normal((3, 2))
    np.testing.assert_allclose(conv2d(image, kernel), signal.correlate2d(image, kernel, "valid"))
    # padding k-1 on each side is scipy's "full" mode.
    np.testing.assert_allclose(
        conv2d(image, kernel, padding=(2, 1)), signal.correlate2d(image, kernel, "full")
    )


def test_hand_worked_1d():
    # x = [1, 2, 3, 4, 5], w = [1, 0, -1]: each output is x[i] - x[i+2] = -2.
    np.testing.assert_array_equal(conv1d([1, 2, 3, 4, 5], [1, 0, -1]), [-2, -2, -2])
    # stride 2, padding 1 over [0, 1, 2, 3, 4, 5, 0]: windows start at 0, 2, 4:
    # 0 - 2 = -2, 2 - 4 = -2, 4 - 0 = 4.
    np.testing.assert_array_equal(
        conv1d([1, 2, 3, 4, 5], [1, 0, -1], stride=2, padding=1), [-2, -2, 4]
    )
    # dilation 2, w = [1, 1]: x[i] + x[i+2] = 4, 6, 8.
    np.testing.assert_array_equal(conv1d([1, 2, 3, 4, 5], [1, 1], dilation=2), [4, 6, 8])


def test_channels_sum_and_bias_adds_per_output_channel():
    x = np.stack([np.arange(5.0), np.ones(5)])  # (2, 5)
    w = np.zeros((3, 2, 1))
    w[0, 0, 0] = 1  # channel 0 copies input channel 0
    w[1, 1, 0] = 2  # channel 1 doubles input channel 1
    w[2, :, 0] = 1  # channel 2 sums both
    out = conv1d(x, w, bias=[0, 10, 100])
    np.testing.assert_array_equal(out[0], np.arange(5.0))
    np.testing.assert_array_equal(out[1], np.full(5, 12.0))
    np.testing.assert_array_equal(out[2], np.arange(5.0) + 101)


# ---------------------------------------------------------------- padding


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["valid", "same"]),
    st.sampled_from(list(NUMPY_MODE)),
)
def test_string_padding(h, w_, kh, kw, padding, mode):
    rng = np.random.default_rng(h * 100 + w_)
    dilation = (1 + (kh % 2), 1)
    x = rng.standard_normal((2, h + 6, w_ + 6))
    w = rng.standard_normal((3, 2, kh, kw))
    out = conv2d(x, w, padding=padding, dilation=dilation, padding_mode=mode)
    if padding == "same":
        assert out.shape[1:] == x.shape[1:]
        # torch: total d*(k-1), the smaller half before, the rest after.
        total = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
        pads = tuple((t // 2, t - t // 2) for t in total)
    else:
        pads = ((0, 0), (0, 0))
    np.testing.assert_allclose(
        out, oracle_conv(x, w, None, (1, 1), pads, dilation, mode), atol=1e-10
    )


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_same_keeps_the_shape_even_kernels_included(k, dilation):
    x = np.arange(12.0)
    assert conv1d(x, np.ones(k), padding="same", dilation=dilation).shape == (12,)
    image = np.ones((2, 9, 10))
    assert conv2d(image, np.ones((4, 2, k, 2)), padding="same", dilation=dilation).shape == (
        4,
        9,
        10,
    )


def test_same_with_an_even_kernel_pads_more_after():
    # k = 2: total padding 1, 0 before and 1 after: outputs x[i] + x[i+1], last x[-1] + 0.
    np.testing.assert_array_equal(conv1d([1, 2, 3], [1, 1], padding="same"), [3, 5, 3])


@pytest.mark.parametrize("mode", list(NUMPY_MODE))
@pytest.mark.parametrize("padding", [(1, 0), (2, 3), (0, 2)])
def test_padding_mode_equals_numpy_pad_then_valid(mode, padding):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 6))
    w = rng.standard_normal((1, 2, 2, 3))
    padded = np.pad(x, ((0, 0), (padding[0],) * 2, (padding[1],) * 2), mode=NUMPY_MODE[mode])
    np.testing.assert_allclose(
        conv2d(x, w, padding=padding, padding_mode=mode), conv2d(padded, w), atol=1e-12
    )
    x1 = x[0, 0]
    padded1 = np.pad(x1, padding[1], mode=NUMPY_MODE[mode])
    np.testing.assert_allclose(
        conv1d(x1, w[0, 0, 0], padding=padding[1], padding_mode=mode),
        conv1d(padded1, w[0, 0, 0]),
        atol=1e-12,
    )


def test_padding_modes_hand_worked():
    x = [1.0, 2.0, 3.0]
    identity = [0.0, 1.0, 0.0]  # taps the centre: output = padded input minus the ends
    # Pad 2 on each side, kernel of 3 taps whose middle tap reads padded[i+1].
    assert conv1d(x, identity, padding=2, padding_mode="zeros").tolist() == [0, 1, 2, 3, 0]
    assert conv1d(x, identity, padding=2, padding_mode="reflect").tolist() == [2, 1, 2, 3, 2]
    assert conv1d(x, identity, padding=2, padding_mode="replicate").tolist() == [1, 1, 2, 3, 3]
    assert conv1d(x, identity, padding=2, padding_mode="circular").tolist() == [3, 1, 2, 3, 1]


def test_circular_padding_may_equal_the_size_but_reflect_may_not():
    x = np.arange(3.0)
    out = conv1d(x, [1.0], padding=3, padding_mode="circular")
    np.testing.assert_array_equal(out, np.tile(x, 3))
    with pytest.raises(ValueError, match="reflect"):
        conv1d(x, [1.0], padding=3, padding_mode="reflect")


# ---------------------------------------------------------------- transposed


@st.composite
def transpose_case(draw):
    nd = draw(st.sampled_from([1, 2]))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    output_padding = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
    )
    n = tuple(draw(st.integers(1, 5 if nd == 1 else 3)) for _ in range(nd))
    # Padding up to the largest value that still leaves an output (may exceed d*(k-1): crops).
    padding = []
    for a in range(nd):
        room = (n[a] - 1) * stride[a] + dilation[a] * (k[a] - 1) + output_padding[a]
        padding.append(draw(st.integers(0, room // 2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x_dtype, w_dtype = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(DTYPES))
    x = random_array(rng, (c_in, *n), x_dtype)
    w = random_array(rng, (c_in, c_out, *k), w_dtype)
    bias = random_array(rng, c_out, w_dtype) if draw(st.booleans()) else None
    return x, w, bias, stride, tuple(padding), output_padding, dilation


@settings(max_examples=150, deadline=None)
@given(transpose_case())
def test_conv_transpose_matches_the_scatter_add_definition(case):
    x, w, bias, stride, padding, output_padding, dilation = case
    nd = x.ndim - 1
    out = CONV_T[nd](
        x,
        w,
        bias,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    assert out.dtype == np.result_type(x, w, *([] if bias is None else [bias]))
    expected = oracle_conv_transpose(x, w, bias, stride, padding, output_padding, dilation)
    bound = oracle_conv_transpose(*absolute(x, w, bias), stride, padding, output_padding, dilation)
    assert out.shape[1:] == transposed_output_size(
        x.shape[1:],
        w.shape[2:],
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    # Each output sums at most one product per input channel and kernel tap.
    assert_close_to_oracle(out, expected, bound, terms=x.shape[0] * w[0, 0].size)


@settings(max_examples=100, deadline=None)
@given(conv_case(modes=("zeros",), dtypes=(np.dtype(np.float64),)))
def test_conv_transpose_is_the_adjoint_of_conv(case):
    # <conv(x, w), y> == <x, conv_transpose(y, w)> when conv_transpose maps back to x's shape.
    x, w, _, stride, padding, dilation, _ = case
    nd = x.ndim - 1
    y_shape = CONV[nd](x, w, stride=stride, padding=padding, dilation=dilation).shape
    y = np.random.default_rng(5).standard_normal(y_shape)
    output_padding = tuple(
        (x.shape[1 + a] + 2 * padding[a] - dilation[a] * (w.shape[2 + a] - 1) - 1) % stride[a]
        for a in range(nd)
    )
    back = CONV_T[nd](
        y, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )
    assert back.shape == x.shape
    lhs = np.vdot(CONV[nd](x, w, stride=stride, padding=padding, dilation=dilation), y)
    np.testing.assert_allclose(lhs, np.vdot(x, back), rtol=1e-9, atol=1e-9)


def test_conv_transpose_hand_worked():
    # Stride 2 spreads the inputs 2 apart; each drops a copy of w = [1, 10]:
    # x[0]=1 at 0..1, x[1]=2 at 2..3, x[2]=3 at 4..5.
    np.testing.assert_array_equal(
        conv_transpose1d([1, 2, 3], [1, 10], stride=2), [1, 10, 2, 20, 3, 30]
    )
    # Stride 1 overlaps them: [1, 10+2, 20+3, 30].
    np.testing.assert_array_equal(conv_transpose1d([1, 2, 3], [1, 10]), [1, 12, 23, 30])
    # padding 1 crops one cell from each side; output_padding 1 adds one back at the end.
    np.testing.assert_array_equal(
        conv_transpose1d([1, 2, 3], [1, 10], stride=2, padding=1, output_padding=1),
        [10, 2, 20, 3, 30],
    )


def test_conv_transpose_single_channel_with_scalar_bias():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((2, 3))
    out = conv_transpose2d(x, w, 1.5, stride=(2, 1), dilation=(1, 2))
    expected = oracle_conv_transpose(x[None], w[None, None], [1.5], (2, 1), (0, 0), (0, 0), (1, 2))
    np.testing.assert_allclose(out, expected[0], atol=1e-12)
    # At stride 1 the transposed convolution is scipy's full convolution.
    np.testing.assert_allclose(conv_transpose2d(x, w), signal.convolve2d(x, w, "full"), atol=1e-12)


# ---------------------------------------------------------------- pooling


@st.composite
def pool_case(draw):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    shape = (
        draw(st.integers(1, 3)),
        draw(st.integers(max(1, k[0] - 2 * padding[0]), 8)),
        draw(st.integers(max(1, k[1] - 2 * padding[1]), 8)),
    )
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal(shape)
    return x, k, stride, padding


@settings(max_examples=100, deadline=None)
@given(pool_case(), st.sampled_from(["max", "avg"]))
def test_pooling_matches_loops(case, kind):
    x, k, stride, padding = case
    pool = max_pool2d if kind == "max" else avg_pool2d
    out = pool(x, k, stride, padding)
    expected = oracle_pool(x, k, stride or k, padding, kind)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    assert out.shape[1:] == output_size(x.shape[1:], k, stride=stride or k, padding=padding)
    np.testing.assert_allclose(pool(x[0], k, stride, padding), expected[0], atol=1e-12)


def test_pooling_hand_worked():
    x = np.arange(16.0).reshape(4, 4)
    # 2x2 windows, stride defaults to 2: max = bottom-right of each block, mean = its centre.
    np.testing.assert_array_equal(max_pool2d(x, 2), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(avg_pool2d(x, 2), [[2.5, 4.5], [10.5, 12.5]])
    # Padding 1 with a 2x2 window and stride 2: the top-left window holds x[0, 0] and 3 zeros;
    # avg counts the zeros (count_include_pad) and max ignores them (-inf padding).
    neg = -np.ones((2, 2))
    assert avg_pool2d(neg, 2, padding=1)[0, 0] == -0.25
    assert max_pool2d(neg, 2, padding=1)[0, 0] == -1.0


def test_conv_transpose_padding_can_crop_past_the_scattered_samples():
    # x = [1, 2], stride 5: scattered at 0 and 5 -> full [1, 0, 0, 0, 0, 2]; output_padding 4
    # makes the size (2-1)*5 - 2*2 + 0 + 4 + 1 = 6, read from full index 2 on: [0, 0, 0, 2, 0, 0].
    np.testing.assert_array_equal(
        conv_transpose1d([1.0, 2.0], [1.0], stride=5, padding=2, output_padding=4),
        [0, 0, 0, 2, 0, 0],
    )
    # A single input: size (1-1)*5 - 4 + 0 + 4 + 1 = 1, full index 2 is past the only sample.
    np.testing.assert_array_equal(
        conv_transpose1d([1.0], [1.0], stride=5, padding=2, output_padding=4), [0.0]
    )


@settings(max_examples=60, deadline=None)
@given(conv_case(modes=("zeros",), dtypes=(np.dtype(np.float64),)))
def test_conv_agrees_with_the_tutorial_reference_loop(case):
    x, w, bias, stride, padding, dilation, _ = case
    # Integer data: both sides must be exact, not just close.
    xi, wi = np.rint(4 * x).astype(np.int64), np.rint(4 * w).astype(np.int64)
    out = CONV[x.ndim - 1](xi, wi, stride=stride, padding=padding, dilation=dilation)
    expected = reference_conv(xi, wi, stride=stride, padding=padding, dilation=dilation)
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, expected)
    if bias is not None:
        out = CONV[x.ndim - 1](x, w, bias, stride=stride, padding=padding, dilation=dilation)
        ref = reference_conv(x, w, bias, stride=stride, padding=padding, dilation=dilation)
        np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


def test_dtypes_follow_the_inputs():
    x32 = np.ones((2, 6, 6), dtype=np.float32)
    w32 = np.ones((3, 2, 3, 3), dtype=np.float32)
    # float32 stays float32, as in PyTorch.
    assert conv2d(x32, w32).dtype == np.float32
    assert conv_transpose2d(x32, np.ones((2, 3, 2, 2), np.float32), stride=2).dtype == np.float32
    assert avg_pool2d(x32, 2).dtype == max_pool2d(x32, 2).dtype == np.float32
    # Integers stay exact integers until a float bias or an average enters.
    big = np.array([2**53, 1, 1], dtype=np.int64)
    out = conv1d(big, np.array([1, 1], dtype=np.int64))
    assert out.dtype == np.int64 and out.tolist() == [2**53 + 1, 2]
    assert conv1d(big, [1, 1], 0.5).dtype == np.float64
    assert avg_pool2d(np.arange(4).reshape(2, 2), 2).tolist() == [[1.5]]


# ---------------------------------------------------------------- groups
#
# PyTorch's documented semantics: with groups=g the layer is g layers side by side.
# Conv weight (C_out, C_in/g, *k): output block gamma (channels gamma*C_out/g ..) reads
# input block gamma only. Transposed weight (C_in, C_out/g, *k): input block gamma
# writes output block gamma only. The oracles split the channels themselves and run
# the loop oracles above (or SciPy) on each block.


def grouped_oracle(oracle, x, w, bias, groups, *args):
    """``oracle`` on each channel block, stacked: the definition of groups."""
    xs, ws = np.split(x, groups), np.split(w, groups)
    bs = [None] * groups if bias is None else np.split(np.asarray(bias), groups)
    return np.concatenate(
        [oracle(xg, wg, bg, *args) for xg, wg, bg in zip(xs, ws, bs, strict=True)]
    )


@st.composite
def grouped_case(draw, transposed=False, dtypes=DTYPES):
    nd = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 4))
    per_in, per_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    c_in, c_out = groups * per_in, groups * per_out
    # Up to 6x6 taps: some kernels above the batched plan's 32, so both plans run.
    k = tuple(draw(st.integers(1, 6 if nd == 2 else 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    n = tuple(
        max(1, d * (kk - 1) + 1 - 2 * p) + draw(st.integers(0, 4 if nd == 1 else 2))
        for kk, d, p in zip(k, dilation, padding, strict=True)
    )
    if transposed:  # padding may crop, but must leave an output: at most half the full size
        padding = tuple(
            min(p, ((nn - 1) * s + d * (kk - 1)) // 2)
            for p, nn, s, d, kk in zip(padding, n, stride, dilation, k, strict=True)
        )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x_dtype, w_dtype = draw(st.sampled_from(dtypes)), draw(st.sampled_from(dtypes))
    x = random_array(rng, (c_in, *n), x_dtype)
    shape = (c_in, per_out, *k) if transposed else (c_out, per_in, *k)
    w = random_array(rng, shape, w_dtype)
    bias = random_array(rng, c_out, w_dtype) if draw(st.booleans()) else None
    return x, w, bias, groups, stride, padding, dilation


@settings(max_examples=150, deadline=None)
@given(grouped_case())
def test_grouped_conv_is_the_per_group_split_of_the_torch_formula(case):
    x, w, bias, groups, stride, padding, dilation = case
    nd = x.ndim - 1
    out = CONV[nd](x, w, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)
    pads = tuple((p, p) for p in padding)
    args = (stride, pads, dilation, "zeros")
    expected = grouped_oracle(oracle_conv, x, w, bias, groups, *args)
    bound = grouped_oracle(oracle_conv, *absolute(x, w, bias), groups, *args)
    # Shapes by PyTorch's formulas: C_out = weight.shape[0], sizes unchanged by groups.
    assert out.shape[0] == w.shape[0]
    assert out.shape[1:] == output_size(
        x.shape[1:], w.shape[2:], stride=stride, padding=padding, dilation=dilation
    )
    assert out.dtype == np.result_type(x, w, *([] if bias is None else [bias]))
    assert_close_to_oracle(out, expected, bound, terms=w[0].size)


@settings(max_examples=150, deadline=None)
@given(grouped_case(transposed=True))
def test_grouped_conv_transpose_is_the_per_group_split_of_the_scatter_add(case):
    x, w, bias, groups, stride, padding, dilation = case
    nd = x.ndim - 1
    output_padding = (0,) * nd
    out = CONV_T[nd](
        x, w, bias, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    args = (stride, padding, output_padding, dilation)
    expected = grouped_oracle(oracle_conv_transpose, x, w, bias, groups, *args)
    bound = grouped_oracle(oracle_conv_transpose, *absolute(x, w, bias), groups, *args)
    assert out.shape[0] == groups * w.shape[1]  # C_out = groups * weight.shape[1]
    assert out.shape[1:] == transposed_output_size(
        x.shape[1:], w.shape[2:], stride=stride, padding=padding, dilation=dilation
    )
    assert out.dtype == np.result_type(x, w, *([] if bias is None else [bias]))
    assert_close_to_oracle(out, expected, bound, terms=x.shape[0] // groups * w[0, 0].size)


@settings(max_examples=60, deadline=None)
@given(grouped_case(dtypes=(np.dtype(np.float64),)))
def test_grouped_conv_transpose_is_the_adjoint_of_grouped_conv(case):
    # The same weight (C_out, C_in/g, *k) read as a transposed weight (C_in', C_out'/g, *k).
    x, w, _, groups, stride, padding, dilation = case
    nd = x.ndim - 1
    y_shape = CONV[nd](x, w, stride=stride, padding=padding, dilation=dilation, groups=groups).shape
    y = np.random.default_rng(7).standard_normal(y_shape)
    output_padding = tuple(
        (x.shape[1 + a] + 2 * padding[a] - dilation[a] * (w.shape[2 + a] - 1) - 1) % stride[a]
        for a in range(nd)
    )
    back = CONV_T[nd](
        y, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation,
        groups=groups,
    )
    assert back.shape == x.shape
    forward = CONV[nd](x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    np.testing.assert_allclose(np.vdot(forward, y), np.vdot(x, back), rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    nd=st.sampled_from([1, 2]),
    channels=st.integers(1, 5),
    k=st.integers(1, 7),
    seed=st.integers(0, 2**32 - 1),
)
def test_depthwise_is_per_channel_correlation_like_scipy(nd, channels, k, seed):
    # groups = C_in = C_out: channel c is correlated with its own kernel, nothing summed.
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((channels, *(k + 5,) * nd))
    w = rng.standard_normal((channels, 1, *(k,) * nd))
    out = CONV[nd](x, w, padding=k // 2, groups=channels)
    for c in range(channels):
        padded = np.pad(x[c], k // 2)
        np.testing.assert_allclose(
            out[c], signal.correlate(padded, w[c, 0], "valid", method="direct"),
            rtol=1e-12, atol=1e-12,
        )


@settings(max_examples=40, deadline=None)
@given(conv_case(modes=("zeros", "reflect")), st.booleans())
def test_groups_one_is_the_default_bit_for_bit(case, single):
    x, w, bias, stride, padding, dilation, mode = case
    nd = x.ndim - 1
    if single:  # the single-channel form, whose plain calls skip the generic checks
        x, w, bias = x[0], w[0, 0], None
    kw = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    np.testing.assert_array_equal(
        CONV[nd](x, w, bias, groups=np.int8(1), **kw), CONV[nd](x, w, bias, **kw)
    )


@pytest.mark.parametrize(
    ("c_in", "c_out", "groups", "k"),
    [
        (4, 4, 4, 3),  # depthwise, batched (9 taps)
        (6, 12, 3, 3),  # 2 in x 4 out per group, batched
        (18, 9, 1, 3),  # groups=1 through the engine
        (18, 18, 2, 3),  # 9 x 9 pairs per group: one engine call per group
        (3, 3, 3, 7),  # 49 taps: one engine call per group
    ],
)
def test_both_grouped_plans_equal_the_loops_for_every_dtype(c_in, c_out, groups, k):
    rng = np.random.default_rng(c_in * 100 + k)
    for dtype in (np.int64, np.float32, np.complex128, np.bool_):
        x = rng.integers(-2, 3, (c_in, 9, 8)).astype(dtype)
        w = rng.integers(-2, 3, (c_out, c_in // groups, k, k)).astype(dtype)
        out = conv2d(x, w, padding=1, groups=groups)
        loops = grouped_oracle(
            oracle_conv, x.astype(complex), w.astype(complex), None, groups,
            (1, 1), ((1, 1), (1, 1)), (1, 1), "zeros",
        )
        assert out.dtype == np.result_type(x, w)
        if dtype is np.bool_:  # True where any tap pair is (True, True), as numpy.convolve
            np.testing.assert_array_equal(out, loops != 0)
        else:
            np.testing.assert_allclose(out, loops, rtol=1e-6, atol=1e-6)
        wt = rng.integers(-2, 3, (c_in, c_out // groups, k, k)).astype(dtype)
        out_t = conv_transpose2d(x, wt, stride=2, padding=1, groups=groups)
        loops_t = grouped_oracle(
            oracle_conv_transpose, x.astype(complex), wt.astype(complex), None, groups,
            (2, 2), (1, 1), (0, 0), (1, 1),
        )
        if dtype is np.bool_:
            np.testing.assert_array_equal(out_t, loops_t != 0)
        else:
            np.testing.assert_allclose(out_t, loops_t, rtol=1e-6, atol=1e-6)


def test_grouped_hand_worked():
    # Two groups of one channel: channel 0 sums neighbours, channel 1 differences them.
    x = [[1, 2, 4], [10, 20, 40]]
    np.testing.assert_array_equal(
        conv1d(x, [[[1, 1]], [[-1, 1]]], groups=2), [[3, 6], [10, 20]]
    )
    # Channel multiplier 2 (groups = C_in = 1 ... here groups=2, C_out = 4): each input
    # channel feeds two outputs of its own.
    np.testing.assert_array_equal(
        conv1d(x, [[[1, 0]], [[0, 1]], [[1, 0]], [[0, 1]]], groups=2),
        [[1, 2], [2, 4], [10, 20], [20, 40]],
    )
    # Transposed, two groups: [1, 2] spreads [1, 10]; [3, 4] spreads [1, -1].
    np.testing.assert_array_equal(
        conv_transpose1d([[1, 2], [3, 4]], [[[1, 10]], [[1, -1]]], groups=2),
        [[1, 12, 20], [3, 1, -4]],
    )


def test_grouped_non_finite_transposed_weight_touches_only_its_group():
    # An infinite tap of group 0 never meets group 1's inputs, nor an inserted zero.
    x = np.ones((2, 3))
    w = np.array([[[np.inf, 1.0]], [[1.0, 2.0]]])
    out = conv_transpose1d(x, w, stride=2, groups=2)
    np.testing.assert_array_equal(out[0], [np.inf, 1, np.inf, 1, np.inf, 1])
    np.testing.assert_array_equal(out[1], [1, 2, 1, 2, 1, 2])


@pytest.mark.parametrize(
    ("c", "groups", "k", "c_out"),
    [(64, 64, 3, 64), (32, 32, 3, 64), (128, 32, 3, 128), (64, 2, 3, 64), (48, 48, 7, 48)],
)
def test_grouped_layers_need_memory_in_proportion_to_input_and_output(c, groups, k, c_out):
    # Batched over groups or one group at a time, the arrays a grouped layer builds stay
    # within a small multiple of its input and output: no K^2 copy of the windows.
    import tracemalloc

    x = np.ones((c, 40, 40))
    w = np.ones((c_out, c // groups, k, k))
    w_t = np.ones((c, c_out // groups, k, k))
    calls = [
        (lambda: conv2d(x, w, padding=k // 2, groups=groups), w),
        (lambda: conv_transpose2d(x, w_t, stride=2, groups=groups), w_t),
    ]
    for call, weight in calls:
        tracemalloc.start()
        try:
            y = call()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= 8 * (x.nbytes + y.nbytes + weight.nbytes)
    # Away from the borders every output of the direct layer sums K*K*C_in/groups ones.
    assert conv2d(x, w, padding=k // 2, groups=groups)[0, 20, 20] == k * k * (c // groups)
