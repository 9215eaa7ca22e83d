"""Tests that kill mutants of convdoc/plans/stencil.py (tests/MUTANTS.md).

Oracles: SciPy's correlate2d and NumPy's correlate on ``numpy.pad``-ed inputs in
float64, and the chunks' ranges worked by hand (they must cover every output
column or channel once).
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from scipy import signal

import convdoc
from convdoc import threads
from convdoc.plans import stencil

pytestmark = pytest.mark.skipif(not stencil.available(), reason="numba is not installed")


@pytest.fixture
def spy(monkeypatch):
    """The compiled kernels, with the ranges each call of a shared kernel computed."""
    real = stencil.load()
    ranges: list[tuple[int, int]] = []

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def dense_columns(*args):
            ranges.append((args[-2], args[-1]))
            return real.dense_columns(*args)

        @staticmethod
        def dense_channels(*args):
            ranges.append((args[0].shape[0], args[-1].shape[0]))
            return real.dense_channels(*args)

    monkeypatch.setattr(stencil, "load", lambda: Spy())
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    monkeypatch.setattr(threads, "_count", 2)
    return ranges


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_each_chunk_of_a_1d_signal_computes_its_own_columns(spy, dtype) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal(100_000).astype(dtype)
    h = rng.standard_normal(5).astype(dtype)
    got = stencil.correlate1d(x, h, (2, 2), "reflect", 0, np.dtype(dtype))
    width = 100_000
    # 100,000 // 16,384 = 6 chunks (2 threads would take 8), edges width * i // 6.
    edges = [width * i // 6 for i in range(7)]
    assert sorted(spy) == list(itertools.pairwise(edges))
    expected = np.correlate(np.pad(x.astype(np.float64), 2, mode="reflect"),
                            h.astype(np.float64), "valid")
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("count", [1, 2])
def test_depthwise_layers_with_more_channels_than_rows(monkeypatch, count) -> None:
    # 12 channels of 5 x 6: every channel computed, on one thread or shared.
    stencil.load()
    monkeypatch.setattr(threads, "MIN_PARALLEL_SEC", 0.0)
    monkeypatch.setattr(threads, "_count", count)
    rng = np.random.default_rng(12)
    x = rng.standard_normal((12, 5, 6))
    w = rng.standard_normal((12, 1, 3, 3))
    got = stencil.depthwise2d(x, w, ((1, 1), (1, 1)), "constant", np.dtype(np.float64))
    expected = np.stack([signal.correlate2d(x[c], w[c, 0], "same") for c in range(12)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_each_chunk_of_a_depthwise_layer_computes_its_own_channels(spy) -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((10, 20, 21)).astype(np.float32)
    w = rng.standard_normal((10, 1, 3, 3)).astype(np.float32)
    got = convdoc.conv2d(x, w, padding=1, groups=10)
    # 2 threads * 4 = 8 chunks of 10 channels, edges 10 * i // 8: sizes 1 or 2, 10 in all.
    sizes = [10 * (i + 1) // 8 - 10 * i // 8 for i in range(8)]
    assert sorted(a for a, _ in spy) == sorted(sizes)
    assert all(a == b for a, b in spy)  # each call's input and output hold the same channels
    xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    expected = np.stack([signal.correlate2d(xp[c], w[c, 0].astype(np.float64), "valid")
                         for c in range(10)])
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_worth_loading_says_whether_the_kernels_are_loaded() -> None:
    stencil.unload()
    assert stencil.worth_loading(0.4 * stencil.SEC_LOAD) is False
    assert not stencil.loaded()
    assert stencil.worth_loading(0.7 * stencil.SEC_LOAD) is True  # 1.1 * SEC_LOAD counted
    assert stencil.loaded()


def test_available_looks_numba_up(monkeypatch) -> None:
    monkeypatch.setattr(stencil, "_available", None)  # as in a fresh process
    assert stencil.available() is True  # numba is installed here (the module-level skip)
    assert stencil._available is True


def test_cache_dir_asks_numbas_own_folders_in_order(monkeypatch, tmp_path) -> None:
    # numba's order: __pycache__ next to the module, then $XDG_CACHE_HOME (else ~/.cache).
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    asked: list[str] = []
    package = os.path.join(os.path.dirname(os.path.abspath(stencil.__file__)), "__pycache__")

    def only_xdg(folder: str) -> bool:
        asked.append(folder)
        return folder == str(tmp_path / "xdg")

    monkeypatch.setattr(stencil, "_writable", only_xdg)
    assert stencil.cache_dir() is None
    assert asked == [package, str(tmp_path / "xdg")]
    monkeypatch.setattr(stencil, "_writable", lambda folder: folder == package)
    assert stencil.cache_dir() is None


def test_bands_start_on_even_rows() -> None:
    # 100 rows, 2 threads, 1 s of work: min(100 // 16, 2 * 4) = 6 bands, edges
    # 2 * (100 * i // 12) for i = 0..5, by hand 0 16 32 50 66 82, then 100.
    before = threads._count
    threads._count = 2
    try:
        bands = stencil._bands(100, 1.0)
    finally:
        threads._count = before
    assert bands == [(0, 16), (16, 32), (32, 50), (50, 66), (66, 82), (82, 100)]


def test_finite_two_pass_results_are_kept(monkeypatch) -> None:
    # The dense loop runs only when a pass met a NaN or an infinity.
    real = stencil.load()
    dense_calls: list[int] = []

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def dense(*args):
            dense_calls.append(1)
            return real.dense(*args)

    monkeypatch.setattr(stencil, "load", lambda: Spy())
    image = np.random.default_rng(3).standard_normal((40, 50))
    col, row = np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.0, -1.0])
    h = np.outer(col, row)
    got = stencil.correlate2d(image, h, ((1, 1), (1, 1)), "constant", 0.0,
                              np.dtype(np.float64), (col, row))
    assert dense_calls == []
    np.testing.assert_allclose(got, signal.correlate2d(image, h, "same"), atol=1e-12)
    image[5, 5] = np.inf
    stencil.correlate2d(image, h, ((1, 1), (1, 1)), "constant", 0.0, np.dtype(np.float64),
                        (col, row))
    assert dense_calls  # redone densely: 0 * inf is NaN only there


def test_cache_dir_without_xdg_asks_home_then_names_a_folder_per_user(monkeypatch) -> None:
    import tempfile

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    asked: list[str] = []
    monkeypatch.setattr(stencil, "_writable", lambda folder: asked.append(folder) or False)
    got = stencil.cache_dir()
    assert asked[1] == os.path.join(os.path.expanduser("~"), ".cache")
    assert got == os.path.join(tempfile.gettempdir(), f"convdoc-numba-{os.getuid()}")


def test_an_executable_file_is_not_a_writable_folder(tmp_path) -> None:
    blocker = tmp_path / "tool"
    blocker.write_text("")
    blocker.chmod(0o700)
    assert not stencil._writable(str(blocker))


# ------------------------------------------------ the 1-D and few-channel stencils' dtypes and cost


@pytest.mark.parametrize(("signal_dtype", "tap_dtype"), [(np.float16, np.float32),
                                                         (np.float32, np.float16)])
def test_a_float16_operand_is_cast_to_the_1d_stencils_float32(monkeypatch, signal_dtype,
                                                               tap_dtype) -> None:
    # float16 next to float32 gives float32 (numpy.result_type), a dtype the stencil
    # computes in; the compiled loop only takes both operands in that dtype.
    stencil.load()
    calls: list[int] = []
    real = stencil.correlate1d
    monkeypatch.setattr(stencil, "correlate1d", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(16)
    x = rng.standard_normal(100_000).astype(signal_dtype)
    h = rng.standard_normal(5).astype(tap_dtype)
    got = convdoc.correlate(x, h, "same", boundary="reflect")
    assert calls == [1]
    assert got.dtype == np.float32
    expected = np.correlate(np.pad(x.astype(np.float64), 2, mode="reflect"),
                            h.astype(np.float64), "valid")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_the_3x3_channel_price_is_its_documented_formula() -> None:
    # 3x3 taps: SEC_CALL + C_out * CHANNEL3X3_SEC_CALL + passes * per-pass seconds, with
    # passes = C_out * C_in * outputs. Worked by hand for C_out 2,
    # C_in 3 of 10x12 outputs: 720 passes; float32 2e-5 + 2 * 2e-6 + 720 * 3.8e-10 =
    # 2.42736e-5, float64 2e-5 + 4e-6 + 720 * 7.7e-10 = 2.45544e-5. Other kernels keep
    # the general formula (a 3x4 kernel's price is not the 3x3 one's).
    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    assert stencil.channels_cost((10, 12), (2, 3, 3, 3), f32) == pytest.approx(2.42736e-5)
    assert stencil.channels_cost((10, 12), (2, 3, 3, 3), f64) == pytest.approx(2.45544e-5)
    general = 2e-5 + 2 * 5e-6 + 720 * (1e-10 + 12 * 4e-11)
    assert stencil.channels_cost((10, 12), (2, 3, 3, 4), f32) == pytest.approx(general)


@pytest.mark.usefixtures("without_register_tiles")
@pytest.mark.parametrize(("image_dtype", "kernel_dtype"), [(np.float16, np.float32),
                                                           (np.float32, np.float16)])
def test_a_float16_operand_is_cast_to_the_channel_stencils_float32(monkeypatch, image_dtype,
                                                                    kernel_dtype) -> None:
    stencil.load()
    calls: list[int] = []
    real = stencil.correlate_channels
    monkeypatch.setattr(stencil, "correlate_channels", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(17)
    x = rng.standard_normal((3, 256, 250)).astype(image_dtype)
    w = rng.standard_normal((8, 3, 3, 3)).astype(kernel_dtype)
    got = convdoc.conv2d(x, w, padding=1)
    assert calls == [1]
    assert got.dtype == np.float32 and got.shape == (8, 256, 250)
    xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    expected = np.stack([sum(signal.correlate2d(xp[c], w[o, c].astype(np.float64), "valid")
                             for c in range(3)) for o in range(8)])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_channels_cost_grows_with_every_count_it_names() -> None:
    # "A call per output channel, then per output and pair of channels a pass of
    # kh * kw multiply-adds": one more of anything (an output channel, an input
    # channel, a kernel row or column, an output row) is priced higher, and a
    # float64 layer above the same float32 one. A small layer, where the calls dominate.
    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    base = stencil.channels_cost((10, 12), (2, 3, 3, 3), f32)
    assert base > 0
    for out_shape, w_shape in [((11, 12), (2, 3, 3, 3)), ((10, 13), (2, 3, 3, 3)),
                               ((10, 12), (3, 3, 3, 3)), ((10, 12), (2, 4, 3, 3)),
                               ((10, 12), (2, 3, 4, 3)), ((10, 12), (2, 3, 3, 4))]:
        assert stencil.channels_cost(out_shape, w_shape, f32) > base, (out_shape, w_shape)
    assert stencil.channels_cost((10, 12), (2, 3, 3, 3), f64) > base


@pytest.mark.parametrize(("image_dtype", "kernel_dtype"), [(np.float16, np.float32),
                                                           (np.float32, np.float16)])
def test_a_float16_operand_is_cast_to_the_2d_and_depthwise_stencils_float32(
        monkeypatch, image_dtype, kernel_dtype) -> None:
    stencil.load()
    calls: list[str] = []
    for name in ("correlate2d", "depthwise2d"):
        real = getattr(stencil, name)
        monkeypatch.setattr(stencil, name,
                            lambda *a, _n=name, _f=real, **k: calls.append(_n) or _f(*a, **k))
    rng = np.random.default_rng(18)
    x = rng.standard_normal((4, 200, 190)).astype(image_dtype)
    w = rng.standard_normal((4, 1, 3, 3)).astype(kernel_dtype)
    got = convdoc.correlate(x[0], w[0, 0], "same", boundary="symmetric")
    layer = convdoc.conv2d(x, w, padding=1, groups=4)
    assert calls == ["correlate2d", "depthwise2d"]
    assert got.dtype == layer.dtype == np.float32
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    expected = signal.correlate2d(np.pad(x64[0], 1, mode="symmetric"), w64[0, 0], "valid")
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    xp = np.pad(x64, ((0, 0), (1, 1), (1, 1)))
    expected = np.stack([signal.correlate2d(xp[c], w64[c, 0], "valid") for c in range(4)])
    np.testing.assert_allclose(layer, expected, rtol=1e-4, atol=1e-4)
