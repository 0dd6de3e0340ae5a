"""Response parsing (sans-IO): bytes in, typed values or a typed error out.

The order of the checks:

1. HTTP framing: an answer that is not XML (an HTML error page, an empty body) is an
   HTTPStatusError; malformed XML in a 2xx XML answer is a ResponseParseError.
2. Safe parse: lxml with no DTD loading, no entity expansion, no network; a DOCTYPE is refused.
3. Envelope shape (SOAP 1.1 or 1.2, whichever was sent): an optional Header, one Body, one payload.
4. A Fault payload is a SoapFault, read leniently: whatever its shape, it stays a failure and keeps
   the code and reason it has (the first of each; unknown children and stray text are ignored).
   ``Succeeded`` false or an ``ExceptionInfo`` header is a NetServerError. A NetServer header block
   or Body payload in another Services namespace than the request's is a ResponseParseError naming
   both versions (and the failure it reports, if any): it is never skipped as an unknown header.
5. The payload must be the operation's response element; its content is decoded strictly into the
   attrs models: an unknown element, a wrong order, a bad scalar, text where elements belong, an
   empty non-string is a ResponseParseError whose path names the element, 1-based as XPath counts
   (``Body/GetUntrustedCredentialsForAssociateResponse/Response/UntrustedCredentials[2]/IsActive``).

Nothing here does I/O. Nothing quotes the content of a secret field, and text that came from the
server is masked by structure (``_mask``: secret elements, values equal to a secret, long secrets
standing as whole tokens) before it enters an exception; the server's own words are never garbled.
"""

from __future__ import annotations

import copy
import functools
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Optional

import attrs
from lxml import etree

from ._http import header
from ._mask import mask_identifier, mask_markup, mask_text, mask_tree, mask_url, mask_value
from ._namespaces import NETSERVER_NS_PREFIX, SOAP11, SOAP12, XSI_NIL
from ._readers import Decoder, Problem, read_field, reader
from ._xml import describe_tag, is_xml_content_type, safe_parser
from ._xml import excerpt as _excerpt
from .errors import HTTPStatusError, NetServerError, ResponseParseError, SoapFault
from .operations import Operation
from .types import BOOLEAN, INT, STRING, ArrayOf, DictionaryOf, Field, Raw, Struct, resolve

__all__ = ["ReceivedEnvelope", "decode_payload", "read_envelope"]

_EXCERPT_CHARS = 200
#: How much of a body that is not SOAP is masked to quote from it.
_MASKED_CHARS = 64 * 1024


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class ReceivedEnvelope:
    """A well-formed SOAP envelope: its version, its Header (or None) and its one Body payload."""

    soap_version: Literal["1.1", "1.2"]
    header: Optional[etree._Element]
    payload: etree._Element
    status_code: int

    @property
    def is_fault(self) -> bool:
        """Whether the payload is a SOAP Fault."""
        return self.payload.tag in _FAULT_TAGS

    @property
    def is_version_mismatch(self) -> bool:
        """A VersionMismatch fault: the server does not speak the envelope version it got."""
        if not self.is_fault:
            return False
        return _local(_fault_parts(self.payload, self.soap_version)[0]) == "VersionMismatch"


def read_envelope(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    redact: Iterable[Optional[str]] = (),
) -> ReceivedEnvelope:
    """Parse an HTTP answer into a SOAP envelope or raise HTTPStatusError / ResponseParseError."""
    content_type = header(headers, "content-type")
    success = 200 <= status_code < 300
    if not content or content.isspace():
        raise _status_error(status_code, headers, content, redact, "an empty body")
    if not is_xml_content_type(content_type):
        raise _status_error(status_code, headers, content, redact, "not a SOAP answer")
    try:
        root = etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError as exc:
        if not success:
            raise _status_error(
                status_code, headers, content, redact, "not a SOAP answer"
            ) from None
        raise ResponseParseError(f"malformed XML: {mask_text(str(exc), redact)}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        if not success:
            raise _status_error(status_code, headers, content, redact, "not a SOAP answer")
        raise ResponseParseError("a DOCTYPE is not allowed in a SOAP message")
    try:
        envelope = _envelope(root, status_code)
    except ResponseParseError:
        if not success:
            raise _status_error(
                status_code, headers, content, redact, "not a SOAP answer"
            ) from None
        raise
    if not success and not envelope.is_fault:
        raise _status_error(status_code, headers, content, redact, "a SOAP answer without a Fault")
    return envelope


def decode_payload(
    envelope: ReceivedEnvelope,
    operation: Operation[..., Any],
    ns: str,
    *,
    redact: Iterable[Optional[str]] = (),
) -> Any:
    """Raise the envelope's fault or NetServer error, else read its payload as the answer of
    ``operation`` in the Services namespace ``ns``.

    ``operation.error_class`` is raised for ``Succeeded`` false or an ``ExceptionInfo`` header.
    """
    secrets = [s for s in redact if s]
    if envelope.is_fault:
        raise _soap_fault(envelope, secrets)
    if envelope.header is not None:
        _check_headers(envelope.header, ns, operation.error_class, secrets)
    payload = envelope.payload
    response_qname = operation.response_qname(ns)
    name = _local(response_qname)
    if payload.tag != response_qname:
        theirs = _other_services(payload.tag, ns)
        problem = f"expected {name} in the Body, got {describe_tag(payload.tag)}"
        if theirs is not None:
            problem += f" in the {theirs} namespace, answering a {_services_name(ns)} request"
        raise ResponseParseError(problem, path="Body")
    try:
        return _answer_reader(operation, ns)(payload)
    except Problem as problem:
        raise ResponseParseError(
            mask_text(problem.message, secrets), path=problem.path(f"Body/{name}")
        ) from None


_ANSWERS: weakref.WeakKeyDictionary[Operation[..., Any], dict[str, Decoder]] = (
    weakref.WeakKeyDictionary()
)


def _answer_reader(operation: Operation[..., Any], ns: str) -> Decoder:
    """The reader of an operation's ``<Name>Response`` wrapper (compiled once per namespace)."""
    per_namespace = _ANSWERS.get(operation)
    if per_namespace is None:
        per_namespace = _ANSWERS[operation] = {}
    found = per_namespace.get(ns)
    if found is None:
        found = per_namespace[ns] = _compile_answer(operation, ns)
    return found


def _nothing() -> None:
    return None


_EMPTY = Struct("Empty", _nothing, ())


def _compile_answer(operation: Operation[..., Any], ns: str) -> Decoder:
    if operation.result is None:
        return reader(_EMPTY, ns)  # the wrapper must be empty
    if operation.unwrapped:
        return reader(operation.result, ns)
    result = resolve(operation.result)
    child = operation.result_element
    wrapper = reader(
        Struct(f"{operation.name}Response", dict, (Field(child, "value", result),)), ns
    )
    may_be_none = operation.result_nillable or isinstance(result, Raw)

    def decode(element: etree._Element) -> Any:
        value = wrapper(element).get("value")
        if value is not None:
            return value
        if isinstance(result, ArrayOf):  # absent or nil: nothing found
            return result.into([])
        if may_be_none:  # "not found", as the schema allows
            return None
        raise Problem(f"the answer holds no {child}")

    return decode


# --------------------------------------------------------------------------------------------
# Safe parsing and the envelope
# --------------------------------------------------------------------------------------------

_ENVELOPE_VERSIONS: dict[str, Literal["1.1", "1.2"]] = {
    f"{{{SOAP11}}}Envelope": "1.1",
    f"{{{SOAP12}}}Envelope": "1.2",
}
#: A Fault in either envelope namespace, or in none (leniency: a server that forgot to qualify it
#: still reported a failure).
_FAULT_TAGS = frozenset({f"{{{SOAP11}}}Fault", f"{{{SOAP12}}}Fault", "Fault"})


def _envelope(root: etree._Element, status_code: int) -> ReceivedEnvelope:
    version = _ENVELOPE_VERSIONS.get(root.tag) if isinstance(root.tag, str) else None
    if version is None:
        raise ResponseParseError(f"expected a SOAP Envelope, got {describe_tag(root.tag)}")
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
                f"unexpected element {describe_tag(child.tag)}", path="Envelope"
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


def _soap_fault(envelope: ReceivedEnvelope, secrets: list[str]) -> SoapFault:
    code, subcodes, reason, detail_element = _fault_parts(envelope.payload, envelope.soap_version)
    detail = None
    if detail_element is not None:
        detail_element = copy.deepcopy(detail_element)
        mask_tree(detail_element, secrets)
        detail = _inner_xml(detail_element)
    return SoapFault(
        code=mask_identifier(_local(code), secrets),
        subcodes=tuple(mask_identifier(sub, secrets) for sub in subcodes),
        reason=mask_value(reason, secrets),
        detail=detail,
        soap_version=envelope.soap_version,
        status_code=envelope.status_code,
    )


def _fault_parts(
    fault: etree._Element, envelope_version: str
) -> tuple[str, tuple[str, ...], str, Optional[etree._Element]]:
    """Code, subcodes, reason and detail element of a Fault, read leniently.

    The shape follows the Fault's own namespace (the envelope's when it has none). Each part is
    the first matching child in document order, qualified with the SOAP namespace or not at all;
    a missing part is empty. Without a reason element, the Fault's own text is the reason.
    """
    namespace = _namespace_of(fault.tag) if isinstance(fault.tag, str) else None
    soap12 = namespace == SOAP12 or (namespace is None and envelope_version == "1.2")
    subcodes: list[str] = []
    if soap12:
        code_element = _child(fault, "Code", SOAP12)
        code = _string(_child(code_element, "Value", SOAP12))
        subcode = _child(code_element, "Subcode", SOAP12)
        while subcode is not None:
            subcodes.append(_local(_string(_child(subcode, "Value", SOAP12)).strip()))
            subcode = _child(subcode, "Subcode", SOAP12)
        reason = _string(_child(_child(fault, "Reason", SOAP12), "Text", SOAP12))
        detail = _child(fault, "Detail", SOAP12)
    else:
        code = _string(_child(fault, "faultcode", SOAP11))
        reason = _string(_child(fault, "faultstring", SOAP11))
        detail = _child(fault, "detail", SOAP11)
    if not reason.strip():
        texts = [fault.text, *(child.tail for child in fault)]
        reason = " ".join(text.strip() for text in texts if text and text.strip())
    return code.strip(), tuple(subcodes), reason.strip(), detail


def _child(
    parent: Optional[etree._Element], local: str, soap_namespace: str
) -> Optional[etree._Element]:
    """The first child element named ``local``, unqualified or in ``soap_namespace``."""
    if parent is None:
        return None
    for child in parent:
        if child.tag == local or child.tag == f"{{{soap_namespace}}}{local}":
            return child
    return None


def _string(element: Optional[etree._Element]) -> str:
    """XPath's string value: all the text inside, or "" for no element."""
    return "" if element is None else "".join(element.itertext())


def _inner_xml(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts).strip()


_MUST_UNDERSTAND = (f"{{{SOAP11}}}mustUnderstand", f"{{{SOAP12}}}mustUnderstand")


#: The response header blocks NetServer writes, as declarations (an ExceptionInfo may hold an
#: InnerException, itself an ExceptionInfo).
EXCEPTION_INFO: Struct = Struct(
    "SoExceptionInfo",
    dict,
    (
        Field("Message", "message", STRING),
        Field("StackTrace", "stack_trace", STRING),
        Field("FriendlyText", "friendly_text", STRING),
        Field("ExceptionType", "exception_type", STRING),
        Field("Source", "source", STRING),
        Field("InnerException", "inner_exception", lambda: EXCEPTION_INFO),
        Field(
            "Parameters",
            "parameters",
            DictionaryOf("SoExceptionInfoParametersKeyValuePair", STRING),
        ),
    ),
)
HEADERS = (
    Field("ExceptionInfo", "exception_info", EXCEPTION_INFO),
    Field("ExtraInfo", "extra_info", DictionaryOf("ExtraInfoNameValuePair", STRING)),
    Field("Succeeded", "succeeded", BOOLEAN, nillable=False),
    Field(
        "TimeZone",
        "time_zone",
        Struct(
            "SoTimeZone",
            dict,
            (
                Field("SoTimeZoneId", "id", INT, nillable=False),
                Field("SoTimeZoneLocationCode", "location_code", STRING),
            ),
        ),
    ),
)


@functools.lru_cache(maxsize=16)
def _header_readers(ns: str) -> dict[str, tuple[str, Decoder, bool, str]]:
    """Header block tag → (attribute, reader, nillable, name) in one Services namespace."""
    return {
        f"{{{ns}}}{field.element}": (
            field.attr or field.element,
            reader(field.type, ns),
            field.nillable,
            field.element,
        )
        for field in HEADERS
    }


def _check_headers(
    header: etree._Element,
    ns: str,
    error_class: type[NetServerError],
    secrets: list[str],
) -> None:
    readers = _header_readers(ns)
    values: dict[str, Any] = {}
    foreign: list[etree._Element] = []
    for child in header:
        tag = child.tag
        known = readers.get(tag) if isinstance(tag, str) else None
        if known is None and _other_services(tag, ns) is not None:
            foreign.append(child)  # NetServer's, but another version's: never just skipped
            continue
        if known is None:
            # SOAP headers are extensible: a block this client does not know is ignored unless
            # the server insists that it must be understood.
            for attribute in _MUST_UNDERSTAND:
                if child.get(attribute, "").strip() in ("1", "true"):
                    raise ResponseParseError(
                        f"header {describe_tag(tag)} must be understood and is not",
                        path="Header",
                    )
            continue
        attr, decode, nillable, name = known
        if attr in values:
            raise ResponseParseError(f"{name} appears twice", path="Header")
        try:
            values[attr] = read_field(child, decode, nillable, name)
        except Problem as problem:
            raise ResponseParseError(
                mask_text(problem.message, secrets), path=problem.path("Header")
            ) from None
    exception_info = values.get("exception_info")
    if foreign:
        raise _wrong_services_header(foreign, ns, values, secrets)
    if exception_info is not None or values.get("succeeded") is False:
        raise _netserver_error(error_class, exception_info or {}, secrets)


def _wrong_services_header(
    blocks: list[etree._Element], ours: str, values: Mapping[str, Any], secrets: list[str]
) -> ResponseParseError:
    """A NetServer answer in another Services version: a parse error naming both versions and,
    so that it is never lost, any failure the answer reports in either."""
    first = blocks[0]
    theirs = _other_services(first.tag, ours)
    names = ", ".join(dict.fromkeys(etree.QName(block).localname for block in blocks))
    problem = (
        f"header {names} in the {theirs} namespace, answering a {_services_name(ours)} request"
    )
    failures = [failure for block in blocks if (failure := _reported_failure(block))]
    if values.get("succeeded") is False:
        failures.append("Succeeded=false")
    info = values.get("exception_info")
    if info is not None:
        failures.append(f"ExceptionInfo {info.get('exception_type') or '(no type)'}")
    if failures:
        problem += "; it reports a failure: " + ", ".join(dict.fromkeys(failures))
    return ResponseParseError(mask_text(problem, secrets), path="Header")


def _reported_failure(block: etree._Element) -> Optional[str]:
    """The failure a NetServer header block of any version reports, read without its schema."""
    local = etree.QName(block).localname
    if local == "Succeeded" and (block.text or "").strip().lower() in ("false", "0"):
        return "Succeeded=false"
    if local == "ExceptionInfo" and block.get(XSI_NIL, "").strip() not in ("true", "1"):
        kind = block.find(f"{{{etree.QName(block).namespace}}}ExceptionType")
        text = "" if kind is None else (kind.text or "").strip()
        return f"ExceptionInfo {_excerpt(text) or '(no type)'}"
    return None


def _other_services(tag: object, ours: str) -> Optional[str]:
    """The Services version of a NetServer element in another namespace than ``ours``."""
    if not isinstance(tag, str) or not tag.startswith("{" + NETSERVER_NS_PREFIX):
        return None
    namespace = _namespace_of(tag)
    return None if namespace == ours else _services_name(namespace or "")


def _services_name(namespace: str) -> str:
    """``Services86`` for NetServer's Services86 namespace (the URI itself for anything else)."""
    if namespace.startswith(NETSERVER_NS_PREFIX):
        return namespace[len(NETSERVER_NS_PREFIX) :] or namespace
    return namespace


def _netserver_error(
    error_class: type[NetServerError], info: Mapping[str, Any], secrets: list[str]
) -> NetServerError:
    def clean(value: Optional[str]) -> Optional[str]:
        return None if value is None else mask_value(value, secrets)

    inner = info.get("inner_exception")
    kind = info.get("exception_type")
    parameters = info.get("parameters") or {}
    return error_class(
        exception_type=None if kind is None else mask_identifier(kind, secrets),
        message=clean(info.get("message")),
        friendly_text=clean(info.get("friendly_text")),
        source=clean(info.get("source")),
        stack_trace=clean(info.get("stack_trace")),
        parameters={mask_identifier(k, secrets): clean(v) for k, v in parameters.items()},
        inner_exception=None if inner is None else _netserver_error(NetServerError, inner, secrets),
    )


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _namespace_of(tag: str) -> Optional[str]:
    """The namespace of ``{ns}local``, or None."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else None


def _local(qname: str) -> str:
    """Local part of ``{ns}local``, ``prefix:local`` or ``local``."""
    if qname.startswith("{"):
        return qname.rpartition("}")[2]
    return qname.rpartition(":")[2]


def _status_error(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    redact: Iterable[Optional[str]],
    what: str,
) -> HTTPStatusError:
    content_type = header(headers, "content-type")
    excerpt = _excerpt(mask_markup(content[:_MASKED_CHARS], redact)[0])
    message = f"HTTP {status_code} with {what} (content type {content_type or 'none'})"
    if 300 <= status_code < 400:
        location = header(headers, "location")
        message += (
            f"; redirected to {mask_value(mask_url(location), redact)!r}, which a SOAP POST does not follow: "
            "check the base URL (http or https? the tenant path?)"
            if location
            else "; a redirect without a Location"
        )
    elif status_code in (401, 403):
        message += "; check the ticket and the application token (and that they fit this tenant)"
    if excerpt:
        message += f": {excerpt}"
    return HTTPStatusError(
        message, status_code=status_code, content_type=content_type, excerpt=excerpt
    )
