"""The package's shape (docs/architecture.md): no import cycle, no own module imported
inside a function (the extras boundary in ``pathway._extras`` is the one exception),
public names that say ``pathway``, and the domain's words written in one place."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import pathway

PACKAGE = Path(pathway.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The dotted module an ``import from`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """pathway's own modules an import statement loads (packages on the way included)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = absolute(node, module, is_package)
        names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    found = set()
    for name in names:
        parts = name.split(".")
        found |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    return {name for name in found if name in MODULES and not module.startswith(name + ".")}


def walk(tree: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every import node, and whether it sits inside a function; TYPE_CHECKING blocks
    are skipped (they never run)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        yield from walk(child, inner)


def graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module -> modules it imports at load time; and every in-function import."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    lazy = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, in_function in walk(tree):
            assert isinstance(node, ast.Import | ast.ImportFrom)
            targets = imported(node, name, path.name == "__init__.py") - {name}
            if in_function and targets:
                lazy.append(f"{name}:{node.lineno} imports {sorted(targets)}")
            edges[name] |= targets
    return edges, lazy


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    assert cycles(graph()[0]) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_own_module_is_imported_inside_a_function() -> None:
    assert graph()[1] == []


def test_the_core_imports_no_optional_dependency() -> None:
    script = (
        "import sys\n"
        "for name in ('numpy', 'pyarrow', 'numba', 'rich', 'dask'):\n"
        "    sys.modules[name] = None\n"
        "import pathway, pathway.cli, pathway.errors\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'pyarrow', 'numba', 'rich', 'dask') and sys.modules[m] is not None))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", pathway.__all__)
def test_public_names_live_in_pathway(name: str) -> None:
    value = getattr(pathway, name)
    assert value.__module__ in {"pathway", "pathway.errors"}, name


WORDS = (
    "for the next appointment",
    "after a hand-off",
    "for a calendar gate",
    "Waste type 1",
    "The person chased progress",
    "between organisations",
)


@pytest.mark.parametrize("words", WORDS)
def test_the_domain_words_are_written_once(words: str) -> None:
    holders = sorted(
        name for name, path in MODULES.items() if words in path.read_text(encoding="utf-8")
    )
    assert holders == ["pathway._vocab"]
