"""Split a Markdown file into front matter and body, keeping line numbers.

Front matter is read with PyYAML's composer only: every scalar stays the text
the author wrote, so `rating: false` is the string "false" and `id: 012345`
keeps its leading zero. Typing is done per field later (see `fields`), which
is what SPEC.md asks for and what avoids YAML 1.1's retyping surprises.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import frontmatter
import yaml

from sitegen.structure.characters import FORBIDDEN, described, find_forbidden, without_forbidden
from sitegen.structure.diagnostics import Diagnostics

# Anchors and aliases let a tiny document expand into a huge tree
# ("billion laughs"); front matter never needs more than this many values.
MAX_NODES = 5000
MAX_DEPTH = 20
"""Front matter nests two or three levels (sources, corrections); deeper is a mistake or an attack."""

# libyaml's parser is about ten times faster than the pure-Python one, and
# parsing front matter is a large share of a cold build.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Value = "str | None | list[Node] | dict[str, Node]"


@dataclass(frozen=True)
class Node:
    """A front-matter value with the place it was written."""

    value: str | list[Node] | dict[str, Node] | None
    """A scalar's text (None for an empty or null value), a list, or a mapping."""
    line: int
    """1-based line in the real file."""
    column: int
    """1-based column in the real file."""
    quoted: bool = False
    """True when the scalar was written in quotes (then `null` is a string)."""
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    """For a mapping: where each key was written, to point errors at the key."""


@dataclass(frozen=True)
class Document:
    """A content file split into its located front matter and its body."""

    path: str
    """Path relative to the site folder, with forward slashes."""
    meta: Node | None
    """The front matter mapping, or None when it is missing or broken."""
    body_start: int
    """Where in `text` the Markdown after the front matter starts."""
    body_line: int
    """The line of the file where the body starts."""
    text: str
    """The whole file, kept for hashing and for locating strings in the body."""

    @property
    def body(self) -> str:
        """The Markdown after the front matter: cut from the text when asked for (once or twice a
        read), not kept beside it (17 MB of a 10,000-entry build and of its cache)."""
        return self.text[self.body_start:]

    def __getstate__(self) -> dict[str, object]:
        if id(self) in _WITHOUT_META:
            return {name: value for name, value in self.__dict__.items() if name not in ("meta", PACKED)}
        if PACKED in self.__dict__:
            state = {name: value for name, value in self.__dict__.items() if name != PACKED}
            state["meta"] = self.meta
            return state
        return self.__dict__

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> object:
        """The front matter of a document kept without it: unpickled from its packed form
        (`pack_meta`), or parsed again from its text (`pickled_without_meta`, `forget_meta`),
        the first time it is asked for; its problems were kept with the parse."""
        if name != "meta" or "text" not in self.__dict__:
            raise AttributeError(name)
        packed = self.__dict__.get(PACKED)
        if packed is not None:
            meta = pickle.loads(packed)
        else:
            meta = read_document(self.path, self.text, Diagnostics()).meta
        self.__dict__["meta"] = meta
        return meta


_WITHOUT_META: set[int] = set()


PACKED = "packed_meta"
"""Where a document keeps its front-matter tree pickled (`pack_meta`)."""


def forget_meta(document: Document) -> None:
    """Drop a document's front-matter tree: it is parsed again from its text if asked for."""
    document.__dict__.pop(PACKED, None)
    if document.__dict__.get("meta") is not None:
        del document.__dict__["meta"]


def pack_meta(document: Document) -> bytes | None:
    """Take a document's front-matter tree out of it, pickled, to be put back by `attach_packed_meta`."""
    if "meta" not in document.__dict__:
        return None
    return pickle.dumps(document.__dict__.pop("meta"), protocol=pickle.HIGHEST_PROTOCOL)


def attach_packed_meta(document: Document, packed: bytes | None) -> None:
    """Give a document its tree as `pack_meta` took it out: unpickled when first asked for."""
    if packed is not None:
        document.__dict__[PACKED] = packed


def loosen_meta(document: Document) -> None:
    """Let go of the unpickled tree of a document that keeps it packed: it is cheap to have
    again, and while a read holds every file's, its tens of objects a file are freed only
    after the read has allocated what it keeps among them (40 MB left in holes at 10,000)."""
    if PACKED in document.__dict__:
        document.__dict__.pop("meta", None)


@contextlib.contextmanager
def pickled_without_meta(documents: Iterable[Document]) -> Iterator[None]:
    """While this lasts, these documents pickle without their front-matter tree.

    The trees are a third of the objects of a large site's build cache, and unpickling
    them was 0.8 s of every build at 10,000 entries, though an entry read from the cache
    never looks at its tree; one asked for is parsed again (`Document.__getattr__`).
    """
    _WITHOUT_META.update(id(document) for document in documents)
    try:
        yield
    finally:
        _WITHOUT_META.clear()


def read_document(path: str, text: str, diagnostics: Diagnostics) -> Document:
    """Parse a content file; report broken front matter with the real file's line."""
    text = text.removeprefix("\ufeff")
    # Old Mac editors end lines with CR alone: read them as lines, not one long first line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _dropping_forbidden(path, text, diagnostics)
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        diagnostics.error(
            path, 1, 1,
            "no front matter found; start the file with a line `---`, then the fields "
            "(`title: ...`), then another line `---`, then the Markdown body",
        )
        return Document(path, None, 0, 1, text)
    match = handler.FM_BOUNDARY.search(text)
    second = handler.FM_BOUNDARY.search(text, match.end()) if match else None
    if match is None or match.start() != 0 or second is None:
        diagnostics.error(
            path, 1, 1,
            "front matter is not closed; add a line `---` after the last field",
        )
        return Document(path, None, 0, 1, text)
    yaml_text = text[match.end() : second.start()]
    # The YAML block starts on the line after the opening `---`.
    first_line = text.count("\n", 0, match.end()) + 1
    if not text[: match.end()].endswith("\n"):
        yaml_text = yaml_text.removeprefix("\n")
        first_line += 1
    body_start = second.end()
    body_line = text.count("\n", 0, body_start) + 2
    if text.startswith("\r", body_start):
        body_start += 1
    if text.startswith("\n", body_start):
        body_start += 1
    meta = parse_yaml(path, yaml_text, first_line, diagnostics)
    if meta is not None and not isinstance(meta.value, dict):
        if meta.value is not None:
            diagnostics.error(
                path, meta.line, meta.column,
                "front matter must be a list of `field: value` lines",
            )
        meta = Node({}, first_line, 1)
    return Document(path, meta, body_start, body_line, text)


def _dropping_forbidden(path: str, text: str, diagnostics: Diagnostics) -> str:
    """The file without the characters no output may carry, with one warning at the first."""
    found = find_forbidden(text)
    if found is None:
        return text
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    count = len(FORBIDDEN.findall(text))
    more = f" (and {count - 1:,} more in this file)" if count > 1 else ""
    diagnostics.warning(path, line, column, f"{described(found[0])} is dropped{more}: no page may "
                        "carry it; save the file as plain text, or delete it here")
    return without_forbidden(text)


def parse_yaml(path: str, yaml_text: str, first_line: int, diagnostics: Diagnostics) -> Node | None:
    """Compose YAML into located nodes, or report the syntax error at its real line."""
    try:
        root = yaml.compose(yaml_text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and "end of stream" in (error.problem or ""):
            # The stream ran out inside a value: the value's start is where the fix goes.
            mark = error.context_mark
        problem = error.problem or "cannot be read"
        if error.context_mark is not None and problem.startswith("did not find expected ','"):
            # A `[` or `{` left open is found where the parser gives up, often at the
            # closing `---`; the place to fix is where it opens.
            mark = error.context_mark
        line = first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        message = plain_yaml_problem(problem, _char_at(yaml_text, mark))
        diagnostics.error(path, line, column, f"front matter is not valid YAML: {message}")
        return None
    except yaml.YAMLError as error:
        diagnostics.error(path, first_line, 1, f"front matter is not valid YAML: {error}")
        return None
    except RecursionError:
        diagnostics.error(path, first_line, 1, f"front matter nests deeper than {MAX_DEPTH} levels")
        return None
    if root is None:
        return Node({}, first_line, 1)
    budget = [MAX_NODES]
    return _convert(path, root, first_line, diagnostics, budget, 0)


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    """The character a YAML mark points at, or ""."""
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def plain_yaml_problem(problem: str, char: str) -> str:
    """Say what is wrong in the author's words rather than the parser's."""
    if char == "\t":
        return "a tab; indent with spaces, not tabs"
    if problem.startswith("did not find expected ','"):
        closing = "]" if "']'" in problem else "}"
        opening = "[" if closing == "]" else "{"
        return (f"the `{opening}` here is never closed; end the list with `{closing}` on the same "
                f"line, or put the value in quotes")
    return problem + yaml_hint(problem)


def yaml_hint(problem: str) -> str:
    """Suggest the usual fix for the YAML mistakes authors make most."""
    if "mapping values are not allowed" in problem:
        return "; a value that contains `: ` must be put in quotes"
    if "found character '\\t'" in problem:
        return "; indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "; each line must be `field: value` (is a quote left open?)"
    if "end of stream" in problem:
        return "; a quote opened on this line is never closed"
    if "found undefined alias" in problem:
        return "; a value starting with `*` must be put in quotes"
    return ""


def _convert(
    path: str, node: yaml.Node, first_line: int, diagnostics: Diagnostics, budget: list[int],
    depth: int,
) -> Node:
    """Turn a composed YAML node into a `Node`, reporting duplicate keys."""
    budget[0] -= 1
    line = first_line + node.start_mark.line
    column = node.start_mark.column + 1
    if budget[0] < 0:
        return Node(None, line, column)
    if depth > MAX_DEPTH:
        diagnostics.error(path, line, column, f"this value nests deeper than {MAX_DEPTH} levels; "
                          "front matter needs two or three")
        return Node(None, line, column)
    if isinstance(node, yaml.ScalarNode):
        quoted = node.style in ("'", '"', "|", ">")
        value: str | None = node.value
        if not quoted and node.tag == "tag:yaml.org,2002:null":
            value = None
        elif node.style == '"' and (found := find_forbidden(node.value)) is not None:
            # Only an escape (`"\u0001"`, double-quoted) can put one here: the file's own were dropped.
            diagnostics.warning(path, line, column, f"this value holds {described(found[0])}, "
                                "which no page may carry; it is dropped (remove its escape)")
            value = without_forbidden(node.value)
        return Node(value, line, column, quoted)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(path, item, first_line, diagnostics, budget, depth + 1) for item in node.value]
        return Node(items, line, column)
    mapping: dict[str, Node] = {}
    positions: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key_line = first_line + key_node.start_mark.line
        key_column = key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            diagnostics.error(path, key_line, key_column, "a field name must be plain text")
            continue
        key = key_node.value
        if key in mapping:
            first = positions[key]
            diagnostics.error(
                path, key_line, key_column,
                f"`{key}` is given twice (first on line {first[0]}); keep one",
            )
            continue
        mapping[key] = _convert(path, value_node, first_line, diagnostics, budget, depth + 1)
        positions[key] = (key_line, key_column)
    if budget[0] < 0:
        diagnostics.error(path, line, column, "front matter is too large or too deeply aliased")
    return Node(mapping, line, column, key_positions=positions)
