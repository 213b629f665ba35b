"""Write a build's output beside the old one, then swap it in whole.

A build that fails never touches the output folder; one that succeeds
replaces it in two renames, so readers and servers see the old site or the
new one, never a mix. Files whose fingerprint did not change are hard-linked
from the previous output instead of being rendered and written again.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from sitegen.progress import Progress, no_progress
from sitegen.rendering.theme import template_position


class OutputError(Exception):
    """A write that would escape the output folder, or two outputs for one file."""


@dataclass(frozen=True)
class Artifact:
    """One file of the output and how to make it."""

    path: str
    """Relative to the output folder, with forward slashes."""
    fingerprint: str
    """Changes whenever the bytes would; equal fingerprints mean equal bytes."""
    produce: Callable[[], bytes]
    origin: str = ""
    """What asked for this file, for the error when two outputs collide."""


def contained(root: Path, relative: str) -> Path:
    """Resolve an output path, refusing anything that lands outside `root`."""
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise OutputError(f"refusing to write `{relative}`: not a relative path")
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise OutputError(f"refusing to write `{relative}`: outside the output folder")
    return target


def staged(staging: Path, relative: str) -> Path:
    """Where an output file goes in a new staging folder, refusing anything that leaves it.

    A staging folder is made by `stage` and holds nothing but the folders and files it
    made there, never a link, so normalising the path is the whole check; resolving it
    as `contained` does would cost a system call per folder of every file of the site.
    """
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise OutputError(f"refusing to write `{relative}`: not a relative path")
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith("../"):
        raise OutputError(f"refusing to write `{relative}`: outside the output folder")
    return staging / normal


def check_unique(artifacts: Iterable[Artifact]) -> list[str]:
    """Name every output file claimed twice (Pelican raises on double writes too)."""
    seen: dict[str, str] = {}
    problems = []
    for artifact in artifacts:
        key = artifact.path.casefold()
        if key in seen:
            problems.append(
                f"`{artifact.path}` is written by both {seen[key]} and {artifact.origin}"
            )
        else:
            seen[key] = artifact.origin
    return problems


def stage(
    artifacts: list[Artifact],
    output: Path,
    previous: dict[str, str],
    progress: Progress = no_progress,
) -> tuple[Path, list[str]]:
    """Write the new output into a staging folder beside `output`.

    Returns the staging folder and the paths that were produced afresh (the
    rest were linked from the current output because their fingerprint held).
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    fresh: list[Artifact] = []
    try:
        for artifact in artifacts:
            target = staged(staging, artifact.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            old = output / artifact.path
            if previous.get(artifact.path) == artifact.fingerprint and old.is_file():
                try:
                    os.link(old, target)
                    continue
                except OSError:
                    pass
            fresh.append(artifact)
        produce_all(fresh, staging, progress)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, [artifact.path for artifact in fresh]


PARALLEL_MIN_FILES = 400
"""Below this, starting worker processes costs more than it saves."""
CHUNKS_PER_WORKER = 8

_pending: list[Artifact] = []
"""The artifacts a forked worker renders: inherited, because closures cannot be pickled."""


def produce_all(artifacts: list[Artifact], root: Path, progress: Progress = no_progress) -> None:
    """Render and write files, on every core when there are many (a cold build).

    Workers are forked so they inherit the plan; that is only safe from a process
    with one thread, so the preview server (threads for HTTP and watching) renders
    in-process. A worker's failure is raised again here, as the same kind of error.
    """
    workers = min(os.cpu_count() or 1, 8)
    if (
        len(artifacts) < PARALLEL_MIN_FILES or workers < 2 or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for done, artifact in enumerate(artifacts):
            progress("writing", done, len(artifacts))
            _write(root, artifact)
        return
    global _pending
    _pending = artifacts
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # More chunks than workers, so the progress bar moves; each is still hundreds of pages.
            count = workers * CHUNKS_PER_WORKER
            chunks = [range(i, len(artifacts), count) for i in range(count)]
            jobs = [(root, chunk) for chunk in chunks]
            for done, failure in enumerate(pool.imap_unordered(_produce_chunk, jobs), start=1):
                if failure is not None:
                    raise _revive(failure)
                progress("writing", done * len(artifacts) // count, len(artifacts))
    finally:
        _pending = []


def _write(root: Path, artifact: Artifact) -> None:
    (root / artifact.path).write_bytes(artifact.produce())


def _produce_chunk(job: tuple[Path, range]) -> tuple[str, str, str | None, int | None] | None:
    """Render a share of `_pending` in a worker; return a failure as plain values."""
    root, indexes = job
    try:
        for index in indexes:
            _write(root, _pending[index])
    except jinja2.TemplateError as error:
        filename, line = template_position(error)
        return ("template", str(error.message or error), filename, line)
    except OSError as error:  # a full disk: the parent reports it as an I/O error
        return ("io", f"{error.errno}\0{error.strerror}", str(error.filename or ""), None)
    except Exception as error:  # sent back to the parent, which raises it
        filename, line = template_position(error)
        if filename is not None:  # a runtime error inside a template: keep where
            return ("template", f"{type(error).__name__}: {error}", filename, line)
        return ("other", f"{type(error).__name__}: {error}", None, None)
    return None


def _revive(failure: tuple[str, str, str | None, int | None]) -> Exception:
    kind, message, filename, line = failure
    if kind == "template":
        return jinja2.TemplateSyntaxError(message, line or 0, filename=filename)
    if kind == "io":
        number, _, reason = message.partition("\0")
        return OSError(int(number), reason, filename or None)
    return RuntimeError(message)


def swap(staging: Path, output: Path) -> None:
    """Put the staged output in place of the old one and delete the old one."""
    output = output.resolve()
    os.chmod(staging, 0o755)
    if not output.exists():
        os.rename(staging, output)
        return
    if output.is_dir() and _exchange(staging, output):
        # One atomic step: `staging` now holds the old output.
        shutil.rmtree(staging, ignore_errors=True)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(retired)
    os.rename(output, retired)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(retired, output)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically with Linux's renameat2(RENAME_EXCHANGE)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(
        at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange
    )
    return result == 0


def remove_leftovers(output: Path) -> None:
    """Delete staging folders that a killed build left beside the output."""
    output = output.resolve()
    if not output.parent.is_dir():
        return
    for leftover in sorted(output.parent.glob(f".{output.name}.old-*")):
        # A build killed between its two renames: the old site is here, whole.
        if not output.exists():
            os.rename(leftover, output)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.parent.glob(f".{output.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


class BufferedOutput:
    """Two copies of the output behind a symbolic link, for the preview server.

    A rebuild updates the idle copy in place, writing only the files whose
    fingerprint differs from what that copy holds and deleting the ones that
    are gone, then points the link at it in one atomic rename. So an edit costs
    the files it changes, not a copy of the whole site, and a reader following
    the link always sees one complete build.
    """

    def __init__(self, link: Path) -> None:
        self.link = link.absolute()
        self.copies = (self.link.with_name(self.link.name + ".a"), self.link.with_name(self.link.name + ".b"))
        self.held: dict[Path, dict[str, str]] = {copy: {} for copy in self.copies}
        """What each copy holds, by fingerprint; kept accurate even when a build fails midway."""

    def idle(self) -> Path:
        """The copy the link does not point at."""
        current = self.link.resolve() if self.link.is_symlink() else None
        return self.copies[1] if current == self.copies[0] else self.copies[0]

    def update(self, artifacts: list[Artifact]) -> tuple[Path, list[str]]:
        """Bring the idle copy up to date; return it and the files written."""
        target = self.idle()
        target.mkdir(parents=True, exist_ok=True)
        held = self.held[target]
        if not held:
            # Unknown contents (first use, or a copy left by an older server): start clean.
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
        produced: list[str] = []
        wanted = {artifact.path for artifact in artifacts}
        for path in sorted(set(held) - wanted, reverse=True):
            contained(target, path).unlink(missing_ok=True)
            del held[path]
            _remove_empty_parents(target, path)
        for artifact in artifacts:
            if held.get(artifact.path) == artifact.fingerprint:
                continue  # the copy is private: what it holds is what was written
            file = contained(target, artifact.path)
            held.pop(artifact.path, None)
            if file.is_dir():
                shutil.rmtree(file)
            file.parent.mkdir(parents=True, exist_ok=True)
            # Write beside and rename: the file may be a hard link shared with the other copy.
            temporary = file.with_name(f".{file.name}.sitegen-tmp")
            temporary.write_bytes(artifact.produce())
            os.replace(temporary, file)
            held[artifact.path] = artifact.fingerprint
            produced.append(artifact.path)
        return target, produced

    def publish(self, target: Path) -> None:
        """Point the link at an updated copy."""
        temporary = self.link.with_name(self.link.name + ".link")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target.name)
        if self.link.is_dir() and not self.link.is_symlink():
            shutil.rmtree(self.link)  # a real folder left by a build without the buffer
        os.replace(temporary, self.link)
        other = self.copies[1] if target == self.copies[0] else self.copies[0]
        if not self.held[other]:
            # Seed the other copy with hard links, so the next edit writes only what it changes
            # instead of the whole site; writes replace files, so the copies never share a change.
            shutil.rmtree(other, ignore_errors=True)
            shutil.copytree(target, other, copy_function=os.link)
            self.held[other] = dict(self.held[target])


def _remove_empty_parents(root: Path, relative: str) -> None:
    """Delete the folders that a removed file leaves empty, up to the root."""
    parent = (root / relative).parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
