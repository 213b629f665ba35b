"""The output stages beyond HTML pages: each adds files from the same views."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sitegen.feeds import plan_feeds
from sitegen.search import build_search_index
from sitegen.sitemap import plan_sitemap
from sitegen.timelinejs import plan_timelines
from sitegen.timelinejs_csv import plan_timeline_csvs
from sitegen.write import Artifact

if TYPE_CHECKING:
    from sitegen.build import OutputPlanner, PostStage
    from sitegen.model import Site
    from sitegen.render import PageRenderer
    from sitegen.views import SiteViews


def plan_host_files(site: Site, views: SiteViews, renderer: PageRenderer) -> Iterator[Artifact]:
    """.nojekyll: GitHub Pages would otherwise run Jekyll, which drops folders starting with `_`."""
    yield Artifact(".nojekyll", "empty", lambda: b"", "the GitHub Pages marker")


PLANNERS: tuple[OutputPlanner, ...] = (
    plan_feeds, plan_timelines, plan_timeline_csvs, plan_sitemap, plan_host_files,
)

POST_STAGE: tuple[PostStage, ...] = (build_search_index,)
"""Run over the whole staged output, in order, before it is swapped in."""
