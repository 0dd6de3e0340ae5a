"""A NetServer WSDL read into plain data: operations, their messages and the schema's types.

Only what ``generate`` needs, and only the shapes WCF writes: document/literal operations whose
body is one wrapper element, xs:sequence complex types (with complexContent extension),
xs:string enumerations and lists of them, arrays and dictionaries. Anything else is kept as a
problem that names itself, so that a generator that reaches it can say so; nothing is guessed.

Parsed safely (no DTD, no entities, no network), from bytes: no I/O here.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

import attrs
from lxml import etree

from ._namespaces import MS_SERIALIZATION, XSD
from ._xml import safe_parser

__all__ = [
    "ComplexDecl",
    "ElementDecl",
    "OperationDecl",
    "SimpleDecl",
    "Wsdl",
    "WsdlError",
    "read_wsdl",
]

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_BINDING = "http://schemas.xmlsoap.org/wsdl/soap12/"

#: A qualified name: (namespace, local name).
QN = tuple[str, str]


class WsdlError(ValueError):
    """A document that is not a WSDL this library can read (the message says why)."""


@attrs.frozen
class ElementDecl:
    """One xs:element of a sequence (or a global one): its type by name, or an inline type."""

    name: str
    namespace: str
    type: Optional[QN]
    inline: Optional[ComplexDecl]
    nillable: bool
    min_occurs: int
    max_occurs: Optional[int]  # None: unbounded
    doc: Optional[str] = None


@attrs.frozen
class ComplexDecl:
    """An xs:complexType: its own elements (after its ``base``'s), or the problem it poses."""

    name: Optional[QN]
    base: Optional[QN]
    elements: tuple[ElementDecl, ...]
    is_dictionary: bool
    doc: Optional[str]
    problem: Optional[str] = None


@attrs.frozen
class SimpleDecl:
    """An xs:simpleType: an enumeration (``tokens``), a list of one (``is_list``), or a
    restriction of ``base`` without enumerations."""

    name: QN
    base: Optional[QN]
    tokens: tuple[str, ...]
    is_list: bool
    doc: Optional[str]
    problem: Optional[str] = None


@attrs.frozen
class OperationDecl:
    """A document/literal operation: its wrapper elements, SOAP action and request headers."""

    name: str
    doc: Optional[str]
    action: str
    request: QN
    response: QN
    request_headers: tuple[str, ...]


@attrs.frozen
class Wsdl:
    """What a WSDL says: its namespace, service, operations (in document order) and types."""

    target_namespace: str
    service: str
    operations: dict[str, OperationDecl]
    complex_types: dict[QN, ComplexDecl]
    simple_types: dict[QN, SimpleDecl]
    elements: dict[QN, ElementDecl]
    doc: Optional[str]


#: How many documents one WSDL may pull in through imports (``?wsdl=wsdl0``, ``?xsd=xsd0``, …).
MAX_DOCUMENTS = 64


def read_wsdl(
    content: bytes,
    source: str = "the WSDL",
    *,
    fetch: Optional[Callable[[str, str], tuple[bytes, str]]] = None,
) -> Wsdl:
    """Read a WSDL document; WsdlError when it is not one (``source`` names it in messages).

    A WSDL that imports others (``wsdl:import``) or schemas (``xs:import`` / ``xs:include`` with
    a location), as WCF's ``?wsdl`` answer does, is read whole when ``fetch`` is given:
    ``fetch(location, base)`` returns the document at ``location`` (relative to ``base``) and
    its own address. Without ``fetch`` (and past ``MAX_DOCUMENTS``) an import is an error.
    """
    root = _parse(content, source)
    if root.tag != f"{{{WSDL}}}definitions":
        raise WsdlError(
            f"{source} is not a WSDL: its root element is {etree.QName(root).localname!r}, "
            "not wsdl:definitions"
        )
    definitions, schemas = _gather(root, source, fetch)
    target = root.get("targetNamespace") or ""
    complex_types: dict[QN, ComplexDecl] = {}
    simple_types: dict[QN, SimpleDecl] = {}
    elements: dict[QN, ElementDecl] = {}
    for schema in schemas:
        _read_schema(schema, complex_types, simple_types, elements)
    messages = {
        message.get("name", ""): message
        for document in definitions
        for message in document.iterfind(f"{{{WSDL}}}message")
    }
    operations, service = _read_operations(definitions, messages, source)
    port_type = _first(definitions, "portType")
    doc = None if port_type is None else _documentation(port_type, f"{{{WSDL}}}documentation")
    return Wsdl(target, service, operations, complex_types, simple_types, elements, doc)


def _parse(content: bytes, source: str) -> etree._Element:
    try:
        return etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise WsdlError(f"{source} is not XML ({exc.msg})") from None


def _gather(
    root: etree._Element, source: str, fetch: Optional[Callable[[str, str], tuple[bytes, str]]]
) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every wsdl:definitions and xs:schema the WSDL consists of, imports followed once each."""
    definitions: list[etree._Element] = []
    schemas: list[etree._Element] = []
    seen = {source}
    pending: list[tuple[etree._Element, str]] = [(root, source)]
    while pending:
        document, base = pending.pop(0)
        if document.tag == f"{{{WSDL}}}definitions":
            definitions.append(document)
            found = list(document.iterfind(f"{{{WSDL}}}types/{{{XSD}}}schema"))
            imports = [
                (node.get("location", ""), "wsdl")
                for node in document.iterfind(f"{{{WSDL}}}import")
            ]
        else:
            found = [document]
            imports = []
        for schema in found:
            schemas.append(schema)
            imports += [
                (node.get("schemaLocation", ""), "schema")
                for node in schema
                if node.tag in (f"{{{XSD}}}import", f"{{{XSD}}}include")
                and node.get("schemaLocation")
            ]
        for location, kind in imports:
            if not location:
                raise WsdlError(f"{base}: a wsdl:import without a location")
            if fetch is None:
                raise WsdlError(f"{base} imports {location}, which cannot be read from here")
            content, address = fetch(location, base)
            if address in seen:
                continue
            seen.add(address)
            if len(seen) > MAX_DOCUMENTS:
                raise WsdlError(f"{source} imports more than {MAX_DOCUMENTS} documents")
            imported = _parse(content, address)
            expected = f"{{{WSDL}}}definitions" if kind == "wsdl" else f"{{{XSD}}}schema"
            if imported.tag != expected:
                raise WsdlError(
                    f"{address} (imported by {base}) is not a "
                    + ("WSDL" if kind == "wsdl" else "schema")
                )
            pending.append((imported, address))
    return definitions, schemas


def _first(definitions: list[etree._Element], local: str) -> Optional[etree._Element]:
    for document in definitions:
        found = document.find(f"{{{WSDL}}}{local}")
        if found is not None:
            return found
    return None


# ------------------------------------------------------------------------------------------------
# Operations


def _read_operations(
    definitions: list[etree._Element], messages: dict[str, etree._Element], source: str
) -> tuple[dict[str, OperationDecl], str]:
    port_type = _first(definitions, "portType")
    binding = _first(definitions, "binding")
    if port_type is None or binding is None:
        raise WsdlError(f"{source} declares no portType and binding")
    bound = {op.get("name", ""): op for op in binding.iterfind(f"{{{WSDL}}}operation")}
    operations: dict[str, OperationDecl] = {}
    services: set[str] = set()
    for op in port_type.iterfind(f"{{{WSDL}}}operation"):
        name = op.get("name", "")
        input_, output = op.find(f"{{{WSDL}}}input"), op.find(f"{{{WSDL}}}output")
        binding_op = bound.get(name)
        if input_ is None or output is None or binding_op is None:
            raise WsdlError(f"{source}: operation {name} is not a bound request/response")
        request = _body_element(input_, messages, name, source)
        response = _body_element(output, messages, name, source)
        soap_op = binding_op.find(f"{{{SOAP_BINDING}}}operation")
        if soap_op is None:
            soap_op = binding_op.find(f"{{{SOAP12_BINDING}}}operation")
        action = "" if soap_op is None else soap_op.get("soapAction", "")
        if not action:
            action = input_.get("{http://www.w3.org/2006/05/addressing/wsdl}Action", "")
        parts = action.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-1] == name:
            services.add(parts[-2])
        headers = tuple(
            header.get("part", "")
            for header in binding_op.iterfind(f"{{{WSDL}}}input/{{{SOAP_BINDING}}}header")
        )
        operations[name] = OperationDecl(
            name,
            _documentation(op, f"{{{WSDL}}}documentation"),
            action,
            request,
            response,
            headers,
        )
    if not operations:
        raise WsdlError(f"{source} declares no operations")
    service = _service_name(definitions, services, source)
    return operations, service


def _body_element(
    io: etree._Element, messages: dict[str, etree._Element], operation: str, source: str
) -> QN:
    message_name = _local_name(io.get("message", ""))
    message = messages.get(message_name)
    part = None if message is None else message.find(f"{{{WSDL}}}part")
    element = None if part is None else part.get("element")
    if part is None or not element:
        raise WsdlError(f"{source}: operation {operation} has no document/literal body part")
    return _resolve(part, element)


def _service_name(definitions: list[etree._Element], from_actions: set[str], source: str) -> str:
    if len(from_actions) == 1:
        return from_actions.pop()
    addresses = (
        address
        for root in definitions
        for address in root.iter(f"{{{SOAP_BINDING}}}address", f"{{{SOAP12_BINDING}}}address")
    )
    for address in addresses:
        match = re.search(r"/([A-Za-z][A-Za-z0-9]*)\.svc\b", address.get("location", ""))
        if match:
            return match[1]
    raise WsdlError(f"{source}: cannot tell the service's name from its actions or address")


# ------------------------------------------------------------------------------------------------
# Schemas


def _read_schema(
    schema: etree._Element,
    complex_types: dict[QN, ComplexDecl],
    simple_types: dict[QN, SimpleDecl],
    elements: dict[QN, ElementDecl],
) -> None:
    ns = schema.get("targetNamespace") or ""
    qualified = schema.get("elementFormDefault") == "qualified"
    for child in schema:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        name = child.get("name")
        if not name:
            continue
        if local == "complexType":
            complex_types[(ns, name)] = _complex(child, (ns, name), ns, qualified)
        elif local == "simpleType":
            simple_types[(ns, name)] = _simple(child, (ns, name))
        elif local == "element":
            elements[(ns, name)] = _element(child, ns, qualified=True)


def _complex(node: etree._Element, name: Optional[QN], ns: str, qualified: bool) -> ComplexDecl:
    doc = _documentation(node, f"{{{XSD}}}annotation/{{{XSD}}}documentation")
    is_dictionary = any(
        (flag.text or "").strip() == "true"
        for flag in node.iterfind(
            f"{{{XSD}}}annotation/{{{XSD}}}appinfo/{{{MS_SERIALIZATION}}}IsDictionary"
        )
    )
    base: Optional[QN] = None
    content = node
    extension = node.find(f"{{{XSD}}}complexContent/{{{XSD}}}extension")
    if extension is not None:
        base = _resolve(extension, extension.get("base", ""))
        content = extension
    problem = None
    if not qualified:
        problem = "elements that are not namespace-qualified"
    elif node.find(f"{{{XSD}}}complexContent/{{{XSD}}}restriction") is not None:
        problem = "a complexContent restriction"
    elif node.find(f"{{{XSD}}}simpleContent") is not None:
        problem = "simple content"
    elif content.find(f"{{{XSD}}}choice") is not None or content.find(f"{{{XSD}}}all") is not None:
        problem = "an xs:choice or xs:all"
    elif content.find(f"{{{XSD}}}attribute") is not None:
        problem = "attributes"
    elif node.get("mixed") == "true":
        problem = "mixed content"
    sequence = content.find(f"{{{XSD}}}sequence")
    members: list[ElementDecl] = []
    if sequence is not None:
        for child in sequence:
            if not isinstance(child.tag, str):
                continue
            if child.tag != f"{{{XSD}}}element":
                problem = problem or f"an xs:{etree.QName(child).localname} in a sequence"
                continue
            if child.get("ref"):
                problem = problem or "an element reference (ref=)"
                continue
            members.append(_element(child, ns, qualified))
    return ComplexDecl(name, base, tuple(members), is_dictionary, doc, problem)


def _element(node: etree._Element, ns: str, qualified: bool) -> ElementDecl:
    type_name = node.get("type")
    inline = node.find(f"{{{XSD}}}complexType")
    max_occurs = node.get("maxOccurs", "1")
    return ElementDecl(
        node.get("name", ""),
        ns,
        _resolve(node, type_name) if type_name else None,
        None if inline is None else _complex(inline, None, ns, qualified),
        node.get("nillable") == "true",
        int(node.get("minOccurs", "1")),
        None if max_occurs == "unbounded" else int(max_occurs),
        _documentation(node, f"{{{XSD}}}annotation/{{{XSD}}}documentation"),
    )


def _simple(node: etree._Element, name: QN) -> SimpleDecl:
    doc = _documentation(node, f"{{{XSD}}}annotation/{{{XSD}}}documentation")
    restriction = node.find(f"{{{XSD}}}restriction")
    is_list = False
    listed = node.find(f"{{{XSD}}}list")
    if listed is not None:
        is_list = True
        restriction = listed.find(f"{{{XSD}}}simpleType/{{{XSD}}}restriction")
        if restriction is None:
            return SimpleDecl(name, None, (), True, doc, "a list without enumerated items")
    if restriction is None:
        return SimpleDecl(name, None, (), False, doc, "a simple type that is not a restriction")
    base = _resolve(restriction, restriction.get("base", ""))
    tokens = tuple(
        value.get("value", "") for value in restriction.iterfind(f"{{{XSD}}}enumeration")
    )
    problem = None
    if is_list and not tokens:
        problem = "a list of values that are not enumerated"
    return SimpleDecl(name, base, tokens, is_list, doc, problem)


# ------------------------------------------------------------------------------------------------
# Helpers


def _resolve(node: etree._Element, qname: str) -> QN:
    """A ``prefix:local`` attribute value as (namespace, local), with the node's namespaces."""
    prefix, _, local = qname.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None:
        raise WsdlError(f"undeclared namespace prefix in {qname!r}")
    return (namespace, local)


def _local_name(qname: str) -> str:
    return qname.rpartition(":")[2]


def _documentation(node: etree._Element, path: str) -> Optional[str]:
    found = node.find(path)
    if found is None:
        return None
    text = " ".join("".join(found.itertext()).split())
    return text or None
