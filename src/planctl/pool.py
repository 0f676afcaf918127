"""Run per-file work on every core, results in the serial order.

Checking and rendering plans are independent per file, so a directory of
plans is spread over a process pool when there are enough files to pay for
the workers. Results come back in input order (``Executor.map``), so the output
is byte-identical to a serial run.

Workers are forked where the platform allows (they inherit the loaded rules
and compiled schema, no start-up per worker); they ignore Ctrl-C and die on
SIGTERM without a word: the parent reports the interrupt once and cleans up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: fewer files than this are checked in the calling process: a worker costs more
MIN_FILES = 16


def cpu_count() -> int:
    """The cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def auto_jobs(n_items: int, jobs: int | None, minimum: int = MIN_FILES) -> int:
    """How many processes to use: ``jobs`` when given (0 = every core), else by the work.

    ``minimum`` is the item count from which the pool pays when ``jobs`` is None.
    """
    if jobs is not None and jobs > 0:
        return min(jobs, max(1, n_items))
    cores = cpu_count()
    if jobs is None and n_items < minimum:
        return 1
    return max(1, min(cores, n_items))


def _init_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent says "interrupted" once
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], jobs: int, chunksize: int | None = None
) -> Iterator[R]:
    """``map(fn, items)`` over ``jobs`` processes, lazily, in input order.

    ``fn`` and the items must be picklable (module-level functions, plain data).
    With ``jobs <= 1`` it is the built-in ``map``.
    """
    work = list(items)
    if jobs <= 1 or len(work) <= 1:
        yield from map(fn, work)
        return
    from concurrent.futures import ProcessPoolExecutor

    if chunksize is None:
        # small chunks keep the order-preserving stream flowing; several per worker
        # balance files of different sizes
        chunksize = max(1, min(16, len(work) // (jobs * 8)))
    executor = ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=_init_worker
    )
    finished = False
    try:
        yield from executor.map(fn, work, chunksize=chunksize)
        finished = True
    finally:
        # an interrupt, an error or a caller that stopped reading: drop the queued work,
        # and wait for the chunks in progress (a worker left running would write to a
        # closed pipe at exit)
        executor.shutdown(wait=True, cancel_futures=not finished)


class Forked:
    """One call computed in a forked child while this process goes on (the other core).

    A single plan's render checks the plan and draws the document; the two are
    independent until the check decides whether the document may be written, so
    on a machine with two cores the check runs beside the drawing. The child
    inherits everything loaded (no start-up), writes its pickled result to a pipe
    and leaves with ``os._exit`` (no cleanup of the parent's). Nothing here is
    required: :meth:`start` returns None where fork is missing or one core is all
    there is, and :meth:`result` returns None when the child failed, for any
    reason; the caller then computes the result itself.
    """

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd
        self._reaped = False  # a reaped child's pid may be another process's by now

    @classmethod
    def start(cls, fn: Callable[..., Any], *args: Any) -> Forked | None:
        import sys
        import threading

        # a fork copies one thread: with others running (a library host) a lock held by
        # one of them could hang the child, so only a single-threaded process forks
        if not hasattr(os, "fork") or cpu_count() < 2 or threading.active_count() > 1:
            return None
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):  # None, closed, a broken pipe
                pass
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # the child: compute, send, leave without running the parent's exits
            code = 1
            try:
                import pickle

                os.close(read)
                _init_worker()
                data = memoryview(pickle.dumps(fn(*args), pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(write, data) :]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read)

    def result(self) -> Any | None:
        """The child's result, or None when it failed (the caller computes it instead)."""
        import pickle

        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            self._fd = -1
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): its exit is unknown
            self._reaped = True
            return None
        self._reaped = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            return pickle.loads(b"".join(chunks))
        except Exception:
            return None

    def cancel(self) -> None:
        """Stop the child and reap it (the caller gave up: an error, an interrupt)."""
        import signal

        if self._reaped:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except OSError:
            pass
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1
        try:
            os.waitpid(self._pid, 0)
        except OSError:
            pass
        self._reaped = True
