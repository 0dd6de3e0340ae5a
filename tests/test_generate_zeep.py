"""Differential test of generated modules against zeep, on the same reference WSDLs.

For every operation of User, Associate and Person (Services86) and every fifth operation of each
other reference WSDL (all of SoPrincipal, the one whose answers are unwrapped):

* **requests**: arguments drawn at random from the generated declarations (``values``) are
  written by ``build_envelope`` (SOAP 1.1) and by zeep's ``create_message`` (the same values,
  spelled as zeep takes them); the two Body payloads are equal element for element: the same
  qualified names in the same order, the same attributes, the same text;
* **answers**: a SOAP 1.1 answer written here with lxml from random model values
  (``answer_bytes``) is read back by ``parse_response`` into exactly those values, and zeep's
  ``process_reply`` reads the same bytes into equal values;
* **types**: every structure the generator declares, in every reference WSDL, has zeep's
  elements for the same complex type, in the same order (a base's first), nillable alike, of
  the same types (zeep keeps no name or tokens for a .NET flags list; minOccurs="1", found
  only in SoPrincipal's DSAParameters, is not modelled: every field is optional).

Canonicalisation (``canonical``) compares qualified names, not prefixes (zeep writes ``ns0:``,
the library the service's name), and compares the text of values whose lexical form is free by
value: xs:dateTime (zeep writes ``+00:00`` where the library writes ``Z``), xs:duration,
xs:double/float/decimal. Everything else is compared as text.

What zeep 4.3.3 reads differently (mapped away by ``zeep_form``, applied to the expected value;
the library's own reading is compared exactly, with no mapping):

* an empty string or empty base64 (``<Name></Name>``) reads None (ours ``""``, ``b""``);
* an empty array or dictionary (``<Licenses/>``) reads None (ours ``[]``, ``{}``);
* an empty xs:list (.NET flags, ``<Mask></Mask>``) reads None (ours the empty flag value);
* a complex element without children reads None, and xsi:nil on a complex element is ignored
  (an object whose fields are all None), so a structure whose every field is None compares
  equal to None;
* enumerations are strings, flags lists of tokens, arrays objects holding a list.

Values are drawn to what both sides can spell: finite doubles, datetimes of years 1000–9999.
xsi:nil is written for a None value of a nillable element one time in three; zeep reads it as an
absent element.
"""

from __future__ import annotations

import decimal
import enum
import functools
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

import pytest
import zeep  # a development dependency (the [dev] extra); the package never imports it
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from zeep.xsd import CompoundValue

from superoffice_soap import Operation, parse_response
from superoffice_soap import xsd as xsd_codecs
from superoffice_soap.envelope import build_envelope
from superoffice_soap.operations import namespace
from superoffice_soap.types import (
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Flags,
    Scalar,
    Struct,
    TypeRef,
    ValueType,
    resolve,
)

from ._generated import WSDLS, module, services_of

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI}}}nil"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}

#: Every operation of these; every fifth (in the WSDL's order) of the others.
FULL = ("Services86/User", "Services86/Associate", "Services86/Person", "soprincipal")
#: Random cases per operation, for the request and for the answer (a few: there are many
#: operations; ``DIFFERENTIAL_EXAMPLES=1000`` in the environment makes a long run).
EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "5"))
#: How deep drawn values nest (a type may contain itself); deeper, structures are None.
DEPTH = 2


def _sample() -> list[tuple[str, str]]:
    cases = []
    for key in sorted(WSDLS):
        names = list(module(key).OPERATIONS)
        chosen = names if key in FULL else names[::5]
        cases += [(key, name) for name in chosen]
    return cases


CASES = _sample()


def _id(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1]}"


# ------------------------------------------------------------------------------------------------
# Values drawn from the declarations

_XML_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r ")
_TEXT = st.text(_XML_CHARS, max_size=6)
_MIN = datetime(1000, 1, 1)
_MAX = datetime(9999, 12, 30)


@st.composite
def _datetimes(draw: st.DrawFn) -> datetime:
    wall = draw(st.datetimes(min_value=_MIN, max_value=_MAX))
    offset = draw(st.one_of(st.none(), st.just(0), st.integers(-14 * 60, 14 * 60)))
    if offset is None:
        return wall
    return wall.replace(tzinfo=timezone.utc if offset == 0 else timezone(timedelta(minutes=offset)))


def _integers(name: str) -> st.SearchStrategy[int]:
    bits = {"byte": 8, "short": 16, "int": 32, "long": 64}
    if name in bits:
        half = 2 ** (bits[name] - 1)
        return st.integers(-half, half - 1)
    unsigned = {"unsignedByte": 8, "unsignedShort": 16, "unsignedInt": 32, "unsignedLong": 64}
    return st.integers(0, 2 ** unsigned[name] - 1)


def _scalars(kind: Scalar) -> st.SearchStrategy[Any]:
    name = kind.name
    if name in ("string", "anyURI"):
        return _TEXT
    if name in ("byte", "short", "int", "long") or name.startswith("unsigned"):
        return _integers(name)
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "boolean": st.booleans(),
        "double": st.floats(allow_nan=False, allow_infinity=False),
        "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**9),
        "dateTime": _datetimes(),
        "duration": st.timedeltas(min_value=timedelta(days=-9999), max_value=timedelta(days=9999)),
        "base64Binary": st.binary(max_size=8),
        "guid": st.uuids(),
        "char": st.characters(min_codepoint=32, max_codepoint=0xD7FF),
        "QName": st.from_regex(r"[a-z]{1,3}(:[a-z]{1,3})?", fullmatch=True),
    }
    return strategies[name]


def values(declaration: TypeRef, depth: int = 0) -> st.SearchStrategy[Any]:
    """Any value of a declaration, as a caller passes it and as the library reads it."""
    return _values(resolve(declaration), min(depth, DEPTH))


@functools.cache
def _values(kind: ValueType, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(kind, Scalar):
        return _scalars(kind)
    if isinstance(kind, Enumeration):
        return st.sampled_from(list(kind.enum))
    if isinstance(kind, Flags):
        assert kind.flag is not None
        flag = kind.flag
        members = list(flag)
        return st.sets(st.sampled_from(members)).map(lambda chosen: _combine(flag, chosen))
    if isinstance(kind, Struct):
        return _structs(kind, depth)
    if isinstance(kind, ArrayOf):
        if depth >= DEPTH:
            return st.just([])
        return st.lists(values(kind.type, depth + 1), max_size=2)
    if isinstance(kind, DictionaryOf):
        if depth >= DEPTH:
            return st.just({})
        keys = _TEXT if kind.key is None else _scalars(kind.key)
        return st.dictionaries(keys, values(kind.value, depth + 1), max_size=2)
    raise AssertionError(f"no values for {kind!r}")


def _combine(flag: type[enum.Flag], chosen: set[enum.Flag]) -> enum.Flag:
    value = flag(0)
    for member in chosen:
        value |= member
    return value


def _structs(kind: Struct, depth: int) -> st.SearchStrategy[Any]:
    """A model: each field None or a value; nested ones mostly None (an entity holds dozens of
    fields, and entities nest), the deepest ones only None or a simple value."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for item in kind.fields:
        if item.attr is None or item.read_only:
            continue
        inner = resolve(item.type)
        if depth >= DEPTH and isinstance(inner, (Struct, ArrayOf, DictionaryOf)):
            fields[item.attr] = st.none()
        elif depth:
            fields[item.attr] = st.one_of(st.none(), st.none(), st.none(), values(inner, depth + 1))
        else:
            fields[item.attr] = st.none() | values(inner, depth + 1)
    return st.fixed_dictionaries(fields).map(lambda kwargs: kind.model(**kwargs))


# ------------------------------------------------------------------------------------------------
# The same values as zeep takes them


def to_zeep(declaration: TypeRef, value: Any) -> Any:
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        return ord(value) if kind.name == "char" else value
    if isinstance(kind, Enumeration):
        return value.value
    if isinstance(kind, Flags):
        return _flag_tokens(kind, value)
    if isinstance(kind, Struct):
        out = {}
        for item in kind.fields:
            found = None if item.attr is None else getattr(value, item.attr)
            if found is not None:
                out[item.element] = to_zeep(item.type, found)
        return out
    if isinstance(kind, ArrayOf):
        return {kind.item: [to_zeep(kind.type, item) for item in value]}
    assert isinstance(kind, DictionaryOf)
    pairs = [{"Key": key, "Value": to_zeep(kind.value, item)} for key, item in value.items()]
    return {kind.pair: pairs}


def _flag_tokens(kind: Flags, value: enum.Flag) -> list[str]:
    assert kind.flag is not None
    return [
        token for token, member in zip(kind.tokens, kind.flag) if member in value and member.value
    ]


# ------------------------------------------------------------------------------------------------
# Canonical form of a written payload


def _scalar_key(kind: Scalar, text: str) -> object:
    if kind.name == "dateTime":
        parsed = xsd_codecs.parse_datetime(text)
        return (parsed.replace(tzinfo=None), parsed.utcoffset())
    if kind.name == "duration":
        return xsd_codecs.parse_duration(text)
    if kind.name in ("double", "float"):
        return float(text)
    if kind.name == "decimal":
        return decimal.Decimal(text)
    return text


def canonical(element: etree._Element, declaration: Optional[TypeRef]) -> object:
    """An element as (qualified name, attributes, text or children), read by its declaration."""
    attributes = dict(element.attrib)
    text = element.text or ""
    if declaration is None:  # the wrapper of a request: its children are the parameters
        raise AssertionError("use canonical_payload")
    kind = resolve(declaration)
    if isinstance(kind, (Scalar, Enumeration, Flags)):
        assert len(element) == 0, etree.tostring(element)
        value: object = _scalar_key(kind, text) if isinstance(kind, Scalar) else text
        return (element.tag, attributes, value)
    assert not text.strip(), etree.tostring(element)
    children: list[object] = []
    if isinstance(kind, Struct):
        by_element = {item.element: item.type for item in kind.fields}
        for child in element:
            children.append(canonical(child, by_element[etree.QName(child).localname]))
    elif isinstance(kind, ArrayOf):
        children = [canonical(child, kind.type) for child in element]
    elif isinstance(kind, DictionaryOf):
        for pair in element:
            key, value_element = list(pair)
            assert etree.QName(key).localname == "Key"
            children.append(
                (pair.tag, key.tag, key.text or "", canonical(value_element, kind.value))
            )
    return (element.tag, attributes, children)


def canonical_payload(wrapper: etree._Element, operation: Operation[..., Any]) -> object:
    by_element = {param.element: param.type for param in operation.params}
    children = [canonical(child, by_element[etree.QName(child).localname]) for child in wrapper]
    return (wrapper.tag, dict(wrapper.attrib), wrapper.text or "", children)


def _body_payload(envelope: etree._Element) -> etree._Element:
    body = envelope.find(f"{{{SOAP11}}}Body")
    assert body is not None
    (payload,) = body
    return payload


# ------------------------------------------------------------------------------------------------
# zeep, on the same WSDL


@dataclass
class _HttpReply:
    """The part of a ``requests.Response`` that zeep's ``SoapBinding.process_reply`` reads."""

    content: bytes
    status_code: int = 200
    encoding: str = "utf-8"
    headers: dict[str, str] = field(default_factory=lambda: dict(HEADERS))


@functools.cache
def _zeep(key: str) -> Any:
    # zeep.Client's __init__ is unannotated; the client and what it holds are used as Any
    client: Any = zeep.Client(str(WSDLS[key]), settings=zeep.Settings(strict=True))  # type: ignore[no-untyped-call]
    return client


def zeep_request(key: str, operation: Operation[..., Any], arguments: Mapping[str, Any]) -> Any:
    client = _zeep(key)
    kwargs = {
        param.element: to_zeep(param.type, arguments[param.name]) for param in operation.params
    }
    return client.create_message(client.service, operation.name, **kwargs)


def zeep_answer(key: str, operation: Operation[..., Any], data: bytes) -> Any:
    client = _zeep(key)
    (binding,) = client.wsdl.bindings.values()
    return binding.process_reply(client, binding.get(operation.name), _HttpReply(data))


# ------------------------------------------------------------------------------------------------
# Requests


def _operation(key: str, name: str) -> Operation[..., Any]:
    found: Operation[..., Any] = module(key).OPERATIONS[name]
    return found


def _arguments(operation: Operation[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({param.name: values(param.type) for param in operation.params})


@pytest.mark.parametrize("case", CASES, ids=_id)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_request_bodies_equal_zeeps(case: tuple[str, str], data: st.DataObject) -> None:
    key, name = case
    operation = _operation(key, name)
    arguments = data.draw(_arguments(operation), label="arguments")
    ours = etree.fromstring(
        build_envelope(operation, arguments, soap_version="1.1", services=services_of(key))
    )
    theirs = zeep_request(key, operation, arguments)
    assert canonical_payload(_body_payload(ours), operation) == canonical_payload(
        _body_payload(theirs), operation
    )


# ------------------------------------------------------------------------------------------------
# Answers


class _Writer:
    """A SOAP 1.1 answer from model values, written with lxml (not with the library's writer):
    each element in the declared order, None left out or, one time in three, written nil."""

    def __init__(self, ns: str, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.ns = ns
        self.draw = draw

    def value(
        self, parent: etree._Element, tag: str, declaration: TypeRef, value: Any, nillable: bool
    ) -> None:
        if value is None:
            if nillable and self.draw(st.integers(0, 2)) == 0:
                etree.SubElement(parent, tag).set(XSI_NIL, "true")
            return
        kind = resolve(declaration)
        element = etree.SubElement(parent, tag)
        if isinstance(kind, Scalar):
            element.text = _lexical(kind, value)
        elif isinstance(kind, Enumeration):
            element.text = value.value
        elif isinstance(kind, Flags):
            element.text = " ".join(_flag_tokens(kind, value))
        elif isinstance(kind, Struct):
            ns = kind.namespace or self.ns
            for item in kind.fields:
                found = None if item.attr is None else getattr(value, item.attr)
                self.value(element, f"{{{ns}}}{item.element}", item.type, found, item.nillable)
        elif isinstance(kind, ArrayOf):
            item_tag = f"{{{kind.namespace or self.ns}}}{kind.item}"
            for item in value:
                self.value(element, item_tag, kind.type, item, False)
        else:
            assert isinstance(kind, DictionaryOf)
            for key, item in value.items():
                pair = etree.SubElement(element, f"{{{self.ns}}}{kind.pair}")
                key_kind = kind.key
                key_text = key if key_kind is None else _lexical(key_kind, key)
                etree.SubElement(pair, f"{{{self.ns}}}Key").text = key_text
                self.value(pair, f"{{{self.ns}}}Value", kind.value, item, True)


def _lexical(kind: Scalar, value: Any) -> str:
    """A value's text, spelled here (not by the library's writers) where the spelling is plain."""
    if kind.name == "boolean":
        return "true" if value else "false"
    if kind.name == "dateTime":
        return str(value.isoformat())
    if kind.name in ("string", "anyURI", "QName"):
        return str(value)
    if kind.name in ("double", "float"):
        return repr(float(value))
    if kind.name == "char":
        return str(ord(value))
    if kind.name == "guid":
        return str(value)
    if isinstance(value, int):
        return str(value)
    return kind.write("answer", value)  # duration, decimal, base64: the library's spelling


def answer_bytes(
    operation: Operation[..., Any], services: str, result: Any, draw: Callable[..., Any]
) -> bytes:
    ns = namespace(services)
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11, "i": XSI})
    body = etree.SubElement(envelope, f"{{{SOAP11}}}Body")
    writer = _Writer(ns, draw)
    wrapper_tag = operation.response_qname(ns)
    if operation.result is None:
        etree.SubElement(body, wrapper_tag)
    elif operation.unwrapped:
        kind = resolve(operation.result)
        assert isinstance(kind, Struct)
        writer.value(body, wrapper_tag, kind, result, False)
    else:
        wrapper = etree.SubElement(body, wrapper_tag)
        tag = f"{{{ns}}}{operation.result_element}"
        writer.value(wrapper, tag, operation.result, result, operation.result_nillable)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def _results(operation: Operation[..., Any]) -> st.SearchStrategy[Any]:
    if operation.result is None:
        return st.none()
    drawn = values(operation.result)
    return st.none() | drawn if operation.result_nillable else drawn


# ---- zeep's reading, mapped to the library's values (see the module docstring)


def zeep_form(declaration: TypeRef, value: Any) -> Any:
    """A value of ours as zeep reads it, in our types: empties None (see the module docstring)."""
    if value is None:
        return None
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        return None if value in ("", b"") and kind.name in ("string", "base64Binary") else value
    if isinstance(kind, Enumeration):
        return value
    if isinstance(kind, Flags):
        return value or None
    if isinstance(kind, Struct):
        fields = {
            item.attr: zeep_form(item.type, getattr(value, item.attr))
            for item in kind.fields
            if item.attr is not None
        }
        return None if all(v is None for v in fields.values()) else kind.model(**fields)
    if isinstance(kind, ArrayOf):
        items = [zeep_form(kind.type, item) for item in value]
        return [item for item in items if item is not None] or None
    assert isinstance(kind, DictionaryOf)
    entries = {key: zeep_form(kind.value, item) for key, item in value.items()}
    entries = {key: item for key, item in entries.items() if item is not None}
    return entries or None


def from_zeep(declaration: TypeRef, value: Any) -> Any:
    """zeep's reading in the library's types (enum members, flags, models, lists, dicts)."""
    if value is None:
        return None
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        if kind.name == "char":
            return chr(value)
        if kind.name == "guid":
            return uuid.UUID(value)
        if kind.name in ("string", "base64Binary") and value in ("", b""):
            return None
        return value
    if isinstance(kind, Enumeration):
        return kind.enum(value)
    if isinstance(kind, Flags):
        assert kind.flag is not None
        members = dict(zip(kind.tokens, kind.flag))
        return _combine(kind.flag, {members[token] for token in value}) or None
    if isinstance(kind, Struct):
        fields = {
            item.attr: from_zeep(item.type, getattr(value, item.element))
            for item in kind.fields
            if item.attr is not None
        }
        return None if all(v is None for v in fields.values()) else kind.model(**fields)
    if isinstance(kind, ArrayOf):
        items = [from_zeep(kind.type, item) for item in getattr(value, kind.item) or []]
        return [item for item in items if item is not None] or None
    assert isinstance(kind, DictionaryOf)
    entries = {}
    for pair in getattr(value, kind.pair) or []:
        entries[pair.Key if pair.Key is not None else ""] = from_zeep(kind.value, pair.Value)
    entries = {key: item for key, item in entries.items() if item is not None}
    return entries or None


def _zeep_result(operation: Operation[..., Any], reply: Any) -> Any:
    """zeep's reply as the answer. zeep gives the whole envelope (``header``, ``body``) when the
    WSDL declares answer headers (NetServer's do), else the body; the body is the wrapper."""
    body = reply
    if isinstance(reply, CompoundValue) and list(reply) == ["header", "body"]:
        body = reply.body
    if operation.result is None:
        assert body is None or all(body[name] is None for name in body), body
        return None
    if operation.unwrapped:
        return from_zeep(operation.result, body)
    if isinstance(body, CompoundValue) and operation.result_element in list(body):
        body = body[operation.result_element]
    return from_zeep(operation.result, body)


@pytest.mark.parametrize("case", CASES, ids=_id)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_answers_read_back_equal_by_both(case: tuple[str, str], data: st.DataObject) -> None:
    key, name = case
    operation = _operation(key, name)
    services = services_of(key)
    result = data.draw(_results(operation), label="result")
    wire = answer_bytes(operation, services, result, data.draw)
    ours = parse_response(operation, 200, HEADERS, wire, services=services)
    expected = result
    if expected is None and isinstance(_kind(operation), ArrayOf):
        expected = []  # an absent or nil array answer reads as an empty list
    assert ours == expected
    theirs = zeep_answer(key, operation, wire)
    assert _zeep_result(operation, theirs) == (
        None if operation.result is None else zeep_form(operation.result, expected)
    )


def _kind(operation: Operation[..., Any]) -> Optional[ValueType]:
    return None if operation.result is None else resolve(operation.result)


def test_the_sample_is_broad() -> None:
    """All of User, Associate and Person, and every fifth of the others, in every WSDL."""
    by_key: dict[str, int] = {}
    for key, _ in CASES:
        by_key[key] = by_key.get(key, 0) + 1
    assert set(by_key) == set(WSDLS)
    assert by_key["Services86/User"] == 79
    assert by_key["Services86/Person"] == 44
    assert by_key["Services86/Associate"] == 7
    for key, count in by_key.items():
        total = len(module(key).OPERATIONS)
        assert count == (total if key in FULL else (total + 4) // 5), key
    assert by_key["Services86/List"] == 52


# ------------------------------------------------------------------------------------------------
# Every declared type, against zeep's view of the same WSDL


def _type_name(kind: ValueType) -> str:
    """The XSD type a declaration stands for, as far as the declaration names it."""
    if isinstance(kind, (Scalar, Struct, Flags)):
        return kind.name
    if isinstance(kind, Enumeration):
        return kind.enum.__name__.rstrip("_")
    return type(kind).__name__


def _check_type(kind: ValueType, theirs: Any, where: str) -> None:
    """One declaration against zeep's type of the same element."""
    local = etree.QName(theirs.qname).localname if theirs.qname is not None else None
    if isinstance(kind, ArrayOf):
        ((item_name, item),) = theirs.elements
        assert item_name == kind.item, where
        assert item.max_occurs == "unbounded", where
        if kind.namespace is not None:
            assert etree.QName(item.qname).namespace == kind.namespace, where
        _check_type(resolve(kind.type), item.type, f"{where}.{item_name}")
    elif isinstance(kind, DictionaryOf):
        ((pair_name, pair),) = theirs.elements
        assert pair_name == kind.pair, where
        entries = dict(pair.type.elements)
        assert list(entries) == ["Key", "Value"], where
        key_name = "string" if kind.key is None else kind.key.name
        assert etree.QName(entries["Key"].type.qname).localname == key_name, where
        _check_type(resolve(kind.value), entries["Value"].type, f"{where}.Value")
    elif isinstance(kind, Flags):  # zeep makes an anonymous xs:list of it (no name, no tokens)
        assert type(theirs).__name__ == "ListType", where
    else:
        assert local == _type_name(kind), (where, local, kind)


def _check_struct(key: str, struct: Struct, target: str) -> bool:
    """A Struct against zeep's complex type of the same name: the same elements, in the same
    order (a base's first), with the same nillable flags and types. False when zeep has no
    type of that name (an answer wrapper the generator names after its element)."""
    namespace_ = struct.namespace or target
    try:
        theirs = _zeep(key).wsdl.types.get_type(f"{{{namespace_}}}{struct.name}")
    except zeep.exceptions.LookupError:
        return False
    elements = theirs.elements
    assert [name for name, _ in elements] == [f.element for f in struct.fields], struct.name
    for field_, (name, element) in zip(struct.fields, elements):
        where = f"{key}: {struct.name}.{name}"
        assert etree.QName(element.qname).namespace == namespace_, where
        # minOccurs 1 (SoPrincipal's DSAParameters) is not modelled: every field is optional
        assert element.max_occurs == 1, where
        assert element.min_occurs in (0, 1), where
        assert field_.nillable is bool(element.nillable), where
        _check_type(resolve(field_.type), element.type, where)
    return True


@pytest.mark.parametrize("key", sorted(WSDLS))
def test_every_declared_type_matches_zeeps_view(key: str) -> None:
    generated = module(key)
    checked = 0
    wrappers = []
    for name in generated.__all__:
        declaration = getattr(generated, name)
        if isinstance(declaration, Struct):
            if _check_struct(key, declaration, namespace(services_of(key))):
                checked += 1
            else:
                wrappers.append(declaration.name)
    assert checked >= 4  # the smallest module (user-credentials) declares 5 structures
    # Only answer wrappers (several children, read unwrapped) have no type of their own.
    unwrapped = {
        _type_name(resolve(op.result))
        for op in generated.OPERATIONS.values()
        if op.unwrapped and op.result is not None
    }
    assert set(wrappers) <= unwrapped
