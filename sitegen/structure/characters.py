"""The characters that no page, feed or JSON of the site may carry, in one definition.

HTML forbids control characters other than whitespace, and noncharacters (U+FDD0–U+FDEF and
the last two code points of every plane); XML 1.0 forbids the C0 controls but tab, newline and
carriage return. An author meets them by accident: a value typed with an escape (`"\\u0001"`
is valid YAML and TOML), a body pasted from a terminal or a PDF, a TimelineJS sheet exported
with a stray control code. Reading drops them, with a warning that names the place, so every
output is valid for its consumer and says the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_FIRST_PLANE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
"""C0 controls but tab, newline and carriage return; DEL and the C1 controls; lone surrogates;
the first plane's noncharacters."""
_PAST_FIRST_PLANE = "".join(
    chr(plane * 0x10000 + last) for plane in range(1, 17) for last in (0xFFFE, 0xFFFF))
"""The noncharacters of the other planes: the last two code points of each."""
FORBIDDEN = re.compile(f"[{_FIRST_PLANE}{_PAST_FIRST_PLANE}]")

_SUSPECTS = re.compile(f"[{_FIRST_PLANE}\U00010000-\U0010ffff]")
"""FORBIDDEN's characters in the first plane, and every character past it: one range instead of
the 32 noncharacters there makes the search of every file read ten times faster (0.06 s for
10,000 entries, against 0.68), and a character past the first plane is rare enough to be told
apart in Python."""


def find_forbidden(text: str) -> re.Match[str] | None:
    """The first character of `text` no output may carry, or None."""
    for suspect in _SUSPECTS.finditer(text):
        if suspect[0] <= "\uffff" or ord(suspect[0]) & 0xFFFE == 0xFFFE:
            return suspect
    return None


def without_forbidden(text: str) -> str:
    """`text` without the characters no output may carry."""
    return text if find_forbidden(text) is None else FORBIDDEN.sub("", text)


def described(character: str) -> str:
    """How a forbidden character is named to an author, who cannot see it: `an invisible control
    character (U+0001)`."""
    code = ord(character)
    if code == 0:
        return "a NUL character (byte 0)"
    if 0xD800 <= code <= 0xDFFF:
        kind = "half of a surrogate pair"
    elif code <= 0x9F:
        kind = "an invisible control character"
    else:
        kind = "a noncharacter"
    return f"{kind} (U+{code:04X})"


def is_forbidden_code(code: int) -> bool:
    """Tell whether a character reference (`&#1;`) names a character no output may carry."""
    return code == 0 or code > 0x10FFFF or find_forbidden(chr(code)) is not None


def without_forbidden_in(value: Any, found: Callable[[str, str], None], key: str = "") -> Any:
    """A parsed document (strings in tables and lists, as TOML and JSON give them) without the
    forbidden characters its escapes (`"\\u0001"`, `"\\ud800"`) put in; `found(key, character)`
    hears of each string that held one, by the key it is under."""
    if isinstance(value, str):
        if (character := find_forbidden(value)) is not None:
            found(key, character[0])
            return without_forbidden(value)
        return value
    if isinstance(value, dict):
        return {name: without_forbidden_in(item, found, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [without_forbidden_in(item, found, key) for item in value]
    return value


def undecodable_at(error: UnicodeDecodeError) -> tuple[int, int, str]:
    """Where the first byte that is not UTF-8 lies, as an editor counts it (line, column from 1),
    and the words that say so: a file saved as Latin-1 fails at its first accented letter."""
    data = error.object
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[line_start:error.start].decode("utf-8", "replace")) + 1
    return line, column, f"not UTF-8 text (byte 0x{data[error.start]:02x} at line {line}, column {column})"


_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
"""What a terminal acts on rather than shows: the controls (ESC starts the sequences that clear
the screen or set the window's title) but tab, and the marks and overrides that reorder the
text shown after them."""


def shown_in_terminal(text: str) -> str:
    """`text` with every character a terminal would act on written as its escape (`\\x1b`):
    a problem quotes a file's words, and a content file is not to be trusted with the screen."""
    return _TERMINAL_UNSAFE.sub(_escape_for_terminal, text)


def _escape_for_terminal(found: re.Match[str]) -> str:
    code = ord(found[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
