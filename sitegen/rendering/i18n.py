"""The theme's words and dates in the site's language: gettext catalogues and CLDR, through Babel.

Every word the theme prints is a message of the gettext catalogue
`locales/<language>/LC_MESSAGES/messages.po` beside the templates (the built-in
theme's, and a site's own `layouts/locales/` first, message by message). The
English text is the message id, so English needs no catalogue. Catalogues are
read as `.po` text when a site is built: there is no compile step to forget,
and a translator's edit shows on the next preview rebuild.

Dates, numbers and plural forms come from CLDR (Babel's locale data), so
Ukrainian gets "10 листопада 2024 р." with the month in the genitive and
Arabic gets `dir="rtl"`.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as calendar_date
from datetime import datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal

from sitegen.structure.characters import undecodable_at

if TYPE_CHECKING:
    from sitegen.rendering.axis import Label
    from sitegen.rendering.views import DateView

LOCALES_DIR = "locales"
"""Under each theme folder (the built-in `layouts/` and a site's own)."""
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
"""The language of the message ids: the theme's words as written in the templates."""

CLDR_FALLBACKS = {"en": "en_001"}
"""A bare `en` means international English to CLDR readers of a fact-check ("10 November 2024");
`en-US` still gives "November 10, 2024"."""


def N_(message: str) -> str:  # the name gettext's tools look for
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def parse_locale(tag: str, formatting: bool = True) -> Locale | None:
    """Read a BCP 47 language tag (`uk`, `pt-BR`, `zh-Hant`) as a CLDR locale, or None.

    `formatting=False` gives the language as named ("English", not "English (World)").
    """
    name = CLDR_FALLBACKS.get(tag, tag) if formatting else tag
    try:
        return Locale.parse(name, sep="-" if "-" in name else "_")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def catalogue_names(tag: str) -> list[str]:
    """The catalogue folders that may serve a language, most specific first: `pt_BR`, `pt`."""
    parts = tag.replace("-", "_").split("_")
    names = ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return [n for n in names if n]


def catalogue_files(theme_dirs: Iterable[Path], tag: str) -> list[Path]:
    """Every `.po` file for a language, the site's before the theme's, specific before general."""
    found = []
    for folder in theme_dirs:
        for name in catalogue_names(tag):
            path = folder / LOCALES_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                found.append(path)
    return found


PLACEHOLDER = re.compile(r"%\((\w+)\)")
"""A named placeholder of a message: `%(date)s`."""


def catalogue_problems(path: Path) -> list[tuple[int, int, str]]:
    """What keeps a `.po` file from being used, as (line, column, message): not UTF-8, not the
    format (a stray line), or a translation naming a placeholder its message does not give
    (`%(dat)s` for `%(date)s`), which failed every page using it at a template's line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column, words = undecodable_at(error)
        return [(line, column, f"this catalogue is {words}; save it as UTF-8")]
    try:
        catalogue = read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as error:
        reason = re.sub(r" on \d+$", "", str(error))
        hint = 'each message is a `msgid "…"` line then a `msgstr "…"` line (see docs/translating.md)'
        return [(error.lineno + 1, 1, f"this line is not part of a catalogue ({reason}): {hint}")]
    problems = []
    for message in catalogue:
        ids = [str(text) for text in (message.id if isinstance(message.id, (tuple, list)) else (message.id,))]
        strings = [str(text or "") for text in (
            message.string if isinstance(message.string, (tuple, list)) else (message.string,))]
        given = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for name in sorted({name for text in strings for name in PLACEHOLDER.findall(text)} - given):
            offered = ", ".join(f"%({known})s" for known in sorted(given)) or "none"
            problems.append((message.lineno or 1, 1, f"the translation of `{ids[0][:60]}` uses %({name})s, "
                                                     f"which the message does not give (it gives {offered})"))
    return problems


@cache
def _read_catalogue(path: Path, digest: str) -> gettext.GNUTranslations:
    """Compile a `.po` file in memory; cached by content, so a rebuild reads only edited files.
    One that cannot be read (`catalogue_problems` tells why) gives no translations."""
    if catalogue_problems(path):
        return gettext.GNUTranslations(_empty_catalogue())
    with path.open("rb") as handle:
        catalogue = read_po(handle, abort_invalid=True)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _empty_catalogue() -> io.BytesIO:
    compiled = io.BytesIO()
    write_mo(compiled, Catalog(), use_fuzzy=False)
    compiled.seek(0)
    return compiled


def load_translations(files: list[Path]) -> tuple[gettext.NullTranslations, str]:
    """Chain the catalogues (first file wins per message); return them and their digest."""
    digest = hashlib.sha256()
    chain: gettext.NullTranslations | None = None
    for path in files:
        data = path.read_bytes()
        digest.update(path.as_posix().encode() + b"\0" + data)
        translations = _read_catalogue(path, hashlib.sha256(data).hexdigest())
        # Each file is cached and shared, so chain copies: add_fallback would link them for good.
        copy = gettext.GNUTranslations()
        copy.__dict__.update(translations.__dict__)
        copy._fallback = None  # type: ignore[attr-defined]
        if chain is None:
            chain = copy
        else:
            chain.add_fallback(copy)
    return chain or gettext.NullTranslations(), digest.hexdigest()


@dataclass(frozen=True)
class Language:
    """A language the site is shown in, as templates and Babel need it."""

    tag: str
    """As written in sitegen.toml: the value of `<html lang>`."""
    direction: Literal["ltr", "rtl"]
    name: str
    """The language's name in itself ("українська"), for language switchers."""


@cache
def text_direction(tag: str) -> Literal["ltr", "rtl"]:
    """Which way a language's script runs (left to right when CLDR does not know it)."""
    locale = parse_locale(tag)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def describe(tag: str) -> Language:
    """The direction and own name of a language (left to right when CLDR does not know it)."""
    locale = parse_locale(tag)
    if locale is None:
        return Language(tag, "ltr", tag)
    direction = text_direction(tag)
    named = parse_locale(tag, formatting=False) or locale
    name = named.get_display_name(named) or tag
    return Language(tag, direction, name[:1].upper() + name[1:])


class Localizer:
    """Format dates, numbers and the theme's phrases about time for one language."""

    def __init__(self, tag: str, translations: gettext.NullTranslations) -> None:
        self.tag = tag
        self.locale = parse_locale(tag) or Locale.parse("en_001")
        self.translations = translations
        self._formatted: dict[tuple[str, calendar_date | time], str] = {}
        self._numbers: dict[float, str] = {}

    def gettext(self, message: str, **variables: Any) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, count: int, **variables: Any) -> str:
        variables.setdefault("num", self.number(count))
        return self.translations.ngettext(singular, plural, count) % variables

    def number(self, value: float) -> str:
        """A number as the language writes it ("1,234", "1 234"); each once, as pages show the
        same few counts thousands of times and Babel takes 40 µs for each."""
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = format_decimal(value, locale=self.locale)
        return found

    def skeleton(self, pattern: str, value: calendar_date | time) -> str:
        """Format with a CLDR skeleton: the locale picks order, case and punctuation.

        Remembered: pages show the same few thousand dates over and over (an entry's, its
        neighbours', its related entries'), and Babel takes ~25 µs to format one."""
        key = (pattern, value)
        text = self._formatted.get(key)
        if text is None:
            text = self._formatted[key] = format_skeleton(pattern, value, locale=self.locale)
        return text

    def date_text(self, d: DateView, approximate: bool = False) -> str:
        """A date at the precision its author gave: "2024", "листопад 2024 р.", "10 ноября 2024 г."."""
        day = calendar_date(d.year, d.month, d.day)
        if d.precision == "year":
            text = self.skeleton("y", day)
        elif d.precision == "month":
            text = self.skeleton("yMMMM", day)
        else:
            text = self.skeleton("yMMMMd", day)
        if d.has_time:
            clock = time(d.hour, d.minute, d.second)
            hours = self.skeleton("Hms" if d.precision == "second" else "Hm", clock)
            text = self.gettext("%(date)s, %(time)s %(offset)s", date=text, time=hours, offset=d.offset)
        if not approximate:
            return text
        if d.precision in ("year", "month"):
            # TRANSLATORS: an approximate year or month: "c. 2024".
            return self.gettext("c. %(date)s", date=text)
        # TRANSLATORS: an approximate day or time: "around 12 November 2024".
        return self.gettext("around %(date)s", date=text)

    def relative_time(self, unit: str, count: int, later: bool) -> str:
        """When a related entry happened, seen from this one: "the next day", "3 weeks earlier"."""
        _ = self.gettext
        ngettext = self.ngettext
        if count == 0:
            return {
                "day": _("the same day"), "week": _("the same week"),
                "month": _("the same month"), "year": _("the same year"),
            }[unit]
        if count == 1:
            if later:
                return {
                    "day": _("the next day"), "week": _("a week later"),
                    "month": _("the next month"), "year": _("the next year"),
                }[unit]
            return {
                "day": _("the day before"), "week": _("a week earlier"),
                "month": _("the month before"), "year": _("the year before"),
            }[unit]
        if later:
            return {
                "day": ngettext("%(num)s day later", "%(num)s days later", count),
                "week": ngettext("%(num)s week later", "%(num)s weeks later", count),
                "month": ngettext("%(num)s month later", "%(num)s months later", count),
                "year": ngettext("%(num)s year later", "%(num)s years later", count),
            }[unit]
        return {
            "day": ngettext("%(num)s day earlier", "%(num)s days earlier", count),
            "week": ngettext("%(num)s week earlier", "%(num)s weeks earlier", count),
            "month": ngettext("%(num)s month earlier", "%(num)s months earlier", count),
            "year": ngettext("%(num)s year earlier", "%(num)s years earlier", count),
        }[unit]

    def axis_label(self, label: Label) -> str:
        """A tick on the overview axis: short ("18:00", "10", "лист."), or naming its context."""
        when: datetime = label.when
        day = when.date()
        if label.unit in ("minute", "hour"):
            return self.skeleton("Hm", when.time())
        if label.unit == "day":
            return self.skeleton("yMMMd", day) if label.chars > 2 else self.skeleton("d", day)
        if label.unit == "month":
            return self.skeleton("yMMM", day) if label.chars > 3 else self.skeleton("MMM", day)
        return self.skeleton("y", day)

    def template_globals(self) -> dict[str, Callable[..., str]]:
        """What templates call: `format_date`, `format_relative`, `format_axis_label`…"""
        return {
            "format_date": self.date_text,
            "format_relative": self.relative_time,
            "format_axis_label": self.axis_label,
            "format_number": self.number,
            "language_name": self.language_name,
            "direction_change": self.direction_change,
        }

    def direction_change(self, tag: str) -> str:
        """`rtl` or `ltr` when words in the language `tag` run the other way than this page's,
        else "": an Arabic quote on an English page needs `dir="rtl"` (and English words on an
        Arabic page `dir="ltr"`), or the bidirectional algorithm puts its punctuation, numbers
        in brackets and quotation marks at the wrong end."""
        if not tag:
            return ""
        direction = text_direction(tag)
        return direction if direction != text_direction(self.tag) else ""

    def language_name(self, tag: str) -> str:
        """A language's name in this one: "англійська" for `en` on a Ukrainian page."""
        other = parse_locale(tag, formatting=False)
        return (other.get_display_name(self.locale) if other else None) or tag
