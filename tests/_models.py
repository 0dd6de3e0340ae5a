"""Expected values as the parser reads them.

``UntrustedCredentials``' defaults are for writing (active, never expiring); a credential read
from an answer holds ``None`` for every element the answer left out. ``as_read`` builds that.
"""

from __future__ import annotations

from typing import Any

import attrs

from superoffice_soap import UntrustedCredentials


def as_read(**fields: Any) -> UntrustedCredentials:
    """An ``UntrustedCredentials`` with ``fields`` set and every other field ``None``."""
    absent = {field.name: None for field in attrs.fields(UntrustedCredentials)}
    return UntrustedCredentials(**{**absent, **fields})
