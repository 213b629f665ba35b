"""Files in the output that sitegen did not write, carried into each new output.

A build replaces its output folder whole (`staging.swap`), so a file put there by
hand — a `CNAME` for the host, a `.git` of a `gh-pages` worktree, a verification
file — would go with the old tree. sitegen never deletes a file it did not write:
before the swap, every such file and folder of the current output is hard-linked
into the staged one, at the same place (Hugo leaves them alone in the same way).
What sitegen wrote and no longer writes (the page of a deleted entry) is not
carried: the last build's manifest lists every file it wrote.

Looking costs little after the first time: a folder whose stat is the one the
last build left (`TreeState.folders`) has had nothing added to it, so only the
top folder and the folders changed since are listed.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from sitegen.cache.record import Stat, stat_of
from sitegen.structure.urls import SEARCH_INDEX_FOLDER
from sitegen.writing.artifact import OutputError
from sitegen.writing.outputguard import MANIFEST
from sitegen.writing.spare import output_folders

SITEGEN_FOLDERS = frozenset({SEARCH_INDEX_FOLDER})
"""Folders a build makes whole, after its pages (the search index): never anyone else's."""


def last_manifest(output: Path) -> set[str]:
    """The files the build that made `output` wrote, as its manifest lists them."""
    try:
        document = json.loads((output / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    files = document.get("files") if isinstance(document, dict) else None
    return {path for path in files if isinstance(path, str)} if isinstance(files, list) else set()


def foreign_paths(output: Path, sitegen_paths: Collection[str], folders: Mapping[str, Stat] | None,
                  carried: Collection[str] = ()) -> list[str]:
    """The files and folders of `output` (relative, with forward slashes) that no build of
    sitegen wrote; a folder counts whole when nothing in it is sitegen's.

    `sitegen_paths` are the files sitegen wrote or writes; `folders`, the output's folders
    as the last build left them (None: unknown, so every folder is listed); `carried`, what
    the last build carried, whose folders it recorded before carrying them."""
    again = {path.rpartition("/")[0] for path in carried}
    owned = set(sitegen_paths) | {MANIFEST}
    # Every folder that holds one of sitegen's files: the last build recorded them.
    parents = {"", *folders} if folders is not None else {""} | output_folders(owned)
    base = os.fspath(output)
    found: list[str] = []
    for folder in parents:
        where = f"{base}/{folder}" if folder else base
        recorded = folders.get(folder) if folders is not None and folder and folder not in again else None
        try:
            if recorded is not None and stat_of(os.lstat(where)) == recorded:
                continue  # nothing was added to it since the last build
            with os.scandir(where) as entries:
                names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
        except OSError:  # not a folder any more, or gone: nothing of anyone's inside
            continue
        for name, is_folder in names:
            path = f"{folder}/{name}" if folder else name
            if path in owned or (is_folder and path in parents) or (not folder and name in SITEGEN_FOLDERS):
                continue
            found.append(path)
    return sorted(found)


class ForeignInTheWay(OutputError):
    """A file someone put in the output stands where the new build writes one of its own."""


def carry(output: Path, staging: Path, paths: Collection[str], built: Collection[str]) -> None:
    """Hard-link each of `paths` of `output` into `staging`, folders whole, links as links.

    `built` are the files the new build wrote into `staging`. A folder it made too (a page now
    takes the folder's name) gets what is not the build's; a file it writes too, or a file
    where it makes a folder, stops the build with `ForeignInTheWay`, naming each: replacing it
    would delete a file sitegen did not write. What else `staging` holds there (an earlier
    carry, in the output before last it was updated from) gives way to the file as it is now."""
    owned = Owned(set(built), output_folders(built))
    in_the_way: list[str] = []
    for path in paths:
        _carry_one(output / path, staging / path, path, owned, in_the_way)
    if in_the_way:
        shown = ", ".join(f"{output.name}/{path}" for path in in_the_way[:5])
        more = f" and {len(in_the_way) - 5} more" if len(in_the_way) > 5 else ""
        raise ForeignInTheWay(
            f"{shown}{more} {'was' if len(in_the_way) == 1 else 'were'} not written by sitegen, and "
            f"the new build writes its own {'file' if len(in_the_way) == 1 else 'files'} there; "
            "move them out of the output folder (or rename what now takes their place) and build again")


class Owned(NamedTuple):
    """The new build's own files, and the folders that hold them."""

    files: set[str]
    folders: set[str]


def _carry_one(source: Path, target: Path, path: str, owned: Owned, in_the_way: list[str]) -> None:
    info = os.lstat(source)
    if path in owned.folders and stat.S_ISDIR(info.st_mode):
        with os.scandir(source) as entries:
            names = sorted(entry.name for entry in entries)
        for name in names:
            _carry_one(source / name, target / name, f"{path}/{name}", owned, in_the_way)
        return
    if path in owned.files or path in owned.folders:
        in_the_way.append(path)
        return
    if os.path.lexists(target):  # carried before, into the output this staging was updated from
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if stat.S_ISDIR(info.st_mode):
        shutil.copytree(source, target, symlinks=True, copy_function=_link)
    else:
        _link(os.fspath(source), os.fspath(target))


def _link(source: str, target: str) -> None:
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
    elif os.path.isfile(source):
        try:
            os.link(source, target)
        except OSError:  # another file system, or a file system without hard links
            shutil.copy2(source, target)
