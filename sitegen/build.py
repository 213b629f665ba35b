"""The build: read and check everything, plan every output, then write it whole."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen.config import load_config
from sitegen.content import ReadCache, SiteReader
from sitegen.diagnostics import Diagnostic, Diagnostics
from sitegen.model import Site
from sitegen.pages import html_pages
from sitegen.render import PageRenderer, json_filter, site_context
from sitegen.theme import Theme
from sitegen.views import SiteViews
from sitegen.write import Artifact, OutputError, check_unique, remove_leftovers, stage, swap

STATIC_DIR = "static"

OutputPlanner = Callable[[Site, SiteViews, PageRenderer], Iterable[Artifact]]
"""A stage that adds output files (feeds, sitemap, JSON…) to a build."""


def extra_planners() -> list[OutputPlanner]:
    """The output stages beyond HTML pages, theme assets and static files."""
    from sitegen.outputs import PLANNERS

    return list(PLANNERS)


@dataclass
class BuildResult:
    """What one build did, for the CLI, the server and tests."""

    diagnostics: list[Diagnostic]
    ok: bool
    produced: list[str] = field(default_factory=list)
    """Output files rendered afresh (the rest were unchanged and linked)."""
    files: int = 0
    seconds: float = 0.0


class Builder:
    """Build one site again and again, keeping what it can between builds."""

    def __init__(
        self,
        source: Path,
        output: Path,
        *,
        base_url: str | None = None,
        drafts: bool = False,
        strict: bool = False,
    ) -> None:
        self.source = source.resolve()
        self.output = output.resolve()
        self.base_url = base_url
        self.drafts = drafts
        self.strict = strict
        self.reader = SiteReader(self.source, ReadCache())
        self.fingerprints: dict[str, str] = {}

    def read(self) -> tuple[Site | None, Diagnostics]:
        """Read and check the whole site; no output is touched."""
        diagnostics = Diagnostics()
        config = load_config(self.source, diagnostics, self.base_url)
        site = self.reader.read(config, diagnostics, self.drafts)
        return site, diagnostics

    def plan(self, site: Site, diagnostics: Diagnostics) -> list[Artifact]:
        """List every output file with its fingerprint; nothing is rendered yet."""
        theme = Theme(self.source, filters={"jsonld": json_filter})
        views = SiteViews(site)
        renderer = PageRenderer(theme, site_context(site, views.nav_pages))
        artifacts = [renderer.artifact(spec) for spec in html_pages(views)]
        for name, path in theme.assets().items():
            artifacts.append(file_artifact(f"assets/{name}", path, "the theme"))
        for planner in extra_planners():
            artifacts.extend(planner(site, views, renderer))
        static = self.source / STATIC_DIR
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    relative = path.relative_to(static).as_posix()
                    artifacts.append(file_artifact(relative, path, f"static/{relative}"))
        for problem in check_unique(artifacts):
            diagnostics.error(STATIC_DIR, 0, 0, f"{problem}; rename one of them")
        return artifacts

    def build(self) -> BuildResult:
        """Check, render and swap in a new output; on errors leave the old one alone."""
        started = time.perf_counter()
        site, diagnostics = self.read()
        if site is None or diagnostics.has_errors(self.strict):
            return self._result(diagnostics, False, started)
        try:
            artifacts = self.plan(site, diagnostics)
            if diagnostics.has_errors(self.strict):
                return self._result(diagnostics, False, started)
            remove_leftovers(self.output)
            staging, produced = stage(artifacts, self.output, self.fingerprints)
        except jinja2.TemplateError as error:
            report_template_error(error, self.source, diagnostics)
            return self._result(diagnostics, False, started)
        except OutputError as error:
            diagnostics.error(".", 0, 0, str(error))
            return self._result(diagnostics, False, started)
        swap(staging, self.output)
        self.fingerprints = {a.path: a.fingerprint for a in artifacts}
        result = self._result(diagnostics, True, started)
        result.produced = produced
        result.files = len(artifacts)
        return result

    def _result(self, diagnostics: Diagnostics, ok: bool, started: float) -> BuildResult:
        return BuildResult(
            diagnostics=diagnostics.sorted(self.strict),
            ok=ok,
            seconds=time.perf_counter() - started,
        )


def file_artifact(output_path: str, source: Path, origin: str) -> Artifact:
    """Copy a file verbatim; its fingerprint is its size and modification time."""
    stat = source.stat()
    return Artifact(
        path=output_path,
        fingerprint=f"file:{source}:{stat.st_size}:{stat.st_mtime_ns}",
        produce=source.read_bytes,
        origin=origin,
    )


def report_template_error(error: jinja2.TemplateError, source: Path, diagnostics: Diagnostics) -> None:
    """Point a template error at the template's file and line."""
    filename = getattr(error, "filename", None) or getattr(error, "name", None) or "layouts"
    line = getattr(error, "lineno", 0) or 0
    path = Path(filename)
    if path.is_absolute():
        path = path.relative_to(source) if path.is_relative_to(source) else Path("layouts") / path.name
    diagnostics.error(path.as_posix(), line, 0, f"template error: {error.message or error}")
