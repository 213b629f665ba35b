"""Smoke tests proving the external test tools (tests/support/tools.py) work."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.tools import format_axe, format_vnu, free_port, require_tool, run_axe

VALID_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{body}</p>
</main>
</body>
</html>
"""


def fetch(url: str) -> tuple[int, str, str]:
    """GET ``url`` without following redirects: (status, body, content-type or location)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.read().decode(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        header = err.headers.get("Location") or err.headers.get("Content-Type", "")
        return err.code, err.read().decode(errors="replace"), header


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A tiny hand-written site: index, a sub-folder page and a 404 page."""
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text(VALID_HTML.format(title="Smoke home", body="Hello."))
    (root / "sub" / "index.html").write_text(VALID_HTML.format(title="Sub page", body="Sub."))
    (root / "404.html").write_text(VALID_HTML.format(title="Not found", body="No such page."))
    return root


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_require_tool_fails_in_ci_and_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("present", True)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="missing: ghost"):
        require_tool("ghost", False, "hint")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="missing: ghost"):
        require_tool("ghost", False)


def test_static_server_prefix_and_404(static_server: Callable[..., str], site: Path) -> None:
    base = static_server(site, "/checks/")
    assert base.startswith("http://127.0.0.1:") and base.endswith("/checks/")
    status, body, ctype = fetch(base)
    assert status == 200 and "Smoke home" in body and ctype.startswith("text/html")
    status, body, _ = fetch(base + "missing.html")
    assert status == 404 and "Not found" in body
    status, _, location = fetch(base + "sub")
    assert status == 301 and location.endswith("/checks/sub/")
    status, _, _ = fetch(base.replace("/checks/", "/index.html"))
    assert status == 404


def test_chromium_reads_title(
    page: Any, static_server: Callable[..., str], site: Path, artifacts_dir: Path
) -> None:
    page.goto(static_server(site, "/checks/"))
    assert page.title() == "Smoke home"
    assert page.locator("h1").inner_text() == "Smoke home"
    shot = artifacts_dir / "home.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 1000
    assert artifacts_dir.parent.name == "test-output"


def test_new_page_without_javascript(
    new_page: Callable[..., Any], static_server: Callable[..., str], tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        VALID_HTML.format(title="JS", body="<span id=x>static</span>").replace(
            "</body>", "<script>document.getElementById('x').textContent='js'</script></body>"
        )
    )
    base = static_server(tmp_path)
    with_js, without_js = new_page(), new_page(java_script_enabled=False)
    with_js.goto(base)
    without_js.goto(base)
    assert with_js.locator("#x").inner_text() == "js"
    assert without_js.locator("#x").inner_text() == "static"


def test_nginx_serves_subpath_and_404(
    nginx_server: Callable[..., str], site: Path, page: Any
) -> None:
    base = nginx_server(site)
    assert base.endswith("/checks/")
    status, body, ctype = fetch(base)
    assert status == 200 and "Smoke home" in body and ctype.startswith("text/html")
    status, body, _ = fetch(base + "index.html")
    assert status == 200 and "Smoke home" in body
    status, body, _ = fetch(base + "sub/")
    assert status == 200 and "Sub page" in body
    status, _, location = fetch(base + "sub")
    assert status == 301 and location.endswith("/checks/sub/")
    status, body, ctype = fetch(base + "no/such/page.html")
    assert status == 404 and "Not found" in body and ctype.startswith("text/html")
    page.goto(base + "sub/")
    assert page.title() == "Sub page"


def test_vnu_reports_invalid_only(vnu: Callable[..., list[dict[str, Any]]], tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(VALID_HTML.format(title="Valid", body="Fine."))
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html><head></head><body><p>bad</span><blink>x</body></html>\n")
    errors = vnu([good, bad])
    urls = {m["url"] for m in errors}
    assert urls == {bad.as_uri().replace("file:///", "file:/")}, format_vnu(errors)
    assert any("title" in m["message"] for m in errors), format_vnu(errors)
    assert vnu([good]) == []


def test_axe_flags_missing_alt_only(
    page: Any, static_server: Callable[..., str], tmp_path: Path
) -> None:
    img = (
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=='"
        " width='10' height='10'{alt}>"
    )
    (tmp_path / "bad.html").write_text(VALID_HTML.format(title="Bad", body=img.format(alt="")))
    (tmp_path / "good.html").write_text(
        VALID_HTML.format(title="Good", body=img.format(alt=" alt='A dot'"))
    )
    base = static_server(tmp_path)
    page.goto(base + "bad.html")
    violations = run_axe(page)
    assert [v["id"] for v in violations] == ["image-alt"], format_axe(violations)
    page.goto(base + "good.html")
    violations = run_axe(page)
    assert violations == [], format_axe(violations)
