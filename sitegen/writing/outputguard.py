"""Which folders a build may replace, and the lock that keeps two builds apart.

A build replaces its output folder whole, so pointing `--output` at the wrong
folder would delete it: the site's own sources, a git checkout, a home
folder. The output is therefore only ever a folder sitegen made. Every build
writes a manifest (`MANIFEST`) into its output; an existing folder without
one is refused unless the user says `--force`.

Two builds into one output would race for its staging folders and swap each
other's work away; a lock file beside the output (an advisory `flock`, which
the kernel drops when the process dies, even by SIGKILL) lets one in at a time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

MANIFEST = ".sitegen-manifest.json"
"""Written into every output: marks the folder as sitegen's and lists what the build wrote."""
SOURCE_FOLDERS = ("content", "layouts", "static")
LEGACY_MARKS = (".nojekyll", "assets/timeline.js", "sitemap.xml")
LOCK_WAIT_SECONDS = 60.0
"""How long a second build waits for the first before giving up."""


class OutputRefused(Exception):
    """The output folder named is not one a build may replace (exit status 2)."""


class BuildLocked(Exception):
    """Another build holds the output's lock (exit status 1)."""


def check_output(source: Path, output: Path, *, force: bool = False) -> None:
    """Refuse an output folder whose replacement would lose the user's files."""
    source, output = source.resolve(), output.resolve()
    if output == source or source.is_relative_to(output):
        raise OutputRefused(f"--output {output} is the site folder or holds it; "
                            "choose a folder of its own, e.g. public/")
    for name in SOURCE_FOLDERS:
        if output.is_relative_to(source / name):
            raise OutputRefused(f"--output {output} is inside the site's {name}/ folder, whose files "
                                "a build would delete; choose a folder outside it, e.g. public/")
    if output.exists() and not output.is_dir():
        raise OutputRefused(f"--output {output} is a file, not a folder; choose a folder")
    if force or not output.is_dir() or is_sitegen_output(output):
        return
    try:
        empty = next(output.iterdir(), None) is None
    except OSError as error:
        raise OutputRefused(f"--output {output} cannot be read: {error.strerror}") from error
    if not empty:
        raise OutputRefused(
            f"--output {output} is a folder that sitegen did not write (no {MANIFEST}); a build "
            "replaces its output whole, so its files would be lost. Choose another folder, empty "
            "this one, or pass --force to replace it"
        )


def is_sitegen_output(folder: Path) -> bool:
    """Tell whether a folder holds the manifest of an earlier build."""
    marker = folder / MANIFEST
    try:
        data = json.loads(marker.read_text("utf-8")) if marker.is_file() and not marker.is_symlink() else {}
    except (OSError, ValueError):
        return False
    if isinstance(data, dict) and data.get("generator") == "sitegen":
        return True
    # Builds before the manifest existed: these three files are in every one of them.
    return all((folder / name).is_file() for name in LEGACY_MARKS)


def manifest_bytes(paths: Iterable[str]) -> bytes:
    """The manifest of one build: what made the folder and every file it planned."""
    document = {"generator": "sitegen", "files": sorted(paths)}
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def lock_path(output: Path) -> Path:
    """The lock file beside the output (inside it would be swapped away with it)."""
    output = output.resolve()
    return output.parent / f".{output.name}.lock"


@contextlib.contextmanager
def output_lock(output: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the output's build lock; wait up to `wait` seconds for another build to finish.

    The lock file is removed on release, so it never lingers beside the output. A
    waiter may then hold a lock on the removed file, so after locking, the file at
    the path must still be the one locked, or the waiter tries again.
    """
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise BuildLocked(
                    f"another build is running into {output}; wait for it to finish "
                    f"(it holds {path.name})"
                ) from error
            time.sleep(0.05)
            continue
        try:
            same = os.path.samestat(os.fstat(descriptor), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(descriptor)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(descriptor)  # closing drops the lock
