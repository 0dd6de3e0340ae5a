"""The operation table: every SOAP operation this library speaks, declared once, as data.

A declaration names the service and the operation, lists the body parameters in wire order with
their XSD value types, says how the answer's body is decoded and whether the call is safe to
repeat. The envelope builder, the transport, the parser and the command line all read these
declarations; adding an operation is a declaration plus tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Literal, Optional, TypeVar

import attrs
from lxml import etree

from . import parser
from ._namespaces import MS_ARRAYS, MS_SERIALIZATION, NS, XSI_TYPE
from .errors import InvalidRequestError
from .models import UntrustedCredentials
from .xsd import INT32_MAX, INT32_MIN, first_illegal_xml_char

__all__ = [
    "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "OPERATIONS",
    "USER",
    "Operation",
    "Param",
    "ScalarType",
    "Service",
    "SoapVersion",
]

SoapVersion = Literal["1.1", "1.2"]
T = TypeVar("T", covariant=True)

ACTION_BASE = "http://www.superoffice.net/ws/crm/NetServer/Services86"


@attrs.frozen
class Service:
    """A NetServer endpoint: ``<base>/<name>.svc``.

    ``doc_namespaces`` are the extra prefix declarations SuperOffice's documented envelopes
    carry for this service (kept so the SOAP 1.2 envelope matches the docs exactly).
    """

    name: str
    doc_namespaces: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return f"{self.name}.svc"


USER = Service(
    "User",
    doc_namespaces=(
        ("NetServerServices862", MS_ARRAYS),
        ("NetServerServices861", MS_SERIALIZATION),
    ),
)


def check_string(argument: str, value: object, *, secret: bool = False) -> str:
    """A str whose every character XML 1.0 can carry; else InvalidRequestError naming ``argument``.

    For a secret the message gives the position and code point of the bad character, never the text.
    """
    if not isinstance(value, str):
        raise InvalidRequestError(argument, f"must be a str, got {type(value).__name__}")
    index = first_illegal_xml_char(value)
    if index is not None:
        what = "the value" if secret else repr(value)
        raise InvalidRequestError(
            argument,
            f"character U+{ord(value[index]):04X} at index {index} of {what} "
            "cannot be carried by XML 1.0",
        )
    return value


def to_xml_int(argument: str, value: object) -> str:
    """An int (not a bool) within Int32, as xs:int text; else InvalidRequestError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(argument, f"must be an int, got {type(value).__name__}")
    if not INT32_MIN <= value <= INT32_MAX:
        raise InvalidRequestError(
            argument, f"{value} is outside the Int32 range {INT32_MIN}..{INT32_MAX}"
        )
    return str(value)


@attrs.frozen
class ScalarType:
    """A simple XSD type: how a Python value is checked and written as element text."""

    xsi_type: str
    to_text: Callable[[str, object], str]

    def write(
        self, parent: etree._Element, qname: str, value: object, argument: str, annotate: bool
    ) -> None:
        element = etree.SubElement(parent, qname)
        element.text = self.to_text(argument, value)
        if annotate:
            element.set(XSI_TYPE, self.xsi_type)


XS_INT = ScalarType("xsd:int", to_xml_int)
XS_STRING = ScalarType("xsd:string", check_string)


@attrs.frozen
class Param:
    """One body parameter: the Python argument name, the wire element name, its value type."""

    name: str
    element: str
    value_type: ScalarType
    #: An optional parameter's None leaves the element out; a required one's None is an error.
    optional: bool = False

    @property
    def qname(self) -> str:
        return f"{{{NS}}}{self.element}"


@attrs.frozen
class Operation(Generic[T]):
    """One SOAP operation of a service.

    ``decode`` turns the response wrapper element into the result; it receives the element and
    its path for error messages. ``retry_safe`` says whether repeating the call cannot change the
    server's state.
    """

    service: Service
    name: str
    params: tuple[Param, ...]
    decode: Callable[[etree._Element, str], T] = attrs.field(repr=False)
    retry_safe: bool
    response_element: Optional[str] = None

    @property
    def action(self) -> str:
        return f"{ACTION_BASE}/{self.service.name}/{self.name}"

    @property
    def request_qname(self) -> str:
        return f"{{{NS}}}{self.name}"

    @property
    def response_qname(self) -> str:
        return f"{{{NS}}}{self.response_element or self.name + 'Response'}"


GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE: Operation[list[UntrustedCredentials]] = Operation(
    USER,
    "GetUntrustedCredentialsForAssociate",
    (Param("associate_id", "AssociateId", XS_INT), Param("credential_type", "Type", XS_STRING)),
    decode=parser.untrusted_credentials_list,
    retry_safe=True,
)

#: Every declared operation by (service name, operation name).
OPERATIONS: dict[tuple[str, str], Operation[object]] = {
    (op.service.name, op.name): op for op in (GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,)
}
