"""Link the entries read from their files: to speakers, to each other, and in time order.

This is the part of reading that needs the whole site at once, so it runs on
every read, after the entries (cached or not) are in.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sitegen.reading.entries import RawEntry
from sitegen.reading.fields import SLUG_PATTERN, Located, did_you_mean
from sitegen.structure.dates import PartialDate, Precision
from sitegen.structure.diagnostics import Diagnostic, Diagnostics
from sitegen.structure.model import Entry, EntryRef, Relation, RelationType, Speaker, Story
from sitegen.structure.urls import slugify, tag_slug

T = TypeVar("T")

NEVER = datetime(1, 1, 1, tzinfo=UTC)
"""Where a story with no dates sorts: after every dated one."""


class Linked:
    """The entries the last read linked, kept for a read whose raw entries are the same objects.

    Linking copies every statement (its speaker resolved) and every entry with relations on
    every read; a read that replays unchanged story folders (`reading.folders`) hands the
    same raw entries over, and gets the same linked entries back while what they were
    linked to is equal. So the views carried over by identity (`rendering.memo`) still hit.
    """

    def __init__(self, last: Linked | None = None) -> None:
        if last is None:
            self._start(None, None, {})
        else:
            self._start(last.speakers, last.relations, last._stories)

    def _start(
        self, speakers: SpeakersRead | None, relations: RelationsRead | None,
        stories: dict[str, tuple[Story, tuple[Entry, ...], Story]],
    ) -> None:
        self._last_stories = stories
        self.last_speakers, self.last_relations = speakers, relations
        """What the last read's `resolve_speakers` and `resolve_relations` found, per story."""
        self.speakers: SpeakersRead | None = None
        self.relations: RelationsRead | None = None
        self._stories: dict[str, tuple[Story, tuple[Entry, ...], Story]] = {}

    def __getstate__(self) -> dict[str, object]:
        # Kept for the next run (see `build_state`): this read's links, not the one's before.
        return {"speakers": self.speakers, "relations": self.relations, "stories": self._stories}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # As the read that saved it left it, so that `Linked(this)` starts from its links.
        self._start(None, None, {})
        self.speakers, self.relations, self._stories = state["speakers"], state["relations"], state["stories"]

    def attached(self, story: Story, entries: tuple[Entry, ...], attach: Callable[[], Story]) -> Story:
        """The story with its entries in order, as last time when it and they are the same objects."""
        found = self._last_stories.get(story.slug)
        if found is not None and found[0] is story and _same_items(found[1], entries):
            attached = found[2]
        else:
            attached = attach()
        self._stories[story.slug] = (story, entries, attached)
        return attached

@dataclass
class Unlisted:
    """Entries that exist but are not published: a relation to one is no "no such entry" error."""

    drafts: set[EntryRef] = field(default_factory=set)
    """Hidden drafts: a relation to one is left out with a warning."""
    draft_stories: set[str] = field(default_factory=set)
    unusable: set[EntryRef] = field(default_factory=set)
    """Entries dropped for errors of their own, reported at their files."""


@dataclass(frozen=True)
class SpeakersRead:
    """What one `resolve_speakers` found, by story, for the next read to start from."""

    registry: dict[str, Speaker]
    items: dict[str, tuple[RawEntry, ...]]
    output: dict[str, list[RawEntry]]
    free: frozenset[str]
    """The stories with a statement whose speaker is not in the registry: linked on every read,
    since a free-text speaker's id depends on the names the stories before it used."""


def resolve_speakers(
    raw_entries: dict[str, list[RawEntry]], speakers: dict[str, Speaker], diagnostics: Diagnostics,
    links: Linked | None = None,
) -> tuple[dict[str, list[RawEntry]], dict[str, Speaker]]:
    """Link statements to registry speakers; give free-text speakers pages too.

    A story whose raw entries are the same objects as last read's, all of whose speakers are
    in an equal registry, gets last read's linked entries back (`Linked.last_speakers`)."""
    links = links or Linked()
    last = links.last_speakers
    registry_same = last is not None and last.registry == speakers
    by_name: dict[str, list[str]] = {}
    for speaker in speakers.values():
        for name in (speaker.name, *speaker.aliases):
            owners = by_name.setdefault(name.casefold(), [])
            if speaker.id not in owners:
                owners.append(speaker.id)
    result = dict(speakers)
    linked: dict[str, list[RawEntry]] = {}
    items: dict[str, tuple[RawEntry, ...]] = {}
    free: set[str] = set()
    for story, raws in raw_entries.items():
        now = items[story] = tuple(raws)
        if registry_same and last is not None and story not in last.free and _same_items(
                last.items.get(story), now):
            linked[story] = last.output[story]
            continue
        before = _last_of(last.items, last.output, story) if last is not None else {}
        out: list[RawEntry] = []
        for raw in raws:
            if raw.speaker is None:
                out.append(raw)
                continue
            owners = speaker_owners(raw.speaker.text, speakers, by_name)
            found = speaker_id(raw.entry, raw.speaker, owners, speakers, result, diagnostics)
            if found not in speakers or len(owners) > 1:
                free.add(story)  # read again next time, so its problem is reported again
            out.append(_with_speaker(raw, found, before))
        linked[story] = out
    links.speakers = SpeakersRead(dict(speakers), items, linked, frozenset(free))
    return linked, dict(sorted(result.items()))


def _with_speaker(raw: RawEntry, speaker: str, before: dict[int, tuple[RawEntry, RawEntry]]) -> RawEntry:
    """The statement with its speaker's id: the last read's object while its raw entry and id are."""
    found = before.get(id(raw))
    if found is not None and found[0] is raw and found[1].entry.speaker == speaker:
        return found[1]
    return replace(raw, entry=replace(raw.entry, speaker=speaker))


def speaker_owners(value: str, registry: dict[str, Speaker], by_name: dict[str, list[str]]) -> list[str]:
    """The registry speakers a statement's `speaker` may mean: the one with that id, and those
    with that name or alias (whatever its case)."""
    owners = [value] if value in registry else []
    return owners + [owner for owner in by_name.get(value.casefold(), ()) if owner not in owners]


def speaker_id(
    entry: Entry, written: Located, owners: list[str], registry: dict[str, Speaker],
    speakers: dict[str, Speaker], diagnostics: Diagnostics,
) -> str:
    """The speaker a statement names: one of the registry speakers it may mean (`owners`, see
    `speaker_owners`), else a free-text speaker of its own.

    A name that two speakers answer to is an error: a quote given to the wrong person is the
    worst mistake a fact-check can publish, so sitegen never picks one."""
    value = written.text
    if len(owners) > 1:
        files = ", ".join(f"`{owner}` ({registry[owner].path})" for owner in owners)
        diagnostics.error(
            entry.path, written.line, written.column,
            f"speaker `{value}` could be any of {files}: write the id of the one who said it, "
            "and give each speaker names and aliases of its own",
        )
    if owners:
        return owners[0]
    if SLUG_PATTERN.match(value) and "-" in value and (hint := did_you_mean(value, list(registry))):
        diagnostics.error(
            entry.path, written.line, written.column,
            f"unknown speaker id `{value}`{hint}; speakers are the files "
            "in content/_speakers/, or write the person's full name",
        )
    return free_speaker(value, speakers)


def free_speaker(name: str, speakers: dict[str, Speaker]) -> str:
    """Give a free-text speaker an id of its own that no registry speaker has: the name's
    Latin letters, else its letters of any script, as a tag keeps them (`Дмитро Кулеба` is
    `дмитро-кулеба`; a numbered `speaker-2` moved to another person when one was added)."""
    base = slugify(name) or tag_slug(name) or "speaker"
    candidate, number = base, 1
    while candidate in speakers and speakers[candidate].name != name:
        number += 1
        candidate = f"{base}-{number}"
    speakers.setdefault(candidate, Speaker(id=candidate, name=name))
    return candidate


Event = tuple[EntryRef, Relation, EntryRef, Relation]
"""One relation as written, resolved: (source, its relation, target, the target's incoming one)."""
UnlistedKey = tuple[frozenset[EntryRef], frozenset[str], frozenset[EntryRef]]


@dataclass(frozen=True)
class RelationsRead:
    """What one `resolve_relations` found, by story, for the next read to start from."""

    items: dict[str, tuple[RawEntry, ...]]
    refs: dict[str, frozenset[EntryRef]]
    known: frozenset[EntryRef]
    unlisted: UnlistedKey
    events: dict[str, tuple[Event, ...]]
    """Each story's relations as written, resolved, in the order written."""
    diagnostics: dict[str, tuple[Diagnostic, ...]]
    """What resolving each story's relations reported."""
    output: dict[str, list[Entry]]


def resolve_relations(
    raw_entries: dict[str, list[RawEntry]], unlisted: Unlisted, diagnostics: Diagnostics,
    links: Linked | None = None,
) -> dict[str, list[Entry]]:
    """Resolve every relation and record it on both ends.

    Carried over per story from the last read (`Linked.last_relations`): a story whose raw
    entries are the same objects, while the site's entries and drafts are the same, has the
    same relations as written; and a story none of whose relations, outgoing or incoming,
    changed gets the same entries back. So a one-entry edit resolves one story's relations
    and links the entries of the stories they touch, not every entry of the site."""
    links = links or Linked()
    last = links.last_relations
    items = {story: tuple(raws) for story, raws in raw_entries.items()}
    same = {story for story, now in items.items()
            if last is not None and _same_items(last.items.get(story), now)}
    refs = {story: last.refs[story] if last is not None and story in same
            else frozenset(raw.entry.ref for raw in now) for story, now in items.items()}
    if last is not None and refs.keys() == last.refs.keys() and all(
            refs[story] == last.refs[story] for story in refs if story not in same):
        known = last.known
    else:
        known = frozenset().union(*refs.values())
    unlisted_key = (frozenset(unlisted.drafts), frozenset(unlisted.draft_stories),
                    frozenset(unlisted.unusable))
    if last is not None and unlisted_key == last.unlisted:
        unlisted_key = last.unlisted
    unchanged = last is not None and known is last.known and unlisted_key is last.unlisted
    events: dict[str, tuple[Event, ...]] = {}
    reported: dict[str, tuple[Diagnostic, ...]] = {}
    for story, now in items.items():
        if unchanged and last is not None and story in same:
            events[story], reported[story] = last.events[story], last.diagnostics[story]
        else:
            problems = Diagnostics()
            events[story] = story_events(now, known, unlisted, problems)
            reported[story] = tuple(problems.items)
        diagnostics.items.extend(reported[story])
    affected = set(items) if last is None else stories_touched(last, items, same, events)
    relations: dict[EntryRef, list[Relation]] = defaultdict(list)
    for written in events.values():
        for source, outgoing, target, incoming in written:
            if source.story in affected:
                relations[source].append(outgoing)
            if target.story in affected:
                relations[target].append(incoming)
    output: dict[str, list[Entry]] = {}
    for story, raws in raw_entries.items():
        if last is not None and story not in affected:
            output[story] = last.output[story]
        else:
            before = _last_of(last.items, last.output, story) if last is not None else {}
            output[story] = [
                _with_relations(raw, tuple(dict.fromkeys(found)), before)
                if (found := relations.get(raw.entry.ref)) else raw.entry
                for raw in raws
            ]
    links.relations = RelationsRead(items, refs, known, unlisted_key, events, reported, output)
    return output


def story_events(
    raws: tuple[RawEntry, ...], known: frozenset[EntryRef], unlisted: Unlisted, diagnostics: Diagnostics,
) -> tuple[Event, ...]:
    """A story's relations as written, resolved, in the order written; problems reported."""
    found: list[Event] = []
    for raw in raws:
        if not raw.refs:
            continue
        source_ref = raw.entry.ref
        for relation_type, targets in raw.refs.items():
            for target in targets:
                ref = resolve_ref(raw.entry, relation_type, target, known, unlisted, diagnostics)
                if ref is None:
                    continue
                # An answer dated before what it answers is the editorial rule
                # `relation-out-of-order` (sitegen/reading/editorial.py), not a second warning here.
                found.append((source_ref, Relation(relation_type, ref),
                              ref, Relation(relation_type, source_ref, incoming=True)))
    return tuple(found)


def stories_touched(
    last: RelationsRead, items: dict[str, tuple[RawEntry, ...]], same: set[str],
    events: dict[str, tuple[Event, ...]],
) -> set[str]:
    """The stories whose linked entries may differ from the last read's: those whose entries
    changed, and both ends of every relation that came or went."""
    touched = {story for story in items if story not in same}
    for story in {*items, *last.events}:
        old, new = last.events.get(story, ()), events.get(story, ())
        if old is not new and old != new:
            for source, _, target, _ in (*old, *new):
                touched.update((source.story, target.story))
    return touched


def _same_items(last: tuple[object, ...] | None, now: tuple[object, ...]) -> bool:
    """The same objects, in the same order: what was made from them holds."""
    return last is not None and len(last) == len(now) and all(map(operator.is_, last, now))


def _last_of(items: dict[str, tuple[RawEntry, ...]], output: dict[str, list[T]], story: str,
             ) -> dict[int, tuple[RawEntry, T]]:
    """The last read's linked objects of a story, by the id of the raw entry each was made from."""
    if story not in output:
        return {}
    return {id(raw): (raw, made) for raw, made in zip(items[story], output[story], strict=True)}


def _with_relations(
    raw: RawEntry, relations: tuple[Relation, ...], before: dict[int, tuple[RawEntry, Entry]],
) -> Entry:
    """The entry with its relations: the last read's object while its raw entry and relations are."""
    found = before.get(id(raw))
    if found is not None and found[0] is raw and found[1].relations == relations:
        return found[1]
    return replace(raw.entry, relations=relations)


def resolve_ref(
    entry: Entry, relation_type: RelationType, target: Located, known: frozenset[EntryRef],
    unlisted: Unlisted, diagnostics: Diagnostics,
) -> EntryRef | None:
    """The entry a relation points at, or None with the reason reported."""
    story, _, entry_id = target.text.rpartition("/")
    ref = EntryRef(story or entry.story, entry_id)
    if ref == entry.ref:
        diagnostics.error(entry.path, target.line, target.column,
                          f"`{relation_type}` points at the entry itself")
        return None
    if ref in known:
        return ref
    if ref in unlisted.unusable:
        # The target has errors of its own, reported at its file; a "no entry" error here
        # would be wrong, and its "did you mean" would send the author to another entry.
        return None
    if ref in unlisted.drafts or ref.story in unlisted.draft_stories:
        diagnostics.warning(
            entry.path, target.line, target.column,
            f"`{relation_type}: {target.text}` points at a draft, so it is not shown; "
            "it appears once that entry is published (or build with --drafts)",
        )
        return None
    by_story: dict[str, list[str]] = defaultdict(list)  # for the message only: errors are rare
    for each in known:
        by_story[each.story].append(each.id)
    if story and story not in by_story:
        hint = did_you_mean(story, list(by_story))
        message = f"`{relation_type}: {target.text}`: there is no story `{story}`{hint}"
    else:
        hint = did_you_mean(entry_id, by_story.get(ref.story, []))
        where = f"story `{ref.story}`" if story else "this story"
        message = (f"`{relation_type}: {target.text}`: no entry `{entry_id}` in {where}{hint}; "
                   "use an entry id (its file name), or other-story/entry-id")
    diagnostics.error(entry.path, target.line, target.column, message)
    return None


def attach_entries(
    stories: list[Story], entries: dict[str, list[Entry]], links: Linked | None = None,
) -> list[Story]:
    """Order each story's entries in time, and the stories by their last update."""
    links = links or Linked()
    result = []
    for story in stories:
        found = tuple(entries.get(story.slug, ()))
        result.append(links.attached(story, found, functools.partial(attach, story, found)))
    result.sort(key=lambda s: s.slug)
    result.sort(key=lambda s: s.updated.sort_key() if s.updated else (NEVER, 0), reverse=True)
    return result


def attach(story: Story, entries: tuple[Entry, ...]) -> Story:
    """The story with its entries in time order, and its last update."""
    ordered = below_what_they_answer(sorted(entries, key=lambda e: (*e.date.sort_key(), e.path)))
    return replace(story, entries=tuple(ordered), updated=last_update(story, ordered))


def last_update(story: Story, entries: list[Entry]) -> PartialDate | None:
    """The story's "Last updated": `updated` as written, else the newest entry date, and never
    before a correction of the story or of one of its entries (the feeds say so too)."""
    # An undated correction (an error of its own) cannot make a story newer.
    dates = [c.date for c in story.corrections if c.date is not None]
    dates += [c.date for e in entries for c in e.corrections if c.date is not None]
    if story.updated is not None:
        dates.append(story.updated)
    elif entries:
        dates.append(max((e.date for e in entries), key=lambda d: d.sort_key()))
    return max(dates, key=lambda d: d.sort_key()) if dates else None


FIELDS_OF = {
    Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3, Precision.MINUTE: 5, Precision.SECOND: 6,
}
"""How many of (year, month, day, hour, minute, second) each precision gives."""


def _fields_of(date: PartialDate, precision: Precision) -> tuple[int, ...]:
    values = (date.year, date.month, date.day, date.hour, date.minute, date.second)
    return values[:FIELDS_OF[precision]]


def contains(outer: PartialDate, inner: PartialDate) -> bool:
    """Tell whether a coarser date (a day) takes in a finer one (a time that day)."""
    return outer.precision < inner.precision and _fields_of(outer, outer.precision) == _fields_of(
        inner, outer.precision)


def below_what_they_answer(entries: list[Entry]) -> list[Entry]:
    """Move an entry dated only by its day below the entries of that day it answers.

    Sorting puts a date-only entry at the start of its day, above a timed entry it
    responds to; its date does not say it came first, its relation says it came after.
    """
    ordered = list(entries)
    for _ in range(len(ordered)):
        moved = False
        position = {e.ref: i for i, e in enumerate(ordered)}
        for index, entry in enumerate(ordered):
            targets = [position[r.target] for r in entry.relations
                       if not r.incoming and r.target in position and position[r.target] > index
                       and contains(entry.date, ordered[position[r.target]].date)]
            if targets:
                ordered.insert(max(targets), ordered.pop(index))
                moved = True
                break
        if not moved:
            break
    return ordered
