"""Value classes of the User service, each next to its wire declaration.

Frozen, slotted attrs classes that hold data and nothing else, taking keyword arguments only. A
secret (``secret_value``) is a plain ``str``; the class only masks it in ``repr``. Below each
class, in capitals, its ``types.Struct``: the elements NetServer writes for it, in schema order,
linked to the class by reference — the one place a reader or writer learns a type's shape.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Optional

import attrs

from .types import (
    BOOLEAN,
    DATETIME,
    INT,
    SECRET_STRING,
    STRING,
    DictionaryOf,
    Enumeration,
    Field,
    Flags,
    Struct,
)

__all__ = [
    "CARRIER_FIELDS",
    "CREDENTIAL_CONTROL_TYPE",
    "CREDENTIAL_TYPE",
    "DOTNET_MIN_VALUE",
    "FIELD_PROPERTIES",
    "FIELD_PROPERTY",
    "FIELD_RIGHT",
    "FIELD_RIGHT_FLAGS",
    "MAX_ASSOCIATE_ID",
    "NEVER_EXPIRES",
    "TABLE_RIGHT",
    "TABLE_RIGHT_FLAGS",
    "UNTRUSTED_CREDENTIALS",
    "USER_TYPE",
    "CredentialControlType",
    "CredentialType",
    "FieldProperty",
    "FieldRight",
    "SoTimeZone",
    "TableRight",
    "UntrustedCredentials",
    "UserType",
    "check_associate_id",
]

MASK = "***"

#: .NET's ``DateTime.MaxValue`` as Python holds it (written back as ``…59.9999999``): a
#: ``valid_to`` that never expires, and ``UntrustedCredentials``' default.
NEVER_EXPIRES = datetime(9999, 12, 31, 23, 59, 59, 999999)
#: .NET's ``DateTime.MinValue``: what NetServer stores for a date left out of a request.
DOTNET_MIN_VALUE = datetime(1, 1, 1)

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


#: Marks a default that is for writing only: a decoder builds the model with None when the element
#: is absent, so what was read is exactly what the server sent.
_FOR_WRITING: Mapping[str, bool] = MappingProxyType({"default_for_writing": True})


def _mask(value: Optional[str]) -> str:
    return "None" if value is None else MASK


def _read_only(
    value: Optional[Mapping[str, FieldProperty]],
) -> Optional[Mapping[str, FieldProperty]]:
    if value is None or isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class TableRight:
    """Carrier ``TableRight``: the caller's rights on the row (``mask`` tokens such as ``Select``)."""

    mask: frozenset[str] = frozenset()
    reason: Optional[str] = None


TABLE_RIGHT = Struct(
    "TableRight",
    TableRight,
    (
        Field("Mask", "mask", Flags("ETableRight", TABLE_RIGHT_FLAGS), nillable=False),
        Field("Reason", "reason", STRING),
    ),
)


@attrs.frozen(kw_only=True)
class FieldRight:
    """``FieldRight``: the caller's rights on one field (``mask`` tokens such as ``Read``)."""

    mask: frozenset[str] = frozenset()
    reason: Optional[str] = None


FIELD_RIGHT = Struct(
    "FieldRight",
    FieldRight,
    (
        Field("Mask", "mask", Flags("EFieldRight", FIELD_RIGHT_FLAGS), nillable=False),
        Field("Reason", "reason", STRING),
    ),
)


@attrs.frozen(kw_only=True)
class FieldProperty:
    """One value of a Carrier's ``FieldProperties`` dictionary."""

    field_right: Optional[FieldRight] = None
    field_type: Optional[str] = None
    field_length: Optional[int] = None


FIELD_PROPERTY = Struct(
    "FieldProperty",
    FieldProperty,
    (
        Field("FieldRight", "field_right", FIELD_RIGHT),
        Field("FieldType", "field_type", STRING),
        Field("FieldLength", "field_length", INT, nillable=False),
    ),
)
#: A Carrier's ``FieldProperties``: field name → FieldProperty.
FIELD_PROPERTIES = DictionaryOf("FieldPropertyDictionaryKeyValuePair", FIELD_PROPERTY)
#: What every Carrier starts with; read, never written.
CARRIER_FIELDS = (
    Field("TableRight", "table_right", TABLE_RIGHT, read_only=True),
    Field("FieldProperties", "field_properties", FIELD_PROPERTIES, read_only=True),
)


@attrs.frozen(kw_only=True)
class UntrustedCredentials:
    """One stored external credential of a user (``UntrustedCredentials``, a Carrier).

    ``public_value`` identifies the entry (a user name, an address); ``secret_value`` is the
    password or key, masked in ``repr``. ``table_right`` and ``field_properties`` are the Carrier
    fields the server adds; ``field_properties`` is a read-only mapping field name → FieldProperty.

    Keyword arguments only. The defaults make a new credential safe to save as it is:
    ``is_active=True`` and ``valid_to=NEVER_EXPIRES`` (.NET's ``DateTime.MaxValue``), while
    ``valid_from=None`` is left out of the request, so NetServer stores ``DateTime.MinValue``
    (valid since always). Pass other values to store them; pass ``None`` to leave a field out
    (NetServer then stores .NET's default: ``0001-01-01`` for a date, false for ``IsActive``).
    A credential read from the server holds exactly what the server sent: an absent element is
    ``None``, whatever the default.
    """

    valid_from: Optional[datetime] = None
    valid_to: Optional[datetime] = attrs.field(default=NEVER_EXPIRES, metadata=_FOR_WRITING)
    comment: Optional[str] = None
    secret_value: Optional[str] = attrs.field(default=None, repr=_mask)
    public_value: Optional[str] = None
    is_active: Optional[bool] = attrs.field(default=True, metadata=_FOR_WRITING)
    table_right: Optional[TableRight] = None
    # A mapping proxy is not hashable; equality still compares it.
    field_properties: Optional[Mapping[str, FieldProperty]] = attrs.field(
        default=None, converter=_read_only, hash=False
    )


UNTRUSTED_CREDENTIALS = Struct(
    "UntrustedCredentials",
    UntrustedCredentials,
    (
        *CARRIER_FIELDS,
        Field("ValidFrom", "valid_from", DATETIME, nillable=False),
        Field("ValidTo", "valid_to", DATETIME, nillable=False),
        Field("Comment", "comment", STRING),
        Field("SecretValue", "secret_value", SECRET_STRING),
        Field("PublicValue", "public_value", STRING),
        Field("IsActive", "is_active", BOOLEAN, nillable=False),
    ),
)


@attrs.frozen(kw_only=True)
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


USER_TYPE = Enumeration(UserType)
CREDENTIAL_CONTROL_TYPE = Enumeration(CredentialControlType)


# ------------------------------------------------------------------------------------------------
# User agent


@attrs.frozen(kw_only=True)
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


CREDENTIAL_TYPE = Struct(
    "CredentialType",
    CredentialType,
    (
        *CARRIER_FIELDS,
        Field("DisplayType", "display_type", STRING),
        Field("Type", "type", STRING),
        Field("Description", "description", STRING),
        Field("ValueControl", "value_control", CREDENTIAL_CONTROL_TYPE, nillable=False),
        Field("CanCreatePerson", "can_create_person", BOOLEAN, nillable=False),
        Field("IsUserNameSupported", "is_user_name_supported", BOOLEAN, nillable=False),
    ),
)


#: NetServer's associate ids are positive Int32s: 1 to this.
MAX_ASSOCIATE_ID = 2**31 - 1


def check_associate_id(argument: str, value: object) -> int:
    """An associate id as every method, job and command takes it: an int from 1 to
    ``MAX_ASSOCIATE_ID``; ``InvalidRequestError`` naming ``argument`` otherwise."""
    from .errors import InvalidRequestError

    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(
            argument,
            f"must be an associate id (an int from 1 to {MAX_ASSOCIATE_ID}), got {value!r}",
        )
    if not 1 <= value <= MAX_ASSOCIATE_ID:
        raise InvalidRequestError(
            argument, f"must be an associate id from 1 to {MAX_ASSOCIATE_ID}, got {value}"
        )
    return value
