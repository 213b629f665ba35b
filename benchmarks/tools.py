"""How the benchmark drives each tool: sitegen and Hugo, as whole commands and as preview servers.

Both are run the way a user runs them, as fresh processes: `sitegen build` and
`hugo` for builds, `sitegen serve` and `hugo server` for the preview. Each
tool gets its own empty cache folder for the cold build, kept for the later
runs.
"""

from __future__ import annotations

import compileall
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import hugo_site
from benchmarks.measure import Server

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Preview:
    """A running preview server: where its pages are served and written."""

    server: Server
    url: str
    """The server's root URL, ending in `/`."""
    output: Path
    """The folder it writes the site to (for sitegen, the link to the published copy)."""
    rebuilt: str
    """A pattern its log prints once per finished rebuild."""


class Tool:
    """One static site generator, as the benchmark runs it."""

    name: str
    source: Path
    output: Path

    def build_command(self) -> list[str]:
        raise NotImplementedError

    def caches(self) -> list[Path]:
        return []

    def reset(self) -> None:
        """Remove the output and the caches, for a cold build."""
        for folder in (self.output, *self.caches()):
            shutil.rmtree(folder, ignore_errors=True)

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def entry_file(self, story: int, entry: int) -> Path:
        return self.source / "content" / f"story-{story:04d}" / f"entry-{entry:03d}.md"

    def start_preview(self, log: Path) -> Preview:
        raise NotImplementedError


class Sitegen(Tool):
    """sitegen from a checkout, as `python -P -m sitegen` with the checkout on PYTHONPATH.

    `-P` keeps the working directory off sys.path, so the checkout named is the code measured.
    """

    name = "sitegen"

    def __init__(self, source: Path, scratch: Path, checkout: Path = REPO,
                 python: str = sys.executable) -> None:
        self.source = source
        self.output = scratch / "sitegen-out"
        self.cache = scratch / "sitegen-cache"
        self.checkout = checkout
        # Measured as installed: pip compiles a package's modules when it installs them, and a
        # checkout compiles its own on first use, unless PYTHONDONTWRITEBYTECODE is set (as on
        # the project machine, where every run then compiled sitegen again: 0.09 s a command).
        compileall.compile_dir(checkout / "sitegen", quiet=1)
        self.command = [python, "-P", "-m", "sitegen"]
        self.cache_flag = {
            command: "--cache-dir" in subprocess.run(
                [*self.command, command, "--help"], capture_output=True, text=True, env=self.env(),
                check=False).stdout
            for command in ("build", "serve")
        }
        """Whether each command has --cache-dir yet; without it the environment names the cache."""

    def env(self) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(self.checkout), os.environ.get("PYTHONPATH")) if p)
        # Both names, so the cache lands in the benchmark's folder whichever one sitegen reads.
        return {**os.environ, "PYTHONPATH": path, "SITEGEN_CACHE_DIR": str(self.cache),
                "XDG_CACHE_HOME": str(self.cache.with_name("xdg-cache"))}

    def caches(self) -> list[Path]:
        return [self.cache, self.cache.with_name("xdg-cache")]

    def cache_args(self, command: str) -> list[str]:
        return ["--cache-dir", str(self.cache)] if self.cache_flag[command] else []

    def build_command(self) -> list[str]:
        return [*self.command, "build", "--source", str(self.source), "--output", str(self.output),
                *self.cache_args("build")]

    def start_preview(self, log: Path) -> Preview:
        server = Server([*self.command, "serve", "--source", str(self.source), "--port", "0",
                         *self.cache_args("serve")], log, env=self.env())
        server.wait_for(r"watching content/")
        url = server.wait_for(r" at (http://127\.0\.0\.1:\d+/)").group(1)
        # The private preview folder: a link swapped to each published build (BufferedOutput).
        folder = re.search(r"private folder (\S+), removed on exit", server.text())
        written = re.search(r"writing each good build to (\S+)", server.text())
        found = folder or written
        if found is None:
            server.stop()
            raise SystemExit(f"cannot tell where `sitegen serve` writes the site:\n{server.text()[-2000:]}")
        return Preview(server, url, Path(found.group(1)), r"rebuilt in \d+ ms|build failed")

    def rebuild_ms(self, preview: Preview) -> float | None:
        """The server's own figure for its last rebuild."""
        found = re.findall(r"rebuilt in (\d+) ms", preview.server.text())
        return float(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Hugo(Tool):
    """Hugo on the corpus converted by `hugo_site`, with a cache folder of its own."""

    name = "hugo"

    def __init__(self, binary: Path, corpus: Path, scratch: Path) -> None:
        self.binary = binary
        self.source = hugo_site.convert(corpus, scratch / "hugo-site")
        self.output = scratch / "hugo-out"
        self.cache = scratch / "hugo-cache"

    def caches(self) -> list[Path]:
        return [self.cache, self.source / "resources"]

    def build_command(self) -> list[str]:
        return [str(self.binary), "--quiet", "--source", str(self.source), "--destination",
                str(self.output), "--cacheDir", str(self.cache)]

    def start_preview(self, log: Path) -> Preview:
        # Hugo 0.168's server writes to disk by default (older ones needed --renderToDisk) and
        # appends the port to the base URL.
        port = free_port()
        output = self.output.with_name("hugo-server-out")
        server = Server([str(self.binary), "server", "--source", str(self.source), "--destination",
                         str(output), "--cacheDir", str(self.cache), "--bind", "127.0.0.1",
                         "--port", str(port), "--baseURL", "http://127.0.0.1/"], log, env=self.env())
        url = server.wait_for(r"Web Server is available at (http://\S+/)").group(1)
        time.sleep(0.2)  # the watcher is started just after the line is printed
        return Preview(server, url, output, r"Total in \d+ ms")
