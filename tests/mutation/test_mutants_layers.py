"""convdoc.layers: tests written to kill surviving mutants (tests/MUTANTS.md).

Oracles: loops of PyTorch's documented definitions written here over ``numpy.pad``
(``out[co, o] = bias[co] + sum_ci sum_j w[co, ci, j] * xpad[ci, o*s + j*d]``),
``scipy.signal.correlate``, and sizes and messages worked by hand in the comments
(PyTorch's output-size formulas).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convdoc._validate
from convdoc.layers import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool2d,
)

MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def loop_conv(x, w, bias=None, stride=None, pads=None, dilation=None, mode="zeros", groups=1):
    """x (C_in, *n), w (C_out, C_in/groups, *k): the definition, tap by tap, in complex128."""
    c_out, c_in_g, *k = w.shape
    nd = len(k)
    stride = stride or (1,) * nd
    dilation = dilation or (1,) * nd
    pads = pads or ((0, 0),) * nd
    xpad = np.pad(x.astype(np.complex128), ((0, 0), *pads), mode=MODES[mode])
    out_shape = [
        (xpad.shape[1 + a] - dilation[a] * (k[a] - 1) - 1) // stride[a] + 1 for a in range(nd)
    ]
    out = np.zeros((c_out, *out_shape), dtype=np.complex128)
    per_group_out = c_out // groups
    for co in range(c_out):
        group = co // per_group_out
        for o in itertools.product(*(range(m) for m in out_shape)):
            total = 0j if bias is None else complex(bias[co])
            for ci in range(c_in_g):
                for j in itertools.product(*(range(m) for m in k)):
                    src = tuple(o[a] * stride[a] + j[a] * dilation[a] for a in range(nd))
                    total += complex(w[(co, ci, *j)]) * xpad[(group * c_in_g + ci, *src)]
            out[(co, *o)] = total
    return out


# ------------------------------------------------------------ the fast argument path


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        # NumPy arrays of the exact fast types, but of a dtype the layer refuses: the
        # fast path must leave them to the generic checks, which name the argument.
        (
            lambda: conv1d(np.array(["a", "b", "c"]), np.array(["a"])),
            TypeError,
            r"x must hold numbers \(bool, int, float or complex\), got dtype <U1",
        ),
        (
            lambda: conv1d(np.ones(5), np.array(["a", "b"])),
            TypeError,
            r"weight must hold numbers \(bool, int, float or complex\), got dtype <U1",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.array([["a"]])),
            TypeError,
            r"weight must hold numbers .* got dtype <U1",
        ),
        # A float64 x with one axis more than the single-channel kernel, each axis long
        # enough for the kernel: the fast path must not take it.
        (
            lambda: conv1d(np.ones((6, 6)), np.ones(3)),
            ValueError,
            r"x must be 1-D \(L,\) when weight is a single-channel kernel \(k,\), "
            r"got x of shape \(6, 6\)",
        ),
        (
            lambda: conv2d(np.ones((6, 6, 6)), np.ones((3, 3))),
            ValueError,
            r"x must be 2-D \(H, W\) when weight is a single-channel kernel \(kh, kw\), "
            r"got x of shape \(6, 6, 6\)",
        ),
    ],
)
def test_the_fast_path_leaves_bad_arrays_to_the_checks(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------- huge padding: the gathered windows


def test_replicate_padding_past_the_input_is_the_edge_sample():
    # 4 samples, padding 10**5, stride 1000: the padded input (200,004 cells) is past
    # 4 * 4 + 65,536 and past the 201 outputs x 3 taps gathered, so the windows are
    # gathered. Output o reads padded cells 1000 o .. 1000 o + 2, that is samples
    # clip(1000 o + j - 10**5, 0, 3): 111 * x[0] = 111 up to o = 99; at o = 100 the
    # taps read x[0], x[1], x[2]: 1 + 20 + 300 = 321; from o = 101, 111 * 4 = 444.
    x = np.array([1.0, 2.0, 3.0, 4.0])
    w = np.array([1.0, 10.0, 100.0])
    got = conv1d(x, w, padding=10**5, stride=1000, padding_mode="replicate")
    expected = np.array([111.0] * 100 + [321.0] + [444.0] * 100)
    np.testing.assert_array_equal(got, expected)
    # The same with zeros: only o = 100 sees the samples.
    got = conv1d(x, w, padding=10**5, stride=1000)
    np.testing.assert_array_equal(got, np.where(np.arange(201) == 100, 321.0, 0.0))


@pytest.mark.parametrize("mode", ["zeros", "replicate"])
def test_grouped_2d_layer_with_huge_padding_matches_the_loop(mode):
    # 3x3 images padded by 300 (603x603 cells per channel, 4 channels: 1,454,436 cells,
    # past 4 * 36 + 65,536), stride 200: (603 - 2) // 200 + 1 = 4 outputs per axis,
    # 4 * 16 * 4 = 256 gathered cells. Two groups of two input channels each.
    rng = np.random.default_rng(7)
    x = rng.integers(-9, 10, (4, 3, 3)).astype(np.float64)
    w = rng.integers(-9, 10, (4, 2, 2, 2)).astype(np.float64)
    bias = np.array([1.0, -2.0, 3.0, 0.5])
    got = conv2d(x, w, bias, padding=300, stride=200, groups=2, padding_mode=mode)
    expected = loop_conv(x, w, bias, (200, 200), ((300, 300),) * 2, None, mode, groups=2)
    assert got.shape == (4, 4, 4)
    np.testing.assert_array_equal(got, expected.real)


def test_the_fast_path_leaves_a_kernel_that_does_not_fit_to_the_checks():
    # 2 samples padded by 1 on each side: 4 cells, less than the 5 taps.
    with pytest.raises(
        ValueError,
        match=r"the kernel does not fit along spatial axis 0: padded input size 4 "
        r"\(size 2, padding 1\+1\) is smaller than the dilated kernel size 5 "
        r"\(kernel 5, dilation 1\)",
    ):
        conv1d(np.ones(2), np.ones(5), padding=1)
    # Dilation 2 spreads 3 taps over 5 cells; 3 cells of input padded by 0.
    with pytest.raises(ValueError, match=r"padded input size 3 .* dilated kernel size 5"):
        conv1d(np.ones(3, np.float32), np.ones(3, np.float32), dilation=2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("stride", "dilation", "padding"), [(2, 2, 0), (3, 2, 1), (2, 1, 2),
                                                             (1, 3, 1), (3, 1, 0)])
def test_fast_1d_and_2d_calls_with_strides_and_dilations_match_the_loop(
    dtype, stride, dilation, padding
):
    rng = np.random.default_rng(stride * 10 + dilation)
    x1 = rng.integers(-9, 10, 17).astype(dtype)
    w1 = rng.integers(-9, 10, 3).astype(dtype)
    got = conv1d(x1, w1, stride=stride, dilation=dilation, padding=padding)
    want = loop_conv(x1[None], w1[None, None], None, (stride,), ((padding, padding),),
                     (dilation,))[0]
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want.real)
    x2 = rng.integers(-9, 10, (9, 8)).astype(dtype)
    w2 = rng.integers(-9, 10, (3, 2)).astype(dtype)
    got = conv2d(x2, w2, stride=stride, dilation=dilation, padding=padding)
    want = loop_conv(x2[None], w2[None, None], None, (stride,) * 2, ((padding, padding),) * 2,
                     (dilation,) * 2)[0]
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want.real)


def test_fast_calls_let_the_planner_choose_the_fft_for_long_kernels():
    # The layers run the engine under method="auto": a long kernel on a long input is
    # priced cheaper by the FFT (a route test; the numbers are checked against SciPy).
    from unittest import mock

    from scipy import signal

    from convdoc.plans import fft, overlap_save

    rng = np.random.default_rng(0)
    x = rng.standard_normal(100_000)
    w = rng.standard_normal(301)
    with mock.patch.object(overlap_save, "fft_phases", wraps=overlap_save.fft_phases) as spy:
        got = conv1d(x, w, stride=2)
    assert spy.called
    np.testing.assert_allclose(got, signal.correlate(x, w, "valid", "direct")[::2], atol=1e-9)
    x = rng.standard_normal((128, 128))
    w = rng.standard_normal((31, 31))
    with mock.patch.object(fft, "correlate", wraps=fft.correlate) as spy:
        got = conv2d(x, w)
    assert spy.called
    np.testing.assert_allclose(got, signal.correlate(x, w, "valid", "direct"), atol=1e-9)


# ------------------------------------------------------- grouped layers, many blocks


def scipy_grouped(x, w, groups, stride, pad, dilation):
    """Grouped layer by SciPy: each output channel sums ``signal.correlate`` over its
    group's input channels, on ``numpy.pad``-ded input with a dilated kernel."""
    from scipy import signal

    c_out, c_in_g, *k = w.shape
    nd = len(k)
    xp = np.pad(x, ((0, 0),) + ((pad, pad),) * nd)
    dil = np.zeros((c_out, c_in_g, *(dilation * (ki - 1) + 1 for ki in k)), dtype=w.dtype)
    dil[(slice(None), slice(None), *(slice(None, None, dilation),) * nd)] = w
    per = c_out // groups
    out = []
    for co in range(c_out):
        g = co // per
        total = sum(
            signal.correlate(xp[g * c_in_g + ci], dil[co, ci], "valid", "direct")
            for ci in range(c_in_g)
        )
        out.append(total[(slice(None, None, stride),) * nd])
    return np.array(out)


@pytest.mark.parametrize(("c_in_g", "c_out_g", "groups"), [(1, 1, 7), (1, 2, 5), (2, 2, 5),
                                                           (2, 1, 6)])
def test_grouped_1d_layers_over_many_cache_blocks_match_scipy(c_in_g, c_out_g, groups):
    # 20,011 samples, pad 2, dilation 3, 3 taps, stride 2: (20,015 - 7) // 2 + 1 = 10,005
    # outputs per channel, 80,040 bytes of float64 per output channel: a block of
    # 2**18 bytes holds 3 groups of one output channel (1 of two), so the groups are
    # added block by block (7 groups: 3, 3, 1).
    rng = np.random.default_rng(groups * 10 + c_in_g)
    x = rng.integers(-9, 10, (c_in_g * groups, 20_011)).astype(np.float64)
    w = rng.integers(-9, 10, (c_out_g * groups, c_in_g, 3)).astype(np.float64)
    got = conv1d(x, w, stride=2, padding=2, dilation=3, groups=groups)
    expected = scipy_grouped(x, w, groups, 2, 2, 3)
    assert got.shape == (c_out_g * groups, 10_005)
    np.testing.assert_array_equal(got, expected)


def test_depthwise_2d_layer_over_many_cache_blocks_matches_scipy():
    # 102x102 images, 3x3 kernels, valid: 100x100 outputs, 80,000 bytes of float64 per
    # channel, 3 channels per 2**18-byte block: 5 groups in blocks of 3 and 2.
    rng = np.random.default_rng(3)
    x = rng.integers(-9, 10, (5, 102, 102)).astype(np.float64)
    w = rng.integers(-9, 10, (5, 1, 3, 3)).astype(np.float64)
    got = conv2d(x, w, groups=5)
    np.testing.assert_array_equal(got, scipy_grouped(x, w, 5, 1, 0, 1))
    # int64 (8 bytes too) and a stride and dilation per call.
    xi = x.astype(np.int64)
    wi = w.astype(np.int64)
    got = conv2d(xi, wi, groups=5, stride=2, dilation=2, padding=1)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, scipy_grouped(xi, wi, 5, 2, 1, 2))


# ------------------------------------------------- the memory check before huge padding


@pytest.mark.parametrize(
    ("x", "w", "need"),
    [
        # 6 samples, 3 taps, padding 5 * 10**10: 10**11 + 4 outputs. complex128 next to
        # float32 (either way round) is complex128, 16 bytes: 1.6e12 bytes / 2**40 =
        # 1.455 TiB.
        (np.ones(6, complex), np.ones(3, np.float32), "1.46 TiB"),
        (np.ones(6, np.float32), np.ones(3, complex), "1.46 TiB"),
        # Three output channels of float64 from one input channel: 3 * 8 * (10**11 + 4)
        # = 2.4e12 bytes = 2.183 TiB.
        (np.ones((1, 6)), np.ones((3, 1, 3)), "2.18 TiB"),
    ],
)
def test_the_output_check_counts_the_result_dtype_and_output_channels(x, w, need):
    channels = w.shape[0] if w.ndim == 3 else 1  # the shape counted: (C_out, outputs)
    with pytest.raises(
        ValueError,
        match=rf"the output of shape \({channels}, 100000000004\) would need {need}, more than",
    ):
        conv1d(x, w, padding=5 * 10**10)


@pytest.mark.parametrize(("mode", "padding"), [("circular", 200), ("reflect", 199)])
def test_2d_circular_and_reflect_padding_of_the_whole_image_match_the_loop(mode, padding):
    # A 2-D padding can make the grid 9 times the image (more than 4 times + 65,536
    # cells: 600 * 600 = 360,000 > 4 * 40,000 + 65,536), yet it must be the wrapped or
    # mirrored image, never zeros. Stride 100: (600 - 3) // 100 + 1 = 6 outputs a side.
    rng = np.random.default_rng(11)
    x = rng.integers(-9, 10, (1, 200, 200)).astype(np.float64)
    w = rng.integers(-9, 10, (1, 1, 3, 3)).astype(np.float64)
    got = conv2d(x, w, padding=padding, stride=100, padding_mode=mode)
    expected = loop_conv(x, w, None, (100, 100), ((padding, padding),) * 2, None, mode)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected.real)


@pytest.mark.parametrize(
    ("groups", "shown"), [(1.0, "1.0"), (True, "True"), (np.float64(1), r"np.float64\(1.0\)")]
)
@pytest.mark.parametrize("conv", [conv1d, conv2d])
def test_groups_equal_to_one_but_not_an_int_are_refused_on_the_fast_path(conv, groups, shown):
    # A float64 single-channel call takes the fast path only for the int 1.
    x = np.arange(36.0).reshape(6, 6) if conv is conv2d else np.arange(6.0)
    w = np.ones((3, 3)) if conv is conv2d else np.ones(3)
    with pytest.raises(TypeError, match=rf"groups must be a positive integer, got {shown}"):
        conv(x, w, groups=groups)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(("nd", "c_in_g", "groups"), [(1, 1, 3), (2, 1, 3), (2, 2, 2), (1, 2, 3)])
def test_batched_grouped_layers_pad_with_the_padding_mode(mode, nd, c_in_g, groups):
    # Small groups and kernels take the batched grouped plan (the compiled depthwise
    # stencil is unloaded here), which pads the input itself: with the layer's mode.
    rng = np.random.default_rng(nd * 100 + c_in_g * 10 + groups)
    n = (7,) if nd == 1 else (5, 6)
    x = rng.integers(-9, 10, (c_in_g * groups, *n)).astype(np.float64)
    w = rng.integers(-9, 10, (2 * groups, c_in_g, *(3,) * nd)).astype(np.float64)
    conv = conv1d if nd == 1 else conv2d
    got = conv(x, w, padding=2, groups=groups, padding_mode=mode)
    expected = loop_conv(x, w, None, None, ((2, 2),) * nd, None, mode, groups=groups)
    np.testing.assert_array_equal(got, expected.real)


@pytest.mark.parametrize(
    ("shape", "groups", "batched"),
    [
        ((2, 1, 3), 1, False),  # one group: one engine call, never the batched plan
        ((2, 1, 3), 2, True),  # two groups of one channel each, 3 taps
        ((4, 1, 4, 8), 4, True),  # 32 taps: the limit itself
        ((4, 1, 3, 11), 4, False),  # 33 taps
        ((128, 8, 3), 16, True),  # 8 outputs x 8 inputs a group = 64 pairs: the limit
        ((256, 8, 3), 16, False),  # 16 outputs x 8 inputs = 128 pairs
    ],
)
def test_the_batched_grouped_plan_is_taken_up_to_32_taps_and_64_channel_pairs(
    shape, groups, batched
):
    # The rule of _batch_groups (a route: both plans compute the same numbers), at its
    # documented limits _GROUPED_MAX_TAPS = 32 and _GROUPED_MAX_PAIRS = 64.
    from convdoc.layers import _batch_groups

    assert _batch_groups(np.empty(shape), groups) is batched


@pytest.mark.parametrize(
    ("nd", "n", "k", "kwargs"),
    [
        (nd, *case)
        for nd in (1, 2)
        for case in [
            (5, 3, {}),
            (3, 3, {}),  # the kernel exactly as long as the input: one output
            (5, 3, {"padding": 2}),  # 5 - 2 * 2 = 1 < 3, but 5 + 2 * 2 = 9 cells
            (6, 3, {"stride": 2, "dilation": 2, "padding": 1}),
        ]
    ]
    + [
        (1, 5, 3, {"stride": 4096, "padding": 4096}),  # _FAST_MAX = 2**12 = 4096
        (1, 1, 2, {"dilation": 4096, "padding": 4096}),  # span 4097 in 1 + 8192 cells
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_common_call_takes_the_fast_path(nd, n, k, kwargs, dtype):
    # A route test: a single-channel float call with int stride, padding and dilation
    # up to 2**12, zero padding and no bias skips the generic checks (_conv_fast's
    # docstring: they cost more than the arithmetic on small inputs). The numbers
    # are checked against the loop.
    from unittest import mock

    from convdoc import layers

    x = np.arange(1.0, n**nd + 1).reshape((n,) * nd).astype(dtype)
    w = np.arange(1.0, k**nd + 1).reshape((k,) * nd).astype(dtype)
    conv = conv1d if nd == 1 else conv2d
    with mock.patch.object(layers, "_inputs", side_effect=AssertionError("generic path")):
        got = conv(x, w, padding_mode="zeros", groups=1, **kwargs)
    p = kwargs.get("padding", 0)
    expected = loop_conv(x[None], w[None, None], None, (kwargs.get("stride", 1),) * nd,
                         ((p, p),) * nd, (kwargs.get("dilation", 1),) * nd)[0]
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, expected.real)


# ------------------------------------------------------------ transposed convolution


@pytest.mark.parametrize(
    ("x", "w"),
    [(np.ones(6, complex), np.ones(3, np.float32)), (np.ones(6, np.float32), np.ones(3, complex))],
)
def test_transposed_output_check_counts_the_result_dtype(x, w):
    # (6 - 1) * 10**9 + (3 - 1) + 1 = 5,000,000,003 outputs of complex128 (16 bytes):
    # 8.0e10 bytes / 2**30 = 74.5 GiB, whichever operand is complex.
    with pytest.raises(
        ValueError, match=r"the output of shape \(1, 5000000003\) would need 74.5 GiB, more than"
    ):
        conv_transpose1d(x, w, stride=10**9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: conv_transpose1d(np.ones(6), np.ones(3), output_padding=-1),
            r"^output_padding must be a non-negative integer, got -1$",
        ),
        (
            lambda: conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), output_padding=(0, -1)),
            r"^output_padding\[1\] must be a non-negative integer, got -1$",
        ),
    ],
)
def test_transposed_messages_name_output_padding(call, message):
    with pytest.raises(ValueError, match=message):
        call()



def loop_conv_transpose(x, w, stride, padding, output_padding, dilation, groups):
    """PyTorch's scatter-add, in Python ints: x (C_in, *n), w (C_in, C_out/groups, *k);
    input channel c of group c // (C_in/groups) adds x[c, i] * w[c, o, t] to output
    channel group * C_out/groups + o at i*s - p + t*d (kept when inside the output)."""
    c_in, c_out_g, *k = w.shape
    nd = len(k)
    size = [
        (x.shape[1 + a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (k[a] - 1)
        + output_padding[a] + 1
        for a in range(nd)
    ]
    out = np.zeros((groups * c_out_g, *size), dtype=object)
    out[...] = 0
    c_in_g = c_in // groups
    for c in range(c_in):
        group = c // c_in_g
        for i in itertools.product(*(range(m) for m in x.shape[1:])):
            for o in range(c_out_g):
                for t in itertools.product(*(range(m) for m in k)):
                    dst = tuple(
                        i[a] * stride[a] - padding[a] + t[a] * dilation[a] for a in range(nd)
                    )
                    if all(0 <= dst[a] < size[a] for a in range(nd)):
                        out[(group * c_out_g + o, *dst)] += int(x[(c, *i)]) * int(w[(c, o, *t)])
    return out


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "groups", "stride", "padding", "output_padding", "dilation"),
    [
        # 33 taps, past the 32 the batched grouped plan takes: one engine call a group.
        ((4, 5), (4, 1, 33), 2, (2,), (3,), (1,), (2,)),
        # 9 input x 8 output channels a group = 72 pairs, past 64; a 3-tap kernel.
        ((18, 6), (18, 8, 3), 2, (3,), (1,), (2,), (3,)),
        # 2-D, 6x6 = 36 taps, dilation differing per axis.
        ((4, 3, 4), (4, 2, 6, 6), 2, (2, 1), (2, 4), (1, 0), (2, 3)),
    ],
)
def test_grouped_transposed_layers_too_big_to_batch_match_the_scatter_add(
    x_shape, w_shape, groups, stride, padding, output_padding, dilation
):
    # Finite weights and a zero-inserted grid far below 4 * (input + output) + 65,536
    # cells: the grouped layer runs on the zero-inserted grid, group by group, with the
    # layer's dilation (and stride 1 over the inserted zeros).
    rng = np.random.default_rng(16)
    x = rng.integers(-9, 10, x_shape)
    w = rng.integers(-9, 10, w_shape)
    conv = conv_transpose1d if len(x_shape) == 2 else conv_transpose2d
    got = conv(
        x, w, stride=stride, padding=padding, output_padding=output_padding,
        dilation=dilation, groups=groups,
    )
    expected = loop_conv_transpose(x, w, stride, padding, output_padding, dilation, groups)
    assert got.shape == expected.shape
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected.astype(np.int64))


# ------------------------------------------------------------------------- pooling


def loop_pool(x, k, s, p, kind):
    """PyTorch's pooling by its definition: pad (minus infinity for the max, zeros
    counted in the mean), then reduce every window, one at a time."""
    fill = -np.inf if kind == "max" else 0.0
    grid = np.pad(x.astype(np.float64), ((0, 0), (p, p), (p, p)), constant_values=fill)
    rows = (grid.shape[1] - k[0]) // s[0] + 1
    cols = (grid.shape[2] - k[1]) // s[1] + 1
    out = np.empty((x.shape[0], rows, cols))
    for c, r, q in itertools.product(range(x.shape[0]), range(rows), range(cols)):
        window = grid[c, r * s[0] : r * s[0] + k[0], q * s[1] : q * s[1] + k[1]]
        out[c, r, q] = window.max() if kind == "max" else window.sum() / (k[0] * k[1])
    return out


@pytest.mark.parametrize(("pool", "kind"), [(max_pool2d, "max"), (avg_pool2d, "avg")])
def test_the_pooling_output_check_counts_8_bytes_per_output(monkeypatch, pool, kind):
    # 3 channels of 10x10, kernel 3, stride (1, 2), padding 1 (PyTorch's sizes):
    # rows (10 + 2 - 3) // 1 + 1 = 10, columns (10 + 2 - 3) // 2 + 1 = 5 (9 / 2 is not
    # whole), so 3 * 10 * 5 = 150 outputs, checked at 8 bytes each (float64, the widest
    # pooled dtype): 1,200 bytes. The limit set to exactly that lets the call through
    # (float16 input: the padded grid, 3 * 12 * 12 * 2 = 864 bytes, fits too); one
    # byte less refuses it, naming the output's shape, channels included.
    x = (np.arange(300) % 17 - 8).astype(np.float16).reshape(3, 10, 10)
    monkeypatch.setattr(convdoc._validate, "MAX_BYTES", 1200)
    got = pool(x, 3, stride=(1, 2), padding=1)
    assert got.shape == (3, 10, 5)
    np.testing.assert_allclose(got, loop_pool(x, (3, 3), (1, 2), 1, kind), rtol=1e-3)
    monkeypatch.setattr(convdoc._validate, "MAX_BYTES", 1199)
    with pytest.raises(
        ValueError, match=r"^the output of shape \(3, 10, 5\) would need 1.17 KiB, more than"
    ):
        pool(x, 3, stride=(1, 2), padding=1)


# ------------------------------------------------------------------ argument checks


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # The convolution's weight is (C_out, C_in/groups, ...) (the transposed one's
        # (C_in, C_out/groups, ...)); the message names the layout and the weight's
        # number of axes, nd + 2.
        (
            lambda: conv1d(np.ones((2, 5)), np.ones((3, 3, 2))),
            r"^weight \(C_out, C_in/groups, \.\.\.\) of shape \(3, 3, 2\) expects 3 input "
            r"channels, but x of shape \(2, 5\) has 2$",
        ),
        (
            lambda: conv1d(np.ones(5), np.ones((2, 1, 3))),
            r"^x must be 2-D \(C_in, L\) when weight is 3-D \(C_out, C_in/groups, \.\.\.\), "
            r"got x of shape \(5,\)$",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 1, 3, 3))),
            r"^x must be 3-D \(C_in, H, W\) when weight is 4-D \(C_out, C_in/groups, \.\.\.\), "
            r"got x of shape \(4, 4\)$",
        ),
        (
            lambda: conv1d(np.ones((4, 5)), np.ones((3, 2, 2)), groups=2),
            r"^groups=2 must divide the output channels C_out of weight "
            r"\(C_out, C_in/groups, \.\.\.\) \(shape \(3, 2, 2\)\), got 3 \(not a multiple of 2\)$",
        ),
    ],
)
def test_convolution_messages_name_the_weight_layout_and_its_axes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_python_int_bias_on_float_data_is_added():
    # Single-channel form, float64 data, bias the Python int 3: [1+2, 2+3, 3+4] + 3.
    got = conv1d(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0]), bias=3)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [6.0, 8.0, 10.0])
    # Transposed: [1, 2] scattered by [1, 1] is [1, 3, 2]; + 3.
    got = conv_transpose1d(np.array([1.0, 2.0]), np.array([1.0, 1.0]), bias=3)
    np.testing.assert_array_equal(got, [4.0, 6.0, 5.0])


def test_a_python_float_bias_on_integer_data_promotes_as_numpy_does():
    # int8 data with a Python float bias past int8's range: NumPy's weak promotion gives
    # float64 (np.int8 array + 1000.5), never an error about int8's range.
    x = np.array([1, 2, 3], np.int8)
    got = conv1d(x, np.array([1], np.int8), bias=1000.5)
    expected = x + 1000.5
    assert got.dtype == expected.dtype == np.float64
    np.testing.assert_array_equal(got, [1001.5, 1002.5, 1003.5])


@pytest.mark.parametrize("bias", [127, -128])
def test_an_int_bias_at_the_result_dtypes_limits_is_added(bias):
    # int8 result: -128 and 127 themselves fit.
    got = conv1d(np.zeros(3, np.int8), np.zeros(1, np.int8), bias=bias)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, [bias] * 3)


@pytest.mark.parametrize("bias", [128, -129])
def test_an_int_bias_past_the_result_dtypes_limits_is_refused(bias):
    with pytest.raises(
        ValueError, match=rf"^bias must fit the result dtype int8 \(-128 to 127\), got {bias}$"
    ):
        conv1d(np.zeros(3, np.int8), np.zeros(1, np.int8), bias=bias)


@pytest.mark.parametrize("bias", [[2.5], np.array(2.5), np.float32(2.5), np.array([2.5])])
def test_a_single_channel_bias_of_one_element_not_a_python_number(bias):
    # Scalars or one-element arrays that are not Python numbers are reshaped to (1,):
    # [1*1 + 2*10, 2*1 + 3*10] + 2.5 = [23.5, 34.5].
    got = conv1d(np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0]), bias=bias)
    np.testing.assert_array_equal(got, [23.5, 34.5])
    got = conv2d(np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 10.0]]), bias=bias)
    np.testing.assert_array_equal(got, [[23.5, 34.5]])
