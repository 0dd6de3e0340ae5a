"""The strict parser: every rule with an input that satisfies it and one that breaks it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from lxml import etree

from superoffice_soap import (
    FieldProperty,
    FieldRight,
    HTTPStatusError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    TableRight,
    UntrustedCredentials,
    parse_response,
)
from superoffice_soap._namespaces import NS, SOAP11, SOAP12, XSI
from superoffice_soap.operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP
from tests._models import as_read

from ._envelopes import (
    DOC_CREDENTIAL,
    NIL,
    OK_HEADERS,
    Field,
    credentials_response,
    envelope,
    fault11,
    fault12,
)
from .conftest import reference_file

XML = {"Content-Type": "text/xml; charset=utf-8"}
PATH = "Body/GetUntrustedCredentialsForAssociateResponse/Response/UntrustedCredentials"


def parse(content: bytes, status: int = 200, headers: Any = XML, **kw: Any) -> Any:
    return parse_response(OP, status, headers, content, **kw)


def one(*fields: Field) -> UntrustedCredentials:
    result = parse(credentials_response([list(fields)]))
    assert len(result) == 1
    item: UntrustedCredentials = result[0]
    return item


def parse_error(content: bytes, status: int = 200) -> ResponseParseError:
    with pytest.raises(ResponseParseError) as info:
        parse(content, status)
    return info.value


def snake(element: str) -> str:
    return {"IsActive": "is_active", "ValidFrom": "valid_from", "ValidTo": "valid_to"}[element]


def field_error(*fields: Field) -> ResponseParseError:
    return parse_error(credentials_response([DOC_CREDENTIAL, list(fields)]))


# ----------------------------------------------------------------------------------------------
# The documented example and the full shape


def test_docs_example_response_parses() -> None:
    content = reference_file(
        "examples", "User", "GetUntrustedCredentialsForAssociate.response.xml"
    ).read_bytes()
    (cred,) = parse(content, headers={"content-type": "application/soap+xml"})
    utc = datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone.utc)
    assert cred == as_read(
        valid_from=utc,
        valid_to=utc,
        comment="",
        secret_value="",
        public_value="",
        is_active=False,
    )


def test_full_credential_with_carrier_fields() -> None:
    cred = one(
        ("TableRight", [("Mask", "Select Update"), ("Reason", "ok")]),
        (
            "FieldProperties",
            [
                (
                    "FieldPropertyDictionaryKeyValuePair",
                    [
                        ("Key", "SecretValue"),
                        (
                            "Value",
                            [
                                ("FieldRight", [("Mask", "Read UIHintMandatory"), ("Reason", NIL)]),
                                ("FieldType", "System.String"),
                                ("FieldLength", "255"),
                            ],
                        ),
                    ],
                ),
                (
                    "FieldPropertyDictionaryKeyValuePair",
                    [("Key", "Comment"), ("Value", [("FieldRight", NIL)])],
                ),
            ],
        ),
        ("ValidFrom", "2021-03-25T21:36:23.1234567+02:00"),
        ("ValidTo", "9999-12-31T23:59:59.9999999"),
        ("Comment", "mail"),
        ("SecretValue", "hunter2"),
        ("PublicValue", "alice@example.com"),
        ("IsActive", "1"),
    )
    assert cred.table_right == TableRight(mask=frozenset({"Select", "Update"}), reason="ok")
    assert cred.field_properties == {
        "SecretValue": FieldProperty(
            field_right=FieldRight(mask=frozenset({"Read", "UIHintMandatory"}), reason=None),
            field_type="System.String",
            field_length=255,
        ),
        "Comment": FieldProperty(field_right=None, field_type=None, field_length=None),
    }
    assert cred.valid_from == datetime(
        2021, 3, 25, 21, 36, 23, 123456, tzinfo=timezone(timedelta(hours=2))
    )
    assert cred.valid_to == datetime(9999, 12, 31, 23, 59, 59, 999999)
    assert (cred.comment, cred.secret_value, cred.public_value, cred.is_active) == (
        "mail",
        "hunter2",
        "alice@example.com",
        True,
    )


def test_field_properties_is_read_only() -> None:
    cred = one(
        (
            "FieldProperties",
            [("FieldPropertyDictionaryKeyValuePair", [("Key", "A"), ("Value", [])])],
        )
    )
    assert cred.field_properties is not None
    with pytest.raises(TypeError):
        cred.field_properties["B"] = FieldProperty()  # type: ignore[index]


# ----------------------------------------------------------------------------------------------
# Absent, nil, empty, xsi:type


def test_absent_elements_are_none() -> None:
    assert one() == as_read()


@pytest.mark.parametrize("prefix", ["i", "xsi", "whatever"])
def test_nil_in_the_schema_instance_namespace_with_any_prefix(prefix: str) -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    etree.SubElement(item, f"{{{NS}}}Comment").set(f"{{{XSI}}}nil", "true")
    content = envelope(wrapper, xsi_prefix=prefix)
    assert f'{prefix}:nil="true"'.encode() in content
    (cred,) = parse(content)
    assert cred.comment is None


def test_nil_attribute_in_another_namespace_is_not_nil() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    etree.SubElement(item, f"{{{NS}}}Comment").set("{urn:other}nil", "true")
    (cred,) = parse(envelope(wrapper))
    assert cred.comment == ""


def test_nil_false_is_a_value() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    comment = etree.SubElement(item, f"{{{NS}}}Comment")
    comment.set(f"{{{XSI}}}nil", "false")
    comment.text = "x"
    (cred,) = parse(envelope(wrapper))
    assert cred.comment == "x"


def test_empty_string_element_is_empty_string() -> None:
    assert one(("Comment", ""), ("PublicValue", "")).comment == ""


def test_xsi_type_is_accepted_and_ignored() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    response.set(f"{{{XSI}}}type", "User:ArrayOfUntrustedCredentials")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    active = etree.SubElement(item, f"{{{NS}}}IsActive")
    active.set(f"{{{XSI}}}type", "xsd:boolean")
    active.text = "true"
    (cred,) = parse(envelope(wrapper))
    assert cred.is_active is True


def test_nil_items_are_skipped_and_absent_response_is_empty() -> None:
    result = parse(credentials_response([None, [("Comment", "x")]]))
    assert result == [as_read(comment="x")]
    assert parse(credentials_response(None)) == []
    assert parse(credentials_response([])) == []


@pytest.mark.parametrize("field", ["IsActive", "ValidFrom", "ValidTo"])
def test_nil_on_a_non_nillable_field_reads_none(field: str) -> None:
    """xsi:nil is "no value" on any element, as an absent element is (the documentation's own
    example answers put it on xs:int and xs:boolean elements); a default is never used."""
    _, cred = parse(credentials_response([DOC_CREDENTIAL, [(field, NIL)]]))
    assert getattr(cred, snake(field)) is None


def test_nil_with_content_is_an_error() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    comment = etree.SubElement(item, f"{{{NS}}}Comment")
    comment.set(f"{{{XSI}}}nil", "true")
    comment.text = "text"
    assert "has content" in str(parse_error(envelope(wrapper)))


def test_bad_nil_value_is_an_error() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    etree.SubElement(item, f"{{{NS}}}Comment").set(f"{{{XSI}}}nil", "yes")
    assert "invalid xsi:nil value 'yes'" in str(parse_error(envelope(wrapper)))


# ----------------------------------------------------------------------------------------------
# Scalars


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("1", True), ("0", False), (" true\n", True)],
)
def test_boolean_lexical_forms(text: str, value: bool) -> None:
    assert one(("IsActive", text)).is_active is value


@pytest.mark.parametrize("text", ["True", "FALSE", "yes", "2", "t", "-0"])
def test_boolean_rejects_other_forms(text: str) -> None:
    error = field_error(("IsActive", text))
    assert error.path == f"{PATH}[2]/IsActive"
    assert repr(text) in str(error)


def test_int_in_range() -> None:
    def length(text: str) -> Any:
        cred = one(
            (
                "FieldProperties",
                [
                    (
                        "FieldPropertyDictionaryKeyValuePair",
                        [("Key", "A"), ("Value", [("FieldLength", text)])],
                    )
                ],
            )
        )
        assert cred.field_properties is not None
        return cred.field_properties["A"].field_length

    assert length("2147483647") == 2**31 - 1
    assert length("-2147483648") == -(2**31)
    assert length("+7") == 7


@pytest.mark.parametrize(
    "text", ["2147483648", "-2147483649", "1_000", "1.0", "0x10", "\u0663", "five"]
)
def test_int_rejects(text: str) -> None:
    error = field_error(
        (
            "FieldProperties",
            [
                (
                    "FieldPropertyDictionaryKeyValuePair",
                    [("Key", "A"), ("Value", [("FieldLength", text)])],
                )
            ],
        )
    )
    assert error.path == (
        f"{PATH}[2]/FieldProperties/FieldPropertyDictionaryKeyValuePair[1]/Value/FieldLength"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-25T21:36:23Z", datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone.utc)),
        ("2021-03-25T21:36:23.5Z", datetime(2021, 3, 25, 21, 36, 23, 500000, tzinfo=timezone.utc)),
        (
            "2021-03-25T21:36:23.1234567Z",
            datetime(2021, 3, 25, 21, 36, 23, 123456, tzinfo=timezone.utc),
        ),
        (
            "2021-03-25T21:36:23.9999999Z",
            datetime(2021, 3, 25, 21, 36, 23, 999999, tzinfo=timezone.utc),
        ),
        (
            "2021-03-25T21:36:23-05:30",
            datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        ),
        (
            "2021-03-25T21:36:23+14:00",
            datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone(timedelta(hours=14))),
        ),
        ("2021-03-25T21:36:23", datetime(2021, 3, 25, 21, 36, 23)),
        ("0001-01-01T00:00:00", datetime(1, 1, 1)),
        ("9999-12-31T23:59:59.9999999", datetime(9999, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_datetime_as_wcf_writes_it(text: str, expected: datetime) -> None:
    value = one(("ValidFrom", text)).valid_from
    assert value == expected
    assert value.tzinfo == expected.tzinfo  # naive stays naive, offsets are kept


@pytest.mark.parametrize(
    "text",
    [
        "2021-03-25 21:36:23",
        "2021-13-01T00:00:00",
        "2021-02-30T00:00:00",
        "2021-03-25T24:00:00",
        "2021-03-25T21:36:23+15:00",
        "2021-03-25T21:36:23+0200",
        "2021-03-25T21:36",
        "0000-01-01T00:00:00",
        "21-03-25T21:36:23",
        "2021-03-25T21:36:23.Z",
        "",
    ],
)
def test_datetime_rejects(text: str) -> None:
    error = field_error(("ValidTo", text))
    assert error.path == f"{PATH}[2]/ValidTo"


@pytest.mark.parametrize("field", ["IsActive", "ValidFrom"])
def test_empty_non_string_is_an_error(field: str) -> None:
    error = field_error((field, ""))
    assert "empty element" in str(error)
    assert error.path == f"{PATH}[2]/{field}"


def test_empty_mask_is_the_empty_set() -> None:
    cred = one(("TableRight", [("Mask", ""), ("Reason", "")]))
    assert cred.table_right == TableRight(mask=frozenset(), reason="")


def test_mask_tokens_are_checked() -> None:
    error = field_error(("TableRight", [("Mask", "Select Launch")]))
    assert error.path == f"{PATH}[2]/TableRight/Mask"
    assert "'Launch'" in str(error)


def test_a_nil_mask_reads_none() -> None:
    _, cred = parse(credentials_response([DOC_CREDENTIAL, [("TableRight", [("Mask", NIL)])]]))
    assert cred.table_right == TableRight(mask=None, reason=None)


# ----------------------------------------------------------------------------------------------
# Shape


def test_unknown_element_in_a_known_structure() -> None:
    error = field_error(("Comment", "x"), ("Password", "p"))
    assert error.path == f"{PATH}[2]/Password"
    assert "unexpected element Password" in str(error)


def test_element_in_a_foreign_namespace_is_unknown() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    item = etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    etree.SubElement(item, "{urn:other}Comment")
    assert "namespace urn:other" in str(parse_error(envelope(wrapper)))


def test_out_of_order_and_repeated_elements() -> None:
    error = field_error(("IsActive", "true"), ("Comment", "x"))
    assert "out of order" in str(error)
    assert error.path == f"{PATH}[2]/Comment"
    error = field_error(("Comment", "x"), ("Comment", "y"))
    assert "repeated" in str(error)
    assert error.path == f"{PATH}[2]/Comment[2]"


def test_text_where_elements_belong() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    response.text = "surprise"
    error = parse_error(envelope(wrapper))
    assert error.path == "Body/GetUntrustedCredentialsForAssociateResponse/Response"


def test_element_where_a_simple_value_belongs() -> None:
    error = field_error(("IsActive", [("Nested", "true")]))
    assert error.path == f"{PATH}[2]/IsActive"
    assert "expected a simple value" in str(error)


def test_non_list_mask() -> None:
    error = field_error(("TableRight", [("Mask", [("Select", "")])]))
    assert error.path == f"{PATH}[2]/TableRight/Mask"


def test_wrong_body_element() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsResponse")
    error = parse_error(envelope(wrapper))
    assert error.path == "Body"
    assert "expected GetUntrustedCredentialsForAssociateResponse" in str(error)


def test_unknown_element_in_the_response_wrapper() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    etree.SubElement(wrapper, f"{{{NS}}}Result")
    path = parse_error(envelope(wrapper)).path
    assert path == "Body/GetUntrustedCredentialsForAssociateResponse/Result"


def test_unknown_item_in_the_array() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{NS}}}Response")
    etree.SubElement(response, f"{{{NS}}}UntrustedCredentials")
    etree.SubElement(response, f"{{{NS}}}CredentialType")
    error = parse_error(envelope(wrapper))
    assert error.path == "Body/GetUntrustedCredentialsForAssociateResponse/Response/CredentialType"
    assert "unexpected element CredentialType" in str(error)


def test_error_in_the_second_item_names_it_1_based() -> None:
    error = field_error(("IsActive", "maybe"))
    assert error.path == f"{PATH}[2]/IsActive"
    assert str(error).startswith(f"{PATH}[2]/IsActive: ")


def test_duplicate_dictionary_key() -> None:
    pair: list[Field] = [("Key", "A"), ("Value", [])]
    error = field_error(
        (
            "FieldProperties",
            [
                ("FieldPropertyDictionaryKeyValuePair", pair),
                ("FieldPropertyDictionaryKeyValuePair", pair),
            ],
        )
    )
    assert "duplicate key 'A'" in str(error)
    assert error.path.endswith("FieldProperties/FieldPropertyDictionaryKeyValuePair[2]")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_either_envelope_namespace_is_parsed(version: str) -> None:
    result = parse(credentials_response([[("Comment", "v")]], version=version))
    assert result == [as_read(comment="v")]


def test_envelope_must_be_soap() -> None:
    root = etree.Element("{urn:other}Envelope")
    error = parse_error(etree.tostring(root))
    assert "expected a SOAP Envelope" in str(error)


def test_envelope_without_body() -> None:
    root = etree.Element(f"{{{SOAP11}}}Envelope")
    etree.SubElement(root, f"{{{SOAP11}}}Header")
    assert "no Body" in str(parse_error(etree.tostring(root)))


def test_mixed_envelope_versions_are_an_error() -> None:
    root = etree.Element(f"{{{SOAP11}}}Envelope")
    etree.SubElement(root, f"{{{SOAP12}}}Body")
    assert "unexpected element Body" in str(parse_error(etree.tostring(root)))


def test_body_with_two_elements() -> None:
    root = etree.Element(f"{{{SOAP11}}}Envelope")
    body = etree.SubElement(root, f"{{{SOAP11}}}Body")
    etree.SubElement(body, f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    etree.SubElement(body, f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    assert "exactly one element" in str(parse_error(etree.tostring(root)))


def test_unknown_header_is_ignored_unless_it_must_be_understood() -> None:
    extra = etree.Element("{urn:ext}Trace")
    extra.text = "x"
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    assert parse(envelope(wrapper, headers=OK_HEADERS, header_elements=[extra])) == []
    extra.set(f"{{{SOAP11}}}mustUnderstand", "1")
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    error = parse_error(envelope(wrapper, headers=OK_HEADERS, header_elements=[extra]))
    assert "must be understood" in str(error)


def test_bad_succeeded_header() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    error = parse_error(envelope(wrapper, headers=[("Succeeded", "maybe")]))
    assert error.path == "Header/Succeeded"


# ----------------------------------------------------------------------------------------------
# NetServer errors and SOAP faults

EXCEPTION_INFO: list[Field] = [
    ("Message", "Failed to authenticate 7T:my-ticket"),
    ("StackTrace", "at SuperOffice.Something()"),
    ("FriendlyText", "You are not logged in"),
    ("ExceptionType", "SoSecurityException"),
    ("Source", "SoCore"),
    (
        "InnerException",
        [
            ("Message", "ticket expired"),
            ("ExceptionType", "TicketException"),
            ("InnerException", NIL),
        ],
    ),
    (
        "Parameters",
        [("SoExceptionInfoParametersKeyValuePair", [("Key", "ticket"), ("Value", "7T:my-ticket")])],
    ),
]


def test_exception_info_is_a_netserver_error() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    content = envelope(
        wrapper,
        headers=[("ExceptionInfo", EXCEPTION_INFO), ("ExtraInfo", []), ("Succeeded", "false")],
    )
    with pytest.raises(NetServerError) as info:
        parse(content, redact=["7T:my-ticket", None])
    error = info.value
    assert error.exception_type == "SoSecurityException"
    assert error.message == "Failed to authenticate ***"
    assert error.friendly_text == "You are not logged in"
    assert error.source == "SoCore"
    assert error.parameters == {"ticket": "***"}
    assert error.stack_trace == "at SuperOffice.Something()"
    assert error.inner_exception is not None
    assert error.inner_exception.exception_type == "TicketException"
    assert error.inner_exception.message == "ticket expired"
    assert error.inner_exception.inner_exception is None
    text = str(error)
    assert "SoSecurityException" in text
    assert "ticket expired" in text
    assert "SuperOffice.Something" not in text  # no stack trace in str()
    assert "7T:my-ticket" not in text


def test_exception_info_with_succeeded_true_is_still_an_error() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    content = envelope(
        wrapper, headers=[("ExceptionInfo", [("Message", "boom")]), ("Succeeded", "true")]
    )
    with pytest.raises(NetServerError, match="boom"):
        parse(content)


def test_succeeded_false_without_exception_info() -> None:
    wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
    content = envelope(wrapper, headers=[("ExceptionInfo", NIL), ("Succeeded", "false")])
    with pytest.raises(NetServerError) as info:
        parse(content)
    assert info.value.exception_type is None
    assert "Succeeded=false" in str(info.value)


@pytest.mark.parametrize("status", [500, 200])
def test_soap11_fault(status: int) -> None:
    detail = etree.Element("{urn:x}Info")
    detail.text = "more about 7T:my-ticket"
    content = fault11(
        "a:ActionNotSupported", "The message with Action '' cannot be processed", detail
    )
    with pytest.raises(SoapFault) as info:
        parse(content, status, redact=["7T:my-ticket"])
    fault = info.value
    assert fault.code == "ActionNotSupported"
    assert fault.subcodes == ()
    assert fault.reason == "The message with Action '' cannot be processed"
    assert fault.soap_version == "1.1"
    assert fault.status_code == status
    assert fault.detail is not None
    assert "more about ***" in fault.detail
    assert "7T:my-ticket" not in fault.detail


@pytest.mark.parametrize("status", [500, 200])
def test_soap12_fault(status: int) -> None:
    content = fault12("s:Sender", ["a:ActionNotSupported", "a:Deeper"], "Reason with 7T:my-ticket")
    with pytest.raises(SoapFault) as info:
        parse(
            content,
            status,
            headers={"content-type": "application/soap+xml"},
            redact=["7T:my-ticket"],
        )
    fault = info.value
    assert (fault.code, fault.subcodes) == ("Sender", ("ActionNotSupported", "Deeper"))
    assert fault.reason == "Reason with ***"
    assert fault.soap_version == "1.2"
    assert "7T:my-ticket" not in str(fault)


def test_fault_without_code_is_still_a_fault_with_its_reason() -> None:
    fault = etree.Element(f"{{{SOAP11}}}Fault")
    etree.SubElement(fault, "faultstring").text = "no code"
    with pytest.raises(SoapFault) as info:
        parse(envelope(fault), 500)
    assert (info.value.code, info.value.reason) == ("", "no code")
    assert str(info.value) == "SOAP 1.1 fault (no fault code): no code"


# ----------------------------------------------------------------------------------------------
# Non-SOAP answers, malformed XML, unsafe XML


def test_html_error_page_is_an_http_status_error() -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    with pytest.raises(HTTPStatusError) as info:
        parse(page, 502, {"Content-Type": "text/html"})
    error = info.value
    assert error.status_code == 502
    assert error.content_type == "text/html"
    assert "502 Bad Gateway" in error.excerpt
    assert "HTTP 502" in str(error)


def test_html_with_200_is_an_http_status_error() -> None:
    with pytest.raises(HTTPStatusError) as info:
        parse(b"<html>login</html>", 200, {"Content-Type": "text/html; charset=utf-8"})
    assert info.value.status_code == 200


@pytest.mark.parametrize("body", [b"", b"  \r\n"])
def test_empty_body_is_an_http_status_error(body: bytes) -> None:
    with pytest.raises(HTTPStatusError, match="empty body"):
        parse(body, 200)


def test_non_2xx_xml_without_fault_is_an_http_status_error() -> None:
    content = credentials_response([])
    with pytest.raises(HTTPStatusError) as info:
        parse(content, 500)
    assert info.value.status_code == 500


def test_non_2xx_malformed_xml_is_an_http_status_error() -> None:
    with pytest.raises(HTTPStatusError):
        parse(b"<oops", 503)


def test_long_excerpt_is_cut() -> None:
    with pytest.raises(HTTPStatusError) as info:
        parse(b"x" * 10_000, 502, {"Content-Type": "text/plain"})
    assert len(info.value.excerpt) <= 201


def test_excerpt_is_scrubbed() -> None:
    with pytest.raises(HTTPStatusError) as info:
        parse(
            b"bad ticket 7T:my-ticket", 403, {"Content-Type": "text/plain"}, redact=["7T:my-ticket"]
        )
    assert "7T:my-ticket" not in str(info.value)
    assert "7T:my-ticket" not in info.value.excerpt


@pytest.mark.parametrize("body", [b"<s:Envelope", b"<a><b></a>", b"\xff\xfe\x00garbage"])
def test_malformed_xml_in_2xx_is_a_parse_error(body: bytes) -> None:
    error = parse_error(body)
    assert "malformed XML" in str(error)


def test_doctype_is_refused_and_entities_are_not_expanded(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE")
    body = (
        b'<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "'
        + secret.as_uri().encode()
        + b'">]><s:Envelope xmlns:s="'
        + SOAP11.encode()
        + b'"><s:Body><GetUntrustedCredentialsForAssociateResponse xmlns="'
        + NS.encode()
        + b'"><Response><UntrustedCredentials><Comment>&x;</Comment></UntrustedCredentials>'
        + b"</Response></GetUntrustedCredentialsForAssociateResponse></s:Body></s:Envelope>"
    )
    error = parse_error(body)
    assert "DOCTYPE" in str(error)
    assert "TOP-SECRET" not in str(error)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
        % ((i,) + (i - 1,) * 10)
        for i in range(1, 10)
    )
    body = b'<!DOCTYPE r [<!ENTITY l0 "lol">' + entities + b"]><r>&l9;</r>"
    error = parse_error(body)  # refused by the DOCTYPE rule or by libxml2's amplification limit
    assert "lol" not in str(error)


# ----------------------------------------------------------------------------------------------
# Secrets in errors


def test_a_secret_field_value_is_never_quoted() -> None:
    error = field_error(("SecretValue", [("Inner", "hunter2-secret")]))
    assert error.path == f"{PATH}[2]/SecretValue"
    assert "hunter2-secret" not in str(error)


def test_parse_error_text_is_scrubbed_of_the_ticket() -> None:
    with pytest.raises(ResponseParseError) as info:
        parse(credentials_response([[("IsActive", "7T:my-ticket")]]), redact=["7T:my-ticket"])
    assert "7T:my-ticket" not in str(info.value)
    assert "***" in str(info.value)


def test_repr_masks_the_secret_value() -> None:
    cred = one(("SecretValue", "hunter2"))
    assert "hunter2" not in repr(cred)
    assert cred.secret_value == "hunter2"


def _items(count: int) -> Sequence[Sequence[Field]]:
    return [DOC_CREDENTIAL for _ in range(count)]


def test_many_items() -> None:
    assert len(parse(credentials_response(_items(500)))) == 500
