"""No module of the integration imports one that imports it back, not even for typing.

A circle, even of type-only imports, marks parts that call each other back and forth: the
account's parts are handed what they need (see account.py) instead.
"""

import ast
from pathlib import Path

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "evnnovator"


def _imports(path: Path) -> set[str]:
    """The integration's own top-level modules that `path` imports (anywhere in it)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return {name for name in found if (INTEGRATION / f"{name}.py").is_file()}


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(edges.get(module, set())):
            if imported in path:
                circles.append([*path[path.index(imported) :], imported])
            else:
                visit(imported, [*path, imported])

    for module in sorted(edges):
        visit(module, [module])
    return circles


def test_no_import_circles() -> None:
    edges = {path.stem: _imports(path) for path in INTEGRATION.glob("*.py")}
    assert edges["account"], "the graph was read"
    assert _circles(edges) == []


def test_a_circle_is_found() -> None:
    """The check itself: a circle of three is reported."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
