"""The preview server's output: two copies behind a link, updated in place and swapped atomically."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from sitegen.writing.artifact import Artifact, contained, staged
from sitegen.writing.workers import produce_all


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
        self._fresh: dict[str, tuple[str, bytes]] = {}
        """What `write_served` wrote, by path, with its fingerprint: the next update of the idle
        copy writes these bytes again instead of rendering the pages twice."""

    def idle(self) -> Path:
        """The copy the link does not point at."""
        current = self.link.resolve() if self.link.is_symlink() else None
        return self.copies[1] if current == self.copies[0] else self.copies[0]

    def update(self, artifacts: list[Artifact]) -> tuple[Path, list[str]]:
        """Bring the idle copy up to date; return it and the files written."""
        self.seed_idle()
        target = self.idle()
        target.mkdir(parents=True, exist_ok=True)
        held = self.held[target]
        if not held:
            # Unknown contents (first use, or a copy left by an older server): start clean.
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            self._fresh = {}
            return target, self._fill(target, artifacts)
        produced: list[str] = []
        wanted = {artifact.path for artifact in artifacts}
        for path in sorted(set(held) - wanted, reverse=True):
            contained(target, path).unlink(missing_ok=True)
            del held[path]
            _remove_empty_parents(target, path)
        fresh, self._fresh = self._fresh, {}
        for artifact in artifacts:
            if held.get(artifact.path) == artifact.fingerprint:
                continue  # the copy is private: what it holds is what was written
            early = fresh.get(artifact.path)
            data = early[1] if early is not None and early[0] == artifact.fingerprint else artifact.produce()
            _write(target, held, artifact, data)
            produced.append(artifact.path)
        return target, produced

    def _fill(self, target: Path, artifacts: list[Artifact]) -> list[str]:
        """Write every file into an empty copy, as a build writes its staging folder: on every
        core when there are many and the server has not started its threads yet (its first
        build, see `preview.serve`), which at 10,000 entries halves the time to the first page."""
        folders = {os.path.dirname(os.fspath(staged(target, artifact.path))) for artifact in artifacts}
        for folder in sorted(folders):
            os.makedirs(folder, exist_ok=True)
        produce_all(artifacts, target)
        held = self.held[target]
        held.update((artifact.path, artifact.fingerprint) for artifact in artifacts)
        return [artifact.path for artifact in artifacts]

    def write_served(self, artifacts: Iterable[Artifact]) -> list[Artifact]:
        """Write these files into the copy being served, before the build that makes them is
        complete (the preview's first look, see `outputs.first_look`); return those written.

        Each file is replaced in one rename, so a reader gets the old page or the new one, and
        the link is not moved: the rest of the build lands in the idle copy and is published
        as usual. Nothing is written before the first publish.
        """
        if not self.link.is_symlink():
            return []
        served = self.link.resolve()
        held = self.held.get(served)
        if not held:
            return []
        written = []
        for artifact in artifacts:
            if held.get(artifact.path) == artifact.fingerprint:
                continue
            data = artifact.produce()
            _write(served, held, artifact, data)
            self._fresh[artifact.path] = (artifact.fingerprint, data)
            written.append(artifact)
        return written

    def publish(self, target: Path) -> None:
        """Point the link at an updated copy."""
        temporary = self.link.with_name(self.link.name + ".link")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target.name)
        if self.link.is_dir() and not self.link.is_symlink():
            shutil.rmtree(self.link)  # a real folder left by a build without the buffer
        os.replace(temporary, self.link)

    def seed_idle(self) -> None:
        """Make the idle copy the served one, by hard links, unless it holds something known.

        So the next edit writes only what it changes instead of the whole site; writes replace
        files, so the copies never share a change. The preview does it once its server is up
        (linking 14,000 files took a second before the first page of 10,000 entries); an
        update does it first if it was not done.
        """
        if not self.link.is_symlink():
            return
        served = self.link.resolve()
        other = self.copies[1] if served == self.copies[0] else self.copies[0]
        if self.held[other] or not self.held.get(served):
            return
        shutil.rmtree(other, ignore_errors=True)
        shutil.copytree(served, other, copy_function=os.link)
        self.held[other] = dict(self.held[served])


def _write(copy: Path, held: dict[str, str], artifact: Artifact, data: bytes) -> None:
    """Write one file into a copy and record it there."""
    file = contained(copy, artifact.path)
    held.pop(artifact.path, None)
    if file.is_dir():
        shutil.rmtree(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    # Write beside and rename: the file may be a hard link shared with the other copy.
    temporary = file.with_name(f".{file.name}.sitegen-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, file)
    held[artifact.path] = artifact.fingerprint


def _remove_empty_parents(root: Path, relative: str) -> None:
    """Delete the folders that a removed file leaves empty, up to the root."""
    parent = (root / relative).parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
