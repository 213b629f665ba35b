"""The example site's built pages, compared with committed expected output.

After an intended change to the theme, the content or the build, regenerate
the expected output and review the diff before committing it:

    SITEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "example"
# Pagefind's index is binary and versioned by the tool, not by us.
SKIPPED_DIRS = ("pagefind/",)


def output_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path, except tool-made indexes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(SKIPPED_DIRS)
    }


def test_the_example_site_matches_the_committed_output(example_site_build: Path) -> None:
    built = output_files(example_site_build)
    if os.environ.get("SITEGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for relative, data in built.items():
            target = GOLDEN / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = output_files(GOLDEN)
    assert sorted(built) == sorted(expected), "files added or removed; see the README to regenerate"
    for relative, data in built.items():
        if data != expected[relative]:
            diff = difflib.unified_diff(
                expected[relative].decode("utf-8", "replace").splitlines(),
                data.decode("utf-8", "replace").splitlines(),
                f"expected/{relative}", f"built/{relative}", lineterm="", n=2,
            )
            raise AssertionError("\n".join(list(diff)[:60]))
