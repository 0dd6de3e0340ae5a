"""The User-service operations the NetServer stand-in answers, as a dispatch table.

Each entry names the request children (an ``xs:sequence``) and a handler that fills the
``<{Op}Response>`` wrapper with DataContractSerializer-style XML. Adding an operation means adding
a handler and one ``Operation`` to ``OPERATIONS``.

It must never build XML by string formatting, and never write a value it did not store (in
particular never echo a ticket or an application token).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Callable, Optional

import attrs
from lxml import etree

from .._namespaces import NS, XSI, XSI_NIL
from ..models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
)
from ..xsd import format_bool, format_datetime, format_int
from ._wire import Field

__all__ = [
    "ACTION_PREFIX",
    "OPERATIONS",
    "Call",
    "CredentialStore",
    "Operation",
]

#: soapAction of every User operation is this prefix plus the operation name.
ACTION_PREFIX = "http://www.superoffice.net/ws/crm/NetServer/Services86/User/"

#: .NET's DateTime.MinValue, written for a None in a non-nillable xs:dateTime.
_DOTNET_MIN_DATETIME = datetime(1, 1, 1)


class CredentialStore:
    """Thread-safe in-memory state: tickets → associate ids, and stored untrusted credentials."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, int] = {}
        self._credentials: dict[tuple[int, str], list[UntrustedCredentials]] = {}

    def add_ticket(self, ticket: str, associate_id: int) -> None:
        """Make ``ticket`` valid, authenticating as ``associate_id``."""
        with self._lock:
            self._tickets[ticket] = associate_id

    def associate_for_ticket(self, ticket: Optional[str]) -> Optional[int]:
        """The associate id a ticket authenticates, or None for an unknown or missing ticket."""
        if ticket is None:
            return None
        with self._lock:
            return self._tickets.get(ticket)

    def add_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Append one stored credential of ``credential_type`` for ``associate_id``."""
        with self._lock:
            self._credentials.setdefault((associate_id, credential_type), []).append(credentials)

    def credentials(
        self, associate_id: int, credential_type: Optional[str]
    ) -> tuple[UntrustedCredentials, ...]:
        """The stored credentials of one associate and type, in insertion order."""
        if credential_type is None:
            return ()
        with self._lock:
            return tuple(self._credentials.get((associate_id, credential_type), ()))


@attrs.frozen
class Call:
    """One authenticated call: the store, the caller's associate id and the request children."""

    store: CredentialStore
    caller_associate_id: int
    args: Mapping[str, object]

    def get_int(self, name: str, default: int = 0) -> int:
        """An xs:int argument; ``default`` (.NET's 0) when absent."""
        value = self.args.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"argument {name} is not an int")
        return value

    def get_str(self, name: str) -> Optional[str]:
        """An xs:string argument; None when absent or nil."""
        value = self.args.get(name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"argument {name} is not a string")
        return value


@attrs.frozen
class Operation:
    """A User operation: its request children and the handler that fills the response wrapper."""

    name: str
    request: tuple[Field, ...]
    handler: Callable[[Call, etree._Element], None]


# --------------------------------------------------------------------------- DataContract writers


def _sub(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{name}")


def _nil(parent: etree._Element, name: str) -> etree._Element:
    element = _sub(parent, name)
    element.set(XSI_NIL, "true")
    return element


def _string(parent: etree._Element, name: str, value: Optional[str]) -> None:
    if value is None:
        _nil(parent, name)
    else:
        _sub(parent, name).text = value


def _mask(parent: etree._Element, tokens: Iterable[str], order: Sequence[str]) -> None:
    """An ``xs:list`` flags mask in enum order (unknown tokens after, sorted); empty for none."""
    present = set(tokens)
    known = [token for token in order if token in present]
    unknown = sorted(present.difference(order))
    _sub(parent, "Mask").text = " ".join(known + unknown)


def _table_right(parent: etree._Element, value: Optional[TableRight]) -> None:
    if value is None:
        _nil(parent, "TableRight")
        return
    element = _sub(parent, "TableRight")
    _mask(element, value.mask, TABLE_RIGHT_FLAGS)
    _string(element, "Reason", value.reason)


def _field_right(parent: etree._Element, value: Optional[FieldRight]) -> None:
    if value is None:
        _nil(parent, "FieldRight")
        return
    element = _sub(parent, "FieldRight")
    _mask(element, value.mask, FIELD_RIGHT_FLAGS)
    _string(element, "Reason", value.reason)


def _field_properties(
    parent: etree._Element, value: Optional[Mapping[str, Optional[FieldProperty]]]
) -> None:
    if value is None:
        _nil(parent, "FieldProperties")
        return
    element = _sub(parent, "FieldProperties")
    for key, prop in value.items():
        pair = _sub(element, "FieldPropertyDictionaryKeyValuePair")
        _string(pair, "Key", key)
        if prop is None:
            _nil(pair, "Value")
            continue
        item = _sub(pair, "Value")
        _field_right(item, prop.field_right)
        _string(item, "FieldType", prop.field_type)
        _sub(item, "FieldLength").text = format_int(prop.field_length or 0)


def _datetime(parent: etree._Element, name: str, value: Optional[datetime]) -> None:
    _sub(parent, name).text = format_datetime(_DOTNET_MIN_DATETIME if value is None else value)


def write_untrusted_credentials(parent: etree._Element, value: UntrustedCredentials) -> None:
    """One ``UntrustedCredentials`` element: Carrier fields first, then the type's own fields.

    Non-nillable fields that are None get .NET's defaults (DateTime.MinValue, false, empty mask,
    0); nillable ones get ``i:nil="true"``.
    """
    element = _sub(parent, "UntrustedCredentials")
    _table_right(element, value.table_right)
    _field_properties(element, value.field_properties)
    _datetime(element, "ValidFrom", value.valid_from)
    _datetime(element, "ValidTo", value.valid_to)
    _string(element, "Comment", value.comment)
    _string(element, "SecretValue", value.secret_value)
    _string(element, "PublicValue", value.public_value)
    _sub(element, "IsActive").text = format_bool(bool(value.is_active))


# --------------------------------------------------------------------------- operations


def _get_untrusted_credentials_for_associate(call: Call, wrapper: etree._Element) -> None:
    stored = call.store.credentials(call.get_int("AssociateId"), call.get_str("Type"))
    response = etree.SubElement(wrapper, f"{{{NS}}}Response", nsmap={"i": XSI})
    for credentials in stored:
        write_untrusted_credentials(response, credentials)


def _table(*operations: Operation) -> Mapping[str, Operation]:
    return {operation.name: operation for operation in operations}


#: Operation name → Operation, for every User operation the stand-in answers.
OPERATIONS: Mapping[str, Operation] = _table(
    Operation(
        name="GetUntrustedCredentialsForAssociate",
        request=(Field("AssociateId", "int"), Field("Type", "string")),
        handler=_get_untrusted_credentials_for_associate,
    ),
)
