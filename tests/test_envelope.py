"""Golden envelopes: SOAP 1.2 as the docs (with the Header correction), SOAP 1.1 as the WSDL."""

from __future__ import annotations

import pytest
from lxml import etree

from superoffice_soap import InvalidRequestError, SoTimeZone, build_request
from superoffice_soap._namespaces import NS, SOAP11, SOAP12, XSI
from superoffice_soap.operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP

from .conftest import canonical, reference_file

BASE = "https://sod.superoffice.com/Cust12345/Remote/Services86"
ACTION = "http://www.superoffice.net/ws/crm/NetServer/Services86/User/GetUntrustedCredentialsForAssociate"
DOC_TICKET = "7T:1234abcxyzExample=="
DOC_TOKEN = "1234567-1234-9876"


def _seed_with_header() -> bytes:
    """The docs' request with ApplicationToken and Credentials wrapped into SOAP-ENV:Header."""
    seed = etree.fromstring(
        reference_file(
            "examples", "User", "GetUntrustedCredentialsForAssociate.request.xml"
        ).read_bytes()
    )
    header = etree.Element(f"{{{SOAP12}}}Header")
    for name in ("ApplicationToken", "Credentials"):
        element = seed.find(f"{{{NS}}}{name}")
        assert element is not None
        header.append(element)
    seed.insert(0, header)
    content: bytes = etree.tostring(seed)
    return content


def _doc_request(**overrides: object) -> bytes:
    arguments: dict[str, object] = {"associate_id": 0, "credential_type": ""}
    settings: dict[str, object] = {"ticket": DOC_TICKET, "application_token": DOC_TOKEN}
    settings.update(overrides)
    return build_request(OP, arguments, url=BASE, soap_version="1.2", **settings).content  # type: ignore[arg-type]


def test_soap12_is_the_docs_envelope_with_headers_inside_header() -> None:
    assert canonical(_doc_request()) == canonical(_seed_with_header())


def test_soap12_golden_fails_for_a_different_value() -> None:
    # The golden comparison is sensitive: another ticket gives another canonical form.
    assert canonical(_doc_request(ticket="7T:other")) != canonical(_seed_with_header())


def test_soap12_declares_the_docs_prefixes_and_an_xml_declaration() -> None:
    content = _doc_request()
    assert content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(content)
    assert list(root.nsmap) == [
        "SOAP-ENV",
        "SOAP-ENC",
        "xsi",
        "xsd",
        "NetServerServices862",
        "NetServerServices861",
        "User",
    ]
    assert [child.tag for child in root] == [f"{{{SOAP12}}}Header", f"{{{SOAP12}}}Body"]
    body = root[1][0]
    assert [(c.tag, c.get(f"{{{XSI}}}type")) for c in body] == [
        (f"{{{NS}}}AssociateId", "xsd:int"),
        (f"{{{NS}}}Type", "xsd:string"),
    ]


def _soap11(**settings: object) -> etree._Element:
    request = build_request(
        OP,
        {"associate_id": 5, "credential_type": "imap"},
        url=BASE,
        soap_version="1.1",
        **settings,  # type: ignore[arg-type]
    )
    return etree.fromstring(request.content)


def test_soap11_golden() -> None:
    expected = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"SOAP-ENV": SOAP11, "User": NS})
    header = etree.SubElement(expected, f"{{{SOAP11}}}Header")
    etree.SubElement(header, f"{{{NS}}}ApplicationToken").text = "APP-TOKEN"
    credentials = etree.SubElement(header, f"{{{NS}}}Credentials")
    etree.SubElement(credentials, f"{{{NS}}}Ticket").text = "7T:xyz=="
    body = etree.SubElement(expected, f"{{{SOAP11}}}Body")
    wrapper = etree.SubElement(body, f"{{{NS}}}GetUntrustedCredentialsForAssociate")
    etree.SubElement(wrapper, f"{{{NS}}}AssociateId").text = "5"
    etree.SubElement(wrapper, f"{{{NS}}}Type").text = "imap"
    actual = _soap11(ticket="7T:xyz==", application_token="APP-TOKEN")
    assert canonical(etree.tostring(actual)) == canonical(etree.tostring(expected))


def test_soap11_carries_no_encoded_style_decoration() -> None:
    root = _soap11(ticket="t")
    assert all(el.get(f"{{{XSI}}}type") is None for el in root.iter())


def test_header_without_value_is_left_out() -> None:
    root = _soap11(ticket="t")
    header = root.find(f"{{{SOAP11}}}Header")
    assert header is not None
    assert [child.tag for child in header] == [f"{{{NS}}}Credentials"]


def test_no_header_element_without_any_header_value() -> None:
    root = _soap11()
    assert root.find(f"{{{SOAP11}}}Header") is None


def test_time_zone_header_only_when_given() -> None:
    root = _soap11(ticket="t", time_zone=SoTimeZone(id=3, location_code="NO"))
    zone = root.find(f"{{{SOAP11}}}Header/{{{NS}}}TimeZone")
    assert zone is not None
    assert [(c.tag, c.text) for c in zone] == [
        (f"{{{NS}}}SoTimeZoneId", "3"),
        (f"{{{NS}}}SoTimeZoneLocationCode", "NO"),
    ]
    root = _soap11(ticket="t", time_zone=SoTimeZone(id=3))
    zone = root.find(f"{{{SOAP11}}}Header/{{{NS}}}TimeZone")
    assert zone is not None
    assert [c.tag for c in zone] == [f"{{{NS}}}SoTimeZoneId"]


def test_header_order_follows_the_binding() -> None:
    root = _soap11(ticket="t", application_token="a", time_zone=SoTimeZone(id=1))
    header = root.find(f"{{{SOAP11}}}Header")
    assert header is not None
    assert [etree.QName(c).localname for c in header] == [
        "ApplicationToken",
        "Credentials",
        "TimeZone",
    ]


def test_http_headers_soap11() -> None:
    request = build_request(
        OP, {"associate_id": 5, "credential_type": "imap"}, url=BASE, soap_version="1.1"
    )
    assert request.url == f"{BASE}/User.svc"
    assert request.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert request.headers["SOAPAction"] == f'"{ACTION}"'


def test_http_headers_soap12() -> None:
    request = build_request(
        OP, {"associate_id": 5, "credential_type": "imap"}, url=BASE, soap_version="1.2"
    )
    assert request.headers["Content-Type"] == (
        f'application/soap+xml; charset=utf-8; action="{ACTION}"'
    )
    assert "SOAPAction" not in request.headers


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (BASE, f"{BASE}/User.svc"),
        (BASE + "/", f"{BASE}/User.svc"),
        (f"{BASE}/User.svc", f"{BASE}/User.svc"),
        (f"{BASE}/SoPrincipal.svc", f"{BASE}/User.svc"),
    ],
)
def test_service_url(url: str, expected: str) -> None:
    request = build_request(OP, {"associate_id": 1, "credential_type": "x"}, url=url)
    assert request.url == expected


@pytest.mark.parametrize(
    ("arguments", "argument", "fragment"),
    [
        ({"associate_id": True, "credential_type": "imap"}, "associate_id", "got bool"),
        ({"associate_id": "5", "credential_type": "imap"}, "associate_id", "got str"),
        ({"associate_id": 5.0, "credential_type": "imap"}, "associate_id", "got float"),
        ({"associate_id": None, "credential_type": "imap"}, "associate_id", "got NoneType"),
        ({"associate_id": 2**31, "credential_type": "imap"}, "associate_id", "Int32"),
        ({"associate_id": -(2**31) - 1, "credential_type": "imap"}, "associate_id", "Int32"),
        ({"associate_id": 5, "credential_type": 5}, "credential_type", "got int"),
        ({"associate_id": 5, "credential_type": b"imap"}, "credential_type", "got bytes"),
        ({"associate_id": 5, "credential_type": "im\x00ap"}, "credential_type", "U+0000"),
        ({"associate_id": 5, "credential_type": "im\x1bap"}, "credential_type", "U+001B"),
        ({"associate_id": 5, "credential_type": "\ud800"}, "credential_type", "U+D800"),
        ({"associate_id": 5, "credential_type": "\uffff"}, "credential_type", "U+FFFF"),
        ({"associate_id": 5, "credential_type": "x", "extra": 1}, "extra", "no such argument"),
    ],
)
def test_invalid_arguments_name_the_argument(
    arguments: dict[str, object], argument: str, fragment: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_request(OP, arguments, url=BASE, ticket="t")
    assert info.value.argument == argument
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_int32_bounds_are_accepted() -> None:
    for value in (-(2**31), 2**31 - 1, 0):
        root = etree.fromstring(
            build_request(OP, {"associate_id": value, "credential_type": ""}, url=BASE).content
        )
        assert root.findtext(f".//{{{NS}}}AssociateId") == str(value)


def test_legal_unicode_round_trips() -> None:
    text = "imap\t\n\u00e6\U0001f600<&>\"'"
    root = etree.fromstring(
        build_request(OP, {"associate_id": 1, "credential_type": text}, url=BASE).content
    )
    assert root.findtext(f".//{{{NS}}}Type") == text


@pytest.mark.parametrize(
    ("settings", "argument"),
    [
        ({"ticket": "7T:\x00secret"}, "ticket"),
        ({"ticket": 7}, "ticket"),
        ({"application_token": "tok\x01en"}, "application_token"),
        ({"time_zone": 3}, "time_zone"),
        ({"time_zone": SoTimeZone(id=2**31)}, "time_zone.id"),
        ({"time_zone": SoTimeZone(id=1, location_code="\x00")}, "time_zone.location_code"),
    ],
)
def test_invalid_header_values(settings: dict[str, object], argument: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_request(OP, {"associate_id": 1, "credential_type": "x"}, url=BASE, **settings)  # type: ignore[arg-type]
    assert info.value.argument == argument
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://h/x",
        "h/x",
        "https://",
        "https:///x",
        "https://h/x?a=1",
        "https://h/x#frag",
        "https://ho st/x",
        "https://[::1/x",
        "https://h:99999/x",
        "https://h:port/x",
        "http://h\x00/x",
        "https://h/x\n",
    ],
)
def test_invalid_url(url: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_request(OP, {"associate_id": 1, "credential_type": "x"}, url=url)
    assert info.value.argument == "url"


def test_invalid_soap_version() -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_request(
            OP,
            {"associate_id": 1, "credential_type": "x"},
            url=BASE,
            soap_version="1.3",  # type: ignore[arg-type]
        )
    assert info.value.argument == "soap_version"
