"""Shared test helpers: where the wire reference lives (``tests/reference``), C14N."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

#: The SuperOffice docs' example envelopes and WSDLs (see ``tests/reference/NOTE.md``).
REFERENCE = Path(__file__).resolve().parent / "reference"


def reference_file(*parts: str) -> Path:
    """A file of ``tests/reference``; a missing file is an error, never a skip."""
    path = REFERENCE.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"wire reference file {path} is missing")
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
