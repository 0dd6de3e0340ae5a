"""The sans-IO protocol: requests to send, answers to decode, SOAP version negotiation.

Two layers, both without I/O:

* ``build_request`` / ``parse_response`` are plain functions for callers with their own HTTP stack:
  build a request (URL, headers, bytes), send it however you like, and hand the status, headers
  and bytes of the answer back.
* ``Session`` holds one agent's settings (URL, ticket, token, time zone, SOAP version state) and
  turns a call into a *plan*: a generator that yields each ``SoapRequest`` to send and receives
  each ``HttpResponse``, and finally returns the decoded result. The sync and async agents only
  drive the plan over httpx, so every decision (negotiation, logging, decoding) is made once, here.

Negotiation (``soap_version="auto"``): the first request goes out as the documentation's SOAP 1.2
envelope. When the answer shows a SOAP 1.1 server (HTTP 415, a VersionMismatch fault, or any SOAP
1.1 envelope in reply to SOAP 1.2), the same request is resent once as SOAP 1.1 and the session uses
1.1 from then on; a SOAP 1.2 envelope in reply settles on 1.2. Pinned versions never negotiate.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator, Iterable, Mapping
from typing import Literal, Optional, TypeVar
from urllib.parse import urlsplit

import attrs

from ._version import __version__
from .envelope import build_envelope, check_time_zone, http_headers
from .errors import InvalidRequestError, TransportError
from .models import SoTimeZone
from .operations import Operation, SoapVersion, check_string
from .parser import ReceivedEnvelope, decode_payload, read_envelope

__all__ = [
    "USER_AGENT",
    "HttpResponse",
    "Session",
    "SoapRequest",
    "SoapVersionSetting",
    "build_request",
    "parse_response",
    "service_url",
]

logger = logging.getLogger("superoffice_soap")

T = TypeVar("T")
SoapVersionSetting = Literal["auto", "1.1", "1.2"]
USER_AGENT = f"superoffice-soap/{__version__}"


@attrs.frozen
class SoapRequest:
    """An HTTP POST to make. ``content`` holds the ticket, so it is left out of ``repr``."""

    url: str
    headers: Mapping[str, str]
    content: bytes = attrs.field(repr=False)
    operation: str
    soap_version: SoapVersion


@attrs.frozen
class HttpResponse:
    """What came back: status, headers (any case) and the body bytes."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes = attrs.field(repr=False)


def service_url(url: str, service: str) -> str:
    """``<base>/<service>.svc`` from a base URL or from any ``….svc`` URL of the same base."""
    if not isinstance(url, str):
        raise InvalidRequestError("url", f"must be a str, got {type(url).__name__}")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise InvalidRequestError("url", f"must not contain spaces or control characters: {url!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise InvalidRequestError("url", f"{exc}: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidRequestError("url", f"must be an http:// or https:// URL, got {url!r}")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise InvalidRequestError("url", f"must not carry a query or fragment, got {url!r}")
    base = url.rstrip("/")
    head, _, last = base.rpartition("/")
    if last.lower().endswith(".svc") and parts.path.strip("/"):
        base = head
    return f"{base}/{service}.svc"


def build_request(
    operation: Operation[object],
    arguments: Mapping[str, object],
    *,
    url: str,
    soap_version: SoapVersion = "1.1",
    ticket: Optional[str] = None,
    application_token: Optional[str] = None,
    time_zone: Optional[SoTimeZone] = None,
) -> SoapRequest:
    """Build the HTTP request for one call; raises InvalidRequestError before anything exists.

    ``url`` is the service base (``…/Remote/Services86``) or the full ``….svc`` URL.
    """
    if soap_version not in ("1.1", "1.2"):
        raise InvalidRequestError("soap_version", f"must be '1.1' or '1.2', got {soap_version!r}")
    content = build_envelope(
        operation,
        arguments,
        soap_version=soap_version,
        ticket=ticket,
        application_token=application_token,
        time_zone=time_zone,
    )
    headers = http_headers(operation, soap_version)
    headers["User-Agent"] = USER_AGENT
    return SoapRequest(
        service_url(url, operation.service.name), headers, content, operation.name, soap_version
    )


def parse_response(
    operation: Operation[T],
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    redact: Iterable[Optional[str]] = (),
) -> T:
    """Decode the answer to ``operation`` or raise the matching SuperOfficeSoapError.

    ``redact`` lists secrets (your ticket, application token) to scrub from server text that
    ends up in an exception.
    """
    secrets = tuple(redact)
    envelope = read_envelope(status_code, headers, content, redact=secrets)
    return _decode(operation, envelope, secrets)


def _decode(
    operation: Operation[T], envelope: ReceivedEnvelope, secrets: tuple[Optional[str], ...]
) -> T:
    result: T = decode_payload(envelope, operation.response_qname, operation.decode, redact=secrets)
    return result


Plan = Generator[SoapRequest, HttpResponse, T]


class Session:
    """One agent's settings and SOAP version state; makes the plan of every call.

    Thread- and task-safe: the only mutable state is the negotiated version, settled under a lock.
    """

    def __init__(
        self,
        url: str,
        service: str,
        *,
        ticket: Optional[str],
        application_token: Optional[str],
        time_zone: Optional[SoTimeZone],
        soap_version: SoapVersionSetting,
    ) -> None:
        if soap_version not in ("auto", "1.1", "1.2"):
            raise InvalidRequestError(
                "soap_version", f"must be 'auto', '1.1' or '1.2', got {soap_version!r}"
            )
        self.url = service_url(url, service)
        if ticket is not None:
            check_string("ticket", ticket, secret=True)
        if application_token is not None:
            check_string("application_token", application_token, secret=True)
        if time_zone is not None:
            check_time_zone(time_zone)
        self.ticket = ticket
        self.application_token = application_token
        self.time_zone = time_zone
        self.soap_version_setting: SoapVersionSetting = soap_version
        self._settled: Optional[SoapVersion] = None if soap_version == "auto" else soap_version
        self._lock = threading.Lock()

    @property
    def soap_version(self) -> Optional[SoapVersion]:
        """The version in use: None while ``auto`` has not settled yet."""
        return self._settled

    @property
    def secrets(self) -> tuple[Optional[str], ...]:
        return (self.ticket, self.application_token)

    def request(
        self, operation: Operation[object], arguments: Mapping[str, object], version: SoapVersion
    ) -> SoapRequest:
        return build_request(
            operation,
            arguments,
            url=self.url,
            soap_version=version,
            ticket=self.ticket,
            application_token=self.application_token,
            time_zone=self.time_zone,
        )

    def plan(self, operation: Operation[T], arguments: Mapping[str, object]) -> Plan[T]:
        """The whole exchange of one call, including a one-time SOAP 1.1 fallback."""
        settled = self._settled
        version: SoapVersion = settled or "1.2"
        request = self.request(operation, arguments, version)
        response = yield from self._exchange(request)
        if settled is not None:
            envelope = read_envelope(
                response.status_code, response.headers, response.content, redact=self.secrets
            )
            return _decode(operation, envelope, self.secrets)

        envelope_or_fallback = self._negotiate(response)
        if envelope_or_fallback is not None:
            return _decode(operation, envelope_or_fallback, self.secrets)
        request = self.request(operation, arguments, "1.1")
        response = yield from self._exchange(request)
        envelope = read_envelope(
            response.status_code, response.headers, response.content, redact=self.secrets
        )
        return _decode(operation, envelope, self.secrets)

    def _negotiate(self, response: HttpResponse) -> Optional[ReceivedEnvelope]:
        """Settle the version from the answer to a SOAP 1.2 request; None means: resend as 1.1."""
        if response.status_code == 415:
            self._settle("1.1", "HTTP 415 to SOAP 1.2")
            return None
        envelope = read_envelope(
            response.status_code, response.headers, response.content, redact=self.secrets
        )
        if envelope.soap_version == "1.1":
            self._settle("1.1", "a SOAP 1.1 envelope in reply to SOAP 1.2")
            return None
        if envelope.is_version_mismatch:
            self._settle("1.1", "a VersionMismatch fault")
            return None
        self._settle("1.2", "a SOAP 1.2 envelope in reply")
        return envelope

    def _settle(self, version: SoapVersion, reason: str) -> None:
        with self._lock:
            if self._settled is None:
                self._settled = version
                logger.debug("SOAP version settled on %s for %s (%s)", version, self.url, reason)

    def _exchange(self, request: SoapRequest) -> Generator[SoapRequest, HttpResponse, HttpResponse]:
        started = time.perf_counter()
        try:
            response = yield request
        except TransportError as exc:
            logger.debug(
                "%s POST %s SOAP %s -> %s error after %.1f ms",
                request.operation,
                request.url,
                request.soap_version,
                exc.kind,
                (time.perf_counter() - started) * 1000,
            )
            raise
        logger.debug(
            "%s POST %s SOAP %s -> HTTP %d in %.1f ms",
            request.operation,
            request.url,
            request.soap_version,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response
