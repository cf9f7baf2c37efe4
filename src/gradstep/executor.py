"""Where many jobs run: fresh local worker processes, or the workers of an existing Dask cluster.

``open_executor(workers, scheduler)`` gives the same small object either way: ``submit(jobs)`` queues
``Job``s (a module-level function and its keyword arguments) costliest first, and ``finished()`` yields each job's
``(key, result)`` as it ends, including jobs submitted while it runs::

    with open_executor(workers=2) as executor:
        executor.submit(jobs)
        for key, result in executor.finished():
            ...

A job's error is raised in the caller (an ``InputError`` stays an ``InputError``); leaving the block
cancels the jobs not yet started. Dask is imported only for ``scheduler=``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import InputError

SINGLE_THREADED = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
CONNECT_TIMEOUT = 10.0
MAX_WORKERS = 256
PARENT_CHECK = 0.5
ADDRESS = re.compile(r"tcp://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")


@dataclass(frozen=True)
class Job:
    """One unit of work for a worker process: ``function(**kwargs)`` under the name ``key``."""

    key: tuple
    function: object
    kwargs: dict
    cost: float = 1.0

    def run(self):
        return self.function(**self.kwargs)


def _run(job):
    """A job's result, in a worker process."""
    return job.run()


def _run_single_threaded(job):
    """A job's result with one BLAS thread, in a Dask worker (whose environment gradstep does not set)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return job.run()


def check_scheduler(scheduler: str) -> tuple[str, int]:
    """The host and port of a Dask scheduler's address tcp://HOST:PORT; InputError for anything else."""
    match = ADDRESS.fullmatch(scheduler) if isinstance(scheduler, str) else None
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise InputError(f"scheduler={scheduler} is not a Dask scheduler's address; give tcp://HOST:PORT, "
                         "e.g. tcp://127.0.0.1:8786 (what `dask scheduler` prints)")
    return match["host"].strip("[]"), int(match["port"])


class Executor:
    """Jobs in flight: ``submit`` queues them, ``finished`` yields (key, result) as each ends."""

    def __init__(self, start):
        self._start = start
        self._pending = {}
        self._done = queue.SimpleQueue()

    def submit(self, jobs: Iterable) -> None:
        """Queue ``jobs`` (Job objects), the costliest first (ties in the order given)."""
        for job in sorted(jobs, key=lambda job: -job.cost):
            future = self._start(job)
            self._pending[future] = job.key
            future.add_done_callback(self._done.put)

    def finished(self) -> Iterator[tuple]:
        """(key, result) of each job as it ends, until none is pending; a job's error is raised here."""
        while self._pending:
            future = self._done.get()
            yield self._pending.pop(future), future.result()

    def cancel(self) -> list:
        """Forget the jobs still pending; returns their futures, for the backend to cancel."""
        futures, self._pending = list(self._pending), {}
        return futures


@contextlib.contextmanager
def open_executor(workers: int = 1, scheduler: str | None = None,
                  timeout: float = CONNECT_TIMEOUT) -> Iterator[Executor]:
    """An Executor over ``workers`` fresh local processes with single-threaded BLAS or, given ``scheduler``
    (tcp://HOST:PORT), over that Dask cluster's workers (``workers`` is then unused), reached within ``timeout``
    seconds or refused with an InputError."""
    if scheduler is None:
        with _local(workers) as executor:
            yield executor
    else:
        with _dask(scheduler, timeout) as executor:
            yield executor


@contextlib.contextmanager
def _local(workers: int) -> Iterator[Executor]:
    """``workers`` spawned processes that inherit single-threaded BLAS (so results do not depend on the number of
    workers), leave Ctrl-C to the caller and end when the caller does; leaving the block on an error or an
    interrupt stops the jobs still running at once, rather than waiting for them. The caller's environment is
    restored afterwards."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    saved = {name: os.environ.get(name) for name in SINGLE_THREADED}
    os.environ.update(SINGLE_THREADED)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=_worker_start, initargs=(os.getpid(),))

        def start(job):
            with _interrupts_ignored():  # a process started meanwhile ignores Ctrl-C from its first instruction
                return pool.submit(_run, job)
        executor = Executor(start)
        try:
            yield executor
        except BaseException:
            executor.cancel()  # the pool fails what is pending once its workers are gone
            for process in list((pool._processes or {}).values()):  # Python 3.14 names this terminate_workers()
                process.terminate()
            pool.shutdown(wait=True)
            raise
        for future in executor.cancel():
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored inside the block, in the main thread (the only one that may set a signal's handler); an
    ignored signal stays ignored in a process started meanwhile."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # None: a handler set outside Python, which could not be put back
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_start(parent: int) -> None:
    """In a worker process: Ctrl-C reaches the whole process group and the caller alone answers it; and when the
    caller ends without stopping its workers (killed), the worker ends too, rather than run on holding its output
    open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: int) -> None:
    """End this process once ``parent`` is no longer its parent (checked every PARENT_CHECK seconds)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def _handshake(scheduler: str, timeout: float) -> None:
    """Greet ``scheduler`` in Dask's protocol and hang up, in a thread of its own and within ``timeout`` seconds;
    raises unless it answers as Dask does (a client would wait forever on a server that stays silent)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect

    async def greet():
        comm = await asyncio.wait_for(connect(scheduler, timeout=timeout), timeout)
        await comm.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, greet()).result()


@contextlib.contextmanager
def _dask(scheduler: str, timeout: float) -> Iterator[Executor]:
    """A Dask client of the cluster at ``scheduler`` with at least one worker, closed afterwards; a scheduler that
    cannot be reached, is not one or has no workers is refused (InputError) within about ``timeout`` seconds."""
    host, port = check_scheduler(scheduler)
    try:
        from distributed import Client
    except ImportError:
        raise InputError(f"scheduler={scheduler} needs Dask's distributed scheduler; install it with "
                         "pip install \"gradstep[dask]\"") from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()  # refused at once, where Dask retries
    except OSError as error:
        raise InputError(f"could not reach the Dask scheduler at scheduler={scheduler} "
                         f"({error.strerror or f'no answer within {timeout:g} s'}); start one with `dask scheduler`, "
                         "check the address, or pass scheduler=None to run on local workers") from None
    try:
        _handshake(scheduler, timeout)
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except Exception:
        raise InputError(f"the server at scheduler={scheduler} did not answer as a Dask scheduler within "
                         f"{timeout:g} s; check the address (the scheduler's port, 8786 by default, not its "
                         "dashboard's) or pass scheduler=None to run on local workers") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise InputError(f"the Dask scheduler at scheduler={scheduler} has no workers after {timeout:g} s; start "
                             f"some with `dask worker {scheduler}`") from None
        executor = Executor(lambda job: client.submit(_run_single_threaded, job, pure=False))
        try:
            yield executor
        finally:
            client.cancel(executor.cancel())
    finally:
        client.close()
