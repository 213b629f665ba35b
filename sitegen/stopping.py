"""How a command stops when it is asked to: SIGTERM as Ctrl-C.

`kill`, a CI runner's timeout and `systemctl stop` send SIGTERM, whose default is to
end the process on the spot: a build's staging folder and output lock were left
beside the output, and its workers ran on. Raised as an interrupt instead, it stops a
build as Ctrl-C does: the workers are stopped, the staging folder removed, nothing
published.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

TERMINATED_STATUS = 128 + signal.SIGTERM
"""The exit status of a command stopped by SIGTERM, as a shell reports one killed by it."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: every handler of an interrupt handles it too."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within, SIGTERM raises `Terminated` in the main thread (and in the workers it forks)."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread, which alone may handle signals: left as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
