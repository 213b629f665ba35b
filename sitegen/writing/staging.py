"""Write a build's output beside the old one, then swap it in whole.

A build that fails never touches the output folder; one that succeeds
replaces it in two renames, so readers and servers see the old site or the
new one, never a mix. Files whose fingerprint did not change are hard-linked
from the previous output instead of being rendered and written again. With a
build cache, the replaced output is kept as the spare and the next build
updates it into its staging folder (`writing.spare`) instead of making one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from sitegen.progress import Progress, no_progress
from sitegen.writing.artifact import Artifact, staged
from sitegen.writing.spare import Known, SpareCheck, SpareRecord, expired, link_unchanged, update
from sitegen.writing.workers import RenderAhead, produce_all


class Staged(NamedTuple):
    """A staged output: its folder, the paths produced afresh (the rest were kept or linked
    because their fingerprint held), and the stat of what was not (`spare.Known`)."""

    folder: Path
    produced: list[str]
    known: Known


def stage(
    artifacts: list[Artifact],
    output: Path,
    previous: dict[str, str],
    progress: Progress = no_progress,
    spare: tuple[Path, SpareRecord, SpareCheck] | None = None,
    ahead: RenderAhead | None = None,
) -> Staged:
    """Write the new output into a staging folder beside `output`.

    Files whose fingerprint held are linked from the current output.
    `spare` is the output before last, taken beside `output` with its record and what
    checking it against that found (`writing.spare`): it is updated into the staging folder
    instead of making one.
    `ahead` rendered the first planned files into its folder (`new_staging`) while the
    plan was made: that folder is the staging folder, and only the rest are produced.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    if spare is not None:
        staging, record, checked = spare
        try:
            to_produce, known = update(staging, record, checked, artifacts, output, previous)
        except OSError:  # whatever went wrong, a fresh staging folder is the sure way
            shutil.rmtree(staging, ignore_errors=True)
        else:
            try:
                produce_all(to_produce, staging, progress)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            return Staged(staging, [artifact.path for artifact in to_produce], known)
    staging = ahead.root if ahead is not None else new_staging(output)
    early = ahead.rendered if ahead is not None else 0
    fresh: list[Artifact] = []
    made: set[str] = set()
    known = Known()
    # Plain strings and one mkdir per folder: at 10,000 entries this loop links ~24,000 files.
    old_root, new_root = os.fspath(output), os.fspath(staging)
    try:
        for index, artifact in enumerate(artifacts):
            target = os.fspath(staged(staging, artifact.path))
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            if index < early:
                continue
            if previous.get(artifact.path) == artifact.fingerprint and (linked := link_unchanged(
                    old_root + target[len(new_root):], target)):
                known.files[artifact.path] = linked
                continue
            fresh.append(artifact)
        produce_all(fresh, staging, progress, busy=ahead.running if ahead is not None else None)
        if ahead is not None:
            ahead.finish()
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Staged(staging, [artifact.path for artifact in artifacts[:early] + fresh], known)


def new_staging(output: Path) -> Path:
    """A new, empty staging folder beside `output` (resolved), for `stage`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))


BACKGROUND_DELETE_FILES = 2_000
"""An old output of this many files or more is deleted after the build returns (see `retire`)."""
RETIRED_PREFIX = "retired-"
SPARE_PREFIX = "spare-"
"""The trash's spare of each output (`writing.spare`), named after the output's record."""
LEFTOVER_SECONDS = 600
"""A retired tree older than this was left by a deletion that did not finish: delete it."""


def swap(staging: Path, output: Path, files: int = 0, trash: Path | None = None,
         spare: Path | None = None) -> bool:
    """Put the staged output in place of the old one and delete the old one, or keep it as
    `spare` (`writing.spare`); tell whether it was kept.

    `files` is about how many files the old output holds: a large one is moved into
    `trash` (a folder of the build cache) and deleted in the background (`retire`), so
    the build is done once the new output is in place.
    """
    output = output.resolve()
    os.chmod(staging, 0o755)
    if not output.exists():
        os.rename(staging, output)
        return False
    if output.is_dir() and _exchange(staging, output):
        # One atomic step: `staging` now holds the old output.
        retired = staging
    else:
        retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        os.rmdir(retired)
        os.rename(output, retired)
        try:
            os.rename(staging, output)
        except OSError:
            os.rename(retired, output)
            raise
    if spare is not None and trash is not None and keep(retired, spare, trash):
        return True
    retire(retired, files, trash)
    return False


def keep(old: Path, spare: Path, trash: Path) -> bool:
    """Keep a replaced output as the spare; False if it cannot be moved there."""
    try:
        spare.parent.mkdir(parents=True, exist_ok=True)
        if spare.exists():  # a spare no build took (its record was lost): deleted
            retire(spare, BACKGROUND_DELETE_FILES, trash)
        os.rename(old, spare)
        os.utime(spare)  # the time `spare.expired` goes by
    except OSError:
        return False
    return True


def retire(old: Path, files: int, trash: Path | None) -> None:
    """Delete a replaced output: now if small, else in a detached process (as `git gc --auto`).

    Deleting 24,000 hard-linked files took a second and a quarter of a 10,000-entry build
    after one edit, spent after the new site was already in place. The old tree is first
    moved into `trash`, in the build cache, never left beside the output (which is often in
    the site's folder); where it cannot be moved there (another file system, no cache), it
    is deleted now. A tree left by a deletion that did not finish goes with the next build.
    """
    rm = shutil.which("rm")
    if files < BACKGROUND_DELETE_FILES or rm is None or trash is None:
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        trash.mkdir(parents=True, exist_ok=True)
        retired = Path(tempfile.mkdtemp(prefix=RETIRED_PREFIX, dir=trash))
        os.rename(old, retired / "tree")
    except OSError:  # another file system (EXDEV), or the cache cannot be written
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        subprocess.Popen([rm, "-rf", "--", os.fspath(retired)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(retired, ignore_errors=True)


def empty_trash(trash: Path) -> None:
    """Delete what a background deletion left (killed, or the machine stopped) long ago."""
    if not trash.is_dir():
        return
    now = time.time()
    for leftover in trash.glob(f"{RETIRED_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > LEFTOVER_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
    for spare in trash.glob(f"{SPARE_PREFIX}*"):
        if expired(spare):
            retire(spare, BACKGROUND_DELETE_FILES, trash)


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
