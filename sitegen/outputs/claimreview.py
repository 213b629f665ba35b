"""schema.org ClaimReview for a rated entry, as Google's fact-check markup asks for it.

The result is a plain dict; templates print it with the `jsonld` filter, which
escapes `<`, `>` and `&` so no value can close the script element it sits in.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sitegen.structure import urls

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView, EntryView, SourceView
    from sitegen.structure.model import Config, Speaker

CLAIM_LIMIT = 75
"""Google shows claimReviewed on one line on phones when it is under 75 characters."""

GENERIC_VERDICT_WORDS = (
    "true", "false", "untrue", "fake", "misleading", "correct", "incorrect", "accurate",
    "inaccurate", "debunked", "hoax", "mostly true", "mostly false", "half true",
)
"""Words that rate a claim whatever the site's scale says; claimReviewed states the claim only."""


def claim_review(entry: EntryView, config: Config, speaker: Speaker | None = None) -> dict[str, Any] | None:
    """Build the ClaimReview of a rated entry; None for an unrated one."""
    if entry.rating is None:
        return None
    values = [r.value for r in config.ratings]
    rating: dict[str, Any] = {
        "@type": "Rating",
        "ratingValue": entry.rating.value,
        "bestRating": max(values),
        "worstRating": min(values),
        "alternateName": entry.rating.label,
    }
    claim: dict[str, Any] = {"@type": "Claim", "datePublished": schema_date(entry.date)}
    if entry.original_quote:
        # The claim as its speaker made it, in their language; claimReviewed is in the page's.
        claim["text"] = entry.original_quote
        claim["inLanguage"] = entry.original_language
    author = claim_author(entry, speaker)
    if author:
        claim["author"] = author
    if entry.sources:
        claim["firstAppearance"] = creative_work(entry.sources[0])
        if len(entry.sources) > 1:
            claim["appearance"] = [creative_work(s) for s in entry.sources[1:]]
    organization: dict[str, Any] = {
        "@type": "Organization",
        "name": config.organization.name,
        "url": config.organization.url,
    }
    if config.organization.logo:
        organization["logo"] = config.organization.logo
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": urls.absolute(config.base_url, entry.url),
        "claimReviewed": claim_reviewed(entry.quote, entry.title, rating_words(config)),
        "reviewRating": rating,
        "itemReviewed": claim,
        "author": organization,
        # The language of the words reviewed: an entry not translated yet is shown, and so
        # reviewed here, in its original's (as the page marks it with lang).
        "inLanguage": entry.language if entry.untranslated and entry.language else config.language,
    }
    if entry.verdict:
        review["reviewBody"] = entry.verdict
    if entry.reviewed:
        review["datePublished"] = schema_date(entry.reviewed)
    if entry.corrections:
        newest = max((c.date for c in entry.corrections), key=lambda d: d.sort_key())
        # A correction of the entry before the review was published did not modify the review.
        if entry.reviewed is None or newest.sort_key() >= entry.reviewed.sort_key():
            review["dateModified"] = schema_date(newest)
    return review


def schema_date(date: DateView) -> str:
    """ISO 8601 at the precision given; times get seconds, as schema.org's DateTime has."""
    if not date.has_time:
        return date.iso
    return (f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
            f"T{date.hour:02d}:{date.minute:02d}:{date.second:02d}{date.offset_iso}")


def claim_author(entry: EntryView, speaker: Speaker | None) -> dict[str, Any] | None:
    """The claim's author: the speaker, else the publisher of the first source."""
    if entry.speaker is not None:
        kind = "Organization" if entry.speaker.type == "organization" else "Person"
        author: dict[str, Any] = {"@type": kind, "name": entry.speaker.name}
        role = entry.role or (speaker.role if speaker else "")
        if role and kind == "Person":
            author["jobTitle"] = role
        if speaker is not None and speaker.url:
            author["sameAs"] = speaker.url
        return author
    if entry.sources and entry.sources[0].publisher:
        return {"@type": "Organization", "name": entry.sources[0].publisher}
    return None


def creative_work(source: SourceView) -> dict[str, Any]:
    """Where the claim was made or reported."""
    work: dict[str, Any] = {"@type": "CreativeWork", "url": source.url}
    if source.title:
        work["headline"] = source.title
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        work["datePublished"] = schema_date(source.date)
    return work


def rating_words(config: Config) -> tuple[str, ...]:
    """Every word or phrase that would put a rating into claimReviewed."""
    words = {w.casefold() for w in GENERIC_VERDICT_WORDS}
    for rating in config.ratings:
        words.add(rating.label.casefold())
        words.add(rating.key.replace("-", " ").casefold())
    return tuple(sorted(words))


def has_rating_word(text: str, words: tuple[str, ...]) -> bool:
    """Tell whether a rating word appears in the text as a whole word."""
    folded = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in words if w)


def claim_reviewed(quote: str, title: str, words: tuple[str, ...], limit: int = CLAIM_LIMIT) -> str:
    """State the claim in under `limit` characters, without rating it.

    The whole quote is the claim in the speaker's words; when it is too long
    the headline usually says it shorter; then the quote's first sentence.
    """
    quote, title = clean(quote), clean(title)
    candidates = [c for c in (quote, title, *sentences(quote), *sentences(title)) if c]
    for candidate in candidates:
        if len(candidate) < limit and not has_rating_word(candidate, words):
            return candidate
    for candidate in candidates:
        if not has_rating_word(candidate, words):
            return shorten(candidate, limit)
    neutral = clean(re.sub("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), "", title,
                           flags=re.IGNORECASE))
    return shorten(neutral, limit)


def clean(text: str) -> str:
    """Collapse white space."""
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """Split text after sentence-ending punctuation."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?…])\s+", text) if p.strip()]
    return parts if len(parts) > 1 else []


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary so the result, with its ellipsis, stays under `limit`."""
    if len(text) < limit:
        return text
    room = limit - 2
    # Looking one character past the room tells whether the cut falls between words.
    cut = text[: room + 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-")[:room]
    return cut + "…"
