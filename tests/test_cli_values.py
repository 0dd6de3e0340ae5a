"""How ``call`` turns ``--arg`` text and ``--arguments-json`` data into values by their
declarations, and answers back into JSON-ready data: every scalar type of the generator, enums,
flags, models, lists and dictionaries, and secrets masked."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional

import attrs
import pytest

from superoffice_soap._cli_values import (
    MASKED,
    ArgumentError,
    cells,
    columns,
    from_json,
    from_text,
    load_json,
    plain,
)
from superoffice_soap.types import (
    ANY_URI,
    ARRAYS,
    BASE64,
    BOOLEAN,
    BYTE,
    CHAR,
    DATETIME,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    GUID,
    INT,
    LONG,
    QNAME,
    SECRET_STRING,
    SHORT,
    STRING,
    UNSIGNED_BYTE,
    UNSIGNED_INT,
    UNSIGNED_LONG,
    UNSIGNED_SHORT,
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Field,
    Flags,
    Scalar,
    Struct,
    secret_repr,
)

GUID_TEXT = "0f8fad5b-d9cb-469f-a165-70867728950e"


class Colour(str, enum.Enum):
    RED = "Red"
    LIGHT_BLUE = "LightBlue"


class Right(enum.Flag):
    READ = 1
    WRITE = 2
    DELETE = 4


COLOUR = Enumeration(Colour)
RIGHT = Flags("Right", ("Read", "Write", "Delete"), Right)
TOKENS = Flags("Plain", ("A", "B"))


@attrs.frozen(kw_only=True)
class Inner:
    mask: Optional[Right] = None
    amount: Optional[Decimal] = None


@attrs.frozen(kw_only=True)
class Outer:
    name: Optional[str] = None
    password: Optional[str] = attrs.field(default=None, repr=secret_repr)
    inner: Optional[Inner] = None
    numbers: Optional[list[int]] = None
    extra: Optional[dict[str, Inner]] = None
    colour: Optional[Colour] = None


INNER = Struct("Inner", Inner, (Field("Mask", "mask", RIGHT), Field("Amount", "amount", DECIMAL)))
OUTER = Struct(
    "Outer",
    Outer,
    (
        Field("Name", "name", STRING),
        Field("Password", "password", SECRET_STRING),
        Field("Inner", "inner", INNER),
        Field("Numbers", "numbers", ArrayOf("int", INT, namespace=ARRAYS)),
        Field("Extra", "extra", DictionaryOf("InnerPair", INNER)),
        Field("Colour", "colour", COLOUR),
    ),
)


@pytest.mark.parametrize(
    ("declaration", "text", "value"),
    [
        (STRING, " spaced, as given ", " spaced, as given "),
        (ANY_URI, "https://example.com/a", "https://example.com/a"),
        (INT, "-42", -42),
        (SHORT, "32767", 32767),
        (LONG, "9223372036854775807", 2**63 - 1),
        (BYTE, "-128", -128),
        (UNSIGNED_BYTE, "255", 255),
        (UNSIGNED_SHORT, "65535", 65535),
        (UNSIGNED_INT, "4294967295", 2**32 - 1),
        (UNSIGNED_LONG, "18446744073709551615", 2**64 - 1),
        (BOOLEAN, "true", True),
        (BOOLEAN, "False", False),
        (BOOLEAN, "0", False),
        (DOUBLE, "1.5e3", 1500.0),
        (FLOAT, "-0.25", -0.25),
        (DECIMAL, "12.50", Decimal("12.50")),
        (DATETIME, "2025-01-01", datetime(2025, 1, 1, tzinfo=timezone.utc)),
        (DATETIME, "2025-01-01T08:30:00", datetime(2025, 1, 1, 8, 30, tzinfo=timezone.utc)),
        (
            DATETIME,
            "2025-01-01T08:30:00+02:00",
            datetime(2025, 1, 1, 8, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        (DURATION, "P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        (GUID, GUID_TEXT, uuid.UUID(GUID_TEXT)),
        (CHAR, "é", "é"),
        (BASE64, "aGk=", b"hi"),
        (QNAME, "a:b", "a:b"),
        (COLOUR, "LightBlue", Colour.LIGHT_BLUE),
        (COLOUR, "lightblue", Colour.LIGHT_BLUE),
        (COLOUR, "LIGHT_BLUE", Colour.LIGHT_BLUE),
        (RIGHT, "Read,Delete", Right.READ | Right.DELETE),
        (RIGHT, "", Right(0)),
        (TOKENS, "B A", frozenset({"A", "B"})),
        (ArrayOf("int", INT, namespace=ARRAYS), "[1, 2, 3]", [1, 2, 3]),
        (DictionaryOf("Pair", STRING), '{"a": "b"}', {"a": "b"}),
    ],
)
def test_arg_text_becomes_a_value_of_its_type(declaration: Any, text: str, value: object) -> None:
    converted = from_text(declaration, text, "--arg X")
    assert converted == value
    assert type(converted) is type(value)


@pytest.mark.parametrize(
    ("declaration", "text", "expected"),
    [
        (INT, "2147483648", "int (a whole number from -2147483648 to 2147483647)"),
        (INT, "1.0", "int"),
        (UNSIGNED_BYTE, "-1", "unsignedByte (a whole number from 0 to 255)"),
        (BOOLEAN, "yes", "boolean (true or false)"),
        (DATETIME, "yesterday", "dateTime (an ISO 8601 date or date-time"),
        (DECIMAL, "1e5", "decimal"),
        (DURATION, "P1Y", "duration"),
        (GUID, "not-a-guid", "guid"),
        (CHAR, "ab", "char (one character)"),
        (DOUBLE, "many", "double (a number)"),
        (COLOUR, "Green", "Colour (one of Red, LightBlue)"),
        (RIGHT, "Read,Execute", "Right has no flag 'Execute'"),
        (OUTER, "name=x", "expects Outer, given as JSON"),
        (ArrayOf("int", INT), "1,2", "expects list of int, given as JSON"),
    ],
)
def test_a_bad_value_names_where_and_the_expected_type(
    declaration: Any, text: str, expected: str
) -> None:
    with pytest.raises(ArgumentError) as raised:
        from_text(declaration, text, "--arg X")
    assert str(raised.value).startswith("--arg X: ")
    assert expected in str(raised.value)


def test_a_bad_secret_is_not_quoted() -> None:
    secret = Scalar("int", INT.parse, INT.write, secret=True)
    with pytest.raises(ArgumentError) as raised:
        from_text(secret, "s3cret-digits", "--arg Pin")
    assert "s3cret" not in str(raised.value)


def test_json_builds_models_recursively_by_attribute_or_element_name() -> None:
    data = load_json(
        '{"name": "n", "Password": "p", "inner": {"mask": ["Write"], "amount": 0.10},'
        ' "numbers": [1, "2"], "extra": {"k": {"Amount": "3"}}, "colour": "Red"}'
    )
    value = from_json(OUTER, data, "--arguments-json: Value")
    assert value == Outer(
        name="n",
        password="p",
        inner=Inner(mask=Right.WRITE, amount=Decimal("0.10")),
        numbers=[1, 2],
        extra={"k": Inner(amount=Decimal(3))},
        colour=Colour.RED,
    )
    assert from_json(OUTER, None, "x") is None
    assert from_json(DOUBLE, Decimal("0.5"), "x") == 0.5
    assert from_json(BOOLEAN, True, "x") is True


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"nam": "x"}, "Value: Outer has no field 'nam'; did you mean name?"),
        ({"name": "x", "Name": "y"}, "Value: name is given twice"),
        ({"numbers": [1, "x"]}, "Value.numbers[1]: expects int"),
        ({"numbers": 1}, "Value.numbers: expects list of int (a JSON array)"),
        ({"inner": {"amount": True}}, "Value.inner.amount: expects decimal"),
        ({"colour": 3}, "Value.colour: expects Colour"),
        ([], "Value: expects Outer (a JSON object)"),
        ({"name": 5}, "Value.name: expects string"),
        ({"password": 5}, "Value.password: expects string"),
    ],
)
def test_bad_json_names_the_path(data: Any, expected: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        from_json(OUTER, data, "Value")
    assert str(raised.value).startswith(expected)


def test_plain_data_masks_secrets_and_writes_wire_tokens() -> None:
    value = Outer(
        name="n",
        password="hunter2",
        inner=Inner(mask=Right.READ | Right.WRITE, amount=Decimal("1.10")),
        numbers=[1],
        extra={"k": Inner()},
        colour=Colour.LIGHT_BLUE,
    )
    data = plain(OUTER, value, show_secrets=False)
    assert data == {
        "name": "n",
        "password": MASKED,
        "inner": {"mask": ["Read", "Write"], "amount": "1.10"},
        "numbers": [1],
        "extra": {"k": {"mask": None, "amount": None}},
        "colour": "LightBlue",
    }
    assert plain(OUTER, value, show_secrets=True)["password"] == "hunter2"
    assert plain(SECRET_STRING, "ticket", show_secrets=False) == MASKED
    assert plain(TOKENS, frozenset({"B", "A"}), show_secrets=False) == ["A", "B"]
    assert plain(DURATION, timedelta(hours=1), show_secrets=False) == "PT1H"
    assert plain(GUID, uuid.UUID(GUID_TEXT), show_secrets=False) == GUID_TEXT
    assert plain(DOUBLE, float("inf"), show_secrets=False) == "INF"
    assert plain(BASE64, b"hi", show_secrets=False) == "aGk="


def test_a_secret_attribute_is_masked_whatever_its_declared_type() -> None:
    declared_plainly = Struct("Outer", Outer, (Field("Password", "password", STRING),))
    assert plain(declared_plainly, Outer(password="x"), show_secrets=False) == {"password": MASKED}


def test_table_columns_put_simple_fields_first_and_nested_models_dotted() -> None:
    names = columns(OUTER)
    assert names == ["name", "password", "colour", "inner.mask", "inner.amount", "numbers", "extra"]
    data = plain(OUTER, Outer(inner=Inner(amount=Decimal(2))), show_secrets=False)
    assert cells(data, names)["inner.amount"] == "2"
    assert cells({"inner": None}, ["inner.mask"]) == {"inner.mask": None}
    assert columns(INT) == ["value"]
    assert columns(OUTER, of_models=False) == [*names[:-1]]  # no dictionary of models
