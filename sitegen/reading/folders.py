"""What reading one story folder found, kept for a read that knows which files changed.

The preview's watcher says which files changed since the last build; a story
folder with none of them would be read to the same result, so the next read
replays that result instead of listing and checking its files again: the story
and its entries, the problems found, the tags registered (in order, since the
first spelling names a tag), and the parsed files and bodies the cache keeps.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sitegen.reading.entries import CheckedEntry, RawEntry
from sitegen.reading.links import Unlisted
from sitegen.reading.sources import FileCache
from sitegen.structure.diagnostics import Diagnostic
from sitegen.structure.model import Speaker, Story

CONTENT_PREFIX = "content/"


@dataclass
class FolderRead:
    """One story folder's read, as the read that follows may replay it."""

    result: tuple[Story, list[RawEntry]] | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    """Each tag's first spelling in the folder, by slug, in the order the folder registered them."""
    unlisted: Unlisted = field(default_factory=Unlisted)
    checked: dict[str, CheckedEntry] = field(default_factory=dict)
    files: FileCache = field(default_factory=FileCache)


@dataclass
class SpeakersRead:
    """The speakers folder's read, replayed like a story folder's while none of its files changed."""

    speakers: dict[str, Speaker] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    files: FileCache = field(default_factory=FileCache)


def touched_folders(changed: Collection[str]) -> set[str] | None:
    """The names of the folders of content/ that changed paths are in; None if content/ itself
    changed (a folder added or removed is a path under it, so it is named too)."""
    names: set[str] = set()
    for path in changed:
        if path == "content" or path == "content/":
            return None
        if path.startswith(CONTENT_PREFIX):
            names.add(path[len(CONTENT_PREFIX):].split("/", 1)[0])
    return names
