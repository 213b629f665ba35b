"""The stat of every file a build depends on, to tell later that none of them changed.

A snapshot walks given roots (the config, content/, layouts/, static/, the
built-in theme, the Pagefind binary) and records each file by modification
time, size and inode, each folder by its presence, each symbolic link by its
target. A file modified in the last moments before the walk could change
again within the same tick of the file system's clock, unseen by its stat, so
its bytes are hashed too and compared by hash (git's "racily clean" entries).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISLNK

RACY_NS = 2_000_000_000
"""Files modified this close to the walk are also compared by their bytes' hash."""

Signature = tuple[str, int, int, int]
"""("file", change ns, size, inode), ("folder", 0, 0, 0) or ("link:<target>", 0, 0, 0).

The change time (ctime), not the modification time: an editor or a tool may set the latter
back (`touch -d`, `os.utime`, an archive unpacked with its times), but every write, rename
or change of the times moves the former to now, and nobody can set it."""


@dataclass(frozen=True)
class Snapshot:
    """Every file and folder under some roots, by signature, at one moment."""

    roots: tuple[str, ...]
    entries: dict[str, Signature]
    """By absolute path."""
    hashes: dict[str, str]
    """The SHA-256 of each file that was modified just before the walk."""

    def first_change(self, taken: Snapshot | None = None) -> str | None:
        """The first path that differs from now (added, removed or changed), or None;
        `taken` is a walk of the same roots just made, to compare with instead of walking."""
        now = taken.entries if taken is not None and taken.roots == self.roots else scan(self.roots)
        if now == self.entries:
            for path, digest in self.hashes.items():
                if file_hash(path) != digest:
                    return path
            return None
        for path in sorted(self.entries.keys() | now.keys()):
            if self.entries.get(path) != now.get(path):
                return path
        return None


def take(roots: Iterable[Path | str]) -> Snapshot:
    """Walk the roots now (a missing root is recorded as missing)."""
    names = tuple(str(root) for root in roots)
    started = _now()
    entries = scan(names)
    hashes = {
        path: file_hash(path) for path, signature in entries.items()
        if signature[0] == "file" and started - signature[1] < RACY_NS
    }
    return Snapshot(names, entries, hashes)


def settled(snapshot: Snapshot, used: Callable[[str], str | None] = lambda path: None) -> Snapshot:
    """The snapshot without the hashes that no longer need taking: files whose clock tick has
    passed, still with the stat and the bytes it recorded.

    Git rewrites its index after `status` for the same reason. A snapshot is kept for
    later runs, and a checkout or a generated site leaves every file of it recent: unsettled,
    each later run would hash the whole site again, a tenth of a second at 10,000 entries.
    Once the tick is past, a file that still has its recorded stat cannot have changed
    unseen since it was hashed now. `used` gives the hash of the bytes the build read of a
    path, when it knows: a file the build saw other bytes of stays hashed.
    """
    now = _now()
    kept = {}
    for path, digest in snapshot.hashes.items():
        signature = snapshot.entries.get(path)
        if (signature is None or now - signature[1] < RACY_NS or used(path) not in (None, digest)
                or _file_signature(path) != signature or file_hash(path) != digest):
            kept[path] = digest
    if len(kept) == len(snapshot.hashes):
        return snapshot
    return Snapshot(snapshot.roots, snapshot.entries, kept)


def _now() -> int:
    """The clock snapshots go by (a test moves it on past the tick)."""
    return time.time_ns()


def _file_signature(path: str) -> Signature | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return ("file", stat.st_ctime_ns, stat.st_size, stat.st_ino)


def scan(roots: Iterable[str]) -> dict[str, Signature]:
    """The signature of every entry under the roots; links to folders are followed once."""
    found: dict[str, Signature] = {}
    seen: set[tuple[int, int]] = set()
    for root in roots:
        _scan(root, found, seen)
    return found


def _scan(path: str, found: dict[str, Signature], seen: set[tuple[int, int]]) -> None:
    # A replay walks every file of the site (57,000 at 50,000 entries): one stat for each,
    # from the folder's listing, and the loop written out.
    try:
        info = os.lstat(path)
        if S_ISLNK(info.st_mode):
            found[path + "\0link"] = (f"link:{os.readlink(path)}", 0, 0, 0)
            info = os.stat(path)
    except OSError:
        found[path] = ("missing", 0, 0, 0)
        return
    if not S_ISDIR(info.st_mode):
        found[path] = ("file", info.st_ctime_ns, info.st_size, info.st_ino)
        return
    found[path] = ("folder", 0, 0, 0)
    folder = (info.st_dev, info.st_ino)
    if folder in seen:
        return  # a link loop: the build reports it
    seen.add(folder)
    try:
        with os.scandir(path) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) or entry.is_symlink():
            _scan(entry.path, found, seen)
            continue
        try:
            file = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        found[entry.path] = ("file", file.st_ctime_ns, file.st_size, file.st_ino)
    seen.discard(folder)


def file_hash(path: str) -> str:
    """The SHA-256 of a file's bytes, or "" if it cannot be read."""
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return ""
