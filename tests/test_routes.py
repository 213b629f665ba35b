"""Every URL the site uses is defined once; no story or page can take a folder the site itself needs."""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.structure.urls import RESERVED_SLUGS, _relpath, relative
from tests.support.sites import REPO_ROOT, build_site, event, story


def test_every_folder_the_site_writes_at_its_root_is_reserved(example_site_build: Path) -> None:
    content = REPO_ROOT / "content"
    authored = {p.name for p in content.iterdir() if p.is_dir() and not p.name.startswith("_")}
    authored |= {p.stem for p in (content / "_pages").glob("*.md")}
    config = tomllib.loads((REPO_ROOT / "sitegen.toml").read_text("utf-8"))
    languages = set(config["languages"][1:])  # each language but the first has its own folder
    own = {p.name for p in example_site_build.iterdir() if p.is_dir()} - authored - languages
    assert own, "the example site should write folders of its own (assets, speakers, tags…)"
    assert own <= RESERVED_SLUGS, own - RESERVED_SLUGS


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_a_story_cannot_take_a_folder_the_site_uses(write_site: Callable[..., Path], slug: str) -> None:
    site = write_site({f"content/{slug}/_index.md": story(), f"content/{slug}/a.md": event("2024-05-01")})
    result = build_site(site)
    assert not result.ok
    assert any(d.path == f"content/{slug}" and "reserved" in d.message for d in result.diagnostics), [
        d.format() for d in result.diagnostics]


@pytest.mark.parametrize(("page", "target", "link"), [
    ("", "", "./"),                                    # the home page to itself
    ("", "story/", "story/"),
    ("story/entry/", "story/", "../"),
    ("story/entry/", "tags/fact-check/", "../../tags/fact-check/"),
    ("story/entry/", "story/entry/#sources", "#sources"),
    ("story/index.json", "story/", "./"),              # a file's links start from its folder
    ("uk/story/", "assets/site.css", "../../assets/site.css"),
    ("a b/", "a b/c d/", "c%20d/"),                    # quoted, once
])
def test_pages_link_to_each_other_by_the_shortest_relative_url(page: str, target: str, link: str) -> None:
    """Relative links keep a site working under any sub-path and straight from the disk."""
    assert relative(page, target) == link


@given(st.lists(st.sampled_from(["a", "b", "c.html", "", ".", ".."]), max_size=5),
       st.lists(st.sampled_from(["a", "b", "c.html", "", ".", ".."]), max_size=5))
def test_a_relative_url_is_the_one_the_path_rules_give(target: list[str], start: list[str]) -> None:
    """The fast path of `relative` agrees with `posixpath.relpath` for any two paths."""
    target_path, start_path = "/".join(target), "/".join(start)
    assert _relpath(target_path, start_path) == posixpath.relpath("/" + target_path, "/" + start_path)
