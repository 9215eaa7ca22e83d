"""convdoc.threads: the thread count, and work shared among threads.

Every chunk runs exactly once, whoever claims it; errors reach the caller;
filters and layers give the same bits on any number of threads.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal

import convdoc
from convdoc import threads
from convdoc.plans import stencil


@pytest.fixture
def restore_threads():
    before = threads._count
    yield
    threads._count = before


def test_set_returns_the_count_before_and_get_reads_it(restore_threads):
    convdoc.set_num_threads(3)
    assert convdoc.set_num_threads(1) == 3
    assert convdoc.get_num_threads() == 1


@pytest.mark.parametrize(
    ("bad", "exc", "message"),
    [
        (0, ValueError, "n must be a positive integer, got 0"),
        (-2, ValueError, "n must be a positive integer, got -2"),
        (2.0, TypeError, "n must be a positive integer, got 2.0"),
        (True, TypeError, "n must be a positive integer, got True"),
        ("2", TypeError, "n must be a positive integer, got '2'"),
        (1 << 17, ValueError, "n must be a positive integer at most 65536, got 131072"),
    ],
)
def test_bad_counts_name_the_parameter_and_the_value(restore_threads, bad, exc, message):
    convdoc.set_num_threads(2)
    with pytest.raises(exc) as info:
        convdoc.set_num_threads(bad)
    assert message in str(info.value)
    assert convdoc.get_num_threads() == 2  # a refused call changes nothing


def test_the_default_reads_convdoc_then_omp_then_the_cores(restore_threads, monkeypatch):
    threads._count = None
    monkeypatch.delenv("CONVDOC_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    import os

    assert convdoc.get_num_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert convdoc.get_num_threads() == 3
    monkeypatch.setenv("CONVDOC_NUM_THREADS", "5")
    assert convdoc.get_num_threads() == 5
    monkeypatch.setenv("CONVDOC_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="NUM_THREADS must be a positive integer, got 'many'"):
        convdoc.get_num_threads()
    monkeypatch.setenv("CONVDOC_NUM_THREADS", "0")
    with pytest.raises(ValueError, match="CONVDOC_NUM_THREADS must be a positive integer, got 0"):
        convdoc.get_num_threads()
    convdoc.set_num_threads(2)  # an explicit count wins over the environment
    assert convdoc.get_num_threads() == 2


@pytest.mark.parametrize(("count", "chunks"), [(1, 7), (2, 1), (2, 9), (4, 40), (3, 2)])
def test_every_chunk_runs_exactly_once(restore_threads, count, chunks):
    convdoc.set_num_threads(count)
    seen: list[int] = []
    lock = threading.Lock()
    names = set()

    def work(i: int) -> None:
        time.sleep(0.001)  # long enough for a helper to claim some chunks
        with lock:
            seen.append(i)
            names.add(threading.current_thread().name)

    threads.run(work, chunks)
    assert sorted(seen) == list(range(chunks))
    if count == 1 or chunks == 1:
        assert names == {threading.current_thread().name}


def test_a_helper_takes_chunks_when_a_core_is_free(restore_threads):
    convdoc.set_num_threads(2)
    names: set[str] = set()

    def work(i: int) -> None:
        names.add(threading.current_thread().name)
        time.sleep(0.02)  # sleeping frees the GIL and the core: the helper gets both

    threads.run(work, 8)
    assert any(name.startswith("convdoc") for name in names)
    assert threading.current_thread().name in names


@pytest.mark.parametrize("failing", [0, 5])
def test_an_error_in_any_chunk_reaches_the_caller(restore_threads, failing):
    convdoc.set_num_threads(2)

    def work(i: int) -> None:
        time.sleep(0.002)
        if i == failing:
            raise ZeroDivisionError(f"chunk {i}")

    with pytest.raises(ZeroDivisionError, match=f"chunk {failing}"):
        threads.run(work, 8)
    # The pool still works after a failure.
    done: list[int] = []
    threads.run(done.append, 4)
    assert sorted(done) == [0, 1, 2, 3]


def _filter_in_child(queue) -> None:
    image = np.arange(64.0 * 64).reshape(64, 64)
    done: list[int] = []
    threads.run(done.append, 6)
    queue.put((sorted(done), float(convdoc.correlate(image, np.ones((3, 3)), "valid").sum())))


def test_a_forked_child_can_share_work(restore_threads):
    # The parent's helper threads do not exist in a forked child: it must not wait for them.
    convdoc.set_num_threads(2)
    threads.run(lambda i: time.sleep(0.001), 4)  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_filter_in_child, args=(queue,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    chunks, total = queue.get(timeout=5)
    assert chunks == [0, 1, 2, 3, 4, 5]
    image = np.arange(64.0 * 64).reshape(64, 64)
    assert total == pytest.approx(scipy.signal.correlate2d(image, np.ones((3, 3)), "valid").sum())


def test_share_keeps_small_or_single_thread_work_whole(restore_threads):
    convdoc.set_num_threads(1)
    assert threads.share(1.0, 100) == 1
    convdoc.set_num_threads(2)
    assert threads.share(threads.MIN_PARALLEL_SEC / 2, 100) == 1
    assert threads.share(1.0, 1) == 1
    assert threads.share(1.0, 100) == 2 * threads.CHUNKS_PER_THREAD
    assert threads.share(1.0, 3) == 3


# ------------------------------------------------------------ the compiled stencils on threads

needs_numba = pytest.mark.skipif(not stencil.available(), reason="numba is not installed")


def _spy_chunks(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = threads.run

    def run(work, chunks):
        calls.append(chunks)
        return real(work, chunks)

    monkeypatch.setattr(threads, "run", run)
    return calls


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("kernel", "boundary"),
    [
        ("random3", "symmetric"),
        ("random5", "constant"),
        ("gauss5", "reflect"),
        ("gauss15", "symmetric"),
        ("gauss31", "wrap"),
    ],
)
def test_filters_give_the_same_bits_on_any_number_of_threads(
    restore_threads, monkeypatch, dtype, kernel, boundary
):
    stencil.load()
    rng = np.random.default_rng(7)
    image = rng.standard_normal((203, 517)).astype(dtype)
    if kernel.startswith("gauss"):
        h = convdoc.gaussian_kernel2d(int(kernel[5:]), 2.0).astype(dtype)
    else:
        side = int(kernel[6:])
        h = rng.standard_normal((side, side)).astype(dtype)
    calls = _spy_chunks(monkeypatch)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)  # share even this small image
    results = {}
    for count in (1, 2, 3, 8):
        convdoc.set_num_threads(count)
        results[count] = convdoc.correlate(image, h, "same", boundary=boundary)
    assert calls[0] == 1 and max(calls) > 1  # one thread kept it whole; more shared it
    for count in (2, 3, 8):
        np.testing.assert_array_equal(results[count], results[1])
    assert results[1].dtype == dtype
    # And it is the filter: SciPy's ndimage in float64 (its boundary names differ).
    mode = {"symmetric": "reflect", "reflect": "mirror", "constant": "constant", "wrap": "wrap"}
    expected = scipy.ndimage.correlate(image.astype(np.float64), h.astype(np.float64),
                                       mode=mode[boundary])
    tol = 1e-4 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(results[1], expected, atol=tol * np.abs(h).sum() * 5)


@needs_numba
def test_a_nan_in_one_band_still_gives_the_definitions_nans(restore_threads, monkeypatch):
    # Two passes in bands; the band holding the NaN redoes the dense sum, as one call would.
    stencil.load()
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    image = np.random.default_rng(1).standard_normal((300, 300))
    image[250, 40] = np.nan
    h = convdoc.gaussian_kernel2d(5, 1.0)
    h[0, 0] = 0.0  # a zero tap: the definition still puts NaN where it meets the NaN
    convdoc.set_num_threads(4)
    got = convdoc.correlate(image, h, "valid")
    expected = scipy.signal.correlate2d(image, h, "valid")
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], atol=1e-12)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_depthwise_layers_give_the_same_bits_on_any_number_of_threads(
    restore_threads, monkeypatch, dtype
):
    stencil.load()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((13, 40, 37)).astype(dtype)
    w = rng.standard_normal((13, 1, 3, 3)).astype(dtype)
    calls = _spy_chunks(monkeypatch)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    results = {}
    for count in (1, 2, 5):
        convdoc.set_num_threads(count)
        results[count] = convdoc.conv2d(x, w, padding=1, groups=13)
    assert calls[0] == 1 and max(calls) > 1
    for count in (2, 5):
        np.testing.assert_array_equal(results[count], results[1])
    xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    expected = np.stack(
        [scipy.signal.correlate2d(xp[c], w[c, 0].astype(np.float64), "valid") for c in range(13)]
    )
    np.testing.assert_allclose(results[1], expected, atol=1e-4 if dtype == np.float32 else 1e-12)


@needs_numba
@pytest.mark.parametrize("side", [15, 31])
def test_long_gaussians_run_as_the_compiled_two_passes(restore_threads, monkeypatch, side):
    # Beyond the dense loop's 9 taps, a rank-one kernel still takes the compiled passes.
    stencil.load()
    ran: list[int] = []
    real = stencil._kernels.separable

    class Spy:
        def __getattr__(self, name):
            return getattr(stencil._kernels, name)

        @staticmethod
        def separable(*args):
            ran.append(args[1].size)
            return real(*args)

    monkeypatch.setattr(stencil, "load", lambda: Spy())
    image = np.random.default_rng(5).standard_normal((512, 512)).astype(np.float32)
    h = convdoc.gaussian_kernel2d(side, side / 6).astype(np.float32)
    got = convdoc.correlate(image, h, "same", boundary="symmetric")
    assert ran and set(ran) == {side}
    expected = scipy.ndimage.correlate(image.astype(np.float64), h.astype(np.float64),
                                       mode="reflect")
    np.testing.assert_allclose(got, expected, atol=2e-5)
    assert got.dtype == np.float32


def _layer_oracle(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """A CNN layer in float64 from SciPy's 2-D correlation, summed over input channels."""
    xp = np.pad(x.astype(np.float64), ((0, 0), (pad, pad), (pad, pad)))
    return np.stack(
        [
            sum(
                scipy.signal.correlate2d(xp[c], w[o, c].astype(np.float64), "valid")
                for c in range(x.shape[0])
            )[::stride, ::stride]
            for o in range(w.shape[0])
        ]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("plan", "c_in", "c_out", "size", "k", "stride", "pad"),
    [
        ("gemm", 3, 16, 61, 7, 2, 3),  # a small ResNet stem: four phases
        ("gemm", 5, 12, 47, 3, 1, 1),
        ("gemm", 9, 7, 45, 1, 1, 0),  # 1x1: blocks of columns of one product
        ("winograd", 6, 10, 90, 3, 1, 1),
        ("winograd-one-block", 6, 10, 30, 3, 1, 1),  # its 16 products shared instead
        ("winograd-kernels", 96, 96, 10, 3, 1, 1),  # 9216 kernels: their transform shared
        ("im2col", 4, 9, 40, 3, 2, 1),
    ],
)
def test_layer_plans_give_the_same_bits_on_any_number_of_threads(
    restore_threads, monkeypatch, dtype, plan, c_in, c_out, size, k, stride, pad
):
    # Blocks of rows (gemm, winograd), of columns (1x1) or slabs of rows (im2col),
    # claimed by 1, 2 or 3 threads, each product on one BLAS thread.
    from convdoc.plans import gemm, im2col, winograd

    if plan.startswith("winograd") and not stencil.available():
        pytest.skip("numba is not installed (the Winograd transforms are numba loops)")
    rng = np.random.default_rng(11)
    x = rng.standard_normal((c_in, size, size)).astype(dtype)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(dtype)
    out = (size + 2 * pad - k) // stride + 1
    pads = ((pad, pad), (pad, pad))
    dt = np.dtype(dtype)
    # Blocks small enough that even these layers have several.
    monkeypatch.setattr(gemm, "_MIN_COLUMNS", 64)
    monkeypatch.setattr(gemm, "_BLOCK_BYTES", 4096)
    monkeypatch.setattr(gemm, "_ONE_BY_ONE_COLUMNS", 100)
    monkeypatch.setattr(im2col, "_SLABS", 4)  # 2 by default: fewer than the threads here
    if plan == "winograd":
        monkeypatch.setattr(winograd, "_MIN_COLUMNS", 16)
        monkeypatch.setattr(winograd, "_BLOCK_BYTES", 4096)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    calls = _spy_chunks(monkeypatch)

    def compute() -> np.ndarray:
        if plan == "gemm":
            return gemm.correlate(x, w, pads, (stride, stride), (out, out), dt)
        if plan.startswith("winograd"):
            return winograd.correlate(x, w, pads, (out, out), dt)
        grid = np.pad(x, ((0, 0), *pads))
        return im2col.im2col(grid, w, (stride, stride), (1, 1), (out, out), dt)

    results = {}
    for count in (1, 2, 3):
        convdoc.set_num_threads(count)
        before = len(calls)
        results[count] = compute()
        shared = calls[before:]
        if count == 1:
            assert not shared  # the calling thread alone: no helper asked
        else:
            assert shared and max(shared) > 2  # several blocks (or products), shared
    for count in (2, 3):
        np.testing.assert_array_equal(results[count], results[1])
    assert results[1].dtype == dt and results[1].flags.c_contiguous
    tol = 2e-4 if dtype == np.float32 else 1e-11
    scale = np.abs(w).sum(axis=(1, 2, 3)).max() * 4
    np.testing.assert_allclose(results[1], _layer_oracle(x, w, stride, pad), atol=tol * scale)


def _blas_counts() -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _blas_counts_at_each_call(monkeypatch, module, name: str) -> list[list[int]]:
    """Wrap ``module.name`` so that each call records BLAS's thread counts; the records."""
    seen: list[list[int]] = []
    original = getattr(module, name)

    def spy(*args):
        seen.append(_blas_counts())
        return original(*args)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_shared_work_runs_blas_on_one_thread_and_restores_its_count(restore_threads):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        assert _blas_counts() and set(_blas_counts()) == {2}
        convdoc.set_num_threads(2)
        seen: list[list[int]] = []
        threads.run(lambda i: seen.append(_blas_counts()), 6)
        assert len(seen) == 6 and all(counts == [1] * len(counts) for counts in seen)
        assert set(_blas_counts()) == {2}  # restored after the shared call
        # Overlapping shared calls (two caller threads): restored when the last one ends.
        inside = threading.Event()
        release = threading.Event()

        def long_call() -> None:
            with threads.one_blas_thread():
                inside.set()
                release.wait(10)

        other = threading.Thread(target=long_call)
        other.start()
        inside.wait(10)
        with threads.one_blas_thread():
            assert set(_blas_counts()) == {1}
        assert set(_blas_counts()) == {1}  # the other call still runs
        release.set()
        other.join()
        assert set(_blas_counts()) == {2}
        # An error inside restores the count too.
        with pytest.raises(RuntimeError, match="inside"), threads.one_blas_thread():
            raise RuntimeError("inside")
        assert set(_blas_counts()) == {2}


def test_small_products_leave_blas_its_own_count(restore_threads):
    # Below MIN_BLAS_MACS BLAS runs one thread by itself; setting it costs microseconds.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        convdoc.set_num_threads(2)
        with threads.blas_for_convdoc(threads.MIN_BLAS_MACS - 1):
            assert set(_blas_counts()) == {2}
        with threads.blas_for_convdoc(threads.MIN_BLAS_MACS):
            assert set(_blas_counts()) == {1}
        convdoc.set_num_threads(1)
        with threads.blas_for_convdoc(threads.MIN_BLAS_MACS * 100):
            assert set(_blas_counts()) == {2}


def test_a_kernels_spectrum_is_computed_on_one_blas_thread(restore_threads, monkeypatch):
    # Its two DFT-matrix products (a 15x15 kernel for a 256x256 image: 0.58 million
    # multiply-adds) took 0.15 ms on one BLAS thread and 1-8 ms on two beside another
    # busy process; the products run while the DFT matrices are looked up.
    from threadpoolctl import threadpool_limits

    from convdoc import _spectra

    seen = _blas_counts_at_each_call(monkeypatch, _spectra, "_dft")
    rng = np.random.default_rng(5)
    image, kernel = rng.standard_normal((256, 256)), rng.standard_normal((15, 15))
    with threadpool_limits(limits=2, user_api="blas"):
        convdoc.set_num_threads(2)
        got = convdoc.convolve(image, kernel, "same", method="fft")
        assert len(seen) == 2 and all(set(c) == {1} for c in seen)
        assert set(_blas_counts()) == {2}  # restored
        seen.clear()
        convdoc.set_num_threads(1)  # one convdoc thread: BLAS keeps the user's count
        convdoc.convolve(image, kernel, "same", method="fft")
        assert len(seen) == 2 and all(set(c) == {2} for c in seen)
    np.testing.assert_allclose(got, scipy.signal.convolve2d(image, kernel, "same"), atol=1e-10)


def test_a_compiled_transposed_layers_product_is_computed_on_one_blas_thread(
    restore_threads, monkeypatch
):
    # One channel group (a layer too small to share), on two convdoc threads: its
    # product still leaves BLAS's own threads alone; on one convdoc thread BLAS keeps
    # the user's count. The count is read as col2im starts, right after the product.
    from threadpoolctl import threadpool_limits

    from convdoc.plans import stencil, transposed

    if not stencil.available():
        pytest.skip("numba is not installed")
    stencil.load()
    seen = _blas_counts_at_each_call(monkeypatch, transposed, "_col2im_compiled")
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 1e9)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((16, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 8, 4, 4)).astype(np.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        convdoc.set_num_threads(2)
        convdoc.conv_transpose2d(x, w, stride=2, padding=1)
        assert len(seen) == 1 and set(seen[0]) == {1}
        assert set(_blas_counts()) == {2}  # restored
        seen.clear()
        convdoc.set_num_threads(1)
        convdoc.conv_transpose2d(x, w, stride=2, padding=1)
        assert len(seen) == 1 and set(seen[0]) == {2}


@pytest.mark.parametrize(
    ("n", "k", "stride", "blas_threads"),
    [
        (24_003, 11, 8, 2),
        (37_603, 11, 8, 1),
        (100_000, 11, 4, 1),
        (1_000_000, 3, 4, 2),
        (1_000_000, 4, 4, 2),
        (1_000_000, 5, 4, 1),
    ],
)
def test_a_strided_1d_layer_switches_blas_by_its_matrix_vector_product(
    restore_threads, monkeypatch, n, k, stride, blas_threads
):
    # 11 taps make q = ceil(11 / stride) rows of the tap matrix, so the diagonal sums
    # are a matrix-vector product of q * n_out values, the first product OpenBLAS
    # shares among its threads (from 9,216 values): at stride 8, 2 * 3,000 = 6,000
    # stays below MIN_BLAS_MACS = 8,192, 2 * 4,700 = 9,400 (which OpenBLAS would share)
    # does not; nor does 3 * 24,998 = 74,994 at stride 4.
    # (Both are priced cheaper as phases than as the windows' einsum.)
    # k <= stride: the windows do not overlap and make one matrix-vector product bound
    # by memory, which OpenBLAS's spinning threads halve and convdoc's threads could not
    # share for less than it costs: BLAS keeps the 2 threads it was given, with convdoc on
    # 2 as well. One more tap (overlapping windows): one BLAS thread again.
    from threadpoolctl import threadpool_limits

    from convdoc.plans import polyphase

    seen = _blas_counts_at_each_call(monkeypatch, polyphase, "phase_matmul")
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    with threadpool_limits(limits=2, user_api="blas"):
        convdoc.set_num_threads(2)
        got = convdoc.conv1d(x, w, stride=stride)
    assert len(seen) == 1 and set(seen[0]) == {blas_threads}
    expected = scipy.signal.correlate(x, w, "valid")[::stride]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_a_single_thread_leaves_blas_its_own_threads(restore_threads):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        convdoc.set_num_threads(1)
        seen: list[list[int]] = []
        threads.run(lambda i: seen.append(_blas_counts()), 3)
        assert len(seen) == 3 and all(set(counts) == {2} for counts in seen)


def test_scratch_arrays_are_kept_per_thread_and_name_up_to_a_size():
    from convdoc.plans._common import SCRATCH_BYTES, scratch

    f4 = np.dtype(np.float32)
    a = scratch("test.a", (3, 5), f4)
    assert a.shape == (3, 5) and a.dtype == f4 and a.flags.c_contiguous
    b = scratch("test.a", (2, 4), f4)  # smaller: the same memory again
    assert np.shares_memory(a, b)
    assert not np.shares_memory(a, scratch("test.b", (3, 5), f4))  # another name
    assert not np.shares_memory(a, scratch("test.a", (3, 5), np.dtype(np.float64)))
    grown = scratch("test.a", (40, 50), f4)  # larger: a new array, kept from now on
    assert grown.shape == (40, 50) and np.shares_memory(grown, scratch("test.a", (7,), f4))
    other: list[np.ndarray] = []
    t = threading.Thread(target=lambda: other.append(scratch("test.a", (3, 5), f4)))
    t.start()
    t.join()
    assert not np.shares_memory(other[0], scratch("test.a", (3, 5), f4))  # per thread
    too_big = SCRATCH_BYTES // 4 + 1  # float32 elements just past the cap
    first = scratch("test.big", (too_big,), f4)
    assert first.size == too_big
    assert not np.shares_memory(first, scratch("test.big", (too_big,), f4))  # not kept


def test_transposed_layers_give_the_same_bits_on_any_number_of_threads(
    restore_threads, monkeypatch
):
    # The all-taps product in blocks of input pixels, shared, then col2im; or, once numba
    # is loaded, groups of output channels, each its product and its col2im, shared.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 30, 29)).astype(np.float32)
    w = rng.standard_normal((8, 5, 4, 4)).astype(np.float32)
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    calls = _spy_chunks(monkeypatch)
    results = {}
    for count in (1, 2, 3):
        convdoc.set_num_threads(count)
        results[count] = convdoc.conv_transpose2d(x, w, stride=2, padding=1)
    assert calls and max(calls) > 2
    for count in (2, 3):
        np.testing.assert_array_equal(results[count], results[1])
    # The definition: every input pixel scatters its kernel, stride 2, then crop 1.
    full = np.zeros((5, 2 * 29 + 4, 2 * 28 + 4))
    for c, i, j in itertools.product(range(8), range(30), range(29)):
        full[:, 2 * i : 2 * i + 4, 2 * j : 2 * j + 4] += x[c, i, j] * w[c].astype(np.float64)
    expected = full[:, 1:-1, 1:-1]
    assert results[1].shape == expected.shape
    np.testing.assert_allclose(results[1], expected, atol=1e-4 * np.abs(w).sum())


@pytest.mark.parametrize(
    ("c_in", "c_out", "size", "k", "stride", "plan"),
    [(3, 32, 96, 7, 2, "gemm"), (64, 64, 28, 3, 1, "winograd"), (32, 64, 28, 3, 2, "im2col")],
)
def test_blas_runs_on_one_thread_whenever_convdoc_has_more(
    restore_threads, monkeypatch, c_in, c_out, size, k, stride, plan
):
    # convdoc's threads share the work; BLAS's own threads would split each product
    # again and spin after it, holding a core the next call needs.
    from threadpoolctl import threadpool_limits

    from convdoc.plans import planner

    if plan == "winograd":
        if not stencil.available():
            pytest.skip("numba is not installed (the Winograd transforms are numba loops)")
        stencil.load()
    seen: list[tuple[str, list[int]]] = []
    real = planner._run_direct

    def spy(*args):
        seen.append((args[-1], _blas_counts()))
        return real(*args)

    monkeypatch.setattr(planner, "_run_direct", spy)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((c_in, size, size)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        for count, blas in ((2, 1), (1, 2)):
            convdoc.set_num_threads(count)
            seen.clear()
            got = convdoc.conv2d(x, w, stride=stride, padding=k // 2)
            assert [p for p, _ in seen] == [plan]
            assert set(seen[0][1]) == {blas}
            assert set(_blas_counts()) == {2}  # and restored after
    expected = _layer_oracle(x, w, stride, k // 2)
    np.testing.assert_allclose(got, expected, atol=2e-4 * np.abs(w).sum(axis=(1, 2, 3)).max())


def test_each_shares_only_work_worth_sharing(restore_threads, monkeypatch):
    calls = _spy_chunks(monkeypatch)
    for count, seconds, chunks, shared in (
        (1, 1.0, 5, False),  # one thread: in order, here
        (2, 1e-6, 5, False),  # too small to hand to a helper
        (2, 1.0, 1, False),  # one chunk
        (2, 1.0, 5, True),
    ):
        convdoc.set_num_threads(count)
        done: list[int] = []
        before = len(calls)
        threads.each(done.append, chunks, seconds)
        assert sorted(done) == list(range(chunks))
        assert (len(calls) > before) == shared
        if not shared:
            assert done == list(range(chunks))  # in order


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
@pytest.mark.parametrize(("n", "k", "stride"), [(400_003, 11, 4), (100_001, 30, 3)])
def test_strided_1d_layers_give_the_same_bits_on_any_number_of_threads(
    restore_threads, monkeypatch, dtype, n, k, stride
):
    # The polyphase products' chunks of outputs (three of polyphase._CHUNK_VALUES // q
    # outputs or fewer), claimed by 1, 2 or 3 threads.
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    calls = _spy_chunks(monkeypatch)
    rng = np.random.default_rng(12)
    x = rng.standard_normal(n).astype(dtype)
    w = rng.standard_normal(k).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(n)
        w = w + 0.5j
    from threadpoolctl import threadpool_limits

    results = {}
    for count in (1, 2, 3):
        convdoc.set_num_threads(count)
        before = len(calls)
        # BLAS on one thread throughout: OpenBLAS's own threads may sum a complex
        # product's terms in another order, which is BLAS's choice, not convdoc's.
        with threadpool_limits(1, user_api="blas"):
            results[count] = convdoc.conv1d(x, w, stride=stride, padding=2)
        shared = calls[before:]
        assert (not shared) if count == 1 else (shared and max(shared) > 2)
    for count in (2, 3):
        np.testing.assert_array_equal(results[count], results[1])
    # The oracle: SciPy's every output (cross-correlation conjugates no tap in
    # conv1d, as torch), then every stride-th.
    expected = scipy.signal.correlate(np.pad(x, 2), np.conj(w), "valid", method="direct")[::stride]
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(results[1], expected, atol=tol * np.abs(w).sum() * 8)
    assert results[1].dtype == np.dtype(dtype)


def test_strided_1d_chunks_on_helpers_warn_nothing_for_an_infinite_sample(
    restore_threads, monkeypatch
):
    # Chunks on helper threads (which start with NumPy's default error state) warn
    # nothing, and the NaN that the zero-padded tap matrix makes of the infinity
    # sends the call to the exact phases, which give inf where the definition does.
    import warnings

    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    x = np.ones(200_003)
    # 12 = 3 rows of 4 taps hold the 11 taps and one padding zero, which output i
    # multiplies by sample 4i + 11: at 100003 that is output 24998, whose window
    # (99992..100002) misses the infinity. The definition gives it 11, not 0 * inf.
    x[100_003] = np.inf
    w = np.ones(11)
    convdoc.set_num_threads(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = convdoc.conv1d(x, w, stride=4)
    # Output i sums x[4i : 4i + 11]: sample 100003 is in outputs 24999 and 25000.
    assert np.isinf(out[24999:25001]).all()
    assert out[24998] == 11.0
    np.testing.assert_array_equal(np.delete(out, [24999, 25000]), 11.0)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), [
    ((16, 20, 20), (16, 16, 3, 3), 1, 1),  # a 3x3 layer (GEMM or Winograd)
    ((3, 40, 40), (8, 3, 7, 7), 2, 3),  # a stem-like layer (polyphase GEMM)
    ((32, 6, 6), (64, 32, 3, 3), 1, 1),  # more output channels than tiles
])
def test_float32_layers_give_the_same_bits_on_1_2_and_3_threads_while_blas_runs_on_one(
    restore_threads, monkeypatch, x_shape, w_shape, stride, padding
):
    # What set_num_threads promises: with BLAS on one thread, convdoc's count changes who
    # computes each chunk, never the bits (every layer here priced to share).
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    rng = np.random.default_rng(sum(x_shape))
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    results = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for count in (1, 2, 3):
            convdoc.set_num_threads(count)
            results[count] = convdoc.conv2d(x, w, stride=stride, padding=padding)
    for count in (2, 3):
        np.testing.assert_array_equal(results[count], results[1])
    expected = _layer_oracle(x, w, stride, padding)
    scale = np.abs(w).sum(axis=(1, 2, 3)).max()
    np.testing.assert_allclose(results[1], expected, atol=1e-4 * scale)


def _helper_masks(monkeypatch, caller_cpu: int, allowed: set[int]) -> list[tuple[str, frozenset]]:
    """Run a shared computation with the caller on ``caller_cpu`` of ``allowed``;
    return the (thread name, cores) of every affinity a thread set."""
    calls: list[tuple[str, frozenset]] = []
    monkeypatch.setattr(threads, "_getcpu", lambda: caller_cpu)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(allowed), raising=False)
    monkeypatch.setattr(
        threads.os,
        "sched_setaffinity",
        lambda pid, cores: calls.append((threading.current_thread().name, frozenset(cores))),
        raising=False,
    )
    threads.run(lambda i: time.sleep(0.02), 8)  # sleeping frees the core: the helper joins
    return calls


def test_a_helper_keeps_off_the_callers_core(restore_threads, monkeypatch):
    convdoc.set_num_threads(2)
    monkeypatch.setattr(threads, "_placed", threading.local())  # no helper placed yet
    calls = _helper_masks(monkeypatch, 1, {0, 1, 2})
    # The helper confined itself to the caller's other cores, once; the caller never moved.
    assert calls and all(name.startswith("convdoc") for name, _ in calls)
    assert calls[0][1] == frozenset({0, 2})
    # The same caller core again, several times: no helper sets the same cores twice
    # (the pool may hold more helpers than this count, any of which may take the task).
    for _ in range(4):
        calls += _helper_masks(monkeypatch, 1, {0, 1, 2})
    assert len(calls) == len(set(calls))
    # The caller on another core: the helper follows.
    moved = _helper_masks(monkeypatch, 0, {0, 1, 2})
    assert moved and all(cores == frozenset({1, 2}) for _, cores in moved)


def test_a_caller_with_one_core_leaves_the_helpers_where_they_are(restore_threads, monkeypatch):
    convdoc.set_num_threads(2)
    monkeypatch.setattr(threads, "_placed", threading.local())
    assert _helper_masks(monkeypatch, 0, {0}) == []


def test_placing_a_helper_is_skipped_where_the_system_cannot(restore_threads, monkeypatch):
    convdoc.set_num_threads(2)
    # Not Linux: no sched_getcpu is looked for, and no core is set.
    monkeypatch.delattr(threads.os, "sched_setaffinity", raising=False)
    assert threads._find_getcpu() is False
    monkeypatch.setattr(threads, "_getcpu", False)
    assert threads._cores_beside_caller() is None
    done: list[int] = []
    threads.run(lambda i: (time.sleep(0.005), done.append(i)), 6)
    assert sorted(done) == list(range(6))


def test_a_helper_that_may_not_move_still_computes(restore_threads, monkeypatch):
    convdoc.set_num_threads(2)
    monkeypatch.setattr(threads, "_placed", threading.local())
    monkeypatch.setattr(threads, "_getcpu", lambda: 0)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    def refuse(pid, cores):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(threads.os, "sched_setaffinity", refuse, raising=False)
    names: set[str] = set()
    done: list[int] = []

    def work(i: int) -> None:
        names.add(threading.current_thread().name)
        time.sleep(0.02)
        done.append(i)

    threads.run(work, 8)
    assert sorted(done) == list(range(8))
    assert any(name.startswith("convdoc") for name in names)


def test_on_this_system_the_helpers_run_beside_the_caller(restore_threads, monkeypatch):
    # The real system calls: after a shared computation each helper that took
    # part may use exactly the caller's cores other than the one it ran on.
    if not hasattr(threads.os, "sched_setaffinity"):
        assert threads._find_getcpu() is False
        return
    convdoc.set_num_threads(2)
    monkeypatch.setattr(threads, "_placed", threading.local())
    getcpu = threads._find_getcpu()
    assert callable(getcpu)
    seen: list[int] = []
    monkeypatch.setattr(threads, "_getcpu", lambda: seen.append(getcpu()) or seen[-1])
    helpers: dict[int, str] = {}

    def work(i: int) -> None:
        if threading.current_thread().name.startswith("convdoc"):
            helpers[threading.get_native_id()] = threading.current_thread().name
        time.sleep(0.02)

    allowed = os.sched_getaffinity(0)
    threads.run(work, 8)
    assert len(seen) == 1 and seen[0] in allowed
    assert helpers, "no helper took a chunk"
    expected = allowed - {seen[0]} if len(allowed) > 1 else allowed
    for native_id in helpers:
        assert os.sched_getaffinity(native_id) == expected
    assert os.sched_getaffinity(0) == allowed  # the caller's own cores are untouched
