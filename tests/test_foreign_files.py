"""Files someone else put in the output are never deleted: each new output keeps them.

A build swaps in a new output folder whole. A `CNAME` written there by hand, the `.git` of a
`gh-pages` worktree or a host's verification file is not sitegen's to delete (Hugo leaves
such files alone too), so every build carries them into the new folder; what sitegen wrote
and no longer writes (the page of a deleted entry) still goes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import event, run_cli, story


@pytest.fixture
def site(write_site: Callable[..., Path]) -> Path:
    return write_site({
        "content/s/_index.md": story("A story"),
        "content/s/a.md": event("2024-11-10", "The call is reported"),
        "content/s/b.md": event("2024-11-11", "The call is denied"),
    })


def sitegen_build(site: Path, cache: Path, *flags: str) -> None:
    result = run_cli("build", "--source", str(site), "--cache-dir", str(cache), *flags)
    assert result.returncode == 0, result.stderr


def edit(site: Path, number: int) -> None:
    (site / "content/s/a.md").write_text(event("2024-11-10", f"The call is reported, edit {number}"))


def put_by_hand(public: Path) -> dict[str, str]:
    made = {"CNAME": "checks.news.test\n", ".git/HEAD": "ref: refs/heads/gh-pages\n",
            ".git/objects/ab/cdef": "blob", "s/a/notes.txt": "the desk's notes",
            "google1234.html": "google-site-verification: google1234.html"}
    for path, text in made.items():
        (public / path).parent.mkdir(parents=True, exist_ok=True)
        (public / path).write_text(text)
    return made


def test_files_put_in_the_output_by_hand_outlive_every_build(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sitegen_build(site, cache)
    made = put_by_hand(site / "public")
    for number in range(4):  # enough builds for the output before last to be updated into one
        edit(site, number)
        sitegen_build(site, cache)
        for path, text in made.items():
            assert (site / "public" / path).read_text() == text, (number, path)
    assert "edit 3" in (site / "public/s/a/index.html").read_text()
    sitegen_build(site, cache, "--no-cache")
    sitegen_build(site, tmp_path / "other-cache")
    assert {path: (site / "public" / path).read_text() for path in made} == made


def test_a_deleted_entrys_page_goes_and_what_was_put_beside_it_stays(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sitegen_build(site, cache)
    (site / "public/s/a/notes.txt").write_text("the desk's notes")
    (site / "content/s/a.md").unlink()
    sitegen_build(site, cache)
    assert not (site / "public/s/a/index.html").exists()
    assert (site / "public/s/a/notes.txt").read_text() == "the desk's notes"
    assert (site / "public/s/b/index.html").is_file()


def test_a_file_sitegen_writes_too_is_sitegens(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sitegen_build(site, cache)
    (site / "public/s/a/index.html").unlink()
    (site / "public/s/a/index.html").write_text("a page edited by hand")
    edit(site, 1)
    sitegen_build(site, cache)
    assert "edit 1" in (site / "public/s/a/index.html").read_text()


def test_a_folder_replaced_with_force_keeps_nothing_of_what_it_held(tmp_path: Path, site: Path) -> None:
    # `--force` says: this folder is not sitegen's, replace it. Its files go, as asked.
    output = tmp_path / "elsewhere"
    output.mkdir()
    (output / "old.txt").write_text("replace me")
    sitegen_build(site, tmp_path / "cache", "--output", str(output), "--force")
    assert not (output / "old.txt").exists() and (output / "index.html").is_file()


def test_a_folder_put_by_hand_where_a_new_page_now_goes_keeps_its_files(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sitegen_build(site, cache)
    (site / "public/s/c").mkdir()
    (site / "public/s/c/notes.txt").write_text("the desk's notes on c")
    (site / "content/s/c.md").write_text(event("2024-11-12", "A third entry, named like the folder"))
    for _ in range(3):
        sitegen_build(site, cache)
        assert (site / "public/s/c/notes.txt").read_text() == "the desk's notes on c"
        assert "A third entry" in (site / "public/s/c/index.html").read_text()


def test_a_file_put_by_hand_where_a_new_page_needs_a_folder_stops_the_build(
    site: Path, tmp_path: Path,
) -> None:
    # The page s/c/ is a folder where the file is: one of the two must go, and it is not
    # sitegen's to delete the one it did not write.
    cache = tmp_path / "cache"
    sitegen_build(site, cache)
    (site / "public/s/c").write_text("a file of mine")
    (site / "content/s/c.md").write_text(event("2024-11-12", "A third entry"))
    result = run_cli("build", "--source", str(site), "--cache-dir", str(cache))
    assert result.returncode == 1
    assert ("public/s/c was not written by sitegen, and the new build writes its own file there; "
            "move them out of the output folder") in result.stderr
    assert (site / "public/s/c").read_text() == "a file of mine"
    assert (site / "public/s/b/index.html").is_file()  # the last output, as it was
    (site / "public/s/c").rename(tmp_path / "c-of-mine")
    sitegen_build(site, cache)
    assert "A third entry" in (site / "public/s/c/index.html").read_text()
