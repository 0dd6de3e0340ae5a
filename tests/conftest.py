"""Shared fixtures: where the wire reference lives, and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def reference_file(*parts: str) -> Path:
    """A file of ../shared/reference; skips the test with a clear reason when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"wire reference {path} is absent (../shared is not checked out next to repo)")
    return path


def canonical(data: bytes) -> bytes:
    """Exclusive-free C14N of an XML document, ignoring whitespace-only text (indentation)."""
    root = etree.fromstring(data)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    result: bytes = etree.tostring(root, method="c14n")
    return result
