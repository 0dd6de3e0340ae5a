"""Tests of superoffice_soap.testing.FakeNetServer, the in-memory NetServer User-service stand-in.

Requests are built with lxml (or taken from the reference example and transformed with lxml),
never from string templates, and answers are checked with XPath.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import httpx
import pytest
from lxml import etree

from superoffice_soap._namespaces import NS, SOAP11, SOAP12, XSI, XSI_NIL, XSI_TYPE
from superoffice_soap.models import (
    CredentialControlType,
    CredentialType,
    FieldProperty,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from superoffice_soap.operations import OPERATIONS as DECLARED
from superoffice_soap.operations import SERVICES_VERSIONS, namespace
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
    FakeResponse,
    RecordedRequest,
)
from superoffice_soap.testing import __main__ as cli
from tests._models import as_read

from .conftest import reference_file

EXAMPLE = reference_file("examples", "User", "GetUntrustedCredentialsForAssociate.request.xml")

OP = "GetUntrustedCredentialsForAssociate"
ACTION = f"http://www.superoffice.net/ws/crm/NetServer/Services86/User/{OP}"
ADDRESSING_NONE = "http://schemas.microsoft.com/ws/2005/05/addressing/none"
WCF_DISPATCHER = (
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
)
WSA = "http://www.w3.org/2005/08/addressing"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TEXT_XML = "text/xml; charset=utf-8"
SOAP12_CT = f'application/soap+xml; charset=utf-8; action="{ACTION}"'
PATH = "/Cust12345/Remote/Services86/User.svc"
NSMAP11 = {"s": SOAP11, "n": NS, "i": XSI}
NSMAP12 = {"s": SOAP12, "n": NS, "i": XSI}
CARRIER_ORDER = [
    "TableRight",
    "FieldProperties",
    "ValidFrom",
    "ValidTo",
    "Comment",
    "SecretValue",
    "PublicValue",
    "IsActive",
]


# --------------------------------------------------------------------------- request builders


def el(
    name: str, text: Optional[str] = None, *children: etree._Element, ns: str = NS
) -> etree._Element:
    """An element ``{ns}name`` with optional text and children."""
    element = etree.Element(f"{{{ns}}}{name}" if ns else name)
    element.text = text
    element.extend(children)
    return element


def credentials_header(ticket: str = DEMO_TICKET) -> etree._Element:
    return el("Credentials", None, el("Ticket", ticket))


def op_body(associate_id: Optional[str] = "5", type_: Optional[str] = "imap") -> etree._Element:
    children = []
    if associate_id is not None:
        children.append(el("AssociateId", associate_id))
    if type_ is not None:
        children.append(el("Type", type_))
    return el(OP, None, *children)


def envelope(
    payload: Sequence[etree._Element],
    headers: Optional[Sequence[etree._Element]] = None,
    *,
    soap_ns: str = SOAP11,
    before_body: Sequence[etree._Element] = (),
) -> bytes:
    """A SOAP envelope; ``headers`` None means the default Credentials header with DEMO_TICKET."""
    root = etree.Element(f"{{{soap_ns}}}Envelope", nsmap={"soap": soap_ns, "so": NS})
    header_children = [credentials_header()] if headers is None else list(headers)
    if header_children:
        etree.SubElement(root, f"{{{soap_ns}}}Header").extend(header_children)
    root.extend(before_body)
    etree.SubElement(root, f"{{{soap_ns}}}Body").extend(payload)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data


def good_request(ticket: str = DEMO_TICKET, type_: str = "imap") -> bytes:
    return envelope([op_body(type_=type_)], [credentials_header(ticket)])


def post(
    fake: FakeNetServer,
    body: bytes,
    *,
    content_type: Optional[str] = TEXT_XML,
    action: Optional[str] = f'"{ACTION}"',
    path: str = PATH,
    method: str = "POST",
) -> FakeResponse:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if action is not None:
        headers["SOAPAction"] = action
    return fake.handle(method, path, headers, body)


def parse(response: FakeResponse) -> etree._Element:
    return etree.fromstring(response.body)


def xp_text(root: etree._Element, path: str, ns: Optional[dict[str, str]] = None) -> str:
    found = root.xpath(f"string({path})", namespaces=ns or NSMAP11)
    assert isinstance(found, str)
    return found


def xp_all(
    root: etree._Element, path: str, ns: Optional[dict[str, str]] = None
) -> list[etree._Element]:
    found = root.xpath(path, namespaces=ns or NSMAP11)
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, etree._Element)]


def local_names(parent: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in parent if isinstance(child.tag, str)]


def fault11(response: FakeResponse) -> tuple[str, str, str]:
    """(faultcode namespace, faultcode local part, faultstring) of a SOAP 1.1 fault reply."""
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = parse(response)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    (code,) = xp_all(root, "/s:Envelope/s:Body/s:Fault/faultcode")
    (string,) = xp_all(root, "/s:Envelope/s:Body/s:Fault/faultstring")
    assert string.get(XML_LANG) == "en-US"
    prefix, _, local = (code.text or "").partition(":")
    return code.nsmap[prefix] or "", local, string.text or ""


def fault12(response: FakeResponse) -> tuple[str, Optional[str], str]:
    """(Code/Value, Subcode/Value or None, Reason/Text) of a SOAP 1.2 fault reply, prefixes kept."""
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    root = parse(response)
    assert root.tag == f"{{{SOAP12}}}Envelope"
    code = xp_text(root, "/s:Envelope/s:Body/s:Fault/s:Code/s:Value", NSMAP12)
    sub = xp_all(root, "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value", NSMAP12)
    (text,) = xp_all(root, "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text", NSMAP12)
    assert text.get(XML_LANG) == "en-US"
    return code, (sub[0].text if sub else None), text.text or ""


def assert_port_closed(port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def client_fault(response: FakeResponse) -> str:
    ns, code, reason = fault11(response)
    assert (ns, code) == (SOAP11, "Client")
    return reason


@pytest.fixture
def fake() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


# --------------------------------------------------------------------------- HTTP level


@pytest.mark.parametrize(
    "content_type",
    [
        SOAP12_CT,
        None,
        "",
        "application/xml",
        "text/html; charset=utf-8",
        "text/xml; charset=latin-1",
    ],
)
def test_unsupported_content_type_is_415_with_empty_body(
    fake: FakeNetServer, content_type: Optional[str]
) -> None:
    response = post(fake, good_request(), content_type=content_type)
    assert response.status_code == 415
    assert response.body == b""
    assert fake.requests[-1].soap_version is None


@pytest.mark.parametrize("content_type", ["TEXT/XML", "text/xml", "Text/Xml ; Charset=UTF-8"])
def test_text_xml_any_case_and_params(fake: FakeNetServer, content_type: str) -> None:
    assert post(fake, good_request(), content_type=content_type).status_code == 200


def test_wrong_path_is_404_and_get_is_405(fake: FakeNetServer) -> None:
    assert (
        post(fake, good_request(), path="/Cust12345/Remote/Services86/Other.svc").status_code == 404
    )
    not_allowed = post(fake, good_request(), method="GET")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["Content-Type"].startswith("text/plain")
    assert post(fake, good_request(), path="/a/b/USER.SVC").status_code == 404  # no /Remote
    assert post(fake, good_request(), path="/cust1/REMOTE/services86/USER.SVC").status_code == 200


# --------------------------------------------------------------------------- SOAP 1.2


def test_soap12_accepted_when_enabled_and_answered_in_12() -> None:
    fake = FakeNetServer.with_demo_data(accept_soap12=True)
    body = envelope([op_body()], soap_ns=SOAP12)
    response = post(fake, body, content_type=SOAP12_CT, action=None)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    root = parse(response)
    assert root.tag == f"{{{SOAP12}}}Envelope"
    assert xp_text(root, "/s:Envelope/s:Header/n:Succeeded", NSMAP12) == "true"
    found = xp_all(
        root, f"/s:Envelope/s:Body/n:{OP}Response/n:Response/n:UntrustedCredentials", NSMAP12
    )
    assert len(found) == 2
    assert fake.requests[-1].soap_version == "1.2"
    assert fake.requests[-1].action == ACTION


def test_soap12_without_action_parameter_is_action_not_supported() -> None:
    fake = FakeNetServer.with_demo_data(accept_soap12=True)
    body = envelope([op_body()], soap_ns=SOAP12)
    response = post(fake, body, content_type="application/soap+xml; charset=utf-8", action=ACTION)
    code, sub, reason = fault12(response)
    assert code == "s:Sender"
    assert sub == "a:ActionNotSupported"
    (value,) = xp_all(parse(response), "//s:Subcode/s:Value", NSMAP12)
    assert value.nsmap["a"] == ADDRESSING_NONE
    assert "ContractFilter mismatch" in reason


def test_soap12_version_mismatch_and_sender_faults() -> None:
    fake = FakeNetServer.with_demo_data(accept_soap12=True)
    code, sub, _ = fault12(post(fake, good_request(), content_type=SOAP12_CT))
    assert (code, sub) == ("s:VersionMismatch", None)
    code, _, reason = fault12(post(fake, b"<not-xml", content_type=SOAP12_CT))
    assert code == "s:Sender"
    assert "well-formed" in reason


# --------------------------------------------------------------------------- action dispatch


@pytest.mark.parametrize(
    "action",
    [
        None,
        "",
        '""',
        "http://www.superoffice.net/ws/crm/NetServer/Services86/User/NoSuchOperation",
        "http://www.superoffice.net/ws/crm/NetServer/Services86/SoPrincipal/GetSystemInfo",
        ACTION.lower(),
    ],
)
def test_unknown_action_is_action_not_supported(fake: FakeNetServer, action: Optional[str]) -> None:
    ns, code, reason = fault11(post(fake, good_request(), action=action))
    assert (ns, code) == (ADDRESSING_NONE, "ActionNotSupported")
    shown = (action or "").strip('"')
    assert f"The message with Action '{shown}' cannot be processed at the receiver" in reason
    assert "ContractFilter mismatch at the EndpointDispatcher" in reason
    assert fake.requests[-1].operation is None


@pytest.mark.parametrize("action", [f'"{ACTION}"', ACTION, f' "{ACTION}" '])
def test_quoted_and_bare_action_accepted(fake: FakeNetServer, action: str) -> None:
    assert post(fake, good_request(), action=action).status_code == 200
    assert fake.requests[-1].action == ACTION
    assert fake.requests[-1].operation == OP


# --------------------------------------------------------------------------- envelope checks


def test_soap12_envelope_on_text_xml_is_version_mismatch(fake: FakeNetServer) -> None:
    ns, code, reason = fault11(post(fake, envelope([op_body()], soap_ns=SOAP12)))
    assert (ns, code) == (SOAP11, "VersionMismatch")
    assert SOAP12 in reason


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "empty"),
        (b"<soap:Envelope", "well-formed"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "DOCTYPE"),
        (etree.tostring(el("Foo", None, ns=SOAP11)), "not a SOAP 1.1 Envelope"),
    ],
)
def test_bad_xml_is_client_fault(fake: FakeNetServer, body: bytes, needle: str) -> None:
    assert needle in client_fault(post(fake, body))


def test_doctype_before_a_valid_envelope_is_rejected(fake: FakeNetServer) -> None:
    body = b"<!DOCTYPE Envelope>" + good_request().split(b"?>", 1)[1]
    assert "DOCTYPE" in client_fault(post(fake, body))


@pytest.mark.parametrize("name", ["ApplicationToken", "Credentials"])
def test_header_misplaced_under_envelope_is_rejected(fake: FakeNetServer, name: str) -> None:
    stray = el(name, "x") if name == "ApplicationToken" else credentials_header()
    reason = client_fault(post(fake, envelope([op_body()], before_body=[stray])))
    assert name in reason
    assert "Header" in reason
    assert DEMO_TICKET not in reason


def test_reference_example_as_documented_is_rejected() -> None:
    fake = FakeNetServer.with_demo_data(accept_soap12=True)
    _, _, reason = fault12(post(fake, EXAMPLE.read_bytes(), content_type=SOAP12_CT))
    assert "ApplicationToken" in reason


def test_reference_example_fixed_with_lxml_succeeds() -> None:
    source = etree.fromstring(EXAMPLE.read_bytes())
    token, credentials = (
        copy.deepcopy(source.find(f"{{{NS}}}{name}"))
        for name in ("ApplicationToken", "Credentials")
    )
    assert token is not None
    assert credentials is not None
    ticket = credentials.find(f"{{{NS}}}Ticket")
    assert ticket is not None
    ticket.text = DEMO_TICKET
    request = copy.deepcopy(source.find(f"{{{SOAP12}}}Body/{{{NS}}}{OP}"))
    assert request is not None
    request[0].text = str(DEMO_ASSOCIATE_ID)
    request[1].text = "smtp"
    fake = FakeNetServer.with_demo_data(application_token=token.text)
    response = post(fake, envelope([request], [token, credentials]))
    assert response.status_code == 200
    found = xp_all(parse(response), "//n:Response/n:UntrustedCredentials")
    assert len(found) == 1


def test_ws_addressing_header_is_rejected(fake: FakeNetServer) -> None:
    headers = [el("Action", ACTION, ns=WSA), credentials_header()]
    assert "WS-Addressing" in client_fault(post(fake, envelope([op_body()], headers)))


@pytest.mark.parametrize(
    ("headers", "needle"),
    [
        ([el("Unknown", "x"), credentials_header()], "Unknown"),
        ([credentials_header(), el("ApplicationToken", "t")], "out of order"),
        ([credentials_header(), credentials_header()], "more than once"),
        ([el("Credentials", None, el("Ticket", None, el("Nested", "secret")))], "text only"),
        ([credentials_header(), el("TimeZone", None, el("SoTimeZoneId", "x1"))], "xs:int"),
        ([el("Credentials", None, el("Ticket", DEMO_TICKET), el("Extra"))], "Extra"),
    ],
)
def test_bad_headers_are_client_faults(
    fake: FakeNetServer, headers: list[etree._Element], needle: str
) -> None:
    reason = client_fault(post(fake, envelope([op_body()], headers)))
    assert needle in reason
    assert "secret" not in reason
    assert DEMO_TICKET not in reason


def test_all_three_headers_in_order_are_accepted(fake: FakeNetServer) -> None:
    headers = [
        el("ApplicationToken", "anything"),
        credentials_header(),
        el("TimeZone", None, el("SoTimeZoneId", "37"), el("SoTimeZoneLocationCode", "NOOSL")),
    ]
    assert post(fake, envelope([op_body()], headers)).status_code == 200


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ([el("GetUntrustedCredentials", None, el("Type", "imap"))], "GetUntrustedCredentials"),
        ([el(OP, None, ns="urn:other")], "urn:other"),
        ([op_body(), op_body()], "exactly one"),
        ([], "exactly one"),
    ],
)
def test_wrong_body_element_is_client_fault(
    fake: FakeNetServer, payload: list[etree._Element], needle: str
) -> None:
    assert needle in client_fault(post(fake, envelope(payload)))


@pytest.mark.parametrize("value", ["abc", "99999999999", "1.0", "", "0x10", "١"])
def test_bad_associate_id_is_client_fault(fake: FakeNetServer, value: str) -> None:
    reason = client_fault(post(fake, envelope([op_body(associate_id=value)])))
    assert "AssociateId" in reason
    assert "xs:int" in reason


def test_nil_associate_id_is_client_fault(fake: FakeNetServer) -> None:
    request = op_body()
    request[0].text = None
    request[0].set(XSI_NIL, "true")
    assert "not nillable" in client_fault(post(fake, envelope([request])))


@pytest.mark.parametrize(
    ("children", "needle"),
    [
        ([el("Type", "imap"), el("AssociateId", "5")], "out of order"),
        ([el("AssociateId", "5"), el("AssociateId", "5")], "more than once"),
        ([el("AssociateId", "5"), el("Bogus", "1")], "Bogus"),
        ([el("AssociateId", "5", ns="")], "AssociateId"),
    ],
)
def test_bad_request_children_are_client_faults(
    fake: FakeNetServer, children: list[etree._Element], needle: str
) -> None:
    assert needle in client_fault(post(fake, envelope([el(OP, None, *children)])))


def test_text_where_an_element_is_expected_is_client_fault(fake: FakeNetServer) -> None:
    request = op_body()
    request.text = "stray"
    assert "stray" in client_fault(post(fake, envelope([request])))


def test_xsi_type_attributes_and_whitespace_are_accepted(fake: FakeNetServer) -> None:
    request = op_body(associate_id=" 5\n")
    request[0].set(XSI_TYPE, "xsd:int")
    request[1].set(XSI_TYPE, "xsd:string")
    response = post(fake, envelope([request]))
    assert len(xp_all(parse(response), "//n:UntrustedCredentials")) == 2


@pytest.mark.parametrize(("associate_id", "type_"), [(None, "imap"), ("5", None), ("5", "pop3")])
def test_missing_arguments_use_dotnet_defaults(
    fake: FakeNetServer, associate_id: Optional[str], type_: Optional[str]
) -> None:
    root = parse(post(fake, envelope([op_body(associate_id, type_)])))
    assert xp_text(root, "//n:Succeeded") == "true"
    (response,) = xp_all(root, f"/s:Envelope/s:Body/n:{OP}Response/n:Response")
    assert len(response) == 0


# --------------------------------------------------------------------------- NetServer errors


def _assert_netserver_error(response: FakeResponse, exception_type: str) -> etree._Element:
    assert response.status_code == 200
    root = parse(response)
    assert xp_text(root, "/s:Envelope/s:Header/n:Succeeded") == "false"
    (info,) = xp_all(root, "/s:Envelope/s:Header/n:ExceptionInfo")
    assert info.get(XSI_NIL) is None
    assert xp_text(info, "n:ExceptionType") == exception_type
    assert xp_text(info, "n:Source") == "SoCore"
    assert xp_text(info, "n:Message")
    assert xp_text(info, "n:FriendlyText")
    (parameters,) = xp_all(info, "n:Parameters")
    assert len(parameters) == 0
    (wrapper,) = xp_all(root, f"/s:Envelope/s:Body/n:{OP}Response")
    assert len(wrapper) == 0
    return root


@pytest.mark.parametrize("ticket", ["7T:unknown-ticket-XYZ", "", DEMO_TICKET + " "])
def test_unknown_ticket_is_netserver_error_without_echo(fake: FakeNetServer, ticket: str) -> None:
    response = post(fake, good_request(ticket=ticket))
    root = _assert_netserver_error(response, "SoSecurityException")
    assert "authenticate" in xp_text(root, "//n:ExceptionInfo/n:Message")
    if ticket:
        assert ticket.encode() not in response.body


def test_missing_credentials_header_is_netserver_error(fake: FakeNetServer) -> None:
    _assert_netserver_error(post(fake, envelope([op_body()], [])), "SoSecurityException")


@pytest.mark.parametrize("sent", [None, "wrong-app-token-123", "APP-TOKEN-SECRET "])
def test_wrong_application_token_is_netserver_error(sent: Optional[str]) -> None:
    fake = FakeNetServer.with_demo_data(application_token="APP-TOKEN-SECRET")
    headers = [credentials_header()]
    if sent is not None:
        headers.insert(0, el("ApplicationToken", sent))
    response = post(fake, envelope([op_body()], headers))
    root = _assert_netserver_error(response, "InvalidApplicationTokenException")
    assert "application token" in xp_text(root, "//n:ExceptionInfo/n:Message").lower()
    assert b"APP-TOKEN-SECRET" not in response.body
    assert b"wrong-app-token" not in response.body
    assert "APP-TOKEN-SECRET" not in repr(fake)


def test_right_application_token_succeeds() -> None:
    fake = FakeNetServer.with_demo_data(application_token="APP-TOKEN-SECRET")
    headers = [el("ApplicationToken", "APP-TOKEN-SECRET"), credentials_header()]
    response = post(fake, envelope([op_body()], headers))
    assert xp_text(parse(response), "//n:Succeeded") == "true"


# --------------------------------------------------------------------------- success


def test_success_headers_and_carrier_fields(fake: FakeNetServer) -> None:
    response = post(fake, good_request())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.body.startswith(b"<?xml")
    root = parse(response)
    assert root.prefix == "s"
    (header,) = xp_all(root, "/s:Envelope/s:Header")
    assert local_names(header) == ["ExceptionInfo", "ExtraInfo", "Succeeded", "TimeZone"]
    assert all(etree.QName(child).namespace == NS for child in header)
    assert xp_all(root, "//s:Header/n:ExceptionInfo[@i:nil='true' and not(*)]")
    assert xp_all(root, "//s:Header/n:ExtraInfo[not(@i:nil) and not(*)]")
    assert xp_all(root, "//s:Header/n:TimeZone[@i:nil='true']")
    assert xp_text(root, "//s:Header/n:Succeeded") == "true"

    (wrapper,) = xp_all(root, f"/s:Envelope/s:Body/n:{OP}Response")
    assert wrapper.prefix is None  # DataContractSerializer's default-namespace style
    first, second = xp_all(wrapper, "n:Response/n:UntrustedCredentials")
    assert local_names(first) == CARRIER_ORDER
    assert local_names(second) == CARRIER_ORDER
    assert xp_text(first, "n:TableRight/n:Mask") == "Select Update"
    assert xp_all(first, "n:TableRight/n:Reason[@i:nil='true']")
    (pair,) = xp_all(first, "n:FieldProperties/n:FieldPropertyDictionaryKeyValuePair")
    assert local_names(pair) == ["Key", "Value"]
    assert local_names(pair[1]) == ["FieldRight", "FieldType", "FieldLength"]
    assert xp_text(pair, "n:Key") == "SecretValue"
    assert xp_text(pair, "n:Value/n:FieldRight/n:Mask") == "Read Write"
    assert xp_text(pair, "n:Value/n:FieldLength") == "255"
    assert xp_text(first, "n:ValidFrom") == "2021-03-25T21:36:23+02:00"
    assert xp_text(first, "n:ValidTo") == "9999-12-31T23:59:59.9999999"
    assert xp_text(first, "n:IsActive") == "true"
    assert xp_text(first, "n:PublicValue") == "jane.doe@example.com"
    assert xp_text(second, "n:IsActive") == "false"
    assert xp_all(second, "n:Comment[@i:nil='true']")
    assert xp_all(second, "n:FieldProperties[not(*) and not(@i:nil)]")


def test_smtp_credential_has_nil_field_properties(fake: FakeNetServer) -> None:
    root = parse(post(fake, good_request(type_="smtp")))
    (item,) = xp_all(root, "//n:Response/n:UntrustedCredentials")
    assert xp_all(item, "n:FieldProperties[@i:nil='true']")
    assert xp_text(item, "n:TableRight/n:Mask") == "Select Update Insert Delete"
    assert xp_text(item, "n:ValidFrom") == "2022-06-01T08:00:00Z"


def test_none_values_are_written_as_dotnet_defaults_or_nil() -> None:
    fake = FakeNetServer()
    fake.add_ticket("7T:t", 9)
    fake.add_credentials(9, "x", as_read())
    fake.add_credentials(
        9,
        "x",
        as_read(
            table_right=TableRight(mask=frozenset({"Delete", "Zeta", "Select", "Insert"})),
            field_properties={"A": FieldProperty()},
            valid_from=datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        ),
    )
    fake.add_credentials(9, "x", as_read(table_right=TableRight()))
    body = envelope([op_body("9", "x")], [credentials_header("7T:t")])
    empty, masked, no_flags = xp_all(parse(post(fake, body)), "//n:Response/n:UntrustedCredentials")
    assert local_names(empty) == CARRIER_ORDER
    assert xp_text(empty, "n:ValidFrom") == "0001-01-01T00:00:00"
    assert xp_text(empty, "n:ValidTo") == "0001-01-01T00:00:00"
    assert xp_text(empty, "n:IsActive") == "false"
    for name in ("TableRight", "FieldProperties", "Comment", "SecretValue", "PublicValue"):
        assert xp_all(empty, f"n:{name}[@i:nil='true' and not(node())]"), name
    assert xp_text(masked, "n:TableRight/n:Mask") == "Select Insert Delete Zeta"
    (value,) = xp_all(masked, "n:FieldProperties/*/n:Value")
    assert xp_all(value, "n:FieldRight[@i:nil='true']")
    assert xp_all(value, "n:FieldType[@i:nil='true']")
    assert xp_text(value, "n:FieldLength") == "0"
    assert xp_text(masked, "n:ValidFrom") == "2020-01-02T03:04:05Z"
    assert xp_all(no_flags, "n:TableRight/n:Mask[not(node())]")


def test_unserialisable_stored_value_is_internal_service_fault() -> None:
    fake = FakeNetServer()
    fake.add_ticket("7T:t", 1)
    fake.add_credentials(1, "x", UntrustedCredentials(comment="bad\x00char"))
    response = post(fake, envelope([op_body("1", "x")], [credentials_header("7T:t")]))
    ns, code, reason = fault11(response)
    assert (ns, code) == (WCF_DISPATCHER, "InternalServiceFault")
    assert "internal error" in reason


# --------------------------------------------------------------------------- recording


def test_every_request_is_recorded(fake: FakeNetServer) -> None:
    post(fake, good_request(), content_type=None)
    post(fake, good_request(), path="/nope")
    post(fake, good_request(), action="urn:x")
    post(fake, b"<broken")
    post(fake, good_request())
    assert [r.soap_version for r in fake.requests] == [None, None, "1.1", "1.1", "1.1"]
    assert [r.operation for r in fake.requests] == [None, None, None, OP, OP]
    last = fake.requests[-1]
    assert isinstance(last, RecordedRequest)
    assert last.method == "POST"
    assert last.path == PATH
    assert last.headers == {"content-type": TEXT_XML, "soapaction": f'"{ACTION}"'}
    assert last.body == good_request()
    assert "body" not in repr(last)
    assert DEMO_TICKET not in repr(last)


# --------------------------------------------------------------------------- httpx transport


def test_mock_transport_with_sync_client(fake: FakeNetServer) -> None:
    with httpx.Client(transport=fake.transport(), base_url="http://netserver") as client:
        response = client.post(
            PATH, content=good_request(), headers={"Content-Type": TEXT_XML, "SOAPAction": ACTION}
        )
        missing_type = client.post(PATH, content=good_request())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert len(xp_all(etree.fromstring(response.content), "//n:UntrustedCredentials")) == 2
    assert missing_type.status_code == 415
    assert fake.requests[0].path == PATH


def test_mock_transport_with_async_client(fake: FakeNetServer) -> None:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            return list(
                await asyncio.gather(
                    *(
                        client.post(
                            f"http://netserver{PATH}",
                            content=good_request(type_=kind),
                            headers={"Content-Type": TEXT_XML, "SOAPAction": ACTION},
                        )
                        for kind in ("imap", "smtp", "imap", "none")
                    )
                )
            )

    responses = asyncio.run(run())
    counts = [
        len(xp_all(etree.fromstring(r.content), "//n:UntrustedCredentials")) for r in responses
    ]
    assert counts == [2, 1, 2, 0]
    assert len(fake.requests) == 4


# --------------------------------------------------------------------------- real server


def _soap_post(client: httpx.Client, url: str, type_: str = "imap") -> httpx.Response:
    return client.post(
        url,
        content=good_request(type_=type_),
        headers={"Content-Type": TEXT_XML, "SOAPAction": f'"{ACTION}"'},
    )


def test_real_server_keep_alive(fake: FakeNetServer) -> None:
    with fake.serve() as running, httpx.Client() as client:
        assert running.base_url == f"http://127.0.0.1:{running.port}/Cust12345/Remote/Services86"
        assert running.url == f"{running.base_url}/User.svc"
        first = _soap_post(client, running.url)
        second = _soap_post(client, running.url, "smtp")
        peers = [
            r.extensions["network_stream"].get_extra_info("client_addr") for r in (first, second)
        ]
        unsupported = client.post(running.url, content=b"x")
    assert first.status_code == second.status_code == 200
    assert first.headers["content-length"] == str(len(first.content))
    assert first.http_version == "HTTP/1.1"
    assert peers[0] == peers[1]
    assert len(xp_all(etree.fromstring(second.content), "//n:UntrustedCredentials")) == 1
    assert unsupported.status_code == 415
    assert unsupported.headers["content-length"] == "0"
    assert [r.path for r in fake.requests] == [PATH] * 3


def test_real_server_concurrent_threads(fake: FakeNetServer) -> None:
    with fake.serve() as running:

        def worker(index: int) -> list[int]:
            with httpx.Client() as client:
                kind = "imap" if index % 2 else "smtp"
                return [
                    len(
                        xp_all(
                            etree.fromstring(_soap_post(client, running.url, kind).content),
                            "//n:UntrustedCredentials",
                        )
                    )
                    for _ in range(5)
                ]

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(worker, range(8)))
    assert results == [[1] * 5 if index % 2 == 0 else [2] * 5 for index in range(8)]
    assert len(fake.requests) == 40


def test_serve_frees_the_port_and_closes_idle_connections_on_exit(fake: FakeNetServer) -> None:
    with httpx.Client() as client:
        with fake.serve() as running:
            port = running.port
            assert _soap_post(client, running.url).status_code == 200  # keep-alive stays open
            assert any(t.name.startswith("FakeNetServer") for t in threading.enumerate())
        # The client still holds its keep-alive connection; the server must not wait for it.
        assert not any(t.name.startswith("FakeNetServer") for t in threading.enumerate())
    assert_port_closed(port)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


# --------------------------------------------------------------------------- CLI


def test_cli_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    assert "--soap12" in capsys.readouterr().out


def test_cli_argument_parsing() -> None:
    defaults = cli.build_parser().parse_args([])
    assert (defaults.host, defaults.port, defaults.soap12) == ("127.0.0.1", 8086, False)
    given = cli.build_parser().parse_args(["--host", "0.0.0.0", "--port", "0", "--soap12"])
    assert (given.host, given.port, given.soap12) == ("0.0.0.0", 0, True)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--port", "abc"])


def test_cli_serves_demo_data_until_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, object] = {}

    def fake_wait() -> None:
        out = capsys.readouterr().out
        seen["out"] = out
        url = next(word for word in out.split() if word.endswith("/User.svc"))
        seen["url"] = url
        with httpx.Client() as client:
            seen["status"] = _soap_post(client, url).status_code
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_wait_forever", fake_wait)
    assert cli.main(["--port", "0"]) == 0
    assert seen["status"] == 200
    out = str(seen["out"])
    assert DEMO_TICKET in out
    curl_line = next(line for line in out.splitlines() if "curl" in line)
    assert curl_line.rstrip().endswith("/User.svc")  # the whole command is on one line
    port = httpx.URL(str(seen["url"])).port
    assert port is not None
    assert_port_closed(port)


def test_cli_port_in_use_returns_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["--port", str(port)]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_cli_example_request_is_accepted(fake: FakeNetServer) -> None:
    body = cli.example_request(DEMO_TICKET, DEMO_ASSOCIATE_ID, "smtp")
    assert len(xp_all(parse(post(fake, body)), "//n:UntrustedCredentials")) == 1


def test_state_is_thread_safe() -> None:
    fake = FakeNetServer()
    fake.add_ticket("7T:t", 1)

    def add(index: int) -> None:
        for _ in range(50):
            fake.add_credentials(1, "x", UntrustedCredentials(public_value=str(index)))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    body = envelope([op_body("1", "x")], [credentials_header("7T:t")])
    assert len(xp_all(parse(post(fake, body)), "//n:UntrustedCredentials")) == 400


# =========================================================================== every operation

NS84 = namespace("Services84")
NS88 = namespace("Services88")
MS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
CRYPTO = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"
NSMAP_ALL = {**NSMAP11, "a": MS_ARRAYS, "c": CRYPTO}
PRINCIPAL_ORDER = [
    "UserType",
    "Associate",
    "AssociateId",
    "IsPerson",
    "PersonId",
    "CountryId",
    "HomeCountryId",
    "ContactId",
    "GroupId",
    "BusinessId",
    "CategoryId",
    "ContactOwner",
    "RoleId",
    "RoleName",
    "RoleDescription",
    "RoleType",
    "Licenses",
    "FullName",
    "EMailAddress",
    "FunctionRights",
    "EjUserId",
    "EjAccessLevel",
    "EjUserStatus",
    "ProvidedCredentials",
    "SecondaryGroups",
    "DatabaseContextIdentifier",
]
CREDENTIAL_TYPE_ORDER = [
    "TableRight",
    "FieldProperties",
    "DisplayType",
    "Type",
    "Description",
    "ValueControl",
    "CanCreatePerson",
    "IsUserNameSupported",
]


def soap_call(
    fake: FakeNetServer,
    service: str,
    op: str,
    children: Sequence[etree._Element] = (),
    headers: Optional[Sequence[etree._Element]] = None,
    *,
    services: str = "Services86",
    body_ns: Optional[str] = None,
    action_services: Optional[str] = None,
) -> FakeResponse:
    """POST one request to ``…/<services>/<service>.svc``; User calls carry DEMO_TICKET unless
    ``headers`` is given."""
    ns = namespace(services)
    if headers is None:
        headers = [credentials_header_ns(DEMO_TICKET, ns)] if service == "User" else []
    payload = el(op, None, *children, ns=body_ns or ns)
    action = f"{namespace(action_services or services)}/{service}/{op}"
    path = f"/Cust12345/Remote/{services}/{service}.svc"
    return post(fake, envelope([payload], headers), action=f'"{action}"', path=path)


def credentials_header_ns(ticket: str, ns: str = NS) -> etree._Element:
    return el("Credentials", None, el("Ticket", ticket, ns=ns), ns=ns)


def ok_wrapper(response: FakeResponse, name: str, ns: str = NS) -> etree._Element:
    """The response wrapper of a successful answer (Succeeded true, HTTP 200)."""
    assert response.status_code == 200, response.body
    root = parse(response)
    namespaces = {**NSMAP_ALL, "n": ns}
    assert xp_text(root, "/s:Envelope/s:Header/n:Succeeded", namespaces) == "true"
    (wrapper,) = xp_all(root, f"/s:Envelope/s:Body/n:{name}", namespaces)
    return wrapper


def netserver_error(response: FakeResponse, wrapper: str) -> tuple[str, str, etree._Element]:
    """(ExceptionType, Message, the response wrapper) of a Succeeded=false answer."""
    assert response.status_code == 200
    root = parse(response)
    assert xp_text(root, "/s:Envelope/s:Header/n:Succeeded") == "false"
    (body,) = xp_all(root, f"/s:Envelope/s:Body/n:{wrapper}")
    return (
        xp_text(root, "//s:Header/n:ExceptionInfo/n:ExceptionType"),
        xp_text(root, "//s:Header/n:ExceptionInfo/n:Message"),
        body,
    )


def login(fake: FakeNetServer, username: str, password: str) -> FakeResponse:
    return soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateUsernamePassword",
        [el("UserName", username), el("Password", password)],
    )


def ticket_of(response: FakeResponse) -> str:
    wrapper = ok_wrapper(response, "AuthenticateResponse")
    assert xp_text(wrapper, "n:AuthenticationSucceeded") == "true"
    return xp_text(wrapper, "n:Credentials/n:Ticket")


def own_credentials(fake: FakeNetServer, ticket: str, type_: str = "imap") -> list[etree._Element]:
    response = soap_call(
        fake,
        "User",
        "GetUntrustedCredentials",
        [el("Type", type_)],
        [credentials_header_ns(ticket)],
    )
    wrapper = ok_wrapper(response, "GetUntrustedCredentialsResponse")
    return xp_all(wrapper, "n:Response/n:UntrustedCredentials")


def credentials_el(*children: etree._Element) -> etree._Element:
    return el("Credentials", None, *children)


# --------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize("services", SERVICES_VERSIONS)
def test_every_declared_operation_is_served_from_its_min_services(services: str) -> None:
    fake = FakeNetServer.with_demo_data(services=services)
    number = int(services[-2:])
    for (service, name), declared in DECLARED.items():
        response = soap_call(fake, service, name, services=services)
        if number < declared.min_services:
            ns, code, _ = fault11(response)
            assert (ns, code) == (ADDRESSING_NONE, "ActionNotSupported"), name
            continue
        assert response.status_code == 200, (services, name, response.body)
        (wrapper,) = xp_all(parse(response), "/s:Envelope/s:Body/*")
        expected = declared.response_element or f"{name}Response"
        assert wrapper.tag == f"{{{namespace(services)}}}{expected}"
        assert fake.requests[-1].operation == name


def test_unknown_services_version_is_refused() -> None:
    with pytest.raises(ValueError, match="Services86"):
        FakeNetServer(services="Services99")


@pytest.mark.parametrize(
    ("path_service", "action_service", "op"),
    [
        ("User", "SoPrincipal", "GetSystemInfo"),
        ("SoPrincipal", "User", "GetCredentialTypes"),
        ("User", "SoPrincipal", "AuthenticateUsernamePassword"),
    ],
)
def test_action_of_the_other_service_is_action_not_supported(
    fake: FakeNetServer, path_service: str, action_service: str, op: str
) -> None:
    body = envelope([el(op)], [])
    response = post(
        fake,
        body,
        action=f"{NS}/{action_service}/{op}",
        path=f"/Cust12345/Remote/Services86/{path_service}.svc",
    )
    ns, code, reason = fault11(response)
    assert (ns, code) == (ADDRESSING_NONE, "ActionNotSupported")
    assert f"{action_service}/{op}" in reason
    assert fake.requests[-1].operation is None


def test_soprincipal_path_is_case_insensitive(fake: FakeNetServer) -> None:
    response = post(
        fake,
        envelope([el("GetSystemInfo")], []),
        action=f"{NS}/SoPrincipal/GetSystemInfo",
        path="/x/REMOTE/SERVICES86/SOPRINCIPAL.SVC",
    )
    ok_wrapper(response, "GetSystemInfoResponse")


@pytest.mark.parametrize(
    "header",
    [
        credentials_header(),
        el("TimeZone", None, el("SoTimeZoneId", "37")),
    ],
)
def test_soprincipal_refuses_user_headers(fake: FakeNetServer, header: etree._Element) -> None:
    response = soap_call(fake, "SoPrincipal", "GetSystemInfo", headers=[header])
    reason = client_fault(response)
    assert etree.QName(header).localname in reason
    assert "ApplicationToken" in reason
    assert DEMO_TICKET not in reason


def test_soprincipal_checks_the_application_token() -> None:
    fake = FakeNetServer.with_demo_data(application_token="APP-SECRET")
    refused = soap_call(fake, "SoPrincipal", "GetSystemInfo")
    exception_type, _, wrapper = netserver_error(refused, "GetSystemInfoResponse")
    assert exception_type == "InvalidApplicationTokenException"
    assert len(wrapper) == 0
    bad_login = soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateUsernamePassword",
        [el("UserName", DEMO_USERNAME), el("Password", DEMO_PASSWORD)],
        [el("ApplicationToken", "wrong")],
    )
    exception_type, _, wrapper = netserver_error(bad_login, "AuthenticateResponse")
    assert exception_type == "InvalidApplicationTokenException"
    assert xp_text(wrapper, "n:AuthenticationSucceeded") == "false"
    assert fake.issued_tickets() == []
    accepted = soap_call(
        fake, "SoPrincipal", "GetSystemInfo", headers=[el("ApplicationToken", "APP-SECRET")]
    )
    ok_wrapper(accepted, "GetSystemInfoResponse")
    assert b"APP-SECRET" not in refused.body + bad_login.body + accepted.body


# --------------------------------------------------------------------------- Services versions


def test_services88_answers_in_its_namespace() -> None:
    fake = FakeNetServer.with_demo_data(services="Services88")
    response = soap_call(
        fake,
        "User",
        "GetUntrustedCredentialsForAssociate",
        [el("AssociateId", "5", ns=NS88), el("Type", "imap", ns=NS88)],
        services="Services88",
    )
    wrapper = ok_wrapper(response, "GetUntrustedCredentialsForAssociateResponse", NS88)
    assert wrapper.nsmap[None] == NS88
    assert len(xp_all(wrapper, "n:Response/n:UntrustedCredentials", {"n": NS88})) == 2
    assert NS.encode() not in response.body
    for header in xp_all(parse(response), "/s:Envelope/s:Header/*"):
        assert etree.QName(header).namespace == NS88


def test_services88_refuses_a_services86_body_and_headers() -> None:
    fake = FakeNetServer.with_demo_data(services="Services88")
    body86 = soap_call(
        fake,
        "User",
        "GetUntrustedCredentialsForAssociate",
        [el("AssociateId", "5"), el("Type", "imap")],
        services="Services88",
        body_ns=NS,
    )
    reason = client_fault(body86)
    assert NS in reason
    assert NS88 in reason
    headers86 = soap_call(
        fake,
        "User",
        "GetCredentialTypes",
        headers=[credentials_header_ns(DEMO_TICKET, NS)],
        services="Services88",
    )
    reason = client_fault(headers86)
    assert NS in reason
    assert DEMO_TICKET not in reason
    child86 = soap_call(
        fake,
        "User",
        "GetUntrustedCredentialsForAssociate",
        [el("AssociateId", "5", ns=NS88), el("Type", "imap")],
        services="Services88",
    )
    assert NS in client_fault(child86)
    action86 = soap_call(
        fake, "User", "GetCredentialTypes", services="Services88", action_services="Services86"
    )
    assert fault11(action86)[1] == "ActionNotSupported"


def test_services84_has_no_access_token_login_but_username_login() -> None:
    fake = FakeNetServer.with_demo_data(services="Services84")
    fake.add_access_token("8A:Cust12345.token", 5)
    refused = soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateWithAccessToken",
        [el("AccessToken", "8A:Cust12345.token", ns=NS84)],
        services="Services84",
    )
    ns, code, _ = fault11(refused)
    assert (ns, code) == (ADDRESSING_NONE, "ActionNotSupported")
    accepted = soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateUsernamePassword",
        [el("UserName", DEMO_USERNAME, ns=NS84), el("Password", DEMO_PASSWORD, ns=NS84)],
        services="Services84",
    )
    wrapper = ok_wrapper(accepted, "AuthenticateResponse", NS84)
    assert xp_text(wrapper, "n:AuthenticationSucceeded", {"n": NS84}) == "true"


def test_serve_advertises_the_services_version() -> None:
    fake = FakeNetServer.with_demo_data(services="Services88")
    with fake.serve() as running:
        base = f"http://127.0.0.1:{running.port}/Cust12345/Remote/Services88"
        assert running.base_url == base
        assert running.url == f"{base}/User.svc"
        assert running.so_principal_url == f"{base}/SoPrincipal.svc"


# --------------------------------------------------------------------------- SoPrincipal


def test_login_issues_a_ticket_that_works_on_user_svc(fake: FakeNetServer) -> None:
    response = login(fake, DEMO_USERNAME, DEMO_PASSWORD)
    wrapper = ok_wrapper(response, "AuthenticateResponse")
    assert local_names(wrapper) == ["Response", "Credentials", "AuthenticationSucceeded"]
    (principal,) = xp_all(wrapper, "n:Response")
    assert local_names(principal) == PRINCIPAL_ORDER
    assert xp_text(principal, "n:Associate") == DEMO_USERNAME
    assert xp_text(principal, "n:AssociateId") == str(DEMO_ASSOCIATE_ID)
    assert xp_text(principal, "n:UserType") == "InternalAssociate"
    assert xp_text(principal, "n:IsPerson") == "true"
    assert xp_text(principal, "n:RoleName") == "User"
    assert xp_text(principal, "n:RoleType") == "Employee"
    assert xp_text(principal, "n:FullName") == "Jane Doe"
    assert xp_text(principal, "n:EjUserStatus") == "StatusNormal"
    assert xp_all(principal, "n:Licenses[not(*) and not(@i:nil)]")
    assert xp_all(principal, "n:ProvidedCredentials[not(*) and not(@i:nil)]")
    rights = xp_all(principal, "n:FunctionRights/*", NSMAP_ALL)
    assert rights
    assert all(item.tag == f"{{{MS_ARRAYS}}}string" for item in rights)
    groups = xp_all(principal, "n:SecondaryGroups/a:int", NSMAP_ALL)
    assert groups
    assert all((group.text or "").isdigit() for group in groups)
    for name in ("PersonId", "ContactId", "GroupId"):
        assert int(xp_text(principal, f"n:{name}")) > 0, name

    ticket = ticket_of(response)
    assert ticket.startswith("7T:")
    assert len(ticket) > 20
    assert fake.issued_tickets() == [ticket]
    assert len(own_credentials(fake, ticket)) == 2
    second = ticket_of(login(fake, DEMO_USERNAME.upper(), DEMO_PASSWORD))
    assert second != ticket
    assert fake.issued_tickets() == [ticket, second]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (DEMO_USERNAME, "wrong-password-xyz"),
        (DEMO_USERNAME, DEMO_PASSWORD.upper()),
        ("no.such.user", DEMO_PASSWORD),
        ("", ""),
    ],
)
def test_wrong_login_is_refused_without_echo(
    fake: FakeNetServer, username: str, password: str
) -> None:
    response = login(fake, username, password)
    exception_type, message, wrapper = netserver_error(response, "AuthenticateResponse")
    assert exception_type == "SoException"
    assert message == "Invalid user name or password"
    assert xp_text(wrapper, "n:AuthenticationSucceeded") == "false"
    assert xp_all(wrapper, "n:Credentials[@i:nil='true']")
    if password:
        assert password.encode() not in response.body
    assert fake.issued_tickets() == []


def test_login_without_password_is_refused(fake: FakeNetServer) -> None:
    response = soap_call(
        fake, "SoPrincipal", "AuthenticateUsernamePassword", [el("UserName", DEMO_USERNAME)]
    )
    assert netserver_error(response, "AuthenticateResponse")[0] == "SoException"


def test_bad_password_element_fault_hides_the_value(fake: FakeNetServer) -> None:
    password = el("Password", "hunter2-secret", el("Nested", "x"))
    response = soap_call(
        fake, "SoPrincipal", "AuthenticateUsernamePassword", [el("UserName", "u"), password]
    )
    reason = client_fault(response)
    assert "Password" in reason
    assert "hunter2" not in reason


def test_added_user_logs_in_with_its_details() -> None:
    fake = FakeNetServer()
    fake.add_user(
        "Ext.User",
        "pw-123",
        42,
        full_name="Ext User",
        email_address="ext@example.com",
        user_type=UserType.EXTERNAL_ASSOCIATE,
    )
    response = login(fake, "ext.user", "pw-123")
    (principal,) = xp_all(ok_wrapper(response, "AuthenticateResponse"), "n:Response")
    assert xp_text(principal, "n:Associate") == "Ext.User"
    assert xp_text(principal, "n:AssociateId") == "42"
    assert xp_text(principal, "n:UserType") == "ExternalAssociate"
    assert xp_text(principal, "n:EMailAddress") == "ext@example.com"
    assert "pw-123" not in repr(fake)


def test_access_token_login(fake: FakeNetServer) -> None:
    fake.add_access_token("8A:Cust12345.good-token", DEMO_ASSOCIATE_ID)
    response = soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateWithAccessToken",
        [el("AccessToken", "8A:Cust12345.good-token")],
    )
    ticket = ticket_of(response)
    assert b"good-token" not in response.body
    (principal,) = xp_all(ok_wrapper(response, "AuthenticateResponse"), "n:Response")
    assert xp_text(principal, "n:Associate") == DEMO_USERNAME
    assert len(own_credentials(fake, ticket, "smtp")) == 1

    refused = soap_call(
        fake,
        "SoPrincipal",
        "AuthenticateWithAccessToken",
        [el("AccessToken", "8A:Cust12345.bad-token")],
    )
    exception_type, message, wrapper = netserver_error(refused, "AuthenticateResponse")
    assert (exception_type, message) == ("SoException", "Invalid access token")
    assert xp_text(wrapper, "n:AuthenticationSucceeded") == "false"
    assert b"bad-token" not in refused.body
    assert fake.issued_tickets() == [ticket]


def test_expired_ticket_and_a_new_login(fake: FakeNetServer) -> None:
    ticket = ticket_of(login(fake, DEMO_USERNAME, DEMO_PASSWORD))
    assert len(own_credentials(fake, ticket)) == 2
    fake.expire_ticket(ticket)
    expired = soap_call(
        fake,
        "User",
        "GetUntrustedCredentials",
        [el("Type", "imap")],
        [credentials_header_ns(ticket)],
    )
    exception_type, message, wrapper = netserver_error(expired, "GetUntrustedCredentialsResponse")
    assert (exception_type, message) == ("SoSessionExpiredException", "The ticket has expired")
    assert len(wrapper) == 0
    assert ticket.encode() not in expired.body
    # Other tickets still work; a never-issued ticket is still a security error.
    assert len(own_credentials(fake, DEMO_TICKET)) == 2
    unknown = soap_call(
        fake, "User", "GetCredentialTypes", headers=[credentials_header_ns("7T:never-issued")]
    )
    assert netserver_error(unknown, "GetCredentialTypesResponse")[0] == "SoSecurityException"
    fresh = ticket_of(login(fake, DEMO_USERNAME, DEMO_PASSWORD))
    assert fresh != ticket
    assert len(own_credentials(fake, fresh)) == 2
    assert fake.issued_tickets() == [ticket, fresh]


def test_expire_all_tickets(fake: FakeNetServer) -> None:
    issued = ticket_of(login(fake, DEMO_USERNAME, DEMO_PASSWORD))
    fake.expire_all_tickets()
    for ticket in (DEMO_TICKET, issued):
        response = soap_call(
            fake, "User", "GetCredentialTypes", headers=[credentials_header_ns(ticket)]
        )
        assert netserver_error(response, "GetCredentialTypesResponse")[0] == (
            "SoSessionExpiredException"
        )
    fake.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)  # added again: valid again
    assert len(own_credentials(fake, DEMO_TICKET)) == 2
    assert len(own_credentials(fake, ticket_of(login(fake, DEMO_USERNAME, DEMO_PASSWORD)))) == 2


def test_expire_unknown_ticket_raises_without_echo(fake: FakeNetServer) -> None:
    with pytest.raises(ValueError, match="not valid") as info:
        fake.expire_ticket("7T:secret-never-issued")
    assert "secret-never-issued" not in str(info.value)


def test_get_system_info_shape(fake: FakeNetServer) -> None:
    response = soap_call(fake, "SoPrincipal", "GetSystemInfo")
    wrapper = ok_wrapper(response, "GetSystemInfoResponse")
    (info,) = xp_all(wrapper, "n:SystemInfo")
    names = local_names(info)
    assert names[:4] == ["TableRight", "FieldProperties", "License", "WarningEnglish"]
    assert names[-2:] == ["IsOnTravel", "IsSatellite"]
    assert xp_text(info, "n:BuildType") == "Release"
    assert xp_text(info, "n:IsUnicode") == "true"
    assert len(xp_all(info, "n:License/n:ModuleLicenses/n:ModuleLicense")) == 1
    (key,) = xp_all(info, "n:License/n:PublicKey/n:Key")
    assert local_names(key) == ["Counter", "G", "J", "P", "Q", "Seed", "Y"]
    assert all(etree.QName(child).namespace == CRYPTO for child in key)
    assert int(xp_text(key, "c:Counter", NSMAP_ALL)) > 0
    assert len(base64.b64decode(xp_text(key, "c:G", NSMAP_ALL), validate=True)) > 0
    assert xp_text(info, "n:License/n:PublicKey/n:SignDate").endswith("Z")


# --------------------------------------------------------------------------- User operations


def test_get_untrusted_credentials_is_the_callers() -> None:
    fake = FakeNetServer.with_demo_data()
    fake.add_ticket("7T:other", 9)
    fake.add_credentials(9, "imap", UntrustedCredentials(public_value="nine@example.com"))
    assert len(own_credentials(fake, DEMO_TICKET)) == 2
    (nine,) = own_credentials(fake, "7T:other")
    assert xp_text(nine, "n:PublicValue") == "nine@example.com"


def test_save_replaces_same_public_value_in_place_and_appends_otherwise(
    fake: FakeNetServer,
) -> None:
    replaced = soap_call(
        fake,
        "User",
        "SaveUntrustedCredentials",
        [
            el("Type", "imap"),
            credentials_el(
                el("ValidFrom", "2024-02-03T04:05:06-05:00"),
                el("Comment", "changed"),
                el("SecretValue", "new-secret"),
                el("PublicValue", "jane.doe@example.com"),
                el("IsActive", "true"),
            ),
        ],
    )
    wrapper = ok_wrapper(replaced, "SaveUntrustedCredentialsResponse")
    assert len(wrapper) == 0
    assert not (wrapper.text or "").strip()
    assert b"new-secret" not in replaced.body
    stored = fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")
    assert [item.public_value for item in stored] == [
        "jane.doe@example.com",
        "jane.doe@old.example.com",
    ]
    assert stored[0] == UntrustedCredentials(
        valid_from=datetime(2024, 2, 3, 4, 5, 6, tzinfo=timezone(-timedelta(hours=5))),
        valid_to=datetime(1, 1, 1),
        comment="changed",
        secret_value="new-secret",
        public_value="jane.doe@example.com",
        is_active=True,
    )
    appended = soap_call(
        fake,
        "User",
        "SaveUntrustedCredentials",
        [el("Type", "imap"), credentials_el(el("PublicValue", "third@example.com"))],
    )
    ok_wrapper(appended, "SaveUntrustedCredentialsResponse")
    stored = fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")
    assert [item.public_value for item in stored][1:] == [
        "jane.doe@old.example.com",
        "third@example.com",
    ]
    first = own_credentials(fake, DEMO_TICKET)[0]
    assert xp_text(first, "n:ValidFrom") == "2024-02-03T04:05:06-05:00"
    assert xp_text(first, "n:SecretValue") == "new-secret"


def test_save_for_associate_stores_defaults_for_absent_fields(fake: FakeNetServer) -> None:
    response = soap_call(
        fake,
        "User",
        "SaveUntrustedCredentialsForAssociate",
        [
            el("AssociateId", "77"),
            el("Type", "ldap"),
            credentials_el(
                el("TableRight", None, el("Mask", "Select Delete")),
                el("FieldProperties"),
                el("ValidTo", "9999-12-31T23:59:59.9999999"),
                el("PublicValue", "DOMAIN\\user"),
            ),
        ],
    )
    ok_wrapper(response, "SaveUntrustedCredentialsForAssociateResponse")
    assert fake.stored_credentials(DEMO_ASSOCIATE_ID, "ldap") == ()
    (stored,) = fake.stored_credentials(77, "ldap")
    assert stored == UntrustedCredentials(
        valid_from=datetime(1, 1, 1),
        valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
        comment=None,
        secret_value=None,
        public_value="DOMAIN\\user",
        is_active=False,
    )
    read = soap_call(
        fake,
        "User",
        "GetUntrustedCredentialsForAssociate",
        [el("AssociateId", "77"), el("Type", "ldap")],
    )
    (item,) = xp_all(parse(read), "//n:UntrustedCredentials")
    assert xp_text(item, "n:ValidFrom") == "0001-01-01T00:00:00"
    assert xp_text(item, "n:ValidTo") == "9999-12-31T23:59:59.9999999"
    assert xp_all(item, "n:TableRight[@i:nil='true']")  # what was sent is not stored
    assert xp_all(item, "n:SecretValue[@i:nil='true']")
    assert xp_text(item, "n:IsActive") == "false"


@pytest.mark.parametrize(
    ("children", "needle"),
    [
        ([el("PublicValue", "p"), el("ValidFrom", "2024-01-01T00:00:00")], "out of order"),
        ([el("IsActive", "true"), el("TableRight")], "out of order"),
        ([el("ValidFrom", "yesterday")], "xs:dateTime"),
        ([el("IsActive", "maybe")], "xs:boolean"),
        ([el("TableRight", None, el("Mask", "Select Everything"))], "Everything"),
        ([el("Password", "x")], "Password"),
    ],
)
def test_bad_credentials_element_is_client_fault(
    fake: FakeNetServer, children: list[etree._Element], needle: str
) -> None:
    secret = el("SecretValue", "top-secret-value")
    all_children = [*children, secret] if needle != "out of order" else children
    response = soap_call(
        fake,
        "User",
        "SaveUntrustedCredentials",
        [el("Type", "imap"), credentials_el(*all_children)],
    )
    reason = client_fault(response)
    assert needle in reason
    assert "top-secret" not in reason
    assert len(fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")) == 2


def test_save_without_type_or_credentials_is_a_netserver_error(fake: FakeNetServer) -> None:
    for children in ([credentials_el()], [el("Type", "imap")]):
        response = soap_call(fake, "User", "SaveUntrustedCredentials", children)
        exception_type, _, _ = netserver_error(response, "SaveUntrustedCredentialsResponse")
        assert exception_type == "ArgumentNullException"
    assert len(fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")) == 2


def test_remove_and_remove_missing(fake: FakeNetServer) -> None:
    removed = soap_call(
        fake,
        "User",
        "RemoveUntrustedCredentials",
        [el("Type", "imap"), el("PublicValue", "jane.doe@old.example.com")],
    )
    assert len(ok_wrapper(removed, "RemoveUntrustedCredentialsResponse")) == 0
    assert [c.public_value for c in fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")] == [
        "jane.doe@example.com"
    ]
    for children in (
        [el("Type", "imap"), el("PublicValue", "nobody@example.com")],
        [el("Type", "pop3"), el("PublicValue", "x")],
        [],
    ):
        response = soap_call(fake, "User", "RemoveUntrustedCredentials", children)
        assert len(ok_wrapper(response, "RemoveUntrustedCredentialsResponse")) == 0
    assert len(fake.stored_credentials(DEMO_ASSOCIATE_ID, "imap")) == 1


def test_remove_for_associate_touches_only_that_associate(fake: FakeNetServer) -> None:
    fake.add_credentials(8, "smtp", UntrustedCredentials(public_value="jane.doe"))
    response = soap_call(
        fake,
        "User",
        "RemoveUntrustedCredentialsForAssociate",
        [el("AssociateId", "8"), el("Type", "smtp"), el("PublicValue", "jane.doe")],
    )
    ok_wrapper(response, "RemoveUntrustedCredentialsForAssociateResponse")
    assert fake.stored_credentials(8, "smtp") == ()
    assert len(fake.stored_credentials(DEMO_ASSOCIATE_ID, "smtp")) == 1


def test_create_default_untrusted_credentials(fake: FakeNetServer) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    response = soap_call(fake, "User", "CreateDefaultUntrustedCredentials")
    after = datetime.now(timezone.utc)
    wrapper = ok_wrapper(response, "CreateDefaultUntrustedCredentialsResponse")
    (default,) = xp_all(wrapper, "n:Response")
    assert local_names(default) == CARRIER_ORDER
    valid_from = xp_text(default, "n:ValidFrom")
    assert valid_from.endswith("Z")
    assert "." not in valid_from
    moment = datetime.strptime(valid_from, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= moment <= after
    assert xp_text(default, "n:ValidTo") == "9999-12-31T23:59:59.9999999"
    for name in ("Comment", "SecretValue", "PublicValue"):
        assert xp_all(default, f"n:{name}[not(@i:nil) and not(node())]"), name
    assert xp_text(default, "n:IsActive") == "true"
    assert xp_text(default, "n:TableRight/n:Mask") == "Select Update Insert Delete"
    assert xp_all(default, "n:FieldProperties[not(*) and not(@i:nil)]")
    assert len(fake.stored_credentials(DEMO_ASSOCIATE_ID, "")) == 0


def _types(response: FakeResponse, wrapper_name: str) -> list[str]:
    wrapper = ok_wrapper(response, wrapper_name)
    items = xp_all(wrapper, "n:Response/n:CredentialType")
    for item in items:
        assert local_names(item) == CREDENTIAL_TYPE_ORDER
    return [xp_text(item, "n:Type") for item in items]


def test_get_credential_types(fake: FakeNetServer) -> None:
    response = soap_call(fake, "User", "GetCredentialTypes")
    assert _types(response, "GetCredentialTypesResponse") == ["imap", "smtp", "ldap", "openid"]
    root = parse(response)
    (imap,) = xp_all(root, "//n:CredentialType[n:Type='imap']")
    assert xp_text(imap, "n:ValueControl") == "Password"
    assert xp_text(imap, "n:IsUserNameSupported") == "true"
    (ldap,) = xp_all(root, "//n:CredentialType[n:Type='ldap']")
    assert xp_text(ldap, "n:ValueControl") == "Edit"
    assert xp_text(ldap, "n:CanCreatePerson") == "true"


@pytest.mark.parametrize(
    ("user_type", "expected"),
    [
        ("InternalAssociate", ["imap", "smtp", "ldap"]),
        ("ExternalAssociate", ["imap", "smtp", "openid"]),
        (" SystemAssociate ", ["imap", "smtp"]),
        (None, ["imap", "smtp"]),
    ],
)
def test_get_credential_types_for_user_type(
    fake: FakeNetServer, user_type: Optional[str], expected: list[str]
) -> None:
    children = [] if user_type is None else [el("UserType", user_type)]
    response = soap_call(fake, "User", "GetCredentialTypesForUserType", children)
    assert _types(response, "GetCredentialTypesForUserTypeResponse") == expected


@pytest.mark.parametrize("value", ["Internal", "internalassociate", "", "0"])
def test_unknown_user_type_is_client_fault(fake: FakeNetServer, value: str) -> None:
    response = soap_call(fake, "User", "GetCredentialTypesForUserType", [el("UserType", value)])
    reason = client_fault(response)
    assert "UserType" in reason
    assert "InternalAssociate" in reason


def test_add_credential_type_defaults_and_replacement() -> None:
    fake = FakeNetServer()
    fake.add_ticket("7T:t", 1)
    fake.add_credential_type(CredentialType(type="a", value_control=CredentialControlType.LINK))
    fake.add_credential_type(CredentialType(type="b"), [UserType.SYSTEM_ASSOCIATE])
    fake.add_credential_type(CredentialType(type="a", description="again"), [UserType.UNKNOWN])
    headers = [credentials_header_ns("7T:t")]
    response = soap_call(fake, "User", "GetCredentialTypes", headers=headers)
    assert _types(response, "GetCredentialTypesResponse") == ["a", "b"]
    (first,) = xp_all(parse(response), "//n:CredentialType[n:Type='a']")
    assert xp_text(first, "n:Description") == "again"
    assert xp_text(first, "n:ValueControl") == "Static"  # None → .NET default
    assert xp_all(first, "n:DisplayType[@i:nil='true']")
    system = soap_call(
        fake,
        "User",
        "GetCredentialTypesForUserType",
        [el("UserType", "SystemAssociate")],
        headers,
    )
    assert _types(system, "GetCredentialTypesForUserTypeResponse") == ["b"]


# --------------------------------------------------------------------------- schema check


XS = "http://www.w3.org/2001/XMLSchema"


def _wsdl_schema(wsdl: Path, directory: Path) -> etree.XMLSchema:
    """The WSDL's embedded schemas as one XMLSchema (imports resolved to files we write)."""
    root = etree.parse(str(wsdl)).getroot()
    schemas = root.findall(f".//{{{XS}}}schema")
    files = {
        s.get("targetNamespace"): directory / f"{wsdl.stem}-{i}.xsd" for i, s in enumerate(schemas)
    }
    for original in schemas:
        schema = etree.Element(
            original.tag, nsmap={**root.nsmap, **original.nsmap}, attrib=dict(original.attrib)
        )
        schema.extend(copy.deepcopy(child) for child in original)
        for imported in schema.findall(f"{{{XS}}}import"):
            imported.set("schemaLocation", files[imported.get("namespace")].name)
        files[schema.get("targetNamespace")].write_bytes(etree.tostring(schema))
    top = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS}, targetNamespace="urn:top")
    for target, path in files.items():
        etree.SubElement(top, f"{{{XS}}}import", namespace=target, schemaLocation=path.name)
    top_path = directory / f"{wsdl.stem}-top.xsd"
    top_path.write_bytes(etree.tostring(top))
    return etree.XMLSchema(etree.parse(str(top_path)))


def _parts(response: FakeResponse) -> list[etree._Element]:
    root = parse(response)
    return xp_all(root, "/s:Envelope/s:Header/* | /s:Envelope/s:Body/*")


def _invalid(schema: etree.XMLSchema, part: etree._Element) -> Optional[str]:
    if schema.validate(etree.ElementTree(copy.deepcopy(part))):
        return None
    return str(schema.error_log.last_error)


def test_answers_validate_against_the_wsdl_schemas(tmp_path: Path) -> None:
    wsdls = [reference_file("soprincipal.wsdl"), reference_file("user-credentials.wsdl")]
    so_principal, user = (_wsdl_schema(path, tmp_path) for path in wsdls)
    fake = FakeNetServer.with_demo_data()
    fake.add_access_token("8A:t", 5)
    credentials = credentials_el(el("PublicValue", "x"))
    calls = [
        (so_principal, "SoPrincipal", "GetSystemInfo", []),
        (
            so_principal,
            "SoPrincipal",
            "AuthenticateUsernamePassword",
            [el("UserName", DEMO_USERNAME), el("Password", DEMO_PASSWORD)],
        ),
        (so_principal, "SoPrincipal", "AuthenticateUsernamePassword", [el("UserName", "x")]),
        (so_principal, "SoPrincipal", "AuthenticateWithAccessToken", [el("AccessToken", "8A:t")]),
        (user, "User", "GetUntrustedCredentials", [el("Type", "imap")]),
        (
            user,
            "User",
            "GetUntrustedCredentialsForAssociate",
            [el("AssociateId", "5"), el("Type", "smtp")],
        ),
        (user, "User", "SaveUntrustedCredentials", [el("Type", "imap"), credentials]),
        (user, "User", "RemoveUntrustedCredentials", [el("Type", "imap")]),
        (user, "User", "CreateDefaultUntrustedCredentials", []),
        (user, "User", "GetCredentialTypes", []),
        (user, "User", "GetCredentialTypesForUserType", [el("UserType", "InternalAssociate")]),
    ]
    for schema, service, op, children in calls:
        for part in _parts(soap_call(fake, service, op, children)):
            assert _invalid(schema, part) is None, (op, etree.QName(part).localname)
    # The check can fail: the same answer with two principal fields swapped is refused.
    (answer,) = [
        part
        for part in _parts(login(fake, DEMO_USERNAME, DEMO_PASSWORD))
        if etree.QName(part).localname == "AuthenticateResponse"
    ]
    principal = answer[0]
    principal.insert(0, principal[2])
    assert _invalid(so_principal, answer) is not None
