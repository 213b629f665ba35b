"""sitemap.xml, robots.txt and the meta every page carries for hosts and crawlers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import lxml.etree
import lxml.html
import pytest

from tests.support.publishing import FULL_SITE, SITEMAP_NS, html_files
from tests.support.sites import build_site, event, run_cli, story, write_files

XSD = Path(__file__).parent / "data" / "sitemap.xsd"
CHECKS = "https://example.org/checks/"


@pytest.fixture(scope="module")
def schema() -> lxml.etree.XMLSchema:
    return lxml.etree.XMLSchema(lxml.etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("sitemap") / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def sitemap(public: Path, schema: lxml.etree.XMLSchema) -> dict[str, str | None]:
    """Validate sitemap.xml against the sitemaps.org XSD; return {loc: lastmod}."""
    document = lxml.etree.parse(str(public / "sitemap.xml"))
    assert schema.validate(document), schema.error_log
    return {
        url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod")
        for url in document.getroot().iter(f"{SITEMAP_NS}url")
    }


def test_example_sitemap_is_valid_and_complete(
    example_site_build: Path, schema: lxml.etree.XMLSchema
) -> None:
    urls = sitemap(example_site_build, schema)
    # The Ukrainian site has its own sitemap, listed in robots.txt beside the default one.
    ukrainian = sitemap(example_site_build / "uk", schema)
    pages = {
        CHECKS + p.relative_to(example_site_build).as_posix().removesuffix("index.html")
        for p in html_files(example_site_build)
    }
    embeds = {p for p in pages if p.endswith("/embed/")}
    assert embeds == {CHECKS + "trump-putin-call/embed/", CHECKS + "uk/trump-putin-call/embed/"}
    assert set(urls) | set(ukrainian) == pages - embeds - {
        CHECKS + p for p in ("404.html", "search/", "uk/404.html", "uk/search/")}
    assert all(u.startswith(CHECKS + "uk/") for u in ukrainian) and not set(urls) & set(ukrainian)
    assert all(u.startswith(CHECKS) for u in urls)
    assert urls[CHECKS + "trump-putin-call/"] == "2024-11-11"
    assert urls[CHECKS + "trump-putin-call/russia-full-scale-invasion/"] == "2022-02-24"


def test_lastmod_follows_the_content(full_site: Path, schema: lxml.etree.XMLSchema) -> None:
    urls = sitemap(full_site, schema)
    assert urls[CHECKS + "bridge-dispute/minister-claim/"] == "2024-03-01"  # newest correction
    assert urls[CHECKS + "bridge-dispute/newspaper-claim/"] == "2024-02-20"  # reviewed
    assert urls[CHECKS + "bridge-dispute/opening/"] == "2024-02-01"
    assert urls[CHECKS + "bridge-dispute/"] == "2024-03-02"  # the story's own correction
    assert urls[CHECKS] == "2024-03-02"
    assert urls[CHECKS + "speakers/jane-roe/"] == "2024-03-01"
    assert urls[CHECKS + "corrections/"] == "2024-03-02"
    assert urls[CHECKS + "about/"] is None
    assert CHECKS + "tags/%D0%BA%D0%B8%D1%97%D0%B2/" in urls  # Cyrillic tags are percent-encoded


def test_robots_nojekyll_and_404(full_site: Path) -> None:
    assert (full_site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/checks/sitemap.xml\n"
    )
    assert (full_site / ".nojekyll").read_bytes() == b""
    page = lxml.html.fromstring((full_site / "404.html").read_bytes())
    # Hosts serve 404.html at any depth: its links start at the site's path.
    hrefs = {a.get("href") for a in page.iter("a")}
    assert {"/checks/", "/checks/search/", "/checks/about/", "/checks/corrections/"} <= hrefs
    assert page.xpath('//form[@action="/checks/search/"]//input[@name="q"]')
    assert page.xpath('//meta[@name="robots"][@content="noindex"]')
    assert not page.xpath('//link[@rel="canonical"]')


def test_every_page_has_canonical_description_social_meta_and_favicon(full_site: Path) -> None:
    for path in html_files(full_site):
        relative = path.relative_to(full_site).as_posix()
        page = lxml.html.fromstring(path.read_bytes())

        def meta(attribute: str, name: str, page: lxml.html.HtmlElement = page, where: str = relative) -> str:
            values = page.xpath(f'//meta[@{attribute}="{name}"]/@content')
            assert len(values) == 1, (where, name)
            return str(values[0])

        assert meta("name", "description").strip(), relative
        assert meta("property", "og:title") and meta("property", "og:description")
        assert meta("name", "twitter:card") == "summary"
        assert page.xpath('//link[@rel="icon"][@type="image/svg+xml"]'), relative
        if relative != "404.html":
            [canonical] = page.xpath('//link[@rel="canonical"]/@href')
            # An embed's canonical page is the story it frames.
            url_path = relative.removesuffix("index.html").removesuffix("embed/")
            assert canonical == CHECKS + quote(url_path), relative
            assert meta("property", "og:url") == canonical
    entry = lxml.html.fromstring((full_site / "bridge-dispute/minister-claim/index.html").read_bytes())
    assert entry.xpath('//meta[@property="og:type"]/@content') == ["article"]
    assert entry.xpath('//meta[@name="description"]/@content') == [
        "Contract records show the bridge was finished eight months late."
    ]


def test_a_base_url_in_another_script_is_escaped_in_every_address(
    write_site: Callable[..., Path], schema: lxml.etree.XMLSchema,
) -> None:
    # sitemaps.org wants escaped URLs; the tag part was escaped, the base_url's path was not.
    root = write_site({"content/s/_index.md": story(),
                       "content/s/e.md": event("2024-01-01", extra="tags: [café]\n")})
    run = run_cli("build", "--source", str(root), "--base-url", "https://example.org/перевірки/")
    assert run.returncode == 0, run.stderr
    base = "https://example.org/" + quote("перевірки") + "/"
    sitemap = (root / "public/sitemap.xml").read_text("utf-8")
    assert f"<loc>{base}tags/caf%C3%A9/</loc>" in sitemap and "перевірки" not in sitemap
    schema.assertValid(lxml.etree.parse(str(root / "public/sitemap.xml")))
    assert f'<link rel="canonical" href="{base}s/e/">' in (root / "public/s/e/index.html").read_text("utf-8")
    assert f"Sitemap: {base}sitemap.xml" in (root / "public/robots.txt").read_text("utf-8")


def test_the_search_page_is_not_indexed(full_site: Path) -> None:
    # It is not in the sitemap either: a tool, not a page of content.
    assert '<meta name="robots" content="noindex">' in (full_site / "search/index.html").read_text("utf-8")
    assert "/search/" not in (full_site / "sitemap.xml").read_text("utf-8")


def test_base_url_flag_overrides_the_config_for_one_build(write_site: Callable[..., Path]) -> None:
    root = write_site({"content/s/_index.md": story(), "content/s/e.md": event("2024-01-01")})
    run = run_cli("build", "--source", str(root), "--base-url", "https://checks.example.net/")
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr
    text = (root / "public/sitemap.xml").read_text()
    assert "<loc>https://checks.example.net/s/e/</loc>" in text
    assert "example.org" not in text
    assert "Sitemap: https://checks.example.net/sitemap.xml" in (root / "public/robots.txt").read_text()
    page = (root / "public/s/e/index.html").read_text()
    assert '<link rel="canonical" href="https://checks.example.net/s/e/">' in page
    assert 'href="../../assets/style.css"' in page
    not_found = (root / "public/404.html").read_text()
    assert 'href="/assets/style.css"' in not_found

    assert build_site(root).ok  # without the flag, the config's base_url again
    assert "<loc>https://example.org/checks/s/e/</loc>" in (root / "public/sitemap.xml").read_text()
