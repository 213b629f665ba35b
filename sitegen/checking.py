"""`sitegen check`: the published site's problems, and the drafts' problems marked as such.

Drafts are left out of a build, but their mistakes should surface before the
day they are published, so `check` reads the site twice: as it would be
published, and with drafts. Problems that only the second read finds belong
to drafts; they are reported as warnings that say so (with `--drafts`, drafts
are checked as if published, and their errors are errors).
"""

from __future__ import annotations

from pathlib import Path

from sitegen.build import Builder
from sitegen.reading.placeholders import base_url_warning
from sitegen.structure.diagnostics import Diagnostic, Diagnostics

DRAFT_MARK = "in a draft: "


def check_site(source: Path, drafts: bool = False) -> Diagnostics:
    """Read and check a site without writing anything."""
    site, published = Builder(source, source / "public", drafts=drafts).read()
    if site is not None:
        base_url_warning(source, site.config.base_url, published)
    if drafts:
        return published
    _, with_drafts = Builder(source, source / "public", drafts=True).read()
    seen = set(published.items)
    for problem in with_drafts.items:
        if problem not in seen:
            published.items.append(Diagnostic(
                problem.path, problem.line, problem.column, "warning", DRAFT_MARK + problem.message,
            ))
    return published
