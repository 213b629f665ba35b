"""Generate a newsroom-sized site (10,000 entries in 660 stories) for benchmarks.

The shape follows ROADMAP.md's corpus: many stories of a dozen or so entries,
a shared registry of speakers, a few hundred tags, and relations within and
across stories, so that speaker and tag pages are big and an edit fans out the
way it does on a real site. Output is deterministic for a given size.

    python benchmarks/corpus.py DIR [--entries 10000] [--stories 660]
"""

from __future__ import annotations

import argparse
import datetime
import random
from pathlib import Path

CONFIG = """\
title = "Benchmark Checks"
base_url = "https://example.org/checks/"
language = "en"
timezone = "UTC"
"""

WORDS = [
    "minister", "said", "report", "claim", "evidence", "vote", "border", "troops", "talks",
    "ceasefire", "sanctions", "election", "court", "ruling", "budget", "energy", "pipeline",
    "summit", "protest", "official", "spokesman", "agency", "statement", "denial", "interview",
    "archive", "source", "document", "figures", "data",
]


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    """Some plausible-looking prose with a little Markdown in it."""
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        words[0] = words[0].capitalize()
        if rng.random() < 0.3:
            words[3] = f"**{words[3]}**"
        out.append(" ".join(words) + ".")
    return " ".join(out)


def generate(root: Path, entries: int = 10_000, stories: int = 660, seed: int = 1) -> Path:
    """Write the corpus under root and return root."""
    rng = random.Random(seed)
    content = root / "content"
    (content / "_speakers").mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text(CONFIG, "utf-8")
    speakers = [f"speaker-{n:03d}" for n in range(200)]
    for speaker in speakers:
        (content / "_speakers" / f"{speaker}.md").write_text(
            f"---\nname: Speaker {speaker[-3:]}\ntype: person\nrole: Official\n---\n\n"
            f"{paragraph(rng, 2)}\n", "utf-8")
    tags = [f"topic-{n:03d}" for n in range(300)]
    per_story, extra = divmod(entries, stories)
    ids: list[tuple[str, list[str]]] = []
    for s in range(stories):
        slug = f"story-{s:04d}"
        count = per_story + (1 if s < extra else 0)
        ids.append((slug, [f"entry-{e:03d}" for e in range(count)]))
    for s, (slug, entry_ids) in enumerate(ids):
        folder = content / slug
        folder.mkdir(parents=True, exist_ok=True)
        story_tags = ", ".join(rng.sample(tags, 3))
        (folder / "_index.md").write_text(
            f"---\ntitle: Story number {s}\nsummary: {paragraph(rng, 1)}\n"
            f"tags: [{story_tags}]\n---\n\n{paragraph(rng)}\n\n{paragraph(rng)}\n", "utf-8")
        for e, entry_id in enumerate(entry_ids):
            # Later entries are later in time, so a response never comes before what it answers.
            date = (datetime.date(2020 + s % 5, 1, 1) + datetime.timedelta(days=e * 9 + s % 7)).isoformat()
            entry_tags = ", ".join(rng.sample(tags, 2))
            lines = [f"title: Entry {e} of story {s}", f"date: {date}", f"tags: [{entry_tags}]"]
            if e % 2:
                lines += [
                    "kind: statement",
                    f"speaker: {rng.choice(speakers)}",
                    f'quote: "{paragraph(rng, 1)}"',
                    "sources:",
                    f"  - url: https://news.example.com/{slug}/{entry_id}",
                    "    publisher: Example News",
                ]
            else:
                lines.append("kind: event")
            if e > 0 and rng.random() < 0.4:
                lines.append(f"responds_to: {entry_ids[rng.randrange(e)]}")
            if rng.random() < 0.05:
                other_slug, other_ids = ids[rng.randrange(len(ids))]
                if other_slug != slug:
                    lines.append(f"confirms: {other_slug}/{rng.choice(other_ids)}")
            (folder / f"{entry_id}.md").write_text(
                "---\n" + "\n".join(lines) + "\n---\n\n" + paragraph(rng) + "\n\n"
                + paragraph(rng) + "\n", "utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=660)
    args = parser.parse_args()
    generate(args.dir, args.entries, args.stories)
    print(f"wrote {args.entries} entries in {args.stories} stories under {args.dir}")


if __name__ == "__main__":
    main()
