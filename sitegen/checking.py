"""`sitegen check`: the published site's problems, and the drafts' problems marked as such.

Drafts are left out of a build, but their mistakes should surface before the
day they are published, so `check` reads the site twice: as it would be
published, and with drafts. Problems that only the second read finds belong
to drafts; they are reported as warnings that say so (with `--drafts`, drafts
are checked as if published, and their errors are errors).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import jinja2

from sitegen import collector
from sitegen.build import Builder, report_template_error
from sitegen.rendering.theme import TemplateFailure, template_failure
from sitegen.structure.diagnostics import Diagnostics

DRAFT_MARK = "in a draft: "


DRAFT_FIELD = re.compile(r"^draft\s*:", re.MULTILINE)


def mentions_drafts(builder: Builder) -> bool:
    """Whether the front matter of a file the read took in says `draft:`: if none does, the
    second read, with drafts, would find the same site, and reading it whole again is most of
    what a check costs a large site."""
    return any(DRAFT_FIELD.search(parsed.document.text, 0, parsed.document.body_start)
               for parsed in builder.reader.cache.files.files.values())


def check_site(
    source: Path, drafts: bool = False, cache_dir: Path | None = None,
    notice: Callable[[str], None] = lambda _: None,
) -> Diagnostics:
    """Read and check a site, writing nothing but the build cache in `cache_dir` (if given);
    a site with no error in what it says is also planned, as a build would plan it.

    The cache makes a check after an edit parse only the edited files, as a build does,
    and the second read (with drafts) reuses every file and body the first one parsed. The
    collector is held back meanwhile, as in a build, and left as it was found.
    """
    with collector.held_back():
        return _check_site(source, drafts, cache_dir, notice)


def _check_site(
    source: Path, drafts: bool, cache_dir: Path | None, notice: Callable[[str], None],
) -> Diagnostics:
    builder = Builder(source, source / "public", drafts=drafts, cache_dir=cache_dir)
    builder.load_cached_reads()
    site, published = builder.read_since_cache()
    if site is not None and not published.has_errors():
        # Planned as a build plans (nothing is rendered): a static file in a page's place, two
        # pages of one address, are errors the build would fail with, so the check says them.
        try:
            builder.plan(site, published)
        except TemplateFailure as error:  # a layout naming a template that is not there
            report_template_error(error, source, published)
        except jinja2.TemplateError as error:
            report_template_error(template_failure(error), source, published)
    else:
        builder.check_files(published)  # what a build would find in layouts/ and static/ before rendering
    builder.keep_reads(reported={d.path for d in published.items})
    if builder.cache is not None:
        for text in builder.cache.take_notices():
            notice(text)
    if drafts or not mentions_drafts(builder):
        return published  # a read with drafts would find the same
    with_drafts_reader = Builder(source, source / "public", drafts=True)
    with_drafts_reader.reader.cache = builder.reader.cache
    _, with_drafts = with_drafts_reader.read()
    seen = set(published.items)
    for problem in with_drafts.items:
        if problem not in seen:
            # The rule id stays, so `[rules]` settings and JSON consumers still know the problem.
            published.items.append(replace(problem, severity="warning", message=DRAFT_MARK + problem.message))
    return published
