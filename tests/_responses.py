"""lxml builders of NetServer response envelopes, for tests.

Everything here works on *wire text*: the caller chooses the exact lexical form of every value
(``"1"`` or ``"true"``, ``"…59.9999999"``, ``"+02:00"``), so a test controls what the parser
sees. A field is ``None`` to leave its element out, ``NIL`` for ``xsi:nil="true"``, or its text.

Self-contained on purpose: it imports nothing from ``superoffice_soap``, so a builder bug and a
parser bug cannot cancel out. No XML is ever built by string formatting.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Optional, Union

from lxml import etree

__all__ = [
    "MS_ARRAYS",
    "MS_SERIALIZATION",
    "NIL",
    "NS",
    "SOAP11",
    "SOAP12",
    "SOAP12_ENCODING",
    "XSD",
    "XSI",
    "Nil",
    "Style",
    "Text",
    "WireCredentials",
    "WireFieldProperty",
    "WireHeaders",
    "WireRight",
    "convert_envelope",
    "credentials_response",
    "envelope",
    "response_headers",
    "to_bytes",
]

NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP12_ENCODING = "http://www.w3.org/2003/05/soap-encoding"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
MS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
MS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"

_XSI_NIL = f"{{{XSI}}}nil"

SoapVersion = Literal["1.1", "1.2"]
#: ``"datacontract"``: WCF's DataContractSerializer layout (a default ``xmlns`` on the wrapper and
#: on each header block, ``xmlns:i`` for nil). ``"prefixed"``: every element carries a ``User:``
#: prefix and nil uses ``xsi:``, the way SuperOffice's documentation examples are written.
Style = Literal["datacontract", "prefixed"]


class Nil(enum.Enum):
    """The ``xsi:nil="true"`` marker (an enum so that ``Literal[Nil.NIL]`` narrows in mypy)."""

    NIL = "nil"


NIL = Nil.NIL

#: A simple element: None leaves it out, NIL writes ``xsi:nil="true"``, a str is its text.
Text = Union[str, Nil, None]


@dataclass(frozen=True)
class WireRight:
    """A ``TableRight`` or ``FieldRight``: ``mask`` is the xs:list text (None: no Mask element)."""

    mask: Optional[str] = None
    reason: Text = None


@dataclass(frozen=True)
class WireFieldProperty:
    """A ``FieldProperty`` (the Value of a FieldProperties dictionary entry)."""

    field_right: Union[WireRight, Nil, None] = None
    field_type: Text = None
    field_length: Optional[str] = None


#: FieldProperties: None leaves it out, NIL is nil, else (Key text, Value) pairs in order.
WireFieldProperties = Union[Sequence[tuple[str, Union[WireFieldProperty, Nil]]], Nil, None]


@dataclass(frozen=True)
class WireCredentials:
    """One ``UntrustedCredentials`` item, field by field in the schema's sequence order."""

    table_right: Union[WireRight, Nil, None] = None
    field_properties: WireFieldProperties = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    comment: Text = None
    secret_value: Text = None
    public_value: Text = None
    is_active: Optional[str] = None


@dataclass(frozen=True)
class WireHeaders:
    """The four response headers NetServer's binding declares; None leaves a block out."""

    exception_info: Optional[Nil] = None
    extra_info: Union[Sequence[tuple[str, Text]], Nil, None] = None
    succeeded: Optional[str] = None
    time_zone: Union[tuple[str, Text], Nil, None] = None


class _Writer:
    """Element factory for one style: knows the prefixes and how to write nil."""

    def __init__(self, style: Style) -> None:
        self.style = style

    def top_nsmap(self) -> dict[Optional[str], str]:
        """Declarations for a top-level element (the body wrapper or a header block)."""
        if self.style == "datacontract":
            return {None: NS, "i": XSI}
        return {"User": NS, "xsi": XSI}

    def top(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS}}}{name}", nsmap=self.top_nsmap())

    def sub(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS}}}{name}")

    def nil(self, element: etree._Element) -> etree._Element:
        element.set(_XSI_NIL, "true")
        return element

    def text(self, parent: etree._Element, name: str, value: Text) -> None:
        if value is None:
            return
        element = self.sub(parent, name)
        if value is NIL:
            self.nil(element)
        else:
            element.text = value

    def right(self, parent: etree._Element, name: str, value: Union[WireRight, Nil, None]) -> None:
        if value is None:
            return
        element = self.sub(parent, name)
        if value is NIL:
            self.nil(element)
            return
        if value.mask is not None:
            self.sub(element, "Mask").text = value.mask
        self.text(element, "Reason", value.reason)

    def field_properties(self, parent: etree._Element, value: WireFieldProperties) -> None:
        if value is None:
            return
        element = self.sub(parent, "FieldProperties")
        if value is NIL:
            self.nil(element)
            return
        for key, prop in value:
            pair = self.sub(element, "FieldPropertyDictionaryKeyValuePair")
            self.sub(pair, "Key").text = key
            holder = self.sub(pair, "Value")
            if prop is NIL:
                self.nil(holder)
                continue
            self.right(holder, "FieldRight", prop.field_right)
            self.text(holder, "FieldType", prop.field_type)
            self.text(holder, "FieldLength", prop.field_length)

    def credentials(self, parent: etree._Element, value: Union[WireCredentials, Nil]) -> None:
        element = self.sub(parent, "UntrustedCredentials")
        if value is NIL:
            self.nil(element)
            return
        self.right(element, "TableRight", value.table_right)
        self.field_properties(element, value.field_properties)
        self.text(element, "ValidFrom", value.valid_from)
        self.text(element, "ValidTo", value.valid_to)
        self.text(element, "Comment", value.comment)
        self.text(element, "SecretValue", value.secret_value)
        self.text(element, "PublicValue", value.public_value)
        self.text(element, "IsActive", value.is_active)


def credentials_response(
    response: Union[Sequence[Union[WireCredentials, Nil]], Nil, None],
    *,
    style: Style = "datacontract",
    wrapper: str = "GetUntrustedCredentialsForAssociateResponse",
) -> etree._Element:
    """A detached ``<wrapper><Response>…</Response></wrapper>`` Body payload.

    ``response`` None leaves the Response element out, NIL makes it nil, a sequence lists the
    ``UntrustedCredentials`` items (NIL items are written as nil items).
    """
    writer = _Writer(style)
    root = etree.Element(f"{{{NS}}}{wrapper}", nsmap=writer.top_nsmap())
    if response is None:
        return root
    holder = writer.sub(root, "Response")
    if response is NIL:
        writer.nil(holder)
        return root
    for item in response:
        writer.credentials(holder, item)
    return root


def response_headers(
    headers: WireHeaders, *, style: Style = "datacontract"
) -> list[etree._Element]:
    """Detached header blocks (ExceptionInfo, ExtraInfo, Succeeded, TimeZone), in that order."""
    writer = _Writer(style)
    holder = etree.Element("holder")
    if headers.exception_info is not None:
        writer.nil(writer.top(holder, "ExceptionInfo"))
    if headers.extra_info is not None:
        extra = writer.top(holder, "ExtraInfo")
        if headers.extra_info is NIL:
            writer.nil(extra)
        else:
            for key, value in headers.extra_info:
                pair = writer.sub(extra, "ExtraInfoNameValuePair")
                writer.sub(pair, "Key").text = key
                writer.text(pair, "Value", value)
    if headers.succeeded is not None:
        writer.top(holder, "Succeeded").text = headers.succeeded
    if headers.time_zone is not None:
        zone = writer.top(holder, "TimeZone")
        if headers.time_zone is NIL:
            writer.nil(zone)
        else:
            zone_id, location = headers.time_zone
            writer.sub(zone, "SoTimeZoneId").text = zone_id
            writer.text(zone, "SoTimeZoneLocationCode", location)
    blocks = list(holder)
    for block in blocks:
        holder.remove(block)
    return blocks


def envelope(
    payload: etree._Element,
    headers: Sequence[etree._Element] = (),
    *,
    soap_version: SoapVersion = "1.1",
    header_element: Optional[bool] = None,
) -> etree._Element:
    """``<s:Envelope>[<s:Header>headers</s:Header>]<s:Body>payload</s:Body></s:Envelope>``.

    The payload and header blocks are copied, so one builder result can go into several
    envelopes. ``header_element`` forces (True) or suppresses (False) the Header element;
    by default it is written when there are header blocks.
    """
    env_ns = SOAP11 if soap_version == "1.1" else SOAP12
    root = etree.Element(f"{{{env_ns}}}Envelope", nsmap={"s": env_ns})
    if header_element if header_element is not None else bool(headers):
        header = etree.SubElement(root, f"{{{env_ns}}}Header")
        for block in headers:
            header.append(copy.deepcopy(block))
    body = etree.SubElement(root, f"{{{env_ns}}}Body")
    body.append(copy.deepcopy(payload))
    return root


def convert_envelope(root: etree._Element, soap_version: SoapVersion) -> etree._Element:
    """A copy of ``root`` (a SOAP 1.1 or 1.2 Envelope) moved to the other envelope namespace.

    Only the Envelope and its direct children (Header, Body) change namespace; their content is
    copied unchanged. Every prefix the original declares on the Envelope is declared again (the
    envelope prefix now bound to the new namespace, the SOAP 1.2 encoding prefix dropped), so
    QName-valued attributes such as ``xsi:type="xsd:string"`` still resolve.
    """
    source = etree.QName(root).namespace
    if source not in (SOAP11, SOAP12):
        raise ValueError(f"not a SOAP envelope: {root.tag!r}")
    target = SOAP11 if soap_version == "1.1" else SOAP12
    nsmap: dict[Optional[str], str] = {}
    for prefix, uri in root.nsmap.items():
        if uri == source:
            nsmap[prefix] = target
        elif uri != SOAP12_ENCODING:
            nsmap[prefix] = uri
    new_root = etree.Element(f"{{{target}}}Envelope", attrib=dict(root.attrib), nsmap=nsmap)
    new_root.text = root.text
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions are not carried over
        qname = etree.QName(child)
        tag = f"{{{target}}}{qname.localname}" if qname.namespace == source else child.tag
        new_child = etree.SubElement(new_root, tag, attrib=dict(child.attrib))
        new_child.text = child.text
        new_child.tail = child.tail
        for grandchild in child:
            new_child.append(copy.deepcopy(grandchild))
    return new_root


def to_bytes(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, as a server would send them."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data
