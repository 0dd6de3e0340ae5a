"""XML Schema scalar codecs: the one place that turns wire text into Python values and back.

Only the lexical forms NetServer's DataContractSerializer writes are accepted, nothing looser
(``int()`` would take ``"1_000"`` or ``" ٣ "``; xs:int does not). Parsing failures raise
``ScalarError``; callers wrap it into an error that names the element path.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from typing import Optional

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "ScalarError",
    "first_illegal_xml_char",
    "format_bool",
    "format_datetime",
    "format_int",
    "parse_bool",
    "parse_datetime",
    "parse_int",
]

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# XML whitespace only (xs:int / xs:boolean / xs:dateTime have whiteSpace="collapse").
_XML_WS = " \t\r\n"

_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_DATETIME_RE = re.compile(
    r"[ \t\r\n]*([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?[ \t\r\n]*\Z"
)
# Characters XML 1.0 forbids: controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF.
_ILLEGAL_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ScalarError(ValueError):
    """Text that is not a valid lexical form of the expected XSD type."""


def parse_int(text: str) -> int:
    """xs:int: optional sign and ASCII digits, within Int32."""
    value = text.strip(_XML_WS)
    if not _INT_RE.match(value):
        raise ScalarError(f"not an xs:int: {text!r}")
    number = int(value)
    if not INT32_MIN <= number <= INT32_MAX:
        raise ScalarError(f"xs:int out of Int32 range: {text!r}")
    return number


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
    start = match.start(1)
    fraction, suffix = match.group(7, 8)
    iso = text[start : start + 19]
    if fraction:
        iso += "." + (fraction + "00000")[:6]
    if suffix is not None:
        if suffix == "Z":
            iso += "+00:00"
        else:
            hours, minutes = int(suffix[1:3]), int(suffix[4:6])
            if hours > 14 or minutes > 59 or (hours == 14 and minutes):
                raise ScalarError(f"xs:dateTime offset out of range: {text!r}")
            iso += suffix
    try:
        return datetime.fromisoformat(iso)
    except ValueError as exc:  # month 13, Feb 30, hour 24, year 0 …
        raise ScalarError(f"not a valid xs:dateTime: {text!r} ({exc})") from None


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
