"""Strict readers: declarations (``types``) compiled into functions from elements to values.

How an answer is read. Each ``types.Struct`` gets a reader written as Python source for it,
once, from its declaration (the way attrs writes a class's ``__init__``): one loop over the
element's children tries the fields in schema order, each compared with a constant tag, its value
read by code chosen for its type (a string's text inline, a scalar's parse function, a nested
type's own reader), the model called with keyword arguments. The rules are those of a table
walk: every child must be a field, in schema order, at most once; text is allowed only in simple
values; ``xsi:nil`` (on any element, and then without content) reads as None, as an absent
element does. A failure raises ``Problem``, which collects the element path on its way up so that
the final ResponseParseError names it, 1-based as XPath counts
(``Response/UntrustedCredentials[2]/IsActive``). Paths are built only on failure.

The table walk these readers replaced is kept as the reference they are held to
(``benchmarks/table_reader.py``, ``tests/test_readers.py``: the same values, the same first
failure, message and path on every reference answer and each of its one-change mutants).
Walking the children once beats compiled XPath for this (measured in BENCHMARKS.md).

Tags embed the Services namespace, so a declaration is compiled once per namespace it is read in,
on first use, and kept as long as the declaration lives. Nothing here does I/O, and nothing here
decides what a failure means for the caller (an AuthenticationSucceeded=false, say): that is the
session's business.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import re
import threading
import weakref
from typing import Any, Callable, Optional

from lxml import etree

from ._namespaces import XSI_NIL
from ._xml import describe_tag, excerpt
from .types import (
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
from .xsd import ScalarError

__all__ = ["Decoder", "Problem", "read_field", "reader"]

Decoder = Callable[[etree._Element], Any]


class Problem(Exception):
    """A reading failure on its way up; each level adds its element name to ``segments``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str] = []

    def path(self, prefix: str) -> str:
        """The element path, below ``prefix``."""
        return "/".join([prefix, *reversed(self.segments)])


_COMPILED: weakref.WeakKeyDictionary[ValueType, dict[str, Decoder]] = weakref.WeakKeyDictionary()
#: Held while readers are compiled. Readers compiled together (a type and the types it reaches)
#: are published at once when the outermost compilation ends, so that no other thread ever finds
#: one that reaches a type still being compiled (a type that contains itself).
_LOCK = threading.RLock()
_SERIAL = itertools.count(2)
_staging: list[dict[tuple[ValueType, str], Decoder]] = []


def reader(ref: TypeRef, ns: str) -> Decoder:
    """The reader of a declared type in the Services namespace ``ns`` (compiled once)."""
    declaration = resolve(ref)
    per_namespace = _COMPILED.get(declaration)
    if per_namespace is not None:
        found = per_namespace.get(ns)
        if found is not None:
            return found
    with _LOCK:
        return _compiled(declaration, ns)


def _compiled(declaration: ValueType, ns: str) -> Decoder:
    """``reader``'s slow path, under the lock."""
    published = _COMPILED.get(declaration, {}).get(ns)
    if published is not None:
        return published
    if _staging:  # inside the compilation of a type that reaches this one
        staged = _staging[0]
        return staged.get((declaration, ns)) or _compile(declaration, ns, staged)
    staged = {}
    _staging.append(staged)
    try:
        found = _compile(declaration, ns, staged)
    finally:
        _staging.pop()
    for (each, namespace), function in staged.items():
        per_namespace = _COMPILED.get(each)
        if per_namespace is None:
            per_namespace = _COMPILED[each] = {}
        per_namespace[namespace] = function
    return found


def _compile(
    declaration: ValueType, ns: str, staged: dict[tuple[ValueType, str], Decoder]
) -> Decoder:
    decode: Decoder
    if isinstance(declaration, Struct):
        return _struct(declaration, ns, staged)
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
    staged[(declaration, ns)] = decode
    return decode


# ------------------------------------------------------------------------------------------------
# Structs: the hot loop of every answer, written as Python source once per declaration


class _Pending:
    """The reader of a struct whose fields are still being compiled (a type that contains
    itself): calls through to the finished reader."""

    __slots__ = ("function",)

    function: Decoder

    def __call__(self, element: etree._Element) -> Any:
        return self.function(element)


def _struct(declaration: Struct, ns: str, staged: dict[tuple[ValueType, str], Decoder]) -> Decoder:
    pending = _Pending()
    staged[(declaration, ns)] = pending  # before its fields: a type may contain itself
    # A model is built from what was on the wire: an absent element is None, never the
    # model's default (UntrustedCredentials.is_active defaults to True, for writing).
    function = _struct_reader(declaration, declaration.namespace or ns, ns, fill_absent=True)
    pending.function = staged[(declaration, ns)] = function
    return function


def _struct_reader(declaration: Struct, tag_ns: str, call_ns: str, *, fill_absent: bool) -> Decoder:
    """A function reading an element into ``declaration.model``, written for this declaration.

    The rules are those of one table walk over the children: every child must be a field, in
    schema order, at most once; no text between them; ``xsi:nil`` (or absence) reads None. The
    function tries the fields in schema order, each once: a child that matches none of the fields
    after the last one read is unknown (not a field at all) or repeated / out of order. The first
    failure in document order is the one raised, with the same message and path as ever.
    """
    # The walk's table: tag → the last field of that name (a later duplicate wins there too).
    table = {
        f"{{{tag_ns}}}{field.element}": position
        for position, field in enumerate(declaration.fields)
    }
    fields = [(position, declaration.fields[position]) for position in sorted(table.values())]
    names = {tag: declaration.fields[position].element for tag, position in table.items()}
    attrs_ = [field.attr for field in declaration.fields if field.attr is not None]
    by_keyword = (
        fill_absent
        and len(set(attrs_)) == len(attrs_)
        and all(attr.isidentifier() and not keyword.iskeyword(attr) for attr in attrs_)
    )
    namespace: dict[str, Any] = {
        "Problem": Problem,
        "ScalarError": ScalarError,
        "_is_nil": _is_nil,
        "_misplaced": _misplaced,
        "_not_simple": _not_simple,
        "_text_after": _text_after,
        "_text_problem": _text_problem,
        "_model": declaration.model,
        "_names": names,
        "_absent": {attr: None for attr in attrs_} if fill_absent else {},
    }
    lines = [
        "def read(element):",
        "    text = element.text",
        "    if text and not text.isspace():",
        "        raise _text_problem(text)",
    ]
    if by_keyword:
        lines += [
            f"    v{position} = None"
            for position, field in enumerate(declaration.fields)
            if field.attr is not None
        ]
    else:
        lines.append("    values = _absent.copy()")
    lines += ["    state = 0", "    for child in element:", "        tag = child.tag"]
    for rank, (position, field) in enumerate(fields):
        tag = f"{{{tag_ns}}}{field.element}"
        keyword_ = "if" if rank == 0 else "elif"
        if field.attr is None:
            target = "_"  # read and checked, kept nowhere
        elif by_keyword:
            target = f"v{position}"
        else:
            target = f"values[{field.attr!r}]"
        lines += [
            f"        {keyword_} state <= {rank} and tag == {tag!r}:",
            f"            state = {rank + 1}",
            "            tail = child.tail",
            "            if tail and not tail.isspace():",
            f"                raise _text_after(tail, {field.element!r})",
            "            try:",
            f"                if child.keys() and _is_nil(child, {field.nillable!r}):",
            f"                    {target} = None",
            "                else:",
            *_decode_lines(field, position, call_ns, target, namespace, "                    "),
            "            except Problem as problem:",
            f"                problem.segments.append({field.element!r})",
            "                raise",
        ]
    if fields:
        lines += ["        else:", "            raise _misplaced(child, _names)"]
    else:
        lines += ["        raise _misplaced(child, _names)"]
    if by_keyword:
        arguments = ", ".join(
            f"{field.attr}=v{position}"
            for position, field in enumerate(declaration.fields)
            if field.attr is not None
        )
        lines.append(f"    return _model({arguments})")
    else:
        lines.append("    return _model(**values)")
    source = "\n".join(lines) + "\n"
    lines = source.splitlines(True)
    filename = f"<reader of {declaration.name} in {{{tag_ns}}}>"
    if linecache.getlines(filename) not in ([], lines):  # another declaration of the same name
        filename = f"<reader of {declaration.name} in {{{tag_ns}}} ({next(_SERIAL)})>"
    # Our own source from the declaration, never text from the wire (as attrs writes __init__).
    exec(compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, lines, filename)
    function: Decoder = namespace["read"]
    function.__name__ = function.__qualname__ = f"read_{_identifier(declaration.name)}"
    return function


def _decode_lines(
    field: Field, position: int, call_ns: str, target: str, namespace: dict[str, Any], indent: str
) -> list[str]:
    """The statements that read ``child``'s value into ``target``."""
    declaration = resolve(field.type)
    if isinstance(declaration, Scalar) and declaration.parse is STRING.parse:
        return [
            f"{indent}if len(child):",
            f"{indent}    raise _not_simple(child)",
            f"{indent}{target} = child.text or ''",
        ]
    if isinstance(declaration, Scalar):
        namespace[f"_parse{position}"] = declaration.parse
        lines = [
            f"{indent}if len(child):",
            f"{indent}    raise _not_simple(child)",
            f"{indent}text = child.text or ''",
        ]
        if not declaration.empty:
            lines += [
                f"{indent}if not text or text.isspace():",
                f"{indent}    raise Problem({f'empty element where xs:{declaration.name} is expected'!r})",
            ]
        return [
            *lines,
            f"{indent}try:",
            f"{indent}    {target} = _parse{position}(text)",
            f"{indent}except ScalarError as exc:",
            f"{indent}    raise Problem(str(exc)) from None",
        ]
    namespace[f"_read{position}"] = reader(field.type, call_ns)
    return [f"{indent}{target} = _read{position}(child)"]


def _identifier(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    return cleaned if cleaned.isidentifier() else f"_{cleaned}"


def _text_problem(text: str) -> Problem:
    return Problem(f"unexpected text {excerpt(text)!r}")


def _text_after(tail: str, name: str) -> Problem:
    return Problem(f"unexpected text {excerpt(tail)!r} after {name}")


def _not_simple(element: etree._Element) -> Problem:
    return Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")


def _misplaced(child: etree._Element, names: dict[str, str]) -> Problem:
    """The failure of a child that no field after the last one read accepts."""
    name = names.get(child.tag) if isinstance(child.tag, str) else None
    if name is None:
        problem = Problem(f"unexpected element {describe_tag(child.tag)}")
    else:
        problem = Problem(f"element {name} is repeated or out of order")
    problem.segments.append(_step(child))
    return problem


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
        append = items.append
        for position, child in enumerate(element, 1):
            if child.tag != item_tag:
                problem = Problem(f"unexpected element {describe_tag(child.tag)}")
                problem.segments.append(_step(child))
                raise problem
            try:
                tail = child.tail
                if tail and not tail.isspace():
                    raise _text_problem(tail)
                if child.keys() and _is_nil(child, True):
                    continue
                append(decode_item(child))
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
    pair = _struct_reader(
        Struct(
            pair_name,
            _entry,
            (
                Field("Key", "key", declaration.key or STRING),
                Field("Value", "value", declaration.value),
            ),
        ),
        ns,
        ns,
        fill_absent=False,
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


def read_field(element: etree._Element, decode: Decoder, nillable: bool, name: str) -> Any:
    """One element read on its own (a header block): None when it is nil, else its value; a
    failure's path names it."""
    try:
        if element.get(XSI_NIL) is not None and _is_nil(element, nillable):
            return None
        return decode(element)
    except Problem as problem:
        problem.segments.append(name)
        raise
