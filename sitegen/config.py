"""Read sitegen.toml into a `Config`, with a default for every key."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.dates import load_zone, unknown_zone_message
from sitegen.diagnostics import Diagnostics
from sitegen.fields import CONFIG_FIELDS, did_you_mean, is_web_url
from sitegen.i18n import (
    N_,
    SOURCE_LANGUAGE,
    catalogue_files,
    catalogue_names,
    load_translations,
    parse_locale,
)
from sitegen.model import Config, Organization, Rating
from sitegen.theme import LAYOUTS_DIR, builtin_theme_dir

CONFIG_FILE = "sitegen.toml"

DEFAULT_RATINGS: tuple[tuple[str, str, str], ...] = (
    ("false", N_("False"), N_("The claim is not accurate.")),
    ("misleading", N_("Misleading"), N_("The claim has accurate parts but leaves a false impression.")),
    ("unproven", N_("Unproven"), N_("There is not enough evidence to say whether the claim is accurate.")),
    ("mostly-true", N_("Mostly true"), N_("The claim is accurate but needs clarification.")),
    ("true", N_("True"), N_("The claim is accurate.")),
)
"""The built-in scale, in the theme's catalogues; a site's own `[[ratings]]` are in its words."""

KNOWN_KEYS = tuple(CONFIG_FIELDS)


BASE_URL_FLAG = "--base-url"


def with_slash(url: str) -> str:
    """A base URL names a folder: end it with `/`."""
    return url if url.endswith("/") else url + "/"


def base_url_problem(url: str) -> str | None:
    """Say what is wrong with a base URL, or None when it can be used."""
    url = with_slash(url)
    if not is_web_url(url) or urlsplit(url).query or urlsplit(url).fragment:
        return f"must be an absolute http(s) URL such as https://example.org/checks/, not `{url}`"
    return None


def load_config(source: Path, diagnostics: Diagnostics, base_url: str | None = None) -> Config:
    """Read the site's sitegen.toml (if any); report problems with their line."""
    path = source / CONFIG_FILE
    raw_bytes = path.read_bytes() if path.is_file() else b""
    data: dict[str, Any] = {}
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        diagnostics.error(CONFIG_FILE, 1, 1, "sitegen.toml is not UTF-8 text; save it as UTF-8")
    except tomllib.TOMLDecodeError as error:
        line, column = _toml_position(str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        line_text = raw_bytes.decode("utf-8", "replace").splitlines()[line - 1:line] or [""]
        message, column = _plain_toml_problem(message, line_text[0], column)
        diagnostics.error(CONFIG_FILE, line, column, f"sitegen.toml is not valid TOML: {message}")
    lines = raw_bytes.decode("utf-8", "replace").splitlines()

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*(\[+\s*)?{re.escape(key)}\b")
        return next((i + 1 for i, text in enumerate(lines) if pattern.match(text)), 1)

    def problem(key: str, message: str) -> None:
        diagnostics.error(CONFIG_FILE, line_of(key), 1, message)

    for key in data:
        if key not in KNOWN_KEYS:
            problem(key, f"unknown setting `{key}`{did_you_mean(key, KNOWN_KEYS)}; "
                         f"known settings: {', '.join(KNOWN_KEYS)}")

    def text(key: str, default: str, table: dict[str, Any] = data) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            problem(key, f"`{key}` must be a string in quotes")
            return default
        return value

    url = base_url if base_url is not None else text("base_url", "http://localhost:8000/")
    url_problem = base_url_problem(url)
    if url_problem and base_url is not None:
        # The flag is to blame, not the file: point at the command line.
        diagnostics.error(BASE_URL_FLAG, 1, 1, f"`{BASE_URL_FLAG}` {url_problem}")
    elif url_problem:
        problem("base_url", f"`base_url` {url_problem}")
    url = "http://localhost:8000/" if url_problem else with_slash(url)

    zone_name = text("timezone", "UTC")
    zone = load_zone(zone_name)
    if zone is None:
        problem("timezone", unknown_zone_message(zone_name))
        zone = load_zone("UTC")
        assert zone is not None

    org_table = data.get("organization", {})
    if not isinstance(org_table, dict):
        problem("organization", "`organization` must be a table: [organization] with name and url")
        org_table = {}
    title = text("title", "Timeline Checks")
    organization = Organization(
        name=text("name", title, org_table),
        url=text("url", url, org_table),
        logo=text("logo", "", org_table),
    )
    unsafe = data.get("unsafe_html", False)
    if not isinstance(unsafe, bool):
        problem("unsafe_html", "`unsafe_html` must be true or false")
        unsafe = False
    language = text("language", "en")
    if parse_locale(language) is None:
        problem("language", f"unknown language `{language}`; write a BCP 47 tag such as "
                            "en, uk, ru, ar, es or pt-BR")
        language = "en"
    catalogues = catalogue_files((source / LAYOUTS_DIR, builtin_theme_dir()), language)
    if not catalogues and catalogue_names(language)[-1] != SOURCE_LANGUAGE:
        diagnostics.warning(
            CONFIG_FILE, line_of("language"), 1,
            f"the theme has no translation for `{language}`: its words stay English while dates "
            f"follow `{language}`; add layouts/locales/{catalogue_names(language)[-1]}/LC_MESSAGES/"
            "messages.po (see docs/translating.md)",
        )
    translations, _ = load_translations(catalogues)
    languages = _languages(data.get("languages"), language, problem)
    in_subfolder = data.get("default_language_in_subfolder", False)
    if not isinstance(in_subfolder, bool):
        problem("default_language_in_subfolder", "`default_language_in_subfolder` must be true or false")
        in_subfolder = False
    return Config(
        title=title,
        base_url=url,
        language=language,
        timezone_name=zone_name,
        timezone=zone,
        description=text("description", ""),
        organization=organization,
        ratings=_ratings(data.get("ratings"), problem, translations.gettext),
        builtin_ratings=data.get("ratings") is None,
        languages=languages,
        default_language_in_subfolder=in_subfolder,
        unsafe_html=unsafe,
        digest=hashlib.sha256(raw_bytes + url.encode()).hexdigest(),
    )


def _languages(raw: Any, language: str, problem: Callable[[str, str], None]) -> tuple[str, ...]:
    """Read `languages`: every language the site is built in, the default (`language`) first."""
    if raw is None:
        return (language,)
    if not isinstance(raw, list) or not raw or not all(isinstance(tag, str) for tag in raw):
        problem("languages", '`languages` must be a list of language tags such as ["en", "uk"]')
        return (language,)
    found: list[str] = []
    for tag in raw:
        if parse_locale(tag) is None:
            problem("languages", f"unknown language `{tag}` in `languages`; write a BCP 47 tag such as uk")
        elif tag in found:
            problem("languages", f"`{tag}` is listed twice in `languages`")
        else:
            found.append(tag)
    if language not in found:
        listed = ", ".join(f'"{tag}"' for tag in [language, *found])
        problem("languages", f"`languages` must include the default `language = \"{language}\"`; "
                             f"write languages = [{listed}]")
        return (language,)
    return (language, *[tag for tag in found if tag != language])


def translate_default_ratings(translate: Callable[[str], str]) -> tuple[Rating, ...]:
    """The built-in rating scale in a language's words."""
    return _ratings(None, lambda key, message: None, translate)


def _ratings(raw: Any, problem: Any, translate: Callable[[str], str]) -> tuple[Rating, ...]:
    """Read the rating scale, worst first; the built-in one, translated, when none is given."""
    if raw is None:
        return tuple(
            Rating(key, translate(label), position, translate(description))
            for position, (key, label, description) in enumerate(DEFAULT_RATINGS, start=1)
        )
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw) or not raw:
        problem("ratings", "`ratings` must be a list of [[ratings]] tables with key and label")
        return _ratings(None, problem, translate)
    every_value_set = all("value" in r for r in raw)
    ratings: list[Rating] = []
    for position, entry in enumerate(raw, start=1):
        key, label = entry.get("key"), entry.get("label")
        if not isinstance(key, str) or not isinstance(label, str):
            problem("ratings", f"rating number {position} needs a `key` and a `label` (strings)")
            continue
        value = entry.get("value", position) if every_value_set else position
        if not isinstance(value, int):
            problem("ratings", f"rating `{key}`: `value` must be a whole number")
            value = position
        if any(r.key == key for r in ratings):
            problem("ratings", f"rating key `{key}` is given twice")
            continue
        ratings.append(Rating(key, label, value, str(entry.get("description", ""))))
    return tuple(ratings)


def _plain_toml_problem(message: str, line_text: str, column: int) -> tuple[str, int]:
    """Say what is wrong in the author's words, pointing at where the fix goes."""
    if message.startswith("Illegal character '\\n'") or message.startswith("Unterminated string"):
        quote = max(line_text.rfind('"', 0, column - 1), line_text.rfind("'", 0, column - 1))
        if quote >= 0:
            mark = line_text[quote]
            return (f"the string opened here is not closed; end it with `{mark}` on the same line "
                    f"(a string that spans lines needs triple quotes)", quote + 1)
    if message.startswith("Illegal character '\\t'"):
        return "a tab inside a string; write \\t or use spaces", column
    return message, column


def _toml_position(message: str) -> tuple[int, int]:
    """Pull `(at line N, column M)` out of tomllib's message."""
    match = re.search(r"at line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)
