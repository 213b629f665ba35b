"""Render and write many output files on every core, as one process would.

Workers are forked, so they inherit the plan (an artifact's `produce` is a
closure and cannot be pickled). A worker that fails sends back the exception
itself with its traceback as text, the way `concurrent.futures` does, so the
parent raises the same error (an `OSError` keeps its errno, a template error
its file and line) and a bug inside a worker keeps where it happened.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pickle
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sitegen.progress import Progress, no_progress
from sitegen.writing.artifact import Artifact, OutputError

PARALLEL_MIN_FILES = 400
"""Below this, starting worker processes costs more than it saves."""
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 8
"""More chunks than workers, so the progress bar moves; each is still hundreds of pages."""

J = TypeVar("J")
R = TypeVar("R")

_pending: list[Artifact] = []
"""The artifacts a forked worker renders: inherited, because closures cannot be pickled."""


class RemoteTraceback(Exception):
    """The traceback of an error raised in a worker, attached as the parent error's cause."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class WorkerFailure:
    """What a worker sends back when making a file fails: picklable whatever went wrong."""

    error: BaseException
    traceback: str
    path: str
    """The output file the worker was making."""

    def raise_again(self) -> None:
        raise self.error from RemoteTraceback(f"in the worker making {self.path}:\n{self.traceback}")


def can_fork_workers(count: int) -> bool:
    """Tell whether rendering `count` files is worth forking workers, and safe."""
    return count >= PARALLEL_MIN_FILES and can_fork()


def can_fork() -> bool:
    """Fork only from a single-threaded process (the preview server renders in-process)."""
    return (
        (os.cpu_count() or 1) >= 2 and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def produce_all(artifacts: list[Artifact], root: Path, progress: Progress = no_progress) -> None:
    """Render and write files into `root`, on every core when there are many (a cold build)."""
    if not can_fork_workers(len(artifacts)):
        for done, artifact in enumerate(artifacts):
            progress("writing", done, len(artifacts))
            write_artifact(root, artifact)
        return
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    global _pending
    _pending = artifacts
    try:
        count = workers * CHUNKS_PER_WORKER
        size = -(-len(artifacts) // count)
        # Neighbouring pages show the same entries: a worker that renders them together copies
        # fewer of the parent's pages (writing a reference count copies the page it is on).
        chunks = [range(start, min(start + size, len(artifacts)))
                  for start in range(0, len(artifacts), size)]
        jobs = [(root, chunk) for chunk in chunks]
        for done, failure in enumerate(forked_map(_produce_chunk, jobs, workers), start=1):
            if failure is not None:
                failure.raise_again()
            progress("writing", done * len(artifacts) // count, len(artifacts))
    finally:
        _pending = []


class WorkersLost(OutputError):
    """A worker process ended without answering: killed (for lack of memory?) or crashed."""


def forked_map(function: Callable[[J], R], jobs: list[J], workers: int) -> Iterator[R]:
    """Run `function` on each job in forked workers; yield the results as they come.

    A worker that the system kills (the out-of-memory killer, a signal) would leave a
    `multiprocessing.Pool` waiting forever for its answer; this pool notices and raises
    `WorkersLost`. Pending jobs are cancelled when the caller stops early (a failure).
    """
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(function, job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            yield future.result()
    except concurrent.futures.process.BrokenProcessPool:
        raise WorkersLost(
            "a worker process stopped before it was done (the system may have ended it for lack of "
            "memory); nothing was published: close other programs and build again"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_artifact(root: Path, artifact: Artifact) -> None:
    (root / artifact.path).write_bytes(artifact.produce())


def _produce_chunk(job: tuple[Path, range]) -> WorkerFailure | None:
    """Render a share of `_pending` in a worker; return the first failure, whole."""
    root, indexes = job
    path = ""
    try:
        for index in indexes:
            path = _pending[index].path
            write_artifact(root, _pending[index])
    except Exception as error:
        return WorkerFailure(_picklable(error), traceback.format_exc(), path)
    return None


def _picklable(error: Exception) -> BaseException:
    """The error itself when it survives pickling, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
