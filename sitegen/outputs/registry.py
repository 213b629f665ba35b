"""Every output beyond the HTML pages, in one list: a new output is one planner here plus its route.

Planners run in this order for each language; post-stages run once over the
whole staged output, before it is swapped in.
"""

from __future__ import annotations

from collections.abc import Iterator

from sitegen.outputs.feeds import plan_feeds
from sitegen.outputs.plan import OutputPlanner, PostStage, SitePlan
from sitegen.outputs.search import build_search_index
from sitegen.outputs.sitemap import plan_sitemap
from sitegen.outputs.timelinejs import plan_timelines
from sitegen.outputs.timelinejs_csv import plan_timeline_csvs
from sitegen.structure import urls
from sitegen.writing.artifact import Artifact


def plan_host_files(plan: SitePlan) -> Iterator[Artifact]:
    """.nojekyll: GitHub Pages would otherwise run Jekyll, which drops folders starting with `_`."""
    yield Artifact(urls.GITHUB_PAGES_MARKER, "empty", lambda: b"", "the GitHub Pages marker")


PLANNERS: tuple[OutputPlanner, ...] = (
    plan_feeds, plan_timelines, plan_timeline_csvs, plan_sitemap, plan_host_files,
)

POST_STAGE: tuple[PostStage, ...] = (build_search_index,)
"""Run over the whole staged output, in order, before it is swapped in."""
