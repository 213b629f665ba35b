"""Warn about the words `sitegen init` and `sitegen new` write for the author to replace.

A scaffolded site builds cleanly, which is what makes it easy to publish by
accident with "The exact words." as a quote and example.org as a source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.rendering.memo import CarriedMemo
from sitegen.structure.diagnostics import Diagnostic, Diagnostics, numbered_lines

if TYPE_CHECKING:
    from sitegen.structure.model import Site, Story

PLACEHOLDER_TEXTS = (
    "https://example.org/report",
    "https://example.org/interview",
    "The exact words.",
    "One or two sentences: what is being checked.",
    "Example Speaker",
)
"""What the scaffold's templates (sitegen/scaffold.py) write for the author to fill in."""

PLACEHOLDER_BASE_URL = "https://example.org/"


def placeholder_warnings(
    text_of: Callable[[str], str | None], site: Site, diagnostics: Diagnostics,
    memory: CarriedMemo[str, tuple[Diagnostic, ...]] | None = None,
) -> None:
    """Warn at every line of a content file that still holds a scaffold placeholder.

    `text_of` gives a file's text by its path relative to the site (the reader has
    them all), or None when it cannot be read. `memory` hands back a story's warnings
    while the story is the last read's object: a story folder is read again, to new
    objects, whenever one of its files changed (`reading.folders`), so its texts are the same.
    """
    memory = memory if memory is not None else CarriedMemo()
    for story in site.stories:
        diagnostics.items.extend(
            memory.get(story.slug, (story,), functools.partial(_story_warnings, text_of, story)))
    diagnostics.items.extend(_warnings(text_of, [s.path for s in site.speakers.values() if s.path]))


def _story_warnings(text_of: Callable[[str], str | None], story: Story) -> tuple[Diagnostic, ...]:
    return _warnings(text_of, [story.path] + [e.path for e in story.entries])


def _warnings(text_of: Callable[[str], str | None], paths: list[str]) -> tuple[Diagnostic, ...]:
    found = []
    for relative in dict.fromkeys(paths):
        text = text_of(relative)
        for number, column, placeholder in placeholders_in(text) if text is not None else ():
            found.append(Diagnostic(
                relative, number, column, "warning",
                f"`{placeholder}` is placeholder text from `sitegen init`/`sitegen new`; "
                "replace it before publishing",
            ))
    return tuple(found)


@functools.lru_cache(maxsize=1 << 15)
def placeholders_in(text: str) -> tuple[tuple[int, int, str], ...]:
    """(line, column, placeholder) of each placeholder in a file's text.

    Remembered by the text: a rebuild asks again for every file of the site, and an
    unchanged file's text is the very string the read cache holds, found at once.
    """
    if not any(placeholder in text for placeholder in PLACEHOLDER_TEXTS):
        return ()
    found = []
    for number, line in enumerate(numbered_lines(text), start=1):
        if line.lstrip().startswith("#"):
            continue
        for placeholder in PLACEHOLDER_TEXTS:
            column = line.find(placeholder)
            if column >= 0:
                found.append((number, column + 1, placeholder))
    return tuple(found)


def base_url_warning(source: Path, base_url: str, diagnostics: Diagnostics) -> None:
    """Warn when sitegen.toml still says the site lives at the scaffold's example.org."""
    if base_url != PLACEHOLDER_BASE_URL:
        return
    config = source / "sitegen.toml"
    lines = numbered_lines(config.read_text("utf-8", "replace")) if config.is_file() else []
    number = next((i for i, line in enumerate(lines, start=1) if line.startswith("base_url")), 1)
    diagnostics.warning(
        "sitegen.toml", number, 1,
        f"`base_url` is still the placeholder {PLACEHOLDER_BASE_URL}; set it to where the site "
        "will live (feeds, canonical links and the sitemap use it)",
    )
