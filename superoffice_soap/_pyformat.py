"""Python source, written as ruff formats it (text only; no I/O, no lxml).

The generator builds calls and tuples as small trees and renders each on one line when it fits
in 100 columns, else one item a line with a trailing comma, the "magic trailing comma" form ruff
keeps. Strings are double-quoted, docstrings wrapped, imports sorted as ruff's isort sorts them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Optional, Union

import attrs

__all__ = [
    "LINE",
    "Call",
    "Code",
    "Tuple",
    "assign",
    "call",
    "docstring",
    "from_import",
    "isort_key",
    "py_str",
    "sorted_imports",
    "tuple_of",
]

#: The line length the text is formatted for.
LINE = 100

Code = Union[str, "Call", "Tuple"]


@attrs.frozen
class Call:
    """``function(arg, …)``."""

    function: str
    args: tuple[Code, ...]


@attrs.frozen
class Tuple:
    """``(item, …)``."""

    items: tuple[Code, ...]


def call(function: str, args: Iterable[Code]) -> Call:
    return Call(function, tuple(args))


def tuple_of(items: Sequence[Code]) -> Tuple:
    return Tuple(tuple(items))


def py_str(text: str) -> str:
    """A Python string literal, double-quoted as ruff writes it."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _flat(code: Code) -> str:
    if isinstance(code, str):
        return code
    if isinstance(code, Call):
        return f"{code.function}({', '.join(_flat(a) for a in code.args)})"
    if len(code.items) == 1:
        return f"({_flat(code.items[0])},)"
    return f"({', '.join(_flat(i) for i in code.items)})"


def _render(code: Code, indent: int, prefix: str, suffix: str) -> list[str]:
    """Lines of ``prefix + code + suffix`` at ``indent``: one line if it fits, else exploded."""
    pad = " " * indent
    flat = f"{pad}{prefix}{_flat(code)}{suffix}"
    if len(flat) <= LINE or isinstance(code, str):
        return [flat]
    if isinstance(code, Call):
        opening, items, closing = f"{code.function}(", code.args, ")"
    else:
        opening, items, closing = "(", code.items, ")"
    lines = [f"{pad}{prefix}{opening}"]
    for item in items:
        lines += _render(item, indent + 4, "", ",")
    lines.append(f"{pad}{closing}{suffix}")
    return lines


def assign(name: str, code: Code) -> str:
    """``name = code``, formatted."""
    return "\n".join(_render(code, 0, f"{name} = ", ""))


def docstring(text: Optional[str], indent: str) -> list[str]:
    """The lines of a docstring at ``indent`` (none for no text)."""
    if not text:
        return []
    clean = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if clean.endswith('"'):  # a quote next to the closing quotes would end the string early
        clean = clean[:-1] + '\\"'
    width = LINE - len(indent) - 6
    paragraphs = clean.split("\n\n")
    wrapped: list[str] = []
    for paragraph in paragraphs:
        if wrapped:
            wrapped.append("")
        wrapped += textwrap.wrap(
            " ".join(paragraph.split()), width, break_long_words=False, break_on_hyphens=False
        )
    if len(wrapped) == 1:
        return [f'{indent}"""{wrapped[0]}"""']
    return [
        f'{indent}"""{wrapped[0]}',
        *[f"{indent}{line}" if line else "" for line in wrapped[1:]],
        f'{indent}"""',
    ]


def isort_key(name: str) -> tuple[int, str]:
    """ruff's isort order within one import: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def from_import(module: str, names: Iterable[str]) -> str:
    """``from module import names`` (sorted), wrapped when it does not fit."""
    ordered = sorted(set(names), key=isort_key)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE:
        return line
    return "\n".join([f"from {module} import (", *[f"    {n}," for n in ordered], ")"])


def sorted_imports(lines: list[str]) -> list[str]:
    """One section's imports: ``import x`` first, then ``from x import y``, each sorted."""
    plain = sorted(line for line in lines if line.startswith("import "))
    froms = sorted(
        (line for line in lines if line.startswith("from ")), key=lambda line: line.split()[1]
    )
    return plain + froms
