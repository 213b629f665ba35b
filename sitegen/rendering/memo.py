"""Results carried from one build to the next when made from the very same objects.

The preview rebuilds a 10,000-entry site on every save; making each entry's view
and hashing it again costs seconds, though one entry changed. A `CarriedMemo`
remembers each result with the objects it was made from and hands it back while
every one of them is the same object: `is`, which costs nothing, where `==` would
compare whole entries (`structure.stable` pays for that once, on the model, so that
unchanged parts of the site are the same objects). A result made again that equals
the last one is handed back as the last one, so what is made from it hits too.
A memo holds its inputs, so no id is reused while it remembers them. It lives for
one build and takes over the last one's, so nothing outlives the build after the
one that last used it; `sitegen build` keeps the memos in the cache (`build_state`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class CarriedMemo(Generic[K, V]):
    """One build's results by key, with the last build's to fall back on."""

    def __init__(self, last: CarriedMemo[K, V] | None = None) -> None:
        self._last: dict[K, tuple[tuple[object, ...], V]] = last._now if last is not None else {}
        self._now: dict[K, tuple[tuple[object, ...], V]] = {}

    def __getstate__(self) -> dict[str, object]:
        """Kept for the next run (see `build_state`): this build's results, not the one's before.
        Every input must pickle, so none may be an object of this process only (a theme's)."""
        return {"_now": self._now}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._now, self._last = state["_now"], {}

    def get(self, key: K, inputs: tuple[object, ...], make: Callable[[], V]) -> V:
        """The result for `key`, made again only if one of `inputs` is not what it was made from."""
        found = self._now.get(key) or self._last.get(key)
        if found is not None and _same(found[0], inputs):
            value = found[1]
        else:
            value = make()
            if found is not None and value == found[1]:
                # Made again to the same value: hand back the old object, so what shows
                # this one (a story's entries show the story's view) is carried over too.
                value = found[1]
        self._now[key] = (inputs, value)
        return value


    def get_found(
        self, key: K, inputs_of: Callable[[Any], tuple[object, ...]], make: Callable[[], tuple[Any, V]],
    ) -> tuple[Any, V]:
        """Like `get`, for a result whose inputs are found through what making it found: `make`
        gives the result with its `found` (the ids of the speakers and entries it read, say),
        and `inputs_of(found)` the objects those are now, compared with what they were. Returns
        both, `found` as it was when the result was made."""
        # Stored as (found, result): this memo's values are pairs, which the type cannot say.
        stored: dict[K, tuple[tuple[object, ...], tuple[Any, V]]] = self._now  # type: ignore[assignment]
        older: dict[K, tuple[tuple[object, ...], tuple[Any, V]]] = self._last  # type: ignore[assignment]
        last = stored.get(key) or older.get(key)
        if last is not None:
            inputs = inputs_of(last[1][0])
            if _same(last[0], inputs):
                stored[key] = (inputs, last[1])
                return last[1]
        made = make()
        if last is not None and made[1] == last[1][1]:
            made = (made[0], last[1][1])
        # Stored with its own inputs, so the next build compares what this one read.
        stored[key] = (inputs_of(made[0]), made)
        return made


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(map(operator.is_, a, b))


def _same_value(a: object, b: object) -> bool:
    """The same object, or two tuples of the same objects (a page's list of entry views)."""
    return a is b or (type(a) is tuple and type(b) is tuple and _same(a, b))


def _same_values(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(map(_same_value, a, b))


class CarriedDigests:
    """The digest of each view object, kept while the object is shown from build to build,
    and each page's fingerprint, kept while its template and context values are."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[object, str]] = {}
        self._now: dict[int, tuple[object, str]] = {}
        self._salt: str | None = None
        self._last_pages: dict[Hashable, tuple[str, object, tuple[object, ...], str]] = {}
        self._pages: dict[Hashable, tuple[str, object, tuple[object, ...], str]] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"digests": list(self._now.values()), "salt": self._salt, "pages": self._pages}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Keyed by id() in this process: the objects are new ones after unpickling.
        self._now = {id(value): (value, digest) for value, digest in state["digests"]}
        self._salt, self._pages = state["salt"], state["pages"]
        self._last, self._last_pages = {}, {}

    def next_build(self, salt: str = "") -> None:
        """Forget what the build before last showed and the last build did not.

        `salt` stands for everything every page shows (the site's name, its languages):
        when it changed, no page's fingerprint is carried over.
        """
        self._last, self._now = self._now, {}
        self._last_pages = self._pages if salt == self._salt else {}
        self._pages, self._salt = {}, salt

    def page(
        self, key: Hashable, template: str, spec: object, values: Callable[[], tuple[object, ...]],
        make: Callable[[], str],
    ) -> str:
        """A page's fingerprint, made again unless its template's digest is the same and its
        plan is the same object, or each of its context `values` is the same object (or a tuple
        of the same objects) as last time."""
        found = self._pages.get(key) or self._last_pages.get(key)
        if found is not None and found[0] == template and found[1] is spec:
            self._pages[key] = found
            return found[3]
        context = values()
        if found is not None and found[0] == template and _same_values(found[2], context):
            fingerprint = found[3]
        else:
            fingerprint = make()
        self._pages[key] = (template, spec, context, fingerprint)
        return fingerprint

    def pages_of(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """This build's records of some pages' fingerprints (see `keep_pages`)."""
        pages = self._pages
        return {key: pages[key] for key in keys if key in pages}

    def keep_pages(self, records: dict[Hashable, Any]) -> None:
        """Carry records of pages this build shows without fingerprinting them (their artifacts
        are the last build's), so a later build that does still finds them."""
        self._pages.update(records)

    def get(self, value: object, make: Callable[[object], tuple[str, bool]]) -> str:
        """The digest of `value`; `make` gives it and whether it is worth keeping (a view of
        plain values is hashed again quicker than a memo of every such view weighs)."""
        key = id(value)
        found = self._now.get(key)
        if found is None:
            found = self._last.get(key)
            if found is None or found[0] is not value:
                digest, keep = make(value)
                if not keep:
                    return digest
                found = (value, digest)
            # Keeping the object alive keeps its id from being reused while it is remembered.
            self._now[key] = found
        return found[1]
