"""The compiled stencil plan (convdoc.plans.stencil) against independent oracles.

Oracles: scipy.ndimage.correlate (its own boundary modes), scipy.signal.correlate2d
on a grid extended by numpy.pad, and plain loops; never another convdoc plan.
The routing tests check that the planner sends the image filters of
``make bench-peers`` here once numba is loaded, and never a dtype the stencil
cannot compute exactly.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage, signal

import convdoc
from convdoc.engine import BOUNDARIES
from convdoc.plans import planner, stencil

FAST = settings(max_examples=40, deadline=None)

# convdoc's boundary names (numpy.pad's) and scipy.ndimage's for the same rule.
NDIMAGE_MODE = {
    "constant": "constant",
    "edge": "nearest",
    "reflect": "mirror",
    "symmetric": "reflect",
    "wrap": "grid-wrap",
}


@pytest.fixture(autouse=True)
def _loaded(compiled_stencil_unloaded) -> None:
    # After tests/conftest.py's fixture has unloaded it: loaded for every test here.
    stencil.load()


@contextlib.contextmanager
def spy() -> Iterator[mock.MagicMock]:
    """Record the calls of the stencil plan while still running it."""
    with mock.patch.object(stencil, "correlate2d", wraps=stencil.correlate2d) as m:
        yield m


def padded_oracle(x, h, pad, boundary, fill=0.0):
    """numpy.pad by the rule, then scipy.signal.correlate2d's valid part, in float64."""
    kw = {"constant_values": fill} if boundary == "constant" else {}
    grid = np.pad(x.astype(np.float64), pad, mode=boundary, **kw)
    return signal.correlate2d(grid, h.astype(np.float64), "valid")


def loop_oracle(grid, h):
    """out[r, c] = sum_ij h[i, j] * grid[r + i, c + j], every product as written."""
    kh, kw = h.shape
    out = np.zeros((grid.shape[0] - kh + 1, grid.shape[1] - kw + 1))
    for r, c in itertools.product(range(out.shape[0]), range(out.shape[1])):
        total = 0.0
        for i, j in itertools.product(range(kh), range(kw)):
            total += h[i, j] * grid[r + i, c + j]
        out[r, c] = total
    return out


def tolerance(dtype) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-5} if np.dtype(dtype) == np.float32 else {
        "rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("k", [(2, 2), (3, 3), (4, 5), (5, 5), (7, 6), (9, 9)])
def test_same_size_filter_matches_ndimage(dtype, boundary, k) -> None:
    rng = np.random.default_rng(sum(k))
    x = rng.standard_normal((37, 41)).astype(dtype)
    h = rng.standard_normal(k).astype(dtype)
    fill = 1.5 if boundary == "constant" else 0
    # convdoc's 'same' puts k // 2 cells before: ndimage's origin 0 for every size.
    pad = tuple((n // 2, (n - 1) // 2) for n in k)
    got = stencil.correlate2d(x, h, pad, boundary, fill, np.dtype(dtype))
    expected = ndimage.correlate(
        x.astype(np.float64), h.astype(np.float64), mode=NDIMAGE_MODE[boundary], cval=fill
    )
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, **tolerance(dtype))


@st.composite
def problems(draw: st.DrawFn):
    kh, kw = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    boundary = draw(st.sampled_from(BOUNDARIES))
    h_img, w_img = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    # numpy.pad cannot extend an empty axis; reflect needs no more than that.
    pad = tuple((draw(st.integers(0, 9)), draw(st.integers(0, 9))) for _ in range(2))
    if any(n + b + a < k for n, (b, a), k in zip((h_img, w_img), pad, (kh, kw), strict=True)):
        pad = tuple((k, k) for k in (kh, kw))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((h_img, w_img)).astype(dtype)
    h = rng.standard_normal((kh, kw)).astype(dtype)
    fill = draw(st.sampled_from([0.0, -2.0])) if boundary == "constant" else 0
    return x, h, pad, boundary, fill


@FAST
@given(problem=problems())
def test_dense_stencil_matches_padded_correlate2d(problem) -> None:
    x, h, pad, boundary, fill = problem
    got = stencil.correlate2d(x, h, pad, boundary, fill, x.dtype)
    assert got.dtype == x.dtype
    np.testing.assert_allclose(got, padded_oracle(x, h, pad, boundary, fill), **tolerance(x.dtype))


@FAST
@given(problem=problems())
def test_two_pass_stencil_matches_padded_correlate2d(problem) -> None:
    x, h, pad, boundary, fill = problem
    rng = np.random.default_rng(int(abs(x.flat[0]) * 1e6))
    col, row = rng.standard_normal(h.shape[0]), rng.standard_normal(h.shape[1])
    kernel = np.outer(col, row)
    got = stencil.correlate2d(x, kernel.astype(x.dtype), pad, boundary, fill, x.dtype, (col, row))
    assert got.dtype == x.dtype
    expected = padded_oracle(x, kernel, pad, boundary, fill)
    np.testing.assert_allclose(got, expected, **tolerance(x.dtype))


def float32_loop(grid, h):
    """The dense stencil's sums in float32 arithmetic, in its documented order.

    Kernel row by kernel row; within a row the taps left to right in groups of
    five, each group's sum added to the total. Every operation rounds to
    float32, so any float64 accumulation (or a fused multiply-add) would show.
    """
    kh, kw = h.shape
    out = np.zeros((grid.shape[0] - kh + 1, grid.shape[1] - kw + 1), dtype=np.float32)
    for r, c in itertools.product(range(out.shape[0]), range(out.shape[1])):
        total = np.float32(0)
        for i in range(kh):
            for j0 in range(0, kw, 5):
                part = h[i, j0] * grid[r + i, c + j0]
                for j in range(j0 + 1, min(j0 + 5, kw)):
                    part = part + h[i, j] * grid[r + i, c + j]
                total = total + part
        out[r, c] = total
    return out


@pytest.mark.parametrize("k", [(3, 3), (5, 5), (4, 7), (2, 6)])
@pytest.mark.parametrize("boundary", ["symmetric", "constant"])
def test_float32_is_summed_in_float32_in_the_documented_order(k, boundary) -> None:
    # Bit for bit against a float32 loop: the interior, both edges (computed apart
    # by the kernel) and an odd number of rows (the last one without its pair).
    rng = np.random.default_rng(sum(k))
    x = rng.standard_normal((15, 23)).astype(np.float32)
    h = rng.standard_normal(k).astype(np.float32)
    pad = ((k[0] // 2, (k[0] - 1) // 2), (k[1] // 2, (k[1] - 1) // 2 + 1))
    kw = {"constant_values": np.float32(0.5)} if boundary == "constant" else {}
    grid = np.pad(x, pad, mode=boundary, **kw)
    got = stencil.correlate2d(x, h, pad, boundary, 0.5, np.dtype(np.float32))
    assert got.dtype == np.float32
    assert got.shape[0] % 2 == 1
    expected = float32_loop(grid, h)
    np.testing.assert_array_equal(got, expected)
    # A float64 sum rounded once would differ somewhere (the test can fail).
    wide = loop_oracle(grid.astype(np.float64), h.astype(np.float64)).astype(np.float32)
    assert not np.array_equal(wide, expected)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("two_pass", [False, True])
def test_nan_and_infinity_meet_every_tap_as_the_definition_says(bad, two_pass) -> None:
    # A zero tap times an infinity is NaN in the definition; the two passes would
    # give an infinity there (a zero only to rounding in the factors), so a
    # non-finite result is redone densely.
    rng = np.random.default_rng(3)
    x = rng.random((9, 11))
    x[4, 5] = bad
    col, row = np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.0, -1.0])  # Sobel
    h = np.outer(col, row)
    factors = (col, row) if two_pass else None
    pad = ((1, 1), (1, 1))
    with np.errstate(invalid="ignore"):
        got = stencil.correlate2d(x, h, pad, "edge", 0, x.dtype, factors)
        expected = loop_oracle(np.pad(x, pad, mode="edge"), h)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-12, atol=1e-12)
    assert np.isnan(got).any()


def test_an_infinite_tap_meets_the_padding_zeros() -> None:
    # The zero padding is multiplied like any sample: 0 * inf = NaN at the borders.
    x = np.ones((5, 6))
    h = np.array([[np.inf, 1.0], [1.0, 1.0]])
    with np.errstate(invalid="ignore"):
        got = stencil.correlate2d(x, h, ((1, 0), (1, 0)), "constant", 0, x.dtype)
        expected = loop_oracle(np.pad(x, ((1, 0), (1, 0))), h)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(got[0]).all() and np.isinf(got[1:, 1:]).all()


# ---------------------------------------------------------------- the planner


def test_bench_peers_image_filters_take_the_stencil() -> None:
    # The small filters of make bench-peers: random 3x3 and 5x5, Sobel, Laplacian,
    # Gaussians; 1024 x 1024 float32 and float64, symmetric boundary.
    rng = np.random.default_rng(0)
    gauss = convdoc.gaussian_kernel(5, 5 / 6)
    kernels = {
        "3x3": (rng.standard_normal((3, 3)), False),
        "5x5": (rng.standard_normal((5, 5)), False),
        "sobel": (np.asarray(convdoc.kernel2d("sobel_x"), dtype=float), True),
        "laplacian": (np.asarray(convdoc.kernel2d("laplacian"), dtype=float), False),
        "gaussian": (np.outer(gauss, gauss), True),
    }
    for dtype in (np.float32, np.float64):
        image = rng.random((1024, 1024)).astype(dtype)
        for name, (h, rank_one) in kernels.items():
            h = h.astype(dtype)
            with spy() as m:
                got = convdoc.correlate(image, h, "same", boundary="symmetric")
            assert m.call_count == 1, name
            factors = m.call_args.args[6]
            # Two passes for a rank-one kernel when their model is the cheaper one
            # (the 5x5 Gaussian); a 3x3 is as cheap densely in one loop.
            k = h.shape
            big = (1024, 1024)
            cheaper = stencil.cost(big, k, np.dtype(dtype), separable=True) < stencil.cost(
                big, k, np.dtype(dtype))
            assert (factors is not None) == (rank_one and cheaper), name
            if name == "gaussian":
                assert factors is not None
            assert got.dtype == dtype
            expected = ndimage.correlate(image.astype(np.float64), h.astype(np.float64),
                                         mode="reflect")
            np.testing.assert_allclose(got, expected, **tolerance(dtype))


@pytest.mark.parametrize(
    ("image_dtype", "kernel_dtype"),
    [
        ("int64", "int64"),
        ("uint8", "int16"),
        ("float16", "float16"),
        ("longdouble", "float64"),
        ("complex128", "float64"),
        ("float64", "complex64"),
        ("bool", "bool"),
    ],
)
def test_dtypes_the_stencil_cannot_compute_exactly_go_elsewhere(image_dtype, kernel_dtype):
    rng = np.random.default_rng(1)
    image = (rng.random((400, 400)) * 4).astype(image_dtype)
    h = (rng.random((3, 3)) * 3 + 1).astype(kernel_dtype)
    with spy() as m:
        got = convdoc.correlate(image, h, "same", boundary="symmetric")
    assert not m.called
    assert got.dtype == np.result_type(image, h)
    if got.dtype.kind in "iu":
        grid = np.pad(image.astype(np.int64), 1, mode="symmetric")
        expected = signal.correlate2d(grid, h.astype(np.int64), "valid")
        np.testing.assert_array_equal(got, expected.astype(got.dtype))


def test_direct_method_takes_the_dense_stencil_and_fft_never() -> None:
    rng = np.random.default_rng(2)
    image = rng.random((600, 600))
    gauss = convdoc.gaussian_kernel(5, 1.0)
    h = np.outer(gauss, gauss)
    with spy() as m:
        convdoc.correlate(image, h, "same", boundary="wrap", method="direct")
    assert m.called and m.call_args.args[6] is None  # rank one is judged only by "auto"
    with spy() as m:
        convdoc.correlate(image, h, "same", method="fft")
    assert not m.called


def test_layers_strides_and_channels_are_not_stencils() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 300, 300))
    with spy() as m:
        convdoc.conv2d(x, rng.standard_normal((1, 1, 3, 3)), stride=2, padding=1)
        convdoc.conv2d(x, rng.standard_normal((1, 1, 3, 3)), dilation=2, padding=2)
        convdoc.conv2d(np.repeat(x, 2, axis=0), rng.standard_normal((2, 2, 3, 3)), padding=1)
    assert not m.called
    with spy() as m:  # a single-channel stride-1 layer is an image filter
        got = convdoc.conv2d(x, np.ones((1, 1, 3, 3)), padding=1)
    assert m.called
    np.testing.assert_allclose(got[0], signal.correlate2d(x[0], np.ones((3, 3)), "same"))


def test_without_numba_the_planner_skips_the_stencil(monkeypatch) -> None:
    stencil.unload()
    monkeypatch.setattr(stencil, "_available", False)
    rng = np.random.default_rng(5)
    image = rng.random((1024, 1024)).astype(np.float32)
    h = rng.standard_normal((3, 3)).astype(np.float32)
    assert planner.stencil_plan(
        image[None], h[None, None], ((1, 1), (1, 1)), "symmetric", 0, (1, 1), (1, 1), "auto"
    ) is None
    with spy() as m:
        got = convdoc.correlate(image, h, "same", boundary="symmetric")
    assert not m.called
    expected = ndimage.correlate(image.astype(np.float64), h.astype(np.float64), mode="reflect")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_numba_is_loaded_only_once_the_stencil_would_have_saved_its_load_time() -> None:
    # In a fresh interpreter: a hundred filters of a small image never load numba; a
    # few dozen 2048 x 2048 ones do (each would save milliseconds), and from then on
    # the stencil runs them.
    code = (
        "import sys, numpy as np, convdoc\n"
        "from convdoc.plans import stencil\n"
        "rng = np.random.default_rng(0)\n"
        "h = rng.standard_normal((3, 3))\n"
        "small = rng.random((48, 48))\n"
        "for _ in range(100): convdoc.correlate(small, h, 'same')\n"
        "print('numba' in sys.modules, stencil.loaded())\n"
        "big = rng.random((2048, 2048))\n"
        "calls = 0\n"
        "while not stencil.loaded() and calls < 200:\n"
        "    convdoc.correlate(big, h, 'same', boundary='edge'); calls += 1\n"
        "print('numba' in sys.modules, stencil.loaded(), calls)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    first, second = result.stdout.split("\n")[:2]
    assert first == "False False"
    loaded, flag, calls = second.split()
    assert loaded == flag == "True"
    assert 1 < int(calls) < 200


def test_cache_folder_falls_back_to_the_temporary_directory(monkeypatch, tmp_path) -> None:
    # numba caches next to the module, else in ~/.cache; when neither is writable
    # (read-only install, no home) it would refuse to define the kernels.
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert stencil.cache_dir() is None  # the package folder here is writable
    writable = stencil._writable
    monkeypatch.setattr(stencil, "_writable", lambda f: "__pycache__" not in f and writable(f))
    assert stencil.cache_dir() is None  # numba's own fallback: XDG_CACHE_HOME
    monkeypatch.setattr(stencil, "_writable", lambda f: False)
    fallback = stencil.cache_dir()
    assert fallback is not None and fallback.startswith(str(__import__("tempfile").gettempdir()))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert stencil.cache_dir() is None  # the user's choice stands


def test_writable_looks_up_the_first_existing_parent(tmp_path) -> None:
    assert stencil._writable(str(tmp_path / "a" / "b"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert not stencil._writable(str(blocker / "sub"))  # a file cannot hold a folder


@pytest.mark.parametrize(
    ("image_dtype", "kernel_dtype"),
    [("float32", "float64"), ("uint8", "float32"), ("int16", "float64"), ("float16", "float32")],
)
def test_mixed_dtypes_compute_in_the_result_dtype(image_dtype, kernel_dtype) -> None:
    # NumPy's promotion: the image is cast to the result's float dtype (exactly, for
    # these), as numpy's own arithmetic would before multiplying.
    rng = np.random.default_rng(6)
    image = (rng.random((300, 310)) * 200).astype(image_dtype)
    h = rng.standard_normal((3, 3)).astype(kernel_dtype)
    expected_dtype = np.result_type(image, h)
    with spy() as m:
        got = convdoc.correlate(image, h, "same", boundary="reflect")
    assert m.called and got.dtype == expected_dtype
    expected = ndimage.correlate(image.astype(np.float64), h.astype(np.float64), mode="mirror")
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * scale)


# ---------------------------------------------------------------- depthwise layers

PADDING_MODE_BOUNDARY = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                         "circular": "wrap"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_mode", list(PADDING_MODE_BOUNDARY))
@pytest.mark.parametrize(("k", "padding"), [((3, 3), 1), ((5, 3), (2, 0)), ((2, 2), 0)])
def test_depthwise_layers_run_as_stencils_and_match_scipy(dtype, padding_mode, k, padding) -> None:
    rng = np.random.default_rng(k[0] * 7 + k[1])
    c = 5
    x = rng.standard_normal((c, 13, 11)).astype(dtype)
    w = rng.standard_normal((c, 1, *k)).astype(dtype)
    with mock.patch.object(stencil, "depthwise2d", wraps=stencil.depthwise2d) as m:
        got = convdoc.conv2d(x, w, padding=padding, groups=c, padding_mode=padding_mode)
    assert m.called
    assert got.dtype == dtype
    pads = (padding, padding) if isinstance(padding, int) else padding
    pad = tuple((p, p) for p in pads)
    expected = np.stack([
        padded_oracle(x[i], w[i, 0], pad, PADDING_MODE_BOUNDARY[padding_mode]) for i in range(c)
    ])
    np.testing.assert_allclose(got, expected, **tolerance(dtype))


@pytest.mark.parametrize("boundary", ["constant", "reflect", "edge", "symmetric", "wrap"])
@pytest.mark.parametrize(("shape", "pad"), [
    ((4, 13, 11), ((1, 1), (1, 1))),
    ((3, 9, 5), ((0, 2), (3, 0))),  # uneven: borders on one side of each axis only
    ((2, 4, 40), ((2, 2), (2, 2))),  # padding wider than a tap's reach
    ((1, 3, 3), ((0, 0), (0, 0))),  # one output
])
def test_depthwise_3x3_is_summed_in_float32_in_the_documented_order(shape, pad, boundary):
    # The 3x3 depthwise loop (each channel copied into its extended grid, then one
    # loop per output row) gives the float32 loop's bits, borders included.
    if boundary == "reflect" and min(shape[1:]) <= max(b for pair in pad for b in pair):
        pytest.skip("reflect needs more samples than the padding")
    rng = np.random.default_rng(shape[1] * 10 + shape[2])
    x = rng.standard_normal(shape).astype(np.float32)
    h = rng.standard_normal((shape[0], 1, 3, 3)).astype(np.float32)
    got = stencil.depthwise2d(x, h, pad, boundary, np.dtype(np.float32))
    assert got.dtype == np.float32
    expected = np.stack([float32_loop(np.pad(x[c], pad, mode=boundary), h[c, 0])
                         for c in range(shape[0])])
    np.testing.assert_array_equal(got, expected)


def test_depthwise_stencil_multiplies_every_tap() -> None:
    # A zero tap meets an infinity: NaN there, as the loop has it.
    x = np.ones((2, 6, 7))
    x[1, 3, 3] = np.inf
    w = np.ones((2, 1, 3, 3))
    w[1, 0, 1, 1] = 0.0
    with np.errstate(invalid="ignore"):
        got = convdoc.conv2d(x, w, padding=1, groups=2)
        expected = np.stack([loop_oracle(np.pad(x[i], 1), w[i, 0]) for i in range(2)])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert np.isnan(got[1, 3, 3]) and np.isinf(got[1, 2, 2])


def test_other_grouped_layers_are_not_depthwise_stencils() -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 20, 20))
    with mock.patch.object(stencil, "depthwise2d", wraps=stencil.depthwise2d) as m:
        convdoc.conv2d(x, rng.standard_normal((4, 1, 3, 3)), stride=2, groups=4)
        convdoc.conv2d(x, rng.standard_normal((4, 1, 3, 3)), dilation=2, groups=4)
        convdoc.conv2d(x, rng.standard_normal((8, 2, 3, 3)), groups=2)  # two channels a group
        convdoc.conv2d(x, rng.standard_normal((8, 1, 3, 3)), groups=4)  # two outputs a group
        convdoc.conv2d(x.astype(np.int64), np.ones((4, 1, 3, 3), np.int64), groups=4)
    assert not m.called
    stencil.unload()  # not before numba is loaded
    with mock.patch.object(stencil, "depthwise2d", wraps=stencil.depthwise2d) as m:
        convdoc.conv2d(x, rng.standard_normal((4, 1, 3, 3)), groups=4)
    assert not m.called


@pytest.mark.parametrize("padding_mode", list(PADDING_MODE_BOUNDARY))
@pytest.mark.parametrize(("channels", "c_out", "groups", "k"), [
    (8, 8, 2, (3, 3)),  # 2 groups of 4 -> 4
    (8, 12, 4, (3, 3)),  # 4 groups of 2 -> 3
    (6, 6, 3, (5, 3)),  # 3 groups of 2 -> 2, 5x3 taps (the dense loop, not the 3x3 one)
    (4, 8, 4, (3, 3)),  # one input channel a group, two outputs: not depthwise
])
def test_grouped_layers_with_few_channels_run_as_channel_stencils(
    padding_mode, channels, c_out, groups, k
) -> None:
    # Each output channel sums its own group's input channels only, each channel's
    # float32 sums added in channel order (the bits of the float32 loop).
    rng = np.random.default_rng(channels * 10 + groups)
    x = rng.standard_normal((channels, 11, 13)).astype(np.float32)
    w = rng.standard_normal((c_out, channels // groups, *k)).astype(np.float32)
    pad = (k[0] // 2, k[1] // 2)
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        got = convdoc.conv2d(x, w, padding=pad, groups=groups, padding_mode=padding_mode)
    assert m.call_count == 1
    assert got.dtype == np.float32 and got.shape == (c_out, 11, 13)
    boundary = PADDING_MODE_BOUNDARY[padding_mode]
    per_in, per_out = channels // groups, c_out // groups
    for o in range(c_out):
        first = o // per_out * per_in
        own = [float32_loop(np.pad(x[first + c], [(p, p) for p in pad], mode=boundary), w[o, c])
               for c in range(per_in)]
        expected = own[0]
        for more in own[1:]:
            expected = expected + more
        np.testing.assert_array_equal(got[o], expected)


def test_grouped_stencils_share_output_channels_among_threads_with_the_same_bits() -> None:
    # ResNeXt's 32 groups of 4 channels, 3x3 (make bench's grouped case), float64.
    from convdoc import threads

    rng = np.random.default_rng(14)
    x = rng.standard_normal((128, 20, 20))
    w = rng.standard_normal((128, 4, 3, 3))
    before = threads._count
    try:
        results = []
        for count in (1, 2, 3):
            convdoc.set_num_threads(count)
            results.append(convdoc.conv2d(x, w, padding=1, groups=32))
    finally:
        threads._count = before
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
    pad = ((1, 1), (1, 1))
    expected = np.stack([
        sum(padded_oracle(x[o // 4 * 4 + c], w[o, c], pad, "constant") for c in range(4))
        for o in range(128)
    ])
    np.testing.assert_allclose(results[0], expected, rtol=1e-12, atol=1e-12)


def test_wide_groups_strides_and_unloaded_numba_never_take_the_channel_stencils() -> None:
    rng = np.random.default_rng(15)
    x = rng.standard_normal((12, 16, 16))
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        # 6 channels a group of 3x3: 54 products per output, beyond the 48 of the stencils.
        convdoc.conv2d(x, rng.standard_normal((4, 6, 3, 3)), padding=1, groups=2)
        convdoc.conv2d(x, rng.standard_normal((12, 3, 3, 3)), stride=2, groups=4)
        convdoc.conv2d(x, rng.standard_normal((12, 3, 3, 3)), dilation=2, groups=4)
        convdoc.conv2d(x.astype(np.int64), np.ones((12, 3, 3, 3), np.int64), groups=4)
        convdoc.conv2d(x, rng.standard_normal((12, 1, 3, 3)), padding=1, groups=12)  # depthwise
    assert not m.called
    stencil.unload()  # not before numba is loaded
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        convdoc.conv2d(x, rng.standard_normal((12, 3, 3, 3)), padding=1, groups=4)
    assert not m.called


# ------------------------------------------------------------------ 1-D signals, column ranges


@contextlib.contextmanager
def spy_1d() -> Iterator[mock.MagicMock]:
    with mock.patch.object(stencil, "correlate1d", wraps=stencil.correlate1d) as m:
        yield m


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("k", [2, 5, 11, 32])
def test_long_1d_signals_with_short_kernels_take_the_stencil_and_match_numpy(
    dtype, boundary, k
) -> None:
    rng = np.random.default_rng(k)
    x = rng.standard_normal(200_003).astype(dtype)
    h = rng.standard_normal(k).astype(dtype)
    with spy_1d() as m:
        got = convdoc.correlate(x, h, "same", boundary=boundary)
        full = convdoc.convolve(x, h, "full")
    assert m.call_count == 2
    assert got.dtype == full.dtype == dtype
    before = k // 2  # SciPy's 'same' keeps the window centred on sample k // 2
    grid = np.pad(x.astype(np.float64), (before, k - 1 - before), mode=boundary)
    expected = np.correlate(grid, h.astype(np.float64), "valid")
    np.testing.assert_allclose(got, expected, **tolerance(dtype))
    expected_full = np.convolve(x.astype(np.float64), h.astype(np.float64), "full")
    np.testing.assert_allclose(full, expected_full, **tolerance(dtype))


def test_1d_stencil_sums_each_output_as_the_loop_writes_it() -> None:
    # float32, 7 taps: groups of five then two, left to right, each group summed first.
    rng = np.random.default_rng(4)
    x = rng.standard_normal(50_000).astype(np.float32)
    h = rng.standard_normal(7).astype(np.float32)
    got = stencil.correlate1d(x, h, (0, 0), "constant", 0, np.dtype(np.float32))
    windows = np.lib.stride_tricks.sliding_window_view(x, 7)
    first = windows[:, 0] * h[0]
    for j in range(1, 5):
        first = first + windows[:, j] * h[j]
    second = windows[:, 5] * h[5] + windows[:, 6] * h[6]
    expected = (np.float32(0) + first) + second
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    ("dtype", "k", "stride", "method"),
    [
        (np.int64, 11, 1, "auto"),  # integers stay in NumPy's exact loop
        (np.float64, 33, 1, "auto"),  # beyond MAX_TAPS_1D
        (np.float64, 11, 2, "auto"),  # strides go to the polyphase plans
        (np.float64, 11, 1, "fft"),
        (np.complex128, 11, 1, "auto"),
    ],
)
def test_1d_signals_the_stencil_does_not_take(dtype, k, stride, method) -> None:
    x = (np.arange(100_000) % 7).astype(dtype)
    h = np.ones(k, dtype=dtype)
    with spy_1d() as m:
        if stride == 1:
            got = convdoc.correlate(x, h, "valid", method=method)
        else:
            got = convdoc.conv1d(x, h, stride=stride)
    assert not m.called
    expected = np.correlate(x.astype(np.complex128), h.astype(np.complex128), "valid")[::stride]
    np.testing.assert_allclose(got, expected, rtol=1e-9)


@pytest.mark.parametrize("k", [(1, 4), (3, 3), (5, 2), (7, 7)])
def test_column_ranges_give_the_whole_calls_bits(k) -> None:
    # dense_columns over pieces of the output, in any order, equals one dense call.
    kernels = stencil.load()
    rng = np.random.default_rng(9)
    image = rng.standard_normal((37, 5000))
    h = rng.standard_normal(k)
    rmap = stencil.index_map(37, 2, 1, "reflect")
    cmap = stencil.index_map(5000, 3, 4, "reflect")
    shape = (rmap.size - k[0] + 1, cmap.size - k[1] + 1)
    whole = np.empty(shape)
    kernels.dense(image, h, rmap, cmap, 3, 0.0, whole)
    pieces = np.full(shape, np.nan)
    edges = [0, 1, 2, 2049, 2050, 4100, shape[1] - 2, shape[1]]
    for lo, hi in reversed(list(itertools.pairwise(edges))):
        kernels.dense_columns(image, h, rmap, cmap, 3, 0.0, pieces, lo, hi)
    np.testing.assert_array_equal(pieces, whole)
    np.testing.assert_allclose(whole, padded_oracle(image, h, ((2, 1), (3, 4)), "reflect"),
                               rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ layers with few channels


@pytest.mark.usefixtures("without_register_tiles")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_mode", list(PADDING_MODE_BOUNDARY))
@pytest.mark.parametrize(("c_in", "c_out", "k", "padding"), [(3, 8, (3, 3), 1), (1, 4, (5, 5), 2),
                                                          (2, 3, (3, 2), (1, 0))])
def test_layers_with_few_channels_run_as_stencils_and_match_scipy(
    dtype, padding_mode, c_in, c_out, k, padding
) -> None:
    rng = np.random.default_rng(c_in * 10 + c_out)
    x = rng.standard_normal((c_in, 300, 280)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, *k)).astype(dtype)
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        got = convdoc.conv2d(x, w, padding=padding, padding_mode=padding_mode)
    assert m.called
    assert got.dtype == dtype
    pads = (padding, padding) if isinstance(padding, int) else padding
    pad = ((pads[0], pads[0]), (pads[1], pads[1]))
    boundary = PADDING_MODE_BOUNDARY[padding_mode]
    expected = np.stack([
        sum(padded_oracle(x[c], w[o, c], pad, boundary) for c in range(c_in))
        for o in range(c_out)
    ])
    np.testing.assert_allclose(got, expected, **tolerance(dtype))


def test_few_channel_stencils_give_the_same_bits_on_any_number_of_threads() -> None:
    from convdoc import threads

    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 256, 256)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    before = threads._count
    try:
        results = []
        for count in (1, 2, 3):
            convdoc.set_num_threads(count)
            results.append(stencil.correlate_channels(x, w, ((1, 1), (1, 1)), "constant",
                                                      np.dtype(np.float32)))
    finally:
        threads._count = before
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
    # Each output adds its input channels in order, each a float32 sum of its own.
    manual = [stencil.correlate2d(x[c], w[5, c], ((1, 1), (1, 1)), "constant", 0,
                                  np.dtype(np.float32)) for c in range(3)]
    np.testing.assert_array_equal(results[0][5], (manual[0] + manual[1]) + manual[2])


@pytest.mark.parametrize("boundary", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("pad", [((1, 1), (1, 1)), ((0, 2), (2, 0))])
def test_few_channel_3x3_stencils_add_each_channels_own_sums_in_order(boundary, pad) -> None:
    # The 3x3 path (input channels extended once, then row by row): every output
    # channel is its input channels' float32 sums (the single-channel loop's, whose
    # bits a float32 loop fixes) added in channel order, borders included.
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 17, 12)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    got = stencil.correlate_channels(x, w, pad, boundary, np.dtype(np.float32))
    for o in range(4):
        own = [float32_loop(np.pad(x[c], pad, mode=boundary), w[o, c]) for c in range(3)]
        np.testing.assert_array_equal(got[o], (own[0] + own[1]) + own[2])


@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "dtype", "stride"),
    [
        (16, 16, 3, np.float32, 1),  # 144 products per output: a GEMM's work
        (3, 8, 3, np.int64, 1),  # integers stay exact in NumPy
        (3, 8, 3, np.float32, 2),  # strides go to the GEMM's polyphase split
        (3, 8, 11, np.float32, 1),  # beyond the dense loop's 9 taps
    ],
)
def test_layers_the_channel_stencils_leave_alone(c_in, c_out, k, dtype, stride) -> None:
    x = (np.arange(c_in * 64 * 64) % 5).reshape(c_in, 64, 64).astype(dtype)
    w = np.ones((c_out, c_in, k, k), dtype=dtype)
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        got = convdoc.conv2d(x, w, stride=stride)
    assert not m.called
    full = np.stack([sum(signal.correlate2d(x[c].astype(float), w[o, c].astype(float), "valid")
                         for c in range(c_in)) for o in range(c_out)])
    np.testing.assert_allclose(got, full[:, ::stride, ::stride], rtol=1e-5)


def test_channel_stencils_wait_for_numba_to_be_loaded() -> None:
    stencil.unload()
    x = np.ones((3, 256, 256))
    w = np.ones((8, 3, 3, 3))
    assert not planner.channels_stencil(x, w, ((1, 1), (1, 1)), "constant", 0, (1, 1), (1, 1),
                                        "auto")
    stencil.load()
    assert planner.channels_stencil(x, w, ((1, 1), (1, 1)), "constant", 0, (1, 1), (1, 1),
                                    "auto")


def test_channel_stencils_keep_off_a_forced_fft_and_compute_in_the_result_dtype() -> None:
    from convdoc.engine import correlate_padded

    rng = np.random.default_rng(21)
    x = rng.standard_normal((3, 200, 190))  # float64 image, float32 kernels: float64 result
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    pad = ((1, 2), (0, 1))  # uneven: the output is 200+3-3+1 = 201 by 190+1-3+1 = 189
    expected = np.stack([
        sum(padded_oracle(x[c], w[o, c], pad, "constant") for c in range(3)) for o in range(8)
    ])
    with mock.patch.object(stencil, "correlate_channels",
                           wraps=stencil.correlate_channels) as m:
        fft = correlate_padded(x, w, pad, method="fft")
        assert not m.called
        auto = correlate_padded(x, w, pad)
        assert m.called
    assert auto.dtype == np.float64 and auto.shape == (8, 201, 189)
    np.testing.assert_allclose(auto, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fft, expected, rtol=1e-9, atol=1e-9)


def _gate(c_in=3, c_out=8, k=(3, 3), n=256, dtype=np.float32, pad=((1, 1), (1, 1)),
          boundary="constant", fill=0, stride=(1, 1), dilation=(1, 1), method="auto"):
    x = np.ones((c_in, n, n), dtype=dtype)
    w = np.ones((c_out, c_in, *k), dtype=dtype)
    return planner.channels_stencil(x, w, pad, boundary, fill, stride, dilation, method)


@pytest.mark.usefixtures("without_register_tiles")
def test_the_channel_stencil_gate_one_condition_at_a_time() -> None:
    # A 3->8 3x3 layer on a 256x256 image is taken (measured 2-3x faster than the GEMM);
    # each documented condition, broken alone, sends it elsewhere.
    assert _gate()
    assert _gate(method="direct")  # only a forced FFT is refused
    assert not _gate(method="fft")
    assert _gate(c_in=5)  # 5 * 3 * 3 = 45 products per output: within 48
    assert not _gate(c_in=6)  # 54
    assert _gate(c_in=1, c_out=2, k=(9, 5), pad=((4, 4), (2, 2)))  # 45, sides up to 9
    assert not _gate(c_in=1, c_out=2, k=(10, 4), pad=((5, 4), (2, 1)))  # a side of 10
    assert not _gate(c_in=1, c_out=1)  # one channel pair: the single-channel stencil's
    assert _gate(c_in=2, c_out=1) and _gate(c_in=1, c_out=2)
    assert not _gate(stride=(1, 2)) and not _gate(dilation=(2, 1))
    assert not _gate(fill=1)  # a constant fill other than zero
    assert _gate(boundary="reflect", fill=1)  # the fill means nothing there
    assert not _gate(pad=((1, 1), (-1, 1)))
    assert not _gate(dtype=np.int32) and not _gate(dtype=np.complex64)
    assert not _gate(n=2, k=(3, 3), pad=((0, 0), (0, 0)))  # no output at all
    stencil.unload()
    assert not _gate()
    stencil.load()


def test_the_1d_stencil_gate_one_condition_at_a_time() -> None:
    def gate(n=100_000, k=11, channels=1, dtype=np.float64, pad=((5, 5),), stride=(1,),
             dilation=(1,), method="auto"):
        x = np.ones((channels, n), dtype=dtype)
        w = np.ones((1, channels, k), dtype=dtype)
        return planner.stencil_plan_1d(x, w, pad, "constant", 0, stride, dilation, method)

    assert gate()
    assert not gate(k=planner.stencil.MAX_TAPS_1D + 1, pad=((16, 16),))
    assert not gate(k=1, pad=((0, 0),))
    assert not gate(channels=2)
    assert not gate(stride=(2,)) and not gate(dilation=(2,)) and not gate(method="fft")
    assert not gate(pad=((-1, 5),))
    assert not gate(dtype=np.int64)
    # Fewer than 2^15 multiply-adds are never priced: 2978 outputs (n + 10 - 11 + 1)
    # times 11 taps is 32758.
    assert not gate(n=2978)


def test_separable_passes_are_an_alternative_only_for_rank_one_kernels(monkeypatch) -> None:
    # NumPy's separable passes cannot compute a kernel that is not of rank one, so
    # however cheap their model says they are, a random 7x7 still takes the stencil;
    # a rank-one Gaussian may go to them when they are priced cheaper.
    from convdoc.plans import separable

    stencil.load()
    monkeypatch.setattr(separable, "cost", lambda *args, **kwargs: 1e-9)
    rng = np.random.default_rng(5)
    image = rng.random((200, 210))
    random7 = rng.standard_normal((7, 7))
    assert np.linalg.matrix_rank(random7) == 7
    args = (((3, 3), (3, 3)), "symmetric", 0.0, (1, 1), (1, 1), "auto")
    assert planner.stencil_plan(image[None], random7[None, None], *args) is True
    g = convdoc.gaussian_kernel(7, 1.5)
    assert planner.stencil_plan(image[None], np.outer(g, g)[None, None], *args) is None
    with spy() as m:
        got = convdoc.correlate(image, random7, "same", boundary="symmetric")
    assert m.call_count == 1
    expected = ndimage.correlate(image, random7, mode="reflect")
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.usefixtures("without_register_tiles")
def test_a_first_layer_with_a_large_result_takes_the_channel_stencil() -> None:
    # 3 -> 64 channels of 3x3 at 224x224 in float32: the GEMM plan's 12.8 MB result goes
    # out to memory (write_seconds: 1.29 ms beyond its sums, 4.02 ms in all), more than
    # the channel stencil's 3.81 ms; measured on one thread, 3.4-3.7 against 3.6-4.3 ms.
    # At 112x112 (a 3.2 MB result) the GEMM plan stays the cheaper: 0.85 against 1.06 ms.
    # (Both without the register tiles, which take this layer in float32 at either size.)
    stencil.load()
    pad = ((1, 1), (1, 1))
    w = np.ones((64, 3, 3, 3), np.float32)
    big, small = np.ones((3, 224, 224), np.float32), np.ones((3, 112, 112), np.float32)
    assert planner.channels_stencil(big, w, pad, "constant", 0, (1, 1), (1, 1), "auto")
    assert not planner.channels_stencil(small, w, pad, "constant", 0, (1, 1), (1, 1), "auto")
