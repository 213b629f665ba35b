"""Editorial checks: what a fact-checking desk wants caught before a reader does.

The structural checks of `content` and `fields` decide whether a file can be
read at all; these rules run afterwards on the read `Site` and judge the
journalism: a statement without a source, a rated claim resting on a single
publisher, a quote nobody marked as exact. Each rule has a stable id (what
`[checks]` in sitegen.toml, `ignore:` in front matter and `check --format
json` use), a default severity a site may change, and a message that says
what to do.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from sitegen.reading.document import Node
from sitegen.structure.dates import PartialDate, Precision
from sitegen.structure.diagnostics import Diagnostic, Diagnostics
from sitegen.structure.model import Citation, Correction, EntryRef, Site, Story

Setting = Literal["off", "warning", "error"]
SETTINGS: tuple[Setting, ...] = ("off", "warning", "error")

Where = tuple[str | int, ...]
"""A path into a file's front matter: `("sources", 0, "archive")`; `()` is the front matter itself."""


@dataclass(frozen=True)
class Finding:
    """One editorial problem in one file, before a severity is given to it."""

    path: str
    where: Where
    message: str
    near: Where = ()
    """Where to point instead when `where` is not written (a missing field's reason, e.g. `rating`)."""


RuleCheck = Callable[[Story, Site, datetime], Iterable[Finding]]
"""A rule's findings in one story and its entries; the site is there for what they point at."""


@dataclass(frozen=True)
class Rule:
    """One editorial rule."""

    id: str
    severity: Setting
    """The default, which `[checks]` in sitegen.toml can change."""
    doc: str
    """What the rule asks of an entry, for the docs and `sitegen schema`."""
    check: RuleCheck


RULES: dict[str, Rule] = {}
"""Every rule by id, in the order they run (and are documented)."""


def rule(rule_id: str, severity: Setting, doc: str) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule function under a stable id."""

    def register(check: RuleCheck) -> RuleCheck:
        RULES[rule_id] = Rule(rule_id, severity, doc, check)
        return check

    return register


def publisher_of(source: Citation) -> str:
    """Who published a source: its `publisher`, else the web site it is on."""
    if source.publisher:
        return source.publisher.strip()
    host = urlsplit(source.url).hostname or source.url
    return host.removeprefix("www.")


def ends(date: PartialDate) -> datetime:
    """The instant a date's stated precision ends: `2024-11` ends when December begins."""
    start = date.start
    if date.precision == Precision.YEAR:
        return start + timedelta(days=366 if calendar.isleap(date.year) else 365)
    if date.precision == Precision.MONTH:
        return start + timedelta(days=calendar.monthrange(date.year, date.month)[1])
    if date.precision == Precision.DAY:
        return start + timedelta(days=1)
    if date.precision == Precision.MINUTE:
        return start + timedelta(minutes=1)
    return start + timedelta(seconds=1)


# -- the rules, in the order they are documented -----------------------------


@rule("source-missing", "error", "A statement has at least one source.")
def source_missing(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.kind == "statement" and not entry.sources:
            yield Finding(
                entry.path, ("sources",),
                "missing field `sources`: a statement needs at least one source; add where the words "
                "were said or reported: sources: [{url: https://..., title: ..., publisher: ...}]",
            )


@rule("sources-not-independent", "warning",
      "A rated claim has sources from at least two different publishers.")
def sources_not_independent(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.rating is None or (entry.kind == "statement" and not entry.sources):
            continue  # an unsourced statement is `source-missing`'s to report
        publishers = {publisher_of(s).casefold(): publisher_of(s) for s in entry.sources}
        if len(publishers) < 2:
            named = ", ".join(publishers.values()) or "none"
            yield Finding(
                entry.path, ("sources",),
                f"a rated claim needs sources from at least two independent publishers; this one "
                f"has {len(publishers)} ({named}): add a source from another publisher that "
                "supports the facts the rating rests on",
            )


@rule("source-not-archived", "warning", "Every source has an `archive` link to a saved copy.")
def source_not_archived(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        for index, source in enumerate(entry.sources):
            if not source.archive:
                yield Finding(
                    entry.path, ("sources", index),
                    f"source {index + 1} ({publisher_of(source)}) has no archived copy: save the page "
                    "with https://web.archive.org/save or https://archive.today and add "
                    "`archive: <the copy's URL>`, so readers can still check it if the page changes",
                )


@rule("source-anonymous", "warning",
      "A source marked `anonymous: true` has been approved by an editor (then silence the rule).")
def source_anonymous(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        for index, source in enumerate(entry.sources):
            if source.anonymous:
                yield Finding(
                    entry.path, ("sources", index, "anonymous"),
                    f"source {index + 1} ({publisher_of(source)}) relies on people it does not name: "
                    "say in the text why they are credible and how they would know, and once an "
                    "editor has approved it add `ignore: [source-anonymous]` to this file",
                )


@rule("quote-unmarked", "warning", "A quote says whether it is verbatim or a paraphrase.")
def quote_unmarked(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.quote and not entry.quote_type:
            yield Finding(
                entry.path, ("quote",),
                "say whether the quote is the speaker's exact words: add `quote_type: verbatim` "
                "or `quote_type: paraphrase` (readers are shown which)",
            )


@rule("rating-incomplete", "error", "A rated entry has a `verdict` and a `reviewed` date.")
def rating_incomplete(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.rating is None:
            continue
        if not entry.verdict:
            yield Finding(entry.path, ("verdict",),
                          "missing field `verdict`: a rated entry needs one; add a one-sentence "
                          "`verdict`, the conclusion readers see beside the rating", near=("rating",))
        if entry.reviewed is None:
            yield Finding(entry.path, ("reviewed",),
                          "missing field `reviewed`: a rated entry needs one; add the date of the "
                          "review, e.g. `reviewed: 2024-11-12`", near=("rating",))


@rule("correction-incomplete", "error",
      "A correction has a `date` and a `note` (one without a date is not shown).")
def correction_incomplete(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    owners = [(story.path, story.corrections)] + [(e.path, e.corrections) for e in story.entries]
    for path, corrections in owners:
        for index, correction in enumerate(corrections):
            missing = [name for name, value in (("date", correction.date), ("note", correction.note))
                       if not value]
            if missing:
                yield Finding(
                    path, ("corrections", index),
                    f"a correction needs both `date` and `note`; correction {index + 1} has no "
                    f"{' and no '.join(f'`{m}`' for m in missing)}: give the day it was corrected and "
                    "say what was wrong and what changed (a correction without a date is not shown)",
                )


ORDERED_RELATIONS = {"responds_to": "a response", "denies": "a denial", "corrects": "a correction"}
"""Relations that cannot come before their target; a confirmation can (a record predating a claim)."""


@rule("relation-out-of-order", "error",
      "A response, denial or correction is not dated before what it responds to, denies or corrects.")
def relation_out_of_order(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        for relation in entry.relations:
            noun = ORDERED_RELATIONS.get(relation.type)
            target = site.entries.get(relation.target)
            if relation.incoming or noun is None or target is None:
                continue
            if ends(entry.date) <= target.date.start:
                yield Finding(
                    entry.path, (relation.type,),
                    f"`{relation.type}: {relation.target.id}` points forward in time: this entry is "
                    f"dated {entry.date.text}, before `{relation.target.id}` ({target.date.text}), and "
                    f"{noun} cannot come first; check both dates, or whether the relation belongs on "
                    "the other entry",
                )


@rule("date-in-future", "warning",
      "An entry is not dated in the future, nor a review, a correction or a story's update.")
def date_in_future(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.date.start > now:
            yield Finding(
                entry.path, ("date",),
                f"`date` {entry.date.text} is in the future: check the year, or keep the entry as "
                "`draft: true` until it has happened",
            )
        if entry.reviewed is not None and entry.reviewed.start > now:
            yield Finding(entry.path, ("reviewed",), f"`reviewed` {entry.reviewed.text} is in the future: "
                                                     "write the day the claim was reviewed")
        yield from _future_corrections(entry.path, entry.corrections, now)
    # The story's update is the newest of its `updated`, its entries' dates and every correction:
    # told here only when it is the `updated` written, the others are told where they are.
    told = [entry.date for entry in story.entries] + [
        c.date for c in (*story.corrections, *(c for e in story.entries for c in e.corrections))]
    if story.updated is not None and story.updated.start > now and story.updated not in told:
        yield Finding(story.path, ("updated",), f"`updated` {story.updated.text} is in the future: "
                                                "the story would say so, and stay first, until then")
    yield from _future_corrections(story.path, story.corrections, now)


def _future_corrections(path: str, corrections: tuple[Correction, ...], now: datetime) -> Iterator[Finding]:
    for index, correction in enumerate(corrections):
        if correction.date is not None and correction.date.start > now:
            yield Finding(path, ("corrections", index, "date"),
                          f"correction {index + 1} is dated {correction.date.text}, in the future: "
                          "write the day it was made")


def future_dates(story: Story) -> Iterator[datetime]:
    """Every date of a story `date-in-future` looks at: a finding of it lasts until the first comes."""
    for entry in story.entries:
        yield entry.date.start
        if entry.reviewed is not None:
            yield entry.reviewed.start
        yield from (c.date.start for c in entry.corrections if c.date is not None)
    if story.updated is not None:
        yield story.updated.start
    yield from (c.date.start for c in story.corrections if c.date is not None)


@rule("speaker-role-missing", "warning", "A statement by a person gives their `role` at the time.")
def speaker_role_missing(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    for entry in story.entries:
        if entry.kind != "statement" or entry.speaker is None or entry.role:
            continue
        speaker = site.speakers.get(entry.speaker)
        if speaker is None or speaker.type != "person":
            continue
        yield Finding(
            entry.path, ("speaker",),
            f"add `role:` with what {speaker.name} was when this was said (e.g. `role: Foreign "
            "minister`): roles change, and readers need the one held at the time",
        )


IMAGE_ALT_MISSING = "image-alt-missing"


@rule(IMAGE_ALT_MISSING, "warning", "Every image in a body has alternative text saying what it shows.")
def image_alt_missing(story: Story, site: Site, now: datetime) -> Iterator[Finding]:
    """Found while each body is converted, where its line is known (`sources.body`); `check`
    gives those findings the severity `[checks]` sets, or drops them."""
    return iter(())


READ_RULES = frozenset({IMAGE_ALT_MISSING})
"""Rules whose findings the read makes, as diagnostics carrying the rule's id."""
RULE_IDS: tuple[str, ...] = tuple(RULES)


# -- running them ---------------------------------------------------------------


def severities(checks: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each rule's severity: its default, unless `[checks]` in sitegen.toml says otherwise."""
    result: dict[str, str] = {rule_id: r.severity for rule_id, r in RULES.items()}
    result.update(checks)
    return result


def locate(meta: Node | None, where: Where, near: Where = ()) -> tuple[int, int]:
    """The line and column of a place in front matter; if it is missing, of `near`, else of
    the nearest written parent."""
    if meta is None:
        return (1, 1)
    if near and not written(meta, where):
        where = near
    position = (meta.line, 1)
    node = meta
    for step in where:
        if isinstance(step, str) and isinstance(node.value, dict) and step in node.value:
            position = node.key_positions.get(step, (node.line, node.column))
            node = node.value[step]
        elif isinstance(step, int) and isinstance(node.value, list) and step < len(node.value):
            node = node.value[step]
            position = (node.line, node.column)
        elif isinstance(step, int) and step == 0 and not isinstance(node.value, list):
            continue  # a single value counts as a list of one
        else:
            break
    return position


def written(meta: Node | None, where: Where) -> bool:
    """Tell whether the field a path starts with is written in the front matter."""
    return bool(meta and where and isinstance(meta.value, dict) and where[0] in meta.value)


def check(
    site: Site, diagnostics: Diagnostics, front_matter: Callable[[str], Node | None], now: datetime,
    memory: Findings | None = None,
) -> None:
    """Run every rule that is not off; record what it finds with its severity and rule id.

    A finding about a written field whose line already has a structural error is
    left out: that error says what to fix, and one value should not carry two
    complaints. (A missing field pointed at its reason's line is still reported.)
    `memory` hands back what the last check found in each story it may (see `Findings`).
    """
    memory = memory if memory is not None else Findings()
    levels = severities(site.config.checks)
    _apply_levels(diagnostics, levels, site)
    error_lines = {(d.path, d.line) for d in diagnostics.items if d.severity == "error"}
    for story in site.stories:
        for placed in memory.of(story, site, now, front_matter):
            level = levels[placed.rule_id]
            if level == "off" or (placed.suppressible and (placed.path, placed.line) in error_lines):
                continue
            diagnostics.items.append(Diagnostic(
                placed.path, placed.line, placed.column, "error" if level == "error" else "warning",
                placed.message, placed.rule_id,
            ))
    memory.next_check()


def _apply_levels(diagnostics: Diagnostics, levels: dict[str, str], site: Site) -> None:
    """Give the read's findings of a rule (`READ_RULES`) the severity `[checks]` sets, and drop
    those it turns off or a file's `ignore:` names."""
    if not any(d.rule in READ_RULES for d in diagnostics.items):
        return
    ignored = {story.path: story.ignore for story in site.stories}
    ignored.update((entry.path, entry.ignore) for entry in site.entries.values())
    ignored.update((speaker.path, speaker.ignore) for speaker in site.speakers.values() if speaker.path)
    kept = []
    for item in diagnostics.items:
        if item.rule in READ_RULES:
            level = levels[item.rule]
            if level == "off" or item.rule in ignored.get(item.path, ()):
                continue
            item = replace(item, severity="error" if level == "error" else "warning")
        kept.append(item)
    diagnostics.items[:] = kept


@dataclass(frozen=True)
class Placed:
    """A finding of one rule, pointed at its line, before `[checks]` gives it a severity."""

    rule_id: str
    path: str
    line: int
    column: int
    message: str
    suppressible: bool
    """Left out when a structural error is on its line (see `check`)."""


@dataclass(frozen=True)
class StoryFindings:
    """What every rule found in one story, with what beyond the story the rules read."""

    story: Story
    targets: tuple[EntryRef, ...]
    """The entries its responses, denials and corrections point at (`relation-out-of-order`)."""
    target_entries: tuple[object, ...]
    expires: datetime | None
    """When its earliest entry dated in the future stops being so (`date-in-future`)."""
    found: tuple[Placed, ...]


class Findings:
    """Each story's findings, kept while the story is the same object, the entries its relations
    point at are too, the speakers are equal and no entry's date has come.

    A preview's rebuild reads one edited story again and replays the others (`reading.folders`),
    which hands back the same story objects: running ten rules over 10,000 entries on every save
    would cost more than the rest of the read. Of the site, the rules read only the speakers
    (`speaker-role-missing`) and the entries a relation points at (`relation-out-of-order`);
    a rule that reads more must be added to `_inputs` here.
    """

    def __init__(self) -> None:
        self._last: dict[str, StoryFindings] = {}
        self._now: dict[str, StoryFindings] = {}
        self._speakers: tuple[tuple[str, str, str], ...] = ()

    def of(
        self, story: Story, site: Site, now: datetime, front_matter: Callable[[str], Node | None],
    ) -> tuple[Placed, ...]:
        """The findings of every rule in one story, checked again only if what they read changed."""
        if not self._now:
            speakers = tuple((s.id, s.type, s.name) for s in site.speakers.values())
            if speakers != self._speakers:
                self._last, self._speakers = {}, speakers
        found = self._last.get(story.slug)
        if found is None or found.story is not story or (found.expires is not None and now >= found.expires) \
                or not _same_entries(tuple(map(site.entries.get, found.targets)), found.target_entries):
            found = _check_story(story, site, now, front_matter)
        self._now[story.slug] = found
        return found.found

    def next_check(self) -> None:
        """Forget the stories the check just done did not see."""
        self._last, self._now = self._now, {}


def _same_entries(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _check_story(
    story: Story, site: Site, now: datetime, front_matter: Callable[[str], Node | None],
) -> StoryFindings:
    ignored = {story.path: story.ignore} | {e.path: e.ignore for e in story.entries}
    found: list[Placed] = []
    for rule_id, registered in RULES.items():
        for finding in registered.check(story, site, now):
            if rule_id in ignored.get(finding.path, ()):
                continue
            meta = front_matter(finding.path)
            line, column = locate(meta, finding.where, finding.near)
            found.append(Placed(rule_id, finding.path, line, column, finding.message,
                                written(meta, finding.where) or not finding.near))
    targets = tuple(r.target for e in story.entries for r in e.relations
                    if not r.incoming and r.type in ORDERED_RELATIONS)
    future = [moment for moment in future_dates(story) if moment > now]
    return StoryFindings(story, targets, tuple(map(site.entries.get, targets)),
                         min(future) if future else None, tuple(found))
