"""The output stages beyond HTML pages: each adds files from the same views."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitegen.build import OutputPlanner

PLANNERS: tuple[OutputPlanner, ...] = ()
