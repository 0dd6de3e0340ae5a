"""The debug history: the last exchanges of an agent, with every secret masked (sans-IO).

Off by default (``history=0``). With ``history=N`` an agent keeps its last N exchanges — request
and response headers and bodies — like zeep's HistoryPlugin, for a person to inspect. Before
anything is kept, the elements that carry secrets (Ticket, ApplicationToken, Password,
AccessToken, SecretValue) are replaced by ``***`` and every known secret string is scrubbed;
a body that is not well-formed XML is not kept at all (only its size), because what in it is
secret cannot be told. Masking parses each kept body a second time: a debugging cost paid only
with the history on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Optional

import attrs
from lxml import etree

from ._xml import REDACTED, is_xml_content_type, safe_parser, scrub

__all__ = ["SECRET_ELEMENTS", "Exchange", "mask_body", "mask_headers"]

#: Local names of the NetServer elements whose text is a secret.
SECRET_ELEMENTS = frozenset(
    {"Ticket", "ApplicationToken", "Password", "AccessToken", "SecretValue"}
)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_MAX_TEXT = 256 * 1024


@attrs.frozen
class Exchange:
    """One request and its answer (or the transport error), secrets masked."""

    operation: str
    url: str
    soap_version: str
    request_headers: Mapping[str, str]
    request_body: str
    status_code: Optional[int]
    response_headers: Mapping[str, str]
    response_body: Optional[str]
    error: Optional[str]
    duration: float


def mask_headers(headers: Mapping[str, str], secrets: Iterable[Optional[str]]) -> dict[str, str]:
    """HTTP headers with credentials-bearing values replaced and known secrets scrubbed."""
    return {
        key: REDACTED if key.lower() in _SECRET_HEADERS else scrub(value, secrets)
        for key, value in headers.items()
    }


def mask_body(
    content: bytes, secrets: Iterable[Optional[str]], content_type: Optional[str] = None
) -> str:
    """A body for the history: XML with its secret elements masked, or a note when XML is not
    well-formed. A body that does not claim to be XML (an HTML error page) is kept as text,
    scrubbed of the known secrets."""
    secrets = tuple(secrets)
    if not content.strip():
        return ""
    if content_type is not None and not is_xml_content_type(content_type):
        text = content[:_MAX_TEXT].decode("utf-8", "replace")
        return scrub(text, secrets)
    try:
        root = etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError:
        return f"[{len(content)} bytes, not well-formed XML: not kept]"
    for element in root.iter():
        secret = isinstance(element.tag, str) and etree.QName(element).localname in SECRET_ELEMENTS
        if secret and (len(element) or element.text):
            for child in list(element):
                element.remove(child)
            element.text = REDACTED
    text = etree.tostring(root, encoding="unicode")
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + f"… [{len(text) - _MAX_TEXT} more characters]"
    return scrub(text, secrets)
