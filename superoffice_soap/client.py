"""The agents: thin sync and async clients over httpx that drive the sans-IO protocol.

``UserAgent`` / ``AsyncUserAgent`` and ``SoPrincipal`` / ``AsyncSoPrincipal`` have the same names
and signatures in both flavours, as httpx's ``Client`` and ``AsyncClient`` do; their options are
declared once (``AgentOptions``, ``UserAgentOptions``). None holds protocol logic: a method names
its operation and arguments (``call`` takes any declared operation), and ``_run`` moves the bytes the session's plan asks for (including a re-login's
SoPrincipal call) and pauses where it asks: ``Sleep`` between retries, ``Wait`` while another call
does shared work (a re-login, a server's first SOAP version probe) — a blocked thread in the sync
agents, an awaited future in the async ones, so an event loop is never held up. One connection
pool per agent (keep-alive); a client passed in by the caller is used as it is and never closed by
the agent.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Literal,
    Optional,
    TypedDict,
    TypeVar,
    Union,
    overload,
)

import httpx

if sys.version_info >= (3, 11):
    from typing import Unpack
elif TYPE_CHECKING:
    from typing_extensions import Unpack

from . import operations as _operations
from ._body import ACCEPT_ENCODING, BodyReader
from ._mask import mask_text, mask_url, url_password
from ._net import DEADLINE
from ._net import install as install_deadline_and_fresh_answers
from .errors import (
    AgentClosedError,
    BulkInterrupted,
    InvalidRequestError,
    NetServerError,
    SuperOfficeSoapError,
    TransportError,
)
from .history import Exchange
from .models import (
    CredentialType,
    SoTimeZone,
    UntrustedCredentials,
    UserType,
    check_associate_id,
)
from .operations import (
    CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
    GET_CREDENTIAL_TYPES,
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_UNTRUSTED_CREDENTIALS,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    REMOVE_UNTRUSTED_CREDENTIALS,
    REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SAVE_UNTRUSTED_CREDENTIALS,
    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SO_PRINCIPAL,
    USER,
    Operation,
    P,
    Service,
)
from .protocol import (
    HttpResponse,
    Login,
    Plan,
    Session,
    Sleep,
    SoapRequest,
    SoapVersionSetting,
    TicketSource,
    Wait,
)
from .retry import RetryPolicy
from .xsd import check_string

if TYPE_CHECKING:
    from .principal import Authentication, SystemInfo

__all__ = ["AsyncSoPrincipal", "AsyncUserAgent", "BulkResult", "SoPrincipal", "UserAgent"]

T = TypeVar("T")
_T = TypeVar("_T")
DEFAULT_TIMEOUT = 30.0
TicketExpired = Callable[[NetServerError], bool]
#: Seconds for every phase, or an httpx.Timeout with separate connect/read/write/pool limits.
Timeout = Union[float, httpx.Timeout, None]
Retries = Union[int, RetryPolicy]


def _transport_error(exc: httpx.HTTPError, request: SoapRequest, now: float) -> TransportError:
    if (
        isinstance(exc, httpx.TimeoutException)
        and request.deadline is not None
        and now >= request.deadline - 0.01
    ):
        return _deadline_error(request)
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
    shown = mask_url(request.url)
    detail = mask_text(
        (str(exc) or type(exc).__name__).replace(request.url, shown), _url_secret(request)
    )
    return TransportError(
        f"{request.operation}: {kind} error talking to {shown}: {detail}",
        kind=kind,
        url=shown,
    )


def _url_secret(request: SoapRequest) -> list[Optional[str]]:
    return [url_password(request.url)]


def _asyncio() -> Any:
    """asyncio, imported on first use: it costs ~40 ms and sync users never need it."""
    import asyncio

    return asyncio


def _deadline_error(request: SoapRequest) -> TransportError:
    return TransportError(
        f"{request.operation}: the call's deadline passed talking to {mask_url(request.url)}",
        kind="deadline",
        url=mask_url(request.url),
    )


def _request_timeout(request: SoapRequest, configured: httpx.Timeout, now: float) -> Any:
    """The client's timeouts, each cut to what is left of the call's deadline."""
    if request.deadline is None:
        return httpx.USE_CLIENT_DEFAULT
    remaining = request.deadline - now
    if remaining <= 0:
        raise _deadline_error(request)

    def cut(limit: Optional[float]) -> float:
        return remaining if limit is None else min(limit, remaining)

    return httpx.Timeout(
        connect=cut(configured.connect),
        read=cut(configured.read),
        write=cut(configured.write),
        pool=cut(configured.pool),
    )


def _check_deadline(request: SoapRequest, now: float) -> None:
    if request.deadline is not None and now >= request.deadline:
        raise _deadline_error(request)


def _keywords_only(operation: Operation[..., object], args: tuple[object, ...]) -> None:
    if args:
        raise InvalidRequestError(
            "arguments",
            f"{operation.name} takes keyword arguments only (its parameter names), "
            f"got {len(args)} positional",
        )


def _pause(effect: Union[Sleep, Wait]) -> None:
    """A plan's pause, in a thread: sleep, or block (not spin) until the flight is done."""
    if isinstance(effect, Sleep):
        time.sleep(effect.seconds)
        return
    woken = threading.Event()
    effect.flight.subscribe(woken.set)
    woken.wait(effect.timeout)


async def _apause(effect: Union[Sleep, Wait]) -> None:
    """A plan's pause, in a task: the event loop goes on serving other tasks meanwhile."""
    asyncio = _asyncio()
    if isinstance(effect, Sleep):
        await asyncio.sleep(effect.seconds)
        return
    loop = asyncio.get_running_loop()
    woken = loop.create_future()

    def wake() -> None:  # runs in whichever thread finishes the flight
        # RuntimeError: that loop is closed, nobody waits there any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve, woken)

    effect.flight.subscribe(wake)
    # On a timeout the plan sees the flight still running and raises the deadline error.
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(woken, effect.timeout)


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


def _http_headers(request: SoapRequest) -> dict[str, str]:
    return {**request.headers, "Accept-Encoding": ACCEPT_ENCODING}


def _body_reader(session: Session, response: httpx.Response) -> BodyReader:
    return BodyReader(
        session.max_response_bytes,
        response.headers.get("content-encoding"),
        response.status_code,
    )


def _in_one_piece(session: Session, request: SoapRequest, response: httpx.Response) -> bool:
    """Whether an answer is read in one piece: uncompressed, with a declared length that fits
    under the cap, for a call without a deadline. The chunk loop is for the others, where it
    buys something: the cap must stop a body of no length, of a length over the cap or
    compressed while it streams, and a deadline must stop a body that trickles in. An HTTP
    connection delivers no more than the declared length; a transport that delivers more is
    still stopped by the cap, in ``_loaded``."""
    if request.deadline is not None:
        return False
    headers = response.headers
    if headers.get("content-encoding", "identity").strip().lower() != "identity":
        return False
    length = headers.get("content-length", "").strip()
    return length.isascii() and length.isdigit() and int(length) <= session.max_response_bytes


def _loaded(session: Session, response: httpx.Response) -> HttpResponse:
    """A response whose body the transport already read (and decoded): only the cap is left."""
    reader = BodyReader(session.max_response_bytes, None, response.status_code)
    reader.feed(response.content)
    return HttpResponse(response.status_code, response.headers, reader.finish())


class _Agent:
    """What every agent has: a session (settings, negotiation state) and a repr without secrets."""

    _session: Session

    @property
    def url(self) -> str:
        """The service URL every request goes to (``…/User.svc``, ``…/SoPrincipal.svc``)."""
        return self._session.url

    @property
    def services(self) -> str:
        """The Services version spoken (``"Services86"`` …)."""
        return self._session.services

    @property
    def soap_version(self) -> Optional[str]:
        """The SOAP version in use; None while ``auto`` negotiation has not settled."""
        return self._session.soap_version

    @property
    def history(self) -> list[Exchange]:
        """The last exchanges, oldest first, secrets masked (empty unless ``history=N``)."""
        return list(self._session.history or ())

    def __repr__(self) -> str:
        version = self._session.soap_version or self._session.soap_version_setting
        closed = ", closed" if self._closed else ""
        return (
            f"{type(self).__name__}(url={mask_url(self.url)!r}, services={self.services!r}, "
            f"soap_version={version!r}{closed})"
        )

    _closed = False

    def _check_open(self, client: Union[httpx.Client, httpx.AsyncClient]) -> None:
        name = type(self).__name__
        if self._closed:
            raise AgentClosedError(
                f"this {name} is closed: make calls inside its `with` block, or create a new one"
            )
        if client.is_closed:
            raise AgentClosedError(
                f"the http_client given to this {name} is closed: pass an open one"
            )


def _check_timeout(timeout: object) -> None:
    """Seconds > 0, None (no limit) or an httpx.Timeout whose limits are each > 0 or None."""
    limits = (
        (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if isinstance(timeout, httpx.Timeout)
        else (timeout,)
    )
    for limit in limits:
        if limit is None:
            continue
        if (
            isinstance(limit, bool)
            or not isinstance(limit, (int, float))
            or not limit > 0
            or limit == float("inf")
        ):
            raise InvalidRequestError(
                "timeout",
                f"must be a number of seconds > 0, None or an httpx.Timeout, got {limit!r}",
            )


class _SyncAgent(_Agent):
    """The synchronous driver: runs plans over an ``httpx.Client``."""

    def __init__(
        self, session: Session, options: Mapping[str, Any], http_client: Optional[httpx.Client]
    ) -> None:
        timeout = options.get("timeout", DEFAULT_TIMEOUT)
        if http_client is None:
            _check_timeout(timeout)
        self._session = session
        self._owns_client = http_client is None
        if http_client is None:
            http_client = httpx.Client(timeout=timeout)
            install_deadline_and_fresh_answers(http_client)
        self._client = http_client

    def close(self) -> None:
        """Close the connection pool, unless the caller supplied the client; later calls raise
        AgentClosedError."""
        self._closed = True
        if self._owns_client:
            self._client.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def call(self, operation: Operation[P, T], /, *args: P.args, **arguments: P.kwargs) -> T:
        """Call any declared operation (``operations.Operation``), of this agent's service or
        another one under the same base URL, with the agent's headers, Services version, SOAP
        negotiation, retries (repeated after sending only when declared ``retry_safe``),
        re-login, history and secret masking. ``arguments`` are the declared parameter names,
        as keywords; a generated operation's are checked by mypy."""
        _keywords_only(operation, args)
        return self._call(operation, arguments)

    def _call(self, operation: Operation[..., T], arguments: Mapping[str, object]) -> T:
        self._check_open(self._client)
        return self._run(self._session.plan(operation, arguments))

    def _run(self, plan: Plan[T]) -> T:
        try:
            effect = next(plan)
            while True:
                if not isinstance(effect, SoapRequest):
                    _pause(effect)
                    effect = plan.send(None)
                    continue
                try:
                    response = self._send(effect)
                except SuperOfficeSoapError as error:
                    effect = plan.throw(error)  # the plan logs it and may retry
                else:
                    effect = plan.send(response)
        except StopIteration as done:
            result: T = done.value
            return result
        finally:
            plan.close()  # interrupted: the plan hands back any shared work it was doing

    def _send(self, request: SoapRequest) -> HttpResponse:
        clock = self._session.clock
        bound = DEADLINE.set(request.deadline)
        try:
            with self._client.stream(
                "POST",
                request.url,
                content=request.content,
                headers=_http_headers(request),
                follow_redirects=False,
                timeout=_request_timeout(request, self._client.timeout, clock()),
            ) as response:
                if response.is_stream_consumed:  # a transport that read it (MockTransport)
                    return _loaded(self._session, response)
                if _in_one_piece(self._session, request, response):
                    response.read()
                    return _loaded(self._session, response)
                reader = _body_reader(self._session, response)
                for chunk in response.iter_raw():
                    _check_deadline(request, clock())
                    reader.feed(chunk)
                return HttpResponse(response.status_code, response.headers, reader.finish())
        except httpx.HTTPError as exc:
            raise _transport_error(exc, request, clock()) from exc
        finally:
            DEADLINE.reset(bound)


class _AsyncAgent(_Agent):
    """The asynchronous driver: runs plans over an ``httpx.AsyncClient``."""

    def __init__(
        self,
        session: Session,
        options: Mapping[str, Any],
        http_client: Optional[httpx.AsyncClient],
    ) -> None:
        timeout = options.get("timeout", DEFAULT_TIMEOUT)
        if http_client is None:
            _check_timeout(timeout)
        self._session = session
        self._owns_client = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(timeout=timeout)
            install_deadline_and_fresh_answers(http_client)
        self._client = http_client

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller supplied the client; later calls raise
        AgentClosedError."""
        self._closed = True
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def call(self, operation: Operation[P, T], /, *args: P.args, **arguments: P.kwargs) -> T:
        """Call any declared operation (``operations.Operation``), of this agent's service or
        another one under the same base URL, with all of the agent's machinery (see the sync
        agents' ``call``)."""
        _keywords_only(operation, args)
        return await self._call(operation, arguments)

    async def _call(self, operation: Operation[..., T], arguments: Mapping[str, object]) -> T:
        self._check_open(self._client)
        return await self._run(self._session.plan(operation, arguments))

    async def _run(self, plan: Plan[T]) -> T:
        try:
            effect = next(plan)
            while True:
                if not isinstance(effect, SoapRequest):
                    await _apause(effect)
                    effect = plan.send(None)
                    continue
                try:
                    response = await self._send(effect)
                except SuperOfficeSoapError as error:
                    effect = plan.throw(error)  # the plan logs it and may retry
                else:
                    effect = plan.send(response)
        except StopIteration as done:
            result: T = done.value
            return result
        finally:
            plan.close()  # cancelled: the plan hands back any shared work it was doing

    async def _send(self, request: SoapRequest) -> HttpResponse:
        if request.deadline is None or self._owns_client:
            return await self._exchange(request)  # the own pool bounds every byte already
        # A caller's client: its network streams are its own, so the deadline bounds the
        # exchange from outside (a cancelled exchange closes its connection).
        asyncio = _asyncio()
        remaining = max(0.0, request.deadline - self._session.clock())
        try:
            answer: HttpResponse = await asyncio.wait_for(self._exchange(request), remaining)
            return answer
        except asyncio.TimeoutError:
            raise _deadline_error(request) from None

    async def _exchange(self, request: SoapRequest) -> HttpResponse:
        clock = self._session.clock
        bound = DEADLINE.set(request.deadline)
        try:
            async with self._client.stream(
                "POST",
                request.url,
                content=request.content,
                headers=_http_headers(request),
                follow_redirects=False,
                timeout=_request_timeout(request, self._client.timeout, clock()),
            ) as response:
                if response.is_stream_consumed:  # a transport that read it (MockTransport)
                    return _loaded(self._session, response)
                if _in_one_piece(self._session, request, response):
                    await response.aread()
                    return _loaded(self._session, response)
                reader = _body_reader(self._session, response)
                async for chunk in response.aiter_raw():
                    _check_deadline(request, clock())
                    reader.feed(chunk)
                return HttpResponse(response.status_code, response.headers, reader.finish())
        except httpx.HTTPError as exc:
            raise _transport_error(exc, request, clock()) from exc
        finally:
            DEADLINE.reset(bound)


class AgentOptions(TypedDict, total=False):
    """The keyword options of every agent (``SoPrincipal`` and ``AsyncSoPrincipal`` take these;
    the User agents take ``UserAgentOptions``). Declared once here; ``help()`` on an agent
    class lists them with their meaning and default."""

    application_token: Optional[str]
    soap_version: SoapVersionSetting
    timeout: Timeout
    services: Optional[str]
    retries: Retries
    deadline: Optional[float]
    max_response_bytes: int
    history: int


class UserAgentOptions(AgentOptions, total=False):
    """``AgentOptions`` and the User agents' own: the TimeZone header and the re-login rule."""

    time_zone: Optional[SoTimeZone]
    is_ticket_expired: TicketExpired


#: What each option means, for ``help()``: keyword → lines of text (its default included).
_OPTION_DOCS = {
    "url": (
        "The services base URL (``https://host/Cust1/Remote/Services86``) or the URL of any of\n"
        "its ``….svc`` endpoints; the agent posts to its service's ``….svc`` under that base."
    ),
    "ticket": (
        "A ticket (``7T:…``), an access token (``8A:…``, Services86 and later), or a callable\n"
        "returning the current one (called for every request). ``login`` gets and renews one."
    ),
    "http_client": (
        "Your own httpx client (proxies, certificates, transports); never closed by the agent.\n"
        "Default: the agent's own, one connection pool."
    ),
    "application_token": (
        "The ApplicationToken header (SuperOffice Online requires it; on-site ignores it).\n"
        "Default: none."
    ),
    "soap_version": (
        '``"auto"`` (default: SOAP 1.2 first, then SOAP 1.1 once the server refuses it, learned\n'
        'once per server), ``"1.1"`` or ``"1.2"`` (pinned; ``"1.1"`` saves the first round trip\n'
        "against a standard NetServer)."
    ),
    "timeout": (
        "Seconds > 0 for every phase (default 30), ``None`` for no limit, or an\n"
        "``httpx.Timeout``. Not used with ``http_client`` (its own timeouts apply)."
    ),
    "services": (
        '``"Services84"`` … ``"Services88"``; default: from the URL, else ``"Services86"``.'
    ),
    "retries": (
        "Retries of one call (default 2, ``0`` for none) or a ``RetryPolicy``; writes are\n"
        "repeated only when the request provably never left."
    ),
    "deadline": ("Seconds for a whole call, retries and waits included (default: none)."),
    "max_response_bytes": ("Cap on one answer's body after decompression (default 16 MiB)."),
    "history": (
        "Keep the last N exchanges, secrets masked, in ``agent.history`` (default 0: off)."
    ),
    "time_zone": ("``SoTimeZone(id=…, location_code=…)`` for the TimeZone header (default: none)."),
    "is_ticket_expired": (
        'Decides which NetServerError means "log in again" (agents made by ``login`` only);\n'
        "default ``superoffice_soap.is_ticket_expired``."
    ),
}
_AGENT_OPTIONS = frozenset(AgentOptions.__optional_keys__)
_USER_AGENT_OPTIONS = frozenset(UserAgentOptions.__optional_keys__)


def _options_documented(options: Iterable[str]) -> Callable[[type[_T]], type[_T]]:
    """Appends the meaning of every keyword a class takes to its docstring (``help()``)."""

    def document(cls: type[_T]) -> type[_T]:
        names = ["url", *(["ticket"] if "time_zone" in options else []), "http_client"]
        names += sorted(options, key=list(_OPTION_DOCS).index)
        lines = ["", "Options (keywords):", ""]
        for name in names:
            lines.append(name)
            lines.extend(f"    {line}" for line in _OPTION_DOCS[name].splitlines())
        indented = "\n".join(f"    {line}" if line else "" for line in lines)
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n" + indented + "\n"
        return cls

    return document


def _checked(options: Mapping[str, object], allowed: frozenset[str], who: str) -> None:
    """An unknown keyword is an InvalidRequestError naming it (and what was probably meant)."""
    for name in options:
        if name not in allowed:
            import difflib  # only to name what was probably meant

            near = difflib.get_close_matches(name, sorted(allowed), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise InvalidRequestError(name, f"{who} takes no option {name!r}{hint}")


def _session(
    url: str,
    service: Service,
    options: Mapping[str, Any],
    ticket: TicketSource = None,
) -> Session:
    """A session with the options given; the rest keep their defaults (``Session``'s)."""
    settings = {key: options[key] for key in options if key != "timeout"}
    if "is_ticket_expired" in settings:
        settings["ticket_expired"] = settings.pop("is_ticket_expired")
    return Session(url, service, ticket=ticket, clock=time.monotonic, **settings)


_S = TypeVar("_S", bound=_SyncAgent)
_A = TypeVar("_A", bound=_AsyncAgent)


def _login(session: Session, username: str, password: str) -> Login:
    """Attach a SoPrincipal login to a User session: the same base, version, token, SOAP
    setting, retries, limits, clock and history."""
    principal = session.for_service(SO_PRINCIPAL)
    login = Login(principal, username, password)
    session.login = login
    return login


def _credentials_arguments(
    associate_id: Optional[int], credential_type: str, **more: object
) -> dict[str, object]:
    arguments: dict[str, object] = {"credential_type": credential_type, **more}
    if associate_id is not None:
        arguments["associate_id"] = check_associate_id("associate_id", associate_id)
    return arguments


BulkErrors = Literal["raise", "collect"]
BulkResult = dict[int, Union[list[UntrustedCredentials], SuperOfficeSoapError]]


class _Bulk:
    """The shared bookkeeping of a bulk read: checked input, the next id to fetch, results, and
    the ``errors="raise" | "collect"`` rule. Thread-safe; the drivers only run the workers."""

    def __init__(
        self, associate_ids: Iterable[int], credential_type: str, concurrency: int, errors: str
    ) -> None:
        if isinstance(associate_ids, (str, bytes)) or not isinstance(associate_ids, Iterable):
            raise InvalidRequestError("associate_ids", "must be an iterable of ints")
        given = list(associate_ids)
        for position, associate_id in enumerate(given):
            check_associate_id(f"associate_ids[{position}]", associate_id)
        ids = list(dict.fromkeys(given))  # unique, in input order
        check_string("credential_type", credential_type)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError("concurrency", f"must be an int >= 1, got {concurrency!r}")
        if errors not in ("raise", "collect"):
            raise InvalidRequestError("errors", f"must be 'raise' or 'collect', got {errors!r}")
        self.ids = ids
        self.credential_type = credential_type
        self.workers = min(concurrency, len(ids))
        self.collect = errors == "collect"
        self._pending = iter(ids)
        self._results: BulkResult = {}
        self._error: Optional[SuperOfficeSoapError] = None
        self._stopped = False
        self._lock = threading.Lock()

    def next_id(self) -> Optional[int]:
        """The next associate to fetch, or None when done (or stopped by an error or Ctrl-C)."""
        with self._lock:
            if self._error is not None or self._stopped:
                return None
            return next(self._pending, None)

    def stop(self) -> None:
        """Hand out no more ids."""
        with self._lock:
            self._stopped = True

    def partial(self) -> BulkResult:
        """What was read so far, in the order asked."""
        with self._lock:
            return {i: self._results[i] for i in self.ids if i in self._results}

    def arguments(self, associate_id: int) -> dict[str, object]:
        return {"associate_id": associate_id, "credential_type": self.credential_type}

    def done(self, associate_id: int, result: list[UntrustedCredentials]) -> None:
        with self._lock:
            self._results[associate_id] = result

    def failed(self, associate_id: int, error: SuperOfficeSoapError) -> None:
        with self._lock:
            if self.collect:
                self._results[associate_id] = error
            elif self._error is None:
                self._error = error

    def finish(self) -> BulkResult:
        if self._error is not None:
            raise self._error
        return {i: self._results[i] for i in self.ids}


@_options_documented(_USER_AGENT_OPTIONS)
class UserAgent(_SyncAgent):
    """Synchronous client of NetServer's User service (``<base>/User.svc``).

    ``ticket`` is a ticket (``7T:…``), an access token (``8A:…``, Services86 and later) or a
    callable that returns one for each request; ``UserAgent.login`` gets one from SoPrincipal and
    renews it when it expires.

    >>> with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:…") as agent:
    ...     creds = agent.get_untrusted_credentials_for_associate(5, "imap")
    """

    def __init__(
        self,
        url: str,
        *,
        ticket: TicketSource,
        http_client: Optional[httpx.Client] = None,
        **options: Unpack[UserAgentOptions],
    ) -> None:
        _checked(options, _USER_AGENT_OPTIONS, "UserAgent")
        super().__init__(_session(url, USER, options, ticket), options, http_client)

    @classmethod
    def login(
        cls,
        url: str,
        username: str,
        password: str,
        *,
        http_client: Optional[httpx.Client] = None,
        **options: Unpack[UserAgentOptions],
    ) -> UserAgent:
        """Authenticate through ``<base>/SoPrincipal.svc`` and return an agent that renews its
        ticket once per call when NetServer reports it expired. Raises AuthenticationError.
        Takes the options of ``UserAgent`` (but ``ticket``)."""
        agent = cls(url, ticket=None, http_client=http_client, **options)
        try:
            agent._run(_login(agent._session, username, password).authenticate())
        except BaseException:
            agent.close()
            raise
        return agent

    def get_untrusted_credentials(self, credential_type: str) -> list[UntrustedCredentials]:
        """The calling user's stored credentials of type ``credential_type`` (``"imap"`` …)."""
        return self._call(GET_UNTRUSTED_CREDENTIALS, _credentials_arguments(None, credential_type))

    def get_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str
    ) -> list[UntrustedCredentials]:
        """A user's stored credentials of type ``credential_type`` (``"imap"``, ``"smtp"`` …)."""
        arguments = _credentials_arguments(associate_id, credential_type)
        return self._call(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    def save_untrusted_credentials(
        self, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store a credential of the calling user."""
        arguments = _credentials_arguments(None, credential_type, credentials=credentials)
        return self._call(SAVE_UNTRUSTED_CREDENTIALS, arguments)

    def save_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store a credential of a user."""
        arguments = _credentials_arguments(associate_id, credential_type, credentials=credentials)
        return self._call(SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    def remove_untrusted_credentials(self, credential_type: str, public_value: str) -> None:
        """Remove the calling user's credential of a type with this ``public_value``."""
        arguments = _credentials_arguments(None, credential_type, public_value=public_value)
        return self._call(REMOVE_UNTRUSTED_CREDENTIALS, arguments)

    def remove_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str, public_value: str
    ) -> None:
        """Remove a user's credential of a type with this ``public_value``."""
        arguments = _credentials_arguments(associate_id, credential_type, public_value=public_value)
        return self._call(REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    def create_default_untrusted_credentials(self) -> UntrustedCredentials:
        """A new credential with the server's defaults, not stored yet."""
        return self._call(CREATE_DEFAULT_UNTRUSTED_CREDENTIALS, {})

    def get_credential_types(self) -> list[CredentialType]:
        """Every credential type the installation knows."""
        return self._call(GET_CREDENTIAL_TYPES, {})

    def get_credential_types_for_user_type(
        self, user_type: Union[UserType, str]
    ) -> list[CredentialType]:
        """The credential types a user of ``user_type`` may have."""
        return self._call(GET_CREDENTIAL_TYPES_FOR_USER_TYPE, {"user_type": user_type})

    @overload
    def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = ...,
        errors: Literal["raise"] = ...,
    ) -> dict[int, list[UntrustedCredentials]]: ...

    @overload
    def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = ...,
        errors: Literal["collect"],
    ) -> BulkResult: ...

    def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = 8,
        errors: BulkErrors = "raise",
    ) -> Union[dict[int, list[UntrustedCredentials]], BulkResult]:
        """Many users' credentials of one type, ``concurrency`` calls at a time over the agent's
        connection pool (threads), each with the agent's retry policy.

        Returns associate id → list, in the order of ``associate_ids`` (duplicates once). With
        ``errors="raise"`` the first failure stops the work and is raised; with
        ``errors="collect"`` a failed associate maps to its SuperOfficeSoapError. Ctrl-C stops
        it within one request's time (no request starts after it) with ``BulkInterrupted``,
        whose ``partial`` holds what was read.
        """
        self._check_open(self._client)
        bulk = _Bulk(associate_ids, credential_type, concurrency, errors)

        def worker() -> None:
            associate_id = bulk.next_id()
            while associate_id is not None:
                try:
                    result = self._call(
                        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, bulk.arguments(associate_id)
                    )
                except SuperOfficeSoapError as error:
                    bulk.failed(associate_id, error)
                else:
                    bulk.done(associate_id, result)
                associate_id = bulk.next_id()

        if bulk.workers:
            from concurrent.futures import ThreadPoolExecutor  # only the bulk helper needs it

            pool = ThreadPoolExecutor(bulk.workers, thread_name_prefix="superoffice-bulk")
            try:
                for future in [pool.submit(worker) for _ in range(bulk.workers)]:
                    future.result()
            except KeyboardInterrupt:
                # Ctrl-C reaches this thread only: no worker takes another id, the calls in
                # flight end (within one request's time), and what was read is handed back.
                bulk.stop()
                pool.shutdown(wait=True)
                raise BulkInterrupted(bulk.partial(), len(bulk.ids)) from None
            finally:
                bulk.stop()
                pool.shutdown(wait=True)
        return bulk.finish()


@_options_documented(_USER_AGENT_OPTIONS)
class AsyncUserAgent(_AsyncAgent):
    """Asynchronous client of NetServer's User service; ``UserAgent``'s methods, awaited."""

    def __init__(
        self,
        url: str,
        *,
        ticket: TicketSource,
        http_client: Optional[httpx.AsyncClient] = None,
        **options: Unpack[UserAgentOptions],
    ) -> None:
        _checked(options, _USER_AGENT_OPTIONS, "AsyncUserAgent")
        super().__init__(_session(url, USER, options, ticket), options, http_client)

    @classmethod
    async def login(
        cls,
        url: str,
        username: str,
        password: str,
        *,
        http_client: Optional[httpx.AsyncClient] = None,
        **options: Unpack[UserAgentOptions],
    ) -> AsyncUserAgent:
        """``UserAgent.login``, awaited."""
        agent = cls(url, ticket=None, http_client=http_client, **options)
        try:
            await agent._run(_login(agent._session, username, password).authenticate())
        except BaseException:
            await agent.aclose()
            raise
        return agent

    async def get_untrusted_credentials(self, credential_type: str) -> list[UntrustedCredentials]:
        """The calling user's stored credentials of type ``credential_type`` (``"imap"`` …)."""
        arguments = _credentials_arguments(None, credential_type)
        return await self._call(GET_UNTRUSTED_CREDENTIALS, arguments)

    async def get_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str
    ) -> list[UntrustedCredentials]:
        """A user's stored credentials of type ``credential_type`` (``"imap"``, ``"smtp"`` …)."""
        arguments = _credentials_arguments(associate_id, credential_type)
        return await self._call(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    async def save_untrusted_credentials(
        self, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store a credential of the calling user."""
        arguments = _credentials_arguments(None, credential_type, credentials=credentials)
        return await self._call(SAVE_UNTRUSTED_CREDENTIALS, arguments)

    async def save_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store a credential of a user."""
        arguments = _credentials_arguments(associate_id, credential_type, credentials=credentials)
        return await self._call(SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    async def remove_untrusted_credentials(self, credential_type: str, public_value: str) -> None:
        """Remove the calling user's credential of a type with this ``public_value``."""
        arguments = _credentials_arguments(None, credential_type, public_value=public_value)
        return await self._call(REMOVE_UNTRUSTED_CREDENTIALS, arguments)

    async def remove_untrusted_credentials_for_associate(
        self, associate_id: int, credential_type: str, public_value: str
    ) -> None:
        """Remove a user's credential of a type with this ``public_value``."""
        arguments = _credentials_arguments(associate_id, credential_type, public_value=public_value)
        return await self._call(REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)

    async def create_default_untrusted_credentials(self) -> UntrustedCredentials:
        """A new credential with the server's defaults, not stored yet."""
        return await self._call(CREATE_DEFAULT_UNTRUSTED_CREDENTIALS, {})

    async def get_credential_types(self) -> list[CredentialType]:
        """Every credential type the installation knows."""
        return await self._call(GET_CREDENTIAL_TYPES, {})

    async def get_credential_types_for_user_type(
        self, user_type: Union[UserType, str]
    ) -> list[CredentialType]:
        """The credential types a user of ``user_type`` may have."""
        return await self._call(GET_CREDENTIAL_TYPES_FOR_USER_TYPE, {"user_type": user_type})

    @overload
    async def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = ...,
        errors: Literal["raise"] = ...,
    ) -> dict[int, list[UntrustedCredentials]]: ...

    @overload
    async def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = ...,
        errors: Literal["collect"],
    ) -> BulkResult: ...

    async def get_untrusted_credentials_for_associates(
        self,
        associate_ids: Iterable[int],
        credential_type: str,
        *,
        concurrency: int = 8,
        errors: BulkErrors = "raise",
    ) -> Union[dict[int, list[UntrustedCredentials]], BulkResult]:
        """``UserAgent.get_untrusted_credentials_for_associates``, with ``concurrency`` tasks."""
        self._check_open(self._client)
        bulk = _Bulk(associate_ids, credential_type, concurrency, errors)

        async def worker() -> None:
            associate_id = bulk.next_id()
            while associate_id is not None:
                try:
                    result = await self._call(
                        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, bulk.arguments(associate_id)
                    )
                except SuperOfficeSoapError as error:
                    bulk.failed(associate_id, error)
                else:
                    bulk.done(associate_id, result)
                associate_id = bulk.next_id()

        await _asyncio().gather(*(worker() for _ in range(bulk.workers)))
        return bulk.finish()


@_options_documented(_AGENT_OPTIONS)
class SoPrincipal(_SyncAgent):
    """Synchronous client of NetServer's SoPrincipal service (``<base>/SoPrincipal.svc``):
    tickets from a username and password or from an access token, and system information.
    Only the ApplicationToken header is sent."""

    def __init__(
        self,
        url: str,
        *,
        http_client: Optional[httpx.Client] = None,
        **options: Unpack[AgentOptions],
    ) -> None:
        _checked(options, _AGENT_OPTIONS, "SoPrincipal")
        super().__init__(_session(url, SO_PRINCIPAL, options), options, http_client)

    def authenticate_username_password(self, username: str, password: str) -> Authentication:
        """A ticket for a user; AuthenticationError when NetServer refuses."""
        arguments = {"username": username, "password": password}
        return self._call(_operations.AUTHENTICATE_USERNAME_PASSWORD, arguments)

    def authenticate_with_access_token(self, access_token: str) -> Authentication:
        """A ticket for an OAuth access token (``8A:…``; Services86 and later)."""
        return self._call(
            _operations.AUTHENTICATE_WITH_ACCESS_TOKEN, {"access_token": access_token}
        )

    def get_system_info(self) -> SystemInfo:
        """The installation's version, license and database facts."""
        return self._call(_operations.GET_SYSTEM_INFO, {})


@_options_documented(_AGENT_OPTIONS)
class AsyncSoPrincipal(_AsyncAgent):
    """Asynchronous client of NetServer's SoPrincipal service; ``SoPrincipal``'s methods, awaited."""

    def __init__(
        self,
        url: str,
        *,
        http_client: Optional[httpx.AsyncClient] = None,
        **options: Unpack[AgentOptions],
    ) -> None:
        _checked(options, _AGENT_OPTIONS, "AsyncSoPrincipal")
        super().__init__(_session(url, SO_PRINCIPAL, options), options, http_client)

    async def authenticate_username_password(self, username: str, password: str) -> Authentication:
        """A ticket for a user; AuthenticationError when NetServer refuses."""
        arguments = {"username": username, "password": password}
        return await self._call(_operations.AUTHENTICATE_USERNAME_PASSWORD, arguments)

    async def authenticate_with_access_token(self, access_token: str) -> Authentication:
        """A ticket for an OAuth access token (``8A:…``; Services86 and later)."""
        return await self._call(
            _operations.AUTHENTICATE_WITH_ACCESS_TOKEN, {"access_token": access_token}
        )

    async def get_system_info(self) -> SystemInfo:
        """The installation's version, license and database facts."""
        return await self._call(_operations.GET_SYSTEM_INFO, {})
