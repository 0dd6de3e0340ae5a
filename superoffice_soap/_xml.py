"""XML utilities below both the answer reader (``parser``) and the debug history (``history``):
the safe parser, the mask's text, XML media types, element names and excerpts for messages.

Nothing here does I/O; nothing here knows an operation or a type.
"""

from __future__ import annotations

import re
import threading
from typing import Optional

from lxml import etree

from ._namespaces import NETSERVER_NS_PREFIX

__all__ = [
    "REDACTED",
    "describe_tag",
    "excerpt",
    "is_secret_name",
    "is_xml_content_type",
    "safe_parser",
]

#: What a secret is replaced with in text that leaves the library.
REDACTED = "***"
_EXCERPT_CHARS = 200
_XML_MEDIA_TYPES = frozenset({"text/xml", "application/xml", "application/soap+xml"})
_local_parser = threading.local()
#: Element names that carry a secret: a password, a secret, a ticket, a token.
_SECRET_NAME = re.compile(r"Password|Secret|Ticket\Z|Token\Z", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether an element of this local name carries a secret (``Password``, ``NewPassword``,
    ``SecretValue``, ``Ticket``, ``AccessToken``, …): the one rule for what the generator
    declares secret and what the debug history masks."""
    return _SECRET_NAME.search(name) is not None


def safe_parser() -> etree.XMLParser:
    """The thread's parser: no DTD, no entities, no network, comments and PIs dropped."""
    # lxml parsers keep state while parsing: one per thread.
    parser: Optional[etree.XMLParser] = getattr(_local_parser, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local_parser.parser = parser
    return parser


def is_xml_content_type(content_type: Optional[str]) -> bool:
    """Whether a Content-Type claims XML (a missing one makes no claim either way)."""
    if content_type is None:
        return True  # no claim either way: let the parser decide
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in _XML_MEDIA_TYPES or media_type.endswith("+xml")


def describe_tag(tag: object) -> str:
    """A readable element name: the local name for NetServer elements, else with its namespace."""
    if not isinstance(tag, str):
        return "a non-element node"
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return (
            local
            if namespace.startswith(NETSERVER_NS_PREFIX)
            else f"{local} (namespace {namespace})"
        )
    return f"{tag} (no namespace)"


def excerpt(text: str) -> str:
    """Text for a message: whitespace collapsed, at most 200 characters."""
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"
