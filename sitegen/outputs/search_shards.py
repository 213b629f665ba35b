"""Which search records go into which Pagefind bundle, so that an edit re-indexes one of them.

Pagefind takes about 0.7 ms a record, one after another, and writes its whole
bundle each time: at 10,000 entries an index made again for a one-word edit
costs ten seconds, and the binary's memory grows with the records it holds.
So the records are split into shards, each its own bundle, which the search
page merges in the browser (Pagefind's `mergeIndex`); only a shard whose
records changed is indexed again, and shards are indexed one after another.

All records of a story (in every language) share a shard, and shards follow
the stories in slug order. Where a shard ends is decided by the stories around
the cut, not by counting from the first story (content-defined chunking, as
rsync cuts files): once a shard holds three quarters of `SHARD_RECORDS` records
it ends after a story with a chance that grows with the story's records, drawn
from a hash of the story's slug, and once it holds one and a half times as many
it ends. (Between a half and twice, the sizes spread so that an edit, which falls
in a large shard more often than in a small one, re-indexed 930 records on average
at 10,000 entries (now 840), and two shards of 1,300 and 1,600 indexed at once
made the cold build's peak of memory.) Adding an
entry or a story therefore moves at most the cuts next to it, and the shards
further on keep their records and are reused. A last shard smaller than the
minimum joins the one before, so a site of fewer than `SHARD_RECORDS` records
has one shard: the bundle in `pagefind/`, as before there were shards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.outputs.search_records import SearchRecord

SHARD_RECORDS = 800
"""How many records a shard holds on average (a record is an entry page in one language).

Smaller shards make an edit cheaper to index but a search fetch more files (every shard's
index part for each word); tests set it to 2 to give each story a shard of its own."""
SHARDS_FOLDER = "shards"
"""Inside the bundle: the shards after the first, as `shards/1/`, `shards/2/`…"""


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle of the index: the records of some stories."""

    folder: str
    """Inside the bundle folder: "" for the first (the primary, with Pagefind's scripts), else `shards/N/`."""
    stories: frozenset[str]
    records: int
    fingerprint: str
    """Of its records, its role and the binary: an equal one means an equal bundle, wherever it lies."""


def binary_signature(binary: Path) -> str:
    """What identifies the binary that indexes: another version writes other bytes."""
    stat = binary.stat()
    return f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"


def plan_shards(records: Iterable[SearchRecord], binary: Path) -> list[Shard]:
    """Split the records into shards, the same way for the same records; never an empty list."""
    digests: dict[str, hashlib._Hash] = {}
    counts: dict[str, int] = {}
    for record in records:
        digest = digests.get(record.story)
        if digest is None:
            digest = digests[record.story] = hashlib.sha256()
            counts[record.story] = 0
        digest.update(record.digest)
        counts[record.story] += 1
    groups = cut([(slug, counts[slug]) for slug in sorted(digests)])
    signature = binary_signature(binary)
    shards = []
    for number, group in enumerate(groups):
        folder = f"{SHARDS_FOLDER}/{number}/" if number else ""
        fingerprint = hashlib.sha256(f"{signature}\0{'merged' if number else 'primary'}\0".encode())
        for slug in group:
            fingerprint.update(f"{slug}\0{digests[slug].hexdigest()}\0".encode("utf-8", "replace"))
        shards.append(Shard(folder, frozenset(group), sum(counts[slug] for slug in group),
                            fingerprint.hexdigest()))
    return shards


def cut(stories: list[tuple[str, int]]) -> list[list[str]]:
    """Group (slug, records) in order into shards; always at least one group, maybe empty."""
    size = max(SHARD_RECORDS, 2)
    least, most = size * 3 // 4, size * 3 // 2
    chance = 1 / (size - least)
    """Per record, past the least: so shards hold `size` records on average."""
    groups: list[list[str]] = [[]]
    held = [0]
    for slug, records in stories:
        groups[-1].append(slug)
        held[-1] += records
        if held[-1] >= most or (held[-1] >= least and draw(slug) < records * chance):
            groups.append([])
            held.append(0)
    if len(groups) > 1 and held[-1] < least:
        groups[-2].extend(groups.pop())
    return groups


def draw(slug: str) -> float:
    """A number in [0, 1) that only the slug decides."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8", "replace")).digest()[:8], "big") / 2**64


def shard_list(shards: Iterable[Shard]) -> str:
    """`shards.json`: the folders of the shards the search page merges into the first, in order."""
    return json.dumps({"shards": [shard.folder for shard in shards if shard.folder]}, separators=(",", ":"))
