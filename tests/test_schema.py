"""The JSON Schemas editors use agree with `sitegen check`: on the example site and on a
corpus of good and bad files, what one rejects the other rejects."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sitegen.build import Builder
from sitegen.reading.document import Node, read_document
from sitegen.reading.schema import front_matter_schema
from sitegen.reading.translations import TRANSLATION_NAME
from sitegen.structure.diagnostics import Diagnostics
from tests.support.sites import REPO_ROOT, run_cli, story

INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def as_editor_sees_it(node: Node) -> Any:
    """Front matter typed the way yaml-language-server types it: YAML 1.2's core schema."""
    if isinstance(node.value, dict):
        return {key: as_editor_sees_it(value) for key, value in node.value.items()}
    if isinstance(node.value, list):
        return [as_editor_sees_it(item) for item in node.value]
    if node.value is None or node.quoted:
        return node.value
    text = node.value
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if INT.match(text):
        return int(text, 0) if text.startswith(("0o", "0x")) else int(text)
    if FLOAT.match(text):
        return float(text)
    return text


def front_matter(path: Path) -> Any:
    source = read_document(path.name, path.read_text("utf-8"), Diagnostics())
    assert source.meta is not None
    return as_editor_sees_it(source.meta)


def kind_of(relative: str) -> str:
    parts = relative.split("/")
    if parts[1] == "_speakers":
        return "speaker"
    if parts[1] == "_pages":
        return "page"
    kind = "story" if parts[-1].startswith("_index") else "entry"
    return f"{kind}-translation" if TRANSLATION_NAME.match(parts[-1]) else kind


def schema_errors(kind: str, data: Any, ratings: tuple[str, ...] = ()) -> list[str]:
    validator = jsonschema.Draft7Validator(front_matter_schema(kind, ratings))
    return [error.message for error in validator.iter_errors(data)]


@pytest.mark.parametrize("kind", ["entry", "story", "speaker", "page"])
def test_each_schema_is_a_valid_draft_07_schema(kind: str) -> None:
    jsonschema.Draft7Validator.check_schema(front_matter_schema(kind))


def test_the_example_site_is_valid_under_its_schemas() -> None:
    files = sorted((REPO_ROOT / "content").rglob("*.md"))
    assert len(files) > 15
    ratings = ("false", "misleading", "unproven", "mostly-true", "true")
    for path in files:
        relative = path.relative_to(REPO_ROOT).as_posix()
        assert schema_errors(kind_of(relative), front_matter(path), ratings) == [], relative


ENTRY_HEAD = "kind: event\ndate: 2024-11-10\ntitle: Something happened\n"

GOOD_ENTRIES = {
    "year-as-number": "kind: event\ndate: 2024\ntitle: A year\n",
    "id-with-zero": ENTRY_HEAD + "id: 012345\n",
    "rating-false": ENTRY_HEAD + "rating: false\nverdict: V\nreviewed: 2024-11-11\n",
    "yes-is-text": "kind: statement\ndate: 2024-11-10\ntitle: T\nspeaker: no\n"
                   "sources: https://example.com/a\n",
    "empty-optional": ENTRY_HEAD + "tags: []\nrole:\n",
    "single-values": ENTRY_HEAD + "tags: Russia\ndenies: year-as-number\n",
    "full-source": ENTRY_HEAD + "sources:\n  - url: https://example.com/a\n    title: A\n"
                   "    publisher: P\n    date: 2024-11-10\n    archive: https://web.archive.org/a\n"
                   "    anonymous: true\n",
    "time-and-offset": "kind: event\ndate: 2024-11-10T18:30:00+03:00\ntitle: T\napproximate: True\n",
    "ignore": ENTRY_HEAD + "ignore: [source-not-archived, quote-unmarked]\n",
    "quote-type": ENTRY_HEAD + "quote: Words\nquote_type: paraphrase\n",
}
"""Entries both the schema and the validator accept, written as authors write them."""

BAD_ENTRIES = {
    "unknown-field": ENTRY_HEAD + "soruces: []\n",
    "missing-title": "kind: event\ndate: 2024-11-10\n",
    "empty-title": "kind: event\ndate: 2024-11-10\ntitle:\n",
    "bad-kind": "kind: claim\ndate: 2024-11-10\ntitle: T\n",
    "bad-date-form": "kind: event\ndate: 10/11/2024\ntitle: T\n",
    "date-is-a-list": "kind: event\ndate: [2024]\ntitle: T\n",
    "bad-end-date": ENTRY_HEAD + "end_date: soon\n",
    "bad-bool": ENTRY_HEAD + "approximate: maybe\n",
    "bad-slug": ENTRY_HEAD + "id: Not_A_Slug\n",
    "bad-language": ENTRY_HEAD + "original_quote: Слова\noriginal_language: Russian!\n",
    "statement-without-speaker": "kind: statement\ndate: 2024-11-10\ntitle: T\n"
                                 "sources: https://example.com/a\n",
    "source-not-a-url": ENTRY_HEAD + "sources: [javascript:alert(1)]\n",
    "source-without-url": ENTRY_HEAD + "sources:\n  - title: A report\n",
    "unknown-source-key": ENTRY_HEAD + "sources:\n  - url: https://example.com/a\n    publsher: P\n",
    "bad-archive": ENTRY_HEAD + "sources:\n  - url: https://example.com/a\n    archive: ftp://x\n",
    "bad-anonymous": ENTRY_HEAD + "sources:\n  - url: https://example.com/a\n    anonymous: perhaps\n",
    "unknown-correction-key": ENTRY_HEAD + "corrections:\n  - date: 2024-11-11\n    text: N\n",
    "bad-correction-date": ENTRY_HEAD + "corrections:\n  - date: later\n    note: N\n",
    "unknown-rating": ENTRY_HEAD + "rating: fasle\nverdict: V\nreviewed: 2024-11-11\n",
    "bad-quote-type": ENTRY_HEAD + "quote: Words\nquote_type: exact\n",
    "unknown-check": ENTRY_HEAD + "ignore: [quote-unmarkd]\n",
    "title-is-a-mapping": "kind: event\ndate: 2024-11-10\ntitle: {a: b}\n",
}
"""Entries the validator rejects, one kind of structural error each."""

BAD_STORIES = {
    "story-unknown-field": "title: T\nsummary: S\nsumary: S\n",
    "story-missing-summary": "title: T\n",
    "story-bad-status": "title: T\nsummary: S\nstatus: done\n",
    "story-bad-updated": "title: T\nsummary: S\nupdated: yesterday\n",
}
BAD_SPEAKERS = {
    "speaker-missing-name": "type: person\n",
    "speaker-bad-type": "name: N\ntype: robot\n",
    "speaker-bad-url": "name: N\nurl: example.com\n",
}


def write_corpus(write_site: Callable[..., Path]) -> tuple[Path, dict[str, str]]:
    """One site holding every case; returns it and each case's file → kind."""
    files = {"content/s/_index.md": story()}
    kinds = {}
    for name, text in {**GOOD_ENTRIES, **BAD_ENTRIES}.items():
        files[f"content/s/{name}.md"] = f"---\n{text}---\n\nBody.\n"
        kinds[f"content/s/{name}.md"] = "entry"
    for index, text in enumerate(BAD_STORIES.values()):
        files[f"content/story-{index}/_index.md"] = f"---\n{text}---\n\nBackground.\n"
        kinds[f"content/story-{index}/_index.md"] = "story"
    for name, text in BAD_SPEAKERS.items():
        files[f"content/_speakers/{name}.md"] = f"---\n{text}---\n\nBio.\n"
        kinds[f"content/_speakers/{name}.md"] = "speaker"
    return write_site(files), kinds


def test_schema_and_validator_agree_on_good_and_bad_files(write_site: Callable[..., Path]) -> None:
    site, kinds = write_corpus(write_site)
    _, diagnostics = Builder(site, site / "public").read()
    structural = {d.path for d in diagnostics.items if d.severity == "error" and not d.rule}
    ratings = ("false", "misleading", "unproven", "mostly-true", "true")
    verdicts = {}
    for relative, kind in kinds.items():
        rejected_by_schema = bool(schema_errors(kind, front_matter(site / relative), ratings))
        verdicts[relative] = (rejected_by_schema, relative in structural)
    disagreements = {path: v for path, v in verdicts.items() if v[0] != v[1]}
    assert disagreements == {}, "(schema rejects, validator rejects) differ"
    bad = len(BAD_ENTRIES) + len(BAD_STORIES) + len(BAD_SPEAKERS)
    assert sum(rejected for rejected, _ in verdicts.values()) == bad


def test_sitegen_schema_prints_the_sites_rating_keys(write_site: Callable[..., Path]) -> None:
    site = write_site({"sitegen.toml": 'title = "T"\n[[ratings]]\nkey = "bogus"\nlabel = "Bogus"\n',
                       "content/s/_index.md": story()})
    result = run_cli("schema", "entry", "--source", str(site))
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["properties"]["rating"]["anyOf"][0] == {"enum": ["bogus"]}
    assert "kind" in schema["required"] and schema["additionalProperties"] is False
    assert "verbatim" in json.dumps(schema["properties"]["quote_type"])
    for kind in ("story", "speaker", "page"):
        assert run_cli("schema", kind, "--source", str(site)).returncode == 0
