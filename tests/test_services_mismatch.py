"""An answer in another NetServer Services namespace than the request's is an error, never a success.

Each case shows its failing input: header blocks or a Body payload in, say, Services88 answering a
Services86 request. The error is a ResponseParseError naming both versions, and any failure the
answer reports (``Succeeded=false``, an ExceptionInfo) is named too, so it is never lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    NetServerError,
    ResponseParseError,
    SoPrincipal,
    UserAgent,
    parse_response,
)
from superoffice_soap._namespaces import SOAP11, XSI
from superoffice_soap.operations import namespace
from tests._models import as_read

N86 = namespace("Services86")
N88 = namespace("Services88")
XML = {"Content-Type": "text/xml; charset=utf-8"}
OP = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE

Block = tuple[str, str, object]  # (namespace, local name, text / nil / children)
NIL = object()


def answer(
    headers: Sequence[Block],
    wrapper_ns: str = N86,
    operation: str = "GetUntrustedCredentialsForAssociate",
) -> bytes:
    root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11, "i": XSI})
    if headers:
        header = etree.SubElement(root, f"{{{SOAP11}}}Header")
        for ns, name, value in headers:
            build(header, ns, name, value)
    body = etree.SubElement(root, f"{{{SOAP11}}}Body")
    wrapper = etree.SubElement(
        body, f"{{{wrapper_ns}}}{operation}Response", nsmap={None: wrapper_ns}
    )
    if operation == "GetUntrustedCredentialsForAssociate":
        response = etree.SubElement(wrapper, f"{{{wrapper_ns}}}Response")
        item = etree.SubElement(response, f"{{{wrapper_ns}}}UntrustedCredentials")
        etree.SubElement(item, f"{{{wrapper_ns}}}PublicValue").text = "alice"
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return content


def build(parent: etree._Element, ns: str, name: str, value: object) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", nsmap={None: ns})
    if value is NIL:
        element.set(f"{{{XSI}}}nil", "true")
    elif isinstance(value, str):
        element.text = value
    elif isinstance(value, list):
        for child_name, child_value in value:
            build(element, ns, child_name, child_value)


def parse(content: bytes, services: str = "Services86") -> object:
    return parse_response(OP, 200, XML, content, services=services)


def mismatch(content: bytes, services: str = "Services86") -> ResponseParseError:
    with pytest.raises(ResponseParseError) as info:
        parse(content, services)
    return info.value


OK86: list[Block] = [(N86, "ExceptionInfo", NIL), (N86, "Succeeded", "true")]
EXPIRED: list[tuple[str, object]] = [
    ("Message", "The ticket has expired"),
    ("ExceptionType", "SoSessionExpiredException"),
]


def test_the_matching_answer_parses() -> None:
    assert parse(answer(OK86)) == [as_read(public_value="alice")]


@pytest.mark.parametrize(
    ("headers", "reported"),
    [
        ([(N88, "ExceptionInfo", NIL), (N88, "Succeeded", "false")], "Succeeded=false"),
        ([(N88, "Succeeded", "0")], "Succeeded=false"),
        ([(N88, "ExceptionInfo", EXPIRED)], "ExceptionInfo SoSessionExpiredException"),
        ([(N86, "Succeeded", "true"), (N88, "Succeeded", "false")], "Succeeded=false"),
        ([(N88, "Succeeded", "true"), (N86, "Succeeded", "false")], "Succeeded=false"),
        ([(N86, "ExceptionInfo", EXPIRED), (N88, "ExtraInfo", [])], "SoSessionExpiredException"),
    ],
)
def test_a_failure_in_another_version_is_never_lost(headers: list[Block], reported: str) -> None:
    error = mismatch(answer(headers))
    assert error.path == "Header"
    assert "Services88" in str(error)
    assert "Services86" in str(error)
    assert reported in str(error)


@pytest.mark.parametrize(
    "headers",
    [
        [(N88, "ExceptionInfo", NIL), (N88, "Succeeded", "true")],  # a "success" of another version
        [(N88, "TimeZone", NIL)],
        [(N88, "SomethingNew", "x")],  # any NetServer block, known or not
        [(namespace("Services99"), "Succeeded", "true")],  # a version this client does not know
    ],
)
def test_any_netserver_header_in_another_version_is_an_error(headers: list[Block]) -> None:
    error = mismatch(answer(headers))
    assert error.path == "Header"
    assert "answering a Services86 request" in str(error)
    assert "reports a failure" not in str(error)


def test_the_error_names_the_block_and_the_version() -> None:
    error = mismatch(answer([(N88, "ExceptionInfo", NIL), (N88, "Succeeded", "false")]))
    assert str(error) == (
        "Header: header ExceptionInfo, Succeeded in the Services88 namespace, answering a "
        "Services86 request; it reports a failure: Succeeded=false"
    )


def test_a_header_outside_netserver_is_still_ignored() -> None:
    extra: Block = ("urn:example:tracing", "TraceId", "abc")
    assert parse(answer([*OK86, extra])) == [as_read(public_value="alice")]


def test_a_body_in_another_version_is_an_error() -> None:
    error = mismatch(answer(OK86, wrapper_ns=N88))
    assert error.path == "Body"
    assert "Services88" in str(error)
    assert "Services86" in str(error)
    assert "GetUntrustedCredentialsForAssociateResponse" in str(error)


def test_a_services86_answer_to_a_services88_request() -> None:
    error = mismatch(answer(OK86), services="Services88")
    assert error.path == "Header"
    assert "in the Services86 namespace, answering a Services88 request" in str(error)
    error = mismatch(answer([]), services="Services88")
    assert error.path == "Body"
    assert "in the Services86 namespace, answering a Services88 request" in str(error)


def test_our_own_failure_is_still_a_netserver_error() -> None:
    with pytest.raises(NetServerError):
        parse(answer([(N86, "ExceptionInfo", EXPIRED), (N86, "Succeeded", "false")]))


# ----------------------------------------------------------------------------------------------
# What a user of an agent sees


def mock_client(content: bytes) -> httpx.Client:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers=XML)

    return httpx.Client(transport=httpx.MockTransport(respond))


def test_an_agent_raises_instead_of_returning() -> None:
    content = answer([(N88, "ExceptionInfo", EXPIRED), (N88, "Succeeded", "false")])
    with (
        mock_client(content) as http,
        UserAgent(
            "https://h/Cust1/Remote/Services86", ticket="7T:x", soap_version="1.1", http_client=http
        ) as agent,
        pytest.raises(ResponseParseError, match=r"Services88.*Services86.*Succeeded=false"),
    ):
        agent.get_untrusted_credentials_for_associate(5, "imap")


def test_so_principal_raises_too() -> None:
    content = answer(
        [(N88, "ExceptionInfo", NIL), (N88, "Succeeded", "false")], operation="GetSystemInfo"
    )
    with (
        mock_client(content) as http,
        SoPrincipal("https://h/Cust1/Remote/Services86", soap_version="1.1", http_client=http) as p,
        pytest.raises(ResponseParseError, match="Services88"),
    ):
        p.get_system_info()


def test_an_answer_that_names_a_secret_is_scrubbed() -> None:
    info: list[tuple[str, object]] = [("ExceptionType", "Bad 7T:my-secret-ticket")]
    content = answer([(N88, "ExceptionInfo", info)])
    with pytest.raises(ResponseParseError) as raised:
        parse_response(OP, 200, XML, content, redact=["7T:my-secret-ticket"])
    assert "7T:my-secret-ticket" not in str(raised.value)
    assert "***" in str(raised.value)
