"""Tests of superoffice_soap.testing.FakeNetServer, the in-memory NetServer User-service stand-in.

Requests are built with lxml (or taken from the reference example and transformed with lxml),
never from string templates, and answers are checked with XPath.
"""

from __future__ import annotations

import asyncio
import copy
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import httpx
import pytest
from lxml import etree

from superoffice_soap._namespaces import NS, SOAP11, SOAP12, XSI, XSI_NIL, XSI_TYPE
from superoffice_soap.models import FieldProperty, TableRight, UntrustedCredentials
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_TICKET,
    FakeNetServer,
    FakeResponse,
    RecordedRequest,
)
from superoffice_soap.testing import __main__ as cli

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
EXAMPLE = REFERENCE / "examples" / "User" / "GetUntrustedCredentialsForAssociate.request.xml"

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
    assert post(fake, good_request(), path="/a/b/USER.SVC").status_code == 200


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
    if not EXAMPLE.is_file():
        pytest.skip(f"reference example not found at {EXAMPLE}")
    fake = FakeNetServer.with_demo_data(accept_soap12=True)
    _, _, reason = fault12(post(fake, EXAMPLE.read_bytes(), content_type=SOAP12_CT))
    assert "ApplicationToken" in reason


def test_reference_example_fixed_with_lxml_succeeds() -> None:
    if not EXAMPLE.is_file():
        pytest.skip(f"reference example not found at {EXAMPLE}")
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
    fake.add_credentials(9, "x", UntrustedCredentials())
    fake.add_credentials(
        9,
        "x",
        UntrustedCredentials(
            table_right=TableRight(mask=frozenset({"Delete", "Zeta", "Select", "Insert"})),
            field_properties={"A": FieldProperty()},
            valid_from=datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        ),
    )
    fake.add_credentials(9, "x", UntrustedCredentials(table_right=TableRight()))
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
