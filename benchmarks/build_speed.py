"""Compare sitegen's build time and peak memory with Hugo's on the same generated corpus.

Not a test: it prints figures. For each size it generates ROADMAP.md's corpus (corpus.py),
times `sitegen build` as a fresh process into an empty output folder (cold) and again into
the same folder with nothing changed, then, unless --no-warm, an in-process `Builder` that
builds once and then rebuilds with nothing changed and after a one-entry edit. If `hugo` is
on PATH the same corpus is converted into a Hugo site with a minimal theme and timed the
same way. Peak memory is the child's maximum resident set size from os.wait4 (the largest
single process of its tree, e.g. sitegen or the Pagefind binary it runs, not their sum).

    python benchmarks/build_speed.py [--entries 10000] [--stories 660] [--scale 1000,3000,10000]
                                     [--no-warm] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

HUGO_SECONDS, HUGO_MB = 3.0, 521
"""ROADMAP.md's Hugo figures for 10,000 entries, used for the targets when hugo is absent."""
EDITED_ENTRY = "content/story-0003/entry-005.md"
LINEAR_SLACK = 1.25
"""Growth counts as linear when the per-entry cost at the largest size is within this of the smallest's."""


@dataclass
class Run:
    """One timed command."""

    seconds: float
    cpu_seconds: float
    """User plus system time of the child and the processes it waited for."""
    peak_mb: float
    returncode: int
    output: str


@dataclass
class Result:
    """What one tool did at one corpus size."""

    tool: str
    entries: int
    pages: int = 0
    cold: Run | None = None
    second: Run | None = None
    warm: dict[str, float] = field(default_factory=dict)
    note: str = ""


def timed(command: list[str], cwd: Path | None = None) -> Run:
    """Run a command to completion; return its wall time and the child's peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait
        log.seek(0)
        output = log.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, process.returncode, output)  # ru_maxrss: KiB


def checked(run: Run, what: str) -> Run:
    if run.returncode != 0:
        raise SystemExit(f"{what} failed with exit code {run.returncode}:\n{run.output[-3000:]}")
    return run


def html_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def sitegen_command() -> list[str]:
    """The `sitegen` of this interpreter's environment, else `python -m sitegen`."""
    script = Path(sys.executable).parent / "sitegen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sitegen"]


def warm_child(source: Path, output: Path) -> None:
    """In a child process: build once with the library, then time two rebuilds; print JSON."""
    from sitegen.build import Builder

    builder = Builder(source, output)
    first = builder.build()
    started = time.perf_counter()
    unchanged = builder.build()
    unchanged_s = time.perf_counter() - started
    entry = source / EDITED_ENTRY
    if not entry.exists():  # a small corpus: any entry will do
        entry = next(p for p in sorted((source / "content").glob("story-*/*.md")) if p.name != "_index.md")
    relative = entry.relative_to(source).as_posix()
    original = entry.read_text("utf-8")
    entry.write_text(re.sub(r"^title: .*$", "title: Edited for the benchmark", original, count=1,
                            flags=re.MULTILINE), "utf-8")
    try:
        started = time.perf_counter()
        edited = builder.build(changed=[relative])
        edited_s = time.perf_counter() - started
    finally:
        entry.write_text(original, "utf-8")
    ok = first.ok and unchanged.ok and edited.ok
    print(json.dumps({"ok": ok, "first": first.seconds, "unchanged": unchanged_s, "edited": edited_s,
                      "edited_files": len(edited.produced)}))


def measure_sitegen(site: Path, scratch: Path, entries: int, warm: bool) -> Result:
    result = Result("sitegen", entries)
    output = scratch / "sitegen-out"
    shutil.rmtree(output, ignore_errors=True)
    build = [*sitegen_command(), "build", "--source", str(site), "--output", str(output)]
    result.cold = checked(timed(build), "sitegen build (cold)")
    result.pages = html_pages(output)
    result.second = checked(timed(build), "sitegen build (second)")
    if warm:
        warm_out = scratch / "sitegen-warm-out"
        shutil.rmtree(warm_out, ignore_errors=True)
        run = checked(timed([sys.executable, __file__, "--warm-child", str(site), str(warm_out)]),
                      "in-process rebuild")
        figures = json.loads(run.output.strip().splitlines()[-1])
        if not figures["ok"]:
            raise SystemExit(f"an in-process build failed:\n{run.output[-3000:]}")
        result.warm = {"first": figures["first"], "unchanged": figures["unchanged"],
                       "edited": figures["edited"], "edited_files": figures["edited_files"],
                       "peak_mb": run.peak_mb}
        shutil.rmtree(warm_out, ignore_errors=True)
    return result


# A minimal Hugo theme: roughly the pages sitegen writes (story timelines with every entry's
# body, entry pages, tag and speaker pages, lists of them), without sitegen's extras. Term
# links are built from the front matter: Hugo 0.111's .GetTerms costs ~1 ms a call here,
# which would make Hugo look twice as slow as a reasonable theme.
HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
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
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .Params.speakers }}{{ with site.GetPage (printf "/speakers/%s" .) }}
<p class="speaker"><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>{{ end }}{{ end }}
{{ with .Params.quote }}<blockquote>{{ . }}</blockquote>{{ end }}
{{ .Content }}
<ul class="tags">{{ range .Params.tags }}
<li><a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
</article>
""",
    "_default/single.html": """\
{{ define "main" }}
<p><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
{{ partial "entry.html" . }}
{{ with .Params.sources }}<ul class="sources">{{ range . }}
<li><a href="{{ .url }}">{{ .publisher }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
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
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></li>{{ end }}</ul>
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

HUGO_CONFIG = """\
baseURL = "https://example.org/checks/"
title = "Benchmark Checks"
languageCode = "en"
timeZone = "UTC"
disableKinds = ["RSS"]

[taxonomies]
tag = "tags"
speaker = "speakers"
"""


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Split sitegen's `---` YAML front matter from the body."""
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head) or {}, body


def full_date(value: object) -> str:
    """Hugo wants a full date: "2024" -> 2024-01-01, "2024-03" -> 2024-03-01."""
    text = str(value)
    parts = text.split("-")
    if len(parts) == 1:
        return f"{text}-01-01"
    if len(parts) == 2:
        return f"{text}-01"
    return text[:10]


def hugo_page(front: dict[str, object], body: str) -> str:
    """A Hugo content file with YAML front matter."""
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body


def convert_to_hugo(site: Path, hugo: Path) -> None:
    """Write the corpus under `site` as a Hugo site under `hugo`."""
    (hugo / "content").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, "utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = hugo / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    (hugo / "static").mkdir()
    (hugo / "static" / "style.css").write_text("body { font-family: sans-serif; }\n", "utf-8")
    content = site / "content"
    for source in sorted(content.rglob("*.md")):
        relative = source.relative_to(content)
        front, body = split_front_matter(source.read_text("utf-8"))
        if relative.parts[0] == "_speakers":
            target = hugo / "content" / "speakers" / relative.stem / "_index.md"
            page: dict[str, object] = {"title": front.get("name", relative.stem)}
        elif relative.name == "_index.md":
            target = hugo / "content" / relative
            page = {"title": front.get("title"), "summary": front.get("summary"),
                    "tags": front.get("tags", [])}
        else:
            target = hugo / "content" / relative
            page = {"title": front.get("title"), "date": full_date(front.get("date")),
                    "tags": front.get("tags", [])}
            if front.get("speaker"):
                page["speakers"] = [front["speaker"]]
            for key in ("quote", "sources"):
                if front.get(key):
                    page[key] = front[key]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hugo_page(page, body), "utf-8")


def measure_hugo(hugo_bin: str, site: Path, scratch: Path, entries: int) -> Result:
    result = Result("hugo", entries, note="minimal theme")
    hugo = scratch / "hugo-site"
    shutil.rmtree(hugo, ignore_errors=True)
    convert_to_hugo(site, hugo)
    output, cache = scratch / "hugo-out", scratch / "hugo-cache"
    for folder in (output, cache, hugo / "resources"):
        shutil.rmtree(folder, ignore_errors=True)
    build = [hugo_bin, "--quiet", "--source", str(hugo), "--destination", str(output),
             "--cacheDir", str(cache)]
    result.cold = checked(timed(build, cwd=hugo), "hugo (cold)")
    result.pages = html_pages(output)
    result.second = checked(timed(build, cwd=hugo), "hugo (second)")
    return result


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def report(results: list[Result], hugo_found: bool, warm: bool) -> None:
    print("\n== Build speed (wall seconds; peak = largest resident set of the build's process tree)")
    header = (f"{'tool':<26} {'entries':>7} {'pages':>7} {'cold s':>8} {'cold cpu s':>11} {'second s':>9} "
              f"{'peak MB':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        assert r.cold is not None and r.second is not None
        tool = r.tool + (f" ({r.note})" if r.note else "")
        print(f"{tool:<26} {r.entries:>7} {r.pages:>7} {r.cold.seconds:>8.2f} {r.cold.cpu_seconds:>11.2f} "
              f"{r.second.seconds:>9.2f} "
              f"{max(r.cold.peak_mb, r.second.peak_mb):>8.0f}")
    print("(sitegen's second run is a new process into the same output; sitegen has no persistent cache yet)")
    if warm:
        print("\n== sitegen in-process Builder (library), build once then rebuild")
        print(f"{'entries':>7} {'first s':>8} {'unchanged s':>12} {'one edit s':>11} {'files rewritten':>16} "
              f"{'peak MB':>8}")
        for r in results:
            if r.warm:
                w = r.warm
                print(f"{r.entries:>7} {w['first']:>8.2f} {w['unchanged']:>12.2f} {w['edited']:>11.2f} "
                      f"{int(w['edited_files']):>16} {w['peak_mb']:>8.0f}")
    sizes = sorted({r.entries for r in results})
    largest = sizes[-1]
    by_tool = {(r.tool, r.entries): r for r in results}
    sitegen = by_tool[("sitegen", largest)]
    hugo = by_tool.get(("hugo", largest))
    assert sitegen.cold is not None and sitegen.second is not None
    sitegen_peak = max(sitegen.cold.peak_mb, sitegen.second.peak_mb)
    if hugo is not None:
        assert hugo.cold is not None and hugo.second is not None
        hugo_s, hugo_mb = hugo.cold.seconds, max(hugo.cold.peak_mb, hugo.second.peak_mb)
        print(f"\n== sitegen / hugo at {largest} entries (hugo with a minimal theme, so a lower bound on "
              "its cost for sitegen's pages)")
        print(f"cold time {sitegen.cold.seconds / hugo_s:.1f}x, second run "
              f"{sitegen.second.seconds / hugo.second.seconds:.1f}x, "
              f"peak memory {sitegen_peak / hugo_mb:.2f}x, "
              f"pages {sitegen.outputs.pages / max(hugo.pages, 1):.2f}x")
        reference = f"hugo measured here, {hugo_s:.2f} s"
    else:
        hugo_s = HUGO_SECONDS
        reference = f"ROADMAP's hugo figure, {HUGO_SECONDS} s"
    print(f"\n== ROADMAP targets, judged at {largest} entries"
          + ("" if largest == 10_000 else " (the targets are stated for 10,000)"))
    print(f"cold build within 1.5x hugo ({reference}): {sitegen.cold.seconds:.2f} s <= "
          f"{1.5 * hugo_s:.2f} s: {verdict(sitegen.cold.seconds <= 1.5 * hugo_s)}")
    print(f"rebuild with nothing changed under 0.3 s, new process: {sitegen.second.seconds:.2f} s: "
          f"{verdict(sitegen.second.seconds < 0.3)}")
    if sitegen.warm:
        print(f"rebuild with nothing changed under 0.3 s, in-process: {sitegen.warm['unchanged']:.2f} s: "
              f"{verdict(sitegen.warm['unchanged'] < 0.3)}")
        print(f"one-entry edit under 0.1 s (in-process build only; serve_latency.py times serve): "
              f"{sitegen.warm['edited']:.2f} s: {verdict(sitegen.warm['edited'] < 0.1)}")
    print(f"peak memory under 300 MB (cold build): {sitegen_peak:.0f} MB: {verdict(sitegen_peak < 300)}")
    if len(sizes) < 2:
        print("linear growth to 50,000 entries: not measured (pass --scale, e.g. 10000,25000,50000)")
        return
    print("\n== Growth: cold seconds per 1,000 entries")
    for tool in ("sitegen", "hugo") if hugo_found else ("sitegen",):
        cells = []
        for size in sizes:
            run = by_tool[(tool, size)].cold
            assert run is not None
            cells.append(f"{size}: {run.seconds / size * 1000:.2f}")
        print(f"{tool:<8} " + "   ".join(cells))
    first, last = by_tool[("sitegen", sizes[0])].cold, sitegen.cold
    assert first is not None
    growth = (last.seconds / largest) / (first.seconds / sizes[0])
    print(f"linear growth to 50,000 entries (per-entry cost at {largest} is {growth:.2f}x "
          f"that at {sizes[0]}, allowed {LINEAR_SLACK}x)"
          f"{'' if largest >= 50_000 else ', measured only up to ' + str(largest)}: "
          f"{verdict(growth <= LINEAR_SLACK)}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) == 4 and sys.argv[1] == "--warm-child":
        warm_child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=660)
    parser.add_argument("--scale", help="comma-separated entry counts to show growth (replaces --entries); "
                        "stories scale with them")
    parser.add_argument("--no-warm", action="store_true", help="skip the in-process rebuilds")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and say where")
    args = parser.parse_args()
    sizes = sorted({int(n) for n in args.scale.split(",")}) if args.scale else [args.entries]
    hugo_bin = shutil.which("hugo")
    if hugo_bin is None:
        print("hugo not found: install Debian's hugo package to compare")
    else:
        version = subprocess.run([hugo_bin, "version"], capture_output=True, text=True).stdout.strip()
        print(f"hugo: {version}")
    print(f"sitegen: {' '.join(sitegen_command())}; {os.cpu_count()} CPUs")
    scratch = Path(tempfile.mkdtemp(prefix="sitegen-build-speed-"))
    results: list[Result] = []
    try:
        for size in sizes:
            stories = max(1, round(size * args.stories / args.entries))
            site = scratch / f"site-{size}"
            made = time.perf_counter()
            generate(site, size, stories)
            print(f"\n-- {size} entries in {stories} stories "
                  f"(generated in {time.perf_counter() - made:.1f} s)")
            sitegen = measure_sitegen(site, scratch, size, not args.no_warm)
            assert sitegen.cold is not None and sitegen.second is not None
            print(f"sitegen: cold {sitegen.cold.seconds:.2f} s, second {sitegen.second.seconds:.2f} s")
            results.append(sitegen)
            if hugo_bin is not None:
                hugo = measure_hugo(hugo_bin, site, scratch, size)
                assert hugo.cold is not None and hugo.second is not None
                print(f"hugo: cold {hugo.cold.seconds:.2f} s, second {hugo.second.seconds:.2f} s")
                results.append(hugo)
            if not args.keep:
                for folder in scratch.iterdir():
                    shutil.rmtree(folder, ignore_errors=True)
        report(results, hugo_bin is not None, not args.no_warm)
    finally:
        if args.keep:
            print(f"\nkept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
