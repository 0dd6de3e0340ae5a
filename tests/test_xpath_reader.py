"""The XPath-driven reader the benchmarks compare with (``benchmarks/xpath_reader.py``) returns
exactly what the library's parser returns, on the same answers: the same values (types, offsets)
on valid answers, the same ResponseParseError (message and path) on broken ones.

Broken answers are made from a valid one by one change at a time, at every element of its Body
payload: renamed to an unknown element, repeated, moved before its previous sibling, given a bad
simple value, followed by stray text, marked nil (with its content), marked nil with a bad value.
The four faults the design must reject alike — an unknown element, one out of order, one repeated,
a bad boolean — are also named cases with the message both must give.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    FieldProperty,
    FieldRight,
    ResponseParseError,
    SuperOfficeSoapError,
    TableRight,
    UntrustedCredentials,
    parse_response,
)

from ._responses import (
    NIL,
    NS,
    XSI,
    Lex,
    Quirky,
    Style,
    WireCredentials,
    WireFieldProperty,
    WireHeaders,
    WireRight,
    credentials_response,
    envelope,
    response_headers,
    to_bytes,
)
from .test_zeep_differential import Drawn, models

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import xpath_reader  # benchmarks/, by the path entry above

HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
XSI_NIL = f"{{{XSI}}}nil"
ANSWER_HEADERS = WireHeaders(exception_info=NIL, extra_info=[], succeeded="true", time_zone=NIL)

Outcome = tuple[Any, ...]


def _library(data: bytes) -> list[UntrustedCredentials]:
    return parse_response(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, 200, HEADERS, data)


def _xpath(data: bytes) -> list[UntrustedCredentials]:
    return xpath_reader.parse_credentials_xpath(200, HEADERS, data)


def _exact(value: object) -> object:
    """Every detail of a result: types, datetimes with their offsets, nested models."""
    if attrs.has(type(value)):
        fields = attrs.fields(cast(Any, type(value)))
        return (type(value).__name__, [(f.name, _exact(getattr(value, f.name))) for f in fields])
    if isinstance(value, datetime):
        return ("datetime", value.replace(tzinfo=None), value.utcoffset())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_exact(item) for item in value])
    if hasattr(value, "items"):
        return ("mapping", [(key, _exact(item)) for key, item in value.items()])
    return (type(value).__name__, value)


def outcome(read: Callable[[bytes], list[UntrustedCredentials]], data: bytes) -> Outcome:
    """What a reader makes of ``data``: its exact value, or its error's class, text and path."""
    try:
        return ("value", _exact(read(data)))
    except SuperOfficeSoapError as error:
        return ("error", type(error).__name__, str(error), getattr(error, "path", None))


def assert_same(data: bytes) -> Outcome:
    result = outcome(_library, data)
    assert outcome(_xpath, data) == result
    return result


# --------------------------------------------------------------------------------------------
# Valid answers
# --------------------------------------------------------------------------------------------

UTC = timezone.utc
TABLE = TableRight(mask=frozenset({"Select", "Update"}), reason="Owned by you")
PROPS = {
    "comment": FieldProperty(
        field_right=FieldRight(mask=frozenset({"Read", "Write"}), reason=""),
        field_type="System.String",
        field_length=255,
    ),
    "secretValue": FieldProperty(field_right=None, field_type="System.String", field_length=2000),
}
CREDENTIALS = [
    UntrustedCredentials(
        valid_from=datetime(2021, 3, 25, 21, 36, 23, tzinfo=UTC),
        valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
        comment="Main IMAP account <&>",
        secret_value="s3cr3t",
        public_value="user@example.com",
        is_active=True,
        table_right=TABLE,
        field_properties=PROPS,
    ),
    UntrustedCredentials(
        valid_from=datetime(2024, 2, 29, 8, 15, 0, 123456, tzinfo=timezone(timedelta(hours=5.5))),
        valid_to=None,
        comment="",
        secret_value=None,
        public_value="ÆØÅ ✓",
        is_active=False,
        table_right=TableRight(mask=frozenset(), reason=None),
        field_properties={},
    ),
    UntrustedCredentials(valid_to=None, is_active=None),
]
WIRE = [
    WireCredentials(
        table_right=WireRight(mask=" Select\n Update ", reason=NIL),
        field_properties=[
            ("a", WireFieldProperty(WireRight("Read", ""), "System.String", " +0255 ")),
            ("b", NIL),
            ("", WireFieldProperty(NIL, NIL, "-1")),
        ],
        valid_from=" 2021-03-25T21:36:23.1234567+02:00\n",
        valid_to="9999-12-31T23:59:59.9999999",
        comment="\u00a0",
        secret_value="",
        public_value=NIL,
        is_active=" 1 ",
    ),
    NIL,
    WireCredentials(table_right=NIL, field_properties=NIL, is_active="0"),
    WireCredentials(),
]


def _answer(
    items: Any, *, style: Style = "datacontract", lex: Lex | None = None, headers: bool = True
) -> bytes:
    payload = credentials_response(items, style=style, lex=lex)
    blocks = response_headers(ANSWER_HEADERS, style=style) if headers else []
    return to_bytes(envelope(payload, blocks))


VALID = {
    "models": _answer(CREDENTIALS),
    "models-prefixed": _answer(CREDENTIALS, style="prefixed"),
    "models-quirky": _answer(CREDENTIALS, lex=Quirky(), headers=False),
    "wire-text": _answer(WIRE),
    "response-empty": _answer([]),
    "response-nil": _answer(NIL),
    "response-absent": _answer(None),
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_answers_read_alike(name: str) -> None:
    kind, *_ = assert_same(VALID[name])
    assert kind == "value"


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(models(UntrustedCredentials), max_size=3),
    style=st.sampled_from(["datacontract", "prefixed"]),
    data=st.data(),
)
def test_random_answers_read_alike(
    items: list[UntrustedCredentials], style: Style, data: st.DataObject
) -> None:
    kind, *_ = assert_same(_answer(items, style=style, lex=Drawn(data.draw)))
    assert kind == "value"


# --------------------------------------------------------------------------------------------
# Broken answers
# --------------------------------------------------------------------------------------------

BASE = VALID["wire-text"]
Mutation = Callable[[etree._Element], bool]


def _rename(element: etree._Element) -> bool:
    element.tag = f"{{{NS}}}Unknown"
    return True


def _repeat(element: etree._Element) -> bool:
    element.addnext(copy.deepcopy(element))
    return True


def _move_back(element: etree._Element) -> bool:
    previous = element.getprevious()
    if previous is None:
        return False
    previous.addprevious(element)
    return True


def _bad_value(element: etree._Element) -> bool:
    if len(element):
        return False
    element.text = "maybe"
    return True


def _stray_text(element: etree._Element) -> bool:
    element.tail = (element.tail or "") + "stray"
    return True


def _text_inside(element: etree._Element) -> bool:
    if not len(element):
        return False
    element.text = "stray"
    return True


def _nil_with_content(element: etree._Element) -> bool:
    element.set(XSI_NIL, "true")
    return True


def _bad_nil(element: etree._Element) -> bool:
    element.set(XSI_NIL, "maybe")
    return True


MUTATIONS: dict[str, Mutation] = {
    "rename": _rename,
    "repeat": _repeat,
    "move-back": _move_back,
    "bad-value": _bad_value,
    "stray-text": _stray_text,
    "text-inside": _text_inside,
    "nil": _nil_with_content,
    "bad-nil": _bad_nil,
}


def _payload_elements(root: etree._Element) -> list[etree._Element]:
    (body,) = (child for child in root if etree.QName(child).localname == "Body")
    return [element for element in body.iter() if element is not body]


def mutants(base: str) -> Iterator[tuple[str, bytes]]:
    """One changed answer per (mutation, element of the Body payload) that applies."""
    count = len(_payload_elements(etree.fromstring(VALID[base])))
    for name, mutate in MUTATIONS.items():
        for index in range(count):
            root = etree.fromstring(VALID[base])
            element = _payload_elements(root)[index]
            label = f"{base}/{name}@{index}:{etree.QName(element).localname}"
            if mutate(element):
                yield label, to_bytes(root)


MUTANTS = [*mutants("wire-text"), *mutants("models")]


def test_every_change_reads_alike() -> None:
    """Each changed answer: the same value, or the same error with the same path."""
    errors = 0
    for label, data in MUTANTS:
        result = outcome(_library, data)
        assert outcome(_xpath, data) == result, label
        errors += result[0] == "error"
    # the changes are faults, mostly: most answers are refused (by both)
    assert len(MUTANTS) > 400
    assert errors > len(MUTANTS) * 3 // 4


def _first(root: etree._Element, local: str) -> etree._Element:
    return next(root.iter(f"{{{NS}}}{local}"))


def _changed(change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(BASE)
    change(root)
    return to_bytes(root)


PATH = "Body/GetUntrustedCredentialsForAssociateResponse/Response/UntrustedCredentials[1]"


@pytest.mark.parametrize(
    ("change", "problem", "path"),
    [
        pytest.param(
            lambda root: _rename(_first(root, "Comment")),
            "unexpected element Unknown",
            f"{PATH}/Unknown",
            id="unknown-element",
        ),
        pytest.param(
            lambda root: _move_back(_first(root, "ValidTo")),
            "element ValidFrom is repeated or out of order",
            f"{PATH}/ValidFrom",
            id="out-of-order",
        ),
        pytest.param(
            lambda root: _repeat(_first(root, "PublicValue")),
            "element PublicValue is repeated or out of order",
            f"{PATH}/PublicValue[2]",
            id="repeated",
        ),
        pytest.param(
            lambda root: _bad_value(_first(root, "IsActive")),
            "not an xs:boolean: 'maybe'",
            f"{PATH}/IsActive",
            id="bad-boolean",
        ),
    ],
)
def test_named_faults_are_refused_alike(
    change: Callable[[etree._Element], None], problem: str, path: str
) -> None:
    data = _changed(change)
    for read in (_library, _xpath):
        with pytest.raises(ResponseParseError) as caught:
            read(data)
        assert (caught.value.problem, caught.value.path) == (problem, path)
    assert_same(data)


def test_text_between_dictionary_entries_is_refused_alike() -> None:
    """Text after a FieldProperties entry is refused, as a struct's or an array's stray text is,
    by both readers, naming the entry."""

    def change(root: etree._Element) -> None:
        pair = _first(root, "FieldPropertyDictionaryKeyValuePair")
        pair.tail = "stray"

    kind, *rest = assert_same(_changed(change))
    assert kind == "error"
    assert "FieldPropertyDictionaryKeyValuePair[1]: unexpected text 'stray'" in str(rest)
