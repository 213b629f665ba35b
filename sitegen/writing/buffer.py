"""The preview server's output: two copies behind a link, updated in place and swapped atomically."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sitegen.writing.artifact import Artifact, contained


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
