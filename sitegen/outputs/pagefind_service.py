"""Pagefind's indexing API, spoken to its binary directly: `pagefind --service`.

This is the protocol Pagefind's own Python and Node packages use: each message
is JSON, base64-encoded and followed by a comma, on the child's stdin; each
answer comes back the same way on its stdout, tagged with the message's id.
The binary handles one message after another, so documents get page numbers in
the order they are sent and the bundle is the same from run to run.

sitegen talks to the binary itself rather than through the `pagefind` package
because that package reads one answer per 100 ms (it sleeps between reads), so
10,000 documents would take over a quarter of an hour to add.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import subprocess
import threading
import time
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 600
"""No answer for this long means the binary is stuck."""
CANCEL_CHECK_SECONDS = 0.1
"""How often a wait for an answer looks whether the caller cancelled."""
BACKGROUND_NICENESS = 10
"""How much nicer than sitegen a background Pagefind runs: on two cores, two indexing lanes
at the same priority halved the speed of a preview rebuild running beside them."""
WRITE_SECONDS = 30
"""How long Pagefind may take to finish writing the files it said it wrote."""
SETTLE_SECONDS = 0.01
"""A bundle whose files kept their sizes this long after WriteFiles is written (`wait_for_files`)."""


class PagefindError(Exception):
    """The binary could not be run, refused a message, or stopped."""


class PagefindCancelled(PagefindError):
    """The caller asked the work to stop (the preview server is shutting down)."""


class PagefindService:
    """One `pagefind --service` child, for building one bundle."""

    def __init__(self, binary: Path, cwd: Path, cancel: threading.Event | None = None,
                 background: bool = False) -> None:
        """`cwd` is where the child runs: Pagefind reads a pagefind.yml it finds there. Setting
        `cancel` ends the child and makes the call waiting on it raise `PagefindCancelled`.
        `background` runs it at a lower CPU priority (`BACKGROUND_NICENESS`): the preview's
        index must not slow the rebuild of the author's next save."""
        self._cancel = cancel or threading.Event()
        try:
            self._process = subprocess.Popen(
                [str(binary), "--service"], cwd=cwd,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise PagefindError(f"could not run {binary}: {error}") from error
        if background:
            # From the parent, not a preexec_fn (unsafe beside threads); a child may always be niced.
            with contextlib.suppress(OSError, AttributeError):
                os.setpriority(os.PRIO_PROCESS, self._process.pid,
                               min(19, os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS))
        self._next_id = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._closed = False
        self._arrived = threading.Condition()
        self._stderr: list[bytes] = []
        # Both pipes are read while messages are written: a full pipe would stall the child.
        self._readers = [
            threading.Thread(target=self._read_answers, name="pagefind-stdout", daemon=True),
            threading.Thread(target=self._read_errors, name="pagefind-stderr", daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, documents: Iterable[tuple[str, str]], bundle: Path) -> int:
        """Index (url, HTML) documents and write the bundle to `bundle`; return how many."""
        index_id = self._ask({"type": "NewIndex", "config": None})["index_id"]
        sent = [
            self._send({"type": "AddFile", "index_id": index_id, "url": plain(url),
                        "file_contents": plain(html), "file_path": None})
            for url, html in documents
        ]
        for message_id in sent:
            self._answer(message_id)
        self._ask({"type": "WriteFiles", "index_id": index_id, "output_path": str(bundle)})
        wait_for_files(bundle)
        return len(sent)

    def close(self) -> None:
        """End the child: it exits when its stdin closes."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for reader in self._readers:
            reader.join(timeout=5)

    def _ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._answer(self._send(payload))

    def _send(self, payload: dict[str, Any]) -> int:
        if self._cancel.is_set():
            self._process.kill()
            raise PagefindCancelled("the search index was cancelled")
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload}).encode()
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(base64.b64encode(message) + b",")
            self._process.stdin.flush()
        except OSError as error:  # it exited, and the pipe broke
            if self._cancel.is_set():
                raise PagefindCancelled("the search index was cancelled") from error
            raise PagefindError(self._stopped("pagefind exited")) from error
        return self._next_id

    def _answer(self, message_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        with self._arrived:
            # In slices, so that a cancel is seen within one of them.
            while not self._arrived.wait_for(
                lambda: message_id in self._answers or self._closed, timeout=CANCEL_CHECK_SECONDS
            ):
                if self._cancel.is_set():
                    self._process.kill()
                    raise PagefindCancelled("the search index was cancelled")
                if time.monotonic() > deadline:
                    raise PagefindError(f"pagefind gave no answer in {TIMEOUT_SECONDS} s")
            answer = self._answers.pop(message_id, None)
        if answer is None:
            raise PagefindError(self._stopped("pagefind exited"))
        if answer.get("type") == "Error":
            raise PagefindError(f"pagefind refused a document: {answer.get('message', answer)}")
        return answer

    def _read_answers(self) -> None:
        assert self._process.stdout is not None
        pending = b""
        try:
            stdout = typing.cast(io.BufferedReader, self._process.stdout)  # Popen without text=: buffered
            while chunk := stdout.read1(1 << 16):
                *complete, pending = (pending + chunk).split(b",")
                # Empty pieces (a separator at the start, or two in a row) carry no answer.
                answers = [json.loads(base64.b64decode(raw)) for raw in complete if raw.strip()]
                with self._arrived:
                    for answer in answers:
                        self._answers[answer.get("message_id")] = answer.get("payload", {})
                    self._arrived.notify_all()
        except (OSError, ValueError):
            pass  # a broken answer ends the conversation; the waiting side says so
        finally:
            with self._arrived:
                self._closed = True
                self._arrived.notify_all()

    def _read_errors(self) -> None:
        assert self._process.stderr is not None
        stderr = typing.cast(io.BufferedReader, self._process.stderr)
        while chunk := stderr.read1(1 << 16):
            self._stderr.append(chunk)

    def _stopped(self, what: str) -> str:
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._readers[1].join(timeout=5)  # what it said on stderr, to the end
        said = b"".join(self._stderr).decode(errors="replace").strip()[-2000:]
        return what + (f" with exit code {code}" if code is not None else "") + (f": {said}" if said else "")


def plain(text: str) -> str:
    """Text the binary's JSON reader accepts: it drops a message with a lone surrogate unanswered."""
    return text.encode("utf-8", "replace").decode("utf-8")


def wait_for_files(bundle: Path) -> None:
    """Wait until every file of the bundle holds its bytes.

    Pagefind answers WriteFiles once each file is created and its bytes are handed to
    a background writer, and it exits at once when its stdin closes: closing right
    after the answer can leave a file empty (about one run in twenty) or, for its larger
    scripts, cut short (once in a test run on a loaded machine). No file of a bundle is
    empty, so a bundle is taken as complete when none is and no file's size changed
    over a pause of `SETTLE_SECONDS`.
    """
    deadline = time.monotonic() + WRITE_SECONDS
    last: dict[Path, int] | None = None
    while True:
        sizes = {path: path.stat().st_size for path in bundle.rglob("*") if path.is_file()}
        if sizes == last and all(sizes.values()):
            return
        if time.monotonic() > deadline:
            raise PagefindError(f"pagefind left files unwritten in {bundle} for {WRITE_SECONDS} s")
        last = sizes
        time.sleep(SETTLE_SECONDS)
