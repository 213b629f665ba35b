"""The current output and the spare, checked against their records on the other core.

A build after an edit first learns which files of the current output are still as
its record says (so their fingerprints can be trusted) and which files of the spare
may stay (`writing.spare`): a stat of every file of both, 0.18 s at 10,000 entries,
on the one core that unpickles the read cache meanwhile (0.65 s) while the other
idles. So, once the build holds the output's lock and has the record, a child process
forked for it checks both, and the build takes the answer when it needs it. The child
sends back only what is not as recorded, which after an edit is next to nothing; one
that cannot be forked, or dies, leaves the build to check in its own process.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from sitegen.cache.record import OutputRecord, trusted_fingerprints
from sitegen.structure import urls
from sitegen.writing import workers
from sitegen.writing.spare import SpareCheck, SpareRecord, check_spare
from sitegen.writing.staging import BACKGROUND_DELETE_FILES, retire


@dataclass(frozen=True)
class Checked:
    """What the check found."""

    untrusted: frozenset[str]
    """The record's paths whose files are not as it says: their fingerprints are not trusted."""
    spare: SpareCheck | None
    """What the spare held that was not as its record said (deleted since); None: no spare."""

    def trusted(self, record: OutputRecord) -> dict[str, str]:
        """The record's fingerprints that hold, as `record.trusted_fingerprints` gives them."""
        untrusted = self.untrusted
        return {path: fingerprint for path, fingerprint in record.fingerprints.items()
                if path not in untrusted}


@dataclass(frozen=True)
class CheckJob:
    """What a check looks at: the output and its record, and the spare with its own."""

    output: Path
    record: OutputRecord
    spare: Path | None
    spare_record: SpareRecord | None
    trash: Path | None


def checked_output(job: CheckJob) -> Checked:
    """Check the output and the spare (in a child process, or in the build's own)."""
    trusted = trusted_fingerprints(job.record, job.output)
    untrusted = frozenset(path for path in job.record.fingerprints if path not in trusted)
    spare = None
    if job.spare is not None and job.spare_record is not None and job.spare.is_dir():
        spare = check_spare_tree(job.spare, job.spare_record, job.trash)
    return Checked(untrusted, spare)


def check_spare_tree(spare: Path, record: SpareRecord, trash: Path | None) -> SpareCheck:
    """Check a spare against its record (`spare.check_spare`), its search index moved out first:
    the index is made or linked again by its stage, and its thousands of files are deleted
    in the background (`staging.retire`) rather than one by one as strays."""
    if (spare / urls.SEARCH_INDEX_FOLDER).is_dir():
        retire(spare / urls.SEARCH_INDEX_FOLDER, BACKGROUND_DELETE_FILES, trash)
    return check_spare(spare, record)


class OutputCheck:
    """A check under way in a child process; `result` waits for it."""

    def __init__(self, job: CheckJob) -> None:
        self.job = job
        self._child: workers.Child | None = None
        if workers.can_fork():
            with contextlib.suppress(workers.CannotFork):
                self._child = workers.fork_job(checked_output, job)

    def result(self) -> Checked:
        """What the check found; made here when the child could not be forked or did not answer."""
        child, self._child = self._child, None
        if child is not None:
            child.done(wait=True)
            try:
                found = child.result()
            except Exception:  # lost, or what failed there fails here too, and is raised from here
                found = None
            if isinstance(found, Checked):
                return found
        return checked_output(self.job)

    def cancel(self) -> None:
        """Stop the child, if it still runs (the build ends before it needed the answer)."""
        if self._child is not None:
            self._child.kill()
            self._child = None
