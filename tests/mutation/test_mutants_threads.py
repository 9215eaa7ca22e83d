"""Tests that kill mutants of convdoc/threads.py (tests/MUTANTS.md).

Oracles: the documented contract (the environment variables, the bounds, a call
on one thread never starting a helper, claiming stopped after a failure),
counts worked by hand, and the cores from ``os.sched_getaffinity``.
"""

from __future__ import annotations

import os
import threading
import time
import types

import pytest

import convdoc
from convdoc import threads


@pytest.fixture
def fresh(monkeypatch):
    """No count set, no pool started; both restored afterwards."""
    monkeypatch.setattr(threads, "_count", None)
    monkeypatch.setattr(threads, "_pool", None)
    monkeypatch.setattr(threads, "_pool_size", 0)
    monkeypatch.delenv("CONVDOC_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)


def test_blank_variables_are_unset(fresh, monkeypatch) -> None:
    # Only spaces: read as not set, so OMP_NUM_THREADS, then the cores, decide.
    monkeypatch.setenv("CONVDOC_NUM_THREADS", "   ")
    monkeypatch.setenv("OMP_NUM_THREADS", " 3 ")
    assert convdoc.get_num_threads() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "\t")
    assert convdoc.get_num_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("variable", ["CONVDOC_NUM_THREADS", "OMP_NUM_THREADS"])
def test_a_variable_above_the_bound_is_refused_with_its_name(fresh, monkeypatch, variable):
    monkeypatch.setenv(variable, str(threads.MAX_THREADS))
    assert convdoc.get_num_threads() == 65536  # the bound itself is accepted
    monkeypatch.setenv(variable, str(65537))
    with pytest.raises(ValueError, match=f"environment variable {variable} must be a positive "
                                         "integer at most 65536, got 65537"):
        convdoc.get_num_threads()
    monkeypatch.setenv(variable, "2.5")
    with pytest.raises(ValueError, match=f"^environment variable {variable} must be a positive "
                                         "integer, got '2.5'$"):
        convdoc.get_num_threads()


def test_setting_a_count_past_a_bad_variable_returns_the_cores(fresh, monkeypatch) -> None:
    monkeypatch.setenv("CONVDOC_NUM_THREADS", "lots")
    assert convdoc.set_num_threads(2) == len(os.sched_getaffinity(0))
    assert convdoc.get_num_threads() == 2


def test_share_at_the_documented_edges(fresh) -> None:
    convdoc.set_num_threads(2)
    # "below which a call stays on the calling thread": at the threshold it is shared.
    assert threads.share(threads.MIN_PARALLEL_SEC, 100) == 8
    assert threads.share(1.0, 2) == 2  # never more chunks than asked for
    assert threads.share(1.0, 0) == 1
    convdoc.set_num_threads(3)
    assert threads.share(1.0, 100) == 12  # 4 chunks per thread, by hand
    assert threads.share(1.0, 11) == 11


@pytest.mark.parametrize("chunks", [0, 1, 5])
def test_one_thread_never_starts_a_helper(fresh, chunks) -> None:
    convdoc.set_num_threads(1)
    seen: list[int] = []
    threads.run(seen.append, chunks)
    assert seen == list(range(chunks))  # in order, on the calling thread
    assert threads._pool is None


def test_one_chunk_never_starts_a_helper_on_many_threads(fresh) -> None:
    convdoc.set_num_threads(4)
    seen: list[str] = []
    threads.run(lambda i: seen.append(threading.current_thread().name), 1)
    assert seen == [threading.current_thread().name]
    assert threads._pool is None


def test_the_pool_has_as_many_helpers_as_asked(fresh) -> None:
    convdoc.set_num_threads(3)
    threads.run(lambda i: time.sleep(0.001), 2)  # 2 chunks: 1 helper
    assert threads._pool_size == 1
    threads.run(lambda i: time.sleep(0.001), 10)  # 3 threads: 2 helpers
    assert threads._pool_size == 2
    pool = threads._pool
    threads.run(lambda i: time.sleep(0.001), 10)
    assert threads._pool is pool  # large enough: kept


def test_claiming_stops_once_a_chunk_failed(fresh) -> None:
    # Chunk 0 fails; every other chunk waits until it has, then a little more for
    # the failure to be flagged. Each thread then finishes the chunk it holds and
    # claims no more: at most one chunk per thread runs, not the other 49.
    convdoc.set_num_threads(2)
    raised = threading.Event()
    ran: list[int] = []

    def work(i: int) -> None:
        if i == 0:
            raised.set()
            raise KeyError("chunk 0")
        raised.wait(5)
        time.sleep(0.02)
        ran.append(i)

    with pytest.raises(KeyError, match="chunk 0"):
        threads.run(work, 50)
    assert len(ran) <= 2


def test_a_helpers_failure_reaches_the_caller_after_it_finished(fresh) -> None:
    # The helper fails while the calling thread still works on its chunk: the
    # caller finishes that chunk, then raises the helper's error.
    convdoc.set_num_threads(2)
    caller = threading.current_thread().name
    failed = threading.Event()

    def work(i: int) -> None:
        if threading.current_thread().name != caller:
            failed.set()
            raise OSError(f"helper chunk {i}")
        failed.wait(5)
        time.sleep(0.01)

    with pytest.raises(OSError, match="helper chunk"):
        threads.run(work, 4)


def test_the_cores_off_linux_are_cpu_count_or_one(fresh, monkeypatch) -> None:
    # Without sched_getaffinity (macOS, Windows): os.cpu_count(), which may be None.
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert convdoc.get_num_threads() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert convdoc.get_num_threads() == 1


def test_a_grown_pool_shuts_the_smaller_one_down(fresh) -> None:
    convdoc.set_num_threads(3)
    threads.run(lambda i: time.sleep(0.001), 2)  # one helper
    small = threads._pool
    threads.run(lambda i: time.sleep(0.001), 10)  # two: a new pool
    assert threads._pool is not small
    with pytest.raises(RuntimeError, match="shutdown"):
        small.submit(print)  # its threads are let go


def _names_in_child(queue) -> None:
    names: set[str] = set()

    def work(i: int) -> None:
        names.add(threading.current_thread().name)
        time.sleep(0.02)

    threads.run(work, 8)
    queue.put(sorted(names))


def test_a_forked_child_starts_its_own_helpers(restore_count) -> None:
    # The parent's helper threads do not exist in the child; a new pool's do, and take chunks.
    import multiprocessing

    convdoc.set_num_threads(2)
    threads.run(lambda i: time.sleep(0.005), 4)  # the parent's pool, its helper now idle
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_names_in_child, args=(queue,))
    child.start()
    names = queue.get(timeout=60)
    child.join(60)
    assert child.exitcode == 0
    assert any(name.startswith("convdoc") for name in names), names


@pytest.fixture
def restore_count():
    before = threads._count
    yield
    threads._count = before


def test_each_shares_two_chunks(fresh, monkeypatch) -> None:
    # Two chunks worth sharing on two threads: share(1.0, 2) = min(2, 2 * 4) = 2 > 1,
    # so they go to run (the documented rule; the fewest chunks that are shared).
    shared: list[int] = []
    real = threads.run
    monkeypatch.setattr(threads, "run", lambda work, chunks: (shared.append(chunks),
                                                             real(work, chunks)))
    convdoc.set_num_threads(2)
    done: list[int] = []
    threads.each(done.append, 2, 1.0)
    assert shared == [2] and sorted(done) == [0, 1]


def _blas_in_child(queue) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    def counts() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        inside: list[list[int]] = []
        threads.run(lambda i: inside.append(counts()), 4)
        queue.put((inside, counts()))


def test_a_child_forked_inside_a_shared_call_restores_blas_on_its_own(restore_count) -> None:
    # The fork happens while the parent is inside one_blas_thread (one user, the BLAS lock
    # just released): the child has no shared computation running, so its own shared
    # call must set BLAS to one thread and give its count back afterwards.
    import multiprocessing

    convdoc.set_num_threads(2)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with threads.one_blas_thread():
        child = context.Process(target=_blas_in_child, args=(queue,))
        child.start()
    inside, after = queue.get(timeout=60)
    child.join(60)
    assert child.exitcode == 0
    assert len(inside) == 4 and all(c and set(c) == {1} for c in inside), inside
    assert after and set(after) == {2}


def test_a_child_forked_while_the_blas_lock_is_held_can_share(restore_count) -> None:
    # A lock held by another thread at the fork stays held in the child forever: the
    # child must get a fresh one (its shared calls would wait for it otherwise).
    import multiprocessing

    convdoc.set_num_threads(2)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with threads._blas_lock:
        child = context.Process(target=_blas_in_child, args=(queue,))
        child.start()
    inside, after = queue.get(timeout=60)
    child.join(60)
    assert child.exitcode == 0 and len(inside) == 4 and after


def test_blas_gets_back_the_count_it_had_not_its_largest(restore_count) -> None:
    # OpenBLAS told 0 or None threads takes the most threads it has started (3 here,
    # from the outer limit), so only a count below that tells "restored" from "reset":
    # 2 must come back.
    import numpy  # noqa: F401  (loads the BLAS threadpoolctl controls)
    from threadpoolctl import threadpool_info, threadpool_limits

    def counts() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    convdoc.set_num_threads(2)
    with threadpool_limits(limits=3, user_api="blas"), \
            threadpool_limits(limits=2, user_api="blas"):
        assert counts() == {2}
        inside: list[set[int]] = []
        threads.run(lambda i: inside.append(counts()), 4)
        assert inside == [{1}] * 4
        assert counts() == {2}
        with threads.blas_for_convdoc(threads.MIN_BLAS_MACS):
            assert counts() == {1}
        assert counts() == {2}


# _environ: os.environ.get(variable, "") read from os.environ's own dictionary on POSIX.
# The oracle is the mapping the test builds; a fake ``os`` module (name, environ) stands
# in for another platform's or another program's os.environ.


class _SpiedEnviron(os._Environ):
    """An os._Environ that records every read through the Mapping interface (the
    KeyError route that _environ avoids on POSIX)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.reads: list[str] = []

    def __getitem__(self, key):
        self.reads.append(key)
        return super().__getitem__(key)


def _fake_os(monkeypatch, name: str, environ) -> None:
    fake = type("FakeOs", (), {})()
    fake.name = name
    fake.environ = environ
    fake.fsencode, fake.fsdecode = os.fsencode, os.fsdecode
    monkeypatch.setattr(threads, "os", fake)


def test_environ_on_posix_reads_the_encoded_dictionary_not_the_mapping(monkeypatch) -> None:
    # Built as os.py builds os.environ on POSIX: bytes keys and values in _data.
    # (The data is given, not assigned: os._Environ's assignment calls putenv.)
    data = {b"CONVDOC_NUM_THREADS": b"3", b"CONVDOC_SOME_OTHER": "\u00e97".encode()}
    environ = _SpiedEnviron(data, os.fsencode, os.fsdecode, os.fsencode, os.fsdecode)
    _fake_os(monkeypatch, "posix", environ)
    assert threads._environ("CONVDOC_NUM_THREADS") == "3"
    assert threads._environ("OMP_NUM_THREADS") == ""
    assert threads._environ("CONVDOC_SOME_OTHER") == "\u00e97"
    assert threads._environ("CONVDOC_NOT_SET") == ""
    assert environ.reads == []  # never the Mapping's KeyError route


def test_environ_off_posix_asks_the_mapping(monkeypatch) -> None:
    # Built as os.py builds os.environ on Windows: upper-case str keys in _data, which a
    # lookup by encoded bytes would never find.
    environ = _SpiedEnviron({"CONVDOC_NUM_THREADS": "3"}, str.upper, str, str, str)
    _fake_os(monkeypatch, "nt", environ)
    assert threads._environ("CONVDOC_NUM_THREADS") == "3"
    assert threads._environ("OMP_NUM_THREADS") == ""
    assert threads._environ("convdoc_num_threads") == "3"  # Windows' names ignore case
    assert environ.reads == ["CONVDOC_NUM_THREADS", "OMP_NUM_THREADS", "convdoc_num_threads"]


@pytest.mark.parametrize("name", ["posix", "nt"])
def test_environ_replaced_by_a_plain_dict(monkeypatch, name) -> None:
    # A program (or a test) that set os.environ to a dict: no _data to read.
    _fake_os(monkeypatch, name, {"OMP_NUM_THREADS": "2"})
    assert threads._environ("OMP_NUM_THREADS") == "2"
    assert threads._environ("CONVDOC_NUM_THREADS") == ""


def test_openblas_is_switched_by_its_own_c_functions(monkeypatch) -> None:
    # The documented route: OpenBLAS (not its OpenMP build) by the C functions
    # threadpoolctl finds, any other BLAS by the controller's methods. Spy: a bound
    # method of the controller or not; each pair must still read and set the count
    # threadpoolctl reports.
    from threadpoolctl import ThreadpoolController

    monkeypatch.setattr(threads, "_blas", None)  # looked up again in this process
    controls = threads._blas_controls()
    assert threads._blas_controls() is controls  # looked up once
    libs = ThreadpoolController().select(user_api="blas").lib_controllers
    assert len(controls) == len(libs)
    for lib, (get, set_) in zip(libs, controls, strict=True):
        own = lib.internal_api == "openblas" and lib.threading_layer != "openmp"
        assert isinstance(get, types.MethodType) is not own, lib.internal_api
        assert isinstance(set_, types.MethodType) is not own, lib.internal_api
        before = lib.get_num_threads()
        assert get() == before
        try:
            set_(1)
            assert lib.get_num_threads() == 1
        finally:
            set_(before)
        assert lib.get_num_threads() == before


class _FakeLib:
    """A threadpoolctl library controller: its methods, and C symbols it may find."""

    def __init__(self, internal_api: str, threading_layer: str, symbols: dict | None) -> None:
        self.internal_api, self.threading_layer = internal_api, threading_layer
        if symbols is not None:  # threadpoolctl without _get_symbol: no attribute at all
            self._get_symbol = symbols.get

    def get_num_threads(self) -> int:
        return 5

    def set_num_threads(self, n: int) -> None:
        pass


@pytest.mark.parametrize(
    ("lib", "own"),
    [
        # OpenBLAS built with OpenMP: its methods (threadpoolctl sets OpenMP's count).
        (_FakeLib("openblas", "openmp",
                  {"openblas_get_num_threads": len, "openblas_set_num_threads": abs}), False),
        # A threadpoolctl whose controllers have no _get_symbol: the methods.
        (_FakeLib("openblas", "pthreads", None), False),
        # Only one of the two symbols found: the methods for both.
        (_FakeLib("openblas", "pthreads", {"openblas_get_num_threads": len}), False),
        (_FakeLib("openblas", "pthreads", {"openblas_set_num_threads": len}), False),
        # Both found: the C functions.
        (_FakeLib("openblas", "pthreads",
                  {"openblas_get_num_threads": len, "openblas_set_num_threads": abs}), True),
    ],
)
def test_the_blas_controls_fall_back_to_the_methods(monkeypatch, lib, own) -> None:
    import threadpoolctl

    class Controller:
        def select(self, user_api):
            assert user_api == "blas"
            return type("Selection", (), {"lib_controllers": [lib]})()

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", Controller)
    monkeypatch.setattr(threads, "_blas", None)
    ((get, set_),) = threads._blas_controls()
    if own:
        assert (get, set_) == (len, abs)
    else:
        assert (get, set_) == (lib.get_num_threads, lib.set_num_threads)
