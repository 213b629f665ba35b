"""`sitegen import timelinejs FILE --story SLUG`: a TimelineJS timeline as a new story.

Everything is read and checked first; when any slide cannot be converted,
every such slide is reported and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.importer.convert import ImportedStory, SlideConverter
from sitegen.importer.slides import read_timeline
from sitegen.reading.content import CONTENT_DIR
from sitegen.structure.characters import described, find_forbidden, undecodable_at, without_forbidden
from sitegen.structure.diagnostics import Diagnostics


def convert_file(
    file: Path, story_slug: str, kind: str, label: str,
) -> tuple[ImportedStory | None, Diagnostics]:
    """Read and convert a TimelineJS file; the story is None when nothing could be read."""
    diagnostics = Diagnostics()
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column, problem = undecodable_at(error)
        diagnostics.error(label, line, column, f"{problem}; export it as UTF-8")
        return None, diagnostics
    if (character := find_forbidden(text)) is not None:
        line = text.count("\n", 0, character.start()) + 1
        diagnostics.warning(label, line, 1, f"{described(character[0])} is dropped, with any others "
                                            "in the file: no page may carry it")
        text = without_forbidden(text)
    timeline = read_timeline(label, text, diagnostics)
    if timeline is None:
        return None, diagnostics
    story = SlideConverter(label, diagnostics, kind, story_slug).story(timeline, file.name)
    return story, diagnostics


def story_folder(site: Path, story_slug: str) -> Path:
    return site / CONTENT_DIR / story_slug
