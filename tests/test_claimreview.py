"""ClaimReview JSON-LD: one per rated entry page, read back with a real extractor."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import extruct
import lxml.html
import pytest

from sitegen.outputs.claimreview import claim_reviewed, rating_words
from sitegen.reading.config import load_config
from sitegen.structure.diagnostics import Diagnostics
from tests.support.publishing import FULL_SITE
from tests.support.sites import build_site, statement, story

CHECKS = "https://example.org/checks/"


def claim_reviews(page: Path, url: str) -> list[dict[str, Any]]:
    """Every ClaimReview a structured-data extractor finds on a page."""
    data = extruct.extract(page.read_text("utf-8"), base_url=url, syntaxes=["json-ld", "microdata", "rdfa"])
    found = [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]
    found += [item for item in data["microdata"] if "ClaimReview" in str(item.get("type"))]
    return found


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.sites import write_files

    root = write_files(tmp_path_factory.mktemp("claimreview") / "site", FULL_SITE)
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_rated_statement_carries_every_property(full_site: Path) -> None:
    url = CHECKS + "bridge-dispute/minister-claim/"
    [review] = claim_reviews(full_site / "bridge-dispute/minister-claim/index.html", url)
    assert review["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
    assert review["url"] == url
    assert review["claimReviewed"] == "Minister says the bridge was finished on time"
    assert len(review["claimReviewed"]) < 75
    assert review["datePublished"] == "2024-02-10"
    assert review["dateModified"] == "2024-03-01"
    assert review["author"] == {"@type": "Organization", "name": "Test Fact Desk", "url": "https://example.org/"}
    assert review["reviewRating"] == {
        "@type": "Rating", "ratingValue": 1, "worstRating": 1, "bestRating": 5, "alternateName": "False",
    }
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"] == {
        "@type": "Person", "name": "Jane Roe", "jobTitle": "Minister of Examples",
        "sameAs": "https://example.com/jane-roe",
    }
    assert claim["datePublished"] == "2024-02-05T10:30:00+02:00"
    assert claim["firstAppearance"]["url"] == "https://news.example.com/minister-interview"
    assert claim["firstAppearance"]["@type"] == "CreativeWork"
    assert [a["url"] for a in claim["appearance"]] == ["https://example.gov/transcript"]


def test_organization_speaker_and_rated_event(full_site: Path) -> None:
    [review] = claim_reviews(full_site / "bridge-dispute/newspaper-claim/index.html",
                             CHECKS + "bridge-dispute/newspaper-claim/")
    assert review["itemReviewed"]["author"]["@type"] == "Organization"
    assert review["itemReviewed"]["author"]["name"] == "Acme News"
    assert review["itemReviewed"]["datePublished"] == "2024-02"
    assert review["reviewRating"]["alternateName"] == "Unproven"
    assert review["reviewRating"]["ratingValue"] == 3
    assert "dateModified" not in review

    # An event has no speaker: the claim is the first source's publisher's.
    [review] = claim_reviews(full_site / "bridge-dispute/rated-event/index.html",
                             CHECKS + "bridge-dispute/rated-event/")
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Example Social"}
    assert review["claimReviewed"] == "A viral photo shows cracks in the bridge"


def test_no_claimreview_on_timeline_unrated_entries_or_other_pages(full_site: Path) -> None:
    for page in ("bridge-dispute/index.html", "bridge-dispute/opening/index.html",
                 "port-plan/mayor-promise/index.html", "index.html", "speakers/jane-roe/index.html",
                 "tags/infrastructure/index.html", "corrections/index.html"):
        assert claim_reviews(full_site / page, CHECKS + page) == [], page


def test_exactly_one_script_and_nothing_breaks_out(write_site: Callable[..., Path]) -> None:
    hostile = 'Bridge "done" </script><script>alert(1)</script>'
    root = write_site({
        "content/s/_index.md": story(),
        "content/s/claim.md": statement(
            "2024-02-05", "Jane Roe", title="Jane Roe on the bridge",
            extra=f"quote: '{hostile}'\nrating: unproven\nverdict: 'No <b>evidence</b> & no records.'\n"
                  "reviewed: 2024-02-06\n",
        ),
    })
    assert build_site(root).ok
    page = root / "public/s/claim/index.html"
    document = lxml.html.fromstring(page.read_bytes())
    scripts = document.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    assert not document.xpath("//script[not(@type) or @type!='application/ld+json'][contains(., 'alert')]")
    data = json.loads(scripts[0].text)
    assert data["claimReviewed"] == hostile
    assert data["reviewBody"] == "No <b>evidence</b> & no records."
    assert "</script>" not in scripts[0].text and "<" not in scripts[0].text


def test_a_correction_made_before_the_review_does_not_modify_it(write_site: Callable[..., Path]) -> None:
    # dateModified before datePublished says the review changed before it was published.
    def site(correction: str) -> dict[str, Any]:
        return claim_reviews(root(correction) / "public/s/claim/index.html", "https://example.org/s/claim/")[0]

    def root(correction: str) -> Path:
        made = write_site({
            "content/s/_index.md": story(),
            "content/s/claim.md": statement(
                "2024-02-05", "Jane Roe", title="Jane Roe on taxes",
                extra=f"rating: false\nverdict: V.\nreviewed: 2024-02-10\ncorrections:\n"
                      f"  - date: {correction}\n    note: Fixed the date.\n"),
        }, folder=correction)
        assert build_site(made).ok
        return made

    before = site("2024-02-07")
    assert before["datePublished"] == "2024-02-10" and "dateModified" not in before
    after = site("2024-02-12")
    assert (after["datePublished"], after["dateModified"]) == ("2024-02-10", "2024-02-12")


def test_numeric_scale_from_config_values(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": (
            'title = "T"\nbase_url = "https://example.org/"\n'
            '[[ratings]]\nkey = "pants-on-fire"\nlabel = "Pants on fire"\nvalue = 0\n'
            '[[ratings]]\nkey = "half"\nlabel = "Half true"\nvalue = 5\n'
            '[[ratings]]\nkey = "right"\nlabel = "Right"\nvalue = 10\n'
        ),
        "content/s/_index.md": story(),
        "content/s/claim.md": statement("2024-02-05", "Jane Roe", title="Jane Roe on taxes",
                                        extra="rating: half\nverdict: V.\nreviewed: 2024-02-06\n"),
    })
    assert build_site(root).ok
    [review] = claim_reviews(root / "public/s/claim/index.html", "https://example.org/s/claim/")
    assert review["reviewRating"] == {
        "@type": "Rating", "ratingValue": 5, "worstRating": 0, "bestRating": 10, "alternateName": "Half true",
    }
    assert review["url"] == "https://example.org/s/claim/"


WORDS = rating_words(load_config(Path("/nonexistent"), Diagnostics()))


@pytest.mark.parametrize(("quote", "title", "expected"), [
    ("We will double the port by 2030.", "Mayor on the port", "We will double the port by 2030."),
    ("This absolutely does not correspond to reality. This is pure fiction. This information is "
     "simply false.", "Kremlin says the reported call did not happen",
     "Kremlin says the reported call did not happen"),
    ("", "Minister says the report is false", "Minister says the report is"),
    ("It is true that taxes fell.", "Minister says taxes fell by half in one year", "Minister says taxes "
     "fell by half in one year"),
    ("Taxes fell by half in one year and wages doubled while prices stayed flat for everyone in town.",
     "Minister's misleading claim about taxes and wages and prices in town this year",
     "Taxes fell by half in one year and wages doubled while prices stayed flat…"),
])
def test_claim_reviewed_is_short_and_never_rates(quote: str, title: str, expected: str) -> None:
    text = claim_reviewed(quote, title, WORDS)
    assert text == expected
    assert len(text) < 75
