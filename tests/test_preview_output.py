"""The preview's output: two copies behind a link, each build a complete site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.build import Builder
from tests.support.sites import event, story


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_each_build_behind_the_link_is_the_whole_site(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site = write_site({
        "content/s/_index.md": story(),
        "content/s/one.md": event("2024-01-01", "One"),
        "content/s/two.md": event("2024-01-02", "Two"),
    })
    preview = Builder(site, tmp_path / "preview" / "site", buffered=True, search_index=False)
    full = Builder(site, tmp_path / "full", search_index=False)
    link = tmp_path / "preview" / "site"
    steps = [
        lambda: None,
        lambda: (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited")),
        lambda: (site / "content/s/two.md").unlink(),
        lambda: (site / "content/s/three.md").write_text(event("2024-01-03", "Three")),
    ]
    for step in steps:
        step()
        assert preview.build().ok and full.build().ok
        assert link.is_symlink()
        assert files(link.resolve()) == files(tmp_path / "full")
    assert not (site / "public").exists()


def test_an_edit_reports_only_what_changed_since_the_last_build(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    site = write_site({"content/s/_index.md": story(), "content/s/one.md": event("2024-01-01", "One")})
    preview = Builder(site, tmp_path / "preview" / "site", buffered=True, search_index=False)
    assert preview.build().ok
    (site / "content/s/one.md").write_text(event("2024-01-01", "One, edited"))
    assert "s/one/index.html" in preview.build().produced
    # The idle copy is two builds behind, but nothing changed since the last build.
    assert preview.build().produced == []


def test_updating_the_idle_copy_never_touches_the_one_being_served(tmp_path: Path) -> None:
    from sitegen.writing.artifact import Artifact
    from sitegen.writing.buffer import BufferedOutput

    def artifacts(text: str) -> list[Artifact]:
        return [Artifact("index.html", text, lambda: text.encode()),
                Artifact("a/page.html", "same", lambda: b"same")]

    buffer = BufferedOutput(tmp_path / "site")
    target, _ = buffer.update(artifacts("first"))
    buffer.publish(target)
    served = (tmp_path / "site").resolve()
    idle, written = buffer.update(artifacts("second"))
    assert idle != served and written == ["index.html"]
    assert (served / "index.html").read_text() == "first"
    assert (idle / "index.html").read_text() == "second"
