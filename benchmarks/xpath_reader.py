"""An XPath-driven reader of the GetUntrustedCredentialsForAssociate answer, for comparison only.

The library reads an answer by walking each element's children against a per-type table
(``superoffice_soap/_readers.py``): one pass over the children, one dict lookup per child, the
order, uniqueness, text and nil checks made on the way. This module applies the *same strict
rules* the other way round, the way an XPath-minded design would: compiled ``etree.XPath``
expressions, one per field, select each field's child; further compiled expressions find the
children no field names (unknown elements), the children that come after a later field or
repeat one (order and uniqueness), and text nodes between elements (mixed content). Values go
through the same codecs (``superoffice_soap.xsd``) and failures raise the same ``Problem`` with
the same messages, so ``parse_response`` turns them into the same ``ResponseParseError`` with
the same path.

Only the Body payload reader differs: the safe parse, the envelope, the fault and header checks
are the library's own (``read_envelope``, ``decode_payload``), so a side-by-side timing measures
the design of the payload reader and nothing else. ``benchmarks/bench.py`` times it;
``tests/test_xpath_reader.py`` holds it to returning exactly what the library returns.

On an answer with a single fault both readers name the same one. With several, each reports a
fault, but not always the same: the walk names the first in document order, this reader the
first of its checks (text, unknown element, order, then the fields in schema order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

import attrs
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
)
from superoffice_soap._mask import mask_text
from superoffice_soap._readers import Problem
from superoffice_soap._xml import describe_tag
from superoffice_soap.errors import ResponseParseError
from superoffice_soap.models import FIELD_RIGHT_FLAGS, TABLE_RIGHT_FLAGS
from superoffice_soap.operations import DEFAULT_SERVICES, Operation, namespace
from superoffice_soap.parser import decode_payload, read_envelope
from superoffice_soap.types import RAW
from superoffice_soap.xsd import ScalarError, parse_bool, parse_datetime, parse_int

__all__ = ["parse_credentials_xpath", "read_answer"]

_OPERATION = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
#: The same operation, answered as the payload element itself (read here, not by the library).
_AS_IT_IS: Operation[..., etree._Element] = Operation(
    _OPERATION.service, _OPERATION.name, _OPERATION.params, RAW, retry_safe=True, unwrapped=True
)

OPERATION = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
NS = namespace(DEFAULT_SERVICES)
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_NAMESPACES = {"s": NS}
_EXCERPT_CHARS = 200

Reader = Callable[[etree._Element], Any]


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, namespaces=_NAMESPACES)


#: The text nodes of an element that hold more than XML whitespace. A node of other Unicode
#: whitespace (a no-break space) is selected too; the callers skip it, as the library does.
_TEXT = "text()[normalize-space()]"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"


def _local(element: etree._Element) -> str:
    name: str = etree.QName(element).localname
    return name


def _step(node: etree._Element) -> str:
    """A child's path step, as the library writes it: its name, indexed when not the first."""
    index = 1 + sum(1 for sibling in node.itersiblings(preceding=True) if sibling.tag == node.tag)
    name = _local(node)
    return name if index == 1 else f"{name}[{index}]"


def _is_nil(element: etree._Element, nillable: bool) -> bool:
    """``xsi:nil`` as the library reads it: true/1 (nothing inside), false/0, else an error."""
    nil = element.get(_XSI_NIL)
    if nil is None:
        return False
    nil = nil.strip()
    if nil in ("false", "0"):
        return False
    if nil not in ("true", "1"):
        raise Problem(f"invalid xsi:nil value {nil!r}")
    if len(element) or (element.text and not element.text.isspace()):
        raise Problem("an element marked xsi:nil has content")
    return True


# --------------------------------------------------------------------------------------------
# Simple values (the library's codecs)
# --------------------------------------------------------------------------------------------


def _no_children(element: etree._Element) -> None:
    if len(element):
        raise Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")


def _string(element: etree._Element) -> str:
    _no_children(element)
    return element.text or ""


def _scalar(type_name: str, codec: Callable[[str], Any]) -> Reader:
    def read(element: etree._Element) -> Any:
        _no_children(element)
        text = element.text
        if not text or text.isspace():
            raise Problem(f"empty element where {type_name} is expected")
        try:
            return codec(text)
        except ScalarError as exc:
            raise Problem(str(exc)) from None

    return read


def _token_set(type_name: str, tokens: tuple[str, ...]) -> Reader:
    known = frozenset(tokens)

    def read(element: etree._Element) -> frozenset[str]:
        values = frozenset(_string(element).split())
        if not values <= known:
            raise Problem(f"unknown {type_name} flag {sorted(values - known)[0]!r}")
        return values

    return read


_int = _scalar("xs:int", parse_int)
_bool = _scalar("xs:boolean", parse_bool)
_datetime = _scalar("xs:dateTime", parse_datetime)


# --------------------------------------------------------------------------------------------
# Structures, arrays, dictionaries: the children selected by compiled XPath
# --------------------------------------------------------------------------------------------


@attrs.frozen
class XField:
    """One element of a sequence: wire name, result key, reader, nillable."""

    name: str
    attr: str
    read: Reader
    nillable: bool = True


class XStruct:
    """An xs:sequence of optional elements, in order, each at most once: one compiled XPath per
    field selects its child, and one more finds every violation of the sequence at once."""

    def __init__(self, factory: Callable[..., Any], *fields: XField) -> None:
        self.factory = factory
        names = [field.name for field in fields]
        self.tags = frozenset(f"{{{NS}}}{name}" for name in names)
        known = " or ".join(f"self::s:{name}" for name in names)
        # In document order: stray text; children no field names; children of field i with a
        # sibling of field j >= i before them (repeated, or out of order).
        violations = [_TEXT, f"*[not({known})]" if names else "*"]
        violations += [
            f"s:{name}[preceding-sibling::*[{' or '.join(f'self::s:{n}' for n in names[i:])}]]"
            for i, name in enumerate(names)
        ]
        self.violations = _xpath(" | ".join(violations))
        self.fields = [
            (_xpath(f"s:{field.name}"), field.attr, field.read, field.nillable, field.name)
            for field in fields
        ]
        # Absent elements read as None, never as the model's default (as the library); a
        # dictionary entry (a plain function) sees only what is there.
        self.absent: dict[str, Any] = (
            {field.attr: None for field in fields}
            if isinstance(factory, type) and attrs.has(factory)
            else {}
        )

    def __call__(self, element: etree._Element) -> Any:
        for node in self.violations(element):
            if isinstance(node, str):
                if node.isspace():
                    continue
                if node.is_tail:  # type: ignore[attr-defined]  # lxml's smart string
                    parent = node.getparent()  # type: ignore[attr-defined]
                    raise Problem(f"unexpected text {_excerpt(node)!r} after {_local(parent)}")
                raise Problem(f"unexpected text {_excerpt(node)!r}")
            if node.tag in self.tags:
                problem = Problem(f"element {_local(node)} is repeated or out of order")
            else:
                problem = Problem(f"unexpected element {describe_tag(node.tag)}")
            problem.segments.append(_step(node))
            raise problem
        values = self.absent.copy()
        for select, attr, read, nillable, name in self.fields:
            found = select(element)
            if not found:
                continue
            child = found[0]
            try:
                values[attr] = None if _is_nil(child, nillable) else read(child)
            except Problem as problem:
                problem.segments.append(name)
                raise
        return self.factory(**values)


class XArray:
    """A WCF array: 0..n nillable ``item`` elements selected by one XPath (one more finds stray
    text and other elements); nil items are skipped."""

    def __init__(self, item: str, read: Reader) -> None:
        self.item = item
        self.read = read
        self.violations = _xpath(f"{_TEXT} | *[not(self::s:{item})]")
        self.items = _xpath(f"s:{item}")

    def __call__(self, element: etree._Element) -> list[Any]:
        for node in self.violations(element):
            if isinstance(node, str):
                if node.isspace():
                    continue
                problem = Problem(f"unexpected text {_excerpt(node)!r}")
                if node.is_tail:  # type: ignore[attr-defined]  # after an item: the path names it
                    item = node.getparent()  # type: ignore[attr-defined]
                    problem.segments.append(f"{self.item}[{element.index(item) + 1}]")
                raise problem
            problem = Problem(f"unexpected element {describe_tag(node.tag)}")
            problem.segments.append(_step(node))
            raise problem
        result: list[Any] = []
        for position, item in enumerate(self.items(element), 1):
            try:
                if not _is_nil(item, True):
                    result.append(self.read(item))
            except Problem as problem:
                problem.segments.append(f"{self.item}[{position}]")
                raise
        return result


class XDictionary:
    """A WCF dictionary: 0..n ``pair{Key, Value}`` selected by one XPath; a duplicate or missing
    key is an error, a nil Value drops the entry."""

    def __init__(self, pair: str, read_value: Reader) -> None:
        self.pair = pair
        self.entry = XStruct(
            lambda **kv: (kv.get("key"), kv.get("value"), "value" in kv),
            XField("Key", "key", _string),
            XField("Value", "value", read_value),
        )
        # The text before the first pair here; the text after each pair (its tail) with the pair,
        # so that the error names it as the library's does.
        self.violations = _xpath(f"{_TEXT}[not(preceding-sibling::*)] | *[not(self::s:{pair})]")
        self.pairs = _xpath(f"s:{pair}")

    def __call__(self, element: etree._Element) -> dict[str, Any]:
        for node in self.violations(element):
            if isinstance(node, str):
                if node.isspace():
                    continue
                raise Problem(f"unexpected text {_excerpt(node)!r}")
            problem = Problem(f"unexpected element {describe_tag(node.tag)}")
            problem.segments.append(_step(node))
            raise problem
        result: dict[str, Any] = {}
        for position, pair in enumerate(self.pairs(element), 1):
            try:
                tail = pair.tail
                if tail and not tail.isspace():
                    raise Problem(f"unexpected text {_excerpt(tail)!r}")
                key, value, present = self.entry(pair)
                if key is None:
                    raise Problem("a dictionary entry without a Key")
                if key in result:
                    raise Problem(f"duplicate key {key!r}")
                if not present:
                    raise Problem(f"dictionary entry {key!r} has no Value")
                if value is not None:
                    result[key] = value
            except Problem as problem:
                problem.segments.append(f"{self.pair}[{position}]")
                raise
        return result


# --------------------------------------------------------------------------------------------
# The answer
# --------------------------------------------------------------------------------------------

_TABLE_RIGHT = XStruct(
    TableRight,
    XField("Mask", "mask", _token_set("ETableRight", TABLE_RIGHT_FLAGS), nillable=False),
    XField("Reason", "reason", _string),
)
_FIELD_RIGHT = XStruct(
    FieldRight,
    XField("Mask", "mask", _token_set("EFieldRight", FIELD_RIGHT_FLAGS), nillable=False),
    XField("Reason", "reason", _string),
)
_FIELD_PROPERTY = XStruct(
    FieldProperty,
    XField("FieldRight", "field_right", _FIELD_RIGHT),
    XField("FieldType", "field_type", _string),
    XField("FieldLength", "field_length", _int, nillable=False),
)
_CREDENTIALS = XStruct(
    UntrustedCredentials,
    XField("TableRight", "table_right", _TABLE_RIGHT),
    XField(
        "FieldProperties",
        "field_properties",
        XDictionary("FieldPropertyDictionaryKeyValuePair", _FIELD_PROPERTY),
    ),
    XField("ValidFrom", "valid_from", _datetime, nillable=False),
    XField("ValidTo", "valid_to", _datetime, nillable=False),
    XField("Comment", "comment", _string),
    XField("SecretValue", "secret_value", _string),
    XField("PublicValue", "public_value", _string),
    XField("IsActive", "is_active", _bool, nillable=False),
)
_WRAPPER = XStruct(dict, XField("Response", "value", XArray("UntrustedCredentials", _CREDENTIALS)))


def read_answer(element: etree._Element) -> list[UntrustedCredentials]:
    """The ``GetUntrustedCredentialsForAssociateResponse`` payload → its credentials (an absent
    or nil Response → [])."""
    value: Optional[list[UntrustedCredentials]] = _WRAPPER(element).get("value")
    return [] if value is None else value


def parse_credentials_xpath(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    redact: Iterable[Optional[str]] = (),
) -> list[UntrustedCredentials]:
    """``parse_response(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, …)`` with this module reading
    the payload: the same envelope, fault and header handling, the same errors."""
    secrets = tuple(redact)
    envelope = read_envelope(status_code, headers, content, redact=secrets)
    # The library's envelope, fault and header checks, then this module's reading of the payload.
    payload = decode_payload(envelope, _AS_IT_IS, NS, redact=secrets)
    try:
        result = read_answer(payload)
    except Problem as problem:
        name = OPERATION.response_qname(NS).rpartition("}")[2]
        raise ResponseParseError(
            mask_text(problem.message, secrets), path=problem.path(f"Body/{name}")
        ) from None
    return result
