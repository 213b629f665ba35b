"""Python's cycle collector, held back while a build runs.

A build keeps almost everything it makes until it ends (the read cache, the site,
its views, the plan of every page), and almost none of it is in a reference
cycle, so the collector's passes find next to no garbage. At 10,000 entries they
cost about a fifth of a build that edits one entry: each full pass walks the
million objects of the read cache loaded before planning began, and the young
passes run every 700 new objects.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 200_000
"""New objects between young passes during a build (Python's default is 700).

A one-entry preview rebuild at 10,000 entries makes ~140,000 objects that live until the
next one; at 50,000 a young pass walked 80,000 of them in the search stage (35 ms of a
rebuild of 330 ms). A cold build is as fast and as large either way (23.8 s, 535 MB)."""


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """Run a build with what is alive now out of the collector's reach, and fewer young passes.

    What is frozen is only exempt from being walked; whatever it still references is kept,
    and the collector's settings are restored afterwards, so a long-lived process (the
    preview server) collects as usual between builds. What the build made and kept goes
    straight to the oldest generation with the rest: left young, the first pass after the
    build would walk all of it (60,000 objects, 25 ms of a one-entry preview rebuild at
    10,000 entries) only to find it alive; a full pass still finds its cycles.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], YOUNG_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.freeze()
        gc.unfreeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection at all for a moment that makes a million long-lived objects and no garbage.

    Unpickling a site's read cache is one: each few hundred new objects would start a
    collection that walks the young ones again (three quarters of `pickle.loads`' time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was made lives as long as the build: out of the young generation at once, or
        # the first pass after this would walk all of it (0.6 s after loading 100 MB).
        gc.freeze()
        if was_enabled:
            gc.enable()


def settle() -> None:
    """Put what a build made so far out of the young passes' reach: it lives until the build ends.

    Called between a build's phases (read, plan, stage). Without it the first young pass
    after 200,000 new objects walks every one of them, all alive: 85 ms, a twentieth of a
    `sitegen build` after a one-entry edit at 10,000 entries, to find 139 objects of garbage.
    Freezing is a splice of the collector's lists, free at any size; `held_back` hands
    everything frozen back to the collector when the build ends.
    """
    gc.freeze()
