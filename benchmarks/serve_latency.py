"""Measure `sitegen serve` from saving a file to the browser showing the change.

Not a test: it prints figures. For each site it starts the real server, opens
an entry page in Debian's Chromium (Playwright), then several times saves the
entry atomically with a new title and times until the open page shows it; then
the same for a stylesheet swap. The server's own "rebuilt in" figure is shown
beside it, to split build time from the rest (debounce, event, reload).

    python benchmarks/serve_latency.py [--entries 10000] [--stories 660] [--runs 5] [--skip-large]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")


def wait_log(log: Path, pattern: str, count: int, timeout: float) -> float:
    """Wait until `pattern` occurs `count` times in the log; return when."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(re.findall(pattern, log.read_text(errors="replace"))) >= count:
            return time.perf_counter()
        time.sleep(0.01)
    raise TimeoutError(f"no {pattern!r} x{count} in {log}:\n{log.read_text(errors='replace')[-3000:]}")


def last_rebuild_ms(log: Path) -> float:
    found = re.findall(r"rebuilt in (\d+) ms", log.read_text(errors="replace"))
    return float(found[-1]) if found else float("nan")


def measure(name: str, site: Path, entry: Path, entry_url: str, runs: int, browser: Any) -> None:
    """Start a server on `site`, then time edits of `entry` as seen at `entry_url`."""
    log = site.parent / f"{site.name}-serve.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--source", str(site), "--port", "0"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_log(log, r"watching content/", 1, 1800)
        cold = time.perf_counter() - started
        port = re.search(r"at http://127\.0\.0\.1:(\d+)/", log.read_text()).group(1)  # type: ignore[union-attr]
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{entry_url}")
        original = entry.read_text("utf-8")
        totals, builds = [], []
        for run in range(runs):
            title = f"Benchmark edit {run} {time.time_ns()}"
            text = re.sub(r"^title: .*$", f"title: {title}", original, count=1, flags=re.MULTILINE)
            temp = entry.with_name(entry.name + ".tmp")
            temp.write_text(text, "utf-8")
            saved = time.perf_counter()
            os.replace(temp, entry)
            page.locator("h1", has_text=title).wait_for(timeout=300_000)
            totals.append(time.perf_counter() - saved)
            wait_log(log, r"rebuilt in", run + 2, 60)
            builds.append(last_rebuild_ms(log))
        css_totals = []
        css = site / "layouts" / "assets" / "style.css"
        css.parent.mkdir(parents=True, exist_ok=True)
        base_css = (REPO / "layouts" / "assets" / "style.css").read_text("utf-8")
        for run in range(max(2, runs // 2)):
            colour = f"rgb({run + 1}, 2, 3)"
            temp = css.with_name("style.css.tmp")
            temp.write_text(base_css + f"\nbody {{ outline-color: {colour}; }}\n", "utf-8")
            saved = time.perf_counter()
            os.replace(temp, css)
            page.wait_for_function(
                f"() => getComputedStyle(document.body).outlineColor === '{colour}'", timeout=300_000)
            css_totals.append(time.perf_counter() - saved)
        entry.write_text(original, "utf-8")
        pages = len(list((site / "content").rglob("*.md")))
        print(f"\n== {name}: {pages} content files")
        print(f"server start to first build served: {cold:.2f} s")
        print(f"entry edit, save -> browser shows it: median {statistics.median(totals) * 1000:.0f} ms "
              f"(min {min(totals) * 1000:.0f}, max {max(totals) * 1000:.0f}, {runs} runs)")
        print(f"   of which the rebuild itself (server log): median {statistics.median(builds):.0f} ms")
        print(f"stylesheet edit, save -> new style applied, no reload: median "
              f"{statistics.median(css_totals) * 1000:.0f} ms "
              f"(min {min(css_totals) * 1000:.0f}, max {max(css_totals) * 1000:.0f})")
        target = 250
        verdict = "meets" if statistics.median(totals) * 1000 <= target else "MISSES"
        print(f"   {verdict} the {target} ms save-to-browser goal")
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--stories", type=int, default=660)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="only the example site")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        example = scratch / "example"
        example.mkdir()
        shutil.copytree(REPO / "content", example / "content")
        shutil.copy(REPO / "sitegen.toml", example / "sitegen.toml")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            measure("example site", example, example / "content/trump-putin-call/alleged-call.md",
                    "trump-putin-call/alleged-call/", args.runs, browser)
            if not args.skip_large:
                large = scratch / "large"
                made = time.perf_counter()
                generate(large, args.entries, args.stories)
                print(f"\n(generated {args.entries} entries in {args.stories} stories "
                      f"in {time.perf_counter() - made:.1f} s)")
                measure(f"{args.entries} entries / {args.stories} stories", large,
                        large / "content/story-0003/entry-005.md", "story-0003/entry-005/",
                        max(2, args.runs // 2), browser)
            browser.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
