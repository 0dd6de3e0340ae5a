"""Fuzzing the parser: any answer either decodes or raises a SuperOfficeSoapError, nothing else.

The suite runs a few hundred cases of each; ``make fuzz`` runs the same tests with
FUZZ_EXAMPLES cases each (100,000: 200,000 in all).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superoffice_soap import SuperOfficeSoapError, UntrustedCredentials, parse_response
from superoffice_soap.operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP

from ._envelopes import OK_HEADERS, credentials_response

VALID = credentials_response(
    [
        [
            ("TableRight", [("Mask", "Select Update"), ("Reason", "r")]),
            (
                "FieldProperties",
                [
                    (
                        "FieldPropertyDictionaryKeyValuePair",
                        [
                            ("Key", "A"),
                            ("Value", [("FieldRight", [("Mask", "Read")]), ("FieldLength", "5")]),
                        ],
                    )
                ],
            ),
            ("ValidFrom", "2021-03-25T21:36:23.1234567Z"),
            ("ValidTo", "9999-12-31T23:59:59.9999999"),
            ("Comment", "c"),
            ("SecretValue", "s"),
            ("PublicValue", "p"),
            ("IsActive", "true"),
        ],
        None,
    ],
    headers=OK_HEADERS,
)

CONTENT_TYPES = st.sampled_from(
    ["text/xml; charset=utf-8", "application/soap+xml", "text/html", "", "application/xml"]
)
STATUS = st.sampled_from([200, 202, 302, 400, 415, 500, 502])


def check(status: int, content_type: str, body: bytes) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        result = parse_response(OP, status, headers, body)
    except SuperOfficeSoapError:
        return
    assert isinstance(result, list)
    assert all(isinstance(item, UntrustedCredentials) for item in result)


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STATUS, CONTENT_TYPES, st.binary(max_size=600))
def test_arbitrary_bytes(status: int, content_type: str, body: bytes) -> None:
    check(status, content_type, body)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif kind == "insert":
            fragment = draw(
                st.sampled_from(
                    [
                        b"<x/>",
                        b"&amp;",
                        b"&unknown;",
                        b"<!--c-->",
                        b"<?pi x?>",
                        b' i:nil="true"',
                        b"<![CDATA[z]]>",
                        b"\xc3\x28",
                        b"\x00",
                        b"</Response>",
                        b"<Comment>",
                    ]
                )
            )
            data[position:position] = fragment
        else:
            del data[position:]
    return bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STATUS, CONTENT_TYPES, mutated())
def test_mutated_valid_responses(status: int, content_type: str, body: bytes) -> None:
    check(status, content_type, body)


def test_the_unmutated_response_decodes() -> None:
    result = parse_response(OP, 200, {"Content-Type": "text/xml"}, VALID)
    assert len(result) == 1
    assert result[0].secret_value == "s"
