"""The stand-in's own description of the requests it serves, taken from SuperOffice's WSDL.

This is plain data, written from the User and SoPrincipal WSDLs of NetServer's public
documentation (Services86), independently of the library's operation table: for every
(service, operation) the stand-in serves, the body wrapper element (named like the operation,
document/literal wrapped), its children in ``xs:sequence`` order with their XSD types, the answer's
wrapper element and the first Services version that has the operation; for every service the
request headers it takes. ``TYPES`` describes the NetServer types those elements use, each as the
WSDL declares it (a derived type names its base; the base's members come first on the wire).

Types are written as the WSDL writes them: ``xs:int``, ``xs:string``, ``xs:boolean``,
``xs:dateTime`` (XML Schema built-ins) or ``tns:<Name>`` (a NetServer type in ``TYPES``). The
test suite compares this description with the WSDL copies it keeps, element by element, so a
wrong client declaration meets a stand-in that knows better instead of one that agrees with it.

``reader`` turns a described element into the ``_wire.Field`` the request reader checks against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional, Union

import attrs

from ._wire import Field

__all__ = [
    "REQUESTS",
    "SERVICES",
    "TYPES",
    "ArrayOf",
    "Enumeration",
    "FlagList",
    "Part",
    "Request",
    "ServiceContract",
    "Struct",
    "TypeDef",
    "members",
    "reader",
]


@attrs.frozen
class Struct:
    """A complex type: its own members in ``xs:sequence`` order, after those of ``base``."""

    members: tuple[Part, ...]
    base: Optional[str] = None


@attrs.frozen
class ArrayOf:
    """A complex type holding 0..n repetitions of one element (an ``ArrayOfX`` or a WCF
    dictionary of ``KeyValuePair`` items)."""

    item: Part


@attrs.frozen
class Enumeration:
    """An ``xs:string`` restriction to ``values``."""

    values: tuple[str, ...]


@attrs.frozen
class FlagList:
    """An ``xs:list`` of an ``xs:string`` enumeration (a .NET flags enum): space-separated
    ``values``."""

    values: tuple[str, ...]


TypeDef = Union[Struct, ArrayOf, Enumeration, FlagList]


@attrs.frozen
class Part:
    """One element: its name and type (``xs:…``, ``tns:…`` or an anonymous ``Sequence``).

    ``secret`` says the stand-in never quotes the value in a fault (a stand-in rule, not the
    WSDL's).
    """

    name: str
    type: Union[str, Struct]
    secret: bool = False


@attrs.frozen
class Request:
    """One operation's request body: wrapper element ``name`` holding ``body`` in order.

    ``response`` is the answer's wrapper element; ``since`` the first Services version (84 for
    Services84) that has the operation.
    """

    service: str
    name: str
    body: tuple[Part, ...]
    response: str
    since: int = 84


@attrs.frozen
class ServiceContract:
    """A service (``<name>.svc``) and the header elements its requests take, in order."""

    name: str
    headers: tuple[Part, ...]

    @property
    def needs_ticket(self) -> bool:
        """Whether requests carry the Credentials header (the caller's ticket)."""
        return any(part.name == "Credentials" for part in self.headers)


# --------------------------------------------------------------------------- types

#: The NetServer types the described requests use, by their WSDL name.
TYPES: Mapping[str, TypeDef] = {
    "tns:SoCredentials": Struct((Part("Ticket", "xs:string", secret=True),)),
    "tns:SoTimeZone": Struct(
        (Part("SoTimeZoneId", "xs:int"), Part("SoTimeZoneLocationCode", "xs:string"))
    ),
    "tns:Carrier": Struct(
        (
            Part("TableRight", "tns:TableRight"),
            Part("FieldProperties", "tns:FieldPropertyDictionary"),
        )
    ),
    "tns:TableRight": Struct((Part("Mask", "tns:ETableRight"), Part("Reason", "xs:string"))),
    "tns:ETableRight": FlagList(
        ("Select", "Update", "Insert", "Delete", "Filtering", "RestrictedUpdate")
    ),
    "tns:FieldPropertyDictionary": ArrayOf(
        Part(
            "FieldPropertyDictionaryKeyValuePair",
            Struct((Part("Key", "xs:string"), Part("Value", "tns:FieldProperty"))),
        )
    ),
    "tns:FieldProperty": Struct(
        (
            Part("FieldRight", "tns:FieldRight"),
            Part("FieldType", "xs:string"),
            Part("FieldLength", "xs:int"),
        )
    ),
    "tns:FieldRight": Struct((Part("Mask", "tns:EFieldRight"), Part("Reason", "xs:string"))),
    "tns:EFieldRight": FlagList(
        (
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
    ),
    "tns:UntrustedCredentials": Struct(
        (
            Part("ValidFrom", "xs:dateTime"),
            Part("ValidTo", "xs:dateTime"),
            Part("Comment", "xs:string"),
            Part("SecretValue", "xs:string", secret=True),
            Part("PublicValue", "xs:string"),
            Part("IsActive", "xs:boolean"),
        ),
        base="tns:Carrier",
    ),
    "tns:UserType": Enumeration(
        (
            "Unknown",
            "InternalAssociate",
            "ResourceAssociate",
            "ExternalAssociate",
            "AnonymousAssociate",
            "SystemAssociate",
        )
    ),
}

# --------------------------------------------------------------------------- services

_APPLICATION_TOKEN = Part("ApplicationToken", "xs:string", secret=True)

#: The services the stand-in serves, by name, with their request headers.
SERVICES: Mapping[str, ServiceContract] = {
    "User": ServiceContract(
        "User",
        (
            _APPLICATION_TOKEN,
            Part("Credentials", "tns:SoCredentials"),
            Part("TimeZone", "tns:SoTimeZone"),
        ),
    ),
    "SoPrincipal": ServiceContract("SoPrincipal", (_APPLICATION_TOKEN,)),
}

# --------------------------------------------------------------------------- requests


def _requests(*requests: Request) -> Mapping[tuple[str, str], Request]:
    return {(request.service, request.name): request for request in requests}


#: Every request body the stand-in serves, by (service name, operation name).
REQUESTS: Mapping[tuple[str, str], Request] = _requests(
    Request(
        "User",
        "GetUntrustedCredentials",
        (Part("Type", "xs:string"),),
        "GetUntrustedCredentialsResponse",
    ),
    Request(
        "User",
        "GetUntrustedCredentialsForAssociate",
        (Part("AssociateId", "xs:int"), Part("Type", "xs:string")),
        "GetUntrustedCredentialsForAssociateResponse",
    ),
    Request(
        "User",
        "SaveUntrustedCredentials",
        (Part("Type", "xs:string"), Part("Credentials", "tns:UntrustedCredentials")),
        "SaveUntrustedCredentialsResponse",
    ),
    Request(
        "User",
        "SaveUntrustedCredentialsForAssociate",
        (
            Part("AssociateId", "xs:int"),
            Part("Type", "xs:string"),
            Part("Credentials", "tns:UntrustedCredentials"),
        ),
        "SaveUntrustedCredentialsForAssociateResponse",
    ),
    Request(
        "User",
        "RemoveUntrustedCredentials",
        (Part("Type", "xs:string"), Part("PublicValue", "xs:string")),
        "RemoveUntrustedCredentialsResponse",
    ),
    Request(
        "User",
        "RemoveUntrustedCredentialsForAssociate",
        (
            Part("AssociateId", "xs:int"),
            Part("Type", "xs:string"),
            Part("PublicValue", "xs:string"),
        ),
        "RemoveUntrustedCredentialsForAssociateResponse",
    ),
    Request(
        "User",
        "CreateDefaultUntrustedCredentials",
        (),
        "CreateDefaultUntrustedCredentialsResponse",
    ),
    Request("User", "GetCredentialTypes", (), "GetCredentialTypesResponse"),
    Request(
        "User",
        "GetCredentialTypesForUserType",
        (Part("UserType", "tns:UserType"),),
        "GetCredentialTypesForUserTypeResponse",
    ),
    Request(
        "SoPrincipal",
        "AuthenticateUsernamePassword",
        (Part("UserName", "xs:string"), Part("Password", "xs:string", secret=True)),
        "AuthenticateResponse",
    ),
    Request(
        "SoPrincipal",
        "AuthenticateWithAccessToken",
        (Part("AccessToken", "xs:string", secret=True),),
        "AuthenticateResponse",
        since=86,
    ),
    Request("SoPrincipal", "GetSystemInfo", (), "GetSystemInfoResponse"),
)

# --------------------------------------------------------------------------- readers

#: XML Schema built-in type → ``_wire.Field`` kind.
_BUILT_INS: Mapping[str, str] = {
    "xs:int": "int",
    "xs:string": "string",
    "xs:boolean": "bool",
    "xs:dateTime": "datetime",
}


def members(sequence: Struct) -> tuple[Part, ...]:
    """A complex type's members on the wire: its base's (recursively) first, then its own."""
    if sequence.base is None:
        return sequence.members
    base = TYPES[sequence.base]
    if not isinstance(base, Struct):
        raise TypeError(f"the base {sequence.base} is not a complex type")
    return members(base) + sequence.members


def reader(part: Part) -> Field:
    """The request reader (``_wire.Field``) of a described element."""
    if isinstance(part.type, Struct):
        return Field(part.name, "complex", tuple(reader(m) for m in members(part.type)))
    kind = _BUILT_INS.get(part.type)
    if kind is not None:
        return Field(part.name, kind, secret=part.secret)
    definition = TYPES[part.type]
    if isinstance(definition, Struct):
        return Field(part.name, "complex", tuple(reader(m) for m in members(definition)))
    if isinstance(definition, ArrayOf):
        return Field(part.name, "array", (reader(definition.item),))
    if isinstance(definition, Enumeration):
        return Field(part.name, "enum", choices=definition.values, secret=part.secret)
    return Field(part.name, "tokens", choices=definition.values, secret=part.secret)
