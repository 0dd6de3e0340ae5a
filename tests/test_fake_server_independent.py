"""The stand-in reads requests against its own description of the WSDL, not the client's table.

Three things are pinned here:

- a wrong client declaration (parameters swapped, an element misnamed, a wrong type, a struct's
  fields out of order, a misnamed operation) fails against the stand-in, even when it is put into
  the client's own operation table, because the stand-in never reads that table;
- no module of ``superoffice_soap.testing`` imports the client's operation table, its
  ``Operation``/``Param`` declarations or its value types (only namespaces and Services-version
  helpers from ``superoffice_soap.operations``), nor the envelope builder or parser;
- the stand-in's description (``superoffice_soap.testing._contract``) agrees with the WSDL
  copies in ``tests/reference``: every request wrapper, its children in order with their types,
  the types they use (a derived type's base, enumerations, flag lists), the request headers, the
  SOAPActions and the answer's wrapper element.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Optional, Union

import attrs
import httpx
import pytest
from lxml import etree

from superoffice_soap import UntrustedCredentials, build_request
from superoffice_soap import types as declared
from superoffice_soap.operations import (
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    OPERATIONS,
    SAVE_UNTRUSTED_CREDENTIALS,
    USER,
    Operation,
    Param,
)
from superoffice_soap.testing import DEMO_ASSOCIATE_ID, DEMO_TICKET, FakeNetServer
from superoffice_soap.testing import _operations as stand_in_operations
from superoffice_soap.testing._contract import (
    REQUESTS,
    SERVICES,
    TYPES,
    ArrayOf,
    Enumeration,
    FlagList,
    Part,
    Request,
    Struct,
    TypeDef,
)
from superoffice_soap.testing._wire import Field
from superoffice_soap.types import INT, SECRET_STRING, STRING

from .conftest import reference_file

NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
BASE = "http://netserver.test/Cust12345/Remote/Services86"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_FILES = {"User": "user-credentials.wsdl", "SoPrincipal": "soprincipal.wsdl"}
TESTING = Path(stand_in_operations.__file__).resolve().parent


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _fresh_dispatch() -> Iterator[None]:
    """The stand-in's dispatch table is cached per Services version: rebuild it around each
    test, so that a stand-in reading the client's (patched) table would see the patch."""
    stand_in_operations.served_operations.cache_clear()
    yield
    stand_in_operations.served_operations.cache_clear()


def send(operation: Operation[..., object], arguments: Mapping[str, object]) -> httpx.Response:
    """Build the request with the client's builder and post it to a demo stand-in (SOAP 1.1)."""
    request = build_request(operation, arguments, url=BASE, ticket=DEMO_TICKET)
    fake = FakeNetServer.with_demo_data()
    with httpx.Client(transport=fake.transport()) as http:
        return http.post(request.url, headers=dict(request.headers), content=request.content)


def client_fault(response: httpx.Response) -> str:
    """The faultstring of a SOAP 1.1 ``s:Client`` fault (asserting that it is one)."""
    assert response.status_code == 500, response.text
    root = etree.fromstring(response.content)
    (code,) = root.iterfind(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode")
    (reason,) = root.iterfind(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultstring")
    assert code.text == "s:Client", response.text
    return reason.text or ""


def in_client_table(
    monkeypatch: pytest.MonkeyPatch, wrong: Operation[..., object]
) -> Operation[..., object]:
    """Put ``wrong`` into the client's operation table in place of the right declaration."""
    monkeypatch.setitem(OPERATIONS, (wrong.service.name, wrong.name), wrong)
    return wrong


# --------------------------------------------------------------------------- wrong declarations

_ASSOCIATE = Param("associate_id", "AssociateId", INT)
_TYPE = Param("credential_type", "Type", STRING)
ARGUMENTS = {"associate_id": DEMO_ASSOCIATE_ID, "credential_type": "imap"}


def _get_for_associate(*params: Param) -> Operation[..., object]:
    """A copy of GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE with other parameters."""
    right = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
    return Operation(USER, right.name, params, right.result, retry_safe=right.retry_safe)


def test_the_right_declaration_is_served() -> None:
    """The control: the same builder with the right declaration gets the demo credentials."""
    response = send(_get_for_associate(_ASSOCIATE, _TYPE), ARGUMENTS)
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    assert len(root.findall(f".//{{{NS}}}UntrustedCredentials")) == 2


def test_parameters_in_the_wrong_order_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = in_client_table(monkeypatch, _get_for_associate(_TYPE, _ASSOCIATE))
    reason = client_fault(send(wrong, ARGUMENTS))
    assert "'AssociateId' is out of order" in reason
    assert "it must come before 'Type'" in reason


def test_a_misnamed_element_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    misnamed = Param("associate_id", "AssociateID", INT)
    wrong = in_client_table(monkeypatch, _get_for_associate(misnamed, _TYPE))
    reason = client_fault(send(wrong, ARGUMENTS))
    assert f"Unexpected element {{{NS}}}AssociateID" in reason
    assert "AssociateId, Type" in reason


def test_an_int_declared_as_string_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    as_string = Param("associate_id", "AssociateId", STRING)
    wrong = in_client_table(monkeypatch, _get_for_associate(as_string, _TYPE))
    reason = client_fault(send(wrong, {"associate_id": "five", "credential_type": "imap"}))
    assert "GetUntrustedCredentialsForAssociate/AssociateId is not a valid xs:int" in reason


def test_an_enumeration_declared_as_string_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    right = GET_CREDENTIAL_TYPES_FOR_USER_TYPE
    wrong = in_client_table(
        monkeypatch,
        Operation(
            USER,
            right.name,
            (Param("user_type", "UserType", STRING),),
            right.result,
            retry_safe=True,
        ),
    )
    reason = client_fault(send(wrong, {"user_type": "Internal"}))
    assert "GetCredentialTypesForUserType/UserType is not a valid value" in reason


#: A wrong UntrustedCredentials declaration: SecretValue after PublicValue.
_SECRET_LAST = declared.Struct(
    "UntrustedCredentials",
    UntrustedCredentials,
    (
        declared.Field("Comment", "comment", STRING),
        declared.Field("PublicValue", "public_value", STRING),
        declared.Field("SecretValue", "secret_value", SECRET_STRING),
    ),
)


def test_struct_fields_in_the_wrong_order_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    right = SAVE_UNTRUSTED_CREDENTIALS
    wrong = in_client_table(
        monkeypatch,
        Operation(
            USER,
            right.name,
            (_TYPE, Param("credentials", "Credentials", _SECRET_LAST)),
            right.result,
            retry_safe=False,
        ),
    )
    credentials = UntrustedCredentials(comment="c", secret_value="s3cr3t", public_value="me")
    reason = client_fault(send(wrong, {"credential_type": "imap", "credentials": credentials}))
    assert "'SecretValue' is out of order in SaveUntrustedCredentials/Credentials" in reason
    assert "s3cr3t" not in reason


def test_a_misnamed_operation_is_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    right = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
    wrong: Operation[..., object] = Operation(
        USER, "GetUntrustedCredentialForAssociate", right.params, right.result, retry_safe=True
    )
    in_client_table(monkeypatch, wrong)
    response = send(wrong, ARGUMENTS)
    assert response.status_code == 500
    assert b"ActionNotSupported" in response.content


def test_the_stand_in_serves_without_the_client_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emptying the client's table changes nothing the stand-in serves."""
    for key in list(OPERATIONS):
        monkeypatch.delitem(OPERATIONS, key)
    served = stand_in_operations.served_operations("Services86")
    assert {(s.service, s.name) for s in served.values()} == set(REQUESTS)
    response = send(_get_for_associate(_ASSOCIATE, _TYPE), ARGUMENTS)
    assert response.status_code == 200, response.text


def test_the_stand_in_describes_the_operations_the_client_declares() -> None:
    assert set(REQUESTS) == set(OPERATIONS)
    assert set(stand_in_operations.HANDLERS) == set(REQUESTS)
    for key, request in REQUESTS.items():
        assert request.since == OPERATIONS[key].min_services, key


# --------------------------------------------------------------------------- imports

#: What the stand-in may take from the client's operations module: namespaces and the
#: Services-version helpers, nothing that describes an operation's request.
ALLOWED_FROM_OPERATIONS = frozenset(
    {
        "DEFAULT_SERVICES",
        "SERVICES_VERSIONS",
        "check_services",
        "namespace",
        "services_number",
    }
)
#: Client modules the stand-in must not import at all (the model classes of ``models`` and
#: ``principal`` it may use, but not their wire declarations: see FORBIDDEN_NAMES).
FORBIDDEN_MODULES = frozenset(
    {"_readers", "cli", "client", "envelope", "parser", "protocol", "types"}
)


def _declarations() -> set[str]:
    """The names of the client's wire declarations (Structs, enumerations, arrays …)."""
    import superoffice_soap.models
    import superoffice_soap.principal
    import superoffice_soap.types

    kinds = tuple(
        getattr(superoffice_soap.types, name)
        for name in ("Scalar", "Enumeration", "Flags", "Struct", "ArrayOf", "DictionaryOf", "Raw")
    )
    return {
        name
        for module in (superoffice_soap.models, superoffice_soap.principal)
        for name, value in vars(module).items()
        if isinstance(value, kinds)
    }


#: Names of the client's operation declarations that must not appear in the stand-in's code.
FORBIDDEN_NAMES = frozenset(
    {
        "OPERATIONS",
        "Operation",
        "Param",
        "ScalarType",
        "EnumType",
        "CredentialsType",
        "ValueType",
        "INT",
        "STRING",
        "XS_SECRET_STRING",
        "importlib",
        "__import__",
        *_declarations(),
    }
)


def _package_imports(node: Union[ast.Import, ast.ImportFrom]) -> list[tuple[str, bool]]:
    """(module of superoffice_soap, whether the module object itself is imported) for each
    client module an import statement names; the testing package's own modules are left out."""
    if isinstance(node, ast.Import):
        full = [(alias.name, True) for alias in node.names]
    elif node.level == 1:
        return []
    else:
        package = "superoffice_soap" if node.level == 2 else ""
        base = ".".join(part for part in (package, node.module or "") if part)
        if node.module is None:  # from .. import operations
            full = [(f"{base}.{alias.name}", True) for alias in node.names]
        else:
            full = [(base, False)]
    found: list[tuple[str, bool]] = []
    for name, whole in full:
        head, _, rest = name.partition(".")
        if head == "superoffice_soap" and rest:
            found.append((rest.split(".")[0], whole))
    return found


def import_violations(source: str, filename: str) -> list[str]:
    """What in ``source`` breaks the stand-in's import rules (empty when nothing does)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {alias.name for alias in node.names}
            for alias in node.names:
                if {alias.name.rpartition(".")[2], alias.asname} & FORBIDDEN_NAMES:
                    found.append(f"{where} imports {alias.name}")
            for module, whole in _package_imports(node):
                if module in FORBIDDEN_MODULES:
                    found.append(f"{where} imports the client's {module} module")
                elif module == "operations" and whole:
                    found.append(f"{where} imports the operations module itself")
                elif module == "operations" and names - ALLOWED_FROM_OPERATIONS:
                    extra = sorted(names - ALLOWED_FROM_OPERATIONS)
                    found.append(f"{where} imports {extra} from operations")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{where} uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            found.append(f"{where} uses .{node.attr}")
    return found


def test_the_stand_in_does_not_import_the_client_operation_table() -> None:
    modules = sorted(TESTING.glob("*.py"))
    assert {path.name for path in modules} >= {"_contract.py", "_operations.py", "_server.py"}
    for path in modules:
        if path.name == "_fixture.py":  # the pytest fixture hands out agents: not the stand-in
            continue
        assert import_violations(path.read_text("utf-8"), path.name) == [], path.name


@pytest.mark.parametrize(
    "line",
    [
        "from ..operations import OPERATIONS",
        "from ..operations import Param, namespace",
        "from superoffice_soap.operations import INT",
        "from .. import operations",
        "import superoffice_soap.operations",
        "from ..envelope import build_envelope",
        "from superoffice_soap import OPERATIONS",
        "table = importlib.import_module('superoffice_soap.operations')",
        "declared = module.OPERATIONS",
        "from ..operations import services_number as Param",
        "from superoffice_soap._readers import reader",
        "from ..models import UNTRUSTED_CREDENTIALS",
        "from ..principal import SYSTEM_INFO",
        "from ..types import INT",
    ],
)
def test_the_import_check_catches(line: str) -> None:
    assert import_violations(line, "probe.py") != []


def test_the_import_check_allows_the_namespace_helpers() -> None:
    source = (
        "from ..operations import SERVICES_VERSIONS, namespace, services_number\n"
        "from ..models import UntrustedCredentials\nfrom ..principal import SystemInfo"
    )
    assert import_violations(source, "probe.py") == []


# --------------------------------------------------------------------------- against the WSDL


@attrs.frozen
class Wsdl:
    """One reference WSDL: its root and its Services86 schema's global declarations."""

    root: etree._Element
    elements: Mapping[str, etree._Element]
    types: Mapping[str, etree._Element]

    def find(self, path: str) -> etree._Element:
        found = self.root.find(path, {"w": WSDL, "s": WSDL_SOAP, "xs": XS})
        assert found is not None, path
        return found


@functools.cache
def wsdl(service: str) -> Wsdl:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(reference_file(WSDL_FILES[service])), parser).getroot()
    (schema,) = root.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema[@targetNamespace='{NS}']")
    elements = {e.get("name", ""): e for e in schema.iterfind(f"{{{XS}}}element")}
    types = {
        t.get("name", ""): t
        for t in schema
        if t.tag in (f"{{{XS}}}complexType", f"{{{XS}}}simpleType")
    }
    return Wsdl(root, elements, types)


def type_name(element: etree._Element, attribute: str) -> str:
    """A QName-valued attribute as the description writes it: ``xs:int`` or ``tns:Name``."""
    prefix, _, local = (element.get(attribute) or "").rpartition(":")
    uri = element.nsmap.get(prefix or None)
    assert uri in (XS, NS), (attribute, element.get(attribute))
    return f"{'xs' if uri == XS else 'tns'}:{local}"


def wsdl_part(element: etree._Element) -> Part:
    """A schema element declaration in the description's terms."""
    inline = element.find(f"{{{XS}}}complexType")
    if inline is not None:
        return Part(element.get("name", ""), wsdl_complex(inline))
    return Part(element.get("name", ""), type_name(element, "type"))


def wsdl_sequence(parent: etree._Element) -> tuple[Part, ...]:
    (sequence,) = parent.iterfind(f"{{{XS}}}sequence")
    return tuple(wsdl_part(e) for e in sequence.iterfind(f"{{{XS}}}element"))


def wsdl_complex(complex_type: etree._Element) -> Struct:
    extension = complex_type.find(f"{{{XS}}}complexContent/{{{XS}}}extension")
    if extension is not None:
        return Struct(wsdl_sequence(extension), base=type_name(extension, "base"))
    return Struct(wsdl_sequence(complex_type))


def wsdl_type(service: str, name: str) -> TypeDef:
    """A named NetServer type of the WSDL in the description's terms."""
    definition = wsdl(service).types[name.removeprefix("tns:")]
    if definition.tag == f"{{{XS}}}simpleType":
        listed = definition.find(f"{{{XS}}}list/{{{XS}}}simpleType")
        restriction = (listed if listed is not None else definition).find(f"{{{XS}}}restriction")
        assert restriction is not None, name
        values = tuple(e.get("value", "") for e in restriction.iterfind(f"{{{XS}}}enumeration"))
        return FlagList(values) if listed is not None else Enumeration(values)
    struct = wsdl_complex(definition)
    items = definition.findall(f"{{{XS}}}sequence/{{{XS}}}element")
    if struct.base is None and len(items) == 1 and items[0].get("maxOccurs") == "unbounded":
        return ArrayOf(struct.members[0])
    return struct


def plain(value: Union[Part, TypeDef, str]) -> object:
    """A description without the stand-in's own ``secret`` marks, for comparison."""
    if isinstance(value, Part):
        return (value.name, plain(value.type))
    if isinstance(value, Struct):
        return ("struct", value.base, tuple(plain(m) for m in value.members))
    if isinstance(value, ArrayOf):
        return ("array", plain(value.item))
    return value


def referenced_types(parts: tuple[Part, ...]) -> set[str]:
    """Every ``tns:`` type the parts use, directly or through other types."""
    found: set[str] = set()
    pending = list(parts)
    while pending:
        part = pending.pop()
        if isinstance(part.type, Struct):
            pending.extend(part.type.members)
            continue
        if not part.type.startswith("tns:") or part.type in found:
            continue
        found.add(part.type)
        definition = TYPES[part.type]
        if isinstance(definition, Struct):
            pending.extend(definition.members)
            if definition.base is not None:
                pending.append(Part("(base)", definition.base))
        elif isinstance(definition, ArrayOf):
            pending.append(definition.item)
    return found


DESCRIBED = sorted(REQUESTS.values(), key=lambda request: (request.service, request.name))


def _id(request: Request) -> str:
    return f"{request.service}.{request.name}"


def wrapper_type(request: Request) -> etree._Element:
    """The inline complexType of a request's wrapper element in the WSDL."""
    found = wsdl(request.service).elements[request.name].find(f"{{{XS}}}complexType")
    assert found is not None, request.name
    return found


def message_part(document: Wsdl, message: str, part: Optional[str] = None) -> str:
    """The element (``tns:…``) of a message's part (its only part when ``part`` is None)."""
    found = document.find(f"w:message[@name='{message.partition(':')[2]}']")
    parts = found.findall(f"{{{WSDL}}}part" + ("" if part is None else f"[@name='{part}']"))
    assert len(parts) == 1, (message, part)
    return type_name(parts[0], "element")


@pytest.mark.parametrize("request_", DESCRIBED, ids=_id)
def test_request_body_agrees_with_the_wsdl(request_: Request) -> None:
    """The wrapper's children: names, order and types."""
    assert [plain(p) for p in request_.body] == [
        plain(p) for p in wsdl_sequence(wrapper_type(request_))
    ]


@pytest.mark.parametrize("request_", DESCRIBED, ids=_id)
def test_request_messages_agree_with_the_wsdl(request_: Request) -> None:
    """portType operation → input/output message → wrapper elements; binding → SOAPAction and
    the header parts in order."""
    document = wsdl(request_.service)
    name = request_.name
    operation = document.find(f"w:portType/w:operation[@name='{name}']")
    elements = {}
    for direction in ("input", "output"):
        io = operation.find(f"{{{WSDL}}}{direction}")
        assert io is not None, direction
        elements[direction] = message_part(document, io.get("message", ""))
    assert elements == {"input": f"tns:{name}", "output": f"tns:{request_.response}"}

    binding = document.find(f"w:binding/w:operation[@name='{name}']")
    action = binding.find(f"{{{WSDL_SOAP}}}operation")
    assert action is not None
    assert action.get("soapAction") == f"{NS}/{request_.service}/{name}"
    headers = [
        plain(wsdl_part(document.elements[element.removeprefix("tns:")]))
        for header in binding.iterfind(f"{{{WSDL}}}input/{{{WSDL_SOAP}}}header")
        for element in [message_part(document, header.get("message", ""), header.get("part"))]
    ]
    assert [plain(p) for p in SERVICES[request_.service].headers] == headers


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_described_types_agree_with_the_wsdl(service: str) -> None:
    """Every NetServer type a request uses: a derived type's base and own members, arrays and
    dictionaries, enumerations and flag lists with their values in order."""
    parts = SERVICES[service].headers + tuple(
        part for request in REQUESTS.values() if request.service == service for part in request.body
    )
    for name in sorted(referenced_types(parts)):
        assert plain(TYPES[name]) == plain(wsdl_type(service, name)), name


def test_every_described_type_is_used() -> None:
    everything = tuple(p for s in SERVICES.values() for p in s.headers) + tuple(
        p for r in REQUESTS.values() for p in r.body
    )
    assert referenced_types(everything) == set(TYPES)


#: ``_wire.Field`` kinds whose element is not nillable (.NET value types).
VALUE_KINDS = frozenset({"int", "bool", "datetime", "enum", "tokens"})


def declared_children(service: str, declaration: etree._Element) -> list[etree._Element]:
    """The element declarations inside a declared element's type, a base type's first."""
    definition = declaration.find(f"{{{XS}}}complexType")
    if definition is None:
        name = type_name(declaration, "type")
        if not name.startswith("tns:"):
            return []
        definition = wsdl(service).types[name.removeprefix("tns:")]
    return type_children(service, definition)


def type_children(service: str, definition: etree._Element) -> list[etree._Element]:
    if definition.tag != f"{{{XS}}}complexType":
        return []
    extension = definition.find(f"{{{XS}}}complexContent/{{{XS}}}extension")
    if extension is None:
        return list(definition.findall(f"{{{XS}}}sequence/{{{XS}}}element"))
    base = wsdl(service).types[type_name(extension, "base").removeprefix("tns:")]
    own = list(extension.findall(f"{{{XS}}}sequence/{{{XS}}}element"))
    return type_children(service, base) + own


#: Where the stand-in is knowingly laxer than the WSDL: it takes i:nil on a dictionary entry (an
#: anonymous .NET struct) of the Carrier's FieldProperties, which it reads and then ignores.
NIL_TOLERATED = frozenset({"FieldPropertyDictionaryKeyValuePair"})


def check_readers(
    service: str, declarations: list[etree._Element], fields: tuple[Field, ...], path: str
) -> None:
    """The stand-in's readers match the WSDL declarations: names, order, nesting, nillable."""
    assert [d.get("name") for d in declarations] == [f.name for f in fields], path
    for declaration, field in zip(declarations, fields):
        where = f"{path}/{field.name}"
        nillable = declaration.get("nillable") == "true" or field.name in NIL_TOLERATED
        assert nillable == (field.kind not in VALUE_KINDS), where
        check_readers(service, declared_children(service, declaration), field.children, where)


@pytest.mark.parametrize("request_", DESCRIBED, ids=_id)
def test_readers_agree_with_the_wsdl(request_: Request) -> None:
    """What the stand-in actually reads (its compiled readers) is the WSDL's tree, nillable
    exactly where the WSDL says (a value type's reader refuses i:nil)."""
    served = stand_in_operations.served_operations("Services86")
    (entry,) = (
        s for s in served.values() if (s.service, s.name) == (request_.service, request_.name)
    )
    document = wsdl(request_.service)
    body = wrapper_type(request_).findall(f"{{{XS}}}sequence/{{{XS}}}element")
    check_readers(request_.service, body, entry.request, request_.name)
    binding = document.find(f"w:binding/w:operation[@name='{request_.name}']")
    headers = [
        document.elements[
            message_part(document, header.get("message", ""), header.get("part")).removeprefix(
                "tns:"
            )
        ]
        for header in binding.iterfind(f"{{{WSDL}}}input/{{{WSDL_SOAP}}}header")
    ]
    check_readers(request_.service, headers, entry.headers, "Header")
