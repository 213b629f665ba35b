"""Deployment: the built site served by a real nginx, under a sub-path and at a domain root.

Each test builds a site, serves its public/ folder with Debian's nginx on a
free loopback port and follows every internal link, stylesheet, script,
image and feed from the home page (and the URLs inside feeds and the
sitemap): nothing may be broken, no anchor missing, no page unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from sitegen.build import Builder
from sitegen.outputs.search import find_pagefind
from tests.support.publishing import FULL_SITE, CrawlResult, crawl, fetch, html_files, html_links
from tests.support.sites import REPO_ROOT, build_site, write_files
from tests.support.tools import require_tool

CHECKS = "https://example.org/checks/"


def check(result: CrawlResult, public: Path, served_at: str) -> None:
    """Nothing broken, every anchor there, and every page of the output reached."""
    assert not result.broken, "broken links:\n" + "\n".join(result.broken)
    assert not result.missing_anchors, "missing anchors:\n" + "\n".join(result.missing_anchors)
    reached = {url.removeprefix(served_at) for url in result.visited}
    pages = {
        quote(p.relative_to(public).as_posix().removesuffix("index.html")) for p in html_files(public)
    }
    # Embed pages are reached from other sites' iframes (the snippet on the story page).
    pages = {p for p in pages if not p.endswith("/embed/")}
    assert pages - reached == set(), "pages no link leads to"
    assert {"feed.xml", "sitemap.xml", "assets/style.css", "assets/favicon.svg"} <= reached
    assert any(url.endswith("/feed.xml") and url != "feed.xml" for url in reached)


def crawl_site(public: Path, base_url: str, served_at: str) -> CrawlResult:
    extra = [served_at + name for name in ("sitemap.xml", "robots.txt", "404.html", "corrections/feed.xml")]
    return crawl(served_at, base_url, served_at, extra)


def check_not_found(served_at: str, base_path: str) -> None:
    """A missing page at any depth gets the site's 404 page, whose links all work."""
    missing = served_at + "no/such/page/"
    status, body, _ = fetch(missing)
    assert status == 404
    assert b"Page not found" in body
    links = [
        link for link in html_links(body, missing)
        if link.startswith(served_at) and link.partition("#")[0] != missing
    ]
    assert served_at + "search/" in links
    assert links and all(
        link.startswith(served_at.removesuffix(base_path) + base_path) for link in links
    )
    broken = [link for link in links if fetch(link.partition("#")[0])[0] != 200]
    assert not broken


@pytest.fixture
def example_build(tmp_path: Path) -> Path:
    output = tmp_path / "public"
    result = Builder(REPO_ROOT, output, base_url=CHECKS).build()
    assert result.ok, [d.format() for d in result.diagnostics]
    assert not result.diagnostics, [d.format() for d in result.diagnostics]
    return output


def test_example_site_under_a_sub_path(example_build: Path, nginx_server: Callable[..., str]) -> None:
    served_at = nginx_server(example_build, "/checks/")
    result = crawl_site(example_build, CHECKS, served_at)
    check(result, example_build, served_at)
    assert "xml" in result.kinds[served_at + "feed.xml"]
    check_not_found(served_at, "/checks/")


def test_every_feature_under_a_sub_path(tmp_path: Path, nginx_server: Callable[..., str]) -> None:
    root = write_files(tmp_path / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]
    public = root / "public"
    served_at = nginx_server(public, "/checks/")
    crawled = crawl_site(public, CHECKS, served_at)
    check(crawled, public, served_at)
    assert served_at + "images/chart.svg" in crawled.visited  # an image in a page's body
    assert served_at + "bridge-dispute/timeline.json" in crawled.visited
    check_not_found(served_at, "/checks/")


def test_the_same_site_at_a_domain_root(tmp_path: Path, nginx_server: Callable[..., str]) -> None:
    root = write_files(tmp_path / "site", FULL_SITE)
    result = build_site(root, base_url="https://checks.example.net/")
    assert result.ok, [d.format() for d in result.diagnostics]
    public = root / "public"
    served_at = nginx_server(public, "/")
    crawled = crawl_site(public, "https://checks.example.net/", served_at)
    check(crawled, public, served_at)
    check_not_found(served_at, "/")
    page = lxml.html.fromstring((public / "404.html").read_bytes())
    assert page.xpath('//link[@rel="stylesheet"]/@href') == ["/assets/style.css"]


def test_each_language_gets_its_own_404_page_with_the_documented_config(
    example_build: Path, nginx_server: Callable[..., str]
) -> None:
    # The location block docs/deploy.md gives for a language's folder, as written there.
    documented = (REPO_ROOT / "docs" / "deploy.md").read_text("utf-8")
    block = documented.split("location /checks/uk/ {", 1)[1].split("}", 1)[0]
    block = block.replace("/srv/checks/", f"{example_build.resolve()}/")
    served_at = nginx_server(example_build, "/checks/", extra=f"location /checks/uk/ {{{block}}}")
    status, body, _ = fetch(served_at + "uk/no/such/page/")
    page = lxml.html.fromstring(body)
    assert status == 404 and page.get("lang") == "uk"
    assert fetch(served_at + "uk/")[0] == 200
    status, body, _ = fetch(served_at + "no/such/page/")
    assert status == 404 and lxml.html.fromstring(body).get("lang") == "en"


def test_the_sub_path_without_its_slash_reaches_the_site_with_the_documented_config(
    example_build: Path, nginx_server: Callable[..., str]
) -> None:
    documented = (REPO_ROOT / "docs" / "deploy.md").read_text("utf-8")
    block = documented.split("location = /checks {", 1)[1].split("}", 1)[0]
    bare = nginx_server(example_build, "/checks/")
    assert fetch(bare.rstrip("/"))[0] in (403, 404)  # nginx's own page, without the block
    served_at = nginx_server(example_build, "/checks/", extra=f"location = /checks {{{block}}}")
    status, body, _ = fetch(served_at.rstrip("/"))  # followed to /checks/
    assert status == 200 and b"<h1" in body
    assert lxml.html.fromstring(body).get("lang") == "en"


def test_search_assets_are_served_under_the_sub_path(
    example_build: Path, nginx_server: Callable[..., str]
) -> None:
    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin")
    served_at = nginx_server(example_build, "/checks/")
    for name in ("pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css", "pagefind/pagefind.js",
                 "pagefind/pagefind-entry.json"):
        assert fetch(served_at + name)[0] == 200, name



def test_two_builds_are_byte_identical_search_index_included(tmp_path: Path) -> None:
    from sitegen.outputs.pagefind_bundle import read_data

    require_tool("pagefind", find_pagefind() is not None, "pip install pagefind-bin")
    root = write_files(tmp_path / "site", FULL_SITE)
    outputs = [tmp_path / "first", tmp_path / "second"]
    for output in outputs:
        result = build_site(root, output=output)
        assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]

    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
        }

    first, second = (files(o) for o in outputs)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    # Pagefind 1.5 writes filter values in hash-map order; sitegen sorts them.
    filters = sorted((outputs[0] / "pagefind" / "filter").glob("*.pf_filter"))
    assert {read_data(f)[0] for f in filters} == {"story", "speaker", "kind", "rating"}
    for path in filters:
        values = [value for value, _pages in read_data(path)[1]]
        assert values == sorted(values, key=lambda v: v.encode()), path.name


def test_relative_links_in_entry_bodies_work_on_every_page(
    write_site: Callable[..., Path], nginx_server: Callable[..., str]
) -> None:
    from tests.support.sites import event, story

    root = write_site({
        "content/s/_index.md": story(),
        "content/s/first.md": event("2024-01-01", "First"),
        "content/s/second.md": event("2024-01-02", "Second", body="Follows [the first](../first/)."),
    })
    assert build_site(root).ok
    served_at = nginx_server(root / "public", "/checks/")
    result = crawl_site(root / "public", CHECKS, served_at)
    assert not result.broken, result.broken


def test_init_writes_a_ready_github_pages_workflow(tmp_path: Path) -> None:
    import yaml

    from tests.support.sites import run_cli

    assert run_cli("init", str(tmp_path / "new")).returncode == 0
    workflow = tmp_path / "new" / ".github" / "workflows" / "deploy.yml"
    assert workflow.read_text() == (REPO_ROOT / "docs" / "github-pages-workflow.yml").read_text()
    data = yaml.safe_load(workflow.read_text())
    steps = data["jobs"]["build"]["steps"]
    assert any("sitegen build" in step.get("run", "") and "--base-url" in step["run"] for step in steps)
    assert any(step.get("with", {}).get("path") == "public" for step in steps)
    # The build cache (SPEC.md: ~/.cache/sitegen) is restored before the check and build that use it.
    names = [step.get("uses", "") + step.get("run", "") for step in steps]
    cached = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache@"))
    assert steps[cached]["with"]["path"] == "~/.cache/sitegen"
    assert cached < next(i for i, name in enumerate(names) if "sitegen check" in name)
    assert data["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    built = run_cli("build", "--source", str(tmp_path / "new"))
    # The scaffold's placeholder content builds, with warnings, so the workflow's --strict stops it.
    assert built.returncode == 0 and "placeholder text" in built.stderr, built.stderr
    assert (tmp_path / "new" / "public" / ".nojekyll").is_file()
