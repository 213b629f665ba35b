"""Make Pagefind's bundle byte-identical from build to build.

Pagefind 1.5 writes each filter's values, and the list of filters in its
metadata, in hash-map order, which changes from run to run; every file is
named by a hash of its contents, so the names change too. This puts both
lists in sorted order (what later Pagefind versions do themselves) and
renames the files the way Pagefind names them. Anything unexpected leaves
the bundle as Pagefind wrote it: it is valid either way, only not stable.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

PREFIX = b"pagefind_dcd"
"""Every Pagefind data file starts with this, before its CBOR."""
ENTRY_FILE = "pagefind-entry.json"
FILTER_HASH_LENGTH = 7
META_HASH_LENGTH = 10


class UnexpectedFormat(Exception):
    """A bundle this module does not understand; it is left alone."""


def pagefind_hash(data: bytes) -> str:
    """Pagefind's `full_hash`: SHA-1 printed byte by byte without zero padding."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(data).digest())


def stabilise(bundle: Path) -> bool:
    """Sort the filter files and metadata of every language; tell whether it could."""
    entry_path = bundle / ENTRY_FILE
    removals: list[Path] = []
    writes: dict[Path, bytes] = {}
    try:
        entry = json.loads(entry_path.read_text("utf-8"))
        for language, info in sorted(entry["languages"].items()):
            info["hash"] = _plan_language(bundle, language, info["hash"], removals, writes)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, UnexpectedFormat):
        return False
    # Everything was read and understood: only now change the bundle.
    for path in removals:
        path.unlink()
    for path, data in sorted(writes.items()):
        write_data(path, data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return True


def merge_bundle(part: Path, bundle: Path) -> None:
    """Move a bundle of other languages into `bundle`: their files are named by language,
    the scripts are the same in both, and the entry file lists every language."""
    entry_path = bundle / ENTRY_FILE
    entry = json.loads(entry_path.read_text("utf-8")) if entry_path.is_file() else None
    added = json.loads((part / ENTRY_FILE).read_text("utf-8"))
    if entry is None:
        entry = added
    else:
        entry["languages"].update(added["languages"])
    for path in sorted(part.rglob("*")):
        target = bundle / path.relative_to(part)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        elif path.name != ENTRY_FILE and not target.exists():
            path.replace(target)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _plan_language(
    bundle: Path, language: str, meta_hash: str, removals: list[Path], writes: dict[Path, bytes]
) -> str:
    """Plan the sorted files of one language; return the new name of its metadata."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = read_data(meta_path)
    if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
        raise UnexpectedFormat(meta_path.name)
    filters = []
    for name, old_hash in meta[3]:
        old_path = bundle / "filter" / f"{old_hash}.pf_filter"
        index = read_data(old_path)
        if not (isinstance(index, list) and len(index) == 2 and isinstance(index[1], list)):
            raise UnexpectedFormat(old_path.name)
        index[1].sort(key=lambda value: value[0].encode("utf-8"))
        data = encode(index)
        new_hash = f"{language}_{pagefind_hash(data)[:FILTER_HASH_LENGTH]}"
        removals.append(old_path)
        writes[bundle / "filter" / f"{new_hash}.pf_filter"] = data
        filters.append([name, new_hash])
    meta[3] = sorted(filters, key=lambda f: f[0].encode("utf-8"))
    data = encode(meta)
    new_meta_hash = f"{language}_{pagefind_hash(data)[:META_HASH_LENGTH]}"
    removals.append(meta_path)
    writes[bundle / f"pagefind.{new_meta_hash}.pf_meta"] = data
    return new_meta_hash


def read_data(path: Path) -> Any:
    """Decode a Pagefind data file, checking that it re-encodes to the same bytes."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(PREFIX):
        raise UnexpectedFormat(path.name)
    body = raw[len(PREFIX):]
    value, end = decode(body, 0)
    if end != len(body) or encode(value) != body:
        raise UnexpectedFormat(path.name)
    return value


def write_data(path: Path, data: bytes) -> None:
    # mtime=0: a gzip header holds a time stamp otherwise.
    path.write_bytes(gzip.compress(PREFIX + data, mtime=0))


# A CBOR subset (RFC 8949): what Pagefind's minicbor writes for these files.

def decode(data: bytes, at: int) -> tuple[Any, int]:
    """Decode one item at `at`; return it and where the next begins."""
    major, length, at = _head(data, at)
    if major in (0, 1):
        return (length if major == 0 else -1 - length), at
    if major in (2, 3):
        chunk = data[at:at + length]
        if len(chunk) != length:
            raise UnexpectedFormat("truncated")
        return (chunk if major == 2 else chunk.decode("utf-8")), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise UnexpectedFormat(f"CBOR major type {major}")


def _head(data: bytes, at: int) -> tuple[int, int, int]:
    first = data[at]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, at + 1
    sizes = {24: 1, 25: 2, 26: 4, 27: 8}
    if info not in sizes:
        raise UnexpectedFormat("indefinite length")
    size = sizes[info]
    return major, int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


def encode(value: Any) -> bytes:
    """Encode with the shortest heads, as minicbor does."""
    if isinstance(value, bool) or value is None:
        raise UnexpectedFormat(repr(value))
    if isinstance(value, int):
        return _encode_head(0, value) if value >= 0 else _encode_head(1, -1 - value)
    if isinstance(value, bytes):
        return _encode_head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _encode_head(3, len(data)) + data
    if isinstance(value, list):
        return _encode_head(4, len(value)) + b"".join(encode(v) for v in value)
    raise UnexpectedFormat(type(value).__name__)


def _encode_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if length < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, length)
    raise UnexpectedFormat("length too large")
