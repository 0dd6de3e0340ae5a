"""The debug history: the last exchanges of an agent, with every secret masked (sans-IO).

Off by default (``history=0``). With ``history=N`` an agent keeps its last N exchanges — request
and response headers and bodies — like zeep's HistoryPlugin, for a person to inspect. Before
anything is kept, it is masked by structure (``_mask``): whatever parses as XML, whatever its
Content-Type says, has its secret elements (Ticket, ApplicationToken, Password, AccessToken,
SecretValue) replaced by ``***`` and every value equal to a known secret too; anything else (an
HTML page, a truncated body) is kept as text with its entities decoded and its secret elements
masked from the opening tag on. Masking parses each kept body a second time: a debugging cost
paid only with the history on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Optional

import attrs

from ._mask import SECRET_ELEMENTS, mask_headers_mapping, mask_markup

__all__ = ["SECRET_ELEMENTS", "Exchange", "mask_body", "mask_headers"]

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
    """HTTP headers with credentials-bearing values replaced and values equal to a known secret
    masked."""
    return mask_headers_mapping(headers, secrets, _SECRET_HEADERS)


def mask_body(
    content: bytes, secrets: Iterable[Optional[str]], content_type: Optional[str] = None
) -> str:
    """A body for the history, masked by structure whatever ``content_type`` claims (kept for
    callers; the masking does not trust it)."""
    del content_type
    if not content.strip():
        return ""
    text, _ = mask_markup(content[: _MAX_TEXT * 4], secrets)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + f"… [{len(text) - _MAX_TEXT} more characters]"
    return text
