"""Request envelopes, built with lxml element builders (sans-IO: no sockets, no files).

Two shapes, one set of headers and body:

* SOAP 1.2 is the envelope of SuperOffice's documentation, declaration for declaration (the same
  prefixes, the unused Serialization/Arrays declarations, ``xsi:type`` on every body value), with one
  correction: ``ApplicationToken`` and ``Credentials`` go inside ``SOAP-ENV:Header`` as the WSDL
  binding declares them ``soap:header`` parts; the docs' placement directly under Envelope is not
  valid SOAP.
* SOAP 1.1 is what the WSDL binding (basicHttpBinding, document/literal) describes: the same header
  and body elements in the SOAP 1.1 envelope, without the encoded-style ``xsi:type`` decoration
  that literal use neither needs nor defines.

Body values are written from the operation's declarations (``types``): a scalar as its text, an
enumeration as its token, a struct as its fields in schema order (None fields and read-only
Carrier fields left out), an array as its items. Header values that are None are left out. Every
value is checked as it is written; a bad one raises InvalidRequestError naming the argument
(``credentials.valid_to``), and nothing is sent. This module never does I/O and never formats
XML as text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Optional

import attrs
from lxml import etree

from ._namespaces import SOAP11, SOAP12, SOAP12_ENCODING, XSD, XSI, XSI_TYPE
from .errors import InvalidRequestError
from .models import SoTimeZone
from .operations import (
    DEFAULT_SERVICES,
    Operation,
    Service,
    SoapVersion,
    namespace,
)
from .types import (
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Flags,
    Scalar,
    Struct,
    TypeRef,
    resolve,
)
from .xsd import check_string, write_int

__all__ = ["build_envelope", "check_time_zone", "content_type", "http_headers"]


def build_envelope(
    operation: Operation[..., object],
    arguments: Mapping[str, object],
    *,
    soap_version: SoapVersion,
    services: str = DEFAULT_SERVICES,
    ticket: Optional[str] = None,
    application_token: Optional[str] = None,
    time_zone: Optional[SoTimeZone] = None,
) -> bytes:
    """Serialize one request envelope to UTF-8 bytes with an XML declaration.

    ``arguments`` maps the operation's Python parameter names to values; an optional parameter's
    None is left out of the body. The User service carries the ticket and time zone headers;
    SoPrincipal only the application token.
    """
    service = operation.service
    ns = namespace(services)
    annotate = soap_version == "1.2"
    envelope_ns = SOAP12 if annotate else SOAP11
    if not service.sends_ticket and (ticket is not None or time_zone is not None):
        raise InvalidRequestError(
            "ticket", f"{service.name} requests carry no ticket or time zone header"
        )
    unknown = set(arguments) - {param.name for param in operation.params}
    if unknown:
        raise InvalidRequestError(sorted(unknown)[0], f"{operation.name} takes no such argument")
    missing = [p.name for p in operation.params if not p.optional and p.name not in arguments]
    if missing:
        raise InvalidRequestError(
            missing[0], f"missing: {operation.name} needs it ({', '.join(missing)} not given)"
        )

    root = etree.Element(
        f"{{{envelope_ns}}}Envelope", nsmap=_nsmap(service, services, soap_version)
    )
    if application_token is not None or ticket is not None or time_zone is not None:
        header = etree.SubElement(root, f"{{{envelope_ns}}}Header")
        if application_token is not None:
            token = check_string("application_token", application_token, secret=True)
            etree.SubElement(header, f"{{{ns}}}ApplicationToken").text = token
        if ticket is not None:
            credentials = etree.SubElement(header, f"{{{ns}}}Credentials")
            text = check_string("ticket", ticket, secret=True)
            etree.SubElement(credentials, f"{{{ns}}}Ticket").text = text
        if time_zone is not None:
            _write_time_zone(header, ns, time_zone)

    body = etree.SubElement(root, f"{{{envelope_ns}}}Body")
    wrapper = etree.SubElement(body, operation.request_qname(ns))
    context = _Context(ns, service.name, _prefixes(root) if annotate else None)
    for param in operation.params:
        value = arguments.get(param.name)
        if value is not None or not param.optional:
            _write(wrapper, f"{{{ns}}}{param.element}", param.type, value, param.name, context)
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return content


def content_type(
    operation: Operation[..., object], soap_version: SoapVersion, services: str = DEFAULT_SERVICES
) -> str:
    """The Content-Type header: SOAP 1.2 carries the action in it, SOAP 1.1 does not."""
    if soap_version == "1.2":
        return f'application/soap+xml; charset=utf-8; action="{operation.action(services)}"'
    return "text/xml; charset=utf-8"


def http_headers(
    operation: Operation[..., object], soap_version: SoapVersion, services: str = DEFAULT_SERVICES
) -> dict[str, str]:
    """HTTP headers that belong to the SOAP binding (content type and, for 1.1, SOAPAction)."""
    headers = {"Content-Type": content_type(operation, soap_version, services)}
    if soap_version == "1.1":
        headers["SOAPAction"] = f'"{operation.action(services)}"'
    return headers


def check_time_zone(time_zone: object) -> SoTimeZone:
    """Validate a ``time_zone`` argument (an SoTimeZone with an Int32 id)."""
    if not isinstance(time_zone, SoTimeZone):
        raise InvalidRequestError(
            "time_zone", f"must be an SoTimeZone, got {type(time_zone).__name__}"
        )
    write_int("time_zone.id", time_zone.id)
    if time_zone.location_code is not None:
        check_string("time_zone.location_code", time_zone.location_code)
    return time_zone


def _write_time_zone(header: etree._Element, ns: str, time_zone: SoTimeZone) -> None:
    check_time_zone(time_zone)
    element = etree.SubElement(header, f"{{{ns}}}TimeZone")
    etree.SubElement(element, f"{{{ns}}}SoTimeZoneId").text = write_int(
        "time_zone.id", time_zone.id
    )
    if time_zone.location_code is not None:
        etree.SubElement(element, f"{{{ns}}}SoTimeZoneLocationCode").text = time_zone.location_code


# ------------------------------------------------------------------------------------------------
# Values, from their declarations


@attrs.frozen(eq=False, repr=False)
class _Context:
    """Where values are written: the Services namespace, the service's prefix, and for SOAP 1.2
    (whose values carry ``xsi:type``) the prefix of each declared namespace; None: no annotations."""

    ns: str
    service: str
    prefixes: Optional[Mapping[str, str]]


def _prefixes(root: etree._Element) -> dict[str, str]:
    return {uri: prefix for prefix, uri in root.nsmap.items() if prefix}


def _write(
    parent: etree._Element,
    qname: str,
    declaration: TypeRef,
    value: object,
    argument: str,
    ctx: _Context,
) -> None:
    """Check ``value`` against its declaration and append it as ``qname``."""
    kind = resolve(declaration)
    annotation: Optional[str] = None
    if isinstance(kind, Scalar):
        element = etree.SubElement(parent, qname)
        element.text = kind.write(argument, value)
        prefix = "xsd" if kind.namespace is None else _prefix(ctx, kind.namespace)
        annotation = f"{prefix}:{kind.name}"
    elif isinstance(kind, Enumeration):
        element = etree.SubElement(parent, qname)
        element.text = _token(kind.enum, value, argument)
        annotation = f"{ctx.service}:{kind.name}"
    elif isinstance(kind, Flags):
        element = etree.SubElement(parent, qname)
        element.text = _flags(kind, value, argument)
        annotation = f"{ctx.service}:{kind.name}"
    elif isinstance(kind, Struct):
        element = _write_struct(parent, qname, kind, value, argument, ctx)
        annotation = f"{ctx.service}:{kind.name}"
    elif isinstance(kind, ArrayOf):
        element = _write_array(parent, qname, kind, value, argument, ctx)
        item_ns = kind.namespace or ctx.ns
        prefix = ctx.service if kind.namespace is None else _prefix(ctx, item_ns)
        annotation = f"{prefix}:ArrayOf{kind.item}"
    elif isinstance(kind, DictionaryOf):
        element = _write_dictionary(parent, qname, kind, value, argument, ctx)
    else:
        raise InvalidRequestError(argument, f"a {type(kind).__name__} value cannot be sent")
    if ctx.prefixes is not None and annotation is not None:
        element.set(XSI_TYPE, annotation)


def _prefix(ctx: _Context, uri: str) -> str:
    prefix = (ctx.prefixes or {}).get(uri)
    return prefix if prefix is not None else ctx.service


def _token(enum_class: type[enum.Enum], value: object, argument: str) -> str:
    try:
        return str(enum_class(value).value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_class)
        raise InvalidRequestError(
            argument, f"must be a {enum_class.__name__} ({allowed}), got {value!r}"
        ) from None


def _flags(kind: Flags, value: object, argument: str) -> str:
    flag = kind.flag
    if flag is not None:
        if not isinstance(value, flag):
            raise InvalidRequestError(
                argument, f"must be a {flag.__name__}, got {type(value).__name__}"
            )
        members = list(flag.__members__.values())
        return " ".join(
            token for token, member in zip(kind.tokens, members) if member & value == member
        )
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        raise InvalidRequestError(argument, f"must be a set of {kind.name} tokens, got {value!r}")
    unknown = [token for token in value if token not in kind.tokens]
    if unknown:
        raise InvalidRequestError(argument, f"unknown {kind.name} flag {unknown[0]!r}")
    return " ".join(token for token in kind.tokens if token in value)


def _write_struct(
    parent: etree._Element,
    qname: str,
    kind: Struct,
    value: object,
    argument: str,
    ctx: _Context,
) -> etree._Element:
    model = kind.model
    if isinstance(model, type) and not isinstance(value, model):
        raise InvalidRequestError(
            argument, f"must be an {model.__name__}, got {type(value).__name__}"
        )
    element = etree.SubElement(parent, qname)
    ns = kind.namespace or ctx.ns
    for field in kind.fields:
        if field.read_only or field.attr is None:
            continue
        field_value = (
            value.get(field.attr) if isinstance(value, Mapping) else getattr(value, field.attr)
        )
        if field_value is not None:
            _write(
                element,
                f"{{{ns}}}{field.element}",
                field.type,
                field_value,
                f"{argument}.{field.attr}",
                ctx,
            )
    return element


def _write_array(
    parent: etree._Element,
    qname: str,
    kind: ArrayOf,
    value: object,
    argument: str,
    ctx: _Context,
) -> etree._Element:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise InvalidRequestError(argument, f"must be a list, got {type(value).__name__}")
    element = etree.SubElement(parent, qname)
    item_qname = f"{{{kind.namespace or ctx.ns}}}{kind.item}"
    for index, item in enumerate(value):
        _write(element, item_qname, kind.type, item, f"{argument}[{index}]", ctx)
    return element


def _write_dictionary(
    parent: etree._Element,
    qname: str,
    kind: DictionaryOf,
    value: object,
    argument: str,
    ctx: _Context,
) -> etree._Element:
    if not isinstance(value, Mapping):
        raise InvalidRequestError(argument, f"must be a mapping, got {type(value).__name__}")
    element = etree.SubElement(parent, qname)
    for key, item in value.items():
        pair = etree.SubElement(element, f"{{{ctx.ns}}}{kind.pair}")
        key_text = (
            check_string(f"{argument} key", key)
            if kind.key is None
            else kind.key.write(f"{argument} key", key)
        )
        etree.SubElement(pair, f"{{{ctx.ns}}}Key").text = key_text
        _write(pair, f"{{{ctx.ns}}}Value", kind.value, item, f"{argument}[{key!r}]", ctx)
    return element


_NSMAPS: dict[tuple[str, str, str], dict[str, str]] = {}


def _nsmap(service: Service, services: str, soap_version: SoapVersion) -> dict[str, str]:
    key = (service.name, services, soap_version)
    nsmap = _NSMAPS.get(key)
    if nsmap is None:
        if soap_version == "1.2":
            nsmap = {
                "SOAP-ENV": SOAP12,
                "SOAP-ENC": SOAP12_ENCODING,
                "xsi": XSI,
                "xsd": XSD,
                **service.doc_nsmap(services),
                service.name: namespace(services),
            }
        else:
            nsmap = {"SOAP-ENV": SOAP11, service.name: namespace(services)}
        _NSMAPS[key] = nsmap
    return nsmap
