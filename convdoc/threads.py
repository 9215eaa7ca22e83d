"""How many threads convdoc computes on, and how a computation is shared among them.

Large filters and layers are cut into chunks (bands of output rows, groups of
channels) that the calling thread and up to ``get_num_threads() - 1`` helper
threads claim one at a time: the compiled loops and NumPy's matrix products
release the GIL, so the chunks run side by side. Claiming instead of dealing
out fixed shares is what makes a second thread safe on a busy machine: a
helper that gets no core claims nothing, and the calling thread computes every
chunk itself, at the cost of one queued task. Small calls never start a helper
(the planner asks :func:`share` first).

While convdoc computes on more than one thread, the BLAS NumPy calls
(OpenBLAS, MKL, ...) runs each of convdoc's matrix products on one thread
(:func:`blas_for_convdoc`): a chunk's product is computed where the chunk was
claimed, rather than split again among BLAS's own threads, which would share
the same cores and wait for each other; and BLAS's threads, which spin for a
while after each call they share, never hold a core that the next call (of
convdoc or of another library in the process) needs.

On Linux, a helper thread confines itself, at the start of each shared
computation, to the cores the calling thread may use other than the one it is
running on (:func:`_cores_beside_caller`): otherwise the system often woke it
on the caller's own core, where the two took turns while the other core idled.
Only convdoc's own helper threads change their affinity; the calling thread's
is never touched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from convdoc import _validate

if TYPE_CHECKING:  # the pool is imported with the first shared call, not with convdoc
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["get_num_threads", "set_num_threads"]

#: Seconds of work below which a call stays on the calling thread: handing a
#: chunk to a sleeping helper thread costs tens of microseconds.
MIN_PARALLEL_SEC = 3e-4
#: Chunks per thread: small enough that a helper descheduled in the middle of
#: one delays the call by little, large enough that claiming costs nothing.
CHUNKS_PER_THREAD = 4
#: Most threads :func:`set_num_threads` accepts.
MAX_THREADS = 1 << 16

_count: int | None = None
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
# BLAS libraries' thread-count functions (get, set), found on the first switch to one thread.
_blas: list[tuple[Callable[[], int], Callable[[int], Any]]] | None = None
# Shared computations running now, and the BLAS thread counts to restore after the last.
_blas_users = 0
_blas_saved: list[tuple[Callable[[int], Any], int]] = []
_blas_lock = threading.Lock()


def _default() -> int:
    """``CONVDOC_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the cores this process may use."""
    for variable in ("CONVDOC_NUM_THREADS", "OMP_NUM_THREADS"):
        text = _environ(variable).strip()
        if text:
            try:
                value = int(text)
            except ValueError:
                raise ValueError(
                    f"environment variable {variable} must be a positive integer, got {text!r}"
                ) from None
            return _validate.positive_int(
                value, f"environment variable {variable}", maximum=MAX_THREADS
            )
    return _cores()


def _environ(variable: str) -> str:
    """``os.environ.get(variable, "")`` without its cost for an unset variable.

    ``os.environ`` answers a missing name by raising and catching a KeyError
    inside: 1.6 us, twice for every call that asks how many threads to use.
    On POSIX its dictionary of encoded names and values (kept in step by
    every assignment to ``os.environ``) answers in a tenth of that.
    """
    data = getattr(os.environ, "_data", None)
    if os.name == "posix" and isinstance(data, dict):
        value = data.get(_ENCODED.get(variable) or os.fsencode(variable))
        return "" if value is None else os.fsdecode(value)
    return os.environ.get(variable, "")


_ENCODED = {name: os.fsencode(name) for name in ("CONVDOC_NUM_THREADS", "OMP_NUM_THREADS")}


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_num_threads() -> int:
    """The number of threads convdoc computes on.

    Returns
    -------
    int
        What :func:`set_num_threads` set; by default the environment variable
        ``CONVDOC_NUM_THREADS``, else ``OMP_NUM_THREADS`` (the variable that
        also limits NumPy's BLAS, OpenCV and PyTorch), else the number of
        cores this process may run on.

    Raises
    ------
    ValueError
        If the environment variable it reads is not a positive integer.

    See Also
    --------
    set_num_threads
    """
    return _count if _count is not None else _default()


def set_num_threads(n: int) -> int:
    """Set the number of threads convdoc computes on (``1``: the calling thread only).

    Only large computations use more than one (an estimated time above a
    fraction of a millisecond).

    With more than one, convdoc's own matrix products run on one BLAS thread
    each: its threads share the large ones instead, and BLAS's threads, which
    wait for each other, slowed mid-sized products many times over on a busy
    machine. Two kinds are left to BLAS: the smallest, which BLAS keeps on one
    thread by itself, and the single matrix-vector product of a strided 1-D
    layer whose windows do not overlap, which is bound by memory and which
    BLAS's own threads share better. The BLAS count is restored after each
    call. With one convdoc thread, BLAS keeps its own count, which
    ``threadpoolctl`` or ``OPENBLAS_NUM_THREADS`` set.

    On Linux, convdoc's helper threads keep off the core of the thread that
    called convdoc (they set their own CPU affinity to the caller's other
    cores at the start of each shared computation); the caller's affinity is
    never changed.

    The chunks are the same on any number of threads, so the result is the
    same, bit for bit, on any number of convdoc's threads while BLAS runs on
    one (``threadpoolctl``, ``OPENBLAS_NUM_THREADS=1``). With BLAS on more,
    the one-thread result can differ in the last bits: OpenBLAS splitting a
    float32 product among its threads rounds some outputs differently
    (measured: up to 8e-5 on a 256->256 3x3 layer at 14x14 between one and
    two convdoc threads, BLAS on two).

    Parameters
    ----------
    n : int
        At least 1 (at most 65536).

    Returns
    -------
    int
        The number before the call, to restore it later (the cores, when it
        came from a malformed environment variable).

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is less than 1 or more than 65536.

    See Also
    --------
    get_num_threads

    Examples
    --------
    >>> import convdoc
    >>> before = convdoc.set_num_threads(1)
    >>> convdoc.get_num_threads()
    1
    >>> convdoc.set_num_threads(before)
    1
    """
    global _count
    checked = _validate.positive_int(n, "n", maximum=MAX_THREADS)
    try:
        before = get_num_threads()
    except ValueError:  # setting a count is how to get past a bad environment variable
        before = _cores()
    _count = checked
    return before


def share(seconds: float, most: int) -> int:
    """Chunks for a computation of about ``seconds`` (at most ``most``); 1 keeps it whole."""
    threads = get_num_threads()
    if threads <= 1 or seconds < MIN_PARALLEL_SEC or most <= 1:
        return 1
    return int(min(most, threads * CHUNKS_PER_THREAD))


def ranges(total: int, chunks: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` of each of ``chunks`` near-equal consecutive pieces of ``range(total)``."""
    edges = [total * i // chunks for i in range(chunks + 1)]
    return list(itertools.pairwise(edges))


def each(work: Callable[[int], object], chunks: int, seconds: float) -> None:
    """Call ``work(i)`` for every ``i`` in ``range(chunks)``: shared among the threads
    (:func:`run`) when :func:`share` says a computation of ``seconds`` is worth it,
    else in order on the calling thread.
    """
    if chunks > 1 and share(seconds, chunks) > 1:
        run(work, chunks)
    else:
        for i in range(chunks):
            work(i)


def run(work: Callable[[int], object], chunks: int) -> None:
    """Call ``work(i)`` once for every ``i`` in ``range(chunks)``, shared among the threads.

    The calling thread claims chunks too, and waits only for the chunks a
    helper has started; a helper's exception is raised here.
    """
    helpers = min(get_num_threads(), chunks) - 1
    if helpers <= 0:
        for i in range(chunks):
            work(i)
        return
    claim = itertools.count()  # next() on it is atomic under the GIL
    failed = threading.Event()
    cores = _cores_beside_caller()

    def worker() -> None:
        for i in claim:
            if i >= chunks or failed.is_set():
                return
            try:
                work(i)
            except BaseException:
                failed.set()
                raise

    def helper() -> None:
        _run_on(cores)
        worker()

    with one_blas_thread():
        futures = [_executor(helpers).submit(helper) for _ in range(helpers)]
        try:
            worker()
        finally:
            # A helper that never started has nothing left to do: drop it rather
            # than wait for a core to wake it. A started one may hold a chunk.
            pending: list[Any] = [f for f in futures if not f.cancel()]
            for future in pending:
                future.exception()
    for future in pending:
        future.result()


#: Multiply-adds below which a computation leaves BLAS's count alone. OpenBLAS
#: runs a matrix-vector product of fewer than 9,216 values, and a matrix product
#: of fewer than 262,144 multiply-adds, on one thread by itself. Above those it
#: shares even a product of a tenth of a millisecond among its threads, which
#: wait for each other: whenever another process held the second core, such
#: products took 6-50x their one-thread time (a 15x15 kernel's spectrum for a
#: 256x256 image: 0.15 ms on one thread; on two, 0.96 ms beside a pip install and
#: 7.8 ms beside two test runs). Setting the count costs about 2 us.
MIN_BLAS_MACS = 1 << 13


def blas_for_convdoc(macs: int) -> contextlib.AbstractContextManager[None]:
    """BLAS on one thread within the block when convdoc computes on more than one.

    ``macs`` is the computation's number of multiply-adds: below
    :data:`MIN_BLAS_MACS`, and with :func:`get_num_threads` at 1, BLAS keeps its
    own count (the user's ``threadpoolctl`` or ``OPENBLAS_NUM_THREADS``).
    """
    if macs >= MIN_BLAS_MACS and get_num_threads() > 1:
        return _ONE_BLAS_THREAD
    return contextlib.nullcontext()


class _OneBlasThread:
    """The context manager of :func:`one_blas_thread` (a class: entered on every product
    call, where a generator-based one costs as much as the switch itself)."""

    __slots__ = ()

    def __enter__(self) -> None:
        global _blas_users, _blas_saved
        with _blas_lock:
            if _blas_users == 0:
                saved = []
                for get, set_ in _blas_controls():
                    count = get()
                    if count != 1:
                        set_(1)
                        saved.append((set_, count))
                _blas_saved = saved
            _blas_users += 1

    def __exit__(self, *exc: object) -> None:
        global _blas_users, _blas_saved
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                for set_, count in _blas_saved:
                    set_(count)
                _blas_saved = []


_ONE_BLAS_THREAD = _OneBlasThread()


def one_blas_thread() -> contextlib.AbstractContextManager[None]:
    """Within the block, every BLAS library loaded runs each call on one thread.

    The counts before the first of any overlapping blocks are restored when
    the last ends. BLAS's threads share out rows and columns, never the sums,
    but OpenBLAS computes the edges of each share with other kernels, so a
    float32 product can round differently on another number of BLAS threads
    (float64 products agreed in most shapes measured). Inside the block every
    product is computed as on one thread, whoever computes it.
    """
    return _ONE_BLAS_THREAD


def _blas_controls() -> list[tuple[Callable[[], int], Callable[[int], Any]]]:
    """``(get, set)`` of each BLAS library's thread count in the process (looked up once).

    OpenBLAS's own C functions where threadpoolctl finds them (a fifth of the
    cost of its Python methods, which look them up on every call), else the
    controller's methods.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        controls = []
        for lib in ThreadpoolController().select(user_api="blas").lib_controllers:
            get, set_ = lib.get_num_threads, lib.set_num_threads
            if lib.internal_api == "openblas" and lib.threading_layer != "openmp":
                symbol = getattr(lib, "_get_symbol", lambda name: None)
                raw_get = symbol("openblas_get_num_threads")
                raw_set = symbol("openblas_set_num_threads")
                if raw_get is not None and raw_set is not None:
                    get, set_ = raw_get, raw_set
            controls.append((get, set_))
        _blas = controls
    return _blas


# libc's sched_getcpu (found with the first shared call; False where there is none).
_getcpu: Callable[[], int] | bool | None = None
# The cores a helper thread was last confined to (per thread).
_placed = threading.local()


def _cores_beside_caller() -> frozenset[int] | None:
    """The cores the calling thread may use, less the one it runs on now.

    A helper woken for a shared computation is placed by the operating system.
    On this project's 2-core development host (a Linux virtual machine) it was
    often put on the core of the thread that woke it after both cores had been
    busy (after PyTorch's calls, for one): the two threads then took turns on
    one core while the other stayed idle, for whole calls (logged chunk by
    chunk on the ResNet stem at 2 threads). The stem's calls 2-8 after a 30 ms pause,
    PyTorch's calls before it: 2.65-3.96 ms each without, 2.40-2.94 ms with the
    helper kept off the caller's core (two runs each). Confining the helper to the
    other cores is what the OpenMP runtimes' spinning threads get by never
    sleeping. ``None`` where the system cannot say (not Linux) or when the
    caller has a single core.
    """
    global _getcpu
    if _getcpu is None:
        _getcpu = _find_getcpu()
    if _getcpu is False:  # no sched_getcpu, or no affinity calls at all (not Linux)
        return None
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        return None
    return frozenset(allowed - {_getcpu()})  # type: ignore[operator]


def _find_getcpu() -> Callable[[], int] | bool:
    """libc's ``sched_getcpu`` through ctypes, or False (not Linux, or no such function)."""
    if not hasattr(os, "sched_setaffinity"):
        return False
    try:
        import ctypes

        function = ctypes.CDLL(None).sched_getcpu
    except (OSError, AttributeError):
        return False
    function.restype, function.argtypes = ctypes.c_int, []
    return function


def _run_on(cores: frozenset[int] | None) -> None:
    """Confine the calling (helper) thread to ``cores``; a system call only when they change."""
    if cores is not None and getattr(_placed, "cores", None) != cores:
        try:
            os.sched_setaffinity(0, cores)
        except OSError:  # a core went offline, or a container forbids it: stay where we are
            return
        _placed.cores = cores


def _executor(helpers: int) -> ThreadPoolExecutor:
    """The shared helper threads, at least ``helpers`` of them."""
    global _pool, _pool_size
    from concurrent.futures import ThreadPoolExecutor

    with _pool_lock:
        if _pool is None or _pool_size < helpers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="convdoc")
            _pool_size = helpers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def _forget_pool() -> None:
    """In a forked child the helper threads do not exist: start new ones when needed."""
    global _pool, _pool_size, _pool_lock, _blas_users, _blas_saved, _blas_lock
    _pool, _pool_size, _pool_lock = None, 0, threading.Lock()
    # Only the forking thread exists in the child: no shared computation is running.
    _blas_users, _blas_saved, _blas_lock = 0, [], threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
