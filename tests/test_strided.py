"""The kept-outputs-only plans (convdoc._strided) and their routing, against plain loops."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

import convdoc
from convdoc import conv1d
from convdoc.plans import overlap_save, planner, polyphase


def _loops(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    """out[i] = sum_t x[i*stride + t] * w[t], one window at a time."""
    n_out = (x.size - w.size) // stride + 1
    return np.array([np.sum(x[i * stride : i * stride + w.size] * w) for i in range(n_out)])


def _loops_nd(grid: np.ndarray, w: np.ndarray, stride: tuple[int, ...]) -> np.ndarray:
    """Multi-channel n-D strided correlation by brute force."""
    c_out = w.shape[0]
    k = w.shape[2:]
    out_shape = [(n - ki) // s + 1 for n, ki, s in zip(grid.shape[1:], k, stride, strict=True)]
    out = np.zeros((c_out, *out_shape), np.result_type(grid, w))
    for i in itertools.product(*map(range, out_shape)):
        window = tuple(slice(a * s, a * s + ki) for a, s, ki in zip(i, stride, k, strict=True))
        patch = grid[(slice(None), *window)]
        for o in range(c_out):
            out[(o, *i)] = np.sum(patch * w[o])
    return out


def _random(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.complex64])
@pytest.mark.parametrize(
    ("n", "k", "stride"),
    [
        (50, 3, 4),  # k < stride: one product over a strided view
        (97, 4, 4),  # k == stride
        (101, 11, 4),  # k not a multiple of the stride: padded tap matrix
        (64, 8, 4),  # a multiple
        (300, 40, 3),
        (13, 13, 5),  # a single output
        (20, 9, 8),
        (30_000, 101, 4),  # several chunks, the last one partial
    ],
)
def test_phase_matmul_matches_loops(n, k, stride, dtype) -> None:
    rng = np.random.default_rng(n * k + stride)
    x, w = _random(rng, n, dtype), _random(rng, k, dtype)
    expected = _loops(x.astype(np.complex128), w.astype(np.complex128), stride)
    got = polyphase.phase_matmul(x, w, stride, expected.size)
    assert got is not None and got.shape == expected.shape and got.dtype == dtype
    tol = 1e-4 if np.dtype(dtype).itemsize <= 8 else 1e-11
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * k)


def test_phase_matmul_reads_only_the_samples_it_needs() -> None:
    # A grid one sample short of a whole row of phases must not be read past its end.
    x = np.arange(1.0, 24.0)  # 23 samples; k=6, stride 4 -> 5 outputs need 22
    w = np.arange(1.0, 7.0)
    np.testing.assert_array_equal(polyphase.phase_matmul(x, w, 4, 5), _loops(x, w, 4))
    strided_view = np.stack([x, -x], axis=1)[:, 0]  # not contiguous: copied first
    np.testing.assert_array_equal(polyphase.phase_matmul(strided_view, w, 4, 5), _loops(x, w, 4))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("k", [3, 11, 101])
def test_non_finite_input_gives_the_exact_answer(bad, k) -> None:
    # The tap matrix is padded with zeros and BLAS does 0 * inf = nan where the
    # definition never multiplies; phase_matmul must decline and the layer must
    # still give NaN/inf exactly where the loops do, without warnings.
    rng = np.random.default_rng(k)
    x = rng.standard_normal(400)
    x[203] = bad
    w = rng.standard_normal(k)
    if k > 4:  # a padded tap matrix (k=3 fits one row: no padding zeros meet the data)
        assert polyphase.phase_matmul(x, w, 4, (400 - k) // 4 + 1) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = conv1d(x, w, stride=4)
    np.testing.assert_allclose(got, _loops(x, w, 4), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128", "int64"])
@pytest.mark.parametrize("block", [64, 128, None])
def test_overlap_save_matches_loops_for_any_block(dtype, block) -> None:
    rng = np.random.default_rng(3)
    grid = rng.integers(-5, 6, (2, 1500)).astype(dtype)
    w = rng.integers(-5, 6, (3, 2, 37)).astype(dtype)
    if dtype.startswith("complex"):
        grid = grid + 1j * rng.integers(-5, 6, grid.shape)
        w = w - 1j * rng.integers(-5, 6, w.shape)
    expected = _loops_nd(grid, w, (4,))
    n_out = expected.shape[1]
    work = np.result_type(np.dtype(dtype), np.float32)
    chosen = block or overlap_save._best_block(n_out, 10, 3, 2, 4)
    got = overlap_save._overlap_save(grid, w, 4, n_out, chosen, work)
    tol = 1e-3 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * 100)
    full = overlap_save.fft_phases(grid, w, (4,), (n_out,), np.dtype(dtype))
    assert full.dtype == np.dtype(dtype) and full.flags.c_contiguous
    np.testing.assert_allclose(full, expected, rtol=tol, atol=tol * 100)


def test_overlap_save_runs_in_cache_sized_groups(monkeypatch) -> None:
    # Force one block per group: the grouped loop must give the same numbers.
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal(5000), rng.standard_normal(201)
    expected = signal.correlate(x, w, "valid")[::4]
    monkeypatch.setattr(overlap_save, "_GROUP_BYTES", 1)
    got = overlap_save._overlap_save(x[None], w[None, None], 4, expected.size, 256, np.dtype(float))
    np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-10)


def test_overlap_save_groups_grow_with_the_fft_workers(monkeypatch) -> None:
    from scipy import fft as sp_fft

    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(200_000), rng.standard_normal(101)
    expected = signal.correlate(x, w, "valid")
    forward = sp_fft.rfft
    calls: list[int] = []  # blocks per forward transform of the signal

    def counted(a, n=None, axis=-1, **kwargs):
        if a.ndim == 4 and a.shape[-1] == 512:  # the signal's blocks, not the taps
            calls.append(a.shape[2])
        return forward(a, n, axis=axis, **kwargs)

    monkeypatch.setattr(sp_fft, "rfft", counted)
    before = convdoc.set_num_threads(1)  # convdoc's own threads would share the groups
    runs = {}
    try:
        for workers in (1, 2):
            calls.clear()
            with sp_fft.set_workers(workers):
                got = overlap_save._overlap_save(
                    x[None], w[None, None], 1, expected.size, 512, np.dtype(float)
                )
            np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-10)
            runs[workers] = list(calls)
    finally:
        convdoc.set_num_threads(before)
    blocks = -(-expected.size // (512 - 101 + 1))
    # Oracle, by hand: 1 MiB of spectra per group is 1 MiB / (2 * 512 * 16 B) = 64
    # blocks at one worker; two workers share 8 * 2 times that per call.
    assert sum(runs[1]) == sum(runs[2]) == blocks
    assert max(runs[1]) == 64 and max(runs[2]) == min(blocks, 64 * 16)


def test_overlap_save_groups_are_shared_among_convdoc_threads(monkeypatch) -> None:
    # With convdoc's threads each cache-sized group is one claimed chunk, transformed
    # by one scipy.fft worker; the bits are those of one thread.
    from scipy import fft as sp_fft

    from convdoc import threads

    rng = np.random.default_rng(8)
    x, w = rng.standard_normal(300_000), rng.standard_normal(101)
    expected = signal.correlate(x, w, "valid")
    forward = sp_fft.rfft
    calls: list[tuple[int, int]] = []  # (blocks, workers) per forward transform of the signal

    def counted(a, n=None, axis=-1, workers=None, **kwargs):
        if a.ndim == 4 and a.shape[-1] == 512:
            calls.append((a.shape[2], workers))
        return forward(a, n, axis=axis, workers=workers, **kwargs)

    monkeypatch.setattr(sp_fft, "rfft", counted)
    chunks: list[int] = []
    real_run = threads.run
    monkeypatch.setattr(threads, "run", lambda work, n: chunks.append(n) or real_run(work, n))
    before = convdoc.set_num_threads(1)
    try:
        one = overlap_save._overlap_save(x[None], w[None, None], 1, expected.size, 512,
                                         np.dtype(float))
        convdoc.set_num_threads(2)
        calls.clear()
        with sp_fft.set_workers(2):
            two = overlap_save._overlap_save(x[None], w[None, None], 1, expected.size, 512,
                                             np.dtype(float))
    finally:
        convdoc.set_num_threads(before)
    blocks = -(-expected.size // (512 - 101 + 1))  # 730
    groups = -(-blocks // 64)  # 64 blocks of 1 MiB of spectra each, by hand
    assert chunks == [groups]
    assert sorted(b for b, _ in calls) == sorted([64] * (blocks // 64) + [blocks % 64])
    assert {wk for _, wk in calls} == {1}
    np.testing.assert_array_equal(two, one)
    np.testing.assert_allclose(one[0], expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("stride", [(4, 4), (3, 2), (1, 5), (2, 7), (5, 1)])
def test_fft_phases_2d_multichannel_matches_loops(stride) -> None:
    rng = np.random.default_rng(sum(stride))
    grid = rng.integers(-5, 6, (2, 41, 37)).astype(float)
    w = rng.integers(-5, 6, (3, 2, 9, 6)).astype(float)
    expected = _loops_nd(grid, w, stride)
    got = overlap_save.fft_phases(grid, w, stride, expected.shape[1:], np.dtype(float))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-8)


def test_kernel_shorter_than_stride_skips_empty_phases() -> None:
    # k=3 < stride=5: phases 3 and 4 hold no taps and are never transformed.
    rng = np.random.default_rng(5)
    grid, w = rng.standard_normal((1, 40, 40)), rng.standard_normal((1, 1, 3, 2))
    expected = _loops_nd(grid, w, (5, 5))
    got = overlap_save.fft_phases(grid, w, (5, 5), expected.shape[1:], np.dtype(float))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 400),
    k=st.integers(1, 60),
    stride=st.integers(2, 9),
    pad=st.integers(0, 5),
    method=st.sampled_from(["auto", "direct", "fft"]),
    dtype=st.sampled_from(["float64", "float32", "complex128"]),
)
def test_strided_1d_routes_agree_with_scipy(n, k, stride, pad, method, dtype) -> None:
    rng = np.random.default_rng(n + 7 * k)
    assume(n + 2 * pad >= k)
    x, w = _random(rng, n, dtype), _random(rng, k, dtype)
    padded = np.pad(x, pad)
    # scipy.signal.correlate conjugates its second argument; a CNN layer does not.
    expected = signal.correlate(padded, np.conj(w), "valid", method="direct")[::stride]
    got = planner.strided_1d(x, w, (pad, pad), stride, method)
    assert got.shape == expected.shape and got.dtype == np.dtype(dtype)
    tol = 1e-3 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * (k + 1))


@pytest.mark.parametrize(
    ("n", "k", "route"),
    [
        (100, 11, "correlate"),  # tiny: numpy.correlate, then every stride-th output
        # 225 outputs of 101 taps: the windows' einsum is priced 3 us + 225 * (5 ns +
        # 0.32 ns * 101) = 11.4 us, the phases 10 us + 225 * (3 ns + 26 * 1 ns * 1.13) = 17.3 us.
        (1000, 101, "window_einsum"),
        # 1000 outputs of 281 taps: the einsum 97.9 us, the FFT of the phases 108.0 us,
        # the phases 109.2 us: the FFT is weighed against the cheaper of the two.
        (4277, 281, "window_einsum"),
        # 24,998 outputs of 11 taps: the einsum 216 us, the phases 161 us.
        (100_000, 11, "phase_matmul"),
        (10_000, 1001, "fft_phases"),  # a long kernel: the FFT is cheaper
    ],
)
def test_strided_1d_picks_the_cheap_route(monkeypatch, n, k, route) -> None:
    from convdoc.plans import direct

    calls: list[str] = []
    for module, name in (
        (polyphase, "phase_matmul"),
        (overlap_save, "fft_phases"),
        (direct, "window_einsum"),
    ):
        original = getattr(module, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    got = conv1d(x, w, stride=4)
    np.testing.assert_allclose(got, signal.correlate(x, w, "valid")[::4], rtol=1e-9, atol=1e-9)
    assert calls == ([] if route == "correlate" else [route])


def test_auto_drops_an_fft_result_spread_by_a_non_finite_input() -> None:
    x = np.random.default_rng(8).standard_normal(10_000)
    x[5000] = np.inf
    w = np.ones(1001)
    got = conv1d(x, w, stride=4)
    # Only the windows that cover sample 5000 are infinite; the FFT would spread it.
    covering = [i for i in range(got.size) if 4 * i <= 5000 < 4 * i + 1001]
    assert np.isinf(got[covering]).all()
    assert np.isfinite(np.delete(got, covering)).all()


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_the_windows_einsum_route_is_the_definition(monkeypatch, dtype) -> None:
    # 1000 samples padded (2, 3), 101 taps at stride 4: (1005 - 101) // 4 + 1 = 227
    # outputs, priced cheaper as the windows' einsum (3 us + 227 * (5 + 0.32 * 101) ns
    # = 11.5 us) than as phases (17.4 us). Taps as given (a layer does not
    # conjugate), one infinite sample.
    from convdoc.plans import direct

    ran: list[bool] = []
    original = direct.window_einsum

    def spy(*args, **kwargs):
        ran.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(direct, "window_einsum", spy)
    rng = np.random.default_rng(11)
    x, w = _random(rng, 1000, dtype), _random(rng, 101, dtype)
    x[500] = np.inf
    got = planner.strided_1d(x, w, (2, 3), 4, "auto")
    assert ran == [True] and got.dtype == np.dtype(dtype) and got.shape == (227,)
    grid = np.pad(x.astype(np.complex128), (2, 3))
    taps = w.astype(np.complex128)
    touched = [i for i in range(227) if 4 * i <= 502 < 4 * i + 101]
    with np.errstate(invalid="ignore"):
        expected = np.array([sum(grid[4 * i + t] * taps[t] for t in range(101))
                             for i in range(227)])
    assert not np.isfinite(got[touched]).any()
    rest = np.delete(np.arange(227), touched)
    tol = 1e-3 if dtype in ("float32", "complex64") else 1e-9
    np.testing.assert_allclose(got[rest], expected[rest], rtol=tol, atol=tol * 100)


def test_the_windows_einsum_cost_is_its_documented_formula() -> None:
    from convdoc.plans import direct

    # 3 us + 225 * (5 ns + 0.32 ns * 101) = 3 us + 225 * 37.32 ns = 11.397 us
    assert direct.window_einsum_cost(225, 101) == pytest.approx(11.397e-6, rel=1e-12)
    assert direct.window_einsum_cost(0, 7) == pytest.approx(3e-6, rel=1e-12)
