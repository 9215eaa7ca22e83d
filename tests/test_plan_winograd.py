"""The Winograd F(2x2, 3x3) plan (convdoc.plans.winograd) against independent oracles.

Oracles: the plain loop of convdoc.reference on a numpy.pad-ed grid (summed in
float64 for float32 inputs, in longdouble for float64 ones), and
scipy.signal.correlate2d per channel pair. Tolerance: Winograd's transforms
add and subtract inputs before the products and products after, so its error
grows with the magnitudes summed, not with the result: it is bounded by a small
multiple of ``eps * sum |w| |x|`` (Lavin and Gray 2016; Barabasz et al. 2020 give
about 2-4x the direct sum's error for F(2, 3)). The tests allow ``16 * eps``
times that sum per output, which a wrong transform (an error of order one times
a tap) exceeds by orders of magnitude.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc.plans import planner, stencil, winograd
from convdoc.plans._common import scratch
from convdoc.reference import reference_correlate


@pytest.fixture(autouse=True)
def _loaded(compiled_stencil_unloaded) -> None:
    # The plan is priced once numba is loaded (tests/conftest.py unloads it first).
    stencil.load()


def loop_layer(x, w, pad, wide):
    """out[o] = sum_c reference_correlate(grid[c], w[o, c]), summed in ``wide``."""
    grid = np.pad(x.astype(wide), ((0, 0), *pad))
    out = None
    for o in range(w.shape[0]):
        total = sum(reference_correlate(grid[c], w[o, c].astype(wide)) for c in range(x.shape[0]))
        out = np.empty((w.shape[0], *total.shape), wide) if out is None else out
        out[o] = total
    return out


def magnitude(x, w, pad):
    """sum |w| |x| per output: the scale of the rounding errors of any summation order."""
    grid = np.pad(np.abs(x.astype(np.float64)), ((0, 0), *pad))
    return np.stack([
        sum(signal.correlate2d(grid[c], np.abs(w[o, c].astype(np.float64)), "valid")
            for c in range(x.shape[0]))
        for o in range(w.shape[0])
    ])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("c_in", "c_out", "shape", "pad"),
    [
        (3, 4, (8, 8), ((1, 1), (1, 1))),
        (2, 3, (9, 11), ((1, 1), (1, 1))),  # odd outputs: the last tiles cropped
        (4, 2, (7, 6), ((0, 0), (0, 0))),
        (1, 2, (5, 9), ((2, 0), (0, 3))),  # uneven padding
        (5, 5, (3, 3), ((1, 1), (1, 1))),  # one tile row
    ],
)
def test_winograd_matches_the_loop_reference(dtype, c_in, c_out, shape, pad) -> None:
    rng = np.random.default_rng(c_in * 10 + c_out)
    x = rng.standard_normal((c_in, *shape)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, 3, 3)).astype(dtype)
    out_shape = tuple(n + b + a - 2 for n, (b, a) in zip(shape, pad, strict=True))
    got = winograd.correlate(x, w, pad, out_shape, np.dtype(dtype))
    assert got.dtype == dtype and got.shape == (c_out, *out_shape)
    wide = np.float64 if dtype == np.float32 else np.longdouble
    exact = loop_layer(x, w, pad, wide)
    bound = 16 * np.finfo(dtype).eps * magnitude(x, w, pad)
    assert np.all(np.abs(got.astype(wide) - exact) <= bound)


def test_winograd_error_is_a_transform_error_not_a_wrong_sum() -> None:
    # The bound can fail: a kernel tap off by one ulp of 1 times |x| would pass,
    # but the wrong transform (G's halves dropped) is off by order one.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    pad = ((1, 1), (1, 1))
    got = winograd.correlate(x, w, pad, (6, 6), np.dtype(np.float32))
    exact = loop_layer(x, w, pad, np.float64)
    wrong = loop_layer(x, w * 1.5, pad, np.float64)
    bound = 16 * np.finfo(np.float32).eps * magnitude(x, w, pad)
    assert np.all(np.abs(got - exact) <= bound)
    assert not np.all(np.abs(wrong - exact) <= bound)


def spy():
    return mock.patch.object(winograd, "correlate", wraps=winograd.correlate)


@pytest.mark.parametrize(("c", "n"), [(64, 56), (128, 28)])
def test_3x3_stage_layers_take_winograd_once_numba_is_loaded(c, n) -> None:
    # The 3x3 stages of make bench-peers, where F(2x2, 3x3) measured faster than the GEMM.
    rng = np.random.default_rng(c)
    x = rng.standard_normal((c, n, n)).astype(np.float32)
    w = rng.standard_normal((c, c, 3, 3)).astype(np.float32)
    with spy() as m:
        got = convdoc.conv2d(x, w, padding=1)
    assert m.called
    assert got.dtype == np.float32
    pad = ((1, 1), (1, 1))
    expected = np.stack([
        sum(signal.correlate2d(np.pad(x[ch].astype(np.float64), 1), w[o, ch].astype(np.float64),
                               "valid") for ch in range(c))
        for o in range(c)
    ])
    bound = 16 * np.finfo(np.float32).eps * magnitude(x, w, pad)
    assert np.all(np.abs(got - expected) <= bound)


def test_not_priced_before_numba_is_loaded() -> None:
    stencil.unload()
    x = np.ones((64, 56, 56), np.float32)
    w = np.ones((64, 64, 3, 3), np.float32)
    costs = planner.direct_costs(x.shape, w.shape, ((1, 1), (1, 1)), (1, 1), (1, 1), (56, 56),
                                 (x.dtype, w.dtype))
    assert "winograd" not in costs and "gemm" in costs


@pytest.mark.parametrize("dtype", ["int64", "int32", "float16", "complex64"])
def test_integer_and_other_dtypes_never_take_winograd(dtype) -> None:
    rng = np.random.default_rng(3)
    x = (rng.random((64, 30, 30)) * 10).astype(dtype)
    w = (rng.random((64, 64, 3, 3)) * 10).astype(dtype)
    with spy() as m:
        got = convdoc.conv2d(x, w, padding=1)
    assert not m.called
    if got.dtype.kind == "i":
        # Exact integer sums: scipy's per pair, summed in int64.
        grid = np.pad(x.astype(np.int64), ((0, 0), (1, 1), (1, 1)))
        expected = np.stack([
            sum(signal.correlate2d(grid[c], w[o, c].astype(np.int64), "valid") for c in range(64))
            for o in range(2)
        ])
        np.testing.assert_array_equal(got[:2], expected)


def test_strided_dilated_and_5x5_layers_never_take_winograd() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 40, 40)).astype(np.float32)
    with spy() as m:
        convdoc.conv2d(x, rng.standard_normal((64, 64, 3, 3)).astype(np.float32), stride=2)
        convdoc.conv2d(x, rng.standard_normal((64, 64, 3, 3)).astype(np.float32), dilation=2)
        convdoc.conv2d(x, rng.standard_normal((64, 64, 5, 5)).astype(np.float32), padding=2)
    assert not m.called


@pytest.mark.parametrize("bad", [np.nan, np.inf, 3e38])
def test_nan_infinity_and_huge_values_are_placed_by_the_gemm_plan(bad) -> None:
    # The transforms would spread a NaN or infinity over the neighbouring outputs
    # (inf - inf) and overflow on values near the float32 limit: the planner
    # checks the inputs, and the result matches the loop's NaN and inf pattern.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 56, 56)).astype(np.float32)
    x[3, 20, 30] = bad
    w = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
    with np.errstate(all="ignore"), spy() as m:
        got = convdoc.conv2d(x, w, padding=1)
    assert not m.called  # declined by winograd.fits, not only caught afterwards
    with np.errstate(all="ignore"):
        # The definition in float32: 3e38 times a tap above 1.13 overflows to inf.
        sub = loop_layer(x[:, 17:24, 27:34], w[:2], ((0, 0), (0, 0)), np.float32)
    region = got[:2, 18:23, 28:33].astype(np.float64)  # output r reads rows r - 1 .. r + 1
    np.testing.assert_array_equal(np.isnan(region), np.isnan(sub))
    np.testing.assert_array_equal(np.isinf(region), np.isinf(sub))
    assert not np.isfinite(sub).all()
    assert np.isfinite(got[:, :10, :10]).all()  # far from it, nothing spread


def test_fits_bounds_every_intermediate() -> None:
    x = np.ones((8, 4, 4), np.float32)
    w = np.ones((2, 8, 3, 3), np.float32)
    assert winograd.fits(x, w, np.dtype(np.float32))
    assert not winograd.fits(x * 1e35, w, np.dtype(np.float32))
    assert winograd.fits(x * 1e35, w, np.dtype(np.float64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["x first", "x last", "w first", "w last"])
def test_fits_is_false_for_any_nan_or_infinity(bad, where) -> None:
    # fits is also the plan's finiteness check: one NaN or infinity anywhere, among
    # values that would fit, in either array.
    x = np.linspace(-1, 1, 8 * 4 * 4).reshape(8, 4, 4)
    w = np.linspace(2, -2, 2 * 8 * 9).reshape(2, 8, 3, 3)
    target = x if where.startswith("x") else w
    target.flat[0 if where.endswith("first") else -1] = bad
    assert not winograd.fits(x, w, np.dtype(np.float64))


def _g_rows(a, b, d):
    """``G`` times a column ``(a, b, d)``: four rows, summed in float64 as the kernel does."""
    return [a, (a + b + d) * 0.5, (a - b + d) * 0.5, d]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_kernel_transform_is_g_w_gt_in_float64_rounded_once(dtype) -> None:
    # 700 kernels: two whole chunks of 256 and a partial one; the range [37, 651)
    # starts and ends inside chunks, and nothing outside it is written.
    from convdoc.plans import _winograd_kernels

    rng = np.random.default_rng(12)
    n, lo, hi = 700, 37, 651
    scale = 10.0 ** rng.integers(-20, 20, (n, 1, 1))
    w = (rng.standard_normal((n, 3, 3)) * scale).astype(dtype)
    u = np.full((16, n), np.nan, dtype)
    _winograd_kernels.kernel_transform(w, u, lo, hi)
    assert np.isnan(u[:, :lo]).all() and np.isnan(u[:, hi:]).all()
    g = w[lo:hi].astype(np.float64)
    # (G g)[a, j], then row a of it times G^T: u[4a + b] = (G g G^T)[a, b].
    columns = [_g_rows(g[:, 0, j], g[:, 1, j], g[:, 2, j]) for j in range(3)]
    same_sums = np.stack(
        [v for a in range(4) for v in _g_rows(columns[0][a], columns[1][a], columns[2][a])]
    )
    np.testing.assert_array_equal(u[:, lo:hi], same_sums.astype(dtype))
    # And it is the transform: G g G^T by einsum, within rounding of the largest tap.
    G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
    exact = np.einsum("ai,eij,bj->abe", G, g, G).reshape(16, -1)
    largest = np.abs(g).max(axis=(1, 2))
    assert (np.abs(u[:, lo:hi] - exact) <= 4 * np.finfo(dtype).eps * largest).all()


@pytest.mark.parametrize(("shared", "groups"), [(False, [10]), (True, [2, 3, 2, 3])])
def test_a_one_block_layer_with_more_channels_than_tiles_goes_by_channel_groups(
    monkeypatch, shared, groups
) -> None:
    # 6x6 outputs are 9 tiles, one block; 10 output channels outweigh them. A layer
    # priced to share: min(10, CHANNEL_GROUPS) = 4 groups (2, 3, 2, 3 channels), each
    # transforming its own kernels; the same groups, and bits, on 1, 2 and 3 threads.
    from convdoc import threads

    kernels_module = winograd._load()
    real = kernels_module.kernel_transform
    seen: list[int] = []

    def spy(w, u, lo, hi):
        seen.append((hi - lo) // 4)  # kernels of the group / C_in = its output channels
        return real(w, u, lo, hi)

    monkeypatch.setattr(kernels_module, "kernel_transform", spy)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0 if shared else 1e9)
    rng = np.random.default_rng(21)
    x = rng.standard_normal((4, 6, 6)).astype(np.float32)
    w = rng.standard_normal((10, 4, 3, 3)).astype(np.float32)
    pad = ((1, 1), (1, 1))
    results = {}
    for count in (1, 2, 3):
        monkeypatch.setattr(threads, "_count", count)
        seen.clear()
        results[count] = winograd.correlate(x, w, pad, (6, 6), np.dtype(np.float32))
        assert sorted(seen) == sorted(groups)
        np.testing.assert_array_equal(results[count], results[1])
    exact = loop_layer(x, w, pad, np.float64)
    bound = 16 * np.finfo(np.float32).eps * magnitude(x, w, pad)
    assert np.all(np.abs(results[1] - exact) <= bound)


def _spy_transforms(monkeypatch):
    """Record the channel and tile-row ranges each input and output transform call covers."""
    kernels_module = winograd._load()
    calls: dict[str, list[tuple[int, ...]]] = {"input": [], "output": []}
    real_in, real_out = kernels_module.input_transform, kernels_module.output_transform

    def spy_in(x, top, left, ty0, ty1, tw, v, c0, c1):
        calls["input"].append((ty0, ty1, c0, c1))
        return real_in(x, top, left, ty0, ty1, tw, v, c0, c1)

    def spy_out(m, ty0, ty1, tw, out, k0, k1):
        calls["output"].append((ty0, ty1, k0, k1))
        return real_out(m, ty0, ty1, tw, out, k0, k1)

    monkeypatch.setattr(kernels_module, "input_transform", spy_in)
    monkeypatch.setattr(kernels_module, "output_transform", spy_out)
    return calls


def test_a_one_block_layer_shares_every_step_by_channels_with_the_same_bits(monkeypatch) -> None:
    # 8x8 outputs are 16 tiles, one block; 12 output channels do not outweigh them, so
    # the kernels are transformed beside the input, the 16 products go by 4 planes and
    # the output transform by channel groups. Priced to share: 4 groups of input
    # channels (3, 2, 3, 2 of 10) and of output channels (3 each of 12), on any number
    # of threads; priced not to: one call of each. The bits are the same in all cases.
    from convdoc import threads

    calls = _spy_transforms(monkeypatch)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((10, 8, 8)).astype(np.float32)
    w = rng.standard_normal((12, 10, 3, 3)).astype(np.float32)
    pad = ((1, 1), (1, 1))
    results = {}
    for shared, count in [(False, 1), (True, 1), (True, 2), (True, 3)]:
        monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0 if shared else 1e9)
        monkeypatch.setattr(threads, "_count", count)
        calls["input"].clear()
        calls["output"].clear()
        # The work arrays are kept between calls: NaN in them first, so that a step
        # that skipped some of its work could not pass on the last call's values.
        for name, shape in [("input", (16, 10, 16)), ("products", (16, 12, 16)),
                            ("kernels", (16, 12, 10))]:
            scratch(f"winograd.{name}", shape, np.dtype(np.float32))[...] = np.nan
        results[shared, count] = winograd.correlate(x, w, pad, (8, 8), np.dtype(np.float32))
        inputs = sorted(calls["input"])
        outputs = sorted(calls["output"])
        if shared:
            assert inputs == [(0, 4, 0, 2), (0, 4, 2, 5), (0, 4, 5, 7), (0, 4, 7, 10)]
            assert outputs == [(0, 4, 0, 3), (0, 4, 3, 6), (0, 4, 6, 9), (0, 4, 9, 12)]
        else:
            assert inputs == [(0, 4, 0, 10)]
            assert outputs == [(0, 4, 0, 12)]
        np.testing.assert_array_equal(results[shared, count], results[False, 1])
    exact = loop_layer(x, w, pad, np.float64)
    bound = 16 * np.finfo(np.float32).eps * magnitude(x, w, pad)
    assert np.all(np.abs(results[False, 1] - exact) <= bound)


def test_blocks_of_tile_rows_have_near_equal_heights(monkeypatch) -> None:
    # 14 rows of tiles (28x28 outputs) in blocks of at least 9 rows (the minimum
    # columns, 9 * 14 = 126 >= 120): 2 blocks, of 7 rows each, never 9 and 5.
    from convdoc import threads

    calls = _spy_transforms(monkeypatch)
    monkeypatch.setattr(winograd, "_MIN_COLUMNS", 120)
    monkeypatch.setattr(winograd, "_BLOCK_BYTES", 1)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 28, 28))
    w = rng.standard_normal((3, 4, 3, 3))
    pad = ((1, 1), (1, 1))
    results = []
    for count in (1, 2):
        monkeypatch.setattr(threads, "_count", count)
        calls["input"].clear()
        results.append(winograd.correlate(x, w, pad, (28, 28), np.dtype(np.float64)))
        assert sorted(calls["input"]) == [(0, 7, 0, 4), (7, 14, 0, 4)]
    np.testing.assert_array_equal(results[0], results[1])
    exact = loop_layer(x, w, pad, np.longdouble)
    bound = 16 * np.finfo(np.float64).eps * magnitude(x, w, pad)
    assert np.all(np.abs(results[0] - exact) <= bound)


def test_write_seconds_prices_the_result_beyond_the_cache() -> None:
    from convdoc.plans._common import write_seconds

    assert write_seconds(0) == 0.0
    assert write_seconds(2**21) == 0.0  # the first 2 MB stay in the cache
    assert write_seconds(2**21 + 1000) == pytest.approx(1.2e-10 * 1000, rel=1e-12)
    assert write_seconds(12845056) == pytest.approx(1.2e-10 * 10747904, rel=1e-12)


def test_winograd_cost_adds_the_writing_of_a_large_result(monkeypatch) -> None:
    # 3 -> 64 channels at 224x224 in float32: a 12,845,056-byte result, whose
    # 10,747,904 bytes beyond the cache cost 1.2e-10 s each; a 4 KB one costs nothing.
    from convdoc.plans import _common

    dtype = np.dtype(np.float32)
    big = winograd.cost((64, 3, 3, 3), (224, 224), dtype)
    small = winograd.cost((4, 4, 3, 3), (16, 16), dtype)
    monkeypatch.setattr(_common, "SEC_PER_UNCACHED_BYTE", 0.0)
    assert big - winograd.cost((64, 3, 3, 3), (224, 224), dtype) == pytest.approx(
        1.2e-10 * 10747904, rel=1e-9)
    assert small == winograd.cost((4, 4, 3, 3), (16, 16), dtype)
