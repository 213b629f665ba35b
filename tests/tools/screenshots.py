"""Regenerate docs/screenshots/: the example site's pages at desktop and phone widths.

    PYTHONPATH=. python -m tests.tools.screenshots

Builds the example site into a temporary folder, serves it locally and photographs
the timeline, an entry, search (with a query) and the 404 page with Debian's
chromium (/usr/bin/chromium, or $SITEGEN_CHROMIUM), so a reviewer sees the design
without building anything.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitegen.build import Builder

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "mobile": 390}
PAGES = {
    "timeline": "trump-putin-call/",
    "entry": "trump-putin-call/peskov-denial/",
    "search": "search/?q=Peskov",
    "404": "404.html",
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    """Build, serve and photograph every page at every width."""
    with tempfile.TemporaryDirectory() as tmp:
        public = Path(tmp) / "public"
        result = Builder(ROOT, public, base_url="http://127.0.0.1/").build()
        if not result.ok:
            print("\n".join(d.format() for d in result.diagnostics), file=sys.stderr)
            return 1
        handler = functools.partial(QuietHandler, directory=str(public))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        OUT.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
                for device, width in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": 900},
                                            device_scale_factor=1)
                    for name, path in PAGES.items():
                        page.goto(base + path, wait_until="networkidle")
                        page.wait_for_timeout(300)
                        target = OUT / f"{name}-{device}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(f"wrote {target.relative_to(ROOT)}")
                    page.close()
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
