"""Write an imported story into a site's content folder, all of it or nothing.

A new story is written into a hidden folder beside its place and renamed
into it, so a failure leaves no half story; with `--force` each file is
replaced atomically, and files the import did not write are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from sitegen.importer.convert import ImportedStory
from sitegen.reading.content import STORY_INDEX


def document(meta: dict[str, Any], body: str) -> str:
    """A Markdown file with YAML front matter, fields in the order given."""
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    # `speaker: null` reads as an empty field; a blank value says "fill me in" more plainly.
    front = front.replace(": null\n", ":\n")
    return f"---\n{front}---\n" + (f"\n{body.strip()}\n" if body.strip() else "")


def story_files(story: ImportedStory) -> dict[str, str]:
    """Every file of the story, by name inside its folder."""
    files = {STORY_INDEX: document(story.meta, story.body)}
    for entry in story.entries:
        files[f"{entry.id}.md"] = document(entry.meta, entry.body)
    return files


def write_story(folder: Path, story: ImportedStory, force: bool) -> list[Path]:
    """Write the story's files into `folder`; replace existing ones only with `force`."""
    files = story_files(story)
    if folder.exists():
        if not force:
            raise FileExistsError(folder)
        written = []
        for name, text in files.items():
            written.append(replace_file(folder / name, text))
        return written
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, "utf-8")
        os.chmod(staging, 0o777 & ~current_umask())
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in files]


def replace_file(path: Path, text: str) -> Path:
    """Swap one file in whole, the way editors save."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process's umask (only readable by setting it), so new files get the usual modes."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
