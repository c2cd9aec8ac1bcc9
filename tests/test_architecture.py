"""The shape of the code: no module imports itself back through others, and the layers point
one way (handlers/ → bot/ → storage/ → content/; only the wiring and the sandbox see all).

Module-level imports only: they are what runs when a file is imported, so they are what can
make a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "content")
# May import from any layer: the application's wiring, the CLI and the sandbox.
WIRING = ("bot.app", "bot.__main__", "bot.sandbox")
# What each layer may import from (besides itself).
ALLOWED = {"handlers": {"bot", "storage", "content"}, "bot": {"storage", "content"},
           "storage": {"content"}, "content": set()}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that ``path`` imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        statements = [node]
        if isinstance(node, ast.If):  # e.g. "if TYPE_CHECKING:" is not run, so it is skipped
            statements = []
        for statement in statements:
            if isinstance(statement, ast.Import):
                targets = [alias.name for alias in statement.names]
            elif isinstance(statement, ast.ImportFrom):
                base = statement.module or ""
                if statement.level:
                    parent = package.split(".")[: len(package.split(".")) - statement.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in statement.names]
            else:
                continue
            found |= {target for target in targets if target in known}
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_graph_is_read():
    edges = graph()
    assert "bot.coordination.broadcasts" in edges["handlers.admin"]
    assert "bot.coordination.registry" in edges["bot.coordination.broadcasts"]


def test_no_module_imports_itself_back():
    assert find_cycle(graph()) is None, " → ".join(find_cycle(graph()))


def test_a_cycle_would_be_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_layers_point_one_way():
    wrong = []
    for name, targets in graph().items():
        if name.startswith(WIRING):
            continue
        layer = name.partition(".")[0]
        for target in targets:
            other = target.partition(".")[0]
            if other != layer and other not in ALLOWED[layer]:
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong
