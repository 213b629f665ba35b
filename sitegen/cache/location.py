"""Where the build cache lives: one folder per site under the user's cache folder.

SPEC.md: `--cache-dir`, else `SITEGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/sitegen`,
else `~/.cache/sitegen`. Each site gets its own folder below that, named by a
hash of its resolved path, so one cache folder serves every site of a machine
or a CI runner, and no site reads another's files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENVIRONMENT = "SITEGEN_CACHE_DIR"
APP = "sitegen"


class NoCacheFolder(Exception):
    """No cache folder can be named (no HOME, no XDG_CACHE_HOME): build without one."""


def cache_root(flag: Path | None = None) -> Path:
    """The folder holding every site's cache, as the command line and environment name it."""
    if flag is not None:
        return flag.expanduser().absolute()
    named = os.environ.get(ENVIRONMENT)
    if named:
        return Path(named).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative value is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / APP
    try:
        return Path.home() / ".cache" / APP
    except RuntimeError as error:
        raise NoCacheFolder(f"no cache folder: {error}; pass --cache-dir or set {ENVIRONMENT}") from error


def site_key(site: Path) -> str:
    """The name of a site's folder in the cache: a hash of the site folder's resolved path."""
    return hashlib.sha256(str(site.resolve()).encode()).hexdigest()[:20]


def site_cache_folder(root: Path, site: Path) -> Path:
    """The cache folder of one site."""
    return root / site_key(site)


def output_key(output: Path) -> str:
    """The name of the record of builds into one output folder."""
    return hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:20]
