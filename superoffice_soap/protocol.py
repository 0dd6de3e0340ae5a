"""The sans-IO protocol: requests to send, answers to decode, SOAP version negotiation.

Two layers, both without I/O:

* ``build_request`` / ``parse_response`` are plain functions for callers with their own HTTP stack:
  build a request (URL, headers, bytes), send it however you like, and hand the status, headers
  and bytes of the answer back.
* ``Session`` holds one agent's settings (URL, ticket, token, time zone, SOAP version state) and
  turns a call into a *plan*: a generator that yields each ``SoapRequest`` to send and receives
  each ``HttpResponse``, and finally returns the decoded result. The sync and async agents only
  drive the plan over httpx, so every decision (negotiation, logging, decoding) is made once, here.

Tickets: a session's ticket is a string, a callable returning one (called for every request), or
a ``Login`` that authenticated through SoPrincipal and re-authenticates once when NetServer says
the ticket expired (``is_ticket_expired`` decides; other NetServer errors never re-login). However
many calls meet the same expired ticket at once, one of them logs in; the others ``Wait`` for it
and each is repeated once with the new ticket.

Time: the core never reads a clock. A ``Session`` is given one by its driver (monotonic seconds);
deadlines, the room left for a retry and the durations in the log and history are read from it,
and a plan asks its driver to wait (``Sleep``) instead of sleeping. Tests drive it with a fake.

Negotiation (``soap_version="auto"``): the first request to a server goes out as the
documentation's SOAP 1.2 envelope. When the answer shows a SOAP 1.1 server (HTTP 415, a
VersionMismatch fault, or any SOAP 1.1 envelope in reply to SOAP 1.2), the same request is resent
once as SOAP 1.1, and every session of that server root uses 1.1 from then on (``negotiation``
keeps what the process learned); a SOAP 1.2 envelope in reply settles on 1.2. Pinned versions
never negotiate and never look at what was learned.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import deque
from collections.abc import Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, TypeVar, Union
from urllib.parse import urlsplit

import attrs

from . import operations as _operations
from ._flight import Flight
from ._http import header
from ._mask import mask_url, url_password
from ._version import __version__
from .envelope import build_envelope, check_time_zone, http_headers
from .errors import (
    Hint,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .history import Exchange, mask_body, mask_headers
from .models import (
    SoTimeZone,
)
from .negotiation import server_version
from .operations import (
    DEFAULT_SERVICES,
    Operation,
    Service,
    SoapVersion,
    check_services,
    namespace,
    secret_arguments,
    services_number,
)
from .parser import ReceivedEnvelope, decode_payload, read_envelope
from .retry import retry_policy
from .xsd import check_string

if TYPE_CHECKING:
    from .principal import Authentication

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "Effect",
    "HttpResponse",
    "Login",
    "Session",
    "Sleep",
    "SoapRequest",
    "SoapVersionSetting",
    "TicketSource",
    "Wait",
    "build_request",
    "is_ticket_expired",
    "parse_response",
    "resolve_services",
    "service_url",
]

logger = logging.getLogger("superoffice_soap")

T = TypeVar("T")
_E = TypeVar("_E", bound=SuperOfficeSoapError)
#: The default cap on one response body, counted after decompression.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
SoapVersionSetting = Literal["auto", "1.1", "1.2"]
#: A ticket: the string itself, or a callable returning the current one.
TicketSource = Union[str, Callable[[], str], None]
USER_AGENT = f"superoffice-soap/{__version__}"


@attrs.frozen(eq=False, repr=False)
class SoapRequest:
    """An HTTP POST to make. ``content`` holds the ticket, so it is left out of ``repr``."""

    url: str
    headers: Mapping[str, str]
    content: bytes
    operation: str
    soap_version: SoapVersion
    #: The time on the session's clock by which the whole call must be done, or None.
    deadline: Optional[float] = None

    def __repr__(self) -> str:
        return (
            f"SoapRequest(url={mask_url(self.url)!r}, operation={self.operation!r}, "
            f"soap_version={self.soap_version!r}, content=<{len(self.content)} bytes>)"
        )


@attrs.frozen(eq=False)
class Sleep:
    """A plan's request to wait before it goes on (between retries)."""

    seconds: float


@attrs.frozen(eq=False, repr=False)
class Wait:
    """A plan's request to wait until another call's shared work is done (its ``flight``: a
    re-login, a server's first SOAP version probe), or ``timeout`` seconds (None: no limit) pass.

    The driver subscribes to the flight and waits its own way, without blocking an event loop.
    """

    flight: Flight
    timeout: Optional[float]


@attrs.frozen(eq=False, repr=False)
class HttpResponse:
    """What came back: status, headers (any case) and the body bytes."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def __repr__(self) -> str:
        return f"HttpResponse(status_code={self.status_code}, content=<{len(self.content)} bytes>)"


def is_ticket_expired(error: NetServerError) -> bool:
    """The one rule that says a NetServer error means "log in again".

    NetServer's wording is not documented; the exception type names it: types such as
    ``SoSessionExpiredException`` or ``SoInvalidTicketException`` — any type that mentions a
    ticket or a session. Pass another callable as ``is_ticket_expired=`` to an agent to change it.
    """
    kind = (error.exception_type or "").lower()
    return "ticket" in kind or "session" in kind


def service_url(url: str, service: str) -> str:
    """``<base>/<service>.svc`` from a base URL or from any ``….svc`` URL of the same base."""
    if not isinstance(url, str):
        raise InvalidRequestError("url", f"must be a str, got {type(url).__name__}")
    return _service_url(url, service)


@functools.lru_cache(maxsize=256)  # an agent asks for the same URL on every call
def _service_url(url: str, service: str) -> str:
    if _BAD_URL_CHARACTER.search(url):
        raise InvalidRequestError(
            "url", f"must not contain spaces or control characters: {mask_url(url)!r}"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError as exc:
        raise InvalidRequestError("url", f"{exc}: {mask_url(url)!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidRequestError(
            "url", f"must be an http:// or https:// URL, got {mask_url(url)!r}"
        )
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise InvalidRequestError(
            "url",
            f"must not carry a query or fragment, got {mask_url(url)!r}; pass the services base URL, "
            f"e.g. {EXAMPLE_BASE_URL}",
        )
    # Any ….svc URL of the base stands for the base: …/SoPrincipal.svc, …/User.svc/, …/User.svc/x
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment.lower().endswith(".svc"):
            segments = segments[:index]
            break
    base = parts._replace(path="/".join(segments).rstrip("/")).geturl()
    return f"{base}/{service}.svc"


#: What a NetServer services base URL looks like, for messages.
EXAMPLE_BASE_URL = "https://host/<tenant>/Remote/Services86"
_BAD_URL_CHARACTER = re.compile("[\x00-\x20\x7f]")
_SERVICES_IN_URL = re.compile(r"/Remote/(Services\d+)(?:/|$)", re.IGNORECASE)


def resolve_services(url: str, services: Optional[str]) -> str:
    """The Services version: from ``…/Remote/ServicesNN`` in the URL, else ``services``, else 86.

    A URL version and a different explicit ``services`` conflict: InvalidRequestError.
    """
    if services is not None:
        check_services(services)
    if not isinstance(url, str):
        return services or DEFAULT_SERVICES
    return _resolve_services(url, services)


@functools.lru_cache(maxsize=256)
def _resolve_services(url: str, services: Optional[str]) -> str:
    match = _SERVICES_IN_URL.search(urlsplit(url).path)
    if match is None:
        return services or DEFAULT_SERVICES
    in_url = check_services("Services" + match[1][len("Services") :])
    if services is not None and services != in_url:
        raise InvalidRequestError(
            "services", f"{services!r} conflicts with {in_url!r} in the URL {mask_url(url)!r}"
        )
    return in_url


def build_request(
    operation: Operation[..., object],
    arguments: Mapping[str, object],
    *,
    url: str,
    soap_version: SoapVersion = "1.1",
    services: Optional[str] = None,
    ticket: Optional[str] = None,
    application_token: Optional[str] = None,
    time_zone: Optional[SoTimeZone] = None,
) -> SoapRequest:
    """Build the HTTP request for one call; raises InvalidRequestError before anything exists.

    ``url`` is the service base (``…/Remote/Services86``) or any ``….svc`` URL of it;
    ``services`` defaults to the version in the URL, else Services86.
    """
    if soap_version not in ("1.1", "1.2"):
        raise InvalidRequestError("soap_version", f"must be '1.1' or '1.2', got {soap_version!r}")
    endpoint = service_url(url, operation.service.name)
    version = resolve_services(url, services)
    if services_number(version) < operation.min_services:
        raise InvalidRequestError(
            "services", f"{operation.name} needs Services{operation.min_services} or later"
        )
    if isinstance(ticket, str) and ticket.startswith("8A:") and services_number(version) < 86:
        raise InvalidRequestError("ticket", "access tokens (8A:…) need Services86 or later")
    content = build_envelope(
        operation,
        arguments,
        soap_version=soap_version,
        services=version,
        ticket=ticket,
        application_token=application_token,
        time_zone=time_zone,
    )
    headers = http_headers(operation, soap_version, version)
    headers["User-Agent"] = USER_AGENT
    return SoapRequest(endpoint, headers, content, operation.name, soap_version)


def parse_response(
    operation: Operation[..., T],
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    services: str = DEFAULT_SERVICES,
    redact: Iterable[Optional[str]] = (),
) -> T:
    """Decode the answer to ``operation`` or raise the matching SuperOfficeSoapError.

    ``redact`` lists secrets (your ticket, application token) to scrub from server text that
    ends up in an exception.
    """
    secrets = tuple(redact)
    envelope = read_envelope(status_code, headers, content, redact=secrets)
    return _decode(operation, envelope, check_services(services), secrets)


def _decode(
    operation: Operation[..., T],
    envelope: ReceivedEnvelope,
    services: str,
    secrets: tuple[Optional[str], ...],
) -> T:
    """The operation's result, or the error the answer reports (a fault, a NetServer error, or
    a result the operation declares a refusal: AuthenticationSucceeded false)."""
    result: T = decode_payload(envelope, operation, namespace(services), redact=secrets)
    refusal = operation.refused(result) if operation.refused is not None else None
    if refusal is not None:
        raise operation.error_class(exception_type=None, message=refusal)
    return result


#: What a plan yields: a request to send (answer: its HttpResponse), a Sleep or a Wait (answer:
#: None).
Effect = Union[SoapRequest, Sleep, Wait]
Plan = Generator[Effect, Optional[HttpResponse], T]


class Session:
    """One agent's settings and SOAP version state; makes the plan of every call.

    Thread- and task-safe: the mutable state (the negotiated version, a login's ticket) changes
    under a lock. ``clock`` is the driver's monotonic clock (``time.monotonic`` in the agents):
    the only source of time for deadlines, retry room and durations.
    """

    def __init__(
        self,
        url: str,
        service: Service,
        *,
        ticket: TicketSource = None,
        application_token: Optional[str] = None,
        time_zone: Optional[SoTimeZone] = None,
        soap_version: SoapVersionSetting = "auto",
        services: Optional[str] = None,
        ticket_expired: Callable[[NetServerError], bool] = is_ticket_expired,
        retries: object = 2,
        deadline: Optional[float] = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        history: int = 0,
        clock: Callable[[], float],
    ) -> None:
        if soap_version not in ("auto", "1.1", "1.2"):
            raise InvalidRequestError(
                "soap_version", f"must be 'auto', '1.1' or '1.2', got {soap_version!r}"
            )
        self.url = service_url(url, service.name)
        self.services = resolve_services(url, services)
        self.service = service
        if isinstance(ticket, str):
            check_string("ticket", ticket, secret=True)
            if ticket.startswith("8A:") and services_number(self.services) < 86:
                raise InvalidRequestError("ticket", "access tokens (8A:…) need Services86 or later")
        elif ticket is not None and not callable(ticket):
            raise InvalidRequestError(
                "ticket", f"must be a str or a callable returning one, got {type(ticket).__name__}"
            )
        if application_token is not None:
            check_string("application_token", application_token, secret=True)
        if time_zone is not None:
            check_time_zone(time_zone)
        self._ticket = ticket
        self.application_token = application_token
        self.time_zone = time_zone
        self.soap_version_setting: SoapVersionSetting = soap_version
        self.ticket_expired = ticket_expired
        self.login: Optional[Login] = None
        self.retries = retry_policy(retries)
        self.deadline = _positive("deadline", deadline) if deadline is not None else None
        self.max_response_bytes = _count("max_response_bytes", max_response_bytes, minimum=1)
        #: The last exchanges, secrets masked (None when the history is off).
        self.history: Optional[deque[Exchange]] = (
            deque(maxlen=history) if _count("history", history, minimum=0) else None
        )
        self.clock = clock
        #: A pinned version; None for ``auto``, whose version is the server's shared state.
        self._settled: Optional[SoapVersion] = None if soap_version == "auto" else soap_version

    def for_service(self, service: Service) -> Session:
        """A session with this one's settings (base URL, Services version, SOAP setting,
        application token, retries, limits, clock) and history, for another service and without
        a ticket: the SoPrincipal session of a login."""
        other = Session(
            self.url,
            service,
            application_token=self.application_token,
            soap_version=self.soap_version_setting,
            services=self.services,
            retries=self.retries,
            deadline=self.deadline,
            max_response_bytes=self.max_response_bytes,
            clock=self.clock,
        )
        other.history = self.history
        return other

    @property
    def soap_version(self) -> Optional[SoapVersion]:
        """The version in use: None while ``auto`` has not settled yet."""
        if self._settled is not None:
            return self._settled
        return server_version(self.url).settled

    def ticket(self) -> Optional[str]:
        """The ticket for the next request."""
        if self.login is not None:
            return self.login.ticket
        source = self._ticket
        if source is None or isinstance(source, str):
            return source
        value = source()
        check_string("ticket", value, secret=True)
        return value

    @property
    def secrets(self) -> tuple[Optional[str], ...]:
        """The session's own secrets, to scrub from server text."""
        ticket = self._ticket if isinstance(self._ticket, str) else None
        login_ticket = self.login.ticket if self.login is not None else None
        return (ticket, login_ticket, self.application_token, url_password(self.url))

    def request(
        self,
        operation: Operation[..., Any],
        arguments: Mapping[str, object],
        version: SoapVersion,
        ticket: Optional[str],
    ) -> SoapRequest:
        """This session's request for one call in one SOAP version."""
        return build_request(
            operation,
            arguments,
            url=self.url,
            soap_version=version,
            services=self.services,
            ticket=ticket if operation.service.sends_ticket else None,
            application_token=self.application_token,
            time_zone=self.time_zone if operation.service.sends_ticket else None,
        )

    def plan(
        self,
        operation: Operation[..., T],
        arguments: Mapping[str, object],
        until: Optional[float] = None,
    ) -> Plan[T]:
        """The whole exchange of one call: retries, negotiation, one re-login on an expired
        ticket, all within the call's deadline.

        ``until`` is a time on the session's clock by which the call must be done besides the
        session's own ``deadline`` (a re-login inherits the deadline of the call it serves).
        """
        deadline = None if self.deadline is None else self.clock() + self.deadline
        if until is not None:
            deadline = until if deadline is None else min(deadline, until)
        login = self.login
        ticket, epoch = self._ticket_and_epoch(operation.service)
        try:
            return (yield from self._attempt(operation, arguments, deadline, ticket))
        except NetServerError as error:
            if login is None or not self.ticket_expired(error):
                raise
            expired = error
        yield from login.refresh(epoch, deadline, operation.name, expired)
        ticket, _ = self._ticket_and_epoch(operation.service)
        return (yield from self._attempt(operation, arguments, deadline, ticket))

    def wait_for(self, flight: Flight, deadline: Optional[float], what: str) -> Plan[None]:
        """Wait for another call's ``flight``; a TransportError of kind ``"deadline"`` when the
        call's deadline comes first."""
        if not flight.done:
            timeout = None if deadline is None else max(0.0, deadline - self.clock())
            yield Wait(flight, timeout)
        if not flight.done:
            raise TransportError(
                f"the call's deadline passed waiting for {what} at {mask_url(self.url)}",
                kind="deadline",
                url=mask_url(self.url),
            )

    def _ticket_and_epoch(self, service: Service) -> tuple[Optional[str], int]:
        """The ticket for the next request to ``service`` and, with a login, the epoch it
        belongs to (SoPrincipal requests carry none)."""
        if not service.sends_ticket:
            return None, 0
        if self.login is not None:
            return self.login.current()
        return self.ticket(), 0

    def _attempt(
        self,
        operation: Operation[..., T],
        arguments: Mapping[str, object],
        deadline: Optional[float],
        ticket: Optional[str],
    ) -> Plan[T]:
        secrets = (*self.secrets, ticket, *secret_arguments(operation, arguments))
        settled, probe = yield from self._claim_version(operation.name, deadline)
        version: SoapVersion = settled or "1.2"
        try:
            request = attrs.evolve(
                self.request(operation, arguments, version, ticket), deadline=deadline
            )
            response = yield from self._exchange(request, operation.retry_safe, secrets)
        except BaseException:  # a bad argument, a timeout, a cancelled call: nothing settled
            _finish(probe)
            raise
        if settled is None:
            try:
                envelope = self._negotiate(response, secrets)
            except HTTPStatusError as error:
                raise _explained(error, request) from None
            finally:
                _finish(probe)  # settled or not, the calls waiting for this answer go on
            if envelope is not None:
                return self._decoded(operation, envelope, request, secrets)
            request = attrs.evolve(
                self.request(operation, arguments, "1.1", ticket), deadline=deadline
            )
            response = yield from self._exchange(request, operation.retry_safe, secrets)
            envelope = _read(response, request, secrets, after_refusal=True)
            return self._decoded(operation, envelope, request, secrets)
        envelope = _read(response, request, secrets)
        return self._decoded(operation, envelope, request, secrets)

    def _decoded(
        self,
        operation: Operation[..., T],
        envelope: ReceivedEnvelope,
        request: SoapRequest,
        secrets: tuple[Optional[str], ...],
    ) -> T:
        try:
            return _decode(operation, envelope, self.services, secrets)
        except SoapFault as fault:
            # A pinned version the server does not speak; an action it does not have there.
            if fault.code == "VersionMismatch" or _contract_mismatch(fault):
                raise _explained(fault, request, services=self.services) from None
            raise

    def _negotiate(
        self, response: HttpResponse, secrets: tuple[Optional[str], ...]
    ) -> Optional[ReceivedEnvelope]:
        """Settle the version from the answer to a SOAP 1.2 request; None means: resend as 1.1."""
        if response.status_code == 415:
            self._settle("1.1", "HTTP 415 to SOAP 1.2")
            return None
        envelope = read_envelope(
            response.status_code, response.headers, response.content, redact=secrets
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
        server_version(self.url).settle(version, reason)

    def _claim_version(
        self, operation: str, deadline: Optional[float]
    ) -> Generator[Effect, Optional[HttpResponse], tuple[Optional[SoapVersion], Optional[Flight]]]:
        """The version to send in (None: unknown, send SOAP 1.2 and negotiate) and, when this
        call is its server's probe, the probe to finish once the answer is read.

        A pinned version is used as it is; ``auto`` asks the server's shared state, waiting (at
        most once, within the deadline) for another call's probe to come back.
        """
        if self._settled is not None:
            return self._settled, None
        shared = server_version(self.url)
        waited = False
        while True:
            claim = shared.claim(waited)
            if claim.wait is None:
                return claim.version, claim.probe
            logger.debug("%s: waiting for the SOAP version of %s", operation, shared.root)
            yield from self.wait_for(claim.wait, deadline, "the server's SOAP version")
            waited = True

    def _exchange(
        self, request: SoapRequest, retry_safe: bool, secrets: tuple[Optional[str], ...]
    ) -> Generator[Effect, Optional[HttpResponse], HttpResponse]:
        """Send one request, repeating it as the retry policy allows; log and record each try."""
        attempt = 1
        while True:
            started = self.clock()
            try:
                response = yield request
            except TransportError as error:
                self._log_and_record(request, None, error, started, secrets)
                delay = self.retries.after_error(error, attempt, retry_safe)
                if delay is None or self._too_late(request.deadline, delay):
                    raise
                reason = f"{error.kind} error"
            except SuperOfficeSoapError as error:  # a body too large, an unknown encoding
                self._log_and_record(request, None, error, started, secrets)
                raise
            else:
                assert response is not None
                self._log_and_record(request, response, None, started, secrets)
                delay = self.retries.after_status(
                    response.status_code, response.headers, attempt, retry_safe
                )
                if delay is None or self._too_late(request.deadline, delay):
                    return response
                reason = f"HTTP {response.status_code}"
            attempt += 1
            logger.info(
                "%s: retrying (attempt %d of %d) after %s in %.2f s",
                request.operation,
                attempt,
                self.retries.attempts,
                reason,
                delay,
            )
            yield Sleep(delay)

    def _too_late(self, deadline: Optional[float], delay: float) -> bool:
        """Whether waiting ``delay`` seconds would reach the call's deadline."""
        return deadline is not None and self.clock() + delay >= deadline

    def _log_and_record(
        self,
        request: SoapRequest,
        response: Optional[HttpResponse],
        error: Optional[SuperOfficeSoapError],
        started: float,
        secrets: tuple[Optional[str], ...],
    ) -> None:
        elapsed = self.clock() - started
        outcome = (
            f"HTTP {response.status_code}"
            if response is not None
            else f"{getattr(error, 'kind', type(error).__name__)} error"
        )
        logger.debug(
            "%s POST %s SOAP %s -> %s in %.1f ms",
            request.operation,
            mask_url(request.url),
            request.soap_version,
            outcome,
            elapsed * 1000,
        )
        history = self.history
        if history is None:
            return
        request_type = request.headers.get("Content-Type")
        response_type = None if response is None else header(response.headers, "content-type")
        history.append(
            Exchange(
                operation=request.operation,
                url=mask_url(request.url),
                soap_version=request.soap_version,
                request_headers=mask_headers(request.headers, secrets),
                request_body=mask_body(request.content, secrets, request_type),
                status_code=None if response is None else response.status_code,
                response_headers={}
                if response is None
                else mask_headers(dict(response.headers), secrets),
                response_body=None
                if response is None
                else mask_body(response.content, secrets, response_type),
                error=None if error is None else str(error),
                duration=elapsed,
            )
        )


def _finish(probe: Optional[Flight]) -> None:
    if probe is not None:
        probe.finish()


def _read(
    response: HttpResponse,
    request: SoapRequest,
    secrets: tuple[Optional[str], ...],
    *,
    after_refusal: bool = False,
) -> ReceivedEnvelope:
    """The envelope of an answer; an answer that is not SOAP says where it came from and what
    to check."""
    try:
        return read_envelope(
            response.status_code, response.headers, response.content, redact=secrets
        )
    except HTTPStatusError as error:
        raise _explained(error, request, after_refusal=after_refusal) from None


_SERVICE_PATH = re.compile(r"/Remote/Services\d+/[^/]+\.svc\Z", re.IGNORECASE)


def _explained(
    error: _E, request: SoapRequest, *, after_refusal: bool = False, services: str = ""
) -> _E:
    """An answer that is not what a NetServer endpoint sends, with where it came from and what
    to check, as data (``Hint``s; the library and the command line word them each their way).

    Only an answer about the SOAP version (HTTP 415, a VersionMismatch fault) speaks of the SOAP
    version; a WCF ContractFilter / ActionNotSupported fault points at the Services version;
    anything else names the URL it came from and, when that URL does not look like a NetServer
    endpoint, what a base URL looks like.
    """
    version = request.soap_version
    other = "1.1" if version == "1.2" else "1.2"
    about_version = (isinstance(error, HTTPStatusError) and error.status_code == 415) or (
        isinstance(error, SoapFault) and error.code == "VersionMismatch"
    )
    hints: list[Hint] = []
    if about_version and after_refusal:
        hints.append(
            Hint(
                "the server refused SOAP 1.2 and then SOAP 1.1: is this a NetServer SOAP "
                "endpoint? It takes a NetServer base URL such as "
                f"{EXAMPLE_BASE_URL}",
                "url",
            )
        )
    elif about_version:
        hints.append(Hint(f"the server does not take SOAP {version}", "soap_version", other))
    elif not _SERVICE_PATH.search(urlsplit(request.url).path):
        hints.append(
            Hint(
                f"a NetServer base URL looks like {EXAMPLE_BASE_URL} (or any ….svc URL under it)",
                "url",
            )
        )
    elif isinstance(error, HTTPStatusError) and error.status_code == 404:
        hints.append(
            Hint("nothing answers there", "url", part="the tenant and the Services version")
        )
    elif isinstance(error, SoapFault) and _contract_mismatch(error) and services:
        hints.append(
            Hint(
                f"the server does not know this operation's {services} action at this path; "
                f"it may speak another Services version than {services} there",
                "services",
            )
        )
    error.with_hints(f"from {mask_url(request.url)}", hints)
    return error


def _contract_mismatch(fault: SoapFault) -> bool:
    """WCF's answer to an action its endpoint does not have (ContractFilter mismatch)."""
    codes = (fault.code, *fault.subcodes)
    return "ActionNotSupported" in codes or "ContractFilter" in fault.reason


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidRequestError(name, f"must be a number of seconds > 0, got {value!r}")
    return float(value)


def _count(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidRequestError(name, f"must be an int >= {minimum}, got {value!r}")
    return value


class Login:
    """Username and password kept to renew the ticket through SoPrincipal (sans-IO).

    The password and the ticket are never shown in ``repr``. The ticket changes under one lock,
    together with its *epoch*: a count of the logins that ended with a ticket or an error (an
    abandoned one, cancelled or out of its call's time, does not count). A call
    notes the epoch of the ticket it sends; when that ticket expires, the epoch tells it whether a
    login already ended since (use its ticket, or fail with its error) or is still running (wait
    for it), so one expiry costs one login however many calls meet it.
    """

    def __init__(self, principal: Session, username: str, password: str) -> None:
        self.principal = principal
        self.username = username
        self._password = password
        self.ticket: Optional[str] = None
        #: How many logins succeeded.
        self.generation = 0
        self._epoch = 0
        self._failure: Optional[SuperOfficeSoapError] = None
        self._renewal: Optional[Flight] = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Login(username={self.username!r}, url={mask_url(self.principal.url)!r})"

    def current(self) -> tuple[Optional[str], int]:
        """The ticket and its epoch, read together."""
        with self._lock:
            return self.ticket, self._epoch

    def authenticate(self, until: Optional[float] = None) -> Plan[Authentication]:
        """Authenticate and keep the new ticket."""
        arguments = {"username": self.username, "password": self._password}
        authentication = yield from self.principal.plan(
            _operations.AUTHENTICATE_USERNAME_PASSWORD, arguments, until
        )
        with self._lock:
            self.ticket = authentication.ticket
            self.generation += 1
            self._epoch += 1
            self._failure = None
        return authentication

    def refresh(
        self,
        seen_epoch: int,
        deadline: Optional[float] = None,
        operation: str = "",
        expired: Optional[NetServerError] = None,
    ) -> Plan[None]:
        """Authenticate again after the ticket of ``seen_epoch`` expired — unless a login ended
        since (then go on with its ticket, or fail with a copy of its error).

        One login per expiry: the first call to get here logs in; the others wait for that login
        (within their own deadline). Only when it is abandoned (its call cancelled, or out of its
        own time) does a waiting call take over.
        """
        while True:
            with self._lock:
                if self._epoch != seen_epoch:
                    if self._failure is not None:
                        raise _again(self._failure)
                    return
                flight = self._renewal
                leading = flight is None
                if flight is None:
                    flight = self._renewal = Flight()
            if leading:
                logger.info(
                    "%s: the ticket expired (%s); logging in again",
                    operation,
                    None if expired is None else expired.exception_type,
                )
                yield from self._renew(flight, deadline)
                return
            logger.debug("%s: the ticket expired; waiting for another call's login", operation)
            yield from self.principal.wait_for(flight, deadline, "another call's login")

    def _renew(self, flight: Flight, deadline: Optional[float]) -> Plan[None]:
        failure: Optional[SuperOfficeSoapError] = None
        try:
            yield from self.authenticate(deadline)
        except SuperOfficeSoapError as error:
            # Out of this call's own time says nothing about the waiters' login: they try again.
            if not (isinstance(error, TransportError) and error.kind == "deadline"):
                failure = error
            raise
        finally:
            with self._lock:
                self._renewal = None
                if failure is not None:
                    self._epoch += 1
                    self._failure = failure
            flight.finish(failure)


def _again(error: _E) -> _E:
    """A fresh copy of an error another call raised, to raise in this one: an exception object
    raised in several threads or tasks at once would share (and overwrite) its traceback."""
    kind = type(error)
    copy = kind.__new__(kind)
    copy.__dict__.update(error.__dict__)
    copy.args = error.args
    copy.__cause__ = error.__cause__
    copy.__suppress_context__ = True
    return copy
