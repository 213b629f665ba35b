"""`sitegen serve` over real HTTP: what it serves, what it refuses, and how it rebuilds.

Each test starts the real command in a subprocess on a port the OS picks
(`--port 0`, read back from its log), edits files as an editor would, and
polls with deadlines instead of sleeping.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.preview import watch
from sitegen.preview.serve import UNSATISFIABLE, BadRequest, byte_range, host_allowed, inject, request_file
from tests.support.sites import event, statement, story

SPEAKER = "---\nname: Dmitry Peskov\ntype: person\n---\n\nKremlin spokesman.\n"


def basic_files() -> dict[str, str]:
    """A small site: two stories, a speaker, a static folder."""
    return {
        "content/_speakers/dmitry-peskov.md": SPEAKER,
        "content/alpha/_index.md": story("Alpha story"),
        "content/alpha/first.md": event("2024-11-10", "First alpha event", "tags: [kremlin]\n"),
        "content/alpha/second.md": statement("2024-11-11", "dmitry-peskov", "Peskov speaks"),
        "content/beta/_index.md": story("Beta story"),
        "content/beta/other.md": event("2024-01-01", "Beta event"),
        "static/robots-extra.txt": "hello static\n",
    }


def save_atomically(path: Path, text: str) -> None:
    """Write as editors do: a temp file beside the target, renamed over it."""
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, "utf-8")
    os.replace(temp, path)


class Server:
    """A running `sitegen serve` subprocess and ways to talk to it."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, errlog: Path) -> None:
        self.process = process
        self.log = log
        self.errlog = errlog
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") + self.errlog.read_text("utf-8", "replace")

    def wait_for_log(self, pattern: str, timeout: float = 30.0, count: int = 1) -> re.Match[str]:
        """Wait until the log matches `pattern` at least `count` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = list(re.finditer(pattern, self.output()))
            if len(found) >= count:
                return found[count - 1]
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} in the server's log:\n{self.output()}")

    def builds(self) -> int:
        """How many builds (good or failed) the server has finished so far."""
        return len(re.findall(r"rebuilt in|build failed", self.output()))

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a raw request: the path goes on the wire exactly as given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            all_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            for name, value in all_headers.items():
                if value is not None:
                    connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, str]:
        status, _, body = self.request(path)
        return status, body.decode("utf-8", "replace")

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; server log:\n{self.output()}")

    def errors(self) -> list[dict[str, Any]]:
        _, body = self.get("/__sitegen/errors")
        return list(json.loads(body)["errors"])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Factory `serve(site, *flags) -> Server`, started and built; every server is stopped at teardown."""
    servers: list[Server] = []

    def start(site: Path, *flags: str, ready: bool = True) -> Server:
        number = len(servers)
        log, errlog = tmp_path / f"serve{number}.out", tmp_path / f"serve{number}.err"
        with log.open("wb") as out, errlog.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "sitegen", "serve", "--source", str(site), "--port", "0", *flags],
                stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            )
        server = Server(process, log, errlog)
        servers.append(server)
        if ready:
            url = server.wait_for_log(r"serving .* at http://[^:]+:(\d+)/")
            server.port = int(url.group(1))
            server.wait_for_log(r"watching content/")
        return server

    yield start
    for server in servers:
        server.stop()


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------


def test_html_gets_the_script_and_exact_length(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    status, headers, body = server.request("/alpha/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(body)
    text = body.decode()
    assert "First alpha event" in text
    assert re.search(r'<script src="/__sitegen/livereload.js"[^>]*></script>\n</body>', text)

    status, headers, body = server.request("/assets/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"livereload" not in body and int(headers["Content-Length"]) == len(body)

    status, headers, body = server.request("/__sitegen/livereload.js")
    assert status == 200 and b"EventSource" in body


def test_head_matches_get_without_a_body(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    _, get_headers, get_body = server.request("/alpha/first/")
    status, headers, body = server.request("/alpha/first/", method="HEAD")
    assert status == 200 and body == b""
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))


def test_a_video_is_served_in_the_byte_ranges_a_player_asks_for(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    # Safari plays <video> and <audio> only from a server that answers ranges; every player
    # seeks with them.
    site = write_site(basic_files())
    clip = bytes(range(256)) * 40
    (site / "static" / "clip.mp4").write_bytes(clip)
    server = serve(site)
    status, headers, body = server.request("/clip.mp4")
    assert (status, headers["Accept-Ranges"], body) == (200, "bytes", clip)
    status, headers, body = server.request("/clip.mp4", headers={"Range": "bytes=1000-1999"})
    assert (status, headers["Content-Range"], body) == (206, f"bytes 1000-1999/{len(clip)}", clip[1000:2000])
    assert headers["Content-Type"] == "video/mp4" and headers["Content-Length"] == "1000"
    assert server.request("/clip.mp4", headers={"Range": "bytes=-16"})[2] == clip[-16:]
    assert server.request("/clip.mp4", headers={"Range": "bytes=10000-"})[2] == clip[10000:]
    status, headers, body = server.request("/clip.mp4", headers={"Range": f"bytes={len(clip)}-"})
    assert (status, headers["Content-Range"], body) == (416, f"bytes */{len(clip)}", b"")
    status, headers, body = server.request("/clip.mp4", method="HEAD", headers={"Range": "bytes=0-9"})
    assert (status, headers["Content-Length"], body) == (206, "10", b"")
    # Pages get the live-reload script, so their bytes differ from the file's: always whole.
    status, headers, _ = server.request("/alpha/first/", headers={"Range": "bytes=0-9"})
    assert status == 200 and "Accept-Ranges" not in headers


def test_byte_ranges_follow_rfc_9110() -> None:
    assert byte_range(None, 100) is None
    assert byte_range("bytes=0-0", 100) == (0, 0)
    assert byte_range("bytes=90-500", 100) == (90, 99)  # clipped to the end
    assert byte_range("bytes=-500", 100) == (0, 99)
    assert byte_range("bytes=100-", 100) == UNSATISFIABLE
    assert byte_range("bytes=-0", 100) == UNSATISFIABLE
    # Answered whole: several ranges, another unit, a last byte before the first, nonsense.
    for header in ("bytes=0-1,5-6", "items=0-1", "bytes=9-3", "bytes=-", "bytes=a-b"):
        assert byte_range(header, 100) is None, header


def test_folders_redirect_to_slash_and_missing_pages_get_404(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    files = {**basic_files(), "static/звіти/index.html": "<p>reports</p>",
             "static/what?/index.html": "<p>?</p>", "static/100%/index.html": "<p>all</p>"}
    server = serve(write_site(files))
    status, headers, _ = server.request("/alpha?x=1")
    assert status == 301 and headers["Location"] == "/alpha/?x=1"
    # The folder's name goes back encoded: a header is Latin-1, and `?` there would be a query.
    for name, location in (("%D0%B7%D0%B2%D1%96%D1%82%D0%B8", "/%D0%B7%D0%B2%D1%96%D1%82%D0%B8/"),
                           ("what%3F", "/what%3F/"), ("100%25", "/100%25/")):
        status, headers, _ = server.request(f"/{name}")
        assert (status, headers["Location"]) == (301, location)
        assert server.get(location)[0] == 200
    status, body = server.get("/no-such-page/")
    assert status == 404 and "/__sitegen/livereload.js" in body
    assert server.get("/robots-extra.txt") == (200, "hello static\n")
    # A file is no folder, as on a real host: its relative links would break.
    assert server.get("/robots-extra.txt/")[0] == 404
    assert server.get("/alpha/index.html/")[0] == 404


def test_a_missing_page_in_a_languages_folder_gets_that_languages_404(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    config = 'title = "T"\nbase_url = "https://e.org/"\nlanguages = ["en", "uk"]\n'
    files = {**basic_files(), "sitegen.toml": config}
    server = serve(write_site(files))
    status, body = server.get("/uk/no-such-page/")
    assert status == 404 and '<html lang="uk"' in body
    status, body = server.get("/no-such-page/")
    assert status == 404 and '<html lang="en"' in body


def test_folder_without_index_is_not_listed(write_site: Callable[..., Path], serve: Any) -> None:
    files = {**basic_files(), "static/files/a-secret-name.txt": "x\n"}
    server = serve(write_site(files))
    for path in ("/files/", "/files", "/assets/"):
        status, body = server.get(path)
        assert status in (301, 404), path
        assert "a-secret-name" not in body and "Directory listing" not in body
        assert 'href="style.css"' not in body


TRAVERSALS = [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/%252e%252e/%252e%252e/%252e%252e/etc/passwd",
    "/..%5c..%5c..%5c..%5cetc/passwd",
    "/..\\..\\..\\..\\etc\\passwd",
    "/assets/..%2f..%2f..%2f..%2f..%2fetc/passwd",
    "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/alpha/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/alpha/%00/../../secret.txt",
    "//etc/passwd",
    "/.%2e/secret.txt",
]


def test_path_traversal_never_leaves_the_output(
    write_site: Callable[..., Path], serve: Any, tmp_path: Path,
) -> None:
    site = write_site(basic_files())
    (tmp_path / "secret.txt").write_text("TOP-SECRET\n")
    (site / "secret.txt").write_text("TOP-SECRET\n")
    server = serve(site)
    for path in TRAVERSALS:
        status, _, body = server.request(path)
        assert status in (400, 403, 404), (path, status)
        assert b"TOP-SECRET" not in body and b"root:" not in body, path
    assert server.get("/")[0] == 200


def test_symlink_out_of_static_is_an_error_neither_published_nor_served(
    write_site: Callable[..., Path], serve: Any, tmp_path: Path,
) -> None:
    site = write_site(basic_files())
    secret = tmp_path / "outside.txt"
    secret.write_text("TOP-SECRET\n")
    (site / "static" / "leak.txt").symlink_to(secret)
    (site / "static" / "passwd").symlink_to("/etc/passwd")
    server = serve(site)
    for path in ("/leak.txt", "/passwd"):
        status, _, body = server.request(path)
        assert status in (404, 503) and b"TOP-SECRET" not in body and b"root:" not in body
    assert "static/leak.txt:1:1: error: this is a symbolic link to" in server.output()


def test_foreign_host_headers_are_refused(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    port = server.port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}",
                 f"localhost:{port + 1}", f"localhost:{port}@evil.example", ""):
        status, _, body = server.request("/", headers={"Host": host})
        assert status == 400, host
        assert b"First alpha" not in body
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert server.request("/", headers={"Host": host})[0] == 200, host
    status, _, _ = server.request("/__sitegen/events", headers={"Host": "evil.example"})
    assert status == 400
    # A target written whole (RFC 9112 absolute-form): its authority is the host that counts.
    whole = f"http://127.0.0.1:{port}"
    status, _, body = server.request(f"{whole}/alpha/first/", headers={"Host": "evil.example"})
    assert status == 200 and b"First alpha" in body
    assert server.request(whole, headers={"Host": None})[0] == 200  # type: ignore[dict-item]
    assert server.request(f"http://evil.example:{port}/", headers={"Host": f"127.0.0.1:{port}"})[0] == 400


def test_malformed_requests_do_not_hurt_the_server(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    for raw in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                b"GET /%ff%fe HTTP/1.1\r\nHost: 127.0.0.1:" + str(server.port).encode() + b"\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"y" * 70000 + b"\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        # The standard library answers one-word request lines HTTP/0.9-style, without a status line.
        assert b" 200 " not in reply.split(b"\r\n")[0] and b"First alpha" not in reply
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass  # a connection closed without a request
    assert server.get("/")[0] == 200
    assert server.process.poll() is None
    assert "Traceback" not in server.output()


def test_request_file_normalises_and_rejects() -> None:
    assert request_file("/") == ("", True)
    assert request_file("/alpha/first/?x=1#y") == ("alpha/first", True)
    assert request_file("/tags/%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F/") == ("tags/россия", True)
    assert request_file("//alpha//first") == ("alpha/first", False)
    assert request_file("/%252e%252e/x") == ("%2e%2e/x", False)
    for bad in ("/../x", "/%2e%2e/x", "/a/..%2fx", "/a%5cb", "/a\\b", "/a%00b", "/%ff", "x", "/./x"):
        with pytest.raises(BadRequest):
            request_file(bad)


def test_host_allowed_rules() -> None:
    assert host_allowed("127.0.0.1:8000", "127.0.0.1", 8000)
    assert host_allowed("localhost:8000", "127.0.0.1", 8000)
    assert host_allowed("[::1]:8000", "127.0.0.1", 8000)
    assert host_allowed("192.168.1.5:8000", "0.0.0.0", 8000)
    assert host_allowed("preview.lan:8000", "preview.lan", 8000)
    assert host_allowed("localhost", "127.0.0.1", 80)
    assert not host_allowed("localhost", "127.0.0.1", 8000)
    assert not host_allowed("evil.example:8000", "127.0.0.1", 8000)
    assert not host_allowed("localhost:8001", "127.0.0.1", 8000)
    assert not host_allowed("[::1]x:8000", "127.0.0.1", 8000)
    assert not host_allowed(None, "127.0.0.1", 8000)


def test_inject_before_the_last_body_tag() -> None:
    tag = b"<script></script>"
    assert inject(b"<p></body></p></BODY>", tag) == b"<p></body></p><script></script></BODY>"
    assert inject(b"<p>no body", tag) == b"<p>no body<script></script>"


# ---------------------------------------------------------------------------
# Binding and the process
# ---------------------------------------------------------------------------


def listening_addresses(port: int) -> set[str]:
    """The local addresses of sockets listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


def other_local_ipv4() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_binds_to_loopback_only_by_default(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    assert f"at http://127.0.0.1:{server.port}/" in server.output()
    if sys.platform.startswith("linux"):
        assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, little-endian hex
    address = other_local_ipv4()
    if address is not None:
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=2).close()
    assert "warning: serving on" not in server.output()


def test_other_host_warns(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()), "--host", "0.0.0.0")
    assert "warning: serving on 0.0.0.0" in server.output()
    assert server.get("/")[0] == 200


def test_port_taken_is_a_clear_message(write_site: Callable[..., Path]) -> None:
    site = write_site(basic_files())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "serve", "--source", str(site), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["ctrl-c", "kill", "terminal closed"])
def test_ctrl_c_stops_cleanly_and_public_is_untouched(
    write_site: Callable[..., Path], serve: Any, stop: signal.Signals,
) -> None:
    site = write_site(basic_files())
    server = serve(site)
    private = Path(server.wait_for_log(r"private folder (\S+), removed").group(1).rstrip(","))
    assert (private / "index.html").is_file()
    server.process.send_signal(stop)
    assert server.process.wait(timeout=10) == 0
    assert "stopping" in server.output() and "Traceback" not in server.output()
    assert not private.exists()
    assert not (site / "public").exists()


def test_drafts_are_previewed_only_with_the_flag(write_site: Callable[..., Path], serve: Any) -> None:
    files = {**basic_files(), "content/alpha/secret.md": event("2024-11-12", "Draft event", "draft: true\n")}
    site = write_site(files)
    plain = serve(site)
    assert plain.get("/alpha/secret/")[0] == 404
    with_drafts = serve(site, "--drafts")
    status, body = with_drafts.get("/alpha/secret/")
    assert status == 200 and "Draft event" in body and "this build includes drafts" in body


# ---------------------------------------------------------------------------
# Rebuilding
# ---------------------------------------------------------------------------


def test_the_first_build_is_served_when_done_and_an_edit_saved_meanwhile_is_not_lost(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    """As with `hugo server`, the server answers once its first build is done (built first,
    it renders on every core): a browser asking meanwhile gets the page, not a placeholder,
    and a file saved while the build ran is built as soon as the watcher is up."""
    import threading

    site = write_site(basic_files())
    server = serve(site, ready=False)
    server.port = int(server.wait_for_log(r"serving .* at http://[^:]+:(\d+)/").group(1))
    answers: list[int] = []
    asking = threading.Thread(target=lambda: answers.append(server.get("/alpha/first/")[0]))
    asking.start()
    save_atomically(site / "content/beta/other.md", event("2024-01-01", "Saved while it built"))
    asking.join(timeout=30)
    assert answers == [200]
    server.wait_until(lambda: "Saved while it built" in server.get("/beta/other/")[1], "the edit")


def test_a_site_broken_from_the_start_says_there_is_no_good_build_yet(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    files = {**basic_files(), "content/alpha/first.md": "---\nkind: evnt\ndate: 2024-11-10\ntitle: T\n---\n"}
    site = write_site(files)
    server = serve(site, ready=False)
    server.port = int(server.wait_for_log(r"serving .* at http://[^:]+:(\d+)/").group(1))
    server.wait_for_log("build failed")
    assert "nothing to serve until it builds" in server.output()
    assert "last good build" not in server.output()
    status, body = server.get("/alpha/first/")
    assert status == 503 and "The site has errors" in body
    heading = json.loads(server.get("/__sitegen/errors")[1])["heading"]
    assert heading.startswith("The site has 1 error and no good build yet.")
    save_atomically(site / "content/alpha/first.md", event("2024-11-10", "Fixed at last"))
    server.wait_until(lambda: "Fixed at last" in server.get("/alpha/first/")[1], "the fix")


def test_atomic_save_rebuilds_and_errors_keep_the_last_good_build(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    site = write_site(basic_files())
    server = serve(site)
    entry = site / "content/alpha/first.md"

    save_atomically(entry, event("2024-11-10", "Renamed alpha event", "tags: [kremlin]\n"))
    server.wait_until(lambda: "Renamed alpha event" in server.get("/alpha/first/")[1], "the edit")
    log = server.output()
    assert "changed: content/alpha/first.md" in log and "first.md.tmp" not in log
    assert re.search(r"rebuilt in \d+ ms: \d+ page\(s\) re-rendered", log)

    entry.write_text("---\nkind: event\ndate: 2024-11-10\ntitle: [broken\n---\n\nBody.\n")
    server.wait_until(lambda: server.errors() != [], "the error to be reported")
    [error] = server.errors()
    assert error["path"] == "content/alpha/first.md" and error["line"] >= 4  # where YAML noticed
    assert f"content/alpha/first.md:{error['line']}:{error['column']}: error: " in server.output()
    assert "still serving the last good build" in server.output()
    for path in ("/alpha/first/", "/alpha/", "/beta/other/"):
        assert server.get(path)[0] == 200
    assert "Renamed alpha event" in server.get("/alpha/first/")[1]

    save_atomically(entry, event("2024-11-10", "Fixed alpha event"))
    server.wait_until(lambda: "Fixed alpha event" in server.get("/alpha/first/")[1], "the fix")
    # The files are swapped in first and announced after, so the errors clear a moment later.
    server.wait_until(lambda: server.errors() == [], "the errors to clear")


def test_an_edit_while_a_layout_is_broken_is_not_mixed_into_the_last_good_build(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    # The edited entry's pages were shown first, before the build failed on the layout: the
    # preview said "the last good build" and served half of the next one under it.
    site = write_site(basic_files())
    server = serve(site)
    (site / "layouts").mkdir()
    (site / "layouts/speaker.html").write_text(
        '{% extends "theme/speaker.html" %}\n{% block main %}{{ speaker.nope }}{% endblock %}\n')
    server.wait_until(lambda: server.errors() != [], "the layout's error")
    save_atomically(site / "content/alpha/first.md", event("2024-11-10", "Edited while broken"))
    server.wait_until(lambda: "changed: content/alpha/first.md" in server.output()
                      and server.output().count("build failed") >= 2, "the second failed build")
    assert server.errors() != []
    for path in ("/alpha/first/", "/alpha/"):
        assert "Edited while broken" not in server.get(path)[1], path
    (site / "layouts/speaker.html").unlink()
    server.wait_until(lambda: "Edited while broken" in server.get("/alpha/first/")[1], "the fixed build")
    server.wait_until(lambda: server.errors() == [], "the errors to clear")


def test_new_deleted_and_renamed_files_and_folders(write_site: Callable[..., Path], serve: Any) -> None:
    site = write_site(basic_files())
    server = serve(site)
    (site / "content/gamma").mkdir()
    (site / "content/gamma/_index.md").write_text(story("Gamma story"))
    (site / "content/gamma/g1.md").write_text(event("2024-05-01", "Gamma event"))
    server.wait_until(lambda: server.get("/gamma/g1/")[0] == 200, "a new story folder")

    os.rename(site / "content/gamma/g1.md", site / "content/gamma/g2.md")
    server.wait_until(lambda: server.get("/gamma/g2/")[0] == 200 and server.get("/gamma/g1/")[0] == 404,
                      "a renamed entry")
    os.rename(site / "content/gamma", site / "content/delta")
    server.wait_until(lambda: server.get("/delta/g2/")[0] == 200 and server.get("/gamma/")[0] == 404,
                      "a renamed story folder")
    (site / "content/beta/other.md").unlink()
    server.wait_until(lambda: server.get("/beta/other/")[0] == 404, "a deleted entry")


def test_a_layouts_folder_created_while_serving_is_used(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    site = write_site(basic_files())
    server = serve(site)
    css = site / "layouts" / "assets" / "style.css"
    css.parent.mkdir(parents=True)
    save_atomically(css, "body { color: rgb(9, 9, 9) }\n")
    server.wait_until(lambda: "rgb(9, 9, 9)" in server.get("/assets/style.css")[1], "the new stylesheet")
    save_atomically(css, "body { color: rgb(8, 8, 8) }\n")
    server.wait_until(lambda: "rgb(8, 8, 8)" in server.get("/assets/style.css")[1], "its next edit")


def test_editor_temp_files_do_not_trigger_builds(write_site: Callable[..., Path], serve: Any) -> None:
    site = write_site(basic_files())
    server = serve(site)
    before = server.builds()
    for name in (".#first.md", "first.md~", "#first.md#", ".first.md.swp", "4913", "x.tmp"):
        (site / "content/alpha" / name).write_text("junk")
    (site / "README.md").write_text("not part of the site")
    # A real change afterwards proves the watcher was alive; only it may build.
    (site / "content/alpha/first.md").write_text(event("2024-11-10", "After the junk"))
    server.wait_for_log(r"rebuilt in", count=before + 1)
    assert "After the junk" in server.get("/alpha/first/")[1]
    assert server.builds() == before + 1, server.output()
    assert "changed: content/alpha/first.md\n" in server.output()


def test_a_burst_of_changes_is_one_rebuild(write_site: Callable[..., Path], serve: Any) -> None:
    site = write_site(basic_files())
    server = serve(site)
    before = server.builds()
    for number in range(150):  # what a `git checkout` does to a story
        (site / f"content/beta/many-{number:03d}.md").write_text(event("2024-02-01", f"Many {number}"))
    server.wait_until(lambda: server.get("/beta/many-149/")[0] == 200, "the burst")
    assert server.builds() - before <= 2, server.output()


def read_events(
    server: Server, epoch: int, serverid: str, count: int, page: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield `count` messages from the event stream, as the page at URL path `page` hears them."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    shown = f"&page={page}" if page is not None else ""
    connection.request("GET", f"/__sitegen/events?epoch={epoch}&server={serverid}{shown}")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
    try:
        for _ in range(count):
            data = ""
            while (line := response.fp.readline().decode()) != "\n":
                if line.startswith("data: "):
                    data = line[6:]
            if data:
                yield json.loads(data)
    finally:
        connection.close()


def test_event_stream_says_css_for_stylesheets_and_reload_otherwise(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    files = {**basic_files(), "static/extra.css": "body { color: red }\n"}
    site = write_site(files)
    server = serve(site)
    page = server.get("/alpha/")[1]
    epoch, serverid = re.search(r'data-epoch="(\d+)" data-server="(\w+)"', page).groups()  # type: ignore[union-attr]
    stream = read_events(server, int(epoch), serverid, 3)
    assert next(stream)["action"] == "none"
    (site / "static/extra.css").write_text("body { color: blue }\n")
    message = next(stream)
    assert message["action"] == "css" and message["css"] == ["extra.css"]
    (site / "content/alpha/first.md").write_text(event("2024-11-10", "Edited"))
    assert next(stream)["action"] == "reload"
    stale = next(read_events(server, 0, "another-server", 1))
    assert stale["action"] == "reload"


def test_an_edit_reloads_the_pages_it_changed_once_and_leaves_the_others_be(
    write_site: Callable[..., Path], serve: Any,
) -> None:
    site = write_site(basic_files())
    server = serve(site)
    page = server.get("/alpha/first/")[1]
    epoch, serverid = re.search(r'data-epoch="(\d+)" data-server="(\w+)"', page).groups()  # type: ignore[union-attr]
    edited = read_events(server, int(epoch), serverid, 2, page="/alpha/first/")
    elsewhere = read_events(server, int(epoch), serverid, 2, page="/beta/")
    unknown = read_events(server, int(epoch), serverid, 2)
    for stream in (edited, elsewhere, unknown):
        assert next(stream)["action"] == "none"
    edit = event("2024-11-10", "First, edited", "tags: [kremlin]\n")
    save_atomically(site / "content/alpha/first.md", edit)
    server.wait_for_log(r"rebuilt in \d+ ms: \d+ page\(s\) re-rendered, \d+ shown first")
    first = next(edited)
    assert first["action"] == "reload"
    # The entry's page was published first, then the rest of its story's pages, then the rest
    # of the build: three builds' news, and the edited page, reloaded at the first, is not
    # reloaded again by the others.
    latest = next(read_events(server, first["epoch"], serverid, 1, page="/alpha/first/"))
    assert latest["epoch"] == int(epoch) + 3 and latest["action"] == "none"
    assert next(elsewhere)["action"] == "none"
    assert next(unknown)["action"] == "reload"
    assert next(read_events(server, int(epoch), serverid, 1, page="/alpha/"))["action"] == "reload"
    # A page the site has not (yet) is the 404 page: it reloads when that page appears.
    missing = read_events(server, latest["epoch"], serverid, 2, page="/alpha/third/")
    typed = read_events(server, latest["epoch"], serverid, 2, page="/alpha/third")  # no slash
    assert next(missing)["action"] == "none" and next(typed)["action"] == "none"
    save_atomically(site / "content/alpha/third.md", event("2024-11-12", "Third"))
    assert next(missing)["action"] == "reload"
    assert next(typed)["action"] == "reload"


# ---------------------------------------------------------------------------
# The watcher on its own
# ---------------------------------------------------------------------------


def test_ignored_names() -> None:
    for name in ("content/a/.#x.md", "content/a/x.md~", "content/a/#x.md#", "content/a/.x.md.swp",
                 "content/a/4913", "content/a/x.md.tmp", "static/.DS_Store", "content/.git/HEAD",
                 "layouts/x.html___jb_tmp___"):
        assert watch.is_ignored(name), name
    for name in ("content/a/x.md", "layouts/base.html", "static/a.css", "content/a/x-tmp.md"):
        assert not watch.is_ignored(name), name


def collect(tmp_path: Path, **options: Any) -> tuple[watch.Watcher, list[set[str]]]:
    calls: list[set[str]] = []
    watcher = watch.Watcher(tmp_path, calls.append, log=lambda text: calls.append({text}), **options)
    return watcher, calls


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_watcher_coalesces_and_filters(tmp_path: Path) -> None:
    (tmp_path / "content" / "s").mkdir(parents=True)
    (tmp_path / "public").mkdir()
    watcher, calls = collect(tmp_path, exclude=[tmp_path / "public"], quiet=0.1)
    watcher.start()
    try:
        for number in range(100):
            (tmp_path / f"content/s/e{number}.md").write_text("x")
        (tmp_path / "content/s/.#lock").write_text("x")
        (tmp_path / "public/index.html").write_text("x")
        (tmp_path / "other.txt").write_text("x")
        (tmp_path / "sitegen.toml").write_text("x")
        wait_for(lambda: sum(len(c) for c in calls) >= 101)
        time.sleep(0.3)  # long enough for a stray second call to show up
        changed = set().union(*calls)
        assert changed == {f"content/s/e{n}.md" for n in range(100)} | {"sitegen.toml"}
        assert len(calls) <= 2
        (tmp_path / "static").mkdir()  # created after the start: watched from then on
        wait_for(lambda: any("static" in c for c in calls))
        (tmp_path / "static/a.css").write_text("x")
        wait_for(lambda: any("static/a.css" in c for c in calls))
    finally:
        watcher.stop()


def test_watcher_falls_back_to_polling_at_the_watch_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Exhausted(watch.Observer):  # type: ignore[misc,valid-type]
        def start(self) -> None:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch, "Observer", Exhausted)
    (tmp_path / "content").mkdir()
    watcher, calls = collect(tmp_path)
    watcher.start()
    try:
        assert watcher.polling
        assert any("limit on watched files" in text for call in calls for text in call)
        (tmp_path / "content/x.md").write_text("x")
        wait_for(lambda: any("content/x.md" in c for c in calls), timeout=15)
    finally:
        watcher.stop()


def test_a_path_segment_over_255_bytes_is_not_found(write_site: Callable[..., Path], serve: Any) -> None:
    server = serve(write_site(basic_files()))
    for path in ("/" + "a" * 300, "/s/" + "%C3%A9" * 200 + "/", "/" + "b" * 256 + "/index.html",
                 "/a" * 2100):  # short segments, but past the 4,096 bytes a path may have

        status, _, _ = server.request(path)
        assert status == 404, path
    assert server.get("/")[0] == 200


def test_ctrl_c_during_the_first_build_stops_the_server(write_site: Callable[..., Path], serve: Any) -> None:
    """The first build runs before the HTTP thread starts: stopping then must not wait for a
    server loop that never ran."""
    files = basic_files()
    for number in range(60):
        files[f"content/gamma/e{number:02d}.md"] = event(f"2024-02-{number % 28 + 1:02d}", f"Gamma {number}")
    files["content/gamma/_index.md"] = story("Gamma story")
    site = write_site(files)
    server = serve(site, ready=False)
    server.wait_for_log(r"serving .* at http://")
    assert server.builds() == 0, "the build was over before the test could stop it: use more entries"
    assert server.stop() is not None  # stop() kills after 10 s: a hang shows as -9
    assert server.process.returncode == 0, server.output()
    assert "stopping" in server.output() and "watching content/" not in server.output()
