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

from ._namespaces import (
    NS,
    SOAP11,
    SOAP12,
    SOAP12_ENCODING,
    XSD,
    XSI,
)
from .errors import InvalidRequestError
from .models import SoTimeZone
from .operations import Operation, Service, SoapVersion, check_string, to_xml_int

__all__ = ["build_envelope", "content_type", "http_headers"]

_Q_APPLICATION_TOKEN = f"{{{NS}}}ApplicationToken"
_Q_CREDENTIALS = f"{{{NS}}}Credentials"
_Q_TICKET = f"{{{NS}}}Ticket"
_Q_TIME_ZONE = f"{{{NS}}}TimeZone"
_Q_TIME_ZONE_ID = f"{{{NS}}}SoTimeZoneId"
_Q_TIME_ZONE_LOCATION = f"{{{NS}}}SoTimeZoneLocationCode"


def build_envelope(
    operation: Operation[object],
    arguments: Mapping[str, object],
    *,
    soap_version: SoapVersion,
    ticket: Optional[str] = None,
    application_token: Optional[str] = None,
    time_zone: Optional[SoTimeZone] = None,
) -> bytes:
    """Serialize one request envelope to UTF-8 bytes with an XML declaration.

    ``arguments`` maps the operation's Python parameter names to values; a missing or None value
    is left out of the body (every NetServer body element is optional on the wire).
    """
    service = operation.service
    annotate = soap_version == "1.2"
    envelope_ns = SOAP12 if annotate else SOAP11
    root = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap=_nsmap(service, soap_version))

    if application_token is not None or ticket is not None or time_zone is not None:
        header = etree.SubElement(root, f"{{{envelope_ns}}}Header")
        if application_token is not None:
            token = check_string("application_token", application_token, secret=True)
            etree.SubElement(header, _Q_APPLICATION_TOKEN).text = token
        if ticket is not None:
            credentials = etree.SubElement(header, _Q_CREDENTIALS)
            text = check_string("ticket", ticket, secret=True)
            etree.SubElement(credentials, _Q_TICKET).text = text
        if time_zone is not None:
            _write_time_zone(header, time_zone)

    body = etree.SubElement(root, f"{{{envelope_ns}}}Body")
    wrapper = etree.SubElement(body, operation.request_qname)
    unknown = set(arguments) - {param.name for param in operation.params}
    if unknown:
        raise InvalidRequestError(sorted(unknown)[0], f"{operation.name} takes no such argument")
    for param in operation.params:
        value = arguments.get(param.name)
        if value is not None or not param.optional:
            param.value_type.write(wrapper, param.qname, value, param.name, annotate)
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return content


def content_type(operation: Operation[object], soap_version: SoapVersion) -> str:
    """The Content-Type header: SOAP 1.2 carries the action in it, SOAP 1.1 does not."""
    if soap_version == "1.2":
        return f'application/soap+xml; charset=utf-8; action="{operation.action}"'
    return "text/xml; charset=utf-8"


def http_headers(operation: Operation[object], soap_version: SoapVersion) -> dict[str, str]:
    """HTTP headers that belong to the SOAP binding (content type and, for 1.1, SOAPAction)."""
    headers = {"Content-Type": content_type(operation, soap_version)}
    if soap_version == "1.1":
        headers["SOAPAction"] = f'"{operation.action}"'
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


def _write_time_zone(header: etree._Element, time_zone: SoTimeZone) -> None:
    check_time_zone(time_zone)
    element = etree.SubElement(header, _Q_TIME_ZONE)
    etree.SubElement(element, _Q_TIME_ZONE_ID).text = to_xml_int("time_zone.id", time_zone.id)
    if time_zone.location_code is not None:
        etree.SubElement(element, _Q_TIME_ZONE_LOCATION).text = time_zone.location_code


_NSMAPS: dict[tuple[str, str], dict[str, str]] = {}


def _nsmap(service: Service, soap_version: SoapVersion) -> dict[str, str]:
    key = (service.name, soap_version)
    nsmap = _NSMAPS.get(key)
    if nsmap is None:
        if soap_version == "1.2":
            nsmap = {
                "SOAP-ENV": SOAP12,
                "SOAP-ENC": SOAP12_ENCODING,
                "xsi": XSI,
                "xsd": XSD,
                **dict(service.doc_namespaces),
                service.name: NS,
            }
        else:
            nsmap = {"SOAP-ENV": SOAP11, service.name: NS}
        _NSMAPS[key] = nsmap
    return nsmap
