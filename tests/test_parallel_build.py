"""Cold builds render on every core; the output and the errors are the same as in one process.

Workers are forked only from a single-threaded process (the test runner's browser driver
adds a thread), so each build here runs in a fresh interpreter, as `sitegen build` does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import REPO_ROOT, event, statement, story

BUILD = """
import json, sys
from pathlib import Path
import sitegen.reading.prefetch as prefetch
import sitegen.writing.workers as workers
from sitegen.build import Builder
import sitegen.build
workers.PARALLEL_MIN_FILES = prefetch.PREFETCH_MIN_FILES = int(sys.argv[3])
if "ahead" in sys.argv[4:]:  # render while planning from the first few planned files
    workers.AHEAD_MIN_FILES, workers.AHEAD_FILES, sitegen.build.AHEAD_LOOK_EVERY = 1, 3, 1
cache = Path(sys.argv[2]).parent / "cache" if "cached" in sys.argv[4:] else None
if "nofork" in sys.argv[4:]:  # as in a container at its process limit
    import errno, os
    def refuse():
        raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
    os.fork = refuse
forked = []  # what each child was forked to do, in order
real_fork = workers.fork_job
workers.fork_job = lambda function, job: forked.append(function.__name__) or real_fork(function, job)
result = Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False, cache_dir=cache).build()
print(json.dumps({"ok": result.ok, "forked": forked,
                  "problems": [[d.path, d.line, d.message] for d in result.diagnostics]}))
"""


def build_in_fresh_process(site: Path, output: Path, parallel: bool, ahead: bool = False,
                           cached: bool = False, nofork: bool = False) -> dict:
    """Build as a new process would, with workers (reading, then rendering) from the first file
    or never; `ahead` renders while planning too, from the first planned files; `cached` keeps
    a build cache beside the output."""
    threshold = "1" if parallel else str(10**9)
    flags = [flag for flag, wanted in (("ahead", ahead), ("cached", cached), ("nofork", nofork)) if wanted]
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(site), str(output), threshold, *flags],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def phases(run: dict) -> list[str]:
    """What a build forked children for, each phase once, in order."""
    names = {"_read_chunk": "reading", "_produce_planned": "rendering while planning",
             "_produce_chunk": "rendering"}
    return [names.get(name, name) for name in dict.fromkeys(run["forked"])]


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
    assert serial == {"ok": True, "forked": [], "problems": []}
    assert parallel["ok"] and not parallel["problems"]
    assert phases(parallel) == ["reading", "rendering"]
    assert site_files(tmp_path / "parallel") == site_files(tmp_path / "serial")


def test_pages_rendered_while_the_rest_is_planned_are_the_same_bytes(
    many_entries: Path, tmp_path: Path,
) -> None:
    """A cold build renders the first planned pages on the idle core while it plans the rest."""
    serial = build_in_fresh_process(many_entries, tmp_path / "serial", parallel=False)
    ahead = build_in_fresh_process(many_entries, tmp_path / "ahead", parallel=True, ahead=True, cached=True)
    assert serial["ok"] and ahead["ok"] and ahead["problems"] == serial["problems"] == []
    assert phases(ahead) == ["reading", "rendering while planning", "rendering"]
    assert site_files(tmp_path / "ahead") == site_files(tmp_path / "serial")
    edited = many_entries / "content/s/e01.md"
    edited.write_text(edited.read_text().replace("Entry 1", "Entry one"))
    again = build_in_fresh_process(many_entries, tmp_path / "ahead", parallel=True, ahead=True, cached=True)
    assert again["ok"] and "rendering while planning" not in phases(again)  # a cold build's only


def test_a_system_that_will_not_start_a_process_gets_the_same_site_from_one(
    many_entries: Path, tmp_path: Path,
) -> None:
    """`fork` failing (EAGAIN at a container's process limit) is no error: one process does it all."""
    serial = build_in_fresh_process(many_entries, tmp_path / "serial", parallel=False)
    refused = build_in_fresh_process(many_entries, tmp_path / "refused", parallel=True, ahead=True,
                                     nofork=True)
    assert refused["ok"] and refused["problems"] == serial["problems"] == []
    assert set(phases(refused)) == {"reading", "rendering while planning", "rendering"}  # each tried
    assert site_files(tmp_path / "refused") == site_files(tmp_path / "serial")


@pytest.mark.parametrize("ahead", [False, True], ids=["after planning", "while planning"])
def test_a_template_error_in_a_worker_is_reported_with_its_file(many_entries: Path, ahead: bool) -> None:
    output = many_entries / "public"
    assert build_in_fresh_process(many_entries, output, parallel=True)["ok"]
    before = site_files(output)
    (many_entries / "layouts").mkdir()
    (many_entries / "layouts/entry.html").write_text("{{ entry.no_such_field.deeper }}\n")
    result = build_in_fresh_process(many_entries, output, parallel=True, ahead=ahead)
    assert not result["ok"]
    expected = ["reading", "rendering while planning"] if ahead else ["reading", "rendering"]
    assert phases(result)[:len(expected)] == expected
    assert [problem[:2] for problem in result["problems"]] == [["layouts/entry.html", 1]]
    assert site_files(output) == before


BUGGY_BUILD = """
import sys, traceback
from pathlib import Path
import sitegen.writing.workers as workers
from sitegen.build import Builder
from sitegen.rendering.render import TemplateRenderer
workers.PARALLEL_MIN_FILES = 1
real_render = TemplateRenderer.render
def render_with_a_bug(self, spec):
    if spec.url_path == "s/e07/":
        return {}["a bug in sitegen itself"]
    return real_render(self, spec)
TemplateRenderer.render = render_with_a_bug
try:
    Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False).build()
except KeyError:
    traceback.print_exc()
"""


def test_a_bug_inside_a_worker_keeps_its_own_traceback(many_entries: Path, tmp_path: Path) -> None:
    """Not a content error but sitegen's own: the parent raises the same error, with where it was."""
    done = subprocess.run(
        [sys.executable, "-c", BUGGY_BUILD, str(many_entries), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "in the worker making s/e07/index.html" in done.stderr
    assert "render_with_a_bug" in done.stderr  # the worker's frame, not only the parent's
    assert "KeyError: 'a bug in sitegen itself'" in done.stderr


def test_files_read_on_every_core_report_the_same_problems_at_the_same_lines(
    write_site: Callable[..., Path], tmp_path: Path,
) -> None:
    """Workers only parse and convert ahead; the problems are found and told by the read itself."""
    files = {"content/s/_index.md": story()}
    for number in range(12):
        files[f"content/s/e{number:02d}.md"] = event(f"2024-01-{number + 1:02d}", f"Entry {number}")
    files["content/s/e03.md"] = event("2024-13-40", "A date that is not one")
    files["content/s/e05.md"] = event("2024-01-05", "Brackets") + "[" * 600 + "\n"
    files["content/s/e07.md"] = event("2024-01-07", "A disarmed link") + "[x](javascript:alert(1))\n"
    files["content/s/e09.md"] = "---\ntitle: [unclosed\n---\nBody.\n"
    # The editorial checks run once every folder is read, and point at the field from the
    # file's front matter, which a worker's parse hands over packed (`document.pack_meta`).
    files["content/s/e10.md"] = statement("2024-01-10", "Jane Doe", "Said without a source's archive")
    site = write_site(files)
    (site / "content/s/e11.md").write_bytes(b"---\ntitle: \xff\n---\n")
    serial = build_in_fresh_process(site, tmp_path / "serial", parallel=False)
    parallel = build_in_fresh_process(site, tmp_path / "parallel", parallel=True)
    assert not serial["ok"] and len(serial["problems"]) >= 5, serial
    assert parallel["problems"] == serial["problems"]
    assert [line for path, line, message in serial["problems"]
            if path == "content/s/e10.md" and "no archived copy" in message] == [7]  # `- url:`
    assert phases(parallel) == ["reading"]  # a build with errors renders nothing


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
import sitegen.build
import sitegen.writing.workers as workers
from sitegen.build import Builder
from sitegen.rendering.render import TemplateRenderer
workers.PARALLEL_MIN_FILES = 1
if "ahead" in sys.argv[3:]:  # the child rendering while the rest is planned is the one killed
    workers.AHEAD_MIN_FILES, workers.AHEAD_FILES, sitegen.build.AHEAD_LOOK_EVERY = 1, 3, 1
    workers._produce_planned = lambda job: os.kill(os.getpid(), signal.SIGKILL)
real_render = TemplateRenderer.render
def render_until_killed(self, spec):
    if spec.url_path == "s/e07/":
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer ends a worker
    return real_render(self, spec)
TemplateRenderer.render = render_until_killed
result = Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False).build()
print(result.ok)
for d in result.diagnostics:
    print(d.format())
"""


@pytest.mark.parametrize("ahead", [False, True], ids=["after planning", "while planning"])
def test_a_worker_the_system_kills_fails_the_build_and_never_hangs_it(
    many_entries: Path, tmp_path: Path, ahead: bool,
) -> None:
    output = tmp_path / "out"
    assert build_in_fresh_process(many_entries, output, parallel=False)["ok"]
    before = site_files(output)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(many_entries), str(output), *(["ahead"] if ahead else [])],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("False"), done.stdout
    assert "a worker process stopped before it was done" in done.stdout
    assert site_files(output) == before  # the last good site is still there, whole


def test_a_preview_s_first_build_renders_on_every_core_to_the_same_bytes(
    many_entries: Path, tmp_path: Path,
) -> None:
    """`sitegen serve` builds once before it starts its threads, so its first build (every
    page of the site) forks workers as `sitegen build` does; the next ones edit in place."""
    assert "cache_dir=cache).build()" in BUILD
    script = BUILD.replace(  # workers for rendering only: the entries are read in one process
        "= int(sys.argv[3])", "= int(sys.argv[3])\nprefetch.PREFETCH_MIN_FILES = 10**9",
    ).replace(
        "result = Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False, cache_dir=cache).build()",
        "builder = Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False, buffered=True)\n"
        "result = builder.build()\n"
        "first = len(forked)\n"
        "edited = Path(sys.argv[1]) / 'content/s/e01.md'\n"
        "edited.write_text(edited.read_text().replace('Entry 1', 'Entry one'))\n"
        "result = builder.build({'content/s/e01.md'})\n"
        "forked[first:] = ['again'] * (len(forked) - first)",
    )
    runs = {}
    for parallel in (False, True):
        site = tmp_path / f"site-{parallel}"
        shutil.copytree(many_entries, site)
        done = subprocess.run(
            [sys.executable, "-c", script, str(site), str(tmp_path / f"preview-{parallel}" / "site"),
             "1" if parallel else str(10**9)],
            capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        )
        assert done.returncode == 0, done.stderr
        runs[parallel] = json.loads(done.stdout)
        assert runs[parallel]["ok"]
    assert runs[False]["forked"] == [] and phases(runs[True]) == ["rendering"]
    served = [site_files((tmp_path / f"preview-{parallel}" / "site").resolve()) for parallel in (False, True)]
    assert served[0] == served[1] and any("Entry one" in data.decode() for data in served[1].values())


STUCK_BUILD = """
import os, sys, time
from pathlib import Path
import sitegen.writing.workers as workers
from sitegen.build import Builder
from sitegen.rendering.render import TemplateRenderer
workers.PARALLEL_MIN_FILES = 1
real_render = TemplateRenderer.render
def render_stuck(self, spec):
    if spec.url_path == "s/e07/":
        Path(sys.argv[3]).write_text(str(os.getpid()))
        time.sleep(600)
    return real_render(self, spec)
TemplateRenderer.render = render_stuck
Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False).build()
"""


def stop_while_a_worker_renders(script: str, site: Path, output: Path, marker: Path,
                                stop: signal.Signals) -> tuple[int, str, int]:
    """Run `script` (a build whose worker gets stuck on one page), send the build `stop` once
    that worker has started on it; the build's exit status, its stderr and the worker's pid."""
    build = subprocess.Popen(
        [sys.executable, "-c", script, str(site), str(output), str(marker)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.02)
        worker = int(marker.read_text())
        build.send_signal(stop)
        _, stderr = build.communicate(timeout=30)
    finally:
        build.kill()
    return build.returncode, stderr, worker


def test_a_build_interrupted_while_workers_render_leaves_no_worker_behind(
    many_entries: Path, tmp_path: Path,
) -> None:
    """Ctrl-C (here: SIGINT to the build alone) stops the workers too, and publishes nothing."""
    output = tmp_path / "out"
    assert build_in_fresh_process(many_entries, output, parallel=False)["ok"]
    before = site_files(output)
    _, stderr, worker = stop_while_a_worker_renders(STUCK_BUILD, many_entries, output,
                                                    tmp_path / "worker.pid", signal.SIGINT)
    assert "KeyboardInterrupt" in stderr
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # killed and waited for: not even a zombie is left
    assert site_files(output) == before


STUCK_COMMAND = STUCK_BUILD.replace(
    "Builder(Path(sys.argv[1]), Path(sys.argv[2]), search_index=False).build()",
    "from sitegen.cli import main\n"
    "sys.exit(main(['build', '--source', sys.argv[1], '--output', sys.argv[2], '--no-cache']))",
)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["kill", "terminal closed"])
def test_sigterm_or_sighup_stops_a_build_as_ctrl_c_does_and_leaves_nothing_beside_the_output(
    many_entries: Path, tmp_path: Path, stop: signal.Signals,
) -> None:
    """`kill`, a CI runner's timeout, a closed terminal: the workers stop, the output stays as it
    was, and no staging folder or lock is left beside it; the status says what stopped it."""
    output = tmp_path / "out"
    assert build_in_fresh_process(many_entries, output, parallel=False)["ok"]
    before = site_files(output)
    status, stderr, worker = stop_while_a_worker_renders(STUCK_COMMAND, many_entries, output,
                                                         tmp_path / "worker.pid", stop)
    assert status == 128 + stop, stderr
    assert "Traceback" not in stderr
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    assert site_files(output) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "site", "worker.pid"]


FORK_INTERRUPTED = """
import os, signal, time
from sitegen.writing import workers
# Ctrl-C arriving just as a worker is forked, while the fork runs its Python callbacks.
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))
try:
    workers.fork_job(time.sleep, 600)
except KeyboardInterrupt:
    try:
        os.waitpid(-1, os.WNOHANG)
        print("interrupted, a worker left behind")
    except ChildProcessError:
        print("interrupted, no worker left")
else:
    print("the interrupt was lost")
"""


def test_ctrl_c_while_a_worker_is_forked_still_stops_the_build() -> None:
    """A KeyboardInterrupt raised inside the fork would be dropped, and the build wait for ever
    on the worker it was forking; it is held back until the fork is done, then raised."""
    done = subprocess.run(
        [sys.executable, "-c", FORK_INTERRUPTED],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
    )
    assert done.stdout.strip() == "interrupted, no worker left", done.stderr


ALONGSIDE_A_BUSY_CHILD = """
import json, os, sys, time
from sitegen.writing import workers
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT)

def note(event):
    os.write(log, (event + "\\n").encode())

def ahead(seconds):  # as RenderAhead's child: still rendering when staging starts
    time.sleep(seconds)
    note("ahead done")
    return "the files rendered ahead"

def job(number):
    note(f"start {number}")
    time.sleep(0.05)
    note(f"end {number}")
    return number

busy = workers.fork_job(ahead, 0.5)
results = sorted(workers.forked_map(job, list(range(6)), workers=2, busy=busy))
busy.done(wait=True)
print(json.dumps({"results": results, "busy": busy.result()}))
"""


def test_rendering_beside_a_child_still_rendering_ahead_keeps_to_one_child_a_core(tmp_path: Path) -> None:
    """Staging starts while the last child that rendered during planning may still run: it
    takes one of the cores until it is done (three children on two cores were no faster,
    and made the cold build's peak of memory), and its result is left to its forker."""
    log = tmp_path / "events"
    done = subprocess.run(
        [sys.executable, "-c", ALONGSIDE_A_BUSY_CHILD, str(log)],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"results": list(range(6)), "busy": "the files rendered ahead"}
    events = log.read_text().split("\n")[:-1]
    running, most_beside_ahead, most = 0, 0, 0
    ahead_running = True
    for happened in events:
        running += 1 if happened.startswith("start") else -1 if happened.startswith("end") else 0
        ahead_running = ahead_running and happened != "ahead done"
        most = max(most, running)
        if ahead_running:
            most_beside_ahead = max(most_beside_ahead, running)
    assert "ahead done" in events
    assert most_beside_ahead == 1
    assert most <= 2
