"""steps(): the geometry contract, step sums against the outputs and against independent loops."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from convdoc import (
    Step,
    Trace,
    conv_transpose1d,
    conv_transpose2d,
    gaussian_kernel,
    sawtooth,
    steps,
)

TORCH_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def scatter_transpose(x, k, stride, padding, output_padding, dilation):
    """conv_transpose by its definition (PyTorch docs): every input scatters a scaled kernel."""
    nd = x.ndim
    size = [
        (n - 1) * s - 2 * p + d * (kk - 1) + op + 1
        for n, kk, s, p, op, d in zip(
            x.shape, k.shape, stride, padding, output_padding, dilation, strict=True
        )
    ]
    out = np.zeros(size)
    for i in itertools.product(*map(range, x.shape)):
        for t in itertools.product(*map(range, k.shape)):
            pos = [i[a] * stride[a] + t[a] * dilation[a] - padding[a] for a in range(nd)]
            if all(0 <= pos[a] < size[a] for a in range(nd)):
                out[tuple(pos)] += x[i] * k[t]
    return out


def loop_conv(x, k, stride, pads, dilation, padding_mode):
    """torch conv (cross-correlation) by loops over a numpy.pad-ed input."""
    grid = np.pad(x, pads, mode=TORCH_PAD[padding_mode])
    out_shape = [
        (g - d * (kk - 1) - 1) // s + 1
        for g, kk, s, d in zip(grid.shape, k.shape, stride, dilation, strict=True)
    ]
    out = np.zeros(out_shape)
    for i in itertools.product(*map(range, out_shape)):
        for t in itertools.product(*map(range, k.shape)):
            out[i] += (
                grid[tuple(i[a] * stride[a] + t[a] * dilation[a] for a in range(x.ndim))] * k[t]
            )
    return out


def padded_oracle(operation, x, k, mode, boundary, fillvalue):
    """SciPy's full result on x extended by numpy.pad, cut to ``mode`` the way SciPy cuts.

    numpy.pad names the boundaries as convdoc does (``reflect`` skips the edge sample,
    ``symmetric`` repeats it); 'same' keeps the centre of 'full' (SciPy's ``_centered``).
    """
    if mode == "valid":
        return (signal.convolve if operation == "convolve" else signal.correlate)(x, k, "valid")
    kwargs = {"constant_values": fillvalue} if boundary == "constant" else {}
    grid = np.pad(x, [(n - 1, n - 1) for n in k.shape], mode=boundary, **kwargs)
    full = (signal.convolve if operation == "convolve" else signal.correlate)(grid, k, "valid")
    if mode == "full":
        return full
    starts = [(f - n) // 2 for f, n in zip(full.shape, x.shape, strict=True)]
    return full[tuple(slice(a, a + n) for a, n in zip(starts, x.shape, strict=True))]


def check_geometry(trace: Trace, bias: float = 0.0) -> None:
    """The per-step contract of common.md, for any trace (``bias``: the one it was given)."""
    assert isinstance(trace, Trace)
    assert len(trace) == trace.output.size
    for n, (step, out_index) in enumerate(zip(trace, np.ndindex(*trace.output.shape), strict=True)):
        assert isinstance(step, Step)
        assert step.index == n
        assert step.out_index == out_index
        for a, k in enumerate(trace.taps.shape):
            start = out_index[a] * trace.stride[a]
            np.testing.assert_array_equal(step.window[a], start + trace.dilation[a] * np.arange(k))
            np.testing.assert_array_equal(step.input_index[a], step.window[a] - trace.pad[a][0])
            assert step.center[a] == pytest.approx(step.input_index[a].mean())
        np.testing.assert_array_equal(step.values, trace.grid[np.ix_(*step.window)])
        np.testing.assert_array_equal(step.taps, trace.taps)
        # Each step's total, and its products summed (plus the bias), are the fast
        # function's output at that position; the callers check that output against
        # SciPy or loops written here.
        expected = trace.output[out_index]
        np.testing.assert_allclose(step.products.sum() + bias, expected, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(step.total, expected, rtol=1e-9, atol=1e-9)
        # inside: the tap sits on a real sample of x, which to_input agrees with.
        for idx in np.ndindex(*trace.taps.shape):
            mapped = [trace.to_input(int(step.window[a][idx[a]]), a) for a in range(trace.x.ndim)]
            assert step.inside[idx] == all(m is not None for m in mapped)
            if step.inside[idx] and trace.operation != "conv_transpose":
                assert step.values[idx] == trace.x[tuple(mapped)]


def test_sawtooth_example_from_the_contract() -> None:
    x = sawtooth(200, 50)
    trace = steps(x, gaussian_kernel(21, 3))
    assert len(trace) == 180
    for n in (0, 1, 57, 179):
        np.testing.assert_array_equal(trace[n].input_index[0], np.arange(n, n + 21))
        assert trace[n].center == (n + 10,)
        assert trace[n].inside.all()
    np.testing.assert_allclose(trace.output, signal.convolve(x, gaussian_kernel(21, 3), "valid"))
    check_geometry(trace)


@pytest.mark.parametrize("operation", ["convolve", "correlate"])
@settings(max_examples=40, deadline=None)
@given(
    nd=st.integers(1, 2),
    data=st.data(),
    mode=st.sampled_from(["full", "same", "valid"]),
    boundary=st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]),
    fill=st.integers(-2, 2),
)
def test_signal_face_steps_sum_to_output(operation, nd, data, mode, boundary, fill) -> None:
    x_shape = tuple(data.draw(st.integers(3, 9)) for _ in range(nd))
    k_shape = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, k = rng.standard_normal(x_shape), rng.standard_normal(k_shape)
    fillvalue = fill if boundary == "constant" else 0
    trace = steps(x, k, operation=operation, mode=mode, boundary=boundary, fillvalue=fillvalue)
    check_geometry(trace)
    expected = padded_oracle(operation, x, k, mode, boundary, fillvalue)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-10, atol=1e-10)
    if boundary == "constant" and fillvalue == 0:
        oracle = signal.convolve if operation == "convolve" else signal.correlate
        np.testing.assert_allclose(trace.output, oracle(x, k, mode), rtol=1e-10, atol=1e-10)
    expected_taps = k[(slice(None, None, -1),) * nd] if operation == "convolve" else k
    np.testing.assert_array_equal(trace.taps, expected_taps)


@settings(max_examples=40, deadline=None)
@given(
    nd=st.integers(1, 2),
    data=st.data(),
    padding_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_conv_steps_match_torch_formula(nd, data, padding_mode) -> None:
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    n = tuple(
        d * (kk - 1) + 1 + data.draw(st.integers(2, 6)) for kk, d in zip(k, dilation, strict=True)
    )
    padding = tuple(data.draw(st.integers(0, min(2, nn - 1))) for nn in n)
    bias = data.draw(st.sampled_from([None, 0.75]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    trace = steps(
        x,
        w,
        operation="conv",
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
        bias=bias,
    )
    check_geometry(trace, bias or 0.0)
    pads = [(p, p) for p in padding]
    expected = loop_conv(x, w, stride, pads, dilation, padding_mode) + (bias or 0)
    np.testing.assert_allclose(trace.output, expected, rtol=1e-10, atol=1e-10)
    assert trace.pad == tuple(pads)


def test_conv_same_padding_uses_torch_split() -> None:
    # torch 'same': total d*(k-1), the odd cell goes after.
    trace = steps(np.arange(10.0), np.ones(4), operation="conv", padding="same")
    assert trace.pad == ((1, 2),)
    assert trace.output.shape == (10,)
    check_geometry(trace)


@settings(max_examples=40, deadline=None)
@given(nd=st.integers(1, 2), data=st.data())
def test_conv_transpose_steps_equal_the_scatter_definition(nd, data) -> None:
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    n = tuple(data.draw(st.integers(1, 4)) for _ in range(nd))
    output_padding = tuple(
        data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
    )
    # Only paddings that leave at least one output sample:
    # (n-1)*s - 2p + d*(k-1) + op + 1 >= 1.
    padding = tuple(
        data.draw(st.integers(0, min(2, ((nn - 1) * s + d * (kk - 1) + op) // 2)))
        for nn, kk, s, op, d in zip(n, k, stride, output_padding, dilation, strict=True)
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    trace = steps(
        x,
        w,
        operation="conv_transpose",
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    expected = scatter_transpose(x, w, stride, padding, output_padding, dilation)
    totals = np.array([s.total for s in trace]).reshape(trace.output.shape)
    np.testing.assert_allclose(totals, expected, rtol=1e-10, atol=1e-10)
    assert trace.upsample == stride
    assert trace.stride == (1,) * nd
    np.testing.assert_array_equal(trace.taps, w[(slice(None, None, -1),) * nd])
    # The fast public function agrees with the scatter definition too.
    fast = (conv_transpose1d if nd == 1 else conv_transpose2d)(
        x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )
    np.testing.assert_allclose(fast, expected, rtol=1e-10, atol=1e-10)
    check_geometry(trace)


def test_conv_transpose_inserted_zeros_are_not_inside() -> None:
    trace = steps(
        np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0]), operation="conv_transpose", stride=3
    )
    # zero-inserted input: 1 0 0 2 0 0 3, padded by d*(k-1) = 1 each side.
    np.testing.assert_array_equal(trace.grid, [0, 1, 0, 0, 2, 0, 0, 3, 0])
    assert [trace.to_input(g) for g in range(9)] == [None, 0, None, None, 1, None, None, 2, None]
    assert trace.pad == ((1, 1),)
    np.testing.assert_array_equal(trace[1].inside, [True, False])


def test_conv_transpose_large_padding_crops() -> None:
    trace = steps(np.arange(1.0, 6.0), np.ones(2), operation="conv_transpose", stride=2, padding=3)
    assert trace.pad == ((-2, -2),)
    np.testing.assert_allclose(
        [s.total for s in trace],
        scatter_transpose(np.arange(1.0, 6.0), np.ones(2), (2,), (3,), (0,), (1,)),
    )


def test_partial_fills_steps_in_c_order() -> None:
    x = np.arange(16.0).reshape(4, 4)
    trace = steps(x, np.ones((2, 2)))
    part = trace.partial(4)
    assert part.shape == (3, 3)
    flat = part.ravel()
    np.testing.assert_array_equal(flat[:5], trace.output.ravel()[:5])
    assert np.isnan(flat[5:]).all()
    np.testing.assert_array_equal(trace.partial(len(trace) - 1), trace.output)
    with pytest.raises(ValueError, match=r"n must be in 0\.\.8, got 9"):
        trace.partial(9)
    with pytest.raises(TypeError, match="n must be an integer"):
        trace.partial(1.0)


def test_partial_of_integer_output_is_float() -> None:
    trace = steps([1, 2, 3, 4], [1, 1])
    assert trace.partial(0).dtype == np.float64
    np.testing.assert_array_equal(trace.partial(1)[:2], [3, 5])


def test_to_input_with_boundary_padding() -> None:
    trace = steps([1, 2, 3], [1, 1, 1], mode="full", boundary="reflect")
    np.testing.assert_array_equal(trace.grid, [3, 2, 1, 2, 3, 2, 1])
    assert [trace.to_input(g) for g in range(7)] == [None, None, 0, 1, 2, None, None]
    with pytest.raises(ValueError, match=r"axis must be in 0\.\.0, got 1"):
        trace.to_input(0, 1)


def test_same_mode_even_kernel_centre_matches_scipy() -> None:
    x = np.arange(8.0)
    trace = steps(x, np.array([1.0, 2.0, 3.0, 4.0]), mode="same")
    assert trace.pad == ((2, 1),)
    # Output n is centred on input n - 0.5: the window covers n-2..n+1.
    assert trace[0].center == (-0.5,)
    np.testing.assert_allclose(trace.output, signal.convolve(x, [1.0, 2.0, 3.0, 4.0], "same"))


def test_trace_is_a_sequence_of_steps() -> None:
    trace = steps(np.arange(6.0), np.ones(3))
    assert [s.index for s in trace] == [0, 1, 2, 3]
    assert trace[-1].index == 3
    assert [s.index for s in trace[1:3]] == [1, 2]
    assert "steps=4" in repr(trace)


def test_steps_does_not_modify_inputs() -> None:
    x, k = np.arange(12.0).reshape(3, 4), np.ones((2, 2))
    x0, k0 = x.copy(), k.copy()
    steps(x, k, operation="conv", padding=1, padding_mode="reflect", stride=2)
    steps(x, k, operation="conv_transpose", stride=2)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"operation": "convolve", "stride": 2}, "stride"),
        ({"operation": "correlate", "padding": 1}, "padding"),
        ({"operation": "convolve", "bias": 1.0}, "bias"),
        ({"operation": "conv", "mode": "full"}, "mode"),
        ({"operation": "conv", "boundary": "wrap"}, "boundary"),
        ({"operation": "conv", "output_padding": 1}, "output_padding"),
        ({"operation": "conv_transpose", "padding_mode": "reflect"}, "padding_mode"),
        ({"operation": "conv_transpose", "fillvalue": 1}, "fillvalue"),
        ({"operation": "convolve", "dilation": True}, "dilation"),
        ({"operation": "correlate", "groups": 2}, "groups"),
    ],
)
def test_parameters_of_other_operations_are_rejected(kwargs, name) -> None:
    with pytest.raises(ValueError, match=f"^{name} does not apply"):
        steps(np.arange(8.0), np.ones(3), **kwargs)


def test_too_many_steps_rejected() -> None:
    with pytest.raises(ValueError, match="at most 100000 output positions, got 250000"):
        steps(np.zeros((500, 500)), np.ones((1, 1)))


def test_step_by_step_fallback_matches_batched(monkeypatch) -> None:
    import convdoc.trace as trace_module

    x, k = np.arange(30.0).reshape(5, 6), np.array([[1.0, -2.0], [0.5, 3.0]])
    expected = signal.convolve2d(x, k, mode="full", boundary="wrap")
    flipped = k[::-1, ::-1]
    wrapped = np.pad(x, 1, mode="wrap")
    for limit in (trace_module._BATCH_LIMIT, 0):  # batched, then one step at a time
        monkeypatch.setattr(trace_module, "_BATCH_LIMIT", limit)
        trace = steps(x, k, mode="full", boundary="wrap")
        assert [s.total for s in trace] == pytest.approx(expected.ravel())
        for step in trace:
            i, j = step.out_index
            window = wrapped[i : i + 2, j : j + 2]  # full mode: k-1 = 1 cell of wrap each side
            np.testing.assert_array_equal(step.values, window)
            np.testing.assert_array_equal(step.products, window * flipped)


@pytest.mark.parametrize("operation", ["conv", "conv_transpose"])
def test_groups_of_a_trace_are_one_channel_group(operation) -> None:
    # A trace has C_in = C_out = 1: groups=1 (any integer form) traces, others are named.
    x, k = np.arange(6.0), np.array([1.0, -1.0])
    plain = steps(x, k, operation=operation)
    for one in (1, np.int64(1), np.array(1)):
        np.testing.assert_array_equal(steps(x, k, operation=operation, groups=one).output,
                                      plain.output)
    with pytest.raises(ValueError, match=r"groups=2 must divide the channel count of a trace"):
        steps(x, k, operation=operation, groups=2)
    with pytest.raises(TypeError, match="groups must be a positive integer, got True"):
        steps(x, k, operation=operation, groups=True)
