"""FakeNetServer: an in-memory stand-in for SuperOffice NetServer's User and SoPrincipal services,
and for any other service whose WSDL it is given.

It imitates WCF ``basicHttpBinding`` endpoints (SOAP 1.1, no WS-Addressing) closely enough to
test a client against: HTTP status codes, content types, SOAPAction dispatch, WCF fault layouts,
strict request deserialization, NetServer's response headers, logins and ticket checks. It is
reachable three ways: ``handle`` (sans-IO), ``transport()`` (an httpx MockTransport) and
``serve()`` (a real HTTP/1.1 server on loopback).

It checks requests independently of the library: it must never import the library's envelope
builder, response parser or operation table (request bodies are read against its own description
of the WSDL, ``_contract``), never build XML by string formatting, never parse with entity
resolution or a DTD, and never log, print or echo a ticket, an access token, an application
token, a password or a secret.

Endpoints and versions
    ``FakeNetServer(services="Services86")`` serves one Services version (Services84 …
    Services88): requests must use its namespace and SOAPActions
    (``http://www.superoffice.net/ws/crm/NetServer/ServicesNN/<Service>/<Operation>``). It
    answers only where NetServer would: ``/<tenant>/Remote/<its ServicesNN>/User.svc`` or
    ``…/SoPrincipal.svc`` (case-insensitive, as IIS). Any other path — another Services version,
    no tenant, no ``/Remote``, another service — gets IIS's 404 page (HTML), so a wrong base URL
    fails against the stand-in as it would in production. ``serve()`` advertises
    ``http://127.0.0.1:{port}/Cust12345/Remote/{services}``. The operations served are those the
    stand-in's own description of the WSDL lists (``_contract``: the library's operations, which
    the test suite checks) that the version has: AuthenticateWithAccessToken only from Services86
    on. An unknown action, an action of another version, or an action of the other service (a
    SoPrincipal action posted to User.svc) is an ``a:ActionNotSupported`` fault. Body or header
    elements in another Services namespace are a Client (1.1) / Sender (1.2) fault naming the
    namespace.

Headers
    User requests may carry ApplicationToken, Credentials/Ticket and TimeZone (in that order);
    SoPrincipal requests only ApplicationToken (Credentials or TimeZone there is a Client
    fault). With ``application_token`` set, both services require exactly that token
    (else Succeeded=false with InvalidApplicationTokenException); without it, none is checked.

Users, logins and tickets
    ``add_user(username, password, associate_id, …)`` adds a user (user names compare
    case-insensitively, passwords exactly). AuthenticateUsernamePassword with the right password,
    or AuthenticateWithAccessToken with a token given to ``add_access_token``, issues a fresh
    ticket ``7T:<random>`` for that associate and answers AuthenticateResponse with the user's
    SoPrincipalCarrier (plausible fixed ids, RoleName "User", FunctionRights, …), the ticket in
    Credentials/Ticket and AuthenticationSucceeded true. A wrong password, an unknown user or an
    unknown token answers HTTP 200 with Succeeded=false, ExceptionInfo (ExceptionType
    "SoException", Message "Invalid user name or password" / "Invalid access token") and
    AuthenticationSucceeded false; the password or token is never echoed. A token's principal
    is the first user added for its associate (Associate, FullName, EMailAddress nil when there
    is none). An access token is also accepted in the Credentials/Ticket header, as Services86
    and later accept it. ``add_ticket`` makes any ticket valid for an associate.
    ``expire_ticket(ticket)`` / ``expire_all_tickets()`` expire tickets: a User call with an
    expired ticket gets Succeeded=false with SoSessionExpiredException ("The ticket has
    expired"); a never-issued or missing ticket gets SoSecurityException. A new login issues a
    new, valid ticket; ``add_ticket`` makes an expired ticket valid again. ``issued_tickets()``
    lists the tickets logins issued, in order (expired ones included).

User operations (the caller is the ticket's associate)
    - GetUntrustedCredentials(Type): the caller's stored entries of that type, in order;
      …ForAssociate(AssociateId, Type): that associate's.
    - SaveUntrustedCredentials(Type, Credentials) / …ForAssociate: every stored entry of that
      type with the same PublicValue is replaced in place, else the entry is appended. Left-out
      fields are stored as .NET would: ValidFrom/ValidTo DateTime.MinValue (naive
      0001-01-01T00:00:00), IsActive false, strings None. Datetimes are stored exactly as sent
      (offsets kept). TableRight/FieldProperties in the request are read (and must be
      well-formed) but ignored. The Credentials children must be in schema order. A missing
      Type or Credentials is Succeeded=false (ArgumentNullException).
    - RemoveUntrustedCredentials(Type, PublicValue) / …ForAssociate: removes every entry of that
      type with that PublicValue (an absent PublicValue matches entries without one); nothing to
      remove, or no Type, is not an error.
    - Save and Remove answer an empty ``<OpResponse/>`` wrapper.
    - CreateDefaultUntrustedCredentials: a new, unstored entry: ValidFrom now (UTC, whole
      seconds), ValidTo .NET's DateTime.MaxValue, empty strings, IsActive true, TableRight
      "Select Update Insert Delete", empty FieldProperties.
    - GetCredentialTypes: the types given to ``add_credential_type`` (in order);
      GetCredentialTypesForUserType(UserType) those allowed for that user type (absent means
      Unknown; a value outside the enumeration is a Client fault).

SoPrincipal operations need no ticket; GetSystemInfo answers a fixed SoSystemInfoCarrier.

Any other service, from its WSDL (``_described``)
    ``serve_wsdl(path_or_bytes)`` serves every operation of a NetServer WSDL at
    ``…/<Service>.svc`` (any case) with the actions ``<namespace>/<Service>/<Operation>`` of the
    stand-in's Services version; the User and SoPrincipal operations above stay the stand-in's
    own. Requests are read against the WSDL itself (wrapper element, children's names,
    namespaces, order, minOccurs, nillability and XSD types, headers as the binding lists them),
    never against a client declaration: anything else is a Client fault. The ticket is checked
    as for User (every service but SoPrincipal). ``answer(operation, value)`` sets what an
    operation answers from then on, written by walking the WSDL's answer element (see
    ``_described``); ``answer(operation, error=(type, message))`` answers Succeeded=false with
    that ExceptionInfo; an operation without an answer answers NotImplementedException.
    ``received(operation)`` lists the arguments of the calls accepted. ``GET …/<Service>.svc?wsdl``
    (or ``?singleWsdl``) answers the served document.

Demo data (``with_demo_data()``)
    ``DEMO_TICKET`` valid for associate ``DEMO_ASSOCIATE_ID`` (5), who is user ``DEMO_USERNAME`` /
    ``DEMO_PASSWORD`` and owns two imap credentials and one smtp credential; credential types
    imap and smtp (Password, all user types), ldap (Edit, CanCreatePerson, internal and resource
    associates) and openid (Hidden, external associates).

Replies follow DataContractSerializer habits (default namespace, ``i:nil``), in SOAP 1.1, or 1.2
when ``accept_soap12`` is set and the request used it.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import re
import socket
import socketserver
import threading
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Union

import attrs
import httpx
from lxml import etree

from .._wsdl import read_wsdl
from ..models import CredentialType, UntrustedCredentials, UserType
from ..operations import DEFAULT_SERVICES, SERVICES_VERSIONS, namespace
from ._answers import Answer, Catalog, netserver_failure
from ._demo import demo_credential_types, demo_credentials
from ._described import DescribedOperation, read_request, write_answer
from ._operations import Call, Fill, OperationFailed, Served, served_operations
from ._state import NetServerState, User
from ._wire import (
    SOAP_1_1,
    SOAP_1_2,
    WS_ADDRESSING,
    FaultKind,
    NetServerFailure,
    RequestError,
    SoapVersion,
    VersionMismatchError,
    build_fault,
    build_response,
    clark_name,
    namespace_hint,
    parse_envelope,
    read_sequence,
    split_envelope,
)

__all__ = [
    "DEMO_ASSOCIATE_ID",
    "DEMO_PASSWORD",
    "DEMO_TICKET",
    "DEMO_USERNAME",
    "SERVICE_PATH",
    "FakeNetServer",
    "FakeResponse",
    "RecordedRequest",
    "RunningServer",
]

#: The ticket ``FakeNetServer.with_demo_data()`` accepts (a made-up value, not a secret).
DEMO_TICKET = "7T:demo-ticket-0001"
#: The associate the demo ticket authenticates; it owns the demo credentials.
DEMO_ASSOCIATE_ID = 5
#: The demo user's name (associate ``DEMO_ASSOCIATE_ID``) for AuthenticateUsernamePassword.
DEMO_USERNAME = "jane.doe"
#: The demo user's password (made up, not a secret).
DEMO_PASSWORD = "demo-password"
#: Path prefix ``serve()`` advertises for Services86 (other versions end in their own name).
SERVICE_PATH = "/Cust12345/Remote/Services86"
_PATH_PREFIX = "/Cust12345/Remote/"

_MAX_BODY = 16 * 1024 * 1024
_CHARSETS = frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be"})
_PARAM_RE = re.compile(
    r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.ASCII
)
#: Lower-case service name → service name, of the built-in services.
_ENDPOINTS = {"user": "User", "soprincipal": "SoPrincipal"}
_SVC = re.compile(r"/([A-Za-z][A-Za-z0-9]*)\.svc\Z", re.IGNORECASE)

_BAD_TICKET = NetServerFailure(
    message="Failed to authenticate the ticket: the ticket is missing, unknown or expired.",
    exception_type="SoSecurityException",
    source="SoCore",
    friendly_text="Your session is not valid. Please log in again.",
)
_EXPIRED_TICKET = NetServerFailure(
    message="The ticket has expired",
    exception_type="SoSessionExpiredException",
    source="SoCore",
    friendly_text="Your session has expired. Please log in again.",
)
_BAD_APPLICATION_TOKEN = NetServerFailure(
    message="The application token is missing or not valid for this installation.",
    exception_type="InvalidApplicationTokenException",
    source="SoCore",
    friendly_text="The application is not allowed to connect to this installation.",
)
_INTERNAL_ERROR = (
    "The server was unable to process the request due to an internal error.  For more "
    "information about the error, either turn on IncludeExceptionDetailInFaults (either from "
    "ServiceBehaviorAttribute or from the <serviceDebug> configuration behavior) on the server "
    "in order to send the exception information back to the client, or turn on tracing as per "
    "the Microsoft .NET Framework SDK documentation and inspect the server trace logs."
)


@attrs.frozen
class RecordedRequest:
    """One HTTP request the stand-in received (rejected ones too); ``body`` is not in repr.

    ``headers`` has lower-case keys. ``soap_version`` ("1.1"/"1.2"), ``action`` and
    ``operation`` are None when the request was rejected before they were determined;
    ``operation`` is set only for an action the endpoint serves.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = attrs.field(repr=False)
    soap_version: Optional[str] = None
    action: Optional[str] = None
    operation: Optional[str] = None


@attrs.frozen
class FakeResponse:
    """What the stand-in answers: status, headers (without Content-Length) and body bytes."""

    status_code: int
    headers: dict[str, str]
    body: bytes = attrs.field(repr=False)


@attrs.frozen
class RunningServer:
    """A running ``serve()`` server: where it listens, its base URL, and the service URLs.

    ``url`` is ``<base_url>/User.svc``, ``so_principal_url`` ``<base_url>/SoPrincipal.svc``.
    """

    host: str
    port: int
    base_url: str
    url: str
    so_principal_url: str = ""


@attrs.define
class _Trace:
    soap_version: Optional[str] = None
    action: Optional[str] = None
    operation: Optional[str] = None


def _content_type(value: str) -> tuple[str, dict[str, str]]:
    """Media type (lower case) and parameters (lower-case names, unquoted values)."""
    media_type, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(";" + rest):
        raw = match.group(2).strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.setdefault(match.group(1).lower(), raw)
    return media_type.strip().lower(), params


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _text_response(status_code: int, text: str) -> FakeResponse:
    return FakeResponse(
        status_code, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")
    )


def _same_secret(received: Optional[str], expected: str) -> bool:
    if received is None:
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def _asks_for_wsdl(path: str) -> bool:
    """Whether a path asks for its service's description (``?wsdl`` or ``?singleWsdl``)."""
    return path.partition("?")[2].lower() in ("wsdl", "singlewsdl")


_ENDPOINT_PATH = re.compile(
    r"/[^/]+/remote/(?P<services>services\d+)/(?P<name>[A-Za-z][A-Za-z0-9]*)\.svc", re.IGNORECASE
)


def _service_in(path: str, services: str) -> Optional[str]:
    """The ``<Service>`` a path reaches on a server of ``services``: ``/<tenant>/Remote/
    <services>/<Service>.svc`` only (None: IIS answers 404)."""
    found = _ENDPOINT_PATH.fullmatch(path.split("?", 1)[0])
    if found is None or found["services"].lower() != services.lower():
        return None
    return found["name"]


def _iis_not_found() -> FakeResponse:
    """IIS's 404 page for a path that is no endpoint (what NetServer's web server answers)."""
    page = etree.Element("html")
    head = etree.SubElement(page, "head")
    etree.SubElement(head, "title").text = "404 - File or directory not found."
    body = etree.SubElement(page, "body")
    etree.SubElement(body, "h2").text = "404 - File or directory not found."
    etree.SubElement(body, "h3").text = (
        "The resource you are looking for might have been removed, had its name changed, or is "
        "temporarily unavailable."
    )
    content = b"<!DOCTYPE html>\r\n" + etree.tostring(page, method="html", encoding="utf-8")
    return FakeResponse(404, {"Content-Type": "text/html", "Server": "Microsoft-IIS/10.0"}, content)


class FakeNetServer:
    """An in-memory NetServer (User, SoPrincipal and any service given to ``serve_wsdl``), behaving
    like WCF basicHttpBinding.

    ``services`` is the Services version served (one of ``SERVICES_VERSIONS``, default
    Services86). ``accept_soap12`` also accepts ``application/soap+xml`` (answered in SOAP 1.2);
    by default that content type gets HTTP 415 like the real binding. ``application_token``,
    when set, must be sent exactly in the ``ApplicationToken`` header (as SuperOffice Online
    requires); when None it is not checked (like on-site installations). State is guarded by a
    lock, so one instance can serve many threads and tasks at once. The module docstring
    describes the behaviour in full.
    """

    def __init__(
        self,
        *,
        accept_soap12: bool = False,
        application_token: Optional[str] = None,
        services: str = DEFAULT_SERVICES,
    ) -> None:
        if services not in SERVICES_VERSIONS:
            raise ValueError(
                f"services must be one of {', '.join(SERVICES_VERSIONS)}, got {services!r}"
            )
        self.accept_soap12 = accept_soap12
        self.services = services
        self._namespace = namespace(services)
        self._application_token = application_token
        self._state = NetServerState()
        self._catalog = Catalog()
        self._lock = threading.Lock()
        #: Every HTTP request received, in order, including rejected ones.
        self.requests: list[RecordedRequest] = []

    def __repr__(self) -> str:
        return (
            f"FakeNetServer(accept_soap12={self.accept_soap12!r}, "
            f"application_token={'set' if self._application_token is not None else None}, "
            f"services={self.services!r})"
        )

    # ------------------------------------------------------------------ state

    def add_ticket(self, ticket: str, associate_id: int) -> None:
        """Accept ``ticket`` in the ``Credentials/Ticket`` header as ``associate_id``."""
        self._state.add_ticket(ticket, associate_id)

    def expire_ticket(self, ticket: str) -> None:
        """Expire a valid ticket (issued or added); ValueError for one that is not valid."""
        self._state.expire_ticket(ticket)

    def expire_all_tickets(self) -> None:
        """Expire every ticket valid now; later logins and ``add_ticket`` give valid ones."""
        self._state.expire_all_tickets()

    def issued_tickets(self) -> list[str]:
        """The tickets Authenticate* calls issued, in issue order (expired ones included)."""
        return self._state.issued_tickets()

    def add_user(
        self,
        username: str,
        password: str,
        associate_id: int,
        *,
        full_name: Optional[str] = None,
        email_address: Optional[str] = None,
        user_type: UserType = UserType.INTERNAL_ASSOCIATE,
    ) -> None:
        """Add a user AuthenticateUsernamePassword accepts (replaces one with the same name,
        compared case-insensitively)."""
        self._state.add_user(
            User(
                username=username,
                password=password,
                associate_id=associate_id,
                full_name=full_name,
                email_address=email_address,
                user_type=UserType(user_type),
            )
        )

    def add_access_token(self, token: str, associate_id: int) -> None:
        """Add an access token for ``associate_id`` (AuthenticateWithAccessToken, Ticket header)."""
        self._state.add_access_token(token, associate_id)

    def add_credential_type(
        self,
        credential_type: CredentialType,
        user_types: Sequence[UserType] = tuple(UserType),
    ) -> None:
        """Offer a credential type (for ``user_types``, default all) in GetCredentialTypes*;
        one with the same ``type`` is replaced in place."""
        self._state.add_credential_type(credential_type, (UserType(t) for t in user_types))

    def add_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store one more credential of ``credential_type`` (e.g. ``"imap"``) for an associate."""
        self._state.add_credentials(associate_id, credential_type, credentials)

    def stored_credentials(
        self, associate_id: int, credential_type: str
    ) -> tuple[UntrustedCredentials, ...]:
        """What the stand-in holds for one associate and type, in order."""
        return self._state.credentials(associate_id, credential_type)

    # ------------------------------------------------------------------ any service, from its WSDL

    def serve_wsdl(self, source: Union[str, os.PathLike[str], bytes]) -> str:
        """Serve every operation of a NetServer service described by a WSDL (a file's path, or
        the document's bytes) at ``<base>/<Service>.svc``; returns the service's name.

        Requests are checked against the WSDL (element names, namespaces, order, types), not
        against any client declaration; a User or SoPrincipal operation the stand-in serves
        itself stays its own. A service's later WSDL replaces its earlier one, and
        ``GET …/<Service>.svc?wsdl`` (or ``?singleWsdl``) answers the document, so that
        ``generate`` can read it from the stand-in's URL. ValueError when the document is not
        a WSDL.
        """
        if isinstance(source, bytes):
            content, shown = source, "the WSDL"
        else:
            shown = os.fspath(source)
            with open(source, "rb") as file:
                content = file.read()
        return self._catalog.add(read_wsdl(content, shown), content).service

    def answer(
        self,
        operation: object,
        value: object = None,
        *,
        error: Optional[tuple[str, str]] = None,
    ) -> None:
        """Say what an operation of a served WSDL answers from now on: ``value`` (a value of the
        generated model, a list, a dict, a scalar, or None for a nil answer: "not found"), or,
        with ``error=(exception_type, message)``, a NetServer error (Succeeded=false and the
        ExceptionInfo header, as NetServer reports an exception).

        ``value`` may also be a function: it is called with each call's arguments (a dict, as
        ``received`` lists them) and returns the value to answer; an exception it raises is
        answered as a NetServer error of its class name and message.

        ``operation`` is a generated (or hand-declared) operation such as ``GET_USER_INFO``, its
        wire name ``"GetUserInfo"``, or ``"User.GetUserInfo"``. The value is written by walking
        the WSDL's answer element: a struct's elements are the value's attributes named as the
        elements in snake_case (or a mapping's keys, by element or snake_case name). ValueError
        when the operation is not served or the value does not fit its answer's type; an
        operation without an answer answers a NetServer error (NotImplementedException).
        """
        if error is not None and (
            value is not None
            or not isinstance(error, tuple)
            or len(error) != 2
            or not all(isinstance(part, str) for part in error)
        ):
            raise ValueError(
                "error must be (exception_type, message), two strings, and comes without a value"
            )
        described = self._catalog.operation(operation)
        if self._builtin(described):
            raise ValueError(
                f"{described.service}.{described.name} is one of the stand-in's own operations: "
                "its answers come from the stand-in's state (add_credentials, add_user, …)"
            )
        if error is not None:
            self._catalog.set_answer(described, Answer(failure=netserver_failure(*error)))
            return
        if callable(value) and not isinstance(value, type):
            self._catalog.set_answer(described, Answer(respond=value))
            return
        write_answer(
            described, etree.Element(f"{{{self._namespace}}}Check"), value, self._namespace
        )
        self._catalog.set_answer(described, Answer(value=value))

    def received(self, operation: object) -> list[dict[str, object]]:
        """The arguments of every call of an operation of a served WSDL the stand-in accepted,
        in order: a dict per call keyed by the parameters' snake_case names (the generated
        keywords), structs as dicts likewise, arrays as lists, enumerations as their tokens."""
        return self._catalog.received(self._catalog.operation(operation))

    def _builtin(self, described: DescribedOperation) -> bool:
        action = f"{self._namespace}/{described.service}/{described.name}"
        served = served_operations(self.services).get(action)
        return served is not None and served.service == described.service

    @classmethod
    def with_demo_data(
        cls,
        *,
        accept_soap12: bool = False,
        application_token: Optional[str] = None,
        services: str = DEFAULT_SERVICES,
    ) -> FakeNetServer:
        """A stand-in with ``DEMO_TICKET`` and user ``DEMO_USERNAME``/``DEMO_PASSWORD`` for
        associate ``DEMO_ASSOCIATE_ID``, its credentials, and four credential types.

        Associate 5 has two ``imap`` credentials (one active and never expiring, with a
        tz-aware ValidFrom, TableRight {Select, Update} and one FieldProperties entry; one
        inactive and expired) and one ``smtp`` credential. Credential types: imap and smtp
        (Password), ldap (Edit, CanCreatePerson; internal and resource associates), openid
        (Hidden; external associates).
        """
        server = cls(
            accept_soap12=accept_soap12, application_token=application_token, services=services
        )
        server.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
        server.add_user(
            DEMO_USERNAME,
            DEMO_PASSWORD,
            DEMO_ASSOCIATE_ID,
            full_name="Jane Doe",
            email_address="jane.doe@example.com",
        )
        for credential_type, credentials in demo_credentials():
            server.add_credentials(DEMO_ASSOCIATE_ID, credential_type, credentials)
        for kind, user_types in demo_credential_types():
            server.add_credential_type(kind, user_types)
        return server

    # ------------------------------------------------------------------ sans-IO core

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        """Answer one HTTP request as NetServer's User.svc or SoPrincipal.svc would; record it."""
        lowered: dict[str, str] = {}
        for key, value in headers.items():
            name = key.lower()
            lowered[name] = f"{lowered[name]}, {value}" if name in lowered else value
        trace = _Trace()
        try:
            return self._handle(method, path, lowered, body, trace)
        finally:
            record = RecordedRequest(
                method=method,
                path=path,
                headers=lowered,
                body=bytes(body),
                soap_version=trace.soap_version,
                action=trace.action,
                operation=trace.operation,
            )
            with self._lock:
                self.requests.append(record)

    def _handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, trace: _Trace
    ) -> FakeResponse:
        named = _service_in(path, self.services)
        endpoint = None if named is None else _ENDPOINTS.get(named.lower())
        if named is not None and endpoint is None:
            endpoint = self._catalog.service_name(named)
        if endpoint is None:
            return _iis_not_found()
        document = None if named is None else self._catalog.document(named)
        if method.upper() == "GET" and document is not None and _asks_for_wsdl(path):
            return FakeResponse(200, {"Content-Type": "text/xml; charset=utf-8"}, document)
        if method.upper() != "POST":
            response = _text_response(405, "Method Not Allowed")
            response.headers["Allow"] = "POST"
            return response

        media_type, params = _content_type(headers.get("content-type", ""))
        charset = params.get("charset", "utf-8").lower()
        if charset not in _CHARSETS:
            return FakeResponse(415, {}, b"")
        if media_type == "text/xml":
            version = SOAP_1_1
            action = _strip_quotes(headers.get("soapaction", ""))
        elif media_type == "application/soap+xml" and self.accept_soap12:
            version = SOAP_1_2
            action = params.get("action", "").strip()
        else:
            return FakeResponse(415, {}, b"")
        trace.soap_version = version.label
        trace.action = action

        served = served_operations(self.services).get(action)
        described = self._catalog.find(endpoint, action, self._namespace)
        if (served is None or served.service != endpoint) and described is not None:
            trace.operation = described.name
            return self._handle_described(version, described, body)
        if served is None or served.service != endpoint:
            return self._fault(
                version,
                FaultKind.ACTION_NOT_SUPPORTED,
                f"The message with Action '{action}' cannot be processed at the receiver, due "
                "to a ContractFilter mismatch at the EndpointDispatcher. This may be because "
                "of either a contract mismatch (mismatched Actions between sender and receiver) "
                "or a binding/security mismatch between the sender and the receiver.  Check "
                "that sender and receiver have the same contract and the same binding "
                "(including security requirements, e.g. Message, Transport, None).",
            )
        trace.operation = served.name

        ns = self._namespace
        try:
            envelope = parse_envelope(body, version)
            header, payload = split_envelope(envelope, version, ns)
            soap_headers = self._read_headers(header, served)
            args = self._read_body(served, payload)
        except VersionMismatchError as exc:
            return self._fault(version, FaultKind.VERSION_MISMATCH, exc.reason)
        except RequestError as exc:
            return self._fault(version, FaultKind.CLIENT, exc.reason)

        try:
            failure, caller = self._authenticate(served.needs_ticket, soap_headers)
            fill: Optional[Fill] = None
            if failure is None:
                call = Call(
                    state=self._state,
                    services=self.services,
                    caller_associate_id=caller,
                    args=args,
                )
                try:
                    fill = served.handler.run(call)
                except OperationFailed as exc:
                    failure = exc.failure
            if failure is not None:
                fill = served.handler.on_failure
            body_bytes = build_response(version, ns, served.wrapper_name, fill, failure)
        except Exception:
            return self._fault(version, FaultKind.INTERNAL_SERVICE_FAULT, _INTERNAL_ERROR)
        return FakeResponse(200, {"Content-Type": version.content_type}, body_bytes)

    def _handle_described(
        self, version: SoapVersion, described: DescribedOperation, body: bytes
    ) -> FakeResponse:
        """Answer an operation of a served WSDL: the request read against the WSDL, the ticket
        checked as for User, then the answer the test set."""
        ns = self._namespace
        try:
            envelope = parse_envelope(body, version)
            header, payload = split_envelope(envelope, version, ns)
            soap_headers: dict[str, object] = {}
            if header is not None:
                self._check_header_names(header, described.needs_ticket, described.service)
                soap_headers = read_request(described, header, ns, headers=True)
            expected = f"{{{ns}}}{described.request_element}"
            if payload.tag != expected:
                raise RequestError(
                    f"Error in deserializing body of request message for operation "
                    f"'{described.name}'. OperationFormatter encountered an invalid Message "
                    f"body. Expected to find an element named {expected}, but found "
                    f"{clark_name(payload)}.{namespace_hint(payload, ns)}"
                )
            arguments = read_request(described, payload, ns)
        except VersionMismatchError as exc:
            return self._fault(version, FaultKind.VERSION_MISMATCH, exc.reason)
        except RequestError as exc:
            return self._fault(version, FaultKind.CLIENT, exc.reason)
        try:
            refused, _ = self._authenticate(described.needs_ticket, soap_headers)
            fill, error = (
                (None, refused) if refused else self._catalog.reply(described, arguments, ns)
            )
            body_bytes = build_response(version, ns, described.response, fill, error)
        except Exception:
            return self._fault(version, FaultKind.INTERNAL_SERVICE_FAULT, _INTERNAL_ERROR)
        return FakeResponse(200, {"Content-Type": version.content_type}, body_bytes)

    def _read_headers(self, header: Optional[etree._Element], served: Served) -> dict[str, object]:
        if header is None:
            return {}
        self._check_header_names(header, served.needs_ticket, served.service)
        return read_sequence(header, served.headers, "Header", self._namespace)

    def _check_header_names(self, header: etree._Element, needs_ticket: bool, service: str) -> None:
        ns = self._namespace
        for child in header:
            if not isinstance(child.tag, str):
                continue
            qname = etree.QName(child)
            if qname.namespace == WS_ADDRESSING:
                raise RequestError(
                    f"WS-Addressing header 'wsa:{qname.localname}' is not supported: this "
                    "endpoint uses basicHttpBinding, which has no addressing "
                    "(AddressingVersion.None)."
                )
            if (
                not needs_ticket
                and qname.namespace == ns
                and qname.localname in ("Credentials", "TimeZone")
            ):
                raise RequestError(
                    f"Header {qname.localname!r} is not part of the {service} contract: "
                    f"{service} requests carry only the ApplicationToken header."
                )

    def _read_body(self, served: Served, payload: etree._Element) -> dict[str, object]:
        expected = f"{{{self._namespace}}}{served.name}"
        if payload.tag != expected:
            raise RequestError(
                f"Error in deserializing body of request message for operation "
                f"'{served.name}'. OperationFormatter encountered an invalid Message body. "
                f"Expected to find an element named {expected}, but found "
                f"{clark_name(payload)}.{namespace_hint(payload, self._namespace)}"
            )
        return read_sequence(payload, served.request, served.name, self._namespace)

    def _authenticate(
        self, needs_ticket: bool, soap_headers: Mapping[str, object]
    ) -> tuple[Optional[NetServerFailure], Optional[int]]:
        if self._application_token is not None:
            token = soap_headers.get("ApplicationToken")
            if not isinstance(token, str) or not _same_secret(token, self._application_token):
                return _BAD_APPLICATION_TOKEN, None
        if not needs_ticket:
            return None, None
        credentials = soap_headers.get("Credentials")
        ticket = credentials.get("Ticket") if isinstance(credentials, dict) else None
        status = self._state.ticket_status(ticket if isinstance(ticket, str) else None)
        if status.associate_id is not None:
            return None, status.associate_id
        return (_EXPIRED_TICKET if status.expired else _BAD_TICKET), None

    @staticmethod
    def _fault(version: SoapVersion, kind: FaultKind, reason: str) -> FakeResponse:
        return FakeResponse(
            500, {"Content-Type": version.content_type}, build_fault(version, kind, reason)
        )

    # ------------------------------------------------------------------ adapters

    def transport(self) -> httpx.MockTransport:
        """An in-process httpx transport for ``httpx.Client`` and ``httpx.AsyncClient``."""

        def handler(request: httpx.Request) -> httpx.Response:
            answer = self.handle(
                request.method,
                request.url.raw_path.decode("ascii"),
                dict(request.headers.items()),
                request.content,
            )
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.body)

        return httpx.MockTransport(handler)

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
        """Run a real HTTP/1.1 server (keep-alive) in a daemon thread while the block runs.

        ``port=0`` picks a free port. On exit the server stops, open connections are closed
        and the port is released.
        """
        server = _HTTPServer(self, host, port)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeNetServer",
            daemon=True,
        )
        thread.start()
        try:
            bound_port = int(server.server_address[1])
            url_host = _url_host(host)
            base_url = f"http://{url_host}:{bound_port}{_PATH_PREFIX}{self.services}"
            yield RunningServer(
                host=host,
                port=bound_port,
                base_url=base_url,
                url=f"{base_url}/User.svc",
                so_principal_url=f"{base_url}/SoPrincipal.svc",
            )
        finally:
            server.shutdown()
            server.close_connections()
            server.server_close()
            thread.join()


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


# --------------------------------------------------------------------------- HTTP server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of concurrent clients (the
    # concurrency tests, a bulk read) would see refused or reset connections.
    request_queue_size = 128

    def __init__(self, fake: FakeNetServer, host: str, port: int) -> None:
        self.fake = fake
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._active_lock = threading.Lock()
        self._active: dict[socket.socket, threading.Thread] = {}
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would do a reverse DNS lookup (getfqdn); skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._process_request_thread,
            args=(request, client_address),
            name="FakeNetServer-connection",
            daemon=True,
        )
        with self._active_lock:
            self._active[request] = thread
        thread.start()

    def _process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._active_lock:
                self._active.pop(request, None)

    def close_connections(self) -> None:
        """Close every open connection and wait for its handler thread."""
        with self._active_lock:
            active = list(self._active.items())
        for connection, _ in active:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in active:
            thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeNetServer"
    sys_version = ""
    timeout = 30
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Never log: request lines and bodies may carry tickets."""

    def _read_body(self) -> Optional[bytes]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > _MAX_BODY:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            body = None
        if body is None:
            self.close_connection = True
            self._send(FakeResponse(400, {"Content-Type": "text/plain"}, b"Bad Request"))
            return
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            name = key.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self._send(self.server.fake.handle(self.command, self.path, headers, body))

    def _send(self, answer: FakeResponse) -> None:
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_POST = _dispatch
    do_GET = _dispatch
    do_HEAD = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch
    do_PATCH = _dispatch
    do_OPTIONS = _dispatch
