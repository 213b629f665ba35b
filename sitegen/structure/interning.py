"""One copy of each short text that many files give: a kind, a rating, a publisher, an id.

Every file's front matter is parsed (or unpickled from the worker that parsed it) on its
own, so each gives its own copies of the same few words: 200,000 strings and 12 MB at
10,000 entries, held by the build and read and written one by one by its cache.
"""

from __future__ import annotations

import sys
from typing import TypeVar, cast

T = TypeVar("T")

SHARED_LENGTH = 64
"""Texts up to this long are shared; longer ones (titles, bodies) are rarely repeated."""


def shared(value: T) -> T:
    """`value`, as the one copy every caller shares when it is a short text; else as it is."""
    if isinstance(value, str) and type(value) is str and len(value) <= SHARED_LENGTH:
        return cast(T, sys.intern(value))
    return value
