"""Read sitegen.toml into a `Config`, with a default for every key."""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from sitegen.reading.editorial import RULES, SETTINGS
from sitegen.reading.fields import (
    CONFIG_FIELDS,
    ORGANIZATION_FIELDS,
    RATING_FIELDS,
    SLUG_PATTERN,
    did_you_mean,
    is_web_url,
)
from sitegen.rendering.i18n import (
    N_,
    SOURCE_LANGUAGE,
    catalogue_files,
    catalogue_names,
    load_translations,
    parse_locale,
)
from sitegen.rendering.theme import LAYOUTS_DIR, builtin_theme_dir
from sitegen.structure.characters import described, without_forbidden_in
from sitegen.structure.dates import load_zone, unknown_zone_message
from sitegen.structure.diagnostics import Diagnostics, numbered_lines
from sitegen.structure.model import TONES, Config, Organization, Rating, SiteText, tone_at
from sitegen.structure.urls import escaped_url, slugify

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
TEXT_KEYS = ("title", "description", "ratings")
"""What `[translations.<lang>]` may translate: the site's own words, not the theme's."""


BASE_URL_FLAG = "--base-url"


def with_slash(url: str) -> str:
    """A base URL names a folder: end it with `/`."""
    return url if url.endswith("/") else url + "/"


def ascii_address(url: str) -> str:
    """A base URL with its path's letters of other scripts percent-encoded, as every address
    made from it then is: a sitemap must hold escaped URLs (sitemaps.org), and
    `https://example.org/перевірки/tags/caf%C3%A9/` mixed the two forms in one address."""
    parts = urlsplit(url)
    path = re.sub(r"[^\x00-\x7f]+", lambda found: quote(found[0]), parts.path)
    return urlunsplit(parts._replace(path=path))


def base_url_problem(url: str) -> str | None:
    """Say what is wrong with a base URL, or None when it can be used."""
    given, url = url, with_slash(url)
    if urlsplit(given).query or urlsplit(given).fragment:
        return (f"must be where the site lives, with no `?` query or `#` fragment (such as "
                f"https://example.org/checks/), not `{given}`")
    if not is_web_url(url):
        return f"must be an absolute http(s) URL such as https://example.org/checks/, not `{given}`"
    try:
        port = urlsplit(url).port
    except ValueError:  # not a number, or past 65535
        port = 0
    if port is not None and not 0 < port < 65536:
        return f"has a port that cannot be (ports go from 1 to 65535): `{given}`"
    page = re.search(r"/([^/]+\.(?:html?|php|aspx?|xml))/?$", urlsplit(given).path)
    if page:
        folder = given[:given.rindex(page[1])]
        return (f"must be the folder the site lives in, not a page of it: write `{folder}`, "
                f"not `{given}`")
    return None


def load_config(source: Path, diagnostics: Diagnostics, base_url: str | None = None) -> Config:
    """Read the site's sitegen.toml (if any); report problems with their line."""
    path = source / CONFIG_FILE
    raw_bytes = path.read_bytes().removeprefix(codecs.BOM_UTF8) if path.is_file() else b""
    if path.exists() and not path.is_file():
        diagnostics.error(CONFIG_FILE, 0, 0, "sitegen.toml is a folder, not a file: the site's settings "
                          "go in a text file of that name (`sitegen init` writes one)")
    data: dict[str, Any] = {}
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        diagnostics.error(CONFIG_FILE, 1, 1, "sitegen.toml is not UTF-8 text; save it as UTF-8")
    except tomllib.TOMLDecodeError as error:
        line, column = _toml_position(str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        line_text = numbered_lines(raw_bytes.decode("utf-8", "replace"))[line - 1:line] or [""]
        message, column = _plain_toml_problem(message, line_text[0], column)
        diagnostics.error(CONFIG_FILE, line, column, f"sitegen.toml is not valid TOML: {message}")
    lines = numbered_lines(raw_bytes.decode("utf-8", "replace"))

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*(\[+\s*)?{re.escape(key)}\b")
        return next((i + 1 for i, text in enumerate(lines) if pattern.match(text)), 1)

    def problem(key: str, message: str) -> None:
        diagnostics.error(CONFIG_FILE, line_of(key), 1, message)

    def table_problem(table: str, index: int, key: str | None, message: str, warning: bool = False) -> None:
        """Report at `key` of the `index`-th [table] (`[[ratings]]` come one after another)."""
        line = line_in_table(lines, table, index, key) or line_of(table)
        (diagnostics.warning if warning else diagnostics.error)(CONFIG_FILE, line, 1, message)

    data = without_forbidden_in(data, lambda key, character: diagnostics.warning(
        CONFIG_FILE, line_of(key), 1, f"`{key}` holds {described(character)}, which no page may "
                                      "carry; it is dropped (remove its escape)"))
    for key in data:
        if key not in KNOWN_KEYS:
            problem(key, f"unknown setting `{key}`{did_you_mean(key, KNOWN_KEYS)}; "
                         f"known settings: {', '.join(KNOWN_KEYS)}")

    def text(key: str, default: str, table: dict[str, Any] = data,
             report: Callable[[str, str], None] = problem, name: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            report(key, f"`{name}{key}` must be a string in quotes")
            return default
        return value

    url = base_url if base_url is not None else text("base_url", "http://localhost:8000/")
    url_problem = base_url_problem(url)
    if url_problem and base_url is not None:
        # The flag is to blame, not the file: point at the command line.
        diagnostics.error(BASE_URL_FLAG, 1, 1, f"`{BASE_URL_FLAG}` {url_problem}")
    elif url_problem:
        problem("base_url", f"`base_url` {url_problem}")
    url = "http://localhost:8000/" if url_problem else ascii_address(escaped_url(with_slash(url)))

    def limit(key: str, default: float, low: float, high: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            problem(key, f"`{key}` must be a number from {low:g} to {high:g}")
            return default
        return float(value)

    max_file_mb = limit("max_file_size_mb", 5, 0.001, 1000)
    markdown_seconds = limit("markdown_time_limit", 10, 0.1, 3600)

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
    org_problem = functools.partial(table_problem, "organization", 0)
    unknown_keys(org_table, tuple(ORGANIZATION_FIELDS), "[organization]",
                 functools.partial(org_problem, warning=True))
    title = text("title", "Timeline Checks")

    def org_text(key: str, default: str) -> str:
        return text(key, default, org_table, org_problem, "organization.")

    def web_url(key: str, default: str) -> str:
        """An [organization] address: on every page's footer and in every ClaimReview, so only
        http(s) (a `javascript:` one would run when a reader clicks the publisher's name)."""
        value = org_text(key, default)
        if value and not is_web_url(value):
            org_problem(key, f"`organization.{key}` must be an http:// or https:// address, "
                             f"not `{value[:80]}`")
            return default
        return escaped_url(value)

    organization = Organization(name=org_text("name", title), url=web_url("url", url),
                                logo=web_url("logo", ""))
    unsafe = data.get("unsafe_html", False)
    if not isinstance(unsafe, bool):
        problem("unsafe_html", "`unsafe_html` must be true or false")
        unsafe = False
    language = text("language", "en")
    if parse_locale(language) is None:
        problem("language", f"unknown language `{language}`; write a BCP 47 tag such as "
                            "en, uk, ru, ar, es or pt-BR")
        language = "en"
    themes = (source / LAYOUTS_DIR, builtin_theme_dir())

    def untranslated(code: str, key: str) -> None:
        if not catalogue_files(themes, code) and catalogue_names(code)[-1] != SOURCE_LANGUAGE:
            diagnostics.warning(
                CONFIG_FILE, line_of(key), 1,
                f"the theme has no translation for `{code}`: its words stay English while dates "
                f"follow `{code}`; add layouts/locales/{catalogue_names(code)[-1]}/LC_MESSAGES/"
                "messages.po (see docs/translating.md)",
            )

    untranslated(language, "language")
    translations, _ = load_translations(catalogue_files(themes, language))
    languages = _languages(data.get("languages"), language, problem)
    for other in languages:
        if other != language:
            untranslated(other, "languages")
    in_subfolder = data.get("default_language_in_subfolder", False)
    if not isinstance(in_subfolder, bool):
        problem("default_language_in_subfolder", "`default_language_in_subfolder` must be true or false")
        in_subfolder = False
    ratings = _ratings(data.get("ratings"), problem, translations.gettext,
                       lambda index, key, message, warning=False: table_problem(
                           "ratings", index, key, message, warning))
    texts = _texts(data.get("translations"), languages, ratings if "ratings" in data else (), problem,
                   lambda key, message: diagnostics.warning(CONFIG_FILE, line_of(key), 1, message))
    return Config(
        title=title,
        base_url=url,
        language=language,
        timezone_name=zone_name,
        timezone=zone,
        description=text("description", ""),
        organization=organization,
        ratings=ratings,
        texts=texts,
        builtin_ratings=data.get("ratings") is None,
        languages=languages,
        default_language_in_subfolder=in_subfolder,
        checks=_checks(data.get("checks"), lines, diagnostics),
        unsafe_html=unsafe,
        max_file_bytes=int(max_file_mb * 1_000_000),
        markdown_seconds=markdown_seconds,
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


def _checks(raw: Any, lines: list[str], diagnostics: Diagnostics) -> tuple[tuple[str, str], ...]:
    """Read `[checks]`: an editorial rule id and "off", "warning" or "error" for each line."""
    if raw is None:
        return ()

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        return next((i + 1 for i, text in enumerate(lines) if pattern.match(text)), 1)

    if not isinstance(raw, dict):
        diagnostics.error(CONFIG_FILE, line_of("checks"), 1,
                          '`checks` must be a table: [checks] with lines such as source-not-archived = "off"')
        return ()
    found: list[tuple[str, str]] = []
    for rule_id, setting in raw.items():
        if rule_id not in RULES:
            diagnostics.error(
                CONFIG_FILE, line_of(rule_id), 1,
                f"unknown check `{rule_id}` in [checks]{did_you_mean(rule_id, list(RULES))}; "
                f"the checks are: {', '.join(RULES)}",
            )
        elif setting not in SETTINGS:
            diagnostics.error(
                CONFIG_FILE, line_of(rule_id), 1,
                f'check `{rule_id}` must be "off", "warning" or "error", not {setting!r}',
            )
        else:
            found.append((rule_id, setting))
    return tuple(found)


def _texts(
    raw: Any, languages: tuple[str, ...], own_ratings: tuple[Rating, ...],
    problem: Callable[[str, str], None], warn: Callable[[str, str], None],
) -> tuple[tuple[str, SiteText], ...]:
    """Read `[translations.<lang>]`: the site's title, description and own rating scale, translated.

    The theme's words come from its catalogues; these are the words the site
    itself wrote in sitegen.toml, which no catalogue can know.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        problem("translations", "`translations` must be tables such as [translations.uk] with title, "
                                "description and ratings")
        return ()
    texts: list[tuple[str, SiteText]] = []
    for language, table in raw.items():
        if language not in languages[1:]:
            warn("translations", f"[translations.{language}] is for a language the site is not built in "
                                 "(besides its default); list it in `languages` or remove it")
            continue
        for key in table:
            if key not in TEXT_KEYS:
                problem("translations", f"unknown setting `{key}` in [translations.{language}]"
                                        f"{did_you_mean(key, TEXT_KEYS)}; it may set: {', '.join(TEXT_KEYS)}")
        scale = table.get("ratings", {})
        if not isinstance(scale, dict) or not all(isinstance(v, dict) for v in scale.values()):
            problem("translations", f"[translations.{language}.ratings] must give each rating key a table "
                                    'such as false = { label = "…", description = "…" }')
            scale = {}
        known = [r.key for r in own_ratings]
        rated: list[tuple[str, str, str]] = []
        for rating in own_ratings:
            words = scale.get(rating.key)
            if not isinstance(words, dict) or not isinstance(words.get("label"), str):
                warn("translations", f"rating `{rating.key}` has no label in `{language}`, so its pages show "
                                     f'"{rating.label}"; add [translations.{language}.ratings] '
                                     f'{rating.key} = {{ label = "…", description = "…" }}')
                continue
            rated.append((rating.key, words["label"], str(words.get("description", rating.description))))
        for key in scale:
            if key not in known:
                problem("translations", f"[translations.{language}.ratings] translates `{key}`, which is not "
                                        f"a rating of the site{did_you_mean(key, tuple(known))}")
        title, description = table.get("title", ""), table.get("description", "")
        if not isinstance(title, str) or not isinstance(description, str):
            problem("translations", f"`title` and `description` in [translations.{language}] must be strings")
            title, description = "", ""
        texts.append((language, SiteText(title, description, tuple(rated))))
    return tuple(texts)


def translate_default_ratings(translate: Callable[[str], str]) -> tuple[Rating, ...]:
    """The built-in rating scale in a language's words."""
    return _ratings(None, lambda key, message: None, translate)


def line_in_table(lines: list[str], table: str, index: int, key: str | None) -> int | None:
    """The line of `key` in the `index`-th `[table]` or `[[table]]` of the file, else that table's
    own line; None when the file has no such table (an inline one, `table = {…}`).

    A key's name alone would point at the first line that starts with it: `name` of
    [organization] at a `name` in another table, each rating's `label` at the first rating's.
    """
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
    starts = [number for number, text in enumerate(lines) if header.match(text)]
    if index >= len(starts):
        return None
    start = starts[index]
    if key is not None:
        assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start + 1, len(lines)):
            if lines[number].lstrip().startswith("["):
                break
            if assignment.match(lines[number]):
                return number + 1
    return start + 1


def unknown_keys(table: dict[str, Any], known: tuple[str, ...], name: str,
                 warn: Callable[[str, str], None]) -> None:
    """Warn of each key of a table that sitegen does not read: a typo would otherwise be ignored
    without a word (`logo_url` for `logo`, `colour`)."""
    for key in table:
        if key not in known:
            warn(key, f"unknown setting `{key}` in {name}{did_you_mean(key, known)}, ignored; "
                      f"known settings: {', '.join(known)}")


def _ratings(
    raw: Any, problem: Any, translate: Callable[[str], str], rating_problem: Any = None,
) -> tuple[Rating, ...]:
    """Read the rating scale, worst first; the built-in one, translated, when none is given.

    `rating_problem(index, key, message, warning=False)` reports at a key of the `index`-th
    rating (from 0); without it, at the `ratings` setting."""
    if raw is None:
        return tuple(
            Rating(key, translate(label), position, translate(description),
                   tone_at(position, len(DEFAULT_RATINGS)))
            for position, (key, label, description) in enumerate(DEFAULT_RATINGS, start=1)
        )
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw) or not raw:
        problem("ratings", "`ratings` must be a list of [[ratings]] tables with key and label")
        return _ratings(None, problem, translate)
    if rating_problem is None:
        def rating_problem(index: int, key: str | None, message: str, warning: bool = False) -> None:
            problem("ratings", message)
    every_value_set = all("value" in r for r in raw)
    ratings: list[Rating] = []
    for position, entry in enumerate(raw, start=1):
        at = position - 1
        unknown_keys(entry, tuple(RATING_FIELDS), f"rating number {position}",
                     functools.partial(rating_problem, at, warning=True))
        key, label = entry.get("key"), entry.get("label")
        if not isinstance(key, str) or not isinstance(label, str):
            missing = "key" if not isinstance(key, str) else "label"
            rating_problem(at, missing if missing in entry else None,
                           f"rating number {position} needs a `key` and a `label` (strings)")
            continue
        if not SLUG_PATTERN.match(key):
            rating_problem(at, "key", f"rating key `{key}` must be lowercase ASCII letters, digits and "
                                      f"hyphens (entries give it as `rating:`); write "
                                      f"`{slugify(key) or 'a-key'}`")
            continue
        given = entry.get("value", position)
        whole = isinstance(given, int) and not isinstance(given, bool)
        if not whole:
            rating_problem(at, "value", f"rating `{key}`: `value` must be a whole number")
        value = given if every_value_set and whole else position
        if any(r.key == key for r in ratings):
            rating_problem(at, "key", f"rating key `{key}` is given twice")
            continue
        tone = entry.get("tone", tone_at(position, len(raw)))
        if tone not in TONES:
            rating_problem(at, "tone", f"rating `{key}`: `tone` must be one of {', '.join(TONES)} (worst to "
                                       f"best), not {tone!r}{did_you_mean(str(tone), TONES)}")
            tone = tone_at(position, len(raw))
        ratings.append(Rating(key, label, value, str(entry.get("description", "")), tone))
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
    if message == "Invalid value":
        return ("no value after `=`, or one TOML cannot read: quote text (title = \"My site\"); "
                "numbers, true and false go bare"), column
    if message.startswith("Cannot overwrite a value") or message.startswith("Cannot declare"):
        return f"{message}: a key or a [table] is given twice; keep one", column
    return message, column


def _toml_position(message: str) -> tuple[int, int]:
    """Pull `(at line N, column M)` out of tomllib's message."""
    match = re.search(r"at line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)
