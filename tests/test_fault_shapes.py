"""Faults with odd shapes, read leniently as the README says: a Fault is always a SoapFault, keeps
the first code and reason it carries, and ignores what it does not know."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from superoffice_soap import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP
from superoffice_soap import SoapFault, parse_response
from superoffice_soap._namespaces import SOAP11, SOAP12
from superoffice_soap.parser import read_envelope

XML = {"Content-Type": "text/xml; charset=utf-8"}
#: A Fault child: (namespace or None, local name, text), or a bare str for text in the Fault.
Part = Union[tuple[Optional[str], str, str], str]


def fault(
    parts: Sequence[Part], *, fault_ns: Optional[str] = SOAP11, env_ns: str = SOAP11
) -> bytes:
    root = etree.Element(f"{{{env_ns}}}Envelope", nsmap={"s": env_ns})
    body = etree.SubElement(root, f"{{{env_ns}}}Body")
    element = etree.SubElement(body, "Fault" if fault_ns is None else f"{{{fault_ns}}}Fault")
    last: Optional[etree._Element] = None
    for part in parts:
        if isinstance(part, str):
            if last is None:
                element.text = (element.text or "") + part
            else:
                last.tail = (last.tail or "") + part
            continue
        ns, name, text = part
        last = etree.SubElement(element, name if ns is None else f"{{{ns}}}{name}")
        last.text = text
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return content


def fault12(code: Optional[str], reasons: Sequence[str], extra: Sequence[Any] = ()) -> bytes:
    root = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"e": SOAP12})
    body = etree.SubElement(root, f"{{{SOAP12}}}Body")
    element = etree.SubElement(body, f"{{{SOAP12}}}Fault")
    if code is not None:
        code_element = etree.SubElement(element, f"{{{SOAP12}}}Code")
        etree.SubElement(code_element, f"{{{SOAP12}}}Value").text = code
    if reasons:
        reason = etree.SubElement(element, f"{{{SOAP12}}}Reason")
        for text in reasons:
            etree.SubElement(reason, f"{{{SOAP12}}}Text").text = text
    for name in extra:
        etree.SubElement(element, name).text = "ignored"
    content: bytes = etree.tostring(root)
    return content


def raised(content: bytes, status: int = 500) -> SoapFault:
    with pytest.raises(SoapFault) as info:
        parse_response(OP, status, XML, content)
    return info.value


def test_two_faultcodes_the_first_is_the_code() -> None:
    error = raised(
        fault(
            [
                (None, "faultcode", "s:Client"),
                (None, "faultcode", "s:Server"),
                (None, "faultstring", "bad request"),
            ]
        )
    )
    assert (error.code, error.reason) == ("Client", "bad request")


def test_two_faultstrings_the_first_is_the_reason() -> None:
    error = raised(
        fault(
            [
                (None, "faultcode", "s:Client"),
                (None, "faultstring", "first"),
                (None, "faultstring", "second"),
            ]
        )
    )
    assert error.reason == "first"


def test_unknown_children_and_order_are_ignored() -> None:
    parts: list[Part] = [
        ("urn:vendor", "Trace", "id-1"),
        (None, "faultactor", "http://h/User.svc"),
        (None, "faultstring", "went wrong"),
        (None, "Unknown", "x"),
        (None, "faultcode", "a:InternalServiceFault"),
    ]
    error = raised(fault(parts))
    assert (error.code, error.reason, error.detail) == ("InternalServiceFault", "went wrong", None)


def test_text_in_the_fault_is_ignored_beside_a_faultstring() -> None:
    error = raised(
        fault(
            [
                "stray ",
                (None, "faultcode", "s:Client"),
                " text",
                (None, "faultstring", "the reason"),
            ]
        )
    )
    assert error.reason == "the reason"


def test_text_alone_is_the_reason() -> None:
    error = raised(fault(["  The server ", (None, "faultcode", "s:Server"), " is down  "]))
    assert (error.code, error.reason) == ("Server", "The server is down")


def test_an_empty_fault_is_still_a_fault() -> None:
    error = raised(fault([]), status=200)
    assert (error.code, error.subcodes, error.reason, error.detail) == ("", (), "", None)
    assert error.status_code == 200
    assert "(no fault code)" in str(error)


def test_qualified_soap11_children_are_read() -> None:
    error = raised(fault([(SOAP11, "faultcode", "s:Client"), (SOAP11, "faultstring", "why")]))
    assert (error.code, error.reason) == ("Client", "why")


def test_children_in_another_namespace_are_not_the_fault_parts() -> None:
    error = raised(fault([("urn:other", "faultcode", "x:Fake"), (None, "faultcode", "s:Real")]))
    assert error.code == "Real"


def test_a_soap12_fault_in_a_soap11_envelope_is_read_by_its_own_shape() -> None:
    content = fault12("e:Receiver", ["broken"])
    root = etree.fromstring(content)
    payload = root[0][0]
    env = etree.Element(f"{{{SOAP11}}}Envelope")
    etree.SubElement(env, f"{{{SOAP11}}}Body").append(payload)
    error = raised(etree.tostring(env))
    assert (error.code, error.reason, error.soap_version) == ("Receiver", "broken", "1.1")


def test_an_unqualified_fault_is_a_fault() -> None:
    error = raised(
        fault([(None, "faultcode", "s:Server"), (None, "faultstring", "no ns")], fault_ns=None)
    )
    assert (error.code, error.reason) == ("Server", "no ns")


def test_soap12_several_reason_texts_the_first_is_the_reason() -> None:
    error = raised(fault12("e:Sender", ["in English", "auf Deutsch"], extra=["Node", "Role"]))
    assert (error.code, error.reason) == ("Sender", "in English")


def test_soap12_without_a_code_keeps_its_reason() -> None:
    error = raised(fault12(None, ["why"]))
    assert (error.code, error.reason) == ("", "why")


def test_a_qualified_version_mismatch_code_still_negotiates() -> None:
    content = fault([(SOAP11, "faultcode", " s:VersionMismatch "), (None, "faultstring", "1.1")])
    envelope = read_envelope(500, XML, content)
    assert envelope.is_version_mismatch


# ----------------------------------------------------------------------------------------------
# Whatever the shape: a SoapFault, with the first code and reason it carries

NAMES = st.sampled_from(["faultcode", "faultstring", "detail", "faultactor", "Unknown"])
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Cn", "Co"), blacklist_characters="{}"
    ),
    max_size=12,
).filter(lambda t: t == "" or t.strip() == t)
PARTS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from([None, SOAP11, "urn:other"]), NAMES, TEXT),
        TEXT.filter(bool),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(parts=PARTS, status=st.sampled_from([200, 500]))
def test_any_fault_shape_is_a_fault_with_its_first_code_and_reason(
    parts: list[Part], status: int
) -> None:
    error = raised(fault(parts), status)
    ours = [p for p in parts if isinstance(p, tuple) and p[0] in (None, SOAP11)]
    codes = [text for _, name, text in ours if name == "faultcode"]
    reasons = [text for _, name, text in ours if name == "faultstring"]
    expected_code = codes[0].strip().rpartition(":")[2] if codes else ""
    assert error.code == expected_code
    if reasons and reasons[0].strip():
        assert error.reason == reasons[0].strip()
    assert error.status_code == status
