"""How a command stops when it is asked to: SIGTERM and SIGHUP as Ctrl-C.

`kill`, a CI runner's timeout and `systemctl stop` send SIGTERM, and closing the
terminal sends SIGHUP; the default of both is to end the process on the spot: a
build's staging folder and output lock were left beside the output and its workers
ran on, and a preview's private folder stayed in the temporary folder. Raised as an
interrupt instead, they stop a command as Ctrl-C does: a build's workers are stopped,
its staging folder removed and nothing published; a preview removes its folder.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """One of `SIGNALS` arrived: every handler of an interrupt handles it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        """The exit status, as a shell reports a process the signal ended (143 for SIGTERM)."""
        return 128 + self.signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within, each of `SIGNALS` raises `Terminated` in the main thread (and in the workers it
    forks)."""
    try:
        # One ignored stays ignored: `nohup sitegen serve` outlives its terminal.
        previous = {signum: signal.signal(signum, _raise_terminated) for signum in SIGNALS
                    if signal.getsignal(signum) is not signal.SIG_IGN}
    except ValueError:  # not the main thread, which alone may handle signals: left as they are
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
