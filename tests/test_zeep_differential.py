"""Differential test: our parser against zeep on the same GetUntrustedCredentialsForAssociate bytes.

zeep (a dev-only dependency; the package never imports it) loads the reference WSDL and parses
each reply through ``SoapBinding.process_reply``, the path a zeep client takes for an HTTP answer.
Both results are mapped to one comparable form and compared field by field. Each case also
checks our result against the values the test put on the wire, so a bug shared by both parsers
still fails.

What zeep 4.3.3 does differently on valid input (systematic, so the comparison maps it away; the
exact expectation of each case keeps our side precise):

* **Empty string → None.** zeep turns every element without text into None, so ``<Comment/>``
  and ``<Comment i:nil="true"/>`` both read None; we give ``""`` and None. Strings (and dictionary
  keys) are compared with ``""`` and None as one value.
* **xsi:nil is ignored on complex types.** ``<TableRight i:nil="true"/>`` becomes a TableRight
  object whose fields are all None (an attribute is present, so zeep builds one), a nil
  ``FieldProperties`` an object with an empty pair list. We give None.
* **An empty complex element is None.** ``<TableRight/>`` or ``<Value/>`` (no children, no
  attributes) is None in zeep; we give ``TableRight(mask=frozenset(), reason=None)`` or
  ``FieldProperty()``. So a right/property with no content compares equal to None, and
  dictionary entries whose value has no content are left out on both sides (we drop an entry
  with a nil Value; zeep keeps it with an all-None object).
* **An empty xs:list is None.** ``<Mask/>`` reads None in zeep and ``frozenset()`` in ours; masks
  compare as sets with None as the empty set. Mask token order is irrelevant (a flags set).
* **Time zones.** isodate gives its own ``Utc``/``FixedOffset`` tzinfo; we give
  ``datetime.timezone``. Datetimes compare as (wall-clock fields, utcoffset()), never as instants.
* **Fractional seconds.** isodate *truncates* beyond microseconds, exactly like us:
  ``9999-12-31T23:59:59.9999999`` is ``datetime(9999, 12, 31, 23, 59, 59, 999999)`` in both.
* **No Response** (absent, empty or nil) reads None in zeep and ``[]`` in ours.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, TypeVar, Union

import pytest
import zeep  # a development dependency (the [dev] extra); the package never imports it
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
    parse_response,
)
from superoffice_soap.models import FIELD_RIGHT_FLAGS, TABLE_RIGHT_FLAGS
from tests._models import as_read

from ._responses import (
    NIL,
    Nil,
    Style,
    Text,
    WireCredentials,
    WireFieldProperty,
    WireHeaders,
    WireRight,
    convert_envelope,
    credentials_response,
    envelope,
    response_headers,
    to_bytes,
)
from .conftest import reference_file

WSDL = reference_file("user-credentials.wsdl")
EXAMPLE = reference_file("examples", "User", "GetUntrustedCredentialsForAssociate.response.xml")


OPERATION = "GetUntrustedCredentialsForAssociate"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
UTC = timezone.utc
MAX_VALUE = datetime(9999, 12, 31, 23, 59, 59, 999999)  # .NET DateTime.MaxValue, truncated

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# The two parsers
# --------------------------------------------------------------------------------------------


@dataclass
class _HttpReply:
    """The part of a ``requests.Response`` that zeep's ``SoapBinding.process_reply`` reads."""

    content: bytes
    status_code: int = 200
    encoding: str = "utf-8"
    headers: dict[str, str] = field(default_factory=lambda: dict(HEADERS))


@dataclass(frozen=True)
class _Oracle:
    client: Any
    binding: Any
    operation: Any


@functools.cache
def _oracle() -> _Oracle:
    # zeep.Client's __init__ is unannotated; the client and what it holds are used as Any
    client: Any = zeep.Client(str(WSDL), settings=zeep.Settings(strict=True))  # type: ignore[no-untyped-call]
    (binding,) = client.wsdl.bindings.values()
    return _Oracle(client, binding, binding.get(OPERATION))


def _zeep_reply(data: bytes) -> Any:
    """zeep's result: an envelope object with ``header`` and ``body`` (the output has headers)."""
    oracle = _oracle()
    return oracle.binding.process_reply(oracle.client, oracle.operation, _HttpReply(data))


def _zeep_items(data: bytes) -> list[Any]:
    body = _zeep_reply(data).body
    response = None if body is None else body.Response
    if response is None:
        return []
    return list(response.UntrustedCredentials or [])


def _ours(data: bytes) -> list[UntrustedCredentials]:
    return parse_response(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, 200, HEADERS, data)


# --------------------------------------------------------------------------------------------
# Comparable forms
# --------------------------------------------------------------------------------------------

DateKey = Optional[tuple[datetime, Optional[timedelta]]]


def _date_key(value: Optional[datetime]) -> DateKey:
    """Wall-clock fields plus offset: ``12:00+02:00`` and ``10:00Z`` differ here."""
    if value is None:
        return None
    return value.replace(tzinfo=None), value.utcoffset()


def _exact(cred: UntrustedCredentials) -> dict[str, object]:
    """Every field of ours, exactly (datetimes by wall clock and offset)."""
    props = cred.field_properties
    return {
        "valid_from": _date_key(cred.valid_from),
        "valid_to": _date_key(cred.valid_to),
        "comment": cred.comment,
        "secret_value": cred.secret_value,
        "public_value": cred.public_value,
        "is_active": cred.is_active,
        "table_right": cred.table_right,
        "field_properties": None if props is None else dict(props),
    }


def _s(value: Optional[str]) -> Optional[str]:
    """zeep reads an element without text as None: "" and None are one value."""
    return value or None


def _right(mask: Optional[Union[Sequence[str], frozenset[str]]], reason: Optional[str]) -> object:
    """A TableRight/FieldRight; one with no content equals None (see the module docstring)."""
    tokens = frozenset(mask or ())
    if not tokens and _s(reason) is None:
        return None
    return tokens, _s(reason)


def _property(right: object, field_type: Optional[str], length: Optional[int]) -> object:
    if right is None and _s(field_type) is None and length is None:
        return None
    return right, _s(field_type), length


def _dictionary(pairs: Sequence[tuple[Optional[str], object]]) -> dict[str, object]:
    return {key or "": value for key, value in pairs if value is not None}


def _comparable(
    valid_from: Optional[datetime],
    valid_to: Optional[datetime],
    comment: Optional[str],
    secret_value: Optional[str],
    public_value: Optional[str],
    is_active: Optional[bool],
    table_right: object,
    field_properties: dict[str, object],
) -> dict[str, object]:
    return {
        "valid_from": _date_key(valid_from),
        "valid_to": _date_key(valid_to),
        "comment": _s(comment),
        "secret_value": _s(secret_value),
        "public_value": _s(public_value),
        "is_active": is_active,
        "table_right": table_right,
        "field_properties": field_properties,
    }


def _from_ours(cred: UntrustedCredentials) -> dict[str, object]:
    table = cred.table_right
    props: Mapping[str, FieldProperty] = cred.field_properties or {}
    pairs: list[tuple[Optional[str], object]] = []
    for key, prop in props.items():
        field_right = prop.field_right
        right = None if field_right is None else _right(field_right.mask, field_right.reason)
        pairs.append((key, _property(right, prop.field_type, prop.field_length)))
    return _comparable(
        cred.valid_from,
        cred.valid_to,
        cred.comment,
        cred.secret_value,
        cred.public_value,
        cred.is_active,
        None if table is None else _right(table.mask, table.reason),
        _dictionary(pairs),
    )


def _from_zeep(item: Any) -> dict[str, object]:
    if item is None:  # an <UntrustedCredentials/> without content
        return _comparable(None, None, None, None, None, None, None, {})
    table = item.TableRight
    pairs: list[tuple[Optional[str], object]] = []
    if item.FieldProperties is not None:
        for pair in item.FieldProperties.FieldPropertyDictionaryKeyValuePair or []:
            value = pair.Value
            if value is None:
                pairs.append((pair.Key, None))
                continue
            field_right = value.FieldRight
            right = None if field_right is None else _right(field_right.Mask, field_right.Reason)
            pairs.append((pair.Key, _property(right, value.FieldType, value.FieldLength)))
    return _comparable(
        item.ValidFrom,
        item.ValidTo,
        item.Comment,
        item.SecretValue,
        item.PublicValue,
        item.IsActive,
        None if table is None else _right(table.Mask, table.Reason),
        _dictionary(pairs),
    )


def _check(data: bytes, expected: Sequence[UntrustedCredentials]) -> list[UntrustedCredentials]:
    """Ours equals ``expected`` exactly, and equals zeep's reading of the same bytes."""
    ours = _ours(data)
    assert [_exact(c) for c in ours] == [_exact(c) for c in expected]
    assert ours == list(expected)
    assert [_from_ours(c) for c in ours] == [_from_zeep(z) for z in _zeep_items(data)]
    return ours


# --------------------------------------------------------------------------------------------
# Fixed cases
# --------------------------------------------------------------------------------------------


def _reference_soap11() -> bytes:
    """The documentation's SOAP 1.2 example moved to the SOAP 1.1 envelope the binding uses."""
    example = etree.parse(str(EXAMPLE), etree.XMLParser(resolve_entities=False, no_network=True))
    return to_bytes(convert_envelope(example.getroot(), "1.1"))


REFERENCE_EXPECTED = [
    as_read(
        valid_from=datetime(2021, 3, 25, 21, 36, 23, tzinfo=UTC),
        valid_to=datetime(2021, 3, 25, 21, 36, 23, tzinfo=UTC),
        comment="",
        secret_value="",
        public_value="",
        is_active=False,
    )
]

DC_HEADERS = WireHeaders(
    exception_info=NIL,
    extra_info=[("Culture", "en-US"), ("RequestId", "a1b2")],
    succeeded="true",
    time_zone=NIL,
)

DC_CREDENTIALS = [
    WireCredentials(
        table_right=WireRight(mask="Select Update", reason="Owned by you"),
        field_properties=[
            (
                "comment",
                WireFieldProperty(
                    field_right=WireRight(mask="Read Write", reason=""),
                    field_type="System.String",
                    field_length="255",
                ),
            ),
            (
                "secretValue",
                WireFieldProperty(field_right=NIL, field_type="System.String", field_length="2000"),
            ),
        ],
        valid_from="2021-03-25T21:36:23Z",
        valid_to="9999-12-31T23:59:59.9999999",
        comment=NIL,
        secret_value="s3cr3t",
        public_value="user@example.com",
        is_active="true",
    ),
    WireCredentials(
        table_right=WireRight(mask="", reason=NIL),
        valid_from="2021-03-25T21:36:23.1234567+02:00",
        valid_to="0001-01-01T00:00:00",
        comment="",
        secret_value=NIL,
        public_value=NIL,
        is_active="false",
    ),
    WireCredentials(
        table_right=NIL,
        field_properties=NIL,
        valid_from="2021-03-25T21:36:23",
        valid_to="2022-01-01T00:00:00.5-05:30",
        comment="  two  spaces\nand a line ",
        secret_value="",
        public_value="",
        is_active="1",
    ),
    WireCredentials(
        field_properties=[],
        valid_from="0001-01-01T00:00:00",
        valid_to="9999-12-31T23:59:59.9999999",
        is_active="0",
    ),
]

DC_EXPECTED = [
    as_read(
        valid_from=datetime(2021, 3, 25, 21, 36, 23, tzinfo=UTC),
        valid_to=MAX_VALUE,
        comment=None,
        secret_value="s3cr3t",
        public_value="user@example.com",
        is_active=True,
        table_right=TableRight(mask=frozenset({"Select", "Update"}), reason="Owned by you"),
        field_properties={
            "comment": FieldProperty(
                field_right=FieldRight(mask=frozenset({"Read", "Write"}), reason=""),
                field_type="System.String",
                field_length=255,
            ),
            "secretValue": FieldProperty(
                field_right=None, field_type="System.String", field_length=2000
            ),
        },
    ),
    as_read(
        valid_from=datetime(2021, 3, 25, 21, 36, 23, 123456, tzinfo=timezone(timedelta(hours=2))),
        valid_to=datetime(1, 1, 1),
        comment="",
        secret_value=None,
        public_value=None,
        is_active=False,
        table_right=TableRight(mask=frozenset(), reason=None),
    ),
    as_read(
        valid_from=datetime(2021, 3, 25, 21, 36, 23),
        valid_to=datetime(2022, 1, 1, 0, 0, 0, 500000, tzinfo=timezone(-timedelta(hours=5.5))),
        comment="  two  spaces\nand a line ",
        secret_value="",
        public_value="",
        is_active=True,
    ),
    as_read(
        valid_from=datetime(1, 1, 1),
        valid_to=MAX_VALUE,
        is_active=False,
        field_properties={},
    ),
]


def _datacontract() -> bytes:
    payload = credentials_response(DC_CREDENTIALS, style="datacontract")
    return to_bytes(envelope(payload, response_headers(DC_HEADERS)))


CASES = [
    pytest.param(_reference_soap11(), REFERENCE_EXPECTED, id="reference-example-soap11"),
    pytest.param(_datacontract(), DC_EXPECTED, id="datacontract-with-headers"),
    pytest.param(
        to_bytes(envelope(credentials_response(DC_CREDENTIALS, style="prefixed"))),
        DC_EXPECTED,
        id="prefixed-no-headers",
    ),
    pytest.param(to_bytes(envelope(credentials_response(None))), [], id="response-absent"),
    pytest.param(to_bytes(envelope(credentials_response([]))), [], id="response-empty"),
    pytest.param(to_bytes(envelope(credentials_response(NIL))), [], id="response-nil"),
    pytest.param(
        to_bytes(envelope(credentials_response([]), header_element=True)),
        [],
        id="response-empty-empty-header",
    ),
]


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_matches_zeep(data: bytes, expected: list[UntrustedCredentials]) -> None:
    _check(data, expected)


def test_reference_example_soap12_reads_like_soap11() -> None:
    """Ours only (zeep's binding is SOAP 1.1): the untouched 1.2 example gives the same values."""
    assert _ours(EXAMPLE.read_bytes()) == REFERENCE_EXPECTED
    assert _ours(_reference_soap11()) == REFERENCE_EXPECTED


def test_datacontract_headers_seen_by_zeep() -> None:
    """The header blocks are well-formed for the WSDL too (zeep decodes them), not just skipped."""
    header = _zeep_reply(_datacontract()).header
    assert header.Succeeded is True
    pairs = [(p.Key, p.Value) for p in header.ExtraInfo.ExtraInfoNameValuePair]
    assert pairs == [("Culture", "en-US"), ("RequestId", "a1b2")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("9999-12-31T23:59:59.9999999", MAX_VALUE, id="max-value"),
        pytest.param("0001-01-01T00:00:00", datetime(1, 1, 1), id="min-value"),
        pytest.param(
            "2021-03-25T21:36:23.1234567Z",
            datetime(2021, 3, 25, 21, 36, 23, 123456, tzinfo=UTC),
            id="seven-digits-utc",
        ),
        pytest.param(
            "2021-03-25T21:36:23.0000009+02:00",
            datetime(2021, 3, 25, 21, 36, 23, tzinfo=timezone(timedelta(hours=2))),
            id="below-a-microsecond",
        ),
        pytest.param(
            "2021-03-25T21:36:23.9999995-00:30",
            datetime(2021, 3, 25, 21, 36, 23, 999999, tzinfo=timezone(-timedelta(minutes=30))),
            id="truncated-not-rounded",
        ),
    ],
)
def test_fractional_seconds_truncate_like_zeep(text: str, expected: datetime) -> None:
    wire = [WireCredentials(valid_from=text, valid_to=f" {text}\n")]
    ours = _check(
        to_bytes(envelope(credentials_response(wire))),
        [as_read(valid_from=expected, valid_to=expected)],
    )
    assert ours[0].valid_from is not None
    assert ours[0].valid_from.microsecond == expected.microsecond


# --------------------------------------------------------------------------------------------
# Property test
# --------------------------------------------------------------------------------------------

# Characters XML 1.0 can carry (no C0 controls but tab/LF/CR, no surrogates, no U+FFFE/U+FFFF).
_XML_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r ")
_TEXT = st.text(_XML_CHARS, max_size=12)
_NONEMPTY_TEXT = st.text(_XML_CHARS, min_size=1, max_size=12)
# Surrounding whitespace on xs:int/boolean/dateTime/list values (whiteSpace="collapse").
_PAD = st.sampled_from(["", "", " ", "\n  ", "\t"])

_TABLE_TOKENS = TABLE_RIGHT_FLAGS
_FIELD_TOKENS = FIELD_RIGHT_FLAGS


@st.composite
def _text_field(draw: st.DrawFn) -> tuple[Text, Optional[str]]:
    """(wire, expected): left out, nil, or any XML-legal string ("" included), mostly non-empty."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return None, None
    if kind == 1:
        return NIL, None
    text = draw(_TEXT if kind == 2 else _NONEMPTY_TEXT)
    return text, text


@st.composite
def _datetime_field(draw: st.DrawFn) -> tuple[Optional[str], Optional[datetime]]:
    if draw(st.integers(0, 7)) == 0:
        return None, None
    wall = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=MAX_VALUE))
    offset = draw(
        st.one_of(
            st.none(),
            st.just(0),
            st.sampled_from([-14 * 60, -330, -1, 1, 345, 14 * 60]),
            st.integers(-14 * 60, 14 * 60),
        )
    )
    seventh = draw(st.one_of(st.none(), st.integers(0, 9)))
    text = wall.isoformat(timespec="auto" if seventh is None else "microseconds")
    if seventh is not None:
        text += str(seventh)
    elif wall.microsecond and draw(st.booleans()):
        text = text.rstrip("0")  # WCF drops trailing zeros of the fraction
    tzinfo: Optional[timezone] = None
    if offset is not None:
        tzinfo = timezone(timedelta(minutes=offset))
        if offset == 0 and draw(st.booleans()):
            text += "Z"
        else:
            sign = "-" if offset < 0 or (offset == 0 and draw(st.booleans())) else "+"
            text += f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return draw(_PAD) + text + draw(_PAD), wall.replace(tzinfo=tzinfo)


@st.composite
def _mask(draw: st.DrawFn, tokens: tuple[str, ...]) -> tuple[Optional[str], frozenset[str]]:
    if draw(st.integers(0, 5)) == 0:
        return None, frozenset()  # no Mask element
    chosen = draw(st.lists(st.sampled_from(tokens), unique=True, max_size=len(tokens)))
    separator = draw(st.sampled_from([" ", "  ", "\n\t"]))
    return draw(_PAD) + separator.join(chosen) + draw(_PAD), frozenset(chosen)


def _right_field(
    tokens: tuple[str, ...], factory: Callable[[frozenset[str], Optional[str]], T]
) -> st.SearchStrategy[tuple[Union[WireRight, Nil, None], Optional[T]]]:
    @st.composite
    def present(draw: st.DrawFn) -> tuple[Union[WireRight, Nil, None], Optional[T]]:
        mask_text, mask = draw(_mask(tokens))
        reason_wire, reason = draw(_text_field())
        return WireRight(mask_text, reason_wire), factory(mask, reason)

    absent: tuple[Union[WireRight, Nil, None], Optional[T]] = (None, None)
    nil: tuple[Union[WireRight, Nil, None], Optional[T]] = (NIL, None)
    return st.one_of(st.just(absent), st.just(nil), present(), present())


@st.composite
def _field_property(
    draw: st.DrawFn,
) -> tuple[Union[WireFieldProperty, Nil], Optional[FieldProperty]]:
    if draw(st.integers(0, 5)) == 0:
        return NIL, None  # a nil dictionary Value: ours drops the entry
    right_wire, right = draw(_right_field(_FIELD_TOKENS, lambda m, r: FieldRight(mask=m, reason=r)))
    type_wire, field_type = draw(_text_field())
    length = draw(st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)))
    length_wire = None if length is None else draw(_PAD) + str(length) + draw(_PAD)
    return WireFieldProperty(right_wire, type_wire, length_wire), FieldProperty(
        field_right=right, field_type=field_type, field_length=length
    )


@st.composite
def _credentials(draw: st.DrawFn) -> tuple[WireCredentials, UntrustedCredentials]:
    table_wire, table = draw(_right_field(_TABLE_TOKENS, lambda m, r: TableRight(mask=m, reason=r)))
    props_kind = draw(st.sampled_from(["absent", "nil", "present", "present"]))
    props_wire: Union[list[tuple[str, Union[WireFieldProperty, Nil]]], Nil, None] = None
    props: Optional[dict[str, FieldProperty]] = None
    if props_kind == "nil":
        props_wire = NIL
    elif props_kind == "present":
        keys = draw(st.lists(_TEXT, unique=True, min_size=draw(st.integers(0, 1)), max_size=3))
        props_wire, props = [], {}
        for key in keys:
            value_wire, value = draw(_field_property())
            props_wire.append((key, value_wire))
            if value is not None:
                props[key] = value
    from_wire, valid_from = draw(_datetime_field())
    to_wire, valid_to = draw(_datetime_field())
    comment_wire, comment = draw(_text_field())
    secret_wire, secret = draw(_text_field())
    public_wire, public = draw(_text_field())
    active = draw(
        st.sampled_from([None, ("true", True), ("1", True), ("false", False), ("0", False)])
    )
    active_wire = None if active is None else draw(_PAD) + active[0] + draw(_PAD)
    wire = WireCredentials(
        table_wire,
        props_wire,
        from_wire,
        to_wire,
        comment_wire,
        secret_wire,
        public_wire,
        active_wire,
    )
    expected = as_read(
        valid_from=valid_from,
        valid_to=valid_to,
        comment=comment,
        secret_value=secret,
        public_value=public,
        is_active=None if active is None else active[1],
        table_right=table,
        field_properties=props,
    )
    return wire, expected


_STYLES: st.SearchStrategy[Style] = st.sampled_from(["datacontract", "prefixed"])


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(_credentials(), min_size=1, max_size=3),
    style=_STYLES,
    with_headers=st.booleans(),
)
def test_random_credentials_match_zeep(
    items: list[tuple[WireCredentials, UntrustedCredentials]], style: Style, with_headers: bool
) -> None:
    headers = response_headers(DC_HEADERS, style=style) if with_headers else []
    payload = credentials_response([wire for wire, _ in items], style=style)
    _check(to_bytes(envelope(payload, headers)), [expected for _, expected in items])
