"""Parse content files and convert their bodies on every core before a read that needs many.

Converting Markdown is most of a cold read, and it is the same pure function of
a body's text whichever process runs it. So when the cache is empty (a
cold build, a first build in CI), forked workers run the reader's own
`load` and `convert` over them, and the read that follows, one file after
another as before, finds every parse and conversion already made. What it
reports, in what order, is exactly what a read without this would report:
problems are found and told by that read, never here.
"""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.progress import Progress, no_progress
from sitegen.reading.document import attach_packed_meta, pack_meta
from sitegen.reading.markup import MarkupError, Rendered
from sitegen.reading.sources import FileCache, ParsedFile, SourceReader
from sitegen.structure.diagnostics import Diagnostics
from sitegen.writing.workers import MAX_WORKERS, CannotFork, WorkersLost, can_fork, forked_map

PREFETCH_MIN_FILES = 200
"""Below this many new files, starting workers costs more than converting in one process."""
CHUNKS_PER_WORKER = 8
"""Each chunk is read by a child forked for it (`forked_map`), which costs the parent the copy
of every page it writes next (~15 ms while it takes in results): a few hundred files a chunk,
and still enough chunks that the workers end together."""

Found = tuple[str, ParsedFile, bytes | None, tuple[bool, str] | None, Rendered | None]
"""A file's path relative to the site, its parse with its front matter packed apart (`pack_meta`),
and its body's cache key and conversion."""

_reader: SourceReader | None = None
"""The reader a forked worker uses: inherited, with the settings and the cache of earlier reads."""


def prefetch(sources: SourceReader, folder: Path, progress: Progress = no_progress) -> int:
    """On a cold read, parse and convert the files under `folder` in parallel, into
    `sources.ahead`; return how many files were handed to workers (0: none were).

    A warm cache already holds every parse and conversion but the few edited files', so
    listing and stat-ing the whole folder once more (~0.9 s at 10,000 entries) would cost
    more than it could save: only a read with an empty cache is prefetched.
    """
    if sources.previous.files or not can_fork():
        return 0
    paths = sources.markdown_files(folder, Diagnostics())
    if len(paths) < PREFETCH_MIN_FILES:
        return 0
    global _reader
    _reader = sources
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    size = -(-len(paths) // (workers * CHUNKS_PER_WORKER))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    try:
        for done, (found, parsed, converted) in enumerate(forked_map(_read_chunk, chunks, workers)):
            progress("reading", done * size, len(paths))
            keep(sources.ahead, found)
            sources.parsed += parsed
            sources.converted += converted
    except (WorkersLost, CannotFork):
        pass  # an optimisation only: the read parses what the workers did not
    finally:
        _reader = None
    return len(paths)


def keep(ahead: FileCache, found: list[Found]) -> None:
    """Put what a worker made where the read will look for it."""
    for relative, parsed, packed, key, rendered in found:
        attach_packed_meta(parsed.document, packed)
        ahead.files[relative] = parsed
        if key is not None and rendered is not None:
            ahead.bodies[key] = rendered


def _read_chunk(paths: list[Path]) -> tuple[list[Found], int, int]:
    """In a worker: parse each file and convert its body as the read would; skip what fails."""
    sources = _reader
    assert sources is not None
    parsed_before, converted_before = sources.parsed, sources.converted
    found: list[Found] = []
    for path in paths:
        try:
            parsed = sources.load(path)
        except OSError:
            continue  # the read meets the same error and reports it
        key, rendered = None, None
        try:
            rendered = sources.convert(parsed.document.body)
            key = sources.body_key(parsed.document.body)
        except MarkupError:
            pass  # reported, at its line, by the read
        found.append((sources.rel(path), parsed, pack_meta(parsed.document), key, rendered))
    return found, sources.parsed - parsed_before, sources.converted - converted_before
