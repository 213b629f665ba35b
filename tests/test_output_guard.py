"""The output folder is only ever a folder sitegen made, and one build writes it at a time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.build import Builder
from sitegen.writing import staging
from tests.support.outputs import folder_digest
from tests.support.sites import BASIC_CONFIG, REPO_ROOT, event, run_cli, story, write_files


def small_site(root: Path, title: str = "First") -> Path:
    return write_files(root, {
        "sitegen.toml": BASIC_CONFIG,
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-05-01", title=title),
        "layouts/.keep": "",
        "static/CNAME": "checks.example.org\n",
        "static/.well-known/security.txt": "Contact: mailto:x@example.org\n",
    })


@pytest.mark.parametrize("output, why", [
    (".", "is the site folder"),
    ("..", "is the site folder or holds it"),
    ("content", "inside the site's content/ folder"),
    ("content/s", "inside the site's content/ folder"),
    ("layouts", "inside the site's layouts/ folder"),
    ("static/out", "inside the site's static/ folder"),
    ("notes.txt", "is a file, not a folder"),
    ("mine", "sitegen did not write"),
    ("checkout", "sitegen did not write"),
])
def test_an_output_that_would_lose_files_is_refused(tmp_path: Path, output: str, why: str) -> None:
    site = small_site(tmp_path / "site")
    write_files(site, {"notes.txt": "my notes\n", "mine/letter.txt": "dear\n", "checkout/.git/HEAD": "x\n"})
    before = folder_digest(tmp_path)
    done = run_cli("build", "--source", str(site), "--output", str(site / output))
    assert done.returncode == 2, done.stderr
    assert why in done.stderr and "Traceback" not in done.stderr
    assert folder_digest(tmp_path) == before


def test_force_replaces_a_foreign_folder(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    write_files(tmp_path, {"elsewhere/old.txt": "old\n"})
    done = run_cli("build", "--source", str(site), "--output", str(tmp_path / "elsewhere"), "--force")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "elsewhere/old.txt").exists()
    assert (tmp_path / "elsewhere/.sitegen-manifest.json").is_file()


def test_a_folder_sitegen_wrote_is_rebuilt_and_host_files_survive(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    for title in ("First", "Second"):
        (site / "content/s/a.md").write_text(event("2024-05-01", title=title), "utf-8")
        done = run_cli("build", "--source", str(site))
        assert done.returncode == 0, done.stderr
        public = site / "public"
        assert (public / "CNAME").read_text() == "checks.example.org\n"
        assert (public / ".well-known/security.txt").is_file()
        assert title in (public / "s/a/index.html").read_text("utf-8")
    assert sorted(p.name for p in site.iterdir()) == [
        "content", "layouts", "public", "sitegen.toml", "static"]


def test_two_builds_at_once_give_one_good_output(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    command = [sys.executable, "-m", "sitegen", "build", "--source", str(site)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    for code, stderr in results:
        assert "Traceback" not in stderr
        assert code == 0 or (code == 1 and "another build is running" in stderr), stderr
    assert any(code == 0 for code, _ in results)
    assert "First" in (site / "public/s/a/index.html").read_text("utf-8")
    assert [p.name for p in site.iterdir() if p.name.startswith(".public")] == []


def test_a_build_waits_for_the_lock_then_says_another_build_is_running(tmp_path: Path) -> None:
    from sitegen.writing.outputguard import BuildLocked, output_lock

    with output_lock(tmp_path / "public"), pytest.raises(BuildLocked, match="another build is running"), \
            output_lock(tmp_path / "public", wait=0.2):
        pass
    with output_lock(tmp_path / "public"):  # released, and its file gone
        pass
    assert list(tmp_path.iterdir()) == []


def comparable(root: Path) -> dict[str, str]:
    """The output's files, without Pagefind's index, which the tool may write differently each run."""
    return {k: v for k, v in folder_digest(root).items() if not k.startswith("pagefind/")}


def test_builds_killed_at_random_moments_leave_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    versions = {}
    for title in ("Old title", "New title"):
        (site / "content/s/a.md").write_text(event("2024-05-01", title=title), "utf-8")
        assert run_cli("build", "--source", str(site), "--output", str(tmp_path / title)).returncode == 0
        versions[title] = comparable(tmp_path / title)
    output = tmp_path / "public"
    assert run_cli("build", "--source", str(site), "--output", str(output)).returncode == 0
    chance = random.Random(10)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    deadline, kills = time.monotonic() + 6, 0
    while time.monotonic() < deadline or kills < 5:
        title = chance.choice(list(versions))
        (site / "content/s/a.md").write_text(event("2024-05-01", title=title), "utf-8")
        run = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--source", str(site),
                                "--output", str(output)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.05, 0.9))
        run.send_signal(signal.SIGKILL)
        run.wait()
        kills += 1
        assert comparable(output) in versions.values(), f"after kill {kills}, the output is a mix"
    done = run_cli("build", "--source", str(site), "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


def test_an_output_of_a_build_before_the_manifest_is_still_rebuilt(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    assert run_cli("build", "--source", str(site)).returncode == 0
    (site / "public/.sitegen-manifest.json").unlink()
    done = run_cli("build", "--source", str(site))
    assert done.returncode == 0, done.stderr
    assert (site / "public/.sitegen-manifest.json").is_file()


def test_a_large_old_output_is_deleted_after_the_build_returns_and_never_left_by_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every old output counts as large here; at 10,000 entries it holds 24,000 files.
    monkeypatch.setattr(staging, "BACKGROUND_DELETE_FILES", 0)
    site = small_site(tmp_path / "site")
    output, cache = site / "public", tmp_path / "cache"
    assert Builder(site, output, cache_dir=cache).build().ok
    before = sorted(p.name for p in site.iterdir())
    (site / "content/s/a.md").write_text(event("2024-05-01", title="Second"), "utf-8")
    assert Builder(site, output, cache_dir=cache).build().ok
    assert "Second" in (output / "s" / "a" / "index.html").read_text("utf-8")
    # The old tree went to the build cache to be deleted there: nothing is left in the site.
    assert sorted(p.name for p in site.iterdir()) == before
    deadline = time.monotonic() + 20
    while any(cache.rglob("retired-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(cache.rglob("retired-*")), "the old output was never deleted"


def test_a_build_deletes_what_a_background_deletion_left_long_ago(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    output, cache = tmp_path / "out", tmp_path / "cache"
    builder = Builder(site, output, cache_dir=cache)
    assert builder.build().ok
    assert builder.cache is not None
    # As if the deleting process was killed before it was done, an hour ago.
    left = builder.cache.trash / "retired-x1" / "tree" / "s"
    left.mkdir(parents=True)
    (left / "index.html").write_text("old", "utf-8")
    hour_ago = time.time() - 3600
    os.utime(builder.cache.trash / "retired-x1", (hour_ago, hour_ago))
    (site / "content/s/a.md").write_text(event("2024-05-01", title="Second"), "utf-8")
    assert Builder(site, output, cache_dir=cache).build().ok
    assert not (builder.cache.trash / "retired-x1").exists()
