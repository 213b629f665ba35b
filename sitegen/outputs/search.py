"""Full-text search that needs no server: a Pagefind index of the staged output.

Pagefind reads the built HTML, so it runs after every page is staged and
before the new output is swapped in. Only entry pages are indexed (they carry
`data-pagefind-body`), with filters by story, speaker, kind and rating. The
binary comes from the `pagefind-bin` wheel; without it the site is built
without an index and the build warns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.outputs.pagefind_bundle import stabilise
from sitegen.structure.urls import SEARCH_INDEX_FOLDER

if TYPE_CHECKING:
    from sitegen.outputs.plan import StagedOutput

BUNDLE_DIR = SEARCH_INDEX_FOLDER
FINGERPRINT_KEY = BUNDLE_DIR + "/"
"""Where the index's fingerprint is remembered between builds."""
TIMEOUT_SECONDS = 600


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


def index_fingerprint(staged: StagedOutput, binary: Path) -> str:
    """Hash what the index is made of: every HTML page, and the binary that reads them."""
    digest = hashlib.sha256()
    stat = binary.stat()
    digest.update(f"{binary}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for artifact in sorted(staged.artifacts, key=lambda a: a.path):
        if artifact.path.endswith(".html"):
            digest.update(f"{artifact.path}\0{artifact.fingerprint}\0".encode())
    return digest.hexdigest()


def build_search_index(staged: StagedOutput) -> dict[str, str]:
    """Write the Pagefind bundle into the staged output, reusing the last one if no page changed."""
    binary = find_pagefind()
    if binary is None:
        staged.diagnostics.warning(
            ".", 0, 0,
            "search index not built: the Pagefind binary was not found; install it with "
            "`pip install pagefind-bin` (sitegen depends on it) and build again",
        )
        return {}
    fingerprint = index_fingerprint(staged, binary)
    old_bundle = staged.output / BUNDLE_DIR
    target = staged.staging / BUNDLE_DIR
    if staged.previous.get(FINGERPRINT_KEY) == fingerprint and old_bundle.is_dir():
        try:
            shutil.copytree(old_bundle, target, copy_function=os.link)
            return {FINGERPRINT_KEY: fingerprint}
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
    try:
        result = subprocess.run(
            [str(binary), "--site", str(staged.staging), "--output-subdir", BUNDLE_DIR, "--quiet"],
            # Pagefind reads a pagefind.yml in its working folder: only one shipped in static/ counts.
            cwd=staged.staging, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        staged.diagnostics.error(".", 0, 0, f"search index failed: could not run {binary}: {error}")
        return {}
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-2000:]
        staged.diagnostics.error(".", 0, 0, f"search index failed: pagefind exited with "
                                            f"{result.returncode}: {output}")
        return {}
    if not stabilise(target):
        staged.diagnostics.warning(
            ".", 0, 0,
            f"the search index of this Pagefind version could not be put in a stable order, so "
            f"{BUNDLE_DIR}/ may differ between builds of the same content; use pagefind-bin 1.5",
        )
    return {FINGERPRINT_KEY: fingerprint}
