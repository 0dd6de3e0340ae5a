"""Values of any declared operation on the command line, both ways, read from the declarations
(``superoffice_soap.types``) alone.

In: ``--arg NAME=VALUE`` text and ``--arguments-json`` data become the values the writers take
(an int for xs:int, a ``datetime``, an enum member by its wire token, a ``Decimal``, a ``UUID``,
a model built from a JSON object keyed by its attribute names, …). A value that does not fit is
an ``ArgumentError`` saying where it was given and what was expected; a secret is never quoted.

Out: an answer becomes JSON-ready data (attrs models → dicts, enums and flags → their wire
tokens, dates → ISO 8601, other scalars → their XSD text), secrets masked unless asked for; and
the columns of a table of models, simple values first, nested models as dotted columns.
"""

from __future__ import annotations

import decimal
import difflib
import enum
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any, Optional

import attrs

from . import xsd
from .types import (
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Field,
    Flags,
    Raw,
    Scalar,
    Struct,
    TypeRef,
    ValueType,
    resolve,
    secret_repr,
)

__all__ = [
    "MASKED",
    "ArgumentError",
    "cells",
    "columns",
    "from_json",
    "from_text",
    "is_secret",
    "load_json",
    "plain",
    "suggestion",
    "type_label",
]

MASKED = "********"
_INTEGERS = frozenset(xsd._RANGES)
_STRINGS = frozenset({"string", "anyURI"})
_SHOWN_TOKENS = 8  # an enumeration's tokens named in an error, at most
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_EXPECTED = {
    "boolean": "true or false",
    "dateTime": "an ISO 8601 date or date-time, e.g. 2025-01-01 or 2025-01-01T08:00:00Z",
    "double": "a number",
    "float": "a number",
    "decimal": "a decimal number, e.g. 12.50",
    "duration": "an ISO 8601 duration of days, hours, minutes and seconds, e.g. P1DT2H or PT30M",
    "guid": "a GUID, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e",
    "char": "one character",
    "base64Binary": "base64 text",
    "QName": "a QName, e.g. prefix:name",
}


class ArgumentError(ValueError):
    """A value that does not fit its declaration (the message says where and what was wanted)."""


# ------------------------------------------------------------------------------------------------
# In


def type_label(declaration: TypeRef) -> str:
    """The type as a message names it: ``int``, ``UserType``, ``list of int``, …"""
    kind = resolve(declaration)
    if isinstance(kind, ArrayOf):
        return f"list of {type_label(kind.type)}"
    if isinstance(kind, DictionaryOf):
        return f"dictionary of {type_label(kind.value)}"
    if isinstance(kind, Flags):
        return f"{kind.name} flags"
    if isinstance(kind, Raw):
        return "raw XML"
    return kind.name


def is_secret(declaration: TypeRef) -> bool:
    """Whether a value of this type is a secret (a password, a ticket, a secret value)."""
    kind = resolve(declaration)
    return isinstance(kind, Scalar) and kind.secret


def from_text(declaration: TypeRef, text: str, where: str) -> object:
    """``--arg`` text as a value of ``declaration``: scalars, enumerations and flags as typed;
    a model, list or dictionary as JSON."""
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        return _scalar(kind, text, where)
    if isinstance(kind, Enumeration):
        return _member(kind, text, where)
    if isinstance(kind, Flags):
        return _flags(kind, [token for token in re.split(r"[\s,|]+", text) if token], where)
    if isinstance(kind, Raw):
        raise ArgumentError(f"{where}: raw XML cannot be given on the command line")
    try:
        data = load_json(text)
    except ValueError:
        shape = "an object" if isinstance(kind, (Struct, DictionaryOf)) else "a list"
        example = "'{...}'" if shape == "an object" else "'[...]'"
        raise ArgumentError(
            f"{where}: expects {type_label(kind)}, given as JSON ({shape}, e.g. "
            f"NAME={example}), or in --arguments-json"
        ) from None
    return from_json(kind, data, where)


def load_json(text: str) -> Any:
    """JSON with exact decimals (a fraction becomes a ``Decimal``, never a float)."""
    return json.loads(text, parse_float=decimal.Decimal)


def from_json(declaration: TypeRef, data: Any, where: str) -> object:
    """JSON data as a value of ``declaration``: a model from an object keyed by its attribute
    names (or element names), a list from an array, scalars from their JSON form or from text
    as ``--arg`` takes it; null is None."""
    if data is None:
        return None
    kind = resolve(declaration)
    if isinstance(kind, Struct):
        return _struct(kind, data, where)
    if isinstance(kind, ArrayOf):
        if not isinstance(data, list):
            raise ArgumentError(f"{where}: expects {type_label(kind)} (a JSON array)")
        items = [from_json(kind.type, item, f"{where}[{n}]") for n, item in enumerate(data)]
        return kind.into(items)
    if isinstance(kind, DictionaryOf):
        if not isinstance(data, dict):
            raise ArgumentError(f"{where}: expects {type_label(kind)} (a JSON object)")
        key = kind.key
        return {
            (key_text if key is None else _scalar(key, key_text, f"{where} key")): from_json(
                kind.value, value, f"{where}[{key_text!r}]"
            )
            for key_text, value in data.items()
        }
    if isinstance(kind, Flags) and isinstance(data, list):
        if not all(isinstance(token, str) for token in data):
            raise ArgumentError(f"{where}: expects {type_label(kind)} (wire tokens)")
        return _flags(kind, data, where)
    if isinstance(kind, Scalar):
        return _scalar_json(kind, data, where)
    if isinstance(data, str):
        return from_text(kind, data, where)
    raise ArgumentError(f"{where}: expects {type_label(kind)} (a JSON string)")


def _struct(kind: Struct, data: Any, where: str) -> object:
    if not isinstance(data, dict):
        raise ArgumentError(f"{where}: expects {kind.name} (a JSON object)")
    fields: dict[str, Field] = {}
    for declared in kind.fields:
        if declared.attr is not None:
            fields[declared.attr] = declared
            fields.setdefault(declared.element, declared)
    values: dict[str, object] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None or field.attr is None:
            names = [f.attr for f in kind.fields if f.attr is not None]
            raise ArgumentError(
                f"{where}: {kind.name} has no field {key!r}{suggestion(key, names)}"
            )
        if field.attr in values:
            raise ArgumentError(f"{where}: {field.attr} is given twice")
        values[field.attr] = from_json(field.type, value, f"{where}.{field.attr}")
    try:
        return kind.model(**values)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{where}: not a valid {kind.name}: {exc}") from None


def _scalar_json(kind: Scalar, data: Any, where: str) -> object:
    if isinstance(data, str):
        return _scalar(kind, data, where)
    name = kind.name
    numeric = isinstance(data, (int, decimal.Decimal)) and not isinstance(data, bool)
    if name == "boolean" and isinstance(data, bool):
        return data
    if name in _INTEGERS and numeric and data == int(data):
        return _scalar(kind, str(int(data)), where)
    if name in ("double", "float") and numeric:
        return float(data)
    if name == "decimal" and numeric:
        return decimal.Decimal(data)
    shown = "" if kind.secret else f", got {json.dumps(data, default=str)}"
    raise ArgumentError(f"{where}: expects {name}{_expected(kind)}{shown}")


def _scalar(kind: Scalar, text: str, where: str) -> object:
    name = kind.name
    if name in _STRINGS:
        return text
    value = text.strip()
    try:
        if name == "boolean":
            return {"true": True, "1": True, "false": False, "0": False}[value.lower()]
        if name == "dateTime":
            return _datetime(value)
        if name == "char":  # the character itself (the wire has its code point)
            if len(text) == 1:
                return text
            raise ValueError(text)
        return kind.parse(value)
    except (KeyError, ValueError, ArithmeticError):
        shown = "" if kind.secret else f", got {text!r}"
        raise ArgumentError(f"{where}: expects {name}{_expected(kind)}{shown}") from None


def _expected(kind: Scalar) -> str:
    if kind.name in xsd._RANGES:
        low, high = xsd._RANGES[kind.name]
        return f" (a whole number from {low} to {high})"
    expected = _EXPECTED.get(kind.name)
    return f" ({expected})" if expected else ""


def _datetime(text: str) -> datetime:
    """An ISO 8601 date (00:00 UTC) or date-time (UTC when it has no offset), as every date
    option of the command line."""
    if _DATE.match(text):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    parsed = xsd.parse_datetime(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _member(kind: Enumeration, text: str, where: str) -> enum.Enum:
    members = list(kind.enum)
    for exact in (True, False):
        for member in members:
            names = (str(member.value), member.name)
            if text in names if exact else text.lower() in (n.lower() for n in names):
                return member
    tokens = [str(member.value) for member in members]
    shown = ", ".join(tokens[:_SHOWN_TOKENS]) + (", …" if len(tokens) > _SHOWN_TOKENS else "")
    raise ArgumentError(
        f"{where}: expects {kind.name} (one of {shown}), got {text!r}{suggestion(text, tokens)}"
    )


def _flags(kind: Flags, tokens: Sequence[str], where: str) -> object:
    chosen = []
    for token in tokens:
        found = next((t for t in kind.tokens if t.lower() == token.lower()), None)
        if found is None:
            raise ArgumentError(
                f"{where}: {kind.name} has no flag {token!r}{suggestion(token, kind.tokens)} "
                "(give flags separated by commas)"
            )
        chosen.append(found)
    if kind.flag is None:
        return frozenset(chosen)
    members = dict(zip(kind.tokens, kind.flag.__members__.values()))
    value = kind.flag(0)
    for token in chosen:
        value |= members[token]
    return value


def suggestion(name: str, choices: Sequence[str]) -> str:
    """``; did you mean X?`` for the choice closest to ``name``, or nothing."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    if not close:
        lowered = {choice.lower(): choice for choice in choices}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f"; did you mean {close[0]}?" if close else ""


# ------------------------------------------------------------------------------------------------
# Out


def plain(declaration: Optional[TypeRef], value: Any, *, show_secrets: bool) -> Any:
    """JSON-ready data for a value of ``declaration`` (None: no declaration to go by)."""
    if value is None:
        return None
    kind = None if declaration is None else resolve(declaration)
    if isinstance(kind, Scalar):
        if kind.secret and not show_secrets:
            return MASKED
        return _scalar_out(kind, value)
    if isinstance(value, enum.Flag) and isinstance(kind, Flags):
        members = kind.flag.__members__.values() if kind.flag is not None else ()
        return [t for t, m in zip(kind.tokens, members) if m.value and m & value == m]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(kind, Flags) and isinstance(value, (set, frozenset)):
        return [token for token in kind.tokens if token in value]
    if isinstance(kind, Struct):
        return _struct_out(kind, value, show_secrets)
    if isinstance(kind, ArrayOf) and isinstance(value, (list, tuple)):
        return [plain(kind.type, item, show_secrets=show_secrets) for item in value]
    if isinstance(kind, DictionaryOf) and isinstance(value, Mapping):
        key = kind.key
        return {
            str(k if key is None else _scalar_out(key, k)): plain(
                kind.value, v, show_secrets=show_secrets
            )
            for k, v in value.items()
        }
    if isinstance(kind, Raw):
        from lxml import etree

        return etree.tostring(value, encoding="unicode")
    return _undeclared(value, show_secrets)


def _struct_out(kind: Struct, value: Any, show_secrets: bool) -> dict[str, Any]:
    secret_attrs = set()
    if attrs.has(type(value)):
        secret_attrs = {f.name for f in attrs.fields(type(value)) if f.repr is secret_repr}
    data = {}
    for field in kind.fields:
        if field.attr is None:
            continue
        item = getattr(value, field.attr, None)
        if field.attr in secret_attrs and item is not None and not show_secrets:
            data[field.attr] = MASKED
        else:
            data[field.attr] = plain(field.type, item, show_secrets=show_secrets)
    return data


def _scalar_out(kind: Scalar, value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else xsd.write_double("value", value)
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    try:
        return kind.write("value", value)
    except Exception:  # a value the declaration does not describe: shown as Python prints it
        return str(value)


def _undeclared(value: Any, show_secrets: bool) -> Any:
    """A value without a declaration (an attrs model read by a declaration of its own)."""
    if attrs.has(type(value)):
        return {
            field.name: MASKED
            if field.repr is secret_repr and not show_secrets
            else _undeclared(getattr(value, field.name), show_secrets)
            for field in attrs.fields(type(value))
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _undeclared(v, show_secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_undeclared(v, show_secrets) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def columns(
    declaration: ValueType, prefix: str = "", depth: int = 1, *, of_models: bool = True
) -> list[str]:
    """The columns of a table of ``declaration`` values: its simple fields first, in order; then
    a nested model's fields as dotted columns (one level deep); then lists and dictionaries
    (without those of models unless ``of_models``: a table cell cannot show them)."""
    if not isinstance(declaration, Struct):
        return ["value"]
    simple: list[str] = []
    nested: list[str] = []
    for field in declaration.fields:
        if field.attr is None:
            continue
        kind = resolve(field.type)
        name = prefix + field.attr
        if isinstance(kind, (Scalar, Enumeration, Flags)):
            simple.append(name)
        elif isinstance(kind, Struct) and depth > 0:
            nested.extend(columns(kind, name + ".", depth - 1, of_models=of_models))
        elif of_models or not _holds_models(kind):
            nested.append(name)
    return simple + nested


def _holds_models(kind: ValueType) -> bool:
    if isinstance(kind, ArrayOf):
        return not isinstance(resolve(kind.type), (Scalar, Enumeration, Flags))
    if isinstance(kind, DictionaryOf):
        return not isinstance(resolve(kind.value), (Scalar, Enumeration, Flags))
    return isinstance(kind, (Struct, Raw))


def cells(data: Any, names: Sequence[str]) -> dict[str, Any]:
    """A row of plain ``data`` for dotted column ``names``."""
    return {name: _dig(data, name.split(".")) for name in names}


def _dig(data: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data
