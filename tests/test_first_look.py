"""The preview's first look: an edited story's pages reach the served copy before the rest.

After an edit the preview plans the whole site again; the pages of the story the edit
touched are written into the copy being served as soon as they are planned, and they
are the very bytes the whole build writes, so what the author sees first is never
replaced by something else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.build import Builder
from sitegen.rendering.render import PagePlan, TemplateRenderer
from sitegen.writing.artifact import Artifact
from tests.support.sites import event, statement, story

SPEAKER = "---\nname: Ann Speaker\ntype: person\n---\n"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def site_files() -> dict[str, str]:
    return {
        "content/_speakers/ann.md": SPEAKER,
        "content/s/_index.md": story("Story S"),
        "content/s/one.md": event("2024-01-01", "One"),
        "content/s/two.md": statement("2024-01-02", "ann", "Two"),
        "content/s/three.md": event("2024-01-03", "Three"),
        "content/t/_index.md": story("Story T"),
        "content/t/other.md": event("2024-02-01", "Other"),
    }


class Looks:
    """What each first look wrote, and the served copy as it was at that moment."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.written: list[list[Artifact]] = []
        self.served: list[dict[str, bytes]] = []
        builder.first_look = self.look

    def look(self, written: list[Artifact]) -> None:
        self.written.append(written)
        self.served.append(files(self.builder.output.resolve()))


def previewed(write_site: Callable[..., Path], tmp_path: Path) -> tuple[Path, Builder, Looks]:
    """The small site, built once by a preview whose first looks are watched."""
    site = write_site(site_files())
    preview = Builder(site, tmp_path / "preview" / "site", buffered=True, search_index=False)
    looks = Looks(preview)
    assert preview.build().ok
    return site, preview, looks


def test_an_edited_entry_s_story_pages_are_served_first_and_are_the_final_bytes(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site, preview, looks = previewed(write_site, tmp_path)
    assert looks.written == []  # the first build has nothing to look at first

    (site / "content/s/two.md").write_text(statement("2024-01-02", "ann", "Two, edited"))
    assert preview.build(changed=["content/s/two.md"]).ok

    # The entry's own page first, alone: the page an author keeps open beside the editor.
    first, then = looks.written
    assert [artifact.path for artifact in first] == ["s/two/index.html"]
    assert b"Two, edited" in looks.served[0]["s/two/index.html"]
    assert b"Two, edited" not in looks.served[0]["s/index.html"]  # the timeline comes next
    # Then its neighbours' (their links name it) and the story's pages, at once.
    assert sorted(artifact.path for artifact in then) == [
        "s/embed/index.html", "s/index.html", "s/one/index.html", "s/three/index.html"]
    early = looks.served[-1]
    assert b"Two, edited" in early["s/index.html"]
    # The rest of the site was not there yet: the speaker's page still named the old title.
    assert b"Two, edited" not in early["speakers/ann/index.html"]
    # What was shown first is what the whole build wrote, and the served copy is a whole build.
    served = files(preview.output.resolve())
    assert all(early[artifact.path] == served[artifact.path] for artifact in [*first, *then])
    full = tmp_path / "full"
    assert Builder(site, full, search_index=False).build().ok
    assert served == files(full)


def test_the_whole_build_does_not_render_the_first_look_s_pages_again(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site, preview, _ = previewed(write_site, tmp_path)
    rendered: list[str] = []
    original = TemplateRenderer.render

    def counted(renderer: TemplateRenderer, spec: PagePlan) -> str:
        rendered.append(spec.url_path)
        return original(renderer, spec)

    TemplateRenderer.render = counted  # type: ignore[method-assign]
    try:
        (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited"))
        assert preview.build(changed=["content/s/one.md"]).ok
    finally:
        TemplateRenderer.render = original  # type: ignore[method-assign]
    assert "s/one/" in rendered and len(rendered) == len(set(rendered)), rendered


def test_no_first_look_for_a_broken_entry_a_config_or_layout_change_or_many_stories(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site, preview, looks = previewed(write_site, tmp_path)
    before = files(preview.output.resolve())

    (site / "content/s/one.md").write_text("---\ntitle: No date\n---\nBody.\n")
    assert not preview.build(changed=["content/s/one.md"]).ok
    assert looks.written == [] and files(preview.output.resolve()) == before

    (site / "content/s/one.md").write_text(event("2024-01-01", "One"))
    (site / "sitegen.toml").write_text((site / "sitegen.toml").read_text().replace("Test Checks", "Renamed"))
    assert preview.build(changed=["content/s/one.md", "sitegen.toml"]).ok
    (site / "layouts").mkdir()
    (site / "layouts/extra.html").write_text("unused\n")
    assert preview.build(changed=["layouts/extra.html"]).ok
    assert looks.written == []

    for number in range(4):  # more stories than a look is for: a checkout, say
        write_site({f"content/u{number}/_index.md": story(f"U{number}"),
                    f"content/u{number}/e.md": event("2024-03-01", f"E{number}")})
    assert preview.build(changed=[f"content/u{number}/e.md" for number in range(4)]).ok
    assert looks.written == []
    (site / "content/t/other.md").write_text(event("2024-02-01", "Other, edited"))
    assert preview.build(changed=["content/t/other.md"]).ok
    assert [[artifact.path for artifact in look] for look in looks.written] == [
        ["t/other/index.html"], ["t/index.html", "t/embed/index.html"]]


def test_a_sitegen_build_never_writes_early(write_site: Callable[..., Path], tmp_path: Path) -> None:
    site = write_site(site_files())
    builder = Builder(site, tmp_path / "public", search_index=False)
    looks = Looks(builder)
    assert builder.build().ok
    (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited"))
    assert builder.build(changed=["content/s/one.md"]).ok
    assert looks.written == []


def test_the_last_build_s_views_are_freed_after_the_first_look_not_before(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    """Freeing the last build's views object by object took up to 30 ms of a rebuild at
    10,000 entries; it waits until the edited story's pages are on their way."""
    import weakref

    site, preview, looks = previewed(write_site, tmp_path)
    views = preview.views("en")
    assert views is not None
    last = weakref.ref(views)
    del views
    alive_at_look: list[bool] = []
    looks.look = lambda written: alive_at_look.append(last() is not None)  # type: ignore[method-assign]
    preview.first_look = looks.look
    (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited"), "utf-8")
    assert preview.build({"content/s/one.md"}).ok
    assert alive_at_look and all(alive_at_look)
    assert last() is None
