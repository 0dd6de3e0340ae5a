"""Differential test: our parser against zeep on the same bytes, for every operation's answer.

zeep (a dev-only dependency; the package never imports it) loads the matching reference WSDL and
parses each reply through ``SoapBinding.process_reply``, the path a zeep client takes for an HTTP
answer. Both results are mapped to one comparable form and compared field by field. The answers
are written by the tests' one writer (``tests/_responses.py``) in two ways:

* **from model values**, through its type table (``SPECS``; ``test_spec_matches_the_wsdl`` holds
  it against zeep's view of the WSDL), spelled as WCF's DataContractSerializer spells them, in the
  docs' prefixed style, or with every lexical liberty the schema allows (``Quirky``: ``1``/``0``
  booleans, padded, signed and zero-led numbers, ``+00:00``, digits beyond microseconds, CDATA
  strings, comments between elements, nil for every absent nillable value, a nil item in every
  array, line-wrapped base64), or with each of those choices drawn by hypothesis (``Drawn``);
* **from wire text** (``WireCredentials``: the exact lexical form of every value of an
  UntrustedCredentials answer, such as ``…59.9999999`` or ``+02:00``), for the fixed and random
  cases of GetUntrustedCredentialsForAssociate whose spellings the model route cannot choose.

Every case checks:

* ours equals, exactly, the value the test wrote (datetimes by wall clock *and* offset, enum
  members, tuples vs lists, bytes), so a bug shared by both parsers still fails;
* ours equals zeep's reading, field by field, after mapping zeep's known differences;
* for a list answer, zeep reads one entry per item element on the wire and ours one per non-nil
  item (the comparable form drops empty items, so the counts are checked apart).

What zeep 4.3.3 does differently on valid input (systematic, so the comparison maps it away in
``_ours_form``/``_zeep_form``; the exact expectation of each case keeps our side precise):

* **Empty string → None.** An element without text reads None: ``<Comment/>`` and
  ``<Comment i:nil="true"/>`` both read None (ours: ``""`` and None). ``""`` strings, empty
  dictionary keys and empty ``base64Binary`` (ours: ``b""``) compare equal to None.
* **xsi:nil is ignored on complex types.** ``<TableRight i:nil="true"/>`` becomes an object whose
  fields are all None (an attribute is present, so zeep builds one), a nil ``FieldProperties`` an
  object with an empty pair list; ours gives None.
* **An empty complex element is None.** ``<TableRight/>`` or ``<Value/>`` (no children, no
  attributes) is None in zeep; ours gives an object with all fields None
  (``TableRight(mask=frozenset(), reason=None)``, ``FieldProperty()``). So a structure whose
  every field is empty compares equal to None, and such items are dropped from arrays and
  dictionaries on both sides (ours skips nil items and drops an entry with a nil Value; zeep keeps
  them as objects with all fields None).
* **An empty array or dictionary** (``<Licenses/>``) reads None; ours gives ``()``, ``[]`` or
  ``{}``. **No Response** (absent, empty or nil) of a list answer reads None; ours ``[]``.
* **Enumerations** are plain strings in zeep, str-enum members in ours (compared by value).
* **An xs:list** (``Mask``) is a list of tokens or None in zeep (``<Mask/>`` reads None), a
  frozenset in ours (empty: ``frozenset()``); masks compare as sets with None as the empty set.
* **Arrays** are objects holding a list (``Licenses.GrantedModuleLicense``,
  ``FunctionRights.string``, ``SecondaryGroups.int``); ours are tuples (lists at the top level).
* **Time zones.** isodate gives its own ``Utc``/``FixedOffset`` tzinfo; ours
  ``datetime.timezone``. Datetimes compare as (wall-clock fields, ``utcoffset()``), never as
  instants.
* **Fractional seconds.** isodate *truncates* beyond microseconds, exactly like us:
  ``9999-12-31T23:59:59.9999999`` is ``datetime(9999, 12, 31, 23, 59, 59, 999999)`` in both.
* **By design, ours refuses where zeep reads:** an absent or nil ``Response`` of
  CreateDefaultUntrustedCredentials reads None in zeep; ours raises ResponseParseError ("holds no
  Response"). AuthenticationSucceeded false reads False in zeep; ours raises
  AuthenticationError. An empty answer wrapper with content is ignored by zeep (even strict);
  ours raises ResponseParseError.
"""

from __future__ import annotations

import base64
import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, TypeVar, Union, cast

import attrs
import pytest
import zeep  # a development dependency (the [dev] extra); the package never imports it
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from superoffice_soap import (
    OPERATIONS,
    Authentication,
    AuthenticationError,
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    Operation,
    Principal,
    ResponseParseError,
    SystemInfo,
    TableRight,
    UntrustedCredentials,
    UserType,
    parse_response,
)
from superoffice_soap.models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
)
from superoffice_soap.principal import (
    DSAParameters,
    EjUserStatus,
    GrantedModuleLicense,
    LicenseInfo,
    LicenseType,
    ModuleLicense,
    NetServerBuildType,
    ProvidedCredential,
    RoleType,
    SignedPublicKey,
)
from tests._models import as_read

from ._responses import (
    ANSWERS,
    CRYPTOGRAPHY,
    NIL,
    NS,
    SOAP11,
    SPECS,
    TYPES_ARRAY,
    XSI,
    ArrayOf,
    EnumOf,
    Kind,
    Lex,
    Mask,
    Nil,
    Quirky,
    Scalar,
    SoCredentials,
    Struct,
    Style,
    Text,
    WireCredentials,
    WireFieldProperty,
    WireHeaders,
    WireRight,
    Writer,
    convert_envelope,
    credentials_response,
    envelope,
    response_headers,
    to_bytes,
)
from .conftest import reference_file
from .test_wsdl_schema import errors, schema_for

WSDLS = {
    "User": reference_file("user-credentials.wsdl"),
    "SoPrincipal": reference_file("soprincipal.wsdl"),
}

HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
UTC = timezone.utc
ALL = sorted(OPERATIONS.values(), key=lambda op: (op.service.name, op.name))

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


@functools.cache
def _oracle(service: str) -> _Oracle:
    # zeep.Client's __init__ is unannotated; the client and what it holds are used as Any
    client: Any = zeep.Client(str(WSDLS[service]), settings=zeep.Settings(strict=True))  # type: ignore[no-untyped-call]
    (binding,) = client.wsdl.bindings.values()
    return _Oracle(client, binding)


def zeep_reply(operation: Operation[..., Any], data: bytes) -> Any:
    """zeep's result: an envelope object with ``header`` and ``body``."""
    oracle = _oracle(operation.service.name)
    return oracle.binding.process_reply(
        oracle.client, oracle.binding.get(operation.name), _HttpReply(data)
    )


def ours(operation: Operation[..., Any], data: bytes) -> Any:
    return parse_response(operation, 200, HEADERS, data)


# --------------------------------------------------------------------------------------------
# Comparable forms
# --------------------------------------------------------------------------------------------

DateKey = tuple[datetime, Optional[timedelta]]


def _date_key(value: datetime) -> DateKey:
    """Wall-clock fields plus offset: ``12:00+02:00`` and ``10:00Z`` differ here."""
    return value.replace(tzinfo=None), value.utcoffset()


def exact(value: object) -> object:
    """Every detail of a value of ours: types, datetimes by wall clock and offset, members."""
    if attrs.has(type(value)):
        return (
            type(value).__name__,
            {a.name: exact(getattr(value, a.name)) for a in attrs.fields(cast(Any, type(value)))},
        )
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, datetime):
        return ("datetime", _date_key(value))
    if isinstance(value, Mapping):
        return ("mapping", {key: exact(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [exact(item) for item in value])
    if isinstance(value, frozenset):
        return ("frozenset", sorted(value))
    return (type(value).__name__, value)


def _empty(form: object) -> bool:
    return form is None


def _struct(values: dict[str, object]) -> Optional[dict[str, object]]:
    """A structure whose every field is empty equals None (see the module docstring)."""
    return None if all(_empty(v) for v in values.values()) else values


def _ours_form(kind: Kind, value: object) -> object:
    if value is None:
        return None
    if isinstance(kind, Scalar):
        if kind in (Scalar.STRING, Scalar.BASE64):
            return value or None
        if kind is Scalar.DATETIME:
            assert isinstance(value, datetime)
            return _date_key(value)
        return value
    if isinstance(kind, EnumOf):
        assert isinstance(value, kind.cls)
        return value.value
    if isinstance(kind, Mask):
        assert isinstance(value, frozenset)
        return value or None
    if isinstance(kind, Struct):
        return _struct(
            {f.attr: _ours_form(f.kind, getattr(value, f.attr)) for f in SPECS[kind.model]}
        )
    if isinstance(kind, ArrayOf):
        assert isinstance(value, (list, tuple))
        items = [_ours_form(kind.kind, item) for item in value]
        return [item for item in items if item is not None] or None
    assert isinstance(value, Mapping)
    entries = {key or "": _ours_form(kind.value, item) for key, item in value.items()}
    return {key: item for key, item in entries.items() if item is not None} or None


def _zeep_form(kind: Kind, value: Any) -> object:
    if value is None:
        return None
    if isinstance(kind, Scalar):
        if kind is Scalar.STRING:
            assert isinstance(value, str)
            return value or None
        if kind is Scalar.BASE64:
            assert isinstance(value, bytes)
            return value or None
        if kind is Scalar.DATETIME:
            assert isinstance(value, datetime)
            return _date_key(value)
        if kind is Scalar.INT:
            assert isinstance(value, int)
            assert not isinstance(value, bool)
            return value
        assert isinstance(value, bool)
        return value
    if isinstance(kind, EnumOf):
        assert isinstance(value, str)
        return value
    if isinstance(kind, Mask):
        return frozenset(value) or None
    if isinstance(kind, Struct):
        return _struct(
            {f.attr: _zeep_form(f.kind, getattr(value, f.element)) for f in SPECS[kind.model]}
        )
    if isinstance(kind, ArrayOf):
        items = [_zeep_form(kind.kind, item) for item in getattr(value, kind.item) or []]
        return [item for item in items if item is not None] or None
    entries: dict[str, object] = {}
    for pair in getattr(value, kind.pair) or []:
        entries[pair.Key or ""] = _zeep_form(kind.value, pair.Value)
    return {key: item for key, item in entries.items() if item is not None} or None


def ours_answer(name: str, result: object) -> dict[str, object]:
    """Our result spread over the answer wrapper's children (keyed by ANSWERS attrs)."""
    fields = ANSWERS[name]
    if not fields:
        assert result is None
        return {}
    if isinstance(result, Authentication):
        values: dict[str, object] = {
            "principal": result.principal,
            "credentials": SoCredentials(result.ticket),
            "succeeded": result.succeeded,
        }
    else:
        (only,) = fields
        values = {only.attr: result}
    return {f.attr: _ours_form(f.kind, values[f.attr]) for f in fields}


def zeep_answer(name: str, body: Any) -> dict[str, object]:
    return {
        f.attr: None if body is None else _zeep_form(f.kind, getattr(body, f.element))
        for f in ANSWERS[name]
    }


def wire_answer(name: str, values: Mapping[str, object]) -> dict[str, object]:
    """What the test wrote, in the same form (NIL reads as None)."""
    return {
        f.attr: None if values.get(f.attr) is NIL else _ours_form(f.kind, values.get(f.attr))
        for f in ANSWERS[name]
    }


# --------------------------------------------------------------------------------------------
# Building and checking one answer
# --------------------------------------------------------------------------------------------

DC_HEADERS = WireHeaders(
    exception_info=NIL,
    extra_info=[("Culture", "en-US"), ("RequestId", "a1b2")],
    succeeded="true",
    time_zone=("1234", "NO"),
)


def answer_bytes(
    name: str,
    values: Mapping[str, object],
    *,
    lex: Optional[Lex] = None,
    style: Style = "datacontract",
    headers: bool = True,
) -> bytes:
    operation = _operation(name)
    wrapper_name = operation.response_qname(NS).partition("}")[2]
    writer = Writer(lex, style, prefix=operation.service.name)
    payload = writer.wrapper(wrapper_name, ANSWERS[name], values)
    blocks = response_headers(DC_HEADERS, style=style) if headers else []
    data = to_bytes(envelope(payload, blocks))
    assert_schema_valid(name, data)
    return data


def _operation(name: str) -> Operation[..., Any]:
    (operation,) = (op for op in ALL if op.name == name)
    return operation


_DATETIME_TEXT = re.compile(
    r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?\s*\Z"
)


def assert_schema_valid(name: str, data: bytes) -> None:
    """The answer the test wrote is valid for the WSDL schema (Body payload and header blocks).

    libxml2 does not collapse whitespace around xs:dateTime values (see
    ``test_wsdl_schema.test_libxml2_padded_datetime``), so those are trimmed before validating;
    trimming cannot make an invalid document valid in any other respect.
    """
    root = etree.fromstring(data)
    for element in root.iter():
        if len(element) == 0 and element.text and _DATETIME_TEXT.match(element.text):
            element.text = element.text.strip(" \t\r\n")
    schema = schema_for(_operation(name).service.name)
    header = root.find(f"{{{SOAP11}}}Header")
    body = root.find(f"{{{SOAP11}}}Body")
    assert body is not None
    for element in [*(header if header is not None else []), *body]:
        assert errors(schema, element) == [], etree.QName(element).localname


def check(
    name: str, data: bytes, expected: object, wire: Optional[Mapping[str, object]] = None
) -> None:
    """Ours equals ``expected`` exactly, and zeep's reading of the same bytes field by field.

    ``expected`` may be an exception class that ours must raise; then zeep's reading must equal
    ``wire`` (the values the test wrote). A list answer's items are also counted on both sides.
    """
    operation = _operation(name)
    body = zeep_reply(operation, data).body
    if not ANSWERS[name]:
        assert body is None
    zeep_values = zeep_answer(name, body)
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            ours(operation, data)
        assert wire is not None
        assert zeep_values == wire_answer(name, wire)
        return
    result = ours(operation, data)
    assert exact(result) == exact(expected)
    assert result == expected
    assert ours_answer(name, result) == zeep_values
    if wire is not None:
        assert zeep_values == wire_answer(name, wire)
    _check_item_counts(name, data, body, result)


def _check_item_counts(name: str, data: bytes, body: Any, result: object) -> None:
    """A list answer: zeep reads one entry per item element on the wire (a nil or empty item
    too), ours one per non-nil item. The comparable forms drop empty items, so this keeps the
    two readings' lengths honest."""
    fields = ANSWERS[name]
    if len(fields) != 1 or not isinstance(fields[0].kind, ArrayOf):
        return
    (f,) = fields
    kind = fields[0].kind
    holders = etree.fromstring(data).findall(f"{{*}}Body/*/{{{f.ns}}}{f.element}")
    items = [child for holder in holders for child in holder if isinstance(child.tag, str)]
    nil = [item for item in items if (item.get(f"{{{XSI}}}nil") or "").strip() in ("true", "1")]
    response = None if body is None else getattr(body, f.element)
    zeep_items = [] if response is None else list(getattr(response, kind.item) or [])
    assert len(zeep_items) == len(items)
    assert isinstance(result, list)
    assert len(result) == len(items) - len(nil)


# --------------------------------------------------------------------------------------------
# The table against the WSDL
# --------------------------------------------------------------------------------------------


#: The WSDL type of each table entry: (service whose WSDL to ask, type QName).
WSDL_TYPES: dict[type, tuple[str, str]] = {
    TableRight: ("User", f"{{{NS}}}TableRight"),
    FieldRight: ("User", f"{{{NS}}}FieldRight"),
    FieldProperty: ("User", f"{{{NS}}}FieldProperty"),
    UntrustedCredentials: ("User", f"{{{NS}}}UntrustedCredentials"),
    CredentialType: ("User", f"{{{NS}}}CredentialType"),
    GrantedModuleLicense: ("SoPrincipal", f"{{{NS}}}GrantedModuleLicense"),
    ProvidedCredential: ("SoPrincipal", f"{{{NS}}}ProvidedCredential"),
    Principal: ("SoPrincipal", f"{{{NS}}}SoPrincipalCarrier"),
    SoCredentials: ("SoPrincipal", f"{{{NS}}}SoCredentials"),
    DSAParameters: ("SoPrincipal", f"{{{CRYPTOGRAPHY}}}DSAParameters"),
    SignedPublicKey: ("SoPrincipal", f"{{{NS}}}SignedPublicKey"),
    ModuleLicense: ("SoPrincipal", f"{{{NS}}}ModuleLicense"),
    LicenseInfo: ("SoPrincipal", f"{{{NS}}}LicenseInfo"),
    SystemInfo: ("SoPrincipal", f"{{{NS}}}SoSystemInfoCarrier"),
}


@pytest.mark.parametrize("model", list(SPECS), ids=[m.__name__ for m in SPECS])
def test_spec_matches_the_wsdl(model: type) -> None:
    """SPECS lists every model attribute, and every WSDL element in order, with its nillability."""
    spec = SPECS[model]
    if attrs.has(model):
        assert sorted(f.attr for f in spec) == sorted(a.name for a in attrs.fields(model))
    service, qname = WSDL_TYPES[model]
    zeep_type = _oracle(service).client.get_type(qname)
    wsdl = [
        (etree.QName(element.qname).namespace, name, bool(element.nillable), element.min_occurs > 0)
        for name, element in zeep_type.elements
    ]
    assert [(f.ns, f.element, f.nillable, f.required) for f in spec] == wsdl


def test_every_operation_has_an_answer_table() -> None:
    assert sorted(ANSWERS) == sorted(op.name for op in ALL)
    for operation in ALL:
        body_type = _oracle(operation.service.name).binding.get(operation.name).output.body.type
        assert [f.element for f in ANSWERS[operation.name]] == [n for n, _ in body_type.elements]


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

DOC_TIME = datetime(2021, 3, 25, 21, 36, 23, tzinfo=UTC)
DOC_TIME_SO = datetime(2021, 3, 25, 21, 36, 22, tzinfo=UTC)
MAX_VALUE = datetime(9999, 12, 31, 23, 59, 59, 999999)
MIN_VALUE = datetime(1, 1, 1)
IST = timezone(timedelta(hours=5, minutes=30))
NST = timezone(-timedelta(hours=3, minutes=30))

TABLE = TableRight(mask=frozenset({"Select", "Update", "Delete"}), reason="Owned by you")
PROPS: dict[str, FieldProperty] = {
    "comment": FieldProperty(
        field_right=FieldRight(mask=frozenset({"Read", "Write"}), reason=""),
        field_type="System.String",
        field_length=255,
    ),
    "secretValue": FieldProperty(field_right=None, field_type="System.String", field_length=2000),
    "isActive": FieldProperty(
        field_right=FieldRight(mask=frozenset(FIELD_RIGHT_FLAGS), reason="all flags"),
        field_type=None,
        field_length=-(2**31),
    ),
}

CREDENTIALS = [
    UntrustedCredentials(
        valid_from=DOC_TIME,
        valid_to=MAX_VALUE,
        comment="Main IMAP account <&>",
        secret_value="s3cr3t \"quoted\" 'single'",
        public_value="user@example.com",
        is_active=True,
        table_right=TABLE,
        field_properties=PROPS,
    ),
    UntrustedCredentials(
        valid_from=datetime(2024, 2, 29, 8, 15, 0, 123456, tzinfo=IST),
        valid_to=datetime(2030, 1, 1),
        comment="",
        secret_value=None,
        public_value="",
        is_active=False,
        table_right=TableRight(mask=None, reason=None),
        field_properties={},
    ),
    UntrustedCredentials(
        valid_from=MIN_VALUE,
        comment="  two  spaces\nand a line ",
        secret_value="ÆØÅ ✓ 日本語 \U0001f512",
        table_right=TableRight(mask=frozenset(TABLE_RIGHT_FLAGS), reason=""),
    ),
    UntrustedCredentials(),
]

CREDENTIAL_TYPES = [
    CredentialType(
        display_type=f"Display {member.value}",
        type=member.value.lower(),
        description=f"{member.name} ✓ <{index}>" if index % 2 else "",
        value_control=member,
        can_create_person=index % 2 == 0,
        is_user_name_supported=index % 3 == 0,
        table_right=TABLE if index == 0 else None,
        field_properties=PROPS if index == 1 else None,
    )
    for index, member in enumerate(CredentialControlType)
] + [CredentialType()]

LICENSES = (
    GrantedModuleLicense(
        owner_id=1,
        owner_name="SuperOffice",
        owner_description="SuperOffice AS",
        module_id=2**31 - 1,
        name="superoffice.crm-web",
        description="CRM Web",
        version="10.3",
        license_type=LicenseType.USER_LICENSE,
        extra_flags=-1,
        sort_order=0,
        license_number=42,
        is_hidden=False,
        is_unrestricted=True,
        expiry_date=datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC),
        table_right=TableRight(mask=frozenset({"Select"}), reason=None),
        field_properties={
            "name": FieldProperty(
                field_right=FieldRight(mask=frozenset({"Read"}), reason=None),
                field_type="String",
                field_length=64,
            )
        },
    ),
    GrantedModuleLicense(
        owner_id=0,
        owner_name="",
        module_id=-(2**31),
        name="superoffice.marketing",
        license_type=LicenseType.SITE_LICENSE,
        is_hidden=True,
        expiry_date=MAX_VALUE,
    ),
    GrantedModuleLicense(license_type=LicenseType.SATELLITE_LICENSE),
)

PRINCIPAL = Principal(
    user_type=UserType.INTERNAL_ASSOCIATE,
    associate="JDOE",
    associate_id=5,
    is_person=True,
    person_id=17,
    country_id=578,
    home_country_id=47,
    contact_id=2,
    group_id=3,
    business_id=-4,
    category_id=2**31 - 1,
    contact_owner=-(2**31),
    role_id=9,
    role_name="Sales",
    role_description="Sales people <all>",
    role_type=RoleType.EXTERNAL_USER,
    licenses=LICENSES,
    full_name="Jane Dœ",
    email_address="jane@example.com",
    function_rights=("admin-all", "", "hide-tab ✓", " spaced "),
    ej_user_id=11,
    ej_access_level=3,
    ej_user_status=EjUserStatus.STATUS_SYSTEM,
    provided_credentials=(
        ProvidedCredential(
            type="password", search_name="JDOE", display_name="Jane Doe", credential_id=1
        ),
        ProvidedCredential(type="", search_name=None, display_name="", credential_id=-1),
    ),
    secondary_groups=(2, 0, 2**31 - 1, -(2**31)),
    database_context_identifier="Cust12345",
)

MODULE_LICENSES = (
    ModuleLicense(
        owner_name="SuperOffice",
        module_name="superoffice.crm-web",
        module_description="CRM Web",
        module_tooltip="tip ✓",
        module_version="10.3",
        license_type=LicenseType.USER_LICENSE,
        unrestricted=False,
        allowed_user_type=UserType.EXTERNAL_ASSOCIATE,
        number_of_licenses=250,
        extra_flags=7,
        extra_info="",
        sort_order=1,
        is_hidden=False,
        prerequisite_module_name="superoffice.base",
        signature="c2lnbmF0dXJl",
    ),
    ModuleLicense(module_name="x", allowed_user_type=UserType.SYSTEM_ASSOCIATE, is_hidden=True),
)

KEY = DSAParameters(
    counter=105,
    g=bytes(range(256)),
    j=b"\x00",
    p=b"\xff\xfe\xfd",
    q=b"",
    seed=None,
    y=b"key material",
)

SYSTEM_INFO = SystemInfo(
    license=LicenseInfo(
        company_name="Example AS",
        serial_nr="1234567890",
        owner_name="SuperOffice",
        owner_description="",
        next_check_date=datetime(2025, 1, 1, tzinfo=UTC),
        maintenance_date=datetime(2025, 6, 30, 12, 0, tzinfo=NST),
        admin_warning_date=datetime(2025, 6, 1),
        expiry_date=MAX_VALUE,
        grace_date=MIN_VALUE,
        extra_flags=0,
        license_url="https://license.example.com/?a=1&b=2",
        license_version="3.0",
        deployment_type=2,
        product_type="Online",
        product_description="SuperOffice CRM Online",
        module_licenses=MODULE_LICENSES,
        public_key=SignedPublicKey(
            owner_name="SuperOffice",
            sign_date=datetime(2020, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
            expiry_date=datetime(2040, 1, 1),
            key=KEY,
            signature="abc==",
        ),
        signature="",
    ),
    warning_english="License expires soon",
    warning_resource="[SR_LICENSE_EXPIRES]",
    branch_name="release/10.3",
    build_label="10.3.0.1234",
    assembly_version="10.3.0.0",
    accumulated_next_check_date=datetime(2025, 1, 1, tzinfo=IST),
    file_version="10.3.1234.0",
    description="NetServer",
    days_until_net_server_expiry=-3,
    build_type=NetServerBuildType.RELEASE_CANDIDATE,
    database_version=1030,
    is_unicode=True,
    company_name="Example AS",
    company_id=1,
    database_type="MSSQL",
    database_minor="2019",
    database_name="crm",
    is_on_travel=False,
    is_satellite=True,
    table_right=TableRight(mask=frozenset({"Select"}), reason="read only"),
    field_properties={
        "companyName": FieldProperty(field_right=None, field_type="String", field_length=100)
    },
)

#: The docs' placeholder answers, as our models.
DOC_CREDENTIALS = UntrustedCredentials(
    valid_from=DOC_TIME,
    valid_to=DOC_TIME,
    comment="",
    secret_value="",
    public_value="",
    is_active=False,
)
DOC_CREDENTIAL_TYPE = CredentialType(
    display_type="",
    type="",
    description="",
    value_control=CredentialControlType.STATIC,
    can_create_person=False,
    is_user_name_supported=False,
)
DOC_PRINCIPAL = Principal(
    user_type=UserType.UNKNOWN,
    associate="",
    associate_id=0,
    is_person=False,
    person_id=0,
    country_id=0,
    home_country_id=0,
    contact_id=0,
    group_id=0,
    business_id=0,
    category_id=0,
    contact_owner=0,
    role_id=0,
    role_name="",
    role_description="",
    role_type=RoleType.EMPLOYEE,
    licenses=(
        GrantedModuleLicense(
            owner_id=0,
            owner_name="",
            owner_description="",
            module_id=0,
            name="",
            description="",
            version="",
            license_type=LicenseType.UNKNOWN,
            extra_flags=0,
            sort_order=0,
            license_number=0,
            is_hidden=False,
            is_unrestricted=False,
            expiry_date=DOC_TIME_SO,
        ),
    ),
    full_name="",
    email_address="",
    function_rights=("",),
    ej_user_id=0,
    ej_access_level=0,
    ej_user_status=EjUserStatus.STATUS_NONE,
    provided_credentials=(
        ProvidedCredential(type="", search_name="", display_name="", credential_id=0),
    ),
    secondary_groups=(0,),
    database_context_identifier="",
)
DOC_SYSTEM_INFO = SystemInfo(
    license=LicenseInfo(
        company_name="",
        serial_nr="",
        owner_name="",
        owner_description="",
        next_check_date=DOC_TIME_SO,
        maintenance_date=DOC_TIME_SO,
        admin_warning_date=DOC_TIME_SO,
        expiry_date=DOC_TIME_SO,
        grace_date=DOC_TIME_SO,
        extra_flags=0,
        license_url="",
        license_version="",
        deployment_type=0,
        product_type="",
        product_description="",
        module_licenses=(
            ModuleLicense(
                owner_name="",
                module_name="",
                module_description="",
                module_tooltip="",
                module_version="",
                license_type=LicenseType.UNKNOWN,
                unrestricted=False,
                allowed_user_type=UserType.UNKNOWN,
                number_of_licenses=0,
                extra_flags=0,
                extra_info="",
                sort_order=0,
                is_hidden=False,
                prerequisite_module_name="",
                signature="",
            ),
        ),
        public_key=SignedPublicKey(
            owner_name="",
            sign_date=DOC_TIME_SO,
            expiry_date=DOC_TIME_SO,
            key=DSAParameters(counter=0, g=b"", j=b"", p=b"", q=b"", seed=b"", y=b""),
            signature="",
        ),
        signature="",
    ),
    warning_english="",
    warning_resource="",
    branch_name="",
    build_label="",
    assembly_version="",
    accumulated_next_check_date=DOC_TIME_SO,
    file_version="",
    description="",
    days_until_net_server_expiry=0,
    build_type=NetServerBuildType.FEATURE,
    database_version=0,
    is_unicode=False,
    company_name="",
    company_id=0,
    database_type="",
    database_minor="",
    database_name="",
    is_on_travel=False,
    is_satellite=False,
)

_NOTHING = (
    "SaveUntrustedCredentials",
    "SaveUntrustedCredentialsForAssociate",
    "RemoveUntrustedCredentials",
    "RemoveUntrustedCredentialsForAssociate",
)
_AUTHENTICATE = ("AuthenticateUsernamePassword", "AuthenticateWithAccessToken")

#: The docs' answers as ours reads them (an exception class: ours raises).
DOC_EXPECTED: dict[str, object] = {
    "GetUntrustedCredentials": [DOC_CREDENTIALS],
    "GetUntrustedCredentialsForAssociate": [DOC_CREDENTIALS],
    "CreateDefaultUntrustedCredentials": DOC_CREDENTIALS,
    "GetCredentialTypes": [DOC_CREDENTIAL_TYPE],
    "GetCredentialTypesForUserType": [DOC_CREDENTIAL_TYPE],
    **dict.fromkeys(_NOTHING),
    **dict.fromkeys(_AUTHENTICATE, AuthenticationError),
    "GetSystemInfo": DOC_SYSTEM_INFO,
}
DOC_WIRE: dict[str, dict[str, object]] = {
    "GetUntrustedCredentials": {"response": [DOC_CREDENTIALS]},
    "GetUntrustedCredentialsForAssociate": {"response": [DOC_CREDENTIALS]},
    "CreateDefaultUntrustedCredentials": {"response": DOC_CREDENTIALS},
    "GetCredentialTypes": {"response": [DOC_CREDENTIAL_TYPE]},
    "GetCredentialTypesForUserType": {"response": [DOC_CREDENTIAL_TYPE]},
    **{name: {} for name in _NOTHING},
    **{
        name: {"principal": DOC_PRINCIPAL, "credentials": SoCredentials(""), "succeeded": False}
        for name in _AUTHENTICATE
    },
    "GetSystemInfo": {"system_info": DOC_SYSTEM_INFO},
}


def _doc_soap11(name: str) -> bytes:
    operation = _operation(name)
    path = reference_file("examples", operation.service.name, f"{name}.response.xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return to_bytes(convert_envelope(etree.parse(str(path), parser).getroot(), "1.1"))


def _succeeded(data: bytes) -> bytes:
    """The docs' Authenticate answer with AuthenticationSucceeded true and a ticket."""
    root = etree.fromstring(data)
    (succeeded,) = root.iter(f"{{{NS}}}AuthenticationSucceeded")
    succeeded.text = "true"
    (ticket,) = root.iter(f"{{{NS}}}Ticket")
    ticket.text = "7T:issued-ticket=="
    return to_bytes(root)


# --------------------------------------------------------------------------------------------
# Fixed cases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_doc_example_soap11(name: str) -> None:
    check(name, _doc_soap11(name), DOC_EXPECTED[name], DOC_WIRE[name])


@pytest.mark.parametrize("name", _AUTHENTICATE)
def test_doc_example_authenticated(name: str) -> None:
    wire = {**DOC_WIRE[name], "succeeded": True, "credentials": SoCredentials("7T:issued-ticket==")}
    expected = Authentication(succeeded=True, ticket="7T:issued-ticket==", principal=DOC_PRINCIPAL)
    check(name, _succeeded(_doc_soap11(name)), expected, wire)


#: The three spellings each fixed answer is written in.
VARIANTS: dict[str, tuple[Lex, Style, bool]] = {
    "datacontract": (Lex(), "datacontract", True),
    "quirky": (Quirky(), "datacontract", False),
    "prefixed": (Lex(), "prefixed", True),
}


def _authenticate_values(
    principal: object, ticket: object, succeeded: Optional[bool] = True
) -> dict[str, object]:
    credentials = ticket if ticket is NIL or ticket is None else SoCredentials(str(ticket))
    return {"principal": principal, "credentials": credentials, "succeeded": succeeded}


#: (operation, wire values, ours expected) — each written in every VARIANTS spelling.
FIXED: list[tuple[str, str, dict[str, object], object]] = []
for _name in ("GetUntrustedCredentials", "GetUntrustedCredentialsForAssociate"):
    FIXED += [
        (_name, "varied", {"response": CREDENTIALS}, CREDENTIALS),
        (_name, "one-full", {"response": CREDENTIALS[:1]}, CREDENTIALS[:1]),
        (_name, "empty", {"response": []}, []),
        (_name, "nil", {"response": NIL}, []),
        (_name, "absent", {}, []),
    ]
FIXED += [
    ("CreateDefaultUntrustedCredentials", f"item{i}", {"response": item}, item)
    for i, item in enumerate(CREDENTIALS)
]
for _name in ("GetCredentialTypes", "GetCredentialTypesForUserType"):
    FIXED += [
        (_name, "every-control-type", {"response": CREDENTIAL_TYPES}, CREDENTIAL_TYPES),
        (_name, "reversed", {"response": CREDENTIAL_TYPES[::-1]}, CREDENTIAL_TYPES[::-1]),
        (_name, "empty", {"response": []}, []),
        (_name, "nil", {"response": NIL}, []),
    ]
FIXED += [(_name, "empty-wrapper", {}, None) for _name in _NOTHING]
for _name in _AUTHENTICATE:
    FIXED += [
        (
            _name,
            "full",
            _authenticate_values(PRINCIPAL, "7T:abc+/=="),
            Authentication(succeeded=True, ticket="7T:abc+/==", principal=PRINCIPAL),
        ),
        (
            _name,
            "sparse-principal",
            _authenticate_values(Principal(user_type=UserType.ANONYMOUS_ASSOCIATE), ""),
            Authentication(
                succeeded=True,
                ticket="",
                principal=Principal(user_type=UserType.ANONYMOUS_ASSOCIATE),
            ),
        ),
        (
            _name,
            "empty-arrays",
            _authenticate_values(
                Principal(
                    licenses=(), function_rights=(), provided_credentials=(), secondary_groups=()
                ),
                "8A:Cust12345.token",
            ),
            Authentication(
                succeeded=True,
                ticket="8A:Cust12345.token",
                principal=Principal(
                    licenses=(), function_rights=(), provided_credentials=(), secondary_groups=()
                ),
            ),
        ),
        (
            _name,
            "nil-principal-and-credentials",
            _authenticate_values(NIL, NIL),
            Authentication(succeeded=True, ticket=None, principal=None),
        ),
        (
            _name,
            "not-succeeded",
            _authenticate_values(PRINCIPAL, "7T:x", succeeded=False),
            AuthenticationError,
        ),
    ]
FIXED += [
    ("GetSystemInfo", "full", {"system_info": SYSTEM_INFO}, SYSTEM_INFO),
    (
        "GetSystemInfo",
        "key-absent-license-sparse",
        {
            "system_info": SystemInfo(
                license=LicenseInfo(public_key=SignedPublicKey(owner_name="o"))
            )
        },
        SystemInfo(license=LicenseInfo(public_key=SignedPublicKey(owner_name="o"))),
    ),
    (
        "GetSystemInfo",
        "nil-key-values",
        {
            "system_info": SystemInfo(
                license=LicenseInfo(public_key=SignedPublicKey(key=DSAParameters(counter=0)))
            )
        },
        SystemInfo(license=LicenseInfo(public_key=SignedPublicKey(key=DSAParameters(counter=0)))),
    ),
    (
        "GetSystemInfo",
        "only-carrier",
        {"system_info": SystemInfo(table_right=TABLE, field_properties=PROPS)},
        SystemInfo(table_right=TABLE, field_properties=PROPS),
    ),
    ("GetSystemInfo", "empty-info", {"system_info": SystemInfo()}, SystemInfo()),
    ("CreateDefaultUntrustedCredentials", "nil", {"response": NIL}, ResponseParseError),
    ("CreateDefaultUntrustedCredentials", "absent", {}, ResponseParseError),
    ("GetSystemInfo", "nil", {"system_info": NIL}, ResponseParseError),
]


def test_every_operation_has_fixed_cases() -> None:
    assert {name for name, *_ in FIXED} == set(ANSWERS)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        pytest.param(name, values, expected, id=f"{name}-{label}")
        for name, label, values, expected in FIXED
    ],
)
def test_matches_zeep(name: str, values: dict[str, object], expected: object, variant: str) -> None:
    lex, style, headers = VARIANTS[variant]
    data = answer_bytes(name, values, lex=lex, style=style, headers=headers)
    check(name, data, expected, values)


def test_quirky_spelling_is_really_quirky() -> None:
    """The Quirky variant puts what it promises on the wire (a check of the writer itself)."""
    data = answer_bytes(
        "AuthenticateUsernamePassword",
        _authenticate_values(PRINCIPAL, "t"),
        lex=Quirky(),
        headers=False,
    )
    assert b"<![CDATA[Jane D" in data
    root = etree.fromstring(data)
    secondary = next(root.iter(f"{{{NS}}}SecondaryGroups"))
    pad = " \n\t"
    assert [item.text for item in secondary] == [
        f"{pad}+002{pad}",
        f"{pad}+000{pad}",
        f"{pad}+002147483647{pad}",
        f"{pad}-002147483648{pad}",
    ]
    rights = next(root.iter(f"{{{NS}}}FunctionRights"))
    assert rights[0].get(f"{{{XSI}}}nil") == "1"
    assert next(root.iter(f"{{{NS}}}IsPerson")).text == f"{pad}1{pad}"
    assert (
        next(root.iter(f"{{{NS}}}ExpiryDate")).text
        == f"{pad}2030-12-31T23:59:59.0000009+00:00{pad}"
    )
    principal = next(root.iter(f"{{{NS}}}Response"))
    assert isinstance(principal[0], etree._Comment)
    assert next(root.iter(f"{{{NS}}}Mask")).text == f"{pad}Select{pad}"
    (reason,) = next(root.iter(f"{{{NS}}}TableRight")).iter(f"{{{NS}}}Reason")
    assert reason.get(f"{{{XSI}}}nil") == "1"


@pytest.mark.parametrize("name", _NOTHING)
def test_non_empty_wrapper_ours_rejects_zeep_ignores(name: str) -> None:
    """An empty answer wrapper with content: ours refuses it; zeep (even strict) ignores the
    content and reads an empty body (a zeep leniency, recorded here)."""
    operation = _operation(name)
    wrapper = etree.Element(f"{{{NS}}}{name}Response", nsmap={None: NS})
    etree.SubElement(wrapper, f"{{{NS}}}Response").text = "true"
    data = to_bytes(envelope(wrapper))
    with pytest.raises(ResponseParseError, match="unexpected element Response"):
        ours(operation, data)
    assert zeep_reply(operation, data).body is None


def test_the_comparison_sees_a_difference() -> None:
    """Sensitivity of the field mapping: one changed value on the wire shows on both sides."""
    name = "GetSystemInfo"
    data = answer_bytes(name, {"system_info": SYSTEM_INFO})
    root = etree.fromstring(data)
    (y,) = root.iter(f"{{{CRYPTOGRAPHY}}}Y")
    y.text = base64.b64encode(b"other key").decode()
    changed = to_bytes(root)
    with pytest.raises(AssertionError):
        check(name, changed, SYSTEM_INFO)
    with pytest.raises(AssertionError):
        check(name, changed, attrs.evolve(SYSTEM_INFO), {"system_info": SYSTEM_INFO})
    license = SYSTEM_INFO.license
    assert license is not None
    assert license.public_key is not None
    public_key = attrs.evolve(license.public_key, key=attrs.evolve(KEY, y=b"other key"))
    expected = attrs.evolve(SYSTEM_INFO, license=attrs.evolve(license, public_key=public_key))
    check(name, changed, expected)


# --------------------------------------------------------------------------------------------
# Fixed cases in wire text (GetUntrustedCredentialsForAssociate)
# --------------------------------------------------------------------------------------------

OPERATION = "GetUntrustedCredentialsForAssociate"
#: The headers of the wire-text cases (nil TimeZone; DC_HEADERS has one with values).
WIRE_HEADERS = WireHeaders(
    exception_info=NIL,
    extra_info=[("Culture", "en-US"), ("RequestId", "a1b2")],
    succeeded="true",
    time_zone=NIL,
)

WIRE_CREDENTIALS = [
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

WIRE_EXPECTED = [
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


def _wire_datacontract() -> bytes:
    payload = credentials_response(WIRE_CREDENTIALS, style="datacontract")
    return to_bytes(envelope(payload, response_headers(WIRE_HEADERS)))


# The reference example and an absent, empty or nil Response are in FIXED and
# test_doc_example_soap11 (with headers, in every spelling); these are the wire-text cases.
WIRE_CASES = [
    pytest.param(_wire_datacontract(), WIRE_EXPECTED, id="datacontract-with-headers"),
    pytest.param(
        to_bytes(envelope(credentials_response(WIRE_CREDENTIALS, style="prefixed"))),
        WIRE_EXPECTED,
        id="prefixed-no-headers",
    ),
    pytest.param(
        to_bytes(envelope(credentials_response([]), header_element=True)),
        [],
        id="response-empty-empty-header",
    ),
]


@pytest.mark.parametrize(("data", "expected"), WIRE_CASES)
def test_wire_text_matches_zeep(data: bytes, expected: list[UntrustedCredentials]) -> None:
    check(OPERATION, data, expected)


def test_reference_example_soap12_reads_like_soap11() -> None:
    """Ours only (zeep's binding is SOAP 1.1): the untouched 1.2 example gives the same values."""
    operation = _operation(OPERATION)
    path = reference_file("examples", "User", f"{OPERATION}.response.xml")
    assert ours(operation, path.read_bytes()) == [DOC_CREDENTIALS]
    assert ours(operation, _doc_soap11(OPERATION)) == [DOC_CREDENTIALS]


def test_datacontract_headers_seen_by_zeep() -> None:
    """The header blocks are well-formed for the WSDL too (zeep decodes them), not just skipped."""
    header = zeep_reply(_operation(OPERATION), _wire_datacontract()).header
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
    data = to_bytes(envelope(credentials_response(wire)))
    check(OPERATION, data, [as_read(valid_from=expected, valid_to=expected)])
    (result,) = ours(_operation(OPERATION), data)
    assert result.valid_from is not None
    assert result.valid_from.microsecond == expected.microsecond


# --------------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------------

# Characters XML 1.0 can carry (no C0 controls but tab/LF/CR, no surrogates, no U+FFFE/U+FFFF).
_XML_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r ")
_TEXT = st.text(_XML_CHARS, max_size=12)
_NONEMPTY_TEXT = st.text(_XML_CHARS, min_size=1, max_size=12)
_INT32 = st.integers(-(2**31), 2**31 - 1)
# Surrounding whitespace on xs:int/boolean/dateTime/list values (whiteSpace="collapse").
_PADS = ["", "", " ", "\n  ", "\t"]
_PAD = st.sampled_from(_PADS)
_STYLES: st.SearchStrategy[Style] = st.sampled_from(["datacontract", "prefixed"])


class Drawn(Lex):
    """Each choice drawn by hypothesis."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw

    def nil_for_none(self) -> bool:
        return bool(self.draw(st.booleans()))

    def nil_text(self) -> str:
        return str(self.draw(st.sampled_from(["true", "1", " true "])))

    def pad(self) -> str:
        return str(self.draw(_PAD))

    def boolean(self, value: bool) -> str:
        return str(self.draw(st.sampled_from(["true", "1"] if value else ["false", "0"])))

    def utc_suffix(self) -> str:
        return str(self.draw(st.sampled_from(["Z", "+00:00", "-00:00"])))

    def extra_fraction(self) -> str:
        return str(self.draw(st.sampled_from(["", "", "0", "5", "9", "999"])))

    def integer(self, value: int) -> str:
        sign = "-" if value < 0 else str(self.draw(st.sampled_from(["", "+"])))
        return sign + str(self.draw(st.sampled_from(["", "0", "000"]))) + str(abs(value))

    def cdata(self) -> bool:
        return bool(self.draw(st.integers(0, 3)) == 0)

    def comment(self) -> bool:
        return bool(self.draw(st.integers(0, 3)) == 0)

    def mask_separator(self) -> str:
        return str(self.draw(st.sampled_from([" ", "  ", "\n\t"])))

    def empty_mask_element(self) -> bool:
        return bool(self.draw(st.booleans()))

    def nil_item(self) -> bool:
        return bool(self.draw(st.integers(0, 3)) == 0)

    def base64_wrap(self) -> Optional[int]:
        wrap: Optional[int] = self.draw(st.sampled_from([None, None, 4, 76]))
        return wrap


# ---- From model values, spelled by Drawn


@st.composite
def _datetimes(draw: st.DrawFn) -> datetime:
    wall = draw(st.datetimes(min_value=MIN_VALUE, max_value=MAX_VALUE))
    offset = draw(st.one_of(st.none(), st.just(0), st.integers(-14 * 60, 14 * 60)))
    return wall if offset is None else wall.replace(tzinfo=timezone(timedelta(minutes=offset)))


_SCALARS: dict[Scalar, st.SearchStrategy[Any]] = {
    Scalar.STRING: _TEXT,
    Scalar.INT: _INT32,
    Scalar.BOOL: st.booleans(),
    Scalar.DATETIME: _datetimes(),
    Scalar.BASE64: st.binary(max_size=12),
}


def values_of(kind: Kind, *, top: bool = False) -> st.SearchStrategy[Any]:
    """Model values of a kind (arrays inside models are tuples; at the top level, lists)."""
    if isinstance(kind, Scalar):
        return _SCALARS[kind]
    if isinstance(kind, EnumOf):
        return st.sampled_from(list(kind.cls))
    if isinstance(kind, Mask):
        # An empty set may be written as no element at all, which reads None (absent), so the
        # drawn values are None or a set of at least one flag; <Mask/> has fixed cases.
        return st.none() | st.frozensets(st.sampled_from(kind.tokens), min_size=1)
    if isinstance(kind, Struct):
        return models(kind.model)
    if isinstance(kind, ArrayOf):
        items = st.lists(values_of(kind.kind), max_size=3)
        return items if top else items.map(tuple)
    return st.dictionaries(_TEXT, values_of(kind.value), max_size=2)


@functools.cache
def models(model: type) -> st.SearchStrategy[Any]:
    """Any value of a model: each optional field None or a value; a Mask always a set."""
    fields = {
        f.attr: values_of(f.kind) if isinstance(f.kind, Mask) else st.none() | values_of(f.kind)
        for f in SPECS[model]
    }
    return st.fixed_dictionaries(fields).map(lambda kwargs: model(**kwargs))


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["GetCredentialTypes", "GetCredentialTypesForUserType"]),
    items=values_of(TYPES_ARRAY, top=True),
    style=_STYLES,
    headers=st.booleans(),
    data=st.data(),
)
def test_random_credential_types_match_zeep(
    name: str, items: list[CredentialType], style: Style, headers: bool, data: st.DataObject
) -> None:
    values = {"response": items}
    wire = answer_bytes(name, values, lex=Drawn(data.draw), style=style, headers=headers)
    check(name, wire, items, values)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(_AUTHENTICATE),
    principal=models(Principal),
    ticket=st.none() | _TEXT,
    style=_STYLES,
    data=st.data(),
)
def test_random_principal_matches_zeep(
    name: str, principal: Principal, ticket: Optional[str], style: Style, data: st.DataObject
) -> None:
    credentials = data.draw(
        st.sampled_from([None, NIL, SoCredentials(None)])
        if ticket is None
        else st.just(SoCredentials(ticket))
    )
    values = {"principal": principal, "credentials": credentials, "succeeded": True}
    wire = answer_bytes(name, values, lex=Drawn(data.draw), style=style)
    check(name, wire, Authentication(succeeded=True, ticket=ticket, principal=principal), values)


# ---- From wire text: each value's exact lexical form drawn with the value it must read as


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
    wall = draw(st.datetimes(min_value=MIN_VALUE, max_value=MAX_VALUE))
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
def _mask(
    draw: st.DrawFn, tokens: tuple[str, ...]
) -> tuple[Optional[str], Optional[frozenset[str]]]:
    if draw(st.integers(0, 5)) == 0:
        return None, None  # no Mask element: absent reads None
    chosen = draw(st.lists(st.sampled_from(tokens), unique=True, max_size=len(tokens)))
    separator = draw(st.sampled_from([" ", "  ", "\n\t"]))
    return draw(_PAD) + separator.join(chosen) + draw(_PAD), frozenset(chosen)


def _right_field(
    tokens: tuple[str, ...], factory: Callable[[Optional[frozenset[str]], Optional[str]], T]
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
    right_wire, right = draw(
        _right_field(FIELD_RIGHT_FLAGS, lambda m, r: FieldRight(mask=m, reason=r))
    )
    type_wire, field_type = draw(_text_field())
    length = draw(st.one_of(st.none(), _INT32))
    length_wire = None if length is None else draw(_PAD) + str(length) + draw(_PAD)
    return WireFieldProperty(right_wire, type_wire, length_wire), FieldProperty(
        field_right=right, field_type=field_type, field_length=length
    )


@st.composite
def _wire_credentials(draw: st.DrawFn) -> tuple[WireCredentials, UntrustedCredentials]:
    table_wire, table = draw(
        _right_field(TABLE_RIGHT_FLAGS, lambda m, r: TableRight(mask=m, reason=r))
    )
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


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(_wire_credentials(), min_size=1, max_size=3),
    style=_STYLES,
    with_headers=st.booleans(),
)
def test_random_wire_credentials_match_zeep(
    items: list[tuple[WireCredentials, UntrustedCredentials]], style: Style, with_headers: bool
) -> None:
    headers = response_headers(WIRE_HEADERS, style=style) if with_headers else []
    payload = credentials_response([wire for wire, _ in items], style=style)
    check(OPERATION, to_bytes(envelope(payload, headers)), [expected for _, expected in items])
