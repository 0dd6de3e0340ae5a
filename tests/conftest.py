"""Shared test helpers: where the wire reference lives (``tests/reference``), C14N, and a fresh
SOAP version negotiation for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from superoffice_soap.negotiation import forget_soap_versions

#: The SuperOffice docs' example envelopes and WSDLs (see ``tests/reference/NOTE.md``).
REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(autouse=True)
def fresh_negotiation() -> Iterator[None]:
    """Each test starts knowing no server's SOAP version (the process shares what it learns, and
    many tests count the requests of a negotiation against the same URL)."""
    forget_soap_versions()
    yield
    forget_soap_versions()


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
