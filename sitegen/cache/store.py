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
    build meanwhile is not the one read.
    """
    with open(path, "rb") as stream:
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
        start = stream.tell()
        sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
        problem = _mismatch(found, described(kind, site, stream.tell() - start, sha256))
        if problem:
            raise CacheDiscarded(f"{path.name} {problem}")
        stream.seek(start)
        try:
            with collector.paused():
                return pickle.load(stream)
        except Exception as error:  # a payload that passed its checksum but not unpickling
            raise CacheDiscarded(f"{path.name} cannot be read ({type(error).__name__})") from None


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
