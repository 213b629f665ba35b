"""Turn views into output files: each page a template, a context and a fingerprint.

Rendering is a pure function of (template files, page path, context), so the
fingerprint of those three tells whether a page must be rendered again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from sitegen.rendering.escape import script_json
from sitegen.rendering.i18n import describe
from sitegen.rendering.memo import CarriedDigests
from sitegen.rendering.theme import Theme
from sitegen.rendering.views import NavLink, RatingView, rating_view
from sitegen.structure import urls
from sitegen.structure.model import Config, Site
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.views import DateView

SHARED_PATHS = urls.SHARED_FOLDERS


@dataclass(frozen=True)
class LanguageLink:
    """One language the site is built in, for hreflang links and the language switcher."""

    tag: str
    name: str
    """In the language itself: "Українська"."""
    direction: str
    prefix: str
    """Below the site root: "" or `uk/`."""


@dataclass(frozen=True)
class SiteContext:
    """What every template may show about the site itself."""

    title: str
    description: str
    language: str
    """The BCP 47 tag of `<html lang>`."""
    direction: str
    """`ltr`, or `rtl` for Arabic, Hebrew, Persian…: `<html dir>`."""
    base_url: str
    organization_name: str
    organization_url: str
    ratings: tuple[RatingView, ...]
    """The scale, worst first."""
    nav_pages: tuple[NavLink, ...]
    drafts: bool
    """A preview that includes drafts: pages must say so."""
    languages: tuple[LanguageLink, ...] = ()
    """Every language of the site, the default first; more than one means links between them."""
    default_language: str = ""
    """The language originals are written in."""
    root_url: str = ""
    """base_url without the language's folder: where the shared assets and other languages are."""


def site_context(site: Site, nav_pages: tuple[NavLink, ...], root_url: str = "") -> SiteContext:
    """Gather the site-wide values shown on every page."""
    config: Config = site.config
    languages = []
    for tag in config.languages:
        language = describe(tag)
        languages.append(LanguageLink(tag, language.name, language.direction, config.prefix(tag)))
    return SiteContext(
        title=config.title,
        description=config.description,
        language=config.language,
        direction=describe(config.language).direction,
        base_url=config.base_url,
        organization_name=config.organization.name,
        organization_url=config.organization.url,
        ratings=tuple(rating_view(r) for r in config.ratings),
        nav_pages=nav_pages,
        drafts=site.drafts,
        languages=tuple(languages),
        default_language=config.languages[0],
        root_url=root_url or config.base_url,
    )


PageKind = Literal[
    "home", "story", "embed", "entry", "speakers", "speaker", "tags", "tag", "page",
    "corrections", "search", "not-found", "languages", "feed",
]


@dataclass(frozen=True)
class PagePlan:
    """One file rendered from a template: what it shows, and what other outputs need to know of it.

    The sitemap, feeds and search read `kind`, `title`, `lastmod` and `listed` from the plan,
    never from the template context, so renaming a context key cannot change them.
    """

    url_path: str
    """Below the site root: `""` for the home page, `story/entry/` for an entry."""
    template: str
    context: dict[str, Any]
    kind: PageKind = "page"
    title: str = ""
    """What the page is about, as its heading says."""
    lastmod: DateView | None = None
    """The newest content date of what the page shows; None when the content gives none."""
    listed: bool = True
    """In the sitemap: False for pages with nothing to index or copies of a listed page."""
    absolute_links: bool = False
    """For 404.html, which hosts serve at any depth: links start at base_url's path."""
    output_path: str = ""
    """Defaults to the URL's index.html."""

    @functools.cached_property
    def file(self) -> str:
        """The output file, below the language's folder (asked for several times per build)."""
        return self.output_path or urls.output_file(self.url_path)


class TemplateRenderer:
    """Render page specs with a theme, making fingerprints from their inputs."""

    def __init__(
        self, theme: Theme, site_values: SiteContext, prefix: str = "", digests: CarriedDigests | None = None,
    ):
        """`prefix` is the language's folder below the site root ("" or `uk/`); page paths
        and links are below it, except the shared assets. `digests` carries view digests
        over from the last build (the preview's); a view object is immutable, so its
        digest is too."""
        self.theme = theme
        self.site_values = site_values
        self.prefix = prefix
        self.root_path = urlsplit(site_values.root_url or site_values.base_url).path or "/"
        self.salt = repr(site_values) + prefix
        """Stands for what every page shows beside its own context."""
        self._digests = digests if digests is not None else CarriedDigests()

    def linker(self, spec: PagePlan) -> Callable[..., str]:
        """Make `url(path, language=None)` for a page: relative links, or absolute paths on 404.

        A path is in the page's language unless it is a shared asset or `language` names another.
        """
        here = self.prefix + spec.url_path
        prefixes = {link.tag: link.prefix for link in self.site_values.languages}

        def url(path: str, language: str | None = None) -> str:
            if path.startswith(SHARED_PATHS):
                target = path
            elif language is not None:
                target = prefixes.get(language, "") + path
            else:
                target = self.prefix + path
            if spec.absolute_links:
                return urls.absolute(self.root_path, target)
            return urls.relative(here, target)

        return url

    def fingerprint(self, spec: PagePlan) -> str:
        """The hash of everything the page shows; carried over from the last build while its
        template and every context value are unchanged (see `CarriedDigests.page`)."""
        return self._digests.page(
            (spec.file, spec.url_path),  # the key `fingerprints_of` looks up
            self.theme.template_digest(spec.template), spec,
            lambda: tuple(itertools.chain.from_iterable(sorted(spec.context.items()))),
            functools.partial(self._fingerprint, spec),
        )

    def _fingerprint(self, spec: PagePlan) -> str:
        digest = hashlib.sha256()
        digest.update(self.theme.template_digest(spec.template).encode())
        digest.update(spec.url_path.encode())
        digest.update(self.salt.encode())
        digest.update(self.digest(spec.context).encode())
        return digest.hexdigest()

    def digest(self, value: object) -> str:
        """Hash a view. Each view object is hashed once per build, however many pages show it:
        an entry appears on its page, its story, its speaker's page and its tags' pages."""
        parts: list[str] = []
        self._feed(value, parts)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def _feed(self, value: object, parts: list[str]) -> None:
        # By the value's type first, remembered per type: a cold build feeds ~600,000 values.
        kind: type = type(value)
        if kind in PLAIN_EXACT or isinstance(value, PLAIN_TYPES):
            parts.append(repr(value))
        elif _is_view_type(kind):
            parts.append(self._dataclass_digest(value))
        elif isinstance(value, tuple | list):
            parts.append("[")
            for item in value:
                self._feed(item, parts)
            parts.append("]")
        elif isinstance(value, dict):
            parts.append("{")
            for key in sorted(value, key=repr):
                parts.append(repr(key))
                self._feed(value[key], parts)
            parts.append("}")
        else:
            parts.append(repr(value))

    def _dataclass_digest(self, value: object) -> str:
        return self._digests.get(value, self._fields_digest)

    def _fields_digest(self, value: object) -> tuple[str, bool]:
        """Hash a view by its type and fields; a nested view counts by its own digest, so a new
        view made of remembered ones (a feed of unchanged entries) costs only its own fields.
        Worth keeping unless no field is a view or a collection (a date, a link)."""
        parts = [type(value).__qualname__]
        kind: type = type(value)
        plain = True
        for name in _field_names(kind):
            parts.append(name)
            field = getattr(value, name)
            if type(field) in PLAIN_EXACT:
                parts.append(repr(field))
            else:
                field_kind: type = type(field)
                plain = plain and not _holds_views(field_kind)
                self._feed(field, parts)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest(), not plain

    def artifact(self, spec: PagePlan, render: Callable[[PagePlan], bytes] | None = None) -> Artifact:
        """The page's output file; `render` makes its bytes in place of this renderer's own."""
        return Artifact(
            path=spec.file,
            fingerprint=self.fingerprint(spec),
            produce=(functools.partial(render, spec) if render is not None
                     else lambda: self.render(spec).encode("utf-8")),
            origin=f"the page {spec.url_path or '/'} ({spec.template})",
        )

    def fingerprints_of(self, specs: Iterable[PagePlan]) -> dict[Hashable, Any]:
        """What this build recorded of these pages' fingerprints, to hand back with
        `keep_fingerprints` in a build that does not fingerprint them again."""
        return self._digests.pages_of([(spec.file, spec.url_path) for spec in specs])

    def keep_fingerprints(self, records: dict[Hashable, Any]) -> None:
        self._digests.keep_pages(records)

    def render(self, spec: PagePlan) -> str:
        context = dict(spec.context)
        context.update(
            site=self.site_values,
            page_path=spec.url_path,
            url=self.linker(spec),
            abs_url=self.absolute,
        )
        return self.theme.render(spec.template, context)


    def absolute(self, path: str, language: str | None = None) -> str:
        """The full URL of a path in this page's language (or another's), for feeds and hreflang.

        The shared assets live once, at the site root, whatever the language.
        """
        if path.startswith(SHARED_PATHS):
            return urls.absolute(self.site_values.root_url, path)
        if language is None:
            return urls.absolute(self.site_values.base_url, path)
        prefixes = {link.tag: link.prefix for link in self.site_values.languages}
        return urls.absolute(self.site_values.root_url, prefixes.get(language, "") + path)


PLAIN_TYPES = (str, int, float, bool)
"""Field values hashed by their repr, as `_feed` does."""
PLAIN_EXACT = frozenset({*PLAIN_TYPES, type(None)})
"""The same, and None, by exact type: what most values are, told apart by one set lookup."""


@functools.cache
def _is_view_type(kind: type) -> bool:
    """Tell whether values of this type are views (dataclass instances), once per type."""
    return dataclasses.is_dataclass(kind) and not issubclass(kind, type)


@functools.cache
def _holds_views(kind: type) -> bool:
    """Tell whether a field of this type may hold views: a collection, or a view itself."""
    return issubclass(kind, tuple | list | dict) or dataclasses.is_dataclass(kind)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def json_filter(value: Any) -> str:
    """Serialise for a `<script type="application/ld+json">`: nothing can close the tag."""
    return script_json(value)
