"""Envelope-level wire handling for the NetServer stand-in: safe request parsing and reply building.

This module reads request envelopes strictly, the way a WCF ``basicHttpBinding`` endpoint's
DataContractSerializer would, and writes replies (success envelopes, NetServer error headers and
SOAP 1.1 / 1.2 faults) with lxml in WCF's layout.

It must never: build XML by string formatting, parse with entity resolution, DTD loading or network
access, accept a DOCTYPE, import the library's own envelope builder or response parser, or copy a
ticket, an application token or a secret into a reply or a fault reason.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Callable, Optional, cast

import attrs
from lxml import etree

from .._namespaces import SOAP11, SOAP12, XSI, XSI_NIL
from ..xsd import ScalarError, format_bool, parse_bool, parse_datetime, parse_int

__all__ = [
    "ADDRESSING_NONE",
    "NETSERVER_NS_PREFIX",
    "SOAP_1_1",
    "SOAP_1_2",
    "WCF_DISPATCHER",
    "WS_ADDRESSING",
    "FaultKind",
    "Field",
    "NetServerFailure",
    "RequestError",
    "SoapVersion",
    "VersionMismatchError",
    "build_fault",
    "build_response",
    "element_children",
    "is_nil",
    "namespace_hint",
    "nsmap",
    "parse_envelope",
    "read_sequence",
    "simple_text",
    "split_envelope",
]

#: Namespace of WCF's ``a:ActionNotSupported`` fault subcode on a binding without addressing.
ADDRESSING_NONE = "http://schemas.microsoft.com/ws/2005/05/addressing/none"
#: Namespace of WCF dispatcher fault subcodes such as ``a:InternalServiceFault``.
WCF_DISPATCHER = (
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
)
#: Every NetServer Services namespace starts with this (``…/NetServer/Services86``).
NETSERVER_NS_PREFIX = "http://www.superoffice.net/ws/crm/NetServer/"
#: WS-Addressing 1.0; basicHttpBinding does not speak it.
WS_ADDRESSING = "http://www.w3.org/2005/08/addressing"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_ILLEGAL_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_WS = " \t\r\n"
_QUOTE_LIMIT = 64
_NO_DTD = "The request contains a DOCTYPE; DTDs are not allowed in SOAP messages."


@attrs.frozen
class SoapVersion:
    """One SOAP version as seen on the wire: label, envelope namespace and reply content type."""

    label: str
    envelope_ns: str
    content_type: str


SOAP_1_1 = SoapVersion("1.1", SOAP11, "text/xml; charset=utf-8")
SOAP_1_2 = SoapVersion("1.2", SOAP12, "application/soap+xml; charset=utf-8")


class RequestError(Exception):
    """The request envelope is not acceptable; becomes a Client (1.1) / Sender (1.2) fault."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VersionMismatchError(RequestError):
    """The envelope namespace does not match the SOAP version chosen by the content type."""


class FaultKind(enum.Enum):
    """The fault codes the stand-in produces, each mapped to WCF's SOAP 1.1 and 1.2 layout."""

    ACTION_NOT_SUPPORTED = "ActionNotSupported"
    CLIENT = "Client"
    VERSION_MISMATCH = "VersionMismatch"
    INTERNAL_SERVICE_FAULT = "InternalServiceFault"


@attrs.frozen
class NetServerFailure:
    """A NetServer-level error, reported in the ``ExceptionInfo`` header with Succeeded=false."""

    message: str
    exception_type: str
    source: str
    friendly_text: str


#: Field kinds whose element is not nillable (value types in .NET).
_VALUE_KINDS = frozenset({"int", "bool", "datetime", "enum", "tokens"})
_KINDS = _VALUE_KINDS | {"string", "complex", "array"}


@attrs.frozen
class Field:
    """One element of an ``xs:sequence`` the stand-in reads.

    ``kind`` is one of:

    - ``"int"``, ``"bool"``, ``"datetime"`` (xs:int, xs:boolean, xs:dateTime);
    - ``"enum"`` (an xs:string enumeration; ``choices`` lists the values);
    - ``"tokens"`` (an ``xs:list`` flags mask; ``choices`` lists the tokens);
    - ``"string"`` (xs:string);
    - ``"complex"`` (a sequence of ``children``);
    - ``"array"`` (0..n repetitions of the single field in ``children``).

    The first five are not nillable, the last three are. ``secret`` fields are never quoted.
    """

    name: str
    kind: str = attrs.field(validator=attrs.validators.in_(_KINDS))
    children: tuple[Field, ...] = ()
    secret: bool = False
    choices: tuple[str, ...] = ()


def quote(text: str) -> str:
    """Quote a received value for a fault reason: clipped, and safe to put into XML."""
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + "…"
    return repr(xml_safe(text))


def xml_safe(text: str) -> str:
    """Replace the characters XML 1.0 cannot carry with U+FFFD."""
    return _ILLEGAL_XML_CHAR.sub("\ufffd", text)


def clark_name(element: etree._Element) -> str:
    """A readable ``{namespace}local`` (or bare ``local``) name for a fault reason."""
    qname = etree.QName(element)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname


def namespace_hint(element: etree._Element, ns: str) -> str:
    """An extra sentence when ``element`` is in another NetServer Services namespace, else ""."""
    other = etree.QName(element).namespace or ""
    if other != ns and other.startswith(NETSERVER_NS_PREFIX):
        return (
            f" The element is in namespace {other!r}, but this endpoint serves {ns!r}: "
            "the request was built for another Services version."
        )
    return ""


# --------------------------------------------------------------------------- request parsing


def nsmap(mapping: Mapping[Optional[str], str]) -> Mapping[str, str]:
    """An lxml ``nsmap`` that may map the default namespace (key None).

    lxml accepts None as the default-namespace key; lxml-stubs (when installed) types nsmap as
    ``Mapping[str, str]`` only, hence the cast.
    """
    return cast("Mapping[str, str]", mapping)


def _safe_parser() -> etree.XMLParser:
    # A new parser per request: parser objects are not meant to be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_envelope(body: bytes, version: SoapVersion) -> etree._Element:
    """Parse a request body safely and return its ``Envelope`` element.

    Raises RequestError for malformed XML, a DOCTYPE or a root that is not ``Envelope``, and
    VersionMismatchError for an ``Envelope`` in a namespace other than ``version``'s.
    """
    if not body.strip():
        raise RequestError("The request body is empty; a SOAP Envelope was expected.")
    try:
        root = etree.fromstring(body, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise RequestError(f"The request body is not well-formed XML: {exc.msg}") from None
    # Any DOCTYPE (even without an internal subset) leaves an internalDTD node behind.
    if root.getroottree().docinfo.internalDTD is not None:
        raise RequestError(_NO_DTD)
    qname = etree.QName(root)
    if qname.localname != "Envelope":
        raise RequestError(
            f"The root element is {clark_name(root)}, not a SOAP {version.label} Envelope."
        )
    if qname.namespace != version.envelope_ns:
        raise VersionMismatchError(
            f"The envelope namespace {qname.namespace or '(none)'!r} does not match SOAP "
            f"{version.label} ({version.envelope_ns!r}) chosen by the Content-Type."
        )
    return root


def _check_text(text: Optional[str], where: str) -> None:
    if text is not None and text.strip(_XML_WS):
        raise RequestError(f"Unexpected text content {quote(text.strip(_XML_WS))} in {where}.")


def element_children(parent: etree._Element, where: str) -> list[etree._Element]:
    """Element children of ``parent``; comments and PIs skipped, stray text rejected."""
    _check_text(parent.text, where)
    children: list[etree._Element] = []
    for child in parent:
        _check_text(child.tail, where)
        if isinstance(child.tag, str):
            children.append(child)
    return children


_MISPLACED_HEADERS = frozenset({"ApplicationToken", "Credentials", "TimeZone"})


def split_envelope(
    envelope: etree._Element, version: SoapVersion, ns: str
) -> tuple[Optional[etree._Element], etree._Element]:
    """Return (Header or None, the single Body payload element) of a parsed envelope.

    ``ns`` is the Services namespace the endpoint serves (for the misplaced-header check).
    """
    soap = version.envelope_ns
    header: Optional[etree._Element] = None
    body: Optional[etree._Element] = None
    for child in element_children(envelope, "Envelope"):
        qname = etree.QName(child)
        if qname.namespace == ns and qname.localname in _MISPLACED_HEADERS:
            raise RequestError(
                f"Element {qname.localname!r} appears directly under Envelope; it is a SOAP "
                "header and must be inside the Header element."
            )
        if body is not None:
            raise RequestError(f"Unexpected element {clark_name(child)} after the SOAP Body.")
        if qname.namespace == soap and qname.localname == "Header" and header is None:
            header = child
        elif qname.namespace == soap and qname.localname == "Body":
            body = child
        else:
            raise RequestError(
                f"Unexpected element {clark_name(child)} under Envelope; expected an optional "
                "Header followed by Body."
            )
    if body is None:
        raise RequestError("The SOAP Envelope has no Body.")
    payload = element_children(body, "Body")
    if len(payload) != 1:
        raise RequestError(f"The SOAP Body must hold exactly one element, not {len(payload)}.")
    return header, payload[0]


def is_nil(element: etree._Element, path: str) -> bool:
    raw = element.get(XSI_NIL)
    if raw is None:
        return False
    try:
        return parse_bool(raw)
    except ScalarError:
        raise RequestError(
            f"Attribute i:nil of {path} is not an xs:boolean: {quote(raw)}."
        ) from None


def simple_text(element: etree._Element, path: str) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            raise RequestError(
                f"{path} must hold text only, but contains element {clark_name(child)}."
            )
        parts.append(child.tail or "")
    return "".join(parts)


_SCALARS: Mapping[str, tuple[str, Callable[[str], object]]] = {
    "int": ("xs:int", parse_int),
    "bool": ("xs:boolean", parse_bool),
    "datetime": ("xs:dateTime", parse_datetime),
}


def _read_array(element: etree._Element, field: Field, path: str, ns: str) -> list[object]:
    (item,) = field.children
    values: list[object] = []
    for position, child in enumerate(element_children(element, path), 1):
        if child.tag != f"{{{ns}}}{item.name}":
            raise RequestError(
                f"Unexpected element {clark_name(child)} in {path}; expected only "
                f"{item.name!r} items in namespace {ns}.{namespace_hint(child, ns)}"
            )
        values.append(_read_value(child, item, f"{path}/{item.name}[{position}]", ns))
    return values


def _read_value(element: etree._Element, field: Field, path: str, ns: str) -> object:
    if is_nil(element, path):
        if field.kind in _VALUE_KINDS:
            raise RequestError(f'{path} is not nillable but has i:nil="true".')
        if len(element) or (element.text or "").strip(_XML_WS):
            raise RequestError(f'{path} has i:nil="true" but is not empty.')
        return None
    if field.kind == "complex":
        return read_sequence(element, field.children, path, ns)
    if field.kind == "array":
        return _read_array(element, field, path, ns)
    text = simple_text(element, path)
    shown = "(hidden)" if field.secret else quote(text)
    if field.kind == "string":
        return text
    if field.kind == "enum":
        value = text.strip(_XML_WS)
        if value not in field.choices:
            raise RequestError(
                f"{path} is not a valid value of its enumeration: {shown}; expected one of "
                f"{', '.join(field.choices)}."
            )
        return value
    if field.kind == "tokens":
        tokens = tuple(text.split())
        unknown = [token for token in tokens if token not in field.choices]
        if unknown:
            raise RequestError(
                f"{path} holds an unknown flag {quote(unknown[0])}; expected tokens from "
                f"{', '.join(field.choices)}."
            )
        return tokens
    xsd_type, parse = _SCALARS[field.kind]
    try:
        return parse(text)
    except ScalarError:
        raise RequestError(f"{path} is not a valid {xsd_type}: {shown}.") from None


def read_sequence(
    parent: etree._Element, fields: Sequence[Field], path: str, ns: str
) -> dict[str, object]:
    """Read ``parent``'s children as the ``xs:sequence`` ``fields`` (all minOccurs=0).

    Children must be in namespace ``ns`` (the endpoint's Services namespace), known, in order and
    not repeated; text between them is an error. ``xsi:type`` and other attributes are ignored.
    Absent fields are absent from the result.
    """
    index = {field.name: position for position, field in enumerate(fields)}
    values: dict[str, object] = {}
    last = -1
    for child in element_children(parent, path):
        qname = etree.QName(child)
        position = index.get(qname.localname) if qname.namespace == ns else None
        if position is None:
            expected = ", ".join(field.name for field in fields) or "no children"
            raise RequestError(
                f"Unexpected element {clark_name(child)} in {path}; expected (in this order, "
                f"each optional, in namespace {ns}): {expected}.{namespace_hint(child, ns)}"
            )
        if position == last:
            raise RequestError(f"Element {qname.localname!r} appears more than once in {path}.")
        if position < last:
            raise RequestError(
                f"Element {qname.localname!r} is out of order in {path}; it must come before "
                f"{fields[last].name!r}."
            )
        last = position
        field = fields[position]
        values[field.name] = _read_value(child, field, f"{path}/{field.name}", ns)
    return values


# --------------------------------------------------------------------------- reply building


def _serialize(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data


def _text_element(
    parent: etree._Element, ns: str, name: str, text: Optional[str]
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is None:
        element.set(XSI_NIL, "true")
    else:
        element.text = text
    return element


def build_response(
    version: SoapVersion,
    ns: str,
    wrapper_name: str,
    fill: Optional[Callable[[etree._Element], None]],
    failure: Optional[NetServerFailure] = None,
) -> bytes:
    """A NetServer reply envelope: the four response headers and the ``wrapper_name`` element.

    Everything NetServer writes is in the Services namespace ``ns``. ``fill`` adds the payload to
    the (default-namespace) response wrapper; with ``failure`` the headers say Succeeded=false
    and carry the ExceptionInfo (``fill`` may still write a payload, e.g. a failed login's
    AuthenticationSucceeded=false).
    """
    soap = version.envelope_ns
    envelope = etree.Element(f"{{{soap}}}Envelope", nsmap={"s": soap})
    header = etree.SubElement(envelope, f"{{{soap}}}Header")
    info = etree.SubElement(header, f"{{{ns}}}ExceptionInfo", nsmap=nsmap({None: ns, "i": XSI}))
    if failure is None:
        info.set(XSI_NIL, "true")
    else:
        _text_element(info, ns, "Message", failure.message)
        _text_element(info, ns, "StackTrace", None)
        _text_element(info, ns, "FriendlyText", failure.friendly_text)
        _text_element(info, ns, "ExceptionType", failure.exception_type)
        _text_element(info, ns, "Source", failure.source)
        _text_element(info, ns, "InnerException", None)
        etree.SubElement(info, f"{{{ns}}}Parameters")
    etree.SubElement(header, f"{{{ns}}}ExtraInfo", nsmap=nsmap({None: ns, "i": XSI}))
    succeeded = etree.SubElement(header, f"{{{ns}}}Succeeded", nsmap=nsmap({None: ns}))
    succeeded.text = format_bool(failure is None)
    timezone = etree.SubElement(header, f"{{{ns}}}TimeZone", nsmap=nsmap({None: ns, "i": XSI}))
    timezone.set(XSI_NIL, "true")
    body = etree.SubElement(envelope, f"{{{soap}}}Body")
    wrapper = etree.SubElement(body, f"{{{ns}}}{wrapper_name}", nsmap=nsmap({None: ns}))
    if fill is not None:
        fill(wrapper)
    return _serialize(envelope)


_FAULT_CODES: Mapping[FaultKind, tuple[str, Optional[str], str, Optional[str]]] = {
    # kind: (SOAP 1.1 faultcode, its "a" namespace, SOAP 1.2 Code/Value, 1.2 Subcode "a" namespace)
    FaultKind.ACTION_NOT_SUPPORTED: (
        "a:ActionNotSupported",
        ADDRESSING_NONE,
        "s:Sender",
        ADDRESSING_NONE,
    ),
    FaultKind.CLIENT: ("s:Client", None, "s:Sender", None),
    FaultKind.VERSION_MISMATCH: ("s:VersionMismatch", None, "s:VersionMismatch", None),
    FaultKind.INTERNAL_SERVICE_FAULT: (
        "a:InternalServiceFault",
        WCF_DISPATCHER,
        "s:Receiver",
        WCF_DISPATCHER,
    ),
}


def build_fault(version: SoapVersion, kind: FaultKind, reason: str) -> bytes:
    """A SOAP fault envelope in WCF's layout for ``version`` (sent with HTTP 500)."""
    soap = version.envelope_ns
    code11, ns11, value12, sub_ns12 = _FAULT_CODES[kind]
    envelope = etree.Element(f"{{{soap}}}Envelope", nsmap={"s": soap})
    body = etree.SubElement(envelope, f"{{{soap}}}Body")
    fault = etree.SubElement(body, f"{{{soap}}}Fault")
    if version is SOAP_1_1:
        faultcode = etree.SubElement(fault, "faultcode", nsmap={"a": ns11} if ns11 else None)
        faultcode.text = code11
        faultstring = etree.SubElement(fault, "faultstring")
        faultstring.set(_XML_LANG, "en-US")
        faultstring.text = xml_safe(reason)
    else:
        code = etree.SubElement(fault, f"{{{soap}}}Code")
        etree.SubElement(code, f"{{{soap}}}Value").text = value12
        if sub_ns12 is not None:
            subcode = etree.SubElement(code, f"{{{soap}}}Subcode")
            value = etree.SubElement(subcode, f"{{{soap}}}Value", nsmap={"a": sub_ns12})
            value.text = f"a:{kind.value}"
        reason_element = etree.SubElement(fault, f"{{{soap}}}Reason")
        text = etree.SubElement(reason_element, f"{{{soap}}}Text")
        text.set(_XML_LANG, "en-US")
        text.text = xml_safe(reason)
    return _serialize(envelope)
