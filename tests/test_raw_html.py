"""Raw HTML under `unsafe_html = true`: what a story needs shows, what could run a script does not.

A fact-check shows what was said where it was said: the clip of the speech with its
captions, the radio interview, the post as its platform's player frames it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import lxml.html

from tests.support.sites import BASIC_CONFIG, build_site, event, story
from tests.support.tools import format_vnu

BODY = """The minister spoke at 10:02.[^1]

<video controls width="1280" height="720" poster="../../clips/speech.jpg" src="../../clips/speech.mp4">
<track kind="captions" src="../../clips/speech.vtt" srclang="en" label="English" default>
</video>

<audio controls src="../../clips/the interview.mp3"></audio>

<picture><source srcset="../../clips/speech.jpg 2x, ../../clips/speech.jpg 1x" type="image/jpeg">
<img src="../../clips/speech.jpg" alt="The minister at the lectern"></picture>

<iframe src="https://player.example/embed/123" width="560" height="315" title="The speech, on its player"
 allowfullscreen></iframe>

<p id="main" class="more">An id or class of the author's own would clash with the page's.</p>

[^1]: The broadcaster's recording.
"""


def media_site(write_site: Callable[..., Path]) -> Path:
    root = write_site({
        "sitegen.toml": BASIC_CONFIG + "unsafe_html = true\n",
        "static/clips/speech.mp4": "not really a video\n",
        "static/clips/speech.vtt": "WEBVTT\n",
        "static/clips/speech.jpg": "not really a picture\n",
        "static/clips/the interview.mp3": "not really audio\n",
        "content/s/_index.md": story(),
        "content/s/speech.md": event("2024-05-01", "The minister's speech", body=BODY),
    })
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_a_clip_its_captions_audio_and_a_framed_player_are_kept(write_site: Callable[..., Path]) -> None:
    public = media_site(write_site)
    for page in ("s/speech/index.html", "s/index.html", "s/embed/index.html"):
        tree = lxml.html.fromstring((public / page).read_bytes())
        [body] = tree.xpath('//*[contains(@class, "entry-body")]')
        [video] = body.xpath(".//video")
        assert video.get("controls") is not None
        # Every address leads to the file, from wherever the body is shown.
        for element, name in ((video, "src"), (video, "poster"), (body.xpath(".//track")[0], "src"),
                              (body.xpath(".//audio")[0], "src")):
            address = unquote(element.get(name))  # `the%20interview.mp3`: no raw space is valid
            assert ((public / page).parent / address).resolve().is_file(), (page, address)
        [source] = body.xpath(".//picture/source")
        for candidate in source.get("srcset").split(","):
            address = candidate.split()[0]
            assert ((public / page).parent / address).resolve().is_file(), (page, address)
        [frame] = body.xpath(".//iframe")
        assert frame.get("src") == "https://player.example/embed/123"
        # The footnote still links both ways; the author's own id and class are gone.
        [reference] = body.xpath('.//a[contains(@class, "footnote-ref")]')
        target = reference.get("href").lstrip("#")
        assert tree.xpath(f'//*[@id="{target}"]'), (page, target)
        assert len(tree.xpath('//*[@id="main"]')) == 1 and not body.xpath('.//*[@class="more"]')


def test_a_feed_reader_that_drops_the_frame_still_links_to_the_player(
    write_site: Callable[..., Path],
) -> None:
    public = media_site(write_site)
    for feed in ("feed.xml", "s/feed.xml"):
        # feedparser cleans content as most readers do: frames and scripts go.
        [item] = feedparser.parse((public / feed).read_bytes()).entries
        content = lxml.html.fromstring(item.content[0].value)
        assert not content.xpath("//iframe")
        links = {a.get("href"): a.text_content() for a in content.xpath("//a")}
        assert links.get("https://player.example/embed/123") == "The speech, on its player", feed


def test_pages_with_media_are_valid_and_fit_a_phone(
    write_site: Callable[..., Path], vnu: Callable[..., list[dict[str, Any]]],
    static_server: Callable[..., str], new_page: Callable[..., Any],
) -> None:
    public = media_site(write_site)
    pages = [public / "s/speech/index.html", public / "s/index.html", public / "s/embed/index.html"]
    errors = vnu(pages)
    assert not errors, format_vnu(errors)
    base = static_server(public)
    page = new_page(viewport={"width": 360, "height": 740})
    for path in ("s/speech/", "s/"):
        page.goto(base + path)
        # The 1280 px clip and the 560 px frame shrink to the column, so nothing scrolls sideways.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, path
        ratio = page.eval_on_selector("video", "v => { const box = v.getBoundingClientRect(); "
                                               "return box.width / box.height; }")
        assert abs(ratio - 16 / 9) < 0.05, path


def test_a_frame_without_a_title_is_named_at_its_line(write_site: Callable[..., Path]) -> None:
    root = write_site({
        "sitegen.toml": BASIC_CONFIG + "unsafe_html = true\n",
        "content/s/_index.md": story(),
        "content/s/speech.md": event("2024-05-01", body="The speech:\n\n"
                                     '<iframe src="https://player.example/embed/9"></iframe>\n\n'
                                     '<iframe src="https://player.example/embed/10" title="The reply">'
                                     "</iframe>\n\n"
                                     '<iframe src="https://other.example/e/1" title=" "></iframe>\n'),
    })
    result = build_site(root)
    assert result.ok
    warning, blank = [d for d in result.diagnostics if "frame" in d.message]
    assert (warning.path, warning.line, warning.severity) == ("content/s/speech.md", 9, "warning")
    assert "`https://player.example/embed/9` has no title" in warning.message
    assert blank.line == 13  # a title of spaces names nothing either
    # Until the author writes one, the frame is named after the site it shows.
    page = lxml.html.fromstring((root / "public/s/speech/index.html").read_bytes())
    assert [frame.get("title") for frame in page.xpath("//iframe")] == ["player.example", "The reply",
                                                                        "other.example"]


def test_an_image_without_alternative_text_is_named_at_its_line(write_site: Callable[..., Path]) -> None:
    # A screenshot of the post is the evidence: a reader who cannot see it must be told what it shows.
    root = write_site({
        "sitegen.toml": BASIC_CONFIG + "unsafe_html = true\n",
        "content/s/_index.md": story(),
        "content/s/post.md": event("2024-05-01", body="The post:\n\n![](post.png)\n\n"
                                   '<img src="reply.png">\n\n<img src="rule.png" alt="">\n\n'
                                   "![The minister's post](described.png)\n"),
    })
    result = build_site(root)
    assert result.ok
    found = [(d.line, d.message.split("`")[1], d.rule) for d in result.diagnostics
             if "alternative text" in d.message]
    # alt="" is the author marking decoration.
    assert found == [(9, "post.png", "image-alt-missing"), (11, "reply.png", "image-alt-missing")]
    page = lxml.html.fromstring((root / "public/s/post/index.html").read_bytes())
    # The raw one gets an empty alt meanwhile: a screen reader skips it rather than read its file name.
    assert all(image.get("alt") is not None for image in page.xpath("//main//img"))


def test_the_alt_text_check_follows_checks_and_ignore_like_every_editorial_rule(
    write_site: Callable[..., Path],
) -> None:
    body = "![](post.png)\n"
    root = write_site({
        "sitegen.toml": BASIC_CONFIG + '[checks]\nimage-alt-missing = "error"\n',
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-05-01", body=body),
        "content/s/b.md": event("2024-05-02", extra="ignore: [image-alt-missing]\n", body=body),
        "content/_speakers/ann.md": "---\nname: Ann\nignore: [image-alt-missing]\n---\n\n" + body,
    })
    result = build_site(root)
    assert not result.ok
    assert [(d.path, d.severity) for d in result.diagnostics if d.rule == "image-alt-missing"] == [
        ("content/s/a.md", "error")]
    (root / "sitegen.toml").write_text(BASIC_CONFIG + '[checks]\nimage-alt-missing = "off"\n', "utf-8")
    result = build_site(root)
    assert result.ok and not [d for d in result.diagnostics if d.rule == "image-alt-missing"]
