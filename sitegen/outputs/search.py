"""Full-text search that needs no server: a Pagefind index of every entry.

The index is built from the build's own data, not from the written pages:
`search_records` makes one small document per entry page of every language,
and the Pagefind binary (from the `pagefind-bin` wheel) indexes them through
its service API. The index is split into shards (`search_shards`), each its own
bundle, and a shard is indexed again only when one of its records changed;
otherwise its last bundle is linked into the new output. Without the binary the
site is built without an index and the build warns.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.outputs.pagefind_bundle import ENTRY_FILE, merge_bundle, stabilise
from sitegen.outputs.pagefind_service import PagefindCancelled, PagefindError, PagefindService
from sitegen.outputs.search_records import SearchRecord, in_shard_order, search_records
from sitegen.outputs.search_shards import SHARDS_FOLDER, Shard, plan_shards, shard_list
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.urls import SEARCH_INDEX_FOLDER

if TYPE_CHECKING:
    from sitegen.outputs.plan import StagedOutput

BUNDLE_DIR = SEARCH_INDEX_FOLDER
FINGERPRINT_KEY = BUNDLE_DIR + "/"
"""Where the first shard's fingerprint is remembered between builds; each other shard's is
under its folder (`pagefind/shards/1/`)."""
INDEX_LANES = 4
"""At most this many Pagefind processes at once (each holds one shard's index, ~100 MB)."""
SHARD_LIST = "shards.json"
"""In the bundle: the folders of the shards the search page merges (`search_shards.shard_list`)."""
UNSTABLE = (
    f"the search index of this Pagefind version could not be put in a stable order, so "
    f"{BUNDLE_DIR}/ may differ between builds of the same content; use pagefind-bin 1.5"
)
MISSING_BINARY = (
    "search index not built: the Pagefind binary was not found; install it with "
    "`pip install pagefind-bin` (sitegen depends on it) and build again"
)


def find_pagefind() -> Path | None:
    """The Pagefind binary: from the pagefind-bin wheel, else on PATH."""
    try:
        import pagefind_bin
    except ImportError:
        pagefind_bin = None
    if pagefind_bin is not None:
        try:
            return Path(pagefind_bin.get_executable())
        except FileNotFoundError:
            pass
    for name in ("pagefind_extended", "pagefind"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def write_index(
    shards: Iterable[Shard], records_of: Callable[[frozenset[str]], Iterable[Iterable[SearchRecord]]],
    binary: Path, bundle: Path, reuse: Mapping[str, Path], diagnostics: Diagnostics,
    cancel: threading.Event | None = None, background: bool = False,
    link: Callable[[str, str], object] = os.link,
) -> bool:
    """Make the bundle folder of every shard; tell whether it worked (setting `cancel` stops it;
    `background` runs Pagefind at a lower priority, see `PagefindService`; `link` links each
    file of a reused shard, and may wait first: the preview's rebuilds go before it).

    A shard whose fingerprint is in `reuse` is linked from the folder given there (the
    last output's), wherever that shard was; the others are indexed from `records_of` their
    stories, by language, one Pagefind per core (up to `INDEX_LANES`), while the reused
    ones are linked: after a one-entry edit, linking the rest of a large site's index takes
    as long as indexing the edited shard. Peak memory is one shard's Pagefind per lane, not
    the site's. The folder is made anew, so a shard that no longer exists leaves nothing
    behind.
    """
    shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir(parents=True)
    shards = list(shards)
    linked_list: Path | None = None
    primary, merged = shards[0], shards[1:]
    old_primary = reuse.get(primary.fingerprint)
    # The first shard is the bundle folder itself: linked before the others go inside it.
    if old_primary is not None and link_shard(old_primary, bundle, primary=True, link=link):
        linked_list = old_primary / SHARD_LIST
        wanted = []
    else:
        wanted = [primary]

    def index(shard: Shard) -> tuple[bool, Diagnostics]:
        found = Diagnostics()
        done = write_bundle(records_of(shard.stories), binary, bundle / shard.folder, found, cancel,
                            background, clear=bool(shard.folder))
        if done and shard.folder:
            drop_scripts(bundle / shard.folder)
        return done, found

    reused = [(shard, reuse[shard.fingerprint]) for shard in merged if shard.fingerprint in reuse]
    wanted += [shard for shard in merged if shard.fingerprint not in reuse]
    # Pagefind indexes on one core: a cold build of many shards keeps every core busy instead.
    # The shards to index are started first: linking the others (0.07 s at 10,000 entries)
    # is done meanwhile, not before the edited one is.
    with ThreadPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, INDEX_LANES))) as lanes:
        futures = [lanes.submit(index, shard) for shard in wanted]
        for shard, old in reused:
            if not link_shard(old, bundle / shard.folder, primary=False, link=link):
                futures.append(lanes.submit(index, shard))
        results = [future.result() for future in futures]
    for _, found in results:
        for problem in found.items:
            if problem not in diagnostics.items:
                diagnostics.items.append(problem)
    if not all(done for done, _ in results):
        shutil.rmtree(bundle, ignore_errors=True)
        return False
    write_list(shard_list(shards), bundle / SHARD_LIST, linked_list)
    return True


def write_list(text: str, path: Path, old: Path | None) -> None:
    """Write the shard list, or link the last one when it says the same (a bundle left as it was)."""
    try:
        if old is not None and old.read_text("utf-8") == text:
            os.link(old, path)
            return
    except OSError:
        pass
    path.write_text(text, "utf-8")


def link_shard(old: Path, folder: Path, primary: bool, link: Callable[[str, str], object] = os.link) -> bool:
    """Link a shard's files from the last output; tell whether it worked.

    The first shard is the bundle folder itself: the other shards and their list inside it
    are not its files."""
    ignored = {SHARDS_FOLDER, SHARD_LIST} if primary else set()
    try:
        shutil.copytree(old, folder, copy_function=link, dirs_exist_ok=primary,
                        ignore=lambda where, names: ignored & set(names) if Path(where) == old else set())
    except OSError:
        # The first shard is made first: its folder holds nothing else yet.
        shutil.rmtree(folder, ignore_errors=True)
        return False
    return True


def drop_scripts(folder: Path) -> None:
    """Keep only what the browser reads of a merged shard: its entry file, metadata and data.

    Pagefind's scripts, styles and language files (half a megabyte) come from the first
    shard; a merged index never loads them (pagefind.js `mergeIndex` inits without wasm)."""
    for path in folder.iterdir():
        if path.is_file() and path.name != ENTRY_FILE and path.suffix != ".pf_meta":
            path.unlink()


def write_bundle(
    languages: Iterable[Iterable[SearchRecord]], binary: Path, bundle: Path, diagnostics: Diagnostics,
    cancel: threading.Event | None = None, background: bool = False, clear: bool = True,
) -> bool:
    """Index each language's records into a new bundle folder, in a stable byte order; tell
    whether it worked. Without `clear` the folder is the bundle of the whole index, which
    the other shards are being linked into meanwhile: it is made if missing, never emptied
    or removed (`write_index` removes the whole bundle if any shard fails).

    Each language is indexed by its own Pagefind process, one after the other, and the
    bundles are merged: Pagefind keeps languages apart anyway, and its memory grows with
    the pages it holds, so a site in two languages needs no more than one language does.
    Records are sent as they are made, so the build never holds them all.
    """
    if clear:
        shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir(parents=True, exist_ok=not clear)
    part = bundle.with_name(f".{bundle.name}-part")
    try:
        for records in languages:
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir()
            # Run in the output, as the CLI did: nothing of the caller's folder is read.
            with PagefindService(binary, cwd=bundle.parent, cancel=cancel, background=background) as service:
                service.index(((r.url, r.html) for r in records), part)
            merge_bundle(part, bundle)
    except PagefindCancelled:
        if clear:
            shutil.rmtree(bundle, ignore_errors=True)
        return False
    except (PagefindError, OSError, ValueError) as error:
        if clear:
            shutil.rmtree(bundle, ignore_errors=True)
        diagnostics.error(".", 0, 0, f"search index failed: {error}")
        return False
    finally:
        shutil.rmtree(part, ignore_errors=True)
    if not stabilise(bundle) and not any(d.message == UNSTABLE for d in diagnostics.items):
        diagnostics.warning(".", 0, 0, UNSTABLE)  # once, not once per shard
    return True


def build_search_index(staged: StagedOutput) -> dict[str, str]:
    """Write the Pagefind bundle into the staged output, indexing only the shards whose records
    changed; return each shard's fingerprint, by its folder."""
    binary = find_pagefind()
    if binary is None:
        staged.diagnostics.warning(".", 0, 0, MISSING_BINARY)
        return {}
    # Records are made once to plan the shards and again, shard by shard, for those indexed
    # (a fraction of a second for 10,000 entries) rather than held: the build's memory is what
    # the whole process tree may use.
    shards = plan_shards((record for plan in staged.plans for record in search_records(plan)), binary)
    fingerprints = {FINGERPRINT_KEY + shard.folder: shard.fingerprint for shard in shards}
    old_bundle = staged.output / BUNDLE_DIR
    target = staged.staging / BUNDLE_DIR
    remembered = {key: fp for key, fp in staged.previous.items() if key.startswith(FINGERPRINT_KEY)}
    reuse: dict[str, Path] = {}
    if old_bundle.is_dir() and old_bundle.resolve() == target.resolve():
        # Staged in place: nothing to link from, and the bundle is either current or made again.
        if remembered == fingerprints:
            return fingerprints
    else:
        reuse = {fingerprint: staged.output / key for key, fingerprint in remembered.items()}

    def records_of(stories: frozenset[str]) -> Iterable[Iterable[SearchRecord]]:
        return (in_shard_order(search_records(plan, stories)) for plan in staged.plans)

    if not write_index(shards, records_of, binary, target, reuse, staged.diagnostics):
        return {}
    return fingerprints
