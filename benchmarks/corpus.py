"""Generate a newsroom-sized site (by default 10,000 entries in 660 stories) for benchmarks.

The shape is issue 9's corpus: many stories of about fifteen entries, a shared
registry of 200 speakers, 300 tags, entries of about 1.6 KB (half of them rated
statements with a quote, a verdict and two archived sources from different
publishers), and relations within and across stories, so that speaker and tag
pages are big and an edit fans out the way it does on a real site. The content
passes sitegen's checks without a warning, so a build prints no diagnostics.
Output is deterministic for a given size.

    python -m benchmarks.corpus DIR [--entries 10000] [--stories 660]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

ENTRIES_PER_STORY = 10_000 / 660
"""Issue 9's proportion; `stories_for` keeps it at every size."""
SPEAKERS = 200
TAGS = 300
RATINGS = ("false", "misleading", "unproven", "mostly-true", "true")
"""sitegen's built-in rating scale."""
PUBLISHERS = ("Example News", "Daily Record", "Wire Service", "Public Broadcaster", "Evening Post")
EDITED_STORY, EDITED_ENTRY = 3, 5
"""The entry the benchmark edits: a rated statement in a story of the middle of the site."""

CONFIG = """\
title = "Benchmark Checks"
base_url = "https://example.org/checks/"
language = "en"
timezone = "UTC"

[organization]
name = "Benchmark Fact Check Desk"
url = "https://example.org/"
"""

WORDS = [
    "minister", "said", "report", "claim", "evidence", "vote", "border", "troops", "talks",
    "ceasefire", "sanctions", "election", "court", "ruling", "budget", "energy", "pipeline",
    "summit", "protest", "official", "spokesman", "agency", "statement", "denial", "interview",
    "archive", "source", "document", "figures", "data",
]


def stories_for(entries: int) -> int:
    """How many stories a corpus of this many entries has (660 for 10,000)."""
    return max(1, round(entries / ENTRIES_PER_STORY))


def edited_entry(root: Path) -> Path:
    """The entry file the benchmark edits."""
    return root / "content" / f"story-{EDITED_STORY:04d}" / f"entry-{EDITED_ENTRY:03d}.md"


def sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    """Some plausible-looking prose with a little Markdown in it."""
    out = []
    for _ in range(sentences):
        text = sentence(rng)
        if rng.random() < 0.3:
            words = text.split(" ")
            words[3] = f"**{words[3]}**"
            text = " ".join(words)
        out.append(text)
    return " ".join(out)


def source(rng: random.Random, slug: str, entry_id: str, when: date, publisher: str, n: int) -> list[str]:
    url = f"https://news{n}.example.com/{slug}/{entry_id}"
    return [
        f"  - url: {url}",
        f'    title: "{sentence(rng, 5, 9)[:-1]}"',
        f"    publisher: {publisher}",
        f"    date: {when.isoformat()}",
        f"    archive: https://web.archive.org/web/{when.strftime('%Y%m%d')}120000/{url}",
    ]


def generate(root: Path, entries: int = 10_000, stories: int | None = None, seed: int = 1) -> Path:
    """Write the corpus under root and return root."""
    stories = stories_for(entries) if stories is None else stories
    rng = random.Random(seed)
    content = root / "content"
    (content / "_speakers").mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text(CONFIG, "utf-8")
    speakers = [f"speaker-{n:03d}" for n in range(SPEAKERS)]
    for speaker in speakers:
        (content / "_speakers" / f"{speaker}.md").write_text(
            f"---\nname: Speaker {speaker[-3:]}\ntype: person\nrole: Official\n---\n\n"
            f"{paragraph(rng, 2)}\n", "utf-8")
    tags = [f"topic-{n:03d}" for n in range(TAGS)]
    per_story, extra = divmod(entries, stories)
    ids: list[tuple[str, list[str]]] = []
    for s in range(stories):
        count = per_story + (1 if s < extra else 0)
        ids.append((f"story-{s:04d}", [f"entry-{e:03d}" for e in range(count)]))
    for s, (slug, entry_ids) in enumerate(ids):
        folder = content / slug
        folder.mkdir(parents=True, exist_ok=True)
        story_tags = ", ".join(rng.sample(tags, 3))
        (folder / "_index.md").write_text(
            f"---\ntitle: Story number {s}\nsummary: {paragraph(rng, 1)}\n"
            f"tags: [{story_tags}]\n---\n\n{paragraph(rng)}\n\n{paragraph(rng)}\n", "utf-8")
        start = date(2015, 1, 1) + timedelta(days=(s * 3) % 3000)
        for e, entry_id in enumerate(entry_ids):
            # Later entries are later in time, so every response comes after what it answers.
            when = start + timedelta(days=e * 4)
            entry_tags = ", ".join(rng.sample(tags, 2))
            lines = [f"title: Entry {e} of story {s}", f"date: {when.isoformat()}", f"tags: [{entry_tags}]"]
            first, second = rng.sample(PUBLISHERS, 2)
            if e % 2:
                reviewed = when + timedelta(days=2)
                lines += [
                    "kind: statement",
                    f"speaker: {rng.choice(speakers)}",
                    "role: Government spokesperson",
                    f'quote: "{paragraph(rng, 1)}"',
                    "quote_type: verbatim",
                    f"rating: {rng.choice(RATINGS)}",
                    f'verdict: "{sentence(rng, 14, 22)}"',
                    f"reviewed: {reviewed.isoformat()}",
                    "sources:",
                    *source(rng, slug, entry_id, when, first, 1),
                    *source(rng, slug, entry_id, reviewed, second, 2),
                ]
            else:
                lines += ["kind: event", "sources:", *source(rng, slug, entry_id, when, first, 1)]
            if e > 0 and rng.random() < 0.4:
                lines.append(f"responds_to: {entry_ids[rng.randrange(e)]}")
            if rng.random() < 0.05:
                other_slug, other_ids = ids[rng.randrange(len(ids))]
                if other_slug != slug:
                    lines.append(f"confirms: {other_slug}/{rng.choice(other_ids)}")
            body = [paragraph(rng), paragraph(rng)]
            if e % 2 == 0:  # an event has no quote or verdict: it says more in its body
                body.append(paragraph(rng, 2))
            (folder / f"{entry_id}.md").write_text(
                "---\n" + "\n".join(lines) + "\n---\n\n" + "\n\n".join(body) + "\n", "utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--stories", type=int, help="default: one per ~15 entries (660 for 10,000)")
    args = parser.parse_args()
    generate(args.dir, args.entries, args.stories)
    print(f"wrote {args.entries} entries in {args.stories or stories_for(args.entries)} stories "
          f"under {args.dir}")


if __name__ == "__main__":
    main()
