"""The spare: the output before last, kept in the cache folder and updated into the next output.

`sitegen build` writes its output beside the old one and swaps it in whole. Rather than
make that tree afresh (a folder and a link for every page: over a second at 10,000
entries), a build with a cache updates the tree the build before it replaced, and keeps
the one it replaces for the next. What a reader gets is the same as ever: exactly the
files of a fresh build, swapped in at once; and nothing in the spare is trusted unseen.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitegen.build import Builder
from sitegen.cache.location import site_cache_folder
from sitegen.writing import output_check, workers
from tests.support.outputs import folder_digest
from tests.support.sites import event, story


def files() -> dict[str, str]:
    return {
        "content/alpha/_index.md": story("Alpha story"),
        "content/alpha/a1.md": event("2024-11-10", "The call is reported"),
        "content/alpha/a2.md": event("2024-11-11", "The call is denied"),
        "content/beta/_index.md": story("Beta story"),
        "content/beta/b1.md": event("2024-03-02", "Beta event"),
    }


@pytest.fixture
def site(write_site: Callable[..., Path]) -> Path:
    return write_site(files())


@dataclass
class Forks:
    by_a_child: bool
    forked: list[str] = field(default_factory=list)
    """What children were forked for."""


@pytest.fixture(autouse=True, params=["checked by a child", "checked by the build"])
def spare_checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Forks:
    """Each test twice: the spare (and the output) checked by a child process forked while the
    build loads its cache, and by the build itself, as on a system that will not fork."""
    forks = Forks(by_a_child=request.param == "checked by a child")
    forked = forks.forked
    fork = workers.fork_job

    def forking(function: Callable[[object], object], job: object) -> workers.Child:
        if not forks.by_a_child and function is output_check.checked_output:
            raise workers.CannotFork(11, "no more processes")
        forked.append(function.__name__)
        return fork(function, job)

    monkeypatch.setattr(workers, "fork_job", forking)
    return forks


def build(site: Path, cache: Path, output: Path | None = None) -> Builder:
    """One `sitegen build`: a new process, which knows only the cache."""
    builder = Builder(site, output or site / "public", cache_dir=cache, search_index=False)
    result = builder.build()
    assert result.ok, [d.format() for d in result.diagnostics]
    return builder


def fresh(site: Path, tmp_path: Path) -> dict[str, str]:
    """What a build without any cache writes for the site as it is now."""
    output = tmp_path / "fresh"
    assert Builder(site, output, search_index=False).build().ok
    digest = folder_digest(output)
    shutil.rmtree(output)
    return digest


def spares(cache: Path, site: Path) -> list[Path]:
    return sorted((site_cache_folder(cache, site) / "trash").glob("spare-*"))


def edit(site: Path, number: int) -> None:
    (site / "content/beta/b1.md").write_text(event("2024-03-02", f"Beta event, edit {number}"))


def with_a_spare(site: Path, tmp_path: Path) -> Path:
    """Build, edit and build again: the first build's output is the spare. Returns the cache."""
    cache = tmp_path / "cache"
    build(site, cache)
    edit(site, 1)
    build(site, cache)
    return cache


def test_each_build_updates_the_tree_the_one_before_replaced(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    public = site / "public"
    build(site, cache)
    first_tree = (public / "alpha").stat().st_ino
    edit(site, 1)
    build(site, cache)
    assert [p.name[:6] for p in spares(cache, site)] == ["spare-"]  # the first tree, kept
    assert (public / "alpha").stat().st_ino != first_tree
    edit(site, 2)
    build(site, cache)
    # The first tree is the output again, updated: its folders are the same folders.
    assert (public / "alpha").stat().st_ino == first_tree
    assert "edit 2" in (public / "beta/b1/index.html").read_text("utf-8")
    assert folder_digest(public) == fresh(site, tmp_path)
    assert not list(site.parent.glob(".public.new-*")) and not list(site.glob(".public.*"))


def test_pages_added_and_removed_between_builds_are_exactly_a_fresh_builds(
    site: Path, tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    build(site, cache)
    (site / "content/gamma").mkdir()
    (site / "content/gamma/_index.md").write_text(story("Gamma story"))
    (site / "content/gamma/g1.md").write_text(event("2024-05-05", "Gamma event"))
    build(site, cache)
    (site / "content/alpha/a2.md").unlink()
    build(site, cache)  # the spare has neither gamma nor the loss of a2
    assert not (site / "public/alpha/a2").exists()
    assert folder_digest(site / "public") == fresh(site, tmp_path)
    for folder in ("content/gamma/g1.md", "content/gamma/_index.md"):
        (site / folder).unlink()
    (site / "content/gamma").rmdir()
    build(site, cache)
    build(site, cache)
    assert not (site / "public/gamma").exists()
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_a_file_edited_through_the_output_is_not_trusted_in_the_spare(site: Path, tmp_path: Path) -> None:
    """Unchanged pages are one file with two names, the output's and the spare's: an edit
    in place through one shows in the other, and must not be published again."""
    cache = with_a_spare(site, tmp_path)
    page = site / "public/alpha/a1/index.html"
    with page.open("r+b") as handle:  # in place: the spare's name for the file sees it too
        handle.write(b"<!-- vandalised -->")
    edit(site, 2)
    build(site, cache)
    assert folder_digest(site / "public") == fresh(site, tmp_path)
    edit(site, 3)
    build(site, cache)
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_files_left_in_the_spare_never_come_back_and_those_put_in_the_output_stay(
    site: Path, tmp_path: Path,
) -> None:
    cache = with_a_spare(site, tmp_path)
    (site / "public/alpha/a1/notes.txt").write_text("left by hand")
    (site / "public/stray.txt").write_text("left by hand")
    edit(site, 2)
    build(site, cache)  # the output with the hand-made files is the spare now
    (spare,) = spares(cache, site)
    (spare / "beta/b1/extra.html").write_text("<p>not a page of the site</p>")
    with (spare / "alpha/index.html").open("ab") as handle:
        handle.write(b"changed in the spare")
    edit(site, 3)
    build(site, cache)
    # sitegen never deletes a file it did not write (see test_foreign_files.py).
    assert (site / "public/alpha/a1/notes.txt").read_text() == "left by hand"
    (site / "public/alpha/a1/notes.txt").unlink()
    (site / "public/stray.txt").unlink()
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_an_edit_build_has_the_output_and_the_spare_checked_while_it_loads_its_cache(
    site: Path, tmp_path: Path, spare_checked: Forks,
) -> None:
    """Which files of the output and of the spare are as recorded is a stat of each of them:
    done by a child process on the other core while the build unpickles what it read last."""
    cache = with_a_spare(site, tmp_path)
    (spare,) = spares(cache, site)
    (spare / "alpha/a1/notes.txt").write_text("left in the spare")
    (site / "public/alpha/index.html").write_text("changed in the output")
    spare_checked.forked.clear()
    edit(site, 2)
    build(site, cache)
    expected = 1 if spare_checked.by_a_child and workers.can_fork() else 0
    assert spare_checked.forked.count("checked_output") == expected
    assert not (spare / "alpha/a1/notes.txt").exists() and not list(site.rglob("notes.txt"))
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_one_builder_building_again_checks_the_spare_it_takes_each_time(site: Path, tmp_path: Path) -> None:
    """A program that keeps one `Builder` (a build script) gets what new processes get."""
    cache = tmp_path / "cache"
    builder = Builder(site, site / "public", cache_dir=cache, search_index=False)
    for number in range(1, 5):
        assert builder.build().ok
        assert folder_digest(site / "public") == fresh(site, tmp_path)
        if number > 1:
            (spare,) = spares(cache, site)
            (spare / "beta/b1/extra.html").write_text("<p>not a page of the site</p>")
        edit(site, number)


def test_a_failed_build_does_not_leave_its_check_of_the_spare_to_the_next(site: Path, tmp_path: Path) -> None:
    """What was checked of the spare holds for the build that checked it: between a failed
    build and the next, another process may have built into the output (and left a spare)."""
    cache = with_a_spare(site, tmp_path)
    builder = Builder(site, site / "public", cache_dir=cache, search_index=False)
    (site / "content/beta/b1.md").write_text("---\nkind: event\ntitle: No date\n---\n\nBroken.\n")
    assert not builder.build().ok  # the spare was checked, and not taken
    edit(site, 2)
    build(site, cache)  # another process: the spare is another tree now
    (spare,) = spares(cache, site)
    (spare / "beta/b1/extra.html").write_text("<p>not a page of the site</p>")
    edit(site, 3)
    assert builder.build().ok
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_a_spare_whose_record_is_lost_is_not_used(site: Path, tmp_path: Path) -> None:
    cache = with_a_spare(site, tmp_path)
    for trees in site_cache_folder(cache, site).glob("trees-*.cache"):
        trees.write_bytes(b"garbage")
    edit(site, 2)
    builder = Builder(site, site / "public", cache_dir=cache, search_index=False)
    result = builder.build()
    assert result.ok and any("build cache discarded" in notice for notice in result.notices)
    assert folder_digest(site / "public") == fresh(site, tmp_path)
    edit(site, 3)
    build(site, cache)
    edit(site, 4)
    build(site, cache)
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_a_spare_that_is_not_the_tree_its_record_names_is_checked_file_by_file(
    site: Path, tmp_path: Path,
) -> None:
    """A build stopped between keeping the old output and saving its record leaves a spare
    that is another tree than the record says: only what is as recorded is kept."""
    cache = with_a_spare(site, tmp_path)
    (spare,) = spares(cache, site)
    stranger = tmp_path / "stranger"
    assert Builder(site, stranger, search_index=False).build().ok  # another tree of the same site
    (stranger / "beta/b1/index.html").write_text("not this build's page")
    os.rename(spare, tmp_path / "set-aside")
    os.rename(stranger, spare)
    edit(site, 2)
    build(site, cache)
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_a_failed_build_leaves_the_output_and_the_next_build_is_whole(site: Path, tmp_path: Path) -> None:
    cache = with_a_spare(site, tmp_path)
    before = folder_digest(site / "public")
    layouts = site / "layouts"
    layouts.mkdir()
    (layouts / "entry.html").write_text("{% extends 'theme/entry.html' %}{% block main %}{{ nope() }}"
                                        "{% endblock %}")
    edit(site, 2)
    result = Builder(site, site / "public", cache_dir=cache, search_index=False).build()
    assert not result.ok
    assert folder_digest(site / "public") == before
    (layouts / "entry.html").unlink()
    build(site, cache)
    edit(site, 3)
    build(site, cache)
    assert folder_digest(site / "public") == fresh(site, tmp_path)


def test_each_output_has_its_own_spare(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    one, two = tmp_path / "one", tmp_path / "two"
    for output in (one, two, one, two):
        edit(site, len(os.listdir(tmp_path)))
        build(site, cache, output)
    assert len(spares(cache, site)) == 2
    edit(site, 99)
    build(site, cache, one)
    build(site, cache, two)
    assert folder_digest(one) == folder_digest(two) == fresh(site, tmp_path)


def test_the_search_index_is_made_whole_in_an_updated_spare(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for number in range(3):
        edit(site, number)
        result = Builder(site, site / "public", cache_dir=cache).build()
        assert result.ok, [d.format() for d in result.diagnostics]
    bundle = site / "public/pagefind"
    assert (bundle / "pagefind.js").is_file()
    # The spare's own index, two builds old, was set aside, not mixed into this one.
    fresh_output = tmp_path / "fresh-with-search"
    assert Builder(site, fresh_output).build().ok
    assert names(bundle) == names(fresh_output / "pagefind")


def names(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def test_what_a_build_records_of_its_output_is_how_the_output_is_on_disk(
    site: Path, tmp_path: Path,
) -> None:
    """The record of an updated spare takes the stat of what was kept or linked from what the
    build saw, not from a second look at every file; it must still be what a look finds, or
    the next build would distrust (and rewrite) files for nothing, or trust a changed one."""
    from sitegen.cache.record import written_signatures
    from sitegen.cache.site import SiteCache
    from sitegen.writing.spare import folder_stats, output_folders

    cache, public = tmp_path / "cache", site / "public"

    def recorded_as_on_disk() -> None:
        kept = SiteCache(cache, site)
        record, trees = kept.load_record(public), kept.load_trees(public)
        assert record is not None and trees is not None
        assert record.written == written_signatures(public, record.fingerprints)
        files = [path for path in record.fingerprints if not path.endswith("/")]
        assert trees.folders == folder_stats(public, output_folders(files))

    build(site, cache)
    (site / "content/gamma").mkdir()
    (site / "content/gamma/_index.md").write_text(story("Gamma story"))
    (site / "content/gamma/g1.md").write_text(event("2024-05-05", "Gamma event"))
    build(site, cache)
    recorded_as_on_disk()
    (site / "content/alpha/a2.md").unlink()
    build(site, cache)  # the spare updated: a page gone from alpha, gamma's added
    recorded_as_on_disk()
    for number in (1, 2):
        edit(site, number)
        build(site, cache)
        recorded_as_on_disk()
    assert folder_digest(public) == fresh(site, tmp_path)
