"""Masking secrets by structure (sans-IO): the one place that decides what text leaving the
library may show.

Secrets are masked where they are, never by blind substring replacement, which garbles the
server's own words and, by the garbling, tells the secret (a password ``e`` turning
``SoException`` into ``SoExc***ption``). The rules:

1. **Elements.** The elements that carry secrets (``SECRET_ELEMENTS``: Ticket, ApplicationToken,
   Password, AccessToken, SecretValue, in any namespace) are replaced whole by ``***``, whatever
   their spelling on the wire (escaped, character references, CDATA: masking works on the parsed
   text), and so is the text of any simple element whose name says it carries a secret
   (``NewPassword``, ``ClientSecret``, ``RefreshToken``: ``_xml.is_secret_name``, the rule the
   generator declares secret fields by). Anything that parses as XML is masked as XML, whatever
   its Content-Type says.
2. **Values.** A value (an element's text, an attribute, a NetServer error field or parameter,
   an HTTP header) that *equals* one of the caller's secrets is replaced by ``***``, whatever the
   secret's length.
3. **Free text.** Inside longer text (a fault reason, an ExceptionInfo message, an error page), a
   caller's secret is replaced where it stands as a whole token (no letter or digit touching it
   on either side), and only when it cannot be words of the server's message: at least
   ``MIN_FREE_TEXT`` (8) characters with one that is neither a letter nor a space, or one word
   of at least ``MIN_LETTERS_ONLY`` (16) letters. Other secrets are not searched for inside
   text: masking ``user`` (or ``user name``) in ``Invalid user name or password`` would only
   tell the password.
4. **Identifiers** (an ExceptionType, a fault code) are masked only when equal to a secret.
5. **Text that is not XML** (an HTML page, a truncated body) is read with HTML's entities and
   character references decoded, its secret elements masked from the opening tag to the closing
   one (or to the end), and rule 3 applied.
6. **URLs.** The password of a URL (``http://user:pw@host``) is shown as ``***``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from ._xml import REDACTED, is_secret_name, safe_parser

__all__ = [
    "MIN_FREE_TEXT",
    "MIN_LETTERS_ONLY",
    "SECRET_ELEMENTS",
    "mask_identifier",
    "mask_markup",
    "mask_text",
    "mask_tree",
    "mask_url",
    "mask_value",
    "url_password",
]

#: Local names of the NetServer elements whose text is a secret.
SECRET_ELEMENTS = frozenset(
    {"Ticket", "ApplicationToken", "Password", "AccessToken", "SecretValue"}
)
#: The shortest secret searched for inside longer text (with a character that is not a letter).
MIN_FREE_TEXT = 8
#: The shortest secret of letters alone searched for inside longer text.
MIN_LETTERS_ONLY = 16

_SECRET_MARKUP = re.compile(
    r"<(?P<prefix>[\w.-]+:)?(?P<name>"
    + "|".join(sorted(SECRET_ELEMENTS))
    + r")\b[^>]*?(?<!/)>(?P<text>.*?)(?:</(?P=prefix)?(?P=name)\s*>|\Z)",
    re.DOTALL,
)


def _carries_secret(element: etree._Element) -> bool:
    """One of ``SECRET_ELEMENTS`` (masked whole), or a simple element whose name says it carries
    a secret (``NewPassword``, ``ClientSecret``, ``RefreshToken``: the rule the generator
    declares secrets by, ``_xml.is_secret_name``)."""
    local = etree.QName(element).localname
    return local in SECRET_ELEMENTS or (not len(element) and is_secret_name(local))


def searchable(secret: str) -> bool:
    """Whether ``secret`` is looked for inside longer text (rule 3)."""
    if all(c.isalpha() or c.isspace() for c in secret):  # it reads like words
        return len(secret) >= MIN_LETTERS_ONLY and not any(c.isspace() for c in secret)
    return len(secret.strip()) >= MIN_FREE_TEXT


def _usable(secrets: Iterable[Optional[str]]) -> list[str]:
    found = {secret for secret in secrets if secret and secret.strip()}
    return sorted(found, key=len, reverse=True)  # a longer secret before one inside it


def mask_value(value: str, secrets: Iterable[Optional[str]]) -> str:
    """A value: ``***`` when it equals a secret (any length), else masked as free text."""
    return _masked_value(value, _usable(secrets))


def mask_identifier(value: str, secrets: Iterable[Optional[str]]) -> str:
    """An identifier (an exception type, a fault code): masked only when equal to a secret."""
    usable = _usable(secrets)
    return REDACTED if value in usable or value.strip() in usable else value


def mask_text(text: str, secrets: Iterable[Optional[str]]) -> str:
    """Free text: each searchable secret replaced where it stands as a whole token."""
    return _mask_free_text(text, _usable(secrets))


def _mask_free_text(text: str, usable: list[str]) -> str:
    for secret in usable:
        if not searchable(secret) or secret not in text:
            continue
        before = r"(?<![^\W_])" if secret[0].isalnum() else ""
        after = r"(?![^\W_])" if secret[-1].isalnum() else ""
        text = re.sub(before + re.escape(secret) + after, REDACTED, text)
    return text


def mask_tree(root: etree._Element, secrets: Iterable[Optional[str]]) -> None:
    """Mask an element tree in place: secret elements whole, every other text and attribute
    value by rules 2 and 3."""
    usable = _usable(secrets)
    for element in root.iter():
        if isinstance(element.tag, str) and _carries_secret(element):
            if len(element) or element.text:
                for child in list(element):
                    element.remove(child)
                element.text = REDACTED
        elif element.text:
            element.text = _masked_value(element.text, usable)
        if element.tail:
            element.tail = _masked_value(element.tail, usable)
        for name, value in element.attrib.items():
            element.set(name, _masked_value(value, usable))


def _masked_value(value: str, usable: list[str]) -> str:
    if value in usable or value.strip() in usable:
        return REDACTED
    if "<" in value:  # XML quoted as text (an echoed request): its secret elements too
        value = _SECRET_MARKUP.sub(_masked_markup, value)
    return _mask_free_text(value, usable)


def mask_markup(content: bytes, secrets: Iterable[Optional[str]]) -> tuple[str, bool]:
    """Any body as masked text, and whether it was well-formed XML (then re-serialized)."""
    usable = _usable(secrets)
    try:
        root = etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError:
        root = None
    if root is not None:
        mask_tree(root, usable)
        return etree.tostring(root, encoding="unicode"), True
    return mask_plain(content.decode("utf-8", "replace"), usable), False


def mask_plain(text: str, secrets: Iterable[Optional[str]]) -> str:
    """Text that is not XML (rule 5): entities decoded, secret elements and secrets masked."""
    usable = _usable(secrets)
    text = html.unescape(text)
    text = _SECRET_MARKUP.sub(_masked_markup, text)
    return _mask_free_text(text, usable)


def _masked_markup(match: re.Match[str]) -> str:
    start = match.start("text") - match.start()
    end = match.end("text") - match.start()
    whole = match.group(0)
    return whole[:start] + REDACTED + whole[end:]


def url_password(url: str) -> Optional[str]:
    """The password of a URL's user information, if any."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def mask_url(url: str) -> str:
    """``url`` with the password of its user information shown as ``***`` (rule 6)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{REDACTED}@{host}"))


def mask_headers_mapping(
    headers: Mapping[str, str], secrets: Iterable[Optional[str]], secret_names: Iterable[str]
) -> dict[str, str]:
    """HTTP headers: the named ones replaced whole, the others masked as values."""
    names = {name.lower() for name in secret_names}
    usable = _usable(secrets)
    return {
        key: REDACTED if key.lower() in names else _masked_value(value, usable)
        for key, value in headers.items()
    }
