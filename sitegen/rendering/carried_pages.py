"""A group of pages' output files carried from build to build while its plans are the same.

A story's page plans are carried over as one tuple while the story shows the same
views (`outputs.pages`); making an artifact of each plan again costs a fingerprint
look-up, a closure and an origin string per page, 12,000 times at 10,000 entries,
for the same result. So each group's artifacts are kept with the group, its salt
and its templates' digests, and handed back while all three are as they were.
A kept artifact renders with the latest build's renderer, through a `RendererSlot`:
the page is a function of its plan, its templates and what the salt stands for,
which are the same, but the renderer holds the theme, which a layout edit replaces.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sitegen.rendering.render import PagePlan, TemplateRenderer
from sitegen.writing.artifact import Artifact

Placement = Callable[[Iterable[Artifact]], Iterable[Artifact]]
"""Where a language puts its files (its folder, the site root for a few): see `Builder`."""


class RendererSlot:
    """The renderer of the latest build of one language, which carried artifacts render with."""

    def __init__(self) -> None:
        self.renderer: TemplateRenderer | None = None

    def render(self, spec: PagePlan) -> bytes:
        assert self.renderer is not None
        return self.renderer.render(spec).encode("utf-8")


@dataclass(frozen=True)
class _Kept:
    group: tuple[PagePlan, ...]
    salt: Hashable
    templates: tuple[tuple[str, str], ...]
    """Each template the group's pages use, with its digest when the artifacts were made."""
    fingerprints: dict[Hashable, Any]
    """The renderer's fingerprint records of these pages, kept for it (see `CarriedDigests`)."""
    artifacts: tuple[Artifact, ...]


class CarriedArtifacts:
    """Each page group's artifacts, by the group's identity, for the build after."""

    def __init__(self) -> None:
        self.slot = RendererSlot()
        self._last: dict[int, _Kept] = {}
        self._now: dict[int, _Kept] = {}

    def __getstate__(self) -> dict[str, object]:
        """Nothing is kept for another process: an artifact's maker is a closure of this one."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def next_build(self, renderer: TemplateRenderer) -> None:
        """Start a build with `renderer`; the groups the last build did not show are forgotten."""
        self.slot.renderer = renderer
        self._last, self._now = self._now, {}

    def of(self, group: tuple[PagePlan, ...], place: Placement, salt: Hashable) -> tuple[Artifact, ...]:
        """The group's artifacts, placed; `salt` stands for what else they depend on (the
        renderer's salt, the language's place)."""
        renderer = self.slot.renderer
        assert renderer is not None
        theme = renderer.theme
        # This build's first: the preview's first look asks for an edited story's group early.
        found = self._now.get(id(group)) or self._last.get(id(group))
        if found is not None and found.group is group and found.salt == salt and all(
            theme.template_digest(name) == digest for name, digest in found.templates
        ):
            renderer.keep_fingerprints(found.fingerprints)
        else:
            made = tuple(place([renderer.artifact(page, self.slot.render) for page in group]))
            templates = tuple((name, theme.template_digest(name)) for name in dict.fromkeys(
                page.template for page in group))
            found = _Kept(group, salt, templates, renderer.fingerprints_of(group), made)
        self._now[id(group)] = found
        return found.artifacts
