"""Every declared operation against the documentation: golden envelopes and example answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from lxml import etree

from superoffice_soap import (
    OPERATIONS,
    Authentication,
    AuthenticationError,
    CredentialControlType,
    CredentialType,
    InvalidRequestError,
    NetServerError,
    Operation,
    ResponseParseError,
    SystemInfo,
    UntrustedCredentials,
    UserType,
    build_request,
    parse_response,
)
from superoffice_soap._namespaces import SOAP11, SOAP12
from superoffice_soap.operations import namespace
from superoffice_soap.principal import (
    EjUserStatus,
    LicenseType,
    NetServerBuildType,
    RoleType,
)

from ._envelopes import envelope
from .conftest import canonical, reference_file

BASE = "https://sod.superoffice.com/Cust12345/Remote/Services86"
TICKET = "7T:1234abcxyzExample=="
TOKEN = "1234567-1234-9876"
DOC_TIME = datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone.utc)

EMPTY_CREDENTIAL = UntrustedCredentials(
    valid_from=DOC_TIME,
    valid_to=DOC_TIME,
    comment="",
    secret_value="",
    public_value="",
    is_active=False,
)

#: The arguments that reproduce each documented request (the docs' placeholder values).
DOC_ARGUMENTS: dict[str, dict[str, Any]] = {
    "GetUntrustedCredentials": {"credential_type": ""},
    "GetUntrustedCredentialsForAssociate": {"associate_id": 0, "credential_type": ""},
    "SaveUntrustedCredentials": {
        "credential_type": "",
        "credentials": EMPTY_CREDENTIAL,
    },
    "SaveUntrustedCredentialsForAssociate": {
        "associate_id": 0,
        "credential_type": "",
        "credentials": EMPTY_CREDENTIAL,
    },
    "RemoveUntrustedCredentials": {"credential_type": "", "public_value": ""},
    "RemoveUntrustedCredentialsForAssociate": {
        "associate_id": 0,
        "credential_type": "",
        "public_value": "",
    },
    "CreateDefaultUntrustedCredentials": {},
    "GetCredentialTypes": {},
    "GetCredentialTypesForUserType": {"user_type": UserType.UNKNOWN},
    "AuthenticateUsernamePassword": {"username": "", "password": ""},
    "AuthenticateWithAccessToken": {"access_token": ""},
    "GetSystemInfo": {},
}

ALL = sorted(OPERATIONS.values(), key=lambda op: (op.service.name, op.name))
IDS = [op.name for op in ALL]


def test_every_operation_has_doc_arguments() -> None:
    assert sorted(DOC_ARGUMENTS) == sorted(op.name for op in ALL)


def doc_request_with_header(operation: Operation[..., Any]) -> bytes:
    """The docs' request with its misplaced header elements wrapped into SOAP-ENV:Header."""
    path = reference_file("examples", operation.service.name, f"{operation.name}.request.xml")
    root = etree.fromstring(path.read_bytes())
    ns = namespace("Services86")
    header = etree.Element(f"{{{SOAP12}}}Header")
    for child in list(root):
        if child.tag in (f"{{{ns}}}ApplicationToken", f"{{{ns}}}Credentials"):
            header.append(child)
    root.insert(0, header)
    result: bytes = etree.tostring(root)
    return result


def build(operation: Operation[..., Any], version: Any, **settings: Any) -> bytes:
    settings.setdefault("application_token", TOKEN)
    if operation.service.sends_ticket:
        settings.setdefault("ticket", TICKET)
    request = build_request(
        operation, DOC_ARGUMENTS[operation.name], url=BASE, soap_version=version, **settings
    )
    return request.content


@pytest.mark.parametrize("operation", ALL, ids=IDS)
def test_soap12_golden_equals_the_docs(operation: Operation[..., Any]) -> None:
    assert canonical(build(operation, "1.2")) == canonical(doc_request_with_header(operation))


@pytest.mark.parametrize("operation", ALL, ids=IDS)
def test_soap11_twin_has_the_same_header_and_body(operation: Operation[..., Any]) -> None:
    docs = etree.fromstring(doc_request_with_header(operation))
    ours = etree.fromstring(build(operation, "1.1"))
    assert ours.tag == f"{{{SOAP11}}}Envelope"
    assert [etree.QName(c).localname for c in ours] == ["Header", "Body"]

    def shape(root: etree._Element) -> list[tuple[str, str]]:
        # Every element below Envelope with its text; attributes (xsi:type) are 1.2-only.
        out = []
        for el in root.iter():
            if el is root:
                continue
            out.append((etree.QName(el).localname, (el.text or "").strip()))
        return out

    assert shape(ours) == shape(docs)
    assert all(not el.attrib for el in ours.iter())


@pytest.mark.parametrize("operation", ALL, ids=IDS)
def test_soap11_golden_fails_on_another_value(operation: Operation[..., Any]) -> None:
    # A sensitivity check of the comparison above: a different header value must show.
    assert canonical(build(operation, "1.2", application_token="other")) != canonical(
        doc_request_with_header(operation)
    )


def test_soprincipal_requests_carry_only_the_application_token() -> None:
    op = OPERATIONS[("SoPrincipal", "GetSystemInfo")]
    root = etree.fromstring(build(op, "1.1"))
    header = root.find(f"{{{SOAP11}}}Header")
    assert header is not None
    assert [etree.QName(c).localname for c in header] == ["ApplicationToken"]
    with pytest.raises(InvalidRequestError) as info:
        build_request(op, {}, url=BASE, ticket=TICKET)
    assert info.value.argument == "ticket"


# ----------------------------------------------------------------------------------------------
# The documented answers parse


def doc_response(operation: Operation[..., Any]) -> bytes:
    path = reference_file("examples", operation.service.name, f"{operation.name}.response.xml")
    return path.read_bytes()


def parse(operation: Operation[..., Any], content: bytes) -> Any:
    return parse_response(operation, 200, {"Content-Type": "application/soap+xml"}, content)


DOC_CREDENTIAL_TYPE = CredentialType(
    display_type="",
    type="",
    description="",
    value_control=CredentialControlType.STATIC,
    can_create_person=False,
    is_user_name_supported=False,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GetUntrustedCredentials", [EMPTY_CREDENTIAL]),
        ("GetUntrustedCredentialsForAssociate", [EMPTY_CREDENTIAL]),
        ("CreateDefaultUntrustedCredentials", EMPTY_CREDENTIAL),
        ("SaveUntrustedCredentials", None),
        ("SaveUntrustedCredentialsForAssociate", None),
        ("RemoveUntrustedCredentials", None),
        ("RemoveUntrustedCredentialsForAssociate", None),
        ("GetCredentialTypes", [DOC_CREDENTIAL_TYPE]),
        ("GetCredentialTypesForUserType", [DOC_CREDENTIAL_TYPE]),
    ],
)
def test_user_doc_answers_parse(name: str, expected: Any) -> None:
    operation = OPERATIONS[("User", name)]
    assert parse(operation, doc_response(operation)) == expected


@pytest.mark.parametrize("name", ["AuthenticateUsernamePassword", "AuthenticateWithAccessToken"])
def test_authenticate_doc_answer_says_not_succeeded(name: str) -> None:
    # The docs' placeholder answer has AuthenticationSucceeded=false: that is an error.
    operation = OPERATIONS[("SoPrincipal", name)]
    with pytest.raises(AuthenticationError) as info:
        parse(operation, doc_response(operation))
    assert isinstance(info.value, NetServerError)
    assert "AuthenticationSucceeded" in str(info.value)


def _succeeded(content: bytes) -> bytes:
    root = etree.fromstring(content)
    for element in root.iter(f"{{{namespace('Services86')}}}AuthenticationSucceeded"):
        element.text = "true"
    for element in root.iter(f"{{{namespace('Services86')}}}Ticket"):
        element.text = "7T:issued-ticket"
    result: bytes = etree.tostring(root)
    return result


def test_authenticate_doc_answer_with_success() -> None:
    operation = OPERATIONS[("SoPrincipal", "AuthenticateUsernamePassword")]
    result = parse(operation, _succeeded(doc_response(operation)))
    assert isinstance(result, Authentication)
    assert result.succeeded is True
    assert result.ticket == "7T:issued-ticket"
    assert "7T:issued-ticket" not in repr(result)
    principal = result.principal
    assert principal is not None
    assert principal.user_type is UserType.UNKNOWN
    assert principal.role_type is RoleType.EMPLOYEE
    assert principal.ej_user_status is EjUserStatus.STATUS_NONE
    assert principal.function_rights == ("",)
    assert principal.secondary_groups == (0,)
    assert principal.licenses is not None
    assert principal.licenses[0].license_type is LicenseType.UNKNOWN
    assert principal.licenses[0].expiry_date == datetime(
        2021, 3, 25, 21, 36, 22, tzinfo=timezone.utc
    )
    assert principal.provided_credentials is not None
    assert principal.provided_credentials[0].credential_id == 0


def test_system_info_doc_answer() -> None:
    operation = OPERATIONS[("SoPrincipal", "GetSystemInfo")]
    info = parse(operation, doc_response(operation))
    assert isinstance(info, SystemInfo)
    assert info.build_type is NetServerBuildType.FEATURE
    assert info.license is not None
    assert info.license.module_licenses is not None
    assert info.license.module_licenses[0].allowed_user_type is UserType.UNKNOWN
    assert info.license.public_key is not None
    assert info.license.public_key.key is not None
    assert info.license.public_key.key.counter == 0
    assert info.license.public_key.key.g == b""


def _replace_text(content: bytes, local: str, text: str) -> bytes:
    root = etree.fromstring(content)
    found = False
    for element in root.iter(f"{{{namespace('Services86')}}}{local}"):
        element.text = text
        found = True
    assert found
    result: bytes = etree.tostring(root)
    return result


@pytest.mark.parametrize(
    ("operation_name", "element", "value", "enum_name"),
    [
        ("GetCredentialTypes", "ValueControl", "Dropdown", "CredentialControlType"),
        ("GetSystemInfo", "BuildType", "Nightly", "NetServerBuildType"),
        ("AuthenticateUsernamePassword", "RoleType", "Robot", "RoleType"),
    ],
)
def test_unknown_enum_value_is_named(
    operation_name: str, element: str, value: str, enum_name: str
) -> None:
    operation = next(op for op in ALL if op.name == operation_name)
    content = _replace_text(_succeeded(doc_response(operation)), element, value)
    with pytest.raises(ResponseParseError) as info:
        parse(operation, content)
    assert f"unknown {enum_name} value '{value}'" in str(info.value)
    assert info.value.path.endswith(element)


def test_base64_is_checked() -> None:
    operation = OPERATIONS[("SoPrincipal", "GetSystemInfo")]
    root = etree.fromstring(doc_response(operation))
    crypto = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"
    g = root.find(f".//{{{crypto}}}G")
    assert g is not None
    g.text = "not base64!"
    with pytest.raises(ResponseParseError) as info:
        parse(operation, etree.tostring(root))
    assert info.value.path.endswith("PublicKey/Key/G")
    g.text = "AQID"
    assert parse(operation, etree.tostring(root)).license.public_key.key.g == b"\x01\x02\x03"


@pytest.mark.parametrize(
    "name",
    [
        "SaveUntrustedCredentials",
        "SaveUntrustedCredentialsForAssociate",
        "RemoveUntrustedCredentials",
        "RemoveUntrustedCredentialsForAssociate",
    ],
)
def test_empty_answers_must_be_empty(name: str) -> None:
    operation = OPERATIONS[("User", name)]
    ns = namespace("Services86")
    wrapper = etree.Element(f"{{{ns}}}{name}Response")
    assert parse(operation, envelope(wrapper)) is None
    etree.SubElement(wrapper, f"{{{ns}}}Response").text = "true"
    with pytest.raises(ResponseParseError) as info:
        parse(operation, envelope(wrapper))
    assert "unexpected element Response" in str(info.value)


def test_create_default_without_response_is_an_error() -> None:
    operation = OPERATIONS[("User", "CreateDefaultUntrustedCredentials")]
    ns = namespace("Services86")
    wrapper = etree.Element(f"{{{ns}}}CreateDefaultUntrustedCredentialsResponse")
    with pytest.raises(ResponseParseError, match="holds no Response"):
        parse(operation, envelope(wrapper))


def test_authenticate_netserver_error_is_an_authentication_error() -> None:
    operation = OPERATIONS[("SoPrincipal", "AuthenticateUsernamePassword")]
    ns = namespace("Services86")
    wrapper = etree.Element(f"{{{ns}}}AuthenticateResponse")
    content = envelope(
        wrapper,
        headers=[
            ("ExceptionInfo", [("Message", "Wrong password"), ("ExceptionType", "SoException")]),
            ("Succeeded", "false"),
        ],
    )
    with pytest.raises(AuthenticationError) as info:
        parse(operation, content)
    assert info.value.exception_type == "SoException"
    assert info.value.message == "Wrong password"


@pytest.mark.parametrize(
    ("offset", "problem"),
    [
        (timedelta(hours=15), "beyond ±14:00"),
        (-timedelta(hours=23, minutes=59), "beyond ±14:00"),
        (timedelta(hours=1, seconds=30), "not a whole minute"),
        (timedelta(microseconds=1), "not a whole minute"),
    ],
)
def test_datetime_offsets_xml_schema_cannot_carry_are_refused(
    offset: timedelta, problem: str
) -> None:
    value = datetime(2021, 3, 25, 12, 0, tzinfo=timezone(offset))
    arguments = {"credential_type": "imap", "credentials": UntrustedCredentials(valid_from=value)}
    operation = OPERATIONS[("User", "SaveUntrustedCredentials")]
    with pytest.raises(InvalidRequestError) as info:
        build_request(operation, arguments, url=BASE)
    assert info.value.argument == "credentials.valid_from"
    assert problem in str(info.value)


def test_datetime_offsets_at_the_limits_are_sent() -> None:
    operation = OPERATIONS[("User", "SaveUntrustedCredentials")]
    for hours in (14, -14):
        value = datetime(2021, 3, 25, 12, 0, tzinfo=timezone(timedelta(hours=hours)))
        arguments = {"credential_type": "x", "credentials": UntrustedCredentials(valid_to=value)}
        content = build_request(operation, arguments, url=BASE).content
        assert f"2021-03-25T12:00:00{hours:+03d}:00".encode() in content
