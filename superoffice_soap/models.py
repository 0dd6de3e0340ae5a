"""Value classes for what NetServer sends and receives.

Frozen, slotted attrs classes that hold data and nothing else. A secret (``secret_value``) is a
plain ``str``; the class only masks it in ``repr``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Optional

import attrs

__all__ = [
    "FIELD_RIGHT_FLAGS",
    "TABLE_RIGHT_FLAGS",
    "Authentication",
    "CredentialControlType",
    "CredentialType",
    "DSAParameters",
    "EjUserStatus",
    "FieldProperty",
    "FieldRight",
    "GrantedModuleLicense",
    "LicenseInfo",
    "LicenseType",
    "ModuleLicense",
    "NetServerBuildType",
    "Principal",
    "ProvidedCredential",
    "RoleType",
    "SignedPublicKey",
    "SoTimeZone",
    "SystemInfo",
    "TableRight",
    "UntrustedCredentials",
    "UserType",
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


# ------------------------------------------------------------------------------------------------
# Enumerations (xs:string restrictions on the wire; the member value is the wire token)


class UserType(str, enum.Enum):
    """Kind of SuperOffice user (``UserType``)."""

    UNKNOWN = "Unknown"
    INTERNAL_ASSOCIATE = "InternalAssociate"
    RESOURCE_ASSOCIATE = "ResourceAssociate"
    EXTERNAL_ASSOCIATE = "ExternalAssociate"
    ANONYMOUS_ASSOCIATE = "AnonymousAssociate"
    SYSTEM_ASSOCIATE = "SystemAssociate"


class CredentialControlType(str, enum.Enum):
    """How a client should show a credential's value (``CredentialControlType``)."""

    STATIC = "Static"
    EDIT = "Edit"
    PASSWORD = "Password"
    LINK = "Link"
    HIDDEN = "Hidden"


# ------------------------------------------------------------------------------------------------
# User agent


@attrs.frozen
class CredentialType:
    """A kind of credential a user may have (``CredentialType``, a Carrier)."""

    display_type: Optional[str] = None
    type: Optional[str] = None
    description: Optional[str] = None
    value_control: Optional[CredentialControlType] = None
    can_create_person: Optional[bool] = None
    is_user_name_supported: Optional[bool] = None
    table_right: Optional[TableRight] = None
    field_properties: Optional[Mapping[str, FieldProperty]] = attrs.field(
        default=None, converter=_read_only, hash=False
    )


# The SoPrincipal classes live in .principal and load on first use: a User-only program never
# pays for them (attrs builds every class's methods when the class is created).
_PRINCIPAL = frozenset(
    {
        "Authentication",
        "DSAParameters",
        "EjUserStatus",
        "GrantedModuleLicense",
        "LicenseInfo",
        "LicenseType",
        "ModuleLicense",
        "NetServerBuildType",
        "Principal",
        "ProvidedCredential",
        "RoleType",
        "SignedPublicKey",
        "SystemInfo",
    }
)


def __getattr__(name: str) -> Any:
    if name in _PRINCIPAL:
        from . import principal

        return getattr(principal, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .principal import (
        Authentication,
        DSAParameters,
        EjUserStatus,
        GrantedModuleLicense,
        LicenseInfo,
        LicenseType,
        ModuleLicense,
        NetServerBuildType,
        Principal,
        ProvidedCredential,
        RoleType,
        SignedPublicKey,
        SystemInfo,
    )
