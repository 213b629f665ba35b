"""`sitegen init` and `sitegen new`: files with every field to fill in."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.reading.config import CONFIG_FILE, load_config
from sitegen.reading.content import CONTENT_DIR, STORY_INDEX
from sitegen.reading.fields import ENTRY_FIELDS, SLUG_PATTERN, is_web_url
from sitegen.reading.schema import front_matter_schema
from sitegen.structure.dates import DATE_FORMS_HINT, parse_date
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.urls import RESERVED_SLUGS


class ScaffoldError(Exception):
    """A name that cannot be used, or a file that already exists."""


SITE_CONFIG = """\
title = "{title}"
base_url = "https://example.org/"   # where the site will live; a sub-path works too
language = "en"
timezone = "UTC"                     # naive times in entries are read in this zone

[organization]                       # the publisher: the author of every ClaimReview
name = "{title}"
url = "https://example.org/"

# The rating scale, worst first. ClaimReview's ratingValue is the position.
[[ratings]]
key = "false"
label = "False"
description = "The claim is not accurate."

[[ratings]]
key = "misleading"
label = "Misleading"
description = "The claim has accurate parts but leaves a false impression."

[[ratings]]
key = "unproven"
label = "Unproven"
description = "There is not enough evidence to say whether the claim is accurate."

[[ratings]]
key = "mostly-true"
label = "Mostly true"
description = "The claim is accurate but needs clarification."

[[ratings]]
key = "true"
label = "True"
description = "The claim is accurate."
"""

STORY = """\
---
title: "{title}"
summary: "One or two sentences: what is being checked."
status: developing
tags: []
---

The background: what happened before, and why this is being checked.
"""

EVENT = """\
---
kind: event
date: {date}
title: {title}
# end_date: 2024-11-12
# approximate: true
sources:
  - url: {source_url}
    title: {source_title}
    publisher: {source_publisher}
    date: {date}
    archive: {source_archive}
tags: []
---

What happened, and what is known and not known about it.
"""

STATEMENT = """\
---
kind: statement
date: {date}
title: {title}
speaker: {speaker}          # an id from content/_speakers/, or a full name
role: {role}
quote: {quote}
quote_type: {quote_type}               # verbatim (the exact words) or paraphrase
# original_quote: "Слова в оригинале."
# original_language: ru
# rating: unproven                # a key of the rating scale in sitegen.toml
# verdict: "One sentence: the conclusion of the review."
# reviewed: {date}
sources:
  - url: {source_url}
    title: {source_title}
    publisher: {source_publisher}
    date: {date}
    archive: {source_archive}
#   anonymous: true               # the source relies on people it does not name
# responds_to: other-entry-id
# denies: other-entry-id
# confirms: other-entry-id
# corrects: other-entry-id
tags: []
# ignore: [source-not-archived]   # silence an editorial check for this file
# corrections:                    # dated notes, shown on the page and in /corrections/
#   - date: {date}
#     note: "An earlier version of this entry misstated the date of the interview."
---

Context and analysis: who said it, where, and how it checks out.
"""

SPEAKER = """\
---
name: Example Speaker
type: person
role: Spokesperson
affiliation: Example Ministry
url: https://example.org/
aliases: []
---

A short, neutral biography.
"""

PAGES = {
    "about": ("About", 1, "Who we are, who funds us, and how to reach us."),
    "methodology": ("Methodology", 2, "How we choose claims, check them and rate them: "
                    "every rating on the scale, what it means, and the sources we use."),
    "corrections-policy": ("Corrections policy", 3, "How to ask for a correction, and how "
                           "corrections are shown: dated, on the page and in the corrections log."),
    "contact": ("Contact", 4, "How to send a tip or a correction request."),
}

PAGE = """\
---
title: "{title}"
summary: "{summary}"
weight: {weight}
---

{summary}
"""


GITHUB_WORKFLOW = ".github/workflows/deploy.yml"
"""Where `init` puts GITHUB_PAGES_WORKFLOW (the same text as docs/github-pages-workflow.yml)."""

GITHUB_PAGES_WORKFLOW = """\
# Build the site with sitegen and publish it on GitHub Pages.
#
# Put this file at .github/workflows/deploy.yml (`sitegen init` writes it
# there), then in the repository's Settings → Pages choose
# "Source: GitHub Actions". Every push to main rebuilds and republishes the
# site. base_url comes from GitHub Pages itself (https://USER.github.io/REPO/
# or your custom domain), so sitegen.toml's base_url is used only locally.
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a newer push waits instead of cancelling one in flight.
concurrency:
  group: pages
  cancel-in-progress: false

env:
  # What `pip install` installs: this project pinned by name and version. The
  # PyPI package called "sitegen" is a different project; never install it.
  # A pinned Git URL works too:
  #   "sitegen-timelines @ git+https://github.com/OWNER/sitegen@v0.1.0"
  SITEGEN_PACKAGE: "sitegen-timelines==0.1.0"

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Install sitegen
        run: python -m pip install "$SITEGEN_PACKAGE"
      - name: Keep sitegen's build cache between runs
        # Parsed entries and converted Markdown: a push that edits one entry
        # parses that one. A cache of another sitegen version is discarded.
        uses: actions/cache@v4
        with:
          path: ~/.cache/sitegen
          key: sitegen-${{ runner.os }}-${{ github.sha }}
          restore-keys: sitegen-${{ runner.os }}-
      - name: Check
        # Every problem becomes an annotation on its file and line; an error stops here.
        run: sitegen check --format github
      - name: Build
        # --strict: a warning (a disarmed link, a missing search index) stops the deploy.
        run: sitegen build --strict --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def _write_new(path: Path, text: str) -> Path:
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _check_slug(slug: str, what: str) -> None:
    if not SLUG_PATTERN.match(slug):
        raise ScaffoldError(f"{what} `{slug}` must be lowercase ASCII letters, digits and hyphens")


def _title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def new_story(source: Path, slug: str) -> Path:
    """Write content/<slug>/_index.md."""
    _check_slug(slug, "story slug")
    if slug in RESERVED_SLUGS:
        raise ScaffoldError(f"`{slug}` is reserved for sitegen's own pages")
    return _write_new(source / CONTENT_DIR / slug / STORY_INDEX, STORY.format(title=_title(slug)))


@dataclass(frozen=True)
class EntryFill:
    """What `sitegen new entry` writes instead of a placeholder, for scripting."""

    title: str | None = None
    date: str | None = None
    speaker: str | None = None
    role: str | None = None
    quote: str | None = None
    quote_type: str | None = None
    source_url: str | None = None
    source_title: str | None = None
    source_publisher: str | None = None
    source_archive: str | None = None


def yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly `value` (a JSON string is a YAML string)."""
    return json.dumps(value, ensure_ascii=False)


def entry_values(entry_id: str, kind: str, date: str, fill: EntryFill) -> dict[str, str]:
    """The template's values: the options given, checked, else a placeholder to fill in."""
    if fill.date is not None and parse_date(fill.date, dt.UTC) is None:
        raise ScaffoldError(f"--date `{fill.date}` is not a date; {DATE_FORMS_HINT}")
    for option, url in (("--source-url", fill.source_url), ("--source-archive", fill.source_archive)):
        if url is not None and not is_web_url(url):
            raise ScaffoldError(f"{option} must be an http:// or https:// address, not `{url}`")
    url = fill.source_url or ("https://example.org/interview" if kind == "statement"
                              else "https://example.org/report")
    return {
        "date": fill.date or date,
        "title": yaml_text(fill.title or _title(entry_id)),
        "speaker": yaml_text(fill.speaker) if fill.speaker else "example-speaker",
        "role": yaml_text(fill.role or "Their role at the time"),
        "quote": yaml_text(fill.quote or "The exact words."),
        "quote_type": fill.quote_type or "verbatim",
        "source_url": url,
        "source_title": yaml_text(fill.source_title or (
            "Where the words were said or reported" if kind == "statement" else "Title of the report")),
        "source_publisher": yaml_text(fill.source_publisher or "Publisher"),
        "source_archive": fill.source_archive or f"https://web.archive.org/web/2024/{url}",
    }


def new_entry(
    source: Path, story: str, entry_id: str, kind: str, today: dt.date | None = None,
    fill: EntryFill | None = None,
) -> Path:
    """Write content/<story>/<id>.md with the fields of its kind, today's date and a source stub."""
    _check_slug(entry_id, "entry id")
    folder = source / CONTENT_DIR / story
    if not (folder / STORY_INDEX).is_file():
        raise ScaffoldError(f"there is no story `{story}` in {folder.parent}; create it with "
                            f"`sitegen new story {story}`, run this in the site folder (the one with "
                            "sitegen.toml) or pass --source")
    if any(folder.rglob(f"{entry_id}.md")):
        raise ScaffoldError(f"story `{story}` already has an entry `{entry_id}`")
    date = (today or dt.date.today()).isoformat()
    template = STATEMENT if kind == "statement" else EVENT
    values = entry_values(entry_id, kind, date, fill or EntryFill())
    return _write_new(folder / f"{entry_id}.md", template.format(**values))


def init_site(target: Path, title: str = "Timeline Checks") -> None:
    """Create a working site: config, a sample story, a speaker and the standard pages."""
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file; choose a new folder")
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} is not empty; choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    (target / "sitegen.toml").write_text(SITE_CONFIG.format(title=title), "utf-8")
    # The output, and the lock and staging folders a build keeps beside it while it runs (an
    # interrupted one's are tidied by the next build, but must not be committed meanwhile).
    (target / ".gitignore").write_text("public/\n.public.*\n", "utf-8")
    content = target / CONTENT_DIR
    _write_new(content / "_speakers" / "example-speaker.md", SPEAKER)
    for slug, (page_title, weight, summary) in PAGES.items():
        _write_new(content / "_pages" / f"{slug}.md",
                   PAGE.format(title=page_title, weight=weight, summary=summary))
    _write_new(target / GITHUB_WORKFLOW, GITHUB_PAGES_WORKFLOW)
    for path, text in editor_files(target).items():
        _write_new(target / path, text)
    new_story(target, "first-story")
    new_entry(target, "first-story", "first-event", "event", dt.date(2024, 11, 10))
    new_entry(target, "first-story", "first-statement", "statement", dt.date(2024, 11, 11))


SCHEMA_DIR = ".vscode/sitegen"
"""Where `init` writes the front-matter schemas, beside the editor settings that name them."""

SCHEMA_GLOBS = {
    "entry": ["content/*/**/*.md", "!content/*/_index*.md"],
    "story": ["content/*/_index*.md"],
    "speaker": ["content/_speakers/*.md"],
    "page": ["content/_pages/*.md"],
}
"""Which content files each schema describes (entries: any file in a story folder but `_index`)."""


def site_schema(source: Path, kind: str) -> dict[str, Any]:
    """The schema of one kind of front matter, with the site's rating keys when it has a config."""
    ratings: tuple[str, ...] = ()
    if (source / CONFIG_FILE).is_file():
        config = load_config(source, Diagnostics())
        ratings = tuple(r.key for r in config.ratings)
    return front_matter_schema(kind, ratings)


def snippets() -> dict[str, Any]:
    """VS Code snippets for Markdown, one per entry field, from the same field definitions."""
    result: dict[str, Any] = {}
    for field in ENTRY_FIELDS.values():
        if field.choices:
            body = f"{field.name}: ${{1|{','.join(field.choices)}|}}"
        elif field.type in ("sources",):
            body = "sources:\n  - url: ${1:https://}\n    title: ${2}\n    publisher: ${3}\n" \
                   "    date: ${4}\n    archive: ${5:https://web.archive.org/web/}"
        elif field.type == "corrections":
            body = "corrections:\n  - date: ${1}\n    note: ${2}"
        else:
            body = f"{field.name}: $1"
        result[f"sitegen {field.name}"] = {
            "scope": "markdown", "prefix": field.name, "body": body.split("\n"), "description": field.doc,
        }
    return result


def editor_files(source: Path) -> dict[str, str]:
    """The files `init` writes so VS Code checks and completes front matter (see README)."""
    schemas = {kind: f"{SCHEMA_DIR}/{kind}.schema.json" for kind in SCHEMA_GLOBS}
    settings = {
        # Stock VS Code does not hand Markdown front matter to the YAML extension
        # (redhat-developer/vscode-yaml#207); the mapping serves setups that do.
        "yaml.schemas": {f"./{path}": SCHEMA_GLOBS[kind] for kind, path in schemas.items()},
        # Field snippets appear as you type, which Markdown files do not do by default.
        "[markdown]": {"editor.quickSuggestions": {"other": "on", "comments": "off", "strings": "off"}},
    }
    tasks = {
        "version": "2.0.0",
        "tasks": [{
            "label": "sitegen check",
            "type": "shell",
            "command": "sitegen check",
            "group": {"kind": "test", "isDefault": True},
            "presentation": {"reveal": "silent"},
            "problemMatcher": {
                "owner": "sitegen",
                "fileLocation": ["relative", "${workspaceFolder}"],
                "pattern": {
                    "regexp": r"^(.+?):(\d+):(\d+): (error|warning): (.*)$",
                    "file": 1, "line": 2, "column": 3, "severity": 4, "message": 5,
                },
            },
        }],
    }
    files = {path: as_json(site_schema(source, kind)) for kind, path in schemas.items()}
    files[".vscode/settings.json"] = as_json(settings)
    files[".vscode/extensions.json"] = as_json({"recommendations": ["redhat.vscode-yaml"]})
    files[".vscode/tasks.json"] = as_json(tasks)
    files[".vscode/sitegen.code-snippets"] = as_json(snippets())
    return files


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
