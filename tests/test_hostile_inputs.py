"""A catalogue of hostile and broken inputs, one test each, with the exact behaviour.

Content is untrusted. Each case adds files to a site that built fine, builds
again and checks what a user or an attacker would notice: either the build
succeeds and no output holds live script (checked by parsing HTML, feeds and
JSON, see `tests/support/outputs.py`), or it fails with an error at the
file and line, and the previous output is unchanged, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitegen.build import Builder
from tests.support.outputs import folder_digest, inline_scripts, live_script
from tests.support.sites import BASIC_CONFIG, event, statement, story, write_files

XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>'
Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen."""

    name: str
    files: dict[str, str] = field(default_factory=dict)
    setup: Setup | None = None
    error: tuple[str, int, str] | None = None
    """(path, line, words of the message) of an error the build must fail with; None: it succeeds."""
    warning: tuple[str, int, str] | None = None
    base_url: str | None = None


def link(target: str, name: str) -> Setup:
    def make(site: Path) -> None:
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    return make


def rated(extra: str = "") -> str:
    return statement("2024-05-02", "Ann Example", extra="rating: false\nverdict: No.\n"
                     "reviewed: 2024-05-03\n" + extra)


ENTRY = "content/s/b.md"
FORBIDDEN_IN_HTML = {"\x00", "\x01", "\x0b", "\x7f", "\x85", "\ufffe", "\U0001fffe"}
"""Some of what the HTML standard forbids in a document: controls other than whitespace, noncharacters."""
CASES = [
    # -- hostile text in every field: escaped everywhere it is shown --------------
    Case("title with an event handler", {ENTRY: event("2024-05-01", title=f"'{XSS}'")}),
    Case("story title with a script", {"content/s/_index.md": story(title=f"'{XSS}'")}),
    Case("story summary with a script", {"content/s/_index.md": story(summary=f"'{XSS}'")}),
    Case("quote closing the JSON-LD script", {ENTRY: rated("quote: '</script><script>alert(3)</script>'\n")}),
    Case("verdict with an svg onload", {ENTRY: statement(
        "2024-05-02", "Ann",
        extra="rating: false\nverdict: '<svg onload=alert(1)>'\nreviewed: 2024-05-03\n")}),
    Case("role breaking out of an attribute", {ENTRY: rated("role: '\"><script>alert(1)</script>'\n")}),
    Case("free-text speaker name with markup", {ENTRY: statement("2024-05-02", f"'{XSS}'")}),
    Case("tag with markup", {ENTRY: event("2024-05-01", extra="tags: ['<b onmouseover=alert(1)>x</b>']\n")}),
    Case("source title and publisher with markup", {ENTRY: statement("2024-05-02", "Ann").replace(
        "publisher: Example", f"publisher: '{XSS}'\n    title: '{XSS}'")}),
    Case("correction note with markup", {ENTRY: event(
        "2024-05-01", extra=f"corrections:\n  - date: 2024-05-05\n    note: '{XSS}'\n")}),
    Case("original quote with markup", {ENTRY: rated(
        f"original_quote: '{XSS}'\noriginal_language: ru\n")}),
    Case("raw script in a body", {ENTRY: event("2024-05-01", body=XSS)}),
    Case("raw HTML under unsafe_html is cleaned", {
        "sitegen.toml": BASIC_CONFIG + "unsafe_html = true\n",
        ENTRY: event("2024-05-01", body=f'{XSS}<a href="javascript:alert(1)">x</a><p onclick="x()">p</p>')}),
    Case("media and frames under unsafe_html keep no script", {
        "sitegen.toml": BASIC_CONFIG + "unsafe_html = true\n",
        ENTRY: event("2024-05-01", body=(
            '<video controls src="javascript:alert(1)" poster="javascript:alert(2)" onplay="alert(3)">'
            '</video>'
            '<audio src="data:text/html,<script>alert(4)</script>"></audio>'
            '<iframe src="javascript:alert(5)"></iframe><iframe srcdoc="<script>alert(6)</script>"></iframe>'
            '<iframe src="https://player.example/v/1" sandbox="allow-top-navigation allow-scripts"></iframe>'
            '<object data="x.swf"></object><embed src="x.swf">'))}),
    Case("javascript: link in a body", {ENTRY: event("2024-05-01", body="[x](javascript:alert(1))")},
         warning=(ENTRY, 7, "shown as plain text")),
    Case("java<TAB>script: link names its line", {ENTRY: event(
        "2024-05-01", body="First.\n\nSecond.\n\n[x](java\tscript:alert(1))")},
         warning=(ENTRY, 11, "shown as plain text")),
    Case("a link told where it is written, not at a mention before", {ENTRY: event(
        "2024-05-01", body="Never click data:text/html links.\n\nMore.\n\nA [bad](data:text/html) here.")},
         warning=(ENTRY, 11, "shown as plain text")),
    Case("an image told at its own line, not at a mention before", {ENTRY: event(
        "2024-05-01", body="See chart.png below.\n\nOne more line.\n\n![](chart.png)")},
         warning=(ENTRY, 11, "has no alternative text")),
    Case("data:text/html image",
         {ENTRY: event("2024-05-01", body="![x](data:text/html,<script>alert(1)</script>)")},
         warning=(ENTRY, 7, "shown as plain text")),
    Case("image alt breaking its attribute",
         {ENTRY: event("2024-05-01", body='![x" onerror="alert(1)](y.png)')}),
    Case("page title with markup", {"content/_pages/about.md": f"---\ntitle: '{XSS}'\n---\n\n{XSS}\n"}),
    Case("speaker file with markup", {"content/_speakers/ann.md": f"---\nname: '{XSS}'\n---\n\n{XSS}\n",
                                      ENTRY: statement("2024-05-02", "ann")}),
    Case("CR-only line endings are read as lines", {ENTRY: event("2024-05-01").replace("\n", "\r")}),
    Case("a NUL byte in a body is dropped", {ENTRY: event("2024-05-01", body="a\x00b")},
         warning=(ENTRY, 7, "NUL character")),
    # HTML forbids control characters and noncharacters; XML forbids most of them even escaped.
    Case("control characters pasted into a body are dropped",
         {ENTRY: event("2024-05-01", body="a\x0bb\x85c\x7f \U0001f600 d\U0001fffe")},
         warning=(ENTRY, 7, "invisible control character (U+000B) is dropped (and 3 more")),
    Case("a control character typed as a YAML escape in a title is dropped",
         {ENTRY: event("2024-05-01", title='"Vote \\u0001counted"')},
         warning=(ENTRY, 4, "this value holds an invisible control character (U+0001)")),
    Case("a noncharacter typed as a YAML escape in a tag is dropped",
         {ENTRY: event("2024-05-01", extra='tags: ["budget\\uFFFE"]\n')},
         warning=(ENTRY, 5, "a noncharacter (U+FFFE)")),
    Case("a control character typed as a TOML escape in the site's title is dropped",
         {"sitegen.toml": BASIC_CONFIG.replace('"Test Checks"', '"Test\\u0085 Checks"')},
         warning=("sitegen.toml", 1, "`title` holds an invisible control character (U+0085)")),
    Case("a script URL as the publisher's address, which every footer links",
         {"sitegen.toml": BASIC_CONFIG + '[organization]\nname = "Desk"\nurl = "javascript:alert(1)"\n'},
         error=("sitegen.toml", 7, "`organization.url` must be an http:// or https:// address")),
    Case("a source whose host holds a space",
         {ENTRY: statement("2024-05-02", "Ann Example").replace("https://example.com/source",
                                                                "https://exam ple.com/source")},
         error=(ENTRY, 7, "must be an http:// or https:// address")),
    Case("character references to what HTML forbids become the replacement character",
         {ENTRY: event("2024-05-01", body="a&#0;b&#xD800;c&#x1;d&#99999999999;")}),
    # -- broken input: an error at its line, the old output untouched ----------------
    Case("date at the end of the calendar with an offset",
         {ENTRY: event('"9999-12-31T23:59-05:00"')}, error=(ENTRY, 3, "is not a date")),
    Case("date at the start of the calendar with an offset",
         {ENTRY: event('"0001-01-01T00:30+05:00"')}, error=(ENTRY, 3, "is not a date")),
    Case("two tags whose pages are one folder on a disk that ignores case",
         {ENTRY: event("2024-05-01", extra="tags: [straße]\n"),
          "content/s/c.md": event("2024-05-02", extra="tags: [STRASSE]\n")},
         error=("content/s/c.md", 5, "tag `STRASSE` (tags/strasse/) and tag `straße` (tags/straße/) "
                "differ only in case")),
    # The calendar ends in 9999: an end date there lasts until then, and the axis stops there.
    Case("an end date in the calendar's last year", {ENTRY: event("9999-01-01", extra="end_date: 9999\n")}),
    Case("an end date in the calendar's last month",
         {ENTRY: event("9999-12-01", extra="end_date: 9999-12\n")}),
    Case("an end date on the calendar's last day",
         {ENTRY: event("9999-12-31T10:00Z", extra="end_date: 9999-12-31\n"),
          "content/s/c.md": event('"9999-12-31T23:59Z"')}),
    Case("a story from the calendar's first day to its last",
         {ENTRY: event("0001-01-01", extra="end_date: 9999\n"), "content/s/c.md": event("9999-12-31")}),
    Case("tags nested 500 deep", {ENTRY: event("2024-05-01", extra="tags: " + "[" * 500 + "]" * 500 + "\n")},
         error=(ENTRY, 5, "nests deeper than")),
    Case("a dangling .md symlink", setup=link("/nonexistent/x.md", "content/s/gone.md"),
         error=("content/s/gone.md", 1, "symbolic link to nothing")),
    Case("a symlink loop", setup=link(".", "content/s/loop"), error=("content/s/loop", 1, "loop")),
    Case("a folder named x.md", setup=lambda site: (site / "content/s/x.md").mkdir(),
         error=("content/s/x.md", 1, "folder named like a content file")),
    Case("an entry linking to a file outside the site", setup=link("/etc/hostname", "content/s/leak.md"),
         error=("content/s/leak.md", 1, "outside the site folder")),
    Case("a story folder linking outside the site", setup=link("/etc", "content/etc"),
         error=("content/etc", 1, "outside the site folder")),
    Case("an entry file outside every story folder", {"content/loose.md": event("2024-05-01")},
         warning=("content/loose.md", 1, "not inside a story folder")),
    Case("a layout linking outside the site", setup=link("/etc/hostname", "layouts/base.html"),
         error=("layouts/base.html", 1, "outside the site folder")),
    Case("a static file linking outside the site", setup=link("/etc/hostname", "static/host.txt"),
         error=("static/host.txt", 1, "outside the site folder")),
    Case("a static file in the search index's folder", {"static/pagefind/x.js": "x"},
         error=("static/pagefind/x.js", 1, "pagefind/ is the search index's folder, which each build")),
    Case("a static file in the preview's folder", {"static/__sitegen/y.js": "y"},
         error=("static/__sitegen/y.js", 1, "__sitegen/ is where the preview serves its own scripts")),
    # The site's own folders as links: `walk` checks the links inside them, not the folder itself.
    Case("the layouts folder linking outside the site", setup=link("/etc", "layouts"),
         error=("layouts", 1, "outside the site folder")),
    Case("the static folder linking outside the site", setup=link("/etc", "static"),
         error=("static", 1, "outside the site folder")),
    Case("a runtime error in a layout override", {
        "layouts/404.html": "{% extends 'base.html' %}\n{% block main %}\n{{ 1 / 0 }}\n{% endblock %}\n"},
         error=("layouts/404.html", 3, "ZeroDivisionError")),
    Case("a layout including a template that is not there", {
        "layouts/404.html": "{% extends 'base.html' %}\n{% block main %}\n<p>{% include 'nope.html' %}</p>\n"
                            "{% endblock %}\n"},
         error=("layouts/404.html", 3, "template `nope.html` not found: a site's own go in layouts/")),
    Case("a file over the size limit", {"sitegen.toml": BASIC_CONFIG + "max_file_size_mb = 0.01\n",
                                        ENTRY: event("2024-05-01", body="word " * 4000)},
         error=(ENTRY, 1, "over the limit of 0.01 MB")),
    Case("twenty thousand brackets", {ENTRY: event("2024-05-01", body="[" * 20000)},
         error=(ENTRY, 7, "more than 500 `[`")),
    Case("a conversion over the time limit", {
        "sitegen.toml": BASIC_CONFIG + "markdown_time_limit = 0.1\n",
        # About 0.75 s of work on a fast machine: well over the limit on any.
        ENTRY: event("2024-05-01", body="\n\n".join(["[" * 480] * 1000))},
         error=(ENTRY, 7, "took more than 0.1 s")),
    Case("a 10,000-character title", {ENTRY: event("2024-05-01", title="x" * 10000)},
         error=(ENTRY, 4, "keep it under 1,000")),
    Case("a 5,000-character quote", {ENTRY: rated("quote: " + "q" * 5000 + "\n")},
         error=(ENTRY, 12, "`quote` is 5,000 characters")),
    Case("a 2,000-character verdict", {ENTRY: statement(
        "2024-05-02", "Ann", extra="rating: false\nverdict: " + "v" * 2000 + "\nreviewed: 2024-05-03\n")},
         error=(ENTRY, 10, "`verdict` is 2,000 characters")),
    Case("a missing title does not hide other errors", {ENTRY: "---\nkind: event\ndate: 2024\ncolour: x\n"
                                                               "---\n\n[x](javascript:y)\n"},
         error=(ENTRY, 4, "unknown field `colour`"), warning=(ENTRY, 7, "shown as plain text")),
    Case("a file that is not UTF-8", {},
         setup=lambda site: (site / ENTRY).write_bytes(b"---\ntitle: \xff\n---\n"),
         error=(ENTRY, 2, "not UTF-8 text (byte 0xff at line 2, column 8)")),
    Case("a file saved as Latin-1, at its first accented letter", {},
         setup=lambda site: (site / ENTRY).write_bytes(
             "---\nkind: event\ndate: 2024-05-01\ntitle: Caf\u00e9 cr\u00e8me\n---\n".encode("latin-1")),
         error=(ENTRY, 4, "(byte 0xe9 at line 4, column 11)")),
    Case("billion laughs", {ENTRY: event("2024-05-01", extra="a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)))},
         error=(ENTRY, 2, "too large or too deeply aliased")),
    Case("a typo in a field name", {ENTRY: event("2024-05-01", extra="tilte: x\n")},
         error=(ENTRY, 5, "did you mean `title`")),
    Case("a field given twice", {ENTRY: event("2024-05-01", extra="title: again\n")},
         error=(ENTRY, 5, "given twice (first on line 4)")),
    Case("an entry named in capitals, as some systems save it", {"content/s/Later.MD": event("2024-05-01")},
         warning=("content/s/Later.MD", 1, "rename it to `later.md`")),
    Case("an id: that is another file's name, in a file read first",
         {"content/s/a.md": event("2024-05-01", extra="id: b\n"), ENTRY: event("2024-05-02")},
         error=("content/s/a.md", 5, "entry id `b` is already used by content/s/b.md")),
    Case("a tag that is a list", {ENTRY: event("2024-05-01", extra="tags: [a, [b]]\n")},
         error=(ENTRY, 5, "each item of `tags` must be a text, not a list")),
    Case("an empty tag", {ENTRY: event("2024-05-01", extra="tags: [a, null]\n")},
         error=(ENTRY, 5, "an item of `tags` is empty")),
    Case("tags as a set of fields", {ENTRY: event("2024-05-01", extra="tags: {a: 1}\n")},
         error=(ENTRY, 5, "`tags` must be a list (`[a, b]`, or one `- item` a line), not a set of fields")),
    Case("a field's words in the wrong order", {ENTRY: event("2024-05-01", extra="date_end: 2024-05-02\n")},
         error=(ENTRY, 5, "unknown field `date_end` in an entry (did you mean `end_date`?)")),
    Case("an entry named as Jekyll and Hugo also read Markdown",
         {"content/s/later.markdown": event("2024-05-01")},
         warning=("content/s/later.markdown", 1,
                  "not read: content files end in `.md`; rename it to `later.md`")),
    Case("a rating key that entries could not write", {"sitegen.toml": BASIC_CONFIG + (
        '[[ratings]]\nkey = "false"\nlabel = "False"\n[[ratings]]\nkey = "True Thing"\nlabel = "True"\n')},
         error=("sitegen.toml", BASIC_CONFIG.count("\n") + 5, "write `true-thing`")),
    Case("a rating value that is not a number, when not every rating has one", {
        "sitegen.toml": BASIC_CONFIG + '[[ratings]]\nkey = "false"\nlabel = "F"\nvalue = "ten"\n'
                                       '[[ratings]]\nkey = "true"\nlabel = "T"\n'},
         error=("sitegen.toml", BASIC_CONFIG.count("\n") + 4, "`value` must be a whole number")),
    Case("a translation's language written in capitals", {
        "sitegen.toml": BASIC_CONFIG + 'languages = ["en", "uk"]\n',
        "content/s/b.UK.md": event("2024-05-01")},
         warning=("content/s/b.UK.md", 1, "rename the file to `b.uk.md`")),
    Case("a setting with no value", {"sitegen.toml": BASIC_CONFIG + "timezone = \n"},
         error=("sitegen.toml", BASIC_CONFIG.count("\n") + 1, "no value after `=`, or one TOML cannot read")),
    Case("a setting given twice", {"sitegen.toml": BASIC_CONFIG + 'title = "Again"\n'},
         error=("sitegen.toml", BASIC_CONFIG.count("\n") + 1, "is given twice; keep one")),
    Case("end_date before date", {ENTRY: event("2024-05-01", extra="end_date: 2024-04-01\n")},
         error=(ENTRY, 5, "is before `date`")),
    Case("an unclosed quote", {ENTRY: event("2024-05-01", title='"never closed')},
         error=(ENTRY, 4, "not valid YAML")),
    Case("an invalid --base-url names the flag", base_url="javascript:alert(1)//",
         error=("--base-url", 1, "must be an absolute http(s) URL")),
]


@pytest.fixture(scope="module")
def theme_scripts(tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    """The inline scripts the theme itself writes, from a harmless build."""
    root = write_files(tmp_path_factory.mktemp("benign"), base_files())
    result = Builder(root, root / "public").build()
    assert result.ok
    return inline_scripts(root / "public")


def base_files() -> dict[str, str]:
    return {
        "sitegen.toml": BASIC_CONFIG,
        "content/s/_index.md": story(),
        "content/s/a.md": event("2024-05-01", title="A harmless event", extra="tags: [Safe]\n"),
        "content/s/c.md": rated(),
    }


def test_the_catalogue_has_at_least_forty_inputs() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, theme_scripts: frozenset[str]) -> None:
    site = write_files(tmp_path / "site", base_files())
    output = tmp_path / "public"
    first = Builder(site, output).build()
    assert first.ok, [d.format() for d in first.diagnostics]
    before = folder_digest(output)
    for relative, text in case.files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    if case.setup is not None:
        case.setup(site)

    result = Builder(site, output, base_url=case.base_url).build()

    printed = [d.format() for d in result.diagnostics]
    assert len(printed) < 200, "one mistake, repeated, must not flood the terminal"
    if case.warning is not None:
        path, line, words = case.warning
        assert any(d.startswith(f"{path}:{line}:") and "warning" in d and words in d
                   for d in printed), printed
    if case.error is None:
        assert result.ok, printed
        assert live_script(output, theme_scripts) == []
        published = "".join(p.read_text("utf-8", "replace") for p in output.rglob("*")
                            if p.suffix in (".html", ".xml", ".json"))
        assert not set(published) & FORBIDDEN_IN_HTML, "no page or feed may carry what HTML forbids"
        assert "&#0;" not in published and "&#xD800;" not in published
        return
    path, line, words = case.error
    assert not result.ok
    assert any(d.startswith(f"{path}:{line}:") and ": error: " in d and words in d for d in printed), printed
    assert folder_digest(output) == before, "a failed build must leave the old output as it was"


def punctuation(number: int) -> str:
    """A distinct tag with no letters or digits for each number."""
    marks = ""
    while True:
        number, rest = divmod(number, 4)
        marks += "!?#%"[rest]
        if not number:
            return marks


def test_more_than_a_hundred_problems_in_one_file_are_summed_up(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {**base_files(), ENTRY: event(
        "2024-05-01", extra="tags: [" + ", ".join(f"'{punctuation(i)}'" for i in range(3000)) + "]\n")})
    result = Builder(site, tmp_path / "public").build()
    printed = [d.format() for d in result.diagnostics if d.path == ENTRY]
    assert not result.ok
    assert 100 <= len(printed) <= 102
    assert any("and 2,900 more problems in this file" in line for line in printed)


def test_a_full_disk_is_an_error_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_files(tmp_path / "site", base_files())
    output = tmp_path / "public"
    assert Builder(site, output).build().ok
    before = folder_digest(output)
    real_write = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.name == "index.html":
            raise OSError(28, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    (site / ENTRY).write_text(event("2024-05-09"), "utf-8")
    result = Builder(site, output).build()
    printed = [d.format() for d in result.diagnostics]
    assert not result.ok
    assert any("No space left on device; free some disk space" in line for line in printed), printed
    assert folder_digest(output) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its permissions")
def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    site = write_files(tmp_path / "site", {**base_files(), ENTRY: event("2024-05-01")})
    (site / ENTRY).chmod(0)
    result = Builder(site, tmp_path / "public").build()
    assert not result.ok
    assert any(ENTRY in d.format() and "Permission denied" in d.format() for d in result.diagnostics)
