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

Header values that are None are left out. Every value is checked before a byte is produced; a bad
one raises InvalidRequestError naming the argument. This module never does I/O and never formats
XML as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from lxml import etree

from ._namespaces import SOAP11, SOAP12, SOAP12_ENCODING, XSD, XSI
from .errors import InvalidRequestError
from .models import SoTimeZone
from .operations import (
    DEFAULT_SERVICES,
    Operation,
    Service,
    SoapVersion,
    WriteContext,
    check_string,
    namespace,
    to_xml_int,
)

__all__ = ["build_envelope", "check_time_zone", "content_type", "http_headers"]


def build_envelope(
    operation: Operation[object],
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
    context = WriteContext(ns, service.name if annotate else None)
    for param in operation.params:
        value = arguments.get(param.name)
        if value is not None or not param.optional:
            param.value_type.write(wrapper, f"{{{ns}}}{param.element}", value, param.name, context)
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return content


def content_type(
    operation: Operation[object], soap_version: SoapVersion, services: str = DEFAULT_SERVICES
) -> str:
    """The Content-Type header: SOAP 1.2 carries the action in it, SOAP 1.1 does not."""
    if soap_version == "1.2":
        return f'application/soap+xml; charset=utf-8; action="{operation.action(services)}"'
    return "text/xml; charset=utf-8"


def http_headers(
    operation: Operation[object], soap_version: SoapVersion, services: str = DEFAULT_SERVICES
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
    to_xml_int("time_zone.id", time_zone.id)
    if time_zone.location_code is not None:
        check_string("time_zone.location_code", time_zone.location_code)
    return time_zone


def _write_time_zone(header: etree._Element, ns: str, time_zone: SoTimeZone) -> None:
    check_time_zone(time_zone)
    element = etree.SubElement(header, f"{{{ns}}}TimeZone")
    etree.SubElement(element, f"{{{ns}}}SoTimeZoneId").text = to_xml_int(
        "time_zone.id", time_zone.id
    )
    if time_zone.location_code is not None:
        etree.SubElement(element, f"{{{ns}}}SoTimeZoneLocationCode").text = time_zone.location_code


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
