"""Small HTTP facts shared by the sans-IO modules (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

__all__ = ["header"]


def header(headers: Mapping[str, str], name: str) -> Optional[str]:
    """The value of header ``name`` (lower case) in a mapping whose keys may be in any case.

    httpx's Headers already ignore case; a plain dict from a caller's own HTTP stack may not.
    """
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None
