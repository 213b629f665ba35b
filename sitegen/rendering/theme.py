"""The default theme, a site's overrides of it, and the Jinja environment."""

from __future__ import annotations

import contextlib
import dataclasses
import gettext
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup

from sitegen.cache.templates import TemplateCache
from sitegen.rendering.context import QuickContext
from sitegen.rendering.escape import TEMPLATE_FILTERS
from sitegen.rendering.i18n import SOURCE_LANGUAGE, Localizer, catalogue_files, load_translations

LAYOUTS_DIR = "layouts"
ASSETS_DIR = "assets"
THEME_PREFIX = "theme/"
"""Names the built-in theme's own template even where the site overrides it, so a site's
`layouts/base.html` can `{% extends "theme/base.html" %}` and replace one block."""


def builtin_theme_dir() -> Path:
    """Where the default theme is: inside the wheel, or the repository's layouts/."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_theme"
    if packaged.is_dir():
        return packaged
    return package.parent / LAYOUTS_DIR


def direct_gettext(translations: gettext.NullTranslations) -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` as Jinja's newstyle i18n makes them, one call each.

    Jinja's `_` is an alias that looks `gettext` up and calls it through the context, which
    calls the catalogue through the context again: three of Jinja's checked calls for each
    phrase, a sixth of rendering an entry page. These call the catalogue directly and give
    the same text: marked safe where the template autoescapes, always formatted with `%`.
    """

    @jinja2.pass_context
    def template_gettext(context: jinja2.runtime.Context, string: str, /, **variables: Any) -> str:
        text = translations.gettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @jinja2.pass_context
    def template_ngettext(
        context: jinja2.runtime.Context, singular: str, plural: str, count: int, /, **variables: Any,
    ) -> str:
        variables.setdefault("num", count)
        text = translations.ngettext(singular, plural, count)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"_": template_gettext, "gettext": template_gettext, "ngettext": template_ngettext}


class Theme:
    """Templates and assets, the site's own `layouts/` first, file by file, in one language."""

    def __init__(
        self,
        site_root: Path,
        filters: dict[str, Callable[..., Any]] | None = None,
        language: str = SOURCE_LANGUAGE,
        bytecode_cache: jinja2.BytecodeCache | None = None,
    ):
        """`bytecode_cache` keeps compiled templates for the next process (`cache.templates`)."""
        self.dirs = [d for d in (site_root / LAYOUTS_DIR, builtin_theme_dir()) if d.is_dir()]
        self.language = language
        self.catalogues = catalogue_files(self.dirs, language)
        """The `.po` files that translate the theme's words, the site's own first."""
        translations, self.catalogue_digest = load_translations(self.catalogues)
        self.localizer = Localizer(language, translations)
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([
                jinja2.PrefixLoader({
                    THEME_PREFIX.rstrip("/"): jinja2.FileSystemLoader(str(builtin_theme_dir())),
                }),
                jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            ]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            bytecode_cache=bytecode_cache,
            # A theme lives while `layouts/` is as it was (a build that sees a layout change
            # makes a new one), so asking the disk whether each template changed, every time a
            # page includes one, only cost time: a tenth of rendering.
            auto_reload=False,
        )
        self.env.context_class = QuickContext
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals.update(direct_gettext(translations))
        self.env.globals.update(self.localizer.template_globals())
        self.env.filters.update(TEMPLATE_FILTERS)
        self.env.filters.update(filters or {})
        self._digests: dict[str, str] = {}

    def source_path(self, name: str) -> Path | None:
        """The file that provides a template or asset, after overrides."""
        if name.startswith(THEME_PREFIX):
            candidate = builtin_theme_dir() / name.removeprefix(THEME_PREFIX)
            return candidate if candidate.is_file() else None
        for folder in self.dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None

    def template_digest(self, name: str) -> str:
        """Hash a template with everything it extends, includes or imports."""
        if name in self._digests:
            return self._digests[name]
        self._digests[name] = ""  # guards against include cycles
        path = self.source_path(name)
        if path is None:
            raise jinja2.TemplateNotFound(name)
        text = path.read_text("utf-8")
        # A page shows the catalogue's words: editing a translation re-renders it.
        digest = hashlib.sha256(text.encode() + self.catalogue_digest.encode())
        kept = self.env.bytecode_cache
        referenced = (kept.references(text, self._referenced) if isinstance(kept, TemplateCache)
                      else self._referenced(text))
        for child in sorted(referenced):
            try:
                digest.update(self.template_digest(child).encode())
            except jinja2.TemplateNotFound:
                # Told at the line that names it, in the template that does.
                mention = max(text.find(f'"{child}"'), text.find(f"'{child}'"), 0)
                line = text.count("\n", 0, mention) + 1
                raise TemplateFailure(missing_template(child), str(path), line) from None
        self._digests[name] = digest.hexdigest()
        return self._digests[name]

    def _referenced(self, text: str) -> list[str]:
        """The templates a template's source extends, includes or imports by a constant name."""
        try:
            return [r for r in jinja2.meta.find_referenced_templates(self.env.parse(text)) if r]
        except jinja2.TemplateSyntaxError:
            return []

    def assets(self) -> dict[str, Path]:
        """Every asset file by its path under assets/, overrides winning."""
        found: dict[str, Path] = {}
        for folder in reversed(self.dirs):
            root = folder / ASSETS_DIR
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.relative_to(root).as_posix()] = path
        return dict(sorted(found.items()))

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render a template with a context; any error inside it is a `TemplateFailure`."""
        with template_errors():
            return self.env.get_template(name).render(context)


def template_position(error: BaseException) -> tuple[str | None, int]:
    """The template file and line an error happened at.

    Syntax errors carry them; errors raised while rendering (an undefined
    attribute) do not, but Jinja rewrites the traceback so that template frames
    name the template file and line.
    """
    # A missing template's `name` is the one asked for, not the one that asked.
    missing = isinstance(error, jinja2.TemplateNotFound)
    filename = getattr(error, "filename", None) or (None if missing else getattr(error, "name", None))
    line = getattr(error, "lineno", 0) or 0
    if filename is None:
        frame = error.__traceback__
        while frame is not None:
            code = frame.tb_frame.f_code
            if code.co_filename.endswith((".html", ".xml", ".txt", ".json")):
                filename, line = code.co_filename, frame.tb_lineno
            frame = frame.tb_next
    return filename, line


def template_failure(error: jinja2.TemplateError) -> TemplateFailure:
    """Jinja's error as sitegen tells it: where, and for a missing template, how to fix it."""
    if isinstance(error, jinja2.TemplateNotFound):
        message = missing_template(str(error.name))
    else:
        message = plain_undefined(error.message or str(error))
    return TemplateFailure(message, *template_position(error))


_NO_ATTRIBUTE = re.compile(r"^'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'$")


def plain_undefined(message: str) -> str:
    """Jinja's "'sitegen.rendering.views.EntryView object' has no attribute 'x'" as the author
    can act on it: what the value is, and the fields it has."""
    found = _NO_ATTRIBUTE.match(message)
    if found is None:
        return message
    from sitegen.rendering import views  # a view's fields, by its class's name

    kind = getattr(views, found[1], None)
    if not dataclasses.is_dataclass(kind):
        return message
    fields = ", ".join(field.name for field in dataclasses.fields(kind))
    return f"`{found[2]}` is not a field of {found[1]}; it has {fields}"


def missing_template(name: str) -> str:
    return (f"template `{name}` not found: a site's own go in layouts/ (as layouts/{name}); "
            f"the theme's are named `{THEME_PREFIX}…`")


class TemplateFailure(Exception):
    """An error in a template, with the file and line: picklable, so it leaves a worker whole."""

    def __init__(self, message: str, filename: str | None, line: int) -> None:
        super().__init__(message, filename, line)
        self.message = message
        self.filename = filename
        self.line = line

    def __str__(self) -> str:
        return f"{self.filename or 'a template'}:{self.line}: {self.message}"


@contextlib.contextmanager
def template_errors() -> Iterator[None]:
    """Turn an error raised inside a template into a `TemplateFailure` that says where.

    Jinja's own errors carry their place; others (a division by zero in a layout
    override) are placed by the template frames of their traceback, which is lost
    once an error is pickled: so this runs where the template runs.
    """
    try:
        yield
    except TemplateFailure:
        raise
    except jinja2.TemplateError as error:
        raise template_failure(error) from error
    except Exception as error:
        filename, line = template_position(error)
        if filename is None:
            raise
        raise TemplateFailure(f"{type(error).__name__}: {error}", filename, line) from error

