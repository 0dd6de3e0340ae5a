"""Value classes of the User service, each next to its wire declaration.

Frozen, slotted attrs classes that hold data and nothing else, taking keyword arguments only. A
secret (``secret_value``) is a plain ``str``; the class only masks it in ``repr``. Beside each
class, in capitals, its ``types.Struct``: the elements NetServer writes for it, in schema order,
linked to the class by reference — the one place a reader or writer learns a type's shape.

The classes and their declarations are generated from the User service's WSDL
(``_builtin_user``, with the choices in ``_builtins``); this module adds what the WSDL does not
say: .NET's date limits, the ``TimeZone`` header and the flag tokens.
"""

from __future__ import annotations

from typing import Optional

import attrs

from ._builtin_user import (
    CREDENTIAL_CONTROL_TYPE,
    CREDENTIAL_TYPE,
    E_FIELD_RIGHT,
    E_TABLE_RIGHT,
    FIELD_PROPERTIES,
    FIELD_PROPERTY,
    FIELD_RIGHT,
    TABLE_RIGHT,
    UNTRUSTED_CREDENTIALS,
    USER_TYPE,
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from .errors import InvalidRequestError
from .xsd import DOTNET_MIN_VALUE, NEVER_EXPIRES

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

#: The tokens of ETableRight (``TableRight.mask``), in the enum's declared order.
TABLE_RIGHT_FLAGS = E_TABLE_RIGHT.tokens
#: The tokens of EFieldRight (``FieldRight.mask``), in the enum's declared order.
FIELD_RIGHT_FLAGS = E_FIELD_RIGHT.tokens
#: What every Carrier starts with; read, never written.
CARRIER_FIELDS = UNTRUSTED_CREDENTIALS.fields[:2]


@attrs.frozen(kw_only=True)
class SoTimeZone:
    """The ``TimeZone`` request header: NetServer's time zone id and optional location code."""

    id: int
    location_code: Optional[str] = None


#: NetServer's associate ids are positive Int32s: 1 to this.
MAX_ASSOCIATE_ID = 2**31 - 1


def check_associate_id(argument: str, value: object) -> int:
    """An associate id as every method, job and command takes it: an int from 1 to
    ``MAX_ASSOCIATE_ID``; ``InvalidRequestError`` naming ``argument`` otherwise."""
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
