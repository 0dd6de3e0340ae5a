"""The stand-in serves any generated operation: answers a test sets, read back by the agents over
real HTTP on the operation's own path and SOAPAction, with requests checked against the WSDL.

The modules under test are generated here from the reference WSDLs (``generate``), as a user
would generate them, and imported from a temporary directory.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from uuid import UUID

import httpx
import pytest
from lxml import etree

from superoffice_soap import (
    USER,
    AsyncUserAgent,
    NetServerError,
    Operation,
    Param,
    Service,
    SoapFault,
    UserAgent,
)
from superoffice_soap._codegen_types import attribute_name
from superoffice_soap._wsdl import ElementDecl, read_wsdl
from superoffice_soap.generate import generate
from superoffice_soap.pytest_plugin import NetServerFixture
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer
from superoffice_soap.testing._described import python_name, python_names
from superoffice_soap.types import ARRAYS, INT, STRING, ArrayOf

from .conftest import reference_file

NS86 = "http://www.superoffice.net/ws/crm/NetServer/Services86"
NS88 = "http://www.superoffice.net/ws/crm/NetServer/Services88"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
XS = "http://www.w3.org/2001/XMLSchema"
GENERATED = {
    "User": ["GetUserInfo", "GetUserInfoList"],
    "Person": ["GetPersonEntity"],
    "Associate": ["GetNote", "SaveNote"],
}


def wsdl(service: str, services: str = "Services86") -> Path:
    return reference_file("wsdl", services, f"{service}.wsdl")


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The generated modules: ``ops.user``, ``ops.person``, ``ops.associate``."""
    directory = tmp_path_factory.mktemp("generated")
    modules: dict[str, ModuleType] = {}
    for service, operations in GENERATED.items():
        name = f"stand_in_{service.lower()}_ops"
        path = directory / f"{name}.py"
        path.write_text(generate(wsdl(service), operations), encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[service.lower()] = module
    yield SimpleNamespace(**modules)
    for service in GENERATED:
        sys.modules.pop(f"stand_in_{service.lower()}_ops", None)


@pytest.fixture
def server() -> FakeNetServer:
    fake = FakeNetServer.with_demo_data()
    for service in GENERATED:
        assert fake.serve_wsdl(wsdl(service)) == service
    return fake


def a_user_info(user: Any, user_info_id: int = 7) -> Any:
    """A UserInfo reaching every kind of type: flags, a dictionary, an array, an enumeration."""
    return user.UserInfo(
        table_right=user.TableRight(mask=user.ETableRight.SELECT | user.ETableRight.UPDATE),
        field_properties={
            "name": user.FieldProperty(
                field_right=user.FieldRight(mask=user.EFieldRight.READ, reason=""),
                field_type="string",
                field_length=40,
            )
        },
        deleted=False,
        user_info_id=user_info_id,
        user_name="jane.doe",
        rank=3,
        user_type=user.UserType.INTERNAL_ASSOCIATE,
        granted_licenses=["SuperOffice.CRM", "SuperOffice.Mail"],
        can_logon=True,
        role_name=None,
    )


# --------------------------------------------------------------------------- answers read back


def test_a_generated_operation_is_answered_on_its_path_and_action(
    ops: Any, server: FakeNetServer
) -> None:
    expected = a_user_info(ops.user)
    server.answer(ops.user.GET_USER_INFO, expected)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        info = agent.call(ops.user.GET_USER_INFO, user_info_id=7)
    assert info == expected
    last = server.requests[-1]
    assert last.path == "/Cust12345/Remote/Services86/User.svc"
    assert last.action == f"{NS86}/User/GetUserInfo"
    assert last.operation == "GetUserInfo"
    assert server.received(ops.user.GET_USER_INFO) == [{"user_info_id": 7}]
    assert server.received("User.GetUserInfo") == server.received("GetUserInfo")


def test_the_async_agent_reads_a_list_answer(ops: Any, server: FakeNetServer) -> None:
    expected = [a_user_info(ops.user, 1), a_user_info(ops.user, 2)]
    server.answer("GetUserInfoList", expected)

    async def call(base_url: str) -> Any:
        async with AsyncUserAgent(base_url, ticket=DEMO_TICKET) as agent:
            return await agent.call(ops.user.GET_USER_INFO_LIST, user_info_ids=[1, 2])

    with server.serve() as running:
        assert asyncio.run(call(running.base_url)) == expected
    assert server.received(ops.user.GET_USER_INFO_LIST) == [{"user_info_ids": [1, 2]}]


def test_a_nested_struct_and_a_nil_answer_for_not_found(ops: Any, server: FakeNetServer) -> None:
    person = ops.person
    expected = person.PersonEntity(
        person_id=12,
        firstname="Ann",
        lastname="Lee",
        updated_date=datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc),
        emails=[person.EntityElement(value="ann@example.com", description="work")],
        contact=person.Contact(contact_id=3, name="Example AS", is_owner_contact=False),
        no_mailing=True,
    )
    server.answer(person.GET_PERSON_ENTITY, expected)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(person.GET_PERSON_ENTITY, person_entity_id=12) == expected
        server.answer(person.GET_PERSON_ENTITY, None)  # NetServer's "not found"
        assert agent.call(person.GET_PERSON_ENTITY, person_entity_id=13) is None
    assert server.requests[-1].path.endswith("/Services86/Person.svc")
    reply = server.handle(
        "POST",
        "/Cust1/Remote/Services86/Person.svc",
        {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f"{NS86}/Person/GetPersonEntity"},
        _envelope(NS86, "GetPersonEntity", ("PersonEntityId", "13")),
    )
    response = etree.fromstring(reply.body).find(f".//{{{NS86}}}GetPersonEntityResponse/")
    assert response is not None
    assert response.get(XSI_NIL) == "true"
    assert [r["person_entity_id"] for r in server.received("GetPersonEntity")] == [12, 13, 13]


def test_another_service_and_an_operation_that_answers_nothing(
    ops: Any, server: FakeNetServer
) -> None:
    server.answer(ops.associate.GET_NOTE, ["first page", "second page"])
    server.answer(ops.associate.SAVE_NOTE)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(ops.associate.GET_NOTE, associate_id=5) == ["first page", "second page"]
        assert agent.call(ops.associate.SAVE_NOTE, associate_id=5, note=["new"]) is None
    assert server.received(ops.associate.SAVE_NOTE) == [{"associate_id": 5, "note": ["new"]}]
    assert {r.path for r in server.requests if r.operation} == {
        "/Cust12345/Remote/Services86/Associate.svc"
    }


def test_a_mapping_answers_by_element_or_snake_case_name(ops: Any, server: FakeNetServer) -> None:
    server.answer("GetUserInfo", {"UserInfoId": 9, "user_name": "bob", "UserType": "Unknown"})
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        info = agent.call(ops.user.GET_USER_INFO, user_info_id=9)
    assert (info.user_info_id, info.user_name, info.user_type) == (
        9,
        "bob",
        ops.user.UserType.UNKNOWN,
    )
    assert info.deleted is None  # left out, read back as None


def test_a_function_answers_each_call_from_its_arguments(ops: Any, server: FakeNetServer) -> None:
    person = ops.person
    people = {12: person.PersonEntity(person_id=12, firstname="Ann")}

    def find(arguments: dict[str, object]) -> object:
        if arguments["person_entity_id"] == 14:
            raise LookupError("No access to person 14")
        if arguments["person_entity_id"] == 15:
            return {"PersonId": "fifteen"}  # does not fit: the test hears why
        return people.get(int(str(arguments["person_entity_id"])))

    server.answer(person.GET_PERSON_ENTITY, find)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(person.GET_PERSON_ENTITY, person_entity_id=12) == people[12]
        assert agent.call(person.GET_PERSON_ENTITY, person_entity_id=13) is None
        with pytest.raises(NetServerError) as refused:
            agent.call(person.GET_PERSON_ENTITY, person_entity_id=14)
        with pytest.raises(NetServerError) as misfit:
            agent.call(person.GET_PERSON_ENTITY, person_entity_id=15)
    assert (refused.value.exception_type, refused.value.message) == (
        "LookupError",
        "No access to person 14",
    )
    assert misfit.value.exception_type == "ValueError"
    assert "PersonId is an xs:int: give an int, not str" in str(misfit.value.message)
    assert len(server.received(person.GET_PERSON_ENTITY)) == 4


# --------------------------------------------------------------------------- errors


def test_a_netserver_error_answer_raises_netserver_error(ops: Any, server: FakeNetServer) -> None:
    server.answer(ops.person.GET_PERSON_ENTITY, error=("SoException", "Person 3 is not there"))
    with (
        server.serve() as running,
        UserAgent(running.base_url, ticket=DEMO_TICKET) as agent,
        pytest.raises(NetServerError) as caught,
    ):
        agent.call(ops.person.GET_PERSON_ENTITY, person_entity_id=3)
    assert caught.value.exception_type == "SoException"
    assert caught.value.message == "Person 3 is not there"
    succeeded = etree.fromstring(_last_reply(server)).find(f".//{{{NS86}}}Succeeded")
    assert succeeded is not None
    assert succeeded.text == "false"


def test_an_operation_without_an_answer_says_so(ops: Any, server: FakeNetServer) -> None:
    with (
        server.serve() as running,
        UserAgent(running.base_url, ticket=DEMO_TICKET) as agent,
        pytest.raises(NetServerError, match=r"no answer for User\.GetUserInfo"),
    ):
        agent.call(ops.user.GET_USER_INFO, user_info_id=1)


def test_the_ticket_is_checked_as_for_user(ops: Any, server: FakeNetServer) -> None:
    server.answer(ops.user.GET_USER_INFO, a_user_info(ops.user))
    server.expire_ticket(DEMO_TICKET)
    with (
        server.serve() as running,
        UserAgent(running.base_url, ticket=DEMO_TICKET, retries=0) as agent,
        pytest.raises(NetServerError, match="SoSessionExpiredException"),
    ):
        agent.call(ops.user.GET_USER_INFO, user_info_id=7)
    assert server.received(ops.user.GET_USER_INFO) == []


_NOTE = ArrayOf("string", STRING, namespace=ARRAYS)
#: Hand-declared operations that break the WSDL, each with what the stand-in's fault names.
_BROKEN: dict[str, tuple[Operation[..., Any], dict[str, object], str]] = {
    "element name": (
        Operation(USER, "GetUserInfo", (Param("user_info_id", "UserInfoID", INT),), None, True),
        {"user_info_id": 7},
        "Unexpected element {" + NS86 + "}UserInfoID in GetUserInfo",
    ),
    "type": (
        Operation(USER, "GetUserInfo", (Param("user_info_id", "UserInfoId", STRING),), None, True),
        {"user_info_id": "seven"},
        "GetUserInfo/UserInfoId is not a valid xs:int: 'seven'",
    ),
    "order": (
        Operation(
            Service("Associate"),
            "SaveNote",
            (Param("note", "Note", _NOTE), Param("associate_id", "AssociateId", INT)),
            None,
            False,
        ),
        {"note": ["x"], "associate_id": 5},
        "Element 'AssociateId' is out of order in SaveNote",
    ),
    "array items": (
        Operation(
            Service("Associate"),
            "SaveNote",
            (
                Param("associate_id", "AssociateId", INT),
                Param("note", "Note", ArrayOf("line", STRING)),
            ),
            None,
            False,
        ),
        {"associate_id": 5, "note": ["x"]},
        "expected only 'string' items in namespace " + ARRAYS,
    ),
}


@pytest.mark.parametrize("broken", sorted(_BROKEN))
def test_a_request_that_breaks_the_wsdl_is_a_client_fault(
    broken: str, ops: Any, server: FakeNetServer
) -> None:
    operation, arguments, reason = _BROKEN[broken]
    server.answer("GetUserInfo", a_user_info(ops.user))
    server.answer("SaveNote")
    with (
        server.serve() as running,
        UserAgent(running.base_url, ticket=DEMO_TICKET) as agent,
        pytest.raises(SoapFault) as caught,
    ):
        agent.call(operation, **arguments)
    assert caught.value.code == "Client"
    assert reason in caught.value.reason
    assert server.received(operation.name) == []


def test_the_same_request_declared_right_is_accepted(ops: Any, server: FakeNetServer) -> None:
    """The control of the test above: a hand declaration that matches the WSDL gets through."""
    right: Operation[..., Any] = Operation(
        USER,
        "GetUserInfo",
        (Param("user_info_id", "UserInfoId", INT),),
        ops.user.USER_INFO,
        True,
        result_nillable=True,
    )
    server.answer("GetUserInfo", None)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(right, user_info_id=7) is None
    assert server.received("GetUserInfo") == [{"user_info_id": 7}]


def test_an_operation_the_wsdl_does_not_have_is_action_not_supported(
    server: FakeNetServer,
) -> None:
    missing: Operation[..., None] = Operation(USER, "GetUserInfoById", (), None, True)
    with (
        server.serve() as running,
        UserAgent(running.base_url, ticket=DEMO_TICKET) as agent,
        pytest.raises(SoapFault) as caught,
    ):
        agent.call(missing)
    assert caught.value.code == "ActionNotSupported"


# --------------------------------------------------------------------------- setting answers


def test_answers_that_do_not_fit_the_wsdl_are_refused_when_set(
    ops: Any, server: FakeNetServer
) -> None:
    user = ops.user
    refused: list[tuple[object, object, str]] = [
        (user.GET_USER_INFO, user.UserInfo(user_info_id="7"), r"UserInfoId is an xs:int"),
        (user.GET_USER_INFO, {"UserInfoId": 1, "Nickname": "x"}, "Nickname is not an element"),
        (user.GET_USER_INFO, {"UserType": "Guest"}, "'Guest' is not a value of UserType"),
        (user.GET_USER_INFO, {"Rank": 40000}, "out of the range of xs:short"),
        (user.GET_USER_INFO_LIST, a_user_info(user), "give a list"),
        (ops.associate.SAVE_NOTE, "done", "answers nothing"),
        ("GetUserInfoById", None, "no served WSDL has the operation GetUserInfoById"),
        ("GetUntrustedCredentials", [], "one of the stand-in's own operations"),
    ]
    for operation, value, message in refused:
        with pytest.raises(ValueError, match=message):
            server.answer(operation, value)
    with pytest.raises(ValueError, match="serve_wsdl"):
        FakeNetServer().answer(user.GET_USER_INFO, None)


def test_serve_wsdl_refuses_a_document_that_is_not_a_wsdl(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a WSDL"):
        FakeNetServer().serve_wsdl(b"<definitions/>")
    path = tmp_path / "User.wsdl"
    path.write_text("not xml", encoding="utf-8")
    with pytest.raises(ValueError, match="is not XML"):
        FakeNetServer().serve_wsdl(path)


def test_a_services88_stand_in_serves_a_services86_wsdl_in_its_own_namespace(ops: Any) -> None:
    server = FakeNetServer.with_demo_data(services="Services88", accept_soap12=True)
    server.serve_wsdl(wsdl("User"))
    expected = a_user_info(ops.user)
    server.answer(ops.user.GET_USER_INFO, expected)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(ops.user.GET_USER_INFO, user_info_id=7) == expected
    last = server.requests[-1]
    assert (last.action, last.soap_version) == (f"{NS88}/User/GetUserInfo", "1.2")
    assert last.path == "/Cust12345/Remote/Services88/User.svc"


def test_generate_reads_a_served_wsdl_from_the_stand_ins_url(server: FakeNetServer) -> None:
    with server.serve() as running:
        url = f"{running.base_url}/person.svc?singleWsdl"
        source = generate(url, ["GetPersonEntity"])
        served = httpx.get(f"{running.base_url}/Associate.svc?wsdl")
        not_served = httpx.get(f"{running.base_url}/Contact.svc?wsdl")
        not_a_query = httpx.get(f"{running.base_url}/Associate.svc")
    assert "GET_PERSON_ENTITY = Operation(" in source
    assert f"Generated from {url}" in source
    assert served.status_code == 200
    assert served.content == wsdl("Associate").read_bytes()
    assert (not_served.status_code, not_a_query.status_code) == (404, 405)


def test_an_error_answer_is_two_strings_without_a_value(ops: Any, server: FakeNetServer) -> None:
    for value, error in ((1, ("SoException", "x")), (None, ("SoException",)), (None, ("a", 2))):
        with pytest.raises(ValueError, match=r"error must be \(exception_type, message\)"):
            server.answer(ops.user.GET_USER_INFO, value, error=error)  # type: ignore[arg-type]


def test_the_stand_in_names_elements_as_the_generator_does() -> None:
    """The stand-in names every element of every reference WSDL as the generator does (the
    generator's own rule, shadow-safe names included), and the rule's examples hold."""
    names = {"UserInfoId", "EMail", "URLAddress", "From", "Class", "UIHintMandatory"}
    for path in reference_file("wsdl", "SOURCE.md").parent.glob("*/*.wsdl"):
        read = read_wsdl(path.read_bytes(), path.name)
        for decl in read.complex_types.values():
            names |= {element.name for element in decl.elements}
        for element in read.elements.values():
            names |= {child.name for child in element.inline.elements} if element.inline else set()
    assert len(names) > 500
    assert {name: python_name(name) for name in names} == {
        name: attribute_name(name) for name in names
    }
    assert [python_name(n) for n in ("UserInfoId", "EMail", "URLAddress", "From", "Float")] == [
        "user_info_id",
        "e_mail",
        "url_address",
        "from_",
        "float_",
    ]


def test_elements_with_the_same_snake_case_name_get_an_underscore_more() -> None:
    def element(name: str) -> ElementDecl:
        return ElementDecl(name, NS86, (XS, "string"), None, True, 0, 1)

    assert python_names([element("URL"), element("Url"), element("url")]) == [
        "url",
        "url_",
        "url__",
    ]


# --------------------------------------------------------------------------- the fixture


@pytest.mark.superoffice_netserver(wsdl=[str(wsdl("User")), str(wsdl("Associate"))])
def test_the_fixture_serves_the_wsdls_of_its_marker(
    ops: Any, superoffice_netserver: NetServerFixture
) -> None:
    superoffice_netserver.answer(ops.user.GET_USER_INFO, a_user_info(ops.user, 5))
    superoffice_netserver.answer(ops.associate.GET_NOTE, error=("SoException", "No note"))
    with superoffice_netserver.user_agent() as agent:
        assert agent.call(ops.user.GET_USER_INFO, user_info_id=5).user_info_id == 5
        with pytest.raises(NetServerError, match="No note"):
            agent.call(ops.associate.GET_NOTE, associate_id=5)
    assert superoffice_netserver.received(ops.user.GET_USER_INFO) == [{"user_info_id": 5}]
    assert superoffice_netserver.operations()[-2:] == ["GetUserInfo", "GetNote"]


def test_the_fixture_serves_a_wsdl_given_in_the_test(
    ops: Any, superoffice_netserver: NetServerFixture
) -> None:
    assert superoffice_netserver.serve_wsdl(wsdl("Person").read_bytes()) == "Person"
    superoffice_netserver.answer(ops.person.GET_PERSON_ENTITY, None)

    async def call() -> Any:
        async with superoffice_netserver.async_user_agent() as agent:
            return await agent.call(ops.person.GET_PERSON_ENTITY, person_entity_id=1)

    assert asyncio.run(call()) is None
    assert superoffice_netserver.received("Person.GetPersonEntity") == [{"person_entity_id": 1}]


# --------------------------------------------------------------------------- helpers


def _envelope(ns: str, operation: str, *children: tuple[str, str]) -> bytes:
    soap = "http://schemas.xmlsoap.org/soap/envelope/"
    envelope = etree.Element(f"{{{soap}}}Envelope")
    header = etree.SubElement(envelope, f"{{{soap}}}Header")
    credentials = etree.SubElement(header, f"{{{ns}}}Credentials")
    etree.SubElement(credentials, f"{{{ns}}}Ticket").text = DEMO_TICKET
    wrapper = etree.SubElement(
        etree.SubElement(envelope, f"{{{soap}}}Body"), f"{{{ns}}}{operation}"
    )
    for name, text in children:
        etree.SubElement(wrapper, f"{{{ns}}}{name}").text = text
    data: bytes = etree.tostring(envelope)
    return data


def _last_reply(server: FakeNetServer) -> bytes:
    """The stand-in's reply to its last request, answered again (the same state, no side effect
    on what the test checks)."""
    last = server.requests[-1]
    return server.handle(last.method, last.path, last.headers, last.body).body


# --------------------------------------------------------------------------- every XSD type

#: The XSD types no reference operation uses (the round trip of every reference operation covers
#: the others), each with a value, as an element of a made-up service's request and answer.
_EVERY_TYPE: dict[str, tuple[str, object]] = {
    "Long": ("xs:long", -(2**63)),
    "Byte": ("xs:byte", -128),
    "UnsignedByte": ("xs:unsignedByte", 255),
    "UnsignedShort": ("xs:unsignedShort", 65535),
    "UnsignedInt": ("xs:unsignedInt", 2**32 - 1),
    "UnsignedLong": ("xs:unsignedLong", 2**64 - 1),
    "Float": ("xs:float", -0.5),
    "Decimal": ("xs:decimal", Decimal("-12345678901234567890.125")),
    "Guid": ("ser:guid", UUID("0f8fad5b-d9cb-469f-a165-70867728950e")),
    "Char": ("ser:char", "é"),
    "Duration": ("ser:duration", -timedelta(days=1, seconds=3661, microseconds=500_000)),
    "AnyUri": ("xs:anyURI", "https://example.com/a?b=c"),
    "Name": ("xs:QName", "ns:local"),
    "Bytes": ("xs:base64Binary", b"\x00\xff binary"),
    "Double": ("xs:double", float("inf")),
}


def _every_type_wsdl() -> bytes:
    members = "".join(
        f'<xs:element minOccurs="0" name="{name}" type="{kind}"/>'
        for name, (kind, _) in _EVERY_TYPE.items()
    )
    action = f"{NS86}/Echo/Echo"
    return f"""<?xml version="1.0"?>
<wsdl:definitions targetNamespace="{NS86}" xmlns:tns="{NS86}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:ser="http://schemas.microsoft.com/2003/10/Serialization/">
  <wsdl:types>
    <xs:schema elementFormDefault="qualified" targetNamespace="{NS86}">
      <xs:element name="Echo"><xs:complexType><xs:sequence>{members}</xs:sequence>
      </xs:complexType></xs:element>
      <xs:complexType name="Everything"><xs:sequence>{members}</xs:sequence></xs:complexType>
      <xs:element name="EchoResponse"><xs:complexType><xs:sequence>
        <xs:element minOccurs="0" name="Response" nillable="true" type="tns:Everything"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="Credentials" nillable="true" type="tns:SoCredentials"/>
      <xs:complexType name="SoCredentials"><xs:sequence>
        <xs:element minOccurs="0" name="Ticket" nillable="true" type="xs:string"/>
      </xs:sequence></xs:complexType>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="EchoRequest"><wsdl:part name="parameters" element="tns:Echo"/></wsdl:message>
  <wsdl:message name="EchoRequest_Headers">
    <wsdl:part name="Credentials" element="tns:Credentials"/>
  </wsdl:message>
  <wsdl:message name="EchoResponse">
    <wsdl:part name="parameters" element="tns:EchoResponse"/>
  </wsdl:message>
  <wsdl:portType name="Echo">
    <wsdl:operation name="Echo">
      <wsdl:input name="EchoRequest" message="tns:EchoRequest"/>
      <wsdl:output name="EchoResponse" message="tns:EchoResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="BasicHttpBinding_Echo" type="tns:Echo">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Echo">
      <soap:operation soapAction="{action}" style="document"/>
      <wsdl:input name="EchoRequest">
        <soap:header message="tns:EchoRequest_Headers" part="Credentials" use="literal"/>
        <soap:body use="literal"/>
      </wsdl:input>
      <wsdl:output name="EchoResponse"><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
</wsdl:definitions>
""".encode()


def test_every_xsd_type_is_read_and_written(tmp_path: Path) -> None:
    path = tmp_path / "Echo.wsdl"
    path.write_bytes(_every_type_wsdl())
    module_path = tmp_path / "echo_ops.py"
    module_path.write_text(generate(path), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("echo_ops", module_path)
    assert spec is not None
    assert spec.loader is not None
    echo = importlib.util.module_from_spec(spec)
    sys.modules["echo_ops"] = echo
    try:
        spec.loader.exec_module(echo)
    finally:
        del sys.modules["echo_ops"]
    values = {python: value for python, (_, value) in _named(_EVERY_TYPE).items()}
    server = FakeNetServer.with_demo_data()
    assert server.serve_wsdl(path) == "Echo"
    server.answer(echo.ECHO, echo.Everything(**values))
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.call(echo.ECHO, **values) == echo.Everything(**values)
    assert server.received(echo.ECHO) == [values]
    with pytest.raises(ValueError, match="out of the range of xs:unsignedByte"):
        server.answer(echo.ECHO, {"UnsignedByte": 256})
    with pytest.raises(ValueError, match=r"Guid is an xs:guid: give a UUID"):
        server.answer(echo.ECHO, {"Guid": "0f8fad5b-d9cb-469f-a165-70867728950e"})


def _named(types: dict[str, tuple[str, object]]) -> dict[str, tuple[str, object]]:
    """The entries by the snake_case names the generated module gives them."""
    return {attribute_name(name): entry for name, entry in types.items()}
