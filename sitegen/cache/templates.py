"""Compiled templates kept in the site's cache folder, so a new process does not compile them again.

Each `sitegen build` is a new process, and Jinja compiled every template of the theme
again before the first page (about a fifth of a second, a third of what a build after a
one-entry edit may take). Jinja's own bytecode cache keeps each compiled template with a
checksum of its source and rejects it when the source changed; the folder is named after
sitegen's code digest (`store.code_digest`: its modules and the libraries' versions), since
the compiled code also depends on the environment sitegen sets up. Older folders are
deleted when a new one is made. Each file is sealed with a SHA-256 of what it holds, as
every other cache file is (`store`): one that cannot be read back, or whose bytes are not
the ones written (a flipped bit turned `<a href=` into another tag, silently), is deleted and
compiled again, with a notice.

The folder also keeps, by the hash of each template's source, the names of the templates
it extends, includes or imports: a page's fingerprint covers them (`rendering.theme`), and
finding them parses the template, 0.1 s for the theme in every new process.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from sitegen.cache.store import code_digest

PREFIX = "templates-"


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache, which never lets a bad file fail a build."""

    def __init__(self, directory: Path, notice: Callable[[str], None]) -> None:
        super().__init__(os.fspath(directory))
        self.notice = notice

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self._get_cache_filename(bucket)
        try:
            with open(path, "rb") as stream:
                payload = unsealed(stream.read())
        except OSError:  # none yet (or unreadable): compiled, as without a cache
            return
        try:
            if payload is None:
                raise ValueError("its checksum does not match")
            bucket.load_bytecode(io.BytesIO(payload))
        except Exception as error:  # garbage where Jinja expects its header: compile again
            bucket.reset()
            with contextlib.suppress(OSError):
                os.unlink(path)
            self.notice(f"build cache discarded: a compiled template could not be read "
                        f"({error if isinstance(error, ValueError) else type(error).__name__}); "
                        "compiling it again")

    def dump_bytecode(self, bucket: Bucket) -> None:
        buffer = io.BytesIO()
        bucket.write_bytecode(buffer)
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_whole(self._get_cache_filename(bucket), sealed(buffer.getvalue()), self.directory)

    def references(self, source: str, find: Callable[[str], list[str]]) -> list[str]:
        """The templates `source` names, as `find` says, kept by the source's hash for the next
        process; a file that is not a list of names is found again and replaced."""
        digest = hashlib.sha256(source.encode()).hexdigest()
        path = os.path.join(self.directory, f"refs-{digest}.json")
        with contextlib.suppress(OSError, ValueError):
            with open(path, "rb") as stream:
                payload = unsealed(stream.read())
            kept = json.loads(payload) if payload is not None else None
            if isinstance(kept, list) and all(isinstance(name, str) for name in kept):
                return kept
        found = find(source)
        with contextlib.suppress(OSError):
            write_whole(path, sealed(json.dumps(found).encode()), self.directory)
        return found


SEAL = b"sitegen-sealed\n"
"""What a sealed file starts with, before the SHA-256 of the rest."""


def sealed(payload: bytes) -> bytes:
    """`payload` with a checksum of itself before it (see `unsealed`)."""
    return SEAL + hashlib.sha256(payload).digest() + payload


def unsealed(data: bytes) -> bytes | None:
    """What `sealed` was given, or None when `data` is not those bytes."""
    start = len(SEAL) + hashlib.sha256().digest_size
    payload = data[start:]
    if not data.startswith(SEAL) or hashlib.sha256(payload).digest() != data[len(SEAL):start]:
        return None
    return payload


def write_whole(path: str, data: bytes, directory: str) -> None:
    """Write a file whole, then rename it into place: another process reads the old or the new."""
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def template_cache(folder: Path, notice: Callable[[str], None]) -> TemplateCache | None:
    """The compiled-template cache of this sitegen in a site's cache folder; None if it cannot
    be made (the build compiles as before)."""
    directory = folder / f"{PREFIX}{code_digest()}"
    try:
        if not directory.is_dir():
            directory.mkdir(parents=True, exist_ok=True)
            for older in folder.glob(f"{PREFIX}*"):
                if older != directory:
                    shutil.rmtree(older, ignore_errors=True)
    except OSError:
        return None
    return TemplateCache(directory, notice)
