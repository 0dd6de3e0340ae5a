"""The agents: thin sync and async clients over httpx that drive the sans-IO protocol.

``UserAgent`` and ``AsyncUserAgent`` have the same names and signatures. Neither holds protocol
logic: each method names its operation and arguments, and ``_run`` moves the bytes the session's
plan asks for. One connection pool per agent (keep-alive); a client passed in by the caller is used
as it is and never closed by the agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Optional, TypeVar

import httpx

from .errors import TransportError
from .models import SoTimeZone, UntrustedCredentials
from .operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, USER, Operation, Service
from .protocol import HttpResponse, Plan, Session, SoapRequest, SoapVersionSetting

__all__ = ["AsyncUserAgent", "UserAgent"]

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0


class _Agent:
    """What both agents share: the session (settings, negotiation state) and error mapping."""

    _service: Service

    def __init__(
        self,
        url: str,
        *,
        ticket: Optional[str],
        application_token: Optional[str],
        soap_version: SoapVersionSetting,
        time_zone: Optional[SoTimeZone],
    ) -> None:
        self._session = Session(
            url,
            self._service.name,
            ticket=ticket,
            application_token=application_token,
            time_zone=time_zone,
            soap_version=soap_version,
        )

    @property
    def url(self) -> str:
        """The service URL every request goes to (``…/User.svc``)."""
        return self._session.url

    @property
    def soap_version(self) -> Optional[str]:
        """The SOAP version in use; None while ``auto`` negotiation has not settled."""
        return self._session.soap_version

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={self.url!r}, "
            f"soap_version={self._session.soap_version_setting!r})"
        )


def _transport_error(exc: httpx.HTTPError, request: SoapRequest) -> TransportError:
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect timeout",
            httpx.ReadTimeout: "read timeout",
            httpx.WriteTimeout: "write timeout",
            httpx.PoolTimeout: "pool timeout",
        }.get(type(exc), "timeout")
    elif isinstance(exc, httpx.ConnectError):
        kind = "connect"
    elif isinstance(exc, httpx.ReadError):
        kind = "read"
    elif isinstance(exc, httpx.WriteError):
        kind = "write"
    elif isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        kind = "protocol"
    else:
        kind = "other"
    detail = str(exc) or type(exc).__name__
    return TransportError(
        f"{request.operation}: {kind} error talking to {request.url}: {detail}",
        kind=kind,
        url=request.url,
    )


def _response(response: httpx.Response) -> HttpResponse:
    return HttpResponse(response.status_code, response.headers, response.content)


class UserAgent(_Agent):
    """Synchronous client of NetServer's User service (``<base>/User.svc``).

    >>> with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:…") as agent:
    ...     creds = agent.get_untrusted_credentials_for_associate(5, "imap")
    """

    _service = USER

    def __init__(
        self,
        url: str,
        *,
        ticket: Optional[str],
        application_token: Optional[str] = None,
        soap_version: SoapVersionSetting = "auto",
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        http_client: Optional[httpx.Client] = None,
        time_zone: Optional[SoTimeZone] = None,
    ) -> None:
        super().__init__(
            url,
            ticket=ticket,
            application_token=application_token,
            soap_version=soap_version,
            time_zone=time_zone,
        )
        self._owns_client = http_client is None
        self._client = http_client if http_client is not None else httpx.Client(timeout=timeout)

    def get_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str
    ) -> list[UntrustedCredentials]:
        """The stored credentials of type ``credential_type`` (``"imap"``, ``"smtp"`` …) of a user."""
        return self._call(
            GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            {"associate_id": associate_id, "credential_type": credential_type},
        )

    def close(self) -> None:
        """Close the connection pool, unless the caller supplied the client."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> UserAgent:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def _call(self, operation: Operation[T], arguments: Mapping[str, object]) -> T:
        return self._run(self._session.plan(operation, arguments))

    def _run(self, plan: Plan[T]) -> T:
        try:
            request = next(plan)
            while True:
                try:
                    response = self._send(request)
                except TransportError as exc:
                    request = plan.throw(exc)  # the plan logs it (and may decide to retry)
                else:
                    request = plan.send(response)
        except StopIteration as done:
            result: T = done.value
            return result

    def _send(self, request: SoapRequest) -> HttpResponse:
        try:
            response = self._client.post(
                request.url,
                content=request.content,
                headers=request.headers,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc, request) from exc
        return _response(response)


class AsyncUserAgent(_Agent):
    """Asynchronous client of NetServer's User service; the same methods as ``UserAgent``, awaited."""

    _service = USER

    def __init__(
        self,
        url: str,
        *,
        ticket: Optional[str],
        application_token: Optional[str] = None,
        soap_version: SoapVersionSetting = "auto",
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        http_client: Optional[httpx.AsyncClient] = None,
        time_zone: Optional[SoTimeZone] = None,
    ) -> None:
        super().__init__(
            url,
            ticket=ticket,
            application_token=application_token,
            soap_version=soap_version,
            time_zone=time_zone,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
        )

    async def get_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str
    ) -> list[UntrustedCredentials]:
        """The stored credentials of type ``credential_type`` (``"imap"``, ``"smtp"`` …) of a user."""
        return await self._call(
            GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            {"associate_id": associate_id, "credential_type": credential_type},
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller supplied the client."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncUserAgent:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def _call(self, operation: Operation[T], arguments: Mapping[str, object]) -> T:
        return await self._run(self._session.plan(operation, arguments))

    async def _run(self, plan: Plan[T]) -> T:
        try:
            request = next(plan)
            while True:
                try:
                    response = await self._send(request)
                except TransportError as exc:
                    request = plan.throw(exc)  # the plan logs it (and may decide to retry)
                else:
                    request = plan.send(response)
        except StopIteration as done:
            result: T = done.value
            return result

    async def _send(self, request: SoapRequest) -> HttpResponse:
        try:
            response = await self._client.post(
                request.url,
                content=request.content,
                headers=request.headers,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc, request) from exc
        return _response(response)
