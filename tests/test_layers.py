"""The package's import graph (docs/architecture.md): no module imports itself back through others, and the layer
contract of pyproject.toml, which scripts/test checks with lint-imports, refuses an upward import.

The graph is grimp's (import-linter's own), so lazy imports inside functions count as much as those at the top.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def cycles(modules: Iterable[str], imported_by: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan's strongly connected
    components of more than one module), each sorted, in name order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return sorted(found)


def test_the_package_has_no_import_cycle():
    graph = grimp.build_graph("simulator")
    assert cycles(graph.modules, lambda module: sorted(graph.find_modules_directly_imported_by(module))) == []


def test_a_cycle_through_three_modules_is_found_and_a_chain_is_not():
    imports = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["d"]}
    assert cycles(imports, imports.__getitem__) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}, {"a": ["b"], "b": []}.__getitem__) == []


def test_the_layer_contract_refuses_an_upward_import(tmp_path):
    """A copy of the package in which a bottom-layer module imports the CLI: lint-imports names the import and
    fails; the same copy unchanged passes (so the failure is the added line's)."""
    shutil.copytree(ROOT / "simulator", tmp_path / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    environ = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def lint() -> subprocess.CompletedProcess[str]:
        command = [str(LINT_IMPORTS), "--no-cache"]
        return subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, check=False)

    kept = lint()
    assert (kept.returncode, "Contracts: 1 kept, 0 broken." in kept.stdout) == (0, True), kept.stdout

    errors = tmp_path / "simulator" / "errors.py"
    errors.write_text(errors.read_text() + "\n\ndef _upward() -> None:\n    import simulator.cli.main  # noqa\n")
    broken = lint()
    assert broken.returncode == 1
    assert "simulator.errors is not allowed to import simulator.cli:" in broken.stdout
    assert "- simulator.errors -> simulator.cli.main (l." in broken.stdout
