"""The preview's first look: an edited story's pages, made before the rest of the rebuild.

After a one-entry edit of a 10,000-entry site the preview plans the whole site again
(the sitemap, feeds, speaker and tag pages, the search index's inputs), most of its
rebuild, while the author watches one page: the entry's, or its story's. Hugo's server
renders the pages open in a browser first ("fast render"). Here the pages of each story
the edit touched come first, from this build's own views, so they are what the whole
build writes, byte for byte; the preview writes them into the copy it serves at once
(`BufferedOutput.write_served`) and the rest of the site follows in the same rebuild.
The edited entries' own pages come before their stories' timeline and embed, which show
every entry of the story and take most of the look's time (at 10,000 entries, about
three quarters): the page an author keeps open beside the editor is the entry's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from sitegen.outputs.changes import LastChanges
from sitegen.outputs.pages import story_page_group
from sitegen.reading.folders import CONTENT_PREFIX, touched_folders
from sitegen.rendering.render import PagePlan
from sitegen.writing.artifact import Artifact

if TYPE_CHECKING:
    from sitegen.rendering.views import SiteViews
    from sitegen.structure.model import Site

MOST_STORIES = 3
"""More stories than this changed at once (a `git checkout`) is a whole rebuild, not a look."""


def touched_stories(site: Site, changed: Collection[str]) -> list[str]:
    """The slugs of the stories whose folders hold a changed file, when only content changed
    and in at most `MOST_STORIES` stories; otherwise none (the whole site may change)."""
    if not changed or not all(path.startswith(CONTENT_PREFIX) for path in changed):
        return []
    folders = touched_folders(changed)
    if folders is None:
        return []
    # A story's slug is its folder's name (`reading.content`): no walk over every story.
    slugs = [name for name in sorted(folders) if site.story(name) is not None]
    return slugs if len(slugs) <= MOST_STORIES else []


def first_look(
    views: SiteViews, changed: Collection[str],
    artifacts_of: Callable[[tuple[PagePlan, ...]], tuple[Artifact, ...]],
) -> list[list[Artifact]]:
    """The output files of the pages of each story a change touched, as this build plans them,
    in the order to show them: the changed entries' own pages, then the rest of their stories'.

    `artifacts_of` turns a page group into its files the way the build does, so that the
    build, asking again for the same group, gets the same files and renders none twice.
    Each file is made only when written, so the second list costs nothing until then.
    """
    last = LastChanges(views)
    shown = views.story_by_slug
    edited: list[Artifact] = []
    rest: list[Artifact] = []
    for slug in touched_stories(views.site, changed):
        if slug not in shown:
            continue
        group = story_page_group(views, last, shown[slug])
        # One file a page, in the group's order (a story's pages are never at the site root).
        for page, artifact in zip(group, artifacts_of(group), strict=True):
            (edited if shows_changed_entry(page, changed) else rest).append(artifact)
    return [look for look in (edited, rest) if look]


def shows_changed_entry(page: PagePlan, changed: Collection[str]) -> bool:
    """Tell whether a page is the own page of an entry whose file changed."""
    entry = page.context.get("entry") if page.kind == "entry" else None
    return entry is not None and entry.path in changed
