"""`/<story>/timeline.json`: each story in TimelineJS3's JSON format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.publishing import FULL_SITE
from tests.support.sites import build_site, write_files

# Knight Lab's own examples (MPL-2.0, see LICENSE-NOTE.md there), copied byte for byte.
EXAMPLES = Path(__file__).resolve().parent / "data" / "timelinejs"
DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format",
             "thumbnail"}  # a stray key two of Knight Lab's examples carry
SLIDE_KEYS = {
    "start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
    "unique_id", "uniqueid", "location", "type",
}


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("timelinejs") / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def check_shape(document: dict[str, Any]) -> None:
    """Hold a document to the shape Knight Lab's own examples have."""
    assert set(document) <= {"title", "events", "eras", "scale"}
    assert isinstance(document["events"], list)
    slides = document["events"] + ([document["title"]] if "title" in document else [])
    for slide in slides:
        assert set(slide) <= SLIDE_KEYS, set(slide) - SLIDE_KEYS
        assert set(slide.get("text", {})) <= {"headline", "text"}
    for event in document["events"]:
        for key in ("start_date", "end_date"):
            if key in event:
                assert set(event[key]) <= DATE_KEYS
                assert int(event[key]["year"]) == float(event[key]["year"])


@pytest.mark.parametrize("name", ["eras", "group_sample", "marktwain", "welcome", "years"])
def test_the_shape_check_accepts_knight_labs_examples(name: str) -> None:
    path = EXAMPLES / f"{name}.json"
    check_shape(json.loads(path.read_text("utf-8")))


def test_story_timeline(full_site: Path) -> None:
    document = json.loads((full_site / "bridge-dispute/timeline.json").read_text("utf-8"))
    check_shape(document)
    assert document["title"]["text"]["headline"] == "Was the bridge finished on time?"
    ids = [e["unique_id"] for e in document["events"]]
    # Oldest first; February 2024 and 1 February 2024 start together, the coarser first.
    assert ids == ["rated-event", "newspaper-claim", "opening", "minister-claim"]
    events = {e["unique_id"]: e for e in document["events"]}
    assert events["rated-event"]["start_date"] == {"year": 2024}
    assert events["newspaper-claim"]["start_date"] == {"year": 2024, "month": 2}
    assert events["newspaper-claim"]["display_date"] == "c. February 2024"
    assert events["opening"]["start_date"] == {"year": 2024, "month": 2, "day": 1}
    assert events["opening"]["end_date"] == {"year": 2024, "month": 2, "day": 3}
    assert events["opening"]["display_date"] == "1 February 2024 – 3 February 2024"
    minister = events["minister-claim"]
    assert minister["start_date"] == {"year": 2024, "month": 2, "day": 5, "hour": 10, "minute": 30}
    assert minister["display_date"] == "5 February 2024, 10:30 UTC+2"
    assert minister["group"] == "Statement"
    assert events["opening"]["group"] == "Event"
    assert minister["text"]["headline"] == "Minister says the bridge was finished on time"
    assert "&lt;/script&gt;" in minister["text"]["text"] and "</script>" not in minister["text"]["text"]
    assert "<strong>False</strong>" in minister["text"]["text"]
    assert "https://example.org/checks/bridge-dispute/minister-claim/" in minister["text"]["text"]


def test_example_story_timeline(example_site_build: Path) -> None:
    document = json.loads((example_site_build / "trump-putin-call/timeline.json").read_text("utf-8"))
    check_shape(document)
    assert len(document["events"]) == 8
    assert len({e["unique_id"] for e in document["events"]}) == 8
