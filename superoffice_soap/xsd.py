"""XML Schema scalar codecs: the one place that turns wire text into Python values and back.

Only the lexical forms NetServer's DataContractSerializer writes are accepted, nothing looser
(``int()`` would take ``"1_000"`` or ``" ٣ "``; xs:int does not). Parsing failures raise
``ScalarError``; callers wrap it into an error that names the element path. The ``write_*``
functions check a value a caller wants to send and return its text, or raise
InvalidRequestError naming the argument: nothing is sent for a value the wire cannot carry.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import functools
import math
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from .errors import InvalidRequestError

__all__ = [
    "DOTNET_MIN_VALUE",
    "INT32_MAX",
    "INT32_MIN",
    "NEVER_EXPIRES",
    "ScalarError",
    "check_string",
    "first_illegal_xml_char",
    "format_bool",
    "format_datetime",
    "format_int",
    "integer_parser",
    "integer_writer",
    "parse_base64",
    "parse_bool",
    "parse_char",
    "parse_datetime",
    "parse_decimal",
    "parse_double",
    "parse_duration",
    "parse_float",
    "parse_guid",
    "parse_int",
    "parse_long",
    "parse_qname",
    "parse_short",
    "write_base64",
    "write_bool",
    "write_char",
    "write_datetime",
    "write_decimal",
    "write_double",
    "write_duration",
    "write_float",
    "write_guid",
    "write_int",
    "write_long",
    "write_qname",
    "write_short",
]

#: .NET's ``DateTime.MaxValue`` as Python holds it (written back as ``…59.9999999``): a
#: ``valid_to`` that never expires.
NEVER_EXPIRES = datetime(9999, 12, 31, 23, 59, 59, 999999)
#: .NET's ``DateTime.MinValue``: what NetServer stores for a date left out of a request.
DOTNET_MIN_VALUE = datetime(1, 1, 1)

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "int": (INT32_MIN, INT32_MAX),
    "long": (-(2**63), 2**63 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
}
#: The .NET type behind each integer type, named in errors.
_DOTNET = {
    "byte": "SByte",
    "short": "Int16",
    "int": "Int32",
    "long": "Int64",
    "unsignedByte": "Byte",
    "unsignedShort": "UInt16",
    "unsignedInt": "UInt32",
    "unsignedLong": "UInt64",
}

# XML whitespace only (xs:int / xs:boolean / xs:dateTime have whiteSpace="collapse").
_XML_WS = " \t\r\n"

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_DATETIME_RE = re.compile(
    r"[ \t\r\n]*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?[ \t\r\n]*\Z"
)
#: The time zone suffixes seen, each checked once, as ``fromisoformat`` takes them (``Z`` is
#: ``+00:00``): a handful per server.
_ZONES: dict[str, str] = {"Z": "+00:00"}
# Characters XML 1.0 forbids: controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF.
_ILLEGAL_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ScalarError(ValueError):
    """Text that is not a valid lexical form of the expected XSD type."""


def parse_int(text: str) -> int:
    """xs:int: optional sign and ASCII digits, within Int32."""
    return _integer(text, "int", "Int32")


def parse_short(text: str) -> int:
    """xs:short: optional sign and ASCII digits, within Int16."""
    return _integer(text, "short", "Int16")


def parse_long(text: str) -> int:
    """xs:long: optional sign and ASCII digits, within Int64."""
    return _integer(text, "long", "Int64")


def integer_parser(name: str) -> Callable[[str], int]:
    """The parser of an XSD integer type (``"byte"``, ``"unsignedInt"``, …): range-checked."""
    dotnet = _DOTNET[name]

    def parse(text: str) -> int:
        return _integer(text, name, dotnet)

    parse.__name__ = f"parse_{name}"
    return parse


def integer_writer(name: str) -> Callable[[str, object], str]:
    """The writer of an XSD integer type: an int (not a bool) within its .NET range."""
    dotnet = _DOTNET[name]

    def write(argument: str, value: object) -> str:
        return _write_integer(argument, value, name, dotnet)

    write.__name__ = f"write_{name}"
    return write


def _integer(text: str, name: str, dotnet: str) -> int:
    value = text.strip(_XML_WS)
    if not _INT_RE.match(value):
        raise ScalarError(f"not an xs:{name}: {text!r}")
    number = int(value)
    low, high = _RANGES[name]
    if not low <= number <= high:
        raise ScalarError(f"xs:{name} out of {dotnet} range: {text!r}")
    return number


_DOUBLE_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def parse_double(text: str) -> float:
    """xs:double: a decimal or scientific number, or INF, -INF, NaN."""
    value = text.strip(_XML_WS)
    special = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
    if value in special:
        return special[value]
    if not _DOUBLE_RE.match(value):
        raise ScalarError(f"not an xs:double: {text!r}")
    return float(value)


def parse_base64(text: str) -> bytes:
    """xs:base64Binary (whitespace anywhere ignored; empty is no bytes)."""
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError(f"not an xs:base64Binary: {compact[:200]!r}") from None


def parse_bool(text: str) -> bool:
    """xs:boolean: exactly true, false, 1 or 0."""
    value = text.strip(_XML_WS)
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ScalarError(f"not an xs:boolean: {text!r}")


@functools.lru_cache(maxsize=4096)
def parse_datetime(text: str) -> datetime:
    """xs:dateTime as WCF writes it.

    Fractional seconds beyond microseconds are truncated, never rounded (``…59.9999999`` stays in
    the same second, so .NET's DateTime.MaxValue survives). ``Z`` gives UTC, ``±hh:mm`` a fixed
    offset, no suffix a naive datetime (.NET's "unspecified" kind). The strict pattern decides
    what is valid; ``datetime.fromisoformat`` (given only the forms every Python accepts) builds
    the value; recent values are cached (datetimes are immutable, and the same timestamps recur:
    .NET's MinValue and MaxValue above all).
    """
    match = _DATETIME_RE.match(text)
    if match is None:
        raise ScalarError(f"not an xs:dateTime: {text!r}")
    iso, fraction, suffix = match.groups()
    if fraction:
        iso = f"{iso}.{fraction[:6]:0<6}"
    if suffix is not None:
        iso += _ZONES.get(suffix) or _zone(suffix, text)
    try:
        return datetime.fromisoformat(iso)
    except ValueError as exc:  # month 13, Feb 30, hour 24, year 0 …
        raise ScalarError(f"not a valid xs:dateTime: {text!r} ({exc})") from None


def _zone(suffix: str, text: str) -> str:
    """A ``±hh:mm`` suffix, checked: at most 14 hours."""
    hours, minutes = int(suffix[1:3]), int(suffix[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise ScalarError(f"xs:dateTime offset out of range: {text!r}")
    if len(_ZONES) < 128:
        _ZONES[suffix] = suffix
    return suffix


def format_int(value: int) -> str:
    """xs:int text."""
    return str(value)


def format_bool(value: bool) -> str:
    """xs:boolean text: true or false."""
    return "true" if value else "false"


def format_datetime(value: datetime) -> str:
    """Write a datetime so that ``parse_datetime(format_datetime(x)) == x``.

    UTC is written with ``Z``, other offsets as ``±hh:mm``, naive values without suffix. The
    naive ``9999-12-31T23:59:59.999999`` is written with seven nines, .NET's DateTime.MaxValue,
    so that a credential that never expires still never expires after a read-modify-save.
    """
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.year < 1000:  # strftime does not zero-pad the year on every platform
        text = f"{value.year:04d}{text[text.index('-') :]}"
    if value.microsecond:
        text += f".{value.microsecond:06d}"
        if value.tzinfo is None and value == datetime.max:
            text += "9"
    offset = value.utcoffset()
    if offset is None:
        return text
    if offset == timedelta(0) and value.tzinfo is timezone.utc:
        return text + "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def first_illegal_xml_char(text: str) -> Optional[int]:
    """Index of the first character XML 1.0 cannot carry, or None when all are legal."""
    match = _ILLEGAL_XML_CHAR.search(text)
    return None if match is None else match.start()


# ------------------------------------------------------------------------------------------------
# Writing: check a value, return its text (InvalidRequestError names the argument)

_MAX_OFFSET = timedelta(hours=14)


def check_string(argument: str, value: object, *, secret: bool = False) -> str:
    """A str whose every character XML 1.0 can carry; else InvalidRequestError naming ``argument``.

    For a secret the message gives the position and code point of the bad character, never the text.
    """
    if not isinstance(value, str):
        raise InvalidRequestError(argument, f"must be a str, got {type(value).__name__}")
    index = first_illegal_xml_char(value)
    if index is not None:
        what = "the value" if secret else repr(value)
        raise InvalidRequestError(
            argument,
            f"character U+{ord(value[index]):04X} at index {index} of {what} "
            "cannot be carried by XML 1.0",
        )
    return value


def write_int(argument: str, value: object) -> str:
    """An int (not a bool) within Int32, as xs:int text."""
    return _write_integer(argument, value, "int", "Int32")


def write_short(argument: str, value: object) -> str:
    """An int (not a bool) within Int16, as xs:short text."""
    return _write_integer(argument, value, "short", "Int16")


def write_long(argument: str, value: object) -> str:
    """An int (not a bool) within Int64, as xs:long text."""
    return _write_integer(argument, value, "long", "Int64")


def _write_integer(argument: str, value: object, name: str, dotnet: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(argument, f"must be an int, got {type(value).__name__}")
    low, high = _RANGES[name]
    if not low <= value <= high:
        raise InvalidRequestError(argument, f"{value} is outside the {dotnet} range {low}..{high}")
    return str(value)


def write_bool(argument: str, value: object) -> str:
    """A bool as xs:boolean text."""
    if not isinstance(value, bool):
        raise InvalidRequestError(argument, f"must be a bool, got {type(value).__name__}")
    return format_bool(value)


def write_double(argument: str, value: object) -> str:
    """An int or float (not a bool) as xs:double text (``repr`` round-trips exactly)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(argument, f"must be a number, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    return repr(number)


def write_base64(argument: str, value: object) -> str:
    """bytes as xs:base64Binary text."""
    if not isinstance(value, (bytes, bytearray)):
        raise InvalidRequestError(argument, f"must be bytes, got {type(value).__name__}")
    return base64.b64encode(bytes(value)).decode("ascii")


def write_datetime(argument: str, value: object) -> str:
    """A naive or aware datetime as xs:dateTime; an offset must be whole minutes within ±14:00,
    as XML Schema demands (anything else would be refused, or silently moved)."""
    if not isinstance(value, datetime):
        raise InvalidRequestError(argument, f"must be a datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is not None:
        if offset % timedelta(minutes=1):
            raise InvalidRequestError(argument, f"UTC offset {offset} is not a whole minute")
        if abs(offset) > _MAX_OFFSET:
            raise InvalidRequestError(argument, f"UTC offset {offset} is beyond ±14:00")
    return format_datetime(value)


# ------------------------------------------------------------------------------------------------
# The other XSD types NetServer's WSDLs use: float, decimal, duration, guid, char, anyURI, QName

_FLOAT_MAX = 3.4028234663852886e38  # .NET Single.MaxValue


def parse_float(text: str) -> float:
    """xs:float: as xs:double, within Single's range."""
    try:
        number = parse_double(text)
    except ScalarError:
        raise ScalarError(f"not an xs:float: {text!r}") from None
    if math.isfinite(number) and abs(number) > _FLOAT_MAX:
        raise ScalarError(f"xs:float out of Single range: {text!r}")
    return number


def write_float(argument: str, value: object) -> str:
    """An int or float (not a bool) within Single's range, as xs:float text."""
    text = write_double(argument, value)
    number = float(text)
    if math.isfinite(number) and abs(number) > _FLOAT_MAX:
        raise InvalidRequestError(argument, f"{value} is outside the Single range")
    return text


_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
#: .NET's Decimal: 96-bit integer scaled by up to 28 decimal places.
_DECIMAL_MAX = decimal.Decimal(2**96 - 1)


def parse_decimal(text: str) -> decimal.Decimal:
    """xs:decimal: sign, digits and an optional fraction (no exponent), within .NET's Decimal."""
    value = text.strip(_XML_WS)
    if not _DECIMAL_RE.match(value):
        raise ScalarError(f"not an xs:decimal: {text!r}")
    number = decimal.Decimal(value)
    if abs(number) > _DECIMAL_MAX:
        raise ScalarError(f"xs:decimal out of Decimal range: {text!r}")
    return number


def write_decimal(argument: str, value: object) -> str:
    """A Decimal or int (not a bool) within .NET's Decimal, as xs:decimal text (no exponent)."""
    if isinstance(value, bool) or not isinstance(value, (decimal.Decimal, int)):
        raise InvalidRequestError(argument, f"must be a Decimal, got {type(value).__name__}")
    number = decimal.Decimal(value)
    if not number.is_finite():
        raise InvalidRequestError(argument, f"{value} is not a finite number")
    if abs(number) > _DECIMAL_MAX:
        raise InvalidRequestError(argument, f"{value} is outside the .NET Decimal range")
    return format(number, "f")


_DURATION_RE = re.compile(
    r"(-)?P(?!\Z)(?:([0-9]+)D)?(?:T(?=[0-9.])(?:([0-9]+)H)?(?:([0-9]+)M)?"
    r"(?:([0-9]+)(?:\.([0-9]+))?S)?)?\Z"
)


def parse_duration(text: str) -> timedelta:
    """xs:duration as .NET writes a TimeSpan (``-P1DT2H3M4.5S``): days, hours, minutes and
    seconds; years and months have no fixed length and are refused. Fractions beyond
    microseconds are truncated, as for xs:dateTime."""
    value = text.strip(_XML_WS)
    match = _DURATION_RE.match(value)
    if match is None or value.endswith("T"):
        raise ScalarError(f"not an xs:duration of days, hours, minutes and seconds: {text!r}")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    try:
        result = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int((fraction or "0")[:6].ljust(6, "0")),
        )
    except OverflowError:
        raise ScalarError(f"xs:duration out of range: {text!r}") from None
    return -result if sign else result


def write_duration(argument: str, value: object) -> str:
    """A timedelta as xs:duration text (``P1DT2H3M4.5S``, ``PT0S`` for zero)."""
    if not isinstance(value, timedelta):
        raise InvalidRequestError(argument, f"must be a timedelta, got {type(value).__name__}")
    sign = "-" if value < timedelta(0) else ""
    magnitude = abs(value)
    hours, rest = divmod(magnitude.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}P"
    if magnitude.days:
        text += f"{magnitude.days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or magnitude.microseconds or not (magnitude.days or clock):
        clock += str(seconds)
        if magnitude.microseconds:
            clock += f".{magnitude.microseconds:06d}".rstrip("0")
        clock += "S"
    return text + ("T" + clock if clock else "")


_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")


def parse_guid(text: str) -> uuid.UUID:
    """A .NET Guid (``ser:guid``): 8-4-4-4-12 hexadecimal digits."""
    value = text.strip(_XML_WS)
    if not _GUID_RE.match(value):
        raise ScalarError(f"not a guid: {text!r}")
    return uuid.UUID(value)


def write_guid(argument: str, value: object) -> str:
    """A UUID as a .NET Guid's text."""
    if not isinstance(value, uuid.UUID):
        raise InvalidRequestError(argument, f"must be a UUID, got {type(value).__name__}")
    return str(value)


def parse_char(text: str) -> str:
    """A .NET Char (``ser:char``): its UTF-16 code unit as an xs:int, read as a one-character str."""
    code = _integer(text, "unsignedShort", "Char")
    if 0xD800 <= code <= 0xDFFF:
        raise ScalarError(f"a char that is half of a surrogate pair: {text!r}")
    return chr(code)


def write_char(argument: str, value: object) -> str:
    """A one-character str in the Basic Multilingual Plane, written as its code point."""
    if not isinstance(value, str) or len(value) != 1:
        raise InvalidRequestError(argument, "must be a str of one character")
    code = ord(value)
    if code > 0xFFFF or 0xD800 <= code <= 0xDFFF:
        raise InvalidRequestError(argument, f"U+{code:04X} is not one .NET Char")
    return str(code)


_QNAME_RE = re.compile(r"(?:[A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*\Z")


def parse_qname(text: str) -> str:
    """xs:QName: ``prefix:local`` (or ``local``) as written, whitespace collapsed."""
    value = text.strip(_XML_WS)
    if not _QNAME_RE.match(value):
        raise ScalarError(f"not an xs:QName: {text!r}")
    return value


def write_qname(argument: str, value: object) -> str:
    """A ``prefix:local`` or ``local`` name as xs:QName text."""
    text = check_string(argument, value)
    if not _QNAME_RE.match(text):
        raise InvalidRequestError(argument, f"{text!r} is not a QName")
    return text
