"""What every output planner is given and returns: the contract between `build` and `outputs`.

The build reads the site, makes its views and the plan of its HTML pages, then
asks each planner in `outputs.registry` for the files it adds. Planners get the
page plans themselves, so the sitemap or a search index lists exactly the pages
that are built, with the metadata each plan carries, and never re-derives them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.rendering.render import PagePlan, TemplateRenderer
from sitegen.rendering.views import SiteViews
from sitegen.structure.diagnostics import Diagnostics
from sitegen.structure.model import Site
from sitegen.writing.artifact import Artifact


@dataclass(frozen=True)
class SitePlan:
    """One language of the site, planned: what every output planner may read."""

    site: Site
    """The site in this language (translations applied)."""
    views: SiteViews
    renderer: TemplateRenderer
    pages: tuple[PagePlan, ...]
    """Every HTML page, in the order they are listed."""
    groups: tuple[tuple[PagePlan, ...], ...] = ()
    """The same pages in groups (a story's), each the last build's tuple while its plans are:
    for outputs made per group and carried over by its identity (the sitemap's lines)."""


OutputPlanner = Callable[[SitePlan], Iterable[Artifact]]
"""A stage that adds output files (feeds, sitemap, JSON…) to a build."""


@dataclass(frozen=True)
class StagedOutput:
    """A written but not yet published output, for stages that read the whole site."""

    site: Site
    artifacts: list[Artifact]
    staging: Path
    """The new output; it replaces `output` once every stage has succeeded."""
    output: Path
    """The current output, whose files a stage may link when nothing changed."""
    previous: dict[str, str]
    """The fingerprints of the current output, including those stages returned."""
    diagnostics: Diagnostics
    plans: tuple[SitePlan, ...] = ()
    """Every language's plan, for stages that index what the build knows (search)."""


PostStage = Callable[[StagedOutput], dict[str, str]]
"""A stage that runs on the staged output (a search index); returns fingerprints to remember."""
