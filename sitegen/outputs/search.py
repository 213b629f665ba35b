"""Full-text search that needs no server: a Pagefind index of every entry.

The index is built from the build's own data, not from the written pages:
`search_records` makes one small document per entry page of every language,
and the Pagefind binary (from the `pagefind-bin` wheel) indexes them through
its service API. The index is rebuilt only when a record changed; otherwise the
last bundle is linked into the new output. Without the binary the site is built
without an index and the build warns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.outputs.pagefind_bundle import merge_bundle, stabilise
from sitegen.outputs.pagefind_service import PagefindError, PagefindService
from sitegen.outputs.search_records import SearchRecord, search_records
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.urls import SEARCH_INDEX_FOLDER

if TYPE_CHECKING:
    from sitegen.outputs.plan import StagedOutput

BUNDLE_DIR = SEARCH_INDEX_FOLDER
FINGERPRINT_KEY = BUNDLE_DIR + "/"
"""Where the index's fingerprint is remembered between builds."""
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


def records_fingerprint(records: Iterable[SearchRecord], binary: Path) -> str:
    """Hash what the index is made of: every record, and the binary that indexes them."""
    digest = hashlib.sha256()
    stat = binary.stat()
    digest.update(f"{binary}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    for record in records:
        digest.update(f"{record.url}\0{record.language}\0{record.html}\0".encode("utf-8", "replace"))
    return digest.hexdigest()


def write_bundle(
    languages: Iterable[Iterable[SearchRecord]], binary: Path, bundle: Path, diagnostics: Diagnostics,
) -> bool:
    """Index each language's records into a new bundle folder, in a stable byte order; tell
    whether it worked.

    Each language is indexed by its own Pagefind process, one after the other, and the
    bundles are merged: Pagefind keeps languages apart anyway, and its memory grows with
    the pages it holds, so a site in two languages needs no more than one language does.
    Records are sent as they are made, so the build never holds them all.
    """
    shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir(parents=True)
    part = bundle.with_name(f".{bundle.name}-part")
    try:
        for records in languages:
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir()
            # Run in the output, as the CLI did: nothing of the caller's folder is read.
            with PagefindService(binary, cwd=bundle.parent) as service:
                service.index(((r.url, r.html) for r in records), part)
            merge_bundle(part, bundle)
    except (PagefindError, OSError, ValueError) as error:
        shutil.rmtree(bundle, ignore_errors=True)
        diagnostics.error(".", 0, 0, f"search index failed: {error}")
        return False
    finally:
        shutil.rmtree(part, ignore_errors=True)
    if not stabilise(bundle):
        diagnostics.warning(
            ".", 0, 0,
            f"the search index of this Pagefind version could not be put in a stable order, so "
            f"{BUNDLE_DIR}/ may differ between builds of the same content; use pagefind-bin 1.5",
        )
    return True


def build_search_index(staged: StagedOutput) -> dict[str, str]:
    """Write the Pagefind bundle into the staged output, reusing the last one if no record changed."""
    binary = find_pagefind()
    if binary is None:
        staged.diagnostics.warning(".", 0, 0, MISSING_BINARY)
        return {}
    # Made twice when the index must be made again (a fraction of a second for 10,000 entries)
    # rather than held: the build's memory is what the whole process tree may use.
    fingerprint = records_fingerprint(
        (record for plan in staged.plans for record in search_records(plan)), binary)
    old_bundle = staged.output / BUNDLE_DIR
    target = staged.staging / BUNDLE_DIR
    if staged.previous.get(FINGERPRINT_KEY) == fingerprint and old_bundle.is_dir():
        if old_bundle.resolve() == target.resolve():
            return {FINGERPRINT_KEY: fingerprint}
        shutil.rmtree(target, ignore_errors=True)
        try:
            shutil.copytree(old_bundle, target, copy_function=os.link)
            return {FINGERPRINT_KEY: fingerprint}
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
    if not write_bundle((search_records(plan) for plan in staged.plans), binary, target, staged.diagnostics):
        return {}
    return {FINGERPRINT_KEY: fingerprint}
