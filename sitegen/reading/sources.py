"""Parse each content file once and convert each Markdown body once, across builds.

A file is known by the hash of its bytes: an unchanged stat (modification
time, size, inode) skips reading it, a changed one reads and hashes it, and
only new bytes are parsed again. What parsing reported is kept with the parse
and replayed into the caller's diagnostics, so a cached file reports exactly
what a fresh one would.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path
from typing import Any

from sitegen.reading.document import Document, read_document
from sitegen.reading.editorial import IMAGE_ALT_MISSING
from sitegen.reading.fields import SLUG_PATTERN, FieldReader
from sitegen.reading.markup import MarkdownRenderer, MarkupError, MarkupTimeout, Rendered
from sitegen.reading.sitefiles import walk
from sitegen.structure.characters import undecodable_at
from sitegen.structure.diagnostics import Diagnostic, Diagnostics, numbered_lines
from sitegen.structure.urls import slugify

Signature = tuple[int, int, int]
"""A file's (change time in ns, size, inode): equal means unchanged, unless racy. The change
time, not the modification time, which a tool may set back (see `cache.snapshot.Signature`)."""

RACY_NS = 2_000_000_000
"""A file modified this recently may change again within one tick of its clock without its
stat showing it (git's "racy clean" problem), so its stat is not trusted next time: its
bytes are hashed instead."""


def is_content_file(name: str) -> bool:
    """Skip hidden files and editors' temp and backup files (`.#x.md`, `x.md~`)."""
    return name.endswith(".md") and not name.startswith((".", "#", "~"))


@dataclass(frozen=True)
class ParsedFile:
    """One content file as last parsed, with the problems parsing it found."""

    digest: str
    """SHA-256 of the file's bytes: what decides whether the parse still holds."""
    limit: int
    """The size limit it was read under (`max_file_size_mb`): a file over it is not parsed."""
    document: Document
    diagnostics: tuple[Diagnostic, ...]
    signature: Signature | None = None
    """The stat it had; None when it was too recent to vouch for the bytes (see `RACY_NS`)."""


@dataclass
class FileCache:
    """Parsed files by path, and converted bodies by their text's hash."""

    files: dict[str, ParsedFile] = field(default_factory=dict)
    bodies: dict[tuple[bool, str], Rendered] = field(default_factory=dict)
    """By (raw HTML allowed, SHA-256 of the Markdown)."""


@dataclass(frozen=True)
class SourceSettings:
    """The settings of sitegen.toml that change how a file is parsed or its body converted."""

    max_file_bytes: int
    unsafe_html: bool
    markdown_seconds: float


class SourceReader:
    """Read the files of one site for one read of it, through the cache of earlier reads.

    What this read uses is gathered in `used`, which becomes the cache of the next
    read, so files that were deleted or bodies that were rewritten fall out of it.
    """

    def __init__(
        self, root: Path, settings: SourceSettings, renderer: MarkdownRenderer, previous: FileCache,
    ) -> None:
        self.root = root
        self._root_prefix = str(root).rstrip("/") + "/"
        self.settings = settings
        self.renderer = renderer
        self.previous = previous
        self.ahead = FileCache()
        """What workers parsed and converted for this read (see `prefetch`), before it asked."""
        self.used = FileCache()
        self.parsed = 0
        """Files whose bytes were new to the cache."""
        self.converted = 0
        """Bodies that were new to the cache."""
        self.timeouts = 0
        """Conversions that ran out of time: what reported them must not be kept."""
        self.fresh: list[Document] = []
        """The documents parsed for this read (here or by a worker), with their front matter."""
        self.tracks: FileCache | None = None
        """Also gathers what is used while set: one story folder's files (see `reading.folders`)."""

    def carry(self, files: FileCache) -> None:
        """Use the files and bodies of an earlier read of a folder again, without looking at them."""
        self.used.files.update(files.files)
        self.used.bodies.update(files.bodies)

    def rel(self, path: Path) -> str:
        """The path relative to the site, as diagnostics name it."""
        # By its text for the paths under the root that reading makes (twice per file per
        # read: pathlib's relative_to was a tenth of a read from the cache).
        text = str(path)
        if text.startswith(self._root_prefix) and os.sep == "/":
            return text[len(self._root_prefix):]
        return path.relative_to(self.root).as_posix()

    def load(self, path: Path) -> ParsedFile:
        """The parse of a file, reusing an earlier one while its bytes are the same."""
        relative = self.rel(path)
        known = self.used.files.get(relative)
        if known is None:
            known = self.ahead.files.get(relative)
            if known is not None:
                self.fresh.append(known.document)  # parsed for this read, by a worker
            else:
                known = self.previous.files.get(relative)
        limit = self.settings.max_file_bytes
        stat = path.stat()
        # The change time, which no tool can set back (see `cache.snapshot.Signature`).
        signature = (stat.st_ctime_ns, stat.st_size, stat.st_ino)
        trusted = signature if time.time_ns() - stat.st_ctime_ns > RACY_NS else None
        if known is not None and known.limit == limit and known.signature == signature:
            parsed = known
        elif limit and stat.st_size > limit:
            # Bounded work: a 50 MB body would take minutes and gigabytes to convert.
            message = (f"the file is {stat.st_size / 1e6:.1f} MB, over the limit of {limit / 1e6:g} MB; "
                       "split it, or raise `max_file_size_mb` in sitegen.toml")
            parsed = ParsedFile(f"over the limit: {stat.st_size}", limit, Document(relative, None, 0, 1, ""),
                                (Diagnostic(relative, 1, 1, "error", message),), trusted)
        else:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if known is not None and known.limit == limit and known.digest == digest:
                parsed = replace(known, signature=trusted)
            else:
                parsed = self._parse(relative, data, digest, limit, trusted)
        self.used.files[relative] = parsed
        if self.tracks is not None:
            self.tracks.files[relative] = parsed
        return parsed

    def _parse(self, relative: str, data: bytes, digest: str, limit: int, signature: Signature | None,
               ) -> ParsedFile:
        self.parsed += 1
        local = Diagnostics()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line, column, problem = undecodable_at(error)
            local.error(relative, line, column, f"{problem}; save it as UTF-8")
            document = Document(relative, None, 0, 1, "")
        else:
            document = read_document(relative, text, local)
        self.fresh.append(document)
        return ParsedFile(digest, limit, document, tuple(local.items), signature)

    def parse(self, path: Path, diagnostics: Diagnostics) -> Document:
        """Parse a file (or reuse its parse) and report what parsing it found."""
        parsed = self.load(path)
        diagnostics.items.extend(parsed.diagnostics)
        return parsed.document

    def document(self, relative: str) -> Document | None:
        """A file this read parsed, by its path relative to the site."""
        parsed = self.used.files.get(relative)
        return parsed.document if parsed is not None else None

    def fields(
        self, source: Document, schema: dict, what: str, zone: tzinfo, diagnostics: Diagnostics,
    ) -> dict[str, Any]:
        """The typed values of a file's front matter; problems go to `diagnostics`."""
        if source.meta is None:
            return {}
        return FieldReader(source.path, diagnostics, zone).read(source.meta, schema, what)

    def body(self, source: Document, diagnostics: Diagnostics) -> tuple[str, str]:
        """Convert a body once; warn about every disarmed link at its line."""
        try:
            rendered = self.convert(source.body)
        except MarkupError as error:
            self.timeouts += isinstance(error, MarkupTimeout)
            diagnostics.error(source.path, source.body_line + error.line, 1, str(error))
            return "", ""
        for url in rendered.unsafe_urls:
            diagnostics.warning(
                source.path, *place_of(source, url),
                f"link to `{url[:60]}` shown as plain text: only http, https, mailto and "
                "relative links are allowed",
            )
        for url in rendered.untitled_frames:
            diagnostics.warning(
                source.path, *place_of(source, url),
                f"the frame of `{url[:60]}` has no title: screen readers announce a frame by it; "
                'add title="…" saying what it shows (e.g. title="The speech, on the broadcaster\'s player")',
            )
        for url in rendered.images_without_alt:
            diagnostics.items.append(Diagnostic(
                source.path, *place_of(source, url), "warning",
                f"image `{url[:60]}` has no alternative text: say what it shows, as in "
                "![The minister at the lectern](photo.jpg) (alt=\"…\" in HTML), for readers who "
                "cannot see it", IMAGE_ALT_MISSING,
            ))
        return rendered.html, rendered.summary

    def convert(self, markdown: str) -> Rendered:
        """The HTML of a Markdown body, converted once for every build that shares this cache."""
        key = self.body_key(markdown)
        rendered = self.used.bodies.get(key) or self.ahead.bodies.get(key) or self.previous.bodies.get(key)
        if rendered is None:
            rendered = self.renderer.render(markdown, self.settings.markdown_seconds)
            self.converted += 1
        self._keep_body(key, rendered)
        return rendered

    def _keep_body(self, key: tuple[bool, str], rendered: Rendered) -> None:
        self.used.bodies[key] = rendered
        if self.tracks is not None:
            self.tracks.bodies[key] = rendered

    def body_key(self, markdown: str) -> tuple[bool, str]:
        """What a body's conversion is kept by: its text's hash, and whether raw HTML was allowed."""
        return (self.settings.unsafe_html, hashlib.sha256(markdown.encode()).hexdigest())

    def keep_converted(self, markdown: str) -> None:
        """Carry a body's conversion into the next cache though nothing converted it this time."""
        key = self.body_key(markdown)
        rendered = self.previous.bodies.get(key)
        if rendered is not None:
            self._keep_body(key, rendered)

    def markdown_files(self, folder: Path, diagnostics: Diagnostics) -> list[Path]:
        """The content files under a folder, in name order; never a file outside the site."""
        # A link out of the site, a dangling link or a loop is an error.
        found = [(p.relative_to(folder), p) for p in walk(self.root, folder, diagnostics, ".md")]
        return [
            path for relative, path in sorted(
                ((relative.as_posix(), path) for relative, path in found
                 if is_content_file(path.name) and not any(part.startswith(".") for part in relative.parts)),
                key=lambda pair: pair[0],
            )
        ]

    def check_slug(self, path: Path, slug: str, what: str, diagnostics: Diagnostics) -> bool:
        """Tell whether a file or folder name can be part of a URL; say how to rename it if not."""
        if SLUG_PATTERN.match(slug):
            return True
        diagnostics.error(
            self.rel(path), 0, 0,
            f"{what} `{slug}` must be lowercase ASCII letters, digits and hyphens; "
            f"rename it to `{slugify(slug) or 'a-slug'}`",
        )
        return False


def place_of(source: Document, url: str) -> tuple[int, int]:
    """Where the body writes a link's or an image's address, as line and column of the file.

    Where it is written as one (`](url`, `<url>`, `="url"`, a reference's `]: url`) wins over
    a mention of the same words earlier in the text; the first line of the body if neither."""
    lines = numbered_lines(source.body)
    # Python-Markdown expands tabs before it sees a link (`java<TAB>script:`).
    for needles in ((f"]({url}", f"<{url}>", f'="{url}', f"='{url}", f"]: {url}"), (url,)):
        for offset, text in enumerate(lines):
            for line in (text, text.expandtabs(4)):
                found = min((at for needle in needles if (at := line.find(needle)) >= 0), default=-1)
                if found >= 0:
                    return source.body_line + offset, line.find(url, found) + 1
    return source.body_line, 1


def line_of_meta(source: Document, key: str) -> int:
    """The line a front-matter key is written on, or 1."""
    if source.meta and key in source.meta.key_positions:
        return source.meta.key_positions[key][0]
    return 1


def file_digest(source: Document) -> str:
    """The short hash of a file's text that `Entry.digest` carries (the changes feed uses it)."""
    return hashlib.sha256(source.text.encode()).hexdigest()[:16]

