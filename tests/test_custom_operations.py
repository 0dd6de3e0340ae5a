"""Operations this library does not wrap, declared here (in the test file only) and called
through the agents with all the machinery: headers, Services versions, negotiation, strict
errors, NetServer errors, retries, history and secret masking.

`User.GetUserInfo` and `Associate.GetNote` are taken from SuperOffice's documented examples
(tests/reference/examples/User/GetUserInfo.*, …/Associate/GetNote.*); `User.SetPassword` is a
write with a secret parameter. The server is a small handler written here.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from typing import Any, Callable, Optional

import attrs
import httpx
import pytest
from lxml import etree

from superoffice_soap import (
    USER,
    AsyncUserAgent,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    Operation,
    Param,
    ResponseParseError,
    Service,
    UserAgent,
    UserType,
)
from superoffice_soap._namespaces import MS_ARRAYS, SOAP11, SOAP12
from superoffice_soap.models import USER_TYPE
from superoffice_soap.operations import namespace
from superoffice_soap.types import (
    BOOLEAN,
    INT,
    RAW,
    SECRET_STRING,
    SHORT,
    STRING,
    ArrayOf,
    Field,
    Struct,
)

from .conftest import reference_file

TICKET = "7T:custom-ticket-1"
TOKEN = "app-token-1"
PASSWORD = "n3w-Passw0rd!"
BASE = "https://so.example.com/Cust1/Remote/Services86"


# ------------------------------------------------------------------------------------------------
# The declarations a user writes


@attrs.frozen(kw_only=True)
class UserInfo:
    deleted: Optional[bool] = None
    user_info_id: Optional[int] = None
    user_name: Optional[str] = None
    person_id: Optional[int] = None
    rank: Optional[int] = None
    tooltip: Optional[str] = None
    user_group_id: Optional[int] = None
    ej_user_id: Optional[int] = None
    user_type: Optional[UserType] = None
    granted_licenses: Optional[tuple[str, ...]] = None
    can_logon: Optional[bool] = None
    role_name: Optional[str] = None
    role_tooltip: Optional[str] = None
    user_group_name: Optional[str] = None
    user_group_tooltip: Optional[str] = None


USER_INFO = Struct(
    "UserInfo",
    UserInfo,
    (
        Field("Deleted", "deleted", BOOLEAN, nillable=False),
        Field("UserInfoId", "user_info_id", INT, nillable=False),
        Field("UserName", "user_name", STRING),
        Field("PersonId", "person_id", INT, nillable=False),
        Field("Rank", "rank", SHORT, nillable=False),
        Field("Tooltip", "tooltip", STRING),
        Field("UserGroupId", "user_group_id", INT, nillable=False),
        Field("EjUserId", "ej_user_id", INT, nillable=False),
        Field("UserType", "user_type", USER_TYPE, nillable=False),
        Field(
            "GrantedLicenses",
            "granted_licenses",
            ArrayOf("string", STRING, namespace=MS_ARRAYS, into=tuple),
        ),
        Field("CanLogon", "can_logon", BOOLEAN, nillable=False),
        Field("RoleName", "role_name", STRING),
        Field("RoleTooltip", "role_tooltip", STRING),
        Field("UserGroupName", "user_group_name", STRING),
        Field("UserGroupTooltip", "user_group_tooltip", STRING),
    ),
)
GET_USER_INFO: Operation[..., UserInfo] = Operation(
    USER, "GetUserInfo", (Param("user_info_id", "UserInfoId", INT),), USER_INFO, retry_safe=True
)
ASSOCIATE = Service("Associate")
GET_NOTE: Operation[..., list[str]] = Operation(
    ASSOCIATE,
    "GetNote",
    (Param("associate_id", "AssociateId", INT),),
    ArrayOf("string", STRING, namespace=MS_ARRAYS),
    retry_safe=True,
)
SET_PASSWORD: Operation[..., bool] = Operation(
    USER,
    "SetPassword",
    (Param("associate_id", "AssociateId", INT), Param("password", "Password", SECRET_STRING)),
    BOOLEAN,
    retry_safe=False,
)
GET_USER_INFO_RAW: Operation[..., Any] = Operation(
    USER, "GetUserInfo", (Param("user_info_id", "UserInfoId", INT),), RAW, retry_safe=True
)


# ------------------------------------------------------------------------------------------------
# A server for them


@attrs.define
class Server:
    """Answers the three operations like NetServer (SOAP 1.1 only unless ``soap12``); records
    every request; ``script`` may replace the next answers (status, body builder)."""

    soap12: bool = False
    requests: list[httpx.Request] = attrs.Factory(list)
    script: list[Callable[[httpx.Request], httpx.Response]] = attrs.Factory(list)
    fail: Optional[str] = None  # an ExceptionType to answer with Succeeded=false

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)(request)
        soap12 = request.headers["content-type"].startswith("application/soap+xml")
        if soap12 and not self.soap12:
            return httpx.Response(415)
        root = etree.fromstring(request.content)
        env = SOAP12 if soap12 else SOAP11
        body = root.find(f"{{{env}}}Body")
        assert body is not None
        payload = body[0]
        ns = etree.QName(payload).namespace
        assert ns is not None
        name = etree.QName(payload).localname
        out = etree.Element(f"{{{env}}}Envelope", nsmap={"s": env, "a": MS_ARRAYS})
        header = etree.SubElement(out, f"{{{env}}}Header")
        succeeded = etree.SubElement(header, f"{{{ns}}}Succeeded")
        succeeded.text = "false" if self.fail else "true"
        if self.fail:
            info = etree.SubElement(header, f"{{{ns}}}ExceptionInfo")
            etree.SubElement(info, f"{{{ns}}}Message").text = f"refused; echo {request.content!r}"
            etree.SubElement(info, f"{{{ns}}}ExceptionType").text = self.fail
        answer = etree.SubElement(
            etree.SubElement(out, f"{{{env}}}Body"), f"{{{ns}}}{name}Response"
        )
        if not self.fail:
            _fill(answer, name, payload, ns)
        content_type = "application/soap+xml" if soap12 else "text/xml"
        return httpx.Response(
            200,
            content=etree.tostring(out),
            headers={"Content-Type": f"{content_type}; charset=utf-8"},
        )


def _fill(answer: etree._Element, name: str, request: etree._Element, ns: str) -> None:
    response = etree.SubElement(answer, f"{{{ns}}}Response")
    if name == "GetUserInfo":
        user_info_id = request.findtext(f"{{{ns}}}UserInfoId")
        for element, text in (
            ("Deleted", "false"),
            ("UserInfoId", user_info_id),
            ("UserName", "jane.doe"),
            ("PersonId", "17"),
            ("Rank", "-3"),
            ("Tooltip", ""),
            ("UserGroupId", "2"),
            ("EjUserId", "0"),
            ("UserType", "InternalAssociate"),
        ):
            etree.SubElement(response, f"{{{ns}}}{element}").text = text
        licenses = etree.SubElement(response, f"{{{ns}}}GrantedLicenses")
        for licence in ("CRM", "Mail"):
            etree.SubElement(licenses, f"{{{MS_ARRAYS}}}string").text = licence
        for element, text in (("CanLogon", "true"), ("RoleName", "Admin")):
            etree.SubElement(response, f"{{{ns}}}{element}").text = text
    elif name == "GetNote":
        for page in ("page one", "page two"):
            etree.SubElement(response, f"{{{MS_ARRAYS}}}string").text = page
    elif name == "SetPassword":
        response.text = "true"


@pytest.fixture
def server() -> Server:
    return Server()


def agent(server: Server, **options: Any) -> UserAgent:
    client = httpx.Client(transport=httpx.MockTransport(server))
    options.setdefault("retries", 0)
    return UserAgent(
        options.pop("url", BASE),
        ticket=TICKET,
        application_token=TOKEN,
        http_client=client,
        **options,
    )


def _xml(request: httpx.Request) -> etree._Element:
    return etree.fromstring(request.content)


# ------------------------------------------------------------------------------------------------
# The tests


def test_a_declared_user_operation_is_called_with_the_agents_headers(server: Server) -> None:
    with agent(server) as a:
        info = a.call(GET_USER_INFO, user_info_id=7)
    assert info == UserInfo(
        deleted=False,
        user_info_id=7,
        user_name="jane.doe",
        person_id=17,
        rank=-3,
        tooltip="",
        user_group_id=2,
        ej_user_id=0,
        user_type=UserType.INTERNAL_ASSOCIATE,
        granted_licenses=("CRM", "Mail"),
        can_logon=True,
        role_name="Admin",
    )
    last = server.requests[-1]
    assert str(last.url) == f"{BASE}/User.svc"
    assert last.headers["SOAPAction"] == f'"{namespace("Services86")}/User/GetUserInfo"'
    root = _xml(last)
    ns = namespace("Services86")
    assert root.findtext(f".//{{{ns}}}Credentials/{{{ns}}}Ticket") == TICKET
    assert root.findtext(f".//{{{ns}}}ApplicationToken") == TOKEN
    assert root.findtext(f".//{{{ns}}}GetUserInfo/{{{ns}}}UserInfoId") == "7"


def test_an_operation_of_another_service_posts_to_its_svc(server: Server) -> None:
    with agent(server, soap_version="1.1") as a:
        assert a.call(GET_NOTE, associate_id=5) == ["page one", "page two"]
    last = server.requests[-1]
    assert str(last.url) == f"{BASE}/Associate.svc"
    assert last.headers["SOAPAction"] == f'"{namespace("Services86")}/Associate/GetNote"'
    assert TICKET.encode() in last.content  # the ticket goes to every service but SoPrincipal


def test_negotiation_and_services_versions_apply(server: Server) -> None:
    url = "https://so.example.com/Cust1/Remote/Services88"
    with agent(server, url=url) as a:
        a.call(GET_USER_INFO, user_info_id=1)
        a.call(GET_NOTE, associate_id=5)
    types = [r.headers["content-type"].split(";")[0] for r in server.requests]
    assert types == ["application/soap+xml", "text/xml", "text/xml"]  # one 415 in all
    ns88 = namespace("Services88")
    assert all(ns88.encode() in r.content for r in server.requests)
    assert str(server.requests[-1].url) == f"{url}/Associate.svc"


def test_a_soap12_server_gets_the_documentation_envelope(server: Server) -> None:
    server.soap12 = True
    with agent(server) as a:
        assert a.call(GET_USER_INFO, user_info_id=3).user_info_id == 3
    root = _xml(server.requests[-1])
    assert root.tag == f"{{{SOAP12}}}Envelope"
    ns = namespace("Services86")
    value = root.find(f".//{{{ns}}}UserInfoId")
    assert value is not None
    assert value.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "xsd:int"


def test_answers_are_read_strictly(server: Server) -> None:
    loose = Struct("UserInfo", UserInfo, USER_INFO.fields[:3])  # declares too few fields
    partial: Operation[..., UserInfo] = Operation(
        USER, "GetUserInfo", GET_USER_INFO.params, loose, retry_safe=True
    )
    with agent(server, soap_version="1.1") as a, pytest.raises(ResponseParseError) as info:
        a.call(partial, user_info_id=1)
    assert info.value.path == "Body/GetUserInfoResponse/Response/PersonId"
    assert "unexpected element PersonId" in str(info.value)


def test_bad_arguments_send_nothing(server: Server) -> None:
    with agent(server) as a:
        with pytest.raises(InvalidRequestError, match="user_info_id"):
            a.call(GET_USER_INFO, user_info_id="seven")
        with pytest.raises(InvalidRequestError, match="takes no such argument"):
            a.call(GET_USER_INFO, user_id=7)
    assert server.requests == []


def test_netserver_errors_are_raised_and_secrets_masked(server: Server) -> None:
    server.fail = "SoSecurityException"
    with agent(server, soap_version="1.1", history=5) as a:
        with pytest.raises(NetServerError) as info:
            a.call(SET_PASSWORD, associate_id=5, password=PASSWORD)
        history = a.history
    assert info.value.exception_type == "SoSecurityException"
    assert PASSWORD not in str(info.value)
    assert TICKET not in str(info.value)
    assert history
    for exchange in history:
        assert PASSWORD not in exchange.request_body
        assert PASSWORD not in (exchange.response_body or "")
        assert TICKET not in exchange.request_body


def _status(code: int) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, text="<html>busy</html>", headers={"Retry-After": "0"})

    return answer


def test_a_safe_read_is_retried_but_a_write_never_after_sending(server: Server) -> None:
    server.script = [_status(503)]
    with agent(server, soap_version="1.1", retries=2) as a:
        assert a.call(GET_NOTE, associate_id=5) == ["page one", "page two"]
    assert len(server.requests) == 2

    server.requests.clear()
    server.script = [_status(503)]
    with agent(server, soap_version="1.1", retries=2) as a, pytest.raises(HTTPStatusError) as info:
        a.call(SET_PASSWORD, associate_id=5, password=PASSWORD)
    assert len(server.requests) == 1  # retry_safe=False: sent once
    assert PASSWORD not in str(info.value)


def test_a_raw_result_is_the_response_element(server: Server) -> None:
    with agent(server, soap_version="1.1") as a:
        element = a.call(GET_USER_INFO_RAW, user_info_id=9)
    ns = namespace("Services86")
    assert isinstance(element, etree._Element)
    assert element.tag == f"{{{ns}}}Response"
    assert element.findtext(f"{{{ns}}}UserInfoId") == "9"


def test_the_async_agent_calls_declared_operations(server: Server) -> None:
    async def scenario() -> tuple[UserInfo, list[str]]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(server))
        async with AsyncUserAgent(BASE, ticket=TICKET, http_client=client) as a:
            return (
                await a.call(GET_USER_INFO, user_info_id=4),
                await a.call(GET_NOTE, associate_id=5),
            )

    info, note = asyncio.run(scenario())
    assert info.user_info_id == 4
    assert note == ["page one", "page two"]


# ------------------------------------------------------------------------------------------------
# Over a real loopback HTTP server, and the documentation's own answer


class _Handler(http.server.BaseHTTPRequestHandler):
    server_state: Server

    def do_POST(self) -> None:
        content = self.rfile.read(int(self.headers["Content-Length"]))
        request = httpx.Request(
            "POST", f"http://loopback{self.path}", headers=dict(self.headers), content=content
        )
        answer = self.server_state(request)
        answer.read()
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback(server: Server) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"server_state": server})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/Cust1/Remote/Services86"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_over_loopback(server: Server, loopback: str) -> None:
    with UserAgent(loopback, ticket=TICKET) as a:
        assert a.call(GET_NOTE, associate_id=5) == ["page one", "page two"]
        assert a.call(GET_USER_INFO, user_info_id=2).user_name == "jane.doe"


@pytest.mark.parametrize(
    ("operation", "folder", "name"),
    [(GET_USER_INFO, "User", "GetUserInfo"), (GET_NOTE, "Associate", "GetNote")],
)
def test_the_documentations_answers_are_read(
    server: Server, operation: Operation[..., Any], folder: str, name: str
) -> None:
    documented = reference_file("examples", folder, f"{name}.response.xml").read_bytes()
    server.script = [
        lambda request: httpx.Response(
            200, content=documented, headers={"Content-Type": "application/soap+xml"}
        )
    ]
    argument = "user_info_id" if name == "GetUserInfo" else "associate_id"
    with agent(server, soap_version="1.2") as a:
        result = a.call(operation, **{argument: 0})
    if name == "GetUserInfo":
        assert result.user_type == UserType.UNKNOWN
        assert result.granted_licenses == ("",)
        assert result.rank == 0
    else:
        assert result == [""]
