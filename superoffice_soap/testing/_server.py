"""FakeNetServer: an in-memory stand-in for SuperOffice NetServer's Services86 User endpoint.

It imitates a WCF ``basicHttpBinding`` endpoint (SOAP 1.1, no WS-Addressing) closely enough to
test a client against: HTTP status codes, content types, SOAPAction dispatch, WCF fault layouts,
strict request deserialization, NetServer's response headers and ticket checks. It is reachable
three ways: ``handle`` (sans-IO), ``transport()`` (an httpx MockTransport) and ``serve()`` (a real
HTTP/1.1 server on loopback).

It checks requests independently of the library: it must never import the library's envelope
builder or response parser, never build XML by string formatting, never parse with entity
resolution or a DTD, and never log, print or echo a ticket, an application token or a secret.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import re
import socket
import socketserver
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import attrs
import httpx
from lxml import etree

from .._namespaces import NS
from ..models import FieldProperty, FieldRight, TableRight, UntrustedCredentials
from ._operations import ACTION_PREFIX, OPERATIONS, Call, CredentialStore, Operation
from ._wire import (
    SOAP_1_1,
    SOAP_1_2,
    WS_ADDRESSING,
    FaultKind,
    Field,
    NetServerFailure,
    RequestError,
    SoapVersion,
    VersionMismatchError,
    build_fault,
    build_response,
    parse_envelope,
    read_sequence,
    split_envelope,
)

__all__ = [
    "DEMO_ASSOCIATE_ID",
    "DEMO_TICKET",
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
#: Path prefix ``serve()`` advertises; the User service is ``SERVICE_PATH + "/User.svc"``.
SERVICE_PATH = "/Cust12345/Remote/Services86"

_MAX_BODY = 16 * 1024 * 1024
_CHARSETS = frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be"})
_PARAM_RE = re.compile(
    r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.ASCII
)

_HEADER_FIELDS = (
    Field("ApplicationToken", "string", secret=True),
    Field("Credentials", "complex", (Field("Ticket", "string", secret=True),)),
    Field(
        "TimeZone",
        "complex",
        (Field("SoTimeZoneId", "int"), Field("SoTimeZoneLocationCode", "string")),
    ),
)

_BAD_TICKET = NetServerFailure(
    message="Failed to authenticate the ticket: the ticket is missing, unknown or expired.",
    exception_type="SoSecurityException",
    source="SoCore",
    friendly_text="Your session is not valid. Please log in again.",
)
_BAD_APPLICATION_TOKEN = NetServerFailure(
    message="The application token is missing or not valid for this installation.",
    exception_type="InvalidApplicationTokenException",
    source="SoCore",
    friendly_text="The application is not allowed to connect to this installation.",
)


@attrs.frozen
class RecordedRequest:
    """One HTTP request the stand-in received (rejected ones too); ``body`` is not in repr.

    ``headers`` has lower-case keys. ``soap_version`` ("1.1"/"1.2"), ``action`` and
    ``operation`` are None when the request was rejected before they were determined;
    ``operation`` is set only for an action the stand-in knows.
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
    """A running ``serve()`` server: where it listens and the User.svc URL to call."""

    host: str
    port: int
    base_url: str
    url: str


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


class FakeNetServer:
    """An in-memory NetServer Services86 User endpoint, behaving like WCF basicHttpBinding.

    ``accept_soap12`` also accepts ``application/soap+xml`` (answered in SOAP 1.2); by default
    that content type gets HTTP 415 like the real binding. ``application_token``, when set, must
    be sent exactly in the ``ApplicationToken`` header (as SuperOffice Online requires); when
    None it is not checked (like on-site installations). State is guarded by a lock, so one
    instance can serve many threads and tasks at once.
    """

    def __init__(
        self, *, accept_soap12: bool = False, application_token: Optional[str] = None
    ) -> None:
        self.accept_soap12 = accept_soap12
        self._application_token = application_token
        self._store = CredentialStore()
        self._lock = threading.Lock()
        #: Every HTTP request received, in order, including rejected ones.
        self.requests: list[RecordedRequest] = []

    def __repr__(self) -> str:
        return (
            f"FakeNetServer(accept_soap12={self.accept_soap12!r}, "
            f"application_token={'set' if self._application_token is not None else None})"
        )

    # ------------------------------------------------------------------ state

    def add_ticket(self, ticket: str, associate_id: int) -> None:
        """Accept ``ticket`` in the ``Credentials/Ticket`` header as ``associate_id``."""
        self._store.add_ticket(ticket, associate_id)

    def add_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store one more credential of ``credential_type`` (e.g. ``"imap"``) for an associate."""
        self._store.add_credentials(associate_id, credential_type, credentials)

    def stored_credentials(
        self, associate_id: int, credential_type: str
    ) -> tuple[UntrustedCredentials, ...]:
        """What the stand-in holds for one associate and type, in insertion order."""
        return self._store.credentials(associate_id, credential_type)

    @classmethod
    def with_demo_data(
        cls, *, accept_soap12: bool = False, application_token: Optional[str] = None
    ) -> FakeNetServer:
        """A stand-in with ``DEMO_TICKET`` for associate ``DEMO_ASSOCIATE_ID`` and its credentials.

        Associate 5 has two ``imap`` credentials (one active and never expiring, with a
        tz-aware ValidFrom, TableRight {Select, Update} and one FieldProperties entry; one
        inactive and expired) and one ``smtp`` credential.
        """
        server = cls(accept_soap12=accept_soap12, application_token=application_token)
        server.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
        for credential_type, credentials in _demo_credentials():
            server.add_credentials(DEMO_ASSOCIATE_ID, credential_type, credentials)
        return server

    # ------------------------------------------------------------------ sans-IO core

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        """Answer one HTTP request as NetServer's User.svc would, and record it."""
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
        if not path.split("?", 1)[0].lower().endswith("/user.svc"):
            return _text_response(404, "Not Found")
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

        operation: Optional[Operation] = None
        if action.startswith(ACTION_PREFIX):
            operation = OPERATIONS.get(action[len(ACTION_PREFIX) :])
        if operation is None:
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
        trace.operation = operation.name

        try:
            envelope = parse_envelope(body, version)
            header, payload = split_envelope(envelope, version)
            soap_headers = self._read_headers(header)
            args = self._read_body(operation, payload)
        except VersionMismatchError as exc:
            return self._fault(version, FaultKind.VERSION_MISMATCH, exc.reason)
        except RequestError as exc:
            return self._fault(version, FaultKind.CLIENT, exc.reason)

        failure, caller = self._authenticate(soap_headers)
        if failure is not None or caller is None:
            return self._reply(version, operation, None, failure or _BAD_TICKET)
        call = Call(store=self._store, caller_associate_id=caller, args=args)
        try:
            return self._reply(version, operation, call, None)
        except Exception:
            return self._fault(
                version,
                FaultKind.INTERNAL_SERVICE_FAULT,
                "The server was unable to process the request due to an internal error.  For "
                "more information about the error, either turn on IncludeExceptionDetailInFaults "
                "(either from ServiceBehaviorAttribute or from the <serviceDebug> configuration "
                "behavior) on the server in order to send the exception information back to the "
                "client, or turn on tracing as per the Microsoft .NET Framework SDK documentation "
                "and inspect the server trace logs.",
            )

    @staticmethod
    def _read_headers(header: Optional[etree._Element]) -> dict[str, object]:
        if header is None:
            return {}
        for child in header:
            if isinstance(child.tag, str) and child.tag.startswith(f"{{{WS_ADDRESSING}}}"):
                local = child.tag.rpartition("}")[2]
                raise RequestError(
                    f"WS-Addressing header 'wsa:{local}' is not supported: this endpoint uses "
                    "basicHttpBinding, which has no addressing (AddressingVersion.None)."
                )
        return read_sequence(header, _HEADER_FIELDS, "Header")

    @staticmethod
    def _read_body(operation: Operation, payload: etree._Element) -> dict[str, object]:
        expected = f"{{{NS}}}{operation.name}"
        if payload.tag != expected:
            raise RequestError(
                f"Error in deserializing body of request message for operation "
                f"'{operation.name}'. OperationFormatter encountered an invalid Message body. "
                f"Expected to find an element named {expected}, but found {payload.tag}."
            )
        return read_sequence(payload, operation.request, operation.name)

    def _authenticate(
        self, soap_headers: Mapping[str, object]
    ) -> tuple[Optional[NetServerFailure], Optional[int]]:
        if self._application_token is not None:
            token = soap_headers.get("ApplicationToken")
            if not isinstance(token, str) or not _same_secret(token, self._application_token):
                return _BAD_APPLICATION_TOKEN, None
        credentials = soap_headers.get("Credentials")
        ticket = credentials.get("Ticket") if isinstance(credentials, dict) else None
        caller = self._store.associate_for_ticket(ticket if isinstance(ticket, str) else None)
        return (_BAD_TICKET, None) if caller is None else (None, caller)

    @staticmethod
    def _reply(
        version: SoapVersion,
        operation: Operation,
        call: Optional[Call],
        failure: Optional[NetServerFailure],
    ) -> FakeResponse:
        if call is None:
            body = build_response(version, operation.name, None, failure)
        else:
            body = build_response(
                version, operation.name, functools.partial(operation.handler, call)
            )
        return FakeResponse(200, {"Content-Type": version.content_type}, body)

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
            base_url = f"http://{url_host}:{bound_port}{SERVICE_PATH}"
            yield RunningServer(
                host=host, port=bound_port, base_url=base_url, url=f"{base_url}/User.svc"
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


# --------------------------------------------------------------------------- demo data


def _demo_credentials() -> list[tuple[str, UntrustedCredentials]]:
    cest = timezone(timedelta(hours=2))
    return [
        (
            "imap",
            UntrustedCredentials(
                valid_from=datetime(2021, 3, 25, 21, 36, 23, tzinfo=cest),
                valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
                comment="Work mailbox",
                secret_value="demo-imap-password",
                public_value="jane.doe@example.com",
                is_active=True,
                table_right=TableRight(mask=frozenset({"Select", "Update"})),
                field_properties={
                    "SecretValue": FieldProperty(
                        field_right=FieldRight(mask=frozenset({"Read", "Write"})),
                        field_type="System.String",
                        field_length=255,
                    )
                },
            ),
        ),
        (
            "imap",
            UntrustedCredentials(
                valid_from=datetime(2019, 1, 1, 0, 0, 0),
                valid_to=datetime(2020, 12, 31, 23, 59, 59),
                comment=None,
                secret_value="demo-old-imap-password",
                public_value="jane.doe@old.example.com",
                is_active=False,
                table_right=TableRight(mask=frozenset({"Select"}), reason="Inactive"),
                field_properties={},
            ),
        ),
        (
            "smtp",
            UntrustedCredentials(
                valid_from=datetime(2022, 6, 1, 8, 0, 0, tzinfo=timezone.utc),
                valid_to=datetime(2030, 6, 1, 8, 0, 0, tzinfo=timezone.utc),
                comment="Outgoing mail",
                secret_value="demo-smtp-password",
                public_value="jane.doe",
                is_active=True,
                table_right=TableRight(mask=frozenset({"Select", "Update", "Insert", "Delete"})),
                field_properties=None,
            ),
        ),
    ]
