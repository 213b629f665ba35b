"""The output before last, kept in the cache folder and updated into the next output.

A build writes its output beside the old one and swaps it in whole (`staging`). Made
afresh, that staging folder cost a folder and a hard link for every page: 12,000 folders
and 14,000 links at 10,000 entries, over a second of a build after a one-entry edit, and
as much again for the deletion of the replaced tree in the background, which the next
build met on the disk. Instead the replaced tree is kept, as the spare, in the site's
cache folder (on the output's file system, since it got there by a rename), and the next
build takes it as its staging folder and updates it, as rsync updates a mirror: the files
whose fingerprint is the same stay, those changed since are linked from the current
output or written, and those gone are deleted.

Nothing in the spare is trusted unseen. A file stays only while it is the very file its
record names (type, inode, size and modification time: a file edited through its other
link, the one in the output, fails); a folder whose modification time changed since its
record may hold files nobody recorded, and is scanned for them; the top folder always is.
Files are never written in place, since a kept file is also the output's: one to change
is unlinked first. A spare that cannot be taken (none, another file system, a record
that is gone or damaged) leaves the build to make its staging folder afresh.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.cache.record import Signature, Stat, stat_of
from sitegen.writing.artifact import Artifact, staged

SPARE_DAYS = 7
"""A spare no build took for this long (its output is no longer built) is deleted."""


@dataclass(frozen=True)
class SpareRecord:
    """What a spare tree held when it was the output: each file with its fingerprint."""

    files: dict[str, tuple[str, Stat]]
    """By path: the fingerprint and the stat of the file."""
    folders: dict[str, Stat]
    """By path (the top folder left out: it is always scanned)."""


@dataclass(frozen=True)
class TreeState:
    """What one output's trees were, kept beside its record (`cache.site`) for the next build."""

    folders: dict[str, Stat] = field(default_factory=dict)
    """The output's folders, as the build that wrote it left them."""
    spare: SpareRecord | None = None
    """The tree before it, kept as the spare."""
    foreign: tuple[str, ...] = ()
    """What the build carried into the output from the one before, not being its own
    (`writing.foreign`): their folders changed after they were recorded, so are listed again."""


@dataclass
class Known:
    """The stat of files and folders of a tree just staged, known without looking again.

    A file kept in the spare is as `_verified` saw it, and a linked one is the current
    output's file, as it was when linked; a folder nothing was added to or removed from has
    the stat it was verified with. The build's records take these rather than a second
    stat of every file and folder after the swap (a tenth of a second at 10,000 entries);
    a file edited in place since is then recorded as it was, so the next build, finding
    it changed, writes it again.
    """

    files: dict[str, Stat] = field(default_factory=dict)
    folders: dict[str, Stat] = field(default_factory=dict)


def output_folders(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of these output paths, the top one left out."""
    folders: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def folder_stats(root: Path, folders: Iterable[str], known: dict[str, Stat] | None = None,
                 ) -> dict[str, Stat]:
    """The stat of each of these folders of `root` (those missing are left out); those in
    `known` are taken from there."""
    base = os.fspath(root)
    found: dict[str, Stat] = {}
    known = known or {}
    for folder in folders:
        seen = known.get(folder)
        if seen is not None:
            found[folder] = seen
            continue
        try:
            info = os.lstat(f"{base}/{folder}")
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            found[folder] = stat_of(info)
    return found


def spare_record(fingerprints: dict[str, str], written: dict[str, Signature],
                 folders: dict[str, Stat]) -> SpareRecord:
    """The record of an output about to become the spare: its files whose fingerprints the
    build trusted (`record.trusted_fingerprints`), as its record says they were written."""
    files: dict[str, tuple[str, Stat]] = {}
    for path, fingerprint in fingerprints.items():
        signature = written.get(path)
        if not path.endswith("/") and signature is not None and len(signature) == 1:
            _, mtime, size, inode = signature[0]
            files[path] = (fingerprint, (mtime, size, inode))
    return SpareRecord(files, folders)


def take_spare(spare: Path, output: Path) -> Path | None:
    """Move the spare beside the output, to be updated into the next one; None if it cannot be."""
    staging = output.parent / f".{output.name}.new-spare-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(spare, staging)
    except OSError:  # none, or another file system (EXDEV)
        return None
    return staging


def expired(spare: Path) -> bool:
    """Tell whether a spare is so old that its output is no longer built."""
    try:
        return time.time() - spare.stat().st_mtime > SPARE_DAYS * 86400
    except OSError:
        return False


@dataclass(frozen=True)
class SpareCheck:
    """What `check_spare` found in a spare that is not as its record says, and deleted: after
    an edit, next to nothing, so a child process that checked it sends back a few bytes."""

    dropped: frozenset[str]
    """Recorded files that are gone or changed."""
    absent: frozenset[str]
    """Recorded folders that are gone (or not folders)."""
    restated: dict[str, Stat]
    """Folders whose stat is not the recorded one."""
    touched: frozenset[str]
    """Folders something was deleted from."""


def check_spare(spare: Path, record: SpareRecord) -> SpareCheck:
    """Verify a spare against its record, deleting what is not as recorded (see `_verified`),
    wherever it lies: a rename into place later changes none of what was checked."""
    touched: set[str] = set()
    kept, present, known = _verified(os.fspath(spare), record, touched)
    return SpareCheck(
        dropped=frozenset(record.files.keys() - kept.keys()),
        absent=frozenset(record.folders.keys() - present),
        restated={folder: seen for folder, seen in known.folders.items() if seen != record.folders[folder]},
        touched=frozenset(touched),
    )


def _as_checked(record: SpareRecord, check: SpareCheck) -> tuple[dict[str, str], set[str], Known]:
    """What `_verified` would have returned, from what `check_spare` found."""
    known = Known()
    kept: dict[str, str] = {}
    for path, (fingerprint, recorded) in record.files.items():
        if path not in check.dropped:
            kept[path] = fingerprint
            known.files[path] = recorded
    present = record.folders.keys() - check.absent
    known.folders = {folder: check.restated.get(folder, record.folders[folder]) for folder in present}
    return kept, present, known


def update(staging: Path, record: SpareRecord, checked: SpareCheck, artifacts: list[Artifact],
           output: Path, previous: dict[str, str]) -> tuple[list[Artifact], Known]:
    """Make the spare at `staging` hold exactly these artifacts; return those to produce, and
    the stat of what it holds that will not change (`Known`).

    `checked` is what `check_spare` found of the spare since the build took the output's
    lock (wherever the spare lay then). `previous` holds the fingerprints of the current
    output's files that can be trusted: a file that changed since the spare was the output
    is linked from there when it can be.
    """
    root, old_root = os.fspath(staging), os.fspath(output)
    kept, present, known = _as_checked(record, checked)
    touched: set[str] = set(checked.touched)
    """The folders an entry was added to or removed from: their stat is not the verified one."""
    wanted = {artifact.path for artifact in artifacts}
    for path in kept.keys() - wanted:
        _remove(f"{root}/{path}")
        del kept[path]
        touched.add(path.rpartition("/")[0])
    made = set(present)
    fresh: list[Artifact] = []
    files: dict[str, Stat] = {}
    for artifact in artifacts:
        path = artifact.path
        if kept.get(path) == artifact.fingerprint:
            files[path] = known.files[path]
            continue  # its path was checked when it was written, and so were its folders
        target = os.fspath(staged(staging, path))
        folder = path.rpartition("/")[0]
        touched.add(folder)
        if folder and folder not in made:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            while folder and folder not in made:
                made.add(folder)
                folder = folder.rpartition("/")[0]
                touched.add(folder)
        _remove(target)  # never written in place: a kept file is the output's too
        old = old_root + target[len(root):]
        if previous.get(path) == artifact.fingerprint and (linked := link_unchanged(old, target)):
            files[path] = linked
            continue
        fresh.append(artifact)
    needed = output_folders(wanted)
    for folder in sorted(made - needed):
        if os.path.lexists(f"{root}/{folder}"):
            shutil.rmtree(f"{root}/{folder}", ignore_errors=True)
            touched.add(folder.rpartition("/")[0])
    folders = {folder: seen for folder, seen in known.folders.items()
               if folder in needed and folder not in touched}
    return fresh, Known(files, folders)


def link_unchanged(old: str, target: str) -> Stat | None:
    """Hard-link a file of the current output whose fingerprint held, and return its stat (the
    link's); None if it cannot be (gone, or not a plain file: a link someone put in the
    output could point anywhere)."""
    try:
        info = os.lstat(old)
        if stat.S_ISREG(info.st_mode):
            os.link(old, target)
            return stat_of(info)
    except OSError:
        pass
    return None


def _verified(root: str, record: SpareRecord, touched: set[str]) -> tuple[dict[str, str], set[str], Known]:
    """The spare's files that are as recorded (with their fingerprints), its folders, and the
    stat of both; whatever else is there is deleted (its folder noted in `touched`)."""
    present: set[str] = set()
    known = Known()
    changed = [""]  # the top folder: moved here, its time tells nothing
    for folder, recorded in record.folders.items():
        try:
            info = os.lstat(f"{root}/{folder}")
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            _remove(f"{root}/{folder}")
            touched.add(folder.rpartition("/")[0])
            continue
        present.add(folder)
        seen = stat_of(info)
        known.folders[folder] = seen
        if seen != recorded:
            changed.append(folder)
    kept: dict[str, str] = {}
    for path, (fingerprint, recorded) in record.files.items():
        folder = path.rpartition("/")[0]
        if folder and folder not in present:
            continue  # not a folder the record knows: scanned as a stray, or gone
        try:
            info = os.lstat(f"{root}/{path}")
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and stat_of(info) == recorded:
            kept[path] = fingerprint
            known.files[path] = recorded
        else:
            _remove(f"{root}/{path}")
            touched.add(folder)
    for folder in changed:
        if _drop_strays(root, folder, kept, present):
            touched.add(folder)
    return kept, present, known


def _drop_strays(root: str, folder: str, kept: dict[str, str], present: set[str]) -> bool:
    """Delete what a folder holds that is neither a kept file nor a recorded folder; tell
    whether there was any (or the folder could not be listed)."""
    prefix = f"{folder}/" if folder else ""
    try:
        with os.scandir(f"{root}/{folder}" if folder else root) as listing:
            names = [entry.name for entry in listing]
    except OSError:
        return True
    dropped = False
    for name in names:
        path = prefix + name
        if path not in kept and path not in present:
            _remove(f"{root}/{path}")
            dropped = True
    return dropped


def _remove(path: str) -> None:
    """Delete a file, link or folder of the spare, whatever is there."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass
