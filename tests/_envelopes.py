"""lxml builders of NetServer answers for the tests, in DataContractSerializer style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional, Union

from lxml import etree

from superoffice_soap._namespaces import NS, SOAP11, SOAP12, XSI

Value = Union[str, None, etree._Element, Sequence["Field"]]
Field = tuple[str, Value]
NIL = None


def element(name: str, value: Value, parent: Optional[etree._Element] = None) -> etree._Element:
    """``<name>value</name>`` in NS: a str is text, None is ``i:nil``, a list is children."""
    tag = f"{{{NS}}}{name}"
    el = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    if value is None:
        el.set(f"{{{XSI}}}nil", "true")
    elif isinstance(value, str):
        el.text = value
    elif isinstance(value, etree._Element):
        el.append(value)
    else:
        for child_name, child_value in value:
            element(child_name, child_value, el)
    return el


def credential(*fields: Field) -> list[Field]:
    return list(fields)


DOC_CREDENTIAL: list[Field] = [
    ("ValidFrom", "2021-03-25T21:36:23Z"),
    ("ValidTo", "2021-03-25T21:36:23Z"),
    ("Comment", ""),
    ("SecretValue", ""),
    ("PublicValue", ""),
    ("IsActive", "false"),
]


def envelope(
    payload: etree._Element,
    *,
    version: str = "1.1",
    headers: Optional[Sequence[Field]] = None,
    header_elements: Sequence[etree._Element] = (),
    xsi_prefix: Optional[str] = "i",
) -> bytes:
    env_ns = SOAP11 if version == "1.1" else SOAP12
    nsmap = {"s": env_ns} if xsi_prefix is None else {"s": env_ns, xsi_prefix: XSI}
    root = etree.Element(f"{{{env_ns}}}Envelope", nsmap=nsmap)
    if headers is not None or header_elements:
        header = etree.SubElement(root, f"{{{env_ns}}}Header")
        for name, value in headers or ():
            element(name, value, header)
        for extra in header_elements:
            header.append(extra)
    body = etree.SubElement(root, f"{{{env_ns}}}Body")
    body.append(payload)
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return content


OK_HEADERS: list[Field] = [
    ("ExceptionInfo", NIL),
    ("ExtraInfo", []),
    ("Succeeded", "true"),
    ("TimeZone", NIL),
]


def credentials_response(
    items: Optional[Sequence[Optional[Sequence[Field]]]],
    *,
    version: str = "1.1",
    headers: Optional[Sequence[Field]] = OK_HEADERS,
    operation: str = "GetUntrustedCredentialsForAssociate",
) -> bytes:
    """A ``<op>Response`` whose Response holds one UntrustedCredentials per item (None → nil)."""
    wrapper = etree.Element(f"{{{NS}}}{operation}Response", nsmap={None: NS})
    if items is not None:
        response = element("Response", [], wrapper)
        for item in items:
            element("UntrustedCredentials", item, response)
    return envelope(wrapper, version=version, headers=headers)


def fault11(code: str, reason: str, detail: Optional[etree._Element] = None) -> bytes:
    fault = etree.Element(f"{{{SOAP11}}}Fault")
    code_el = etree.SubElement(fault, "faultcode", nsmap={"a": "urn:example:codes"})
    code_el.text = code
    etree.SubElement(fault, "faultstring").text = reason
    if detail is not None:
        etree.SubElement(fault, "detail").append(detail)
    return envelope(fault, version="1.1")


def fault12(
    code: str, subcodes: Sequence[str], reason: str, detail: Optional[etree._Element] = None
) -> bytes:
    fault = etree.Element(f"{{{SOAP12}}}Fault")
    code_el = etree.SubElement(fault, f"{{{SOAP12}}}Code")
    etree.SubElement(code_el, f"{{{SOAP12}}}Value").text = code
    parent = code_el
    for subcode in subcodes:
        parent = etree.SubElement(parent, f"{{{SOAP12}}}Subcode")
        etree.SubElement(parent, f"{{{SOAP12}}}Value").text = subcode
    reason_el = etree.SubElement(fault, f"{{{SOAP12}}}Reason")
    text = etree.SubElement(reason_el, f"{{{SOAP12}}}Text")
    text.text = reason
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
    if detail is not None:
        etree.SubElement(fault, f"{{{SOAP12}}}Detail").append(detail)
    return envelope(fault, version="1.2")
