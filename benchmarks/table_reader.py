"""The table walk: how the library read answers before its readers were written as code per
declaration (``superoffice_soap/_readers.py``), kept as the reference they are held to.

A ``types.Struct`` becomes a table, element tag → (position, attribute, reader, nillable), and
one generic loop walks an element's children against it: every child must be in the table, in
schema order, at most once; text is allowed only in simple values; ``xsi:nil`` (on any element,
and then without content) reads as None, as an absent element does. A failure raises the
library's ``Problem`` with the same messages, so ``parse_table_walk`` turns it into the same
ResponseParseError with the same path.

Only the Body payload reader differs: the safe parse, the envelope, the fault and header checks
are the library's own (``read_envelope``, ``decode_payload``), as for the XPath reader.
``tests/test_readers.py`` holds the library to returning exactly what this returns (values,
errors, messages, paths); ``benchmarks/bench.py`` times the two side by side.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

import attrs
from lxml import etree

from superoffice_soap._mask import mask_text
from superoffice_soap._namespaces import XSI_NIL
from superoffice_soap._readers import Problem
from superoffice_soap._xml import describe_tag, excerpt
from superoffice_soap.errors import ResponseParseError
from superoffice_soap.operations import DEFAULT_SERVICES, Operation, namespace
from superoffice_soap.parser import decode_payload, read_envelope
from superoffice_soap.types import (
    RAW,
    STRING,
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
)
from superoffice_soap.xsd import ScalarError

__all__ = ["parse_table_walk", "reader"]

Decoder = Callable[[etree._Element], Any]


NS = namespace(DEFAULT_SERVICES)

_COMPILED: weakref.WeakKeyDictionary[ValueType, dict[str, Decoder]] = weakref.WeakKeyDictionary()


def reader(ref: TypeRef, ns: str) -> Decoder:
    """The reader of a declared type in the Services namespace ``ns`` (compiled once)."""
    declaration = resolve(ref)
    per_namespace = _COMPILED.get(declaration)
    if per_namespace is None:
        per_namespace = _COMPILED[declaration] = {}
    found = per_namespace.get(ns)
    if found is None:
        found = _compile(declaration, ns, per_namespace)
    return found


def _compile(declaration: ValueType, ns: str, cache: dict[str, Decoder]) -> Decoder:
    decode: Decoder
    if isinstance(declaration, Struct):
        struct = _StructReader(declaration.namespace or ns, declaration.model)
        cache[ns] = struct  # before its fields: a type may contain itself
        struct.define(declaration, ns)
        return struct
    if isinstance(declaration, Scalar):
        # text as it is (strings): read without a call to the parse function
        decode = _string if declaration.parse is STRING.parse else _scalar(declaration)
    elif isinstance(declaration, Enumeration):
        decode = _enumeration(declaration)
    elif isinstance(declaration, Flags):
        decode = _flags(declaration)
    elif isinstance(declaration, ArrayOf):
        decode = _array(declaration, ns)
    elif isinstance(declaration, DictionaryOf):
        decode = _dictionary(declaration, ns)
    elif isinstance(declaration, Raw):
        decode = _raw
    else:  # pragma: no cover - resolve() admits nothing else
        raise TypeError(f"not a value type: {declaration!r}")
    cache[ns] = decode
    return decode


# ------------------------------------------------------------------------------------------------
# Structs: the hot loop of every answer


class _StructReader:
    """An xs:sequence of optional elements, in order, each at most once, built by ``model``."""

    __slots__ = ("_absent", "_drop", "_fill_absent", "_model", "_ns", "_table")
    _absent: dict[Optional[str], Any]

    def __init__(self, ns: str, model: Callable[..., Any], *, fill_absent: bool = True) -> None:
        self._ns = ns
        self._model = model
        self._table: dict[str, tuple[int, Optional[str], Decoder, bool, str]] = {}
        self._absent = {}
        self._drop = False
        self._fill_absent = fill_absent

    def define(self, declaration: Struct, call_ns: str) -> None:
        """Compile the fields (separate from ``__init__`` so that a type can contain itself)."""
        self._table = {
            f"{{{self._ns}}}{field.element}": (
                position,
                field.attr,
                reader(field.type, call_ns),
                field.nillable,
                field.element,
            )
            for position, field in enumerate(declaration.fields)
        }
        self._drop = any(field.attr is None for field in declaration.fields)
        # A model is built from what was on the wire: an absent element is None, never the
        # model's default (UntrustedCredentials.is_active defaults to True, for writing).
        if self._fill_absent:
            self._absent = {
                field.attr: None for field in declaration.fields if field.attr is not None
            }

    def __call__(self, element: etree._Element) -> Any:
        # _is_nil's common case is inlined, and each field is one tuple.
        text = element.text
        if text and not text.isspace():
            raise Problem(f"unexpected text {excerpt(text)!r}")
        table = self._table
        absent = self._absent
        values: dict[Optional[str], Any] = absent.copy()
        last = -1
        for child in element:
            entry = table.get(child.tag)
            if entry is None:
                problem = Problem(f"unexpected element {describe_tag(child.tag)}")
                problem.segments.append(_step(child))
                raise problem
            position, attr, decode, nillable, name = entry
            if position <= last:
                problem = Problem(f"element {name} is repeated or out of order")
                problem.segments.append(_step(child))
                raise problem
            last = position
            tail = child.tail
            if tail and not tail.isspace():
                raise Problem(f"unexpected text {excerpt(tail)!r} after {name}")
            try:
                if child.keys() and child.get(XSI_NIL) is not None and _is_nil(child, nillable):
                    value = None
                else:
                    value = decode(child)
            except Problem as problem:
                problem.segments.append(name)
                raise
            values[attr] = value
        if self._drop:
            values.pop(None, None)  # fields declared with attr=None: checked, not kept
        return self._model(**values)  # type: ignore[arg-type]  # the None key is gone


# ------------------------------------------------------------------------------------------------
# Collections


def _array(declaration: ArrayOf, ns: str) -> Decoder:
    """A WCF array: 0..n nillable items; a nil item carries nothing and is skipped."""
    item_name = declaration.item
    item_tag = f"{{{declaration.namespace or ns}}}{item_name}"
    decode_item = reader(declaration.type, ns)
    into = declaration.into

    def decode(element: etree._Element) -> Any:
        _no_text(element)
        items: list[Any] = []
        for position, child in enumerate(element, 1):
            if child.tag != item_tag:
                problem = Problem(f"unexpected element {describe_tag(child.tag)}")
                problem.segments.append(_step(child))
                raise problem
            try:
                _no_tail(child)
                if child.keys() and child.get(XSI_NIL) is not None and _is_nil(child, True):
                    continue
                items.append(decode_item(child))
            except Problem as problem:
                problem.segments.append(f"{item_name}[{position}]")
                raise
        return items if into is list else into(items)

    return decode


def _entry(**values: Any) -> tuple[Optional[str], Any, bool]:
    """A dictionary entry: its key, its value, and whether a Value element was there."""
    return values.get("key"), values.get("value"), "value" in values


def _dictionary(declaration: DictionaryOf, ns: str) -> Decoder:
    """A WCF dictionary: 0..n ``pair{Key, Value}``; a duplicate or nil key is an error.

    A nil value carries nothing and is skipped, so the mapping's values keep their type.
    """
    pair_name = declaration.pair
    pair_tag = f"{{{ns}}}{pair_name}"
    # A pair is read without filling in absent elements, so that a missing Value shows.
    pair = _StructReader(ns, _entry, fill_absent=False)
    pair.define(
        Struct(
            pair_name,
            _entry,
            (
                Field("Key", "key", declaration.key or STRING),
                Field("Value", "value", declaration.value),
            ),
        ),
        ns,
    )

    def decode(element: etree._Element) -> dict[Any, Any]:
        _no_text(element)
        result: dict[Any, Any] = {}
        for position, child in enumerate(element, 1):
            if child.tag != pair_tag:
                problem = Problem(f"unexpected element {describe_tag(child.tag)}")
                problem.segments.append(_step(child))
                raise problem
            try:
                _no_tail(child)
                key, value, present = pair(child)
                if key is None:
                    raise Problem("a dictionary entry without a Key")
                if key in result:
                    raise Problem(f"duplicate key {key!r}")
                if not present:
                    raise Problem(f"dictionary entry {key!r} has no Value")
                if value is not None:
                    result[key] = value
            except Problem as problem:
                problem.segments.append(f"{pair_name}[{position}]")
                raise
        return result

    return decode


# ------------------------------------------------------------------------------------------------
# Simple values: the one text rule and the one nil rule


def _string(element: etree._Element) -> str:
    """The text of an element that must hold no elements (``""`` when empty): a string's value,
    and the text every other simple value is read from."""
    if len(element):
        raise Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")
    return element.text or ""


def _scalar(declaration: Scalar) -> Decoder:
    parse, empty, name = declaration.parse, declaration.empty, declaration.name

    def decode(element: etree._Element) -> Any:
        text = _string(element)
        if not empty and (not text or text.isspace()):
            raise Problem(f"empty element where xs:{name} is expected")
        try:
            return parse(text)
        except ScalarError as exc:
            raise Problem(str(exc)) from None

    return decode


def _flags(declaration: Flags) -> Decoder:
    """An xs:list of enumeration tokens (a .NET flags enum); empty means no flags."""
    known = frozenset(declaration.tokens)
    name = declaration.name
    flag = declaration.flag

    def decode(element: etree._Element) -> frozenset[str]:
        values = frozenset(_string(element).split())
        if not values <= known:
            raise Problem(f"unknown {name} flag {sorted(values - known)[0]!r}")
        return values

    if flag is None:
        return decode
    members = dict(zip(declaration.tokens, flag.__members__.values()))
    nothing = flag(0)

    def decode_flag(element: etree._Element) -> Any:
        value = nothing
        for token in decode(element):
            value |= members[token]
        return value

    return decode_flag


def _enumeration(declaration: Enumeration) -> Decoder:
    """An xs:string enumeration → its Python enum member; an unknown value is an error."""
    members = {member.value: member for member in declaration.enum}
    name = declaration.name

    def decode(element: etree._Element) -> Any:
        text = _string(element).strip(" \t\r\n")
        member = members.get(text)
        if member is None:
            raise Problem(f"unknown {name} value {excerpt(text)!r}")
        return member

    return decode


def _raw(element: etree._Element) -> etree._Element:
    return element


def _is_nil(element: etree._Element, nillable: bool) -> bool:
    nil = element.get(XSI_NIL)
    if nil is None:
        return False
    nil = nil.strip()
    if nil in ("false", "0"):
        return False
    if nil not in ("true", "1"):
        raise Problem(f"invalid xsi:nil value {nil!r}")
    # ``nillable`` is not enforced: xsi:nil is "no value" on any element, as for an absent one.
    # NetServer's serializer never writes it where the schema forbids it, but the documentation's
    # example answers do, at their recursion cut-off (GetPersonEntity's third-level Id).
    if len(element) or (element.text and not element.text.isspace()):
        raise Problem("an element marked xsi:nil has content")
    return True


def _no_text(element: etree._Element) -> None:
    text = element.text
    if text and not text.isspace():
        raise Problem(f"unexpected text {excerpt(text)!r}")


def _no_tail(element: etree._Element) -> None:
    tail = element.tail
    if tail and not tail.isspace():
        raise Problem(f"unexpected text {excerpt(tail)!r}")


def _step(child: etree._Element) -> str:
    """The path step of a child: its local name, with its XPath index when it is not the first
    of its name (``IsActive[2]``)."""
    tag = child.tag
    local = etree.QName(tag).localname if isinstance(tag, str) else str(tag)
    index = 1
    sibling = child.getprevious()
    while sibling is not None:
        if sibling.tag == tag:
            index += 1
        sibling = sibling.getprevious()
    return local if index == 1 else f"{local}[{index}]"


# ------------------------------------------------------------------------------------------------
# A whole answer, its payload read by the table walk


def _nothing() -> None:
    return None


_EMPTY = Struct("Empty", _nothing, ())


def _answer_reader(operation: Operation[..., Any], ns: str) -> Decoder:
    """The reader of an operation's ``<Name>Response`` wrapper, as ``parser`` builds it."""
    if operation.result is None:
        return reader(_EMPTY, ns)
    if operation.unwrapped:
        return reader(operation.result, ns)
    result = resolve(operation.result)
    child = operation.result_element
    wrapper = reader(
        Struct(f"{operation.name}Response", dict, (Field(child, "value", result),)), ns
    )
    may_be_none = operation.result_nillable or isinstance(result, Raw)

    def decode(element: etree._Element) -> Any:
        value = wrapper(element).get("value")
        if value is not None:
            return value
        if isinstance(result, ArrayOf):
            return result.into([])
        if may_be_none:
            return None
        raise Problem(f"the answer holds no {child}")

    return decode


_ANSWERS: dict[tuple[int, str], tuple[Operation[..., Any], Decoder]] = {}


def parse_table_walk(
    operation: Operation[..., Any],
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    ns: str = NS,
    redact: Iterable[Optional[str]] = (),
) -> Any:
    """``parse_response(operation, …)`` with the table walk reading the payload: the library's
    envelope, fault and header handling, the same errors."""
    secrets = tuple(redact)
    envelope = read_envelope(status_code, headers, content, redact=secrets)
    as_it_is = attrs.evolve(operation, result=RAW, unwrapped=True, signature=None)
    payload = decode_payload(envelope, as_it_is, ns, redact=secrets)
    key = (id(operation), ns)
    found = _ANSWERS.get(key)
    if found is None or found[0] is not operation:
        found = _ANSWERS[key] = (operation, _answer_reader(operation, ns))
    try:
        result = found[1](payload)
    except Problem as problem:
        name = operation.response_qname(ns).rpartition("}")[2]
        raise ResponseParseError(
            mask_text(problem.message, [s for s in secrets if s]), path=problem.path(f"Body/{name}")
        ) from None
    refusal = operation.refused(result) if operation.refused is not None else None
    if refusal is not None:
        raise operation.error_class(exception_type=None, message=refusal)
    return result
