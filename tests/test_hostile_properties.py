"""Properties over generated input: no live script out, no traceback, nothing touched outside.

Hypothesis writes arbitrary front-matter values, Markdown bodies, ids, tags and
output paths. Whatever it writes, a build either succeeds with no script or
event handler in any output, or fails with errors that each carry their file
and line; and nothing outside the output folder is written or deleted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import Builder
from tests.support.outputs import folder_digest, inline_scripts, live_script
from tests.support.sites import BASIC_CONFIG, event, story, write_files

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_PIECES = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script>", "\"'><svg onload=x>",
    "javascript:alert(1)", "[x](javascript:alert(1))", "&lt;script&gt;", "]]>", "{{ 7*7 }}", "{% raw %}",
    "\x00", "\r", "\t", "\u2028", "\ufeff", "---", ": ", "#", "*", "[", "`", "<!--", "\\", "\n",
])
TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=12)), max_size=8).map("".join)


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (JSON strings are valid YAML)."""
    return json.dumps(text)


def benign_scripts() -> frozenset[str]:
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(Path(folder), {"sitegen.toml": BASIC_CONFIG, "content/s/_index.md": story(),
                                          "content/s/a.md": event("2024-05-01")})
        assert Builder(root, root / "public", search_index=False).build().ok
        return inline_scripts(root / "public")


THEME_SCRIPTS = benign_scripts()


@SETTINGS
@given(title=TEXT, quote=TEXT, summary=TEXT, tag=TEXT, body=TEXT, raw_title=TEXT)
def test_any_front_matter_and_body_gives_safe_output_or_located_errors(
    title: str, quote: str, summary: str, tag: str, body: str, raw_title: str,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(Path(folder), {"sitegen.toml": BASIC_CONFIG})
        files = {
            "content/s/_index.md": f"---\ntitle: {quoted(title or 't')}\nsummary: {quoted(summary)}\n---\n",
            "content/s/a.md": (f"---\nkind: statement\ndate: 2024-05-01\ntitle: {quoted(title)}\n"
                               f"speaker: {quoted(quote or 'x')}\nquote: {quoted(quote)}\n"
                               f"tags: [{quoted(tag)}]\nrating: false\nverdict: {quoted(summary)}\n"
                               "reviewed: 2024-05-02\nsources: [{url: 'https://example.org/'}]\n"
                               f"---\n{body}\n"),
            "content/s/b.md": f"---\nkind: event\ndate: 2024-05-02\ntitle: {raw_title}\n---\n{body}\n",
        }
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        result = Builder(root, root / "public", search_index=False).build()
        if result.ok:
            assert live_script(root / "public", THEME_SCRIPTS) == []
        else:
            errors = [d for d in result.diagnostics if d.severity == "error"]
            assert errors
            for error in errors:
                assert error.path.startswith("content/s/") and error.line >= 1, error.format()


SLUG_ISH = st.text(alphabet="abcxyz019-_.~/\\%:<>\"' \x00é", min_size=1, max_size=12)


@SETTINGS
@given(entry_id=SLUG_ISH, tag=SLUG_ISH, output=SLUG_ISH, story_slug=SLUG_ISH)
def test_any_ids_tags_and_output_paths_write_only_inside_the_output(
    entry_id: str, tag: str, output: str, story_slug: str,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder)
        root = write_files(top / "site", {"sitegen.toml": BASIC_CONFIG, "keep.txt": "mine\n"})
        write_files(top, {"neighbour/file.txt": "theirs\n"})
        story_folder = root / "content" / story_slug.replace("\x00", "")
        try:
            write_files(story_folder, {"_index.md": story(), "a.md": event(
                "2024-05-01", extra=f"id: {quoted(entry_id)}\ntags: [{quoted(tag)}]\n")})
        except (OSError, ValueError):
            return  # a name the file system itself refuses
        out = top / "site" / output.replace("\x00", "")
        if not out.resolve().is_relative_to(top):
            return
        before = {path: digest for path, digest in folder_digest(top).items()}
        result = Builder(root, out, search_index=False).build()
        after = folder_digest(top)
        out_rel = out.resolve().relative_to(top.resolve()).as_posix()
        outside = lambda files: {p: d for p, d in files.items()  # noqa: E731
                                 if not (p == out_rel or p.startswith(out_rel + "/"))}
        assert outside(after) == outside(before), result.diagnostics
        shutil.rmtree(top, ignore_errors=True)
