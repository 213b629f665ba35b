"""Timing a command, and the peak memory of its whole process tree.

Peak memory is sampled with psutil every 20 ms over the process and all its
descendants (sitegen's worker processes and the Pagefind binary it runs, Hugo's
one process), two ways. The sum of the resident set sizes counts a page that
forked workers share once per process, so it is an upper bound of what the tree
needs; the sum of the proportional set sizes (PSS, from /proc/PID/smaps_rollup)
splits each shared page between the processes sharing it, so it is the memory
the tree takes from the machine. For one process (Hugo) the two are nearly the
same. `getrusage`'s `ru_maxrss` gives only the largest single process, and
nothing at all for a server that is still running; the largest single process
is reported too. A spike shorter than the interval can be missed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil  # type: ignore[import-untyped]

SAMPLE_SECONDS = 0.02
PSS_SECONDS = 0.2
"""PSS is read this often at most: it walks the page tables of each process of the tree under
its memory-map lock (11 ms for a 650 MB process), which every 20 ms took a third of a core from
the tool measured and stalled its allocations: an edit in `sitegen serve` took twice its CPU
time to show. RSS, which the kernel keeps counted, is read every sample."""
MB = 1024 * 1024


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS, pss: bool = True) -> None:
        """`pss`: read the tree's PSS too (see `PSS_SECONDS`); a server's is not reported."""
        super().__init__(name=f"tree-memory-{pid}", daemon=True)
        self.pid = pid
        self.interval = interval
        self.pss = pss
        self._pss_at = float("-inf")
        self.peak_tree = 0
        """Bytes: the largest sum of RSS over the tree seen in one sample."""
        self.peak_tree_pss = 0
        """Bytes: the largest sum of PSS over the tree seen in one sample (0 where unknown)."""
        self.peak_process = 0
        """Bytes: the largest single process seen."""
        self.processes = 0
        """The most processes seen in the tree at once."""
        self._done = threading.Event()
        self._known: dict[int, psutil.Process] = {}

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.is_set():
            self.sample(root)
            self._done.wait(self.interval)

    def sample(self, root: psutil.Process) -> None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = proportional = 0
        now = time.monotonic()
        with_pss = self.pss and now - self._pss_at >= PSS_SECONDS
        if with_pss:
            self._pss_at = now
        for process in tree:
            # Reuse Process objects: psutil then checks a pid was not recycled for another process.
            known = self._known.setdefault(process.pid, process)
            try:
                rss = known.memory_info().rss
                if with_pss:
                    proportional += getattr(known.memory_full_info(), "pss", 0)
            except psutil.Error:  # ended, or a zombie, between listing and reading
                continue
            total += rss
            self.peak_process = max(self.peak_process, rss)
        self.peak_tree = max(self.peak_tree, total)
        self.peak_tree_pss = max(self.peak_tree_pss, proportional)
        self.processes = max(self.processes, len(tree))

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Run:
    """One command run to completion."""

    seconds: float
    cpu_seconds: float
    """User plus system time of the process and the descendants it waited for."""
    peak_tree_mb: float
    peak_process_mb: float
    returncode: int
    output: str
    peak_tree_pss_mb: float = 0.0


def run_command(command: list[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                timeout: float = 7200) -> Run:
    """Run a command to completion; time it and sample its tree's memory."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        memory = TreeMemory(process.pid)
        memory.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        memory.stop()
        log.seek(0)
        output = log.read().decode(errors="replace")
    return Run(seconds, usage.ru_utime + usage.ru_stime, memory.peak_tree / MB, memory.peak_process / MB,
               process.returncode, output, memory.peak_tree_pss / MB)


def checked(run: Run, what: str) -> Run:
    """The run, or exit with its output when it failed."""
    if run.returncode != 0:
        raise SystemExit(f"{what} failed with exit code {run.returncode}:\n{run.output[-3000:]}")
    return run


class Server:
    """A long-running command (`sitegen serve`, `hugo server`) with its log and memory."""

    def __init__(self, command: list[str], log: Path, *, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self._out,
                                        stderr=subprocess.STDOUT)
        self.memory = TreeMemory(self.process.pid, pss=False)
        self.memory.start()

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 3600) -> re.Match[str]:
        """Wait until the log holds `pattern` `count` times; return the last match."""
        deadline = time.monotonic() + timeout
        while True:
            found = list(re.finditer(pattern, self.text()))
            if len(found) >= count:
                return found[-1]
            if self.process.poll() is not None:
                raise SystemExit(f"the server ended (exit code {self.process.returncode}) before printing "
                                 f"{pattern!r}:\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise SystemExit(f"no {pattern!r} x{count} in the server's log after {timeout:.0f} s:\n"
                                 f"{self.text()[-3000:]}")
            time.sleep(0.01)

    def count(self, pattern: str) -> int:
        return len(re.findall(pattern, self.text()))

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM, as Ctrl-C would), then make sure it has."""
        self.memory.stop()
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()


def poll_until(check: Callable[[], bool], timeout: float, interval: float = 0.002) -> float:
    """Call `check` until it is true; return the time it first was (perf_counter)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not seen within {timeout:.0f} s")
        time.sleep(interval)
    return time.perf_counter()


def file_contains(path: Path, text: str) -> Callable[[], bool]:
    """A check that `path` (followed through links) holds `text`."""
    needle = text.encode()

    def check() -> bool:
        try:
            return needle in path.read_bytes()
        except OSError:  # being replaced, or the link pointing at a copy being written
            return False

    return check
