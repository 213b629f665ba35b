"""What a build into one output folder leaves for the next build, in the site's cache folder.

The record holds each output file's fingerprint (equal fingerprints mean
equal bytes) and the stat it had when written. A later build trusts a
fingerprint only while its file is still the one written, so an output that
was edited, deleted or replaced by another build is rendered again, never
taken as current.

The record also holds the build's inputs (`snapshot`), settings and
problems: when none of them changed and the output is intact, the build is
replayed (its problems printed again) without reading, planning or rendering
anything, in the time it takes to stat the site.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR

from sitegen.cache import store
from sitegen.cache.location import output_key, site_cache_folder
from sitegen.cache.snapshot import Snapshot, take
from sitegen.structure.diagnostics import Diagnostic
from sitegen.summary import BuildResult
from sitegen.writing.outputguard import BuildLocked, output_lock

KIND = "output"

Stat = tuple[int, int, int]
"""(modification ns, size, inode): what a file or folder was when recorded."""


def stat_of(info: os.stat_result) -> Stat:
    """The `Stat` of a file or folder from what `os.stat` or `os.lstat` said of it."""
    return (info.st_mtime_ns, info.st_size, info.st_ino)


Signature = tuple[tuple[str, int, int, int], ...]
"""How a file is on disk: ((path, modification ns, size, inode),); for a folder a post-stage
wrote (a key ending in `/`), the same of the folder and of every folder and file inside it."""


@dataclass(frozen=True)
class BuildSettings:
    """What a build was asked to do, besides what its input files say."""

    site: str
    output: str
    base_url: str | None
    drafts: bool
    strict: bool
    search_index: bool


@dataclass(frozen=True)
class OutputRecord:
    """One finished build into one output folder."""

    settings: BuildSettings
    inputs: Snapshot | None
    """Every file the build depended on; None when it cannot be replayed (a file of
    `fingerprints` missing from `written` is one such case)."""
    expires_ns: int | None
    """When its problems stop being current (an entry dated in the future comes of age)."""
    fingerprints: dict[str, str]
    """By output path; a key ending in `/` is a folder a post-stage wrote (the search index)."""
    written: dict[str, Signature]
    """How each file (or post-stage folder) of `fingerprints` was on disk after the build."""
    diagnostics: tuple[Diagnostic, ...]
    """As the build reported them."""
    files: int
    entries: int

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its three large fields each a pickle of its own, unpickled when first
        asked for: a replay's walk of the inputs needs only `inputs`, and its check of the
        output (in another process) only `written`; `fingerprints`, the largest, only a build."""
        small = tuple(getattr(self, name) for name in _SMALL_FIELDS)
        packed = tuple(pickle.dumps(getattr(self, name), protocol=pickle.HIGHEST_PROTOCOL)
                       for name in _PACKED_FIELDS)
        return (_unpacked_record, (small, packed))

    def __getattr__(self, name: str) -> object:
        """A large field of a record read from the cache, unpickled the first time it is asked for."""
        packed = self.__dict__.get(_PACKED)
        if packed is None or name not in packed:
            raise AttributeError(name)
        value = pickle.loads(packed[name])
        object.__setattr__(self, name, value)
        packed.pop(name, None)  # after the field is set: a second thread asking meanwhile finds one
        return value


_PACKED = "_packed"
_PACKED_FIELDS = ("inputs", "fingerprints", "written")
_SMALL_FIELDS = ("settings", "expires_ns", "diagnostics", "files", "entries")


def _unpacked_record(small: tuple[object, ...], packed: tuple[bytes, ...]) -> OutputRecord:
    """An `OutputRecord` from its pickle (`OutputRecord.__reduce__`); its large fields still packed."""
    record = object.__new__(OutputRecord)
    for name, value in zip(_SMALL_FIELDS, small, strict=True):
        object.__setattr__(record, name, value)
    object.__setattr__(record, _PACKED, dict(zip(_PACKED_FIELDS, packed, strict=True)))
    return record


RECORD_PREFIX = "output-"


def record_path(folder: Path, output: Path) -> Path:
    """Where the record of builds into `output` is kept in a site's cache folder."""
    return folder / f"{RECORD_PREFIX}{output_key(output)}.cache"


def load(folder: Path, site: Path, output: Path) -> OutputRecord | None:
    """The record of the last build into `output`; None if there is none.

    Raises `store.CacheDiscarded` for one that must not be used.
    """
    try:
        record = store.read(record_path(folder, output), KIND, site)
    except FileNotFoundError:
        return None
    if not isinstance(record, OutputRecord):
        raise store.CacheDiscarded(f"{record_path(folder, output).name} holds something else")
    return record


def save(folder: Path, site: Path, output: Path, record: OutputRecord) -> None:
    """Keep the record of a build into `output` (atomic; raises OSError if it cannot be written)."""
    store.write(record_path(folder, output), KIND, site, record)


def written_signatures(output: Path, paths: Iterable[str],
                       known: Mapping[str, Stat] | None = None) -> dict[str, Signature]:
    """How the output's files are on disk now, for the record of the build that wrote them;
    the (modification ns, size, inode) of those in `known` are taken from there."""
    result: dict[str, Signature] = {}
    known = known or {}
    paths = list(paths)
    folders = {path.rstrip("/") for path in paths if path.endswith("/")}
    for path in paths:
        is_folder = path.endswith("/")
        seen = None if is_folder else known.get(path)
        if seen is not None:
            result[path] = ((path, *seen),)
            continue
        if is_folder:
            own = {folder for folder in folders if folder.startswith(path)}
            signature = _folder_signature(output, path, own=own)
        else:
            signature = _file_signature(str(output), path)
        if signature is not None:
            result[path] = signature
    return result


def trusted_fingerprints(record: OutputRecord, output: Path, prefix: str = "") -> dict[str, str]:
    """The record's fingerprints (of the paths starting with `prefix`) whose files are still
    exactly as that build left them."""
    return {
        path: fingerprint for path, fingerprint in record.fingerprints.items()
        if path.startswith(prefix) and path in record.written
        and _unchanged(str(output), path, record.written[path])
    }


@dataclass(frozen=True)
class Unreplayed:
    """What a look for a replay found instead: the build that follows takes it, not looking again."""

    record: OutputRecord | None
    """The record of the last build into the output, if it could be read."""
    inputs: Snapshot | None
    """The record's inputs walked anew, before anything was read: the build's own snapshot."""


def replay(record: OutputRecord, settings: BuildSettings, started: float,
           taken: Snapshot | None = None, intact: Callable[[], bool] | None = None) -> BuildResult | None:
    """The result of a build in which nothing changed, or None when something did;
    `taken` is a walk of the record's inputs just made, `intact` the answer of
    `output_intact` being found meanwhile."""
    if not replayable(record, settings):
        return None
    assert record.inputs is not None
    if record.inputs.first_change(taken) is not None:
        return None
    if not (intact() if intact is not None else output_intact(settings.output, record)):
        return None
    return BuildResult(
        diagnostics=list(record.diagnostics), ok=True, files=record.files,
        seconds=time.perf_counter() - started, entries=record.entries,
    )


def replayable(record: OutputRecord, settings: BuildSettings) -> bool:
    """Tell whether the record's build may be replayed if its inputs and output are as it left them."""
    if record.settings != settings or record.inputs is None:
        return False
    return record.expires_ns is None or time.time_ns() < record.expires_ns


def output_intact(output: str, record: OutputRecord) -> bool:
    """Tell whether every file the record's build wrote is still as that build left it.

    A record whose `written` misses a file of its `fingerprints` is made without `inputs`
    (`build.Builder._keep_record`), so is never replayed: only `written` is unpickled here.
    The loop that stats a whole output (67,000 files at 50,000 entries) is written out:
    a call per file for each step made it a third slower."""
    written = record.written
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    stat = os.stat
    try:
        for path, signature in written.items():
            if path.endswith("/"):
                if not _named_unchanged(folder, signature):
                    return False
                continue
            info = stat(path, dir_fd=folder)
            if (path, info.st_mtime_ns, info.st_size, info.st_ino) != signature[0]:
                return False
    except OSError:
        return False
    finally:
        os.close(folder)
    return True


def _unchanged(output: str, path: str, signature: Signature) -> bool:
    if not path.endswith("/"):
        return _file_signature(output, path) == signature
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        return _named_unchanged(folder, signature)
    except OSError:  # one of them is gone
        return False
    finally:
        os.close(folder)


def _named_unchanged(folder: int, signature: Signature) -> bool:
    """Whether every folder and file a post-stage's signature names (relative to the output,
    open as `folder`) is as `_folder_signature` saw it; OSError if one is gone. A file added
    changes its folder's time."""
    stat = os.stat
    for seen in signature:
        info = stat(seen[0], dir_fd=folder, follow_symlinks=False)
        if (seen[0], info.st_mtime_ns, info.st_size, info.st_ino) != seen:
            return False
    return True


def _file_signature(output: str, path: str) -> Signature | None:
    # Strings, not Paths: a replay stats every file of the output, and pathlib would double its time.
    stat = _stat(f"{output}/{path}")
    return ((path, *stat),) if stat is not None else None


def _stat(path: str | Path) -> Stat | None:
    try:
        return stat_of(os.stat(path))
    except OSError:
        return None


def _folder_signature(output: Path, path: str, own: Collection[str] = ()) -> Signature | None:
    """Every folder and file of a post-stage's output, as they are now, but for the folders in
    `own` (other keys, with signatures of their own: the search index's other shards).

    A search index has a file per page, which a hand edit may change in place (that leaves
    its folder's time as it was), so each file is named, not only each folder
    (`_named_unchanged` checks them again). Not followed through links, as `os.scandir` sees
    them: a file swapped for a link is not the file.
    """
    base = os.fspath(output)
    top = path.rstrip("/")
    try:
        info = os.lstat(f"{base}/{top}")
    except OSError:
        return None
    if not S_ISDIR(info.st_mode):
        return None
    signature = [(top, info.st_mtime_ns, info.st_size, info.st_ino)]
    folders = [top]
    try:
        while folders:
            folder = folders.pop()
            with os.scandir(f"{base}/{folder}") as entries:
                for entry in entries:
                    name = f"{folder}/{entry.name}"
                    if name in own:
                        continue
                    info = entry.stat(follow_symlinks=False)
                    signature.append((name, info.st_mtime_ns, info.st_size, info.st_ino))
                    if S_ISDIR(info.st_mode):
                        folders.append(name)
    except OSError:
        return None
    return tuple(sorted(signature))


def replay_unchanged(root: Path, settings: BuildSettings) -> BuildResult | Unreplayed:
    """The last build into the output again, if nothing changed; else what the look found.

    Needs nothing but the standard library, the record and `workers` to fork, so
    `sitegen build` with nothing to do never imports the machinery of a build. Any problem
    with the record means none is handed on: the build that follows reads it
    again and reports what is wrong with it. The output is checked on the other
    core while this one walks the inputs: at 50,000 entries each is a stat of
    some 60,000 files, and one after the other they were half the command.
    """
    started = time.perf_counter()
    site, output = Path(settings.site), Path(settings.output)
    try:
        with output_lock(output):
            found = load(site_cache_folder(root, site), site, output)
            if found is None:
                return Unreplayed(None, None)
            if found.inputs is None or not replayable(found, settings):
                return Unreplayed(found, take(found.inputs.roots) if found.inputs is not None else None)
            with _intact_ahead(settings.output, found) as intact:
                taken = take(found.inputs.roots)
                return replay(found, settings, started, taken, intact) or Unreplayed(found, taken)
    except (OSError, store.CacheDiscarded, BuildLocked):
        return Unreplayed(None, None)


@contextlib.contextmanager
def _intact_ahead(output: str, record: OutputRecord) -> Iterator[Callable[[], bool]]:
    """`output_intact` started in a child process; what is yielded waits for its answer (or
    finds it here when there is no child, or it was lost). A child still running when the
    caller is done without it is stopped."""
    from sitegen.writing import workers

    child = None
    if workers.can_fork():
        with contextlib.suppress(workers.CannotFork):
            child = workers.fork_job(_output_intact_job, (output, record))

    def answer() -> bool:
        nonlocal child
        if child is not None:
            waited, child = child, None
            waited.done(wait=True)
            with contextlib.suppress(Exception):
                return bool(waited.result())
        return output_intact(output, record)

    try:
        yield answer
    finally:
        if child is not None:
            child.kill()


def _output_intact_job(job: tuple[str, OutputRecord]) -> bool:
    return output_intact(*job)
