"""The code's layout is documented and kept honest: one way through the pipeline, a map that matches.

Every import counts, including those inside functions and under TYPE_CHECKING:
a cycle hidden behind a late import is still a cycle for whoever changes the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.sites import REPO_ROOT

PACKAGE = REPO_ROOT / "sitegen"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Which sitegen module imports which, from the source (nothing is imported to find out)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


def test_nothing_imports_the_orchestrator_but_the_commands_on_top_of_it() -> None:
    importers = {name for name, targets in import_graph().items() if "sitegen.build" in targets}
    assert importers <= {"sitegen.commands", "sitegen.checking", "sitegen.preview.serve"}, importers


def test_the_cycle_finder_finds_a_cycle_through_a_third_module() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_readme_module_map_matches_the_tree() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    mapped = re.findall(r"^(sitegen/\S+\.py)\s+\S", readme, flags=re.MULTILINE)
    on_disk = sorted(
        path.relative_to(REPO_ROOT).as_posix() for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"
    )
    assert sorted(mapped) == on_disk
    assert len(mapped) == len(set(mapped)), "a module is listed twice"
