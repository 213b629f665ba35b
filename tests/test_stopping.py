"""How a command stops when asked to from outside (the builds and the preview: see
`test_parallel_build` and `test_serve`): a signal the caller chose to ignore stays ignored."""

from __future__ import annotations

import subprocess
import sys

from tests.support.sites import REPO_ROOT

HANGUP_UNDER_NOHUP = """
import os, signal
from sitegen.stopping import terminate_as_interrupt
signal.signal(signal.SIGHUP, signal.SIG_IGN)  # what `nohup` does before it runs the command
with terminate_as_interrupt():
    os.kill(os.getpid(), signal.SIGHUP)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
    except KeyboardInterrupt as stopped:
        print("survived the hangup; stopped by", stopped.signum)
print("hangup still ignored:", signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)
"""


def test_nohup_keeps_a_command_running_when_its_terminal_closes() -> None:
    done = subprocess.run([sys.executable, "-c", HANGUP_UNDER_NOHUP], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=60)
    assert done.stdout.splitlines() == ["survived the hangup; stopped by 15", "hangup still ignored: True"], (
        done.stderr)
