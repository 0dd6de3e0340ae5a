"""Operations of any NetServer service, served from the service's WSDL with the answers a test sets.

``FakeNetServer.serve_wsdl`` reads a WSDL with ``superoffice_soap._wsdl``, a reader of the
document itself that knows nothing of the client's declarations or of generated modules. This
module turns what it read into what the stand-in checks and writes:

- **requests** are read against the operation's request wrapper as the WSDL declares it: the
  children's names, namespaces, order, occurrence (``minOccurs``), nillability and XSD types,
  nested types, arrays and dictionaries included; anything else is a ``RequestError`` (a Client
  fault), as for the built-in operations. What was read is kept as plain data: a struct as a dict
  keyed by the snake_case of its element names, an array as a list, a dictionary as a dict, an
  enumeration as its token, flags as a tuple of tokens, scalars as Python values;
- **answers** are written from a Python value by walking the WSDL's answer element, with this
  module's own writer: a struct's elements come from the value's attributes named as the elements
  in snake_case (``UserInfoId`` → ``user_info_id``, a keyword gets a trailing underscore), or from
  a mapping by element name or snake_case name. An attribute or key the value does not have leaves
  its element out; None is ``i:nil`` where the schema allows it and leaves a value type's element
  out (the reader then sees None); a value the type cannot hold is a ``ValueError`` naming its
  path, raised when the answer is set.

Elements of the WSDL's own namespace are read and written in the stand-in's Services namespace,
so a Services86 WSDL serves a Services88 stand-in too. Nothing here builds XML by string
formatting, and a value whose element name says it is secret is never quoted in a fault.
"""

from __future__ import annotations

import base64
import decimal
import enum
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Callable, Optional

import attrs
from lxml import etree

from .._codegen_types import attribute_name
from .._namespaces import MS_SERIALIZATION, XSD, XSI_NIL
from .._wsdl import QN, ComplexDecl, ElementDecl, SimpleDecl, Wsdl
from ..xsd import (
    ScalarError,
    format_datetime,
    integer_parser,
    parse_base64,
    parse_bool,
    parse_char,
    parse_datetime,
    parse_decimal,
    parse_double,
    parse_duration,
    parse_float,
    parse_guid,
    parse_qname,
)
from ._wire import (
    RequestError,
    clark_name,
    element_children,
    is_nil,
    namespace_hint,
    quote,
    simple_text,
)

__all__ = [
    "DescribedOperation",
    "Description",
    "python_name",
    "python_names",
    "read_request",
    "shown_type",
    "write_answer",
]

_SECRET_NAME = re.compile(r"Password|Secret|Ticket\Z|Token\Z", re.IGNORECASE)
_XML_WS = " \t\r\n"
_INTEGERS = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
}
_TEXTS = frozenset({"string", "anyURI"})
#: XSD (and .NET serialization) simple types the stand-in reads, by qualified name → parser.
_PARSERS: dict[QN, Callable[[str], object]] = {
    **{(XSD, name): integer_parser(name) for name in _INTEGERS},
    **{(XSD, name): str for name in _TEXTS},
    (XSD, "boolean"): parse_bool,
    (XSD, "double"): parse_double,
    (XSD, "float"): parse_float,
    (XSD, "decimal"): parse_decimal,
    (XSD, "dateTime"): parse_datetime,
    (XSD, "duration"): parse_duration,
    (XSD, "base64Binary"): parse_base64,
    (XSD, "QName"): parse_qname,
    (MS_SERIALIZATION, "duration"): parse_duration,
    (MS_SERIALIZATION, "guid"): parse_guid,
    (MS_SERIALIZATION, "char"): parse_char,
}


def python_name(element: str) -> str:
    """The attribute a generated model has for ``element`` (and the keyword of a parameter):
    ``UserInfoId`` → ``user_info_id``, ``EMail`` → ``e_mail``, ``URLAddress`` → ``url_address``,
    ``From`` → ``from_``, ``Float`` → ``float_``: the generator's own naming rule."""
    return attribute_name(element)


def python_names(elements: Sequence[ElementDecl]) -> list[str]:
    """The attributes of a sequence's elements, in order: ``python_name``, with a trailing
    underscore more for a name an earlier element already has (``URL`` and ``Url``)."""
    names: list[str] = []
    for element in elements:
        name = python_name(element.name)
        while name in names:
            name += "_"
        names.append(name)
    return names


# ------------------------------------------------------------------------------------------------
# What a WSDL's types are, for reading and writing


@attrs.frozen
class _Kind:
    """A resolved type: ``scalar`` (``name`` the XSD type), ``enum`` or ``flags`` (``tokens``),
    ``struct`` (``elements``, the base's first), ``array`` (``elements[0]`` the item),
    ``dict`` (``elements[0]`` the pair, holding Key and Value), or ``unsupported``."""

    kind: str
    name: str
    elements: tuple[ElementDecl, ...] = ()
    tokens: tuple[str, ...] = ()
    qname: Optional[QN] = None


@attrs.frozen
class DescribedOperation:
    """One operation of a served WSDL: its request's body children and header elements, its
    answer wrapper and that wrapper's children, and whether it needs a ticket."""

    service: str
    name: str
    request_element: str
    request: tuple[ElementDecl, ...]
    headers: tuple[ElementDecl, ...]
    response: str
    answer: tuple[ElementDecl, ...]
    description: Description = attrs.field(repr=False)

    @property
    def needs_ticket(self) -> bool:
        """Whether requests carry the Credentials header (every service but SoPrincipal)."""
        return any(element.name == "Credentials" for element in self.headers)


class Description:
    """A WSDL read for serving: its operations by name and its types, resolved on first use."""

    def __init__(self, wsdl: Wsdl) -> None:
        self.wsdl = wsdl
        self.service = wsdl.service
        self._kinds: dict[QN, _Kind] = {}
        self.operations: dict[str, DescribedOperation] = {}
        for op in wsdl.operations.values():
            self.operations[op.name] = DescribedOperation(
                service=wsdl.service,
                name=op.name,
                request_element=op.request[1],
                request=self._wrapper_children(op.request),
                headers=tuple(  # SOAP headers are optional, whatever their minOccurs
                    attrs.evolve(wsdl.elements[(wsdl.target_namespace, part)], min_occurs=0)
                    for part in op.request_headers
                    if (wsdl.target_namespace, part) in wsdl.elements
                ),
                response=op.response[1],
                answer=self._wrapper_children(op.response),
                description=self,
            )

    def _wrapper_children(self, qname: QN) -> tuple[ElementDecl, ...]:
        element = self.wsdl.elements.get(qname)
        if element is None:
            return ()
        if element.inline is not None:
            return self._all_elements(element.inline)
        if element.type is not None:
            kind = self.kind(element.type)
            return kind.elements if kind.kind == "struct" else ()
        return ()

    def _all_elements(self, decl: ComplexDecl) -> tuple[ElementDecl, ...]:
        chain = [decl]
        while chain[-1].base is not None and len(chain) < 32:
            base = self.wsdl.complex_types.get(chain[-1].base)
            if base is None:
                break
            chain.append(base)
        return tuple(element for part in reversed(chain) for element in part.elements)

    def kind(self, qname: QN) -> _Kind:
        """What the type named ``qname`` is, for reading and writing."""
        found = self._kinds.get(qname)
        if found is None:
            found = self._kinds[qname] = self._resolve(qname)
        return found

    def element_kind(self, element: ElementDecl) -> _Kind:
        """The type of one element (a named type, or an inline sequence)."""
        if element.inline is not None:
            return _Kind("struct", element.name, self._all_elements(element.inline))
        if element.type is None:
            return _Kind("unsupported", f"{element.name} (no type)")
        return self.kind(element.type)

    def _resolve(self, qname: QN) -> _Kind:
        namespace, local = qname
        if qname in _PARSERS:
            return _Kind("scalar", local, qname=qname)
        simple = self.wsdl.simple_types.get(qname)
        if simple is not None:
            return self._simple(simple)
        decl = self.wsdl.complex_types.get(qname)
        if decl is None or decl.problem is not None:
            prefix = "xs:" if namespace == XSD else ""
            return _Kind("unsupported", f"{prefix}{local}")
        if decl.is_dictionary and len(decl.elements) == 1:
            return _Kind("dict", local, decl.elements)
        if decl.base is None and len(decl.elements) == 1 and decl.elements[0].max_occurs is None:
            return _Kind("array", local, decl.elements)
        return _Kind("struct", local, self._all_elements(decl))

    def _simple(self, simple: SimpleDecl) -> _Kind:
        name = simple.name[1]
        if simple.tokens:
            return _Kind("flags" if simple.is_list else "enum", name, tokens=simple.tokens)
        if simple.base is not None and simple.base in _PARSERS and not simple.is_list:
            return _Kind("scalar", simple.base[1], qname=simple.base)
        return _Kind("unsupported", name)


# ------------------------------------------------------------------------------------------------
# Reading requests


@attrs.frozen
class _Context:
    description: Description
    ns: str  # the stand-in's Services namespace
    snake: bool = True  # structs read keyed by snake_case (arguments) or element name (headers)

    def namespace(self, element: ElementDecl) -> str:
        """Where ``element`` lives on the wire: the WSDL's own namespace is the stand-in's."""
        own = self.description.wsdl.target_namespace
        return self.ns if element.namespace == own else element.namespace


def read_request(
    operation: DescribedOperation, payload: etree._Element, ns: str, *, headers: bool = False
) -> dict[str, object]:
    """Read a request body wrapper (or, with ``headers``, the SOAP Header) as the WSDL describes
    it; RequestError when it breaks the description. Body arguments are keyed by snake_case
    name, headers by element name."""
    if headers:
        context = _Context(operation.description, ns, snake=False)
        return _read_sequence(context, payload, operation.headers, "Header")
    context = _Context(operation.description, ns)
    return _read_sequence(context, payload, operation.request, operation.name)


def _read_sequence(
    context: _Context,
    parent: etree._Element,
    elements: Sequence[ElementDecl],
    path: str,
) -> dict[str, object]:
    index = {(context.namespace(e), e.name): position for position, e in enumerate(elements)}
    keys = python_names(elements) if context.snake else [element.name for element in elements]
    values: dict[str, object] = {}
    last = -1
    for child in element_children(parent, path):
        qname = etree.QName(child)
        position = index.get((qname.namespace or "", qname.localname))
        if position is None:
            expected = ", ".join(element.name for element in elements) or "no children"
            raise RequestError(
                f"Unexpected element {clark_name(child)} in {path}; expected (in this order): "
                f"{expected}.{namespace_hint(child, context.ns)}"
            )
        if position == last:
            raise RequestError(f"Element {qname.localname!r} appears more than once in {path}.")
        if position < last:
            raise RequestError(
                f"Element {qname.localname!r} is out of order in {path}; it must come before "
                f"{elements[last].name!r}."
            )
        for skipped in elements[last + 1 : position]:
            _check_optional(skipped, path)
        last = position
        element = elements[position]
        values[keys[position]] = _read_value(context, child, element, f"{path}/{element.name}")
    for skipped in elements[last + 1 :]:
        _check_optional(skipped, path)
    return values


def _check_optional(element: ElementDecl, path: str) -> None:
    if element.min_occurs > 0:
        raise RequestError(f"{path} lacks {element.name!r}, which the WSDL requires (minOccurs).")


def _read_value(context: _Context, node: etree._Element, element: ElementDecl, path: str) -> object:
    if is_nil(node, path):
        if not element.nillable:
            raise RequestError(f'{path} is not nillable but has i:nil="true".')
        if len(node) or (node.text or "").strip(_XML_WS):
            raise RequestError(f'{path} has i:nil="true" but is not empty.')
        return None
    kind = context.description.element_kind(element)
    if kind.kind == "struct":
        return _read_sequence(context, node, kind.elements, path)
    if kind.kind == "array":
        return _read_items(context, node, kind.elements[0], path)
    if kind.kind == "dict":
        return _read_dictionary(context, node, kind, path)
    if kind.kind == "unsupported":
        raise RequestError(f"{path} has the type {kind.name}, which the stand-in cannot read.")
    text = simple_text(node, path)
    shown = "(hidden)" if _SECRET_NAME.search(element.name) else quote(text)
    if kind.kind == "enum":
        token = text.strip(_XML_WS)
        if token not in kind.tokens:
            raise RequestError(
                f"{path} is not a valid value of {kind.name}: {shown}; expected one of "
                f"{', '.join(kind.tokens)}."
            )
        return token
    if kind.kind == "flags":
        tokens = tuple(text.split())
        unknown = [token for token in tokens if token not in kind.tokens]
        if unknown:
            raise RequestError(
                f"{path} holds an unknown flag of {kind.name} {quote(unknown[0])}; expected "
                f"tokens from {', '.join(kind.tokens)}."
            )
        return tokens
    assert kind.qname is not None
    try:
        return _PARSERS[kind.qname](text)
    except ScalarError:
        raise RequestError(f"{path} is not a valid xs:{kind.name}: {shown}.") from None


def _read_items(
    context: _Context, node: etree._Element, item: ElementDecl, path: str
) -> list[object]:
    """The items of an array (or the pairs of a dictionary), each an ``item`` element."""
    wanted = (context.namespace(item), item.name)
    found: list[object] = []
    for position, child in enumerate(element_children(node, path), 1):
        qname = etree.QName(child)
        if (qname.namespace or "", qname.localname) != wanted:
            raise RequestError(
                f"Unexpected element {clark_name(child)} in {path}; expected only "
                f"{item.name!r} items in namespace {wanted[0]}."
                f"{namespace_hint(child, context.ns)}"
            )
        found.append(_read_value(context, child, item, f"{path}/{item.name}[{position}]"))
    return found


def _read_dictionary(
    context: _Context, node: etree._Element, kind: _Kind, path: str
) -> dict[object, object]:
    result: dict[object, object] = {}
    key, value = ("key", "value") if context.snake else ("Key", "Value")
    for position, entry in enumerate(_read_items(context, node, kind.elements[0], path), 1):
        if not isinstance(entry, dict) or entry.get(key) is None or entry[key] in result:
            where = f"{path}/{kind.elements[0].name}[{position}]"
            raise RequestError(f"{where} has a missing, nil or repeated Key.")
        result[entry[key]] = entry.get(value)
    return result


# ------------------------------------------------------------------------------------------------
# Writing answers

_MISSING = object()


def write_answer(
    operation: DescribedOperation, wrapper: etree._Element, value: object, ns: str
) -> None:
    """Write ``value`` into the answer wrapper as the WSDL describes it; ValueError naming the
    path when the value does not fit."""
    context = _Context(operation.description, ns)
    path = operation.response
    children = operation.answer
    if not children:
        if value is not None:
            raise ValueError(f"{operation.name} answers nothing, so its answer must be None")
        return
    if len(children) == 1:
        _write_member(context, wrapper, children[0], value, f"{path}/{children[0].name}")
        return
    _write_struct(context, wrapper, children, value, path, operation.response)


def _write_member(
    context: _Context, parent: etree._Element, element: ElementDecl, value: object, path: str
) -> None:
    if value is None and not element.nillable:
        return  # a value type's None: left out, so that it reads back as None
    node = etree.SubElement(parent, f"{{{context.namespace(element)}}}{element.name}")
    if value is None:
        node.set(XSI_NIL, "true")
        return
    kind = context.description.element_kind(element)
    if kind.kind == "struct":
        _write_struct(context, node, kind.elements, value, path, kind.name)
    elif kind.kind == "array":
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            raise ValueError(f"{path} is an {kind.name}: give a list, not {shown_type(value)}")
        item = kind.elements[0]
        for position, entry in enumerate(value, 1):
            _write_member(context, node, item, entry, f"{path}/{item.name}[{position}]")
    elif kind.kind == "dict":
        _write_dictionary(context, node, kind, value, path)
    elif kind.kind == "unsupported":
        raise ValueError(f"{path} has the type {kind.name}, which the stand-in cannot write")
    else:
        node.text = _text(kind, value, path)


def _write_struct(
    context: _Context,
    node: etree._Element,
    elements: Sequence[ElementDecl],
    value: object,
    path: str,
    type_name: str,
) -> None:
    used: set[str] = set()
    names = python_names(elements)
    for element, name in zip(elements, names):
        if isinstance(value, Mapping):
            key = element.name if element.name in value else name
            member = value.get(key, _MISSING)
        else:
            key = name
            member = getattr(value, name, _MISSING)
        if member is _MISSING:
            continue
        used.add(key)
        _write_member(context, node, element, member, f"{path}/{element.name}")
    if isinstance(value, Mapping):
        extra = sorted(str(key) for key in value if key not in used)
    elif attrs.has(type(value)):
        extra = [
            field.name
            for field in attrs.fields(type(value))  # type: ignore[arg-type]
            if field.name not in used and getattr(value, field.name) is not None
        ]
    else:
        extra = []
    if extra:
        raise ValueError(
            f"{path}: {', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not an element "
            f"of {type_name} (its elements in snake_case: {', '.join(names) or 'none'})"
        )


def _write_dictionary(
    context: _Context, node: etree._Element, kind: _Kind, value: object, path: str
) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path} is a dictionary: give a mapping, not {shown_type(value)}")
    pair = kind.elements[0]
    entries = {e.name: e for e in context.description.element_kind(pair).elements}
    if set(entries) != {"Key", "Value"}:
        raise ValueError(f"{path}: {kind.name} is not a dictionary of Key/Value pairs")
    for key, entry in value.items():
        item = etree.SubElement(node, f"{{{context.namespace(pair)}}}{pair.name}")
        where = f"{path}[{key!r}]"
        _write_member(context, item, entries["Key"], key, f"{where}/Key")
        _write_member(context, item, entries["Value"], entry, f"{where}/Value")


def _text(kind: _Kind, value: object, path: str) -> str:
    """The wire text of a simple value (an enumeration, flags or an XSD scalar)."""
    if kind.kind == "enum":
        token = value.value if isinstance(value, enum.Enum) else value
        if token not in kind.tokens:
            raise ValueError(f"{path}: {value!r} is not a value of {kind.name} {kind.tokens}")
        return str(token)
    if kind.kind == "flags":
        return " ".join(_flag_tokens(kind, value, path))
    return _scalar_text(kind.name, value, path)


def _flag_tokens(kind: _Kind, value: object, path: str) -> list[str]:
    chosen: set[str]
    if isinstance(value, enum.Flag):
        names = {member.name for member in type(value) if member in value and member.value}
        chosen = {token for token in kind.tokens if python_name(token).upper() in names}
        if len(chosen) != len(names):
            raise ValueError(f"{path}: {value!r} has flags {kind.name} does not list")
    elif isinstance(value, str):
        chosen = set(value.split())
    elif isinstance(value, (set, frozenset, list, tuple)):
        chosen = {token.value if isinstance(token, enum.Enum) else token for token in value}
    else:
        raise ValueError(f"{path} is a flags value of {kind.name}, not {shown_type(value)}")
    unknown = chosen - set(kind.tokens)
    if unknown:
        raise ValueError(f"{path}: {sorted(map(str, unknown))} not among {kind.tokens}")
    return [token for token in kind.tokens if token in chosen]


def _scalar_text(name: str, value: object, path: str) -> str:
    def wrong(expected: str) -> ValueError:
        return ValueError(f"{path} is an xs:{name}: give {expected}, not {shown_type(value)}")

    if name in _INTEGERS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong("an int")
        low, high = _INTEGERS[name]
        if not low <= value <= high:
            raise ValueError(f"{path}: {value} is out of the range of xs:{name}")
        return str(value)
    if name in _TEXTS or name == "QName":
        if not isinstance(value, str):
            raise wrong("a str")
        return value
    if name == "boolean":
        if not isinstance(value, bool):
            raise wrong("a bool")
        return "true" if value else "false"
    if name in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise wrong("a float")
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "INF" if number > 0 else "-INF"
        return repr(number)
    if name == "decimal":
        if not isinstance(value, (decimal.Decimal, int)) or isinstance(value, bool):
            raise wrong("a Decimal")
        return format(decimal.Decimal(value), "f")
    if name == "dateTime":
        if not isinstance(value, datetime):
            raise wrong("a datetime")
        return format_datetime(value)
    if name == "duration":
        if not isinstance(value, timedelta):
            raise wrong("a timedelta")
        return _duration(value)
    if name == "base64Binary":
        if not isinstance(value, (bytes, bytearray)):
            raise wrong("bytes")
        return base64.b64encode(bytes(value)).decode("ascii")
    if name == "guid":
        if not isinstance(value, uuid.UUID):
            raise wrong("a UUID")
        return str(value)
    if name == "char":
        if not isinstance(value, str) or len(value) != 1 or ord(value) > 0xFFFF:
            raise wrong("one character")
        return str(ord(value))
    raise ValueError(f"{path} has the type xs:{name}, which the stand-in cannot write")


def _duration(value: timedelta) -> str:
    """A TimeSpan as .NET's XmlConvert writes it: ``-P1DT2H3M4.5S``, ``PT0S`` for zero."""
    sign = "-" if value < timedelta(0) else ""
    magnitude = abs(value)
    hours, rest = divmod(magnitude.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or magnitude.microseconds or not (magnitude.days or clock):
        fraction = f".{magnitude.microseconds:06d}".rstrip("0") if magnitude.microseconds else ""
        clock += f"{seconds}{fraction}S"
    days = f"{magnitude.days}D" if magnitude.days else ""
    return f"{sign}P{days}" + (f"T{clock}" if clock else "")


def shown_type(value: object) -> str:
    """A value's type, as messages name it."""
    return type(value).__name__
