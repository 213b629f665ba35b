"""Watch a site's sources and report each burst of changes once it has settled.

Editors save through temp files and renames, and `git checkout` touches
hundreds of files in a few milliseconds: rebuilding on every event would build
half-written states and pile up builds. The watcher collects the paths of a
burst until nothing has happened for `quiet` seconds (MkDocs' build_delay),
then hands them over in one call.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

WATCHED_DIRS = ("content", "layouts", "static")
WATCHED_FILES = ("sitegen.toml",)

IGNORED_NAMES = (
    "*~", ".#*", "#*#", "*.swp", "*.swx", "*.swpx", "*.tmp", "4913", ".DS_Store",
    "*___jb_tmp___", "*___jb_old___", ".goutputstream-*", "*.crswap", "*.kate-swp",
)
"""Editors' temp, lock and backup files: vim, emacs, JetBrains, gedit, Kate, macOS."""

LIMIT_ERRORS = (errno.ENOSPC, errno.EMFILE)

QUIET_SECONDS = 0.02
"""How long a burst must be quiet before it is built. An editor's save (temp file, rename,
backup removed) and a `git checkout` come with gaps well under a millisecond between files;
every millisecond waited here is one more between a save and the page showing it."""
"""What inotify raises when fs.inotify.max_user_watches or max_user_instances is reached."""

ChangeHandler = Callable[[set[str]], object]
"""Called with the changed paths, relative to the root; what it returns is ignored."""


def watched_roots(root: Path) -> list[Path]:
    """The files and folders of a site that a rebuild depends on, as the watcher sees them."""
    return [root / name for name in (*WATCHED_FILES, *WATCHED_DIRS)]


def is_ignored(relative: str) -> bool:
    """Tell whether a path (relative to the site, forward slashes) cannot matter to a build."""
    parts = relative.split("/")
    if any(part in (".git", ".hg", ".svn", "__pycache__") for part in parts):
        return True
    return any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in IGNORED_NAMES)


class _Collector(FileSystemEventHandler):
    """Turn watchdog events into site-relative paths for the debouncer."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a child changed, and the child's own event says which
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for raw in paths:
            if raw:
                text = raw.decode() if isinstance(raw, bytes) else raw
                self.watcher.add(Path(text), event.is_directory, event.event_type)


class Watcher:
    """Watch content/, layouts/, static/ and sitegen.toml; call back once per settled burst."""

    def __init__(
        self,
        root: Path,
        on_change: ChangeHandler,
        *,
        exclude: Iterable[Path] = (),
        quiet: float = QUIET_SECONDS,
        longest: float = 2.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.on_change = on_change
        self.exclude = [p.resolve() for p in exclude]
        self.quiet = quiet
        self.longest = longest
        """Report even while events keep coming, so a file rewritten in a loop cannot starve builds."""
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.polling = False
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._watched: dict[str, ObservedWatch] = {}
        self._observer: BaseObserver = Observer()
        self._thread = threading.Thread(target=self._debounce, name="sitegen-debounce", daemon=True)

    # -- events ----------------------------------------------------------------

    def relevant(self, path: Path) -> str | None:
        """The site-relative path of an event if a build could care about it."""
        if any(path == folder or path.is_relative_to(folder) for folder in self.exclude):
            return None
        if not path.is_relative_to(self.root):
            return None
        relative = path.relative_to(self.root).as_posix()
        top = relative.split("/", 1)[0]
        if relative in WATCHED_FILES or (top in WATCHED_DIRS and not is_ignored(relative)):
            return relative
        return None

    def add(self, path: Path, is_directory: bool, kind: str) -> None:
        """Record one changed path and restart the quiet period."""
        relative = self.relevant(path)
        if relative is None:
            return
        if is_directory and relative in WATCHED_DIRS and kind in ("created", "deleted", "moved"):
            # content/, layouts/ or static/ appeared, vanished or was replaced (a git checkout).
            self._unschedule_folder(relative)
            self._schedule_folder(relative)
        with self._lock:
            self._pending.add(relative)
        self._wake.set()

    def _debounce(self) -> None:
        while not self._stopping:
            self._wake.wait()
            if self._stopping:
                return
            first = time.monotonic()
            while True:
                self._wake.clear()
                if self._wake.wait(self.quiet) and time.monotonic() - first < self.longest:
                    continue
                break
            with self._lock:
                batch, self._pending = self._pending, set()
            if batch and not self._stopping:
                try:
                    self.on_change(batch)
                except Exception as error:  # a failed rebuild must not stop the watching
                    self.log(f"sitegen: internal error while rebuilding: {type(error).__name__}: {error}")

    # -- observer --------------------------------------------------------------

    def _schedule_folder(self, name: str) -> None:
        folder = self.root / name
        if name in self._watched or not folder.is_dir():
            return
        self._watched[name] = self._observer.schedule(_Collector(self), str(folder), recursive=True)

    def _unschedule_folder(self, name: str) -> None:
        watch = self._watched.pop(name, None)
        if watch is not None:
            # inotify has already dropped the watch of a deleted folder.
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(watch)

    def _schedule_all(self) -> None:
        # The root itself only non-recursively: a site folder may hold .git, node_modules
        # or public/ with far more folders than inotify should be asked to watch.
        self._observer.schedule(_Collector(self), str(self.root), recursive=False)
        self._watched = {}
        for name in WATCHED_DIRS:
            self._schedule_folder(name)

    def start(self) -> None:
        """Start watching; fall back to polling when the system's watch limit is reached."""
        try:
            self._schedule_all()
            self._observer.start()
        except OSError as error:
            if error.errno not in LIMIT_ERRORS:
                raise
            self.log(
                "sitegen: warning: the system's limit on watched files is reached "
                f"({error.strerror}); checking for changes by polling every second instead. "
                "To watch efficiently, raise the limit: "
                "sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
            )
            self._stop_observer()
            self.polling = True
            self._observer = PollingObserver(timeout=1.0)
            self._schedule_all()
            self._observer.start()
        self._thread.start()

    def _stop_observer(self) -> None:
        try:
            self._observer.stop()
            if self._observer.is_alive():
                self._observer.join(timeout=5)
        except Exception:  # an observer that never started cannot be stopped cleanly
            pass

    def stop(self) -> None:
        """Stop watching and let the debounce thread end."""
        self._stopping = True
        self._wake.set()
        self._stop_observer()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
