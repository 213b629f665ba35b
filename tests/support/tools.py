"""Pytest fixtures and helpers for the real external test tools.

Registered from ``tests/conftest.py`` with::

    pytest_plugins = ["tests.support.tools"]

Tools used (installed by ``.ci/run``; see also ``tests/tools/package.json``):

* Debian's Chromium (``/usr/bin/chromium``) driven by Python Playwright
  (never ``playwright install``; no downloaded browser).
* Debian's nginx (``/usr/sbin/nginx``), started per test in a temp prefix.
* Nu Html Checker (``vnu.jar`` from the npm package ``vnu-jar``), run with java.
* axe-core (``axe.min.js`` from the npm package ``axe-core``), injected into pages.

A missing tool fails the test when ``CI=true`` and skips it otherwise
(see :func:`require_tool`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = REPO_ROOT / "tests" / "tools"
NODE_MODULES = TOOLS_DIR / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
ARTIFACTS_ROOT = REPO_ROOT / "test-output"

CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
NGINX = Path(os.environ.get("SITEGEN_NGINX", "/usr/sbin/nginx"))
MIME_TYPES = Path("/etc/nginx/mime.types")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

NPM_HINT = "run `npm ci --ignore-scripts` in tests/tools/ (see .ci/run)"
APT_HINT = "apt-get install -y chromium nginx-light default-jre-headless (see .ci/run)"


# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------


def in_ci() -> bool:
    """True when running under CI (env ``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str, found: bool, hint: str = "") -> None:
    """Fail (under CI) or skip (locally) the current test if a tool is missing."""
    if found:
        return
    msg = f"required test tool missing: {name}" + (f" ({hint})" if hint else "")
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> bool:
    """Poll until something accepts TCP connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _normalise_prefix(prefix: str) -> str:
    """Turn ``checks`` / ``/checks`` / ``/checks/`` into ``/checks/``."""
    stripped = prefix.strip("/")
    return f"/{stripped}/" if stripped else "/"


# --------------------------------------------------------------------------
# Artifacts (screenshots etc. for humans), git-ignored
# --------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150] or "test"


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """Fresh folder ``<repo>/test-output/<test-name>/`` for files humans look at."""
    path = ARTIFACTS_ROOT / _safe_name(request.node.name)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the item (used to screenshot failures)."""
    report = yield
    setattr(item, f"_sitegen_rep_{report.when}", report)
    return report


def _test_failed(node: Any) -> bool:
    rep = getattr(node, "_sitegen_rep_call", None)
    return bool(rep is not None and rep.failed)


# --------------------------------------------------------------------------
# Static HTTP server (Python, threaded) for browser tests that don't need nginx
# --------------------------------------------------------------------------


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serve ``directory`` under a URL prefix; 404s use ``<root>/404.html`` if present."""

    url_prefix = "/"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def _strip_prefix(self) -> str | None:
        path = urllib.parse.urlsplit(self.path).path
        if path == self.url_prefix.rstrip("/") and self.url_prefix != "/":
            return None
        if not path.startswith(self.url_prefix):
            return ""
        return "/" + path[len(self.url_prefix) :]

    def send_head(self) -> Any:
        rest = self._strip_prefix()
        if rest is None:  # "/checks" -> "/checks/"
            self.send_response(301)
            self.send_header("Location", self.url_prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if rest == "":
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        rest = self._strip_prefix() or "/"
        return super().translate_path(rest)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture
def static_server() -> Iterator[Callable[..., str]]:
    """Factory ``static_server(root, prefix="/") -> base URL`` (ends with the prefix).

    Starts a threaded Python HTTP server on a free 127.0.0.1 port; all servers
    started by a test are shut down at its teardown.
    """
    servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def start(root: Path | str, prefix: str = "/") -> str:
        root = Path(root).resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"static_server root is not a folder: {root}")
        norm = _normalise_prefix(prefix)
        handler = type(
            "Handler",
            (_PrefixHandler,),
            {"url_prefix": norm},
        )
        handler_factory = functools.partial(handler, directory=str(root))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_factory)
        httpd.daemon_threads = True
        thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="static_server", daemon=True
        )
        thread.start()
        servers.append((httpd, thread))
        return f"http://127.0.0.1:{httpd.server_address[1]}{norm}"

    yield start
    for httpd, thread in servers:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------
# nginx
# --------------------------------------------------------------------------

_NGINX_CONF = """\
{user_line}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile off;
    absolute_redirect off;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location = /.nginx-probe {{ return 200 "{token}"; }}
        location {subpath} {{
            alias {root}/;
            index index.html;
        }}
        error_page 404 {subpath}404.html;
{extra}
    }}
}}
"""


def _nginx_conf(tmp: Path, root: Path, subpath: str, port: int, extra: str) -> str:
    """The config of one test server; its probe answers with the temp folder's name."""
    user_line = "user root root;\n" if os.geteuid() == 0 else ""
    return _NGINX_CONF.format(
        user_line=user_line,
        tmp=tmp,
        mime_types=MIME_TYPES,
        port=port,
        subpath=subpath,
        root=str(root).rstrip("/"),
        extra=extra,
        token=tmp.name,
    )


def _answers_as(port: int, token: str) -> bool:
    """Whether the server on ``port`` is the nginx given ``token``, not a process that took the port."""
    probe = f"http://127.0.0.1:{port}/.nginx-probe"
    with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=2) as response:
        return bool(response.read().decode() == token)
    return False


@pytest.fixture
def nginx_server() -> Iterator[Callable[..., str]]:
    """Factory ``nginx_server(root, subpath="/checks/", extra="") -> base URL``.

    Runs Debian's nginx in the foreground with its own prefix/temp folder,
    serving ``root`` at ``http://127.0.0.1:PORT/checks/`` (``alias``),
    ``index index.html`` and ``error_page 404 /checks/404.html``. ``extra`` is
    raw config inserted in the ``server {}`` block. Stopped at teardown.
    """
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []
    tmpdirs: list[tempfile.TemporaryDirectory[str]] = []

    def start(root: Path | str, subpath: str = "/checks/", extra: str = "") -> str:
        require_tool("nginx", NGINX.is_file() and MIME_TYPES.is_file(), APT_HINT)
        root = Path(root).resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"nginx_server root is not a folder: {root}")
        norm = _normalise_prefix(subpath)
        td = tempfile.TemporaryDirectory(prefix="sitegen-nginx-")
        tmpdirs.append(td)
        tmp = Path(td.name)
        last_log = ""
        for _attempt in range(3):  # retry if the free port got taken meanwhile
            port = free_port()
            conf = tmp / "nginx.conf"
            conf.write_text(_nginx_conf(tmp, root, norm, port, extra))
            log = tmp / "error.log"
            log.write_text("")
            proc = subprocess.Popen(
                [str(NGINX), "-p", str(tmp), "-c", str(conf), "-e", str(log)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if wait_for_port(port, timeout=0.2) and _answers_as(port, tmp.name):
                    procs.append((proc, tmp))
                    return f"http://127.0.0.1:{port}{norm}"
            _stop(proc)
            last_log = log.read_text(errors="replace")
            if "Address already in use" not in last_log:
                break
        raise RuntimeError(f"nginx did not start (conf {conf}):\n{last_log}")

    def _stop(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.terminate()  # SIGTERM: fast shutdown
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    yield start
    for proc, _tmp in procs:
        _stop(proc)
    for td in tmpdirs:
        td.cleanup()


# --------------------------------------------------------------------------
# Nu Html Checker (vnu.jar)
# --------------------------------------------------------------------------


def _require_vnu() -> str:
    java = shutil.which("java")
    require_tool("java", java is not None, APT_HINT)
    require_tool("vnu.jar", VNU_JAR.is_file(), f"{VNU_JAR} missing; {NPM_HINT}")
    assert java is not None
    return java


def vnu_check(paths: Sequence[Path | str], extra_args: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Validate HTML files with vnu.jar in one java run; return error messages.

    Each message is vnu's JSON dict (``type``, ``url``, ``message``,
    ``lastLine``, ``extract`` ...); ``url`` is ``file:/abs/path``. Only
    ``type == "error"`` messages are returned. Raises if vnu could not check a
    file (``non-document-error``) or printed no JSON.
    """
    java = _require_vnu()
    files = [str(Path(p).resolve()) for p in paths]
    if not files:
        return []
    cmd = [
        java,
        "-jar",
        str(VNU_JAR),
        "--format",
        "json",
        "--errors-only",
        "--stdout",
        *extra_args,
        *files,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"vnu.jar printed no JSON (exit {proc.returncode}):\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
        ) from exc
    messages: list[dict[str, Any]] = data.get("messages", [])
    broken = [m for m in messages if m.get("type") == "non-document-error"]
    if broken:
        raise RuntimeError(f"vnu.jar could not check some files: {broken}")
    return [m for m in messages if m.get("type") == "error"]


def format_vnu(messages: Sequence[dict[str, Any]]) -> str:
    """One line per vnu message, for assertion messages."""
    return "\n".join(
        f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m.get('message', '')}" for m in messages
    )


@pytest.fixture
def vnu() -> Callable[..., list[dict[str, Any]]]:
    """The :func:`vnu_check` function, after require_tool()-ing java and vnu.jar."""
    _require_vnu()
    return vnu_check


# --------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------


@functools.cache
def _read_axe() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_source() -> str:
    """The text of axe.min.js (require_tool()s it)."""
    require_tool("axe-core", AXE_JS.is_file(), f"{AXE_JS} missing; {NPM_HINT}")
    return _read_axe()


def run_axe(
    page: Page,
    tags: Sequence[str] = AXE_TAGS,
    options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Inject axe-core into ``page`` and return ``axe.run`` violations for WCAG 2.x A/AA.

    A page with a strict Content-Security-Policy blocks the injected script:
    open it in a context with ``bypass_csp=True``.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            raise RuntimeError("axe-core did not load (CSP? use new_page(bypass_csp=True))")
    opts: dict[str, Any] = {"runOnly": {"type": "tag", "values": list(tags)}}
    if options:
        opts.update(options)
    result: list[dict[str, Any]] = page.evaluate(
        "async (opts) => (await axe.run(document, opts)).violations", opts
    )
    return result


def format_axe(violations: Sequence[dict[str, Any]]) -> str:
    """One block per axe violation (rule, impact, offending targets), for asserts."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} -> {targets[:5]}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Chromium via Playwright
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium launched once per session via Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None  # type: ignore[assignment]
    require_tool("playwright (Python)", sync_playwright is not None, "pip install '.[test]'")
    require_tool("chromium", CHROMIUM.is_file(), APT_HINT)
    assert sync_playwright is not None
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    try:
        yield b
    finally:
        b.close()
        pw.stop()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Factory ``new_page(**context_kwargs) -> Page``, each in a fresh context.

    ``context_kwargs`` go to ``browser.new_context`` (e.g.
    ``java_script_enabled=False``, ``viewport={...}``, ``bypass_csp=True``).
    When the test fails, what each page logged (console, page errors, failed
    requests) is printed into the test's report and a full-page screenshot of
    each page is saved under ``test-output/<test-name>/``; contexts are closed
    at teardown.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    console: list[str] = []

    def make(**context_kwargs: Any) -> Page:
        ctx = browser.new_context(**context_kwargs)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        number = len(pages)
        page.on("console", lambda message: console.append(f"page{number} {message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"page{number} pageerror: {error}"))
        page.on("requestfailed", lambda r: console.append(f"page{number} failed: {r.url} {r.failure}"))
        pages.append(page)
        return page

    yield make
    if _test_failed(request.node):
        # What the pages said goes into the test's report, so a failure on a CI machine explains itself.
        print("\n".join(["browser console:", *console]))
        out = ARTIFACTS_ROOT / _safe_name(request.node.name)
        out.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(pages):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(out / f"failure-page{i}.png"), full_page=True)
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A fresh Playwright page (new browser context, JavaScript on)."""
    return new_page()
