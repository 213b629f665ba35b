"""Cache files: a header that says who made the file and for which site, then a checked payload.

    SITEGEN-CACHE
    {"format": 1, "kind": "read", "sitegen": "0.1.0", "python": "3.11.7", "code": "…",
     "site": "/home/me/checks", "size": 123456, "sha256": "…"}
    <pickle of the payload>

Every field must match this run, and the payload its size and checksum, before
the payload is unpickled; anything else (another format, another sitegen or
Python, the code or libraries changed since, another site, a truncated or
garbled file) is `CacheDiscarded`, which the build reports once and then
rebuilds without the cache. Files are written whole beside their place and
renamed into it, so two builds at once never leave half a file: the last one
to finish wins.

The payload is a pickle: the cache folder is the user's own, as trusted as the
site's templates are; the checksum guards against damage, not against an
attacker who can already write there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import io
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from sitegen import __version__, collector

MAGIC = b"SITEGEN-CACHE\n"
HEADER_LIMIT = 1 << 16
"""The longest header line read: a site's path is at most a few kilobytes."""
FORMAT = 1
"""Bump when the header or a payload's shape changes in a way the code check would not see."""
LIBRARIES = {
    "markdown": "markdown", "nh3": "nh3", "jinja2": "jinja2", "markupsafe": "markupsafe",
    "yaml": "pyyaml", "frontmatter": "python_frontmatter", "babel": "babel",
}
"""What shapes the output besides sitegen (module: distribution): a new version makes the cache stale."""


class CacheDiscarded(Exception):
    """A cache file that must not be trusted; the message says why, for the user."""


@functools.cache
def code_digest() -> str:
    """A hash of sitegen's own modules and of the versions of the libraries that shape the output.

    The version number alone is not enough: a checkout between releases, or an upgraded
    Markdown library, would otherwise read a cache its code did not write. Contents and
    versions, not modification times, so a CI runner that installs the same sitegen
    afresh each run still uses the cache it restored.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for module, distribution in LIBRARIES.items():
        digest.update(f"{module}={library_version(module, distribution)}\n".encode())
    return digest.hexdigest()[:24]


def library_version(module: str, distribution: str) -> str:
    """A library's version from its installed `*.dist-info` folder's name, else its file's stat.

    Read from the folder listing: importing `importlib.metadata` costs more than a whole
    build with nothing to do.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "missing"
    origin = Path(spec.origin)
    folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    for name in _listing(folder):
        project, _, version = name.removesuffix(".dist-info").partition("-")
        normal = project.lower().replace("-", "_").replace(".", "_")
        if name.endswith(".dist-info") and normal == distribution:
            return version
    try:
        stat = origin.stat()
    except OSError:
        return "missing"
    return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"


@functools.cache
def _listing(folder: Path) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder))
    except OSError:
        return ()


def described(kind: str, site: Path, size: int, sha256: str) -> dict[str, object]:
    """What a cache file of this kind, made by this run for this site, says about itself."""
    return {
        "format": FORMAT,
        "kind": kind,
        "sitegen": __version__,
        "python": sys.version.split()[0],
        "code": code_digest(),
        "site": str(site),
        "size": size,
        "sha256": sha256,
    }


class _Hashing:
    """A file the pickle is written to as it is made, hashed and counted on the way: at 10,000
    entries the payload is 100 MB, which a pickle made in memory first held twice."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.stream.write(data)


def write(path: Path, kind: str, site: Path, payload: object) -> None:
    """Write a cache file whole, then rename it into place (atomic: last writer wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            # The header, which hashes the payload, is written over room left for its longest form.
            width = len(json.dumps(described(kind, site, 10**18, "0" * 64), sort_keys=True).encode())
            stream.write(b" " * (len(MAGIC) + width + 1))
            hashing = _Hashing(stream)
            pickle.dump(payload, hashing, protocol=pickle.HIGHEST_PROTOCOL)
            head = json.dumps(described(kind, site, hashing.size, hashing.digest.hexdigest()),
                              sort_keys=True).encode()
            stream.seek(0)
            stream.write(MAGIC + head.ljust(width) + b"\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read(path: Path, kind: str, site: Path) -> object:
    """The payload of a cache file written by this sitegen for this site.

    Raises FileNotFoundError when there is none, `CacheDiscarded` when there is one
    that must not be used. The payload is hashed as it streams past, then unpickled from
    the file: at 10,000 entries a payload read whole first held 110 MB of bytes beside the
    objects made from it. The file is open throughout, so one renamed over it by another
    build meanwhile is not the one read. A file `check_ahead` was asked to check is taken
    as that check found it.
    """
    ahead = _ahead.pop((path, kind, site), None)
    stream = (ahead.taken() if ahead is not None else None) or opened_checked(path, kind, site)
    with stream:
        try:
            with collector.paused():
                return pickle.load(stream)
        except Exception as error:  # a payload that passed its checksum but not unpickling
            raise CacheDiscarded(f"{path.name} cannot be read ({type(error).__name__})") from None


def opened_checked(path: Path, kind: str, site: Path) -> io.BufferedReader:
    """The file open at its payload, once its header and checksum say this run may unpickle it."""
    stream, found, start = _opened_header(path)
    return _passed(stream, path, found, start, kind, site, None)


def _passed(stream: io.BufferedReader, path: Path, found: dict[str, object], start: int, kind: str,
            site: Path, hashed: tuple[int, str] | None) -> io.BufferedReader:
    """The stream back at its payload once the header describes this run's file of this kind,
    with the payload's size and SHA-256 (`hashed`, or hashed here); closed if not."""
    try:
        _check(path, found, described(kind, site, *(hashed or _hash_from(stream.fileno(), start))))
        stream.seek(start)
    except BaseException:
        stream.close()
        raise
    return stream


def _opened_header(path: Path) -> tuple[io.BufferedReader, dict[str, object], int]:
    """The file open just past its header, what the header says, and where the payload starts."""
    stream = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    try:
        if stream.readline(len(MAGIC)) != MAGIC:
            raise CacheDiscarded(f"{path.name} is not a sitegen cache file")
        line = stream.readline(HEADER_LIMIT)
        if not line.endswith(b"\n"):
            raise CacheDiscarded(f"{path.name} is truncated")
        try:
            found = json.loads(line)
        except ValueError:
            raise CacheDiscarded(f"{path.name} has a damaged header") from None
        if not isinstance(found, dict):
            raise CacheDiscarded(f"{path.name} has a damaged header")
    except BaseException:
        stream.close()
        raise
    return stream, found, stream.tell()


def _check(path: Path, found: dict[str, object], expected: dict[str, object]) -> None:
    problem = _mismatch(found, expected)
    if problem:
        raise CacheDiscarded(f"{path.name} {problem}")


HASH_CHUNK = 1 << 20


def _hash_from(descriptor: int, start: int) -> tuple[int, str]:
    """How many bytes follow `start` in an open file, and their SHA-256; by offset, so the
    file's position (which a forked child shares with its parent) is left alone."""
    digest = hashlib.sha256()
    offset = start
    while chunk := os.pread(descriptor, HASH_CHUNK, offset):
        digest.update(chunk)
        offset += len(chunk)
    return offset - start, digest.hexdigest()


class _CheckAhead:
    """A cache file open at its payload, whose checksum a child process is computing."""

    def __init__(self, path: Path, kind: str, site: Path) -> None:
        from sitegen.writing.workers import CannotFork, Child, fork_job

        self.path, self.kind, self.site = path, kind, site
        self._stream: io.BufferedReader | None = None
        self._child: Child | None = None
        try:
            self._stream, self._found, self._start = _opened_header(path)
        except (OSError, CacheDiscarded):
            return  # `read` looks again, and says what it finds
        with contextlib.suppress(CannotFork):  # `taken` hashes the file itself
            self._child = fork_job(_hash_job, (self._stream.fileno(), self._start))

    def taken(self) -> io.BufferedReader | None:
        """The file open at its payload once the check passed; raises what `read` would. None
        when the check could not open the file, or the file at its path was replaced since (by
        another build, or by this process: a check no read took is never taken later)."""
        hashed: tuple[int, str] | None = None
        if self._child is not None:
            self._child.done(wait=True)
            with contextlib.suppress(Exception):  # a child that died: hashed here
                hashed = self._child.result()
        stream = self._stream
        if stream is None:
            return None
        if not _same_file(stream, self.path):
            stream.close()
            return None
        return _passed(stream, self.path, self._found, self._start, self.kind, self.site, hashed)


def _hash_job(job: tuple[int, int]) -> tuple[int, str]:
    """In a child of `_CheckAhead`: hash the payload of the file open at this descriptor."""
    return _hash_from(*job)


def _same_file(stream: io.BufferedReader, path: Path) -> bool:
    try:
        seen, now = os.fstat(stream.fileno()), os.stat(path)
    except OSError:
        return False
    return (seen.st_ino, seen.st_dev, seen.st_mtime_ns) == (now.st_ino, now.st_dev, now.st_mtime_ns)


_ahead: dict[tuple[Path, str, Path], _CheckAhead] = {}


def check_ahead(path: Path, kind: str, site: Path) -> None:
    """Start checking a cache file that `read` will be asked for, on another core.

    Hashing the 100 MB read cache of 10,000 entries takes 0.08 s, which a child process
    forked for it spends while `sitegen build` imports the modules of a build (0.15 s); the
    payload is still unpickled only once it has passed. (A thread would not do: it waits
    for the interpreter's lock between reads, and imports hold it.) Only from a process
    with no other thread, which a fork would copy in whatever state it is in.
    """
    from sitegen.writing.workers import can_fork

    key = (path, kind, site)
    if key not in _ahead and can_fork():
        _ahead[key] = _CheckAhead(path, kind, site)


def _mismatch(found: dict[str, object], expected: dict[str, object]) -> str:
    """Why a header does not describe a file this run may use, or ""."""
    if found.get("format") != expected["format"]:
        return f"has cache format {found.get('format')}, not {expected['format']}"
    if found.get("kind") != expected["kind"]:
        return f"holds {found.get('kind')}, not {expected['kind']}"
    if found.get("site") != expected["site"]:
        return f"belongs to another site ({found.get('site')})"
    if found.get("sitegen") != expected["sitegen"]:
        return f"was made by sitegen {found.get('sitegen')}, not {expected['sitegen']}"
    if found.get("python") != expected["python"]:
        return f"was made by Python {found.get('python')}, not {expected['python']}"
    if found.get("code") != expected["code"]:
        return "was made by another build of sitegen or of its libraries"
    size = found.get("size")
    if size != expected["size"]:
        shorter = isinstance(size, int) and isinstance(expected["size"], int) and size > expected["size"]
        return "is truncated" if shorter else "has the wrong size"
    if found.get("sha256") != expected["sha256"]:
        return "is damaged (its checksum does not match)"
    return ""
