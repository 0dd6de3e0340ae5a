"""What a value is on the wire: XSD types declared as plain data (no lxml, no I/O).

Every parameter of an operation, every field of a NetServer type and every answer is described
with these few declarations; nothing else in the library knows a type's elements:

* ``Scalar`` — an XSD simple type (``INT``, ``STRING``, ``DATETIME``, …): how wire text becomes a
  value and how a value is checked and written;
* ``Enumeration`` — an xs:string restriction, read into a Python ``enum.Enum``;
* ``Flags`` — an xs:list of enumeration tokens (a .NET flags enum), read into a ``frozenset``;
* ``Struct`` — an xs:sequence of optional elements, each a ``Field``, built into a model class;
* ``ArrayOf`` — a WCF array (``ArrayOfX``), read into a list (or tuple);
* ``DictionaryOf`` — a WCF dictionary of string keys, read into a dict;
* ``RAW`` — no decoding at all: the element itself, for answers you want to read yourself.

A model class and its ``Struct`` sit next to each other (``models.UntrustedCredentials`` and
``models.UNTRUSTED_CREDENTIALS``), linked by reference. The writers (``envelope``) and readers
(``_readers``) interpret the declarations; users declare their own the same way (see
``operations.Operation``). Declarations compare by identity: two declarations are the same type
only if they are the same object.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Callable, Optional, Union

import attrs

from . import xsd
from ._namespaces import MS_ARRAYS, MS_SERIALIZATION

__all__ = [
    "ANY_URI",
    "ARRAYS",
    "BASE64",
    "BOOLEAN",
    "BYTE",
    "CHAR",
    "DATETIME",
    "DECIMAL",
    "DOUBLE",
    "DURATION",
    "FLOAT",
    "GUID",
    "INT",
    "LONG",
    "QNAME",
    "RAW",
    "SECRET_STRING",
    "SHORT",
    "STRING",
    "UNSIGNED_BYTE",
    "UNSIGNED_INT",
    "UNSIGNED_LONG",
    "UNSIGNED_SHORT",
    "ArrayOf",
    "DictionaryOf",
    "Enumeration",
    "Field",
    "Flags",
    "Raw",
    "Scalar",
    "Struct",
    "TypeRef",
    "ValueType",
    "read_only_mapping",
    "resolve",
    "secret_repr",
]


@attrs.frozen(eq=False, repr=False)
class Scalar:
    """An XSD simple type: ``name`` (``"int"``, written as ``xsi:type="xsd:int"``), ``parse`` (wire
    text → value, ``xsd.ScalarError`` when invalid) and ``write`` (argument name, value → text,
    InvalidRequestError when the value cannot be sent). ``empty`` says whether an empty element
    is a value (``""`` for strings) rather than an error. A ``secret`` is never quoted.
    ``namespace`` is None for XML Schema's own types, else the namespace that defines the type
    (``ser:guid``), for the ``xsi:type`` annotations of SOAP 1.2 requests."""

    name: str
    parse: Callable[[str], Any]
    write: Callable[[str, object], str]
    empty: bool = False
    secret: bool = False
    namespace: Optional[str] = None

    def __repr__(self) -> str:
        return f"Scalar({self.name!r})"


@attrs.frozen(eq=False, repr=False)
class Enumeration:
    """An xs:string enumeration: the wire token is the member's value (``UserType``)."""

    enum: type[enum.Enum]

    def __repr__(self) -> str:
        return f"Enumeration({self.enum.__name__})"

    @property
    def name(self) -> str:
        """The XSD type name (the enum's class name)."""
        return self.enum.__name__


@attrs.frozen(eq=False, repr=False)
class Flags:
    """An xs:list of the ``tokens`` of ``name`` (a .NET flags enum); empty means no flags.

    Read into a ``frozenset`` of the tokens, or, with ``flag`` (an ``enum.Flag`` whose members
    are in the order of ``tokens``), into a value of that class.
    """

    name: str
    tokens: tuple[str, ...]
    flag: Optional[type[enum.Flag]] = None

    def __repr__(self) -> str:
        return f"Flags({self.name!r})"


@attrs.frozen(eq=False, repr=False)
class Field:
    """One element of a ``Struct``: wire ``element`` name, model ``attr``, its ``type``.

    ``nillable`` says whether ``xsi:nil`` is allowed; a ``read_only`` field (a Carrier's
    TableRight) is read but never written. An ``attr`` of None reads and checks the element but
    keeps nothing (a model needs no attribute for what it does not want) and writes nothing.
    ``type`` may be a callable returning the type, for a type that contains itself.
    """

    element: str
    attr: Optional[str]
    type: TypeRef
    nillable: bool = True
    read_only: bool = False

    def __repr__(self) -> str:
        return f"Field({self.element!r}, {self.attr!r})"


@attrs.frozen(eq=False, repr=False)
class Struct:
    """An xs:sequence of optional elements, in order, each at most once, built by ``model``
    (called with the fields' attributes as keywords). ``name`` is the XSD type name;
    ``namespace`` is None for the call's Services namespace, or a fixed one."""

    name: str
    model: Callable[..., Any]
    fields: tuple[Field, ...]
    namespace: Optional[str] = None

    def __repr__(self) -> str:
        return f"Struct({self.name!r}, {len(self.fields)} fields)"


@attrs.frozen(eq=False, repr=False)
class ArrayOf:
    """A WCF array: 0..n ``item`` elements of ``type`` (a nil item carries nothing and is
    skipped). ``namespace`` is the items' namespace (None: the Services namespace; MS_ARRAYS for
    arrays of primitives); ``into`` builds the result from a list."""

    item: str
    type: TypeRef
    namespace: Optional[str] = None
    into: Callable[[list[Any]], Any] = list

    def __repr__(self) -> str:
        return f"ArrayOf({self.item!r})"


@attrs.frozen(eq=False, repr=False)
class DictionaryOf:
    """A WCF dictionary: 0..n ``pair`` elements holding ``Key`` (``key``, a string unless said
    otherwise) and ``Value`` (``value``); a duplicate or nil key is an error, a nil value is
    skipped."""

    pair: str
    value: TypeRef
    key: Optional[Scalar] = None

    def __repr__(self) -> str:
        return f"DictionaryOf({self.pair!r})"


@attrs.frozen(eq=False, repr=False)
class Raw:
    """No decoding: the element itself (an lxml element), for answers read by the caller."""

    def __repr__(self) -> str:
        return "RAW"


ValueType = Union[Scalar, Enumeration, Flags, Struct, ArrayOf, DictionaryOf, Raw]
#: A type, or a callable returning one (for a type that refers to itself).
TypeRef = Union[ValueType, Callable[[], ValueType]]
_TYPES = (Scalar, Enumeration, Flags, Struct, ArrayOf, DictionaryOf, Raw)


def resolve(ref: TypeRef) -> ValueType:
    """The type a ``TypeRef`` stands for."""
    if isinstance(ref, _TYPES):
        return ref
    resolved = ref()
    if not isinstance(resolved, _TYPES):
        raise TypeError(f"not a value type: {resolved!r}")
    return resolved


def read_only_mapping(value: Optional[Mapping[Any, Any]]) -> Optional[Mapping[Any, Any]]:
    """A model's converter for a dictionary it holds: a read-only view (a frozen model stays
    unchanged)."""
    if value is None or isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def secret_repr(value: object) -> str:
    """How a model's ``repr`` shows a secret attribute: ``***``, or ``None`` when unset."""
    return "None" if value is None else "***"


def _text(text: str) -> str:
    return text


def _write_string(argument: str, value: object) -> str:
    return xsd.check_string(argument, value)


def _write_secret(argument: str, value: object) -> str:
    return xsd.check_string(argument, value, secret=True)


#: The namespace of WCF arrays of primitives (``ArrayOfstring``, ``ArrayOfint``): their items are
#: ``<string>`` / ``<int>`` elements in it, so ``ArrayOf("string", STRING, namespace=ARRAYS)``.
ARRAYS = MS_ARRAYS

INT = Scalar("int", xsd.parse_int, xsd.write_int)
SHORT = Scalar("short", xsd.parse_short, xsd.write_short)
LONG = Scalar("long", xsd.parse_long, xsd.write_long)
DOUBLE = Scalar("double", xsd.parse_double, xsd.write_double)
BOOLEAN = Scalar("boolean", xsd.parse_bool, xsd.write_bool)
DATETIME = Scalar("dateTime", xsd.parse_datetime, xsd.write_datetime)
STRING = Scalar("string", _text, _write_string, empty=True)
#: A string that is a secret (a password, an access token): never quoted in an error.
SECRET_STRING = Scalar("string", _text, _write_secret, empty=True, secret=True)
BASE64 = Scalar("base64Binary", xsd.parse_base64, xsd.write_base64, empty=True)
BYTE = Scalar("byte", xsd.integer_parser("byte"), xsd.integer_writer("byte"))
UNSIGNED_BYTE = Scalar(
    "unsignedByte", xsd.integer_parser("unsignedByte"), xsd.integer_writer("unsignedByte")
)
UNSIGNED_SHORT = Scalar(
    "unsignedShort", xsd.integer_parser("unsignedShort"), xsd.integer_writer("unsignedShort")
)
UNSIGNED_INT = Scalar(
    "unsignedInt", xsd.integer_parser("unsignedInt"), xsd.integer_writer("unsignedInt")
)
UNSIGNED_LONG = Scalar(
    "unsignedLong", xsd.integer_parser("unsignedLong"), xsd.integer_writer("unsignedLong")
)
FLOAT = Scalar("float", xsd.parse_float, xsd.write_float)
DECIMAL = Scalar("decimal", xsd.parse_decimal, xsd.write_decimal)
#: xs:duration as .NET writes a TimeSpan, read into a ``timedelta``.
DURATION = Scalar("duration", xsd.parse_duration, xsd.write_duration, namespace=MS_SERIALIZATION)
#: A .NET Guid (``ser:guid``), read into a ``uuid.UUID``.
GUID = Scalar("guid", xsd.parse_guid, xsd.write_guid, namespace=MS_SERIALIZATION)
#: A .NET Char (``ser:char``, its code point on the wire), read into a one-character str.
CHAR = Scalar("char", xsd.parse_char, xsd.write_char, namespace=MS_SERIALIZATION)
ANY_URI = Scalar("anyURI", _text, _write_string, empty=True)
QNAME = Scalar("QName", xsd.parse_qname, xsd.write_qname)
RAW = Raw()
