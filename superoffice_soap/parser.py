"""Response parsing (sans-IO): bytes in, typed values or a typed error out.

The order of the checks:

1. HTTP framing: an answer that is not XML (an HTML error page, an empty body) is an
   HTTPStatusError; malformed XML in a 2xx XML answer is a ResponseParseError.
2. Safe parse: lxml with no DTD loading, no entity expansion, no network; a DOCTYPE is refused.
3. Envelope shape (SOAP 1.1 or 1.2, whichever was sent): an optional Header, one Body, one payload.
4. A Fault payload is a SoapFault; ``Succeeded`` false or an ``ExceptionInfo`` header is a
   NetServerError.
5. The payload must be the operation's response element; its content is decoded strictly into the
   attrs models: an unknown element, a wrong order, a bad scalar, text where elements belong, an
   empty non-string is a ResponseParseError whose path names the element, 1-based as XPath counts
   (``Body/GetUntrustedCredentialsForAssociateResponse/Response/UntrustedCredentials[2]/IsActive``).

Nothing here does I/O. Nothing quotes the content of a secret field, and text that came from the
server is scrubbed of the caller's own ticket and application token before it enters an exception.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Literal, Optional

import attrs
from lxml import etree

from ._namespaces import NS, SOAP11, SOAP12, XSI_NIL
from .errors import HTTPStatusError, NetServerError, ResponseParseError, SoapFault
from .models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
)
from .xsd import ScalarError, parse_bool, parse_datetime, parse_int

__all__ = [
    "ReceivedEnvelope",
    "decode_payload",
    "read_envelope",
    "scrub",
    "untrusted_credentials_list",
]

REDACTED = "***"
_EXCERPT_CHARS = 200


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


@attrs.frozen
class ReceivedEnvelope:
    """A well-formed SOAP envelope: its version, its Header (or None) and its one Body payload."""

    soap_version: Literal["1.1", "1.2"]
    header: Optional[etree._Element] = attrs.field(repr=False)
    payload: etree._Element = attrs.field(repr=False)
    status_code: int

    @property
    def is_fault(self) -> bool:
        return self.payload.tag in _FAULT_TAGS

    @property
    def is_version_mismatch(self) -> bool:
        """A VersionMismatch fault: the server does not speak the envelope version it got."""
        if not self.is_fault:
            return False
        code = (_F11_CODE if self.soap_version == "1.1" else _F12_CODE)(self.payload)
        return isinstance(code, str) and _local(code.strip()) == "VersionMismatch"


def read_envelope(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    redact: Iterable[Optional[str]] = (),
) -> ReceivedEnvelope:
    """Parse an HTTP answer into a SOAP envelope or raise HTTPStatusError / ResponseParseError."""
    content_type = _header(headers, "content-type")
    success = 200 <= status_code < 300
    if not content.strip():
        raise _status_error(status_code, content_type, content, redact, "an empty body")
    if not _is_xml(content_type):
        raise _status_error(status_code, content_type, content, redact, "not a SOAP answer")
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        if not success:
            raise _status_error(
                status_code, content_type, content, redact, "not a SOAP answer"
            ) from None
        raise ResponseParseError(f"malformed XML: {scrub(str(exc), redact)}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        if not success:
            raise _status_error(status_code, content_type, content, redact, "not a SOAP answer")
        raise ResponseParseError("a DOCTYPE is not allowed in a SOAP message")
    try:
        envelope = _envelope(root, status_code)
    except ResponseParseError:
        if not success:
            raise _status_error(
                status_code, content_type, content, redact, "not a SOAP answer"
            ) from None
        raise
    if not success and not envelope.is_fault:
        raise _status_error(
            status_code, content_type, content, redact, "a SOAP answer without a Fault"
        )
    return envelope


def decode_payload(
    envelope: ReceivedEnvelope,
    response_qname: str,
    decode: Callable[[etree._Element, str], Any],
    *,
    redact: Iterable[Optional[str]] = (),
) -> Any:
    """Raise the envelope's fault or NetServer error, else decode its payload with ``decode``."""
    secrets = [s for s in redact if s]
    if envelope.is_fault:
        raise _soap_fault(envelope, secrets)
    if envelope.header is not None:
        _check_headers(envelope.header, secrets)
    payload = envelope.payload
    name = _local(response_qname)
    if payload.tag != response_qname:
        raise ResponseParseError(
            f"expected {name} in the Body, got {_describe_tag(payload.tag)}", path="Body"
        )
    try:
        return decode(payload, f"Body/{name}")
    except _Problem as problem:
        raise problem.error(f"Body/{name}", secrets) from None


def scrub(text: str, secrets: Iterable[Optional[str]]) -> str:
    """Replace every occurrence of each non-empty secret in ``text`` with ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


# --------------------------------------------------------------------------------------------
# Safe parsing and the envelope
# --------------------------------------------------------------------------------------------

_local_parser = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers keep state while parsing: one per thread.
    parser: Optional[etree.XMLParser] = getattr(_local_parser, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local_parser.parser = parser
    return parser


_ENVELOPE_VERSIONS: dict[str, Literal["1.1", "1.2"]] = {
    f"{{{SOAP11}}}Envelope": "1.1",
    f"{{{SOAP12}}}Envelope": "1.2",
}
_FAULT_TAGS = frozenset({f"{{{SOAP11}}}Fault", f"{{{SOAP12}}}Fault"})


def _envelope(root: etree._Element, status_code: int) -> ReceivedEnvelope:
    version = _ENVELOPE_VERSIONS.get(root.tag) if isinstance(root.tag, str) else None
    if version is None:
        raise ResponseParseError(f"expected a SOAP Envelope, got {_describe_tag(root.tag)}")
    env_ns = SOAP11 if version == "1.1" else SOAP12
    header: Optional[etree._Element] = None
    body: Optional[etree._Element] = None
    _no_text(root.text, "Envelope")
    for child in root:
        _no_text(child.tail, "Envelope")
        if child.tag == f"{{{env_ns}}}Header" and header is None and body is None:
            header = child
        elif child.tag == f"{{{env_ns}}}Body" and body is None:
            body = child
        else:
            raise ResponseParseError(
                f"unexpected element {_describe_tag(child.tag)}", path="Envelope"
            )
    if body is None:
        raise ResponseParseError("the Envelope has no Body", path="Envelope")
    _no_text(body.text, "Body")
    children = list(body)
    if len(children) != 1:
        raise ResponseParseError(
            f"the Body must hold exactly one element, found {len(children)}", path="Body"
        )
    _no_text(children[0].tail, "Body")
    return ReceivedEnvelope(version, header, children[0], status_code)


def _no_text(text: Optional[str], path: str) -> None:
    if text and not text.isspace():
        raise ResponseParseError(f"unexpected text {_excerpt(text)!r}", path=path)


# --------------------------------------------------------------------------------------------
# Faults and NetServer errors
# --------------------------------------------------------------------------------------------

_N12 = {"e": SOAP12}
_F11_CODE = etree.XPath("string(faultcode)")
_F11_REASON = etree.XPath("string(faultstring)")
_F11_DETAIL = etree.XPath("detail")
_F12_CODE = etree.XPath("string(e:Code/e:Value)", namespaces=_N12)
_F12_SUBCODES = etree.XPath("e:Code//e:Subcode/e:Value", namespaces=_N12)
_F12_REASON = etree.XPath("e:Reason/e:Text", namespaces=_N12)
_F12_DETAIL = etree.XPath("e:Detail", namespaces=_N12)


def _soap_fault(envelope: ReceivedEnvelope, secrets: list[str]) -> SoapFault:
    fault = envelope.payload
    subcodes: tuple[str, ...] = ()
    if envelope.soap_version == "1.1":
        code = str(_F11_CODE(fault)).strip()
        reason = str(_F11_REASON(fault))
        details = _elements(_F11_DETAIL(fault))
    else:
        code = str(_F12_CODE(fault)).strip()
        subcodes = tuple(_local((el.text or "").strip()) for el in _elements(_F12_SUBCODES(fault)))
        texts = _elements(_F12_REASON(fault))
        reason = texts[0].text or "" if texts else ""
        details = _elements(_F12_DETAIL(fault))
    if not code:
        raise ResponseParseError("a SOAP Fault without a fault code", path="Body/Fault")
    detail = None
    if details:
        detail = scrub(_inner_xml(details[0]), secrets)
    return SoapFault(
        code=_local(code),
        subcodes=subcodes,
        reason=scrub(reason.strip(), secrets),
        detail=detail,
        soap_version=envelope.soap_version,
        status_code=envelope.status_code,
    )


def _elements(result: Any) -> list[etree._Element]:
    return [item for item in result if isinstance(item, etree._Element)]


def _inner_xml(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


_Q_SUCCEEDED = f"{{{NS}}}Succeeded"
_Q_EXCEPTION_INFO = f"{{{NS}}}ExceptionInfo"
_Q_EXTRA_INFO = f"{{{NS}}}ExtraInfo"
_Q_TIME_ZONE = f"{{{NS}}}TimeZone"
_MUST_UNDERSTAND = (f"{{{SOAP11}}}mustUnderstand", f"{{{SOAP12}}}mustUnderstand")


def _check_headers(header: etree._Element, secrets: list[str]) -> None:
    succeeded: Optional[bool] = None
    exception_info: Optional[dict[str, Any]] = None
    seen: set[str] = set()
    for child in header:
        tag = child.tag
        field = _HEADER_FIELDS.get(tag) if isinstance(tag, str) else None
        if field is None:
            # SOAP headers are extensible: a block this client does not know is ignored unless
            # the server insists that it must be understood.
            for attribute in _MUST_UNDERSTAND:
                if child.get(attribute, "").strip() in ("1", "true"):
                    raise ResponseParseError(
                        f"header {_describe_tag(tag)} must be understood and is not",
                        path="Header",
                    )
            continue
        if tag in seen:
            raise ResponseParseError(f"{field.name} appears twice", path="Header")
        seen.add(tag)
        try:
            value = field.read(child)
        except _Problem as problem:
            raise problem.error("Header", secrets) from None
        if tag == _Q_SUCCEEDED:
            succeeded = value
        elif tag == _Q_EXCEPTION_INFO:
            exception_info = value
    if exception_info is not None or succeeded is False:
        raise _netserver_error(exception_info or {}, secrets)


def _netserver_error(info: Mapping[str, Any], secrets: list[str]) -> NetServerError:
    def clean(value: Optional[str]) -> Optional[str]:
        return None if value is None else scrub(value, secrets)

    inner = info.get("inner_exception")
    parameters = info.get("parameters") or {}
    return NetServerError(
        exception_type=clean(info.get("exception_type")),
        message=clean(info.get("message")),
        friendly_text=clean(info.get("friendly_text")),
        source=clean(info.get("source")),
        stack_trace=clean(info.get("stack_trace")),
        parameters={scrub(k, secrets): clean(v) for k, v in parameters.items()},
        inner_exception=None if inner is None else _netserver_error(inner, secrets),
    )


# --------------------------------------------------------------------------------------------
# Strict structure decoding
# --------------------------------------------------------------------------------------------


class _Problem(Exception):
    """A decoding failure on its way up; each level adds its element name to the path."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str] = []

    def error(self, prefix: str, secrets: list[str]) -> ResponseParseError:
        path = "/".join([prefix, *reversed(self.segments)])
        return ResponseParseError(scrub(self.message, secrets), path=path)


Decoder = Callable[[etree._Element], Any]


def _is_nil(element: etree._Element, nillable: bool) -> bool:
    nil = element.get(XSI_NIL)
    if nil is None:
        return False
    nil = nil.strip()
    if nil in ("false", "0"):
        return False
    if nil not in ("true", "1"):
        raise _Problem(f"invalid xsi:nil value {nil!r}")
    if not nillable:
        raise _Problem("xsi:nil on an element that is not nillable")
    if len(element) or (element.text and not element.text.isspace()):
        raise _Problem("an element marked xsi:nil has content")
    return True


def _simple_text(element: etree._Element) -> str:
    if len(element):
        raise _Problem(f"expected a simple value, found element {_describe_tag(element[0].tag)}")
    return element.text or ""


def _scalar(type_name: str, codec: Callable[[str], Any]) -> Decoder:
    def decode(element: etree._Element) -> Any:
        text = _simple_text(element)
        if not text or text.isspace():
            raise _Problem(f"empty element where {type_name} is expected")
        try:
            return codec(text)
        except ScalarError as exc:
            raise _Problem(str(exc)) from None

    return decode


def _string(element: etree._Element) -> str:
    return _simple_text(element)


def _token_set(type_name: str, tokens: frozenset[str]) -> Decoder:
    """An xs:list of enumeration tokens (a .NET flags enum); empty means no flags."""

    def decode(element: etree._Element) -> frozenset[str]:
        values = frozenset(_simple_text(element).split())
        unknown = values - tokens
        if unknown:
            raise _Problem(f"unknown {type_name} flag {sorted(unknown)[0]!r}")
        return values

    return decode


_int = _scalar("xs:int", parse_int)
_bool = _scalar("xs:boolean", parse_bool)
_datetime = _scalar("xs:dateTime", parse_datetime)


class _Field:
    __slots__ = ("attr", "decode", "index", "name", "nillable")

    def __init__(self, name: str, attr: str, decode: Decoder, nillable: bool) -> None:
        self.name = name
        self.attr = attr
        self.decode = decode
        self.nillable = nillable
        self.index = 0

    def read(self, element: etree._Element) -> Any:
        try:
            if element.get(XSI_NIL) is not None and _is_nil(element, self.nillable):
                return None
            return self.decode(element)
        except _Problem as problem:
            problem.segments.append(self.name)
            raise


def _field(name: str, attr: str, decode: Decoder, *, nillable: bool = True) -> _Field:
    return _Field(name, attr, decode, nillable)


class _Struct:
    """An xs:sequence of optional elements, in order, each at most once, decoded by ``factory``."""

    def __init__(self, factory: Callable[..., Any], *fields: _Field) -> None:
        self.factory = factory
        self.fields: dict[str, _Field] = {}
        self.define(*fields)

    def define(self, *fields: _Field) -> None:
        """Set the fields; separate from ``__init__`` so that a type can contain itself."""
        self.fields = {}
        for index, field in enumerate(fields):
            field.index = index
            self.fields[f"{{{NS}}}{field.name}"] = field

    def __call__(self, element: etree._Element) -> Any:
        text = element.text
        if text and not text.isspace():
            raise _Problem(f"unexpected text {_excerpt(text)!r}")
        fields = self.fields
        values: dict[str, Any] = {}
        last = -1
        for child in element:
            field = fields.get(child.tag)
            if field is None:
                raise _Problem(f"unexpected element {_describe_tag(child.tag)}")
            if field.index <= last:
                raise _Problem(f"element {field.name} is repeated or out of order")
            last = field.index
            tail = child.tail
            if tail and not tail.isspace():
                raise _Problem(f"unexpected text {_excerpt(tail)!r} after {field.name}")
            values[field.attr] = field.read(child)
        return self.factory(**values)


def _array(item_name: str, decode_item: Decoder) -> Callable[[etree._Element], list[Any]]:
    """A WCF array: 0..n nillable ``item_name`` elements; nil items carry nothing and are skipped."""
    item_tag = f"{{{NS}}}{item_name}"

    def decode(element: etree._Element) -> list[Any]:
        text = element.text
        if text and not text.isspace():
            raise _Problem(f"unexpected text {_excerpt(text)!r}")
        items: list[Any] = []
        for position, child in enumerate(element, 1):
            if child.tag != item_tag:
                raise _Problem(f"unexpected element {_describe_tag(child.tag)}")
            try:
                tail = child.tail
                if tail and not tail.isspace():
                    raise _Problem(f"unexpected text {_excerpt(tail)!r}")
                if child.get(XSI_NIL) is not None and _is_nil(child, True):
                    continue
                items.append(decode_item(child))
            except _Problem as problem:
                problem.segments.append(f"{item_name}[{position}]")
                raise
        return items

    return decode


def _dictionary(
    pair_name: str, decode_value: Decoder, *, value_nillable: bool = True
) -> Callable[[etree._Element], dict[str, Any]]:
    """A WCF dictionary: 0..n ``pair_name{Key, Value}``; duplicate or nil keys are errors.

    A nil value is skipped: the mapping's values keep their declared type.
    """
    pair = _Struct(
        lambda **kv: (kv.get("key"), kv.get("value"), "value" in kv),
        _field("Key", "key", _string),
        _field("Value", "value", decode_value, nillable=value_nillable),
    )

    pair_tag = f"{{{NS}}}{pair_name}"

    def decode(element: etree._Element) -> dict[str, Any]:
        text = element.text
        if text and not text.isspace():
            raise _Problem(f"unexpected text {_excerpt(text)!r}")
        result: dict[str, Any] = {}
        for position, child in enumerate(element, 1):
            try:
                if child.tag != pair_tag:
                    raise _Problem(f"unexpected element {_describe_tag(child.tag)}")
                key, value, present = pair(child)
                if key is None:
                    raise _Problem("a dictionary entry without a Key")
                if key in result:
                    raise _Problem(f"duplicate key {key!r}")
                if value is not None:
                    result[key] = value
                elif not present:
                    raise _Problem(f"dictionary entry {key!r} has no Value")
            except _Problem as problem:
                problem.segments.append(f"{pair_name}[{position}]")
                raise
        return result

    return decode


_table_right = _Struct(
    TableRight,
    _field("Mask", "mask", _token_set("ETableRight", frozenset(TABLE_RIGHT_FLAGS)), nillable=False),
    _field("Reason", "reason", _string),
)
_field_right = _Struct(
    FieldRight,
    _field("Mask", "mask", _token_set("EFieldRight", frozenset(FIELD_RIGHT_FLAGS)), nillable=False),
    _field("Reason", "reason", _string),
)
_field_property = _Struct(
    FieldProperty,
    _field("FieldRight", "field_right", _field_right),
    _field("FieldType", "field_type", _string),
    _field("FieldLength", "field_length", _int, nillable=False),
)
_field_properties = _dictionary("FieldPropertyDictionaryKeyValuePair", _field_property)

#: The Carrier base fields, first in every type that extends Carrier.
_CARRIER_FIELDS = (
    ("TableRight", "table_right", _table_right, True),
    ("FieldProperties", "field_properties", _field_properties, True),
)


def _carrier(factory: Callable[..., Any], *fields: _Field) -> _Struct:
    base = [_field(name, attr, dec, nillable=nil) for name, attr, dec, nil in _CARRIER_FIELDS]
    return _Struct(factory, *base, *fields)


_untrusted_credentials = _carrier(
    UntrustedCredentials,
    _field("ValidFrom", "valid_from", _datetime, nillable=False),
    _field("ValidTo", "valid_to", _datetime, nillable=False),
    _field("Comment", "comment", _string),
    _field("SecretValue", "secret_value", _string),
    _field("PublicValue", "public_value", _string),
    _field("IsActive", "is_active", _bool, nillable=False),
)

_exception_info = _Struct(dict)
_exception_info.define(  # recursive: InnerException is an SoExceptionInfo
    _field("Message", "message", _string),
    _field("StackTrace", "stack_trace", _string),
    _field("FriendlyText", "friendly_text", _string),
    _field("ExceptionType", "exception_type", _string),
    _field("Source", "source", _string),
    _field("InnerException", "inner_exception", _exception_info),
    _field(
        "Parameters", "parameters", _dictionary("SoExceptionInfoParametersKeyValuePair", _string)
    ),
)

_HEADER_FIELDS: dict[str, _Field] = {
    _Q_SUCCEEDED: _field("Succeeded", "succeeded", _bool, nillable=False),
    _Q_EXCEPTION_INFO: _field("ExceptionInfo", "exception_info", _exception_info),
    _Q_EXTRA_INFO: _field(
        "ExtraInfo", "extra_info", _dictionary("ExtraInfoNameValuePair", _string)
    ),
    _Q_TIME_ZONE: _field(
        "TimeZone",
        "time_zone",
        _Struct(
            dict,
            _field("SoTimeZoneId", "id", _int, nillable=False),
            _field("SoTimeZoneLocationCode", "location_code", _string),
        ),
    ),
}


def _response(decode_result: Callable[[etree._Element], Any], empty: Any) -> Any:
    """Decoder of ``<OpResponse><Response>…</Response></OpResponse>``; absent/nil Response → empty."""
    response = _Struct(dict, _field("Response", "response", decode_result))

    def decode(element: etree._Element, path: str) -> Any:
        result = response(element).get("response")
        return empty() if result is None else result

    return decode


#: GetUntrustedCredentials*Response → list[UntrustedCredentials] (an absent or nil Response is []).
untrusted_credentials_list: Callable[[etree._Element, str], list[UntrustedCredentials]] = _response(
    _array("UntrustedCredentials", _untrusted_credentials), list
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _local(qname: str) -> str:
    """Local part of ``{ns}local``, ``prefix:local`` or ``local``."""
    if qname.startswith("{"):
        return qname.rpartition("}")[2]
    return qname.rpartition(":")[2]


def _describe_tag(tag: object) -> str:
    if not isinstance(tag, str):
        return "a non-element node"
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local if namespace == NS else f"{local} (namespace {namespace})"
    return f"{tag} (no namespace)"


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


_XML_MEDIA_TYPES = frozenset({"text/xml", "application/soap+xml", "application/xml"})


def _is_xml(content_type: Optional[str]) -> bool:
    if content_type is None:
        return True  # no claim either way: let the parser decide
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in _XML_MEDIA_TYPES or media_type.endswith("+xml")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"


def _status_error(
    status_code: int,
    content_type: Optional[str],
    content: bytes,
    redact: Iterable[Optional[str]],
    what: str,
) -> HTTPStatusError:
    excerpt = scrub(_excerpt(content[: _EXCERPT_CHARS * 4].decode("utf-8", "replace")), redact)
    message = f"HTTP {status_code} with {what} (content type {content_type or 'none'})"
    if excerpt:
        message += f": {excerpt}"
    return HTTPStatusError(
        message, status_code=status_code, content_type=content_type, excerpt=excerpt
    )
