"""The package's layers, as a reader should see them: declarations → writers and readers →
session → drivers → command line, no import cycle, nothing reaching back up."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "superoffice_soap"

#: Bottom first. A module may import modules of its own layer or below, never above.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("constants and errors", frozenset({"_namespaces", "_version", "errors"})),
    (
        "utilities",
        frozenset({"xsd", "_http", "_xml", "_mask", "_body", "_flight", "_wsdl", "_pyformat"}),
    ),
    ("type declarations", frozenset({"types"})),
    ("what an operation is", frozenset({"_operation"})),
    (
        "models and operations generated from the WSDLs, and their homes",
        frozenset({"_builtin_user", "models", "_builtin_principal", "principal"}),
    ),
    ("operation declarations", frozenset({"operations"})),
    (
        "writers, readers and policies",
        frozenset(
            {
                "envelope",
                "_readers",
                "parser",
                "history",
                "retry",
                "negotiation",
                "_codegen",
                "_codegen_types",
                "_builtins",
            }
        ),
    ),
    ("session (sans-IO)", frozenset({"protocol"})),
    ("drivers", frozenset({"_net", "client", "generate"})),
    ("jobs on the agents' public methods", frozenset({"jobs"})),
    (
        "public face",
        frozenset(
            {
                "__init__",
                "cli",
                "_cli_commands",
                "_cli_output",
                "_cli_codegen",
                "_cli_values",
                "__main__",
                "pytest_plugin",
            }
        ),
    ),
)
LAYER_OF = {module: index for index, (_, modules) in enumerate(LAYERS) for module in modules}


def _imports(path: Path) -> Iterator[str]:
    """The package modules a top-level module imports (relative imports only, by design)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:
                yield from (alias.name for alias in node.names)
            else:
                yield node.module.split(".")[0]


def graph() -> dict[str, set[str]]:
    return {path.stem: set(_imports(path)) for path in sorted(PACKAGE.glob("*.py"))}


def test_every_module_has_a_layer() -> None:
    assert set(graph()) == set(LAYER_OF)


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Every import of a module above the importer's layer."""
    found = []
    for module, targets in sorted(edges.items()):
        for target in sorted(targets):
            if target == "testing" and module in ("cli", "pytest_plugin"):  # beside the client:
                continue  # fake-server, and the fixture that runs the stand-in
            if LAYER_OF.get(target, len(LAYERS)) > LAYER_OF[module]:
                found.append(f"{module} imports {target}")
    return found


def cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle (as a path), or [] when there is none."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        for target in sorted(edges.get(module, ())):
            found = visit(target, [*path, module])
            if found:
                return found
        done.add(module)
        return []

    for module in sorted(edges):
        found = visit(module, [])
        if found:
            return found
    return []


def test_nothing_reaches_back_up() -> None:
    assert upward(graph()) == []


def test_no_import_cycle() -> None:
    assert cycle(graph()) == []


def test_the_checks_see_an_upward_import_and_a_cycle() -> None:
    bad = {**graph(), "parser": {"protocol"}, "protocol": {"parser"}}
    assert "parser imports protocol" in upward(bad)
    assert cycle(bad) in (["parser", "protocol", "parser"], ["protocol", "parser", "protocol"])
