"""`sitegen serve`: a live preview that never shows a half-built site.

The pipeline is the ordinary build (`Builder.build`) into a private folder,
which is swapped in whole, so a request sees the old site or the new one.
A watcher hands each settled burst of changes to one rebuild; the server then
tells open pages through server-sent events whether to reload, swap their
stylesheets, or show the build's errors over the last good pages.

Safety: the server binds to loopback unless told otherwise, answers only to
Host headers naming itself or an IP address (no DNS rebinding), and serves
only regular files that resolve inside the output (no `..`, encoded slashes or
backslashes, no symlinks out, no directory listings). `pagefind/` is served
from the search index the preview builds in the background (`preview.search`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import html
import http.server
import ipaddress
import json
import mimetypes
import os
import posixpath
import re
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from gettext import NullTranslations
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, quote, unquote

from sitegen.build import Builder, BuildResult
from sitegen.build_state import changed_since
from sitegen.cache.snapshot import take
from sitegen.outputs.search import FINGERPRINT_KEY
from sitegen.preview.search import BackgroundSearchIndex
from sitegen.preview.watch import Watcher, watched_roots
from sitegen.rendering.i18n import SOURCE_LANGUAGE, Localizer
from sitegen.structure.diagnostics import Diagnostic
from sitegen.structure.urls import PREVIEW_FOLDER, SEARCH_INDEX_FOLDER
from sitegen.writing.artifact import Artifact

PREFIX = f"/{PREVIEW_FOLDER}/"
"""Where the server's own endpoints live; no story slug or page can start with `_`."""
SCRIPT = Path(__file__).parent / "assets" / "livereload.js"
HEARTBEAT = 15.0
"""Seconds between SSE comments, so dead connections are noticed and proxies keep them."""
STREAM_LIMIT = 4 * 1024 * 1024
"""Files above this size are streamed instead of read whole."""
BAD_ESCAPES = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
"""An encoded slash, backslash or NUL has no business in a URL of the site."""


# ---------------------------------------------------------------------------
# What the pages are told
# ---------------------------------------------------------------------------


PATH_MAX = 4000
"""Longer paths name no file: Linux refuses past 4,096 bytes (ENAMETOOLONG), whatever the segments."""


@dataclass
class PreviewState:
    """The published build's number, what changed in each build, and the current errors.

    Guarded by `changed`: handlers wait on it for the next version (MkDocs'
    epoch and condition variable).
    """

    server: str = field(default_factory=lambda: secrets.token_hex(8))
    """Changes with every server process, so pages from a previous run reload."""
    epoch: int = 0
    """The number of the build in the output folder; 0 until the first good build."""
    version: int = 0
    """Bumped on every change of epoch or errors; wakes the event streams."""
    kinds: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """For each epoch, the output files it changed."""
    errors: list[Diagnostic] = field(default_factory=list)
    localizer: Localizer = field(default_factory=lambda: Localizer(SOURCE_LANGUAGE, NullTranslations()))
    """Speaks the site's language, so the error overlay does too."""
    closing: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, changed: list[str]) -> None:
        """Record a new good build that changed these output files, and clear the errors."""
        with self.changed:
            if changed or self.epoch == 0:
                self.epoch += 1
                self.kinds[self.epoch] = tuple(changed)
            self.errors = []
            self.version += 1
            self.changed.notify_all()

    def fail(self, errors: list[Diagnostic]) -> None:
        """Keep the published build; show these errors on every page."""
        with self.changed:
            self.errors = errors
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        """End every event stream."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def has_news(self, version: int) -> bool:
        """Whether a page that saw `version` should hear something (a build, or the server closing)."""
        return self.closing or self.version != version

    def message(self, seen: int, server: str, shows: Collection[str] | None = None) -> dict[str, Any]:
        """What a page that shows build `seen` of `server` must do now (caller holds the lock).

        `shows` names the output files the page is made of (its own HTML); a build that changed
        other pages only leaves it be, so an author reading one page is not reloaded by every
        edit elsewhere, nor twice by one edit (see `Preview.first_look`). Unknown: any change
        but a stylesheet's reloads it.
        """
        action = "none"
        css: set[str] = set()
        if server != self.server or seen > self.epoch:
            action = "reload"
        else:
            for epoch in range(seen + 1, self.epoch + 1):
                files = self.kinds.get(epoch, ())
                if not files or any(reloads(path, shows) for path in files):
                    action = "reload"
                    break
                css.update(path for path in files if path.endswith(".css"))
            if action == "none" and css:
                action = "css"
        return {
            "epoch": self.epoch,
            "action": action,
            "css": sorted(css),
            "errors": [asdict(d) for d in self.errors],
            "heading": self.error_heading(),
        }

    def error_heading(self) -> str:
        """The overlay's title, in the site's language (caller holds the lock)."""
        if self.epoch == 0:
            return self.localizer.ngettext(
                "The site has %(num)s error and no good build yet. "
                "Fix the file and this page updates by itself.",
                "The site has %(num)s errors and no good build yet. "
                "Fix the file and this page updates by itself.",
                len(self.errors),
            )
        return self.localizer.ngettext(
            "The site has %(num)s error; this is the last good build. "
            "Fix the file and this page updates by itself.",
            "The site has %(num)s errors; this is the last good build. "
            "Fix the file and this page updates by itself.",
            len(self.errors),
        )


SHOWN_ALONE = (".html", ".css", ".xml", ".json", ".csv", ".txt")
"""Files no page loads while it is shown (other pages, feeds and exports), and stylesheets,
which are swapped in place: a change of one reloads only the page that is that file."""


def reloads(path: str, shows: Collection[str] | None) -> bool:
    """Whether a page made of the files `shows` (None: not known) must reload when `path` changed."""
    if path.endswith(".css"):
        return False
    if shows is None:
        return True
    name = path.rpartition("/")[2]
    return path in shows or not (name.endswith(SHOWN_ALONE) or name.startswith("."))


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


class Preview:
    """Rebuild on request, one build at a time, and publish only good builds."""

    def __init__(
        self, builder: Builder, state: PreviewState, out: Callable[[str], None],
        search: BackgroundSearchIndex | None = None,
    ) -> None:
        self.builder = builder
        self.state = state
        self.out = out
        self.search = search
        self._lock = threading.Lock()
        self._early: dict[str, str] = {}
        """The files the rebuild under way published at its first look, with their fingerprints."""
        self._started = self._early_seconds = 0.0
        builder.first_look = self.first_look

    def first_look(self, written: list[Artifact]) -> None:
        """Publish an edited story's pages the moment they are written: pages showing them reload.
        Called for the edited entries' pages, then again for the rest of their stories'."""
        if not self._early:
            self._early_seconds = time.perf_counter() - self._started
        self._early.update((artifact.path, artifact.fingerprint) for artifact in written)
        self.state.publish([artifact.path for artifact in written])

    def seed_idle(self) -> None:
        """Ready the copy the next rebuild updates (`BufferedOutput.seed_idle`), between builds."""
        with self._lock:
            if self.builder.buffer is not None:
                self.builder.buffer.seed_idle()

    def rebuild(self, changed: set[str] | None) -> BuildResult:
        """Build; publish on success, otherwise report and keep serving the last good build."""
        with self._lock:
            if changed:
                names = sorted(changed)
                more = f" (+{len(names) - 5} more)" if len(names) > 5 else ""
                self.out(f"changed: {', '.join(names[:5])}{more}")
            before = set(self.builder.fingerprints)
            self._early, self._started = {}, time.perf_counter()
            # While the site has errors, the last good build is what is served, whole: an edit's
            # pages shown first would mix into it (and hide the errors) though the build fails.
            self.builder.first_look = None if self.state.errors else self.first_look
            held = self.search.held() if self.search is not None else contextlib.nullcontext()
            try:
                with held:
                    result = self.builder.build(changed if self.state.epoch else None)
            except Exception as error:  # a bug in sitegen must not take the preview down
                # str() of an OSError names its file, which repr() leaves out.
                message = f"internal error: {type(error).__name__}: {error}"
                result = BuildResult(
                    diagnostics=[Diagnostic(".", 0, 0, "error", message)],
                    ok=False,
                )
            if self.builder.theme is not None:
                self.state.localizer = self.builder.theme.localizer
            for notice in result.notices:
                self.out(f"warning: {notice}")
            for diagnostic in result.diagnostics:
                self.out(diagnostic.format())
            milliseconds = result.seconds * 1000
            if not result.ok:
                errors = [d for d in result.diagnostics if d.severity == "error" or self.builder.strict]
                self.state.fail(errors)
                serving = ("still serving the last good build" if self.state.epoch
                           else "nothing to serve until it builds")
                self.out(f"build failed with {len(errors)} error(s) in {milliseconds:.0f} ms; "
                         f"{serving}, errors are shown in the browser")
                return result
            removed = before - set(self.builder.fingerprints)
            touched = sorted({*result.produced, *removed})
            pages = sum(p.endswith(".html") for p in result.produced)
            # What the first look published is news no more, unless the build changed it since.
            early, now = self._early, self.builder.fingerprints
            self.state.publish([p for p in touched if p not in early or now.get(p) != early[p]])
            if self.search is not None:
                self.search.publish()
            shown = ", ".join(touched[:5]) + (f" (+{len(touched) - 5} more)" if len(touched) > 5 else "")
            first = (f", {len(early)} shown first in {self._early_seconds * 1000:.0f} ms" if early else "")
            self.out(
                f"rebuilt in {milliseconds:.0f} ms: {pages} page(s) re-rendered{first}, "
                f"{len(touched)} of {result.files} file(s) changed" + (f": {shown}" if shown else "")
            )
            return result


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class BadRequest(Exception):
    """A request path that is malformed or tries to leave the site."""


def request_file(raw_target: str) -> tuple[str, bool]:
    """Check a request target; return its decoded path below the root and whether it ended in `/`.

    Decodes exactly once: `%252e%252e` stays the literal name `%2e%2e`, which no output has.
    """
    # Not urlsplit: it would read `//evil/x` as a host name followed by a path.
    path = raw_target.partition("#")[0].partition("?")[0]
    if not path.startswith("/") or BAD_ESCAPES.search(path):
        raise BadRequest("malformed path")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequest("path is not UTF-8") from error
    if "\\" in decoded or any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        raise BadRequest("backslash or control character in path")
    segments = decoded.split("/")[1:]
    if any(segment in (".", "..") for segment in segments):
        raise BadRequest("dot segments in path")
    normalized = posixpath.normpath(decoded)
    return normalized.lstrip("/"), decoded.endswith("/")


def is_loopback(host: str) -> bool:
    """Tell whether a bind address reaches only this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def absolute_form(target: str) -> tuple[str, str] | None:
    """The host and path of a request target written whole (`GET http://host:port/x`), which
    RFC 9112 says a server must accept, its authority standing for the Host header."""
    scheme, found, rest = target.partition("://")
    if not found or scheme.lower() not in ("http", "https"):
        return None
    authority, slash, path = rest.partition("/")
    return authority, slash + path if slash else "/"


def host_allowed(header: str | None, bind_host: str, port: int) -> bool:
    """Accept Host headers naming this server, loopback, or any IP address: never other names.

    DNS rebinding needs a hostname that the attacker controls; an IP literal
    cannot be rebound, so it is safe to allow for previews on a LAN address.
    """
    if not header:
        return False
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("" if not rest else "x")
    else:
        name, _, port_text = header.partition(":")
    if port_text != str(port) and not (port_text == "" and port == 80):
        return False
    if name in ("localhost", bind_host.lower().strip("[]")):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def inject(html: bytes, tag: bytes) -> bytes:
    """Put the live-reload script before the last `</body>`, or at the end."""
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


UNSATISFIABLE = "unsatisfiable"


def byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """The first and last byte a `Range` header asks of a file of `size` bytes, as a web server
    answers it: None to send the whole file (no header, one this server does not read, or
    several ranges, which RFC 9110 lets a server answer whole), `UNSATISFIABLE` for a range
    that starts past the end."""
    if header is None:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:  # `bytes=-500`: the last 500 bytes
        suffix = int(match[2])
        return (max(0, size - suffix), size - 1) if suffix and size else UNSATISFIABLE
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    if match[2] and int(match[2]) < first:
        return None  # invalid: ignored, as the RFC says
    return (first, last) if first < size else UNSATISFIABLE


def copy_bytes(source: BinaryIO, write: Callable[[bytes], object], count: int) -> None:
    """Copy `count` bytes, a chunk at a time: a range of a large video is never read whole."""
    while count > 0:
        chunk = source.read(min(count, 1 << 16))
        if not chunk:
            return
        write(chunk)
        count -= len(chunk)


def content_type(path: Path) -> str:
    """The Content-Type to send; text is always UTF-8 in sitegen's output."""
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/json", "application/javascript",
                                                    "application/xml", "image/svg+xml"):
        return f"{guessed}; charset=utf-8"
    return guessed


PLACEHOLDER = """<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p></main></body></html>
"""


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server that knows the preview it serves."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self, host: str, port: int, root: Path, state: PreviewState,
        search: BackgroundSearchIndex | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.root = root
        self.state = state
        self.search = search
        self.bind_host = host
        super().__init__((host.strip("[]"), port), PreviewHandler)

    def mount(self, relative: str) -> tuple[Path | None, str]:
        """The folder a request path is served from, and the path inside it."""
        head, _, rest = relative.partition("/")
        if self.search is not None and head == SEARCH_INDEX_FOLDER:
            return self.search.bundle(), rest
        return self.root, relative

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Browsers drop connections all the time (reloads, closed tabs); that is not news.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        print(f"sitegen: error while answering {client_address[0]}: {error!r}", file=sys.stderr)


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serve the current build, the live-reload script and the event stream."""

    server: PreviewServer
    server_version = "sitegen-preview"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for builds and errors; one line per request would bury them

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def do_GET(self) -> None:
        self.answer(body=True)

    def answer(self, body: bool) -> None:
        host, target = absolute_form(self.path) or (self.headers.get("Host"), self.path)
        if not host_allowed(host, self.server.bind_host, self.server.port):
            self.plain(400, "Bad Request: this preview answers only to its own address.\n", body)
            return
        try:
            relative, slash = request_file(target)
        except BadRequest as error:
            self.plain(400, f"Bad Request: {error}.\n", body)
            return
        if relative.startswith(PREFIX.lstrip("/")):
            self.internal(relative[len(PREFIX) - 1:], body)
            return
        if self.server.state.epoch == 0:
            self.placeholder(body)
            return
        self.file(relative, slash, body)

    # -- the build's files -------------------------------------------------------

    def locate(self, relative: str) -> Path | None:
        """The regular file inside the output (or the search index) that a path names, or None."""
        folder, relative = self.server.mount(relative)
        if folder is None:
            return None
        root = folder.resolve()
        if len(os.fsencode(relative)) > PATH_MAX or any(
                len(os.fsencode(segment)) > 255 for segment in relative.split("/")):
            return None  # no file has such a name; asking the file system would raise ENAMETOOLONG
        try:
            target = (root / relative).resolve()
        except (OSError, RuntimeError):  # symlink loops
            return None
        if target != root and not target.is_relative_to(root):
            return None
        return target

    def file(self, relative: str, slash: bool, body: bool) -> None:
        target = self.locate(relative)
        if target is not None and target.is_dir():
            if not slash and relative:
                query = self.path.partition("#")[0].partition("?")[2]
                # Encoded again: a header is Latin-1, and `?` or `%` in a name is not a query.
                location = quote(f"/{relative}/", safe="/") + (f"?{query}" if query else "")
                self.send_response(301)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                return
            target = self.locate(posixpath.join(relative, "index.html"))
        elif slash:
            target = None  # `/robots.txt/` is no file on a real host, and its relative links break
        if target is None or not target.is_file():
            self.not_found(body, relative)
            return
        self.send_file(200, target, body)

    def not_found(self, body: bool, relative: str = "") -> None:
        """The site's 404 page; below a language's folder (`uk/…`), that language's own."""
        folder = relative.partition("/")[0] if "/" in relative else ""
        for candidate in (f"{folder}/404.html", "404.html") if folder else ("404.html",):
            page = self.locate(candidate)
            if page is not None and page.is_file():
                self.send_file(404, page, body)
                return
        self.plain(404, "Not Found\n", body)

    def send_file(self, status: int, path: Path, body: bool) -> None:
        kind = content_type(path)
        try:
            handle = path.open("rb")
        except OSError:  # swapped away between the check and the open
            self.plain(404, "Not Found\n", body)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if kind.startswith("text/html"):
                data = inject(handle.read(), self.script_tag())
                self.start(status, kind, len(data))
                if body:
                    self.wfile.write(data)
                return
            wanted = byte_range(self.headers.get("Range"), size) if status == 200 else None
            if self.headers.get("If-Range") is not None:
                wanted = None  # this server sends no validators, so none can match: the whole file
            if wanted == UNSATISFIABLE:
                self.start(416, "text/plain; charset=utf-8", 0, {"Content-Range": f"bytes */{size}"})
                return
            if isinstance(wanted, tuple):
                first, last = wanted
                self.start(206, kind, last - first + 1, {"Content-Range": f"bytes {first}-{last}/{size}"})
                if body:
                    handle.seek(first)
                    copy_bytes(handle, self.wfile.write, last - first + 1)
                return
            self.start(status, kind, size)
            if not body:
                return
            if size > STREAM_LIMIT:
                shutil.copyfileobj(handle, self.wfile)
            else:
                self.wfile.write(handle.read())

    def start(self, status: int, kind: str, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        if not kind.startswith("text/html"):
            # Safari plays a <video> or <audio> only from a server that answers byte ranges.
            self.send_header("Accept-Ranges", "bytes")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def plain(self, status: int, text: str, body: bool) -> None:
        data = text.encode()
        self.start(status, "text/plain; charset=utf-8", len(data))
        if body:
            self.wfile.write(data)

    def script_tag(self) -> bytes:
        state = self.server.state
        hide = html.escape(state.localizer.gettext("Hide"))
        return (
            f'<script src="{PREFIX}livereload.js" data-epoch="{state.epoch}" '
            f'data-server="{state.server}" data-hide="{hide}"></script>\n'
        ).encode()

    def placeholder(self, body: bool) -> None:
        """Before the first good build: say so, and reload when it lands."""
        words = self.server.state.localizer
        if self.server.state.errors:
            title = words.gettext("The site has errors")
            text = words.gettext("Fix them and this page updates by itself.")
        else:
            title = words.gettext("Building the site…")
            text = words.gettext("This page reloads by itself when the build is done.")
        page = PLACEHOLDER.format(
            language=html.escape(words.tag), title=html.escape(title), text=html.escape(text)
        )
        data = inject(page.encode(), self.script_tag())
        self.start(503, "text/html; charset=utf-8", len(data))
        if body:
            self.wfile.write(data)

    # -- the server's own endpoints ---------------------------------------------

    def internal(self, name: str, body: bool) -> None:
        if name == "livereload.js":
            data = SCRIPT.read_bytes()
            self.start(200, "text/javascript; charset=utf-8", len(data))
            if body:
                self.wfile.write(data)
        elif name == "errors":
            state = self.server.state
            with state.changed:
                errors = [asdict(d) for d in state.errors]
                heading = state.error_heading()
            data = json.dumps(
                {"epoch": state.epoch, "errors": errors, "heading": heading}, ensure_ascii=False
            ).encode()
            self.start(200, "application/json; charset=utf-8", len(data))
            if body:
                self.wfile.write(data)
        elif name == "events" and body:
            self.events()
        else:
            self.plain(404, "Not Found\n", body)

    def files_shown_at(self, page: str) -> tuple[str, ...] | None:
        """The output files a page at the URL path `page` is made of: its HTML, or the 404 page
        and the file that would take its place; None for a path no page has."""
        try:
            relative, slash = request_file(page)
        except BadRequest:
            return None
        target = self.locate(relative)
        if slash or not relative or (target is not None and target.is_dir()):
            relative = posixpath.join(relative, "index.html")
            target = self.locate(relative)
        if target is not None and target.is_file():
            return (relative,)
        if not slash and relative and not relative.endswith("index.html"):
            # `/s/new-entry` shows the 404 page until the entry is made: then it is a folder
            # (and the page reloads into the redirect to it), not a file of that name.
            return (relative, posixpath.join(relative, "index.html"), "404.html")
        return (relative, "404.html")

    def events(self) -> None:
        """Stream the preview's state to a page until it goes away or the server stops."""
        state = self.server.state
        query = parse_qs(self.path.partition("#")[0].partition("?")[2])
        try:
            seen = int(self.headers.get("Last-Event-ID") or query.get("epoch", ["0"])[0])
        except ValueError:
            seen = 0
        server = query.get("server", [""])[0]
        page = query.get("page")
        shows = self.files_shown_at(page[0]) if page else None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        version = -1
        while True:
            with state.changed:
                state.changed.wait_for(functools.partial(state.has_news, version), HEARTBEAT)
                if state.closing:
                    return
                fresh = state.version != version
                version = state.version
                message = state.message(seen, server, shows) if fresh else None
            if message is None:
                chunk = ": ping\n\n"
            else:
                seen, server = message["epoch"], state.server
                chunk = f"id: {seen}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
            try:
                self.wfile.write(chunk.encode())
                self.wfile.flush()
            except OSError:
                return
            if message is not None and message["action"] == "reload":
                return


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def private_output() -> Path:
    """A folder of our own for the preview, so `public/` is never touched unless asked."""
    return Path(tempfile.mkdtemp(prefix="sitegen-serve-"))


def say(text: str) -> None:
    """Print one timestamped line of the server's log."""
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def serve(
    source: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    drafts: bool = False,
    output: Path | None = None,
    cache_dir: Path | None = None,
) -> int:
    """Run the preview server until Ctrl-C; return the exit status."""
    source = source.resolve()
    if output is not None:
        output = output.resolve()
        if output == source or source.is_relative_to(output):
            print("sitegen: error: --output must not be the site folder or contain it", file=sys.stderr)
            return 2
    scratch = None if output is not None else private_output()
    root = output if output is not None else scratch / "site"  # type: ignore[operator]
    # The private preview's search index is made in the background beside it (`preview.search`);
    # --output gets real builds, search index included.
    search = BackgroundSearchIndex(scratch / "search", say) if scratch is not None else None
    state = PreviewState()
    try:
        httpd = PreviewServer(host, port, root, state, search)
    except OSError as error:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        return bind_failed(error, host, port)
    shown_host = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{shown_host}:{httpd.port}/"
    if not is_loopback(host):
        print(
            f"sitegen: warning: serving on {host}: anyone who can reach this machine can see "
            "the preview (and its drafts); use the default 127.0.0.1 unless you mean it",
            file=sys.stderr, flush=True,
        )
    # The private preview is updated in place behind a link: an edit writes only what it changes.
    builder = Builder(source, root, base_url=url, drafts=drafts, buffered=output is None, cache_dir=cache_dir,
                      post_stages=(search.post_stage,) if search is not None else None)
    if search is not None and builder.cache is not None:
        search.seed(builder.cache.built_folders(FINGERPRINT_KEY))
    preview = Preview(builder, state, say, search)
    watcher = Watcher(source, preview.rebuild, exclude=[root], log=say)
    server_thread = threading.Thread(target=httpd.serve_forever, args=(0.2,), name="sitegen-http",
                                     daemon=True)
    try:  # SIGTERM and SIGHUP stop it as Ctrl-C does (`stopping`, set up by the command line)
        say(f"serving {source} at {url}" + (" (with drafts)" if drafts else ""))
        say(f"writing each good build to {root}" if output is not None
            else f"preview built in the private folder {root}, removed on exit")
        # The first build comes before the server's threads, as Hugo's does, so that it can
        # render on every core (`writing.workers` forks only a single-threaded process): at
        # 10,000 entries the first page is served in half the time. A browser that asks
        # meanwhile waits for it; what is saved meanwhile is built once the watcher is up.
        before = take(watched_roots(source))
        preview.rebuild(None)
        server_thread.start()
        preview.seed_idle()
        watcher.start()
        for path in sorted(changed_since(before, take(watched_roots(source)), source) or ()):
            watcher.add(source / path, False, "modified")
        say("watching content/, layouts/, static/ and sitegen.toml" +
            (" by polling" if watcher.polling else "") + "; press Ctrl-C to stop")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("stopping")
    finally:
        with contextlib.suppress(Exception):
            watcher.stop()
        if search is not None:
            search.close()
        state.close()
        if server_thread.is_alive():  # not yet, when stopped during the first build
            httpd.shutdown()
            server_thread.join(timeout=5)
        httpd.server_close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def bind_failed(error: OSError, host: str, port: int) -> int:
    """Explain why the server could not listen, without a traceback."""
    if error.errno == errno.EADDRINUSE:
        reason = "the port is already in use; stop the other server or choose another port with --port"
    elif error.errno == errno.EACCES:
        reason = "permission denied; ports below 1024 need privileges, choose another with --port"
    elif isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        reason = "no such address on this machine; check --host"
    else:
        reason = error.strerror or str(error)
    print(f"sitegen: error: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
    return 1
