"""Cold builds render on every core; the output and the errors are the same as in one process.

Workers are forked only from a single-threaded process (the test runner's browser driver
adds a thread), so each build here runs in a fresh interpreter, as `sitegen build` does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import REPO_ROOT, event, story

BUILD = """
import json, sys
from pathlib import Path
import sitegen.writing.write as write
from sitegen.build import Builder
write.PARALLEL_MIN_FILES = int(sys.argv[3])
pools = []
real_context = write.multiprocessing.get_context
write.multiprocessing.get_context = lambda method: pools.append(method) or real_context(method)
result = Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False).build()
print(json.dumps({"ok": result.ok, "pools": pools,
                  "problems": [[d.path, d.line, d.message] for d in result.diagnostics]}))
"""


def build_in_fresh_process(site: Path, output: Path, parallel: bool) -> dict:
    """Build as a new process would, with workers from the first file or never."""
    threshold = "1" if parallel else str(10**9)
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(site), str(output), threshold],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def site_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def many_entries(write_site: Callable[..., Path]) -> Path:
    files = {"content/s/_index.md": story()}
    for number in range(30):
        files[f"content/s/e{number:02d}.md"] = event(f"2024-01-{number % 28 + 1:02d}", f"Entry {number}")
    return write_site(files)


def test_workers_write_the_same_bytes_as_one_process(many_entries: Path, tmp_path: Path) -> None:
    serial = build_in_fresh_process(many_entries, tmp_path / "serial", parallel=False)
    parallel = build_in_fresh_process(many_entries, tmp_path / "parallel", parallel=True)
    assert serial == {"ok": True, "pools": [], "problems": []}
    assert parallel == {"ok": True, "pools": ["fork"], "problems": []}
    assert site_files(tmp_path / "parallel") == site_files(tmp_path / "serial")


def test_a_template_error_in_a_worker_is_reported_with_its_file(many_entries: Path) -> None:
    output = many_entries / "public"
    assert build_in_fresh_process(many_entries, output, parallel=True)["ok"]
    before = site_files(output)
    (many_entries / "layouts").mkdir()
    (many_entries / "layouts/entry.html").write_text("{{ entry.no_such_field.deeper }}\n")
    result = build_in_fresh_process(many_entries, output, parallel=True)
    assert result["pools"] == ["fork"] and not result["ok"]
    assert [problem[:2] for problem in result["problems"]] == [["layouts/entry.html", 1]]
    assert site_files(output) == before
