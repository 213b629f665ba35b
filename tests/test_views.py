"""Templates see view types only, so the model can change under a theme without breaking it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from sitegen.build import Builder
from sitegen.outputs.feeds import feed_specs
from sitegen.outputs.pages import html_pages
from sitegen.rendering.render import site_context
from sitegen.rendering.views import SiteViews
from tests.support.sites import REPO_ROOT

MODEL_MODULES = ("sitegen.structure.model", "sitegen.structure.dates")


def model_objects(value: object, where: str) -> Iterator[str]:
    """Every model object reachable from a template's context, by where it was found."""
    if type(value).__module__ in MODEL_MODULES:
        yield f"{where}: {type(value).__name__}"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from model_objects(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from model_objects(item, f"{where}[{key!r}]")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from model_objects(item, f"{where}[{index}]")


def test_no_page_or_feed_template_gets_a_model_object(tmp_path: Path) -> None:
    site, diagnostics = Builder(REPO_ROOT, tmp_path / "public").read()
    assert site is not None and not diagnostics.has_errors()
    views = SiteViews(site)
    plans = [*html_pages(views), *feed_specs(views)]
    assert {plan.template for plan in plans} >= {
        "index.html", "story.html", "embed.html", "entry.html", "speaker.html", "speakers.html",
        "tag.html", "tags.html", "page.html", "corrections.html", "atom.xml",
    }
    leaks = [leak for plan in plans for leak in model_objects(plan.context, plan.url_path or "/")]
    leaks += list(model_objects(site_context(site, views.nav_pages), "site"))
    assert leaks == [], "\n".join(leaks[:20])
