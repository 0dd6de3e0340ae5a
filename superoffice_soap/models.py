"""Value classes for what NetServer sends and receives.

Frozen, slotted attrs classes that hold data and nothing else. A secret (``secret_value``) is a
plain ``str``; the class only masks it in ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Optional

import attrs

__all__ = [
    "FIELD_RIGHT_FLAGS",
    "TABLE_RIGHT_FLAGS",
    "FieldProperty",
    "FieldRight",
    "SoTimeZone",
    "TableRight",
    "UntrustedCredentials",
]

MASK = "***"

#: The tokens of ETableRight (``TableRight.mask``), in the enum's declared order.
TABLE_RIGHT_FLAGS = ("Select", "Update", "Insert", "Delete", "Filtering", "RestrictedUpdate")
#: The tokens of EFieldRight (``FieldRight.mask``), in the enum's declared order.
FIELD_RIGHT_FLAGS = (
    "Read",
    "Write",
    "Unused1",
    "Unused2",
    "Unused3",
    "Unused4",
    "UIHintMandatory",
    "UIHintReadOnly",
    "UndefinedValue256",
)


def _mask(value: Optional[str]) -> str:
    return "None" if value is None else MASK


def _read_only(
    value: Optional[Mapping[str, FieldProperty]],
) -> Optional[Mapping[str, FieldProperty]]:
    if value is None or isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


@attrs.frozen
class TableRight:
    """Carrier ``TableRight``: the caller's rights on the row (``mask`` tokens such as ``Select``)."""

    mask: frozenset[str] = frozenset()
    reason: Optional[str] = None


@attrs.frozen
class FieldRight:
    """``FieldRight``: the caller's rights on one field (``mask`` tokens such as ``Read``)."""

    mask: frozenset[str] = frozenset()
    reason: Optional[str] = None


@attrs.frozen
class FieldProperty:
    """One value of a Carrier's ``FieldProperties`` dictionary."""

    field_right: Optional[FieldRight] = None
    field_type: Optional[str] = None
    field_length: Optional[int] = None


@attrs.frozen
class UntrustedCredentials:
    """One stored external credential of a user (``UntrustedCredentials``, a Carrier).

    ``public_value`` identifies the entry (a user name, an address); ``secret_value`` is the
    password or key, masked in ``repr``. ``table_right`` and ``field_properties`` are the Carrier
    fields the server adds; ``field_properties`` is a read-only mapping field name → FieldProperty.
    """

    valid_from: Optional[datetime] = None
    valid_to: Optional[datetime] = None
    comment: Optional[str] = None
    secret_value: Optional[str] = attrs.field(default=None, repr=_mask)
    public_value: Optional[str] = None
    is_active: Optional[bool] = None
    table_right: Optional[TableRight] = None
    # A mapping proxy is not hashable; equality still compares it.
    field_properties: Optional[Mapping[str, FieldProperty]] = attrs.field(
        default=None, converter=_read_only, hash=False
    )


@attrs.frozen
class SoTimeZone:
    """The ``TimeZone`` request header: NetServer's time zone id and optional location code."""

    id: int
    location_code: Optional[str] = None
