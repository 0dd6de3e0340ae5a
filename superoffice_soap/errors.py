"""Every exception the public API raises, in one place.

The tree::

    SuperOfficeSoapError                  base of everything this library raises
    ├── InvalidRequestError (ValueError)  a bad argument; raised before anything is sent
    ├── AgentClosedError (RuntimeError)   a call on an agent (or http_client) that was closed
    ├── TransportError                    connect / read / write / timeout; httpx error as __cause__
    ├── HTTPStatusError                   an HTTP answer that is not SOAP (HTML page, empty body, 3xx, 415 …)
    ├── SoapFault                         a SOAP 1.1 or 1.2 Fault element, whatever the HTTP status
    ├── NetServerError                    Succeeded=false and/or ExceptionInfo in the response headers
    │   └── AuthenticationError           an Authenticate* call failed (wrong password, bad token …)
    └── ResponseParseError                a SOAP answer whose shape or values break the contract
        └── ResponseTooLargeError         the body grew past max_response_bytes (after decompression)

    KeyboardInterrupt
    └── BulkInterrupted                   Ctrl-C during a sync bulk read: ``partial`` holds what was read

Messages never carry a ticket, an application token, a password or a SecretValue: text that the
server sends back is masked by structure before it is stored here (``_mask``: secret elements
whole, values equal to a secret, long secrets where they stand as whole tokens; the server's own
words are never garbled), and the parser never quotes the content of a secret field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Callable, NamedTuple, Optional

__all__ = [
    "AgentClosedError",
    "AuthenticationError",
    "BulkInterrupted",
    "HTTPStatusError",
    "Hint",
    "InvalidRequestError",
    "NetServerError",
    "ResponseParseError",
    "ResponseTooLargeError",
    "SoapFault",
    "SuperOfficeSoapError",
    "TransportError",
]


class Hint(NamedTuple):
    """What to change to get past an error, as data: ``setting`` is the agents' keyword to look
    at (``"url"``, ``"services"``, ``"soap_version"``), ``value`` the value to give it (None:
    check the one given), ``part`` which part of it (``"the tenant and the Services version"``)
    and ``why`` what is wrong, in words that name no setting. The library words a hint with its
    keywords (``str(error)``); the command line words the same hint with its flags."""

    why: str
    setting: str
    value: Optional[str] = None
    part: str = ""

    def library_words(self) -> str:
        """The hint in the agents' terms (keywords)."""
        if self.value is not None:
            return f"{self.why}: pin {self.setting}={self.value!r}"
        name = _LIBRARY_NAMES.get(self.setting, f"the {self.setting} keyword")
        return f"{self.why}: check {self.part + ' of ' if self.part else ''}{name}"


_LIBRARY_NAMES = {
    "url": "the url keyword",
    "services": "the services keyword (or the ServicesNN part of the url)",
}


class SuperOfficeSoapError(Exception):
    """Base class of every error raised by superoffice_soap.

    ``hints`` holds what to change, as data (``Hint``); ``context`` where the answer came from
    (``"from https://…/User.svc"``). Both are in ``str(error)``, worded for the agents' keywords;
    ``describe(words)`` words them another way (the command line: its flags)."""

    hints: tuple[Hint, ...] = ()
    context: str = ""
    _bare: Optional[str] = None

    def with_hints(self, context: str, hints: Sequence[Hint]) -> None:
        """Add the context and the hints (each once) to this error and its message."""
        if self._bare is None:
            self._bare = str(self.args[0]) if self.args else ""
        self.context = context
        self.hints = tuple(dict.fromkeys((*self.hints, *hints)))
        self.args = (self.describe(Hint.library_words), *self.args[1:])

    def describe(self, words: Callable[[Hint], str]) -> str:
        """The message with its context and each hint worded by ``words``."""
        if self._bare is None:
            return str(self.args[0]) if self.args else ""
        notes = [note for note in (self.context, *map(words, self.hints)) if note]
        return f"{self._bare} ({'; '.join(notes)})" if notes else self._bare


class InvalidRequestError(SuperOfficeSoapError, ValueError):
    """An argument is invalid; nothing was sent.

    ``argument`` names the offending argument (``"associate_id"``, ``"credential_type"`` …).
    """

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"invalid {argument}: {problem}")


class AgentClosedError(SuperOfficeSoapError, RuntimeError):
    """A call on an agent after ``close()`` (or after its ``with`` block ended), or on an agent
    whose caller-supplied ``http_client`` was closed; nothing was sent."""


class TransportError(SuperOfficeSoapError):
    """The HTTP exchange failed below HTTP: DNS, connect, TLS, read, write or a timeout.

    ``kind`` says which (``"connect"``, ``"timeout"``, ``"read"``, ``"write"``, ``"protocol"``,
    ``"other"``); the httpx exception is chained as ``__cause__``.
    """

    def __init__(self, message: str, *, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        super().__init__(message)


class HTTPStatusError(SuperOfficeSoapError):
    """The server answered, but not with a SOAP message this library can use."""

    def __init__(
        self, message: str, *, status_code: int, content_type: Optional[str], excerpt: str
    ) -> None:
        self.status_code = status_code
        self.content_type = content_type
        self.excerpt = excerpt
        super().__init__(message)


class SoapFault(SuperOfficeSoapError):
    """A SOAP Fault.

    ``code`` is the local name of the fault code (SOAP 1.1 ``faultcode``, SOAP 1.2 ``Code/Value``),
    ``subcodes`` the local names of the SOAP 1.2 ``Subcode/Value`` chain (empty for SOAP 1.1),
    ``reason`` the ``faultstring`` / first ``Reason/Text``, ``detail`` the serialized content of
    ``detail`` / ``Detail`` (or None) and ``soap_version`` the envelope version that carried it.
    Faults are read leniently (see the parser): a part the server left out is empty (``code`` "").
    """

    def __init__(
        self,
        *,
        code: str,
        subcodes: tuple[str, ...],
        reason: str,
        detail: Optional[str],
        soap_version: str,
        status_code: int,
    ) -> None:
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.detail = detail
        self.soap_version = soap_version
        self.status_code = status_code
        codes = "/".join((code or "(no fault code)", *subcodes))
        super().__init__(f"SOAP {soap_version} fault {codes}: {reason}")


class NetServerError(SuperOfficeSoapError):
    """NetServer reported a failure in the response headers (``Succeeded`` false / ``ExceptionInfo``).

    The fields mirror SoExceptionInfo; ``inner_exception`` is the next NetServerError of the
    chain or None. ``stack_trace`` is kept as an attribute but never shown in ``str()``.
    """

    def __init__(
        self,
        *,
        exception_type: Optional[str],
        message: Optional[str],
        friendly_text: Optional[str] = None,
        source: Optional[str] = None,
        stack_trace: Optional[str] = None,
        parameters: Optional[Mapping[str, Optional[str]]] = None,
        inner_exception: Optional[NetServerError] = None,
    ) -> None:
        self.exception_type = exception_type
        self.message = message
        self.friendly_text = friendly_text
        self.source = source
        self.stack_trace = stack_trace
        self.parameters: Mapping[str, Optional[str]] = dict(parameters or {})
        self.inner_exception = inner_exception
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.exception_type is None and self.message is None:
            text = "NetServer reported Succeeded=false without exception details"
        else:
            text = (
                f"NetServer error {self.exception_type or '(unknown type)'}: {self.message or ''}"
            )
        said = [_gist(self.message)]
        if self.friendly_text and not _said(self.friendly_text, said):
            text += f" ({self.friendly_text})"
            said.append(_gist(self.friendly_text))
        inner = self.inner_exception
        while inner is not None:
            if not (inner.message and _said(inner.message, said)):
                text += f" <- {inner.exception_type or '(unknown type)'}: {inner.message or ''}"
                said.append(_gist(inner.message))
            inner = inner.inner_exception
        return text


def _gist(text: Optional[str]) -> str:
    """Text as compared for repetition: spaces collapsed, final punctuation and case ignored."""
    return " ".join((text or "").split()).rstrip(".!").casefold()


def _said(text: str, said: list[str]) -> bool:
    """Whether ``text`` adds nothing to what the message already says."""
    gist = _gist(text)
    return any(gist in earlier for earlier in said)


class AuthenticationError(NetServerError):
    """SoPrincipal refused to authenticate: ``AuthenticationSucceeded`` false, or a NetServer error
    (``Succeeded`` false with ExceptionInfo, as a wrong password may come back) from an
    Authenticate* call, whose details it carries. Never carries the password or a ticket."""


class ResponseParseError(SuperOfficeSoapError):
    """The answer is XML but breaks the contract.

    ``path`` locates the problem (like
    ``Body/GetUntrustedCredentialsForAssociateResponse/Response/UntrustedCredentials[2]/IsActive``);
    the message quotes the offending value unless the field holds a secret.
    """

    def __init__(self, problem: str, *, path: str = "") -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class ResponseTooLargeError(ResponseParseError):
    """The response body grew past the agent's ``max_response_bytes`` (counted after gzip or
    deflate decompression); reading stopped there, the rest was never buffered."""


class BulkInterrupted(KeyboardInterrupt):
    """Ctrl-C (KeyboardInterrupt) during a sync bulk read. No request started after it; the calls
    already in flight were let finish. ``partial`` maps each associate read before it to its
    answer (or, with ``errors="collect"``, its error), in the order asked. Being a
    KeyboardInterrupt, it ends a program as Ctrl-C does unless caught."""

    def __init__(self, partial: Mapping[int, object], total: int) -> None:
        self.partial = dict(partial)
        self.total = total
        super().__init__(f"interrupted after {len(self.partial)} of {total} associates")
