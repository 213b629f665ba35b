"""Any sequence of edits an author makes gives, at every step, what a fresh build gives.

Hypothesis plays an author: it writes, rewrites and deletes entries (with relations
across stories, ratings and tags), stories, speakers, translations, layouts and the
settings, moves entries into subfolders, and now and then edits the published output
by hand or changes nothing at all. After each step `sitegen build` runs in a new
process, from the cache folder the steps before it left (so a step that changed
nothing is answered by its replay), and a preview rebuilds, told what changed as its
watcher tells it. Both must report what a build without any cache reports, and write
its bytes. A failure is shrunk to the shortest sequence of edits that shows it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sitegen.build import Builder
from tests.support.sites import BASIC_CONFIG, run_cli, story, write_files
from tests.test_carried_views import differences

SPEAKERS = ("jane-roe", "dmitry-peskov")
STORIES = ("alpha", "beta", "gamma")
NAMES = ("a1", "a2", "a3", "b1")
TAGS = st.lists(st.sampled_from(["energy", "Energy", "kremlin", "Élan"]), max_size=2)
DATES = st.sampled_from(["2024", "2024-03", "2024-03-02", "2024-11-10T18:30", "2024-11-10T18:30:00+03:00"])
RELATIONS = st.sampled_from(["responds_to", "denies", "confirms"])


def entry_text(kind: str, date: str, title: str, speaker: str, rating: bool, tags: list[str],
               relation: tuple[str, str] | None, draft: bool) -> str:
    lines = [f"kind: {kind}", f"date: {date}", f"title: {title}"]
    if kind == "statement":
        lines += [f"speaker: {speaker}", "sources:", "  - url: https://example.com/source",
                  "    publisher: Example"]
        if rating:
            lines += ["rating: false", "verdict: No record of it.", "reviewed: 2024-12-01"]
    if tags:
        lines.append("tags: [" + ", ".join(f'"{tag}"' for tag in tags) + "]")
    if relation is not None:
        lines.append(f"{relation[0]}: {relation[1]}")
    if draft:
        lines.append("draft: true")
    return "---\n" + "\n".join(lines) + "\n---\n\nWhat is known.\n"


def config_text(title: str, base_url: str, languages: bool) -> str:
    text = BASIC_CONFIG.replace('"Test Checks"', f'"{title}"').replace(
        "https://example.org/checks/", base_url)
    return text + ('languages = ["en", "uk"]\n' if languages else "")


def files_of(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its bytes (None for a folder): what a watcher would see change."""
    return {path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else None
            for path in root.rglob("*")}


class AnAuthorEditing(RuleBasedStateMachine):
    """One site, edited step by step; the invariant is checked after every step."""

    @initialize()
    def write_the_site(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sitegen-edits-"))
        self.site = write_files(self.folder / "site", {
            "sitegen.toml": config_text("Checks", "https://example.org/checks/", True),
            "content/_speakers/jane-roe.md": "---\nname: Jane Roe\n---\n\nA minister.\n",
            "content/_speakers/dmitry-peskov.md": "---\nname: Dmitry Peskov\n---\n\nSpokesman.\n",
            **{f"content/{slug}/_index.md": story(f"{slug.title()} story") for slug in STORIES[:2]},
            "content/alpha/a1.md": entry_text("event", "2024-11-10", "The call", "", False, [], None, False),
            "content/beta/b1.md": entry_text("statement", "2024-03-01", "Roe on beta", "jane-roe", True,
                                             ["energy"], ("responds_to", "alpha/a1"), False),
        })
        self.output = self.folder / "public"
        self.cache = self.folder / "cache"
        self.preview = Builder(self.site, self.folder / "preview", buffered=True)
        self.seen = files_of(self.site)
        self.builds = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def entries(self) -> list[Path]:
        return sorted(path for path in (self.site / "content").glob("[!_]*/**/*.md")
                      if not path.name.startswith("_") and ".uk." not in path.name)

    @rule(slug=st.sampled_from(STORIES), name=st.sampled_from(NAMES),
          kind=st.sampled_from(["event", "statement"]), date=DATES,
          title=st.sampled_from(["Peskov denies", "Roe <b>answers</b>", "Gas & power"]),
          speaker=st.sampled_from([*SPEAKERS, "Ann Free"]), rating=st.booleans(), tags=TAGS,
          relation=st.none() | st.tuples(RELATIONS, st.sampled_from(["a1", "alpha/a1", "gamma/a2"])),
          draft=st.booleans())
    def write_an_entry(self, slug: str, name: str, kind: str, date: str, title: str, speaker: str,
                       rating: bool, tags: list[str], relation: tuple[str, str] | None, draft: bool) -> None:
        if not (self.site / "content" / slug / "_index.md").exists():
            (self.site / "content" / slug).mkdir(exist_ok=True)
            (self.site / "content" / slug / "_index.md").write_text(story(f"{slug} story"), "utf-8")
        moved = self.site / "content" / slug / "sub" / f"{name}.md"
        path = moved if moved.exists() else self.site / "content" / slug / f"{name}.md"
        path.write_text(entry_text(kind, date, title, speaker, rating, tags, relation, draft), "utf-8")

    @rule(data=st.data())
    def delete_an_entry(self, data: st.DataObject) -> None:
        entries = self.entries()
        if entries:
            data.draw(st.sampled_from(entries)).unlink()

    @rule(data=st.data())
    def move_an_entry_into_a_subfolder(self, data: st.DataObject) -> None:
        entries = [path for path in self.entries() if path.parent.name != "sub"]
        if entries:
            path = data.draw(st.sampled_from(entries))
            (path.parent / "sub").mkdir(exist_ok=True)
            path.rename(path.parent / "sub" / path.name)

    @rule(data=st.data(), title=st.sampled_from(["Переклад", "Інший переклад"]))
    def translate_an_entry(self, data: st.DataObject, title: str) -> None:
        entries = self.entries()
        if entries:
            path = data.draw(st.sampled_from(entries))
            path.with_name(f"{path.stem}.uk.md").write_text(f"---\ntitle: {title}\n---\n\nТекст.\n", "utf-8")

    @rule(slug=st.sampled_from(STORIES), title=st.sampled_from(["Retold", "Settled"]), settled=st.booleans())
    def write_a_story(self, slug: str, title: str, settled: bool) -> None:
        (self.site / "content" / slug).mkdir(exist_ok=True)
        extra = "status: settled\n" if settled else "tags: [Energy]\n"
        (self.site / "content" / slug / "_index.md").write_text(story(title, extra=extra), "utf-8")

    @rule(slug=st.sampled_from(STORIES))
    def delete_a_story(self, slug: str) -> None:
        shutil.rmtree(self.site / "content" / slug, ignore_errors=True)

    @rule(speaker=st.sampled_from(SPEAKERS), name=st.sampled_from(["Jane Q. Roe", "D. Peskov"]),
          delete=st.booleans())
    def edit_a_speaker(self, speaker: str, name: str, delete: bool) -> None:
        path = self.site / "content" / "_speakers" / f"{speaker}.md"
        if delete:
            path.unlink(missing_ok=True)
        else:
            path.write_text(f"---\nname: {name}\n---\n\nA new bio.\n", "utf-8")

    @rule(footer=st.sampled_from([None, "<footer>Ours</footer>\n", "<footer>{{ broken( }}</footer>\n"]))
    def write_a_layout(self, footer: str | None) -> None:
        path = self.site / "layouts" / "partials" / "footer.html"
        if footer is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(footer, "utf-8")

    @rule(title=st.sampled_from(["Checks", "Fact checks"]), languages=st.booleans(),
          base_url=st.sampled_from(["https://example.org/checks/", "https://example.org/"]))
    def change_the_settings(self, title: str, base_url: str, languages: bool) -> None:
        (self.site / "sitegen.toml").write_text(config_text(title, base_url, languages), "utf-8")

    @rule(data=st.data(), delete=st.booleans())
    def edit_the_published_output_by_hand(self, data: st.DataObject, delete: bool) -> None:
        files = sorted(path for path in self.output.rglob("*") if path.is_file())
        if files:
            path = data.draw(st.sampled_from(files))
            if delete:
                path.unlink()
            else:
                with path.open("r+b") as stream:  # in place, the same size: only its time tells
                    stream.write(b"X")

    @rule()
    def change_nothing(self) -> None:
        pass

    @invariant()
    def each_build_is_a_fresh_builds(self) -> None:
        now = files_of(self.site)
        changed = {path for path in self.seen.keys() | now.keys() if self.seen.get(path) != now.get(path)}
        self.seen = now
        command = run_cli("build", "--source", str(self.site), "--output", str(self.output),
                          "--cache-dir", str(self.cache))
        preview = self.preview.build(changed if self.builds else None)
        self.builds += 1
        fresh_output = self.folder / f"fresh-{self.builds}"
        fresh = Builder(self.site, fresh_output).build()
        assert "Traceback" not in command.stderr, command.stderr
        assert command.returncode == (0 if fresh.ok else 1), command.stdout + command.stderr
        reported = [d.format() for d in fresh.diagnostics]
        said = (command.stdout + command.stderr).splitlines()
        assert [line for line in said if line in set(reported)] == reported
        assert [d.format() for d in preview.diagnostics] == reported
        if fresh.ok:
            assert differences(self.output, fresh_output) == []
            assert differences(self.preview.output, fresh_output) == []
        shutil.rmtree(fresh_output, ignore_errors=True)


AnAuthorEditing.TestCase.settings = settings(
    max_examples=6, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_any_sequence_of_edits_builds_what_a_fresh_build_does = AnAuthorEditing.TestCase
