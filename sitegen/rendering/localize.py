"""The site in one of its languages: translated words where there are some, the original's elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType

from sitegen.reading.config import translate_default_ratings
from sitegen.structure.model import Config, Entry, Rating, Site, SiteText, Story


def localize(site: Site, language: str, translate: Callable[[str], str]) -> Site:
    """Return the site as readers of `language` see it; `translate` speaks the theme's catalogue.

    Each entry and story takes its translation's words when it has one and keeps
    its original's (and their language, so pages can mark them) when not.
    """
    config = site.config
    prefix = config.prefix(language)
    if language == config.language:
        return replace(site, config=replace(config, base_url=config.base_url + prefix)) if prefix else site
    stories = tuple(_story(story, language) for story in site.stories)
    text = dict(config.texts).get(language, SiteText())
    ratings = translate_default_ratings(translate) if config.builtin_ratings else _ratings(config, text)
    localized_config = replace(
        config, language=language, ratings=ratings, base_url=config.base_url + prefix,
        title=text.title or config.title, description=text.description or config.description,
    )
    return replace(
        site,
        config=localized_config,
        stories=stories,
        entries=MappingProxyType({e.ref: e for s in stories for e in s.entries}),
    )


def _story(story: Story, language: str) -> Story:
    entries = tuple(_entry(entry, language) for entry in story.entries)
    text = next((t for t in story.translations if t.language == language), None)
    if text is None:
        return replace(story, entries=entries)
    return replace(
        story, entries=entries, language=language, title=text.title, summary=text.summary,
        background_html=text.background_html,
    )


def _entry(entry: Entry, language: str) -> Entry:
    text = next((t for t in entry.translations if t.language == language), None)
    if text is None:
        return entry
    return replace(
        entry, language=language, title=text.title, role=text.role, quote=text.quote,
        verdict=text.verdict, display_date=text.display_date, body_html=text.body_html,
        summary=text.summary, digest=entry.digest + text.digest,
    )


def _ratings(config: Config, text: SiteText) -> tuple[Rating, ...]:
    """The site's own rating scale in the words `[translations.<lang>.ratings]` gives it."""
    words = {key: (label, description) for key, label, description in text.ratings}
    return tuple(
        replace(r, label=words[r.key][0], description=words[r.key][1]) if r.key in words else r
        for r in config.ratings
    )
