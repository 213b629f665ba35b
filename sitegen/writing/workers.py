"""Render and write many output files on every core, as one process would.

Workers are forked, so they inherit the plan (an artifact's `produce` is a
closure and cannot be pickled), one for each chunk of the work, so none holds
more memory than its chunk needs. A worker that fails sends back the exception
itself with its traceback as text, the way `concurrent.futures` does, so the
parent raises the same error (an `OSError` keeps its errno, a template error
its file and line) and a bug inside a worker keeps where it happened.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import select
import selectors
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sitegen import collector
from sitegen.progress import Progress, no_progress
from sitegen.writing.artifact import Artifact, OutputError, staged

PARALLEL_MIN_FILES = 400
"""Below this, starting worker processes costs more than it saves."""
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 16
"""Each chunk is rendered by a child forked for it, which gives its memory back when done: at
10,000 entries a child of 8 chunks a worker ended holding ~140 MB of its own, one of 16 about
half, in the same time, as the parent waits meanwhile and so pays nothing for the forks."""

J = TypeVar("J")
R = TypeVar("R")

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
        (os.cpu_count() or 1) >= 2 and threading.active_count() == 1 and hasattr(os, "fork")
    )


def produce_all(artifacts: list[Artifact], root: Path, progress: Progress = no_progress,
                busy: Child | None = None) -> None:
    """Render and write files into `root`, on every core when there are many (a cold build).

    `busy` is a child still rendering other files beside these (`RenderAhead.running`): it
    has one of the cores until it is done. Where no process can be forked (a container's
    process limit), they are all rendered in this one, those the workers had written too:
    the same bytes, later."""
    if can_fork_workers(len(artifacts)):
        try:
            _produce_forked(artifacts, root, progress, busy)
            return
        except CannotFork:
            pass
    for done, artifact in enumerate(artifacts):
        progress("writing", done, len(artifacts))
        write_artifact(root, artifact)


def _produce_forked(artifacts: list[Artifact], root: Path, progress: Progress, busy: Child | None) -> None:
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    count = workers * CHUNKS_PER_WORKER
    size = -(-len(artifacts) // count)
    # Neighbouring pages show the same entries: a worker that renders them together copies
    # fewer of the parent's pages (writing a reference count copies the page it is on).
    jobs = [(root, artifacts, range(start, min(start + size, len(artifacts))))
            for start in range(0, len(artifacts), size)]
    for done, failure in enumerate(forked_map(_produce_chunk, jobs, workers, busy), start=1):
        if failure is not None:
            failure.raise_again()
        progress("writing", done * len(artifacts) // count, len(artifacts))


class CannotFork(OSError):
    """The system would not start another process (`fork` failed: EAGAIN, ENOMEM)."""


class WorkersLost(OutputError):
    """A worker process ended without answering: killed (for lack of memory?) or crashed."""


def forked_map(function: Callable[[J], R], jobs: list[J], workers: int, busy: Child | None = None,
               ) -> Iterator[R]:
    """Run `function` on each job in a child process forked for that job alone, at most
    `workers` at once; yield the results as they come.

    `busy` is a child forked for other work that counts as one of the `workers` until it
    closes its end of the pipe (what it sends is kept in it; its result is its forker's to
    take): three children rendering on two cores were no faster than two, and made the
    cold build's peak of memory.

    A child ends with its job, so what it took of memory is given back then. A worker that
    lived for the whole render ended up holding most of the parent's pages as its own
    (writing a reference count copies the page it is on) as well as what it made: at 10,000
    entries, two such workers held 400 MB more than the parent. A fork costs milliseconds.

    Children are forked from the calling thread, which must be the process's only one
    (`can_fork`), so no lock another thread held is copied locked. A child the system kills
    (the out-of-memory killer, a signal) is noticed, as `WorkersLost`; when the caller stops
    early (a failure, Ctrl-C) the children still running are killed and waited for.
    """
    waiting = collections.deque(jobs)
    running: dict[int, Child] = {}
    selector = selectors.DefaultSelector()
    busy_open = busy is not None
    if busy is not None:
        selector.register(busy.reader, selectors.EVENT_READ, busy)
    try:
        while True:
            # The busy child holds one of the workers; one job at least runs beside it.
            while waiting and len(running) < max(1, workers - busy_open):
                child = fork_job(function, waiting.popleft())
                running[child.pid] = child
                selector.register(child.reader, selectors.EVENT_READ, child)
            if not running:
                return
            for key, _ in selector.select():
                child = key.data
                chunk = os.read(child.reader, 1 << 20)
                if chunk:
                    child.received.append(chunk)
                    continue
                selector.unregister(child.reader)
                if child is busy:
                    busy_open = False
                    continue
                del running[child.pid]
                yield child.result()
    finally:
        for child in running.values():
            child.kill()
        selector.close()


class Child:
    """A child process running one job, and what it has sent back so far."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader = pid, reader
        self.received: list[bytes] = []

    def done(self, wait: bool) -> bool:
        """Take in what the child sent; tell whether it is done (it closed its end of the pipe).
        Without `wait`, only what has come already."""
        while wait or select.select([self.reader], [], [], 0)[0]:
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                return True
            self.received.append(chunk)
        return False

    def result(self) -> Any:
        """The job's result once the child closed its end: its value, or its error raised here."""
        os.close(self.reader)
        _, status = os.waitpid(self.pid, 0)
        try:
            ok, value, trace = pickle.loads(b"".join(self.received))
        except Exception:
            ok = None
        if ok is None or not os.WIFEXITED(status):
            raise WorkersLost(
                "a worker process stopped before it was done (the system may have ended it for lack "
                "of memory); nothing was published: close other programs and build again"
            )
        if not ok:
            raise value from RemoteTraceback(trace)
        return value

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.reader)


_HELD_WHILE_FORKING = {signal.SIGINT, signal.SIGTERM}


def fork_job(function: Callable[[J], R], job: J) -> Child:
    """Start a child that runs `function(job)`, sends back the pickled outcome and exits."""
    # What the parent made so far is out of the child's collector's reach: a pass that walked
    # it would write to every object's header and so copy every page it is on.
    collector.settle()
    reader, writer = os.pipe()
    # Ctrl-C is held back while forking: a KeyboardInterrupt raised in one of the fork's
    # Python callbacks (logging's releases its lock there) is printed and dropped, and the
    # build would then wait for ever for a worker it meant to stop.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_WHILE_FORKING)
    try:
        pid = os.fork()
    except OSError as error:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(reader)
        os.close(writer)
        raise CannotFork(error.errno, error.strerror) from None
    if pid:
        os.close(writer)
        child = Child(pid, reader)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a held signal is raised here
        except BaseException:
            child.kill()
            raise
        return child
    code = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(reader)
        try:
            outcome = pickle.dumps((True, function(job), ""), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # sent to the parent, which raises it
            outcome = pickle.dumps((False, _picklable(error), traceback.format_exc()))
        with os.fdopen(writer, "wb") as stream:
            stream.write(outcome)
        code = 0
    finally:
        os._exit(code)  # never the parent's cleanup: no atexit, no flushing its buffers twice


AHEAD_FILES = 1000
"""At most this many planned files for each child that renders while the plan goes on (about a
second of work: a larger last share would keep the build waiting for it alone)."""
AHEAD_MIN_FILES = 200
"""A child is forked for no fewer planned files than this (a fork costs milliseconds)."""


class RenderAhead:
    """Render a cold build's files into its staging folder while the rest is still planned.

    Planning a site of 10,000 entries keeps one core busy for seconds (making and hashing
    every page's view) while the other idled. So, as the plan grows, a child is forked
    for the files planned since the last one, one child at a time, and renders them on the
    idle core. A planned file's bytes are a function of its plan, which planning never
    changes afterwards (the preview's first look renders pages before the plan is done
    too), so they are the bytes a later render would write.
    """

    def __init__(self, root: Path, planned: list[Artifact]) -> None:
        self.root = root
        self.planned = planned
        """The plan's own list, growing while it is made."""
        self.rendered = 0
        """How many of the first planned files are rendered, or being rendered by `_child`."""
        self._child: Child | None = None
        self._refused = False

    def offer(self) -> None:
        """Fork a child for the files planned since the last one, if it is done and enough wait."""
        if self._child is not None:
            if not self._child.done(wait=False):
                return
            self._collect()
        if len(self.planned) - self.rendered >= AHEAD_MIN_FILES and can_fork() and not self._refused:
            start, end = self.rendered, min(len(self.planned), self.rendered + AHEAD_FILES)
            try:
                self._child = fork_job(_produce_planned, (self.root, self.planned, range(start, end)))
            except CannotFork:
                self._refused = True  # staging renders them all, as without this
                return
            self.rendered = end

    @property
    def running(self) -> Child | None:
        """The child still rendering, if one is: staging counts it as one of its workers."""
        return self._child

    def finish(self) -> int:
        """Wait for the child still rendering, raise what failed in one, and tell how many of
        the first planned files are written."""
        if self._child is not None:
            self._child.done(wait=True)
            self._collect()
        return self.rendered

    def cancel(self) -> None:
        """Stop the child still rendering (the build failed): its files are never published."""
        if self._child is not None:
            self._child.kill()
            self._child = None

    def _collect(self) -> None:
        child, self._child = self._child, None
        assert child is not None
        failure = child.result()
        if failure is not None:
            failure.raise_again()


def _produce_planned(job: tuple[Path, list[Artifact], range]) -> WorkerFailure | None:
    """In a child of `RenderAhead`: write some planned files, making their folders first (the
    staging loop that makes them for the other files has not run yet)."""
    return _write_share(*job, make_folders=True)


def write_artifact(root: Path, artifact: Artifact) -> None:
    (root / artifact.path).write_bytes(artifact.produce())


def _produce_chunk(job: tuple[Path, list[Artifact], range]) -> WorkerFailure | None:
    """In a worker of `produce_all`: write a share of the files, into folders made already."""
    return _write_share(*job, make_folders=False)


def _write_share(root: Path, artifacts: list[Artifact], indexes: range, make_folders: bool,
                 ) -> WorkerFailure | None:
    """Render and write some of `artifacts` (inherited by the fork, as closures cannot be
    pickled); return the first failure, whole."""
    made: set[Path] = set()
    path = ""
    try:
        for index in indexes:
            artifact = artifacts[index]
            path = artifact.path
            if not make_folders:
                write_artifact(root, artifact)
                continue
            target = staged(root, path)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(artifact.produce())
    except Exception as error:
        return WorkerFailure(_picklable(error), traceback.format_exc(), path)
    return None


def _picklable(error: BaseException) -> BaseException:
    """The error itself when it survives pickling, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
